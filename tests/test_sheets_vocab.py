"""The sheets' vocabulary (extractor/data/sheets.yaml): every example gives its expected
value and no counter-example matches, so a word list change is checked like a rule file."""

from __future__ import annotations

import pytest

from extractor.sheet_units import unit_key, vocabulary

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
    ("name", "area", "key"),
    [
        ("Phòng Y tế huyện", "huyện", "phòng y tế"),
        ("Phòng Y tế", "huyện", "phòng y tế"),
        ("phòng y tế  Huyện.", "huyện", "phòng y tế"),
        ("Phòng Y tế huyện", "tỉnh", "phòng y tế huyện"),
        ("Phòng Y tế huyện", None, "phòng y tế huyện"),
        ("huyện", "huyện", "huyện"),
        ("Sở Y tế tỉnh", "tỉnh", "sở y tế"),
    ],
)
def test_unit_key(name: str, area: str | None, key: str) -> None:
    assert unit_key(name, area) == key
