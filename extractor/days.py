"""Dates people type (command-line options, the correction CSV): YYYY-MM-DD, or dd/mm/yyyy as
Vietnamese offices write them. Notices' own dates are read by the rules, not here."""

from __future__ import annotations

import argparse
import re
from datetime import date

__all__ = ["DAY_FORMS", "day_argument", "parse_day"]

DAY_FORMS = "YYYY-MM-DD or dd/mm/yyyy"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str) -> date:
    """The day `text` names; ValueError, a sentence saying the forms accepted, otherwise."""
    value = text.strip()
    try:
        if m := _ISO.fullmatch(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.fullmatch(value):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date.") from None
    raise ValueError(f"{text!r} is not a date; write it as {DAY_FORMS} (2025-06-15 or 15/06/2025).")


def day_argument(value: str) -> date:
    """`parse_day` as an argparse type: a wrong date is a usage error naming the forms."""
    try:
        return parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
