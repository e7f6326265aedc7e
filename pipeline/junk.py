"""Remove site furniture and spam lines; flag mojibake. Patterns: rules/junk.yml."""
from __future__ import annotations

import bisect
import re

from .model import Block, Document
from .normalize import match_view
from .rules import RuleSet, register_schema, rule_list_schema

_PATTERN_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "pattern"],
        "properties": {"name": {"type": "string"}, "pattern": {"type": "string"}},
    },
}

# id/class names: whole words (or name parts), or a pattern for a whole name
_NAME_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "oneOf": [{"required": ["words"]}, {"required": ["pattern"]}],
        "properties": {"name": {"type": "string"}, "pattern": {"type": "string"},
                       "words": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}},
    },
}

register_schema(
    "junk.yml",
    rule_list_schema(
        {"pattern": {"type": "string"}},
        required=("name", "pattern"),
        top={
            "head_window": {"type": "integer", "minimum": 0},
            "head_max_chars": {"type": "integer", "minimum": 0},
            "field_lines_window": {"type": "integer", "minimum": 0},
            "field_value_max_chars": {"type": "integer", "minimum": 1},
            "contents_window": {"type": "integer", "minimum": 0},
            "contents_entry_pattern": {"type": "string"},
            "head_rules": _PATTERN_LIST,
            "signatory_pattern": {"type": "string"},
            "keep_rules": _PATTERN_LIST,
            "spam_rules": _PATTERN_LIST,
            "mojibake": _PATTERN_LIST,
            "inline": _PATTERN_LIST,
            "runon_min_chars": {"type": "integer", "minimum": 100},
            "runon_split": _PATTERN_LIST,
            "runon_space_split": _PATTERN_LIST,
            "runon_space_keep": _PATTERN_LIST,
            "runon_space_min": {"type": "integer", "minimum": 2},
            "label_head_pattern": {"type": "string"},
            "label_tail_pattern": {"type": "string"},
            "line_split": _PATTERN_LIST,
            "body_start": _PATTERN_LIST,
            "title_lines": _PATTERN_LIST,
            # read by the HTML reader (pipeline/ingest/html.py)
            "html_content_words": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "html_chrome": _NAME_LIST,
            "html_content": _NAME_LIST,
            "html_junk_tokens": _PATTERN_LIST,
            "html_junk_lines": _PATTERN_LIST,
            "html_furniture": _PATTERN_LIST,
            "html_info_labels": _NAME_LIST,
            "html_info_anchors": _NAME_LIST,
        },
    ),
)


def _title_rx(rules: RuleSet) -> dict[str, re.Pattern]:
    return rules.built("junk_title_lines", lambda: {
        r["name"]: re.compile(r["pattern"]) for r in (rules.get("junk.yml") or {}).get("title_lines") or []})


def continues_title(prev: str, cur: str, rules: RuleSet, above: str | None = None) -> bool:
    """Whether the line ``prev`` (match view) is the start of a title set on several
    lines that goes on with ``cur``: 国务院办公厅关于推进 / …的意见; 鄂温克族自治旗人民政府办公室 /
    关于印发…的通知; 道县文广新局2013年度信息公开工作 / 年度报告. The words are junk.yml's
    title_lines (a rule missing from a mutated rule set matches nothing)."""
    rx = _title_rx(rules)

    def has(name: str, text: str, at_start: bool = False) -> bool:
        p = rx.get(name)
        return bool(p and (p.match(text) if at_start else p.search(text)))

    prev, cur = prev.strip(), cur.strip()
    if not prev or len(prev) > 60 or re.search(r"[。:;,!?]$", prev):
        return False
    if not has("title-about", cur) and has("title-head", prev):
        return True
    if has("title-about", cur, at_start=True) and (has("org-end", prev) or has("title-forward", prev)):
        return True
    # 淮安市洪泽区人民政府 / 2024年政府信息公开工作年度报告: the issuer's name above its title
    if has("org-end", prev) and len(prev) <= 30 and has("doc-end", cur):
        return True
    # 上海保险分支机构高级管理人员 / 任职资格考试管理办法: a title broken mid-phrase
    # (…地下车位（库） / 销售备案和不动产登记管理规定: a short alias in brackets ends the first line)
    if len(cur) <= 16 and has("doc-end", cur) and not has("site-end", prev) \
            and re.search(r"[\u4e00-\u9fff]{4}(?:\([\u4e00-\u9fff]{1,4}\))?$", prev):
        return True
    # 关于印发某市与某州 / 共同推进城市群建设2020年 / 重点任务清单的通知: a middle line, with the
    # title's head on the line above it (``above``)
    above = (above or "").strip()
    if above and len(above) <= 40 and not re.search(r"[。:;,!?]$", above) and has("title-head", above) \
            and len(prev) <= 30 and has("doc-end", cur):
        return True
    return len(cur) <= 8 and bool(re.search(r"[\u4e00-\u9fff]{4}$", prev))


_LETTER_SPACED = re.compile(r"(?:[\u4e00-\u9fff][ \t\u3000]+)+[\u4e00-\u9fff]")


def unspaced(text: str) -> str:
    """A title word set letter-spaced on a line of its own (通      知) read as written (通知);
    other spaces stay (某局 某局 关于…: two issuers)."""
    return re.sub(r"[ \t\u3000]+", "", text) if _LETTER_SPACED.fullmatch(text) else text


def _first(rules: RuleSet, items: list[dict], text: str) -> str | None:
    for r in items:
        if rules.regex(r["pattern"]).search(text):
            return r["name"]
    return None


def _split_runon(doc: Document, rules: RuleSet, cfg: dict) -> None:
    """Cut lines that lost their breaks in scraping at the headings inside them (long lines,
    runon_split), and cut what a crawler glued together on any line and on each piece of a
    cut one (line_split: a signature after its paragraph, a title after a signature's date…)."""
    limit = cfg.get("runon_min_chars", 1200)
    line_rxs = [rules.regex(r["pattern"]) for r in cfg.get("line_split", [])]
    if not line_rxs and not any(len(b.text) > limit and b.kind != "table_row" for b in doc.blocks):
        return
    rxs = [rules.regex(r["pattern"]) for r in cfg.get("runon_split", [])]
    space_rxs = [rules.regex(r["pattern"]) for r in cfg.get("runon_space_split", [])]
    keep_rxs = [rules.regex(r["pattern"]) for r in cfg.get("runon_space_keep", [])]
    # what is no text goes first, so that it hides no break (…相关链接： 1111MicrosoftInternet
    # Explorer402…Normal0 区直各单位：…, leaked Word properties between two paragraphs)
    inline = [rules.regex(r["pattern"]) for r in cfg.get("inline", [])]
    space_min = cfg.get("runon_space_min", 10)
    out = []
    changed = False
    for b in doc.blocks:
        if b.kind == "table_row":
            out.append(b)
            continue
        runon = len(b.text) > limit
        pieces = [b.text]
        if runon:
            for rx in inline:
                b.text = _without(b.text, rx)
            view = match_view(b.text)
            # a rule with a group ``at`` cuts where that group starts (a cut after a variable-width
            # context, which a lookbehind cannot express)
            cut_set = {_cut_at(m, rx) for rx in rxs for m in rx.finditer(view)}
            # a page whose paragraphs were joined with single spaces: many such spaces are breaks
            spaces = {m.start() for rx in space_rxs for m in rx.finditer(view)}
            if len(spaces) >= space_min:
                cut_set |= _breaking_spaces(view, spaces, cut_set, keep_rxs)
            cuts = sorted(cut_set - {0})
            pieces = [b.text[s:e].strip() for s, e in zip([0, *cuts], [*cuts, len(b.text)])]
            doc.warn("runon_line", f"a {len(b.text)}-character line was split at {len(cuts)} headings or breaks")
        cut_pieces = [p for piece in pieces for p in _cut(piece.strip(), line_rxs)]
        if not runon and len(cut_pieces) == 1:
            out.append(b)
            continue
        changed = True
        out += [Block("paragraph", p, page=b.page) for p in cut_pieces if p]
    if changed:
        doc.blocks = out
        doc.build()


def _cut(text: str, rxs: list[re.Pattern]) -> list[str]:
    """``text`` cut where the patterns say, and its pieces again (each stripped)."""
    if not rxs:
        return [text]
    view = match_view(text)
    cuts = sorted({_cut_at(m, rx) for rx in rxs for m in rx.finditer(view)} - {0, len(text)})
    if not cuts:
        return [text]
    # a cut piece may end where another cut applies (…报送。 附件：某表.xls 某局 2020年10月16日:
    # the signature first, then the file name)
    return [p for s, e in zip([0, *cuts], [*cuts, len(text)]) for p in _cut(text[s:e].strip(), rxs)]


def _join_broken_labels(doc: Document, rules: RuleSet, cfg: dict) -> None:
    """A field label a converter broke over two lines (牵头 ⏎ 责任单位:县卫健委) is one line again."""
    head, tail = cfg.get("label_head_pattern"), cfg.get("label_tail_pattern")
    if not head or not tail:
        return
    head_rx, tail_rx = rules.regex(head), rules.regex(tail)
    out: list[Block] = []
    joined = False
    for b in doc.blocks:
        prev = out[-1] if out else None
        if prev is not None and prev.kind != "table_row" and b.kind != "table_row" \
                and head_rx.fullmatch(match_view(prev.text).strip()) and tail_rx.match(match_view(b.text).lstrip()):
            out[-1] = Block("paragraph", prev.text.strip() + b.text.lstrip(), page=prev.page)
            joined = True
            continue
        out.append(b)
    if joined:
        doc.blocks = out
        doc.build()


def _cut_at(m: re.Match, rx: re.Pattern) -> int:
    return m.start("at") if "at" in rx.groupindex else m.start()


def _without(text: str, rx) -> str:
    """``text`` without the spans ``rx`` finds in its match view (same length as the text)."""
    for m in reversed(list(rx.finditer(match_view(text)))):
        text = text[:m.start()] + text[m.end():]
    return text


def _breaking_spaces(view: str, spaces: set[int], cuts: set[int], keep_rxs: list) -> set[int]:
    """The spaces that break paragraphs, without those that end a short inline item
    heading (（三）强化绩效考核。 区农业农村局要…): the heading stays with its body, as
    items written without the space do. A keep pattern matches from the start of the
    piece before the space and must end at the space (it may look past it)."""
    if not keep_rxs:
        return spaces
    out = set()
    starts = sorted(cuts | spaces | {0})
    for s in sorted(spaces):
        k = bisect.bisect_left(starts, s)
        start = starts[k - 1] + (1 if starts[k - 1] in spaces else 0) if k else 0
        if not any((m := rx.match(view, start)) and m.end() == s for rx in keep_rxs):
            out.add(s)
    return out


def _signature_block(views: list[str], rules: RuleSet, cfg: dict) -> set[int]:
    """The signatories of a joint notice, one per line above its dated signature line
    (某某局 / 某某局 / 某某局 2023年3月22日): kept with it, though short lines before the
    body are otherwise furniture."""
    sig = [r for r in cfg.get("keep_rules", []) if r["name"] == "signature-line"]
    who = cfg.get("signatory_pattern")
    if not sig or not who:
        return set()
    sig_rx, who_rx = rules.regex(sig[0]["pattern"]), rules.regex(who)
    keep: set[int] = set()
    for i, v in enumerate(views):
        if sig_rx.search(v):
            k = i - 1
            while k >= 0 and i - k <= 16 and who_rx.fullmatch(v if k == i else views[k]):
                keep.add(k)
                k -= 1
    return keep


def _field_lines(doc: Document, views: list[str], rules: RuleSet, cfg: dict) -> set[int]:
    """Lines near the top that are a page's metadata table run into text (索引号 X 组配分类 Y,
    文    号厅头〔2022〕723号效力状态有效, 文件名称关于…的通知): label by label, their values go to
    page_meta['info_table'] (where the metadata extractor reads 文号 and 名称), and the lines
    are furniture. A line counts when it opens with a label and holds a second one, or when a
    line next to it is such a line too (a table row per line)."""
    # the same labels a served page's metadata table has (html_info_labels)
    labels = [w for r in cfg.get("html_info_labels") or [] for w in r.get("words") or []]
    if not labels:
        return set()
    alt = "|".join(r"\s*".join(map(re.escape, w)) for w in sorted(labels, key=len, reverse=True))
    rx = rules.regex(f"(?:{alt})")
    found: dict[int, list[tuple[str, str]]] = {}
    head = min(len(views), cfg.get("field_lines_window", 15))
    for i in range(head):
        v = views[i]
        if doc.blocks[i].kind == "table_row" or not rx.match(v):
            continue
        hits = list(rx.finditer(v))
        # labels are read on the match view, values kept as written (發文字號：台財促字…)
        original = doc.blocks[i].text.strip()
        src = original if len(original) == len(v) else v
        pairs = []
        for k, m in enumerate(hits):
            end = hits[k + 1].start() if k + 1 < len(hits) else len(v)
            pairs.append((re.sub(r"\s+", "", m.group(0)), src[m.end():end].strip(" :：|")))
        if all(len(value) <= cfg.get("field_value_max_chars", 100) for _, value in pairs):
            found[i] = pairs
    lines = {i for i in found if len(found[i]) >= 2 or i - 1 in found or i + 1 in found}
    info = doc.page_meta.setdefault("info_table", {}) if lines else {}
    for i in sorted(lines):
        for label, value in found[i]:
            if value and label not in info:
                info[label] = value
    return lines


def _table_of_contents(views: list[str], rules: RuleSet, cfg: dict) -> set[int]:
    """A 目录 line near the top and the entries listed under it (numbered section names, or
    names with leader dots and a page number): a list of the document's parts, not its
    structure (the tree would take each entry for an empty section)."""
    entry = cfg.get("contents_entry_pattern")
    if not entry:
        return set()
    rx = rules.regex(entry)
    for i, v in enumerate(views[:cfg.get("contents_window", 60)]):
        if re.sub(r"\s+", "", v) not in ("目录", "目次"):
            continue
        j = i + 1
        while j < len(views) and rx.search(views[j]):
            j += 1
        return set(range(i, j)) if j - i > 2 else set()
    return set()


_LONG = 20   # characters: a paragraph long enough that a verbatim repeat is a copy


def _drop_repeated_body(doc: Document, blocks: list) -> list:
    """A body that repeats itself (a page with the article twice, a converter that
    emitted it twice) keeps one copy, with a warning: otherwise every fact would be
    reported twice."""
    keys = [(k, re.sub(r"\s+", "", b.text)) for k, b in enumerate(blocks)
            if b.kind != "table_row" and len(b.text.strip()) >= _LONG]
    if len(keys) < 6:
        return blocks
    texts = [t for _, t in keys]
    first = texts[0]
    for start in (j for j in range(1, len(texts)) if texts[j] == first):
        run = 0
        while start + run < len(texts) and run < start and texts[start + run] == texts[run]:
            run += 1
        if run >= 3 and run >= 0.8 * min(start, len(texts) - start):
            # align the two copies block by block (short lines too) and drop the second
            d = keys[start][0] - keys[0][0]
            same = lambda i: re.sub(r"\s+", "", blocks[i].text) == re.sub(r"\s+", "", blocks[i + d].text)  # noqa: E731
            a = keys[0][0]
            while a > 0 and same(a - 1):
                a -= 1
            b = keys[0][0]
            while b + 1 < a + d and b + 1 + d < len(blocks) and same(b + 1):
                b += 1
            doc.warn("repeated_body", f"the body repeats itself: paragraphs {a + 1}–{b + 1} appear again as "
                     f"{a + d + 1}–{b + d + 1}; the second copy was dropped")
            return blocks[:a + d] + blocks[b + d + 1:]
    return blocks


_BODY_BEFORE_JUNK_MIN = 40     # characters of text, ending a sentence, before a line's furniture
_NUMBERED_BODY_MIN = 12


def numbering_end(view: str, rules: RuleSet) -> int:
    """Where the heading number a line opens with ends (rules/headings.yml: 第二十六条, 三、, 1.), or 0."""
    text = view.strip()
    for r in rules.rules("headings.yml"):
        # (with the line's break: a style may look past its number, 第二十六条 at a line's end)
        m = rules.regex(r["pattern"]).match(text + "\n")
        if m and m.end():
            return len(view) - len(view.lstrip()) + min(m.end(), len(text))
    return 0


def _body_before_junk(view: str, rules: RuleSet, cfg: dict, after_head: bool = False) -> int:
    """Where the body text of a line ends when furniture follows it on the same line (a page
    whose breaks were lost): the last sentence end before the first furniture match, if a
    real paragraph (at least _BODY_BEFORE_JUNK_MIN characters) comes before it; else 0.
    ``after_head``: the line follows a bare article or item head (第二十六条 / 本办法自…起施行。相关附件：…)."""
    starts = [m.start() for r in cfg["rules"] + cfg.get("spam_rules", [])
              for m in [rules.regex(r["pattern"]).search(view)] if m]
    if not starts:
        return 0
    end = view.rfind("。", 0, min(starts)) + 1
    # a numbered article or item is body however short (第二十六条　本办法自…起施行。相关附件：…)
    numbered = after_head or numbering_end(view, rules) > 0
    shortest = _NUMBERED_BODY_MIN if numbered else _BODY_BEFORE_JUNK_MIN
    return end if end >= shortest else 0


_AUTHORED_FORMATS = frozenset({"doc", "docx", "wps", "odt"})


def clean(doc: Document, rules: RuleSet) -> Document:
    """Drop furniture blocks (kept in page_meta['furniture']) and flag mojibake."""
    cfg = rules.get("junk.yml")
    _split_runon(doc, rules, cfg)
    _join_broken_labels(doc, rules, cfg)
    inline = [rules.regex(r["pattern"]) for r in cfg.get("inline", [])]
    views = []
    for b in doc.blocks:        # block by block: one match view per block unless a rule cuts
        view = match_view(b.text)
        for rx in inline:
            if not rx.search(view):
                continue
            b.text = _without(b.text, rx)
            if b.cells is not None:
                b.cells = [rx.sub("", match_view(c)) if rx.search(match_view(c)) else c for c in b.cells]
            view = match_view(b.text)
        views.append(view.strip())
    body_start = 0
    window = cfg.get("head_window", 40)
    for i, v in enumerate(views[:window]):
        if _first(rules, cfg.get("body_start", []), v):
            body_start = i
            break
        # a title broken before its last word, set letter-spaced: 关于开展…活动的 / 通      知
        nxt = views[i + 1] if i + 1 < len(views) else ""
        if nxt and len(v) <= 60 and unspaced(nxt) != nxt \
                and _first(rules, cfg.get("body_start", []), v + unspaced(nxt)):
            body_start = i
            break
    # A title set on several lines starts at its first line: 国务院办公厅关于推进 / …的意见
    for _ in range(3):
        above = views[body_start - 2] if body_start >= 2 else None
        if 0 < body_start and continues_title(views[body_start - 1], views[body_start], rules, above) \
                and not _first(rules, cfg["rules"] + cfg.get("head_rules", []), views[body_start - 1]):
            body_start -= 1
    furniture = doc.page_meta.setdefault("furniture", [])
    line_rule_names = {r["name"] for r in cfg["rules"] + cfg.get("spam_rules", [])}
    keep = _signature_block(views, rules, cfg)
    fields = _field_lines(doc, views, rules, cfg)
    contents = _table_of_contents(views, rules, cfg)
    kept = []
    for i, (block, view) in enumerate(zip(doc.blocks, views)):
        reason = "field-line" if i in fields else ("table-of-contents" if i in contents else None)
        if reason is None and block.kind != "table_row" and i not in keep \
                and not _first(rules, cfg.get("keep_rules", []), view):
            reason = _first(rules, cfg["rules"], view) or _first(rules, cfg.get("spam_rules", []), view)
            # (short lines above the body are a web page's chrome; a file as written by its
            # issuer has none, and its short lines there are its title, byline and salutation)
            if reason is None and i < body_start and (
                (len(view) <= cfg.get("head_max_chars", 40) and doc.format not in _AUTHORED_FORMATS)
                or _first(rules, cfg.get("head_rules", []), view)
            ):
                reason = "before-body"
        head = 0
        if reason in line_rule_names:
            # the line after a bare article or item number (第二十六条 / 本办法自…施行。相关附件：…)
            after_head = i > 0 and 0 < numbering_end(views[i - 1], rules) >= len(views[i - 1].rstrip())
            head = _body_before_junk(view, rules, cfg, after_head)
        if head:
            # a long line that ends in furniture (…有效期3年。相关附件：…扫一扫在手机打开当前页):
            # its body is kept, the furniture goes
            furniture.append(block.text[head:])
            kept.append(Block(block.kind, block.text[:head].rstrip(), page=block.page, level_hint=block.level_hint))
        elif reason:
            furniture.append(block.text)
        else:
            kept.append(block)
    doc.blocks = _drop_repeated_body(doc, kept)
    doc.build()
    view = match_view(doc.text)
    for r in cfg.get("mojibake", []):
        for m in rules.regex(r["pattern"]).finditer(view):
            doc.warn("mojibake", f"garbled characters ({r['name']}): {doc.text[m.start():m.end()]!r}",
                     span=(m.start(), m.end()), page=doc.page_at(m.start()))
    return doc
