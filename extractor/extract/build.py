"""A task from what a clause gave: its action span, flags and confidence."""

from __future__ import annotations

import re
from datetime import date

from ..models import Deadline, Span
from .clauses import Found

__all__ = ["action_span", "confidence_of", "flags_of"]


def action_span(
    text: str, a: int, b: int, deadline: Deadline | None, lead: int | None = None
) -> Span:
    """The action: text[a:b] without the deadline phrase (from `lead`, the words introducing
    it, if given), trailing punctuation trimmed."""
    while b > a and text[b - 1] in " .;,:/":
        b -= 1
    while a < b and text[a] in " ,;:":
        a += 1
    value = text[a:b]
    if deadline and deadline.kind != "none" and a <= deadline.start and deadline.end <= b:
        value = text[a : deadline.start if lead is None else lead] + " " + text[deadline.end : b]
        value = re.sub(r"\(\s*\)", " ", value)
        value = re.sub(r"\s+([,.;:)])", r"\1", value)
        value = re.sub(r"([,;])(?:\s*[,;])+", r"\1", value)  # "này, , năm" once cut out
    value = " ".join(value.split()).strip(" ,;:.")
    if not value:  # "Hoàn thành trong tháng 3/2023.": the deadline is the whole order
        value = " ".join(text[a:b].split())
    if value:
        value = value[0].lower() + value[1:] if value[:2] != value[:2].upper() else value
    return Span(value, a, b)


def flags_of(f: Found, dl: Deadline | None, ref: date | None) -> tuple[str, ...]:
    """What a person should look at: no unit, an inherited unit, a deadline phrase that gave no
    date, a deadline before the notice (low confidence is added by `confidence_of`). A task
    without a deadline is normal and not flagged."""
    flags = []
    if not f.units:
        flags.append("no_unit")
    elif f.units_from not in ("sentence", "field"):
        flags.append("unit_inherited")
    if dl is not None and dl.date is None and dl.kind not in ("none", "recurring"):
        flags.append("unresolved_deadline")
    if dl is not None and dl.date is not None and ref is not None and dl.date < ref:
        flags.append("deadline_before_notice")
    return tuple(flags)


def confidence_of(f: Found, flags: tuple[str, ...]) -> tuple[float, tuple[str, ...]]:
    """The task's confidence from its clause's, lowered without units or with an unresolved
    deadline; `low_confidence` is flagged below 0.5."""
    confidence = round(
        f.confidence
        * (1.0 if f.units else 0.7)
        * (0.85 if "unresolved_deadline" in flags else 1.0),
        2,
    )
    return confidence, (*flags, "low_confidence") if confidence < 0.5 else flags
