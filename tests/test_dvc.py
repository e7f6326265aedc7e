"""The DVC pipeline (dvc.yaml) run the way docs/dvc.md tells a user to.

The recipe's commands are read from docs/dvc.md and run line by line in a temporary
copy of the repository (a git repository, as a clone is), with no virtual environment
on PATH and no PYTHONPATH: `make venv` is replaced by linking this environment as
`.venv`. Then: the second `dvc repro` runs nothing, `dvc metrics show` prints the small
summary, `dvc plots show` renders the per-document scores, and editing rules/units.yml
reruns extract and report but not ingest.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SEEDS

pytestmark = pytest.mark.skipif(importlib.util.find_spec("dvc") is None,
                                reason="dvc is not installed (it is in the `test` extra: pip install -e '.[test]')")

RAW = sorted(SEEDS.glob("00[0-4]_*.txt")) + [SEEDS / "004_faeede1183fd7fea.docx"]
STAGES = ("ingest", "extract", "report")
DOC = ROOT / "docs" / "dvc.md"


def recipe() -> list[str]:
    """The commands of docs/dvc.md's "Run it" block, comments removed."""
    section = DOC.read_text(encoding="utf-8").split("## Run it", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def _ran(output: str) -> set[str]:
    return {s for s in STAGES if f"Running stage '{s}'" in output}


def _skipped(output: str) -> set[str]:
    return {s for s in STAGES if f"Stage '{s}' didn't change, skipping" in output}


@pytest.fixture
def workspace(tmp_path):
    """A fresh-clone-like copy: code, rules, gold, a few raw documents, the DVC files."""
    ws = tmp_path / "ws"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "pipeline", ws / "pipeline", ignore=ignore)
    shutil.copytree(ROOT / "rules", ws / "rules", ignore=ignore)
    shutil.copytree(ROOT / "corpus" / "gold", ws / "corpus" / "gold")
    for name in ("pyproject.toml", "dvc.yaml", "params.yaml", ".gitignore", "Makefile", "corpus/parts.yml"):
        shutil.copyfile(ROOT / name, ws / name)
    raw = ws / "corpus" / "raw" / "seeds"
    raw.mkdir(parents=True)
    for src in RAW:
        shutil.copyfile(src, raw / src.name)

    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and Path(p).resolve() != Path(venv_bin).resolve())
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(PATH=path or "/usr/bin:/bin",
               DVC_SITE_CACHE_DIR=str(tmp_path / "dvc-site"),
               XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
               HOME=str(tmp_path / "home"),
               GIT_CONFIG_NOSYSTEM="1")
    if shutil.which("git", path=env["PATH"]) is None:
        pytest.skip("git is not installed: a clone is a git repository, and `dvc init` expects one")
    subprocess.run(["git", "init", "-q"], cwd=ws, env=env, check=True)
    return ws, env


def run_recipe(ws: Path, env: dict, lines: list[str]) -> list[tuple[str, str]]:
    """Run each line in one shell (so `export` holds), as docs/dvc.md gives it; returns
    (command, its output) pairs."""
    venv = Path(sys.prefix)
    script = ["set -e", "exec 2>&1"]        # one stream, in order: each command's output follows its marker
    for n, line in enumerate(lines):
        if line.startswith("make venv"):
            line = f"ln -s {venv} .venv"       # the environment running this test is the built .venv
        script += [f"echo '@@cmd {n}'", line]
    p = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ws, env=env, capture_output=True, text=True,
                       timeout=600)
    out = p.stdout + p.stderr
    assert p.returncode == 0, f"the recipe failed ({p.returncode}):\n{out}"
    parts = re.split(r"^@@cmd (\d+)\n", p.stdout, flags=re.M)[1:]
    outputs = {int(parts[i]): parts[i + 1] for i in range(0, len(parts), 2)}
    return [(line, outputs.get(n, "")) for n, line in enumerate(lines)]


def test_dvc_recipe_of_the_docs_works_on_a_fresh_copy(workspace):
    ws, env = workspace
    lines = recipe()
    assert lines[0].startswith("make venv") and any(line.endswith("dvc init") for line in lines)
    done = run_recipe(ws, env, lines)
    repros = [out for cmd, out in done if cmd.endswith("dvc repro")]
    assert len(repros) == 2
    first, second = repros
    out = ws / "out" / "dvc"

    # 1. first run: all three stages, one record per input document
    assert _ran(first) == set(STAGES), first
    records = sorted(p.relative_to(out / "records").as_posix() for p in (out / "records").rglob("*.yml")
                     if p.name != "report.yml")
    assert records == sorted(f"seeds/{p.name}.yml" for p in RAW)
    for stage in ("ingested", "records"):
        report = yaml.safe_load((out / stage / "report.yml").read_text(encoding="utf-8"))
        s = report["summary"]
        assert (s["total"], s["done"], s["failed"]) == (len(RAW), len(RAW), 0), (stage, report["documents"])
    assert not list(out.rglob("*.tmp"))

    # 2. nothing changed: nothing runs
    assert _ran(second) == set(), second
    assert _skipped(second) == set(STAGES), second
    assert "Data and pipelines are up to date." in second

    # 3. metrics: a small summary, per kind P/R/F1 micro and macro
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (out / "metrics.json").stat().st_size < 10_000
    for kind in ("tasks", "units_strict", "deadlines_normalised", "thresholds"):
        for avg in ("micro", "macro"):
            assert set(metrics[kind][avg]) == {"precision", "recall", "f1"}, (kind, avg)
            assert all(0 <= v <= 1 for v in metrics[kind][avg].values() if v is not None)
    shown = next(o for cmd, o in done if cmd.endswith("dvc metrics show"))
    assert "out/dvc/metrics.json" in shown and "tasks.micro.f1" in shown and "units_strict.macro.f1" in shown
    assert str(metrics["tasks"]["micro"]["f1"]) in shown

    # 4. plots: per-document scores rendered
    rows = json.loads((out / "per_document.json").read_text(encoding="utf-8"))
    assert sorted(r["document"] for r in rows) == sorted(f"seeds/{p.name}" for p in RAW)
    assert all(0 <= r["mean_f1"] <= 1 for r in rows)
    html = (ws / "dvc_plots" / "index.html").read_text(encoding="utf-8")
    assert "mean F1 per document" in html and "units F1 per document" in html
    assert all(f"seeds/{p.name}" in html for p in RAW)
    assert (out / "scores.txt").read_text(encoding="utf-8").startswith("all records")

    # 5. a unit rule file changes: extract and report run again, ingest does not
    ingested_report = (out / "ingested" / "report.yml").stat().st_mtime_ns
    with open(ws / "rules" / "units.yml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited by test_dvc\n")
    p = subprocess.run([".venv/bin/dvc", "repro"], cwd=ws, env={**env, "DVC_NO_ANALYTICS": "1"},
                       capture_output=True, text=True, timeout=300)
    log = p.stdout + p.stderr
    assert p.returncode == 0, log
    assert _ran(log) == {"extract", "report"}, log
    assert _skipped(log) == {"ingest"}, log
    assert (out / "ingested" / "report.yml").stat().st_mtime_ns == ingested_report
    # the stage read the edited rules (new digest), so every document was extracted again
    report = yaml.safe_load((out / "records" / "report.yml").read_text(encoding="utf-8"))
    assert report["summary"]["unchanged"] == 0 and report["summary"]["done"] == len(RAW), report["summary"]


def test_every_rule_file_is_a_dependency_of_the_stages_that_read_it():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    deps = {name: set(stage.get("deps", [])) for name, stage in stages.items()}
    rule_files = {f"rules/{p.name}" for p in (ROOT / "rules").glob("*.yml")}
    assert deps["ingest"] & rule_files == {"rules/junk.yml"}
    assert rule_files - {"rules/junk.yml"} <= deps["extract"], sorted(rule_files - deps["extract"])
    # every dependency exists (a renamed module or rule file would silently drop out)
    for name, files in deps.items():
        for dep in files:
            assert (ROOT / dep).exists() or dep.startswith("out/"), (name, dep)
    # the commands name the interpreter of params.yaml, never a bare program on PATH
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    assert params["python"] == ".venv/bin/python"
    for name, stage in stages.items():
        assert stage["cmd"].startswith("${python} -m pipeline.cli "), name
