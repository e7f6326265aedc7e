"""Plain text: decode carefully, one block per non-empty line."""
from __future__ import annotations

import codecs
import datetime as dt
import html
import re

import yaml

from ..model import Block, Document, IngestError

# Tried in order, strictly; the first that decodes every byte wins.
_STRICT = ("utf-8-sig", "gb18030", "big5")


# Characters a Chinese document is made of; a wrong decoding produces others (Hangul,
# rare extensions, private use, controls).
_NOT_TEXT = re.compile(r"[^\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_SAMPLE = 1 << 16


def _text_share(text: str) -> float:
    return 1 - len(_NOT_TEXT.findall(text)) / max(len(text), 1)


def _strict(sample: bytes, enc: str, width: int) -> str | None:
    """``sample`` decoded strictly, its end cut to whole code units (and a split surrogate pair)."""
    sample = sample[: len(sample) - len(sample) % width]
    for cut in (0, 2):
        try:
            return sample[: len(sample) - cut].decode(enc)
        except UnicodeDecodeError:
            if width == 4:
                return None
    return None


def wide_encoding(data: bytes) -> str | None:
    """UTF-32 (with or without BOM) or UTF-16 without BOM, told from the bytes; else None.

    Runs before the binary sniff: UTF-16 of ASCII is half NUL bytes and would look
    like binary data. UTF-16 with an odd number of bytes raises IngestError."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None                                       # decode() reads a UTF-16 BOM itself
    sample = data[:_SAMPLE]
    if len(data) % 4 == 0:
        for enc in ("utf-32-le", "utf-32-be"):
            text = _strict(sample, enc, 4)
            if text and _text_share(text) >= 0.9:
                return enc
    nul_odd, nul_even = sample[1::2].count(0), sample[0::2].count(0)
    if max(nul_odd, nul_even) > len(sample) * 0.3 and min(nul_odd, nul_even) < len(sample) * 0.05:
        enc = "utf-16-le" if nul_odd > nul_even else "utf-16-be"     # ASCII-heavy UTF-16
    else:
        try:
            sample.decode("utf-8")
            return None                                   # valid UTF-8 is UTF-8
        except UnicodeDecodeError as exc:
            if len(data) > len(sample) and exc.start >= len(sample) - 4:
                return None                               # only the sample's cut end is broken
        if len(data) < 16:
            return None                                   # a few CJK bytes prove no encoding
        best = None
        for cand in ("utf-16-le", "utf-16-be"):
            text = _strict(sample, cand, 2)
            if text and _text_share(text) >= 0.97:
                share = len(_CJK.findall(text)) / max(len(text), 1)
                if share >= 0.3 and (best is None or share > best[0]):
                    best = (share, cand)
        if best is None:
            return None
        for legacy in ("gb18030", "big5"):
            text = _strict(sample, legacy, 1)
            if text is not None and _text_share(text) >= 0.97 and len(_CJK.findall(text)) / max(len(text), 1) >= best[0]:
                return None                               # reads at least as well as GB18030 / Big5
        enc = best[1]
    if len(data) % 2:
        raise IngestError("failed", f"{enc.upper()} text with an odd number of bytes ({len(data):,}): truncated file?")
    return enc


def decode(data: bytes) -> tuple[str, str, int]:
    """Return (text, encoding, number of undecodable bytes)."""
    wide = wide_encoding(data)
    if wide:
        text = data.decode(wide, errors="replace")
        return text.lstrip("\ufeff"), wide, text.count("\ufffd")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        if len(data) % 2:
            raise IngestError("failed", f"UTF-16 text with an odd number of bytes ({len(data):,}): truncated file?")
        return data.decode("utf-16"), "utf-16", 0
    for enc in _STRICT:
        try:
            return data.decode(enc), enc, 0
        except UnicodeDecodeError:
            continue
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
_SEPARATOR = re.compile(r"^[=\-_*#]{3,}.{0,12}?[=\-_*#]{3,}$|^[=\-_*#]{3,}$")


def _front_matter(lines: list[str], doc: Document) -> list[str]:
    """A metadata header (--- / 标题: … / 文号: … / ---), as saved by many scrapers, goes
    to the page metadata the metadata extractor reads, not into the body."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return lines
    if lines[first].strip() != "---":
        # a database export's header without delimiters: 法规名称：… / 修正日期：… / 法规网址：…,
        # or a crawler's (标题: … / 文号: (empty) / 发布机构: … / a note / ==== 正文 ====)
        run, end = [], first
        for k in range(first, min(len(lines), first + 15)):
            line = lines[k].strip()
            m = _FRONT_KEY.match(line)
            if m and len(m.group(1)) <= 8 and not line.endswith("。") and (m.group(2).strip() or run):
                run.append(m)
                end = k + 1
                continue
            if run and _SEPARATOR.match(line):
                end = k + 1          # the crawler's line between its header and the body
                break
            if run and any(_SEPARATOR.match(x.strip()) for x in lines[k + 1:k + 3]):
                continue             # a crawler's note just before its separator
            break
        filled = [m for m in run if m.group(2).strip()]
        if len(filled) >= 3:
            doc.page_meta["info_table"] = {m.group(1).strip(): m.group(2).strip() for m in filled}
            return lines[end:]
        return lines
    for end in range(first + 1, min(len(lines), first + 60)):
        if lines[end].strip() == "---":
            pairs = [_FRONT_KEY.match(line.strip()) for line in lines[first + 1:end] if line.strip()]
            if pairs and all(pairs):
                doc.page_meta["info_table"] = {m.group(1).strip(): m.group(2).strip() for m in pairs}
                return lines[end + 1:]
            fields = _yaml_front_matter("\n".join(lines[first + 1:end]))
            if fields:
                doc.page_meta["info_table"] = fields
                return lines[end + 1:]
            break
    return lines


def _yaml_front_matter(block: str) -> dict[str, str]:
    """A static site's YAML front matter (title: / date: / author: / category: [- 规章]):
    its one-line values, keyed as written. {} unless it is a YAML mapping."""
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k).strip(): str(v).strip() for k, v in data.items()
            if isinstance(v, (str, int, float, dt.date)) and not isinstance(v, bool) and str(v).strip()
            and "\n" not in str(v)}


def _pipe_cells(line: str) -> list[str] | None:
    """Cells of a Markdown-style table row (| a | b |), else None."""
    if len(line) < 3 or not (line.startswith("|") and line.endswith("|")):
        return None
    return [c.strip() for c in line[1:-1].split("|")]


_BAR = re.compile(r"\s*[|｜]\s*")
_SEPARATOR_LINE = re.compile(r"^[-—=*_─━－]{3,}$")


def _bar_rows(lines: list[str]) -> dict[int, list[str]]:
    """Rows pasted as text with bars between cells and none at the ends
    (序号 | 工作任务 | 牵头单位 | 完成时限): two or more consecutive lines with the same
    number of cells (at least three) make a table."""
    out: dict[int, list[str]] = {}
    run: list[tuple[int, list[str]]] = []

    def close():
        if len(run) >= 2:
            out.update(run)
        run.clear()

    for i, raw in enumerate(lines):
        line = raw.strip()
        cells = _BAR.split(line) if line and not line.startswith(("|", "｜")) else None
        if cells is None or len(cells) < 3 or any(not c for c in (cells[0], cells[-1])):
            close()
            continue
        if run and len(cells) != len(run[0][1]):
            close()
        run.append((i, cells))
    close()
    return out


def _stacked_rows(lines: list[str]) -> dict[int, list[str]]:
    """A table pasted one cell per line, rows divided by separator-only lines (------):
    three or more rows of the same size (at least two cells) make a table; the header is
    that many lines just above the first separator. Returns a row's cells keyed by its
    first line; its other lines and the separators map to []."""
    seps = [i for i, line in enumerate(lines) if _SEPARATOR_LINE.fullmatch(line.strip())]
    if len(seps) < 2:
        return {}
    rows = [[i for i in range(a + 1, b) if lines[i].strip()] for a, b in zip(seps, seps[1:])]
    tail = [i for i in range(seps[-1] + 1, min(len(lines), seps[-1] + 40)) if lines[i].strip()]
    sizes = [len(r) for r in rows if r]
    if not sizes:
        return {}
    size = max(set(sizes), key=sizes.count)
    if size < 2:
        return {}
    head = [i for i in range(seps[0]) if lines[i].strip()][-size:]
    if len(tail) >= size and not any(_SEPARATOR_LINE.fullmatch(lines[i].strip()) for i in tail[:size]):
        rows.append(tail[:size])        # a last row with no separator after it
    same = [r for r in [head, *rows] if len(r) == size]
    if len(same) < 3 or len(same) < 0.6 * (len(rows) + 1):
        return {}
    out: dict[int, list[str]] = {}
    for r in same:
        out[r[0]] = [lines[i].strip() for i in r]
        for i in r[1:]:
            out[i] = []
    for sep in seps:
        out.setdefault(sep, [])
    return out


def _add_row(doc: Document, cells: list[str], table: int, in_table: bool) -> tuple[int, bool]:
    """Append a table row; the first row of a table is its header."""
    header = not in_table
    if header:
        table += 1
    doc.blocks.append(Block("table_row", "\t".join(cells), cells=cells, table=table, header=header))
    return table, True


_BR = re.compile(r"<br\s*/?>", re.I)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
# (formatting tags only: anything else, <script> included, stays text for what shows it to escape)
_HTML_TAG = re.compile(r"</?(?:p|b|br|i|u|em|strong|span|div|font|sup|sub|center|h[1-6])(?:\s[^<>\n]*)?/?>", re.I)
_MD_DIRECTIVE = re.compile(r"\s*(?::::|@tab\b|\[\[toc\]\]\s*$)")
_MD_ANCHOR_LINKS = re.compile(r"(?:\[[^\]\n]{0,40}\]\(#[^)\s]*\)[\s\u2003]*)+")
_MD_ATTRS = re.compile(r"\{[a-z-]+=\"[^\"]*\"\}\s*$")


def _markdown_export(lines: list[str]) -> list[str]:
    """A page saved as Markdown by a crawler keeps HTML line breaks (正文<br>各部门：) and
    image links (![](…/logo.png)): the breaks are lines, the images are nothing to read, bold
    marks (**（一）商务部门。**) are no text. A static site's page also keeps inline HTML
    (<p id="t1">&emsp;<b>第一条</b>…</p>: tags are no text, entities are characters), its
    directives (::: tabs, @tab 章节, [[toc]]), heading attributes ({align="center"}) and a
    table of contents of anchor links ([1](#t1)&emsp;[2](#t2)): none of these is text. A
    layout table's row with one filled cell of prose (| 各部门：<br>为进一步… |) is that prose;
    a data table's row stays one row (a break inside its cell is a space)."""
    if not any("<br" in ln.lower() or "![" in ln or "**" in ln or "</" in ln or "&emsp;" in ln or "&nbsp;" in ln
               for ln in lines):
        return lines
    out: list[str] = []
    for ln in lines:
        if "<" in ln or "&" in ln:
            ln = html.unescape(_HTML_TAG.sub(lambda t: "<br>" if t.group(0)[:3].lower() == "<br" else "", ln))
        if _MD_DIRECTIVE.match(ln) or _MD_ANCHOR_LINKS.fullmatch(ln.strip()):
            continue
        ln = _MD_ATTRS.sub("", _MD_BOLD.sub(r"\1", _MD_IMAGE.sub("", ln)))
        if not ln.lstrip().startswith("|"):
            out.extend(_BR.split(ln))
            continue
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        filled = [c for c in cells if c]
        if len(cells) == 1 and (not filled or _RULE_CELL.fullmatch(filled[0])):
            continue        # a one-column layout table's empty header or its |---|
        if len(filled) == 1 and (len(cells) == 1 or "<br" in filled[0].lower() or len(filled[0]) >= 60):
            out.extend(_BR.split(filled[0]))
        else:
            out.append(_BR.sub(" ", ln))
    return out


def read(data: bytes, source: str) -> Document:
    text, encoding, bad = decode(data)
    if "\x00" in text:
        raise IngestError("skipped", "binary data of unknown type")
    doc = Document(source=source, format="txt", encoding=encoding)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _markdown_export(lines)
    lines = _front_matter(lines, doc)
    bar_rows = _bar_rows(lines)
    stacked = _stacked_rows(lines)
    table, in_table = -1, False
    for n, line in enumerate(lines):
        line = line.strip()
        if n in stacked:
            if not stacked[n]:
                continue                    # a later cell of a stacked row, or a separator
            table, in_table = _add_row(doc, stacked[n], table, in_table)
            continue
        if not line:
            in_table = False
            continue
        cells = bar_rows.get(n) or _pipe_cells(line)
        heading = _MD_HEADING.match(line)
        if heading and cells is None:
            in_table = False
            doc.blocks.append(Block("heading", line[heading.end():].strip(), level_hint=len(heading.group(1))))
        elif cells is None:
            in_table = False
            doc.blocks.append(Block("paragraph", line))
        elif not all(_RULE_CELL.fullmatch(c) for c in cells):   # |---|---| separates the header
            table, in_table = _add_row(doc, cells, table, in_table)
    doc.build()
    if bad:
        doc.warn("undecodable_bytes", f"{bad} byte sequence(s) could not be decoded as {encoding} and were replaced by U+FFFD")
    return doc
