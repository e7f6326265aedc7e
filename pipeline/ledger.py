"""A task ledger (工作台账) from records: one CSV row per task, for spreadsheets."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

COLUMNS = ("source", "title", "doc_number", "issued_on", "task_id", "section", "task",
           "lead", "co", "responsible", "deadline", "deadline_date", "thresholds", "page")


def _units(task: dict, role: str) -> str:
    return "、".join(u["unit"] for u in task["responsible"] if u["role"] == role)


def _deadline_date(d: dict) -> str:
    return d.get("date") or d.get("resolved") or ""


def rows(record: dict):
    doc = record["document"]
    for t in record["tasks"]:
        yield {
            "title": doc.get("title") or "",
            "doc_number": doc.get("doc_number") or "",
            "issued_on": doc.get("issued_on") or "",
            "task_id": t["id"],
            "section": " > ".join(t["path"]),
            "task": t["text"],
            "lead": _units(t, "lead"),
            "co": _units(t, "co"),
            "responsible": _units(t, "responsible"),
            "deadline": "；".join(d["text"] for d in t["deadlines"]),
            "deadline_date": "；".join(x for x in (_deadline_date(d) for d in t["deadlines"]) if x),
            "thresholds": "；".join(f"{x.get('subject') or ''}{x['op']}{x['value']}{x.get('unit') or ''}"
                                   for x in t["thresholds"]),
            "source": doc["source"],
            "page": t["span"].get("page") or "",
        }


def write_ledger(records_dir: str | Path, out: str | Path) -> int:
    """Write a UTF-8 CSV (with BOM, so spreadsheet programs read Chinese) of every task."""
    from .emit import write_atomic

    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    n = 0
    for p in sorted(Path(records_dir).rglob("*.yml")):
        record = yaml.load(p.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if not isinstance(record, dict) or "tasks" not in record:
            continue  # a run report kept beside the records
        for row in rows(record):
            writer.writerow(row)
            n += 1
    write_atomic(out, buf.getvalue())
    return n
