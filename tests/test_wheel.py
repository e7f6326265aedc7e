"""SLOW (~20-40 s): the built wheel carries the default rules and runs outside the repository.

Builds the wheel from a copy of the project's build inputs (so nothing is written into the
checkout), installs it with --no-deps into a fresh venv whose only other packages are this
venv's (a .pth line, after the venv's own site-packages), and runs `policy-pipeline run` on
one corpus TXT from a folder outside the repository. No network: build isolation is off,
so the build uses this venv's setuptools.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SEEDS

BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "pipeline", "rules")


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert proc.returncode == 0, f"{cmd}\nstdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
    return proc


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "_rules"))
        else:
            shutil.copy2(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(wheels)], cwd=tmp_path)
    wheel = next(wheels.glob("policy_pipeline-*.whl"))

    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = sorted(p.name for p in (ROOT / "rules").glob("*.yml"))
    assert rule_files and all(f"pipeline/_rules/{n}" in names for n in rule_files)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)])
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # the dependencies come from this venv, after the fresh venv's own packages
    (site / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy2(SEEDS / "000_616882cabf01649c.txt", work / "notice.txt")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    probe = _run([str(py), "-c", "import pipeline, pipeline.rules as r; print(pipeline.__file__); print(r.DEFAULT_RULES_DIR)"],
                 cwd=work, env=env).stdout.split("\n")
    assert probe[0].startswith(str(venv)) and probe[1] == str(site / "pipeline" / "_rules")

    _run([str(venv / "bin" / "policy-pipeline"), "run", "notice.txt", "-o", "out", "-j", "1", "-q"], cwd=work, env=env)
    record = yaml.safe_load(next((work / "out" / "records").rglob("*.yml")).read_text(encoding="utf-8"))
    assert record["document"]["issued_on"] == "2021-06-04"
    fin = next(t for t in record["tasks"] if "四是落實財政資金" in t["text"])
    assert [(u["unit"], u["role"]) for u in fin["responsible"]] == [("市財政局", "lead")]

    # the review site's templates are package data: the installed command builds the site
    templates = sorted(p.name for p in (ROOT / "pipeline" / "outputs" / "templates").iterdir() if p.is_file())
    assert templates and all(f"pipeline/outputs/templates/{n}" in names for n in templates)
    _run([str(venv / "bin" / "policy-pipeline"), "site", "out", "-o", "site"], cwd=work, env=env)
    doc_page = (work / "site" / "docs" / "notice.txt.html").read_text(encoding="utf-8")
    assert 'data-kind="unit-lead"' in doc_page and "市財政局</mark>" in doc_page

    # --rules DIR still overrides the bundled rules: a broken copy is refused
    rules = work / "myrules"
    shutil.copytree(site / "pipeline" / "_rules", rules)
    (rules / "units.yml").write_text("rules: [{}]\n", encoding="utf-8")
    proc = subprocess.run([str(venv / "bin" / "policy-pipeline"), "run", "notice.txt", "-o", "out2", "--rules", str(rules)],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "units.yml" in proc.stderr
