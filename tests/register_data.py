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


def _template(dest: Path, name: str) -> Path:
    """Where a template register of this test run lives: beside the tests' own temporary
    folders (pytest's base folder, which pytest cleans), made once per run."""
    return dest.parent.parent / "register-templates" / name


def fresh_register_file(dest: Path) -> Path:
    """An empty register at the newest schema, copied from one migrated once per test run
    (running the migrations for every test would cost more than the tests)."""
    from extractor.register.db import open_register

    template = _template(dest, "empty.db")
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        open_register(template).engine.dispose()
    shutil.copy(template, dest)
    return dest


def imported_register_file(dest: Path, rules: RuleSet) -> Path:
    """A register holding the samples, imported once per test run and copied."""
    from extractor.register.db import open_register
    from extractor.register.importer import import_paths

    template = _template(dest, "samples.db")
    if not template.exists():
        reg = open_register(fresh_register_file(template.with_suffix(".tmp")))
        with reg.session() as s:
            import_paths(s, [GOLDEN], rules)
        reg.engine.dispose()
        template.with_suffix(".tmp").replace(template)
    shutil.copy(template, dest)
    return dest
