"""Field blocks: an item followed by labelled lines that say who does it and by when.

    (2) Sao lưu, duy trì các cơ sở dữ liệu …
    - Đơn vị chủ trì thực hiện: Văn phòng UBND tỉnh.
    - Đơn vị phối hợp: Các sở, ban, ngành; UBND các xã, phường.
    - Thời gian hoàn thành: Trong tháng 8/2025.

A plan written as paragraphs instead of a table: the field lines (`sections.yaml`, kind
`field`: lead, support, deadline, content) are the row's cells; the item before them is its
task. The item runs back from the first field line to the previous field block or to the
numbered item that opens it. Its task text is the "Nội dung:" field if there is one, else the
list items after a lead-in ending in ":" (one task each), else the item's first paragraph,
else its heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Block, Span, Trace
from ..rules import CompiledRule, RuleSet

__all__ = ["FieldBlock", "find_fields"]

WORD = re.compile(r"[^\W\d_]+")
LABEL = re.compile(r"([^:\n]{3,50}?)\s*:\s*")
MAX_ITEM_BLOCKS = 30  # an item runs back at most this many lines


@dataclass(frozen=True)
class FieldBlock:
    start: int  # where the item starts
    end: int  # where its last field line ends
    targets: tuple[tuple[int, int], ...]  # the spans that are tasks, one task each
    fields: dict[str, Span]  # role (lead, support, deadline, content) -> the value
    rules: tuple[str, ...]


def _field(
    text: str, block: Block, rules: tuple[CompiledRule, ...]
) -> tuple[CompiledRule, Span] | None:
    m = LABEL.match(text, block.body_start, block.end)
    if m is None:
        return None
    label = m.group(1).strip()
    rule = next((r for r in rules if r.regex.fullmatch(label)), None)
    if rule is None or not rule.value:
        return None
    a, b = m.end(), block.end
    while b > a and text[b - 1] in " .;":
        b -= 1
    return (rule, Span(text[a:b], a, b, rule.id)) if b > a else None


def find_fields(
    text: str, blocks: tuple[Block, ...], rules: RuleSet, body_end: int, trace: list[Trace]
) -> list[FieldBlock]:
    field_rules = rules.of("sections", "field")
    out: list[FieldBlock] = []
    fields = [_field(text, b, field_rules) if b.start < body_end else None for b in blocks]
    i, last_end = 0, -1  # index of the block after the previous field block
    while i < len(blocks):
        if fields[i] is None:
            i += 1
            continue
        j = i
        found: dict[str, Span] = {}
        fired: list[str] = []
        while j < len(blocks) and (hit := fields[j]) is not None:
            rule, value = hit
            if rule.value not in found:
                found[rule.value or ""] = value
            fired.append(rule.id)
            j += 1
        if found.keys() & {"lead", "support", "deadline"}:
            item = _item(blocks, i, last_end)
            targets = _targets(text, blocks, item, found)
            if targets:
                start = blocks[item[0]].start if item else blocks[i].start
                out.append(FieldBlock(start, blocks[j - 1].end, targets, found, tuple(fired)))
                trace.extend(
                    Trace(rid, blocks[k].start, blocks[k].end)
                    for k, rid in zip(range(i, j), fired, strict=True)
                )
            last_end = j
        i = j
    return out


def _item(blocks: tuple[Block, ...], first_field: int, last_end: int) -> list[int]:
    """The blocks of the item the field lines at `first_field` belong to."""
    item: list[int] = []
    k = first_field - 1
    while k >= max(last_end, 0) and len(item) < MAX_ITEM_BLOCKS:
        item.insert(0, k)
        if blocks[k].marker is not None and blocks[k].level <= 4:
            break  # the numbered item that opens it
        k -= 1
    return item


def _targets(
    text: str, blocks: tuple[Block, ...], item: list[int], found: dict[str, Span]
) -> tuple[tuple[int, int], ...]:
    if "content" in found:
        return ((found["content"].start, found["content"].end),)
    body = [k for k in item if blocks[k].body_start < blocks[k].end]
    listed = [
        k
        for n, k in enumerate(body)
        if (blocks[k].level > 4 and n and text[blocks[body[n - 1]].end - 1] == ":")
        or (
            n
            and blocks[k].level > 4
            and blocks[body[n - 1]].level > 4
            and k - 1 in body
            and blocks[body[n - 1]].marker_kind == blocks[k].marker_kind
            and text[blocks[body[0]].end - 1] != ":"
        )
    ]
    if listed:
        return tuple((blocks[k].body_start, blocks[k].end) for k in listed)
    paragraphs = [k for k in body if not blocks[k].is_heading and text[blocks[k].end - 1] != ":"]
    if paragraphs:
        k = paragraphs[0]
        return ((blocks[k].body_start, blocks[k].end),)
    if body:
        k = body[-1]
        return ((blocks[k].body_start, blocks[k].end),)
    return ()
