"""Golden outputs for samples/: `python -m tests.golden` rewrites tests/golden/*.json.

Review the diff before committing: a golden file changes only when behaviour was meant to.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from extractor.pipeline import extract
from extractor.render import notice_to_dict

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in (".txt", ".html"))


def render_sample(path: Path) -> dict[str, Any]:
    """The JSON of a sample, with its path relative to the repository (as `make run` gives)."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        return notice_to_dict(extract(path.relative_to(ROOT)))
    finally:
        os.chdir(cwd)


SEED = ROOT / "samples" / "000.txt"
SHEETS_GOLDEN = GOLDEN / "seed-sheets"
AS_OF = date(2020, 9, 1)
TEXT_FORMATS = ["html", "md", "csv"]


def render_seed_sheets(work: Path) -> dict[str, bytes]:
    """Sheets (text formats) and tracker of the seed notice, as {file name: bytes}."""
    from extractor.rules import cached_rules
    from extractor.sheets import SheetOptions, collect, write_sheets, write_tracker

    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "000.json").write_text(
        json.dumps(render_sample(SEED), ensure_ascii=False), encoding="utf-8"
    )
    rows, _ = collect(out, cached_rules())
    opts = SheetOptions(
        office="Văn phòng HĐND và UBND huyện", place="Châu Thành", date=date(2020, 8, 10)
    )
    write_sheets(rows, work / "sheets", TEXT_FORMATS, opts)
    write_tracker(rows, work / "sheets", TEXT_FORMATS, AS_OF)
    return {p.name: p.read_bytes() for p in sorted((work / "sheets").iterdir())}


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for path in SAMPLES:
        out = GOLDEN / f"{path.stem}.json"
        out.write_text(
            json.dumps(render_sample(path), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {out.relative_to(ROOT)}")
    SHEETS_GOLDEN.mkdir(exist_ok=True)
    for old in SHEETS_GOLDEN.iterdir():
        old.unlink()
    with tempfile.TemporaryDirectory() as work:
        for name, data in render_seed_sheets(Path(work)).items():
            (SHEETS_GOLDEN / name).write_bytes(data)
    print(f"wrote {SHEETS_GOLDEN.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
