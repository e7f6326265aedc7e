"""Site furniture and spam are removed from the seeds; mojibake is flagged, not hidden."""
from __future__ import annotations

import pytest

from pipeline.ingest import read_path
from pipeline.junk import clean

from .conftest import SEEDS, SEED_STEMS

JUNK = ["访问量", "訪問量", "扫一扫在手机打开当前页", "【打印】", "分享:", "您當前所在位置", "掃碼瀏覽",
        "中文字幕", "转载来源", "显示全部楼层", "Powered by", "您需要登录后才可以回帖", "积分", "我要问",
        "官方服务微信", ".pdf", "京ICP备"]


def test_site_junk_is_absent_from_every_seed(rules):
    for stem in SEED_STEMS:
        doc = clean(read_path(SEEDS / f"{stem}.txt"), rules)
        for j in JUNK:
            assert j not in doc.text, (stem, j)
        assert doc.page_meta["furniture"], stem


def test_body_is_kept(rules):
    # the first and last real paragraphs of seed 004 survive junk removal
    doc = clean(read_path(SEEDS / "004_faeede1183fd7fea.txt"), rules)
    assert doc.text.lstrip().startswith("各省、自治区、直辖市人民政府")
    assert doc.text.rstrip().endswith("接受社会监督。")


def test_mojibake_is_flagged_with_its_span(rules):
    doc = clean(read_path(SEEDS / "000_616882cabf01649c.txt"), rules)
    moj = [w for w in doc.warnings if w.code == "mojibake"]
    assert moj
    spans = [doc.text[w.span[0]:w.span[1]] for w in moj]
    assert any("?!" in s for s in spans)
    assert any("\ue000" <= ch <= "\uf8ff" for s in spans for ch in s)
    # the original characters are kept
    assert "確?!笆" in doc.text and "遍_好局" in doc.text


def test_publication_line_is_kept_aside_for_metadata(rules):
    doc = clean(read_path(SEEDS / "003_2f6965311e0af134.txt"), rules)
    assert any("发布时间" in line for line in doc.page_meta["furniture"])
    assert "发布时间" not in doc.text


def test_a_body_that_repeats_itself_keeps_one_copy(rules):
    from pipeline.ingest import read_bytes
    from pipeline.junk import clean

    body = ("关于做好防汛工作的通知\n各乡镇人民政府：\n一、加强组织领导。各乡镇要在6月底前完成隐患排查。（责任单位：县水利局）\n"
            "二、做好物资储备。县应急局负责物资调配，储备不少于500件救生衣。\n三、强化值班值守。汛期实行24小时值班制度，事发后30分钟内报告。\n")
    doc = clean(read_bytes(("通知\n" + body + body + "县政府办公室\n2023年5月6日\n").encode("utf-8"), "x.txt"), rules)
    assert doc.text.count("加强组织领导") == 1 and doc.text.count("各乡镇人民政府") == 1
    assert doc.text.rstrip().endswith("2023年5月6日")
    assert any(w.code == "repeated_body" for w in doc.warnings)


def test_repeated_short_lines_are_not_a_repeated_body(rules):
    from pipeline.ingest import read_bytes
    from pipeline.junk import clean

    text = "".join(f"{n}、第{n}项工作按要求推进，责任单位要认真落实到位。\n（责任单位：县政府办）\n" for n in "一二三四五六七八")
    doc = clean(read_bytes(text.encode("utf-8"), "x.txt"), rules)
    assert doc.text.count("（责任单位：县政府办）") == 8
    assert not any(w.code == "repeated_body" for w in doc.warnings)


def test_a_label_broken_over_two_lines_is_one_line_again(rules):
    # 牵头 ⏎ 责任单位:县卫健委 — the converter broke the label; a lone 牵头 in prose stays
    from pipeline.ingest import read_bytes
    from pipeline.junk import clean

    text = ("县卫健委2021年政府工作报告任务分解\n1.加快发展健康、养老、育幼服务业\n牵头\n责任单位:县卫健委、县民政局\n主要\n"
            "协作单位:各乡镇人民政府\n2.加强公共卫生风险防控\n牵头\n由县卫健委负责。\n")
    lines = [b.text for b in clean(read_bytes(text.encode("utf-8"), "x.txt"), rules).blocks]
    assert "牵头责任单位:县卫健委、县民政局" in lines and "主要协作单位:各乡镇人民政府" in lines
    assert "牵头" in lines and "由县卫健委负责。" in lines


def test_a_metadata_table_run_into_lines_becomes_page_fields(rules):
    # 索引号 X 组配分类 Y / 文    号厅头〔2022〕723号效力状态有效: label by label into info_table, and the
    # title, number and issuer come from them or from the body, not from a 关键词 cell
    from pipeline.extract.metadata import extract
    from pipeline.ingest import read_bytes
    from pipeline.normalize import match_view

    text = ("索引号 113417/202007-00024 组配分类 其他文件\n发布文号 某政秘〔2020〕78号 关键词 关于公布补助标准的通知,其他文件\n"
            "文    号某政秘〔2020〕78号效力状态有效\n某市人民政府关于公布补助标准的通知\n各乡镇人民政府:\n"
            "一、城市特困人员补助标准为每人每月1020元。\n某市人民政府\n2020年7月7日\n")
    doc = clean(read_bytes(text.encode("utf-8"), "x.txt"), rules)
    info = doc.page_meta["info_table"]
    assert info["组配分类"] == "其他文件" and info["发布文号"] == "某政秘〔2020〕78号" and info["效力状态"] == "有效"
    assert not any("索引号" in b.text or "关键词" in b.text for b in doc.blocks)
    meta = extract(doc, match_view(doc.text), None, rules)
    assert meta["title"] == "某市人民政府关于公布补助标准的通知" and meta["doc_number"] == "某政秘〔2020〕78号"
    # one label in a body line is no table: 文号 in prose stays
    body = "某局关于报送材料的通知\n各单位:\n文号等信息请于5日内报送。\n某局\n2020年7月7日\n"
    assert any(b.text.startswith("文号等信息") for b in clean(read_bytes(body.encode("utf-8"), "y.txt"), rules).blocks)


def test_a_table_of_contents_under_its_heading_is_not_structure(rules):
    # 目录 and the numbered part names under it (a budget's contents page): furniture, so
    # the tree does not take each for an empty section; the parts themselves stay
    from pipeline.ingest import read_bytes

    text = ("某区2025年区级单位预算\n预算单位：某区人民政府办公室\n目录\n一、单位主要职能\n二、名词解释\n"
            "1. 2025年单位收入预算总表\n某区人民政府办公室主要职能\n主要职能包括：\n1.负责区政府日常运转工作。\n"
            "名词解释\n（一）财政拨款收入：是指区级财政当年拨付的资金。\n")
    lines = [b.text for b in clean(read_bytes(text.encode("utf-8"), "x.txt"), rules).blocks]
    assert "目录" not in lines and "一、单位主要职能" not in lines and "二、名词解释" not in lines
    assert "某区人民政府办公室主要职能" in lines and "1.负责区政府日常运转工作。" in lines


def test_a_long_line_ending_in_furniture_keeps_its_body(rules):
    # a page whose breaks were lost: the last item runs on into the page's furniture (corpus 1506)
    from pipeline.ingest import read_bytes
    from pipeline.junk import clean

    text = ("某市推广应用措施\n五、打造应用示范工程。各县（市、区）选取条件成熟的项目开展示范工作，在2023年底前打造一批示范样板工程。"
            "本措施自发布之日起实施，有效期3年。相关附件：某通知.pdf(/a/b.pdf)二维码开始扫一扫在手机打开当前页\n扫一扫在手机打开当前页\n")
    doc = clean(read_bytes(text.encode("utf-8"), "x.txt"), rules)
    assert doc.text.rstrip().endswith("本措施自发布之日起实施，有效期3年。")
    assert "在2023年底前打造一批示范样板工程" in doc.text and "扫一扫" not in doc.text
    assert any("扫一扫" in f for f in doc.page_meta["furniture"])


@pytest.mark.parametrize("last", ["第三十条　本办法自2025年3月1日起施行，有效期3年。",
                                  "第三十条\n本办法自2025年3月1日起施行，有效期3年。"])
def test_a_short_last_article_before_furniture_is_body(rules, last):
    # a regulation's last article is short: its number makes it body, not the 40-character rule
    from pipeline.ingest import read_bytes
    from pipeline.junk import clean

    text = ("某市管理办法\n第二十九条　各县（市、区）可参照本办法执行或者结合实际制定辖区管理办法。\n"
            f"{last}相关附件：某府办规〔2025〕2号.pdf(/a/b.pdf)二维码开始扫一扫在手机打开当前页\n")
    doc = clean(read_bytes(text.encode("utf-8"), "x.txt"), rules)
    assert doc.text.rstrip().endswith("本办法自2025年3月1日起施行，有效期3年。")
    assert "扫一扫" not in doc.text
