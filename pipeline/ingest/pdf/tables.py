"""Ruled tables of a PDF page: pdfplumber finds them, our characters fill the cells.

pdfplumber's ``find_tables`` (its "lines" strategy) is good at turning ruling lines
into cells but costs a full pdfminer parse of the page (~25 ms), so it runs only on
pages whose objects include ruling lines in both directions (``chars.Probe.ruled``).
The cell texts come from the same characters as the prose (PDFium's), so the table
text and the prose never disagree.
"""
from __future__ import annotations

from collections import defaultdict

from .layout import Table, group_lines, is_bold, join_lines, line_text


def find(plumber_page) -> list:
    """pdfplumber's tables of one page (the lines strategy: cells from ruling lines only,
    so the page's characters play no part)."""
    return plumber_page.find_tables()


def _cell_text(chars: list[dict]) -> str:
    text = ""
    for ln in group_lines(chars):
        t, _ = line_text(ln)
        text = join_lines(text, t.strip())
    return text


def read_tables(found, chars: list[dict], page: int) -> tuple[list[Table], list[dict]]:
    """Cut the characters inside tables out of ``chars``; return tables and the rest."""
    tables: list[Table] = []
    boxes = []
    for t in found:
        rows = [r for r in t.rows]
        ncols = max((len(r.cells) for r in rows), default=0)
        if not rows or ncols == 0 or (len(rows) == 1 and ncols == 1):
            continue                       # a frame around text is prose, not a table
        boxes.append((t, rows, ncols))
    if not boxes:
        return [], chars
    rest = []
    per_cell: dict[tuple[int, int, int], list[dict]] = defaultdict(list)
    for c in chars:
        mx, my = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        placed = False
        for ti, (t, rows, _) in enumerate(boxes):
            x0, top, x1, bottom = t.bbox
            if not (x0 <= mx <= x1 and top <= my <= bottom):
                continue
            # row boxes overlap where a cell spans rows: test the cells themselves
            for ri, r in enumerate(rows):
                if not (r.bbox[1] <= my <= r.bbox[3]):
                    continue
                ci = next((ci for ci, cell in enumerate(r.cells)
                           if cell and cell[0] <= mx <= cell[2] and cell[1] <= my <= cell[3]), None)
                if ci is not None:
                    per_cell[(ti, ri, ci)].append(c)
                    placed = True
                    break
            break                            # text in no cell stays prose: nothing is lost
        if not placed:
            rest.append(c)
    for ti, (t, rows, ncols) in enumerate(boxes):
        texts = [[_cell_text(per_cell.get((ti, ri, ci), [])) for ci in range(ncols)]
                 for ri in range(len(rows))]
        # drop empty rows (pdfplumber sometimes finds rows of nothing)
        keep = [i for i, row in enumerate(texts) if any(row)]
        if not keep:
            continue
        first = [c for ci in range(ncols) for c in per_cell.get((ti, keep[0], ci), [])]
        edges = sorted({round(cell[0]) for r in rows for cell in r.cells if cell})
        x0, top, x1, bottom = t.bbox
        tables.append(Table(
            page=page, top=top, bottom=bottom, x0=x0, x1=x1, edges=edges,
            rows=[texts[i] for i in keep],
            bold_first=bool(first) and sum(map(is_bold, first)) > 0.6 * len(first),
        ))
    return tables, rest

