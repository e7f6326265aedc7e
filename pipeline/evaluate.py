"""Score records against hand-written gold files (corpus/gold/<stem>.yml).

A record pairs with the gold file named after its input's stem, so every rendition
of a document (.txt, .html, .docx, .pdf) is scored against the same gold. Texts are
compared in the match view (simplified, width-folded) with whitespace removed, so
a quote matches across scripts and layouts. A fact matches when its quote overlaps
the extracted text and its values are equal; matching is one-to-one.
"""
from __future__ import annotations

import fnmatch
import functools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .normalize import match_view
from .recordio import load_record, record_files, source_name

KINDS = ("tasks", "units_strict", "units_lenient", "deadlines_detected", "deadlines_normalised",
         "thresholds", "cadence", "references", "metrics")
META_FIELDS = ("title", "doc_number", "issuer", "issuers", "issued_on", "doc_type", "recipients")
_WS = re.compile(r"[\s\u00a0\u3000]+")
_DASH = re.compile(r"[‐‑‒–—―－−]")


def norm(text) -> str:
    """Compare texts in the match view, without whitespace and with one kind of dash, and
    without what the cleaner removes from inside lines (junk.yml `inline`: pinyin after a
    character, zero-width marks): a gold quote is verbatim from the page, a record's text is
    the cleaned body."""
    if text is None:
        return ""
    view = match_view(str(text))
    for rx in _inline_junk():
        if rx.search(view):
            view = rx.sub("", view)
    return _DASH.sub("-", _WS.sub("", view))


@functools.lru_cache(maxsize=1)
def _inline_junk() -> tuple:
    from .rules import default_rules

    rules = default_rules()
    return tuple(rules.regex(r["pattern"]) for r in (rules.get("junk.yml") or {}).get("inline", []))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": _r(self.precision),
                "recall": _r(self.recall), "f1": _r(self.f1)}


def _r(x):
    return None if x is None else round(x, 4)


MIN_OVERLAP = 4  # characters two quotes must share when one runs past the other's end


def _overlap(a: str, b: str) -> bool:
    """One quote contains the other, or they overlap at their ends by MIN_OVERLAP
    characters or more (gold 应于2个工作日内做出决定 vs extracted 收到申请后,应于2个工作日内):
    annotators and extractors cut a fact's context differently."""
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    for x, y in ((a, b), (b, a)):
        for n in range(min(len(x), len(y)) - 1, MIN_OVERLAP - 1, -1):
            if x.endswith(y[:n]):
                return True
    return False


def _match(gold: list, pred: list, same) -> Score:
    """One-to-one greedy matching of gold items to predicted items. Items whose quotes
    are equal pair first, so a short quote that recurs (2000名) cannot take the
    prediction a longer gold quote (达到2000名左右) names exactly."""
    s = Score()
    used = set()
    hits: dict[int, int] = {}
    for i, g in enumerate(gold):
        if isinstance(g, dict) and g.get("_q"):
            k = next((k for k, p in enumerate(pred) if k not in used and isinstance(p, dict)
                      and p.get("_q") == g["_q"] and same(g, p)), None)
            if k is not None:
                used.add(k)
                hits[i] = k
    for i, g in enumerate(gold):
        hit = hits.get(i)
        if hit is None:
            hit = next((k for k, p in enumerate(pred) if k not in used and same(g, p)), None)
            if hit is not None:
                used.add(hit)
        if hit is None:
            s.fn += 1
            s.misses.append(g)
        else:
            s.tp += 1
    for k, p in enumerate(pred):
        if k not in used:
            s.fp += 1
            s.false_positives.append(p)
    return s


def _num(x):
    """A number for comparison: 1/3 and 0.3333 are the same value (4 decimals)."""
    if isinstance(x, str) and re.fullmatch(r"\s*\d+\s*/\s*\d+\s*", x):
        a, b = x.split("/")
        return round(int(a) / int(b), 4) if int(b) else x
    try:
        return round(float(x), 4)
    except (TypeError, ValueError):
        return x


def _deadline_values_equal(g: dict, p: dict) -> bool:
    if g.get("type") != p.get("type"):
        return False
    t = g.get("type")
    keys = {"date": ("date",), "relative": ("amount", "unit", "resolved"), "duration": ("amount", "unit"),
            "recurring": ("period",)}.get(t, ())
    for k in keys:
        if k not in g:
            continue
        gv, pv = g.get(k), p.get(k)
        if k == "amount":
            gv, pv = _num(gv), _num(pv)
        elif gv is not None:
            gv, pv = str(gv), (str(pv) if pv is not None else None)
        if gv != pv:
            return False
    return True


def score_document(record: dict, gold: dict) -> dict[str, Score]:
    tasks = record.get("tasks", [])
    scores: dict[str, Score] = {}

    gold_tasks = [norm(q) for q in gold.get("tasks") or []]
    pred_tasks = [norm(t["text"]) for t in tasks]
    s = Score()
    used = set()
    for q, raw in zip(gold_tasks, gold.get("tasks") or []):
        k = next((k for k, t in enumerate(pred_tasks) if q and q in t), None)
        if k is None:
            s.fn += 1
            s.misses.append(raw)
        else:
            s.tp += 1
            used.add(k)
    for k, t in enumerate(tasks):
        if k not in used and not any(q and q in pred_tasks[k] for q in gold_tasks):
            s.fp += 1
            s.false_positives.append(t["text"][:60])
    scores["tasks"] = s

    pred_units = [{"task": norm(t["text"]), "task_text": t["text"][:40], "unit": norm(u["unit"]),
                   "canonical": norm(u.get("canonical")), "role": u["role"], "raw": u["unit"]}
                  for t in tasks for u in t.get("responsible", [])]
    gold_units = [{**u, "_unit": norm(u.get("unit")), "_task": norm(u.get("task"))} for u in gold.get("units") or []]
    scores["units_strict"] = _match(
        gold_units, pred_units,
        lambda g, p: g["_unit"] in (p["unit"], p["canonical"]) and g.get("role") == p["role"] and g["_task"] in p["task"])
    # Lenient: the unit names of the document, as a multiset, regardless of task or role.
    scores["units_lenient"] = _match(gold_units, pred_units, lambda g, p: g["_unit"] in (p["unit"], p["canonical"]))

    loose = record.get("unattached") or {}
    pred_dl = [{**d, "_q": norm(d["text"])} for t in tasks for d in t.get("deadlines", [])]
    pred_dl += [{**d, "_q": norm(d["text"])} for d in loose.get("deadlines", [])]
    gold_dl = [{**d, "_q": norm(d.get("quote"))} for d in gold.get("deadlines") or []]
    scores["deadlines_detected"] = _match(gold_dl, pred_dl, lambda g, p: _overlap(g["_q"], p["_q"]))
    scores["deadlines_normalised"] = _match(
        gold_dl, pred_dl, lambda g, p: _overlap(g["_q"], p["_q"]) and _deadline_values_equal(g, p))

    if gold.get("cadence") is not None:
        pred_cad = [{**c, "_q": norm(c["text"])} for t in tasks for c in t.get("cadence", [])]
        pred_cad += [{**c, "_q": norm(c["text"])} for c in loose.get("cadence", [])]
        gold_cad = [{**c, "_q": norm(c.get("quote"))} for c in gold.get("cadence") or []]
        scores["cadence"] = _match(gold_cad, pred_cad,
                                   lambda g, p: _overlap(g["_q"], p["_q"]) and g.get("period") == p.get("period"))

    pred_th = [{**x, "_q": norm(x["text"])} for t in tasks for x in t.get("thresholds", [])]
    pred_th += [{**x, "_q": norm(x["text"])} for x in loose.get("thresholds", [])]
    gold_th = [{**x, "_q": norm(x.get("quote"))} for x in gold.get("thresholds") or []]

    def th_same(g, p):
        if not _overlap(g["_q"], p["_q"]) or g.get("op") != p.get("op"):
            return False
        gv, pv = g.get("value"), p.get("value")
        if isinstance(gv, list) or isinstance(pv, list):
            # a range's bounds are compared as amounts (its unit is not checked), with 万/亿
            # folded in: 一万元以上十万元以下 as [1, 10] 万元 or [10000, 100000] 元
            return [_quantity(v, g.get("unit") or "")[0] for v in (gv or [])] == \
                [_quantity(v, p.get("unit") or "")[0] for v in (pv or [])]
        if g.get("unit") is None:
            return _num(gv) == _num(pv)
        return _quantity(gv, g.get("unit")) == _quantity(pv, p.get("unit"))

    scores["thresholds"] = _match(gold_th, pred_th, th_same)

    pred_refs = [{"title": norm(r.get("title")), "doc_number": norm(r.get("doc_number")), "raw": r.get("text")}
                 for r in record["document"].get("references", [])]
    gold_refs = [{"title": norm(r.get("title")), "doc_number": norm(r.get("doc_number")), "raw": r}
                 for r in gold.get("references") or []]
    scores["references"] = _match(
        gold_refs, pred_refs,
        lambda g, p: (g["title"] and g["title"] == p["title"]) or (not g["title"] and g["doc_number"] and g["doc_number"] == p["doc_number"]))

    if gold.get("metrics") is not None or record.get("metrics"):
        pred_m = [{"name": norm(m.get("name")), "value": _num(m.get("value")), "raw": m} for m in record.get("metrics", [])]
        gold_m = [{"name": norm(m.get("name")), "value": _num(m.get("value")), "raw": m} for m in gold.get("metrics") or []]
        scores["metrics"] = _match(gold_m, pred_m, lambda g, p: g["name"] == p["name"] and g["value"] == p["value"])

    meta = gold.get("meta") or {}
    doc = record["document"]
    for f in META_FIELDS:
        if f not in meta:
            continue
        s = Score()
        gv, pv = meta.get(f), doc.get(f)
        if f in ("recipients", "issuers"):
            s = _match([norm(x) for x in gv or []], [norm(x) for x in pv or []], lambda a, b: a == b)
        else:
            gn, pn = norm(gv), norm(pv)
            if gn and pn == gn:
                s.tp = 1
            else:
                if gn:
                    s.fn = 1
                    s.misses.append(gv)
                if pn:
                    s.fp = 1
                    s.false_positives.append(pv)
        scores[f"meta.{f}"] = s
    return scores


def gold_stem(record_path: Path) -> str:
    name = source_name(record_path.name)       # a.txt.yml or a.txt.json → a.txt
    return name.rsplit(".", 1)[0] if "." in name else name


def load_parts(path: str | Path | None) -> dict:
    """corpus/parts.yml: record-path patterns per part, stem-number ranges per batch."""
    if path is None or not Path(path).is_file():
        return {"parts": {}, "batches": {}}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {"parts": data.get("parts") or {}, "batches": data.get("batches") or {}}


def part_of(doc: str, parts: dict) -> str | None:
    """The first part whose pattern matches a record path (without .yml or .json)."""
    name = source_name(doc)
    for part, patterns in parts.items():
        if any(fnmatch.fnmatchcase(name, pat) and name.count("/") == pat.count("/") for pat in patterns):
            return part
    return None


def batch_of(doc: str, batches: dict) -> str | None:
    m = re.match(r"(\d+)_", Path(doc).name)
    if not m:
        return None
    n = int(m.group(1))
    for batch, ranges in batches.items():
        if any(lo <= n <= hi for lo, hi in ranges):
            return str(batch)
    return None


def summarise(per_doc: dict[str, dict[str, "Score"]]) -> dict[str, dict]:
    """Micro (pooled counts) and macro (mean of per-document F1) scores per kind.

    A document counts toward a kind's macro score when it has gold items or
    predictions of that kind (F1 defined); a user reads one document at a time.
    """
    out: dict[str, dict] = {}
    for scores in per_doc.values():
        for k, s in scores.items():
            e = out.setdefault(k, {"micro": Score(), "f1s": []})
            e["micro"].add(s)
            if s.f1 is not None:
                e["f1s"].append(s.f1)
    for e in out.values():
        f1s = e.pop("f1s")
        e["macro"] = sum(f1s) / len(f1s) if f1s else None
        e["docs"] = len(f1s)
    return out


def evaluate(records_dir: str | Path, gold_dir: str | Path, parts_file: str | Path | None = "auto") -> dict:
    records_dir, gold_dir = Path(records_dir), Path(gold_dir)
    if parts_file == "auto":
        parts_file = gold_dir.parent / "parts.yml"
    layout = load_parts(parts_file)
    golds = {p.stem: p for p in gold_dir.glob("*.yml")}
    per_doc: dict[str, dict[str, Score]] = {}
    unmatched = []
    # YAML or JSON records; not the report and manifest of a stage that writes records at its top level
    for rp in record_files(records_dir):
        stem = gold_stem(rp)
        if stem not in golds:
            unmatched.append(rp.relative_to(records_dir).as_posix())
            continue
        record = load_record(rp)
        if not (isinstance(record, dict) and "document" in record and "tasks" in record):
            continue            # a JSON file that is no record (a run's ingested/ text)
        gold = load_record(golds[stem]) or {}
        per_doc[rp.relative_to(records_dir).as_posix()] = score_document(record, gold)
    summary = summarise(per_doc)
    groups: dict[str, dict[str, dict]] = {}
    for doc, scores in per_doc.items():
        part = part_of(doc, layout["parts"])
        if part:
            groups.setdefault(f"part:{part}", {})[doc] = scores
        batch = batch_of(doc, layout["batches"])
        if batch and part != "renditions":
            groups.setdefault(f"batch:{batch}", {})[doc] = scores
    return {"overall": {k: e["micro"] for k, e in summary.items()}, "summary": summary,
            "groups": {g: summarise(docs) for g, docs in sorted(groups.items())},
            "group_docs": {g: sorted(docs) for g, docs in sorted(groups.items())},
            "documents": per_doc, "unmatched": unmatched}


def _fmt(x) -> str:
    return "  -  " if x is None else f"{x:5.3f}"


def _doc_mean(scores: dict[str, Score]) -> float:
    f1s = [s.f1 for s in scores.values() if s.f1 is not None]
    return sum(f1s) / len(f1s) if f1s else 1.0


def _kind_order(kinds) -> list[str]:
    return sorted(kinds, key=lambda k: (k.startswith("meta."), k))


def render(result: dict, show_errors: bool = False) -> str:
    head = f"{'kind':24} {'P':>6} {'R':>6} {'F1':>6} {'macro':>6} {'docs':>5} {'tp':>5} {'fp':>5} {'fn':>5}"

    def table(summary: dict) -> list[str]:
        rows = [head]
        for k in _kind_order(summary):
            e = summary[k]
            s = e["micro"]
            rows.append(f"{k:24} {_fmt(s.precision):>6} {_fmt(s.recall):>6} {_fmt(s.f1):>6} {_fmt(e['macro']):>6}"
                        f" {e['docs']:5d} {s.tp:5d} {s.fp:5d} {s.fn:5d}")
        return rows

    lines = ["all records (F1 micro = pooled counts, macro = mean per document):", *table(result["summary"])]
    for g, summary in result.get("groups", {}).items():
        lines += ["", f"{g} ({len(result['group_docs'][g])} records):", *table(summary)]
    lines.append("")
    lines.append("per document (F1), worst first:")
    kinds = [k for k in KINDS if k in result["overall"]]
    lines.append(f"{'document':48} {'mean':>6} " + " ".join(f"{k[:10]:>10}" for k in kinds))
    for doc, scores in sorted(result["documents"].items(), key=lambda kv: (_doc_mean(kv[1]), kv[0])):
        lines.append(f"{doc[:48]:48} {_fmt(_doc_mean(scores)):>6} "
                     + " ".join(f"{_fmt(scores[k].f1) if k in scores else '':>10}" for k in kinds))
    if result["unmatched"]:
        lines.append(f"\nrecords without a gold file: {len(result['unmatched'])}")
    if show_errors:
        for doc, scores in result["documents"].items():
            for k, s in scores.items():
                for m in s.misses:
                    lines.append(f"MISS {doc} {k}: {_brief(m)}")
                for p in s.false_positives:
                    lines.append(f"FP   {doc} {k}: {_brief(p)}")
    return "\n".join(lines)


def _brief(x) -> str:
    if isinstance(x, dict):
        x = {k: v for k, v in x.items() if not k.startswith("_")}
    return json.dumps(x, ensure_ascii=False, default=str)[:200]


def _summary_json(summary: dict) -> dict:
    return {k: {**e["micro"].to_dict(), "macro_f1": _r(e["macro"]), "docs": e["docs"]} for k, e in summary.items()}


def to_json(result: dict) -> dict:
    return {
        "overall": _summary_json(result["summary"]),
        "groups": {g: _summary_json(s) for g, s in result.get("groups", {}).items()},
        "documents": {d: {k: s.to_dict() for k, s in sc.items()} for d, sc in result["documents"].items()},
        "unmatched": result["unmatched"],
    }


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return _r(sum(vals) / len(vals)) if vals else None


def metrics_summary(result: dict) -> dict:
    """Per kind: precision, recall and F1, micro (pooled counts) and macro (the mean over
    the documents where each is defined); small enough for ``dvc metrics show``."""
    out = {}
    for kind in _kind_order(result["summary"]):
        e = result["summary"][kind]
        s = e["micro"]
        per_doc = [scores[kind] for scores in result["documents"].values() if kind in scores]
        out[kind] = {"micro": {"precision": _r(s.precision), "recall": _r(s.recall), "f1": _r(s.f1)},
                     "macro": {"precision": _mean(x.precision for x in per_doc),
                               "recall": _mean(x.recall for x in per_doc), "f1": _r(e["macro"])},
                     "docs": e["docs"]}
    return out


def per_document_rows(result: dict) -> list[dict]:
    """One row per document: the mean of its F1 scores and the F1 of each kind (null where
    the document has nothing of that kind), for ``dvc plots``."""
    kinds = _kind_order(result["summary"])
    rows = []
    for doc, scores in sorted(result["documents"].items()):
        row = {"document": source_name(doc), "mean_f1": _r(_doc_mean(scores))}
        row.update({k: _r(scores[k].f1) if k in scores else None for k in kinds})
        rows.append(row)
    return rows


def main(records: str, gold: str, json_out: str | None = None, show_errors: bool = False,
         only: str | None = None, metrics_out: str | None = None, plots_out: str | None = None) -> int:
    result = evaluate(records, gold)
    if only:
        keep = {d: s for d, s in result["documents"].items() if fnmatch.fnmatchcase(d, only)}
        result = {**result, "documents": keep, "summary": summarise(keep), "groups": {}, "group_docs": {}}
        result["overall"] = {k: e["micro"] for k, e in result["summary"].items()}
    if not result["documents"]:
        print(f"no records in {records} pair with a gold file in {gold}", file=sys.stderr)
        return 2
    print(render(result, show_errors))
    if json_out:
        from .emit import write_atomic

        write_atomic(json_out, json.dumps(to_json(result), ensure_ascii=False, indent=1))
    if metrics_out or plots_out:
        from .emit import write_atomic

        if metrics_out:
            write_atomic(metrics_out, json.dumps(metrics_summary(result), ensure_ascii=False, indent=1) + "\n")
        if plots_out:
            write_atomic(plots_out, json.dumps(per_document_rows(result), ensure_ascii=False, indent=1) + "\n")
    return 0


_MULTIPLIERS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def _quantity(value, unit) -> tuple:
    """(amount, unit) with 万/亿 folded into the amount: 1.5万元 and 15000元 are one quantity;
    a counter word before the unit is no part of it (4个小时 and 4小时, 3个月 and 3月)."""
    u, v = norm(unit), _num(value)
    if len(u) > 1 and u[0] == "个":
        u = u[1:]
    if len(u) > 1 and u[0] in _MULTIPLIERS and isinstance(v, (int, float)):
        return round(v * _MULTIPLIERS[u[0]], 6), u[1:]
    return (round(v, 6) if isinstance(v, float) else v), u
