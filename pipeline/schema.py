"""The published JSON Schema of a record (``policy-pipeline schema`` prints it).

The field names are the contract other systems import; change them only with a new
``schema_version``. The contract is closed: every object allows only the fields listed
here (``additionalProperties: false``), so a field an extractor starts to emit must be
added here, with its description, and to docs/record.md (tests/test_schema.py checks
both). Open by nature: a web page's metadata as found (``document.page.info/meta``).
Dates carry ``format: date`` and ``validate`` enforces it (2021-02-30 is refused).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator


def _closed(description: str, properties: dict, required: tuple[str, ...] = ()) -> dict:
    """An object whose fields are exactly ``properties`` (the contract is closed)."""
    return {"description": description, "type": "object", "additionalProperties": False,
            "required": list(required), "properties": properties}


def _d(description: str, **schema: Any) -> dict:
    return {"description": description, **schema}


def _date(description: str) -> dict:
    # format: date is enforced by validate(); the pattern helps consumers whose validators ignore formats
    return _d(description, type=["string", "null"], format="date", pattern=r"^\d{4}-\d{2}-\d{2}$")


def _strings(description: str) -> dict:
    return _d(description, type="array", items={"type": "string"})


DOC_ID = r"^[0-9a-f]{16}$"
OFFSET_PAIR = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2}
SPAN = _closed("where the text stands in the document's cleaned body text", {
    "page": _d("PDF page (from 1) the span starts on; null for other formats", type=["integer", "null"], minimum=1),
    "start": _d("offset of its first character in the cleaned body text (`policy-pipeline ingest FILE`); "
                "the same offset serves the simplified text", type="integer", minimum=0),
    "end": _d("offset just after its last character", type="integer", minimum=0),
}, ("start", "end"))


def _fact(description: str, properties: dict, required: tuple[str, ...]) -> dict:
    base = {
        "text": _d("the fact as written in the document (original script)", type="string"),
        "rule": _d("name of the rule that produced it (rules/*.yml; `policy-pipeline explain` shows it)",
                   type="string"),
        "span": SPAN,
    }
    return _closed(description, {**base, **properties}, ("text", *required, "span"))


UNIT = _fact("a unit responsible for the task, with its role", {
    "unit": _d("the unit as written (original script)", type="string", minLength=1),
    "role": _d("lead = 牵头; co = 配合/协同/参与/协助; responsible = 责任单位/负责 where no lead/co split is stated",
               enum=["lead", "co", "responsible"]),
    "canonical": _d("full name when rules/unit_aliases.yml knows the abbreviation (发改 → 发展和改革委员会)",
                    type="string"),
    "collective": _d("a class of units, not one unit (各部门, 各乡镇)", type="boolean"),
    "each": _d("one of several units that each carry the task (分别牵头)", type="boolean"),
    "jointly": _d("named as acting together with the lead (X会同Y: Y is co)", type="boolean"),
}, ("unit", "role"))

PERIOD = ["year", "half_year", "quarter", "month", "week", "day", "regular"]
DEADLINE = _fact("by when the task must be done", {
    "type": _d("date = a last allowed day; relative = N units after (or before) a named event; duration = N "
               "units with no named event; recurring = a due point that recurs",
               enum=["date", "relative", "duration", "recurring"]),
    "date": _date("type date: the last allowed day (月底 = last day of the month, 年底 = 12-31); null when the "
                  "year is unknown"),
    "from": _date("type date with a stated start (2020年6月10日至年底): the first day"),
    "resolved": _date("type relative: the last day counted from the document's own issuing (工作日 with the "
                      "official holiday calendar); null when the event is another one or the date is unknown"),
    "recovered": _d("a date repaired from characters a scraper dropped (2020610日 → 2020-06-10)", type="boolean"),
    "year_from": _d("where the year of a date came from: text = stated with it, document = the document's year",
                    enum=["text", "document", None]),
    "amount": _d("type relative or duration: N", type=["number", "null"]),
    "unit": _d("type relative or duration: the unit N counts", enum=["workday", "day", "hour", "minute", "week",
                                                                     "month", "year", None]),
    "anchor": _d("type relative: the event counted from, as written (印发后, 自收到申请之日起)",
                 type=["string", "null"]),
    "before": _d("type relative: N units before the anchor (会议召开30日前), not after", type="boolean"),
    "extension": _d("type duration: an allowed extension (可再延长5个工作日), not the time limit itself",
                    type="boolean"),
    "period": _d("type recurring: how often the due point recurs", enum=[*PERIOD, None]),
    "by": _d("type recurring: the due point in each period: MM-DD yearly (每年3月31日前 → 03-31), DD monthly "
             "(每月10日前 → 10)", type=["string", "null"], pattern=r"^(\d{2}-)?\d{2}$"),
    "approximate": _d("stated as an approximation (左右, 约)", type="boolean"),
}, ("type",))

CADENCE = _fact("a bare frequency stated for a task (每季度, 定期, 按月): how often, not by when", {
    "period": _d("year, half_year, quarter, month, week, day, or regular (定期: no stated period)", enum=PERIOD),
    "every": _d("every N periods (每3年轮换一次 → period year, every 3)", type="integer", minimum=1),
}, ("period",))

THRESHOLD = _fact("a numeric threshold or target the task states", {
    "op": _d("comparison: >=, <=, >, <; == for a stated target; between for both bounds (value is [low, high])",
             enum=[">=", "<=", ">", "<", "==", "between"]),
    "value": _d("the number, or [low, high] for op between", type=["number", "array"],
                items={"type": "number"}, minItems=2, maxItems=2),
    "unit": _d("the unit as written, whole (万元, 个百分点, 元/人/日)", type=["string", "null"]),
    "subject": _d("what is measured, as written before the comparator (公开征求意见的期限)", type=["string", "null"]),
    "period": _d("the period a target belongs to, as written (到2025年, 每年)", type=["string", "null"]),
    "change": _d("a change rather than a level: increase (提高/增长) or decrease (下降/减少)",
                 enum=["increase", "decrease"]),
    "window": _d("an eligibility, validity or ban window (申请前6个月内), not a deadline", type="boolean"),
    "approximate": _d("stated as an approximation (左右, 约); op is ==", type="boolean"),
}, ("op", "value"))

REFERENCE = _fact("a document the text cites (《…》 title, 发文字号, or both)", {
    "title": _d("the cited title without 《》; null when only a number is cited", type=["string", "null"]),
    "doc_number": _d("the cited 发文字号, brackets normalised to 〔〕", type=["string", "null"]),
    "title_span": _d("[start, end] offsets of the title inside the brackets", type=["array", "null"],
                     **{k: v for k, v in OFFSET_PAIR.items() if k != "type"}),
    "doc_number_span": _d("[start, end] offsets of the 发文字号", **OFFSET_PAIR),
    "alias": _d("the short name the text uses for it (以下简称《条例》)", type="string"),
    "alias_of": _d("rules/references.yml alias_entries: the full title this short name stands for",
                   type=["string", "null"]),
    "self": _d("the document itself or its attachment (kept only when drop_self_references is off)",
               type="boolean"),
    "recovered": _d("a 发文字号 repaired from dropped characters (〔20168号 → 〔2016〕8号)", type="boolean"),
    "mentions": _d("how many times the document is cited", type="integer", minimum=1),
    "links_to": _d("id of the record of the same batch it cites (`run` links them)", type=["string", "null"],
                   pattern=DOC_ID),
}, ())

WARNING = _closed("something a reader of this record should know about the input", {
    "code": _d("kind of problem (mojibake, runon_line, ocr, …)", type="string"),
    "message": _d("one line for a person", type="string"),
    "span": _d("[start, end] offsets the warning is about", **OFFSET_PAIR),
    "page": _d("PDF page the warning is about", type="integer", minimum=1),
}, ("code", "message"))

SECTION = _closed("a heading of the document and the headings under it", {
    "heading": _d("the heading as written", type="string"),
    "style": _d("its numbering style (rules/headings.yml: cn-dun 一、, cn-paren （一）, arabic-dot 1., article "
                "第一条, chapter 第一章, …)", type="string"),
    "level": _d("depth in the tree, from 1", type="integer", minimum=1),
    "children": _d("headings under it", type="array", items={"$ref": "#/$defs/section"}),
}, ("heading", "level", "children"))

METRIC = _closed("one value of an annual report's statistics table", {
    "name": _d("the row label (收到申请数)", type="string"),
    "value": _d("the cell's value, a number where it is one", type=["number", "string", "null"]),
    "unit": _d("the unit of the row or column (件, 万元, 人次)", type=["string", "null"]),
    "section": _d("the heading the table stands under (三、依申请公开情况)", type=["string", "null"]),
    "indicator": _d("the numbering of the row and its parents (三(一)1)", type=["string", "null"]),
    "column": _d("the column header of a table with several value columns", type="string"),
    "parent": _d("the label of the row this one is part of", type="string"),
    "qualifier": _d("a qualifying label of the row (本年新增, 上年结转)", type="string"),
    "span": SPAN,
}, ("name", "value"))

TASK = _closed("one actionable item of the document", {
    "id": _d("<document id>-tNNN, in document order", type="string", pattern=DOC_ID[:-1] + r"-t\d{3,}$"),
    "path": _strings("the headings the task stands under, outermost first"),
    "origin": _d("how it was found: item = a numbered item, inline = 一是…, paragraph = a paragraph under a "
                 "heading, table = a row of a task table", enum=["item", "inline", "paragraph", "table"]),
    "text": _d("the task's text as written (original script)", type="string", minLength=1),
    "text_simplified": _d("the same text in simplified characters, same length", type="string"),
    "span": SPAN,
    "responsible": _d("units with their roles, in text order", type="array", items=UNIT),
    "deadlines": _d("by when, in text order", type="array", items=DEADLINE),
    "thresholds": _d("numeric thresholds and targets, in text order", type="array", items=THRESHOLD),
    "cadence": _d("bare frequencies (how often), in text order", type="array", items=CADENCE),
}, ("id", "path", "text", "text_simplified", "span", "responsible", "deadlines", "thresholds"))

PAGE = _closed("metadata of the web page or text header the document came with, as found", {
    "title": _d("the page's `<title>`", type="string"),
    "info": _d("the page's information table (索引号, 发布机构, 发文字号, 成文日期 …) as label → text",
               type="object", additionalProperties={"type": "string"}),
    "meta": _d("the page's `<meta>` tags (ArticleTitle, PubDate, …) as name → content", type="object"),
})

DOCUMENT = _closed("the document: where it came from and its 公文 metadata", {
    "id": _d("first 16 hex digits of the SHA-256 of the source bytes", type="string", pattern=DOC_ID),
    "source": _d("path of the input relative to the input folder", type="string"),
    "format": _d("format sniffed from the bytes", enum=["pdf", "docx", "html", "txt", "ofd", "doc", "odt"]),
    "script": _d("script of the original text", enum=["simplified", "traditional", "mixed"]),
    "encoding": _d("TXT/HTML: the decoding used; null for other formats", type=["string", "null"]),
    "pages": _d("PDF/OFD: number of pages; null for other formats", type=["integer", "null"]),
    "pages_ocr": _d("PDF or OFD pages read by OCR (no usable text layer, or --ocr force)", type="array",
                    items={"type": "integer", "minimum": 1}),
    "ocr_confidence": _d("mean OCR recognition score (0-1) of those pages; null without OCR",
                         type=["number", "null"]),
    "title": _d("标题", type=["string", "null"]),
    "enclosed_title": _d("the title of the plan a notice forwards (关于印发X的通知 → X)", type=["string", "null"]),
    "enclosed_doc_number": _d("the forwarded document's 发文字号, when a covering notice (主送, 现将《X》转发给你们, "
                              "signature) precedes it on the page", type=["string", "null"]),
    "doc_type": _d("the title's last type word: 通知 方案 工作要点 实施意见 办法 … (a covering notice before the document it forwards: 通知)", type=["string", "null"]),
    "doc_number": _d("发文字号, brackets normalised to 〔〕", type=["string", "null"]),
    "issuer": _d("发文机关: as the title names it, else the signature, else the page", type=["string", "null"]),
    "issuers": _strings("every signatory of a joint document, the first first"),
    "issued_on": _date("成文日期 (a regulation: its promulgation date)"),
    "date_source": _d("where issued_on came from", enum=["signature", "signature_recovered", "page_table",
                                                          "published", "promulgated", "adopted", None]),
    "year": _d("the year year-less dates (年底前) belong to: 成文日期, else title, 发文字号 or a heading",
               type=["integer", "null"]),
    "year_source": _d("where year came from", enum=["issued_on", "title", "doc_number", "heading", "cited", None]),
    "recipients": _strings("主送机关"),
    "cc": _strings("抄送机关"),
    "attachments": _strings("附件 titles listed after the body"),
    "printed_by": _d("印发机关 (版记)", type=["string", "null"]),
    "printed_on": _date("印发日期 (版记)"),
    "classification": _d("密级", type=["string", "null"]),
    "urgency": _d("紧急程度", type=["string", "null"]),
    "region": _d("the place the issuer governs (南昌市), from its name", type=["string", "null"]),
    "admin_level": _d("administrative level of the issuer: 国务院 部委 省 市 县 乡", type=["string", "null"]),
    "page": PAGE,
    "references": _d("documents the text cites, each once", type="array", items=REFERENCE),
    "warnings": _d("problems met reading the input", type="array", items=WARNING),
    "sections": _d("the heading tree", type="array", items={"$ref": "#/$defs/section"}),
}, ("id", "source", "format", "script", "title", "doc_number", "issuer", "issued_on", "recipients",
    "references", "warnings"))

RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://policy-pipeline.example/record-1.schema.json",
    "title": "policy-pipeline record",
    "description": "one input document: its metadata, its tasks with units, deadlines, thresholds and cadence, "
                   "facts no task owns, and statistics",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema_version", "document", "tasks", "metrics"],
    "$defs": {"section": SECTION},
    "properties": {
        "schema_version": _d("version of this contract; field names change only with a new version", const=1),
        "document": DOCUMENT,
        "tasks": _d("the document's tasks in text order", type="array", items=TASK),
        "unattached": _closed("facts found in text that no task owns (a 时间安排 section, a report's prose)", {
            "deadlines": _d("deadlines outside every task", type="array", items=DEADLINE),
            "thresholds": _d("thresholds outside every task", type="array", items=THRESHOLD),
            "cadence": _d("frequencies outside every task", type="array", items=CADENCE),
        }),
        "metrics": _d("statistics tables of annual reports, one entry per value", type="array", items=METRIC),
    },
}


@lru_cache(maxsize=1)
def _validator():
    """Compiled once per process; its format checker enforces ``format: date``."""
    import jsonschema

    cls = jsonschema.Draft202012Validator
    return cls(RECORD_SCHEMA, format_checker=cls.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def _fast_validator():
    """jsonschema-rs (compiled, ~100x faster than jsonschema) for the common case, a valid
    record; None when it is not installed."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.validator_for(RECORD_SCHEMA, validate_formats=True)


def validate(record: dict) -> None:
    """Raise jsonschema.ValidationError when a record breaks the contract; its message
    names where (``at tasks/3/deadlines/0``)."""
    import jsonschema

    fast = _fast_validator()
    try:
        if fast is not None and fast.is_valid(record):
            return
    except ValueError:
        pass    # a Python value JSON has no type for: jsonschema gives the verdict
    # Invalid (or not checked): jsonschema decides and names the error, as before.
    err = jsonschema.exceptions.best_match(_validator().iter_errors(record))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "the record"
        err.message = f"{err.message} (at {where})"
        raise err


def fields(schema: dict | None = None, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """Every field of the record as (path, type, description), in schema order; list
    items are ``name[]``, a heading tree's children are named once."""
    schema = RECORD_SCHEMA if schema is None else schema
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        sub = _resolve(sub)
        yield path, _type_of(sub), sub.get("description", "")
        if name == "children" and "$ref" in sub.get("items", {}):
            continue            # a heading's children are headings: described once
        items = _resolve(sub.get("items", {})) if isinstance(sub.get("items"), dict) else {}
        if items.get("properties"):
            yield from fields(items, f"{path}[].")
        elif sub.get("properties"):
            yield from fields(sub, f"{path}.")


def _resolve(sub: dict) -> dict:
    if sub.get("$ref") == "#/$defs/section":
        return {**SECTION, "description": sub.get("description", SECTION["description"])}
    return sub


def _type_of(sub: dict) -> str:
    if "const" in sub:
        return f"const {sub['const']}"
    if "enum" in sub:
        return " | ".join("null" if v is None else str(v) for v in sub["enum"])
    t = sub.get("type", "")
    kinds = t if isinstance(t, list) else [t]
    out = []
    for k in kinds:
        if k == "array":
            it = sub.get("items", {})
            inner = "object" if it.get("properties") or it.get("$ref") else it.get("type", "any")
            out.append(f"array of {inner}")
        elif k == "string" and sub.get("format"):
            out.append(f"string ({sub['format']})")
        else:
            out.append(k)
    return " | ".join(out)


# The objects of a record, each documented once in docs/record.md (`policy-pipeline schema --markdown`).
OBJECTS: list[tuple[str, dict]] = [
    ("record", RECORD_SCHEMA), ("document", DOCUMENT), ("document.page", PAGE), ("reference", REFERENCE),
    ("warning", WARNING), ("section", SECTION), ("task", TASK), ("unit (tasks[].responsible[])", UNIT),
    ("deadline", DEADLINE), ("threshold", THRESHOLD), ("cadence", CADENCE),
    ("unattached", RECORD_SCHEMA["properties"]["unattached"]), ("metric", METRIC), ("span", SPAN),
]


def _object_name(sub: dict) -> str | None:
    for name, obj in OBJECTS:
        if sub is obj or (sub.get("properties") is not None and sub.get("properties") is obj["properties"]):
            return name.split(" ")[0]
    return None


def markdown() -> str:
    """A table per object: field, type, required, description."""
    out = []
    for name, obj in OBJECTS:
        out += [f"### {name}", "", obj["description"], "", "| field | type | required | description |",
                "|---|---|---|---|"]
        for field, sub in obj["properties"].items():
            sub = _resolve(sub)
            req = "yes" if field in obj.get("required", ()) else ""
            desc = sub.get("description", "").replace("|", "\\|")
            kind = ("one of " + ", ".join(f"`{v}`" for v in sub["enum"]) if "enum" in sub
                    else _type_of(sub).replace(" | ", " or "))
            named = _object_name(sub) or _object_name(_resolve(sub.get("items") or {}))
            if named:       # name the object a field holds: "array of deadline"
                kind = kind.replace("object", named)
            out.append(f"| `{field}` | {kind} | {req} | {desc} |")
        out.append("")
    return "\n".join(out)
