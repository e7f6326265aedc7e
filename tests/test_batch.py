"""Batch runs (pipeline.runner, `policy-pipeline run`): hostile files fail alone with a
telling reason, every input is accounted for, good files give valid records, writes are
atomic, the time limit holds, and a re-run redoes exactly what changed.

Every hostile file is made in tmp_path at test time; none is committed.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipeline import recordio
from pipeline.runner import EXIT_OK, EXIT_SOME_FAILED, Outcome, Params, collect, run_batch
from pipeline.schema import RECORD_SCHEMA

from .conftest import CORPUS, ROOT, SEEDS

GOOD = {  # name in the test folder → corpus file
    "good.txt": SEEDS / "003_2f6965311e0af134.txt",
    "good.docx": SEEDS / "004_faeede1183fd7fea.docx",
}
BIG_PDF = SEEDS / "001_71262d750d9eb121.pdf"
VALIDATOR = jsonschema.Draft202012Validator(RECORD_SCHEMA)


# ------------------------------------------------------------------ helpers


def make_zip_bomb(path: Path, megabytes: int = 300) -> None:
    """A DOCX-shaped zip whose extra member inflates to `megabytes` MB of zeros.

    Streamed in 1 MB chunks, so neither memory nor disk ever holds the inflated data
    (the file on disk is about 0.3 MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml",
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    "<w:body><w:p><w:r><w:t>关于加强管理的通知</w:t></w:r></w:p></w:body></w:document>")
        chunk = bytes(1 << 20)
        with zf.open("word/media/image1.bin", "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(chunk)


def make_encrypted_pdf(src: Path, dst: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) makes the encrypted PDF")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(src))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with open(dst, "wb") as fh:
        writer.write(fh)


def make_long_pdf(src: Path, dst: Path, copies: int) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) makes the long PDF")
    writer = pypdf.PdfWriter()
    for _ in range(copies):
        writer.append(pypdf.PdfReader(src))
    with open(dst, "wb") as fh:
        writer.write(fh)


def copy_good(folder: Path) -> None:
    for name, src in GOOD.items():
        shutil.copyfile(src, folder / name)


def by_source(report: dict) -> dict[str, dict]:
    return {d["source"]: d for d in report["documents"]}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def load_record(out: Path, doc: dict) -> dict:
    return recordio.load_record(out / doc["output"])


def record_mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in (out / "records").rglob("*.yml")}


def cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed `policy-pipeline` (or `python -m pipeline.cli`) on this checkout."""
    exe = Path(sys.executable).with_name("policy-pipeline")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run(cmd + list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------ a folder of hostile files

# name → (allowed statuses, words of which the reason must contain one)
HOSTILE = {
    "truncated.pdf": ({"failed"}, ("truncated", "corrupt")),
    "encrypted.pdf": ({"failed", "skipped"}, ("encrypted", "password")),
    "empty.txt": ({"failed", "skipped"}, ("empty",)),
    "random.docx": ({"failed", "skipped"}, ("binary", "not a valid docx", "unknown")),
    "bomb.docx": ({"failed", "skipped"}, ("zip bomb",)),
    "setup.exe": ({"skipped"}, ("executable",)),
    "legacy.doc": ({"skipped"}, ("legacy", ".doc")),
}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    pdf = (SEEDS / "000_616882cabf01649c.pdf").read_bytes()
    (d / "truncated.pdf").write_bytes(pdf[: len(pdf) // 2])
    make_encrypted_pdf(SEEDS / "003_2f6965311e0af134.pdf", d / "encrypted.pdf")
    (d / "empty.txt").write_bytes(b"")
    (d / "random.docx").write_bytes(random.Random(20240601).randbytes(4096))
    make_zip_bomb(d / "bomb.docx")
    (d / "deep.html").write_text(
        "<html><head><meta charset='utf-8'></head><body>" + "<div>" * 10_000
        + "<p>关于加强安全生产管理工作的通知</p>" + "</div>" * 10_000 + "</body></html>", encoding="utf-8")
    (d / "setup.exe").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(500) + b"This program cannot be run in DOS mode.")
    (d / "legacy.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    copy_good(d)
    assert (d / "bomb.docx").stat().st_size < 2_000_000, "the zip bomb must stay small on disk"
    return d


@pytest.fixture(scope="module")
def hostile_run(hostile_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile_out")
    code, report = run_batch("run", [str(hostile_dir)], out, workers=2, params=Params(timeout=60), quiet=True)
    return code, report, out


def test_every_input_accounted_for(hostile_dir, hostile_run):
    code, report, out = hostile_run
    names = files_in(hostile_dir)
    assert names == set(HOSTILE) | set(GOOD) | {"deep.html"}
    docs = by_source(report)
    assert set(docs) == names, "every input file must appear in the report exactly once"
    assert len(report["documents"]) == len(names)
    for name, d in docs.items():
        assert d["status"] in ("done", "failed", "skipped"), (name, d)
        if d["status"] != "done":
            reason = d.get("reason") or ""
            assert reason.strip() and "\n" not in reason and len(reason) <= 300, (name, reason)
            assert "internal error" not in reason, f"{name}: a hostile file must get a telling reason, not {reason!r}"
    s = report["summary"]
    assert s["total"] == len(names) and s["unchanged"] == 0
    assert s["done"] + s["failed"] + s["skipped"] == s["total"]
    for status in ("done", "failed", "skipped"):
        assert s[status] == sum(d["status"] == status for d in docs.values())
    # the report on disk is the one returned
    on_disk = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
    assert on_disk["summary"] == s
    assert by_source(on_disk).keys() == docs.keys()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_fails_alone_with_reason(hostile_run, name):
    _, report, out = hostile_run
    statuses, words = HOSTILE[name]
    d = by_source(report)[name]
    assert d["status"] in statuses, d
    reason = d["reason"].lower()
    assert any(w in reason for w in words), f"{name}: reason {d['reason']!r} should mention one of {words}"
    assert not (out / "records" / f"{name}.yml").exists()


def test_deeply_nested_html(hostile_run):
    """10,000 nested <div>s: either read (a valid record) or failed as too deeply nested."""
    _, report, out = hostile_run
    d = by_source(report)["deep.html"]
    if d["status"] == "done":
        VALIDATOR.validate(load_record(out, d))
    else:
        assert d["status"] == "failed", d
        assert any(w in d["reason"].lower() for w in ("nest", "deep", "depth")), d


def test_good_files_done_with_valid_records(hostile_run):
    _, report, out = hostile_run
    docs = by_source(report)
    for name in GOOD:
        d = docs[name]
        assert d["status"] == "done", d
        assert d["output"] == f"records/{name}.yml"
        record = load_record(out, d)
        VALIDATOR.validate(record)
        assert record["document"]["source"] == name
        assert record["document"]["format"] == name.rsplit(".", 1)[1]
        assert len(record["tasks"]) == d["tasks"] > 0
        assert d["seconds"] > 0


def test_exit_code_one_when_some_failed(hostile_run):
    code, report, _ = hostile_run
    assert report["summary"]["failed"] > 0
    assert code == EXIT_SOME_FAILED == 1


def test_writes_are_atomic_no_temp_files_left(hostile_run):
    _, _, out = hostile_run
    left = [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert not left, f"temporary files left behind: {left}"
    # a record and the cleaned text it points into (ingested/, for the review site) per document done
    done = set(GOOD) | ({"deep.html"} if (out / "records" / "deep.html.yml").exists() else set())
    assert files_in(out) == {"report.yml", "manifest.json"} | {f"records/{n}.yml" for n in done} | {
        f"ingested/{n}.json" for n in done}
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_oversized_file_skipped(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    copy_good(d)
    limit = int(0.01 * 1024 * 1024)            # --max-mb 0.01
    assert (d / "good.txt").stat().st_size < limit < (d / "good.docx").stat().st_size
    code, report = run_batch("run", [str(d)], tmp_path / "out", workers=2,
                             params=Params(max_bytes=limit, timeout=60), quiet=True)
    docs = by_source(report)
    assert docs["good.docx"]["status"] == "skipped"
    assert "too large" in docs["good.docx"]["reason"]
    assert docs["good.txt"]["status"] == "done"
    assert code == EXIT_OK          # skipped is not failed


# ------------------------------------------------------------------ time limit


def test_tiny_timeout_times_out(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(BIG_PDF, d / "big.pdf")
    code, report = run_batch("run", [str(d)], tmp_path / "out", workers=1, params=Params(timeout=0.001), quiet=True)
    doc = by_source(report)["big.pdf"]
    assert doc["status"] == "failed"
    assert "timed out" in doc["reason"], doc
    assert code == EXIT_SOME_FAILED


def test_timeout_not_swallowed_by_reader(tmp_path):
    """The limit fires while the PDF reader is busy: its `except Exception` around each
    page must not catch it (the document would then finish, late and with a page missing)."""
    d = tmp_path / "in"
    d.mkdir()
    make_long_pdf(BIG_PDF, d / "long.pdf", copies=30)  # ~10 s of work at full speed (pypdfium2 reads ~0.3 s a copy)
    limit = 1.5
    t0 = time.perf_counter()
    code, report = run_batch("run", [str(d)], tmp_path / "out", workers=1, params=Params(timeout=limit), quiet=True)
    doc = by_source(report)["long.pdf"]
    assert doc["status"] == "failed" and "timed out" in doc["reason"], doc
    assert doc["seconds"] < limit + 5, doc
    assert time.perf_counter() - t0 < 60


def test_timeout_in_process_beats_broad_except(monkeypatch, tmp_path):
    """Deterministic variant: a job that swallows every Exception still stops at the limit."""
    from pipeline import runner

    def stubborn(data, path, rel, out_dir, params):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 - what a careless reader does
                pass
        return Outcome(rel, "done")

    monkeypatch.setitem(runner.JOBS, "stubborn", stubborn)
    old = signal.getsignal(signal.SIGALRM)
    try:
        (tmp_path / "x").write_text("x", encoding="utf-8")
        o = runner.work("stubborn", str(tmp_path / "x"), "x", str(tmp_path), Params(timeout=0.2))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert o.status == "failed" and "timed out" in o.reason, o
    assert o.seconds < 3


def test_raised_timeout_retries_timed_out_document(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(GOOD["good.txt"], d / "good.txt")
    out = tmp_path / "out"
    _, report = run_batch("run", [str(d)], out, workers=1, params=Params(timeout=0.001), quiet=True)
    assert by_source(report)["good.txt"]["status"] == "failed"
    code, report = run_batch("run", [str(d)], out, workers=1, params=Params(timeout=60), quiet=True)
    doc = by_source(report)["good.txt"]
    assert doc["status"] == "done", "a higher time limit must retry a document that timed out"
    assert code == EXIT_OK


# ------------------------------------------------------------------ re-runs


def test_rerun_redoes_exactly_what_changed(tmp_path):
    from pipeline.rules import load_rules

    d = tmp_path / "in"
    d.mkdir()
    copy_good(d)
    (d / "empty.txt").write_bytes(b"")
    (d / "setup.exe").write_bytes(b"MZ" + bytes(300))
    out = tmp_path / "out"
    frozen = tmp_path / "rules_frozen"     # rules/ may be edited while the test runs
    shutil.copytree(ROOT / "rules", frozen)
    rules = load_rules(frozen)
    params = Params(timeout=60, rules_dir=str(frozen))

    def run(**kw):
        return run_batch("run", [str(d)], out, workers=2, quiet=True, **{"params": params, **kw})

    code1, r1 = run()
    assert code1 == EXIT_SOME_FAILED
    assert r1["rules_digest"] == rules.digest[:16]
    first = {n: x["status"] for n, x in by_source(r1).items()}
    assert first == {"good.txt": "done", "good.docx": "done", "empty.txt": "failed", "setup.exe": "skipped"}
    m1 = record_mtimes(out)
    assert len(m1) == 2
    time.sleep(0.02)  # mtime granularity

    # 1. nothing changed: every document unchanged, no record rewritten, same outcome
    code2, r2 = run()
    s = r2["summary"]
    assert s["unchanged"] == s["total"] == 4
    assert (s["done"], s["failed"], s["skipped"]) == (2, 1, 1), "unchanged documents keep their status in the summary"
    for name, x in by_source(r2).items():
        assert x["status"] == "unchanged" and x["previous_status"] == first[name], x
    assert by_source(r2)["empty.txt"]["reason"] == by_source(r1)["empty.txt"]["reason"]
    assert record_mtimes(out) == m1, "an unchanged document's record must not be rewritten"
    assert code2 == code1

    # 2. one file's bytes change: only that one is processed again
    with open(d / "good.txt", "a", encoding="utf-8") as fh:
        fh.write("\n本通知自印发之日起施行。\n")
    _, r3 = run()
    st = {n: x["status"] for n, x in by_source(r3).items()}
    assert st == {"good.txt": "done", "good.docx": "unchanged", "empty.txt": "unchanged", "setup.exe": "unchanged"}
    m3 = record_mtimes(out)
    assert m3["records/good.docx.yml"] == m1["records/good.docx.yml"]
    assert m3["records/good.txt.yml"] != m1["records/good.txt.yml"]

    # 3. force: everything again
    _, r4 = run(force=True)
    assert r4["summary"]["unchanged"] == 0
    assert {x["status"] for x in r4["documents"]} == {"done", "failed", "skipped"}
    assert all(v != m3[k] for k, v in record_mtimes(out).items())

    # 4. a changed rule folder (only a comment differs) gives a new digest: everything again
    rules2 = tmp_path / "rules"
    shutil.copytree(frozen, rules2)
    with open(rules2 / "units.yml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited by test_batch\n")
    _, r5 = run(params=Params(timeout=60, rules_dir=str(rules2)))
    assert r5["rules_digest"] != rules.digest[:16]
    assert r5["summary"]["unchanged"] == 0
    assert by_source(r5)["good.docx"]["status"] == "done"
    # and a second run with those rules is a no-op again
    _, r6 = run(params=Params(timeout=60, rules_dir=str(rules2)))
    assert r6["summary"]["unchanged"] == 4


def test_exit_zero_when_all_done(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    copy_good(d)
    code, report = run_batch("run", [str(d)], tmp_path / "out", workers=2, params=Params(timeout=60), quiet=True)
    assert report["summary"]["done"] == 2
    assert code == EXIT_OK == 0


# ------------------------------------------------------------------ the command line


def test_cli_run_two_good_files(tmp_path):
    for name, src in GOOD.items():
        shutil.copyfile(src, tmp_path / name)
    out = tmp_path / "out"
    p = cli("run", "good.txt", "good.docx", "-o", "out", "-j", "2", "--timeout", "60", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert f"report: {os.path.join('out', 'report.yml')}" in p.stderr
    report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
    assert {d["source"]: d["status"] for d in report["documents"]} == {"good.txt": "done", "good.docx": "done"}


def test_cli_exit_one_when_some_failed(tmp_path):
    shutil.copyfile(GOOD["good.txt"], tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    p = cli("run", "good.txt", "empty.txt", "-o", "out", "-q", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    p = cli("run", "good.txt", "empty.txt", "-o", "out", "-q", "--allow-failures", cwd=tmp_path)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"]])
def test_help_mentions_batch_options(argv, tmp_path):
    p = cli(*argv, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    for opt in ("-j", "--force", "--timeout"):
        assert opt in p.stdout, f"`policy-pipeline {' '.join(argv)}` should mention {opt}"


def test_cli_import_is_light():
    """`policy-pipeline --help` must stay fast: no NLP or format library at import time."""
    heavy = ("spacy", "jieba", "pdfplumber", "pypdfium2", "docx", "lxml", "opencc", "dateparser", "cn2an")
    code = f"import pipeline.cli, sys; print([m for m in {heavy!r} if m in sys.modules])"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]", f"imported at `import pipeline.cli`: {p.stdout.strip()}"


def test_cli_schema_is_valid_draft_2020_12(tmp_path):
    p = cli("schema", cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    schema = json.loads(p.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json.loads(json.dumps(RECORD_SCHEMA))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# ------------------------------------------------------------------ the whole corpus


def test_corpus_run_accounts_for_every_file(corpus_run, corpus_records):
    code, report, out = corpus_run
    walked = {e.rel for e in collect([CORPUS / "raw"])}
    docs = by_source(report)
    assert set(docs) == walked
    internal = {n: d["reason"] for n, d in docs.items() if "internal error" in (d.get("reason") or "")}
    assert not internal, f"internal errors on corpus files: {internal}"
    not_done = {n: (d["status"], d.get("reason")) for n, d in docs.items() if d["status"] != "done"}
    assert not not_done, f"corpus files not done: {not_done}"
    for d in docs.values():
        VALIDATOR.validate(corpus_records[d["output"]])
    assert code == EXIT_OK
    assert not [p for p in out.rglob("*.tmp")]
