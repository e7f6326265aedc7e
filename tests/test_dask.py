"""The batch on Dask (`run --scheduler local:N`) goes through the same job, journal and
report as the process pool, and writes byte-identical records and manifest."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from pipeline.batch import Params, run_batch  # noqa: E402

from .conftest import ROOT, SEEDS  # noqa: E402


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "report.yml"}


def test_local_cluster_matches_the_process_pool(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for src in sorted(SEEDS.glob("*.txt"))[:3] + sorted(SEEDS.glob("*.html"))[:1]:
        shutil.copyfile(src, d / src.name)
    (d / "empty.txt").write_bytes(b"")
    rules = tmp_path / "rules"        # frozen: an edit of rules/ between the runs would redo documents
    shutil.copytree(ROOT / "rules", rules)
    params = Params(timeout=60, rules_dir=str(rules))
    code_pool, rep_pool = run_batch("run", [str(d)], tmp_path / "pool", workers=2, params=params, quiet=True)
    code_dask, rep_dask = run_batch("run", [str(d)], tmp_path / "dask", params=params, quiet=True,
                                    scheduler="local:2")
    assert code_pool == code_dask == 1                     # the empty file failed in both
    assert [(x["source"], x["status"], x.get("reason")) for x in rep_dask["documents"]] == \
        [(x["source"], x["status"], x.get("reason")) for x in rep_pool["documents"]]
    assert digest(tmp_path / "dask") == digest(tmp_path / "pool")
    # the skip-unchanged semantics are the executor's too
    _, again = run_batch("run", [str(d)], tmp_path / "dask", params=params, quiet=True, scheduler="local:1")
    assert again["summary"]["unchanged"] == again["summary"]["total"] == 5
