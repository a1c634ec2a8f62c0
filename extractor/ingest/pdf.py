"""PDF: the text layer in reading order, checked before it is trusted.

Characters and their boxes come from PDFium (pypdfium2, Apache/BSD: about pdftotext's speed,
where pdfplumber took 30 times as long); ruled tables are found by `tables`. Lines are built
from the characters; a two-column header block is read column by column, tables become
"cell | cell" rows, running headers, footers and page numbers go, and the lines of a paragraph
are joined (`lines.runs_on`). A page whose text layer is missing, only a signature stamp over
a page image, or not Vietnamese (`quality`) is read by
OCR instead, and `Reading.ocr_pages` says which and why.

Reading a PDF is three steps, each public so that its pages can be OCR'd elsewhere (one Dask
task a page, extractor/cluster.py): `ocr_plan` (which pages need OCR, the page limits
checked), `ocr_page` (one of them, rendered and read by Tesseract), and `read_pdf` (the text,
taking the pages' OCR lines when given and OCR'ing the others itself, as `--jobs` does).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import InputError, MissingTool
from ..limits import check_ocr_pages, check_pdf_pages
from .lines import Extracted, Line, Reading, Word, page_lines, paragraphs, rows_of
from .ocr import ocr_image
from .quality import quality
from .tables import Ruled, ruled_tables

__all__ = ["OCR_DPI", "Plan", "ocr_page", "ocr_plan", "read_pdf"]

OCR_DPI = 300
MIN_CHARS = 20  # a page with fewer characters has no text layer
STAMP_WORDS = 80  # a page image under fewer words: the text layer is a signature stamp
IMAGE_SHARE = 0.5  # of the page's area, covered by one image: a scan


Plan = tuple[tuple[int, str], ...]  # (page number from 1, why its text layer fails)


def ocr_plan(data: bytes, path: Path | str | None) -> Plan:
    """The pages of a PDF that are read by OCR, in page order, with why: the first step of
    `read_pdf`, alone, for a reader that OCRs pages elsewhere (one Dask task a page). Raises
    InputError for a PDF that cannot be read, LimitError past --max-pages or --max-ocr-pages."""
    with _opened(data, path) as pdf:
        return tuple((number, reason) for number, _, _, reason in _pages(pdf, path) if reason)


def ocr_page(data: bytes, number: int, path: Path | str | None) -> list[Line]:
    """The lines of page `number` (from 1) read by OCR: rendered at OCR_DPI and read by
    Tesseract, through the OCR cache. The lines `read_pdf` takes for that page."""
    with _opened(data, path) as pdf:
        return _ocr_page(pdf[number - 1], number, path)


def read_pdf(
    data: bytes,
    path: Path | str | None,
    *,
    ocr: bool = True,
    ocr_done: Mapping[int, list[Line]] | None = None,
) -> Reading:
    """Text of a PDF in reading order; the pages of `ocr_plan` are read by OCR (`ocr_page`),
    or taken from `ocr_done` (page number -> its `ocr_page` lines, read elsewhere)."""
    lines: list[tuple[str, bool, str]] = []
    with _opened(data, path) as pdf:
        pages = _pages(pdf, path, ocr=ocr)
        for number, page, words, reason in pages:
            if reason:
                done = (ocr_done or {}).get(number)
                page_lines = _ocr_page(page, number, path) if done is None else done
                where, unit = f"page {number} (OCR)", f"px at {OCR_DPI} dpi"
            else:
                tables = ruled_tables(page, words)
                page_lines = _page_lines(words, tables, page.get_width(), page.get_height())
                where, unit = f"page {number}", "pt"
            lines.extend(
                (t, full, f"{where}, {y:.0f} {unit} from the top") for t, full, y in page_lines
            )
    out = Extracted()
    for line, where in paragraphs(lines):
        out.add(line, where)
    return out.result(ocr_pages=tuple((n, r) for n, _, _, r in pages if r))


@contextmanager
def _opened(data: bytes, path: Path | str | None) -> Iterator[Any]:
    """The open PDF; whatever a damaged file raises while it is read becomes InputError."""
    import pypdfium2 as pdfium

    start = data.find(b"%PDF", 0, 1024)  # some files carry junk bytes before the header
    try:
        pdf = pdfium.PdfDocument(data[start:] if start > 0 else data)
    except pdfium.PdfiumError as exc:
        raise InputError(path, f"is not a readable PDF ({exc}).", "Save it again as PDF.") from exc
    try:
        yield pdf
    except InputError:
        raise
    except Exception as exc:  # a damaged file fails in many ways
        raise InputError(path, f"is not a readable PDF ({exc}).", "Save it again as PDF.") from exc
    finally:
        pdf.close()


def _pages(
    pdf: Any, path: Path | str | None, *, ocr: bool = True
) -> list[tuple[int, Any, list[Word], str | None]]:
    """Every page's number, words and why it needs OCR (None: its text layer will do), all
    before any page is OCR'd, so that the limits come first."""
    check_pdf_pages(len(pdf), path)
    pages, to_ocr = [], 0
    for number in range(1, len(pdf) + 1):
        page = pdf[number - 1]
        words = _words(page)
        reason = _ocr_reason(page, words) if ocr else None
        if reason:
            to_ocr += 1
            check_ocr_pages(to_ocr, path)
        pages.append((number, page, words, reason))
    return pages


TOKEN = re.compile(r"[^\s\x00]+")


def _words(page: Any) -> list[Word]:
    """The page's words (PDFium's loose character boxes, top-down coordinates): the text
    between spaces, split further where its characters leave a gap wider than a quarter of
    their height or jump back or down. Only a token wider than its letters can be is read
    character by character: two boxes a token keep the page near pdftotext's speed."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    height = page.get_height()
    n = textpage.count_chars()
    text = textpage.get_text_range(0, n) if n else ""
    if len(text) != n:  # characters beyond 16 bits: one at a time, to keep the indexes
        text = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(n))
    text = text.replace("\ufffe", "-")  # PDFium's mark for a hyphen that ends a line
    rect, raw, loose = pdfium_c.FS_RECTF(), textpage.raw, pdfium_c.FPDFText_GetLooseCharBox

    def box(i: int) -> tuple[float, float, float, float]:
        loose(raw, i, rect)
        return rect.left, height - rect.top, rect.right, height - rect.bottom

    words: list[Word] = []
    for m in TOKEN.finditer(text):
        first, last = m.start(), m.end() - 1
        while last > first and unicodedata.combining(text[last]):
            last -= 1
        x0, top, _, bottom = box(first)
        x1 = box(last)[2] if last > first else box(first)[2]
        size = max(bottom - top, 1.0)
        if x0 <= x1 <= x0 + (last - first + 1) * size * 0.8 + size * 0.25:
            words.append(Word(x0, x1, top, bottom, m.group()))
        else:
            words.extend(_split(text, first, m.end(), box))
    textpage.close()
    return words


def _split(
    text: str, start: int, end: int, box: Callable[[int], tuple[float, float, float, float]]
) -> list[Word]:
    """One token read character by character: a new word at a gap wider than a quarter of
    the height, or a jump back or down."""
    words: list[Word] = []
    cur: list[str] = []
    x0 = x1 = top = bottom = 0.0
    for i in range(start, end):
        ch = text[i]
        if cur and unicodedata.combining(ch):
            cur.append(ch)
            continue
        left, t, right, b = box(i)
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


def _ocr_reason(page: Any, words: list[Word]) -> str | None:
    """Why the page must be read from its image, or None when its text layer will do."""
    chars = sum(len(w.text) for w in words)
    if chars < MIN_CHARS:
        return "no text layer" if _image_share(page) > 0 else None  # else a blank page
    if len(words) < STAMP_WORDS and _image_share(page) > IMAGE_SHARE:
        return f"the text layer holds only {len(words)} words over a page image"
    q = quality(" ".join(w.text for w in words))
    if not q.ok:
        return f"the text layer is not Vietnamese ({q.describe()})"
    return None


def _ocr_page(page: Any, number: int, path: Path | str | None) -> list[Line]:
    """One page through OCR; an OCR failure names the page ("X: page 3 could not be read by
    OCR (...)"), a missing Tesseract does not (it is not the page's fault)."""

    def render() -> bytes:
        bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
        buf = io.BytesIO()
        bitmap.to_pil().save(buf, format="PPM")  # uncompressed: far faster to write than PNG
        return buf.getvalue()

    try:
        return ocr_image(render, path, source=_page_source(page))
    except MissingTool:
        raise
    except InputError as exc:
        where = f"{path}: " if path else ""
        problem = exc.message[len(where) :] if exc.message.startswith(where) else exc.message
        raise InputError(path, f"page {number} {problem}") from exc


def _page_source(page: Any) -> bytes:
    """What the page's rendering is made of: each object's kind and box, an image's stored
    bytes, a text object's text, and the rendering's size and resolution."""
    import pypdfium2.raw as pdfium_c

    parts = [f"{page.get_width()}x{page.get_height()}@{OCR_DPI}".encode()]
    for obj in page.get_objects(max_depth=2):
        parts.append(f"{obj.type}:{obj.get_bounds()}".encode())
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            parts.append(bytes(obj.get_data(decode_simple=False)))
    textpage = page.get_textpage()
    parts.append(textpage.get_text_range().encode())
    textpage.close()
    return b"\0".join(parts)


def _page_lines(words: list[Word], tables: list[Ruled], width: float, height: float) -> list[Line]:
    """Lines of one page's text layer in reading order: words inside a table and in the
    running header and footer bands go; tables become "cell | cell" lines (`page_lines`)."""

    def in_table(w: Word) -> bool:
        return any(
            x0 - 1 <= w.x0 and w.x1 <= x1 + 1 and top - 1 <= w.top and w.bottom <= bottom + 1
            for x0, top, x1, bottom in (t.bbox for t in tables)
        )

    kept = [
        w for w in words if not in_table(w) and w.top >= height * 0.04 and w.bottom <= height * 0.96
    ]
    rendered = [
        (
            table.bbox[1],
            [(" | ".join(c or "" for c in row), False, table.bbox[1]) for row in table.rows],
        )
        for table in tables
    ]
    return page_lines(rows_of(kept), rendered, width, height)
