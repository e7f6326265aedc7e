#!/usr/bin/env python3
"""Regenerate the test-corpus renditions from the seed texts.

Inputs : corpus/raw/seeds/<stem>.txt   (the user's scraped example documents, kept as given)
Outputs: corpus/raw/seeds/<stem>.html  realistic government web page (site furniture + metadata table)
         corpus/raw/seeds/<stem>.docx  official-document (GB/T 9704 style) layout, python-docx
         corpus/raw/seeds/<stem>.pdf   that DOCX converted by LibreOffice (+ one overprinted heading)
         corpus/raw/seeds/gb18030/<stem>.txt  the seed text encoded as GB18030
         corpus/raw/tables/003_taskplan_table.{html,docx,pdf}  seed 003's tasks as a task table

Usage:   python tools/render_corpus.py [--skip-pdf] [--no-verify]

The PDFs need LibreOffice (`soffice`) and the TrueType CJK fonts of Debian's
fonts-arphic-uming, fonts-arphic-ukai and fonts-wqy-zenhei (pdfplumber cannot read some
CFF-based CJK fonts). The DOCX files name the usual 公文 fonts (仿宋_GB2312, 黑体, 楷体_GB2312,
方正小标宋简体); a private fontconfig file maps them to those TrueType fonts for the conversion.

The body text of every rendition is the seed's text as written (mojibake, dropped characters
and half-width punctuation included), minus the seed's own site-junk lines, so that the gold
file of a stem applies to all its renditions. Site furniture (navigation, share widgets,
footer, identifiers) is synthetic. Metadata cells are filled only from what the text states.
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "corpus" / "raw" / "seeds"
GB_DIR = SEED_DIR / "gb18030"
TABLE_DIR = ROOT / "corpus" / "raw" / "tables"
TASK_TABLE_STEM = "003_taskplan_table"

# 公文 fonts named in the DOCX, and the installed TrueType fonts LibreOffice uses for them.
FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
FONT_MAP = {
    FANGSONG: "AR PL UMing CN",
    SONGTI: "AR PL UMing CN",
    XIAOBIAOSONG: "AR PL UMing CN",
    HEITI: "WenQuanYi Zen Hei",
    KAITI: "AR PL UKai CN",
}
# Colour that marks the heading to overprint (fake bold); set back to black in the PDF.
FAKE_BOLD_MARK = RGBColor(0x01, 0x01, 0x01)
FAKE_BOLD_OFFSET = (0.35, 0.0)   # points; the second copy of the glyphs is drawn this far away

L1 = re.compile(r"^[一二三四五六七八九十]+、")
L2 = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
L3 = re.compile(r"^\d+[、.．]")
CN_NUM = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------
# Seed descriptions: where the body starts and ends, and what the text says about itself
# --------------------------------------------------------------------------------------
@dataclass
class Site:
    name: str                      # site name shown in the banner and <title>
    host: str                      # fictitious host used in links
    nav: list[str]                 # main navigation bar
    toplinks: list[str]            # small links above the banner
    breadcrumb: list[str]          # 首页 > … (the last item is the column)
    sponsor: str                   # 主办单位
    site_code: str                 # 网站标识码 (synthetic)
    icp: str                       # ICP备案 (synthetic)
    police: str                    # 公网安备 (synthetic)
    phone: str
    content_class: str             # class of the content div (id is always "zoom")
    heading_markup: str            # "strong" | "h" | "span": how the CMS marks headings
    breadcrumb_label: str = "您当前所在位置："
    traditional: bool = False      # page furniture in traditional characters (繁體 mode)


@dataclass
class SeedSpec:
    stem: str
    title: str                     # the document title as the seed writes it
    body_first: str                # first body line (prefix of the stripped line)
    body_last: str                 # last body line (prefix; searched from the end)
    site: Site
    meta: dict[str, str]           # 索引号 发布机构 发文字号 成文日期 发布日期 (blank = unknown)
    info_line: str = ""            # the article info line under the title
    recipient: str = ""            # 主送机关 line
    subtitles: set[str] = field(default_factory=set)      # centred lines inside the body
    right: set[str] = field(default_factory=set)          # right-aligned lines (signature, date)
    split_right: dict[str, list[str]] = field(default_factory=dict)  # one line (spaces collapsed) → signature, date
    captions: set[str] = field(default_factory=set)       # centred table captions
    table_start: str = ""          # first cell of a flattened statistics table
    attachments: list[str] = field(default_factory=list)  # attachment links (HTML only)
    auto_numbering: bool = False   # DOCX headings/items numbered by numbering.xml
    fake_bold: str = ""            # heading overprinted in the PDF
    page_header: str = ""          # running header of the PDF
    issuer: str = ""               # for the DOCX core properties


NANCHANG_NAV = ["首页", "政务公开", "政务服务", "互动交流", "数据开放", "走进南昌"]
NANCHANG_TOP = ["国务院@你", "赣服通", "南昌发布", "微信公众号", "媒体矩阵", "手机WAP", "小洪同学", "英文版", "政务邮箱"]

SEEDS: list[SeedSpec] = [
    SeedSpec(
        stem="000_616882cabf01649c",
        title="南昌市人民政府辦公室關于印發2021年南昌市政務公開工作方案的通知",
        body_first="各縣(區)人民政府、開發區管委會、灣里管理局,市政府各部門:",
        body_last="各縣(區)、各部門要根據本工作方案",
        site=Site(name="南昌市人民政府", host="www.nc.gov.example", nav=NANCHANG_NAV, toplinks=NANCHANG_TOP,
                  breadcrumb=["首頁", "政務公開", "南昌市政府信息公開", "政府信息公開制度"],
                  breadcrumb_label="您當前所在位置: ", sponsor="南昌市人民政府办公厅",
                  site_code="3601000000", icp="赣ICP备00000000号", police="赣公网安备 36010002000000号",
                  phone="0791-00000000", content_class="TRS_Editor", heading_markup="strong",
                  traditional=True),
        meta={"索引号": "", "发布机构": "南昌市人民政府辦公室", "发文字号": "", "成文日期": "2021-06-04",
              "发布日期": ""},
        recipient="各縣(區)人民政府、開發區管委會、灣里管理局,市政府各部門:",
        subtitles={"2021年南昌市政務公開工作方案"},
        right={"2021年6月4日"},
        issuer="南昌市人民政府辦公室",
    ),
    SeedSpec(
        stem="001_71262d750d9eb121",
        title="龙江县人民政府办公室 关于印发《龙江县全面推进 政务公开工作实施意见》的通知",
        body_first="龙江县全面推进政务公开工作实施意见",
        body_last="龙江县政府办公室",
        site=Site(name="龙江县人民政府网", host="www.longjiang.gov.example", toplinks=["欢迎访问龙江县人民政府网", "设为首页", "加入收藏"],
                  nav=["首页", "走进龙江", "政务公开", "政务服务", "互动交流", "专题专栏"],
                  breadcrumb=["首页", "政务公开", "政策文件"], sponsor="龙江县人民政府办公室",
                  site_code="2302210000", icp="黑ICP备00000000号", police="黑公网安备 23022102000000号",
                  phone="0452-0000000", content_class="wzcon", heading_markup="span"),
        meta={"索引号": "", "发布机构": "龙江县人民政府办公室", "发文字号": "", "成文日期": "",
              "发布日期": "2017-07-28"},
        info_line="发布时间:2017-07-28",
        subtitles={"龙江县全面推进政务公开工作实施意见"},
        split_right={"龙江县政府办公室 2017725": ["龙江县政府办公室", "2017725"]},
        fake_bold="一、全面推进政务公开工作的总体要求",
        issuer="龙江县人民政府办公室",
    ),
    SeedSpec(
        stem="002_be06cf5f2f6cd198",
        title="2018年南昌市政府信息公开工作年报",
        body_first="本年报是根据",
        body_last="424",
        site=Site(name="南昌市人民政府", host="www.nc.gov.example", nav=NANCHANG_NAV, toplinks=NANCHANG_TOP,
                  breadcrumb=["首页", "政务公开", "政府信息公开年报"], sponsor="南昌市人民政府办公厅",
                  site_code="3601000000", icp="赣ICP备00000000号", police="赣公网安备 36010002000000号",
                  phone="0791-00000000", content_class="TRS_Editor", heading_markup="h"),
        meta={"索引号": "", "发布机构": "南昌市政府信息公开工作领导小组办公室", "发文字号": "", "成文日期": "",
              "发布日期": ""},
        captions={"南昌市政府信息公开情况统计表", "2018年度)"},
        table_start="统 计 指 标",
        page_header="2018年南昌市政府信息公开工作年报",
        issuer="南昌市政府信息公开工作领导小组办公室",
    ),
    SeedSpec(
        stem="003_2f6965311e0af134",
        title="关于开展政务公开“六提六促”专项行动的通知",
        body_first="各部门、江北公司,各派驻单位:",
        body_last="专项行动分为两个阶段",
        site=Site(name="安徽省江北产业集中区管理委员会", host="www.jbjzq.gov.example", toplinks=["无障碍", "长者模式", "登录", "注册"],
                  nav=["首页", "集中区概况", "新闻中心", "政务公开", "招商引资", "互动交流"],
                  breadcrumb=["首页", "政务公开", "政策文件", "其他文件"], sponsor="安徽省江北产业集中区管委会",
                  site_code="3402000000", icp="皖ICP备00000000号", police="皖公网安备 34020202000000号",
                  phone="0553-0000000", content_class="j-fontContent newscontnet", heading_markup="strong"),
        meta={"索引号": "", "发布机构": "省江北产业集中区", "发文字号": "江北管秘〔2020〕15号", "成文日期": "",
              "发布日期": "2020-07-06"},
        info_line="发布时间:2020-07-06 08:50 信息来源: 省江北产业集中区 阅读次数: 编辑:综合管理部",
        recipient="各部门、江北公司,各派驻单位:",
        attachments=["江北管秘〔2020〕15号 关于开展政务公开“六提六促”专项行动的通知 .doc",
                     "江北管秘〔2020〕15号 关于开展政务公开“六提六促”专项行动的通知 _20200804095408.pdf"],
        auto_numbering=True,
        issuer="省江北产业集中区",
    ),
    SeedSpec(
        stem="004_faeede1183fd7fea",
        title="2021 年政务公开工作要点印发,以人民为中心深化政务公开",
        body_first="各省、自治区、直辖市人民政府,国务院各部委、各直属机构:",
        body_last="各地区、各部门要把这些要点的落实情况",
        site=Site(name="中国政府网", host="www.gov.example", toplinks=["国务院", "总理", "新闻", "政策", "互动", "服务", "数据", "国情"],
                  nav=["首页", "政策", "最新", "国务院政策文件库", "政策解读", "政府信息公开"],
                  breadcrumb=["首页", "政务公开", "政策文件", "国务院文件"], sponsor="国务院办公厅",
                  site_code="bm01000000", icp="京ICP备00000000号", police="京公网安备 11010202000000号",
                  phone="010-00000000", content_class="pages_content", heading_markup="span"),
        meta={"索引号": "", "发布机构": "国务院办公厅", "发文字号": "", "成文日期": "2021-04-09",
              "发布日期": ""},
        recipient="各省、自治区、直辖市人民政府,国务院各部委、各直属机构:",
        subtitles={"2021年政务公开工作要点"},
        right={"国务院办公厅", "2021 年 4 月 9 日"},
        issuer="国务院办公厅",
    ),
]


# --------------------------------------------------------------------------------------
# Seed text → blocks (shared by the HTML and DOCX renditions)
# --------------------------------------------------------------------------------------
@dataclass
class Block:
    kind: str          # title subtitle recipient h p right caption label table
    text: str = ""
    level: int = 0     # heading level 1..3 (h) or run-in heading level (p)
    runin: str = ""    # run-in heading prefix of a paragraph ("（一）指导思想。")
    raw: str = ""      # the seed line as written (leading spaces kept)
    header: list[str] = field(default_factory=list)       # table header cells
    rows: list[dict] = field(default_factory=list)        # table rows


def read_seed(spec: SeedSpec) -> str:
    return (SEED_DIR / f"{spec.stem}.txt").read_bytes().decode("utf-8")


def body_lines(spec: SeedSpec, text: str) -> list[str]:
    """The seed's lines from the first to the last body line (site junk outside dropped)."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith(spec.body_first))
    end = next(i for i in range(len(lines) - 1, -1, -1) if lines[i].strip().startswith(spec.body_last))
    return lines[start:end + 1]


def line_groups(lines: list[str]) -> list[list[str]]:
    """Runs of consecutive non-blank lines."""
    groups, cur = [], []
    for ln in lines:
        if ln.strip():
            cur.append(ln)
        elif cur:
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    return groups


def collapse(text: str) -> str:
    return " ".join(text.split())


def classify(spec: SeedSpec, raw: str) -> list[Block]:
    text = raw.strip()
    if collapse(text) in spec.split_right:
        return [Block("right", part, raw=raw) for part in spec.split_right[collapse(text)]]
    if text == spec.recipient:
        return [Block("recipient", text, raw=raw)]
    if text in spec.subtitles:
        return [Block("subtitle", text, raw=raw)]
    if text in spec.right:
        return [Block("right", text, raw=raw)]
    if text in spec.captions:
        return [Block("caption", text, raw=raw)]
    if text == "附件":
        return [Block("label", text, raw=raw)]
    short = len(text) <= 40 and "。" not in text[:-1]
    for level, pat in ((1, L1), (2, L2), (3, L3)):
        if pat.match(text):
            if short and not (level == 3 and len(text) > 25):
                return [Block("h", text, level=level, raw=raw)]
            runin = ""
            stop = text.find("。")
            if level < 3 and 0 < stop < 30:
                runin = text[:stop + 1]
            return [Block("p", text, level=level, runin=runin, raw=raw)]
    return [Block("p", text, raw=raw)]


def parse_stat_table(groups: list[list[str]]) -> Block | None:
    """Rebuild a flattened statistics table (one cell per line) as rows of
    indicator | unit | value. Returns None when the cells do not fit that shape."""
    cells = ["\n".join(g) for g in groups]
    header, cells = [c.strip() for c in cells[:3]], cells[3:]
    if header != ["统 计 指 标", "单位", "统计数"]:
        return None
    is_value = lambda c: re.fullmatch(r"\d+|——", c.strip()) is not None  # noqa: E731
    is_unit = lambda c: c.strip() in {"件", "条", "次", "个", "人", "人次", "万元"}  # noqa: E731
    rows, i = [], 0
    while i < len(cells):
        ind = cells[i]
        if is_value(ind) or is_unit(ind):
            return None
        unit = ""
        if i + 1 < len(cells) and is_unit(cells[i + 1]):
            unit, i = cells[i + 1].strip(), i + 1
        if i + 1 >= len(cells) or not is_value(cells[i + 1]):
            return None
        lines = ind.split("\n")
        indent = len(lines[0]) - len(lines[0].lstrip(" "))
        rows.append({"indicator": "".join(ln.strip() for ln in lines), "unit": unit,
                     "value": cells[i + 1].strip(), "indent": indent, "lines": [ln.strip() for ln in lines]})
        i += 2
    return Block("table", header=header, rows=rows)


def seed_blocks(spec: SeedSpec) -> list[Block]:
    groups = line_groups(body_lines(spec, read_seed(spec)))
    blocks: list[Block] = []
    for gi, group in enumerate(groups):
        if spec.table_start and group[0].strip() == spec.table_start:
            table = parse_stat_table(groups[gi:])
            if table is not None:
                blocks.append(table)
                break
        for raw in group:
            blocks.extend(classify(spec, raw))
    return blocks


# --------------------------------------------------------------------------------------
# HTML rendition
# --------------------------------------------------------------------------------------
PAGE = string.Template("""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${page_title_text}_${site_name}</title>
<meta name="SiteName" content="$site_name">
<meta name="SiteDomain" content="$host">
<meta name="SiteIDCode" content="$site_code">
<meta name="ColumnName" content="$column">
<meta name="ArticleTitle" content="$page_title_text">
<meta name="PubDate" content="$pubdate">
<meta name="ContentSource" content="$source">
<link rel="stylesheet" type="text/css" href="/images/common.css">
<link rel="stylesheet" type="text/css" href="/images/article.css">
<style type="text/css">
body{margin:0;font:14px/1.8 "Microsoft YaHei","微软雅黑",SimSun,sans-serif;color:#333;background:#f4f4f4}
.topbar{height:32px;line-height:32px;background:#f0f0f0;border-bottom:1px solid #ddd;font-size:12px}
.topbar a{margin:0 8px;color:#666}
.header{height:120px;background:#b5121b url(/images/banner.jpg) no-repeat center}
.header .logo{float:left;margin:30px 0 0 40px;font-size:32px;color:#fff}
.header .search{float:right;margin:45px 40px 0 0}
.nav ul{margin:0;padding:0;list-style:none;background:#9c0f17;height:44px}
.nav li{float:left;width:16.6%;text-align:center;line-height:44px}
.nav li a{color:#fff;font-size:16px}
.position{width:1100px;margin:12px auto;font-size:13px}
.xxgk-info{width:1060px;margin:0 auto;border:1px solid #d8d8d8;background:#fafafa;padding:10px 20px}
.xxgk-info table{width:100%;border-collapse:collapse}
.xxgk-info th{width:90px;text-align:right;font-weight:normal;color:#555}
.article{width:1060px;margin:10px auto;background:#fff;padding:30px 20px}
.article h1{font-size:24px;text-align:center;color:#000;line-height:1.6}
.article-info{text-align:center;color:#888;font-size:13px;border-bottom:1px dashed #ccc;padding-bottom:10px}
#zoom{font-size:16px;line-height:2;text-align:justify}
#zoom p{margin:0 0 10px 0}
#zoom table{border-collapse:collapse;margin:0 auto}
#zoom td{border:1px solid #000;padding:2px 6px}
.share{margin-top:30px;text-align:right;color:#666;font-size:13px}
.footer{background:#eee;border-top:3px solid #b5121b;text-align:center;font-size:12px;color:#555;padding:20px 0;line-height:24px}
</style>
<script type="text/javascript" src="/js/jquery-1.11.3.min.js"></script>
<script type="text/javascript" src="/js/jquery.cookie.js"></script>
<script type="text/javascript">
var _hmt = _hmt || [];
(function(){var hm=document.createElement("script");hm.src="https://hm.example.invalid/hm.js?0000";
var s=document.getElementsByTagName("script")[0];s.parentNode.insertBefore(hm,s);})();
var shareTitle = "$page_title_js";
function doZoom(size){document.getElementById('zoom').style.fontSize=size+'px';}
</script>
</head>
<body>
<div class="topbar"><div class="wrap">$toplinks
  <span class="right"><a href="javascript:void(0)" id="StranLink">繁體</a> | <a href="/wza/">无障碍浏览</a> | <a href="/mobile/">手机版</a></span></div></div>
<div class="header">
  <div class="logo"><a href="/"><img src="/images/logo.png" alt="$site_name">$site_name</a></div>
  <div class="search"><form action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键词"><button type="submit">搜索</button></form></div>
</div>
<div class="nav"><ul>$nav</ul></div>
<div class="position">$breadcrumb_label$breadcrumb</div>
<div class="xxgk-info">
<table>
<tr><th>索&nbsp;引&nbsp;号：</th><td>$m_index</td><th>主题分类：</th><td></td></tr>
<tr><th>发布机构：</th><td>$m_org</td><th>成文日期：</th><td>$m_written</td></tr>
<tr><th>名　　称：</th><td colspan="3">$page_title</td></tr>
<tr><th>发文字号：</th><td>$m_number</td><th>发布日期：</th><td>$m_pub</td></tr>
</table>
</div>
<div class="article">
<h1 class="article-title">$page_title</h1>
<div class="article-info">$info_line <span>访问量:<script type="text/javascript">document.write(Math.floor(Math.random()*1000+100));</script></span>
 <span class="zoom">字体:【<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span></div>
<div id="zoom" class="$content_class">
$content
</div>
$attachments
<div class="share">
  <div class="bdsharebuttonbox"><span>分享到：</span><a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信">微信</a> <a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博">微博</a> <a href="#" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间">QQ空间</a></div>
  <div class="print"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a> <a href="#top">TOP</a></div>
  <div class="qrcode"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>
</div>
$extra_box
</div>
<div class="footer">
  <p><a href="/lxwm/">联系我们</a> | <a href="/wzdt/">网站地图</a> | <a href="/sm/">使用帮助</a> | <a href="/ys/">隐私声明</a></p>
  <p>主办单位：$sponsor　联系电话：$phone</p>
  <p>网站标识码：$site_code　<a href="https://beian.miit.gov.cn/">$icp</a>　$police</p>
  <p><a href="/jiucuo/"><img src="/images/jiucuo.png" alt="政府网站找错"></a></p>
</div>
<script type="text/javascript" src="/js/share.js"></script>
<script type="text/javascript">
window._bd_share_config={"common":{"bdText":shareTitle,"bdMini":"2","bdPic":""},"share":{}};
$$(function(){ $$("#zoom img").css("max-width","100%"); });
</script>
</body>
</html>
""")


def _s2t():
    import opencc
    return opencc.OpenCC("s2t").convert


def html_paragraph(b: Block, markup: str, indent_spaces: bool) -> str:
    e = html.escape
    lead = "&nbsp;" * 6 if indent_spaces else ""
    if b.kind in ("subtitle", "caption"):
        return f'<p style="text-align: center;"><strong>{e(b.text)}</strong></p>'
    if b.kind == "right":
        return f'<p style="text-align: right;">{e(b.text)}</p>'
    if b.kind == "recipient":
        return f"<p>{e(b.text)}</p>"
    if b.kind == "label":
        return f'<p><span style="font-family: 黑体;">{e(b.text)}</span></p>'
    if b.kind == "h":
        if markup == "h" and b.level == 1:
            return f"<h4>{e(b.text)}</h4>"
        if markup == "span":
            font = {1: "黑体", 2: "楷体", 3: "仿宋"}[b.level]
            return f'<p style="text-indent: 2em;">{lead}<span style="font-family: {font};">{e(b.text)}</span></p>'
        return f'<p style="text-indent: 2em;">{lead}<strong>{e(b.text)}</strong></p>'
    if b.runin and markup == "span":
        font = {1: "黑体", 2: "楷体"}[b.level]
        rest = b.text[len(b.runin):]
        return f'<p style="text-indent: 2em;">{lead}<span style="font-family: {font};">{e(b.runin)}</span>{e(rest)}</p>'
    return f'<p style="text-indent: 2em;">{lead}{e(b.text)}</p>'


def html_stat_table(b: Block) -> str:
    e = html.escape
    out = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="600">',
           "<tbody>",
           "<tr>" + "".join(f'<td style="text-align:center;"><p><strong>{e(h)}</strong></p></td>' for h in b.header) + "</tr>"]
    for r in b.rows:
        ind = "<br>".join(e(x) for x in r["lines"])
        pad = r["indent"] * 0.5
        out.append(f'<tr><td style="padding-left:{pad:.1f}em;"><p>{ind}</p></td>'
                   f'<td style="text-align:center;"><p>{e(r["unit"])}</p></td>'
                   f'<td style="text-align:center;"><p>{e(r["value"])}</p></td></tr>')
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def html_page(spec: SeedSpec, site: Site, content: str, attachments: str = "", extra_box: str = "",
              content_class: str = "") -> str:
    """Fill the page template; the furniture is converted to traditional for a 繁體 site,
    the document's own strings (title, breadcrumb, metadata values, body) never are."""
    e = html.escape
    conv = _s2t() if site.traditional else (lambda s: s)
    furniture = {
        "toplinks": " ".join(f'<a href="#">{e(t)}</a>' for t in site.toplinks),
        "nav": "".join(f'<li><a href="/{i}/">{e(n)}</a></li>' for i, n in enumerate(site.nav)),
    }
    template = string.Template(conv(PAGE.template))
    pub = spec.meta.get("发布日期", "")
    values = dict(
        furniture,
        site_name=e(site.name), host=site.host, site_code=site.site_code, column=e(site.breadcrumb[-1]),
        page_title=e(spec.title), page_title_text=e(spec.title), page_title_js=spec.title.replace('"', '\\"'),
        pubdate=pub, source=e(spec.meta.get("发布机构", "")),
        breadcrumb_label=e(site.breadcrumb_label),
        breadcrumb=" &gt; ".join(f'<a href="#">{e(c)}</a>' for c in site.breadcrumb),
        m_index=e(spec.meta.get("索引号", "")), m_org=e(spec.meta.get("发布机构", "")),
        m_written=e(spec.meta.get("成文日期", "")), m_number=e(spec.meta.get("发文字号", "")), m_pub=e(pub),
        info_line=f"<span>{e(spec.info_line)}</span>" if spec.info_line else "",
        content_class=content_class or site.content_class, content=content, attachments=attachments, extra_box=extra_box,
        sponsor=e(conv(site.sponsor)), phone=site.phone, icp=e(conv(site.icp)), police=e(conv(site.police)),
    )
    return template.substitute(values)


def render_html(spec: SeedSpec, blocks: list[Block]) -> Path:
    site = spec.site
    parts = []
    for b in blocks:
        if b.kind == "table":
            parts.append(html_stat_table(b))
        elif collapse(b.raw) in spec.split_right:      # the CMS keeps signature and date on one line
            if b.text == spec.split_right[collapse(b.raw)][0]:
                parts.append(f'<p style="text-align: right;">{html.escape(b.raw.strip())}</p>')
        else:
            parts.append(html_paragraph(b, site.heading_markup, indent_spaces=spec.stem.startswith("001")))
    content = "\n".join(parts)
    outer_class = site.content_class
    if site.content_class == "TRS_Editor":           # TRS CMS: editor output inside the article div
        content = f'<div class="TRS_Editor">\n{content}\n</div>'
        outer_class = "article-con"
    attachments = ""
    if spec.attachments:
        links = "\n".join(f'<li><a href="/group1/M00/{i:02d}/{quote(a)}">{html.escape(a)}</a></li>'
                          for i, a in enumerate(spec.attachments))
        attachments = f'<div class="attachments"><p>附件：</p><ul>\n{links}\n</ul></div>'
    extra = ""
    if spec.stem.startswith("003"):
        extra = ('<div class="zcwd"><h3>政策咨询 <a href="/hdjl/">我要问</a></h3>'
                 '<p>如果您对该政策文件有疑问,可以点击“我要问”在线咨询,也可以拨打标题上方的电话咨询相关部门,'
                 '或者拨打市长热线:0553-12345。</p></div>')
    out = SEED_DIR / f"{spec.stem}.html"
    out.write_text(html_page(spec, site, content, attachments, extra, outer_class), encoding="utf-8")
    return out


# --------------------------------------------------------------------------------------
# DOCX helpers (GB/T 9704 layout)
# --------------------------------------------------------------------------------------
def set_fonts(rpr_parent, east_asia: str, latin: str = LATIN) -> None:
    """Give a run / style explicit fonts, dropping the template's theme fonts."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def style_font(style, east_asia: str, size: float, bold: bool = False, latin: str = LATIN) -> None:
    set_fonts(style.element, east_asia, latin)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    color = style.element.rPr.find(qn("w:color"))
    for attr in ("w:themeColor", "w:themeShade"):
        color.attrib.pop(qn(attr), None)


def new_gongwen_document(landscape: bool = False, body_size: float = 16) -> Document:
    """A4, GB/T 9704 margins, 仿宋 3号 body with 28.9 pt exact line spacing, 公文 heading styles."""
    doc = Document()
    sec = doc.sections[0]
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Mm(297), Mm(210)
        sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(25), Mm(25), Mm(25), Mm(25)
    else:
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(22 if not landscape else 12)
    if not landscape:
        # the 公文 line grid: 22 lines a page (28.95 pt pitch)
        grid = sec._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = sec._sectPr.makeelement(qn("w:docGrid"), {})
            sec._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), "579")

    # document defaults: Chinese language, explicit fonts
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr_default.find(qn("w:rFonts")).attrib.clear()
    rpr_default.find(qn("w:rFonts")).set(qn("w:eastAsia"), FANGSONG)
    for k in ("w:ascii", "w:hAnsi", "w:cs"):
        rpr_default.find(qn("w:rFonts")).set(qn(k), LATIN)
    for tag in ("w:sz", "w:szCs"):      # default run size = body size
        rpr_default.find(qn(tag)).set(qn("w:val"), str(int(body_size * 2)))
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles["Normal"]
    style_font(normal, FANGSONG, body_size)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing = Pt(28.9 if body_size >= 16 else body_size * 1.5)
    pf.first_line_indent = Pt(body_size * 2)
    # Left, not justified: LibreOffice 7.4 drops a line-final 。 from justified CJK lines that
    # exactly fill the measure (the glyph is never drawn); CJK text is fixed-pitch anyway.
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    pf.widow_control = False

    for name, font in (("Heading 1", HEITI), ("Heading 2", KAITI), ("Heading 3", FANGSONG)):
        st = doc.styles[name]
        style_font(st, font, body_size)
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.first_line_indent = Pt(body_size * 2)
        st.paragraph_format.keep_with_next = True

    title = doc.styles["Title"]
    style_font(title, XIAOBIAOSONG, 22)
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(35)
    title.paragraph_format.space_after = Pt(28.9)
    title.element.rPr.attrib.clear()
    for el in title.element.rPr.findall(qn("w:spacing")) + title.element.rPr.findall(qn("w:kern")):
        title.element.rPr.remove(el)
    return doc


def add_text(doc_or_cell, text: str, style: str | None = None, align=None, font: str | None = None,
             size: float | None = None, first_indent: float | None = None, right_indent: float | None = None,
             runin: tuple[str, str] | None = None):
    """Add one paragraph. `runin` = (prefix, font) sets a run-in heading in its own font."""
    p = doc_or_cell.add_paragraph(style=style)
    if align is not None:
        p.alignment = align
    if first_indent is not None:
        p.paragraph_format.first_line_indent = Pt(first_indent)
    if right_indent is not None:
        p.paragraph_format.right_indent = Pt(right_indent)
    pieces = [(runin[0], runin[1]), (text[len(runin[0]):], font)] if runin else [(text, font)]
    for chunk, chunk_font in pieces:
        if not chunk:
            continue
        run = p.add_run(chunk)
        if chunk_font:
            set_fonts(run._r, chunk_font)
        if size:
            run.font.size = Pt(size)
    return p


def add_field(paragraph, instr: str, placeholder: str = "1") -> None:
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {instr} "><w:r><w:t>{placeholder}</w:t></w:r></w:fldSimple>'))


def add_page_numbers(doc: Document) -> None:
    """GB/T 9704 page numbers: 4号 宋体 “— 1 —”, odd pages right, even pages left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        r = p.add_run("— ")
        set_fonts(r._r, SONGTI)
        r.font.size = Pt(14)
        add_field(p, "PAGE")
        r = p.add_run(" —")
        set_fonts(r._r, SONGTI)
        r.font.size = Pt(14)
        for run in p._p.iter(qn("w:r")):
            rpr = run.find(qn("w:rPr"))
            if rpr is None:
                run.insert(0, parse_xml(f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" '
                                        f'w:eastAsia="{SONGTI}"/><w:sz w:val="28"/></w:rPr>'))


def add_running_header(doc: Document, text: str) -> None:
    sec = doc.sections[0]
    for header in (sec.header, sec.even_page_header):
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        r = p.add_run(text)
        set_fonts(r._r, SONGTI)
        r.font.size = Pt(10.5)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'))


def set_cell_text(cell, text: str, font: str = FANGSONG, size: float = 12, align=None, bold_font: bool = False,
                  indent: float = 0) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.left_indent = Pt(indent)
    p.paragraph_format.line_spacing = 1.0
    p.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    set_fonts(run._r, font)
    run.font.size = Pt(size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def set_col_widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths_mm):
        gc.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


# --------------------------------------------------------------------------------------
# Automatic list numbering (numbering.xml) for 一、 / （一） / 1.
# --------------------------------------------------------------------------------------
ABSTRACT_NUM_ID, NUM_ID = 90, 90
NUM_LEVELS = [  # (numFmt, lvlText, suffix, number font, lvlRestart)
    ("chineseCounting", "%1、", "nothing", HEITI, None),
    ("chineseCounting", "（%2）", "nothing", KAITI, None),
    ("decimal", "%3.", "space", FANGSONG, 0),   # 1.–12. run on across the （一）…（六） groups
]


def add_numbering_definition(doc: Document) -> int:
    """Append an abstractNum (three levels) and a num to numbering.xml; return the numId."""
    numbering = doc.part.numbering_part.element
    lvls = []
    for ilvl, (fmt, text, suff, font, restart) in enumerate(NUM_LEVELS):
        restart_xml = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
        lvls.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{restart_xml}'
            f'<w:suff w:val="{suff}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr>'
            f'<w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{font}"/></w:rPr></w:lvl>')
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{ABSTRACT_NUM_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{"".join(lvls)}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)      # schema order: all abstractNum before any num
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="{ABSTRACT_NUM_ID}"/></w:num>'))
    return NUM_ID


def set_numbering(paragraph, num_id: int, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert(1 if ppr.find(qn("w:pStyle")) is not None else 0, parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


NUMBER_PREFIX = [re.compile(r"^([一二三四五六七八九十]+)、"), re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]"),
                 re.compile(r"^(\d+)\.\s*")]


def cn_to_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s.startswith("十"):
        return 10 + (CN_NUM.index(s[1]) + 1 if len(s) > 1 else 0)
    if len(s) == 1:
        return CN_NUM.index(s) + 1
    return (CN_NUM.index(s[0]) + 1) * 10 + (CN_NUM.index(s[2]) + 1 if len(s) > 2 else 0)


def split_number(b: Block) -> tuple[int, int, str] | None:
    """(ilvl, written number, text without the number) for numbered headings and items."""
    for ilvl, pat in enumerate(NUMBER_PREFIX):
        if b.kind in ("h", "p") and (m := pat.match(b.text)):
            if ilvl < 2 and not (b.kind == "h" and b.level == ilvl + 1):
                continue
            return ilvl, cn_to_int(m.group(1)), b.text[m.end():]
    return None


# --------------------------------------------------------------------------------------
# DOCX rendition of a seed
# --------------------------------------------------------------------------------------
def render_docx(spec: SeedSpec, blocks: list[Block]) -> Path:
    doc = new_gongwen_document()
    doc.core_properties.title = spec.title
    doc.core_properties.author = spec.issuer
    add_page_numbers(doc)
    if spec.page_header:
        add_running_header(doc, spec.page_header)
    add_text(doc, spec.title, style="Title")

    num_id = add_numbering_definition(doc) if spec.auto_numbering else None
    counters = [0, 0, 0]
    previous = None
    for b in blocks:
        if b.kind == "table":
            docx_stat_table(doc, b)
        elif b.kind == "recipient":
            add_text(doc, b.text, first_indent=0)
        elif b.kind == "subtitle":
            if previous == "right":
                doc.add_paragraph()
            add_text(doc, b.text, align=WD_ALIGN_PARAGRAPH.CENTER, font=XIAOBIAOSONG, size=22, first_indent=0)
            doc.add_paragraph()
        elif b.kind == "right":
            if previous != "right":
                doc.add_paragraph()
            add_text(doc, b.text, align=WD_ALIGN_PARAGRAPH.RIGHT, first_indent=0, right_indent=64)
        elif b.kind == "caption":
            add_text(doc, b.text, align=WD_ALIGN_PARAGRAPH.CENTER, font=XIAOBIAOSONG, size=18, first_indent=0)
        elif b.kind == "label":
            p = add_text(doc, b.text, font=HEITI, first_indent=0)
            p.paragraph_format.page_break_before = True
        else:
            numbered = split_number(b) if num_id else None
            if numbered:
                ilvl, written, text = numbered
                counters[ilvl] += 1
                if ilvl == 0:
                    counters[1] = 0           # （一） restarts under each 一、; 1. never restarts
                assert counters[ilvl] == written, f"auto numbering would give {counters[ilvl]} for {b.text[:20]}"
            else:
                text = b.text
            style = f"Heading {b.level}" if b.kind == "h" else None
            runin = None
            if b.kind == "p" and b.runin:
                runin = (b.runin, HEITI if b.level == 1 else KAITI)
            p = add_text(doc, text, style=style, runin=runin)
            if numbered:
                set_numbering(p, num_id, numbered[0])
        previous = b.kind
    out = SEED_DIR / f"{spec.stem}.docx"
    doc.save(out)
    return out


def docx_stat_table(doc: Document, b: Block) -> None:
    """The statistics table: 统计指标 | 单位 | 统计数; the header row is NOT repeated on new pages."""
    table = doc.add_table(rows=1, cols=3)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, b.header):
        set_cell_text(cell, text, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    for r in b.rows:
        cells = table.add_row().cells
        set_cell_text(cells[0], r["indicator"], indent=min(r["indent"], 10) * 3)
        set_cell_text(cells[1], r["unit"], align=WD_ALIGN_PARAGRAPH.CENTER)
        set_cell_text(cells[2], r["value"], align=WD_ALIGN_PARAGRAPH.CENTER)
    set_col_widths(table, [110, 22, 24])


# --------------------------------------------------------------------------------------
# PDF rendition: LibreOffice, then the fake-bold overprint
# --------------------------------------------------------------------------------------
def fontconfig_file(workdir: Path) -> Path:
    """A private fontconfig that maps the 公文 font names to installed TrueType CJK fonts."""
    rules = "\n".join(
        f'  <match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{real}</string></edit></match>'
        for name, real in FONT_MAP.items())
    conf = workdir / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"{rules}\n</fontconfig>\n", encoding="utf-8")
    return conf


def soffice_to_pdf(docx: Path, outdir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    profile = outdir / f"lo_profile_{os.getpid()}"
    env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(outdir)))
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    pdf = outdir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice produced no PDF for {docx}")
    return pdf


def mark_fake_bold(docx: Path, heading: str, out: Path) -> None:
    """Copy of the DOCX whose heading runs carry the marker colour."""
    doc = Document(str(docx))
    hits = [p for p in doc.paragraphs if p.text.strip() == heading]
    if len(hits) != 1:
        raise RuntimeError(f"fake-bold heading {heading!r} found {len(hits)} times")
    for run in hits[0].runs:
        run.font.color.rgb = FAKE_BOLD_MARK
    doc.save(out)


def overprint_marked_text(pdf_in: Path, pdf_out: Path) -> int:
    """Draw every text object painted in the marker colour a second time, shifted by
    FAKE_BOLD_OFFSET (the fake bold of Chinese typesetting systems); paint both in black.
    Returns the number of text objects doubled."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, FloatObject, NumberObject

    mark = FAKE_BOLD_MARK[0] / 255
    is_mark = lambda ops: len(ops) == 3 and all(abs(float(v) - mark) < 1e-4 for v in ops)  # noqa: E731
    reader = PdfReader(str(pdf_in))
    writer = PdfWriter(clone_from=reader)
    doubled = 0
    for page in writer.pages:
        content = ContentStream(page.get_contents(), writer)
        new_ops, buf, marked, in_text = [], [], False, False
        for operands, op in content.operations:
            if op == b"rg" and is_mark(operands):
                operands = [NumberObject(0), NumberObject(0), NumberObject(0)]
                marked = True
            elif op == b"rg":
                marked = False
            new_ops.append((operands, op))
            if marked and op == b"BT":
                in_text, buf = True, []
            if in_text:
                buf.append((operands, op))
            if in_text and op == b"ET":
                dx, dy = FAKE_BOLD_OFFSET
                new_ops += [([], b"q"),
                            ([NumberObject(1), NumberObject(0), NumberObject(0), NumberObject(1),
                              FloatObject(dx), FloatObject(dy)], b"cm"),
                            ([NumberObject(0), NumberObject(0), NumberObject(0)], b"rg")]
                new_ops += buf
                new_ops.append(([], b"Q"))
                in_text, doubled = False, doubled + 1
        if doubled:
            content.operations = new_ops
            page.replace_contents(content)
    writer.write(str(pdf_out))
    return doubled


def render_pdf(docx: Path, out: Path, fake_bold: str = "") -> Path:
    with tempfile.TemporaryDirectory(prefix="render_corpus_") as tmp:
        tmp = Path(tmp)
        source = tmp / docx.name
        if fake_bold:
            mark_fake_bold(docx, fake_bold, source)
        else:
            shutil.copy(docx, source)
        pdf = soffice_to_pdf(source, tmp)
        if fake_bold:
            if overprint_marked_text(pdf, out) == 0:
                raise RuntimeError(f"no marked text found to overprint in {out.name}")
        else:
            shutil.copy(pdf, out)
    return out


# --------------------------------------------------------------------------------------
# GB18030 rendition
# --------------------------------------------------------------------------------------
def render_gb18030(spec: SeedSpec) -> Path:
    GB_DIR.mkdir(parents=True, exist_ok=True)
    out = GB_DIR / f"{spec.stem}.txt"
    out.write_bytes(read_seed(spec).encode("gb18030"))
    return out


# --------------------------------------------------------------------------------------
# Task-table fixture from seed 003
# --------------------------------------------------------------------------------------
TASK_DEADLINES = {12: "收到留言咨询之日起3个工作日内"}    # the only task whose text states a time limit
DEFAULT_DEADLINE = "长期坚持"
TASK_HEADER = ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
MERGE_UNITS = (4, 5)      # consecutive tasks with the same unit: one vertically merged 责任单位 cell


def seed003_tasks(spec: SeedSpec) -> tuple[list[Block], list[dict]]:
    """Seed 003's numbered tasks as rows, with their group headings.
    Returns (intro blocks: recipient + first paragraph, rows). A row is either
    {"group": text} or {"no", "task", "detail", "unit", "deadline"}."""
    blocks = seed_blocks(spec)
    intro = [b for b in blocks[:2]]
    rows: list[dict] = []
    for b in blocks:
        if b.kind == "h" and b.level == 2:
            rows.append({"group": b.text})
        elif b.kind == "p" and (m := re.match(r"^(\d+)\.\s*(.*)$", b.text)):
            no, text = int(m.group(1)), m.group(2)
            at = text.rfind("责任单位")
            opening = text[at - 1]
            unit = text[at + len("责任单位") + 1:]
            closing = {"(": ")", "（": "）", "〔": "〕"}[opening]
            if unit.endswith(closing):
                unit = unit[:-1]
            rows.append({"no": no, "task": text[:at - 1], "detail": "", "unit": unit,
                         "deadline": TASK_DEADLINES.get(no, DEFAULT_DEADLINE)})
        elif b.kind == "p" and b.text.startswith("任务分工"):
            rows[-1]["detail"] = re.sub(r"^任务分工[:：]", "", b.text)
    tasks = [r for r in rows if "no" in r]
    assert [r["no"] for r in tasks] == list(range(1, 13)), "seed 003 should number tasks 1–12"
    a, b = (next(r for r in tasks if r["no"] == n) for n in MERGE_UNITS)
    assert a["unit"] == b["unit"] and rows.index(b) == rows.index(a) + 1
    return intro, rows


def render_table_html(spec: SeedSpec, intro: list[Block], rows: list[dict]) -> Path:
    e = html.escape
    out = ['<table border="1" cellspacing="0" cellpadding="4" width="100%" style="border-collapse:collapse;">',
           "<tbody>",
           "<tr>" + "".join(f'<td style="text-align:center;"><strong>{e(h)}</strong></td>' for h in TASK_HEADER) + "</tr>"]
    for r in rows:
        if "group" in r:
            out.append(f'<tr><td colspan="5"><strong>{e(r["group"])}</strong></td></tr>')
            continue
        unit_cell = f'<td style="text-align:center;">{e(r["unit"])}</td>'
        if r["no"] == MERGE_UNITS[0]:
            unit_cell = f'<td rowspan="2" style="text-align:center;">{e(r["unit"])}</td>'
        elif r["no"] == MERGE_UNITS[1]:
            unit_cell = ""
        out.append(f'<tr><td style="text-align:center;">{r["no"]}</td><td>{e(r["task"])}</td>'
                   f'<td>{e(r["detail"])}</td>{unit_cell}<td style="text-align:center;">{e(r["deadline"])}</td></tr>')
    out += ["</tbody>", "</table>"]
    content = "\n".join([html_paragraph(b, "strong", False) for b in intro] + out)
    page = html_page(spec, spec.site, content)
    TABLE_DIR.mkdir(parents=True, exist_ok=True)
    path = TABLE_DIR / f"{TASK_TABLE_STEM}.html"
    path.write_text(page, encoding="utf-8")
    return path


def render_table_docx(spec: SeedSpec, intro: list[Block], rows: list[dict]) -> Path:
    """Landscape task ledger; header row not repeated; group rows merged across; 4–5 share one unit cell."""
    doc = new_gongwen_document(landscape=True)
    doc.core_properties.title = spec.title
    doc.core_properties.author = spec.issuer
    add_page_numbers(doc)
    add_text(doc, spec.title, style="Title")
    for b in intro:
        add_text(doc, b.text, first_indent=0 if b.kind == "recipient" else None)
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=5)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, TASK_HEADER):
        set_cell_text(cell, text, font=HEITI, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    merge_top = None
    for r in rows:
        cells = table.add_row().cells
        if "group" in r:
            merged = cells[0].merge(cells[4])
            set_cell_text(merged, r["group"], font=KAITI, size=14)
            continue
        set_cell_text(cells[0], str(r["no"]), align=WD_ALIGN_PARAGRAPH.CENTER)
        set_cell_text(cells[1], r["task"])
        set_cell_text(cells[2], r["detail"])
        set_cell_text(cells[4], r["deadline"], align=WD_ALIGN_PARAGRAPH.CENTER)
        if r["no"] == MERGE_UNITS[0]:
            merge_top = cells[3]
            set_cell_text(cells[3], r["unit"], align=WD_ALIGN_PARAGRAPH.CENTER)
        elif r["no"] == MERGE_UNITS[1]:
            merge_top.merge(cells[3])
        else:
            set_cell_text(cells[3], r["unit"], align=WD_ALIGN_PARAGRAPH.CENTER)
    set_col_widths(table, [14, 90, 78, 38, 27])
    TABLE_DIR.mkdir(parents=True, exist_ok=True)
    path = TABLE_DIR / f"{TASK_TABLE_STEM}.docx"
    doc.save(path)
    return path


# --------------------------------------------------------------------------------------
# Verification (pdfplumber / python-docx)
# --------------------------------------------------------------------------------------
FOOTER_LINE = re.compile(r"^[—–-]\s*\d+\s*[—–-]$")


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def pdf_text(pdf: Path, dedupe: bool = True, header: str = "") -> str:
    import pdfplumber
    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            page = page.dedupe_chars() if dedupe else page
            for line in (page.extract_text() or "").splitlines():
                if FOOTER_LINE.match(line.strip()) or (header and line.strip() == header):
                    continue
                out.append(line)
    return squash("".join(out))


def verify_pdf_body(pdf: Path, paragraphs: list[str], header: str = "") -> list[str]:
    text = pdf_text(pdf, header=header)
    missing = [p for p in paragraphs if squash(p) not in text]
    problems = []
    if not text:
        problems.append(f"{pdf.name}: pdfplumber read no text")
    elif missing:
        problems.append(f"{pdf.name}: {len(missing)}/{len(paragraphs)} paragraphs not found, e.g. {missing[0][:40]!r}")
    return problems


def verify_fake_bold(pdf: Path, heading: str) -> list[str]:
    import pdfplumber
    doubled = "".join(c * 2 for c in heading)
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            raw = page.extract_text() or ""
            if doubled in squash(raw):
                clean = squash(page.dedupe_chars().extract_text() or "")
                if heading in clean and doubled not in clean:
                    return []
                return [f"{pdf.name}: dedupe_chars() does not undo the doubled heading"]
    return [f"{pdf.name}: doubled heading {doubled[:12]!r}… not found"]


def table_pages(pdf: Path, first_cell: str) -> tuple[list[int], bool]:
    """Pages holding a ruled table; and whether a continuation page repeats the header row."""
    import pdfplumber
    pages, repeated = [], False
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            tables = page.find_tables()
            if tables:
                pages.append(page.page_number)
                first = (tables[0].extract() or [[None]])[0]
                if pages[0] != page.page_number and squash(first[0] or "") == squash(first_cell):
                    repeated = True
    return pages, repeated


def verify_table_crosses_page(pdf: Path, first_cell: str) -> list[str]:
    pages, repeated = table_pages(pdf, first_cell)
    problems = []
    if len(pages) < 2 or pages[1] != pages[0] + 1:
        problems.append(f"{pdf.name}: table does not run across a page break (pages {pages})")
    if repeated:
        problems.append(f"{pdf.name}: header row repeated on a continuation page")
    return problems


def verify_docx(path: Path, want_numbering: bool, want_table: bool) -> list[str]:
    doc = Document(str(path))
    problems = []
    styles = {p.style.name for p in doc.paragraphs}
    if not styles & {"Heading 1", "Heading 2", "Heading 3"} and not want_table:
        problems.append(f"{path.name}: no heading styles")
    if want_table and not doc.tables:
        problems.append(f"{path.name}: no table")
    if want_numbering:
        numbered = [p for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
        xml = doc.part.numbering_part.element.xml
        if not numbered or "chineseCounting" not in xml or "%1、" not in xml:
            problems.append(f"{path.name}: automatic numbering missing")
        if any(L1.match(p.text) or re.match(r"^\d+\.", p.text) for p in numbered):
            problems.append(f"{path.name}: visible numbers left in numbered paragraphs")
    return problems


def verify_faithful(name: str, texts: list[str], seed: str) -> list[str]:
    """Every text of a rendition is in the seed (whitespace aside): nothing invented."""
    seed = squash(seed)
    extra = [t for t in texts if squash(t) not in seed]
    return [f"{name}: {len(extra)} text(s) not in the seed, e.g. {extra[0][:40]!r}"] if extra else []


def verify_html(path: Path, texts: list[str], want_table: bool) -> list[str]:
    from lxml import html as lhtml
    tree = lhtml.fromstring(path.read_bytes())
    zoom = tree.get_element_by_id("zoom")
    body = squash(zoom.text_content())
    problems = []
    missing = [t for t in texts if squash(t) not in body]
    if missing:
        problems.append(f"{path.name}: {len(missing)} paragraph(s) missing from #zoom, e.g. {missing[0][:40]!r}")
    if want_table and not zoom.findall(".//table"):
        problems.append(f"{path.name}: no <table> in the content")
    page = squash(tree.text_content())
    for label in ("索引号", "发布机构", "发文字号", "成文日期", "发布日期", "扫一扫在手机打开当前页", "网站标识码"):
        if label not in page and _s2t()(label) not in page:
            problems.append(f"{path.name}: furniture {label} missing")
    return problems


def docx_cell_texts(path: Path) -> list[str]:
    return [c.text for t in Document(str(path)).tables for row in t.rows for c in row.cells if c.text.strip()]


def docx_paragraph_texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-pdf", action="store_true", help="do not run LibreOffice")
    ap.add_argument("--no-verify", action="store_true", help="skip the checks of the outputs")
    args = ap.parse_args(argv)

    problems: list[str] = []
    made: list[Path] = []
    for spec in SEEDS:
        blocks = seed_blocks(spec)
        made.append(render_html(spec, blocks))
        docx = render_docx(spec, blocks)
        made += [docx, render_gb18030(spec)]
        if not args.skip_pdf:
            made.append(render_pdf(docx, SEED_DIR / f"{spec.stem}.pdf", spec.fake_bold))

    spec003 = next(s for s in SEEDS if s.stem.startswith("003"))
    intro, rows = seed003_tasks(spec003)
    made.append(render_table_html(spec003, intro, rows))
    table_docx = render_table_docx(spec003, intro, rows)
    made.append(table_docx)
    if not args.skip_pdf:
        made.append(render_pdf(table_docx, TABLE_DIR / f"{TASK_TABLE_STEM}.pdf"))

    for path in made:
        print(path.relative_to(ROOT))
    if args.no_verify:
        return 0

    for spec in SEEDS:
        docx = SEED_DIR / f"{spec.stem}.docx"
        problems += verify_docx(docx, spec.auto_numbering, bool(spec.table_start))
        texts = docx_paragraph_texts(docx)
        problems += verify_faithful(docx.name, texts + docx_cell_texts(docx), read_seed(spec))
        problems += verify_html(SEED_DIR / f"{spec.stem}.html", texts[1:], bool(spec.table_start))
        assert (GB_DIR / f"{spec.stem}.txt").read_bytes().decode("gb18030") == read_seed(spec)
        if args.skip_pdf:
            continue
        pdf = SEED_DIR / f"{spec.stem}.pdf"
        in_tables = {c.text for t in Document(str(docx)).tables for row in t.rows for c in row.cells}
        paras = [t for t in docx_paragraph_texts(docx) if t not in in_tables and t != spec.fake_bold]
        problems += verify_pdf_body(pdf, paras, spec.page_header)
        if spec.fake_bold:
            problems += verify_fake_bold(pdf, spec.fake_bold)
        if spec.table_start:
            problems += verify_table_crosses_page(pdf, "统计指标")
    problems += verify_docx(table_docx, False, True)
    table_html = TABLE_DIR / f"{TASK_TABLE_STEM}.html"
    problems += verify_html(table_html, [b.text for b in intro] + [r["task"] for r in rows if "task" in r], True)
    if 'rowspan="2"' not in table_html.read_text(encoding="utf-8"):
        problems.append(f"{table_html.name}: no merged 责任单位 cell")
    tbl_xml = Document(str(table_docx)).tables[0]._tbl.xml
    if "w:vMerge" not in tbl_xml or "w:gridSpan" not in tbl_xml:
        problems.append(f"{table_docx.name}: merged cells missing")
    if not args.skip_pdf:
        table_pdf = TABLE_DIR / f"{TASK_TABLE_STEM}.pdf"
        problems += verify_pdf_body(table_pdf, [spec003.title] + [b.text for b in intro])
        problems += verify_table_crosses_page(table_pdf, "序号")

    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    print("verified" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
