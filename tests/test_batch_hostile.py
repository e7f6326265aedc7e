"""A batch never falls over: a folder of hostile entries (built here, nothing committed)
is accounted for entry by entry, the time limit holds even inside C code, a kill -9 of
the batch leaves no orphan workers, and a rerun after kills gives byte-identical records.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from pipeline.batch.journal import Journal

from .conftest import ROOT, SEEDS

GOOD_TXT = SEEDS / "003_2f6965311e0af134.txt"
SHORT = "关于加强安全生产管理工作的通知\n一、由市应急管理局牵头，2021年8月底前完成排查。\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0     # root reads chmod 000 files


def make_lying_docx(path: Path, megabytes: int = 64) -> None:
    """A DOCX whose extra member claims 1 KB in both zip headers but inflates to `megabytes`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml",
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    "<w:body><w:p><w:r><w:t>关于加强管理的通知</w:t></w:r></w:p></w:body></w:document>")
        with zf.open("word/media/image1.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                fh.write(chunk)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("word/media/image1.bin")
    struct.pack_into("<I", data, info.header_offset + 22, 1024)          # local header: size
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))          # its central entry is the last
    assert data[cd + 46: cd + 46 + len("word/media/image1.bin")] == b"word/media/image1.bin"
    struct.pack_into("<I", data, cd + 24, 1024)                           # central directory: size
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("word/media/image1.bin").file_size == 1024


# name → (statuses allowed, words the reason must contain one of); "done" needs no reason
EXPECTED = {
    "in/good.txt": ({"done"}, ()),
    "in/bad\\xff\\xfename.txt": ({"done"}, ()),
    "in/loop_a": ({"failed"}, ("loop",)),
    "in/loop_b": ({"failed"}, ("loop",)),
    "in/dangling.txt": ({"failed"}, ("broken symlink",)),
    "in/fifo": ({"skipped"}, ("fifo",)),
    "in/sock": ({"skipped"}, ("socket",)),
    "in/.hidden.txt": ({"skipped"}, ("hidden",)),
    "in/.git": ({"skipped"}, ("hidden",)),
    "in/escape.txt": ({"skipped"}, ("outside the inputs",)),
    "in/dirlink": ({"skipped"}, ("symlink to a folder",)),
    "in/sub/x.txt": ({"done"}, ()),
    "in2/sub/x.txt": ({"done"}, ()),
    "in/locked": ({"failed"} if not IS_ROOT else {"done", "failed"}, ("cannot list",)),
    "in/locked/inner.txt": ({"done"}, ()),     # only listed when the folder can be read (root)
    "in/unreadable.txt": ({"failed"} if not IS_ROOT else {"done"}, ("cannot read",)),
    "in/utf16.txt": ({"done"}, ()),
    "in/utf32.txt": ({"done"}, ()),
    "in/odd16.txt": ({"failed"}, ("odd number of bytes",)),
    "in/liar.docx": ({"failed"}, ("lies about its size", "zip bomb")),
    "in/spaces.txt": ({"done", "failed"}, ("timed out",)),   # cubic junk rule; killed if over the limit
    "in/empty.txt": ({"failed"}, ("empty",)),
}


@pytest.fixture(scope="module")
def frozen_rules(tmp_path_factory) -> Path:
    """A copy of rules/ for tests that compare runs: an edit of rules/ between two runs
    (the rules digest is part of the skip-unchanged key) must not redo documents."""
    dst = tmp_path_factory.mktemp("frozen") / "rules"
    shutil.copytree(ROOT / "rules", dst)
    return dst


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("hostile_fs")
    d, d2, outside = base / "in", base / "in2", base / "outside"
    for p in (d, d2 / "sub", outside, d / "sub", d / ".git", d / "locked"):
        p.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GOOD_TXT, d / "good.txt")
    with open(os.path.join(os.fsencode(d), b"bad\xff\xfename.txt"), "wb") as fh:
        fh.write(SHORT.encode())
    os.symlink("loop_b", d / "loop_a")
    os.symlink("loop_a", d / "loop_b")
    os.symlink("nowhere.txt", d / "dangling.txt")
    os.mkfifo(d / "fifo")
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(d / "sock"))
    s.close()
    (d / ".hidden.txt").write_text(SHORT, encoding="utf-8")
    (d / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (outside / "secret.txt").write_text("绝密：外部文件，不得读取。\n" + SHORT, encoding="utf-8")
    os.symlink(outside / "secret.txt", d / "escape.txt")
    (d / "sub" / "x.txt").write_text(SHORT + "（甲）\n", encoding="utf-8")
    (d2 / "sub" / "x.txt").write_text(SHORT + "（乙）\n", encoding="utf-8")
    os.symlink("sub", d / "dirlink")
    (d / "locked" / "inner.txt").write_text(SHORT, encoding="utf-8")
    (d / "unreadable.txt").write_text(SHORT, encoding="utf-8")
    (d / "utf16.txt").write_bytes(SHORT.encode("utf-16-le"))
    (d / "utf32.txt").write_bytes(SHORT.encode("utf-32-be"))
    (d / "odd16.txt").write_bytes(SHORT.encode("utf-16-le") + b"\x00")
    make_lying_docx(d / "liar.docx")
    (d / "spaces.txt").write_text("关于加强管理的通知\n访问量" + " " * 1000 + "x\n", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    os.chmod(d / "locked", 0)
    os.chmod(d / "unreadable.txt", 0)
    yield base
    os.chmod(d / "locked", 0o755)


def snapshot(base: Path, skip: Path) -> dict[str, tuple]:
    """Every entry under base except OUT: its kind, size and mtime (nothing may change)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(base):
        if Path(dirpath) == skip or skip in Path(dirpath).parents:
            dirnames[:] = []
            continue
        for n in dirnames + filenames:
            if Path(dirpath, n) == skip:
                continue
            st = os.lstat(os.path.join(dirpath, n))
            found[os.path.join(dirpath, n)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return found


def cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def live_processes_mentioning(text: str) -> list[int]:
    """Processes (not zombies) whose command line contains `text`: a batch's workers are
    forked, so they share its command line."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text.encode() in cmd and state != "Z":
            pids.append(int(entry))
    return pids


@pytest.mark.parametrize("options", [["--timeout", "2", "--memory-mb", "1500"], []],
                         ids=["tight-limits", "defaults"])
def test_hostile_folder_every_entry_once(hostile, options, frozen_rules):
    out = hostile / f"out{len(options)}"
    tight = bool(options)
    before = snapshot(hostile, out)
    t0 = time.monotonic()
    options = [*options, "--rules", str(frozen_rules)]
    p = cli("run", "in", "in2", "-o", out.name, "-j", "2", "-q", *options, cwd=hostile)
    elapsed = time.monotonic() - t0
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 1, p.stderr
    report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
    sources = [d["source"] for d in report["documents"]]
    assert len(sources) == len(set(sources)), "an entry reported twice"
    expected = set(EXPECTED) - ({"in/locked"} if IS_ROOT else {"in/locked/inner.txt"})
    assert set(sources) == expected
    for d in report["documents"]:
        statuses, words = EXPECTED[d["source"]]
        assert d["status"] in statuses, d
        if d["status"] != "done":
            reason = d.get("reason", "")
            assert "internal error" not in reason and "\n" not in reason, d
            assert any(w in reason.lower() for w in words), d
    # same relative name under two inputs: two records, each with its own text
    a = (out / "records/in/sub/x.txt.yml").read_text(encoding="utf-8")
    b = (out / "records/in2/sub/x.txt.yml").read_text(encoding="utf-8")
    assert "甲" in a and "乙" in b
    # the link leaving the inputs was not read; nothing outside OUT was touched
    secret_id = hashlib.sha256((hostile / "outside" / "secret.txt").read_bytes()).hexdigest()[:16]
    assert not any(f"id: {secret_id}" in f.read_text(encoding="utf-8") for f in out.rglob("*.yml"))
    assert snapshot(hostile, out) == before
    assert not live_processes_mentioning(str(out.name) + "\0"), "worker processes outlived the batch"
    if tight:       # 2 s limit: the cubic junk rule was stopped by the hard deadline, not waited for
        assert elapsed < 60, elapsed
    # the rerun redoes nothing and says so
    p2 = cli("run", "in", "in2", "-o", out.name, "-j", "2", "-q", *options, cwd=hostile)
    assert p2.returncode == 1 and "Traceback" not in p2.stderr
    again = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
    assert [d["source"] for d in again["documents"]] == sources
    assert all(d["status"] in ("unchanged", "skipped", "failed") for d in again["documents"])


def test_follow_links_reads_what_the_links_point_to(tmp_path):
    d, outside = tmp_path / "in", tmp_path / "outside"
    (d / "sub").mkdir(parents=True)
    outside.mkdir()
    (d / "sub" / "x.txt").write_text(SHORT, encoding="utf-8")
    (outside / "secret.txt").write_text("外部文件\n" + SHORT, encoding="utf-8")
    os.symlink(outside / "secret.txt", d / "escape.txt")
    os.symlink("sub", d / "dirlink")
    os.symlink(".", d / "sub" / "self")                        # a folder link back up: a loop
    p = cli("run", "in", "-o", "out", "-q", "-j", "2", "--follow-links", cwd=tmp_path)
    assert "Traceback" not in p.stderr and p.returncode == 0, p.stderr
    report = yaml.safe_load((tmp_path / "out" / "report.yml").read_text(encoding="utf-8"))
    docs = {d["source"]: d for d in report["documents"]}
    assert {n: d["status"] for n, d in docs.items()} == {
        "dirlink/x.txt": "done", "dirlink/self": "skipped", "escape.txt": "done", "sub/self": "skipped",
        "sub/x.txt": "done"}
    assert "loop" in docs["sub/self"]["reason"]
    secret_id = hashlib.sha256((outside / "secret.txt").read_bytes()).hexdigest()[:16]
    assert f"id: {secret_id}" in (tmp_path / "out" / "records" / "escape.txt.yml").read_text(encoding="utf-8")


def test_user_rule_that_backtracks_forever_is_stopped(tmp_path):
    """A rule file a user edits can hang the regex engine in C, where no Python alarm
    fires: the worker is killed at the deadline, the batch goes on."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    junk = (rules / "junk.yml").read_text(encoding="utf-8")
    assert "\nrules:\n" in junk
    (rules / "junk.yml").write_text(junk.replace("\nrules:\n", "\nrules:\n  - name: user-catastrophe\n"
                                                 "    pattern: '(x+x+)+y'\n", 1), encoding="utf-8")
    d = tmp_path / "in"
    d.mkdir()
    (d / "hang.txt").write_text(SHORT + "x" * 40 + "\n", encoding="utf-8")
    (d / "ok.txt").write_text(SHORT, encoding="utf-8")
    t0 = time.monotonic()
    p = cli("run", "in", "-o", "out", "-q", "-j", "2", "--timeout", "1", "--rules", str(rules), cwd=tmp_path)
    assert time.monotonic() - t0 < 45
    report = yaml.safe_load((tmp_path / "out" / "report.yml").read_text(encoding="utf-8"))
    docs = {d["source"]: d for d in report["documents"]}
    assert docs["hang.txt"]["status"] == "failed" and "timed out" in docs["hang.txt"]["reason"], docs
    assert docs["ok.txt"]["status"] == "done"
    assert p.returncode == 1


def test_twelve_megabyte_text_node_in_html_is_read():
    from pipeline.ingest import read_bytes

    body = "关于加强管理的通知。由市财政局牵头。" * 250_000         # 13.5 MB of UTF-8 in one <p>
    doc = read_bytes(f"<html><body><p>{body}</p></body></html>".encode(), "big.html", max_bytes=50 << 20)
    assert len(doc.text) >= len(body)


# ------------------------------------------------------------------ crash and resume

def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_9_at_random_moments_then_resume_is_byte_identical(tmp_path, frozen_rules):
    d = tmp_path / "in"
    d.mkdir()
    for src in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copyfile(src, d / src.name)
    for i in range(24):                 # small documents: many finish between two kills
        (d / f"n{i:02d}.txt").write_text(f"关于做好第{i}项工作的通知\n一、由市应急管理局牵头，2021年{i % 12 + 1}月底前完成。\n",
                                         encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    base = [sys.executable, "-m", "pipeline.cli", "run", "in", "-j", "2", "-q", "--timeout", "60",
            "--rules", str(frozen_rules)]
    t0 = time.monotonic()
    ref = subprocess.run(base + ["-o", "ref"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    ref_seconds = time.monotonic() - t0
    assert ref.returncode == 0, ref.stderr
    rnd = random.Random(11)
    kills, journalled = 0, 0
    records = tmp_path / "crash" / "records"
    for attempt in range(8):            # killed at random moments of a run's life
        if attempt >= 3 and kills >= 1:
            break
        proc = subprocess.Popen(base + ["-o", "crash"], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt == 0:                # once in full flow: some documents done, some in flight
            deadline = time.monotonic() + 60
            while proc.poll() is None and len(list(records.glob("*.yml"))) < 6 and time.monotonic() < deadline:
                time.sleep(0.02)
            wait = rnd.uniform(0, 0.3)
        else:
            wait = rnd.uniform(0.3, ref_seconds)
        try:
            proc.wait(timeout=wait)
            if kills == 0:
                # finished before any kill: an unchanged re-run now takes no time at all, so
                # the next attempt starts from nothing to have work to be killed in
                shutil.rmtree(tmp_path / "crash", ignore_errors=True)
            continue                    # finished before the kill
        except subprocess.TimeoutExpired:
            pass
        workers = children_of(proc.pid)
        proc.kill()                     # SIGKILL: no cleanup code runs
        proc.wait()
        kills += 1
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "workers outlived a kill -9 of the batch"
        journalled = len(Journal(tmp_path / "crash").load())    # manifest + journal replayed
        written = len(list(records.glob("*.yml")))
        # every record written was journalled, except those of the two in-flight documents
        assert journalled >= written - 2, (journalled, written)
    assert kills >= 1, "every run finished before its kill: the test proved nothing"
    final = subprocess.run(base + ["-o", "crash"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stderr
    report = yaml.safe_load((tmp_path / "crash" / "report.yml").read_text(encoding="utf-8"))
    assert report["summary"]["unchanged"] >= journalled, "documents finished before the crash were redone"
    assert not (tmp_path / "crash" / "journal.jsonl").exists(), "a completed run folds its journal"
    got, want = tree_digest(tmp_path / "crash"), tree_digest(tmp_path / "ref")
    got.pop("report.yml")
    want.pop("report.yml")
    assert got == want, "records or manifest differ from an uninterrupted run"


def test_journal_survives_a_torn_last_line(tmp_path):
    from pipeline.batch.journal import Journal

    j = Journal(tmp_path)
    j.append("a.txt", {"key": "k1", "status": "done", "reason": None, "output": "records/a.txt.yml"})
    j.append("b\\xff.txt", {"key": "k2", "status": "failed", "reason": "empty file", "output": None})
    j.close()
    with open(tmp_path / "journal.jsonl", "ab") as fh:
        fh.write(b'{"name": "c.txt", "entry": {"key"')          # the crash hit mid-write
    m = Journal(tmp_path).load()
    assert set(m) == {"a.txt", "b\\xff.txt"} and m["b\\xff.txt"]["reason"] == "empty file"


def _start_child_then_hang(pid_file: str) -> None:
    child = subprocess.Popen(["sleep", "300"])
    Path(pid_file).write_text(str(child.pid))
    time.sleep(300)


def test_killing_a_late_worker_kills_what_it_started(tmp_path):
    """A converter the job started (LibreOffice for .doc) dies with the worker at the deadline."""
    from pipeline.batch.executor import ProcessExecutor

    pid_file = tmp_path / "child.pid"
    ex = ProcessExecutor(1, task_timeout=1.0)
    t0 = time.monotonic()
    results = list(ex.map_unordered(_start_child_then_hang, [("late", (str(pid_file),))]))
    assert results == [("late", "timeout", None)]
    assert time.monotonic() - t0 < 20
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the worker's child outlived it"


def test_output_folder_inside_the_input_is_not_walked(tmp_path):
    from pipeline.batch import Params, run_batch

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(SHORT, encoding="utf-8")
    for _ in range(2):
        code, report = run_batch("run", [str(d)], d / "out", workers=1, params=Params(timeout=60), quiet=True)
        assert code == 0 and [x["source"] for x in report["documents"]] == ["a.txt"]


def test_single_file_commands_on_hostile_paths(tmp_path):
    """`ingest FILE` never opens a FIFO or a folder; `explain FILE` on an unreadable
    document is one line, exit 1; neither prints a traceback."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "empty.txt").write_bytes(b"")
    for args, code, words in ((["ingest", "fifo"], 1, "FIFO"), (["ingest", "."], 1, "folder"),
                              (["ingest", "missing.txt"], 2, "not found"), (["explain", "empty.txt"], 1, "empty")):
        p = cli(*args, cwd=tmp_path, timeout=60)
        assert p.returncode == code and words in p.stderr and "Traceback" not in p.stderr, (args, p.stderr)
