"""Patterns that can backtrack for ever, found when a rule file loads.

Python's `re` cannot be stopped once it runs, so a rule such as `(a+)+$` would hang a batch on
the first long line. The usual shape behind such a hang is one unbounded repeat inside another
where an iteration of the outer one can be cut in more than one way: the inner repeat may take a
character or leave it to the next iteration. That happens unless the outer body always consumes
a separator, a character the inner repeat cannot take (in an alternation: every alternative
has one): `(?:\\d+[./])+` is linear, `(\\w+\\s*)+`, `(x+x+)+` and `(a+[ab])+` are not. The check
runs on `re`'s own parse tree and its own character matching, once per rule at load (20 ms for
the shipped rules); matching itself is untouched. It is a screen for the common shapes, not a
proof: bounded repeats (`{0,60}`) and back-references are not reasoned about.
"""

from __future__ import annotations

import re
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["nested_repeat"]

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
# The characters the check reasons about: what notices are written in.
_ALPHABET = (
    "".join(chr(c) for c in range(32, 127))
    + "\t\n\u00a0"
    + "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    + "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ–—“”…"
)
_Item = tuple[Any, Any]


def nested_repeat(regex: re.Pattern[str]) -> bool:
    """True if `regex` nests unbounded repeats that can split the same text in many ways."""
    tree = sre_parse.parse(regex.pattern, regex.flags)
    return _walk(list(tree), tree.state, regex.flags)


def _children(op: Any, av: Any) -> list[list[_Item]]:
    if op in _REPEATS:
        return [list(av[2])]
    if op is sre.SUBPATTERN:
        return [list(av[-1])]
    if op is sre.BRANCH:
        return [list(b) for b in av[1]]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [list(av[1])]
    if op is sre.ATOMIC_GROUP:
        return [list(av)]
    if op is sre.GROUPREF_EXISTS:
        return [list(b) for b in av[1:] if b]
    return []


def _unbounded(op: Any, av: Any) -> bool:
    return op in _REPEATS and av[1] == sre.MAXREPEAT


def _walk(seq: list[_Item], state: Any, flags: int) -> bool:
    for op, av in seq:
        if _unbounded(op, av) and _ambiguous(list(av[2]), state, flags):
            return True
        if any(_walk(sub, state, flags) for sub in _children(op, av)):
            return True
    return False


def _ambiguous(body: list[_Item], state: Any, flags: int) -> bool:
    """An inner unbounded repeat of `body` with no separator: nothing else the body always
    consumes is a character the inner repeat cannot take."""
    return any(
        not _separated(body, inner, _chars(list(inner[1][2]), state, flags), state, flags)
        for inner in _inner_repeats(body)
    )


def _inner_repeats(seq: list[_Item]) -> list[_Item]:
    out: list[_Item] = []
    for op, av in seq:
        if _unbounded(op, av):
            out.append((op, av))
        for sub in _children(op, av):
            out.extend(_inner_repeats(sub))
    return out


def _separated(
    seq: list[_Item], skip: _Item, chars: frozenset[str], state: Any, flags: int
) -> bool:
    """`seq` always consumes, outside `skip`, a character none of `chars` can be (for an
    alternation: each alternative does)."""
    for op, av in seq:
        if av is skip[1] or op in _ZERO_WIDTH:
            continue
        if op in _REPEATS:
            body = list(av[2])
            if (
                av[0] >= 1
                and not _contains(body, skip)
                and _separated(body, skip, chars, state, flags)
            ):
                return True
        elif op is sre.SUBPATTERN:
            if _separated(list(av[-1]), skip, chars, state, flags):
                return True
        elif op is sre.BRANCH:
            if all(_separated(list(b), skip, chars, state, flags) for b in av[1]):
                return True
        elif op in (sre.ATOMIC_GROUP, sre.GROUPREF_EXISTS):
            continue
        elif not _chars([(op, av)], state, flags) & chars:
            return True
    return False


def _contains(seq: list[_Item], item: _Item) -> bool:
    return any(av is item[1] or _contains_sub(op, av, item) for op, av in seq)


def _contains_sub(op: Any, av: Any, item: _Item) -> bool:
    return any(_contains(sub, item) for sub in _children(op, av))


def _chars(seq: list[_Item], state: Any, flags: int) -> frozenset[str]:
    """Every character of the alphabet some single-character item in `seq` matches."""
    out: set[str] = set()
    for op, av in seq:
        subs = _children(op, av)
        if subs:
            for sub in subs:
                out |= _chars(sub, state, flags)
            continue
        if op in _ZERO_WIDTH:
            continue
        if op in (sre.GROUPREF, getattr(sre, "GROUPREF_IGNORE", sre.GROUPREF)):
            return frozenset(_ALPHABET)  # a back-reference may be anything
        key = (str(op), repr(av), flags)
        if key not in _CACHE:
            single = sre_compile.compile(sre_parse.SubPattern(state, [(op, av)]), flags)
            _CACHE[key] = frozenset(c for c in _ALPHABET if single.fullmatch(c))
        out |= _CACHE[key]
    return frozenset(out)


_CACHE: dict[tuple[str, str, int], frozenset[str]] = {}  # one character class, its characters
