"""Cited documents link to other documents of the same batch."""
from __future__ import annotations

import shutil

import yaml

from pipeline.runner import run_batch

from .conftest import CORPUS

NOTICE = ("关于转发《国务院办公厅关于推进政务新媒体健康有序发展的意见》的通知\n各部门：\n"
          "现将《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）转发给你们，请认真贯彻执行。\n")


def test_reference_links_to_the_cited_record(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(CORPUS / "raw/more/206_guobanfa_2018_123_gov_new_media_opinion.html", src)
    (src / "forward.txt").write_text(NOTICE, encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):  # the second run skips both documents and still links
        code, report = run_batch("run", [str(src)], out, workers=1, quiet=True)
        assert code == 0
        edges = report["reference_graph"]
        assert [(e["from"], e["to"]) for e in edges] == [("forward.txt", "206_guobanfa_2018_123_gov_new_media_opinion.html")]
    cited = yaml.safe_load((out / "records/206_guobanfa_2018_123_gov_new_media_opinion.html.yml").read_text(encoding="utf-8"))
    record = yaml.safe_load((out / "records/forward.txt.yml").read_text(encoding="utf-8"))
    linked = [r for r in record["document"]["references"] if r.get("links_to")]
    assert linked and linked[0]["links_to"] == cited["document"]["id"]
