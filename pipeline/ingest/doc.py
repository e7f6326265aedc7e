"""Legacy Word (.doc, Word 97-2003) and WPS (.wps) → Document, through LibreOffice.

Both are OLE2 compound files holding a ``WordDocument`` stream. LibreOffice headless
(``soffice``) converts them to DOCX in a temporary folder, with a profile of its own
(parallel conversions must not share one), and the DOCX reader does the rest; the
Document keeps ``format: doc``. Without ``soffice`` on PATH the file is ``skipped`` with
a reason that names what to install. The batch's time limit also ends a conversion that
hangs (``subprocess.run`` kills LibreOffice when the limit interrupts it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..model import Document, IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_TIMEOUT = 120.0          # seconds; the batch's own limit applies too
_INSTALL = ("install LibreOffice (Debian: apt-get install libreoffice-writer-nogui) so that "
            "soffice is on PATH, or convert it to DOCX")


def ole_kind(data: bytes) -> str | None:
    """``doc`` for a Word/WPS document, ``encrypted`` for a password-protected Office
    file, ``other`` for another OLE2 file (Excel, PowerPoint, MSI…), None if not OLE2."""
    if not data.startswith(OLE_MAGIC):
        return None
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    return "other"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(data: bytes, source: str) -> Document:
    kind = ole_kind(data)
    if kind == "encrypted":
        raise IngestError("skipped", "password-protected (encrypted) Office file; remove the password and save as DOCX")
    if kind != "doc":
        raise IngestError("skipped", "OLE2 file without a Word document stream: not a .doc/.wps (Excel, PowerPoint…?)")
    converted = convert_to_docx(data, "doc", "legacy .doc/.wps (Word 97-2003)")
    from . import docx

    doc = docx.read(converted, source)
    doc.format = "doc"
    return doc


def convert_to_docx(data: bytes, suffix: str, what: str) -> bytes:
    """The DOCX bytes LibreOffice makes of ``data`` (a file whose name ends in ``.suffix``);
    ``what`` names the format in the report's reason when that cannot be done."""
    exe = soffice()
    if exe is None:
        raise IngestError("skipped", f"{what} needs LibreOffice: {_INSTALL}")
    with tempfile.TemporaryDirectory(prefix=f"pp_{suffix}_") as tmp:
        folder = Path(tmp)
        src = folder / f"in.{suffix}"
        src.write_bytes(data)
        profile = folder / "profile"
        try:
            proc = subprocess.run(
                [exe, "--headless", "--norestore", "--nologo", f"-env:UserInstallation={profile.as_uri()}",
                 "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder / "out"), str(src)],
                capture_output=True, timeout=CONVERT_TIMEOUT, env=dict(os.environ, HOME=str(folder)))
        except subprocess.TimeoutExpired:
            raise IngestError("failed", f"LibreOffice did not convert the .{suffix} within {CONVERT_TIMEOUT:g} s") from None
        out = folder / "out" / "in.docx"
        if not out.is_file():
            why = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip().splitlines()
            raise IngestError("failed", f"LibreOffice could not convert the .{suffix}"
                              + (f" ({why[-1][:120]})" if why else ""))
        return out.read_bytes()
