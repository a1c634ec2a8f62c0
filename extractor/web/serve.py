"""`extractor serve`: the web app on uvicorn, one process (SQLite allows one writer at a time;
WAL lets readers go on meanwhile)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import uvicorn
from sqlalchemy import select

from ..errors import ExtractorError
from ..register.db import open_register
from ..register.models import User
from ..sheets import options
from .app import create_app
from .settings import Settings, is_loopback

__all__ = ["ServeOptions", "serve"]


@dataclass(frozen=True)
class ServeOptions:
    db: str
    host: str = "127.0.0.1"
    port: int = 8000
    as_of: date | None = None
    soon_days: int = 7
    office: str = ""
    place: str = ""
    profile: Path | None = None  # office profile YAML for the exported sheets


def _has_users(settings: Settings) -> bool:
    with settings.register.session() as session:
        return session.scalar(select(User.id).limit(1)) is not None


def serve(opts: ServeOptions) -> int:
    try:
        sheets = options(opts.profile, office=opts.office, place=opts.place)
    except ExtractorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings(
        register=open_register(opts.db),
        host=opts.host,
        as_of=opts.as_of,
        soon_days=opts.soon_days,
        sheets=sheets,
    )
    day = opts.as_of.isoformat() if opts.as_of else "today (shown on every page)"
    access = "no login (this computer only)" if is_loopback(opts.host) else "login required"
    print(
        f"register {opts.db}: http://{opts.host}:{opts.port}/  statuses as of {day}; {access}",
        file=sys.stderr,
    )
    if settings.login_required and not _has_users(settings):
        print(
            f"no user can log in yet: extractor users add NAME --role admin --db {opts.db}",
            file=sys.stderr,
        )
    uvicorn.run(create_app(settings), host=opts.host, port=opts.port, log_level="warning")
    return 0
