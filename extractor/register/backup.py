"""Backups: a consistent copy of a SQLite register (SQLite's online backup, safe while the
server runs), or, for any database, every table as JSON (`.json`), readable without the tool."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .db import Register
from .models import Base

__all__ = ["backup"]


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _dump_json(register: Register) -> dict[str, Any]:
    out: dict[str, Any] = {"format": "extractor-register", "tables": {}}
    with register.engine.connect() as conn:
        for name, table in Base.metadata.tables.items():
            if name == "login_sessions":
                continue
            rows = conn.execute(select(table)).mappings()
            out["tables"][name] = [{k: _plain(v) for k, v in r.items()} for r in rows]
    return out


def backup(register: Register, target: Path) -> Path:
    """Write the backup to `target` (a temporary file renamed: never half a backup)."""
    tmp = target.with_name(f".{target.name}.tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if target.suffix == ".json":
            tmp.write_text(json.dumps(_dump_json(register), ensure_ascii=False, indent=1), "utf-8")
        elif register.is_sqlite:
            raw = register.engine.raw_connection()
            try:
                dest = sqlite3.connect(tmp)
                with dest:
                    raw.driver_connection.backup(dest)  # type: ignore[union-attr]
                dest.close()
            finally:
                raw.close()
        else:
            raise ValueError(
                f"{target}: a {register.engine.dialect.name} register is backed up "
                "as JSON (give a .json name) or with the database's own tools."
            )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
