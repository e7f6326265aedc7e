"""Command line: ``policy-pipeline COMMAND …``. Heavy imports happen inside commands."""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__

EPILOG = """exit codes: 0 every document done (or unchanged), 1 some documents failed
(see OUT/report.yml), 2 bad usage (a missing input, an output that cannot be written)
or invalid rule files, 130 interrupted by Ctrl-C (the report and manifest keep what
finished; a rerun does the rest)."""

MAIN_EPILOG = """batch options of run, ingest -o and extract (see `policy-pipeline run --help`):
  -j N, --jobs N  worker processes (default: all cores)
  --force         redo every document, even when unchanged since the last run
  --timeout SEC   time limit per document (default: 120)
  --max-mb MB     skip files larger than this (default: 50)
  --follow-links  follow symlinks to folders and out of the inputs (default: listed as skipped)
  --scheduler A   run on Dask: local:N or tcp://HOST:8786 (default: local worker processes)

""" + EPILOG


def _add_batch_options(p: argparse.ArgumentParser, out_help: str, out_required: bool = True) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (walked recursively)")
    p.add_argument("-o", "--out", required=out_required, default=None, metavar="OUT", help=out_help)
    p.add_argument("-j", "--jobs", type=_workers, default=None, metavar="N",
                   help="worker processes, 1 or more (default: all cores)")
    p.add_argument("--force", action="store_true",
                   help="redo every document, even when its bytes, rules and parameters are unchanged")
    p.add_argument("--rules", metavar="DIR", default=None, help="rule folder (default: the bundled rules/)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="SEC",
                   help="time limit per document in seconds (default: 120)")
    p.add_argument("--max-mb", type=float, default=50.0, metavar="MB",
                   help="files larger than this are skipped (default: 50)")
    p.add_argument("--memory-mb", type=int, default=4096, metavar="MB",
                   help="address-space limit per worker, so a hostile file fails alone (default: 4096)")
    p.add_argument("--ocr", choices=("auto", "off", "force"), default="auto",
                   help="OCR of PDF and OFD pages: auto = pages without usable text, off = none "
                        "(such pages are reported), force = every page (default: auto)")
    p.add_argument("--scheduler", metavar="ADDR", default=os.environ.get("DASK_SCHEDULER_ADDRESS") or None,
                   help="run on Dask: local:N (a LocalCluster of N workers) or tcp://HOST:8786 (a running "
                        "cluster whose workers share the paths); default $DASK_SCHEDULER_ADDRESS, else local processes")
    p.add_argument("--follow-links", action="store_true",
                   help="follow symlinks to folders and to files outside the inputs (default: list them as skipped)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--allow-failures", action="store_true",
                   help="exit 0 even when some documents failed (they are still in the report)")


def _add_format_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("yaml", "json"), default="yaml", dest="record_format",
                   help="records as <path>.yml (default) or <path>.json; evaluate, ledger, site read both")


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} workers: give 1 or more (omit -j for all cores)")
    return n


def _document_date(value: str) -> str:
    """A real calendar date in a range deadlines can be counted from (9999-12-25 plus
    20 working days does not exist)."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a real date (YYYY-MM-DD)") from None
    if not 1900 <= day.year <= 2999:
        raise argparse.ArgumentTypeError(f"{value} is out of range (years 1900-2999)")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="policy-pipeline",
        description="Turn Chinese government policy documents (PDF, DOCX, HTML, TXT) into one "
                    "YAML record each: tasks, responsible units, deadlines, thresholds, metadata.",
        epilog=MAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"policy-pipeline {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="ingest and extract a batch: records + report",
                       description="Process every document under INPUT: OUT/records/<path>.yml per document "
                                   "(<path>.json with --format json), "
                                   "OUT/report.yml accounting for every file (done / failed / skipped).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_batch_options(p, "output folder (records/, report.yml, manifest.json)")
    _add_format_option(p)

    p = sub.add_parser("ingest", help="read documents into cleaned text (one file, or a batch)",
                       description="With one FILE and no -o: print its cleaned body text (the text every "
                                   "span in a record points into). With -o: write OUT/<path>.json per "
                                   "document (the DVC ingest stage).")
    _add_batch_options(p, "output folder for ingested documents (omit with one FILE to print its text)",
                       out_required=False)
    p.add_argument("--blocks", action="store_true", help="with one FILE: print blocks with kind and page")

    p = sub.add_parser("extract", help="extract records from ingested documents (DVC extract stage)",
                       description="Read OUT/<path>.json written by `ingest -o` and write one record each "
                                   "(YAML, or JSON with --format json).")
    _add_batch_options(p, "folder for the records")
    _add_format_option(p)

    p = sub.add_parser("schema", help="print the JSON Schema of a record")
    p.add_argument("--indent", type=int, default=2)
    p.add_argument("--markdown", action="store_true",
                   help="print the field reference (every field, its type and description) as Markdown")

    p = sub.add_parser("rules", help="validate the rule files and list their rules")
    p.add_argument("--rules", metavar="DIR", default=None)

    p = sub.add_parser("explain", help="show every fact found in a text or file, with rule and span",
                       description="TEXT is a literal text, or a path to a document. Prints each fact, "
                                   "the rule that produced it and its span.")
    p.add_argument("target", metavar="TEXT|FILE")
    p.add_argument("--rules", metavar="DIR", default=None)
    p.add_argument("--date", metavar="YYYY-MM-DD", default=None, type=_document_date,
                   help="document date for resolving deadlines in a literal TEXT (years 1900-2999)")
    p.add_argument("--html", metavar="FILE", default=None,
                   help="also write the highlighted page (the review site's document page)")

    p = sub.add_parser("site", help="a static review site (HTML) from a run's output folder",
                       description="A static site in DIR: index.html (the batch), docs/<source>.html (one page per "
                                   "document: cleaned text, tasks, every fact highlighted with its value and rule) "
                                   "and ledger.html (the ledger as a sortable, filterable table). Opens from file://; "
                                   "see docs/site.md.")
    p.add_argument("out", metavar="OUT", help="a run's output folder (records/, report.yml, ingested/)")
    p.add_argument("-o", "--site", metavar="DIR", default="site", help="folder to write the site into (default: site)")
    p.add_argument("--text", metavar="DIR", default=None,
                   help="folder of ingested documents (default OUT/ingested; e.g. out/dvc/ingested)")

    p = sub.add_parser("ledger", help="a task ledger (工作台账) as XLSX, CSV or JSONL from a folder of records",
                       description="One row per task (序号 文件名称 文号 任务 具体内容 牵头单位 配合单位 责任单位 "
                                   "完成时限 时限原文 量化指标 来源位置 需复核 完成情况 备注); a document in several "
                                   "renditions counts once. .xlsx adds a sheet per unit and a 到期 sheet. "
                                   "See docs/ledger.md.")
    p.add_argument("records", metavar="RECORDS", help="folder of records (e.g. out/records)")
    p.add_argument("-o", "--out", metavar="FILE", default="ledger.csv",
                   help="the ledger; its extension picks the format: .xlsx, .csv, .jsonl (default: ledger.csv)")
    p.add_argument("--unit", metavar="NAME", default=None,
                   help="only tasks of this unit (as written, simplified or canonical name)")
    p.add_argument("--due-before", metavar="YYYY-MM-DD", default=None, type=_document_date,
                   help="only tasks with a dated deadline on or before this day")
    p.add_argument("--due-after", metavar="YYYY-MM-DD", default=None, type=_document_date,
                   help="only tasks with a dated deadline on or after this day")
    p.add_argument("--doc", metavar="TEXT", default=None,
                   help="only documents whose source path, title or 文号 contains TEXT")
    p.add_argument("--ics", metavar="FILE", default=None,
                   help="also write an iCalendar file: one all-day event per dated deadline")

    p = sub.add_parser("evaluate", help="precision/recall/F1 of records against gold files",
                       description="Pair each record with corpus/gold/<stem>.yml by file stem; print P/R/F1 "
                                   "per kind, micro (pooled counts) and macro (mean per document), for all "
                                   "records and for each part and batch of corpus/parts.yml (next to the gold "
                                   "folder); then a per-document table, worst first.")
    p.add_argument("records", metavar="RECORDS", help="folder of records (e.g. out/records)")
    p.add_argument("--gold", metavar="DIR", default="corpus/gold")
    p.add_argument("--json", metavar="FILE", default=None, help="also write the scores as JSON")
    p.add_argument("--metrics", metavar="FILE", default=None,
                   help="also write a small summary (per kind P/R/F1, micro and macro) as JSON (dvc metrics)")
    p.add_argument("--plots", metavar="FILE", default=None,
                   help="also write per-document F1 scores as a JSON list (dvc plots)")
    p.add_argument("--errors", action="store_true", help="list every miss and false positive")
    p.add_argument("--only", metavar="GLOB", default=None,
                   help="score only records whose path matches (e.g. 'more/5*')")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.command:
        build_parser().print_help()
        return 2
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()          # a closed pipe shows here, inside the handler below, not at exit
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # rule errors and bad paths: one clear line, exit 2
        from .rules import RuleError

        if isinstance(exc, RuleError):
            print(f"policy-pipeline: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, BrokenPipeError):    # `… | head`: the reader has all it wants
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())     # no second error at exit
            return 141                          # 128 + SIGPIPE, as if the pipe had ended us
        if isinstance(exc, OSError):    # a missing input, an output that cannot be written
            where = f": {exc.filename}" if exc.filename else ""
            print(f"policy-pipeline: {exc.strerror}{where}" if exc.strerror else f"policy-pipeline: {exc}",
                  file=sys.stderr)
            return 2
        from .model import IngestError

        if isinstance(exc, IngestError):   # `explain FILE` on a file that cannot be read
            print(f"policy-pipeline: {exc.status}: {exc.reason}", file=sys.stderr)
            return 1
        raise


def _params(args):
    from .runner import Params

    return Params(max_bytes=int(args.max_mb * 1024 * 1024), timeout=args.timeout,
                  memory_mb=args.memory_mb, rules_dir=args.rules, ocr=args.ocr,
                  record_format=getattr(args, "record_format", "yaml"))


def _batch(job: str, args) -> int:
    from .runner import run_batch

    code, report = run_batch(job, args.inputs, args.out, workers=args.jobs, params=_params(args),
                             force=args.force, quiet=args.quiet, follow_links=args.follow_links,
                             scheduler=args.scheduler)
    s = report["summary"]
    if report.get("interrupted"):
        print(f"interrupted: {s['total'] - s['not_processed']} of {s['total']} documents finished, "
              f"{s['not_processed']} not processed (a rerun resumes)", file=sys.stderr)
    print(f"{s['total']} documents: {s['done']} done, {s['failed']} failed, {s['skipped']} skipped "
          f"({s['unchanged']} unchanged since the last run) in {report['seconds']} s", file=sys.stderr)
    print(f"report: {os.path.join(args.out, 'report.yml')}", file=sys.stderr)
    if report.get("interrupted"):
        return code
    return 0 if args.allow_failures else code


def cmd_run(args) -> int:
    return _batch("run", args)


def cmd_extract(args) -> int:
    from pathlib import Path

    def ingested(path: str) -> bool:     # a document `ingest -o` wrote (not its manifest)
        p = Path(path)
        if p.is_dir():
            return any(f.name != "manifest.json" for f in p.rglob("*.json"))
        return p.suffix == ".json" or not p.exists()    # a missing input gets its own error
    code = _batch("extract", args)     # (output errors first: they are the same for every job)
    if code == 0 and not any(ingested(p) for p in args.inputs):
        print("policy-pipeline: extract reads the .json files that `policy-pipeline ingest -o` writes and "
              "found none in the inputs; to read documents (PDF, DOCX, HTML, TXT …) directly, use "
              "`policy-pipeline run`", file=sys.stderr)
        return 2
    return code


def cmd_ingest(args) -> int:
    if args.out:
        return _batch("ingest", args)
    from pathlib import Path

    from .batch.inputs import read_regular
    from .model import IngestError
    from .process import ingest
    from .rules import load_rules

    rules = load_rules(args.rules)
    code = 0
    for path in args.inputs:
        if not os.path.lexists(path):
            raise FileNotFoundError(f"input not found: {path}")
        try:
            # never blocks on a FIFO, refuses folders and oversized files with a reason
            data = read_regular(Path(path), int(args.max_mb * 1024 * 1024), nofollow=False)
            doc = ingest(data, os.path.basename(path), rules, int(args.max_mb * 1024 * 1024), args.ocr)
        except IngestError as exc:
            print(f"{path}: {exc.status}: {exc.reason}", file=sys.stderr)
            code = 1
            continue
        if args.blocks:
            for b in doc.blocks:
                print(f"[{b.kind} p{b.page} {b.start}-{b.end}] {b.text}")
        else:
            print(doc.text)
        for w in doc.warnings:
            print(f"warning: {w.code}: {w.message}", file=sys.stderr)
    return code


def cmd_schema(args) -> int:
    from .schema import RECORD_SCHEMA, markdown

    if args.markdown:
        print(markdown())
        return 0
    print(json.dumps(RECORD_SCHEMA, ensure_ascii=False, indent=args.indent))
    return 0


def cmd_rules(args) -> int:
    from .rules import load_rules

    rs = load_rules(args.rules)
    for name, data in sorted(rs.files.items()):
        rules = (data or {}).get("rules", [])
        print(f"{name}: {len(rules)} rules")
        for r in rules:
            print(f"  - {r.get('name')}")
    print(f"ok: {rs.directory} (digest {rs.digest[:16]})")
    return 0


def cmd_explain(args) -> int:
    from .explain import explain

    return explain(args.target, rules_dir=args.rules, date=args.date, html=args.html)


def cmd_evaluate(args) -> int:
    from .evaluate import main as evaluate_main

    return evaluate_main(args.records, args.gold, json_out=args.json, show_errors=args.errors,
                         only=args.only, metrics_out=args.metrics, plots_out=args.plots)


def cmd_ledger(args) -> int:
    import datetime as dt

    from .outputs.ledger import Filters
    from .outputs.ledger_files import LedgerFormatError, write_ledger

    day = (lambda v: dt.date.fromisoformat(v) if v else None)  # noqa: E731
    filters = Filters(unit=args.unit, due_before=day(args.due_before), due_after=day(args.due_after), doc=args.doc)
    unreadable: list[str] = []
    try:
        n = write_ledger(args.records, args.out, filters, ics=args.ics, unreadable=unreadable)
    except LedgerFormatError as exc:
        print(f"policy-pipeline: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:          # an output that cannot be written (FileNotFoundError: a missing RECORDS)
        print(f"policy-pipeline: {exc.strerror or exc}: {exc.filename or args.out}", file=sys.stderr)
        return 2
    for problem in unreadable:
        print(f"skipped: {problem}", file=sys.stderr)
    print(f"{n} tasks written to {args.out}" + (f", deadlines to {args.ics}" if args.ics else ""), file=sys.stderr)
    return 1 if unreadable else 0


def cmd_site(args) -> int:
    from .outputs.site import build_site

    try:
        built = build_site(args.out, args.site, text_dir=args.text)
    except OSError as exc:          # FileNotFoundError: a missing OUT; an unwritable site folder
        print(f"policy-pipeline: {exc.strerror}: {exc.filename}" if exc.strerror and exc.filename
              else f"policy-pipeline: {exc}", file=sys.stderr)
        return 2
    for problem in built.unreadable:
        print(f"skipped: {problem}", file=sys.stderr)
    if built.without_text:
        print(f"{len(built.without_text)} documents shown without their full text (the run kept none): "
              f"rerun `policy-pipeline run … --force` to keep it", file=sys.stderr)
    print(f"{built.pages} document pages, {built.ledger_rows} ledger rows: "
          f"{os.path.join(args.site, 'index.html')}", file=sys.stderr)
    return 1 if built.unreadable else 0


COMMANDS = {"ledger": cmd_ledger, "run": cmd_run, "ingest": cmd_ingest, "extract": cmd_extract, "schema": cmd_schema,
            "rules": cmd_rules, "explain": cmd_explain, "evaluate": cmd_evaluate, "site": cmd_site}

if __name__ == "__main__":
    sys.exit(main())
