"""Rendering the pages: the templates (shipped in the package, autoescaped), the filters
they use, and what every page shows (the "as of" day, the user)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..register.edits import Invalid, NotFound
from ..review import FLAG_NAMES
from ..status import RECURRING_NAMES, STATUS_NAMES
from .auth import identity_of
from .charts import COLORS
from .settings import Settings

__all__ = ["TEMPLATES", "page_guard", "render", "vn_date"]

TEMPLATES = Environment(
    loader=PackageLoader("extractor.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
ORIGIN_NAMES = {"extracted": "trích từ văn bản", "manual": "thêm tay", "xlsx": "thêm từ XLSX"}
FIELD_NAMES = {
    "created": "tạo",
    "units": "đơn vị chủ trì",
    "coordinators": "đơn vị phối hợp",
    "action": "nội dung",
    "deadline": "thời hạn",
    "deadline_text": "thời hạn (chữ)",
    "recurring": "định kỳ",
    "section": "mục",
    "checked": "đã kiểm tra",
    "rejected": "loại bỏ",
    "done_date": "ngày hoàn thành",
    "done_result": "kết quả",
    "extended_to": "gia hạn đến",
    "extension_note": "lý do gia hạn",
}


def vn_date(value: str | date | None) -> str:
    if not value:
        return "—"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return d.strftime("%d/%m/%Y")


def plain(value: str | None) -> str:
    """A history value (JSON) as a reader wants it: lists joined, dates dd/mm/yyyy."""
    if value is None:
        return ""
    try:
        v = json.loads(value)
    except ValueError:
        return value
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "có" if v else "không"
    if isinstance(v, str) and ISO_DAY.fullmatch(v):
        return vn_date(v)
    return str(v)


def vn_time(value: str) -> str:
    """An ISO time of the history (UTC) as dd/mm/yyyy hh:mm."""
    return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")


TEMPLATES.filters["vn_date"] = vn_date
TEMPLATES.filters["vn_time"] = vn_time
TEMPLATES.filters["plain"] = plain
TEMPLATES.globals["recurring_names"] = RECURRING_NAMES


def render(request: Request, settings: Settings, template: str, **context: Any) -> HTMLResponse:
    ident = identity_of(request)
    html = TEMPLATES.get_template(template).render(
        as_of=settings.today(),
        as_of_fixed=settings.as_of is not None,
        user=ident,
        login_required=settings.login_required,
        status_names=STATUS_NAMES,
        colors=COLORS,
        field_names=FIELD_NAMES,
        origin_names=ORIGIN_NAMES,
        flag_names=FLAG_NAMES,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html)


def page_guard(fn: Any, s: Settings) -> Any:
    async def page(request: Request) -> Response:
        try:
            response: Response = await fn(request, s)
            return response
        except (Invalid, ValueError) as exc:
            return HTMLResponse(f"<p>{exc}</p>", status_code=400)
        except NotFound as exc:
            return render(request, s, "message.html.j2", message=str(exc))

    return page
