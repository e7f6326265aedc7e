"""Build the section tree from numbered headings (patterns: rules/headings.yml).

A heading's level is the rank of its numbering style within this document, in order
of first appearance (styles with an explicit ``rank`` such as 第一章 come first), so
documents that skip levels or mix styles still nest as they read.
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
        {"pattern": {"type": "string"}, "rank": {"type": "integer"}, "inline": {"type": "boolean"}},
        required=("name", "pattern"),
    ),
)

UNNUMBERED = "unnumbered-heading"
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


def build_tree(doc: Document, rules: RuleSet) -> Node:
    explicit = {r["name"]: r["rank"] for r in rules.rules("headings.yml") if "rank" in r}
    inline = inline_styles(rules)
    marks: list[tuple[int, str, str] | None] = []
    first_seen: dict[str, int] = {}
    for i, b in enumerate(doc.blocks):
        mark = None
        if b.kind != "table_row":
            hit = classify(match_view(b.text), rules)
            if hit and hit[0] not in inline:
                mark = (i, hit[0], b.text[: len(hit[1])])
            elif b.kind == "heading" and not hit:
                mark = (i, UNNUMBERED, "")
        marks.append(mark)
        if mark:
            first_seen.setdefault(mark[1], i)
    # Unnumbered headings (a forwarded plan's title, a DOCX Heading 1) sit above all
    # numbered ones; explicit ranks next; then order of first appearance.
    order = sorted(first_seen, key=lambda s: (-1 if s == UNNUMBERED else explicit.get(s, 100), first_seen[s]))
    level_of = {s: n + 1 for n, s in enumerate(order)}

    root = Node("root", 0, "", "", None)
    stack = [root]
    for i, b in enumerate(doc.blocks):
        mark = marks[i]
        if mark is None:
            stack[-1].body.append(i)
            continue
        _, style, number = mark
        level = level_of[style]
        rest = b.text[len(number):].strip()
        m = _TITLE_END.search(rest)
        title = rest[: m.start()] if m else rest
        while stack[-1].level >= level:
            stack.pop()
        node = Node(style, level, number.strip(), title.strip(), i, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root
