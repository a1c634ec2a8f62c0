"""Lines to paragraphs, shared by the readers of laid-out pages (PDF text layers, OCR): the text
built line by line with where each line came from, and the joining of a paragraph's lines.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MARKER",
    "PAGE_NUMBER",
    "Extracted",
    "Line",
    "Locations",
    "Placed",
    "Reading",
    "Word",
    "page_lines",
    "paragraphs",
    "rows_of",
    "runs_on",
]

Line = tuple[str, bool, float]  # text, runs on into the next line, distance from the page top
Locations = tuple[tuple[int, int, str], ...]


@dataclass
class Extracted:
    """Text built line by line, with where each line came from."""

    lines: list[str] = field(default_factory=list)
    wheres: list[str] = field(default_factory=list)

    def add(self, line: str, where: str) -> None:
        line = " ".join(line.split())
        if line:
            self.lines.append(line)
            self.wheres.append(where)

    def result(self, **kwargs: Any) -> Reading:
        """The Reading of the lines so far; `kwargs` give its other fields."""
        locations, pos = [], 0
        for line, where in zip(self.lines, self.wheres, strict=True):
            locations.append((pos, pos + len(line), where))
            pos += len(line) + 1
        return Reading("\n".join(self.lines), tuple(locations), **kwargs)


MARKER = re.compile(r"^(?:[IVX]{1,5}[.)]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-–•+]|Điều\s+\d+)\s")
PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?\s*$", re.IGNORECASE
)


def paragraphs(lines: list[tuple[str, bool, str]]) -> list[tuple[str, str]]:
    """(text, runs on, where) per line -> (text, where) per paragraph: a line that ran to the
    right margin goes on in the next one (across a page break too), unless that one starts a
    list item or a table row or the line ends a sentence; a word cut by a hyphen is mended."""
    out: list[tuple[str, str]] = []
    runs_on = False
    for line, full, where in lines:
        line = re.sub(r" (?=[\u0300-\u036f])", "", line)  # a mark split from its letter
        if (
            out
            and runs_on
            and " | " not in line
            and not MARKER.match(line)
            and not re.search(r"[.:;!?]$", out[-1][0])
        ):
            last, first_where = out[-1]
            if last.endswith("-") and line[:1].islower():
                out[-1] = (last[:-1] + line, first_where)
            else:
                out[-1] = (f"{last} {line}", first_where)
        else:
            out.append((line, where))
        runs_on = full
    return out


@dataclass(frozen=True)
class Placed:
    """One laid-out line: its text, left and right ends, its first word's width, its top and
    its height (points for a PDF's text layer, pixels for OCR)."""

    text: str
    x0: float
    x1: float
    first_width: float
    top: float
    height: float


def runs_on(lines: list[Placed]) -> list[Line]:
    """Lines in reading order (page numbers left out) -> (text, runs on, top): a line runs on
    into the next when the next line's first word would not have fitted in the room left at
    its end, measured to the right edge of its own paragraph (the widest line of its block),
    not the page's: a notice typed ragged right, or a narrow paragraph beside wide ones, is
    joined as written."""
    out = []
    for block in _blocks(lines):
        edge = max(lines[k].x1 for k in block)
        for k in block:
            line = lines[k]
            if k != block[-1]:
                nxt = lines[k + 1]
                full = edge - line.x1 < nxt.first_width * 1.3 + line.height * 0.5
            else:  # the page's last line goes on to the next page when it is full
                full = k == len(lines) - 1 and len(block) > 1 and edge - line.x1 < line.height
            out.append((line.text, full, line.top))
    return out


def _blocks(lines: list[Placed]) -> list[list[int]]:
    """Indexes of the lines in runs of one paragraph's lines: a new run starts after a gap
    wider than the usual line pitch, at a list marker, or at a line indented past the one
    before when that one is not its run's first (a first-line indent, not a hanging one)."""
    pitches = sorted(
        b.top - a.top
        for a, b in itertools.pairwise(lines)
        if 0 < b.top - a.top < 3 * max(a.height, 1.0)
    )
    pitch = pitches[len(pitches) // 4] if pitches else 0.0  # a line's, not a paragraph's
    blocks: list[list[int]] = []
    for i, line in enumerate(lines):
        if blocks:
            block = blocks[-1]
            prev = lines[block[-1]]
            gap = line.top - prev.top
            new = (
                gap <= 0
                or gap > max(pitch * 1.25, prev.height * 1.2)
                or bool(MARKER.match(line.text))
                or (line.x0 > prev.x0 + prev.height and len(block) > 1)
            )
            if not new:
                block.append(i)
                continue
        blocks.append([i])
    return blocks


@dataclass(frozen=True)
class Reading:
    """What a format reader gives: the text, where each line came from, the PDF pages read by
    OCR and why; `html` when the file turned out to be a web page under another name."""

    text: str
    locations: Locations = ()
    ocr_pages: tuple[tuple[int, str], ...] = ()
    encoding: str | None = None
    html: str | None = None


@dataclass(frozen=True)
class Word:
    """A word on a page with its box (top-down coordinates: points, or pixels for OCR)."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str


def page_lines(
    rows: list[list[Word]],
    tables: list[tuple[float, list[Line]]],
    width: float,
    height: float,
) -> list[Line]:
    """One page's rows of words (each left to right, top to bottom) and its rendered tables
    (top, lines) -> lines in reading order: the two-column header block (issuer | national
    name, number | place and date) is read column by column, the body's lines are joined by
    `runs_on`, page numbers go."""
    items: list[tuple[float, list[Line]]] = list(tables)
    body: list[Placed] = []
    header_left: list[Line] = []
    header_right: list[Line] = []
    header_top = None
    for ws in rows:
        gaps = [(ws[i + 1].x0 - ws[i].x1, i) for i in range(len(ws) - 1)]
        big = max(gaps, default=(0.0, -1))
        split = (
            big[0] > width * 0.05
            and ws[big[1]].x1 < width * 0.55
            and ws[big[1] + 1].x0 > width * 0.3
        )
        top = ws[0].top
        if split and (header_top is None or top - header_top < height * 0.3):
            header_top = header_top if header_top is not None else top
            header_left.append((" ".join(w.text for w in ws[: big[1] + 1]), False, top))
            header_right.append((" ".join(w.text for w in ws[big[1] + 1 :]), False, top))
            continue
        if header_top is None and ws[0].x0 > width * 0.5:
            header_right.append((" ".join(w.text for w in ws), False, top))
            header_top = top
            continue
        size = max(w.bottom - w.top for w in ws)
        text = " ".join(w.text for w in ws)
        if not PAGE_NUMBER.match(text):
            body.append(Placed(text, ws[0].x0, ws[-1].x1, ws[0].x1 - ws[0].x0, top, size))
    items.extend((line[2], [line]) for line in runs_on(body))
    if header_left or header_right:
        items.append((header_top or 0.0, [*header_left, *header_right]))
    items.sort(key=lambda item: item[0])
    lines = [line for _, group in items for line in group]
    return [line for line in lines if not PAGE_NUMBER.match(line[0])]


def rows_of(words: list[Word]) -> list[list[Word]]:
    """Words in rows, top to bottom, each row left to right: a word joins the row whose first
    word's top is within half its height."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if rows and abs(w.top - rows[-1][0].top) <= (w.bottom - w.top) * 0.5:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(row, key=lambda w: w.x0) for row in rows]
