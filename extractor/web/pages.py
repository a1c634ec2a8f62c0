"""The HTML pages (Vietnamese). They read through the register's views and write through the
JSON API (app.js), so pages and API cannot disagree."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..register.edits import Invalid, NotFound, get_task
from ..register.exports import export_sheets, export_tracker
from ..register.models import Notice, Task, Unit
from ..register.status import RECURRING_NAMES, STATUS_NAMES
from ..register.views import Filters, history_view, list_tasks, notice_view, task_view, week_of
from ..review import FLAG_NAMES
from ..sheets import SheetOptions
from .api import filters_of, view_of
from .auth import identity_of
from .charts import COLORS, month_bars, monthly_on_time, per_unit, status_bars
from .highlight import segments
from .settings import Settings

__all__ = ["TEMPLATES", "page_routes", "render"]

TEMPLATES = Environment(
    loader=PackageLoader("extractor.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
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


TEMPLATES.filters["vn_date"] = vn_date
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
        flag_names=FLAG_NAMES,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html)


def _guard(fn: Any, s: Settings) -> Any:
    async def page(request: Request) -> Response:
        try:
            response: Response = await fn(request, s)
            return response
        except (Invalid, ValueError) as exc:
            return HTMLResponse(f"<p>{exc}</p>", status_code=400)
        except NotFound as exc:
            return render(request, s, "message.html.j2", message=str(exc))

    return page


async def dashboard(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        view = view_of(session, s)
        rows = list_tasks(session, view)
    units = per_unit(rows)
    months = monthly_on_time(rows, view.as_of.isoformat())
    totals = {k: sum(1 for r in rows if r["status"] == k) for k in STATUS_NAMES}
    monday, sunday = week_of(view.as_of)
    return render(
        request,
        s,
        "dashboard.html.j2",
        totals=totals,
        total=len(rows),
        unit_chart=status_bars(units[:25]),
        units=units,
        month_chart=month_bars(months),
        months=months,
        week=(monday.isoformat(), sunday.isoformat()),
    )


async def tasks_page(request: Request, s: Settings) -> Response:
    f = filters_of(request)
    if request.query_params.get("week"):
        monday, sunday = week_of(s.today())
        f = Filters(**{**f.__dict__, "due_from": monday, "due_before": sunday})
    with s.register.session() as session:
        view = view_of(session, s)
        rows = list_tasks(session, view, f)
        unit_names = sorted(set(view.directory.names.values()))
        notices = [notice_view(n) for n in session.scalars(select(Notice).order_by(Notice.date))]
    return render(
        request,
        s,
        "tasks.html.j2",
        rows=rows,
        f=f,
        unit_names=unit_names,
        notices=notices,
        week=bool(request.query_params.get("week")),
    )


async def task_page(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        task = get_task(session, int(request.path_params["task_id"]))
        row = task_view(task, view_of(session, s))
        return render(
            request,
            s,
            "task.html.j2",
            t=row,
            history=history_view(task),
            notice=notice_view(task.notice),
        )


async def notices_page(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        counts = dict(
            session.execute(
                select(Task.notice_id, func.count())
                .where(Task.rejected.is_(False))
                .group_by(Task.notice_id)
            ).all()
        )
        notices = [
            dict(notice_view(n), tasks=counts.get(n.id, 0))
            for n in session.scalars(select(Notice).order_by(Notice.date.desc()))
        ]
    return render(request, s, "notices.html.j2", notices=notices)


async def notice_page(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        notice = session.get(Notice, int(request.path_params["notice_id"]))
        if notice is None:
            raise NotFound("Không có văn bản này.")
        view = view_of(session, s)
        rows = list_tasks(session, view, Filters(notice=notice.id))
        live = {t.id: t.spans for t in notice.tasks if not t.rejected}
        pieces = segments(notice.text, live.items())
        rows.sort(key=lambda r: (r["checked"] or not r["flags"], r["id"]))
        return render(
            request,
            s,
            "notice.html.j2",
            notice=notice_view(notice),
            rows=rows,
            pieces=pieces,
            look=sum(1 for r in rows if r["flags"] and not r["checked"]),
        )


async def units_page(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        view = view_of(session, s)
        used: dict[str, int] = {}
        for r in list_tasks(session, view):
            for u in r["unit_names"] + r["coordinator_names"]:
                used[u] = used.get(u, 0) + 1
        units = [
            {
                "id": u.id,
                "name": u.name,
                "collective": u.collective,
                "tasks": used.get(u.name, 0),
                "spellings": sorted(a.spelling for a in u.aliases),
            }
            for u in session.scalars(select(Unit).order_by(Unit.name))
        ]
    return render(request, s, "units.html.j2", units=units)


async def exports_page(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        names = sorted(set(view_of(session, s).directory.names.values()))
    return render(request, s, "exports.html.j2", unit_names=names)


def _write_sheets(s: Settings, out: Path, formats: list[str]) -> dict[str, list[Path]]:
    with s.register.session() as session:
        return export_sheets(
            session,
            view_of(session, s),
            out,
            formats,
            SheetOptions(office=s.office, place=s.place, date=s.today()),
        )


async def sheet_page(request: Request, s: Settings) -> Response:
    unit = request.query_params.get("unit", "")
    with tempfile.TemporaryDirectory() as tmp:
        written = _write_sheets(s, Path(tmp), ["html"])
        if unit not in written:
            raise NotFound(f"Không có phiếu giao nhiệm vụ của '{unit}'.")
        return HTMLResponse(written[unit][0].read_text(encoding="utf-8"))


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.iterdir()):
            z.write(p, p.name)
    return buf.getvalue()


async def sheets_zip(_request: Request, s: Settings) -> Response:
    with tempfile.TemporaryDirectory() as tmp:
        _write_sheets(s, Path(tmp), ["html", "xlsx", "docx", "csv"])
        data = _zip(Path(tmp))
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="phieu-giao.zip"'},
    )


async def tracker_page(request: Request, s: Settings) -> Response:
    fmt = request.query_params.get("format", "html")
    with tempfile.TemporaryDirectory() as tmp, s.register.session() as session:
        paths = export_tracker(
            session, view_of(session, s), Path(tmp), ["html", "xlsx", "docx", "csv", "md"]
        )
        if fmt == "html":
            return HTMLResponse(paths[0].read_text(encoding="utf-8"))
        data = _zip(Path(tmp))
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="theo-doi.zip"'},
    )


async def import_page(request: Request, s: Settings) -> Response:
    return render(request, s, "import.html.j2")


def page_routes(s: Settings) -> list[Route]:
    def r(path: str, fn: Any) -> Route:
        return Route(path, _guard(fn, s), methods=["GET"])

    return [
        r("/", dashboard),
        r("/tasks", tasks_page),
        r("/tasks/{task_id:int}", task_page),
        r("/notices", notices_page),
        r("/notices/{notice_id:int}", notice_page),
        r("/units", units_page),
        r("/exports", exports_page),
        r("/exports/sheet", sheet_page),
        r("/exports/sheets.zip", sheets_zip),
        r("/exports/tracker", tracker_page),
        r("/import", import_page),
    ]
