"""Record files: YAML (the default) or JSON (``run --format json``), told apart by suffix.

Writers name a record ``<input path>.yml`` or ``<input path>.json``; readers (evaluate,
reference linking, ledger, site) accept both, so a folder may even mix them.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from .emit import dump_yaml, write_atomic

FORMATS = {"yaml": ".yml", "json": ".json"}
SUFFIXES = (".yml", ".yaml", ".json")
# files a batch writes next to the records it puts at its folder's top level (extract)
NOT_RECORDS = ("report.yml", "manifest.json", "journal.jsonl")


def dump_record(record: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=1, default=_json_default) + "\n"
    if fmt == "yaml":
        return dump_yaml(record)
    raise ValueError(f"unknown record format {fmt!r} (yaml or json)")


def _json_default(value: Any):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_record(base: str | Path, record: dict, fmt: str = "yaml") -> Path:
    """Write ``<base><suffix of fmt>`` atomically and remove the record of the other
    format, if an earlier run wrote one (one document, one record); returns its path."""
    base = Path(base)
    target = base.with_name(base.name + FORMATS[fmt])
    write_atomic(target, dump_record(record, fmt))
    for other in FORMATS.values():
        if other != FORMATS[fmt]:
            try:
                base.with_name(base.name + other).unlink()
            except FileNotFoundError:
                pass
    return target


def rewrite_record(path: str | Path, record: dict) -> None:
    """Write a record back to its file, in the format its suffix names."""
    path = Path(path)
    write_atomic(path, dump_record(record, "json" if path.suffix == ".json" else "yaml"))


def load_record(path: str | Path) -> Any:
    """The parsed file (a dict for a record); raises ValueError / yaml.YAMLError / OSError."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def is_record_name(name: str) -> bool:
    return name.endswith(SUFFIXES) and name not in NOT_RECORDS


def source_name(name: str) -> str:
    """The input's name a record file is named after (``a.txt.yml`` → ``a.txt``)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def record_files(root: str | Path) -> list[Path]:
    """Record files under a folder, in path order, without a batch's own files at its top."""
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file()
                  and not (p.parent == root and p.name in NOT_RECORDS))
