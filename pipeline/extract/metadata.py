"""Document metadata after GB/T 9704-2012: title, 发文字号, issuer, 成文日期, 主送, 抄送, 附件.

Sources, best first: the document's own text (title line, signature, date line), then
the web page's metadata table and meta tags, then page furniture (发布时间 lines).
Absolute dates are parsed by dateparser on an isolated date string, Chinese numerals
converted with cn2an first. The language data (which lines are titles, dates, 主送…)
is rules/metadata.yml; a rule deleted from a rule set (tools/mutate_rules.py) matches
nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..model import Document
from ..normalize import match_view
from ..junk import continues_title, unspaced as _unspaced
from ..rules import RuleError, RuleSet, default_rules, register_schema, rule_list_schema
from . import placeholders
from .placeholders import cn_digits, cn_number
from .references import normalize_doc_number

RULE_FILE = "metadata.yml"
_STR = {"type": "string"}
_WORDS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
# the rules the extractor reads by name: a rule file without one of them is refused
REQUIRED = ("title-about", "title-doc-type", "title-forwards", "title-tail", "title-complete",
            "title-qualifier", "title-draft-mark", "title-version-note", "title-number-tail", "title-status-mark", "seal-note", "doc-number", "order-number", "title-serial-number", "title-core",
            "date", "date-chinese-numerals", "date-roc", "date-line", "promulgated", "adopted-by-meeting", "published-date",
            "unit-end", "issuer-in-title", "issuer-before-year", "issuer-after-year", "source-line", "issuer-opens-title", "self-named-issuer", "order-issuer", "not-an-issuer",
            "recipients-line", "recipients-inline", "recipients-label", "not-recipients", "place-name", "heading-number", "cc-label",
            "attachments-label", "annex-heading", "attachment-item", "printed-line", "enclosing-title",
            "classification", "urgency", "year-stated")
_TITLE_RULES = ("title-about", "title-doc-type", "title-forwards")
_BOOK_TITLE = re.compile(r"《[^《》]+》")     # a whole line or title set in book-title marks

# joint documents sign one body per line above the date (nine departments are common)
_MAX_SIGNATORIES = 16


def _check(raw: Any) -> list[str]:
    """Problems a schema cannot see: a required rule missing, a {NAME} no word list
    defines, a pattern that is no regex once its words are filled in."""
    out: list[str] = []
    raw_words = raw.get("words") if isinstance(raw.get("words"), dict) else {}
    words = {k: "|".join(re.escape(str(w)) for w in v) for k, v in raw_words.items() if isinstance(v, list)}
    rule_list = raw.get("rules") if isinstance(raw.get("rules"), list) else []
    names = {r.get("name") for r in rule_list if isinstance(r, dict)}
    out += [f" missing rule {n!r} (pipeline/extract/metadata.py reads it)" for n in REQUIRED if n not in names]
    for key in ("rules", "admin_levels"):
        for r in raw.get(key) if isinstance(raw.get(key), list) else []:
            if not isinstance(r, dict) or not isinstance(r.get("pattern"), str):
                continue
            try:
                re.compile(r["pattern"])
            except re.error:
                continue            # the loader reports a pattern that is no regex as written
            try:
                re.compile(placeholders.expand(r["pattern"], words, f"rule {r.get('name')!r}"))
            except RuleError as exc:
                out.append(f"{r.get('__line__')}: {exc}")
            except re.error as exc:
                out.append(f"{r.get('__line__')}: rule {r.get('name')!r}: invalid regex once words are filled in: {exc}")
    return out


register_schema(RULE_FILE, rule_list_schema(
    {"pattern": _STR}, required=("name", "pattern"),
    top={
        "words": {"type": "object", "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"}, "additionalProperties": _WORDS},
        "type_of_ending": {"type": "object", "additionalProperties": _STR},
        "page_fields": {"type": "object", "additionalProperties": False,
                        "properties": {k: _WORDS for k in ("title", "doc_number", "issued_on", "published", "issuer",
                                                           "publisher")}},
        "admin_levels": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "pattern", "level"],
            "properties": {"name": {"type": "string", "minLength": 1}, "pattern": _STR, "region": _STR, "level": _STR,
                           "levels": {"type": "array", "items": {
                               "type": "object", "additionalProperties": False, "required": ["suffix_pattern", "level"],
                               "properties": {"suffix_pattern": _STR, "level": _STR}}}}}},
    }), check=_check)


class MetaRules:
    """rules/metadata.yml compiled once per rule set; a rule missing from the set (only
    a mutated set can lack one: the loader refuses it) never matches."""

    def __init__(self, rules: RuleSet):
        cfg = rules.get(RULE_FILE) or {}
        words = cfg.get("words") or {}
        pieces = {k: "|".join(map(re.escape, v)) for k, v in words.items()}
        self.doc_types: list[str] = list(words.get("DOC_TYPE") or [])
        self.type_of_ending: dict[str, str] = dict(cfg.get("type_of_ending") or {})
        self.page_fields: dict[str, list[str]] = dict(cfg.get("page_fields") or {})
        self.rx = {r["name"]: re.compile(placeholders.expand(r["pattern"], pieces, f"{RULE_FILE}: rule {r['name']!r}"))
                   for r in cfg.get("rules") or []}
        self.levels = [(r, re.compile(r["pattern"]), [(re.compile(x["suffix_pattern"]), x["level"]) for x in r.get("levels") or []])
                       for r in cfg.get("admin_levels") or []]
        self._dates: dict[str, str | None] = {}

    def search(self, name: str, text: str) -> re.Match | None:
        rx = self.rx.get(name)
        return rx.search(text) if rx is not None else None

    def match(self, name: str, text: str) -> re.Match | None:
        rx = self.rx.get(name)
        return rx.match(text) if rx is not None else None

    def fields(self, name: str) -> list[str]:
        return self.page_fields.get(name) or []

    def parse_date(self, text: str) -> str | None:
        """parse_date with these rules, remembered per text (kept with the rule set, so a
        cache never holds on to rule sets that are gone)."""
        if text not in self._dates:
            if len(self._dates) > 4096:
                self._dates.clear()
            self._dates[text] = _parse_date(text, self)
        return self._dates[text]


def meta_rules(rules: RuleSet | None = None) -> MetaRules:
    rules = rules if rules is not None else default_rules()
    return rules.built("metadata", lambda: MetaRules(rules))


def parse_date(text: str, rules: RuleSet | None = None) -> str | None:
    """An absolute date in any common form → ISO string, or None.

    The date is cut out of its line first (dateparser's search mislocates spans in
    Chinese text), Chinese numerals are converted with cn2an (dateparser does not read
    二〇二一年六月四日), then dateparser parses the isolated string strictly, so an
    impossible date (2月30日) or one without a day gives None.
    """
    return meta_rules(rules).parse_date(text)


def _parse_date(text: str, mr: MetaRules) -> str | None:
    text = text.strip()
    roc = mr.search("date-roc", text)
    if roc:   # the Republic of China calendar: 民国108年 = 2019
        text = text[:roc.start()] + f"{int(roc.group(1)) + 1911}年" + text[roc.end():]
    if re.fullmatch(r"(19|20)\d{6}", text):
        text = f"{text[:4]}年{text[4:6]}月{text[6:]}日"
    m = mr.search("date-chinese-numerals", text)
    if m:
        year, month, day = cn_digits(m.group(1)), cn_number(m.group(2)), cn_number(m.group(3))
        if month is None or day is None or year is None:
            return None
        text = f"{year}年{int(month)}月{int(day)}日"
    m = mr.search("date", text)
    if not m:
        return None
    parsed = _date_parser().get_date_data(re.sub(r"\s+", "", m.group(0))).date_obj
    return parsed.date().isoformat() if parsed else None


@lru_cache(maxsize=1)
def _date_parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["zh"], settings={"DATE_ORDER": "YMD", "STRICT_PARSING": True})


def recover_compact_date(digits: str, year_hint: int | None) -> str | None:
    """``2017725`` (年/月/日 lost in scraping) → 2017-07-25 when only one split is valid."""
    import datetime as dt

    if not re.fullmatch(r"(19|20)\d{5,6}", digits):
        return None
    year, rest = int(digits[:4]), digits[4:]
    if year_hint and abs(year - year_hint) > 1:
        return None
    found = set()
    for k in (1, 2):
        mo, dy = rest[:k], rest[k:]
        if not dy or len(dy) > 2 or mo.startswith("0") or dy.startswith("0"):
            continue
        try:
            found.add(dt.date(year, int(mo), int(dy)).isoformat())
        except ValueError:
            pass
    return found.pop() if len(found) == 1 else None


def doc_type_of(title: str | None, rules: RuleSet | None = None) -> str | None:
    if not title:
        return None
    t = re.sub(r"\(.{1,20}\)$", "", match_view(title).strip())
    mr = meta_rules(rules)
    for dtp in mr.doc_types:
        if t.endswith(dtp):
            if dtp in mr.type_of_ending:        # a title ending that is not itself a type
                return mr.type_of_ending[dtp]
            written = title.strip()[len(t) - len(dtp):len(t)] if len(title.strip()) >= len(t) else dtp
            return written[1:] if dtp == "号令" else written     # 2号令: 号 ends the number
    return None


def admin_level(issuer: str | None, rules: RuleSet | None = None) -> tuple[str | None, str | None]:
    """(region, level) from an issuer name: 国务院 / 部委 / 省 / 市 / 县 / 乡, by the first
    rule of metadata.yml's admin_levels that matches it."""
    if not issuer:
        return None, None
    v = match_view(issuer)
    for rule, rx, levels in meta_rules(rules).levels:
        m = rx.match(v)
        if not m:
            continue
        if "region" not in rx.groupindex:
            return rule.get("region"), rule["level"]
        tail = m.group("region")
        level = next((lv for suffix, lv in levels if suffix.search(tail)), rule["level"])
        return issuer[: len(tail)], level
    return None, None


# 国务院各部委、各直属机构 and 局机关各处室、各分局: later 各-parts name the first's own
# subdivisions; 区直各单位、各乡镇人民政府 are two recipients, a 各-part naming places stands alone
_PLACE_EACH = re.compile(r"(?:各(?:有关|相关)?|有关|相关)(?:乡镇|乡|镇|街道|县|区|市|州|省|片区|开发区|园区|村|社区|盟|旗|地)")


_CORPS = re.compile(r"[\u4e00-\u9fff]{2,10}?兵团")      # 新疆生产建设兵团教育局、发展改革委
# (部门, 联, 会, 社: 各市(州)教育主管部门、党委宣传部、妇联、总工会、职业教育社)
_OFFICE_END = re.compile(r"(?:局|委|委员会|办|办公室|厅|部|部门|联|会|社)$")
# a line that starts a field of its own (副本：, 抄送：, 附件：) ends a wrapped recipients field
_FIELD_START = re.compile(r"^\s*[^、,;:。\s]{1,6}\s*:")
_CC_GLUED = re.compile(r"(?:副\s*本|抄\s*送)\s*:\s*")


def _placed_office(name: str) -> bool:
    """A department named with its place: 武汉市房管局, 各区民政局, 区财金局."""
    m = _PLACE_EACH.match(name) or _PLACE_PREFIX.match(name) or _CORPS.match(name)
    return m is not None and len(name) - m.end() >= 2 and _OFFICE_END.search(name) is not None


def _bare_office(name: str) -> bool:
    """A department named without any place: 财政局, 水务局."""
    place = _PLACE_PREFIX.match(name)
    if place is not None and name[place.end():place.end() + 1] == "场":
        place = None                        # 市场监管局: a market, not a city
    # (乡属各部门: a collective of its own, not a department of the first one's place)
    return "各" not in name and place is None and _OFFICE_END.search(name) is not None


def _split_names(text: str, rules=None) -> list[str]:
    """Recipient names: split on commas; a 、-group splits into its names only when each
    is a whole unit name (各县(区)人民政府、开发区管委会), not when the names share a
    part (各省、自治区、直辖市人民政府; 国务院各部委、各直属机构)."""
    from .units import _top_level_split, matcher

    m = matcher(rules) if rules is not None else None
    mr = meta_rules(rules)
    out = []
    for s, e in _top_level_split(text, re.compile(r"[,，;；]")):
        group = text[s:e].strip()
        parts = [group[a:b].strip() for a, b in _top_level_split(group, re.compile("、"))]
        views = [match_view(p) for p in parts]
        places = [mr.search("place-name", re.sub(r"\([^()]*\)$", "", v)) is not None for v in views]
        # places named each in full and no body after them are so many recipients (滁州经开区、
        # 中新苏滁高新区); kinds of places share what follows (各省、自治区、直辖市人民政府; 各镇、街道)
        named_places = all(places) and not any(m is not None and m.is_place_kind(v) for v in views)
        whole = len(parts) > 1 and not named_places and (
            # a 各-collective names a body too (平潭教师进修学校、各中学: two recipients)
            any(places)
            or any(m is not None and not m.is_unit(v) and not (v.startswith("各") and len(v) > 2) for v in views)
            or ("各" in views[0][1:] and all(v.startswith("各") and not _PLACE_EACH.match(v) for v in views[1:]))
            # 各区民政局、财政局, 武汉市房管局、水务局: the later names share the first one's place
            # (split, the second would read 财政局 alone)
            or (_placed_office(views[0]) and all(_bare_office(v) for v in views[1:])))
        out.extend([group] if whole else parts)
    return [x for x in out if x]


def _proper_tail(shown: str, line: str) -> bool:
    """``line`` ends the title shown but is not all of it (the title broke inside it; a line
    that is the whole title again stands under an issuer's line of its own)."""
    return len(line) < len(shown) and shown.endswith(line)


def _own_title_lines(shown_title: str, bviews: list[str], blocks, mr, first: int,
                     tail: int = 12) -> tuple[str, int] | None:
    """The notice's own title line (or two: …工作任务实施方案 / 的通知, 某局关于 / 分解…任务) that
    ends with the title shown and names its issuer before it, within 16 lines from ``first``."""
    # (a headline may carry the number after the title: …的通知(发改运行〔2020〕1784号))
    shown = re.sub(r"\([^()]{2,30}号\)$", "", match_view(shown_title).replace(" ", ""))
    for k in range(first, min(len(bviews), first + 16)):
        for j in (k, k + 1):
            # (a second line is the title's tail: 的通知, or a longer part of the title shown:
            # 国家发展改革委 国家能源局关于做好 / 2021年电力中长期合同签订工作的通知)
            if j >= len(bviews) or (j > k and (blocks[j].kind == "table_row" or (
                    len(bviews[j]) > tail and not _proper_tail(shown, bviews[j].replace(" ", ""))))):
                continue
            v = "".join(bviews[k:j + 1]).replace(" ", "")
            if len(v) > len(shown) and v.endswith(shown) and mr.search("unit-end", v[: len(v) - len(shown)]) \
                    and mr.match("issuer-in-title", v):
                return "".join(blocks[x].text.strip() for x in range(k, j + 1)), j
    return None


def _letterhead(lines: list, mr) -> tuple[str, str] | None:
    """A 公文's letterhead near the top (財政部 書函): who issues it, as written, and what kind
    it is. It stands above the 主旨, among the lines the cleaner keeps aside as page furniture."""
    for line in lines[:12]:
        original = str(line).strip()
        v = match_view(original)
        m = mr.match("letterhead-issuer", v)
        if m and mr.search("unit-end", m.group("who")):
            who = original[m.start("who"):m.end("who")] if len(v) == len(original) else m.group("who")
            return who.strip(), m.group("type")
    return None


def _closing_type(bviews: list[str], mr) -> str | None:
    """A document with no title still says what it is in its closing formula: 此复 (批复),
    特此通知, 特此公告 (metadata.yml closing-type: the group that matched names the type)."""
    for v in reversed(bviews[-12:]):
        m = mr.match("closing-type", v)
        if m:
            return m.lastgroup
    return None


_ADDRESSEE = re.compile(r"^([^《:]{2,60}):")


def _addressed(v: str, mr) -> bool:
    """区直各单位:为贯彻落实《关于…的通知》…: the 主送 line run into the body, no title: the
    part before the colon is a collective (各…) or ends as a body does (unit-end), not a
    field label (法规名称:, the title's own) nor a title's own colon (…议定事项：关于…)."""
    m = _ADDRESSEE.match(v)
    if m is None:
        return False
    name = m.group(1).strip()
    return name not in mr.fields("title") and ("各" in name or mr.search("unit-end", name) is not None)


def _order_number(m: re.Match) -> str:
    """某市人民政府令第125号, or 某市人民政府第320号令 as that document writes it."""
    if m.group("n2"):
        return f"{m.group('who')}第{m.group('n2')}号令"
    return f"{m.group('who')}令第{m.group('n')}号"


_PLACE_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{0,6}?(?:省|市|自治区|自治州|县|区|州|盟|旗))")


def _split_glued_signers(name: str, mr: MetaRules) -> list[str]:
    """Joint signatories printed with no separator (重庆市发展和改革委员会重庆市公安局,
    市住房城乡建设管理委市房屋管理局): cut where the first name's place prefix starts again
    right after a name ending; every part must end like an organisation."""
    p = _PLACE_PREFIX.match(name)
    if not p or len(name) < 8:
        return [name]
    prefix = p.group(0)
    cuts = [0]
    for i in range(len(prefix) + 2, len(name) - len(prefix)):
        if name.startswith(prefix, i) and mr.search("unit-end", match_view(name[cuts[-1]:i])):
            cuts.append(i)
    parts = [name[a:b] for a, b in zip(cuts, cuts[1:] + [len(name)])]
    if len(parts) > 1 and all(mr.search("unit-end", match_view(x)) for x in parts):
        return parts
    return [name]


def _abbreviates(short: str, full: str) -> bool:
    """某区安监局 is short for 某区安全生产监督管理局: the same first and last characters,
    and every character of the short name in the full one, in order."""
    if len(short) < 3 or len(short) >= len(full) or short[0] != full[0] or short[-1] != full[-1]:
        return False
    rest = iter(full)
    return all(ch in rest for ch in short)


def _names_joint_issuers(page_title: str, title: str, mr: MetaRules) -> bool:
    """The page's headline is the title with more signatories in front (甲会 乙局关于…)."""
    full, own = match_view(page_title).replace(" ", ""), match_view(title).replace(" ", "")
    if len(full) <= len(own) or not full.endswith(own) or not mr.match("issuer-in-title", own):
        return False
    # the headline's characters before the title, counted without spaces (甲局 乙局 关于… / 乙局关于…)
    want, head = len(full) - len(own), ""
    for ch in match_view(page_title):
        if want == 0:
            break
        head += ch
        want -= not ch.isspace()
    names = head.split()
    return bool(names) and all(mr.search("unit-end", n) for n in names)


def _place_prefixed(full: str, short: str) -> bool:
    """``full`` is ``short`` after the name of its place (平潭综合实验区 + 君山片区管理局党政办公室)."""
    prefix = full[: len(full) - len(short)] if full.endswith(short) else ""
    return _PLACE_PREFIX.fullmatch(prefix) is not None


def _mostly_units(names: list[str], rules) -> bool:
    """A 主送 line names organisations: most of its names end like one (局, 政府, 各…)."""
    from .units import matcher

    m = matcher(rules)
    views = [match_view(n) for n in names]
    # (片区各工作片, 区直各单位: a place and 各 name a collective too)
    good = sum(1 for v in views if m.is_unit(re.sub(r"\([^()]*\)$", "", v)) or v.startswith("各") or m.is_collective(v)
               or re.match(r"[\u4e00-\u9fff]{1,4}各[\u4e00-\u9fff]", v) is not None)
    return good * 2 >= len(views)


def _order_heading(bviews: list[str], mr) -> str | None:
    """A gazette order's or notice's heading line near the top (教育部令, 衛生福利部公告)."""
    return next((v for v in bviews[:3] if mr.match("order-issuer", v)), None)


def _order_enclosed_title(bviews: list[str], blocks, mr) -> tuple[str, int] | None:
    """The title of a gazette order that amends or sets rules: the name of the rules it
    encloses, in the document's script (its heading line adds 修正规定 / 部分条文修正条文)."""
    if _order_heading(bviews, mr) is None:
        return None
    named = None
    for i, v in enumerate(bviews[:10]):
        m = mr.match("order-enclosed-title", v)
        if not m:
            continue
        group = next(g for g in ("enclosed", "renamed", "part", "named") if m.group(g))
        found = (blocks[i].text.strip()[m.start(group):m.end(group)], i)
        if group == "enclosed":
            return found
        named = named or found
    return named


def extract(doc: Document, view: str, root, rules) -> dict:
    blocks = doc.blocks
    bviews = [view[b.start:b.end].strip() for b in blocks]
    pm = doc.page_meta or {}
    info = {match_view(k).strip(" :"): v for k, v in (pm.get("info_table") or {}).items()}
    meta_tags = pm.get("meta") or {}
    mr = meta_rules(rules)

    def page_field(name: str):
        return next((info[k] for k in mr.fields(name) if info.get(k)), None)

    # Title: the first title-like line near the top; a forwarded plan's title later.
    title, title_i = None, None
    for i, v in enumerate(bviews[:25]):
        if blocks[i].kind == "table_row" or len(v) > 150 or v.endswith(("。", ":")) or mr.match("heading-number", v) \
                or mr.match("attachments-label", v) or mr.match("annex-heading", v) or _addressed(v, mr):
            continue    # (附件：1.某某设立指引 names an attachment, not this document)
        # a title set on several lines: 重庆市粮食局 重庆市财政局 / 关于印发《… / …》的通知
        j, joined = i, _unspaced(v)
        while j > 0 and i - j < 3 and not mr.match("annex-heading", bviews[j - 1]) \
                and continues_title(bviews[j - 1], joined, rules, bviews[j - 2] if j >= 2 else None):
            j -= 1
            joined = _unspaced(bviews[j]) + joined
        # a title line set in book-title marks (《某某管理规定》) is read without them
        probe = joined[1:-1] if _BOOK_TITLE.fullmatch(joined) else joined
        if any(mr.search(name, probe) for name in _TITLE_RULES):
            title, title_i = "".join(_unspaced(blocks[k].text.strip()) for k in range(j, i + 1)), i
            # the rest of a title broken before its last words: …信息报告 / 工作的通知
            if i + 1 < len(bviews) and blocks[i + 1].kind != "table_row" and mr.match("title-tail", bviews[i + 1]) \
                    and not mr.search("title-complete", bviews[i]):
                title, title_i, i = title + blocks[i + 1].text.strip(), i + 1, i + 1
            # a qualifier on its own line belongs to the title: （连续试运行V2.0）, （试行）
            if i + 1 < len(bviews) and mr.match("title-qualifier", bviews[i + 1]):
                title, title_i = title + blocks[i + 1].text.strip(), i + 1
            break
    if title is not None:
        # a database export's field line (法规名称：某某要点) read as the title keeps no label
        for label in mr.fields("title"):
            m_label = re.match(r"\s*" + re.escape(label) + r"\s*[:：]\s*", match_view(title))
            if m_label and len(title) > m_label.end():
                title = title[m_label.end():]
                break
    if title is not None and title_i is not None:
        # a crawled page shows the headline (关于…的通知) and, a few lines on, the notice's own
        # title line naming its issuer (某某局关于…的通知): the issuer's line is the title
        own_title = _own_title_lines(title, bviews, blocks, mr, title_i + 1)
        if own_title is not None:
            title, title_i = own_title
    order_title = _order_enclosed_title(bviews, blocks, mr)
    # (a gazette 公告 titled with the rules it sets is still a 公告; an order 令 takes its rules' kind)
    notice_kind = order_title is not None and (_order_heading(bviews, mr) or "").endswith("公告")
    if order_title is not None:
        title, title_i = order_title
    if title is None and page_field("title"):
        # a database's version note is not part of the title: 最低工资法（112.12.27制定）
        title = str(page_field("title")).strip()
        note = mr.search("title-version-note", title)
        title = title[: note.start()] if note else title
        own_title = _own_title_lines(title, bviews, blocks, mr, 0, tail=40)
        if own_title is not None:     # the body's own title names the issuer the page's field drops
            title = own_title[0]
    page_title = str(page_field("title") or meta_tags.get("ArticleTitle") or pm.get("title") or "").strip() or None
    if title is None:
        title = page_title
    elif page_title and doc_type_of(page_title, rules) == "通知" and doc_type_of(title, rules) != "通知" \
            and (f"《{match_view(title).strip()}》" in match_view(page_title).replace(" ", "")
                 or re.search("(?:印发|转发)" + re.escape(match_view(title).strip()) + "的通知$",
                              match_view(page_title).replace(" ", "")) is not None):
        # the body opens with the enclosed document (a notice with no title line of its own):
        # the page's headline, X印发《<that document>》的通知, is the notice's title
        title = page_title
    elif page_title and _names_joint_issuers(page_title, title, mr):
        # 甲会 乙局关于…的通知: the crawler split the joint title line and the body kept
        # only 乙局关于…; the page's headline has both signatories
        title = page_title
    title = re.sub(r"\s+", "", title) if title and re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", title) else title
    status = mr.match("title-status-mark", title) if title else None
    if title and status:
        title = title[status.end():]     # [已废止]…的通知: the site's label
    draft = mr.search("title-draft-mark", title) if title else None
    if title and draft:
        title = title[: draft.start()].rstrip()      # …的通知（征求意见稿）: the draft's status
    if title:                            # 并政办发〔2016〕32号《…的通知》: the number before the quoted title
        lead = mr.match("doc-number", match_view(title))
        rest = title[lead.end():].strip() if lead else ""
        # (or before the title line itself: 盘县政办发〔2017〕88号 盘山县人民政府办公室关于印发…的通知)
        if lead and (_BOOK_TITLE.fullmatch(rest) or mr.search("title-about", match_view(rest))):
            title = rest
    if title and _BOOK_TITLE.fullmatch(title):
        title = title[1:-1]              # a repost quotes the whole title: 《…关于…的通知》
    number_tail = mr.search("title-number-tail", match_view(title)) if title else None
    if title and number_tail:
        title = title[: number_tail.start("number")].rstrip()    # …的通告桂政通〔2017〕6号: the number follows the title

    # 发文字号: a line of its own near the top, the title line, or the page's table.
    doc_number, number_i = None, None
    for i, v in enumerate(bviews[:15]):
        m = mr.search("doc-number", v)
        if m and (len(v) <= 40 or m.start() == 0 or (title_i is not None and i == title_i)) and "《" not in v[: m.start()]:
            # (a number line set letter-spaced, 辽 农渔 〔 2021 〕 8 号, is read without its spaces)
            tokens = blocks[i].text.split()
            line = "".join(tokens) if len(tokens) > 2 and all(len(t) <= 4 for t in tokens) else blocks[i].text
            doc_number, number_i = normalize_doc_number(line, rules), i
            break
    order_by = None      # who issued the order whose number this is (环境保护部令第17号)
    if doc_number is None:
        for v in bviews[:15]:
            m = mr.search("order-number", v)
            if m and len(v) <= 60:
                doc_number, order_by = _order_number(m), m.group("who")
                break
    if doc_number is None and title:
        # an attachment or download named "<发文字号> <title>" (江北管秘〔2020〕15号 关于…的通知.doc)
        core = match_view(title)
        issuer_part = mr.search("title-core", core)
        core = core[issuer_part.end():].replace(" ", "") if issuer_part else core.replace(" ", "")
        for line in [*(pm.get("furniture") or []), *bviews]:
            v = match_view(str(line)).replace(" ", "")
            m = mr.search("doc-number", v)
            if m and len(core) >= 6 and core in v[m.end():]:
                doc_number = normalize_doc_number(v[m.start():m.end()], rules)
                break
    if doc_number is None and title:
        # a notice or order numbered in its title: …指挥部通告(第三号), …指挥部2号令
        serial = mr.search("title-serial-number", match_view(title.strip()))
        if serial:
            g = "number" if serial.group("number") else "order"
            doc_number = title.strip()[serial.start(g):serial.end(g)]
    number_cell = page_field("doc_number")
    if doc_number is None and number_cell:
        doc_number = normalize_doc_number(str(number_cell), rules)

    # 成文日期 and signature: the first line that is only a date (optionally after a name).
    issued_on, date_source, issuer, signer, year_hint = None, None, None, None, None
    sig_i = None         # the line of the dated signature
    signers: list[str] = []
    m_year = re.search(r"(19|20)\d{2}", (title or "") + " " + " ".join(str(v) for v in info.values()))
    year_hint = int(m_year.group(0)) if m_year else None
    # A dated signature (某局 ⏎ 2021年6月4日) wins over a bare date line found first (a site's
    # date under the title); without a signed one, the first date line is the date.
    first_bare = None
    for i, v in enumerate(bviews):
        if blocks[i].kind == "table_row":
            continue
        m = mr.match("date-line", v)
        if not m:
            continue
        d = m.group("date")
        iso = parse_date(d, rules) if not re.fullmatch(r"\d+", d) else recover_compact_date(d, year_hint)
        if not iso:
            continue
        source = "signature" if not re.fullmatch(r"\d+", d) else "signature_recovered"
        who = (m.group("who") or "").strip()

        def unsealed(x: int) -> str:     # 某联席会议（代章） signs as 某联席会议
            seal = mr.search("seal-note", bviews[x])
            return bviews[x][: seal.start()] if seal else bviews[x]

        # joint signatures stand on several lines above the date (the last may share the
        # date's line): the first signs first
        k = i
        while k > 0 and i - k < _MAX_SIGNATORIES and mr.search("unit-end", unsealed(k - 1)) and len(bviews[k - 1]) <= 40 \
                and blocks[k - 1].kind != "table_row" and not mr.match("heading-number", bviews[k - 1]):
            k -= 1
        signers = [blocks[x].text.strip()[: len(unsealed(x))].strip() for x in range(k, i)]
        # the signatory on the date's line (某某局 2021年6月4日) signs, last of the joint ones
        own = blocks[i].text.strip()[: len(who)].strip() if who and mr.search("unit-end", who) else None
        parts = own.split() if own else []
        if len(parts) > 1 and all(mr.search("unit-end", match_view(x)) for x in parts):
            signers += parts[:-1]       # 某局 某局 2022年6月30日: a joint signature on one line
            own = parts[-1]
        if own and signers:
            signers.append(own)
        if signers or own:
            issued_on, date_source, signer, sig_i = iso, source, signers[0] if signers else own, i
            break
        if first_bare is None:
            first_bare = (iso, source)
    if issued_on is None and first_bare is not None:
        issued_on, date_source = first_bare
    if issued_on is None:      # (a standing committee's adoption first: the more specific form)
        for v in bviews[:6]:
            m = mr.match("adopted", v)
            if m and parse_date(m.group("date"), rules):
                issued_on, date_source = parse_date(m.group("date"), rules), "adopted"
                signer = signer or m.group("who") + m.group("body")
                break
    if issued_on is None:
        for i, v in enumerate(bviews[:12]):
            # a promulgation note broken over lines: （2025年12月15日…第320号令发布自 / 2026年…施行）
            if v.lstrip().startswith("(") and ")" not in v and i + 1 < len(bviews):
                v = v + bviews[i + 1] if ")" in bviews[i + 1] else v + bviews[i + 1] + (bviews[i + 2] if i + 2 < len(bviews) else "")
            m = mr.match("promulgated", v)
            if m and parse_date(m.group("date"), rules):
                issued_on, date_source = parse_date(m.group("date"), rules), "promulgated"
                order = mr.search("order-number", v)
                if order and doc_number is None:
                    doc_number = _order_number(order)
                if order and signer is None:    # 中华人民共和国国务院令: the 国务院 signs
                    signer = re.sub(r"^中华人民共和国(?=国务院)", "", order.group("who"))
                meeting = mr.search("adopted-by-meeting", v)
                if meeting and signer is None:  # 经某部第6次部务会议通过
                    signer = meeting.group("who")
                break
    if issued_on is None:
        for key in mr.fields("issued_on"):
            if info.get(key) and parse_date(str(info[key]), rules):
                issued_on, date_source = parse_date(str(info[key]), rules), "page_table"
                break
    if issued_on is None:
        stated = [info.get(k) for k in mr.fields("published")]
        candidates = [*stated, meta_tags.get("PubDate"), meta_tags.get("pubdate"), *pm.get("furniture", [])]
        for c in candidates:
            # a line of page furniture must say it is a date; a labelled cell or meta tag is one
            if c and mr.search("published-date", match_view(str(c))) or (c and c in (stated[0] if stated else None, meta_tags.get("PubDate"))):
                iso = parse_date(str(c), rules)
                if iso:
                    issued_on, date_source = iso, "published"
                    break

    # The issuer as the title names it (full name), else the signature.
    if title:
        m = mr.match("issuer-in-title", match_view(title))
        if m and mr.search("unit-end", m.group("who").strip()):
            issuer = title[: len(m.group("who").strip())].strip()
    if title and not issuer:
        # 淮安市洪泽区人民政府2024年政府信息公开工作年度报告: the issuer names itself before the year
        m = mr.match("issuer-before-year", match_view(title))
        if m:
            issuer = title[: len(m.group("who"))]
    if title and not issuer:
        m = mr.match("issuer-after-year", match_view(title))
        if m:
            issuer = title[m.start("who"):m.end("who")]
    def spaced(g: str) -> list[str]:   # 海南省农业农村厅 海南省财政厅: two signatories on one line
        parts = [x for x in re.split(r"\s+|、", g) if x]
        if len(parts) < 2 or not all(mr.search("unit-end", match_view(x)) for x in parts):
            return [g]
        # 某自治区物价局、财政厅: the names after 、 share the first one's place
        place = _PLACE_PREFIX.match(parts[0]) if "、" in g else None
        return [parts[0]] + [x if place is None or _PLACE_PREFIX.match(x) else place.group(0) + x for x in parts[1:]]

    if issuer and not signers:
        # 海南省农业农村厅 海南省财政厅关于… (or the two glued): joint issuers in the title
        in_title = [x for p in spaced(issuer) for x in _split_glued_signers(p, mr)]
        signers = in_title if len(in_title) > 1 else []
    # signatories one per line, several to a line, or glued with no separator: each is an issuer
    glued = [x for g in (signers or ([signer] if signer else [])) for p in spaced(g) for x in _split_glued_signers(p, mr)]
    if len(glued) > max(1, len(signers)):
        if issuer is not None and signer is not None and match_view(issuer) == match_view(signer):
            issuer = None    # the glued signature line was taken as the issuer
        signers, signer = glued, glued[0]
    if issuer and len(signers) > 1 and match_view(issuer).replace(" ", "").startswith(match_view(signers[0])):
        issuer = signers[0]          # a joint title (甲局 乙局关于…): the first signatory
    elif issuer and len(signers) > 1 and match_view(issuer) in {match_view(x) for x in signers[1:]}:
        issuer = signers[0]          # a co-signer's letterhead on a joint document: the first signs first
    # (one signatory: 甲办公室乙办公室 2021年4月29日 glued is two, and the first issues)
    if issuer and signer and len(_split_glued_signers(signer, mr)) == 1 and (
            match_view(signer).replace("人民政府", "政府") == match_view(issuer)
            or _abbreviates(match_view(issuer), match_view(signer))
            or _place_prefixed(match_view(signer), match_view(issuer))):
        issuer = signer              # 常州市政府关于… signed 常州市人民政府; 某区安监局 signed 某区安全生产监督管理局;
        # 君山片区管理局党政办公室关于… signed 平潭综合实验区君山片区管理局党政办公室: the full name
    issuer = issuer or signer
    # A page that opens with a covering notice (主送, 现将《X》转发给你们, signature, date) and
    # then the document it forwards: the covering notice is this document; its signatory
    # issues it, and a number under the later title is the forwarded document's.
    enclosed_number = None
    covering = signer is not None and sig_i is not None and title_i is not None and sig_i < title_i \
        and any(mr.search("covering-forward", v) for v in bviews[:sig_i])
    if covering:
        issuer = signer
        if number_i is not None and sig_i is not None and number_i > sig_i:
            enclosed_number, doc_number = doc_number, None
    if issuer is None and order_by and mr.search("unit-end", order_by):
        issuer = order_by    # the order's own number names its issuer before a page's 发布机构 field does
    if issuer is None:
        for c in (*(info.get(k) for k in mr.fields("issuer")), meta_tags.get("ContentSource")):
            # (a cell holds an organisation's name: not an empty table's separators, 发布机构: | |,
            # nor the site's name, 发布机构: 中国平潭)
            if c and mr.search("unit-end", match_view(str(c)).strip()) and not mr.search("not-an-issuer", match_view(str(c)).strip()):
                issuer = str(c).strip()
                break
    if issuer is None:
        for line in pm.get("furniture") or []:
            m = mr.search("source-line", match_view(str(line)))
            if m and mr.search("unit-end", m.group("who")) and not mr.search("not-an-issuer", m.group("who")):
                at = match_view(str(line)).find(m.group("who"))
                issuer = str(line)[at:at + len(m.group("who"))]
                break
    if issuer is None and page_field("publisher") and mr.search("unit-end", match_view(str(page_field("publisher")))):
        issuer = str(page_field("publisher")).strip()
    letterhead = None if title else _letterhead([*(pm.get("furniture") or []), *bviews], mr)
    if issuer is None and letterhead is not None:
        issuer = letterhead[0]
    if issuer is None and title:
        m = mr.match("issuer-opens-title", match_view(title))
        if m:
            issuer = title[: len(m.group("who"))]
    if issuer is None:
        for v, b in zip(bviews[:12], blocks[:12]):
            m = mr.search("self-named-issuer", v) or mr.match("order-issuer", v) or mr.match("prepared-by-issuer", v)
            if m and mr.search("unit-end", m.group("who")):
                issuer = b.text.strip()[m.start("who"):m.end("who")] if len(b.text.strip()) == len(v) else m.group("who")
                break

    # 主送机关: the first line ending with a colon, before the body.
    recipients: list[str] = []
    numbered = 0
    for i, v in enumerate(bviews[:30]):
        if blocks[i].kind == "table_row":
            continue
        if mr.match("heading-number", v):
            numbered += 1
            if numbered >= 3:
                break       # well into the body's items: a colon line now introduces a list
            continue
        m = mr.match("recipients-line", v)
        if m and len(v) <= 300 and not mr.search("not-recipients", v):
            line = blocks[i].text.strip()
            number = mr.search("doc-number", v)
            if number and number.start() == 0:
                line = line[number.end():]       # 岚综管办〔2022〕44号各片区管理局，…： (glued by a crawler)
            names = _split_names(line.rstrip(":："), rules)
            if len(v) <= 10 and not _mostly_units(names, rules):
                continue    # a crawler's field label (发文字号：) before the 主送 line
            # (a 、-group kept whole, 各市（州）教育主管部门、党委宣传部、…, is long; its names are not)
            if names and all(len(p) <= 40 for n in names for p in n.split("、")) and _mostly_units(names, rules):
                recipients = names
                break
            if names and _mostly_units(names, rules) is False and len(v) > 60:
                continue    # a sentence ending in a colon (…提出如下工作措施：) is not the 主送 line
            break

    def after_label(label_rule: str) -> list[str]:
        for i, v in enumerate(bviews):
            m = mr.match(label_rule, v)
            if m:
                return _split_names(blocks[i].text.strip()[m.end():].rstrip("。"), rules)
        return []

    cc_glued = ""
    if not recipients:
        # a labelled field (正本：A、B after a 主旨/說明 body, 主送：… in the imprint), read on
        # over the lines a page wrapped it onto; a 副本 / 抄送 field glued to its end is the cc
        for i, v in enumerate(bviews):
            m = mr.match("recipients-label", v)
            if not m:
                continue
            field = blocks[i].text.strip()[m.end():]
            # a minutes' 分送 field lists one group of readers per line, each closed by 。,
            # down to the printing line (…办公室 2014年8月21日印发)
            grouped = "分送" in re.sub(r"\s", "", v[:m.end()])
            for j in range(i + 1, min(i + 8, len(bviews))):
                if grouped:
                    if len(bviews[j]) > 60 or mr.search("printed-line", bviews[j]) or _FIELD_START.match(bviews[j]) \
                            or blocks[j].kind == "table_row":
                        break
                    field += "，" + blocks[j].text.strip().rstrip("。")
                    continue
                if len(bviews[j - 1]) < 20 or bviews[j - 1].rstrip().endswith("。") or blocks[j].kind == "table_row" \
                        or mr.match("heading-number", bviews[j]) or _FIELD_START.match(bviews[j]):
                    break
                field += blocks[j].text.strip()
            if grouped:
                field = field.replace("。", "，")
            cut = _CC_GLUED.search(match_view(field))
            if cut:
                field, cc_glued = field[: cut.start()], field[cut.end():]
            recipients = _split_names(field.rstrip("。"), rules)
            break
    if not recipients:
        # a crawled page glues the body to the 主送 line (各片区管理局，区直各单位：《…》已经…
        # 同意，现印发给你们): two or more names that are all organisations, or one collective
        # (区直各单位:为贯彻落实…), then the body; past a crawled page's header lines
        for i, v in enumerate(bviews[:20]):
            m = mr.match("recipients-inline", v)
            if blocks[i].kind == "table_row" or not m or mr.match("heading-number", v):
                continue
            names = _split_names(blocks[i].text.strip()[m.start(1):m.end(1)], rules)
            if (len(names) >= 2 or (names and "各" in names[0])) \
                    and all(len(n) <= 40 and _mostly_units([n], rules) for n in names):
                recipients = names
                break

    cc = after_label("cc-label") or (_split_names(cc_glued.rstrip("。"), rules) if cc_glued else [])
    attachments = []
    for i, v in enumerate(bviews):
        m = mr.match("attachments-label", v)
        if m:
            rest_view = m.group(1)
            num = re.match(r"^\d+\s*[.、]\s*", rest_view)
            first = blocks[i].text.strip()[len(v) - len(rest_view) + (num.end() if num else 0):].strip()
            if first:
                attachments.append(first)
            for j in range(i + 1, min(i + 10, len(bviews))):
                mm = mr.match("attachment-item", bviews[j])
                if not mm or "。" in bviews[j]:
                    break
                attachments.append(blocks[j].text.strip()[len(bviews[j]) - len(mm.group(1)):])
            break
    printed_by, printed_on = None, None
    for i, v in enumerate(bviews):
        m = mr.match("printed-line", v)
        if m:
            printed_by, printed_on = blocks[i].text.strip()[: len(m.group(1))], parse_date(m.group(2), rules)
            break

    enclosed = title if covering else None
    if not covering and title and doc_type_of(title, rules) == "通知" and mr.search("enclosing-title", match_view(title)):
        for i, v in enumerate(bviews[(title_i or 0) + 1:], (title_i or 0) + 1):
            if blocks[i].kind != "table_row" and len(v) <= 60 and not re.search(r"[。,;:]", v) \
                    and doc_type_of(v, rules) and doc_type_of(v, rules) != "通知":
                enclosed = blocks[i].text.strip()
                break

    head = " ".join(bviews[:8])
    classification = (mr.search("classification", head) or [None])[0]
    urgency = (mr.search("urgency", head) or [None])[0]
    region, level = admin_level(issuer, rules)
    # The year that year-less dates (年底前, 8月底前) belong to when there is no 成文日期:
    # the title's year, the 发文字号's, else the first year a heading states.
    year, year_source = (int(issued_on[:4]), "issued_on") if issued_on else (None, None)
    if year is None:
        for source, text in (("title", title), ("doc_number", doc_number),
                             ("title", pm.get("title") or meta_tags.get("ArticleTitle")),
                             ("heading", " ".join(v for v in bviews[:40] if len(v) <= 60))):
            m = mr.search("year-stated", match_view(text or ""))
            if m:
                year, year_source = int(m.group(0)), source
                break
    rx_cited = mr.rx.get("cited-number-year")
    if year is None and rx_cited is not None:
        # a notice is no older than the newest document it cites (根据某教〔2003〕2号…)
        cited = [int(m.group(0)) for v in bviews for m in rx_cited.finditer(v)]
        if cited:
            year, year_source = max(cited), "cited"
    return {
        "title": title,
        "enclosed_title": enclosed,
        "enclosed_doc_number": enclosed_number,
        "doc_type": "通知" if covering else "公告" if notice_kind else doc_type_of(title, rules) or (letterhead[1] if letterhead else None)
        or _closing_type(bviews, mr),
        "doc_number": doc_number,
        "issuer": issuer,
        "issuers": signers if len(signers) > 1 else ([issuer] if issuer else []),
        "issued_on": issued_on,
        "date_source": date_source,
        "year": year,
        "year_source": year_source,
        "recipients": recipients,
        "cc": cc,
        "attachments": attachments,
        "printed_by": printed_by,
        "printed_on": printed_on,
        "classification": classification,
        "urgency": urgency,
        "region": region,
        "admin_level": level,
        "page": {k: v for k, v in {"title": pm.get("title"), "info": pm.get("info_table") or None,
                                   "meta": meta_tags or None}.items() if v},
    }
