"""Canonical unit names: the spellings of one unit ("Phòng VH&TT", "Phòng Văn hóa - Thông tin
huyện") map to one name through the `alias` rules of `rules/units.yaml`, so that every task of a
unit lands on one assignment sheet across notices. Unknown units keep their own text."""

from __future__ import annotations

import re
import unicodedata

from .ingest import normalize
from .rules import RuleSet

__all__ = ["canonical_unit", "slug"]


def _key(name: str) -> str:
    return " ".join(normalize(name)[0].lower().split()).strip(" .,;:")


def canonical_unit(name: str, rules: RuleSet) -> tuple[str, str | None]:
    """(canonical name, id of the alias rule) or (the name as written, None)."""
    key = _key(name)
    for rule in rules.of("units", "alias"):
        if rule.regex.fullmatch(key) and rule.value:
            return rule.value, rule.id
    return " ".join(normalize(name)[0].split()), None


def slug(name: str) -> str:
    """A safe file name stem: "Phòng Nội vụ huyện" -> "phong-noi-vu-huyen" (never a path)."""
    text = normalize(name)[0].replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80].strip("-") or "don-vi"
