"""The JSON API of tasks and notices under /api, the one the pages use (and other systems may):
GET /api/tasks (unit, status, notice, due_before, due_from, q), GET/PATCH/DELETE
/api/tasks/{id}, POST /api/tasks, POST /api/tasks/{id}/done, POST /api/tasks/{id}/extend,
GET /api/notices. Errors: {"error": "…"} with 400, 404, 409 (a stale `version`: the body also
holds the task as it is now) or 415. Units, import and XLSX: api_data.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..register.edits import (
    Conflict,
    add_task,
    extend_task,
    get_task,
    mark_done,
    patch_task,
    reject_task,
)
from ..register.models import Notice
from ..register.views import history_view, list_tasks, notice_view, task_view
from .auth import identity_of
from .request_args import api_route, filters_of, json_body, json_object, view_of
from .settings import Settings

__all__ = ["api_routes"]


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


async def _write(
    request: Request,
    s: Settings,
    act: Callable[[Session, dict[str, Any], str], Any],
    status: int = 200,
) -> Response:
    body = json_object(await json_body(request)) if request.method != "DELETE" else {}
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


def api_routes(s: Settings) -> list[Route]:
    def r(path: str, fn: Callable[[Request, Settings], Awaitable[Response]], *m: str) -> Route:
        return api_route(s, path, fn, *m)

    return [
        r("/api/tasks", tasks_list, "GET"),
        r("/api/tasks", task_add, "POST"),
        r("/api/tasks/{task_id:int}", task_get, "GET"),
        r("/api/tasks/{task_id:int}", task_patch, "PATCH"),
        r("/api/tasks/{task_id:int}", task_reject, "DELETE"),
        r("/api/tasks/{task_id:int}/done", task_done, "POST"),
        r("/api/tasks/{task_id:int}/extend", task_extend, "POST"),
        r("/api/notices", notices_list, "GET"),
    ]
