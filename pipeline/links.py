"""Link cited documents to other documents of the same batch, by title or 发文字号."""
from __future__ import annotations

import re
from pathlib import Path

_PUNCT = re.compile(r"[\s《》〈〉<>“”\"'()（）]")


def _key(title: str | None) -> str | None:
    return _PUNCT.sub("", title) if title else None


def link_references(out_dir: Path, outcomes) -> list[dict]:
    """Edges {from, to, by} between documents of the batch (report's reference graph)."""
    by_title, by_number = {}, {}
    for o in outcomes:
        if o.info.get("id") is None:
            continue
        if o.info.get("title"):
            by_title.setdefault(_key(o.info["title"]), o)
        if o.info.get("doc_number"):
            by_number.setdefault(o.info["doc_number"], o)
    edges = []
    for o in outcomes:
        for ref in o.info.get("references", []):
            target, by = None, None
            if ref.get("doc_number") and ref["doc_number"] in by_number:
                target, by = by_number[ref["doc_number"]], "doc_number"
            elif ref.get("title") and _key(ref["title"]) in by_title:
                target, by = by_title[_key(ref["title"])], "title"
            if target is not None and target.info["id"] != o.info["id"]:
                edges.append({"from": o.source, "to": target.source, "to_id": target.info["id"], "by": by,
                              "cited": ref.get("title") or ref.get("doc_number")})
    return edges
