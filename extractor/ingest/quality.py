"""Is a text layer Vietnamese? A PDF's text layer is often the output of an old OCR pass that
lost or mis-mapped the diacritics ("uY BAN NgAN nAN", "THONGBAo", "Ngdy"); such a page must
be read again from its image. Three shares, measured on the page's words:

- valid syllables: words that are syllables of pyvi's dictionary (its words.txt);
- diacritics: words holding a letter outside ASCII (Vietnamese prose has them in about half);
- dictionary words: pairs of neighbouring words that form a two-syllable dictionary word.

The thresholds sit between what the dev and reservoir PDFs measure (README, "Text layers"):
clean pages have at least 85 % valid syllables, 70 % words with diacritics and 20 % dictionary
pairs; the garbage layers at most 67 %, 33 % and 5 %.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["MIN_WORDS", "Quality", "quality"]

WORD = re.compile(r"[^\W\d_]+")
MIN_WORDS = 20  # fewer words than this say too little to judge: the page is taken as it is
MIN_VALID = 0.80
MIN_DIACRITICS = 0.50
MIN_PAIRS = 0.12


@dataclass(frozen=True)
class Quality:
    words: int
    valid: float  # share of words that are Vietnamese syllables
    diacritics: float  # share of words with a letter outside ASCII
    pairs: float  # share of neighbouring pairs that form a dictionary word

    @property
    def ok(self) -> bool:
        """Too few words to judge, or Vietnamese: a page fails when its words are not syllables
        and it also lacks either the diacritics or the dictionary words of Vietnamese (a
        chart's labels, all syllables, pass)."""
        if self.words < MIN_WORDS:
            return True
        return self.valid >= MIN_VALID or (
            self.diacritics >= MIN_DIACRITICS and self.pairs >= MIN_PAIRS
        )

    def describe(self) -> str:
        return (
            f"valid syllables {self.valid:.0%}, diacritics {self.diacritics:.0%}, "
            f"dictionary words {self.pairs:.0%} of {self.words} words"
        )


@lru_cache(maxsize=1)
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """(syllables, two-syllable words) of pyvi's word list, lower case, NFC."""
    spec = importlib.util.find_spec("pyvi")
    if spec is None or spec.origin is None:  # pragma: no cover - a dependency
        raise RuntimeError("pyvi is not installed: pip install pyvi")
    path = Path(spec.origin).parent / "models" / "words.txt"
    syllables: set[str] = set()
    pairs: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = unicodedata.normalize("NFC", line.replace("_", " ")).lower().split()
        syllables.update(parts)
        if len(parts) == 2:
            pairs.add(" ".join(parts))
    return frozenset(syllables), frozenset(pairs)


def quality(text: str) -> Quality:
    """The three shares of `text` (old tone placement and decomposed marks are taken as read)."""
    from .text import normalize

    words = [w.lower() for w in WORD.findall(normalize(text)[0])]
    if not words:
        return Quality(0, 0.0, 0.0, 0.0)
    syllables, pairs = _dictionary()
    valid = sum(w in syllables for w in words) / len(words)
    marked = sum(not w.isascii() for w in words) / len(words)
    joined = sum(f"{a} {b}" in pairs for a, b in itertools.pairwise(words))
    return Quality(len(words), valid, marked, joined / max(len(words) - 1, 1))
