"""Numeric thresholds and stated targets (rules: rules/thresholds.yml).

A threshold is a number with a unit bounded by a comparator: written before the
number (不少于30日, 不得低于95%, 至少听取1次), after it (3人以上, 5%以内), or both
(达到90%以上, 控制在5%以内); a range (3-5个工作日) gives op ``between``. A stated
target (选择10个乡镇, 建成5个示范点) gives op ``==`` and needs a verb of choosing or
building, or an activity verb in a sentence that states a plan or an obligation; a
count in a report of the past (全年共发出微博7300条) is no target.

Not thresholds: a time limit after an event with 以内/之内 and no comparator before it
(15个工作日以内 is a deadline, left to the deadline extractor), dates, document
numbers, ordinals (第十四个五年规划), 以上内容 / 以下简称 (no number), a count with no
comparator (1次).

Every word list (comparators, units, hedges, verbs) is data in the rules file; the
code only assembles them into the named patterns of ``rules:``.
"""
from __future__ import annotations

import bisect
import re
from typing import Any

from .. import prefilter
from ..model import Fact
from ..rules import RuleSet, register_schema, rule_list_schema
from . import placeholders

_STR = {"type": "string"}
_STR_LIST = {"type": "array", "items": _STR}
_OPS = [">=", "<=", ">", "<", "=="]
_WORD_OP = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["word", "op"],
        "properties": {
            "word": {"type": "string", "minLength": 1},
            "op": {"enum": _OPS},
            "class": {"enum": ["plain", "adverb", "weak", "only"]},
            "deadline_if_time": {"type": "boolean"},
            "not_followed_by": _STR,
        },
    },
}
_UNITS = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["word"],
        "properties": {"word": {"type": "string", "minLength": 1}, "unit": _STR, "time": {"type": "boolean"},
                       "not_followed_by": _STR},
    },
}
_PERIODS = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["pattern", "period"],
        "properties": {
            "pattern": _STR,
            "period": {"enum": ["year", "half_year", "quarter", "month", "week", "day", "regular"]},
        },
    },
}

register_schema(
    "thresholds.yml",
    rule_list_schema(
        {
            "pattern": _STR,
            "op": {"enum": ["comparator", "between", *_OPS]},
            "reject_past": {"type": "boolean"},
            "reject_statistic": {"type": "boolean"},
            "require_forward": {"type": "boolean"},
            "count_units_only": {"type": "boolean"},
            "list_items": {"type": "boolean"},
            "unit_optional": {"type": "boolean"},
            "exclude_units": _STR_LIST,
        },
        required=("name", "pattern", "op"),
        top={
            "number_pattern": _STR,
            "target_number_pattern": _STR,
            "calendar_year_pattern": _STR,
            "date_context_pattern": _STR,
            "range_pattern": _STR,
            "comparators_before": _WORD_OP,
            "negated_comparator_pattern": _STR,
            "negatable_comparators": _WORD_OP,
            "comparators_after": _WORD_OP,
            "comparator_definitions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["pattern", "word", "op"],
                    "properties": {"pattern": _STR, "word": _STR, "op": {"enum": _OPS}},
                },
            },
            "inclusion_note_pattern": _STR,
            "exclusive_note_pattern": _STR,
            "approx_pattern": _STR,
            "exclusions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "pattern"],
                    "properties": {"name": _STR, "pattern": _STR, "contained_only": {"type": "boolean"}},
                },
            },
            "statistic_pattern": _STR,
            "unit_multipliers": _STR_LIST,
            "unit_not_followed_by": _STR,
            "units": _UNITS,
            "subject_boundary_pattern": _STR,
            "period_boundary_pattern": _STR,
            "subject_max_chars": {"type": "integer", "minimum": 1},
            "subject_strip_pattern": _STR,
            "object_stop_pattern": _STR,
            "hedges": _STR_LIST,
            "hedge_protected": _STR_LIST,
            "subject_lead_ins": _STR_LIST,
            "periods": _PERIODS,
            "target_verbs": _STR_LIST,
            "activity_verbs": _STR_LIST,
            "change_verbs": _STR_LIST,
            "decrease_verbs": _STR_LIST,
            "target_gap_chars": _STR,
            "target_gap_max": {"type": "integer", "minimum": 0},
            "normative_comparators": _STR_LIST,
            "target_list_pattern": _STR,
            "forward_pattern": _STR,
            "past_pattern": _STR,
            "deadline_note_pattern": _STR,
            "currency_pattern": _STR,
            "time_limit_subject_pattern": _STR,
            "unit_continuation_pattern": _STR,
        },
    ),
)

_SENTENCE_END = re.compile(r"[。!?;\n]")
_EDGE_JUNK = " \t\u3000\"'“”‘’《》<>()[]〔〕【】「」"


def _alt(words) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _word_alt(entries: list[dict]) -> str:
    """Words of rule entries (units, comparators) as one alternation, longest first. A word
    does not run on into what its entry's ``not_followed_by`` names (最低 of 最低生活保障标准 is
    part of a name; 3A级景区 is a grade, not 3 amperes), nor a word ending in a Latin letter
    into a longer Latin word (30mA, not the m of 30mAh)."""
    parts = []
    for c in sorted({c["word"]: c for c in entries}.values(), key=lambda c: len(c["word"]), reverse=True):
        stops = [x for x in (r"[A-Za-z]" if re.search(r"[A-Za-z]$", c["word"]) else None,
                             c.get("not_followed_by")) if x]
        parts.append(re.escape(c["word"]) + (f"(?!{'|'.join(stops)})" if stops else ""))
    return "|".join(parts)


_PAIRS = {")": "(", "]": "[", "〕": "〔", "】": "【", "》": "《", ">": "<", "」": "「", "”": "“"}


def _closes(text: str, s: int, e: int) -> bool:
    """text[e-1] is a closing bracket whose opening bracket lies in text[s:e-1]."""
    opener = _PAIRS.get(text[e - 1])
    return bool(opener) and text.count(opener, s, e - 1) >= text.count(text[e - 1], s, e)


def _num(value: float) -> int | float:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _cn_number(s: str) -> float | None:
    if s in ("半",):
        return 0.5
    if s[:1] in "百千万亿":
        s = "一" + s
    return placeholders.cn_number(s, "normal")


def parse_number(s: str) -> tuple[int | float | None, str | None, bool]:
    """Read a captured numeral: (value, implied unit, is_fraction).

    ``百分之九十`` → (90, '%', False); ``三分之二`` → (0.6667, None, True);
    ``1,000`` → (1000, None, False); Chinese numerals go through cn2an.
    """
    s = s.strip()
    if s.startswith("百分之"):
        v = _cn_number(s[3:])
        return (None if v is None else _num(v)), "%", False
    if "分之" in s:
        den, _, nom = s.partition("分之")
        d, n = _cn_number(den), _cn_number(nom)
        if not d or n is None:
            return None, None, True
        return _num(round(n / d, 4)), None, True
    if "/" in s:
        a, _, b = s.partition("/")
        if not int(b):
            return None, None, True
        return _num(round(int(a) / int(b), 4)), None, True
    if s[:1].isdigit():
        return _num(float(s.replace(",", ""))), None, False
    if all(c in "百千万亿" for c in s):
        return None, None, False  # 百人计划, 千企: a bare 百/千/万 is a name, not a count
    v = _cn_number(s)
    return (None if v is None else _num(v)), None, False


class ThresholdMatcher:
    """Everything the threshold rules need, compiled once per rules file."""

    def __init__(self, cfg: dict[str, Any], act_time: str | None = None):
        self.cfg = cfg
        self.before: dict[str, dict] = {c["word"]: c for c in cfg["comparators_before"]}
        self.negatable: dict[str, dict] = {c["word"]: c for c in cfg.get("negatable_comparators", [])}
        self.after: dict[str, dict] = {c["word"]: c for c in cfg["comparators_after"]}
        self.neg_rx = re.compile(f"^(?:{cfg['negated_comparator_pattern']})") if cfg.get("negated_comparator_pattern") else None
        self.units: dict[str, dict] = {u["word"]: u for u in cfg["units"]}
        self.multipliers = cfg.get("unit_multipliers", [])
        self.decrease = set(cfg.get("decrease_verbs", []))
        verbs = cfg.get("target_verbs", []) + cfg.get("activity_verbs", []) + cfg.get("change_verbs", [])
        self.verb_rx = re.compile(_alt(verbs) or "(?!)")

        by_class: dict[str, list[str]] = {}
        for w, c in self.before.items():
            by_class.setdefault(c.get("class", "plain"), []).append(w)
        cmp_before = _word_alt([c for c in self.before.values() if c.get("class") != "only"])
        normative = _alt(cfg.get("normative_comparators", []))
        if self.neg_rx and self.negatable:
            neg = f"(?:{cfg['negated_comparator_pattern']})(?:{_alt(self.negatable)})"
            cmp_before = f"{neg}|{cmp_before}"
            normative = f"{neg}|{normative}" if normative else neg
        verbs_alt = _alt(cfg.get("target_verbs", []) + cfg.get("activity_verbs", []) + cfg.get("change_verbs", [])) or "(?!)"
        unit = f"(?:{_word_alt(cfg['units'])})"
        if self.multipliers:
            unit = f"(?:{_alt(self.multipliers)})?{unit}"
        if cfg.get("unit_not_followed_by"):
            unit = f"{unit}(?!{cfg['unit_not_followed_by']})"
        self.parts = {
            "NUM": f"(?:{cfg['number_pattern']})",
            "NUM_TARGET": f"(?:{cfg.get('target_number_pattern') or cfg['number_pattern']})",
            "UNIT": unit,
            "CMP_BEFORE": f"(?:{cmp_before})",
            "CMP_ADVERB": f"(?:{_alt(by_class.get('adverb', [])) or '(?!)'})",
            "CMP_NORMATIVE": f"(?:{normative or '(?!)'})",
            "CMP_ONLY": f"(?:{_alt(by_class.get('only', [])) or '(?!)'})",
            "NOTE": f"(?:[ \\t]*(?P<note>{cfg.get('inclusion_note_pattern') or '(?!)'})[ \\t]*)?",
            "APPROX": f"(?:{cfg.get('approx_pattern') or '(?!)'})",
            "CURRENCY": f"(?:{cfg.get('currency_pattern') or '(?!)'})",
            "CMP_AFTER": f"(?:{_alt(self.after)})",
            "RANGE": f"(?:{cfg.get('range_pattern', '-')})",
            "TARGET_VERB": f"(?:{_alt(cfg.get('target_verbs', [])) or '(?!)'})",
            "ACTIVITY_VERB": f"(?:{_alt(cfg.get('activity_verbs', [])) or '(?!)'})",
            "CHANGE_VERB": f"(?:{_alt(cfg.get('change_verbs', [])) or '(?!)'})",
            "GAP": f"(?P<gap>(?:(?!{verbs_alt}){cfg.get('target_gap_chars', '(?!)')}){{0,{cfg.get('target_gap_max', 8)}}}?)",
            "SP": r"[ \t\u3000]*",
        }
        self.rules = [(r, re.compile(self.expand(r["pattern"]))) for r in cfg["rules"]]
        # words every match of a rule contains (pipeline/prefilter.py): a text without them is not scanned
        self.words = [prefilter.required(rx.pattern) for _, rx in self.rules]
        self.list_rx = re.compile(
            f"(?:{cfg.get('target_list_pattern', '(?!)')})(?P<num>(?<![\\d.])\\d+\\.\\d+|{self.parts['NUM_TARGET']}){self.parts['SP']}(?P<unit>{unit})")
        self.year_rx = re.compile(cfg.get("calendar_year_pattern", r"^(?:19|20)\d{2}$"))
        self.date_rx = re.compile(cfg["date_context_pattern"]) if cfg.get("date_context_pattern") else None
        self.subject_boundary = re.compile(cfg.get("subject_boundary_pattern", r"[,;。:!?、\n]"))
        self.period_boundary = re.compile(cfg.get("period_boundary_pattern", r"[,;。:!?\n]"))
        self.subject_max = cfg.get("subject_max_chars", 30)
        self.subject_strip = re.compile(cfg["subject_strip_pattern"]) if cfg.get("subject_strip_pattern") else None
        self.object_stop = re.compile(cfg["object_stop_pattern"]) if cfg.get("object_stop_pattern") else None
        self.hedges = sorted(cfg.get("hedges", []), key=len, reverse=True)
        self.protected = set(cfg.get("hedge_protected", []))
        self.lead_ins = sorted(cfg.get("subject_lead_ins", []), key=len, reverse=True)
        self.periods = [(re.compile(p["pattern"]), p["period"]) for p in cfg.get("periods", [])]
        self.forward = re.compile(cfg["forward_pattern"]) if cfg.get("forward_pattern") else None
        self.past = re.compile(cfg["past_pattern"]) if cfg.get("past_pattern") else None
        self.statistic = re.compile(cfg["statistic_pattern"]) if cfg.get("statistic_pattern") else None
        self.exclusive_note = re.compile(cfg.get("exclusive_note_pattern") or "(?!)")
        self.definitions = [(re.compile(d["pattern"]), d["word"], d["op"]) for d in cfg.get("comparator_definitions", [])]
        # contained_only: the exclusion drops only facts that end inside it (由70%提高至100% keeps
        # the new value; 最低工资标准由现行的1150元 ends on the value being replaced)
        self.exclusions = [(re.compile(x["pattern"]), bool(x.get("contained_only"))) for x in cfg.get("exclusions", [])]
        self.deadline_note = re.compile(cfg["deadline_note_pattern"]) if cfg.get("deadline_note_pattern") else None
        # {ACT_TIME}: the acts whose time is a deadline, one list in deadlines.yml (time_limit_set)
        tl = cfg.get("time_limit_subject_pattern")
        self.time_limit = (re.compile(tl.replace("{ACT_TIME}", act_time))
                           if tl and ("{ACT_TIME}" not in tl or act_time) else None)
        self.unit_more = re.compile(cfg["unit_continuation_pattern"]) if cfg.get("unit_continuation_pattern") else None

    def expand(self, pattern: str) -> str:
        return placeholders.expand(pattern, self.parts, f"thresholds.yml: {pattern!r}")

    # -- pieces ------------------------------------------------------------------
    def before_op(self, word: str) -> tuple[str, str]:
        """(op, class) of a comparator written before the number."""
        if word in self.before:
            c = self.before[word]
            return c["op"], c.get("class", "plain")
        if self.neg_rx:
            m = self.neg_rx.match(word)
            if m and word[m.end():] in self.negatable:
                return self.negatable[word[m.end():]]["op"], "plain"
        raise KeyError(word)

    def rescale(self, low: str, high: str) -> float | None:
        """How many of ``low`` one ``high`` is when they differ only by a multiplier
        (unit_multipliers: 元 and 万元 → 10000); None for units of different kinds."""
        def split(u: str) -> tuple[int, str]:
            m = next((x for x in self.multipliers if u.startswith(x) and len(u) > len(x)), "")
            return _MULTIPLIER_VALUE.get(m, 0) if m else 1, u[len(m):]
        (a, base_a), (b, base_b) = split(low), split(high)
        if base_a != base_b or not a or not b:
            return None
        return b // a if b % a == 0 else b / a

    def unit_info(self, written: str) -> tuple[str, bool]:
        """(unit for the record, is a duration) of a unit as written (万元 → 万元)."""
        if written not in self.units and written.endswith(")") and "(" in written:
            base, alt = written[:-1].split("(", 1)  # 头(只): a unit with its alternative, kept as written
            return self.unit_info(base)[0] + "（" + alt + "）", False
        if written not in self.units and "/" in written:
            base, per = written.split("/", 1)     # 万平方米/年: a quantity per a period or a head
            if base:
                return self.unit_info(base)[0] + "/" + per, False
        mult = ""
        for m in self.multipliers:
            if written.startswith(m) and written[len(m):] in self.units:
                mult, written = m, written[len(m):]
                break
        u = self.units[written]
        return mult + u.get("unit", written), bool(u.get("time")) and not mult

    def is_calendar_year(self, num: str, unit_written: str | None) -> bool:
        return unit_written == "年" and bool(self.year_rx.match(num))

    def in_date(self, text: str, pos: int) -> bool:
        return bool(self.date_rx and self.date_rx.search(text, max(0, pos - 4), pos))

    def clause_start(self, text: str, pos: int, boundary: re.Pattern) -> int:
        start = max(0, pos - 200)
        last = start
        for m in boundary.finditer(text, start, pos):
            last = m.end()
        return last

    def sentence(self, text: str, start: int, end: int) -> tuple[int, int]:
        s = self.clause_start(text, start, _SENTENCE_END)
        m = _SENTENCE_END.search(text, end, min(len(text), end + 200))
        return s, (m.start() if m else min(len(text), end + 200))

    def trim_subject(self, text: str, s: int, e: int) -> tuple[int, int]:
        """Narrow [s, e) to the subject: drop lead-ins, heading numbers and hedges."""
        changed = True
        while changed and s < e:
            changed = False
            while s < e and text[s] in _EDGE_JUNK:
                s += 1
                changed = True
            while e > s and text[e - 1] in _EDGE_JUNK and not _closes(text, s, e):
                e -= 1
                changed = True
            if self.subject_strip:
                m = self.subject_strip.match(text, s, e)
                if m and m.end() > s:
                    s = m.end()
                    changed = True
            for w in self.lead_ins:
                if text.startswith(w, s) and e - s > len(w):
                    s += len(w)
                    changed = True
                    break
            for h in self.hedges:
                if e - s >= len(h) and text[e - len(h):e] == h:
                    if len(h) == 1 and text[max(s, e - 2):e] in self.protected:
                        continue
                    e -= len(h)
                    changed = True
                    break
        if e - s > self.subject_max:
            s = e - self.subject_max
        return s, e

    def object_after(self, text: str, pos: int) -> tuple[int, int]:
        """The counted thing right after a target's unit: 10个[乡镇(街道)]、…"""
        m = self.subject_boundary.search(text, pos, min(len(text), pos + 40))
        e = m.start() if m else min(len(text), pos + 40)
        if self.object_stop:
            stop = self.object_stop.search(text, pos, e)
            if stop:
                e = stop.start()
        e = min(e, pos + 15)
        return self.trim_subject(text, pos, e)

    def period(self, text: str, start: int, end: int) -> str | None:
        cs = self.clause_start(text, start, self.period_boundary)
        window = text[cs:end]
        for rx, period in self.periods:
            if rx.search(window):
                return period
        return None

    # -- matching ----------------------------------------------------------------
    def after_ops(self, document: str) -> dict[str, str]:
        """Ops of the after-comparators, with the document's own definitions applied."""
        ops = {w: c["op"] for w, c in self.after.items()}
        for rx, word, op in self.definitions:
            if word in ops and rx.search(document):
                ops[word] = op
        return ops

    def excluded(self, text: str) -> list[tuple[int, int, bool]]:
        spans = []
        for rx, contained_only in self.exclusions:
            spans += [(*m.span(), contained_only) for m in rx.finditer(text)]
        return spans

    def candidates(self, text: str, after_ops: dict[str, str], live: tuple[int, ...] | None = None):
        for order in range(len(self.rules)) if live is None else live:
            rule, rx = self.rules[order]
            words = self.words[order]
            if words and not prefilter.could_match(words, text):
                continue
            for m in rx.finditer(text):
                for fact in self.build(text, rule, m, after_ops):
                    yield order, fact

    def build(self, text: str, rule: dict, m: re.Match, after_ops: dict[str, str]) -> list[Fact]:
        g = m.groupdict()
        value, implied, fraction = parse_number(g["num"])
        if value is None:
            return []
        unit_written = g.get("unit")
        if unit_written and g["num"][-1:] in ("万", "亿") and len(g["num"]) > 1 and not g["num"][:1].isdigit() \
                and unit_written[:1] not in ("万", "亿"):
            # 一万元 / 二十万元 read like 1万元 / 20万元: the multiplier stays with the unit
            small, _, _ = parse_number(g["num"][:-1])
            if small is not None:
                value, unit_written = small, g["num"][-1] + unit_written
        if unit_written:
            unit, is_time = self.unit_info(unit_written)
        elif implied:
            unit, is_time = implied, False
        elif fraction or rule.get("unit_optional"):
            unit, is_time = None, False
        else:
            return []
        num_start = m.start("num")
        if self.is_calendar_year(g["num"], unit_written) or self.in_date(text, num_start):
            return []
        end = m.end()
        if unit_written and self.unit_more and m.end("unit") == end:
            # a unit is kept whole: 元/人/日, 3个月最低生活保障标准 (a multiple, not a time)
            more = self.unit_more.match(text, end)
            if more and more.end() > end:
                unit, is_time, end = unit + more.group(0), False, more.end()
        if is_time and self.deadline_note and self.deadline_note.match(text, end):
            return []  # 不得超过15天(自审批之日起计算): a time limit counted from an event
        if rule.get("count_units_only") and is_time:
            return []
        if unit in rule.get("exclude_units", ()):
            return []
        gap = g.get("gap") or ""
        if gap and self.verb_rx.search(gap):
            return []  # a second predicate between verb and number: 建设推进情况16条

        pre, post = g.get("pre"), g.get("post")
        op_kind = rule["op"]
        if op_kind == "between":
            value2, _, _ = parse_number(g["num2"])
            if g["num2"][-1:] in ("万", "亿") and len(g["num2"]) > 1 and not g["num2"][:1].isdigit() \
                    and unit and unit[:1] in ("万", "亿"):
                value2, _, _ = parse_number(g["num2"][:-1])
            if value2 is None or self.is_calendar_year(g["num2"], unit_written):
                return []
            if g.get("unit1") and g.get("unit1") != g.get("unit"):
                scale = self.rescale(g["unit1"], g["unit"])
                if scale is None:
                    return []
                # 2000万元以上1亿元以下: the band in the lower bound's unit, [2000, 10000] 万元
                value2, (unit, is_time) = value2 * scale, self.unit_info(g["unit1"])
            if g.get("unit1") and self.is_calendar_year(g["num"], g["unit1"]):
                return []
            op, value = "between", [value, value2]
            if value[0] >= value[1]:
                return []
        elif op_kind == "comparator":
            pre_op, pre_class = self.before_op(pre) if pre else (None, None)
            post_cfg = self.after.get(post) if post else None
            if pre_op and post_cfg:
                op = after_ops[post] if pre_class == "weak" else pre_op
            elif pre_op:
                op = pre_op
            elif post_cfg:
                if post_cfg.get("deadline_if_time") and is_time:
                    return []  # 15个工作日以内: a deadline
                op = after_ops[post]
            else:
                return []
        else:
            op = after_ops[post] if post else op_kind
        note = (g.get("note") or "") + (g.get("note_after") or "") + (g.get("note_num") or "")
        if note and self.exclusive_note.search(note):
            op = {">=": ">", "<=": "<"}.get(op, op)  # 5年(不含)以上, 10亩以下(不含10亩)
        elif note:
            op = {">": ">=", "<": "<="}.get(op, op)  # 超过2次(含2次): the bound itself counts
        if g.get("approx") and (op_kind != "comparator" or pre_class_of(self, pre) == "weak"):
            op = "=="  # 达到85%左右: 左右 states a target, whatever the verb

        start = m.start()
        if is_time and op in ("<=", "<", "==") and self.time_limit is not None \
                and self.time_limit.search(text, max(0, start - 24), start):
            return []   # 办理时限压缩至3个工作日: a time limit, the deadline extractor's
        if rule.get("reject_past") and self.past:
            cs = self.clause_start(text, start, self.period_boundary)
            if self.past.search(text, cs, end):
                return []
        if rule.get("require_forward") and self.forward:
            ss, se = self.sentence(text, start, end)
            if not self.forward.search(text, ss, se):
                return []
        if rule.get("reject_statistic") and self.statistic:
            cs = self.clause_start(text, start, self.period_boundary)
            if self.statistic.search(text, cs, end):
                ss, se = self.sentence(text, start, end)
                if not (self.forward and self.forward.search(text, ss, se)):
                    return []

        data: dict[str, Any] = {"op": op, "value": value, "unit": unit}
        if g.get("approx"):
            data["approximate"] = True
        verb = g.get("verb")
        if verb is not None and op_kind != "comparator":
            if verb in self.decrease or any(verb.startswith(d) for d in self.decrease):
                data["change"] = "decrease"
            elif rule["name"].startswith("change") or verb in (self.cfg.get("change_verbs") or []):
                data["change"] = "increase"
        if op_kind in ("comparator", "between") or "change" in data:
            anchor = m.start("verb") if "change" in data else start
            cs = self.clause_start(text, anchor, self.subject_boundary)
            s, e = self.trim_subject(text, cs, anchor)
        else:  # a target: the counted thing follows the unit
            if gap:
                start = num_start  # quote 10个, not 遴选我市各县区10个
            s, e = self.object_after(text, m.end())
        data["subject"] = text[s:e] if e > s else None
        data["period"] = self.period(text, start, end)
        facts = [Fact("threshold", start, end, rule["name"], data)]

        if rule.get("list_items") and not post:
            pos = end
            while True:
                lm = self.list_rx.match(text, pos)
                if not lm:
                    break
                v, _, _ = parse_number(lm.group("num"))
                u, t = self.unit_info(lm.group("unit"))
                if v is None or (t and rule.get("count_units_only")) or u in rule.get("exclude_units", ()):
                    break
                s2, e2 = self.object_after(text, lm.end())
                facts.append(Fact("threshold", lm.start("num"), lm.end(), rule["name"], {
                    "op": op, "value": v, "unit": u,
                    "subject": text[s2:e2] if e2 > s2 else None,
                    "period": data["period"]}))
                pos = lm.end()
        return facts


_MULTIPLIER_VALUE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def pre_class_of(tm: "ThresholdMatcher", pre: str | None) -> str | None:
    if not pre:
        return None
    try:
        return tm.before_op(pre)[1]
    except KeyError:
        return None


def matcher(rules: RuleSet) -> ThresholdMatcher:
    if rules.get("thresholds.yml") is None:
        raise KeyError("thresholds.yml is not loaded")
    act_time = ((rules.get("deadlines.yml") or {}).get("macros") or {}).get("ACT_TIME")
    return rules.built("thresholds", lambda: ThresholdMatcher(rules.get("thresholds.yml"), act_time))


def document_ops(document: str, rules: RuleSet) -> dict[str, str]:
    """The after-comparators' ops with a document's own definitions (本办法所称以下不包括
    本数) applied: computed once per document and passed to find_thresholds as ``ops``,
    so each part does not search the whole document again."""
    return matcher(rules).after_ops(document)


def live_rules(document: str, rules: RuleSet) -> tuple[int, ...]:
    """The rules that can match somewhere in ``document`` (a match view), computed once
    per document and passed to find_thresholds as ``live``: the same facts, shorter loops
    over the parts (a document uses about a third of the rules). A rule lacking a word it
    needs in the whole document matches in none of its parts. The rules by their order."""
    return tuple(order for order, words in enumerate(matcher(rules).words)
                 if not words or prefilter.could_match(words, document))


def find_thresholds(text: str, rules: RuleSet, document: str | None = None,
                    ops: dict[str, str] | None = None, live: tuple[int, ...] | None = None) -> list[Fact]:
    """Thresholds in ``text`` (a match view: simplified, width-folded), in text order.

    ``document``: the match view of the whole document when ``text`` is a part of it;
    definitions such as 本办法所称以下不包括本数 are looked up there. ``ops``: the same,
    precomputed by document_ops (it takes precedence over ``document``).
    ``live``: live_rules of the document ``text`` is part of (default: every rule).

    Overlapping candidates are resolved longest first, then by rule order.
    ``data``: op, value (number, or [low, high] for between), unit, subject (in the
    script of ``text``), period; when they apply also change (increase | decrease:
    提高5个百分点) and approximate (增长6%左右).
    """
    tm = matcher(rules)
    if ops is None:
        ops = tm.after_ops(text if document is None else document)
    cands = list(tm.candidates(text, ops, live))
    # exclusions only remove candidates: most parts have none, and then no scan is needed
    for s, e, contained_only in tm.excluded(text) if cands else ():
        if contained_only:
            cands = [c for c in cands if not (s < c[1].end <= e)]
        else:
            cands = [c for c in cands if not (c[1].start < e and s < c[1].end)]
    cands.sort(key=lambda c: (-(c[1].end - c[1].start), c[0], c[1].start))
    starts: list[int] = []
    ends: list[int] = []
    out: list[Fact] = []
    for _, f in cands:
        k = bisect.bisect_left(starts, f.start)
        if (k > 0 and ends[k - 1] > f.start) or (k < len(starts) and starts[k] < f.end):
            continue  # overlaps a longer (or earlier-rule) fact
        starts.insert(k, f.start)
        ends.insert(k, f.end)
        out.append(f)
    out.sort(key=lambda f: f.start)
    return out
