"""Responsible units and their roles (rules: rules/units.yml, rules/unit_aliases.yml).

Three places name units: a labelled line after an item (``牵头单位：…``), a bracket
group in the item (``（市财政局牵头落实）``, ``〔责任单位：…`` even unclosed), and the
sentence itself (``由市财政局牵头``, ``县政府办公室负责…``). Lists are split on
、，和及; 和/及 only when both sides are unit names, so 人力资源和社会保障局 stays whole.
In running text jieba, loaded with the unit gazetteer, decides where a name starts.
"""
from __future__ import annotations

import copy
import dataclasses
import logging
import re
from functools import lru_cache
from typing import NamedTuple

from ..junk import numbering_end
from ..model import Fact
from ..rules import EXAMPLE_LIST, RuleSet, register_schema, rule_list_schema

_STR_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_STR_LIST = {"type": "array", "items": {"type": "string"}}
_ROLE_MAP = {"type": "object", "additionalProperties": {"enum": ["lead", "co", "responsible"]}}
_PROOF_MAP = {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": EXAMPLE_LIST}}
_NAMED_PATTERNS = {
    "type": "array",
    "items": {"type": "object", "additionalProperties": False, "required": ["name", "pattern"],
              "properties": {"name": {"type": "string"}, "pattern": {"type": "string"}}},
}
register_schema(
    "units.yml",
    rule_list_schema(
        {"kind": {"enum": ["line", "sentence"]}, "pattern": {"type": "string"},
         "bare_names": {"type": "boolean"}, "long_name": {"type": "boolean"}, "role": {"enum": ["lead", "co", "responsible"]},
         # the heading this rule finds a unit in opens that unit's list of duties (the items under it)
         "opens_duty_list": {"type": "boolean"}},
        required=("name", "kind", "pattern"),
        top={
            "suffixes": _STR_LIST, "prefixes": _STR_LIST,
            "collective": _NAMED_PATTERNS, "gazetteer": _STR_LIST, "admin_prefixes": _STR_LIST,
            "place_only_pattern": {"type": "string"},
            "first_listed_lead_pattern": {"type": "string"},
            "first_listed_lead_scope_pattern": {"type": "string"},
            "bracket_name_ends": {"type": "string"},
            "scope_note_pattern": {"type": "string"},
            "short_name_pattern": {"type": "string"},
            "other_field_pattern": {"type": "string"},
            "glued_sentence_pattern": {"type": "string"},
            "group_closing_pattern": {"type": "string"},
            "clause_opener_pattern": {"type": "string"},
            "not_a_unit_pattern": {"type": "string"},
            "government_level_pattern": {"type": "string"},
        },
    ),
)
register_schema(
    "roles.yml",
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["roles", "labels"],
        "properties": {"version": {"type": "integer"}, "roles": _ROLE_MAP, "labels": _ROLE_MAP,
                       "each_words": _STR_LIST, "jointly_words": _STR_LIST, "lead_partner_words": _STR_LIST, "consult_words": _STR_LIST,
                       # proofs per entry: {roles: {牵头: [examples]}, labels: {…}, …}
                       "examples": _PROOF_MAP, "counter_examples": _PROOF_MAP},
    },
)
register_schema(
    "unit_aliases.yml",
    rule_list_schema({"alias": {"type": "string"}, "canonical": {"type": "string"}},
                     required=("name", "alias", "canonical")),
)

OPEN = "(〔【[［"
CLOSE = ")〕】]］"
_LIST_SEP = re.compile(r"[、,，/;；\s\u00a0\u3000]")
# (not 及其: 县级人民政府及其民政部门 is a body with its own department, one unit as written)
_AND_SEP = re.compile(r"和|及(?!其)|与|以及")
# (区公安局等区安委会成员单位配合, 监督处等相关处室: the unit before 等 names the list's kind)
_TRAIL_ETC = re.compile(r"(等[\u4e00-\u9fff]{0,14}|按职责|按职责分工)$")
# an alias declared after a name belongs to the text, not to the name: 国家能源局西北监管局(以下简称西北能源监管局)
_ALIAS_NOTE = re.compile(r"\((?:以下简称|下称|简称)[^()]{1,30}\)$")
# an item number before a name at a clause start: 第三十条交易机构负责… / (1)发电企业负责…
_ITEM_NUMBER = re.compile(r"^(?:第[一二三四五六七八九十百零\d]+条|\(?[一二三四五六七八九十\d]{1,3}[).、]|[一二三四五六七八九十]{1,3}是)\s*")
# an item's title run into its first sentence: a verb phrase or a section word, then a unit
# that opens with an admin prefix (抓好乡村绿化区财政金融局, 职责分工各乡镇人民政府)
_GLUED_HEADING = re.compile(r"(?:(?:抓好|加强|强化|推进|推动|完善|建立|健全|落实|做好|开展|提升|优化|深化|规范)[\u4e00-\u9fff]{1,8}?"
                            r"|职责分工|工作分工|任务分工|组织领导|保障措施|工作要求)(?=[区县市省各乡镇])")
# a clause that opens with a verb names no unit: 强化部门协同配合
_VERB_START = re.compile(r"^(加强|强化|推进|推动|完善|建立|健全|落实|做好|开展|提升|提高|优化|深化|规范|组织|协调|指导|督促|督导|支持|鼓励|引导|积极|主动|密切)")


class UnitMatcher:
    """Everything units need from the rules, compiled once per RuleSet."""

    def __init__(self, rules: RuleSet):
        cfg = rules.get("units.yml")
        self.rules = rules
        roles = rules.get("roles.yml")
        self.roles: dict[str, str] = roles["roles"]
        self.labels: dict[str, str] = roles["labels"]
        self.each_words = roles.get("each_words", [])
        self.jointly_words = roles.get("jointly_words", [])
        self.lead_partner = re.compile("|".join(map(re.escape, roles.get("lead_partner_words", []))) or "(?!)")
        # (after a body's name only, and not the start of a word: 规划处商指导处, not 商务局, 经发局商务处)
        consult = "|".join(map(re.escape, roles.get("consult_words", [])))
        self.consult = re.compile(f"(?<=[处局室委办科厅])(?:{consult})(?![务业会贸品标铺户场圈])(?=[\u4e00-\u9fff]{{2}})") \
            if consult else None
        self.suffixes = sorted(cfg["suffixes"], key=len, reverse=True)
        self.prefixes = cfg["prefixes"]
        self.admin = cfg.get("admin_prefixes", [])
        self.bracket_name_ends = tuple(cfg.get("bracket_name_ends", ""))
        self.collective = [rules.regex(c["pattern"]) for c in cfg.get("collective", [])]
        self.line_rules = [r for r in cfg["rules"] if r["kind"] == "line"]
        self.sentence_rules = [r for r in cfg["rules"] if r["kind"] == "sentence"]
        verbs = sorted(self.roles, key=len, reverse=True)
        mods = "|".join(map(re.escape, self.each_words + self.jointly_words))
        self.verb_tail = re.compile(rf"(?P<mod>{mods})?(?P<verb>{'|'.join(map(re.escape, verbs))})$")
        # a converter may break a label across lines (牵头部\n门：): whitespace between its characters
        self.label_rx = re.compile(
            r"(?P<label>" + "|".join(r"\s*".join(map(re.escape, w)) for w in sorted(self.labels, key=len, reverse=True))
            + r")(?:\s*\([^()]{1,6}\))?\s*[:]\s*")
        # a label run into the item's last sentence, its list to the line's end:
        # …推动开展许可权工作。责任单位：区审批局牵头，区办公室参加 (a label may name its kind
        # of body in brackets: 责任单位（处室）：)
        self.tail_label_rx = re.compile(
            r"(?<=[。;])[ \t]*(?P<label>" + "|".join(map(re.escape, sorted(self.labels, key=len, reverse=True)))
            + r")(?:[ \t]*\([^()]{1,6}\))?[ \t]*:[ \t]*(?P<units>(?:[^。:()]|\([^()。:\d]{1,10}\)){2,160}?)[。;]?[ \t]*$")
        self.aliases = [(r["alias"], r["canonical"]) for r in rules.rules("unit_aliases.yml")]
        self.gazetteer = cfg.get("gazetteer", [])
        self.place_only = rules.regex(cfg["place_only_pattern"]) if cfg.get("place_only_pattern") else None
        self.not_a_unit = rules.regex(cfg["not_a_unit_pattern"]) if cfg.get("not_a_unit_pattern") else None
        self.government_level = (rules.regex(cfg["government_level_pattern"])
                                 if cfg.get("government_level_pattern") else None)
        self.first_lead_rx = (rules.regex(cfg["first_listed_lead_pattern"])
                              if cfg.get("first_listed_lead_pattern") else None)
        self.first_lead_scope_rx = (rules.regex(cfg["first_listed_lead_scope_pattern"])
                                    if cfg.get("first_listed_lead_scope_pattern") else None)
        self.scope_rx = rules.regex(cfg["scope_note_pattern"]) if cfg.get("scope_note_pattern") else None
        self.short_name_rx = rules.regex(cfg["short_name_pattern"]) if cfg.get("short_name_pattern") else None
        self.other_field_rx = rules.regex(cfg["other_field_pattern"]) if cfg.get("other_field_pattern") else None
        self.glued_sentence_rx = (rules.regex(cfg["glued_sentence_pattern"])
                                  if cfg.get("glued_sentence_pattern") else None)
        self.group_closing_rx = (rules.regex(cfg["group_closing_pattern"])
                                 if cfg.get("group_closing_pattern") else None)
        self.clause_opener_rx = rules.regex(cfg["clause_opener_pattern"]) if cfg.get("clause_opener_pattern") else None
        self.known: frozenset[str] = frozenset()     # short names the document defines for units

    def with_known(self, names: frozenset[str]) -> "UnitMatcher":
        """This matcher, also accepting the given names (a document's own short names)."""
        if not names:
            return self
        other = copy.copy(self)
        other.known = self.known | names
        return other

    # -- names ---------------------------------------------------------------
    def is_unit(self, name: str) -> bool:
        core = _strip_trailing_bracket(name)
        return 2 <= len(name) <= 40 and (any(core.endswith(s) for s in self.suffixes) or core in self.known) \
            and not re.search(r"[。:;]", name) and not _PERSON_OR_INSTRUCTION.search(name)

    def is_collective(self, name: str) -> bool:
        return any(p.search(name) for p in self.collective)

    def canonical(self, name: str, context_prefix: str = "") -> str | None:
        for alias, canon in self.aliases:
            if alias.startswith("*"):
                tail = alias[1:]
                if name.endswith(tail):
                    prefix = name[: -len(tail)]
                    if prefix and not any(prefix.endswith(a) for a in self.admin):
                        continue
                    prefix = prefix or context_prefix
                    full = canon.replace("*", prefix, 1)
                    return full if full != name else None
            elif name == alias:
                return canon if canon != name else None
        return None

    def admin_prefix(self, name: str) -> str:
        m = re.match(r"^(.{0,10}?(?:省|市|县|区|州|旗|盟|镇|乡))(?=[^省市县区州旗盟镇乡])", name)
        return m.group(1) if m else ""

    # -- lists ---------------------------------------------------------------
    def split_list(self, text: str, offset: int, accept_bare: bool) -> list[tuple[int, int, str, bool]]:
        """Split a unit list into (start, end, name, jointly) items; [] if any item is
        not a unit name (unless accept_bare: the context already says these are units)."""
        items: list[tuple[int, int, str, bool]] = []
        for s, e in _top_level_split(text, _LIST_SEP):
            piece = text[s:e]
            # 会同 inside a list: 县政府办公室会同县财政局
            sub = _split_on(piece, re.compile("|".join(map(re.escape, self.jointly_words))) if self.jointly_words else None)
            if any(len(piece[a:b].strip()) < 2 for a, b in sub):
                sub = [(0, len(piece))]     # 各联合党委 is one name, not 各 + 党委
            jointly = len(sub) > 1
            # X会同Y: X leads, Y is co, whatever verb closes the list
            partner_at = [m.end() for m in self.lead_partner.finditer(piece)] if jointly else []
            consult = self.consult.search(piece) if self.consult is not None and not jointly else None
            if consult is not None:          # 请规划处商指导处办理: the same, in a leader's words
                sub, jointly, partner_at = [(0, consult.start()), (consult.end(), len(piece))], True, [consult.end()]
            for ss, ee in sub:
                for s2, e2 in self._split_and(piece[ss:ee]):
                    name = piece[ss + s2: ss + e2]
                    lead = len(name) - len(name.lstrip(" 　"))
                    name = name.strip(" 　")
                    alias = _ALIAS_NOTE.search(name)
                    if alias and self.is_unit(name[: alias.start()]):
                        name = name[: alias.start()]
                    vm = self.verb_tail.search(name)     # 省大数据中心按职责分工负责
                    if vm and vm.start() > 0 and self.is_unit(name[: vm.start()]):
                        name = name[: vm.start()]
                    m = _TRAIL_ETC.search(name)
                    if m and m.start() > 0 and self.is_unit(name[: m.start()]):
                        name = name[: m.start()]
                    if not name:
                        continue
                    start = offset + s + ss + s2 + lead
                    joint = jointly
                    if partner_at:
                        joint = "co" if ss >= partner_at[0] else "lead"
                    for a, b in self._split_glued(name):   # 市审批局市法制办: two units
                        items.append((start + a, start + b, name[a:b], joint))
        items = _join_listed(items, text, offset, self._shares_the_next)
        if not items:
            return []
        if not accept_bare and not all(self.is_unit(n) for _, _, n, _ in items):
            return []
        if accept_bare and not all(len(n) <= 40 and not re.search(r"[。]", n) for _, _, n, _ in items):
            return []
        return items

    def _split_glued(self, name: str) -> list[tuple[int, int]]:
        """Unit names whose separator was lost (市审批局市法制办): split where a name
        ends in a unit suffix and an admin prefix starts another, when both are units."""
        cuts = [0]
        for p in range(3, len(name) - 2):     # each part at least 3 characters: 县委县政府督查室 stays whole
            if name[p] in self.admin and name[p - 1] not in self.admin and self.is_unit(name[cuts[-1]:p]) \
                    and self.is_unit(name[p:]) and len(name[p:]) >= 3 and not self.is_place_kind(name[cuts[-1]:p]):
                cuts.append(p)
        if len(cuts) == 1:
            return [(0, len(name))]
        return list(zip(cuts, cuts[1:] + [len(name)]))

    def is_place_kind(self, name: str) -> bool:
        """A kind of place, with its variants in brackets (县（区）, 县（市、区）, 各镇), names no body of its own."""
        return self.place_only is not None and self.place_only.match(_strip_trailing_bracket(name)) is not None

    def _shares_the_next(self, piece: str, joined: str, name: str) -> bool:
        """Whether list item ``name`` joins the one before it (``piece``, the last name listed;
        ``joined``, the unit it is part of so far): 各区、县级市 and a run of kinds of places
        before a department (各省、自治区、直辖市交通部门) are one unit; so is 各县党委、政府
        (a government with no place of its own after a Party committee: a bare 政府 is none)."""
        if self.place_only is not None and self.place_only.match(piece):
            return _OWN_SCOPE.match(name) is None    # not 各乡镇、县直各部门: the second has its own scope
        if _BARE_KIND.fullmatch(name) is not None and "各" in joined:
            return True     # 局机关各处（室）、中心: the 各 covers the bare kind after it
        return _BARE_BODY.fullmatch(name) is not None and _PARTY_END.search(joined) is not None

    def _split_and(self, piece: str) -> list[tuple[int, int]]:
        spans = [(0, len(piece))]
        for m in _AND_SEP.finditer(piece):
            left, right = piece[: m.start()], piece[m.end():]
            last = left.split("、")[-1]
            if m.group() == "与" and _PLACE_END.search(last) and not last.startswith("各"):
                continue      # 风景区与旅游执法支队, 经济区与开发区管理局: one name, the place is part of it
            etc = _TRAIL_ETC.search(last)         # 商务部、农业农村部等和各省级人民政府: 等 closes the first list
            if etc and etc.start() > 0:
                last = last[: etc.start()]
            if self.is_unit(last) and self.is_unit(right):
                # the rest may join more: 经济部水利署与交通部气象局及国防部
                return [(0, m.start()), *((m.end() + a, m.end() + b) for a, b in self._split_and(right))]
        return spans


_PLACE_END = re.compile(r"[区县市镇乡州]$")
_BARE_BODY = re.compile(r"(?:人民)?政府")
_OWN_SCOPE = re.compile(r"[省市县区]直|各|全[省市县区]")
_BARE_KIND = re.compile(r"(?:中心|站|所|队|室|科|股)(?:\([^()]{1,6}\))?")
_PARTY_END = re.compile(r"(?:党委|党工委)$")


def _join_listed(items, text: str, offset: int, joins):
    """Items of a 、-list joined into one unit where ``joins(last piece, unit so far, item)`` says so."""
    out: list[tuple[int, int, str, bool]] = []
    piece = ""
    for it in items:
        prev = out[-1] if out else None
        if prev and text[prev[1] - offset:it[0] - offset] == "、" and joins(piece, prev[2], it[2]):
            out[-1] = (prev[0], it[1], text[prev[0] - offset:it[1] - offset], prev[3] or it[3])
        else:
            out.append(it)
        piece = it[2]
    return out


_OTHER_FIELD = re.compile(r"[;；。]|[\u4e00-\u9fff]{2,6}\s*:")


def _until_other_field(seg: str, known: re.Pattern | None = None) -> str:
    """A labelled unit list ends where another field starts: 责任单位:X;完成时限:Y; a field
    the rules name (``other_field_pattern``) ends it even when glued: 办公室完成时限:6月25日前."""
    if known is not None:
        k = known.search(seg)
        seg = seg[: k.start()] if k else seg
    m = _OTHER_FIELD.search(seg)
    return seg[: m.start()] if m else seg


def _strip_trailing_bracket(name: str) -> str:
    if name and name[-1] in CLOSE:
        depth = 0
        for i in range(len(name) - 1, -1, -1):
            if name[i] in CLOSE:
                depth += 1
            elif name[i] in OPEN:
                depth -= 1
                if depth == 0:
                    return name[:i]
    return name


def _top_level_split(text: str, sep: re.Pattern) -> list[tuple[int, int]]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and sep.match(ch):
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _split_on(text: str, rx: re.Pattern | None) -> list[tuple[int, int]]:
    if rx is None:
        return [(0, len(text))]
    out, pos = [], 0
    for m in rx.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(s, e) for s, e in out if e > s]


_ITEM_START = re.compile(r"\s*(?:\d{1,3}[.、．]|[(（]?[一二三四五六七八九十]{1,3}[)）、])")


def _closes_on_next_line(view: str, pos: int, end: int) -> bool:
    """A line break inside a bracket is a converter's wrap when the next line closes
    the bracket before opening another and does not start a new item."""
    nl = view.find("\n", pos, end)
    line = view[pos:nl if nl >= 0 else end]
    if not line or _ITEM_START.match(line):
        return False
    for ch in line:
        if ch in CLOSE:
            return True
        if ch in OPEN:
            return False
    return False


_BRACKET_OR_BREAK = re.compile("[\n" + re.escape(OPEN + CLOSE) + "]")


def bracket_groups(view: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Top-level bracket groups in view[start:end] as (content start, content end,
    closed). An opening bracket never closed runs to the end of its line."""
    groups, depth, open_at = [], 0, None
    for hit in _BRACKET_OR_BREAK.finditer(view, start, end):     # only these characters matter
        i, ch = hit.start(), hit.group()
        if ch == "\n" and depth and not _closes_on_next_line(view, i + 1, end):
            groups.append((open_at + 1, i, False))
            depth, open_at = 0, None
        elif ch in OPEN:
            if depth == 0:
                open_at = i
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
            if depth == 0:
                groups.append((open_at + 1, i, True))
    if depth and open_at is not None:
        groups.append((open_at + 1, end, False))
    return groups


def duty_list_rules(rules: RuleSet) -> frozenset[str]:
    """Names of the rules whose unit heading opens a list of that unit's duties."""
    return frozenset(r["name"] for r in matcher(rules).sentence_rules if r.get("opens_duty_list"))


def matcher(rules: RuleSet) -> UnitMatcher:
    return rules.built("units", lambda: UnitMatcher(rules))


def is_unit_line(view: str, rules: RuleSet) -> bool:
    m = matcher(rules)
    for r in m.line_rules:
        hit = rules.regex(r["pattern"]).match(view)
        if hit and (hit.group("label") in m.labels or r["name"] != "unit-line"):
            return True
    return False


def trailing_unit_span(view: str, start: int, end: int, rules: RuleSet) -> tuple[int, int] | None:
    """The unit bracket group that closes view[start:end], if there is one."""
    text = view[start:end].rstrip(" 。;\n")
    groups = bracket_groups(view, start, start + len(text))
    if not groups:
        return None
    s, e, closed = groups[-1]
    if (closed and e + 1 < start + len(text)) or (not closed and e < start + len(text)):
        return None
    if _parse_group(view, s, e, matcher(rules), trailing=True):
        return (s - 1, min(e + 1, end))
    return None


def trailing_label_span(view: str, start: int, end: int, rules: RuleSet) -> tuple[int, int] | None:
    """The role label run into the last sentence of view[start:end] (…落实垃圾分类。责任单位
    （处室）：市管处), if it closes the text and names units."""
    text = view[start:end].rstrip(" 。;\n")
    m = matcher(rules)
    line_start = max(start, view.rfind("\n", start, start + len(text)) + 1)
    hit = m.tail_label_rx.search(view, line_start, start + len(text))
    if hit and _label_facts(m, hit.group("label"), hit.group("units"), hit.start("units"), "tail-label"):
        return (hit.start(), min(end, start + len(text) + 1))
    return None


# -- extraction ---------------------------------------------------------------

# (以下简称本局): the short name a document gives what precedes, never a unit of its own
_ALIAS_NOTE = re.compile(r"\s*(?:以下简称|以下称|下称|简称)")


# a row of a task table pasted as text: its number glued to the unit (2区市场监管局牵头…)
ROW_NUMBER = re.compile(r"\d{1,2}(?=[区市县省州镇乡各])")


def _fact(m: UnitMatcher, s, e, name, role, rule, *, each=False, jointly=False, context_prefix="") -> Fact:
    core = _strip_trailing_bracket(name)
    if core != name and _ALIAS_NOTE.match(name[len(core) + 1:]):
        e, name = e - (len(name) - len(core)), core    # 市发展改革委(以下简称市发改委): the name, not its short form
    row = ROW_NUMBER.match(name)
    if row:
        s, name = s + row.end(), name[row.end():]    # 2区市场监管局: a flattened table's row number
    data = {"unit": name, "role": role}
    canon = m.canonical(name, context_prefix)
    if canon:
        data["canonical"] = canon
    if m.is_collective(name):
        data["collective"] = True
    if each:
        data["each"] = True
    if jointly:
        data["jointly"] = True
    return Fact("unit", s, e, rule, data)


def _facts_for_list(m, items, role, rule, each=False, jointly=False) -> list[Fact]:
    out, prefix = [], ""
    for s, e, name, joint in items:
        own_role = joint if joint in ("lead", "co") else role     # X会同Y
        out.append(_fact(m, s, e, name, own_role, rule, each=each, jointly=bool(jointly or joint),
                         context_prefix=prefix))
        prefix = m.admin_prefix(name) or prefix
    return out


_CLAUSE_SEP = re.compile(r"[,;，；。]")


_OFFICE = re.compile(r"(?![区市县省州镇乡])[\u4e00-\u9fff]{2,16}(?:处|科|室|股|所|站|队)")


def _qualifies_unit_before(view: str, s: int, e: int, m: UnitMatcher) -> bool:
    """A bracket naming one office right after a unit's name qualifies that name
    (报备至执法应急局（危险化学品安全监督管理处）): it is no list of the item's units."""
    before = re.search(r"[\u4e00-\u9fff]{2,12}$", view[max(0, s - 13):s - 1])
    return (before is not None and m.is_unit(before.group())
            and _OFFICE.fullmatch(view[s:e].strip()) is not None)


def _parse_group(view: str, s: int, e: int, m: UnitMatcher, trailing: bool) -> list[Fact]:
    """Units in one bracket group: labelled (责任单位：…) or ended by a role verb."""
    content = view[s:e]
    if _ALIAS_NOTE.match(content):
        return []       # (以下简称本局): a short name for what precedes, no list of units
    facts: list[Fact] = []
    labels = list(m.label_rx.finditer(content))
    if labels and labels[0].start() == len(content) - len(content.lstrip()):
        for k, lab in enumerate(labels):
            seg_end = labels[k + 1].start() if k + 1 < len(labels) else len(content)
            seg = _until_other_field(content[lab.end():seg_end], m.other_field_rx).rstrip(" ,;，；。")
            facts += _label_facts(m, re.sub(r"\s", "", lab.group("label")), seg, s + lab.end(), "bracket-label")
        return facts
    pending: list[tuple[int, int]] = []
    # a full stop inside the bracket ends a clause too: （…负责，各市政府负责落实。以下均需…）
    for cs, ce in _top_level_split(content, _CLAUSE_SEP):
        clause = content[cs:ce].rstrip(" 。")
        if m.scope_rx is not None and m.scope_rx.search(clause):
            pending = []
            continue    # 以下均需各市政府落实: units of the later items (scope_notes), not of this one
        vm = m.verb_tail.search(clause)
        if not vm:
            pending.append((cs, cs + len(clause)))
            continue
        role = m.roles[vm.group("verb")]
        mod = vm.group("mod") or ""
        each = mod in m.each_words
        jointly = mod in m.jointly_words
        by = _BY.match(clause)          # （由法规处牵头，…）: the units follow 由
        start = by.end() if by and by.end() < vm.start() else 0
        items = []
        for ps, pe in pending:
            items += m.split_list(content[ps:pe], s + ps, accept_bare=False)
        pending = []
        items += _bracket_list(m, clause[start: vm.start()], s + cs + start)
        facts += _facts_for_list(m, items, role, "bracket-verb", each=each, jointly=jointly)
    if not facts and pending and trailing and not _qualifies_unit_before(view, s, e, m):
        # (区管委会，2016年4月底前完成。列第一位的为牵头单位，下同): the bracket's time limit and its
        # note on roles are no units
        timed = [(ps, pe) for ps, pe in pending if _TIME_CLAUSE.match(content[ps:pe].strip())
                 or content[ps:pe].strip() in ("下同", "以下同")
                 or (m.first_lead_rx is not None and m.first_lead_rx.search(content[ps:pe]))]
        if timed and len(timed) < len(pending):
            pending = [p for p in pending if p not in timed]
        items = []
        for ps, pe in pending:
            part = m.split_list(content[ps:pe], s + ps, accept_bare=False) or _mostly_units(m, content[ps:pe], s + ps)
            if not part:
                return []
            items += part
        facts += _facts_for_list(m, items, "responsible", "bracket-units")
    return facts


_BY = re.compile(r"\s*由")
# a person (刘某同志) or a leader's instruction (请…阅处, 照办) ends like a body's name but names none
_PERSON_OR_INSTRUCTION = re.compile(r"同志|^请|(?:阅处|阅办|照办|即办)$")
_LATER_CLAUSE = re.compile(r"[,;。][^,;。]{4,}")
_SHORT_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}")
# a time limit written beside a bracket's units: 2016年4月底前完成, 6月底前, 长期坚持
_TIME_CLAUSE = re.compile(r"(?:(?:\d{4}|[一二〇○零]{4})年)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})?[年月日季][^,;()]{0,10}|(?:长期|持续|常态化|定期|按时)[\u4e00-\u9fff]{0,4}|\d{4}年[^,;()]{0,10}")


_BRACKET_NAME = re.compile(r"[\u4e00-\u9fff]{3,8}")   # 区红十字会; not 经费


def _bracket_list(m: UnitMatcher, text: str, offset: int) -> list[tuple[int, int, str, bool]]:
    """The list a bracket's role verb closes (（区红十字会、各乡镇负责）): all unit names, or a
    list of two or more where some are units and the others short names ending as a body
    does (units.yml bracket_name_ends: the bracket and its verb already say they are bodies)."""
    items = m.split_list(text, offset, accept_bare=False)
    if items:
        return items
    items = m.split_list(text, offset, accept_bare=True)
    if len(items) < 2 or not any(m.is_unit(n) for _, _, n, _ in items):
        return []
    if all(m.is_unit(n) or (_BRACKET_NAME.fullmatch(n) and n.endswith(m.bracket_name_ends)
                             and not _NOT_A_BARE_NAME.search(n)) for _, _, n, _ in items):
        return items
    return []


def _mostly_units(m: UnitMatcher, text: str, offset: int) -> list[tuple[int, int, str, bool]]:
    """A trailing bracket listing three or more names, two thirds of them units and the rest
    short abbreviations (核安会、外交部、国防部、经济部): every name is a unit."""
    items = [(a, b - 1, n[:-1], j) if n.endswith("等") and len(n) > 2 else (a, b, n, j)   # 核安會等
             for a, b, n, j in m.split_list(text, offset, accept_bare=True)]
    if len(items) < 3:
        return []
    units = sum(m.is_unit(n) for _, _, n, _ in items)
    if units * 3 < len(items) * 2 or not all(m.is_unit(n) or _SHORT_NAME.fullmatch(n) for _, _, n, _ in items):
        return []
    return items


def _line_facts(view: str, s: int, e: int, m: UnitMatcher) -> list[Fact]:
    line = view[s:e]
    for r in m.line_rules:
        hit = m.rules.regex(r["pattern"]).match(line)
        if not hit:
            continue
        label = hit.group("label")
        if label in m.labels:
            seg = _until_other_field(hit.group("units"), m.other_field_rx)
            glued = _GLUED_ITEM.search(seg)     # a page that lost its line breaks: …各乡镇人民政府（二）开展巡查
            seg = seg[: glued.start()] if glued else seg
            sentence = m.glued_sentence_rx.search(seg) if m.glued_sentence_rx is not None else None
            seg = (seg[: sentence.start()] if sentence else seg).rstrip(" ,;，；。")
            return _label_facts(m, label, seg, s + hit.start("units"), r["name"])
        if r["name"] != "unit-line":
            facts = []
            for g, vg in (("units", "verb"), ("units2", "verb2")):
                if hit.groupdict().get(g) and hit.groupdict().get(vg):
                    items = m.split_list(hit.group(g), s + hit.start(g), accept_bare=False)
                    facts += _facts_for_list(m, items, m.roles[hit.group(vg)], r["name"])
            return facts
    return []


_GLUED_ITEM = re.compile(r"[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十\d]{1,3}\)|(?<![\d.])\d{1,2}[.、](?!\d)")
_NO_MORE = re.compile(r"不再(?:一一)?列出|(?:以)?下同")


def _label_facts(m: UnitMatcher, label: str, seg: str, offset: int, rule: str) -> list[Fact]:
    """The units a label gives (a line, a bracket, or a label run into the text): each
    clause's verb its role inside a 责任单位 list, else the label's role for the whole list.
    Names a label gives are units even unknown ones, but a 领导 label names persons
    (牵头领导：张某某), so only a real unit name there is a unit."""
    role = m.labels[label]
    roled = _roled_clauses(m, seg, offset, rule) if role == "responsible" else []
    if roled:
        return roled
    items = m.split_list(seg, offset, accept_bare="领导" not in label)
    return _facts_for_list(m, items, role, rule)


def _roled_clauses(m: UnitMatcher, seg: str, offset: int, rule: str) -> list[Fact]:
    """A 责任单位 line whose clauses end in role verbs names each list's own role:
    责任单位：区甲局牵头，区乙局等参与，各乡镇负责落实; a clause without one keeps the label's
    (responsible). [] when no clause has a verb (a scope note such as 以下均需各乡镇落实，
    不再列出 is left to scope_notes)."""
    facts: list[Fact] = []
    verbs = 0
    for cs, ce in _top_level_split(seg, _CLAUSE_SEP):
        clause = seg[cs:ce].rstrip(" 。")
        if not clause.strip() or _NO_MORE.fullmatch(clause.strip()) or \
                (m.scope_rx is not None and m.scope_rx.search(clause)):
            continue
        vm = m.verb_tail.search(clause)
        mod = vm.group("mod") or "" if vm else ""
        items = m.split_list(clause[: vm.start()] if vm else clause, offset + cs, accept_bare=True)
        if not items:
            return []
        verbs += vm is not None
        facts += _facts_for_list(m, items, m.roles[vm.group("verb")] if vm else "responsible", rule,
                                 each=mod in m.each_words, jointly=mod in m.jointly_words)
    return facts if verbs else []


@lru_cache(maxsize=1)
def _jieba_for(words: tuple[str, ...]):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for w in words:
        tok.add_word(w, freq=20000)
    return tok


def tokenizer(rules: RuleSet):
    """A jieba tokenizer that knows unit names: gazetteer × admin prefixes, aliases
    (built once per RuleSet: the word list has thousands of entries)."""
    return rules.built("units.tokenizer", lambda: _build_tokenizer(rules))


def _build_tokenizer(rules: RuleSet):
    m = matcher(rules)
    words = set(m.gazetteer)
    for g in m.gazetteer:
        for p in m.admin:
            words.add(p + g)
    for alias, canon in m.aliases:
        words.add(alias.lstrip("*"))
        words.add(canon.lstrip("*"))
        for p in m.admin:
            words.add(p + alias.lstrip("*"))
    return _jieba_for(tuple(sorted(words)))


# Where a clause starts (a unit named at a clause start needs no admin prefix:
# 房管所负责…, 由村委会负责…) and characters no unit name at a clause start contains.
# (成立X小组, 领导小组下设办公室: the body set up starts a name; so does a space after a
# heading's number: 2.4 应急领导小组办公室职责, or a year: 2016年某局环境保护目标责任)
_CLAUSE_START = set("\n。;:,!?、由.) \t年") | {"会同", "配合", "成立", "设立", "设置", "组建", "下设"}
_NOT_A_NAME = re.compile(r"[要将对在把向按请以从为并及时须]|应(?!急)")    # 应急管理局 is a name


def _after_heading_number(view: str, s: int, rules: RuleSet) -> bool:
    """``s`` follows only its line's heading number (rules/headings.yml): 第三条某区财政局的主要职责是："""
    head = view[view.rfind("\n", 0, s) + 1:s]
    return bool(head.strip()) and len(head) <= 12 and numbering_end(head, rules) >= len(head.rstrip())


def _trim_to_units(view: str, s: int, e: int, m: UnitMatcher, rules: RuleSet):
    """The longest unit list ending at e that starts where a unit name can start: at
    the clause start, or at a jieba token that opens with an admin prefix or is a
    known unit name."""
    text = view[s:e]
    for w in m.each_words:
        if text.endswith(w):
            text = text[: -len(w)]
    acting = text.find("作为")
    if acting >= 2:         # 区行政服务中心作为建设单位牵头实施: the unit is named before 作为
        text = text[:acting]
    # (a body an organisation sets up starts its own name: 本校设创新创业教育中心，负责…)
    at_clause_start = s == 0 or view[s - 1] in _CLAUSE_START or view[max(0, s - 2):s] in _CLAUSE_START \
        or _after_heading_number(view, s, rules) or re.search(r"本[\u4e00-\u9fff]设$", view[max(0, s - 3):s]) is not None
    if at_clause_start and text[:1] in OPEN:      # （X、Y牵头落实）: the list starts inside the bracket
        s, text = s + 1, text[1:]
    num = _ITEM_NUMBER.match(text)
    if num and at_clause_start:
        s, text = s + num.end(), text[num.end():]
        glued = _GLUED_HEADING.match(text)       # 五、抓好乡村绿化区财政金融局负责: the item's title, then the unit
        if glued and len(text) - glued.end() >= 3:
            items = m.split_list(text[glued.end():], s + glued.end(), accept_bare=False)
            if items:
                return items
    opener = m.clause_opener_rx.match(text) if at_clause_start and m.clause_opener_rx is not None else None
    if opener and len(text) - opener.end() >= 2:    # 每季度片区扶贫办配合…: when, then who
        s, text = s + opener.end(), text[opener.end():]
    if at_clause_start and text[:1] in ("请", "由"):   # 请X会同…, 由X负责: the unit follows
        s, text = s + 1, text[1:]
    owned = re.match(r"其?(所属|下属)的?", text)     # 其所属的渔港监督机构: the unit is what follows
    if at_clause_start and owned and len(text) - owned.end() >= 2:
        s, text = s + owned.end(), text[owned.end():]
    verb = _VERB_START.match(text) if at_clause_start else None
    rest = text[verb.end():] if verb else ""
    # 协调小组, 组织部: a name that opens like a verb (but 加强部门 is no name)
    if verb and (rest not in m.suffixes or (m.not_a_unit is not None and m.not_a_unit.fullmatch(rest))):
        return []
    if at_clause_start and len(text) <= 30 and not _NOT_A_NAME.search(text):
        items = m.split_list(text, s, accept_bare=False)
        if items:
            return items
    starts = []
    pos = 0
    prefixes, gaz, gaz_ends = _token_tests(rules)
    for tok in tokenizer(rules).cut(text, HMM=False):
        # a token that opens with an admin prefix, is a unit, or ends with one (卫健委);
        # not a counted kind (等5个乡镇: 乡镇 after 个 names no body)
        if (tok.startswith(prefixes) or tok in gaz or tok.endswith(gaz_ends)) and text[pos - 1:pos] != "个":
            starts.append(pos)
        pos += len(tok)
    for st in starts:
        items = m.split_list(text[st:], s + st, accept_bare=False)
        if items:
            return items
    return []


def _token_tests(rules: RuleSet) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    def build():
        m = matcher(rules)
        # a token equal to a one-character name is in the set; longer names may also end one
        return tuple(m.prefixes), frozenset(m.gazetteer), tuple(g for g in m.gazetteer if len(g) > 1)
    return rules.built("units.token_tests", build)


# words no department name contains (应急, 安全 are names; 应当, 要 are not)
_NOT_A_BARE_NAME = re.compile(r"要|将|对|在|把|向|请|并|及时|应当|须|按照|负责")
_GROUP_JOIN = re.compile(r"等(?:有关|相关)?(?:部门|单位|群团组织|组织|机构)(?:\((?:单位|部门)\))?(?:和|及|以及|、)")


def _bare_names(view: str, s: int, e: int, m: UnitMatcher, long_name: bool = False):
    """Short department names a phrase like 等部门 vouches for (发展改革、财政、人社;
    …市场监管等部门(单位)和工会、妇联等群团组织); with ``long_name``, one unit's name of any
    length (执行机关为财政部国有财产署所属分署)."""
    items = []
    if view[s:s + 1] == "由" and (s == 0 or view[s - 1] in _CLAUSE_START):
        s += 1          # 由苏澳、平原等5个乡镇负责: the names follow 由
    pos = s
    for j in [*_GROUP_JOIN.finditer(view, s, e), None]:
        end = j.start() if j else e
        items += m.split_list(view[pos:end], pos, accept_bare=True)
        pos = j.end() if j else e
    items = [it for it in items if it[2] not in ("和", "及")]
    if items and m.government_level is not None:     # 县级以上人民政府发展改革、公安…等部门
        a, b, n, j = items[0]
        lead = m.government_level.match(n)
        if lead and lead.end() < len(n):
            items[0] = (a + lead.end(), b, n[lead.end():], j)
    one_unit = long_name and len(items) == 1 and m.is_unit(items[0][2])
    if not items or any((len(n) > 10 and not one_unit) or _NOT_A_BARE_NAME.search(n) or _PERSON_OR_INSTRUCTION.search(n)
                        for _, _, n, _ in items):
        return []
    return items


class LeadNote(NamedTuple):
    """Where lists start naming their lead by position, and how: their first unit, or
    every unit before their first comma (逗号前为牵头单位)."""
    start: int
    before_comma: bool = False


def first_listed_lead_from(view: str, rules: RuleSet) -> LeadNote | None:
    """Where a note such as （除标注“分别牵头”外，列第一位为牵头单位，下同） makes the first
    unit of each later list the lead (the others co); None when the document has none."""
    m = matcher(rules)
    hit = m.first_lead_rx.search(view) if m.first_lead_rx is not None else None
    if hit is None:
        return None
    before_comma = bool(hit.groupdict().get("before_comma"))
    # a note about the whole document (本实施细则中…排序在第一位的…) covers the lists before it too
    sentence = max(view.rfind(c, 0, hit.start()) for c in "。;\n") + 1
    if m.first_lead_scope_rx is not None and m.first_lead_scope_rx.search(view, sentence, hit.start()):
        return LeadNote(0, before_comma)
    # a note at the end of a unit bracket ([市体育局，各区政府，列第一位的为牵头单位，下同])
    # covers that bracket's own list too
    line_start = view.rfind("\n", 0, hit.start()) + 1
    opened: list[int] = []
    for i in range(line_start, hit.start()):
        if view[i] in OPEN:
            opened.append(i)
        elif view[i] in CLOSE and opened:
            opened.pop()
    return LeadNote(opened[0] if opened else hit.end(), before_comma)


def document_short_names(view: str, rules: RuleSet) -> frozenset[str]:
    """Short names the document gives its units: 核能安全委员会（以下简称核安会） makes 核安会
    a unit wherever it appears, though no suffix rule knows it."""
    m = matcher(rules)
    if m.short_name_rx is None:
        return frozenset()
    return frozenset(hit.group("short") for hit in m.short_name_rx.finditer(view)
                     if m.is_unit(hit.group("full")) and not m.is_unit(hit.group("short")))


def scope_notes(view: str, rules: RuleSet) -> list[tuple[int, list[Fact]]]:
    """Notes such as （…以下均需各市、县人民政府落实，不再一一列出） that assign units to
    every later item: (where the note ends, its unit facts; role responsible unless the
    note's verb gives one: 以下均需相关乡镇配合 → co)."""
    m = matcher(rules)
    if m.scope_rx is None:
        return []
    notes = []
    for hit in m.scope_rx.finditer(view):
        items = m.split_list(hit.group("units"), hit.start("units"), accept_bare=False)
        verb = hit.groupdict().get("verb")
        if items:
            notes.append((hit.end(), _facts_for_list(m, items, m.roles.get(verb, "responsible") if verb else "responsible",
                                                     "scope-note")))
    return notes


def with_scope_notes(facts: list[Fact], at: int, notes: list[tuple[int, list[Fact]]]) -> list[Fact]:
    """The unit facts of an item starting at ``at`` plus those of every earlier scope note
    whose units the item does not name already."""
    named = {f.data["unit"] for f in facts if f.kind == "unit"}
    extra = []
    for end, note_facts in notes:
        if end <= at:
            for f in note_facts:
                if f.data["unit"] not in named:
                    named.add(f.data["unit"])
                    extra.append(dataclasses.replace(f, data=dict(f.data)))
    return facts + extra


def _first_listed_lead(facts: list[Fact], view: str, note: LeadNote) -> list[Fact]:
    """One list of units, all 'responsible' and none 'each': the first leads, or those before
    the list's first comma (the note names the lead only; the others stay responsible, as next
    to a 牵头单位 line; a list with no comma names no lead)."""
    if len(facts) < 1 or any(f.data["role"] != "responsible" or f.data.get("each") for f in facts):
        return facts
    if not note.before_comma:
        facts[0].data["role"] = "lead"
        return facts
    first, last = min(f.start for f in facts), max(f.start for f in facts)
    comma = view.find(",", first, last)
    for f in facts:
        if 0 <= comma and f.start < comma:
            f.data["role"] = "lead"
    return facts


def live_sentence_rules(view: str, rules: RuleSet) -> tuple[dict, ...]:
    """The sentence rules that can match somewhere in ``view`` (a document's match view):
    one lacking a word it needs matches on none of its lines. Computed once per document
    and passed to find_units as ``live``: the same facts, shorter loops over the lines."""
    return tuple(r for r in matcher(rules).sentence_rules if rules.could_match(r["pattern"], view))


def find_units(view: str, spans: list[tuple[int, int]], rules: RuleSet,
               first_lead: LeadNote | None = None, known: frozenset[str] = frozenset(),
               live: tuple[dict, ...] | None = None) -> list[Fact]:
    """Every unit assignment inside the given spans of the match view.

    ``first_lead``: where and how lists name their lead by position
    (see first_listed_lead_from). ``known``: the document's short names for units
    (see document_short_names). ``live``: live_sentence_rules of ``view`` (default: every rule)."""
    m = matcher(rules).with_known(known)

    def listed(found: list[Fact], at: int) -> list[Fact]:
        return _first_listed_lead(found, view, first_lead) if first_lead is not None and at >= first_lead.start else found

    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for start, end in spans:
        # Lines first: a labelled unit line is all units.
        for ls, le in _logical_lines(view, start, end):
            line = view[ls:le]
            if is_unit_line(line, rules):
                facts += listed(_line_facts(view, ls, le, m), ls)
                taken.append((ls, le))
                continue
            tail = m.tail_label_rx.search(view, ls, le)
            if tail:
                us = tail.start("units")
                seg = tail.group("units")
                glued = _GLUED_ITEM.search(seg)       # …区交建局三、保障措施: the next heading
                seg = (seg[: glued.start()] if glued else seg).rstrip(" ,;")
                found = _label_facts(m, tail.group("label"), seg, us, "tail-label")
                if found:
                    facts += listed(found, us)
                    taken.append((tail.start(), le))
            groups = bracket_groups(view, ls, le)
            for k, (gs, ge, closed) in enumerate(groups):
                if any(a < gs and ge <= b for a, b in taken):
                    continue        # an alias inside a label's list: 牵头单位：区招商局（产业办）
                tail = view[ge + (1 if closed else 0):le].strip(" 。;,\n")
                found = listed(_parse_group(view, gs, ge, m, trailing=not tail), gs)
                if found:
                    facts += found
                    # clauses after the bracket's last assignment stay open to the sentence
                    # rules (…由法规处牵头，规划处、办公室协同提出意见）
                    # (not a scope note: 以下均需各乡镇配合 names the later items' units)
                    rest = _LATER_CLAUSE.search(view, max(f.end for f in found), ge)
                    if rest and m.scope_rx is not None and m.scope_rx.search(view, rest.start(), ge):
                        rest = None
                    taken.append((gs - 1, rest.start() if rest else ge + 1))
            for r in m.sentence_rules if live is None else live:
                if not rules.could_match(r["pattern"], view, ls, le):
                    continue        # the line lacks the rule's verb: no scan (most lines)
                for hit in rules.regex(r["pattern"]).finditer(view, ls, le):
                    us, ue = hit.span("units")
                    # 由甲医院牵头、成员单位共同参与: the units start after the list item that
                    # holds what is already taken
                    for a, b in taken:
                        if us <= b < ue and a < ue:
                            sep = re.search(r"[、,;，；]", view[b:ue])
                            us = max(us, b + sep.end() if sep else ue)
                    if ue - us < 2 or any(a <= us < b or a < ue <= b for a, b in taken):
                        continue
                    verb = hit.group("verb")
                    role = (r.get("role") or m.roles.get(verb) or m.labels.get(verb)
                            or m.roles.get(verb.replace("分别", "").replace("共同", "")) or "responsible")
                    if r.get("bare_names"):
                        items = _bare_names(view, us, ue, m, long_name=bool(r.get("long_name")))
                    else:
                        items = _trim_to_units(view, us, ue, m, rules)
                    # descriptions in running text name nobody (各项目牵头单位, 会同有关部门)
                    if m.not_a_unit is not None:
                        items = [it for it in items if not m.not_a_unit.fullmatch(it[2])]
                    if not items:
                        continue
                    each = "分别" in verb or any(view[ue - len(w):ue] == w for w in m.each_words)
                    jointly = verb in m.jointly_words or any(j for *_, j in items)
                    facts += _facts_for_list(m, items, role, r["name"], each=each, jointly=jointly)
                    taken.append((items[0][0], items[-1][1]))
    return _drop_restated(_dedupe(facts))


def _drop_restated(facts: list[Fact]) -> list[Fact]:
    """A unit a task names with a role (主办处室：开发指导处 → lead) and again in a bare bracket
    of one of its parts (…（开发指导处）) is that role's unit: the bare 'responsible' adds nothing."""
    # a budget's title (duty-list-heading) and its own duty heading name the same body once
    named = {(f.data["unit"], f.data["role"]) for f in facts if f.rule != "duty-list-heading"}
    facts = [f for f in facts if f.rule != "duty-list-heading" or (f.data["unit"], f.data["role"]) not in named]
    roled = {f.data["unit"] for f in facts if f.data["role"] in ("lead", "co")}
    if not roled:
        return facts
    return [f for f in facts
            if not (f.rule == "bracket-units" and f.data["role"] == "responsible" and f.data["unit"] in roled)]


def _logical_lines(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Line spans, a line whose bracket a converter wrapped joined with the next."""
    spans, pos = [], start
    for line in view[start:end].split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _open_depth(view, *out[-1]) > 0 and _closes_on_next_line(view, s, end):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _open_depth(view: str, s: int, e: int) -> int:
    depth = 0
    for ch in view[s:e]:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
    return depth


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen, out = set(), []
    for f in sorted(facts, key=lambda f: f.start):
        key = (f.start, f.end, f.data["role"])
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
