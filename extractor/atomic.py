"""Whole files or none: write beside the target, fsync, rename, fsync the folder.

A reader (or the next run) sees the old file or the new one, never a part: after a crash, a
power cut or a full disk. Files are made with the usual mode (0644 under the usual umask),
like every other file the tool writes.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["TMP_GLOB", "append_line", "write_atomic"]

TMP_GLOB = ".*.tmp"  # what an interrupted write leaves; removed by the next run


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` by `data`; on any error the old file is left as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    except FileNotFoundError:  # the folder is made on the first write only, not every time
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def append_line(fd: int, line: str) -> None:
    """Append one line to a file opened with O_APPEND, in one write. Not synced: a line lost
    in a power cut only makes the next run do its file again."""
    _write_all(fd, line.encode("utf-8"))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the system lets a folder be synced)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
