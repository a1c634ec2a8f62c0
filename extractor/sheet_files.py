"""The office formats of a sheet or tracker (`sheets.Document`): XLSX (openpyxl), DOCX
(python-docx) and PDF (WeasyPrint, from the same HTML as the HTML sheet).

XLSX: typed dates (dd/mm/yyyy), an autofilter, the header row frozen and printed on every page,
column widths from the content, A4 landscape fitted to the width, page numbers in the footer,
sheet names with their diacritics; a cell a spreadsheet would read as a formula is a string
with Excel's quote prefix (`safe_cells`). DOCX: the header block with the national name and
motto in bold, a header row repeated on every page, page numbers from page 2 (Decree
30/2020), the signature block and "Nơi nhận".
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import ExtractorError
from .office import decree_date, dmy
from .safe_cells import clean_text, is_formula_like

if TYPE_CHECKING:
    from .sheets import Document

__all__ = [
    "FormatUnavailable",
    "check_format",
    "docx",
    "number",
    "pdf",
    "printed",
    "tables",
    "xlsx",
]

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "Times New Roman"
PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation"


class FormatUnavailable(ExtractorError):
    """An output format whose library cannot be loaded here."""

    code = "E310"


def check_format(fmt: str) -> None:
    """Fail before anything is written if `fmt` cannot be made on this machine."""
    if fmt == "pdf":
        _weasyprint()


def _weasyprint() -> Any:
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: Debian's pango is missing
        raise FormatUnavailable(
            f"PDF output needs WeasyPrint and Debian's pango ({exc}): run "
            f"`apt-get install {PDF_PACKAGES}` and `pip install weasyprint`, or leave out pdf."
        ) from exc
    return weasyprint


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The sheets need nothing outside their HTML: never fetch a file or URL."""
    raise ValueError(f"not fetched: {url}")


def pdf(html: str) -> bytes:
    data: bytes = _weasyprint().HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return data


def _cell_text(value: Any) -> str:
    return dmy(value) if isinstance(value, date) else clean_text(str(value))


def printed(header: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[str]]]:
    """A table as the printed sheet shows it: a unit's task table in five columns (the notice,
    its date and section in one; the other units under the task), cells as text."""
    from .sheets import SHEET_HEADER

    if header[:5] != SHEET_HEADER[:5]:
        return header, [[_cell_text(c) for c in r] for r in rows]
    others = "Đơn vị" if header[5] != SHEET_HEADER[5] else "Cùng thực hiện"
    out = []
    for tt, number, when, section, action, with_, due, source in rows:
        notice = "\n".join(x for x in (number, _cell_text(when), section and f"mục {section}") if x)
        task = f"{action}\n{others}: {with_}" if with_ else action
        out.append([str(tt), notice, task, _cell_text(due), _cell_text(source)])
    return ["TT", "Văn bản", "Nội dung nhiệm vụ", "Thời hạn", "Trích văn bản"], out


# ------------------------------------------------------------------ XLSX
def _put(ws: Any, row: int, col: int, value: Any, font: Any, **style: Any) -> Any:
    if isinstance(value, str):
        value = clean_text(value)
    cell = ws.cell(row, col, value)
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
    if isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    cell.font = font
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _xlsx_head(ws: Any, doc: Document, width: int, bold: Any, plain: Any) -> int:
    from openpyxl.styles import Alignment, Font

    center = Alignment(horizontal="center", vertical="top", wrap_text=True)
    p = doc.profile
    split = max(2, min(3, width - 2))
    left = [(p.superior.upper(), plain), (p.office.upper(), bold), (number(doc), plain)]
    italic = Font(name=FONT, size=13, italic=True)
    right = [
        (NATION, bold),
        (MOTTO, bold),
        (f"{p.place or '........'}, {decree_date(doc.date)}", italic),
    ]
    for i, ((ltext, lfont), (rtext, rfont)) in enumerate(zip(left, right, strict=True), 1):
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=split)
        ws.merge_cells(start_row=i, start_column=split + 1, end_row=i, end_column=width)
        _put(ws, i, 1, ltext, lfont, alignment=center)
        _put(ws, i, split + 1, rtext, rfont, alignment=center)
    for i, text in ((5, doc.title), (6, doc.subtitle)):
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        _put(ws, i, 1, text, Font(name=FONT, size=14, bold=True), alignment=center)
    return 8


def number(doc: Document) -> str:
    prefix = doc.profile.number_prefix
    return f"Số: ......./{prefix}" if prefix else "Số: ......."


def tables(doc: Document) -> list[tuple[str, list[str], list[list[Any]]]]:
    """A unit's two parts as one table with a "Vai trò" column; the tracker's as they are."""
    first = doc.parts[0][1]
    if len(doc.parts) == 2 and doc.parts[1][1] == first:
        roles = ("chủ trì", "phối hợp")
        rows = [[role, *r] for role, (_, _, p) in zip(roles, doc.parts, strict=True) for r in p]
        return [("Nhiệm vụ", ["Vai trò", *first], rows)]
    return list(doc.parts)


def xlsx(doc: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    bold = Font(name=FONT, bold=True, size=12)
    plain = Font(name=FONT, size=12)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    head = Alignment(horizontal="center", wrap_text=True)
    wb = Workbook()
    wb.remove(wb.active)
    parts = tables(doc)
    for title, header, rows in parts:
        ws = wb.create_sheet(title)
        top = _xlsx_head(ws, doc, len(header), bold, plain)
        for col, name in enumerate(header, 1):
            _put(ws, top, col, name, bold, border=box, alignment=head)
        for i, row in enumerate(rows, top + 1):
            for col, value in enumerate(row, 1):
                _put(ws, i, col, value, plain, border=box, alignment=wrap)
        for col, name in enumerate(header, 1):
            longest = max([len(name), *(len(_cell_text(r[col - 1])) for r in rows)])
            ws.column_dimensions[get_column_letter(col)].width = max(6, min(60, longest + 2))
        last = get_column_letter(len(header))
        ws.auto_filter.ref = f"A{top}:{last}{top + max(len(rows), 1)}"
        ws.freeze_panes = f"A{top + 1}"
        ws.print_title_rows = f"{top}:{top}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddFooter.center.text = "Trang &P/&N"
    wb.active = len(parts) - 1  # the task table
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ DOCX
def _field(run: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _no_borders(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _lines(cell: Any, lines: list[tuple[str, dict[str, Any]]], align: Any) -> None:
    from docx.shared import Pt

    for i, (text, fmt) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(clean_text(text))
        run.bold = fmt.get("bold", False)
        run.italic = fmt.get("italic", False)
        run.underline = fmt.get("underline", False)
        run.font.size = Pt(fmt.get("size", 13))


def docx(doc: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    center = WD_ALIGN_PARAGRAPH.CENTER
    out = Docx()
    style = out.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    section = out.sections[0]
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.different_first_page_header_footer = True  # numbers from page 2
    page_no = section.header.paragraphs[0]
    page_no.alignment = center
    _field(page_no.add_run(), "PAGE")

    p = doc.profile
    head = out.add_table(rows=1, cols=2)
    _no_borders(head)
    left, right = head.rows[0].cells
    left.width, right.width = Mm(65), Mm(100)
    _lines(
        left,
        [
            (p.superior.upper(), {"size": 12}),
            (p.office.upper(), {"bold": True, "size": 12}),
            (number(doc), {}),
        ],
        center,
    )
    place = f"{p.place or '........'}, {decree_date(doc.date)}"
    _lines(
        right,
        [
            (NATION, {"bold": True, "size": 12}),
            (MOTTO, {"bold": True, "underline": True}),
            (place, {"italic": True}),
        ],
        center,
    )
    for text, size in ((doc.title, 14), (doc.subtitle, 13)):
        para = out.add_paragraph()
        para.alignment = center
        run = para.add_run(clean_text(text))
        run.bold = True
        run.font.size = Pt(size)
    for part_title, part_header, part_rows in doc.parts:
        header, rows = printed(part_header, part_rows)
        count = f" ({len(rows)})" if doc.counted else ""
        out.add_paragraph().add_run(f"{part_title}{count}").bold = True
        table = out.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        _repeat_header(table.rows[0])
        for cell, name in zip(table.rows[0].cells, header, strict=True):
            _lines(cell, [(name, {"bold": True, "size": 12})], center)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                _lines(cell, [(line, {"size": 12}) for line in value.split("\n")], None)
    _docx_signature(out, doc)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _docx_signature(out: Any, doc: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    p = doc.profile
    out.add_paragraph()
    sign = out.add_table(rows=1, cols=2)
    _no_borders(sign)
    left, right = sign.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    _lines(
        left,
        [("Nơi nhận:", {"bold": True, "italic": True, "size": 12})]
        + [(f"- {r}", {"size": 11}) for r in doc.recipients],
        WD_ALIGN_PARAGRAPH.LEFT,
    )
    signer = [(x.upper(), {"bold": True}) for x in (p.signer_for, p.signer_title) if x]
    signer += [("", {})] * 3 + [(p.signer_name, {"bold": True})]
    _lines(right, signer, WD_ALIGN_PARAGRAPH.CENTER)
