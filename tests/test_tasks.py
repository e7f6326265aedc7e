"""Tasks: golden cases from tests/task_cases.yml (lines of a document → its tasks)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipeline.extract.tasks import find_tasks
from pipeline.model import Block, Document
from pipeline.structure import build_tree

CASES = yaml.safe_load((Path(__file__).parent / "task_cases.yml").read_text(encoding="utf-8"))["cases"]
_NUMBER = re.compile(r"^\s*(\(?[一二三四五六七八九十\d]{1,3}[)）、.．]|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]+条)\s*")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_task_case(case, rules):
    doc = Document("x.txt", "txt", [Block("paragraph", t) for t in case["lines"]]).build()
    tasks = find_tasks(doc, build_tree(doc, rules), rules, case.get("title"))
    starts = [_NUMBER.sub("", doc.text[t.start:t.end]) for t in tasks]
    assert len(starts) == len(case["tasks"]), starts
    for got, want in zip(starts, case["tasks"]):
        assert got.startswith(want), (got, want)
