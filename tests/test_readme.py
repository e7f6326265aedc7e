"""Every command the README shows a user runs, as written (issue 10): the command lines of
"Using it" and the Python example, in a scratch folder next to the repository's corpus.
(The two set-up commands run in CI; the DVC recipe in tests/test_dvc.py.)"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXE = ".venv/bin/policy-pipeline"
SEEDS = ["000_616882cabf01649c.txt", "001_71262d750d9eb121.txt"]


def _section(title: str) -> str:
    start = README.index(title)
    nxt = README.find("\n## ", start + len(title))
    return README[start:nxt if nxt > 0 else None]


def readme_commands() -> list[str]:
    """The policy-pipeline lines of the first code block of "Using it", comments removed."""
    block = re.search(r"```sh\n(.*?)```", _section("## Using it"), re.S).group(1)
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.startswith(EXE)]


def _argv(line: str) -> list[str]:
    args = shlex.split(line)[1:]
    # placeholders: INPUT... is a folder of documents, OUT the run's folder, FILE a document
    out = []
    for a in args:
        out += {"INPUT...": ["inputs"], "OUT": ["out"], "FILE": [f"inputs/{SEEDS[0]}"]}.get(a, [a])
    exe = ROOT / EXE
    return ([str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]) + out


def test_the_readme_shows_the_commands_this_test_runs():
    cmds = readme_commands()
    names = {shlex.split(c)[1] for c in cmds}
    assert {"run", "explain", "site", "ingest", "ledger", "evaluate", "schema", "rules"} <= names, names


def test_every_command_of_using_it_runs(tmp_path):
    (tmp_path / "inputs").mkdir()
    for name in SEEDS:
        shutil.copy(ROOT / "corpus/raw/seeds" / name, tmp_path / "inputs" / name)
    os.symlink(ROOT / "corpus", tmp_path / "corpus")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for line in readme_commands():
        p = subprocess.run(_argv(line), cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        assert p.returncode == 0, f"{line}\n{p.stderr[-2000:]}"
    # what the commands promise exists
    for made in ("out/report.yml", "view.html", "site/index.html", "site/ledger.html", "台账.xlsx", "财政局.xlsx", "时限.ics"):
        assert (tmp_path / made).exists(), made
    assert list((tmp_path / "out/records").glob("*.json")), "run --format json wrote no JSON record"


def test_the_python_example_runs():
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-2000:]
    assert "市" in p.stdout   # the units of the first tasks are printed


def test_no_command_outside_the_using_it_block_is_left_untested():
    """Commands shown elsewhere in the README are the DVC recipe (tests/test_dvc.py) only."""
    outside = [c for c in README.replace(_section("## Using it"), "").splitlines() if c.startswith(EXE)]
    assert outside == [], outside
