"""PDF layout: characters → lines → paragraphs and headings, page furniture removed.

From characters with boxes and fonts (``chars.py``) and tables (``tables.py``) we
rebuild, in reading order:

* lines (characters grouped by vertical overlap, sorted left to right; a space only
  where the PDF has one, or between two Latin/digit characters separated by a gap:
  ``2021 年`` made by a layout gap becomes ``2021年``);
* paragraphs (wrapped lines joined; a new one starts at a first-line indent, after a
  short line ending a sentence, at a larger vertical gap, at a heading number, at a
  change of font style; centred or deeply indented short lines stand alone, a title
  centred over two lines is joined);
* table rows, a table continuing on the next page keeping its index and one header row.

Page headers and footers (``— 1 —``, ``第 3 页 共 5 页``, lines repeated at the same
place on most pages) are dropped and kept in ``page_meta["furniture"]``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median

from ...model import Block, Document
from .chars import BOLD_FONT as _BOLD_FONT

# ---------------------------------------------------------------------------- text

_SENT_END = set("。！？：；.!?:;")
_HEAD_NUM = re.compile(
    r"^\s*(?:"
    r"[一二三四五六七八九十百零〇]{1,4}\s*[、．.]"            # 一、
    r"|[（(]\s*[一二三四五六七八九十百零〇]{1,4}\s*[）)]"        # （一）
    r"|\d{1,3}\s*[、．.](?!\d)"                               # 1.  1、 (not 1.5)
    r"|[（(]\s*\d{1,3}\s*[）)]"                                # （1）
    r"|[①-⑳]"                                                # ①
    r"|第[一二三四五六七八九十百零〇\d]{1,5}[条章节部分编]"          # 第一条
    r"|附件\s*[\d一二三四五六七八九十]+|附件\s*[:：]?\s*$"          # 附件1 / a lone 附件
    r")"
)
_PAGE_NO = re.compile(
    r"^(?:"
    r"[-—–－―─~·•\s]*\d{1,4}[-—–－―─~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/、]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r")$"
)


def _latinish(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "%&+-_/'\",.;:!?)")


def join_lines(a: str, b: str) -> str:
    """Join two wrapped pieces: a space only between Latin/digit text."""
    if not a:
        return b
    if not b:
        return a
    if a[-1].isdigit() and b[0].isdigit():
        return a + b                     # a number wrapped in a narrow cell
    if a[-1].isascii() and a[-1].isalnum() or a[-1] in ",.;:!?)":
        if b[0].isascii() and (b[0].isalnum() or b[0] in "(\"'"):
            return a + " " + b
    return a + b


# ---------------------------------------------------------------------------- model


@dataclass
class Line:
    page: int
    chars: list
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    pitch: float = 0.0             # distance between character starts (letter-spaced text)
    overprint: bool = False


@dataclass
class Table:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    edges: list[float]             # column x positions, for continuation matching
    rows: list[list[str]]
    bold_first: bool = False


@dataclass
class Page:
    number: int
    width: float
    height: float
    items: list = field(default_factory=list)   # Line | Table, sorted by top


# ---------------------------------------------------------------------------- lines


def _centre(c: dict) -> float:
    return c["x0"] + c["x1"]


# The binding line printed down the margin of a 公文 page (a column of dots broken by
# 裝 / 訂 / 線): every body line would otherwise begin with its dots.
_BINDING_MARKS = frozenset(".·•…:：‧裝訂線装订线")
_BINDING_MIN_MARKS = 20        # marks in the strip: a column, not a stray dot
_BINDING_STRIP = 12.0          # points: how narrow the column is
_BINDING_EDGE = 0.15           # share of the page width: where it may stand (left or right)


def drop_binding_margin(chars: list[dict], width: float) -> list[dict]:
    """The characters without a binding-line column in the outer margin: a narrow strip near
    the left or right edge holding only dots and 裝 / 訂 / 線."""
    near = [c for c in chars if not c["text"].isspace()
            and (c["x1"] < width * _BINDING_EDGE or c["x0"] > width * (1 - _BINDING_EDGE))]
    if len(near) < _BINDING_MIN_MARKS:
        return chars
    drop: set[int] = set()
    for side in (lambda c: c["x1"] < width * _BINDING_EDGE, lambda c: c["x0"] > width * (1 - _BINDING_EDGE)):
        strip = sorted((c for c in near if side(c)), key=lambda c: c["x0"])
        if not strip:
            continue
        x = strip[len(strip) // 2]["x0"]          # the column's position: the median mark
        column = [c for c in strip if abs(c["x0"] - x) <= _BINDING_STRIP]
        if len(column) >= _BINDING_MIN_MARKS and all(c["text"] in _BINDING_MARKS for c in column):
            drop |= {id(c) for c in column}
    return [c for c in chars if id(c) not in drop] if drop else chars


def group_lines(chars: list[dict]) -> list[list[dict]]:
    """Group characters into lines by vertical overlap; each line sorted by x."""
    if not chars:
        return []
    mids = [(c["top"] + c["bottom"]) / 2 for c in chars]
    chars = [chars[k] for k in sorted(range(len(chars)), key=mids.__getitem__)]   # stable, by mid height
    lines: list[list[dict]] = []
    tops: list[float] = []
    cur: list[dict] = []
    top = bottom = 0.0
    for c in chars:
        ct, cb = c["top"], c["bottom"]
        if cur:
            h = cb - ct if cb - ct > 0.1 else 0.1
            overlap = (bottom if bottom < cb else cb) - (top if top > ct else ct)
            if overlap > 0.3 * (h if h < bottom - top else bottom - top):
                cur.append(c)
                if ct < top:
                    top = ct
                if cb > bottom:
                    bottom = cb
                continue
            lines.append(cur)
            tops.append(top)
        cur = [c]
        top, bottom = ct, cb
    lines.append(cur)
    tops.append(top)
    # by the box's centre: a CJK glyph's box can be wider than its advance and start left of
    # the punctuation before it (1.研究 read as 1研.究 when sorted by x0)
    for ln in lines:
        ln.sort(key=_centre)
    order = sorted(range(len(lines)), key=tops.__getitem__)    # stable, as sorting the lines was
    return [lines[k] for k in order]


def line_text(chars: list[dict]) -> tuple[str, list[dict]]:
    """Text of one line; returns it with the non-space characters."""
    text, kept, _ = _scan_line(chars)
    return text, kept


def _scan_line(chars: list[dict]) -> tuple[str, list[dict], tuple | None]:
    """One pass over a line's characters (x order): its text, the non-space characters,
    and what ``make_line`` needs of them (None when there are none): the right edge,
    top, bottom, the count of each size rounded to ½ pt in order of first appearance,
    the number of bold characters, and the steps between a single CJK glyph and the
    character after it."""
    out: list[str] = []
    kept: list[dict] = []
    prev = None
    space = False
    sizes: dict[float, int] = {}
    nb = 0
    steps: list[float] = []
    x1 = top = bottom = 0.0
    font, font_bold = None, False        # a line's characters mostly share one font name
    last_size, last_half = None, 0.0     # ... and one size
    cjk_x0 = None                        # x0 of the previous character when it is one CJK glyph
    for c in chars:
        t = c["text"]
        if not t or t.isspace():                 # U+3000 and U+00A0 included
            if prev is not None:
                space = True
            continue
        size_c, x0 = c["size"], c["x0"]
        if prev is not None:
            if space:
                out.append(" ")                  # a space the PDF has
            else:
                # max(prev size, size, 1.0) without the builtin's call
                size = prev["size"]
                if size_c > size:
                    size = size_c
                if 1.0 > size:
                    size = 1.0
                gap = x0 - prev["x1"]
                if gap > 2.0 * size:
                    out.append(" ")              # a tab or alignment gap
                elif gap > 0.2 * size and _latinish(prev["text"][-1]) and _latinish(t[0]):
                    out.append(" ")              # a word gap in Latin text
            # extent: the builtins' max/min over the characters, first one first
            if c["x1"] > x1:
                x1 = c["x1"]
            if c["top"] < top:
                top = c["top"]
            if c["bottom"] > bottom:
                bottom = c["bottom"]
        else:
            x1, top, bottom = c["x1"], c["top"], c["bottom"]
        out.append(t)
        kept.append(c)
        if size_c != last_size:
            last_size, last_half = size_c, round(size_c * 2) / 2
        sizes[last_half] = sizes.get(last_half, 0) + 1
        name = c.get("fontname") or ""
        if name is not font:
            font, font_bold = name, _bold_name(name)
        if font_bold:
            nb += 1
        if cjk_x0 is not None:
            steps.append(x0 - cjk_x0)
        cjk_x0 = x0 if len(t) == 1 and not t.isascii() else None
        prev = c
        space = False
    stats = (x1, top, bottom, sizes, nb, steps) if kept else None
    return "".join(out), kept, stats


def is_bold(c: dict) -> bool:
    return _bold_name(c.get("fontname") or "")


@lru_cache(maxsize=4096)
def _bold_name(name: str) -> bool:
    return bool(_BOLD_FONT.search(name))


def make_line(page: int, chars: list[dict]) -> Line | None:
    text, kept, stats = _scan_line(chars)
    if stats is None:
        return None
    x1, top, bottom, sizes, nb, steps = stats
    size = max(sizes, key=sizes.__getitem__)     # the most common, the first seen on a tie
    return Line(
        page=page,
        chars=kept,
        text=text,
        x0=kept[0]["x0"],
        x1=x1,
        top=top,
        bottom=bottom,
        size=size,
        bold=nb > 0.6 * len(kept),
        pitch=max(median(steps), size) if steps else size,
    )


def mark_overprint(lines: list[Line], raw: list[dict]) -> None:
    """Mark lines whose characters were printed twice (pdfplumber's dedupe removed them)."""
    if not lines:
        return
    mids = sorted(((c["top"] + c["bottom"]) / 2, c["x0"]) for c in raw if not c["text"].isspace())
    ys = [m[0] for m in mids]
    for ln in lines:
        lo, hi = bisect_left(ys, ln.top), bisect_right(ys, ln.bottom)
        n = sum(1 for y, x in mids[lo:hi] if ln.x0 - 1 <= x <= ln.x1 + 1)
        if n >= 1.6 * len(ln.chars):
            ln.overprint = True
            ln.bold = True


# ---------------------------------------------------------------------------- furniture


def _norm_digits(s: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", s))


def _page_number(ln: Line, inner, pg: Page, st: "_Stats") -> bool:
    """``— 1 —``, ``第 3 页 共 5 页``, ``1/5``; a bare number only if it stands apart
    from the body (centred or at a margin, with more than a line's space to it)."""
    t = ln.text.strip()
    if len(t) > 20 or not _PAGE_NO.match(t):
        return False
    if not t.isdigit():
        return True
    placed = (abs((ln.x0 + ln.x1) / 2 - pg.width / 2) < 2 * ln.size
              or ln.x1 >= st.right - ln.size or ln.x0 <= st.left + 0.5 * ln.size)
    if inner is None:
        return placed
    dist = inner.top - ln.bottom if inner.top > ln.top else ln.top - inner.bottom
    return placed and dist > st.gap + ln.size


def drop_furniture(pages: list[Page], doc: Document, st: "_Stats") -> None:
    """Remove page numbers and running headers/footers from the page margins."""
    cands: dict[tuple[str, str], list[tuple[Page, Line]]] = defaultdict(list)
    removed: list[str] = []
    drop: set[int] = set()
    for pg in pages:
        items = pg.items
        n = len(items)
        edge = [(k, "top") for k in range(min(2, n))] + [(k, "bottom") for k in range(max(0, n - 2), n)]
        for k, zone in edge:
            it = items[k]
            if not isinstance(it, Line):
                continue
            in_zone = it.bottom < 0.2 * pg.height if zone == "top" else it.top > 0.8 * pg.height
            if not in_zone:
                continue
            j = k + 1 if zone == "top" else k - 1
            if _page_number(it, items[j] if 0 <= j < n else None, pg, st):
                drop.add(id(it))
                continue
            cands[(zone, _norm_digits(it.text))].append((pg, it))
    need = max(2, (len(pages) + 1) // 2)
    for occ in cands.values():
        # the same text at the same height (a title may repeat the running header)
        by_top: dict[int, list[Line]] = defaultdict(list)
        for _, it in occ:
            by_top[round(it.top / 6)].append(it)
        for key, its in by_top.items():
            near = its + by_top.get(key - 1, []) + by_top.get(key + 1, [])
            if len({it.page for it in near}) >= need:
                for it in near:
                    if abs(it.top - its[0].top) <= 6:
                        drop.add(id(it))
    for pg in pages:
        kept = []
        for it in pg.items:
            if id(it) in drop:
                if it.text not in removed and not _PAGE_NO.match(it.text.strip()):
                    removed.append(it.text)
            else:
                kept.append(it)
        pg.items = kept
    if removed:
        doc.page_meta["furniture"] = removed


# ---------------------------------------------------------------------------- paragraphs


@dataclass
class _Stats:
    body: float
    left: float
    right: float
    gap: float
    pitch: float                   # character pitch of body lines
    centre: float                  # centre of the text column
    indent: float | None           # x of the usual first-line indent


def _p(ln: Line, st: _Stats) -> float:
    """Horizontal unit for a line: the body pitch at body size, else its own."""
    return st.pitch if abs(ln.size - st.body) <= 0.6 else ln.pitch


def page_stats(pages: list[Page]) -> _Stats:
    lines = [it for pg in pages for it in pg.items if isinstance(it, Line)]
    sizes = Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.chars)
    body = sizes.most_common(1)[0][0] if sizes else 12.0
    blines = [ln for ln in lines if abs(ln.size - body) <= 0.6] or lines
    need = max(2, int(0.03 * len(blines)))
    xs = Counter(round(ln.x0) for ln in blines)
    left_c = sorted(x for x, k in xs.items() if k >= need)
    left = left_c[0] if left_c else min((ln.x0 for ln in blines), default=0)
    # the right margin from lines ending in a letter: punctuation may hang beyond it
    ends = Counter(round(ln.x1) for ln in blines if ln.text[-1:].isalnum())
    right_c = sorted(x for x, k in ends.items() if k >= need)
    right = right_c[-1] if right_c else max((ln.x1 for ln in blines), default=0)
    gaps = []
    for pg in pages:
        prev = None
        for it in pg.items:
            if isinstance(it, Line) and abs(it.size - body) <= 0.6:
                if prev is not None:
                    g = it.top - prev.bottom
                    if -1 <= g < 3 * body:
                        gaps.append(g)
                prev = it
            else:
                prev = None
    gap = median(gaps) if gaps else 0.5 * body
    pitches = [ln.pitch for ln in blines if len(ln.chars) >= 6]
    pitch = median(pitches) if pitches else body
    # the usual line end (justified lines end exactly there) gives the column's centre
    mode_right = ends.most_common(1)[0][0] if ends else right
    ind = Counter(round(ln.x0) for ln in blines if ln.x0 - left > 0.5 * pitch)
    indent = ind.most_common(1)[0][0] if ind and ind.most_common(1)[0][1] >= 2 else None
    return _Stats(body, left, right, gap, pitch, (left + mode_right) / 2, indent)


def _centred(ln: Line, st: _Stats) -> bool:
    """Set in from both margins by about the same amount."""
    u = _p(ln, st)
    if ln.x0 - st.left < 0.75 * u:
        return False
    if st.indent is not None and abs(ln.x0 - st.indent) < 0.2 * u:
        return False                     # starts where paragraphs start
    return abs((ln.x0 + ln.x1) / 2 - st.centre) < 0.5 * u + 2


def _alone(ln: Line, st: _Stats) -> bool:
    """A line set apart: centred, right-aligned or deeply indented."""
    return ln.x0 - st.left > 3.5 * _p(ln, st)


def _titleish(ln: Line, st: _Stats) -> bool:
    """A line of a title: large or bold, centred or filling the line."""
    u = _p(ln, st)
    wide = ln.x0 - st.left < u and st.right - ln.x1 < 1.5 * u
    return (_centred(ln, st) or wide) and (ln.size > st.body * 1.1 or ln.bold)


def _full(ln: Line, st: _Stats, nxt: Line | None = None) -> bool:
    """The line reaches the right margin: the next character (or the next line's first
    unbreakable piece, a Latin word or a character with its closing punctuation) would
    not have fitted."""
    room = st.right - ln.x1
    if room <= 1.5 * _p(ln, st):
        return True
    return nxt is not None and _unit_width(nxt) > room - 0.5 * _p(ln, st)


_NO_START = set("，。、；：？！）》〉」』】〕,.;:?!)%")


def _unit_width(ln: Line) -> float:
    """Width of the line's first piece that could not have been broken."""
    cs = ln.chars
    k = 1 if cs[0]["text"] in "（《〈「『【〔(" and len(cs) > 1 else 0
    while k + 1 < len(cs):
        prev, c = cs[k]["text"], cs[k + 1]["text"]
        if c in _NO_START:
            k += 1                       # closing punctuation stays with what precedes
        elif (c.isascii() and prev.isascii() and not c.isspace()
              and cs[k + 1]["x0"] - cs[k]["x1"] < 0.2 * cs[k]["size"]):
            k += 1                       # a Latin word, number, e-mail address
        else:
            break
    return cs[k]["x1"] - cs[0]["x0"]


def _breaks(a: Line, b: Line, first_of_para: bool, st: _Stats) -> bool:
    """Does line ``b`` start a new block after line ``a``?"""
    same_style = abs(a.size - b.size) <= 0.6 and a.bold == b.bold
    if a.page == b.page and b.top - a.bottom > st.gap + max(0.3 * max(a.size, b.size), 3):
        return True
    # a title centred over two lines (not a heading under it: 某办法 / 一、总则)
    if same_style and _titleish(a, st) and _titleish(b, st) and not _HEAD_NUM.match(b.text):
        return False
    ends = a.text.rstrip()[-1:] in _SENT_END
    # a hanging indent, however deep: an item's number stands out and its wrapped lines
    # start under its text ((1)嚴密監控…（外交部、國防部、經 / 濟部、交通部…等）, or under the
    # text after a label: 壹、 計畫緣起：為使… / 生活型態，…)
    # (a line spanning most of the column: a right-aligned signature is short)
    if (same_style and not ends and _full(a, st, b) and not _HEAD_NUM.match(b.text)
            and a.x0 < b.x0 <= a.x0 + 8 * _p(b, st) and a.x1 - a.x0 > 0.6 * (st.right - st.left)):
        return False
    if _alone(a, st) or _alone(b, st):
        return True
    # a heading number starts a block, unless the line before ran on to the margin
    # mid-sentence (…口径不统 / 一、数据质量…)
    if _HEAD_NUM.match(b.text) and (ends or not _full(a, st, b)):
        return True
    if not same_style:
        return True
    if b.x0 - st.left >= 1.5 * _p(b, st):
        block_indent = abs(b.x0 - a.x0) < 0.5 * _p(b, st) and _full(a, st) and not ends
        hanging = first_of_para and b.x0 > a.x0 and _full(a, st) and not ends
        if not (block_indent or hanging):
            return True
    if not _full(a, st, b):
        if ends or _HEAD_NUM.match(a.text) or a.bold or a.size > st.body * 1.1:
            return True
        if st.right - a.x1 > 0.25 * (st.right - st.left):
            return True                      # a line ending far short: a hard break
    return False


def _unbold_if_body_bold(pages: list[Page], body: float) -> None:
    """A document set entirely in bold (or a font whose name says bold throughout) has
    no bold emphasis: its title, headings and body would all read as title lines and run
    together (广东省某办法 / 一、总则 / 第一条 … in one block). Bold then marks nothing."""
    bold = total = 0
    for pg in pages:
        for it in pg.items:
            if isinstance(it, Line) and abs(it.size - body) <= 0.6:
                total += len(it.chars)
                bold += len(it.chars) if it.bold else 0
    if total and bold >= 0.8 * total:
        for pg in pages:
            for it in pg.items:
                if isinstance(it, Line):
                    it.bold = False


def build_blocks(pages: list[Page]) -> list[Block]:
    if not pages:
        return []
    st = page_stats(pages)
    _unbold_if_body_bold(pages, st.body)
    blocks: list[Block] = []
    para: list[Line] = []
    table_no = -1
    last_table: Table | None = None
    header_row: list[str] | None = None

    emph: dict[int, float] = {}

    def flush():
        if para:
            b, size = _para_block(para, st)
            blocks.append(b)
            if size is not None:
                emph[id(b)] = size
            para.clear()

    prev_item = None
    for pg in pages:
        for it in pg.items:
            if isinstance(it, Table) and all(len([c for c in r if c.strip()]) <= 1 for r in it.rows):
                # one column is no table (a title and its note, or a preface, in a frame): its
                # rows are lines; a long line not ending a sentence runs on into the next
                flush()
                text = ""
                for r in it.rows:
                    cell = next((c.strip() for c in r if c.strip()), "")
                    if not cell:
                        continue
                    if text and (len(text) < 20 or text[-1] in "。；;：:！？!?"):
                        blocks.append(Block(kind="paragraph", text=text, page=it.page))
                        text = ""
                    text = join_lines(text, cell) if text else cell
                if text:
                    blocks.append(Block(kind="paragraph", text=text, page=it.page))
                prev_item = it
                continue
            if isinstance(it, Table):
                flush()
                rows = it.rows
                cont = (
                    isinstance(prev_item, Table) and last_table is not None
                    and prev_item.page == it.page - 1
                    and pg.items and pg.items[0] is it
                    and len(rows[0]) == len(last_table.rows[-1])
                    and _edges_match(last_table, it)
                )
                if cont:
                    if header_row is not None and _norm_row(rows[0]) == _norm_row(header_row):
                        rows = rows[1:]              # a repeated header row
                    if rows and _split_row(blocks, rows[0]):
                        rows = rows[1:]
                    for r in rows:
                        blocks.append(_row_block(r, it.page, table_no, False))
                else:
                    table_no += 1
                    hdr = len(rows) >= 2 and (it.bold_first or _looks_header(rows[0]))
                    header_row = rows[0] if hdr else None
                    for k, r in enumerate(rows):
                        blocks.append(_row_block(r, it.page, table_no, hdr and k == 0))
                last_table = it
            else:
                if para and _breaks(para[-1], it, len(para) == 1, st):
                    flush()
                para.append(it)
            prev_item = it
    flush()
    _assign_levels(emph, blocks)
    return blocks


def _norm_row(row: list[str]) -> list[str]:
    return [re.sub(r"\s+", "", c) for c in row]


def _edges_match(a: Table, b: Table) -> bool:
    if len(a.edges) != len(b.edges):
        return abs(a.x0 - b.x0) <= 3 and abs(a.x1 - b.x1) <= 3
    return all(abs(x - y) <= 3 for x, y in zip(a.edges, b.edges))


def _looks_header(row: list[str]) -> bool:
    """Short labels in every cell, none of them a number."""
    return all(c and len(c) <= 20 for c in row) and not any(
        re.fullmatch(r"[\d.,%\s-]+", c) for c in row)


def _split_row(blocks: list[Block], row: list[str]) -> bool:
    """A row broken across the page: the continuation's first row has its first cell
    empty and fewer filled cells than the previous row; merge it into that row."""
    if not blocks or blocks[-1].kind != "table_row" or not blocks[-1].cells:
        return False
    prev = blocks[-1]
    if len(prev.cells) != len(row) or row[0] or not prev.cells[0] or prev.header:
        return False
    if sum(1 for c in row if c) >= sum(1 for c in prev.cells if c):
        return False
    prev.cells = [join_lines(p, c) for p, c in zip(prev.cells, row)]
    prev.text = "\t".join(prev.cells)
    return True


def _row_block(row: list[str], page: int, table: int, header: bool) -> Block:
    return Block(kind="table_row", text="\t".join(row), page=page, cells=list(row),
                 table=table, header=header)


def _para_block(lines: list[Line], st: _Stats) -> tuple[Block, float | None]:
    text = ""
    for ln in lines:
        text = join_lines(text, ln.text.strip())
    first = lines[0]
    size = max(ln.size for ln in lines)
    bold = all(ln.bold for ln in lines)
    emph = bold or size > st.body * 1.1
    title = all(_titleish(ln, st) for ln in lines)
    centred = all(_centred(ln, st) for ln in lines)
    # a run-in heading (（一）指导思想。认真落实……) is a paragraph
    inner_stop = any(ch in "。！？；" for ch in text[:-1])
    heading = (
        (title and len(text) <= 80)
        or (len(text) <= 40 and not inner_stop
            and (bool(_HEAD_NUM.match(text)) or emph or centred)
            and not _right_aligned(lines, st))
    )
    b = Block(kind="heading" if heading else "paragraph", text=text, page=first.page)
    return b, (size if heading and emph else None)


def _right_aligned(lines: list[Line], st: _Stats) -> bool:
    """Signature and date lines: ending at the right margin, starting far from the left."""
    return all(st.right - ln.x1 < 1.5 * _p(ln, st) and ln.x0 - st.left > 3.5 * _p(ln, st)
               for ln in lines)


def _assign_levels(emph: dict[int, float], blocks: list[Block]) -> None:
    """level_hint for emphasised headings: by font size, largest = 1 (bold headings at
    body size come last)."""
    sizes = sorted({round(s) for s in emph.values()}, reverse=True)
    for b in blocks:
        if id(b) in emph:
            b.level_hint = sizes.index(round(emph[id(b)])) + 1


def blocks_from(pages: list[Page], doc: Document) -> list[Block]:
    """Furniture removed (recorded in ``doc.page_meta``), then the blocks of all pages."""
    if pages:
        drop_furniture(pages, doc, page_stats(pages))
    return build_blocks(pages)
