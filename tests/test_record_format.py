"""Records as JSON (`run --format json`, `extract --format json`): the same records as
YAML, and every reader of records (evaluate, ledger, reference links) takes both."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from pipeline.batch import Params, run_batch
from pipeline.cli import main
from pipeline.evaluate import evaluate, to_json
from pipeline.schema import validate

from .conftest import CORPUS, SEEDS

MORE = CORPUS / "raw" / "more"
CITING = "604_liaoning_beidou_zhongduan_banfa_2021.docx"      # cites 605 by title
CITED = "605_liaoning_haiyang_yuye_anquan_tiaoli_2003.docx"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same inputs run twice: YAML records and JSON records."""
    tmp = tmp_path_factory.mktemp("formats")
    inputs = tmp / "in"
    (inputs / "seeds").mkdir(parents=True)
    (inputs / "more").mkdir()
    for p in sorted(SEEDS.glob("00[0-3]_*.txt")):
        shutil.copyfile(p, inputs / "seeds" / p.name)
    for name in (CITING, CITED):
        shutil.copyfile(MORE / name, inputs / "more" / name)
    out = {}
    for fmt in ("yaml", "json"):
        code, report = run_batch("run", [str(inputs)], tmp / fmt, workers=2, quiet=True,
                                 params=Params(timeout=120, record_format=fmt))
        assert code == 0, report["documents"]
        out[fmt] = (tmp / fmt, report)
    return inputs, out


def test_json_records_are_the_yaml_records(runs):
    _, out = runs
    (ydir, _), (jdir, jreport) = out["yaml"], out["json"]
    ynames = sorted(p.relative_to(ydir / "records").as_posix() for p in (ydir / "records").rglob("*.yml"))
    jnames = sorted(p.relative_to(jdir / "records").as_posix() for p in (jdir / "records").rglob("*.json"))
    assert len(ynames) == 6 and [n[:-4] for n in ynames] == [n[:-5] for n in jnames]
    assert not list((jdir / "records").rglob("*.yml"))
    for y, j in zip(ynames, jnames):
        record = json.loads((jdir / "records" / j).read_text(encoding="utf-8"))
        validate(record)
        assert record == yaml.safe_load((ydir / "records" / y).read_text(encoding="utf-8")), j
    assert [d["output"] for d in jreport["documents"]] == [f"records/{n}" for n in jnames]


def test_reference_links_are_written_into_json_records(runs):
    _, out = runs
    jdir, report = out["json"]
    assert [(e["from"], e["to"]) for e in report["reference_graph"]] == [(f"more/{CITING}", f"more/{CITED}")]
    citing = json.loads((jdir / "records" / "more" / f"{CITING}.json").read_text(encoding="utf-8"))
    cited = json.loads((jdir / "records" / "more" / f"{CITED}.json").read_text(encoding="utf-8"))
    assert [r["links_to"] for r in citing["document"]["references"] if r.get("links_to")] == [cited["document"]["id"]]
    assert yaml.safe_load((out["yaml"][0] / "report.yml").read_text())["reference_graph"] == report["reference_graph"]


def test_evaluate_and_ledger_read_json_records(runs, tmp_path):
    _, out = runs
    scores = {fmt: to_json(evaluate(d / "records", CORPUS / "gold")) for fmt, (d, _) in out.items()}
    assert scores["json"]["overall"] == scores["yaml"]["overall"]
    assert len(scores["json"]["documents"]) == 6
    assert all(name.endswith(".json") for name in scores["json"]["documents"])
    csv = {}
    for fmt, (d, _) in out.items():
        assert main(["ledger", str(d / "records"), "-o", str(tmp_path / f"{fmt}.csv")]) == 0
        csv[fmt] = (tmp_path / f"{fmt}.csv").read_bytes()
    assert csv["json"] == csv["yaml"] and csv["json"].count(b"\n") > 20


def test_extract_writes_json_and_a_format_switch_leaves_one_record_per_document(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(SEEDS / "000_616882cabf01649c.txt", src / "a.txt")
    assert main(["ingest", str(src), "-o", str(tmp_path / "ing"), "-q"]) == 0
    rec = tmp_path / "rec"
    assert main(["extract", str(tmp_path / "ing"), "-o", str(rec), "-q", "--format", "json"]) == 0
    assert sorted(p.name for p in rec.iterdir() if p.name not in ("report.yml", "manifest.json")) == ["a.txt.json"]
    validate(json.loads((rec / "a.txt.json").read_text(encoding="utf-8")))
    # the same folder in YAML: the JSON record is replaced, not left beside it
    assert main(["extract", str(tmp_path / "ing"), "-o", str(rec), "-q"]) == 0
    assert sorted(p.name for p in rec.iterdir() if p.name not in ("report.yml", "manifest.json")) == ["a.txt.yml"]
    # and back: the format is part of what makes a document unchanged
    assert main(["run", str(src), "-o", str(tmp_path / "run"), "-q", "--format", "json"]) == 0
    assert main(["run", str(src), "-o", str(tmp_path / "run"), "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "run" / "records").iterdir()) == ["a.txt.yml"]
