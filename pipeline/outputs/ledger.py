"""A task ledger (工作台账) from a folder of records: one row per task.

The rows are what an office tracks: the task's short name and text, units by role,
deadlines paired with the words they came from, thresholds as the text writes them,
where the task is in its source, and why it needs a check. The same document in several
renditions (TXT, HTML, DOCX, PDF of one text) gives its tasks once. Writers for
.xlsx/.csv/.jsonl and .ics live beside this module; this one knows no file format.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from ..normalize import match_view
from . import review

# The order such ledgers use; the last two are left empty for the office.
COLUMNS = ("序号", "文件名称", "文号", "任务", "具体内容", "牵头单位", "配合单位", "责任单位",
           "完成时限", "时限原文", "量化指标", "来源位置", "需复核", "完成情况", "备注")
# For sorting and importing thresholds as numbers; hidden in the workbook.
HIDDEN_COLUMNS = ("指标运算", "指标数值", "指标单位")

PERIOD_CN = {"year": "每年", "half_year": "每半年", "quarter": "每季度", "month": "每月",
             "week": "每周", "day": "每日", "regular": "定期"}
UNIT_CN = {"workday": "个工作日", "day": "日", "hour": "小时", "minute": "分钟", "week": "周",
           "month": "个月", "year": "年"}
# Two renditions of one document read alike at least this much (tests/test_cross_format.py
# holds every seed rendition to the same bound).
SAME_TEXT_RATIO = 0.98
NAME_MAX = 40
# a spreadsheet reads a cell starting with these as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Due:
    """One line of 完成时限 with its 时限原文."""
    text: str                   # as written
    shown: str                  # 完成时限 as words or an ISO date
    date: dt.date | None        # a calendar date (a date deadline, or a relative one resolved)
    kind: str                   # date | relative | duration | recurring | cadence


@dataclass
class Row:
    document: dict              # the record's document block (the rendition kept)
    renditions: list[str]       # sources of every rendition of this document
    task: dict
    name: str
    lead: list[str]
    co: list[str]
    responsible: list[str]
    unit_keys: list[str]        # canonical name, else the simplified name; each unit once
    dues: list[Due]
    thresholds: list[dict]
    location: str
    review: list[str] = field(default_factory=list)   # codes (review.LABELS)

    @property
    def title(self) -> str:
        d = self.document
        return d.get("title") or d.get("enclosed_title") or Path(d.get("source") or "").name

    @property
    def dated(self) -> list[Due]:
        return [d for d in self.dues if d.date is not None]


@dataclass
class Filters:
    unit: str | None = None
    due_before: dt.date | None = None     # inclusive
    due_after: dt.date | None = None      # inclusive
    doc: str | None = None

    def due_ok(self, day: dt.date | None) -> bool:
        return day is not None and ((self.due_before is None or day <= self.due_before)
                and (self.due_after is None or day >= self.due_after))

    def keep(self, row: Row) -> bool:
        if self.unit is not None:
            want = match_view(self.unit).strip()
            names = {match_view(u) for u in row.lead + row.co + row.responsible} | set(row.unit_keys)
            if want not in names:
                return False
        if (self.due_before or self.due_after) and not any(self.due_ok(d.date) for d in row.dated):
            return False
        if self.doc is not None:
            want = match_view(self.doc).strip()
            d = row.document
            hay = [d.get("source"), d.get("title"), d.get("enclosed_title"), d.get("doc_number"), *row.renditions]
            if not any(want in match_view(h) for h in hay if h):
                return False
        return True


# -- reading records ---------------------------------------------------------------------

def read_records(records_dir: str | Path, unreadable: list[str] | None = None) -> Iterator[dict]:
    """Every record under the folder (YAML or JSON), in path order; run reports are skipped.
    A file that does not parse is left out and named in ``unreadable`` (path: reason)."""
    import json

    root = Path(records_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"records folder not found: {root}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for p in sorted(q for q in root.rglob("*") if q.suffix in (".yml", ".yaml", ".json") and q.is_file()):
        try:
            text = p.read_text(encoding="utf-8")
            record = json.loads(text) if p.suffix == ".json" else yaml.load(text, Loader=loader)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            if unreadable is not None:
                unreadable.append(f"{p}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            continue
        if isinstance(record, dict) and isinstance(record.get("tasks"), list) and "document" in record:
            yield record


# -- one document, several renditions -------------------------------------------------------

# A list number LibreOffice or a converter renumbered (1.-3. where the text has 4.-6.)
_ENUMERATOR = re.compile(r"^\s*[（(]?[0-9０-９一二三四五六七八九十百零〇]{1,4}[)）、.．]?")


def _squash(text: str) -> str:
    return "".join(ch for ch in match_view(text) if ch.isalnum())


def _content(record: dict) -> str:
    return "\n".join(_squash(_ENUMERATOR.sub("", t.get("text_simplified") or t["text"], count=1))
                     for t in record["tasks"])


def _title_key(record: dict) -> str:
    return _squash(record["document"].get("title") or "")


def _completeness(record: dict) -> tuple:
    d = record["document"]
    meta = sum(1 for k in ("title", "doc_number", "issued_on", "issuer") if d.get(k))
    facts = sum(len(t.get("responsible") or []) + len(t.get("deadlines") or []) + len(t.get("thresholds") or [])
                for t in record["tasks"])
    return (meta, facts)


def group_renditions(records: Iterable[dict]) -> list[list[dict]]:
    """Records of one document grouped, the most complete rendition first (most metadata,
    then most facts, then source order). One document: the same cleaned simplified task
    text (list numbers aside), or the same title and texts at least SAME_TEXT_RATIO alike
    (a PDF's dropped character); only records with the same title are compared, so a large
    batch costs no pairwise comparison of unrelated documents."""
    groups: list[list[dict]] = []
    by_content: dict[str, list[dict]] = {}
    by_title: dict[str, list[tuple[list[dict], str]]] = {}
    for r in records:
        # a record without tasks has no text to compare: it stands alone
        content = _content(r) if r["tasks"] else f"\0{r['document']['source']}"
        if content in by_content:
            by_content[content].append(r)
            continue
        title = _title_key(r)
        for g, other in by_title.get(title, []) if title and r["tasks"] else []:
            sm = SequenceMatcher(None, other, content, autojunk=False)
            if (sm.real_quick_ratio() >= SAME_TEXT_RATIO and sm.quick_ratio() >= SAME_TEXT_RATIO
                    and sm.ratio() >= SAME_TEXT_RATIO):
                g.append(r)
                by_content[content] = g
                break
        else:
            g = [r]
            groups.append(g)
            by_title.setdefault(title, []).append((g, content))
            by_content[content] = g
    for g in groups:
        g.sort(key=lambda r: (tuple(-x for x in _completeness(r)), r["document"]["source"]))
    return groups


# -- one task -----------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[。；;！!？?\n\t]")
_ONLY_NUMBER = re.compile(r"[\d０-９.．、()（）\s]*")
_HEADING_NUMBER = re.compile(r"\s*(?:第\s*[\d一二三四五六七八九十百零〇]+\s*[条條章节節款]"
                             r"|[（(]?[\d一二三四五六七八九十百零〇]{1,4}[)）、.．]|[一二三四五六七八九十]+是)?\s*")


def short_name(text: str) -> str:
    """The item heading or first clause (a table row: its first cell that is not a number)."""
    pieces = [c.strip() for c in re.split(r"[\t\n]", text) if c.strip()]     # cells, or lines
    pieces = [c for c in pieces if not _ONLY_NUMBER.fullmatch(c)] or [text.strip()]
    first = pieces[0]
    if len(pieces) > 1 and _HEADING_NUMBER.fullmatch(first):     # 二是 on a line of its own
        first += pieces[1]
    clause = _CLAUSE_END.split(first, maxsplit=1)[0].strip() or first
    # a heading run into its body with only a space (六、考核制度 市容办每月…)
    lead = _HEADING_NUMBER.match(clause)
    start = lead.end() if lead else 0
    gap = re.search(r"\s+", clause[start:])
    if gap and gap.start() >= 4:
        clause = clause[:start + gap.start()]
    clause = re.sub(r"\s+", " ", clause)
    if len(clause) > NAME_MAX:
        comma = re.search(r"[，,：:]", clause[6:NAME_MAX])
        clause = clause[:comma.start() + 6] if comma else clause[:NAME_MAX - 1] + "…"
    return clause


def _number(x) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x)


def _iso(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _by(by: str) -> str:
    # recurring deadlines carry their day as "MM-DD" (each year) or "DD" (each month)
    parts = by.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{int(parts[0])}月{int(parts[1])}日前"
    return f"{int(by)}日前" if by.isdigit() else by


def due(d: dict) -> Due:
    kind = d.get("type") or "cadence"
    amount = _number(d.get("amount")) if d.get("amount") is not None else ""
    unit = UNIT_CN.get(d.get("unit") or "", d.get("unit") or "")
    day: dt.date | None = None
    if kind == "date":
        day = _iso(d.get("date"))
        shown = day.isoformat() if day else "日期不明"
    elif kind == "relative":
        day = _iso(d.get("resolved"))
        shown = day.isoformat() if day else f"{d.get('anchor') or ''}{amount}{unit}内"
    elif kind == "duration":
        shown = f"{amount}{unit}内（时长）"
    elif kind == "recurring":
        shown = f"{PERIOD_CN.get(d.get('period') or '', d['text'])}{_by(str(d['by'])) if d.get('by') else ''}（周期）"
    else:
        shown = f"{PERIOD_CN.get(d.get('period') or '', d['text'])}（频次）"
    return Due(text=d["text"], shown=shown, date=day, kind=kind)


def threshold_text(x: dict) -> str:
    return x["text"]


def threshold_value(x: dict) -> str:
    v = x.get("value")
    return "–".join(_number(a) for a in v) if isinstance(v, list) else _number(v)


def location(document: dict, task: dict) -> str:
    span = task.get("span") or {}
    where = [document.get("source") or ""]
    if span.get("page"):
        where.append(f"第{span['page']}页")
    where.append(f"字符{span.get('start', 0)}–{span.get('end', 0)}")
    return " ".join(where)


def _unit_key(u: dict) -> str:
    return u.get("canonical") or match_view(u["unit"])


def task_row(document: dict, task: dict, renditions: list[str]) -> Row:
    units = task.get("responsible") or []

    def by_role(role: str) -> list[str]:
        return list(dict.fromkeys(u["unit"] for u in units if u.get("role") == role))

    return Row(
        document=document, renditions=renditions, task=task,
        name=short_name(task["text"]),
        lead=by_role("lead"), co=by_role("co"), responsible=by_role("responsible"),
        unit_keys=list(dict.fromkeys(_unit_key(u) for u in units)),
        dues=[due(d) for d in task.get("deadlines") or []] + [due(c) for c in task.get("cadence") or []],
        thresholds=list(task.get("thresholds") or []),
        location=location(document, task),
        review=review.reasons(task, document),
    )


def ledger_rows(records: Iterable[dict], filters: Filters | None = None) -> list[Row]:
    """One row per task of each document (renditions merged), in document then task order."""
    rows: list[Row] = []
    for group in group_renditions(records):
        kept = group[0]
        sources = [r["document"]["source"] for r in group]
        for task in kept["tasks"]:
            row = task_row(kept["document"], task, sources)
            if filters is None or filters.keep(row):
                rows.append(row)
    return rows


def due_rows(rows: Iterable[Row], filters: Filters | None = None) -> list[tuple[Row, Due]]:
    """(row, dated deadline) pairs sorted by date: the 到期 sheet and the calendar."""
    pairs = [(r, d) for r in rows for d in r.dated if filters is None or filters.due_ok(d.date)]
    pairs.sort(key=lambda p: (p[1].date, p[0].title, p[0].task["id"]))
    return pairs


def cells(row: Row, seq: int, only: Due | None = None) -> list:
    """The row's values in COLUMNS + HIDDEN_COLUMNS order. 完成时限 is a date when the row
    has one deadline and it is dated (or ``only`` names one), else one line per deadline,
    each line paired with the same line of 时限原文."""
    dues = [only] if only is not None else row.dues
    if len(dues) == 1 and dues[0].date is not None:
        when: object = dues[0].date
    else:
        when = "\n".join(d.shown for d in dues)
    th = row.thresholds
    return [
        seq, row.title, row.document.get("doc_number") or "", row.name, row.task["text"],
        "、".join(row.lead), "、".join(row.co), "、".join(row.responsible),
        when, "\n".join(d.text for d in dues),
        "\n".join(threshold_text(x) for x in th),
        row.location, "；".join(review.label(c) for c in row.review), "", "",
        "\n".join(x.get("op") or "" for x in th), "\n".join(threshold_value(x) for x in th),
        "\n".join(x.get("unit") or "" for x in th),
    ]


def unit_sheets(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Rows per responsible unit (canonical name where the alias table gives one), units
    with most tasks first."""
    by_unit: dict[str, list[Row]] = {}
    for r in rows:
        for k in r.unit_keys:
            by_unit.setdefault(k, []).append(r)
    return dict(sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0])))
