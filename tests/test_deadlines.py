"""Deadline resolution: a table of phrasings with a fixed reference date and the exact answer.

Wrong inputs ("31/2/2020", "ngày 45") must give no date, never a crash or a wrong date.
"""

from __future__ import annotations

from datetime import date

import pytest

from extractor.deadlines import find_deadlines, pick_deadline
from extractor.rules import RuleSet

REF = date(2020, 8, 6)  # a Thursday

# (text, reference date, expected date, expected kind, expected recurring)
TABLE = [
    ("chậm nhất ngày 10 tháng 9 năm 2020", REF, date(2020, 9, 10), "exact_date", None),
    ("trước ngày 15/9/2020", REF, date(2020, 9, 15), "exact_date", None),
    ("trước ngày 15.9.2020", REF, date(2020, 9, 15), "exact_date", None),
    ("trước ngày 15-9-2020", REF, date(2020, 9, 15), "exact_date", None),
    ("hạn chót 15-9-2020", REF, date(2020, 9, 15), "exact_date", None),
    ("trước 14 giờ, ngày 05/12/2017", date(2017, 12, 4), date(2017, 12, 5), "exact_date", None),
    ("trước 8h30 ngày 10/8/2020", REF, date(2020, 8, 10), "exact_date", None),
    ("chậm nhất đến hết ngày 28 tháng 8 năm 2020", REF, date(2020, 8, 28), "exact_date", None),
    ("đến hết ngày 07 tháng 8 năm 2020", REF, date(2020, 8, 7), "exact_date", None),
    ("hoàn thành trong ngày 20/8/2020", REF, date(2020, 8, 20), "exact_date", None),
    ("xong trước 30/9/2020", REF, date(2020, 9, 30), "exact_date", None),
    ("chậm nhất là ngày 01/10/2020", REF, date(2020, 10, 1), "exact_date", None),
    ("trước ngày 30/6", REF, date(2021, 6, 30), "exact_date", None),
    ("trước ngày 30/9", REF, date(2020, 9, 30), "exact_date", None),
    ("trước ngày 20 tháng 8", REF, date(2020, 8, 20), "exact_date", None),
    ("trong tháng 8 năm 2020", REF, date(2020, 8, 31), "end_of_month", None),
    ("trong tháng 3/2024", REF, date(2024, 3, 31), "end_of_month", None),
    ("trong tháng 2 năm 2024", REF, date(2024, 2, 29), "end_of_month", None),
    ("trong tháng 9", REF, date(2020, 9, 30), "end_of_month", None),
    ("trong tháng 7 và tháng 8 năm 2022", REF, date(2022, 8, 31), "end_of_month", None),
    ("trong quý III/2020", REF, date(2020, 9, 30), "end_of_quarter", None),
    ("trong quý I năm 2021", REF, date(2021, 3, 31), "end_of_quarter", None),
    ("chậm nhất trong quý 4/2020", REF, date(2020, 12, 31), "end_of_quarter", None),
    ("trong 6 tháng đầu năm 2021", REF, date(2021, 6, 30), "end_of_half", None),
    ("6 tháng cuối năm 2020", REF, date(2020, 12, 31), "end_of_half", None),
    ("cuối năm 2020", REF, date(2020, 12, 31), "end_of_year", None),
    ("trong những tháng cuối năm 2020", REF, date(2020, 12, 31), "end_of_year", None),
    ("trong năm 2021", REF, date(2021, 12, 31), "end_of_year", None),
    ("trong 05 ngày làm việc kể từ ngày ký", REF, date(2020, 8, 13), "relative", None),
    ("trong 3 ngày làm việc", date(2020, 8, 7), date(2020, 8, 12), "relative", None),
    ("trong vòng 10 ngày", REF, date(2020, 8, 16), "relative", None),
    ("trong 2 tuần kể từ ngày ban hành văn bản này", REF, date(2020, 8, 20), "relative", None),
    ("trong thời hạn 01 tháng", date(2020, 1, 31), date(2020, 2, 29), "relative", None),
    ("trong 05 ngày kể từ ngày nhận hồ sơ", REF, None, "relative", None),
    ("từ ngày 30/4/2020 đến hết ngày 03/5/2020", REF, date(2020, 5, 3), "range_end", None),
    ("trước ngày 20 hằng tháng", REF, None, "recurring", "monthly"),
    ("trước ngày 25 hàng tháng", REF, None, "recurring", "monthly"),
    ("định kỳ hằng quý", REF, None, "recurring", "quarterly"),
    ("trước ngày 25 tháng cuối quý", REF, None, "recurring", "quarterly"),
    ("trước ngày 05/6 và 05/12 hàng năm", REF, None, "recurring", "half-yearly"),
    ("định kỳ 6 tháng", REF, None, "recurring", "half-yearly"),
    ("trước ngày 15/12 hằng năm", REF, None, "recurring", "yearly"),
    ("báo cáo hằng tuần", REF, None, "recurring", "weekly"),
    ("cập nhật hằng ngày", REF, None, "recurring", "daily"),
    ("khẩn trương triển khai", REF, None, "none", None),
    ("thường xuyên kiểm tra", REF, None, "none", None),
    ("thực hiện theo quy định", REF, None, "none", None),
    ("báo cáo ngay kết quả", REF, None, "none", None),
    # wrong inputs: no date, no crash
    ("trước ngày 31/2/2020", REF, None, "exact_date", None),
    ("chậm nhất ngày 45 tháng 9 năm 2020", REF, None, "exact_date", None),
    ("trước ngày 12/13/2020", REF, None, "exact_date", None),
    ("trong tháng 13 năm 2020", REF, None, "end_of_month", None),
    ("trước ngày 29/2/2021", REF, None, "exact_date", None),
]

# Phrases that are not deadlines at all.
NOT_DEADLINES = [
    "Công văn số 7454/BKHĐT-PTDN ngày 12 tháng 9 năm 2017",
    "Chỉ thị số 08/CT-TTg ngày 20/5/2015",
    "tiêu chuẩn ISO 9001:2015",
    "báo cáo công tác quý III năm 2015",
    "Kế hoạch cải cách hành chính năm 2020",
    "đạt 1.000 hồ sơ",
    "ngày 45",
]


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("text", "ref", "expected", "kind", "recurring"), TABLE)
def test_resolve(
    rules: RuleSet, text: str, ref: date, expected: date | None, kind: str, recurring: str | None
) -> None:
    found = pick_deadline(find_deadlines(text, 0, len(text), ref, rules))
    assert found is not None, f"no deadline found in {text!r}"
    assert (found.date, found.kind, found.recurring) == (expected, kind, recurring)
    assert text[found.start : found.end] == found.text


@pytest.mark.parametrize("text", NOT_DEADLINES)
def test_not_a_deadline(rules: RuleSet, text: str) -> None:
    assert find_deadlines(text, 0, len(text), REF, rules) == []


def test_no_reference_date_gives_no_guess(rules: RuleSet) -> None:
    found = pick_deadline(find_deadlines("trước ngày 30/6", 0, 15, None, rules))
    assert found is not None and found.date is None and found.note


def test_impossible_date_is_explained(rules: RuleSet) -> None:
    found = pick_deadline(find_deadlines("trước ngày 31/2/2020", 0, 20, REF, rules))
    assert found is not None and found.date is None
    assert found.note is not None and "impossible" in found.note


@pytest.mark.parametrize("column", [False, True])
def test_lower_case_screen_finds_the_same_places(rules: RuleSet, column: bool) -> None:
    """The screen run on lower-cased text starts at exactly the places the case-blind union
    does, over the forms' examples, the table above and every line of the samples and dev."""
    from extractor.deadlines import _forms, _lower_screen
    from extractor.rules import union_regex

    from .conftest import ROOT, SHARED_EVAL

    forms = _forms(rules, column)
    union, lower = union_regex(forms), _lower_screen(forms)
    assert lower is not None, "the deadline forms no longer allow the lower-case screen"
    texts = [e.text for r in forms for e in (*r.examples, *r.counter_examples)]
    texts += [row[0] for row in TABLE]
    files = [
        *(ROOT / "samples").glob("*.txt"),
        *(p for p in (SHARED_EVAL / "dev" / "corpus").glob("*") if p.suffix in (".txt", ".html")),
    ]
    texts += [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    texts += ["QUÝ IV/2023", "TRONG THÁNG 9 NĂM 2020", "Hằng Ngày"]
    for text in texts:
        want = [m.start() for m in union.finditer(text)]
        assert [m.start() for m in lower.finditer(text.lower())] == want, text
