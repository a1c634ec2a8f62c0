"""The rule groups a sentence is read with, and the small matchers over them.

Built once per rule set (`vocabulary(rules)`); every word it looks for comes from `rules/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..models import Deadline
from ..rules import CompiledRule, RuleSet, search_screen, union_regex

__all__ = ["HEAD_KINDS", "Vocabulary", "lower_start", "vocabulary"]

HEAD_KINDS = (
    "person",
    "addressee_ref",
    "people",
    "title",
    "organ",
    "office",
    "organization",
    "area",
    "collective",
)


def lower_start(text: str, pos: int) -> bool:
    return text[pos : pos + 1].islower()


def _anchored_and_inline(
    rules: Iterable[CompiledRule],
) -> tuple[tuple[CompiledRule, ...], tuple[CompiledRule, ...]]:
    """Rules matching only at the start ("^...") apart from the ones matching anywhere."""
    group = tuple(rules)
    anchored = tuple(r for r in group if r.regex.pattern.startswith("^"))
    return anchored, tuple(r for r in group if r not in anchored)


class Vocabulary:
    """Stateless matchers over one rule set."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.heads = {k: rules.of("units", k) for k in HEAD_KINDS}
        self.name_parts = rules.of("units", "name_part")
        self.honorifics = rules.of("units", "honorific")
        self.cities = rules.of("units", "city")
        self.compound_names = rules.of("units", "compound_name")
        self.stops = rules.of("units", "stop")
        self.plurals = rules.of("units", "plural")
        self.roles = rules.of("roles")
        self.actions = rules.of("actions", "verb") + rules.of("actions", "adverb")
        self.governing = rules.of("actions", "governing")
        self.triggers = rules.of("triggers")
        self.trigger_order = {r.id: i for i, r in enumerate(self.triggers)}
        self.heading_triggers = _anchored_and_inline(
            r for r in self.triggers if r.kind == "heading"
        )
        self.sentence_triggers = _anchored_and_inline(
            r for r in self.triggers if r.kind != "heading"
        )
        # (the anchored ones, the others) of the heading and the sentence triggers
        self.trigger_screens = {
            heading: (union_regex(group[0]), search_screen(group[1], loose=True))
            for heading, group in ((True, self.heading_triggers), (False, self.sentence_triggers))
        }
        self.inline_triggers = tuple(
            r
            for r in self.triggers
            if r.kind in ("assign", "request")
            and not r.regex.pattern.startswith("^")
            and r.value != "after_issuer"
        )
        self.issuers = rules.of("units", "issuer")
        self.intros = rules.of("sections", "intro")
        self.report_formulas = rules.of("boilerplate", "report_formula")
        self.deadline_leads = rules.of("boilerplate", "deadline_lead")
        self.action_screen = union_regex(self.actions)
        self.head_screen = union_regex(tuple(r for k in HEAD_KINDS for r in self.heads[k]))
        # the heads in the order they are tried, with their kinds: one loop, not one a kind
        self.head_rules = tuple((k, r, r.regex.match) for k in HEAD_KINDS for r in self.heads[k])
        self._group_screens = {
            id(group): union_regex(group).match
            for group in (
                self.actions,
                self.roles,
                self.inline_triggers,
                self.governing,
                self.stops,
                self.name_parts,
            )
            if len(group) > 2
        }
        # where a unit phrase may stop or change: one pattern screens each syllable
        self.phrase_cues = union_regex(
            self.roles
            + self.inline_triggers
            + self.actions
            + self.stops
            + self.heads["organization"]
            + self.name_parts
        )

    # ---------------------------------------------------------------- matching helpers

    def match(
        self, rules: tuple[CompiledRule, ...], text: str, pos: int, end: int
    ) -> tuple[CompiledRule, re.Match[str]] | None:
        """The first of `rules` matching a word at `pos`: a group of several is screened by
        their joined pattern first (most places start none of them)."""
        screen = self._group_screens.get(id(rules))
        if screen is not None and not screen(text, pos, end):
            return None
        for rule in rules:
            m = rule.regex.match(text, pos, end)
            if m and m.end() > pos:
                return rule, m
        return None

    def head_at(
        self, text: str, pos: int, end: int
    ) -> tuple[str, CompiledRule, re.Match[str]] | None:
        if not self.head_screen.match(text, pos, end):
            return None
        for kind, rule, match in self.head_rules:
            m = match(text, pos, end)
            if m and m.end() > pos:
                return kind, rule, m
        return None

    def plural_at(self, text: str, pos: int, end: int) -> bool:
        return self.match(self.plurals, text, pos, end) is not None

    def action_at(
        self, text: str, pos: int, end: int, *, any_case: bool = False
    ) -> tuple[CompiledRule, re.Match[str]] | None:
        if not any_case and not lower_start(text, pos):
            return None
        return self.match(self.actions, text, pos, end)

    def role_at(self, text: str, pos: int, end: int) -> tuple[CompiledRule, re.Match[str]] | None:
        return self.match(self.roles, text, pos, end)

    def trigger_starts(self, text: str, a: int, b: int) -> int:
        """Where a trigger that hands a task on ("giao", "yêu cầu", "đề nghị") begins at `a`,
        or after a manner word there ("đồng thời giao …"); -1 if none does."""
        adverb = self.action_at(text, a, b, any_case=True)
        if adverb and adverb[0].kind == "adverb":
            t = adverb[1].end()
            while t < b and text[t] == " ":
                t += 1
            if self.match(self.inline_triggers, text, t, b):
                return t
        return a if self.match(self.inline_triggers, text, a, b) else -1

    def skip_intro(self, text: str, a: int, b: int, rules: list[str]) -> int:
        """Skip connectives and framing clauses ("Đồng thời,", "Căn cứ Kế hoạch này,")."""
        for _ in range(3):
            moved = False
            chunk = text[a:b]  # the rules open on "^": they read the clause on its own
            for rule in self.intros:
                m = rule.regex.match(chunk)
                if m:
                    rules.append(rule.id)
                    a += m.end()
                    chunk = chunk[m.end() :]
                    moved = True
            if not moved:
                break
        return a

    def bare_imperative(self, text: str, a: int, b: int) -> str | None:
        """The id of the rule making text[a:b] a bare imperative, or None."""
        hit = self.action_at(text, a, b, any_case=True) or self.role_at(text, a, b)
        if hit and hit[0].kind != "coordinate":
            return hit[0].id
        # "Đối với hồ sơ tồn đọng phải hoàn thành ..." / "Chậm nhất ngày X phải báo cáo ..."
        stop = re.search(r"[,.;:]", text[a:b])
        limit = min(b, a + 100, a + stop.start() if stop else b)
        for rule in self.roles:
            if rule.kind == "obligation" and rule.regex.search(text, a, limit):
                return rule.id
        return None

    def issuer(self, text: str, a: int, b: int) -> str | None:
        """The id of the rule naming text[a:b] the issuing authority ("Chủ tịch UBND tỉnh")."""
        name = " ".join(text[a:b].lower().split()).strip(" ,;:")
        return next((r.id for r in self.issuers if r.regex.fullmatch(name)), None)

    def report_formula(self, text: str, a: int, b: int) -> str | None:
        """ "Kết quả thực hiện báo cáo UBND tỉnh ...": a noun subject, then the order to send."""
        for rule in self.report_formulas:
            if rule.regex.match(text[a:b]):
                return rule.id
        return None

    def deadline_lead(self, text: str, a: int, dl: Deadline | None) -> tuple[int, str] | None:
        """Where words introducing the deadline begin ("…; thời gian hoàn thành trong tháng
        10/2024"), so that the action is cut there, and the id of the rule naming them."""
        if dl is None or dl.kind == "none" or dl.start <= a:
            return None
        before = text[a : dl.start]
        for rule in self.deadline_leads:
            m = rule.regex.search(before)
            if m:
                return a + m.start(), rule.id
        return None

    def governing_at(self, text: str, pos: int, end: int) -> str | None:
        """The id of a governing verb opening the action, if the next clause may be its object:
        "đôn đốc các sở, ngành; UBND các huyện ..." continues the list of whom it urges, but
        "hướng dẫn xã giải quyết ...; Phòng X kiểm tra ..." has finished its own order (another
        action word comes before the semicolon), so the clause after it is a new one."""
        hit = self.match(self.governing, text, pos, end)
        semicolon = text.find(";", pos, end)
        if hit is None or semicolon < 0:
            return None
        for m in self.action_screen.finditer(text, hit[1].end(), semicolon):
            if lower_start(text, m.start()) and self.action_at(text, m.start(), semicolon):
                return None
        return hit[0].id


@lru_cache(maxsize=4)
def vocabulary(rules: RuleSet) -> Vocabulary:
    return Vocabulary(rules)
