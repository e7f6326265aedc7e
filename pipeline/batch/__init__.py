"""Batch runs: collect inputs (inputs.py), journal what finished (journal.py), run the
per-document job (jobs.py) on an executor (executor.py), write the report (report.py);
run.py ties them together. Nothing here imports the CLI."""
from .inputs import Entry, collect
from .jobs import JOBS, Outcome, Params, work
from .run import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, run_batch

__all__ = ["EXIT_OK", "EXIT_SOME_FAILED", "EXIT_USAGE", "JOBS", "Entry", "Outcome", "Params", "collect",
           "run_batch", "work"]
