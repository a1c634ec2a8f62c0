"""Ingest: bytes of a .txt/.html file -> one canonical, normalized text with an offset map.

Decoding tries, in order: a BOM (UTF-8, UTF-16), strict UTF-8, BOM-less UTF-16, then
Windows-1258 (the legacy Vietnamese code page). HTML goes through BeautifulSoup: scripts,
styles and portal chrome are dropped; block elements, list items, table cells and <br> become
separate lines. The text is then normalized to NFC, with the old tone placement ("hoà", "Uỷ")
moved to the new one ("hòa", "Ủy") and odd spaces unified; `Document.offset_map` maps every
canonical offset back to the decoded source text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
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
DROP_TAGS = (
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
    """Visible notice text of a portal page, one block (paragraph, item, cell) per line."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.__dict__.get("_decomposed") or "attrs" not in tag.__dict__:
            continue  # inside chrome already removed
        marks = " ".join(
            [*(tag.get("class") or []), str(tag.get("id") or ""), str(tag.get("role") or "")]
        )
        if marks.strip() and CHROME.search(marks) and tag.name not in ("body", "html"):
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    _flatten_tables(soup)
    lines = (" ".join(line.split()) for line in _visible_text(soup).splitlines())
    return "\n".join(line for line in lines if line)


def _visible_text(soup: Any) -> str:
    """Text of the tree with a line break around every block element, walked without recursion
    (a page nested 10,000 levels deep is read in linear time)."""
    from bs4.element import NavigableString, Tag

    out: list[str] = []
    stack: list[tuple[Any, bool]] = [(soup, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, Tag):
            block = node.name in BLOCK_TAGS
            if not entering:
                if block:
                    out.append("\n")
                continue
            if block:
                out.append("\n")
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(node.contents))
        elif type(node) is NavigableString:
            out.append(str(node))
    return "".join(out)


def _flatten_tables(soup: Any) -> None:
    """Each row of a data table becomes one line, its cells joined by " | " (innermost first;
    a table holding another table, or a cell holding a page of text, is layout and stays; a
    small two-column block whose cells hold several lines is read column by column)."""
    for table in reversed(soup.find_all("table")):
        if table.find("table") is not None:
            continue
        rows = [tr.find_all(["td", "th"], recursive=False) for tr in table.find_all("tr")]
        width = max(map(len, rows), default=0)
        blocks = [[_visible_text(c).strip() for c in row] for row in rows]
        contents = [b for row in blocks for b in row]
        if width <= 2 and any("\n" in b for b in contents) and sum(map(len, contents)) < 1500:
            # a small layout block, not data (issuer | national name, recipients | signature):
            # read column by column, line by line, as a Word header table is
            columns = [row[k] for k in range(width) for row in blocks if k < len(row)]
            table.replace_with("\n" + "\n".join(columns) + "\n")
            continue
        lines = []
        for cells in rows:
            texts = [" ".join(c.get_text(" ").split()) for c in cells]
            if any(len(t) > 1500 for t in texts):
                break
            if any(texts):
                lines.append(" | ".join(texts))
        else:
            table.replace_with("\n" + "\n".join(lines) + "\n")


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
