"""Shared test data for the register tests: the samples' task JSON (as `extractor run samples`
writes them, kept in tests/golden/) copied to a temporary folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from extractor.rules import RuleSet

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


def _template_folder() -> Path:
    if "folder" not in _TEMPLATE:
        import atexit
        import tempfile

        _TEMPLATE["folder"] = Path(tempfile.mkdtemp(prefix="register-template-"))
        atexit.register(shutil.rmtree, _TEMPLATE["folder"], True)
    return _TEMPLATE["folder"]


def fresh_register_file(dest: Path) -> Path:
    """An empty register at the newest schema, copied from one migrated once per test run
    (running the migrations for every test would cost more than the tests)."""
    from extractor.register.db import open_register

    if "empty" not in _TEMPLATE:
        reg = open_register(_template_folder() / "empty.db")
        reg.engine.dispose()
        _TEMPLATE["empty"] = _template_folder() / "empty.db"
    shutil.copy(_TEMPLATE["empty"], dest)
    return dest


def imported_register_file(dest: Path, rules: RuleSet) -> Path:
    """A register holding the samples, imported once per test run and copied."""
    from extractor.register.db import open_register
    from extractor.register.importer import import_paths

    if "samples" not in _TEMPLATE:
        path = fresh_register_file(_template_folder() / "samples.db")
        reg = open_register(path)
        with reg.session() as s:
            import_paths(s, [GOLDEN], rules)
        reg.engine.dispose()
        _TEMPLATE["samples"] = path
    shutil.copy(_TEMPLATE["samples"], dest)
    return dest
