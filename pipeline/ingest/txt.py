"""Plain text: decode carefully, one block per non-empty line."""
from __future__ import annotations

import codecs
import re

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


_RULE_CELL = re.compile(r":?-{2,}:?")


_MD_HEADING = re.compile(r"^(#{1,6})\s+(?=\S)")
_FRONT_KEY = re.compile(r"^([^:：]{1,12})\s*[:：]\s*(.*)$")


def _front_matter(lines: list[str], doc: Document) -> list[str]:
    """A metadata header (--- / 标题: … / 文号: … / ---), as saved by many scrapers, goes
    to the page metadata the metadata extractor reads, not into the body."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return lines
    for end in range(first + 1, min(len(lines), first + 60)):
        if lines[end].strip() == "---":
            pairs = [_FRONT_KEY.match(line.strip()) for line in lines[first + 1:end] if line.strip()]
            if pairs and all(pairs):
                doc.page_meta["info_table"] = {m.group(1).strip(): m.group(2).strip() for m in pairs}
                return lines[end + 1:]
            break
    return lines


def _pipe_cells(line: str) -> list[str] | None:
    """Cells of a Markdown-style table row (| a | b |), else None."""
    if len(line) < 3 or not (line.startswith("|") and line.endswith("|")):
        return None
    return [c.strip() for c in line[1:-1].split("|")]


def read(data: bytes, source: str) -> Document:
    text, encoding, bad = decode(data)
    if "\x00" in text:
        raise IngestError("skipped", "binary data of unknown type")
    doc = Document(source=source, format="txt", encoding=encoding)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _front_matter(lines, doc)
    table, in_table = -1, False
    for line in lines:
        line = line.strip()
        if not line:
            in_table = False
            continue
        cells = _pipe_cells(line)
        heading = _MD_HEADING.match(line)
        if heading and cells is None:
            in_table = False
            doc.blocks.append(Block("heading", line[heading.end():].strip(), level_hint=len(heading.group(1))))
        elif cells is None:
            in_table = False
            doc.blocks.append(Block("paragraph", line))
        elif not all(_RULE_CELL.fullmatch(c) for c in cells):   # |---|---| separates the header
            if not in_table:
                table, in_table = table + 1, True
                header = True
            else:
                header = False
            doc.blocks.append(Block("table_row", "\t".join(cells), cells=cells, table=table, header=header))
    doc.build()
    if bad:
        doc.warn("undecodable_bytes", f"{bad} byte sequence(s) could not be decoded as {encoding} and were replaced by U+FFFD")
    return doc
