"""Batch runs: walk inputs, process each document in a worker, account for every file.

Each document is isolated: an exception, a time-out or a worker that dies (a zip bomb
exhausting memory) fails that document only. A manifest of content hashes skips
documents whose bytes, rules and parameters have not changed since the last run.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .emit import dump_yaml, write_atomic, write_yaml

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2

MANIFEST = "manifest.json"


@dataclass
class Params:
    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 120.0
    memory_mb: int = 4096
    rules_dir: str | None = None

    def digest(self) -> str:
        # Every parameter that can change an outcome: a document that timed out or ran out
        # of memory is retried when the limit is raised.
        # The program's version too: an upgraded pipeline redoes what it would do differently.
        from . import SCHEMA_VERSION, __version__

        key = {"max_bytes": self.max_bytes, "timeout": self.timeout, "memory_mb": self.memory_mb,
               "version": __version__, "schema": SCHEMA_VERSION}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Outcome:
    source: str
    status: str                 # done | failed | skipped | unchanged
    reason: str | None = None
    seconds: float = 0.0
    output: str | None = None
    tasks: int | None = None
    warnings: int | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {"source": self.source, "status": self.status}
        if self.reason:
            d["reason"] = self.reason
        d["seconds"] = round(self.seconds, 3)
        for k in ("output", "tasks", "warnings"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        d.update(self.info)
        return d


def collect(inputs: list[str | Path], exclude: Path | None = None) -> list[tuple[Path, str]]:
    """(path, name relative to its input root) for every file, sorted, hidden ones left out."""
    found: list[tuple[Path, str]] = []
    for inp in inputs:
        root = Path(inp)
        if root.is_file():
            found.append((root, root.name))
            continue
        if not root.is_dir():
            raise FileNotFoundError(f"input not found: {root}")
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            here = Path(dirpath)
            if exclude is not None and (here == exclude or exclude in here.parents):
                dirnames[:] = []
                continue
            for fn in sorted(filenames):
                if fn.startswith("."):
                    continue
                p = here / fn
                found.append((p, p.relative_to(root).as_posix()))
    return found


# -- worker side ------------------------------------------------------------------

_RULES = None


def _init_worker(rules_dir: str | None, memory_mb: int) -> None:
    global _RULES
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    from .rules import load_rules

    _RULES = load_rules(rules_dir)


class _Timeout(BaseException):
    """Not an Exception: ``except Exception`` in a reader (pdfplumber pages) must not swallow it."""


def _alarm(signum, frame):
    raise _Timeout()


def _work(job: str, path: str, rel: str, out_dir: str, params: Params) -> Outcome:
    """Run one document in a worker; never raises."""
    from .model import IngestError

    t0 = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, params.timeout)
    try:
        out = JOBS[job](Path(path), rel, Path(out_dir), params)
        out.seconds = time.perf_counter() - t0
        return out
    except IngestError as exc:
        return Outcome(rel, exc.status, exc.reason, time.perf_counter() - t0)
    except _Timeout:
        return Outcome(rel, "failed", f"timed out after {params.timeout:g} s", time.perf_counter() - t0)
    except MemoryError:
        return Outcome(rel, "failed", f"out of memory (limit {params.memory_mb} MB per worker)", time.perf_counter() - t0)
    except RecursionError:
        return Outcome(rel, "failed", "document too deeply nested", time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one document must never stop the batch
        return Outcome(rel, "failed", f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300],
                       time.perf_counter() - t0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _job_run(path: Path, rel: str, out_dir: Path, params: Params) -> Outcome:
    from .process import process_bytes
    from .schema import validate

    data = path.read_bytes()
    record = process_bytes(data, rel, _RULES, params.max_bytes)
    validate(record)
    target = out_dir / "records" / f"{rel}.yml"
    write_yaml(target, record)
    return Outcome(rel, "done", output=target.relative_to(out_dir).as_posix(), tasks=len(record["tasks"]),
                   warnings=len(record["document"]["warnings"]),
                   info={"title": record["document"].get("title"), "doc_number": record["document"].get("doc_number"),
                         "id": record["document"]["id"],
                         "references": [{"title": r.get("title"), "doc_number": r.get("doc_number")}
                                        for r in record["document"]["references"]]})


def _job_ingest(path: Path, rel: str, out_dir: Path, params: Params) -> Outcome:
    from .docstore import save_document
    from .process import document_id, ingest

    data = path.read_bytes()
    doc = ingest(data, rel, _RULES, params.max_bytes)
    target = out_dir / f"{rel}.json"
    save_document(target, doc, document_id(data))
    return Outcome(rel, "done", output=target.relative_to(out_dir).as_posix(), warnings=len(doc.warnings))


def _job_extract(path: Path, rel: str, out_dir: Path, params: Params) -> Outcome:
    from .docstore import load_document
    from .process import analyse, build_record
    from .schema import validate

    doc, doc_id = load_document(path)
    record = build_record(analyse(doc, _RULES), doc_id, doc.source)
    validate(record)
    stem = rel[:-5] if rel.endswith(".json") else rel
    target = out_dir / f"{stem}.yml"
    write_yaml(target, record)
    return Outcome(doc.source, "done", output=target.relative_to(out_dir).as_posix(), tasks=len(record["tasks"]),
                   warnings=len(record["document"]["warnings"]))


JOBS = {"run": _job_run, "ingest": _job_ingest, "extract": _job_extract}


# -- parent side ------------------------------------------------------------------

class Progress:
    """A bar on a terminal, one plain line per document otherwise."""

    def __init__(self, total: int, stream=None, quiet: bool = False):
        self.total, self.n, self.stream, self.quiet = total, 0, stream or sys.stderr, quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()

    def update(self, o: Outcome) -> None:
        self.n += 1
        if self.quiet:
            return
        if self.tty:
            width = 30
            fill = int(width * self.n / max(self.total, 1))
            rate = self.n / max(time.perf_counter() - self.t0, 1e-9)
            self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.n}/{self.total} {rate:.1f} doc/s {o.status:<9}")
            self.stream.flush()
        else:
            line = f"[{self.n}/{self.total}] {o.status:<9} {o.source}"
            if o.reason:
                line += f": {o.reason}"
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_batch(job: str, inputs: list[str], out_dir: str | Path, *, workers: int | None = None,
              params: Params | None = None, force: bool = False, quiet: bool = False) -> tuple[int, dict]:
    """Process every input file; write OUT/report.yml; return (exit code, report)."""
    from .rules import load_rules

    params = params or Params()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rules = load_rules(params.rules_dir)   # fail fast on a bad rule file
    files = collect(inputs, exclude=out_dir.resolve() if out_dir.exists() else None)
    files = [(p, r) for p, r in files if p.resolve().parent != out_dir.resolve() or p.name not in (MANIFEST, "report.yml")]
    if job == "extract":   # only ingested documents, not the ingest stage's manifest.json / report.yml
        files = [(p, r) for p, r in files if r.endswith(".json") and r != MANIFEST]
    manifest_path = out_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        manifest = {}
    key_extra = f"{job}:{rules.digest}:{params.digest()}"
    outcomes: dict[str, Outcome] = {}
    todo: list[tuple[Path, str, str]] = []
    for path, rel in files:
        digest = _file_hash(path)
        prev = manifest.get(rel)
        if (not force and prev and prev.get("key") == f"{digest}:{key_extra}"
                and prev.get("status") in ("done", "skipped", "failed")
                and (prev.get("status") != "done" or (out_dir / prev.get("output", "")).exists())):
            outcomes[rel] = Outcome(rel, "unchanged", prev.get("reason"), 0.0, prev.get("output"),
                                    info={"previous_status": prev["status"]})
            continue
        todo.append((path, rel, digest))

    workers = max(1, workers or os.cpu_count() or 1)
    progress = Progress(len(files), quiet=quiet)
    for o in outcomes.values():
        progress.update(o)
    t0 = time.perf_counter()
    _execute(job, todo, out_dir, params, workers, outcomes, progress)
    progress.close()
    for path, rel, digest in todo:
        o = outcomes[rel]
        manifest[rel] = {"key": f"{digest}:{key_extra}", "status": o.status, "reason": o.reason, "output": o.output}
    manifest = {k: v for k, v in manifest.items() if k in outcomes}
    write_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))

    ordered = [outcomes[rel] for _, rel in files]
    counts: dict[str, int] = {}
    for o in ordered:
        eff = o.info.get("previous_status", o.status) if o.status == "unchanged" else o.status
        counts[eff] = counts.get(eff, 0) + 1
    report = {
        "job": job,
        "inputs": [str(i) for i in inputs],
        "output": str(out_dir),
        "rules_digest": rules.digest[:16],
        "workers": workers,
        "seconds": round(time.perf_counter() - t0, 3),
        "summary": {"total": len(ordered), **{k: counts.get(k, 0) for k in ("done", "failed", "skipped")},
                    "unchanged": sum(1 for o in ordered if o.status == "unchanged")},
        "documents": [o.to_dict() for o in ordered],
    }
    if job == "run":
        from .links import link_references

        report["reference_graph"] = link_references(out_dir, ordered)
    write_atomic(out_dir / "report.yml", dump_yaml(report))
    failed = counts.get("failed", 0)
    return (EXIT_SOME_FAILED if failed else EXIT_OK), report


def _execute(job, todo, out_dir, params, workers, outcomes, progress) -> None:
    pending = list(todo)
    while pending:
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)), initializer=_init_worker,
                                 initargs=(params.rules_dir, params.memory_mb)) as pool:
            futs = {pool.submit(_work, job, str(p), rel, str(out_dir), params): (p, rel, d) for p, rel, d in pending}
            pending = []
            try:
                for fut in as_completed(futs):
                    p, rel, d = futs[fut]
                    o = fut.result()
                    outcomes[rel] = o
                    progress.update(o)
            except BrokenProcessPool:
                # A worker died (killed by the OS, usually memory). Fail the documents it
                # may have held; run the rest again in a fresh pool, one at a time to
                # find the culprit.
                left = [(p, rel, d) for fut, (p, rel, d) in futs.items() if rel not in outcomes]
                if len(left) == 1 or workers == 1:
                    p, rel, d = left[0]
                    outcomes[rel] = Outcome(rel, "failed", "worker process died (out of memory or crash)")
                    progress.update(outcomes[rel])
                    pending = left[1:]
                else:
                    workers = 1
                    pending = left
