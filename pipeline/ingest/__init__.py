"""Read a file into a Document. The format is sniffed from the bytes, not the name."""
from __future__ import annotations

import importlib
import io
import re
import zipfile

from ..model import Document, IngestError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
FORMATS = ("pdf", "docx", "html", "txt", "ofd", "doc", "odt")

# Signatures of formats we recognise but do not read; the reason goes to the report.
_UNSUPPORTED = [
    (b"MZ", "Windows executable"),
    (b"\x7fELF", "ELF executable"),
    (b"\x89PNG", "PNG image (no text layer; OCR is not supported)"),
    (b"\xff\xd8\xff", "JPEG image (no text layer; OCR is not supported)"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"{\\rtf", "RTF document"),
]


def sniff(data: bytes) -> str:
    """Return one of FORMATS (a module of this package each), or raise IngestError naming what the bytes are."""
    head = data[:2048]
    if not data.strip():
        raise IngestError("failed", "empty file")
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise IngestError("failed", "damaged zip container (truncated DOCX?)") from None
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names:
            return _opendocument(data)
        if "OFD.xml" in names:
            return "ofd"
        if any(n.startswith("Doc_") for n in names):
            raise IngestError("failed", "OFD package without OFD.xml (damaged?)")
        raise IngestError("skipped", "zip archive that is not a DOCX")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"            # OLE2: .doc/.wps through LibreOffice; doc.py tells other OLE2 files apart
    for sig, what in _UNSUPPORTED:
        if head.startswith(sig):
            raise IngestError("skipped", f"unsupported file type: {what}")
    # a page's markup may start after a long server-side prelude (<?php … ?>)
    probe = data[:16384].lower().decode("latin-1")
    page = any(tag in probe for tag in ("<html", "<!doctype html", "<body"))
    # a static site's Markdown opens with YAML front matter and may hold inline HTML (<p>, <table>)
    markdown = re.match(rb"(?:\xef\xbb\xbf)?\s*---[ \t]*\r?\n[^\n]{0,80}:", data[:300]) is not None
    # (a fragment cut from a page may hold only styled paragraphs: <p style="…">…</p>)
    if page or (not markdown and (any(tag in probe for tag in ("<div", "<p>", "<table", "<meta"))
                                  or re.search(r"<p\s[^<>]{0,500}>", probe) and "</p>" in probe)):
        return "html"
    # Text must not be full of control bytes (random binary data would be).
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "txt"
    from .txt import wide_encoding     # UTF-16/32 is full of NULs: told apart before the binary check

    if wide_encoding(data):
        return "txt"
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls > len(sample) * 0.02:
        raise IngestError("skipped", "binary data of unknown type")
    return "txt"


def _opendocument(data: bytes) -> str:
    """``odt`` for OpenDocument text (its first stored member, ``mimetype``, says which kind)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            kind = z.read("mimetype").strip()
        except (KeyError, zipfile.BadZipFile, RuntimeError, OSError, EOFError):
            kind = b""
    if kind.startswith(b"application/vnd.oasis.opendocument.text"):
        return "odt"
    what = kind.decode("ascii", "replace").rsplit(".", 1)[-1] if kind else "unknown kind"
    raise IngestError("skipped", f"OpenDocument file that is not text ({what}); only .odt is read")


def read_bytes(data: bytes, source: str, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: str = "auto",
               rules=None) -> Document:
    """``ocr``: auto | off | force, for PDF and OFD pages (see ``pdf.read``, ``ofd.read``). ``rules``: the rule
    set whose junk.yml names a web page's clutter (the bundled rules when None)."""
    if len(data) > max_bytes:
        raise IngestError("skipped", f"file too large: {len(data):,} bytes > limit {max_bytes:,}")
    fmt = sniff(data)
    module = importlib.import_module(f"{__name__}.{fmt}")
    if fmt in ("pdf", "ofd"):
        doc = module.read(data, source, ocr=ocr)
    elif fmt == "html":
        doc = module.read(data, source, rules=rules)
    else:
        doc = module.read(data, source)
    if not doc.blocks or not doc.text.strip():
        raise IngestError("failed", f"no text found in {fmt.upper()} file")
    return doc


def read_path(path, source: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
              ocr: str = "auto", rules=None) -> Document:
    from pathlib import Path

    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError("skipped", f"file too large: {size:,} bytes > limit {max_bytes:,}")
    return read_bytes(path.read_bytes(), source or path.name, max_bytes=max_bytes, ocr=ocr, rules=rules)
