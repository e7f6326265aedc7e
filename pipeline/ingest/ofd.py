"""OFD (GB/T 33190, the national fixed-layout format) → Document.

An OFD file is a zip of XML: ``OFD.xml`` names each document's root
(``Doc_0/Document.xml``), which lists the pages (``Pages/Page_N/Content.xml``) and the
resource files that name the fonts. A page holds ``TextObject`` elements: a
``Boundary`` box on the page (millimetres, origin top-left), a font, a size, a weight,
an optional ``CTM``, and ``TextCode`` runs with the first glyph's position (``X``,
``Y`` = baseline) and the advances of the others (``DeltaX``, with the ``g N d``
shorthand for N equal advances).

Each glyph becomes a character in the shape ``pdf.chars`` gives (points from the page's
top-left), so the PDF layout code rebuilds lines, paragraphs, headings, and removes
page numbers and running headers, the same way for both fixed-layout formats. Page
templates (``Template``) are read too: some producers put the letterhead there.

No OCR: a page with images and no text is reported (``no_text_layer``).
Safety: only the XML members named by the package are read, each inflated in 64 KB
steps under a running cap (a zip bomb is refused), and parsed without entities or
network access.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile

from ..model import Document, IngestError
from .pdf import chars as _chars
from .pdf import layout

MM = 72 / 25.4                        # points per millimetre
MAX_TOTAL = 200 * 1024 * 1024         # inflated bytes read from one package
MAX_PAGES = 2000
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def is_ofd(names: list[str]) -> bool:
    return "OFD.xml" in names


def read(data: bytes, source: str) -> Document:
    doc = Document(source=source, format="ofd")
    pkg = _Package(data)
    root = pkg.xml("OFD.xml")
    body = _first(root, "DocBody")
    doc_root = _text(_first(body, "DocRoot")) if body is not None else None
    if not doc_root:
        raise IngestError("failed", "OFD without a DocRoot (damaged package?)")
    info = _first(body, "DocInfo")
    if info is not None:
        doc.page_meta["ofd_info"] = {k: _text(_first(info, k)) for k in ("Title", "Author", "Subject",
                                     "Creator", "CreationDate", "ModDate") if _text(_first(info, k))}
    doc_path = _norm(doc_root)
    document = pkg.xml(doc_path)
    base = posixpath.dirname(doc_path)
    common = _first(document, "CommonData")
    fonts = {}
    for tag in ("PublicRes", "DocumentRes"):
        for ref in _all(common, tag):
            fonts.update(_fonts(pkg, _join(base, _text(ref))))
    default_box = _box(_text(_first(_first(common, "PageArea"), "PhysicalBox")))
    templates = {t.get("ID"): _join(base, t.get("BaseLoc", "")) for t in _all(common, "TemplatePage")}
    page_refs = [p for p in _all(_first(document, "Pages"), "Page")]
    if not page_refs:
        raise IngestError("failed", "OFD has no pages")
    if len(page_refs) > MAX_PAGES:
        raise IngestError("failed", f"too many pages: {len(page_refs)} > {MAX_PAGES}")
    doc.pages = len(page_refs)
    pages: list[layout.Page] = []
    scanned = 0
    for pno, ref in enumerate(page_refs, 1):
        path = _join(base, ref.get("BaseLoc", ""))
        content = pkg.xml(path)
        box = _box(_text(_first(_first(content, "Area"), "PhysicalBox"))) or default_box or (0, 0, 210, 297)
        chars: list[dict] = []
        for tpl in _all(content, "Template"):
            loc = templates.get(tpl.get("TemplateID"))
            if loc and loc in pkg.names:
                chars += _page_chars(pkg.xml(loc), fonts)
        chars += _page_chars(content, fonts)
        if not any(not c["text"].isspace() for c in chars):
            if any(el.tag.endswith("ImageObject") for el in content.iter()):
                doc.warn("no_text_layer", f"page {pno} has no text layer (scanned?)", page=pno)
                scanned += 1
            continue
        kept = _chars.dedupe(chars)
        lines = [ln for g in layout.group_lines(kept) if (ln := layout.make_line(pno, g))]
        pg = layout.Page(pno, (box[2] - box[0]) * MM, (box[3] - box[1]) * MM)
        pg.items = sorted(lines, key=lambda it: it.top)
        pages.append(pg)
    doc.blocks = layout.blocks_from(pages, doc)
    if not doc.blocks:
        if scanned:
            raise IngestError("failed", f"no usable text layer: {scanned} pages scanned (OFD pages are not OCR'd)")
        raise IngestError("failed", f"no text in {len(page_refs)} pages")
    return doc.build()


# ---------------------------------------------------------------------------- text objects


def _page_chars(content, fonts: dict) -> list[dict]:
    out: list[dict] = []
    for obj in content.iter():
        if not isinstance(obj.tag, str) or not obj.tag.endswith("TextObject"):
            continue
        bx, by, _, _ = _box(obj.get("Boundary")) or (0, 0, 0, 0)
        size = _float(obj.get("Size"), 3.5)
        ctm = [float(v) for v in _NUM.findall(obj.get("CTM") or "")]
        a, b, c, d, e, f = ctm if len(ctm) == 6 else (1, 0, 0, 1, 0, 0)
        scale = (c * c + d * d) ** 0.5 or 1.0
        if abs(b) > 1e-6 or abs(c) > 1e-6 or a * d <= 0:
            continue                      # rotated or mirrored text: seals, side notes
        name = fonts.get(obj.get("Font"), "")
        if _float(obj.get("Weight"), 400) >= 700 and not _chars.BOLD_FONT.search(name):
            name += "-Bold"
        pt = size * scale * MM
        hscale = _float(obj.get("HScale"), 1.0)
        x = y = 0.0
        for code in obj:
            if not isinstance(code.tag, str) or not code.tag.endswith("TextCode"):
                continue
            text = code.text or ""
            x = _float(code.get("X"), x)
            y = _float(code.get("Y"), y)
            dx = _deltas(code.get("DeltaX"))
            cx = x
            for k, ch in enumerate(text):
                adv = dx[k] if k < len(dx) else (size if not ch.isascii() else size / 2)
                px, py = a * cx + c * y + e, b * cx + d * y + f     # object space → boundary
                x0 = (bx + px) * MM
                base = (by + py) * MM
                glyph = size * (0.5 if ch.isascii() else 1.0) * hscale
                width = (min(glyph, adv) if 0 < adv else glyph) * a * MM
                out.append({"text": ch, "x0": x0, "x1": x0 + width, "top": base - 0.88 * pt,
                            "bottom": base + 0.12 * pt, "size": round(pt, 2), "fontname": name})
                cx += adv
            x = cx
    return out


def _deltas(value: str | None) -> list[float]:
    """``DeltaX``: numbers, and ``g N d`` for N copies of d."""
    if not value:
        return []
    toks = value.split()
    out: list[float] = []
    i = 0
    while i < len(toks):
        if toks[i] == "g" and i + 2 < len(toks):
            try:
                out += [float(toks[i + 2])] * min(int(float(toks[i + 1])), 100000)
            except ValueError:
                pass
            i += 3
        else:
            try:
                out.append(float(toks[i]))
            except ValueError:
                pass
            i += 1
    return out


def _fonts(pkg: "_Package", path: str) -> dict:
    if path not in pkg.names:
        return {}
    res = pkg.xml(path)
    return {f.get("ID"): f.get("FontName") or f.get("FamilyName") or ""
            for f in res.iter() if isinstance(f.tag, str) and f.tag.endswith("}Font")}


# ---------------------------------------------------------------------------- package


class _Package:
    """The zip, read member by member under a running cap on inflated bytes."""

    def __init__(self, data: bytes):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.names = {_norm(n) for n in self.zf.namelist()}
            self._real = {_norm(n): n for n in self.zf.namelist()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise IngestError("failed", "not a valid OFD (zip) file") from None
        self.total = 0

    def read(self, name: str) -> bytes:
        real = self._real.get(_norm(name))
        if real is None:
            raise IngestError("failed", f"OFD member missing: {name}")
        parts = []
        try:
            with self.zf.open(real) as fh:
                while chunk := fh.read(1 << 16):
                    self.total += len(chunk)
                    if self.total > MAX_TOTAL:
                        raise IngestError("failed", "OFD rejected: more than 200 MB uncompressed (zip bomb?)")
                    parts.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
                RuntimeError) as exc:
            msg = " ".join(str(exc).split())[:120]
            raise IngestError("failed", f"OFD rejected: member {name} is damaged ({msg})") from None
        return b"".join(parts)

    def xml(self, name: str):
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
        try:
            return etree.fromstring(self.read(name), parser)
        except etree.XMLSyntaxError as exc:
            raise IngestError("failed", f"OFD member {name} is not well-formed XML ({str(exc)[:100]})") from None


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/").lstrip("/"))


def _join(base: str, loc: str) -> str:
    """A BaseLoc: absolute from the package root when it starts with /, else relative."""
    loc = (loc or "").replace("\\", "/")
    return _norm(loc) if loc.startswith("/") else _norm(posixpath.join(base, loc))


def _first(el, local: str):
    if el is None:
        return None
    for child in el:
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == local:
            return child
    return None


def _all(el, local: str) -> list:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and c.tag.rsplit("}", 1)[-1] == local]


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _float(value, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _box(value: str | None):
    nums = [float(v) for v in _NUM.findall(value or "")]
    if len(nums) != 4:
        return None
    x, y, w, h = nums
    return (x, y, x + w, y + h)
