"""Task tables: a header row naming a content column and a lead or deadline column, then one
row per task, each field from its column.

A plan's table reaches the text flattened in one of two ways, both read here:

- one row a line, its cells between " | " (HTML and Word tables, Markdown) or tabs (a sheet
  copied as text; one tab a cell, so an empty cell keeps its place):
  ``1 | Rà soát hồ sơ | Phòng Nội vụ | | Tháng 9/2020``;
- one cell a line or a few (a wrapped cell), between lines that hold only "|" (a legal
  database's export): a row ends where two "|" lines meet, that is at an empty cell followed
  by a row number (`table_number`), or once it has as many cells as the header.

Reading order. The header is the first row whose cells name a content column and a lead or
deadline column (`table_column` rules). Its columns count from its first named cell, so a
title that runs into the header row ("PHỤ LỤC … (Kèm theo Kế hoạch số …)") is no column. Each
later row with a content cell is a task, unless it fills no lead, coordinator or deadline
cell: a part heading inside the table ("I | KIỆN TOÀN BỘ MÁY"). A header row naming other
fields begins the next table; one naming the same fields (a page's repeated header, perhaps
without its number column) is skipped. A cell without letters or digits ("…………", "---") is
empty. A table after the body's end is read too: a plan's appendix after the signature
("PHỤ LỤC", "(Kèm theo Kế hoạch …)") holds its task table, and a task-table header is
evidence enough of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from ..models import Span, Trace
from ..rules import CompiledRule, RuleSet, union_regex

__all__ = ["TableRow", "find_tables"]

PIPE = re.compile(r"(?<!\S)\|(?!\S)")
TAB = re.compile(r"\t")
LONE_PIPE = re.compile(r"^[ \t]*\|[ \t]*$", re.MULTILINE)
ROW_LINE = re.compile(r"^[^\n]*(?:(?<!\S)\||\t)[^\n]*$", re.MULTILINE)  # a line with a separator
BLANK_LINE = re.compile(r"\n[ \t]*\n")
FILLED = re.compile(r"[^\W_]")  # a letter or digit
# a stretch between two "|" lines longer than this, or holding a blank line, is running text
# (the body between a header block and the signature), not a cell
MAX_CELL_LINES, MAX_CELL_CHARS = 30, 2500
MIN_COLUMNS = 3
FIELDS = ("content", "lead", "support", "deadline")  # the cells a task row gives

Cell = tuple[int, int]  # a cell's span, trimmed; empty where start == end


@dataclass(frozen=True)
class TableRow:
    """A data row of a plan's task table: the cells by column role (content, lead, ...)."""

    start: int
    end: int
    cells: dict[str, Span]
    section: str | None
    rules: tuple[str, ...]


@dataclass(frozen=True)
class _Header:
    first: int  # index of the header's first column among the row's cells
    roles: dict[int, CompiledRule]  # column (counted from `first`) -> its rule
    width: int  # number of columns


def find_tables(
    text: str, rules: RuleSet, body_end: int, trace: list[Trace]
) -> tuple[list[TableRow], list[tuple[int, int]]]:
    """The data rows of every task table, and the span of each table (header to last row).

    `body_end` is where the notice's body ends; tables after it (an appendix) are read too."""
    del body_end  # an appendix after the signature holds task tables as well
    columns = rules.of("sections", "table_column")
    numbers = rules.of("sections", "table_number")
    reader = _Reader(text, columns, numbers, trace)
    if "|" not in text and "\t" not in text:
        return [], []  # no cell separator anywhere: no table
    for cells_of_lines in _line_runs(text):
        reader.read_lines(cells_of_lines)
    for cells in _stacked_runs(text):
        reader.read_stacked(cells)
    return sorted(reader.rows, key=lambda r: r.start), sorted(reader.spans)


# ---------------------------------------------------------------------------- the two layouts
def _trim(text: str, a: int, b: int) -> Cell:
    seg = text[a:b]
    a2, b2 = a + len(seg) - len(seg.lstrip()), a + len(seg.rstrip())
    if b2 <= a2 or not FILLED.search(text, a2, b2):
        return (a2, a2)
    return (a2, b2)


def _line_cells(text: str, a: int, b: int) -> list[Cell]:
    """Cells of a pipe- or tab-separated line (empty cells kept, outer pipes dropped)."""
    line = text[a:b]
    sep = PIPE if "|" in line else TAB
    out: list[Cell] = []
    pos = a
    for m in sep.finditer(text, a, b):
        out.append(_trim(text, pos, m.start()))
        pos = m.end()
    out.append(_trim(text, pos, b))
    if sep is PIPE:  # "| a | b |": the outer pipes open and close the row
        if out and not text[out[0][0] : out[0][1]].strip():
            out = out[1:]
        if out and not text[out[-1][0] : out[-1][1]].strip():
            out = out[:-1]
    return out


def _line_runs(text: str) -> list[list[tuple[int, int, list[Cell]]]]:
    """Runs of lines with cells, each with its cells; one line without cells between two of
    them (a part heading: "I. Hạ tầng số") is kept, with no cells; more end the run, as does
    a lone "|" line (the stacked layout's)."""
    runs: list[list[tuple[int, int, list[Cell]]]] = []
    run: list[tuple[int, int, list[Cell]]] = []
    last = 0
    for m in ROW_LINE.finditer(text):
        a, b = m.span()
        between = _lines_between(text, last, a) if run else 0
        if between > 1 or m.group(0).strip() == "|":  # running text, or a lone "|"
            runs.append(run)
            run = []
        elif between:
            run.append((last, a, []))  # the line between
        if m.group(0).strip() != "|":
            run.append((a, b, _line_cells(text, a, b)))
        last = b
    runs.append(run)
    return [r for r in runs if any(len(c) >= MIN_COLUMNS for _, _, c in r)]


def _lines_between(text: str, a: int, b: int) -> int:
    """How many lines holding something lie wholly between offsets `a` and `b`, up to 2 (a
    run of rows only asks whether there are none, one, or more)."""
    found = 0
    nl = text.find("\n", a, b)
    while nl >= 0 and found < 2:
        nxt = text.find("\n", nl + 1, b)
        if nxt < 0:
            break  # the rest is the start of the line at `b`
        if not text[nl + 1 : nxt].isspace() and nxt > nl + 1:
            found += 1
        nl = nxt
    return found


def _stacked_runs(text: str) -> list[list[Cell]]:
    """Runs of cells between lone "|" lines; running text between two of them ends a run."""
    pipes = list(LONE_PIPE.finditer(text)) if "|" in text else []
    runs: list[list[Cell]] = [[]]
    for left, right in pairwise(pipes):
        a, b = left.end(), right.start()
        inner = text[a:b].strip()
        if (
            BLANK_LINE.search(inner)
            or inner.count("\n") >= MAX_CELL_LINES
            or len(inner) > MAX_CELL_CHARS
        ):
            runs.append([])
            continue
        runs[-1].append(_trim(text, a, b))
    return [r for r in runs if len(r) >= 2 * MIN_COLUMNS]


# ---------------------------------------------------------------------------- reading rows
class _Reader:
    def __init__(
        self,
        text: str,
        columns: tuple[CompiledRule, ...],
        numbers: tuple[CompiledRule, ...],
        trace: list[Trace],
    ) -> None:
        self.text, self.columns, self.numbers, self.trace = text, columns, numbers, trace
        self.rows: list[TableRow] = []
        self.spans: list[tuple[int, int]] = []

    def header(self, cells: list[Cell]) -> _Header | None:
        """The header a row's cells make: a content column and a lead or deadline column."""
        roles: dict[int, CompiledRule] = {}
        for k, cell in enumerate(cells):
            taken = {r.value for r in roles.values()}
            rule = self.column(cell, taken)
            if rule is not None:
                roles[k] = rule
        values = {r.value for r in roles.values()}
        if "content" not in values or not values & {"lead", "deadline"}:
            return None
        first = min(roles)
        if len(cells) - first < MIN_COLUMNS:
            return None
        return _Header(first, {k - first: r for k, r in roles.items()}, len(cells) - first)

    def column(self, cell: Cell, taken: set[str | None] | None = None) -> CompiledRule | None:
        """The `table_column` rule a header cell matches ("Đơn vị chủ trì"), roles in `taken`
        left out."""
        a, b = cell
        name = self.text[a:b]
        if b - a > 80 or not union_regex(self.columns).match(name):
            return None
        return next(
            (r for r in self.columns if r.value not in (taken or ()) and r.regex.fullmatch(name)),
            None,
        )

    def number(self, cell: Cell) -> CompiledRule | None:
        """The `table_number` rule a cell matches: it holds a row number ("1", "1.2", "II")."""
        a, b = cell
        if b - a > 12:
            return None
        return next((r for r in self.numbers if r.regex.fullmatch(self.text[a:b])), None)

    def start_table(self, head: _Header, start: int, end: int, stacked: bool) -> None:
        """Trace the header's first field column; in a table one cell a line, the row-number
        column too where the columns start at it (the rows are counted from it)."""
        fields = [k for k, r in sorted(head.roles.items()) if r.value in FIELDS]
        self.trace.append(Trace(head.roles[fields[0]].id, start, end))
        if stacked and 0 in head.roles and head.roles[0].value not in FIELDS:
            self.trace.append(Trace(head.roles[0].id, start, end))

    def add_row(self, head: _Header, cells: list[Cell], start: int, end: int) -> None:
        """A task if the row fills its content cell and one of lead, coordinator, deadline."""
        text = self.text
        by_role: dict[str, Span] = {}
        rules: list[str] = []
        for k, rule in sorted(head.roles.items()):
            if rule.value in FIELDS:
                rules.append(rule.id)
                a, b = cells[k] if k < len(cells) else (0, 0)
                if b > a:
                    by_role[rule.value] = Span(text[a:b], a, b, rule.id)
        if "content" in by_role and len(by_role) >= 2:  # else a part heading, a rule line
            self.rows.append(TableRow(start, end, by_role, None, tuple(rules)))

    # one row a line ------------------------------------------------------------------------
    def read_lines(self, lines: list[tuple[int, int, list[Cell]]]) -> None:
        i = 0
        while i < len(lines):
            start, end, cells = lines[i]
            head = self.header(cells) if len(cells) >= MIN_COLUMNS else None
            if head is None:
                i += 1
                continue
            self.start_table(head, start, end, stacked=False)
            j = i + 1
            while j < len(lines):
                _, _, row = lines[j]
                if len(row) < 2:
                    # a part heading on a line of its own ("I. Hạ tầng số") when rows follow
                    nxt = lines[j + 1][2] if j + 1 < len(lines) else []
                    if len(nxt) < len(head.roles):
                        break
                elif (again := self.header(row)) is not None:
                    head = _next_header(head, again)
                else:
                    data = row[head.first :] if len(row) > head.width else row
                    self.add_row(head, data, lines[j][0], lines[j][1])
                j += 1
            self.spans.append((start, lines[j - 1][1]))
            i = j

    # one cell a line ---------------------------------------------------------------------
    def read_stacked(self, cells: list[Cell]) -> None:
        k, n = 0, len(cells)
        while k < n:
            g = next((j for j in range(k, n) if _empty(cells[j])), n)
            head = self.header(cells[k:g])
            if head is None:
                k = g + 1
                continue
            first = cells[k + head.first]
            self.start_table(head, first[0], cells[g - 1][1], stacked=True)
            k, last = g, cells[g - 1][1]
            while k < n:
                row, k = self._stacked_row(cells, k, head.width)
                if not row:
                    continue
                filled = [c for c in row if not _empty(c)]
                if (again := self.header(row)) is not None:
                    head = _next_header(head, again)
                else:
                    self.add_row(head, row, filled[0][0], filled[-1][1])
                last = filled[-1][1]
            self.spans.append((first[0], last))

    def _stacked_row(self, cells: list[Cell], k: int, width: int) -> tuple[list[Cell], int]:
        """The row starting at cell k (empty cells before it skipped) and the index after it."""
        n = len(cells)
        while k < n and _empty(cells[k]):
            k += 1
        if k >= n:
            return [], n
        row = [cells[k]]
        j = k + 1
        while j < n:
            if not _empty(cells[j]):
                if len(row) >= width:
                    break  # a full row followed by no gap
                row.append(cells[j])
                j += 1
                continue
            m = next((x for x in range(j, n) if not _empty(cells[x])), None)
            if m is None or len(row) >= width:
                break
            rule = self.number(cells[m])
            if rule is not None:  # an empty cell, then the next row's number
                self.trace.append(Trace(rule.id, *cells[m]))
                return row, j
            if self.column(cells[m]) is not None:  # an empty cell, then a header row
                return row, j
            row.append(cells[j])  # an empty cell inside the row
            j += 1
        return row, j


def _next_header(head: _Header, again: _Header) -> _Header:
    """A header row inside a table: the same fields again (a page's repeated header, which may
    leave out the number column) keep the columns; other fields begin the next table."""

    def fields(h: _Header) -> set[str | None]:
        return {r.value for r in h.roles.values() if r.value in FIELDS}

    return head if fields(again) == fields(head) else again


def _empty(cell: Cell) -> bool:
    return cell[1] <= cell[0]
