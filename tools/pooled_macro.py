"""Mean per-document F1 per kind over the documents of several first-run scores, and the same
documents in an end-of-session score: the pooled table of a session in docs/accuracy.md.

    python tools/pooled_macro.py first_A.json first_B.json … --end end.json

Each ``first_*.json`` is ``policy-pipeline evaluate RECORDS --gold GOLD --json FILE`` of one batch's
first-run records (run with the batch's commit); ``end.json`` is the same command on the whole corpus
with today's code. Documents are matched by file name."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

KINDS = ("tasks", "units_strict", "deadlines_normalised", "thresholds", "cadence", "meta.title",
         "meta.issuer", "meta.issued_on", "meta.recipients", "meta.doc_number")


def per_document(paths: list[Path]) -> dict[str, dict]:
    docs: dict[str, dict] = {}
    for p in paths:
        for name, scores in json.loads(p.read_text(encoding="utf-8"))["documents"].items():
            docs[name.rsplit("/", 1)[-1]] = scores
    return docs


def macro(docs: dict[str, dict], kind: str) -> tuple[float | None, int]:
    f1 = [s[kind]["f1"] for s in docs.values() if isinstance(s.get(kind), dict) and s[kind].get("f1") is not None]
    return (sum(f1) / len(f1) if f1 else None), len(f1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("first", nargs="+", type=Path, help="first-run evaluate --json files, one per batch")
    ap.add_argument("--end", type=Path, required=True, help="evaluate --json of the whole corpus today")
    args = ap.parse_args(argv)
    first = per_document(args.first)
    end = {k: v for k, v in per_document([args.end]).items() if k in first}
    print(f"{len(first)} documents ({len(end)} in the end score)")
    print("| kind | first run | end |\n|---|---|---|")
    for kind in KINDS:
        f, n = macro(first, kind)
        e, _ = macro(end, kind)
        if f is not None:
            print(f"| {kind} | {f:.2f} ({n}) | {'–' if e is None else f'{e:.2f}'} |")


if __name__ == "__main__":
    main()
