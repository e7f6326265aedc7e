"""Find the tasks of a document in its section tree (rules: rules/tasks.yml).

A task owns a span of its own text and may share spans with sibling tasks: the
``牵头单位：`` lines after an item with inline 一是…二是… parts, or one closing
parenthesis that names the units of all parts, apply to every part.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..model import Document
from ..normalize import match_view
from ..rules import RuleSet, register_schema, rule_list_schema
from ..structure import Node, classify, inline_styles
from . import units as units_mod

register_schema(
    "tasks.yml",
    rule_list_schema(
        {
            "kind": {"enum": ["skip_section", "action", "obligation_paragraph", "end_of_body",
                              "report_title", "plan_section", "report_problem", "report_remedy", "flat_exclude",
                              "condition_item", "standing_title", "standing_duty", "closing_clause",
                              "division_heading", "field_line", "duty_lead_in"]},
            "pattern": {"type": "string"},
        },
        required=("name", "kind", "pattern"),
    ),
)


@dataclass
class Task:
    path: list[str]
    start: int
    end: int
    shared: list[tuple[int, int]] = field(default_factory=list)
    origin: str = "item"          # item | inline | paragraph | table
    row: dict | None = None       # for table tasks: column name → (start, end)

    def spans(self) -> list[tuple[int, int]]:
        return [(self.start, self.end), *self.shared]


def _patterns(rules: RuleSet, kind: str) -> list[re.Pattern]:
    return [rules.regex(r["pattern"]) for r in rules.rules("tasks.yml") if r["kind"] == kind]


_FLAT_MIN_CHARS = 30


def end_of_body_patterns(rules: RuleSet) -> list[re.Pattern]:
    """Signature, date, 抄送 lines: where a body ends."""
    return _patterns(rules, "end_of_body")


def _any(pats, text) -> bool:
    return any(p.search(text) for p in pats)


def is_report(doc: Document, view: str, rules: RuleSet, title: str | None = None) -> bool:
    """A report (年度报告, 总结, 通报) describes the past: its title says so."""
    report = _patterns(rules, "report_title")
    # without a title line, the first lines stand for it; a numbered or bulleted one is a
    # section of the body (• 上次会议决议执行情形报告), not the document naming itself
    heads = [match_view(title)] if title else [v for b in doc.blocks[:5]
                                               if not classify(v := view[b.start:b.end].strip(), rules)]
    return any(_any(report, h) for h in heads)


def is_standing(title: str | None, rules: RuleSet) -> bool:
    """A standing rule (条例, 办法, 细则 … by its title, rules/tasks.yml standing_title)."""
    return bool(title) and _any(_patterns(rules, "standing_title"), match_view(title or ""))


def find_tasks(doc: Document, root: Node, rules: RuleSet, title: str | None = None) -> list[Task]:
    view = match_view(doc.text)
    report_doc = is_report(doc, view, rules, title)
    plan = _patterns(rules, "plan_section")
    remedy = _patterns(rules, "report_remedy")
    skip = _patterns(rules, "skip_section")
    action = _patterns(rules, "action")
    obligation = _patterns(rules, "obligation_paragraph")
    # In a standing rule (条例, 办法, 细则) an article is a task only when it states a duty
    # (应当, 不得, 负责…); articles that describe or define are the rule's content.
    standing = is_standing(title, rules)
    general_action = action
    if standing:
        duty = _patterns(rules, "standing_duty")
        action = [re.compile("|".join(f"(?:{p.pattern})" for p in duty))] if duty else action
    end_body = _patterns(rules, "end_of_body")
    flat_exclude = _patterns(rules, "flat_exclude")
    condition = _patterns(rules, "condition_item")
    inline = inline_styles(rules)
    short_names = units_mod.document_short_names(view, rules)

    def bview(i):
        b = doc.blocks[i]
        return view[b.start:b.end]

    # The body ends at the first signature / date / 抄送 line after the last heading.
    cut = len(doc.blocks)
    last_heading = max((n.block for n in root.walk() if n.block is not None), default=-1)
    for i in range(last_heading + 1, len(doc.blocks)):
        if doc.blocks[i].kind != "table_row" and _any(end_body, bview(i)):
            cut = i
            break

    tasks: list[Task] = []
    unit_items = _unit_items(doc, root, view, rules)
    for node in root.walk():
        if id(node) in unit_items:
            continue      # （三）责任单位：…: names the units of the items before it
        if node.style == "attachment" and not node.children:
            # an attachment's name, or a form with no numbered items; but a division of
            # duties (省教育厅负责…, one paragraph per unit) assigns work
            for i in node.body:
                v = bview(i)
                if doc.blocks[i].kind != "table_row" and (_any(obligation, v) or _unit_duty(v, rules)) \
                        and _any(action, v) and not _any(end_body, v):
                    tasks.extend(_tasks_of_group(doc, node, [(i, False)], view, rules, inline, action,
                                                 origin="paragraph"))
            continue
        headings = [match_view(x) for x in node.path()]
        titles = [match_view(n.title) for n in _lineage(node)]
        if any(p.match(t) for p in skip for t in titles) and not _assigned_leaf(doc, node, view, rules):
            continue  # a preamble, unless a numbered item under it names its units
        if report_doc and not any(_any(plan, h) for h in headings) \
                and not any(_any(remedy, bview(i)) for i in [*([node.block] if node.block is not None else []), *node.body[:4]]):
            continue      # a report's past work, unless the item states its remedy (整改措施：…)
        if node.block is not None and not node.children and not node.body and _any(condition, bview(node.block)):
            continue  # （二）有组织的考场作弊行为的；
        if _attachment_name(node, bview):
            continue  # 附件：1.申报表 ⏎ 2.项目类别表: the list names attachments
        if node.block is None and not report_doc and all(c.style == "attachment" and not c.children for c in node.children):
            # A document with no numbered items at all (its attachments aside): every
            # substantial action paragraph is an item (a notice and the measures it issues).
            for i in node.body:
                v = bview(i)
                if (doc.blocks[i].kind != "table_row" and len(v) >= _FLAT_MIN_CHARS and _any(action, v)
                        and not _any(flat_exclude, v) and not _any(end_body, v)):
                    tasks.extend(_tasks_of_group(doc, node, [(i, False)], view, rules, inline, action,
                                                 origin="paragraph"))
            continue
        body = [i for i in node.body if i < cut and doc.blocks[i].kind != "table_row"]
        if node.block is None or node.children:
            # Outside any item, or an item with sub-items: only paragraphs that state an
            # obligation of their own (各部门要…, 电网企业负责…) are tasks.
            lead_in = _duty_lead_in(doc, node, view, rules, short_names)
            for g in _group(doc, body, rules, bview, view):
                first = bview(g[0][0])
                if lead_in is not None and doc.blocks[g[0][0]].start == lead_in[0]:
                    continue    # the unit's duties are the items below it
                if (_any(obligation, first) or _unit_duty(first, rules)) and _any(action, first):
                    tasks.extend(_tasks_of_group(doc, node, g, view, rules, inline, action, origin="paragraph"))
            continue
        blocks = [node.block, *body]
        # an enumerated item under an article that states the duty (使用单位应当履行下列义务：)
        # inherits it
        item_action = action
        if standing and _in_duty_list(doc, node, bview, _patterns(rules, "duty_lead_in")):
            item_action = [_ANY_TEXT]        # every item of a list of duties is a duty
        elif standing and any(_any(action, bview(n.block)) for n in _lineage(node)[1:]):
            item_action = general_action
        groups = _group(doc, blocks, rules, bview, view)
        # （二）核安会：⏎1.…⏎2.…: a unit heading over numbered duties assigns each of them
        heading_unit = _unit_heading(doc, node.parent, view, rules, short_names)
        items_unit = _bracket_over_items(doc, groups, view, rules, inline)
        for n, g in enumerate(groups):
            first = bview(g[0][0])
            if n > 0 and not (_any(action, first) or _closes_with_units(doc, g, view, rules)):
                continue
            if n == 0 and len(groups) > 1 and (items_unit is not None or len(g) == 1 and not _has_body(first)):
                continue  # a bare heading whose items follow as paragraphs
            tasks.extend(_tasks_of_group(doc, node, g, view, rules, inline, item_action, origin="item",
                                         heading_unit=heading_unit if n == 0 else items_unit, known=short_names))
    if report_doc:
        problem = _patterns(rules, "report_problem")
        tasks = [t for t in tasks if not _any(problem, view[t.start:t.end])]
    closing = _patterns(rules, "closing_clause")   # 本措施自发布之日起施行…由X负责解释
    tasks = [t for t in tasks if not _any(closing, view[t.start:t.end])]
    if title:       # the document's title line (repeated by a crawled page) is no task
        own = match_view(title).replace(" ", "")
        tasks = [t for t in tasks if view[t.start:t.end].replace(" ", "").strip() != own]
    tasks.sort(key=lambda t: t.start)
    _share_unit_items(doc, view, rules, tasks, unit_items)
    _scope_duty_lists(doc, view, rules, tasks)
    _share_group_bracket(view, rules, tasks)
    _share_group_closing(view, rules, tasks)
    return tasks


_ANY_TEXT = re.compile(r"\S")


def _in_duty_list(doc: Document, node: Node, bview, lead_ins: list[re.Pattern]) -> bool:
    """``node`` is an item of a list introduced as duties (交通主管部门的主要职责是：), by
    the heading above it or by the paragraph right before the list (when a lost article
    number left that paragraph no heading above the items)."""
    if not lead_ins:
        return False
    if any(_any(lead_ins, bview(n.block)) for n in _lineage(node)[1:2]):
        return True
    siblings = node.parent.children if node.parent is not None else []
    k = next((i for i, c in enumerate(siblings) if c is node), None)
    if k is None:
        return False
    # back to the list's first item: a list of its own restarts at （一） / 1.
    while k > 0 and siblings[k - 1].style == node.style and not _FIRST_NUMBER.fullmatch(siblings[k].number.strip()):
        k -= 1
    first = siblings[k].block
    if first is None or first == 0:
        return False
    return _any(lead_ins, bview(first - 1))


_FIRST_NUMBER = re.compile(r"[（(]?\s*(?:一|1|１|①|壹)\s*[）)、.．]?")


def _unit_items(doc: Document, root: Node, view: str, rules) -> dict[int, tuple[Node, tuple[int, int]]]:
    """Numbered items that are nothing but a unit line (（三）责任单位及承办科室：市自然资源局，
    储备中心。 closing 一、's 适用范围 / 办理流程 items), by id of their node: node and span."""
    out: dict[int, tuple[Node, tuple[int, int]]] = {}
    m = units_mod.matcher(rules)
    for node in root.walk():
        if node.block is None or node.children or node.parent is None:
            continue
        b = doc.blocks[node.block]
        start, end = b.start + len(node.number), b.end
        if not view[start:end].strip() and len(node.body) == 1:
            start, end = doc.blocks[node.body[0]].start, doc.blocks[node.body[0]].end   # （三）⏎责任单位：…
        elif node.body:
            continue
        if b.kind != "table_row" and units_mod.is_unit_line(view[start:end], rules):
            # only a plain list of names (not 某窗口收件、受理、发证: who does which step)
            found = units_mod.find_units(view, [(start, end)], rules)
            if found and all(m.is_unit(f.data["unit"]) for f in found):
                out[id(node)] = (node, (start, end))
    return out


def _share_unit_items(doc: Document, view: str, rules, tasks: list[Task], unit_items: dict) -> None:
    """A unit item's units go to the tasks of the items before it under the same heading
    (back to the previous unit item), unless a task names units of its own."""
    for node, span in unit_items.values():
        siblings = node.parent.children
        k = next(i for i, c in enumerate(siblings) if c is node)     # (by identity: nodes compare by value)
        first = k
        while first > 0 and id(siblings[first - 1]) not in unit_items:
            first -= 1
        if first == k:
            continue
        lo, hi = doc.blocks[siblings[first].block].start, doc.blocks[node.block].start
        for t in tasks:
            if lo <= t.start < hi and not _names_units(view, rules, t):
                t.shared.append(span)


def _names_units(view: str, rules, t: Task) -> bool:
    label_rx = units_mod.matcher(rules).label_rx
    return any(units_mod.trailing_unit_span(view, s, e, rules) or label_rx.search(view, s, e) for s, e in t.spans())


def _share_group_bracket(view: str, rules, tasks: list[Task]) -> None:
    """Numbered items under one heading of which only the last closes with a unit bracket
    (1.乡村旅游公路。… 7.智慧旅游系统。…（责任单位：区旅游委，交建局）): the bracket closes the
    group, as it would close the heading's paragraph, and names the units of every item."""
    label_rx = units_mod.matcher(rules).label_rx
    groups: dict[tuple[str, ...], list[Task]] = {}
    for t in tasks:
        if t.origin == "item" and len(t.path) >= 2:
            groups.setdefault(tuple(t.path[:-1]), []).append(t)
    for group in groups.values():
        if len(group) < 2 or len({tuple(t.path) for t in group}) != len(group):
            continue
        closing = [units_mod.trailing_unit_span(view, t.start, t.end, rules) or _unit_line_after(view, rules, t)
                   for t in group]
        if closing[-1] is None or any(closing[:-1]):
            continue
        # an item naming its own units with a label (责任单位：…, 任务分工：…) keeps them
        if any(label_rx.search(view, s, e) for t in group[:-1] for s, e in t.spans()):
            continue
        for t in group[:-1]:
            t.shared.append(closing[-1])


def _inline_runs(view: str, tasks: list[Task]) -> list[list[Task]]:
    """Runs of 一是…二是… parts: inline tasks of one heading and one paragraph."""
    runs: list[list[Task]] = []
    for t in tasks:
        prev = runs[-1][-1] if runs else None
        if t.origin == "inline" and prev is not None and prev.path == t.path \
                and "\n" not in view[prev.end:t.start].strip(" \t"):
            runs[-1].append(t)
        elif t.origin == "inline":
            runs.append([t])
    return [r for r in runs if len(r) >= 2]


def _share_group_closing(view: str, rules, tasks: list[Task]) -> None:
    """The sentence closing the last of 一是…二是… parts that names who does them all
    (以上工作由X抓落实): every part's units."""
    rx = units_mod.matcher(rules).group_closing_rx
    if rx is None:
        return
    for run in _inline_runs(view, tasks):
        last = run[-1]
        m = rx.search(view, last.start, last.end)
        if not m:
            continue
        span = (m.start("units"), m.end())
        for t in run[:-1]:
            if span not in t.shared:
                t.shared.append(span)


def _unit_line_after(view: str, rules, t: Task) -> tuple[int, int] | None:
    """A line of units after the item's text (3.福建省行业20强… ⏎ 责任单位：市发改委、工信局):
    it closes the item as a bracket would (and, after the last item, the group)."""
    return next(((s, e) for s, e in t.shared if s >= t.end and units_mod.is_unit_line(view[s:e], rules)), None)


_DUTY_LIST_END = re.compile(r"(?:目标责任书?|责任清单|(?P<budget>(?:部门|单位)(?:预算|决算)))[ \t]*$")


def _first_run_end(doc, view: str, after: list[Task], upto: int) -> int:
    """Where the first run of tasks in ``after`` (sorted) ends: at the first text between two
    of them that is no task (a budget's duty list, then 二、部门决算单位构成 or 某单位机构设置)."""
    starts = [b.start for b in doc.blocks]          # blocks are in text order
    for prev, nxt in zip(after, after[1:]):
        k = bisect.bisect_left(starts, prev.end)
        while k < len(starts) and doc.blocks[k].end <= nxt.start:
            if view[doc.blocks[k].start:doc.blocks[k].end].strip():
                return prev.end
            k += 1
    return after[-1].end if after else upto


def _scope_duty_lists(doc, view: str, rules, tasks: list[Task]) -> None:
    """A line titling one body's duties (附件 2016年某局环境保护目标责任, 某局责任清单) assigns
    that body to every task after it, up to the next such line: an annex per bureau."""
    heads = [(b.start, b.end) for b in doc.blocks
             if b.kind != "table_row" and b.end - b.start <= 60 and _DUTY_LIST_END.search(view, b.start, b.end)
             and any(f.rule == "duty-list-heading" for f in units_mod.find_units(view, [(b.start, b.end)], rules))]
    for k, (s, e) in enumerate(heads):
        upto = heads[k + 1][0] if k + 1 < len(heads) else len(view)
        if _DUTY_LIST_END.search(view, s, e).group("budget"):
            upto = _first_run_end(doc, view, sorted((t for t in tasks if e <= t.start < upto), key=lambda t: t.start), upto)
        for t in tasks:
            if t.start < s and e <= t.end:      # the next body's title ran into the last item
                t.end = t.start + len(view[t.start:s].rstrip())
            if e <= t.start < upto and (s, e) not in t.shared:
                t.shared.append((s, e))


_DUTY = re.compile(r"^\s*([^,。;:\s]{2,20}?)(?:负责|牵头|主要负责|具体负责|会同|配合|协助)")


def _unit_sentence_cuts(text: str, rules) -> list[int]:
    """Where the sentences of a paragraph that each open with a unit's duty start (甲局负责…。
    乙局负责…。): [] unless two or more in a row do and the paragraph is not only them."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() < len(text)]
    cuts = [p for p in starts if _unit_duty(text[p:p + 40], rules)]
    return cuts if len(cuts) >= 2 else []


_SENTENCE_END = re.compile(r"。|(?<=如下):")


def _unit_duty(text: str, rules) -> bool:
    """A paragraph that opens with a unit's duty: 团省委负责…, 省妇联牵头…, 市财政局会同…"""
    m = _DUTY.match(text)
    return bool(m and units_mod.matcher(rules).is_unit(m.group(1)))


# (not a body's membership: 办公室：主任由某某兼任, 领导小组：组长…)
_UNIT_COLON = re.compile(r"^\s*([^\s。,;:、()]{2,20}):(?!\s*(?:主任|副主任|组长|副组长|成员|负责人|联系人))(?=\S{4})")


def _unit_colon_duty(text: str, rules) -> bool:
    """A paragraph that opens with a unit's name and a colon, then its duties (an
    emergency plan's 区气象局：加强监测预警预报…): one piece of work per unit."""
    m = _UNIT_COLON.match(text)
    return bool(m) and units_mod.matcher(rules).is_unit(m.group(1)) and not units_mod.is_unit_line(text, rules)


def _closes_with_units(doc, group, view, rules) -> bool:
    """A group whose last paragraph ends in a role bracket （责任单位：…） assigns work."""
    if any(is_line for _, is_line in group):
        return True
    b = doc.blocks[group[-1][0]]
    return units_mod.trailing_unit_span(view, b.start, b.end, rules) is not None


def _assigned_leaf(doc, node: Node, view: str, rules) -> bool:
    """A numbered item with no sub-items that names its own units (a role bracket or
    a unit line): a task even under a preamble heading (（一）总体要求和主要目标)."""
    if node.block is None or node.children:
        return False
    if _any(_patterns(rules, "division_heading"), match_view(node.title or "")):
        # （二）工作分工。…区甲局负责建立…。区乙局负责…: the division of work names its units in sentences
        end = doc.blocks[node.body[-1]].end if node.body else doc.blocks[node.block].end
        if units_mod.find_units(view, [(doc.blocks[node.block].start, end)], rules):
            return True
    for i in [node.block, *node.body[:3]]:
        b = doc.blocks[i]
        if b.kind == "table_row":
            continue
        # its heading or a paragraph under it closes with a role bracket, or a unit line follows
        if units_mod.trailing_unit_span(view, b.start, b.end, rules) is not None \
                or (i != node.block and (units_mod.is_unit_line(view[b.start:b.end], rules)
                                         or _bracketed_items(view, b.start, b.end, rules))):
            return True
    return False


def _bracket_over_items(doc, groups, view: str, rules, inline) -> tuple[int, int] | None:
    """The role bracket on a line of its own between an item's heading and its 一是…/1.…
    paragraphs ((一)加强衔接。⏎(牵头单位：甲，责任单位：乙)⏎一是…二是…): it names the units of
    each of them, and the heading with it is no task of its own."""
    if len(groups) < 2 or len(groups[0]) != 2:
        return None
    b = doc.blocks[groups[0][1][0]]
    text = view[b.start:b.end]
    lead = len(text) - len(text.lstrip())
    span = units_mod.trailing_unit_span(view, b.start, b.end, rules)
    if span is None or span[0] != b.start + lead:
        return None
    hit = classify(view[doc.blocks[groups[1][0][0]].start:doc.blocks[groups[1][0][0]].end], rules)
    return span if hit is not None and hit[0] in inline else None


def _unit_heading(doc, node: Node | None, view: str, rules,
                  known: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """The span of a heading that is a unit's name and a colon, nothing else
    (（二）核安会：), whose numbered items are that unit's duties, or of the role bracket that
    closes the heading. (A heading that is a bare name is not enough: （五）加快建设服务型政府
    ends like a unit.)"""
    if node is None or node.block is None:
        return None
    lead_in = _duty_lead_in(doc, node, view, rules, known)
    if lead_in is not None:
        return lead_in
    b = doc.blocks[node.block]
    colon = b.start + len(view[b.start:b.end].rstrip()) - 1
    if view[colon] == ":" and _DUTY_LEAD_IN.search(view, b.start, colon + 1):
        # （一）区交建局是…主管部门，履行下列职责： over 1.…9.: the items are the body's duties
        found = units_mod.find_units(view, [(b.start, b.end)], rules, known=known)
        if any(f.rule in units_mod.duty_list_rules(rules) for f in found):
            return (b.start, b.end)
    if view[colon] != ":":
        # （一）精准识别，建档立卡工作。（主办处室：统计信息处）over 1、2、3: the heading's role
        # bracket assigns every item under it
        return units_mod.trailing_unit_span(view, b.start, b.end, rules)
    # the unit must end at the colon: 第十条 奖励由…部门负责，标准如下： is no unit heading
    found = units_mod.find_units(view, [(b.start, b.end)], rules, known=known)
    return (b.start, b.end) if any(f.end == colon for f in found) else None


# 协调小组负责…工作。具体职责：⏎（一）…⏎（二）…: the paragraph names the unit whose duties the items are
# (a heading too: (一) 本署之任務：, 第六条 X作为主管部门，负责下列工作：)
_DUTY_LEAD_IN = re.compile(r"(?:职责|职能|任务分工|任务|(?:下列|以下|如下)工作)(?:是|为|如下|主要有|包括)?\s*:\s*$")


def _duty_lead_in(doc, node: Node, view: str, rules, known: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """The span of the paragraph under a heading that names the unit of the numbered items
    below: a labelled unit line (责任处室：某处), or a paragraph that opens with a unit and
    introduces the items as its duties (协调小组负责…。具体职责：)."""
    if not node.children or not node.body:
        return None
    first_child = node.children[0].block
    before = [i for i in node.body if first_child is None or i < first_child]
    if not before:
        return None
    # 一、综合组。组长：… ⏎ 责任处室：某处 ⏎ 相关工作： ⏎ 1.… 2.…: a labelled unit line
    # above the items names the unit of each of them
    for i in before:
        u = doc.blocks[i]
        if u.kind != "table_row" and units_mod.is_unit_line(view[u.start:u.end], rules):
            return (u.start, u.end)
    b = doc.blocks[before[-1]]
    if b.kind == "table_row" or not _DUTY_LEAD_IN.search(view, b.start, b.end):
        return None
    found = units_mod.find_units(view, [(b.start, b.end)], rules, known=known)
    opens = [f for f in found if f.start - b.start <= 2]
    return (b.start, b.end) if opens else None


def _opens_with_unit(view: str, start: int, end: int, rules, known: frozenset[str] = frozenset()) -> bool:
    """An item that opens with its unit and a colon (（三）内政部：协助旅居国人入境)."""
    nl = view.find("\n", start, end)
    line_end = nl if nl >= 0 else end
    colon = view.find(":", start, line_end)
    return colon > 0 and bool(units_mod.find_units(view, [(start, line_end)], rules, known=known))


_ATTACHMENT_LIST = re.compile(r"附件\s*[:]?\s*1\s*[.、]")


def _attachment_name(node: Node, bview) -> bool:
    """A bare numbered line under an attachment heading that opens a numbered list
    (附件：1.某申报表): the next attachment's name, not an item."""
    parent = node.parent
    return (parent is not None and parent.style == "attachment" and parent.block is not None
            and node.block is not None and not node.children and not node.body
            and _ATTACHMENT_LIST.match(bview(parent.block)) is not None and "。" not in bview(node.block))


def _lineage(node: Node) -> list[Node]:
    out = []
    while node is not None and node.block is not None:
        out.append(node)
        node = node.parent
    return out


def _has_body(text: str) -> bool:
    """More than a title: something after the first sentence end."""
    m = re.search(r"[。;:!?]", text)
    return bool(m and text[m.end():].strip())


_LABEL_START = re.compile(r"\s*[\u4e00-\u9fff]{2,6}\s*[:：]")


def _group(doc, blocks, rules, bview, view) -> list[list[tuple[int, bool]]]:
    """Split blocks into groups: prose blocks, then the unit lines that close them.
    A paragraph opening with an inline number (一是) or stating its own subject's
    obligation (各部门要…) starts its own group too."""
    inline = inline_styles(rules)
    obligation = _patterns(rules, "obligation_paragraph")
    closing = _patterns(rules, "closing_clause")
    groups: list[list[tuple[int, bool]]] = []
    closed = True
    bracket_closed = False
    field_line = _patterns(rules, "field_line")
    for i in blocks:
        # a task's unit line, or its time limit on a line of its own (完成时限：6月25日前)
        is_unit_line = units_mod.is_unit_line(bview(i), rules) or _any(field_line, bview(i))
        hit = classify(bview(i), rules)
        # a closing clause (本通知自印发之日起执行…) is a paragraph of its own, never the tail of an item
        starts_item = (hit is not None and hit[0] in inline) or _any(obligation, bview(i)) or _any(closing, bview(i)) \
            or (units_mod.ROW_NUMBER.match(bview(i)) is not None and _unit_duty(bview(i), rules)) \
            or _unit_colon_duty(bview(i), rules)      # 2区某局牵头…; 区气象局：加强监测预警…
        if is_unit_line and groups:
            groups[-1].append((i, True))
            closed = True
            continue
        # a labelled paragraph (任务分工：…) after a role bracket still belongs to the item
        if bracket_closed and _LABEL_START.match(bview(i)):
            closed = False
        if closed or starts_item or not groups:
            groups.append([(i, False)])
        else:
            groups[-1].append((i, False))
        # a paragraph ending in its own role bracket closes its group: the next one is
        # another piece of work
        b = doc.blocks[i]
        closed = bracket_closed = units_mod.trailing_unit_span(view, b.start, b.end, rules) is not None
    return groups


_ORDINAL = r"(?:[一二三四五六七八九十]{1,3}|第[一二三四五六七八九十]{1,3})"
_SENTENCE_START = r"(?:(?<=^)|(?<=[。;:!?]))\s*"
_INLINE_SPLIT = re.compile(_SENTENCE_START + rf"(?={_ORDINAL}是)")
# 一要…二要… parts, read when the paragraph is no 一是 item (they may nest inside those)
_INLINE_SPLIT_YAO = re.compile(_SENTENCE_START + rf"(?={_ORDINAL}要)")
# the first part run into its subject (星级饭店一要严格标准要求。二要…): a part, not a lead-in
_FIRST_PART = re.compile(r"(?:^|[\u4e00-\u9fff])(?:一|第一)[是要](?![\u4e00-\u9fff]{0,2}[,，])")
_INLINE_NUMBER = re.compile(r"\((\d{1,2})\)")


def _inline_numbered_cuts(text: str) -> list[int]:
    """Where (1)…(N) items run into one paragraph start (a crawled page joined its lines:
    2.4 某办公室职责(1)受理…。(2)组织…。): numbered from 1 without a gap, every item after
    the first opening a sentence; [] unless there are two."""
    cuts: list[int] = []
    for m in _INLINE_NUMBER.finditer(text):
        n = int(m.group(1))
        before = text[max(0, m.start() - 16):m.start()].rstrip(" \t")[-1:]    # (a bounded look back: linear)
        if before == "\n":
            return []           # items on lines of their own are the item's sub-list
        if n == len(cuts) + 1 and (n == 1 or before in ("。", ";")):
            cuts.append(m.start())
        elif n == 1 and cuts:
            break       # a second list starts: keep the first
    return cuts if len(cuts) >= 2 else []


def _closing_brackets(rules) -> re.Pattern:
    """A role bracket after a sentence end: …左右。(市经委牵头); the role words and labels are
    rules/roles.yml's."""
    def build():
        m = units_mod.matcher(rules)
        words = sorted({*m.roles, *m.labels}, key=len, reverse=True)
        return re.compile(r"(?<=。)\([^()]{0,80}?(?:" + "|".join(map(re.escape, words)) + r")[^()]{0,40}\)")
    return rules.built("tasks.closing_brackets", build)


def _bracketed_items(view: str, start: int, end: int, rules) -> list[tuple[int, int]]:
    """The items of a paragraph that lists several sentences, each closed by a role
    bracket (…左右。(市经委牵头)), as (start, end) spans; [] unless there are two such brackets."""
    cuts = [m.end() for m in _closing_brackets(rules).finditer(view, start, end)
            if units_mod.trailing_unit_span(view, start, m.end(), rules) is not None]
    inner = [c for c in cuts if view[c:end].strip()]
    if len(cuts) < 2 or not inner:
        return []
    spans, s = [], start
    for c in inner + [end]:
        lead = len(view[s:c]) - len(view[s:c].lstrip())
        if view[s:c].strip():
            spans.append((s + lead, c))
        s = c
    return spans


def _tasks_of_group(doc, node, group, view, rules, inline, action, origin,
                    heading_unit: tuple[int, int] | None = None,
                    known: frozenset[str] = frozenset()) -> list[Task]:
    prose = [i for i, is_line in group if not is_line]
    lines = [i for i, is_line in group if is_line]
    start = doc.blocks[prose[0]].start
    end = doc.blocks[prose[-1]].end
    shared = [(doc.blocks[i].start, doc.blocks[i].end) for i in lines]
    if heading_unit is not None:
        shared.append(heading_unit)
    path = node.path()
    text = view[start:end]
    # Inline items: split at 一是/二是… that open a sentence.
    cuts = [m.start() for m in _INLINE_SPLIT.finditer(text)]
    if not cuts:     # (a 一是 item may hold 一要… parts of its own: it stays whole)
        cuts = [m.start() for m in _INLINE_SPLIT_YAO.finditer(text)]
    lead_in, keep_lead = None, False
    if len(cuts) < 2:
        # (1)…(N) run into a paragraph after a heading naming a body (2.4 某办公室职责(1)受理…):
        # the body's duties, one task each, all assigned to it
        numbered = _inline_numbered_cuts(text)
        if numbered and numbered[0] > 0:
            span = (start, start + numbered[0] + 3)     # the heading and its "(1)"
            if units_mod.find_units(view, [span], rules, known=known):
                cuts, lead_in = numbered, span
    if len(cuts) < 2 and (_any(_patterns(rules, "division_heading"), match_view(node.title or ""))
                          or "如下:" in text):
        # （二）工作分工。…具体分工如下：甲局负责…。乙局负责…。: a division of work run into
        # one paragraph, one task per unit's sentence (what comes before them is one too when
        # it states work of its own)
        by_unit = _unit_sentence_cuts(text, rules)
        if by_unit:
            cuts, keep_lead = by_unit, True
    # An item that names its units is a task even without a verb (2.工业增加值增长5%。
    # 牵头单位:…): the document assigns it.
    assigned = (bool(lines) or heading_unit is not None
                or units_mod.trailing_unit_span(view, start, end, rules) is not None)
    if not assigned and not _any(action, text):
        assigned = _opens_with_unit(view, start, end, rules, known)
    if len(cuts) < 2 and not (len(cuts) == 1 and cuts[0] == 0):
        # (in the paragraphs under an item's heading; in the numbered item's own line only
        # when it also ends with a bracket — 四、推进便利店发展。…（省市场监管局负责）将…纳入…
        # （省住建厅负责）: each sentence its own task — else an item's sentences share its brackets)
        own = prose[0] == node.block
        if cuts:
            listed = []
        elif own and len(prose) < 2:
            listed = _bracketed_items(view, start, end, rules) \
                if units_mod.trailing_unit_span(view, start, end, rules) is not None else []
        else:
            listed = _bracketed_items(view, doc.blocks[prose[1]].start if own else start, end, rules)
        if listed:
            listed[0] = (start, listed[0][1])     # the heading goes with the first item
            # 常住人口控制在1150万人左右。(市人口计生委牵头)能源消耗降低20%。(市经委牵头)…: one
            # paragraph listing items, each closed by its own role bracket
            return [Task(path, s, e, shared, origin) for s, e in listed
                    if units_mod.trailing_unit_span(view, s, e, rules) is not None or _any(action, view[s:e])]
        return [Task(path, start, end, shared, origin)] if assigned or _any(action, text) else []
    if len(cuts) == 1:  # a paragraph that is one 一是 item
        return [Task(path, start, end, shared, "inline" if origin == "item" else origin)] \
            if assigned or _any(action, text) else []
    bounds = [0, *cuts] if cuts[0] > 0 else cuts
    parts = []
    for k, s in enumerate(bounds):
        e = bounds[k + 1] if k + 1 < len(bounds) else len(text)
        seg = text[s:e]
        if not seg.strip():
            continue
        parts.append((start + s + (len(seg) - len(seg.lstrip())), start + e))
    tasks = []
    # A closing parenthesis of units at the end applies to every part unless the parts
    # carry their own.
    # (or a role label run into the last part: …四要落实垃圾分类。责任单位（处室）：市管处)
    tail = units_mod.trailing_unit_span(view, parts[-1][0], parts[-1][1], rules) \
        or units_mod.trailing_label_span(view, parts[-1][0], parts[-1][1], rules)
    own_parens = sum(1 for s, e in parts[:-1] if units_mod.trailing_unit_span(view, s, e, rules)
                     or units_mod.trailing_label_span(view, s, e, rules))
    if tail and not own_parens:
        shared = shared + [tail]
    if lead_in is not None:
        shared = shared + [lead_in]
    for k, (s, e) in enumerate(parts):
        seg = view[s:e]
        if k == 0 and cuts[0] > 0 and not keep_lead and not _FIRST_PART.search(seg):
            continue  # the item's lead-in before 一是 introduces the parts
        if not _any(action, seg) and lead_in is None:
            continue
        tasks.append(Task(path, s, e, shared, "inline"))
    return tasks
