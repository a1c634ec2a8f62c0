"""Office and PDF notices to text: Word (.docx), PDF with a text layer, scans (OCR).

Each reader returns the text the rest of the pipeline reads, one paragraph, list item or table
row per line, and `locations`: (start, end, where) ranges of that text, so a span can be traced
to its paragraph or table cell (Word) or page (PDF). Word's automatic numbering is written out
("1.", "a)", "-") so that sections survive; table rows become "cell | cell" lines, which the
task-table reader understands.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import legacy
from .errors import InputError

__all__ = ["IMAGE_SUFFIXES", "Extracted", "read_docx", "read_image", "read_pdf"]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
Line = tuple[str, bool, float]  # text, runs on into the next line, distance from the page top


@dataclass
class Extracted:
    """Text built line by line, with where each line came from."""

    lines: list[str] = field(default_factory=list)
    wheres: list[str] = field(default_factory=list)

    def add(self, line: str, where: str) -> None:
        line = " ".join(line.split())
        if line:
            self.lines.append(line)
            self.wheres.append(where)

    def result(self) -> tuple[str, tuple[tuple[int, int, str], ...]]:
        locations, pos = [], 0
        for line, where in zip(self.lines, self.wheres, strict=True):
            locations.append((pos, pos + len(line), where))
            pos += len(line) + 1
        return "\n".join(self.lines), tuple(locations)


# ------------------------------------------------------------------ Word
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


def read_docx(data: bytes, path: Path | str | None) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    try:
        from docx import Document
    except ImportError as exc:  # pragma: no cover - a dependency
        raise InputError(path, "needs python-docx to be read.", "pip install python-docx") from exc
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
            out.add(text, f"paragraph {n_par}")
        elif child.tag == f"{W}tbl":
            n_tab += 1
            _table(Table(child, doc), n_tab, out)
    return out.result()


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


# ------------------------------------------------------------------ PDF
MARKER = re.compile(r"^(?:[IVX]{1,5}[.)]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-–•+]|Điều\s+\d+)\s")
PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?\s*$", re.IGNORECASE
)


def read_pdf(
    data: bytes, path: Path | str | None, *, ocr: bool = True
) -> tuple[str, tuple[tuple[int, int, str], ...]]:
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
                    lines = _ocr_page(data, number, path)
                    where, unit = f"page {number} (OCR)", "px at 300 dpi"
                else:
                    where, unit = f"page {number}", "pt"
                for line, y in _paragraphs(lines):
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
    items.extend((line[2], [line]) for line in _runs_on(body, right))
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


def _paragraphs(lines: list[Line]) -> list[tuple[str, float]]:
    """Join the lines of one paragraph: a line that ran to the right margin goes on in the
    next one, unless that one starts a list item; a word cut by a hyphen is mended."""
    out: list[str] = []
    ys: list[float] = []
    runs_on = False
    for line, full, y in lines:
        line = re.sub(r" (?=[\u0300-\u036f])", "", line)  # a mark split from its letter
        if (
            out
            and runs_on
            and " | " not in line
            and not MARKER.match(line)
            and not re.search(r"[.:;!?]$", out[-1])
        ):
            if out[-1].endswith("-") and line[:1].islower():
                out[-1] = out[-1][:-1] + line
            else:
                out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
            ys.append(y)
        runs_on = full
    return list(zip(out, ys, strict=True))


# ------------------------------------------------------------------ OCR
def _tesseract() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise InputError(
            None,
            "needs OCR, but Tesseract is not installed.",
            "Install the Debian packages tesseract-ocr and tesseract-ocr-vie.",
        )
    return exe


def _ocr_image(image: Path, path: Path | str | None) -> list[Line]:
    exe = _tesseract()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread a worker: far faster here
    done = subprocess.run(
        [exe, str(image), "stdout", "-l", "vie", "--psm", "4", "tsv"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        hint = (
            "Install tesseract-ocr-vie."
            if "vie" in done.stderr
            else "Check that the image is readable."
        )
        raise InputError(path, f"could not be read by OCR ({done.stderr.strip()[:200]}).", hint)
    return _tsv_lines(done.stdout)


def _tsv_lines(tsv: str) -> list[Line]:
    """Lines from Tesseract's word boxes; a line that reaches the right margin runs on."""
    lines: dict[tuple[int, ...], list[tuple[int, int, str, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        key = tuple(int(c) for c in cols[1:5])  # page, block, paragraph, line
        left, width = int(cols[6]), int(cols[8])
        lines.setdefault(key, []).append((left, left + width, cols[11], int(cols[7])))
    if not lines:
        return []
    ordered = [words for _, words in sorted(lines.items())]
    right = max(w[1] for words in ordered for w in words)
    return _runs_on(
        [(" ".join(w[2] for w in ws), ws[-1][1], ws[0][1] - ws[0][0], ws[0][3]) for ws in ordered],
        right,
    )


def _runs_on(lines: list[tuple[str, float, float, float]], right: float) -> list[Line]:
    """(text, end, first word width, y) per line -> (text, runs on, y): a line runs on into the
    next when the next line's first word would not have fitted in the room left at its end."""
    out = []
    for i, (text, end, _, y) in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        room = right - end
        out.append((text, nxt is not None and room < nxt[2] * 1.3 + (right * 0.01), y))
    return out


def _ocr_page(data: bytes, number: int, path: Path | str | None) -> list[Line]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise InputError(
            path,
            "has pages without text, which need OCR, but pdftoppm is missing.",
            "Install the Debian package poppler-utils.",
        )
    _tesseract()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "300",
                "-gray",
                "-png",
                "-f",
                str(number),
                "-l",
                str(number),
                str(pdf),
                str(Path(tmp) / "page"),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        image = next(Path(tmp).glob("page*.png"))
        return _ocr_image(image, path)


def read_image(
    data: bytes, path: Path | str | None
) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    suffix = Path(str(path or "x.png")).suffix or ".png"
    out = Extracted()
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / f"in{suffix}"
        image.write_bytes(data)
        try:
            lines = _ocr_image(image, path)
        except InputError as exc:
            raise InputError(path, exc.message.split(": ", 1)[-1]) from exc
    for line, y in _paragraphs(lines):
        out.add(line, f"image (OCR), {y:.0f} px from the top")
    return out.result()
