"""Write YAML atomically: a temporary file in the same folder, then a rename."""
from __future__ import annotations

import datetime as dt
import gc
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode


_STR, _INT, _BOOL, _NULL = ("tag:yaml.org,2002:" + t for t in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


# libyaml's emitter when PyYAML was built with it (about 10x faster), else pure Python.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """PyYAML's safe dumper with its two Python hot paths made direct: building nodes
    from the record and resolving plain scalars (together about half of the time PyYAML
    spends on a record; libyaml's emitting is the other half). The output is byte for
    byte the generic one's: same tags, styles, and anchors for objects that occur twice."""

    def represent(self, data):
        self.serialize(self._node(data))
        self.represented_objects = {}
        self.object_keeper = []
        self.alias_key = None

    def _node(self, data):
        t = type(data)
        if t is str:
            return ScalarNode(_STR, data, style=_str_style(data))
        if t is int:
            return ScalarNode(_INT, str(data))
        if data is None:
            return ScalarNode(_NULL, "null")
        if t is bool:
            return ScalarNode(_BOOL, "true" if data else "false")
        if (t is dict or t is list) and self.default_flow_style is not None:
            key = id(data)
            if key in self.represented_objects:       # the same object again: an alias
                return self.represented_objects[key]
            self.object_keeper.append(data)
            if t is dict:
                pairs: list = []
                node = self.represented_objects[key] = MappingNode(_MAP, pairs, flow_style=self.default_flow_style)
                pairs.extend((self._node(k), self._node(v)) for k, v in data.items())
            else:
                items: list = []
                node = self.represented_objects[key] = SequenceNode(_SEQ, items, flow_style=self.default_flow_style)
                items.extend(self._node(v) for v in data)
            return node
        return self.represent_data(data)             # anything else: the generic way

    _resolved: dict = {}     # (short scalar, implicit) -> tag: field names and codes recur

    def resolve(self, kind, value, implicit):
        if kind is not ScalarNode or self.yaml_path_resolvers or None in self.yaml_implicit_resolvers:
            return super().resolve(kind, value, implicit)
        # A scalar whose first character starts no implicit type (most Chinese text) is a
        # plain string: the generic resolver's answer, without building its rule list.
        if value and value[0] not in self.yaml_implicit_resolvers:
            return self.DEFAULT_SCALAR_TAG
        tag = self._resolved.get((value, implicit))
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) <= 40 and len(self._resolved) < 20000:
                self._resolved[(value, implicit)] = tag
        return tag


def _str_style(data: str) -> str | None:
    return "|" if "\n" in data else None


def _str_presenter(dumper, data: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=_str_style(data))


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))
_Dumper.add_representer(dt.date, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v.isoformat()))


def dump_yaml(data: Any) -> str:
    # The node tree (one object per field, ~165,000 per MB of text) holds no cycles to
    # collect; the collector walking it again and again as it grows cost 40 % of the
    # dump of a 5 MB document. Paused for the dump only, and only if it was running.
    paused = gc.isenabled()
    gc.disable()
    try:
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)
    finally:
        if paused:
            gc.enable()


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write a file whole or not at all (temporary file, fsync, rename), with the
    permissions the user's umask gives new files (not mkstemp's 0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_yaml(path: str | Path, data: Any) -> None:
    write_atomic(path, dump_yaml(data))
