"""Collecting a batch's inputs: every entry under the input paths, each accounted for once.

The walk never opens a file; it only decides, from ``lstat``/``stat``, what each entry
is. Regular files become work; everything else becomes a report line with a reason:

- hidden files and folders (``.name``) are listed as skipped (a hidden folder once,
  not walked);
- FIFOs, sockets and devices are skipped, never opened (opening a FIFO blocks);
- a dangling symlink or a symlink loop fails; a folder that cannot be listed fails;
- a symlink whose target lies outside every input is skipped unless ``follow_links``;
  a symlink to a folder is walked only with ``follow_links`` (and a folder already on
  the walk's path is a loop, skipped), otherwise its files would be listed twice.

Names: with one input, a name is relative to it (``seeds/a.txt``); with several, each
folder's entries are prefixed with the folder's name (``a/x.txt``, ``b/x.txt``) so the
same relative name under two inputs never shares a record. Bytes that are not UTF-8 in
a file name are written as ``\\xff`` escapes; a name still taken gets ``~2``, ``~3``.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..model import IngestError

OUTPUT_NAMES = ("manifest.json", "report.yml", "journal.jsonl")


@dataclass
class Entry:
    path: Path                  # what to open
    rel: str                    # its name in the report, the manifest and OUT/records/
    status: str | None = None   # decided by the walk (skipped | failed), else None = work
    reason: str | None = None
    nofollow: bool = True       # a plain file found by the walk: open with O_NOFOLLOW


def printable(name: str) -> str:
    """A file name as text: undecodable bytes (surrogate escapes) become ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _label(root: Path) -> str:
    name = os.path.basename(os.path.realpath(root)) or "root"
    return printable(name)


def collect(inputs: Sequence[str | Path], exclude: Path | None = None, follow_links: bool = False) -> list[Entry]:
    """Every entry under ``inputs`` in walk order (sorted by name within a folder).

    Raises FileNotFoundError for an input argument that does not exist at all (bad usage)."""
    roots = [Path(i) for i in inputs]
    for r in roots:
        if not os.path.lexists(r):
            raise FileNotFoundError(f"input not found: {r}")
    allowed = [os.path.realpath(r) for r in roots]
    excluded = os.path.realpath(exclude) if exclude is not None else None
    several = len(roots) > 1
    found: list[Entry] = []
    for root in roots:
        prefix = _label(root) if several else ""
        if not root.is_dir():                    # a file argument (or a broken link) is named by itself
            found.append(_file_entry(root, printable(root.name), allowed, True, nofollow=False))
            continue
        _walk(root, prefix, allowed, excluded, follow_links, found)
    seen: dict[str, int] = {}
    for e in found:                              # names still equal after escaping or labelling
        n = seen.get(e.rel, 0) + 1
        seen[e.rel] = n
        if n > 1:
            while f"{e.rel}~{n}" in seen:
                n += 1
            seen[e.rel] = n
            e.rel = f"{e.rel}~{n}"
            seen[e.rel] = 1
    return found


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _file_entry(path: Path, rel: str, allowed: list[str], explicit: bool, nofollow: bool = True) -> Entry:
    """An entry for a non-folder: a regular file to process, or a reason it is not."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return Entry(path, rel, "failed", f"cannot read: {exc.strerror or exc}")
    if stat.S_ISLNK(st.st_mode):
        return _link_entry(path, rel, allowed, explicit)
    if not stat.S_ISREG(st.st_mode):
        return Entry(path, rel, "skipped", f"not a regular file: {_kind(st.st_mode)}")
    return Entry(path, rel, nofollow=nofollow)


def _link_entry(path: Path, rel: str, allowed: list[str], explicit: bool, follow: bool = False) -> Entry:
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Entry(path, rel, "failed", "symlink loop")
        if exc.errno == errno.ENOENT:
            return Entry(path, rel, "failed", f"broken symlink (target missing: {printable(os.readlink(path))})")
        return Entry(path, rel, "failed", f"cannot follow symlink: {exc.strerror or exc}")
    target = os.path.realpath(path)
    if not explicit and not follow and not _inside(target, allowed):
        return Entry(path, rel, "skipped", "symlink to outside the inputs, not followed (use --follow-links)")
    if stat.S_ISDIR(st.st_mode):
        return Entry(path, rel, "skipped", "symlink to a folder, not followed (use --follow-links)")
    if not stat.S_ISREG(st.st_mode):
        return Entry(path, rel, "skipped", f"not a regular file: symlink to a {_kind(st.st_mode)}")
    return Entry(path, rel, nofollow=False)


def _walk(root: Path, prefix: str, allowed: list[str], excluded: str | None, follow: bool,
          found: list[Entry]) -> None:
    try:
        top = os.stat(root)
    except OSError as exc:
        found.append(Entry(root, prefix or printable(root.name), "failed", f"cannot list folder: {exc.strerror or exc}"))
        return
    # (folder, its name, (dev, inode) of the folders above it: a link back to one is a loop)
    stack = [(root, prefix, frozenset({(top.st_dev, top.st_ino)}))]
    while stack:
        folder, rel, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                names = sorted(it, key=lambda d: d.name)
        except OSError as exc:
            found.append(Entry(folder, rel or ".", "failed", f"cannot list folder: {exc.strerror or exc}"))
            continue
        subdirs = []
        folder_is_out = excluded is not None and os.path.realpath(folder) == excluded
        for d in names:
            path = Path(d.path)
            name = _join(rel, printable(d.name))
            if folder_is_out and d.name in OUTPUT_NAMES:
                continue                                      # the run's own manifest and report
            try:
                is_link = d.is_symlink()
                is_dir = d.is_dir(follow_symlinks=False)
            except OSError as exc:
                found.append(Entry(path, name, "failed", f"cannot read: {exc.strerror or exc}"))
                continue
            if (is_dir or is_link) and excluded is not None and os.path.realpath(path) == excluded:
                continue                                      # the run's own output folder
            if d.name.startswith("."):
                what = "hidden folder, not walked" if is_dir else "hidden file"
                found.append(Entry(path, name, "skipped", what))
                continue
            if is_dir:
                subdirs.append((path, name))
                continue
            if is_link and follow:
                try:
                    st = os.stat(path)
                except OSError:
                    st = None
                if st is not None and stat.S_ISDIR(st.st_mode):
                    if (st.st_dev, st.st_ino) in ancestors:
                        found.append(Entry(path, name, "skipped", "symlink loop (a folder already being walked)"))
                    else:
                        subdirs.append((path, name))
                    continue
            if is_link:
                found.append(_link_entry(path, name, allowed, False, follow))
            else:
                found.append(_file_entry(path, name, allowed, False))
        # depth first, in name order: push in reverse
        for path, name in reversed(subdirs):
            try:
                st = os.stat(path)
                key = frozenset(ancestors | {(st.st_dev, st.st_ino)})
            except OSError as exc:
                found.append(Entry(path, name, "failed", f"cannot list folder: {exc.strerror or exc}"))
                continue
            stack.append((path, name, key))


def read_regular(path: Path, max_bytes: int, nofollow: bool = True) -> bytes:
    """The bytes of a regular file, never more than ``max_bytes``; raises IngestError.

    Opened non-blocking and checked with fstat, so a FIFO or device swapped in after the
    walk is refused instead of blocking the worker."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if nofollow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError("failed", "symlink loop") from None
        raise IngestError("failed", f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IngestError("skipped", f"not a regular file: {_kind(st.st_mode)}")
        if st.st_size > max_bytes:
            raise IngestError("skipped", f"file too large: {st.st_size:,} bytes > limit {max_bytes:,}")
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except OSError as exc:
                raise IngestError("failed", f"cannot read: {exc.strerror or exc}") from None
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:               # grew while being read
                raise IngestError("skipped", f"file too large: more than {max_bytes:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
