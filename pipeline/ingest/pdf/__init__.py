"""PDF → Document: paragraphs rebuilt from the text layer's layout, tables as rows,
pages without a usable text layer read by OCR.

One module per job:

* ``chars``  — PDFium (pypdfium2) characters with boxes, font size and weight, and a
  cheap probe of each page's objects (images, ruling lines);
* ``layout`` — lines → paragraphs and headings, fake bold, page headers/footers;
* ``tables`` — pdfplumber's ``find_tables`` on pages that have ruling lines only;
* ``ocr``    — RapidOCR on pages rendered by PDFium (``ocr="auto"``: pages with no
  usable text; ``"force"``: every page; ``"off"``: none).

A page whose PDFium text is mostly unmapped glyphs is tried with pdfplumber (pdfminer
decodes some font encodings differently); if that fails too the page is OCR'd, or with
OCR off skipped with ``broken_font_map``. A page with no text at all is OCR'd, or with
OCR off reported ``no_text_layer`` when it holds an image. A document with no usable
page raises IngestError.

Warnings: pdf_fallback, no_text_layer, broken_font_map, pdf_page_error, ocr_unavailable,
ocr_low_confidence. ``page_meta``: ``pdf_info`` (document info: Title, Author,
CreationDate…) and ``furniture`` (running headers/footers removed, page numbers excepted).
``Document.pages_ocr`` lists the pages read by OCR, ``ocr_confidence`` their mean score.
"""
from __future__ import annotations

import io

from ...model import Document, IngestError
from . import chars as _chars
from . import layout, tables
from . import ocr as _ocr

OCR_MODES = ("auto", "off", "force")
_INFO_KEYS = ("Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate")


def read(data: bytes, source: str, *, max_pages: int = 2000, ocr: str = "auto") -> Document:
    """Read a PDF into a Document of headings, paragraphs and table rows."""
    import pypdfium2 as pdfium

    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {OCR_MODES}, not {ocr!r}")
    doc = Document(source=source, format="pdf")
    if b"%PDF" not in data[:1024]:
        raise IngestError("failed", "not a PDF (no %PDF header)")
    try:
        pdoc = pdfium.PdfDocument(data)
        n = len(pdoc)
    except Exception as e:  # noqa: BLE001 - any parser error is a bad file
        raise IngestError("failed", _open_error(e)) from None
    reader = _Reader(doc, data, pdoc, ocr)
    try:
        if n == 0:
            raise IngestError("failed", "PDF has no pages")
        if n > max_pages:
            raise IngestError("failed", f"too many pages: {n} > {max_pages}")
        doc.pages = n
        try:
            meta = pdoc.get_metadata_dict(skip_empty=True)
        except Exception:  # noqa: BLE001 - document info is optional
            meta = {}
        doc.page_meta["pdf_info"] = {k: str(v) for k, v in meta.items() if k in _INFO_KEYS}
        pages = [pg for i in range(n) if (pg := reader.page(i)) is not None]
    finally:
        reader.close()
    doc.blocks = layout.blocks_from(pages, doc)
    reader.ocr_session.record()
    if not doc.blocks:
        unusable = sum(1 for s in reader.status.values() if s in ("scanned", "broken"))
        if unusable:
            hint = "; OCR unavailable: pip install 'policy-pipeline[ocr]'" if reader.ocr_session.missing else ""
            raise IngestError("failed", f"no usable text layer: {unusable} pages scanned/broken font map{hint}")
        raise IngestError("failed", f"no text in {n} pages")
    return doc.build()


class _Reader:
    """Reads one page at a time; opens pdfplumber and the OCR engine only when a page needs them."""

    def __init__(self, doc: Document, data: bytes, pdoc, ocr: str):
        self.doc, self.data, self.pdoc, self.ocr = doc, data, pdoc, ocr
        self.status: dict[int, str] = {}       # page → ok | scanned | broken | empty | ocr
        self.ocr_session = _ocr.Session(doc)
        self._plumber = None

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()
        self.pdoc.close()

    def plumber(self):
        if self._plumber is None:
            import pdfplumber

            self._plumber = pdfplumber.open(io.BytesIO(self.data))
        return self._plumber

    def page(self, i: int) -> layout.Page | None:
        pno = i + 1
        doc = self.doc
        page = self.pdoc[i]
        try:
            width, height = page.get_size()
            if self.ocr == "force":
                return self._ocr(page, pno, width, height, reason=None)
            try:
                tp = page.get_textpage()
                try:
                    chars, bad = _chars.page_chars(page, tp)
                finally:
                    tp.close()
                probe = _chars.probe(page.raw)
            except Exception as e:  # noqa: BLE001 - a page PDFium cannot lay out
                doc.warn("pdf_page_error", f"page {pno}: {_open_error(e)}", page=pno)
                chars, bad, probe = [], 0, _chars.Probe()
            if bad:
                nonspace = sum(1 for c in chars if not c["text"].isspace())
            else:           # only whether there is any text matters (no unmapped share to weigh)
                nonspace = int(any(not c["text"].isspace() for c in chars))
            if nonspace and bad > 0.1 * nonspace:
                alt = self._plumber_chars(i)
                alt_n = sum(1 for c in alt if not c["text"].isspace())
                alt_bad = _chars.bad_count(alt)
                if alt_n and alt_bad <= 0.01 * alt_n and alt_n >= 0.5 * nonspace:
                    doc.warn("pdf_fallback", f"page {pno}: pypdfium2 found unmapped characters;"
                             " text read with pdfplumber", page=pno)
                    chars, bad = alt, 0
                else:
                    msg = (f"page {pno}: {max(bad, alt_bad)} of {max(nonspace, alt_n)}"
                           " characters have no Unicode mapping (broken font map)")
                    return self._unusable(page, pno, width, height, "broken", msg)
            elif not nonspace:
                if not probe.images:
                    self.status[pno] = "empty"
                    return None
                return self._unusable(page, pno, width, height, "scanned",
                                      f"page {pno} has no text layer (scanned?)")
            if bad:
                doc.warn("broken_font_map",
                         f"page {pno}: {bad} characters without Unicode mapping dropped", page=pno)
                chars = [c for c in chars if not _chars.BAD_TEXT.search(c["text"])]
            self.status[pno] = "ok"
            found = []
            if probe.ruled:
                try:
                    found = tables.find(page)
                except Exception as e:  # noqa: BLE001 - the prose is still read
                    doc.warn("pdf_page_error", f"page {pno}: table search failed ({_open_error(e)})",
                             page=pno)
            return _lay_out(pno, width, height, chars, found)
        finally:
            page.close()

    def _plumber_chars(self, i: int) -> list[dict]:
        """pdfplumber's characters of a page (deduplicated), or none if it cannot read it."""
        try:
            pp = self.plumber().pages[i]
            raw = [c for c in pp.chars if c.get("upright", True)]
            if raw and any(_chars.overprinted(raw)):
                raw = [c for c in pp.dedupe_chars().chars if c.get("upright", True)]
            pp.close()
            return raw
        except Exception:  # noqa: BLE001 - no second opinion then
            return []

    def _unusable(self, page, pno, width, height, status: str, message: str):
        """A page without usable text: OCR it, or report it (``ocr="off"``, OCR missing,
        or OCR finding no text)."""
        if self.ocr != "off":
            pg = self._ocr(page, pno, width, height, reason=message)
            if pg is not None:
                return pg
        code = "broken_font_map" if status == "broken" else "no_text_layer"
        if status == "broken":
            message += "; page text skipped"
        self.doc.warn(code, message, page=pno)
        self.status[pno] = status
        return None

    def _ocr(self, page, pno, width, height, reason: str | None):
        engine = self.ocr_session.engine()
        if engine is None:
            return None
        chars = self.ocr_session.accept(pno, engine.read_page(page), reason)
        if chars is None:
            return None
        self.status[pno] = "ocr"
        return _lay_out(pno, width, height, chars, [])


def _lay_out(pno: int, width: float, height: float, chars: list[dict], found) -> layout.Page:
    raw = layout.drop_binding_margin(chars, float(width))
    chars = _chars.dedupe(raw)
    tabs, prose = tables.read_tables(found, chars, pno)
    lines = [ln for g in layout.group_lines(prose) if (ln := layout.make_line(pno, g))]
    if len(raw) > len(chars):
        layout.mark_overprint(lines, raw)
    pg = layout.Page(pno, float(width), float(height))
    pg.items = sorted(lines + tabs, key=lambda it: it.top)
    return pg


def _open_error(e: Exception) -> str:
    inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e
    name = type(inner).__name__
    text = str(inner)
    if ("Password" in name or "Encrypt" in name or "password" in text.lower()
            or "Incorrect password" in text):
        return "encrypted PDF (password required)"
    msg = text.strip().splitlines()[0][:120] if text.strip() else ""
    return f"corrupt or truncated PDF ({name}{': ' + msg if msg else ''})"
