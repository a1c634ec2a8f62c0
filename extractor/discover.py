"""Which files under the given paths are notices.

A file named as an argument is taken as it is (and refused later if it is not a regular file).
In a folder, sorted, every file is listed (one in a format the tool does not read too: the
batch reports it) but for hidden names, Office's lock files (`~$…`) and these, never notices:
- what this tool wrote: the output folder of this run and any other run's output folder (a
  folder holding `manifest.jsonl`, with the sheets and the default `tracker/` inside it), a
  tracker folder (`tracker.ics`), a review page `X.review.html` beside its `X.json`, and in an
  output folder its other files and `superseded/` (reviewed outputs of replaced notices);
- a symbolic link leading out of the folder given (a link inside it is read once, where it
  points), and a link to a folder, which is not followed at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .ingest import HTML_SUFFIXES, OFFICE_SUFFIXES
from .outdir import MANIFEST, OUTPUT_MARK, SUPERSEDED

__all__ = ["INPUT_SUFFIXES", "discover"]

INPUT_SUFFIXES = HTML_SUFFIXES | OFFICE_SUFFIXES | {".txt"}
# a run's output folder, a tracker folder, a folder of sheets
TOOL_FOLDER_MARKS = (MANIFEST, "tracker.ics", OUTPUT_MARK)
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
        outputs_here = _tool_folder(here, skip)  # the inbox is the output folder too
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and not _tool_folder(here / d, skip)
            and not (outputs_here and d == SUPERSEDED)
        ]
        names = set(files)
        for name in files:
            path = here / name
            # every other file is listed, in a format this tool reads or not: the batch names
            # the ones it cannot read ("format not supported") instead of passing over them
            if (
                name.startswith((".", "~$"))
                or _review_page(name, names)
                or (outputs_here and path.suffix.lower() not in INPUT_SUFFIXES)
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
