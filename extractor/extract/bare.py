"""Bare imperatives: a directive that names no unit ("Đề xuất phương án …") and where its units
come from (the scope's previous task, the heading, the "Kính gửi" list)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..deadlines import pick_deadline
from ..models import Deadline, Sentence, Span
from ..nlp import Words
from ..rules import CompiledRule
from ..segment import Layout
from .clauses import Found, roles_and_action, subject_at
from .vocab import Vocabulary, lower_start

__all__ = ["bare"]

OPENING_TAIL = re.compile(r"[^,.;:]{1,60},\s*")


def bare(
    v: Vocabulary,
    text: str,
    a: int,
    b: int,
    sent: Sentence,
    block_sentences: dict[int, int],
    layout: Layout,
    deadlines_in: Callable[[int, int], list[Deadline]],
    inherited: tuple[tuple[Span, ...], str] | None,
    addressed: CompiledRule | None,
    unit_optional: bool,
) -> Found | None:
    """A bare imperative ("Đề xuất phương án ...") and where its units come from."""
    clause = text[a:b]
    # a lone line without final punctuation is a title or a label, not an order
    if (
        block_sentences.get(sent.block, 0) == 1
        and not sent.is_item
        and not re.search(r"[.!?;:)]\s*$", clause)
    ):
        return None
    intro_rules: list[str] = []
    if addressed is not None:
        # "Trong quá trình thực hiện, có khó khăn, vướng mắc, kịp thời báo cáo ...": everyone,
        # unless the clause names who ("… vướng mắc các cơ quan, đơn vị kịp thời phản ánh …")
        start = v.skip_intro(text, a, b, intro_rules)
        named = _named_after_condition(v, text, start, b)
        if named is not None:
            named.rules = [addressed.id, *intro_rules, *named.rules]
            return named
        source = "addressees" if layout.addressees else "previous_task"
        units = layout.addressees or (inherited[0] if inherited else ())
        return Found(
            units, (), start, [addressed.id, *intro_rules, f"engine.inherit.{source}"], 0.6, source
        )
    start = v.skip_intro(text, a, b, intro_rules)
    imperative = v.bare_imperative(text, start, b) or v.report_formula(text, start, b)
    if imperative is None and intro_rules:
        # an opening clause with commas of its own ("Trên cơ sở Nghị quyết Đại hội lần thứ I,
        # nhiệm kỳ 2025 - 2030, khẩn trương xây dựng …"): the order after one more comma
        more = OPENING_TAIL.match(text, start, b)
        if more and lower_start(text, more.end()):
            imperative = v.bare_imperative(text, more.end(), b)
            start = more.end() if imperative else start
    if imperative is None:
        # "Chậm nhất ngày 28/8/2020 phải báo cáo ...": the order follows its deadline
        lead = pick_deadline(deadlines_in(start, b))
        if lead is None or lead.start != start or lead.kind == "none":
            return None
        start = lead.end
        while start < b and text[start] in " ,":
            start += 1
        imperative = v.bare_imperative(text, start, b)
        if imperative is None:
            return None
    # "Chủ trì, phối hợp với X thẩm định ...": role words open the order, X coordinates
    action_start, role_rules = start, list[str]()
    coordinators: tuple[Span, ...] = ()
    if v.role_at(text, start, b):
        action_start, coordinators, role_rules = roles_and_action(
            v, text, start, b, Words(text, start, b)
        )
    fired = [imperative, *intro_rules, *role_rules]
    if inherited is not None:
        units, source = inherited
        return Found(
            units, coordinators, action_start, [*fired, f"engine.inherit.{source}"], 0.65, source
        )
    if unit_optional:
        return Found((), coordinators, action_start, fired, 0.45, "none")
    return None


MAX_CONDITION_SYLLABLES = 24


def _named_after_condition(v: Vocabulary, text: str, a: int, b: int) -> Found | None:
    """The units a conditional closing names after its condition, without a comma between
    ("nếu có khó khăn, vướng mắc các cơ quan, đơn vị kịp thời phản ánh …"), before the
    order begins."""
    words = Words(text, a, b)
    for n, w in enumerate(words.syllables_from(a, b)):
        if n > MAX_CONDITION_SYLLABLES:
            break
        if v.action_at(text, w, b) or v.match(v.inline_triggers, text, w, b):
            return None  # the order has begun: it names no unit before it
        if v.head_at(text, w, b) is None or not words.is_start(w):
            continue
        found = subject_at(v, text, w, b, words)
        if found is not None and found.units:
            return found
    return None
