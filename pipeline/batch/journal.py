"""What earlier runs did: ``OUT/manifest.json`` plus a journal appended as documents finish.

Each finished document appends one JSON line to ``OUT/journal.jsonl`` (written with
O_APPEND in one ``write``, so a line is whole or, after a crash mid-write, a torn last
line that is ignored). A run that completes folds the journal into ``manifest.json``
(temporary file, then rename) and removes it. A run killed half-way leaves the journal:
the next run replays it over the manifest and skips what was finished, so a crash loses
at most the documents that were in flight.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..emit import write_atomic

MANIFEST = "manifest.json"
JOURNAL = "journal.jsonl"


class Journal:
    def __init__(self, out_dir: Path):
        self.manifest_path = Path(out_dir) / MANIFEST
        self.journal_path = Path(out_dir) / JOURNAL
        self._fd: int | None = None

    def load(self) -> dict[str, dict]:
        """name → {key, status, reason, output}: the manifest with the journal replayed over it."""
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                manifest = {}
        except (OSError, ValueError):
            manifest = {}
        try:
            lines = self.journal_path.read_bytes().split(b"\n")
        except OSError:
            lines = []
        for line in lines:
            try:
                item = json.loads(line)
                manifest[item["name"]] = item["entry"]
            except (ValueError, KeyError, TypeError):
                continue                         # a torn last line after a crash
        return manifest

    def append(self, name: str, entry: dict) -> None:
        if self._fd is None:
            self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        line = json.dumps({"name": name, "entry": entry}, ensure_ascii=True, sort_keys=True) + "\n"
        os.write(self._fd, line.encode("ascii"))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def compact(self, manifest: dict[str, dict]) -> None:
        """Write the manifest of a finished run and drop the journal it supersedes."""
        self.close()
        write_atomic(self.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
