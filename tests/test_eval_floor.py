"""The dev set's scores, measured by the shared scorer, never fall below the pinned floor."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from extractor.cli import main

from .conftest import ROOT, SHARED_EVAL

FLOOR = json.loads((ROOT / "tests" / "eval_floor.json").read_text(encoding="utf-8"))


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score", SHARED_EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SHARED_EVAL / "score.py").exists(), reason="../shared/eval is absent")
def test_dev_set_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(SHARED_EVAL / "dev" / "corpus"), "-o", str(tmp_path), "-q"]) == 0
    result = _scorer().score(SHARED_EVAL / "dev" / "gold", tmp_path)
    assert result["e2e_f1"] >= 0.85 and result["task_f1"] >= 0.90  # the bar
    for key, floor in FLOOR.items():
        if not key.startswith("_"):
            assert result[key] >= floor, f"{key} fell to {result[key]} (floor {floor})"
