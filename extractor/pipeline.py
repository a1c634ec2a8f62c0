"""The whole pipeline on one notice: ingest -> segment -> metadata -> tasks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from .errors import InputError
from .extract import extract_tasks
from .ingest import SUFFIXES, ingest_path, ingest_text
from .metadata import extract_meta
from .models import Document, Notice, Trace
from .rules import RuleSet, cached_rules
from .segment import blank_markup, segment, unwrap

__all__ = ["extract", "extract_document"]


def extract_document(
    document: Document, rules: RuleSet | None = None, *, reference_date: date | None = None
) -> Notice:
    """The notice in `document`. Deadlines resolve against the notice's own date or, for a
    text that states none (a sentence, an excerpt), against `reference_date`."""
    rules = rules or cached_rules()
    trace: list[Trace] = []
    text = unwrap(blank_markup(document.text), rules, trace)
    if text != document.text:  # same length: offsets and the offset map still hold
        document = replace(document, text=text)
    layout = segment(text, rules)
    trace.extend(layout.trace)
    meta = extract_meta(text, rules, trace, layout.body_end)
    meta = type(meta)(**{**meta.__dict__, "addressees": layout.addressees})
    tasks = extract_tasks(text, layout, rules, meta.date or reference_date, trace)
    return Notice(
        document=document,
        meta=meta,
        sections=layout.sections,
        tasks=tuple(tasks),
        trace=tuple(trace),
    )


def extract(source: str | Path, *, rules: RuleSet | None = None) -> Notice:
    """Extract a notice from a path (a `Path`, or a str naming an existing file) or from text.
    A one-line str ending in a notice suffix (".txt", ".pdf", ...) that names no file is an
    InputError, not a notice."""
    if isinstance(source, Path):
        return extract_document(ingest_path(source), rules)
    if "\n" not in source and len(source) < 4096:
        candidate = Path(source)
        try:
            if candidate.is_file():
                return extract_document(ingest_path(candidate), rules)
        except OSError:
            pass
        if candidate.suffix.lower() in SUFFIXES - {""}:
            raise InputError(
                source,
                "no such file.",
                "Give an existing file, or the notice's text.",
            )
    return extract_document(ingest_text(source), rules)
