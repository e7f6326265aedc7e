"""Shared fixtures: the bundled rules, the corpus, and one batch run of the corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = CORPUS / "raw" / "seeds"
SEED_STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def rules():
    from pipeline.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory):
    """`run` over the whole corpus once per session: (exit code, report, out dir)."""
    from pipeline.runner import run_batch

    out = tmp_path_factory.mktemp("corpus_run")
    code, report = run_batch("run", [str(CORPUS / "raw")], out, workers=2, quiet=True)
    return code, report, out


@pytest.fixture(scope="session")
def corpus_records(corpus_run):
    """Every record of the corpus run, parsed once with libyaml (the pure-Python parser
    took 20 s per pass): {path relative to the run's folder, as in the report: record}."""
    from pipeline.recordio import load_record

    _, _, out = corpus_run
    return {p.relative_to(out).as_posix(): load_record(p) for p in sorted((out / "records").rglob("*.yml"))}


def seed_body(stem: str) -> str:
    """The seed TXT's body as a human reads it: from the title to the last paragraph,
    without the scraped site junk around it (used to compare renditions)."""
    from pipeline.ingest import read_path
    from pipeline.junk import clean
    from pipeline.rules import load_rules

    return clean(read_path(SEEDS / f"{stem}.txt"), load_rules()).text


def pytest_addoption(parser):
    parser.addoption("--update-floors", action="store_true", default=False,
                     help="tests/test_quality.py raises the quality floors to the measured scores (never lowers)")
