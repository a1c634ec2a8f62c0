"""Review pages, corrections, assignment sheets, tracker: everything from the task JSON."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from extractor import extract, notice_to_dict
from extractor.batch import BatchOptions, run_batch
from extractor.cli import main
from extractor.review import export_csv, render_review, validate_file
from extractor.rules import cached_rules
from extractor.sheets import (
    SheetOptions,
    TaskRow,
    collect,
    status_of,
    write_sheets,
    write_tracker,
)

from .browser import CHROMIUM, browser
from .conftest import ROOT
from .golden import SHEETS_GOLDEN, render_seed_sheets

HOSTILE = (
    "Chủ tịch UBND tỉnh có ý kiến như sau: Giao Sở Y tế <script>alert('x')</script> "
    'kiểm tra "cơ sở" <img src=x onerror=alert(1)> & báo cáo trước ngày 15/9/2020.\n'
)


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    opts = BatchOptions(paths=(ROOT / "samples",), out_dir=out, quiet=True, jobs=1, review=True)
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
    assert main(["review", str(tmp_path / "missing.json")]) == 1


def test_bad_csv_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.tasks.csv"
    path.write_text(
        "id,units,coordinators,action,deadline_date,deadline_text,recurring,"
        "section,evidence\nT1,,,,2020-13-01,,,,\n",
        encoding="utf-8",
    )
    problems = validate_file(path)
    assert len(problems) == 3 and all("line 2 (task T1)" in p for p in problems)
    assert main(["apply", str(path)]) == 1


def test_seed_sheets_golden(tmp_path: Path) -> None:
    produced = render_seed_sheets(tmp_path)
    expected = {p.name: p.read_bytes() for p in sorted(SHEETS_GOLDEN.iterdir())}
    assert sorted(produced) == sorted(expected), "run `make golden` after an intended change"
    for name, data in expected.items():
        assert produced[name] == data, f"{name} changed: review, then `make golden`"


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
    assert all("/" not in p.name and not p.name.startswith(".") for p in tmp_path.iterdir())


def test_xlsx_and_docx_hold_every_task(outdir: Path, tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    rows, _ = collect(outdir, cached_rules())
    written = write_sheets(rows, tmp_path, ["xlsx", "docx"], SheetOptions(office="UBND huyện"))
    for unit, paths in written.items():
        actions = {r.action for r in rows if unit in r.units or unit in r.coordinators}
        xlsx = next(p for p in paths if p.suffix == ".xlsx")
        cells = {str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row}
        assert actions <= cells, (unit, actions - cells)
        docx = next(p for p in paths if p.suffix == ".docx")
        texts = {c.text for t in Document(str(docx)).tables for row in t.rows for c in row.cells}
        assert actions <= texts, (unit, actions - texts)


@pytest.mark.parametrize(
    ("due", "recurring", "status"),
    [
        (date(2020, 8, 31), None, "overdue"),
        (date(2020, 9, 1), None, "due_soon"),
        (date(2020, 9, 8), None, "due_soon"),
        (date(2020, 9, 9), None, "open"),
        (None, "monthly", "recurring"),
        (None, None, "no_deadline"),
    ],
)
def test_status(due: date | None, recurring: str | None, status: str) -> None:
    row = TaskRow(None, None, "x.json", "T1", None, [], [], "a", due, recurring, "", "", "u")
    assert status_of(row, date(2020, 9, 1)) == status


def test_tracker_and_calendar(outdir: Path, tmp_path: Path) -> None:
    rows, _ = collect(outdir, cached_rules())
    paths = write_tracker(rows, tmp_path, ["csv"], date(2022, 7, 20))
    ics = next(p for p in paths if p.suffix == ".ics").read_bytes().decode("utf-8")
    assert ics.count("BEGIN:VEVENT") == sum(1 for r in rows if r.due)
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    table = next(p for p in paths if p.suffix == ".csv").read_text(encoding="utf-8-sig")
    dues = [line.split(",")[1] for line in table.splitlines()[1:]]
    dated = [d for d in dues if re.fullmatch(r"\d{4}-\d\d-\d\d", d)]  # not "6 tháng một lần"
    assert dated == sorted(dated) and dues.index(dated[-1]) < len(dated)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is missing (.ci/run installs it)")
def test_review_page_in_a_browser(outdir: Path, tmp_path: Path) -> None:
    page = outdir / "000.review.html"
    page.write_text(render_review(json.loads((outdir / "000.json").read_text("utf-8"))), "utf-8")
    dom = browser("--dump-dom", page, tmp_path)
    assert dom.count('class="hl-unit"') >= 10 and 'class="hl-deadline"' in dom
    assert 'id="row-T19"' in dom
    png = tmp_path / "review.png"
    browser(f"--screenshot={png}", page, tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000
