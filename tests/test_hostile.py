"""Hostile and odd inputs: a clear error or a correct result, in time linear in the size."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import extract
from extractor.errors import InputError
from extractor.ingest import ingest_bytes
from extractor.render import notice_to_dict

PIECES = [
    "Giao ",
    "Phòng Nội vụ ",
    "UBND các xã, thị trấn ",
    "chủ trì, phối hợp với ",
    "Sở Y tế ",
    "theo dõi ",
    "trước ngày 31/2/2020",
    "trước ngày 15/9/2020 ",
    "trong tháng 13 năm 2020 ",
    "(",
    ")",
    "; ",
    ", ",
    ". ",
    "./.",
    ":",
    "\n",
    "\n- ",
    "\n1. ",
    "\na) ",
    "Kính gửi:\n",
    "có ý kiến như sau:",
    "Nơi nhận:",
    " | ",
    "\t",
    "quý III/2020",
    "hằng tháng",
    "ngày 45 ",
    "<script>alert(1)</script>",
    "Đối với ",
    "Yêu cầu ",
    "các ",
    "và ",
    "khẩn trương ",
    "9001:2015",
]
SECONDS_PER_CHAR = 2e-4  # 5 kB/s would already be 50 times slower than the dev set runs


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=80))
def test_random_notices_never_crash(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        doc_notice = extract(text if "\n" in text or len(text) >= 4096 else text + "\n")
    except InputError:
        return  # only spaces: a clear error is right
    data = notice_to_dict(doc_notice)
    json.dumps(data, ensure_ascii=False)
    for task in doc_notice.tasks:
        assert task.action.text
        if task.deadline and task.deadline.date:
            assert 1900 < task.deadline.date.year < 2200


@pytest.mark.parametrize(
    "text",
    [
        "Giao Phòng Nội vụ theo dõi, đôn đốc (việc lập hồ sơ, " * 20000,  # 1 MB, one line
        "Giao Sở Y tế kiểm tra. " * 45000,  # 1 MB of short sentences
        "((((( Giao Sở A làm " * 50000,  # brackets never closed
        "a" * 1_000_000,  # one 1 MB word
        ("1. " * 100000) + "Giao Sở Y tế kiểm tra.",  # markers without end
    ],
    ids=["long-line", "many-sentences", "open-brackets", "one-word", "markers"],
)
def test_large_hostile_text_is_linear(text: str) -> None:
    started = time.monotonic()
    extract(text)
    assert time.monotonic() - started < 2.0 + len(text) * SECONDS_PER_CHAR


def test_20_mb_file_gets_a_clear_error(tmp_path: Path) -> None:
    data = ("Giao Sở Y tế kiểm tra các cơ sở.\n" * 700_000).encode()
    assert len(data) > 20_000_000
    with pytest.raises(InputError, match="larger than 10 MB") as info:
        ingest_bytes(data, "huge.txt")
    assert "huge.txt" in str(info.value)


def test_script_in_a_text_notice_stays_text() -> None:
    notice = extract("Giao Sở Y tế <script>alert('x')</script> kiểm tra các cơ sở.\n")
    data = json.dumps(notice_to_dict(notice), ensure_ascii=False)
    assert "<script>" in notice.document.text and "<script>" in data  # kept as text, not run


def test_script_in_html_is_dropped() -> None:
    doc = ingest_bytes(
        b"<html><body><script>Giao S\xe1\xbb\x9f X.</script>"
        b"<p>Giao S\xe1\xbb\x9f Y t\xe1\xba\xbf ki\xe1\xbb\x83m tra.</p></body></html>",
        "p.html",
    )
    assert doc.text == "Giao Sở Y tế kiểm tra."


# ------------------------------------------------------------------ catastrophic rule patterns
@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        (r"(a+)+$", True),  # the rule: hours on "aaaa…b"
        (r"(a*)*x", True),
        (r"(\w+\s*)+$", True),  # words and optional spaces: splits every word many ways
        (r"(x+x+)+y", True),
        (r"(.*,)*x", True),  # '.' takes the comma too
        (r"(?i)(?:[a-z]+[A-Z0-9]+)*", True),  # without case the two classes overlap
        (r"(?:\d+[./])+", False),  # each repetition ends at a separator
        (r"(\w+\s)+$", False),
        (r"(?:[a-z]+[A-Z0-9]+)*", False),  # the metadata number's form: disjoint classes
        (r"(?:(?:a+)?b)+", False),
        (r"(?:\s*/\s*[A-ZĐ]+)*", False),
        (r"a+b+", False),  # not nested
    ],
)
def test_nested_repeats_are_found(pattern: str, refused: bool) -> None:
    import re

    from extractor.redos import nested_repeat

    assert nested_repeat(re.compile(pattern)) is refused


def test_catastrophic_rule_fails_at_load_with_its_id(tmp_path: Path) -> None:
    from extractor.errors import RuleError
    from extractor.rules import load_rules

    (tmp_path / "triggers.yaml").write_text(
        "dimension: triggers\ndescription: test file\nrules:\n"
        "  - id: trigger.slow\n    description: a catastrophic pattern\n    kind: assign\n"
        "    pattern: '(a+)+$'\n    examples:\n      - {text: aaa}\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    with pytest.raises(RuleError, match=r"rule 'trigger.slow': its pattern nests a repeat"):
        load_rules(tmp_path)
    assert time.monotonic() - started < 1.0

