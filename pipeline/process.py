"""One document through every stage: ingest → normalise → structure → extract → record."""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass
from typing import Any

from . import SCHEMA_VERSION
from .model import Document, Fact
from .normalize import detect_script, fold_width, match_view, to_simplified
from .rules import RuleSet


@dataclass
class Analysis:
    """Everything the stages produced for one document (the record is built from it)."""

    doc: Document
    view: str
    simplified: str
    root: Any
    tasks: list
    task_facts: list[list[Fact]]
    meta: dict
    references: list[Fact]
    metrics: list[dict]
    unattached: list[Fact]


def ingest(data: bytes, source: str, rules: RuleSet, max_bytes: int | None = None,
           ocr: str = "auto") -> Document:
    """Read and clean: the body text every offset in the record refers to."""
    from .ingest import DEFAULT_MAX_BYTES, read_bytes
    from .junk import clean

    doc = read_bytes(data, source, max_bytes=max_bytes or DEFAULT_MAX_BYTES, ocr=ocr, rules=rules)
    return clean(doc, rules)


def analyse(doc: Document, rules: RuleSet) -> Analysis:
    from .extract import deadlines, metadata, metrics, references, tables, tasks, thresholds, units
    from .structure import build_tree

    simplified = to_simplified(doc.text)
    view = fold_width(simplified)          # match_view(doc.text), without simplifying twice
    root = build_tree(doc, rules)
    meta = metadata.extract(doc, view, root, rules)
    doc_date = _numbered_year(_as_date(meta.get("issued_on")), meta.get("doc_number"))
    year_hint = meta.get("year") if doc_date is None else None
    # its year-less dates recur yearly: a standing rule, or a notice issuing one (关于印发《…办法》的通知)
    # (not one made for a single year: 2022年…考评办法's 6月底 is that year's)
    standing = any(tasks.is_standing(t, rules) and not deadlines.made_for_one_year(t, rules)
                   for t in (meta.get("title"), meta.get("enclosed_title")))
    workdays = deadlines.counts_workdays(view, rules)        # 本办法规定的期限以工作日计算
    found = tasks.find_tasks(doc, root, rules, meta.get("title"))
    regions: list[tuple[int, int]] = []        # task tables: their cells are not prose tasks
    table_tasks = tables.find_table_tasks(doc, view, root, rules, regions)
    found = [t for t in found if not any(a <= t.start < b for a, b in regions)] + table_tasks
    found.sort(key=lambda t: t.start)
    own_names = frozenset(references.self_names(view, rules))
    first_lead = units.first_listed_lead_from(view, rules)
    notes = units.scope_notes(view, rules)
    short_names = units.document_short_names(view, rules)
    ops = thresholds.document_ops(view, rules)   # the document's own definitions, looked up once
    # the rules that can match anywhere in the document, found once: each part then
    # loops over those only (the same facts; a document uses a third to a half of them)
    live_deadlines = deadlines.live_rules(view, rules)
    live_thresholds = thresholds.live_rules(view, rules)
    live_units = units.live_sentence_rules(view, rules)
    task_facts = []
    for t in found:
        if t.row is not None:       # a task-table row: read cell by cell
            task_facts.append(tables.row_facts(view, t, rules, doc_date))
            continue
        facts: list[Fact] = []
        facts += units.with_scope_notes(units.find_units(view, t.spans(), rules, first_lead, short_names, live_units), t.start, notes)
        for s, e in t.spans():
            facts += _shift(deadlines.find_deadlines(view[s:e], rules, doc_date, own_names, year_hint, standing, live_deadlines, workdays), s)
            facts += _shift(thresholds.find_thresholds(view[s:e], rules, ops=ops, live=live_thresholds), s)
        task_facts.append(facts)
    refs = references.find_references(view, rules)
    # the document's own 发文字号 (a page's metadata block, a header line) cites nothing
    own_number = match_view(meta.get("doc_number") or "").replace(" ", "")
    if own_number:
        refs = [f for f in refs if f.data.get("title")
                or match_view(f.data.get("doc_number") or "").replace(" ", "") != own_number]
    # nor does its own title, set as a title line in book-title marks (《某某管理规定》)
    own_title = match_view(meta.get("title") or "").replace(" ", "")
    if own_title:
        refs = [f for f in refs if match_view(f.data.get("title") or "").replace(" ", "") != own_title
                or (f.data.get("doc_number") and match_view(f.data["doc_number"]).replace(" ", "") != own_number)]
    mets = metrics.find_metrics(doc, view, root, rules)
    # Deadlines and thresholds in text no task owns (a 时间安排 section, a report's
    # prose, an article without an obligation) are kept too, so nothing stated is lost.
    covered = [span for t in found for span in t.spans()] + regions
    signature = tasks.end_of_body_patterns(rules)   # a 成文日期 line is metadata, not a deadline
    # A table that is not a task table (an assessment table: 指标 | 评价标准) yields its
    # targets and dates cell by cell; statistics tables (metrics) are reported as metrics.
    covered += [(m["span"]["start"], m["span"]["end"]) for m in mets if m.get("span")]
    loose: list[Fact] = []
    report = tasks.is_report(doc, view, rules, meta.get("title"))
    is_covered = _overlap_test(covered)
    for b in doc.blocks:
        if is_covered(b.start, b.end):
            continue
        if b.kind == "table_row" and report:
            continue          # a report's tables state results, not targets
        if b.kind != "table_row" and any(p.search(view[b.start:b.end]) for p in signature):
            continue
        pieces = _cells(view, b.start, b.end) if b.kind == "table_row" else [(b.start, b.end)]
        for s, e in pieces:
            loose += _shift(deadlines.find_deadlines(view[s:e], rules, doc_date, own_names, year_hint, standing, live_deadlines, workdays), s)
            loose += _shift(thresholds.find_thresholds(view[s:e], rules, ops=ops, live=live_thresholds), s)
    return Analysis(doc, view, simplified, root, found, task_facts, meta, refs, mets, loose)


def _overlap_test(spans: list[tuple[int, int]]):
    """A test "does [start, end) overlap any of ``spans``" in O(log n) per call, so
    checking every block against every task stays linear in document size."""
    spans = sorted(spans)
    starts = [s for s, _ in spans]
    reach = list(itertools.accumulate((e for _, e in spans), max))   # furthest end so far

    def test(start: int, end: int) -> bool:
        k = bisect.bisect_left(starts, end)    # spans[:k] start before ``end``
        return k > 0 and reach[k - 1] > start
    return test


def _cells(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of a table row block (cells are joined by tabs)."""
    out, pos = [], start
    for cell in view[start:end].split("\t"):
        if cell.strip():
            out.append((pos, pos + len(cell)))
        pos += len(cell) + 1
    return out


def _shift(facts: list[Fact], offset: int) -> list[Fact]:
    for f in facts:
        f.start += offset
        f.end += offset
    return facts


_NUMBER_YEAR = re.compile(r"〔((?:19|20)\d{2})〕")    # the record's 发文字号 is normalised to 〔YYYY〕


def _numbered_year(date: dt.date | None, doc_number: str | None) -> dt.date | None:
    """The date that places year-less dates (8月底前). A 发文字号 is given in the year the
    document is issued: a signature dated an earlier year (2014年4月16日 under 〔2015〕69号)
    is a slip, and its month and day are read in the number's year. The record keeps the
    signature as written."""
    m = _NUMBER_YEAR.search(doc_number or "")
    if date is None or m is None or int(m.group(1)) <= date.year:
        return date
    try:
        return date.replace(year=int(m.group(1)))
    except ValueError:          # 29 February
        return date.replace(year=int(m.group(1)), day=28)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _span(doc: Document, s: int, e: int) -> dict:
    return {"page": doc.page_at(s), "start": s, "end": e}


def _fact_entry(a: Analysis, f: Fact) -> dict:
    entry = {"text": a.doc.text[f.start:f.end]}
    entry.update(f.data)
    if f.kind == "unit":
        # as written (original script; a line break inside a wrapped name is no part of it);
        # canonical is added apart
        entry["unit"] = re.sub(r"\s*\n\s*", "", entry["text"])
    entry["rule"] = f.rule
    entry["span"] = _span(a.doc, f.start, f.end)
    return entry


def build_record(a: Analysis, data_id: str, source: str) -> dict:
    doc = a.doc
    document: dict[str, Any] = {
        "id": data_id,
        "source": source,
        "format": doc.format,
        "script": detect_script(doc.text, a.simplified),
        "encoding": doc.encoding,
        "pages": doc.pages,
        "pages_ocr": doc.pages_ocr,
        "ocr_confidence": doc.ocr_confidence,
    }
    document.update(a.meta)
    document["references"] = [_fact_entry(a, f) for f in a.references]
    document["warnings"] = [w.to_dict() for w in doc.warnings]
    document["sections"] = [c.to_dict() for c in a.root.children]
    tasks = []
    for n, (t, facts) in enumerate(zip(a.tasks, a.task_facts), 1):
        by_kind: dict[str, list] = {"unit": [], "deadline": [], "threshold": [], "cadence": []}
        for f in sorted(facts, key=lambda f: f.start):
            by_kind.setdefault(f.kind, []).append(_fact_entry(a, f))
        tasks.append({
            "id": f"{data_id}-t{n:03d}",
            "path": t.path,
            "origin": t.origin,
            "text": doc.text[t.start:t.end],
            "text_simplified": a.simplified[t.start:t.end],
            "span": _span(doc, t.start, t.end),
            "responsible": by_kind["unit"],
            "deadlines": by_kind["deadline"],
            "thresholds": by_kind["threshold"],
            "cadence": by_kind["cadence"],
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "document": document,
        "tasks": tasks,
        "unattached": {
            "deadlines": [_fact_entry(a, f) for f in a.unattached if f.kind == "deadline"],
            "thresholds": [_fact_entry(a, f) for f in a.unattached if f.kind == "threshold"],
            "cadence": [_fact_entry(a, f) for f in a.unattached if f.kind == "cadence"],
        },
        "metrics": a.metrics,
    }


def process_bytes(data: bytes, source: str, rules: RuleSet, max_bytes: int | None = None,
                  ocr: str = "auto") -> dict:
    doc = ingest(data, source, rules, max_bytes, ocr)
    return build_record(analyse(doc, rules), document_id(data), source)
