"""Gold files are well-formed and quote their documents verbatim."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# POLICY_CORPUS checks a staged batch (corpus/incoming) before it joins the corpus
CORPUS = ROOT / os.environ.get("POLICY_CORPUS", "corpus")
GOLD = sorted((CORPUS / "gold").glob("*.yml"))
RAW = CORPUS / "raw"


@pytest.fixture
def ingested(request) -> Path | None:
    """The corpus run's ingested texts (the same cleaned text `ingest` gives, converted once
    for the whole suite: reading every PDF/DOCX/.doc again here took ~2 minutes); None for a
    staged batch (POLICY_CORPUS), whose binaries are read directly."""
    if "POLICY_CORPUS" in os.environ:
        return None
    _, _, out = request.getfixturevalue("corpus_run")
    return out / "ingested"


def _source_text(stem: str, ingested: Path | None = None) -> str:
    """The visible text of the document the gold file describes (TXT preferred)."""
    for p in sorted(RAW.rglob(f"{stem}.*")):
        if p.suffix == ".txt" and "gb18030" not in p.parts:
            return p.read_text(encoding="utf-8")
    for p in sorted(RAW.rglob(f"{stem}.html")):
        import lxml.html

        from pipeline.ingest.html import _early_close
        from pipeline.ingest.txt import decode

        # (a stray </html> before the body is dropped, as the reader does)
        tree = lxml.html.document_fromstring(_early_close(decode(p.read_bytes())[0]))
        for bad in tree.xpath("//script|//style"):
            bad.drop_tree()
        return tree.text_content()
    for p in sorted(RAW.rglob(f"{stem}.*")):
        if p.suffix in (".doc", ".wps", ".odt"):
            import shutil

            if shutil.which("soffice") is None:
                pytest.skip("reading a legacy Word file needs LibreOffice (.ci/run installs it)")
        if p.suffix in (".pdf", ".docx", ".doc", ".ofd", ".wps", ".odt"):
            # a binary document as published: quotes point into its cleaned body text
            kept = ingested / f"{p.relative_to(RAW).as_posix()}.json" if ingested else None
            if kept is not None and kept.is_file():
                from pipeline.docstore import load_document

                return load_document(kept)[0].text
            from pipeline.process import ingest
            from pipeline.rules import load_rules

            return ingest(p.read_bytes(), p.name, load_rules()).text
    raise AssertionError(f"no document for gold file {stem}")


def _norm(s: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", s)


def test_every_corpus_document_has_gold():
    stems = {p.stem for p in RAW.rglob("*") if p.is_file()}
    gold = {p.stem for p in GOLD}
    assert stems - gold == set()


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_quotes_are_verbatim(path, ingested):
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = _norm(_source_text(path.stem, ingested))
    quotes = list(gold.get("tasks") or [])
    quotes += [u["task"] for u in gold.get("units") or []]
    quotes += [d["quote"] for d in gold.get("deadlines") or []]
    quotes += [t["quote"] for t in gold.get("thresholds") or []]
    quotes += [c["quote"] for c in gold.get("cadence") or []]
    missing = [q for q in quotes if _norm(str(q)) not in text]
    assert not missing, missing[:5]
    tasks = {_norm(str(t)) for t in gold.get("tasks") or []}
    orphans = [u["task"] for u in gold.get("units") or [] if _norm(u["task"]) not in tasks]
    assert not orphans, orphans[:5]
    for u in gold.get("units") or []:
        assert u["role"] in ("lead", "co", "responsible"), u
    for d in gold.get("deadlines") or []:
        assert d["type"] in ("date", "relative", "duration", "recurring"), d
