"""How much work one file may cost: bytes, unpacked size, pages, OCR pages, text, tasks, time.

A notice is a few pages; a file far past these bounds is an attack or a mistake, and must cost
one line in `errors.jsonl`, not the machine. `Limits` holds the bounds (all settable: `run`'s
options, `BatchOptions.limits`); the check functions raise `LimitError`, naming the file and
the limit and the option that raises it. The readers call the checks with the limits in force
(`active()`), which the batch sets around each file with `applied(limits)`; the wall-clock
budget is enforced by the batch's parent process, which replaces a worker over it.
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import InputError, LimitError

__all__ = [
    "LimitError",
    "Limits",
    "active",
    "add_arguments",
    "applied",
    "check_ocr_pages",
    "check_pdf_pages",
    "check_tasks",
    "check_text",
    "check_unpacked",
    "from_arguments",
    "limit_error",
    "read_limited",
]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 64 * MB  # a file's size, checked before it is read
    unpacked_bytes: int = 64 * MB  # the members of a .docx (a zip), uncompressed
    pdf_pages: int = 300
    ocr_pages: int = 30  # pages without a text layer, read by Tesseract (about 1 s each)
    text_chars: int = 2_000_000  # the text read from a file (about 600 pages), before rules
    tasks: int = 3000  # per notice; the largest plan in the dev set has under 100
    seconds: float = 300.0  # wall-clock per file; 0: no budget (and no worker processes needed)


# (what is limited, the CLI option that sets it, its help), by field
_OPTIONS = {
    "file_bytes": ("bytes", "--max-file-mb", "size of a file, in MB"),
    "unpacked_bytes": ("bytes unpacked", "--max-unpacked-mb", "a .docx unpacked, in MB"),
    "pdf_pages": ("pages", "--max-pages", "pages of a PDF"),
    "ocr_pages": ("pages to OCR", "--max-ocr-pages", "pages without text read by OCR"),
    "text_chars": ("characters", "--max-chars", "characters of text read from one file"),
    "tasks": ("tasks", "--max-tasks", "tasks in one notice"),
    "seconds": ("seconds", "--max-seconds", "wall-clock seconds for one file (0: no limit)"),
}


def limit_error(path: Path | str | None, field: str, found: str, limit: float) -> LimitError:
    """The error for `field`'s limit: "X: has 6 pages, over the limit of 5 pages. If …"."""
    what, option, _ = _OPTIONS[field]
    shown = f"{limit / MB:g} MB" if field.endswith("bytes") else f"{_number(limit)} {what}"
    return LimitError(
        path,
        f"{found}, over the limit of {shown}.",
        f"If it really is one notice, raise the limit with {option}.",
        field,
    )


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)  # 2000000, not 2e+06


_ACTIVE: ContextVar[Limits] = ContextVar("limits", default=Limits())  # noqa: B039


def active() -> Limits:
    """The limits in force for the file being read."""
    return _ACTIVE.get()


@contextmanager
def applied(limits: Limits) -> Iterator[Limits]:
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def read_limited(path: Path | str, limits: Limits | None = None) -> bytes:
    """The bytes of a regular file no larger than the limit, checked before reading.

    A FIFO, a device (`/dev/zero`) or a socket is refused without reading from it: opened
    without blocking, then checked on the open descriptor, so a swap after the check is seen.
    """
    limits = limits or active()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(path, "is a folder, not a file.")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                path,
                "is not a regular file (a pipe, a device or a socket), so it is not read.",
                "Give the notice's file itself.",
            )
        if st.st_size > limits.file_bytes:
            raise limit_error(
                path, "file_bytes", f"has {st.st_size / MB:.1f} MB", limits.file_bytes
            )
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            # a buffer of the size found (one of the limit's size costs 30 µs a file to map
            # and unmap), then the rest of a file grown since, up to the limit: one that
            # grows while it is read stops there
            data = fh.read(st.st_size + 1)
            if len(data) > st.st_size:
                data += fh.read(limits.file_bytes + 1 - len(data))
    finally:
        os.close(fd)
    if len(data) > limits.file_bytes:
        raise limit_error(path, "file_bytes", "grew while it was read", limits.file_bytes)
    return data


def check_unpacked(data: bytes, path: Path | str | None, limits: Limits | None = None) -> None:
    """Refuse a zip (.docx) whose members unpack past the limit (a zip bomb), before reading
    any member. The sizes come from the zip's directory; `zipfile` never inflates a member
    past its recorded size, so a directory that lies cannot get more through."""
    limits = limits or active()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: the reader says so in its own words
    if total > limits.unpacked_bytes:
        raise limit_error(
            path, "unpacked_bytes", f"unpacks to {total / MB:.1f} MB", limits.unpacked_bytes
        )


def check_pdf_pages(pages: int, path: Path | str | None, limits: Limits | None = None) -> None:
    limits = limits or active()
    if pages > limits.pdf_pages:
        raise limit_error(path, "pdf_pages", f"has {pages} pages", limits.pdf_pages)


def check_ocr_pages(pages: int, path: Path | str | None, limits: Limits | None = None) -> None:
    """Called before each page goes to OCR, with the number of pages it would make."""
    limits = limits or active()
    if pages > limits.ocr_pages:
        found = f"has more than {limits.ocr_pages} pages without text"
        raise limit_error(path, "ocr_pages", found, limits.ocr_pages)


def check_text(chars: int, path: Path | str | None, limits: Limits | None = None) -> None:
    """Before extraction: the text a file gave (an HTML table of spanning cells repeats
    its cells in every row they span, so 256 KB of HTML can give megabytes of text)."""
    limits = limits or active()
    if chars > limits.text_chars:
        raise limit_error(
            path, "text_chars", f"gives {chars} characters of text", limits.text_chars
        )


def check_tasks(tasks: int, path: Path | str | None, limits: Limits | None = None) -> None:
    limits = limits or active()
    if tasks > limits.tasks:
        raise limit_error(path, "tasks", f"gives {tasks} tasks", limits.tasks)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that set the limits (their names are the ones the errors give)."""
    group = parser.add_argument_group("limits per file (a file past one fails alone)")
    defaults = Limits()
    for name, (_, option, help_) in _OPTIONS.items():
        default = getattr(defaults, name)
        shown = f"{default / MB:g}" if name.endswith("bytes") else _number(default)
        group.add_argument(
            option,
            dest=f"limit_{name}",
            type=_positive(name),
            default=None,
            metavar="N",
            help=f"{help_} (default: {shown})",
        )


def from_arguments(args: argparse.Namespace) -> Limits:
    given = {
        name: getattr(args, f"limit_{name}")
        for name in _OPTIONS
        if getattr(args, f"limit_{name}", None) is not None
    }
    return replace(Limits(), **given)


def _positive(name: str) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if value < 0 or (value == 0 and name not in ("seconds", "ocr_pages")):
            raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
        if name.endswith("bytes"):
            return int(value * MB)
        return value if name == "seconds" else int(value)

    return parse
