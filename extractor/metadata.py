"""Notice metadata: number, date, issuer, type, subject and signer, from `rules/metadata.yaml`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache, partial

from .models import NoticeMeta, Span, Trace
from .rules import CompiledRule, RuleSet

__all__ = ["extract_meta"]


def _group_date(m: re.Match[str], default_year: Callable[[], int | None]) -> date | None:
    g = m.groupdict()
    d, mo, y = g.get("d") or g.get("d2"), g.get("m") or g.get("m2"), g.get("y") or g.get("y2")
    if not d or not mo:
        return None
    year = int(y) if y else default_year()
    if year is None:
        return None
    try:
        return date(year, int(mo), int(d))
    except ValueError:
        return None


def _value(m: re.Match[str]) -> Span | None:
    """The `value` group, trimmed; its text has its inner white space folded."""
    if "value" not in m.groupdict() or m.group("value") is None:
        return None
    group = m.group("value")
    raw = group.strip().rstrip(" .;,")
    a = m.start("value") + len(group) - len(group.lstrip())
    return Span(" ".join(raw.split()), a, a + len(raw))


def _search(rule: CompiledRule, text: str) -> tuple[CompiledRule, re.Match[str]] | None:
    m = rule.regex.search(text)
    return (rule, m) if m else None


def _latest_year(text: str) -> int | None:
    years = [
        int(y)
        for y in re.findall(r"(?<!\d)\d{1,2}\s*/\s*\d{1,2}\s*/\s*((?:19|20)\d{2})(?!\d)", text)
    ]
    years += [int(y) for y in re.findall(r"tháng\s+\d{1,2}\s+năm\s+((?:19|20)\d{2})", text)]
    return max(years) if years else None


@lru_cache(maxsize=4)
def _by_kind(rules: RuleSet) -> dict[tuple[str, bool], tuple[CompiledRule, ...]]:
    """Metadata rules by (kind, read right after the number?), in file order."""
    out: dict[tuple[str, bool], tuple[CompiledRule, ...]] = {}
    for r in rules.of("metadata"):
        key = (r.kind, r.value == "after_number")
        out[key] = (*out.get(key, ()), r)
    return out


def extract_meta(text: str, rules: RuleSet, trace: list[Trace], body_end: int) -> NoticeMeta:
    head = text[:body_end]
    by_kind = _by_kind(rules)

    def rules_of(kind: str, anchored: bool = False) -> tuple[CompiledRule, ...]:
        return by_kind.get((kind, anchored), ())

    number: Span | None = None
    for rule in rules_of("number"):
        m = rule.regex.search(head)
        if m:
            v = _value(m)
            if v:
                number = Span(re.sub(r"\s+", "", v.text), v.start, v.end, rule.id)
                trace.append(Trace(rule.id, v.start, v.end))
                break

    def after_number(kind: str) -> tuple[CompiledRule, re.Match[str]] | None:
        if number is None:
            return None
        for rule in rules_of(kind, anchored=True):
            m = rule.regex.match(text, number.end, body_end)
            if m:
                return rule, m
        return None

    # In this order: place line, issued field, date after the number, news lead; the first
    # that reads as a date wins (a date without its year takes the latest year of the header).
    day: date | None = None
    day_span: Span | None = None
    dated = rules_of("date")
    first = [r for r in dated if r.id.endswith(("place_line", "issued_field"))]
    tries: list[Callable[[], tuple[CompiledRule, re.Match[str]] | None]] = [
        *(partial(_search, r, head) for r in first),
        partial(after_number, "date"),
        *(partial(_search, r, head) for r in dated if r not in first),
    ]
    for attempt in tries:
        hit = attempt()
        if hit is None:
            continue
        rule, m = hit
        day = _group_date(m, lambda: _latest_year(head[:3000]))
        if day:
            day_span = Span(m.group(0).strip(), m.start(), m.end(), rule.id)
            trace.append(Trace(rule.id, m.start(), m.end()))
            break

    def first_value(kind: str) -> Span | None:
        options = (
            partial(after_number, kind),
            *(partial(_search, r, head) for r in rules_of(kind)),
        )
        for attempt in options:
            hit = attempt()
            if hit is None:
                continue
            rule, m = hit
            v = _value(m)
            if v and v.text:
                trace.append(Trace(rule.id, v.start, v.end))
                return Span(v.text, v.start, v.end, rule.id)
        return None

    issuer = first_value("issuer")
    subject = first_value("subject")
    signer = None
    for rule in rules_of("signer"):
        ms = list(rule.regex.finditer(text))
        if ms:
            v = _value(ms[-1])
            if v:
                trace.append(Trace(rule.id, v.start, v.end))
                signer = Span(v.text, v.start, v.end, rule.id)
                break
    doc_type = None
    # The number's own code decides ("49/TB-..."), then the word naming it, then the page.
    probes = []
    if number:
        probes = [
            (number.text, number.start),
            (text[max(0, number.start - 30) : number.start], max(0, number.start - 30)),
        ]
    probes.append((head[:3000], 0))
    for probe, offset in probes:
        for rule in rules_of("type"):
            m = rule.regex.search(probe)
            if m:
                doc_type = rule.value
                trace.append(Trace(rule.id, offset + m.start(), offset + m.end()))
                break
        if doc_type:
            break
    return NoticeMeta(
        number=number,
        date=day,
        date_span=day_span,
        issuer=issuer,
        type=doc_type,
        subject=subject,
        signer=signer,
    )
