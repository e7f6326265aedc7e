"""pipeline/prefilter.py: a text the required words rule out never holds a match, so
skipping the scan changes no answer."""
from __future__ import annotations

import random
import re

import pytest

from pipeline import prefilter
from pipeline.normalize import match_view
from pipeline.rules import _walk_regexes

from .conftest import CORPUS


@pytest.mark.parametrize("pattern, words", [
    ("(?P<u>[^,。]{2,60}?)(?P<verb>牵头负责|牵头|负责)(?!人)", ["牵头负责|牵头|负责"]),
    ("ab?c", ["a", "c"]),
    ("a(?:|b)c", ["abc|ac"]),
    ("(?:要|应|应当|须)(?:积极)?(?P<verb>参与)", ["应当|应|要|须", "参与"]),
    ("x{2,}y", ["x", "y"]),
    ("(?:甲|[乙丙])丁", ["丙丁|乙丁|甲丁"]),
    ("(?=会同)..", []),                     # a look-ahead consumes nothing
    ("(?i)abc", []),                         # case-insensitive: no literal words
    ("(?:a.c|d)", ["a|d"]),                  # a mixed branch: one run of each alternative
    ("(?:牵头|(?<!紧)抓落实)", ["抓落实|牵头"]),
    ("(?:a.c|.d)", ["a|d"]),
    ("(?:a.c|x?)", []),                      # an alternative that needs no word
    ("[^甲]乙?", []),
])
def test_required_words(pattern, words):
    assert [w.pattern for w in prefilter.required(pattern)] == words


def test_never_rules_out_a_match(rules):
    """Every rule pattern against corpus lines: whenever the words rule a line out, the
    pattern finds nothing in it (and the test does rule out many lines)."""
    patterns = sorted({p for name, data in rules.files.items() for p, *_ in _walk_regexes(data, name, None, None)})
    lines = []
    for path in sorted((CORPUS / "raw").rglob("*.txt")):
        lines += [ln for ln in match_view(path.read_bytes().decode("utf-8", "replace")).split("\n") if ln.strip()]
    rnd = random.Random(12)
    sample = rnd.sample(lines, min(400, len(lines)))
    ruled_out = 0
    for p in patterns:
        words = prefilter.required(p)
        if not words:
            continue
        rx = re.compile(p)
        for line in sample:
            for pos, end in ((0, len(line)), (len(line) // 3, len(line))):
                if not prefilter.could_match(words, line, pos, end):
                    ruled_out += 1
                    assert rx.search(line, pos, end) is None, (p, line[pos:end])
    assert ruled_out > 10_000


@pytest.mark.parametrize("pattern, free", [
    ("内", True),
    ("(?:[日号]|\\d|[时点午])(?:之前|以前|前|为止|止)", True),
    ("(?<!x)前", False),           # a look-behind sees past the start of a part
    ("^前", False),
    ("a(?:b|(?=c))", False),
    ("\\bx", False),
    ("(a)\\1", False),
])
def test_context_free(pattern, free):
    assert prefilter.context_free(pattern) is free


def test_live_rules_change_no_answer(rules):
    """A document's live rules (those that can match somewhere in it) give every part
    the facts all rules give it, and leave many rules out."""
    from pipeline.extract import deadlines, thresholds, units

    left_out = 0
    for path in sorted((CORPUS / "raw").rglob("*.txt"))[::9]:
        view = match_view(path.read_bytes().decode("utf-8", "replace"))
        live_d, live_t = deadlines.live_rules(view, rules), thresholds.live_rules(view, rules)
        live_u = units.live_sentence_rules(view, rules)
        left_out += len(deadlines.prepared(rules).rules) - len(live_d) + len(units.matcher(rules).sentence_rules) - len(live_u)
        parts = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", view)]
        for s, e in parts:
            part = view[s:e]
            assert deadlines.find_deadlines(part, rules) == deadlines.find_deadlines(part, rules, live=live_d)
            assert thresholds.find_thresholds(part, rules) == thresholds.find_thresholds(part, rules, live=live_t)
        assert units.find_units(view, parts, rules) == units.find_units(view, parts, rules, live=live_u)
    assert left_out > 100
