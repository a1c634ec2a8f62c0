"""Assignment sheets and tracker: goldens for every format on two fixed task JSON fixtures,
office files and PDFs read back, and the hostile cases of issue 13 (formula injection,
control characters, the year 9999, one bad notice, raw HTML in Markdown)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extractor.cli import main
from extractor.office import OfficeProfile, ProfileError, decree_date, dmy, load_profile
from extractor.review import export_csv
from extractor.rules import cached_rules
from extractor.safe_cells import neutralize, restore
from extractor.sheet_units import COLLECTIVE_SHEET
from extractor.sheets import SheetOptions, TaskRow, gather, write_sheets
from extractor.status import next_due, status_of
from extractor.tracker import write_tracker

from . import sheet_goldens as goldens

needs_pdf = pytest.mark.skipif(
    not goldens.pdf_ready(), reason="WeasyPrint with Debian's pango, or pdftotext, is missing"
)
ALL = ["html", "md", "csv", "xlsx", "docx"]


def notice(
    number: str | None,
    tasks: list[dict[str, Any]],
    *,
    issuer: str = "UBND huyện Châu Thành",
    day: str = "2020-08-06",
    name: str = "x",
) -> dict[str, Any]:
    """A minimal task JSON: each task a dict of units, coordinators, action, date, text,
    recurring (all optional but the action)."""
    out = []
    for i, t in enumerate(tasks, 1):
        out.append(
            {
                "id": f"T{i}",
                "section": "1",
                "units": t.get("units", ["Phòng Nội vụ"]),
                "coordinators": t.get("coordinators", []),
                "action": t["action"],
                "deadline": {
                    "date": t.get("date"),
                    "text": t.get("text", ""),
                    "recurring": t.get("recurring"),
                },
                "evidence": {"text": t.get("evidence", t["action"]), "start": 0, "end": 1},
            }
        )
    sha = hashlib.sha256(f"{name}{number}{tasks}".encode()).hexdigest()
    return {
        "source": {"path": f"{name}.txt", "sha256": sha},
        "notice": {"number": number, "date": day, "issuer": issuer},
        "text": "",
        "tasks": out,
    }


def folder(tmp_path: Path, *notices: dict[str, Any]) -> Path:
    out = tmp_path / "json"
    out.mkdir(exist_ok=True)
    for i, data in enumerate(notices):
        (out / f"n{i}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


# ------------------------------------------------------------------ goldens
@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    work = tmp_path_factory.mktemp("sheets")
    return work, goldens.render(work)


def test_golden_files_are_the_ones_made(rendered: tuple[Path, dict[str, bytes]]) -> None:
    expected = {p.name for p in goldens.GOLDEN.iterdir()}
    if not goldens.pdf_ready():
        expected = {n for n in expected if not n.endswith(".pdf.txt")}
    assert sorted(rendered[1]) == sorted(expected), "python -m tests.sheet_goldens, review"
    assert {
        n.rsplit(".", 2)[1] if n.endswith(".txt") else n.rsplit(".", 1)[1] for n in expected
    } >= {
        "html",
        "md",
        "csv",
        "ics",
        "xlsx",
        "docx",
    }


@pytest.mark.parametrize("name", sorted(p.name for p in goldens.GOLDEN.iterdir()))
def test_golden(name: str, rendered: tuple[Path, dict[str, bytes]]) -> None:
    if name.endswith(".pdf.txt") and not goldens.pdf_ready():
        pytest.skip("PDF needs WeasyPrint with pango and pdftotext")
    assert rendered[1][name] == (goldens.GOLDEN / name).read_bytes(), (
        f"{name} changed: review, then `python -m tests.sheet_goldens`"
    )


# ------------------------------------------------------------------ read back
def test_xlsx_has_dates_filter_frozen_header_and_print_setup(
    rendered: tuple[Path, dict[str, bytes]],
) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(rendered[0] / "seed" / "phong-noi-vu-huyen.xlsx")
    assert wb.sheetnames == ["Nhiệm vụ"]
    ws = wb.active
    assert [c.value for c in ws[8]][:4] == ["Vai trò", "TT", "Văn bản", "Ngày văn bản"]
    assert (ws.freeze_panes, ws.auto_filter.ref, ws.print_title_rows) == ("A9", "A8:I14", "$8:$8")
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)
    notice_dates = [ws.cell(r, 4) for r in range(9, 15)]
    assert all(c.is_date and c.number_format == "DD/MM/YYYY" for c in notice_dates)
    assert notice_dates[0].value.date() == date(2020, 8, 6)
    assert ws.column_dimensions["F"].width > ws.column_dimensions["B"].width
    tracker = load_workbook(rendered[0] / "seed" / "tracker.xlsx")
    assert tracker.sheetnames == ["Tổng hợp", "Nhiệm vụ"] and tracker.active.title == "Nhiệm vụ"


@needs_pdf
def test_pdf_holds_heading_every_task_and_signer(rendered: tuple[Path, dict[str, bytes]]) -> None:
    seed = rendered[0] / "seed"
    rows = gather(goldens.INPUTS[""], cached_rules()).rows
    for pdf in sorted(seed.glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "595.276 x 841.89 pts (A4)" in info or "841.89 x 595.276 pts (A4)" in info, pdf
    text = goldens.pdf_digest(seed / "tracker.pdf")
    assert re.search(r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text)  # one line
    flat = " ".join(text.split())
    for r in rows:
        assert " ".join(r.action.split()) in flat or _wrapped_in(r.action, text), r.action
    assert "Nguyễn Văn An" in text and "PHÓ CHÁNH VĂN PHÒNG" in text and "Nơi nhận:" in text
    pages = text.split("=== page ")[1:]
    assert len(pages) > 2 and pages[1].split("\n", 1)[1].lstrip().startswith("2")  # page 2
    assert not pages[0].split("\n", 1)[1].lstrip().startswith("1")  # no number on page 1
    tables = [p for p in pages if "Nội dung" in p]
    assert len(tables) > 1 and all("Tình" in p and "trạng" in p for p in tables)  # header row
    sheet = goldens.pdf_digest(seed / "phong-noi-vu-huyen.pdf")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in sheet and "Nguyễn Văn An" in sheet


def _wrapped_in(action: str, text: str) -> bool:
    """The action's words in order in the text (a table cell wraps it across lines)."""
    words = action.split()
    tokens = text.split()
    at = 0
    for w in words:
        try:
            at = tokens.index(w, at) + 1
        except ValueError:
            return False
    return True


def test_docx_bold_heading_repeated_header_and_page_numbers(
    rendered: tuple[Path, dict[str, bytes]],
) -> None:
    from docx import Document

    doc = Document(str(rendered[0] / "seed" / "phong-noi-vu-huyen.docx"))
    head = doc.tables[0].rows[0].cells[1].paragraphs
    assert [(p.text, all(r.bold for r in p.runs)) for p in head[:2]] == [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
        ("Độc lập - Tự do - Hạnh phúc", True),
    ]
    assert "w:tblHeader" in doc.tables[1].rows[0]._tr.xml
    assert "PAGE" in doc.sections[0].header._element.xml
    assert doc.sections[0].different_first_page_header_footer


@pytest.mark.parametrize("prefix", list(goldens.INPUTS))
def test_xlsx_and_docx_hold_every_task(prefix: str, tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    rows = gather(goldens.INPUTS[prefix], cached_rules()).rows
    written = write_sheets(rows, tmp_path, ["xlsx", "docx"], goldens.OPTIONS)
    for unit, paths in written.items():
        on_sheet = [r for r in rows if {unit, COLLECTIVE_SHEET} & {*r.units, *r.coordinators}]
        on_sheet = on_sheet or [r for r in rows if unit in (*r.units, *r.coordinators)]
        actions = {r.action for r in on_sheet}
        sheet = load_workbook(paths[0]).active
        assert actions <= {str(c.value) for row in sheet.iter_rows() for c in row}, unit
        cells = [c for t in Document(str(paths[1])).tables for row in t.rows for c in row.cells]
        assert actions <= {c.paragraphs[0].text for c in cells}, unit


@pytest.mark.parametrize(
    ("due", "soon_days", "status"),
    [
        (date(2020, 9, 8), 7, "sắp đến hạn"),
        (date(2020, 9, 12), 7, "còn hạn"),
        (date(2020, 9, 12), 14, "sắp đến hạn"),  # the register's configured window
        (date(2020, 8, 31), 14, "quá hạn"),
    ],
)
def test_tracker_due_soon_window(tmp_path: Path, due: date, soon_days: int, status: str) -> None:
    row = TaskRow(None, None, "x.json", "T1", None, ["Sở Y tế"], [], "a", due, None, "", "", "u")
    paths = write_tracker([row], tmp_path, ["csv"], date(2020, 9, 1), soon_days=soon_days)
    assert _csv_rows(paths[0].read_text("utf-8-sig"))[1][3] == status


def test_tracker_sorted_by_deadline_and_calendar_folded(tmp_path: Path) -> None:
    rows = gather(goldens.INPUTS[""], cached_rules()).rows
    paths = write_tracker(rows, tmp_path, ["csv"], date(2022, 7, 20))
    ics = paths[-1].read_bytes().decode("utf-8")  # its own CRLF line ends
    assert ics.count("BEGIN:VEVENT") == sum(1 for r in rows if r.due) == 7
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    dues = [row[1] for row in _csv_rows(paths[0].read_text("utf-8-sig"))[1:]]
    dated = [d for d in dues if re.fullmatch(r"\d\d/\d\d/\d{4}", d)]
    as_dates = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in dated]
    assert as_dates == sorted(as_dates) and dues[: len(dated)] == dated  # dated ones first


# ------------------------------------------------------------------ issue 13: 1, 4, 11
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example","bấm")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
]


def test_no_formula_reaches_csv_or_xlsx(tmp_path: Path) -> None:
    data = notice(
        "1/TB",
        [{"units": [c, "Phòng Nội vụ"], "action": c, "evidence": c} for c in HOSTILE_CELLS],
    )
    rows = gather(folder(tmp_path, data), cached_rules()).rows
    written = write_sheets(rows, tmp_path / "s", ["csv", "xlsx"], SheetOptions())
    paths = [*(p for ps in written.values() for p in ps)]
    paths += write_tracker(rows, tmp_path / "t", ["csv", "xlsx"], date(2020, 9, 1))
    for path in paths:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
            assert "<f>" not in xml and "<f " not in xml, path
            assert 'quotePrefix="1"' in xml
        else:
            assert not [c for c in _csv_cells(path.read_text("utf-8-sig")) if c[:1] in RISKY], path
    tracker = _csv_cells((tmp_path / "t" / "tracker.csv").read_text("utf-8-sig"))
    assert '\'=HYPERLINK("http://evil.example","bấm")' in tracker
    review = _csv_cells(export_csv(data).lstrip("\ufeff"))
    assert '\'=HYPERLINK("http://evil.example","bấm")' in review
    assert not [c for c in review if c[:1] in RISKY]


RISKY = ("=", "+", "-", "@", "\t", "\r")


def _csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text, newline="")))


def _csv_cells(text: str) -> list[str]:
    return [c for row in _csv_rows(text) for c in row]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Phòng Nội vụ", "Phòng Nội vụ"),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralize_rows(value: str, written: str) -> None:
    assert neutralize(value) == written
    assert restore(neutralize(value)) == value


def test_control_characters_do_not_break_the_reports(tmp_path: Path) -> None:
    bad = "kiểm tra\x00 hồ\x07 sơ\x1b[31m\x0b\x0c\x7f\x9f"
    data = notice("2/TB", [{"units": ["Phòng\x08 Tư pháp"], "action": bad, "evidence": bad}])
    rows = gather(folder(tmp_path, data), cached_rules()).rows
    assert rows[0].action == "kiểm tra hồ sơ[31m" and rows[0].units == ["Phòng Tư pháp"]
    written = write_sheets(rows, tmp_path / "s", ALL, SheetOptions(office="A\x01B"))
    assert [p.name for p in written["Phòng Tư pháp"]][-1] == "phong-tu-phap.docx"
    assert len(write_tracker(rows, tmp_path / "t", ALL, date(2020, 9, 1))) == 6


def test_year_9999_gives_a_tracker_and_a_calendar(tmp_path: Path) -> None:
    data = notice(
        "3/TB",
        [
            {"action": "lưu trữ", "date": "9999-12-31", "text": "31/12/9999"},
            {"action": "báo cáo", "date": "2020-09-10", "text": "10/9/2020"},
            {"action": "tổng hợp", "recurring": "monthly", "text": "trước ngày 20 hằng tháng"},
        ],
    )
    rows = gather(folder(tmp_path, data), cached_rules()).rows
    paths = write_tracker(rows, tmp_path, ALL, date(9999, 12, 31))
    ics = (tmp_path / "tracker.ics").read_text(encoding="utf-8")
    assert ics.count("BEGIN:VEVENT") == 2 and "DTSTART;VALUE=DATE:99991231" in ics
    event = ics.split("DTSTART;VALUE=DATE:99991231")[1].split("END:VEVENT")[0]
    assert "DTEND" not in event  # no 1/1/10000: one all-day event (RFC 5545)
    assert "DTEND;VALUE=DATE:20200911" in ics
    assert len(paths) == 6 and "31/12/9999" in (tmp_path / "tracker.md").read_text("utf-8")


def test_one_bad_notice_is_named_and_the_others_written(tmp_path: Path) -> None:
    good = notice("4/TB", [{"units": ["Phòng Tư pháp"], "action": "rà soát văn bản"}])
    broken = notice("5/TB", [{"action": "x"}])
    del broken["tasks"][0]["evidence"]
    odd_date = notice(
        "6/TB", [{"units": ["Phòng Tư pháp"], "action": "kiểm tra"}], day="2020-13-45"
    )
    odd_date["tasks"][0]["section"] = 7  # not text: left out, the task kept
    odd_date["tasks"][0]["deadline"]["recurring"] = ["monthly"]
    out = folder(tmp_path, good, broken, odd_date)
    (out / "n3.json").write_text("{not json", encoding="utf-8")
    found = gather(out, cached_rules())
    assert sorted(r.action for r in found.rows) == ["kiểm tra", "rà soát văn bản"]
    assert [name for name, _ in found.errors] == ["n1.json", "n3.json"]
    assert "KeyError" in found.errors[0][1] and "JSON" in found.errors[1][1]
    sheets = tmp_path / "sheets"
    code = main(["sheets", str(out), "-o", str(sheets), "--format", "md,xlsx"])
    assert code == 1 and "| 6/TB | 2020-13-45 |" in (sheets / "phong-tu-phap.md").read_text()
    code = main(["tracker", str(out), "--as-of", "2020-09-01", "-o", str(tmp_path / "t")])
    assert code == 1 and (tmp_path / "t" / "tracker.ics").exists()


def test_markdown_carries_no_raw_html(tmp_path: Path) -> None:
    evil = "<img src=x onerror=alert(1)> [bấm](javascript:alert(1)) <script>x</script>"
    data = notice("6/TB", [{"units": ["Sở Y tế <b>"], "action": evil, "evidence": evil}])
    rows = gather(folder(tmp_path, data), cached_rules()).rows
    write_sheets(rows, tmp_path, ["md", "html"], SheetOptions(office="<i>Văn phòng</i>"))
    write_tracker(rows, tmp_path, ["md", "html"], date(2020, 9, 1))
    for page in tmp_path.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<img" not in text and "<script>x" not in text and "&lt;img src=x" in text
    for md in tmp_path.glob("*.md"):
        text = md.read_text(encoding="utf-8")
        assert not re.search(r"<\s*[a-z/]", text, re.I), md
        assert "](" not in text.replace("\\](", "")  # no live link
    assert "&lt;img src=x onerror=alert(1)&gt;" in (tmp_path / "tracker.md").read_text("utf-8")


# ------------------------------------------------------------------ units
def test_case_and_area_word_spellings_share_one_sheet(tmp_path: Path) -> None:
    out = folder(
        tmp_path,
        notice("7/TB", [{"units": ["Phòng Tư pháp", "Phòng Y tế"], "action": "a"}], name="a"),
        notice("8/TB", [{"units": ["phòng tư Pháp", "Phòng Y tế huyện"], "action": "b"}], name="b"),
        notice(
            "9/TB",
            [
                {"units": ["Phòng Y tế huyện"], "action": "c"},
                {"units": ["Sở Y tế tỉnh"], "action": "d"},
            ],
            issuer="UBND tỉnh Tiền Giang",
            name="c",
        ),
    )
    found = gather(out, cached_rules())
    written = write_sheets(found.rows, tmp_path / "s", ["md"], SheetOptions())
    assert sorted(written) == ["Phòng Tư pháp", "Phòng Y tế huyện", "Sở Y tế tỉnh"]
    assert found.merged == {"Phòng Tư pháp": ["phòng tư Pháp"], "Phòng Y tế huyện": ["Phòng Y tế"]}
    assert (tmp_path / "s" / ".extractor-output").is_file()  # never read as notices
    assert sorted(p.name for p in (tmp_path / "s").glob("[!.]*")) == [
        "phong-tu-phap.md",
        "phong-y-te-huyen.md",
        "so-y-te-tinh.md",
    ]


def test_collective_addressees_share_one_sheet(tmp_path: Path) -> None:
    out = folder(
        tmp_path,
        notice(
            "10/TB",
            [
                {"units": ["Các cơ quan, đơn vị"], "action": "a"},
                {"units": ["các cơ quan, đơn vị"], "action": "b"},
                {
                    "units": ["Phòng Nội vụ"],
                    "coordinators": ["các sở, ngành liên quan"],
                    "action": "c",
                },
            ],
        ),
    )
    rows = gather(out, cached_rules()).rows
    written = write_sheets(rows, tmp_path / "s", ["md"], SheetOptions())
    assert sorted(written) == [COLLECTIVE_SHEET, "Phòng Nội vụ huyện"]
    sheet = (tmp_path / "s" / "cac-co-quan-don-vi-giao-chung.md").read_text("utf-8")
    assert "## Nhiệm vụ chủ trì (2)" in sheet and "## Nhiệm vụ phối hợp (1)" in sheet
    assert "| các sở, ngành liên quan; Phòng Nội vụ huyện |" in sheet
    assert "| các cơ quan, đơn vị |" in sheet and "| Các cơ quan, đơn vị |" in sheet


def test_units_in_vietnamese_order(tmp_path: Path) -> None:
    names = ["Bưu điện huyện", "Bộ Tài chính", "Đài Truyền thanh", "Ban Dân vận", "Ủy ban MTTQ"]
    out = folder(tmp_path, notice("11/TB", [{"units": [n], "action": n} for n in names]))
    found = gather(out, cached_rules())
    written = write_sheets(found.rows, tmp_path / "s", ["csv"], SheetOptions())
    assert list(written) == [
        "Ban Dân vận",
        "Bộ Tài chính",
        "Bưu điện huyện",
        "Đài Truyền thanh",
        "Ủy ban MTTQ",
    ]
    write_tracker(found.rows, tmp_path / "t", ["md"], date(2020, 9, 1))
    table = (tmp_path / "t" / "tracker.md").read_text("utf-8").split("## Nhiệm vụ")[0]
    assert [table.index(n) for n in written] == sorted(table.index(n) for n in written)


def test_one_notice_from_several_files_counts_once(tmp_path: Path) -> None:
    plan = json.loads((goldens.INPUTS["plan-"] / "kh-ha-tang-so.json").read_text("utf-8"))
    issuers = {
        "docx": plan["notice"]["issuer"],
        "pdf": plan["notice"]["issuer"].title(),  # case
        "html": plan["notice"]["issuer"] + " về",  # an OCR'd header that ran on
        "other": "UBND HUYỆN CÁI BÈ",  # another district's plan with the same number
    }
    copies = []
    for fmt, issuer in issuers.items():
        copy = json.loads(json.dumps(plan))
        copy["source"]["sha256"] = hashlib.sha256(fmt.encode()).hexdigest()
        copy["notice"]["issuer"] = issuer
        copies.append(copy)
    copies[2]["tasks"] = copies[2]["tasks"][:-1]  # one reading found a task fewer
    found = gather(folder(tmp_path, *copies), cached_rules())
    assert len(found.rows) == 2 * len(plan["tasks"]) == 12
    assert found.duplicates == [("n1.json", "n0.json"), ("n2.json", "n0.json")]


def test_table_row_source_shown_as_its_columns() -> None:
    rows = gather(goldens.INPUTS["plan-"], cached_rules()).rows
    row = next(r for r in rows if r.action.startswith("vận hành thử"))
    assert row.source_cells == [
        ("STT", "2"),
        ("Nhiệm vụ", "Vận hành thử hệ thống"),
        ("Cơ quan chủ trì", "Văn phòng HĐND và UBND huyện"),
        ("Cơ quan phối hợp", "Viễn thông Tiền Giang"),
        ("Thời gian hoàn thành", "30/7/2022"),
    ]
    assert row.source_label.startswith("STT: 2; Nhiệm vụ: Vận hành thử hệ thống; Cơ quan chủ trì:")
    sentence = next(r for r in rows if r.action.startswith("theo dõi"))
    assert sentence.source_cells == [] and sentence.source_label == sentence.evidence


# ------------------------------------------------------------------ dates and the tracker
@pytest.mark.parametrize(
    ("day", "line", "table"),
    [
        (date(2021, 1, 5), "ngày 05 tháng 01 năm 2021", "05/01/2021"),
        (date(2020, 8, 6), "ngày 06 tháng 8 năm 2020", "06/08/2020"),
        (date(2020, 2, 10), "ngày 10 tháng 02 năm 2020", "10/02/2020"),
        (date(2020, 3, 9), "ngày 09 tháng 3 năm 2020", "09/03/2020"),
        (date(2020, 12, 25), "ngày 25 tháng 12 năm 2020", "25/12/2020"),
        (date(9999, 12, 31), "ngày 31 tháng 12 năm 9999", "31/12/9999"),
        (None, "ngày ..... tháng ..... năm .......", ""),
    ],
)
def test_decree_30_dates(day: date | None, line: str, table: str) -> None:
    assert decree_date(day) == line
    assert dmy(day) == table


@pytest.mark.parametrize(
    ("freq", "text", "as_of", "due"),
    [
        ("monthly", "trước ngày 15 hằng tháng", date(2020, 9, 1), date(2020, 9, 15)),
        ("monthly", "trước ngày 15 hằng tháng", date(2020, 9, 16), date(2020, 10, 15)),
        ("monthly", "trước ngày 15 hằng tháng", date(2020, 12, 16), date(2021, 1, 15)),
        ("monthly", "trước ngày 31 hằng tháng", date(2021, 2, 1), date(2021, 2, 28)),
        ("monthly", "hằng tháng", date(2020, 9, 1), date(2020, 9, 30)),
        ("quarterly", "định kỳ hằng quý", date(2020, 9, 1), date(2020, 9, 30)),
        ("quarterly", "trước ngày 25 tháng cuối quý", date(2020, 9, 26), date(2020, 12, 25)),
        ("yearly", "trước ngày 15/12 hằng năm", date(2020, 12, 16), date(2021, 12, 15)),
        ("half-yearly", "trước ngày 05/6 và 05/12 hàng năm", date(2020, 7, 1), date(2020, 12, 5)),
        ("half-yearly", "định kỳ 6 tháng, năm", date(2020, 7, 1), date(2020, 12, 31)),
        ("weekly", "định kỳ hằng tuần", date(2020, 9, 1), date(2020, 9, 6)),
        ("daily", "hằng ngày", date(2020, 9, 1), date(2020, 9, 1)),
        ("monthly", "trước ngày 1 hằng tháng", date(9999, 12, 2), None),
    ],
)
def test_next_due(freq: str, text: str, as_of: date, due: date | None) -> None:
    assert next_due(freq, text, as_of) == due


@pytest.mark.parametrize(
    ("due", "recurring", "status"),
    [
        (date(2020, 8, 31), None, "overdue"),
        (date(2020, 9, 1), None, "due_soon"),
        (date(2020, 9, 8), None, "due_soon"),
        (date(2020, 9, 9), None, "open"),
        (date(9999, 12, 31), None, "open"),
        (None, "monthly", "recurring"),
        (None, None, "no_deadline"),
    ],
)
def test_status(due: date | None, recurring: str | None, status: str) -> None:
    as_of = date(2020, 9, 1)
    assert status_of(due=due, recurring=recurring, done_date=None, as_of=as_of) == status


def test_tracker_totals_and_next_due(rendered: tuple[Path, dict[str, bytes]]) -> None:
    text = (rendered[0] / "seed" / "tracker.md").read_text("utf-8")
    assert "| Tổng cộng | 4 | 0 | 3 | 0 | 12 | 19 |" in text
    data = notice(
        "12/TB", [{"action": "báo cáo", "recurring": "monthly", "text": "trước ngày 15 hằng tháng"}]
    )
    assert "| 15/09/2020 | định kỳ |" in _tracker_md(data)


def _tracker_md(data: dict[str, Any]) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "json"
        src.mkdir()
        (src / "a.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        write_tracker(gather(src, cached_rules()).rows, Path(tmp), ["md"], date(2020, 9, 1))
        return (Path(tmp) / "tracker.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the office profile
def test_profile_from_yaml_and_command_line(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(
        "office: Văn phòng UBND\nplace: Tân Phước\nsigner_title: Chánh Văn phòng\n"
        "signer_name: Lê Văn B\nrecipients: [Lưu VT]\n",
        encoding="utf-8",
    )
    profile = load_profile(path)
    assert profile == OfficeProfile(
        office="Văn phòng UBND",
        place="Tân Phước",
        signer_title="Chánh Văn phòng",
        signer_name="Lê Văn B",
        recipients=["Lưu VT"],
    )
    src = folder(tmp_path, notice("13/TB", [{"units": ["Phòng Tư pháp"], "action": "a"}]))
    out = tmp_path / "s"
    args = ["sheets", str(src), "-o", str(out), "--format", "md", "--profile", str(path)]
    assert main([*args, "--place", "Cái Bè", "--date", "2021-01-05"]) == 0
    md = (out / "phong-tu-phap.md").read_text("utf-8")
    assert "VĂN PHÒNG UBND" in md and "Cái Bè, ngày 05 tháng 01 năm 2021" in md


def test_bad_profile_says_which_keys_exist(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text("ofice: X\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"office.yaml: ofice: Extra inputs.*The keys are "):
        load_profile(path)
    src = folder(tmp_path, notice("14/TB", [{"action": "a"}]))
    assert main(["sheets", str(src), "-o", str(tmp_path / "s"), "--profile", str(path)]) == 2


def test_pdf_without_pango_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails, as without pango
    src = folder(tmp_path, notice("15/TB", [{"units": ["Phòng Tư pháp"], "action": "a"}]))
    out = tmp_path / "s"
    assert main(["sheets", str(src), "-o", str(out), "--format", "html,pdf"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "apt-get install libpango-1.0-0" in err, err
    assert not out.exists() or not list(out.iterdir())  # nothing half-written
