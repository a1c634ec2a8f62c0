"""The office's task register: notices and tasks in a database (SQLite by default, any
SQLAlchemy URL), migrated by Alembic, with the history of every change. The extraction stages
never import this package; it reads the task JSON they write."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Register, open_register
    from .importer import ImportReport, import_paths

# loaded on first use: `extractor run` builds its parser with the register's commands, and
# importing SQLAlchemy and Alembic then would cost every run a quarter of a second
_WHERE = {
    "Register": "db",
    "open_register": "db",
    "ImportReport": "importer",
    "import_paths": "importer",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ImportReport",
    "Register",
    "import_paths",
    "open_register",
]
