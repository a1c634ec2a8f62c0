"""A task's status on an explicit day (never a hidden clock), and the next due date of a
recurring task ("trước ngày 15 hằng tháng" on 2020-09-20 is next due 2020-10-15)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Literal

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
_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")  # the day of a monthly deadline, as written


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_in_month(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_due(recurring: str | None, deadline_text: str, as_of: date) -> date | None:
    """The coming due date of a recurring task on or after `as_of`; None where the period has
    no fixed day (daily, weekly)."""
    y, m = as_of.year, as_of.month
    if recurring == "monthly":
        found = _DAY.search(deadline_text)
        day = int(found.group(1)) if found and 1 <= int(found.group(1)) <= 31 else 31
        due = _day_in_month(y, m, day)
        if due < as_of:
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            due = _day_in_month(y, m, day)
        return due
    if recurring == "quarterly":
        return _month_end(y, (m - 1) // 3 * 3 + 3)
    if recurring == "half-yearly":
        return _month_end(y, 6 if m <= 6 else 12)
    if recurring == "yearly":
        return date(y, 12, 31)
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
        return "due_soon" if due <= as_of + timedelta(days=soon_days) else "open"
    return "recurring" if recurring else "no_deadline"
