"""The record writer's direct paths (pipeline/emit.py) write exactly what PyYAML's
generic safe dumper writes with the same presenters: records are unchanged byte for byte."""
from __future__ import annotations

import datetime as dt

import yaml

from pipeline import emit
from pipeline.process import process_bytes

from .conftest import SEEDS


class _Generic(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


_Generic.add_representer(str, emit._str_presenter)
_Generic.add_representer(tuple, lambda d, v: d.represent_list(list(v)))
_Generic.add_representer(dt.date, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v.isoformat()))


def _generic(data) -> str:
    return yaml.dump(data, Dumper=_Generic, allow_unicode=True, sort_keys=False, width=4096)


def test_records_byte_for_byte(rules):
    for path in sorted(SEEDS.glob("00[12]_*.*")):
        record = process_bytes(path.read_bytes(), path.name, rules)
        assert emit.dump_yaml(record) == _generic(record), path.name


def test_every_scalar_shape_and_shared_objects():
    shared = ["甲", {"k": 1}]
    data = {"int": 3, "neg": -2, "float": 1.5, "big": 1e17, "inf": float("inf"), "t": True, "f": False, "none": None,
            "empty": "", "date": dt.date(2021, 6, 4), "tuple": (1, "二"), "first": shared, "again": shared,
            "lines": "一\n二\n", "looks": ["yes", "no", "null", "~", "1", "0x1f", "1_000", "2021-01-01", "1:20", "<<",
                                         "=", "-", ": x", "#c", "'q'", " lead", "trail ", "中文", "Ｙ", ".5", "+1"],
            7: "int key", "nested": {"a": [], "b": {}, "c": [[{"d": "e"}]]}}
    assert emit.dump_yaml(data) == _generic(data)
    assert "&id001" in emit.dump_yaml(data)           # a shared list is an anchor and an alias, as before
