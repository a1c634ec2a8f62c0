"""Vietnamese alphabetical order (extractor.collation): each row is a list in the order a
Vietnamese dictionary gives it, shuffled and sorted back."""

from __future__ import annotations

import random

import pytest

from extractor.collation import vi_key, vi_sorted

ORDERED = [
    # the letters
    ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n"],
    ["n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y"],
    # the tones: ngang, huyền, hỏi, ngã, sắc, nặng
    ["ba", "bà", "bả", "bã", "bá", "bạ", "bác", "bạc", "bách"],
    ["ma", "mà", "mả", "mã", "má", "mạ", "mắc", "mặc", "mâm", "mầm", "mẩm"],
    # letters before tones: every "ca" before "cac", "cà" before "các"
    ["ca", "cà", "cá", "cac", "các", "cách", "căm", "câm"],
    # syllable by syllable: a shorter name first
    ["Bộ", "Bộ Tài chính", "Bộ Tư pháp", "Bưu điện", "Bưu điện huyện"],
    # code point order would put these wrongly
    ["Ban Dân vận", "Bộ Công an", "Bưu điện tỉnh", "Chi cục Thuế", "Công an huyện", "Cục Thuế"],
    ["Dân", "Đài", "Đảng ủy", "Đoàn Thanh niên", "Giáo dục", "Ủy ban", "Văn phòng", "Viện", "Xã"],
    ["Phòng Nội vụ", "Phòng Tài chính", "Phòng Tư pháp", "Phòng Y tế", "Phòng Ý kiến"],
    ["u", "ú", "ụ", "ư", "ừ", "ữ"],
    ["o", "ò", "ó", "ô", "ồ", "ộ", "ơ", "ờ", "ợ"],
    # digits before letters; case only breaks a tie
    ["1 Sở", "2 Sở", "A", "a", "Ă"],
]


@pytest.mark.parametrize("ordered", ORDERED, ids=lambda row: " < ".join(row[:3]))
def test_dictionary_order(ordered: list[str]) -> None:
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    assert vi_sorted(shuffled) == ordered


@pytest.mark.parametrize(
    ("first", "then"),
    [("Bộ", "Bưu điện"), ("Đài", "Em"), ("Ước", "Vân"), ("ơn", "phòng"), ("Ấp", "Bà")],
)
def test_where_code_point_order_is_wrong(first: str, then: str) -> None:
    assert vi_key(first) < vi_key(then)
    assert first > then  # Python's own (code point) order gets every row wrong


def test_decomposed_text_sorts_like_composed() -> None:
    import unicodedata

    word = "Phòng Ý tế"
    assert vi_key(unicodedata.normalize("NFD", word))[0] == vi_key(word)[0]
