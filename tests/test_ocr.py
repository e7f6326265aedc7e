"""OCR of PDF pages without a usable text layer (pipeline/ingest/pdf/ocr.py).

The scanned PDF is made here from a corpus PDF: its pages rendered by pypdfium2 at
144 dpi and written back as an image-only PDF. The record read from it by OCR must
agree with the text PDF's record within the tolerances below (OCR misreads a few
characters, and a misread character inside a unit name or date loses that fact).
"""
from __future__ import annotations

import io
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.ingest import pdf as pdf_ingest
from pipeline.ingest.pdf.ocr import normalise
from pipeline.model import IngestError
from tools.scanned_pdf import image_only_pdf

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra (rapidocr-onnxruntime) is not installed")

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "raw" / "seeds" / "003_2f6965311e0af134.pdf"
PAGES = [0, 1, 4, 5]  # title, units, deadlines, signature: four pages, ~10-40 s on two cores

# tolerances: share of the text PDF's facts the OCR'd record must also have, and
# share of the OCR'd record's facts the text PDF must have
UNIT_RECALL = UNIT_PRECISION = 0.8
DEADLINE_RECALL = DEADLINE_PRECISION = 0.8
TASK_COUNT_SLACK = 0.2


def _save(pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@lru_cache(maxsize=None)
def _pair() -> tuple[bytes, bytes]:
    """(text PDF of PAGES, the same pages as an image-only PDF)."""
    import pypdfium2 as pdfium

    assert SOURCE.is_file(), f"missing corpus PDF {SOURCE}"
    src = pdfium.PdfDocument(SOURCE.read_bytes())
    text = pdfium.PdfDocument.new()
    text.import_pages(src, PAGES)
    return _save(text), image_only_pdf(SOURCE.read_bytes(), PAGES, scale=2.0)


@lru_cache(maxsize=None)
def _records(rules_id: int, rules) -> tuple[dict, dict]:
    from pipeline.process import process_bytes

    text, scan = _pair()
    return process_bytes(text, "text.pdf", rules), process_bytes(scan, "scan.pdf", rules)


def _units(record) -> Counter:
    """Every unit assignment (unit, role), counted over the tasks."""
    return Counter((u["unit"], u["role"]) for t in record["tasks"] for u in t["responsible"])


def _deadlines(record) -> Counter:
    return Counter((d["type"], str(d.get("date")), d.get("amount"), d.get("unit"))
                   for t in record["tasks"] for d in t["deadlines"])


def _share(a: Counter, b: Counter) -> float:
    """Share of ``a``'s facts also in ``b``."""
    return sum((a & b).values()) / sum(a.values()) if a else 1.0


def test_scanned_pdf_gives_the_text_pdfs_record(rules):
    from pipeline.schema import validate

    want, got = _records(id(rules), rules)
    validate(got)
    doc = got["document"]
    assert doc["pages_ocr"] == list(range(1, len(PAGES) + 1))
    assert doc["ocr_confidence"] is not None and doc["ocr_confidence"] > 0.9
    assert want["document"]["pages_ocr"] == [] and want["document"]["ocr_confidence"] is None
    assert {w["page"] for w in doc["warnings"] if w["code"] == "ocr"} == set(doc["pages_ocr"])
    assert want["document"]["title"] and got["document"]["title"] == want["document"]["title"]

    n_want, n_got = len(want["tasks"]), len(got["tasks"])
    assert n_want >= 5, "fixture: the text PDF's pages should hold tasks"
    assert abs(n_got - n_want) <= TASK_COUNT_SLACK * n_want, (n_got, n_want)
    uw, ug = _units(want), _units(got)
    assert sum(uw.values()) >= 8, "fixture: the text PDF's pages should assign units"
    assert _share(uw, ug) >= UNIT_RECALL, sorted((uw - ug).elements())
    assert _share(ug, uw) >= UNIT_PRECISION, sorted((ug - uw).elements())
    dw, dg = _deadlines(want), _deadlines(got)
    assert sum(dw.values()) >= 1, "fixture: the text PDF's pages should state a deadline"
    assert _share(dw, dg) >= DEADLINE_RECALL, sorted((dw - dg).elements())
    assert _share(dg, dw) >= DEADLINE_PRECISION, sorted((dg - dw).elements())


def test_ocr_off_reports_the_scanned_pages():
    _, scan = _pair()
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(scan, "scan.pdf", ocr="off")
    assert e.value.reason == f"no usable text layer: {len(PAGES)} pages scanned/broken font map"


def test_missing_ocr_extra_is_a_clear_message(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_rapidocr(name, *args, **kwargs):
        if name.startswith("rapidocr_onnxruntime"):
            raise ImportError("No module named 'rapidocr_onnxruntime'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rapidocr)
    _, scan = _pair()
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(scan, "scan.pdf")
    assert e.value.reason.endswith("OCR unavailable: pip install 'policy-pipeline[ocr]'")


def test_force_reads_a_text_page_by_ocr():
    """--ocr force ignores the text layer; what OCR reads is close to it."""
    import difflib
    import re

    import pypdfium2 as pdfium

    one = pdfium.PdfDocument.new()
    one.import_pages(pdfium.PdfDocument(SOURCE.read_bytes()), [0])
    data = _save(one)
    text = pdf_ingest.read(data, "p1.pdf")
    ocr = pdf_ingest.read(data, "p1.pdf", ocr="force")
    assert text.pages_ocr == [] and ocr.pages_ocr == [1]
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    ratio = difflib.SequenceMatcher(None, squash(ocr.text), squash(text.text), autojunk=False).ratio()
    assert ratio >= 0.95, ratio


@pytest.mark.parametrize("raw, fixed", [
    ("各部门丶江北公司", "各部门、江北公司"),        # the radical 丶 for 、
    ("二O二一年", "二〇二一年"),                    # Latin O inside a Chinese year
    ("工作要点·", "工作要点。"),                    # a full stop read as a dot
    ("— 4 一", "— 4 —"),                          # page-number dashes read as 一
    ("一、总体要求", "一、总体要求"),              # a real 一 stays
    ("张三·李四", "张三·李四"),                    # a name's middle dot stays
    ("O2O模式", "O2O模式"),                        # Latin text stays
])
def test_punctuation_confusions(raw, fixed):
    assert normalise(raw) == fixed and len(normalise(raw)) == len(raw)
