"""HTML ingestion on the corpus renditions of the seed documents, plus built pages for
encodings, forum chrome, metadata lists and hostile nesting."""
from __future__ import annotations

import difflib
import re
import time
from html import escape
from pathlib import Path

import pytest

from pipeline.ingest import html as ingest_html
from pipeline.model import IngestError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "raw" / "seeds"
TABLES = ROOT / "corpus" / "raw" / "tables"
MORE = ROOT / "corpus" / "raw" / "more"

# Where the document body starts and ends in each seed TXT (site junk cut off).
CUTS = {
    "000_616882cabf01649c": ("南昌市人民政府辦公室關于印發2021年", "接受社會監督。"),
    "001_71262d750d9eb121": ("龙江县人民政府办公室 关于印发", "2017725"),
    "002_be06cf5f2f6cd198": ("2018年南昌市政府信息公开工作年报", "424"),
    "003_2f6965311e0af134": ("关于开展政务公开“六提六促”专项行动的通知", "纳入集中区年度政务公开考评。"),
    "004_faeede1183fd7fea": ("2021 年政务公开工作要点印发", "接受社会监督。"),
}
# Site furniture that must not reach the body (both scripts: 000 is traditional).
JUNK = ["分享", "打印", "扫一扫", "掃一掃", "网站标识码", "網站標識碼", "ICP", "访问量", "訪問量",
        "索引号", "索引號", "主办单位", "主辦單位", "您当前所在位置", "您當前所在位置", "字体", "字體",
        "关闭", "關閉", "公网安备", "公網安備"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def seed_body(stem: str) -> str:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    start, end = CUTS[stem]
    return text[text.index(start): text.rindex(end) + len(end)]


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, squash(a), squash(b), autojunk=False).ratio()


def read(path: Path):
    return ingest_html.read(path.read_bytes(), path.name)


_CACHE: dict = {}


def corpus_doc(stem: str):
    if stem not in _CACHE:
        _CACHE[stem] = read(SEEDS / f"{stem}.html")
    return _CACHE[stem]


# --------------------------------------------------------------------------- corpus
@pytest.mark.parametrize("stem", sorted(CUTS))
def test_body_text_matches_seed(stem):
    doc = corpus_doc(stem)
    assert doc.format == "html" and doc.encoding == "utf-8"
    assert similarity(seed_body(stem), doc.text) >= 0.98
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == b.text


@pytest.mark.parametrize("stem", sorted(CUTS))
def test_site_junk_absent(stem):
    text = corpus_doc(stem).text
    assert [j for j in JUNK if j in text] == []


@pytest.mark.parametrize("stem", sorted(CUTS))
def test_title_first_and_page_meta(stem):
    doc = corpus_doc(stem)
    meta = doc.page_meta["meta"]
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].level_hint == 1
    assert doc.blocks[0].text == meta["ArticleTitle"]
    assert doc.page_meta["title"].startswith(meta["ArticleTitle"])
    assert {"SiteName", "ContentSource", "PubDate"} <= set(meta)
    info = doc.page_meta["info_table"]
    assert "索引号" in info                       # keys in simplified script, spaces removed
    assert info["发布机构"] == meta["ContentSource"]
    assert set(info) >= {"主题分类", "成文日期", "名称", "发文字号", "发布日期"}


def test_info_table_values_and_furniture():
    info = corpus_doc("003_2f6965311e0af134").page_meta["info_table"]
    assert info["发文字号"] == "江北管秘〔2020〕15号" and info["发布日期"] == "2020-07-06"
    furniture = corpus_doc("003_2f6965311e0af134").page_meta["furniture"]
    assert any(line.startswith("发布时间:2020-07-06 08:50") and "信息来源" in line for line in furniture)
    assert corpus_doc("000_616882cabf01649c").page_meta["info_table"]["成文日期"] == "2021-06-04"


def test_real_gov_cn_info_table():
    doc = read(MORE / "204_guobanfa_1996_2_earthquake_notice.html")
    info = doc.page_meta["info_table"]
    assert info["索引号"] == "000014349/1996-00076"
    assert info["发文字号"] == "国办发〔1996〕2号" and info["发文机关"] == "国务院办公厅"
    assert info["成文日期"] == "1996年02月05日" and "主题词" in info
    assert "索引号" not in doc.text and doc.blocks[0].text == "国务院办公厅转发国家地震局"


def test_html_headings():
    doc = corpus_doc("002_be06cf5f2f6cd198")
    heads = [(b.text, b.level_hint) for b in doc.blocks if b.kind == "heading"]
    assert ("一、概述", 4) in heads and ("八、存在的问题和2019年工作打算", 4) in heads


def test_statistics_table():
    doc = corpus_doc("002_be06cf5f2f6cd198")
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert rows[0].header and rows[0].cells == ["统 计 指 标", "单位", "统计数"]
    assert ["(三)接受培训人员数", "人次", "424"] in [b.cells for b in rows]
    assert all(b.text == "\t".join(b.cells) and b.table == 0 for b in rows)


def test_task_table_matches_docx_rendition():
    from pipeline.ingest import docx as ingest_docx

    doc = read(TABLES / "003_taskplan_table.html")
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert rows[0].header and rows[0].cells == ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
    tasks = {b.cells[0]: b.cells for b in rows if len(b.cells) == 5 and not b.header}
    assert len(tasks) == 12
    assert tasks["4"][3] == tasks["5"][3] == "各部门"          # rowspan=2 repeated
    assert sum(1 for b in rows if len(b.cells) == 1) == 6        # colspan=5 section rows
    other = ingest_docx.read((TABLES / "003_taskplan_table.docx").read_bytes(), "t.docx")
    assert [b.cells for b in rows] == [b.cells for b in other.blocks if b.kind == "table_row"]


def test_rowspan_and_colspan_grid():
    doc = read(MORE / "200_shanghai_govoffice_2019_annual_report.html")
    rows = [b.cells for b in doc.blocks if b.kind == "table_row"]
    results = [r for r in rows if r and r[0] == "三、本年度办理结果"]
    assert len(results) >= 10                              # rowspan repeated in every row
    refused = [r for r in results if len(r) > 1 and r[1] == "（三）不予公开"]
    assert len(refused) == 8 and all(len(r) == len(refused[0]) for r in refused)
    assert doc.page_meta["furniture"] == ["发布日期：2020-01-31"]


# --------------------------------------------------------------------------- built pages
def discuz_page() -> bytes:
    """Seed 004 as the forum repost it came from: Discuz! X3 markup, GBK encoded."""
    text = (SEEDS / "004_faeede1183fd7fea.txt").read_text(encoding="utf-8")
    title = "2021 年政务公开工作要点印发,以人民为中心深化政务公开"
    body = text[text.index("各省、自治区"): text.index("全文下载:")]
    lines = "<br />\n".join(escape(line.strip()) for line in body.splitlines() if line.strip())
    page = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>{title} - 政务资料 - 政务论坛 - Powered by Discuz!</title>
<meta name="keywords" content="{title}" /></head>
<body id="nv_forum" class="pg_viewthread">
<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="#">设为首页</a><a href="#">收藏本站</a></div>
<div class="y">官方服务微信:dat818 购买与出租对接</div></div></div>
<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="./" title="政务论坛"><img src="logo.png" alt="政务论坛" /></a></h2>
<div id="um"><p><a href="member.php?mod=logging&amp;action=login">登录</a> | <a href="member.php?mod=register">立即注册</a></p></div></div>
<div id="nv"><ul><li><a href="forum.php">论坛</a></li><li><a href="home.php">家园</a></li></ul></div></div></div>
<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm">论坛</a><em>›</em><a href="#">政务资料</a><em>›</em>{title}</div></div>
<div id="ct" class="wp cl"><div id="pgt" class="pgs mbm cl"><a class="pgsbtn">返回列表</a></div>
<div id="postlist" class="pl bm"><table cellspacing="0" cellpadding="0"><tr>
<td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">1024</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">0</span></div></td>
<td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{title}</span></h1>
<span class="xg1"><a href="#" onclick="return copyThreadUrl(this)">[复制链接]</a></span></td></tr></table>
<div id="post_3401"><table id="pid3401" class="plhin" summary="pid3401" cellspacing="0" cellpadding="0"><tr>
<td class="pls" rowspan="2"><div id="favatar3401" class="pls favatar"><div class="pi"><div class="authi"><a href="#" class="xw1">admin</a></div></div>
<div class="tns xg2"><table cellspacing="0" cellpadding="0"><tr><th><p><a href="#" class="xi2">481</a></p>主题</th>
<th><p><a href="#" class="xi2">2</a></p>回帖</th><td><p><a href="#" class="xi2">1495</a></p>积分</td></tr></table></div>
<p><em><a href="#">管理员</a></em></p><dl class="pil cl"><dt>积分</dt><dd><a href="#">1495</a></dd></dl></div></td>
<td class="plc"><div class="pi"><strong><a href="#" id="postnum3401">楼主</a></strong><div class="pti"><div class="authi">
<em id="authorposton3401">发表于 <span title="2024-11-6 22:25:00">昨天 22:25</span></em><span class="pipe">|</span>
<a href="#">显示全部楼层</a><span class="pipe show">|</span><a href="#">阅读模式</a></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>
<td class="t_f" id="postmessage_3401">{lines}<br /></td></tr></table></div></div></div></td></tr>
<tr><td class="plc plm"><div class="sign">政务公开，你我同行</div></td></tr></table></div></div>
<div id="f_pst" class="pl bm bmw"><form method="post" id="fastpostform"><div class="pls"></div>
<div class="plc">您需要登录后才可以回帖 <a href="#">登录</a> | <a href="#">立即注册</a></div></form></div></div>
<div id="ft" class="wp cl"><div id="flk" class="y"><p><a href="#">Archiver</a><span class="pipe">|</span><a href="#">手机版</a>
<span class="pipe">|</span><a href="#">小黑屋</a><span class="pipe">|</span><a href="#">关于我们</a></p>
<p class="xs0">GMT+8, 2024-11-7 09:20 , Processed in 0.056557 second(s), 18 queries .</p></div>
<div id="frt"><p>Powered by <strong><a href="#">Discuz!</a></strong> <em>X3.5</em></p>
<p class="xs0">Copyright &copy; 2001-2024, Tencent Cloud.  京ICP备20013102号-30</p></div></div>
</body></html>"""
    return page.encode("gbk", errors="xmlcharrefreplace")


def test_discuz_forum_repost_gbk():
    doc = ingest_html.read(discuz_page(), "forum.html")
    assert doc.encoding == "gb18030" and not doc.warnings
    assert doc.blocks[0].kind == "heading"
    assert doc.blocks[0].text == "2021 年政务公开工作要点印发,以人民为中心深化政务公开"
    assert similarity(seed_body("004_faeede1183fd7fea"), doc.text) >= 0.98
    chrome = ["主题", "回帖", "积分", "发表于", "显示全部楼层", "阅读模式", "复制链接", "立即注册",
              "Powered by", "Discuz", "ICP", "管理员", "dat818", "返回列表", "政务公开，你我同行"]
    assert [c for c in chrome if c in doc.text] == []


def page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>测试页面</title></head><body>{body}</body></html>"


CONTENT = "<p>各区县人民政府，市政府各部门：</p><p>现将有关事项通知如下，请认真贯彻执行。</p>"


def test_gb2312_declared_and_undeclared():
    body = page(CONTENT, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    doc = ingest_html.read(body.encode("gbk"), "a.html")
    assert doc.encoding == "gb18030" and doc.blocks[0].text == "各区县人民政府，市政府各部门："
    # no declaration, or a wrong one: strict UTF-8 fails, GB18030 succeeds
    for head in ("", '<meta charset="utf-8">', '<meta charset="iso-8859-1">'):
        doc = ingest_html.read(page(CONTENT, head).encode("gbk"), "b.html")
        assert doc.encoding == "gb18030" and "现将有关事项通知如下" in doc.text


def test_utf8_bom_and_replaced_bytes_warn():
    doc = ingest_html.read(b"\xef\xbb\xbf" + page(CONTENT).encode("utf-8"), "bom.html")
    assert doc.encoding == "utf-8-sig" and not doc.warnings
    broken = page(CONTENT).encode("utf-8").replace("现将".encode(), b"\xff\xfe\xfd\x80")
    doc = ingest_html.read(broken, "bad.html")
    assert [w.code for w in doc.warnings] == ["undecodable_bytes"]
    assert "有关事项通知如下" in doc.text


def test_info_in_list_items():
    meta = """<div class="xxgk"><ul>
      <li><span>索 引 号：</span><span>11500000MB1A23456X/2023-00012</span></li>
      <li><span>发布机构：</span><span>重庆市粮食局</span></li>
      <li><b>发文字号：</b>渝粮规范〔2023〕2号</li>
      <li>成文日期：2023-12-31 有效性：有效</li></ul></div>"""
    doc = ingest_html.read(page(meta + f'<div class="article-content">{CONTENT * 3}</div>').encode(), "li.html")
    info = doc.page_meta["info_table"]
    assert info == {"索引号": "11500000MB1A23456X/2023-00012", "发布机构": "重庆市粮食局",
                    "发文字号": "渝粮规范〔2023〕2号", "成文日期": "2023-12-31", "有效性": "有效"}
    assert "索引号" not in doc.text and "渝粮规范" not in doc.text


def test_layout_table_nested_table_and_hidden_text():
    inner = ("<table><tr><th>单位</th><th>数量</th></tr>"
             "<tr><td>市财政局<table><tr><td>甲</td><td>乙</td></tr></table></td><td>3</td></tr></table>")
    html = page(f"""<table><tr><td><div id="zoom">{CONTENT}<p>第一行<br>第二行</p>{inner}
        <p style="display:none">隐藏的文字</p><h2>二、工作要求</h2></div></td></tr></table>""")
    doc = ingest_html.read(html.encode(), "layout.html")
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert ("paragraph", "第一行") in kinds and ("paragraph", "第二行") in kinds
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [r.cells for r in rows] == [["单位", "数量"], ["市财政局\n甲 乙", "3"]]
    assert rows[0].header and not rows[1].header
    assert ("heading", "二、工作要求") in kinds and "隐藏" not in doc.text


def test_ten_thousand_nested_divs():
    html = page("<p>开头的段落</p>" + "<div>" * 10_000 + "<p>深处的正文</p>" + "</div>" * 10_000
                + "<p>最后的段落</p>")
    started = time.perf_counter()
    doc = ingest_html.read(html.encode(), "deep.html")
    assert time.perf_counter() - started < 5
    assert [b.text for b in doc.blocks] == ["开头的段落", "深处的正文", "最后的段落"]
    assert "html_deep_nesting" in [w.code for w in doc.warnings]


def test_unclosed_deep_inline_tags():
    html = page("<p>正文开始</p>" + "<font><span>字" * 5000)
    doc = ingest_html.read(html.encode(), "font.html")
    assert doc.text.startswith("正文开始") and doc.text.count("字") == 5000


def test_empty_page_fails_cleanly():
    with pytest.raises(IngestError) as err:
        ingest_html.read(b"  \n ", "empty.html")
    assert err.value.status == "failed"
    doc = ingest_html.read(page("").encode(), "blank.html")
    assert doc.blocks == [] and [w.code for w in doc.warnings] == ["no_text"]


def test_label_cells_without_colons_and_document_lists():
    labels = ("<table><tr><td>索引号</td><td>ABC-2020-1</td><td>发布机构</td><td>某局</td></tr>"
              "<tr><td>发文字号</td><td>某发〔2020〕1号</td><td>成文日期</td><td>2020-01-02</td></tr></table>")
    # a table of documents in the body has the same words as column headers: it is body
    listing = ("<table><tr><th>序号</th><th>文件名称</th><th>发文字号</th><th>成文日期</th></tr>"
               "<tr><td>1</td><td>关于某某的通知</td><td>某政发〔2020〕1号</td><td>2020-01-02</td></tr></table>")
    doc = ingest_html.read(page(labels + f'<div id="zoom">{CONTENT * 3}{listing}</div>').encode(), "l.html")
    assert doc.page_meta["info_table"] == {"索引号": "ABC-2020-1", "发布机构": "某局",
                                           "发文字号": "某发〔2020〕1号", "成文日期": "2020-01-02"}
    rows = [b.cells for b in doc.blocks if b.kind == "table_row"]
    assert rows == [["序号", "文件名称", "发文字号", "成文日期"], ["1", "关于某某的通知", "某政发〔2020〕1号", "2020-01-02"]]


def test_hidden_duplicate_body_is_dropped_whatever_its_size():
    """A CMS print/zoom container hides a second complete copy of the article: it must
    not be read (every fact would count twice), even though it holds most of the text."""
    from pipeline.ingest.html import read

    para = "<p>一、加强组织领导。各乡镇要在6月底前完成隐患排查。（责任单位：县水利局）</p>" \
           "<p>二、做好物资储备。县应急局负责物资调配，储备不少于500件救生衣。</p>"
    page = (f"<html><body><div class='nav'>首页 > 政务公开</div><div id='zoom'><p>关于做好防汛工作的通知</p>{para}</div>"
            f"<div id='print' style='display: none'><p>关于做好防汛工作的通知</p>{para}{para}"
            "<p>三、这是仅在隐藏副本中的段落，不应被读取。</p></div></body></html>")
    doc = read(page.encode("utf-8"), "x.html")
    assert doc.text.count("加强组织领导") == 1
    assert "隐藏副本" not in doc.text


def test_text_only_in_a_hidden_element_is_read_with_a_warning():
    from pipeline.ingest.html import read

    page = "<html><body><div style='display:none'><p>一、加强组织领导。各乡镇要在6月底前完成隐患排查工作。</p></div></body></html>"
    doc = read(page.encode("utf-8"), "x.html")
    assert "加强组织领导" in doc.text
    assert any(w.code == "hidden_body" for w in doc.warnings)


def test_a_page_behind_a_long_server_side_prelude_is_html():
    from pipeline.ingest import read_bytes, sniff

    prelude = "<?php\n" + "".join(f"$v{i} = $_GET['x{i}'];\n" for i in range(200)) + "?>\n"
    page = prelude + "<html><body><div id='zoom'><p>第一条 为规范管理，制定本办法。</p><p>第二条 学校应当报送成绩单。</p></div></body></html>"
    assert len(prelude) > 2048
    assert sniff(page.encode("utf-8")) == "html"
    doc = read_bytes(page.encode("utf-8"), "x.php")
    assert "学校应当报送成绩单" in doc.text and "$_GET" not in doc.text


def test_a_stray_close_tag_before_the_body_does_not_lose_it():
    # a site header include ends with its own </html>; the document follows it
    page = ("<html><head><title>网站</title></head><body><div>网站首页</div></body></html>\n"
            "<div class='content'><p>第十届全国人民代表大会常务委员会第二十八次会议决定：批准国务院提请审议的事项，"
            "将2007年末国债余额限额调整为53365.53亿元。</p><p>各有关部门要按照本决定抓好落实。</p></div></body></html>")
    from pipeline.ingest import html as ingest_html
    doc = ingest_html.read(page.encode("utf-8"), "p.html")
    assert "53365.53亿元" in doc.text and "抓好落实" in doc.text
    # a page whose only text after </html> is a tracker keeps its one ending
    plain = "<html><body><p>各乡镇人民政府要按照要求抓好政务公开工作的落实。</p></body></html><script>var a=1;</script>"
    assert "抓好政务公开" in ingest_html.read(plain.encode("utf-8"), "q.html").text


def test_an_order_header_row_above_the_body_cell_is_kept():
    """A gazette order: the issuer (a link), the date and the 字号 in the row above the body
    cell. The linked name made the cell alone score higher; the header is the document's."""
    rule = "".join(f"<p>第{n}条　主管机关应于每年三月底前公告补助名额，申请人应检附文件办理。</p>" for n in "一二三四五六七八")
    page = ("<html><body><table><tr><td><a href='https://example.gov'>某某部</a>令</td>"
            "<td>中华民国106年8月8日<br>某字第1060000001号</td></tr>"
            f"<tr><td colspan='2'><p>订定「某某补助办法」。</p>{rule}</td></tr></table></body></html>")
    doc = ingest_html.read(page.encode("utf-8"), "order.html")
    head = doc.text[:doc.text.index("订定")]
    assert all(part in head for part in ("某某部令", "中华民国106年8月8日", "某字第1060000001号"))
