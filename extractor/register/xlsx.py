"""The register as an XLSX workbook to edit in Excel, and back.

Vietnamese headers, dates as date cells; on the way back dates may be date cells, dd/mm/yyyy
or YYYY-MM-DD. A row without `Mã` is a new task of the notice named by its number and date.
Unknown or repeated ids, unknown notices, bad dates and rows changed in the register since the
export are errors naming the row, and then nothing at all is changed."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from .edits import apply_changes, blank_task, record
from .models import Notice, Task
from .views import View, list_tasks

__all__ = ["HEADERS", "XlsxError", "read_xlsx", "write_xlsx"]

HEADERS = {
    "id": "Mã",
    "number": "Số văn bản",
    "notice_date": "Ngày văn bản",
    "units": "Đơn vị chủ trì",
    "coordinators": "Đơn vị phối hợp",
    "action": "Nội dung",
    "deadline": "Thời hạn",
    "extended_to": "Gia hạn đến",
    "status": "Tình trạng",
    "done_date": "Ngày hoàn thành",
    "done_result": "Kết quả",
    "version": "Phiên bản",
}
DATES = ("notice_date", "deadline", "extended_to", "done_date")
SEP = "; "


class XlsxError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _cell(row: dict[str, Any], key: str) -> Any:
    if key in ("number", "notice_date"):
        value: Any = row["notice"]["number" if key == "number" else "date"]
    else:
        value = row[key]
    if key in ("units", "coordinators"):
        return SEP.join(value)
    if key == "status":
        return row["status_name"]
    if key in DATES:
        return date.fromisoformat(value) if value else None
    return value


def write_xlsx(session: Session, view: View) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(list(HEADERS.values()))
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in list_tasks(session, view):
        ws.append([_cell(row, k) for k in HEADERS])
        for col, key in enumerate(HEADERS, 1):
            cell = ws.cell(ws.max_row, col)
            if key in DATES:
                cell.number_format = "DD/MM/YYYY"
            elif cell.data_type == "f":  # text such as "=…" stays text, never a formula
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _date(value: Any, where: str, problems: list[str]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    problems.append(f"{where}: '{text}' không phải ngày (dd/mm/yyyy).")
    return None


def _names(value: Any) -> list[str]:
    return [" ".join(v.split()) for v in str(value or "").split(";") if v.strip()]


def _rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise XlsxError(
            [f"Không đọc được tệp XLSX ({exc}); lưu lại bằng Excel rồi nhập."]
        ) from None
    lines = list(ws.iter_rows(values_only=True))
    if not lines:
        raise XlsxError(["Tệp không có dòng tiêu đề."])
    by_header = {v: k for k, v in HEADERS.items()}
    keys = [by_header.get(str(h).strip()) if h is not None else None for h in lines[0]]
    if "action" not in keys or "id" not in keys:
        raise XlsxError([f"Dòng 1: cần các cột '{HEADERS['id']}' và '{HEADERS['action']}'."])
    out = []
    for n, line in enumerate(lines[1:], 2):
        if all(v is None or str(v).strip() == "" for v in line):
            continue
        out.append((n, {k: v for k, v in zip(keys, line, strict=False) if k}))
    return out


def _changes(cells: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("units", "coordinators"):
        if key in cells:
            out[key] = _names(cells[key])
    if "action" in cells:
        out["action"] = str(cells["action"] or "").strip()
        if not out["action"]:
            problems.append(f"{where}: nội dung nhiệm vụ trống.")
    for key in ("deadline", "extended_to", "done_date"):
        if key in cells:
            out[key] = _date(cells[key], f"{where}, {HEADERS[key]}", problems)
    if "done_result" in cells:
        out["done_result"] = str(cells["done_result"] or "").strip()
    return out


def _notice(
    session: Session, cells: dict[str, Any], where: str, problems: list[str]
) -> Notice | None:
    number = " ".join(str(cells.get("number") or "").split())
    day = _date(cells.get("notice_date"), where, problems)
    found = session.scalars(select(Notice).where(Notice.number == number)).all()
    found = [n for n in found if day is None or n.date == day]
    if len(found) != 1:
        problems.append(f"{where}: không tìm thấy một văn bản số '{number}' ngày {day}.")
        return None
    return found[0]


def read_xlsx(session: Session, data: bytes, who: str) -> tuple[int, int]:
    """Apply a workbook: (tasks changed, tasks added), or `XlsxError` and no change at all."""
    problems: list[str] = []
    rows = _rows(data)
    seen: dict[int, int] = {}
    plan: list[tuple[Task | Notice, dict[str, Any]]] = []
    for n, cells in rows:
        where = f"Dòng {n}"
        changes = _changes(cells, where, problems)
        raw = cells.get("id")
        if raw is None or str(raw).strip() == "":
            notice = _notice(session, cells, where, problems)
            if notice is not None:
                plan.append((notice, changes))
            continue
        try:
            task_id = int(str(raw).strip())
        except ValueError:
            problems.append(f"{where}: mã '{raw}' không phải số.")
            continue
        if task_id in seen:
            problems.append(f"{where}: mã {task_id} đã có ở dòng {seen[task_id]}.")
            continue
        seen[task_id] = n
        task = session.get(Task, task_id)
        if task is None:
            problems.append(f"{where}: không có nhiệm vụ mã {task_id}.")
            continue
        version = str(cells.get("version") or "").strip()
        if version and version != str(task.version):
            problems.append(f"{where}: nhiệm vụ {task_id} đã được sửa sau khi xuất tệp.")
            continue
        plan.append((task, changes))
    if problems:
        raise XlsxError(problems)
    changed = added = 0
    for target, changes in plan:
        if isinstance(target, Task):
            changed += bool(apply_changes(session, target, changes, who))
            continue
        task = blank_task(target)
        session.add(task)
        session.flush()
        record(session, task, who, "created", None, "xlsx")
        apply_changes(session, task, changes, who)
        added += 1
    session.commit()
    return changed, added
