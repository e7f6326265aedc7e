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
    from .rules import load_rules
    from .spacy_components import SPANS_KEY, make_nlp, render_html

    rules = load_rules(rules_dir)
    nlp = make_nlp(rules_dir)
    if os.path.isfile(target):
        from .process import analyse, ingest

        with open(target, "rb") as fh:
            doc = ingest(fh.read(), os.path.basename(target), rules)
        a = analyse(doc, rules)
        print(f"{target}: {len(a.tasks)} tasks; title={a.meta.get('title')!r} issued_on={a.meta.get('issued_on')}")
        sdoc = nlp.make_doc(doc.text)
        spans = []
        for n, (t, facts) in enumerate(zip(a.tasks, a.task_facts), 1):
            print(f"task {n} ({t.origin}) [{t.start}:{t.end}] {' > '.join(t.path)}")
            print(f"  text: {doc.text[t.start:t.end][:80]!r}")
            for f in facts:
                print(_line(f.kind, f.rule, f.start, f.end, doc.text[f.start:f.end], f.data))
                span = sdoc.char_span(f.start, f.end, label=f"{f.kind.upper()}:{f.data.get('role') or f.data.get('type') or f.data.get('op') or ''}",
                                      alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        for f in a.references:
            print(_line("reference", f.rule, f.start, f.end, doc.text[f.start:f.end], f.data))
        sdoc.spans[SPANS_KEY] = spans
    else:
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
    if html:
        from .emit import write_atomic

        write_atomic(html, render_html(sdoc))
        print(f"highlighted view: {html}", file=sys.stderr)
    return 0
