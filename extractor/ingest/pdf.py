"""PDF: the text layer in reading order (two-column header blocks, tables as "cell | cell"
rows, running headers and page numbers dropped); pages without text go through OCR.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import InputError
from .lines import PAGE_NUMBER, Extracted, Line, Reading, paragraphs, runs_on
from .ocr import ocr_pdf_page

__all__ = ["read_pdf"]


def read_pdf(data: bytes, path: Path | str | None, *, ocr: bool = True) -> Reading:
    """Text of a PDF in reading order; pages without a text layer go through OCR."""
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - a dependency
        raise InputError(path, "needs pdfplumber to be read.", "pip install pdfplumber") from exc
    out = Extracted()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                lines = _page_lines(page)
                if sum(len(line[0]) for line in lines) < 20 and ocr:
                    lines = ocr_pdf_page(data, number, path)
                    where, unit = f"page {number} (OCR)", "px at 300 dpi"
                else:
                    where, unit = f"page {number}", "pt"
                for line, y in paragraphs(lines):
                    out.add(line, f"{where}, {y:.0f} {unit} from the top")
    except InputError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise InputError(path, f"is not a readable PDF ({exc}).", "Save it again as PDF.") from exc
    return out.result()


def _page_lines(page: Any) -> list[Line]:
    """Lines of one page in reading order; a two-column header block is read column by
    column; tables become "cell | cell" lines; running headers, footers and page numbers go."""
    words = page.extract_words(use_text_flow=False, keep_blank_chars=False, x_tolerance=1.5)
    height, width = float(page.height), float(page.width)
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def in_table(w: dict[str, Any]) -> bool:
        return any(
            x0 - 1 <= w["x0"]
            and w["x1"] <= x1 + 1
            and top - 1 <= w["top"]
            and w["bottom"] <= bottom + 1
            for x0, top, x1, bottom in boxes
        )

    rows: dict[int, list[dict[str, Any]]] = {}
    for w in words:
        if in_table(w) or w["top"] < height * 0.04 or w["bottom"] > height * 0.96:
            continue
        rows.setdefault(round(w["top"] / 3), []).append(w)
    items: list[tuple[float, list[Line]]] = []
    right = max((w["x1"] for w in words), default=width)
    body: list[tuple[str, float, float, float]] = []
    header_left: list[Line] = []
    header_right: list[Line] = []
    header_top = None
    for key in sorted(rows):
        ws = sorted(rows[key], key=lambda w: w["x0"])
        gaps = [(ws[i + 1]["x0"] - ws[i]["x1"], i) for i in range(len(ws) - 1)]
        big = max(gaps, default=(0.0, -1))
        split = big[0] > width * 0.08 and ws[big[1]]["x1"] < width * 0.55 < ws[big[1] + 1]["x1"]
        top = ws[0]["top"]
        if split and (header_top is None or top - header_top < height * 0.3):
            header_top = header_top if header_top is not None else top
            header_left.append((" ".join(w["text"] for w in ws[: big[1] + 1]), False, top))
            header_right.append((" ".join(w["text"] for w in ws[big[1] + 1 :]), False, top))
            continue
        if header_top is None and ws[0]["x0"] > width * 0.5:
            header_right.append((" ".join(w["text"] for w in ws), False, top))
            header_top = top
            continue
        body.append((" ".join(w["text"] for w in ws), ws[-1]["x1"], ws[0]["x1"] - ws[0]["x0"], top))
    items.extend((line[2], [line]) for line in runs_on(body, right))
    if header_left or header_right:
        items.append((header_top or 0.0, [*header_left, *header_right]))
    for table in tables:
        rows_text = [
            (" | ".join(" ".join((c or "").split()) for c in row), False, table.bbox[1])
            for row in table.extract()
        ]
        items.append((table.bbox[1], rows_text))
    items.sort(key=lambda item: item[0])
    lines = [line for _, group in items for line in group]
    return [line for line in lines if not PAGE_NUMBER.match(line[0])]
