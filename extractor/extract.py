"""Find tasks: who must do what, with whom, by when, in each directive sentence.

The engine holds no vocabulary: every word it looks for comes from `rules/` (triggers, roles,
actions, units, boilerplate, sections). A sentence is read in this order:

1. set phrases (`boilerplate`): closing formulas are skipped, a deadline-only sentence dates
   the previous task;
2. a unit phrase opening the sentence and followed by a role or action ("Sở X chủ trì ...");
3. an explicit trigger followed by a unit phrase ("Giao X ...", "UBND tỉnh yêu cầu X ...");
4. a unit phrase opening a later clause ("Trên cơ sở ..., Sở X chủ trì ...");
5. a bare imperative ("Đề xuất phương án ...") whose units come from the previous task of the
   section, the section heading, or the "Kính gửi" list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, lru_cache

from .deadlines import find_deadlines, pick_deadline
from .models import Deadline, Sentence, Span, Task, Trace
from .nlp import Words
from .rules import CompiledRule, RuleSet, union_regex
from .segment import Layout

__all__ = ["extract_tasks"]

SEPARATOR_OR_BRACKET = re.compile(r"[(\[\])]|\s*[,;]\s*|\s+(?:và|cùng)\s+")
CLAUSE_END = re.compile(r"[,;:.!?]")
UNIT_COLON = re.compile(r"[^:.;\n]{2,120}:\s")  # "Sở Y tế: kiểm tra …"
# after "các Bộ:": a capitalised name, a comma, another capitalised name
NAME_LIST = re.compile(r"\s*[A-ZĐÀ-Ỹ][^,;:.()\n]{0,60}?,\s*[A-ZĐÀ-Ỹ]")
PLURAL_LEAD = re.compile(r"^(?:các|những|tất\s+cả(?:\s+các)?|toàn\s+bộ(?:\s+các)?)\s*", re.I)
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
MAX_UNIT_SYLLABLES = 120  # a unit phrase longer than this ends there
REPORT_SENTENCES = 4
LETTERS3 = re.compile(r"(?s)(?:[^\W\d_].*?){3}")  # three letters somewhere
NUMBERED_MARKERS = frozenset(
    {
        "section.marker.article",
        "section.marker.roman",
        "section.marker.number",
        "section.marker.multilevel",
        "section.marker.letter",
    }
)


def _lower_start(text: str, pos: int) -> bool:
    return text[pos : pos + 1].islower()


def _words(s: str) -> set[str]:
    return set(re.findall(r"\w+", s.lower()))


@dataclass(frozen=True)
class UnitPhrase:
    units: tuple[Span, ...]
    end: int  # where the phrase stopped
    stop: str  # role | action | trigger | stop | relative | colon | end
    rules: tuple[str, ...]


@dataclass
class _Found:
    units: tuple[Span, ...]
    coordinators: tuple[Span, ...]
    action_start: int
    rules: list[str]
    confidence: float
    units_from: str


def _anchored_and_inline(
    rules: Iterable[CompiledRule],
) -> tuple[tuple[CompiledRule, ...], tuple[CompiledRule, ...]]:
    """Rules matching only at the start ("^...") apart from the ones matching anywhere."""
    group = tuple(rules)
    anchored = tuple(r for r in group if r.regex.pattern.startswith("^"))
    return anchored, tuple(r for r in group if r not in anchored)


class TaskFinder:
    """Stateless reader of sentences, built once per rule set."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.heads = {k: rules.of("units", k) for k in HEAD_KINDS}
        self.name_parts = rules.of("units", "name_part")
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
    @staticmethod
    def _match(
        rules: Iterable[CompiledRule], text: str, pos: int, end: int
    ) -> tuple[CompiledRule, re.Match[str]] | None:
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
        for kind in HEAD_KINDS:
            hit = self._match(self.heads[kind], text, pos, end)
            if hit:
                return kind, hit[0], hit[1]
        return None

    def plural_at(self, text: str, pos: int, end: int) -> bool:
        return self._match(self.plurals, text, pos, end) is not None

    def action_at(
        self, text: str, pos: int, end: int, *, any_case: bool = False
    ) -> tuple[CompiledRule, re.Match[str]] | None:
        if not any_case and not _lower_start(text, pos):
            return None
        return self._match(self.actions, text, pos, end)

    def role_at(self, text: str, pos: int, end: int) -> tuple[CompiledRule, re.Match[str]] | None:
        return self._match(self.roles, text, pos, end)

    def _names_follow(self, rule: CompiledRule, head: re.Match[str]) -> tuple[int, str | None]:
        """Where words naming the body may follow this head (-1: none), and the id of the rule
        that lets a purpose follow, if one may. After "Ban", "Tổ", "Hội đồng" names follow
        ("Ban chỉ đạo"), and after a head that ends in such a word ("Ban Chỉ huy", "Ban Quản
        lý"); after a head that is already a name ("Ban Quản lý dự án", "Tỉnh đoàn": the
        rule's value is `named`) a verb is the action."""
        if rule.value == "named":
            return -1, None
        name = head.group(0)
        first = name.find(" ")
        if first < 0 or name.count(" ") == 1:
            return head.end(), None
        part = self._match(self.name_parts, name, first + 1, len(name))
        if part and part[1].end() == len(name):
            return head.end(), _purpose(part[0])
        return -1, None

    def purpose_at(self, text: str, pos: int, end: int, words: Words) -> bool:
        """Is the verb ending at `pos` the purpose in a body's name ("Ban Chỉ đạo xây dựng nông
        thôn mới huyện kiểm tra ...")? Only if its object follows (not another verb: "Ban Chỉ
        đạo thực hiện kiểm tra ...") and the name then ends as such names do, on a place or a
        proper name ("… huyện", "… các cấp", "… Covid-19"), before an action, or before a colon
        or semicolon (a heading, a list of units)."""
        nxt = pos
        while nxt < end and text[nxt] == " ":
            nxt += 1
        if nxt >= end or not text[nxt].islower() or self.action_at(text, nxt, end):
            return False
        clause = CLAUSE_END.search(text, nxt, end)
        stop = clause.start() if clause else end
        name_end = stop if clause is None or clause.group() in ":;" else -1
        for w in words.syllables_from(nxt, stop):
            if (
                self.action_screen.match(text, w, stop)
                and words.is_start(w)
                and self.action_at(text, w, stop)
            ):
                name_end = w
                break
        if name_end < 0:
            return False
        name = text[nxt:name_end].rstrip()
        last = name.rsplit(" ", 1)[-1]
        return bool(last) and (
            last[0].isupper()
            or last[0].isdigit()
            or any(
                m.end() == len(name)
                for rule in self.heads["area"]
                for m in rule.regex.finditer(name)
            )
        )

    # ---------------------------------------------------------------- unit phrases
    def unit_phrase(self, text: str, start: int, end: int, words: Words) -> UnitPhrase | None:
        """Units named from `start`: the phrase runs to the first role/action/stop word."""
        while start < end and text[start] in " :":
            start += 1
        head = self.head_at(text, start, end)
        if head is None or (head[0] == "area" and not self.plural_at(text, start, end)):
            return None  # "Huyện Châu Thành ...": a place, not a unit; "các xã" is one
        head_end = head[2].end()
        if not _word_ends(text, head_end, end, words):
            return None  # "Tổ chức tập huấn", "Ban hành kế hoạch": a verb, not "Tổ", "Ban"
        verb = self._match(self.actions, text, start, end)
        if verb and verb[1].end() > head_end:
            return None  # "Phòng, chống dịch …": a longer verb starts where the head does
        stop, stop_at = "end", end
        fired: list[str] = []
        depth = 0
        # where words naming the body may follow (-1: none), and whether the name so far
        # ends in a word that takes a purpose ("Ban Chỉ đạo" + "xây dựng nông thôn mới")
        prev_head_end, purpose = self._names_follow(head[1], head[2])
        title_colon = head[0] == "title"
        prev_s: int | None = None
        for count, w in enumerate(words.syllables_from(start, end)):
            last_s, prev_s = prev_s, w
            if count > MAX_UNIT_SYLLABLES:
                stop, stop_at = "end", w
                break
            ch = text[w]  # punctuation is a word of its own: no need to ask the segmenter
            if ch == "(":
                depth += 1
                continue
            if ch == ")":
                depth = max(0, depth - 1)
                continue
            if depth or w < head_end:
                continue  # inside a head: "các chủ đầu tư" never stops at "đầu tư"
            if ch == ":":
                if title_colon and text[start:w].strip().count(" ") <= 3:  # "Giám đốc: Sở A, ..."
                    title_colon = False
                    continue
                if self.name_list(text, start, w, end):  # "các Bộ: Tài chính, Xây dựng …"
                    continue
                stop, stop_at = "colon", w
                break
            if ch in ".!?":
                stop, stop_at = "end", w
                break
            # the rules below look at words: skip syllables no rule word starts at, and the
            # ones inside a word ("dõi" of "theo dõi", "ban" of "Ủy ban")
            if not self.phrase_cues.match(text, w, end) or not words.is_start(w):
                continue
            if self.role_at(text, w, end):
                stop, stop_at = "role", w
                break
            if _lower_start(text, w) and self._match(self.inline_triggers, text, w, end):
                stop, stop_at = "trigger", w
                break
            hit = self.action_at(text, w, end)
            plural = self._match(self.plurals, text, last_s, w) if last_s is not None else None
            if hit and plural and not text[plural[1].end() : w].strip():
                fired.append(plural[0].id)  # "các tổ chức": a noun after a plural marker
                hit = None
            # "Ban chỉ đạo", "Đoàn kiểm tra liên ngành phòng, chống dịch …": words right after an
            # organization head (or after such a word) name it, even verbs
            if prev_head_end >= 0 and not text[prev_head_end:w].strip():
                part = self._match(self.name_parts, text, w, end)
                if part and not (hit and purpose):
                    fired.append(part[0].id)
                    prev_head_end, purpose = part[1].end(), _purpose(part[0])
                    continue
                # a verb after "Ban Chỉ đạo" is either its purpose or the action
                if hit and purpose and self.purpose_at(text, (part or hit)[1].end(), end, words):
                    fired.append(purpose)
                    prev_head_end, purpose = -1, None
                    continue
            if hit:
                stop, stop_at = "action", w
                break
            s = self._match(self.stops, text, w, end)
            if s:
                stop, stop_at = ("relative" if s[0].value == "relative" else "stop"), w
                fired.append(s[0].id)
                break
            org = self._match(self.heads["organization"], text, w, end)
            if org:  # a head further on: "…, Ban Chỉ huy Quân sự huyện"
                head_end = org[1].end()
                prev_head_end, purpose = self._names_follow(org[0], org[1])
        units, rules = self.split_units(text, start, stop_at)
        if not units:
            return None
        return UnitPhrase(tuple(units), stop_at, stop, tuple(rules + fired))

    def split_units(self, text: str, start: int, end: int) -> tuple[list[Span], list[str]]:
        """Split a unit phrase at top-level separators where a new head starts."""
        # trim trailing separators and connectives
        seg = text[start:end]
        m = re.search(r"(?:[\s,;:–-]|\s(?:và|cùng))*$", seg)
        end = start + (m.start() if m else len(seg))
        if end <= start:
            return [], []
        prefix = ""
        head = self.head_at(text, start, end)
        rules: list[str] = []
        if head and head[0] == "title":
            colon = re.match(r"\s*:\s*", text[head[2].end() : end])
            if colon:
                prefix = head[2].group(0) + " "
                rules.append(head[1].id)
                start = head[2].end() + colon.end()
        list_colon = text.find(":", start, end)
        listed = self.name_list(text, start, list_colon, end) if list_colon > 0 else None
        if listed:  # "Giám đốc các Sở: Y tế, Tài chính" gives "Giám đốc Sở Y tế", …
            return self._list_units(text, list_colon + 1, end, *listed)
        pieces: list[tuple[str, int, int]] = []  # (connector, start, end)
        depth, last, conn = 0, start, ""
        for sm in SEPARATOR_OR_BRACKET.finditer(text, start, end):
            ch = sm.group(0)
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif depth == 0:
                pieces.append((conn, last, sm.start()))
                conn = ch.strip() or ","
                last = sm.end()
        pieces.append((conn, last, end))
        units: list[list[int]] = []
        kinds: list[str] = []
        for conn, a, b in pieces:
            if a >= b:
                continue
            head = self.head_at(text, a, b)
            if head:
                rules.append(head[1].id)
            if not units:
                units.append([a, b])
                kinds.append(head[0] if head else "")
                continue
            if self._starts_new_unit(text, conn, head, a, units[-1][0], kinds[-1]):
                units.append([a, b])
                kinds.append(head[0] if head else "")
            else:
                units[-1][1] = b
        spans = []
        for a, b in units:
            a, b = _trim_unit(text, a, b)
            if b > a:
                spans.append(Span(prefix + text[a:b], a, b, rules[0] if rules else None))
        return spans, rules

    def name_list(self, text: str, start: int, colon: int, end: int) -> tuple[str, str, str] | None:
        """ "các Bộ: Kế hoạch và Đầu tư, Tài chính …", "Giám đốc các Sở: Y tế, Xây dựng": a
        plural head right before the colon, then names (capitalised items, at least two). The
        prefix each name takes ("Bộ ", "Giám đốc Sở "; for "các cơ quan:" the names are whole,
        so only a title), the prefix of an item that names its own head, and the rule id."""
        head_text = text[start:colon].rstrip()
        if not head_text or head_text.count(" ") > 4 or not NAME_LIST.match(text, colon + 1, end):
            return None
        for rule in self.heads["collective"] + self.heads["area"]:
            for m in rule.regex.finditer(head_text):
                if m.end() != len(head_text) or not PLURAL_LEAD.match(m.group(0)):
                    continue
                title = head_text[: m.start()].strip()
                if SEPARATOR_OR_BRACKET.search(title):
                    return None  # "Sở Y tế và các đơn vị: …": not one head over the names
                own = f"{title} " if title else ""
                noun = PLURAL_LEAD.sub("", m.group(0))
                if rule.kind == "area":  # "Chủ tịch UBND các huyện: A, B": "… huyện A"
                    return f"{own}{noun.lower()} ", own, rule.id
                noun = noun[:1].upper() + noun[1:]
                org = self._match(self.heads["organization"], noun, 0, len(noun))
                named = own + noun + " " if org and org[1].end() == len(noun) else own
                return named, own, rule.id
        return None

    def _list_units(
        self, text: str, a: int, end: int, named: str, own: str, rule_id: str
    ) -> tuple[list[Span], list[str]]:
        """The units of a name list after its colon: each comma item is one name ("Văn hóa,
        Thể thao và Du lịch" stays whole, `unit.compound_name`); the list ends at an item
        that names its own head after "và" ("… và các địa phương liên quan")."""
        guarded = [
            (m.span(), rule.id)
            for rule in self.compound_names
            for m in rule.regex.finditer(text, a, end)
        ]
        pieces: list[tuple[str, int, int]] = []
        last, conn = a, ","
        for sm in SEPARATOR_OR_BRACKET.finditer(text, a, end):
            if sm.group(0) in "()[]" or any(x <= sm.start() < y for (x, y), _ in guarded):
                continue
            pieces.append((conn, last, sm.start()))
            conn, last = sm.group(0).strip() or ",", sm.end()
        pieces.append((conn, last, end))
        spans: list[Span] = []
        rules = [rule_id, *dict.fromkeys(rid for _, rid in guarded)]
        in_list = True
        for conn, x, y in pieces:
            x, y = _trim_unit(text, x, y)
            if y <= x:
                continue
            head = self.head_at(text, x, y)
            if head and head[0] == "area" and not self.plural_at(text, x, y):
                head = None  # "Lao động - Thương binh và Xã hội": a name goes on
            if head:
                rules.append(head[1].id)
            if conn in ("và", "cùng") and not head and spans:
                last_span = spans[-1]
                spans[-1] = Span(
                    last_span.text + text[last_span.end : y], last_span.start, y, rule_id
                )
                continue
            if conn in ("và", "cùng") and head:
                in_list = False
            prefix = "" if not in_list else (own if head else named)
            spans.append(Span(prefix + text[x:y], x, y, rule_id))
        return spans, rules

    def _starts_new_unit(
        self,
        text: str,
        conn: str,
        head: tuple[str, CompiledRule, re.Match[str]] | None,
        pos: int,
        current_start: int,
        current_kind: str,
    ) -> bool:
        if conn == ";":
            return True
        if head is None:
            return False
        kind, _rule, m = head
        if kind == "title" and current_kind == "person" and conn == ",":
            return False  # "Ông Nguyễn Văn A, Chủ tịch UBND xã, Trưởng ban": one person
        if kind in ("addressee_ref", "people", "title", "person"):
            return True
        if kind == "area":
            return False
        if conn in ("và", "cùng") and re.search(r"\scủa\s", text[current_start:pos]):
            return False  # "Ban Xây dựng huyện của Đảng và Chính phủ": one genitive
        if kind == "organ":
            # "Văn phòng HĐND và UBND huyện" names one office.
            return not (conn in ("và", "cùng") and current_kind == "office")
        if kind in ("organization", "office"):
            nxt = text[m.end() : m.end() + 2].strip()
            specific = bool(nxt) and (nxt[0].isupper() or nxt[0].isdigit())
            plural = current_kind == "collective"
            return specific or not plural
        if kind == "collective":
            # "các cấp, các ngành", "các sở, các ngành": one group of plurals, as "các sở, ngành"
            return current_kind not in ("title", "collective", "area") or conn != ","
        return False

    # ---------------------------------------------------------------- after the units
    def after_relative(self, text: str, pos: int, end: int) -> int | None:
        """Where the order begins after a relative clause on the units: after a comma ("X đến
        nay chưa có báo cáo, khẩn trương gửi …") or, with none, at a manner word ("các xã chưa
        hoàn thành rà soát khẩn trương hoàn thành …")."""
        after_comma = (
            pos + m.end()
            for m in re.finditer(r",\s*", text[pos:end])
            if self.action_at(text, pos + m.end(), end)
        )
        manner = (
            m.start()
            for r in self.actions
            if r.kind == "adverb"
            for m in r.regex.finditer(text, pos, end)
            if m.start() > pos and _lower_start(text, m.start())
        )
        first = min((next(after_comma, end), *manner))
        return first if first < end else None

    def roles_and_action(
        self, text: str, pos: int, end: int, words: Words
    ) -> tuple[int, tuple[Span, ...], list[str]]:
        """Skip role words after the units; collect coordinators. Returns the action start."""
        rules: list[str] = []
        coordinators: tuple[Span, ...] = ()
        for _ in range(6):
            while pos < end and text[pos] in " ,:":
                pos += 1
            hit = self.role_at(text, pos, end)
            if not hit:
                break
            rule, m = hit
            rules.append(rule.id)
            pos = m.end()
            if rule.kind == "coordinate":
                phrase = self.unit_phrase(text, pos, end, words)
                if phrase:
                    coordinators = coordinators + phrase.units
                    rules.extend(phrase.rules)
                    pos = phrase.end
        while pos < end and text[pos] in " ,:":
            pos += 1
        return pos, coordinators, rules

    def subject_at(self, text: str, pos: int, end: int, words: Words) -> _Found | None:
        """A unit phrase at `pos` followed by a role, an action, or a colon."""
        phrase = self.unit_phrase(text, pos, end, words)
        if phrase is None:
            return None
        rules = list(phrase.rules)
        if phrase.stop == "relative":
            p = self.after_relative(text, phrase.end, end)
            return None if p is None else _Found(phrase.units, (), p, rules, 0.75, "sentence")
        if phrase.stop == "colon":
            p = phrase.end + 1
            while p < end and text[p] == " ":
                p += 1
            # "Trung tâm Y tế huyện: Chủ trì, phối hợp với UBND các xã xây dựng ..."
            action_start, coordinators, role_rules = self.roles_and_action(text, p, end, words)
            if role_rules or self.action_at(text, p, end, any_case=True):
                return _Found(
                    phrase.units, coordinators, action_start, rules + role_rules, 0.8, "sentence"
                )
            return None
        if phrase.stop == "stop":
            # "Công an huyện là cơ quan thường trực, chủ trì tham mưu ...": a framing clause,
            # then roles and the action
            opening: list[str] = []
            after = self.skip_intro(text, phrase.end, end, opening)
            dated = find_deadlines(text, after, end, None, self.rules)
            if dated and dated[0].kind != "none" and not text[after : dated[0].start].strip():
                after = dated[0].end  # "Sở X chậm nhất ngày 20/12/2023 phải trình …"
            if after > phrase.end:
                start, coordinators, role_rules = self.roles_and_action(text, after, end, words)
                if role_rules or self.action_at(text, start, end, any_case=True):
                    found_rules = rules + opening + role_rules
                    return _Found(phrase.units, coordinators, start, found_rules, 0.8, "sentence")
            # "UBND các huyện căn cứ chức năng, nhiệm vụ, tổ chức thực hiện ...": the action
            # opens with the adverbial, provided an action word follows in the clause
            for rule in self.actions:
                for m in rule.regex.finditer(text, phrase.end, end):
                    if _lower_start(text, m.start()):
                        return _Found(phrase.units, (), phrase.end, rules, 0.7, "sentence")
            return None
        if phrase.stop not in ("role", "action"):
            return None
        if self.issuer(text, pos, phrase.end) and (
            any(
                r.value == "after_issuer" and r.regex.match(text, phrase.end, end)
                for r in self.triggers
            )
            or self.trigger_starts(text, phrase.end, end) >= 0
        ):
            return None  # "Chủ tịch UBND tỉnh (thống nhất) chỉ đạo/giao X ...": X is the unit
        action_start, coordinators, role_rules = self.roles_and_action(text, phrase.end, end, words)
        if not self.action_at(text, action_start, end, any_case=True) and not role_rules:
            return None
        return _Found(phrase.units, coordinators, action_start, rules + role_rules, 0.8, "sentence")

    def trigger_in(
        self, text: str, a: int, b: int, words: Words, *, heading: bool = False
    ) -> _Found | None:
        hits: list[tuple[int, int, CompiledRule, str | None]] = []  # start, end, rule, issuer
        anchored, inline = self.heading_triggers if heading else self.sentence_triggers
        chunk = text[a:b]  # "^báo cáo ... của": only where the sentence starts
        for rule in anchored if union_regex(anchored).match(chunk) else ():
            m = rule.regex.match(chunk)
            if m:
                hits.append((a + m.start(), a + m.end(), rule, None))
        if union_regex(inline).search(text, a, b):
            for rule in inline:
                for m in rule.regex.finditer(text, a, b):
                    issuer = None
                    if rule.value == "after_issuer":
                        before = re.split(r"[,;:]", text[a : m.start()])[-1]
                        issuer = self.issuer(before, 0, len(before))
                        if issuer is None:
                            continue
                    hits.append((m.start(), m.end(), rule, issuer))
        hits.sort(key=lambda h: (h[0], self.trigger_order[h[2].id]))
        for _start, t_end, rule, issuer_rule in hits:
            after = t_end
            while after < b and text[after] in " :":
                after += 1
            phrase = self.unit_phrase(text, after, b, words)
            if phrase is None and ":" in text[t_end:after]:
                # "yêu cầu: từ ngày ... đến ..., các Đơn vị bố trí ..."
                for cm in list(re.finditer(r",\s*", text[after:b]))[:2]:
                    phrase = self.unit_phrase(text, after + cm.end(), b, words)
                    if phrase:
                        break
            if phrase is None:
                continue
            after = phrase.end
            if phrase.stop == "relative":  # "Yêu cầu các xã chưa hoàn thành …, khẩn trương …"
                after = self.after_relative(text, phrase.end, b) or phrase.end
            start, coordinators, role_rules = self.roles_and_action(text, after, b, words)
            if rule.kind == "possessive" and not (
                role_rules or self.action_at(text, start, b, any_case=True)
            ):
                continue  # "Trách nhiệm của người đứng đầu được nâng cao": no order follows
            rules = [rule.id, *([issuer_rule] if issuer_rule else []), *phrase.rules, *role_rules]
            return _Found(phrase.units, coordinators, start, rules, rule.confidence, "sentence")
        return None

    def trigger_starts(self, text: str, a: int, b: int) -> int:
        """Where a trigger that hands a task on ("giao", "yêu cầu", "đề nghị") begins at `a`,
        or after a manner word there ("đồng thời giao …"); -1 if none does."""
        adverb = self.action_at(text, a, b, any_case=True)
        if adverb and adverb[0].kind == "adverb":
            t = adverb[1].end()
            while t < b and text[t] == " ":
                t += 1
            if self._match(self.inline_triggers, text, t, b):
                return t
        return a if self._match(self.inline_triggers, text, a, b) else -1

    def later_subject(self, text: str, a: int, b: int, words: Words) -> _Found | None:
        for m in re.finditer(r"[,;:]\s+", text[a:b]):
            p = a + m.end()
            if self.head_at(text, p, b) is None:
                continue
            found = self.subject_at(text, p, b, words)
            if found:
                found.confidence = 0.7
                return found
        return None

    def skip_intro(self, text: str, a: int, b: int, rules: list[str]) -> int:
        """Skip connectives and framing clauses ("Đồng thời,", "Căn cứ Kế hoạch này,")."""
        for _ in range(3):
            moved = False
            for rule in self.intros:
                m = rule.regex.match(text[a:b])
                if m:
                    rules.append(rule.id)
                    a += m.end()
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
        hit = self._match(self.governing, text, pos, end)
        semicolon = text.find(";", pos, end)
        if hit is None or semicolon < 0:
            return None
        for m in self.action_screen.finditer(text, hit[1].end(), semicolon):
            if _lower_start(text, m.start()) and self.action_at(text, m.start(), semicolon):
                return None
        return hit[0].id


def _purpose(part: CompiledRule) -> str | None:
    """The rule's id if the name part takes a purpose after it ("Ban Chỉ đạo" + "xây dựng …")."""
    return part.id if part.value == "purpose" else None


def _word_ends(text: str, pos: int, end: int, words: Words) -> bool:
    """Does a unit head end at `pos` as a word? A capital after it continues a name ("Đài Phát
    thanh ..."); before a small letter the segmenter must start a new word there: "Tổ chức",
    "Ban hành", "Trường hợp" are words of their own, so "Tổ", "Ban", "Trường" there are no
    unit heads."""
    nxt = pos
    while nxt < end and text[nxt] == " ":
        nxt += 1
    return nxt == pos or nxt >= end or not text[nxt].islower() or words.is_start(nxt)


def _trim_unit(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " ,;:-–":
        a += 1
    while b > a and text[b - 1] in " ,;:.":
        b -= 1
    # a parenthetical at the end describes the unit; it is not its name
    if b > a and text[b - 1] == ")":
        depth = 0
        for i in range(b - 1, a - 1, -1):
            if text[i] == ")":
                depth += 1
            elif text[i] == "(":
                depth -= 1
                if depth == 0:
                    if i > a:
                        b = i
                        while b > a and text[b - 1] == " ":
                            b -= 1
                    break
    return a, b


def _action_span(
    text: str, a: int, b: int, deadline: Deadline | None, lead: int | None = None
) -> Span:
    """The action: text[a:b] without the deadline phrase (from `lead`, the words introducing
    it, if given), trailing punctuation trimmed."""
    while b > a and text[b - 1] in " .;,:/":
        b -= 1
    while a < b and text[a] in " ,;:":
        a += 1
    value = text[a:b]
    if deadline and deadline.kind != "none" and a <= deadline.start and deadline.end <= b:
        value = text[a : deadline.start if lead is None else lead] + " " + text[deadline.end : b]
        value = re.sub(r"\(\s*\)", " ", value)
        value = re.sub(r"\s+([,.;:)])", r"\1", value)
        value = re.sub(r"([,;])(?:\s*[,;])+", r"\1", value)  # "này, , năm" once cut out
    value = " ".join(value.split()).strip(" ,;:.")
    if not value:  # "Hoàn thành trong tháng 3/2023.": the deadline is the whole order
        value = " ".join(text[a:b].split())
    if value:
        value = value[0].lower() + value[1:] if value[:2] != value[:2].upper() else value
    return Span(value, a, b)


def _overlap(a: tuple[Span, ...], b: tuple[Span, ...]) -> float:
    wa, wb = set().union(*(_words(s.text) for s in a)), set().union(*(_words(s.text) for s in b))
    return len(wa & wb) / max(1, len(wa | wb))


def extract_tasks(
    text: str,
    layout: Layout,
    rules: RuleSet,
    ref: date | None,
    trace: list[Trace],
) -> list[Task]:
    finder = _finder(rules)

    @lru_cache(maxsize=256)
    def deadlines_in(start: int, end: int) -> list[Deadline]:
        return find_deadlines(text, start, end, ref, rules)

    boiler = {
        k: rules.of("boilerplate", k)
        for k in ("not_task", "narrative", "deadline_only", "all_addressees", "context_heading")
    }
    screens = {k: union_regex(v) for k, v in boiler.items()}
    tasks: list[Task] = []
    last_in_scope: dict[str | None, int] = {}
    heading_units: dict[str | None, tuple[Span, ...]] = {}
    heading_deadline: dict[str | None, Deadline] = {}
    parents = {s.id: s.parent for s in layout.sections}
    region_start = layout.directive_start
    explicit_intro = region_start is not None

    def scope_chain(sec: str | None) -> list[str | None]:
        out: list[str | None] = []
        while sec is not None:
            out.append(sec)
            sec = parents.get(sec)
        out.append(None)
        return out

    titles = {sec.id: sec.title.text for sec in layout.sections}

    @cache
    def context_of(sec: str | None) -> CompiledRule | None:
        """The rule marking a section (or one above it) as aims or assessment, not orders."""
        for s_id in scope_chain(sec):
            if s_id is not None:
                hit = first_hit("context_heading", titles.get(s_id, ""))
                if hit:
                    return hit
        return None

    def first_hit(kind: str, s: str) -> CompiledRule | None:
        if not screens[kind].search(s):
            return None
        for r in boiler[kind]:
            if r.regex.search(s):
                return r
        return None

    if region_start is None:
        # No "... như sau:" line: the directives start at the first explicit trigger, at the
        # first numbered part of a plan or decision, or at the first item addressed to a unit
        # ("- Sở Y tế: kiểm tra …"), whichever comes first;
        region_start = len(text)
        for sent in layout.sentences:
            if layout.blocks[sent.block].marker_kind in NUMBERED_MARKERS:
                region_start = sent.start
                break
            words = Words(text, sent.start, sent.end)
            if finder.trigger_in(text, sent.start, sent.end, words) or (
                sent.is_item
                and UNIT_COLON.match(text, sent.start, sent.end)
                and finder.subject_at(text, sent.start, sent.end, words)
            ):
                region_start = sent.start
                break
        else:
            # with neither, a text of several sentences reports and assigns nothing (a news
            # article); a short one is read whole (a bare order: "Sở Y tế kiểm tra ...")
            region_start = len(text) if len(layout.sentences) >= REPORT_SENTENCES else 0

    if explicit_intro:
        # "… đề nghị quý cơ quan chỉ đạo thực hiện một số nội dung sau:": the units the intro
        # addresses are those of the items under it that name none
        intro = next((x for x in layout.sentences if x.start < region_start <= x.end), None)
        if intro is not None:
            addressing = finder.trigger_in(
                text, intro.start, intro.end, Words(text, intro.start, intro.end)
            )
            if addressing is not None and addressing.units:
                units = addressing.units
                if layout.addressees and all(u.rule == "unit.addressee_ref" for u in units):
                    units = layout.addressees
                heading_units[None] = units
                trace.extend(Trace(rid, intro.start, intro.end) for rid in addressing.rules)

    pending_list: int | None = None
    block_sentences: dict[int, int] = {}
    for sent in layout.sentences:
        block_sentences[sent.block] = block_sentences.get(sent.block, 0) + 1

    for sent in layout.sentences:
        if sent.end <= region_start:
            continue
        a, b = max(sent.start, region_start), sent.end
        while a < b and text[a] == " ":
            a += 1
        if a >= b:
            continue
        block = layout.blocks[sent.block]
        clause = text[a:b]
        if clause.isupper() or not LETTERS3.search(clause):
            continue  # a heading in capitals, or no words at all
        words = Words(text, a, b)

        # Headings: "2. Giao Sở Tài chính:", "Đối với Sở Y tế:", "1. Trước ngày 15/9/2020, ..."
        ends_colon = clause.rstrip().endswith(":")
        if block.is_heading and not ends_colon:
            dl = pick_deadline(deadlines_in(a, b))
            if dl and dl.kind != "none":
                heading_deadline[sent.section] = dl
            # "3. Phòng Tài chính - Kế hoạch": a heading that only names a unit addresses it
            phrase = finder.unit_phrase(text, a, b, words)
            if phrase and phrase.stop == "end" and not clause.isupper():
                heading_units[sent.section] = phrase.units
                trace.extend(Trace(rid, a, b) for rid in phrase.rules)
            continue
        if ends_colon and len(clause) < 160:
            head_found = finder.trigger_in(text, a, b, words, heading=True) or finder.trigger_in(
                text, a, b, words
            )
            if head_found is None:
                # "4. Ủy ban nhân dân các xã, thị trấn:" names the section's units
                phrase = finder.unit_phrase(text, a, b, words)
                if phrase and phrase.stop == "colon" and not text[phrase.end : b].strip(" :"):
                    head_found = _Found(phrase.units, (), b, list(phrase.rules), 0.8, "section")
            if head_found and not text[head_found.action_start : b].strip(" :"):
                heading_units[sent.section] = head_found.units
                last_in_scope.pop(sent.section, None)
                for rid in head_found.rules:
                    trace.append(Trace(rid, a, b))
                continue

        hit = first_hit("not_task", clause)
        if hit:
            trace.append(Trace(hit.id, a, b))
            continue
        scope = sent.section
        prev_idx = last_in_scope.get(scope)
        hit = first_hit("deadline_only", clause)
        if hit and prev_idx is not None:
            # "Thời gian thực hiện: Quý IV/2023": after the label no cue word is needed
            label_end = a + clause.find(":") + 1 if ":" in clause else a
            dl = pick_deadline(deadlines_in(a, b)) or pick_deadline(
                find_deadlines(text, label_end, b, ref, rules, column=True)
            )
            prev = tasks[prev_idx]
            if dl and dl.kind != "none" and (prev.deadline is None or prev.deadline.kind == "none"):
                tasks[prev_idx] = replace(
                    prev,
                    deadline=dl,
                    rules=(*prev.rules, hit.id, dl.rule),
                    flags=_flags(_Found(prev.units, (), 0, [], 0, prev.units_from), dl, ref),
                )
                trace.append(Trace(hit.id, a, b))
                continue

        # "Căn cứ Kế hoạch này, xây dựng ...": the narrative check reads past an opening clause
        opening: list[str] = []
        body = finder.skip_intro(text, a, b, opening)
        trace.extend(Trace(rid, a, body) for rid in opening)
        narrative = first_hit("narrative", text[body : min(b, body + 200)]) or context_of(scope)
        if narrative is not None:
            trace.append(Trace(narrative.id, a, b))
        found: _Found | None = None
        if narrative is None:
            found = finder.subject_at(text, a, b, words)
            if found is None and body > a:  # "Trong quá trình thực hiện, …, các đơn vị báo cáo"
                found = finder.subject_at(text, body, b, words)
        if found is None:
            found = finder.trigger_in(text, a, b, words)
        if found is None and narrative is None:
            found = _bare(
                finder,
                text,
                a,
                b,
                sent,
                block_sentences,
                layout,
                deadlines_in,
                _inherit(scope_chain(scope), last_in_scope, heading_units, tasks),
                first_hit("all_addressees", clause),
                explicit_intro and (sent.is_item or prev_idx is None),
            )
        if found is None and narrative is None:
            found = finder.later_subject(text, a, b, words)
        if found is None and pending_list is not None and sent.is_item:
            # "... có trách nhiệm chuyển giao cho X:" followed by the items handed over
            t = tasks[pending_list]
            act = Span(
                f"{t.action.text}; {clause.rstrip(' .;')}".replace(":;", ":"), t.action.start, b
            )
            tasks[pending_list] = replace(t, action=act)
            continue
        pending_list = None
        if found is None:
            continue

        # Units "quý cơ quan" / "các đơn vị" point at the "Kính gửi" list.
        if (
            layout.addressees
            and found.units
            and all(u.rule == "unit.addressee_ref" for u in found.units)
        ):
            found.units = layout.addressees
            found.units_from = "addressees"

        opener = finder.action_at(text, found.action_start, b, any_case=True)
        if opener:
            found.rules.append(opener[0].id)
        # One sentence, several subjects: "A khẩn trương ...; B chỉ đạo ..."
        clauses = [(found, b)]
        # (after a governing verb a new unit may be one more of those it urges: "đôn đốc các
        # sở, ngành; UBND các huyện …"; a trigger always opens a new order)
        governing = finder.governing_at(text, found.action_start, b)
        if governing:
            found.rules.append(governing)
        for m in re.finditer(r";\s+", text[found.action_start : b]):
            p = finder.skip_intro(text, found.action_start + m.end(), b, [])
            if not governing and finder.head_at(text, p, b) is not None:
                nxt = finder.subject_at(text, p, b, words)
            elif (trigger := finder.trigger_starts(text, p, b)) >= 0:  # "…; đồng thời giao X"
                nxt = finder.trigger_in(text, trigger, b, words)
            else:
                continue
            if nxt and _overlap(nxt.units, clauses[-1][0].units) < 0.5:
                nxt_opener = finder.action_at(text, nxt.action_start, b, any_case=True)
                if nxt_opener:
                    nxt.rules.append(nxt_opener[0].id)
                clauses[-1] = (clauses[-1][0], found.action_start + m.start())
                clauses.append((nxt, b))
                break

        for f, end in clauses:
            dl = pick_deadline(deadlines_in(a if f is found else f.action_start, end))
            dl_rules: list[str] = []
            if dl is None or dl.kind == "none":
                for sec in scope_chain(scope):
                    if sec in heading_deadline:
                        dl = heading_deadline[sec]
                        dl_rules.append("engine.inherit.heading_deadline")
                        break
            if dl:
                dl_rules.append(dl.rule)
            lead = finder.deadline_lead(text, f.action_start, dl)
            if lead:
                dl_rules.append(lead[1])
            action = _action_span(text, f.action_start, end, dl, lead[0] if lead else None)
            if not action.text:
                continue
            flags = _flags(f, dl, ref)
            confidence = round(
                f.confidence
                * (1.0 if f.units else 0.7)
                * (0.85 if "unresolved_deadline" in flags else 1.0),
                2,
            )
            if confidence < 0.5:
                flags = (*flags, "low_confidence")
            task = Task(
                id=f"T{len(tasks) + 1}",
                section=scope,
                units=f.units,
                coordinators=f.coordinators,
                action=action,
                deadline=dl,
                evidence=Span(sent.text, sent.start, sent.end),
                rules=tuple(dict.fromkeys([*f.rules, *dl_rules])),
                confidence=confidence,
                units_from=f.units_from,  # type: ignore[arg-type]
                flags=flags,
            )
            for rid in task.rules:
                trace.append(Trace(rid, a, end))
            tasks.append(task)
            last_in_scope[scope] = len(tasks) - 1
            if clause.rstrip().endswith(":"):
                pending_list = len(tasks) - 1
    tasks.extend(_table_tasks(finder, text, layout, ref, rules, trace))
    tasks.sort(key=lambda t: t.evidence.start)
    return [t if t.id == f"T{i}" else replace(t, id=f"T{i}") for i, t in enumerate(tasks, 1)]


@lru_cache(maxsize=4)
def _finder(rules: RuleSet) -> TaskFinder:
    return TaskFinder(rules)


def _table_tasks(
    finder: TaskFinder,
    text: str,
    layout: Layout,
    ref: date | None,
    rules: RuleSet,
    trace: list[Trace],
) -> list[Task]:
    """One task per data row of a plan's task table, each field from its column."""
    out: list[Task] = []
    for row in layout.table_rows:
        content = row.cells["content"]
        fired = list(row.rules)
        units: tuple[Span, ...] = ()
        coordinators: tuple[Span, ...] = ()
        if "lead" in row.cells:
            spans, unit_rules = finder.split_units(
                text, row.cells["lead"].start, row.cells["lead"].end
            )
            units, fired = tuple(spans), fired + unit_rules
        if "support" in row.cells:
            spans, unit_rules = finder.split_units(
                text, row.cells["support"].start, row.cells["support"].end
            )
            coordinators, fired = tuple(spans), fired + unit_rules
        dl = None
        if "deadline" in row.cells:
            cell = row.cells["deadline"]
            dl = pick_deadline(find_deadlines(text, cell.start, cell.end, ref, rules, column=True))
            if dl:
                fired.append(dl.rule)
        found = _Found(units, coordinators, content.start, fired, 0.85, "sentence")
        action = _action_span(text, content.start, content.end, None)
        for rid in dict.fromkeys(fired):
            trace.append(Trace(rid, row.start, row.end))
        out.append(
            Task(
                id="T0",
                section=row.section,
                units=units,
                coordinators=coordinators,
                action=action,
                deadline=dl,
                evidence=Span(text[row.start : row.end], row.start, row.end),
                rules=tuple(dict.fromkeys(fired)),
                confidence=0.85 if units else 0.6,
                units_from="sentence" if units else "none",
                flags=_flags(found, dl, ref),
            )
        )
    return out


def _bare(
    finder: TaskFinder,
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
) -> _Found | None:
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
        # "Trong quá trình thực hiện, có khó khăn, vướng mắc, kịp thời báo cáo ...": everyone
        start = finder.skip_intro(text, a, b, intro_rules)
        source = "addressees" if layout.addressees else "previous_task"
        units = layout.addressees or (inherited[0] if inherited else ())
        return _Found(
            units, (), start, [addressed.id, *intro_rules, f"engine.inherit.{source}"], 0.6, source
        )
    start = finder.skip_intro(text, a, b, intro_rules)
    bare = finder.bare_imperative(text, start, b) or finder.report_formula(text, start, b)
    if bare is None:
        # "Chậm nhất ngày 28/8/2020 phải báo cáo ...": the order follows its deadline
        lead = pick_deadline(deadlines_in(start, b))
        if lead is None or lead.start != start or lead.kind == "none":
            return None
        start = lead.end
        while start < b and text[start] in " ,":
            start += 1
        bare = finder.bare_imperative(text, start, b)
        if bare is None:
            return None
    # "Chủ trì, phối hợp với X thẩm định ...": role words open the order, X coordinates
    action_start, role_rules = start, list[str]()
    coordinators: tuple[Span, ...] = ()
    if finder.role_at(text, start, b):
        action_start, coordinators, role_rules = finder.roles_and_action(
            text, start, b, Words(text, start, b)
        )
    fired = [bare, *intro_rules, *role_rules]
    if inherited is not None:
        units, source = inherited
        return _Found(
            units, coordinators, action_start, [*fired, f"engine.inherit.{source}"], 0.65, source
        )
    if unit_optional:
        return _Found((), coordinators, action_start, fired, 0.45, "none")
    return None


def _inherit(
    chain: list[str | None],
    last_in_scope: dict[str | None, int],
    heading_units: dict[str | None, tuple[Span, ...]],
    tasks: list[Task],
) -> tuple[tuple[Span, ...], str] | None:
    first = chain[0]
    if first in last_in_scope:
        return tasks[last_in_scope[first]].units, "previous_task"
    for sec in chain:
        if sec in heading_units:
            return heading_units[sec], "section"
    return None


def _flags(f: _Found, dl: Deadline | None, ref: date | None) -> tuple[str, ...]:
    flags = []
    if not f.units:
        flags.append("no_unit")
    elif f.units_from != "sentence":
        flags.append("unit_inherited")
    if dl is None or (dl.date is None and dl.recurring is None):
        flags.append("no_deadline")
    if dl is not None and dl.date is None and dl.kind not in ("none", "recurring"):
        flags.append("unresolved_deadline")
    if dl is not None and dl.date is not None and ref is not None and dl.date < ref:
        flags.append("deadline_before_notice")
    return tuple(flags)
