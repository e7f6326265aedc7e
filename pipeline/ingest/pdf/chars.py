"""Characters of a PDF page from pypdfium2 (PDFium's text page), with what layout needs.

Each character is a dict in pdfplumber's shape (``text``, ``x0``, ``x1``, ``top``,
``bottom``, ``size``, ``fontname``) so the layout and table code take either source.
Coordinates are PDF points from the top-left of the page's media box, as pdfplumber's.

PDFium reads the CFF-based CJK fonts pdfminer misses, and is ~50× faster: it is the
primary source. A page probe (``Probe``) also says, from the page objects alone, whether
the page has images (a scan?) and ruling lines (a table worth pdfplumber's search).
"""
from __future__ import annotations

import ctypes
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import pypdfium2.raw as raw

BAD_TEXT = re.compile(r"\(cid:\d+\)|\ufffd")
BOLD_FONT = re.compile(r"bold|heavy|black|semibold|demi|hei|黑|xbs|fzdbs", re.I)

# Unicode values PDFium uses for line ends and soft hyphens' placeholders
_SKIP = {0, 0x0D, 0x0A, 0xFFFE}
_RULE = 3.0          # a path thinner than this (pt) is a ruling line
_RULE_LEN = 8.0      # ... and at least this long


@dataclass
class Probe:
    """What a page holds, from its page objects (no text extraction)."""

    images: int = 0
    h_rules: int = 0          # horizontal ruling lines (rectangles count as both)
    v_rules: int = 0

    @property
    def ruled(self) -> bool:
        """Both directions of ruling: pdfplumber's lines strategy can find a table."""
        return self.h_rules >= 2 and self.v_rules >= 2


def probe(page) -> Probe:
    """Count images and ruling lines among the page's objects (forms included)."""
    global _F
    if _F is None:
        _F = _lib()
    pr = Probe()
    pv = ctypes.cast(page, ctypes.c_void_p)
    _walk(_F, _F["FPDFPage_CountObjects"](pv), _F["hot:FPDFPage_GetObject"], pv, pr, 0)
    return pr


def _walk(f, n: int, get, holder, pr: Probe, depth: int) -> None:
    """The ``n`` objects ``get(holder, k)`` gives (a page's or a form's)."""
    kind_of, get_bounds = f["hot:FPDFPageObj_GetType"], f["hot:FPDFPageObj_GetBounds"]
    bounds = (ctypes.c_float * 4)()          # left, bottom, right, top
    pl, pb, pr_, pt = (ctypes.byref(bounds, 4 * k) for k in range(4))
    unpack = _RECTF.unpack_from
    for k in range(n):
        obj = get(holder, k)
        kind = kind_of(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            pr.images += 1
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            if not get_bounds(obj, pl, pb, pr_, pt):
                continue
            left, bottom, right, top = unpack(bounds)
            w, h = right - left, top - bottom
            if h <= _RULE and w >= _RULE_LEN:
                pr.h_rules += 1
            elif w <= _RULE and h >= _RULE_LEN:
                pr.v_rules += 1
            elif w >= _RULE_LEN and h >= _RULE_LEN:
                pr.h_rules += 2           # a rectangle: a cell or a frame
                pr.v_rules += 2
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 8:
            _walk(f, f["FPDFFormObj_CountObjects"](obj), f["FPDFFormObj_GetObject"], obj, pr, depth + 1)


class _Handle(ctypes.c_void_p):
    """A returned object handle kept as a pointer (a subclass is not turned into an int),
    so it goes straight into the next call without a conversion."""


def _lib():
    """PDFium's functions of the hot loop with plain ``c_void_p`` handles: pypdfium2's
    typed pointers cost a ``ctypes.cast`` per character to compare or hash (~2.5 µs)."""
    import pypdfium2_raw

    folder = Path(pypdfium2_raw.__file__).parent
    path = next(p for p in sorted(folder.iterdir()) if "pdfium" in p.name and p.suffix in (".so", ".dylib", ".dll"))
    lib = ctypes.CDLL(str(path))           # the library pypdfium2 loaded: same handle
    vp, i = ctypes.c_void_p, ctypes.c_int
    spec = {
        "FPDFText_CountChars": (i, [vp]),
        "FPDFText_GetUnicode": (ctypes.c_uint, [vp, i]),
        "FPDFText_GetTextObject": (vp, [vp, i]),
        "FPDFText_IsGenerated": (i, [vp, i]),
        "FPDFText_HasUnicodeMapError": (i, [vp, i]),
        "FPDFText_GetLooseCharBox": (i, [vp, i, ctypes.POINTER(raw.FS_RECTF)]),
        "FPDFText_GetCharOrigin": (i, [vp, i, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double)]),
        "FPDFText_GetFontSize": (ctypes.c_double, [vp, i]),
        "FPDFText_GetFontWeight": (i, [vp, i]),
        "FPDFText_GetFontInfo": (ctypes.c_ulong, [vp, i, ctypes.c_char_p, ctypes.c_ulong, ctypes.POINTER(i)]),
        "FPDFPageObj_GetMatrix": (i, [vp, ctypes.POINTER(raw.FS_MATRIX)]),
        "FPDFTextObj_GetFont": (vp, [vp]),
        "FPDFFont_GetDescent": (i, [vp, ctypes.c_float, ctypes.POINTER(ctypes.c_float)]),
        "FPDFTextObj_GetText": (ctypes.c_ulong, [vp, vp, ctypes.c_void_p, ctypes.c_ulong]),
        "FPDFPage_CountObjects": (i, [vp]),
        "FPDFPage_GetObject": (_Handle, [vp, i]),
        "FPDFPageObj_GetType": (i, [vp]),
        "FPDFPageObj_GetBounds": (i, [vp] + [ctypes.POINTER(ctypes.c_float)] * 4),
        "FPDFFormObj_CountObjects": (i, [vp]),
        "FPDFFormObj_GetObject": (_Handle, [vp, ctypes.c_ulong]),
    }
    fns = {}
    for name, (res, args) in spec.items():
        f = lib[name]                       # a new function object: pypdfium2's stay as they are
        f.restype, f.argtypes = res, args
        fns[name] = f
    # the per-character and per-text-object calls again without argtypes (called with
    # c_void_p handles, an int index and byref buffers, nothing to convert): 0.25 µs a
    # call instead of 0.41
    for name in ("FPDFText_GetUnicode", "FPDFText_GetTextObject", "FPDFText_IsGenerated",
                 "FPDFText_HasUnicodeMapError", "FPDFText_GetLooseCharBox", "FPDFText_GetFontSize",
                 "FPDFTextObj_GetFont", "FPDFPageObj_GetMatrix", "FPDFPage_GetObject", "FPDFPageObj_GetType",
                 "FPDFPageObj_GetBounds"):
        f = lib[name]
        f.restype = spec[name][0]
        fns["hot:" + name] = f
    return fns


_F: dict | None = None


def page_chars(page, textpage) -> tuple[list[dict], int]:
    """The page's characters (real spaces kept, PDFium's generated ones dropped, rotated
    text dropped as pdfplumber's ``upright`` filter does) and how many have no Unicode
    mapping (they come out as U+FFFD).

    Boxes follow pdfminer's convention so layout thresholds mean the same: the height
    is the effective font size (font size × the text object's vertical scale) and the
    box stands on the font's descent line (PDFium's loose box bottom)."""
    global _F
    if _F is None:
        _F = _lib()
    f = _F
    unicode_of, object_of = f["hot:FPDFText_GetUnicode"], f["hot:FPDFText_GetTextObject"]
    map_error, loose_box = f["hot:FPDFText_HasUnicodeMapError"], f["hot:FPDFText_GetLooseCharBox"]
    generated = f["hot:FPDFText_IsGenerated"]
    tp = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    tpv = ctypes.c_void_p(tp)             # the handle as the unconverted calls take it
    left, _, _, top = page.get_mediabox()
    out: list[dict] = []
    append = out.append
    gaps: list[int] = []                   # where the kept generated spaces are in ``out``
    bad = 0
    rect = raw.FS_RECTF()
    prect = ctypes.byref(rect)
    box = _RECTF.unpack_from               # the four floats in one call, not four attribute reads
    ox, oy = ctypes.c_double(), ctypes.c_double()
    px, py = ctypes.byref(ox), ctypes.byref(oy)
    # per text object (a run of characters in one font): name, effective size, upright, descent
    objs: dict[int, tuple[str, float, bool, float]] = {}
    fonts: dict[int, tuple[str, float]] = {}
    ends: dict[int, bool] = {}             # text object → its text ends in a space
    ctx = _ObjectContext(f, tp, tpv, fonts)
    objs_get, skip, char = objs.get, _SKIP, chr     # locals: looked up once, not per character
    last = cur = None
    name, size, upright, descent, big = "", 0.0, True, 0.0, 0.0
    for i in range(f["FPDFText_CountChars"](tp)):
        u = unicode_of(tpv, i)
        if u in skip:
            continue
        obj = object_of(tpv, i)
        if not obj or (u == 0x20 and generated(tpv, i) == 1):
            # generated by PDFium: line ends, and spaces where glyphs leave a gap. A space
            # glyph ending a text object (a no-break space drawn as a separator) is not
            # reported as a character but leaves this generated one: keep that.
            if (u == 0x20 and out and not out[-1].get("gap") and loose_box(tpv, i, prect)
                    and abs(rect.left - left - out[-1]["x1"]) < 0.05
                    and _ends_in_space(f, tp, last, ends)):
                # (PDFium puts that space right at the end of the previous glyph)
                gaps.append(len(out))
                append(dict(out[-1], text=" ", x0=out[-1]["x1"], gap=True))
            continue
        last = obj
        if obj != cur:                     # a new text object (the next character is often in the same)
            info = objs_get(obj)
            if info is None:
                info = objs[obj] = ctx.info(i, obj)
            name, size, upright, descent = info
            big = 2 * size
            cur = obj
        if not upright:
            continue                       # rotated text: seals, watermarks, side notes
        if map_error(tpv, i) == 1 or u > 0x10FFFF or 0xD800 <= u < 0xE000:
            bad += 1
            ch = "\ufffd"
        else:
            ch = char(u)
        if not loose_box(tpv, i, prect):
            continue
        x0, rtop, x1, y = box(rect)
        if x1 - x0 > big or rtop - y > big:
            # a box far larger than the glyph (seen on characters stacked one per line in
            # a narrow table cell): place a full-width glyph on the character's origin
            f["FPDFText_GetCharOrigin"](tp, i, px, py)
            x0, x1, y = ox.value, ox.value + size, oy.value + descent * size
        bottom = top - y
        append({"text": ch, "x0": x0 - left, "x1": x1 - left, "top": bottom - size,
                "bottom": bottom, "size": size, "fontname": name})
    return _gaps(out, gaps), bad


_RECTF = struct.Struct("4f")          # FS_RECTF: left, top, right, bottom
_MATRIX = struct.Struct("6f")         # FS_MATRIX: a, b, c, d, e, f


class _ObjectContext:
    """What a page's text objects need looked up, with the call buffers made once per page
    (a page of justified text has about one text object per two characters)."""

    def __init__(self, f, tp: int | None, tpv, fonts: dict):
        self.f, self.tp, self.tpv, self.fonts = f, tp, tpv, fonts
        self.get_font, self.font_size = f["hot:FPDFTextObj_GetFont"], f["hot:FPDFText_GetFontSize"]
        self.get_matrix = f["hot:FPDFPageObj_GetMatrix"]
        self.m = raw.FS_MATRIX()
        self.pm = ctypes.byref(self.m)

    def info(self, i: int, obj: int) -> tuple[str, float, bool, float]:
        """Font name (``-Bold`` added when the weight says so), effective size, whether
        the text is upright (pdfminer's test: a·d > 0 and b·c ≤ 0), and the font's descent
        per point of size (negative: below the baseline)."""
        ov = ctypes.c_void_p(obj)
        font = self.get_font(ov)
        known = self.fonts.get(font)
        if known is None:
            known = self.fonts[font] = _font_info(self.f, self.tp, i, font)
        name, descent = known
        size = self.font_size(self.tpv, i)
        if self.get_matrix(ov, self.pm):
            a, b, c, d, _, _ = _MATRIX.unpack_from(self.m)
            size *= math.hypot(c, d)
            upright = a * d > 0 and b * c <= 0
        else:
            upright = True
        return name, size, upright, descent


def _font_info(f, tp: int | None, i: int, font) -> tuple[str, float]:
    """A font's name (``-Bold`` added when the weight says so) and descent per point."""
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    n = f["FPDFText_GetFontInfo"](tp, i, buf, len(buf), ctypes.byref(flags))
    name = buf.value.decode("utf-8", "replace") if n else ""
    if f["FPDFText_GetFontWeight"](tp, i) >= 600 and not BOLD_FONT.search(name):
        name += "-Bold"
    descent = ctypes.c_float()
    if not font or not f["FPDFFont_GetDescent"](font, 1.0, ctypes.byref(descent)):
        descent.value = 0.0
    return name, descent.value


def _ends_in_space(f, tp, obj, cache: dict) -> bool:
    if obj is None:
        return False
    if obj not in cache:
        get = f["FPDFTextObj_GetText"]
        n = get(obj, tp, None, 0)
        buf = (ctypes.c_ushort * max(n // 2, 1))()
        get(obj, tp, buf, n)
        text = bytes(buf).decode("utf-16-le", "replace").rstrip("\x00")
        cache[obj] = text[-1:].isspace()
    return cache[obj]


def _gaps(chars: list[dict], at: list[int]) -> list[dict]:
    """A generated space after a text object ending in a space is kept when it fills a
    gap of ¾ em or more to the next character of its line (PDFium also ends objects in
    a space before a mere layout gap, as in ``2021 年``). ``at``: the indices of those
    spaces (marked ``gap``) in ``chars``; the characters between them are kept as they are."""
    if not at:
        return chars
    keep: list[dict] = []
    start = 0
    for j in at:
        keep += chars[start:j]
        start = j + 1
        prev = chars[j - 1]
        nxt = chars[j + 1] if j + 1 < len(chars) else None
        if (nxt is None or nxt.get("gap") or abs(nxt["top"] - prev["top"]) > 0.5 * prev["size"]
                or nxt["x0"] - prev["x1"] < 0.75 * prev["size"]):
            continue
        c = dict(chars[j], x1=nxt["x0"])
        del c["gap"]
        keep.append(c)
    keep += chars[start:]
    return keep


def bad_count(chars: list[dict]) -> int:
    return sum(1 for c in chars if BAD_TEXT.search(c["text"]))


# ---------------------------------------------------------------------------- fake bold


def overprinted(chars: list[dict], tol: float = 1.0) -> list[bool]:
    """Flags the characters that repeat an earlier one (same text and size, position
    within ``tol``): the copies drawn to fake a bold face."""
    flags = [False] * len(chars)
    by_text: dict[str, list[int]] = {}
    for k, text in enumerate([c["text"] for c in chars]):
        group = by_text.get(text)
        if group is None:
            by_text[text] = [k]
        else:
            group.append(k)
    x0s: list[float] = []
    for text, idxs in by_text.items():
        m = len(idxs)
        if m < 2 or text.isspace():
            continue
        if not x0s:
            x0s = [c["x0"] for c in chars]
        idxs.sort(key=x0s.__getitem__)
        for a in range(m - 1):
            ka = idxs[a]
            xa = x0s[ka]
            for b in range(a + 1, m):
                kb = idxs[b]
                if x0s[kb] - xa > tol:
                    break
                ca, cb = chars[ka], chars[kb]
                if abs(cb["top"] - ca["top"]) <= tol and abs(cb["size"] - ca["size"]) < 0.5:
                    flags[max(ka, kb)] = True        # the later one in drawing order
    return flags


def dedupe(chars: list[dict]) -> list[dict]:
    """Drop overprinted copies."""
    flags = overprinted(chars)
    if not any(flags):
        return list(chars)
    return [c for c, dup in zip(chars, flags) if not dup]
