"""Hostile and odd inputs: a clear error or a correct result, in time linear in the size."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

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
        (r"(a+[ab])+$", True),  # the 'separator' may be an 'a' too
        (r"(?:\s+|,\s*)+x", True),  # one alternative has no separator
        (r"(?:(?:,\s*|\s+và\s+|\s+)(?:thực\s+hiện|triển\s+khai))*$", False),  # each has one
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
    with pytest.raises(RuleError, match=r"rule 'trigger.slow': its pattern nests a repeat"):
        load_rules(tmp_path)


# ------------------------------------------------------------------ limits per file
def _batch(paths: list[Path], out: Path, **kw: object) -> tuple[int, list[dict[str, str]], str]:
    """Run a batch; its exit code, the lines of errors.jsonl, and stderr."""
    import io

    from extractor.batch import BatchOptions, run_batch

    err = io.StringIO()
    code = run_batch(
        BatchOptions(paths=tuple(paths), out_dir=out, quiet=True, **kw),  # type: ignore[arg-type]
        out=io.StringIO(),
        err=err,
    )
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return code, [json.loads(line) for line in lines], err.getvalue()


GOOD = "Giao Sở Y tế kiểm tra các cơ sở trước ngày 15/9/2020.\n"


def _blank_pdf(pages: int, *, scanned: bool = False) -> bytes:
    """Pages without text; `scanned`: each a page image (white), as a scan without text."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    white = ImageReader(Image.new("L", (60, 80), 255))
    for _ in range(pages):
        if scanned:
            page.drawImage(white, 0, 0, *page._pagesize)
        page.showPage()
    page.save()
    return buf.getvalue()


def _zip_bomb(unpacked: int) -> bytes:
    """A .docx whose document.xml inflates about a thousand times (the issue's was 102 KB)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * unpacked)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "limits", "message"),
    [
        (
            "bomb.docx",
            lambda: _zip_bomb(8 * 2**20),
            {"unpacked_bytes": 2**20},
            "bomb.docx: unpacks to 8.0 MB, over the limit of 1 MB. If it really is one notice, "
            "raise the limit with --max-unpacked-mb.",
        ),
        (
            "long.pdf",  # the 3,000 blank pages, against a limit of 5
            lambda: _blank_pdf(6),
            {"pdf_pages": 5},
            "long.pdf: has 6 pages, over the limit of 5 pages. If it really is one notice, "
            "raise the limit with --max-pages.",
        ),
        (
            "scan.pdf",  # scanned pages: refused before Tesseract is started
            lambda: _blank_pdf(2, scanned=True),
            {"ocr_pages": 1},
            "scan.pdf: has more than 1 pages without text, over the limit of 1 pages to OCR.",
        ),
        (
            "many.txt",
            lambda: "".join(f"{i}. Giao Sở Y tế kiểm tra cơ sở {i}.\n" for i in range(1, 9)),
            {"tasks": 5},
            "many.txt: gives 8 tasks, over the limit of 5 tasks. If it really is one notice, "
            "raise the limit with --max-tasks.",
        ),
        (
            "big.pdf",  # every format: bytes are checked before the file is read
            lambda: b"%PDF-1.4\n" + b"0" * 3 * 2**20,
            {"file_bytes": 2**20},
            "big.pdf: has 3.0 MB, over the limit of 1 MB. If it really is one notice, "
            "raise the limit with --max-file-mb.",
        ),
        (
            "spans.html",  # the table of rowspan=100 cells, 200 rows instead of 3,500
            lambda: (
                "<table>"
                + "".join(
                    f'<tr><td rowspan="100">Giao Sở Y tế kiểm tra {i}.</td></tr>'
                    for i in range(200)
                )
                + "</table>"
            ),
            {},
            "characters of text, over the limit of 200000 characters. If it really is one "
            "notice, raise the limit with --max-chars.",  # about 425,000: the reader's count
        ),
    ],
    ids=["zip-bomb", "pdf-pages", "ocr-pages", "tasks", "bytes", "html-spans"],
)
def test_a_file_past_a_limit_fails_alone(
    tmp_path: Path, name: str, content: Any, limits: dict[str, int], message: str
) -> None:
    from extractor.limits import Limits

    inbox = tmp_path / "in"
    inbox.mkdir()
    data = content()
    (inbox / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    (inbox / "good.txt").write_text(GOOD, encoding="utf-8")
    started = time.monotonic()
    limited = Limits(**{"text_chars": 200_000, **limits})
    code, errors, err = _batch([inbox], tmp_path / "out", limits=limited, jobs=1)
    assert time.monotonic() - started < 20
    assert code == 1
    assert [e["path"] for e in errors] == [str(inbox / name)]
    assert message in errors[0]["error"]
    assert message in err
    assert (tmp_path / "out" / "good.json").exists()
    assert not (tmp_path / "out" / f"{Path(name).stem}.json").exists()


def test_huge_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's 1.5 GB file (sparse here: no disk is used) is refused by its size."""
    import os

    from extractor.limits import LimitError, read_limited

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(1536 * 2**20)

    def no_read(*args: object, **kw: object) -> None:
        raise AssertionError("the file was read")

    monkeypatch.setattr(os, "fdopen", no_read)  # how read_limited reads, once it may
    with pytest.raises(LimitError, match=r"huge.txt: has 1536.0 MB, over the limit of 64 MB"):
        read_limited(huge)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux /proc")
def test_a_file_longer_than_its_size_is_read_to_its_end_or_refused() -> None:
    """A file holding more than its size said when it was opened (one growing while it is read;
    /proc's files say 0 bytes) is read to its end, within the limit, or refused past it."""
    from dataclasses import replace

    from extractor.limits import LimitError, Limits, read_limited

    status = Path("/proc/self/status")
    data = read_limited(status)
    assert status.stat().st_size == 0 and data.startswith(b"Name:") and b"\nPid:" in data
    with pytest.raises(LimitError, match="grew while it was read"):
        read_limited(status, replace(Limits(), file_bytes=16))


def _hung(signum: int, frame: object) -> None:
    raise AssertionError("the batch is still reading after 30 s")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_device_is_not_read(tmp_path: Path, kind: str) -> None:
    """A FIFO nobody writes to, or /dev/zero, named as an argument: refused at once."""
    import os

    if kind == "fifo":
        target = tmp_path / "pipe.txt"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    signal.signal(signal.SIGALRM, _hung)
    for jobs in (1, 2):  # planned in a fresh folder, then hashed by the parent on a rerun
        signal.alarm(30)  # a read of the pipe would block for ever: fail instead
        try:
            code, errors, _ = _batch([target, good], tmp_path / "out", jobs=jobs)
        finally:
            signal.alarm(0)
        assert code == 1
        assert [e["error"] for e in errors] == [
            f"[E100] {target}: is not a regular file (a pipe, a device or a socket), so it is "
            "not read. Give the notice's file itself."
        ]
    assert (tmp_path / "out" / "good.json").exists()


def test_limits_are_set_from_the_command_line() -> None:
    from extractor.cli import build_parser
    from extractor.limits import Limits, from_arguments

    args = build_parser().parse_args(
        [
            *("run", "tests", "-o", "y"),
            *("--max-file-mb", "2", "--max-unpacked-mb", "0.5", "--max-pages", "7"),
            *("--max-ocr-pages", "0", "--max-tasks", "9", "--max-seconds", "1.5"),
            *("--max-chars", "1000"),
        ]
    )
    assert from_arguments(args) == Limits(
        file_bytes=2 * 2**20,
        unpacked_bytes=2**19,
        pdf_pages=7,
        ocr_pages=0,
        text_chars=1000,
        tasks=9,
        seconds=1.5,
    )
    assert from_arguments(build_parser().parse_args(["run", "tests", "-o", "y"])) == Limits()


# ------------------------------------------------------------------ review page
def test_review_segments_of_overlapping_spans() -> None:
    """The page's pieces: each cut at span boundaries, with the tasks covering it and the
    class of the kind a reader sees first (deadline, unit, coordinator, action)."""
    from extractor.review import _segments

    text = "Giao Sở A và Sở B làm X trước ngày 1/1."
    tasks = [
        {
            "id": "T1",
            "spans": {"units": [{"start": 5, "end": 9}], "action": {"start": 18, "end": 39}},
            "deadline": {"start": 24, "end": 39},
        },
        {
            "id": "T2",
            "spans": {"units": [{"start": 13, "end": 17}], "action": {"start": 18, "end": 23}},
            "deadline": None,
        },
        {"id": "T10", "spans": {"coordinators": [{"start": 5, "end": 9}]}, "deadline": None},
    ]
    got = [(s["text"], s["classes"], s["tasks"]) for s in _segments(text, tasks)]
    assert got == [
        ("Giao ", "", ""),
        ("Sở A", "hl-unit", "T1 T10"),
        (" và ", "", ""),
        ("Sở B", "hl-unit", "T2"),
        (" ", "", ""),
        ("làm X", "hl-action", "T1 T2"),
        (" ", "hl-action", "T1"),
        ("trước ngày 1/1.", "hl-deadline", "T1"),
    ]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("show", "cannot be read as task JSON (maximum recursion depth exceeded"),
        ("review", "cannot be reviewed (its values are nested too deeply to be a task JSON)."),
        ("validate", "cannot be read as JSON (its values are nested too deeply to be a task"),
    ],
)
def test_deeply_nested_json_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, message: str
) -> None:
    from extractor.cli import main

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert main([command, str(deep)]) == 1
    captured = capsys.readouterr()
    assert f"{deep}: {message}" in captured.out + captured.err
    assert "Traceback" not in captured.err


def test_extract_of_a_device_or_a_huge_file_reads_nothing(tmp_path: Path) -> None:
    """The Python API reads files as the batch does: refused before reading."""
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:
        fh.truncate(100 * 2**20)
    with pytest.raises(InputError, match=r"/dev/zero: is not a regular file"):
        extract(Path("/dev/zero"))
    with pytest.raises(InputError, match=r"huge.pdf: has 100.0 MB, over the limit of 64 MB"):
        extract(huge)
