"""Ruled tables of a PDF page: pdfplumber's table finder on PDFium's ruling lines,
our characters fill the cells.

pdfplumber's ``TableFinder`` (its "lines" strategy) is good at turning ruling lines into
cells. Fed by pdfplumber itself it costs a full pdfminer parse of the page (~25-80 ms);
here it is fed the edges of PDFium's path objects instead (the same edges pdfminer
would give: each straight segment of a path, a rectangle's four sides), and only on
pages whose objects include ruling lines in both directions (``chars.Probe.ruled``).
The cell texts come from the same characters as the prose (PDFium's), so the table
text and the prose never disagree.
"""
from __future__ import annotations

import ctypes
from collections import defaultdict

import pypdfium2.raw as raw

from .layout import Table, group_lines, is_bold, join_lines, line_text


def find(page) -> list:
    """Tables of a pypdfium2 page, as pdfplumber ``Table`` objects (``bbox``, ``rows``)."""
    left, _, _, top = page.get_mediabox()
    edges: list[dict] = []
    _edges(raw.FPDFPage_CountObjects(page.raw), lambda k: raw.FPDFPage_GetObject(page.raw, k),
           (1, 0, 0, 1, 0, 0), left, top, edges, 0)
    return _tables(_EdgePage(edges, page.get_size()))


def _tables(page: "_EdgePage") -> list:
    """pdfplumber's ``TableFinder`` steps (edges merged, intersections, cells, tables)
    with its cell search replaced by ``_cells``, which gives the same cells."""
    from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

    finder = TableFinder.__new__(TableFinder)      # its __init__ would run the slow cell search
    finder.page = page
    finder.settings = TableSettings.resolve({})
    edges = finder.get_edges()
    st = finder.settings
    points = edges_to_intersections(edges, st.intersection_x_tolerance, st.intersection_y_tolerance)
    return [Table(page, group) for group in cells_to_tables(_cells(points))]


def _cells(points: dict) -> list[tuple]:
    """The smallest rectangle for each intersection as its top-left corner, as pdfplumber's
    ``intersections_to_cells`` finds it (a corner's right and lower neighbours joined to it
    and to the opposite corner by a common edge), with each corner's edge boxes made into
    sets once instead of on every comparison (75 % of the table time on ruled pages)."""
    def boxes(p, kind):
        key = (p, kind)
        got = sets.get(key)
        if got is None:
            got = sets[key] = {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in points[p][kind]}
        return got

    def connects(p, q) -> bool:
        if p[0] == q[0] and not boxes(p, "v").isdisjoint(boxes(q, "v")):
            return True
        return p[1] == q[1] and not boxes(p, "h").isdisjoint(boxes(q, "h"))

    sets: dict = {}
    order = sorted(points)
    same_x: dict = defaultdict(list)
    same_y: dict = defaultdict(list)
    for k, p in enumerate(order):
        same_x[p[0]].append(k)
        same_y[p[1]].append(k)
    cells = []
    for k, pt in enumerate(order[:-1]):
        below = [order[j] for j in same_x[pt[0]] if j > k]
        right = [order[j] for j in same_y[pt[1]] if j > k]
        found = None
        for b in below:
            if not connects(pt, b):
                continue
            for r in right:
                if not connects(pt, r):
                    continue
                corner = (r[0], b[1])
                if corner in points and connects(corner, r) and connects(corner, b):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


class _EdgePage:
    """What TableFinder reads from a page with the lines strategy: its edges."""

    def __init__(self, edges: list[dict], size: tuple[float, float]):
        self.edges = edges
        self.bbox = (0, 0, size[0], size[1])


def _mul(m, n):
    """Matrix product m·n of PDF matrices (a, b, c, d, e, f): m applied first."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _edges(n: int, get, ctm, left: float, top: float, out: list[dict], depth: int) -> None:
    m = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(n):
        obj = get(k)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            continue
        own = (m.a, m.b, m.c, m.d, m.e, m.f) if raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)) \
            else (1, 0, 0, 1, 0, 0)
        mat = _mul(own, ctm)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            if depth < 8:
                _edges(raw.FPDFFormObj_CountObjects(obj),
                       lambda j, o=obj: raw.FPDFFormObj_GetObject(o, j), mat, left, top, out, depth + 1)
            continue
        a, b, c, d, e, f = mat
        pts: list[tuple[float, float]] = []
        start = None
        for s in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, s)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            px, py = a * x.value + c * y.value + e - left, top - (b * x.value + d * y.value + f)
            kind_s = raw.FPDFPathSegment_GetType(seg)
            if kind_s == raw.FPDF_SEGMENT_MOVETO:
                start = (px, py)
            elif kind_s == raw.FPDF_SEGMENT_LINETO and pts:
                _edge(pts[-1], (px, py), out)
            pts.append((px, py))
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                _edge((px, py), start, out)


def _edge(p, q, out: list[dict]) -> None:
    """A straight segment as a pdfplumber edge; slanted ones are no ruling."""
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 1e-6:
        orient = "h"
    elif abs(x0 - x1) < 1e-6:
        orient = "v"
    else:
        return
    lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    out.append({"object_type": "line", "x0": lo_x, "x1": hi_x, "top": lo_y, "bottom": hi_y,
                "doctop": lo_y, "width": hi_x - lo_x, "height": hi_y - lo_y, "orientation": orient})


def _cell_text(chars: list[dict]) -> str:
    text = ""
    for ln in group_lines(chars):
        t, _ = line_text(ln)
        text = join_lines(text, t.strip())
    return text


def _layout_grid(rows: list[list[str]]) -> bool:
    """Ruling lines used for layout, not a table (a .doc converted with a page grid):
    many narrow columns, almost all cells empty. Real tables, even wide statistics
    tables, fill well over half their cells (measured on the corpus: 0.66–0.69; a
    layout grid: 0.07)."""
    ncols = max((len(r) for r in rows), default=0)
    cells = sum(len(r) for r in rows)
    filled = sum(1 for r in rows for c in r if c.strip())
    return len(rows) >= 4 and ncols >= 8 and cells > 0 and filled / cells < 0.2


def read_tables(found, chars: list[dict], page: int) -> tuple[list[Table], list[dict]]:
    """Cut the characters inside tables out of ``chars``; return tables and the rest."""
    tables: list[Table] = []
    boxes = []
    for t in found:
        rows = [r for r in t.rows]
        ncols = max((len(r.cells) for r in rows), default=0)
        if not rows or ncols <= 1:
            # a frame around text is prose, not a table: a box, or a stack of one-cell rows
            # (a Word paragraph border or shading; a hanging label outside it belongs to its line)
            continue
        boxes.append((t, rows, ncols, t.bbox))      # Table.bbox is recomputed on each access
    if not boxes:
        return [], chars
    rest = []
    per_cell: dict[tuple[int, int, int], list[dict]] = defaultdict(list)
    for c in chars:
        mx, my = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        placed = False
        for ti, (t, rows, _, (x0, top, x1, bottom)) in enumerate(boxes):
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
    for ti, (t, rows, ncols, bbox) in enumerate(boxes):
        texts = [[_cell_text(per_cell[(ti, ri, ci)]) if (ti, ri, ci) in per_cell else ""
                  for ci in range(ncols)]
                 for ri in range(len(rows))]
        # drop empty rows (pdfplumber sometimes finds rows of nothing)
        keep = [i for i, row in enumerate(texts) if any(row)]
        if not keep:
            continue
        if _layout_grid([texts[i] for i in keep]):
            # a page laid out in a grid (a converted .doc): one cell per row is prose
            rest.extend(c for (tj, _, _), cs in per_cell.items() if tj == ti for c in cs)
            continue
        first = [c for ci in range(ncols) for c in per_cell.get((ti, keep[0], ci), [])]
        edges = sorted({round(cell[0]) for r in rows for cell in r.cells if cell})
        x0, top, x1, bottom = bbox
        tables.append(Table(
            page=page, top=top, bottom=bottom, x0=x0, x1=x1, edges=edges,
            rows=[texts[i] for i in keep],
            bold_first=bool(first) and sum(map(is_bold, first)) > 0.6 * len(first),
        ))
    return tables, rest

