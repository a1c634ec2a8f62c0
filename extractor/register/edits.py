"""Every change to a task goes through here: checked, recorded in the history (who, when,
field, before, after), the field marked as touched by a person, the version raised.

A client sends the `version` it read; a stale one raises `Conflict` and changes nothing, and
two writers racing past that check are stopped by the version column itself (the second
UPDATE matches no row)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..rules import cached_rules
from ..status import RECURRING_NAMES
from .directory import ensure_units
from .models import History, Notice, Task

__all__ = [
    "EDITABLE",
    "Conflict",
    "Invalid",
    "NotFound",
    "add_task",
    "apply_changes",
    "blank_task",
    "extend_task",
    "get_task",
    "mark_done",
    "now",
    "parse_changes",
    "parse_date",
    "patch_task",
    "record",
    "reject_task",
]

EDITABLE = (
    "units",
    "coordinators",
    "action",
    "deadline",
    "deadline_text",
    "recurring",
    "section",
    "checked",
)
RECURRING = tuple(RECURRING_NAMES)


class NotFound(LookupError):
    pass


class Invalid(ValueError):
    pass


class Conflict(Exception):
    def __init__(self, task: Task) -> None:
        super().__init__(f"task {task.id} is at version {task.version}")
        self.task = task


def now() -> datetime:
    """When a change is recorded (UTC). Statuses never read this: they take an `as_of` day."""
    return datetime.now(UTC).replace(tzinfo=None)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def parse_date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{name}: '{value}' không phải ngày dạng YYYY-MM-DD.") from None


def _names(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{name}: cần một danh sách tên đơn vị.")
    return [" ".join(v.split()) for v in value if v.strip()]


def parse_changes(payload: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of `payload`, typed; anything else named in an error."""
    unknown = sorted(set(payload) - set(EDITABLE) - {"version"})
    if unknown:
        raise Invalid(f"Trường không sửa được: {', '.join(unknown)}.")
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key in ("units", "coordinators"):
            out[key] = _names(value, key)
        elif key == "deadline":
            out[key] = parse_date(value, key)
        elif key == "checked":
            if not isinstance(value, bool):
                raise Invalid("checked: cần true hoặc false.")
            out[key] = value
        elif key == "recurring":
            if value not in (None, "", *RECURRING):
                raise Invalid(f"recurring: một trong {', '.join(RECURRING)} hoặc null.")
            out[key] = value or None
        elif key != "version":
            if value is not None and not isinstance(value, str):
                raise Invalid(f"{key}: cần một chuỗi.")
            out[key] = (value or "").strip() if key != "section" else (value or None)
    if "action" in out and not out["action"]:
        raise Invalid("action: nội dung nhiệm vụ không được để trống.")
    return out


def record(session: Session, task: Task, who: str, field: str, before: Any, after: Any) -> None:
    session.add(
        History(task=task, at=now(), who=who, field=field, before=_json(before), after=_json(after))
    )


def apply_changes(
    session: Session, task: Task, changes: dict[str, Any], who: str, *, person: bool = True
) -> list[str]:
    """Set each changed field, with its history line; a person's change marks it touched."""
    changed = []
    for key, value in changes.items():
        before = getattr(task, key)
        if before == value:
            continue
        record(session, task, who, key, before, value)
        setattr(task, key, value)
        changed.append(key)
    if person and changed:
        task.touched = sorted(set(task.touched) | set(changed))
    names = [*changes.get("units", []), *changes.get("coordinators", [])]
    if person and names:  # a unit typed by a person joins the directory, as imported ones do
        ensure_units(session, names, cached_rules())
    return changed


def get_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"Không có nhiệm vụ số {task_id}.")
    return task


def _check_version(task: Task, payload: dict[str, Any]) -> None:
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise Invalid("version: gửi kèm số phiên bản đã đọc (version).")
    if version != task.version:
        raise Conflict(task)


def _commit(session: Session, task: Task) -> Task:
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        fresh = session.get(Task, task.id, populate_existing=True)
        raise Conflict(fresh or task) from None
    return task


def patch_task(session: Session, task_id: int, payload: dict[str, Any], who: str) -> Task:
    task = get_task(session, task_id)
    _check_version(task, payload)
    changes = parse_changes(payload)
    apply_changes(session, task, changes, who)
    return _commit(session, task)


def blank_task(notice: Notice) -> Task:
    """A task of `notice` with every field empty, for a person (or a workbook row) to fill."""
    return Task(
        notice=notice,
        anchor=None,
        units=[],
        coordinators=[],
        action="",
        deadline_text="",
        evidence="",
        spans={},
        flags=[],
        confidence=1.0,
        checked=False,
        rejected=False,
        done_result="",
        extension_note="",
        touched=[],
    )


def _quoted(notice: Notice, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The evidence of an added task and its offsets: text selected in the notice comes with
    `evidence_start` and `evidence_end`, checked against the notice's text."""
    evidence = payload.get("evidence") or ""
    if not isinstance(evidence, str):
        raise Invalid("evidence: cần một chuỗi.")
    start, end = payload.get("evidence_start"), payload.get("evidence_end")
    if start is None and end is None:
        return evidence.strip(), {}
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        raise Invalid("evidence_start, evidence_end: cần hai vị trí trong văn bản.")
    quoted = notice.text[start:end]
    if end > len(notice.text) or (evidence and evidence.split() != quoted.split()):
        raise Invalid("evidence: đoạn gửi lên không khớp văn bản ở vị trí đã cho.")
    return quoted.strip(), {"evidence": [start, end], "action": {"start": start, "end": end}}


def add_task(session: Session, payload: dict[str, Any], who: str) -> Task:
    """A task a person adds (a missed one): `notice_id`, `action`, any editable field, and the
    text it was made from (`evidence`, with its offsets where it was selected in the notice)."""
    notice_id = payload.get("notice_id")
    notice = session.get(Notice, notice_id) if isinstance(notice_id, int) else None
    if notice is None:
        raise Invalid("notice_id: không có văn bản này.")
    evidence, spans = _quoted(notice, payload)
    own = ("notice_id", "evidence", "evidence_start", "evidence_end")
    changes = parse_changes({k: v for k, v in payload.items() if k not in own})
    if not changes.get("action"):
        raise Invalid("action: nội dung nhiệm vụ không được để trống.")
    task = blank_task(notice)
    task.evidence, task.spans = evidence, spans
    session.add(task)
    session.flush()
    record(session, task, who, "created", None, "manual")
    apply_changes(session, task, changes, who)
    session.commit()
    return task


def reject_task(session: Session, task_id: int, who: str, version: int | None = None) -> Task:
    """A false task leaves the lists but stays in the register and its history."""
    task = get_task(session, task_id)
    if version is not None:
        _check_version(task, {"version": version})
    apply_changes(session, task, {"rejected": True}, who)
    return _commit(session, task)


def mark_done(session: Session, task_id: int, payload: dict[str, Any], who: str) -> Task:
    task = get_task(session, task_id)
    if "version" in payload:
        _check_version(task, payload)
    done = parse_date(payload.get("date"), "date")
    if done is None:
        raise Invalid("date: cần ngày hoàn thành dạng YYYY-MM-DD.")
    result = payload.get("result") or ""
    if not isinstance(result, str):
        raise Invalid("result: cần một chuỗi.")
    apply_changes(session, task, {"done_date": done, "done_result": result.strip()}, who)
    return _commit(session, task)


def extend_task(session: Session, task_id: int, payload: dict[str, Any], who: str) -> Task:
    """Gia hạn: a new due date (and why); the original deadline is kept."""
    task = get_task(session, task_id)
    if "version" in payload:
        _check_version(task, payload)
    new = parse_date(payload.get("date"), "date")
    if new is None:
        raise Invalid("date: cần ngày gia hạn dạng YYYY-MM-DD.")
    note = payload.get("note") or ""
    if not isinstance(note, str):
        raise Invalid("note: cần một chuỗi.")
    apply_changes(session, task, {"extended_to": new, "extension_note": note.strip()}, who)
    return _commit(session, task)
