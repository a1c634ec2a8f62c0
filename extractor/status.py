"""A task's status on an explicit day (never a hidden clock), and the next due date of a
recurring task ("trước ngày 15 hằng tháng" on 2020-09-20 is next due 2020-10-15), for the
register, the web app and the tracker sheet alike."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

from .sheet_units import vocabulary

__all__ = [
    "DUE_SOON_DAYS",
    "RECURRING_NAMES",
    "STATUSES",
    "STATUS_NAMES",
    "Status",
    "next_due",
    "status_of",
]

Status = Literal[
    "done_on_time", "done_late", "overdue", "due_soon", "open", "recurring", "no_deadline"
]
STATUS_NAMES: dict[str, str] = {
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành trễ hạn",
    "overdue": "quá hạn",
    "due_soon": "sắp đến hạn",
    "open": "còn hạn",
    "recurring": "định kỳ",
    "no_deadline": "không thời hạn",
}
STATUSES: tuple[str, ...] = tuple(STATUS_NAMES)
RECURRING_NAMES: dict[str, str] = {  # the `recurring` values of the task JSON
    "daily": "hằng ngày",
    "weekly": "hằng tuần",
    "monthly": "hằng tháng",
    "quarterly": "hằng quý",
    "half-yearly": "6 tháng một lần",
    "yearly": "hằng năm",
}
DUE_SOON_DAYS = 7
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


def _on(year: int, month: int, day: int | None) -> date:
    """The given day of a month (its last day if the month is shorter, or if `day` is None)."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def next_due(recurring: str | None, deadline_text: str, as_of: date) -> date | None:
    """A recurring task's next due day on or after `as_of`: the day its deadline names
    ("trước ngày 15 hằng tháng", "ngày 15/12 hằng năm": the `recurring_day` rules of
    extractor/data/sheets.yaml), else the last day of the period (Sunday for a week, `as_of`
    for a day); None if not recurring or past the year 9999."""
    if recurring == "daily":
        return as_of
    if recurring == "weekly":
        return as_of + timedelta(days=6 - as_of.weekday()) if as_of.year < 9999 else None
    step = PERIOD_MONTHS.get(recurring or "")
    if step is None:
        return None
    day, month = vocabulary().recurring_day(deadline_text) or (None, None)
    months = list(range(step, 13, step))  # the last month of each period
    if month and step >= 6:
        months = sorted({(month - 1) % step + 1 + k for k in range(0, 12, step)})
    for year in (as_of.year, as_of.year + 1):
        for m in months:
            if year > 9999:
                return None
            when = _on(year, m, day)
            if when >= as_of:
                return when
    return None


def status_of(
    *,
    due: date | None,
    recurring: str | None,
    done_date: date | None,
    as_of: date,
    soon_days: int = DUE_SOON_DAYS,
) -> Status:
    """`due` is the deadline, or the extended one (gia hạn) where there is one."""
    if done_date is not None:
        return "done_late" if due is not None and done_date > due else "done_on_time"
    if due is not None:
        if due < as_of:
            return "overdue"
        return "due_soon" if (due - as_of).days <= soon_days else "open"  # no overflow at 9999
    return "recurring" if recurring else "no_deadline"
