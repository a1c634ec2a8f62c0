"""Shared test data for the register tests: the samples' task JSON (as `extractor run samples`
writes them, kept in tests/golden/) copied to a temporary folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def sample_jsons(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(GOLDEN.glob("*.json")):
        shutil.copy(path, dest / path.name)
    return dest


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


_TEMPLATE: dict[str, Path] = {}


def fresh_register_file(dest: Path) -> Path:
    """An empty register at the newest schema, copied from one migrated once per test run
    (running the migrations for every test would cost more than the tests)."""
    from extractor.register.db import open_register

    if "path" not in _TEMPLATE:
        import atexit
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="register-template-"))
        atexit.register(shutil.rmtree, folder, True)
        reg = open_register(folder / "template.db")
        reg.engine.dispose()
        _TEMPLATE["path"] = folder / "template.db"
    shutil.copy(_TEMPLATE["path"], dest)
    return dest
