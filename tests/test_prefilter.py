"""What a pattern's matches must contain (`extractor.prefilter`), and that it never refuses
a text a rule matches."""

from __future__ import annotations

import re

import pytest

from extractor.prefilter import may_match, required_chars
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
