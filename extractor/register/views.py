"""Reading the register: a task as the API and the pages show it, with its status on the
`as_of` day, and the filters of the lists (unit, status, notice, period, search)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..status import DUE_SOON_DAYS, STATUS_NAMES, next_due, status_of
from .directory import Directory
from .models import Notice, Task

__all__ = [
    "Filters",
    "View",
    "history_view",
    "list_tasks",
    "notice_view",
    "open_flags",
    "task_view",
    "week_of",
]


@dataclass(frozen=True)
class View:
    """What every read needs: the day statuses are computed for, and the unit directory."""

    as_of: date
    directory: Directory
    soon_days: int = DUE_SOON_DAYS


@dataclass(frozen=True)
class Filters:
    unit: str | None = None
    status: str | None = None
    notice: int | None = None
    due_from: date | None = None
    due_before: date | None = None  # inclusive
    q: str | None = None
    rejected: bool = False  # the rejected tasks instead of the live ones


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def notice_view(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "number": n.number,
        "date": n.date.isoformat() if n.date else None,
        "issuer": n.issuer,
        "type": n.type,
        "subject": n.subject,
        "files": [f.path for f in n.files],
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# the extraction's review flags a person's correction of the field answers
ANSWERED_BY = {
    "no_unit": ("units",),
    "unit_inherited": ("units",),
    "no_deadline": ("deadline", "recurring"),
    "unresolved_deadline": ("deadline", "recurring"),
    "deadline_before_notice": ("deadline",),
    "low_confidence": ("action", "units", "deadline"),
}


def open_flags(t: Task) -> list[str]:
    """The review flags still open: none once checked; a flag goes once its field is corrected."""
    if t.checked:
        return []
    return [f for f in t.flags if not set(ANSWERED_BY.get(f, ())) & set(t.touched)]


def task_view(t: Task, view: View) -> dict[str, Any]:
    due = t.extended_to or t.deadline
    status = status_of(
        due=due,
        recurring=t.recurring,
        done_date=t.done_date,
        as_of=view.as_of,
        soon_days=view.soon_days,
    )
    coming = next_due(t.recurring, t.deadline_text, view.as_of) if status == "recurring" else None
    return {
        "id": t.id,
        "version": t.version,
        "notice_id": t.notice_id,
        "notice": {"number": t.notice.number, "date": _iso(t.notice.date)},
        "ext_id": t.ext_id,
        "section": t.section,
        "units": list(t.units),
        "coordinators": list(t.coordinators),
        "unit_names": view.directory.all(t.units),
        "collective": [u for u in view.directory.all(t.units) if u in view.directory.collective],
        "coordinator_names": view.directory.all(t.coordinators),
        "action": t.action,
        "deadline": _iso(t.deadline),
        "deadline_text": t.deadline_text,
        "recurring": t.recurring,
        "next_due": _iso(coming),
        "extended_to": _iso(t.extended_to),
        "extension_note": t.extension_note,
        "due": _iso(due or coming),
        "status": status,
        "status_name": STATUS_NAMES[status],
        "done_date": _iso(t.done_date),
        "done_result": t.done_result,
        "checked": t.checked,
        "rejected": t.rejected,
        "origin": "extracted" if t.anchor is not None else "manual",
        "evidence": t.evidence,
        "evidence_span": (t.spans or {}).get("evidence"),
        "flags": open_flags(t),
        "confidence": t.confidence,
        "touched": list(t.touched),
    }


def history_view(t: Task) -> list[dict[str, Any]]:
    return [
        {
            "at": h.at.isoformat(timespec="seconds"),
            "who": h.who,
            "field": h.field,
            "before": h.before,
            "after": h.after,
        }
        for h in t.history
    ]


def _match(row: dict[str, Any], f: Filters) -> bool:
    if f.unit and f.unit not in row["unit_names"] + row["coordinator_names"]:
        return False
    if f.status and row["status"] != f.status:
        return False
    if f.due_from or f.due_before:
        due = date.fromisoformat(row["due"]) if row["due"] else None
        if due is None or (f.due_from and due < f.due_from):
            return False
        if f.due_before and due > f.due_before:
            return False
    if f.q:
        hay = " ".join(
            [
                row["action"],
                row["evidence"],
                *row["unit_names"],
                *row["coordinator_names"],
                row["notice"]["number"] or "",
            ]
        )
        if f.q.casefold() not in hay.casefold():
            return False
    return True


def _order(row: dict[str, Any]) -> tuple[str, str, int]:
    return (row["due"] or "9999-99-99", row["notice"]["date"] or "", row["id"])


def list_tasks(session: Session, view: View, f: Filters = Filters()) -> list[dict[str, Any]]:
    """Tasks as views, filtered, by due date then notice date."""
    query = select(Task).options(joinedload(Task.notice)).where(Task.rejected == f.rejected)
    if f.notice is not None:
        query = query.where(Task.notice_id == f.notice)
    rows = [task_view(t, view) for t in session.scalars(query)]
    return sorted((r for r in rows if _match(r, f)), key=_order)
