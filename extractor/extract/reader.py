"""The sentence loop: each sentence of the directive region, in document order, once."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from ..deadlines import find_deadlines, pick_deadline
from ..models import Deadline, Sentence, Span, Task, Trace
from ..nlp import Words
from ..rules import RuleSet
from ..segment import Layout
from .bare import bare
from .boilerplate import Boilerplate
from .build import action_span, confidence_of, flags_of
from .clauses import Found, later_subject, subject_at, trigger_in
from .fields import field_tasks
from .scopes import Scopes
from .tables import table_tasks
from .units import unit_phrase
from .vocab import vocabulary

__all__ = ["extract_tasks"]

UNIT_COLON = re.compile(r"[^:.;\n]{2,120}:\s")  # "Sở Y tế: kiểm tra …"
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


def _words(s: str) -> set[str]:
    return set(re.findall(r"\w+", s.lower()))


def _overlap(a: tuple[Span, ...], b: tuple[Span, ...]) -> float:
    wa, wb = set().union(*(_words(s.text) for s in a)), set().union(*(_words(s.text) for s in b))
    return len(wa & wb) / max(1, len(wa | wb))


def extract_tasks(
    text: str, layout: Layout, rules: RuleSet, ref: date | None, trace: list[Trace]
) -> list[Task]:
    """The tasks of a segmented notice, in document order, ids T1…; `trace` gets every rule
    that fired."""
    return _Reader(text, layout, rules, ref, trace).run()


class _Reader:
    def __init__(
        self, text: str, layout: Layout, rules: RuleSet, ref: date | None, trace: list[Trace]
    ) -> None:
        self.text, self.layout, self.rules, self.ref, self.trace = text, layout, rules, ref, trace
        self.v = vocabulary(rules)
        self.boiler = Boilerplate(rules)
        self.scopes = Scopes(layout, self.boiler)
        self.tasks: list[Task] = []
        self.task_blocks: list[int] = []  # the block each task was read in
        self.block_first: dict[int, int] = {}  # block -> its first task
        self.pending_list: int | None = None  # a task ending in ":" whose items it hands over
        self.block_sentences = Counter(s.block for s in layout.sentences)
        self._deadlines: dict[tuple[int, int], list[Deadline]] = {}

    def deadlines_in(self, start: int, end: int) -> list[Deadline]:
        key = (start, end)
        if key not in self._deadlines:
            self._deadlines[key] = find_deadlines(self.text, start, end, self.ref, self.rules)
        return self._deadlines[key]

    def run(self) -> list[Task]:
        region_start, explicit = self._region()
        if explicit:
            self._address_intro(region_start)
        fields = [(f.start, f.end) for f in self.layout.field_blocks]
        leads = [f.fields["lead"] for f in self.layout.field_blocks if "lead" in f.fields]
        for sent in self.layout.sentences:
            if sent.end <= region_start:
                continue
            if not any(a <= sent.start < b for a, b in fields):
                self.read(sent, region_start, explicit)
                continue
            # a field block's lines are its row's cells; a lead cell may hold orders of its
            # own ("- Cơ quan thực hiện: Sở X tiến hành rà soát …; các sở … rà soát …")
            lead = next((x for x in leads if x.start < sent.end and sent.start < x.end), None)
            if lead is not None:
                self.read(sent, max(region_start, lead.start), explicit, in_field=True)
        tasks = self.tasks
        tasks.extend(table_tasks(self.v, self.text, self.layout, self.ref, self.rules, self.trace))
        tasks.extend(field_tasks(self.v, self.text, self.layout, self.ref, self.rules, self.trace))
        tasks.sort(key=lambda t: t.evidence.start)
        return [t if t.id == f"T{i}" else replace(t, id=f"T{i}") for i, t in enumerate(tasks, 1)]

    # ------------------------------------------------------------------ the directive region
    def _region(self) -> tuple[int, bool]:
        """Where the directives start, and whether an explicit "… như sau:" line says so."""
        text, layout = self.text, self.layout
        if layout.directive_start is not None:
            return layout.directive_start, True
        # No "... như sau:" line: the directives start at the first explicit trigger, at the
        # first numbered part of a plan or decision, or at the first item addressed to a unit
        # ("- Sở Y tế: kiểm tra …"), whichever comes first;
        for sent in layout.sentences:
            if layout.blocks[sent.block].marker_kind in NUMBERED_MARKERS:
                return sent.start, False
            words = Words(text, sent.start, sent.end)
            if trigger_in(self.v, text, sent.start, sent.end, words) or (
                sent.is_item
                and UNIT_COLON.match(text, sent.start, sent.end)
                and subject_at(self.v, text, sent.start, sent.end, words)
            ):
                return sent.start, False
        # with neither, a text of several sentences reports and assigns nothing (a news
        # article); a short one is read whole (a bare order: "Sở Y tế kiểm tra ...")
        return (len(text) if len(layout.sentences) >= REPORT_SENTENCES else 0), False

    def _address_intro(self, region_start: int) -> None:
        """ "… đề nghị quý cơ quan chỉ đạo thực hiện một số nội dung sau:": the units the intro
        addresses are those of the items under it that name none."""
        text, layout = self.text, self.layout
        intro = next((x for x in layout.sentences if x.start < region_start <= x.end), None)
        if intro is None:
            return
        addressing = trigger_in(
            self.v, text, intro.start, intro.end, Words(text, intro.start, intro.end)
        )
        if addressing is not None and addressing.units:
            units = addressing.units
            if layout.addressees and all(u.rule == "unit.addressee_ref" for u in units):
                units = layout.addressees
            self.scopes.heading_units[None] = units
            self.trace.extend(Trace(rid, intro.start, intro.end) for rid in addressing.rules)

    # ------------------------------------------------------------------ one sentence
    def read(
        self, sent: Sentence, region_start: int, explicit: bool, *, in_field: bool = False
    ) -> None:
        text = self.text
        a, b = max(sent.start, region_start), sent.end
        while a < b and text[a] == " ":
            a += 1
        if a >= b:
            return
        clause = text[a:b]
        if clause.isupper() or not LETTERS3.search(clause):
            return  # a heading in capitals, or no words at all
        words = Words(text, a, b)
        if self._heading(sent, a, b, words):
            return
        hit = self.boiler.hit("not_task", clause)
        if hit:
            self.trace.append(Trace(hit.id, a, b))
            return
        if self._dates_previous(sent, a, b):
            return
        found = self._directive(sent, a, b, words, explicit)
        if in_field and (
            found is None
            or found.units_from != "sentence"
            or not self.v.action_at(text, found.action_start, b, any_case=True)
        ):
            return  # a field names units; only a sentence with its own subject and verb is read
        if found is None and self.pending_list is not None and sent.is_item:
            # "... có trách nhiệm chuyển giao cho X:" followed by the items handed over
            t = self.tasks[self.pending_list]
            act = Span(
                f"{t.action.text}; {clause.rstrip(' .;')}".replace(":;", ":"), t.action.start, b
            )
            self.tasks[self.pending_list] = replace(t, action=act)
            return
        self.pending_list = None
        if found is None:
            return
        # Units "quý cơ quan" / "các đơn vị" point at the "Kính gửi" list.
        if (
            self.layout.addressees
            and found.units
            and all(u.rule == "unit.addressee_ref" for u in found.units)
        ):
            found.units = self.layout.addressees
            found.units_from = "addressees"
        before = len(self.tasks)
        for f, end in self._subjects(found, b, words):
            self._emit(sent, f, a, a if f is found else f.action_start, end)
        if clause.rstrip().endswith(":") and len(self.tasks) > before:
            self.pending_list = len(self.tasks) - 1

    def _heading(self, sent: Sentence, a: int, b: int, words: Words) -> bool:
        """Headings pass units and deadlines down: "2. Giao Sở Tài chính:", "Đối với Sở Y
        tế:", "1. Trước ngày 15/9/2020, ...". True if the sentence was a heading."""
        text, v, scopes = self.text, self.v, self.scopes
        clause = text[a:b]
        ends_colon = clause.rstrip().endswith(":")
        if self.layout.blocks[sent.block].is_heading and not ends_colon:
            dl = pick_deadline(self.deadlines_in(a, b))
            if dl and dl.kind != "none":
                scopes.heading_deadline[sent.section] = dl
            # "3. Phòng Tài chính - Kế hoạch": a heading that only names a unit addresses it
            phrase = unit_phrase(v, text, a, b, words)
            if phrase and phrase.stop == "end" and not clause.isupper():
                scopes.heading_units[sent.section] = phrase.units
                self.trace.extend(Trace(rid, a, b) for rid in phrase.rules)
            return True
        if not ends_colon or len(clause) >= 160:
            return False
        head_found = trigger_in(v, text, a, b, words, heading=True) or trigger_in(
            v, text, a, b, words
        )
        if head_found is None:
            # "4. Ủy ban nhân dân các xã, thị trấn:" names the section's units
            phrase = unit_phrase(v, text, a, b, words)
            if phrase and phrase.stop == "colon" and not text[phrase.end : b].strip(" :"):
                head_found = Found(phrase.units, (), b, list(phrase.rules), 0.8, "section")
        if (
            head_found is None
            and self._titles_a_list(sent)
            and subject_at(v, text, a, b, words) is None
        ):
            return True  # "6. Phân công tổ chức thực hiện:" over its lettered items: a title
        if head_found is None or text[head_found.action_start : b].strip(" :"):
            return False
        scopes.heading_units[sent.section] = head_found.units
        scopes.last_task.pop(sent.section, None)
        self.trace.extend(Trace(rid, a, b) for rid in head_found.rules)
        return True

    def _titles_a_list(self, sent: Sentence) -> bool:
        """Is the sentence a numbered part's title ending in ":" with the part's items under
        it (which are the orders), not a lead-in of its own text?"""
        blocks = self.layout.blocks
        block = blocks[sent.block]
        if block.marker is None or block.level > 4 or sent.block + 1 >= len(blocks):
            return False
        nxt = blocks[sent.block + 1]
        return nxt.marker is not None and nxt.level > block.level

    def _dates_previous(self, sent: Sentence, a: int, b: int) -> bool:
        """A sentence that only dates the previous task of its scope ("Thời gian thực hiện:
        Quý IV/2023") gives that task its deadline. True if it did."""
        text, clause = self.text, self.text[a:b]
        prev_idx = self.scopes.last_task.get(sent.section)
        hit = self.boiler.hit("deadline_only", clause)
        if hit is None or prev_idx is None:
            return False
        # after the label no cue word is needed
        label_end = a + clause.find(":") + 1 if ":" in clause else a
        dl = pick_deadline(self.deadlines_in(a, b)) or pick_deadline(
            find_deadlines(text, label_end, b, self.ref, self.rules, column=True)
        )
        prev = self.tasks[prev_idx]
        if dl is None or dl.kind == "none" or (prev.deadline and prev.deadline.kind != "none"):
            return False
        # every order of the paragraph the previous task ends, that has no date of its own
        i = prev_idx
        while i >= 0 and self.task_blocks[i] == self.task_blocks[prev_idx]:
            t = self.tasks[i]
            if t.deadline is None or t.deadline.kind == "none":
                self.tasks[i] = replace(
                    t,
                    deadline=dl,
                    rules=(*t.rules, hit.id, dl.rule),
                    flags=flags_of(Found(t.units, (), 0, [], 0, t.units_from), dl, self.ref),
                )
            i -= 1
        self.trace.append(Trace(hit.id, a, b))
        return True

    def _directive(
        self, sent: Sentence, a: int, b: int, words: Words, explicit: bool
    ) -> Found | None:
        """Who is ordered to do what in text[a:b], in the order of the package docstring."""
        text, v = self.text, self.v
        clause = text[a:b]
        # "Căn cứ Kế hoạch này, xây dựng ...": the narrative check reads past an opening clause
        opening: list[str] = []
        body = v.skip_intro(text, a, b, opening)
        self.trace.extend(Trace(rid, a, body) for rid in opening)
        narrative = self.boiler.hit(
            "narrative", text[body : min(b, body + 200)]
        ) or self.scopes.context_of(sent.section)
        # an opening that names no one ("Đơn vị nào chưa thu thì …") or only a topic ("Về dự án
        # X: …", whose "đề nghị" is a noun) is read past: the order is after it
        past = {r.id for r in v.intros if r.value in ("generic_subject", "topic")} & set(opening)
        if narrative is not None:
            self.trace.append(Trace(narrative.id, a, b))
            return trigger_in(v, text, body if past else a, b, words)
        found = None if past else subject_at(v, text, a, b, words)
        if found is None and body > a:  # "Trong quá trình thực hiện, …, các đơn vị báo cáo"
            found = subject_at(v, text, body, b, words)
        found = found or trigger_in(v, text, body if past else a, b, words)
        # "b) Thanh tra khoa học và công nghệ: UBND các huyện làm đầu mối …": a topic, then
        # the unit
        label = UNIT_COLON.match(text, a, b) if found is None else None
        if label and v.head_at(text, label.end(), b) is not None:
            found = subject_at(v, text, label.end(), b, words)
        if found is None:
            prev_idx = self.scopes.last_task.get(sent.section)
            found = bare(
                v,
                text,
                a,
                b,
                sent,
                self.block_sentences,
                self.layout,
                self.deadlines_in,
                self._inherited(sent),
                self.boiler.hit("all_addressees", clause),
                explicit and (sent.is_item or prev_idx is None),
            )
        return found or later_subject(v, text, a, b, words)

    def _inherited(self, sent: Sentence) -> tuple[tuple[Span, ...], str] | None:
        """Units for a directive naming none (GUIDELINES, inheritance): inside a paragraph or
        list item, those of its first task; at the start of a new list item and for a
        paragraph after the list, those of the nearest heading or lead-in; otherwise the
        previous task of the section."""
        first = self.block_first.get(sent.block)
        if first is not None:
            return self.tasks[first].units, "previous_task"
        opens_item = self.layout.blocks[sent.block].marker is not None
        return self.scopes.inherited(
            sent.section, self.tasks, after_list=opens_item or self._after_list(sent)
        )

    def _after_list(self, sent: Sentence) -> bool:
        """Does the sentence open a plain paragraph right after an item of a list (an item
        that is a sentence, not a heading over the paragraph)?"""
        blocks = self.layout.blocks
        block = blocks[sent.block]
        if (
            block.marker is not None
            or sent.block == 0
            or self.text[block.start : sent.start].strip()
        ):
            return False
        prev = blocks[sent.block - 1]
        return prev.marker is not None and not prev.is_heading

    def _subjects(self, found: Found, b: int, words: Words) -> list[tuple[Found, int]]:
        """One sentence, several subjects: "A khẩn trương ...; B chỉ đạo ..." gives one clause
        per unit group, each with where it ends."""
        text, v = self.text, self.v
        opener = v.action_at(text, found.action_start, b, any_case=True)
        if opener:
            found.rules.append(opener[0].id)
        clauses = [(found, b)]
        # (after a governing verb a new unit may be one more of those it urges: "đôn đốc các
        # sở, ngành; UBND các huyện …"; a trigger always opens a new order)
        governing = v.governing_at(text, found.action_start, b)
        if governing:
            found.rules.append(governing)
        for m in re.finditer(r";\s+", text[found.action_start : b]):
            p = v.skip_intro(text, found.action_start + m.end(), b, [])
            if not governing and v.head_at(text, p, b) is not None:
                nxt = subject_at(v, text, p, b, words)
            elif (trigger := v.trigger_starts(text, p, b)) >= 0:  # "…; đồng thời giao X"
                nxt = trigger_in(v, text, trigger, b, words)
            else:
                continue
            if nxt and _overlap(nxt.units, clauses[-1][0].units) < 0.5:
                nxt_opener = v.action_at(text, nxt.action_start, b, any_case=True)
                if nxt_opener:
                    nxt.rules.append(nxt_opener[0].id)
                clauses[-1] = (clauses[-1][0], found.action_start + m.start())
                clauses.append((nxt, b))
                break
        return clauses

    def _emit(self, sent: Sentence, f: Found, a: int, dl_from: int, end: int) -> None:
        """Add the task of one clause: its deadline (the clause's, else the heading's), its
        action without the deadline phrase, its flags and confidence."""
        text = self.text
        dl = pick_deadline(self.deadlines_in(dl_from, end))
        dl_rules: list[str] = []
        if dl is None or dl.kind == "none":
            inherited = self.scopes.deadline(sent.section)
            if inherited is not None:
                dl = inherited
                dl_rules.append("engine.inherit.heading_deadline")
        if dl:
            dl_rules.append(dl.rule)
        lead = self.v.deadline_lead(text, f.action_start, dl)
        if lead:
            dl_rules.append(lead[1])
        action = action_span(text, f.action_start, end, dl, lead[0] if lead else None)
        opener = self.v.action_at(text, f.action_start, end, any_case=True)
        if opener is not None:
            action = replace(action, rule=opener[0].id)  # the rule the action opens on
        if not action.text:
            return
        generic = self.boiler.hit("generic_action", action.text.lower())
        if generic is not None and not f.coordinators and (dl is None or dl.date is None):
            self.trace.append(Trace(generic.id, a, end))
            return  # "… thực hiện nghiêm túc Kế hoạch này": a closing, no task
        confidence, flags = confidence_of(f, flags_of(f, dl, self.ref))
        task = Task(
            id=f"T{len(self.tasks) + 1}",
            section=sent.section,
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
        self.trace.extend(Trace(rid, a, end) for rid in task.rules)
        self.tasks.append(task)
        self.task_blocks.append(sent.block)
        # the paragraph's units: those of its first task, or of a sentence that opens on a
        # subject of its own ("Đảng ủy các xã tập trung …"); not of an aside that hands a task
        # on ("Giao X …", "Ngoài ra, X …")
        own_subject = (
            f.units_from == "sentence"
            and bool(f.units)
            and not any(r in self.v.trigger_order for r in f.rules)
            and not text[a : f.units[0].start].strip()
        )
        if own_subject or sent.block not in self.block_first:
            self.block_first[sent.block] = len(self.tasks) - 1
        self.scopes.last_task[sent.section] = len(self.tasks) - 1
