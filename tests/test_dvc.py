"""The DVC pipeline (dvc.yaml): ingest → extract → report on a small copy of the repository.

`dvc repro` runs the three stages; a second `dvc repro` runs nothing; editing
rules/units.yml reruns extract and report, not ingest.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SEEDS

pytestmark = pytest.mark.skipif(importlib.util.find_spec("dvc") is None,
                                reason="dvc is not installed (it is in the `test` extra: pip install -e '.[test]')")

RAW = sorted(SEEDS.glob("*.txt")) + [SEEDS / "004_faeede1183fd7fea.docx"]
STAGES = ("ingest", "extract", "report")


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float = 120) -> str:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    out = p.stdout + p.stderr
    assert p.returncode == 0, f"{' '.join(cmd)} failed ({p.returncode}):\n{out}"
    return out


def _ran(output: str) -> set[str]:
    return {s for s in STAGES if f"Running stage '{s}'" in output}


def _skipped(output: str) -> set[str]:
    return {s for s in STAGES if f"Stage '{s}' didn't change, skipping" in output}


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "pipeline", ws / "pipeline", ignore=ignore)
    shutil.copytree(ROOT / "rules", ws / "rules", ignore=ignore)
    shutil.copytree(ROOT / "corpus" / "gold", ws / "corpus" / "gold")
    for name in ("pyproject.toml", "dvc.yaml", "params.yaml"):
        shutil.copyfile(ROOT / name, ws / name)
    raw = ws / "corpus" / "raw" / "seeds"
    raw.mkdir(parents=True)
    for src in RAW:
        shutil.copyfile(src, raw / src.name)

    bindir = str(Path(sys.executable).parent)       # `policy-pipeline` of this environment
    env = dict(os.environ,
               PATH=os.pathsep.join([bindir, os.environ.get("PATH", "")]),
               PYTHONPATH=str(ws),                  # the copied code, the one dvc.yaml tracks
               DVC_NO_ANALYTICS="1",
               DVC_SITE_CACHE_DIR=str(tmp_path / "dvc-site"),
               XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
               GIT_CONFIG_NOSYSTEM="1")
    if shutil.which("git", path=env["PATH"]):
        _run(["git", "init", "-q"], ws, env)
        _run([sys.executable, "-m", "dvc", "init", "-q"], ws, env)
    else:
        _run([sys.executable, "-m", "dvc", "init", "-q", "--no-scm"], ws, env)
    return ws, env


def test_dvc_repro(workspace):
    ws, env = workspace
    repro = [sys.executable, "-m", "dvc", "repro"]
    out = ws / "out" / "dvc"

    # 1. first run: all three stages, one record per input document
    log = _run(repro, ws, env, timeout=300)
    assert _ran(log) == set(STAGES), log
    records = sorted(p.relative_to(out / "records").as_posix() for p in (out / "records").rglob("*.yml")
                     if p.name != "report.yml")
    assert records == sorted(f"seeds/{p.name}.yml" for p in RAW)
    for stage in ("ingested", "records"):
        report = yaml.safe_load((out / stage / "report.yml").read_text(encoding="utf-8"))
        s = report["summary"]
        assert (s["total"], s["done"], s["failed"]) == (len(RAW), len(RAW), 0), (stage, report["documents"])
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert scores
    assert (out / "scores.txt").read_text(encoding="utf-8").strip()
    assert not list(out.rglob("*.tmp"))
    ingested_report = (out / "ingested" / "report.yml").stat().st_mtime_ns

    # 2. nothing changed: nothing runs
    log = _run(repro, ws, env)
    assert _ran(log) == set(), log
    assert _skipped(log) == set(STAGES), log
    assert "Data and pipelines are up to date." in log

    # 3. a unit rule file changes: extract and report run again, ingest does not
    with open(ws / "rules" / "units.yml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited by test_dvc\n")
    log = _run(repro, ws, env, timeout=300)
    assert _ran(log) == {"extract", "report"}, log
    assert _skipped(log) == {"ingest"}, log
    assert (out / "ingested" / "report.yml").stat().st_mtime_ns == ingested_report
    # the stage read the edited rules (new digest), so every document was extracted again
    report = yaml.safe_load((out / "records" / "report.yml").read_text(encoding="utf-8"))
    assert report["summary"]["unchanged"] == 0 and report["summary"]["done"] == len(RAW), report["summary"]
