"""Notice metadata: number, date, issuer, type, subject and signer, from `rules/metadata.yaml`.

Reading order: the number (the header's "Số:", or the notice named where it is issued; a
number left blank gives none); the date (place-and-date line, database field, the date after
the number, a news lead, a resolution's "thông qua ngày"; a day left blank gives none); the
issuer (the header's left column, written as a clerk writes it, else the database field, the
"của X" after the number, a news post's subject; then a bare "UBND tỉnh" completed with the one
province the text names, and a place the scan misread spelt as the text spells it); the type
(a blank number's code, the number's code, what a news post's issuer issued, the page); the
subject; the signer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import lru_cache, partial

from .models import NoticeMeta, Span, Trace
from .prefilter import skipping
from .rules import CompiledRule, RuleSet

__all__ = ["extract_meta"]


def _group_date(m: re.Match[str], default_year: Callable[[], int | None]) -> date | None:
    g = m.groupdict()
    d, mo, y = g.get("d") or g.get("d2"), g.get("m") or g.get("m2"), g.get("y") or g.get("y2")
    if not d or not mo:
        return None
    year = int(y) if y else default_year()
    if year is None:
        return None
    try:
        return date(year, int(mo), int(d))
    except ValueError:
        return None


def _value(m: re.Match[str]) -> Span | None:
    """The `value` group, trimmed; its text has its inner white space folded."""
    if "value" not in m.groupdict() or m.group("value") is None:
        return None
    group = m.group("value")
    raw = group.strip().rstrip(" .;,")
    a = m.start("value") + len(group) - len(group.lstrip())
    return Span(" ".join(raw.split()), a, a + len(raw))


def _search(rule: CompiledRule, text: str) -> tuple[CompiledRule, re.Match[str]] | None:
    m = _find(rule.regex, text)
    return (rule, m) if m else None


_SKIPPING: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def _find(
    regex: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> re.Match[str] | None:
    """`regex.search(text, pos, endpos)`, found where `prefilter.skipping` says the first match
    starts, then matched there: the same match, the places no match can start skipped at C
    speed (most metadata patterns open on lookbehinds or anchors that `re` cannot skip to)."""
    end = len(text) if endpos is None else endpos
    known = _SKIPPING.get(id(regex))
    if known is None or known[0] is not regex:
        known = _SKIPPING[id(regex)] = (regex, skipping(regex))
    screen = known[1]
    if screen is regex:
        return regex.search(text, pos, end)
    first = screen.search(text, pos, end)
    return None if first is None else regex.match(text, first.start(), end)


def _latest_year(text: str) -> int | None:
    years = [
        int(y)
        for y in re.findall(r"(?<!\d)\d{1,2}\s*/\s*\d{1,2}\s*/\s*((?:19|20)\d{2})(?!\d)", text)
    ]
    years += [int(y) for y in re.findall(r"tháng\s+\d{1,2}\s+năm\s+((?:19|20)\d{2})", text)]
    return max(years) if years else None


# issuer rules that are vocabulary for reading the header, not searches of their own
NAME_PARTS = ("header_cut", "header_stop", "form", "head", "joiner", "area", "office", "syllable")


@lru_cache(maxsize=4)
def _by_kind(rules: RuleSet) -> dict[tuple[str, str | None], tuple[CompiledRule, ...]]:
    """Metadata rules by (kind, value), in file order; `value` is "after_number" for a rule
    read right after the number, a part of the header's vocabulary (`NAME_PARTS`), or None."""
    out: dict[tuple[str, str | None], tuple[CompiledRule, ...]] = {}
    for r in rules.of("metadata"):
        value = r.value if r.value == "after_number" or r.value in NAME_PARTS else None
        key = (r.kind, value)
        out[key] = (*out.get(key, ()), r)
    return out


def _match(rules: tuple[CompiledRule, ...], text: str, pos: int) -> tuple[CompiledRule, str] | None:
    """The longest word listed by one of `rules` at `pos`, and the rule listing it."""
    best: tuple[CompiledRule, str] | None = None
    for rule in rules:
        m = rule.regex.match(text, pos)
        if m and (best is None or len(m.group(0)) > len(best[1])):
            best = (rule, m.group(0))
    return best


def _cased(word: str, model: str) -> str:
    """`word` in the capitals of `model`, syllable by syllable (its own letters, their case)."""
    out = []
    for part, shape in zip(word.split(), model.split(), strict=False):
        if shape.isupper():
            out.append(part.upper())
        elif shape[0].isupper():
            out.append(part.capitalize())
        else:
            out.append(part.lower())
    return " ".join(out)


# one word of a place name after its area word, with the single space before it
PLACE_WORD = re.compile(r"[ \t](\w+(?:[’'\-–]\w+)*)")
HEADER_LINES = 80  # lines read for the header: a legal database page puts its field rows first
ISSUER_WINDOW = 3000  # a text names its issuer near its top; further down are the bodies it cites


class _Names:
    """Reads the issuing body in a notice's header and writes it as a clerk does. Each method
    that reads a name adds the ids of the rules it used to `used`."""

    def __init__(self, by_kind: dict[tuple[str, str | None], tuple[CompiledRule, ...]]) -> None:
        def of(value: str) -> tuple[CompiledRule, ...]:
            return by_kind.get(("issuer", value), ())

        self.cut, self.stop = of("header_cut"), of("header_stop")
        self.form, self.head, self.joiner = of("form"), of("head"), of("joiner")
        self.area, self.office, self.syllable = of("area"), of("office"), of("syllable")
        self.parts = {
            "form": self.form,
            "head": self.head,
            "office": self.office,
            "area": self.area,
        }
        # each listed word by its letters, case and spacing aside: the form it is written in
        self.model = {
            _key(w): w
            for r in (*self.form, *self.head, *self.joiner, *self.area, *self.office)
            for w in r.words
        }

    def _part(self, text: str, pos: int) -> tuple[str, CompiledRule, str] | None:
        """The longest listed body, head, office or area word at `pos`: (kind, rule, word)."""
        best: tuple[str, CompiledRule, str] | None = None
        for kind, rules in self.parts.items():
            hit = _match(rules, text, pos)
            if hit and (best is None or len(hit[1]) > len(best[2])):
                best = (kind, *hit)
        return best

    def _opens_body(self, piece: str) -> bool:
        """The piece opens with a body's name ("ỦY BAN", "SỞ", "HUYỆN ỦY"), not with an area."""
        part = self._part(piece, 0)
        return part is not None and self._model(part[2])[0].isupper()

    def _model(self, word: str) -> str:
        """The listed form of a word read in any case ("ỦY BAN NHÂN DÂN": "Ủy ban nhân dân")."""
        return self.model.get(_key(word), word)

    def _runs_on(self, last: str, piece: str) -> bool:
        """Header line `piece` goes on with the name of line `last`: after "," or "VÀ", as a
        lone word ("ỦY BAN NHÂN / DÂN", not a number "84/2025/QH15") or as its area ("TỈNH LAI
        CHÂU")."""
        end = last.split()[-1]
        part = self._part(piece, 0)
        return (
            end.endswith(",")
            or any(r.regex.fullmatch(end) for r in self.joiner)
            or (len(piece.split()) == 1 and piece.isalpha())
            or (part is not None and part[0] == "area")
        )

    def _has_area(self, body: list[tuple[int, int]], text: str) -> bool:
        """The body's lines so far name its area (a name ends with its place)."""
        name = " ".join(text[x:y] for x, y in body)
        return any(r.regex.search(name) for r in self.area)

    def _abbreviation(self, word: str, used: set[str]) -> bool:
        letters = "".join(ch for ch in word if ch.isalpha())
        if not letters:
            return True  # a number: "06"
        if not letters.isupper():
            return False
        for r in self.syllable:
            used.add(r.id)
            if r.regex.fullmatch(letters):
                return False
        return True

    def write(self, name: str, used: set[str]) -> str:
        """A name in capitals as a clerk writes it: listed bodies in their own form, a head's
        field with a capital on each of its words, a place with a capital on every word, an
        abbreviation kept, every other word in small letters."""
        out: list[str] = []
        pos, mode, cap_next = 0, "", False
        while pos < len(name):
            if name[pos].isspace():
                pos += 1
                continue
            part = self._part(name, pos)
            if part and ((part[0] == "head" and out) or (part[0] == "area" and cap_next)):
                # a head opens a name ("phòng chống" inside one is a purpose), an area word
                # after "và", "-" or "," is the field's own ("Lao động - Thương binh và Xã hội")
                part = None
            if part:
                kind, rule, word = part
                used.add(rule.id)
                out.append(_cased(word, self._model(word)))
                mode = {"area": "place", "head": "field"}.get(kind, "")
                cap_next = kind == "head"
                pos += len(word)
                continue
            end = pos
            while end < len(name) and not name[end].isspace():
                end += 1
            word, pos = name[pos:end], end
            joiner = next((r for r in self.joiner if r.regex.fullmatch(word)), None)
            if mode == "place":
                out.append(word.title())
            elif not any(ch.isalnum() for ch in word):  # "-" between two parts of a field
                out.append(word)
                cap_next = mode == "field"
            elif joiner:
                used.add(joiner.id)
                out.append(word.lower())
                cap_next = mode == "field"
            elif self._abbreviation(word, used):
                out.append(word)
                cap_next = False
            else:
                out.append(word.capitalize() if cap_next else word.lower())
                cap_next = mode == "field" and word.endswith(",")
        return " ".join(out)

    def header(self, text: str, start: int, limit: int, used: set[str]) -> Span | None:
        """The issuer named in the header lines from `start`: one body, or a body under its
        parent ("UBND TỈNH X / SỞ Y"), in capitals, each line cut where the right column
        starts; a line in small letters, a rule or the number ends a body, the title ends the
        header."""
        bodies: list[list[tuple[int, int]]] = []
        current: list[tuple[int, int]] | None = None
        pos, previous_whole = start, False
        for _ in range(HEADER_LINES):
            if pos >= limit:
                break
            nl = text.find("\n", pos, limit)
            end = limit if nl < 0 else nl
            line_start, pos = pos, end + 1
            stop = next((r for r in self.stop if r.regex.match(text, line_start, end)), None)
            if stop and bodies:
                used.add(stop.id)
                break
            cut = min(
                (m.start() for r in self.cut if (m := _find(r.regex, text, line_start, end))),
                default=end,
            )
            raw = text[line_start:cut]
            a = line_start + len(raw) - len(raw.lstrip())
            piece = raw.strip()
            adjacent = cut == end and previous_whole  # the line right under a whole line
            previous_whole = bool(piece) and cut == end
            if not piece:
                continue
            if not any(ch.isalpha() for ch in piece) or any(ch.islower() for ch in piece):
                current = None
            elif current is not None and self._runs_on(text[slice(*current[-1])], piece):
                current.append((a, a + len(piece)))
            elif self._opens_body(piece):
                current = [(a, a + len(piece))]
                bodies.append(current)
            elif current is not None and adjacent and not self._has_area(current, text):
                current.append((a, a + len(piece)))  # "BAN CHẤP HÀNH / TRUNG ƯƠNG"
            else:
                current = None
        if not bodies:
            return None
        names = [self.write(" ".join(text[x:y] for x, y in body), used) for body in bodies]
        name = names[-1]
        if len(bodies) > 1:
            office = _match(self.office, name, 0)
            if office and len(office[1]) == len(name):  # "VĂN PHÒNG" under its body
                used.add(office[0].id)
                name = f"{name} {names[0]}"
            elif area := self._area_of(names[0]):
                name = f"{name} {area}"
        return Span(name, bodies[0][0][0], bodies[-1][-1][1])

    def _area_of(self, name: str) -> str | None:
        """The area part of a name written out, from its area word on ("tỉnh Lâm Đồng")."""
        for i in range(len(name)):
            if i and not name[i - 1].isspace():
                continue
            hit = _match(self.area, name, i)
            if hit and hit[1][0].islower():
                return name[i:]
        return None

    def respell(self, name: str, text: str) -> str:
        """The place in a name spelt as the text spells it most often, where a scan misread its
        marks in the header ("tỉnh Lâm Đòng" in a text that writes "Lâm Đồng")."""
        area = self._area_of(name)
        place = area.split(maxsplit=1)[1] if area and len(area.split()) > 1 else ""
        if not place or not place[0].isupper():
            return name
        seen = Counter(
            " ".join(text[m.start() : m.end()].split())
            for m in _spellings(place).finditer(text)
            if text[m.start()].isupper()
        )
        best = max(seen, key=lambda w: (seen[w], w == place), default=place)
        if seen[best] > seen[place] and best.istitle():
            return name[: len(name) - len(place)] + best
        return name

    def complete(self, name: str, text: str, used: set[str]) -> str:
        """A name ending in a bare area word ("UBND tỉnh") completed with the one place the
        text names after that word ("tỉnh Cao Bằng"), if it names exactly one."""
        for rule in self.area:
            m = rule.regex.search(name)
            if not m or m.end() != len(name) or not m.group(0)[0].islower():
                continue
            places = set()
            for hit in rule.regex.finditer(text):
                if hit.group(0) != m.group(0):
                    continue
                words: list[re.Match[str]] = []
                for w in PLACE_WORD.finditer(text, hit.end()):
                    if w.start() != (words[-1].end() if words else hit.end()) or len(words) == 4:
                        break
                    if not w.group(1)[0].isupper() or w.group(1).isupper():
                        break  # a word in small letters or an abbreviation ends the place
                    words.append(w)
                if words:
                    places.add(" ".join(w.group(1) for w in words))
            if len(places) == 1:
                used.add(rule.id)
                return f"{name} {places.pop()}"
        return name


def _bare_letter(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


# every precomposed Latin letter to its bare letter, so folding a text runs at C speed
_BARE = str.maketrans(
    {chr(c): _bare_letter(chr(c)) for c in range(0xC0, 0x1EFA) if len(_bare_letter(chr(c))) == 1}
    | {"Đ": "D", "đ": "d"}
)


@lru_cache(maxsize=1)
def _folding_to() -> dict[str, str]:
    """Each letter and digit of the bare alphabet: a class of all the characters that fold to
    it (`_fold`): "a" is "[AaÀàÁá…]". Only characters below U+2200 fold to them."""
    classes: dict[str, list[str]] = {}
    for code in range(0x2200):
        bare = chr(code).translate(_BARE).lower()
        if len(bare) == 1 and bare.isascii() and bare.isalnum():
            classes.setdefault(bare, []).append(chr(code))
    return {bare: "[" + "".join(map(re.escape, chars)) + "]" for bare, chars in classes.items()}


@lru_cache(maxsize=256)
def _spellings(place: str) -> re.Pattern[str]:
    """The place however its marks and capitals are written ("Lâm Đồng", "LAM DONG", "Lâm
    Đòng"): the pattern of its bare letters, searched in the text itself instead of in a
    folded copy of it."""
    classes = _folding_to()
    words = [
        "".join(classes.get(ch) or re.escape(ch) for ch in word) for word in _fold(place).split()
    ]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def _fold(text: str) -> str:
    """The letters without their marks, in small letters ("Lâm Đòng": "lam dong"), a letter
    for a letter."""
    return text.translate(_BARE).lower()


def _key(word: str) -> str:
    return " ".join(word.split()).casefold()


@lru_cache(maxsize=4)
def _names(rules: RuleSet) -> _Names:
    return _Names(_by_kind(rules))


HEAD_WINDOW = 6000  # number and date are stated in a notice's first lines (a lead, a header)


def extract_meta(text: str, rules: RuleSet, trace: list[Trace], body_end: int) -> NoticeMeta:
    head = text[: min(body_end, HEAD_WINDOW)]
    by_kind = _by_kind(rules)

    def rules_of(kind: str, anchored: bool = False) -> tuple[CompiledRule, ...]:
        return by_kind.get((kind, "after_number" if anchored else None), ())

    number: Span | None = None
    blank_code: Span | None = None  # the code of a number left blank ("Số:   /TB-UBND")
    for rule in rules_of("number"):
        m = _find(rule.regex, head)
        if m and "value" not in rule.regex.groupindex:  # a number left blank: there is none
            trace.append(Trace(rule.id, m.start(), m.end()))
            if "code" in rule.regex.groupindex and m.group("code"):
                code = m.group("code")
                blank_code = Span(re.sub(r"\s+", "", code), m.start("code"), m.end("code"))
            break
        if m:
            v = _value(m)
            if v:
                number = Span(re.sub(r"\s+", "", v.text), v.start, v.end, rule.id)
                trace.append(Trace(rule.id, v.start, v.end))
                break

    def after_number(kind: str) -> tuple[CompiledRule, re.Match[str]] | None:
        if number is None:
            return None
        for rule in rules_of(kind, anchored=True):
            m = rule.regex.match(text, number.end, body_end)
            if m:
                return rule, m
        return None

    # In this order: place line, issued field, date after the number, news lead; the first
    # that reads as a date wins (a date without its year takes the latest year of the header).
    day: date | None = None
    day_span: Span | None = None
    dated = rules_of("date")
    first = [r for r in dated if r.id.endswith(("place_line", "issued_field"))]
    last = [r for r in dated if r.id.endswith("adopted")]
    tries: list[Callable[[], tuple[CompiledRule, re.Match[str]] | None]] = [
        *(partial(_search, r, head) for r in first),
        partial(after_number, "date"),
        *(partial(_search, r, head) for r in dated if r not in first and r not in last),
        *(partial(_search, r, text) for r in last),
    ]
    for attempt in tries:
        hit = attempt()
        if hit is None:
            continue
        rule, m = hit
        if not {"d", "d2"} & set(rule.regex.groupindex):  # a day left blank: no date yet
            trace.append(Trace(rule.id, m.start(), m.end()))
            break
        day = _group_date(m, lambda: _latest_year(head[:3000]))
        if day:
            day_span = Span(m.group(0).strip(), m.start(), m.end(), rule.id)
            trace.append(Trace(rule.id, m.start(), m.end()))
            break

    def first_value(kind: str, window: int | None = None) -> Span | None:
        options = (
            partial(after_number, kind),
            *(partial(_search, r, head[:window]) for r in rules_of(kind)),
        )
        for attempt in options:
            hit = attempt()
            if hit is None:
                continue
            rule, m = hit
            v = _value(m)
            if v and v.text:
                trace.append(Trace(rule.id, v.start, v.end))
                return Span(v.text, v.start, v.end, rule.id)
        return None

    # The issuer: the header (it ends up to a dozen lines above the number, or opens the
    # text), else the searches; a bare area word is completed with the place the text names.
    names, used = _names(rules), set[str]()
    issuer = None
    cut = by_kind.get(("issuer", "header_cut"), ())
    if cut:
        start = 0
        if number and number.rule and number.rule.endswith(".header"):
            start = text.rfind("\n", 0, max(0, number.start - 500)) + 1
        issuer = names.header(text, start, body_end, used)
        if issuer:
            issuer = Span(issuer.text, issuer.start, issuer.end, cut[0].id)
            used.add(cut[0].id)
    issuer = issuer or first_value("issuer", ISSUER_WINDOW)
    if issuer:
        written = names.respell(names.complete(issuer.text, head, used), head)
        issuer = replace(issuer, text=written)
        trace.extend(Trace(rule, issuer.start, issuer.end) for rule in sorted(used))
    subject = first_value("subject")
    signer = None
    for rule in rules_of("signer"):
        ms = list(rule.regex.finditer(text))
        if ms:
            v = _value(ms[-1])
            if v:
                trace.append(Trace(rule.id, v.start, v.end))
                signer = Span(v.text, v.start, v.end, rule.id)
                break
    doc_type = None
    # A blank number's code or the number's own decides ("49/TB-..."), then the word naming it,
    # then what a news post's issuer issued, then the page.
    probes = [(blank_code.text, blank_code.start)] if blank_code else []
    if number:
        probes += [
            (number.text, number.start),
            (text[max(0, number.start - 30) : number.start], max(0, number.start - 30)),
        ]
    if issuer and issuer.rule in {r.id for r in rules_of("issuer")}:
        # a news post names what its issuer issued: "UBND tỉnh vừa ban hành Chỉ thị ..."
        probes.append((text[issuer.end : issuer.end + 40], issuer.end))
    probes.append((head[:3000], 0))
    for probe, offset in probes:
        for rule in rules_of("type"):
            m = _find(rule.regex, probe)
            if m:
                doc_type = rule.value
                trace.append(Trace(rule.id, offset + m.start(), offset + m.end()))
                break
        if doc_type:
            break
    return NoticeMeta(
        number=number,
        date=day,
        date_span=day_span,
        issuer=issuer,
        type=doc_type,
        subject=subject,
        signer=signer,
    )
