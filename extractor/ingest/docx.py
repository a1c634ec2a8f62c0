"""Word (.docx): paragraphs, automatic numbering written out ("1.", "a)", "-"), tables as
"cell | cell" rows, runs in the legacy .VnTime/VNI fonts converted; `locations` name the
paragraph or table row of each line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..limits import check_ocr_pages, check_unpacked
from . import legacy
from .lines import Extracted, Reading

__all__ = ["read_docx"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return "abcdeghiklmnopqrstuvxy"[(n - 1) % 22]  # the Vietnamese alphabet, no đ
    if fmt == "upperLetter":
        return "ABCDEGHIKLMNOPQRSTUVXY"[(n - 1) % 22]
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


class _Numbering:
    """Word's list numbering: numId -> abstract levels (format, text, start), with counters."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(f"{W}abstractNum"):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                txt = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                lv[int(lvl.get(f"{W}ilvl", "0"))] = (
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    txt.get(f"{W}val", "") if txt is not None else "",
                    int(start.get(f"{W}val", "1")) if start is not None else 1,
                )
            abstract[an.get(f"{W}abstractNumId", "")] = lv
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{W}numId", "")] = abstract.get(ref.get(f"{W}val", ""), {})

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        fmt, text, _ = levels[ilvl]
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt == "bullet" or not text:
            return "-"

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            f, _, start = levels.get(k, ("decimal", "", 1))
            value = max(counters[k], 1) + start - 1
            return _format_number(value, f)

        return re.sub(r"%(\d)", sub, text)


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, level) of a paragraph, from its own properties or its style's."""
    for holder in (paragraph._p.pPr, getattr(paragraph.style, "_element", None)):
        if holder is None:
            continue
        num = holder.find(f".//{W}numPr")
        if num is None:
            continue
        num_id = num.find(f"{W}numId")
        ilvl = num.find(f"{W}ilvl")
        if num_id is not None and num_id.get(f"{W}val") not in (None, "0"):
            return num_id.get(f"{W}val", ""), int(
                ilvl.get(f"{W}val", "0")
            ) if ilvl is not None else 0
    return None


def _run_text(paragraph: Any) -> str:
    """The paragraph's text, with runs in legacy fonts (.VnTime: TCVN3, .VnTimeH: TCVN3 in
    capitals, VNI-Times: VNI) converted to Unicode."""
    parts = []
    for run in paragraph.runs:
        text = run.text
        font = (run.font.name or getattr(paragraph.style.font, "name", None) or "").lower()
        if font.startswith(".vn"):
            text = legacy.from_tcvn3(text)
            if font.endswith("h"):  # .VnTimeH and kin: the capitals-only TCVN3 fonts
                text = text.upper()
        elif font.startswith("vni"):
            text = legacy.from_vni(text)
        parts.append(text)
    return "".join(parts) if paragraph.runs else paragraph.text


def read_docx(data: bytes, path: Path | str | None) -> Reading:
    try:
        from docx import Document
    except ImportError as exc:  # pragma: no cover - a dependency
        raise InputError(path, "needs python-docx to be read.", "pip install python-docx") from exc
    check_unpacked(data, path)  # a zip bomb is refused before python-docx inflates it
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise InputError(
            path, f"is not a readable Word file ({exc}).", "Save it again as .docx."
        ) from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering(doc)
    out = Extracted()
    header: list[tuple[str, str, str]] | None = []  # None once the header block is over
    n_par = n_tab = 0
    for child in doc.element.body.iterchildren():
        if child.tag == f"{W}p":
            n_par += 1
            par = Paragraph(child, doc)
            text = _run_text(par)
            pr = _num_pr(par)
            if pr and text.strip():
                label = numbering.label(*pr)
                text = f"{label} {text}" if label else text
            if header is not None and text.strip():
                columns = TAB_COLUMNS.match(text.strip(" "))
                if columns and n_par <= HEADER_PARAGRAPHS:
                    header.append((columns.group(1), columns.group(2), f"paragraph {n_par}"))
                    continue
                _flush_header(header, out)
                header = None
            for line in text.split("\n"):  # a line break (Shift+Enter) ends a line
                out.add(line, f"paragraph {n_par}")
        elif child.tag == f"{W}tbl":
            _flush_header(header or [], out)
            header = None
            n_tab += 1
            _table(Table(child, doc), n_tab, out)
    _flush_header(header or [], out)
    if not out.lines:
        return _page_images(doc, path)
    return out.result()


BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def _page_images(doc: Any, path: Path | str | None) -> Reading:
    """A Word file holding only pictures (pages scanned and pasted in): each read by OCR, in
    the order the document shows them."""
    from .lines import paragraphs
    from .ocr import ocr_image

    lines: list[tuple[str, bool, str]] = []
    pages: list[tuple[int, str]] = []
    for blip in doc.element.body.iter(BLIP):
        part = doc.part.related_parts.get(blip.get(EMBED, ""))
        if part is None or not part.content_type.startswith("image/"):
            continue
        pages.append((len(pages) + 1, "the Word file holds this page only as a picture"))
        check_ocr_pages(len(pages), path)
        where = f"picture {len(pages)} (OCR)"
        lines.extend(
            (t, full, f"{where}, {y:.0f} px from the top")
            for t, full, y in ocr_image(part.blob, path)
        )
    out = Extracted()
    for line, where in paragraphs(lines):
        out.add(line, where)
    return out.result(ocr_pages=tuple(pages))


# "ỦY BAN NHÂN DÂN<tab>CỘNG HÒA XÃ HỘI …": the header's two columns set apart by tab stops
TAB_COLUMNS = re.compile(r"^([^\t]*\S)\t+\s*(\S[^\t]*)$")
HEADER_PARAGRAPHS = 8  # the header block is within a notice's first paragraphs


def _flush_header(header: list[tuple[str, str, str]], out: Extracted) -> None:
    """The header block typed with tab stops, read column by column as its table form is
    (issuer, its line, number | national name, motto, place and date)."""
    for k in (0, 1):
        for left_right_where in header:
            out.add(left_right_where[k], left_right_where[2])


def _table(table: Any, n: int, out: Extracted) -> None:
    rows = table.rows
    width = max((len(r.cells) for r in rows), default=0)
    if width <= 2 and n == 1:
        # the header block of a notice (issuer | national name): each column, line by line
        for col in range(width):
            for r, row in enumerate(rows, 1):
                cell = row.cells[col]
                for p in cell.paragraphs:
                    out.add(_run_text(p), f"table {n} row {r} cell {col + 1}")
        return
    for r, row in enumerate(rows, 1):
        seen: list[Any] = []
        texts = []
        for cell in row.cells:
            if any(cell._tc is s for s in seen):  # a merged cell repeats: keep it once
                continue
            seen.append(cell._tc)
            texts.append(" ".join(_run_text(p) for p in cell.paragraphs).strip())
        out.add(" | ".join(texts), f"table {n} row {r}")
