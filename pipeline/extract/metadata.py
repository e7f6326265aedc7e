"""Document metadata after GB/T 9704-2012: title, 发文字号, issuer, 成文日期, 主送, 抄送, 附件.

Sources, best first: the document's own text (title line, signature, date line), then
the web page's metadata table and meta tags, then page furniture (发布时间 lines).
Absolute dates are parsed by dateparser on an isolated date string, Chinese numerals
converted with cn2an first.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..model import Document
from ..normalize import match_view
from ..junk import continues_title
from .placeholders import cn_number
from .references import normalize_doc_number

DOC_TYPES = ("实施意见", "实施方案", "工作方案", "工作要点", "工作计划", "年度报告", "实施细则", "管理办法", "通知", "方案", "要点", "意见", "办法", "规定",
             "细则", "条例", "规则", "报告", "年报", "函", "决定", "通报", "批复", "公告", "通告", "计划", "规划",
             "纪要", "指引", "指南", "措施", "标准", "分解表", "任务表", "清单", "台账", "一览表")
_TITLE = re.compile(r"(关于.{2,120}的(通知|意见|决定|通报|批复|函|报告|公告|通告|方案|规定|办法)|"
                    r"^.{4,80}(" + "|".join(DOC_TYPES) + r")(\(.{1,20}\))?$|"
                    r"^.{2,60}(印发|转发)《.{2,80}》$)")   # X印发《Y》 as a page heading
# 某某市人民政府令第125号 / 中华人民共和国国务院令第752号: an order's number is its 发文字号
_ORDER_NUM = re.compile(r"(?:(?<=日)|(?<![\u4e00-\u9fff\d]))(?:中华人民共和国)?(?P<who>[\u4e00-\u9fff]{2,24}?)令\s*[(]?\s*第\s*(?P<n>\d{1,5})\s*号")
# （2019年8月1日某某市人民政府令第125号公布）: a regulation's date of promulgation
_TITLE_TAIL = re.compile(r"^(工作|事项|问题|有关事项|有关问题)?的(通知|意见|决定|批复|函|报告|方案)$")
_TITLE_QUALIFIER = re.compile(r"^\s*\((?![^()]*(?:公布|通过|施行|发布|令|〔|此件|印发|制定|修正|修订|\d{4}年|\d+\.\d+\.\d+))[^()]{1,30}\)\s*$")
_PROMULGATED = re.compile(r"^\s*\(\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[^()]{0,80}?"
                          r"(?:公布|发布|通过|施行|修订|修正)[^()]{0,40}\)\s*$")
# 本报告由某某区人民政府办公室根据…编制: a report that names its author in its first sentence
_SELF_NAMED = re.compile(r"本(?:报告|年度报告|年报)(?:是)?由(?P<who>[^,。;]{2,40}?)(?:根据|依据|按照|依照|编制|制作|发布)")
# a page's 来源 that is a website or a database, not an issuer
_NOT_ISSUER = re.compile(r"(网|网站|数据库|平台|报|新闻|频道|客户端|门户|微信|公众号|头条)$")
_DOCNUM = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[【(]\s*((?:19|20)\d{2})\s*[〕\]】)]?\s*(\d{1,5})\s*号")
_CN_DATE = re.compile(r"([〇零○O一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
_DATE_LINE = re.compile(r"^\s*[^\w\u4e00-\u9fff]{0,4}(?:(?P<who>\S.{1,40}?)\s+)?(?P<date>((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)|"
                        r"([〇零○O一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)|"
                        r"((?:19|20)\d{5,6}))\s*$")
_HEADING_NUM = re.compile(r"^\s*([一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|\d{1,2}[.、](?!\d)|第[一二三四五六七八九十百]+[章条])")
_RECIPIENTS = re.compile(r"^([^。;:]{2,300}?)\s*:$")
_UNIT_END = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|管委会|局|厅|部|委|院|中心|公司|小组|政府办|集中区)$")


@lru_cache(maxsize=4096)
def parse_date(text: str) -> str | None:
    """An absolute date in any common form → ISO string, or None.

    The date is cut out of its line first (dateparser's search mislocates spans in
    Chinese text), Chinese numerals are converted with cn2an (dateparser does not read
    二〇二一年六月四日), then dateparser parses the isolated string strictly, so an
    impossible date (2月30日) or one without a day gives None.
    """
    text = text.strip()
    roc = re.search(r"民[国國]\s*(\d{2,3})\s*年", text)
    if roc:   # the Republic of China calendar: 民国108年 = 2019
        text = text[:roc.start()] + f"{int(roc.group(1)) + 1911}年" + text[roc.end():]
    if re.fullmatch(r"(19|20)\d{6}", text):
        text = f"{text[:4]}年{text[4:6]}月{text[6:]}日"
    m = _CN_DATE.search(text)
    if m:
        digits = [0.0 if c in "〇零○O" else cn_number(c) for c in m.group(1)]
        month, day = cn_number(m.group(2)), cn_number(m.group(3))
        if month is None or day is None or any(d is None for d in digits):
            return None
        text = f"{''.join(str(int(d or 0)) for d in digits)}年{int(month)}月{int(day)}日"
    m = _DATE.search(text)
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


def doc_type_of(title: str | None) -> str | None:
    if not title:
        return None
    t = re.sub(r"\(.{1,20}\)$", "", match_view(title).strip())
    for dtp in DOC_TYPES:
        if t.endswith(dtp):
            return title.strip()[len(t) - len(dtp):len(t)] if len(title.strip()) >= len(t) else dtp
    return None


def admin_level(issuer: str | None) -> tuple[str | None, str | None]:
    """(region, level) from an issuer name: 国务院 / 部委 / 省 / 市 / 县 / 乡."""
    if not issuer:
        return None, None
    v = match_view(issuer)
    if v.startswith(("国务院", "中共中央", "中央")):
        return "全国", "国务院"
    if v.startswith(("国家", "中华人民共和国")) or re.match(r"^(教育|财政|公安|民政|司法|商务|科学技术|工业和信息化|自然资源|生态环境|交通运输|水利|农业农村|文化和旅游|审计)部", v):
        return "全国", "部委"
    m = re.match(r"^(.{2,8}?(?:自治区|省|自治州|市|自治县|县|区|旗|镇|乡|街道))", v)
    if not m:
        return None, None
    region = issuer[: len(m.group(1))]
    tail = m.group(1)
    if tail.endswith(("镇", "乡", "街道")):
        return region, "乡"
    if tail.endswith(("县", "旗", "区")) and not tail.endswith("自治区"):
        return region, "县"
    if tail.endswith(("市", "自治州")):
        return region, "市"
    return region, "省"


_PLACE_ONLY = ("省", "市", "县", "区", "州", "旗", "盟", "镇", "乡", "街道", "社区", "自治区", "直辖市", "自治州", "自治县")


def _split_names(text: str, rules=None) -> list[str]:
    """Recipient names: split on commas; a 、-group splits into its names only when each
    is a whole unit name (各县(区)人民政府、开发区管委会), not when the names share a
    part (各省、自治区、直辖市人民政府; 国务院各部委、各直属机构)."""
    from .units import _top_level_split, matcher

    m = matcher(rules) if rules is not None else None
    out = []
    for s, e in _top_level_split(text, re.compile(r"[,，;；]")):
        group = text[s:e].strip()
        parts = [group[a:b].strip() for a, b in _top_level_split(group, re.compile("、"))]
        views = [match_view(p) for p in parts]
        whole = len(parts) > 1 and (
            any(v.endswith(_PLACE_ONLY) or (m is not None and not m.is_unit(v)) for v in views)
            or ("各" in views[0][1:] and all(v.startswith("各") for v in views[1:])))
        out.extend([group] if whole else parts)
    return [x for x in out if x]


def _mostly_units(names: list[str], rules) -> bool:
    """A 主送 line names organisations: most of its names end like one (局, 政府, 各…)."""
    from .units import matcher

    m = matcher(rules)
    views = [match_view(n) for n in names]
    good = sum(1 for v in views if m.is_unit(re.sub(r"\([^()]*\)$", "", v)) or v.startswith("各") or m.is_collective(v))
    return good * 2 >= len(views)


def extract(doc: Document, view: str, root, rules) -> dict:
    blocks = doc.blocks
    bviews = [view[b.start:b.end].strip() for b in blocks]
    pm = doc.page_meta or {}
    info = {match_view(k).strip(" :"): v for k, v in (pm.get("info_table") or {}).items()}
    meta_tags = pm.get("meta") or {}

    # Title: the first title-like line near the top; a forwarded plan's title later.
    title, title_i = None, None
    for i, v in enumerate(bviews[:25]):
        if blocks[i].kind == "table_row" or len(v) > 150 or v.endswith("。") or _HEADING_NUM.match(v):
            continue
        # a title set on several lines: 重庆市粮食局 重庆市财政局 / 关于印发《… / …》的通知
        j, joined = i, v
        while j > 0 and i - j < 2 and continues_title(bviews[j - 1], joined):
            j -= 1
            joined = bviews[j] + joined
        if _TITLE.search(joined):
            title, title_i = "".join(blocks[k].text.strip() for k in range(j, i + 1)), i
            # the rest of a title broken before its last words: …信息报告 / 工作的通知
            if i + 1 < len(bviews) and blocks[i + 1].kind != "table_row" and _TITLE_TAIL.match(bviews[i + 1]) \
                    and not re.search(r"的(通知|意见|决定|批复|函)$", bviews[i]):
                title, title_i, i = title + blocks[i + 1].text.strip(), i + 1, i + 1
            # a qualifier on its own line belongs to the title: （连续试运行V2.0）, （试行）
            if i + 1 < len(bviews) and _TITLE_QUALIFIER.match(bviews[i + 1]):
                title, title_i = title + blocks[i + 1].text.strip(), i + 1
            break
    if title is None:
        for key in ("名称", "标题", "文件名称", "法规名称"):
            if info.get(key):
                # a database's version note is not part of the title: 最低工资法（112.12.27制定）
                title = re.sub(r"[(（][\d.]*\s*(制定|修正|修订|公布)[)）]$", "", str(info[key]).strip())
                break
    if title is None:
        title = (meta_tags.get("ArticleTitle") or pm.get("title") or None)
        title = title.strip() if title else None
    title = re.sub(r"\s+", "", title) if title and re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", title) else title

    # 发文字号: a line of its own near the top, the title line, or the page's table.
    doc_number = None
    for i, v in enumerate(bviews[:15]):
        m = _DOCNUM.search(v)
        if m and (len(v) <= 40 or m.start() == 0 or (title_i is not None and i == title_i)) and "《" not in v[: m.start()]:
            doc_number = normalize_doc_number(blocks[i].text, rules)
            break
    if doc_number is None:
        for v in bviews[:15]:
            m = _ORDER_NUM.search(v)
            if m and len(v) <= 60:
                doc_number = f"{m.group('who')}令第{m.group('n')}号"
                break
    if doc_number is None and title:
        # an attachment or download named "<发文字号> <title>" (江北管秘〔2020〕15号 关于…的通知.doc)
        core = re.sub(r"^.{0,40}?(?=关于)", "", match_view(title)).replace(" ", "")
        for line in [*(pm.get("furniture") or []), *bviews]:
            v = match_view(str(line)).replace(" ", "")
            m = _DOCNUM.search(v)
            if m and len(core) >= 6 and core in v[m.end():]:
                doc_number = normalize_doc_number(v[m.start():m.end()], rules)
                break
    number_cell = info.get("发文字号") or info.get("文号")
    if doc_number is None and number_cell:
        doc_number = normalize_doc_number(str(number_cell), rules)

    # 成文日期 and signature: the first line that is only a date (optionally after a name).
    issued_on, date_source, issuer, signer, year_hint = None, None, None, None, None
    signers: list[str] = []
    m_year = re.search(r"(19|20)\d{2}", (title or "") + " " + " ".join(str(v) for v in info.values()))
    year_hint = int(m_year.group(0)) if m_year else None
    for i, v in enumerate(bviews):
        if blocks[i].kind == "table_row":
            continue
        m = _DATE_LINE.match(v)
        if not m:
            continue
        d = m.group("date")
        iso = parse_date(d) if not re.fullmatch(r"\d+", d) else recover_compact_date(d, year_hint)
        if not iso:
            continue
        issued_on, date_source = iso, "signature" if not re.fullmatch(r"\d+", d) else "signature_recovered"
        who = (m.group("who") or "").strip()
        if who and _UNIT_END.search(who):
            signer = blocks[i].text.strip()[: len(who)].strip()
        else:
            # joint signatures stand on several lines above the date: the first signs first
            k = i
            while k > 0 and i - k < 6 and _UNIT_END.search(bviews[k - 1]) and len(bviews[k - 1]) <= 40 \
                    and blocks[k - 1].kind != "table_row" and not _HEADING_NUM.match(bviews[k - 1]):
                k -= 1
            signers = [blocks[x].text.strip() for x in range(k, i)]
            signer = signers[0] if signers else None
        break
    if issued_on is None:
        for i, v in enumerate(bviews[:12]):
            m = _PROMULGATED.match(v)
            if m and parse_date(m.group("date")):
                issued_on, date_source = parse_date(m.group("date")), "promulgated"
                order = _ORDER_NUM.search(v)
                if order and doc_number is None:
                    doc_number = f"{order.group('who')}令第{order.group('n')}号"
                if order and signer is None:
                    signer = order.group("who")
                break
    if issued_on is None:
        for key in ("成文日期", "公布日期", "修正日期", "修订日期", "发文日期"):
            if info.get(key) and parse_date(str(info[key])):
                issued_on, date_source = parse_date(str(info[key])), "page_table"
                break
    if issued_on is None:
        candidates = [info.get("发布日期"), info.get("发布时间"), meta_tags.get("PubDate"),
                      meta_tags.get("pubdate"), *pm.get("furniture", [])]
        for c in candidates:
            if c and re.search(r"(发布|时间|日期|^\s*\d{4})", str(c)) or (c and c in (info.get("发布日期"), meta_tags.get("PubDate"))):
                iso = parse_date(str(c))
                if iso:
                    issued_on, date_source = iso, "published"
                    break

    # The issuer as the title names it (full name), else the signature.
    if title:
        m = re.match(r"^([^《,。]{2,60}?)(关于|印发|转发)", match_view(title))
        if m and _UNIT_END.search(m.group(1).strip()) and not m.group(1).startswith(("为", "根据", "按照")):
            issuer = title[: len(m.group(1).strip())].strip()
    if title and not issuer:
        # 淮安市洪泽区人民政府2024年政府信息公开工作年度报告: the issuer names itself before the year
        m = re.match(r"^(.{2,40}?(?:人民政府|政府|办公室|办公厅|委员会|管委会|局|厅|委))(?=(?:19|20)\d{2}\s*年)",
                     match_view(title))
        if m:
            issuer = title[: len(m.group(1))]
    if issuer and not signers:
        parts = issuer.split()
        if len(parts) > 1 and all(_UNIT_END.search(match_view(x)) for x in parts):
            signers = parts      # 海南省农业农村厅 海南省财政厅关于…: joint issuers on one line
    if signer and len(signer.split()) > 1 and all(_UNIT_END.search(match_view(x)) for x in signer.split()):
        if len(signers) <= 1:
            signers = signer.split()     # 海南省农业农村厅 海南省财政厅 on one signature line
        signer = signers[0]
    if issuer and len(signers) > 1 and match_view(issuer).replace(" ", "").startswith(match_view(signers[0])):
        issuer = signers[0]          # a joint title (甲局 乙局关于…): the first signatory
    issuer = issuer or signer
    if issuer is None:
        for c in (info.get("发布机构"), info.get("发布单位"), info.get("发文机关"), info.get("信息来源"),
                  meta_tags.get("ContentSource")):
            if c and not _NOT_ISSUER.search(match_view(str(c)).strip()):
                issuer = str(c).strip()
                break
    if issuer is None:
        for v, b in zip(bviews[:12], blocks[:12]):
            m = _SELF_NAMED.search(v)
            if m and _UNIT_END.search(m.group("who")):
                issuer = b.text.strip()[m.start("who"):m.end("who")] if len(b.text.strip()) == len(v) else m.group("who")
                break

    # 主送机关: the first line ending with a colon, before the body.
    recipients: list[str] = []
    for i, v in enumerate(bviews[:30]):
        if blocks[i].kind == "table_row":
            continue
        m = _RECIPIENTS.match(v)
        if m and len(v) <= 300 and not _HEADING_NUM.match(v) and not re.search(r"(如下|通知|意见|要求|为|根据|以下)\s*:$", v):
            names = _split_names(blocks[i].text.strip().rstrip(":："), rules)
            if names and all(len(n) <= 40 for n in names) and _mostly_units(names, rules):
                recipients = names
                break
            if names and _mostly_units(names, rules) is False and len(v) > 60:
                continue    # a sentence ending in a colon (…提出如下工作措施：) is not the 主送 line
            break

    def after_label(label_rx: str) -> list[str]:
        for i, v in enumerate(bviews):
            m = re.match(label_rx, v)
            if m:
                return _split_names(blocks[i].text.strip()[m.end():].rstrip("。"), rules)
        return []

    cc = after_label(r"^\s*抄\s*送\s*:\s*")
    attachments = []
    for i, v in enumerate(bviews):
        m = re.match(r"^\s*附\s*件\s*:\s*(.*)$", v)
        if m:
            rest_view = m.group(1)
            num = re.match(r"^\d+\s*[.、]\s*", rest_view)
            first = blocks[i].text.strip()[len(v) - len(rest_view) + (num.end() if num else 0):].strip()
            if first:
                attachments.append(first)
            for j in range(i + 1, min(i + 10, len(bviews))):
                mm = re.match(r"^\s*\d+\s*[.、]\s*(.{2,80})$", bviews[j])
                if not mm or "。" in bviews[j]:
                    break
                attachments.append(blocks[j].text.strip()[len(bviews[j]) - len(mm.group(1)):])
            break
    printed_by, printed_on = None, None
    for i, v in enumerate(bviews):
        m = re.match(r"^\s*(\S.{1,40}?)\s+(\S.{6,20}?日)\s*印发\s*$", v)
        if m:
            printed_by, printed_on = blocks[i].text.strip()[: len(m.group(1))], parse_date(m.group(2))
            break

    enclosed = None
    if title and doc_type_of(title) == "通知" and re.search(r"(印发|转发)", match_view(title)):
        for i, v in enumerate(bviews[(title_i or 0) + 1:], (title_i or 0) + 1):
            if blocks[i].kind != "table_row" and len(v) <= 60 and not re.search(r"[。,;:]", v) and doc_type_of(v) and doc_type_of(v) != "通知":
                enclosed = blocks[i].text.strip()
                break

    head = " ".join(bviews[:8])
    classification = (re.search(r"(绝密|机密|秘密)(★[^\s]{0,10})?", head) or [None])[0]
    urgency = (re.search(r"(特急|加急|特提|平急)", head) or [None])[0]
    region, level = admin_level(issuer)
    # The year that year-less dates (年底前, 8月底前) belong to when there is no 成文日期:
    # the title's year, the 发文字号's, else the first year a heading states.
    year, year_source = (int(issued_on[:4]), "issued_on") if issued_on else (None, None)
    if year is None:
        for source, text in (("title", title), ("doc_number", doc_number),
                             ("title", pm.get("title") or meta_tags.get("ArticleTitle")),
                             ("heading", " ".join(v for v in bviews[:40] if len(v) <= 60))):
            m = re.search(r"(?<!\d)(19|20)\d{2}(?=\s*年|〕|\])", match_view(text or ""))
            if m:
                year, year_source = int(m.group(0)), source
                break
    return {
        "title": title,
        "enclosed_title": enclosed,
        "doc_type": doc_type_of(title),
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
