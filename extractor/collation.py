"""Vietnamese alphabetical order, as Vietnamese dictionaries sort (Hoàng Phê's Từ điển tiếng
Việt): letters a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, compared syllable
by syllable; within one spelling of a syllable the tones go ngang, huyền, hỏi, ngã, sắc, nặng
(ba, bà, bả, bã, bá, bạ, then bác). Case decides only between names otherwise equal.

Code-point order puts "Bưu điện" before "Bộ" and "Đ" after "Z"; `vi_key` does not.
"""

from __future__ import annotations

import unicodedata

__all__ = ["ALPHABET", "vi_key", "vi_sorted"]

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# combining marks of the tones, in dictionary order (none = 0)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_RANK = {ch: i for i, ch in enumerate(ALPHABET)}
_DIGITS = 10_000  # digits sort before letters, other signs before digits
_LETTERS = 20_000
_OTHER_LETTERS = 30_000


def _syllable(word: str) -> tuple[tuple[int, ...], int]:
    tone = 0
    kept = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            kept.append(ch)
    letters = []
    for ch in unicodedata.normalize("NFC", "".join(kept)):
        if ch in _RANK:
            letters.append(_LETTERS + _RANK[ch])
        elif ch.isdigit():
            letters.append(_DIGITS + ord(ch))
        elif ch.isalpha():
            letters.append(_OTHER_LETTERS + ord(ch))
        else:
            letters.append(ord(ch) % _DIGITS)
    return tuple(letters), tone


def vi_key(text: str) -> tuple[tuple[tuple[tuple[int, ...], int], ...], str]:
    """Sort key: syllables in order (letters, then tone); the text itself breaks ties."""
    return tuple(_syllable(w) for w in text.split()), text


def vi_sorted(items: list[str]) -> list[str]:
    return sorted(items, key=vi_key)
