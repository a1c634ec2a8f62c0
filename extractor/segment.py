"""Segment: canonical text -> blocks (lines, items, cells), numbered sections and sentences.

Also finds the document's structure that task finding relies on: where the directive part
starts ("... có ý kiến như sau:"), where the body ends ("Nơi nhận:", portal chrome), and the
"Kính gửi:" addressees. Every boundary comes from `rules/sections.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from .models import Block, Section, Sentence, Span, Trace
from .rules import CompiledRule, RuleSet, union_regex

__all__ = ["Layout", "blank_markup", "segment", "split_sentences", "unwrap"]

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


@dataclass(frozen=True)
class TableRow:
    """A data row of a plan's task table: the cells by column role (content, lead, ...)."""

    start: int
    end: int
    cells: dict[str, Span]
    section: str | None
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]
    directive_start: int | None
    body_end: int
    addressees: tuple[Span, ...]
    addressee_blocks: frozenset[int]
    table_rows: tuple[TableRow, ...]
    trace: tuple[Trace, ...]


def _blocks(text: str, markers: tuple[CompiledRule, ...]) -> list[tuple[Block, str | None]]:
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
LINE_END = re.compile(r"[.!?;:]\s*[\"”)]*$|\./\.\s*$")


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
    "Trung tâm Văn hóa\n- Thể thao").
    """
    if "\n" not in text:
        return text
    lines = text.split("\n")
    lengths = [len(x.rstrip()) for x in lines if x.strip()]
    width = max(lengths, default=0)
    # hard-wrapped: many lines come near the longest, and most of those stop mid-sentence
    near = [x.rstrip() for x in lines if len(x.rstrip()) >= 0.8 * width]
    open_ends = sum(not LINE_END.search(x) for x in near)
    wrapped = (
        WRAP_WIDTH_MIN <= width <= WRAP_WIDTH_MAX
        and len(near) >= max(3, len(lengths) // 5)
        and open_ends >= max(2, len(near) // 2)
    )
    markers, own_lines = rules.of("sections", "marker"), rules.of("sections", "line_start")
    screen = union_regex(markers + own_lines)
    joins: list[int] = []
    pos = -1
    for cur, nxt in pairwise(lines):
        pos += len(cur) + 1  # the "\n" after `cur`
        cur, nxt = cur.rstrip(), nxt.strip()
        if not cur.strip() or not nxt or "|" in cur or "|" in nxt:
            continue
        if nxt[0] in ";,.:!?)":
            continue
        end = LINE_END.search(cur)
        full = wrapped and len(cur) + 1 + len(nxt.split(" ", 1)[0]) > width - 2
        if end is None:
            if not (full or nxt[0].islower()):
                continue  # "(Đã ký)" under a name, a new paragraph
        elif not full or cur.endswith((".", "!", "?", '"', "”", ")")):
            continue
        elif cur.endswith(":") and not nxt[0].islower():
            continue  # "… như sau:" then the first order
        if _capitals(cur) or _capitals(nxt):  # a header: "ỦY BAN NHÂN DÂN / TỈNH BÌNH ĐỊNH"
            continue
        if screen.match(nxt):
            dash_in_name = full and end is None and nxt[0] in "-–"  # "Văn hóa\n- Thể thao"
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


def _capitals(line: str) -> bool:
    return line.isupper() and sum(c.isalpha() for c in line) >= 3


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
def _abbreviations(rules: tuple[CompiledRule, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for r in rules for w in r.words) or "(?!)")


def segment(text: str, rules: RuleSet) -> Layout:
    trace: list[Trace] = []
    markers = rules.of("sections", "marker")
    abbrev_rules = rules.of("sections", "abbreviation")
    abbrev_id = abbrev_rules[0].id if abbrev_rules else "section.abbreviation"
    abbreviations = _abbreviations(abbrev_rules)
    raw = _blocks(text, markers)
    blocks = tuple(b for b, _ in raw)
    for b, rid in raw:
        if rid:
            trace.append(Trace(rid, b.start, b.body_start))

    # Body end: the first closing block (signature list, portal chrome) after some text.
    body_end = len(text)
    for i, b in enumerate(blocks):
        if i == 0:
            continue
        hit = _first(rules.of("sections", "body_end"), text[b.start : b.end])
        if hit:
            body_end = b.start
            trace.append(Trace(hit.id, b.start, b.end))
            break

    # Directive part: after the first intro line ("... như sau:", "... chỉ đạo:"). An intro
    # in a later item of a list ("4. UBND huyện giao nhiệm vụ … như sau:" after "1." to "3.")
    # opens that item only: the items before it are orders too.
    directive_start = None
    listed: set[str] = set()
    intros = rules.of("sections", "directive_intro")
    for b in blocks:
        if b.start >= body_end:
            break
        if b.marker_kind is not None:
            if b.marker_kind in listed:
                continue
            listed.add(b.marker_kind)
        for rule in intros if union_regex(intros).search(text, b.start, b.end) else ():
            m = rule.regex.search(text, b.start, b.end)
            if m:
                directive_start = m.end()
                trace.append(Trace(rule.id, m.start(), m.end()))
                break
        if directive_start is not None:
            break

    addressees, addressee_blocks = _addressees(text, blocks, rules, trace)
    rows, table_spans = _tables(text, rules, body_end, trace)

    # Sections and sentences.
    sections: list[Section] = []
    stack: list[Section] = []
    sentences: list[Sentence] = []
    for i, b in enumerate(blocks):
        if b.start >= body_end:
            break
        if b.marker is not None and b.level <= 4:
            while stack and stack[-1].level >= b.level:
                stack.pop()
            own = b.marker.strip().rstrip(".):/-–— ").strip()
            parent = stack[-1] if stack else None
            sid = f"{parent.id}.{own}" if parent else own
            if parent and "." in own and parent.id.split(".")[-1] == own.split(".")[0]:
                sid = f"{parent.id}{own[len(own.split('.')[0]) :]}"  # "II.1" + "1.2" -> "II.1.2"
            title_end = b.end
            if not b.is_heading:
                first = split_sentences(text, b.body_start, b.end, abbreviations)
                title_end = first[0][1] if first else b.end
            sec = Section(
                sid,
                b.marker.strip(),
                b.level,
                Span(text[b.body_start : title_end], b.body_start, title_end),
                parent.id if parent else None,
            )
            sections.append(sec)
            stack.append(sec)
        if i in addressee_blocks or any(a <= b.start < e for a, e in table_spans):
            continue
        current = stack[-1].id if stack else None
        is_item = b.marker is not None
        kept: list[int] = []
        for a, e in split_sentences(text, b.body_start, min(b.end, body_end), abbreviations, kept):
            sentences.append(Sentence(a, e, text[a:e], i, current, is_item))
        trace.extend(Trace(abbrev_id, k, k + 1) for k in kept)
    table_rows = tuple(
        TableRow(r.start, r.end, r.cells, _section_at(sections, r.start), r.rules) for r in rows
    )
    return Layout(
        blocks,
        tuple(sections),
        tuple(sentences),
        directive_start,
        body_end,
        tuple(addressees),
        frozenset(addressee_blocks),
        table_rows,
        tuple(trace),
    )


def _section_at(sections: list[Section], pos: int) -> str | None:
    current = None
    for sec in sections:
        if sec.title.start <= pos:
            current = sec.id
    return current


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


def _tables(
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


def _first(rules: tuple[CompiledRule, ...], s: str) -> CompiledRule | None:
    if not union_regex(rules).search(s):
        return None
    for r in rules:
        if r.regex.search(s):
            return r
    return None


def _addressees(
    text: str, blocks: tuple[Block, ...], rules: RuleSet, trace: list[Trace]
) -> tuple[list[Span], set[int]]:
    """The "Kính gửi:" list: inline after the colon, or the following bulleted lines."""
    out: list[Span] = []
    used: set[int] = set()
    for rule in rules.of("sections", "addressee_list"):
        for i, b in enumerate(blocks):
            m = rule.regex.match(text[b.start : b.end])
            if not m:
                continue
            trace.append(Trace(rule.id, b.start, b.start + m.end()))
            used.add(i)
            if b.start + m.end() < b.end:
                out.append(_clean_item(text, b.start + m.end(), b.end, rule.id))
            j = i + 1
            while j < len(blocks) and blocks[j].marker_kind in (
                "section.marker.dash",
                "section.marker.plus",
            ):
                out.append(_clean_item(text, blocks[j].body_start, blocks[j].end, rule.id))
                used.add(j)
                j += 1
            return [s for s in out if s.text], used
    return out, used


def _clean_item(text: str, a: int, b: int, rule: str) -> Span:
    while a < b and text[a] in " -–•":
        a += 1
    while b > a and text[b - 1] in " ;,.":
        b -= 1
    return Span(text[a:b], a, b, rule)
