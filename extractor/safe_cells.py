"""Cell values that cannot harm the reader of a file the tool writes.

A notice is untrusted text. Written into a spreadsheet cell, a value starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is read by Excel and LibreOffice as a formula
(``=HYPERLINK(...)`` from a table cell of a hostile notice). OWASP's advice for CSV injection
is followed: such a value is written with a leading apostrophe, which makes every spreadsheet
take the cell as text; `restore` takes it off again when the tool reads its own CSV back.
XLSX cells get the same protection without a visible apostrophe (`xlsx_text` and
`xlsx_quote_prefix`: a string cell with Excel's "quote prefix" style).

Control characters (U+0000-U+001F but tab and newline, U+007F-U+009F) are not allowed in XML,
so openpyxl and python-docx refuse them; `clean_text` drops them from everything a sheet
shows. `md_text` escapes what a Markdown viewer would render as HTML, links or emphasis.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_START", "clean_text", "is_formula_like", "md_text", "neutralize", "restore"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def is_formula_like(value: str) -> bool:
    """Would a spreadsheet read this cell as a formula?"""
    return value.startswith(FORMULA_START)


def neutralize(value: str) -> str:
    """The CSV cell for `value`: an apostrophe before a formula-like start (OWASP)."""
    return "'" + value if is_formula_like(value) else value


def restore(value: str) -> str:
    """`neutralize` undone, for the tool reading back a CSV it wrote."""
    return value[1:] if value.startswith("'") and is_formula_like(value[1:]) else value


def clean_text(value: str) -> str:
    """`value` without the control characters XML forbids (a carriage return too)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def md_text(value: str) -> str:
    """`value` as literal Markdown text: no HTML, links, emphasis or table breaks."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", value).replace("\n", " ")
