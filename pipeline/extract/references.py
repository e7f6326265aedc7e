"""Cited documents: 《…》 titles and 发文字号 (rules: rules/references.yml).

Every 《…》 is a cited title (nested 《…<…>…》 and 《…《…》…》 kept whole). Every document
number is found by the number part (〔2018〕50号, 令第247号, 公告2019年第39号) and the
organ code before it; brackets are normalised to 〔〕, and a number that lost a bracket
(〔20168号) is repaired when the year is four digits followed by the number, with
``recovered: true``. A number right after a title (``《…》(赣府厅字〔2018〕50号)``)
belongs to that title. ``(以下简称《条例》)`` right after an entry records ``alias`` on
it; later 《条例》 mentions resolve to that entry (``via_alias: true``). An alias the
document declares for itself (``本实施意见(以下简称《实施意见》)``) is no reference.

``find_references`` gives one fact per cited document (what the record lists);
``find_reference_mentions`` one per mention. Facts carry offsets into the view;
``title_span`` and ``doc_number_span`` let a caller quote the original script
(``normalize_doc_number`` keeps the script of the string it is given).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

from ..model import Fact
from ..rules import RuleSet, register_schema, rule_list_schema
from . import placeholders

_STR = {"type": "string"}
_STR_LIST = {"type": "array", "items": _STR}

register_schema(
    "references.yml",
    rule_list_schema(
        {
            "pattern": _STR,
            "org": {"enum": ["code", "name"]},
            "normalized": _STR,
            "recovered": {"type": "boolean"},
        },
        required=("name", "pattern", "org", "normalized"),
        top={
            "title_open": {"type": "string", "minLength": 1, "maxLength": 1},
            "title_close": {"type": "string", "minLength": 1, "maxLength": 1},
            "title_inner_pairs": _STR_LIST,
            "title_max_chars": {"type": "integer", "minimum": 1},
            "quoted_title_pattern": _STR,
            "open_brackets": _STR,
            "close_brackets": _STR,
            "year_pattern": _STR,
            "seq_pattern": _STR,
            "org_chars": _STR,
            "org_max_chars": {"type": "integer", "minimum": 1},
            "name_max_chars": {"type": "integer", "minimum": 1},
            "org_cut_words": _STR_LIST,
            "name_cut_words": _STR_LIST,
            "min_org_chars": {"type": "integer", "minimum": 0},
            "attach_gap_pattern": _STR,
            "alias_pattern": _STR,
            "self_alias_pattern": _STR,
            "clause_boundary_pattern": _STR,
            "title_strip_pattern": _STR,
            "self_after_pattern": _STR,
            "self_line_pattern": _STR,
            "own_heading_pattern": _STR,
            "own_history_pattern": _STR,
            "alias_entries": {"type": "boolean"},
            "drop_self_references": {"type": "boolean"},
            "org_ignore_pattern": _STR,
            "org_inner_pattern": _STR,
        },
    ),
)

_SPACE = re.compile(r"\s+")
_BRACKETS = re.compile(r"[《》<>〈〉\s]")
_ALIAS_BEFORE = re.compile(r"\([ \t\u3000]*(?:以下简称|以下称|下称|简称)[ \t\u3000]*(?:为)?[ \t\u3000]*$")


class _Intervals:
    """Non-overlapping half-open intervals; ``add`` refuses one that overlaps."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, s: int, e: int) -> bool:
        k = bisect.bisect_left(self.starts, s)
        if k > 0 and self.ends[k - 1] > s:
            return False
        if k < len(self.starts) and self.starts[k] < e:
            return False
        self.starts.insert(k, s)
        self.ends.insert(k, e)
        return True


def _line_around(text: str, s: int, e: int) -> str:
    """The whole line (or lines) holding text[s:e]."""
    le = text.find("\n", e)
    return text[text.rfind("\n", 0, s) + 1:le if le >= 0 else len(text)]


def _class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


class ReferenceMatcher:
    def __init__(self, cfg: dict[str, Any]):
        self.cfg = cfg
        self.open = cfg.get("title_open", "《")
        self.close = cfg.get("title_close", "》")
        self.max_title = cfg.get("title_max_chars", 150)
        # titles in corner brackets (「政府採購法」), where the script uses them for titles
        self.quoted_title = re.compile(cfg["quoted_title_pattern"]) if cfg.get("quoted_title_pattern") else None
        parts = {
            "OPEN": _class(cfg["open_brackets"]),
            "CLOSE": _class(cfg["close_brackets"]),
            "YEAR": f"(?:{cfg['year_pattern']})",
            "SEQ": f"(?:{cfg['seq_pattern']})",
            "SP": r"[ \t\u3000]*",
        }

        def expand(p: str) -> str:
            return placeholders.expand(p, parts, "references.yml")

        self.rules = [(r, re.compile(expand(r["pattern"]))) for r in cfg["rules"]]
        self.org_cut = sorted(cfg.get("org_cut_words", []), key=len, reverse=True)
        self.name_cut = sorted(cfg.get("name_cut_words", []), key=len, reverse=True)
        self.min_org = cfg.get("min_org_chars", 1)
        self.org_char = re.compile(cfg.get("org_chars", r"[\u4e00-\u9fff]"))
        self.org_max = {"code": cfg.get("org_max_chars", 12), "name": cfg.get("name_max_chars", 20)}
        self.attach_gap = re.compile(cfg.get("attach_gap_pattern", r"^\s*\(?\s*$"))
        self.alias_rx = re.compile(cfg["alias_pattern"]) if cfg.get("alias_pattern") else None
        self.self_alias = re.compile(cfg["self_alias_pattern"]) if cfg.get("self_alias_pattern") else None
        self.boundary = re.compile(cfg.get("clause_boundary_pattern", r"[,;。:!?\n]"))
        self.title_strip = re.compile(cfg["title_strip_pattern"]) if cfg.get("title_strip_pattern") else None
        self.self_after = re.compile(cfg["self_after_pattern"]) if cfg.get("self_after_pattern") else None
        self.self_line = re.compile(cfg["self_line_pattern"]) if cfg.get("self_line_pattern") else None
        self.own_heading = re.compile(cfg["own_heading_pattern"]) if cfg.get("own_heading_pattern") else None
        self.own_history = re.compile(cfg["own_history_pattern"]) if cfg.get("own_history_pattern") else None
        self.alias_entries = bool(cfg.get("alias_entries"))
        self.drop_self = cfg.get("drop_self_references", True)
        self.org_ignore = re.compile(f"(?:{cfg['org_ignore_pattern']})$") if cfg.get("org_ignore_pattern") else None
        self.org_ignore_any = re.compile(cfg["org_ignore_pattern"]) if cfg.get("org_ignore_pattern") else None
        self.org_inner = re.compile(f"(?:{cfg['org_inner_pattern']})$") if cfg.get("org_inner_pattern") else None

    # -- titles ------------------------------------------------------------------
    def titles(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every 《…》 and quoted title (quoted_title_pattern), end after
        the closing bracket; outermost only."""
        out = self._book_titles(text)
        if self.quoted_title is not None and self.quoted_title.search(text):
            taken = _Intervals()
            for s, e in out:
                taken.add(s, e)
            out += [m.span() for m in self.quoted_title.finditer(text) if taken.add(*m.span())]
            out.sort()
        return out

    def _book_titles(self, text: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        pos = 0
        op, cl = self.open, self.close
        while True:
            s = text.find(op, pos)
            if s < 0:
                return out
            depth, i, limit = 0, s, min(len(text), s + self.max_title + 2)
            end = None
            while i < limit:
                ch = text[i]
                if ch == op:
                    depth += 1
                elif ch == cl:
                    depth -= 1
                    if depth == 0:
                        end = i + 1
                        break
                i += 1
            if end is None or end - s <= 2:
                pos = s + 1  # unclosed or empty: try the next 《
                continue
            out.append((s, end))
            pos = end

    # -- document numbers ----------------------------------------------------------
    def cut_org(self, org: str, kind: str, words_of_two: bool = False) -> int:
        """Offset in ``org`` where the organ code starts (after the last cut word; only cut
        words of two characters or more with ``words_of_two``)."""
        words = self.name_cut if kind == "name" else self.org_cut
        best = 0
        for w in words:
            if words_of_two and len(w) < 2:
                continue
            i = org.rfind(w)
            if i >= 0 and i + len(w) > best and i + len(w) < len(org):
                best = i + len(w)
        return best

    def org_start(self, text: str, end: int, kind: str, line_start: bool = False) -> tuple[int, int]:
        """(start, end) of the organ run just before ``end`` (spaces skipped). ``line_start``:
        the number ends its line, so a run that starts the line is all organ code."""
        while end > 0 and text[end - 1] in " \t\u3000":
            end -= 1
        s = end
        count, limit = 0, self.org_max[kind]
        while s > 0 and count < limit:
            if self.org_char.match(text[s - 1]):
                s -= 1
                count += 1
                continue
            inner = self.org_inner.search(text, max(0, s - 6), s) if self.org_inner else None
            if inner:
                s = inner.start()   # 臺教高（三）字: part of the code
                continue
            m = self.org_ignore.search(text, max(0, s - 12), s) if self.org_ignore else None
            if m and count:
                s = m.start()  # a gloss inside the code: 湘政办发(fā)
                continue
            if m and not count:
                s = end = m.start()  # a gloss right before the bracket
                continue
            break
        if s < end and s > 0 and text[s - 1].isdigit() and text[s] in "年月日号":
            s += 1      # 2024年7月31日台財促字第…: the date's 日 is not the organ's
        # a number on a line of its own: a code may open with a one-character cut word (經授水字第…)
        alone = line_start and (s == 0 or text[s - 1] == "\n")
        return s + self.cut_org(text[s:end], kind, words_of_two=alone), end

    def numbers(self, view: str, original: str | None = None) -> list[dict]:
        """Document numbers in ``view``; normalised text taken from ``original``
        (same length) when given, so the organ code keeps its script."""
        src = view if original is None else original
        found: list[dict] = []
        for order, (rule, rx) in enumerate(self.rules):
            for m in rx.finditer(view):
                line_end = view.find("\n", m.end())
                alone = not view[m.end(): len(view) if line_end < 0 else line_end].strip()
                org_s, org_e = self.org_start(view, m.start(), rule["org"], line_start=alone)
                if org_e - org_s < self.min_org:
                    continue
                org = _SPACE.sub("", src[org_s:org_e])
                if self.org_ignore_any:
                    org = self.org_ignore_any.sub("", org)
                values = {
                    "org": org,
                    "year": m.group("year") if "year" in rx.groupindex else "",
                    "seq": m.group("seq"),
                    "hao": src[m.start("hao"):m.end("hao")],
                }
                found.append({
                    "start": org_s, "end": m.end(), "order": order, "rule": rule["name"],
                    "doc_number": rule["normalized"].format(**values),
                    "recovered": bool(rule.get("recovered")),
                })
        found.sort(key=lambda d: (-(d["end"] - d["start"]), d["order"], d["start"]))
        kept = _Intervals()
        out = [d for d in found if kept.add(d["start"], d["end"])]
        out.sort(key=lambda d: d["start"])
        return out

    # -- all together ----------------------------------------------------------------
    def clean_title(self, raw: str) -> str:
        return self.title_strip.sub("", raw) if self.title_strip else _SPACE.sub("", raw)

    def bare(self, title: str) -> str:
        """A title without brackets, for comparing with heading lines."""
        return _BRACKETS.sub("", self.clean_title(title))

    def own_headings(self, text: str) -> set[str]:
        """Lines that may be the document's own title or an attachment's name."""
        out: set[str] = set()
        if not self.own_heading:
            return out
        for line in text.split("\n"):
            if len(line) > 200 or "《" not in line and len(line.strip()) < 4:
                continue
            m = self.own_heading.match(line)
            if m:
                body = m.group("title").strip()
                if body.startswith(self.open) and body.endswith(self.close):
                    continue  # a line that is one cited title is no heading
                out.add(self.bare(body))
        return out

    def is_self(self, text: str, s: int, e: int, headings: set[str], title: str) -> bool:
        if self.self_after and self.self_after.match(text[e:e + 80]):
            return True
        if self.self_line and self.self_line.match(_line_around(text, s, e)):
            return True
        return self.bare(title) in headings

    def _in_own_history(self, text: str, at: int) -> bool:
        return self.own_history is not None and self.own_history.match(_line_around(text, at, at)) is not None

    def self_names(self, text: str) -> set[str]:
        """The names by which the document calls itself: its own title(s) and the short
        names declared for them (本意见(以下简称《实施意见》))."""
        _, self_titles, aliases, _ = self._analyse(text)
        return self_titles | {name for name, target in aliases.items() if target is None}

    def find(self, text: str) -> list[Fact]:
        entries, self_titles, aliases, declared = self._analyse(text)
        return self._facts(text, entries, self_titles, aliases, declared)

    def _analyse(self, text: str):
        titles = self.titles(text)  # sorted, not overlapping
        starts = [s for s, _ in titles]
        headings = self.own_headings(text)
        entries: list[dict] = []
        self_titles: set[str] = set()
        for s, e in titles:
            title = self.clean_title(text[s + 1:e - 1])
            entries.append({"start": s, "end": e, "title": title, "title_span": [s + 1, e - 1], "number": None})
            if self.is_self(text, s, e, headings, title):
                self_titles.add(title)
        titled = list(entries)
        for n in self.numbers(text):
            k = bisect.bisect_right(starts, n["start"]) - 1   # the last title starting before n
            if k >= 0 and titles[k][0] < n["start"] and n["end"] <= titles[k][1]:
                continue  # a number inside a title belongs to the title
            owner = None
            if k >= 0 and titles[k][1] <= n["start"]:
                t = titled[k]
                if t["number"] is None and n["start"] - t["end"] <= 8 \
                        and self.attach_gap.match(text[t["end"]:n["start"]]):
                    owner = t
            if owner is not None:
                owner["number"] = n
                owner["end"] = n["end"]
            elif self._in_own_history(text, n["start"]):
                continue  # the document's own earlier version (…字第N號令訂定), not a citation
            else:
                entries.append({"start": n["start"], "end": n["end"], "title": None, "title_span": None, "number": n})
        entries.sort(key=lambda x: x["start"])
        for x in entries:  # include the closing bracket of 《…》(…号)
            n = x["number"]
            if x["title"] is not None and n is not None and x["end"] < len(text) \
                    and "(" in text[x["title_span"][1]:n["start"]] and text[x["end"]] in ")〕]】":
                x["end"] += 1

        # aliases: (以下简称《条例》) right after an entry
        title_at = {x["start"]: x for x in entries if x["title"] is not None}
        declared: set[int] = set()                 # the 《条例》 of (以下简称《条例》)
        aliases: dict[str, dict | None] = {}      # alias → entry (None: the document itself)
        for x in entries:
            if id(x) in declared or not self.alias_rx:
                continue
            m = self.alias_rx.match(text, x["end"])
            if not m:
                continue
            name = _SPACE.sub("", m.group("title") or m.group("quoted"))
            x["alias"] = name
            if m.group("title") is not None:
                inner = title_at.get(m.start("title") - 1)
                if inner is not None:
                    declared.add(id(inner))
                if x["title"] in self_titles:
                    aliases.setdefault(name, None)
                else:
                    aliases.setdefault(name, x)
        for x in entries:
            if id(x) in declared or x["title"] is None:
                continue
            before = text[max(0, x["start"] - 12):x["start"]]
            m = _ALIAS_BEFORE.search(before)
            if not m:
                continue
            decl = x["start"] - len(before) + m.start()
            cs = decl
            for b in self.boundary.finditer(text, max(0, decl - 60), decl):
                cs = b.end()
            if self.self_alias and self.self_alias.search(text[cs:decl]):
                declared.add(id(x))
                aliases.setdefault(x["title"], None)
        return entries, self_titles, aliases, declared

    def _facts(self, text, entries, self_titles, aliases, declared) -> list[Fact]:
        facts: list[Fact] = []
        for x in entries:
            title = x["title"]
            data: dict[str, Any] = {"title": title, "doc_number": None}
            if title is not None and title in self_titles:
                if self.drop_self:
                    continue  # the document itself or its attachment
                data["self"] = True
            target = aliases.get(title, x) if title is not None and title in aliases else x
            if target is not x and self.alias_entries:
                if target is None:
                    data["self"] = True
                else:
                    data["alias_of"] = target["title"]
            elif id(x) in declared:
                continue  # the short name in (以下简称《条例》)
            elif target is None:
                continue  # a mention of the document itself by its short name
            elif target is not x:
                data["title"] = target["title"]
                data["alias"] = title
                data["via_alias"] = True
            elif x.get("alias"):
                data["alias"] = x["alias"]
            n = x["number"]
            if n is None and data.get("via_alias"):
                n = target["number"]
            if n is not None:
                data["doc_number"] = n["doc_number"]
                if n["recovered"]:
                    data["recovered"] = True
                if n is x["number"]:
                    data["doc_number_span"] = [n["start"], n["end"]]
                if title is None:
                    line_start = text.rfind("\n", 0, n["start"]) + 1
                    if not text[line_start:n["start"]].strip():
                        data["standalone"] = True
            if x["title_span"] is not None:
                data["title_span"] = list(x["title_span"])
            rule = "title" if title is not None else x["number"]["rule"]
            if title is not None and x["number"] is not None:
                rule = "title+" + x["number"]["rule"]
            facts.append(Fact("reference", x["start"], x["end"], rule, data))
        return facts


def matcher(rules: RuleSet | None = None) -> ReferenceMatcher:
    if rules is None:
        return _default_matcher()
    if rules.get("references.yml") is None:
        raise KeyError("references.yml is not loaded")
    return rules.built("references", lambda: ReferenceMatcher(rules.get("references.yml")))


@lru_cache(maxsize=1)
def _default_matcher() -> ReferenceMatcher:
    return ReferenceMatcher(_default_cfg())


@lru_cache(maxsize=1)
def _default_cfg() -> dict:
    from ..rules import DEFAULT_RULES_DIR, _strip_lines, load_file

    return _strip_lines(load_file(DEFAULT_RULES_DIR / "references.yml"))


def find_reference_mentions(text: str, rules: RuleSet) -> list[Fact]:
    """Every mention of a cited document in ``text`` (a match view), in text order.

    ``data``: title (None for a bare number), doc_number (normalised, None when no
    number), and when they apply: alias, via_alias (a mention by the short name),
    recovered (a bracket was repaired), standalone (a bare number opening a line:
    usually the document's own number or a file name), title_span, doc_number_span
    (offsets for quoting the original script).
    """
    return matcher(rules).find(text)


def find_references(text: str, rules: RuleSet) -> list[Fact]:
    """The documents ``text`` cites, one fact each (at its first mention), in text order.

    Mentions merge on the title (an alias mention counts for its full title), bare
    numbers on the number; a bare number equal to a titled entry's number is folded
    into that entry. ``data`` as in ``find_reference_mentions`` plus ``mentions``
    (how often the document is cited). Standalone numbers (a line opening with a bare
    number: the document's own 发文字号, an attachment's file name) are left out.
    """
    out: list[Fact] = []
    by_title: dict[str, Fact] = {}
    by_number: dict[str, Fact] = {}
    for f in find_reference_mentions(text, rules):
        d = f.data
        if d.get("standalone"):
            continue
        title, number = d.get("title"), d.get("doc_number")
        entry = by_title.get(title) if title else None
        if entry is None and number:
            entry = by_number.get(number)
            if entry is not None and title and entry.data.get("title") not in (None, title):
                entry = None  # one number, two titles: keep both
        if entry is None:
            data = {k: v for k, v in d.items() if k != "via_alias"}
            if d.get("via_alias"):
                data.pop("title_span", None)
            data["mentions"] = 1
            entry = Fact("reference", f.start, f.end, f.rule, data)
            out.append(entry)
        else:
            ed = entry.data
            ed["mentions"] += 1
            if ed.get("title") is None and title:
                ed["title"] = title
                if d.get("title_span") and not d.get("via_alias"):
                    ed["title_span"] = d["title_span"]
            if ed.get("doc_number") is None and number:
                ed["doc_number"] = number
                for k in ("doc_number_span", "recovered"):
                    if k in d:
                        ed[k] = d[k]
            if d.get("alias") and not d.get("via_alias"):
                ed.setdefault("alias", d["alias"])
        if title:
            by_title.setdefault(title, entry)
        if number:
            by_number.setdefault(number, entry)
    return out


def self_names(text: str, rules: RuleSet) -> set[str]:
    """Titles and short names by which the document (a match view) refers to itself."""
    return matcher(rules).self_names(text)


def parse_doc_number(s: str, rules: RuleSet | None = None) -> dict | None:
    """The first document number in ``s``: {doc_number, recovered, span}, or None.

    ``s`` may be in either script; the organ code and 号/號 keep the script of ``s``,
    brackets become 〔〕 and digits ASCII.
    """
    from ..normalize import match_view

    if not s:
        return None
    found = matcher(rules).numbers(match_view(s), s)
    if not found:
        return None
    d = found[0]
    return {"doc_number": d["doc_number"], "recovered": d["recovered"], "span": [d["start"], d["end"]]}


def normalize_doc_number(s: str, rules: RuleSet | None = None) -> str | None:
    """Normalise a 发文字号: ``赣府厅字[2018]50号`` → ``赣府厅字〔2018〕50号``,
    ``中办发〔20168号`` → ``中办发〔2016〕8号``; None when ``s`` holds none."""
    d = parse_doc_number(s, rules)
    return d["doc_number"] if d else None
