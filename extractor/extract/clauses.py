"""Roles and action: what follows the units, and the three ways a sentence names them.

- `subject_at`: a unit phrase opening the clause, then role words or an action ("Sở X chủ trì,
  phối hợp với Y xây dựng …");
- `trigger_in`: a trigger, then the unit phrase ("Giao X …", "UBND tỉnh yêu cầu X …");
- `later_subject`: a unit phrase opening a later clause ("Trên cơ sở …, Sở X chủ trì …").
Each returns a `Found`: units, coordinators, where the action starts, the rules that fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..deadlines import find_deadlines
from ..models import Span
from ..nlp import Words
from ..rules import CompiledRule
from .units import unit_phrase
from .vocab import Vocabulary, lower_start

__all__ = ["Found", "later_subject", "roles_and_action", "subject_at", "trigger_in"]


@dataclass
class Found:
    units: tuple[Span, ...]
    coordinators: tuple[Span, ...]
    action_start: int
    rules: list[str]
    confidence: float
    units_from: str


def after_relative(v: Vocabulary, text: str, pos: int, end: int) -> int | None:
    """Where the order begins after a relative clause on the units: after a comma ("X đến
    nay chưa có báo cáo, khẩn trương gửi …") or, with none, at a manner word ("các xã chưa
    hoàn thành rà soát khẩn trương hoàn thành …")."""
    after_comma = (
        pos + m.end()
        for m in re.finditer(r",\s*", text[pos:end])
        if v.action_at(text, pos + m.end(), end)
    )
    manner = (
        m.start()
        for r in v.actions
        if r.kind == "adverb"
        for m in r.regex.finditer(text, pos, end)
        if m.start() > pos and lower_start(text, m.start())
    )
    first = min((next(after_comma, end), *manner))
    return first if first < end else None


def roles_and_action(
    v: Vocabulary, text: str, pos: int, end: int, words: Words
) -> tuple[int, tuple[Span, ...], list[str]]:
    """Skip role words after the units; collect coordinators. Returns the action start."""
    rules: list[str] = []
    coordinators: tuple[Span, ...] = ()
    for _ in range(6):
        while pos < end and text[pos] in " ,:":
            pos += 1
        hit = v.role_at(text, pos, end)
        if not hit:
            break
        rule, m = hit
        rules.append(rule.id)
        pos = m.end()
        if rule.kind == "coordinate":
            phrase = unit_phrase(v, text, pos, end, words)
            if phrase:
                coordinators = coordinators + phrase.units
                rules.extend(phrase.rules)
                pos = phrase.end
    while pos < end and text[pos] in " ,:":
        pos += 1
    return pos, coordinators, rules


def subject_at(v: Vocabulary, text: str, pos: int, end: int, words: Words) -> Found | None:
    """A unit phrase at `pos` followed by a role, an action, or a colon."""
    phrase = unit_phrase(v, text, pos, end, words)
    if phrase is None:
        return None
    rules = list(phrase.rules)
    if phrase.stop == "relative":
        p = after_relative(v, text, phrase.end, end)
        return None if p is None else Found(phrase.units, (), p, rules, 0.75, "sentence")
    if phrase.stop == "colon":
        p = phrase.end + 1
        while p < end and text[p] == " ":
            p += 1
        # "Trung tâm Y tế huyện: Chủ trì, phối hợp với UBND các xã xây dựng ..."
        action_start, coordinators, role_rules = roles_and_action(v, text, p, end, words)
        if role_rules or v.action_at(text, p, end, any_case=True):
            return Found(
                phrase.units, coordinators, action_start, rules + role_rules, 0.8, "sentence"
            )
        return None
    if phrase.stop == "stop":
        # "Công an huyện là cơ quan thường trực, chủ trì tham mưu ...": a framing clause,
        # then roles and the action
        opening: list[str] = []
        after = v.skip_intro(text, phrase.end, end, opening)
        dated = find_deadlines(text, after, end, None, v.rules)
        if dated and dated[0].kind != "none" and not text[after : dated[0].start].strip():
            after = dated[0].end  # "Sở X chậm nhất ngày 20/12/2023 phải trình …"
        if after > phrase.end:
            start, coordinators, role_rules = roles_and_action(v, text, after, end, words)
            if role_rules or v.action_at(text, start, end, any_case=True):
                found_rules = rules + opening + role_rules
                return Found(phrase.units, coordinators, start, found_rules, 0.8, "sentence")
        # "UBND các huyện căn cứ chức năng, nhiệm vụ, tổ chức thực hiện ...": the action
        # opens with the adverbial, provided an action word follows in the clause
        for rule in v.actions:
            for m in rule.regex.finditer(text, phrase.end, end):
                if lower_start(text, m.start()):
                    return Found(phrase.units, (), phrase.end, rules, 0.7, "sentence")
        return None
    if phrase.stop not in ("role", "action"):
        return None
    if v.issuer(text, pos, phrase.end) and (
        any(r.value == "after_issuer" and r.regex.match(text, phrase.end, end) for r in v.triggers)
        or v.trigger_starts(text, phrase.end, end) >= 0
    ):
        return None  # "Chủ tịch UBND tỉnh (thống nhất) chỉ đạo/giao X ...": X is the unit
    action_start, coordinators, role_rules = roles_and_action(v, text, phrase.end, end, words)
    if not v.action_at(text, action_start, end, any_case=True) and not role_rules:
        return None
    return Found(phrase.units, coordinators, action_start, rules + role_rules, 0.8, "sentence")


def trigger_in(
    v: Vocabulary, text: str, a: int, b: int, words: Words, *, heading: bool = False
) -> Found | None:
    hits: list[tuple[int, int, CompiledRule, str | None]] = []  # start, end, rule, issuer
    anchored, inline = v.heading_triggers if heading else v.sentence_triggers
    anchored_screen, inline_screen = v.trigger_screens[heading]
    chunk = text[a:b]  # "^báo cáo ... của": only where the sentence starts
    for rule in anchored if anchored_screen.match(chunk) else ():
        m = rule.regex.match(chunk)
        if m:
            hits.append((a + m.start(), a + m.end(), rule, None))
    if first := inline_screen.search(text, a, b):  # no inline trigger starts before it
        for rule in inline:
            for m in rule.regex.finditer(text, first.start(), b):
                issuer = None
                if rule.value == "after_issuer":
                    before = re.split(r"[,;:]", text[a : m.start()])[-1]
                    issuer = v.issuer(before, 0, len(before))
                    if issuer is None:
                        continue
                hits.append((m.start(), m.end(), rule, issuer))
    hits.sort(key=lambda h: (h[0], v.trigger_order[h[2].id]))
    for _start, t_end, rule, issuer_rule in hits:
        after = t_end
        while after < b and text[after] in " :":
            after += 1
        phrase = unit_phrase(v, text, after, b, words)
        if phrase is None and ":" in text[t_end:after]:
            # "yêu cầu: từ ngày ... đến ..., các Đơn vị bố trí ..."
            for cm in list(re.finditer(r",\s*", text[after:b]))[:2]:
                phrase = unit_phrase(v, text, after + cm.end(), b, words)
                if phrase:
                    break
        if phrase is None:
            continue
        after = phrase.end
        if phrase.stop == "relative":  # "Yêu cầu các xã chưa hoàn thành …, khẩn trương …"
            after = after_relative(v, text, phrase.end, b) or phrase.end
        start, coordinators, role_rules = roles_and_action(v, text, after, b, words)
        if rule.kind == "possessive" and not (
            role_rules or v.action_at(text, start, b, any_case=True)
        ):
            continue  # "Trách nhiệm của người đứng đầu được nâng cao": no order follows
        rules = [rule.id, *([issuer_rule] if issuer_rule else []), *phrase.rules, *role_rules]
        return Found(phrase.units, coordinators, start, rules, rule.confidence, "sentence")
    return None


def later_subject(v: Vocabulary, text: str, a: int, b: int, words: Words) -> Found | None:
    for m in re.finditer(r"[,;:]\s+", text[a:b]):
        p = a + m.end()
        if v.head_at(text, p, b) is None:
            continue
        found = subject_at(v, text, p, b, words)
        if found:
            found.confidence = 0.7
            return found
    return None
