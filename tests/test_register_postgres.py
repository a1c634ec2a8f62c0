"""The register on PostgreSQL: the same migrations (from the first schema, with data), import,
edits with versions and the JSON backup. On EXTRACTOR_TEST_POSTGRES (a database the test may
empty), or else on a throwaway server of Debian's `postgresql` package started in a temporary
folder (a Unix socket only, no port opened); skipped, saying why, where neither exists."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from extractor.register.backup import backup
from extractor.register.db import current_revision, open_register, upgrade
from extractor.register.directory import load_directory
from extractor.register.edits import Conflict, patch_task
from extractor.register.importer import import_paths
from extractor.register.models import Task
from extractor.register.views import View, list_tasks
from extractor.rules import RuleSet
from tests.register_data import GOLDEN


def _throwaway_server() -> Iterator[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    pytest.importorskip(
        "psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')"
    )
    bin_dir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="register-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the package's own user runs the server
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [
                *as_owner,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *ctl,
                "-w",
                "-l",
                str(folder / "log"),
                "-o",
                f"-k {folder} -c listen_addresses='' -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def url() -> Iterator[str]:
    given = os.environ.get("EXTRACTOR_TEST_POSTGRES")
    if given:
        yield given
    else:
        yield from _throwaway_server()


def test_postgres_register(tmp_path: Path, rules: RuleSet, url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    upgrade(engine, "0001")
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO notices (id, key, number, text, source_sha, imported_at) "
                "VALUES (1000, 'old', '1/TB', '', 'x', now())"
            )
        )
        c.execute(
            text(
                "INSERT INTO tasks (id, notice_id, units, coordinators, action, deadline_text, "
                "evidence, spans, flags, confidence, checked, rejected, done_result, touched, "
                "version) VALUES (1000, 1000, '[\"Phòng Nội vụ\"]', '[]', 'cũ', '', '', '{}', "
                "'[]', 1, false, false, '', '[]', 1)"
            )
        )
    engine.dispose()
    reg = open_register(url)
    assert current_revision(reg.engine) == "0002"
    with reg.session() as s:
        old = s.get(Task, 1000)
        assert old is not None and old.units == ["Phòng Nội vụ"] and old.extended_to is None
        report = import_paths(s, [GOLDEN], rules)
        assert report.errors == [] and report.tasks_added > 50
        rows = list_tasks(s, View(date(2020, 9, 1), load_directory(s)))
        assert 1000 in [r["id"] for r in rows]
        assert "Phòng Nội vụ" in load_directory(s).names
        task_id = rows[0]["id"]
        patch_task(s, task_id, {"version": rows[0]["version"], "action": "sửa"}, "lan")
        with pytest.raises(Conflict):
            patch_task(s, task_id, {"version": rows[0]["version"], "action": "muộn"}, "minh")
        again = import_paths(s, [GOLDEN], rules)
        assert again.kept_by_person == 1
        assert s.scalars(select(Task.action).where(Task.id == task_id)).one() == "sửa"
    dump = json.loads(backup(reg, tmp_path / "pg.json").read_text("utf-8"))
    assert len(dump["tables"]["tasks"]) == len(rows)  # the old task and the imported ones
    reg.engine.dispose()
