"""Vietnamese word segmentation: pyvi's CRF model, as spaCy's `vi` language runs it.

pyvi ships its model as a scikit-learn-crfsuite pickle, so `import pyvi` costs scikit-learn's
import (most of a second of start-up, per worker). The model inside is a plain CRFsuite model:
here it is read from pyvi's files without scikit-learn and run by python-crfsuite, with the same
features and spaCy's own `VietnameseTokenizer` merging, so the words are pyvi's exactly
(`tests/test_tokenize.py` compares them with stock `spacy.blank("vi")`).

Segmenting is the costly step, so it is done only where a rule needs to know whether a word
begins (`Words`): the word starts tell where unit phrases may end and actions begin, so
"theo dõi" is one word and never the stop word "theo". Such a question is about seven
syllables; it is put to the tokenizer's model directly and answered with the tokenizer's own
joining rule (`PyviCrf.word_starts`), since building a spaCy Doc costs more than the answer.
The rules therefore never need spaCy itself, and a run does not import it (half a second per
start, which would be most of the serial time of a batch): `get_nlp()` gives the spaCy `vi`
pipeline with this same model as its tokenizer (`spacy_component.CrfVietnameseTokenizer`) and
the extractor as its component, for whole-text Docs (`word_starts`, which round-trips the
text exactly); the tests check that both agree on every syllable of the samples and dev set.
"""

from __future__ import annotations

import importlib.util
import pickle
import re
import string
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Words", "get_nlp", "segmenter", "word_starts"]

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

    def word_starts(self, syllables: list[str]) -> list[bool]:
        """Whether a word begins at each syllable: the model's labels, joined as spaCy's
        `VietnameseTokenizer.pyvi_tokenize` joins them, without building a Doc (the words are
        the same as `make_doc`'s: `tests/test_tokenize.py`)."""
        labels = self.tagger.tag(self.sent2features(syllables))
        return [
            i == 0 or labels[i] != "I_W" or _never_joined(syllables[i - 1], syllables[i])
            for i in range(len(syllables))
        ]

    def predict(self, sequences: list[list[dict[str, Any]]]) -> list[list[str]]:
        return [self.tagger.tag(features) for features in sequences]

    def sent2features(self, words: list[str], _is_training: bool = False) -> list[dict[str, Any]]:
        """The features pyvi's model was trained on, for each syllable.

        pyvi gives boolean features as True/False; CRFsuite scores an attribute as its value
        times its weight, so a False one adds nothing and is left out here (the labels are the
        same, `tests/test_tokenize.py`), and each syllable's casing and each n-gram lookup is
        computed once instead of up to three times.
        """
        n = len(words)
        low = [w.lower() for w in words]
        title = [w.istitle() for w in words]
        upper = [w.isupper() for w in words]
        bi = [f"{words[i]} {words[i + 1]}".lower() in self.bi_grams for i in range(n - 1)]
        tri = [
            f"{words[i]} {words[i + 1]} {words[i + 2]}".lower() in self.tri_grams
            for i in range(n - 2)
        ]
        out = []
        for i, word in enumerate(words):
            f: dict[str, Any] = {"bias": 1.0, "word.lower()": low[i]}
            if upper[i]:
                f["word.isupper()"] = 1.0
            if title[i]:
                f["word.istitle()"] = 1.0
            if word.isdigit():
                f["word.isdigit()"] = 1.0
            if i > 0:
                f["-1:word.lower()"] = low[i - 1]
                if title[i - 1]:
                    f["-1:word.istitle()"] = 1.0
                if upper[i - 1]:
                    f["-1:word.isupper()"] = 1.0
                if bi[i - 1]:
                    f["-1:word.bi_gram()"] = 1.0
                if i > 1 and tri[i - 2]:
                    f["-2:word.tri_gram()"] = 1.0
            if i < n - 1:
                f["+1:word.lower()"] = low[i + 1]
                if title[i + 1]:
                    f["+1:word.istitle()"] = 1.0
                if upper[i + 1]:
                    f["+1:word.isupper()"] = 1.0
                if bi[i]:
                    f["+1:word.bi_gram()"] = 1.0
                if i < n - 2 and tri[i]:
                    f["+2:word.tri_gram()"] = 1.0
            out.append(f)
        return out


@lru_cache(maxsize=1)
def segmenter() -> PyviCrf:
    """pyvi's model, loaded once per process (forked workers inherit it)."""
    return PyviCrf()


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """spaCy's `vi` pipeline whose tokenizer runs `segmenter()`, with the extractor's
    `notice_tasks` component (`extractor.spacy_component`) added; imports spaCy."""
    import spacy

    from .spacy_component import FACTORY  # registers the tokenizer and the component

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    nlp.add_pipe(FACTORY)
    return nlp


def word_starts(text: str, start: int, end: int) -> list[int]:
    """Offsets (into `text`) where a word or punctuation token of text[start:end] begins."""
    piece = text[start:end]
    doc = get_nlp().make_doc(piece)
    if doc.text != piece:  # the tokenizer must round-trip; never trust offsets otherwise
        raise RuntimeError("spaCy/pyvi did not round-trip the text; offsets would be wrong.")
    return [start + t.idx for t in doc if not t.is_space]


# pyvi's syllables, as spaCy's `VietnameseTokenizer.pyvi_sylabelize_with_ws` cuts them (the
# same alternatives in the same order; `tests/test_tokenize.py` compares the two).
SYLLABLE = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\.|==>|->|\.\.\.|>>|\w+://[^\s]+"
    r"|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+|\d+(?:[\.,_]\d+)+|[^\w\s]|\w+"
)
# the same without the web and mail addresses: where a text holds neither "://" nor "@", it
# cuts the same syllables, a fifth faster
SYLLABLE_PLAIN = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\.|==>|->|\.\.\.|>>|\d+(?:[\.,_]\d+)+|[^\w\s]|\w+"
)
CONTEXT = 2  # syllables segmented on each side of the one asked about (the CRF looks at 2)


class Words:
    """Where the words of text[start:end] begin, found only where a rule asks.

    Every word begins at a syllable, so a reader walks the syllables (cheap) and asks
    `is_start` only where a rule word matched: that syllable is segmented by pyvi's model
    together with the syllables around it, never the whole sentence. Segmenting a few
    syllables of context gives the same answer as segmenting the whole sentence (checked
    over every syllable of the samples and dev notices in `tests/test_tokenize.py`).
    """

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self._spans: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._known: dict[int, bool] = {}

    def _syllables(self) -> list[tuple[int, int]]:
        if self._spans is None:
            text, a, b = self.text, self.start, self.end
            plain = text.find("@", a, b) < 0 and text.find("://", a, b) < 0
            cut = SYLLABLE_PLAIN if plain else SYLLABLE
            self._spans = [m.span() for m in cut.finditer(text, a, b)]
            self._starts = [x for x, _ in self._spans]
        return self._spans

    def syllables_from(self, a: int, b: int) -> list[int]:
        """Starts of the syllables in [a, b)."""
        self._syllables()
        starts = self._starts
        return starts[bisect_left(starts, a) : bisect_left(starts, b)]

    def is_start(self, pos: int) -> bool:
        """Does a word begin at `pos` (a syllable start)?"""
        known = self._known.get(pos)
        if known is None:
            spans = self._syllables()
            i = bisect_left(self._starts, pos)
            if i == len(spans) or spans[i][0] != pos:
                return False
            syllables = [self.text[x:y] for x, y in spans[max(0, i - CONTEXT) : i + CONTEXT + 1]]
            at = min(i, CONTEXT)
            known = i == 0 or _never_joined(syllables[at - 1], syllables[at])
            if not known:
                known = segmenter().word_starts(syllables)[at]
            self._known[pos] = known
        return known


def _never_joined(prev: str, cur: str) -> bool:
    """spaCy's `VietnameseTokenizer.pyvi_tokenize` joins a syllable to the one before only if
    neither is punctuation, neither starts with a digit, and it is not a capital after a small
    letter, whatever the model says."""
    return (
        prev in string.punctuation
        or cur in string.punctuation
        or prev[0].isdigit()
        or cur[0].isdigit()
        or (cur[0].istitle() and not prev[0].istitle())
    )
