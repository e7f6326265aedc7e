"""OpenDocument text (.odt) → Document, through LibreOffice.

Taiwan's agencies publish in ODF by rule, so many of their notices come as .odt. LibreOffice
headless converts the file to DOCX exactly as for a legacy .doc (``doc.convert_to_docx``),
and the DOCX reader does the rest; the Document keeps ``format: odt``. Without ``soffice``
on PATH the file is ``skipped`` with a reason that names what to install.
"""
from __future__ import annotations

from ..model import Document
from . import docx
from .doc import convert_to_docx


def read(data: bytes, source: str) -> Document:
    doc = docx.read(convert_to_docx(data, "odt", "OpenDocument text (.odt)"), source)
    doc.format = "odt"
    return doc
