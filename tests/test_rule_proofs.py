"""Every rule carries its proof: ``examples:`` it must find and ``counter_examples:`` it
must not fire on, read generically from every rule file (issue 12).

A rule is a named entry of a rule list (``rules:``, ``collective:``, ``keep_rules:`` …,
any list of mappings with a ``name``) or an entry of a word table of a file listed in
``MAP_FILES`` (roles.yml: 牵头 → lead). An example is a text, or a mapping
``{text: …, <field>: <expected value>, …}`` (``doc_date`` is an input, not a field).
An example with ``known_gap: <why>`` records a case the rule gets wrong today: it must
keep failing (when it passes, the mark is stale and the test says so).

"Found by that rule" is decided in one of two ways, per section (``SECTIONS``):
- named: the extractor names the rule behind each fact (records and ``explain`` do);
  the example must yield a fact of that rule, with the expected field values, and no
  counter-example may yield one;
- ablation: the extractor does not name the rule (a role word, an alias, a junk line,
  a task decision); the example's outcome must change when the rule alone is deleted
  from the rule set, expected values are read from the facts only the full rule set
  gives, and a counter-example's outcome must not change.

POLICY_RULES_DIR points the module at another rule folder (tools/mutate_rules.py).
"""
from __future__ import annotations

import copy
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from pipeline.normalize import match_view
from pipeline.rules import DEFAULT_RULES_DIR, RuleSet, load_rules

RULES_DIR = Path(os.environ.get("POLICY_RULES_DIR") or DEFAULT_RULES_DIR)
INPUT_KEYS = {"text", "doc_date", "known_gap"}


# --------------------------------------------------------------------------- observers
# Each turns an example text into the facts the pipeline finds, as plain dicts:
# "rule" (when the extractor names it), "quote" (the text the fact spans) and fields.

def _fact_dicts(facts, text: str) -> list[dict]:
    return [{"rule": f.rule, "quote": text[f.start:f.end], **f.data} for f in facts]


def _doc_date(ex: dict):
    d = ex.get("doc_date")
    return dt.date.fromisoformat(str(d)) if d else None


def observe_units(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    from pipeline.extract.units import find_units

    view = match_view(text)
    return _fact_dicts(find_units(view, [(0, len(view))], rules), text)


def observe_deadlines(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    from pipeline.extract.deadlines import find_deadlines

    return _fact_dicts(find_deadlines(match_view(text), rules, _doc_date(ex)), text)


def observe_thresholds(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    from pipeline.extract.thresholds import find_thresholds

    view = match_view(text)
    return _fact_dicts(find_thresholds(view, rules, document=view), text)


def observe_references(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    from pipeline.extract.references import find_references

    facts = _fact_dicts(find_references(match_view(text), rules), text)
    for f in facts:   # title+doc_number: the number rule found it next to a 《title》
        f["rule"] = f["rule"].rpartition("+")[2]
    return facts


def observe_heading(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    from pipeline.structure import classify

    hit = classify(match_view(text), rules)
    return [{"rule": hit[0], "number": text[: len(hit[1])].strip()}] if hit else []


def observe_header_cell(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    from pipeline.extract.tables import header_role

    role = header_role(text, rules)
    return [{"role": role}] if role else []


def _analyse(rules: RuleSet, text: str):
    from pipeline.process import analyse, ingest

    return analyse(ingest(text.encode("utf-8"), "example.txt", rules), rules)


def observe_cleaned(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    """The body lines a TXT document keeps after junk removal, and its warnings."""
    from pipeline.process import ingest

    doc = ingest(text.encode("utf-8"), "example.txt", rules)
    return [{"line": line} for line in doc.text.split("\n")] + [{"warning": w.message} for w in doc.warnings]


def observe_tasks(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    """The tasks of a TXT document, and the facts no task owns (end-of-body lines also
    decide which lines are searched for those)."""
    a = _analyse(rules, text)
    return [{"task": a.doc.text[t.start:t.end], "origin": t.origin} for t in a.tasks] + [
        {"unattached": a.doc.text[f.start:f.end], "rule": f.rule} for f in a.unattached]


def observe_metrics(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    return [{k: v for k, v in m.items() if k != "span"} for m in _analyse(rules, text).metrics]


_META_FIELDS = ("title", "enclosed_title", "enclosed_doc_number", "doc_type", "doc_number", "issuer", "issuers", "issued_on",
                "date_source", "year", "year_source", "recipients", "cc", "attachments", "printed_by",
                "printed_on", "classification", "urgency", "region", "admin_level")


def observe_metadata(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    """The metadata of a small document (TXT, or a web page when the text is HTML: the
    format is sniffed from the bytes) as one fact: the fields it states, so an example
    can expect several fields at once (the date and the signatory of one line)."""
    from pipeline.extract.metadata import extract
    from pipeline.process import ingest

    doc = ingest(text.encode("utf-8"), "example.txt", rules)
    meta = extract(doc, match_view(doc.text), None, rules)
    stated = {k: meta[k] for k in _META_FIELDS if meta.get(k) not in (None, [], "")}
    return [stated] if stated else []


def observe_title_lines(rules: RuleSet, text: str, ex: dict) -> list[dict]:
    """A title set on several lines: the body lines kept (where the body starts) and the
    document's title."""
    meta = observe_metadata(rules, text, ex)
    return observe_cleaned(rules, text, ex) + [{"title": m["title"]} for m in meta if m.get("title")]


@dataclass(frozen=True)
class Section:
    observe: Callable[[RuleSet, str, dict], list[dict]]
    named: bool          # the observer's facts name their rule
    # a rule flagged with this key hides text instead of producing facts (deadlines'
    # narrative: a statistics period): it is proven by ablation
    hides_key: str | None = None


# (file, list key) → how its rules are proven. A rule list missing here fails the suite.
SECTIONS: dict[tuple[str, str], Section] = {
    ("units.yml", "rules"): Section(observe_units, True),
    ("units.yml", "collective"): Section(observe_units, False),
    ("unit_aliases.yml", "rules"): Section(observe_units, False),
    ("deadlines.yml", "rules"): Section(observe_deadlines, True, hides_key="narrative"),
    ("thresholds.yml", "rules"): Section(observe_thresholds, True),
    ("thresholds.yml", "exclusions"): Section(observe_thresholds, False),
    ("references.yml", "rules"): Section(observe_references, True),
    ("headings.yml", "rules"): Section(observe_heading, True),
    ("tables.yml", "rules"): Section(observe_header_cell, False),
    ("tasks.yml", "rules"): Section(observe_tasks, False),
    ("metrics.yml", "rules"): Section(observe_metrics, False),
    ("metrics.yml", "column_sets"): Section(observe_metrics, False),
    ("metadata.yml", "rules"): Section(observe_metadata, False),
    ("metadata.yml", "admin_levels"): Section(observe_metadata, False),
    **{("junk.yml", key): Section(observe_cleaned, False)
       for key in ("rules", "keep_rules", "head_rules", "spam_rules", "runon_split", "runon_space_split", "runon_space_keep", "line_split", "inline",
                   "mojibake", "body_start",
                   # the HTML reader's page clutter (examples are web pages: sniffed as HTML)
                   "html_chrome", "html_content", "html_junk_tokens", "html_junk_lines", "html_furniture",
                   "html_info_anchors", "html_info_labels")},
    ("junk.yml", "title_lines"): Section(observe_title_lines, False),
}
# Files made of word tables whose entries are rules (a word decides a value): every
# top-level table in them (a mapping or a list of words) is a rule list, each entry a
# rule; their proofs sit in the file's top-level examples: / counter_examples: under the
# table's key and the word.
MAP_FILES: dict[str, Section] = {"roles.yml": Section(observe_units, False)}
_NOT_TABLES = {"version", "description", "examples", "counter_examples"}


def _word_tables(fname: str, data) -> dict:
    if fname not in MAP_FILES or not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k not in _NOT_TABLES and (
        isinstance(v, dict) or (isinstance(v, list) and all(isinstance(w, str) for w in v)))}


# --------------------------------------------------------------------------- the rules

@dataclass(frozen=True)
class Rule:
    file: str
    key: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.file}:{self.key}:{self.name}"


def _rule_lists(data) -> dict[str, list[dict]]:
    """Every top-level list of named mappings in a rule file."""
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items()
            if isinstance(v, list) and v and all(isinstance(x, dict) and "name" in x for x in v)}


def all_rules(rules: RuleSet) -> list[Rule]:
    out = []
    for fname, data in sorted(rules.files.items()):
        for key, items in _rule_lists(data).items():
            out += [Rule(fname, key, r["name"]) for r in items]
        for key, table in _word_tables(fname, data).items():
            out += [Rule(fname, key, w) for w in table]
    return out


def section_of(rule: Rule) -> Section | None:
    return SECTIONS.get((rule.file, rule.key)) or MAP_FILES.get(rule.file)


def proofs(rules: RuleSet, rule: Rule, which: str) -> list[dict]:
    data = rules.files[rule.file]
    if rule.file in MAP_FILES:
        raw = ((data.get(which) or {}).get(rule.key) or {}).get(rule.name) or []
    else:
        raw = _rule_entry(rules, rule).get(which) or []
    return [x if isinstance(x, dict) else {"text": x} for x in raw]


def without(rules: RuleSet, rule: Rule) -> RuleSet:
    """The same rule set with this one rule deleted (nothing else recompiled or cached)."""
    files = copy.deepcopy(rules.files)
    table = files[rule.file][rule.key]
    if isinstance(table, dict):
        del table[rule.name]
    elif table and isinstance(table[0], dict):
        files[rule.file][rule.key] = [r for r in table if r.get("name") != rule.name]
    else:
        files[rule.file][rule.key] = [w for w in table if w != rule.name]
    return RuleSet(rules.directory, files, digest=f"{rules.digest}-{rule.id}")


RULES = load_rules(RULES_DIR)
ALL = all_rules(RULES)


# --------------------------------------------------------------------------- checks

def _same(got, want) -> bool:
    if isinstance(got, (dt.date, dt.datetime)):
        got = got.isoformat()
    if isinstance(want, (dt.date, dt.datetime)):
        want = want.isoformat()
    if isinstance(got, bool) or isinstance(want, bool):
        return got is want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return abs(got - want) < 1e-9
    return got == want


def _key(fact: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in fact.items()))


def _fired(section: Section, rule: Rule, full: list[dict], ablated: list[dict] | None) -> tuple[bool, list[dict]]:
    """Whether the rule fired on a text, and the facts it contributed."""
    if section.named:
        mine = [f for f in full if f.get("rule") == rule.name]
        return bool(mine), mine
    before = {_key(f) for f in ablated}
    contributed = [f for f in full if _key(f) not in before]
    return (sorted(map(_key, full)) != sorted(before)), contributed


def _matches(fact: dict, want: dict) -> bool:
    return all(k in fact and _same(fact[k], v) for k, v in want.items())


def _show(facts: list[dict]) -> str:
    return "; ".join(str({k: v for k, v in f.items() if v not in (None, False)}) for f in facts) or "nothing"


def _rule_entry(rules: RuleSet, rule: Rule) -> dict:
    table = rules.files[rule.file][rule.key]
    if isinstance(table, list) and table and isinstance(table[0], dict):
        return next(r for r in table if r["name"] == rule.name)
    return {}


def check_rule(rules: RuleSet, rule: Rule) -> list[str]:
    section = section_of(rule)
    if section.hides_key and _rule_entry(rules, rule).get(section.hides_key):
        section = Section(section.observe, False)
    problems: list[str] = []
    examples, counters = proofs(rules, rule, "examples"), proofs(rules, rule, "counter_examples")
    ablated_rules = None if section.named else without(rules, rule)
    for ex in examples:
        text = ex["text"]
        full = section.observe(rules, text, ex)
        ablated = None if section.named else section.observe(ablated_rules, text, ex)
        fired, mine = _fired(section, rule, full, ablated)
        want = {k: v for k, v in ex.items() if k not in INPUT_KEYS}
        ok = fired and (not want or any(_matches(f, want) for f in mine))
        if ex.get("known_gap"):
            if ok:
                problems.append(f"known gap {text!r} is fixed: remove its known_gap mark")
        elif not fired:
            how = "found" if section.named else "changed by deleting the rule"
            problems.append(f"example {text!r} not {how}; found: {_show(full)}")
        elif not ok:
            problems.append(f"example {text!r}: no fact with {want}; the rule gave: {_show(mine)}")
    for ex in counters:
        text = ex["text"]
        full = section.observe(rules, text, ex)
        ablated = None if section.named else section.observe(ablated_rules, text, ex)
        fired, mine = _fired(section, rule, full, ablated)
        if ex.get("known_gap"):
            if not fired:
                problems.append(f"known gap: counter-example {text!r} no longer fires: remove its known_gap mark")
        elif fired:
            problems.append(f"counter-example {text!r} fires the rule: {_show(mine) if mine else 'its deletion changes the result'}")
    return problems


def test_every_rule_list_has_a_prover():
    """A new rule list in a rule file needs a way to prove its rules (SECTIONS)."""
    unknown = sorted({f"{r.file}:{r.key}" for r in ALL if section_of(r) is None})
    assert not unknown, f"no observer for rule lists: {', '.join(unknown)} (add them to SECTIONS)"


def test_every_rule_has_examples():
    missing = [f"{r.file}: rule {r.name!r} ({r.key}) has no examples" for r in ALL
               if section_of(r) is not None and not proofs(RULES, r, "examples")]
    assert not missing, "rules without proof:\n  " + "\n  ".join(missing)


def test_proofs_name_existing_entries():
    """Proofs of a word table must belong to an entry of that table (no orphan after a rename)."""
    orphans = []
    for fname in MAP_FILES:
        data = RULES.files.get(fname) or {}
        for which in ("examples", "counter_examples"):
            for key, words in (data.get(which) or {}).items():
                for word in words or {}:
                    if word not in (data.get(key) or {}):
                        orphans.append(f"{fname}: {which} for {key}:{word}, which is no entry")
    assert not orphans, "\n".join(orphans)


@pytest.mark.parametrize("rule", [r for r in ALL if section_of(r) is not None], ids=lambda r: r.id)
def test_rule_proof(rule):
    problems = check_rule(RULES, rule)
    assert not problems, f"{rule.file}: rule {rule.name!r} ({rule.key}):\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- the inventory
INVENTORY = Path(__file__).parent / "rule_inventory.txt"


def test_no_rule_disappears_silently(rules):
    """A rule's proof lives inside the rule, so deleting a rule would delete its proof
    too: the inventory of rule ids (tests/rule_inventory.txt) makes every deletion or
    rename a visible, deliberate edit. New rules are fine; add them with
    `python -m tests.test_rule_proofs` (it rewrites the inventory)."""
    listed = {line.strip() for line in INVENTORY.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    present = {r.id for r in all_rules(rules)}
    gone = sorted(listed - present)
    assert not gone, (f"rules deleted or renamed: {gone}; if deliberate, run "
                      "`.venv/bin/python -m tests.test_rule_proofs` and commit tests/rule_inventory.txt")


if __name__ == "__main__":
    from pipeline.rules import load_rules as _load

    ids = sorted(r.id for r in all_rules(_load()))
    INVENTORY.write_text("# every rule of rules/*.yml (file:list:name); tests/test_rule_proofs.py\n"
                         + "\n".join(ids) + "\n", encoding="utf-8")
    print(f"{len(ids)} rules listed in {INVENTORY}")
