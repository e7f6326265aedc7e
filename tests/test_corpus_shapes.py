"""Shapes found in the 2026-12-05 corpus batch, checked on the real documents: each
assertion fails if the general mechanism behind it breaks (the invented golden cases
sit in the per-extractor case tables)."""
from __future__ import annotations

from pathlib import Path

import pytest

MORE = Path(__file__).resolve().parent.parent / "corpus" / "raw"


@pytest.fixture(scope="module")
def analysed(rules):
    from pipeline.ingest import read_path
    from pipeline.junk import clean
    from pipeline.process import analyse

    cache = {}

    def get(rel: str):
        if rel not in cache:
            cache[rel] = analyse(clean(read_path(MORE / rel), rules), rules)
        return cache[rel]
    return get


def _units(a):
    return [(a.doc.text[f.start:f.end], f.data["role"]) for facts in a.task_facts for f in facts if f.kind == "unit"]


def _facts(a, kind):
    return [f for facts in a.task_facts for f in facts if f.kind == kind] + [f for f in a.unattached if f.kind == kind]


def test_a_pdf_laid_out_on_a_grid_is_read_as_prose(analysed):
    a = analysed("more/502_hainan_nongji_butie_fangan_2024.pdf")
    assert not any(b.kind == "table_row" for b in a.doc.blocks[:60])
    assert a.meta["issuer"] == "海南省农业农村厅" and a.meta["issuers"] == ["海南省农业农村厅", "海南省财政厅"]
    assert len(a.tasks) >= 20


def test_doc_number_from_an_attachment_named_after_the_document(analysed):
    assert analysed("seeds/003_2f6965311e0af134.txt").meta["doc_number"] == "江北管秘〔2020〕15号"


def test_a_page_behind_a_php_prelude_is_read_as_html(analysed):
    a = analysed("more/304_tw_junxun_kecheng_zhesuan_yiqi.html")
    assert a.doc.format == "html" and "<?php" not in a.doc.text


def test_a_category_cell_carries_the_schedule(analysed):
    a = analysed("more/802_jiangxi_zhongda_chanye_xiangmu_duchadiaodu_2020.html")
    dates = [f.data.get("date") for f in _facts(a, "deadline") if "年内" in a.doc.text[f.start:f.end]]
    assert dates.count("2020-12-31") >= 10


def test_an_attachment_dividing_duties_and_the_members_of_a_joint_body(analysed):
    units = _units(analysed("more/708_jiangxi_yingyouer_zhaohu_2020.html"))
    assert ("团省委", "responsible") in units and ("省妇联", "responsible") in units
    assert ("应急", "co") in units and ("计划生育协会", "co") in units


def test_the_documents_own_number_is_no_reference(analysed):
    a = analysed("more/600_guohan_liaoning_haiyang_quhua_pifu_2012.docx")
    assert a.meta["doc_number"] == "国函〔2012〕161号"
    assert "国函〔2012〕161号" not in [f.data.get("doc_number") for f in a.references]


def test_a_law_database_header_gives_title_and_date(analysed):
    a = analysed("more/705_tw_qiangpo_ruxue_tiaoli_2019.txt")
    assert a.meta["title"] == "強迫入學條例" and a.meta["issued_on"] == "2019-04-17"


def test_every_n_years_is_a_cadence_and_storage_bands_are_no_deadlines(analysed):
    a = analysed("more/203_anshun_grain_reserve_measures_2023.txt")
    every = sorted(f.data.get("every") for f in _facts(a, "cadence") if f.data.get("every"))
    assert every[:2] == [1, 2] and 4 in every
    texts = [a.doc.text[f.start:f.end] for f in _facts(a, "deadline")]
    assert not any("个月以内" in t for t in texts)


def test_会同_gives_lead_and_co(analysed):
    units = _units(analysed("more/203_anshun_grain_reserve_measures_2023.txt"))
    assert ("市财政局", "lead") in units and ("市财政局", "co") in units
