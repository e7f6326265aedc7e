"""The ledger (工作台账) from real records: XLSX, CSV, JSONL, filters and the calendar.

One `run` over six corpus files: the traditional seed 000 as TXT and as HTML (one
document in two renditions), seed 001 (牵头单位 lines, a resolved relative deadline, a
recovered date), 105 (dated deadlines, many thresholds and units) and the table-form work
plan as HTML and PDF (two renditions whose texts differ by a few characters).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil

import pytest
import yaml

from pipeline.cli import main
from pipeline.normalize import match_view
from pipeline.outputs.ledger import COLUMNS, HIDDEN_COLUMNS

from .conftest import CORPUS, SEEDS

FILES = [SEEDS / "000_616882cabf01649c.txt", SEEDS / "000_616882cabf01649c.html",
         SEEDS / "001_71262d750d9eb121.txt", CORPUS / "raw/more/105_guangzhou_rencai_jiju_2012.html",
         CORPUS / "raw/tables/003_taskplan_table.html", CORPUS / "raw/tables/003_taskplan_table.pdf"]


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    out = tmp_path_factory.mktemp("ledger_run")
    assert main(["run", *map(str, FILES), "-o", str(out), "-j", "1", "-q"]) == 0
    return out / "records"


def _record_tasks(records, name):
    path = next(p for p in records.rglob("*.yml") if p.name == name)
    return yaml.safe_load(path.read_text(encoding="utf-8"))["tasks"]


def _csv(path):
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines(keepends=True)))


@pytest.fixture(scope="module")
def ledger_csv(records, tmp_path_factory):
    target = tmp_path_factory.mktemp("ledger") / "台账.csv"
    assert main(["ledger", str(records), "-o", str(target)]) == 0
    return _csv(target)


def test_csv_columns_and_one_row_per_task_renditions_once(records, ledger_csv):
    assert list(ledger_csv[0]) == list(COLUMNS) + list(HIDDEN_COLUMNS)
    n000 = len(_record_tasks(records, "000_616882cabf01649c.txt.yml"))
    n001 = len(_record_tasks(records, "001_71262d750d9eb121.txt.yml"))
    n105 = len(_record_tasks(records, "105_guangzhou_rencai_jiju_2012.html.yml"))
    table_html = _record_tasks(records, "003_taskplan_table.html.yml")
    table_pdf = _record_tasks(records, "003_taskplan_table.pdf.yml")
    texts = lambda tasks: [t["text_simplified"] for t in tasks]  # noqa: E731
    assert len(table_html) == len(table_pdf) and texts(table_html) != texts(table_pdf)   # alike, not identical
    # seed 000 comes as TXT and HTML, the table plan as HTML and PDF: their tasks appear once
    assert len(ledger_csv) == n000 + n001 + n105 + len(table_html)
    assert len([r for r in ledger_csv if "003_taskplan_table" in r["来源位置"]]) == len(table_html)
    assert [r["序号"] for r in ledger_csv] == [str(i) for i in range(1, len(ledger_csv) + 1)]
    assert all(r["完成情况"] == "" and r["备注"] == "" for r in ledger_csv)


def test_csv_units_deadlines_and_review(ledger_csv):
    fin = next(r for r in ledger_csv if r["具体内容"].startswith("四是落實財政資金"))
    assert fin["任务"] == "四是落實財政資金領域信息公開"
    assert fin["牵头单位"] == "市財政局" and fin["文件名称"].startswith("南昌市人民政府辦公室")
    last = next(r for r in ledger_csv if "20個工作日內" in r["具体内容"])
    assert "2021-07-05" in last["完成时限"].split("\n")
    assert "无责任单位" in last["需复核"]
    # a task with several deadlines keeps each paired with its own words
    lead = next(r for r in ledger_csv if r["任务"] == "43.加强组织领导")
    assert lead["完成时限"].split("\n") == ["2012-10-31", "2012-12-31"]
    assert lead["时限原文"].split("\n") == ["2012年10月底前", "2012年底前"]
    for r in ledger_csv:
        assert len(r["完成时限"].split("\n")) == len(r["时限原文"].split("\n"))
        assert len(r["量化指标"].split("\n")) == len(r["指标数值"].split("\n"))
        if not r["时限原文"]:
            assert "无完成时限" in r["需复核"]
    # a date rebuilt from scraped text with a dropped character is flagged
    recovered = next(r for r in ledger_csv if "20196月底前" in r["时限原文"])
    assert "2019-06-30" in recovered["完成时限"] and "日期由残缺文字修复" in recovered["需复核"]


def test_csv_thresholds_as_written_and_cadence(ledger_csv):
    row = next(r for r in ledger_csv if r["任务"] == "12.博士后培养项目")
    assert "不少于400名" in row["量化指标"].split("\n")
    i = row["量化指标"].split("\n").index("不少于400名")
    assert row["指标运算"].split("\n")[i] == ">=" and row["指标数值"].split("\n")[i] == "400"
    assert not any(x.startswith((">", "<", "=")) for r in ledger_csv for x in r["量化指标"].split("\n"))
    # a bare frequency (定期) is shown in 完成时限, marked as a frequency, not a deadline
    fin = next(r for r in ledger_csv if r["具体内容"].startswith("四是落實財政資金"))
    assert "定期（频次）" in fin["完成时限"].split("\n") and "无完成时限" in fin["需复核"]


def test_formula_like_cells_are_text(records, tmp_path):
    """A task text starting with = (as scraped cells sometimes do) must not become a formula."""
    import openpyxl

    copy = tmp_path / "records"
    shutil.copytree(records, copy)
    path = next(p for p in copy.rglob("001_71262d750d9eb121.txt.yml"))
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["tasks"][0]["text"] = "=HYPERLINK(\"http://x\",\"点击\")" + record["tasks"][0]["text"]
    record["tasks"][1]["text"] = "-1+2" + record["tasks"][1]["text"]
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    assert main(["ledger", str(copy), "-o", str(tmp_path / "l.csv")]) == 0
    contents = [r["具体内容"] for r in _csv(tmp_path / "l.csv")]
    assert any(c.startswith("'=HYPERLINK") for c in contents) and any(c.startswith("'-1+2") for c in contents)
    assert not any(c.startswith(("=", "+", "-", "@")) for c in contents)
    assert main(["ledger", str(copy), "-o", str(tmp_path / "l.xlsx")]) == 0
    ws = openpyxl.load_workbook(tmp_path / "l.xlsx")["汇总"]
    cells = [c for c in ws["E"] if isinstance(c.value, str) and c.value.startswith(("=", "-"))]
    assert len(cells) == 2 and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_xlsx_workbook(records, tmp_path):
    import openpyxl

    target = tmp_path / "台账.xlsx"
    assert main(["ledger", str(records), "-o", str(target)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask      # the user's umask, not mkstemp's 0600
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[:2] == ["汇总", "到期"]
    summary = wb["汇总"]
    header = [c.value for c in summary[1]]
    assert header == list(COLUMNS) + list(HIDDEN_COLUMNS)
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref.startswith("A1:")
    letters = {h: c.column_letter for h, c in zip(header, summary[1])}
    assert all(summary.column_dimensions[letters[h]].hidden for h in HIDDEN_COLUMNS)
    assert not summary.column_dimensions[letters["具体内容"]].hidden
    assert 20 < summary.column_dimensions[letters["具体内容"]].width <= 62
    assert summary["E2"].alignment.wrap_text
    # a task with one dated deadline: a real Excel date
    row = next(r for r in summary.iter_rows(min_row=2) if "20個工作日內" in (r[4].value or ""))
    assert row[8].is_date and row[8].value.date() == dt.date(2021, 7, 5)
    # 到期: one row per dated deadline, soonest first
    due = wb["到期"]
    dates = [r[8].value for r in due.iter_rows(min_row=2)]
    assert dates and all(d is not None and hasattr(d, "year") for d in dates) and dates == sorted(dates)
    assert dt.datetime(2012, 10, 31) in dates and dt.datetime(2021, 7, 5) in dates
    # one sheet per unit, by canonical (else simplified) name: 市發改委 → 市发展和改革委员会
    assert "市财政局" in wb.sheetnames and "市发展和改革委员会" in wb.sheetnames
    fin = [r[4].value for r in wb["市财政局"].iter_rows(min_row=2)]
    assert any(t.startswith("四是落實財政資金") for t in fin)
    assert all(len(n) <= 31 for n in wb.sheetnames)


def test_jsonl_one_task_per_line_with_document(records, tmp_path):
    target = tmp_path / "tasks.jsonl"
    assert main(["ledger", str(records), "-o", str(target)]) == 0
    lines = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    seed = [x for x in lines if x["document"]["title"] and x["document"]["title"].startswith("南昌市人民政府辦公室關于印發")]
    assert seed and len({x["id"] for x in seed}) == len(seed)
    assert sorted(seed[0]["document"]["renditions"]) == ["000_616882cabf01649c.html", "000_616882cabf01649c.txt"]
    assert seed[0]["document"]["issued_on"] == "2021-06-04"
    last = next(x for x in lines if "20個工作日內" in x["text"])
    assert last["due_dates"] == ["2021-07-05"] and {"code": "no_unit", "label": "无责任单位"} in last["review"]


def test_filters(records, tmp_path):
    def rows(*args):
        target = tmp_path / "f.csv"
        assert main(["ledger", str(records), "-o", str(target), *args]) == 0
        return _csv(target)

    everything = rows()
    fin = rows("--unit", "市财政局")       # written 市財政局 in the traditional seed
    units = lambda r: match_view("、".join((r["牵头单位"], r["配合单位"], r["责任单位"])))  # noqa: E731
    assert fin and all("市财政局" in units(r).split("、") for r in fin)
    assert any("市財政局" in r["牵头单位"] for r in fin)
    assert len(fin) < len(everything)
    ndrc = rows("--unit", "市发展和改革委员会")    # the canonical name of 市發改委
    assert ndrc and all("市發改委" in r["牵头单位"] + r["配合单位"] + r["责任单位"] for r in ndrc)
    late = rows("--due-after", "2021-01-01")
    assert late and all(any(d >= "2021-01-01" for d in r["完成时限"].split("\n") if d[:2] == "20") for r in late)
    early = rows("--due-before", "2013-01-01")
    assert {r["任务"] for r in early} == {"43.加强组织领导"}
    window = rows("--due-after", "2021-09-01", "--due-before", "2021-09-30")
    assert window and all("2021-09-30" in r["完成时限"] for r in window)
    doc = rows("--doc", "105_guangzhou")
    assert doc and all(r["来源位置"].startswith("105_guangzhou") for r in doc)
    assert len(rows("--doc", "政务公开工作方案")) == len([r for r in everything if "政務公開工作方案" in r["文件名称"]])


def test_ics_events(records, tmp_path):
    from icalendar import Calendar

    ics = tmp_path / "deadlines.ics"
    assert main(["ledger", str(records), "-o", str(tmp_path / "l.csv"), "--ics", str(ics)]) == 0
    cal = Calendar.from_ical(ics.read_bytes())
    events = list(cal.walk("VEVENT"))
    table = _csv(tmp_path / "l.csv")
    dated = sum(1 for r in table for d in r["完成时限"].split("\n") if d[:2] in ("19", "20"))
    assert len(events) == dated > 0
    assert len({str(e["UID"]) for e in events}) == len(events)
    ev = next(e for e in events if e.decoded("DTSTART") == dt.date(2012, 10, 31))
    assert isinstance(ev.decoded("DTSTART"), dt.date) and not isinstance(ev.decoded("DTSTART"), dt.datetime)
    assert ev.decoded("DTEND") == dt.date(2012, 11, 1)
    assert "43.加强组织领导" in str(ev["SUMMARY"]) and "市委组织部" in str(ev["SUMMARY"])
    assert "2012年10月底前" in str(ev["DESCRIPTION"]) and "105_guangzhou" in str(ev["DESCRIPTION"])


def test_bad_format_and_missing_folder(records, tmp_path, capsys):
    assert main(["ledger", str(records), "-o", str(tmp_path / "l.ods")]) == 2
    assert "unknown ledger format" in capsys.readouterr().err
    assert main(["ledger", str(tmp_path / "nowhere"), "-o", str(tmp_path / "l.csv")]) == 2
    assert "nowhere" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["ledger", str(records), "-o", str(tmp_path / "file" / "l.xlsx")]) == 2   # its folder is a file
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "file" in err


def test_unreadable_record_is_named_and_the_rest_written(records, tmp_path, capsys):
    copy = tmp_path / "records"
    shutil.copytree(records, copy)
    (copy / "broken.yml").write_text("tasks: [unclosed\n", encoding="utf-8")
    (copy / "binary.yml").write_bytes(b"\xff\xfe\x00garbage")
    assert main(["ledger", str(copy), "-o", str(tmp_path / "l.csv")]) == 1
    err = capsys.readouterr().err
    assert "broken.yml" in err and "binary.yml" in err
    assert len(_csv(tmp_path / "l.csv")) == len(_csv_of(records, tmp_path))


def _csv_of(records, tmp_path):
    target = tmp_path / "whole.csv"
    assert main(["ledger", str(records), "-o", str(target)]) == 0
    return _csv(target)


@pytest.mark.parametrize("text, name", [       # task texts from the corpus
    ("四是落實財政資金領域信息公開。進一步擴大預決算公開范圍", "四是落實財政資金領域信息公開"),
    ("六、考核制度 市容办每月对各村进行年终考核（附件三）。", "六、考核制度"),
    ("（三）全面整治 我镇根据实际情况，在摸底排查和重点整治基础上", "（三）全面整治"),
    ("第 11 條 勸募團體申請勸募活動許可之文件有不實之情事", "第 11 條 勸募團體申請勸募活動許可之文件有不實之情事"),
    ("第三条\u3000所有船籍港为我省的海洋渔业船舶均应安装北斗船载终端设备，未安装北斗船载终端设备的渔业船舶，不",
     "第三条 所有船籍港为我省的海洋渔业船舶均应安装北斗船载终端设备"),
    ("1\n★地区生产总值增长15%。\n区发改局", "★地区生产总值增长15%"),
    ("二是\n根据市科委新的职能对政府信息公开目录进行调整。", "二是根据市科委新的职能对政府信息公开目录进行调整"),
    ("1.总述\n为规范开展省间电力现货交易，充分利用省间通道输电能力", "1.总述"),
    ("5\t基于“两表指导、审助分流”的知识产权案件快速审判机制\t法官助理庭前指导", "基于“两表指导、审助分流”的知识产权案件快速审判机制"),
    ("第十一条调频里程是指AGC单元每次响应AGC控制指令后结束时的实际出力值与响应指令时的出力值之差的绝对值",
     "第十一条调频里程是指AGC单元每次响应AGC控制指令后结束时的实际出力值与响应…"),
])
def test_short_name(text, name):
    from pipeline.outputs.ledger import NAME_MAX, short_name

    assert short_name(text) == name and len(name) <= NAME_MAX
