"""The sheets' vocabulary (extractor/data/sheets.yaml): every example gives its expected
value and no counter-example matches, so a word list change is checked like a rule file."""

from __future__ import annotations

import pytest

from extractor.sheet_units import UnitGroups, vocabulary

VOCAB = vocabulary().rules
AREA = [(r.id, e.text, e.expect) for r in VOCAB.issuer_area for e in r.examples]
AREA_NOT = [(r.id, r.value, e.text) for r in VOCAB.issuer_area for e in r.counter_examples]
COLLECTIVE = [(r.id, e.text, True) for r in VOCAB.collective for e in r.examples]
COLLECTIVE += [(r.id, e.text, False) for r in VOCAB.collective for e in r.counter_examples]
DAY = [(r.id, e.text, e.expect) for r in VOCAB.recurring_day for e in r.examples]
DAY_NOT = [(r.id, e.text) for r in VOCAB.recurring_day for e in r.counter_examples]


@pytest.mark.parametrize(("rule", "text", "expect"), AREA)
def test_issuer_area(rule: str, text: str, expect: str) -> None:
    assert vocabulary().issuer_area(text) == expect


@pytest.mark.parametrize(("rule", "value", "text"), AREA_NOT)
def test_issuer_area_counter(rule: str, value: str, text: str) -> None:
    assert vocabulary().issuer_area(text) != value


@pytest.mark.parametrize(("rule", "text", "collective"), COLLECTIVE)
def test_collective(rule: str, text: str, collective: bool) -> None:
    assert vocabulary().is_collective(text) is collective


@pytest.mark.parametrize(("rule", "text", "expect"), DAY)
def test_recurring_day(rule: str, text: str, expect: str) -> None:
    found = vocabulary().recurring_day(text)
    assert found is not None
    day, month = found
    assert expect in (f"{day:02d}/{month}", f"{day}/{month}", str(day), f"{day:02d}")


@pytest.mark.parametrize(("rule", "text"), DAY_NOT)
def test_recurring_day_counter(rule: str, text: str) -> None:
    rx = vocabulary().compiled[rule]
    assert rx.search(text) is None


@pytest.mark.parametrize(
    ("written", "groups"),
    [
        # (name, issuer's area) as the notices wrote them -> the groups, each by its shown name
        ([("Phòng Y tế", "huyện"), ("Phòng Y tế huyện", "huyện")], {"Phòng Y tế huyện": 2}),
        ([("phòng y tế  Huyện.", "huyện"), ("Phòng Y tế", "huyện")], {"phòng y tế huyện": 2}),
        ([("Phòng Tư pháp", None), ("phòng tư Pháp", "huyện")], {"Phòng Tư pháp": 2}),
        (
            [("Công an tỉnh", "tỉnh"), ("Công an huyện", "huyện")],
            {"Công an tỉnh": 1, "Công an huyện": 1},
        ),
        (
            [("Phòng Y tế", "tỉnh"), ("Phòng Y tế huyện", "huyện")],
            {"Phòng Y tế": 1, "Phòng Y tế huyện": 1},
        ),
        ([("Sở Y tế", "huyện"), ("Sở Y tế", "tỉnh")], {"Sở Y tế": 2}),
        ([("Sở Y tế", "tỉnh"), ("Sở Y tế tỉnh", "tỉnh")], {"Sở Y tế tỉnh": 2}),
        ([("Bưu điện Huyện", "huyện")], {"Bưu điện huyện": 1}),
    ],
)
def test_unit_groups(written: list[tuple[str, str | None]], groups: dict[str, int]) -> None:
    from collections import Counter

    found = UnitGroups()
    for name, area in written:
        found.add(name, area)
    keys = {found.spelling(n, a): found.key(n, a) for n, a in written}
    shown = found.groups(keys)
    assert Counter(shown[found.key(n, a)] for n, a in written) == groups
