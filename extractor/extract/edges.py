"""Edges of unit text: where a unit's words begin and end, shared by the unit readers."""

from __future__ import annotations

import re

__all__ = ["CAP", "NAMED", "SEPARATOR_OR_BRACKET", "capital", "skip_spaces", "trim_unit"]

SEPARATOR_OR_BRACKET = re.compile(r"[(\[\])]|\s*[,;]\s*|\s+(?:và|cùng)\s+")
# a capital letter of Vietnamese ("À-Ỹ" as a range would take small letters too)
CAP = "[A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]"
NAMED_ASIDE = re.compile(rf"\((?!qua\s){CAP}[^()]*\)$")  # "(Tập đoàn Đèo Cả)" at the end
NAMED = re.compile(rf"\s(?:{CAP}|[0-9])")  # a word in capitals after the first: a unit's own name


def capital(text: str, pos: int) -> bool:
    return text[pos : pos + 1].isupper()


def skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " ,":
        pos += 1
    return pos


def trim_unit(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " ,;:-–":
        a += 1
    while b > a and text[b - 1] in " ,;:.":
        b -= 1
    # a parenthetical at the end describes the unit ("Sở X (cơ quan thường trực)"), unless
    # the unit is named only by a common noun and the parenthetical names it ("Nhà đầu tư
    # (Tập đoàn Đèo Cả)")
    names = NAMED_ASIDE.search(text, a, b)
    if names and NAMED.search(text, a + 1, names.start()):
        names = None
    if b > a and text[b - 1] == ")" and not names:
        depth = 0
        for i in range(b - 1, a - 1, -1):
            if text[i] == ")":
                depth += 1
            elif text[i] == "(":
                depth -= 1
                if depth == 0:
                    if i > a:
                        b = i
                        while b > a and text[b - 1] == " ":
                            b -= 1
                    break
    return a, b
