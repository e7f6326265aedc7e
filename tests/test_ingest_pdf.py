"""pipeline.ingest.pdf on the corpus PDFs (LibreOffice renditions of the seed texts) and
on bad files made from them: truncated, encrypted, image-only pages, broken font maps.

The seed PDFs are required: a missing corpus fails these tests (regenerate it with
``python tools/render_corpus.py``).
"""
from __future__ import annotations

import difflib
import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.ingest import pdf as pdf_ingest
from pipeline.model import IngestError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "raw" / "seeds"
TABLES = ROOT / "corpus" / "raw" / "tables"

# The seed TXT has site junk around the body: the body runs from the title line to the
# line starting with the second string (the document's last body line).
BODY = {
    "000_616882cabf01649c": ("南昌市人民政府辦公室關于印發2021年南昌市政務公開工作方案的通知",
                             "各縣(區)、各部門要根據本工作方案"),
    "001_71262d750d9eb121": ("龙江县人民政府办公室 关于印发《龙江县全面推进 政务公开工作实施意见》的通知",
                             "龙江县政府办公室"),
    "002_be06cf5f2f6cd198": ("2018年南昌市政府信息公开工作年报", "424"),
    "003_2f6965311e0af134": ("关于开展政务公开“六提六促”专项行动的通知", "专项行动分为两个阶段"),
    "004_faeede1183fd7fea": ("2021 年政务公开工作要点印发,以人民为中心深化政务公开",
                             "各地区、各部门要把这些要点的落实情况"),
}
FAKE_BOLD = ("001_71262d750d9eb121", "一、全面推进政务公开工作的总体要求")
PAGE_NUMBER = re.compile(r"[—–-]\s*\d{1,3}\s*[—–-]")


def _ws(s: str) -> str:
    return re.sub(r"\s+", "", s)


@lru_cache(maxsize=None)
def _bytes(path: Path) -> bytes:
    return path.read_bytes()


@lru_cache(maxsize=None)
def _doc(path: Path):
    return pdf_ingest.read(_bytes(path), path.name)


def _seed_pdf(stem: str) -> Path:
    path = SEEDS / f"{stem}.pdf"
    assert path.is_file(), f"missing corpus PDF {path} (run tools/render_corpus.py)"
    return path


def _seed_body(stem: str) -> str:
    title, last = BODY[stem]
    lines = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == title)
    end = next(i for i in range(len(lines) - 1, start, -1) if lines[i].strip().startswith(last))
    return "\n".join(lines[start:end + 1])


def _raw_text(path: Path, page: int | None = None) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(_bytes(path))) as pdf:
        pages = pdf.pages if page is None else [pdf.pages[page - 1]]
        return "\n".join(p.extract_text() or "" for p in pages)


# ---------------------------------------------------------------------------- corpus


def test_seed_pdfs_present():
    found = {p.stem for p in SEEDS.glob("*.pdf")}
    assert set(BODY) <= found, f"missing seed PDFs: {sorted(set(BODY) - found)}"


@pytest.mark.parametrize("stem", sorted(BODY))
def test_body_text_matches_seed(stem):
    doc = _doc(_seed_pdf(stem))
    assert doc.format == "pdf" and doc.source == f"{stem}.pdf"
    assert doc.pages and doc.pages >= 2
    assert doc.text and doc.blocks[-1].end == len(doc.text)
    got, want = _ws(doc.text), _ws(_seed_body(stem))
    ratio = difflib.SequenceMatcher(None, got, want, autojunk=False).ratio()
    assert ratio >= 0.98, f"{stem}: similarity {ratio:.4f}"


@pytest.mark.parametrize("stem", sorted(BODY))
def test_wrapped_lines_rejoined(stem):
    """Every long line of the seed (one paragraph) comes out whole in one block."""
    num = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.、])")

    def norm(s):   # the renditions number lists themselves: compare without numbers
        return num.sub("", unicodedata.normalize("NFKC", _ws(s)))

    doc = _doc(_seed_pdf(stem))
    blocks = [norm(b.text) for b in doc.blocks]
    paras = [norm(ln) for ln in _seed_body(stem).splitlines()]
    paras = [p for p in paras if len(p) >= 30 and not p.startswith("发布时间")]
    whole = [p for p in paras if any(p in b for b in blocks)]
    assert len(whole) >= 0.95 * len(paras), [p[:30] for p in paras if p not in whole]
    # and not glued to the next paragraph
    exact = [p for p in paras if p in blocks]
    assert len(exact) >= 0.9 * len(paras)


@pytest.mark.parametrize("stem", sorted(BODY))
def test_no_page_numbers_and_pages_on_blocks(stem):
    path = _seed_pdf(stem)
    doc = _doc(path)
    assert PAGE_NUMBER.search(_raw_text(path, 1)), "fixture: page 1 should have a — 1 — footer"
    assert not PAGE_NUMBER.search(doc.text)
    pages = [b.page for b in doc.blocks]
    assert all(isinstance(p, int) and 1 <= p <= doc.pages for p in pages)
    assert pages == sorted(pages)
    assert pages[-1] >= doc.pages - 1


def test_title_is_first_heading():
    for stem, (title, _) in BODY.items():
        first = _doc(_seed_pdf(stem)).blocks[0]
        assert first.kind == "heading" and first.level_hint == 1, (stem, first)
        assert _ws(first.text) == _ws(title)


def test_fake_bold_heading_deduplicated():
    stem, heading = FAKE_BOLD
    path = _seed_pdf(stem)
    doc = _doc(path)
    hits = [b for b in doc.blocks if b.text == heading]
    assert len(hits) == 1 and hits[0].kind == "heading" and hits[0].level_hint is not None
    doubled = "".join(ch * 2 for ch in heading[:4])          # 一一、、全全面面
    assert doubled in _ws(_raw_text(path, hits[0].page)), "fixture: the heading should be overprinted"
    assert doubled not in _ws(doc.text)


def test_layout_gap_between_digits_and_cjk_dropped():
    path = _seed_pdf("000_616882cabf01649c")
    assert "2021 年" in _raw_text(path, 1)                   # pdfplumber's own text
    doc = _doc(path)
    assert "2021 年" not in doc.text and "2021年6月4日" in doc.text


def _tables(doc):
    out = {}
    for b in doc.blocks:
        if b.kind == "table_row":
            out.setdefault(b.table, []).append(b)
    return out


def test_statistics_table_crossing_pages():
    doc = _doc(_seed_pdf("002_be06cf5f2f6cd198"))
    tables = _tables(doc)
    assert len(tables) == 1, sorted(tables)
    rows = tables[0]
    assert len({r.page for r in rows}) >= 2
    assert [r.header for r in rows].count(True) == 1 and rows[0].header
    assert all(len(r.cells) == len(rows[0].cells) and r.text == "\t".join(r.cells) for r in rows)
    cells = {r.cells[0]: r.cells[-1] for r in rows}
    assert any(v == "424" for v in cells.values())             # the last row, on a later page
    # table text is not repeated in the prose
    prose = "".join(b.text for b in doc.blocks if b.kind != "table_row")
    assert "其中:主动公开规范性文件数" not in prose


def test_task_table_crossing_pages():
    path = TABLES / "003_taskplan_table.pdf"
    assert path.is_file(), f"missing corpus PDF {path}"
    doc = _doc(path)
    tables = _tables(doc)
    assert len(tables) == 1
    rows = tables[0]
    assert len({r.page for r in rows}) >= 2
    assert [r.header for r in rows] == [True] + [False] * (len(rows) - 1)
    assert rows[0].cells[0] == "序号"
    numbers = [r.cells[0] for r in rows if r.cells[0].isdigit()]
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)] and len(numbers) >= 10
    # a cell's wrapped lines are joined without spaces
    assert all(" " not in c for r in rows for c in r.cells if re.search(r"[\u4e00-\u9fff]", c))


# ---------------------------------------------------------------------------- bad files


def _small() -> bytes:
    return _bytes(_seed_pdf("003_2f6965311e0af134"))


def test_truncated_pdf():
    data = _small()
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(data[: len(data) // 2], "half.pdf")
    assert e.value.status == "failed"
    assert e.value.reason.startswith("corrupt or truncated PDF")
    assert "\n" not in e.value.reason


@pytest.mark.parametrize("algorithm", ["AES-256", "RC4-128"])
def test_encrypted_pdf(algorithm):
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_small())))
    w.encrypt(user_password="secret", owner_password="owner", algorithm=algorithm)
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(buf.getvalue(), "locked.pdf")
    assert e.value.status == "failed"
    assert e.value.reason == "encrypted PDF (password required)"


def test_owner_password_only_is_readable():
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_small())))
    w.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    doc = pdf_ingest.read(buf.getvalue(), "restricted.pdf")
    assert "专项行动" in doc.text


@pytest.mark.parametrize("data", [b"", b"hello, not a pdf", b"%PDF-1.7\n%%EOF\n"])
def test_not_a_pdf(data):
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(data, "x.pdf")
    assert e.value.status == "failed" and e.value.reason


def test_too_many_pages():
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(_small(), "x.pdf", max_pages=2)
    assert e.value.reason.startswith("too many pages")


def _image_page(pdf):
    """Append a page holding only a picture of text lines (a scan without OCR)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (210, 297), "white")
    draw = ImageDraw.Draw(img)
    for y in range(30, 270, 12):
        draw.line((25, y, 185, y), fill="black", width=3)
    page = pdf.new_page(595, 842)
    obj = pdfium.PdfImage.new(pdf)
    obj.set_bitmap(pdfium.PdfBitmap.from_pil(img))
    obj.set_matrix(pdfium.PdfMatrix().scale(595, 842))
    page.insert_obj(obj)
    page.gen_content()


def _save(pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_image_only_page_warns():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(_small())
    n = len(pdf)
    _image_page(pdf)
    doc = pdf_ingest.read(_save(pdf), "scan.pdf")
    assert doc.pages == n + 1
    warn = [w for w in doc.warnings if w.code == "no_text_layer"]
    assert [w.page for w in warn] == [n + 1]
    assert warn[0].message == f"page {n + 1} has no text layer (scanned?)"
    assert all(b.page <= n for b in doc.blocks)
    assert _ws(doc.text) == _ws(_doc(_seed_pdf("003_2f6965311e0af134")).text)


def test_scanned_only_pdf_fails():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    _image_page(pdf)
    _image_page(pdf)
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(_save(pdf), "scan.pdf")
    assert e.value.reason == "no usable text layer: 2 pages scanned/broken font map"


def _without_tounicode(data: bytes) -> bytes:
    # same length, so the cross-reference offsets stay valid
    assert b"/ToUnicode" in data
    return data.replace(b"/ToUnicode", b"/ToUnicodX")


def test_broken_font_map_everywhere_fails():
    import pdfplumber

    broken = _without_tounicode(_small())
    with pdfplumber.open(io.BytesIO(broken)) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()          # fixture: unmapped glyphs
    with pytest.raises(IngestError) as e:
        pdf_ingest.read(broken, "broken.pdf", ocr="off")      # OCR'd instead: test_ocr.py
    assert e.value.reason.startswith("no usable text layer: ")
    assert e.value.reason.endswith(" pages scanned/broken font map")


def test_broken_font_map_page_skipped_with_warning():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    broken = pdfium.PdfDocument(_without_tounicode(_small()))
    good = pdfium.PdfDocument(_bytes(_seed_pdf("004_faeede1183fd7fea")))
    pdf.import_pages(broken, [0])
    pdf.import_pages(good)
    doc = pdf_ingest.read(_save(pdf), "mixed.pdf", ocr="off")
    warn = [w for w in doc.warnings if w.code == "broken_font_map"]
    assert [w.page for w in warn] == [1]
    assert "\ufffd" not in doc.text and "(cid:" not in doc.text
    assert doc.blocks[0].page == 2
    assert doc.blocks[0].text.startswith("2021 年政务公开工作要点")


# ---------------------------------------------------------------------------- fallback


def test_text_does_not_depend_on_pdfplumber(monkeypatch):
    """pdfplumber returns no characters for some CFF-based CJK fonts, silently: the
    text comes from pypdfium2, so such a loss changes nothing."""
    import pdfplumber.page

    path = _seed_pdf("003_2f6965311e0af134")
    normal = _doc(path)
    monkeypatch.setattr(pdfplumber.page.Page, "chars", property(lambda self: []))
    doc = pdf_ingest.read(_bytes(path), path.name)
    assert not doc.warnings
    assert doc.text == normal.text
    assert [(b.kind, b.page) for b in doc.blocks] == [(b.kind, b.page) for b in normal.blocks]


def test_pdfplumber_fallback_when_pdfium_text_is_unmapped(monkeypatch):
    """A page whose pypdfium2 characters are mostly unmapped is read from pdfplumber's
    characters instead, with a pdf_fallback warning."""
    from pipeline.ingest.pdf import chars

    path = _seed_pdf("003_2f6965311e0af134")
    normal = _doc(path)
    real = chars.page_chars

    def unmapped_on_one_page(page, textpage):
        out, bad = real(page, textpage)
        if "二、主要内容" in "".join(c["text"] for c in out):
            out = [dict(c, text="\ufffd") for c in out]
            bad = len(out)
        return out, bad

    monkeypatch.setattr(chars, "page_chars", unmapped_on_one_page)
    doc = pdf_ingest.read(_bytes(path), path.name, ocr="off")
    fallback = [w.page for w in doc.warnings if w.code == "pdf_fallback"]
    assert len(fallback) == 1 and not [w for w in doc.warnings if w.code != "pdf_fallback"]
    assert _ws(doc.text) == _ws(normal.text)
    assert [(b.kind, b.page) for b in doc.blocks] == [(b.kind, b.page) for b in normal.blocks]


def test_cff_font_pdf_from_another_producer():
    """A PDF from fpdf2 with the CFF-based Noto CJK font: pdfplumber reads none of its
    characters (page 2), or only those of the other fonts (page 1, with a Latin line in
    Helvetica); pypdfium2, the reader's source of characters, reads them all."""
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 makes the CFF-font PDF")
    font = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not font.is_file():
        pytest.skip(f"{font} not installed (Debian fonts-noto-cjk)")
    body1 = "各部门要高度重视，认真组织实施，确保专项行动取得实效。" * 3
    pdf = fpdf.FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("noto", fname=str(font), collection_font_number=2)
    for n, (head, body) in enumerate([("一、总体要求", body1), ("二、工作要求", "请于2020年底前报送工作总结。")],
                                     start=1):
        pdf.add_page()
        if n == 1:
            pdf.set_font("helvetica", size=12)
            pdf.cell(0, 9, "Open Government Information Regulations", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", size=14)
        pdf.multi_cell(0, 9, head, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 9, "　　" + body, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-20)
        pdf.cell(0, 10, f"— {n} —", align="C")
    data = bytes(pdf.output())
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as raw:                # fixture: the silent loss
        assert [bool(p.chars) for p in raw.pages] == [True, False]
        assert "各部门" not in (raw.pages[0].extract_text() or "")
    doc = pdf_ingest.read(data, "fpdf.pdf")
    assert doc.warnings == []
    assert [b.text for b in doc.blocks] == [
        "Open Government Information Regulations", "一、总体要求", body1,
        "二、工作要求", "请于2020年底前报送工作总结。"]
    assert [b.page for b in doc.blocks] == [1, 1, 1, 2, 2]


def test_a_layout_grid_is_read_as_prose():
    """A .doc converted to PDF with its page laid out on a grid of ruling lines: the
    'table' has many narrow columns and almost no filled cells; it is prose."""
    from pipeline.ingest.pdf.tables import _layout_grid

    grid = [["关于印发实施方案的通知"] + [""] * 30 for _ in range(10)] + [["海南省农业农村厅"] + [""] * 14 + ["海南省财政厅"] + [""] * 15]
    assert _layout_grid(grid)
    table = [["序号", "工作任务", "牵头单位", "完成时限"], ["1", "推进公开", "县政府办", "2021年6月底前"],
             ["2", "加强解读", "县司法局", ""], ["3", "做好培训", "县政府办", "每季度"]]
    assert not _layout_grid(table)
    wide = [[str(i)] + [str(j) for j in range(12)] for i in range(6)]
    assert not _layout_grid(wide)


def test_a_one_column_frame_is_text_not_a_table():
    """A title and its promulgation note set in a ruled frame (904, a 规章 as published):
    one column is no table; the lines are paragraphs and a line that does not end a
    sentence runs on into the next, so the note reads whole."""
    from pipeline import process_file

    path = Path(__file__).resolve().parent.parent / "corpus/raw/more/904_beijing_menqian_sanbao_banfa_2025.pdf"
    meta = process_file(path)["document"]
    assert meta["title"] == "北京市“门前三包”责任制管理办法"
    assert (meta["doc_number"], meta["issued_on"]) == ("北京市人民政府第320号令", "2025-12-15")


def test_hanging_indent_lines_join_but_a_signature_stays_apart():
    """An item whose wrapped lines start under its text, however deep the indent, is one
    paragraph (980: （1）…（外交部、國防部、經 / 濟部、…等）); a right-aligned signature and
    its date below it stay two lines (907)."""
    from .conftest import CORPUS

    doc = _doc(next((CORPUS / "raw/more").glob("980_*.pdf")))
    item = next(b.text for b in doc.blocks if "嚴密監控境外事故發展及影響" in b.text)
    assert "核安會等）" in item and "經濟部" in _ws(item)
    doc = _doc(next((CORPUS / "raw/more").glob("907_*.pdf")))
    texts = [b.text.strip() for b in doc.blocks]
    assert "2017年5月3日" in texts and "南京市住房保障和房产局" in texts


def test_a_line_is_ordered_by_the_centres_of_its_glyph_boxes():
    """A CJK glyph's box (as PDFium reports it, 12 pt text) can be wider than its advance
    and start left of the punctuation before it: ordered by x0, 1.研究 read 1研.究 (measured
    on a real PDF of the corpus, 1044); by the boxes' centres it reads as printed."""
    from pipeline.ingest.pdf.layout import group_lines

    def ch(text, x0, x1):
        return {"text": text, "x0": x0, "x1": x1, "top": 212.0, "bottom": 224.0, "size": 12.0}

    chars = [ch("1", 84.98, 90.98), ch(".", 90.74, 93.74), ch("研", 87.7, 105.5), ch("究", 101.59, 117.14),
             ch("紀", 114.35, 128.78)]
    [line] = group_lines(chars)
    assert "".join(c["text"] for c in line) == "1.研究紀"


def test_one_cell_rows_are_prose_and_a_hanging_label_stays_on_its_line():
    """A Word PDF that draws a paragraph border round each list (1093, a 實施計畫 as
    published): pdfplumber finds stacks of one-cell rows whose frames leave the items'
    labels (一)… outside. Read as tables, the labels fell apart from their text; as prose
    each label leads its line, and the 主辦單位 list is the plan's own, not a site footer."""
    from .conftest import CORPUS

    doc = _doc(next((CORPUS / "raw/more").glob("1093_*.pdf")))
    texts = [_ws(b.text) for b in doc.blocks]
    assert "(一)參賽資格：具有新北市親師生平台之會員皆可參與。" in texts
    assert not any(t in ("(一)", "(二)", "(三)") for t in texts)
    assert not any(b.kind == "table_row" for b in doc.blocks if b.page == 1)
    from pipeline.ingest import read_path
    from pipeline.junk import clean
    from pipeline.rules import load_rules

    cleaned = clean(read_path(next((CORPUS / "raw/more").glob("1093_*.pdf"))), load_rules())
    assert any("主辦單位：新北市政府" in _ws(b.text) for b in cleaned.blocks)


def test_a_binding_line_down_the_margin_is_not_text():
    # a 公文 page's binding line: a column of dots broken by 裝 / 訂 / 線 near the left edge
    from pipeline.ingest.pdf import layout

    def ch(t, x, top):
        return {"text": t, "x0": x, "x1": x + 5, "top": top, "bottom": top + 10, "size": 10, "fontname": "F"}

    margin = [ch("." if k not in (10, 20, 30) else "裝訂線"[k // 10 - 1], 40, 20 * k) for k in range(40)]
    body = [ch(c, 100 + 12 * i, 200) for i, c in enumerate("主旨：本部受理申請。")]
    kept = layout.drop_binding_margin(margin + body, 595.0)
    assert kept == body
    # a few dots at the edge (a leader, a list) are no binding line
    few = margin[:5] + body
    assert layout.drop_binding_margin(few, 595.0) == few
