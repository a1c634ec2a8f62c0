"""What a pattern's matches must contain (`extractor.prefilter`), and that it never refuses
a text a rule matches."""

from __future__ import annotations

import re

import pytest

from extractor.prefilter import first_chars, grouped, may_match, required_chars, skipping
from extractor.rules import cached_rules, union_regex


@pytest.mark.parametrize(
    ("pattern", "flags", "required"),
    [
        (r"như\s+sau\s*:", 0, ["ư", ":", "a", "h", "n", "s", "u"]),  # \s is a category
        (r"(?:giao|yêu\s+cầu)\s*:", 0, [":"]),  # the branches share only the colon
        (r"a?b+[xy]", 0, ["b", "xy"]),  # an optional part requires nothing
        (r"(?<!\w)x(?=:)", 0, ["x"]),  # lookarounds consume nothing
        (r"\d+/\w+", 0, ["/"]),  # categories are not listed
        (r"[^:]+:", 0, [":"]),
        (r"Sở", re.IGNORECASE, ["sſ", "ở"]),  # in small letters, with re's extra foldings
        (r"(?i:K)x", 0, ["x", "k"]),
        (r"a{0,3}|b", 0, []),
    ],
)
def test_required_chars(pattern: str, flags: int, required: list[str]) -> None:
    got = ["".join(sorted(chars)) for chars, _small in required_chars(re.compile(pattern, flags))]
    assert sorted(got) == sorted("".join(sorted(r)) for r in required)


def test_may_match() -> None:
    needs = required_chars(re.compile(r"(?:giao|đề\s+nghị)[^.]*?như\s+sau\s*:", re.IGNORECASE))
    assert may_match(needs, "Giao các đơn vị như sau:") is True
    assert may_match(needs, "GIAO CÁC ĐƠN VỊ NHƯ SAU:") is True  # looked for in small letters
    assert may_match(needs, "Giao các đơn vị thực hiện.") is False  # no colon
    assert may_match(required_chars(re.compile("k", re.IGNORECASE)), "\u212a") is True  # Kelvin
    assert re.search("k", "\u212a", re.IGNORECASE)  # as re itself reads it
    assert may_match((), "anything") is True


def test_no_rule_example_lacks_what_its_rule_requires() -> None:
    """Every example and counter-example a rule matches holds what the rule requires, and
    what the screen of its group requires."""
    rules = cached_rules(None)
    checked = 0
    for rule in rules.rules:
        screen = union_regex(rules.of(rule.dimension, rule.kind))
        for example in (*rule.examples, *rule.counter_examples):
            if rule.regex.search(example.text):
                assert may_match(required_chars(rule.regex), example.text), (rule.id, example)
                assert may_match(required_chars(screen), example.text), (rule.id, example)
                checked += 1
    assert checked > 250


@pytest.mark.parametrize(
    ("pattern", "flags", "first"),
    [
        (r"(?<!\w)(?:trước\s+|vào\s+)?ngày\s+\d", 0, "ntv"),  # optional words: theirs and next
        (r"(?:\d{1,2}/)?tháng", 0, r"\dt"),  # a category is kept as it is written in a class
        (r"[a-c]x|đ", 0, "abcđ"),
        (r"(?=\d)\w+", 0, r"\w"),  # a lookahead consumes nothing: the next item tells
        (r"Sở", re.IGNORECASE, "S"),  # read with the pattern's flags: "S" stands for "s" too
        (r"a?", 0, None),  # may match nothing
        (r".x", 0, None),
        (r"[^:]+:", 0, None),
        (r"(?i:a)b", 0, None),  # a case of its own inside
    ],
)
def test_first_chars(pattern: str, flags: int, first: str | None) -> None:
    got = first_chars(re.compile(pattern, flags))
    assert (None if got is None else "".join(sorted(got))) == (
        None if first is None else "".join(sorted(re.findall(r"\\.|.", first)))
    )


def _starts(screen: re.Pattern[str], text: str, a: int = 0, b: int | None = None) -> list[int]:
    """Every place `search` finds the screen in text[a:b], moving one character past each
    (its matches differ: the fast screen's is one character; where they start does not)."""
    found, pos, end = [], a, len(text) if b is None else b
    while (m := screen.search(text, pos, end)) is not None:
        found.append(m.start())
        pos = m.start() + 1
    return found


def test_skipping_finds_what_its_pattern_finds() -> None:
    """The screens of every rule group, behind their first characters, start where the
    screens do over every example and counter-example of the rule files, within a range too."""
    rules = cached_rules(None)
    texts = [e.text for r in rules.rules for e in (*r.examples, *r.counter_examples)]
    text = "\n".join(texts)
    skipped = 0
    for dimension, kind in sorted({(r.dimension, r.kind) for r in rules.rules}):
        screen = union_regex(rules.of(dimension, kind))
        fast = skipping(screen)
        skipped += fast is not screen
        assert _starts(fast, text) == _starts(screen, text), (dimension, kind)
        a, b = len(text) // 3, 2 * len(text) // 3  # lookbehinds see before a, nothing past b
        assert _starts(fast, text, a, b) == _starts(screen, text, a, b), (dimension, kind)
    assert skipped >= 10
    assert skipping(re.compile(r"\w+")).pattern == r"\w+"  # nothing to skip
    assert skipping(re.compile("(?m)^a")).pattern == "(?m)^a"  # global flags cannot be nested


@pytest.mark.parametrize(
    ("pattern", "skips"),
    [
        (r"(?<!\w)giao", True),  # a lookbehind first: re tries every place
        (r"(?:trước\s+)?ngày", True),  # optional words first
        (r"giao", False),  # re skips to a literal prefix itself
        (r"[Gg]iao", False),  # and to a class
        (r"(?:giao|yêu cầu)", False),  # and to branches opening on letters
        (r"^\d+\.", False),  # anchored
        (r"(?<!\w)\w+", False),  # its first character may be any letter: nothing to skip
    ],
)
def test_skipping_only_where_re_does_not(pattern: str, skips: bool) -> None:
    compiled = re.compile(pattern)
    assert (skipping(compiled) is not compiled) is skips


def test_found_from_the_first_characters_as_search_finds() -> None:
    """metadata's `_find` (the skipping screen's start, then `match` there) gives what `search`
    gives, for every rule over every example and counter-example, from several places."""
    from extractor.metadata import _find

    rules = cached_rules(None)
    text = "\n".join(e.text for r in rules.rules for e in (*r.examples, *r.counter_examples))
    starts = range(0, len(text), max(1, len(text) // 40))
    checked = 0
    for rule in rules.rules:
        for pos in starts:
            want = rule.regex.search(text, pos, pos + 2000)
            got = _find(rule.regex, text, pos, pos + 2000)
            assert (got and (got.span(), got.groupdict())) == (
                want and (want.span(), want.groupdict())
            ), (rule.id, pos)
            checked += want is not None
    assert checked > 1000


def test_grouped_finds_what_the_union_finds() -> None:
    """Each rule group joined by first characters starts where the group's union does, over
    every example and counter-example; the deadline forms among them, read in small letters
    as `find_deadlines` reads them."""
    from extractor import deadlines

    rules = cached_rules(None)
    text = "\n".join(e.text for r in rules.rules for e in (*r.examples, *r.counter_examples))
    joined = 0
    for dimension, kind in sorted({(r.dimension, r.kind) for r in rules.rules}):
        group = rules.of(dimension, kind)
        by_first = grouped([union_regex((r,)) for r in group])
        if by_first is not None:
            joined += 1
            assert _starts(by_first, text) == _starts(union_regex(group), text), (dimension, kind)
    assert joined >= 10
    forms = deadlines._forms(rules, False)
    union, small = deadlines._lower_screen(forms), deadlines._screens(forms)[1]
    assert union is not None and small is not None and small is not union
    assert _starts(small, text.lower()) == _starts(union, text.lower())
    assert grouped([re.compile("a"), re.compile("b", re.I)]) is None  # flags differ
    assert grouped([re.compile("a?")]) is None  # may match nothing
