"""Micro and macro F1 per kind of two evaluate scores over the real documents they share: the
start-versus-end comparison of a session in docs/accuracy.md.

    python tools/compare_scores.py start.json end.json

Both files are ``policy-pipeline evaluate RECORDS --json FILE`` with today's code and gold, one on
the records of the session's first commit (run over today's corpus/raw), one on today's records.
The user's documents and their renditions (seeds/, tables/) are left out; a kind lower at the end
is marked."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

KINDS = ("tasks", "units_strict", "units_lenient", "deadlines_detected", "deadlines_normalised", "cadence",
         "thresholds", "references", "meta.title", "meta.issuer", "meta.issued_on", "meta.doc_number",
         "meta.recipients", "meta.doc_type")


def pooled(scores: dict, docs: list[str], kind: str) -> tuple[float, float]:
    """(micro F1 of the pooled counts, mean per-document F1) of ``kind`` over ``docs``."""
    tp = fp = fn = 0
    per_doc = []
    for d in docs:
        s = scores["documents"][d].get(kind)
        if not isinstance(s, dict) or s.get("tp") is None:
            continue
        tp, fp, fn = tp + s["tp"], fp + s["fp"], fn + s["fn"]
        if s.get("f1") is not None:
            per_doc.append(s["f1"])
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), (sum(per_doc) / len(per_doc) if per_doc else 0.0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("start", type=Path)
    ap.add_argument("end", type=Path)
    args = ap.parse_args(argv)
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (args.start, args.end))
    docs = [d for d in a["documents"] if d in b["documents"] and not d.startswith(("seeds/", "tables/"))]
    print(f"{len(docs)} documents in both")
    for kind in KINDS:
        (m1, M1), (m2, M2) = pooled(a, docs, kind), pooled(b, docs, kind)
        lower = "  <-- lower" if m2 < m1 - 1e-4 or M2 < M1 - 1e-4 else ""
        print(f"{kind:22s} {m1:.3f} -> {m2:.3f} / {M1:.3f} -> {M2:.3f}{lower}")


if __name__ == "__main__":
    main()
