"""Quality gate: `run` then `evaluate` on the corpus; no score may fall below its floor.

Floors live in tests/quality_floors.yml, pinned at the measured score (3 decimals,
rounded down), per corpus part of corpus/parts.yml — the user's documents (`seeds`) and
the real documents from elsewhere (`real`), each counted once as published; renditions
made by tools/render_corpus.py do not count — as micro F1 (pooled counts) and macro F1
(mean per document), plus one floor per document (its mean F1 over kinds) so that no
single document can silently collapse.

Raising floors is automatic: `pytest tests/test_quality.py --update-floors` rewrites
every floor that the code now beats (never lowers one). Lowering a floor is a manual
edit with a written reason under `lowered:`.
"""
from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path

import yaml

from pipeline.evaluate import _doc_mean, evaluate, part_of, render
from pipeline.schema import validate

ROOT = Path(__file__).resolve().parent.parent
FLOORS_FILE = Path(__file__).parent / "quality_floors.yml"
CHECKSUMS = ROOT / "corpus" / "checksums.sha256"
GATED_PARTS = ("seeds", "real")


def _floor(x: float) -> float:
    return math.floor(x * 1000 + 1e-9) / 1000


def measured(result: dict) -> dict:
    """The scores the gate pins: per gated part, micro and macro F1 per kind; per
    document of a gated part, its mean F1."""
    from pipeline.evaluate import load_parts

    parts = load_parts(ROOT / "corpus" / "parts.yml")["parts"]
    out: dict = {"parts": {}, "documents": {}}
    for part in GATED_PARTS:
        summary = result["groups"].get(f"part:{part}", {})
        out["parts"][part] = {
            "micro": {k: _floor(e["micro"].f1) for k, e in sorted(summary.items()) if e["micro"].f1 is not None},
            "macro": {k: _floor(e["macro"]) for k, e in sorted(summary.items()) if e["macro"] is not None},
        }
    for doc, scores in sorted(result["documents"].items()):
        if part_of(doc, parts) in GATED_PARTS:
            out["documents"][doc[: -len(".yml")]] = _floor(_doc_mean(scores))
    return out


def _needs_libreoffice(doc: str) -> bool:
    """A legacy Word or an OpenDocument file can only be read where LibreOffice is installed (.ci/run installs it)."""
    return doc.endswith((".doc", ".doc.yml", ".wps", ".wps.yml", ".odt", ".odt.yml")) and shutil.which("soffice") is None


def test_every_corpus_document_is_processed(corpus_run):
    code, report, _ = corpus_run
    failed = [d for d in report["documents"] if d["status"] != "done" and not _needs_libreoffice(d["source"])]
    assert not failed, failed
    assert code == 0 or shutil.which("soffice") is None


def test_every_record_validates_against_the_schema(corpus_records):
    assert corpus_records
    for r in corpus_records.values():
        validate(r)


def test_f1_floors(corpus_run, request):
    _, _, out = corpus_run
    result = evaluate(out / "records", ROOT / "corpus/gold")
    print(render(result))
    now = measured(result)
    floors = yaml.safe_load(FLOORS_FILE.read_text(encoding="utf-8"))
    if request.config.getoption("--update-floors"):
        _raise_floors(floors, now)
        return
    below = []
    parts = floors["parts"] if shutil.which("soffice") or not any(map(_needs_libreoffice, floors["documents"])) else {}
    for part, kinds in parts.items():
        for avg in ("micro", "macro"):
            for kind, floor in kinds[avg].items():
                score = now["parts"].get(part, {}).get(avg, {}).get(kind)
                if score is None or score < floor:
                    below.append(f"{part} {avg} {kind}: {score} < floor {floor}")
    for doc, floor in floors["documents"].items():
        if _needs_libreoffice(doc):
            continue
        score = now["documents"].get(doc)
        if score is None or score < floor:
            below.append(f"document {doc}: mean F1 {score} < floor {floor}")
    unpinned = sorted(set(now["documents"]) - set(floors["documents"]))
    assert not unpinned, f"documents without a floor (run with --update-floors): {unpinned}"
    assert not below, "\n".join(below)


def _raise_floors(floors: dict, now: dict) -> None:
    """Rewrite the floors file: every floor the code now beats is raised; new kinds and
    documents are pinned; nothing is lowered."""
    for part, avgs in now["parts"].items():
        for avg, kinds in avgs.items():
            cur = floors.setdefault("parts", {}).setdefault(part, {}).setdefault(avg, {})
            for kind, score in kinds.items():
                cur[kind] = max(cur.get(kind, 0.0), score)
    docs = floors.setdefault("documents", {})
    for doc, score in now["documents"].items():
        docs[doc] = max(docs.get(doc, 0.0), score)
    head = FLOORS_FILE.read_text(encoding="utf-8").split("\nparts:", 1)[0]
    body = yaml.safe_dump({k: floors[k] for k in ("parts", "documents")}, allow_unicode=True, sort_keys=False)
    tail = yaml.safe_dump({"lowered": floors.get("lowered") or []}, allow_unicode=True, sort_keys=False, width=100)
    FLOORS_FILE.write_text(head.rstrip("\n") + "\n" + body + tail, encoding="utf-8")


def corpus_checksums() -> dict[str, str]:
    files = sorted(p for p in (ROOT / "corpus" / "raw").rglob("*") if p.is_file())
    files += sorted((ROOT / "corpus" / "gold").glob("*.yml"))
    files.append(ROOT / "corpus" / "parts.yml")
    return {p.relative_to(ROOT / "corpus").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_gold_and_inputs_are_pinned():
    """A gold edit or a changed input is always a visible, deliberate commit: the
    checksums in corpus/checksums.sha256 must match (tools/corpus_checksums.py writes them)."""
    pinned = {}
    for line in CHECKSUMS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(None, 1)
            pinned[name] = digest
    now = corpus_checksums()
    changed = sorted(n for n in now if n in pinned and pinned[n] != now[n])
    added = sorted(set(now) - set(pinned))
    removed = sorted(set(pinned) - set(now))
    assert not (changed or added or removed), (
        f"corpus files differ from corpus/checksums.sha256 (changed {changed}, added {added}, removed {removed}); "
        "if the change is deliberate run `python tools/corpus_checksums.py` and commit the result")


def test_no_fact_is_reported_twice(corpus_records):
    """One occurrence in the visible text gives one fact: no deadline, threshold or
    cadence span in two tasks or in a task and the unattached facts, no fact twice in a
    task, no task twice. (Unit lines and time-limit lines shared by the 一是…二是… parts
    of one item — 责任处室：… / 整改时限：… after them — are assignments and limits of each
    part, so a span outside the task's own text may repeat across tasks.)"""
    import collections

    problems = []
    for p, r in corpus_records.items():
        if "tasks" not in r:
            continue
        seen = collections.Counter()
        for t in r["tasks"]:
            inside = collections.Counter((k, f["span"]["start"], f["span"]["end"])
                                         for k in ("responsible", "deadlines", "thresholds", "cadence")
                                         for f in t.get(k, []))
            problems += [f"{p}: {k} twice in one task" for k, n in inside.items() if n > 1]
            own = (t["span"]["start"], t["span"]["end"])
            for k in ("deadlines", "thresholds", "cadence"):
                for f in t.get(k, []):
                    if own[0] <= f["span"]["start"] and f["span"]["end"] <= own[1]:
                        seen[(k, f["span"]["start"], f["span"]["end"])] += 1
        for k in ("deadlines", "thresholds", "cadence"):
            for f in (r.get("unattached") or {}).get(k, []):
                seen[(k, f["span"]["start"], f["span"]["end"])] += 1
        problems += [f"{p}: {k} reported {n} times" for k, n in seen.items() if n > 1]
        spans = collections.Counter((t["span"]["start"], t["span"]["end"]) for t in r["tasks"])
        problems += [f"{p}: task {s} twice" for s, n in spans.items() if n > 1]
    assert not problems, problems[:10]
