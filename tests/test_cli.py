"""The command line as a user meets it: bad arguments, missing inputs and unwritable
outputs give one line and exit 2 (never a traceback); files get the user's umask;
Ctrl-C stops a batch within seconds and still writes the report and manifest; a
progress bar on a terminal only."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SEEDS

SEED = SEEDS / "000_616882cabf01649c.txt"
CLI = [sys.executable, "-m", "pipeline.cli"]


def cli(*args, cwd=ROOT, umask=None, timeout=120, **kw) -> subprocess.CompletedProcess:
    def pre():
        if umask is not None:
            os.umask(umask)
    return subprocess.run([*CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=pre, **kw)


def assert_usage_error(p: subprocess.CompletedProcess, *words: str) -> None:
    err = p.stderr.strip()
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    last = err.splitlines()[-1]
    for w in words:
        assert w in last, (w, err)


# -- arguments -----------------------------------------------------------------------------

@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
@pytest.mark.parametrize("command", ["run", "ingest", "extract"])
def test_workers_must_be_one_or_more(tmp_path, command, jobs):
    p = cli(command, SEED, "-o", tmp_path / "out", "-j", jobs)
    assert_usage_error(p, "-j/--jobs")
    assert not (tmp_path / "out").exists()


# -- missing inputs --------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["run", "{missing}", "-o", "{tmp}/out"],
    ["run", str(SEED), "{missing}", "-o", "{tmp}/out"],
    ["ingest", "{missing}"],
    ["ingest", "{missing}", "-o", "{tmp}/out"],
    ["extract", "{missing}", "-o", "{tmp}/out"],
    ["ledger", "{missing}", "-o", "{tmp}/t.csv"],
])
def test_a_missing_input_is_one_line_and_exit_2(tmp_path, argv):
    missing = tmp_path / "no_such_folder" / "x"
    args = [a.format(missing=missing, tmp=tmp_path) for a in argv]
    assert_usage_error(cli(*args), str(missing))


def test_evaluate_without_records_or_gold_is_exit_2(tmp_path):
    assert_usage_error(cli("evaluate", tmp_path / "none"), "no records")
    records = tmp_path / "records"
    records.mkdir()
    shutil.copyfile(SEED, records / "x.txt")
    assert_usage_error(cli("evaluate", records, "--gold", tmp_path / "no_gold"), "no records")


# -- unwritable outputs ------------------------------------------------------------------------

@pytest.fixture
def a_file(tmp_path):
    f = tmp_path / "a_file"
    f.write_text("not a folder")
    return f


@pytest.mark.parametrize("command", ["run", "ingest", "extract"])
def test_a_batch_output_that_is_a_file_is_exit_2(tmp_path, a_file, command):
    assert_usage_error(cli(command, SEED, "-o", a_file), "not a folder", str(a_file))
    assert_usage_error(cli(command, SEED, "-o", a_file / "out"), "Not a directory", str(a_file / "out"))
    assert a_file.read_text() == "not a folder"


def test_other_outputs_under_a_file_are_exit_2(tmp_path, a_file):
    out = tmp_path / "out"
    assert cli("run", SEED, "-o", out, "-q").returncode == 0
    target = a_file / "x"       # the error names the file in the way
    assert_usage_error(cli("ledger", out / "records", "-o", f"{target}.csv"), str(a_file))
    assert_usage_error(cli("ledger", out / "records", "-o", tmp_path / "t.csv", "--ics", f"{target}.ics"),
                       str(a_file))
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copyfile(ROOT / "corpus" / "gold" / f"{SEED.stem}.yml", gold / f"{SEED.stem}.yml")
    assert_usage_error(cli("evaluate", out / "records", "--gold", gold, "--json", f"{target}.json"), str(a_file))
    assert_usage_error(cli("explain", SEED, "--html", f"{target}.html"), str(a_file))


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody running the test can create files in: chmod 555, and for root
    (who ignores modes) the immutable attribute where the file system has it."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(ro)], capture_output=True).returncode != 0:
            pytest.skip("running as root and chattr +i is not available: no folder is read-only to root")
        immutable = True
    yield ro
    if immutable:
        subprocess.run([shutil.which("chattr") or "chattr", "-i", str(ro)], check=True)
    ro.chmod(0o755)


@pytest.mark.parametrize("command", ["run", "ingest", "extract"])
def test_a_read_only_output_folder_is_exit_2(read_only_folder, command):
    assert_usage_error(cli(command, SEED, "-o", read_only_folder, "-q"), "Permission denied"
                       if os.geteuid() else "Operation not permitted", str(read_only_folder))
    assert_usage_error(cli(command, SEED, "-o", read_only_folder / "out", "-q"), str(read_only_folder))
    assert not list(read_only_folder.iterdir())


# -- umask -------------------------------------------------------------------------------------

def _modes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix() or ".": stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


@pytest.mark.parametrize("umask", [0o027, 0o002])
def test_outputs_get_the_users_umask(tmp_path, umask):
    out, ing, rec = tmp_path / "out", tmp_path / "ingested", tmp_path / "records"
    inputs = tmp_path / "in" / "seeds"
    inputs.mkdir(parents=True)
    for p in sorted(SEEDS.glob("00[0-2]_*.txt")):
        shutil.copyfile(p, inputs / p.name)
    assert cli("run", inputs.parent, "-o", out, "-q", "-j", "2", umask=umask).returncode == 0
    assert cli("ingest", SEED, "-o", ing, "-q", umask=umask).returncode == 0
    assert cli("extract", ing, "-o", rec, "-q", umask=umask).returncode == 0
    assert cli("evaluate", out / "records", "--json", tmp_path / "scores" / "s.json", umask=umask).returncode == 0
    assert cli("ledger", out / "records", "-o", tmp_path / "l" / "t.xlsx", umask=umask).returncode == 0
    for root in (out, ing, rec, tmp_path / "scores", tmp_path / "l"):
        modes = _modes(root)
        assert len(modes) > 1
        for name, mode in modes.items():
            is_dir = (root / name).is_dir()
            want = (0o777 if is_dir else 0o666) & ~umask
            assert mode == want, f"{root.name}/{name}: {oct(mode)} (umask {oct(umask)} gives {oct(want)})"


# -- Ctrl-C ------------------------------------------------------------------------------------

def test_ctrl_c_stops_the_batch_and_keeps_what_finished(tmp_path):
    inputs = tmp_path / "in"
    for k in range(4):      # enough work that the batch is still running when Ctrl-C comes
        shutil.copytree(SEEDS, inputs / f"copy{k}")
    total = sum(1 for p in inputs.rglob("*") if p.is_file())
    out = tmp_path / "out"
    p = subprocess.Popen([*CLI, "run", str(inputs), "-o", str(out), "-j", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and p.poll() is None:
        if journal.is_file() and journal.read_text().count("\n") >= 2:
            break
        time.sleep(0.05)
    assert p.poll() is None, "the batch ended before it could be interrupted"
    p.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    _, err = p.communicate(timeout=30)
    assert time.monotonic() - t0 < 5, "Ctrl-C took more than a few seconds"
    assert p.returncode == 130, err
    assert "Traceback" not in err and "interrupted:" in err

    report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
    s = report["summary"]
    assert report["interrupted"] is True
    assert s["total"] == total and 2 <= s["done"] < total
    assert s["not_processed"] == total - s["done"] - s["failed"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    done = [d for d in report["documents"] if d["status"] == "done"]
    assert {d["source"] for d in done} == {k for k, v in manifest.items() if v["status"] == "done"}
    for d in done:
        assert (out / d["output"]).is_file()
    assert not journal.exists() and not list(out.rglob("*.tmp"))


# -- progress --------------------------------------------------------------------------------

@pytest.fixture
def two_inputs(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(SEED, d / "ok.txt")
    (d / "bad.pdf").write_bytes(b"%PDF-1.4 not really")
    return d


def test_progress_bar_on_a_terminal(tmp_path, two_inputs):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    p = subprocess.Popen([*CLI, "run", str(two_inputs), "-o", str(tmp_path / "out"), "-j", "1"], cwd=ROOT,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:         # the pty closed: the process ended
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=120)
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert p.returncode == 1
    assert "2/2" in text and "doc/s" in text and "<" in text       # count, rate, elapsed<remaining
    assert "1 failed" in text and "failed: bad.pdf" in text


def test_no_progress_when_not_a_terminal_and_nothing_with_q(tmp_path, two_inputs):
    p = cli("run", two_inputs, "-o", tmp_path / "a", "-j", "1")
    assert p.returncode == 1
    assert "doc/s" not in p.stderr and "%|" not in p.stderr
    assert [ln for ln in p.stderr.splitlines() if ln.startswith("failed: ")] == [
        next(ln for ln in p.stderr.splitlines() if ln.startswith("failed: bad.pdf"))]
    q = cli("run", two_inputs, "-o", tmp_path / "b", "-j", "1", "-q")
    assert q.returncode == 1 and "failed: bad.pdf" not in q.stderr
    assert q.stderr.splitlines()[0].startswith("2 documents: 1 done, 1 failed")


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """`policy-pipeline ingest … | head -1`: no traceback, no error line; 141 as a shell reports SIGPIPE."""
    files = sorted((ROOT / "corpus" / "raw" / "more").glob("*.txt"))[:30]
    p = subprocess.Popen([*CLI, "ingest", *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
    assert p.wait(timeout=120) == 141
    assert "Traceback" not in err and "Broken pipe" not in err and "Exception ignored" not in err, err


def test_extract_on_documents_that_were_not_ingested_says_to_use_run(tmp_path):
    # extract reads what `ingest -o` wrote; given a document itself it must not report
    # "0 documents" and succeed
    p = cli("extract", SEED, "-o", tmp_path / "out")
    assert_usage_error(p, "policy-pipeline run")
