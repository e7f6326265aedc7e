"""Plain text: decode carefully, one block per non-empty line."""
from __future__ import annotations

import codecs

from ..model import Block, Document, IngestError

# Tried in order, strictly; the first that decodes every byte wins.
_STRICT = ("utf-8-sig", "gb18030", "big5")


def decode(data: bytes) -> tuple[str, str, int]:
    """Return (text, encoding, number of undecodable bytes)."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16", 0
    for enc in _STRICT:
        try:
            return data.decode(enc), enc, 0
        except UnicodeDecodeError:
            continue
    # UTF-16 without a BOM: many NUL bytes in alternating positions.
    if data[1::2].count(0) > len(data) * 0.3 or data[0::2].count(0) > len(data) * 0.3:
        enc = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(enc), enc, 0
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    enc = best.encoding if best else "utf-8"
    # Decode with the detected encoding, counting what could not be decoded:
    # a mostly-UTF-8 file with a few broken bytes is common in scraped text.
    candidates = [enc, "utf-8", "gb18030"]
    results = []
    for cand in dict.fromkeys(candidates):
        try:
            text = data.decode(cand, errors="replace")
        except LookupError:
            continue
        results.append((text.count("\ufffd"), cand, text))
    bad, enc, text = min(results)
    return text, enc, bad


def read(data: bytes, source: str) -> Document:
    text, encoding, bad = decode(data)
    if "\x00" in text:
        raise IngestError("skipped", "binary data of unknown type")
    doc = Document(source=source, format="txt", encoding=encoding)
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if line:
            doc.blocks.append(Block("paragraph", line))
    doc.build()
    if bad:
        doc.warn("undecodable_bytes", f"{bad} byte sequence(s) could not be decoded as {encoding} and were replaced by U+FFFD")
    return doc
