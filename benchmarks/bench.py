"""Throughput benchmark: `make bench` (never run by the tests).

Builds a corpus of at least 2,000 notices from samples/ and the dev notices (each variant with
its own numbers, dates and an extra paragraph, so no two files are alike), then measures in one
run: the floors that bound us (a plain read of the files, pyvi's word segmentation alone over
the same text, a plain write of the same output files), the extractor with --jobs 1 and
--jobs 2 (files/s, KB/s, peak memory of the largest process), start-up time beside a bare
`import spacy`, and the time per stage.

Outputs go to a RAM disk (/dev/shm) when there is one, so that the figures measure the tool,
not the virtual disk (whose file creation time varies tenfold from hour to hour on the
project's machine); one --jobs 1 run to the project disk and the plain write of the same files
there are reported beside them.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / ".corpus"
SOURCES = [  # the text notices: the dev set's PDFs and Word files are read in the inbox row
    p
    for p in sorted((ROOT / "samples").glob("*.*"))
    + sorted((ROOT.parent / "shared" / "eval" / "dev" / "corpus").glob("*"))
    if p.suffix in (".txt", ".html")
]


def build_corpus(n: int) -> list[Path]:
    if CORPUS.exists() and len(list(CORPUS.iterdir())) >= n:
        return sorted(CORPUS.iterdir())[:n]
    shutil.rmtree(CORPUS, ignore_errors=True)
    CORPUS.mkdir(parents=True)
    rnd = random.Random(7)
    files = []
    for i in range(n):
        src = SOURCES[i % len(SOURCES)]
        text = src.read_text(encoding="utf-8")
        text = re.sub(
            r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b",
            lambda m: f"{rnd.randint(1, 28)}/{m.group(2)}/{m.group(3)}",
            text,
        )
        note = f"Ghi chú {i}: hồ sơ lưu trữ tại bộ phận văn thư, số thứ tự {rnd.randint(1, 9999)}."
        text = (
            text.replace("</body>", f"<p>{note}</p></body>")
            if src.suffix == ".html"
            else f"{text}\n{note}\n"
        )
        path = CORPUS / f"n{i:05d}{src.suffix}"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


# Runs a command; prints its wall time and the peak RSS (kB) of its largest process (workers
# included: the command waits for them, so they count among this wrapper's descendants).
PEAK = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall time of a command and the peak RSS (kB) of its largest process."""
    out = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True)
    seconds, rss = out.stdout.split()
    return float(seconds), int(rss)


def out_root() -> Path:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="extractor-bench-", dir=shm))
    return Path(tempfile.mkdtemp(prefix=".out-", dir=ROOT / "benchmarks"))


def half_corpus(files: list[Path]) -> Path:
    """A folder holding the first half of the corpus (hard links)."""
    half = CORPUS.with_name(".corpus-half")
    shutil.rmtree(half, ignore_errors=True)
    half.mkdir()
    for p in files[: len(files) // 2]:
        os.link(p, half / p.name)
    return half


def plain_write(outputs: dict[str, bytes], folder: Path) -> float:
    """Seconds to create these files in an empty folder with plain writes: the disk's floor."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    for name, data in outputs.items():
        (folder / name).write_bytes(data)
    elapsed = time.perf_counter() - started
    shutil.rmtree(folder)
    return elapsed


def stage_times(files: list[Path], root: Path) -> dict[str, float]:
    """Run the pipeline in-process with each stage's functions wrapped in a timer."""
    import importlib
    import pkgutil

    from extractor import ingest, nlp, pipeline, render

    extract = importlib.import_module("extractor.extract")  # the package's `extract` is a function

    spent: dict[str, float] = defaultdict(float)

    def wrap(module: Any, name: str, stage: str) -> None:
        fn = getattr(module, name)

        def timed_fn(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[stage] += time.perf_counter() - t

        setattr(module, name, timed_fn)

    wrap(nlp.PyviCrf, "word_starts", "tokenize")
    for info in pkgutil.iter_modules(extract.__path__):  # each step imports find_deadlines
        module = importlib.import_module(f"{extract.__name__}.{info.name}")
        if hasattr(module, "find_deadlines"):
            wrap(module, "find_deadlines", "deadlines")
    for name in ("blank_markup", "unwrap", "segment"):
        wrap(pipeline, name, "segment")
    out = root / "stage-out"
    out.mkdir(exist_ok=True)
    total_rules = 0.0
    for path in files:
        t = time.perf_counter()
        doc = ingest.ingest_bytes(path.read_bytes(), path)
        spent["ingest"] += time.perf_counter() - t
        t = time.perf_counter()
        notice = pipeline.extract_document(doc)
        total_rules += time.perf_counter() - t
        t = time.perf_counter()
        render.write_json_atomic(out / f"{path.stem}.json", render.notice_to_dict(notice))
        spent["write"] += time.perf_counter() - t
    spent["rules"] = total_rules - spent["segment"] - spent["tokenize"] - spent["deadlines"]
    shutil.rmtree(out)
    return dict(spent)


def review_page_times(sizes: tuple[int, ...] = (1000, 4000, 16000)) -> dict[str, Any]:
    """Seconds to render the review page of one notice with N tasks: the same numbered task
    repeated, its text and offsets tiled (issue 13: 1 MB of tasks took 92 s, O(tasks^2));
    linear when `per_task_us` stays flat as N grows."""
    from extractor import extract, notice_to_dict
    from extractor.review import render_review

    unit = 50
    text = "".join(
        f"{i}. Giao Sở Y tế kiểm tra cơ sở {i} trước ngày 15/9/2020.\n" for i in range(1, unit + 1)
    )
    base = notice_to_dict(extract(text))

    def shifted(value: Any, by: int) -> Any:
        if isinstance(value, dict):
            return {
                k: v + by if k in ("start", "end") and isinstance(v, int) else shifted(v, by)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [shifted(v, by) for v in value]
        return value

    rows: dict[str, Any] = {}
    for n in sizes:
        copies = n // unit
        width = len(base["text"])
        tasks = []
        for c in range(copies):
            for t in shifted(base["tasks"], c * width):
                tasks.append({**t, "id": f"T{len(tasks) + 1}"})
        data = {**base, "text": base["text"] * copies, "tasks": tasks}
        started = time.perf_counter()
        html = render_review(data, "bench.json")
        elapsed = time.perf_counter() - started
        rows[str(n)] = {
            "tasks_MB": round(len(json.dumps(tasks, ensure_ascii=False)) / 1e6, 2),
            "seconds": round(elapsed, 2),
            "per_task_us": round(elapsed / n * 1e6),
            "page_MB": round(len(html) / 1e6, 1),
        }
    return rows


def main() -> None:
    if sys.argv[1:] == ["review"]:  # this row alone: python benchmarks/bench.py review
        print(json.dumps({"review_page": review_page_times()}, indent=1))
        return
    if sys.argv[1:2] == ["compare"]:  # python benchmarks/bench.py compare REV [PAIRS]
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from compare import compare

        pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
        print(json.dumps(compare(sys.argv[2], pairs), indent=1))
        return
    if sys.argv[1:] == ["inbox"]:  # real files of ../shared/eval/reservoir: benchmarks/inbox.py
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from inbox import inbox_times

        print(json.dumps(inbox_times(), indent=1))
        return
    n = int(os.environ.get("BENCH_FILES", "2000"))
    files = build_corpus(n)
    size = sum(p.stat().st_size for p in files)
    mb = size / 1e6
    results: dict[str, Any] = {"files": len(files), "megabytes": round(mb, 2)}

    t = time.perf_counter()
    texts = [p.read_text(encoding="utf-8") for p in files]
    results["read_MBps"] = round(mb / (time.perf_counter() - t), 1)

    from pyvi import ViTokenizer

    t = time.perf_counter()
    for text in texts:
        for line in text.splitlines():
            if line.strip():
                ViTokenizer.tokenize(line)
    pyvi_s = time.perf_counter() - t
    results["pyvi_alone_KBps"] = round(size / 1e3 / pyvi_s, 1)
    import spacy

    nlp = spacy.blank("vi")
    t = time.perf_counter()
    for text in texts:
        nlp.make_doc(text)
    results["spacy_vi_pyvi_whole_text_KBps"] = round(size / 1e3 / (time.perf_counter() - t), 1)

    exe = str(ROOT / ".venv" / "bin" / "extractor")
    root = out_root()
    results["outputs_on"] = str(root.parent)

    half = half_corpus(files)

    def run(jobs: int, out: Path, corpus: Path = CORPUS) -> tuple[float, int]:
        shutil.rmtree(out, ignore_errors=True)
        return timed([exe, "run", str(corpus), "-o", str(out), "-q", "--jobs", str(jobs)])

    def figures(elapsed: float, rss: int | None = None) -> dict[str, float]:
        out = {
            "seconds": round(elapsed, 2),
            "files_per_s": round(len(files) / elapsed, 1),
            "KBps": round(size / 1e3 / elapsed, 1),
        }
        if rss is not None:
            out["peak_rss_MB_largest_process"] = round(rss / 1024, 1)
        return out

    repeat = int(os.environ.get("BENCH_REPEAT", "5"))  # median of N: the machine is shared
    full: dict[int, list[tuple[float, int]]] = {1: [], 2: []}
    halves: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeat):  # the settings interleaved, so that a slow minute hits both alike
        for jobs in (1, 2):
            full[jobs].append(run(jobs, root / f"out-{jobs}"))
            halves[jobs].append(run(jobs, root / "out-half", half)[0])
    steady: dict[int, float] = {}
    for jobs in (1, 2):
        elapsed = statistics.median(r[0] for r in full[jobs])
        results[f"jobs{jobs}"] = figures(elapsed, max(r[1] for r in full[jobs]))
        # files per second once running: the second half of the corpus over the time it adds
        steady[jobs] = (len(files) - len(files) // 2) / (elapsed - statistics.median(halves[jobs]))
        results[f"jobs{jobs}"]["steady_files_per_s"] = round(steady[jobs], 1)
    outputs = {p.name: p.read_bytes() for p in (root / "out-1").iterdir()}
    for name in ("out-1", "out-2", "out-half"):
        shutil.rmtree(root / name, ignore_errors=True)
    # each --jobs 2 run against the --jobs 1 run just before it, then the median
    pairs = [a[0] / b[0] for a, b in zip(full[1], full[2], strict=True)]
    results["speedup_jobs2"] = round(statistics.median(pairs), 2)
    results["speedup_jobs2_steady"] = round(steady[2] / steady[1], 2)
    results["plain_write_s"] = round(plain_write(outputs, root / "plain-write"), 2)

    disk = ROOT / "benchmarks" / ".out-disk"
    results["on_project_disk"] = {
        "jobs1": figures(run(1, disk)[0]),
        "plain_write_s": round(plain_write(outputs, disk), 2),
    }
    shutil.rmtree(disk, ignore_errors=True)

    one = files[0]
    spacy_s = min(timed([sys.executable, "-c", "import spacy"])[0] for _ in range(3))
    out = root / "out-start"
    first_s = min(
        timed([exe, "run", str(one), "-o", str(out), "-q", "--force"])[0] for _ in range(3)
    )
    results["startup"] = {
        "import_spacy_s": round(spacy_s, 2),
        "first_file_s": round(first_s, 2),
        "over_import_spacy_s": round(first_s - spacy_s, 2),
    }

    results["review_page"] = review_page_times()
    stages = stage_times(files[: min(300, len(files))], root)
    results["stage_share_percent"] = {
        k: round(100 * v / sum(stages.values()), 1) for k, v in sorted(stages.items())
    }
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(half, ignore_errors=True)
    results["machine"] = {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
