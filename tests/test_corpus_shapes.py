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


# -- the seventeenth session's batches (2026-12-07s17*) ----------------------------------

def _needs_soffice():
    from pipeline.ingest import doc as doc_ingest

    if doc_ingest.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: the .doc minutes are not read")


def test_minutes_name_who_sees_each_point_through(analysed):
    # 由X抓落实 (responsible), 由X牵头，Y配合抓落实 (lead, co)
    _needs_soffice()
    units = _units(analysed("more/1913_sichuan_fupinju_juwu_huiyi_jiyao_di27ci_2014.doc"))
    assert units.count(("扶贫开发指导处", "responsible")) >= 5
    assert ("规划处", "lead") in units and ("扶贫开发指导处", "co") in units


def test_a_closing_sentence_names_the_units_of_every_part(analysed):
    # 一是…五是…。以上工作由国际合作与社会扶贫处抓落实: all five parts
    _needs_soffice()
    a = analysed("more/2021_sichuan_fupinju_juwu_huiyi_jiyao_di7ci_2015.doc")
    owners = [t for t, facts in zip(a.tasks, a.task_facts)
              if any(f.kind == "unit" and f.data["unit"] == "国际合作与社会扶贫处" for f in facts)]
    assert len(owners) >= 5


def test_a_minutes_letterhead_and_its_distribution_list(analysed):
    # 四川省扶贫和移民工作局      2014年8月20日 above the body; 分送： one group per line
    _needs_soffice()
    meta = analysed("more/2020_sichuan_fupinju_juwu_huiyi_jiyao_di18ci_2014.doc").meta
    assert (meta["issuer"], str(meta["issued_on"])) == ("四川省扶贫和移民工作局", "2014-08-20")
    assert {"省委常委李昌平", "局党组成员", "各处（室、委）、中心"} <= set(meta["recipients"])


def test_a_cabinet_meeting_record_has_its_title_date_and_type(analysed):
    meta = analysed("more/2100_tw_xingzhengyuan_di3552ci_huiyi_jueding_jueyi_2017.html").meta
    assert meta["title"] == "行政院第3552次會議院長提示暨院會決定決議事項"
    assert (str(meta["issued_on"]), meta["doc_type"]) == ("2017-06-08", "会议纪录")


def test_a_notice_issuing_a_rule_keeps_its_yearly_dates(analysed):
    # 关于印发《…监管评价办法》的通知: 于次年2月10日前 recurs every year
    _needs_soffice()
    a = analysed("more/2060_jiangsu_yinjianju_dahang_fenzhi_jigou_jianguan_pingjia_banfa_2015.doc")
    due = [f.data for f in _facts(a, "deadline") if "次年" in a.doc.text[f.start:f.end]]
    assert len(due) == 3 and all(d["type"] == "recurring" for d in due)


def test_a_limit_counted_from_receipt(analysed):
    # 公安机关收到养犬人提交的养犬登记材料，应当在一个工作日内审查完毕
    a = analysed("more/2010_heze_yangquan_guanli_tiaoli_2021.txt")
    found = [f.data for f in _facts(a, "deadline") if "一个工作日内" in a.doc.text[f.start:f.end]]
    assert found and found[0]["type"] == "relative" and found[0]["anchor"].startswith("收到")


def test_a_bodys_tasks_heading_gives_its_items(analysed):
    # 二、本中心任務：⏎(一) 受理…⏎(二) 輔導…: every item is a duty of 本中心, whatever its verb
    a = analysed("more/2001_tw_biaojianju_guojia_zaisheng_nengyuan_pingzheng_zhongxin_shezhi_yaodian_2017.html")
    owned = [t for t, facts in zip(a.tasks, a.task_facts)
             if any(f.kind == "unit" and f.data["unit"] == "本中心" for f in facts)]
    assert len(owned) >= 6


def test_titles_in_corner_brackets_are_references(analysed):
    # 依「新北市政府及所屬各級機關學校公務人員平時獎懲基準」…辦理
    titles = [f.data["title"] for f in analysed("more/1093_tw_xinbei_jiankang_shineng_jingsai_shishi_jihua_2022.pdf").references]
    assert "新北市政府及所属各级机关学校公务人员平时奖惩基准" in titles


def test_a_body_named_as_authority_then_its_list_of_work(analysed):
    # 第六条 县级以上人民政府政务服务数据管理机构作为公共数据主管部门，负责下列工作：（一）统筹…
    a = analysed("more/2242_guangdong_gonggong_shuju_guanli_banfa_2021.txt")
    owned = [t for t, facts in zip(a.tasks, a.task_facts)
             if any(f.kind == "unit" and f.data["unit"] == "县级以上人民政府政务服务数据管理机构" for f in facts)]
    assert len(owned) >= 6


def test_limits_counted_back_from_a_named_day(analysed):
    # 應於場地使用日之一個月前…, 應於甄試日前一週…: relative, before that day
    a = analysed("more/2193_tw_taiwan_tushuguan_zhongshanlou_changdi_shiyong_yaodian_2017.html")
    before = [f.data for f in _facts(a, "deadline") if f.data.get("before") and "使用日" in (f.data.get("anchor") or "")]
    assert len(before) >= 3
    b = analysed("more/2190_tw_laodongli_fazhanshu_zhaogu_fuwuyuan_zhuanban_xunlian_jihua_2017.html")
    assert any(f.data.get("anchor") == "甄试日" and f.data.get("unit") == "week" for f in _facts(b, "deadline"))


def test_a_standing_rules_day_of_the_same_year_recurs(analysed):
    # a grant 要點: 應於當年九月十五日前… recurs every year
    a = analysed("more/2192_tw_renquanguan_choubeichu_renquan_jiaoyu_tuiguang_buzhu_yaodian_2017.html")
    due = [f.data for f in _facts(a, "deadline") if "當年九月十五日" in a.doc.text[f.start:f.end]]
    assert due and (due[0]["type"], due[0]["by"]) == ("recurring", "09-15")


def test_a_monthly_amount_is_no_cadence(analysed):
    # 督導人員：每月新臺幣（以下同）五萬三千元，每年六十九萬元: caps per month and year
    a = analysed("more/2283_tw_guojiaoshu_buzhu_zhi_zhuanye_fudao_renyuan_yaodian_2017.html")
    assert not [f for f in _facts(a, "cadence") if "元" in a.doc.text[f.end:f.end + 16]]


def test_an_order_of_an_agencys_office_keeps_its_header(analysed):
    # 國立臺灣圖書館令 / 中華民國106年3月3日 / 圖中字第…號 above the rule: the order's metadata
    meta = analysed("more/2193_tw_taiwan_tushuguan_zhongshanlou_changdi_shiyong_yaodian_2017.html").meta
    assert (meta["issuer"], str(meta["issued_on"]), meta["doc_number"]) == ("國立臺灣圖書館", "2017-03-03", "圖中字第10611000642號")
    assert analysed("more/2140_tw_kending_meihualu_nongye_sunshi_buzhu_yaodian_2017.html").meta["issuer"] == "墾丁國家公園管理處"


def test_a_cap_of_a_named_amount_and_a_rate_per_hectare(analysed):
    # 以各報價項目費用總和百分之十為上限 (<= 10 %); 給付每公頃四萬五千元 (== 45000 元)
    a = analysed("more/2281_tw_laodongbu_zhaogu_fuwuyuan_zixun_ziyong_xunlian_jihua_2017.html")
    assert any(f.data["op"] == "<=" and f.data["value"] == 10 and f.data["unit"] == "%" for f in _facts(a, "threshold"))
    b = analysed("more/2282_tw_nongweihui_nongdi_lvfei_shengchan_huanjing_weihu_guifan_2017.html")
    assert any(f.data["value"] == 45000 and f.data["unit"] == "元" for f in _facts(b, "threshold"))


def test_a_rule_made_for_one_year_keeps_its_dates_in_that_year(analysed):
    # 《包头市2022年数字政府建设考评办法》: 6月底完成 is 2022-06-30, not a yearly 06-30
    a = analysed("more/2222_baotou_shuzi_zhengfu_kaoping_banfa_2022.txt")
    june = [f.data for f in _facts(a, "deadline") if a.doc.text[f.start:f.end].startswith("6月底")]
    assert june and all(d["type"] == "date" and d["date"] == "2022-06-30" for d in june)


def test_a_rules_own_history_lines_are_no_references(analysed):
    # 中華民國84年7月15日…字第…號函訂定 … 106年5月18日…號令修正: the rule's own versions
    a = analysed("more/2043_tw_waijiaobu_lvwai_guoren_jinan_jiuzhu_shishi_yaodian_2017.html")
    assert not [f for f in a.references if not f.data.get("title")]


def test_a_standing_rules_yearly_window_and_year_end_limit_recur(analysed):
    # 漁業人應於每年五月一日至十月三十一日止…申請 → yearly 10-31; 應於年度終了後二個月內 → yearly 02-28
    a = analysed("more/2251_tw_nongweihui_ziyuanxing_xiuyu_shishi_yaodian_2017.html")
    window = [f.data for f in _facts(a, "deadline") if a.doc.text[f.start:f.end].startswith("五月一日至十月三十一日")]
    assert window and (window[0]["type"], window[0]["by"]) == ("recurring", "10-31")
    b = analysed("more/2132_tw_laodongli_fazhanshu_yuqi_zhaiquan_cuishou_daizhang_yaodian_2017.html")
    assert any(f.data.get("by") == "02-28" and "終了" in b.doc.text[f.start:f.end] for f in _facts(b, "deadline"))


def test_an_organisation_rules_offices_are_in_charge_of_their_work(analysed):
    # 國立高雄科技大學組織規程: 總務處置總務長一人，掌理總務事宜 (a 规程 is a standing rule; 掌理 =
    # responsible); 本校設創新創業教育中心，負責… (the body set up carries the duty)
    a = analysed("more/2444_tw_gaoxiong_keji_daxue_zuzhi_guicheng_2023.pdf")
    units = {u for u, role in _units(a) if role == "responsible"}
    assert {"總務處", "圖書館", "秘書室", "創新創業教育中心"} <= units


def test_sums_a_rule_pays_are_thresholds(analysed):
    # 公務人員因公傷亡慰問金發給辦法: 全失能者，發給新臺幣一百二十萬元 … (== 120 萬元)
    a = analysed("more/2421_tw_kaoshiyuan_xingzhengyuan_gongwu_renyuan_yingong_shangwang_weiwenjin_banfa_2017.html")
    paid = [f.data for f in _facts(a, "threshold") if f.rule == "payment_amount"]
    assert len(paid) >= 15 and any(d["value"] == 120 and d["unit"] == "万元" for d in paid)


def test_a_word_files_title_and_byline_above_the_body_stay(analysed):
    # a .doc as its issuer wrote it has no site chrome: 2014年全省移民安置设监评工作总结 /
    # 及2015年工作安排 / 省扶贫移民局党组成员 副局长 … / （2015年4月14日） are the document's own lines
    a = analysed("more/2488_sichuan_fupinju_yimin_shejianping_gongzuo_zongjie_2014.doc")
    assert "2014年全省移民安置设监评工作总结" in a.doc.text and "（2015年4月14日）" in a.doc.text


def test_a_work_plans_labelled_handling_days_are_deadlines(analysed):
    # 规划处第二十八周主要工作安排计划: 办理时间：7月14日（星期二），负责人：… under each item
    a = analysed("more/2486_sichuan_fupinju_guihuachu_di28zhou_gongzuo_anpai_2015.doc")
    days = [f for f in _facts(a, "deadline") if f.rule == "labelled_date"]
    assert len(days) >= 15


def test_a_notices_own_title_broken_inside_and_a_long_joint_signature(analysed):
    # headline 关于做好…的通知(发改运行〔2020〕1784号), then the notice's own title over two lines:
    # 国家发展改革委 国家能源局关于做好 / 2021年电力中长期合同签订工作的通知 — the issuers' line is the title
    a = analysed("more/2408_guojia_dianli_zhongchangqi_hetong_2020.html")
    assert a.meta["title"].replace(" ", "").startswith("国家发展改革委国家能源局关于做好")
    # eleven signatories on four lines, 保监会 and 共青团中央 among them: the first signs first
    b = analysed("more/2507_jiaoyubu_deng11bumen_zhongxiaoxuesheng_yanxue_lvxing_yijian_2016.txt")
    assert b.meta["issuer"] == "教育部" and len(b.meta["issuers"]) == 11


def test_a_departments_budget_and_an_institutes_order_name_their_issuer(analysed):
    # 预算主管部门：上海市普陀区财政局 on a budget's cover; 內政部建築研究所令 (a 研究所 signs)
    assert analysed("more/2445_putuo_caizhengju_bumen_yusuan_2025.pdf").meta["issuer"] == "上海市普陀区财政局"
    assert analysed("more/2392_tw_jianyansuo_buzhu_juanzhu_jingfei_shenqing_zuoye_guifan_2017.html").meta["issuer"] == "內政部建築研究所"


def test_limits_counted_back_from_an_exhibition(analysed):
    # 申請者應於展出前一個月…, 並須於展出前二個星期完成布展: relative, before 展出
    a = analysed("more/2393_tw_yuanzhumin_wenhua_fazhan_zhongxin_zhanlan_shenqing_yaodian_2017.html")
    before = [f.data for f in _facts(a, "deadline") if f.data.get("before") and f.data.get("anchor") == "展出"]
    assert {d["unit"] for d in before} >= {"month", "week"}


def test_a_tracking_tables_block_headers_name_the_unit_of_their_rows(analysed):
    # 安排部署工作完成情况统计表: header 安排部署工作（领导批示）内容 | 部署时间 | 安排部署源 | 完成时限 |
    # 办理（完成）情况 | 备注, then blocks opened by 分管局领导：某某  责任处室：政策法规处 …
    a = analysed("more/2548_sichuan_fupinju_anpai_bushu_gongzuo_wancheng_tongjibiao_5yue_2015.doc")
    rows = [t for t in a.tasks if t.origin == "table"]
    assert len(rows) >= 140
    units = _units(a)
    assert units.count(("政策法规处", "responsible")) >= 10 and ("人事处", "responsible") in units
    # （…由法规处牵头，规划处、办公室、人事处协同提出…）: 由 is not part of the name, and the
    # clause after the bracket's last assignment is still read
    assert ("法规处", "lead") in units and ("由法规处", "lead") not in units and ("规划处", "co") in units


def test_recipients_sharing_the_first_ones_place(analysed):
    # 各市（州）教育主管部门、党委政法委、…、妇联、关工委: the later bodies are each city's own
    a = analysed("more/2545_sichuan_jiaoyuting_deng_shiwubumen_weichengnianren_buliang_xingwei_jiaoyu_guanli_banfa_2026.txt")
    assert len(a.meta["recipients"]) == 1 and a.meta["recipients"][0].endswith("关工委")


def test_a_band_of_two_shares_is_one_fact(analysed):
    # 处所募集资金百分之一以上百分之五以下罚款
    a = analysed("more/2536_wenzhou_minjian_rongzi_guanli_tiaoli_2013.txt")
    bands = [f.data for f in _facts(a, "threshold") if f.data["op"] == "between" and f.data["unit"] == "%"]
    assert {"op": "between", "value": [1, 5]}.items() <= bands[0].items() if bands else False


def test_a_numbered_unit_line_names_the_units_of_the_items_before_it(analysed):
    # 一、优化土地出让方式 ⏎（一）适用范围：… ⏎（二）办理流程：… ⏎（三）责任单位及承办科室：市自然资源局，储备中心。
    a = analysed("more/2560_suzhou_fangdichan_ruogan_cuoshi_shishi_xize_2022.html")
    first = next(k for k, t in enumerate(a.tasks) if "竞地价与竞品质" in a.doc.text[t.start:t.end])
    units = [(a.doc.text[f.start:f.end], f.data["role"]) for f in a.task_facts[first] if f.kind == "unit"]
    assert ("市自然资源局", "responsible") in units and ("储备中心", "responsible") in units
    assert not any("责任单位及承办科室：市自然资源局，储备中心" in a.doc.text[t.start:t.end] for t in a.tasks)


def test_more_than_half_is_a_threshold(analysed):
    # 专有部分占建筑物总面积过半数的业主且占总人数过半数的业主参加: > 0.5, twice
    a = analysed("more/2576_rizhao_wuye_guanli_tiaoli_2017.txt")
    halves = [f for f in _facts(a, "threshold") if f.rule == "majority"]
    assert len(halves) >= 4 and all(f.data["op"] == ">" and f.data["value"] == 0.5 for f in halves)


def test_a_body_with_its_field_of_work_then_its_duty_list(analysed):
    # 第五条 市人民政府房地产行政主管部门负责本行政区域内…的指导、监督和管理，履行下列职责：（一）…（六）
    a = analysed("more/2577_qingyuan_zhuzhai_xiaoqu_wuye_guanli_tiaoli_2022.txt")
    units = _units(a)
    assert units.count(("市人民政府房地产行政主管部门", "responsible")) >= 5


def test_a_gazette_notice_names_its_issuer_and_the_rules_it_amends(analysed):
    # 衛生福利部公告 ⏎ … ⏎ 主　　旨：修正「應建立食品追溯追蹤系統之食品業者」（如附件），自即日生效。
    a = analysed("more/2533_tw_weifubu_shipin_zhuisu_zhuizong_xitong_yezhe_gonggao_2017.html")
    assert a.meta["title"] == "應建立食品追溯追蹤系統之食品業者" and a.meta["issuer"] == "衛生福利部"
    assert a.meta["doc_type"] == "公告"
    # 修正「動物及動物產品輸入檢疫條件」第八點附件四之六「犬貓食品之輸入檢疫條件」: the part it amends
    assert analysed("more/1766_tw_nongweihui_quanmao_shipin_shuru_jianyi_tiaojian_2017.html").meta["title"] == "犬貓食品之輸入檢疫條件"


def test_a_leaders_instructions_name_who_acts(analysed):
    # （刘兵：请局处领导阅，法规处按照通知要求办理。） / 请计财处按照…批示办 / 送指导处阅处
    units = _units(analysed("more/2548_sichuan_fupinju_anpai_bushu_gongzuo_wancheng_tongjibiao_5yue_2015.doc"))
    assert ("计财处", "responsible") in units and not any(u.endswith("阅处") for u, _ in units)


def test_a_span_due_before_an_event_and_business_days(analysed):
    # 長照機構辦理停業者，應於事實發生日前三十日內，填具申請書…報…: a deadline counted back, not a look-back window
    a = analysed("more/2604_tw_weifubu_changzhao_jigou_sheli_xuke_ji_guanli_banfa_2017.html")
    before = [f for f in _facts(a, "deadline") if f.data.get("before") and f.data.get("amount") == 30]
    assert len(before) >= 4
    # 於交易完成後五個營業日內以媒體申報: business days are working days
    b = analysed("more/2572_tw_nongweihui_nongye_jinrong_jigou_fangzhi_xiqian_banfa_2017.html")
    assert any(f.data.get("unit") == "workday" and f.data.get("amount") == 5 for f in _facts(b, "deadline"))


def test_an_annual_report_named_only_by_its_page_title_has_metrics(analysed):
    # the title line went with the site chrome; <title> 沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局
    a = analysed("more/2674_shuyang_fagaiju_xxgk_nianbao_2023.html")
    assert len(a.metrics) >= 60
    assert any(m["name"].startswith("本年新收政府信息公开申请数量") and m["value"] == 26 for m in a.metrics)


def test_a_draft_title_set_on_lines_with_its_status_below(analysed):
    # 南昌市城区房地产开发项目地下车位（库） ⏎ 销售备案和不动产登记管理规定 ⏎ （征求意见稿）
    a = analysed("more/2669_nanchang_dixia_chewei_xiaoshou_beian_dengji_guanli_guiding_zhengqiuyijiangao_2025.docx")
    assert a.meta["title"] == "南昌市城区房地产开发项目地下车位（库）销售备案和不动产登记管理规定"
    b = analysed("more/2668_hainan_gongjijin_zhifu_goufang_shoufukuan_tongzhi_zhengqiuyijiangao_2023.docx")
    assert b.meta["title"].endswith("首付款的通知")


def test_levels_of_government_before_a_department_are_one_unit(analysed):
    # 市、县（区）市容环境卫生行政主管部门负责…: not 市、县（区） + 市容环境卫生行政主管部门
    units = _units(analysed("more/2652_hebi_chengshi_shirong_huanjing_weisheng_guanli_tiaoli_2018.txt"))
    assert ("市、县（区）市容环境卫生行政主管部门", "responsible") in units
    assert not any(u == "市、县（区）" for u, _ in units)


def test_parties_named_by_their_relation_are_no_units(analysed):
    # （六）…由管理单位负责 / （三）…由本单位负责 / 拆迁工地由属地政府负责
    units = [u for u, _ in _units(analysed("more/2651_shangqiu_chengshi_shirong_huanjing_weisheng_guanli_tiaoli_2018.txt"))]
    assert "街道办事处" in units
    assert not {"管理单位", "本单位", "属地政府", "产权单位"} & set(units)


def test_places_named_in_full_with_no_body_after_them_are_recipients_each(analysed):
    # 各县、市、区人民政府，滁州经开区、中新苏滁高新区，房地产联席会议成员单位：
    recipients = analysed("more/2682_chuzhou_fangdichan_pingwen_jiankang_ruogan_cuoshi_2023.html").meta["recipients"]
    assert "滁州经开区" in recipients and "中新苏滁高新区" in recipients
    assert "各县、市、区人民政府" in recipients


def test_a_rules_kind_is_its_last_word_not_how_it_is_carried_out(analysed):
    # 大鵬灣…審議作業規範 is a 規範, 國中小及幼兒園弱勢學生…實施要點 a 要點
    assert analysed("more/2690_tw_jiaotongbu_dapengwan_kaifa_xuke_ji_dushi_sheji_shenyi_guifan_2017.html").meta["doc_type"] == "規範"
    assert analysed("more/2692_tw_guojiaoshu_buzhu_guozhongxiao_ji_youeryuan_ruoshi_xuesheng_yaodian_2017.html").meta["doc_type"] == "要點"


def test_the_organiser_and_the_executor_named_by_a_rule(analysed):
    # 本處理原則之主辦機關為財政部國有財產署，執行機關為財政部國有財產署所屬分署。
    units = _units(analysed("more/2691_tw_caizhengbu_dushi_gengxin_shiye_guoyou_tudi_chuli_yuanze_2017.html"))
    assert ("財政部國有財產署", "lead") in units and ("財政部國有財產署所屬分署", "responsible") in units


def test_a_leaders_instruction_to_consult_another_division(analysed):
    # （…：请规划处商指导处办理。） — 规划处 leads, 指导处 takes part; 请吴勇阅办 names nobody
    units = _units(analysed("more/2721_sichuan_fupinju_anpai_bushu_gongzuo_wancheng_tongjibiao_10yue_2014.doc"))
    assert not any("处商" in u for u, _ in units) and not any(u.endswith(("阅办", "即办")) for u, _ in units)
    assert ("计财处", "lead") in units and ("后扶处", "co") in units     # 请计财处商后扶处按张局长的批示办


def test_a_qualifying_period_before_a_second_condition(analysed):
    # 在长乐区缴纳城镇职工养老保险满3个月且申请时处于在缴状态
    a = analysed("more/2662_changle_rencai_zhufang_baozhang_shishi_xize_2024.pdf")
    bounds = [f for f in _facts(a, "threshold") if a.doc.text[f.start:f.end].startswith("满3个月")]
    assert bounds and all(f.data["op"] == ">=" and f.data["unit"] == "个月" for f in bounds)


def test_a_department_asked_to_help_verify(analysed):
    # 司法机关依法查封土地的，规划资源部门应当配合向人民法院核实…
    units = _units(analysed("more/2697_tianjin_jianshe_yongdi_shiyongquan_zhuanrang_shishi_xize_2024.html"))
    assert ("规划资源部门", "co") in units


def test_a_gazette_order_keeps_its_heading_and_first_article(analysed):
    # 中央銀行令 ⏎ 中華民國106年3月27日 ⏎ … ⏎ 第　一　章　　總則 ⏎ 第　一　條　　本辦法依中央銀行法…訂定之。
    a = analysed("more/2730_tw_yanghang_zhengquanye_banli_waihui_yewu_guanli_banfa_2017.html")
    assert a.doc.text.startswith("中央銀行令")
    assert "本辦法依中央銀行法第三十五條第二項規定訂定之" in a.doc.text


def test_who_acts_with_the_departments_concerned_leads(analysed):
    # 第八条 自然资源和规划部门应当会同有关部门和单位，推行不动产转移登记与…联动办理
    units = _units(analysed("more/2736_yantai_youhua_yingshang_huanjing_tiaoli_2021.txt"))
    assert ("自然资源和规划部门", "lead") in units


def test_a_time_limit_after_an_event_on_a_named_document(analysed):
    # 借款人应在取得《不动产权证书》后12个月内… : counted from the event, not a bare duration
    a = analysed("more/2751_taizhou_gongjijin_geren_zhufang_daikuan_guanli_shishi_xize_2022.html")
    assert any(f.rule == "relative_generic_after_titled" and f.data.get("amount") == 12 for f in _facts(a, "deadline"))


def test_a_definition_item_is_no_duty_heading(analysed):
    # （一）審議委員會：係依土管要點第三點第一項規定組成之「…審議委員會」。 defines a term, it lists no duties
    units = _units(analysed("more/2690_tw_jiaotongbu_dapengwan_kaifa_xuke_ji_dushi_sheji_shenyi_guifan_2017.html"))
    assert not any(u.endswith("審議委員會") for u, _ in units)
