"""Rule files: validation names file, line and rule; users extend rules without Python."""
from __future__ import annotations

import shutil

import pytest

from pipeline.extract.units import find_units
from pipeline.normalize import match_view
from pipeline.rules import DEFAULT_RULES_DIR, RuleError, load_rules


@pytest.fixture
def rules_copy(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, dst)
    return dst


def _units(text, rules):
    v = match_view(text)
    return [(text[f.start:f.end], f.data["role"], f.data.get("canonical")) for f in find_units(v, [(0, len(v))], rules)]


def test_bundled_rules_load(rules):
    assert rules.digest
    for name in ("junk.yml", "headings.yml", "units.yml", "deadlines.yml", "thresholds.yml"):
        assert rules.rules(name), name


def test_invalid_regex_names_file_line_and_rule(rules_copy):
    p = rules_copy / "units.yml"
    p.write_text(p.read_text(encoding="utf-8") + "  - name: broken-rule\n    kind: sentence\n    pattern: '由(?P<units>[^,]+'\n",
                 encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    msg = str(exc.value)
    assert "units.yml:" in msg and "broken-rule" in msg and "invalid regex" in msg


def test_unknown_key_is_an_error(rules_copy):
    p = rules_copy / "headings.yml"
    p.write_text(p.read_text(encoding="utf-8") + "  - name: typo\n    patern: 'x'\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert "headings.yml" in str(exc.value) and "typo" in str(exc.value)


def test_yaml_error_names_the_line(rules_copy):
    (rules_copy / "junk.yml").write_text("rules:\n  - name: x\n    pattern: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert "junk.yml:" in str(exc.value)


def test_user_adds_a_unit_alias_without_python(rules_copy):
    text = "做好统计工作。（县统调队牵头）"
    assert _units(text, load_rules(rules_copy)) == [("县统调队", "lead", None)]
    p = rules_copy / "unit_aliases.yml"
    p.write_text(p.read_text(encoding="utf-8") + "  - {name: dctd, alias: '*统调队', canonical: '*国家统计局调查队'}\n",
                 encoding="utf-8")
    assert _units(text, load_rules(rules_copy)) == [("县统调队", "lead", "县国家统计局调查队")]


def test_user_adds_a_role_word_and_label_without_python(rules_copy):
    text = "做好统计工作。\n监督单位：县政府办"
    assert _units(text, load_rules(rules_copy)) == []
    p = rules_copy / "roles.yml"
    p.write_text(p.read_text(encoding="utf-8").replace("labels:\n", "labels:\n  监督单位: lead\n", 1), encoding="utf-8")
    assert [u[:2] for u in _units(text, load_rules(rules_copy))] == [("县政府办", "lead")]


def test_rules_command_lists_rules(capsys):
    from pipeline.cli import main

    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "units.yml" in out and "unit-line" in out
