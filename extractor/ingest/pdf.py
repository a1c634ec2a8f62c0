"""PDF: the text layer in reading order, checked before it is trusted.

Characters and their boxes come from PDFium (pypdfium2, Apache/BSD: about pdftotext's speed,
where pdfplumber took 30 times as long); pdfplumber is asked only for the tables of a page
that has ruled lines. Lines are built from the characters; a two-column header block is read
column by column, tables become "cell | cell" rows, running headers, footers and page numbers
go, and the lines of a paragraph are joined (`lines.runs_on`). A page whose text layer is
missing, only a signature stamp over a page image, or not Vietnamese (`quality`) is read by
OCR instead, and `Reading.ocr_pages` says which and why.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..limits import check_ocr_pages, check_pdf_pages
from .lines import Extracted, Line, Reading, Word, page_lines, paragraphs
from .ocr import ocr_image
from .quality import quality

__all__ = ["OCR_DPI", "read_pdf"]

OCR_DPI = 300
MIN_CHARS = 20  # a page with fewer characters has no text layer
STAMP_WORDS = 80  # a page image under fewer words: the text layer is a signature stamp
IMAGE_SHARE = 0.5  # of the page's area, covered by one image: a scan


def read_pdf(data: bytes, path: Path | str | None, *, ocr: bool = True) -> Reading:
    """Text of a PDF in reading order; pages the text layer fails go through OCR."""
    import pypdfium2 as pdfium

    start = data.find(b"%PDF", 0, 1024)  # some files carry junk bytes before the header
    try:
        pdf = pdfium.PdfDocument(data[start:] if start > 0 else data)
    except pdfium.PdfiumError as exc:
        raise InputError(path, f"is not a readable PDF ({exc}).", "Save it again as PDF.") from exc
    lines: list[tuple[str, bool, str]] = []
    ocr_pages: list[tuple[int, str]] = []
    plumber: Any = None
    try:
        check_pdf_pages(len(pdf), path)
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            words = _words(page)
            reason = _ocr_reason(page, words) if ocr else None
            if reason:
                ocr_pages.append((number, reason))
                check_ocr_pages(len(ocr_pages), path)
                page_lines = _ocr_page(page, path)
                where, unit = f"page {number} (OCR)", f"px at {OCR_DPI} dpi"
            else:
                tables: list[Any] = []
                if _ruled(page):
                    plumber = plumber or _plumber(data[max(start, 0) :])
                    tables = plumber.pages[number - 1].find_tables()
                page_lines = _page_lines(words, tables, page.get_width(), page.get_height())
                where, unit = f"page {number}", "pt"
            lines.extend(
                (t, full, f"{where}, {y:.0f} {unit} from the top") for t, full, y in page_lines
            )
    except InputError:
        raise
    except Exception as exc:  # a damaged file fails in many ways
        raise InputError(path, f"is not a readable PDF ({exc}).", "Save it again as PDF.") from exc
    finally:
        if plumber is not None:
            plumber.close()
        pdf.close()
    out = Extracted()
    for line, where in paragraphs(lines):
        out.add(line, where)
    return out.result(ocr_pages=tuple(ocr_pages))


def _plumber(data: bytes) -> Any:
    import pdfplumber

    return pdfplumber.open(io.BytesIO(data))


def _words(page: Any) -> list[Word]:
    """The page's words from its characters (PDFium's loose boxes, top-down coordinates):
    a word ends at a space, a jump back or down, or a gap wider than a quarter of its height."""
    textpage = page.get_textpage()
    height = page.get_height()
    n = textpage.count_chars()
    text = textpage.get_text_range(0, n) if n else ""
    chars = text if len(text) == n else [textpage.get_text_range(i, 1) for i in range(n)]
    words: list[Word] = []
    cur: list[str] = []
    x0 = x1 = top = bottom = 0.0
    for i, ch in enumerate(chars):
        if ch.isspace() or not ch:
            if cur:
                words.append(Word(x0, x1, top, bottom, "".join(cur)))
                cur = []
            continue
        if cur and unicodedata.combining(ch[0]):
            cur.append(ch)
            continue
        left, low, right, high = textpage.get_charbox(i, loose=True)
        t, b = height - high, height - low
        size = max(b - t, 1.0)
        if cur and (left - x1 > size * 0.25 or left < x0 - 1 or abs(t - top) > size * 0.5):
            words.append(Word(x0, x1, top, bottom, "".join(cur)))
            cur = []
        if not cur:
            x0, top, bottom = left, t, b
        cur.append(ch)
        x1 = max(x1, right) if len(cur) > 1 else right
    if cur:
        words.append(Word(x0, x1, top, bottom, "".join(cur)))
    textpage.close()
    return words


def _objects(page: Any, kind: int) -> Iterator[tuple[float, float, float, float]]:
    for obj in page.get_objects(filter=[kind], max_depth=2):
        yield obj.get_bounds()


def _image_share(page: Any) -> float:
    """The largest share of the page one image covers."""
    import pypdfium2.raw as pdfium_c

    area = page.get_width() * page.get_height() or 1.0
    return max(
        ((r - x) * (t - b) / area for x, b, r, t in _objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE)),
        default=0.0,
    )


def _ruled(page: Any) -> bool:
    """Has the page ruled lines enough for a table (3 across and 3 down)?"""
    import pypdfium2.raw as pdfium_c

    across = down = 0
    for x, b, r, t in _objects(page, pdfium_c.FPDF_PAGEOBJ_PATH):
        w, h = r - x, t - b
        across += (w > 15 and h < 3) + 2 * (w > 15 and h > 8)
        down += (h > 8 and w < 3) + 2 * (w > 15 and h > 8)
        if across >= 3 and down >= 3:
            return True
    return False


def _ocr_reason(page: Any, words: list[Word]) -> str | None:
    """Why the page must be read from its image, or None when its text layer will do."""
    chars = sum(len(w.text) for w in words)
    if chars < MIN_CHARS:
        return "no text layer"
    if len(words) < STAMP_WORDS and _image_share(page) > IMAGE_SHARE:
        return f"the text layer holds only {len(words)} words over a page image"
    q = quality(" ".join(w.text for w in words))
    if not q.ok:
        return f"the text layer is not Vietnamese ({q.describe()})"
    return None


def _ocr_page(page: Any, path: Path | str | None) -> list[Line]:
    bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
    image = bitmap.to_pil()
    buf = io.BytesIO()
    image.save(buf, format="PPM")  # uncompressed: far faster to write than PNG
    return ocr_image(buf.getvalue(), path)


def _page_lines(words: list[Word], tables: list[Any], width: float, height: float) -> list[Line]:
    """Lines of one page's text layer in reading order: words inside a table and in the
    running header and footer bands go; tables become "cell | cell" lines (`page_lines`)."""
    boxes = [t.bbox for t in tables]

    def in_table(w: Word) -> bool:
        return any(
            x0 - 1 <= w.x0 and w.x1 <= x1 + 1 and top - 1 <= w.top and w.bottom <= bottom + 1
            for x0, top, x1, bottom in boxes
        )

    kept = [
        w for w in words if not in_table(w) and w.top >= height * 0.04 and w.bottom <= height * 0.96
    ]
    rendered = [
        (
            table.bbox[1],
            [
                (" | ".join(" ".join((c or "").split()) for c in row), False, table.bbox[1])
                for row in table.extract()
            ],
        )
        for table in tables
    ]
    return page_lines(_rows(kept), rendered, width, height)


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words in rows, top to bottom, each row left to right: a word joins the row whose first
    word's top is within half its height."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if rows and abs(w.top - rows[-1][0].top) <= (w.bottom - w.top) * 0.5:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(row, key=lambda w: w.x0) for row in rows]
