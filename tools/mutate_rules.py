#!/usr/bin/env python3
"""Mutation sweep over the rule files (issue 12): delete each rule in turn and see what
notices. Writes docs/rule-coverage.md.

For every rule (as tests/test_rule_proofs.py enumerates them: named entries of rule
lists, entries of the word tables it lists) the sweep deletes that one rule from a
temporary copy of the rules and measures:

- own examples: how many of the rule's own examples give a different result without
  it (the rule's proof stays in the repository even when the rule is deleted);
- other proofs: which other rules' proofs (check_rule of tests/test_rule_proofs.py,
  the same check the test runs) fail without it; only proofs whose checking reads the
  mutated file are checked (recorded once, see files_read);
- gold facts: the corpus processed with the mutated rule folder, then
  `policy-pipeline evaluate --json`: per kind, how many gold facts are matched more or
  less (tp) and how many false positives appear or go (fp), against an unmutated run.
  Only junk.yml acts while documents are read, so the corpus is ingested once
  (`policy-pipeline ingest`) and every other mutation only re-runs `policy-pipeline
  extract` on it; a junk.yml mutation runs `policy-pipeline run` from the raw files.
  Corpus and gold are copied first, so documents added meanwhile do not count.

A rule whose deletion changes none of these is listed as unproven.

    .venv/bin/python tools/mutate_rules.py [-j 2] [--only units.yml] [--out docs/rule-coverage.md]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _plain(obj):
    """Loaded rule data as plain Python values (the loader's str subclass cannot be dumped)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, str):
        return str(obj)
    return obj


def write_mutant(base: Path, dest: Path, filename: str, data) -> None:
    """dest = the base rule folder with one file replaced by ``data`` (a temporary copy:
    its comments do not matter, the bundled rules/ is never touched)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(base, dest)
    (dest / filename).write_text(yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False), encoding="utf-8")


# Rule files that act while a document is read (ingest); the others act on the
# ingested document only.
INGEST_FILES = {"junk.yml"}


def start_corpus(job: str, inputs: Path, rules_dir: Path, out: Path, jobs: int) -> subprocess.Popen:
    """``policy-pipeline run|ingest|extract`` in the background."""
    if out.exists():
        shutil.rmtree(out)
    return subprocess.Popen([str(BIN / "policy-pipeline"), job, str(inputs), "-o", str(out), "--rules", str(rules_dir),
                             "-j", str(jobs), "--quiet", "--allow-failures"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish_corpus(proc: subprocess.Popen, records: Path | None, gold: Path) -> dict | None:
    """Wait for the job; then the per-document scores of ``records`` (None: no scoring)."""
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(proc.args[:2])} failed ({proc.returncode}): {err.strip()[-500:]}")
    if records is None:
        return None
    scores = records.parent / f"{records.name}-scores.json"
    subprocess.run([str(BIN / "policy-pipeline"), "evaluate", str(records), "--gold", str(gold),
                    "--json", str(scores)], check=True, stdout=subprocess.DEVNULL)
    return json.loads(scores.read_text(encoding="utf-8"))["documents"]


def corpus_job(rule_file: str, raw: Path, ingested: Path, rules_dir: Path, out: Path, jobs: int):
    """(process, records folder) for one mutation."""
    if rule_file in INGEST_FILES:
        return start_corpus("run", raw, rules_dir, out, jobs), out / "records"
    return start_corpus("extract", ingested, rules_dir, out, jobs), out


def gold_delta(base: dict, mut: dict) -> dict[str, dict[str, int]]:
    """Per kind: tp gained/lost and fp gained/lost over all documents."""
    out: dict[str, dict[str, int]] = {}
    for doc in set(base) | set(mut):
        b, m = base.get(doc, {}), mut.get(doc, {})
        for kind in set(b) | set(m):
            dtp = m.get(kind, {}).get("tp", 0) - b.get(kind, {}).get("tp", 0)
            dfp = m.get(kind, {}).get("fp", 0) - b.get(kind, {}).get("fp", 0)
            if dtp or dfp:
                d = out.setdefault(kind, {"tp+": 0, "tp-": 0, "fp+": 0, "fp-": 0})
                d["tp+" if dtp > 0 else "tp-"] += abs(dtp) if dtp else 0
                d["fp+" if dfp > 0 else "fp-"] += abs(dfp) if dfp else 0
    return out


def files_read(proofs, rules, rule) -> set[str]:
    """The rule files the pipeline reads while this rule's proofs are checked: only a
    deletion in one of them can break the proofs (the extractors read rules through
    RuleSet.get / RuleSet.rules, recorded here on a fresh copy so nothing is cached)."""
    from pipeline.rules import RuleSet

    class Tracking(RuleSet):
        def get(self, filename, default=None):
            self.read.add(filename)
            return super().get(filename, default)

        def rules(self, filename):
            self.read.add(filename)
            return super().rules(filename)

    tracked = Tracking(rules.directory, rules.files, rules.digest)
    tracked.read = {rule.file}
    section = proofs.section_of(rule)
    for which in ("examples", "counter_examples"):
        for ex in proofs.proofs(rules, rule, which):
            section.observe(tracked, ex["text"], ex)
    return tracked.read


def own_examples_changed(proofs, rules, mutant, rule) -> tuple[int, int, int]:
    """(examples whose result changes without the rule, examples, of them known gaps)."""
    section = proofs.section_of(rule)
    changed = total = gaps = 0
    for ex in proofs.proofs(rules, rule, "examples"):
        total += 1
        gaps += bool(ex.get("known_gap"))
        full = section.observe(rules, ex["text"], ex)
        less = section.observe(mutant, ex["text"], ex)
        changed += sorted(map(proofs._key, full)) != sorted(map(proofs._key, less))
    return changed, total, gaps


def _fmt_delta(delta: dict) -> str:
    parts = []
    for kind, d in sorted(delta.items()):
        bits = [f"{k}{v}" for k, v in (("tp−", d["tp-"]), ("tp+", d["tp+"]), ("fp+", d["fp+"]), ("fp−", d["fp-"])) if v]
        parts.append(f"{kind} {' '.join(bits)}")
    return "; ".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", default=str(ROOT / "rules"), help="rule folder to mutate (copied, never changed)")
    ap.add_argument("--corpus", default=str(ROOT / "corpus" / "raw"))
    ap.add_argument("--gold", default=str(ROOT / "corpus" / "gold"))
    ap.add_argument("-j", "--jobs", type=int, default=2, help="worker processes of each corpus run")
    ap.add_argument("--only", default=None, help="only rules whose id (file:list:name) contains this")
    ap.add_argument("--no-corpus", action="store_true", help="proofs only (no corpus runs)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "rule-coverage.md"))
    args = ap.parse_args(argv)

    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="mutate-rules-"))
    try:
        base_rules = work / "rules"
        shutil.copytree(args.rules, base_rules)
        os.environ["POLICY_RULES_DIR"] = str(base_rules)      # the proof module reads the copy
        sys.path.insert(0, str(ROOT))
        from tests import test_rule_proofs as proofs

        rules = proofs.RULES
        every = [r for r in proofs.ALL if proofs.section_of(r) is not None]
        reads = {r: files_read(proofs, rules, r) for r in every}
        chosen = [r for r in every if not args.only or args.only in r.id]
        raw, gold, ingested = work / "raw", work / "gold", work / "ingested"
        base_scores = None
        if not args.no_corpus:
            shutil.copytree(args.corpus, raw)
            shutil.copytree(args.gold, gold)
            finish_corpus(start_corpus("ingest", raw, base_rules, ingested, args.jobs), None, gold)
            base_scores = finish_corpus(start_corpus("extract", ingested, base_rules, work / "out-base", args.jobs),
                                        work / "out-base", gold)
        rows = []
        for n, rule in enumerate(chosen, 1):
            t = time.time()
            mutant = proofs.without(rules, rule)
            proc = None
            if not args.no_corpus:
                write_mutant(base_rules, work / "rules-mut", rule.file, mutant.files[rule.file])
                proc, records = corpus_job(rule.file, raw, ingested, work / "rules-mut", work / "out-mut", args.jobs)
            # the proofs run while the corpus does (the run's workers are other processes)
            changed, total, gaps = own_examples_changed(proofs, rules, mutant, rule)
            failing = [q.id for q in every if q != rule and rule.file in reads[q] and proofs.check_rule(mutant, q)]
            delta = {} if proc is None else gold_delta(base_scores, finish_corpus(proc, records, gold))
            rows.append({"rule": rule, "changed": changed, "total": total, "gaps": gaps,
                         "failing": failing, "delta": delta})
            print(f"[{n}/{len(chosen)}] {rule.id}: own {changed}/{total}, other proofs {len(failing)}, "
                  f"gold {_fmt_delta(delta) or '-'} ({time.time() - t:.1f} s)", file=sys.stderr)
        elapsed = time.time() - t0
        Path(args.out).write_text(render(rows, rules, proofs, args, elapsed), encoding="utf-8")
        print(f"{args.out}: {len(rows)} rules in {elapsed:.0f} s", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def render(rows, rules, proofs, args, elapsed) -> str:
    def gold_changed(r):
        return sum(v for d in r["delta"].values() for v in d.values())

    unproven = [r for r in rows if not r["changed"] and not r["failing"] and not gold_changed(r)]
    by_example = sum(1 for r in rows if r["changed"])
    by_gold = sum(1 for r in rows if gold_changed(r))
    by_other = sum(1 for r in rows if r["failing"])
    cmd = "tools/mutate_rules.py" + (f" --only {args.only}" if args.only else "") + \
        (" --no-corpus" if args.no_corpus else f" -j {args.jobs}")
    out = [
        "# Rule coverage: what notices when a rule is deleted",
        "",
        f"Written by `make mutate` ({cmd}) on {dt.date.today().isoformat()} in {elapsed / 60:.1f} min. "
        "Each rule is deleted alone from a temporary copy of `rules/`; then:",
        "",
        "- **own**: how many of the rule's own `examples:` give a different result without it "
        "(known gaps, examples recorded as failing today, in brackets);",
        "- **other proofs**: the proofs of other rules (`tests/test_rule_proofs.py`) that fail without it;",
        "- **gold**: " + ("not measured (--no-corpus)" if args.no_corpus else
                          "every file of `corpus/raw` processed with the mutated rules (`policy-pipeline extract` on "
                          "the corpus ingested once; `policy-pipeline run` for junk.yml rules, which act while reading)")
        + " and `evaluate --json` against `corpus/gold`, compared with an unmutated run: per kind, gold facts "
        "lost (tp−) or gained (tp+) and false positives added (fp+) or removed (fp−), summed over documents "
        "(each rendition counts).",
        "",
        f"{len(rows)} rules: {by_example} change their own examples, {by_other} break another rule's proof, "
        f"{by_gold} change gold facts; **{len(unproven)} unproven** (no change anywhere).",
        "",
        "## Unproven rules",
        "",
    ]
    if not unproven:
        out.append("None.")
    for r in unproven:
        gaps = [ex["known_gap"] for ex in proofs.proofs(rules, r["rule"], "examples") if ex.get("known_gap")]
        why = f"known gap: {gaps[0]}" if gaps else "its examples are found as well without it"
        out.append(f"- `{r['rule'].id}`: {why}")
    out += ["", "## Every rule", "", "| rule | own | other proofs failing | gold |", "|---|---|---|---|"]
    for r in rows:
        own = f"{r['changed']}/{r['total']}" + (f" ({r['gaps']} gap)" if r["gaps"] else "")
        failing = ", ".join(f"`{x}`" for x in r["failing"][:6]) + (f" +{len(r['failing']) - 6}" if len(r["failing"]) > 6 else "")
        out.append(f"| `{r['rule'].id}` | {own} | {failing or '—'} | {_fmt_delta(r['delta']) or '—'} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
