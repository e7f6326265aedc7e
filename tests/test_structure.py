"""Section trees of the seeds: heading counts counted by hand from the text."""
from __future__ import annotations

from collections import Counter

import pytest

from pipeline.ingest import read_path
from pipeline.junk import clean
from pipeline.model import Block, Document
from pipeline.structure import build_tree

from .conftest import SEEDS

# (一、 count, （一） count, 1. count) per seed, counted by reading each document.
HAND_COUNTS = {
    "000_616882cabf01649c": {"cn-dun": 5},
    "001_71262d750d9eb121": {"cn-dun": 5, "cn-paren": 21},
    "003_2f6965311e0af134": {"cn-dun": 3, "cn-paren": 6, "arabic-dot": 12},
    "004_faeede1183fd7fea": {"cn-dun": 5, "cn-paren": 16},
}


@pytest.mark.parametrize("stem", sorted(HAND_COUNTS))
def test_heading_counts(stem, rules):
    root = build_tree(clean(read_path(SEEDS / f"{stem}.txt"), rules), rules)
    counts = Counter(n.style for n in root.walk() if n.block is not None)
    for style, n in HAND_COUNTS[stem].items():
        assert counts[style] == n, (style, counts)


def test_annual_report_top_level_headings(rules):
    # 8 sections of prose, then the statistics table's 9 sections, all 一、-style
    root = build_tree(clean(read_path(SEEDS / "002_be06cf5f2f6cd198.txt"), rules), rules)
    assert sum(1 for n in root.walk() if n.style == "cn-dun") == 17


def _doc(lines):
    d = Document("x", "txt", [Block("paragraph", t) for t in lines])
    return d.build()


def test_levels_follow_first_appearance_not_a_fixed_table(rules):
    # a document that starts at （一） and nests 1. under it
    root = build_tree(_doc(["（一）总体要求", "1. 做好公开", "2. 做好解读", "（二）保障措施", "1. 加强领导"]), rules)
    assert [c.number for c in root.children] == ["（一）", "（二）"]
    assert [c.number for c in root.children[0].children] == ["1.", "2."]


def test_skipped_levels_nest_under_nearest_parent(rules):
    root = build_tree(_doc(["一、总体要求", "1. 做好公开", "（一）另一层", "二、保障"]), rules)
    first = root.children[0]
    assert first.children[0].number == "1."
    assert len(root.children) == 2


def test_chapter_and_article(rules):
    root = build_tree(_doc(["第一章 总则", "第一条 为了规范……制定本办法。", "第二条 本办法适用于……",
                            "第二章 公开", "第三条 行政机关应当……"]), rules)
    assert [c.style for c in root.children] == ["chapter", "chapter"]
    assert len(root.children[0].children) == 2
    path = root.children[1].children[0].path()
    assert len(path) == 2 and path[0].startswith("第二章") and path[1].startswith("第三条")


def test_parts_circled_and_paren_numbers(rules):
    root = build_tree(_doc(["第一部分 总体要求", "一、目标", "第二部分 重点任务", "一、推进公开",
                            "1. 公开规划", "（1）规划纲要", "（2）专项规划", "① 细项", "2. 公开财政"]), rules)
    assert [c.style for c in root.children] == ["part", "part"]
    one = root.children[1].children[0]
    assert [c.heading for c in one.children] == ["1.公开规划", "2.公开财政"]
    assert [c.style for c in one.children[0].children] == ["arabic-paren", "arabic-paren"]
    assert one.children[0].children[1].children[0].style == "circled"


def test_a_numbered_list_in_the_preamble_does_not_hold_the_sections(rules):
    # …任务为：1.新开工2912套；2.基本建成1754套。…如下：一、… — 一、 never nests under 2.
    root = build_tree(_doc(["区直各单位：", "下达2016年目标任务为：1.新开工2912套；", "2.基本建成1754套。现将任务分解如下：",
                            "一、新开工建设目标任务", "1.中原安置小区1052套，责任单位：某某公司。",
                            "二、其它要求", "1.务必高度重视。各片区要加强组织领导。"]), rules)
    assert [(n.style, n.number) for n in root.children] == [("arabic-dot", "2."), ("cn-dun", "一、"), ("cn-dun", "二、")]
    assert [n.number for n in root.children[1].children] == ["1."]
