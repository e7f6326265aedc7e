"""Document metadata (GB/T 9704 elements) on the seeds, their renditions and fixtures."""
from __future__ import annotations

import pytest
import yaml

from pipeline.extract.metadata import admin_level, parse_date, recover_compact_date
from pipeline.model import Block, Document
from pipeline.normalize import match_view
from pipeline.process import analyse

from .conftest import SEEDS

# Read off each seed by hand. None: the text does not state it.
EXPECTED = {
    "000_616882cabf01649c": {
        "title": "南昌市人民政府辦公室關于印發2021年南昌市政務公開工作方案的通知",
        "enclosed_title": "2021年南昌市政務公開工作方案", "doc_type": "通知",
        "issuer": "南昌市人民政府辦公室", "issued_on": "2021-06-04", "date_source": "signature",
        "recipients": ["各縣(區)人民政府", "開發區管委會", "灣里管理局", "市政府各部門"],
        "admin_level": "市"},
    "001_71262d750d9eb121": {
        "title": "龙江县人民政府办公室关于印发《龙江县全面推进政务公开工作实施意见》的通知",
        "doc_type": "通知", "issuer": "龙江县人民政府办公室",
        # the signature reads 2017725: 年/月/日 were lost in scraping
        "issued_on": "2017-07-25", "date_source": "signature_recovered", "admin_level": "县"},
    "002_be06cf5f2f6cd198": {"title": "2018年南昌市政府信息公开工作年报", "doc_type": "年报"},
    "003_2f6965311e0af134": {
        "title": "关于开展政务公开“六提六促”专项行动的通知", "doc_type": "通知",
        "recipients": ["各部门", "江北公司", "各派驻单位"]},
    "004_faeede1183fd7fea": {
        "title": "2021年政务公开工作要点", "issuer": "国务院办公厅", "issued_on": "2021-04-09",
        "recipients": ["各省、自治区、直辖市人民政府", "国务院各部委、各直属机构"], "admin_level": "国务院"},
}


def _meta(path, rules):
    from pipeline.process import ingest

    return analyse(ingest(path.read_bytes(), path.name, rules), rules).meta


@pytest.mark.parametrize("stem", sorted(EXPECTED))
@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "pdf"])
def test_seed_metadata(stem, fmt, rules):
    meta = _meta(SEEDS / f"{stem}.{fmt}", rules)
    for key, want in EXPECTED[stem].items():
        got = meta[key]
        if isinstance(want, str):
            got = match_view(got or "").replace(" ", "")
            want = match_view(want)
        elif isinstance(want, list):
            got, want = [match_view(x) for x in got], [match_view(x) for x in want]
        assert got == want, (key, got, want)


def test_web_page_metadata_table(rules):
    """003 as a web page: 发文字号 and the publication date come from its 索引号 table."""
    meta = _meta(SEEDS / "003_2f6965311e0af134.html", rules)
    assert meta["doc_number"] == "江北管秘〔2020〕15号"
    assert meta["issued_on"] == "2020-07-06" and meta["date_source"] == "published"
    assert meta["page"]["info"]


def test_publication_date_from_page_furniture(rules):
    meta = _meta(SEEDS / "003_2f6965311e0af134.txt", rules)
    assert meta["issued_on"] == "2020-07-06" and meta["date_source"] == "published"


def _doc(lines):
    return Document("x.txt", "txt", [Block("paragraph", t) for t in lines]).build()


def test_full_official_document_elements(rules):
    # The elements of GB/T 9704-2012, laid out as a printed notice.
    doc = _doc([
        "000123", "机密★1年", "特急",
        "江西省人民政府办公厅文件",
        "赣府厅发［2022］12号",
        "江西省人民政府办公厅关于印发江西省数字政府建设实施方案的通知",
        "各市、县人民政府，省政府各部门：",
        "《江西省数字政府建设实施方案》已经省政府同意，现印发给你们，请认真贯彻执行。",
        "附件：1．江西省数字政府建设实施方案",
        "2．重点任务分工表",
        "江西省人民政府办公厅",
        "二〇二二年三月十五日",
        "（此件公开发布）",
        "江西省数字政府建设实施方案",
        "一、总体要求",
        "（一）加快建设。各市要在2022年底前建成统一平台。（省大数据局牵头）",
        "抄送：省委各部门，省人大常委会办公厅。",
        "江西省人民政府办公厅 2022年3月16日印发",
    ])
    meta = analyse(doc, rules).meta
    assert meta["doc_number"] == "赣府厅发〔2022〕12号"
    assert meta["title"].endswith("实施方案的通知")
    assert meta["enclosed_title"] == "江西省数字政府建设实施方案"
    assert meta["issuer"] == "江西省人民政府办公厅"
    assert meta["issued_on"] == "2022-03-15" and meta["date_source"] == "signature"
    assert meta["recipients"] == ["各市、县人民政府", "省政府各部门"]
    assert meta["cc"] == ["省委各部门", "省人大常委会办公厅"]
    assert meta["attachments"] == ["江西省数字政府建设实施方案", "重点任务分工表"]
    assert meta["printed_by"] == "江西省人民政府办公厅" and meta["printed_on"] == "2022-03-16"
    assert meta["classification"].startswith("机密") and meta["urgency"] == "特急"
    assert meta["doc_type"] == "通知" and meta["admin_level"] == "省"


@pytest.mark.parametrize("text,iso", [
    ("2021年6月4日", "2021-06-04"), ("二〇二一年六月四日", "2021-06-04"), ("2020-07-06 08:50", "2020-07-06"),
    ("发布时间：2017-07-28", "2017-07-28"), ("2021 年 4 月 9 日", "2021-04-09"), ("2021年2月30日", None),
    ("二00八年十二月二十四日", "2008-12-24"), ("二OO八年十二月二十四日", "2008-12-24"),
])
def test_parse_date(text, iso):
    assert parse_date(match_view(text)) == iso


def test_recover_compact_date():
    assert recover_compact_date("2017725", 2017) == "2017-07-25"
    assert recover_compact_date("2020111", 2020) is None     # 1月11日 or 11月1日: ambiguous
    assert recover_compact_date("2017725", 2010) is None     # far from the document's year


@pytest.mark.parametrize("issuer,level", [
    ("国务院办公厅", "国务院"), ("人力资源社会保障部", None), ("江西省人民政府", "省"), ("南昌市人民政府办公室", "市"),
    ("龙江县人民政府办公室", "县"), ("某某镇人民政府", "乡"),
])
def test_admin_level(issuer, level):
    assert admin_level(issuer)[1] == level


def test_records_carry_metadata(corpus_run):
    _, _, out = corpus_run
    record = yaml.safe_load((out / "records/seeds/000_616882cabf01649c.pdf.yml").read_text(encoding="utf-8"))
    assert record["document"]["issued_on"] == "2021-06-04"
    assert record["document"]["references"]


def _meta_of_text(text, rules):
    from pipeline.ingest import read_bytes
    from pipeline.process import analyse

    return analyse(read_bytes(text.encode("utf-8"), "x.txt"), rules).meta


@pytest.mark.parametrize("text, want", [
    # a law database's page: a joint title with 、, field lines kept aside, the reply's own type word
    ("法规库 >> 法规正文\n某某自治区物价局、财政厅关于调整标准情报资料部分收费标准的复函\n状态:有效 发布日期:2003-06-23 生效日期: 2003-06-23\n"
     "自治区质量技术监督局:\n你局申请函收悉。经研究，现函复如下。\n",
     {"title": "某某自治区物价局、财政厅关于调整标准情报资料部分收费标准的复函", "issuer": "某某自治区物价局",
      "issuers": ["某某自治区物价局", "某某自治区财政厅"], "doc_type": "复函"}),
    # a joint title and a joint signature, each glued: the first body issues
    ("某区党工委办公室某区管委会办公室关于印发\n《某区强化知识产权保护工作实施方案》的通知\n各有关单位：\n现将方案印发给你们。\n"
     "某区党工委办公室某区管委会办公室 2021年4月29日\n",
     {"issuer": "某区党工委办公室", "issuers": ["某区党工委办公室", "某区管委会办公室"]}),
    # the title drops the place the signature names; 片区各工作片 is a collective recipient
    ("君山片区管理局党政办公室关于印发集中供养工作方案的通知\n片区各工作片，各行政村：现将《集中供养工作方案》印发给你们，请认真贯彻落实。\n"
     "平潭综合实验区君山片区管理局党政办公室 2020年8月3日\n",
     {"issuer": "平潭综合实验区君山片区管理局党政办公室", "recipients": ["片区各工作片", "各行政村"]}),
    # a page headline of the 发文字号 before the quoted title
    ("某政办发〔2016〕32号《某某市人民政府办公厅关于下达2016年农村五保供养标准的通知》\n各县(市、区)人民政府：\n"
     "现将2016年农村五保供养标准下达给你们。\n某某市人民政府办公厅\n2016年5月6日\n",
     {"title": "某某市人民政府办公厅关于下达2016年农村五保供养标准的通知", "doc_number": "某政办发〔2016〕32号"}),
    # a page heading X印发《Y》 with no 的通知
    ("某某市人民政府办公室印发《某某市优化营商环境实施方案》\n各区人民政府：\n现将《某某市优化营商环境实施方案》印发给你们。\n"
     "某某市人民政府办公室\n2023年5月6日\n",
     {"title": "某某市人民政府办公室印发《某某市优化营商环境实施方案》", "issued_on": "2023-05-06"}),
    # a regulation dated and numbered by its order; a database is not an issuer
    ("来源：某某法规数据库\n某某市城市绿化管理办法\n（2019年8月1日某某市人民政府令第125号公布）\n"
     "第一条 为了加强城市绿化管理，制定本办法。\n第二条 市园林局负责全市绿化管理工作。\n",
     {"doc_number": "某某市人民政府令第125号", "issued_on": "2019-08-01", "issuer": "某某市人民政府"}),
    # joint signatures on several lines; junk before the date
    ("某某县财政局 某某县民政局\n关于做好困难群众救助资金发放工作的通知\n各乡镇人民政府：\n一、按时足额发放。各乡镇要按时发放。\n"
     "某某县财政局\n某某县民政局\n??2025年3月31日\n",
     {"issuer": "某某县财政局", "issuers": ["某某县财政局", "某某县民政局"], "issued_on": "2025-03-31"}),
    # a report that names its author only in its first sentence
    ("某某区2023年政府信息公开工作年度报告\n本报告由某某区人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。\n"
     "一、总体情况\n2023年，某某区持续推进政务公开。\n",
     {"issuer": "某某区人民政府办公室"}),
    # an order's number is the 发文字号
    ("国务院关于修改部分行政法规的决定\n中华人民共和国国务院令第752号\n现公布本决定，自公布之日起施行。\n总理 李强\n2022年3月29日\n",
     {"doc_number": "中华人民共和国国务院令第752号", "issued_on": "2022-03-29"}),
    # a repost quotes the whole title line in 《》; the issuer comes from the title
    ("《某某市人民政府办公厅关于建立政府工作落实情况报告制度的通知》\n浏览量： 时间：2018-11-13 15:36:26\n"
     "各区（市）县政府，市政府各部门：\n一、报告内容。各部门要按月报告落实情况。\n",
     {"title": "某某市人民政府办公厅关于建立政府工作落实情况报告制度的通知", "issuer": "某某市人民政府办公厅",
      "doc_type": "通知"}),
    # a crawled page glues the body to the 主送 line
    ("某某区管委会办公室关于印发《某某办法》的通知\n各片区管理局，区直各单位，各区属国企：《某某办法》已经研究同意，"
     "现印发给你们，请认真贯彻执行。\n某某区管委会办公室 2021年5月31日\n某某办法\n第一条 为规范管理，制定本办法。\n",
     {"recipients": ["各片区管理局", "区直各单位", "各区属国企"]}),
    # a crawler's field label before the 主送 line, and the 发文字号 glued in front of it
    ("某某区管委会办公室关于印发《某某实施方案》的通知\n发文字号：\n岚综管办〔2022〕44号\n"
     "岚综管办〔2022〕44号各片区管理局，区直各单位：\n《某某实施方案》已经研究同意，现印发给你们。\n一、各片区要按时完成排查。\n",
     {"recipients": ["各片区管理局", "区直各单位"]}),
    # a 、-list of bodies that each stand on their own is several recipients; a later 各-part
    # naming only a kind of body (国务院各部委、各直属机构) shares the first's owner
    ("某某区管委会关于开展环境整治的实施意见\n区直各单位、各片区开发管理局，各乡镇人民政府、各有关单位：\n"
     "一、各单位要按时完成整治。\n",
     {"recipients": ["区直各单位", "各片区开发管理局", "各乡镇人民政府", "各有关单位"]}),
    ("某某市药品监督管理局关于开展药品流通整治的通知\n局机关各处室、各分局：\n一、各分局要按时完成检查。\n",
     {"recipients": ["局机关各处室、各分局"]}),
    # later departments named without a place share the first one's (各区民政局、财政局);
    # a 各-collective of a kind of body (各处室、局属单位) is two recipients
    ("某某市民政局 某某市财政局关于发放临时补贴的通知\n各区民政局、财政局，某某市房管局、水务局：\n一、各区要及时发放。\n",
     {"recipients": ["各区民政局、财政局", "某某市房管局、水务局"]}),
    ("某某片区管理局关于开展垃圾分类的通知\n各处室、局属单位，各村委会：\n一、各村要做好分类。\n",
     {"recipients": ["各处室", "局属单位", "各村委会"]}),
    # ...also kinds of department, party offices, mass organisations (部门, 委, 联, 会, 社),
    # and after 有关市(州); 市场监管局 names a market, not a city of its own
    ("某省教育厅等五部门关于开展安全教育的通知\n各市（州）教育主管部门、党委宣传部、市场监管局、妇联、总工会，"
     "有关市（州）财政局、人社局：\n一、各地要做好安全教育。\n",
     {"recipients": ["各市（州）教育主管部门、党委宣传部、市场监管局、妇联、总工会", "有关市（州）财政局、人社局"]}),
    ("教育部等五部门关于加强学校卫生工作的意见\n各省、自治区、直辖市教育厅（教委），新疆生产建设兵团教育局、发展改革委、财政局：\n"
     "一、各地要加强学校卫生工作。\n",
     {"recipients": ["各省、自治区、直辖市教育厅（教委）", "新疆生产建设兵团教育局、发展改革委、财政局"]}),
    # the number glued before the title line (a crawler's headline): the title is what follows
    ("某县政办发〔2017〕88号 某县人民政府办公室关于印发《某县奖励办法》的通知\n某县政办发〔2017〕88号\n各镇人民政府:\n"
     "现将《某县奖励办法》印发给你们。\n某县人民政府办公室\n2017年8月4日\n",
     {"title": "某县人民政府办公室关于印发《某县奖励办法》的通知", "issuer": "某县人民政府办公室",
      "doc_number": "某县政办发〔2017〕88号"}),
    # a 公文 in the 主旨 / 說明 form: letterhead (issuer, kind), 發文日期, a Republic of China number
    ("檔 號:\n保存年限:\n某某部 書函\n受文者：某某部\n發文日期：中華民國113年7月31日\n發文字號：台財促字第11325523390號\n"
     "主旨：本部自即日起至113年9月30日止受理申請，請查照。\n說明：\n一、依補助要點規定辦理。\n二、請於旨揭期限內函本部申請補助。\n",
     {"issuer": "某某部", "doc_number": "台財促字第11325523390號", "issued_on": "2024-07-31", "doc_type": "书函"}),
    # a 决议 is a document type; its title set on three lines
    ("全国人民代表大会常务委员会\n关于批准某部发行特别国债及\n调整2007年末国债余额限额的决议\n"
     "（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）\n会议决定：批准国务院提请审议的事项。\n",
     {"title": "全国人民代表大会常务委员会关于批准某部发行特别国债及调整2007年末国债余额限额的决议", "doc_type": "决议"}),
    # a title broken before its last word, set letter-spaced, above the 主送 line
    ("中共某某市委组织部\n某组通字〔2018〕39号\n中共某某市委组织部\n关于开展纪念建党97周年系列活动的\n通      知\n"
     "各县（市、区）委组织部：\n为纪念建党97周年，现就开展系列活动通知如下。\n一、各地要召开座谈会。\n",
     {"title": "中共某某市委组织部关于开展纪念建党97周年系列活动的通知"}),
    # a database export's field line read as the title keeps no label; a Party group signs
    ("法规名称：某某市民政局召开民政业务会报实施要点\n一、为加强业务联系，特订定本要点。\n二、会报每二个月召开一次。\n",
     {"title": "某某市民政局召开民政业务会报实施要点"}),
    ("某省扶贫和移民工作局党组关于印发《作风建设实施方案》的通知\n各处室：\n现将《作风建设实施方案》印发给你们，请认真贯彻执行。\n",
     {"issuer": "某省扶贫和移民工作局党组"}),
    # 秘书处 …印发 is the printing date, not the 成文日期
    ("某某市会议纪要\n一、会议议定事项。各部门要抓好落实。\n某某市人民政府秘书处 2023年1月6日印发\n",
     {"issued_on": None}),
])
def test_metadata_shapes(text, want, rules):
    meta = _meta_of_text(text, rules)
    for k, v in want.items():
        assert meta.get(k) == v, (k, meta.get(k))


@pytest.mark.parametrize("text, want", [
    # the issuer's name on the line above a report's title
    ("某某市某某区人民政府\n2024年政府信息公开工作年度报告\n一、总体情况\n2024年，本区持续推进政务公开。\n",
     {"title": "某某市某某区人民政府2024年政府信息公开工作年度报告", "issuer": "某某市某某区人民政府"}),
    # a title broken mid-phrase, and a qualifier on its own line
    ("某某保险分支机构高级管理人员\n任职资格考试管理办法\n（试行）\n第一条 为规范考试管理，制定本办法。\n",
     {"title": "某某保险分支机构高级管理人员任职资格考试管理办法（试行）"}),
    # a law database's header: labelled lines, a compact date
    ("法規名稱：某某條例\n法規類別：行政\n修正日期：20190417\n\n第 1 條\n本條例依某某法制定之。\n",
     {"title": "某某條例", "issued_on": "2019-04-17"}),
])
def test_metadata_header_shapes(text, want, rules):
    meta = _meta_of_text(text, rules)
    for k, v in want.items():
        assert meta.get(k) == v, (k, meta.get(k))


def test_roc_calendar_dates():
    assert parse_date("民國108年4月17日") == "2019-04-17"


def test_a_sentence_ending_in_a_colon_is_not_the_recipients(rules):
    text = ("关于促进房地产业良性循环的若干措施\n为深入贯彻落实决策部署，坚持房子是用来住的定位，支持刚性住房需求，"
            "促进房地产业健康发展，进一步完善工作措施，提出如下工作措施：\n一、优化土地供应。各县区要合理安排供地。\n")
    assert _meta_of_text(text, rules)["recipients"] == []


@pytest.mark.parametrize("text, want", [
    ("某某银保监局办公室关于做好突发事件信息报告\n工作的通知\n各银行：\n一、高度重视。各单位要指定专人负责。\n",
     "某某银保监局办公室关于做好突发事件信息报告工作的通知"),
    ("某某电力市场计量管理实施细则\n（连续试运行V2.0）\n1.总述\n各单位应当按本细则执行。\n",
     "某某电力市场计量管理实施细则（连续试运行V2.0）"),
    ("郧某区人民政府关于分解落实2023年区政府工作目标任务的通知\n索引号\n一、各单位要抓好落实。\n",
     "郧某区人民政府关于分解落实2023年区政府工作目标任务的通知"),
])
def test_title_continuations(text, want, rules):
    assert _meta_of_text(text, rules)["title"] == want


def test_doc_number_from_an_attachment_named_after_the_document(rules):
    text = ("关于开展政务公开专项行动的通知\n各部门：\n一、加强组织领导。各部门要明确责任人。\n综合管理部\n2020年7月6日\n"
            "附件：\n某管秘〔2020〕15号 关于开展政务公开专项行动的通知 .doc\n")
    assert _meta_of_text(text, rules)["doc_number"] == "某管秘〔2020〕15号"


def test_joint_signatories_printed_without_a_separator_are_split():
    """Several signatories on one line with no space (a PDF or page that lost it), or two
    per line: each is an issuer; the first signatory is the issuer."""
    from pipeline import process_text

    text = ("关于做好房屋安全管理工作的通知\n各区住房和城乡建设部门：\n现将有关事项通知如下。\n"
            "一、加强排查。\n"
            "某市住房城乡建设管理委某市房屋管理局某市自然资源确权登记局\n2021年6月1日\n")
    meta = process_text(text)["document"]
    assert meta["issuers"] == ["某市住房城乡建设管理委", "某市房屋管理局", "某市自然资源确权登记局"]
    assert meta["issuer"] == "某市住房城乡建设管理委"
    text2 = text.replace("某市住房城乡建设管理委某市房屋管理局某市自然资源确权登记局",
                         "某市发展和改革委员会 某市公安局\n某市商务委员会 某市体育局")
    assert process_text(text2)["document"]["issuers"] == ["某市发展和改革委员会", "某市公安局", "某市商务委员会", "某市体育局"]


def test_nine_signatories_one_per_line_all_sign_and_the_first_is_the_issuer():
    """Joint notices of many departments sign one per line above the date; a co-signer's
    letterhead over the title does not make it the issuer (the first signatory leads)."""
    from pipeline import process_text

    names = ["某市商务局", "某市经济和信息化局", "某市人力资源和社会保障局", "某市住房和城乡建设委员会",
             "某市城市管理委员会", "某市市场监督管理局", "某市城市管理综合行政执法局", "某市消防救援局",
             "国家税务总局某市税务局"]
    text = ("关于印发促进餐饮业发展若干措施的通知\n各相关单位：\n《关于促进餐饮业发展的若干措施》已经市政府同意，现印发你们，请认真贯彻落实。\n"
            + "\n".join(names) + "\n2025年9月26日\n关于促进餐饮业发展的若干措施\n一、简化装修施工许可。\n")
    meta = process_text(text)["document"]
    assert meta["issuers"] == names
    assert meta["issuer"] == "某市商务局"
    letterhead = ("某市体育局\n关于印发《扩大消费若干措施》的通知\n某发改规范〔2025〕7号\n市政府各部门：\n"
                  "《扩大消费若干措施》已经市政府同意，现印发给你们。\n"
                  "某市发展和改革委员会 某市公安局\n某市商务委员会 某市体育局\n2025年11月6日\n")
    meta = process_text(letterhead)["document"]
    assert meta["issuer"] == "某市发展和改革委员会"


def test_a_short_name_in_the_title_gives_way_to_the_signatures_full_name():
    from pipeline import process_text

    meta = process_text("某市政府关于加强户籍管理的决定\n各区人民政府：\n现决定如下。\n某市人民政府\n2014年5月16日\n")["document"]
    assert meta["issuer"] == "某市人民政府"


def test_a_site_validity_label_is_not_part_of_the_title():
    from pipeline import process_text

    meta = process_text("[已废止]某市人民政府办公室关于加强房地产市场监管的通知\n各区人民政府：\n现通知如下。\n")["document"]
    assert meta["title"] == "某市人民政府办公室关于加强房地产市场监管的通知"
    assert meta["issuer"] == "某市人民政府办公室"


def test_a_page_headline_naming_the_enclosed_document_is_the_notices_title():
    """A web page whose body opens with the enclosed measures (the notice has no title
    line of its own): the headline 某市商务局等5部门印发《<those measures>》的通知 is the title."""
    from pipeline import process_file

    html = ("<html><head><title>某市商务局等5部门印发《关于促进餐饮业发展的若干措施》的通知</title></head><body>"
            "<div class='content'><p>某商生字〔2025〕1号</p><p>各相关单位：</p>"
            "<p>《关于促进餐饮业发展的若干措施》已经市政府同意，现印发给你们，请认真贯彻落实。</p>"
            "<p>关于促进餐饮业发展的若干措施</p><p>一、简化装修施工许可。办理时限压缩至3个工作日。</p>"
            "<p>二、加大金融支持。对符合条件的企业给予贴息。</p></div></body></html>")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "page.html"
        p.write_text(html, encoding="utf-8")
        meta = process_file(p)["document"]
    assert meta["title"] == "某市商务局等5部门印发《关于促进餐饮业发展的若干措施》的通知"
    assert meta["doc_type"] == "通知"


def test_a_page_section_marker_above_the_title_is_not_part_of_it(rules):
    """头部 (the page's header marker) stands alone above the title of a crawled page: the
    cleaner drops it instead of reading it as the first line of a two-line title."""
    from pipeline.process import analyse, ingest

    text = ("头部\n某某市机关事务管理局转发某某省机关事务管理局关于做好办公用房统计工作的通知\n"
            "各镇(乡)人民政府、市直各有关单位：\n一、各单位要按时完成统计报告工作。\n")
    meta = analyse(ingest(text.encode("utf-8"), "x.txt", rules), rules).meta
    assert meta["title"] == "某某市机关事务管理局转发某某省机关事务管理局关于做好办公用房统计工作的通知"
    assert meta["issuer"] == "某某市机关事务管理局"


def test_a_crawled_notice_keeps_its_joint_signature_above_the_enclosed_plan(rules):
    """A crawled page joins the notice's last sentence, its joint signatories and the date, and
    the enclosed plan's title on one line: the signature is cut out of it and kept (short lines
    before the plan's body are otherwise page furniture), so every signatory signs and the
    date is the 成文日期."""
    text = ("各片区管理局，区直各单位：为进一步规范企业内设加油站点监管工作，建立长效管理机制，经研究，现将《企业内设加油站点"
            "报备工作方案》印发给你们，请遵照执行，各单位要按照职责分工抓好落实，确保各项工作措施落到实处，切实规范企业内设"
            "加油站点的建设和运营管理，坚决防范和遏制各类安全生产事故发生，保障人民群众生命财产安全和社会大局稳定。 某某区经济发展局 某某区公安局 某某区市场监督管理局 2023年3月22日企业内设加油站点报备"
            "工作方案 为贯彻落实有关整改要求，进一步规范企业内设加油站点监管工作，制定本方案。一、工作措施（一）建立报备制度。"
            "各片区要做好报备工作，督促辖区企业如实报备内设加油站点的设立情况、油品来源和使用情况。\n")
    meta = _meta_of_text(text, rules)
    assert meta["issued_on"] == "2023-03-22"
    assert meta["issuers"] == ["某某区经济发展局", "某某区公安局", "某某区市场监督管理局"]


def _cleaned_meta(text: str, rules) -> dict:
    """The metadata of a TXT page after junk removal (the run-on splits these tests need)."""
    from pipeline.process import analyse, ingest

    return analyse(ingest(text.encode("utf-8"), "x.txt", rules), rules).meta


def test_a_crawled_joint_title_keeps_its_first_signatory_from_the_page_headline(rules):
    """A crawler's page puts the breadcrumb, a joint title (甲会 乙局关于…) and the date on one
    line; splitting it leaves 甲会 among the short lines of page furniture. The page's
    标题 field holds the whole title; every signatory signs, a people's organisation
    (联合会) included, and the signatory whose place prefix is long (某某综合实验区) is cut
    from the one glued after it."""
    title = "某某综合实验区残疾人联合会 某某综合实验区财政金融局关于印发《助学项目实施方案》的通知"
    text = (f"标题: {title}\n发布时间: 2021-06-18 16:36\n文号: \n发布机构: 某某综合实验区残疾人联合会\n栏目: 部门文件\n"
            "原文链接: https://www.example.gov.cn/zwgk/t20210730_27369.htm\n"
            "==================== 正文 ====================\n"
            f"当前位置： 首页政务公开最新文件部门文件 {title} 时间：2021-06-18 16:36 微信 微博 QQ空间 某残联〔2021〕14号"
            " 关于印发《助学项目实施方案》的通知 各片区管理局、区社会事业发展服务中心：现将《助学项目实施方案》印发给你们，请结合实际，"
            "抓好贯彻落实。 某某综合实验区残疾人联合会 某某综合实验区财政金融局某某综合实验区社会事业局 2021年6月17日 "
            "助学项目实施方案 为加大对学前特殊教育支持，减轻残疾人家庭的经济负担，帮助学前教育阶段残疾儿童解决就学难的问题，制定本方案。"
            " 一、 项目资助对象资助对象为在政府有关部门审批的具有办学资质的学前教育机构接受教育的家庭经济困难残疾儿童。"
            " 二、 项目实施流程各片区要做好资助对象的摸底工作，每年10月30日前将资助资金发放给受助残疾儿童的监护人。\n")
    meta = _cleaned_meta(text, rules)
    assert match_view(meta["title"]).replace(" ", "") == \
        "某某综合实验区残疾人联合会某某综合实验区财政金融局关于印发《助学项目实施方案》的通知"
    assert meta["issuers"] == ["某某综合实验区残疾人联合会", "某某综合实验区财政金融局", "某某综合实验区社会事业局"]
    assert meta["issuer"] == "某某综合实验区残疾人联合会"


def test_an_office_signing_by_its_short_name_is_a_joint_signatory():
    """省某某办 省财政厅 on the signature line: two signatories, the 办 one first."""
    from pipeline import process_text

    text = ("各市（州）发改委、财政局：\n现将《专项资金申报指南》印发给你们，请认真组织申报。\n"
            "省振兴办 省财政厅\n2017年12月12日\n")
    meta = process_text(text)["document"]
    assert meta["issuers"] == ["省振兴办", "省财政厅"]
    assert meta["issuer"] == "省振兴办"


def test_a_bureau_named_by_its_short_form_in_the_title_is_the_signatorys_full_name():
    """某区安监局关于… signed 某区安全生产监督管理局: the issuer is the full name; a different
    bureau signing is not taken for the title's issuer."""
    from pipeline import process_text

    text = "某区安监局关于开展隐患排查的通知\n各乡镇安监站：\n现就有关事项通知如下。\n某区安全生产监督管理局\n2015年6月3日\n"
    assert process_text(text)["document"]["issuer"] == "某区安全生产监督管理局"
    other = text.replace("某区安全生产监督管理局", "某区应急管理局")
    assert process_text(other)["document"]["issuer"] == "某区安监局"


def test_a_joint_title_with_a_space_before_about_names_both_issuers(rules):
    """甲局 乙局 关于… in the page's headline (a space before 关于 too), 乙局关于… in the body, no
    signature: the title is the headline's, both bodies issue it and the first is the issuer."""
    title = "某某区农业农村局 某某区自然资源与生态环境局 关于印发《大棚房问题回头看方案》的通知"
    text = (f"标题: {title}\n发布时间: 2021-06-25 10:00\n发布机构: 某某区农业农村局\n"
            "==================== 正文 ====================\n"
            "某某区自然资源与生态环境局关于印发《大棚房问题回头看方案》的通知\n"
            "各片区管理局：\n现将《大棚房问题回头看方案》印发给你们，请认真贯彻落实。\n一、各片区要全面开展排查。\n")
    meta = _cleaned_meta(text, rules)
    assert match_view(meta["title"]).replace(" ", "") == match_view(title).replace(" ", "")
    assert meta["issuers"] == ["某某区农业农村局", "某某区自然资源与生态环境局"]
    assert meta["issuer"] == "某某区农业农村局"


def test_a_title_set_on_four_lines_keeps_its_middle_lines(rules):
    """Issuer / 关于印发…与… / …建设2020年 / 重点任务清单的通知: all four lines are the title (the
    short middle lines are not page furniture)."""
    text = ("网站无障碍\n首页 > 政府信息公开\n某市人民政府办公室\n关于印发某市与某州、某县\n共同推进城市群建设2020年\n"
            "重点任务清单的通知\n各县区人民政府，市政府有关部门：\n《重点任务清单》已经市政府同意，现印发给你们，请认真组织实施。\n"
            "2020年10月9日\n")
    meta = _cleaned_meta(text, rules)
    assert meta["title"] == "某市人民政府办公室关于印发某市与某州、某县共同推进城市群建设2020年重点任务清单的通知"
    assert meta["issuer"] == "某市人民政府办公室"


def test_a_signature_glued_to_the_last_sentence_of_a_crawled_notice(rules):
    """…请认真抓好贯彻落实。某市人民政府2023年9月5日（此件公开发布）某市储备粮管理办法第一章…: the
    signature is cut out (成文日期, issuer), and the 主送 names keep their bracketed alias."""
    body = "".join(f"第{n}条 市粮食和物资储备局负责市级储备粮的行政管理，会同市财政局按年核定储存费用补贴。" for n in "一二三四五六七八")
    text = ("各县、自治县、区人民政府（管委会），市政府各工作部门：现将《某市储备粮管理办法》印发给你们，请认真抓好贯彻落实。"
            f"某市人民政府2023年9月5日（此件公开发布）某市储备粮管理办法第一章  总则{body}\n")
    meta = _cleaned_meta(text, rules)
    assert meta["issued_on"] == "2023-09-05"
    assert meta["issuer"] == "某市人民政府"
    assert meta["recipients"] == ["各县、自治县、区人民政府（管委会）", "市政府各工作部门"]


def test_a_signature_date_followed_by_the_enclosed_titles_year_is_cut_there(rules):
    """…贯彻落实。 某某片区管理局 2023年4月7日 2023年农村生活垃圾分类工作方案 为…: the date line ends
    at the date, so it is the 成文日期 (not the next day's publication)."""
    body = "为持续推进辖区内农村生活垃圾分类工作，结合实际，制定本方案。一、工作目标 各村要在6月底前完成分类设施建设。" * 6
    text = ("标题: 某某片区管理局关于印发《2023年农村生活垃圾分类工作方案》的通知\n发布时间: 2023-04-08 10:00\n"
            "==================== 正文 ====================\n"
            "各处室，各村（居）：现将《2023年农村生活垃圾分类工作方案》印发给你们，请结合工作实际，认真抓好贯彻落实。 "
            f"某某片区管理局 2023年4月7日 2023年农村生活垃圾分类工作方案 {body}\n")
    meta = _cleaned_meta(text, rules)
    assert meta["issued_on"] == "2023-04-07"
    assert meta["date_source"] == "signature"


def test_a_title_that_opens_with_its_issuers_name(rules):
    """某县人民政府森林禁火令 | (a page headline with its separator), no signature: the title is
    kept (禁火令 is a kind of document) and its issuer read from it; 某市人民政府督查室关于… is
    the office's, not the government's."""
    from pipeline import process_text

    meta = process_text("某县人民政府森林禁火令 |\n当前森林防火已进入特险期，县政府决定发布森林禁火令。\n"
                        "一、禁火期内严禁携带火种进入林区。\n")["document"]
    assert (meta["title"], meta["issuer"], meta["doc_type"]) == ("某县人民政府森林禁火令", "某县人民政府", "禁火令")
    meta = process_text("某市人民政府督查室关于开展人居环境整治专项督查的通知\n各乡镇：\n一、各乡镇要开展自查。\n")["document"]
    assert meta["issuer"] == "某市人民政府督查室"


def test_a_signature_year_earlier_than_the_document_numbers_places_dates_in_the_numbers_year():
    """岚综管办〔2015〕69号 signed 2014年4月16日 (a slip): the record keeps the signature as
    written, but 5月底前 is read in 2015, the year the number was given."""
    from pipeline import process_text

    text = ("某区管委会办公室关于印发网上公开试点工作方案的通知\n某综管办〔2015〕69号\n各部门：\n"
            "一、确定权力清单。各部门要在5月底前完成权力清单的确定工作。\n某区管委会办公室\n2014年4月16日\n")
    r = process_text(text)
    assert r["document"]["issued_on"] == "2014-04-16"
    [task] = r["tasks"]
    assert [d["date"] for d in task["deadlines"]] == ["2015-05-31"]


def test_a_crawled_headline_gives_way_to_the_notices_own_title_line_naming_its_issuer(rules):
    """The page shows the headline 关于…的通知 and, after the 发文字号, the notice's own title line
    某某局关于…的通知: the title is the one that names its issuer."""
    from pipeline import process_text

    text = ("关于印发《整改方案》的通知\n某管〔2020〕12号\n某某片区管理局关于印发《整改方案》的通知\n各村居：\n"
            "现将《整改方案》印发给你们，请认真抓好落实。\n一、各村要在2020年底前完成整改。\n")
    meta = process_text(text)["document"]
    assert meta["title"] == "某某片区管理局关于印发《整改方案》的通知"
    assert meta["issuer"] == "某某片区管理局"


def test_a_page_headline_naming_the_enclosed_document_without_quotes_is_the_notices_title(rules):
    """标题: 某办公室关于印发某某考评管理办法的通知 over a body that opens with the 主送 line and
    the enclosed 办法 (no title line of the notice's own): the headline is the title."""
    text = ("标题: 某区管委会办公室关于印发某区专项资金考评管理办法的通知\n发布时间: 2023-05-30 09:43\n"
            "发布机构: 某区管委会办公室\n栏目: 区管委会办公室文件\n"
            "==================== 正文 ====================\n"
            "各片区管理局，区直各单位：\n《某区专项资金考评管理办法》已经研究同意，现印发给你们，请认真贯彻执行。\n"
            "某区管委会办公室\n2023年5月30日\n某区专项资金考评管理办法\n第一条 为规范专项资金管理，制定本办法。\n")
    meta = _cleaned_meta(text, rules)
    assert meta["title"] == "某区管委会办公室关于印发某区专项资金考评管理办法的通知"


def test_the_notice_title_line_naming_its_issuer_wins_over_the_crawled_headline(rules):
    """A crawled page: its headline (关于…的通知), the site's widgets, then the notice's own
    title line, set on two lines, naming the issuer: that line is the title."""
    from pipeline.process import ingest

    text = ("关于印发2018年政务公开工作任务实施方案的通知\n发文字号：\n某财〔2018〕170号\n微博 QQ空间\n全真版\n文字版\n"
            "文件下载\n某财〔2018〕170号\n某县财政局关于印发2018年政务公开工作任务实施方案\n的通知\n"
            "局机关各股室：\n现将方案印发给你们，请认真贯彻执行。\n一、各股室要及时公开预算信息。\n")
    meta = analyse(ingest(text.encode("utf-8"), "page.txt", rules), rules).meta
    assert meta["title"] == "某县财政局关于印发2018年政务公开工作任务实施方案的通知"
    assert meta["issuer"] == "某县财政局"


def test_an_addressee_line_run_into_the_body_is_no_title(rules):
    """区直各单位:为贯彻落实《…关于…的通知》…: the 主送 line with the body after it quotes a
    notice's title; it is not this document's title."""
    from pipeline.process import ingest

    text = ("标题: 某县农业农村局关于印发某补助资金项目实施方案的函\n发布时间: 2022-07-01 09:00\n"
            "==================== 正文 ====================\n"
            "区直各单位:为贯彻落实《某省人民政府办公厅关于推动远洋渔业发展的通知》，现将方案印发给你们。\n"
            "某县农业农村局2022年6月30日\n一、各单位要按时申报补助资金。\n")
    meta = analyse(ingest(text.encode("utf-8"), "page.txt", rules), rules).meta
    assert meta["title"] == "某县农业农村局关于印发某补助资金项目实施方案的函"


def test_a_signed_date_wins_over_a_bare_date_line_under_the_title(rules):
    # a copied page puts its own date under the title; the notice is signed at its end
    doc = _doc(["某市新型冠状病毒感染的肺炎防控应急指挥部通告（第三号）", "2020年1月26日",
                "为全力做好防控工作，现就有关事项通告如下：", "一、取消全市一切群体性集会活动。",
                "某市新型冠状病毒感染的肺炎防控应急指挥部", "2020年1月25日"])
    meta = analyse(doc, rules).meta
    assert meta["issued_on"] == "2020-01-25" and meta["issuer"] == "某市新型冠状病毒感染的肺炎防控应急指挥部"
    assert meta["doc_number"] == "第三号"


def test_the_bodys_own_title_naming_its_issuer_wins_over_the_pages_title_field(rules):
    # a crawl's header gives 标题: 关于分解…任务; the body's title, set on two lines, names the issuer
    text = ("标题: 关于分解2012年纠风三项重点工作任务\n发布时间: 2012-10-17 15:02\n文号: \n发布机构: 某县\n栏目: 部门文件\n"
            "原文链接: https://www.example.gov.cn/zwgk/201210/t20121017_919.htm\n本地目录: zwgk/201210/919\n"
            "页面链接与图片详见 links.tsv(同目录)\n==================== 正文 ====================\n"
            "某县国土资源局关于\n分解2012年纠风三项重点工作任务\n各相关科室：\n"
            "按照实施意见的要求，现将涉及我局的纠风工作任务分解如下。\n"
            "一、坚决纠正违规用地问题\n严厉查处违规用地行为。（牵头单位：执法监察大队）\n某县国土资源局\n二〇一二年九月六日")
    assert _meta_of_text(text, rules)["title"] == "某县国土资源局关于分解2012年纠风三项重点工作任务"


def _meta_of_text(text: str, rules) -> dict:
    """The metadata of a TXT document, ingested and cleaned as the pipeline does."""
    from pipeline.process import ingest

    return analyse(ingest(text.encode("utf-8"), "x.txt", rules), rules).meta


def test_a_joint_signature_on_one_line_signs_for_each_body(rules):
    """某局 某局 2022年6月30日: two signatories on the date's line, the first issues."""
    text = ("某某区财政金融局 某某区行政审批局关于印发奖补申报指南的通知\n各有关单位：\n现将申报指南印发给你们，请遵照执行。\n"
            "某某区财政金融局 某某区行政审批局 2022年6月30日\n")
    meta = _meta_of_text(text, rules)
    assert meta["issued_on"] == "2022-06-30"
    assert meta["issuer"] == "某某区财政金融局"
    assert meta["issuers"] == ["某某区财政金融局", "某某区行政审批局"]


def test_recipients_field_after_the_body(rules):
    """A 公文 in the 主旨 form names its recipients after the body (正本：…), wrapped over
    lines by the page and with the 副本 field glued to its end (corpus 1324, 1397)."""
    text = ("財政部 書函\n主旨：請貴機關派員參加研習會，請查照。\n說明：\n一、請於113年7月10日前完成報名。\n"
            "正本：內政部、外交部、國防部、教育部、法務部、經濟部、交通部、文化部、衛生福\n"
            "利部、勞動部、各直轄市及縣市政府副本：財政部賦稅署\n")
    meta = _meta_of_text(text, rules)
    assert meta["recipients"] == ["內政部", "外交部", "國防部", "教育部", "法務部", "經濟部", "交通部", "文化部",
                                  "衛生福利部", "勞動部", "各直轄市及縣市政府"]
    assert meta["cc"] == ["財政部賦稅署"]


def test_places_named_in_full_with_no_body_after_them(rules):
    """Places each named in full are so many recipients; kinds of places share what follows."""
    text = ("某市人民政府办公室关于做好防汛工作的通知\n各县、市、区人民政府，某某经开区、某某高新区，各镇、街道：\n"
            "各单位要按照要求抓好落实。\n")
    assert _meta_of_text(text, rules)["recipients"] == ["各县、市、区人民政府", "某某经开区", "某某高新区", "各镇、街道"]
