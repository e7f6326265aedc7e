"""Task tables: one task per data row (rules: rules/tables.yml).

A work plan often lists its tasks as a table (序号 | 工作任务 | 具体要求 | 责任单位 |
完成时限). Ingest gives every row as a ``table_row`` block; a table becomes a task
table when one of its first rows is a header naming a task column and a unit or
deadline column. Each data row is then a task whose span is the row block and whose
``row`` maps column roles to the span of the cell's text in the view.

Handled shapes:

* the header flag missing (the header is found by its words, up to
  ``header_search_rows`` rows down; a two-row header such as 责任单位 over
  牵头单位 | 配合单位 takes the deeper row);
* group rows (one cell, or one filled cell, spanning the table: ``（一）提升…``) and a
  group column (类别 / 领域): they join the task's path;
* rows with fewer cells than the header (a horizontal merge collapsed into one cell):
  cells up to the task column align left, the rest right;
* a vertically merged cell that a PDF leaves empty in the rows below its first one
  (HTML and DOCX ingest repeat the text): unit, deadline and group cells are carried
  down within a group;
* a row broken by a page break: an empty number cell and a task cell that continues
  the previous row's sentence; it is merged into the previous task;
* a repeated header row on a new page is skipped.

``row_facts`` parses a row: unit columns as unit lists (the column gives the role; a
cell may still say ``A牵头，B配合`` or ``牵头单位：…``), the deadline column with the
deadline rules, and deadlines, thresholds and in-sentence unit assignments in the task,
requirement and note cells.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Document, Fact
from ..normalize import match_view
from ..rules import RuleSet, register_schema, rule_list_schema
from ..structure import Node, classify
from . import units as units_mod
from .tasks import Task

ROLES = ("number", "task", "requirement", "division", "lead", "co", "responsible", "person", "deadline",
         "group", "note", "other")
UNIT_ROLES = ("lead", "co", "responsible")
TEXT_ROLES = ("task", "requirement", "division", "note")

register_schema(
    "tables.yml",
    rule_list_schema(
        {"role": {"enum": list(ROLES)}, "pattern": {"type": "string"}},
        required=("name", "role", "pattern"),
        top={
            "task_roles": {"type": "array", "items": {"enum": list(ROLES)}},
            "evidence_roles": {"type": "array", "items": {"enum": list(ROLES)}},
            "sentence_end": {"type": "string"},
            "header_search_rows": {"type": "integer", "minimum": 1},
            "subject_predicate_pattern": {"type": "string"},
        },
    ),
)

_WS = re.compile(r"[\s\u00a0\u3000]+")
_NUMBER_CELL = re.compile(r"^\s*[\(（]?\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*[\)）.、．]?\s*$")
_TITLE_END = re.compile(r"[。;；!！?？]")


def _squash(text: str) -> str:
    return _WS.sub("", text)


@dataclass
class _Config:
    rules: list[tuple[str, str, re.Pattern]]        # (name, role, compiled pattern)
    task_roles: set[str]
    evidence_roles: set[str]
    sentence_end: str
    header_rows: int
    subject_predicate: re.Pattern | None


@lru_cache(maxsize=4)
def _config(rules: RuleSet) -> _Config:
    cfg = rules.get("tables.yml") or {}
    return _Config(
        rules=[(r["name"], r["role"], rules.regex(r["pattern"])) for r in cfg.get("rules", [])],
        task_roles=set(cfg.get("task_roles", ["task", "requirement"])),
        evidence_roles=set(cfg.get("evidence_roles", ["lead", "co", "responsible", "deadline"])),
        sentence_end=cfg.get("sentence_end", "。;；!！?？"),
        header_rows=cfg.get("header_search_rows", 4),
        subject_predicate=rules.regex(cfg["subject_predicate_pattern"]) if cfg.get("subject_predicate_pattern") else None,
    )


_BRACKETED = re.compile(r"[\(（〔【\[][^()（）〔〕【】\[\]]{0,12}[\)）〕】\]]")
# Roles a longer header cell may be given by a word inside it (工作任务及目标 → task,
# 牵头单位及责任人 → lead); never person/group/other, whose words are too common.
_SEARCH_ROLES = ("number", "lead", "co", "responsible", "deadline", "task", "division", "requirement", "note")


def header_role(cell: str, rules: RuleSet) -> str | None:
    """The column role a header cell names, or None. The whole cell must be a header
    word (notes in brackets aside: 完成时限（年月）); failing that, a cell of up to
    10 characters takes the first role whose word it contains."""
    key = _squash(match_view(cell))
    key = _BRACKETED.sub("", key) or key
    if not key or len(key) > 16:
        return None
    rules_ = _config(rules).rules
    for _, role, rx in rules_:
        if rx.fullmatch(key):
            return role
    if len(key) <= 10:
        for _, role, rx in rules_:
            if role in _SEARCH_ROLES and rx.search(key):
                return role
    return None


def _header_roles(cells: list[str], rules: RuleSet) -> list[str | None] | None:
    """Roles of a header row, or None when the row is not a header (fewer than two
    cells name a role, or a filled cell names none and is long)."""
    roles = [header_role(c, rules) for c in cells]
    named = sum(1 for r in roles if r)
    filled = sum(1 for c in cells if c.strip())
    if named < 2 or named < filled - 1:
        return None
    return roles


# --------------------------------------------------------------------------- tables

@dataclass
class _Row:
    block: int
    cells: list[str]
    spans: list[tuple[int, int]]       # each cell's text span in the document


def _cell_spans(doc: Document, i: int) -> list[tuple[int, int]]:
    """Spans of the cells of table_row block i (cells are tab-joined in its text)."""
    b = doc.blocks[i]
    cells = b.cells or [b.text]
    out, pos = [], b.start
    if "\t".join(cells) == b.text:
        for c in cells:
            out.append((pos, pos + len(c)))
            pos += len(c) + 1
        return out
    # Text and cells disagree (an ingest edited one of them): find each cell in order.
    text = b.text
    cur = 0
    for c in cells:
        k = text.find(c, cur) if c else -1
        if k < 0:
            out.append((b.start + cur, b.start + cur))
        else:
            out.append((b.start + k, b.start + k + len(c)))
            cur = k + len(c)
    return out


def _trim(view: str, s: int, e: int) -> tuple[int, int]:
    while s < e and view[s] in " \t\n\u3000\u00a0":
        s += 1
    while e > s and view[e - 1] in " \t\n\u3000\u00a0":
        e -= 1
    return s, e


def tables_of(doc: Document) -> dict[int, list[int]]:
    """Table index → block indexes of its rows, in order."""
    out: dict[int, list[int]] = {}
    for i, b in enumerate(doc.blocks):
        if b.kind == "table_row":
            out.setdefault(b.table if b.table is not None else -1 - i, []).append(i)
    return out


def _node_paths(root: Node) -> dict[int, list[str]]:
    """Block index → the section path of the node whose body holds it."""
    out: dict[int, list[str]] = {}
    for node in root.walk():
        path = node.path()
        for i in node.body:
            out[i] = path
    return out


def find_table_tasks(doc: Document, view: str, root: Node, rules: RuleSet,
                     regions: list[tuple[int, int]] | None = None) -> list[Task]:
    """One task per data row of every task table of the document, real or flattened
    to one cell per line. ``regions`` (if given) receives the (start, end) of each
    task table, header and group rows included: prose tasks found there are the
    table's cells read as paragraphs."""
    cfg = _config(rules)
    paths = _node_paths(root)
    tasks: list[Task] = []
    previous: tuple[int, list[str | None]] | None = None    # the last task table: its end, its columns
    for _, blocks in sorted(tables_of(doc).items(), key=lambda kv: kv[1][0]):
        rows = [_Row(i, list(doc.blocks[i].cells or [doc.blocks[i].text]), _cell_spans(doc, i)) for i in blocks]
        head = _find_header(doc, rows, rules, cfg)
        if head is None and previous is not None and _table_carries_on(doc, previous, blocks[0], rows):
            head = (-1, previous[1])     # a task table continued on the next page, its header not repeated
        if head is None:
            continue
        k, roles = head
        previous = (blocks[-1], roles)
        base_path = list(paths.get(blocks[0], []))
        tasks += _rows_to_tasks(doc, view, rows[k + 1:], roles, base_path, rules, cfg)
        if regions is not None:
            regions.append((doc.blocks[blocks[0]].start, doc.blocks[blocks[-1]].end))
    for found, region in _flat_task_tables(doc, view, rules, cfg, paths):
        tasks += found
        if regions is not None:
            regions.append(region)
    tasks.sort(key=lambda t: t.start)
    return tasks


# -- tables flattened to one cell per line ---------------------------------------------

_ROW_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.、]?\s*$")
_GROUP_STYLES = ("cn-dun", "cn-paren", "chapter", "section-jie")
_DEADLINE_HINT = re.compile(r"(长期|持续|常态|年底|年内|月底|季度|半年|每[年月季周日]|\d{4}年|\d{1,2}月|前$|以前|之前|完成|底前)")


def _flat_task_tables(doc, view, rules, cfg, paths):
    """Task tables a scraper flattened to one cell per line: a run of lines naming
    columns (序号 / 目标任务 / 牵头单位 / 责任单位 …, the number column first), then rows
    opened by their number (1, 2, 3 …) with group lines (一、…) between them. Empty
    cells are gone, so a row's lines are placed by what they hold: its first line is
    the task, a list of unit names goes to the next unit column, a time limit to the
    deadline column, further text to the requirement column or the task."""
    from .tasks import _patterns

    end_body = _patterns(rules, "end_of_body")
    blocks = doc.blocks
    n = len(blocks)
    i = 0
    while i < n:
        roles: list[str] = []
        j = i
        while j < n and blocks[j].kind != "table_row":
            r = header_role(view[blocks[j].start:blocks[j].end], rules)
            if r is None:
                break
            roles.append(r)
            j += 1
        have = set(roles)
        if not (len(roles) >= 3 and roles[0] == "number" and have & cfg.task_roles and have & cfg.evidence_roles):
            i = max(j, i + 1)
            continue
        rows, groups_at, k = _flat_rows(doc, view, j, rules, end_body)
        if rows:
            base = list(paths.get(i, []))
            found = [_flat_task(doc, view, r, roles[1:], base + g, rules) for r, g in zip(rows, groups_at)]
            yield [t for t in found if t is not None], (blocks[i].start, blocks[k - 1].end)
        i = k


def _flat_rows(doc, view, j, rules, end_body):
    """Rows (lists of block indexes, number line first) from block j on, the group path
    of each, and the index of the first block after the table."""
    blocks = doc.blocks
    rows: list[list[int]] = []
    groups_at: list[list[str]] = []
    groups: list[tuple[str, str]] = []
    last_no = 0
    k = j
    while k < len(blocks) and blocks[k].kind != "table_row":
        b = blocks[k]
        v = view[b.start:b.end].strip()
        if any(p.search(v) for p in end_body):
            break
        m = _ROW_NUMBER.match(v)
        if m and int(m.group(1)) == last_no + 1:
            last_no += 1
            rows.append([k])
            groups_at.append([g for _, g in groups])
            k += 1
            continue
        hit = classify(v, rules)
        if hit and hit[0] in _GROUP_STYLES and (not rows or len(rows[-1]) > 1):
            for x, (st, _) in enumerate(groups):
                if st == hit[0]:
                    del groups[x:]
                    break
            t = _TITLE_END.search(v)
            groups.append((hit[0], doc.text[b.start:b.start + (t.start() if t else len(b.text))].strip()))
            k += 1
            continue
        if not rows:
            if groups:
                k += 1                      # text under a group line before the first row
                continue
            break
        rows[-1].append(k)
        k += 1
    return rows, groups_at, k


def _flat_task(doc, view, row: list[int], roles: list[str], path: list[str], rules) -> Task | None:
    lines = row[1:]
    if not lines:
        return None
    m = units_mod.matcher(rules)
    spans = [_trim(view, doc.blocks[i].start, doc.blocks[i].end) for i in lines]
    text_roles = [r for r in roles if r in ("task", "requirement", "division", "note")]
    unit_roles = [r for r in roles if r in UNIT_ROLES]
    out: dict[str, tuple[int, int]] = {}
    last_text = None
    for n, (s, e) in enumerate(spans):
        v = view[s:e]
        items = m.split_list(v.rstrip("。;；,，"), s, accept_bare=False)
        unitish = bool(items) or m.is_collective(v)
        if n == 0 and text_roles:
            role = text_roles.pop(0)
        elif unitish and unit_roles:
            role = unit_roles.pop(0)
        elif "deadline" in roles and "deadline" not in out and len(v) <= 30 and _DEADLINE_HINT.search(v):
            role = "deadline"
        elif "person" in roles and "person" not in out and len(v) <= 12 and not unitish:
            role = "person"
        elif text_roles and text_roles[0] != "note":
            role = text_roles.pop(0)
        else:
            role = None
        if role is None:
            if last_text is None:
                continue
            key, c = f"{last_text}:cont", 1
            while key in out:
                c += 1
                key = f"{last_text}:cont{c}"
            out[key] = (s, e)
            continue
        out[role] = (s, e)
        if role in TEXT_ROLES:
            last_text = role
    if not any(base_role(k) in ("task", "requirement", "division") for k in out):
        return None
    start = doc.blocks[row[0]].start
    return Task(path, start, doc.blocks[row[-1]].end, [], "table", out)


def _table_carries_on(doc: Document, previous: tuple[int, list[str | None]], first: int, rows: list[_Row]) -> bool:
    """A headerless table right after a task table (nothing between them but page
    furniture) with that table's number of columns carries on its rows."""
    end, roles = previous
    between = doc.blocks[end + 1:first]
    return len(between) <= 3 and all(len(b.text.strip()) <= 12 for b in between) \
        and all(len(r.cells) == len(roles) for r in rows)


def _find_header(doc, rows: list[_Row], rules, cfg) -> tuple[int, list[str | None]] | None:
    """(index of the last header row, column roles) of a task table, else None."""
    found = None
    for k, r in enumerate(rows[: cfg.header_rows]):
        roles = _header_roles(r.cells, rules)
        if roles is None:
            if found is not None:
                break
            continue
        have = {x for x in roles if x}
        if found is None and not (have & cfg.task_roles and have & cfg.evidence_roles):
            # A first header row without the task/evidence columns may be completed by
            # a second one (责任单位 over 牵头单位 | 配合单位): keep looking.
            if k + 1 < len(rows) and _header_roles(rows[k + 1].cells, rules):
                merged = _merge_header(roles, _header_roles(rows[k + 1].cells, rules))
                mh = {x for x in merged if x}
                if mh & cfg.task_roles and mh & cfg.evidence_roles:
                    found = (k + 1, merged)
                    break
            continue
        if found is None:
            found = (k, roles)
        else:
            found = (k, _merge_header(found[1], roles))
    return found


def _merge_header(upper: list[str | None], lower: list[str | None]) -> list[str | None]:
    """Two header rows: the deeper row's roles where it names one (its cell count wins)."""
    if len(lower) >= len(upper):
        if len(lower) == len(upper):
            return [lo or up for up, lo in zip(upper, lower)]
        return lower
    return upper


def _align(cells_len: int, roles: list[str | None]) -> list[int]:
    """Column index of each cell of a row with ``cells_len`` cells."""
    n = len(roles)
    if cells_len > n and n > 1 and roles[0] in ("task", "requirement", "division") \
            and roles[-1] in ("lead", "co", "responsible", "deadline"):
        # a header whose first cell spans several columns (考评内容 over group | item | text):
        # the rest align right, and the leading cells all fall in its column, the innermost last
        extra = cells_len - n
        return [0] * (extra + 1) + list(range(1, n))
    if cells_len >= n:
        return list(range(cells_len))
    # A collapsed horizontal merge: cells up to the task column align left, the rest right.
    try:
        t = next(j for j, r in enumerate(roles) if r in ("task", "requirement", "division"))
    except StopIteration:
        t = 0
    left = min(t + 1, cells_len)
    right = cells_len - left
    return list(range(left)) + list(range(n - right, n))


def _rows_to_tasks(doc, view, rows: list[_Row], roles, base_path, rules, cfg) -> list[Task]:
    tasks: list[Task] = []
    groups: list[tuple[str, str]] = []          # (numbering style, text) of group rows
    carried: dict[int, tuple[int, int]] = {}      # column → span carried down (PDF merges)
    prev: Task | None = None
    prev_cols: dict[int, tuple[int, int]] = {}
    task_cols = [j for j, r in enumerate(roles) if r in ("task", "requirement", "division")]
    num_col = next((j for j, r in enumerate(roles) if r == "number"), None)
    group_units: list[tuple[str, tuple[int, int]]] = []   # a group row's 责任处室：X, for its rows
    for r in rows:
        if _header_roles(r.cells, rules) is not None:
            continue                                # a header repeated on a new page
        filled = [j for j, c in enumerate(r.cells) if c.strip()]
        if not filled:
            continue
        cols = _align(len(r.cells), roles)
        cell_at: dict[int, tuple[int, int]] = {}
        for ci, col in enumerate(cols):
            if ci < len(r.spans) and col < len(roles):
                s, e = _trim(view, *r.spans[ci])
                if e > s:
                    cell_at[col] = (s, e)
        full_width = len(r.cells) >= len(roles)
        # A row broken by a page break: no number, task text continuing mid-sentence.
        page, prev_page = doc.blocks[r.block].page, (doc.page_at(prev.end) if prev is not None else None)
        if (prev is not None and full_width and page is not None and prev_page is not None and page > prev_page
                and (num_col is None or num_col not in cell_at)
                and _continues(view, prev_cols, cell_at, task_cols, cfg)):
            prev.end = max(prev.end, doc.blocks[r.block].end)
            for col, span in sorted(cell_at.items()):
                base = roles[col] if col < len(roles) else None
                if base is None or base == "other":
                    continue
                key, n = f"{base}:cont", 1
                while key in prev.row:
                    n += 1
                    key = f"{base}:cont{n}"
                prev.row[key] = span
            continue
        # A group row: one text across the row (a merged cell, or the first cell alone).
        distinct = {_squash(r.cells[j]) for j in filled}
        s, e = _trim(view, *r.spans[filled[0]])
        text = view[s:e]
        hit = classify(text, rules)
        # In a full-width row, a lone first cell is a group heading only if it reads as
        # one (一、 / (一) numbering, or short and no sentence); else it is a task whose
        # other cells are empty.
        heading_like = (hit is not None and hit[0] in _GROUP_STYLES) or (
            len(text) <= 30 and not _TITLE_END.search(text))
        if (len(distinct) == 1 and not _NUMBER_CELL.match(r.cells[filled[0]])
                and (not full_width or (filled[0] == 0 and heading_like))):
            style = hit[0] if hit else "unnumbered"
            for n, (st, _) in enumerate(groups):
                if st == style:
                    del groups[n:]
                    break
            m = _TITLE_END.search(text)
            groups.append((style, doc.text[s:s + (m.start() if m else len(text))].strip()))
            carried.clear()
            prev = None
            group_units = _labelled_units(view, s, e, rules)
            continue
        if not any(c in cell_at for c in task_cols):
            continue                                # no task text: a total, a blank row
        if doc.format == "pdf":
            # PDF leaves a vertically merged cell empty below its first row.
            for col, role in enumerate(roles):
                if role in (*UNIT_ROLES, "deadline", "group", "number", "task"):
                    if col in cell_at:
                        carried[col] = cell_at[col]
                    elif col in carried:
                        cell_at[col] = carried[col]
        row: dict[str, tuple[int, int]] = {}
        for col in sorted(cell_at):
            k = _role_key(roles, col, row)
            if k is not None:
                row[k] = cell_at[col]
        for n, (role, span) in enumerate(group_units, 1):
            row[f"{role}:group{n}"] = span
        path = list(base_path) + [g for _, g in groups]
        for col in sorted(cell_at):
            if roles[col] == "group":
                s, e = cell_at[col]
                path.append(doc.text[s:e].strip())
        b = doc.blocks[r.block]
        t = Task(path, b.start, b.end, [], "table", row)
        tasks.append(t)
        prev, prev_cols = t, cell_at
    return tasks


_FIELD_VALUE = re.compile(r"[^\s:]+(?:[、,][^\s:]+)*")


def _labelled_units(view: str, s: int, e: int, rules: RuleSet) -> list[tuple[str, tuple[int, int]]]:
    """(role, span) of each unit label in a group row (分管局领导：某某  责任处室：政策法规处  …):
    a tracking table's block header names the unit of every row under it. A label's value
    ends at the next space; a person label (…领导) names no unit."""
    m = units_mod.matcher(rules)
    out = []
    for hit in m.label_rx.finditer(view, s, e):
        label = re.sub(r"\s+", "", hit.group("label"))
        value = _FIELD_VALUE.match(view, hit.end(), e)
        if label in m.labels and "领导" not in label and value:
            out.append((m.labels[label], value.span()))
    return out


def _role_key(roles, col, row: dict) -> str | None:
    role = roles[col] if col < len(roles) else None
    if role is None or role == "other":
        return None
    k, n = role, 1
    while k in row:
        n += 1
        k = f"{role}:{n}"
    return k


def _continues(view, prev_cols, cell_at, task_cols, cfg) -> bool:
    """The row continues the previous row's task text mid-sentence."""
    tc = [c for c in task_cols if c in cell_at]
    if not tc:
        return False
    c = tc[0]
    if c not in prev_cols:
        return False
    ps, pe = prev_cols[c]
    last = view[pe - 1] if pe > ps else ""
    return bool(last) and last not in cfg.sentence_end


# --------------------------------------------------------------------------- facts

def base_role(key: str) -> str:
    return key.split(":", 1)[0]


def row_facts(view: str, task: Task, rules: RuleSet, doc_date: dt.date | None) -> list[Fact]:
    """Units, deadlines and thresholds of a table task, read cell by cell."""
    from . import deadlines, thresholds

    facts: list[Fact] = []
    row = task.row or {}
    for key, (s, e) in row.items():
        role = base_role(key)
        if role in UNIT_ROLES:
            facts += cell_units(view, s, e, role, rules)
    # Every occurrence counts, as in prose: a limit in the 完成时限 cell that the task
    # text repeats gives two deadlines, each quoting its own cell.
    for key, (s, e) in row.items():
        role = base_role(key)
        # a category cell can be a schedule too (新引进计划年内开工)
        if role in ("deadline", "group") or role in TEXT_ROLES:
            facts += _shift(deadlines.find_deadlines(view[s:e], rules, doc_date), s)
        if role in TEXT_ROLES:
            facts += _shift(thresholds.find_thresholds(view[s:e], rules), s)
            # Units the task text itself binds with a role word (由X牵头, X负责…), and
            # in a division-of-labour cell (任务分工) the units opening its clauses.
            found = units_mod.find_units(view, [(s, e)], rules)
            if role == "division":
                found += clause_subjects(view, s, e, rules)
            names = {f.data["unit"] for f in facts if f.kind == "unit"}
            for f in found:
                if f.data["unit"] not in names:
                    names.add(f.data["unit"])
                    facts.append(f)
    return _dedupe(facts)


_CLAUSE_START = re.compile(r"(?:^|(?<=[。;；,，:：\n]))\s*")


def clause_subjects(view: str, s: int, e: int, rules: RuleSet) -> list[Fact]:
    """Named units opening a clause of a division-of-labour cell and followed by what they
    are to do (综合管理部围绕…; 产业发展部、规划建设部要按要求完成…): role responsible.
    Collective subjects (各部门, 相关部门) are not assignments."""
    cfg = _config(rules)
    if cfg.subject_predicate is None:
        return []
    m = units_mod.matcher(rules)
    text = view[s:e]
    out: list[Fact] = []
    for cm in _CLAUSE_START.finditer(text):
        c0 = cm.end()
        best = None
        for pm in cfg.subject_predicate.finditer(text, c0, min(len(text), c0 + 120)):
            head = text[c0:pm.start()]
            if not head or re.search(r"[。;；,，:：\n]", head):
                break
            items = m.split_list(head, s + c0, accept_bare=False)
            if items and not any(m.is_collective(n) for *_, n, _ in items):
                best = items
                break
        if best:
            out += units_mod._facts_for_list(m, best, "responsible", "table-requirement-subject")
    return out


_ROLE_BRACKET = re.compile(r"^(?P<name>.+?)\s*[\(（〔【\[](?P<word>[^()（）〔〕【】\[\]]{1,6})[\)）〕】\]]$")


def cell_units(view: str, s: int, e: int, column_role: str, rules: RuleSet) -> list[Fact]:
    """Units of one unit-column cell. Every unit takes the column's role unless the
    cell itself says otherwise: a label (牵头单位：…), a role verb after a list
    (A、B牵头，C配合), or a role word in brackets after a name (市发改委（牵头）)."""
    m = units_mod.matcher(rules)
    content = _join_wrapped_names(view[s:e], m)
    facts: list[Fact] = []
    labels = list(m.label_rx.finditer(content))
    if labels and not content[: labels[0].start()].strip(" ,;，；、\n"):
        for k, lab in enumerate(labels):
            seg_end = labels[k + 1].start() if k + 1 < len(labels) else len(content)
            seg = content[lab.end():seg_end]
            role = m.labels[lab.group("label")]
            facts += _list_facts(m, seg, s + lab.end(), role, "table-cell-label")
        return facts
    pending: list[tuple[int, int]] = []
    for cs, ce in units_mod._top_level_split(content, re.compile(r"[,;，；。\n]")):
        clause = content[cs:ce].rstrip(" 。;；,，、")
        vm = m.verb_tail.search(clause)
        if vm and vm.start() > 0:
            role = m.roles[vm.group("verb")]
            mod = vm.group("mod") or ""
            for ps, pe in pending:
                facts += _list_facts(m, content[ps:pe], s + ps, role, "table-cell-verb", each=mod in m.each_words)
            pending = []
            facts += _list_facts(m, clause[: vm.start()], s + cs, role, "table-cell-verb",
                                 each=mod in m.each_words, jointly=mod in m.jointly_words)
        else:
            pending.append((cs, cs + len(clause)))
    for ps, pe in pending:
        facts += _list_facts(m, content[ps:pe], s + ps, column_role, "table-column")
    return facts


_WRAP = "\ue000"     # stands for a line break inside a name (same length, no separator)


def _join_wrapped_names(content: str, m) -> str:
    """A cell's line break inside a name (扶贫开发⏎指导处, a narrow column) is no separator: where
    the line before it is no unit and the two lines together are one, it is marked _WRAP."""
    if "\n" not in content:
        return content
    out = list(content)
    pieces = re.split(r"([、,;，；。\n])", content)
    pos = 0
    for k in range(0, len(pieces) - 2, 2):
        left, sep, right = pieces[k].strip(), pieces[k + 1], pieces[k + 2].strip()
        pos += len(pieces[k])
        if sep == "\n" and left and right and not m.is_unit(left) and m.is_unit(left + right):
            out[pos] = _WRAP
        pos += 1
    return "".join(out)


def _list_facts(m, text: str, offset: int, role: str, rule: str, each=False, jointly=False) -> list[Fact]:
    text = text.rstrip(" 。;；,，、\n")
    lead = len(text) - len(text.lstrip(" \n"))
    items = m.split_list(text[lead:], offset + lead, accept_bare=True)
    out = []
    prefix = ""
    for st, en, name, joint in items:
        name = name.replace(_WRAP, "")
        r = role
        bm = _ROLE_BRACKET.match(name)
        if bm and bm.group("word") in m.roles:
            r = m.roles[bm.group("word")]
            name = bm.group("name")
            en = st + len(name)
        if len(name) < 2 or not re.search(r"[\u4e00-\u9fff]", name):
            continue
        out.append(units_mod._fact(m, st, en, name, r, rule, each=each, jointly=jointly or joint,
                                   context_prefix=prefix))
        prefix = m.admin_prefix(name) or prefix
    return out


def _shift(facts: list[Fact], offset: int) -> list[Fact]:
    for f in facts:
        f.start += offset
        f.end += offset
    return facts


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen, out = set(), []
    for f in sorted(facts, key=lambda f: (f.start, -f.end)):
        key = (f.kind, f.start, f.end, f.data.get("role"))
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
