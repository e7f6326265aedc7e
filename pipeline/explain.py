"""``policy-pipeline explain``: every fact found, the rule that produced it, its span."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys


def _line(kind: str, rule: str, start: int, end: int, text: str, fields: dict) -> str:
    shown = {k: v for k, v in fields.items() if k not in ("rule",) and v not in (None, False)}
    return f"  {kind:<10} [{start}:{end}] {text!r:<28} rule={rule}  {json.dumps(shown, ensure_ascii=False, default=str)}"


def explain(target: str, rules_dir: str | None = None, date: str | None = None, html: str | None = None) -> int:
    from .outputs import page as site_page
    from .rules import load_rules
    from .spacy_components import SPANS_KEY, make_nlp, span_facts

    rules = load_rules(rules_dir)
    if os.path.isfile(target):
        from .process import analyse, build_record, document_id, ingest

        with open(target, "rb") as fh:
            data = fh.read()
        doc = ingest(data, os.path.basename(target), rules)
        a = analyse(doc, rules)
        print(f"{target}: {len(a.tasks)} tasks; title={a.meta.get('title')!r} issued_on={a.meta.get('issued_on')}")
        for n, (t, facts) in enumerate(zip(a.tasks, a.task_facts), 1):
            print(f"task {n} ({t.origin}) [{t.start}:{t.end}] {' > '.join(t.path)}")
            print(f"  text: {doc.text[t.start:t.end][:80]!r}")
            for f in facts:
                print(_line(f.kind, f.rule, f.start, f.end, doc.text[f.start:f.end], f.data))
        for f in a.references:
            print(_line("reference", f.rule, f.start, f.end, doc.text[f.start:f.end], f.data))
        # the review site's page of this document, from the record the batch would write
        view = site_page.document_page(build_record(a, document_id(data), os.path.basename(target)), doc.text,
                                       [(b.start, b.end, b.kind, b.page) for b in doc.blocks])
    else:
        nlp = make_nlp(rules_dir)
        sdoc = nlp.make_doc(target)
        if date:
            sdoc._.doc_date = dt.date.fromisoformat(date)
        for _, proc in nlp.pipeline:
            sdoc = proc(sdoc)
        facts = sdoc.spans[SPANS_KEY]
        if not facts:
            print("no facts found")
        for span in facts:
            fields = span._.fact or {}
            print(_line(span.label_.split(":")[0].lower(), fields.get("rule", "?"), span.start_char, span.end_char,
                        span.text, fields))
        view = site_page.facts_page(target, span_facts(sdoc), title=target if len(target) <= 40 else target[:39] + "…")
    if html:
        from .emit import write_atomic
        from .outputs.site import render_page

        write_atomic(html, render_page(view))
        print(f"highlighted view: {html}", file=sys.stderr)
    return 0
