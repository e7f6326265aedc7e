"""One document as a reviewer reads it: the cleaned text in paragraphs, tasks as blocks,
every fact a highlight (kind, normalised value, rule, needs-review reasons).

This module knows no HTML: it turns a record and the text its spans point into into
``Mark``s and a list of sections of paragraphs, each paragraph a flat stream of
open/text/close events that the template (templates/document.html.j2) draws. Marks may
nest (a unit inside a cited title) or cross (two facts sharing characters); a crossing
mark is closed and reopened as a continuation, so each fact has one primary element.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..normalize import match_view
from . import ledger, review

# kind → (legend label, background colour). One source for the CSS, the legend and the
# browser test. Units by role; the others by fact kind.
KINDS: dict[str, tuple[str, str]] = {
    "unit-lead": ("牵头单位 (lead)", "#ffb347"),
    "unit-co": ("配合单位 (co)", "#fff176"),
    "unit-responsible": ("责任单位 (responsible)", "#a5d6a7"),
    "deadline": ("完成时限 (deadline)", "#81d4fa"),
    "threshold": ("量化指标 (threshold)", "#f48fb1"),
    "cadence": ("频次 (cadence)", "#ce93d8"),
    "reference": ("引用文件 (reference)", "#bcaaa4"),
    "metadata": ("文件信息 (metadata)", "#9fa8da"),
    "garbled": ("乱码 (garbled text)", "#e0e0e0"),
}
META_FIELDS = (("title", "标题"), ("doc_number", "发文字号"), ("issuer", "发文机关"), ("issued_on", "成文日期"))

# An absolute date as a signature or header writes it; only used to find where the
# record's 成文日期 stands in the text (its value is checked with the extractor's parser).
_DATE_LIKE = re.compile(r"(?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?"
                        r"|[〇零○O一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日")


@dataclass
class Mark:
    id: str
    kind: str                   # a key of KINDS
    start: int
    end: int
    value: str                  # the normalised value, in words
    rule: str
    review: list[str] = field(default_factory=list)     # labels (review.LABELS)
    order: int = 0              # record order: ties between equal spans

    @property
    def tip(self) -> str:
        lines = [f"{KINDS[self.kind][0]}：{self.value}", f"规则 rule: {self.rule}"]
        if self.review:
            lines.append("需复核: " + "；".join(self.review))
        return "\n".join(lines)


# A paragraph of the cleaned text: (start, end, kind, page) — a Block's offsets, its kind
# (heading | paragraph | table_row) and its PDF page (None for other formats).
BlockSpan = tuple[int, int, str, "int | None"]


@dataclass
class Para:
    kind: str                   # heading | paragraph | table_row
    start: int
    end: int
    events: list[dict] = field(default_factory=list)
    new_page: int | None = None  # the PDF page this paragraph starts, shown as a page marker


@dataclass
class Section:
    task: dict | None           # the record's task, or None for text outside tasks
    review: list[str] = field(default_factory=list)
    paras: list[Para] = field(default_factory=list)


@dataclass
class Page:
    title: str
    source: str
    document: dict
    sections: list[Section]
    marks: list[Mark]
    unplaced: list[Mark]        # facts whose span no paragraph shows
    metadata: list[tuple[str, str]]
    notice: str | None = None   # why the full text is not shown, when it is not
    counts: dict[str, int] = field(default_factory=dict)


# -- marks from a record -----------------------------------------------------------------

def _unit_value(u: dict) -> str:
    v = str(u.get("unit") or u.get("text"))
    flags = [w for k, w in (("each", "分别"), ("collective", "泛指")) if u.get(k)]
    return v + (f" → {u['canonical']}" if u.get("canonical") else "") + (f"（{'、'.join(flags)}）" if flags else "")


def _threshold_value(x: dict) -> str:
    v = f"{x.get('op') or ''} {ledger.threshold_value(x)}{x.get('unit') or ''}".strip()
    return v + (f"（{x['subject']}）" if x.get("subject") else "")


def _deadline_value(d: dict) -> str:
    return f"{ledger.due(d).shown} [{d.get('type') or 'cadence'}]"


def _reference_value(r: dict) -> str:
    return "《" + (r.get("title") or r.get("text") or "") + "》" + (f" {r['doc_number']}" if r.get("doc_number") else "")


def _span(f: dict) -> tuple[int, int] | None:
    s = f.get("span") or {}
    if "start" in s and "end" in s and s["end"] > s["start"]:
        return int(s["start"]), int(s["end"])
    return None


def _garbled(document: dict, start: int, end: int) -> bool:
    return any(w.get("code") == "mojibake" and w.get("span") and w["span"][0] < end and start < w["span"][1]
               for w in document.get("warnings") or [])


def record_marks(record: dict, text: str | None) -> list[Mark]:
    """Every fact of the record as a Mark (ids stable: <task id>-u1, -d1, -x1, -c1; ref-1;
    un-d1 for unattached facts; meta-<field>). Metadata carries no span in the record: its
    values are found in ``text`` where they stand verbatim (none without the text)."""
    document = record["document"]
    marks: list[Mark] = []

    def add(mid: str, kind: str, f: dict, value: str, extra: Iterable[str] = ()) -> None:
        sp = _span(f)
        if sp is None:
            return
        codes = list(extra)
        if _garbled(document, *sp):
            codes.append("garbled_text")
        marks.append(Mark(mid, kind, sp[0], sp[1], value, str(f.get("rule") or "?"),
                          [review.label(c) for c in dict.fromkeys(codes)], len(marks)))

    for t in record.get("tasks") or []:
        tid = t["id"]
        for n, u in enumerate(t.get("responsible") or [], 1):
            add(f"{tid}-u{n}", f"unit-{u.get('role')}" if f"unit-{u.get('role')}" in KINDS else "unit-responsible",
                u, _unit_value(u))
        for n, d in enumerate(t.get("deadlines") or [], 1):
            add(f"{tid}-d{n}", "deadline", d, _deadline_value(d), review.deadline_reasons(d, document))
        for n, x in enumerate(t.get("thresholds") or [], 1):
            add(f"{tid}-x{n}", "threshold", x, _threshold_value(x))
        for n, c in enumerate(t.get("cadence") or [], 1):
            add(f"{tid}-c{n}", "cadence", c, _deadline_value(c))
    un = record.get("unattached") or {}
    for n, d in enumerate(un.get("deadlines") or [], 1):
        add(f"un-d{n}", "deadline", d, _deadline_value(d) + "（不属任何任务）", review.deadline_reasons(d, document))
    for n, x in enumerate(un.get("thresholds") or [], 1):
        add(f"un-x{n}", "threshold", x, _threshold_value(x) + "（不属任何任务）")
    for n, c in enumerate(un.get("cadence") or [], 1):
        add(f"un-c{n}", "cadence", c, _deadline_value(c) + "（不属任何任务）")
    for n, r in enumerate(document.get("references") or [], 1):
        add(f"ref-{n}", "reference", r, _reference_value(r))
    if text:
        marks.extend(metadata_marks(document, text, len(marks)))
    for w_n, w in enumerate(document.get("warnings") or [], 1):
        if w.get("code") == "mojibake" and w.get("span"):
            s, e = w["span"]
            marks.append(Mark(f"warn-{w_n}", "garbled", s, e, w.get("message") or "", "warning:mojibake",
                              [review.label("garbled_text")], len(marks)))
    return marks


def metadata_marks(document: dict, text: str, order: int = 0) -> list[Mark]:
    """Title, 发文字号, issuer and 成文日期 where they stand in the text (compared in the
    match view, so width and script do not matter)."""
    from ..extract.metadata import parse_date

    view = match_view(text)
    found: list[Mark] = []
    for key, label in META_FIELDS:
        value = document.get(key)
        if not value:
            continue
        value = str(value)
        rule = f"metadata:{key}"
        if key == "issued_on":
            rule += f" ({document['date_source']})" if document.get("date_source") else ""
            hits = [m for m in _DATE_LIKE.finditer(view) if parse_date(m.group(0)) == value]
            # a signature date stands at the end, a header's at the start
            hit = (hits[-1] if document.get("date_source") == "signature" else hits[0]) if hits else None
            span = (hit.start(), hit.end()) if hit else None
        else:
            needle = match_view(value).strip()
            at = view.find(needle) if needle else -1
            taken = [(m.start, m.end) for m in found]
            # the issuer usually starts the title too: prefer a place of its own (the signature)
            while at >= 0 and any(a <= at < b for a, b in taken):
                nxt = view.find(needle, at + 1)
                if nxt < 0:
                    at = view.find(needle)
                    break
                at = nxt
            span = (at, at + len(needle)) if at >= 0 else None
        if span:
            found.append(Mark(f"meta-{key}", "metadata", span[0], span[1], f"{label}：{value}", rule, [], order + len(found)))
    return found


# -- layout: sections of paragraphs, each a stream of events -------------------------------

def _events(text: str, a: int, b: int, marks: list[Mark], starts: list[int], opened: set[str]) -> list[dict]:
    """Open/text/close events for text[a:b]; ``marks`` sorted by start (``starts`` their
    starts). A mark seen for the first time is primary (it carries the tooltip and focus);
    later pieces are continuations."""
    hi = bisect.bisect_left(starts, b)
    live = [m for m in marks[:hi] if m.end > a]
    points = sorted({a, b} | {max(a, min(b, p)) for m in live for p in (m.start, m.end)})
    events: list[dict] = []
    stack: list[Mark] = []
    for p, q in zip(points, points[1:]):
        if p == q:
            continue
        want = sorted((m for m in live if m.start <= p and m.end >= q), key=lambda m: (m.start, -m.end, m.order))
        keep = 0
        while keep < len(stack) and keep < len(want) and stack[keep] is want[keep]:
            keep += 1
        for _ in range(len(stack) - keep):
            events.append({"op": "close"})
        del stack[keep:]
        for m in want[keep:]:
            events.append({"op": "open", "mark": m, "primary": m.id not in opened})
            opened.add(m.id)
            stack.append(m)
        events.append({"op": "text", "text": text[p:q]})
    events.extend({"op": "close"} for _ in stack)
    return events


def layout(text: str, blocks: list[BlockSpan], tasks: list[dict], marks: list[Mark],
           document: dict) -> tuple[list[Section], list[Mark]]:
    """Cut the blocks at task boundaries and group the pieces into sections (one per task,
    one per run of text outside tasks). Returns the sections and the marks no piece shows."""
    spans = sorted(((int(t["span"]["start"]), int(t["span"]["end"]), t) for t in tasks if _span(t)),
                   key=lambda x: x[0])
    t_starts = [s for s, _, _ in spans]
    ordered = sorted(marks, key=lambda m: (m.start, -m.end, m.order))
    starts = [m.start for m in ordered]
    opened: set[str] = set()
    sections: list[Section] = []
    last_page = None
    for b0, b1, kind, pg in blocks:
        cuts = {b0, b1}
        lo = bisect.bisect_right(t_starts, b1)
        for s, e, _ in spans[:lo]:
            if e > b0:
                cuts |= {min(max(s, b0), b1), min(max(e, b0), b1)}
        points = sorted(cuts)
        for a, b in zip(points, points[1:]):
            i = bisect.bisect_right(t_starts, a) - 1
            owner = spans[i][2] if i >= 0 and spans[i][0] <= a < spans[i][1] else None
            if not text[a:b].strip():
                continue
            if not sections or sections[-1].task is not owner:
                sections.append(Section(owner, [review.label(c) for c in review.reasons(owner, document)]
                                        if owner is not None else []))
            sections[-1].paras.append(Para(kind, a, b, _events(text, a, b, ordered, starts, opened),
                                           pg if pg is not None and pg != last_page else None))
            last_page = pg if pg is not None else last_page
    unplaced = [m for m in marks if m.id not in opened]
    return sections, unplaced


def counts(record: dict) -> dict[str, int]:
    tasks = record.get("tasks") or []
    return {
        "tasks": len(tasks),
        "units": sum(len(t.get("responsible") or []) for t in tasks),
        "deadlines": sum(len(t.get("deadlines") or []) for t in tasks),
        "thresholds": sum(len(t.get("thresholds") or []) for t in tasks),
        "cadence": sum(len(t.get("cadence") or []) for t in tasks),
        "review": sum(1 for t in tasks if review.reasons(t, record["document"])),
        "warnings": len(record["document"].get("warnings") or []),
    }


def _metadata_rows(document: dict) -> list[tuple[str, str]]:
    rows = [(label, str(document[k])) for k, label in META_FIELDS if document.get(k)]
    if document.get("recipients"):
        rows.append(("主送机关", "、".join(document["recipients"])))
    rows.append(("来源文件", f"{document.get('source')} ({document.get('format')}, {document.get('script') or ''})"))
    return rows


def text_mismatch(record: dict, text: str) -> str | None:
    """Why ``text`` is not the text the record's spans point into, or None."""
    for t in record.get("tasks") or []:
        sp = _span(t)
        if sp and text[sp[0]:sp[1]] != t.get("text"):
            return f"task {t['id']}: the stored text differs at {sp[0]}–{sp[1]}"
    return None


def document_page(record: dict, text: str | None, blocks: list[BlockSpan] | None,
                  notice: str | None = None) -> Page:
    """The page of one record. ``text``/``blocks``: the cleaned text and its paragraphs;
    None when the run kept no text, then only the tasks' own texts are shown (and
    ``notice`` says why)."""
    document = record["document"]
    tasks = record.get("tasks") or []
    full = text is not None
    if text is None:
        # the tasks' own texts at their offsets, blanks between (never shown)
        spans = [sp for sp in (_span(t) for t in tasks) if sp]
        pages = [t["span"].get("page") for t in tasks if _span(t)]
        chars = [" "] * max([e for _, e in spans] or [0])
        for t in tasks:
            sp = _span(t)
            if sp:
                chars[sp[0]:sp[1]] = list(t["text"])[:sp[1] - sp[0]]
        text = "".join(chars)
        blocks = [(s, e, "paragraph", pg) for (s, e), pg in zip(spans, pages)]
    marks = record_marks(record, text if full else None)
    sections, unplaced = layout(text, blocks or [], tasks, marks, document)
    title = document.get("title") or document.get("enclosed_title") or str(document.get("source") or "")
    return Page(title, str(document.get("source") or ""), document, sections, marks, unplaced,
                _metadata_rows(document), notice, counts(record))


def facts_page(text: str, facts: list[dict[str, Any]], title: str) -> Page:
    """A page for a bare text (``explain TEXT --html``): one paragraph per line; ``facts``
    are dicts with kind, start, end, rule and the fact's fields (spaCy spans' ``_.fact``)."""
    marks = []
    for n, f in enumerate(sorted(facts, key=lambda f: (f["start"], f["end"])), 1):
        kind = f["kind"]
        if kind == "unit":
            mk, value = f"unit-{f.get('role')}", _unit_value({**f, "unit": text[f["start"]:f["end"]]})
        elif kind in ("deadline", "cadence"):
            mk, value = kind, _deadline_value({**f, "text": text[f["start"]:f["end"]]})
        elif kind == "threshold":
            mk, value = kind, _threshold_value(f)
        elif kind == "reference":
            mk, value = kind, _reference_value(f)
        else:
            continue
        marks.append(Mark(f"f{n}", mk if mk in KINDS else "unit-responsible", f["start"], f["end"], value,
                          str(f.get("rule") or "?"), [review.label(c) for c in review.deadline_reasons(f, {})]
                          if kind == "deadline" else [], n))
    blocks: list[BlockSpan] = []
    pos = 0
    for line in text.split("\n"):
        blocks.append((pos, pos + len(line), "paragraph", None))
        pos += len(line) + 1
    sections, unplaced = layout(text, blocks, [], marks, {})
    document = {"source": "(text)", "warnings": []}
    return Page(title, "(text)", document, sections, marks, unplaced, [], None,
                {"tasks": 0, "units": sum(1 for m in marks if m.kind.startswith("unit")),
                 **{f"{k}s" if k != "cadence" else k: sum(1 for m in marks if m.kind == k)
                    for k in ("deadline", "threshold", "cadence")},
                 "review": sum(1 for m in marks if m.review), "warnings": 0})
