"""policy-pipeline: Chinese government policy documents → structured YAML records.

The Python API (the same processing as ``policy-pipeline run``, for one document, in
this process)::

    import pipeline
    record = pipeline.process_file("通知.pdf")          # the record as a dict
    for task in record["tasks"]: print(task["text"], task["responsible"], task["deadlines"])

``process_text("…由市财政局牵头，2021年8月底前完成…")`` does the same for a string, and
``load_rules(DIR)`` loads (and validates) another rule folder to pass as ``rules=``. The
record's fields are those of ``policy-pipeline schema`` (docs/record.md). Imports of the
heavy modules happen on first use, so ``import pipeline`` stays instant.
"""
from __future__ import annotations

import os
from os import PathLike
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rules import RuleSet

__version__ = "0.1.0"
SCHEMA_VERSION = 1

__all__ = ["process_file", "process_text", "load_rules", "__version__", "SCHEMA_VERSION"]

_default_rules: RuleSet | None = None


def load_rules(dir: str | PathLike | None = None) -> RuleSet:
    """Load and validate a rule folder (default: the rules shipped with the package).

    Raises ``pipeline.rules.RuleError`` naming file, line and rule when a rule is invalid.
    The default rules are loaded once per process and shared.
    """
    global _default_rules
    from .rules import load_rules as _load

    if dir is not None:
        return _load(os.fspath(dir))
    if _default_rules is None:
        _default_rules = _load(None)
    return _default_rules


def _rules(rules: RuleSet | str | PathLike | None) -> RuleSet:
    from .rules import RuleSet

    return rules if isinstance(rules, RuleSet) else load_rules(rules)


def process_file(path: str | PathLike, rules: RuleSet | str | PathLike | None = None) -> dict[str, Any]:
    """Process one document (PDF, DOCX, HTML, TXT …; the format is sniffed from its bytes)
    and return its record as a dict.

    ``rules`` is a RuleSet from ``load_rules``, a rule folder, or None for the default rules.
    ``document.source`` is the file's name. Raises ``pipeline.model.IngestError`` (with
    ``status`` and ``reason``) for a file that cannot be read, FileNotFoundError when it is
    missing. Unlike ``run``, there is no time or memory limit: use the CLI for untrusted batches.
    """
    from .process import process_bytes

    with open(path, "rb") as fh:
        data = fh.read()
    return process_bytes(data, os.path.basename(os.fspath(path)), _rules(rules))


def process_text(text: str, name: str = "text.txt", rules: RuleSet | str | PathLike | None = None) -> dict[str, Any]:
    """Process a document given as a string (plain text, or HTML markup) and return its
    record as a dict. ``name`` becomes ``document.source``; relative deadlines resolve only
    when the text states its own date (成文日期)."""
    from .process import process_bytes

    return process_bytes(text.encode("utf-8"), name, _rules(rules))
