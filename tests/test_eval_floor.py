"""The dev set's scores, measured by the shared scorer, never fall below the pinned floor:
over the whole set and for each document type (`doc_type` in the dev set's SOURCES.tsv)."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from extractor.cli import main

from .conftest import ROOT, SHARED_EVAL

FLOOR = json.loads((ROOT / "tests" / "eval_floor.json").read_text(encoding="utf-8"))
DEV = SHARED_EVAL / "dev"


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SHARED_EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scores_by_type(pred: Path, work: Path) -> dict[str, dict[str, Any]]:
    """The scorer's figures over the whole dev set ("all") and over each document type."""
    score = _scorer().score
    types: dict[str, list[str]] = defaultdict(list)
    with (DEV / "SOURCES.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            types[row["doc_type"]].append(Path(row["file"]).stem)
    out = {"all": score(DEV / "gold", pred)}
    for doc_type, stems in sorted(types.items()):
        gold = work / f"gold-{doc_type}"
        gold.mkdir()
        for stem in stems:
            shutil.copy(DEV / "gold" / f"{stem}.json", gold)
        out[doc_type] = score(gold, pred)
    return out


MISSING = [tool for tool in ("tesseract", "pdftoppm") if shutil.which(tool) is None]


@pytest.mark.skipif(not (SHARED_EVAL / "score.py").exists(), reason="../shared/eval is absent")
@pytest.mark.skipif(bool(MISSING), reason=f"the dev set's scans need {', '.join(MISSING)}")
def test_dev_set_floor(tmp_path: Path) -> None:
    pred = tmp_path / "pred"
    assert main(["run", str(DEV / "corpus"), "-o", str(pred), "-q"]) in (0, 1)
    measured = scores_by_type(pred, tmp_path)
    low = [
        f"{group} {key} fell to {measured[group][key]} (floor {floor})"
        for group, floors in FLOOR.items()
        if not group.startswith("_")
        for key, floor in floors.items()
        if measured[group][key] is not None and measured[group][key] < floor
    ]
    assert not low, "; ".join(low)
