"""An image-only PDF (a "scan") made from a text PDF, for the OCR tests and benchmark.

Each chosen page is rendered by pypdfium2 (``scale`` 2.0 = 144 dpi), in grey, and
written back as a page of the same size holding only that image: no text layer, so
``pipeline.ingest.pdf`` must read it by OCR.
"""
from __future__ import annotations

import io
from collections.abc import Iterable


def image_only_pdf(source: bytes, pages: Iterable[int], scale: float = 2.0) -> bytes:
    """The given pages (0-based) of the PDF ``source`` as an image-only PDF."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    scan = pdfium.PdfDocument.new()
    try:
        for k in pages:
            page = src[k]
            w, h = page.get_size()
            image = page.render(scale=scale).to_pil().convert("L")
            out = scan.new_page(w, h)
            obj = pdfium.PdfImage.new(scan)
            obj.set_bitmap(pdfium.PdfBitmap.from_pil(image))
            obj.set_matrix(pdfium.PdfMatrix().scale(w, h))
            out.insert_obj(obj)
            out.gen_content()
        buf = io.BytesIO()
        scan.save(buf)
        return buf.getvalue()
    finally:
        scan.close()
        src.close()
