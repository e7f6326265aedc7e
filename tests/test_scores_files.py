"""evaluate --metrics / --plots: the summary DVC shows and the per-document rows it plots."""
from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.evaluate import Score, metrics_summary, per_document_rows, summarise

from .conftest import CORPUS, SEEDS


def _result():
    per_doc = {
        "a/x.txt.yml": {"tasks": Score(tp=1, fp=1, fn=0), "thresholds": Score(tp=2)},
        "b/y.pdf.json": {"tasks": Score(tp=0, fp=0, fn=2)},
    }
    return {"summary": summarise(per_doc), "documents": per_doc}


def test_micro_pools_counts_and_macro_averages_where_defined():
    m = metrics_summary(_result())
    assert m["tasks"]["micro"] == {"precision": 0.5, "recall": pytest.approx(0.3333), "f1": 0.4}
    # b has no prediction: its precision is undefined and left out; its recall and F1 are 0
    assert m["tasks"]["macro"] == {"precision": 0.5, "recall": 0.5, "f1": pytest.approx(0.3333)}
    assert m["tasks"]["docs"] == 2 and m["thresholds"]["docs"] == 1
    assert m["thresholds"]["macro"]["f1"] == 1.0


def test_per_document_rows_name_the_input_and_leave_missing_kinds_null():
    rows = per_document_rows(_result())
    assert [r["document"] for r in rows] == ["a/x.txt", "b/y.pdf"]
    assert rows[0]["tasks"] == pytest.approx(0.6667) and rows[0]["thresholds"] == 1.0
    assert rows[0]["mean_f1"] == pytest.approx((2 / 3 + 1) / 2, abs=1e-4)
    assert rows[1]["thresholds"] is None and rows[1]["tasks"] == 0.0


def test_evaluate_writes_both_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "000_616882cabf01649c.txt").write_bytes((SEEDS / "000_616882cabf01649c.txt").read_bytes())
    assert main(["run", str(src), "-o", str(tmp_path / "out"), "-q"]) == 0
    metrics, plots = tmp_path / "m" / "metrics.json", tmp_path / "p" / "plots.json"
    assert main(["evaluate", str(tmp_path / "out" / "records"), "--gold", str(CORPUS / "gold"),
                 "--metrics", str(metrics), "--plots", str(plots)]) == 0
    m = json.loads(metrics.read_text(encoding="utf-8"))
    assert {"tasks", "units_strict", "deadlines_normalised", "thresholds"} <= set(m)
    assert json.loads(plots.read_text(encoding="utf-8"))[0]["document"] == "000_616882cabf01649c.txt"


def test_batch_ranges_do_not_overlap():
    """A document belongs to one batch: overlapping ranges in corpus/parts.yml would score a
    new batch's first-run documents under an older batch (the first range that matches wins)."""
    from pathlib import Path

    from pipeline.evaluate import load_parts

    batches = load_parts(Path(__file__).resolve().parent.parent / "corpus" / "parts.yml")["batches"]
    ranges = sorted((lo, hi, name) for name, rs in batches.items() for lo, hi in rs)
    for (lo1, hi1, n1), (lo2, hi2, n2) in zip(ranges, ranges[1:]):
        assert hi1 < lo2, f"{n1} [{lo1}, {hi1}] overlaps {n2} [{lo2}, {hi2}]"
