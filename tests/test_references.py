"""References: the data table tests/reference_cases.yml, number normalisation, seeds."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from pipeline.extract import references as R
from pipeline.normalize import match_view
from pipeline.rules import DEFAULT_RULES_DIR, RULE_OWNERS, RuleSet, load_rules

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent / "corpus" / "raw" / "seeds"
CASES = yaml.safe_load((HERE / "reference_cases.yml").read_text(encoding="utf-8"))


# The bundled rules come from the session fixture `rules` in conftest.py.


def test_case_table_is_big_enough():
    assert len(CASES) >= 20
    assert sum(1 for c in CASES if not c["expect"]) >= 5
    assert any(match_view(c["text"]) != c["text"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:20] for c in CASES])
def test_case(case, rules):
    text = case["text"]
    find = R.find_reference_mentions if case.get("mode") == "mentions" else R.find_references
    facts = find(match_view(text), rules)
    got = [f.data for f in facts]
    assert len(facts) == len(case["expect"]), f"{text}\n got {got}"
    for f, want in zip(facts, case["expect"]):
        want = {"title": None, "doc_number": None, **want}
        for key, value in want.items():
            assert f.data.get(key) == value, f"{text}: {key} = {f.data.get(key)!r}, want {value!r} ({f.data})"
        assert 0 <= f.start < f.end <= len(text)
        if f.data.get("title_span"):
            s, e = f.data["title_span"]
            assert text[s - 1] + text[e] in ("《》", "「」")


@pytest.mark.parametrize("raw, want", [
    ("江北管秘〔2020〕15号", "江北管秘〔2020〕15号"),
    ("赣府厅字[2018]50号", "赣府厅字〔2018〕50号"),
    ("赣府厅字［2018］50号", "赣府厅字〔2018〕50号"),
    ("国办发（2018）12号", "国办发〔2018〕12号"),
    ("某府发【2019】3号", "某府发〔2019〕3号"),
    ("国办发〔2018〕第12号", "国办发〔2018〕12号"),
    ("国办发 〔 2018 〕 12 号", "国办发〔2018〕12号"),
    ("中办发〔20168号", "中办发〔2016〕8号"),
    ("发文字号：国办发〔2017〕47号", "国办发〔2017〕47号"),
    ("贛府廳字［２０１８］５０號", "贛府廳字〔2018〕50號"),
    ("省政府令第247号", "省政府令第247号"),
    ("关于印发2021年政务公开工作要点的通知", None),
    ("2021年6月4日", None),
    ("", None),
])
def test_normalize_doc_number(raw, want, rules):
    assert R.normalize_doc_number(raw, rules) == want
    assert R.normalize_doc_number(raw) == want          # the default rules file


def test_parse_doc_number_flags_recovery(rules):
    assert R.parse_doc_number("齐办发〔201724号", rules)["recovered"] is True
    assert R.parse_doc_number("齐办发〔2017〕24号", rules)["recovered"] is False


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not present")
class TestSeeds:
    def refs(self, stem: str, rules):
        [path] = SEEDS.glob(f"{stem}_*.txt")
        text = path.read_text(encoding="utf-8")
        return text, R.find_references(match_view(text), rules)

    def test_002_titles_with_their_numbers(self, rules):
        _, facts = self.refs("002", rules)
        by_title = {f.data["title"]: f.data for f in facts}
        assert by_title["江西省人民政府办公厅关于印发2018年全省政务公开安排的通知"]["doc_number"] == "赣府厅字〔2018〕50号"
        assert by_title[
            "江西省人民政府办公厅关于做好2018年政府信息公开年度报告及政府网站年度报表编制发布工作的通知"
        ]["doc_number"] == "赣府厅明〔2018〕181号"
        assert by_title["南昌市发展和改革委员会关于转发国家发展改革委必须招标的基础设施和公用事业项目规范规定的通知"][
            "doc_number"] == "洪发改规字〔2018〕16号"
        assert by_title["必须招标的工程项目规定"]["doc_number"] == "国家发展和改革委员会令第16号"
        law = by_title["中华人民共和国政府信息公开条例"]
        assert law["alias"] == "条例" and law["mentions"] >= 3
        assert "条例" not in by_title                      # the alias is no new reference
        numbers = [f.data["doc_number"] for f in facts if f.data["doc_number"]]
        assert all("〔2018〕" in n or "〔2017〕" in n or "令第" in n for n in numbers)
        assert all(f.data["title"] for f in facts)         # every number sits next to its title

    def test_001_recovered_numbers_and_self_alias(self, rules):
        _, facts = self.refs("001", rules)
        numbers = {f.data["doc_number"]: f.data for f in facts if f.data["doc_number"]}
        assert set(numbers) == {"中办发〔2016〕8号", "黑办发〔2017〕9号", "齐办发〔2017〕24号", "齐政办发〔2015〕77号"}
        assert all(d["recovered"] for d in numbers.values())
        assert not any(f.data["title"] == "实施意见" for f in facts)   # 本实施意见(以下简称《实施意见》)

    def test_000_traditional_decree(self, rules):
        text, facts = self.refs("000", rules)
        [d] = [f.data for f in facts if f.data["doc_number"]]
        assert d["doc_number"] == "省政府令第247号"
        s, e = d["doc_number_span"]
        assert R.normalize_doc_number(text[s:e], rules) == "省政府令第247號"   # original script

    def test_003_own_number_is_not_a_reference(self, rules):
        _, facts = self.refs("003", rules)
        numbers = {f.data["doc_number"] for f in facts}
        assert "江北管秘〔2020〕15号" not in numbers
        assert {"芜政务办〔2020〕10号", "国办公开办函〔2019〕61号"} <= numbers


def _owners_importable() -> bool:
    for mod in RULE_OWNERS:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError:
            return False
    return True


@pytest.mark.skipif(not _owners_importable(), reason="not every module in RULE_OWNERS exists yet")
def test_load_rules_includes_references():
    assert "pipeline.extract.references" in RULE_OWNERS
    rs = load_rules()
    [f] = R.find_references(match_view("依据《条例》(国发〔2016〕8号)"), rs)
    assert f.data["doc_number"] == "国发〔2016〕8号"


def _with(rules: RuleSet, **options) -> RuleSet:
    import copy

    cfg = copy.deepcopy(rules.get("references.yml"))
    cfg.update(options)
    return RuleSet(DEFAULT_RULES_DIR, files={"references.yml": cfg})


def test_alias_entries_option(rules):
    text = match_view("根据《中华人民共和国政府信息公开条例》(以下简称《条例》)。依照《条例》第二十条。"
                      "制定本办法(以下简称《办法》)。按《办法》执行。")
    default = [f.data["title"] for f in R.find_references(text, rules)]
    assert default == ["中华人民共和国政府信息公开条例"]
    facts = R.find_references(text, _with(rules, alias_entries=True))
    got = {f.data["title"]: f.data for f in facts}
    assert got["条例"]["alias_of"] == "中华人民共和国政府信息公开条例"
    assert got["办法"]["self"] is True


def test_drop_self_references_option(rules):
    text = match_view("现将《某市2021年政务公开工作方案》印发给你们。")
    assert R.find_references(text, rules) == []
    [f] = R.find_references(text, _with(rules, drop_self_references=False))
    assert f.data["self"] is True


def test_the_documents_own_number_is_not_a_reference(rules):
    """A page's metadata block states the document's own 发文字号: it is meta.doc_number,
    not a cited document (corpus/gold/README.md)."""
    from pipeline.ingest import read_bytes
    from pipeline.process import analyse

    text = ("国务院关于某某省海洋功能区划的批复\n发文字号：国函〔2012〕161号\n某某省人民政府：\n"
            "一、原则同意《某某省海洋功能区划》。\n二、要严格执行《中华人民共和国海域使用管理法》（主席令第61号）。\n")
    a = analyse(read_bytes(text.encode("utf-8"), "x.txt"), rules)
    assert a.meta["doc_number"] == "国函〔2012〕161号"
    numbers = [f.data.get("doc_number") for f in a.references]
    assert "国函〔2012〕161号" not in numbers
    assert any(f.data.get("title") == "中华人民共和国海域使用管理法" for f in a.references)
