from __future__ import annotations

from pathlib import Path

import pytest

from extractor.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(ROOT / "rules")
