"""Placeholders in rule patterns and Chinese numerals: one implementation for every extractor.

A rule pattern may name a shared piece as ``{NAME}`` (upper case; ``{1,3}`` stays a
regex quantifier). Pieces may use other pieces; an unknown name or a piece that uses
itself is a RuleError naming where it was found.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..rules import RuleError

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_MAX_DEPTH = 10


def expand(pattern: str, pieces: dict[str, str], where: str = "", group: bool = False,
           _depth: int = 0, _done: dict[str, str] | None = None) -> str:
    """``pattern`` with every ``{NAME}`` replaced by ``pieces[NAME]`` (itself expanded).

    ``group``: wrap each piece in ``(?:…)`` (for pieces written as bare alternations)."""
    if _depth > _MAX_DEPTH:
        raise RuleError(f"{where}: placeholders nest too deep (a piece uses itself?)")
    done = {} if _done is None else _done

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in pieces:
            raise RuleError(f"{where}: unknown placeholder {{{name}}} (known: {', '.join(sorted(pieces))})")
        if name not in done:
            done[name] = expand(pieces[name], pieces, f"{where} → {{{name}}}", group, _depth + 1, done)
        return f"(?:{done[name]})" if group else done[name]

    return PLACEHOLDER.sub(sub, pattern)


@lru_cache(maxsize=4096)
def cn_number(text: str, mode: str = "smart") -> float | None:
    """A Chinese (or mixed) numeral as a number: 二十 → 20, 十五 → 15, 一千万 → 10000000;
    None when cn2an cannot read it. Only ever applied to captured numerals: cn2an on
    running text corrupts words (进一步 → 进1步)."""
    import cn2an  # lazy: slow to import

    try:
        return float(cn2an.cn2an(text, mode))
    except Exception:  # noqa: BLE001 - cn2an raises ValueError and friends
        return None


# (a typed year mixes in the Latin O or the digit 0: 二OO八, 二00八)
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "0": 0}


def cn_digits(text: str) -> int | None:
    """A number written digit by digit, as years are (二〇二一 → 2021); None unless every
    character is a digit (二十一 is no digit string: cn_number reads it)."""
    if not text or any(c not in _DIGITS for c in text):
        return None
    return int("".join(str(_DIGITS[c]) for c in text))
