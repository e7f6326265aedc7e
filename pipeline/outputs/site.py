"""The review site: a static folder a person opens from file:// (no server, no CDN).

    site/index.html                 the batch: every entry of OUT/report.yml, counts per document
    site/docs/<source>.html         one page per record: text, tasks, every fact highlighted
    site/ledger.html                the ledger rows (ledger.ledger_rows), sortable and filterable

The text a page shows is the cleaned text the record's spans point into, as the run kept
it (OUT/ingested/<source>.json, the docstore format; ``text_dir`` for a DVC ingest
folder). Nothing is re-read from the sources: where the text is missing or belongs to
another version of the file, the page shows the tasks' own texts and says so.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import yaml

from .. import __version__
from ..docstore import RUN_TEXT_DIR as TEXT_DIR
from ..emit import write_atomic
from . import ledger, page, review

TEMPLATES = Path(__file__).resolve().parent / "templates"

LEDGER_COLUMNS = (("序号", "number"), ("文件名称 · 文号", "text"), ("任务", "text"), ("牵头单位", "text"),
                  ("配合单位", "text"), ("责任单位", "text"), ("完成时限", "text"), ("时限原文", "text"),
                  ("量化指标", "text"), ("需复核", "text"))


@lru_cache(maxsize=1)
def environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=False)


def render(template: str, **values) -> str:
    return environment().get_template(template).render(kinds=page.KINDS, version=__version__, **values)


def render_page(p: page.Page, root: str | None = None) -> str:
    """A document page (also what ``explain --html`` writes, with ``root`` None: no site links)."""
    return render("document.html.j2", page=p, root=root)


# -- reading a run -------------------------------------------------------------------------

@dataclass
class Entry:
    source: str
    status: str
    reason: str | None = None
    unchanged: bool = False
    record: dict | None = None
    record_path: Path | None = None
    href: str | None = None


@dataclass
class Built:
    pages: int = 0
    ledger_rows: int = 0
    without_text: list[str] = field(default_factory=list)    # sources shown without their full text
    unreadable: list[str] = field(default_factory=list)


def _read_record(path: Path) -> dict | None:
    import json

    text = path.read_text(encoding="utf-8")
    rec = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=getattr(yaml, "CSafeLoader",
                                                                                          yaml.SafeLoader))
    return rec if isinstance(rec, dict) and isinstance(rec.get("tasks"), list) and "document" in rec else None


def _page_name(source: str, taken: set[str]) -> str:
    """docs/<source>.html with only plain path parts (a record's source is data, not a path
    to trust: no '..', no absolute path)."""
    parts = [p for p in PurePosixPath(source.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    name = "docs/" + "/".join(p.replace("\0", "") for p in parts or ["document"])
    candidate, n = name + ".html", 1
    while candidate in taken:
        n += 1
        candidate = f"{name}.{n}.html"
    taken.add(candidate)
    return candidate


def _href(from_page: str, to_page: str) -> str:
    return quote(posixpath.relpath(to_page, posixpath.dirname(from_page) or "."))


def read_run(out: Path) -> tuple[list[Entry], dict | None, list[str]]:
    """The entries of a run: from OUT/report.yml when there is one (every input accounted
    for), plus records found under OUT/records (or OUT itself) that the report does not name."""
    records_dir = out / "records" if (out / "records").is_dir() else out
    report = None
    if (out / "report.yml").is_file():
        report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
    unreadable: list[str] = []
    by_source: dict[str, Entry] = {}
    entries: list[Entry] = []
    for d in (report or {}).get("documents") or []:
        status = d.get("status") or "?"
        e = Entry(str(d.get("source")), d.get("previous_status") or status if status == "unchanged" else status,
                  d.get("reason"), status == "unchanged")
        if d.get("output") and e.status == "done":
            e.record_path = out / str(d["output"])
        entries.append(e)
        by_source[e.source] = e
    for p in sorted(q for q in records_dir.rglob("*") if q.suffix in (".yml", ".yaml", ".json") and q.is_file()):
        if p.parent == out and p.name in ("report.yml", "manifest.json") or TEXT_DIR in p.relative_to(out).parts:
            continue
        try:
            rec = _read_record(p)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            unreadable.append(f"{p}: {type(exc).__name__}")
            continue
        if rec is None:
            continue
        source = str(rec["document"].get("source") or p.relative_to(records_dir).as_posix())
        known = by_source.get(source)
        if known is None:
            known = Entry(source, "done")
            entries.append(known)
            by_source[source] = known
        if known.record is None:
            known.record, known.record_path = rec, p
    return entries, report, unreadable


def load_text(text_dir: Path, record: dict) -> tuple[str | None, list[page.BlockSpan] | None, str | None]:
    """(text, blocks, notice): the stored cleaned text of the record's document, or None
    and the reason it cannot be shown."""
    from ..docstore import load_document

    source = str(record["document"].get("source") or "")
    path = text_dir / f"{source}.json"
    if not path.is_file():
        return None, None, (f"正文未保存：{path} 不存在（此记录来自未保存正文的运行；用 run --force 重新运行可得全文）。"
                            f"只显示各任务原文。 The run kept no cleaned text for this document: only the tasks are shown.")
    try:
        doc, doc_id = load_document(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, None, f"正文无法读取 ({path}: {type(exc).__name__})：只显示各任务原文。"
    if doc_id != record["document"].get("id"):
        return None, None, (f"保存的正文属于该文件的另一版本 (id {doc_id} ≠ {record['document'].get('id')})："
                            f"只显示各任务原文。 The stored text is of another version of the file.")
    bad = page.text_mismatch(record, doc.text)
    if bad:
        return None, None, f"保存的正文与记录不符 ({bad})：只显示各任务原文。"
    return doc.text, [(b.start, b.end, b.kind, b.page) for b in doc.blocks], None


# -- building --------------------------------------------------------------------------------

def build_site(out: str | Path, dest: str | Path, text_dir: str | Path | None = None) -> Built:
    out, dest = Path(out), Path(dest)
    if not out.is_dir():
        raise FileNotFoundError(f"run output folder not found: {out}")
    tdir = Path(text_dir) if text_dir else out / TEXT_DIR
    entries, report, unreadable = read_run(out)
    built = Built(unreadable=unreadable)
    taken: set[str] = set()
    page_of: dict[str, str] = {}
    for e in entries:
        if e.record is None and e.record_path is not None and e.record_path.is_file():
            try:
                e.record = _read_record(e.record_path)
            except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
                unreadable.append(f"{e.record_path}: {type(exc).__name__}")
        if e.record is None:
            continue
        name = _page_name(e.source, taken)
        page_of[e.source] = name
        text, blocks, notice = load_text(tdir, e.record)
        if notice:
            built.without_text.append(e.source)
        root = _href(name, "index.html")[:-len("index.html")]
        write_atomic(dest / name, render_page(page.document_page(e.record, text, blocks, notice), root))
        e.href = _href("index.html", name)
        built.pages += 1

    records = [e.record for e in entries if e.record is not None]
    rows = ledger.ledger_rows(records)
    built.ledger_rows = len(rows)
    write_atomic(dest / "ledger.html", render("ledger.html.j2", root="", batch=_batch(out, report, entries, rows),
                                             **_ledger_view(rows, page_of)))
    write_atomic(dest / "index.html", render("index.html.j2", root="", batch=_batch(out, report, entries, rows, built)))
    _forget_stale_pages(dest, set(page_of.values()))
    return built


PAGES_LIST = ".policy-pipeline-pages.json"     # the pages the last build wrote


def _forget_stale_pages(dest: Path, pages: set[str]) -> None:
    """A rebuild into the same folder removes the pages of documents no longer in the run,
    and only those: the ones the previous build listed that this one did not write."""
    import json

    listing = dest / PAGES_LIST
    try:
        before = set(json.loads(listing.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        before = set()
    for name in sorted(before - pages):
        if isinstance(name, str) and name.startswith("docs/") and name.endswith(".html") and ".." not in name.split("/"):
            (dest / name).unlink(missing_ok=True)
    write_atomic(listing, json.dumps(sorted(pages), ensure_ascii=False))


def _batch(out: Path, report: dict | None, entries: list[Entry], rows: list, built: Built | None = None) -> dict:
    by_status: dict[str, int] = {}
    for e in entries:
        by_status[e.status] = by_status.get(e.status, 0) + 1
    summary = f"{len(entries)} 个文件 entries: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    if report:
        summary += f" · 运行 run: {', '.join(report.get('inputs') or [])} · rules {report.get('rules_digest')}"
    notices = []
    if report is None:
        notices.append(f"{out} 没有 report.yml：只列出找到的记录。 No run report: only the records found are listed.")
    if built and built.without_text:
        notices.append(f"{len(built.without_text)} 个文件只显示任务原文（运行未保存正文）。")
    if built and built.unreadable:
        notices.append("无法读取 unreadable: " + "; ".join(built.unreadable))
    docs = []
    for e in entries:
        d: dict[str, Any] = {"source": e.source, "status": e.status, "reason": e.reason, "unchanged": e.unchanged, "href": e.href,
             "title": None, "doc_number": None, "counts": None, "review_reasons": "", "warning_codes": ""}
        if e.record is not None:
            doc = e.record["document"]
            d.update(title=doc.get("title") or doc.get("enclosed_title"), doc_number=doc.get("doc_number"),
                     counts=page.counts(e.record))
            why: dict[str, int] = {}
            for t in e.record["tasks"]:
                for c in review.reasons(t, doc):
                    why[review.label(c)] = why.get(review.label(c), 0) + 1
            d["review_reasons"] = "；".join(f"{k} {v}" for k, v in why.items())
            codes: dict[str, int] = {}
            for w in doc.get("warnings") or []:
                codes[str(w.get("code"))] = codes.get(str(w.get("code")), 0) + 1
            d["warning_codes"] = ", ".join(f"{k} {v}" for k, v in codes.items())
        docs.append(d)
    return {"name": out.name or str(out), "summary": summary, "notices": notices, "documents": docs,
            "ledger_rows": len(rows)}


def _ledger_view(rows: list, page_of: dict[str, str]) -> dict:
    view = []
    docs: dict[str, str] = {}
    for n, r in enumerate(rows, 1):
        source = r.document.get("source") or ""
        target = page_of.get(source)
        dated = sorted(d.date.isoformat() for d in r.dated)
        docs.setdefault(source, r.title)
        view.append({
            "seq": n, "title": r.title, "doc_number": r.document.get("doc_number"), "name": r.name,
            "href": quote(target) if target else "", "task_href": (quote(target) + "#" + quote(r.task["id"])) if target else "",
            "lead": r.lead, "co": r.co, "responsible": r.responsible, "units": r.unit_keys,
            "shown": [d.shown for d in r.dues], "due_texts": [d.text for d in r.dues], "dues": dated,
            "first_due": dated[0] if dated else "",
            "thresholds": [ledger.threshold_text(x) for x in r.thresholds],
            "review": [review.label(c) for c in r.review], "doc": source,
        })
    units = [(u, len(rs)) for u, rs in ledger.unit_sheets(rows).items()]
    return {"rows": view, "units": units, "documents": sorted(docs.items(), key=lambda kv: kv[1]),
            "columns": LEDGER_COLUMNS}
