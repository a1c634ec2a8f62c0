"""Task tables: one task per data row of a plan's table, each field from its column."""

from __future__ import annotations

from datetime import date

from ..deadlines import find_deadlines, pick_deadline
from ..models import Span, Task, Trace
from ..rules import RuleSet
from ..segment import Layout
from .build import action_span, flags_of
from .clauses import Found
from .units import split_units
from .vocab import Vocabulary

__all__ = ["table_tasks"]


def table_tasks(
    v: Vocabulary,
    text: str,
    layout: Layout,
    ref: date | None,
    rules: RuleSet,
    trace: list[Trace],
) -> list[Task]:
    out: list[Task] = []
    for row in layout.table_rows:
        content = row.cells["content"]
        fired = list(row.rules)
        units: tuple[Span, ...] = ()
        coordinators: tuple[Span, ...] = ()
        if "lead" in row.cells:
            spans, unit_rules = split_units(v, text, row.cells["lead"].start, row.cells["lead"].end)
            units, fired = tuple(spans), fired + unit_rules
        if "support" in row.cells:
            spans, unit_rules = split_units(
                v, text, row.cells["support"].start, row.cells["support"].end
            )
            coordinators, fired = tuple(spans), fired + unit_rules
        dl = None
        if "deadline" in row.cells:
            cell = row.cells["deadline"]
            dl = pick_deadline(find_deadlines(text, cell.start, cell.end, ref, rules, column=True))
            if dl:
                fired.append(dl.rule)
        found = Found(units, coordinators, content.start, fired, 0.85, "sentence")
        action = action_span(text, content.start, content.end, None)
        for rid in dict.fromkeys(fired):
            trace.append(Trace(rid, row.start, row.end))
        out.append(
            Task(
                id="T0",
                section=row.section,
                units=units,
                coordinators=coordinators,
                action=action,
                deadline=dl,
                evidence=Span(text[row.start : row.end], row.start, row.end),
                rules=tuple(dict.fromkeys(fired)),
                confidence=0.85 if units else 0.6,
                units_from="sentence" if units else "none",
                flags=flags_of(found, dl, ref),
            )
        )
    return out
