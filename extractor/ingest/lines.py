"""Lines to paragraphs, shared by the readers of laid-out pages (PDF text layers, OCR): the text
built line by line with where each line came from, and the joining of a paragraph's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MARKER",
    "PAGE_NUMBER",
    "Extracted",
    "Line",
    "Locations",
    "Reading",
    "paragraphs",
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


def paragraphs(lines: list[Line]) -> list[tuple[str, float]]:
    """Join the lines of one paragraph: a line that ran to the right margin goes on in the
    next one, unless that one starts a list item; a word cut by a hyphen is mended."""
    out: list[str] = []
    ys: list[float] = []
    runs_on = False
    for line, full, y in lines:
        line = re.sub(r" (?=[\u0300-\u036f])", "", line)  # a mark split from its letter
        if (
            out
            and runs_on
            and " | " not in line
            and not MARKER.match(line)
            and not re.search(r"[.:;!?]$", out[-1])
        ):
            if out[-1].endswith("-") and line[:1].islower():
                out[-1] = out[-1][:-1] + line
            else:
                out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
            ys.append(y)
        runs_on = full
    return list(zip(out, ys, strict=True))


def runs_on(lines: list[tuple[str, float, float, float]], right: float) -> list[Line]:
    """(text, end, first word width, y) per line -> (text, runs on, y): a line runs on into the
    next when the next line's first word would not have fitted in the room left at its end."""
    out = []
    for i, (text, end, _, y) in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        room = right - end
        out.append((text, nxt is not None and room < nxt[2] * 1.3 + (right * 0.01), y))
    return out


@dataclass(frozen=True)
class Reading:
    """What a format reader gives: the text, where each line came from, the PDF pages read by
    OCR and why; `html` when the file turned out to be a web page under another name."""

    text: str
    locations: Locations = ()
    ocr_pages: tuple[tuple[int, str], ...] = ()
    encoding: str | None = None
    html: str | None = None
