"""HTML → Document: the main content of a government web page, without the site around it.

The page-clutter words (chrome and content class names, chrome and furniture lines) are
rules/junk.yml's html_* entries.

Steps (all iterative: a page of 10,000 nested ``<div>`` cannot exhaust the stack):

1. Decode: BOM, then strict UTF-8, then the declared ``<meta charset>`` /
   ``http-equiv`` charset, then strict GB18030 (GB2312/GBK pages), then
   charset-normalizer; last resort is the candidate with the fewest replaced bytes,
   with a warning.
2. Parse with lxml.html. libxml2 stops building the tree at depth 256 and silently
   drops the rest; when the tree reaches that depth the page is re-parsed with the
   surplus nesting removed (warning ``html_deep_nesting``).
3. Page metadata to ``doc.page_meta``: ``title``, ``meta`` (``<meta name|property>``),
   ``info_table`` (the 索引号 / 发布机构 / 发文字号 … block of a government page, keys in
   simplified script without spaces) and ``furniture`` (short chrome lines that hold
   发布时间 / 来源 / 发布日期).
4. Drop script/style/hidden elements and page chrome (nav, header, footer, aside,
   forms, and elements whose class/id says navigation, breadcrumb, share, print,
   footer, comment, login, forum user panel …), unless they hold most of the page text.
5. Choose the content container: a known CMS container (``zoom``, ``TRS_Editor``,
   ``UCAP-CONTENT``, ``pages_content``, Discuz ``postmessage_*`` …) holding most of the
   text, else the element with the highest ``Chinese chars − 3 × linked Chinese chars``.
6. Walk the container: one block per ``<p>``/``<div>``/``<br>`` line, ``<h1>``-``<h6>`` as
   headings, data tables as ``table_row`` blocks (rowspan repeated into the rows it
   covers, one cell per ``<td>``/``<th>`` like DOCX gridSpan, nested tables flattened
   into their cell). The page title (``<h1>`` / ArticleTitle) is put first when it sits
   outside the container. Short chrome lines left inside (分享 打印 关闭 扫一扫 字体 …)
   are removed.
"""
from __future__ import annotations

import codecs
import re

from ..model import Block, Document, IngestError

MAX_DEPTH_OK = 240          # libxml2 (without huge_tree) truncates at depth 256
FLATTEN_DEPTH = 64
MAX_COLSPAN = 100
MAX_ROWSPAN = 1000

_WS_EDGE = " \t\r\n\f\v\u3000\xa0\u200b\ufeff"
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEG_BREAK_CJK = re.compile(
    r"([\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef])[ \t\f\v\r]*\n\s*"
    r"(?=[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef])"
)
_WS_RUN = re.compile(r"[ \t\n\r\f\v\xa0\u200b]+")


def _cjk(s: str | None) -> int:
    return len(_CJK_RE.findall(s)) if s else 0


def _clean(s: str) -> str:
    """Collapse HTML whitespace; a line break between two CJK characters disappears."""
    if "\n" in s:
        s = _SEG_BREAK_CJK.sub(r"\1", s)
    return _WS_RUN.sub(" ", s).strip(_WS_EDGE)


def _nospace(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", s)


_T2S = None


def _simp(s: str) -> str:
    """Simplified-script view (same length) for matching labels and junk words."""
    global _T2S
    if _T2S is None:
        try:
            from ..normalize import to_simplified

            to_simplified("测试")
            _T2S = to_simplified
        except Exception:  # opencc missing: match the original script only
            _T2S = lambda x: x  # noqa: E731
    return _T2S(s)


# --------------------------------------------------------------------------- decoding
_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
_GB_NAMES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb2312-80", "cp936", "ms936", "csgb2312",
             "euc-cn", "chinese", "gb18030", "windows-936", "iso-ir-58"}
_WESTERN = {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252", "cp1252",
            "iso8859-1", "iso_8859-1"}


def _declared_charset(data: bytes) -> str | None:
    m = _CHARSET_RE.search(data[:16384])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii", "replace").lower().strip()
    if name in _GB_NAMES:
        return "gb18030"
    if name in ("big5", "big-5", "cn-big5", "x-x-big5"):
        return "big5hkscs"
    if name in _WESTERN:
        return "windows-1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes) -> tuple[str, str, int]:
    """Return (text, encoding, number of U+FFFD replacements made)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            return text, enc, text.count("\ufffd")
    declared = _declared_charset(data)
    order = ["utf-8"]
    if declared and declared not in ("utf-8", "windows-1252"):
        order.append(declared)
    order.append("gb18030")
    if declared == "windows-1252":       # Chinese sites often mislabel GBK as latin-1
        order.append(declared)
    for enc in dict.fromkeys(order):
        try:
            return data.decode(enc), enc, 0
        except (UnicodeDecodeError, LookupError):
            continue
    candidates = list(dict.fromkeys([declared or "utf-8", "utf-8", "gb18030"]))
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            candidates.append(best.encoding)
    except Exception:
        pass
    results = []
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc, errors="replace")
        except LookupError:
            continue
        results.append((text.count("\ufffd"), len(results), enc, text))
    bad, _, enc, text = min(results)
    return text, enc, bad


# --------------------------------------------------------------------------- parsing
_NEST_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_BLOCKISH = {"div", "p", "section", "article", "blockquote", "center", "ul", "ol", "li", "table",
             "tbody", "tr", "td", "th", "dl", "dd", "dt", "form", "main", "aside", "nav", "header",
             "footer", "h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source", "embed",
         "param", "track", "keygen", "basefont", "frame", "isindex"}


def _flatten_nesting(text: str, limit: int = FLATTEN_DEPTH) -> str:
    """Drop container tags nested deeper than ``limit`` (blocks become <br>)."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []
    pos = 0
    for m in _NEST_TAG.finditer(text):
        closing, name = m.group(1), m.group(2).lower()
        if name in _VOID:
            continue
        out.append(text[pos:m.start()])
        pos = m.end()
        repl = "<br>" if name in _BLOCKISH else ""
        if not closing:
            if m.group(0).endswith("/>"):
                out.append(m.group(0))
                continue
            keep = len(stack) < limit
            stack.append((name, keep))
            out.append(m.group(0) if keep else repl)
        else:
            keep = True
            for i in range(len(stack) - 1, max(-1, len(stack) - 64), -1):
                if stack[i][0] == name:
                    keep = stack[i][1]
                    del stack[i:]
                    break
            out.append(m.group(0) if keep else repl)
    out.append(text[pos:])
    return re.sub(r"(?:<br>\s*){2,}", "<br>", "".join(out))


def _max_depth(root) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        if d > deepest:
            deepest = d
        stack.extend((c, d + 1) for c in el)
    return deepest


_CLOSE_PAGE = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)


def _early_close(text: str) -> str:
    """A page whose header include ends with its own </html> (a stray one before the body):
    libxml2 stops the document there and the whole body would be lost, so closing html and
    body tags are dropped when real text follows the first of them (the parser closes them
    at the end anyway)."""
    m = _CLOSE_PAGE.search(text)
    if m is None:
        return text
    rest = _SCRIPTS.sub("", text[m.end():])
    if len(re.findall(r"[\u4e00-\u9fff]", re.sub(r"<[^>]*>", "", rest))) < 50:
        return text
    return _CLOSE_PAGE.sub("", text)


def _parse(text: str):
    import lxml.etree
    import lxml.html

    text = text.replace("\x00", "")
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise IngestError("failed", "empty HTML document")
    # libxml2 drops a text node over 10 MB (XML_MAX_TEXT_LENGTH) unless huge_tree, which
    # also lifts the depth limit the nesting check below relies on: only when needed.
    text = _early_close(text)
    huge = any(len(part) > 3_000_000 and len(part.encode("utf-8")) > 9_000_000 for part in text.split("<"))
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=huge)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise IngestError("failed", f"HTML could not be parsed: {' '.join(str(exc).split())[:150]}") from None
    deep = _max_depth(root) >= MAX_DEPTH_OK
    if deep:
        try:
            root = lxml.html.document_fromstring(_flatten_nesting(text).encode("utf-8"), parser=parser)
        except (lxml.etree.ParserError, ValueError) as exc:
            raise IngestError("failed", f"HTML could not be parsed: {' '.join(str(exc).split())[:150]}") from None
    return root, deep


# --------------------------------------------------------------------------- walking
_BLOCK_TAGS = frozenset(
    "p div section article main li ul ol dl dt dd blockquote center pre address figure "
    "figcaption hr table tr td th caption thead tbody tfoot body html header footer nav aside "
    "form fieldset legend details summary h1 h2 h3 h4 h5 h6 title noscript iframe".split()
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _own_rows(table) -> list:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


def _row_cells(tr) -> list:
    return [c for c in tr if c.tag in ("td", "th")]


def _is_layout_table(table) -> bool:
    rows = _own_rows(table)
    if not rows:
        return True
    widths = [len(_row_cells(r)) for r in rows]
    if max(widths) <= 1:
        return True
    if len(rows) <= 2:
        for r in rows:
            for c in _row_cells(r):
                blocks = sum(1 for e in c.iter("p", "div", "br", "table"))
                if blocks >= 5 and _cjk(c.text_content()) > 300:
                    return True
    return False


def _span(el, name: str, cap: int, default: int = 1) -> int:
    try:
        v = int(re.sub(r"[^0-9].*$", "", (el.get(name) or "").strip()) or default)
    except ValueError:
        v = default
    return max(0, min(v, cap))


class _Walker:
    """Iterative walk producing blocks; data tables become table_row blocks."""

    def __init__(self, flatten_tables: bool = False, skip=None):
        self.flatten = flatten_tables
        self.skip = skip or set()
        self.blocks: list[Block] = []
        self.table_index = 0
        self.buf: list[str] = []
        self.heading: list[int] = []

    def flush(self) -> None:
        if not self.buf:
            return
        text = _clean("".join(self.buf))
        self.buf.clear()
        if text:
            if self.heading:
                self.blocks.append(Block(kind="heading", text=text, level_hint=self.heading[-1]))
            else:
                self.blocks.append(Block(kind="paragraph", text=text))

    def walk(self, root) -> "_Walker":
        stack: list[tuple[bool, object]] = [(True, root)]
        while stack:
            opening, el = stack.pop()
            tag = el.tag if isinstance(el.tag, str) else None
            if not opening:
                if tag in _HEADINGS:
                    self.flush()
                    self.heading.pop()
                elif tag in ("td", "th") and self.flatten:
                    self.buf.append(" ")
                elif tag in _BLOCK_TAGS:
                    self.flush()
                if el is not root and el.tail:
                    self.buf.append(el.tail)
                continue
            if tag is None or el in self.skip:
                if el is not root and el.tail:
                    self.buf.append(el.tail)
                continue
            if tag == "br":
                if not self.heading:
                    self.flush()
                if el.tail:
                    self.buf.append(el.tail)
                continue
            if tag == "img":
                if el.tail:
                    self.buf.append(el.tail)
                continue
            if tag == "table" and not self.flatten and el is not root and not _is_layout_table(el):
                self.flush()
                self.table(el)
                if el.tail:
                    self.buf.append(el.tail)
                continue
            if tag in _HEADINGS:
                self.flush()
                self.heading.append(_HEADINGS[tag])
            elif tag in ("td", "th") and self.flatten:
                self.buf.append(" ")
            elif tag in _BLOCK_TAGS:
                self.flush()
            if el.text:
                self.buf.append(el.text)
            stack.append((False, el))
            stack.extend((True, c) for c in reversed(el))
        self.flush()
        return self

    def table(self, table) -> None:
        rows = table_rows(table, self.skip)
        if not rows:
            return
        index = self.table_index
        self.table_index += 1
        for cells, header in rows:
            self.blocks.append(Block(kind="table_row", text="\t".join(cells), cells=cells,
                                     table=index, header=header))


def _cell_text(cell, skip) -> str:
    w = _Walker(flatten_tables=True, skip=skip).walk(cell)
    return "\n".join(b.text for b in w.blocks)


def table_rows(table, skip=()) -> list[tuple[list[str], bool]]:
    """Rows of an HTML table as (cells, header); rowspan cells repeated downwards."""
    rows = _own_rows(table)
    has_th = any(c.tag == "th" for r in rows for c in _row_cells(r))
    has_thead = any(r.getparent().tag == "thead" for r in rows)
    pending: dict[int, list] = {}          # column → [rows left, text, colspan]
    out = []
    first_thead_done = False
    for ri, tr in enumerate(rows):
        cells_out: list[str] = []
        col = 0

        def take_pending() -> None:
            nonlocal col
            while col in pending:
                left, text, span = pending[col]
                cells_out.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col][0] = left - 1
                col += max(span, 1)

        tds = _row_cells(tr)
        for td in tds:
            take_pending()
            text = _cell_text(td, skip)
            colspan = _span(td, "colspan", MAX_COLSPAN) or 1
            rowspan = _span(td, "rowspan", MAX_ROWSPAN)
            if rowspan == 0:                   # rowspan="0": to the end of the table
                rowspan = len(rows) - ri
            cells_out.append(text)
            if rowspan > 1:
                pending[col] = [rowspan - 1, text, colspan]
            col += colspan
        while True:
            rest = [c for c in pending if c >= col]
            if not rest:
                break
            col = min(rest)
            take_pending()
        if not any(c.strip() for c in cells_out):
            continue
        in_thead = tr.getparent().tag == "thead"
        header = bool(tds) and all(c.tag == "th" for c in tds)
        if in_thead and not first_thead_done:
            header = True
            first_thead_done = True
        if ri == 0 and not has_th and not has_thead:
            header = True
        out.append((cells_out, header))
    return out


# --------------------------------------------------------------------------- page chrome
# The page-clutter words (class/id names of chrome and of article containers, chrome
# lines, furniture lines) are rules/junk.yml's html_* entries; the tags are HTML itself.
_JUNK_TAGS = {"nav", "header", "footer", "aside", "form", "menu"}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
              "canvas", "select", "button", "textarea", "input", "map", "audio", "video", "head")
_SPLIT_TOKEN = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
# the junk.yml entries this reader uses (tools/mutate_rules.py re-reads pages when they change)
RULE_KEYS = ("html_chrome", "html_content", "html_content_words", "html_junk_tokens", "html_junk_lines",
             "html_furniture", "html_info_labels", "html_info_anchors")


class PageRules:
    """junk.yml's html_* entries, compiled once per rule set. A list missing from a rule
    set (a mutated one) finds nothing."""

    def __init__(self, cfg: dict):
        def names(key):
            words = {w.lower() for r in cfg.get(key) or [] for w in r.get("words") or []}
            rxs = [re.compile(r["pattern"], re.I) for r in cfg.get(key) or [] if r.get("pattern")]
            return words, rxs

        self.chrome_words, self.chrome_rx = names("html_chrome")
        self.content_names, self.content_rx = names("html_content")
        self.content_words = {w.lower() for w in cfg.get("html_content_words") or []}
        tokens = [r["pattern"] for r in cfg.get("html_junk_tokens") or []]
        self.junk_tokens = re.compile("|".join(f"(?:{p})" for p in tokens)) if tokens else None
        self.junk_lines = [re.compile(r["pattern"], re.I) for r in cfg.get("html_junk_lines") or []]
        self.furniture = [re.compile(r["pattern"]) for r in cfg.get("html_furniture") or []]
        # the page's metadata block (索引号 table): its labels, and the labels it is
        # looked for around, best first
        labels = [w for r in cfg.get("html_info_labels") or [] for w in r.get("words") or []]
        self.info_labels = frozenset(labels)
        known = "|".join(re.escape(w) for w in sorted(set(labels), key=len, reverse=True)) or r"(?!)"
        self.label_in_piece = re.compile(r"(?:^|(?<=\s))(%s)\s*[：:]" % known)
        self.label_colon = re.compile(r"(%s)[：:]" % known)
        self.info_anchors = [list(r.get("words") or []) for r in cfg.get("html_info_anchors") or []]


def page_rules(rules=None) -> PageRules:
    from ..rules import default_rules

    rules = rules if rules is not None else default_rules()
    return rules.built("html_page", lambda: PageRules(rules.get("junk.yml") or {}))


_OWNER_TAGS = frozenset("div td th article section main body blockquote form dd center li table".split())


def _names(el) -> list[str]:
    out = []
    for attr in ("id", "class"):
        v = el.get(attr)
        if v:
            out.extend(v.split())
    return out


def _is_junk(el, pr: PageRules) -> bool:
    tag = el.tag
    if tag in _JUNK_TAGS:
        return True
    for name in _names(el):
        if any(rx.match(name) for rx in pr.chrome_rx):
            return True
        low = name.lower()
        if low in pr.chrome_words:
            return True
        parts = [p.lower() for p in _SPLIT_TOKEN.split(name) if p]
        if len(parts) > 1 and any(p in pr.chrome_words for p in parts) and not any(
            p in pr.content_words for p in parts
        ):
            return True
    return _is_hidden(el)


def _is_hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def _is_content_name(el, pr: PageRules) -> bool:
    for name in _names(el):
        if name.lower() in pr.content_names or any(rx.match(name) for rx in pr.content_rx):
            return True
    return False


class _Stats:
    """Chinese character counts per element subtree, inside links and outside."""

    def __init__(self, root):
        self.text: dict = {}
        self.link: dict = {}
        order = []
        stack = [(root, False)]
        while stack:
            el, in_link = stack.pop()
            order.append(el)
            is_link = in_link or el.tag == "a"
            own = _cjk(el.text)
            own_text, own_link = (0, own) if is_link else (own, 0)
            for ch in el:
                t = _cjk(ch.tail)
                if is_link:
                    own_link += t
                else:
                    own_text += t
                if isinstance(ch.tag, str):
                    stack.append((ch, is_link))
            self.text[el] = own_text
            self.link[el] = own_link
        self._order = order
        self._gone: set = set()
        for el in reversed(order):
            parent = el.getparent()
            if parent is not None and parent in self.text:
                self.text[parent] += self.text[el]
                self.link[parent] += self.link[el]

    def drop(self, el) -> None:
        """Remove ``el`` from the page and its counts from its ancestors': the same counts
        as counting the page again (a dropped element's tail stays with its parent), at the
        cost of its subtree and its ancestors instead of the whole page."""
        text, link = self.text.get(el, 0), self.link.get(el, 0)
        node = el.getparent()
        while node is not None:
            if node in self.text:
                self.text[node] -= text
                self.link[node] -= link
            node = node.getparent()
        for sub in el.iter():
            if self.text.pop(sub, None) is not None:
                self.link.pop(sub, None)
                self._gone.add(sub)
        _drop(el)

    @property
    def order(self) -> list:
        """The counted elements still on the page, in counting order (filtered once after drops,
        not once per drop: a page may lose hundreds of chrome elements)."""
        if self._gone:
            self._order = [x for x in self._order if x not in self._gone]
            self._gone = set()
        return self._order

    def density(self, el) -> float:
        total = self.text.get(el, 0) + self.link.get(el, 0)
        return self.link.get(el, 0) / total if total else 1.0


def _drop(el) -> None:
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _remove_elements(root, predicate, protect: set, drop=_drop) -> list:
    """Remove the outermost elements matching ``predicate`` that are not protected."""
    removed = []
    stack = [root]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if el is not root and el not in protect and predicate(el):
            removed.append(el)
            continue
        stack.extend(el)
    for el in removed:
        drop(el)
    return removed


def _outermost(root, predicate) -> list:
    out, stack = [], [root]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if el is not root and predicate(el):
            out.append(el)
            continue
        stack.extend(el)
    return out


def _ancestors_and_self(el) -> set:
    out = set()
    while el is not None:
        out.add(el)
        el = el.getparent()
    return out


# --------------------------------------------------------------------------- metadata
# Labels (junk.yml html_info_labels) and anchors (html_info_anchors) are PageRules'.
_GENERIC_LABEL = re.compile(r"^([^：:\x00]{1,12}?)\s*[：:]")


def _label_count(node, pr: PageRules) -> int:
    """Distinct metadata labels in ``node``: followed by a colon, or alone in a cell that
    is followed by a value cell (a column header row of labels does not count)."""
    text = _simp(_nospace(node.text_content()))
    found = set(pr.label_colon.findall(text))
    for cell in node.iter("td", "th", "dt"):
        t = _simp(_nospace(cell.text_content()))
        if t in pr.info_labels:
            nxt = cell.getnext()
            if nxt is not None and nxt.tag in ("td", "th", "dd") \
                    and _simp(_nospace(nxt.text_content())).rstrip("：:") not in pr.info_labels:
                found.add(t)
    return len(found)


def _info_container(root, pr: PageRules):
    """The smallest element around an anchor label ('索引号' first) that holds several
    metadata labels."""
    anchors = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        own = _simp(_nospace((el.text or "") + "".join((c.tail or "") for c in el)))
        rank = next((k for k, words in enumerate(pr.info_anchors) if any(w in own for w in words)), None)
        if rank is not None:
            anchors.append((rank, el))
    anchors.sort(key=lambda a: a[0])
    for _, el in anchors[:20]:
        node = el
        for _ in range(8):
            if node is None:
                break
            if len(node.text_content()) > 3000:
                break
            if node.tag not in ("td", "th", "span", "b", "strong", "label", "font", "a") \
                    and _label_count(node, pr) >= 3:
                # Take in sibling label tables (索引号 table + 主题词 table in one cell).
                count, size = _label_count(node, pr), len(_nospace(node.text_content()))
                parent = node.getparent()
                for _ in range(4):
                    if parent is None or len(_nospace(parent.text_content())) > size + 200:
                        break
                    more = _label_count(parent, pr)
                    if more > count:
                        node, count = parent, more
                    parent = parent.getparent()
                return node
            node = node.getparent()
    return None


def _pieces(container) -> list[str]:
    """Text pieces of the container, split at element boundaries."""
    pieces: list[str] = []
    stack = [(True, container)]
    while stack:
        opening, el = stack.pop()
        if opening:
            if not isinstance(el.tag, str):
                if el.tail:
                    pieces.append(el.tail)
                continue
            pieces.append("\x00")
            if el.text:
                pieces.append(el.text)
            stack.append((False, el))
            stack.extend((True, c) for c in reversed(el))
        else:
            pieces.append("\x00")
            if el is not container and el.tail:
                pieces.append(el.tail)
    out = []
    for piece in "".join(pieces).split("\x00"):
        piece = _clean(piece)
        if piece:
            out.append(piece)
    return out


def _label_key(label: str) -> str | None:
    key = _simp(_nospace(label)).strip("：:")
    if not key or len(key) > 10 or _cjk(key) < max(1, len(key) // 2):
        return None
    return key


def parse_info_table(container, pr: PageRules | None = None) -> dict[str, str]:
    """label → value pairs ('索引号：' then its value, in cells, <li>/<span> pairs or one line)."""
    pr = pr or page_rules()
    pairs: list[list] = []     # [key, [value parts]]
    for piece in _pieces(container):
        simp = _simp(piece)
        compact = _nospace(simp).rstrip("：:")
        if compact in pr.info_labels and len(_nospace(piece).rstrip("：:")) == len(compact):
            pairs.append([compact, []])
            continue
        # Labels inside the piece: at its start (any short label) and after spaces (known).
        cuts = []
        m = _GENERIC_LABEL.match(simp)
        if m and _label_key(piece[: m.end(1)]):
            cuts.append((0, m.end(), _label_key(piece[: m.end(1)])))
        for m in pr.label_in_piece.finditer(simp, cuts[0][1] if cuts else 0):
            cuts.append((m.start(), m.end(), _nospace(m.group(1))))
        if not cuts:
            if pairs:
                pairs[-1][1].append(piece)
            continue
        if cuts[0][0] > 0 and pairs:
            pairs[-1][1].append(piece[: cuts[0][0]])
        for i, (start, end, key) in enumerate(cuts):
            stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(piece)
            pairs.append([key, [piece[end:stop]]])
    info: dict[str, str] = {}
    for key, parts in pairs:
        value = _clean(" ".join(p for p in parts if p.strip()))
        if key not in info or (not info[key] and value):
            info[key] = value
    return info


def _meta_tags(root) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = el.get("name") or el.get("property") or el.get("itemprop")
        content = el.get("content")
        if name and content is not None:
            name = name.strip()
            content = _clean(content)
            if name not in meta or (not meta[name] and content):
                meta[name] = content
    return meta


_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|--|——)\s*")


def _title_candidates(title: str, meta: dict[str, str]) -> list[str]:
    cands = []
    for key in ("ArticleTitle", "articletitle", "og:title", "title", "Title", "dc.title", "DC.Title"):
        if meta.get(key):
            cands.append(_nospace(meta[key]))
    if title:
        cands.append(_nospace(title))
        parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
        if parts:
            cands.append(_nospace(max(parts, key=len)))
    return [c for c in cands if len(c) >= 4]


def _nonlink_text(el) -> str:
    """Text of ``el`` without the text of its links ("[复制链接]" next to a forum title)."""
    out: list[str] = []
    stack: list[tuple[str, object, bool]] = [("el", el, False)]
    while stack:
        kind, x, in_link = stack.pop()
        if kind == "text":
            if not in_link:
                out.append(x)
            continue
        if not isinstance(x.tag, str):
            continue
        link = in_link or x.tag == "a"
        items: list[tuple[str, object, bool]] = []
        if x.text:
            items.append(("text", x.text, link))
        for ch in x:
            items.append(("el", ch, link))
            if ch.tail:
                items.append(("text", ch.tail, link))
        stack.extend(reversed(items))
    return "".join(out)


def _in_logo(el) -> bool:
    node = el
    for _ in range(6):
        if node is None:
            return False
        if any("logo" in n.lower() for n in _names(node)):
            return True
        node = node.getparent()
    return False


def _find_title(root, title: str, meta: dict[str, str]):
    """(text, level) of the page's article title, or None."""
    site = _nospace(meta.get("SiteName", ""))
    cands = [c for c in _title_candidates(title, meta) if c != site]
    heads, titled = [], []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag in ("h1", "h2", "h3"):
            heads.append(el)
        elif any("title" in n.lower() or n.lower() in ("bt", "biaoti", "thread_subject") for n in _names(el)):
            titled.append(el)
    h1s = []
    for el in heads + titled:
        if _in_logo(el):
            continue
        text = _clean(_nonlink_text(el))
        if _cjk(text) < 4:
            text = _clean(el.text_content())
        key = _nospace(text)
        if len(key) < 4 or len(key) > 200:
            continue
        if el.tag == "h1":
            h1s.append((el, text))
        for c in cands:
            if key == c or (len(key) >= 6 and (key in c or c in key)):
                return text, _HEADINGS.get(el.tag, 1)
    if len(h1s) == 1 and _cjk(h1s[0][1]) >= 4:
        return h1s[0][1], 1
    return None


# --------------------------------------------------------------------------- lines
def _junk_line(text: str, pr: PageRules) -> bool:
    simp = _simp(text)
    if len(simp) <= 40 and pr.junk_tokens is not None and not pr.junk_tokens.sub("", simp):
        return True
    return len(simp) <= 120 and any(rx.search(simp) for rx in pr.junk_lines)


def _furniture_line(text: str, pr: PageRules) -> bool:
    return len(text) <= 160 and any(rx.search(_simp(text)) for rx in pr.furniture)


# --------------------------------------------------------------------------- main
def _with_header(el, stats: _Stats):
    """A body cell's layout table when all the table adds is a short header of plain
    text: a gazette order's issuer, date and 字号 in the row above the body cell, whose
    linked issuer name made the cell alone score higher."""
    if el.tag not in ("td", "th"):
        return el
    table = el.getparent()
    while table is not None and table.tag in ("tr", "tbody", "thead"):
        table = table.getparent()
    if table is None or table.tag != "table" or len(_own_rows(table)) > 3:
        return el
    extra_text = stats.text[table] - stats.text[el]
    extra_link = stats.link[table] - stats.link[el]
    if extra_text + extra_link > max(80, 0.1 * stats.text[el]) or extra_link > extra_text:
        return el
    return table


def _choose_container(body, stats: _Stats, pr: PageRules):
    total = stats.text.get(body, 0)
    # Best by text minus link text (the fallback, and a check on known containers).
    best, best_score = body, float("-inf")
    for el in stats.order:
        if el.tag not in _OWNER_TAGS:
            continue
        score = stats.text[el] - 3 * stats.link[el]
        if score > best_score:
            best, best_score = el, score
    best = _with_header(best, stats)
    candidates = [el for el in stats.order if isinstance(el.tag, str) and _is_content_name(el, pr)
                  and stats.text.get(el, 0) >= 20 and stats.density(el) < 0.5]
    if candidates:
        top = max(stats.text[el] for el in candidates)
        chosen = None
        for el in candidates:           # document order: outer before inner
            if stats.text[el] >= 0.85 * top:
                chosen = el             # keeps the innermost of the nested ones
        if chosen is not None:
            in_best = chosen in _ancestors_and_self(best)
            if in_best or stats.text[chosen] >= 0.5 * stats.text.get(best, 0):
                if stats.text[chosen] >= 0.3 * total or stats.text[chosen] >= 200:
                    return chosen
    return best


def read(data: bytes, source: str, rules=None) -> Document:
    """Read an HTML page's bytes into a built Document (raises IngestError). ``rules``:
    the rule set whose junk.yml names page clutter (the bundled rules when None)."""
    pr = page_rules(rules)
    text, encoding, bad = decode(data)
    root, deep = _parse(text)
    doc = Document(source=source, format="html", encoding=encoding)
    if bad:
        doc.warn("undecodable_bytes",
                 f"{bad} byte sequence(s) could not be decoded as {encoding} and were replaced by U+FFFD")
    if deep:
        doc.warn("html_deep_nesting", f"elements nested deeper than {MAX_DEPTH_OK} levels were flattened")

    title_el = root.find(".//title")
    page_title = _clean(title_el.text_content()) if title_el is not None else ""
    meta = _meta_tags(root)
    body = root.find("body")
    if body is None:
        body = root

    # Invisible and non-text elements go first.
    _remove_elements(root, lambda el: el.tag in _DROP_TAGS, set())
    stats = _Stats(body)
    total = stats.text.get(body, 0)

    info_el = _info_container(body, pr)
    info = parse_info_table(info_el, pr) if info_el is not None else {}
    if info_el is not None and stats.text.get(info_el, 0) < 0.5 * max(total, 1):
        stats.drop(info_el)

    found = _find_title(body, page_title, meta)
    all_lines = [b.text for b in _Walker(flatten_tables=True).walk(body).blocks]

    # Hidden elements go whatever their size: CMS pages carry a second, hidden copy of
    # the article (print or zoom containers). Only when nothing visible would be left is
    # the hidden text kept, with a warning.
    total = stats.text.get(body, 0)
    hidden = _outermost(body, _is_hidden)
    hidden_text = sum(stats.text.get(el, 0) for el in hidden)
    if hidden and total - hidden_text >= min(200, 0.2 * total):
        for el in hidden:
            stats.drop(el)
    elif hidden_text:
        doc.warn("hidden_body", "the page's only text is in hidden elements; it was read anyway")

    # Page chrome: keep anything holding a large share of the page's text.
    total = stats.text.get(body, 0)
    protect = {el for el in stats.order if stats.text[el] > 0.4 * total} if total else set()
    _remove_elements(body, lambda el: _is_junk(el, pr), protect, drop=stats.drop)

    container = _choose_container(body, stats, pr)
    walker = _Walker().walk(container)
    blocks = walker.blocks

    furniture: list[str] = []
    kept: list[Block] = []
    for b in blocks:
        if b.kind != "table_row" and len(b.text) <= 160:
            if _furniture_line(b.text, pr) and not b.kind == "heading":
                furniture.append(b.text)
                continue
            if _junk_line(b.text, pr):
                continue
        kept.append(b)
    blocks = kept

    if found is not None:
        title_text, level = found
        key = _nospace(title_text)
        present = any(_nospace("".join(b.text for b in blocks[i:i + 4])).startswith(key)
                      for i in range(min(6, len(blocks))))
        if not present:
            blocks.insert(0, Block(kind="heading", text=title_text, level_hint=level))

    body_lines = {b.text for b in blocks}
    for line in all_lines:
        if line not in body_lines and _furniture_line(line, pr) and line not in furniture:
            furniture.append(line)

    doc.blocks = blocks
    doc.page_meta = {"title": page_title, "meta": meta, "info_table": info, "furniture": furniture}
    doc.build()
    if not blocks:
        doc.warn("no_text", "no main text found in the HTML page")
    return doc
