"""Which sheet a unit's task goes on: spellings of one unit merged, collective addressees
together, and the day a recurring deadline falls on. The words are data, in
`extractor/data/sheets.yaml` (each rule with examples); this module only applies them.

Two spellings are one unit when, after the `alias` rules of rules/units.yaml, they differ only
in case, spacing, end punctuation, or a trailing area word that the issuer of the notice
implies ("Phòng Y tế" and "Phòng Y tế huyện" in a district's notice). Collective addressees
("các cơ quan, đơn vị", "các sở, ngành liên quan") name no one unit: they share one sheet.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .collation import vi_key
from .ingest import normalize

__all__ = [
    "COLLECTIVE_SHEET",
    "UnitGroups",
    "Vocabulary",
    "unit_key",
    "vocabulary",
]

COLLECTIVE_SHEET = "Các cơ quan, đơn vị (giao chung)"


class _Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    expect: str | bool | None = None


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^sheets\.[a-z_]+\.[a-z0-9_]+$")
    description: str
    pattern: str
    value: str | None = None
    examples: list[_Example] = Field(min_length=1)
    counter_examples: list[_Example] = Field(default_factory=list)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str
    issuer_area: list[_Rule]
    collective: list[_Rule]
    recurring_day: list[_Rule]


@dataclass(frozen=True)
class Vocabulary:
    rules: _File
    compiled: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def _rx(self, rule: _Rule) -> re.Pattern[str]:
        return self.compiled[rule.id]

    def issuer_area(self, issuer: str | None) -> str | None:
        """The area word of the issuer's level, the one named first ("huyện" for "UBND
        huyện Châu Thành")."""
        found = []
        for rule in self.rules.issuer_area:
            m = self._rx(rule).search(issuer or "")
            if m:
                found.append((m.start(), rule.value))
        return min(found)[1] if found else None

    def is_collective(self, name: str) -> bool:
        return any(self._rx(r).match(name.strip()) for r in self.rules.collective)

    def recurring_day(self, text: str) -> tuple[int, int | None] | None:
        """(day, month or None) of a recurring deadline's text, if it names a day."""
        for rule in self.rules.recurring_day:
            m = self._rx(rule).search(text)
            if m:
                month = m.groupdict().get("month")
                return int(m["day"]), int(month) if month else None
        return None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    text = resources.files("extractor").joinpath("data/sheets.yaml").read_text(encoding="utf-8")
    rules = _File.model_validate(yaml.safe_load(text))
    compiled = {
        r.id: re.compile(r.pattern, re.IGNORECASE)
        for group in (rules.issuer_area, rules.collective, rules.recurring_day)
        for r in group
    }
    return Vocabulary(rules, compiled)


def _clean(name: str) -> str:
    return " ".join(normalize(name)[0].split()).strip(" .,;:")


def unit_key(name: str, area: str | None) -> str:
    """What two spellings of one unit share: case-free, without the issuer's area word."""
    key = _clean(name).casefold()
    if area and key.endswith(" " + area) and len(key) > len(area) + 1:
        key = key[: -len(area) - 1].rstrip(" ,")
    return key


@dataclass
class UnitGroups:
    """Spellings seen, grouped by `unit_key`; each group shown by one of its spellings."""

    seen: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    complete: set[str] = field(default_factory=set)  # spellings with the implied area word

    def add(self, name: str, area: str | None) -> str:
        """Record a spelling (already through the alias rules); returns its group key."""
        name = _clean(name)
        key = unit_key(name, area)
        if area and key != name.casefold():  # "Bưu điện Huyện": the area word in small letters
            name = f"{name[: -len(area)]}{area}"
            self.complete.add(name)
        self.seen[key][name] += 1
        return key

    def display(self, key: str) -> str:
        """The spelling a group is shown by: with the area word, then capitalised, then the
        most used, then first in Vietnamese order."""
        names = self.seen[key]
        return min(
            names,
            key=lambda n: (n not in self.complete, not n[:1].isupper(), -names[n], vi_key(n)),
        )

    def merged(self) -> dict[str, list[str]]:
        """{shown name: the other spellings} for every group of more than one spelling."""
        out = {}
        for key, names in self.seen.items():
            if len(names) > 1:
                shown = self.display(key)
                out[shown] = sorted((n for n in names if n != shown), key=vi_key)
        return out
