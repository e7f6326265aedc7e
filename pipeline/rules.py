"""Load and validate the rule files in ``rules/`` before any document is processed.

Each rule file is YAML. Its shape is declared next to the code that uses it as a
JSON Schema in ``RULE_SCHEMAS`` (file name → schema). Validation checks the schema
(unknown keys included), compiles every regular expression (keys named ``pattern``
or ending in ``_pattern``, and lists under ``patterns``), and reports a problem as
``file:line: rule <name>: message``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import prefilter


def _default_rules_dir() -> Path:
    # A checkout (or editable install) reads the repository's rules/, the one copy a user
    # edits; an installed wheel reads the copy setup.py put inside the package.
    here = Path(__file__).resolve().parent
    checkout = here.parent
    if (checkout / "rules").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout / "rules"
    return here / "_rules"


DEFAULT_RULES_DIR = _default_rules_dir()

_NAMED_RULE = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1}},
}

# Filled by the modules that own a rule file (see register_schema).
RULE_SCHEMAS: dict[str, dict] = {}
# Checks a schema cannot express (a required rule, placeholders): the file's YAML with
# ``__line__`` per mapping in, messages out (``"<line>: <message>"`` or ``" <message>"``).
RULE_CHECKS: dict[str, Any] = {}


# A rule's proof (tests/test_rule_proofs.py): texts it must find, each a string or
# {text: …, <field>: <expected value>, …}, and texts it must not fire on.
_EXAMPLE = {"oneOf": [
    {"type": "string", "minLength": 1},
    {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}},
]}
EXAMPLE_LIST = {"type": "array", "items": _EXAMPLE}
PROOF_PROPERTIES = {"examples": EXAMPLE_LIST, "counter_examples": EXAMPLE_LIST}


def _allow_proofs(schema):
    """Every named rule (an object schema with a ``name`` property) may carry its proof."""
    if isinstance(schema, dict):
        props = schema.get("properties")
        if isinstance(props, dict) and "name" in props:
            props.update(PROOF_PROPERTIES)
        for v in schema.values():
            _allow_proofs(v)
    elif isinstance(schema, list):
        for v in schema:
            _allow_proofs(v)


def register_schema(filename: str, schema: dict, check=None) -> None:
    _allow_proofs(schema)
    RULE_SCHEMAS[filename] = schema
    if check is not None:
        RULE_CHECKS[filename] = check


def rule_list_schema(item_properties: dict, required=("name",), top: dict | None = None) -> dict:
    """A file holding ``rules: [ {name: …, …}, … ]`` plus optional top-level keys."""
    props = {"name": {"type": "string", "minLength": 1}, **item_properties}
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer"},
            "description": {"type": "string"},
            "rules": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(required),
                    "properties": props,
                },
            },
            **(top or {}),
        },
        "required": ["rules"],
    }
    return schema


class RuleError(ValueError):
    pass


@dataclass(eq=False)  # hashed by identity: caches key on the loaded rule set
class RuleSet:
    directory: Path
    files: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    compiled: dict[tuple[int, str], re.Pattern] = field(default_factory=dict)
    _built: dict[str, Any] = field(default_factory=dict, repr=False)
    _words: dict[tuple[int, str], list] = field(default_factory=dict, repr=False)

    def built(self, key: str, build):
        """An object made from these rules once (a compiled matcher), then reused."""
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    def get(self, filename: str, default=None):
        return self.files.get(filename, default)

    def rules(self, filename: str) -> list[dict]:
        data = self.files.get(filename) or {}
        return data.get("rules", [])

    def regex(self, pattern: str, flags: int = 0) -> re.Pattern:
        # a tuple, not a joined string: a rule's pattern (kilobytes once expanded) keeps its
        # cached hash, so a look-up does not copy and rehash it (hundreds of thousands per MB)
        key = (flags, pattern)
        rx = self.compiled.get(key)
        if rx is None:
            rx = self.compiled[key] = re.compile(pattern, flags)
        return rx

    def could_match(self, pattern: str, text: str, pos: int = 0, endpos: int | None = None, flags: int = 0) -> bool:
        """False when ``text[pos:endpos]`` lacks a word every match of ``pattern`` contains
        (pipeline/prefilter.py): the scan can be skipped, its answer would be "no match"."""
        key = (flags, pattern)
        words = self._words.get(key)
        if words is None:
            words = self._words[key] = prefilter.required(pattern, flags)
        return prefilter.could_match(words, text, pos, endpos)


# A rule file is input too: bounded in size and in what its aliases expand to (an
# "alias bomb" of nested &a [*b, *b, …] is tiny on disk and exponential once walked).
MAX_RULE_FILE_BYTES = 5 * 1024 * 1024
MAX_EXPANDED_NODES = 1_000_000


class _LStr(str):
    """A string scalar that remembers its line, so an error about it can name it."""

    line: int | None = None


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's parser: rule files load 3x faster


class _LineLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that records the source line of every mapping as ``__line__`` (and of
    every string), refuses duplicate keys and reports impossible dates with their line."""


def _construct_mapping(loader, node, deep=False):
    seen: dict = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r} (first on line {seen[key]})", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _construct_str(loader, node):
    s = _LStr(loader.construct_scalar(node))
    s.line = node.start_mark.line + 1
    return s


def _construct_timestamp(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:       # 2021-02-30 has the shape of a date but is none
        raise yaml.constructor.ConstructorError(None, None, f"invalid date {node.value!r}: {exc}",
                                                node.start_mark) from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _expanded_size(root) -> int:
    """Nodes in the document once every alias is expanded (shared nodes counted each
    time they are reached), computed on the node graph without expanding it."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        children = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            on_path.discard(nid)
            size[nid] = min(1 + sum(size[id(c)] for c in children), MAX_EXPANDED_NODES + 1)
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise yaml.constructor.ConstructorError(None, None, "recursive alias", node.start_mark)
        on_path.add(nid)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)]


def _strip_lines(obj):
    if isinstance(obj, dict):
        return {k: _strip_lines(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [_strip_lines(v) for v in obj]
    if isinstance(obj, _LStr):
        return str(obj)
    return obj


def _walk_regexes(obj, fname, line, rule):
    """Yield (pattern, line, rule name) for every regex in a rule file."""
    if isinstance(obj, dict):
        line = obj.get("__line__", line)
        rule = obj.get("name", rule) if isinstance(obj.get("name"), str) else rule
        for k, v in obj.items():
            if k == "__line__":
                continue
            if isinstance(k, str) and (k == "pattern" or k.endswith("_pattern")) and isinstance(v, str):
                yield v, line, rule
            elif k == "patterns" and isinstance(v, list):
                for p in v:
                    if isinstance(p, str):
                        yield p, line, rule
            else:
                yield from _walk_regexes(v, fname, line, rule)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_regexes(v, fname, line, rule)


def _locate(raw, path) -> tuple[int | None, str | None]:
    """Line and rule name for a jsonschema error path."""
    node, line, rule = raw, None, None
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            line = node.get("__line__", line)
            if isinstance(node.get("name"), str):
                rule = node["name"]
        elif isinstance(node, _LStr) and node.line:
            line = node.line
    return line, rule


def load_file(path: Path) -> Any:
    """A rule file's YAML with line numbers; RuleError naming the file (and line) when the
    file cannot be read, is not UTF-8, is too large, has duplicate keys or an alias bomb."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_RULE_FILE_BYTES + 1)
    except OSError as exc:
        raise RuleError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_RULE_FILE_BYTES:
        raise RuleError(f"{path.name}: larger than {MAX_RULE_FILE_BYTES // (1024 * 1024)} MB, not a rule file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RuleError(f"{path.name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                        "save the rule file as UTF-8") from None
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_EXPANDED_NODES:
            raise RuleError(f"{path.name}: aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb?)")
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise RuleError(f"{where}: YAML error: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise RuleError(f"{path.name}: nested too deeply") from None
    finally:
        loader.dispose()
    return raw


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Load every known rule file; raise RuleError naming file, line and rule."""
    import jsonschema  # lazy

    _import_rule_owners()
    directory = Path(directory) if directory else DEFAULT_RULES_DIR
    if not directory.is_dir():
        raise RuleError(f"rules directory not found: {directory}")
    rs = RuleSet(directory)
    h = hashlib.sha256()
    errors: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        if not path.is_file():      # a FIFO named *.yml would block the read
            errors.append(f"{path.name}: not a regular file")
            continue
        h.update(path.name.encode() + b"\0" + path.read_bytes()[:MAX_RULE_FILE_BYTES + 1])
        schema = RULE_SCHEMAS.get(path.name)
        if schema is None:
            errors.append(f"{path.name}: unknown rule file (known: {', '.join(sorted(RULE_SCHEMAS))})")
            continue
        try:
            raw = load_file(path)
        except RuleError as exc:
            errors.append(str(exc))
            continue
        if raw is None:
            errors.append(f"{path.name}: empty rule file")
            continue
        clean = _strip_lines(raw)
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        for err in sorted(validator.iter_errors(clean), key=lambda e: list(e.absolute_path)):
            line, rule = _locate(raw, list(err.absolute_path))
            where = f"{path.name}:{line}" if line else path.name
            who = f" rule {rule!r}:" if rule else ""
            errors.append(f"{where}:{who} {err.message}")
        for pattern, line, rule in _walk_regexes(raw, path.name, None, None):
            try:
                rs.regex(pattern)
            except re.error as exc:
                who = f" rule {rule!r}:" if rule else ""
                errors.append(f"{path.name}:{line}:{who} invalid regex {pattern!r}: {exc}")
        check = RULE_CHECKS.get(path.name)
        if check is not None and isinstance(raw, dict):
            errors += [f"{path.name}:{msg}" for msg in check(raw)]
        names = [r.get("name") for r in (clean or {}).get("rules", []) if isinstance(r, dict)] if isinstance(clean, dict) else []
        dupes = {n for n in names if n and names.count(n) > 1}
        if dupes:
            errors.append(f"{path.name}: duplicate rule names: {', '.join(sorted(dupes))}")
        rs.files[path.name] = clean
    missing = sorted(set(RULE_SCHEMAS) - {p.name for p in directory.glob("*.yml")})
    if missing:
        errors.append(f"{directory}: missing rule files: {', '.join(missing)}")
    if errors:
        raise RuleError("invalid rules:\n  " + "\n  ".join(errors))
    rs.digest = h.hexdigest()
    return rs


_DEFAULT: list[RuleSet] = []


def default_rules() -> RuleSet:
    """The bundled rules, loaded once per process: for a caller given no rule set (a
    reader or parser used on its own, outside a batch)."""
    if not _DEFAULT:
        _DEFAULT.append(load_rules())
    return _DEFAULT[0]


def _import_rule_owners() -> None:
    """Import the modules that register rule-file schemas."""
    import importlib

    for mod in RULE_OWNERS:
        importlib.import_module(mod)


# Modules that call register_schema for a rule file.
RULE_OWNERS = [
    "pipeline.junk",
    "pipeline.structure",
    "pipeline.extract.units",
    "pipeline.extract.deadlines",
    "pipeline.extract.thresholds",
    "pipeline.extract.tasks",
    "pipeline.extract.references",
    "pipeline.extract.tables", "pipeline.extract.metrics",
    "pipeline.extract.metadata",
]
