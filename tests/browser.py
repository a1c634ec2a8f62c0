"""Headless Chromium (Debian's `chromium` package) for the page tests and README pictures.

`python -m tests.browser` writes docs/review.png, docs/sheet.png and docs/sheet-pdf.png (the
same sheet's PDF, page 1 as pdftoppm renders it) from the samples.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def browser(action: str, page: Path, work: Path, size: str = "1400,900") -> str:
    """Run Chromium once on a local page (no network); returns what it printed."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed: apt-get install chromium")
    done = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={work / 'chromium-profile'}",
            f"--window-size={size}",
            action,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def main() -> None:
    from extractor.batch import BatchOptions, run_batch
    from extractor.rules import cached_rules
    from extractor.sheets import collect, write_sheets

    from .sheet_goldens import OPTIONS  # the office profile of the sheets' goldens

    root = Path(__file__).resolve().parent.parent
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "out"
        run_batch(BatchOptions(paths=(root / "samples",), out_dir=out, quiet=True, review=True))
        rows, _ = collect(out, cached_rules())
        write_sheets(rows, work / "sheets", ["html", "pdf"], OPTIONS)
        browser(f"--screenshot={docs / 'review.png'}", out / "000.review.html", work)
        browser(
            f"--screenshot={docs / 'sheet.png'}",
            work / "sheets" / "phong-van-hoa-va-thong-tin-huyen.html",
            work,
            "1100,1100",
        )
        pdf = work / "sheets" / "phong-van-hoa-va-thong-tin-huyen.pdf"
        page = ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*page, str(pdf), str(docs / "sheet-pdf")], check=True)
    print("wrote docs/review.png, docs/sheet.png, docs/sheet-pdf.png", file=sys.stderr)


if __name__ == "__main__":
    main()
