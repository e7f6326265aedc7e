"""Ingested documents as JSON, the hand-over between the DVC ingest and extract stages."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .emit import write_atomic
from .model import Block, Document, Warning_

FORMAT_VERSION = 1
# `run` keeps each document's cleaned text here (OUT/ingested/<source>.json), for the review site
RUN_TEXT_DIR = "ingested"


def save_document(path: Path, doc: Document, doc_id: str) -> None:
    data = {
        "format_version": FORMAT_VERSION,
        "id": doc_id,
        "source": doc.source,
        "format": doc.format,
        "pages": doc.pages,
        "encoding": doc.encoding,
        "pages_ocr": doc.pages_ocr,
        "ocr_confidence": doc.ocr_confidence,
        "page_meta": doc.page_meta,
        "warnings": [asdict(w) for w in doc.warnings],
        "blocks": [asdict(b) for b in doc.blocks],
    }
    write_atomic(path, json.dumps(data, ensure_ascii=False))


def load_document(path: Path) -> tuple[Document, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: unknown ingested-document format {data.get('format_version')!r}")
    doc = Document(source=data["source"], format=data["format"], pages=data["pages"],
                   encoding=data["encoding"], page_meta=data["page_meta"],
                   pages_ocr=data.get("pages_ocr", []), ocr_confidence=data.get("ocr_confidence"))
    doc.blocks = [Block(**b) for b in data["blocks"]]
    doc.warnings = [Warning_(w["code"], w["message"], tuple(w["span"]) if w.get("span") else None, w.get("page"))
                    for w in data["warnings"]]
    doc.build()
    return doc, data["id"]
