"""The extractors as spaCy pipeline components.

    nlp = spacy.blank("zh")            # character segmentation: spans stay exact
    nlp.add_pipe("policy_units"); nlp.add_pipe("policy_deadlines")
    doc = nlp(text); doc.spans["policy"]  # every fact as a labelled span

Each component runs the same rule-driven function the batch pipeline uses on the
match view of the text and writes its facts to ``doc.spans["policy"]`` (and to
``doc.spans["policy_<kind>"]``); ``span._.fact`` holds the fact's fields.
"""
from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from .normalize import match_view
from .rules import load_rules

SPANS_KEY = "policy"

if not Span.has_extension("fact"):
    Span.set_extension("fact", default=None)
if not Doc.has_extension("doc_date"):
    Doc.set_extension("doc_date", default=None)


@lru_cache(maxsize=4)
def _rules(rules_dir: str | None):
    return load_rules(rules_dir or None)


def _label(fact) -> str:
    d = fact.data
    if fact.kind == "unit":
        return f"UNIT:{d['role']}"
    if fact.kind == "deadline":
        return f"DEADLINE:{d['type']}"
    if fact.kind == "threshold":
        return f"THRESHOLD:{d['op']}"
    if fact.kind == "cadence":
        return f"CADENCE:{d['period']}"
    return fact.kind.upper()


class _FactComponent:
    kind = ""

    def __init__(self, nlp: Language, name: str, rules_dir: str | None):
        self.name = name
        self.rules_dir = rules_dir

    def find(self, view: str, rules, doc: Doc):
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        rules = _rules(self.rules_dir)
        view = match_view(doc.text)
        spans = []
        for f in self.find(view, rules, doc):
            span = doc.char_span(f.start, f.end, label=_label(f), alignment_mode="expand")
            if span is None:
                continue
            span._.fact = {"rule": f.rule, **f.data}
            spans.append(span)
        doc.spans[f"{SPANS_KEY}_{self.kind}"] = spans
        existing = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
        doc.spans[SPANS_KEY] = sorted(existing + spans, key=lambda s: (s.start_char, s.end_char))
        return doc


class UnitsComponent(_FactComponent):
    kind = "units"

    def find(self, view, rules, doc):
        from .extract.units import find_units

        return find_units(view, [(0, len(view))], rules)


class DeadlinesComponent(_FactComponent):
    kind = "deadlines"

    def find(self, view, rules, doc):
        from .extract.deadlines import find_deadlines

        return find_deadlines(view, rules, doc._.doc_date)


class ThresholdsComponent(_FactComponent):
    kind = "thresholds"

    def find(self, view, rules, doc):
        from .extract.thresholds import find_thresholds

        return find_thresholds(view, rules)


class ReferencesComponent(_FactComponent):
    kind = "references"

    def find(self, view, rules, doc):
        from .extract.references import find_references

        return find_references(view, rules)


_DEFAULT = {"rules_dir": None}


@Language.factory("policy_units", default_config=_DEFAULT)
def make_units(nlp, name, rules_dir):
    return UnitsComponent(nlp, name, rules_dir)


@Language.factory("policy_deadlines", default_config=_DEFAULT)
def make_deadlines(nlp, name, rules_dir):
    return DeadlinesComponent(nlp, name, rules_dir)


@Language.factory("policy_thresholds", default_config=_DEFAULT)
def make_thresholds(nlp, name, rules_dir):
    return ThresholdsComponent(nlp, name, rules_dir)


@Language.factory("policy_references", default_config=_DEFAULT)
def make_references(nlp, name, rules_dir):
    return ReferencesComponent(nlp, name, rules_dir)


COMPONENTS = ("policy_units", "policy_deadlines", "policy_thresholds", "policy_references")


def make_nlp(rules_dir: str | None = None) -> Language:
    import spacy

    nlp = spacy.blank("zh")
    for name in COMPONENTS:
        nlp.add_pipe(name, config={"rules_dir": rules_dir})
    return nlp


def span_facts(doc: Doc) -> list[dict]:
    """The facts of ``doc.spans["policy"]`` as plain dicts (kind, start, end and the fact's
    fields), for drawing them outside spaCy (``explain --html``: the review site's page)."""
    return [{"kind": s.label_.split(":")[0].lower(), "start": s.start_char, "end": s.end_char, **(s._.fact or {})}
            for s in (doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else [])]
