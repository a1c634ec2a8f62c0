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
from .vocab import Vocabulary, lower_start

__all__ = ["UnitPhrase", "split_units", "trim_unit", "unit_phrase"]

SEPARATOR_OR_BRACKET = re.compile(r"[(\[\])]|\s*[,;]\s*|\s+(?:và|cùng)\s+")
CLAUSE_END = re.compile(r"[,;:.!?]")
# after "các Bộ:": a capitalised name, a comma, another capitalised name
# a capital letter of Vietnamese ("À-Ỹ" as a range would take small letters too)
CAP = "[A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]"
NAME_LIST = re.compile(rf"\s*{CAP}[^,;:.()\n]{{0,60}}?,\s*{CAP}")
PLURAL_LEAD = re.compile(r"^(?:các|những|tất\s+cả(?:\s+các)?|toàn\s+bộ(?:\s+các)?)\s*", re.I)
PLURAL_LEAD_ANY = re.compile(r"(?<!\w)(?:các|những)\s", re.I)
AREA_MORE = re.compile(r",\s*")  # before a second area word: "các tỉnh, thành phố"
NAMES_AFTER = re.compile(rf"\s*:?\s*(?={CAP})")
NAMED_ASIDE = re.compile(rf"\((?!qua\s){CAP}[^()]*\)$")  # "(Tập đoàn Đèo Cả)" at the end
NAMED = re.compile(rf"\s(?:{CAP}|[0-9])")  # a word in capitals after the first: a unit's own name
APPOSED = re.compile(r"[\s\S]+")  # an appositive's whole span, read as a separator
ITEM_SEP = re.compile(r"\s*,\s*|\s+và\s+")
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
            if _area_before(v, text, start, w) and NAME_LIST.match(text, w + 1, end):
                continue  # "UBND các tỉnh, thành phố: Tuyên Quang, Đồng Nai …"
            stop, stop_at = "colon", w
            break
        if ch in ".!?":
            stop, stop_at = "end", w
            break
        # the rules below look at words: skip syllables no rule word starts at, and the
        # ones inside a word ("dõi" of "theo dõi", "ban" of "Ủy ban")
        if not v.phrase_cues.match(text, w, end):
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
        nxt = _skip_spaces(text, s[1].end()) if s else end
        if s and s[0].value == "appositive" and (v.head_at(text, nxt, end) or _capital(text, nxt)):
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
        return _list_units(v, text, list_colon + 1, end, *listed)
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
            named = _area_names(v, text, a, b)
            if named:
                spans += [Span(prefix + t, x, y, named[1]) for t, x, y in named[0]]
                rules.append(named[1])
                continue
            spans.append(Span(prefix + text[a:b], a, b, rules[0] if rules else None))
    return spans, rules


def _capital(text: str, pos: int) -> bool:
    return text[pos : pos + 1].isupper()


def _past_honorific(v: Vocabulary, text: str, a: int, b: int) -> tuple[int, str | None]:
    """Where the unit starts past an honorific before a title ("đồng chí Bộ trưởng Bộ Xây
    dựng" is "Bộ trưởng Bộ Xây dựng"), and the honorific's rule; a name after it stays
    ("đồng chí Trần Văn Bình")."""
    hon = v.match(v.honorifics, text, a, b)
    if hon is None:
        return a, None
    after = _skip_spaces(text, hon[1].end())
    if v.match(v.heads["title"], text, after, b) is None:
        return a, None
    return after, hon[0].id


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " ,":
        pos += 1
    return pos


def _separators(
    text: str, start: int, end: int, apposed: list[tuple[int, int]]
) -> list[re.Match[str]]:
    """The separators of a unit phrase in order: commas, semicolons, "và", brackets, and the
    appositive words ("nhất là") read as a comma."""
    found = list(SEPARATOR_OR_BRACKET.finditer(text, start, end))
    found += [m for x, y in apposed if (m := APPOSED.match(text, x, y)) is not None]
    found = [m for m in found if not any(x < m.start() < y for x, y in apposed)]
    return sorted(found, key=lambda m: m.start())


def _area_names(
    v: Vocabulary, text: str, a: int, b: int
) -> tuple[list[tuple[str, int, int]], str] | None:
    """ "Các tỉnh Nghệ An, Quảng Ngãi, Cao Bằng" gives "tỉnh Nghệ An", "tỉnh Quảng Ngãi",
    "tỉnh Cao Bằng"; "UBND các tỉnh, thành phố: Tuyên Quang, Đồng Nai" gives "UBND tỉnh
    Tuyên Quang", …; "Thành phố Hà Nội và các tỉnh Bắc Ninh, Gia Lai" keeps "Thành phố Hà
    Nội" and gives "tỉnh Bắc Ninh", "tỉnh Gia Lai". A plural area word, then names in
    capitals (at least two); the (text, start, end) of each unit and the area rule's id."""
    for lead in PLURAL_LEAD_ANY.finditer(text, a, b):
        area = v.match(v.heads["area"], text, lead.start(), b)
        if area is None or not PLURAL_LEAD.match(area[1].group(0)):
            continue
        pos = area[1].end()
        more = AREA_MORE.match(text, pos, b)  # "các tỉnh, thành phố"
        second = v.match(v.heads["area"], text, more.end(), b) if more else None
        if second is not None:
            pos = second[1].end()
        names_at = NAMES_AFTER.match(text, pos, b)
        if names_at is None:
            continue
        names = _capitalised_items(text, names_at.end(), b)
        if len(names) < 2:
            continue
        noun = PLURAL_LEAD.sub("", area[1].group(0)).lower()
        before = text[a : lead.start()]
        out: list[tuple[str, int, int]] = []
        title = before
        if not _only_heads(v, text, a, lead.start()):
            # "Thành phố Hà Nội và các tỉnh …", "Bộ Quốc phòng các tỉnh …": a unit of its own
            x, y = trim_unit(text, a, a + len(re.sub(r"(?:,|\svà)?\s*$", "", before)))
            out.append((text[x:y], x, y))
            title = ""
        out += [(f"{title}{noun} {text[x:y]}", x, y) for x, y in names]
        return out, area[0].id
    return None


def _area_before(v: Vocabulary, text: str, a: int, colon: int) -> bool:
    """Does text[a:colon] end with a plural area word ("các huyện", "các tỉnh, thành phố")?"""
    leads = list(PLURAL_LEAD_ANY.finditer(text, a, colon))
    if not leads:
        return False
    area = v.match(v.heads["area"], text, leads[-1].start(), colon)
    if area is None:
        return False
    pos = area[1].end()
    more = AREA_MORE.match(text, pos, colon)
    second = v.match(v.heads["area"], text, more.end(), colon) if more else None
    if second is not None:
        pos = second[1].end()
    return not text[pos:colon].strip()


def _only_heads(v: Vocabulary, text: str, a: int, b: int) -> bool:
    """Is text[a:b] unit heads only ("Ủy ban nhân dân", "Chủ tịch UBND"), a title that the
    names after it complete, rather than a unit named in full ("Bộ Quốc phòng")?"""
    pos = a
    while pos < b:
        while pos < b and text[pos] == " ":
            pos += 1
        if pos >= b:
            return True
        head = v.head_at(text, pos, b)
        if head is None:
            return False
        pos = head[2].end()
    return True


def _capitalised_items(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Items of a list of proper names ("Nghệ An, Quảng Ngãi và Cao Bằng") from `a`; the
    list must run to `b`."""
    items: list[tuple[int, int]] = []
    pos = a
    for m in ITEM_SEP.finditer(text, a, b):
        items.append((pos, m.start()))
        pos = m.end()
    items.append((pos, b))
    items = [trim_unit(text, x, y) for x, y in items]
    if all(y > x and text[x].isupper() for x, y in items):
        return items
    return []


def name_list(
    v: Vocabulary, text: str, start: int, colon: int, end: int
) -> tuple[str, str, str] | None:
    """ "các Bộ: Kế hoạch và Đầu tư, Tài chính …", "Giám đốc các Sở: Y tế, Xây dựng": a
    plural head right before the colon, then names (capitalised items, at least two). The
    prefix each name takes ("Bộ ", "Giám đốc Sở "; for "các cơ quan:" the names are whole,
    so only a title), the prefix of an item that names its own head, and the rule id."""
    head_text = text[start:colon].rstrip()
    if not head_text or head_text.count(" ") > 4 or not NAME_LIST.match(text, colon + 1, end):
        return None
    for rule in v.heads["collective"] + v.heads["area"]:
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
            org = v.match(v.heads["organization"], noun, 0, len(noun))
            named = own + noun + " " if org and org[1].end() == len(noun) else own
            return named, own, rule.id
    return None


def _list_units(
    v: Vocabulary, text: str, a: int, end: int, named: str, own: str, rule_id: str
) -> tuple[list[Span], list[str]]:
    """The units of a name list after its colon: each comma item is one name ("Văn hóa,
    Thể thao và Du lịch" stays whole, `unit.compound_name`); the list ends at an item
    that names its own head after "và" ("… và các địa phương liên quan")."""
    guarded = [
        (m.span(), rule.id) for rule in v.compound_names for m in rule.regex.finditer(text, a, end)
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
        x, y = trim_unit(text, x, y)
        if y <= x:
            continue
        head = v.head_at(text, x, y)
        if head and head[0] == "area" and not v.plural_at(text, x, y):
            head = None  # "Lao động - Thương binh và Xã hội": a name goes on
        if head:
            rules.append(head[1].id)
        if conn in ("và", "cùng") and not head and spans:
            last_span = spans[-1]
            spans[-1] = Span(last_span.text + text[last_span.end : y], last_span.start, y, rule_id)
            continue
        if conn in ("và", "cùng") and head:
            in_list = False
        prefix = "" if not in_list else (own if head else named)
        spans.append(Span(prefix + text[x:y], x, y, rule_id))
    return spans, rules


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


def trim_unit(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " ,;:-–":
        a += 1
    while b > a and text[b - 1] in " ,;:.":
        b -= 1
    # a parenthetical at the end describes the unit ("Sở X (cơ quan thường trực)"), unless
    # the unit is named only by a common noun and the parenthetical names it ("Nhà đầu tư
    # (Tập đoàn Đèo Cả)")
    names = NAMED_ASIDE.search(text, a, b)
    if names and NAMED.search(text, a + 1, names.start()):
        names = None
    if b > a and text[b - 1] == ")" and not names:
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
