"""What any match of a pattern must contain or start with, read off `re`'s own parse tree.

`required_chars(pattern)` gives sets of characters such that every match of the pattern holds
at least one character of each set ("…như sau:" needs a ":"). A text lacking one of them cannot
match, which a substring test tells at C speed, long before the pattern has been tried at every
place of it (Python's `re` has no such prefilter of its own, unlike RE2 or Hyperscan). Only
what is consumed counts: lookarounds, anchors, character categories (`\\w`, `\\d`) and
back-references require nothing, an optional part nothing, an alternation what all its
branches require. A set read under IGNORECASE holds small letters (with `re`'s extra
case-folding equivalents, "ſ" for "s") and is looked for in the text in small letters (where
"K", the Kelvin sign, is "k"). So the sets are never more than a match needs: the test can only
spare work.

`grouped(alternatives)` joins patterns by the characters they start with: at each place of a
text only the alternatives that can start with its character are tried, not all of them.

`skipping(pattern)` is the same pattern opening on the characters its matches can start with
(`first_chars`), so that `search` skips every other place at C speed instead of trying the
pattern there: a pattern opening on a lookbehind ("(?<!\\w)…") or on optional words gets no
such skip from `re` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from re import _casefix  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["first_chars", "grouped", "may_match", "required_chars", "skipping"]

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_FOLDS: dict[int, tuple[int, ...]] = getattr(_casefix, "_EXTRA_CASES", {})
_WIDEST = 300  # a character range wider than this requires nothing worth testing
Chars = tuple[frozenset[str], bool]  # characters, and whether to look for them in small letters
Required = tuple[Chars, ...]


@lru_cache(maxsize=256)
def required_chars(pattern: re.Pattern[str]) -> Required:
    """Sets of characters each match of `pattern` holds one of, fewest characters first."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except re.error:
        return ()
    found = _seq(list(tree), bool(pattern.flags & re.IGNORECASE))
    return tuple(sorted(found, key=lambda c: (len(c[0]), sorted(c[0]), c[1])))


def may_match(required: Required, text: str) -> bool:
    """False if `text` lacks every character of one of the `required` sets."""
    low: str | None = None
    for chars, small in required:
        if small and low is None:
            low = text.lower()
        hay = low if small and low is not None else text
        if not any(ch in hay for ch in chars):
            return False
    return True


def _small(ch: str) -> set[str]:
    """`ch` as IGNORECASE compares it: its small letter and `re`'s extra equivalents."""
    low = ch.lower()[0]  # "İ" is "i̇" in small letters: "i" and a combining dot
    return {low, *(chr(f) for f in _FOLDS.get(ord(low), ()))}


def _seq(items: list[tuple[Any, Any]], ignore: bool) -> set[Chars]:
    out: set[Chars] = set()
    for op, av in items:
        out |= _item(op, av, ignore)
    return out


def _item(op: Any, av: Any, ignore: bool) -> set[Chars]:
    if op is sre.LITERAL:
        return {(frozenset(_small(chr(av)) if ignore else chr(av)), ignore)}
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars |= _small(chr(value)) if ignore else {chr(value)}
            elif kind is sre.RANGE and value[1] - value[0] <= _WIDEST:
                for code in range(value[0], value[1] + 1):
                    chars |= _small(chr(code)) if ignore else {chr(code)}
            else:  # NEGATE, CATEGORY, a wide range
                return set()
        return {(frozenset(chars), ignore)}
    if op is sre.BRANCH:
        branches = [_seq(list(branch), ignore) for branch in av[1]]
        return set.intersection(*branches) if branches else set()
    if op is sre.SUBPATTERN:
        _group, add, remove, body = av
        if add & sre.SRE_FLAG_IGNORECASE:
            ignore = True
        if remove & sre.SRE_FLAG_IGNORECASE:
            ignore = False
        return _seq(list(body), ignore)
    if op in _REPEATS:
        low, _high, body = av
        return _seq(list(body), ignore) if low >= 1 else set()
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _seq(list(av), ignore)
    return set()  # lookarounds, anchors, ANY, categories, back-references


# the categories a first character may be in, as they are written inside a class
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_WORD: r"\w"}
First = tuple[frozenset[str], bool]  # what the next character may be, and whether it may be none


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """What a match of `pattern` can start with: characters and categories written as in a
    class ("a", "\\d"), read with the pattern's flags (under IGNORECASE "a" stands for "A"
    too). None where it cannot be told (a match may be empty, or start with `.` or a negated
    class)."""
    tree = _tree(pattern)
    first = None if tree is None else _first_seq(tree)
    return first[0] if first is not None and not first[1] else None


def skipping(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A screen matching exactly where `pattern` does (`search` finds the same start, `match`
    succeeds at the same places), behind a class of `pattern`'s first characters; its match is
    that first character alone. `pattern` itself where its first characters cannot be told or
    would skip nothing ("\\w")."""
    tree = _tree(pattern)
    if tree is None or _skipped_by_re(tree):
        return pattern
    first = _first_seq(tree)
    chars = first[0] if first is not None and not first[1] else None
    if not chars or r"\w" in chars:
        return pattern
    members = "".join(_member(c) for c in sorted(chars))
    # a one-character lookbehind rereads the place just passed with the whole pattern
    try:
        return re.compile(f"[{members}](?<=(?={pattern.pattern})[\\s\\S])", pattern.flags)
    except re.error:
        return pattern


_WORD_START = r"(?<!\w)"


def grouped(alternatives: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """A screen that `search` finds where the leftmost match of any of `alternatives` starts
    (its own match is that first character alone), skipping to their first characters as
    `skipping` does and trying at each place only the alternatives that can start with the
    character there: one branch a first character, each rereading the place with its
    alternatives. None where their flags differ or where the first characters of one cannot
    be told."""
    if not alternatives or len({a.flags for a in alternatives}) != 1:
        return None
    by_first: dict[str, list[str]] = {}
    every: set[str] = set()
    for alternative in alternatives:
        chars = first_chars(alternative)
        if chars is None:
            return None
        every |= chars
        for ch in chars:
            by_first.setdefault(ch, []).append(alternative.pattern)
    # a word start they all open on is tested once, before the branches
    lead = _WORD_START if all(a.pattern.startswith(_WORD_START) for a in alternatives) else ""
    by_first = {ch: [p[len(lead) :] for p in patterns] for ch, patterns in by_first.items()}
    branches = [
        _member(ch) + "(?<=(?=(?:" + "|".join(patterns) + "))[\\s\\S])"
        for ch, patterns in sorted(by_first.items())
    ]
    joined = lead + "(?:" + "|".join(branches) + ")"
    if r"\w" not in every:  # behind the class of all first characters, as `skipping` puts it
        members = "".join(_member(ch) for ch in sorted(every))
        joined = f"[{members}](?<=(?={joined})[\\s\\S])"
    try:
        return re.compile(joined, alternatives[0].flags)  # one compiling: it is long
    except re.error:
        return None


def _tree(pattern: re.Pattern[str]) -> list[tuple[Any, Any]] | None:
    try:
        return list(sre_parse.parse(pattern.pattern, pattern.flags))
    except re.error:
        return None


def _member(ch: str) -> str:
    """A first character (or category) as written inside a class."""
    return ch if ch in _CATEGORIES.values() else re.escape(ch)


def _skipped_by_re(items: list[tuple[Any, Any]]) -> bool:
    """`re` finds the pattern's first characters itself: it opens on a letter, a class, an
    anchor, or branches each opening on a letter."""
    while items and items[0][0] is sre.SUBPATTERN:
        items = list(items[0][1][-1])
    if not items:
        return False
    op, av = items[0]
    if op in (sre.LITERAL, sre.IN, sre.AT):
        return True
    return op is sre.BRANCH and all(_opens_on_letter(list(branch)) for branch in av[1])


def _opens_on_letter(items: list[tuple[Any, Any]]) -> bool:
    while items and items[0][0] is sre.SUBPATTERN:
        items = list(items[0][1][-1])
    return bool(items) and items[0][0] is sre.LITERAL


def _first_seq(items: list[tuple[Any, Any]]) -> First | None:
    out: set[str] = set()
    for op, av in items:
        first = _first(op, av)
        if first is None:
            return None
        out |= first[0]
        if not first[1]:
            return frozenset(out), False
    return frozenset(out), True


def _first(op: Any, av: Any) -> First | None:
    if op is sre.LITERAL:
        return frozenset(chr(av)), False
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE and value[1] - value[0] <= _WIDEST:
                chars |= {chr(code) for code in range(value[0], value[1] + 1)}
            elif kind is sre.CATEGORY and value in _CATEGORIES:
                chars.add(_CATEGORIES[value])
            else:  # NEGATE, a wide range, another category
                return None
        return frozenset(chars), False
    if op is sre.BRANCH:
        chars, empty = set(), False
        for branch in av[1]:
            first = _first_seq(list(branch))
            if first is None:
                return None
            chars |= first[0]
            empty = empty or first[1]
        return frozenset(chars), empty
    if op is sre.SUBPATTERN:
        _group, add, remove, body = av
        if (add | remove) & sre.SRE_FLAG_IGNORECASE:
            return None  # a case of its own inside: the class would read it with the outer one
        return _first_seq(list(body))
    if op in _REPEATS:
        low, _high, body = av
        first = _first_seq(list(body))
        return None if first is None else (first[0], first[1] or low == 0)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _first_seq(list(av))
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return frozenset(), True  # consumes nothing: the next item tells
    return None  # ANY, a back-reference, a conditional group
