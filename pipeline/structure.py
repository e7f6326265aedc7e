"""Build the section tree from numbered headings (patterns: rules/headings.yml).

A heading's level is the rank of its numbering style within the part of the document
it sits in, decided as the document reads (see build_tree), so documents that skip
levels, start at （一） or use 1. under 一、 in one part and under （一） in another
still nest as they read. A heading without numbering that its format states (a DOCX
Heading 2 or 标题 2 style, an HTML <h2>, a Markdown ## in TXT) is a section too, at the
level the format gives it (Block.level_hint).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Document
from .normalize import match_view
from .rules import RuleSet, register_schema, rule_list_schema

register_schema(
    "headings.yml",
    rule_list_schema(
        {"pattern": {"type": "string"}, "rank": {"type": "integer"}, "inline": {"type": "boolean"},
         "above": {"type": "array", "items": {"type": "string"}}},
        required=("name", "pattern"),
    ),
)

# Formats whose level_hint the author stated (a style, a tag, a # mark); a PDF's or an
# OFD's hint is guessed from font sizes and would turn a bold sentence into a section.
STATED_HINTS = frozenset({"docx", "doc", "odt", "html", "txt"})
HINTED = "hinted"        # the style of a section made from an unnumbered stated heading

# A numbered block longer than this, or with a sentence inside, is an item with a body
# rather than a bare heading; its title is its first clause.
_TITLE_END = re.compile(r"[。;；!！?？]")


@dataclass
class Node:
    style: str
    level: int
    number: str                   # the numbering as written: "一、", "（二）"
    title: str                    # heading text without the number, up to the first 。
    block: int | None             # index of the heading block (None for the root)
    body: list[int] = field(default_factory=list)     # following unnumbered blocks
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = field(default=None, repr=False)

    def path(self) -> list[str]:
        out, node = [], self
        while node is not None and node.block is not None:
            out.append(node.heading)
            node = node.parent
        return out[::-1]

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def to_dict(self) -> dict:
        return {
            "heading": self.heading,
            "style": self.style,
            "level": self.level,
            "children": [c.to_dict() for c in self.children],
        }


def classify(view: str, rules: RuleSet) -> tuple[str, str] | None:
    """(style name, number as matched) of a line's leading numbering, if any."""
    stripped = view.lstrip()
    lead = len(view) - len(stripped)
    for r in rules.rules("headings.yml"):
        m = rules.regex(r["pattern"]).match(stripped)
        if m:
            return r["name"], view[: lead + m.end()]
    return None


def inline_styles(rules: RuleSet) -> set[str]:
    return {r["name"] for r in rules.rules("headings.yml") if r.get("inline")}


def _stated_level(doc: Document, i: int) -> int | None:
    """The heading level block ``i``'s format states (a heading style or tag), if any."""
    b = doc.blocks[i]
    if doc.format in STATED_HINTS and b.kind == "heading" and b.level_hint is not None and b.level_hint >= 1:
        return b.level_hint
    return None


def build_tree(doc: Document, rules: RuleSet) -> Node:
    explicit = {r["name"]: r["rank"] for r in rules.rules("headings.yml") if "rank" in r}
    above = {r["name"]: set(r["above"]) for r in rules.rules("headings.yml") if r.get("above")}
    inline = inline_styles(rules)
    marks: list[tuple[int, str, str] | None] = []
    # The document's title is no section: the headings before its first body paragraph
    # (title, subtitle), and its first unnumbered heading when no section opened before
    # it (a title after a date line). The same document as TXT has them as plain lines.
    body_from = next((i for i, b in enumerate(doc.blocks) if b.kind != "heading"), len(doc.blocks))
    title_seen = body_from > 0
    for i, b in enumerate(doc.blocks):
        mark = None
        if b.kind != "table_row":
            hit = classify(match_view(b.text), rules)
            if hit and hit[0] not in inline:
                mark = (i, hit[0], b.text[: len(hit[1])])
            elif hit is None and b.kind == "heading" and b.level_hint == 0:
                title_seen = True           # a DOCX Title style
            elif hit is None and _stated_level(doc, i) is not None:
                if i > body_from and (title_seen or any(marks)):
                    mark = (i, HINTED, "")
                title_seen = True
        marks.append(mark)
    # Levels are decided as the document reads: a style already open on the stack
    # closes everything below it (a sibling); a style not open yet nests under the
    # current heading. So 1. nests under 一、 in one part and under （一） in another.
    # Styles with an explicit rank (第一章) close everything ranked at or below them.
    root = Node("root", 0, "", "", None)
    stack = [root]
    for i, b in enumerate(doc.blocks):
        mark = marks[i]
        if mark is None:
            stack[-1].body.append(i)
            continue
        _, style, number = mark
        rank = explicit.get(style)
        open_styles = [n.style for n in stack]
        if style == HINTED:
            # Inside numbering typed as plain text (二、 as a paragraph) a stated heading is
            # a caption or page chrome (表二：…, an <h3>评论回复</h3>), not a section.
            if len(stack) > 1 and _stated_level(doc, stack[1].block) is None:
                stack[-1].body.append(i)
                continue
            # Otherwise it nests under the innermost open heading stated at a higher level
            # and closes everything else.
            level = _stated_level(doc, i) or 1
            while len(stack) > 1 and (_stated_level(doc, stack[-1].block) or level) >= level:
                stack.pop()
        elif style in open_styles:
            del stack[open_styles.index(style):]
        elif rank is not None:
            while len(stack) > 1 and not (stack[-1].style in explicit and explicit[stack[-1].style] < rank):
                stack.pop()
        elif style in above:
            # 一、 never nests under a 1. or （一） (a numbered list in the preamble: …为：
            # 1.新开工2912套；2.基本建成1754套。…如下：一、…)
            while len(stack) > 1 and stack[-1].style in above[style]:
                stack.pop()
        rest = b.text[len(number):].strip()
        m = _TITLE_END.search(rest)
        title = rest[: m.start()] if m else rest
        node = Node(style, len(stack), number.strip(), title.strip(), i, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root
