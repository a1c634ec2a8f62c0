"""Reading API requests: the day and unit directory a read needs, the list filters, JSON
bodies; and the register's errors as the API's answers (400, 404, 415)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..register.directory import load_directory
from ..register.edits import (
    Invalid,
    NotFound,
)
from ..register.views import Filters, View
from ..status import STATUS_NAMES
from .settings import Settings

__all__ = [
    "Unsupported",
    "api_guard",
    "api_route",
    "filters_of",
    "json_body",
    "json_object",
    "view_of",
]


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


async def json_body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Unsupported
    try:
        return await request.json()
    except ValueError:
        raise Invalid("Nội dung gửi lên không phải JSON.") from None


class Unsupported(Exception):
    pass


def api_guard(
    fn: Callable[[Request, Settings], Awaitable[Response]], settings: Settings
) -> Handler:
    """Errors of the register as the API's answers."""

    async def handler(request: Request) -> Response:
        try:
            return await fn(request, settings)
        except Invalid as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except NotFound as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except Unsupported:
            return JSONResponse({"error": "Gửi Content-Type: application/json."}, status_code=415)

    return handler


def api_route(
    settings: Settings,
    path: str,
    fn: Callable[[Request, Settings], Awaitable[Response]],
    *methods: str,
) -> Route:
    """A route of the JSON API: `fn` behind `api_guard`."""
    return Route(path, api_guard(fn, settings), methods=list(methods))


def json_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("Cần một đối tượng JSON.")
    return body
