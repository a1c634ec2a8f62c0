"""The JSON API of the unit directory, imports and the XLSX round trip: GET /api/units,
POST /api/units/merge, PATCH /api/units/{id}, GET /api/units/aliases.yaml, POST /api/import
(task JSON, one or a list), GET /api/export.xlsx, POST /api/import.xlsx."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..collation import vi_key, vi_sorted
from ..register.directory import aliases_yaml, merge_units
from ..register.edits import Invalid, NotFound
from ..register.importer import ImportReport, import_data
from ..register.models import Unit
from ..register.xlsx import XlsxError, read_xlsx, write_xlsx
from ..rules import cached_rules
from .auth import identity_of
from .request_args import api_route, json_body, json_object, view_of
from .settings import Settings

__all__ = ["data_routes"]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def units_list(_request: Request, s: Settings) -> Response:
    with s.register.session() as session:
        units = sorted(session.scalars(select(Unit)), key=lambda u: vi_key(u.name))
        return JSONResponse(
            {
                "units": [
                    {
                        "id": u.id,
                        "name": u.name,
                        "collective": u.collective,
                        "spellings": vi_sorted([a.spelling for a in u.aliases]),
                    }
                    for u in units
                ]
            }
        )


async def units_merge(request: Request, s: Settings) -> Response:
    body = json_object(await json_body(request))
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
    body = json_object(await json_body(request))
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
    body = await json_body(request)
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


def data_routes(s: Settings) -> list[Route]:
    def r(path: str, fn: Callable[[Request, Settings], Awaitable[Response]], *m: str) -> Route:
        return api_route(s, path, fn, *m)

    return [
        r("/api/units", units_list, "GET"),
        r("/api/units/merge", units_merge, "POST"),
        r("/api/units/aliases.yaml", units_yaml, "GET"),
        r("/api/units/{unit_id:int}", unit_patch, "PATCH"),
        r("/api/import", import_json, "POST"),
        r("/api/import.xlsx", import_xlsx, "POST"),
        r("/api/export.xlsx", export_xlsx, "GET"),
    ]
