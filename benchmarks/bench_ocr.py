"""OCR throughput: `make bench` (after benchmarks/bench.py), or `make bench-ocr` alone.

Scanned notices (samples/formats/seed-scan.pdf and scans rendered here from other samples the
way tests/formats.py makes the seed's: text PDF, pages at 300 dpi, images back into a PDF
without text), read four ways on the same pages:

- Tesseract alone on the page images (rendered beforehand by pdftoppm at 300 dpi, grey, not
  timed), with the tool's settings (`-l vie --psm 4`, OMP_THREAD_LIMIT=1), one page at a time
  and two at a time;
- `extractor run --jobs 2` and `--cluster local:2` (two Dask workers), start-up included:
  render, OCR, layout and extraction of every page.

Then one long scan alone (three samples' text in one notice), with `--jobs 2`, where one
worker reads the whole file, and with `--cluster local:2`, where its pages are OCR'd one Dask
task each, spread over both workers.

Pages per second are pages / wall time; CPU seconds per page add up the processes each run
waited for (workers, pdftoppm and Tesseract included), which the load of a shared machine
moves far less than the wall time (the load average is recorded beside). The OCR cache is off,
so every run reads every page. Results go to benchmarks/results-ocr.json. Each setting runs
once: OCR is CPU-heavy on a shared machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.formats builds the scans

from tests.formats import to_pdf, to_scan  # noqa: E402

# with the seed's 2 pages: 10 pages in 7 files
RENDERED = [
    "cv-phong-chong-dich.txt",  # 2 pages
    "kh-ngay-sach.txt",  # 2 pages
    "ct-phong-chong-thien-tai.txt",
    "tb-ket-luan-giao-ban.txt",
    "cv-han-bao-cao-cuoi-nam.txt",
    "kh-chuyen-doi-so.txt",
]
LONG = ["cv-phong-chong-dich.txt", "kh-ngay-sach.txt", "ct-phong-chong-thien-tai.txt"]
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "EXTRACTOR_OCR_CACHE": "off"}


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return next(
        int(line.split()[1]) for line in info.stdout.splitlines() if line.startswith("Pages:")
    )


def build(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "samples" / "formats" / "seed-scan.pdf", folder / "seed-scan.pdf")
    for name in RENDERED:
        text = (ROOT / "samples" / name).read_text(encoding="utf-8")
        (folder / f"{Path(name).stem}-scan.pdf").write_bytes(to_scan(to_pdf(text)))
    return sorted(folder.glob("*.pdf"))


def build_long(folder: Path) -> Path:
    """One scan of the three LONG samples' text, one after the other."""
    folder.mkdir(parents=True)
    text = "\n".join((ROOT / "samples" / name).read_text(encoding="utf-8") for name in LONG)
    path = folder / "long-scan.pdf"
    path.write_bytes(to_scan(to_pdf(text)))
    return path


def render(scans: list[Path], folder: Path) -> list[Path]:
    """Every page as the tool renders it for OCR (300 dpi, grey)."""
    folder.mkdir()
    for pdf in scans:
        cmd = ["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(folder / pdf.stem)]
        subprocess.run(cmd, check=True, capture_output=True)
    return sorted(folder.glob("*.png"))


def cpu() -> float:
    """CPU seconds of the processes this one has waited for, with theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of `run`."""
    wall, used = time.perf_counter(), cpu()
    run()
    return time.perf_counter() - wall, cpu() - used


def tesseract(images: list[Path], at_once: int) -> None:
    def one(image: Path) -> None:
        cmd = ["tesseract", str(image), "stdout", "-l", "vie", "--psm", "4", "tsv"]
        subprocess.run(cmd, check=True, capture_output=True, env=ENV)

    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(one, images))


def extractor(scans: list[Path], out: Path, *how: str) -> None:
    exe = str(Path(sys.executable).with_name("extractor"))
    done = subprocess.run(
        [exe, "run", *map(str, scans), "-o", str(out), "-q", *how], env=ENV, capture_output=True
    )
    if done.returncode != 0:
        sys.exit(f"extractor {' '.join(how)} failed: {done.stderr.decode()[-2000:]}")


def main() -> None:
    if not all(shutil.which(t) for t in ("tesseract", "pdftoppm", "pdfinfo")):
        sys.exit("bench_ocr needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.")
    root = Path(tempfile.mkdtemp(prefix="extractor-bench-ocr-"))
    try:
        scans = build(root / "scans")
        n = sum(pages(p) for p in scans)
        images = render(scans, root / "images")
        assert len(images) == n, (len(images), n)
        load = os.getloadavg()[0]
        runs = {
            "tesseract alone, 1 at a time": measured(lambda: tesseract(images, 1)),
            "tesseract alone, 2 at a time": measured(lambda: tesseract(images, 2)),
            "extractor --jobs 2": measured(lambda: extractor(scans, root / "jobs2", "--jobs", "2")),
            "extractor --cluster local:2": measured(
                lambda: extractor(scans, root / "dask", "--cluster", "local:2")
            ),
        }
        long = build_long(root / "long")
        n_long = pages(long)
        alone = {
            "extractor --jobs 2": measured(lambda: extractor([long], root / "l2", "--jobs", "2")),
            "extractor --cluster local:2": measured(
                lambda: extractor([long], root / "ldask", "--cluster", "local:2")
            ),
        }
        load = max(load, os.getloadavg()[0])
        same = all(
            [p.read_bytes() for p in sorted((root / a).glob("*.json"))]
            == [p.read_bytes() for p in sorted((root / b).glob("*.json"))]
            for a, b in (("dask", "jobs2"), ("ldask", "l2"))
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    results = {
        "files": len(scans),
        "pages": n,
        "pages_per_s": {k: round(n / wall, 3) for k, (wall, _) in runs.items()},
        "seconds": {k: round(wall, 1) for k, (wall, _) in runs.items()},
        "cpu_s_per_page": {k: round(used / n, 2) for k, (_, used) in runs.items()},
        "one_long_scan": {
            "pages": n_long,
            "pages_per_s": {k: round(n_long / wall, 3) for k, (wall, _) in alone.items()},
            "seconds": {k: round(wall, 1) for k, (wall, _) in alone.items()},
            "cpu_s_per_page": {k: round(used / n_long, 2) for k, (_, used) in alone.items()},
        },
        "load_average_1min": round(load, 1),
        "cluster_outputs_equal_jobs_2": same,
        "cores": os.cpu_count(),
    }
    (ROOT / "benchmarks" / "results-ocr.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"OCR: {n} scanned pages in {len(scans)} files (load average up to {load:.1f})")
    show(runs, n)
    print(f"one scan of {n_long} pages alone")
    show(alone, n_long)


def show(runs: dict[str, tuple[float, float]], n: int) -> None:
    for k, (wall, used) in runs.items():
        print(f"  {k:<32}{n / wall:>6.2f} pages/s  {wall:5.1f} s  {used / n:5.2f} CPU s/page")


if __name__ == "__main__":
    main()
