"""Build the section tree from numbered headings (patterns: rules/headings.yml).

A heading's level is the rank of its numbering style within the part of the document
it sits in, decided as the document reads (see build_tree), so documents that skip
levels, start at （一） or use 1. under 一、 in one part and under （一） in another
still nest as they read.
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
    for i, b in enumerate(doc.blocks):
        mark = None
        if b.kind != "table_row":
            hit = classify(match_view(b.text), rules)
            # Unnumbered headings (a title set in a heading style) stay body text: the
            # same document as TXT has no styles, and both must give one tree.
            if hit and hit[0] not in inline:
                mark = (i, hit[0], b.text[: len(hit[1])])
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
        if style in open_styles:
            del stack[open_styles.index(style):]
        elif rank is not None:
            while len(stack) > 1 and not (stack[-1].style in explicit and explicit[stack[-1].style] < rank):
                stack.pop()
        rest = b.text[len(number):].strip()
        m = _TITLE_END.search(rest)
        title = rest[: m.start()] if m else rest
        node = Node(style, len(stack), number.strip(), title.strip(), i, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root
