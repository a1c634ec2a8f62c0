"""The office's task register: notices and tasks in a database (SQLite by default, any
SQLAlchemy URL), migrated by Alembic, with the history of every change. The extraction stages
never import this package; it reads the task JSON they write."""

from __future__ import annotations

from .db import Register, open_register
from .importer import ImportReport, import_paths
from .status import STATUS_NAMES, STATUSES, status_of

__all__ = [
    "STATUSES",
    "STATUS_NAMES",
    "ImportReport",
    "Register",
    "import_paths",
    "open_register",
    "status_of",
]
