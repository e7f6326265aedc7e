"""The run report (``OUT/report.yml``) and progress output."""
from __future__ import annotations

import sys

from .jobs import Outcome


class Progress:
    """On a terminal, a bar (tqdm) with rate, ETA and the failure count; elsewhere (a
    log, a pipe, CI) no progress, only one line per failed document; nothing with
    ``quiet``. The report has every outcome either way."""

    def __init__(self, total: int, stream=None, quiet: bool = False):
        self.total, self.n, self.failed = total, 0, 0
        self.stream, self.quiet = stream or sys.stderr, quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = None
        if self.tty and not quiet:
            from tqdm import tqdm

            # shows n/total [elapsed<ETA, rate, N failed]
            self.bar = tqdm(total=total, file=self.stream, unit="doc", dynamic_ncols=True, leave=True)
            self.bar.set_postfix_str("0 failed", refresh=False)

    def update(self, o: Outcome) -> None:
        self.n += 1
        if o.status == "failed" or (o.status == "unchanged" and o.info.get("previous_status") == "failed"):
            self.failed += 1
        if self.quiet:
            return
        if self.bar is not None:
            if o.status == "failed":
                self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
                self.bar.write(f"failed: {o.source}: {o.reason}", file=self.stream)
            self.bar.update(1)
        elif o.status == "failed":
            print(f"failed: {o.source}: {o.reason}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
            self.bar.close()


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
