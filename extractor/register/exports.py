"""The register through today's renderers (extractor/sheets.py): one assignment sheet per
unit, and the tracker. Units carry their directory name; rejected tasks are left out; on the
tracker a task marked done is counted as done on time or late."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..sheets import SheetOptions, TaskRow, write_sheets
from ..tracker import write_tracker
from .models import Task
from .views import View

__all__ = ["export_sheets", "export_tracker", "task_rows"]


def _row(t: Task, view: View) -> TaskRow:
    n = t.notice
    return TaskRow(
        notice_number=n.number,
        notice_date=n.date.isoformat() if n.date else None,
        notice_file=f"register-{n.id}",
        task_id=t.ext_id or f"R{t.id}",
        section=t.section,
        units=view.directory.all(t.units),
        coordinators=view.directory.all(t.coordinators),
        action=t.action,
        due=t.extended_to or t.deadline,
        recurring=t.recurring,
        deadline_text=t.deadline_text,
        evidence=t.evidence,
        uid=f"register-{t.id}",
        issuer=n.issuer,
        done_date=t.done_date,
    )


def task_rows(session: Session, view: View) -> list[TaskRow]:
    query = (
        select(Task)
        .options(joinedload(Task.notice))
        .where(Task.rejected.is_(False))
        .order_by(Task.id)
    )
    rows = [_row(t, view) for t in session.scalars(query)]
    return sorted(rows, key=lambda r: r.sort_key)


def export_sheets(
    session: Session, view: View, out_dir: Path, formats: Iterable[str], opts: SheetOptions
) -> dict[str, list[Path]]:
    written: dict[str, list[Path]] = write_sheets(
        task_rows(session, view), out_dir, list(formats), opts
    )
    return written


def export_tracker(
    session: Session, view: View, out_dir: Path, formats: Iterable[str], opts: SheetOptions
) -> list[Path]:
    paths: list[Path] = write_tracker(
        task_rows(session, view), out_dir, list(formats), view.as_of, opts, view.soon_days
    )
    return paths
