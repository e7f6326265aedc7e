"""Tasks: golden cases from tests/task_cases.yml (lines of a document → its tasks)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipeline.extract.tasks import find_tasks
from pipeline.model import Block, Document
from pipeline.structure import build_tree

CASES = yaml.safe_load((Path(__file__).parent / "task_cases.yml").read_text(encoding="utf-8"))["cases"]
_NUMBER = re.compile(r"^\s*(\(?[一二三四五六七八九十\d]{1,3}[)）、.．]|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]+条)\s*")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_task_case(case, rules):
    doc = Document("x.txt", "txt", [Block("paragraph", t) for t in case["lines"]]).build()
    tasks = find_tasks(doc, build_tree(doc, rules), rules, case.get("title"))
    starts = [_NUMBER.sub("", doc.text[t.start:t.end]) for t in tasks]
    assert len(starts) == len(case["tasks"]), starts
    for got, want in zip(starts, case["tasks"]):
        assert got.startswith(want), (got, want)


def test_an_annex_per_body_assigns_each_body_its_items(rules):
    # 附件 2016年某局…目标责任 over numbered duties, then the next body's list
    from pipeline.extract import units as units_mod

    lines = ["附件：2016年县直有关部门环境保护目标责任", "附件 2016年某县环境保护局环境保护目标责任",
             "一、深化水污染防治。组织实施水污染防治年度任务。", "二、强化大气污染防治。建设空气自动监测站。",
             "2016年某县交通运输局环境保护目标责任", "一、加强营运车辆监管。组织淘汰黄标车。"]
    doc = Document("x.txt", "txt", [Block("paragraph", t) for t in lines]).build()
    view = doc.text
    got = []
    for t in find_tasks(doc, build_tree(doc, rules), rules):
        names = sorted({f.data["unit"] for f in units_mod.find_units(view, t.spans(), rules)})
        got.append((view[t.start:t.end][:6], names))
    assert got == [("一、深化水污", ["某县环境保护局"]), ("二、强化大气", ["某县环境保护局"]),
                   ("一、加强营运", ["某县交通运输局"])]


def test_a_closing_sentence_naming_all_parts_gives_each_part_its_units(rules):
    # 一是…二是…三是…。以上工作由X抓落实: X sees every part through; a part closing with its
    # own 由Y抓落实 keeps Y, and the next paragraph's parts are another group
    from pipeline.extract import units as units_mod

    lines = ["一、加快社会扶贫工作。一是抓紧完成小额信贷报备工作。二是抓紧完成合作协议修订工作。三是加强网站升级改造工作。"
             "以上工作由国际合作与社会扶贫处抓落实。",
             "二、做好移民工作。一是抓紧完成验收工作。由规划处抓落实。二是抓紧签订安置协议。由移民安置处抓落实。"]
    doc = Document("x.txt", "txt", [Block("paragraph", t) for t in lines]).build()
    got = [(doc.text[t.start:t.start + 2],
            sorted({f.data["unit"] for f in units_mod.find_units(doc.text, t.spans(), rules)}))
           for t in find_tasks(doc, build_tree(doc, rules), rules)]
    assert got == [("一是", ["国际合作与社会扶贫处"]), ("二是", ["国际合作与社会扶贫处"]),
                   ("三是", ["国际合作与社会扶贫处"]), ("一是", ["规划处"]), ("二是", ["移民安置处"])], got


def test_a_headings_role_bracket_assigns_the_items_under_it(rules):
    # （一）…。（牵头领导：…；主办处室：X）over 1、2、: X leads each item; a part's bare bracket
    # repeating X adds nothing, and the leader is a person, not a unit
    from pipeline.extract import units as units_mod

    from pipeline.normalize import match_view

    lines = ["二、工作措施", "（一）精准识别，建档立卡工作。（牵头领导：刘某副局长；主办处室：统计信息处）",
             "1、加强指导督查。各县要加强对乡镇的指导。", "2、建立工作台账。按月报送工作进度。（统计信息处）"]
    doc = Document("x.txt", "txt", [Block("paragraph", t) for t in lines]).build()
    view = match_view(doc.text)
    got = []
    for t in find_tasks(doc, build_tree(doc, rules), rules):
        got.append(sorted((f.data["unit"], f.data["role"]) for f in units_mod.find_units(view, t.spans(), rules)))
    assert got == [[("统计信息处", "lead")], [("统计信息处", "lead")]]


def test_a_label_closing_the_last_part_gives_every_part_its_units(rules):
    from pipeline.process import analyse, ingest

    text = ("（二）聚焦重点，落实措施\n1.星级饭店一要严格标准要求。严禁开展违反标准的经营活动。二要加大培训力度。"
            "每月应开展服务人员培训不少于1次。三要落实垃圾分类。加强厨余垃圾的再利用。责任单位（处室）：市管处,宣传处")
    a = analyse(ingest(text.encode("utf-8"), "x.txt", rules), rules)
    units = [sorted(f.data["unit"] for f in facts if f.kind == "unit") for facts in a.task_facts]
    assert units == [["宣传处", "市管处"]] * 3


def test_a_bracket_closing_the_last_item_of_a_group_names_the_units_of_every_item(rules):
    # under one heading, only the last numbered item ends with a unit bracket: it closes the
    # group; an item with its own 责任单位 label keeps its own units (and stops the sharing)
    from pipeline.process import analyse, ingest

    def units_of(text):
        a = analyse(ingest(text.encode("utf-8"), "x.txt", rules), rules)
        return [sorted({f.data["unit"] for f in facts if f.kind == "unit"}) for facts in a.task_facts]

    shared = ("一、重点任务\n（一）改善乡村基础设施\n1.乡村公路。加快改造提升低等级公路。\n"
              "2.旅游厕所。全面提升旅游厕所品质。\n3.公共停车场。优化一批公共停车场。（责任单位：县文旅局，交通局）\n"
              "（二）丰富乡村产品\n1.打造特色餐饮。推出一批特色佳肴。（责任单位：县商务局）\n"
              "2.发展特色民宿。鼓励发展乡村民宿。（责任单位：县文旅局）")
    assert units_of(shared) == [["交通局", "县文旅局"]] * 3 + [["县商务局"], ["县文旅局"]]
    own = ("一、重点任务\n（一）改善乡村基础设施\n1.乡村公路。加快改造提升低等级公路。责任单位：县交通局\n"
           "2.公共停车场。优化一批公共停车场。（责任单位：县文旅局）")
    assert units_of(own) == [["县交通局"], ["县文旅局"]]


def test_a_paragraph_naming_a_units_duties_gives_the_items_below_their_unit(rules):
    # 协调小组负责…。具体职责： over （一）（二）: each item is the group's duty; the lead-in that
    # introduces them is no task of its own
    from pipeline.process import analyse, ingest

    text = ("一、工作目标\n全面完成标志牌设置。\n三、工作职责\n协调小组负责项目建设的方案制订、招投标、施工和监督检查工作。具体职责：\n"
            "（一）分区域分门类编制具体的工作方案，并上报领导小组审定；\n（二）组织标志牌设置工作的勘察、设计和施工招投标工作；\n")
    doc = ingest(text.encode("utf-8"), "x.txt", rules)
    a = analyse(doc, rules)
    got = [(a.view[t.start:t.start + 5], sorted(f.data["unit"] for f in facts if f.kind == "unit"))
           for t, facts in zip(a.tasks, a.task_facts)]
    assert got == [("(一)分区", ["协调小组"]), ("(二)组织", ["协调小组"])]


def test_a_heading_naming_the_authority_and_its_duties_gives_each_duty_its_unit(rules):
    # （一）X是…主管部门，履行下列职责：1.…（the first duty glued after the colon）2.…
    from pipeline.process import analyse, ingest

    text = ("四、职责分工\n（一）区交建局是全区房屋安全管理工作的主管部门，履行下列职责：1.统筹和指导全区房屋安全管理工作；\n"
            "2.对房屋安全检测鉴定市场进行监管；\n（二）区资源生态局职责：\n1.协助提供已审批的房屋用地面积；\n")
    a = analyse(ingest(text.encode("utf-8"), "x.txt", rules), rules)
    got = [(a.view[t.start:t.start + 4], sorted({f.data["unit"] for f in facts if f.kind == "unit"}))
           for t, facts in zip(a.tasks, a.task_facts)]
    assert got == [("1.统筹", ["区交建局"]), ("2.对房", ["区交建局"]), ("1.协助", ["区资源生态局"])]
