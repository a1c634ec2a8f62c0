"""OCR: page images -> lines with Tesseract (Vietnamese model)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from .lines import Extracted, Line, Reading, paragraphs, runs_on

__all__ = ["IMAGE_SUFFIXES", "ocr_pdf_page", "read_image"]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})


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
    return runs_on(
        [(" ".join(w[2] for w in ws), ws[-1][1], ws[0][1] - ws[0][0], ws[0][3]) for ws in ordered],
        right,
    )


def ocr_pdf_page(data: bytes, number: int, path: Path | str | None) -> list[Line]:
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


def read_image(data: bytes, path: Path | str | None) -> Reading:
    suffix = Path(str(path or "x.png")).suffix or ".png"
    out = Extracted()
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / f"in{suffix}"
        image.write_bytes(data)
        try:
            lines = _ocr_image(image, path)
        except InputError as exc:
            raise InputError(path, exc.message.split(": ", 1)[-1]) from exc
    for line, y in paragraphs(lines):
        out.add(line, f"image (OCR), {y:.0f} px from the top")
    return out.result()
