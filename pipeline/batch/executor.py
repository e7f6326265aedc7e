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
from typing import Any, Callable, Generator, Iterable

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


_READY = "__ready__"
STARTUP_FAILURES = 3      # workers dying before they are ready: give up instead of looping


def _worker_main(conn, parent_pid: int, initializer, initargs) -> None:
    _die_with_parent(parent_pid)
    try:
        os.setpgrp()    # its own process group: killing it also kills what it started (a converter)
    except OSError:
        pass
    try:
        if initializer is not None:
            initializer(*initargs)
    except BaseException as exc:  # noqa: BLE001 - told to the parent, which gives up after a few
        conn.send((None, "error", f"worker start failed: {type(exc).__name__}: {exc}".splitlines()[0][:300]))
        os._exit(1)
    conn.send((None, _READY, None))     # deadlines start now: warm-up is not a document's time
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
        self.ready = False
        self.task: tuple[Any, tuple] | None = None
        self.deadline = float("inf")
        self.last_error: str | None = None

    def kill(self) -> None:
        pid = self.proc.pid
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
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
    """``workers`` processes (fork), each running ``initializer(*initargs)`` once before
    it takes tasks; a task's deadline counts from when a ready worker receives it."""

    def __init__(self, workers: int, initializer: Callable | None = None, initargs: tuple = (),
                 task_timeout: float | None = None):
        self.workers = max(1, workers)
        self.initializer, self.initargs = initializer, initargs
        self.task_timeout = task_timeout
        self._ctx = multiprocessing.get_context("fork")

    def map_unordered(self, fn: Callable, tasks: Iterable[tuple[Any, tuple]]) -> Generator[tuple[Any, str, Any], None, None]:
        queue = collections.deque(tasks)
        pool: list[_Worker] = []
        startup_failures = 0
        try:
            while queue or any(w.task for w in pool):
                while len(pool) < min(self.workers, len(queue) + sum(1 for w in pool if w.task)):
                    pool.append(_Worker(self._ctx, self.initializer, self.initargs))
                for w in pool:                                   # hand out work
                    if w.ready and w.task is None and queue:
                        self._assign(w, fn, queue)
                now = time.monotonic()
                soonest = min((w.deadline for w in pool), default=float("inf"))
                ready = wait([w.conn for w in pool] + [w.proc.sentinel for w in pool],
                             timeout=None if soonest == float("inf") else max(0.0, soonest - now))
                now = time.monotonic()
                for w in list(pool):
                    result = None
                    if w.conn in ready or w.proc.sentinel in ready:
                        msg = None
                        try:
                            if w.conn.poll():
                                msg = w.conn.recv()
                        except Exception:  # noqa: BLE001 - EOF, or a reply cut off by the worker's death
                            msg = None
                        if msg is not None and msg[0] is None:       # a message about the worker itself
                            if msg[1] == _READY:
                                w.ready, startup_failures = True, 0
                            else:
                                w.last_error = msg[2]
                            continue
                        if msg is not None:
                            result = msg
                        elif not w.proc.is_alive():
                            why = w.last_error or w.death()
                            pool.remove(w)
                            if w.task is None:                        # died before taking work
                                startup_failures += 1
                                if startup_failures >= STARTUP_FAILURES:
                                    while queue:
                                        key, _ = queue.popleft()
                                        yield key, "error", why
                                continue
                            result = (w.task[0], "died", why)
                    elif w.task is not None and now >= w.deadline:
                        w.kill()
                        pool.remove(w)
                        result = (w.task[0], "timeout", None)
                    if result is None:
                        continue
                    w.task, w.deadline = None, float("inf")
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
            queue.appendleft((key, args))       # (its death is noticed by the wait below)
            return
        w.task = (key, args)
        w.deadline = time.monotonic() + self.task_timeout if self.task_timeout else float("inf")
