"""Headings a format states without numbering (DOCX Heading n / 标题 n styles, HTML <hn>,
Markdown # in TXT) are sections at the stated level (Block.level_hint, issue 12)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.model import Block, Document
from pipeline.process import analyse, ingest
from pipeline.structure import HINTED, build_tree

from .conftest import CORPUS, SEEDS

BODY = "各单位要按照要求抓好落实，确保各项任务按期完成。"


def _tree(data: bytes, name: str, rules):
    doc = ingest(data, name, rules)
    return doc, build_tree(doc, rules)


def _shape(node) -> list:
    """(heading, children) of every section, the root's children first."""
    return [(c.heading, _shape(c)) for c in node.children]


def _docx(paragraphs: list[tuple[str, str]], rename: dict[str, str] | None = None) -> bytes:
    """A DOCX made with python-docx: (style, text) per paragraph; ``rename`` gives a
    built-in style another name (标题 1, as a Chinese Word names it)."""
    import docx

    d = docx.Document()
    for old, new in (rename or {}).items():
        d.styles[old].name = new
    for style, text in paragraphs:
        d.add_paragraph(text, style=(rename or {}).get(style, style))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


PLAN = [("Title", "关于做好政务公开工作的通知"), ("Normal", BODY),
        ("Heading 1", "重点任务"), ("Normal", BODY),
        ("Heading 2", "深化政务公开"), ("Normal", "1.加强政策解读。" + BODY), ("Normal", "2.做好回应关切。" + BODY),
        ("Heading 2", "加强平台建设"), ("Normal", BODY),
        ("Heading 1", "保障措施"), ("Normal", BODY)]
PLAN_SHAPE = [("重点任务", [("深化政务公开", [("1.加强政策解读", []), ("2.做好回应关切", [])]), ("加强平台建设", [])]),
              ("保障措施", [])]


def test_docx_heading_styles_without_numbers_are_sections(rules):
    doc, root = _tree(_docx(PLAN), "plan.docx", rules)
    assert _shape(root) == PLAN_SHAPE
    assert {n.style for n in root.children} == {HINTED}
    assert [n.level for n in root.children[0].walk()][:3] == [1, 2, 3]


def test_chinese_heading_style_names(rules):
    """Word in Chinese names them 标题 1, 标题 2: the same levels."""
    _, root = _tree(_docx(PLAN, rename={"Heading 1": "标题 1", "Heading 2": "标题 2"}), "plan.docx", rules)
    assert _shape(root) == PLAN_SHAPE


def test_tasks_carry_the_stated_headings_in_their_path(rules):
    a = analyse(ingest(_docx(PLAN), "plan.docx", rules), rules)
    paths = {tuple(t.path) for t in a.tasks}
    assert ("重点任务", "深化政务公开", "1.加强政策解读") in paths, paths
    assert ("重点任务", "加强平台建设") in paths, paths


def test_html_heading_tags_without_numbers_are_sections(rules):
    page = ("<html><body><div class=\"content\"><h1>关于做好政务公开工作的通知</h1>"
            f"<p>{BODY}</p><h2>重点任务</h2><p>{BODY}</p><h3>深化政务公开</h3><p>1.加强政策解读。{BODY}</p>"
            f"<p>2.做好回应关切。{BODY}</p><h3>加强平台建设</h3><p>{BODY}</p><h2>保障措施</h2><p>{BODY}</p></div></body></html>")
    _, root = _tree(page.encode("utf-8"), "plan.html", rules)
    assert _shape(root) == PLAN_SHAPE


def test_numbering_decides_where_it_is_written(rules):
    """一、 in a Heading 1 style is a 一、 section; an unnumbered Heading 2 nests under it,
    and the next 二、 closes both."""
    data = _docx([("Title", "关于做好政务公开工作的通知"), ("Normal", BODY),
                  ("Heading 1", "一、总体要求"), ("Heading 2", "深化政务公开"), ("Normal", BODY),
                  ("Heading 1", "二、保障措施"), ("Normal", BODY)])
    _, root = _tree(data, "plan.docx", rules)
    assert _shape(root) == [("一、总体要求", [("深化政务公开", [])]), ("二、保障措施", [])]
    assert [c.style for c in root.children] == ["cn-dun", "cn-dun"]


def test_the_title_is_no_section(rules):
    """Headings before the first paragraph, or the first one after a date line, are the
    document's title, as in the same document typed as TXT."""
    _, root = _tree(_docx([("Heading 1", "关于做好政务公开工作的通知"), ("Heading 2", "（征求意见稿）"),
                           ("Normal", BODY), ("Normal", "一、总体要求"), ("Normal", BODY)]), "t.docx", rules)
    assert _shape(root) == [("一、总体要求", [])]
    _, root = _tree(f"2021-06-04\n# 关于做好政务公开工作的通知\n{BODY}\n一、总体要求\n{BODY}\n".encode(), "t.txt", rules)
    assert _shape(root) == [("一、总体要求", [])]


def test_guessed_levels_are_not_trusted(rules):
    """A PDF's level_hint is guessed from font sizes (a bold sentence): no section."""
    blocks = [Block("heading", "关于做好政务公开工作的通知", level_hint=1), Block("paragraph", BODY),
              Block("heading", "各单位务必高度重视", level_hint=2), Block("paragraph", BODY)]
    for fmt, sections in (("pdf", 0), ("ofd", 0), ("docx", 1)):
        doc = Document("x", fmt, [Block(b.kind, b.text, level_hint=b.level_hint) for b in blocks]).build()
        assert sum(1 for n in build_tree(doc, rules).walk() if n.style == HINTED) == sections, fmt


def test_a_heading_inside_plain_numbering_is_no_section(rules):
    """Where the numbering is typed as text, a stated heading is a caption or page chrome:
    a real page's <h3>评论回复</h3> after its last item leaves 三、 a task; a real annual
    report's ## 表二：… caption stays in its 二、 section."""
    for name, text in (("305_sichuan_wenzengzhang_ducha_zicha_2014.html", "评论回复"),
                       ("803_shanghai_kewei_xxgk_annual_report_2024.txt", "表二：主动公开政府信息情况")):
        path = CORPUS / "raw" / "more" / name
        doc, root = _tree(path.read_bytes(), name, rules)
        stated = [i for i, b in enumerate(doc.blocks) if b.kind == "heading" and b.text.startswith(text)]
        assert stated, name                                   # the reader states the heading
        assert not any(n.style == HINTED for n in root.walk()), name
    a = analyse(ingest((CORPUS / "raw" / "more" / "305_sichuan_wenzengzhang_ducha_zicha_2014.html").read_bytes(),
                       "305.html", rules), rules)
    assert any(a.doc.text[t.start:t.end].startswith("三、重点抽查") for t in a.tasks)


def test_stated_subheadings_of_a_real_report(rules):
    """A real annual report in TXT with Markdown headings (## 三、…, ### 申请人情况…): the
    ### labels become sections inside the ## section they follow."""
    path = CORPUS / "raw" / "more" / "402_shuyang_xxgk_annual_report_2025.txt"
    doc, root = _tree(path.read_bytes(), path.name, rules)
    hinted = [n for n in root.walk() if n.style == HINTED]
    assert hinted and all(n.parent is not None and n.parent.style != "root" for n in hinted)
    assert all(doc.blocks[n.parent.block].level_hint < doc.blocks[n.block].level_hint for n in hinted)


@pytest.mark.parametrize("stem", sorted(p.stem for p in SEEDS.glob("*.docx")))
@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_seed_titles_stay_out_of_the_tree(stem, fmt, rules):
    """The seeds as DOCX (title in the Title style, numbered headings styled) and as HTML
    (<h1> title): their only unnumbered stated headings are titles, so the tree is the one
    their numbering gives, as if no level were stated."""
    doc = ingest((SEEDS / f"{stem}.{fmt}").read_bytes(), f"x.{fmt}", rules)
    assert any(b.kind == "heading" and b.level_hint is not None for b in doc.blocks)
    plain = Document(doc.source, doc.format, [Block(b.kind, b.text, cells=b.cells, table=b.table, header=b.header)
                                              for b in doc.blocks]).build()
    assert _shape(build_tree(doc, rules)) == _shape(build_tree(plain, rules))


def test_the_corpus_has_stated_headings_to_use():
    """Not vacuous: real DOCX and HTML files of the corpus carry stated levels."""
    from pipeline.ingest import read_path

    seen = {fmt: 0 for fmt in ("docx", "html")}
    for fmt in seen:
        for p in sorted(Path(CORPUS / "raw").rglob(f"*.{fmt}")):
            seen[fmt] += sum(1 for b in read_path(p).blocks if b.kind == "heading" and b.level_hint)
    assert all(seen.values()), seen
