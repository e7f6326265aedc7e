"""Same-length views of a text for matching: simplified script and folded width.

Records quote the original text; rules match on ``match_view(text)``, in which
traditional characters are simplified (OpenCC t2s) and full-width ASCII is folded
(``（２０２１）`` → ``(2021)``, ``：`` → ``:``, ``，`` → ``,``). Both views have exactly
the length of the original, so an offset found in a view is an offset in the
original: the offset map is the identity, and we check it, falling back to
converting smaller pieces when a phrase conversion would change the length.
"""
from __future__ import annotations

from functools import lru_cache

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
# Some PDF fonts map full-width punctuation to the code point of its GB2312 code (A3AC for
# ，) — Yi syllables (ꎬ ꎮ ꎻ): read them as the characters they print as (corpus 1354);
# ꎮ ends sentences there, so it reads as 。
_FULLWIDTH.update({c: c - 0xA3A1 + 0x21 for c in range(0xA3A1, 0xA3FF)})
_FULLWIDTH[0xA3AE] = ord("。")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # lazy: keeps CLI start fast

    return opencc.OpenCC("t2s")


def fold_width(text: str) -> str:
    return text.translate(_FULLWIDTH)


def to_simplified(text: str) -> str:
    """Simplify, keeping the length: convert whole, else per line, else per character."""
    if not text:
        return text
    conv = _t2s()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    pieces = []
    for line in text.split("\n"):
        c = conv.convert(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := conv.convert(ch)) == 1 else ch for ch in line)
        pieces.append(c)
    return "\n".join(pieces)


def match_view(text: str) -> str:
    # Blocks, headings and cells are viewed again by each stage that reads them (junk,
    # structure, tasks, tables, metadata): remember the short ones.
    if len(text) > _CACHED_UP_TO:
        return fold_width(to_simplified(text))
    return _cached_view(text)


_CACHED_UP_TO = 20_000


@lru_cache(maxsize=16_384)
def _cached_view(text: str) -> str:
    return fold_width(to_simplified(text))


# Characters that differ between the two scripts are rare in a simplified text and
# frequent in a traditional one; the share of changed characters decides.
def detect_script(text: str, simplified: str | None = None) -> str:
    simplified = to_simplified(text) if simplified is None else simplified
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if not han:
        return "simplified"
    changed = sum(1 for a, b in zip(text, simplified) if a != b)
    ratio = changed / han
    if ratio > 0.08:
        return "traditional"
    if ratio > 0.01:
        return "mixed"
    return "simplified"
