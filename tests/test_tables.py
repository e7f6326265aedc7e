"""Task tables (pipeline.extract.tables): one task per data row, the same in every
rendition; cells parsed by their column's role; statistics tables are not tasks."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import tables
from pipeline.model import Block, Document
from pipeline.normalize import match_view
from pipeline.process import analyse, build_record, ingest
from pipeline.structure import build_tree

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "corpus" / "raw" / "tables"
SEEDS = ROOT / "corpus" / "raw" / "seeds"
FORMATS = ("docx", "html", "pdf")


def _record(path: Path, rules) -> dict:
    doc = ingest(path.read_bytes(), path.name, rules)
    return build_record(analyse(doc, rules), "test", path.name)


def _summary(record: dict) -> list[tuple]:
    """What must agree across renditions: per table task, its path, units and deadlines."""
    out = []
    for t in record["tasks"]:
        if t["origin"] != "table":
            continue
        units = tuple((u["unit"], u["role"]) for u in t["responsible"])
        deadlines = tuple((d["type"], d.get("amount"), d.get("unit"), d.get("date")) for d in t["deadlines"])
        out.append((tuple(t["path"][-1:]), units, deadlines))
    return out


@pytest.fixture(scope="module")
def records(rules):
    return {fmt: _record(TABLES / f"003_taskplan_table.{fmt}", rules) for fmt in FORMATS}


def test_renditions_give_the_same_tasks(records):
    summaries = {fmt: _summary(r) for fmt, r in records.items()}
    assert len(summaries["html"]) == 12
    assert summaries["docx"] == summaries["html"] == summaries["pdf"]


def test_table_rows_become_tasks_with_units_and_deadlines(records):
    tasks = [t for t in records["pdf"]["tasks"] if t["origin"] == "table"]
    first = tasks[0]
    assert [u["unit"] for u in first["responsible"]] == ["综合管理部", "产业发展部(招商部)", "财金部"]
    assert {u["role"] for u in first["responsible"]} == {"responsible"}
    assert first["path"][-1].startswith("(一)提升重点领域信息公开质量")
    # 长期坚持 states no deadline
    assert all(not t["deadlines"] for t in tasks[:11])
    last = tasks[-1]
    assert {(d["type"], d["amount"], d["unit"]) for d in last["deadlines"]} == {("relative", 3, "workday")}
    # Units that are only sentence subjects of the 具体要求 cell are not assigned.
    assert [u["unit"] for u in tasks[8]["responsible"]] == ["各部门"]
    # The limit is written in the 完成时限 cell and again in the task text: both count.
    assert len(last["deadlines"]) == 2


def test_merged_unit_cell_applies_to_both_rows(records):
    # Rows 4 and 5 share one vertically merged 责任单位 cell (empty in the PDF's row 5).
    for fmt, r in records.items():
        tasks = [t for t in r["tasks"] if t["origin"] == "table"]
        assert [u["unit"] for u in tasks[4]["responsible"]] == ["各部门"], fmt


def test_statistics_table_is_not_tasks(rules):
    for fmt in ("html", "docx", "pdf"):
        path = SEEDS / f"002_be06cf5f2f6cd198.{fmt}"
        doc = ingest(path.read_bytes(), path.name, rules)
        view = match_view(doc.text)
        assert tables.find_table_tasks(doc, view, build_tree(doc, rules), rules) == [], fmt


# -- synthetic tables ---------------------------------------------------------------

def _doc(rows: list[tuple[list[str], int | None]], fmt: str = "html", header_flag: bool = False) -> Document:
    blocks = [Block("paragraph", "关于印发重点工作任务分解表的通知")]
    for k, (cells, page) in enumerate(rows):
        blocks.append(Block("table_row", "\t".join(cells), page=page, cells=cells, table=0,
                            header=header_flag and k == 0))
    return Document(source="t", format=fmt, blocks=blocks).build()


def _tasks(doc, rules):
    view = match_view(doc.text)
    found = tables.find_table_tasks(doc, view, build_tree(doc, rules), rules)
    return view, found


def test_header_found_without_flag_and_lead_co_columns(rules):
    doc = _doc([
        (["序号", "重点任务", "牵头单位", "配合单位", "完成时限"], None),
        (["1", "推进政务公开标准化建设。", "县政府办公室", "县财政局、县发改局", "2021年6月底前"], None),
        (["2", "加强政策解读。", "县司法局（牵头）", "县政府办公室", "每季度"], None),
    ])
    view, found = _tasks(doc, rules)
    assert len(found) == 2
    facts = tables.row_facts(view, found[0], rules, None)
    units = [(f.data["unit"], f.data["role"]) for f in facts if f.kind == "unit"]
    assert units == [("县政府办公室", "lead"), ("县财政局", "co"), ("县发改局", "co")]
    dl = [f.data for f in facts if f.kind == "deadline"]
    assert dl and dl[0]["type"] == "date" and str(dl[0]["date"]) == "2021-06-30"
    facts2 = tables.row_facts(view, found[1], rules, None)
    assert ("县司法局", "lead") in [(f.data["unit"], f.data["role"]) for f in facts2 if f.kind == "unit"]
    # 每季度 in a 完成时限 cell is how often, not by when: the task's cadence
    assert [f.data["period"] for f in facts2 if f.kind == "cadence"] == ["quarter"]


def test_cell_with_role_verbs(rules):
    doc = _doc([
        (["序号", "工作任务", "责任单位", "完成时间"], None),
        (["1", "开展专项检查。", "县市场监管局牵头,县公安局、县商务局配合", "2022年底前"], None),
    ])
    view, found = _tasks(doc, rules)
    facts = tables.row_facts(view, found[0], rules, None)
    units = [(f.data["unit"], f.data["role"]) for f in facts if f.kind == "unit"]
    assert units == [("县市场监管局", "lead"), ("县公安局", "co"), ("县商务局", "co")]


def test_continuation_row_after_page_break_is_merged(rules):
    doc = _doc([
        (["序号", "工作任务", "责任单位", "完成时限"], 1),
        (["1", "全面梳理本部门政务服务事项,编制", "县政务服务中心", "2021年9月底前"], 1),
        (["", "办事指南并在政府网站公开。", "", ""], 2),
        (["2", "规范政府网站管理。", "县政府办公室", "长期坚持"], 2),
    ], fmt="pdf")
    view, found = _tasks(doc, rules)
    assert len(found) == 2
    assert "办事指南" in doc.text[found[0].start:found[0].end]
    assert any(k.startswith("task:cont") for k in found[0].row)


def test_headerless_table_after_a_task_table_carries_on(rules):
    """A Word task table split over two pages into two tables, the header not repeated
    (corpus 1384): the second table's rows are tasks with the first table's columns; a
    headerless table after a long paragraph is not."""
    blocks = [Block("paragraph", "重点工作责任分工表")]
    rows0 = [["序号", "任务内容", "牵头单位", "配合单位"], ["1", "抓好重点项目建设。", "市发展改革委", "市财政局"]]
    rows1 = [["2", "健全精准扶贫机制。", "市扶贫局", "市民政局"]]
    for cells in rows0:
        blocks.append(Block("table_row", "\t".join(cells), cells=cells, table=0))
    blocks.append(Block("paragraph", "— 3 —"))
    for cells in rows1:
        blocks.append(Block("table_row", "\t".join(cells), cells=cells, table=1))
    doc = Document(source="t", format="docx", blocks=blocks).build()
    view, found = _tasks(doc, rules)
    assert len(found) == 2
    facts = tables.row_facts(view, found[1], rules, None)
    assert [(f.data["unit"], f.data["role"]) for f in facts if f.kind == "unit"] == [("市扶贫局", "lead"), ("市民政局", "co")]
    blocks.insert(4, Block("paragraph", "以上任务由各单位认真落实，并按时报送工作进展情况。"))
    doc = Document(source="t", format="docx", blocks=blocks).build()
    assert len(_tasks(doc, rules)[1]) == 1


def test_group_rows_and_group_column_join_the_path(rules):
    doc = _doc([
        (["类别", "工作任务", "责任单位"], None),
        (["一、重点领域信息公开"], None),
        (["财政信息", "公开部门预决算。", "县财政局"], None),
    ])
    _, found = _tasks(doc, rules)
    assert len(found) == 1
    assert found[0].path[-2:] == ["一、重点领域信息公开", "财政信息"]


def test_two_row_header(rules):
    doc = _doc([
        (["序号", "工作任务", "责任单位", "责任单位", "完成时限"], None),
        (["序号", "工作任务", "牵头单位", "配合单位", "完成时限"], None),
        (["1", "推进决策公开。", "县司法局", "各乡镇", "2021年底前"], None),
    ])
    view, found = _tasks(doc, rules)
    assert len(found) == 1
    facts = tables.row_facts(view, found[0], rules, None)
    assert [(f.data["unit"], f.data["role"]) for f in facts if f.kind == "unit"] == [
        ("县司法局", "lead"), ("各乡镇", "co")]


def test_person_column_is_not_units_and_plain_tables_are_not_tasks(rules):
    doc = _doc([
        (["序号", "目标任务", "牵头单位", "责任人"], None),
        (["1", "地区生产总值增长6%。", "区发改局", "张三"], None),
    ])
    view, found = _tasks(doc, rules)
    facts = tables.row_facts(view, found[0], rules, None)
    assert [f.data["unit"] for f in facts if f.kind == "unit"] == ["区发改局"]
    plain = _doc([
        (["项目", "金额", "备注"], None),
        (["办公经费", "12.5", ""], None),
    ])
    assert _tasks(plain, rules)[1] == []


def test_division_column_assigns_clause_subjects(rules):
    doc = _doc([
        (["序号", "工作任务", "任务分工", "责任单位"], None),
        (["1", "推进重要部署执行公开。", "县政府办公室围绕年度重点工作加强信息发布;县发改局、县财政局要按要求完成信息发布。各部门要积极配合。", "各部门"], None),
    ])
    view, found = _tasks(doc, rules)
    facts = tables.row_facts(view, found[0], rules, None)
    units = sorted(f.data["unit"] for f in facts if f.kind == "unit")
    assert units == ["县发改局", "县政府办公室", "县财政局", "各部门"] or set(units) == {"县发改局", "县政府办公室", "县财政局", "各部门"}


def test_flattened_task_table(rules):
    # A scraped task table: one cell per line, empty cells gone, group lines between rows.
    lines = ["关于分解落实2023年工作目标任务的通知", "附件", "2023年工作目标任务落实责任分解表",
             "序号", "目  标  任  务", "牵头单位", "责任单位", "完成时限",
             "一、经济发展目标", "1", "★地区生产总值增长6%。", "区发改局", "区统计局、区财政局", "2023年12月底前",
             "2", "规模以上工业增加值增长8%。", "区工信局", "长期坚持",
             "二、民生保障", "3", "新增城镇就业2000人。", "区人社局", "区财政局"]
    doc = Document(source="t", format="txt", blocks=[Block("paragraph", x) for x in lines]).build()
    view = match_view(doc.text)
    regions: list = []
    found = tables.find_table_tasks(doc, view, build_tree(doc, rules), rules, regions)
    assert len(found) == 3 and len(regions) == 1
    units = [[(f.data["unit"], f.data["role"]) for f in tables.row_facts(view, t, rules, None) if f.kind == "unit"]
             for t in found]
    assert units[0] == [("区发改局", "lead"), ("区统计局", "responsible"), ("区财政局", "responsible")]
    assert units[1] == [("区工信局", "lead")]
    assert units[2] == [("区人社局", "lead"), ("区财政局", "responsible")]
    assert found[2].path[-1] == "二、民生保障"
    dl = [f.data for f in tables.row_facts(view, found[0], rules, None) if f.kind == "deadline"]
    assert dl and str(dl[0]["date"]) == "2023-12-31"


def test_lone_task_cell_is_a_task_not_a_group(rules):
    doc = _doc([
        (["工作任务", "责任单位", "完成时限"], None),
        (["一、政策解读"], None),
        (["做好重要政策解读工作,及时回应社会关切。", "", ""], None),
        (["规范政策文件发布。", "县司法局", "长期坚持"], None),
    ], fmt="pdf")
    _, found = _tasks(doc, rules)
    assert len(found) == 2
    assert all(t.path[-1] == "一、政策解读" for t in found)


def _txt_tasks(text, rules):
    from pipeline.ingest import read_bytes
    from pipeline.process import analyse

    doc = read_bytes(text.encode("utf-8"), "x.txt")
    a = analyse(doc, rules)
    return [(t.origin, [(doc.text[f.start:f.end], f.data.get("role") or f.data.get("date") or f.data.get("period"))
                        for f in facts]) for t, facts in zip(a.tasks, a.task_facts)]


def test_plain_text_table_with_bars_between_cells(rules):
    text = ("某市2023年重点工作任务分解表\n序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限\n"
            "1 | 推进政务服务“一网通办” | 市政务服务中心 | 各区政府 | 2023年6月底前\n"
            "2 | 开展营商环境评价 | 市发改委 | 市审批局市法制办 | 2023年12月底前\n")
    got = _txt_tasks(text, rules)
    assert [o for o, _ in got] == ["table", "table"]
    assert got[1][1] == [("市发改委", "lead"), ("市审批局", "responsible"), ("市法制办", "responsible"),
                         ("2023年12月底前", "2023-12-31")]


def test_plain_text_table_one_cell_per_line(rules):
    text = ("某市2023年重点工作任务分解表\n序号\n工作任务\n牵头单位\n完成时限\n------\n"
            "1\n推进政务服务“一网通办”\n市政务服务中心\n2023年6月底前\n------\n"
            "2\n开展营商环境评价\n市发改委\n2023年12月底前\n------\n")
    got = _txt_tasks(text, rules)
    assert got == [("table", [("市政务服务中心", "lead"), ("2023年6月底前", "2023-06-30")]),
                   ("table", [("市发改委", "lead"), ("2023年12月底前", "2023-12-31")])]


def test_bars_in_prose_are_not_a_table(rules):
    from pipeline.ingest import read_bytes

    doc = read_bytes("网站导航 | 首页 | 政务公开\n一、加强组织领导。各部门要明确责任。\n".encode("utf-8"), "x.txt")
    assert all(b.kind != "table_row" for b in doc.blocks)


def test_an_assessment_table_yields_unattached_targets_and_dates(rules):
    """A table that is not a task list (指标 | 评价标准 | 数据来源): no tasks, but the targets
    and dates in its cells are kept as unattached facts."""
    from pipeline.ingest import read_bytes
    from pipeline.process import analyse

    page = ("<html><body><div id='zoom'><p>某市2024年卫生健康工作考核方案</p><p>附件：考核指标</p><table>"
            "<tr><td>指标</td><td>评价标准</td><td>数据来源</td></tr>"
            "<tr><td>家庭医生签约率</td><td>2024年达到85%，到2026年底达到95%</td><td>卫健统计</td></tr>"
            "<tr><td>随访率</td><td>不低于70%</td><td>信息系统</td></tr></table></div></body></html>")
    a = analyse(read_bytes(page.encode("utf-8"), "x.html"), rules)
    assert not a.tasks
    loose = [(a.doc.text[f.start:f.end], f.kind) for f in a.unattached]
    assert ("不低于70%", "threshold") in loose
    assert any(k == "deadline" and "2026年底" in t for t, k in loose)
    assert any(k == "threshold" and "95%" in t for t, k in loose)


def test_a_header_cell_over_several_columns_and_a_name_wrapped_in_its_cell(rules):
    """考评内容 spans the group, item and text columns: the unit columns align right, the
    innermost text is the task; 扶贫开发⏎指导处 in a narrow column is one unit (corpus 1518)."""
    doc = _doc([
        (["工作目标考评内容", "分值", "考评牵头部门", "考评参与部门"], None),
        (["年度工作目标完成情况60分", "工作责任40分", "强化扶贫工作责任。", "4分", "扶贫开发\n指导处", "政策法规处、规划处"], None),
        (["年度工作目标完成情况60分", "工作责任40分", "分解落实目标任务。", "4分", "人事处", "规划处"], None),
    ])
    view, found = _tasks(doc, rules)
    assert len(found) == 2
    facts = tables.row_facts(view, found[0], rules, None)
    units = [(f.data["unit"], f.data["role"]) for f in facts if f.kind == "unit"]
    assert units == [("扶贫开发指导处", "lead"), ("政策法规处", "co"), ("规划处", "co")]
    assert "强化扶贫工作责任" in view[found[0].start:found[0].end]
