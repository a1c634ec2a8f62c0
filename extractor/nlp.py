"""Vietnamese word segmentation: spaCy's `vi` language with pyvi's CRF model, loaded once.

pyvi ships its model as a scikit-learn-crfsuite pickle, so `import pyvi` costs scikit-learn's
import (most of a second of start-up, per worker). The model inside is a plain CRFsuite model:
here it is read from pyvi's files without scikit-learn and run by python-crfsuite, with the same
features and spaCy's own `VietnameseTokenizer` merging, so the words are pyvi's exactly
(`tests/test_tokenize.py` compares them with stock `spacy.blank("vi")`).

Only the sentences that may hold a task are segmented (the costly step), and only a window from
where a unit phrase starts; the word starts tell where unit phrases may end and actions begin,
so "theo dõi" is one word and never the stop word "theo".
"""

from __future__ import annotations

import importlib.util
import pickle
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Words", "get_nlp", "word_starts"]

TOKENIZER = "extractor.vi_pyvi_crf.v1"


class _Stub:
    """Stands in for scikit-learn-crfsuite's classes while unpickling pyvi's model."""

    state: dict[str, Any]

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.state = state


class _NoSklearn(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("sklearn"):
            return type(name, (_Stub,), {})
        return super().find_class(module, name)


class PyviCrf:
    """pyvi's segmentation model and features, with the interface spaCy's tokenizer calls
    (`model.predict`, `sent2features`)."""

    def __init__(self) -> None:
        import pycrfsuite

        spec = importlib.util.find_spec("pyvi")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("pyvi is not installed: pip install pyvi")
        models = Path(next(iter(spec.submodule_search_locations))) / "models"
        with (models / "pyvi3.pkl").open("rb") as fh:
            crf = _NoSklearn(fh).load()
        data = crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
        self.tagger = pycrfsuite.Tagger()
        self._data = data  # CRFsuite reads the model from this buffer: keep it alive
        self.tagger.open_inmemory(data)
        self.bi_grams: set[str] = set()
        self.tri_grams: set[str] = set()
        for line in (models / "words.txt").read_text(encoding="utf-8").split("\n"):
            n = len(line.split(" "))
            if n == 2:
                self.bi_grams.add(line)
            elif n == 3:
                self.tri_grams.add(line)
        self.model = self  # spaCy reads `ViTokenizer.model.predict`
        self.ViTokenizer = self  # and `self.ViTokenizer.ViTokenizer`

    def predict(self, sequences: list[list[dict[str, Any]]]) -> list[list[str]]:
        return [self.tagger.tag(features) for features in sequences]

    def sent2features(self, words: list[str], _is_training: bool = False) -> list[dict[str, Any]]:
        """The features pyvi's model was trained on, for each syllable."""
        out = []
        n = len(words)
        for i, word in enumerate(words):
            f: dict[str, Any] = {
                "bias": 1.0,
                "word.lower()": word.lower(),
                "word.isupper()": word.isupper(),
                "word.istitle()": word.istitle(),
                "word.isdigit()": word.isdigit(),
            }
            if i > 0:
                w1 = words[i - 1]
                f["-1:word.lower()"] = w1.lower()
                f["-1:word.istitle()"] = w1.istitle()
                f["-1:word.isupper()"] = w1.isupper()
                f["-1:word.bi_gram()"] = f"{w1} {word}".lower() in self.bi_grams
                if i > 1:
                    f["-2:word.tri_gram()"] = (
                        f"{words[i - 2]} {w1} {word}".lower() in self.tri_grams
                    )
            if i < n - 1:
                w1 = words[i + 1]
                f["+1:word.lower()"] = w1.lower()
                f["+1:word.istitle()"] = w1.istitle()
                f["+1:word.isupper()"] = w1.isupper()
                f["+1:word.bi_gram()"] = f"{word} {w1}".lower() in self.bi_grams
                if i < n - 2:
                    f["+2:word.tri_gram()"] = (
                        f"{word} {w1} {words[i + 2]}".lower() in self.tri_grams
                    )
            out.append(f)
        return out


def _register() -> None:
    from spacy.lang.vi import VietnameseTokenizer
    from spacy.util import registry

    if TOKENIZER in registry.tokenizers:
        return

    class CrfVietnameseTokenizer(VietnameseTokenizer):
        def __init__(self, vocab: Any) -> None:
            self.vocab = vocab
            self.use_pyvi = True
            self.ViTokenizer = PyviCrf()

        def __reduce__(self) -> Any:
            return CrfVietnameseTokenizer, (self.vocab,)

    def create() -> Any:
        return lambda nlp: CrfVietnameseTokenizer(nlp.vocab)

    registry.tokenizers.register(TOKENIZER, func=create)


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    import spacy

    _register()
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})


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
