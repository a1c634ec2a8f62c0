"""Deadlines: find the forms of `rules/deadlines.yaml` in a text and resolve them to dates.

Resolution takes an explicit reference date (the notice's date); with none, forms that need
it resolve to no date. Impossible dates ("31/2/2020", "ngày 45") give no date, never a crash.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from .models import Deadline, DeadlineKind
from .prefilter import grouped, skipping
from .rules import CompiledRule, RuleSet, search_screen, union_regex

__all__ = ["find_deadlines", "pick_deadline", "resolve"]

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_working_days(start: date, n: int) -> date:
    d = start
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _add_months(start: date, n: int) -> date:
    y, m = divmod(start.month - 1 + n, 12)
    y, m = start.year + y, m + 1
    return date(y, m, min(start.day, calendar.monthrange(y, m)[1]))


def _int(m: re.Match[str], name: str) -> int | None:
    groups = m.groupdict()
    return int(groups[name]) if groups.get(name) else None


def resolve(
    rule: CompiledRule, m: re.Match[str], ref: date | None
) -> tuple[date | None, str | None]:
    """The date a tracker enters for this match, and a note when there is none."""
    kind = rule.kind
    y = _int(m, "y")
    try:
        if kind in ("exact_date", "range_end"):
            d, mo = _int(m, "d"), _int(m, "m")
            if d is None or mo is None:
                return None, "incomplete date"
            if y is not None:
                return date(y, mo, d), None
            if ref is None:
                return None, "no year and no notice date"
            out = date(ref.year, mo, d)
            return (out if out >= ref else date(ref.year + 1, mo, d)), None
        if kind == "end_of_month":
            mo = _int(m, "m")
            if mo is None:
                return None, "incomplete month"
            if y is None:
                if ref is None:
                    return None, "no year and no notice date"
                y = ref.year if _month_end(ref.year, mo) >= ref else ref.year + 1
            return _month_end(y, mo), None
        if kind == "end_of_quarter":
            q_text = m.group("q")
            q = ROMAN.get(q_text.upper()) or int(q_text)
            if y is None:  # as for a day without its year: the next such quarter's end
                if ref is None:
                    return None, "no year and no notice date"
                y = ref.year if _month_end(ref.year, 3 * q) >= ref else ref.year + 1
            return _month_end(y, 3 * q), None
        if kind in ("end_of_half", "end_of_year"):
            y = y if y is not None else (ref.year if ref else None)
            if y is None:
                return None, "no year and no notice date"
            return (date(y, 6, 30) if rule.value == "H1" else date(y, 12, 31)), None
        if kind == "relative":
            if rule.value == "unknown_anchor":
                return None, "counted from an event the notice does not date"
            if ref is None:
                return None, "no notice date to count from"
            n = int(m.group("n"))
            unit = " ".join(m.group("unit").split())
            if unit == "ngày làm việc":
                return _add_working_days(ref, n), None
            if unit == "tuần":
                return ref + timedelta(weeks=n), None
            if unit == "tháng":
                return _add_months(ref, n), None
            return ref + timedelta(days=n), None
    except ValueError as exc:
        return None, f"impossible date ({exc})"
    return None, None


@lru_cache(maxsize=8)
def _forms(rules: RuleSet, column: bool) -> tuple[CompiledRule, ...]:
    return tuple(r for r in rules.of("deadlines") if column or r.value != "column")


LETTER_RANGE = re.compile(r"[^\W\d_]-[^\W\d_]")


@lru_cache(maxsize=8)
def _lower_screen(forms: tuple[CompiledRule, ...]) -> re.Pattern[str] | None:
    """The union of the forms, its letters lower-cased, to run without IGNORECASE on lower-cased
    text: the same places, twice as fast. None where that would not hold (a form minding case,
    a letter range such as [A-Z] whose lower-cased ends would not mean the same)."""
    return _lowered(union_regex(forms))


def _lowered(union: re.Pattern[str]) -> re.Pattern[str] | None:
    if not union.flags & re.IGNORECASE or LETTER_RANGE.search(union.pattern):
        return None
    # lower-case everything but escapes ("\\D" stays a non-digit); names were dropped
    source = re.sub(
        r"\\.|[^\\]+", lambda m: m[0] if m[0][0] == "\\" else m[0].lower(), union.pattern
    )
    try:
        return re.compile(source)
    except re.error:
        return None


@lru_cache(maxsize=8)
def _screens(forms: tuple[CompiledRule, ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """The forms' screen and their small-letter screen, each searched from its first letters;
    the small-letter one tries at each place only the forms that can start there."""
    lower = _lower_screen(forms)
    if lower is None:
        return search_screen(forms), None
    each = [_lowered(union_regex((form,))) for form in forms]
    by_first = grouped([p for p in each if p is not None]) if None not in each else None
    return search_screen(forms), by_first or skipping(lower)


def find_deadlines(
    text: str, start: int, end: int, ref: date | None, rules: RuleSet, *, column: bool = False
) -> list[Deadline]:
    """Every deadline form in text[start:end], overlapping ones resolved: the earliest wins,
    then the longest, then the first in file order.

    One pattern joining all forms finds the next place any form starts; only there is each
    form tried. `column=True` reads a table's deadline column, where a bare "Tháng 9/2020" is
    a deadline.
    """
    forms = _forms(rules, column)
    chunk = text[start:end]
    screen, lower_screen = _screens(forms)
    hay = chunk
    if lower_screen is not None and len(low := chunk.lower()) == len(chunk):
        screen, hay = lower_screen, low
    out: list[Deadline] = []
    pos = 0
    while (hit := screen.search(hay, pos)) is not None:
        at = hit.start()
        best: tuple[CompiledRule, re.Match[str]] | None = None
        for rule in forms:
            m = rule.regex.match(chunk, at)
            if m and m.end() > at and (best is None or m.end() > best[1].end()):
                best = rule, m
        if best is None:  # the screen matches more than the forms (it drops back-references)
            pos = at + 1
            continue
        rule, m = best
        day, note = resolve(rule, m, ref)
        kind: DeadlineKind = rule.kind  # type: ignore[assignment]
        lead = len(m.group(0)) - len(m.group(0).lstrip())  # column forms allow leading space
        out.append(
            Deadline(
                day,
                m.group(0)[lead:],
                kind,
                rule.freq,
                start + at + lead,
                start + m.end(),
                rule.id,
                note,
            )
        )
        pos = m.end()
    return out


def pick_deadline(candidates: list[Deadline]) -> Deadline | None:
    """The task's deadline: the first dated or recurring form; a `none` form only if alone."""
    for d in candidates:
        if d.kind != "none":
            return d
    return candidates[0] if candidates else None
