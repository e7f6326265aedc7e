"""The review site generator (`policy-pipeline site`), without a browser: pages exist,
links resolve, every fact of a record is highlighted exactly once over its own text,
hostile text is escaped, and a run without stored text is shown honestly.
tests/test_site_browser.py opens the same kind of site in Chromium."""
from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from pipeline.cli import main
from pipeline.outputs import page as site_page

from .conftest import CORPUS, SEEDS

MORE_HTML = "105_guangzhou_rencai_jiju_2012.html"     # a real page as served (units by role, deadlines)
HOSTILE = ("关于做好<script>alert('x')</script>工作的通知\n"
           "一、加强安全生产管理，由市应急管理局牵头，2021年8月底前完成。\"><img src=x onerror=alert(1)>\n"
           "二、做好统计工作（县统调队牵头，县发改局配合），不少于30日。</p><script>document.title='pwned'</script>\n")


def build(tmp: Path, inputs: list[Path], hostile: bool = False) -> tuple[Path, Path]:
    from pipeline.outputs.site import build_site
    from pipeline.runner import run_batch

    src = tmp / "in"
    src.mkdir()
    for p in inputs:
        shutil.copyfile(p, src / p.name)
    if hostile:
        (src / "hostile<b>.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp / "out"
    code, _ = run_batch("run", [str(src)], out, workers=2, quiet=True)
    assert code == 0
    site = tmp / "site"
    build_site(out, site)
    return out, site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    return build(tmp, sorted(SEEDS.glob("*.txt")) + [SEEDS / "000_616882cabf01649c.pdf", CORPUS / "raw" / "more" / MORE_HTML],
                 hostile=True)


def records(out: Path) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((out / "records").rglob("*.yml"))]


class Marks(HTMLParser):
    """Text inside each highlighted fact (nested and continued pieces included), the ids
    of primary elements in order, and every href and id of the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.text: dict[str, str] = {}
        self.primary: list[str] = []
        self.kinds: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "script":
            self.scripts += 1
        if tag == "mark":
            fid = a.get("data-fact") or a.get("data-cont")
            if a.get("data-fact"):
                self.primary.append(fid)
                self.kinds[fid] = a.get("data-kind")
                self.titles[fid] = a.get("title") or ""
                assert a.get("tabindex") == "0" and a.get("data-tip") == a.get("title")
            self.stack.append(fid)

    def handle_endtag(self, tag):
        if tag == "mark":
            self.stack.pop()

    def handle_data(self, data):
        for fid in self.stack:
            if fid:
                self.text[fid] = self.text.get(fid, "") + data


def parse(path: Path) -> Marks:
    m = Marks()
    m.feed(path.read_text(encoding="utf-8"))
    return m


def expected_facts(record: dict) -> dict[str, str]:
    """id → quoted text of every fact the record holds."""
    want = {}
    for t in record["tasks"]:
        for key, letter in (("responsible", "u"), ("deadlines", "d"), ("thresholds", "x"), ("cadence", "c")):
            for n, f in enumerate(t.get(key) or [], 1):
                want[f"{t['id']}-{letter}{n}"] = f["text"]
    for key, letter in (("deadlines", "d"), ("thresholds", "x"), ("cadence", "c")):
        for n, f in enumerate((record.get("unattached") or {}).get(key) or [], 1):
            want[f"un-{letter}{n}"] = f["text"]
    for n, r in enumerate(record["document"].get("references") or [], 1):
        want[f"ref-{n}"] = r["text"]
    return want


def page_of(site: Path, record: dict) -> Path:
    return site / "docs" / f"{record['document']['source']}.html"


def test_every_document_has_a_page_and_every_link_resolves(built):
    out, site = built
    recs = records(out)
    assert len(recs) == 8
    pages = [site / "index.html", site / "ledger.html"] + [page_of(site, r) for r in recs]
    assert all(p.is_file() for p in pages)
    index = parse(site / "index.html")
    assert {unquote(h) for h in index.hrefs if h.startswith("docs/")} == {f"docs/{r['document']['source']}.html"
                                                                           for r in recs}
    checked = 0
    for p in pages:
        for href in parse(p).hrefs:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, f"{p.name}: {href} leaves the site"
            target = (p.parent / unquote(parts.path)).resolve() if parts.path else p
            assert target.is_file(), f"{p}: {href} → {target}"
            assert site.resolve() in target.parents
            if parts.fragment:
                assert unquote(parts.fragment) in parse(target).ids, f"{p}: {href} (no such anchor)"
            checked += 1
    assert checked > 200


def test_every_fact_is_highlighted_once_over_its_own_text(built):
    out, site = built
    total = 0
    for r in records(out):
        m = parse(page_of(site, r))
        want = expected_facts(r)
        facts = [f for f in m.primary if not f.startswith(("meta-", "warn-"))]
        assert sorted(facts) == sorted(want), r["document"]["source"]
        assert len(set(m.primary)) == len(m.primary)
        for fid, text in want.items():
            assert m.text[fid] == text, (fid, m.text[fid], text)
            assert "规则 rule: " in m.titles[fid]
        total += len(want)
        # units are coloured by role
        for t in r["tasks"]:
            for n, u in enumerate(t["responsible"], 1):
                assert m.kinds[f"{t['id']}-u{n}"] == f"unit-{u['role']}"
    assert total > 300


def test_metadata_is_found_in_the_text(built):
    out, site = built
    rec = next(r for r in records(out) if r["document"]["source"].startswith("000_"))
    m = parse(page_of(site, rec))
    assert m.text["meta-title"] == rec["document"]["title"]
    assert m.text["meta-issuer"] == rec["document"]["issuer"]
    assert "2021-06-04" in m.titles["meta-issued_on"] and re.fullmatch(r"2021年0?6月0?4日", m.text["meta-issued_on"])


def test_tasks_are_blocks_with_their_path_and_review_reasons(built):
    out, site = built
    rec = next(r for r in records(out) if r["document"]["source"].startswith("003_"))
    html = page_of(site, rec).read_text(encoding="utf-8")
    sections = re.findall(r'<section class="task( needs-review)?" id="([^"]+)">\s*<div class="task-head">(.*?)</div>',
                          html, re.S)
    assert [s[1] for s in sections] == [t["id"] for t in rec["tasks"]]
    first = rec["tasks"][0]
    assert " › ".join(first["path"]) in sections[0][2]
    # 003's tasks state no deadline: the ledger's reason is on the block
    assert sections[0][0] and "无完成时限" in sections[0][2]


def test_pdf_pages_are_marked_in_order(built):
    out, site = built
    rec = next(r for r in records(out) if r["document"]["source"].endswith(".pdf"))
    html = page_of(site, rec).read_text(encoding="utf-8")
    marks = [int(n) for n in re.findall(r'<div class="page-mark" id="page-(\d+)">', html)]
    assert marks == list(range(1, rec["document"]["pages"] + 1)) and len(marks) > 1


def test_hostile_text_and_file_names_are_escaped(built):
    out, site = built
    rec = next(r for r in records(out) if r["document"]["source"] == "hostile<b>.txt")
    p = site / "docs" / "hostile<b>.txt.html"
    html = p.read_text(encoding="utf-8")
    m = parse(p)
    assert m.scripts == 0 and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(" in html and "onerror=alert(1)&gt;" in html
    assert m.text[f"{rec['tasks'][0]['id']}-u1"] == "市应急管理局"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "hostile&lt;b&gt;.txt" in index and "hostile<b>" not in index
    assert parse(site / "ledger.html").scripts == 1       # the table's own script only


def test_ledger_page_has_the_ledger_rows(built):
    from pipeline.outputs.ledger import ledger_rows

    out, site = built
    rows = ledger_rows(records(out))
    html = (site / "ledger.html").read_text(encoding="utf-8")
    units = re.findall(r'<tr data-units="([^"]*)"', html)
    assert len(units) == len(rows)
    import html as html_lib

    assert [json.loads(html_lib.unescape(u)) for u in units] == [r.unit_keys for r in rows]
    assert '<option value="市财政局">' in html


def test_a_run_without_stored_text_shows_the_tasks_and_says_so(tmp_path):
    from pipeline.outputs.site import build_site

    out, _ = build(tmp_path, [SEEDS / "000_616882cabf01649c.txt", SEEDS / "001_71262d750d9eb121.txt"])
    stored = out / "ingested" / "001_71262d750d9eb121.txt.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    data["id"] = "0" * 16                      # the text of another version of the file
    stored.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (out / "ingested" / "000_616882cabf01649c.txt.json").unlink()
    site = tmp_path / "site2"
    built = build_site(out, site)
    assert sorted(built.without_text) == ["000_616882cabf01649c.txt", "001_71262d750d9eb121.txt"]
    for r in records(out):
        html = page_of(site, r).read_text(encoding="utf-8")
        assert 'class="notice"' in html
        m = parse(page_of(site, r))
        # facts inside their task's text are highlighted there; the others (a 牵头单位： line
        # after the item) are listed below the text, not lost
        inside = outside = 0
        for t in r["tasks"]:
            for key, letter in (("responsible", "u"), ("deadlines", "d"), ("thresholds", "x"), ("cadence", "c")):
                for n, f in enumerate(t[key], 1):
                    if t["span"]["start"] <= f["span"]["start"] and f["span"]["end"] <= t["span"]["end"]:
                        assert m.text[f"{t['id']}-{letter}{n}"] == f["text"]
                        inside += 1
                    else:
                        assert f"{t['id']}-{letter}{n}" not in m.text and f"[{f['span']['start']}–" in html
                        outside += 1
        assert inside > 10
        assert "版权所有" not in html       # no text outside the tasks is invented
    assert "只显示任务原文" in (site / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_removes_only_the_pages_of_documents_gone(tmp_path):
    from pipeline.outputs.site import build_site

    out, site = build(tmp_path, [SEEDS / "003_2f6965311e0af134.txt", SEEDS / "004_faeede1183fd7fea.txt"])
    mine = site / "docs" / "notes.html"          # a file the user put there
    mine.write_text("keep", encoding="utf-8")
    (out / "records" / "004_faeede1183fd7fea.txt.yml").unlink()
    (out / "report.yml").unlink()
    build_site(out, site)
    assert sorted(p.name for p in (site / "docs").iterdir()) == ["003_2f6965311e0af134.txt.html", "notes.html"]


def test_crossing_marks_are_split_into_one_primary_and_a_continuation():
    a = site_page.Mark("a", "deadline", 0, 10, "x", "r")
    b = site_page.Mark("b", "threshold", 5, 15, "y", "r", order=1)
    events = site_page._events("0123456789abcdefghij", 0, 20, [a, b], [0, 5], set())
    opens = [(e["mark"].id, e["primary"]) for e in events if e["op"] == "open"]
    assert opens == [("a", True), ("b", True), ("b", False)]
    assert sum(e["op"] == "open" for e in events) == sum(e["op"] == "close" for e in events)
    assert "".join(e["text"] for e in events if e["op"] == "text") == "0123456789abcdefghij"


def test_site_command_errors(tmp_path, capsys):
    assert main(["site", str(tmp_path / "missing"), "-o", str(tmp_path / "s")]) == 2
    assert "not found" in capsys.readouterr().err
