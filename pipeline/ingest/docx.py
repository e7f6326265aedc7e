"""DOCX → Document: body paragraphs and tables in reading order.

python-docx opens the package (relationships, parts); the body is then read straight
from the XML so that nothing python-docx skips is lost (content controls ``w:sdt``,
tracked insertions ``w:ins``, fields, hyperlinks).

Automatic list numbering (``一、`` ``（一）`` ``1.`` ``（1）``) is not part of the
paragraph text: it is rendered from ``numbering.xml`` (abstractNum levels, start values,
``numFmt``, ``lvlText``, ``lvlOverride``/``startOverride``, ``lvlRestart``, ``isLgl``),
reached from the paragraph's ``w:numPr`` or its style's, and prepended to the text.

Tables give one ``table_row`` block per row: one cell per ``w:tc`` (a horizontal merge,
``gridSpan``, is one cell), a vertically merged cell (``vMerge`` continue) repeats the
text of the cell above so every row is complete, nested tables are flattened into their
cell's text. Headers, footers, footnotes, comments and text boxes are not body text.

Safety: the zip is checked before python-docx sees it (member sizes and compression
ratios, so a zip bomb is refused without inflating it), then every member is inflated
in 64 KB steps under a running 200 MB cap and python-docx is given that stored copy: a
member whose header lies about its size is rejected by its CRC, never inflated whole.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from ..model import Block, Document, IngestError

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_SIZE = 1024 * 1024
MAX_MEMBERS = 10_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = "{%s}" % W


def _w(tag: str) -> str:
    return _W + tag


# --------------------------------------------------------------------------- safety
def _check_package(data: bytes) -> bytes:
    if data[:8] == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise IngestError("skipped", "password-protected (encrypted) Office file; remove the password and save as DOCX")
        raise IngestError(
            "skipped",
            "legacy .doc (Word 97-2003) is not supported; convert it to DOCX with LibreOffice",
        )
    if not data.startswith(b"PK"):
        raise IngestError("failed", "not a valid DOCX (zip) file")
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise IngestError("failed", "not a valid DOCX (zip) file") from None
    if len(infos) > MAX_MEMBERS:
        raise IngestError("failed", f"DOCX rejected: {len(infos)} zip members (zip bomb?)")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise IngestError(
                    "failed",
                    f"DOCX rejected: {info.filename} expands {ratio:.0f}x to "
                    f"{info.file_size / 1e6:.0f} MB (zip bomb?)",
                )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise IngestError(
            "failed", f"DOCX rejected: {total / 1e6:.0f} MB uncompressed exceeds 200 MB (zip bomb?)"
        )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise IngestError("failed", "not a DOCX: the zip has no word/document.xml")
    return _repack(zf, infos)


# ISO 29500 Strict names its parts' XML and relationships in other namespaces than the
# Transitional form python-docx reads ("no relationship of type …officeDocument"); the
# content is the same, so the package is read with the Transitional names.
_STRICT_NAMES = [
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships/customProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    (b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/customProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"),
    (b"http://purl.oclc.org/ooxml/officeDocument/", b"http://schemas.openxmlformats.org/officeDocument/2006/"),
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
    (b"http://purl.oclc.org/ooxml/drawingml/", b"http://schemas.openxmlformats.org/drawingml/2006/"),
    (b"http://purl.oclc.org/ooxml/schemaLibrary/main", b"http://schemas.openxmlformats.org/schemaLibrary/2006/main"),
]


def _transitional(name: str, content: bytes) -> bytes:
    """A Strict package's XML part with the Transitional namespace names."""
    if not name.endswith((".xml", ".rels")) or b"purl.oclc.org/ooxml" not in content:
        return content
    for strict, transitional in _STRICT_NAMES:
        content = content.replace(strict, transitional)
    return content


def _repack(zf: zipfile.ZipFile, infos: list) -> bytes:
    """The package again, every member inflated in small steps under a running cap.

    The sizes checked above come from the zip's headers, which can lie: a member that
    claims 1 KB may inflate to 1 GB, and ``ZipFile.read`` (what python-docx calls)
    inflates a whole member in one step before cutting it to the claimed size. Reading
    in 64 KB steps stops at the claimed size and the CRC check then rejects the member;
    python-docx only ever sees the stored (uncompressed) copy made here."""
    out = BytesIO()
    total = 0
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
            for info in infos:
                if info.is_dir():
                    continue
                parts = []
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 16):
                        total += len(chunk)
                        if total > MAX_TOTAL_UNCOMPRESSED:
                            raise IngestError("failed", "DOCX rejected: more than 200 MB uncompressed (zip bomb?)")
                        parts.append(chunk)
                dst.writestr(info.filename, _transitional(info.filename, b"".join(parts)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
            RuntimeError) as exc:
        msg = " ".join(str(exc).split())[:120]
        raise IngestError("failed", f"DOCX rejected: a zip member is damaged or lies about its size ({msg})") from None
    return out.getvalue()


# --------------------------------------------------------------------------- numbers
_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL_S = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_T = "零壹貳參肆伍陸柒捌玖"


def _cn_count(n: int, digits: str = _CN_DIGITS, units: str = "十百千", wan: str = "万",
              zero: str = "零") -> str:
    """Chinese counting: 1 一, 10 十, 11 十一, 20 二十, 101 一百零一, 10000 一万."""
    if n <= 0:
        return digits[0]
    if n >= 10000:
        high, low = divmod(n, 10000)
        s = _cn_count(high, digits, units, wan, zero) + wan
        if low:
            s += (zero if low < 1000 else "") + _cn_count(low, digits, units, wan, zero)
        return s
    parts = []
    need_zero = False
    for value, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // value % 10
        if d:
            if need_zero:
                parts.append(zero)
                need_zero = False
            parts.append(digits[d] + unit)
        elif parts:
            need_zero = True
    s = "".join(parts)
    if 10 <= n < 20 and digits is _CN_DIGITS:
        s = s[1:]  # 十一, not 一十一
    return s


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _enclosed(n: int, ranges: list[tuple[int, int, int]]) -> str:
    for lo, hi, base in ranges:
        if lo <= n <= hi:
            return chr(base + n - lo)
    return str(n)


_CIRCLED = [(1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1)]
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_KNOWN_FORMATS = {
    "decimal", "decimalZero", "chineseCounting", "chineseCountingThousand", "japaneseCounting",
    "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital", "japaneseDigitalTenThousand",
    "chineseLegalSimplified", "ideographLegalTraditional", "ideographTraditional", "ideographZodiac",
    "decimalEnclosedCircle", "decimalEnclosedCircleChinese", "decimalEnclosedParen",
    "decimalEnclosedFullstop", "ideographEnclosedCircle", "upperLetter", "lowerLetter",
    "upperRoman", "lowerRoman", "decimalFullWidth", "decimalFullWidth2", "decimalHalfWidth",
    "ordinal", "none", "bullet",
}


def format_number(n: int, fmt: str) -> str:
    """Render counter value ``n`` in the OOXML number format ``fmt``."""
    if fmt in ("decimal", "decimalHalfWidth") or not fmt:
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _cn_count(n)
    if fmt in ("ideographDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n)) if n >= 0 else str(n)
    if fmt == "chineseLegalSimplified":
        return _cn_count(n, _CN_LEGAL_S, "拾佰仟", "万")
    if fmt == "ideographLegalTraditional":
        return _cn_count(n, _CN_LEGAL_T, "拾佰仟", "萬")
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _enclosed(n, _CIRCLED)
    if fmt == "decimalEnclosedParen":
        return _enclosed(n, [(1, 20, 0x2474)])
    if fmt == "decimalEnclosedFullstop":
        return _enclosed(n, [(1, 20, 0x2488)])
    if fmt == "ideographEnclosedCircle":
        return _enclosed(n, [(1, 10, 0x3280)])
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    if fmt == "ordinal":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str | None = None
    restart: int | None = None
    is_lgl: bool = False
    suff: str = "tab"
    pstyle: str | None = None


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)       # startOverride per ilvl
    levels: dict[int, _Level] = field(default_factory=dict)    # full lvl overrides


def _val(el, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(_w(tag))
    if child is None:
        return None
    return child.get(_w("val"))


def _int(s: str | None, default: int | None = None) -> int | None:
    try:
        return int(s) if s is not None else default
    except ValueError:
        return default


def _on(el) -> bool:
    """A w:ST_OnOff element: present and not switched off."""
    return el is not None and el.get(_w("val"), "true").lower() not in ("0", "false", "off")


def _parse_level(lvl) -> _Level:
    lv = _Level()
    lv.start = _int(_val(lvl, "start"), 1)
    fmt_el = lvl.find(_w("numFmt"))
    if fmt_el is None:  # Word 2010 custom formats: <mc:AlternateContent>…<mc:Fallback><w:numFmt/>
        found = lvl.xpath("./mc:AlternateContent/mc:Fallback/w:numFmt", namespaces={"mc": MC, "w": W})
        fmt_el = found[0] if found else None
    if fmt_el is not None:
        lv.fmt = fmt_el.get(_w("val"), "decimal")
    text_el = lvl.find(_w("lvlText"))
    if text_el is not None:
        lv.text = text_el.get(_w("val"), "")
    restart = lvl.find(_w("lvlRestart"))
    if restart is not None:
        lv.restart = _int(restart.get(_w("val")))
    lv.is_lgl = _on(lvl.find(_w("isLgl")))
    lv.suff = _val(lvl, "suff") or "tab"
    lv.pstyle = _val(lvl, "pStyle")
    return lv


class _Numbering:
    """numbering.xml definitions plus the running counters of one document."""

    def __init__(self, root, style_num_ids: dict[str, str]):
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.links: dict[str, str] = {}            # abstractNumId → numStyleLink style id
        self.nums: dict[str, _Num] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.seen_override: set[tuple[str, int]] = set()
        self.style_num_ids = style_num_ids
        self.unknown_formats: set[str] = set()
        if root is None:
            return
        for an in root.iterchildren(_w("abstractNum")):
            aid = an.get(_w("abstractNumId"))
            levels = {}
            for lvl in an.iterchildren(_w("lvl")):
                ilvl = _int(lvl.get(_w("ilvl")), 0)
                levels[ilvl] = _parse_level(lvl)
                if levels[ilvl].fmt not in _KNOWN_FORMATS:
                    self.unknown_formats.add(levels[ilvl].fmt)
            self.abstract[aid] = levels
            link = _val(an, "numStyleLink")
            if link:
                self.links[aid] = link
        for num in root.iterchildren(_w("num")):
            nid = num.get(_w("numId"))
            n = _Num(abstract=_val(num, "abstractNumId") or "")
            for ov in num.iterchildren(_w("lvlOverride")):
                ilvl = _int(ov.get(_w("ilvl")), 0)
                so = _val(ov, "startOverride")
                if so is not None:
                    n.starts[ilvl] = _int(so, 1)
                lvl = ov.find(_w("lvl"))
                if lvl is not None:
                    n.levels[ilvl] = _parse_level(lvl)
            self.nums[nid] = n

    def _resolve_abstract(self, aid: str) -> str:
        """Follow numStyleLink (abstractNum → numbering style → num → abstractNum)."""
        for _ in range(5):
            link = self.links.get(aid)
            if not link:
                break
            nid = self.style_num_ids.get(link)
            target = self.nums.get(nid) if nid else None
            if target is None or target.abstract == aid:
                break
            aid = target.abstract
        return aid

    def levels(self, num_id: str) -> tuple[str, dict[int, _Level]] | None:
        num = self.nums.get(num_id)
        if num is None:
            return None
        aid = self._resolve_abstract(num.abstract)
        levels = self.abstract.get(aid)
        if levels is None:
            return None
        if num.levels:
            levels = {**levels, **num.levels}
        return aid, levels

    def ilvl_for_style(self, num_id: str, style_id: str) -> int:
        found = self.levels(num_id)
        if found:
            for ilvl, lv in found[1].items():
                if lv.pstyle == style_id:
                    return ilvl
        return 0

    def next_label(self, num_id: str, ilvl: int) -> tuple[str | None, _Level | None]:
        """Advance the counter of (num_id, ilvl) and render its label (None for bullets)."""
        found = self.levels(num_id)
        if found is None:
            return None, None
        aid, levels = found
        ilvl = max(0, min(ilvl, 8))
        lvl = levels.get(ilvl) or _Level()
        counts = self.counters.setdefault(aid, [None] * 9)
        start_override = self.nums[num_id].starts.get(ilvl)
        if start_override is not None and (num_id, ilvl) not in self.seen_override:
            self.seen_override.add((num_id, ilvl))
            counts[ilvl] = start_override
        elif counts[ilvl] is None:
            counts[ilvl] = lvl.start
        else:
            counts[ilvl] += 1
        for k in range(ilvl + 1, 9):
            lk = levels.get(k)
            restart = lk.restart if lk is not None else None
            if restart is None or (restart != 0 and ilvl < restart):
                counts[k] = None
        if lvl.fmt == "bullet" or lvl.text is None:
            return None, lvl

        def placeholder(m: re.Match) -> str:
            i = int(m.group(1)) - 1
            li = levels.get(i) or _Level()
            value = counts[i] if counts[i] is not None else li.start
            fmt = "decimal" if (lvl.is_lgl and li.fmt != "none") else li.fmt
            return format_number(value, fmt)

        return re.sub(r"%([1-9])", placeholder, lvl.text), lvl


# --------------------------------------------------------------------------- styles
_HEADING_NAME = re.compile(r"^(?:heading|标题|標題)\s*([1-9])$", re.I)
_TITLE_NAME = re.compile(r"^(?:title|标题|標題)$", re.I)


@dataclass
class _Style:
    name: str = ""
    aliases: tuple[str, ...] = ()
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None
    outline: int | None = None


class _Styles:
    def __init__(self, root):
        self.styles: dict[str, _Style] = {}
        self.default_para: str | None = None
        if root is None:
            return
        for st in root.iterchildren(_w("style")):
            sid = st.get(_w("styleId"))
            if sid is None:
                continue
            s = _Style()
            name = _val(st, "name") or ""
            names = [n.strip() for n in name.split(",") if n.strip()]
            aliases = _val(st, "aliases") or ""
            names += [n.strip() for n in re.split(r"[,，]", aliases) if n.strip()]
            s.name = names[0] if names else ""
            s.aliases = tuple(names)
            s.based_on = _val(st, "basedOn")
            ppr = st.find(_w("pPr"))
            if ppr is not None:
                numpr = ppr.find(_w("numPr"))
                if numpr is not None:
                    s.num_id = _val(numpr, "numId")
                    s.ilvl = _int(_val(numpr, "ilvl"))
                s.outline = _int(_val(ppr, "outlineLvl"))
            self.styles[sid] = s
            if st.get(_w("type")) == "paragraph" and st.get(_w("default")) in ("1", "true", "on"):
                self.default_para = sid

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid not in seen and sid in self.styles:
            seen.add(sid)
            yield sid, self.styles[sid]
            sid = self.styles[sid].based_on

    def heading_level(self, sid: str | None) -> int | None:
        for _, s in self.chain(sid):
            for name in s.aliases:
                m = _HEADING_NAME.match(name)
                if m:
                    return int(m.group(1))
                if _TITLE_NAME.match(name):
                    return 0
        return None

    def outline(self, sid: str | None) -> int | None:
        for _, s in self.chain(sid):
            if s.outline is not None:
                return s.outline
        return None

    def numpr(self, sid: str | None) -> tuple[str | None, int | None]:
        num_id = ilvl = None
        for _, s in self.chain(sid):
            if num_id is None and s.num_id is not None:
                num_id = s.num_id
            if ilvl is None and s.ilvl is not None:
                ilvl = s.ilvl
        return num_id, ilvl

    def num_ids(self) -> dict[str, str]:
        return {sid: s.num_id for sid, s in self.styles.items() if s.num_id}


# --------------------------------------------------------------------------- text
_SKIP_IN_PARA = {_w(t) for t in (
    "pPr", "rPr", "del", "moveFrom", "delText", "instrText", "delInstrText", "txbxContent",
    "rt", "fldData", "footnoteReference", "endnoteReference", "commentReference",
    "annotationRef", "object", "pict",
)} | {"{%s}Fallback" % MC}
_T = _w("t")
_R = _w("r")


def _para_text(p) -> str:
    """The visible text of one w:p (runs, hyperlinks, fields' results, insertions)."""
    out: list[str] = []
    stack = list(reversed(list(p)))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_IN_PARA:
            continue
        if tag == _R:
            rpr = el.find(_w("rPr"))
            if rpr is not None and (_on(rpr.find(_w("vanish"))) or _on(rpr.find(_w("specVanish")))):
                continue                      # hidden text
        if tag == _T:
            if el.text:
                out.append(el.text)
            continue
        local = tag[len(_W):] if tag.startswith(_W) else None
        if local == "tab" or local == "ptab":
            out.append("\t")
        elif local == "br":
            if el.get(_w("type"), "textWrapping") == "textWrapping":
                out.append("\n")
        elif local == "cr":
            out.append("\n")
        elif local == "noBreakHyphen":
            out.append("-")
        elif local == "sym":
            code = _int_hex(el.get(_w("char")))
            if code and not 0xF000 <= code <= 0xF0FF:
                out.append(chr(code))
        else:
            children = list(el)
            if children:
                stack.extend(reversed(children))
    return "".join(out)


def _int_hex(s: str | None) -> int | None:
    try:
        return int(s, 16) if s else None
    except ValueError:
        return None


_WS_EDGE = " \t\r\n\u3000\xa0\u200b\ufeff"
_CJK_PUNCT = "、）】」』〕．。，：；"
_SENTENCE_END = re.compile(r"[。！？；!?;]")


def _looks_like_heading(text: str) -> bool:
    """Short, and no sentence end except possibly a final 。."""
    body = text.strip(_WS_EDGE)
    if not body or len(body) > 30:
        return False
    inner = body[:-1] if body[-1] in "。." else body
    return not _SENTENCE_END.search(inner) and "，" not in inner and "," not in inner


# --------------------------------------------------------------------------- reader
class _Reader:
    def __init__(self, doc_part):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        styles_root = numbering_root = None
        try:
            styles_root = doc_part.part_related_by(RT.STYLES).element
        except (KeyError, ValueError):
            pass
        try:
            numbering_root = doc_part.part_related_by(RT.NUMBERING).element
        except (KeyError, ValueError):
            pass
        self.styles = _Styles(styles_root)
        self.numbering = _Numbering(numbering_root, self.styles.num_ids())
        self.blocks: list[Block] = []
        self.table_count = 0
        self.notes: list[tuple[str, str]] = []

    # ---- paragraphs
    def paragraph(self, p) -> tuple[str, str | None, int | None]:
        """(text with its number, kind, level_hint) of a w:p; kind None if empty."""
        ppr = p.find(_w("pPr"))
        sid = _val(ppr, "pStyle") or self.styles.default_para
        text = _para_text(p)
        num_id, ilvl = None, None
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        s_num, s_ilvl = self.styles.numpr(sid)
        if numpr is not None:
            num_id = _val(numpr, "numId")
            ilvl = _int(_val(numpr, "ilvl"))
        if num_id is None:
            num_id = s_num
        if ilvl is None:
            ilvl = s_ilvl
        label = None
        if num_id and num_id != "0":
            if ilvl is None:
                ilvl = self.numbering.ilvl_for_style(num_id, sid) if sid else 0
            # Word shows (and counts) the number even on an empty paragraph; we count it
            # but an empty paragraph still makes no block.
            label, lvl = self.numbering.next_label(num_id, ilvl)
            if lvl is None:
                self.notes.append(("docx_numbering", f"numbering id {num_id} is not defined"))
            if label and text.strip(_WS_EDGE):
                label = label.strip(_WS_EDGE)
                if not label or lvl.suff == "nothing" or label[-1] in _CJK_PUNCT:
                    sep = ""
                else:
                    sep = " "
                text = label + sep + text.lstrip(_WS_EDGE)
            elif label:
                label = None
        heading = self.styles.heading_level(sid)
        outline = _int(_val(ppr, "outlineLvl")) if ppr is not None else None
        if outline is None:
            outline = self.styles.outline(sid)
        if heading is not None:
            return text, "heading", heading
        if outline is not None and 0 <= outline < 9:
            return text, "heading", outline + 1
        if label and ilvl is not None and _looks_like_heading(text):
            return text, "paragraph", ilvl + 1
        return text, "paragraph", None

    def add_paragraph(self, p) -> None:
        text, kind, level = self.paragraph(p)
        if kind == "heading":
            text = re.sub(r"\s*\n\s*", "", text).strip(_WS_EDGE)
            if text:
                self.blocks.append(Block(kind="heading", text=text, level_hint=level))
            return
        first = True
        for line in text.split("\n"):
            line = line.strip(_WS_EDGE)
            if line:
                self.blocks.append(Block(kind="paragraph", text=line, level_hint=level if first else None))
                first = False

    # ---- tables
    def cell_text(self, tc) -> str:
        lines: list[str] = []
        for el in _content_children(tc):
            if el.tag == _w("p"):
                text, _, _ = self.paragraph(el)
                for line in text.split("\n"):
                    line = line.strip(_WS_EDGE)
                    if line:
                        lines.append(line)
            elif el.tag == _w("tbl"):
                for row in self.table_rows(el):
                    row_text = " ".join(c for c in row[0] if c)
                    if row_text:
                        lines.append(row_text)
        return "\n".join(lines)

    def table_rows(self, tbl) -> list[tuple[list[str], bool]]:
        """Rows of one table as (cells, header) with vertical merges filled in."""
        out = []
        above: dict[int, str] = {}
        for ri, tr in enumerate(_rows(tbl)):
            trpr = tr.find(_w("trPr"))
            col = _int(_val(trpr, "gridBefore"), 0) or 0
            header = ri == 0 or (trpr is not None and _on(trpr.find(_w("tblHeader"))))
            cells: list[str] = []
            here: dict[int, str] = {}
            for tc in _cells(tr):
                tcpr = tc.find(_w("tcPr"))
                span = max(1, min(_int(_val(tcpr, "gridSpan"), 1) or 1, 64))
                vmerge = tcpr.find(_w("vMerge")) if tcpr is not None else None
                hmerge = tcpr.find(_w("hMerge")) if tcpr is not None else None
                if hmerge is not None and hmerge.get(_w("val"), "continue") == "continue" and cells:
                    for c in range(col, col + span):
                        here[c] = cells[-1]
                    col += span
                    continue
                if vmerge is not None and vmerge.get(_w("val"), "continue") == "continue":
                    text = above.get(col)
                    if text is None:
                        text = self.cell_text(tc)
                else:
                    text = self.cell_text(tc)
                cells.append(text)
                for c in range(col, col + span):
                    here[c] = text
                col += span
            above = here
            out.append((cells, header))
        return out

    def add_table(self, tbl) -> None:
        index = self.table_count
        self.table_count += 1
        for cells, header in self.table_rows(tbl):
            if not any(c.strip() for c in cells):
                continue
            self.blocks.append(Block(kind="table_row", text="\t".join(cells), cells=cells,
                                     table=index, header=header))

    # ---- body
    def read_body(self, body) -> None:
        stack = list(reversed(list(body)))
        while stack:
            el = stack.pop()
            tag = el.tag
            if tag == _w("p"):
                self.add_paragraph(el)
            elif tag == _w("tbl"):
                self.add_table(el)
            elif tag in (_w("sdt"), _w("customXml"), _w("ins"), _w("moveTo")):
                inner = el.find(_w("sdtContent")) if tag == _w("sdt") else el
                if inner is not None:
                    stack.extend(reversed(list(inner)))
            elif tag == _w("altChunk"):
                self.notes.append(("docx_altchunk", "embedded altChunk content (HTML/RTF) was not read"))


def _content_children(parent):
    """Children of a body/cell, looking through content controls and custom XML."""
    stack = list(reversed(list(parent)))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == _w("sdt"):
            inner = el.find(_w("sdtContent"))
            if inner is not None:
                stack.extend(reversed(list(inner)))
        elif tag in (_w("customXml"), _w("ins"), _w("moveTo")):
            stack.extend(reversed(list(el)))
        else:
            yield el


def _rows(tbl):
    return [el for el in _content_children(tbl) if el.tag == _w("tr")]


def _cells(tr):
    return [el for el in _content_children(tr) if el.tag == _w("tc")]


def read(data: bytes, source: str) -> Document:
    """Read a DOCX file's bytes into a built Document (raises IngestError)."""
    data = _check_package(data)
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise IngestError("failed", f"python-docx is not installed: {exc}") from None
    try:
        wdoc = docx.Document(BytesIO(data))
    except PackageNotFoundError:
        raise IngestError("failed", "not a valid DOCX (zip) file") from None
    except Exception as exc:  # python-docx raises many types on bad packages
        msg = " ".join(str(exc).split())[:200]
        raise IngestError("failed", f"DOCX could not be opened: {type(exc).__name__}: {msg}") from None
    reader = _Reader(wdoc.part)
    body = wdoc.element.body
    reader.read_body(body)
    doc = Document(source=source, format="docx", blocks=reader.blocks)
    doc.build()
    seen = set()
    for code, message in reader.notes:
        if (code, message) not in seen:
            seen.add((code, message))
            doc.warn(code, message)
    if reader.numbering.unknown_formats:
        doc.warn("docx_numbering", "numbering formats rendered as decimal: "
                 + ", ".join(sorted(reader.numbering.unknown_formats)))
    if not doc.blocks:
        doc.warn("no_text", "the DOCX body has no text (images only?)")
    return doc
