"""Why a task needs a person's check (the ledger's 需复核 column).

Reasons come from the record alone: facts that are missing (no unit, no deadline), facts
the extractors could not finish (a date without a year, a relative deadline whose document
date is unknown), facts rebuilt from damaged text (recovered dates), and text that may be
wrong (garbled characters, a page read by OCR with low confidence). A record's own
``tasks[].review`` entries, where present, are kept as well. A unit stated outside the
task's text is not judged here: a 牵头单位：… line after an item is the normal form, and
only the extractor that attached the unit knows which rule did it.
"""
from __future__ import annotations

# Below this mean recognition score a page read by OCR is worth a look (rapidocr scores
# clean 300-dpi pages at 0.95 and above; docs/pdf.md).
OCR_REVIEW_BELOW = 0.9

LABELS = {
    "no_unit": "无责任单位",
    "no_deadline": "无完成时限",
    "date_unresolved": "时限未能确定日期",
    "relative_unresolved": "成文日期不明，相对时限未推算",
    "date_recovered": "日期由残缺文字修复",
    "unit_outside_task": "责任单位不在任务原文内",   # set by the extractors (tasks[].review)
    "garbled_text": "含乱码",
    "ocr_low_confidence": "OCR识别置信度低",
}


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def deadline_reasons(d: dict, document: dict) -> list[str]:
    """Review codes of one deadline (the review site marks the deadline itself)."""
    found = []
    if d.get("type") == "date" and not d.get("date"):
        found.append("date_unresolved")
    # an event-anchored deadline (收到申请之日起5日内) has no date by nature; one is only
    # missing when the document's own date is
    if d.get("type") == "relative" and not d.get("resolved") and not document.get("issued_on"):
        found.append("relative_unresolved")
    if d.get("recovered"):
        found.append("date_recovered")
    return found


def reasons(task: dict, document: dict) -> list[str]:
    """Review codes for one task, in a fixed order (keys of LABELS, then the record's own)."""
    found: list[str] = []
    span = task.get("span") or {}
    start, end = span.get("start", 0), span.get("end", 0)
    if not task.get("responsible"):
        found.append("no_unit")
    deadlines = task.get("deadlines") or []
    if not deadlines:
        found.append("no_deadline")
    for d in deadlines:
        found.extend(deadline_reasons(d, document))
    for w in document.get("warnings") or []:
        ws = w.get("span")
        if w.get("code") == "mojibake" and ws and _overlaps(ws[0], ws[1], start, end):
            found.append("garbled_text")
    page = span.get("page")
    if page is not None and page in (document.get("pages_ocr") or []):
        low_doc = (document.get("ocr_confidence") or 1.0) < OCR_REVIEW_BELOW
        low_page = any(w.get("code") == "ocr_low_confidence" and w.get("page") == page
                       for w in document.get("warnings") or [])
        if low_doc or low_page:
            found.append("ocr_low_confidence")
    for r in task.get("review") or []:      # the record's own reasons (schema addition)
        found.append(str(r.get("code") or r) if isinstance(r, dict) else str(r))
    return list(dict.fromkeys(found))


def label(code: str) -> str:
    return LABELS.get(code, code)
