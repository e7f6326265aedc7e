#!/usr/bin/env python3
"""Benchmarks of policy-pipeline on this machine; writes a Markdown report.

Usage:   python tools/benchmark.py --out docs/benchmarks.md [--quick] [--rules DIR] [--workdir DIR]
         (``make bench`` installs the ``bench`` extra, JioNLP, and runs this.)

Not part of the test suite. Measures:

1. per-stage throughput (ingest / structure+extract / emit) on the corpus TXT, HTML,
   DOCX (and PDF) files, in documents/s and MB/s of input bytes;
2. PDF pages/s of ``pipeline.ingest.pdf.read`` on a 200+ page PDF generated from the seed
   DOCX renditions with LibreOffice, or without LibreOffice from the corpus PDFs
   concatenated (cached in the work folder, never committed), against pdfplumber's
   ``page.extract_text()``, pypdfium2's ``get_text_range()`` and poppler's ``pdftotext``;
   the same file end-to-end through ``policy-pipeline run -j 1``; OCR pages/s on an
   image-only PDF made from corpus pages;
3. CLI cold start: ``policy-pipeline --help`` and a one-document ``run``;
4. a 1,000-document batch (100 with ``--quick``) through the CLI at ``-j 1`` and ``-j 2``:
   documents/s, speed-up and peak RSS per worker;
5. deadline parsing on every gold deadline quote: ours against JioNLP's ``parse_time``;
6. linear cost in document size, the share of record writing, MB/s per core and
   re-running an unchanged batch (tools/bench_cost.py, which also runs alone).

Everything generated goes to the work folder (default: $TMPDIR/policy_bench).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import importlib.metadata as im
import io
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "corpus" / "raw"
GOLD = ROOT / "corpus" / "gold"
FORMATS = (".txt", ".html", ".docx", ".pdf")
PACKAGES = ("policy-pipeline", "jieba", "pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "lxml",
            "opencc", "spacy", "PyYAML", "jsonschema", "chinesecalendar", "cn2an", "jionlp")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


class Section:
    """Records wall time and the load average before and after a benchmark section."""

    def __init__(self, name: str, notes: dict):
        self.name, self.notes = name, notes

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.load0 = loadavg()
        log(f"{self.name} (load {self.load0})")
        return self

    def __exit__(self, *exc):
        self.notes[self.name] = {"seconds": time.perf_counter() - self.t0, "load_before": self.load0,
                                 "load_after": loadavg()}
        return False


# --------------------------------------------------------------------------------------
# Machine
# --------------------------------------------------------------------------------------
def machine() -> dict:
    info: dict = {}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        models = [ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor() or "unknown"
        mhz = [ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("cpu MHz")]
        info["mhz"] = mhz[0] if mhz else None
    except OSError:
        info["cpu"], info["mhz"] = platform.processor() or "unknown", None
    info["cores"] = os.cpu_count()
    try:
        info["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["cores_usable"] = info["cores"]
    try:
        mem = {ln.split(":")[0]: ln.split(":")[1].strip() for ln in Path("/proc/meminfo").read_text().splitlines()}
        info["ram_gb"] = int(mem["MemTotal"].split()[0]) / 1024 / 1024
        info["ram_avail_gb"] = int(mem["MemAvailable"].split()[0]) / 1024 / 1024
    except (OSError, KeyError, ValueError):
        info["ram_gb"] = info["ram_avail_gb"] = None
    info["os"] = platform.platform()
    try:
        rel = dict(ln.split("=", 1) for ln in Path("/etc/os-release").read_text().splitlines() if "=" in ln)
        info["distro"] = rel.get("PRETTY_NAME", "").strip('"')
    except OSError:
        info["distro"] = ""
    info["python"] = f"{platform.python_implementation()} {platform.python_version()}"
    info["executable"] = sys.executable
    info["packages"] = {}
    for p in PACKAGES:
        try:
            info["packages"][p] = im.version(p)
        except im.PackageNotFoundError:
            info["packages"][p] = "not installed"
    info["soffice"] = _soffice_version()
    info["dont_write_bytecode"] = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    try:
        info["git"] = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                                     capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        info["git"] = ""
    return info


def _soffice_version() -> str | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        return out.splitlines()[0] if out else exe
    except (OSError, subprocess.SubprocessError):
        return exe


# --------------------------------------------------------------------------------------
# 1. Stage throughput
# --------------------------------------------------------------------------------------
def corpus_files() -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {ext: [] for ext in FORMATS}
    for p in sorted(CORPUS.rglob("*")):
        if p.is_file() and p.suffix.lower() in files and not p.name.startswith("."):
            files[p.suffix.lower()].append(p)
    return files


def bench_stages(rules, quick: bool) -> list[dict]:
    from pipeline.emit import dump_yaml
    from pipeline.process import analyse, build_record, document_id, ingest

    min_seconds = 2.0 if quick else 8.0
    min_rounds = 2 if quick else 5
    rows = []
    files_by_ext = corpus_files()
    # Warm-up, not counted: one pass over every TXT/HTML/DOCX file and the smallest PDF pays the
    # first-use costs (imports, jieba's dictionary, OpenCC, dateparser's locale data - about 3 s,
    # paid by whichever document first has a date for it - and the compiled rules).
    warm_files = files_by_ext[".txt"] + files_by_ext[".html"] + files_by_ext[".docx"] + \
        sorted(files_by_ext[".pdf"], key=lambda p: p.stat().st_size)[:1]
    t = time.perf_counter()
    for p in warm_files:
        data = p.read_bytes()
        a = analyse(ingest(data, p.name, rules), rules)
        dump_yaml(build_record(a, document_id(data), p.name))
    warm = time.perf_counter() - t
    log(f"  warm-up pass over {len(warm_files)} files: {warm:.1f} s")
    for ext, files in files_by_ext.items():
        if not files:
            continue
        datas = [(p.relative_to(CORPUS).as_posix(), p.read_bytes()) for p in files]
        nbytes = sum(len(d) for _, d in datas)
        fmt_min_rounds, fmt_min_seconds = (1, 0.0) if (ext == ".pdf" and quick) else \
            ((3, 0.0) if ext == ".pdf" else (min_rounds, min_seconds))
        rounds: list[tuple[float, float, float]] = []
        chars = 0
        t_start = time.perf_counter()
        while len(rounds) < fmt_min_rounds or time.perf_counter() - t_start < fmt_min_seconds:
            ti = ta = te = 0.0
            chars = 0
            for name, data in datas:
                t0 = time.perf_counter()
                doc = ingest(data, name, rules)
                t1 = time.perf_counter()
                a = analyse(doc, rules)
                t2 = time.perf_counter()
                dump_yaml(build_record(a, document_id(data), name))
                t3 = time.perf_counter()
                ti, ta, te = ti + t1 - t0, ta + t2 - t1, te + t3 - t2
                chars += len(doc.text)
            rounds.append((ti, ta, te))
            if len(rounds) >= 200:
                break
        med = [statistics.median(r[k] for r in rounds) for k in range(3)]
        totals = [sum(r) for r in rounds]
        spread = (max(totals) - min(totals)) / statistics.median(totals) if len(totals) > 1 else None
        rows.append({"format": ext[1:].upper(), "files": len(datas), "bytes": nbytes, "chars": chars,
                     "rounds": len(rounds), "warmup_s": warm, "ingest_s": med[0], "analyse_s": med[1],
                     "emit_s": med[2], "total_s": statistics.median(totals), "best_s": min(totals),
                     "spread": spread})
        log(f"  {ext}: {len(datas)} files x {len(rounds)} rounds, {len(datas) / statistics.median(totals):.1f} doc/s")
    return rows


# --------------------------------------------------------------------------------------
# 2. PDF pages/s
# --------------------------------------------------------------------------------------
FONT_MAP_FALLBACK = {
    "仿宋_GB2312": "AR PL UMing CN", "宋体": "AR PL UMing CN", "方正小标宋简体": "AR PL UMing CN",
    "黑体": "WenQuanYi Zen Hei", "楷体_GB2312": "AR PL UKai CN",
}


def _font_map() -> dict:
    try:
        sys.path.insert(0, str(ROOT / "tools"))
        import render_corpus  # the corpus renderer's mapping of 公文 fonts to TrueType CJK fonts

        return dict(render_corpus.FONT_MAP)
    except Exception:  # noqa: BLE001 - the benchmark must not depend on the renderer's internals
        return dict(FONT_MAP_FALLBACK)
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(ROOT / "tools"))


def _soffice_convert(docx: Path, outdir: Path) -> Path:
    """DOCX → PDF with LibreOffice, the 公文 font names mapped to TrueType CJK fonts (as
    tools/render_corpus.py does: pdfplumber reads no text from CFF-based CJK fonts)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    rules = "\n".join(
        f'  <match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{real}</string></edit></match>'
        for name, real in _font_map().items())
    conf = outdir / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"{rules}\n</fontconfig>\n", encoding="utf-8")
    profile = outdir / f"lo_profile_{os.getpid()}"
    env = dict(os.environ, FONTCONFIG_FILE=str(conf))
    subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice produced no PDF for {docx}")
    return pdf


def _long_docx(sources: list[Path], copies: int, out: Path) -> None:
    """One DOCX holding the bodies of ``sources`` ``copies`` times, a page break between."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn

    base = Document(str(sources[0]))
    body = base.element.body
    final_sect = body.find(qn("w:sectPr"))
    first = True
    for _ in range(copies):
        for src in sources:
            if first:           # the base already holds the first source once
                first = False
                continue
            base.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            other = Document(str(src))
            for el in other.element.body.iterchildren():
                if el.tag == qn("w:sectPr"):
                    continue
                el = copy.deepcopy(el)
                for sp in el.iter(qn("w:sectPr")):   # section breaks refer to the source's headers
                    sp.getparent().remove(sp)
                if final_sect is not None:
                    final_sect.addprevious(el)
                else:
                    body.append(el)
    base.save(str(out))


def _concat_corpus_pdfs(target: Path, min_pages: int) -> str:
    """The corpus PDFs concatenated (pypdfium2) until ``min_pages``; how it was made."""
    import pypdfium2 as pdfium

    sources = sorted(corpus_files()[".pdf"])
    out = pdfium.PdfDocument.new()
    rounds = 0
    while len(out) < min_pages:
        rounds += 1
        for src in sources:
            out.import_pages(pdfium.PdfDocument(str(src)))
    out.save(str(target))
    return (f"the {len(sources)} corpus PDFs concatenated {rounds}x with pypdfium2 "
            f"(LibreOffice not installed); {len(out)} pages")


def long_pdf(workdir: Path, min_pages: int = 200) -> tuple[Path | None, str]:
    """A cached 200+ page PDF made from the seed DOCX renditions (or, without LibreOffice,
    from the corpus PDFs); (path, how it was made)."""
    import pypdfium2 as pdfium

    target = workdir / "long_seeds.pdf"
    if target.exists():
        try:
            n = len(pdfium.PdfDocument(str(target)))
            if n >= min_pages:
                made = target.with_suffix(".how.txt")
                how = made.read_text(encoding="utf-8").strip() if made.exists() else \
                    "made earlier from the seed DOCX renditions with LibreOffice"
                return target, f"{target}, cached from an earlier run ({how})"
        except Exception:  # noqa: BLE001
            pass
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        log("  LibreOffice (soffice) is not installed: the long PDF is made from the corpus PDFs")
        how = _concat_corpus_pdfs(target, min_pages)
        target.with_suffix(".how.txt").write_text(how + "\n", encoding="utf-8")
        return target, f"{target}, made now ({how})"
    sources = sorted((CORPUS / "seeds").glob("*.docx"))
    if not sources:
        return None, "no seed DOCX renditions in corpus/raw/seeds"
    tmp = Path(tempfile.mkdtemp(prefix="longpdf_", dir=workdir))
    try:
        for copies in (1, 2, 3, 4, 5, 6):
            docx = tmp / "long_seeds.docx"
            _long_docx(sources, copies, docx)
            log(f"  converting {len(sources)} seed DOCX x{copies} to PDF with LibreOffice …")
            pdf = _soffice_convert(docx, tmp)
            n = len(pdfium.PdfDocument(str(pdf)))
            if n >= min_pages:
                shutil.move(str(pdf), target)
                how = (f"the {len(sources)} seed DOCX renditions concatenated {copies}x with python-docx, "
                       f"converted by LibreOffice with the corpus renderer's font mapping; {n} pages")
                target.with_suffix(".how.txt").write_text(how + "\n", encoding="utf-8")
                return target, f"{target}, made now ({how})"
        return None, f"the concatenated DOCX gave only {n} pages"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_pdf(workdir: Path, quick: bool) -> dict:
    import pdfplumber
    import pypdfium2 as pdfium

    from pipeline.ingest import pdf as ourpdf

    path, how = long_pdf(workdir)
    res: dict = {"how": how, "path": str(path) if path else None}
    if path is None:
        return res
    data = path.read_bytes()
    n = len(pdfium.PdfDocument(data))
    res.update(pages=n, bytes=len(data))
    # warm-up (imports) on the smallest corpus PDF
    small = min(corpus_files()[".pdf"], key=lambda p: p.stat().st_size, default=None)
    if small is not None:
        ourpdf.read(small.read_bytes(), small.name)

    def timed(fn, reps):
        times, out = [], None
        for _ in range(reps):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return times, out

    def ours():
        doc = ourpdf.read(data, path.name)
        return len(doc.text)

    def plumber():
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return sum(len(p.extract_text() or "") for p in pdf.pages)

    def pdfium_text():
        pd = pdfium.PdfDocument(data)
        try:
            total = 0
            for i in range(len(pd)):
                page = pd[i]
                tp = page.get_textpage()
                total += len(tp.get_text_range())
                tp.close()
                page.close()
            return total
        finally:
            pd.close()

    def pdftotext():
        out = subprocess.run([shutil.which("pdftotext"), "-q", "-enc", "UTF-8", str(path), "-"],
                             check=True, capture_output=True).stdout
        return len(out.decode("utf-8", "replace"))

    reps_slow = 1 if quick else 3
    peers = [("ours", ours, reps_slow), ("pdfplumber", plumber, reps_slow),
             ("pypdfium2", pdfium_text, 5 if quick else 20)]
    if shutil.which("pdftotext"):
        peers.append(("pdftotext", pdftotext, 3 if quick else 10))
    else:
        res["pdftotext_missing"] = "poppler-utils (pdftotext) is not installed"
    for key, fn, reps in peers:
        times, chars = timed(fn, reps)
        res[key] = {"runs": reps, "median_s": statistics.median(times), "min_s": min(times),
                    "max_s": max(times), "chars": chars}
        log(f"  {key}: {n / statistics.median(times):.1f} pages/s")
    res["e2e"] = _pdf_end_to_end(workdir, path, small, n, 1 if quick else 3)
    res["ocr"] = _ocr_speed(2 if quick else 4)
    return res


def _pdf_end_to_end(workdir: Path, path: Path, small: Path | None, pages: int, reps: int) -> dict:
    """``policy-pipeline run -j 1 --force`` on a folder of the smallest corpus PDF and two
    copies of the long PDF, read in that order by the one worker: the second copy's own
    seconds from the run report are the per-page cost of a warm worker; the first copy's
    also carry what a worker loads once, on the first document that needs it, when the
    small file did not need it first (the segmenter's dictionary 0.8 s, cn2an 0.1 s,
    pdfplumber's table code 0.06 s, measured idle; the worker's warm-up loads none of
    them today); and the whole command's wall time."""
    import yaml

    folder = workdir / "pdf_e2e"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(path, folder / "b_long.pdf")
    shutil.copy(path, folder / "c_long.pdf")        # names sort: a_small, b_long, c_long
    if small is not None:
        shutil.copy(small, folder / "a_small.pdf")
    out = workdir / "pdf_e2e_out"
    doc_s, first_s, wall = [], [], []
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(cli_exe() + ["run", str(folder), "-o", str(out), "-j", "1", "--force", "-q"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t)
        report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8"))
        docs = report.get("documents") or report.get("files") or []
        for name, acc in (("b_long.pdf", first_s), ("c_long.pdf", doc_s)):
            row = next((d for d in docs if str(d.get("source", "")).endswith(name)), None)
            if row is None or row.get("status") != "done":
                return {"error": f"the long PDF was not processed: {row}"}
            acc.append(float(row["seconds"]))
    res = {"runs": reps, "pages": pages, "doc_median_s": statistics.median(doc_s),
           "first_doc_median_s": statistics.median(first_s), "wall_median_s": statistics.median(wall),
           "wall_pages": 2 * pages}
    log(f"  run -j 1: {pages / res['doc_median_s']:.1f} pages/s (document, warm worker); "
        f"{pages / res['first_doc_median_s']:.1f} pages/s (first copy, one-time loads included); "
        f"{2 * pages / res['wall_median_s']:.1f} pages/s (whole command)")
    return res


def _ocr_speed(n_pages: int) -> dict:
    """OCR pages/s: corpus pages rendered at 144 dpi into an image-only PDF, read with
    ``ocr="auto"`` (every page has no text layer, so every page is OCR'd)."""
    import pypdfium2 as pdfium

    from pipeline.ingest import pdf as ourpdf

    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return {"error": "rapidocr-onnxruntime (the ocr extra) is not installed"}
    from tools.scanned_pdf import image_only_pdf

    src_path = CORPUS / "seeds" / "003_2f6965311e0af134.pdf"
    n_scan = min(n_pages, len(pdfium.PdfDocument(str(src_path))))
    data = image_only_pdf(src_path.read_bytes(), range(n_scan), scale=2.0)
    t = time.perf_counter()
    doc = ourpdf.read(data, "scan.pdf")
    el = time.perf_counter() - t
    text = ourpdf.read(src_path.read_bytes(), src_path.name)
    import difflib
    import re

    squash = lambda x: re.sub(r"\s+", "", x)  # noqa: E731
    want = "".join(squash(b.text) for b in text.blocks if b.page <= n_scan)
    sim = difflib.SequenceMatcher(None, squash(doc.text), want, autojunk=False).ratio()
    res = {"pages": n_scan, "seconds": el, "pages_ocr": doc.pages_ocr, "confidence": doc.ocr_confidence,
           "similarity": sim, "source": src_path.name}
    log(f"  OCR: {n_scan / el:.2f} pages/s, similarity to the text layer {sim:.3f}")
    return res


# --------------------------------------------------------------------------------------
# 3. CLI cold start
# --------------------------------------------------------------------------------------
def cli_exe() -> list[str]:
    here = Path(sys.executable).parent / "policy-pipeline"
    if here.exists():
        return [str(here)]
    found = shutil.which("policy-pipeline")
    if found:
        return [found]
    return [sys.executable, "-m", "pipeline.cli"]


def bench_cli(workdir: Path, rules_dir: str | None, quick: bool) -> dict:
    exe = cli_exe()
    res: dict = {"exe": exe}
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(exe + ["--help"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    res["help"] = {"cmd": " ".join(exe + ["--help"]), "times": times}
    doc = CORPUS / "seeds" / "003_2f6965311e0af134.txt"
    if not doc.exists():
        doc = corpus_files()[".txt"][0]
    times = []
    cmd = None
    for i in range(3):
        out = workdir / f"cli_one_{i}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = exe + ["run", str(doc), "-o", str(out), "-j", "1", "-q"] + (["--rules", rules_dir] if rules_dir else [])
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode != 0:
            res["run_error"] = p.stderr.strip()[-500:]
        shutil.rmtree(out, ignore_errors=True)
    res["run"] = {"cmd": " ".join(shlex.quote(c) for c in cmd).replace(str(workdir), "$WORK"),
                  "doc": doc.relative_to(ROOT).as_posix(), "bytes": doc.stat().st_size, "times": times}
    log(f"  --help median {statistics.median(res['help']['times']):.2f} s; "
        f"one-document run median {statistics.median(times):.2f} s")
    return res


# --------------------------------------------------------------------------------------
# 4. Batch: documents/s and peak RSS per worker
# --------------------------------------------------------------------------------------
def make_batch(workdir: Path, n: int, quick: bool) -> tuple[Path, dict]:
    files = corpus_files()
    pdfs = files[".pdf"]
    if quick:
        pdfs = sorted(pdfs, key=lambda p: p.stat().st_size)[:1]
    others = files[".txt"] + files[".html"] + files[".docx"]
    folder = workdir / f"batch_{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    comp: dict[str, int] = {}
    nbytes = 0
    picks = pdfs + [others[i % len(others)] for i in range(n - len(pdfs))]
    for i, src in enumerate(picks):
        dst = folder / f"{i:04d}_{src.name}"
        shutil.copyfile(src, dst)
        comp[src.suffix[1:].upper()] = comp.get(src.suffix[1:].upper(), 0) + 1
        nbytes += src.stat().st_size
    pdf_pages = 0
    if pdfs:
        import pypdfium2 as pdfium

        pdf_pages = sum(len(pdfium.PdfDocument(str(p))) for p in pdfs)
    return folder, {"documents": len(picks), "composition": comp, "bytes": nbytes, "pdf_pages": pdf_pages}


_WRAPPER = r"""
import json, resource, sys, time
t = time.perf_counter()
from pipeline.cli import main
rc = main(sys.argv[2:])
wall = time.perf_counter() - t
ch = resource.getrusage(resource.RUSAGE_CHILDREN)
me = resource.getrusage(resource.RUSAGE_SELF)
json.dump({"rc": rc, "wall_in_process": wall, "children_maxrss_kb": ch.ru_maxrss,
           "children_cpu_s": ch.ru_utime + ch.ru_stime, "self_maxrss_kb": me.ru_maxrss,
           "self_cpu_s": me.ru_utime + me.ru_stime}, open(sys.argv[1], "w"))
sys.exit(rc)
"""


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                kids += [int(x) for x in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except OSError:
        pass
    return kids


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for ln in Path(f"/proc/{pid}/status").read_text().splitlines():
            if ln.startswith(key + ":"):
                return int(ln.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _sample(pid: int, peaks: dict[int, int], stop: threading.Event) -> None:
    """Poll the VmHWM (peak resident set) of ``pid``'s children until ``stop``."""
    while not stop.is_set():
        for c in _children(pid):
            hwm = _status_kb(c, "VmHWM")
            if hwm is not None:
                peaks[c] = max(peaks.get(c, 0), hwm)
        stop.wait(0.1)


def bench_batch(workdir: Path, rules_dir: str | None, quick: bool) -> dict:
    import yaml

    n = 100 if quick else 1000
    folder, info = make_batch(workdir, n, quick)
    res: dict = {**info, "runs": {1: [], 2: []}}
    # Full mode runs each setting twice in the order 1, 2, 2, 1 so that a change in the
    # machine's load during the section affects both settings alike.
    order = (1, 2) if quick else (1, 2, 2, 1)
    # …then the same batch through a Dask LocalCluster of 2 workers, side by side
    res["runs"]["local:2"] = []
    for jobs in (*order, "local:2"):
        out = workdir / f"batch_out_j{jobs}".replace(":", "_")
        shutil.rmtree(out, ignore_errors=True)
        stats_file = workdir / f"batch_j{jobs}.json".replace(":", "_")
        mode = ["--scheduler", jobs] if isinstance(jobs, str) else ["-j", str(jobs)]
        args = ["run", str(folder), "-o", str(out), *mode, "-q"] + (["--rules", rules_dir] if rules_dir else [])
        cmd = [sys.executable, "-c", _WRAPPER, str(stats_file)] + args
        log(f"  batch of {info['documents']} at {' '.join(mode)} …")
        load0 = loadavg()
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
        peaks: dict[int, int] = {}
        stop = threading.Event()
        th = threading.Thread(target=_sample, args=(proc.pid, peaks, stop), daemon=True)
        th.start()
        parent_hwm = 0
        while proc.poll() is None:
            parent_hwm = max(parent_hwm, _status_kb(proc.pid, "VmHWM") or 0)
            time.sleep(0.2)
        wall = time.perf_counter() - t
        stop.set()
        th.join()
        err = proc.stderr.read()
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        report = yaml.safe_load((out / "report.yml").read_text(encoding="utf-8")) if (out / "report.yml").exists() else {}
        run = {"cmd": "policy-pipeline " + " ".join(args).replace(str(workdir), "$WORK"),
               "wall_s": wall, "report_s": report.get("seconds"), "summary": report.get("summary"),
               "load_before": load0, "load_after": loadavg(), "worker_hwm_kb": sorted(peaks.values(), reverse=True),
               "parent_hwm_kb": max(parent_hwm, stats.get("self_maxrss_kb", 0)), **stats}
        if proc.returncode not in (0, 1):
            run["error"] = err.strip()[-800:]
        res["runs"][jobs].append(run)
        docs = info["documents"]
        log(f"  {' '.join(mode)}: {docs / (run['report_s'] or wall):.1f} doc/s, workers' peak RSS "
            f"{[round(k / 1024) for k in run['worker_hwm_kb']]} MB, summary {run['summary']}")
        shutil.rmtree(out, ignore_errors=True)
        stats_file.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return res


# --------------------------------------------------------------------------------------
# 5. Deadlines: ours against JioNLP
# --------------------------------------------------------------------------------------
JIO_UNITS = {"workday": "workday", "day": "day", "hour": "hour", "week": "week", "month": "month", "year": "year"}


def gold_quotes() -> list[dict]:
    import yaml

    out = []
    for f in sorted(GOLD.glob("*.yml")):
        g = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        issued = (g.get("meta") or {}).get("issued_on")
        if isinstance(issued, str):
            try:
                issued = dt.date.fromisoformat(issued)
            except ValueError:
                issued = None
        for d in g.get("deadlines") or []:
            if isinstance(d, dict) and d.get("quote") and d.get("type"):
                out.append({**d, "doc": f.stem, "doc_date": issued if isinstance(issued, dt.date) else None})
    return out


def _iso(v) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def gold_target(g: dict) -> tuple:
    t = g["type"]
    if t == "date":
        return ("date", _iso(g.get("date")))
    if t == "relative" and g.get("resolved"):
        return ("date", _iso(g.get("resolved")))
    if t in ("relative", "duration"):
        return ("amount", g.get("amount"), g.get("unit"))
    return ("recurring", g.get("period"))


def describe_gold(g: dict) -> str:
    t = gold_target(g)
    if t[0] == "date":
        return f"{g['type']} {t[1]}"
    if t[0] == "amount":
        return f"{g['type']} {t[1]} {t[2]}"
    return f"recurring {t[1]}"


def ours_verdict(facts, g: dict) -> tuple[bool, bool, str]:
    data = [f.data for f in facts]
    t = gold_target(g)
    if t[0] == "date":
        ok = any((d.get("type") == "date" and d.get("date") == t[1]) or
                 (d.get("type") == "relative" and d.get("resolved") == t[1]) for d in data)
    elif t[0] == "amount":
        ok = any(d.get("type") in ("relative", "duration") and d.get("amount") == t[1] and d.get("unit") == t[2]
                 for d in data)
    else:
        ok = any(d.get("type") == "recurring" for d in data)
    shown = "; ".join(_show_ours(d) for d in data) or "—"
    return bool(data), ok, shown


def _show_ours(d: dict) -> str:
    t = d.get("type")
    if t == "date":
        return f"date {d.get('date')}"
    if t == "relative":
        return f"relative {d.get('amount')} {d.get('unit')}" + (f" → {d['resolved']}" if d.get("resolved") else "")
    if t == "duration":
        return f"duration {d.get('amount')} {d.get('unit')}"
    if t == "recurring":
        return f"recurring {d.get('period')}" + (f" by {d['by']}" if d.get("by") else "")
    return str(t)


def _date_of(s) -> dt.date | None:
    if not isinstance(s, str) or "inf" in s:
        return None
    try:
        return dt.datetime.fromisoformat(s).date()
    except ValueError:
        return None


def _monfri(base: dt.date, n: int) -> dt.date:
    d, c = base, 0
    while c < n:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            c += 1
    return d


def _add(base: dt.date, amount, unit: str, rules) -> list[dt.date]:
    """base + amount units, every reading a fair judge would accept (JioNLP counts 工作日 as
    Monday–Friday; our holiday calendar is also accepted)."""
    from pipeline.extract.deadlines import add_period

    out = []
    if not isinstance(amount, int):
        return out
    d, _ = add_period(base, amount, unit, rules)
    if d:
        out.append(d)
    if unit == "workday":
        out.append(_monfri(base, amount))
    return out


def _period_ends(d: dt.date) -> list[dt.date]:
    import calendar

    return [dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1]), dt.date(d.year, 12, 31)]


def jio_verdict(res, g: dict, base: dt.date | None, rules) -> tuple[bool, bool, str]:
    """Map a JioNLP result to the gold's normalised value (see the report's mapping notes)."""
    if not isinstance(res, dict):
        return False, False, "—" if res is None else str(res)
    kind, val = res.get("type"), res.get("time")
    t = gold_target(g)
    shown = f"{kind} {val}"
    if kind == "time_period":
        return True, t[0] == "recurring", shown
    if t[0] == "recurring":
        return True, False, shown
    if kind == "time_delta" and isinstance(val, dict):
        if t[0] == "amount":
            want = JIO_UNITS.get(t[2])
            ok = want is not None and len(val) == 1 and want in val and float(val[want]) == float(t[1])
            return True, ok, shown
        # a resolved date wanted: JioNLP gives only a length; resolve it from the document date
        if base is None or len(val) != 1:
            return True, False, shown
        (unit, amount), = val.items()
        unit = {v: k for k, v in JIO_UNITS.items()}.get(unit)
        ok = bool(unit) and float(amount).is_integer() and \
            _iso_in(t[1], _add(base, int(amount), unit, rules))
        return True, ok, shown
    if kind in ("time_span", "time_point") and isinstance(val, (list, tuple)) and len(val) == 2:
        end, start = _date_of(val[1]), _date_of(val[0])
        if t[0] == "date":
            return True, end is not None and end.isoformat() == t[1], shown
        # amount + unit wanted: the span's length from its start must be that amount
        amount, unit = t[1], t[2]
        if end is None or start is None or not isinstance(amount, (int, float)):
            return True, False, shown
        if unit == "hour":
            hours = (dt.datetime.fromisoformat(val[1]) - dt.datetime.fromisoformat(val[0])).total_seconds() / 3600
            return True, abs(hours - amount) <= 1.0, shown
        cands = []
        for c in _add(start, int(amount), unit, rules) if float(amount).is_integer() else []:
            cands += [c, c - dt.timedelta(days=1)]
            if unit in ("month", "year"):
                cands += _period_ends(c) + _period_ends(c - dt.timedelta(days=1))
        return True, end in cands, shown
    return True, False, shown


def _iso_in(iso: str, dates: list[dt.date]) -> bool:
    return any(d.isoformat() == iso for d in dates)


def _jio_import():
    buf = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        import jionlp  # prints a banner at import
    return jionlp, time.perf_counter() - t


def bench_deadlines(rules, quick: bool) -> dict:
    from pipeline.extract.deadlines import find_deadlines
    from pipeline.normalize import match_view

    quotes = gold_quotes()
    res: dict = {"quotes": len(quotes), "documents": len({q["doc"] for q in quotes})}
    try:
        jio, import_s = _jio_import()
        res["jionlp_version"] = getattr(jio, "__version__", im.version("jionlp"))
        res["jionlp_import_s"] = import_s
    except ImportError:
        jio = None
        res["jionlp_error"] = ("JioNLP is not installed (install the bench extra: "
                               "`uv pip install -e '.[bench]'`, i.e. jionlp==1.5.31)")
        log("  " + res["jionlp_error"])
    for q in quotes:
        q["view"] = match_view(q["quote"])
        q["ts"] = time.mktime(q["doc_date"].timetuple()) if q["doc_date"] else None

    # our parser
    find_deadlines(quotes[0]["view"], rules, quotes[0]["doc_date"])   # compiles the rules
    rows = []
    for q in quotes:
        facts = find_deadlines(q["view"], rules, q["doc_date"])
        det, ok, shown = ours_verdict(facts, q)
        rows.append({"doc": q["doc"], "quote": q["quote"], "gold": describe_gold(q), "type": q["type"],
                     "ours": (det, ok, shown)})
    res["ours_rate"] = _rate(lambda q: find_deadlines(q["view"], rules, q["doc_date"]), quotes, quick)

    if jio is not None:
        sink = io.StringIO()

        def parse(text, ts):
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                try:
                    return jio.parse_time(text, time_base=ts) if ts is not None else jio.parse_time(text)
                except Exception:  # noqa: BLE001 - JioNLP raises ValueError for "no time here"
                    return None

        def parse_or_extract(text, ts):
            r = parse(text, ts)
            if r is not None:
                return r
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                try:
                    found = jio.ner.extract_time(text, time_base=ts) if ts is not None else jio.ner.extract_time(text)
                except Exception:  # noqa: BLE001
                    return None
            return found[0]["detail"] if found else None

        t = time.perf_counter()
        parse("2021年8月底前", time.time())       # first use unzips/loads JioNLP's data
        res["jionlp_first_call_s"] = time.perf_counter() - t
        variants = {"jio": lambda q: parse(q["view"], q["ts"]),
                    "jio_extract": lambda q: parse_or_extract(q["view"], q["ts"]),
                    "jio_raw": lambda q: parse(q["quote"], q["ts"])}
        for key, fn in variants.items():
            for row, q in zip(rows, quotes):
                row[key] = jio_verdict(fn(q), q, q["doc_date"], rules)
        res["jio_rate"] = _rate(variants["jio"], quotes, quick)
        res["jio_extract_rate"] = _rate(variants["jio_extract"], quotes, quick)
    res["rows"] = rows
    return res


def _rate(fn, quotes, quick: bool) -> float:
    """quotes/s: the best of three trials, each repeated passes over all quotes for at
    least 1 s (0.3 s with --quick); the best trial is the one least disturbed by other load."""
    best = 0.0
    for _ in range(3):
        n, t0 = 0, time.perf_counter()
        while True:
            for q in quotes:
                fn(q)
            n += len(quotes)
            el = time.perf_counter() - t0
            if el >= (0.3 if quick else 1.0) and n >= 3 * len(quotes):
                break
        best = max(best, n / el)
    return best


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def _f(x, nd=1) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f} %)" if b else "n/a"


def render(r: dict) -> str:
    m = r["machine"]
    L: list[str] = []
    add = L.append
    add("# Benchmarks")
    add("")
    add(f"Measured on {r['date']} by `tools/benchmark.py` "
        f"({'**quick mode**: 100-document batch, fewer repetitions' if r['quick'] else 'full mode'}). "
        "Regenerate with `make bench`, or:")
    add("")
    add("```")
    add(r["command"])
    add("```")
    add("")
    add("## Machine")
    add("")
    add(f"- CPU: {m['cpu']}" + (f" ({float(m['mhz']):.0f} MHz)" if m.get("mhz") else "") +
        f", {m['cores']} cores ({m['cores_usable']} usable by this process)")
    if m.get("ram_gb"):
        add(f"- RAM: {m['ram_gb']:.1f} GB ({m['ram_avail_gb']:.1f} GB available at the start)")
    add(f"- OS: {m['distro'] or ''} ({m['os']})")
    add(f"- Python: {m['python']} (`{m['executable']}`)"
        + (f"; PYTHONDONTWRITEBYTECODE={m['dont_write_bytecode']}" if m.get("dont_write_bytecode") else ""))
    add("- Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()))
    add(f"- LibreOffice: {m['soffice'] or 'not installed'}")
    if m.get("git"):
        add(f"- Code: git `{m['git']}` (`-dirty`: uncommitted changes were measured)")
    add(f"- Load average (1 / 5 / 15 min) at the start: {r['load_start']}; at the end: {r['load_end']}. "
        "Other processes were running on this 2-core machine during the run, so every number "
        "below is a lower bound for an idle machine; the load before and after each section is listed "
        "at the end.")
    add("")

    # ---- how to read
    add("## How to read this")
    add("")
    add("- **Stages** are timed in one process with warm caches: a warm-up pass over the corpus, not counted, "
        "pays the first-use costs (imports, jieba's dictionary, OpenCC, dateparser's locale data, the compiled "
        "rules; section 1 gives its time). Each round processes "
        "every corpus file of a format once; the numbers are the median round. *MB/s* is input file bytes "
        "(a DOCX is zipped XML, an HTML page is mostly markup), so compare formats by documents/s and "
        "by body-text characters, not by MB/s. *Spread* is (slowest − fastest round) / median: "
        "a large spread means the machine was busy; the last column is the fastest round, the closest to an idle machine.")
    add("- **ingest** = `pipeline.process.ingest` (sniff, read the format, clean junk); "
        "**structure+extract** = `analyse` (section tree, metadata, tasks, units, deadlines, thresholds, "
        "references); **emit** = `build_record` + `pipeline.emit.dump_yaml` (no schema validation, no file write: "
        "the batch numbers include both).")
    add("- **PDF pages/s** compares our reader, which does much more than extract text (characters with "
        "positions, overprint detection, tables, page furniture, paragraph joining), with two plain "
        "text extractors; the comparison shows what the extra work costs, not which is better.")
    add("- **Batch** numbers are whole `policy-pipeline run` processes: the documents/s use the run's own "
        "timer (pool start to last record, excluding the CLI's start-up); wall time includes start-up. "
        "Peak RSS per worker is the high-water mark (`VmHWM`) of each worker process, sampled from "
        "`/proc` every 0.1 s, and `getrusage(RUSAGE_CHILDREN).ru_maxrss` (the largest worker) as a check. "
        "A speed-up below 2 on 2 cores is expected here because other processes share the cores: the "
        "*CPU busy* column (CPU seconds of workers / wall seconds) shows how much CPU the run actually got.")
    add("- **Deadlines** are scored quote by quote on the gold files' deadline quotes: the quote alone is "
        "parsed, so this measures normalisation, not finding deadlines in running text.")
    add("")

    # ---- summary
    add("## Results at a glance")
    add("")
    add("| Measure | Result |")
    add("|---|---|")
    for k, v in r["headline"]:
        add(f"| {k} | {v} |")
    add("")

    # ---- stages
    add("## 1. Stage throughput (corpus/raw, one process)")
    add("")
    add("| Format | Files | Input MB | Body text kchars | Rounds | Spread | ingest doc/s | ingest MB/s "
        "| structure+extract doc/s | structure+extract MB/s | emit doc/s | emit MB/s | all stages doc/s "
        "| all stages MB/s | all stages, best round doc/s |")
    add("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for s in r["stages"]:
        mb = s["bytes"] / 1e6
        cells = [s["format"], str(s["files"]), f"{mb:.2f}", f"{s['chars'] / 1000:.0f}", str(s["rounds"]),
                 f"{100 * s['spread']:.0f} %" if s["spread"] is not None else "n/a"]
        for k in ("ingest_s", "analyse_s", "emit_s", "total_s"):
            cells += [f"{s['files'] / s[k]:.1f}", f"{mb / s[k]:.2f}"]
        cells.append(f"{s['files'] / s['best_s']:.1f}")
        add("| " + " | ".join(cells) + " |")
    add("")
    if r["stages"]:
        add(f"Warm-up pass (first use in a fresh process, not counted above): {r['stages'][0]['warmup_s']:.1f} s "
            "for every TXT/HTML/DOCX file and the smallest PDF. Most of it is one-off loading: dateparser's data "
            "alone costs about 3 s on the first document with a date it parses (measured while writing this "
            "benchmark: 3.0 s for a 739-character TXT file, 11 ms once warm); every batch worker pays it once.")
        add("")
    add("MB = 10^6 bytes of input files. The PDF row uses the six corpus PDFs "
        f"({r.get('corpus_pdf_pages', '?')} pages); section 2 measures PDF reading on a longer file.")
    add("")

    # ---- pdf
    p = r["pdf"]
    add("## 2. PDF reading")
    add("")
    add(f"Test file: {p['how']}. It is generated, not committed.")
    add("")
    if p.get("pages"):
        add(f"{p['pages']} pages, {p['bytes'] / 1e6:.2f} MB.")
        add("")
        add("| Reader | Runs | Median s | Pages/s | Characters out |")
        add("|---|--:|--:|--:|--:|")
        names = {"ours": "ours: `pipeline.ingest.pdf.read` (pypdfium2 chars + layout + tables)",
                 "pdfplumber": "pdfplumber `page.extract_text()` over all pages",
                 "pypdfium2": "pypdfium2 `get_textpage().get_text_range()`",
                 "pdftotext": "poppler `pdftotext -enc UTF-8 FILE -` (a subprocess)"}
        for k in ("ours", "pdfplumber", "pypdfium2", "pdftotext"):
            if k not in p:
                continue
            x = p[k]
            add(f"| {names[k]} | {x['runs']} | {x['median_s']:.3f} | {p['pages'] / x['median_s']:,.1f} | {x['chars']:,} |")
        add("")
        add("Characters out differ because the extractors differ: ours is the cleaned body text "
            "(page numbers and running headers removed, lines joined into paragraphs), the others "
            "include layout spaces and line breaks.")
        if p.get("pdftotext_missing"):
            add("")
            add(f"pdftotext not measured: {p['pdftotext_missing']} (`apt-get install poppler-utils`).")
        e = p.get("e2e") or {}
        if e.get("doc_median_s"):
            add("")
            first = (f"; the first copy, which also pays what the worker loads once on the first document "
                     f"that needs it and the small file did not (pdfplumber's table code; the segmenter "
                     f"dictionary and numeral parser, if the small file has no use for them), "
                     f"{e['pages'] / e['first_doc_median_s']:.1f} pages/s ({e['first_doc_median_s']:.2f} s)"
                     if e.get("first_doc_median_s") else "")
            add(f"End to end, `policy-pipeline run -j 1 --force` on a folder of the smallest corpus PDF and "
                f"two copies of this file (read in that order by the one worker), median of {e['runs']} runs: "
                f"**{e['pages'] / e['doc_median_s']:.1f} pages/s** for the second copy's own time in the run "
                f"report ({e['doc_median_s']:.2f} s: read, clean, structure, extract, validate, write; a warm "
                f"worker){first}; {e.get('wall_pages', e['pages']) / e['wall_median_s']:.1f} pages/s for the whole command "
                f"({e['wall_median_s']:.2f} s for both copies, worker start and the small file included).")
        elif e.get("error"):
            add("")
            add(f"End to end not measured: {e['error']}.")
        o = p.get("ocr") or {}
        if o.get("seconds"):
            add("")
            add(f"OCR (rapidocr-onnxruntime, PP-OCRv4 models from its wheel): {o['pages']} pages of "
                f"{o['source']} rendered at 144 dpi into an image-only PDF and read back: "
                f"**{o['pages'] / o['seconds']:.2f} pages/s** ({o['seconds']:.1f} s, model load included), "
                f"mean line confidence {o['confidence']:.3f}, similarity to the text layer's body "
                f"{o['similarity']:.3f} (whitespace ignored).")
        elif o.get("error"):
            add("")
            add(f"OCR not measured: {o['error']}.")
    else:
        add("**Not measured**: " + p["how"] + ".")
    add("")

    # ---- cli
    c = r["cli"]
    add("## 3. CLI cold start")
    add("")
    add("| Command | Runs | Median s | Min s | Max s |")
    add("|---|--:|--:|--:|--:|")
    for k in ("help", "run"):
        x = c[k]
        add(f"| `{x['cmd'] if k == 'help' else 'policy-pipeline run ' + x['doc'] + ' -o $WORK/… -j 1 -q'}` | "
            f"{len(x['times'])} | {statistics.median(x['times']):.2f} | {min(x['times']):.2f} | {max(x['times']):.2f} |")
    add("")
    add(f"Each run is a new process with a fresh output folder (no manifest to skip on); the OS file cache is warm. "
        f"The one-document run reads a {c['run']['bytes'] / 1000:.1f} kB TXT file and includes starting one worker "
        "process, loading and validating the rules, and the first-use costs (jieba's dictionary, OpenCC, "
        "dateparser's data).")
    if c.get("run_error"):
        add("")
        add(f"**The one-document run failed**: `{c['run_error']}`")
    add("")

    # ---- batch
    b = r["batch"]
    add(f"## 4. Batch of {b['documents']:,} documents")
    add("")
    comp = ", ".join(f"{v} {k}" for k, v in sorted(b["composition"].items()))
    add(f"Copies of the corpus/raw files under distinct names: {comp} ({b['bytes'] / 1e6:.1f} MB; "
        f"the PDFs have {b['pdf_pages']} pages in all). TXT/HTML/DOCX files are taken in turn, so the mix "
        "matches the corpus; PDFs are included only once each to keep the run short.")
    add("")
    add("| Workers | Run | Documents/s | Run s | Wall s | Done / failed / skipped | CPU busy | Worker CPU s per doc "
        "| Peak RSS per worker (MB) | RUSAGE_CHILDREN max RSS (MB) | Parent peak RSS (MB) | Load before → after |")
    add("|--:|--:|--:|--:|--:|---|--:|--:|---|--:|--:|---|")
    docs = b["documents"]
    for j in sorted(b["runs"], key=str):
        for i, x in enumerate(b["runs"][j], 1):
            rs = _run_s(x)
            s = x.get("summary") or {}
            busy = (x.get("children_cpu_s", 0) + x.get("self_cpu_s", 0)) / x["wall_s"]
            add(f"| {j} | {i} | {docs / rs:.1f} | {rs:.1f} | {x['wall_s']:.1f} | "
                f"{s.get('done', '?')} / {s.get('failed', '?')} / {s.get('skipped', '?')} | {busy:.2f} cores | "
                f"{1000 * x.get('children_cpu_s', 0) / docs:.0f} ms | "
                f"{', '.join(str(round(k / 1024)) for k in x['worker_hwm_kb']) or 'n/a'} | "
                f"{x.get('children_maxrss_kb', 0) / 1024:.0f} | {x['parent_hwm_kb'] / 1024:.0f} | "
                f"{x['load_before']} → {x['load_after']} |")
    sp = _speedup(b)
    if sp:
        add("")
        add(f"Speed-up from 1 to 2 workers, fastest run of each: **{sp[0]:.2f}×** "
            f"(slowest runs: {sp[1]:.2f}×). *CPU busy* is the CPU time of the CLI process and its workers "
            "divided by wall time: 2 workers could use 2.00 cores on an idle machine. *Worker CPU s per doc* "
            "is the workers' CPU time per document, start-up costs included (each worker loads the rules, "
            "jieba's dictionary and dateparser's data once); it would rise with 2 workers if they slowed "
            "each other down (shared caches, memory bandwidth).")
        cpd = _cpu_per_doc(b)
        if cpd:
            add("")
            add(f"The workers' CPU time per document is {1000 * cpd[0]:.0f} ms at -j 1 and {1000 * cpd[1]:.0f} ms "
                "at -j 2 (median of the runs): the work itself divides between the workers, so the speed-up is "
                "limited by the CPU time the machine could give (the *CPU busy* column), not by the pipeline. "
                "An idle 2-core machine should come close to 2×; that was not measured here.")
    for j, xs in sorted(b["runs"].items(), key=lambda kv: str(kv[0])):
        for x in xs:
            if x.get("error"):
                add("")
                add(f"**-j {j} exited with an error**: `{x['error']}`")
    add("")
    cmds = sorted({x["cmd"] for xs in b["runs"].values() for x in xs})
    add("Commands (with `$WORK` the work folder): " + "; ".join(f"`{c}`" for c in cmds) +
        (" (in the order -j 1, -j 2, -j 2, -j 1)" if not r["quick"] else ""))
    add("")

    # ---- deadlines
    d = r["deadlines"]
    add("## 5. Deadline parsing: ours against JioNLP")
    add("")
    add(f"Every `deadlines:` quote of corpus/gold/*.yml: {d['quotes']} quotes from {d['documents']} documents. "
        "Ours: `find_deadlines(match_view(quote), rules, doc_date)`; JioNLP: `jionlp.parse_time(text, "
        "time_base=doc_date)`, with doc_date the gold file's `meta.issued_on` (when a gold file has none, "
        "ours gets no date and JioNLP its default, the current time).")
    add("")
    if d.get("jionlp_error"):
        add(f"**JioNLP not measured**: {d['jionlp_error']}")
        add("")
    rows = d["rows"]
    n = len(rows)
    variants = [("ours", "ours (`find_deadlines`)", d.get("ours_rate"))]
    if "jio" in rows[0]:
        variants += [("jio", "JioNLP `parse_time` on the same match view", d.get("jio_rate")),
                     ("jio_extract", "JioNLP `parse_time`, else first `ner.extract_time` hit", d.get("jio_extract_rate")),
                     ("jio_raw", "JioNLP `parse_time` on the original quote (traditional script kept)", None)]
    add("| Parser | Detected | Value matches gold | date | relative | duration | recurring | Quotes/s |")
    add("|---|--:|--:|--:|--:|--:|--:|--:|")
    types = ("date", "relative", "duration", "recurring")
    for key, label, rate in variants:
        det = sum(1 for x in rows if x[key][0])
        ok = sum(1 for x in rows if x[key][1])
        per = [f"{sum(1 for x in rows if x['type'] == t and x[key][1])}/{sum(1 for x in rows if x['type'] == t)}"
               for t in types]
        add(f"| {label} | {_pct(det, n)} | {_pct(ok, n)} | " + " | ".join(per) +
            f" | {_f(rate, 0) if rate else '—'} |")
    add("")
    if "jio" in rows[0]:
        add(f"JioNLP {d.get('jionlp_version')}: import {d.get('jionlp_import_s', 0):.2f} s (it prints a banner, "
            f"captured here), first parse {d.get('jionlp_first_call_s', 0):.2f} s (loads its data; the first use "
            "after installation also unzips 51 MB into its install folder). Quotes/s are measured after that "
            "on the precomputed match view for both: the best of three trials, each repeating all quotes for at "
            "least a second.")
        add("")
        miss = [x for x in rows if not x["jio"][0]]
        if miss:
            import re as _re

            kinds = {"定期": 0, "按月 / 按季 / 逐月 / 按季度": 0, "other": 0}
            for x in miss:
                if "定期" in x["quote"]:
                    kinds["定期"] += 1
                elif _re.search(r"按月|按季|逐月", x["quote"]):
                    kinds["按月 / 按季 / 逐月 / 按季度"] += 1
                else:
                    kinds["other"] += 1
            add(f"Where JioNLP finds nothing ({len(miss)} quotes): " +
                ", ".join(f"{v} with {k}" if k != "other" else f"{v} other" for k, v in kinds.items() if v) +
                " — it has no rule for 定期 (regularly) or 按月/按季 (monthly/quarterly), which are common in "
                "policy documents. Where it finds a time but the value differs, the table below shows why "
                "(工作日 counted Monday–Friday without holidays, a dropped 年 read differently, no document date).")
        add("")
    ours_miss = [x for x in rows if not x["ours"][1]]
    if ours_miss:
        add("Ours gets these wrong: " + "; ".join(
            f"`{_md(x['quote'])}` ({x['gold']} → {_md(x['ours'][2]) if x['ours'][0] else 'nothing'})"
            for x in ours_miss) + ".")
        add("")
    add("How JioNLP's output is mapped to the gold value (generous where the formats differ):")
    add("")
    add("- *Detected*: ours returned at least one deadline; JioNLP returned a result instead of raising "
        "(`parse_time` raises `ValueError` when it finds no time).")
    add("- **date** gold (`2021年8月底前`, `年底前`): the end of JioNLP's `time_span` / `time_point` "
        "(`time[1]`, its date part) must equal the gold date; ours: a `date` fact with that date.")
    add("- **relative** gold with a `resolved` date (the anchor is the document's own issuing): JioNLP's span "
        "end must equal the resolved date; a `time_delta` is resolved from the document date, 工作日 counted "
        "either as Monday–Friday (JioNLP's convention) or with the holiday calendar. Ours: the fact's `resolved`.")
    add("- **relative** gold without `resolved`, and **duration** gold (`20日内`, `5小时内`, `5年内`): amount + unit. "
        "JioNLP has no notion of an event anchor, so it resolves every span from `time_base`; its span "
        "must be that amount long: end = start + amount units (calendar; 工作日 Monday–Friday or holiday "
        "calendar), allowing one day less (inclusive counting), and for months and years also the end of the "
        "month or year reached (JioNLP's `blur` spans, e.g. `两年内` → 31 Dec); hours within one hour. "
        "A `time_delta` must carry the same amount and unit. Ours: a relative or duration fact with that amount and unit.")
    add("- **recurring** gold (`每年`, `按月`, `定期`): JioNLP's `time_period`; ours: a `recurring` fact. "
        "The period itself is not compared (the brief scores recurring by detection only).")
    add("- The quote is given as our own parser sees it (`match_view`: traditional → simplified, full-width folded) "
        "for a like-for-like comparison; the last row shows JioNLP on the original quote, which matters for the "
        "traditional-script documents (000, 100, 103).")
    add("- Gold quotes are short, so the test favours a parser of isolated time strings such as JioNLP; "
        "its `ner.extract_time` fallback is shown for quotes with non-time words around the time expression.")
    add("")
    add("<details><summary>Every quote (✓ value matches, · detected but wrong, ✗ not detected)</summary>")
    add("")
    head = "| Doc | Quote | Gold | Ours |" + (" JioNLP parse_time |" if "jio" in rows[0] else "")
    add(head)
    add("|---|---|---|---|" + ("---|" if "jio" in rows[0] else ""))
    for x in rows:
        def cell(v):
            mark = "✓" if v[1] else ("·" if v[0] else "✗")
            return f"{mark} {_md(v[2])}"
        line = f"| {x['doc'][:3]} | {_md(x['quote'])} | {x['gold']} | {cell(x['ours'])} |"
        if "jio" in x:
            line += f" {cell(x['jio'])} |"
        add(line)
    add("")
    add("</details>")
    add("")

    if r.get("cost"):
        from tools import bench_cost

        L += bench_cost.render(r["cost"])

    # ---- section times
    add("## Run log")
    add("")
    add("| Section | Seconds | Load before | Load after |")
    add("|---|--:|---|---|")
    for k, v in r["sections"].items():
        add(f"| {k} | {v['seconds']:.0f} | {v['load_before']} | {v['load_after']} |")
    add("")
    return "\n".join(L)


def _run_s(x: dict) -> float:
    return x.get("report_s") or x["wall_s"]


def _speedup(b: dict) -> tuple[float, float] | None:
    one, two = b["runs"].get(1) or [], b["runs"].get(2) or []
    if not one or not two:
        return None
    return (min(map(_run_s, one)) / min(map(_run_s, two)), max(map(_run_s, one)) / max(map(_run_s, two)))


def _cpu_per_doc(b: dict) -> tuple[float, float] | None:
    one, two = b["runs"].get(1) or [], b["runs"].get(2) or []
    if not one or not two or not all(x.get("children_cpu_s") for x in one + two):
        return None
    n = b["documents"]
    return (statistics.median(x["children_cpu_s"] for x in one) / n,
            statistics.median(x["children_cpu_s"] for x in two) / n)


def _md(s: str) -> str:
    s = str(s).replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= 90 else s[:87] + "…"


def headline(r: dict) -> list[tuple[str, str]]:
    h = []
    st = {s["format"]: s for s in r["stages"]}
    for f in ("TXT", "HTML", "DOCX", "PDF"):
        if f in st:
            s = st[f]
            h.append((f"{f}, all stages, one process", f"{s['files'] / s['total_s']:.1f} documents/s "
                      f"({s['bytes'] / 1e6 / s['total_s']:.2f} MB/s of input)"))
    p = r["pdf"]
    if p.get("pages"):
        peers = f"; pdftotext {p['pages'] / p['pdftotext']['median_s']:,.0f}" if "pdftotext" in p else ""
        h.append((f"PDF reading, {p['pages']}-page file",
                  f"ours {p['pages'] / p['ours']['median_s']:.1f} pages/s; pdfplumber extract_text "
                  f"{p['pages'] / p['pdfplumber']['median_s']:.1f}; pypdfium2 {p['pages'] / p['pypdfium2']['median_s']:,.0f}"
                  + peers))
        e = p.get("e2e") or {}
        if e.get("doc_median_s"):
            h.append((f"PDF end to end, `run -j 1`, {p['pages']} pages",
                      f"{e['pages'] / e['doc_median_s']:.1f} pages/s (document time, warm worker); "
                      + (f"{e['pages'] / e['first_doc_median_s']:.1f} pages/s (first long document of the worker); "
                         if e.get("first_doc_median_s") else "")
                      + f"{e.get('wall_pages', e['pages']) / e['wall_median_s']:.1f} pages/s (whole command)"))
        o = p.get("ocr") or {}
        if o.get("seconds"):
            h.append(("OCR of scanned pages", f"{o['pages'] / o['seconds']:.2f} pages/s "
                      f"(similarity to the text layer {o['similarity']:.3f})"))
    c = r["cli"]
    h.append(("CLI cold start", f"`--help` {statistics.median(c['help']['times']):.2f} s; one-document run "
              f"{statistics.median(c['run']['times']):.2f} s"))
    b = r["batch"]
    parts = []
    for j, xs in sorted(b["runs"].items(), key=lambda kv: str(kv[0])):
        if not xs:
            continue
        best = min(xs, key=_run_s)
        peak = max(max(x["worker_hwm_kb"] or [x.get("children_maxrss_kb", 0)]) for x in xs) / 1024
        name = f"--scheduler {j}" if isinstance(j, str) else f"-j {j}"
        parts.append(f"{name}: {b['documents'] / _run_s(best):.1f} doc/s, peak RSS per worker {peak:.0f} MB")
    sp = _speedup(b)
    if sp:
        busy = max((x.get("children_cpu_s", 0) + x.get("self_cpu_s", 0)) / x["wall_s"] for x in b["runs"][2])
        cpd = _cpu_per_doc(b)
        parts.append(f"speed-up {sp[0]:.2f}× under load (the 2-worker run got {busy:.2f} of 2 cores"
                     + (f"; CPU per document {1000 * cpd[0]:.0f} ms at -j 1, {1000 * cpd[1]:.0f} ms at -j 2)"
                        if cpd else ")"))
    h.append((f"Batch of {b['documents']:,} documents (fastest run)", "; ".join(parts)))
    d = r["deadlines"]
    rows = d["rows"]
    n = len(rows)
    txt = (f"ours detects {_pct(sum(x['ours'][0] for x in rows), n)}, right {_pct(sum(x['ours'][1] for x in rows), n)}, "
           f"{d['ours_rate']:,.0f} quotes/s")
    if "jio" in rows[0]:
        txt += (f"; JioNLP parse_time detects {_pct(sum(x['jio'][0] for x in rows), n)}, right "
                f"{_pct(sum(x['jio'][1] for x in rows), n)}, {d['jio_rate']:,.0f} quotes/s")
    h.append((f"Deadline quotes ({n})", txt))
    if r.get("cost"):
        from tools import bench_cost

        h += bench_cost.headline(r["cost"])
    return h


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="docs/benchmarks.md", help="Markdown report to write (default: docs/benchmarks.md)")
    ap.add_argument("--quick", action="store_true", help="100-document batch and fewer repetitions")
    ap.add_argument("--rules", default=None, metavar="DIR", help="rule folder (default: the bundled rules/)")
    ap.add_argument("--workdir", default=None, metavar="DIR",
                    help="folder for generated files (default: $TMPDIR/policy_bench; the long PDF is cached there)")
    ap.add_argument("--json", default=None, metavar="FILE", help="also write the raw results as JSON")
    args = ap.parse_args(argv)

    from pipeline.rules import load_rules

    workdir = Path(args.workdir or Path(tempfile.gettempdir()) / "policy_bench")
    workdir.mkdir(parents=True, exist_ok=True)
    rules = load_rules(args.rules)
    cmd = "python tools/benchmark.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    r: dict = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "quick": args.quick, "command": cmd,
               "load_start": loadavg(), "sections": {}}
    t0 = time.perf_counter()
    r["machine"] = machine()
    with Section("1. stage throughput", r["sections"]):
        r["stages"] = bench_stages(rules, args.quick)
    import pypdfium2 as pdfium

    r["corpus_pdf_pages"] = sum(len(pdfium.PdfDocument(str(p))) for p in corpus_files()[".pdf"])
    with Section("2. PDF reading", r["sections"]):
        r["pdf"] = bench_pdf(workdir, args.quick)
    with Section("3. CLI cold start", r["sections"]):
        r["cli"] = bench_cli(workdir, args.rules, args.quick)
    with Section("4. batch", r["sections"]):
        r["batch"] = bench_batch(workdir, args.rules, args.quick)
    with Section("5. deadlines vs JioNLP", r["sections"]):
        r["deadlines"] = bench_deadlines(rules, args.quick)
    from tools import bench_cost   # section 6 also runs alone: python tools/bench_cost.py

    with Section("6. linear cost, record writing, re-runs", r["sections"]):
        r["cost"] = bench_cost.run(workdir, args.rules, args.quick)
    r["load_end"] = loadavg()
    r["total_s"] = time.perf_counter() - t0
    r["sections"]["total"] = {"seconds": r["total_s"], "load_before": r["load_start"], "load_after": r["load_end"]}
    r["headline"] = headline(r)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(r), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(r, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    log(f"wrote {out} in {r['total_s']:.0f} s")
    for k, v in r["headline"]:
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
