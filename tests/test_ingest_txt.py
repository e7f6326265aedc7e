"""TXT ingest: encodings, sniffing by content, junk removal on the user's seeds."""
from __future__ import annotations

import pytest

from pipeline.ingest import read_bytes, sniff
from pipeline.model import IngestError

from .conftest import SEEDS, SEED_STEMS


def test_gb18030_rendition_decodes_to_the_same_text():
    for stem in SEED_STEMS:
        utf8 = read_bytes((SEEDS / f"{stem}.txt").read_bytes(), "a.txt")
        gb = read_bytes((SEEDS / "gb18030" / f"{stem}.txt").read_bytes(), "b.txt")
        assert gb.encoding == "gb18030"
        assert gb.text == utf8.text


def test_utf16_and_bom():
    text = "关于印发工作方案的通知\n各县（区）人民政府："
    assert read_bytes(text.encode("utf-16"), "x").text == text
    assert read_bytes("\ufeff".encode() + text.encode(), "x").text == text


def test_undecodable_bytes_are_counted_not_hidden():
    data = "政务公开工作要点".encode() + b"\xff\xfe\xfa" + "第二段".encode()
    doc = read_bytes(data, "x")
    codes = [w.code for w in doc.warnings]
    assert "undecodable_bytes" in codes
    assert any("byte" in w.message for w in doc.warnings)


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"MZ\x90\x00" + bytes(200), "executable"),
    (bytes(range(256)) * 20, "binary"),
])
def test_sniff_refuses_non_text(data, reason):
    with pytest.raises(IngestError) as exc:
        sniff(data)
    assert reason in exc.value.reason


def test_format_is_sniffed_from_bytes_not_name(tmp_path):
    html = (SEEDS / f"{SEED_STEMS[0]}.html").read_bytes()
    assert sniff(html) == "html"
    assert sniff((SEEDS / f"{SEED_STEMS[0]}.pdf").read_bytes()) == "pdf"
    assert sniff((SEEDS / f"{SEED_STEMS[0]}.docx").read_bytes()) == "docx"


def test_markdown_pipe_tables_become_table_rows():
    from pipeline.ingest import read_path

    from .conftest import CORPUS

    doc = read_path(CORPUS / "raw/more/402_shuyang_xxgk_annual_report_2025.txt")
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    first = rows[0]
    assert first.header and first.cells == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert rows[1].cells == ["规章", "0", "0", "0"] and not rows[1].header
    assert not any("---" in b.text for b in doc.blocks)   # the |---| rule is not a row


def test_markdown_front_matter_and_headings(rules):
    from pipeline.process import analyse, ingest

    from .conftest import CORPUS

    path = CORPUS / "raw/more/404_luodian_shirong_kaohe_2020.txt"
    doc = ingest(path.read_bytes(), path.name, rules)
    assert "标题:" not in doc.text and "---" not in doc.text
    assert doc.page_meta["info_table"]["文号"] == "宝罗府〔2020〕6号"
    meta = analyse(doc, rules).meta
    assert meta["doc_number"] == "宝罗府〔2020〕6号" and meta["title"] == "罗店镇市容环境常态化管理考核实施意见"
    report = CORPUS / "raw/more/402_shuyang_xxgk_annual_report_2025.txt"
    doc = ingest(report.read_bytes(), report.name, rules)
    assert doc.blocks[0].kind == "heading" and not doc.blocks[0].text.startswith("#")


def test_a_crawlers_header_with_empty_fields_and_a_separator_is_page_metadata(rules):
    """标题: … / 文号: (empty) / 发布机构: … / a note / ==== 正文 ====: the header is page
    metadata, not body, even with an empty field and a note before the separator."""
    from pipeline.process import ingest

    text = ("标题: 某某管委会关于下达2016年建设目标任务的通知\n发布时间: 2016-03-04 13:12\n文号: \n"
            "发布机构: 某某网\n栏目: 管委会文件\n页面链接与图片详见 links.tsv(同目录)\n"
            "==================== 正文 ====================\n"
            "某某管委会关于下达2016年建设目标任务的通知\n各相关单位：\n一、请认真抓好落实。\n")
    doc = ingest(text.encode("utf-8"), "page.txt", rules)
    assert doc.page_meta["info_table"]["标题"] == "某某管委会关于下达2016年建设目标任务的通知"
    assert "文号" not in doc.page_meta["info_table"]
    assert "标题:" not in doc.text and "====" not in doc.text and "links.tsv" not in doc.text


def test_a_crawlers_markdown_layout_table_and_line_breaks_are_prose():
    # a page saved as Markdown: images, and the body in a one-cell layout table joined by <br>
    md = ("![](https://example.gov.cn/images/logo.png)\n\n| 索引号： | 0001/2025-1 | 生成日期： | 2025-06-18 |\n"
          "| --- | --- | --- | --- |\n\n|     |\n| --- |\n"
          "| 各乡镇、县直各部门：<br>为做好秋季防火工作，现将有关事项通知如下：<br>**一、加强巡查**<br>"
          "各乡镇要在10月底前完成隐患排查。（责任单位：县林业局） |\n"
          "| 序号 | 任务 | 责任单位 |\n| --- | --- | --- |\n| 1 | 巡查<br>排查 | 县林业局 |\n")
    doc = read_bytes(md.encode(), "page.txt")
    paragraphs = [b.text for b in doc.blocks if b.kind != "table_row"]
    assert "一、加强巡查" in paragraphs
    assert "各乡镇要在10月底前完成隐患排查。（责任单位：县林业局）" in paragraphs
    assert not any("<br" in b.text or "![" in b.text or "**" in b.text for b in doc.blocks)
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert any("巡查 排查" in r and "县林业局" in r for r in rows)   # a data row stays a row


def test_a_static_sites_markdown_page_reads_as_its_text(rules):
    """A regulation kept as a static site's Markdown: YAML front matter (title / date /
    author, with list values) is page metadata; inline HTML tags are no text and entities
    are characters; directives (::: tabs, @tab, [[toc]]), a table of contents of anchor
    links and heading attributes ({align="center"}) are dropped."""
    from pipeline.process import analyse, ingest

    md = ("---\ntitle: 某省行政执法公示办法\nicon: article\ndate: 2021-05-21\nauthor: 某省人民政府\n"
          "category:\n  - 规章\ntag:\n  - 地方规章\n---\n\n::: details 目录\n\n::: tabs\n\n@tab 章节\n\n[[toc]]\n\n"
          "@tab 条例\n\n- 第1~2条：\n\n  [1](#t1)&emsp;[2](#t2)\n\n:::\n\n"
          "## 第一章&emsp;总则{align=\"center\"}\n\n"
          "<p id=\"t1\">&emsp;&emsp;<b>第一条</b>&emsp;为了规范行政执法公示行为，制定本办法。</p>\n"
          "<p id=\"t2\">&emsp;&emsp;<b>第二条</b>&emsp;各级司法行政部门负责组织实施本办法。<br>\n"
          "&emsp;&emsp;上级行政执法主体应当加强指导和监督。</p>\n")
    doc = ingest(md.encode("utf-8"), "page.txt", rules)
    assert not any(x in doc.text for x in ("<p", "</p>", "<b>", "&emsp;", ":::", "@tab", "[[toc]]", "](#t", "{align"))
    assert "第二条\u2003各级司法行政部门负责组织实施本办法。" in doc.text.replace("\u2003\u2003", "")
    meta = analyse(doc, rules).meta
    assert (meta["title"], meta["issuer"], meta["issued_on"]) == ("某省行政执法公示办法", "某省人民政府", "2021-05-21")


def test_markdown_with_front_matter_and_inline_html_is_sniffed_as_text():
    md = "---\ntitle: 某办法\ndate: 2011-05-01\n---\n\n<p>第一条 为了规范工作，制定本办法。</p>\n<table><tr><td>1</td></tr></table>\n"
    assert sniff(md.encode("utf-8")) == "txt"
    assert sniff(b"<html><body><p>x</p></body></html>") == "html"
    assert sniff("<p>第一条 为了规范工作。</p>".encode("utf-8")) == "html"


def test_a_fragment_of_styled_paragraphs_is_sniffed_as_html():
    # a notice cut from a page or a database row: only <p style="…"> paragraphs, no <html>/<div>
    frag = ('<p style="text-indent: 2em; text-align: center;">某教委基〔2018〕11号</p>'
            '<p style="text-indent: 2em;"><strong>关于开展评选活动的通知</strong></p>').encode("utf-8")
    assert sniff(frag) == "html"
    assert sniff("第一条 p style 不是标签。".encode("utf-8")) == "txt"
