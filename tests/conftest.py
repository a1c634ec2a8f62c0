from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from extractor.errors import MissingTool
from extractor.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(ROOT / "rules")


# A test (or its fixture) that reads a notice needing a program this machine lacks (Tesseract,
# LibreOffice: requirements-debian.txt) is skipped with the error's sentence, which names the
# package to install, instead of failing: the suite passes on a machine with python3 and make.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    except MissingTool as exc:
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    except MissingTool as exc:
        pytest.skip(str(exc))
