"""The record contract (pipeline/schema.py): closed, described, dates enforced, and
docs/record.md in step with it."""
from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

import pipeline
from pipeline.schema import OBJECTS, RECORD_SCHEMA, fields, markdown, validate

from .conftest import ROOT, SEEDS

DOC = ROOT / "docs" / "record.md"
OPEN = {"document.page.info", "document.page.meta"}     # as found on the page: any keys


@pytest.fixture(scope="module")
def record():
    return pipeline.process_file(SEEDS / "000_616882cabf01649c.txt")


def _objects(node, path="", out=None):
    """Every object schema in the tree (dicts with properties), with a path."""
    out = [] if out is None else out
    if isinstance(node, dict):
        if "properties" in node:
            out.append((path, node))
        for k, v in node.items():
            _objects(v, f"{path}/{k}", out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _objects(v, f"{path}/{i}", out)
    return out


def test_every_field_has_a_description_and_every_object_is_closed():
    paths = list(fields())
    assert len(paths) > 100
    assert not [p for p, _, d in paths if not d.strip()], "fields without a description"
    for path, obj in _objects(RECORD_SCHEMA):
        assert obj.get("additionalProperties") is False, f"{path} is open"
        assert obj.get("description"), path
    assert {p for p, k, _ in fields() if k == "object" and not any(q.startswith(p + ".") for q, _, _ in fields())} \
        == OPEN, "an object field without documented sub-fields must be one that is open by nature"


def test_every_object_of_the_schema_is_documented_once():
    named = [obj for _, obj in OBJECTS]
    for path, obj in _objects(RECORD_SCHEMA):
        assert any(obj is o or obj["properties"] is o["properties"] for o in named), \
            f"{path}: an object schema not listed in pipeline.schema.OBJECTS (so not in docs/record.md)"


def test_docs_field_reference_is_generated_from_the_schema():
    text = DOC.read_text(encoding="utf-8")
    assert markdown() in text, ("docs/record.md's field reference differs from pipeline/schema.py: "
                                "run .venv/bin/python tools/record_doc.py")
    # each schema field appears as a table row of its object
    for name, obj in OBJECTS:
        section = text.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        for field in obj["properties"]:
            assert f"| `{field}` |" in section, (name, field)


def _example_paths(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "…":
                continue           # a placeholder: {…}
            p = f"{path}.{k}" if path else k
            yield p
            yield from _example_paths(v, p)
    elif isinstance(node, list):
        for v in node:
            yield from _example_paths(v, path + "[]")


def test_docs_example_names_only_schema_fields():
    example = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    data = yaml.safe_load(example)
    known = {p for p, _, _ in fields()}
    # a heading's children are sections too
    used = {re.sub(r"(children\[\]\.)+", "", p) for p in _example_paths(data)}
    unknown = sorted(p for p in used if p not in known and not any(p.startswith(o + ".") for o in OPEN))
    assert not unknown, f"docs/record.md's example names fields the schema does not have: {unknown}"


def test_a_real_record_is_valid(record):
    validate(record)
    validate(json.loads(json.dumps(record, default=str)))


@pytest.mark.parametrize("where, value", [
    (("document", "issued_on"), "2021-02-30"),
    (("document", "issued_on"), "2021-6-4"),
    (("document", "printed_on"), "yesterday"),
    (("document", "id"), "not-a-hash"),
])
def test_dates_and_ids_are_enforced(record, where, value):
    bad = copy.deepcopy(record)
    bad[where[0]][where[1]] = value
    with pytest.raises(jsonschema.ValidationError, match=where[1]):
        validate(bad)


def test_a_deadline_date_that_does_not_exist_is_refused(record):
    bad = copy.deepcopy(record)
    task = next(t for t in bad["tasks"] if any(d.get("date") for d in t["deadlines"]))
    d = next(d for d in task["deadlines"] if d.get("date"))
    d["date"] = d["date"][:5] + "02-30"
    with pytest.raises(jsonschema.ValidationError, match=r"is not a 'date'.*deadlines/\d+/date"):
        validate(bad)


@pytest.mark.parametrize("at", ["record", "document", "task", "unit", "span"])
def test_an_unknown_field_is_refused_and_named(record, at):
    bad = copy.deepcopy(record)
    task = next(t for t in bad["tasks"] if t["responsible"])
    target = {"record": bad, "document": bad["document"], "task": task, "unit": task["responsible"][0],
              "span": task["span"]}[at]
    target["reviewed_by"] = "x"
    with pytest.raises(jsonschema.ValidationError, match=r"'reviewed_by' was unexpected"):
        validate(bad)


def test_schema_command_prints_the_schema_and_the_reference():
    out = subprocess.run([sys.executable, "-m", "pipeline.cli", "schema"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert json.loads(out) == json.loads(json.dumps(RECORD_SCHEMA))
    md = subprocess.run([sys.executable, "-m", "pipeline.cli", "schema", "--markdown"], capture_output=True,
                        text=True, cwd=ROOT, check=True).stdout
    assert md.strip() == markdown().strip()
