"""Same-length text transforms before segmenting: offsets and the offset map hold."""

from __future__ import annotations

import re
from itertools import pairwise

from ..models import Trace
from ..rules import CompiledRule, RuleSet, union_regex

__all__ = ["blank_markup", "unwrap"]

# Markdown emphasis as legal databases export it ("**1. Sở Y tế**", "*Thứ nhất,*"): a run of
# two or more asterisks, or one touching a word on one side only; "* item" stays a bullet.
EMPHASIS = re.compile(r"\*{2,}|(?<=\S)\*(?!\w)|(?<!\w)\*(?=\S)")


def blank_markup(text: str) -> str:
    """The text with Markdown emphasis marks turned into spaces (same length: offsets hold), so
    that "**2. Sở Y tế**" is a numbered heading and "*Thứ nhất,*" an ordinary clause."""
    if "*" not in text:
        return text
    return EMPHASIS.sub(lambda m: " " * len(m.group(0)), text)


# a hard-wrapped text breaks its lines at 50 to 160 characters; a text whose longest line is
# longer keeps its paragraphs on one line
WRAP_WIDTH_MIN, WRAP_WIDTH_MAX = 50, 160
MARKER_ONLY = 12  # a line holding only a section number is no longer than this


def _ends_clause(line: str) -> bool:
    """Does the line end a sentence or a label: ".", "!", "?", ";" or ":", then maybe white
    space, then maybe closing quotes or brackets (the regex `[.!?;:]\\s*["”)]*$`, read from the
    end of the line instead of tried at every place in it)."""
    return line.rstrip('"”)').rstrip()[-1:] in (".", "!", "?", ";", ":")


def unwrap(text: str, rules: RuleSet, trace: list[Trace]) -> str:
    """The text with the line breaks inside its paragraphs turned into spaces (a text typed or
    copied from a PDF with a line break every 60 to 90 characters); same length, so offsets
    and the offset map stay as they are.

    A break is inside a paragraph when the next line opens no list item and no line of its
    own (`section.line_start`: "Số:", "V/v", "Kính gửi", the place-and-date line …), neither
    line is in capitals (a header) or a table row, and either the next line goes on in small
    letters after a line that ends no sentence or label, or the text is hard-wrapped (its
    longest line is short, many lines come near it and most of those stop mid-sentence) and
    the next word would not have fit on the line, which ends no sentence (a ";" goes on; a ":"
    only before small letters; a dash after a full line that ends nothing is inside a name:
    "Trung tâm Văn hóa\n- Thể thao"). Where blank lines set the paragraphs apart, or most
    paragraphs open with a short line, the first line of a paragraph (indented, so it wraps
    early) runs on as a full one does; without blank lines, not a numbered heading. A line
    holding only a section number ("1.") runs on into the line under it.
    """
    if "\n" not in text:
        return text
    lines = text.split("\n")
    lengths = [len(x.rstrip()) for x in lines if x.strip()]
    # the wrapping width: nearly the longest line (a few lines that ran over must not set it)
    ranked = sorted(lengths)
    width = ranked[(len(ranked) - 1) * 95 // 100] if len(ranked) >= 20 else max(ranked, default=0)
    # hard-wrapped: many lines come near the longest, and most of those stop mid-sentence
    near = [x.rstrip() for x in lines if len(x.rstrip()) >= 0.8 * width]
    open_ends = sum(not _ends_clause(x) for x in near)
    wrapped = (
        WRAP_WIDTH_MIN <= width <= WRAP_WIDTH_MAX
        and len(near) >= max(3, len(lengths) // 5)
        and open_ends >= max(2, len(near) // 2)
    )
    # paragraphs set apart by blank lines, the first line of each indented (so it wraps early):
    # there the first line of a paragraph runs on as a full line does
    blank = sum(1 for x in lines if not x.strip())
    paragraphs_apart = wrapped and blank >= max(3, len(lengths) // 8)
    indented = wrapped and not paragraphs_apart and _indented(lines, width)
    markers, own_lines = rules.of("sections", "marker"), rules.of("sections", "line_start")
    screen, marker_screen = union_regex(markers + own_lines), union_regex(markers)
    numbered = tuple(r for r in markers if (r.level or 0) <= 4)
    joins: list[int] = []
    pos = -1
    prev = ""
    for cur, nxt in pairwise(lines):
        pos += len(cur) + 1  # the "\n" after `cur`
        # `cur` opens a paragraph: after a blank line, a finished sentence, or as a list item
        opens = (paragraphs_apart or indented) and (
            not prev.strip()
            or _ends_clause(prev.rstrip())
            or (
                marker_screen.match(stripped := cur.strip()) is not None
                and any(r.regex.match(stripped) for r in markers)
            )
        )
        prev = cur
        cur, nxt = cur.rstrip(), nxt.strip()
        if not cur.strip() or not nxt or "|" in cur or "|" in nxt:
            continue
        if (
            len(cur) <= MARKER_ONLY
            and _marker_only(cur.strip(), numbered)
            and not screen.match(nxt)
        ):
            joins.append(pos)  # "1.\nTrên cơ sở …": the item's text under its number
            continue
        if nxt[0] in ";,.:!?)":
            continue
        end = _ends_clause(cur)
        near_full = wrapped and len(cur) + 1 + len(nxt.split(" ", 1)[0]) > width - 2
        full = near_full or (
            (paragraphs_apart and opens)
            # without blank lines, a numbered heading on its own line is no indented opener
            or (indented and opens and not any(r.regex.match(cur.strip()) for r in numbered))
        )
        if not end:
            if not (full or nxt[0].islower()):
                continue  # "(Đã ký)" under a name, a new paragraph
        elif not full or cur.endswith((".", "!", "?", '"', "”", ")")):
            continue
        elif cur.endswith(":") and not nxt[0].islower():
            continue  # "… như sau:" then the first order
        if _capitals(cur) or _capitals(nxt):  # a header: "ỦY BAN NHÂN DÂN / TỈNH BÌNH ĐỊNH"
            continue
        if screen.match(nxt):
            dash_in_name = near_full and not end and nxt[0] in "-–"  # "Văn hóa\n- Thể thao"
            if not dash_in_name and any(r.regex.match(nxt) for r in markers):
                continue
            own = next((r for r in own_lines if r.regex.match(nxt)), None)
            if own is not None:
                trace.append(Trace(own.id, pos + 1, pos + 1 + len(nxt)))
                continue
        joins.append(pos)
    pieces, last = [], 0
    for at in joins:
        pieces += [text[last:at], " "]
        last = at + 1
    return "".join(pieces) + text[last:]


def _indented(lines: list[str], width: int) -> bool:
    """Do the paragraphs of a wrapped text open with an early-wrapped (indented) line? Most of
    the lines that open a paragraph and go on to the next line are short."""
    openers = [
        len(cur.rstrip())
        for prev, cur, nxt in zip([".", *lines], lines, [*lines[1:], ""], strict=False)
        if cur.strip()
        and nxt.strip()
        and (not prev.strip() or _ends_clause(prev.rstrip()))
        and not _ends_clause(cur.rstrip())
    ]
    short = sum(n < 0.8 * width for n in openers)
    return len(openers) >= 3 and short >= 0.6 * len(openers)


def _marker_only(line: str, numbered: tuple[CompiledRule, ...]) -> bool:
    """Is the line a section number and nothing else ("1.", "II.", "6  .")?"""
    probe = line + " x"
    return any((m := r.regex.match(probe)) is not None and m.end() >= len(line) for r in numbered)


def _capitals(line: str) -> bool:
    return line.isupper() and sum(c.isalpha() for c in line) >= 3
