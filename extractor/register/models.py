"""The register's tables (the schema at the newest migration). Migrations live in
`migrations/versions/`; a change here needs a new migration beside them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "History",
    "LoginSession",
    "Notice",
    "NoticeFile",
    "Task",
    "Unit",
    "UnitAlias",
    "User",
]


class Base(DeclarativeBase):
    pass


class Notice(Base):
    """One notice, however many files it was read from (same number, date and issuer)."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(600), unique=True)
    number: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(400))
    type: Mapped[str | None] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    source_sha: Mapped[str] = mapped_column(String(64))  # the file its tasks come from
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    files: Mapped[list[NoticeFile]] = relationship(back_populates="notice")
    tasks: Mapped[list[Task]] = relationship(back_populates="notice")


class NoticeFile(Base):
    __tablename__ = "notice_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    path: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    notice: Mapped[Notice] = relationship(back_populates="files")


class Task(Base):
    """A tracked task. `touched` names the fields a person changed: a re-import leaves them."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    anchor: Mapped[str | None] = mapped_column(String(40))  # None: added by a person
    ext_id: Mapped[str | None] = mapped_column(String(20))
    section: Mapped[str | None] = mapped_column(String(60))
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    coordinators: Mapped[list[str]] = mapped_column(JSON, default=list)
    action: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    recurring: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")
    spans: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    rejected: Mapped[bool] = mapped_column(Boolean, default=False)
    done_date: Mapped[date | None] = mapped_column(Date)
    done_result: Mapped[str] = mapped_column(Text, default="")
    extended_to: Mapped[date | None] = mapped_column(Date)  # migration 2
    extension_note: Mapped[str] = mapped_column(Text, default="")  # migration 2
    touched: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    notice: Mapped[Notice] = relationship(back_populates="tasks")
    history: Mapped[list[History]] = relationship(back_populates="task", order_by="History.id")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's API)


class History(Base):
    """One change of one field: who, when, before, after (JSON text)."""

    __tablename__ = "history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    task: Mapped[Task] = relationship(back_populates="history")


class Unit(Base):
    """The unit directory (migration 2): one canonical name, its spellings, collective or not."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), unique=True)
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    aliases: Mapped[list[UnitAlias]] = relationship(back_populates="unit")


class UnitAlias(Base):
    __tablename__ = "unit_aliases"
    spelling: Mapped[str] = mapped_column(String(400), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit: Mapped[Unit] = relationship(back_populates="aliases")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # viewer, editor, admin
    failed: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[User] = relationship()
