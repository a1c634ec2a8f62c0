"""Lists of names: one unit per name after a plural head.

"các Bộ: Tài chính, Xây dựng" gives "Bộ Tài chính", "Bộ Xây dựng"; "Giám đốc các Sở: Y tế, …"
gives "Giám đốc Sở Y tế"; "Các tỉnh Nghệ An, Quảng Ngãi" gives "tỉnh Nghệ An", "tỉnh Quảng
Ngãi"; a name with a comma of its own stays whole (`unit.compound_name`).
"""

from __future__ import annotations

import re

from ..models import Span
from .edges import CAP, SEPARATOR_OR_BRACKET, trim_unit
from .vocab import Vocabulary

__all__ = ["NAMES_AFTER", "NAME_LIST", "area_before", "area_names", "list_units", "name_list"]

NAME_LIST = re.compile(rf"\s*{CAP}[^,;:.()\n]{{0,60}}?,\s*{CAP}")
PLURAL_LEAD = re.compile(
    r"^(?:các|những|từng|mỗi|tất\s+cả(?:\s+các)?|toàn\s+bộ(?:\s+các)?)\s*", re.I
)
PLURAL_LEAD_ANY = re.compile(r"(?<!\w)(?:các|những)\s", re.I)
AREA_MORE = re.compile(r",\s*")  # before a second area word: "các tỉnh, thành phố"
NAMES_AFTER = re.compile(rf"\s*:?\s*(?={CAP})")
ITEM_SEP = re.compile(r"\s*,\s*|\s+và\s+")


def area_names(
    v: Vocabulary, text: str, a: int, b: int
) -> tuple[list[tuple[str, int, int]], list[str]] | None:
    """ "Các tỉnh Nghệ An, Quảng Ngãi, Cao Bằng" gives "tỉnh Nghệ An", "tỉnh Quảng Ngãi",
    "tỉnh Cao Bằng"; "UBND các tỉnh, thành phố: Tuyên Quang, Đồng Nai" gives "UBND tỉnh
    Tuyên Quang", …; "Thành phố Hà Nội và các tỉnh Bắc Ninh, Gia Lai" keeps "Thành phố Hà
    Nội" and gives "tỉnh Bắc Ninh", "tỉnh Gia Lai". A plural area word, then names in
    capitals (at least two); the (text, start, end) of each unit and the ids of the rules read.
    """
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
        # "các tỉnh, thành phố: …, Hồ Chí Minh": a city governed by the centre takes the
        # second area word ("Ủy ban nhân dân Thành phố Hồ Chí Minh")
        other = PLURAL_LEAD.sub("", second[1].group(0)) if second is not None else None
        fired = [area[0].id]
        for x, y in names:
            city = v.match(v.cities, text, x, y) if other else None
            if city is not None and city[1].end() == y and other is not None:
                out.append((f"{title}{other[:1].upper()}{other[1:]} {text[x:y]}", x, y))
                fired.append(city[0].id)
            else:
                out.append((f"{title}{noun} {text[x:y]}", x, y))
        return out, fired
    return None


def area_before(v: Vocabulary, text: str, a: int, colon: int) -> bool:
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
    # "Bộ: Quốc phòng, Công an, …" (the head alone before the names, without "các")
    org = v.match(v.heads["organization"], head_text, 0, len(head_text))
    if org and org[1].end() == len(head_text) and " " not in head_text:
        return head_text + " ", "", org[0].id
    return None


def list_units(
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
        if head and head[2].end() >= y:
            head = None  # "các Bộ: Quốc phòng, Công an": a head word alone is a name here
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
