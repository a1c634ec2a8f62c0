"""The output folder of a batch: its lock, its manifest, its error list.

- One run at a time: `locked(out_dir)` holds an fcntl lock on `OUT/.lock` for the run; a second
  run into the same folder is refused with a sentence (`FolderBusy`) instead of mixing its
  manifest lines with the first run's.
- `manifest.jsonl`: one JSON line per output, appended after the output is renamed into place,
  compacted to one sorted line per output at the end of a run (a whole-file write, synced).
- Every failure to write here is a sentence for the summary, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .atomic import TMP_GLOB, append_line, write_atomic

__all__ = [
    "ERRORS",
    "MANIFEST",
    "OUTPUT_MARK",
    "SUPERSEDED",
    "FolderBusy",
    "Manifest",
    "clean_stale_temporaries",
    "is_reviewed",
    "load_manifest",
    "locked",
    "mark_output_folder",
    "read_json",
    "write_lines",
]

MANIFEST = "manifest.jsonl"
ERRORS = "errors.jsonl"
# written into every folder of sheets or a tracker: a folder holding it is never read as notices
OUTPUT_MARK = ".extractor-output"
LOCK = ".lock"
SUPERSEDED = "superseded"  # reviewed outputs of notices since replaced by another


class FolderBusy(Exception):
    """Another run holds the output folder."""


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock for the block; FolderBusy if another run holds it."""
    path = out_dir / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:  # a POSIX lock: held by this process only, not by the workers it forks, so it
            # goes the moment this process ends, however it ends
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                os.close(fd)
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise FolderBusy(
                f"another run (process {holder}) is writing into {out_dir}; wait until it "
                "has finished, then run again (or choose another folder with -o)."
            ) from None
        try:  # the lock file may have been removed by a run that just ended: lock the new one
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # removed while still locked, so no run ever locks a stale file
        os.close(fd)


def read_json(path: Path) -> Any:
    """A JSON file's value, or None for a file that is missing, unreadable or not JSON (also
    when nested too deep for the parser)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def is_reviewed(path: Path) -> tuple[bool, str]:
    """(a person corrected this output, the sha256 of the input it was made from)."""
    data = read_json(path)
    if not isinstance(data, dict) or not data.get("reviewed"):
        return False, ""
    source = data.get("source")
    return True, str(source.get("sha256", "")) if isinstance(source, dict) else ""


def load_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    try:
        text = (out_dir / MANIFEST).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return entries
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            entries[str(entry["name"])] = entry
        except (ValueError, KeyError, TypeError, RecursionError):
            continue  # a line cut by a killed run: its file is simply done again
    return entries


class Manifest:
    """The manifest open for appending, one line per output once the output is in place."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / MANIFEST
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)

    def add(self, entry: dict[str, Any]) -> None:
        append_line(self.fd, json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        os.close(self.fd)


def write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    write_atomic(path, text.encode("utf-8"))


def clean_stale_temporaries(out_dir: Path) -> None:
    for tmp in out_dir.glob(TMP_GLOB):
        tmp.unlink(missing_ok=True)


def mark_output_folder(folder: Path) -> None:
    """Mark a folder the tool writes sheets or a tracker into, so that a run whose inbox holds
    it never reads those files as notices."""
    mark = folder / OUTPUT_MARK
    if not mark.exists():
        write_atomic(mark, b"Written by extractor: its outputs, never read as notices.\n")
