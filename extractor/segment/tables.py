"""Task tables: a header row naming a content column and a lead or deadline column, then one
row per task, each field from its column."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Span, Trace
from ..rules import CompiledRule, RuleSet
from .blocks import CELL_SEP, LINE

__all__ = ["TableRow", "find_tables"]


@dataclass(frozen=True)
class TableRow:
    """A data row of a plan's task table: the cells by column role (content, lead, ...)."""

    start: int
    end: int
    cells: dict[str, Span]
    section: str | None
    rules: tuple[str, ...]


def _cells(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Cell spans of a pipe- or tab-separated line (empty cells kept, outer pipes dropped)."""
    out: list[tuple[int, int]] = []
    pos = a
    for sep in CELL_SEP.finditer(text, a, b):
        out.append((pos, sep.start()))
        pos = sep.end()
    out.append((pos, b))
    if out and not text[out[0][0] : out[0][1]].strip():
        out = out[1:]
    if out and not text[out[-1][0] : out[-1][1]].strip():
        out = out[:-1]
    return out


def find_tables(
    text: str, rules: RuleSet, body_end: int, trace: list[Trace]
) -> tuple[list[TableRow], list[tuple[int, int]]]:
    """Task tables: a header row naming a content column and a lead or deadline column."""
    columns = rules.of("sections", "table_column")
    lines = [m for m in LINE.finditer(text) if m.start() < body_end]
    rows: list[TableRow] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i].group(0)
        if "|" not in line and "\t" not in line:  # one cell: not a table row
            i += 1
            continue
        cells = _cells(text, lines[i].start(), lines[i].end())
        roles: dict[int, CompiledRule] = {}
        if len(cells) >= 3:
            for k, (a, b) in enumerate(cells):
                for rule in columns:
                    if rule.regex.match(text[a:b].strip()) and rule.value not in {
                        r.value for r in roles.values()
                    }:
                        roles[k] = rule
                        break
        values = {r.value for r in roles.values()}
        if "content" not in values or not values & {"lead", "deadline"}:
            i += 1
            continue
        header_rules = tuple(r.id for r in roles.values())
        trace.append(Trace(header_rules[0], lines[i].start(), lines[i].end()))
        table_start = lines[i].start()
        j = i + 1
        while j < len(lines):
            row_cells = _cells(text, lines[j].start(), lines[j].end())
            if len(row_cells) < 2:
                # a group heading inside the table ("I. Hạ tầng số") when rows follow it
                nxt = lines[j + 1] if j + 1 < len(lines) else None
                if nxt is None or len(_cells(text, nxt.start(), nxt.end())) < len(roles):
                    break
                j += 1
                continue
            by_role: dict[str, Span] = {}
            for k, rule in roles.items():
                if k < len(row_cells):
                    a, b = row_cells[k]
                    seg = text[a:b]
                    a2 = a + len(seg) - len(seg.lstrip())
                    b2 = a + len(seg.rstrip())
                    if b2 > a2 and rule.value:
                        by_role[rule.value] = Span(text[a2:b2], a2, b2, rule.id)
            if "content" in by_role and len(row_cells) >= len(roles):
                rows.append(TableRow(lines[j].start(), lines[j].end(), by_role, None, header_rules))
            j += 1
        spans.append((table_start, lines[j - 1].end()))
        i = j
    return rows, spans
