"""The register's commands: `run --db` (run then import), `import`, `users`, `backup`, and
`serve` as a real process bound to all addresses (nothing without a login)."""

from __future__ import annotations

import io
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from extractor.cli import main
from tests.register_data import ROOT, sample_jsons


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_run_with_db_then_import_again(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.db")
    code, out, _ = _cli(
        "run",
        str(ROOT / "samples" / "000.txt"),
        "-o",
        str(tmp_path / "out"),
        "-q",
        "--jobs",
        "1",
        "--db",
        db,
    )
    assert code == 0
    assert "1 files: 1 new notices" in out
    code, out, _ = _cli("import", str(tmp_path / "out"), "--db", db)
    assert (code, "1 files: 0 new notices" in out) == (0, True)
    count = sqlite3.connect(db).execute("SELECT count(*) FROM notices").fetchone()
    assert count == (1,)


def test_import_names_bad_files(tmp_path: Path) -> None:
    folder = sample_jsons(tmp_path / "json")
    (folder / "zz-bad.json").write_text("[]", encoding="utf-8")
    code, out, err = _cli("import", str(folder), "--db", str(tmp_path / "reg.db"))
    assert code == 1
    assert "zz-bad.json: cannot be imported (not a task JSON file" in err
    assert "1 errors" in out


def test_users_and_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "reg.db")
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-dai\n"))
    assert _cli("users", "add", "lan", "--role", "admin", "--db", db, "--password-stdin")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    code, _, err = _cli("users", "add", "minh", "--db", db, "--password-stdin")
    assert (code, "at least 8 characters" in err) == (2, True)
    assert _cli("users", "list", "--db", db)[1] == "lan\tadmin\n"
    assert _cli("backup", "--db", db, "-o", str(tmp_path / "copy.db"))[0] == 0
    users = sqlite3.connect(tmp_path / "copy.db").execute("SELECT name, role FROM users")
    assert users.fetchall() == [("lan", "admin")]
    assert _cli("backup", "--db", db, "-o", str(tmp_path / "all.json"))[0] == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_on_all_addresses_requires_login(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.db")
    assert _cli("import", str(sample_jsons(tmp_path / "json")), "--db", db)[0] == 0
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "extractor.cli",
            "serve",
            "--db",
            db,
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--as-of",
            "2020-09-01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        for path, code in [
            ("/api/tasks", 401),
            ("/api/tasks/1", 401),
            ("/", 401),
            ("/notices/1", 401),
            ("/static/app.js", 401),
        ]:
            opener = urllib.request.build_opener(_NoRedirect)
            try:
                opener.open(f"{base}{path}", timeout=5)
                raise AssertionError(f"{path} answered without a login")
            except urllib.error.HTTPError as exc:
                got = 401 if exc.code in (401, 303) else exc.code
                assert got == code, path
                if exc.code == 303:
                    assert exc.headers["location"] == "/login"
        with urllib.request.urlopen(f"{base}/login", timeout=5) as page:
            assert "Đăng nhập" in page.read().decode("utf-8")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "login required" in err and "statuses as of 2020-09-01" in err
    assert "no user can log in yet: extractor users add NAME --role admin" in err


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
