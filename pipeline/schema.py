"""The published JSON Schema of a record (``policy-pipeline schema`` prints it).

The field names are the contract other systems import; change them only with a new
``schema_version``. Extractors may add fields to facts, so facts allow extra keys;
the documented ones are typed.
"""
from __future__ import annotations

DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
SPAN = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "page": {"type": ["integer", "null"], "minimum": 1},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
    },
}
FACT_BASE = {"text": {"type": "string"}, "rule": {"type": "string"}, "span": SPAN}

UNIT = {
    "type": "object",
    "required": ["text", "unit", "role", "span"],
    "properties": {
        **FACT_BASE,
        "unit": {"type": "string", "minLength": 1},
        "role": {"enum": ["lead", "co", "responsible"]},
        "canonical": {"type": "string"},
        "collective": {"type": "boolean"},
        "each": {"type": "boolean"},
        "jointly": {"type": "boolean"},
    },
}
DEADLINE = {
    "type": "object",
    "required": ["text", "type", "span"],
    "properties": {
        **FACT_BASE,
        "type": {"enum": ["date", "relative", "duration", "recurring"]},
        "date": DATE,
        "resolved": DATE,
        "amount": {"type": ["number", "null"]},
        "unit": {"enum": ["workday", "day", "hour", "minute", "week", "month", "year", None]},
        "anchor": {"type": ["string", "null"]},
        "period": {"type": ["string", "null"]},
        "by": {"type": ["string", "null"]},
        "approximate": {"type": "boolean"},
        "recovered": {"type": "boolean"},
        "extension": {"type": "boolean"},
        "before": {"type": "boolean", "description": "N units before the anchor (会议召开30日前), not after"},
    },
}
CADENCE = {
    "description": "a bare frequency stated for a task (每季度, 定期, 按月): how often, not by when",
    "type": "object",
    "required": ["text", "period", "span"],
    "properties": {
        **FACT_BASE,
        "period": {"enum": ["year", "half_year", "quarter", "month", "week", "day", "regular"]},
        "every": {"type": "integer", "minimum": 1, "description": "every N periods (每3年)"},
    },
}
THRESHOLD = {
    "type": "object",
    "required": ["text", "op", "value", "span"],
    "properties": {
        **FACT_BASE,
        "op": {"enum": [">=", "<=", ">", "<", "==", "between"]},
        "value": {"type": ["number", "array"]},
        "unit": {"type": ["string", "null"]},
        "subject": {"type": ["string", "null"]},
        "period": {"type": ["string", "null"]},
    },
}
REFERENCE = {
    "type": "object",
    "required": ["text", "span"],
    "properties": {
        **FACT_BASE,
        "title": {"type": ["string", "null"]},
        "doc_number": {"type": ["string", "null"]},
        "links_to": {"type": ["string", "null"]},
    },
}
TASK = {
    "type": "object",
    "required": ["id", "path", "text", "text_simplified", "span", "responsible", "deadlines", "thresholds"],
    "properties": {
        "id": {"type": "string"},
        "path": {"type": "array", "items": {"type": "string"}},
        "origin": {"enum": ["item", "inline", "paragraph", "table"]},
        "text": {"type": "string", "minLength": 1},
        "text_simplified": {"type": "string"},
        "span": SPAN,
        "responsible": {"type": "array", "items": UNIT},
        "deadlines": {"type": "array", "items": DEADLINE},
        "thresholds": {"type": "array", "items": THRESHOLD},
        "cadence": {"type": "array", "items": CADENCE},
    },
}
METRIC = {
    "type": "object",
    "required": ["name", "value"],
    "properties": {
        "name": {"type": "string"},
        "value": {"type": ["number", "string", "null"]},
        "unit": {"type": ["string", "null"]},
        "section": {"type": ["string", "null"]},
        "indicator": {"type": ["string", "null"]},
        "span": SPAN,
    },
}
SECTION = {
    "type": "object",
    "required": ["heading", "level", "children"],
    "properties": {
        "heading": {"type": "string"},
        "style": {"type": "string"},
        "level": {"type": "integer"},
        "children": {"type": "array", "items": {"$ref": "#/$defs/section"}},
    },
}
RECORD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://policy-pipeline.example/record-1.schema.json",
    "title": "policy-pipeline record",
    "type": "object",
    "required": ["schema_version", "document", "tasks", "metrics"],
    "$defs": {"section": SECTION},
    "properties": {
        "schema_version": {"const": 1},
        "document": {
            "type": "object",
            "required": ["id", "source", "format", "script", "title", "doc_number", "issuer",
                         "issued_on", "recipients", "references", "warnings"],
            "properties": {
                "id": {"type": "string"},
                "source": {"type": "string"},
                "format": {"enum": ["pdf", "docx", "html", "txt", "ofd", "doc"]},
                "script": {"enum": ["simplified", "traditional", "mixed"]},
                "encoding": {"type": ["string", "null"]},
                "pages": {"type": ["integer", "null"]},
                "pages_ocr": {"description": "PDF pages read by OCR",
                              "type": "array", "items": {"type": "integer"}},
                "ocr_confidence": {"description": "mean OCR recognition score of those pages",
                                   "type": ["number", "null"]},
                "title": {"type": ["string", "null"]},
                "enclosed_title": {"type": ["string", "null"]},
                "doc_number": {"type": ["string", "null"]},
                "issuer": {"type": ["string", "null"]},
                "issuers": {"type": "array", "items": {"type": "string"},
                            "description": "every signatory of a joint document, the first first"},
                "issued_on": DATE,
                "date_source": {"type": ["string", "null"]},
                "year": {"type": ["integer", "null"],
                         "description": "the year year-less dates (年底前) belong to: 成文日期, else title, 发文字号 or a heading"},
                "year_source": {"enum": ["issued_on", "title", "doc_number", "heading", None]},
                "recipients": {"type": "array", "items": {"type": "string"}},
                "cc": {"type": "array", "items": {"type": "string"}},
                "references": {"type": "array", "items": REFERENCE},
                "warnings": {
                    "type": "array",
                    "items": {"type": "object", "required": ["code", "message"]},
                },
                "sections": {"type": "array", "items": {"$ref": "#/$defs/section"}},
            },
        },
        "tasks": {"type": "array", "items": TASK},
        "unattached": {
            "description": "facts found in text that no task owns",
            "type": "object",
            "properties": {"deadlines": {"type": "array", "items": DEADLINE},
                           "thresholds": {"type": "array", "items": THRESHOLD},
                           "cadence": {"type": "array", "items": CADENCE}},
        },
        "metrics": {"type": "array", "items": METRIC},
    },
}


def validate(record: dict) -> None:
    """Raise jsonschema.ValidationError when a record breaks the contract."""
    import jsonschema

    jsonschema.Draft202012Validator(RECORD_SCHEMA).validate(record)
