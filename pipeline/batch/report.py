"""The run report (``OUT/report.yml``) and progress output."""
from __future__ import annotations

import sys
import time

from .jobs import Outcome


class Progress:
    """A bar on a terminal, one plain line per document otherwise."""

    def __init__(self, total: int, stream=None, quiet: bool = False):
        self.total, self.n, self.stream, self.quiet = total, 0, stream or sys.stderr, quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()

    def update(self, o: Outcome) -> None:
        self.n += 1
        if self.quiet:
            return
        if self.tty:
            width = 30
            fill = int(width * self.n / max(self.total, 1))
            rate = self.n / max(time.perf_counter() - self.t0, 1e-9)
            self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.n}/{self.total} {rate:.1f} doc/s {o.status:<9}")
            self.stream.flush()
        else:
            line = f"[{self.n}/{self.total}] {o.status:<9} {o.source}"
            if o.reason:
                line += f": {o.reason}"
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")


def build_report(job: str, inputs: list[str], out_dir, rules_digest: str, workers: int, seconds: float,
                 ordered: list[Outcome]) -> tuple[dict, int]:
    """The report and the number of failed documents (unchanged ones count as they were)."""
    counts: dict[str, int] = {}
    for o in ordered:
        eff = o.info.get("previous_status", o.status) if o.status == "unchanged" else o.status
        counts[eff] = counts.get(eff, 0) + 1
    report = {
        "job": job,
        "inputs": [str(i) for i in inputs],
        "output": str(out_dir),
        "rules_digest": rules_digest[:16],
        "workers": workers,
        "seconds": round(seconds, 3),
        "summary": {"total": len(ordered), **{k: counts.get(k, 0) for k in ("done", "failed", "skipped")},
                    "unchanged": sum(1 for o in ordered if o.status == "unchanged")},
        "documents": [o.to_dict() for o in ordered],
    }
    return report, counts.get("failed", 0)
