"""Which files under the given paths are notices.

A file named as an argument is taken as it is (and refused later if it is not a regular file).
In a folder, sorted, hidden names skipped, these are never notices:
- what this tool wrote: the output folder of this run and any other run's output folder (a
  folder holding `manifest.jsonl`, with the sheets and the default `tracker/` inside it), a
  tracker folder (`tracker.ics`), and a review page `X.review.html` beside its `X.json`;
- a symbolic link leading out of the folder given (a link inside it is read once, where it
  points), and a link to a folder, which is not followed at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .ingest import HTML_SUFFIXES, OFFICE_SUFFIXES
from .outdir import MANIFEST

__all__ = ["INPUT_SUFFIXES", "discover"]

INPUT_SUFFIXES = HTML_SUFFIXES | OFFICE_SUFFIXES | {".txt"}
TOOL_FOLDER_MARKS = (MANIFEST, "tracker.ics")  # a run's output folder, a tracker folder
REVIEW_PAGE = ".review.html"


def discover(paths: Iterable[Path], out_dir: Path | None = None) -> list[Path]:
    """The notices under `paths` (see the module's docstring); `out_dir` is skipped."""
    skip = {out_dir.resolve()} if out_dir is not None else set()
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(_walk(p, p.resolve(), skip)))
        else:
            out.append(p)
    return out


def _walk(root: Path, real_root: Path, skip: set[Path]) -> Iterable[Path]:
    for folder, dirs, files in os.walk(root):  # links to folders are listed, never entered
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and not _tool_folder(here / d, skip)]
        names = set(files)
        for name in files:
            path = here / name
            if (
                name.startswith(".")
                or path.suffix.lower() not in INPUT_SUFFIXES
                or _review_page(name, names)
            ):
                continue
            if path.is_symlink() and not _inside(path, real_root):
                continue
            if path.is_file():
                yield path


def _tool_folder(folder: Path, skip: set[Path]) -> bool:
    if folder.resolve() in skip:
        return True
    return any((folder / mark).is_file() for mark in TOOL_FOLDER_MARKS)


def _review_page(name: str, siblings: set[str]) -> bool:
    return name.endswith(REVIEW_PAGE) and f"{name[: -len(REVIEW_PAGE)]}.json" in siblings


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False
