"""Unit directory and extensions (gia hạn): every unit spelling already in the tasks becomes
a unit of its own name, so a register made by the first version keeps all its units.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("extended_to", sa.Date))
        batch.add_column(sa.Column("extension_note", sa.Text, nullable=False, server_default=""))
    units = op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(400), nullable=False, unique=True),
        sa.Column("collective", sa.Boolean, nullable=False),
    )
    aliases = op.create_table(
        "unit_aliases",
        sa.Column("spelling", sa.String(400), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    )
    conn = op.get_bind()
    names: set[str] = set()
    for units_json, coords_json in conn.execute(sa.text("SELECT units, coordinators FROM tasks")):
        for value in (units_json, coords_json):
            names.update(json.loads(value) if isinstance(value, str) else value or [])
    for name in sorted(names):  # ids from the database's own sequence (PostgreSQL keeps count)
        made = conn.execute(
            units.insert().values(name=name, collective=False).returning(units.c.id)
        )
        conn.execute(aliases.insert().values(spelling=name, unit_id=made.scalar_one()))
