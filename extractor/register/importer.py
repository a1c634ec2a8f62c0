"""Task JSON (what `extractor run` writes) into the register.

One notice however many files it was read from: the key is its number, date and issuer (or,
without a number, the file's sha256). Its tasks come from the first file imported; another
file of the same notice is recorded beside it. Importing that first file again (after a rules
change) updates only the fields no person touched; a task the rules no longer find is rejected
by the import unless a person worked on it; a new one is added."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..rules import RuleSet
from .directory import ensure_units
from .edits import apply_changes, now, record
from .models import Notice, NoticeFile, Task

__all__ = [
    "IMPORTER",
    "ImportReport",
    "import_data",
    "import_paths",
    "notice_key",
    "task_json_files",
]

IMPORTER = "nhập tự động"  # the `who` of changes made by an import


@dataclass
class ImportReport:
    files: int = 0
    notices_new: int = 0
    same_notice: int = 0  # files of a notice already in the register
    tasks_added: int = 0
    tasks_updated: int = 0
    tasks_dropped: int = 0
    kept_by_person: int = 0  # fields left alone because a person changed them
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.files} files: {self.notices_new} new notices, {self.same_notice} files of a "
            f"notice already there; tasks {self.tasks_added} added, {self.tasks_updated} "
            f"updated, {self.tasks_dropped} no longer found; {self.kept_by_person} corrected "
            f"fields kept; {len(self.errors)} errors"
        )


def _norm(value: Any) -> str:
    return " ".join(str(value or "").casefold().split())


def notice_key(data: dict[str, Any]) -> str:
    n = data.get("notice") or {}
    if not n.get("number"):
        return f"sha256:{data['source']['sha256']}"
    return f"{_norm(n['number'])}|{n.get('date') or ''}|{_norm(n.get('issuer'))}"


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _fields(t: dict[str, Any]) -> dict[str, Any]:
    """A task of the JSON as the register's columns (spans kept for the review page)."""
    d = t.get("deadline") or {}
    ev = t.get("evidence") or {}
    return {
        "ext_id": t["id"],
        "section": t.get("section"),
        "units": list(t.get("units") or []),
        "coordinators": list(t.get("coordinators") or []),
        "action": t.get("action") or "",
        "deadline": _date(d.get("date")),
        "deadline_text": d.get("text") or "",
        "recurring": d.get("recurring"),
        "evidence": ev.get("text") or "",
        "spans": {
            **(t.get("spans") or {}),
            "deadline": [d["start"], d["end"]] if d else None,
            "evidence": [ev.get("start"), ev.get("end")],
        },
        "flags": list(t.get("flags") or []),
        "confidence": float(t.get("confidence", 1.0)),
    }


def _anchors(tasks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A task's place in the text: its sentence's offset and its rank in that sentence, which
    a rules change that renumbers the tasks does not move."""
    seen: Counter[int] = Counter()
    for t in tasks:
        start = int((t.get("evidence") or {}).get("start", -1))
        seen[start] += 1
        yield f"{start}:{seen[start]}", t


def _notice(
    session: Session, data: dict[str, Any], path: str, report: ImportReport
) -> Notice | None:
    """The notice whose tasks this file gives, or None for another file of a known notice."""
    sha = data["source"]["sha256"]
    known = session.scalar(select(NoticeFile).where(NoticeFile.sha256 == sha))
    if known is not None:
        return known.notice if known.notice.source_sha == sha else None
    key = notice_key(data)
    notice = session.scalar(select(Notice).where(Notice.key == key))
    if notice is not None:
        session.add(NoticeFile(notice=notice, path=path, sha256=sha, imported_at=now()))
        report.same_notice += 1
        return None
    n = data.get("notice") or {}
    notice = Notice(
        key=key,
        number=n.get("number"),
        date=_date(n.get("date")),
        issuer=n.get("issuer"),
        type=n.get("type"),
        subject=n.get("subject"),
        text=data.get("text") or "",
        source_sha=sha,
        imported_at=now(),
    )
    session.add(notice)
    session.add(NoticeFile(notice=notice, path=path, sha256=sha, imported_at=now()))
    report.notices_new += 1
    return notice


def import_data(
    session: Session, data: dict[str, Any], path: str, rules: RuleSet | None, report: ImportReport
) -> None:
    if not isinstance(data, dict) or "tasks" not in data or "source" not in data:
        raise ValueError(
            "not a task JSON file (no 'source' and 'tasks'): write it with `extractor run`"
        )
    report.files += 1
    notice = _notice(session, data, path, report)
    if notice is None:
        return
    notice.text = data.get("text") or notice.text
    session.flush()
    existing = {t.anchor: t for t in notice.tasks if t.anchor is not None}
    names: list[str] = []
    for anchor, t in _anchors(list(data["tasks"])):
        values = _fields(t)
        names += values["units"] + values["coordinators"]
        task = existing.pop(anchor, None)
        if task is None:
            task = Task(
                notice=notice,
                anchor=anchor,
                checked=False,
                rejected=False,
                done_result="",
                extension_note="",
                touched=[],
                **values,
            )
            session.add(task)
            session.flush()
            record(session, task, IMPORTER, "created", None, "extracted")
            report.tasks_added += 1
            continue
        free = {k: v for k, v in values.items() if k not in task.touched}
        if "rejected" not in task.touched:  # found again after an import had dropped it
            free["rejected"] = False
        report.kept_by_person += sum(1 for k in values if k in task.touched)
        if apply_changes(session, task, free, IMPORTER, person=False):
            report.tasks_updated += 1
    for task in existing.values():  # no longer found by the rules
        if not task.touched and not task.rejected:
            apply_changes(session, task, {"rejected": True}, IMPORTER, person=False)
            report.tasks_dropped += 1
    ensure_units(session, names, rules)


def task_json_files(paths: Iterable[Path]) -> list[Path]:
    """Task JSON files among `paths` (folders: their *.json, not the manifest or logs)."""
    found: list[Path] = []
    for p in paths:
        found += sorted(p.glob("*.json")) if p.is_dir() else [p]
    return found


def import_paths(session: Session, paths: Iterable[Path], rules: RuleSet | None) -> ImportReport:
    """Import every file; one that cannot be read is named in `errors`, the others go in."""
    report = ImportReport()
    for path in task_json_files(paths):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            with session.begin_nested():
                import_data(session, data, str(path), rules, report)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            report.errors.append(f"{path}: cannot be imported ({exc}).")
    session.commit()
    return report
