"""The PDF reader's direct PDFium calls (``pipeline.ingest.pdf.chars``: handles without
ctypes conversion, structs unpacked with ``struct``) against pypdfium2's own typed API on
corpus pages: same characters and boxes, same page objects counted. A wrong signature,
struct layout or handle type would show here, not only as a changed record."""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from pipeline.ingest.pdf import chars as C

ROOT = Path(__file__).resolve().parents[1]
MORE = ROOT / "corpus" / "raw" / "more"
SEEDS = ROOT / "corpus" / "raw" / "seeds"


def _reference_probe(page) -> C.Probe:
    """The probe's counts from pypdfium2's object walk (forms entered by pypdfium2)."""
    pr = C.Probe()
    for obj in page.get_objects(max_depth=8):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            pr.images += 1
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            w, h = right - left, top - bottom
            if h <= C._RULE and w >= C._RULE_LEN:
                pr.h_rules += 1
            elif w <= C._RULE and h >= C._RULE_LEN:
                pr.v_rules += 1
            elif w >= C._RULE_LEN and h >= C._RULE_LEN:
                pr.h_rules += 2
                pr.v_rules += 2
    return pr


@pytest.mark.parametrize("path", [
    MORE / "503_shaanxi_xinxing_chuneng_fangan_2024.pdf",   # images inside form XObjects
    SEEDS / "002_be06cf5f2f6cd198.pdf",                       # ruled statistics tables
    MORE / "910_dongguan_gongjijin_tiqu_tongzhi_2023.pdf",    # images and ruled pages
])
def test_probe_counts_what_pypdfium2_walks(path):
    pdf = pdfium.PdfDocument(str(path))
    seen = C.Probe()
    for i in range(len(pdf)):
        page = pdf[i]
        got, want = C.probe(page.raw), _reference_probe(page)
        assert (got.images, got.h_rules, got.v_rules) == (want.images, want.h_rules, want.v_rules), (path.name, i)
        seen.images += got.images
        seen.h_rules += got.h_rules
    assert seen.images or seen.h_rules, "fixture: the file should have images or ruling lines"


def test_page_chars_are_pypdfium2s_characters_and_loose_boxes():
    """Every character page_chars keeps is PDFium's, with its loose box (x from the media
    box's left edge), in PDFium's order; rotated or generated ones are the only ones left out."""
    pdf = pdfium.PdfDocument(str(SEEDS / "001_71262d750d9eb121.pdf"))
    total = 0
    for i in range(3):
        page = pdf[i]
        tp = page.get_textpage()
        got, bad = C.page_chars(page, tp)
        left = page.get_mediabox()[0]
        want = []
        for k in range(tp.count_chars()):
            u = raw.FPDFText_GetUnicode(tp, k)
            if u in (0, 0x0A, 0x0D, 0xFFFE) or raw.FPDFText_IsGenerated(tp, k) == 1:
                continue
            x0, _, x1, _ = tp.get_charbox(k, loose=True)
            want.append((chr(u), x0 - left, x1 - left))
        kept = [(c["text"], c["x0"], c["x1"]) for c in got]
        assert bad == 0
        assert kept == want
        assert {c["fontname"] for c in got} and all(c["size"] > 0 for c in got)
        total += len(kept)
        tp.close()
    assert total > 500
