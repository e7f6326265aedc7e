"""pipeline.ingest.doc: legacy .doc/.wps (OLE2) through LibreOffice.

With ``soffice`` on PATH, a .doc is made here from a corpus DOCX (LibreOffice converts it
to Word 97-2003) and must read as the DOCX does. Without it, the conversion test is
skipped and a .doc is reported ``skipped`` with what to install.
"""
from __future__ import annotations

import difflib
import re
import subprocess

import pytest

from pipeline.ingest import doc as doc_ingest
from pipeline.ingest import read_bytes, sniff
from pipeline.model import IngestError

from .conftest import SEEDS

OLE = doc_ingest.OLE_MAGIC


def _ole(*streams: str) -> bytes:
    """OLE2 bytes naming the given streams (enough for sniffing, not a real document)."""
    return OLE + bytes(504) + b"".join(s.encode("utf-16-le") + bytes(8) for s in streams) + bytes(2048)


def test_sniffed_by_content():
    assert sniff(_ole("WordDocument", "1Table")) == "doc"
    assert doc_ingest.ole_kind(_ole("WordDocument")) == "doc"
    assert doc_ingest.ole_kind(_ole("Workbook")) == "other"
    assert doc_ingest.ole_kind(_ole("EncryptedPackage")) == "encrypted"
    assert doc_ingest.ole_kind(b"PK\x03\x04") is None


def test_without_libreoffice_skipped_with_what_to_install(monkeypatch):
    monkeypatch.setattr(doc_ingest.shutil, "which", lambda name: None)
    with pytest.raises(IngestError) as e:
        read_bytes(_ole("WordDocument"), "old.doc")
    assert e.value.status == "skipped"
    assert "LibreOffice" in e.value.reason and "apt-get install libreoffice-writer-nogui" in e.value.reason


@pytest.mark.parametrize("streams, words", [(("Workbook",), "not a .doc"),
                                            (("EncryptedPackage",), "password-protected")])
def test_other_ole_files_skipped(streams, words):
    with pytest.raises(IngestError) as e:
        read_bytes(_ole(*streams), "x.doc")
    assert e.value.status == "skipped" and words in e.value.reason


def _seed_converted(tmp_path, target: str, suffix: str):
    """The seed DOCX converted by LibreOffice (``--convert-to target``), read back; and the DOCX read."""
    src = SEEDS / "003_2f6965311e0af134.docx"
    subprocess.run([doc_ingest.soffice(), "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", target, "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    data = (tmp_path / (src.stem + suffix)).read_bytes()
    assert sniff(data) == suffix[1:]
    doc = read_bytes(data, "003" + suffix)
    assert doc.format == suffix[1:]
    return doc, read_bytes(src.read_bytes(), src.name)


@pytest.mark.skipif(doc_ingest.soffice() is None,
                    reason="LibreOffice (soffice) is not installed: the .doc conversion is not exercised")
def test_doc_made_from_a_corpus_docx_reads_like_the_docx(tmp_path):
    doc, want = _seed_converted(tmp_path, "doc:MS Word 97", ".doc")
    # list numbers left out: LibreOffice renumbers a list the DOCX continues (4. → 1.)
    num = re.compile(r"^(?:\d{1,2}[.、]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")

    def blocks(d):
        return [(b.kind, num.sub("", re.sub(r"\s+", "", b.text))) for b in d.blocks]

    got, expected = blocks(doc), blocks(want)
    ratio = difflib.SequenceMatcher(None, "".join(t for _, t in got), "".join(t for _, t in expected),
                                    autojunk=False).ratio()
    assert ratio >= 0.99, ratio
    assert len(got) == len(expected)


# OpenDocument text (.odt): Taiwan's agencies publish in ODF; read through LibreOffice like a .doc.

def _odf(mimetype: bytes) -> bytes:
    """A zip holding an OpenDocument's mimetype and content.xml (enough for sniffing)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", mimetype)
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def test_odt_sniffed_by_its_mimetype_other_opendocuments_skipped():
    assert sniff(_odf(b"application/vnd.oasis.opendocument.text")) == "odt"
    with pytest.raises(IngestError) as e:
        sniff(_odf(b"application/vnd.oasis.opendocument.spreadsheet"))
    assert e.value.status == "skipped" and "spreadsheet" in e.value.reason


def test_odt_without_libreoffice_skipped_with_what_to_install(monkeypatch):
    monkeypatch.setattr(doc_ingest.shutil, "which", lambda name: None)
    with pytest.raises(IngestError) as e:
        read_bytes(_odf(b"application/vnd.oasis.opendocument.text"), "notice.odt")
    assert e.value.status == "skipped"
    assert ".odt" in e.value.reason and "apt-get install libreoffice-writer-nogui" in e.value.reason


@pytest.mark.skipif(doc_ingest.soffice() is None,
                    reason="LibreOffice (soffice) is not installed: the .odt conversion is not exercised")
def test_odt_made_from_a_corpus_docx_reads_like_the_docx(tmp_path):
    doc, want = _seed_converted(tmp_path, "odt", ".odt")
    got = "".join(re.sub(r"\s+", "", b.text) for b in doc.blocks)
    expected = "".join(re.sub(r"\s+", "", b.text) for b in want.blocks)
    assert difflib.SequenceMatcher(None, got, expected, autojunk=False).ratio() >= 0.99
    assert [b.kind for b in doc.blocks].count("table") == [b.kind for b in want.blocks].count("table")
