"""Statistics tables of annual reports → metrics (rules: rules/metrics.yml).

An annual report on government information disclosure (政府信息公开工作年度报告)
ends with, or embeds, statistics tables. They reach us in two shapes:

* real tables (``table_row`` blocks from HTML, DOCX, PDF): indicator cell(s), an
  optional unit cell and one value cell (the pre-2019 form: 统计指标 | 单位 | 统计数),
  or several value columns under a two- or three-row header (the 2019+ national
  form: 申请人情况 → 自然人 | 法人或其他组织 → 商业企业 …);
* tables flattened to one cell per line by a scraper: an indicator line (with its
  bracketed qualifier or wrapped rest on the next lines), an optional unit line
  (万元), then the value line (782, or —— for a group heading).

Both are turned into the same rows, then read the same way: the indicator numbering
(一、 > (一) > 1. > (1)) nests the rows, giving each metric its ``parent``, its
``indicator`` (三(一)1) and, when the table itself is divided by 一、 rows, its
``section``; otherwise the section is the document heading above the table. A value
column under a header of its own name gives ``column`` (自然人). Group headings whose
value cell is —— and blank cells give no metric; zero values do. Numbers in sentences
are never read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Document
from ..normalize import match_view
from ..rules import RuleSet, register_schema, rule_list_schema
from ..structure import Node

register_schema(
    "metrics.yml",
    rule_list_schema(
        {"kind": {"enum": ["numbering"]}, "level": {"type": "integer", "minimum": 1},
         "pattern": {"type": "string"}},
        required=("name", "kind", "level", "pattern"),
        top={
            **{k: {"type": "string"} for k in (
                "document_pattern", "name_header_pattern", "unit_header_pattern", "skip_header_pattern",
                "value_header_pattern", "value_pattern", "dash_pattern", "unit_note_pattern",
                "prefix_pattern", "flat_header_pattern")},
            "units": {"type": "array", "items": {"type": "string"}},
            "flat_min_pairs": {"type": "integer", "minimum": 1},
            "column_sets": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["name", "columns"],
                "properties": {"name": {"type": "string"},
                               "columns": {"type": "array", "items": {"type": "string"}}}}},
            "max_name_chars": {"type": "integer", "minimum": 1},
            "caption_max_chars": {"type": "integer", "minimum": 0},
        },
    ),
)

_WS = re.compile(r"[\s\u00a0\u3000]+")
_CN = "(（"


def _squash(text: str) -> str:
    return _WS.sub("", text)


@dataclass
class _Cfg:
    document: re.Pattern
    name_header: re.Pattern
    unit_header: re.Pattern
    skip_header: re.Pattern
    value_header: re.Pattern
    value: re.Pattern
    dash: re.Pattern
    unit_note: re.Pattern
    prefix: re.Pattern
    flat_header: re.Pattern
    units: list[str]
    numbering: list[tuple[int, re.Pattern, str]]
    flat_min_pairs: int
    max_name_chars: int
    column_sets: list[list[list[str]]]
    caption_max_chars: int


@lru_cache(maxsize=4)
def _cfg(rules: RuleSet) -> _Cfg:
    c = rules.get("metrics.yml") or {}
    rx = rules.regex
    return _Cfg(
        document=rx(c.get("document_pattern", "(年度报告|年报|统计表)")),
        name_header=rx(c.get("name_header_pattern", "(统计指标|指标)")),
        unit_header=rx(c.get("unit_header_pattern", "单位")),
        skip_header=rx(c.get("skip_header_pattern", "(序号|备注)")),
        value_header=rx(c.get("value_header_pattern", "(统计数|数量)")),
        value=rx(c.get("value_pattern", r"(?P<sign>-?)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<unit>%)?")),
        dash=rx(c.get("dash_pattern", "[-—]+")),
        unit_note=rx(c.get("unit_note_pattern", r"^\(?单位:(?P<unit>\S{1,4})\)?$")),
        prefix=rx(c.get("prefix_pattern", r"^其中\s*:?\s*")),
        flat_header=rx(c.get("flat_header_pattern", "(统计指标|单位|统计数)")),
        units=sorted(c.get("units", []), key=len, reverse=True),
        numbering=[(r["level"], rx(r["pattern"]), r["name"]) for r in c.get("rules", [])
                   if r.get("kind") == "numbering"],
        flat_min_pairs=c.get("flat_min_pairs", 4),
        max_name_chars=c.get("max_name_chars", 60),
        column_sets=[[col.split("/") for col in cs["columns"]] for cs in c.get("column_sets", [])],
        caption_max_chars=c.get("caption_max_chars", 60),
    )


# --------------------------------------------------------------------------- values

def parse_value(text: str, cfg: _Cfg) -> tuple[int | float, str | None] | None:
    """(value, unit written after it) of a value cell, or None if it is not one."""
    t = _squash(text)
    if not t:
        return None
    unit = None
    for u in cfg.units:
        if t.endswith(u) and len(t) > len(u):
            t, unit = t[: -len(u)], u
            break
    m = cfg.value.fullmatch(t)
    if not m:
        return None
    num = m.group("num").replace(",", "").replace("，", "")
    try:
        val: int | float = int(num) if "." not in num else float(num)
    except ValueError:
        return None
    if m.group("sign") and m.group("sign") not in "+":
        val = -val
    if m.groupdict().get("unit"):
        unit = m.group("unit")
    return val, unit


def _is_dash(text: str, cfg: _Cfg) -> bool:
    t = _squash(text)
    return bool(t) and bool(cfg.dash.fullmatch(t))


def _is_unit(text: str, cfg: _Cfg) -> bool:
    t = _squash(text)
    return t in cfg.units


# --------------------------------------------------------------------------- rows

@dataclass
class _Row:
    """One statistics row, whatever shape it came from. Spans are document offsets."""

    labels: list[tuple[int, int]]                 # indicator cells, outermost first
    values: list[tuple[str | None, list[str], tuple[int, int]]]   # (column, header path, span)
    unit: tuple[int, int] | None = None
    dash: bool = False
    start: int = 0
    end: int = 0
    more: list[tuple[int, int]] = field(default_factory=list)   # the last label's wrapped rest
    section: str | None = None                    # set by a flattened multi-column header


@dataclass
class _Table:
    rows: list[_Row] = field(default_factory=list)
    section: str | None = None                    # the document heading above the table
    single_label: bool = True                      # rows carry one indicator cell
    unit: str | None = None                        # a table-wide unit note


def find_metrics(doc: Document, view: str, root: Node, rules: RuleSet) -> list[dict]:
    """Every metric of the document's statistics tables, in document order."""
    cfg = _cfg(rules)
    if not _is_report(doc, view, cfg):
        return []
    sections = _sections(root)
    tables = _real_tables(doc, view, rules, cfg, sections) + _flat_tables(doc, view, cfg, sections)
    tables.sort(key=lambda t: t.rows[0].start if t.rows else 0)
    out: list[dict] = []
    for t in tables:
        out += _emit(doc, view, t, cfg)
    return out


def _is_report(doc: Document, view: str, cfg: _Cfg) -> bool:
    """A short line that is no sentence (the title, a table caption) names a report or
    a statistics table; a passing mention inside a paragraph does not count."""
    if any(b.kind != "table_row" and len(b.text) <= cfg.caption_max_chars
           and not re.search(r"[。;；!！?？]", b.text)
           and cfg.document.search(view, b.start, b.end) for b in doc.blocks):
        return True
    # a page whose title line went with the site chrome: its <title> or its info table's
    # name field still names the report (某局2023年政府信息公开年度报告-某局)
    pm = doc.page_meta or {}
    info = pm.get("info_table") or {}
    names = [pm.get("title")] + [v for k, v in info.items() if re.search(r"名称|标题|题名", k)]
    return any(isinstance(n, str) and len(n) <= cfg.caption_max_chars
               and cfg.document.search(match_view(n)) for n in names)


def _sections(root: Node) -> dict[int, str]:
    """Block index → the top-level heading it sits under."""
    out: dict[int, str] = {}
    for node in root.walk():
        path = node.path()
        for i in node.body:
            out[i] = path[0] if path else None
    return out


# -- real tables ----------------------------------------------------------------------

def _cell_spans(doc: Document, i: int) -> list[tuple[int, int]]:
    from .tables import _cell_spans as spans

    return spans(doc, i)


def _real_tables(doc, view, rules, cfg, sections) -> list[_Table]:
    from .tables import _find_header, _config as table_cfg, _Row as TRow, tables_of

    out = []
    for _, blocks in sorted(tables_of(doc).items(), key=lambda kv: kv[1][0]):
        trows = [TRow(i, list(doc.blocks[i].cells or [doc.blocks[i].text]), _cell_spans(doc, i)) for i in blocks]
        if _find_header(doc, trows, rules, table_cfg(rules)) is not None:
            continue                                   # a task table
        cells = [[view[s:e] for s, e in r.spans] for r in trows]
        numeric = sum(1 for row in cells for c in row if parse_value(c, cfg) is not None)
        if numeric < 2:
            continue
        table = _read_table(doc, view, trows, cells, cfg)
        if table.rows:
            table.section = sections.get(blocks[0])
            out.append(table)
    return out


def _kind(text: str, cfg: _Cfg) -> str:
    if not text.strip():
        return "empty"
    if parse_value(text, cfg) is not None:
        return "value"
    if _is_dash(text, cfg):
        return "dash"
    return "text"


def _read_table(doc, view, trows, cells, cfg) -> _Table:
    """Split a table into segments (a header, then data rows) and read their rows."""
    kinds = [[_kind(c, cfg) for c in row] for row in cells]
    table = _Table()
    header: list[list[int]] = []            # row indexes of the current header
    in_header = True
    for k, row in enumerate(cells):
        ks = kinds[k]
        filled = [j for j, x in enumerate(ks) if x != "empty"]
        if not filled:
            continue
        has_val = any(x in ("value", "dash") for x in ks)
        note = _unit_note(row, cfg)
        if note and len(filled) == 1:
            table.unit = note
            continue
        if not has_val:
            nxt = _next_filled(kinds, k)
            numbered = any(_numbering(row[j].strip(), cfg) for j in filled)
            if (len(filled) == 1 and not numbered and not in_header and table.rows
                    and table.rows[-1].end + 1 >= doc.blocks[trows[k].block].start
                    and row[filled[0]].strip()[:1] in "(（"):
                # A qualifier pushed to its own row by a page break: (不同方式…计1次)
                table.rows[-1].more.append(_trim(view, *trows[k].spans[filled[0]]))
                continue
            if len(filled) == 1 and not numbered and (
                    in_header or (nxt is not None and _header_like(cells[nxt], kinds[nxt], cfg))):
                header, in_header = [], True    # a caption (第二十条第(一)项) or a title row
                continue
            if _header_like(row, ks, cfg) and (in_header or (
                    all(x != "empty" for x in ks) and nxt is not None and "value" in kinds[nxt])):
                if not in_header:
                    header = []
                header.append(k)
                in_header = True
                continue
        in_header = False
        r = _data_row(doc, view, trows[k], row, ks, [cells[h] for h in header], cfg)
        if r is not None:
            table.rows.append(r)
            if len(r.labels) > 1:
                table.single_label = False
    return table


def _next_filled(kinds, k):
    for n in range(k + 1, len(kinds)):
        if any(x != "empty" for x in kinds[n]):
            return n
    return None


def _header_like(row, ks, cfg) -> bool:
    """Column headings: two or more text cells, no value, no indicator numbering."""
    filled = [j for j, x in enumerate(ks) if x != "empty"]
    return (len(filled) >= 2 and all(ks[j] == "text" for j in filled)
            and not any(_numbering(row[j].strip(), cfg) for j in filled))


def _unit_note(row, cfg) -> str | None:
    for c in row:
        m = cfg.unit_note.match(_squash(c))
        if m:
            return m.group("unit")
    return None


def _data_row(doc, view, trow, row, ks, hcells, cfg) -> _Row | None:
    n = len(row)
    # Value columns: the header columns whose header text is not a name/unit word, or,
    # without a header, every cell holding a value or a dash.
    roles = _header_roles(hcells, n, cfg)
    labels, values, unit = [], [], None
    dash = False
    for j, (text, kind) in enumerate(zip(row, ks)):
        s, e = _trim(view, *trow.spans[j])
        role = roles[j] if roles else None
        if kind == "empty" or role == "skip":
            continue
        if kind == "value" and j == 0 and not labels and n > 2 and ks[1] == "text" and roles is None:
            continue                            # a row number before the indicator
        if role == "unit" or (kind == "text" and _is_unit(text, cfg) and j > 0 and labels):
            if kind == "text":
                unit = (s, e)
                continue
        if kind == "value":
            col, path = _column_name(hcells, roles, j, n)
            values.append((col, path, (s, e)))
        elif kind == "dash":
            dash = True
        elif role in (None, "name", "label") or not values:
            if not labels or _squash(view[labels[-1][0]:labels[-1][1]]) != _squash(text):
                labels.append((s, e))
    if not values and not dash:
        if not labels:
            return None
        # A row with blank value cells (其他处理 with nothing filled): a group row.
        dash = True
    b = doc.blocks[trow.block]
    return _Row(labels, values, unit, dash and not values, b.start, b.end)


def _trim(view, s, e):
    while s < e and view[s] in " \t\n\u3000\u00a0":
        s += 1
    while e > s and view[e - 1] in " \t\n\u3000\u00a0":
        e -= 1
    return s, e


# -- headers --------------------------------------------------------------------------

def _header_roles(hcells: list[list[str]], n: int, cfg) -> list[str] | None:
    """Role of each of a data row's n columns from the deepest header row when it has
    n cells: name | unit | value | label (a note cell) | None (a named value column)."""
    if not hcells:
        return None
    last = hcells[-1]
    roles = []
    aligned = _right_align(last, n)
    for c in aligned:
        t = _squash(c) if c is not None else ""
        if c is None or not t:
            roles.append(None)
        elif cfg.skip_header.fullmatch(t):
            roles.append("skip")
        elif cfg.unit_header.fullmatch(t):
            roles.append("unit")
        elif cfg.name_header.fullmatch(t):
            roles.append("name")
        elif cfg.value_header.fullmatch(t):
            roles.append("value")
        else:
            roles.append("named")
    return roles


def _right_align(cells: list[str], n: int) -> list[str | None]:
    if len(cells) >= n:
        return cells[len(cells) - n:]
    return [None] * (n - len(cells)) + cells


def _column_name(hcells, roles, j, n) -> tuple[str | None, list[str]]:
    """(column name, header path) of value column j of a row with n cells."""
    if not hcells or roles is None:
        return None, []
    paths = _header_paths(hcells, n)
    path = paths[j] if j < len(paths) else []
    if not path:
        return None, []
    role = roles[j]
    if role in ("value", "name", "unit"):
        # 统计数: a generic value header; the column is no name of its own.
        return None, []
    return path[-1], path


def _header_paths(hcells: list[list[str]], n: int) -> list[list[str]]:
    """Header path of each of n columns (right-aligned with the deepest header row).

    Grid headers (every row n cells, merged cells left empty as in a PDF) are read
    column by column; collapsed headers (a merged cell is one cell, so upper rows are
    shorter; rowspans repeat their text downwards) are aligned row by row: a cell that
    repeats a cell of the row below has its width, the others share the cells between."""
    rows = [[_clean(c) for c in r] for r in hcells]
    if all(len(r) == n for r in rows):
        return _grid_paths(rows, n)
    last = _right_align(rows[-1], n)
    width = [(k, k + 1) for k in range(n)]
    levels: list[list[tuple[str, tuple[int, int]]]] = [
        [(t or "", w) for t, w in zip(last, width)]]
    for upper in reversed(rows[:-1]):
        levels.insert(0, _span_upper(upper, levels[0]))
    paths: list[list[str]] = [[] for _ in range(n)]
    for level in levels:
        for text, (a, b) in level:
            for j in range(max(a, 0), min(b, n)):
                if text and (not paths[j] or paths[j][-1] != text):
                    paths[j].append(text)
    return paths


def _grid_paths(rows: list[list[str]], n: int) -> list[list[str]]:
    paths: list[list[str]] = [[] for _ in range(n)]
    filled_above = [False] * n
    for r in rows:
        cur = ""
        for j in range(n):
            t = r[j]
            if t:
                cur = t
            elif filled_above[j]:
                cur = ""          # a vertical merge from above: nothing new here
            if t or (cur and not filled_above[j]):
                if cur and (not paths[j] or paths[j][-1] != cur):
                    paths[j].append(cur)
        for j in range(n):
            filled_above[j] = filled_above[j] or bool(r[j])
    return paths


def _span_upper(upper: list[str], lower: list[tuple[str, tuple[int, int]]]) -> list[tuple[str, tuple[int, int]]]:
    """Spans of the cells of a collapsed header row over the row below it."""
    # Anchors: upper cells repeated (rowspan) in the row below, matched in order.
    anchors: list[tuple[int, int]] = []
    q = 0
    for k, u in enumerate(upper):
        for p in range(q, len(lower)):
            if lower[p][0] == u and u:
                anchors.append((k, p))
                q = p + 1
                break
    out: list[tuple[str, tuple[int, int]] | None] = [None] * len(upper)
    for k, p in anchors:
        out[k] = (upper[k], lower[p][1])
    bounds = [(-1, -1)] + anchors + [(len(upper), len(lower))]
    for (k0, p0), (k1, p1) in zip(bounds, bounds[1:]):
        ucells = list(range(k0 + 1, k1))
        lcells = lower[p0 + 1:p1]
        if not ucells:
            continue
        if not lcells:
            for k in ucells:
                out[k] = (upper[k], (0, 0))
            continue
        groups = _partition(lcells, len(ucells))
        for k, g in zip(ucells, groups):
            if g:
                out[k] = (upper[k], (g[0][1][0], g[-1][1][1]))
            else:
                out[k] = (upper[k], (0, 0))
    return [o for o in out if o is not None]


def _partition(cells, parts: int) -> list[list]:
    """Split cells into `parts` contiguous groups: groups of alike cells (same width)
    first, then groups of equal total width. Too many ways to split: equal counts."""
    import itertools
    import math

    m = len(cells)
    if parts >= m:
        return [[c] for c in cells] + [[] for _ in range(parts - m)]
    if math.comb(m - 1, parts - 1) > 20000:
        size = math.ceil(m / parts)
        return [cells[k:k + size] for k in range(0, m, size)][:parts]
    best, best_cost = None, None
    for cuts in itertools.combinations(range(1, m), parts - 1):
        bounds = (0, *cuts, m)
        groups = [cells[a:b] for a, b in zip(bounds, bounds[1:])]
        widths = [g[-1][1][1] - g[0][1][0] for g in groups]
        mixed = sum(1 for g in groups if len({c[1][1] - c[1][0] for c in g}) > 1)
        cost = (mixed, max(widths) - min(widths))
        if best_cost is None or cost < best_cost:
            best, best_cost = groups, cost
    return best or [cells]


def _clean(text: str | None) -> str:
    """A header cell as one line: line breaks inside it removed."""
    if not text:
        return ""
    return _squash(text.replace("\n", ""))


# -- flattened tables -----------------------------------------------------------------

def _flat_tables(doc, view, cfg, sections) -> list[_Table]:
    """Runs of short lines that read as indicator / (unit) / value cells. A line may
    hold several cells (a row copied with tabs, or name and value apart by spaces)."""
    out = []
    run: list[tuple[int, int, str]] = []
    first: list[int] = []

    def flush():
        if run:
            t = _read_flat(doc, view, list(run), cfg, sections.get(first[0]))
            if t is not None:
                out.append(t)
        run.clear()
        first.clear()

    for i, b in enumerate(doc.blocks):
        if b.kind == "table_row":
            flush()
            continue
        tokens = _line_tokens(view, *_trim(view, b.start, b.end), cfg)
        if tokens is None:
            flush()
            continue
        if not first:
            first.append(i)
        run.extend(tokens)
    flush()
    return out


_CELL_SEP = re.compile(r"\t|[ \u00a0\u3000]{2,}")
_LAST_WORD = re.compile(r"[ \u00a0\u3000\t]+(\S+)$")


def _line_tokens(view: str, s: int, e: int, cfg) -> list[tuple[int, int, str]] | None:
    """The cells of one line as (start, end, kind), or None for a prose line."""
    v = view[s:e]
    if not v:
        return []
    whole = _line_kind(v, cfg)
    if whole in ("value", "dash", "unit") and "\t" not in v:
        return [(s, e, whole)]
    cells: list[tuple[int, int]] = []
    tabbed = "\t" in v
    if _CELL_SEP.search(v):
        # Tabs keep empty cells (a\t\tb: a blank between a and b); runs of spaces do not.
        pos = 0
        for m in _CELL_SEP.finditer(v):
            if m.start() > pos or (m.group() == "\t" and pos > 0 and v[pos - 1] == "\t"):
                cells.append((s + pos, s + m.start()))
            pos = m.end()
        if pos < len(v):
            cells.append((s + pos, e))
    else:
        # Values and units written after the name, one space apart: peel them off the end.
        tail: list[tuple[int, int]] = []
        cur = len(v)
        while True:
            m = _LAST_WORD.search(v, 0, cur)
            if not m or _line_kind(m.group(1), cfg) not in ("value", "dash", "unit") or not v[:m.start()].strip():
                break
            tail.insert(0, (s + m.start(1), s + m.end(1)))
            cur = m.start()
        cells = [(s, s + cur)] + tail if tail else [(s, e)]
    kinds = [_line_kind(view[a:b], cfg) if b > a else "blank" for a, b in cells]
    if len(cells) > 1 and not tabbed and not any(k in ("value", "dash", "unit") for k in kinds):
        cells, kinds = [(s, e)], [whole]          # spaces inside a name, not cells
    if any(k == "other" for k in kinds):
        return None
    return [(a, b, k) for (a, b), k in zip(cells, kinds)]


_LONGEST_CELL = 40     # no value, dash or unit cell is longer: a longer line is a name or prose


def _line_kind(v: str, cfg) -> str:
    squashed = len(_squash(v))
    if squashed > cfg.max_name_chars and squashed > _LONGEST_CELL:
        return "other"           # most lines of a document: skip the value parsing
    if parse_value(v, cfg) is not None:
        return "value"
    if _is_dash(v, cfg):
        return "dash"
    if _is_unit(v, cfg):
        return "unit"
    if squashed <= cfg.max_name_chars and "。" not in v:
        return "text"
    return "other"


def _read_flat(doc, view, items: list[tuple[int, int, str]], cfg, doc_section) -> _Table | None:
    """Rows of a flattened table from its cells in reading order. A name (with its
    qualifier or wrapped rest), an optional unit, then one value makes a one-value row.
    Several values in a row belong to the columns of a multi-column table: their names
    are the header cells just above the first such row, a known column set of the
    national form (``column_sets``), or the previous row's columns when the count
    matches; otherwise (blank cells dropped by the scraper) the row is ambiguous and
    skipped."""
    rows: list[_Row] = []
    texts: list[list[tuple[int, int]]] = []   # logical text cells since the last values
    unit: tuple[int, int] | None = None
    note: str | None = None
    columns: list[list[str]] | None = None
    multi_mode = False                   # a multi-column table: lone values are ambiguous
    section: str | None = None
    j = 0
    while j < len(items):
        s, e, kind = items[j]
        v = view[s:e]
        if kind == "text":
            m = cfg.unit_note.match(_squash(v))
            if m:
                note = m.group("unit")
            elif texts and unit is None and _continues_name(view, texts[-1], v, cfg):
                texts[-1].append((s, e))
            else:
                texts.append([(s, e)])
                unit = None
            j += 1
            continue
        if kind == "unit":
            unit = (s, e) if texts else None
            j += 1
            continue
        if kind == "blank" and not (j + 1 < len(items) and items[j + 1][2] in ("value", "dash", "blank")):
            j += 1                              # an empty cell before a text cell
            continue
        run = []
        while j < len(items) and items[j][2] in ("value", "dash", "blank"):
            run.append(items[j])
            j += 1
        while len(run) > 1 and run[0][2] == "blank" and not multi_mode:
            run.pop(0)                          # an empty unit cell before the value
        if all(r[2] == "blank" for r in run):
            texts, unit = [], None
            continue
        lead = texts[-1][-1][1] if texts else run[0][0]
        if "\n" in view[lead:run[0][0]]:
            lead = run[0][0]                     # the values open their own line
        row_text = view[lead:run[-1][1]]
        pad_ok = "\t" in row_text and "\n" not in row_text    # one tab-separated line
        lines = [_squash("".join(view[a:b] for a, b in g)) for g in texts]
        span = lambda g: (g[0][0], g[-1][1])  # noqa: E731
        if len(run) == 1 and multi_mode and pad_ok and columns:
            run = run + [(run[-1][1], run[-1][1], "blank")]     # one value, then empty cells
        if len(run) == 1 and not multi_mode:
            if texts and not cfg.flat_header.fullmatch(lines[-1]):
                vs, ve, rkind = run[0]
                labels = [span(g) for g in _chain(texts, lines, cfg)]
                rows.append(_Row(labels, [] if rkind == "dash" else [(None, [], (vs, ve))], unit,
                                 rkind == "dash", labels[0][0], ve))
        elif len(run) > 1:
            multi_mode = True
            got = _flat_columns(lines, len(run), columns, cfg, pad_ok)
            if got is not None and len(got[0]) > len(run):
                # Trailing empty cells of a tab-separated row are lost when lines are stripped.
                run = run + [(run[-1][1], run[-1][1], "blank")] * (len(got[0]) - len(run))
            if got is None and any(not _numbering(x, cfg) for x in lines[:-1]):
                columns = None          # a new header we cannot read: forget the old one
            if got is not None:
                cols, header_start, labelled = got
                if header_start is not None:
                    heads = [_squash(view[g[0][0]:g[0][1]]) for g in texts[:header_start]]
                    lvl1 = [ln for ln in heads if (n := _numbering(ln, cfg)) and n[0] == 1]
                    if lvl1:
                        section = lvl1[-1]
                columns = cols
                labels = [span(g) for g in _chain(texts, lines, cfg)] if labelled else []
                values = []
                for (vs, ve, rkind), path in zip(run, cols):
                    if rkind == "value":
                        values.append((path[-1] if labelled or len(path) > 1 else None, path, (vs, ve)))
                start = labels[0][0] if labels else run[0][0]
                r = _Row(labels, values, None, not values, start, run[-1][1])
                r.section = section
                rows.append(r)
        texts, unit = [], None
    singles = [r.values[0][2] for r in rows if r.values and r.section is None]
    nums = [parse_value(view[a:b], cfg)[0] for a, b in singles]
    multi = any(r.section is not None or len(r.values) > 1 for r in rows)
    if len(rows) < cfg.flat_min_pairs or (not multi and len(nums) < cfg.flat_min_pairs):
        return None
    if not multi and nums == list(range(nums[0], nums[0] + len(nums))):
        return None                     # 1, 2, 3 …: row numbers of a flattened list, not values
    t = _Table(rows=rows, single_label=not multi, unit=note)
    t.section = doc_section
    return t


def _chain(texts: list[list], lines: list[str], cfg) -> list[list]:
    """The row's label and the numbered lines above it that are its ancestors
    (三、本年度办理结果 above （一）予以公开), outermost first."""
    if not texts:
        return []
    out = [texts[-1]]
    top = _numbering(lines[-1], cfg)
    level = top[0] if top else None
    for g, ln in zip(reversed(texts[:-1]), reversed(lines[:-1])):
        n = _numbering(ln, cfg)
        if level is None or n is None or n[0] >= level:
            break
        out.insert(0, g)
        level = n[0]
    return out


def _flat_columns(lines: list[str], k: int, prev, cfg, pad_ok: bool = False):
    """(column paths, index of the first header line or None, rows have labels) for a
    flattened row of k values, or None when the columns cannot be told. With pad_ok
    (a tab-separated row whose trailing empty cells were stripped) there may be more
    columns than values."""
    fits = lambda n: n == k or (pad_ok and n > k)  # noqa: E731
    if prev is not None and fits(len(prev)) and all(_numbering(x, cfg) for x in lines[:-1]) and not any(
            cfg.flat_header.fullmatch(x) or cfg.name_header.fullmatch(x) for x in lines):
        return prev, None, bool(lines)      # more rows under the same header
    seen = set(lines)
    for cs in cfg.column_sets:
        if not fits(len(cs)):
            continue
        words = {w for path in cs for w in path}
        if len(words & seen) >= 0.6 * len(words):
            idx = [n for n, x in enumerate(lines) if x in words]
            labelled = bool(lines) and lines[-1] not in words
            return cs, (idx[0] if idx else None), labelled
    # k column headings right after the label column's heading (信息内容), then the
    # row's label.
    heads = [n for n, x in enumerate(lines[:-1]) if cfg.name_header.fullmatch(x)]
    if heads:
        h = heads[-1]
        cols = lines[h + 1:-1]
        if cols and fits(len(cols)) and all(not _numbering(x, cfg) for x in cols):
            return [[x] for x in cols], h, True
    return None


def _continues_name(view, pending: list[tuple[int, int]], v: str, cfg) -> bool:
    """The cell continues the pending indicator: a bracketed qualifier, or the rest of
    a name wrapped inside an open bracket."""
    if _numbering(v, cfg):
        return False
    if v[:1] in _CN:
        return True
    prev = "".join(view[a:b] for a, b in pending)
    depth = sum(1 for ch in prev if ch in "(（") - sum(1 for ch in prev if ch in ")）")
    return depth > 0


# -- reading rows ---------------------------------------------------------------------

def _numbering(text: str, cfg) -> tuple[int, str, int] | None:
    """(level, number as written, length of the numbering) of a label."""
    for level, rx, _ in cfg.numbering:
        m = rx.match(text)
        if m:
            return level, m.group("num"), m.end()
    return None


def _fmt_number(level: int, num: str) -> str:
    return f"({num})" if level in (2, 4) else num


@dataclass
class _Level:
    level: float
    name: str
    ordinal: str | None
    children: int = 0


def _emit(doc: Document, view: str, t: _Table, cfg) -> list[dict]:
    out: list[dict] = []
    stack: list[_Level] = []
    section = t.section
    for r in t.rows:
        if r.section is not None and r.section != section:
            section, stack = r.section, []
        own: _Level | None = None
        qualifier = None
        name_unit = None
        for li, (s, e) in enumerate(r.labels):
            raw = doc.text[s:e]
            v = view[s:e]
            num = _numbering(v.strip(), cfg)
            lead = len(v) - len(v.lstrip())
            body_s = s + lead + (num[2] if num else 0)
            rest = r.more if li == len(r.labels) - 1 else []
            name, qual, qunit = _split_name(doc.text[body_s:e] + "".join(doc.text[a:b] for a, b in rest),
                                            view[body_s:e] + "".join(view[a:b] for a, b in rest), cfg)
            if num:
                level = float(num[0])
            elif li > 0 and own is not None:
                level = own.level + 0.5
            else:
                numbered = [x for x in stack if x.level == int(x.level)]
                level = (numbered[-1].level if numbered else 0) + 0.5
            # An unnumbered row is never the parent of a numbered one.
            while stack and (stack[-1].level >= level or (num and stack[-1].level != int(stack[-1].level))):
                stack.pop()
            parent = stack[-1] if stack else None
            if num:
                ordinal = _fmt_number(num[0], num[1])
            elif parent is not None:
                # An unnumbered row (其中:…) under a numbered one: parent's number + .k
                parent.children += 1
                ordinal = f".{parent.children}"
            else:
                ordinal = None
            own = _Level(level, name, ordinal)
            stack.append(own)
            if num and num[0] == 1 and t.single_label and li == 0:
                section = _squash(raw)
            qualifier, name_unit = qual, qunit
        if r.dash or not r.values:
            continue
        unit_text = None
        if r.unit is not None:
            unit_text = _squash(doc.text[r.unit[0]:r.unit[1]])
        for col, path, (vs, ve) in r.values:
            parsed = parse_value(view[vs:ve], cfg)
            if parsed is None:
                continue
            value, vunit = parsed
            entry: dict = {}
            if own is not None:
                entry["name"] = own.name
            elif path:
                entry["name"] = path[0] + (f"（{'/'.join(path[1:-1])}）" if len(path) > 2 else "")
                if len(path) == 1:
                    col = None
            else:
                continue
            entry["value"] = value
            entry["unit"] = unit_text or vunit or name_unit or t.unit
            entry["section"] = section
            entry["indicator"] = _indicator(stack) if own is not None else None
            if col is not None:
                entry["column"] = col
            parents = [x for x in stack[:-1]] if own is not None else []
            if parents and not (parents[-1].level == 1 and t.single_label and parents[-1].name in (section or "")):
                entry["parent"] = parents[-1].name
            if qualifier:
                entry["qualifier"] = qualifier
            start = r.labels[0][0] if r.labels else vs
            entry["span"] = {"page": doc.page_at(start), "start": start, "end": ve}
            out.append(entry)
    return out


def _indicator(stack: list[_Level]) -> str | None:
    """三(一)1 from the numbers of the row and its parents."""
    if not stack or stack[-1].ordinal is None:
        return None
    return "".join(x.ordinal for x in stack if x.ordinal is not None) or None


def _split_name(raw: str, v: str, cfg) -> tuple[str, str | None, str | None]:
    """(name, bracketed qualifier, unit) of an indicator label without its number."""
    m = cfg.prefix.match(v)
    if m:
        raw, v = raw[m.end():], v[m.end():]
    raw_s = _squash(raw)
    v_s = _squash(v)
    qualifier = unit = None
    if v_s.endswith((")", "）")):
        depth = 0
        for k in range(len(v_s) - 1, -1, -1):
            ch = v_s[k]
            if ch in ")）":
                depth += 1
            elif ch in "(（":
                depth -= 1
                if depth == 0:
                    break
        if depth == 0 and k > 0:
            inner = v_s[k + 1:-1]
            if inner in cfg.units or (inner.startswith("单位") and inner.lstrip("单位:") in cfg.units):
                unit = inner.split(":")[-1]
            else:
                qualifier = raw_s[k:]
            raw_s = raw_s[:k]
    return raw_s, qualifier, unit
