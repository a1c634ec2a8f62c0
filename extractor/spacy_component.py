"""The extractor as a spaCy component: `spacy.blank("vi").add_pipe("notice_tasks")`.

Registered through the `spacy_factories` entry point, so no import is needed first. On a Doc
it extracts the notice in `doc.text` (exactly what `extract_document(ingest_text(doc.text))`
gives) and sets:

- `doc._.notice`: the `Notice` (None for a Doc of only spaces), `doc._.tasks`: its tasks;
- `doc.spans["units"]`, `["coordinators"]`, `["actions"]`, `["deadlines"]`: one span per
  value of each task, in task order, labelled with the task id (`T3`), the rule id in
  `span.id_` ("" where the value has no rule: actions);
- `doc.spans["tasks"]`: all of them, labelled `T3 unit`, `T3 action`, ... for displaCy's span
  visualizer (`displacy.render(doc, style="span", options=displacy_options(doc))`).

Offsets. The notice's offsets index its canonical text (`doc._.notice.document.text`, the
JSON's `text`): NFC, new tone placement, hard-wrapped lines joined. Given a Doc of that text,
each span is `doc.char_span` of the JSON's offsets. Given raw text that normalizing changes,
the offsets are mapped through the document's offset map onto the Doc's characters (a span's
text is then the raw spelling). Either way the span is trimmed of surrounding whitespace, and
a token that a value starts or ends inside (pyvi joins "Giao Phòng" into one word) is split
there, so a span's edges are exactly the extracted ones. For a file (HTML, Word, PDF),
`notice_doc(nlp, path)` gives the Doc of its canonical text carrying the file's notice, the
same as `extract(path)` returns.

Config: `rules`, a rules folder (default: the rules shipped with the package), and
`reference_date` (ISO), the date deadlines resolve against when the text states no notice
date of its own (a sentence, an excerpt); the notice's own date always wins.

`doc._.notice` survives `doc.to_bytes()` and `nlp.pipe(..., n_process=N)`: the models are
written as plain msgpack maps (no pickle) and read back as equal objects.

This module imports spaCy; the extraction path (`extractor run`, `extract`) never imports it.
"""

import dataclasses
from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import srsly
from spacy.lang.vi import VietnameseTokenizer
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import registry

from . import models
from .ingest import ingest_path, ingest_text
from .models import Document, Notice, Task
from .nlp import TOKENIZER, segmenter
from .pipeline import extract_document
from .rules import RuleSet, cached_rules, load_rules

__all__ = [
    "FACTORY",
    "KINDS",
    "TASKS_KEY",
    "CrfVietnameseTokenizer",
    "NoticeTasks",
    "displacy_options",
    "notice_doc",
]

FACTORY = "notice_tasks"
KINDS = {
    "units": "unit",
    "coordinators": "coordinator",
    "actions": "action",
    "deadlines": "deadline",
}
TASKS_KEY = "tasks"
COLORS = {"unit": "#7aecec", "coordinator": "#bfeeb7", "action": "#feca74", "deadline": "#ff9561"}


def _tasks(doc: Doc) -> tuple[Task, ...]:
    return doc._.notice.tasks if doc._.notice else ()


if not Doc.has_extension("notice"):
    Doc.set_extension("notice", default=None)
if not Doc.has_extension("tasks"):  # a function, not a lambda: worker processes unpickle it
    Doc.set_extension("tasks", getter=_tasks)


class CrfVietnameseTokenizer(VietnameseTokenizer):
    """spaCy's `vi` tokenizer with pyvi's model run by `extractor.nlp.segmenter()`."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self.use_pyvi = True
        self.ViTokenizer = segmenter()

    def __reduce__(self) -> Any:
        return CrfVietnameseTokenizer, (self.vocab,)


@registry.tokenizers(TOKENIZER)  # type: ignore[untyped-decorator]
def crf_vietnamese_tokenizer() -> Callable[[Language], CrfVietnameseTokenizer]:
    return lambda nlp: CrfVietnameseTokenizer(nlp.vocab)


class NoticeTasks:
    """The pipeline component (see the module's docstring)."""

    def __init__(self, *, rules: RuleSet, reference_date: date | None) -> None:
        self.rules = rules
        self.reference_date = reference_date

    def extract(self, document: Document) -> Notice:
        return extract_document(document, self.rules, reference_date=self.reference_date)

    def __call__(self, doc: Doc) -> Doc:
        notice: Notice | None = doc._.notice
        text = doc.text  # spaCy joins the tokens at every call
        if notice is None and text.strip():
            notice = self.extract(ingest_text(text))
            doc._.notice = notice
        values = [] if notice is None else list(_values(notice, text))
        _split_tokens(doc, sorted({x for _, _, a, b, _ in values for x in (a, b)}))
        groups: dict[str, list[Span]] = {key: [] for key in [*KINDS, TASKS_KEY]}
        for key, task_id, a, b, rule in values:
            groups[key].append(_span(doc, a, b, task_id, span_id=rule))
            groups[TASKS_KEY].append(_span(doc, a, b, f"{task_id} {KINDS[key]}", span_id=rule))
        for key, spans in groups.items():
            doc.spans[key] = spans
        return doc


@Language.factory(
    FACTORY,
    default_config={"rules": None, "reference_date": None},
    assigns=["doc.spans", "doc._.notice", "doc._.tasks"],
)
def make_notice_tasks(
    nlp: Language, name: str, rules: str | None, reference_date: str | None
) -> NoticeTasks:
    """`rules`: a rules folder (None: the shipped rules); `reference_date`: ISO date or None."""
    ref = None
    if reference_date is not None:
        try:
            ref = date.fromisoformat(reference_date)
        except ValueError:
            raise ValueError(
                f"{name}: reference_date {reference_date!r} is not a date; give it as YYYY-MM-DD."
            ) from None
    ruleset = cached_rules() if rules is None else load_rules(Path(rules))
    return NoticeTasks(rules=ruleset, reference_date=ref)


def notice_doc(nlp: Language, source: str | Path | Document, *, component: str = FACTORY) -> Doc:
    """The Doc of the canonical text of a notice file (a path, or its `Document` from
    `extractor.ingest.ingest_path`), carrying its notice: the one `extract(path)` returns,
    with the component's rules and reference date. `nlp(doc)` or `nlp.pipe(docs)` then lays
    the spans. Raises `InputError` for a file that cannot be read."""
    pipe = nlp.get_pipe(component)
    if not isinstance(pipe, NoticeTasks):
        raise ValueError(f"the pipeline's {component!r} is not the {FACTORY} component.")
    document = source if isinstance(source, Document) else ingest_path(Path(source))
    notice = pipe.extract(document)
    doc = nlp.make_doc(notice.document.text)
    doc._.notice = notice
    return doc


def displacy_options(doc: Doc) -> dict[str, Any]:
    """Options for `displacy.render(doc, style="span", options=...)`: the `tasks` spans,
    coloured by what they are (unit, coordinator, action, deadline)."""
    labels = {span.label_ for span in doc.spans.get(TASKS_KEY, [])}
    return {
        "spans_key": TASKS_KEY,
        "colors": {label: COLORS[label.split(" ", 1)[1]] for label in labels},
    }


def _values(notice: Notice, text: str) -> Iterator[tuple[str, str, int, int, str]]:
    """(span key, task id, start, end, rule) of every value of every task, the offsets on the
    Doc's text and trimmed of whitespace (no token starts or ends in it)."""
    to_doc = _to_doc(notice.document, text)
    for task in notice.tasks:
        for key, start, end, rule in _task_values(task):
            a, b = to_doc(start), to_doc(end)
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            yield key, task.id, a, b, rule


def _task_values(task: Task) -> Iterator[tuple[str, int, int, str]]:
    for s in task.units:
        yield "units", s.start, s.end, s.rule or ""
    for s in task.coordinators:
        yield "coordinators", s.start, s.end, s.rule or ""
    yield "actions", task.action.start, task.action.end, task.action.rule or ""
    if task.deadline is not None:
        yield "deadlines", task.deadline.start, task.deadline.end, task.deadline.rule


def _to_doc(document: Document, text: str) -> Callable[[int], int]:
    """Map the notice's offsets onto the Doc's text: the same text, or the source text it was
    normalized from (the offset map)."""
    if document.text == text:
        return lambda offset: offset
    if document.source_text == text:
        return document.to_source
    raise ValueError(
        "doc._.notice was extracted from another text than this Doc's: make the Doc with "
        "extractor.spacy_component.notice_doc(nlp, path), or leave doc._.notice unset."
    )


def _split_tokens(doc: Doc, cuts: list[int]) -> None:
    """Split every token that a cut falls inside, so that each cut is a token edge; whitespace
    inside a split token becomes a token of its own. Span groups already on the Doc (spaCy
    does not move them) are laid again on the same characters."""
    starts, lengths = (list(column) for column in doc.to_array(["IDX", "LENGTH"]).T)
    inner: dict[int, list[int]] = {}  # token index -> the cuts inside it
    for cut in cuts:
        i = bisect_right(starts, cut) - 1
        if i >= 0 and starts[i] < cut < starts[i] + lengths[i]:
            inner.setdefault(i, []).append(cut - starts[i])
    todo = [(doc[i], _pieces(doc[i].text, sorted(at))) for i, at in inner.items()]
    if not todo:
        return
    saved = {
        key: (group.attrs, [(s.start_char, s.end_char, s.label, s.kb_id, s.id) for s in group])
        for key, group in doc.spans.items()
    }
    parsed = doc.has_annotation("DEP")
    with doc.retokenize() as retokenizer:
        for token, orths in todo:
            n = len(orths)
            heads: list[Any] = [(token, i) for i in range(n)]
            if parsed:  # the pieces hang on the last one, which keeps the token's head
                last = (token, n - 1)
                heads = [last] * (n - 1) + [last if token.head == token else token.head]
            retokenizer.split(token, orths, heads)
    for key, (attrs, spans) in saved.items():
        doc.spans[key] = SpanGroup(
            doc,
            name=key,
            attrs=attrs,
            spans=[_span(doc, a, b, label, kb_id=kb, span_id=i) for a, b, label, kb, i in spans],
        )


def _span(doc: Doc, a: int, b: int, label: str | int, **attrs: Any) -> Span:
    span = doc.char_span(a, b, label=label, **attrs)
    if span is None:  # _split_tokens made every edge a token edge
        raise RuntimeError(f"no token starts at {a} or ends at {b} after splitting; a bug.")
    return span


def _pieces(text: str, cuts: list[int]) -> list[str]:
    """`text` cut at `cuts`, each piece's leading and trailing whitespace a piece of its own."""
    out: list[str] = []
    for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True):
        piece = text[a:b]
        core = piece.strip()
        lead = piece[: len(piece) - len(piece.lstrip())]
        trail = piece[len(piece.rstrip()) :] if core else ""
        out.extend(p for p in (lead, core, trail) if p)
    return out


# Notice and the models inside it as msgpack maps, so that doc._.notice survives
# `doc.to_bytes()` and `nlp.pipe(n_process=...)`: a map names its class, read back only among
# the dataclasses of `extractor.models`; sequences come back as tuples, as the models hold them.
_MODEL, _DATE = "__extractor_model__", "__extractor_date__"
_MODELS: dict[str, type[Any]] = {
    name: cls
    for name in models.__all__
    if dataclasses.is_dataclass(cls := getattr(models, name)) and isinstance(cls, type)
}


def _encode(obj: Any, chain: Callable[[Any], Any] | None = None) -> Any:
    if dataclasses.is_dataclass(obj) and _MODELS.get(type(obj).__name__) is type(obj):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        return {_MODEL: type(obj).__name__, **fields}
    if type(obj) is date:
        return {_DATE: obj.isoformat()}
    return obj if chain is None else chain(obj)


def _decode(obj: Any, chain: Callable[[Any], Any] | None = None) -> Any:
    if isinstance(obj, dict):
        if _MODEL in obj:
            cls = _MODELS.get(obj.pop(_MODEL))
            if cls is None:
                raise ValueError("a serialized Doc names an unknown extractor model.")
            return cls(**{key: _tuples(value) for key, value in obj.items()})
        if _DATE in obj and len(obj) == 1:
            return date.fromisoformat(obj[_DATE])
    return obj if chain is None else chain(obj)


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


srsly.msgpack_encoders.register("extractor.models", func=_encode)
srsly.msgpack_decoders.register("extractor.models", func=_decode)
