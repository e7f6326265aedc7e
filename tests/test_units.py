"""Responsible units: golden cases from tests/unit_cases.yml, and whole seeds."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.extract.units import find_units
from pipeline.normalize import match_view

CASES = yaml.safe_load((Path(__file__).parent / "unit_cases.yml").read_text(encoding="utf-8"))["cases"]


def _facts(text, rules):
    view = match_view(text)
    out = []
    for f in find_units(view, [(0, len(view))], rules):
        d = dict(f.data)
        d["unit"] = text[f.start:f.end]      # the name as written, in the original script
        assert match_view(d["unit"]) == view[f.start:f.end]
        out.append(d)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:18] for c in CASES])
def test_unit_case(case, rules):
    got = _facts(case["text"], rules)
    want = case["expect"]
    assert [(g["unit"], g["role"]) for g in got] == [(w["unit"], w["role"]) for w in want]
    for g, w in zip(got, want):
        for flag in ("each", "jointly", "collective"):
            assert bool(g.get(flag)) == bool(w.get(flag)), (g, flag)
        if "canonical" in w:
            assert match_view(g.get("canonical") or "") == match_view(w["canonical"])


def test_every_unit_line_of_seed_001_lands_on_its_item(corpus_run):
    """001: every 牵头单位/责任单位 line is attached to the item just above it."""
    _, _, out = corpus_run
    record = yaml.safe_load((out / "records/seeds/001_71262d750d9eb121.txt.yml").read_text(encoding="utf-8"))
    by_start = {t["text"][:12]: t for t in record["tasks"]}
    # (二)加强执行公开 is followed by 牵头单位:县发改、监察局、审计局
    t = next(t for k, t in by_start.items() if "加强执行公开" in k)
    leads = [u["unit"] for u in t["responsible"] if u["role"] == "lead"]
    assert leads == ["县发改", "监察局", "审计局"]
    # the closing paragraph has its own lines: 牵头单位:县政府办、监察局
    last = record["tasks"][-1]
    assert last["text"].startswith("县政府办公室定期")
    assert [u["unit"] for u in last["responsible"] if u["role"] == "lead"] == ["县政府办", "监察局"]
    # every unit span lies inside the task's own text or its unit lines
    for t in record["tasks"]:
        for u in t["responsible"]:
            assert u["span"]["start"] >= t["span"]["start"]


def test_every_trailing_parenthesis_of_seed_000(corpus_run):
    _, _, out = corpus_run
    record = yaml.safe_load((out / "records/seeds/000_616882cabf01649c.txt.yml").read_text(encoding="utf-8"))
    text = (Path(__file__).parent.parent / "corpus/raw/seeds/000_616882cabf01649c.txt").read_text(encoding="utf-8")
    # count the trailing unit parentheses by reading: one per 一是… paragraph of sections 一 to 四
    tasks_with_units = [t for t in record["tasks"] if t["responsible"]]
    parens = [t for t in tasks_with_units if any(u["rule"].startswith("bracket") for u in t["responsible"])]
    assert len(parens) >= 14
    assert "（市財政局牽頭落實）" in text or "(市財政局牽頭落實)" in text
    fin = next(t for t in record["tasks"] if "四是落實財政資金" in t["text"])
    assert [(u["unit"], u["role"]) for u in fin["responsible"]] == [("市財政局", "lead")]


def test_unclosed_bracket_and_nested_names_of_seed_003(corpus_run):
    _, _, out = corpus_run
    record = yaml.safe_load((out / "records/seeds/003_2f6965311e0af134.txt.yml").read_text(encoding="utf-8"))
    first = next(t for t in record["tasks"] if t["text"].startswith("1.") and "扎实做好" in t["text"][:8])
    assert [u["unit"] for u in first["responsible"]][:3] == ["综合管理部", "产业发展部(招商部)", "财金部"]
    eight = next(t for t in record["tasks"] if t["text"].startswith("8.") and "建立和实施" in t["text"][:8])
    assert "产业发展部(招商部)" in [u["unit"] for u in eight["responsible"]]


def test_first_listed_unit_leads_after_a_note(rules):
    """（除标注“分别牵头”外，列第一位为牵头单位，下同）: later lists name their lead first (the
    others stay responsible: the note calls nobody 配合); a list that says 分别牵头 keeps its
    roles; the note itself is never a unit."""
    from pipeline.process import analyse
    from pipeline.model import Document

    text = ("某某市交通治理行动方案\n一、重点任务（除标注“分别牵头”外，列第一位为牵头单位，下同）\n"
            "1.推进公交优先发展，完善线网布局。（市交通运输局、市公安局、各区政府）\n"
            "2.加强停车管理，规范路内停车。（市公安局、市城管局分别牵头）\n")
    from pipeline.ingest import read_bytes
    doc = read_bytes(text.encode("utf-8"), "x.txt")
    a = analyse(doc, rules)
    got = [[(doc.text[f.start:f.end], f.data["role"]) for f in facts if f.kind == "unit"] for facts in a.task_facts]
    assert got == [[("市交通运输局", "lead"), ("市公安局", "responsible"), ("各区政府", "responsible")],
                   [("市公安局", "lead"), ("市城管局", "lead")]]
    assert isinstance(doc, Document)


def test_a_note_inside_a_unit_bracket_covers_that_bracket_too(rules):
    """[市体育局，各区政府，列第一位的为牵头单位，下同] closing the first item: its own first
    unit leads, as do the first units of the later brackets (corpus 1353); 足协 is a unit."""
    text = ("某市足球发展若干措施\n（一）加强组织领导。领导小组每年开展工作评估。[市体育局，各区、县（市）政府，列第一位的为牵头单位，下同]\n"
            "（二）做大做强足球协会。健全各级足球协会党组织。[市体育局、市民政局，各区、县（市）政府，市足协]\n")
    got = [units for _, units in _units_by_task(text, rules)]
    assert got == [[("市体育局", "lead"), ("各区、县（市）政府", "responsible")],
                   [("市体育局", "lead"), ("市民政局", "responsible"), ("各区、县（市）政府", "responsible"),
                    ("市足协", "responsible")]]
    # the same note in a 责任单位 bracket, worded 列第一位者为牵头单位 (corpus 1557)
    text = ("某市稳就业实施办法\n一、加大稳岗支持力度。对不裁员的企业返还失业保险费。（责任单位：市人社局、市财政局，"
            "各县政府。列第一位者为牵头单位，下同）\n二、支持小微企业。引导金融资源流向小微企业。（责任单位：市财政局、市金融局）\n")
    got = [units for _, units in _units_by_task(text, rules)]
    assert got == [[("市人社局", "lead"), ("市财政局", "responsible"), ("各县政府", "responsible")],
                   [("市财政局", "lead"), ("市金融局", "responsible")]]
    # 逗号前为牵头单位: every unit before the list's first comma leads; a list without one names no lead
    text = ("某市教育发展方案\n（一）坚持立德树人。完善德育体系。（责任单位：市教育局、市团委，市委宣传部、市文旅局。"
            "逗号前为牵头单位，下同）\n（二）提升智育水平。构建现代课堂。（责任单位：市教育局，市科技局）\n"
            "（三）加强劳动教育。建设实践基地。（责任单位：市教育局）\n")
    got = [units for _, units in _units_by_task(text, rules)]
    assert got == [[("市教育局", "lead"), ("市团委", "lead"), ("市委宣传部", "responsible"), ("市文旅局", "responsible")],
                   [("市教育局", "lead"), ("市科技局", "responsible")], [("市教育局", "responsible")]]


def test_a_body_then_its_duties(rules):
    """（一）X由…组成，其职责是： over numbered items: each item is X's duty (corpus 1413)."""
    text = ("某银行信息系统应急管理规范\n第八条银行业金融机构应组建应急团队。\n"
            "（一）应急领导小组由高管人员任组长，各相关职能部门负责人为应急领导小组成员，其职责是：\n"
            "1．负责信息系统突发事件的应急指挥；\n2．明确新闻发布人；\n"
            "（二）应急执行小组由业务管理部门等派员组成，对应急领导小组负责，其职责是：\n"
            "1．实施具体应急处置工作；\n2．收集分析应急处置信息。\n")
    got = [units for task, units in _units_by_task(text, rules) if task.startswith(("1", "2"))]
    assert got == [[("应急领导小组", "responsible")]] * 2 + [[("应急执行小组", "responsible")]] * 2


def test_a_unit_line_above_the_items_names_their_unit(rules):
    """一、综合组。组长：… ⏎ 责任处室：某处 ⏎ 相关工作： ⏎ 1.… 2.…: each item is that unit's
    (corpus 1426)."""
    text = ("某局活动工作分工方案\n一、综合组。组长：王某。副组长：李某\n责任处室：社会扶贫处\n相关工作：\n"
            "1.拟制系列活动方案并呈报省领导。\n2.协调省通信管理局在活动期间发送公益短信。\n"
            "二、宣传组。组长：张某\n责任处室：办公室\n相关工作：\n1.组织媒体开展集中宣传报道。\n")
    got = [units for task, units in _units_by_task(text, rules) if task[:1].isdigit()]
    assert got == [[("社会扶贫处", "responsible")], [("社会扶贫处", "responsible")], [("办公室", "responsible")]]


def _units_by_task(text: str, rules) -> list[tuple[str, list[tuple[str, str]]]]:
    """A TXT document's tasks, each with its units (as written) and their roles."""
    from pipeline.ingest import read_bytes
    from pipeline.process import analyse

    doc = read_bytes(text.encode("utf-8"), "x.txt")
    a = analyse(doc, rules)
    return [(doc.text[t.start:t.end], [(doc.text[f.start:f.end], f.data["role"]) for f in facts if f.kind == "unit"])
            for t, facts in zip(a.tasks, a.task_facts)]


def test_a_scope_note_gives_its_units_to_every_later_item(rules):
    """（…以下均需各区政府落实，不再一一列出）: each later item also names 各区政府; the item
    holding the note keeps its own list; the note is never read as a unit list itself."""
    text = ("某某市促进消费若干措施\n"
            "一、加强保供稳价。做好重要商品储备调节。（市发展改革委、市商务局按职责分工负责，"
            "各区政府负责落实。以下均需各区政府落实，不再一一列出）\n"
            "二、开展购物季活动。组织促销活动。（市商务局负责）\n"
            "三、提振餐饮消费。开展美食评选活动。\n")
    got = [units for _, units in _units_by_task(text, rules)]
    assert got == [[("市发展改革委", "responsible"), ("市商务局", "responsible"), ("各区政府", "responsible")],
                   [("市商务局", "responsible"), ("各区政府", "responsible")],
                   [("各区政府", "responsible")]]


def test_a_scope_note_with_a_role_verb_gives_that_role(rules):
    """（X牵头，Y配合。以下均需各乡镇配合，不再列出）: 各乡镇 is co on every later item."""
    text = ("某某县水污染防治方案\n"
            "一、整治重点行业。开展专项治理。（县生态环境局牵头，县工信局参与，各乡镇配合。以下均需各乡镇配合，不再列出）\n"
            "二、建设污水管网。推进雨污分流改造。（县住建局牵头）\n")
    got = [units for _, units in _units_by_task(text, rules)]
    assert got == [[("县生态环境局", "lead"), ("县工信局", "co"), ("各乡镇", "co")],
                   [("县住建局", "lead"), ("各乡镇", "co")]]


def test_a_short_name_the_document_defines_is_a_unit(rules):
    """核能安全委员会（以下简称核安会）: 核安会 ends in no unit suffix, yet in this document it
    names a unit, so a heading （二）核安会： gives it to each numbered duty below; a short
    name for something that is no unit (以下简称《通知》) stays no unit."""
    text = ("某某核灾应变作业要点\n"
            "一、为应对境外核灾，由核能安全委员会（以下简称核安会）统筹，依据《应变规定》（以下简称规定）办理。\n"
            "二、任务分工：\n"
            "（一）核安会：\n"
            "1.全国环境辐射监测及可能影响评估。\n"
            "2.辐射防护与管制之督导及协调。\n"
            "（二）规定：\n"
            "1.相关事项另行通知。\n")
    got = dict(_units_by_task(text, rules))
    assert got["1.全国环境辐射监测及可能影响评估。"] == [("核安会", "responsible")]
    assert got["2.辐射防护与管制之督导及协调。"] == [("核安会", "responsible")]
    assert got.get("1.相关事项另行通知。", []) == []      # (a task in a standing 要点, with no unit)


def test_a_note_about_the_whole_document_makes_earlier_lists_name_their_lead_first(rules):
    """本实施细则中…排序在第一位的责任单位是该条款的牵头单位, written after the lists it speaks of."""
    from pipeline.ingest import read_bytes
    from pipeline.process import analyse

    text = ("某某区就业创业补助实施细则\n第三条 对新录用人员给予一次性补贴。（责任单位：区人社局、区财政局）\n"
            "第四条 对创业项目给予租金补贴。（责任单位：区商务局、区财政局）\n"
            "第五条 本实施细则中责任单位负责审查、复核，排序在第一位的责任单位是该条款的牵头单位。\n")
    doc = read_bytes(text.encode("utf-8"), "x.txt")
    a = analyse(doc, rules)
    got = [[(doc.text[f.start:f.end], f.data["role"]) for f in facts if f.kind == "unit"] for facts in a.task_facts][:2]
    assert got == [[("区人社局", "lead"), ("区财政局", "responsible")], [("区商务局", "lead"), ("区财政局", "responsible")]]


def test_a_bracket_line_under_a_heading_names_the_units_of_its_inline_items(rules):
    """（一）heading。⏎（牵头单位：甲，责任单位：乙）⏎一是…。二是…: each 一是 item is a task with the
    bracket's units; the heading with its bracket is no task of its own (corpus 1440)."""
    text = ("某某医疗救助实施方案\n三、政策措施\n（一）加强制度衔接，提高保障水平。\n"
            "（牵头单位：省卫生健康委，责任单位：省医保局、各市（州）政府）\n"
            "一是建立大病保险制度，确保覆盖所有困难群众。二是继续提高医疗救助水平。\n"
            "（二）强化医疗服务。\n（牵头单位：省中医药管理局）\n一是开展巡回医疗，每年开展4次巡回诊疗。\n")
    got = _units_by_task(text, rules)
    assert [units for _, units in got] == [
        [("省卫生健康委", "lead"), ("省医保局", "responsible"), ("各市（州）政府", "responsible")]] * 2 + [
        [("省中医药管理局", "lead")]]
    assert [task[:2] for task, _ in got] == ["一是", "二是", "一是"]


def test_a_scope_note_may_list_its_units_with_commas_and_brackets(rules):
    """以下均需各县（市、区）人民政府，某经开区管委会组织实施，不再列出: the later items get every unit
    (corpus 1507); 具体组织实施 closes a unit list."""
    text = ("某市培优行动方案\n（一）支持进阶上档。对首次入选的企业给予奖补。〔责任单位：市经济信息化局，各县（市、区）人民政府，"
            "某经开区管委会具体组织实施。以下均需各县（市、区）人民政府，某经开区管委会组织实施，不再列出〕\n"
            "（二）支持技改创新。鼓励实施技术改造。〔责任单位：市发展改革委〕\n")
    got = [units for _, units in _units_by_task(text, rules)]
    assert got == [[("市经济信息化局", "responsible"), ("各县（市、区）人民政府", "responsible"), ("某经开区管委会", "responsible")],
                   [("市发展改革委", "responsible"), ("各县（市、区）人民政府", "responsible"), ("某经开区管委会", "responsible")]]
