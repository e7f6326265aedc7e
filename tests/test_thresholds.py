"""Thresholds: the data table tests/threshold_cases.yml, the rules file, and the seeds."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from pipeline.extract import thresholds as T
from pipeline.normalize import match_view
from pipeline.rules import DEFAULT_RULES_DIR, RULE_OWNERS, RuleSet, load_rules

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent / "corpus" / "raw" / "seeds"
CASES = yaml.safe_load((HERE / "threshold_cases.yml").read_text(encoding="utf-8"))


# The bundled rules come from the session fixture `rules` in conftest.py.


def _check(text: str, expect: list[dict], rules: RuleSet) -> None:
    facts = T.find_thresholds(match_view(text), rules)
    got = [(text[f.start:f.end], f.data) for f in facts]
    assert len(facts) == len(expect), f"{text}\n got {got}"
    for want in expect:
        hits = [(q, d) for q, d in got if q == want["quote"]]
        assert hits, f"{text}: no fact quoted {want['quote']!r}; got {got}"
        q, d = hits[0]
        for key, value in want.items():
            if key == "quote":
                continue
            if key == "subject_has":
                assert value in (d.get("subject") or ""), f"{text}: subject {d.get('subject')!r}"
                continue
            assert d.get(key) == value, f"{text}: {key} = {d.get(key)!r}, want {value!r} ({d})"


def test_case_table_is_big_enough():
    assert len(CASES) >= 40
    assert sum(1 for c in CASES if not c["expect"]) >= 10          # negatives
    assert any(match_view(c["text"]) != c["text"] for c in CASES)   # traditional script


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:20] for c in CASES])
def test_case(case, rules):
    _check(case["text"], case["expect"], rules)


def test_rules_file_is_valid_and_complete(rules):
    tm = T.matcher(rules)
    names = [r["name"] for r in rules.rules("thresholds.yml")]
    assert len(names) == len(set(names))
    assert len(tm.rules) == len(names)
    with pytest.raises(ValueError, match="unknown placeholder"):
        tm.expand("{NOPE}")


def test_user_can_add_a_comparator_and_a_unit_without_python(rules):
    import copy

    cfg = copy.deepcopy(rules.get("thresholds.yml"))
    text = match_view("抽查比例不少于5成。")
    rs = RuleSet(DEFAULT_RULES_DIR, files={"thresholds.yml": cfg})
    assert T.find_thresholds(text, rs) == []
    cfg = copy.deepcopy(cfg)  # matchers are cached per loaded file: edit a copy
    cfg["units"].append({"word": "成"})
    rs = RuleSet(DEFAULT_RULES_DIR, files={"thresholds.yml": cfg})
    [f] = T.find_thresholds(text, rs)
    assert (f.data["op"], f.data["value"], f.data["unit"]) == (">=", 5, "成")
    cfg2 = copy.deepcopy(cfg)
    cfg2["comparators_before"].append({"word": "不下于", "op": ">="})
    rs = RuleSet(DEFAULT_RULES_DIR, files={"thresholds.yml": cfg2})
    [f] = T.find_thresholds(match_view("抽查比例不下于5成。"), rs)
    assert f.data["op"] == ">="


def test_parse_number():
    assert T.parse_number("三十") == (30, None, False)
    assert T.parse_number("两") == (2, None, False)
    assert T.parse_number("百分之九十") == (90, "%", False)
    assert T.parse_number("87.49") == (87.49, None, False)
    assert T.parse_number("1,000") == (1000, None, False)
    assert T.parse_number("三分之二") == (0.6667, None, True)
    assert T.parse_number("半") == (0.5, None, False)


def test_span_is_an_offset_in_the_original(rules):
    text = "二是擴大公眾參與。公開徵求意見的期限一般不少於30日。"
    [f] = T.find_thresholds(match_view(text), rules)
    assert text[f.start:f.end] == "不少於30日"
    assert f.data["subject"] == "公开征求意见的期限"   # the subject is in the view's script


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not present")
class TestSeeds:
    def facts(self, stem: str, rules):
        [path] = SEEDS.glob(f"{stem}_*.txt")
        text = path.read_text(encoding="utf-8")
        return text, T.find_thresholds(match_view(text), rules)

    def test_001_consultation_period(self, rules):
        text, facts = self.facts("001", rules)
        hits = [f for f in facts if text[f.start:f.end] == "不少于30日"]
        assert hits, [text[f.start:f.end] for f in facts]
        d = hits[0].data
        assert (d["op"], d["value"], d["unit"]) == (">=", 30, "日")
        assert "征求意见的期限" in d["subject"]
        quotes = {text[f.start:f.end]: f.data for f in facts}
        assert quotes["不少于2次"]["op"] == ">="
        assert quotes["不应低于4%"]["value"] == 4
        yearly = [d for q, d in quotes.items() if q.endswith("听取1次")]
        assert yearly and yearly[0]["period"] == "year"
        # 5小时内 / 24小时内 / 48小时内 / 20日内 / 30日内 are deadlines
        assert not any("小时" in q for q in quotes)

    def test_000_traditional(self, rules):
        text, facts = self.facts("000", rules)
        quotes = {text[f.start:f.end]: f.data for f in facts}
        assert quotes["不少于30日"]["subject"] == "公开征求意见的期限"
        assert quotes["10個"]["op"] == "==" and quotes["20個"]["value"] == 20
        assert not any("五年" in q or "十四" in q for q in quotes)   # 第十四个五年规划

    def test_002_annual_report_has_no_targets(self, rules):
        # a report of the past: counts such as 全年共发出微博7300条 are no thresholds
        _, facts = self.facts("002", rules)
        assert facts == []

    def test_all_seeds_run(self, rules):
        for path in sorted(SEEDS.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for f in T.find_thresholds(match_view(text), rules):
                assert 0 <= f.start < f.end <= len(text)
                assert f.data["op"] in (">=", "<=", ">", "<", "==", "between")


def _owners_importable() -> bool:
    for mod in RULE_OWNERS:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError:
            return False
    return True


@pytest.mark.skipif(not _owners_importable(), reason="not every module in RULE_OWNERS exists yet")
def test_load_rules_includes_thresholds():
    rs = load_rules()
    text = match_view("征求意见的期限一般不少于30日")
    [f] = T.find_thresholds(text, rs)
    assert f.data["value"] == 30


def test_document_definitions_apply_to_a_part(rules):
    doc = "第十条 罚款金额15万元以下的,奖励1万元。\n第十四条 本办法所称“以上”包含本数,“以下”不包含本数。"
    part = doc[: doc.index("\n")]
    # the fine's band (the reward, 奖励1万元, is a stated value beside it)
    [f] = [f for f in T.find_thresholds(match_view(part), rules) if f.data["value"] == 15]
    assert f.data["op"] == "<="                       # the part alone: 以下 includes the number
    [f] = [f for f in T.find_thresholds(match_view(part), rules, document=match_view(doc)) if f.data["value"] == 15]
    assert f.data["op"] == "<"                        # 以下不包含本数
