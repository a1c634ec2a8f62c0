"""Blocks (lines, list items, table cells) and sentences."""

from __future__ import annotations

import re
from functools import lru_cache

from ..models import Block
from ..rules import CompiledRule, union_regex

__all__ = ["CELL_SEP", "LINE", "abbreviations", "blocks_of", "split_sentences"]

LINE = re.compile(r"[^\n]+")
CELL_SEP = re.compile(r"(?<!\S)\|(?!\S)|(?<=\S)\t+(?=\S)")
HAS_CELL_SEP = re.compile(r"[|\t]")
TERMINAL = re.compile(r"[.!?;]\s*[\"”)]*$|\./\.\s*$")
# A sentence may end at . ! ? (or "./.") followed by space and something that starts one.
BOUNDARY = re.compile(r"(?:\./\.|[.!?]+)[\"”’)]*(?=\s+[\"“(\-–•+]?[A-ZÀ-Ỹ0-9Đ])")
WORD_BEFORE = re.compile(r"([\w/.&]+)$")
OPEN, CLOSE = "([{“", ")]}”"
BRACKET = re.compile(f"[{re.escape(OPEN + CLOSE)}]")
MAX_ASIDE = 400
MAX_SENTENCE = 3000  # longer runs (no real sentence is) are cut, so work per sentence is bounded


def blocks_of(text: str, markers: tuple[CompiledRule, ...]) -> list[tuple[Block, str | None]]:
    out: list[tuple[Block, str | None]] = []
    screen = union_regex(markers)
    for line in LINE.finditer(text):
        pieces: list[tuple[int, int]] = []
        pos = line.start()
        seps = CELL_SEP.finditer(line.group(0)) if HAS_CELL_SEP.search(line.group(0)) else ()
        for sep in seps:
            pieces.append((pos, line.start() + sep.start()))
            pos = line.start() + sep.end()
        pieces.append((pos, line.end()))
        for a, b in pieces:
            seg = text[a:b]
            lead = len(seg) - len(seg.lstrip())
            a, b = a + lead, a + len(seg.rstrip())
            if a >= b:
                continue
            body = text[a:b]
            marker = kind = rule_id = None
            level = 0
            for rule in markers if screen.match(body) else ():
                m = rule.regex.match(body)
                if m and m.end() < len(body):
                    marker, kind, level, rule_id = m.group(0), rule.id, rule.level or 0, rule.id
                    break
            body_start = a + (len(marker) if marker else 0)
            numbered = marker is not None and level <= 4
            heading = (
                numbered and not TERMINAL.search(text[body_start:b]) and (b - body_start) < 200
            )
            out.append((Block(a, b, body_start, marker, kind, level, heading), rule_id))
    return out


def split_sentences(
    text: str,
    start: int,
    end: int,
    abbreviations: re.Pattern[str],
    kept: list[int] | None = None,
) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end]: no split inside brackets, after abbreviations, in
    numbers. Offsets of periods kept because of an abbreviation are appended to `kept`."""
    spans: list[tuple[int, int]] = []
    last = start
    cuts: list[int] = []
    opened: list[int] = []  # offsets of brackets still open at `pos`
    pos = start
    for m in BOUNDARY.finditer(text, start, end):
        for br in BRACKET.finditer(text, pos, m.start()):
            if br.group(0) in OPEN:
                opened.append(br.start())
            elif opened:
                opened.pop()
        pos = m.start()
        # a bracket open for longer than any real aside was never closed: ignore it
        while opened and m.start() - opened[-1] > MAX_ASIDE:
            opened.pop()
        if opened:
            continue
        before = WORD_BEFORE.search(text, max(start, m.start() - 30), m.start())
        if before and m.group(0).startswith(".") and abbreviations.fullmatch(before.group(1)):
            if kept is not None:
                kept.append(before.start())
            continue
        cuts.append(m.end())
    for cut in cuts:
        spans.append((last, cut))
        last = cut
    spans.append((last, end))
    out = []
    for a, b in _cut_long(text, spans):
        seg = text[a:b]
        a2 = a + len(seg) - len(seg.lstrip())
        b2 = a + len(seg.rstrip())
        if a2 < b2:
            out.append((a2, b2))
    return out


def _cut_long(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        while b - a > MAX_SENTENCE:
            cut = text.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
            cut = cut + 1 if cut > a else a + MAX_SENTENCE
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return out


@lru_cache(maxsize=8)
def abbreviations(rules: tuple[CompiledRule, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for r in rules for w in r.words) or "(?!)")
