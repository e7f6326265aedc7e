"""Write the ledger in the format its file name asks for: .xlsx, .csv or .jsonl; and its
dated deadlines as .ics. Files are written whole to a temporary file, then renamed, with
the user's umask."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from .ledger import (COLUMNS, FORMULA_START, HIDDEN_COLUMNS, Filters, Row, cells, due_rows, ledger_rows,
                     read_records)
from ..emit import write_atomic
from .review import label

FORMATS = (".xlsx", ".csv", ".jsonl")


class LedgerFormatError(ValueError):
    """The output file's extension names no format the ledger writes."""


def write_bytes(path: str | Path, data: bytes) -> None:
    write_atomic(path, data)


def _csv_cell(v) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    s = "" if v is None else str(v)
    # a spreadsheet opening the CSV would run "=…" as a formula: a leading ' keeps it text
    return "'" + s if s.startswith(FORMULA_START) else s


def csv_bytes(rows: list[Row]) -> bytes:
    """UTF-8 with BOM (spreadsheet programs then read Chinese), the hidden columns last."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(list(COLUMNS) + list(HIDDEN_COLUMNS))
    for i, r in enumerate(rows, 1):
        w.writerow([_csv_cell(v) for v in cells(r, i)])
    return buf.getvalue().encode("utf-8")


def _json_default(v):
    if isinstance(v, dt.date):
        return v.isoformat()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


def jsonl_line(row: Row) -> dict:
    """One task with its document's metadata, in the record's own field names (for imports)."""
    d = row.document
    doc = {k: d.get(k) for k in ("id", "source", "title", "doc_number", "issuer", "issued_on", "format")}
    doc["renditions"] = row.renditions
    return {"document": doc, **row.task, "name": row.name,
            "due_dates": [x.date.isoformat() for x in row.dated if x.date],
            "review": [{"code": c, "label": label(c)} for c in row.review]}


def jsonl_bytes(rows: list[Row]) -> bytes:
    return "".join(json.dumps(jsonl_line(r), ensure_ascii=False, default=_json_default) + "\n"
                   for r in rows).encode("utf-8")


def write_ledger(records_dir: str | Path, out: str | Path, filters: Filters | None = None,
                 ics: str | Path | None = None, unreadable: list[str] | None = None) -> int:
    """Write the ledger of every record under ``records_dir`` to ``out`` (format from its
    extension) and, with ``ics``, the calendar of its dated deadlines. Returns the number
    of task rows written; record files that do not parse are named in ``unreadable``."""
    ext = Path(out).suffix.lower()
    if ext not in FORMATS:
        raise LedgerFormatError(f"{out}: unknown ledger format {ext or '(none)'} (use {', '.join(FORMATS)})")
    rows = ledger_rows(read_records(records_dir, unreadable), filters)
    if ext == ".xlsx":
        from .ledger_xlsx import xlsx_bytes

        data = xlsx_bytes(rows, filters)
    elif ext == ".csv":
        data = csv_bytes(rows)
    else:
        data = jsonl_bytes(rows)
    write_bytes(out, data)
    if ics:
        from .ics import ics_bytes

        write_bytes(ics, ics_bytes(due_rows(rows, filters)))
    return len(rows)
