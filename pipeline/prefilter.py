"""Words a regular expression cannot match without: a cheap test before a costly scan.

Many rules start with a lazy run such as ``(?P<units>[^,。;]{2,60}?)`` before the word that
decides (``牵头``, ``会同``): Python's ``re`` tries that run at every position, ~60 steps
each, although most lines hold none of the deciding words. ``required`` reads the parsed
pattern and returns, for each run of characters every match must contain (a literal, a
set of single characters, an alternation of literals, or several of these in a row),
one compiled alternation of its possible strings (for a branch of mixed alternatives,
one run from each). A text in which one of them finds
nothing cannot hold a match, so the scan can be skipped: the answer is exactly the
scan's (tests/test_prefilter.py checks it against the scan on every rule).

Only what a match itself consumes counts: look-arounds, optional or repeated-from-zero
parts and case-insensitive patterns yield no words.
"""
from __future__ import annotations

import itertools
import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]

MAX_STRINGS = 64       # more alternatives than this: the test costs more than it saves


def required(pattern: str, flags: int = 0) -> list[re.Pattern]:
    """One pattern per run of characters every match contains (see the module)."""
    try:
        parsed = P.parse(pattern, flags)
    except re.error:
        return []
    if (flags | parsed.state.flags) & re.IGNORECASE:
        return []
    out: list[re.Pattern] = []
    for strings in _sequence(list(parsed)):
        if strings and all(strings) and len(strings) <= MAX_STRINGS:
            out.append(re.compile("|".join(re.escape(s) for s in sorted(strings, key=lambda s: (-len(s), s)))))
    return out


def could_match(words: list[re.Pattern], text: str, pos: int = 0, endpos: int | None = None) -> bool:
    """False when ``text[pos:endpos]`` lacks one of the required runs (no match possible)."""
    end = len(text) if endpos is None else endpos
    for w in words:          # a plain loop: called ~10^5 times per MB, a generator costs more
        if w.search(text, pos, end) is None:
            return False
    return True


def context_free(pattern: str, flags: int = 0) -> bool:
    """True when whether ``pattern`` matches inside a stretch of text depends only on the
    characters it consumes: no anchors (^ $ \\b) and no look-arounds, which see past the
    ends of a part cut from a document. Such a pattern that finds nothing in a whole
    document finds nothing in any part of it."""
    try:
        parsed = P.parse(pattern, flags)
    except re.error:
        return False
    return _context_free(list(parsed))


def _context_free(items: list) -> bool:
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF, C.GROUPREF_EXISTS):
            return False
        if op is C.SUBPATTERN and not _context_free(list(av[3])):
            return False
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and not _context_free(list(av[2])):
            return False
        if op is C.ATOMIC_GROUP and not _context_free(list(av)):
            return False
        if op is C.BRANCH and not all(_context_free(list(alt)) for alt in av[1]):
            return False
    return True


def _sequence(items: list) -> list[set[str]]:
    """The required runs of a sequence of parsed items: consecutive items each of which
    is a known set of strings form one run (their strings concatenated)."""
    runs: list[set[str]] = []
    current: set[str] | None = None

    def close() -> None:
        nonlocal current
        if current:
            runs.append(current)
        current = None

    for op, av in items:
        strings = _strings(op, av)
        if strings is not None:
            if current is None:
                current = strings
            else:
                joined = {a + b for a, b in itertools.product(current, strings)}
                if len(joined) > MAX_STRINGS:
                    close()
                    current = strings
                else:
                    current = joined
            continue
        close()
        runs += _inner(op, av)
    close()
    return runs


def _strings(op, av) -> set[str] | None:
    """All strings the item can match, when that is a small set of literals; else None."""
    if op is C.LITERAL:
        return {chr(av)}
    if op is C.IN and all(o is C.LITERAL for o, _ in av):
        return {chr(a) for _, a in av}
    if op is C.SUBPATTERN:
        _, add, dele, seq = av
        if add or dele:
            return None
        return _all_strings(list(seq))
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            s = _all_strings(list(alt))
            if s is None:
                return None
            out |= s
        return out if len(out) <= MAX_STRINGS else None
    return None


def _all_strings(items: list) -> set[str] | None:
    """The strings a whole sequence can match, when every item is a set of literals."""
    out = {""}
    for op, av in items:
        s = _strings(op, av)
        if s is None:
            return None
        out = {a + b for a, b in itertools.product(out, s)}
        if len(out) > MAX_STRINGS:
            return None
    return out


def _inner(op, av) -> list[set[str]]:
    """Runs required inside an item that is not itself a set of literals."""
    if op is C.SUBPATTERN:
        _, add, dele, seq = av
        return [] if (add or dele) else _sequence(list(seq))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, _, seq = av
        return _sequence(list(seq)) if lo >= 1 else []
    if op is C.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is C.BRANCH:
        return _branch_run(av[1])
    return []           # look-arounds, classes, anchors: nothing required


def _branch_run(alternatives: list) -> list[set[str]]:
    """A branch whose alternatives are not all literals (牵头|负责|(?<!紧)抓落实): every
    match takes one alternative and so contains one of that alternative's runs; the union
    of one run per alternative (the one with fewest strings) is required."""
    union: set[str] = set()
    for alt in alternatives:
        runs = [r for r in _sequence(list(alt)) if r and all(r)]
        if not runs:
            return []       # an alternative that needs no word: the branch needs none
        union |= min(runs, key=len)
        if len(union) > MAX_STRINGS:
            return []
    return [union]
