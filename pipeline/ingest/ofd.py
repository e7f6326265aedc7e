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

Scanned pages (``ImageObject`` only, no text) are OCR'd as PDF pages are: the page's
images, found through the ``MultiMedia`` resources (``PublicRes``, ``DocumentRes``,
``PageRes``), are drawn onto a page bitmap at the PDF path's scale and read by the same
recogniser (``pdf/ocr.py``); ``ocr`` = auto | off | force as for PDF, except that force
cannot render OFD text, so it OCRs only pages that a page image covers at least half of
(a scan with a hidden text layer) and keeps the text of the others (``ocr_skipped``).
Safety: only the members named by the package are read, each inflated in 64 KB
steps under a running cap (a zip bomb is refused); XML is parsed without entities or
network access; an image is decoded only after its header says it has at most
``MAX_IMAGE_PIXELS`` pixels, and the page bitmap is capped at ``MAX_CANVAS_PIXELS``.
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
MAX_IMAGE_PIXELS = 80_000_000         # one decoded image (A3 at 600 dpi is 70 M)
MAX_CANVAS_PIXELS = 16_000_000        # the page bitmap OCR reads (A4 at 144 dpi is 2 M)
SCAN_COVER = 0.5                      # --ocr force: share of the page an image must cover
OCR_MODES = ("auto", "off", "force")
_JBIG2 = b"\x97JB2\r\n\x1a\n"
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def is_ofd(names: list[str]) -> bool:
    return "OFD.xml" in names


def read(data: bytes, source: str, *, ocr: str = "auto") -> Document:
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {OCR_MODES}, not {ocr!r}")
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
    fonts: dict = {}
    media: dict = {}
    for tag in ("PublicRes", "DocumentRes"):
        for ref in _all(common, tag):
            _resources(pkg, _join(base, _text(ref)), fonts, media)
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
    scanner = _Scanner(doc, pkg)
    for pno, ref in enumerate(page_refs, 1):
        path = _join(base, ref.get("BaseLoc", ""))
        content = pkg.xml(path)
        box = _box(_text(_first(_first(content, "Area"), "PhysicalBox"))) or default_box or (0, 0, 210, 297)
        page_media = media
        if (page_res := _all(content, "PageRes")):
            page_media = dict(media)
            for ref_res in page_res:
                _resources(pkg, _join(posixpath.dirname(path), _text(ref_res)), fonts, page_media)
        layers = [pkg.xml(loc) for tpl in _all(content, "Template")
                  if (loc := templates.get(tpl.get("TemplateID"))) and loc in pkg.names] + [content]
        chars = [c for layer in layers for c in _page_chars(layer, fonts)]
        has_text = any(not c["text"].isspace() for c in chars)
        images = [im for layer in layers for im in _page_images(layer, page_media)]
        if ocr == "force" and has_text:
            if _cover(images, box) >= SCAN_COVER:
                chars = scanner.read(pno, box, images, "--ocr force") or chars
            else:
                doc.warn("ocr_skipped", f"page {pno}: --ocr force, but no page image to read"
                         " (OFD text is not rendered here); text layer kept", page=pno)
        elif not has_text:
            has_image = any(isinstance(el.tag, str) and el.tag.endswith("ImageObject")
                            for layer in layers for el in layer.iter())
            if not has_image:
                continue
            message = f"page {pno} has no text layer (scanned?)"
            chars = scanner.read(pno, box, images, message) if ocr != "off" else []
            if not chars:
                doc.warn("no_text_layer", message, page=pno)
                scanned += 1
                continue
        kept = _chars.dedupe(chars)
        lines = [ln for g in layout.group_lines(kept) if (ln := layout.make_line(pno, g))]
        pg = layout.Page(pno, (box[2] - box[0]) * MM, (box[3] - box[1]) * MM)
        pg.items = sorted(lines, key=lambda it: it.top)
        pages.append(pg)
    doc.blocks = layout.blocks_from(pages, doc)
    scanner.session.record()
    if not doc.blocks:
        if scanned:
            why = ("OCR is off" if ocr == "off" else "OCR unavailable: pip install 'policy-pipeline[ocr]'"
                   if scanner.session.missing else "OCR found no text")
            raise IngestError("failed", f"no usable text layer: {scanned} pages scanned; {why}")
        raise IngestError("failed", f"no text in {len(page_refs)} pages")
    return doc.build()


# ---------------------------------------------------------------------------- scanned pages


class _Scanner:
    """OCR of a page's images: drawn onto one page bitmap, read by the PDF path's engine
    (loaded on the first scanned page only)."""

    def __init__(self, doc: Document, pkg: "_Package"):
        from .pdf import ocr as _ocr

        self.doc, self.pkg = doc, pkg
        self.session = _ocr.Session(doc)        # the engine, pages read, scores, warnings

    def read(self, pno: int, box, images: list, reason: str) -> list[dict]:
        """Characters OCR finds on the page (points from the page's top-left), or none."""
        if not images:
            return []
        engine = self.session.engine()
        if engine is None:
            return []
        drawn = self._draw(pno, box, images)
        if drawn is None:
            return []
        canvas, scale = drawn
        lines = engine.read_image(canvas, scale, box[0] * MM, box[1] * MM)
        return self.session.accept(pno, lines, reason) or []

    def _draw(self, pno: int, box, images: list):
        """The page as a grey bitmap at the OCR render scale (smaller for a huge page), its
        images pasted where their CTM puts them; None when no image could be decoded."""
        from PIL import Image, ImageOps

        from .pdf.ocr import RENDER_SCALE

        w_pt, h_pt = (box[2] - box[0]) * MM, (box[3] - box[1]) * MM
        if w_pt <= 0 or h_pt <= 0:
            return None
        scale = min(RENDER_SCALE, (MAX_CANVAS_PIXELS / (w_pt * h_pt)) ** 0.5)
        canvas = Image.new("L", (max(1, round(w_pt * scale)), max(1, round(h_pt * scale))), 255)
        pasted = 0
        for member, (x0, y0, x1, y1), mirror, flip in images:
            size = (round((x1 - x0) * MM * scale), round((y1 - y0) * MM * scale))
            if size[0] < 1 or size[1] < 1:
                continue
            data = self.pkg.read(member)                     # under the package's running cap
            if data.startswith(_JBIG2):
                self.doc.warn("ofd_image", f"page {pno}: {member} is JBIG2, which is not decoded", page=pno)
                continue
            too_big = f"page {pno}: {member} has more than {MAX_IMAGE_PIXELS:,} pixels; not decoded"
            try:
                src = Image.open(io.BytesIO(data))            # reads the header only
                if src.width * src.height > MAX_IMAGE_PIXELS:
                    self.doc.warn("ofd_image", too_big, page=pno)
                    continue
                src.draft("L", size)                          # JPEG: decode at reduced size
                im = src.convert("RGBA").resize(size, Image.Resampling.LANCZOS)
            except Image.DecompressionBombError:              # Pillow's own, larger cap
                self.doc.warn("ofd_image", too_big, page=pno)
                continue
            except Exception as e:  # noqa: BLE001 - any decoder error is a bad image
                msg = " ".join(str(e).split())[:100]
                self.doc.warn("ofd_image", f"page {pno}: {member} cannot be decoded"
                              f" ({type(e).__name__}: {msg})", page=pno)
                continue
            if mirror:
                im = ImageOps.mirror(im)
            if flip:
                im = ImageOps.flip(im)
            at = (round((x0 - box[0]) * MM * scale), round((y0 - box[1]) * MM * scale))
            canvas.paste(im.convert("L"), at, mask=im.getchannel("A"))   # transparent parts stay white
            pasted += 1
        return (canvas, scale) if pasted else None


def _page_images(content, media: dict) -> list[tuple]:
    """(member, box in mm on the page, mirrored, flipped) of each drawable image object.
    An image fills the unit square its ``CTM`` maps into the ``Boundary``'s space;
    rotated or sheared images (seals at an angle) are left out."""
    out = []
    for obj in content.iter():
        if not isinstance(obj.tag, str) or not obj.tag.endswith("ImageObject"):
            continue
        member = media.get(obj.get("ResourceID"))
        bound = _box(obj.get("Boundary"))
        if not member or bound is None:
            continue
        ctm = [float(v) for v in _NUM.findall(obj.get("CTM") or "")]
        a, b, c, d, e, f = ctm if len(ctm) == 6 else (bound[2] - bound[0], 0, 0, bound[3] - bound[1], 0, 0)
        if abs(b) > 1e-6 or abs(c) > 1e-6 or not a or not d:
            continue
        x0, x1 = sorted((bound[0] + e, bound[0] + e + a))
        y0, y1 = sorted((bound[1] + f, bound[1] + f + d))
        out.append((member, (x0, y0, x1, y1), a < 0, d < 0))
    return out


def _cover(images: list, box) -> float:
    """Share of the page the images cover (overlaps counted once per image: an estimate)."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    if area <= 0:
        return 0.0
    got = 0.0
    for _, (x0, y0, x1, y1), _, _ in images:
        w = min(x1, box[2]) - max(x0, box[0])
        h = min(y1, box[3]) - max(y0, box[1])
        got += max(w, 0) * max(h, 0)
    return min(got / area, 1.0)


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


def _resources(pkg: "_Package", path: str, fonts: dict, media: dict) -> None:
    """Fonts (ID → name) and image files (ID → member) of one resource file. A
    ``MediaFile`` is relative to the file's ``BaseLoc`` folder; some producers write it
    relative to the file's own folder or give the folder twice, so the first member that
    exists wins."""
    if path not in pkg.names:
        return
    res = pkg.xml(path)
    here = posixpath.dirname(path)
    base = _join(here, res.get("BaseLoc") or "")
    for el in res.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag.endswith("}Font"):
            fonts[el.get("ID")] = el.get("FontName") or el.get("FamilyName") or ""
        elif el.tag.endswith("}MultiMedia") and (el.get("Type") or "Image").lower() == "image":
            loc = _text(_first(el, "MediaFile"))
            found = next((m for m in (_join(base, loc), _join(here, loc)) if m in pkg.names), None)
            if loc and found:
                media[el.get("ID")] = found


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
