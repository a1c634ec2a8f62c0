"""Downloads from the register through today's renderers: one unit's assignment sheet (HTML),
every sheet as a ZIP, the tracker (HTML, or every format as a ZIP)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..register.edits import NotFound
from ..register.exports import export_sheets, export_tracker
from .render import page_guard
from .request_args import view_of
from .settings import Settings

__all__ = ["download_routes"]


def _write_sheets(s: Settings, out: Path, formats: list[str]) -> dict[str, list[Path]]:
    with s.register.session() as session:
        return export_sheets(
            session,
            view_of(session, s),
            out,
            formats,
            replace(s.sheets, date=s.today()),
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
            session,
            view_of(session, s),
            Path(tmp),
            ["html", "xlsx", "docx", "csv", "md"],
            replace(s.sheets, date=s.today()),
        )
        if fmt == "html":
            return HTMLResponse(paths[0].read_text(encoding="utf-8"))
        data = _zip(Path(tmp))
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="theo-doi.zip"'},
    )


def download_routes(s: Settings) -> list[Route]:
    def r(path: str, fn: Any) -> Route:
        return Route(path, page_guard(fn, s), methods=["GET"])

    return [
        r("/exports/sheet", sheet_page),
        r("/exports/sheets.zip", sheets_zip),
        r("/exports/tracker", tracker_page),
    ]
