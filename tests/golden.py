"""Golden outputs for samples/: `python -m tests.golden` rewrites tests/golden/*.json.

Review the diff before committing: a golden file changes only when behaviour was meant to.
"""

from __future__ import annotations

import json
import os
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
# The sheets' goldens (tests/golden/seed-sheets/) are made from a committed task JSON, not
# from this extraction, so that extraction changes do not churn them: tests/sheet_goldens.py.


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for path in SAMPLES:
        out = GOLDEN / f"{path.stem}.json"
        out.write_text(
            json.dumps(render_sample(path), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
