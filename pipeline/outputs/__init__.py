"""What a person or another system opens, made from records: the ledger (工作台账) as
XLSX, CSV or JSONL, and its deadlines as an iCalendar file.

- ``ledger``       records → ledger rows (renditions merged, filters, review reasons)
- ``review``       why a task needs a person's check (需复核)
- ``ledger_files`` rows → .csv / .jsonl / .xlsx (format from the file's extension)
- ``ledger_xlsx``  the workbook: 汇总, one sheet per unit, 到期
- ``ics``          one all-day event per dated deadline
"""
