"""OCR: page images -> lines, by Tesseract (Vietnamese model), once per image.

Tesseract's word boxes (TSV) are cached per image in the user's cache folder
(`$XDG_CACHE_HOME/extractor/ocr`, else `~/.cache/extractor/ocr`), keyed by the sha256 of the
image bytes (for a PDF page: the bytes of its scans as stored, with their placement and the
rendering's settings, so a cached page is not even rendered), Tesseract's version, the
language and the settings: re-reading a folder of scans after a rules change costs seconds.
The cache keeps under `EXTRACTOR_OCR_CACHE_MB` (default 200) by dropping the least recently
used entries; `EXTRACTOR_OCR_CACHE=off` (the CLI's `--no-cache`) neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..errors import InputError, MissingTool
from .lines import Extracted, Line, Reading, Word, page_lines, paragraphs

__all__ = ["IMAGE_SUFFIXES", "LANGUAGE", "cache_dir", "ocr_image", "read_image"]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
LANGUAGE = "vie"
SETTINGS = ("--psm", "4")  # one column of text of various sizes: a notice's page
TIMEOUT = 300  # seconds for one page
CACHE_MB = 200


def _tesseract(path: Path | str | None) -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise MissingTool(
            path,
            "needs OCR, but Tesseract is not installed.",
            ("tesseract-ocr", "tesseract-ocr-vie"),
        )
    return exe


@lru_cache(maxsize=4)
def _version(exe: str) -> str:
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().split("\n", 1)[0]


def cache_dir() -> Path | None:
    """The OCR cache folder, or None when the cache is off."""
    setting = os.environ.get("EXTRACTOR_OCR_CACHE", "")
    if setting.lower() in ("0", "off", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "extractor" / "ocr"


def ocr_image(
    image: bytes | Callable[[], bytes], path: Path | str | None, *, source: bytes | None = None
) -> list[Line]:
    """The lines of one page image (any format Tesseract reads), through the cache. `image`
    may be a function rendering it, with `source` the bytes it is rendered from (a PDF page's
    scans and their placement): the cache is then keyed by those and the page is rendered only
    when the cache does not hold it."""
    exe = _tesseract(path)
    if source is None:
        image = image() if callable(image) else image
        source = image
    key = hashlib.sha256(source)
    key.update("\0".join((_version(exe), LANGUAGE, *SETTINGS)).encode())
    folder = cache_dir()
    entry = folder / key.hexdigest()[:2] / f"{key.hexdigest()}.tsv" if folder else None
    if entry is not None and entry.exists():
        try:
            tsv = entry.read_text(encoding="utf-8")
            os.utime(entry)  # recently used: kept longest
            return _tsv_lines(tsv)
        except OSError:
            pass
    tsv = _run(exe, image() if callable(image) else image, path)
    if entry is not None:
        _store(entry, tsv)
    return _tsv_lines(tsv)


def _run(exe: str, image: bytes, path: Path | str | None) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread a worker: far faster here
    try:
        done = subprocess.run(
            [exe, "stdin", "stdout", "-l", LANGUAGE, *SETTINGS, "tsv"],
            input=image,
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(path, f"took OCR over {TIMEOUT} s on one page.") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        hint = "Install tesseract-ocr-vie." if LANGUAGE in stderr else "Check the image."
        raise InputError(path, f"could not be read by OCR ({stderr.strip()[:200]}).", hint)
    return done.stdout.decode("utf-8", "replace")


def _store(entry: Path, tsv: str) -> None:
    """Write one entry (atomically), then trim the cache to its size limit."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(tsv, encoding="utf-8")
        tmp.replace(entry)
        _trim(entry.parent.parent)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _trim(folder: Path) -> None:
    limit = int(float(os.environ.get("EXTRACTOR_OCR_CACHE_MB", CACHE_MB)) * 2**20)
    files = [(f.stat().st_mtime, f.stat().st_size, f) for f in folder.glob("*/*.tsv")]
    total = sum(size for _, size, _ in files)
    for _, size, f in sorted(files):
        if total <= limit:
            break
        f.unlink(missing_ok=True)
        total -= size


def _tsv_lines(tsv: str) -> list[Line]:
    """Lines from Tesseract's word boxes, in its line order, laid out as a text layer's are
    (`page_lines`: the header block column by column, paragraphs joined)."""
    lines: dict[tuple[int, ...], list[Word]] = {}
    width = height = 0.0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        left, top, w, h = (int(c) for c in cols[6:10])
        if cols[0] == "1":  # the page
            width, height = float(w), float(h)
        if cols[0] != "5" or not cols[11].strip():
            continue
        key = tuple(int(c) for c in cols[1:5])  # page, block, paragraph, line
        lines.setdefault(key, []).append(Word(left, left + w, top, top + h, cols[11]))
    rows = [words for _, words in sorted(lines.items())]
    return page_lines(rows, [], width, height)


def read_image(data: bytes, path: Path | str | None) -> Reading:
    """The Reading of a scanned page given as an image file."""
    try:
        lines = ocr_image(data, path)
    except MissingTool:
        raise
    except InputError as exc:
        raise InputError(path, exc.message.split(": ", 1)[-1]) from exc
    out = Extracted()
    for line, where in paragraphs(
        [(t, f, f"image (OCR), {y:.0f} px from the top") for t, f, y in lines]
    ):
        out.add(line, where)
    return out.result()
