"""Quality gate: `run` then `evaluate` on the corpus; no F1 may fall below its floor.

Floors live in tests/quality_floors.yml. Raising one is an ordinary commit; lowering
one needs a written reason in that file.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.evaluate import evaluate, render
from pipeline.schema import validate

FLOORS = yaml.safe_load((Path(__file__).parent / "quality_floors.yml").read_text(encoding="utf-8"))


def test_every_corpus_document_is_processed(corpus_run):
    code, report, _ = corpus_run
    failed = [d for d in report["documents"] if d["status"] != "done"]
    assert not failed, failed
    assert code == 0


def test_every_record_validates_against_the_schema(corpus_run):
    _, _, out = corpus_run
    records = sorted((out / "records").rglob("*.yml"))
    assert records
    for p in records:
        validate(yaml.safe_load(p.read_text(encoding="utf-8")))


def test_f1_floors(corpus_run):
    _, _, out = corpus_run
    result = evaluate(out / "records", Path(__file__).parent.parent / "corpus/gold")
    print(render(result))
    below = []
    for kind, floor in FLOORS["floors"].items():
        score = result["overall"].get(kind)
        assert score is not None, f"no score for {kind}"
        if (score.f1 or 0.0) < floor:
            below.append(f"{kind}: F1 {score.f1:.3f} < floor {floor}")
    assert not below, below
