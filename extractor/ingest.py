"""Ingest: bytes of a .txt/.html file -> one canonical, normalized text with an offset map.

Decoding tries, in order: a BOM (UTF-8, UTF-16), strict UTF-8, BOM-less UTF-16, then
Windows-1258 (the legacy Vietnamese code page). HTML is read in one pass by lxml's parser:
scripts, styles and portal chrome are dropped; block elements, list items, table cells and <br>
become separate lines. The text is then normalized to NFC, with the old tone placement ("hoà", "Uỷ")
moved to the new one ("hòa", "Ủy") and odd spaces unified; `Document.offset_map` maps every
canonical offset back to the decoded source text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import legacy
from .errors import InputError
from .models import Document, Source

__all__ = ["decode", "html_to_text", "ingest_bytes", "ingest_path", "ingest_text", "normalize"]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
OFFICE_SUFFIXES = frozenset({".docx", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | OFFICE_SUFFIXES
Format = Literal["text", "html", "docx", "pdf", "image"]
MAX_BYTES = 10 * 1024 * 1024  # a notice is a few kB; a larger file is not one notice

# Portal chrome: tags never holding notice text, and class/id words marking navigation etc.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "footer",
        "aside",
        "form",
        "iframe",
        "button",
        "select",
        "option",
        "svg",
        "canvas",
        "video",
        "audio",
        "object",
        "embed",
        "head",
    }
)
CHROME = re.compile(
    r"(?:^|[\s_-])(?:breadcrumbs?|nav|navbar|menu|sidebar|share|social|sharing|comments?|"
    r"related|relate|tin-?khac|other-?news|footer|header-?top|pager|pagination|tags?|banner|"
    r"advert|ads|login|search|toolbar|print-?bar|rating)(?:$|[\s_-])",
    re.IGNORECASE,
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "center",
    ]
)

SPACES = {
    ord(c): " "
    for c in "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
}
ODD_SPACE = re.compile("[" + "".join(map(chr, SPACES)) + "]")
DROP_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
CLUSTER = re.compile(r"(?s)\r\n|.[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*")
# Old tone placement on open syllables: o+toned a/e, u+toned y (not after q: "quý" is right).
OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ])(?!\w)")
PAIRS = {"o": "ae", "u": "y"}


def _move_tone(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    decomposed = unicodedata.normalize("NFD", second)
    base, marks = decomposed[0], decomposed[1:]
    if base.lower() not in PAIRS[first.lower()]:
        return m.group(0)
    return unicodedata.normalize("NFC", first + marks) + base


def normalize(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """NFC, unified spaces and line ends, new-style tones. Returns (text, offset_map)."""
    text_t = text.translate(SPACES) if ODD_SPACE.search(text) else text
    if (
        "\r" in text_t
        or any(c in text_t for c in DROP_CHARS)
        or not unicodedata.is_normalized("NFC", text_t)
    ):
        out: list[str] = []
        breaks: list[tuple[int, int]] = []
        pos = 0
        delta = 0
        for m in CLUSTER.finditer(text_t):
            chunk = m.group(0)
            if chunk in ("\r\n", "\r"):
                new = "\n"
            elif chunk in DROP_CHARS:
                new = ""
            else:
                new = unicodedata.normalize("NFC", chunk)
            out.append(new)
            pos += len(new)
            d = m.end() - pos
            if d != delta:
                breaks.append((pos, m.end()))
                delta = d
        text_t = "".join(out)
        offset_map = tuple(breaks)
    else:
        offset_map = ()
    return OLD_TONE.sub(_move_tone, text_t), offset_map


def decode(data: bytes, path: Path | str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Raises InputError with a clear sentence.

    Text typed in the legacy TCVN3 or VNI encodings (read as Latin-1, or already mojibake in a
    UTF-8 file) is converted to Unicode; the encoding name then says so ("tcvn3", "utf-8+vni").
    """
    text, encoding = _decode(data, path)
    raw = data.decode("latin-1") if encoding == "cp1258" else text
    converted, legacy_name = legacy.detect(raw)
    if legacy_name is None:
        return text, encoding
    return converted, legacy_name if encoding == "cp1258" else f"{encoding}+{legacy_name}"


def _decode(data: bytes, path: Path | str | None) -> tuple[str, str]:
    if not data.strip():
        raise InputError(path, "the file is empty.", "Give a notice with text in it.")
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(
                    path,
                    f"starts with a {enc} mark but is not {enc} ({exc.reason}).",
                    "Save it again as UTF-8.",
                ) from exc
    try:
        text = data.decode("utf-8")
        if "\x00" in text:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL bytes")
        return _check_text(text, path), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) % 2 == 0 and data.count(0) * 3 > len(data):
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                return _check_text(data.decode(enc), path), enc
            except (UnicodeDecodeError, InputError):
                continue
    if b"\x00" in data:
        raise InputError(
            path, "looks like a binary file, not a notice.", "Give a .txt or .html file."
        )
    try:
        return _check_text(data.decode("cp1258"), path), "cp1258"
    except UnicodeDecodeError as exc:
        raise InputError(
            path, "is not UTF-8, UTF-16 or Windows-1258 text.", "Save it as UTF-8 and run again."
        ) from exc


CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters no text file holds


def _check_text(text: str, path: Path | str | None) -> str:
    controls = len(CONTROL.findall(text, 0, 20000))
    if controls > max(8, len(text[:20000]) // 50):
        raise InputError(
            path, "looks like a binary file, not a notice.", "Give a .txt or .html file."
        )
    return text


def html_to_text(html: str) -> str:
    """Visible notice text of a portal page, one block (paragraph, item, cell) per line.

    The page is read in one pass on lxml's parser-target interface (no tree is built, so a
    page nested 10,000 levels deep is read in linear time): scripts, styles and portal chrome
    are skipped; block elements, list items, table cells and <br> end lines; each row of a
    data table becomes one line, its cells joined by " | "; a small two-column block whose
    cells hold several lines (issuer | national name, recipients | signature) is read column
    by column, as in Word; a table holding another table, or a cell holding a page of text,
    is layout and is read as the page shows it.
    """
    from lxml import etree

    target = _PageText()
    parser = etree.HTMLParser(target=target)
    parser.feed(html)
    text: str = parser.close()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


LONG_CELL = 1500  # characters: a cell holding more is a page of text, so its table is layout
SMALL_LAYOUT = 1500  # characters: a two-column block under this may be read column by column


@dataclass
class _Cell:
    visible: list[str] = field(default_factory=list)  # as the page shows it
    strings: list[str] = field(default_factory=list)  # its text nodes, tag-separated
    rowspan: int = 1
    colspan: int = 1


MAX_SPAN = 100  # rows or columns one cell may span (a larger attribute is a typo or an attack)


def _span(value: Any) -> int:
    try:
        return min(max(int(str(value).strip() or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


@dataclass
class _Table:
    depth: int  # element depth of the <table>
    rendered: list[str] = field(default_factory=list)  # the whole table, as the page shows it
    rows: list[list[_Cell]] = field(default_factory=list)
    row_depth: int = -1  # depth of the open <tr>, -1 when none is open
    cell: _Cell | None = None
    cell_depth: int = -1
    nested: bool = False  # holds another table: layout


class _PageText:
    """lxml parser target collecting the visible text of a page (see `html_to_text`)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.depth = 0
        self.skipped_at = 0  # depth of the dropped element being skipped, 0 when none
        self.tables: list[_Table] = []
        self.joined = False  # no tag since the last text: the next text continues it

    def _emit(self, s: str, *, string: bool = False) -> None:
        if not self.tables:
            self.out.append(s)
            return
        table = self.tables[-1]
        table.rendered.append(s)
        if table.cell is not None:
            table.cell.visible.append(s)
            if string:
                if self.joined and table.cell.strings:
                    table.cell.strings[-1] += s
                else:
                    table.cell.strings.append(s)
                self.joined = True

    def start(self, tag: str, attrib: Any) -> None:
        self.depth += 1
        self.joined = False
        if self.skipped_at:
            return
        marks = " ".join(filter(None, (attrib.get("class"), attrib.get("id"), attrib.get("role"))))
        if tag in DROP_TAGS or (CHROME.search(marks) and tag not in ("body", "html")):
            self.skipped_at = self.depth
            return
        if tag == "br":
            self._emit("\n", string=True)
            self.joined = False
            return
        if tag == "table":
            if self.tables:
                self.tables[-1].nested = True
            self.tables.append(_Table(self.depth))
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if self.tables:
            table = self.tables[-1]
            if tag == "tr" and table.row_depth < 0:
                table.rows.append([])
                table.row_depth = self.depth
            elif tag in ("td", "th") and table.row_depth == self.depth - 1 and table.cell is None:
                table.cell = _Cell(
                    rowspan=_span(attrib.get("rowspan", 1)), colspan=_span(attrib.get("colspan", 1))
                )
                table.cell_depth = self.depth
                table.rows[-1].append(table.cell)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        self.joined = False
        if self.skipped_at:
            if depth == self.skipped_at:
                self.skipped_at = 0
            return
        if tag == "br":
            return
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if not self.tables:
            return
        table = self.tables[-1]
        if depth == table.cell_depth:
            table.cell, table.cell_depth = None, -1
        elif depth == table.row_depth:
            table.row_depth = -1
        elif depth == table.depth:
            self.tables.pop()
            self._emit(_table_text(table))

    def data(self, text: str) -> None:
        if not self.skipped_at:
            self._emit(text, string=True)

    def comment(self, text: str) -> None:
        self.joined = False  # a comment parts the texts around it, as a tag does

    def pi(self, target: str, data: str) -> None:
        self.joined = False

    def doctype(self, *args: Any) -> None:
        pass

    def close(self) -> str:
        while self.tables:  # never closed: as the page shows it
            self._emit("".join(self.tables.pop().rendered))
        return "".join(self.out)


def _table_text(table: _Table) -> str:
    if table.nested:
        return "".join(table.rendered)
    width = max(map(len, table.rows), default=0)
    blocks = [["".join(c.visible).strip() for c in row] for row in table.rows]
    contents = [b for row in blocks for b in row]
    if width <= 2 and any("\n" in b for b in contents) and sum(map(len, contents)) < SMALL_LAYOUT:
        # issuer | national name, recipients | signature: column by column, line by line
        columns = [row[k] for k in range(width) for row in blocks if k < len(row)]
        return "\n" + "\n".join(columns) + "\n"
    lines = []
    for texts in _grid(table.rows):
        if any(len(t) > LONG_CELL for t in texts):
            return "".join(table.rendered)
        filled = [t for t in texts if t]
        if len(filled) == 1 and len(texts) > 1 and texts[0] == filled[0] and len(set(texts)) == 2:
            lines.append(filled[0])  # a full-width row: a group heading ("I. Hạ tầng số")
        elif filled:
            lines.append(" | ".join(texts))
    return "\n" + "\n".join(lines) + "\n"


def _grid(rows: list[list[_Cell]]) -> list[list[str]]:
    """The rows' cell texts in their columns: a cell spanning several columns is followed by
    empty ones, and a cell spanning several rows is repeated in each, as a reader takes it
    ("Văn phòng UBND huyện" leads both tasks its cell spans)."""
    out: list[list[str]] = []
    width = max(map(len, rows), default=0)  # a span never runs past the widest row
    below: dict[int, tuple[str, int]] = {}  # column: (text, rows still to fill)
    for row in rows:
        texts: list[str] = []
        cells = iter(row)
        while True:
            col = len(texts)
            if col in below:
                text, left = below[col]
                texts.append(text)
                if left > 1:
                    below[col] = (text, left - 1)
                else:
                    del below[col]
                continue
            cell = next(cells, None)
            if cell is None:
                break
            text = " ".join(" ".join(cell.strings).split())
            for k in range(max(1, min(cell.colspan, width - col))):
                if cell.rowspan > 1:
                    below[col + k] = (text if k == 0 else "", cell.rowspan - 1)
                texts.append(text if k == 0 else "")
        out.append(texts)
    return out


def ingest_text(
    text: str,
    *,
    path: str | None = None,
    fmt: Format = "text",
    encoding: str = "utf-8",
    data: bytes | None = None,
    locations: tuple[tuple[int, int, str], ...] = (),
) -> Document:
    """Build the Document from already-decoded text (HTML is converted first)."""
    source_text = html_to_text(text) if fmt == "html" else text
    if not source_text.strip():
        what = {"html": "HTML page holds no visible text", "text": "file holds only spaces"}.get(
            fmt, f"{fmt} file holds no text"
        )
        raise InputError(path, f"the {what}.", "Give the notice itself.")
    canonical, offset_map = normalize(source_text)
    sha = hashlib.sha256(data if data is not None else text.encode("utf-8")).hexdigest()
    return Document(
        text=canonical,
        source=Source(path=path, sha256=sha, format=fmt, encoding=encoding),
        source_text=source_text,
        offset_map=offset_map,
        locations=locations,
    )


def sniff_format(path: Path, text: str) -> Format:
    if path.suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text[:2000].lstrip().lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "text"


def ingest_bytes(data: bytes, path: Path | str | None = None) -> Document:
    p = Path(path) if path else Path("notice.txt")
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            path,
            f"has the suffix {p.suffix!r}, which this tool does not read.",
            "Give a .txt, .html, .docx, .pdf or image file.",
        )
    if len(data) > MAX_BYTES and suffix in HTML_SUFFIXES | TEXT_SUFFIXES:
        raise InputError(
            path, f"is larger than {MAX_BYTES // 2**20} MB.", "Split it into separate notices."
        )
    if not data.strip():
        raise InputError(path, "the file is empty.", "Give a notice with text in it.")
    name = str(path) if path else None
    if suffix in OFFICE_SUFFIXES:
        from . import documents

        reader = {".docx": documents.read_docx, ".pdf": documents.read_pdf}.get(
            suffix, documents.read_image
        )
        fmt: Format = "docx" if suffix == ".docx" else "pdf" if suffix == ".pdf" else "image"
        extracted, locations = reader(data, path)
        return ingest_text(
            extracted, path=name, fmt=fmt, encoding=fmt, data=data, locations=locations
        )
    text, encoding = decode(data, path)
    return ingest_text(
        text,
        path=str(path) if path else None,
        fmt=sniff_format(p, text),
        encoding=encoding,
        data=data,
    )


def ingest_path(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(path, "does not exist.", "Check the path.") from exc
    except IsADirectoryError as exc:
        raise InputError(path, "is a folder, not a file.") from exc
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror}).") from exc
    return ingest_bytes(data, path)
