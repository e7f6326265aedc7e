"""The per-document job: read one file safely, skip it when unchanged, else process it.

Runs inside a worker (any executor); knows nothing about executors. ``work`` never
raises: every failure becomes an Outcome with a one-line reason. The time limit covers
the whole job, reading and hashing included (an in-process alarm here, and the
executor's hard deadline for code that never returns to Python).
"""
from __future__ import annotations

import hashlib
import json
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..recordio import write_record
from ..rules import RuleSet
from .inputs import read_regular


@dataclass
class Params:
    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 120.0
    memory_mb: int = 4096
    rules_dir: str | None = None
    ocr: str = "auto"              # PDF pages read by OCR: auto | off | force
    record_format: str = "yaml"    # records as .yml or .json (run and extract)

    def digest(self) -> str:
        # Every parameter that can change an outcome: a document that timed out or ran out
        # of memory is retried when the limit is raised.
        # The program's version too: an upgraded pipeline redoes what it would do differently.
        from .. import SCHEMA_VERSION, __version__

        key = {"max_bytes": self.max_bytes, "timeout": self.timeout, "memory_mb": self.memory_mb,
               "version": __version__, "schema": SCHEMA_VERSION, "ocr": self.ocr}
        if self.record_format != "yaml":    # only then: YAML runs keep the keys they had
            key["record_format"] = self.record_format
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
    key: str | None = None      # content hash + rules + parameters, for the manifest

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"source": self.source, "status": self.status}
        if self.reason:
            d["reason"] = self.reason
        d["seconds"] = round(self.seconds, 3)
        for k in ("output", "tasks", "warnings"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        d.update(self.info)
        return d


# -- worker state ------------------------------------------------------------------

_RULES: RuleSet | None = None


def _rules() -> RuleSet:
    assert _RULES is not None, "work() loads the rules first"
    return _RULES


def _main_thread() -> bool:
    # Signals (Ctrl-C, the time-limit alarm) can only be handled in the main thread; a
    # Dask worker runs tasks in other threads and relies on the executor's deadline.
    return threading.current_thread() is threading.main_thread()


_PREPARED_FOR: tuple[str | None] | None = None     # rules folder the loaded rules came from


def prepare(rules: RuleSet, rules_dir: str | None) -> None:
    """In the parent, before forking workers: hold the rules and warm up once; forked
    workers inherit both (copy-on-write) and start at once, replacements too."""
    global _RULES, _PREPARED_FOR
    _RULES = rules
    _warm_up(rules)
    _PREPARED_FOR = (rules_dir,)


def init_worker(rules_dir: str | None, memory_mb: int) -> None:
    global _RULES, _PREPARED_FOR
    if _main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    if _RULES is not None and _PREPARED_FOR == (rules_dir,):
        return                                        # forked from a prepared parent
    from ..rules import load_rules

    _RULES = load_rules(rules_dir)
    _warm_up(_RULES)
    _PREPARED_FOR = (rules_dir,)


def _warm_up(rules: RuleSet) -> None:
    """Imports, the segmenter's dictionary, compiled rules: paid once, not inside the
    first document's time limit."""
    from ..process import process_bytes

    try:
        process_bytes(_WARM_UP.encode("utf-8"), "warm-up.txt", rules, 1 << 20)
        # what the small text does not reach: the unit tokenizer's dictionary, Chinese
        # numerals, pdfplumber's table finder (measured 0.8 s, 0.1 s, 0.06 s on first use)
        from ..extract.units import tokenizer

        tokenizer(rules).lcut("县发改局牵头")
        import cn2an  # noqa: F401
        import pdfplumber.table  # noqa: F401
    except Exception:  # noqa: BLE001 - a warm-up failure shows again on the real documents
        pass


# A little of every shape the extractors handle, so each builds its matchers here.
_WARM_UP = ("关于做好安全生产工作的通知\n一、加强安全生产管理，由市应急管理局牵头，2021年8月底前完成。\n"
            "二、做好统计工作（县统调队牵头，县发改局配合）。\n三、各单位要在5个工作日内报送，不少于30日。\n"
            "牵头单位：县政府办\n")


class _Timeout(BaseException):
    """Not an Exception: ``except Exception`` in a reader (pdfplumber pages) must not swallow it."""


def _alarm(signum, frame):
    raise _Timeout()


def work(job: str, path: str, rel: str, out_dir: str, params: Params, prev_key: str | None = None,
         nofollow: bool = False, key_extra: str = "") -> Outcome:
    """Run one document; never raises. ``prev_key``: the manifest key of the last run,
    when its output is still there; equal to this run's key, nothing is redone."""
    from ..model import IngestError

    global _RULES
    t0 = time.perf_counter()
    alarm = _main_thread()
    if alarm:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, params.timeout)
    key = None
    try:
        if _RULES is None:           # a worker whose executor ran no initializer
            from ..rules import load_rules

            _RULES = load_rules(params.rules_dir)
        data = read_regular(Path(path), params.max_bytes, nofollow)
        key = f"{hashlib.sha256(data).hexdigest()}:{key_extra}"
        if prev_key is not None and key == prev_key:
            return Outcome(rel, "unchanged", key=key)
        out = JOBS[job](data, Path(path), rel, Path(out_dir), params)
        out.seconds = time.perf_counter() - t0
        out.key = key
        return out
    except IngestError as exc:
        return Outcome(rel, exc.status, exc.reason, time.perf_counter() - t0, key=key)
    except _Timeout:
        return Outcome(rel, "failed", f"timed out after {params.timeout:g} s", time.perf_counter() - t0, key=key)
    except MemoryError:
        return Outcome(rel, "failed", f"out of memory (limit {params.memory_mb} MB per worker)",
                       time.perf_counter() - t0, key=key)
    except RecursionError:
        return Outcome(rel, "failed", "document too deeply nested", time.perf_counter() - t0, key=key)
    except Exception as exc:  # noqa: BLE001 - one document must never stop the batch
        return Outcome(rel, "failed", f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300],
                       time.perf_counter() - t0, key=key)
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _job_run(data: bytes, path: Path, rel: str, out_dir: Path, params: Params) -> Outcome:
    from ..docstore import RUN_TEXT_DIR, save_document
    from ..process import analyse, build_record, document_id, ingest
    from ..schema import validate

    doc = ingest(data, rel, _rules(), params.max_bytes, params.ocr)
    doc_id = document_id(data)
    # the cleaned text every span points into, kept beside the record for the review site
    # (`policy-pipeline site`); the same format as `ingest -o` writes
    save_document(out_dir / RUN_TEXT_DIR / f"{rel}.json", doc, doc_id)
    record = build_record(analyse(doc, _rules()), doc_id, rel)
    validate(record)
    target = write_record(out_dir / "records" / rel, record, params.record_format)
    return Outcome(rel, "done", output=target.relative_to(out_dir).as_posix(), tasks=len(record["tasks"]),
                   warnings=len(record["document"]["warnings"]),
                   info={"title": record["document"].get("title"), "doc_number": record["document"].get("doc_number"),
                         "id": record["document"]["id"],
                         "references": [{"title": r.get("title"), "doc_number": r.get("doc_number")}
                                        for r in record["document"]["references"]]})


def _job_ingest(data: bytes, path: Path, rel: str, out_dir: Path, params: Params) -> Outcome:
    from ..docstore import save_document
    from ..process import document_id, ingest

    doc = ingest(data, rel, _rules(), params.max_bytes, params.ocr)
    target = out_dir / f"{rel}.json"
    save_document(target, doc, document_id(data))
    return Outcome(rel, "done", output=target.relative_to(out_dir).as_posix(), warnings=len(doc.warnings))


def _job_extract(data: bytes, path: Path, rel: str, out_dir: Path, params: Params) -> Outcome:
    from ..docstore import load_document
    from ..process import analyse, build_record
    from ..schema import validate

    doc, doc_id = load_document(path)
    record = build_record(analyse(doc, _rules()), doc_id, doc.source)
    validate(record)
    stem = rel[:-5] if rel.endswith(".json") else rel
    target = write_record(out_dir / stem, record, params.record_format)
    return Outcome(doc.source, "done", output=target.relative_to(out_dir).as_posix(), tasks=len(record["tasks"]),
                   warnings=len(record["document"]["warnings"]))


JOBS = {"run": _job_run, "ingest": _job_ingest, "extract": _job_extract}
