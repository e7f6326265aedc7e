"""OCR of a PDF page: rendered by PDFium, read by RapidOCR (PP-OCRv4 Chinese models
shipped inside the ``rapidocr-onnxruntime`` wheel: nothing is downloaded at run time).

Each recognised line comes back with its characters as pseudo-characters in the shape
``chars.page_chars`` gives (boxes in PDF points from the page's top-left), so the same
layout code turns OCR'd pages into paragraphs and headings. RapidOCR gives a box per
character (``return_word_box``); where its pieces do not add up to the line's text the
line's box is shared out evenly.

Recognition confuses a few punctuation marks with look-alike characters; they are
put right only in a Chinese context (``normalise``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

RENDER_SCALE = 2.0            # 144 dpi: body text of a 公文 (16 pt) is ~32 px high
LOW_CONFIDENCE = 0.8          # a line below this score gets a warning

_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_CN_DIGIT = "〇一二三四五六七八九十"
# (pattern, replacement): look-alikes PP-OCR reads in place of Chinese punctuation
_CONFUSIONS = [
    (re.compile(r"丶"), "、"),                                   # the radical 丶 is never running text
    (re.compile(rf"(?<=[{_CN_DIGIT}])[Oo0○](?=[{_CN_DIGIT}年])"), "〇"),   # 二O二一年
    (re.compile(rf"(?<={_CJK})[·•](?=\s*(?:$|[（(【〔]))"), "。"),    # a full stop read as a dot
]


class OcrUnavailable(RuntimeError):
    """The OCR extra is not installed; the message says what to install."""


# a page number between dashes (— 4 —) whose dashes were read as 一 (one)
_PAGE_NO = re.compile(r"[-—–一_]{1,3}\s*\d{1,4}\s*[-—–一_]{1,3}")


def normalise(text: str) -> str:
    """Put right OCR punctuation confusions in a Chinese context; same length."""
    for pat, rep in _CONFUSIONS:
        text = pat.sub(rep, text)
    if _PAGE_NO.fullmatch(text.strip()):
        text = text.replace("一", "—")
    return text


@dataclass
class OcrLine:
    text: str
    score: float
    chars: list[dict] = field(default_factory=list)
    measured: bool = True         # size from glyph widths, not from the padded line box


class Session:
    """One document's OCR, shared by the PDF and OFD readers: the engine (loaded on the
    first scanned page, once; ``missing`` when it cannot load), the pages read, their
    line scores, and the warnings a page read by OCR gets."""

    def __init__(self, doc):
        self.doc = doc
        self.pages: set[int] = set()
        self.scores: list[float] = []
        self.missing = False
        self._engine: Engine | None = None
        self._tried = False

    def engine(self) -> "Engine | None":
        if not self._tried:                  # load once; a missing engine is reported once
            self._tried = True
            try:
                self._engine = Engine()
            except OcrUnavailable as e:
                self.missing = True
                self.doc.warn("ocr_unavailable", str(e))
        return self._engine

    def accept(self, pno: int, lines: list[OcrLine], reason: str | None) -> list[dict] | None:
        """The characters of a page's OCR lines, with its warnings; None when it found no text."""
        if not any(ln.text.strip() for ln in lines):
            return None
        if reason:
            self.doc.warn("ocr", f"{reason}; read by OCR", page=pno)
        for ln in lines:
            if ln.score < LOW_CONFIDENCE:
                self.doc.warn("ocr_low_confidence",
                              f"page {pno}: OCR confidence {ln.score:.2f} for “{ln.text}”", page=pno)
        self.pages.add(pno)
        self.scores.extend(ln.score for ln in lines)
        return [c for ln in lines for c in ln.chars]

    def record(self) -> None:
        """Which pages were read by OCR and the mean line score, on the document."""
        if self.scores:
            self.doc.pages_ocr = sorted(self.pages)
            self.doc.ocr_confidence = round(sum(self.scores) / len(self.scores), 4)


class Engine:
    """One RapidOCR engine per process (its models load in ~0.2 s)."""

    def __init__(self, scale: float = RENDER_SCALE):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:
            raise OcrUnavailable(
                "OCR needs rapidocr-onnxruntime: pip install 'policy-pipeline[ocr]'"
                f" ({type(e).__name__}: {e})") from None
        # one thread: a batch runs one worker per core, and ONNX Runtime's spinning thread
        # pool is 2-3x slower, not faster, when the cores are busy (measured: 3.4 s a page
        # on one thread against 8.0 s on two, load average 4.5 on two cores)
        self._ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
        self.scale = scale

    def read_page(self, page) -> list[OcrLine]:
        """Lines of a pypdfium2 page, top to bottom."""
        left, bottom, right, top = page.get_mediabox()
        bitmap = page.render(scale=self.scale)
        img = bitmap.to_pil()
        bitmap.close()
        # rendering covers the crop box; chars are placed from the media box's top-left
        cl, cb, cr, ct = page.get_cropbox()
        return self.read_image(img, self.scale, cl - left, top - ct)

    def read_image(self, img, scale: float, dx: float = 0.0, dy: float = 0.0) -> list[OcrLine]:
        """Lines of a page image (PIL) drawn at ``scale`` pixels per point, top to bottom;
        ``dx``, ``dy``: the image's top-left in points from the page's top-left."""
        import numpy as np

        found, _ = self._ocr(np.asarray(img.convert("RGB")), use_cls=False, return_word_box=True)
        out = []
        for item in found or []:
            box, text, score = item[0], item[1], float(item[2])
            words = item[3] if len(item) > 5 else None
            pieces = item[4] if len(item) > 5 else None
            text = normalise(text)
            chars = _place(text, box, words, pieces, scale, dx, dy)
            measured = sum(1 for ch in text if re.match(_CJK, ch)) >= 2 and bool(words)
            out.append(OcrLine(text, score, chars, measured))
        _snap_sizes(out)
        return out


def _snap_sizes(lines: list[OcrLine]) -> None:
    """Measured sizes vary by a pixel or two from line to line: sizes in a run without a
    step of more than 8 % are one font size (their mean), so layout sees the body size,
    the title size… as it does for a text layer. A line with fewer than two Chinese
    glyphs to measure (``知``, ``— 2 —``) has only its padded box: it takes the nearest
    size found within 30 %."""
    def size(ln):
        return ln.chars[0]["size"]

    sure = sorted((ln for ln in lines if ln.chars and ln.measured), key=size)
    groups: list[list[OcrLine]] = []
    for ln in sure:
        if groups and size(ln) <= 1.08 * size(groups[-1][-1]):
            groups[-1].append(ln)
        else:
            groups.append([ln])
    found = []
    for g in groups:
        mean = round(sum(map(size, g)) / len(g) * 2) / 2
        found.append(mean)
        for ln in g:
            for c in ln.chars:
                c["size"] = mean
    for ln in lines:
        if ln.chars and not ln.measured and found:
            near = min(found, key=lambda f: abs(f - size(ln)))
            if abs(near - size(ln)) <= 0.3 * near:
                for c in ln.chars:
                    c["size"] = near


def _place(text, box, words, pieces, scale, dx, dy) -> list[dict]:
    """Pseudo-characters for one line (boxes in points)."""
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    spans: list[tuple[str, float, float, float, float]] = []
    if words and pieces and "".join(pieces).replace(" ", "") == text.replace(" ", ""):
        flat = normalise("".join(pieces))
        k = 0
        for wb, piece in zip(words, pieces):
            wx = [p[0] for p in wb]
            wy = [p[1] for p in wb]
            piece = flat[k:k + len(piece)]
            k += len(piece)
            step = (max(wx) - min(wx)) / max(len(piece), 1)
            for j, ch in enumerate(piece):
                a = min(wx) + j * step
                spans.append((ch, a, a + step, min(wy), max(wy)))
    else:
        step = (x1 - x0) / max(len(text), 1)
        spans = [(ch, x0 + j * step, x0 + (j + 1) * step, y0, y1) for j, ch in enumerate(text)]
    # the font size: a Chinese glyph is about one em wide; the box height varies with
    # what the line holds (brackets, descenders), so it is the fallback only
    widths = sorted(b - a for ch, a, b, _, _ in spans if re.match(_CJK, ch))
    size = (widths[len(widths) // 2] if len(widths) >= 2 else y1 - y0) / scale
    return [{"text": ch, "x0": a / scale + dx, "x1": b / scale + dx, "top": t / scale + dy,
             "bottom": u / scale + dy, "size": round(size * 2) / 2, "fontname": ""}
            for ch, a, b, t, u in spans]
