"""Golden sheets: every format of the sheets and tracker of two fixed task JSON fixtures (the
seed notice, and a plan with a task table), as {file name: bytes}.

The input is committed (tests/fixtures/sheets-*/), not extracted afresh, so extraction changes
do not churn these goldens. Binary formats are compared through a text digest that holds what
a reader sees (cells and their types, filter, frozen panes, print set-up; paragraphs, bold,
repeated header rows; the PDF's text from pdftotext). `python -m tests.sheet_goldens`
rewrites tests/golden/seed-sheets/ (review the diff).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

from extractor.office import OfficeProfile
from extractor.rules import cached_rules
from extractor.sheets import SheetOptions, gather, write_sheets
from extractor.tracker import write_tracker

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "seed-sheets"
INPUTS = {"": FIXTURES / "sheets-seed", "plan-": FIXTURES / "sheets-plan"}
PROFILE = OfficeProfile(
    superior="Ủy ban nhân dân huyện Châu Thành",
    office="Văn phòng HĐND và UBND huyện",
    place="Châu Thành",
    number_prefix="PGNV-VP",
    signer_for="KT. Chánh Văn phòng",
    signer_title="Phó Chánh Văn phòng",
    signer_name="Nguyễn Văn An",
    recipients=["Lãnh đạo UBND huyện", "Lưu: VT"],
)
OPTIONS = SheetOptions(date=date(2020, 8, 10), profile=PROFILE)
AS_OF = date(2020, 9, 1)
TEXT_FORMATS = ["html", "md", "csv"]
OFFICE_FORMATS = ["xlsx", "docx"]


def pdf_ready() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return shutil.which("pdftotext") is not None


def formats() -> list[str]:
    return TEXT_FORMATS + OFFICE_FORMATS + (["pdf"] if pdf_ready() else [])


def xlsx_digest(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out = [f"active: {wb.active.title}"]
    for ws in wb.worksheets:
        setup = ws.page_setup
        out += [
            f"== {ws.title}: freeze {ws.freeze_panes}, filter {ws.auto_filter.ref}, "
            f"print titles {ws.print_title_rows}, {setup.orientation}, paper {setup.paperSize}",
            "widths "
            + " ".join(f"{k}={v.width:g}" for k, v in sorted(ws.column_dimensions.items())),
        ]
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                if isinstance(c.value, datetime):
                    out.append(f"{c.coordinate} date {c.value.date()} {c.number_format}")
                else:
                    quote = " quoted" if c.quotePrefix else ""
                    out.append(f"{c.coordinate} {c.data_type}{quote} {c.value!r}")
    return "\n".join(out) + "\n"


def docx_digest(path: Path) -> str:
    from docx import Document
    from docx.text.paragraph import Paragraph

    doc = Document(str(path))
    section = doc.sections[0]
    numbered = "PAGE" in section.header._element.xml
    out = [
        f"page {section.page_width.mm:.0f}x{section.page_height.mm:.0f} mm, "
        f"page numbers in the header: {numbered}, not on page 1: "
        f"{section.different_first_page_header_footer}"
    ]

    def para(p: object) -> str:
        return "".join(f"**{r.text}**" if r.bold and r.text else r.text for r in p.runs)  # type: ignore[attr-defined]

    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = para(Paragraph(block, doc._body))
            if text:
                out.append(f"P {text}")
        elif tag == "tbl":
            table = next(t for t in doc.tables if t._tbl is block)
            for i, row in enumerate(table.rows):
                repeat = " (repeated)" if "tblHeader" in row._tr.xml else ""
                cells = [" / ".join(para(p) for p in c.paragraphs) for c in row.cells]
                out.append(f"R{i}{repeat} | " + " | ".join(cells))
    return "\n".join(out) + "\n"


def pdf_digest(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    pages = [p for p in done.stdout.split("\f") if p.strip()]
    return "".join(
        f"=== page {i} ===\n" + "\n".join(line.rstrip() for line in page.splitlines()) + "\n"
        for i, page in enumerate(pages, 1)
    )


DIGESTS = {".xlsx": xlsx_digest, ".docx": docx_digest, ".pdf": pdf_digest}


def render(work: Path, chosen: list[str] | None = None) -> dict[str, bytes]:
    """{golden file name: bytes} of every sheet and tracker of both fixtures."""
    chosen = chosen or formats()
    produced: dict[str, bytes] = {}
    for prefix, folder in INPUTS.items():
        out = work / (prefix or "seed")
        rows = gather(folder, cached_rules()).rows
        write_sheets(rows, out, chosen, OPTIONS)
        write_tracker(rows, out, chosen, AS_OF, OPTIONS)
        for path in sorted(out.iterdir()):
            if path.name.startswith("."):
                continue  # the tool's mark on its output folder
            digest = DIGESTS.get(path.suffix)
            name = prefix + path.name + (".txt" if digest else "")
            produced[name] = digest(path).encode("utf-8") if digest else path.read_bytes()
    return produced


def main() -> None:
    if not pdf_ready():
        raise SystemExit("WeasyPrint (with Debian's pango) and pdftotext are needed here.")
    with tempfile.TemporaryDirectory() as work:
        produced = render(Path(work))  # all made before any golden is touched
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.iterdir():
        old.unlink()
    for name, data in produced.items():
        (GOLDEN / name).write_bytes(data)
    print(f"wrote {GOLDEN.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
