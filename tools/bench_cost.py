#!/usr/bin/env python3
"""Cost benchmarks of issue 9: linear cost in document size, the share of record writing,
MB/s per core, and re-running an unchanged batch. Section 6 of ``make bench``
(tools/benchmark.py calls ``run`` and ``render``); alone:

    python tools/bench_cost.py [--quick] [--out FILE.md] [--workdir DIR]

1. **Size curve**: TXT documents of 10 kB to 5 MB (1 MB with ``--quick``), each the
   corpus TXT documents concatenated (UTF-8 originals, a GB18030 copy of a seed left out),
   a new shuffled order for every pass over them, so no document follows itself and the
   repeated-body check does not fold the copies. One process, warm: CPU seconds
   (``time.process_time``) of ingest, analyse (structure + extract), and writing
   (build_record + schema validation + YAML), and seconds per MB.
2. **Record writing and MB/s per core**: every corpus TXT and HTML file, CPU seconds per
   stage (best of several rounds); writing = validation + YAML emitting.
3. **Re-run**: a batch of corpus TXT/HTML/DOCX copies through ``policy-pipeline run -j 2``
   fresh (``--force``), then twice unchanged; the whole command's wall time and the run's
   own seconds (report.yml).
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "corpus" / "raw"
SIZES_MB = (0.01, 0.1, 0.5, 1.0, 2.0, 5.0)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _loadavg() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


# ------------------------------------------------------------------------------ 1. size curve
def txt_pool() -> list[str]:
    """The corpus TXT documents as text, one copy of each (the GB18030 renditions of the
    seeds repeat their UTF-8 originals)."""
    return [p.read_bytes().decode("utf-8") for p in sorted(CORPUS.rglob("*.txt"))
            if "gb18030" not in p.parts]


def concatenated(pool: list[str], size_bytes: int) -> bytes:
    """Distinct documents end to end until ``size_bytes`` of UTF-8, each pass over the pool
    in a new order (seeded: the same document every run)."""
    if not any(pool):
        raise ValueError(f"no TXT documents under {CORPUS}")
    out: list[str] = []
    n, rnd = 0, random.Random(9)
    while n < size_bytes:
        order = list(range(len(pool)))
        rnd.shuffle(order)
        for i in order:
            out.append(pool[i])
            n += len(pool[i].encode("utf-8")) + 2
            if n >= size_bytes:
                break
    return "\n\n".join(out).encode("utf-8")


def _stages(data: bytes, name: str, rules) -> dict:
    from pipeline.emit import dump_yaml
    from pipeline.process import analyse, build_record, document_id, ingest
    from pipeline.schema import validate

    c, w = time.process_time, time.perf_counter
    c0, w0 = c(), w()
    doc = ingest(data, name, rules)
    c1 = c()
    a = analyse(doc, rules)
    c2 = c()
    record = build_record(a, document_id(data), name)
    c3 = c()
    validate(record)
    c4 = c()
    dump_yaml(record)
    c5, w5 = c(), w()
    return {"ingest": c1 - c0, "analyse": c2 - c1, "build": c3 - c2, "validate": c4 - c3, "yaml": c5 - c4,
            "cpu": c5 - c0, "wall": w5 - w0, "chars": len(doc.text), "tasks": len(a.tasks),
            "blocks": len(doc.blocks)}


def size_curve(rules, quick: bool) -> list[dict]:
    pool = txt_pool()
    for text in pool:                       # warm-up: first-use costs are not the curve's
        _stages(text.encode("utf-8"), "warm.txt", rules)
    rows = []
    for mb in SIZES_MB:
        if quick and mb > 1.0:
            continue
        data = concatenated(pool, int(mb * 1e6))
        reps = 5 if mb <= 0.1 else (2 if mb <= 1.0 else 1)
        runs = [_stages(data, f"size_{mb}.txt", rules) for _ in range(reps)]
        best = min(runs, key=lambda r: r["cpu"])
        row = {"mb": len(data) / 1e6, "reps": reps, **best}
        row["s_per_mb"] = best["cpu"] / row["mb"]
        rows.append(row)
        log(f"  {row['mb']:.2f} MB: {best['cpu']:.2f} s CPU ({row['s_per_mb']:.2f} s/MB), "
            f"{best['wall']:.2f} s wall, {best['tasks']} tasks")
    return rows


# ------------------------------------------------------------------- 2. writing share, MB/s
def writing_share(rules, quick: bool) -> list[dict]:
    rows = []
    for ext in (".txt", ".html"):
        files = [p for p in sorted(CORPUS.rglob(f"*{ext}")) if p.is_file()]
        datas = [(p.name, p.read_bytes()) for p in files]
        for name, data in datas:            # warm-up
            _stages(data, name, rules)
        rounds = []
        for _ in range(3 if quick else 7):
            tot: dict[str, float] = {}
            for name, data in datas:
                for k, v in _stages(data, name, rules).items():
                    if k in ("ingest", "analyse", "build", "validate", "yaml", "cpu", "wall"):
                        tot[k] = tot.get(k, 0.0) + v
            rounds.append(tot)
        best = min(rounds, key=lambda r: r["cpu"])
        nbytes = sum(len(d) for _, d in datas)
        row = {"format": ext[1:].upper(), "files": len(datas), "bytes": nbytes, "rounds": len(rounds), **best,
               "median_cpu": statistics.median(r["cpu"] for r in rounds)}
        row["writing_share"] = (best["validate"] + best["yaml"]) / best["cpu"]
        row["mb_per_s"] = nbytes / 1e6 / best["cpu"]
        rows.append(row)
        log(f"  {row['format']}: {row['mb_per_s']:.2f} MB/s per core (CPU), writing "
            f"{100 * row['writing_share']:.0f} % (validate {best['validate']:.3f} s, YAML {best['yaml']:.3f} s)")
    return rows


# ------------------------------------------------------------------------------ 3. re-run
def _cli() -> list[str]:
    here = Path(sys.executable).parent / "policy-pipeline"
    return [str(here)] if here.exists() else [sys.executable, "-m", "pipeline.cli"]


def rerun(workdir: Path, rules_dir: str | None, quick: bool) -> dict:
    import yaml

    n = 200 if quick else 1000
    files = [p for ext in (".txt", ".html", ".docx") for p in sorted(CORPUS.rglob(f"*{ext}")) if p.is_file()]
    folder = workdir / f"rerun_{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(n):
        src = files[i % len(files)]
        shutil.copyfile(src, folder / f"{i:04d}_{src.name}")
    out = workdir / f"rerun_{n}_out"
    shutil.rmtree(out, ignore_errors=True)
    # a copy of the rules: an edit of rules/ between the runs (a shared checkout) would
    # rightly make every document "changed" and measure nothing
    from pipeline.rules import DEFAULT_RULES_DIR

    snapshot = workdir / "rerun_rules"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(rules_dir or DEFAULT_RULES_DIR, snapshot)
    extra = ["--rules", str(snapshot)]
    runs = []
    for label, force in (("fresh", ["--force"]), ("unchanged", []), ("unchanged", [])):
        cmd = _cli() + ["run", str(folder), "-o", str(out), "-j", "2", "-q", *force, *extra]
        load0 = _loadavg()
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t
        report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
        runs.append({"label": label, "rc": p.returncode, "wall_s": wall, "run_s": report.get("seconds"),
                     "summary": report.get("summary"), "load_before": load0, "load_after": _loadavg(),
                     "cmd": " ".join(cmd[len(_cli()):]).replace(str(workdir), "$WORK")})
        log(f"  {label}: {wall:.2f} s wall, run {report.get('seconds')} s")
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(snapshot, ignore_errors=True)
    fresh = runs[0]
    again = runs[1:]
    return {"documents": n, "runs": runs,
            "ratio_wall": min(r["wall_s"] for r in again) / fresh["wall_s"],
            "ratio_run": min(r["run_s"] for r in again) / fresh["run_s"] if fresh["run_s"] else None}


def run(workdir: Path, rules_dir: str | None, quick: bool) -> dict:
    from pipeline.rules import load_rules

    rules = load_rules(rules_dir)
    res: dict = {"load_start": _loadavg()}
    t = time.perf_counter()
    log("6a. size curve")
    res["sizes"] = size_curve(rules, quick)
    log("6b. record writing and MB/s per core")
    res["writing"] = writing_share(rules, quick)
    log("6c. re-running an unchanged batch")
    res["rerun"] = rerun(workdir, rules_dir, quick)
    res["seconds"] = time.perf_counter() - t
    res["load_end"] = _loadavg()
    return res


# ------------------------------------------------------------------------------- report
def headline(c: dict) -> list[tuple[str, str]]:
    h = []
    big = c["sizes"][-1]
    worst = max(c["sizes"], key=lambda r: r["s_per_mb"])
    h.append(("Extract cost by size (TXT, one core)",
              f"{big['mb']:.1f} MB in {big['cpu']:.1f} s CPU; {worst['s_per_mb']:.2f} s/MB at worst "
              f"({worst['mb']:.2f} MB), {min(r['s_per_mb'] for r in c['sizes']):.2f} at best"))
    for w in c["writing"]:
        h.append((f"{w['format']} per core, record writing share",
                  f"{w['mb_per_s']:.2f} MB/s; validation + YAML {100 * w['writing_share']:.0f} % of the time"))
    r = c["rerun"]
    h.append((f"Re-run of an unchanged {r['documents']:,}-document batch (-j 2)",
              f"{100 * r['ratio_wall']:.1f} % of the fresh run's wall time"
              + (f" ({100 * r['ratio_run']:.1f} % of its run time)" if r["ratio_run"] is not None else "")))
    return h


def render(c: dict, section: str = "6") -> list[str]:
    L: list[str] = []
    add = L.append
    add(f"## {section}. Linear cost, record writing, re-runs")
    add("")
    add(f"Alone: `python tools/bench_cost.py --out FILE.md` (this section took {c['seconds']:.0f} s; load "
        f"{c['load_start']} → {c['load_end']}). CPU seconds are `time.process_time()` of the benchmark process, "
        "so other processes on the machine slow them less than wall seconds (cache and memory contention remain).")
    add("")
    add(f"### {section}a. Size curve (TXT, one process, one core)")
    add("")
    add("Each document is the corpus TXT documents concatenated, each pass over them in a new order. "
        "Targets (issue 9): 5 MB in < 10 s, ≤ 2 s per MB at every size.")
    add("")
    add("| Input MB | Body kchars | Blocks | Tasks | Runs | ingest s | analyse s | writing s | CPU s | wall s | CPU s per MB |")
    add("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in c["sizes"]:
        add(f"| {r['mb']:.2f} | {r['chars'] / 1000:,.0f} | {r['blocks']:,} | {r['tasks']:,} | {r['reps']} "
            f"| {r['ingest']:.2f} | {r['analyse']:.2f} | {r['build'] + r['validate'] + r['yaml']:.2f} "
            f"| {r['cpu']:.2f} | {r['wall']:.2f} | {r['s_per_mb']:.2f} |")
    add("")
    add("*Runs*: the best of that many (CPU). *writing* = build_record + schema validation + YAML.")
    add("")
    add(f"### {section}b. Record writing and MB/s per core (corpus TXT and HTML)")
    add("")
    add("Targets: validation + YAML ≤ 15 % of TXT time; TXT and HTML end-to-end ≥ 1.5 MB/s per core. "
        "End-to-end here is ingest → record text in one process (no file write); the best of the rounds.")
    add("")
    add("| Format | Files | Input MB | Rounds | ingest s | analyse s | build s | validate s | YAML s | CPU s "
        "| median CPU s | MB/s per core | validation + YAML |")
    add("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for w in c["writing"]:
        add(f"| {w['format']} | {w['files']} | {w['bytes'] / 1e6:.2f} | {w['rounds']} | {w['ingest']:.3f} "
            f"| {w['analyse']:.3f} | {w['build']:.3f} | {w['validate']:.3f} | {w['yaml']:.3f} | {w['cpu']:.3f} "
            f"| {w['median_cpu']:.3f} | {w['mb_per_s']:.2f} | {100 * w['writing_share']:.0f} % |")
    add("")
    r = c["rerun"]
    add(f"### {section}c. Re-running an unchanged batch")
    add("")
    add(f"{r['documents']:,} copies of the corpus TXT, HTML and DOCX files (distinct names), `-j 2`, with a "
        "copy of the rules (an edit of rules/ in between would rightly redo everything). "
        "Target: an unchanged re-run ≤ 5 % of a fresh run.")
    add("")
    add("| Run | Wall s | Run s (report) | Summary | Load before → after |")
    add("|---|--:|--:|---|---|")
    for x in r["runs"]:
        add(f"| {x['label']} | {x['wall_s']:.2f} | {x['run_s']} | {x['summary']} | {x['load_before']} → {x['load_after']} |")
    add("")
    add(f"Unchanged / fresh: **{100 * r['ratio_wall']:.1f} %** of the wall time (whole command: start-up, rules, "
        "hashing every input, report, reference links)"
        + (f", {100 * r['ratio_run']:.1f} % of the run's own seconds." if r["ratio_run"] is not None else "."))
    add("")
    add("Commands: " + "; ".join(f"`policy-pipeline {x['cmd']}`" for x in r["runs"][:2]))
    add("")
    return L


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 1 MB, a 200-document batch, fewer rounds")
    ap.add_argument("--rules", default=None, metavar="DIR")
    ap.add_argument("--workdir", default=None, metavar="DIR")
    ap.add_argument("--out", default=None, metavar="FILE", help="write the section as Markdown")
    args = ap.parse_args(argv)
    workdir = Path(args.workdir or Path(tempfile.gettempdir()) / "policy_bench")
    workdir.mkdir(parents=True, exist_ok=True)
    c = run(workdir, args.rules, args.quick)
    text = "\n".join(["# Cost benchmarks", ""] + render(c)) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    for k, v in headline(c):
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
