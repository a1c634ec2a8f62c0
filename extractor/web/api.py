"""The JSON API under /api, the one the pages use (and other systems may).

GET /api/tasks (unit, status, notice, due_before, due_from, q), GET/PATCH/DELETE
/api/tasks/{id}, POST /api/tasks, POST /api/tasks/{id}/done, POST /api/tasks/{id}/extend,
GET /api/notices, GET /api/units, POST /api/units/merge, PATCH /api/units/{id},
GET /api/units/aliases.yaml, POST /api/import (task JSON, one or a list), GET /api/export.xlsx,
POST /api/import.xlsx. Errors: {"error": "…"} with 400, 404, 409 (stale `version`: the body
also holds the task as it is now) or 415."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..register.directory import aliases_yaml, load_directory, merge_units
from ..register.edits import (
    Conflict,
    Invalid,
    NotFound,
    add_task,
    extend_task,
    get_task,
    mark_done,
    patch_task,
    reject_task,
)
from ..register.importer import ImportReport, import_data
from ..register.models import Notice, Unit
from ..register.status import STATUS_NAMES
from ..register.views import Filters, View, history_view, list_tasks, notice_view, task_view
from ..register.xlsx import XlsxError, read_xlsx, write_xlsx
from ..rules import cached_rules
from .auth import identity_of
from .settings import Settings

__all__ = ["api_routes", "filters_of", "view_of"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Handler = Callable[[Request], Awaitable[Response]]


def view_of(session: Session, settings: Settings) -> View:
    return View(settings.today(), load_directory(session), settings.soon_days)


def _date_arg(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name}: '{value}' không phải ngày dạng YYYY-MM-DD.") from None


def filters_of(request: Request) -> Filters:
    q = request.query_params
    status = q.get("status") or None
    if status and status not in STATUS_NAMES:
        raise Invalid(f"status: một trong {', '.join(STATUS_NAMES)}.")
    notice = q.get("notice") or None
    if notice is not None and not notice.isdigit():
        raise Invalid("notice: cần mã số văn bản.")
    return Filters(
        unit=q.get("unit") or None,
        status=status,
        notice=int(notice) if notice else None,
        due_from=_date_arg(request, "due_from"),
        due_before=_date_arg(request, "due_before"),
        q=q.get("q") or None,
        rejected=q.get("rejected") == "1",
    )


async def _json_body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise _Unsupported
    try:
        return await request.json()
    except ValueError:
        raise Invalid("Nội dung gửi lên không phải JSON.") from None


class _Unsupported(Exception):
    pass


def _guard(fn: Callable[[Request, Settings], Awaitable[Response]], settings: Settings) -> Handler:
    """Errors of the register as the API's answers."""

    async def handler(request: Request) -> Response:
        try:
            return await fn(request, settings)
        except Invalid as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except NotFound as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except _Unsupported:
            return JSONResponse({"error": "Gửi Content-Type: application/json."}, status_code=415)

    return handler


def _task_id(request: Request) -> int:
    return int(request.path_params["task_id"])


async def tasks_list(request: Request, s: Settings) -> Response:
    f = filters_of(request)
    with s.register.session() as session:
        view = view_of(session, s)
        return JSONResponse(
            {"as_of": view.as_of.isoformat(), "tasks": list_tasks(session, view, f)}
        )


async def task_get(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        task = get_task(session, _task_id(request))
        return JSONResponse({**task_view(task, view_of(session, s)), "history": history_view(task)})


def _dict(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("Cần một đối tượng JSON.")
    return body


async def _write(
    request: Request,
    s: Settings,
    act: Callable[[Session, dict[str, Any], str], Any],
    status: int = 200,
) -> Response:
    body = _dict(await _json_body(request)) if request.method != "DELETE" else {}
    who = identity_of(request).name
    with s.register.session() as session:
        try:
            task = act(session, body, who)
        except Conflict as exc:
            current = task_view(exc.task, view_of(session, s))
            return JSONResponse(
                {
                    "error": "Nhiệm vụ đã được người khác sửa; tải lại để xem bản mới.",
                    "task": current,
                },
                status_code=409,
            )
        return JSONResponse(task_view(task, view_of(session, s)), status_code=status)


async def task_patch(request: Request, s: Settings) -> Response:
    tid = _task_id(request)
    return await _write(request, s, lambda se, b, w: patch_task(se, tid, b, w))


async def task_add(request: Request, s: Settings) -> Response:
    return await _write(request, s, add_task, status=201)


async def task_reject(request: Request, s: Settings) -> Response:
    tid = _task_id(request)
    raw = request.query_params.get("version")
    version = int(raw) if raw and raw.isdigit() else None
    return await _write(request, s, lambda se, _b, w: reject_task(se, tid, w, version))


async def task_done(request: Request, s: Settings) -> Response:
    tid = _task_id(request)
    return await _write(request, s, lambda se, b, w: mark_done(se, tid, b, w))


async def task_extend(request: Request, s: Settings) -> Response:
    tid = _task_id(request)
    return await _write(request, s, lambda se, b, w: extend_task(se, tid, b, w))


async def notices_list(_request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        notices = session.scalars(select(Notice).order_by(Notice.date.desc(), Notice.id))
        return JSONResponse({"notices": [notice_view(n) for n in notices]})


async def units_list(_request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        units = session.scalars(select(Unit).order_by(Unit.name))
        return JSONResponse(
            {
                "units": [
                    {
                        "id": u.id,
                        "name": u.name,
                        "collective": u.collective,
                        "spellings": sorted(a.spelling for a in u.aliases),
                    }
                    for u in units
                ]
            }
        )


async def units_merge(request: Request, s: Settings) -> Response:
    body = _dict(await _json_body(request))
    spellings, into = body.get("spellings"), body.get("into")
    if (
        not isinstance(spellings, list)
        or not all(isinstance(x, str) for x in spellings)
        or not isinstance(into, str)
    ):
        raise Invalid("Cần 'spellings' (danh sách tên) và 'into' (tên đơn vị).")
    with s.register.session() as session:
        try:
            unit = merge_units(session, spellings, into)
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        return JSONResponse({"id": unit.id, "name": unit.name})


async def unit_patch(request: Request, s: Settings) -> Response:
    body = _dict(await _json_body(request))
    with s.register.session() as session:
        unit = session.get(Unit, int(request.path_params["unit_id"]))
        if unit is None:
            raise NotFound("Không có đơn vị này.")
        if not isinstance(body.get("collective"), bool):
            raise Invalid("collective: cần true hoặc false.")
        unit.collective = body["collective"]
        session.commit()
        return JSONResponse({"id": unit.id, "name": unit.name, "collective": unit.collective})


async def units_yaml(_request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        return Response(aliases_yaml(session), media_type="text/yaml; charset=utf-8")


async def import_json(request: Request, s: Settings) -> Response:
    body = await _json_body(request)
    files = body if isinstance(body, list) else [body]
    report = ImportReport()
    with s.register.session() as session:
        for i, data in enumerate(files):
            name = (
                str((data.get("source") or {}).get("path") or f"upload-{i}")
                if isinstance(data, dict)
                else f"upload-{i}"
            )
            try:
                with session.begin_nested():
                    import_data(session, data, name, cached_rules(), report)
            except (ValueError, KeyError, TypeError) as exc:
                report.errors.append(f"{name}: không nhập được ({exc}).")
        session.commit()
    return JSONResponse({**report.__dict__, "summary": report.line()})


async def export_xlsx(_request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        data = write_xlsx(session, view_of(session, s))
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="so-theo-doi-nhiem-vu.xlsx"'},
    )


async def import_xlsx(request: Request, s: Settings) -> Response:
    data = await request.body()
    with s.register.session() as session:
        try:
            changed, added = read_xlsx(session, data, identity_of(request).name)
        except XlsxError as exc:
            return JSONResponse(
                {"error": "Tệp có lỗi, chưa thay đổi gì.", "problems": exc.problems},
                status_code=400,
            )
    return JSONResponse({"changed": changed, "added": added})


def api_routes(s: Settings) -> list[Route]:
    def r(
        path: str, fn: Callable[[Request, Settings], Awaitable[Response]], *methods: str
    ) -> Route:
        return Route(path, _guard(fn, s), methods=list(methods))

    return [
        r("/api/tasks", tasks_list, "GET"),
        r("/api/tasks", task_add, "POST"),
        r("/api/tasks/{task_id:int}", task_get, "GET"),
        r("/api/tasks/{task_id:int}", task_patch, "PATCH"),
        r("/api/tasks/{task_id:int}", task_reject, "DELETE"),
        r("/api/tasks/{task_id:int}/done", task_done, "POST"),
        r("/api/tasks/{task_id:int}/extend", task_extend, "POST"),
        r("/api/notices", notices_list, "GET"),
        r("/api/units", units_list, "GET"),
        r("/api/units/merge", units_merge, "POST"),
        r("/api/units/aliases.yaml", units_yaml, "GET"),
        r("/api/units/{unit_id:int}", unit_patch, "PATCH"),
        r("/api/import", import_json, "POST"),
        r("/api/import.xlsx", import_xlsx, "POST"),
        r("/api/export.xlsx", export_xlsx, "GET"),
    ]
