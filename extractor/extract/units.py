"""Unit phrases: where the units of a sentence start and stop, and how they split.

A unit phrase opens on a unit head (`units.yaml`: titles, organs, offices, organizations,
collectives, areas) and runs syllable by syllable until a role word, an action, a trigger, a
stop word, a colon or the end of the clause; it is then split at top-level separators where a
new head starts. Lists of names after a plural head ("các Bộ: A, B") give one unit per name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Span
from ..nlp import Words
from ..rules import CompiledRule
from .edges import NAMED, SEPARATOR_OR_BRACKET, capital, skip_spaces, trim_unit
from .names import NAME_LIST, NAMES_AFTER, area_before, area_names, list_units, name_list
from .vocab import Vocabulary, lower_start

__all__ = ["UnitPhrase", "split_units", "trim_unit", "unit_phrase"]

CLAUSE_END = re.compile(r"[,;:.!?]")
# after "các Bộ:": a capitalised name, a comma, another capitalised name
APPOSED = re.compile(r"[\s\S]+")  # an appositive's whole span, read as a separator
MAX_UNIT_SYLLABLES = 120  # a unit phrase longer than this ends there


@dataclass(frozen=True)
class UnitPhrase:
    units: tuple[Span, ...]
    end: int  # where the phrase stopped
    stop: str  # role | action | trigger | stop | relative | colon | end
    rules: tuple[str, ...]


def unit_phrase(v: Vocabulary, text: str, start: int, end: int, words: Words) -> UnitPhrase | None:
    """Units named from `start`: the phrase runs to the first role/action/stop word."""
    while start < end and text[start] in " :":
        start += 1
    head = v.head_at(text, start, end)
    if head is None:
        return None
    # "Huyện Châu Thành ...": a place, not a unit; "các xã" is one, and so is a named place
    # leading a list of units ("Thành phố Hà Nội và các tỉnh Bắc Ninh, Gia Lai …")
    place = head[0] == "area" and not v.plural_at(text, start, end)
    if place and not NAMES_AFTER.match(text, head[2].end(), end):
        return None
    head_end = head[2].end()
    if not _word_ends(text, head_end, end, words):
        return None  # "Tổ chức tập huấn", "Ban hành kế hoạch": a verb, not "Tổ", "Ban"
    verb = v.match(v.actions, text, start, end)
    if verb and verb[1].end() > head_end:
        return None  # "Phòng, chống dịch …": a longer verb starts where the head does
    stop, stop_at = "end", end
    fired: list[str] = []
    depth = 0
    # where words naming the body may follow (-1: none), and whether the name so far
    # ends in a word that takes a purpose ("Ban Chỉ đạo" + "xây dựng nông thôn mới")
    prev_head_end, purpose = _names_follow(v, head[1], head[2])
    title_colon = head[0] == "title"
    prev_s: int | None = None
    skip_to = start
    cue = v.phrase_cues.match
    for count, w in enumerate(words.syllables_from(start, end)):
        last_s, prev_s = prev_s, w
        if w < skip_to:
            continue
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
            if name_list(v, text, start, w, end):  # "các Bộ: Tài chính, Xây dựng …"
                continue
            if area_before(v, text, start, w) and NAME_LIST.match(text, w + 1, end):
                continue  # "UBND các tỉnh, thành phố: Tuyên Quang, Đồng Nai …"
            stop, stop_at = "colon", w
            break
        if ch in ".!?":
            stop, stop_at = "end", w
            break
        # the rules below look at words: skip syllables no rule word starts at, and the
        # ones inside a word ("dõi" of "theo dõi", "ban" of "Ủy ban")
        if not cue(text, w, end):
            continue
        if not words.is_start(w):
            glued = _glued_verb(v, text, last_s, w, end) if last_s is not None else None
            if glued:
                fired.append(glued)
                stop, stop_at = "action", w  # "tỉnh thành lập" read as "tỉnh_thành lập"
                break
            continue
        if lower_start(text, w) and v.role_at(text, w, end):  # "Cần Thơ" is a name
            stop, stop_at = "role", w
            break
        if lower_start(text, w) and v.match(v.inline_triggers, text, w, end):
            stop, stop_at = "trigger", w
            break
        hit = v.action_at(text, w, end)
        plural = v.match(v.plurals, text, last_s, w) if last_s is not None else None
        if hit and plural and not text[plural[1].end() : w].strip():
            fired.append(plural[0].id)  # "các tổ chức": a noun after a plural marker
            hit = None
        if hit and (longer := v.head_at(text, w, end)) and longer[2].end() > hit[1].end():
            fired.append(longer[1].id)  # "tổ chức chính trị - xã hội": a head, not the verb
            hit = None
        # "Ban chỉ đạo", "Đoàn kiểm tra liên ngành phòng, chống dịch …": words right after an
        # organization head (or after such a word) name it, even verbs
        if prev_head_end >= 0 and not text[prev_head_end:w].strip():
            part = v.match(v.name_parts, text, w, end)
            if part and not (hit and purpose):
                fired.append(part[0].id)
                prev_head_end, purpose = part[1].end(), _purpose(part[0])
                continue
            # a verb after "Ban Chỉ đạo" is either its purpose or the action
            if hit and purpose and purpose_at(v, text, (part or hit)[1].end(), end, words):
                fired.append(purpose)
                prev_head_end, purpose = -1, None
                continue
        if hit:
            stop, stop_at = "action", w
            break
        s = v.match(v.stops, text, w, end)
        nxt = skip_spaces(text, s[1].end()) if s else end
        if s and s[0].value == "appositive" and (v.head_at(text, nxt, end) or capital(text, nxt)):
            fired.append(s[0].id)  # "các bộ, ngành, nhất là ACV": one more unit follows
            skip_to = s[1].end()
            continue
        if s:
            stop, stop_at = ("relative" if s[0].value == "relative" else "stop"), w
            fired.append(s[0].id)
            break
        org = v.match(v.heads["organization"], text, w, end)
        if org:  # a head further on: "…, Ban Chỉ huy Quân sự huyện"
            head_end = org[1].end()
            prev_head_end, purpose = _names_follow(v, org[0], org[1])
    units, rules = split_units(v, text, start, stop_at)
    if not units or (place and len(units) < 2):
        return None
    return UnitPhrase(tuple(units), stop_at, stop, tuple(rules + fired))


def split_units(v: Vocabulary, text: str, start: int, end: int) -> tuple[list[Span], list[str]]:
    """Split a unit phrase at top-level separators where a new head starts."""
    # trim trailing separators and connectives
    seg = text[start:end]
    m = re.search(r"(?:[\s,;:–-]|\s(?:và|cùng))*$", seg)
    end = start + (m.start() if m else len(seg))
    if end <= start:
        return [], []
    prefix = ""
    head = v.head_at(text, start, end)
    rules: list[str] = []
    if head and head[0] == "title":
        colon = re.match(r"\s*:\s*", text[head[2].end() : end])
        if colon:
            prefix = head[2].group(0) + " "
            rules.append(head[1].id)
            start = head[2].end() + colon.end()
    list_colon = text.find(":", start, end)
    listed = name_list(v, text, start, list_colon, end) if list_colon > 0 else None
    if listed:  # "Giám đốc các Sở: Y tế, Tài chính" gives "Giám đốc Sở Y tế", …
        return list_units(v, text, list_colon + 1, end, *listed)
    pieces: list[tuple[str, int, int]] = []  # (connector, start, end)
    depth, last, conn = 0, start, ""
    apposed = [
        m.span()
        for r in v.stops
        if r.value == "appositive"
        for m in r.regex.finditer(text, start, end)
    ]
    for sm in _separators(text, start, end, apposed):
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
        head = v.head_at(text, a, b)
        if head:
            rules.append(head[1].id)
        if not units:
            units.append([a, b])
            kinds.append(head[0] if head else "")
            continue
        if _starts_new_unit(v, text, conn, head, a, units[-1][0], kinds[-1]):
            units.append([a, b])
            kinds.append(head[0] if head else "")
        else:
            units[-1][1] = b
    spans = []
    for a, b in units:
        a, b = trim_unit(text, a, b)
        a, honorific = _past_honorific(v, text, a, b)
        if honorific:
            rules.append(honorific)
        if b > a:
            named = area_names(v, text, a, b)
            if named:
                spans += [Span(prefix + t, x, y, named[1][0]) for t, x, y in named[0]]
                rules.extend(named[1])
                continue
            spans.append(Span(prefix + text[a:b], a, b, rules[0] if rules else None))
    return spans, rules


def _past_honorific(v: Vocabulary, text: str, a: int, b: int) -> tuple[int, str | None]:
    """Where the unit starts past an honorific before a title ("đồng chí Bộ trưởng Bộ Xây
    dựng" is "Bộ trưởng Bộ Xây dựng"), and the honorific's rule; a name after it stays
    ("đồng chí Trần Văn Bình")."""
    hon = v.match(v.honorifics, text, a, b)
    if hon is None:
        return a, None
    after = skip_spaces(text, hon[1].end())
    if v.match(v.heads["title"], text, after, b) is None:
        return a, None
    return after, hon[0].id


def _separators(
    text: str, start: int, end: int, apposed: list[tuple[int, int]]
) -> list[re.Match[str]]:
    """The separators of a unit phrase in order: commas, semicolons, "và", brackets, and the
    appositive words ("nhất là") read as a comma."""
    found = list(SEPARATOR_OR_BRACKET.finditer(text, start, end))
    found += [m for x, y in apposed if (m := APPOSED.match(text, x, y)) is not None]
    found = [m for m in found if not any(x < m.start() < y for x, y in apposed)]
    return sorted(found, key=lambda m: m.start())


def _starts_new_unit(
    v: Vocabulary,
    text: str,
    conn: str,
    head: tuple[str, CompiledRule, re.Match[str]] | None,
    pos: int,
    current_start: int,
    current_kind: str,
) -> bool:
    if conn == ";" or conn not in (",", "và", "cùng"):
        return True  # ";" or an appositive ("nhất là ACV")
    if head is None:
        return False
    kind, _rule, m = head
    if kind == "title" and current_kind == "person" and conn == ",":
        return False  # "Ông Nguyễn Văn A, Chủ tịch UBND xã, Trưởng ban": one person
    if kind == "people" and current_kind == "people" and conn == ",":
        return False  # "từng cán bộ, công chức, người lao động": one group of people
    if kind in ("addressee_ref", "people", "title", "person"):
        return True
    if kind == "area":  # a place in a list of places: "Thành phố Hồ Chí Minh, tỉnh Lâm Đồng"
        return current_kind == "area" and NAMES_AFTER.match(text, m.end()) is not None
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
        # "các cấp, các ngành", "các sở, các ngành": one group of plurals, as "các sở, ngành";
        # so too after a head that names no one ("Sở, ban, ngành, tổ chức chính trị - xã hội")
        generic = not NAMED.search(text, current_start + 1, pos)
        group = current_kind in ("title", "collective", "area") or generic
        return not group or conn != ","
    return False


def _names_follow(v: Vocabulary, rule: CompiledRule, head: re.Match[str]) -> tuple[int, str | None]:
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
    part = v.match(v.name_parts, name, first + 1, len(name))
    if part and part[1].end() == len(name):
        return head.end(), _purpose(part[0])
    return -1, None


def purpose_at(v: Vocabulary, text: str, pos: int, end: int, words: Words) -> bool:
    """Is the verb ending at `pos` the purpose in a body's name ("Ban Chỉ đạo xây dựng nông
    thôn mới huyện kiểm tra ...")? Only if its object follows (not another verb: "Ban Chỉ
    đạo thực hiện kiểm tra ...") and the name then ends as such names do, on a place or a
    proper name ("… huyện", "… các cấp", "… Covid-19"), before an action, or before a colon
    or semicolon (a heading, a list of units)."""
    nxt = pos
    while nxt < end and text[nxt] == " ":
        nxt += 1
    if nxt >= end or not text[nxt].islower() or v.action_at(text, nxt, end):
        return False
    clause = CLAUSE_END.search(text, nxt, end)
    stop = clause.start() if clause else end
    name_end = stop if clause is None or clause.group() in ":;" else -1
    for w in words.syllables_from(nxt, stop):
        if (
            v.action_screen.match(text, w, stop)
            and words.is_start(w)
            and v.action_at(text, w, stop)
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
        or any(m.end() == len(name) for rule in v.heads["area"] for m in rule.regex.finditer(name))
    )


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


def _glued_verb(v: Vocabulary, text: str, prev: int, w: int, end: int) -> str | None:
    """Did the segmenter glue the end of a unit to the verb after it ("tỉnh thành lập" read as
    "tỉnh_thành lập", "Gia Lai đẩy nhanh" as "Lai_đẩy nhanh")? When the syllable before `w`
    is an area word or a name in capitals and a verb or manner word of two or more syllables
    starts at `w`, the id of the rule that read it."""
    if not lower_start(text, w):
        return None
    area = v.match(v.heads["area"], text, prev, w)
    if not (area and area[1].end() == w - 1) and not text[prev].isupper():
        return None
    verb = v.match(v.actions, text, w, end)
    if verb is None or verb[0].kind not in ("verb", "adverb") or " " not in verb[1].group(0):
        return None
    return area[0].id if area else verb[0].id
