"""Field blocks: one task per item of a plan written as paragraphs, its units, coordinators and
deadline from the field lines after it ("- Cơ quan chủ trì: X", "- Thời gian thực hiện: Y").

A field block never inherits: an item without a lead field has no units. The units of a lead
field are the unit phrases opening each of its ";" clauses ("Sở X chủ trì, phối hợp với Y"
also gives the coordinator Y); coordinators also come from the support field and from a
"phối hợp với Z …" opening the item's action.
"""

from __future__ import annotations

from datetime import date

from ..deadlines import find_deadlines, pick_deadline
from ..models import Deadline, Span, Task, Trace
from ..nlp import Words
from ..rules import RuleSet
from ..segment import FieldBlock, Layout
from .build import action_span, confidence_of, flags_of
from .clauses import Found, roles_and_action
from .units import split_units, unit_phrase
from .vocab import Vocabulary

__all__ = ["field_tasks"]


def _clauses(text: str, span: Span) -> list[tuple[int, int]]:
    out, a = [], span.start
    for i in range(span.start, span.end):
        if text[i] == ";":
            out.append((a, i))
            a = i + 1
    out.append((a, span.end))
    return [(x, y) for x, y in out if text[x:y].strip()]


def _lead_units(v: Vocabulary, text: str, span: Span) -> tuple[list[Span], list[Span], list[str]]:
    """Units and coordinators named by a lead field's value."""
    units: list[Span] = []
    coordinators: list[Span] = []
    fired: list[str] = []
    for a, b in _clauses(text, span):
        while a < b and text[a] == " ":
            a += 1
        words = Words(text, a, b)
        phrase = unit_phrase(v, text, a, b, words)
        if phrase is None:
            spans, rules = split_units(v, text, a, b)
            units += spans
            fired += rules
            continue
        units += phrase.units
        fired += phrase.rules
        if phrase.stop == "role":
            _, coord, role_rules = roles_and_action(v, text, phrase.end, b, words)
            coordinators += coord
            fired += role_rules
    return units, coordinators, fired


def _opening_coordinators(v: Vocabulary, text: str, a: int, b: int) -> tuple[Span, ...]:
    """ "Tiếp tục phối hợp với X rà soát …": X coordinates the item's task."""
    pos = a
    for _ in range(2):
        adverb = v.action_at(text, pos, b, any_case=True)
        if adverb is None or adverb[0].kind != "adverb":
            break
        pos = adverb[1].end()
        while pos < b and text[pos] in " ,":
            pos += 1
    role = v.role_at(text, pos, b)
    if role is None or role[0].kind != "coordinate":
        return ()
    phrase = unit_phrase(v, text, role[1].end(), b, Words(text, role[1].end(), b))
    return phrase.units if phrase else ()


def field_tasks(
    v: Vocabulary,
    text: str,
    layout: Layout,
    ref: date | None,
    rules: RuleSet,
    trace: list[Trace],
) -> list[Task]:
    out: list[Task] = []
    for block in layout.field_blocks:
        units: list[Span] = []
        coordinators: list[Span] = []
        fired = list(block.rules)
        if "lead" in block.fields:
            u, c, r = _lead_units(v, text, block.fields["lead"])
            units, coordinators, fired = u, c, fired + r
        if "support" in block.fields:
            cell = block.fields["support"]
            spans, r = split_units(v, text, cell.start, cell.end)
            coordinators, fired = coordinators + spans, fired + r
        dl: Deadline | None = None
        if "deadline" in block.fields:
            cell = block.fields["deadline"]
            dl = pick_deadline(find_deadlines(text, cell.start, cell.end, ref, rules, column=True))
        for a, b in block.targets:
            out.append(_task(v, text, layout, block, a, b, units, coordinators, dl, fired, ref))
            trace.extend(Trace(rid, a, b) for rid in dict.fromkeys(out[-1].rules))
    return out


def _task(
    v: Vocabulary,
    text: str,
    layout: Layout,
    block: FieldBlock,
    a: int,
    b: int,
    units: list[Span],
    coordinators: list[Span],
    dl: Deadline | None,
    fired: list[str],
    ref: date | None,
) -> Task:
    sentence = next((s for s in layout.sentences if s.start <= a < s.end), None)
    section = sentence.section if sentence else None
    end = b  # the whole item, all its sentences, is the task
    deadline = dl
    if deadline is None or deadline.kind == "none":
        own = pick_deadline(find_deadlines(text, a, end, ref, v.rules))
        deadline = own if own is not None and own.kind != "none" else deadline
    extra = [c for c in _opening_coordinators(v, text, a, end) if c not in coordinators]
    found = Found(tuple(units), tuple(coordinators + extra), a, fired, 0.85, "field")
    flags = flags_of(found, deadline, ref)
    confidence, flags = confidence_of(found, flags)
    rules_fired = [*fired, *([deadline.rule] if deadline else [])]
    return Task(
        id="T0",
        section=section,
        units=found.units,
        coordinators=found.coordinators,
        action=action_span(text, a, end, deadline),
        deadline=deadline,
        evidence=Span(text[a:end], a, end),
        rules=tuple(dict.fromkeys(rules_fired)),
        confidence=confidence,
        units_from="field" if units else "none",
        flags=flags,
    )
