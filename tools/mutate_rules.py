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
- gold facts: every corpus file that has a gold file, processed with the mutated
  rules as `policy-pipeline run` does and scored as `policy-pipeline evaluate` does
  (see Corpus): per kind, how many gold facts are matched more or less (tp) and how
  many false positives appear or go (fp), against the unmutated rules. Files are read
  once (web pages again when the HTML reader's html_* rules of junk.yml are mutated)
  and everything after is redone.
  Rules, corpus and gold are copied first, so edits made meanwhile do not count.

A rule whose deletion changes none of these is listed as unproven.

    .venv/bin/python tools/mutate_rules.py [-j 2] [--only units.yml] [--no-corpus] [--out FILE]
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


class Corpus:
    """The corpus read once (files before junk removal) with its gold files; scored for
    a rule set the way `policy-pipeline run` + `evaluate --json` score it: each file
    cleaned (junk.yml), analysed and built into a record (process.py), the record
    passed through the YAML emitter like a written one, then scored per kind
    (evaluate.score_document). In-process: a CLI run per mutation cost 25-55 s on the
    shared 2-core machine, this about a tenth of it."""

    def __init__(self, raw: Path, gold: Path, rules=None):
        from pipeline.evaluate import gold_stem
        from pipeline.ingest import read_bytes
        from pipeline.model import IngestError
        from pipeline.process import document_id

        golds = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in sorted(gold.glob("*.yml"))}
        self.docs = []
        self.html: dict[str, bytes] = {}       # web pages: their reader uses junk.yml's html_* rules
        self.html_rules = _html_rules(rules)
        self.unread = []
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            rel = path.relative_to(raw).as_posix()
            stem = gold_stem(Path(rel + ".yml"))
            if stem not in golds:
                continue                    # only documents with gold count
            data = path.read_bytes()
            try:
                doc = read_bytes(data, rel, rules=rules)
            except IngestError as exc:
                self.unread.append(f"{rel}: {exc.reason}")
                continue
            if doc.format == "html":
                self.html[rel] = data
            self.docs.append((rel, document_id(data), doc, golds[stem]))

    def scores(self, rules) -> dict[str, dict[str, tuple[int, int]]]:
        """record path → kind → (tp, fp); a document that fails scores nothing."""
        import copy

        from pipeline.emit import dump_yaml
        from pipeline.evaluate import score_document
        from pipeline.junk import clean
        from pipeline.process import analyse, build_record

        from pipeline.ingest import read_bytes

        out = {}
        reread = _html_rules(rules) != self.html_rules      # a mutation of the HTML reader's rules
        for rel, doc_id, raw_doc, gold in self.docs:
            try:
                if reread and rel in self.html:
                    raw_doc = read_bytes(self.html[rel], rel, rules=rules)
                doc = clean(copy.deepcopy(raw_doc), rules)
                record = yaml.load(dump_yaml(build_record(analyse(doc, rules), doc_id, rel)), Loader=_Loader)
                out[rel + ".yml"] = {k: (s.tp, s.fp) for k, s in score_document(record, gold).items()}
            except Exception:               # noqa: BLE001 - a failing document is a result too
                out[rel + ".yml"] = {}
        return out


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _html_rules(rules) -> dict:
    from pipeline.ingest.html import RULE_KEYS

    junk = (rules.get("junk.yml") if rules is not None else None) or {}
    return {k: junk.get(k) for k in RULE_KEYS}


def gold_delta(base: dict, mut: dict) -> dict[str, dict[str, int]]:
    """Per kind: tp gained/lost and fp gained/lost over all documents."""
    out: dict[str, dict[str, int]] = {}
    for doc in set(base) | set(mut):
        b, m = base.get(doc, {}), mut.get(doc, {})
        for kind in set(b) | set(m):
            dtp = m.get(kind, (0, 0))[0] - b.get(kind, (0, 0))[0]
            dfp = m.get(kind, (0, 0))[1] - b.get(kind, (0, 0))[1]
            if dtp or dfp:
                d = out.setdefault(kind, {"tp+": 0, "tp-": 0, "fp+": 0, "fp-": 0})
                if dtp:
                    d["tp+" if dtp > 0 else "tp-"] += abs(dtp)
                if dfp:
                    d["fp+" if dfp > 0 else "fp-"] += abs(dfp)
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


def own_examples_changed(proofs, rules, mutant, rule, crashes: list[str]) -> tuple[int, int, int]:
    """(examples whose result changes without the rule, examples, of them known gaps).
    A crash without the rule is a change (and is added to ``crashes``)."""
    section = proofs.section_of(rule)
    changed = total = gaps = 0
    for ex in proofs.proofs(rules, rule, "examples"):
        total += 1
        gaps += bool(ex.get("known_gap"))
        full = section.observe(rules, ex["text"], ex)
        try:
            less = section.observe(mutant, ex["text"], ex)
        except Exception as exc:            # noqa: BLE001 - the code relies on the rule
            crashes.append(f"{type(exc).__name__}: {exc}")
            changed += 1
            continue
        changed += sorted(map(proofs._key, full)) != sorted(map(proofs._key, less))
    return changed, total, gaps


def _check(proofs, rules, rule, crashes: list[str]) -> bool:
    """Whether the rule's proof fails with these rules (a crash fails it)."""
    try:
        return bool(proofs.check_rule(rules, rule))
    except Exception as exc:                # noqa: BLE001
        crashes.append(f"{type(exc).__name__}: {exc}")
        return True


def _fmt_delta(delta: dict) -> str:
    parts = []
    for kind, d in sorted(delta.items()):
        bits = [f"{k}{v}" for k, v in (("tp−", d["tp-"]), ("tp+", d["tp+"]), ("fp+", d["fp+"]), ("fp−", d["fp-"])) if v]
        parts.append(f"{kind} {' '.join(bits)}")
    return "; ".join(parts)


# Set in the parent before the worker processes fork, shared read-only by them.
_STATE: dict = {}


def _measure(rule):
    """Everything the sweep records for one deleted rule (runs in a worker)."""
    proofs, rules, every, reads = _STATE["proofs"], _STATE["rules"], _STATE["every"], _STATE["reads"]
    t = time.time()
    mutant = proofs.without(rules, rule)
    crashes: list[str] = []
    changed, total, gaps = own_examples_changed(proofs, rules, mutant, rule, crashes)
    failing = [q.id for q in every if q != rule and rule.file in reads[q] and q not in _STATE["base_failing"]
               and _check(proofs, mutant, q, crashes)]
    corpus = _STATE.get("corpus")
    delta, failed_docs = {}, 0
    if corpus:
        scores = corpus.scores(mutant)
        failed_docs = sum(1 for v in scores.values() if not v)
        delta = gold_delta(_STATE["base"], scores)
    return {"rule": rule, "changed": changed, "total": total, "gaps": gaps, "failing": failing,
            "delta": delta, "crashes": sorted(set(crashes)), "failed_docs": failed_docs - _STATE.get("base_failed", 0),
            "seconds": time.time() - t}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", default=str(ROOT / "rules"), help="rule folder to mutate (copied, never changed)")
    ap.add_argument("--corpus", default=str(ROOT / "corpus" / "raw"))
    ap.add_argument("--gold", default=str(ROOT / "corpus" / "gold"))
    ap.add_argument("-j", "--jobs", type=int, default=2, help="worker processes (rules are measured in parallel)")
    ap.add_argument("--only", default=None, help="only rules whose id (file:list:name) contains this")
    ap.add_argument("--no-corpus", action="store_true", help="proofs only (no corpus)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "rule-coverage.md"))
    args = ap.parse_args(argv)

    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="mutate-rules-"))
    try:
        # Snapshots: rules (the proof module reads the copy), corpus and gold, so edits
        # made meanwhile in a shared checkout do not leak into the comparison.
        base_rules = work / "rules"
        shutil.copytree(args.rules, base_rules)
        os.environ["POLICY_RULES_DIR"] = str(base_rules)
        sys.path.insert(0, str(ROOT))
        from tests import test_rule_proofs as proofs

        rules = proofs.RULES
        every = [r for r in proofs.ALL if proofs.section_of(r) is not None]
        _STATE.update(proofs=proofs, rules=rules, every=every,
                      reads={r: files_read(proofs, rules, r) for r in every},
                      # proofs failing before any deletion are reported, not blamed on one
                      base_failing={q for q in every if _check(proofs, rules, q, [])})
        if not args.no_corpus:
            shutil.copytree(args.corpus, work / "raw")
            shutil.copytree(args.gold, work / "gold")
            corpus = Corpus(work / "raw", work / "gold", rules)
            base = corpus.scores(rules)
            _STATE.update(corpus=corpus, base=base, base_failed=sum(1 for v in base.values() if not v))
            print(f"corpus: {len(corpus.docs)} documents with gold ({time.time() - t0:.0f} s)", file=sys.stderr)
        chosen = [r for r in every if not args.only or args.only in r.id]
        rows = []
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(max(1, args.jobs)) as pool:
            for n, row in enumerate(pool.imap(_measure, chosen), 1):
                rows.append(row)
                print(f"[{n}/{len(chosen)}] {row['rule'].id}: own {row['changed']}/{row['total']}, "
                      f"other proofs {len(row['failing'])}, gold {_fmt_delta(row['delta']) or '-'}"
                      f"{', CRASH ' + row['crashes'][0] if row['crashes'] else ''} "
                      f"({row['seconds']:.1f} s)", file=sys.stderr, flush=True)
        elapsed = time.time() - t0
        Path(args.out).write_text(render(rows, rules, proofs, args, elapsed), encoding="utf-8")
        print(f"{args.out}: {len(rows)} rules in {elapsed:.0f} s", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def render(rows, rules, proofs, args, elapsed) -> str:
    def gold_changed(r):
        return sum(v for d in r["delta"].values() for v in d.values())

    unproven = [r for r in rows if not r["changed"] and not r["failing"] and not gold_changed(r)
                and not r["failed_docs"]]
    crashing = [r for r in rows if r["crashes"] or r["failed_docs"] > 0]
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
                          "every file of `corpus/raw` with a gold file, processed with the mutated rules as "
                          "`policy-pipeline run` does (in-process: junk removal, analysis, record, YAML round trip)")
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
    if _STATE.get("base_failing"):
        out += ["", "Proofs failing with all rules present (left out of the comparison): "
                + ", ".join(f"`{q.id}`" for q in sorted(_STATE["base_failing"], key=lambda q: q.id)) + "."]
    out += ["", "## Deletions that crash the code", "",
            "The code relies on these rules being present (a missing rule should not crash a document):", ""]
    if not crashing:
        out.append("None.")
    for r in crashing:
        docs = f"; {r['failed_docs']} corpus documents fail" if r["failed_docs"] > 0 else ""
        out.append(f"- `{r['rule'].id}`: {'; '.join(r['crashes'][:2]) or 'no proof crashes'}{docs}")
    out += ["", "## Every rule", "", "| rule | own | other proofs failing | gold |", "|---|---|---|---|"]
    for r in rows:
        own = f"{r['changed']}/{r['total']}" + (f" ({r['gaps']} gap)" if r["gaps"] else "")
        failing = ", ".join(f"`{x}`" for x in r["failing"][:6]) + (f" +{len(r['failing']) - 6}" if len(r["failing"]) > 6 else "")
        out.append(f"| `{r['rule'].id}` | {own} | {failing or '—'} | {_fmt_delta(r['delta']) or '—'} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
