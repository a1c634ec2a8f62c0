"""The layout of a notice: blocks, numbered sections and sentences, and the structure task
finding relies on: where the directive part starts ("... có ý kiến như sau:"), where the body
ends ("Nơi nhận:", portal chrome), the "Kính gửi:" addressees, task tables and field blocks.
Every boundary comes from `rules/sections.yaml`."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Block, Section, Sentence, Span, Trace
from ..prefilter import may_match, required_chars
from ..rules import CompiledRule, RuleSet, search_screen, union_regex
from .blocks import abbreviations as _abbreviations
from .blocks import blocks_of, split_sentences
from .fields import FieldBlock, find_fields
from .tables import TableRow, find_tables

__all__ = ["Layout", "segment"]


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
    field_blocks: tuple[FieldBlock, ...]
    trace: tuple[Trace, ...]


def segment(text: str, rules: RuleSet) -> Layout:
    trace: list[Trace] = []
    markers = rules.of("sections", "marker")
    abbrev_rules = rules.of("sections", "abbreviation")
    abbrev_id = abbrev_rules[0].id if abbrev_rules else "section.abbreviation"
    abbreviations = _abbreviations(abbrev_rules)
    raw = blocks_of(text, markers)
    blocks = tuple(b for b, _ in raw)
    for b, rid in raw:
        if rid:
            trace.append(Trace(rid, b.start, b.body_start))

    # Body end: the first closing block (signature list, portal chrome) after some text.
    body_end = len(text)
    closing = rules.of("sections", "body_end")
    for b in blocks[1:]:
        hit = _first(closing, text[b.start : b.end])
        if hit:
            body_end = b.start
            trace.append(Trace(hit.id, b.start, b.end))
            break

    # An attached document after the signature ("(Ban hành kèm theo Quyết định số …)": the
    # plan a decision issues) is body again, from the line after that mark to its own end.
    appendix = _appendix(text, blocks, rules, body_end, trace)

    # Directive part: after the first intro line ("... như sau:", "... chỉ đạo:"). An intro
    # in a later item of a list ("4. UBND huyện giao nhiệm vụ … như sau:" after "1." to "3.")
    # opens that item only: the items before it are orders too.
    directive_start = None
    listed: set[str] = set()
    intros = rules.of("sections", "directive_intro")
    screen = union_regex(intros)
    needs = required_chars(screen)  # "… như sau:" needs a ":": most blocks hold none
    fast = search_screen(intros)
    for b in blocks:
        if b.start >= body_end:
            break
        if b.marker_kind is not None:
            if b.marker_kind in listed:
                continue
            listed.add(b.marker_kind)
        if needs and not may_match(needs, text[b.start : b.end]):
            continue
        for rule in intros if fast.search(text, b.start, b.end) else ():
            m = rule.regex.search(text, b.start, b.end)
            if m:
                directive_start = m.end()
                trace.append(Trace(rule.id, m.start(), m.end()))
                break
        if directive_start is not None:
            break

    addressees, addressee_blocks = _addressees(text, blocks, rules, trace)
    rows, table_spans = find_tables(text, rules, body_end, trace)

    # Sections and sentences.
    sections: list[Section] = []
    stack: list[Section] = []
    sentences: list[Sentence] = []
    for i, b in enumerate(blocks):
        limit = body_end if b.start < body_end else appendix[1]
        if b.start >= body_end and not appendix[0] <= b.start < appendix[1]:
            if b.start >= appendix[1]:
                break
            continue
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
        for a, e in split_sentences(text, b.body_start, min(b.end, limit), abbreviations, kept):
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
        tuple(find_fields(text, blocks, rules, body_end, trace)),
        tuple(trace),
    )


def _appendix(
    text: str, blocks: tuple[Block, ...], rules: RuleSet, body_end: int, trace: list[Trace]
) -> tuple[int, int]:
    """The span of a document attached after the body's end, or an empty span there."""
    marks = rules.of("sections", "attachment")
    ends = rules.of("sections", "body_end")
    start = None
    for b in blocks:
        if b.start < body_end:
            continue
        if start is None:
            hit = _first(marks, text[b.body_start : b.end])
            if hit:
                trace.append(Trace(hit.id, b.start, b.end))
                start = b.end
        elif _first(ends, text[b.start : b.end]):
            return start, b.start
    return (start, len(text)) if start is not None else (body_end, body_end)


def _section_at(sections: list[Section], pos: int) -> str | None:
    current = None
    for sec in sections:
        if sec.title.start <= pos:
            current = sec.id
    return current


def _first(rules: tuple[CompiledRule, ...], s: str) -> CompiledRule | None:
    if not search_screen(rules).search(s):
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
