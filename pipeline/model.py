"""The data passed between stages: a Document of ordered blocks, then sections and tasks.

Offsets are character offsets into ``Document.text``, which is the blocks' texts joined
by a newline. Every later stage keeps that text (original script) and works on
same-length derived views of it (simplified, width-folded), so one offset is valid in
all of them.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

@dataclass
class Warning_:
    """A problem worth telling the user about; ``span`` is into Document.text when known."""

    code: str
    message: str
    span: tuple[int, int] | None = None
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.span is not None:
            out["span"] = list(self.span)
        if self.page is not None:
            out["page"] = self.page
        return out


@dataclass
class Block:
    """One heading, paragraph or table row, in reading order.

    ``level_hint`` carries a heading level the source format states (a DOCX heading
    style, an HTML <h2>, a Markdown ##; a PDF's is guessed from font sizes); structure
    decides the level from the numbering, and from a stated hint where a heading has no
    numbering (structure.build_tree).
    For table rows ``cells`` holds the cell texts and ``text`` joins them with a tab.
    """

    kind: str
    text: str
    page: int | None = None
    level_hint: int | None = None
    cells: list[str] | None = None
    table: int | None = None          # index of the table in the document
    header: bool = False              # a table's header row
    start: int = 0                    # filled by Document.build
    end: int = 0


@dataclass
class Document:
    source: str                       # path relative to the input root
    format: str                       # txt | html | docx | pdf
    blocks: list[Block] = field(default_factory=list)
    text: str = ""
    # Data kept aside for the metadata extractor: the HTML <title>, meta tags, the
    # 索引号 table, and lines removed as site furniture (they hold 发布时间 etc.).
    page_meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[Warning_] = field(default_factory=list)
    pages: int | None = None
    encoding: str | None = None
    pages_ocr: list[int] = field(default_factory=list)   # PDF pages read by OCR
    ocr_confidence: float | None = None                   # their mean recognition score
    _page_index: Any = field(default=None, init=False, repr=False, compare=False)

    def build(self) -> "Document":
        """Assign block offsets and the joined text. Call after blocks change."""
        parts: list[str] = []
        pos = 0
        for b in self.blocks:
            b.start = pos
            b.end = pos + len(b.text)
            parts.append(b.text)
            pos = b.end + 1
        self.text = "\n".join(parts)
        self._page_index = None
        return self

    def page_at(self, offset: int) -> int | None:
        """The page of the block holding ``offset`` (a block's end counts as inside it)."""
        starts = self._starts()
        if starts is None:        # offsets not from build(): the first block that holds it
            return next((b.page for b in self.blocks if b.start <= offset <= b.end), None)
        k = bisect.bisect_right(starts, offset) - 1
        if k >= 0 and offset <= self.blocks[k].end:
            return self.blocks[k].page
        return None

    def _starts(self) -> list[int] | None:
        """Block starts for bisection (one lookup per span, not a scan of the document):
        rebuilt when the block list changes; None unless the blocks' ranges are disjoint
        and in order (as build() makes them)."""
        key = (id(self.blocks), len(self.blocks), self.blocks[-1].end if self.blocks else 0)
        if self._page_index is None or self._page_index[0] != key:
            bs = self.blocks
            ok = all(bs[i].start <= bs[i].end < bs[i + 1].start for i in range(len(bs) - 1))
            self._page_index = (key, [b.start for b in bs] if ok else None)
        return self._page_index[1]

    def warn(self, code: str, message: str, span=None, page=None) -> None:
        self.warnings.append(Warning_(code, message, span, page))


class IngestError(Exception):
    """A file that cannot be read; the message is one line for the run report."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status          # failed | skipped
        self.reason = reason


@dataclass
class Fact:
    """One extracted fact: offsets into the text it was found in, the rule that made it,
    and its record fields (``data``). The caller adds the quoted ``text``."""

    kind: str            # unit | deadline | threshold | reference | metric
    start: int
    end: int
    rule: str
    data: dict[str, Any] = field(default_factory=dict)
