"""What any match of a pattern must contain, read off `re`'s own parse tree.

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
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _casefix  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["may_match", "required_chars"]

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
