"""Vietnamese word segmentation: spaCy's `vi` language with pyvi, loaded once per process.

Only the sentences that may hold a task are segmented (the costly step); the word starts it
gives are where unit phrases may end and actions may begin, so "theo dõi" is one word and never
the stop word "theo".
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
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


WINDOW = 400  # characters segmented at a time: a unit phrase ends well within one window


class Words:
    """Word starts of text[start:end], segmented lazily, one window at a time from where a
    unit phrase begins: most sentences are never segmented at all, and long ones only in part
    (word segmentation is the costly step)."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self._done: list[tuple[int, int, list[int]]] = []  # segmented windows

    def _window(self, a: int) -> tuple[int, int, list[int]]:
        for w in self._done:
            if w[0] <= a < w[1]:
                return w
        b = min(self.end, a + WINDOW)
        if b < self.end:  # end the window at a space so no word is cut
            cut = self.text.rfind(" ", a + 1, b)
            b = cut if cut > a else b
        w = (a, b, word_starts(self.text, a, b))
        self._done.append(w)
        return w

    def iter_from(self, a: int, b: int) -> Iterator[int]:
        """Word starts in [a, b), segmenting window after window only as far as they are read."""
        pos = a
        while pos < min(b, self.end):
            _, w_end, starts = self._window(pos)
            for s in starts[bisect_left(starts, pos) :]:
                if s >= b:
                    return
                yield s
            pos = w_end
            while pos < b and self.text[pos] == " ":
                pos += 1
