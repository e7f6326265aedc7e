"""The Python API of pipeline/__init__.py: process_file, process_text, load_rules."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import pipeline
from pipeline.model import IngestError
from pipeline.rules import DEFAULT_RULES_DIR, RuleError, RuleSet
from pipeline.schema import validate

from .conftest import SEEDS

NOTICE = ("关于做好2021年政务公开工作的通知\n"
          "一、加强组织领导。由市财政局牵头，市审计局配合，2021年8月底前完成。\n"
          "二、各单位要在本通知印发后20个工作日内报送方案。\n\n"
          "南昌市人民政府办公室\n2021年6月4日\n")


def test_process_file_gives_the_record_run_writes(tmp_path):
    import yaml

    from pipeline.cli import main

    path = SEEDS / "000_616882cabf01649c.txt"
    record = pipeline.process_file(path)
    validate(record)
    assert record["document"]["source"] == path.name
    assert record["document"]["issued_on"] == "2021-06-04"
    assert main(["run", str(path), "-o", str(tmp_path), "-j", "1", "-q"]) == 0
    written = yaml.safe_load(next((tmp_path / "records").rglob("*.yml")).read_text(encoding="utf-8"))
    assert record["tasks"] == written["tasks"]


def test_process_text():
    record = pipeline.process_text(NOTICE, name="notice.txt")
    validate(record)
    assert record["document"]["source"] == "notice.txt"
    first = next(t for t in record["tasks"] if "加强组织领导" in t["text"])
    assert {(u["unit"], u["role"]) for u in first["responsible"]} == {("市财政局", "lead"), ("市审计局", "co")}
    assert [d["date"] for d in first["deadlines"]] == ["2021-08-31"]
    second = next(t for t in record["tasks"] if "20个工作日" in t["text"])
    assert second["deadlines"][0]["resolved"] == "2021-07-05"   # counted with the holiday calendar


def test_load_rules_default_and_folder(tmp_path):
    assert isinstance(pipeline.load_rules(), RuleSet)
    assert pipeline.load_rules() is pipeline.load_rules()          # the default set is shared
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    own = pipeline.load_rules(rules)
    assert own.directory == rules
    record = pipeline.process_text(NOTICE, rules=own)
    assert any(u["role"] == "lead" for t in record["tasks"] for u in t["responsible"])
    # a folder path works as rules= too, and it is validated before any text is read
    (rules / "units.yml").write_text("rules: [{}]\n", encoding="utf-8")
    with pytest.raises(RuleError, match="units.yml"):
        pipeline.load_rules(rules)
    with pytest.raises(RuleError, match="units.yml"):
        pipeline.process_text(NOTICE, rules=rules)


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        pipeline.process_file(tmp_path / "missing.pdf")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\0" * 64)
    with pytest.raises(IngestError):
        pipeline.process_file(bad)


def test_import_is_light():
    """`import pipeline` loads none of the heavy libraries (the CLI starts in 0.04 s)."""
    code = ("import sys, pipeline; heavy = {'spacy', 'jieba', 'pdfplumber', 'opencc', 'openpyxl'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
