"""Remove site furniture and spam lines; flag mojibake. Patterns: rules/junk.yml."""
from __future__ import annotations

from .model import Document
from .normalize import match_view
from .rules import RuleSet, register_schema, rule_list_schema

_PATTERN_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "pattern"],
        "properties": {"name": {"type": "string"}, "pattern": {"type": "string"}},
    },
}

register_schema(
    "junk.yml",
    rule_list_schema(
        {"pattern": {"type": "string"}},
        required=("name", "pattern"),
        top={
            "head_window": {"type": "integer", "minimum": 0},
            "head_max_chars": {"type": "integer", "minimum": 0},
            "head_rules": _PATTERN_LIST,
            "spam_rules": _PATTERN_LIST,
            "mojibake": _PATTERN_LIST,
            "body_start": _PATTERN_LIST,
        },
    ),
)


def _first(rules: RuleSet, items: list[dict], text: str) -> str | None:
    for r in items:
        if rules.regex(r["pattern"]).search(text):
            return r["name"]
    return None


def clean(doc: Document, rules: RuleSet) -> Document:
    """Drop furniture blocks (kept in page_meta['furniture']) and flag mojibake."""
    cfg = rules.get("junk.yml")
    views = [match_view(b.text).strip() for b in doc.blocks]
    body_start = 0
    window = cfg.get("head_window", 40)
    for i, v in enumerate(views[:window]):
        if _first(rules, cfg.get("body_start", []), v):
            body_start = i
            break
    furniture = doc.page_meta.setdefault("furniture", [])
    kept = []
    for i, (block, view) in enumerate(zip(doc.blocks, views)):
        reason = None
        if block.kind != "table_row":
            reason = _first(rules, cfg["rules"], view) or _first(rules, cfg.get("spam_rules", []), view)
            if reason is None and i < body_start and (
                len(view) <= cfg.get("head_max_chars", 40) or _first(rules, cfg.get("head_rules", []), view)
            ):
                reason = "before-body"
        if reason:
            furniture.append(block.text)
        else:
            kept.append(block)
    doc.blocks = kept
    doc.build()
    view = match_view(doc.text)
    for r in cfg.get("mojibake", []):
        for m in rules.regex(r["pattern"]).finditer(view):
            doc.warn("mojibake", f"garbled characters ({r['name']}): {doc.text[m.start():m.end()]!r}",
                     span=(m.start(), m.end()), page=doc.page_at(m.start()))
    return doc
