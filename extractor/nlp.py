"""Vietnamese word segmentation: spaCy's `vi` language with pyvi, loaded once per process.

Only the sentences that may hold a task are segmented (the costly step); the word starts it
gives are where unit phrases may end and actions may begin, so "theo dõi" is one word and never
the stop word "theo".
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from typing import Any

__all__ = ["Words", "get_nlp", "word_starts"]


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    import spacy

    return spacy.blank("vi")


def word_starts(text: str, start: int, end: int) -> list[int]:
    """Offsets (into `text`) where a word or punctuation token of text[start:end] begins."""
    piece = text[start:end]
    doc = get_nlp().make_doc(piece)
    if doc.text != piece:  # the tokenizer must round-trip; never trust offsets otherwise
        raise RuntimeError("spaCy/pyvi did not round-trip the text; offsets would be wrong.")
    return [start + t.idx for t in doc if not t.is_space]


class Words:
    """Word starts of text[start:end], segmented on first use only: most sentences are never
    segmented because no unit head, trigger or action word starts there."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self._starts: list[int] | None = None

    def between(self, a: int, b: int) -> list[int]:
        if self._starts is None:
            self._starts = word_starts(self.text, self.start, self.end)
        return self._starts[bisect_left(self._starts, a) : bisect_left(self._starts, b)]
