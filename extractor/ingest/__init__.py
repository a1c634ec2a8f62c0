"""Ingest: the bytes of one file -> one Document (canonical text, offset map, locations).

One module per format, each returning the text the rest of the pipeline reads (one paragraph,
list item or table row per line) and `locations` naming where each line came from:
`text` (encodings, normalization), `html` (portal pages: the article), `docx` (Word, numbering,
tables, legacy fonts), `doc` (Word 97-2003 through LibreOffice), `pdf` (text layer, layout,
quality check), `ocr` (Tesseract, page cache), `legacy` (TCVN3 and VNI). This module picks
the reader by suffix and builds the Document; the text is normalized to NFC with the old tone
placement ("hoà", "Uỷ") moved to the new one and odd spaces unified, and
`Document.offset_map` maps every canonical offset back to the reader's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from ..errors import InputError
from ..limits import read_limited
from ..models import Document, Source
from .html import html_to_text
from .lines import Line, Reading
from .ocr import IMAGE_SUFFIXES
from .text import decode, normalize

__all__ = [
    "HTML_SUFFIXES",
    "OFFICE_SUFFIXES",
    "SUFFIXES",
    "decode",
    "html_to_text",
    "ingest_bytes",
    "ingest_path",
    "ingest_text",
    "normalize",
    "sniff_format",
    "unsupported",
]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
OFFICE_SUFFIXES = frozenset({".doc", ".docx", ".pdf"}) | IMAGE_SUFFIXES
SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | OFFICE_SUFFIXES
Format = Literal["text", "html", "doc", "docx", "pdf", "image"]
OcrDone = Mapping[int, list[Line]]  # a PDF's pages read by OCR elsewhere: number -> lines
MAX_BYTES = 10 * 1024 * 1024  # a notice is a few kB; a larger file is not one notice


def ingest_text(
    text: str,
    *,
    path: str | None = None,
    fmt: Format = "text",
    encoding: str = "utf-8",
    data: bytes | None = None,
    locations: tuple[tuple[int, int, str], ...] = (),
    ocr_pages: tuple[tuple[int, str], ...] = (),
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
        source=Source(path=path, sha256=sha, format=fmt, encoding=encoding, ocr_pages=ocr_pages),
        source_text=source_text,
        offset_map=offset_map,
        locations=locations,
    )


def unsupported(path: Path | str | None) -> InputError:
    """The error for a file whose suffix names a format this tool does not read."""
    suffix = Path(str(path or "")).suffix
    return InputError(
        path,
        f"has the suffix {suffix!r}, which this tool does not read (format not supported).",
        "Give a .txt, .html, .doc, .docx, .pdf or image file.",
    )


def sniff_format(path: Path, text: str) -> Format:
    """ "html" for a page (by suffix, or a text file that opens as one), else "text"."""
    if path.suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text[:2000].lstrip().lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "text"


def _read_office(
    data: bytes, path: Path | str | None, suffix: str, ocr_done: OcrDone | None
) -> tuple[Format, Reading]:
    if suffix == ".docx":
        from .docx import read_docx

        return "docx", read_docx(data, path)
    if suffix == ".doc":
        from .doc import read_doc

        return "doc", read_doc(data, path)
    if suffix == ".pdf":
        from .pdf import read_pdf

        return "pdf", read_pdf(data, path, ocr_done=ocr_done)
    from .ocr import read_image

    return "image", read_image(data, path)


def ingest_bytes(
    data: bytes, path: Path | str | None = None, *, ocr_done: OcrDone | None = None
) -> Document:
    """The Document of one file's bytes; the reader is chosen by the path's suffix. For a PDF,
    `ocr_done` may hold pages already OCR'd (`pdf.ocr_page`, page number -> lines)."""
    p = Path(path) if path else Path("notice.txt")
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise unsupported(path)
    if len(data) > MAX_BYTES and suffix in HTML_SUFFIXES | TEXT_SUFFIXES:
        raise InputError(
            path, f"is larger than {MAX_BYTES // 2**20} MB.", "Split it into separate notices."
        )
    if not data.strip():
        raise InputError(path, "the file is empty.", "Give a notice with text in it.")
    name = str(path) if path else None
    if suffix in OFFICE_SUFFIXES:
        fmt, reading = _read_office(data, path, suffix, ocr_done)
        if reading.html is not None:  # a web page saved under an Office name
            encoding = reading.encoding or fmt
            return ingest_text(reading.html, path=name, fmt="html", encoding=encoding, data=data)
        return ingest_text(
            reading.text,
            path=name,
            fmt=fmt,
            encoding=reading.encoding or fmt,
            data=data,
            locations=reading.locations,
            ocr_pages=reading.ocr_pages,
        )
    text, encoding = decode(data, path)
    return ingest_text(text, path=name, fmt=sniff_format(p, text), encoding=encoding, data=data)


def ingest_path(path: Path) -> Document:
    """The Document of one file; a missing or unreadable file raises InputError, and so does
    one past the size limit (checked before reading) or a pipe or device (never read)."""
    try:
        data = read_limited(path)
    except FileNotFoundError as exc:
        raise InputError(path, "does not exist.", "Check the path.") from exc
    except IsADirectoryError as exc:
        raise InputError(path, "is a folder, not a file.") from exc
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror}).") from exc
    return ingest_bytes(data, path)
