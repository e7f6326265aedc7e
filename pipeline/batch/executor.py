"""Run independent tasks in worker processes, each under a hard deadline.

Knows nothing about documents: it runs ``fn(*args)`` for each task and yields
``(key, kind, value)`` as tasks finish, where kind is

- ``"ok"``      value is what ``fn`` returned;
- ``"error"``   ``fn`` raised; value is a one-line description;
- ``"timeout"`` the task passed its deadline; its worker was killed and replaced;
- ``"died"``    its worker process died (killed by the OS, a crash in C code); replaced.

Unlike ``ProcessPoolExecutor`` one bad task never costs the others: the pool knows which
worker held which task, kills just that worker at the deadline (a regular expression
backtracking inside C code never returns to Python, so an in-process alarm cannot stop
it) and starts a fresh one. Workers ask the kernel to kill them when the parent dies
(Linux ``PR_SET_PDEATHSIG``), and an idle worker also exits when its pipe closes, so a
``kill -9`` of the batch leaves no orphans.
"""
from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import time
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):   # not Linux: the closed pipe still ends an idle worker
        pass
    if os.getppid() != parent_pid:      # the parent died before prctl took effect
        os._exit(1)


def _worker_main(conn, parent_pid: int, initializer, initargs) -> None:
    _die_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if msg is None:
            os._exit(0)
        key, fn, args = msg
        try:
            reply = (key, "ok", fn(*args))
        except BaseException as exc:  # noqa: BLE001 - reported, the worker carries on
            reply = (key, "error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
        try:
            conn.send(reply)
        except (OSError, ValueError):
            os._exit(0)


class _Worker:
    def __init__(self, ctx, initializer, initargs):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid(), initializer, initargs),
                                daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[Any, tuple] | None = None
        self.deadline = 0.0
        self.gone = False

    def kill(self) -> None:
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
        self.proc.join(5)
        self.conn.close()

    def death(self) -> str:
        self.proc.join(5)
        code = self.proc.exitcode
        self.conn.close()
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"


class ProcessExecutor:
    """``workers`` processes (fork), each running ``initializer(*initargs)`` once."""

    def __init__(self, workers: int, initializer: Callable | None = None, initargs: tuple = (),
                 task_timeout: float | None = None):
        self.workers = max(1, workers)
        self.initializer, self.initargs = initializer, initargs
        self.task_timeout = task_timeout
        self._ctx = multiprocessing.get_context("fork")

    def map_unordered(self, fn: Callable, tasks: Iterable[tuple[Any, tuple]]) -> Iterator[tuple[Any, str, Any]]:
        queue = collections.deque(tasks)
        pool: list[_Worker] = []
        try:
            while queue or any(w.task for w in pool):
                for w in pool:                                   # hand out work
                    if w.task is None and queue:
                        self._assign(w, fn, queue)
                while queue and len(pool) < self.workers:
                    w = _Worker(self._ctx, self.initializer, self.initargs)
                    pool.append(w)
                    self._assign(w, fn, queue)
                pool = [w for w in pool if not w.gone]
                busy = [w for w in pool if w.task is not None]
                if not busy:
                    continue
                now = time.monotonic()
                soonest = min(w.deadline for w in busy)
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                             timeout=max(0.0, soonest - now) if soonest != float("inf") else None)
                now = time.monotonic()
                for w in busy:
                    key = w.task[0]
                    result = None
                    if w.conn in ready or w.proc.sentinel in ready:
                        try:
                            if w.conn.poll():
                                k, kind, value = w.conn.recv()
                                result = (k, kind, value)
                        except (EOFError, OSError):
                            pass
                        if result is None and not w.proc.is_alive():
                            result = (key, "died", w.death())
                    elif now >= w.deadline:
                        w.kill()
                        result = (key, "timeout", None)
                    if result is None:
                        continue
                    w.task = None
                    if result[1] in ("died", "timeout"):
                        pool.remove(w)                           # replaced on the next round
                    yield result
        finally:
            for w in pool:
                if w.task is None:
                    try:
                        w.conn.send(None)
                    except (OSError, ValueError):
                        pass
            for w in pool:
                if w.task is not None:
                    w.kill()
                else:
                    w.proc.join(2)
                    if w.proc.is_alive():
                        w.kill()

    def _assign(self, w: _Worker, fn: Callable, queue: collections.deque) -> None:
        key, args = queue.popleft()
        try:
            w.conn.send((key, fn, args))
        except (OSError, ValueError):           # the worker is gone: the task was not started
            queue.appendleft((key, args))
            w.kill()
            w.gone = True
            return
        w.task = (key, args)
        w.deadline = time.monotonic() + self.task_timeout if self.task_timeout else float("inf")
