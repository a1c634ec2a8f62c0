"""`python benchmarks/bench.py compare REV [PAIRS]`: this tree's `--jobs 1` against commit REV's.

This machine's speed drifts by 10-20 % from one minute to the next, so two `make bench` runs
made one after the other compare the minutes as much as the commits. Here REV is checked out
in a temporary git worktree and both run, with the same libraries, on the same 2,000 bench
notices, in alternating pairs (REV then this tree, this tree then REV, ...), each pair beside
a measure of pyvi's segmentation alone: the drift falls on both sides of every pair. Prints
JSON: the median over the pairs of each side's KB/s ÷ pyvi alone, and of this tree's speed
÷ REV's.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / ".corpus"
EXE = ROOT / ".venv" / "bin" / "extractor"


def _pyvi_seconds(texts: list[str]) -> float:
    from pyvi import ViTokenizer

    started = time.perf_counter()
    for text in texts:
        for line in text.splitlines():
            if line.strip():
                ViTokenizer.tokenize(line)
    return time.perf_counter() - started


def _run(tree: Path, out: Path) -> float:
    """Wall seconds of `extractor run CORPUS -o OUT -q --jobs 1` with `tree`'s code."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if tree != ROOT:
        env["PYTHONPATH"] = str(tree)  # its package before this checkout's editable install
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [str(EXE), "run", str(CORPUS), "-o", str(out), "-q", "--jobs", "1"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def compare(rev: str, pairs: int = 8) -> dict[str, Any]:
    files = sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []
    if len(files) < 2000:
        raise SystemExit("build the bench corpus first: python benchmarks/bench.py")
    texts = [p.read_text(encoding="utf-8") for p in files]
    kb = sum(p.stat().st_size for p in files) / 1e3
    base = Path(tempfile.mkdtemp(prefix="extractor-compare-"))
    other = base / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), rev], check=True
    )
    out = Path(
        tempfile.mkdtemp(
            prefix="extractor-compare-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        )
    )
    for tree in (other, ROOT):  # bytecode compiled in both, as an install has it (make bench)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(tree / "extractor")], check=True
        )
    rows = []
    try:
        for i in range(pairs):
            order = (other, ROOT) if i % 2 == 0 else (ROOT, other)
            seconds = {tree: _run(tree, out / "o") for tree in order}
            pyvi = kb / _pyvi_seconds(texts)
            rows.append(
                {
                    "pyvi_KBps": round(pyvi, 1),
                    "rev_s": round(seconds[other], 2),
                    "this_s": round(seconds[ROOT], 2),
                }
            )
            print(rows[-1], file=sys.stderr, flush=True)
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False
        )
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    return {
        "rev": rev,
        "pairs": rows,
        "rev_ratio_to_pyvi": round(
            statistics.median(kb / r["rev_s"] / r["pyvi_KBps"] for r in rows), 2
        ),
        "this_ratio_to_pyvi": round(
            statistics.median(kb / r["this_s"] / r["pyvi_KBps"] for r in rows), 2
        ),
        "this_speed_over_rev": round(statistics.median(r["rev_s"] / r["this_s"] for r in rows), 3),
    }
