"""Rule files are input too: a hostile or broken rule file is refused fast, with a message
naming the file (and line), and the command exits 2 without a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.rules import DEFAULT_RULES_DIR, RuleError, load_rules

from .conftest import ROOT


@pytest.fixture
def rules_copy(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, dst)
    return dst


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def _error(rules_dir: Path) -> str:
    with pytest.raises(RuleError) as exc:
        load_rules(rules_dir)
    return str(exc.value)


def test_alias_bomb_rejected_fast(rules_copy):
    # 9 ** 9 = 387 million strings once expanded; a few hundred bytes on disk
    levels = ['  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        levels.append(f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    _append(rules_copy / "junk.yml", "bomb:\n" + "\n".join(levels) + "\n")
    t0 = time.perf_counter()
    msg = _error(rules_copy)
    assert time.perf_counter() - t0 < 5
    assert "junk.yml" in msg and "alias" in msg


def test_recursive_alias_rejected(rules_copy):
    _append(rules_copy / "junk.yml", "loop: &x [1, *x]\n")
    msg = _error(rules_copy)
    assert "junk.yml" in msg and "recursive" in msg


def test_benign_aliases_still_allowed(tmp_path):
    from pipeline.rules import _strip_lines, load_file

    p = tmp_path / "x.yml"
    p.write_text("a: &x [1, 2]\nb: *x\nc: *x\n", encoding="utf-8")
    assert _strip_lines(load_file(p)) == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_duplicate_key_is_an_error_with_both_lines(rules_copy):
    p = rules_copy / "junk.yml"
    n = len(p.read_text(encoding="utf-8").splitlines())
    _append(p, "version: 2\n")
    msg = _error(rules_copy)
    assert f"junk.yml:{n + 1}:" in msg and "duplicate key 'version'" in msg and "first on line" in msg


def test_non_utf8_rule_file(rules_copy):
    p = rules_copy / "junk.yml"
    n = len(p.read_text(encoding="utf-8").splitlines())
    with open(p, "ab") as fh:
        fh.write("# 注释\n".encode("gb18030"))
    msg = _error(rules_copy)
    assert f"junk.yml:{n + 1}:" in msg and "not UTF-8" in msg


@pytest.mark.parametrize("text,what", [
    ("holidays:\n  - 2021-02-30\n", "invalid date"),       # unquoted: a YAML date that is none
    ("holidays:\n  - '2021-02-30'\n", "is not a 'date'"),  # quoted: a string in ISO shape
])
def test_calendar_dates_are_real_days(rules_copy, text, what):
    (rules_copy / "calendar.yml").write_text("version: 1\n" + text, encoding="utf-8")
    msg = _error(rules_copy)
    assert "calendar.yml:3:" in msg and what in msg


def test_missing_extra_and_empty_files_are_named(rules_copy):
    (rules_copy / "tables.yml").unlink()
    (rules_copy / "extra.yml").write_text("rules: []\n", encoding="utf-8")
    (rules_copy / "units.yml").write_text("", encoding="utf-8")
    msg = _error(rules_copy)
    assert "missing rule files: tables.yml" in msg
    assert "extra.yml: unknown rule file" in msg
    assert "units.yml: empty rule file" in msg
    assert "missing rule files: tables.yml, units.yml" not in msg, "a present but broken file is not missing"


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_bad_rules_exit_2_without_traceback(rules_copy, tmp_path):
    with open(rules_copy / "junk.yml", "ab") as fh:
        fh.write(b"# \xff\xfe\n")
    (tmp_path / "a.txt").write_text("关于加强管理的通知", encoding="utf-8")
    for args in (["rules", "--rules", str(rules_copy)],
                 ["run", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--rules", str(rules_copy)]):
        p = _cli(*args)
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr and "junk.yml" in p.stderr and "UTF-8" in p.stderr


@pytest.mark.parametrize("date,words", [("9999-12-25", "out of range"), ("2021-02-30", "not a real date"),
                                        ("tomorrow", "not a real date")])
def test_explain_date_out_of_range_is_a_clear_error(date, words):
    p = _cli("explain", "本方案自印发之日起20个工作日内完成。", "--date", date)
    assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_counting_workdays_past_the_last_date_gives_none(rules):
    import datetime as dt

    from pipeline.workdays import add_workdays

    assert add_workdays(dt.date(9999, 12, 25), 20, rules) == (None, False)
