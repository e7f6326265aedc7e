"""The task ledger CSV: one row per task, units by role, deadlines with dates."""
from __future__ import annotations

import csv

from pipeline.cli import main


def test_ledger_rows_carry_units_and_deadlines(corpus_run, tmp_path):
    _, _, out = corpus_run
    target = tmp_path / "ledger.csv"
    assert main(["ledger", str(out / "records/seeds"), "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    seed000 = [r for r in rows if r["source"] == "seeds/000_616882cabf01649c.txt"]
    fin = next(r for r in seed000 if "四是落實財政資金" in r["task"])
    assert fin["lead"] == "市財政局" and fin["issued_on"] == "2021-06-04"
    last = next(r for r in seed000 if "20個工作日內" in r["task"])
    assert "2021-07-05" in last["deadline_date"]
    assert all(r["task_id"] for r in rows)
