"""The whole pipeline: the seed notice, golden samples, schema, provenance, the API."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from extractor import extract, notice_to_dict
from extractor.models import Notice
from extractor.render import load_schema

from .conftest import ROOT, SHARED_EVAL
from .golden import GOLDEN, SAMPLES, render_sample

SEED = ROOT / "samples" / "000.txt"
THU_TRUONG = [
    "Thủ trưởng các cơ quan thuộc Ủy ban nhân dân Huyện",
    "Chủ tịch Ủy ban nhân dân các Xã, Thị trấn",
]
NOI_VU, VHTT = ["Phòng Nội vụ Huyện"], ["Phòng Văn hóa và Thông tin Huyện"]
BUU_DIEN, CAC_CQ = ["Bưu điện Huyện"], ["Các cơ quan, đơn vị, địa phương"]
# The 19 tasks of the seed notice: (units, coordinators, deadline)
SEED_TASKS = [
    (THU_TRUONG, [], None),
    (THU_TRUONG, [], date(2020, 9, 10)),
    (["Thủ trưởng các cơ quan", "Chủ tịch Ủy ban nhân dân các Xã, Thị trấn"], [], None),
    (NOI_VU, [], None),
    (NOI_VU, [], date(2020, 8, 31)),
    (NOI_VU, [], None),
    (VHTT, [], None),
    (VHTT, [], None),
    (BUU_DIEN, [], None),
    (BUU_DIEN, [], date(2020, 12, 31)),
    (CAC_CQ, [], None),
    (CAC_CQ, [], date(2020, 8, 28)),
    (["Văn phòng Hội đồng nhân dân và Ủy ban nhân dân Huyện"], [], date(2020, 9, 15)),
    (VHTT, [], date(2020, 8, 7)),
    (VHTT, [], date(2020, 8, 31)),
    (["Các phòng, ban, ngành Huyện", "Ủy ban nhân dân các Xã, Thị trấn"], VHTT, None),
    (NOI_VU, [], None),
    (NOI_VU, [], None),
    (NOI_VU, [], None),
]


@pytest.fixture(scope="module")
def seed() -> Notice:
    return extract(SEED)


def test_seed_metadata(seed: Notice) -> None:
    m = seed.meta
    assert (m.number and m.number.text, m.date, m.type) == ("49/TB-VPUBND", date(2020, 8, 6), "TB")
    assert m.issuer is not None and m.issuer.text == "Văn phòng HĐND và UBND huyện Châu Thành"


def test_seed_tasks(seed: Notice) -> None:
    got = [
        (
            [u.text for u in t.units],
            [c.text for c in t.coordinators],
            t.deadline.date if t.deadline else None,
        )
        for t in seed.tasks
    ]
    assert got == SEED_TASKS


def _check_provenance(notice: Notice) -> None:
    text = notice.document.text
    for t in notice.tasks:
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text
        assert t.rules and 0 < t.confidence <= 1
        for span in (*t.units, *t.coordinators):
            assert span.text.endswith(text[span.start : span.end]), (span, t.id)
        assert (
            t.evidence.start <= t.action.start <= t.action.end <= max(t.evidence.end, t.action.end)
        )
        if t.deadline:
            assert text[t.deadline.start : t.deadline.end] == t.deadline.text
    for tr in notice.trace:
        assert 0 <= tr.start <= tr.end <= len(text)


DEV = sorted((SHARED_EVAL / "dev" / "corpus").glob("*"))


@pytest.mark.parametrize("path", SAMPLES + DEV, ids=lambda p: p.name)
def test_output_is_valid_and_grounded(path: Path) -> None:
    notice = extract(path)
    jsonschema.validate(notice_to_dict(notice), load_schema())
    _check_provenance(notice)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_golden(path: Path) -> None:
    golden = GOLDEN / f"{path.stem}.json"
    assert golden.exists(), f"no golden file for {path.name}: run `make golden`"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert render_sample(path) == expected, "output changed: review, then `make golden`"


def test_api_accepts_text_and_path(seed: Notice) -> None:
    from_text = extract(SEED.read_text(encoding="utf-8"))
    assert [t.action.text for t in from_text.tasks] == [t.action.text for t in seed.tasks]
    assert extract(str(SEED)).document.source.path == str(SEED)


def test_notice_without_tasks() -> None:
    notice = extract("Ngày 5/6/2020, UBND tỉnh tổ chức hội nghị tổng kết.\nTin: Hữu Hoàn.")
    assert notice.tasks == ()


def test_news_article_without_directives_assigns_nothing() -> None:
    """A report of what was done names units before verbs, but no directive cue: no task."""
    notice = extract(ROOT / "samples" / "tin-tong-ket-nam-2023.txt")
    assert notice.tasks == ()


def test_heading_deadline_applies_to_section() -> None:
    notice = extract(
        "Hà Nội, ngày 01 tháng 8 năm 2020\n"
        "Chủ tịch UBND tỉnh có ý kiến như sau:\n"
        "1. Trước ngày 15/9/2020\n- Giao Sở Y tế kiểm tra các cơ sở.\n"
        "- Sở Tài chính bố trí kinh phí."
    )
    assert [(t.units[0].text, t.deadline and t.deadline.date) for t in notice.tasks] == [
        ("Sở Y tế", date(2020, 9, 15)),
        ("Sở Tài chính", date(2020, 9, 15)),
    ]


def test_one_sentence_two_subjects() -> None:
    notice = extract(
        "Phó Thủ tướng có ý kiến như sau: Tập đoàn Dầu khí Việt Nam khẩn trương "
        "chuyển giao dự án; Bộ Công Thương chỉ đạo, giám sát việc chuyển giao."
    )
    assert [[u.text for u in t.units] for t in notice.tasks] == [
        ["Tập đoàn Dầu khí Việt Nam"],
        ["Bộ Công Thương"],
    ]
    assert [t.action.text for t in notice.tasks] == [
        "khẩn trương chuyển giao dự án",
        "chỉ đạo, giám sát việc chuyển giao",
    ]


def _one_line_paragraphs(path: Path) -> bool:
    """Does the text keep each paragraph on one line? A text hard-wrapped already (the legal
    databases' copies wrap at ~110) would be wrapped twice, into alternating long and short
    lines that no copy of a notice has; those are read as wrapped texts in their own right."""
    return max(map(len, path.read_text(encoding="utf-8").split("\n"))) > 160


TEXT_NOTICES = sorted(p for p in SAMPLES if p.suffix == ".txt") + sorted(
    p for p in (SHARED_EVAL / "dev" / "corpus").glob("*.txt") if _one_line_paragraphs(p)
)


@pytest.mark.parametrize("path", TEXT_NOTICES, ids=lambda p: p.name)
def test_hard_wrapped_text_gives_the_same_tasks(path: Path) -> None:
    """The same notice with a line break every 80 characters (as copied from a PDF) gives the
    same tasks, units, coordinators, deadlines and notice date."""
    import textwrap

    def read(text: str) -> tuple[object, ...]:
        n = extract(text)
        tasks = [
            (
                [u.text for u in t.units],
                [c.text for c in t.coordinators],
                t.action.text,
                t.deadline.date if t.deadline else None,
            )
            for t in n.tasks
        ]
        return n.meta.date, tasks

    text = path.read_text(encoding="utf-8")
    wrapped = "\n".join(
        piece
        for line in text.split("\n")
        for piece in textwrap.wrap(line, 80, break_on_hyphens=False, break_long_words=False) or [""]
    )
    assert wrapped != text or max(map(len, text.split("\n"))) <= 80
    assert read(wrapped) == read(text)
