"""spaCy `vi` with pyvi must round-trip every text exactly, or offsets would lie."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.ingest import ingest_path
from extractor.nlp import get_nlp, word_starts

from .conftest import ROOT, SHARED_EVAL

FILES = sorted((ROOT / "samples").glob("*.*")) + sorted((SHARED_EVAL / "dev" / "corpus").glob("*"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip(path: Path) -> None:
    text = ingest_path(path).text
    assert get_nlp().make_doc(text).text == text


@pytest.mark.parametrize(
    "text",
    ["", " ", "a  b\n\n c", "Giao\tPhòng  Nội vụ\u00a0Huyện", "(1) – “x” … 9001:2015 ./."],
)
def test_round_trip_odd_spacing(text: str) -> None:
    assert get_nlp().make_doc(text).text == text


def test_multi_syllable_words() -> None:
    text = "Giao Phòng Nội vụ Huyện theo dõi, đôn đốc."
    starts = word_starts(text, 0, len(text))
    words = [text[a:b].strip(" ") for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert "theo dõi" in words and "đôn đốc" in words
