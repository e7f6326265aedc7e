"""The batch runner now lives in ``pipeline.batch``; this name stays for callers."""
from .batch import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, JOBS, Entry, Outcome, Params, collect, run_batch, work
from .batch.journal import MANIFEST

__all__ = ["EXIT_OK", "EXIT_SOME_FAILED", "EXIT_USAGE", "JOBS", "MANIFEST", "Entry", "Outcome", "Params", "collect",
           "run_batch", "work"]
