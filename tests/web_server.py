"""The register's web app on a real socket (127.0.0.1, a free port) in a thread, for the
browser test; and `python -m tests.web_server` writes the README picture docs/register.png
with Debian's headless chromium."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from extractor.web import Settings, create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or ""
PICTURE_DAY = date(2024, 1, 15)  # the samples' deadlines run from 2020 to 2024
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM:
        return "Debian's chromium is not on PATH (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve the app until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start in 20 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _follow_up(session: Any) -> None:
    """Follow-up for the dashboard's picture: of the tasks due by the picture's day, two in
    three done (one of those late)."""
    from sqlalchemy import select

    from extractor.register.edits import mark_done
    from extractor.register.models import Task

    due = session.scalars(
        select(Task).where(Task.deadline <= PICTURE_DAY).order_by(Task.deadline, Task.id)
    ).all()
    for n, task in enumerate(due):
        if n % 3 == 2:
            continue
        late = n % 3 == 1
        done = task.deadline + timedelta(days=3) if late else task.deadline
        mark_done(session, task.id, {"date": done.isoformat(), "result": "Báo cáo"}, "lan")


def main() -> None:
    from playwright.sync_api import sync_playwright

    from extractor.register.db import open_register
    from extractor.register.importer import import_paths
    from extractor.rules import cached_rules
    from tests.register_data import sample_jsons

    docs = Path(__file__).resolve().parent.parent / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        register = open_register(work / "register.db")
        sample_jsons(work / "output")
        here = os.getcwd()
        os.chdir(work)  # the files are named as `extractor import output` names them
        try:
            with register.session() as s:
                import_paths(s, [Path("output")], cached_rules())
                _follow_up(s)
        finally:
            os.chdir(here)
        settings = Settings(register=register, as_of=PICTURE_DAY)
        with live_server(settings) as url, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, "--lang=vi"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="vi-VN")
            page.goto(f"{url}/notices/1")
            page.screenshot(path=str(docs / "register.png"))
            page.goto(url)
            page.screenshot(path=str(docs / "register-dashboard.png"), full_page=True)
            browser.close()
    print("wrote docs/register.png, docs/register-dashboard.png", file=sys.stderr)


if __name__ == "__main__":
    main()
