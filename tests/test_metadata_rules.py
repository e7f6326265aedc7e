"""rules/metadata.yml is checked when rules load (issue 12): a rule the extractor reads
by name, a {NAME} word list and a pattern once filled in; errors name file and line."""
from __future__ import annotations

import re
import shutil

import pytest

from pipeline.extract.metadata import REQUIRED, admin_level, doc_type_of, parse_date
from pipeline.rules import DEFAULT_RULES_DIR, RuleError, load_rules


@pytest.fixture
def rules_dir(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, d)
    return d


def _edit(rules_dir, old: str, new: str) -> int:
    """Replace ``old`` once in metadata.yml; the line it was on."""
    p = rules_dir / "metadata.yml"
    text = p.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    p.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_every_rule_the_extractor_reads_is_in_the_file(rules):
    names = {r["name"] for r in rules.rules("metadata.yml")}
    assert set(REQUIRED) <= names


def test_a_missing_rule_is_refused(rules_dir):
    _edit(rules_dir, "- name: cc-label\n", "- name: cc-label-renamed\n")
    with pytest.raises(RuleError, match=r"metadata\.yml: missing rule 'cc-label'"):
        load_rules(rules_dir)


def test_an_unknown_word_list_is_refused_with_its_line(rules_dir):
    line = _edit(rules_dir, "pattern: '^.{4,80}({DOC_TYPE})", "pattern: '^.{4,80}({DOC_KIND})")
    with pytest.raises(RuleError) as err:
        load_rules(rules_dir)
    msg = str(err.value)
    assert re.search(rf"metadata\.yml:{line - 1}: rule 'title-doc-type': unknown placeholder \{{DOC_KIND\}}", msg), msg


def test_a_word_that_breaks_the_pattern_is_escaped(rules_dir):
    """Words are literal text: a bracket in a document type stays a bracket."""
    _edit(rules_dir, "DOC_TYPE: [若干措施,", "DOC_TYPE: [通知(试行, 若干措施,")
    rs = load_rules(rules_dir)
    assert doc_type_of("关于做好政务公开工作的通知(试行", rs) == "通知(试行"


def test_an_invalid_pattern_names_its_line(rules_dir):
    line = _edit(rules_dir, "pattern: '(特急|加急|特提|平急)'", "pattern: '(特急|加急|特提|平急'")
    with pytest.raises(RuleError) as err:
        load_rules(rules_dir)
    # the line of the rule (its mapping), reported once
    assert len(re.findall(rf"metadata\.yml:{line - 1}: rule 'urgency': invalid regex", str(err.value))) == 1, err.value


def test_the_parsers_read_the_rule_set_they_are_given(rules_dir):
    """parse_date and admin_level use the rules passed in (the bundled ones by default)."""
    assert parse_date("二〇二一年六月四日") == "2021-06-04"
    assert admin_level("某某自治县人民政府") == ("某某自治县", "县")
    _edit(rules_dir, "      - {suffix_pattern: '(?:县|旗|(?<!自治)区)$', level: 县}\n", "")
    rs = load_rules(rules_dir)
    assert admin_level("某某自治县人民政府", rs) == ("某某自治县", "省")
    _edit(rules_dir, "pattern: '民[国國]\\s*(\\d{2,3})\\s*年'", "pattern: '民元\\s*(\\d{2,3})\\s*年'")
    rs = load_rules(rules_dir)
    assert parse_date("民国108年4月17日", rs) is None and parse_date("民国108年4月17日") == "2019-04-17"


def test_a_title_ending_that_is_not_a_type_gives_the_type_it_means(rules_dir):
    """type_of_ending maps 决议事项 (a cabinet meeting's decisions) to 会议纪录; removing
    the mapping leaves the ending itself as the type."""
    title = "行政院第3552次會議院長提示暨院會決定決議事項"
    assert doc_type_of(title, load_rules()) == "会议纪录"
    _edit(rules_dir, "type_of_ending:\n  决议事项: 会议纪录\n", "type_of_ending: {}\n")
    assert doc_type_of(title, load_rules(rules_dir)) == "決議事項"
