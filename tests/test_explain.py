"""explain and the spaCy components: facts as spans, named rules, displaCy view."""
from __future__ import annotations

import re

import spacy

from pipeline.cli import main
from pipeline.spacy_components import SPANS_KEY, make_nlp, span_facts


def test_components_put_exact_spans_in_doc_spans():
    nlp = spacy.blank("zh")
    nlp.add_pipe("policy_units")
    nlp.add_pipe("policy_deadlines")
    text = "做好预算公开工作，2021年8月底前完成（市財政局牽頭落實）"
    doc = nlp(text)
    spans = {s.text: s.label_ for s in doc.spans[SPANS_KEY]}
    assert spans.get("市財政局") == "UNIT:lead"
    assert any(k.startswith("2021年8月底") and v == "DEADLINE:date" for k, v in spans.items())
    for s in doc.spans[SPANS_KEY]:
        assert text[s.start_char:s.end_char] == s.text
        assert s._.fact["rule"]


def test_explain_prints_facts_with_rules(capsys):
    assert main(["explain", "由市财政局牵头，市发改委配合，征求意见的期限不少于30日。"]) == 0
    out = capsys.readouterr().out
    assert "市财政局" in out and "rule=" in out and "unit" in out
    assert "不少于30日" in out


def test_explain_file_writes_html(tmp_path, capsys):
    from .conftest import SEEDS

    html = tmp_path / "view.html"
    assert main(["explain", str(SEEDS / "003_2f6965311e0af134.txt"), "--html", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    # the review site's document page: the text as written (no space between characters),
    # the unit one highlighted element with its role, value and rule
    assert "产业发展部(招商部)" in re.sub(r"<[^>]+>", "", page)
    unit = re.search(r'<mark class="fact k-unit-responsible"[^>]*data-fact="[^"]+"[^>]*>综合管理部</mark>', page)
    assert unit and "tabindex=\"0\"" in unit.group(0) and "rule: bracket-label" in unit.group(0)
    assert '<section class="task' in page
    out = capsys.readouterr().out
    assert "task 1" in out and "综合管理部" in out


def test_span_facts_of_a_text():
    nlp = make_nlp()
    facts = span_facts(nlp("市政府办公室负责做好统筹协调。"))
    assert [(f["kind"], f["role"], f["start"], f["end"]) for f in facts] == [("unit", "responsible", 0, 6)]
