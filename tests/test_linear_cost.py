"""Extract stays linear in document size (issue 9): the look-ups that used to scan the
whole document per task, per block or per span give the same answers as a scan."""
from __future__ import annotations

import random

from pipeline.extract import thresholds as T
from pipeline.model import Block, Document
from pipeline.normalize import match_view
from pipeline.process import _overlap_test, analyse, ingest

from .conftest import CORPUS


def _scan_page(doc: Document, offset: int):
    for b in doc.blocks:
        if b.start <= offset <= b.end:
            return b.page
    return None


def test_page_at_bisects_like_a_scan(rules):
    path = CORPUS / "raw" / "seeds" / "001_71262d750d9eb121.pdf"
    doc = ingest(path.read_bytes(), path.name, rules)
    assert len({b.page for b in doc.blocks}) > 1
    for offset in range(-1, len(doc.text) + 2):
        assert doc.page_at(offset) == _scan_page(doc, offset)


def test_page_at_follows_changed_blocks():
    doc = Document("x.pdf", "pdf", blocks=[Block("paragraph", "一页", page=1), Block("paragraph", "二页", page=2)]).build()
    assert doc.page_at(3) == 2
    doc.blocks = [Block("paragraph", "三页的长一些的段落", page=3)]
    doc.build()
    assert doc.page_at(3) == 3
    # offsets not made by build() (all zero): the first block that holds the offset, as before
    doc.blocks = [Block("paragraph", "甲", page=7), Block("paragraph", "乙", page=8)]
    assert doc.page_at(0) == 7 and doc.page_at(5) is None


def test_overlap_test_matches_pairwise_comparison():
    rnd = random.Random(9)
    for _ in range(300):
        spans = []
        for _ in range(rnd.randrange(0, 12)):
            s = rnd.randrange(0, 60)
            spans.append((s, s + rnd.randrange(0, 15)))
        test = _overlap_test(spans)
        for start in range(0, 70):
            for end in range(start, start + 12):
                want = any(s < end and start < e for s, e in spans)
                assert test(start, end) == want, (spans, start, end)


def test_document_definitions_looked_up_once(rules, monkeypatch):
    doc = "第十条 罚款金额15万元以下的,奖励1万元。\n第十四条 本办法所称“以上”包含本数,“以下”不包含本数。"
    part = match_view(doc[: doc.index("\n")])
    # the fine's band (the reward, 奖励1万元, is a stated value beside it)
    [f] = [f for f in T.find_thresholds(part, rules, ops=T.document_ops(match_view(doc), rules)) if f.data["value"] == 15]
    assert f.data["op"] == "<"                     # the definition applies through ops
    calls = []
    real = T.ThresholdMatcher.after_ops
    monkeypatch.setattr(T.ThresholdMatcher, "after_ops", lambda self, d: calls.append(len(d)) or real(self, d))
    path = CORPUS / "raw" / "seeds" / "001_71262d750d9eb121.txt"
    a = analyse(ingest(path.read_bytes(), path.name, rules), rules)
    assert len(a.tasks) > 10
    assert calls == [len(a.view)]                  # one search of the whole document, not one per task
