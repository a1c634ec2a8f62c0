"""Typed values passed between the stages. All frozen; offsets index `Document.text`."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from typing import Any, Literal, TypeVar

__all__ = [
    "Block",
    "Deadline",
    "DeadlineKind",
    "Document",
    "Notice",
    "NoticeMeta",
    "Section",
    "Sentence",
    "Source",
    "Span",
    "Task",
    "Trace",
]

DeadlineKind = Literal[
    "exact_date",
    "end_of_month",
    "end_of_quarter",
    "end_of_half",
    "end_of_year",
    "relative",
    "recurring",
    "range_end",
    "none",
]


_T = TypeVar("_T")


def _fields_at_once(cls: type[_T]) -> type[_T]:
    """A frozen dataclass whose `__init__` sets its fields in one step: the dataclass's own
    sets them one `object.__setattr__` at a time, twice as slow, for the objects made by the
    thousand per notice (spans, traces, blocks, sentences). Still frozen (assigning a field
    raises), compared and hashed by value; the same parameters and defaults."""
    own = fields(cls)  # type: ignore[arg-type]
    names = [f.name for f in own]
    defaults = {f"_{f.name}": f.default for f in own if f.default is not MISSING}
    params = ", ".join(n + (f"=_{n}" if f"_{n}" in defaults else "") for n in names)
    values = ", ".join(f"{n!r}: {n}" for n in names)
    source = f"def __init__(self, {params}):\n    _set(self, '__dict__', {{{values}}})\n"
    scope: dict[str, Any] = {"_set": object.__setattr__, **defaults}
    exec(source, scope)  # as `dataclasses` writes its own __init__
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses assigning to a method)
    return cls


@_fields_at_once
@dataclass(frozen=True)
class Span:
    """A piece of the canonical text: `text == document.text[start:end]` (after trimming)."""

    text: str
    start: int
    end: int
    rule: str | None = None


@dataclass(frozen=True)
class Source:
    path: str | None
    sha256: str
    format: Literal["text", "html", "doc", "docx", "pdf", "image"]
    encoding: str
    # PDF pages read by OCR, with why: (page number, "no text layer" | "text layer fails …")
    ocr_pages: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Document:
    """The canonical text of one notice and how it maps back to the source text.

    `offset_map` holds (canonical_offset, source_offset) breakpoints: from each breakpoint on,
    source = canonical + (source_bp - canonical_bp) until the next one.
    `source_text` is the decoded file (text input) or the page's extracted text (HTML input).
    """

    text: str
    source: Source
    source_text: str
    offset_map: tuple[tuple[int, int], ...] = ()
    # (start, end, where) ranges of source_text: "paragraph 12", "table 2 row 3", "page 1"
    locations: tuple[tuple[int, int, str], ...] = ()

    def to_source(self, offset: int) -> int:
        """Map a canonical offset to the matching offset in `source_text`."""
        delta = 0
        for canon, src in self.offset_map:
            if canon > offset:
                break
            delta = src - canon
        return offset + delta


@_fields_at_once
@dataclass(frozen=True)
class Block:
    """One line, list item or table cell; `body` excludes the list/section marker."""

    start: int
    end: int
    body_start: int
    marker: str | None
    marker_kind: str | None
    level: int
    is_heading: bool


@dataclass(frozen=True)
class Section:
    id: str
    marker: str
    level: int
    title: Span
    parent: str | None


@_fields_at_once
@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    block: int
    section: str | None
    is_item: bool


@dataclass(frozen=True)
class Deadline:
    date: date | None
    text: str
    kind: DeadlineKind
    recurring: str | None
    start: int
    end: int
    rule: str
    note: str | None = None


@dataclass(frozen=True)
class Task:
    id: str
    section: str | None
    units: tuple[Span, ...]
    coordinators: tuple[Span, ...]
    action: Span
    deadline: Deadline | None
    evidence: Span
    rules: tuple[str, ...]
    confidence: float
    units_from: Literal["sentence", "field", "previous_task", "section", "addressees", "none"] = (
        "sentence"
    )
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeMeta:
    number: Span | None = None
    date: date | None = None
    date_span: Span | None = None
    issuer: Span | None = None
    type: str | None = None
    subject: Span | None = None
    signer: Span | None = None
    addressees: tuple[Span, ...] = ()


@_fields_at_once
@dataclass(frozen=True)
class Trace:
    """One rule firing anywhere in the document: the explanation log."""

    rule: str
    start: int
    end: int


@dataclass(frozen=True)
class Notice:
    document: Document
    meta: NoticeMeta
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    trace: tuple[Trace, ...] = field(default=())

    @property
    def rules_fired(self) -> frozenset[str]:
        return frozenset(t.rule for t in self.trace)
