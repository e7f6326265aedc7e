"""Cited documents: 《…》 titles and 发文字号 (rules: rules/references.yml).

Every 《…》 is a cited title (nested 《…<…>…》 and 《…《…》…》 kept whole). Every document
number is found by the number part (〔2018〕50号, 令第247号, 公告2019年第39号) and the
organ code before it; brackets are normalised to 〔〕, and a number that lost a bracket
(〔20168号) is repaired when the year is four digits followed by the number, with
``recovered: true``. A number right after a title (``《…》(赣府厅字〔2018〕50号)``)
belongs to that title. ``(以下简称《条例》)`` right after an entry records ``alias`` on
it; later 《条例》 mentions resolve to that entry (``via_alias: true``). An alias the
document declares for itself (``本实施意见(以下简称《实施意见》)``) is no reference.

Facts carry offsets into the view; ``title_span`` and ``doc_number_span`` let the
caller quote the original script (``merge_references`` does that, one entry per
cited document).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..model import Fact
from ..rules import RuleSet, register_schema, rule_list_schema

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
            "open_brackets": _STR,
            "close_brackets": _STR,
            "year_pattern": _STR,
            "seq_pattern": _STR,
            "org_pattern": _STR,
            "name_pattern": _STR,
            "org_cut_words": _STR_LIST,
            "name_cut_words": _STR_LIST,
            "min_org_chars": {"type": "integer", "minimum": 0},
            "attach_gap_pattern": _STR,
            "alias_pattern": _STR,
            "self_alias_pattern": _STR,
            "clause_boundary_pattern": _STR,
        },
    ),
)

_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")
_SPACE = re.compile(r"\s+")
_ALIAS_BEFORE = re.compile(r"\([ \t\u3000]*(?:以下简称|以下称|下称|简称)[ \t\u3000]*(?:为)?[ \t\u3000]*$")


def _class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


class ReferenceMatcher:
    def __init__(self, cfg: dict[str, Any]):
        self.cfg = cfg
        self.open = cfg.get("title_open", "《")
        self.close = cfg.get("title_close", "》")
        self.max_title = cfg.get("title_max_chars", 150)
        parts = {
            "OPEN": _class(cfg["open_brackets"]),
            "CLOSE": _class(cfg["close_brackets"]),
            "YEAR": f"(?:{cfg['year_pattern']})",
            "SEQ": f"(?:{cfg['seq_pattern']})",
            "ORG": f"(?:{cfg['org_pattern']})",
            "NAME": f"(?:{cfg.get('name_pattern', cfg['org_pattern'])})",
            "SP": r"[ \t\u3000]*",
        }

        def expand(p: str) -> str:
            return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], p)

        self.rules = [(r, re.compile(expand(r["pattern"]))) for r in cfg["rules"]]
        self.org_cut = sorted(cfg.get("org_cut_words", []), key=len, reverse=True)
        self.name_cut = sorted(cfg.get("name_cut_words", []), key=len, reverse=True)
        self.min_org = cfg.get("min_org_chars", 1)
        self.attach_gap = re.compile(cfg.get("attach_gap_pattern", r"^\s*\(?\s*$"))
        self.alias_rx = re.compile(cfg["alias_pattern"]) if cfg.get("alias_pattern") else None
        self.self_alias = re.compile(cfg["self_alias_pattern"]) if cfg.get("self_alias_pattern") else None
        self.boundary = re.compile(cfg.get("clause_boundary_pattern", r"[,;。:!?\n]"))

    # -- titles ------------------------------------------------------------------
    def titles(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every 《…》, end after the closing bracket; outermost only."""
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
    def cut_org(self, org: str, kind: str) -> int:
        """Offset in ``org`` where the organ code starts (after the last cut word)."""
        words = self.name_cut if kind == "name" else self.org_cut
        best = 0
        for w in words:
            i = org.rfind(w)
            if i >= 0 and i + len(w) > best and i + len(w) < len(org):
                best = i + len(w)
        return best

    def numbers(self, view: str, original: str | None = None) -> list[dict]:
        """Document numbers in ``view``; normalised text taken from ``original``
        (same length) when given, so the organ code keeps its script."""
        src = view if original is None else original
        found: list[dict] = []
        for order, (rule, rx) in enumerate(self.rules):
            for m in rx.finditer(view):
                org_s, org_e = m.span("org")
                cut = self.cut_org(view[org_s:org_e], rule["org"])
                org_s += cut
                if org_e - org_s < self.min_org:
                    continue
                values = {
                    "org": _SPACE.sub("", src[org_s:org_e]),
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
        kept: list[dict] = []
        for d in found:
            if not any(d["start"] < k["end"] and k["start"] < d["end"] for k in kept):
                kept.append(d)
        kept.sort(key=lambda d: d["start"])
        return kept

    # -- all together ----------------------------------------------------------------
    def find(self, text: str) -> list[Fact]:
        titles = self.titles(text)
        numbers = [n for n in self.numbers(text)
                   if not any(s < n["start"] and n["end"] <= e for s, e in titles)]
        entries: list[dict] = []
        for s, e in titles:
            entries.append({"start": s, "end": e, "title": _SPACE.sub("", text[s + 1:e - 1]),
                            "title_span": [s + 1, e - 1], "number": None})
        by_start = sorted(entries, key=lambda x: x["start"])
        for n in numbers:
            owner = None
            for t in by_start:
                if t["end"] <= n["start"] and t["number"] is None and self.attach_gap.match(text[t["end"]:n["start"]]):
                    owner = t
            if owner is not None:
                owner["number"] = n
                owner["end"] = n["end"]
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
        drop: set[int] = set()
        aliases: dict[str, dict | None] = {}  # alias → entry (None: the document itself)
        for x in entries:
            if id(x) in drop or not self.alias_rx:
                continue
            m = self.alias_rx.match(text, x["end"])
            if not m:
                continue
            name = m.group("title") or m.group("quoted")
            x["alias"] = _SPACE.sub("", name)
            if m.group("title") is not None:
                inner = title_at.get(m.start("title") - 1)
                if inner is not None:
                    drop.add(id(inner))
                aliases.setdefault(x["alias"], x)
        for x in entries:
            if id(x) in drop or x["title"] is None:
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
                drop.add(id(x))
                aliases.setdefault(x["title"], None)

        facts: list[Fact] = []
        for x in entries:
            if id(x) in drop:
                continue
            data: dict[str, Any] = {"title": x["title"], "doc_number": None}
            target = aliases.get(x["title"], x) if x["title"] is not None and x["title"] in aliases else x
            if target is None:
                continue  # a mention of the document itself by its short name
            if target is not x:
                data["title"] = target["title"]
                data["alias"] = x["title"]
                data["via_alias"] = True
                n = x["number"] or target["number"]
            else:
                n = x["number"]
                if x.get("alias"):
                    data["alias"] = x["alias"]
            if n is not None:
                data["doc_number"] = n["doc_number"]
                if n["recovered"]:
                    data["recovered"] = True
                if n is x["number"]:
                    data["doc_number_span"] = [n["start"], n["end"]]
                if x["title"] is None:
                    line_start = text.rfind("\n", 0, n["start"]) + 1
                    if not text[line_start:n["start"]].strip():
                        data["standalone"] = True
            if x["title_span"] is not None:
                data["title_span"] = list(x["title_span"])
            rule = "title" if x["title"] is not None else x["number"]["rule"]
            if x["title"] is not None and x["number"] is not None:
                rule = "title+" + x["number"]["rule"]
            facts.append(Fact("reference", x["start"], x["end"], rule, data))
        return facts


_CACHE: dict[int, tuple[Any, ReferenceMatcher]] = {}


def matcher(rules: RuleSet | None = None) -> ReferenceMatcher:
    cfg = rules.get("references.yml") if rules is not None else _default_cfg()
    if cfg is None:
        raise KeyError("references.yml is not loaded")
    hit = _CACHE.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        hit = _CACHE[id(cfg)] = (cfg, ReferenceMatcher(cfg))
    return hit[1]


@lru_cache(maxsize=1)
def _default_cfg() -> dict:
    from ..rules import DEFAULT_RULES_DIR, _strip_lines, load_file

    return _strip_lines(load_file(DEFAULT_RULES_DIR / "references.yml"))


def find_references(text: str, rules: RuleSet) -> list[Fact]:
    """Cited documents in ``text`` (a match view), one fact per mention, in text order.

    ``data``: title (None for a bare number), doc_number (normalised, None when no
    number), and when they apply: alias, via_alias, recovered, standalone (a bare
    number opening a line: often the document's own number), title_span,
    doc_number_span (offsets for quoting the original script).
    """
    return matcher(rules).find(text)


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


def merge_references(facts: list[Fact], original: str | None = None, rules: RuleSet | None = None) -> list[dict]:
    """One record entry per cited document: {title, doc_number[, alias]}.

    With ``original`` (the text the view was made from) titles and numbers are
    quoted in its script. Entries merge on title, or on doc_number for bare numbers;
    a bare number equal to a titled entry's number is folded into it.
    """
    out: list[dict] = []
    by_title: dict[str, dict] = {}
    by_number: dict[str, dict] = {}
    for f in facts:
        d = f.data
        title, number = d.get("title"), d.get("doc_number")
        if original is not None:
            if d.get("title_span") and not d.get("via_alias"):
                s, e = d["title_span"]
                title = _SPACE.sub("", original[s:e])
            if d.get("doc_number_span"):
                s, e = d["doc_number_span"]
                number = normalize_doc_number(original[s:e], rules) or number
        key_t = d.get("title")
        entry = by_title.get(key_t) if key_t else None
        if entry is None and number:
            entry = by_number.get(d.get("doc_number"))
        if entry is None:
            entry = {"title": title, "doc_number": number}
            out.append(entry)
        else:
            if entry["title"] is None and title:
                entry["title"] = title
            if entry["doc_number"] is None and number:
                entry["doc_number"] = number
        if d.get("alias") and not d.get("via_alias"):
            entry["alias"] = d["alias"]
        if key_t:
            by_title.setdefault(key_t, entry)
        if d.get("doc_number"):
            by_number.setdefault(d["doc_number"], entry)
    return out
