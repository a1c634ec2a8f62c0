"""Reading real inboxes: `python benchmarks/bench.py inbox` (also run by `make bench`).

Three rows, each beside the floors measured in the same run on the same files:

- mixed inbox: a sample of ../shared/eval/reservoir (every text, page, Word and text-layer PDF
  file, and the one-page scans), read by `extractor.ingest` (files/s per format) and through
  the whole pipeline; floors: a plain read of the bytes, `pdftotext -layout` on the PDFs, the
  Tesseract CLI (the tool's settings) on the scans' page images;
- text PDFs: 40 distinct text PDFs (the reservoir's clean text-layer PDFs, the dev set's, and
  notices of the reservoir and samples typeset here by tests/formats.py, half of them ragged
  right), read by the tool against `pdftotext -layout` on the same files;
- seed scan: samples/formats/seed-scan.pdf extracted with an empty OCR cache, then again as
  after a rules change (the cache holds the pages).

Each row runs once (OCR is CPU-heavy on a shared machine); results go to
benchmarks/results-inbox.json.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESERVOIR = ROOT.parent / "shared" / "eval" / "reservoir"
DEV = ROOT.parent / "shared" / "eval" / "dev" / "corpus"
PDF_FOLDER = ROOT / "benchmarks" / ".out-pdf-corpus"  # ignored by git (.out-*)
TEXT_PDFS = 40
MAX_SCAN_PAGES = 1  # scans of more pages are left out of the mixed inbox: minutes each


def _formats() -> dict[str, str]:
    """reservoir file name -> its format column ("txt", "pdf-text", "pdf-scan", ...)."""
    rows = (RESERVOIR / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {r.split("\t")[0]: r.split("\t")[2] for r in rows if r.count("\t") >= 2}


def _pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    data = pdf.read_bytes()
    doc = pdfium.PdfDocument(data[max(data.find(b"%PDF", 0, 1024), 0) :])
    try:
        return len(doc)
    finally:
        doc.close()


def mixed_inbox() -> dict[str, Any]:
    from extractor.errors import ExtractorError
    from extractor.ingest import ingest_path
    from extractor.pipeline import extract_document

    formats = _formats()
    files = [
        p
        for p in sorted((RESERVOIR / "corpus").iterdir())
        if formats.get(p.name) != "pdf-scan" or _pages(p) <= MAX_SCAN_PAGES
    ]
    t = time.perf_counter()
    for p in files:
        p.read_bytes()
    plain = time.perf_counter() - t
    read: dict[str, list[float]] = defaultdict(list)
    whole: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, str] = {}
    cache = tempfile.mkdtemp(prefix="extractor-ocr-")
    os.environ["EXTRACTOR_OCR_CACHE"] = cache  # empty: every page is read by Tesseract
    for p in files:
        kind = formats.get(p.name, p.suffix.lstrip("."))
        t = time.perf_counter()
        try:
            doc = ingest_path(p)
            if doc.source.ocr_pages and kind != "pdf-scan":  # a garbage layer, page pictures
                kind += " read by OCR"
            read[kind].append(time.perf_counter() - t)
            extract_document(doc)
            whole[kind].append(time.perf_counter() - t)
        except ExtractorError as exc:
            failed[p.name] = str(exc)[:160]
        shutil.rmtree(cache, ignore_errors=True)
    os.environ.pop("EXTRACTOR_OCR_CACHE")
    pdfs = [p for p in files if formats.get(p.name) == "pdf-text"]
    scans = [p for p in files if formats.get(p.name) == "pdf-scan"]
    return {
        "files": len(files),
        "read_files_per_s": {k: round(len(v) / sum(v), 1) for k, v in sorted(read.items())},
        "pipeline_files_per_s": {k: round(len(v) / sum(v), 1) for k, v in sorted(whole.items())},
        "not_read": failed,
        "floors": {
            "plain_read_files_per_s": round(len(files) / plain, 1),
            "pdftotext_layout_files_per_s": round(len(pdfs) / _pdftotext(pdfs), 1),
            "tesseract_cli_files_per_s": round(len(scans) / _tesseract(scans), 2),
        },
    }


def _pdftotext(pdfs: list[Path]) -> float:
    t = time.perf_counter()
    for p in pdfs:
        subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, check=False)
    return time.perf_counter() - t


def _tesseract(scans: list[Path]) -> float:
    """Tesseract with the tool's settings on the scans' page images (rendered beforehand)."""
    from extractor.ingest import ocr

    with tempfile.TemporaryDirectory() as tmp:
        images = []
        for p in scans:
            prefix = Path(tmp) / p.stem
            subprocess.run(["pdftoppm", "-r", "300", "-gray", str(p), str(prefix)], check=True)
            images.extend(sorted(Path(tmp).glob(f"{p.stem}*.pgm")))
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        t = time.perf_counter()
        for image in images:
            subprocess.run(
                ["tesseract", str(image), "stdout", "-l", ocr.LANGUAGE, *ocr.SETTINGS, "tsv"],
                capture_output=True,
                env=env,
                check=False,
            )
        return time.perf_counter() - t


def _text_pdfs() -> list[Path]:
    """The 40 text PDFs: real ones first, then notices typeset here (kept between runs)."""
    formats = _formats()
    real = [
        p
        for p in sorted((RESERVOIR / "corpus").glob("*.pdf"))
        if formats.get(p.name) == "pdf-text" and "garbage" not in _notes(p.name)
    ] + [p for p in sorted(DEV.glob("*.pdf")) if p.name != "504.pdf"]
    wanted = TEXT_PDFS - len(real)
    if len(list(PDF_FOLDER.glob("*.pdf"))) < wanted:
        sys.path.insert(0, str(ROOT))
        from tests.formats import to_pdf

        PDF_FOLDER.mkdir(parents=True, exist_ok=True)
        texts = sorted((ROOT / "samples").glob("*.txt")) + sorted(
            (RESERVOIR / "corpus").glob("*.txt")
        )
        for n, src in enumerate(texts[:wanted]):
            text = src.read_text(encoding="utf-8")[:12000]
            (PDF_FOLDER / f"{src.stem}.pdf").write_bytes(to_pdf(text, ragged=n % 2 == 1))
    return real + sorted(PDF_FOLDER.glob("*.pdf"))[:wanted]


def _notes(name: str) -> str:
    for row in (RESERVOIR / "SOURCES.tsv").read_text(encoding="utf-8").splitlines():
        if row.startswith(name + "\t"):
            return row
    return ""


def text_pdfs() -> dict[str, Any]:
    from extractor.ingest import ingest_path

    pdfs = _text_pdfs()
    floor = min(_pdftotext(pdfs) for _ in range(3))
    ours = []
    for _ in range(3):
        t = time.perf_counter()
        for p in pdfs:
            ingest_path(p)
        ours.append(time.perf_counter() - t)
    return {
        "files": len(pdfs),
        "pages": sum(_pages(p) for p in pdfs),
        "pdftotext_layout_s": round(floor, 2),
        "extractor_read_s": round(min(ours), 2),
        "times_pdftotext": round(min(ours) / floor, 2),
    }


def seed_scan() -> dict[str, Any]:
    exe = str(ROOT / ".venv" / "bin" / "extractor")
    scan = ROOT / "samples" / "formats" / "seed-scan.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "EXTRACTOR_OCR_CACHE": str(Path(tmp) / "cache")}
        runs = []
        for _ in range(2):  # --force: the second run stands for a rules change
            t = time.perf_counter()
            subprocess.run(
                [exe, "run", str(scan), "-o", str(Path(tmp) / "out"), "-q", "--force"],
                env=env,
                check=True,
            )
            runs.append(time.perf_counter() - t)
    return {
        "first_run_s": round(runs[0], 2),
        "again_s": round(runs[1], 2),
        "share_of_first": round(runs[1] / runs[0], 2),
    }


def inbox_times() -> dict[str, Any]:
    results = {
        "mixed_inbox": mixed_inbox(),
        "text_pdfs": text_pdfs(),
        "seed_scan": seed_scan(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
    }
    (ROOT / "benchmarks" / "results-inbox.json").write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    print(json.dumps(inbox_times(), indent=1))
