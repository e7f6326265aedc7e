"""OCR of image-only (scanned) OFD pages (pipeline/ingest/ofd.py with pdf/ocr.py).

The scanned OFD is made here: two pages of a corpus PDF rendered by pypdfium2 at
216 dpi (as a scanner would), stored as a PNG and a JPEG in an OFD package whose pages
hold only an ImageObject each (one image found through DocumentRes, the other through
the page's own PageRes). Read by OCR, its text must match the PDF's text layer within
TEXT_SIMILARITY, page by page.
"""
from __future__ import annotations

import difflib
import io
import re
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.ingest import pdf as pdf_ingest
from pipeline.ingest import read_bytes, sniff
from pipeline.ingest import ofd as ofd_ingest
from pipeline.model import IngestError
from tests.test_ingest_ofd import _text_object

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra (rapidocr-onnxruntime) is not installed")

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "raw" / "seeds" / "003_2f6965311e0af134.pdf"
PAGES = [0, 4]                # the title page and a page of deadlines
SCAN_SCALE = 3.0              # 216 dpi: drawn down to the OCR scale (144 dpi) by the reader
TEXT_SIMILARITY = 0.93        # measured 0.97-0.98 (OCR misreads a few characters a page)
NS = "http://www.ofdspec.org/2016"
MM = 72 / 25.4


@lru_cache(maxsize=None)
def _scans() -> tuple[list[tuple[bytes, str, float, float]], str]:
    """([(image bytes, format, width mm, height mm)] of PAGES, the text PDF's text of them)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(SOURCE.read_bytes())
    text = pdfium.PdfDocument.new()
    text.import_pages(src, PAGES)
    buf = io.BytesIO()
    text.save(buf)
    out = []
    for n, k in enumerate(PAGES):
        page = src[k]
        w, h = page.get_size()
        img = page.render(scale=SCAN_SCALE).to_pil().convert("L")
        fmt = "PNG" if n % 2 == 0 else "JPEG"
        data = io.BytesIO()
        img.save(data, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
        out.append((data.getvalue(), fmt, w / MM, h / MM))
    return out, pdf_ingest.read(buf.getvalue(), "text.pdf").text


def _package(pages: list[dict], extra: dict[str, bytes] | None = None) -> bytes:
    """An OFD of pages given as {"image": (bytes, ext), "text": [lines], "page_res": bool,
    "box": (x, y, w, h) of the image in mm, "ctm": CTM string}."""
    media, page_media, files = [], {}, dict(extra or {})
    for k, pg in enumerate(pages):
        if "image" not in pg:
            continue
        data, ext = pg["image"]
        entry = f'<ofd:MultiMedia ID="{500 + k}" Type="Image"><ofd:MediaFile>image_{k}.{ext}</ofd:MediaFile></ofd:MultiMedia>'
        if pg.get("page_res"):                     # the page's own resource file, next to Content.xml
            page_media[k] = entry
            files[f"Doc_0/Pages/Page_{k}/Res/image_{k}.{ext}"] = data
        else:
            media.append(entry)
            files[f"Doc_0/Res/image_{k}.{ext}"] = data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody>'
                              '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        refs = "".join(f'<ofd:Page ID="{100 + k}" BaseLoc="Pages/Page_{k}/Content.xml"/>' for k in range(len(pages)))
        z.writestr("Doc_0/Document.xml",
                   f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
                   '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                   '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>'
                   f'</ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>')
        z.writestr("Doc_0/PublicRes.xml", f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
                                          '<ofd:Font ID="1" FontName="仿宋"/></ofd:Fonts></ofd:Res>')
        z.writestr("Doc_0/DocumentRes.xml", f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:MultiMedias>'
                                            f'{"".join(media)}</ofd:MultiMedias></ofd:Res>')
        for k, pg in enumerate(pages):
            objs = [_text_object(200 + 10 * k + n, 28, 40 + 10 * n, line, 5.6) for n, line in enumerate(pg.get("text", []))]
            res = ""
            if k in page_media:
                res = "<ofd:PageRes>PageRes.xml</ofd:PageRes>"
                z.writestr(f"Doc_0/Pages/Page_{k}/PageRes.xml", f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
                           f'<ofd:MultiMedias>{page_media[k]}</ofd:MultiMedias></ofd:Res>')
            if "image" in pg:
                x, y, w, h = pg.get("box", (0, 0, 210, 297))
                ctm = pg.get("ctm", f"{w} 0 0 {h} 0 0")
                objs.insert(0, f'<ofd:ImageObject ID="{300 + k}" ResourceID="{500 + k}" Boundary="{x} {y} {w} {h}" CTM="{ctm}"/>')
            z.writestr(f"Doc_0/Pages/Page_{k}/Content.xml",
                       f'<ofd:Page xmlns:ofd="{NS}">{res}<ofd:Content><ofd:Layer ID="{400 + k}">{"".join(objs)}'
                       '</ofd:Layer></ofd:Content></ofd:Page>')
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _scanned_ofd() -> bytes:
    scans, _ = _scans()
    return _package([{"image": (data, "png" if fmt == "PNG" else "jpg"), "page_res": n == 1, "box": (0, 0, w, h)}
                     for n, (data, fmt, w, h) in enumerate(scans)])


def _similarity(a: str, b: str) -> float:
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    return difflib.SequenceMatcher(None, squash(a), squash(b), autojunk=False).ratio()


def test_scanned_ofd_is_read_by_ocr():
    _, want = _scans()
    data = _scanned_ofd()
    assert sniff(data) == "ofd"
    doc = read_bytes(data, "scan.ofd")
    assert doc.format == "ofd" and doc.pages == len(PAGES)
    assert doc.pages_ocr == [1, 2]
    assert doc.ocr_confidence is not None and doc.ocr_confidence > 0.9
    assert {w.page for w in doc.warnings if w.code == "ocr"} == {1, 2}
    assert not [w for w in doc.warnings if w.code in ("no_text_layer", "ofd_image")]
    assert {b.page for b in doc.blocks} == {1, 2}
    ratio = _similarity(doc.text, want)
    assert ratio >= TEXT_SIMILARITY, ratio


def test_ocr_off_reports_scanned_pages():
    data = _scanned_ofd()
    with pytest.raises(IngestError) as e:
        read_bytes(data, "scan.ofd", ocr="off")
    assert e.value.status == "failed"
    assert e.value.reason == "no usable text layer: 2 pages scanned; OCR is off"
    # a text page and a scanned page: the text is read, the scan is named, nothing is OCR'd
    scans, _ = _scans()
    mixed = _package([{"text": ["各部门要认真组织实施。"]}, {"image": (scans[0][0], "png")}])
    doc = read_bytes(mixed, "mixed.ofd", ocr="off")
    assert doc.text.strip() == "各部门要认真组织实施。"
    assert [(w.code, w.page) for w in doc.warnings] == [("no_text_layer", 2)]
    assert doc.pages_ocr == [] and doc.ocr_confidence is None


def test_force_reads_a_page_scan_under_its_hidden_text_and_keeps_text_only_pages():
    """A scan with a (bad) hidden text layer: --ocr force reads the image instead; a
    page with text and no page image cannot be OCR'd (OFD text is not rendered)."""
    scans, want = _scans()
    data, _, w, h = scans[0]
    ofd = _package([{"image": (data, "png"), "box": (0, 0, w, h), "text": ["乱码乱码乱码"]},
                    {"text": ["各部门要认真组织实施。"]}])
    auto = read_bytes(ofd, "sandwich.ofd")
    assert "乱码乱码乱码" in auto.text and auto.pages_ocr == []
    doc = read_bytes(ofd, "sandwich.ofd", ocr="force")
    assert doc.pages_ocr == [1]
    assert "乱码" not in doc.text and "各部门要认真组织实施。" in doc.text
    assert [w.page for w in doc.warnings if w.code == "ocr_skipped"] == [2]
    first = "".join(b.text for b in doc.blocks if b.page == 1)
    assert _similarity(first, want[:len(first) + 200]) > 0.6      # page 1 of the text PDF, roughly


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height (no real pixel data behind it)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, body: (struct.pack(">I", len(body)) + kind + body  # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + body)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("image, says", [
    ((_png_header(100_000, 100_000), "png"), "more than 80,000,000 pixels"),   # past Pillow's own cap
    ((_png_header(9_000, 9_500), "png"), "more than 80,000,000 pixels"),      # past ours only
    ((b"\x97JB2\r\n\x1a\n" + b"\0" * 64, "jb2"), "is JBIG2"),
    ((b"not an image at all", "png"), "cannot be decoded"),
])
def test_bad_images_are_named_not_fatal(image, says):
    ofd = _package([{"text": ["各部门要认真组织实施。"]}, {"image": image}])
    doc = read_bytes(ofd, "bad.ofd")
    assert doc.text.strip() == "各部门要认真组织实施。"
    warned = [w for w in doc.warnings if w.code == "ofd_image"]
    assert len(warned) == 1 and says in warned[0].message and warned[0].page == 2, doc.warnings
    assert [w.page for w in doc.warnings if w.code == "no_text_layer"] == [2]
    with pytest.raises(IngestError) as e:                                # no other page: a clear failure
        read_bytes(_package([{"image": image}]), "bad.ofd")
    assert e.value.reason == "no usable text layer: 1 pages scanned; OCR found no text"


def test_image_members_count_against_the_zip_bomb_cap(monkeypatch):
    scans, _ = _scans()
    monkeypatch.setattr(ofd_ingest, "MAX_TOTAL", len(scans[0][0]) // 2)
    with pytest.raises(IngestError) as e:
        read_bytes(_package([{"image": (scans[0][0], "png")}]), "big.ofd")
    assert "zip bomb" in e.value.reason
