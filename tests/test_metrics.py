"""Statistics tables of annual reports (pipeline.extract.metrics): the flattened table of
seed 002 against its gold file, the same values from its real-table renditions, the
multi-column national form, and no metrics from prose."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.evaluate import norm
from pipeline.extract import metrics
from pipeline.model import Block, Document
from pipeline.normalize import match_view
from pipeline.process import ingest
from pipeline.structure import build_tree

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "raw" / "seeds"
MORE = ROOT / "corpus" / "raw" / "more"
GOLD = ROOT / "corpus" / "gold"
STEM = "002_be06cf5f2f6cd198"
REPORT_2019 = "200_shanghai_govoffice_2019_annual_report"


def _metrics(path: Path, rules) -> list[dict]:
    doc = ingest(path.read_bytes(), path.name, rules)
    view = match_view(doc.text)
    return metrics.find_metrics(doc, view, build_tree(doc, rules), rules)


def _match(gold: list[dict], pred: list[dict], fields=("unit",)) -> tuple[int, list]:
    """One-to-one matches on name (+ column) and value; also the fields given."""
    used, tp, misses = set(), 0, []
    for g in gold:
        for k, p in enumerate(pred):
            if k in used:
                continue
            if (norm(p["name"]) == norm(g["name"]) and p["value"] == g["value"]
                    and norm(p.get("column")) == norm(g.get("column"))
                    and all(p.get(f) == g.get(f) for f in fields)):
                used.add(k)
                tp += 1
                break
        else:
            misses.append(g)
    return tp, misses


@pytest.fixture(scope="module")
def gold_002():
    return yaml.safe_load((GOLD / f"{STEM}.yml").read_text(encoding="utf-8"))["metrics"]


def test_flattened_table_recall_and_precision(rules, gold_002):
    pred = _metrics(SEEDS / f"{STEM}.txt", rules)
    tp, misses = _match(gold_002, pred, fields=("unit", "section"))
    assert tp / len(gold_002) >= 0.95, misses
    assert tp / len(pred) >= 0.95
    by_name = {m["name"]: m for m in pred}
    assert by_name["收到申请数"]["value"] == 782 and by_name["收到申请数"]["indicator"] == "三(一)"
    assert by_name["传真申请数"]["value"] == 0                     # zeros kept
    assert by_name["接受培训人员数"]["unit"] == "人次"
    assert by_name["政府信息公开专项经费"]["unit"] == "万元"         # name wrapped over two lines
    assert by_name["专职人员数"]["qualifier"].startswith("(不包括")
    assert by_name["涉及国家秘密"]["parent"] == "不同意公开答复数"
    assert all(isinstance(m["value"], (int, float)) for m in pred)


def test_no_metrics_from_prose(rules):
    pred = _metrics(SEEDS / f"{STEM}.txt", rules)
    doc = ingest((SEEDS / f"{STEM}.txt").read_bytes(), f"{STEM}.txt", rules)
    table_start = doc.text.index("统 计 指 标")
    assert all(m["span"]["start"] > table_start for m in pred)
    # 2018年度全市共受理信息公开申请782件 … is prose: 网上申请 582件 is not a metric name.
    assert not any("网上申请" in m["name"] for m in pred)


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_real_table_renditions_give_the_same_values(rules, fmt):
    flat = _metrics(SEEDS / f"{STEM}.txt", rules)
    table = _metrics(SEEDS / f"{STEM}.{fmt}", rules)
    key = lambda m: (m["section"], m["name"], m["value"], m["unit"], m["indicator"])  # noqa: E731
    assert [key(m) for m in table] == [key(m) for m in flat]


def test_multi_column_national_form(rules):
    gold = yaml.safe_load((GOLD / f"{REPORT_2019}.yml").read_text(encoding="utf-8"))["metrics"]
    pred = _metrics(MORE / f"{REPORT_2019}.html", rules)
    tp, misses = _match(gold, pred, fields=("section",))
    assert tp / len(gold) >= 0.95, misses
    assert tp / len(pred) >= 0.95
    m = next(x for x in pred if x["name"] == "本年新收政府信息公开申请数量" and x.get("column") == "自然人")
    assert m["value"] == 821
    m = next(x for x in pred if x["name"] == "政府集中采购" and x.get("column") == "采购总金额")
    assert (m["value"], m["unit"]) == (251000, "元")


def test_documents_without_statistics_have_no_metrics(rules):
    for path in (SEEDS / "000_616882cabf01649c.txt", SEEDS / "003_2f6965311e0af134.txt",
                 MORE / "102_yunyang_mubiao_fenjiebiao_2023.txt"):
        assert _metrics(path, rules) == [], path.name


# -- synthetic shapes ---------------------------------------------------------------

def _doc(rows: list[list[str]], fmt: str = "pdf") -> Document:
    blocks = [Block("paragraph", "某县2020年政府信息公开工作年度报告"),
              Block("heading", "四、政府信息公开行政复议、行政诉讼情况")]
    for cells in rows:
        blocks.append(Block("table_row", "\t".join(cells), page=1, cells=cells, table=0))
    return Document(source="t", format=fmt, blocks=blocks).build()


def test_grid_header_with_empty_merged_cells(rules):
    # A PDF grid: merged header cells are empty to the right of / below their text.
    e = ""
    rows = [
        ["行政复议", e, e, e, e, "行政诉讼", e, e, e, e, e, e, e, e, e],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", e, e, e, e, "复议后起诉", e, e, e, e],
        [e, e, e, e, e] + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
        ["5", "0", "0", "2", "7", "8", "0", "0", "1", "9", "0", "0", "0", "0", "0"],
    ]
    doc = _doc(rows)
    pred = metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules)
    got = {(m["name"], m["column"]): m["value"] for m in pred}
    assert got[("行政复议", "结果维持")] == 5
    assert got[("行政诉讼（未经复议直接起诉）", "总计")] == 9
    assert got[("行政诉讼（复议后起诉）", "结果维持")] == 0
    assert len(pred) == 15


def test_flattened_multi_column_rows(rules):
    lines = ["某县2020年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（一）项",
             "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
             "规章", "0", "0", "3", "规范性文件", "12", "12", "56",
             "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
             "行政许可", "120", "-3", "2345", "其他对外管理服务事项", "8", "0", "16"]
    doc = Document(source="t", format="txt", blocks=[Block("paragraph", x) for x in lines]).build()
    pred = metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules)
    got = {(m["name"], m.get("column")): m["value"] for m in pred}
    assert got[("规范性文件", "对外公开总数量")] == 56
    assert got[("行政许可", "本年增/减")] == -3
    assert all(m["section"] == "二、主动公开政府信息情况" for m in pred)
    assert len(pred) == 12


def test_flattened_rows_with_dropped_blank_cells_are_skipped(rules):
    # Blank cells vanish when a multi-column table is flattened: the values can no
    # longer be placed in their columns, so such rows give nothing rather than guesses.
    lines = ["某县2020年政府信息公开工作年度报告", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
             "规章", "1", "1", "3", "规范性文件", "12", "56", "行政处罚", "5", "5", "9", "行政强制", "1", "1", "1",
             "行政许可", "2", "2", "2"]
    doc = Document(source="t", format="txt", blocks=[Block("paragraph", x) for x in lines]).build()
    pred = metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules)
    assert not any(m["name"] == "规范性文件" for m in pred)
    assert {m["name"] for m in pred} == {"规章", "行政处罚", "行政强制", "行政许可"}


def _rows_as_lines(path: Path, sep: str, drop_empty: bool) -> bytes:
    """A rendition as a scraper copying the page might save it: every table row on one
    line, its cells joined by `sep`."""
    from pipeline.ingest import read_path

    doc = read_path(path)
    lines = []
    for b in doc.blocks:
        if b.kind == "table_row":
            cells = [c.replace("\n", "") for c in b.cells]
            lines.append(sep.join(c for c in cells if c or not drop_empty))
        else:
            lines.append(b.text)
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("sep,drop_empty", [("\t", False), (" ", True), ("    ", True)])
def test_rows_written_on_one_line(rules, gold_002, sep, drop_empty):
    data = _rows_as_lines(SEEDS / f"{STEM}.html", sep, drop_empty)
    doc = ingest(data, f"{STEM}.txt", rules)
    pred = metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules)
    tp, misses = _match(gold_002, pred, fields=("unit", "section"))
    assert tp / len(gold_002) >= 0.95, misses
    assert tp / len(pred) >= 0.95


def test_national_form_copied_with_tabs(rules):
    # Tabs keep the empty cells, so every value keeps its column (trailing empty cells,
    # lost when the line is stripped, are restored from the header).
    gold = yaml.safe_load((GOLD / f"{REPORT_2019}.yml").read_text(encoding="utf-8"))["metrics"]
    data = _rows_as_lines(MORE / f"{REPORT_2019}.html", "\t", False)
    doc = ingest(data, f"{REPORT_2019}.txt", rules)
    pred = metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules)
    tp, misses = _match(gold, pred, fields=("section",))
    assert tp / len(gold) >= 0.95, misses
    assert tp / len(pred) >= 0.95


def test_row_number_and_remark_columns_are_not_values(rules):
    rows = [["序号", "统计指标", "单位", "统计数", "备注"],
            ["1", "收到申请数", "件", "120", ""],
            ["2", "申请办结数", "件", "118", "2件结转"],
            ["3", "依申请公开信息收取的费用", "万元", "0", ""],
            ["4", "举报投诉数量", "件", "3", ""]]
    doc = _doc(rows, fmt="docx")
    pred = metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules)
    assert [(m["name"], m["value"], m["unit"]) for m in pred] == [
        ("收到申请数", 120, "件"), ("申请办结数", 118, "件"), ("依申请公开信息收取的费用", 0, "万元"),
        ("举报投诉数量", 3, "件")]
    assert all("column" not in m for m in pred)


def test_numeric_table_of_a_plan_is_not_metrics(rules):
    # A work plan that mentions 年度报告 only in passing: its fee table is no statistics.
    blocks = [Block("paragraph", "关于做好2021年政务公开工作的通知"),
              Block("paragraph", "各部门要按时编制并公开政府信息公开工作年度报告,认真核实数据,提高年度报告编制质量。")]
    for cells in (["项目", "标准", "单位"], ["复印费", "0.5", "元"], ["邮寄费", "10", "元"], ["刻录费", "20", "元"]):
        blocks.append(Block("table_row", "\t".join(cells), cells=cells, table=0))
    doc = Document(source="t", format="html", blocks=blocks).build()
    assert metrics.find_metrics(doc, match_view(doc.text), build_tree(doc, rules), rules) == []
