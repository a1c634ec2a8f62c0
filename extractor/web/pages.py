"""The HTML pages (Vietnamese). They read through the register's views and write through the
JSON API (app.js), so pages and API cannot disagree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..collation import vi_key, vi_sorted
from ..register.edits import NotFound, get_task
from ..register.models import Notice, Task, Unit
from ..register.views import Filters, history_view, list_tasks, notice_view, task_view, week_of
from ..status import STATUS_NAMES
from .charts import month_bars, monthly_on_time, per_unit, status_bars
from .highlight import segments
from .render import page_guard, render
from .request_args import filters_of, view_of
from .settings import Settings

__all__ = ["page_routes"]


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
        unit_chart=status_bars(units[:25], view.directory.collective),
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
        unit_names = vi_sorted(list(set(view.directory.names.values())))
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
        rows.sort(key=lambda r: (not r["flags"], r["id"]))
        return render(
            request,
            s,
            "notice.html.j2",
            notice=notice_view(notice),
            rows=rows,
            pieces=pieces,
            look=sum(1 for r in rows if r["flags"]),
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
                "spellings": vi_sorted([a.spelling for a in u.aliases]),
            }
            for u in sorted(session.scalars(select(Unit)), key=lambda u: vi_key(u.name))
        ]
    return render(request, s, "units.html.j2", units=units)


async def exports_page(request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        names = vi_sorted(list(set(view_of(session, s).directory.names.values())))
    return render(request, s, "exports.html.j2", unit_names=names)


async def import_page(request: Request, s: Settings) -> Response:
    return render(request, s, "import.html.j2")


def page_routes(s: Settings) -> list[Route]:
    def r(path: str, fn: Any) -> Route:
        return Route(path, page_guard(fn, s), methods=["GET"])

    return [
        r("/", dashboard),
        r("/tasks", tasks_page),
        r("/tasks/{task_id:int}", task_page),
        r("/notices", notices_page),
        r("/notices/{notice_id:int}", notice_page),
        r("/units", units_page),
        r("/exports", exports_page),
        r("/import", import_page),
    ]
