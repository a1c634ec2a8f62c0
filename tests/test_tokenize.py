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


@pytest.fixture(scope="module")
def stock() -> object:
    import spacy

    return spacy.blank("vi")  # spaCy's own vi tokenizer with pyvi (imports scikit-learn)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_same_words_as_stock_spacy_pyvi(path: Path, stock: object) -> None:
    text = ingest_path(path).text
    ours = [t.text for t in get_nlp().make_doc(text)]
    theirs = [t.text for t in stock.make_doc(text)]  # type: ignore[attr-defined]
    assert ours == theirs


def test_run_time_imports_neither_scikit_learn_nor_spacy() -> None:
    """Start-up: the rules ask pyvi's model directly, so neither import is paid per process."""
    import subprocess
    import sys

    code = (
        "import sys; from extractor import extract; "
        "n = len(extract('Giao Sở Y tế chủ trì theo dõi, đôn đốc.\\n').tasks); "
        "print(n, [m for m in ('sklearn', 'spacy', 'thinc') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 []"
    # the command line builds its parser with the register's commands: no database library
    code = (
        "import sys; from extractor.cli import build_parser; build_parser(); "
        "print([m for m in ('sqlalchemy', 'alembic', 'spacy', 'starlette') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_syllables_are_spacys() -> None:
    from extractor.nlp import SYLLABLE, SYLLABLE_PLAIN

    tokenizer = get_nlp().tokenizer
    plain = 0
    for path in FILES:
        text = ingest_path(path).text
        ours = [m.group() for m in SYLLABLE.finditer(text)]
        theirs = [s for s in tokenizer.pyvi_sylabelize_with_ws(text) if not s.isspace()]
        assert ours == theirs, path.name
        for line in text.split("\n"):  # without addresses, the shorter pattern cuts the same
            if "@" not in line and "://" not in line:
                plain += 1
                assert SYLLABLE_PLAIN.findall(line) == SYLLABLE.findall(line), path.name
    assert plain > 1000


def test_word_starts_from_a_few_syllables_equal_the_whole_sentence() -> None:
    """`Words.is_start` segments only a few syllables around the one asked about; over every
    syllable of the samples and dev notices it answers as segmenting the whole line does."""
    from extractor.nlp import Words

    checked = 0
    for path in FILES:
        text = ingest_path(path).text
        pos = 0
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            if not line.strip():
                continue
            whole = set(word_starts(text, start, end))
            words = Words(text, start, end)
            for s in words.syllables_from(start, end):
                assert words.is_start(s) == (s in whole), (path.name, text[s : s + 20])
                checked += 1
    assert checked > 5000
