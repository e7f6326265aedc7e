"""pipeline.ingest.ofd: an OFD made here from a seed text (a title, headings, paragraphs
wrapped over several lines, a page number on each page), a real OFD 公文 as an OFD
producer writes it (tests/data/README.md), and bad packages."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipeline.ingest import read_bytes, sniff
from pipeline.ingest import ofd as ofd_ingest
from pipeline.model import IngestError

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "ofdrw_n_luqiao_pifu.ofd"
NS = "http://www.ofdspec.org/2016"

TITLE = "关于开展政务公开专项行动的通知"
PARAS = [
    ("heading", "一、工作目标"),
    ("paragraph", "各部门要高度重视政务公开工作，结合实际制定具体措施，认真组织实施，确保专项行动取得实效，"
                  "于2020年12月底前完成全部整改任务。（责任单位：综合管理部）"),
    ("heading", "二、工作要求"),
    ("paragraph", "请各单位于每季度末报送工作进展情况，年底前报送工作总结，由综合管理部牵头汇总。"),
]
PER_LINE = 28                  # characters per line at 5.6 mm (16 pt) on a 156 mm text column


def _text_object(oid: int, x: float, y: float, text: str, size: float, weight: int = 400,
                 width: float | None = None) -> str:
    """A line of text; ``width``: justified to that many mm (full lines of a paragraph)."""
    glyphs = [size / 2 if ch.isascii() else size for ch in text]          # half-width digits
    extra = (width - sum(glyphs)) / (len(text) - 1) if width and len(text) > 1 else 0.0
    adv = " ".join("%.2f" % (g + extra) for g in glyphs[:-1])
    return (f'<ofd:TextObject ID="{oid}" Font="1" Size="{size}" Weight="{weight}" '
            f'Boundary="{x} {y} {len(text) * size:.2f} {size * 1.3:.2f}">'
            f'<ofd:TextCode X="0" Y="{size:.2f}" DeltaX="{adv}">{text}</ofd:TextCode></ofd:TextObject>')


def _make_ofd(pages: list[list[tuple[str, str]]]) -> bytes:
    """An OFD package: one Content.xml per page, text laid out as a 公文 (28 characters
    a line, first-line indent of two characters, title centred and bold, 一、 headings)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" '
                              'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:Title>test</ofd:Title></ofd:DocInfo>'
                              '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        page_refs = "".join(f'<ofd:Page ID="{100 + k}" BaseLoc="Pages/Page_{k}/Content.xml"/>' for k in range(len(pages)))
        z.writestr("Doc_0/Document.xml",
                   f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
                   '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                   '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>'
                   f'<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>')
        z.writestr("Doc_0/PublicRes.xml", f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
                                          '<ofd:Font ID="1" FontName="仿宋"/></ofd:Fonts></ofd:Res>')
        oid = 1000
        for k, items in enumerate(pages):
            objs = []
            y = 37.0
            for kind, text in items:
                if kind == "title":
                    size = 7.7
                    objs.append(_text_object(oid, 105 - len(text) * size / 2, y, text, size, 700))
                    oid += 1
                    y += 2 * size * 1.5
                    continue
                size = 5.6
                weight = 700 if kind == "heading" else 400              # headings in 黑体
                rest = "　　" + text                                     # first-line indent
                while rest:
                    line, rest = rest[:PER_LINE], rest[PER_LINE:]
                    lead = len(line) - len(line.lstrip("　"))
                    objs.append(_text_object(oid, 28 + lead * size, y, line.lstrip("　"), size, weight,
                                             width=(PER_LINE - lead) * size if rest else None))
                    oid += 1
                    y += size * 1.8
            objs.append(_text_object(oid, 95, 270, f"— {k + 1} —", 5.6))
            oid += 1
            z.writestr(f"Doc_0/Pages/Page_{k}/Content.xml",
                       f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="{oid}">{"".join(objs)}'
                       '</ofd:Layer></ofd:Content></ofd:Page>')
            oid += 1
    return buf.getvalue()


def test_made_ofd_reads_as_headings_and_paragraphs():
    data = _make_ofd([[("title", TITLE)] + PARAS[:2], PARAS[2:]])
    assert sniff(data) == "ofd"
    doc = read_bytes(data, "made.ofd")
    assert doc.format == "ofd" and doc.pages == 2
    got = [(b.kind, b.text) for b in doc.blocks]
    assert got == [("heading", TITLE)] + PARAS, got
    assert [b.page for b in doc.blocks] == [1, 1, 1, 2, 2]
    assert doc.blocks[0].level_hint == 1                     # bold and larger: the title
    assert "—" not in doc.text                                # page numbers dropped


def test_real_ofd_document():
    data = REAL.read_bytes()
    assert sniff(data) == "ofd"
    doc = read_bytes(data, REAL.name)
    assert doc.pages == 2
    texts = [b.text for b in doc.blocks]
    assert "路卫发〔2011〕76号" in texts
    assert "关于同意张阿三同志辞职的批复" in texts
    body = next(t for t in texts if t.startswith("该同志由于家庭"))
    assert body.endswith("。") and len(body) > 100             # wrapped lines joined into one paragraph
    assert doc.page_meta["ofd_info"]["CreationDate"] == "2020-01-25"


def test_real_ofd_record(rules):
    from pipeline.process import process_bytes
    from pipeline.schema import validate

    record = process_bytes(REAL.read_bytes(), REAL.name, rules)
    validate(record)
    d = record["document"]
    assert d["format"] == "ofd"
    assert d["doc_number"] == "路卫发〔2011〕76号"
    assert d["title"] == "关于同意张阿三同志辞职的批复"
    assert str(d["issued_on"]) == "2011-03-10"


def _zip(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


@pytest.mark.parametrize("members, reason", [
    ({"OFD.xml": "<ofd:OFD xmlns:ofd='%s'><ofd:DocBody/></ofd:OFD>" % NS}, "OFD without a DocRoot"),
    ({"OFD.xml": "<ofd:OFD xmlns:ofd='%s'><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
                 "</ofd:DocBody></ofd:OFD>" % NS}, "OFD member missing: Doc_0/Document.xml"),
    ({"OFD.xml": "<ofd:OFD"}, "OFD member OFD.xml is not well-formed XML"),
    ({"OFD.xml": "<!DOCTYPE x [<!ENTITY a '%s'>]><x>&a;&a;</x>" % ("A" * 1000)}, "OFD without a DocRoot"),
])
def test_bad_packages_fail_with_a_reason(members, reason):
    with pytest.raises(IngestError) as e:
        read_bytes(_zip(members), "bad.ofd")
    assert e.value.status == "failed" and e.value.reason.startswith(reason), e.value.reason


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_zip_bomb_refused(monkeypatch):
    monkeypatch.setattr(ofd_ingest, "MAX_TOTAL", 100_000)
    data = _make_ofd([[("title", TITLE)] + PARAS])
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:     # a page that inflates past the cap
        z.writestr("Doc_0/Pages/Page_0/Content.xml", b"<x>" + b" " * 300_000 + b"</x>")
    with pytest.raises(IngestError) as e:
        read_bytes(buf.getvalue(), "bomb.ofd")
    assert "zip bomb" in e.value.reason
