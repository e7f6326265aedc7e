"""The ledger as an Excel workbook (openpyxl): 汇总 (every task), one sheet per responsible
unit, and 到期 (one row per dated deadline, soonest first).

Every sheet: frozen header, filters, wrapped text, column widths from the content, dates
as Excel dates, threshold op/value/unit in hidden columns, and text that Excel would read
as a formula (=, +, -, @) stored as text.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Iterable

from .ledger import COLUMNS, FORMULA_START, HIDDEN_COLUMNS, Row, cells, due_rows, unit_sheets

SUMMARY, DUE = "汇总", "到期"
# widest a column may grow (in Latin character widths); long text wraps instead
MAX_WIDTH = {"具体内容": 60, "任务": 30, "文件名称": 30, "来源位置": 28, "需复核": 24}
DEFAULT_MAX_WIDTH = 22
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _width(text: str) -> int:
    # East Asian wide characters take two columns in Excel's default font
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.split("\n")), default=0)


def sheet_title(name: str, taken: set[str]) -> str:
    """A legal, unique sheet name: at most 31 characters, none of []:*?/\\."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "单位"
    title, n = base[:31], 1
    while title in taken:
        n += 1
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title)
    return title


def _fill(ws, table: list[list]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header = list(COLUMNS) + list(HIDDEN_COLUMNS)
    ws.append(header)
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    wrap = Alignment(wrap_text=True, vertical="top")
    for c in ws[1]:
        c.font, c.fill, c.alignment = bold, grey, wrap
    widths = [_width(h) for h in header]
    for values in table:
        ws.append([None] * len(values))
        r = ws.max_row
        for j, v in enumerate(values, 1):
            cell = ws.cell(row=r, column=j)
            cell.value = v
            cell.alignment = wrap
            if isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
                widths[j - 1] = max(widths[j - 1], 10)
            elif isinstance(v, str):
                if v.startswith(FORMULA_START):
                    cell.data_type = "s"          # openpyxl would store "=…" as a formula
                    cell.quotePrefix = True       # and Excel re-read it on edit
                widths[j - 1] = max(widths[j - 1], _width(v))
            else:
                widths[j - 1] = max(widths[j - 1], len(str(v)))
    for j, name in enumerate(header, 1):
        col = ws.column_dimensions[get_column_letter(j)]
        col.width = min(widths[j - 1], MAX_WIDTH.get(name, DEFAULT_MAX_WIDTH)) + 2
        if name in HIDDEN_COLUMNS:
            col.hidden = True
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(ws.max_row, 1)}"


def xlsx_bytes(rows: Iterable[Row], filters=None) -> bytes:
    """The workbook as bytes (the caller writes it atomically)."""
    import io

    from openpyxl import Workbook

    rows = list(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY
    _fill(ws, [cells(r, i) for i, r in enumerate(rows, 1)])
    ws = wb.create_sheet(DUE)
    _fill(ws, [cells(r, i, only=d) for i, (r, d) in enumerate(due_rows(rows, filters), 1)])
    taken = {SUMMARY, DUE}
    for unit, unit_rows in unit_sheets(rows).items():
        ws = wb.create_sheet(sheet_title(unit, taken))
        _fill(ws, [cells(r, i) for i, r in enumerate(unit_rows, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
