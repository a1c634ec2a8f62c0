"""The unit directory: one canonical name per unit, the spellings that mean it, and whether it
is a collective addressee ("các sở, ngành liên quan"). Spellings met at import start under the
name the `alias` rules give; merging spellings in the UI repoints them, and `aliases_yaml`
writes the directory back as alias rules for rules/units.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..rules import RuleSet
from ..units import canonical_unit, slug
from .models import Unit, UnitAlias

__all__ = ["Directory", "aliases_yaml", "ensure_units", "load_directory", "merge_units"]


@dataclass(frozen=True)
class Directory:
    """spelling -> canonical name, and the collective names."""

    names: dict[str, str]
    collective: frozenset[str]

    def canonical(self, spelling: str) -> str:
        return self.names.get(spelling, spelling)

    def all(self, spellings: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(self.canonical(s) for s in spellings))


def load_directory(session: Session) -> Directory:
    rows = session.execute(select(UnitAlias.spelling, Unit.name, Unit.collective).join(Unit))
    names: dict[str, str] = {}
    collective: set[str] = set()
    for spelling, name, is_collective in rows:
        names[spelling] = name
        if is_collective:
            collective.add(name)
    return Directory(names, frozenset(collective))


def _unit(session: Session, name: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name, collective=False)
        session.add(unit)
        session.flush()
    return unit


def ensure_units(session: Session, spellings: Iterable[str], rules: RuleSet | None) -> None:
    """Give every new spelling a unit: the alias rules' canonical name, or itself."""
    known = set(session.scalars(select(UnitAlias.spelling)))
    for spelling in dict.fromkeys(spellings):
        if spelling in known:
            continue
        name = canonical_unit(spelling, rules)[0] if rules is not None else spelling
        session.add(UnitAlias(spelling=spelling, unit=_unit(session, name)))
        known.add(spelling)
    session.flush()


def merge_units(session: Session, spellings: Iterable[str], into: str) -> Unit:
    """Every spelling (and every spelling of a unit so named) now means `into`."""
    into = " ".join(into.split())
    if not into:
        raise ValueError("Tên đơn vị gộp vào không được để trống.")
    target = _unit(session, into)
    for spelling in spellings:
        old = session.scalar(select(Unit).where(Unit.name == spelling))
        moved = list(old.aliases) if old is not None and old.id != target.id else []
        alias = session.get(UnitAlias, spelling)
        if alias is None:
            alias = UnitAlias(spelling=spelling, unit=target)
            session.add(alias)
        moved.append(alias)
        for a in moved:
            a.unit = target
    session.flush()
    for unit in session.scalars(select(Unit).where(~Unit.aliases.any(), Unit.id != target.id)):
        session.delete(unit)
    session.commit()
    return target


def aliases_yaml(session: Session) -> str:
    """The directory's merged spellings as `alias` rules (rules/units.yaml format)."""
    rules = []
    for unit in session.scalars(select(Unit).order_by(Unit.name)):
        spellings = sorted({a.spelling for a in unit.aliases} | {unit.name})
        if len(spellings) < 2:
            continue
        keys = sorted({" ".join(s.lower().split()) for s in spellings}, key=len, reverse=True)
        rules.append(
            {
                "id": f"unit.alias.office.{slug(unit.name).replace('-', '_')}",
                "description": f"{unit.name} (gộp trong sổ theo dõi)",
                "kind": "alias",
                "value": unit.name,
                "pattern": "|".join(re.escape(k).replace("\\ ", r"\s+") for k in keys),
                "examples": [{"text": s, "expect": {"canonical": unit.name}} for s in spellings],
            }
        )
    return yaml.safe_dump({"rules": rules}, allow_unicode=True, sort_keys=False)
