#!/usr/bin/env python3
"""Write corpus/checksums.sha256: the SHA-256 of every input under corpus/raw, every
gold file and corpus/parts.yml. tests/test_quality.py fails when a file differs, so a
gold edit or a changed input is always a deliberate, visible commit.

Usage: python tools/corpus_checksums.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_quality import CHECKSUMS, corpus_checksums  # noqa: E402


def main() -> int:
    sums = corpus_checksums()
    lines = ["# sha256 of every corpus input, gold file and parts.yml (tools/corpus_checksums.py)"]
    lines += [f"{digest}  {name}" for name, digest in sums.items()]
    CHECKSUMS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(sums)} files pinned in {CHECKSUMS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
