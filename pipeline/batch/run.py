"""A batch: collect the inputs, skip what is unchanged, run the rest, write the report.

Every entry the walk finds ends as exactly one line of ``OUT/report.yml``. Finished
documents are journalled as they finish (see journal.py), so a batch killed at any
moment resumes where it stopped and ends with the same records as an uninterrupted run.
"""
from __future__ import annotations

import errno
import hashlib
import os
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..emit import dump_yaml, write_atomic
from ..model import IngestError
from .executor import ProcessExecutor
from .inputs import collect, printable, read_regular
from .jobs import Outcome, Params, init_worker, prepare, work
from .journal import MANIFEST, Journal
from .report import Progress, build_report

if TYPE_CHECKING:
    from .cluster import DaskExecutor

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130      # Ctrl-C, as shells report it


def hard_deadline(timeout: float) -> float:
    """The time limit plus a grace (half the limit, 1 to 5 s): the in-process alarm
    fires first and reports normally; the kill is for code that never returns to Python
    (a backtracking regular expression, a C library stuck)."""
    return timeout + min(5.0, max(1.0, timeout / 2))


def run_batch(job: str, inputs: list[str], out_dir: str | Path, *, workers: int | None = None,
              params: Params | None = None, force: bool = False, quiet: bool = False,
              follow_links: bool = False, scheduler: str | None = None) -> tuple[int, dict]:
    """Process every input file; write OUT/report.yml; return (exit code, report).

    ``scheduler``: None for local worker processes, else a Dask address (``local:N``
    starts a LocalCluster, ``tcp://host:port`` joins a running cluster)."""
    from ..rules import load_rules

    params = params or Params()
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    out_dir = Path(out_dir)
    check_writable(out_dir)
    rules = load_rules(params.rules_dir)   # fail fast on a bad rule file
    entries = collect(inputs, exclude=out_dir, follow_links=follow_links)
    if job == "extract":   # only ingested documents, not the ingest stage's manifest.json / report.yml
        entries = [e for e in entries if e.status is None and e.rel.endswith(".json") and e.rel != MANIFEST]
    journal = Journal(out_dir)
    manifest = journal.load()
    _remove_stale_temporaries(out_dir)
    key_extra = f"{job}:{rules.digest}:{params.digest()}"
    workers = max(1, workers or os.cpu_count() or 1)
    progress = Progress(len(entries), quiet=quiet)
    outcomes: dict[str, Outcome] = {}
    tasks = []
    for e in entries:
        if e.status is not None:
            outcomes[e.rel] = Outcome(e.rel, e.status, e.reason)
            progress.update(outcomes[e.rel])
            continue
        prev = manifest.get(e.rel) if not force else None
        prev_key = None
        if (isinstance(prev, dict) and prev.get("status") in ("done", "skipped", "failed")
                and str(prev.get("key", "")).endswith(f":{key_extra}")
                and (prev.get("status") != "done" or (out_dir / str(prev.get("output", ""))).is_file())):
            prev_key = prev["key"]
        if prev_key is not None and _same_key(e, params, key_extra) == prev_key:
            # unchanged: settled here, so an unchanged batch starts no worker and no warm-up
            outcomes[e.rel] = _outcome(e.rel, "ok", Outcome(e.rel, "unchanged", key=prev_key), params, prev)
            progress.update(outcomes[e.rel])
            continue
        tasks.append((e.rel, (job, str(e.path), e.rel, str(out_dir), params, prev_key, e.nofollow, key_extra)))

    t0 = time.perf_counter()
    executor: ProcessExecutor | DaskExecutor | None = None
    interrupted = False
    results = None
    try:                        # from here on, Ctrl-C still ends with a report (warm-up included)
        if scheduler:
            from .cluster import DaskExecutor

            # memory: the cluster's own per-worker limit applies, not an rlimit on its process
            executor = DaskExecutor(scheduler, init_worker, (params.rules_dir, 0),
                                    task_timeout=hard_deadline(params.timeout))
        else:
            if tasks:
                prepare(rules, params.rules_dir)     # workers fork warm
            executor = ProcessExecutor(min(workers, max(1, len(tasks))), init_worker,
                                       (params.rules_dir, params.memory_mb), task_timeout=hard_deadline(params.timeout))
        results = executor.map_unordered(work, tasks)
        for rel, kind, value in results:
            o = _outcome(rel, kind, value, params, manifest.get(rel))
            if o.key is not None and o.status != "unchanged":
                manifest[rel] = {"key": o.key, "status": o.status, "reason": o.reason, "output": o.output}
                if o.info:      # title, number, id, references: an unchanged rerun needs no record read
                    manifest[rel]["info"] = o.info
                journal.append(rel, manifest[rel])
            outcomes[rel] = o
            progress.update(o)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if results is not None:
            results.close()     # the executor stops its workers now (a busy one is killed)
        journal.close()
        progress.close()
    previous_handler = None
    if interrupted and threading.current_thread() is threading.main_thread():
        # what finished is journalled; a second Ctrl-C must not cut the report and manifest short
        previous_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return _finish(job, inputs, out_dir, entries, outcomes, manifest, journal, rules, workers, executor,
                       scheduler, t0, interrupted)
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)


def check_writable(out_dir: Path) -> None:
    """Create OUT and prove a file can be written there, before any work: an unwritable
    output is a usage error (exit 2), not a failure of every document."""
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "output is not a folder", str(out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-test.", suffix=".tmp", dir=out_dir)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write to the output folder ({exc.strerror})", str(out_dir)) from None
    os.close(fd)
    os.unlink(probe)


def _finish(job, inputs, out_dir: Path, entries, outcomes: dict, manifest: dict, journal: Journal, rules,
            workers: int, executor, scheduler, t0: float, interrupted: bool) -> tuple[int, dict]:
    """Write the manifest and the report, also after Ctrl-C (for what finished)."""
    not_processed = [e.rel for e in entries if e.rel not in outcomes]     # only after Ctrl-C
    for rel in not_processed:           # its manifest entry from an earlier run, if any, stays valid
        outcomes[rel] = Outcome(rel, "skipped", "not processed: the run was interrupted (Ctrl-C)")

    if scheduler and executor is not None:
        workers = executor.workers or workers
    ordered = [outcomes[e.rel] for e in entries]
    journal.compact({k: v for k, v in manifest.items() if k in outcomes})
    report, failed = build_report(job, [printable(str(i)) for i in inputs], out_dir, rules.digest, workers,
                                  time.perf_counter() - t0, ordered)
    if interrupted:
        report["interrupted"] = True
        report["summary"]["not_processed"] = len(not_processed)
    if job == "run":
        from ..links import link_references

        # the same documents, none changed: the records' links are the last run's
        same = set(manifest) == set(outcomes) and all(o.status == "unchanged" for o in ordered)
        report["reference_graph"] = link_references(out_dir, ordered, rewrite=not same)
    write_atomic(out_dir / "report.yml", dump_yaml(report))
    if interrupted:
        return EXIT_INTERRUPTED, report
    return (EXIT_SOME_FAILED if failed else EXIT_OK), report


def _same_key(e, params: Params, key_extra: str) -> str | None:
    """The manifest key the worker would compute (the file's hash + rules + parameters);
    None when the file cannot be read here (the worker then reads it and reports why)."""
    try:
        data = read_regular(e.path, params.max_bytes, e.nofollow)
    except IngestError:
        return None
    return f"{hashlib.sha256(data).hexdigest()}:{key_extra}"


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of atomic writes (``.<name>.<random>.tmp``) that a killed run left."""
    for dirpath, _, filenames in os.walk(out_dir):
        for fn in filenames:
            if fn.startswith(".") and fn.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(dirpath, fn))
                except OSError:
                    pass


def _outcome(rel: str, kind: str, value, params: Params, prev: dict | None) -> Outcome:
    """The executor's result for one document as an Outcome."""
    if kind == "ok":
        o = value
        if o.status == "unchanged":
            prev = prev or {}
            return Outcome(rel, "unchanged", prev.get("reason"), 0.0, prev.get("output"),
                           info={"previous_status": prev.get("status"), **(prev.get("info") or {})})
        return o
    if kind == "timeout":
        return Outcome(rel, "failed", f"timed out after {params.timeout:g} s (worker stopped)", params.timeout)
    if kind == "died":
        return Outcome(rel, "failed", f"worker process died ({value}; out of memory or crash)")
    return Outcome(rel, "failed", f"internal error: {value}")
