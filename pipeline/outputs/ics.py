"""Dated deadlines as an iCalendar file (the icalendar library), so a 督办 calendar can
subscribe to the ledger: one all-day event per dated deadline, naming the task, its
units and its document."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from .ledger import Due, Row

PRODID = "-//policy-pipeline//工作台账//ZH"


def _units(row: Row) -> str:
    units = row.lead or row.responsible or row.co
    return "、".join(units) if units else "无责任单位"


def ics_bytes(pairs: Iterable[tuple[Row, Due]], stamp: dt.datetime | None = None) -> bytes:
    """``pairs`` as from ledger.due_rows. UIDs are stable (task id and deadline number), so a
    subscribed calendar updates events instead of duplicating them."""
    from icalendar import Calendar, Event

    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "工作台账 完成时限")
    for row, due in pairs:
        assert due.date is not None
        n = row.dues.index(due) + 1
        doc = row.title + (f"（{row.document['doc_number']}）" if row.document.get("doc_number") else "")
        ev = Event()
        ev.add("uid", f"{row.task['id']}-d{n}@policy-pipeline")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", due.date)
        ev.add("dtend", due.date + dt.timedelta(days=1))
        ev.add("summary", f"{row.name}（{_units(row)}）")
        lines = [f"文件：{doc}", f"时限原文：{due.text}"]
        for label, units in (("牵头单位", row.lead), ("配合单位", row.co), ("责任单位", row.responsible)):
            if units:
                lines.append(f"{label}：{'、'.join(units)}")
        lines += [f"任务：{row.task['text']}", f"来源：{row.location}"]
        ev.add("description", "\n".join(lines))
        ev.add("categories", ["工作台账"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
