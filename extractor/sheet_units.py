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

__all__ = ["COLLECTIVE_SHEET", "UnitGroups", "Vocabulary", "vocabulary"]

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


@dataclass
class UnitGroups:
    """The spellings of units in a set of notices, grouped: first every spelling is `add`ed
    with the area word its notice's issuer implies, then `key` says which group it is in.

    Spellings equal but for case, spacing and end punctuation are one group. A name without the
    issuer's area word joins the name with it, if that was written somewhere ("Phòng Y tế" in
    a district's notice joins "Phòng Y tế huyện"); two names with different area words never
    meet ("Công an tỉnh", "Công an huyện"), nor does a name the issuer's level does not have
    ("Sở Y tế" in a district's notice stays "Sở Y tế")."""

    seen: Counter[str] = field(default_factory=Counter)  # cleaned spelling -> times written
    folded: set[str] = field(default_factory=set)  # the spellings without case

    def add(self, name: str, area: str | None) -> None:
        spelling = self.spelling(name, area)
        self.seen[spelling] += 1
        self.folded.add(spelling.casefold())

    @staticmethod
    def spelling(name: str, area: str | None) -> str:
        """The name cleaned (spacing, end punctuation, the area word in small letters)."""
        name = _clean(name)
        if area and name.casefold().endswith(" " + area):  # "Bưu điện Huyện" -> "… huyện"
            name = name[: -len(area)] + area
        return name

    def key(self, name: str, area: str | None) -> str:
        folded = self.spelling(name, area).casefold()
        if area and not folded.endswith(" " + area) and f"{folded} {area}" in self.folded:
            return f"{folded} {area}"
        return folded

    def groups(self, keys: dict[str, str]) -> dict[str, str]:
        """{key: the spelling it is shown by}, for `keys` = {spelling: key}: the fullest
        spelling (with the area word), then capitalised, then the most used, then first in
        Vietnamese order."""
        members: dict[str, list[str]] = defaultdict(list)
        for spelling, k in keys.items():
            members[k].append(spelling)
        return {
            k: min(
                names,
                key=lambda n: (n.casefold() != k, not n[:1].isupper(), -self.seen[n], vi_key(n)),
            )
            for k, names in members.items()
        }
