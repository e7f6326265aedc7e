"""Deadlines (rules: rules/deadlines.yml, rules/calendar.yml).

Four kinds, as the record states them:

* ``date``: a last allowed day (2021年8月底前 → 2021-08-31, 年内 → 12-31, 三季度末 →
  09-30); the year from the text, else from the document's date.
* ``relative``: N units after an event (本方案印发后20个工作日内); resolved to a date only
  when the event is the document's own issuing and its date is known, 工作日 counted
  with the official holiday calendar (``pipeline.workdays``).
* ``duration``: N units with no event stated (5小时内).
* ``recurring``: 每年 / 每季度 / 按月 / 定期, with ``by`` when a day is stated.

Every form is a named rule in ``rules/deadlines.yml``; this module only reads the named
groups of a match (year, month, day, part, quarter, amount, unit, anchor, period …), so
a new form is a new rule. Matches overlap freely; the longer one wins.
"""
from __future__ import annotations

import calendar as _cal
import dataclasses
import datetime as dt
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from .. import prefilter
from ..model import Fact
from ..normalize import match_view
from ..rules import RuleError, RuleSet, register_schema, rule_list_schema
from ..workdays import add_workdays, festival_day
from . import placeholders

RULE_FILE = "deadlines.yml"
TYPES = ("date", "relative", "duration", "recurring", "cadence")
ROC_OFFSET = 1911          # 民国1年 = 1912
UNITS = ("workday", "day", "hour", "minute", "week", "month", "year")
PERIODS = ("year", "half_year", "quarter", "month", "week", "day", "regular")

_STR = {"type": "string"}
_WORD_MAP = lambda values: {"type": "object", "additionalProperties": {"enum": list(values)}}  # noqa: E731
_OFFSETS = {"type": "object", "additionalProperties": {"type": "integer"}}
register_schema(
    RULE_FILE,
    rule_list_schema(
        {
            "type": {"enum": list(TYPES)},
            "pattern": _STR,
            "description": _STR,
            "level": {"enum": ["month", "quarter", "year"]},
            "position": {"type": "string", "pattern": r"^(end|\d{1,2}|\d{1,2}-\d{1,2})$"},
            "unit": {"enum": list(UNITS)},
            "period": {"enum": list(PERIODS)},
            "reject_before_pattern": _STR,
            "reject_after_pattern": _STR,
            "trigger_pattern": _STR,
            "whole_text": {"type": "boolean"},
            "future_only": {"type": "boolean"},
            "month_of_document": {"type": "boolean"},
            "cue_pattern": _STR,
            "examples": {"type": "array", "items": _STR},
            "marks": {"type": "array", "items": {"enum": ["extension", "before"]}},
            "narrative": {"type": "boolean"},
            "anchor_from_clause": {"type": "boolean"},
        },
        required=("name", "type", "pattern"),
        top={
            "macros": {"type": "object", "additionalProperties": _STR},
            "units": _WORD_MAP(UNITS),
            "periods": _WORD_MAP(PERIODS),
            "parts": {"type": "object", "additionalProperties": {
                "type": "string", "pattern": r"^(end|\d{1,2}|\d{1,2}-\d{1,2})$"}},
            "year_words": _OFFSETS,
            "month_words": _OFFSETS,
            "recurring_month_words": {"type": "array", "items": _STR},
            "recurring_year_words": {"type": "array", "items": _STR},
            "quarter_words": _OFFSETS,
            "cue_pattern": _STR,
            "roll_forward_after_days": {"type": "integer", "minimum": 0},
            "amount_words": {"type": "object", "additionalProperties": {"type": "number"}},
            "self_anchor_pattern": _STR,
            "self_object_pattern": _STR,
            "anchor_reject_pattern": _STR,
            "anchor_accept_pattern": _STR,
            "clause_anchor_pattern": _STR,
            "workday_rule_pattern": _STR,
            "clause_anchor_reach": {"type": "integer", "minimum": 1},
            "stage_before_pattern": _STR,
            "periodic_report_before_pattern": _STR,
            "one_year_title_pattern": _STR,
            "window_before_pattern": _STR,
            "window_after_pattern": _STR,
            "window_act_after_pattern": _STR,
            "window_due_before_pattern": _STR,
            "recover_years_before": {"type": "integer", "minimum": 0},
            "recover_years_after": {"type": "integer", "minimum": 0},
            "date_reject_before_pattern": _STR,
            "date_reject_after_pattern": _STR,
            "window_before": {"type": "integer", "minimum": 1},
            "window_after": {"type": "integer", "minimum": 1},
        },
    ),
)

# A match that is recognised but is no deadline (a period in a report of the past).
NARRATIVE: Any = object()

_SUFFIX = re.compile(r"_\d+$")
_LOOK_BEHIND = 12      # characters before a match checked by reject_before patterns
_LOOK_AHEAD = 16      # characters after a match checked by reject_after patterns (每月新台币(以下同)五万三千元)


@dataclass
class _Rule:
    name: str
    type: str
    rx: re.Pattern
    order: int
    spec: dict[str, Any]
    reject_before: list[re.Pattern] = field(default_factory=list)
    reject_after: list[re.Pattern] = field(default_factory=list)
    trigger: re.Pattern | None = None
    trigger_context_free: bool = False     # see live_rules
    cue: re.Pattern | None = None
    words: list[re.Pattern] = field(default_factory=list)   # prefilter.required of rx


class DeadlineRules:
    """Everything the extractor needs from the rule files, prepared once per RuleSet."""

    def __init__(self, rules: RuleSet):
        cfg = rules.get(RULE_FILE)
        if not cfg:
            raise RuleError(f"{RULE_FILE}: not loaded")
        self.rules_set = rules
        self.units: dict[str, str] = dict(cfg.get("units") or {})
        self.periods: dict[str, str] = dict(cfg.get("periods") or {})
        self.parts: dict[str, str] = dict(cfg.get("parts") or {})
        self.year_words: dict[str, int] = dict(cfg.get("year_words") or {})
        self.month_words: dict[str, int] = dict(cfg.get("month_words") or {})
        self.recurring_month_words = frozenset(cfg.get("recurring_month_words") or [])
        self.recurring_year_words = frozenset(cfg.get("recurring_year_words") or [])
        self.quarter_words: dict[str, int] = dict(cfg.get("quarter_words") or {})
        self.roll_forward = cfg.get("roll_forward_after_days")
        self.amount_words: dict[str, float] = dict(cfg.get("amount_words") or {})
        self.recover_before = int(cfg.get("recover_years_before", 1))
        self.recover_after = int(cfg.get("recover_years_after", 1))
        self.window_before = int(cfg.get("window_before", 100))
        self.window_after = int(cfg.get("window_after", 30))
        macros = dict(cfg.get("macros") or {})
        for name, table in (("UNIT", self.units), ("PERIOD", self.periods),
                            ("YEARWORD", self.year_words), ("MONTHWORD", self.month_words),
                            ("QUARTERWORD", self.quarter_words)):
            macros.setdefault(name, _alternation(table))
        self.macros = macros
        self._expanded: dict[str, str] = {}

        def top(key: str, where: str) -> re.Pattern | None:
            pattern = cfg.get(key)
            return self.compile(pattern, where) if pattern else None

        self.self_anchor = top("self_anchor_pattern", "self_anchor_pattern")
        self.self_object = top("self_object_pattern", "self_object_pattern")
        self.anchor_reject = top("anchor_reject_pattern", "anchor_reject_pattern")
        self.anchor_accept = top("anchor_accept_pattern", "anchor_accept_pattern")
        self.clause_anchor = top("clause_anchor_pattern", "clause_anchor_pattern")
        self.workday_rule = top("workday_rule_pattern", "workday_rule_pattern")
        self.clause_anchor_reach = int(cfg.get("clause_anchor_reach", 40))
        self.stage_before = top("stage_before_pattern", "stage_before_pattern")
        self.periodic_report = top("periodic_report_before_pattern", "periodic_report_before_pattern")
        self.one_year_title = top("one_year_title_pattern", "one_year_title_pattern")
        self.window_before_rx = top("window_before_pattern", "window_before_pattern")
        self.window_after_rx = top("window_after_pattern", "window_after_pattern")
        self.window_act_after_rx = top("window_act_after_pattern", "window_act_after_pattern")
        self.window_due_before_rx = top("window_due_before_pattern", "window_due_before_pattern")
        self.date_reject_before = top("date_reject_before_pattern", "date_reject_before_pattern")
        self.date_reject_after = top("date_reject_after_pattern", "date_reject_after_pattern")
        self.cue = top("cue_pattern", "cue_pattern")

        self.rules: list[_Rule] = []
        for i, r in enumerate(cfg.get("rules") or []):
            where = f"rule {r['name']!r}"
            rule = _Rule(r["name"], r["type"], self.compile(r["pattern"], where), i, r)
            rule.words = prefilter.required(rule.rx.pattern)
            if r.get("reject_before_pattern"):
                rule.reject_before.append(self.compile(r["reject_before_pattern"], where))
            if r.get("cue_pattern"):
                rule.cue = self.compile(r["cue_pattern"], where)
            if r.get("trigger_pattern"):
                rule.trigger = self.compile(r["trigger_pattern"], where)
                rule.trigger_context_free = prefilter.context_free(rule.trigger.pattern)
            if r.get("reject_after_pattern"):
                # matched at the end of the match (match(text, e)), where a leading '^'
                # would never match: it is dropped, so '^以上' means what it says
                after = r["reject_after_pattern"]
                rule.reject_after.append(self.compile(after[1:] if after.startswith("^") else after, where))
            if rule.type == "date":
                if self.date_reject_before is not None:
                    rule.reject_before.append(self.date_reject_before)
                if self.date_reject_after is not None:
                    rule.reject_after.append(self.date_reject_after)
            self.rules.append(rule)

    # -- patterns -------------------------------------------------------------------
    def expand(self, pattern: str, where: str = "") -> str:
        return placeholders.expand(pattern, self.macros, f"{RULE_FILE}: {where}", group=True, _done=self._expanded)

    def compile(self, pattern: str, where: str) -> re.Pattern:
        expanded = self.expand(pattern, where)
        try:
            return self.rules_set.regex(expanded)
        except re.error as exc:
            raise RuleError(f"{RULE_FILE}: {where}: invalid regex after filling placeholders: {exc}") from None

    # -- values -----------------------------------------------------------------------
    def year(self, text: str | None) -> int | None:
        """A captured year; a Republic of China year (民国113年, or 113年 before a month) is
        counted from 1912, as Taiwan's documents date everything (113年 = 2024)."""
        n = self.number(text)
        if n is None:
            return None
        n = int(n)
        return n + ROC_OFFSET if n < 200 else n

    def number(self, text: str | None) -> float | int | None:
        """A captured number: ASCII digits, Chinese numerals (cn2an), or an amount word."""
        if text is None:
            return None
        text = text.strip()
        if not text:
            return None
        if text in self.amount_words:
            return _int_if_whole(self.amount_words[text])
        if text.isascii():
            try:
                return _int_if_whole(float(text))
            except ValueError:
                return None
        if len(text) >= 2 and (year := placeholders.cn_digits(text)) is not None:     # 二〇二一 (a year)
            return year
        return _cn_number(text)

    def unit(self, text: str | None) -> str | None:
        if text is None:
            return None
        if text in self.units:
            return self.units[text]
        return self.units.get(text.lstrip("个"))


def _cn_number(text: str):
    """Chinese numerals (二十, 两, 十五, 三十), on a captured number only."""
    return _int_if_whole(placeholders.cn_number(text, "smart"))


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


def _int_if_whole(x):
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


_PREPARED: dict[int, tuple[weakref.ref, DeadlineRules]] = {}


def prepared(rules: RuleSet) -> DeadlineRules:
    hit = _PREPARED.get(id(rules))
    if hit is not None and hit[0]() is rules:
        return hit[1]
    dr = DeadlineRules(rules)
    _PREPARED[id(rules)] = (weakref.ref(rules), dr)
    return dr


# --------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------
def live_rules(document: str, rules: RuleSet) -> tuple[_Rule, ...]:
    """The rules that can match somewhere in ``document`` (a match view): a rule whose
    trigger word occurs nowhere in the document matches in none of its parts. Computed
    once per document and passed to find_deadlines as ``live``: the same facts, shorter
    loops over the parts (a document uses about half of the rules)."""
    dr = prepared(rules)
    return tuple(r for r in dr.rules if (r.trigger is None or not r.trigger_context_free
                                         or r.trigger.search(document))
                 and prefilter.could_match(r.words, document))


def counts_workdays(document: str, rules: RuleSet) -> bool:
    """The document's own rule that its periods are working days (本办法规定的期限以工作日计算,
    本办法有关期间的规定均为工作日): its N日 limits then count working days."""
    rx = prepared(rules).workday_rule
    return rx is not None and rx.search(document) is not None


def made_for_one_year(title: str | None, rules: RuleSet) -> bool:
    """A rule whose title names one year (2022年…考评办法): its dates are that year's, not yearly."""
    rx = prepared(rules).one_year_title
    return bool(title) and rx is not None and rx.search(match_view(title or "")) is not None


def _as_workdays(fact: Fact, rules: RuleSet) -> Fact:
    """A limit in days read as working days; a resolved date is moved by the same count of them."""
    data = fact.data
    if fact.kind != "deadline" or data.get("unit") != "day" or not isinstance(data.get("amount"), int):
        return fact
    data = dict(data, unit="workday")
    if data.get("resolved"):
        base = dt.date.fromisoformat(data["resolved"]) - dt.timedelta(days=data["amount"])
        resolved, _ = add_workdays(base, data["amount"], rules)
        data["resolved"] = resolved.isoformat() if resolved else None
    return dataclasses.replace(fact, data=data)


def find_deadlines(text: str, rules: RuleSet, doc_date: dt.date | None = None,
                   self_names: frozenset[str] = frozenset(), year_hint: int | None = None,
                   standing: bool = False, live: tuple[_Rule, ...] | None = None,
                   workdays: bool = False) -> list[Fact]:
    """Deadline facts in ``text`` (a match view), sorted by start, non-overlapping.

    ``self_names``: the titles and short names of the document itself, so that
    《实施意见》公布30日内 resolves when 《实施意见》 is this document's own short name.
    ``standing``: the document is a standing rule (条例, 办法, 细则): a month and day
    with no year (六月十五日前) recur every year.
    ``live``: live_rules of the document ``text`` is part of (default: every rule).
    ``workdays``: the document counts its periods in working days (counts_workdays)."""
    if workdays:
        return [_as_workdays(f, rules) for f in find_deadlines(text, rules, doc_date, self_names, year_hint, standing, live)]
    dr = prepared(rules)
    # Without a date, the document's year (title, 发文字号) still places 年底前 / 8月底前;
    # relative deadlines are only resolved from a real date.
    year_date = doc_date or (dt.date(year_hint, 1, 1) if year_hint else None)
    candidates: list[tuple[int, int, int, Fact]] = []
    stripped_start = len(text) - len(text.lstrip())
    stripped_end = len(text.rstrip())
    windows_of: dict[re.Pattern, list[list[int]]] = {}   # rules share triggers (内, 每): scan each once
    for rule in dr.rules if live is None else live:
        if rule.spec.get("whole_text"):
            m = rule.rx.fullmatch(text, stripped_start, stripped_end)
            matches = [m] if m else []
        elif rule.trigger is None:
            matches = rule.rx.finditer(text) if prefilter.could_match(rule.words, text) else ()
        else:
            windows = windows_of.get(rule.trigger)
            if windows is None:
                windows = windows_of[rule.trigger] = _windows(rule.trigger, text, dr.window_before, dr.window_after)
            if not windows:
                continue
            matches = _scan(rule, text, windows)
        for m in matches:
            s, e = m.span("quote") if "quote" in rule.rx.groupindex else m.span()
            if s >= e or _rejected(rule, text, *m.span()):
                continue
            # a stage of the plan names its period (企业自查阶段（2016年4月5日至4月20日）): planned,
            # even when the document was signed after that period began
            # (so is a period in brackets after an item's name: 梳理整改任务清单（9月5日至9月8日）)
            staged = (dr.stage_before is not None and dr.stage_before.search(text, max(0, s - 12), s) is not None) \
                or (text[s - 1:s] == "(" and text[e:e + 1] == ")")
            fact = _interpret(rule, m, dr, doc_date, self_names, year_date, staged)
            if fact is not None and fact is not NARRATIVE and rule.spec.get("anchor_from_clause"):
                fact = _anchored_in_clause(fact, text, m, rule, dr, doc_date, self_names)
            if fact is not None and fact is not NARRATIVE and fact.data.get("type") in ("relative", "duration"):
                fact = _as_window(fact, text, m, dr)
            if fact is not None and fact is not NARRATIVE and fact.data.get("type") == "date" and (
                    standing or (dr.periodic_report is not None
                                 and dr.periodic_report.search(text, max(0, s - 8), s) is not None)):
                # (a yearly report's due day recurs in any document: 年报在次年3月底前)
                fact = _as_yearly(fact, m, rule, dr)
            if fact is not None and fact is not NARRATIVE and fact.data.get("type") == "date":
                fact = _as_monthly(fact, m, rule, dr)
            if fact is not None:
                # NARRATIVE: recognised, but not a deadline; it still hides what it contains
                # (the 12月31日止 inside a past 自…起至…止 period).
                candidates.append((s, e, rule.order, fact))
    return _select(candidates)


def _anchored_in_clause(fact: Fact, text: str, m: re.Match, rule: _Rule, dr: DeadlineRules,
                        doc_date: dt.date | None, self_names: frozenset[str]) -> Fact:
    """A bare "N units 内" whose event is named earlier in the same sentence is relative to
    it: 申请人提交申请后，主管部门5个工作日内未作审查的; 合同签订之日起1个月内缴付50%，其余在90天内付清."""
    if dr.clause_anchor is None:
        return fact
    at = m.start("amount")
    floor = max(0, at - dr.clause_anchor_reach)
    cut = max(text.rfind(c, floor, at) for c in "。;；!?！？\n")
    last = None
    for a in dr.clause_anchor.finditer(text, max(floor, cut + 1), at):
        last = a
    if last is None:
        return fact
    g = _groups(m)
    g["anchor"] = last.group("anchor")
    data = _relative_data(g, rule, dr, doc_date, self_names)
    if data is None:
        return fact
    return Fact(kind="deadline", start=fact.start, end=fact.end, rule=f"{rule.name}:clause_anchor", data=data)


def _as_window(fact: Fact, text: str, m: re.Match, dr: DeadlineRules) -> Fact:
    """An eligibility window or a ban is a threshold (<=), not a deadline:
    事由发生在申请前6个月内的, 自被撤销之日起2年内不得再申请."""
    e = fact.end
    amount_at = m.start("amount")
    # 申请前6个月内 looks back over a span; 会议召开前七日 (no 内) is a point before an event
    before = dr.window_before_rx is not None and text[e - 1:e] == "内" and \
        dr.window_before_rx.search(text, max(0, amount_at - 12), amount_at)
    # 在阶段任务结束前3日内报送总结: an act due in the span before an event is a deadline
    if before and dr.window_act_after_rx is not None and dr.window_act_after_rx.match(text, e, e + 8):
        before = None
    # 应于事实发生日前三十日内，填具申请书…: a span the text says the act is due in (应于) is a deadline
    if before and dr.window_due_before_rx is not None and dr.window_due_before_rx.search(text, max(0, amount_at - 30), amount_at):
        before = None
    after = dr.window_after_rx is not None and dr.window_after_rx.match(text, e, e + 16)
    if not (before or after):
        return fact
    # the quote is the amount, its unit and 内 (the anchor stays context)
    return Fact(kind="threshold", start=m.start("amount"), end=e, rule=f"{fact.rule}:window",
                data={"op": "<=", "value": fact.data["amount"], "unit": m.group("unit"), "subject": None,
                      "window": True})


def _as_yearly(fact: Fact, m: re.Match, rule: _Rule, dr: DeadlineRules) -> Fact:
    """In a standing rule, a date written without a year is a yearly due date."""
    g = _groups(m)
    # (次年3月31日前 in a standing rule: the following year of each year, so every year)
    if g.get("year") or (g.get("rel_year") and g.get("rel_year") not in dr.recurring_year_words) \
            or not g.get("month") or not _window_within_year(g, dr):
        return fact
    return _recurring(fact, g, rule, dr, "year")


def _window_within_year(g: dict[str, str], dr: DeadlineRules) -> bool:
    """A year-less window inside one year (每年五月二十五日至八月一日止: yearly, due on its last
    day); not one with a year of its own, nor one across the year's end (八月一日至當年七月
    三十一日止: a span of eligibility, not a due point)."""
    if not any(k.startswith("from_") for k in g):
        return True
    if g.get("from_year") or g.get("from_ymd_digits") or g.get("rel_year") or not g.get("from_month"):
        return False
    first, last = dr.number(g.get("from_month")), dr.number(g.get("month"))
    try:
        return int(first) <= int(last)
    except (TypeError, ValueError):
        return False


def _as_monthly(fact: Fact, m: re.Match, rule: _Rule, dr: DeadlineRules) -> Fact:
    """A day of "the following month" (次月10日前报送上月情况) recurs every month."""
    g = _groups(m)
    if g.get("rel_month") not in dr.recurring_month_words or g.get("year") or g.get("rel_year") or not g.get("day"):
        return fact
    return _recurring(fact, g, rule, dr, "month")


def _recurring(fact: Fact, g: dict[str, str], rule: _Rule, dr: DeadlineRules, period: str) -> Fact:
    """The date fact as a recurring one of ``period`` (unchanged when its due point is unclear)."""
    by = _recurring_by(g, rule, dr, period)
    if by is None:
        return fact
    tag = {"year": "yearly", "month": "monthly"}[period]
    return Fact(kind="deadline", start=fact.start, end=fact.end, rule=f"{fact.rule}:{tag}",
                data={"type": "recurring", "period": period, "by": by})


def _windows(trigger: re.Pattern, text: str, before: int, after: int) -> list[list[int]]:
    """The stretches of text around a trigger's occurrences (a word every match of the
    rule contains): searching only these gives the same matches, much faster."""
    windows: list[list[int]] = []
    n = len(text)
    for t in trigger.finditer(text):
        s, e = max(0, t.start() - before), min(n, t.end() + after)
        nl = text.find("\n", e, e + after)        # end at a line end when one is near,
        e = nl if nl >= 0 else min(n, e + after)   # so lookaheads see what follows
        if windows and s <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], e)
        else:
            windows.append([s, e])
    return windows


def _scan(rule: _Rule, text: str, windows: list[list[int]]):
    """Matches of a rule inside its trigger's windows."""
    for s, e in windows:
        if prefilter.could_match(rule.words, text, s, e):     # the window lacks a word: no match
            yield from rule.rx.finditer(text, s, e)


def _rejected(rule: _Rule, text: str, s: int, e: int) -> bool:
    if rule.reject_before:
        before = text[max(0, s - _LOOK_BEHIND):s]
        if any(rx.search(before) for rx in rule.reject_before):
            return True
    if rule.reject_after:
        if any(rx.match(text, e, e + _LOOK_AHEAD) for rx in rule.reject_after):
            return True
    return False


def _select(candidates) -> list[Fact]:
    """Longest first (then the rule listed first, then leftmost); drop overlaps."""
    candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
    taken: list[tuple[int, int]] = []
    out: list[Fact] = []
    for s, e, _, fact in candidates:
        if any(s < te and ts < e for ts, te in taken):
            continue
        taken.append((s, e))
        if fact is not NARRATIVE:
            out.append(fact)
    out.sort(key=lambda f: f.start)
    return out


def _groups(m: re.Match) -> dict[str, str]:
    """Named groups that matched; ``x_1``, ``x_2`` … count as ``x``."""
    g: dict[str, str] = {}
    for name, value in m.groupdict().items():
        if value is None:
            continue
        base = _SUFFIX.sub("", name)
        g.setdefault(base, value)
    return g


def _interpret(rule: _Rule, m: re.Match, dr: DeadlineRules, doc_date: dt.date | None,
               self_names: frozenset[str] = frozenset(), year_date: dt.date | None = None,
               staged: bool = False) -> Fact | None:
    g = _groups(m)
    kind = rule.type
    if rule.spec.get("narrative"):
        return NARRATIVE
    if kind == "date":
        data = _date_data(g, rule, dr, year_date or doc_date, m.group(0), issued=None if staged else doc_date)
    elif kind == "relative":
        data = _relative_data(g, rule, dr, doc_date, self_names)
    elif kind == "duration":
        data = _duration_data(g, rule, dr)
    elif kind == "cadence" and g.get("amount"):
        data = _every_data(g, rule, dr)
    else:
        data = _recurring_data(g, rule, dr)
    if data is None:
        return None
    if data is NARRATIVE:
        return NARRATIVE
    for mark in rule.spec.get("marks", ()):
        data[mark] = True
    s, e = m.span("quote") if "quote" in rule.rx.groupindex else m.span()
    if kind == "cadence":
        # how often, not by when: it still takes part in the longest-match choice, so
        # 每月10日前 (a recurring deadline) hides the 每月 inside it
        extra = {"every": data["every"]} if data.get("every") else {}
        return Fact(kind="cadence", start=s, end=e, rule=rule.name, data={"period": data["period"], **extra})
    return Fact(kind="deadline", start=s, end=e, rule=rule.name, data=data)


# -- dates --------------------------------------------------------------------------------
@dataclass
class _When:
    """A point the groups describe, before it becomes a date."""

    year: int | None = None
    year_from: str | None = None          # text | document
    month: int | None = None
    month_known: bool = False             # a month group matched (even when unresolvable)
    day: int | None = None
    quarter: int | None = None
    spec: str | None = None               # end | DD | MM-DD
    recovered: bool = False
    degraded: bool = False                # digits whose split could not be recovered
    skip: bool = False                    # not a date after all (e.g. 12日 is a plain day)


def _read_when(g: dict[str, str], rule: _Rule, dr: DeadlineRules, doc_date: dt.date | None,
               prefix: str = "") -> _When:
    w = _When()
    doc_year = doc_date.year if doc_date else None

    def get(name):
        return g.get(prefix + name)

    # Digits whose 年/月 separators were lost.
    for kind in ("ymd", "ym", "md"):
        digits = get(f"{kind}_digits")
        if digits is None:
            continue
        if kind == "md" and int(digits) <= 31:
            w.skip = True          # 于12日前: a plain day of the month, not lost characters
            return w
        split = recover_digits(digits, kind, doc_year, dr.recover_before, dr.recover_after)
        w.month_known = True
        if split is None:
            w.degraded = True
            return w
        w.recovered = True
        y, mo, d = split
        w.year, w.month, w.day = y, mo, d
        w.year_from = "text" if kind != "md" else "document"

    if w.year is None:
        if get("year"):
            w.year = dr.year(get("year"))
            w.year_from = "text"
        elif get("rel_year"):
            offset = dr.year_words.get(get("rel_year"), 0)
            w.year = doc_year + offset if doc_year else None
            w.year_from = "document"
        elif doc_year:
            w.year = doc_year
            w.year_from = "document"
    if get("month"):
        w.month = dr.number(get("month"))
        w.month_known = True
    elif get("rel_month"):
        w.month_known = True
        if doc_date:
            base = doc_date.year * 12 + doc_date.month - 1 + dr.month_words.get(get("rel_month"), 0)
            w.month = base % 12 + 1
            if not get("year") and not get("rel_year"):
                w.year = base // 12
                w.year_from = "document"
    if get("day") and w.day is None:
        w.day = dr.number(get("day"))
    if w.month is None and w.day is not None and rule.spec.get("month_of_document") and doc_date:
        # 要在24日前 in a notice dated 2月22日: the next 24th, of this month or the next
        base = doc_date.year * 12 + doc_date.month - 1 + (1 if int(w.day) < doc_date.day else 0)
        w.year, w.month, w.month_known, w.year_from = base // 12, base % 12 + 1, True, "document"
    if get("quarter"):
        w.quarter = dr.number(get("quarter"))
    elif get("rel_quarter"):
        if doc_date:
            base = doc_date.year * 4 + (doc_date.month - 1) // 3 + dr.quarter_words.get(get("rel_quarter"), 0)
            w.quarter = base % 4 + 1
            if not get("year") and not get("rel_year"):
                w.year = base // 4
                w.year_from = "document"
        else:
            w.quarter = None
            w.year = None
    part = get("part")
    if part is not None:
        w.spec = dr.parts.get(part)
    return w


def recover_digits(digits: str, kind: str, doc_year: int | None,
                   years_before: int = 1, years_after: int = 1) -> tuple[int, int, int | None] | None:
    """Split digits whose 年/月 were lost: ``ymd`` 2020610 → (2020, 6, 10), ``ym`` 20196 →
    (2019, 6, None), ``md`` 75 → (doc_year, 7, 5). None unless exactly one split is a valid
    date and the year lies within [doc_year - years_before, doc_year + years_after]."""
    if doc_year is None or not digits.isdigit():
        return None
    if kind in ("ymd", "ym"):
        year, rest = int(digits[:4]), digits[4:]
        if not (doc_year - years_before <= year <= doc_year + years_after):
            return None
    else:
        year, rest = doc_year, digits
    if kind == "ym":
        month = int(rest) if rest else 0
        return (year, month, None) if 1 <= month <= 12 and not rest.startswith("00") else None
    found = []
    for i in range(1, len(rest)):
        ms, ds = rest[:i], rest[i:]
        # at most MM and DD; a month written 0M only in a full MMDD (0610)
        if len(ms) > 2 or len(ds) > 2 or (ms[0] == "0" and len(rest) != 4):
            continue
        mo, d = int(ms), int(ds)
        if 1 <= mo <= 12 and 1 <= d <= _cal.monthrange(year, mo)[1]:
            found.append((year, mo, d))
    return found[0] if len(found) == 1 else None


def _resolve_when(w: _When, level: str | None = None, position: str | None = None) -> dt.date | None:
    """The last day the point stands for: 8月底 → 08-31, 三季度 → 09-30, 年底 → 12-31."""
    if w.skip or w.degraded or w.year is None:
        return None
    if level is None:
        level = "month" if w.month_known else "quarter" if w.quarter else "year"
    if level == "month" and w.month is None:
        return None
    spec = w.spec or position
    y = int(w.year)
    try:
        if w.day is not None and w.month is not None:
            return dt.date(y, int(w.month), int(w.day))
        if spec and "-" in spec:
            mo, d = (int(x) for x in spec.split("-"))
            return dt.date(y, mo, d)
        if level == "month":
            mo = int(w.month)
            last = _cal.monthrange(y, mo)[1]
            if spec and spec != "end":
                return dt.date(y, mo, min(int(spec), last))
            return dt.date(y, mo, last)
        if level == "quarter" and w.quarter:
            mo = int(w.quarter) * 3
            return dt.date(y, mo, _cal.monthrange(y, mo)[1])
        if level == "quarter":
            return None
        return dt.date(y, 12, 31)
    except (ValueError, TypeError):
        return None


_PART_FIRST_DAY = {"上旬": 1, "中旬": 11, "下旬": 21}      # where a range starting in a part of a month begins


def _date_data(g, rule, dr, doc_date, matched: str = "", issued: dt.date | None = None) -> dict | None:
    """``doc_date`` places year-less dates (the 成文日期, else Jan 1 of the document's
    year); ``issued`` is the 成文日期 alone: only a real date makes an earlier date past."""
    if g.get("festival"):
        return _festival_data(g, dr, doc_date)
    if rule.spec.get("month_of_document") and issued is None:
        return None          # a day with no month needs the notice's own date
    w = _read_when(g, rule, dr, issued if rule.spec.get("month_of_document") else doc_date)
    if w.skip:
        return None
    level, position = rule.spec.get("level"), rule.spec.get("position")
    has_from = any(k.startswith("from_") for k in g)
    start = None
    if has_from:
        f = _read_when(g, rule, dr, doc_date, prefix="from_")
        if f.skip:
            return None
        w.recovered = w.recovered or f.recovered
        # The end takes the start's year when it states none (2020年6月10日至年底), the
        # next one when it comes round the year (2021年11月至3月).
        if w.year_from != "text" and f.year is not None:
            w.year, w.year_from = f.year, f.year_from
            if f.month and w.month and w.month < f.month:
                w.year += 1
        if w.month is None and g.get("day") and f.month:     # 2月19日至22日: the end's month is the start's
            w.month, w.month_known = f.month, True
        if f.year is not None and f.month and not f.degraded:
            try:
                start = dt.date(int(f.year), int(f.month), int(f.day or _PART_FIRST_DAY.get(g.get("from_part") or "", 1)))
            except ValueError:
                start = None
    date = _resolve_when(w, level, position)
    if date is not None and doc_date is not None:
        # A month or day stated without a year, long before the document's date, is
        # next year's (a December plan's 3月底前 is next March).
        if (dr.roll_forward is not None and w.year_from == "document" and not g.get("rel_year")
                and not w.recovered and (doc_date - date).days > dr.roll_forward):
            w.year += 1
            date = _resolve_when(w, level, position)
        # A weak expression (no 前/内 cue) before the document's date is narrative.
        cue = rule.cue or dr.cue
        if (rule.spec.get("future_only") and date is not None and issued is not None and date < issued
                and not (cue is not None and cue.search(matched))):
            return NARRATIVE
    data: dict[str, Any] = {
        "type": "date",
        "date": date.isoformat() if date else None,
        "recovered": bool(w.recovered and date is not None),
        "year_from": w.year_from if date else None,
    }
    if has_from:
        data["from"] = start.isoformat() if start else None
    return data


def _festival_data(g, dr, doc_date) -> dict | None:
    """春节前, 2022年元宵节前: the festival's day, in the year stated, else the
    first such festival on or after the document's date (a December notice's 春节前 is
    next year's)."""
    name = g["festival"]
    if g.get("year"):
        year, year_from = dr.year(g["year"]), "text"
    elif doc_date is not None:
        year, year_from = doc_date.year, "document"
        day = festival_day(name, year, dr.rules_set)
        if day is not None and day < doc_date:
            year += 1
    else:
        return {"type": "date", "date": None, "recovered": False, "year_from": None}
    # the festival day itself, as 9月30日前 is 9月30日 (by that day)
    day = festival_day(name, int(year), dr.rules_set) if year else None
    return {"type": "date", "date": day.isoformat() if day else None, "recovered": False,
            "year_from": year_from if day else None}


# -- relative and duration ------------------------------------------------------------------
def _amount_unit(g, rule, dr):
    amount = dr.number(g.get("amount"))
    unit = dr.unit(g.get("unit")) or rule.spec.get("unit")
    return amount, unit


def _relative_data(g, rule, dr, doc_date, self_names=frozenset()) -> dict | None:
    amount, unit = _amount_unit(g, rule, dr)
    if amount is None or unit is None:
        return None
    anchor = g.get("anchor")
    if (anchor and dr.anchor_reject is not None and dr.anchor_reject.search(anchor)
            and not (dr.anchor_accept is not None and dr.anchor_accept.search(anchor))):
        return None
    base = None
    if g.get("year") and g.get("month") and g.get("day"):       # 自2021年7月1日起30日内
        try:
            year = dr.year(g["year"])
            base = dt.date(year, int(dr.number(g["month"])), int(dr.number(g["day"]))) if year else None
        except (TypeError, ValueError):
            base = None
    elif doc_date is not None and _is_self_anchor(anchor, g.get("object"), dr, self_names):
        base = doc_date
    resolved, approximate = (None, False)
    if base is not None:
        resolved, approximate = add_period(base, amount, unit, dr.rules_set)
    return {
        "type": "relative",
        "amount": amount,
        "unit": unit,
        "anchor": anchor,
        "resolved": resolved.isoformat() if resolved else None,
        "approximate": approximate,
    }


def _is_self_anchor(anchor: str | None, obj: str | None, dr: DeadlineRules,
                    self_names: frozenset[str] = frozenset()) -> bool:
    if not anchor or dr.self_anchor is None or not dr.self_anchor.fullmatch(anchor):
        return False
    if obj and obj.strip("《》") in self_names:
        return True
    if obj and (dr.self_object is None or not dr.self_object.fullmatch(obj)):
        return False
    return True


def add_period(base: dt.date, amount, unit: str, rules: RuleSet | None) -> tuple[dt.date | None, bool]:
    """``base`` + amount units: working days with the holiday calendar, calendar days,
    weeks, months and years with month-end clamping. Hours and fractions: None."""
    if not isinstance(amount, int) or amount < 0:
        return None, False
    if unit == "workday":
        return add_workdays(base, amount, rules)
    try:
        if unit == "day":
            return base + dt.timedelta(days=amount), False
        if unit == "week":
            return base + dt.timedelta(weeks=amount), False
    except OverflowError:          # past 9999-12-31: no date to give
        return None, False
    if unit in ("month", "year"):
        months = amount * (12 if unit == "year" else 1)
        idx = base.year * 12 + base.month - 1 + months
        y, mo = divmod(idx, 12)
        mo += 1
        if y > dt.MAXYEAR:
            return None, False
        return dt.date(y, mo, min(base.day, _cal.monthrange(y, mo)[1])), False
    return None, False


def _duration_data(g, rule, dr) -> dict | None:
    amount, unit = _amount_unit(g, rule, dr)
    if amount is None or unit is None:
        return None
    return {"type": "duration", "amount": amount, "unit": unit}


# -- recurring ------------------------------------------------------------------------------
_EVERY_PERIOD = {"year": "year", "month": "month", "week": "week", "day": "day"}


def _every_data(g, rule, dr) -> dict | None:
    """每3年轮换一次: every N units (a cadence with a count)."""
    amount, unit = _amount_unit(g, rule, dr)
    period = _EVERY_PERIOD.get(unit or "")
    if period is None or not isinstance(amount, int) or amount < 1:
        return None
    return {"type": "cadence", "period": period, "every": amount}
def _recurring_data(g, rule, dr) -> dict | None:
    period = dr.periods.get(g.get("period", ""), None) or rule.spec.get("period")
    if period is None:
        return None
    data: dict[str, Any] = {"type": "recurring", "period": period}
    by = _recurring_by(g, rule, dr, period)
    if by:
        data["by"] = by
    return data


def _recurring_by(g, rule, dr, period) -> str | None:
    """MM-DD for a yearly day (每年3月31日前 → 03-31), DD for a monthly one (每月10日前 → 10)."""
    spec = dr.parts.get(g["part"]) if g.get("part") else rule.spec.get("position")
    month = dr.number(g.get("month"))
    day = dr.number(g.get("day"))
    ref_year = 2001                      # not a leap year: 每年2月底 → 02-28
    try:
        if month is not None:
            month = int(month)
            last = _cal.monthrange(ref_year, month)[1]
            if day is not None:
                dt.date(2000, month, int(day))     # validates (2000 is leap: 02-29 allowed)
                return f"{month:02d}-{int(day):02d}"
            if spec == "end" or spec is None:
                return f"{month:02d}-{last:02d}"
            if spec.isdigit():
                return f"{month:02d}-{min(int(spec), last):02d}"
            return None
        if period == "month":
            if day is not None and 1 <= int(day) <= 31:
                return f"{int(day):02d}"
            if spec and spec.isdigit():
                return f"{int(spec):02d}"
            return None
        if period == "year" and spec:
            if spec == "end":
                return "12-31"
            if "-" in spec:
                mo, d = (int(x) for x in spec.split("-"))
                return f"{mo:02d}-{d:02d}"
    except (ValueError, TypeError):
        return None
    return None
