"""Site furniture and spam are removed from the seeds; mojibake is flagged, not hidden."""
from __future__ import annotations

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
