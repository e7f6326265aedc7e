"""The review site as a reviewer sees it: opened from file:// in headless Chromium (Debian's
``chromium`` + ``chromium-driver``, driven by Selenium; `.ci/run` installs them with
fonts-noto-cjk). Built from real corpus documents (the seeds as TXT and a page as served).

Skipped, with the reason, when Chromium, its driver or Selenium is missing. Screenshots go
to out/test-artifacts/.
"""
from __future__ import annotations

import base64
import shutil

import pytest

from pipeline.outputs.page import KINDS

from .conftest import CORPUS, ROOT, SEEDS
from .test_site import MORE_HTML, build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "out" / "test-artifacts"

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
except ImportError:          # the test extra not installed
    webdriver = None

pytestmark = pytest.mark.skipif(
    webdriver is None or not CHROMIUM or not DRIVER,
    reason="needs Selenium (test extra) and Debian's chromium + chromium-driver: "
           "apt-get install chromium chromium-driver fonts-noto-cjk (.ci/run does)")


def rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site_browser")
    out, site = build(tmp, sorted(SEEDS.glob("*.txt")) + [CORPUS / "raw" / "more" / MORE_HTML])
    return out, site


@pytest.fixture(scope="module")
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--allow-file-access-from-files"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


def shot(drv, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    assert drv.save_screenshot(str(path)) and path.stat().st_size > 10_000


def test_document_page_highlights_facts_in_their_colours_with_tooltips(site, browser):
    _, s = site
    browser.get((s / "docs" / "000_616882cabf01649c.txt.html").as_uri())
    marks = browser.find_elements(By.CSS_SELECTOR, "mark[data-fact]")
    assert len(marks) > 50
    seen = {}
    for kind, colour, title in browser.execute_script(
            "return Array.from(document.querySelectorAll('mark[data-fact]')).map(m => "
            "[m.dataset.kind, getComputedStyle(m).backgroundColor, m.title])"):
        assert colour == rgb(KINDS[kind][1]), (kind, colour)
        assert title.startswith(KINDS[kind][0]) and "规则 rule: " in title
        seen[kind] = seen.get(kind, 0) + 1
    # the seed has lead units, dated deadlines, cited documents and its metadata
    assert {"unit-lead", "deadline", "reference", "metadata"} <= set(seen)
    assert len({KINDS[k][1] for k in KINDS}) == len(KINDS)          # distinct colours

    # keyboard focus shows the tooltip: the value and the rule, drawn next to the fact
    lead = browser.find_element(By.CSS_SELECTOR, 'mark[data-kind="unit-lead"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", lead)
    assert browser.switch_to.active_element == lead
    tip = browser.execute_script("const s = getComputedStyle(arguments[0], '::after'); "
                                 "return [s.content, s.display, s.position]", lead)
    value_line, rule_line = lead.get_attribute("title").split("\n")[:2]
    assert value_line in tip[0] and rule_line in tip[0]
    assert tip[1] != "none" and tip[2] == "absolute"
    other = browser.execute_script("return getComputedStyle(arguments[0], '::after').content",
                                    browser.find_element(By.CSS_SELECTOR, 'mark[data-kind="deadline"]'))
    assert other in ("none", "normal", "")         # an unfocused fact shows no tooltip
    # tasks are blocks; a task that needs review says why
    assert browser.find_elements(By.CSS_SELECTOR, "section.task .task-head")
    shot(browser, "site-document.png")


def test_chinese_renders_with_a_cjk_font(site, browser):
    """No tofu: the characters are drawn by a CJK font (Chromium reports the platform
    font per node), and distinct characters give distinct glyphs (with no CJK font they
    are all the same .notdef box)."""
    _, s = site
    browser.get((s / "docs" / "000_616882cabf01649c.txt.html").as_uri())
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": "header.top h1"})["nodeId"]
    fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert any("CJK" in f["familyName"] and f["glyphCount"] >= 10 for f in fonts), fonts

    glyphs = browser.execute_script("""
        const c = document.createElement('canvas'); c.width = 64; c.height = 64;
        const g = c.getContext('2d');
        const font = getComputedStyle(document.body).fontFamily;
        return Array.from(arguments[0]).map(ch => {
            g.clearRect(0, 0, 64, 64); g.font = '48px ' + font; g.fillText(ch, 4, 52);
            return c.toDataURL();
        });""", "政务公开")
    assert len(set(glyphs)) == 4, "the four characters render as the same box: no CJK font"
    assert all(len(base64.b64decode(g.split(",", 1)[1])) > 300 for g in glyphs)


def test_ledger_filters_by_unit_and_due_date(site, browser):
    from pipeline.outputs.ledger import ledger_rows
    from .test_site import records

    out, s = site
    rows = ledger_rows(records(out))
    browser.get((s / "ledger.html").as_uri())
    visible = "return Array.from(document.querySelectorAll('#ledger tbody tr')).filter(r => !r.hidden)"
    assert len(browser.execute_script(visible)) == len(rows)

    unit = "市财政局"
    want = sum(1 for r in rows if unit in r.unit_keys)
    assert 0 < want < len(rows)
    Select(browser.find_element(By.ID, "f-unit")).select_by_value(unit)
    shown = browser.execute_script(visible + ".map(r => JSON.parse(r.dataset.units))")
    assert len(shown) == want and all(unit in units for units in shown)
    assert browser.find_element(By.ID, "shown").text.startswith(f"显示 {want} /")
    shot(browser, "site-ledger-unit.png")

    # a due-date range: only rows with a dated deadline inside it
    Select(browser.find_element(By.ID, "f-unit")).select_by_value("")
    browser.execute_script("const f = document.getElementById('f-from'), t = document.getElementById('f-to');"
                           "f.value = '2021-07-01'; t.value = '2021-09-30';"
                           "t.dispatchEvent(new Event('change'))")
    dues = browser.execute_script(visible + ".map(r => r.dataset.dues)")
    expect = [r for r in rows if any("2021-07-01" <= d.date.isoformat() <= "2021-09-30" for d in r.dated)]
    assert len(dues) == len(expect) > 0
    assert all(any("2021-07-01" <= d <= "2021-09-30" for d in ds.split()) for ds in dues)

    # by document, and by needs-review
    source = expect[0].document["source"]          # the due-date range still applies
    Select(browser.find_element(By.ID, "f-doc")).select_by_value(source)
    docs = browser.execute_script(visible + ".map(r => r.dataset.doc)")
    assert docs == [source] * sum(1 for r in expect if r.document["source"] == source) and docs
    Select(browser.find_element(By.ID, "f-doc")).select_by_value("")
    Select(browser.find_element(By.ID, "f-review")).select_by_value("yes")
    flagged = browser.execute_script(visible + ".map(r => r.cells[9].textContent)")
    assert len(flagged) == sum(1 for r in expect if r.review) and all(flagged)
    Select(browser.find_element(By.ID, "f-review")).select_by_value("")

    # sorting by 完成时限: dated rows in date order, undated last
    browser.execute_script("document.getElementById('f-from').value = ''; const t = document.getElementById('f-to');"
                           "t.value = ''; t.dispatchEvent(new Event('change'))")
    browser.find_elements(By.CSS_SELECTOR, "#ledger th button.sort")[6].click()
    firsts = browser.execute_script("return Array.from(document.querySelectorAll('#ledger tbody tr'))"
                                    ".map(r => r.cells[6].dataset.sort)")
    dated = [f for f in firsts if f]
    assert dated == sorted(dated) and firsts[:len(dated)] == dated


def test_index_links_every_document(site, browser):
    out, s = site
    browser.get((s / "index.html").as_uri())
    links = browser.find_elements(By.CSS_SELECTOR, "#documents a")
    assert len(links) == 6
    links[0].click()
    assert browser.find_elements(By.CSS_SELECTOR, "mark[data-fact]")
    assert "docs/" in browser.current_url and browser.title and "error" not in browser.title.lower()
