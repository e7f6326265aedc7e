"""Bounded fuzzing (hypothesis, a fixed example budget, derandomised so CI is repeatable):
any bytes give a valid record or a one-line IngestError, never another exception, and
every span points inside the text; any file names give one unique, UTF-8-safe entry each.
"""
from __future__ import annotations

import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline.batch.inputs import collect  # noqa: E402
from pipeline.model import IngestError  # noqa: E402
from pipeline.process import document_id, ingest  # noqa: E402
from pipeline.process import analyse, build_record  # noqa: E402
from pipeline.schema import validate  # noqa: E402

# Pieces of what the rules look for, and of what breaks parsers: headings, labels, roles,
# dates, numbers, brackets, runs of spaces, markup, BOMs, NULs, private-use characters.
FRAGMENTS = [
    "关于印发", "工作方案的通知", "一、", "（二）", "3.", "（1）", "第一条", "牵头单位：", "责任单位:",
    "由市财政局牵头", "市发改委、市行政审批局分别负责", "配合", "2021年8月底前", "年底前", "印发后20个工作日内",
    "每季度", "不少于30日", "不超过5%", "〔2021〕8号", "《中华人民共和国政府信息公开条例》", "访问量：",
    "（", "）", "(", ")", "〔", "《", "：", "。", "；", "、", "\n", "\r\n", "\t", " ", "\u3000", "|", "---",
    "<p>", "</div>", "&nbsp;", "\ufeff", "\x00", "\ue000", "確?!笆", "二〇二一年六月四日", "9999年12月25日",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6),
                           st.builds(lambda c, n: c * n, st.sampled_from([" ", "一", "（", "\n", "1"]),
                                     st.integers(1, 400))),
                 max_size=40).map("".join)
encodings = st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-16-le", "big5", "utf-32"])


def _check(data: bytes, rules) -> None:
    try:
        doc = ingest(data, "fuzz.txt", rules, 1 << 20)
    except IngestError as exc:
        assert exc.status in ("failed", "skipped")
        assert exc.reason and "\n" not in exc.reason
        return
    n = len(doc.text)
    record = build_record(analyse(doc, rules), document_id(data), "fuzz.txt")
    validate(record)

    def spans(obj):
        if isinstance(obj, dict):
            if "span" in obj and isinstance(obj["span"], dict):
                yield obj["span"]
            for v in obj.values():
                yield from spans(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from spans(v)

    for sp in spans(record):
        assert 0 <= sp["start"] <= sp["end"] <= n, (sp, n)


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts, encodings)
def test_any_text_gives_a_record_or_a_clear_failure(rules, text, encoding):
    data = text.encode(encoding, errors="ignore")
    _check(data, rules)


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_record_or_a_clear_failure(rules, data):
    _check(data, rules)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b
                                                           and b not in (b".", b"..")),
                min_size=1, max_size=8, unique=True))
def test_any_file_names_give_one_unique_entry_each(tmp_path_factory, names):
    d = tmp_path_factory.mktemp("names")
    for n in names:
        with open(os.path.join(os.fsencode(d), n), "wb") as fh:
            fh.write(b"x")
    entries = collect([d])
    assert len(entries) == len(names)
    rels = [e.rel for e in entries]
    assert len(set(rels)) == len(rels)
    for r in rels:
        r.encode("utf-8")                     # writable into the report and the manifest


def test_wide_encoding_detection_on_corpus_lines():
    """BOM-less UTF-16 / UTF-32 is told from the bytes, and never claimed for GB18030,
    Big5 or UTF-8 text: random runs of real corpus lines in each encoding."""
    import random

    from pipeline.ingest.txt import _text_share, decode, wide_encoding

    from .conftest import CORPUS

    lines = []
    for p in sorted((CORPUS / "raw").rglob("*.txt")):
        try:
            lines += [s.strip() for s in p.read_text(encoding="utf-8").splitlines()
                      if s.strip() and _text_share(s.strip()) == 1.0]
        except UnicodeDecodeError:
            continue
    assert len(lines) > 500
    rnd = random.Random(5)
    for _ in range(1500):
        s = "\n".join(rnd.choice(lines) for _ in range(rnd.randint(1, 4)))[: rnd.randint(1, 400)]
        for enc in ("gb18030", "big5", "utf-8"):
            try:
                data = s.encode(enc)
            except UnicodeEncodeError:
                continue
            assert wide_encoding(data) is None, (enc, s)
        if len(s) >= 20:
            for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
                assert decode(s.encode(enc))[0] == s, (enc, s)
