"""Review pages, corrections, assignment sheets, tracker: everything from the task JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from extractor import extract, notice_to_dict
from extractor.batch import BatchOptions, run_batch
from extractor.cli import main
from extractor.review import (
    CSV_COLUMNS,
    apply_csv,
    export_csv,
    needs_review,
    render_review,
    validate_file,
)
from extractor.rules import cached_rules
from extractor.sheets import SheetOptions, collect, write_sheets

from .browser import CHROMIUM, browser
from .conftest import ROOT

HOSTILE = (
    "Chủ tịch UBND tỉnh có ý kiến như sau: Giao Sở Y tế <script>alert('x')</script> "
    'kiểm tra "cơ sở" <img src=x onerror=alert(1)> & báo cáo trước ngày 15/9/2020.\n'
)


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The text and HTML samples (samples/formats/ needs OCR and LibreOffice: test_formats)."""
    out = tmp_path_factory.mktemp("out")
    samples = tuple(sorted(p for p in (ROOT / "samples").iterdir() if p.is_file()))
    opts = BatchOptions(paths=samples, out_dir=out, quiet=True, jobs=1, review=True)
    assert run_batch(opts) == 0
    assert (out / "000.review.html").exists()  # run --review writes the page beside the JSON
    return out


def test_review_escapes_hostile_text() -> None:
    data = notice_to_dict(extract(HOSTILE))
    html = render_review(data)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<script>") == 1  # the page's own, nothing from the notice


def test_review_highlights_every_task(outdir: Path) -> None:
    data = json.loads((outdir / "000.json").read_text(encoding="utf-8"))
    html = render_review(data)
    for t in data["tasks"]:
        assert f'id="row-{t["id"]}"' in html
    assert html.count('class="hl-unit"') >= 10 and html.count('class="hl-deadline"') >= 6
    # flagged tasks come first in the table
    rows = [line for line in html.splitlines() if 'class="task' in line]
    flagged = ["flagged" in r for r in rows]
    assert flagged == sorted(flagged, reverse=True)


def test_validate_reports_problems(outdir: Path, tmp_path: Path) -> None:
    good = outdir / "000.json"
    assert validate_file(good) == []
    data = json.loads(good.read_text(encoding="utf-8"))
    data["tasks"][0]["units"] = []
    data["tasks"][1]["deadline"]["date"] = "2020-02-31"
    data["tasks"][2]["id"] = data["tasks"][3]["id"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    problems = validate_file(bad)
    assert any("task T1: no unit" in p for p in problems)
    assert any("2020-02-31" in p and "not a real date" in p for p in problems)
    assert any("used twice" in p for p in problems)
    data["tasks"][0]["confidence"] = 7
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert any("tasks/0/confidence" in p for p in validate_file(bad))


def test_csv_correction_round_trip(outdir: Path, tmp_path: Path) -> None:
    work = tmp_path / "out"
    shutil.copytree(outdir, work)
    data = json.loads((work / "000.json").read_text(encoding="utf-8"))
    table = export_csv(data)
    assert table.startswith("\ufeff") and table.count("\n") == len(data["tasks"]) + 1
    csv_path = work / "000.tasks.csv"
    csv_path.write_text(
        table.replace("Bưu điện Huyện", "Bưu điện huyện Châu Thành"), encoding="utf-8"
    )
    assert main(["validate", str(csv_path)]) == 0
    assert main(["apply", str(csv_path)]) == 0
    fixed = json.loads((work / "000.json").read_text(encoding="utf-8"))
    assert fixed["reviewed"] is True
    assert ["Bưu điện huyện Châu Thành"] in [t["units"] for t in fixed["tasks"]]
    assert validate_file(work / "000.json") == []
    # a later run keeps the reviewed file; --force redoes it
    run_batch(BatchOptions(paths=(ROOT / "samples" / "000.txt",), out_dir=work, quiet=True))
    assert json.loads((work / "000.json").read_text(encoding="utf-8"))["reviewed"] is True
    run_batch(
        BatchOptions(paths=(ROOT / "samples" / "000.txt",), out_dir=work, quiet=True, force=True)
    )
    assert "reviewed" not in json.loads((work / "000.json").read_text(encoding="utf-8"))


def test_review_command(outdir: Path, tmp_path: Path) -> None:
    assert main(["review", str(outdir / "000.json"), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "000.review.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "000.tasks.csv").read_text("utf-8-sig").startswith("id,units,")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert main(["review", str(tmp_path / "bad.json")]) == 1


def test_bad_csv_is_reported(outdir: Path, tmp_path: Path) -> None:
    shutil.copy2(outdir / "000.json", tmp_path / "x.json")
    path = tmp_path / "x.tasks.csv"
    path.write_text(
        "id,units,coordinators,action,deadline_date,deadline_text,recurring,"
        "section,evidence\nT1,,,,2020-13-01,,,,\n",
        encoding="utf-8",
    )
    problems = validate_file(path)
    assert len(problems) == 3 and all("line 2 (task T1)" in p for p in problems)
    assert main(["apply", str(path)]) == 1
    (tmp_path / "x.json").unlink()
    assert validate_file(path) == [
        f"{path}: its task JSON {tmp_path / 'x.json'} does not exist; name it with --json."
    ]


def test_three_spellings_one_sheet(outdir: Path, tmp_path: Path) -> None:
    rows, spellings = collect(outdir, cached_rules())
    assert {
        "Phòng Văn hóa và Thông tin Huyện",
        "Phòng VH&TT",
        "Phòng Văn hóa - Thông tin huyện",
    } <= spellings["Phòng Văn hóa và Thông tin huyện"]
    written = write_sheets(rows, tmp_path, ["md"], SheetOptions())
    sheet = tmp_path / "phong-van-hoa-va-thong-tin-huyen.md"
    assert sheet in written["Phòng Văn hóa và Thông tin huyện"]
    text = sheet.read_text(encoding="utf-8")
    for number in ("49/TB-VPUBND", "12/KH-UBND", "1285/UBND-VX"):
        assert number in text
    sheets = [p for p in tmp_path.iterdir() if p.name != ".extractor-output"]  # the tool's mark
    assert all("/" not in p.name and not p.name.startswith(".") for p in sheets)


# The sheets' own tests (goldens, every format read back, the tracker): tests/test_sheets.py


@pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium: sudo apt-get install -y chromium"
)
def test_review_page_in_a_browser(outdir: Path, tmp_path: Path) -> None:
    page = outdir / "000.review.html"
    page.write_text(render_review(json.loads((outdir / "000.json").read_text("utf-8"))), "utf-8")
    dom = browser("--dump-dom", page, tmp_path)
    assert dom.count('class="hl-unit"') >= 10 and 'class="hl-deadline"' in dom
    assert 'id="row-T19"' in dom
    png = tmp_path / "review.png"
    browser(f"--screenshot={png}", page, tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000


# ------------------------------------------------------------------ the correction CSV
def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")


@pytest.fixture
def corrections(outdir: Path, tmp_path: Path) -> Path:
    """A copy of the seed's task JSON and review page, and its task CSV: 000.tasks.csv."""
    for name in ("000.json", "000.review.html"):
        shutil.copy2(outdir / name, tmp_path / name)
    data = json.loads((outdir / "000.json").read_text(encoding="utf-8"))
    (tmp_path / "000.tasks.csv").write_text(export_csv(data), encoding="utf-8")
    return tmp_path / "000.tasks.csv"


def _first_without_deadline(rows: list[dict[str, str]]) -> int:
    return next(i for i, r in enumerate(rows) if not r["deadline_date"] and not r["recurring"])


def _duplicate(rows: list[dict[str, str]]) -> None:
    rows[1]["id"] = rows[0]["id"]


def _unknown(rows: list[dict[str, str]]) -> None:
    rows[2]["id"] = "T99"


def _before_notice(rows: list[dict[str, str]]) -> None:
    rows[_first_without_deadline(rows)]["deadline_date"] = "01/08/2020"  # notice: 06/08/2020


def _not_a_day(rows: list[dict[str, str]]) -> None:
    rows[0]["deadline_date"] = "31/06/2025"


def _new_without_evidence(rows: list[dict[str, str]]) -> None:
    rows.append({**rows[0], "id": "", "evidence": "Giao Sở Tài chính bố trí kinh phí."})


BAD_CSV = [
    (_duplicate, "line 3 (task T1): the id is also on line 2; keep one row per task"),
    (_unknown, "line 4 (task T99): 000.json has no task T99; leave the id empty to add a task."),
    (_before_notice, "is before the notice date 06/08/2020; check it."),
    (_not_a_day, "(task T1): deadline date '31/06/2025' is not a real date."),
    (_new_without_evidence, "(new task): its evidence is not a passage of the notice;"),
]


@pytest.mark.parametrize(("spoil", "problem"), BAD_CSV, ids=[f.__name__ for f, _ in BAD_CSV])
def test_a_bad_csv_is_refused_and_changes_nothing(
    spoil: Callable[[list[dict[str, str]]], None],
    problem: str,
    corrections: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = _csv_rows(corrections)
    spoil(rows)
    _write_rows(corrections, rows)
    before = {p.name: p.read_bytes() for p in corrections.parent.iterdir()}
    problems = validate_file(corrections)
    assert len(problems) == 1 and problem in problems[0], problems
    assert problems[0].startswith(f"{corrections}: line ")
    assert main(["validate", str(corrections)]) == 1
    assert main(["apply", str(corrections)]) == 1
    assert "000.json: not changed; correct the CSV" in capsys.readouterr().out
    with pytest.raises(ValueError, match=re.escape(problem)):
        apply_csv(corrections)
    assert {p.name: p.read_bytes() for p in corrections.parent.iterdir()} == before


def test_day_month_year_dates_are_taken(corrections: Path) -> None:
    rows = _csv_rows(corrections)
    i = _first_without_deadline(rows)
    rows[i]["deadline_date"] = "15/06/2025"
    _write_rows(corrections, rows)
    assert validate_file(corrections) == []
    assert apply_csv(corrections).changed == 1
    task = json.loads((corrections.parent / "000.json").read_text("utf-8"))["tasks"][i]
    assert task["deadline"]["date"] == "2025-06-15" and task["deadline"]["text"] == "2025-06-15"
    assert "review.manual" in task["rules"]


def test_a_row_without_id_adds_a_task(outdir: Path, corrections: Path) -> None:
    data = json.loads((outdir / "000.json").read_text("utf-8"))
    passage = data["tasks"][0]["evidence"]["text"]
    rows = _csv_rows(corrections)
    rows.append(
        {
            **dict.fromkeys(CSV_COLUMNS, ""),
            "units": "Phòng Tài chính - Kế hoạch | Phòng Nội vụ",
            "action": "bố trí kinh phí số hóa hồ sơ",
            "deadline_date": "30/09/2020",
            "evidence": passage,
        }
    )
    _write_rows(corrections, rows)
    assert validate_file(corrections) == []
    assert main(["apply", str(corrections)]) == 0
    fixed = json.loads((corrections.parent / "000.json").read_text("utf-8"))
    assert len(fixed["tasks"]) == len(data["tasks"]) + 1
    assert fixed["tasks"][:-1] == data["tasks"]  # the other tasks as they were
    new = fixed["tasks"][-1]
    assert new["id"] == f"T{len(data['tasks']) + 1}"
    assert new["units"] == ["Phòng Tài chính - Kế hoạch", "Phòng Nội vụ"]
    assert new["deadline"]["date"] == "2020-09-30" and new["rules"] == ["review.manual"]
    ev = new["evidence"]
    assert fixed["text"][ev["start"] : ev["end"]] == passage
    assert new["flags"] == []
    assert validate_file(corrections.parent / "000.json") == []  # the schema holds
    assert validate_file(corrections) == [  # applied twice, it would add the task twice
        f"{corrections}: line {len(rows) + 1} (new task): 000.json has this task already, "
        f"as {new['id']}; write that id on the row."
    ]


def test_apply_refreshes_flags_and_the_review_page(
    corrections: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = corrections.parent / "000.review.html"
    rows = _csv_rows(corrections)
    old = json.loads((corrections.parent / "000.json").read_text("utf-8"))
    i = next(k for k, t in enumerate(old["tasks"]) if "unit_inherited" in t["flags"])
    rows[i]["units"] = "Phòng Nội vụ Huyện"  # a person states the unit
    _write_rows(corrections, rows)
    assert main(["apply", str(corrections)]) == 0
    said = capsys.readouterr().out
    assert "000.json: 1 tasks corrected, 0 added" in said and f"{page}: written again." in said
    data = json.loads((corrections.parent / "000.json").read_text("utf-8"))
    task = data["tasks"][i]
    assert task["flags"] == needs_review(task, date.fromisoformat(data["notice"]["date"]))
    assert "unit_inherited" not in task["flags"]
    assert page.read_text("utf-8") == render_review(data, "000.json")
    assert "Phòng Nội vụ Huyện" in page.read_text("utf-8")


def test_review_flags_are_extractions_flags(outdir: Path) -> None:
    """`needs_review` (what `apply` and the page compute from JSON) and extraction agree."""
    for path in sorted(outdir.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        notice_date = data["notice"]["date"] and date.fromisoformat(data["notice"]["date"])
        for t in data["tasks"]:
            assert needs_review(t, notice_date or None) == t["flags"], (path.name, t["id"])
