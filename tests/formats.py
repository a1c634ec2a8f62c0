"""Build a notice in other formats for the tests: Word with real list numbering (python-docx),
a PDF with a text layer (reportlab, DejaVu Sans), and a scan of it (pdftoppm at 300 dpi, the
page images put back into a PDF without text). `python -m tests.formats DIR` writes them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*)$")
BULLET = re.compile(r"^-\s+(.*)$")


def to_docx(text: str) -> bytes:
    """Numbered lines become "List Number" paragraphs and dash lines "List Bullet" ones, so the
    numbers and dashes exist only as Word numbering, as in a real file."""
    from docx import Document

    doc = Document()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if m := NUMBERED.match(line):
            doc.add_paragraph(m.group(2), style="List Number")
        elif m := BULLET.match(line):
            doc.add_paragraph(m.group(1), style="List Bullet")
        else:
            doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def table_docx(header: list[str], rows: list[list[str]], before: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(before)
    table = doc.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


RAGGED = (0, 120, 40, 200, 80)  # points cut from the right of each paragraph in turn


def to_pdf(
    text: str, table: tuple[list[str], list[list[str]]] | None = None, *, ragged: bool = False
) -> bytes:
    """A4 pages, DejaVu Sans 11 pt, lines wrapped, page numbers in the footer. `ragged`: each
    paragraph is wrapped at its own width (RAGGED), so most lines end well short of the page's
    widest line, as in a notice typed ragged right or with indented blocks."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    style = ParagraphStyle("body", fontName="DejaVu", fontSize=11, leading=15, spaceAfter=6)
    story: list[object] = []
    for n, line in enumerate(line for line in text.splitlines() if line.strip()):
        para = style
        if ragged:
            para = ParagraphStyle(f"r{n}", parent=style, rightIndent=RAGGED[n % len(RAGGED)])
        story.append(Paragraph(line.strip().replace("&", "&amp;").replace("<", "&lt;"), para))
    if table:
        cell = ParagraphStyle("cell", fontName="DejaVu", fontSize=9, leading=11)
        data = [[Paragraph(c, cell) for c in row] for row in [table[0], *table[1]]]
        story.append(Table(data, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")]))

    def footer(canvas: object, doc: object) -> None:
        canvas.setFont("DejaVu", 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 20, str(doc.page))  # type: ignore[attr-defined]

    buf = io.BytesIO()
    SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=60, rightMargin=50, topMargin=50, bottomMargin=50
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def to_scan(pdf: bytes) -> bytes:
    """Each page rendered at 300 dpi and put back as an image: a PDF with no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-png", str(src), str(Path(tmp) / "p")],
            check=True,
            capture_output=True,
        )
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4)
        for page in sorted(Path(tmp).glob("p*.png")):
            c.drawImage(str(page), 0, 0, width=A4[0], height=A4[1])
            c.showPage()
        c.save()
        return buf.getvalue()


def to_doc(docx: bytes) -> bytes:
    """A Word 97-2003 file of the same document, written by LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(docx)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "doc",
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(tmp) / "in.doc").read_bytes()


def available() -> bool:
    return FONT.exists() and shutil.which("pdftoppm") is not None


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "samples"
    seed = (root / "samples" / "000.txt").read_text(encoding="utf-8")
    (out / "seed-word.docx").write_bytes(to_docx(seed))
    (out / "seed-text.pdf").write_bytes(to_pdf(seed))
    print(f"wrote {out}/seed-word.docx, seed-text.pdf")
