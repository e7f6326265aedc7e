"""DOCX ingestion on the corpus renditions of the seed documents, plus built fixtures
for numbering, merged cells and hostile files."""
from __future__ import annotations

import copy
import difflib
import io
import re
import struct
import zipfile
from pathlib import Path

import pytest

from pipeline.ingest import docx as ingest_docx
from pipeline.model import IngestError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "raw" / "seeds"
TABLES = ROOT / "corpus" / "raw" / "tables"

# Where the document body starts and ends in each seed TXT (site junk cut off).
CUTS = {
    "000_616882cabf01649c": ("南昌市人民政府辦公室關于印發2021年", "接受社會監督。"),
    "001_71262d750d9eb121": ("龙江县人民政府办公室 关于印发", "2017725"),
    "002_be06cf5f2f6cd198": ("2018年南昌市政府信息公开工作年报", "424"),
    "003_2f6965311e0af134": ("关于开展政务公开“六提六促”专项行动的通知", "纳入集中区年度政务公开考评。"),
    "004_faeede1183fd7fea": ("2021 年政务公开工作要点印发", "接受社会监督。"),
}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def seed_body(stem: str) -> str:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    start, end = CUTS[stem]
    return text[text.index(start): text.rindex(end) + len(end)]


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, squash(a), squash(b), autojunk=False).ratio()


def read(path: Path):
    return ingest_docx.read(path.read_bytes(), path.name)


_CACHE: dict = {}


def corpus_doc(stem: str):
    if stem not in _CACHE:
        _CACHE[stem] = read(SEEDS / f"{stem}.docx")
    return _CACHE[stem]


# --------------------------------------------------------------------------- corpus
@pytest.mark.parametrize("stem", sorted(CUTS))
def test_body_text_matches_seed(stem):
    doc = corpus_doc(stem)
    assert doc.format == "docx" and doc.source == f"{stem}.docx"
    assert similarity(seed_body(stem), doc.text) >= 0.98
    # offsets are consistent with the joined text
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == b.text
        assert b.text.strip()


@pytest.mark.parametrize("stem", sorted(CUTS))
def test_headers_and_footers_are_not_body(stem):
    import docx

    doc = corpus_doc(stem)
    # the corpus footers hold page numbers "— 1 —"
    assert not any(re.fullmatch(r"[—－-]\s*\d+\s*[—－-]", b.text) for b in doc.blocks)
    furniture = set()
    for section in docx.Document(str(SEEDS / f"{stem}.docx")).sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            furniture.update(p.text.strip() for p in part.paragraphs if p.text.strip())
    texts = [b.text for b in doc.blocks]
    # a running header may repeat the title, which the body has once
    assert all(texts.count(t) <= 1 for t in furniture)


def test_numbering_reconstructed_from_numbering_xml():
    import docx

    path = SEEDS / "003_2f6965311e0af134.docx"
    doc = read(path)
    texts = [b.text for b in doc.blocks]
    plain = [p.text for p in docx.Document(str(path)).paragraphs]
    # python-docx alone does not see the numbers ...
    assert "时间安排" in plain and not any(t.startswith("一、") for t in plain)
    # ... the reader puts them back, in order, with lower levels continuing as defined.
    starts = [t.split("时间安排")[0] for t in texts if "时间安排" in t]
    assert starts == ["一、"]
    assert "二、主要内容" in texts and "三、工作要求" in texts
    assert any(t.startswith("（一）提升重点领域信息公开质量") for t in texts)
    assert any(t.startswith("（六）提升政府信息公开平台建设水平") for t in texts)
    assert any(t.startswith("1. 扎实做好新冠肺炎疫情防控") for t in texts)
    assert any(t.startswith("4. 严格依据《条例》") for t in texts)   # lvlRestart=0: no restart
    assert any(t.startswith("12. 完善政府网站在线互动功能") for t in texts)
    heads = [b for b in doc.blocks if b.text in ("一、时间安排", "二、主要内容", "三、工作要求")]
    assert all(b.kind == "heading" and b.level_hint == 1 for b in heads)


def test_heading_styles():
    doc = corpus_doc("000_616882cabf01649c")
    first = doc.blocks[0]
    assert first.kind == "heading" and first.level_hint == 0          # Title style
    assert first.text == "南昌市人民政府辦公室關于印發2021年南昌市政務公開工作方案的通知"
    h1 = [b.text for b in doc.blocks if b.kind == "heading" and b.level_hint == 1]
    assert h1[0] == "一、持續深化重點領域政務公開。" and len(h1) == 5


def test_statistics_table_rows():
    doc = corpus_doc("002_be06cf5f2f6cd198")
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert rows and rows[0].header and not rows[1].header
    assert all(b.table == 0 and b.text == "\t".join(b.cells) for b in rows)
    assert ["(三)接受培训人员数", "人次", "424"] in [b.cells for b in rows]
    assert any(b.cells[0] == "(一)收到申请数" and b.cells[-1] == "782" for b in rows)


def test_task_table_merged_cells():
    doc = read(TABLES / "003_taskplan_table.docx")
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert rows[0].header and rows[0].cells == ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
    # a row merged across the table (gridSpan) is one cell
    section = [b for b in rows if len(b.cells) == 1]
    assert [b.text[:3] for b in section] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]
    tasks = {b.cells[0]: b.cells for b in rows if len(b.cells) == 5 and not b.header}
    assert sorted(tasks, key=int) == [str(i) for i in range(1, 13)]
    # the vertically merged 责任单位 of tasks 4 and 5 is repeated in both rows
    assert tasks["4"][3] == tasks["5"][3] == "各部门"
    assert tasks["12"][4].startswith("收到留言咨询之日起3个工作日")
    body = [b for b in doc.blocks if b.kind != "table_row"]
    assert body[0].kind == "heading"


# --------------------------------------------------------------------------- fixtures
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'
NUMBERING = f"""<w:numbering {NS}>
<w:abstractNum w:abstractNumId="10">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/><w:lvlText w:val="（%2）"/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
 <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%4）"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="11">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="12">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%1"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="ideographTraditional"/><w:lvlText w:val="%2、"/></w:lvl>
</w:abstractNum>
<w:num w:numId="5"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="6"><w:abstractNumId w:val="11"/></w:num>
<w:num w:numId="7"><w:abstractNumId w:val="11"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
<w:num w:numId="8"><w:abstractNumId w:val="12"/></w:num>
</w:numbering>"""


def build_fixture() -> bytes:
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    numbering = d.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for child in parse_xml(NUMBERING):
        numbering.append(copy.deepcopy(child))
    # a paragraph style that carries numbering (level 0 of list 5): numbers come from the style
    style = d.styles.add_style("要点一级", 1)
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {NS}><w:ilvl w:val="1"/><w:numId w:val="5"/></w:numPr>'))

    def numbered(text, num, ilvl, style_name=None):
        p = d.add_paragraph(text, style=style_name)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'))
        return p

    d.add_paragraph("关于开展测试工作的通知", style="Title")
    d.add_paragraph("各部门：")
    d.add_paragraph("   ")                       # empty: dropped
    numbered("时间安排", 5, 0, "Heading 1")
    d.add_paragraph("2020年6月10日至年底。")
    numbered("主要内容", 5, 0, "Heading 1")
    numbered("提升重点领域信息公开质量", 5, 1)
    numbered("扎实做好疫情防控信息公开，及时准确公开疫情信息，积极宣传防控知识。", 5, 2)
    numbered("持续推进信息公开。", 5, 2)
    numbered("细项一", 5, 3)
    numbered("细项二", 5, 3)
    d.add_paragraph("提升基础信息公开质量", style="要点一级")     # numbering from the style
    numbered("严格依据条例要求。", 5, 2)                     # restarts under the new （二）
    numbered("", 5, 0)                                       # Word shows and counts 三、: no block
    numbered("工作要求", 5, 0)
    numbered("alpha", 6, 0)
    numbered("beta", 6, 1)
    numbered("gamma", 6, 1)
    numbered("restart at five", 7, 0)
    numbered("circled", 8, 0)
    numbered("tiangan", 8, 1)
    numbered("tiangan two", 8, 1)
    p = d.add_paragraph("可见的文字")
    p.add_run("隐藏的文字").font.hidden = True
    p = d.add_paragraph("第一行")
    p.add_run().add_break()
    p.add_run("第二行")
    t = d.add_table(rows=4, cols=4)
    for i, h in enumerate(["序号", "工作任务", "责任单位", "完成时限"]):
        t.cell(0, i).text = h
    for i, v in enumerate(["1", "落实规划信息公开", "市财政局", "2021年8月底前"]):
        t.cell(1, i).text = v
    for i, v in enumerate(["2", "落实市场监管信息公开", "", "2021年底前"]):
        t.cell(2, i).text = v
    t.cell(3, 0).text = "3"
    t.cell(3, 1).text = "备注"
    t.cell(1, 2).merge(t.cell(2, 2))            # vertical merge
    t.cell(3, 1).merge(t.cell(3, 3))            # horizontal merge
    inner = t.cell(3, 0).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "嵌套甲"
    inner.cell(0, 1).text = "嵌套乙"
    d.sections[0].header.paragraphs[0].text = "页眉文字不应出现"
    d.sections[0].footer.paragraphs[0].text = "页脚文字不应出现"
    d.add_paragraph("南昌市人民政府办公室")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def fixture_doc():
    return ingest_docx.read(build_fixture(), "fixture.docx")


def test_fixture_numbering_levels(fixture_doc):
    texts = [b.text for b in fixture_doc.blocks]
    expected = [
        "一、时间安排", "二、主要内容", "（一）提升重点领域信息公开质量",
        "1. 扎实做好疫情防控信息公开，及时准确公开疫情信息，积极宣传防控知识。",
        "2. 持续推进信息公开。", "（1）细项一", "（2）细项二",
        "（二）提升基础信息公开质量", "1. 严格依据条例要求。", "四、工作要求",
        "1. alpha", "1.1 beta", "1.2 gamma", "5. restart at five",
        "① circled", "甲、tiangan", "乙、tiangan two",
    ]
    pos = [texts.index(t) for t in expected]
    assert pos == sorted(pos)


def test_fixture_kinds_and_levels(fixture_doc):
    by_text = {b.text: b for b in fixture_doc.blocks}
    assert by_text["关于开展测试工作的通知"].kind == "heading"
    assert by_text["一、时间安排"].kind == "heading" and by_text["一、时间安排"].level_hint == 1
    # numbered, no heading style: level only when it looks like a heading
    assert by_text["（一）提升重点领域信息公开质量"].level_hint == 2
    assert by_text["四、工作要求"].level_hint == 1
    assert "可见的文字" in by_text and "隐藏" not in fixture_doc.text
    long_item = by_text["1. 扎实做好疫情防控信息公开，及时准确公开疫情信息，积极宣传防控知识。"]
    assert long_item.kind == "paragraph" and long_item.level_hint is None
    # a soft line break splits a paragraph into lines; empty paragraphs are gone
    assert "第一行" in by_text and "第二行" in by_text
    assert all(b.text.strip() for b in fixture_doc.blocks)


def test_fixture_table_and_furniture(fixture_doc):
    rows = [b for b in fixture_doc.blocks if b.kind == "table_row"]
    assert [r.cells for r in rows] == [
        ["序号", "工作任务", "责任单位", "完成时限"],
        ["1", "落实规划信息公开", "市财政局", "2021年8月底前"],
        ["2", "落实市场监管信息公开", "市财政局", "2021年底前"],   # vMerge repeated
        ["3\n嵌套甲 嵌套乙", "备注"],                             # gridSpan: one cell; nested table flattened
    ]
    assert [r.header for r in rows] == [True, False, False, False]
    assert fixture_doc.blocks[-1].text == "南昌市人民政府办公室"      # body order kept
    assert "页眉" not in fixture_doc.text and "页脚" not in fixture_doc.text


@pytest.mark.parametrize("n,fmt,out", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (23, "chineseCountingThousand", "二十三"),
    (105, "chineseCounting", "一百零五"), (3, "japaneseCounting", "三"),
    (2, "ideographTraditional", "乙"), (11, "ideographTraditional", "甲"),
    (3, "decimalEnclosedCircle", "③"), (21, "decimalEnclosedCircle", "㉑"),
    (28, "upperLetter", "BB"), (4, "lowerLetter", "d"), (14, "upperRoman", "XIV"),
    (9, "lowerRoman", "ix"), (12, "decimalFullWidth", "１２"), (7, "decimalZero", "07"),
    (4, "chineseLegalSimplified", "肆"), (5, "mysteryFormat", "5"),
])
def test_format_number(n, fmt, out):
    assert ingest_docx.format_number(n, fmt) == out


# --------------------------------------------------------------------------- hostile input
def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _patch_sizes(data: bytes, size: int) -> bytes:
    """Make every central-directory entry claim ``size`` uncompressed bytes."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def _reason(data: bytes) -> IngestError:
    with pytest.raises(IngestError) as err:
        ingest_docx.read(data, "x.docx")
    return err.value


def test_zip_bomb_ratio_rejected():
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>",
                 "word/media/image1.bin": b"\0" * (5 * 1024 * 1024)})
    assert len(bomb) < 100_000
    err = _reason(bomb)
    assert err.status == "failed" and "zip bomb?" in err.reason and err.reason.startswith("DOCX rejected")


def test_zip_bomb_total_size_rejected():
    members = {"word/document.xml": b"<x/>"}
    members.update({f"word/media/p{i}.bin": b"x" for i in range(250)})
    err = _reason(_patch_sizes(_zip(members), 900 * 1024))   # 250 × 0.9 MB > 200 MB
    assert err.status == "failed" and "200 MB" in err.reason and "zip bomb?" in err.reason


def test_random_bytes_rejected():
    import random

    rnd = bytes(random.Random(7).getrandbits(8) for _ in range(4096))
    for data in (rnd, b"PK\x03\x04" + rnd, b""):
        err = _reason(data)
        assert err.status == "failed" and err.reason == "not a valid DOCX (zip) file"


def test_zip_without_document_rejected():
    err = _reason(_zip({"content.xml": b"<x/>"}))
    assert err.status == "failed" and "word/document.xml" in err.reason


def test_legacy_doc_skipped():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le")
    err = _reason(ole)
    assert err.status == "skipped"
    assert err.reason == "legacy .doc (Word 97-2003) is not supported; convert it to DOCX with LibreOffice"


def test_encrypted_office_file_named():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
    err = _reason(ole)
    assert err.status == "skipped" and "encrypted" in err.reason


def test_broken_package_is_one_line_failure():
    err = _reason(_zip({"word/document.xml": b"<not really xml"}))
    assert err.status == "failed" and "\n" not in err.reason


def _as_strict(data: bytes) -> bytes:
    """A Transitional DOCX rewritten with the Strict namespace names (what Word writes
    when a file is saved as "Strict Open XML Document")."""
    pairs = [(t, s) for s, t in ingest_docx._STRICT_NAMES]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                for transitional, strict in pairs:
                    content = content.replace(transitional, strict)
            dst.writestr(info, content)
    return out.getvalue()


def test_strict_ooxml_reads_like_transitional():
    # the same document saved as Strict gives the same blocks (it failed with
    # "no relationship of type …officeDocument" before)
    data = (SEEDS / "004_faeede1183fd7fea.docx").read_bytes()
    strict = _as_strict(data)
    assert b"purl.oclc.org/ooxml/wordprocessingml" in zipfile.ZipFile(io.BytesIO(strict)).read("word/document.xml")
    plain, converted = ingest_docx.read(data, "t.docx"), ingest_docx.read(strict, "s.docx")
    assert [(b.kind, b.text) for b in converted.blocks] == [(b.kind, b.text) for b in plain.blocks]


def test_real_strict_ooxml_file_is_read():
    doc = ingest_docx.read((ROOT / "tests" / "data" / "strict_ooxml_haiyang_zhuanan_shouce.docx").read_bytes(), "s.docx")
    text = doc.text
    assert "海洋科技專案計畫" in text and "申請作業手冊" in text and len(doc.blocks) > 100
