"""Record validation through jsonschema-rs refuses exactly what jsonschema refuses: the
compiled validator only answers "valid"; every record it does not accept goes to
jsonschema, which decides and names the error (pipeline/schema.py)."""
from __future__ import annotations

import copy
import random

import jsonschema
import pytest

from pipeline import schema
from pipeline.process import process_bytes

from .conftest import SEEDS


def _reference(record) -> bool:
    cls = jsonschema.Draft202012Validator
    return cls(schema.RECORD_SCHEMA, format_checker=cls.FORMAT_CHECKER).is_valid(record)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def _mutants(record, rnd: random.Random, n: int):
    paths = [p for p in _paths(record) if p]
    bad_values = [None, 0, -1, 1.5, "", "x", "2021-02-30", "2021-13-01", "２０２１-０１-０１", [], {}, True,
                  "lead", "牵头", ["x"], {"extra": 1}]
    for _ in range(n):
        m = copy.deepcopy(record)
        path = rnd.choice(paths)
        parent = m
        for k in path[:-1]:
            parent = parent[k]
        what = rnd.random()
        if what < 0.2 and isinstance(parent, dict):
            del parent[path[-1]]                       # a missing field
        elif what < 0.3 and isinstance(parent, dict):
            parent["not_in_the_contract"] = 1          # an extra field
        else:
            parent[path[-1]] = rnd.choice(bad_values)  # a wrong value or type
        yield m


def _raises(record) -> bool:
    try:
        schema.validate(record)
    except jsonschema.ValidationError:
        return True
    return False


def test_fast_validator_is_installed():
    assert schema._fast_validator() is not None       # a dependency: `make test` installs it


@pytest.mark.parametrize("stem", ["001_71262d750d9eb121.txt", "002_be06cf5f2f6cd198.pdf"])
def test_same_verdict_as_jsonschema(rules, stem):
    record = process_bytes((SEEDS / stem).read_bytes(), stem, rules)
    assert not _raises(record) and _reference(record)
    rnd = random.Random(stem)
    refused = 0
    for m in _mutants(record, rnd, 400):
        want = not _reference(m)
        assert _raises(m) == want
        refused += want
    assert refused > 100                              # the mutations do break the contract


def test_error_names_where(rules):
    record = process_bytes((SEEDS / "003_2f6965311e0af134.txt").read_bytes(), "003.txt", rules)
    record["tasks"][2]["responsible"] = "市财政局"
    with pytest.raises(jsonschema.ValidationError, match=r"at tasks/2/responsible"):
        schema.validate(record)
