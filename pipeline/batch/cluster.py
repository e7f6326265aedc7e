"""Run the same tasks on a Dask distributed cluster (``run --scheduler``).

Same contract as ProcessExecutor: ``map_unordered(fn, tasks)`` yields
``(key, kind, value)`` with kind ok | error | timeout | died, and knows nothing about
documents. ``local:N`` starts a LocalCluster of N single-threaded worker processes on
this machine; ``tcp://host:8786`` (or ``DASK_SCHEDULER_ADDRESS``) uses a running cluster,
whose workers must see the input and output paths (a shared filesystem) and have this
package installed.

- Every worker runs the initializer once (a WorkerPlugin), also workers that join late.
- At most one task per worker thread is in flight, so a task's deadline counts from its
  submission; a task past it is cancelled and its worker restarted (the only way to stop
  a thread stuck in C code). Dask reschedules the other work that worker held.
- A worker lost mid-batch: Dask runs its task again elsewhere; after
  ``distributed.scheduler.allowed-failures`` losses the task is reported as ``died``.
"""
from __future__ import annotations

import collections
import logging
import time
import uuid
from typing import Any, Callable, Generator, Iterable, Iterator

LOCAL_PREFIX = "local:"


def _plugin(initializer: Callable, initargs: tuple):
    from distributed.diagnostics.plugin import WorkerPlugin

    class InitPlugin(WorkerPlugin):
        idempotent = True

        def __init__(self):
            self.initializer, self.initargs = initializer, initargs

        def setup(self, worker):
            self.initializer(*self.initargs)

    return InitPlugin()


class DaskExecutor:
    def __init__(self, address: str, initializer: Callable | None = None, initargs: tuple = (),
                 task_timeout: float | None = None):
        self.address = address
        self.initializer, self.initargs = initializer, initargs
        self.task_timeout = task_timeout
        self.workers = 0            # worker threads, known once connected

    def _connect(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("--scheduler needs Dask: pip install 'policy-pipeline[dask]'") from None
        if self.address.startswith(LOCAL_PREFIX):
            n = int(self.address[len(LOCAL_PREFIX):] or 1)
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
            return Client(cluster), cluster
        return Client(self.address, timeout=30), None

    def map_unordered(self, fn: Callable, tasks: Iterable[tuple[Any, tuple]]) -> Generator[tuple[Any, str, Any], None, None]:
        from distributed import wait
        from distributed.client import FutureCancelledError

        queue = collections.deque(tasks)
        if not queue:
            return
        client, cluster = self._connect()
        try:
            if self.initializer is not None:
                client.register_plugin(_plugin(self.initializer, self.initargs), name="policy-pipeline-init")
            inflight: dict[Any, tuple[Any, float]] = {}     # future → (key, submitted at)
            run = uuid.uuid4().hex[:8]
            n = 0
            while queue or inflight:
                slots = max(1, sum(client.nthreads().values()))
                self.workers = slots
                while queue and len(inflight) < slots:
                    key, args = queue.popleft()
                    n += 1
                    fut = client.submit(fn, *args, key=f"policy-pipeline-{run}-{n}", pure=False)
                    inflight[fut] = (key, time.monotonic())
                soonest = min(t for _, t in inflight.values()) + self.task_timeout if self.task_timeout else None
                timeout = max(0.05, soonest - time.monotonic()) if soonest else None
                try:
                    done, _ = wait(list(inflight), timeout=timeout, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                for fut in done:
                    key, _ = inflight.pop(fut)
                    if fut.status == "finished":
                        yield key, "ok", fut.result()
                        continue
                    try:
                        exc = fut.exception()
                    except FutureCancelledError:
                        continue
                    kind = "died" if type(exc).__name__ == "KilledWorker" else "error"
                    yield key, kind, f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                if self.task_timeout:
                    now = time.monotonic()
                    late = [f for f, (_, t) in inflight.items() if now - t > self.task_timeout]
                    if late:
                        yield from self._stop(client, late, inflight)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _stop(self, client, late, inflight) -> Iterator[tuple[Any, str, Any]]:
        """Cancel late tasks and restart the workers running them."""
        processing = client.processing()
        holders = {w for w, keys in processing.items() for f in late if f.key in keys}
        client.cancel(late, force=True)
        if holders:
            client.restart_workers(sorted(holders), raise_for_error=False)
        for f in late:
            key, _ = inflight.pop(f)
            yield key, "timeout", None
