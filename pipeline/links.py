"""Link cited documents to other documents of the same batch, by 发文字号 or title.

The run report lists the reference graph; each linked reference in a record gets
``links_to`` with the id of the record it cites.
"""
from __future__ import annotations

import re
from pathlib import Path

from .normalize import match_view
from .recordio import load_record, rewrite_record

_PUNCT = re.compile(r"[\s《》〈〉<>“”\"'()（）]")


def _key(title: str | None) -> str | None:
    return _PUNCT.sub("", match_view(title)) if title else None


def link_references(out_dir: Path, outcomes, rewrite: bool = True) -> list[dict]:
    """Edges {from, to, to_id, by, cited}; records are updated with ``links_to``
    (``rewrite=False``: the batch is the last run's, unchanged, so its records already are)."""
    by_title, by_number = {}, {}
    for o in outcomes:
        if o.info.get("id") is None and o.output and (out_dir / o.output).exists():
            _info_from_record(o, out_dir / o.output)   # unchanged since the last run
        if o.info.get("id") is None:
            continue
        if o.info.get("title"):
            by_title.setdefault(_key(o.info["title"]), o)
        if o.info.get("doc_number"):
            by_number.setdefault(o.info["doc_number"], o)
    edges = []
    for o in outcomes:
        links = {}
        for i, ref in enumerate(o.info.get("references", [])):
            target, by = None, None
            if ref.get("doc_number") and ref["doc_number"] in by_number:
                target, by = by_number[ref["doc_number"]], "doc_number"
            elif ref.get("title") and _key(ref["title"]) in by_title:
                target, by = by_title[_key(ref["title"])], "title"
            if target is not None and target.info["id"] != o.info["id"]:
                links[i] = target.info["id"]
                edges.append({"from": o.source, "to": target.source, "to_id": target.info["id"], "by": by,
                              "cited": ref.get("title") or ref.get("doc_number")})
        if links and o.output and rewrite:
            _write_links(out_dir / o.output, links)
    return edges


def _info_from_record(o, path: Path) -> None:
    doc = load_record(path)["document"]
    o.info.update({"id": doc["id"], "title": doc.get("title"), "doc_number": doc.get("doc_number"),
                   "references": [{"title": r.get("title"), "doc_number": r.get("doc_number")}
                                  for r in doc.get("references", [])]})


def _write_links(path: Path, links: dict[int, str]) -> None:
    record = load_record(path)
    refs = record["document"]["references"]
    changed = False
    for i, target in links.items():
        if i < len(refs) and refs[i].get("links_to") != target:
            refs[i]["links_to"] = target
            changed = True
    if changed:         # a re-run of an unchanged batch rewrites nothing
        rewrite_record(path, record)
