"""Re-running an unchanged batch costs almost nothing (issue 9): the parent settles
unchanged documents by their hash without starting a worker or warming up, and reference
links already in a record are not written again."""
from __future__ import annotations

import shutil

import pipeline.batch.run as batch_run
from pipeline.batch.run import run_batch

from .conftest import CORPUS

# 402 cites 804 by its 发文字号: a linked pair, and a third document
FILES = ["more/402_shuyang_xxgk_annual_report_2025.txt", "more/804_shanghai_govoffice_xxgk_annual_report_2025.txt",
         "seeds/003_2f6965311e0af134.txt"]


def _mtimes(out):
    return {p.name: p.stat().st_mtime_ns for p in (out / "records").rglob("*.yml")}


def test_unchanged_batch_starts_no_worker_and_rewrites_nothing(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for f in FILES:
        shutil.copy(CORPUS / "raw" / f, src / f.split("/")[-1])
    out = tmp_path / "out"
    code, report = run_batch("run", [str(src)], out, workers=1, quiet=True)
    assert code == 0 and report["reference_graph"]            # the pair is linked
    linked = next((out / "records").glob("402_*.yml")).read_text(encoding="utf-8")
    assert "links_to" in linked
    before = _mtimes(out)

    prepared = []
    real_prepare = batch_run.prepare
    monkeypatch.setattr(batch_run, "prepare", lambda *a: prepared.append(a) or real_prepare(*a))
    code, report = run_batch("run", [str(src)], out, workers=1, quiet=True)
    assert code == 0 and not prepared                          # no warm-up, no worker
    assert [d["status"] for d in report["documents"]] == ["unchanged"] * 3
    assert report["reference_graph"]                           # still linked, from the manifest
    assert _mtimes(out) == before                              # no record written again

    # a changed document is processed (and only it)
    (src / "003_2f6965311e0af134.txt").write_bytes((CORPUS / "raw" / FILES[2]).read_bytes() + "\n附件：无\n".encode())
    code, report = run_batch("run", [str(src)], out, workers=1, quiet=True)
    assert len(prepared) == 1
    assert sorted(d["status"] for d in report["documents"]) == ["done", "unchanged", "unchanged"]
