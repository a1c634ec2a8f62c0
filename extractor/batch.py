"""Batch runs over folders of notices: incremental, parallel, visible, safe to kill.

- Incremental: `OUT/manifest.jsonl` records, for every output, the sha256 of the input's bytes,
  the hash of the rule files and the tool version. A file whose output is recorded with the same
  three is skipped; a file with the content of another recorded output (renamed, duplicated) has
  that output copied with its own path. `force` reprocesses everything.
- Parallel: worker processes, each loading the rules and the word segmenter once; every file's
  output depends on that file alone, so `jobs=2` writes exactly the bytes `jobs=1` writes.
- Safe: each output is written to a temporary file and renamed; the manifest line is appended
  only after, so a run killed at any moment leaves whole files and the next run finishes the job.
  One bad file never stops the batch: it is reported and listed in `OUT/errors.jsonl`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import ExtractorError
from .ingest import HTML_SUFFIXES, OFFICE_SUFFIXES, ingest_bytes
from .nlp import segmenter
from .pipeline import extract_document
from .render import SCHEMA_VERSION, notice_to_dict, write_json_atomic
from .rules import RuleSet, cached_rules

__all__ = ["BatchOptions", "Summary", "discover", "run_batch"]

INPUT_SUFFIXES = HTML_SUFFIXES | OFFICE_SUFFIXES | {".txt"}
MANIFEST = "manifest.jsonl"
ERRORS = "errors.jsonl"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class BatchOptions:
    paths: tuple[Path, ...]
    out_dir: Path
    jobs: int = 0  # 0: one per core
    force: bool = False
    quiet: bool = False
    json_log: bool = False
    rules_dir: Path | None = None
    review: bool = False  # also write X.review.html beside each X.json
    cluster: str | None = None  # a Dask scheduler's address, or local:N (extractor/cluster.py)


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    skipped: int = 0
    reused: int = 0
    failed: int = 0
    tasks: int = 0
    without_unit: int = 0
    without_deadline: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:  # the worker reads the file again: the parent never holds more than one file
    path: str
    name: str
    sha256: str


@dataclass(frozen=True)
class _Result:
    path: str
    name: str
    sha256: str
    ok: bool
    tasks: int = 0
    without_unit: int = 0
    without_deadline: int = 0
    error: str = ""


def discover(paths: Iterable[Path]) -> list[Path]:
    """The notices under `paths`: files as given, folders searched (sorted, hidden skipped)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in INPUT_SUFFIXES
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


# ------------------------------------------------------------------ worker side
_RULES: RuleSet | None = None
_OUT: Path | None = None
_REVIEW = False


def _init_worker(rules_dir: str | None, out_dir: str, review: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _init_worker_in_process(rules_dir, out_dir, review)
    segmenter()


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None  # it is read, and fails with its reason, where it is hashed


def _unreadable(path: str, exc: OSError) -> str:
    return f"{path}: cannot be read ({exc.strerror})."


def _work(job: _Job) -> _Result:
    assert _RULES is not None and _OUT is not None, "worker not initialised"
    try:
        raw = Path(job.path).read_bytes()
    except OSError as exc:
        return _Result(job.path, job.name, job.sha256, False, error=_unreadable(job.path, exc))
    sha = hashlib.sha256(raw).hexdigest()
    if sha != job.sha256:  # changed since it was hashed: record what was processed
        job = replace(job, sha256=sha)
    try:
        notice = extract_document(ingest_bytes(raw, job.path), _RULES)
        data = notice_to_dict(notice)
        write_json_atomic(_OUT / job.name, data)
        if _REVIEW:
            from .review import render_review

            page = _OUT / f"{Path(job.name).stem}.review.html"
            tmp = page.with_name(f".{page.name}.tmp")
            tmp.write_text(render_review(data, job.name), encoding="utf-8")
            tmp.replace(page)
    except ExtractorError as exc:
        return _Result(job.path, job.name, job.sha256, False, error=str(exc))
    except OSError as exc:
        return _Result(
            job.path,
            job.name,
            job.sha256,
            False,
            error=f"{job.path}: cannot write {_OUT / job.name} ({exc.strerror}).",
        )
    except Exception as exc:  # a bug must cost one file, never the batch
        return _Result(
            job.path,
            job.name,
            job.sha256,
            False,
            error=f"{job.path}: internal error ({type(exc).__name__}: {exc}); "
            "please report it with this file.",
        )
    tasks = notice.tasks
    return _Result(
        job.path,
        job.name,
        job.sha256,
        True,
        len(tasks),
        sum(1 for t in tasks if not t.units),
        sum(1 for t in tasks if t.deadline is None or t.deadline.date is None),
    )


# ------------------------------------------------------------------ parent side
class _Progress:
    """A live line on a terminal, a plain line every few seconds elsewhere, nothing if quiet."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.tty = enabled and stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.done = 0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if not self.enabled or (
            now - self.last < (0.1 if self.tty else 5.0) and self.done < self.total
        ):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0.0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files  "
            f"{rate:.1f} files/s  {int(left) // 60}:{int(left) % 60:02d} left"
        )
        if self.tty:
            self.stream.write("\r" + line)
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _load_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    path = out_dir / MANIFEST
    if not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            entries[entry["name"]] = entry
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by a killed run: its file is simply done again
    return entries


def _write_lines_atomic(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _is_reviewed(path: Path) -> bool:
    """A person corrected this output (`"reviewed": true`): a run never overwrites it."""
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("reviewed"))
    except (OSError, ValueError, AttributeError):
        return False


def _clean_stale_temporaries(out_dir: Path) -> None:
    for tmp in out_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def run_batch(opts: BatchOptions, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Process every notice under `opts.paths` into `opts.out_dir`; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    started = time.monotonic()
    summary = Summary()

    def log(event: dict[str, Any]) -> None:
        if opts.json_log:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")

    def fail(path: str, message: str) -> None:
        summary.failed += 1
        summary.errors.append({"path": path, "error": message})
        log({"event": "file", "path": path, "status": "failed", "error": message})
        if not opts.json_log:
            err.write(f"error: {message}\n")

    try:
        rules = cached_rules(str(opts.rules_dir) if opts.rules_dir else None)
    except ExtractorError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_USAGE
    files = discover(opts.paths)
    if not files:
        err.write("error: no notices (.txt, .html, .docx, .pdf, images) in the given paths.\n")
        return EXIT_USAGE
    try:
        opts.out_dir.mkdir(parents=True, exist_ok=True)
        probe = opts.out_dir / f".write-probe-{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        err.write(
            f"error: cannot write to the output folder {opts.out_dir} ({exc.strerror}); "
            "choose another with -o.\n"
        )
        return EXIT_FAILED
    _clean_stale_temporaries(opts.out_dir)

    key = {"rules": rules.digest, "version": f"{__version__}/{SCHEMA_VERSION}"}
    manifest = {} if opts.force else _load_manifest(opts.out_dir)
    existing = set(os.listdir(opts.out_dir))  # one listing, not a look-up per file
    by_content = {
        e["sha256"]: e["name"]
        for e in manifest.values()
        if e.get("rules") == key["rules"]
        and e.get("version") == key["version"]
        and e["name"] in existing
    }
    jobs: list[_Job] = []
    copies: list[tuple[str, str, str, str]] = []  # (path, name, sha, name of the same content)
    names: dict[str, str] = {}
    # A file's hash is needed here only to compare it: with what earlier runs did (skip, reuse)
    # or with files of the same size in this run (duplicates). In a fresh output folder the
    # other files are hashed by the worker that reads them anyway, so work starts at once
    # instead of after a read of the whole inbox.
    fresh = not manifest
    sizes = {path: _size(path) for path in files} if fresh else {}
    shared = {n for n, count in Counter(sizes.values()).items() if count > 1}
    manifest_fh = (opts.out_dir / MANIFEST).open("a", encoding="utf-8")
    for path in files:
        summary.read += 1
        name = f"{path.stem}.json"
        if name in names:
            fail(
                str(path),
                f"{path}: its output {name} would overwrite the one of "
                f"{names[name]}; rename one of them.",
            )
            continue
        names[name] = str(path)
        size = sizes.get(path)
        if size is not None and size not in shared and name not in existing:
            jobs.append(_Job(str(path), name, ""))  # its worker hashes it
            continue
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            fail(str(path), _unreadable(str(path), exc))
            continue
        entry = manifest.get(name)
        if (
            entry
            and entry.get("sha256") == sha
            and entry.get("rules") == key["rules"]
            and entry.get("version") == key["version"]
            and name in existing
        ):
            summary.skipped += 1
            log({"event": "file", "path": str(path), "status": "skipped"})
            continue
        if not opts.force and name in existing and _is_reviewed(opts.out_dir / name):
            summary.skipped += 1
            log({"event": "file", "path": str(path), "status": "kept (reviewed)"})
            continue
        if sha in by_content:
            copies.append((str(path), name, sha, by_content[sha]))
            continue
        by_content[sha] = name
        jobs.append(_Job(str(path), name, sha))

    progress = _Progress(len(jobs) + len(copies), err, not (opts.quiet or opts.json_log))

    def record(result: _Result, status: str) -> None:
        progress.step()
        if not result.ok:
            fail(result.path, result.error)
            return
        if status == "written":
            summary.written += 1
        else:
            summary.reused += 1
        summary.tasks += result.tasks
        summary.without_unit += result.without_unit
        summary.without_deadline += result.without_deadline
        manifest_fh.write(
            json.dumps(
                {"name": result.name, "sha256": result.sha256, "source": result.path, **key},
                ensure_ascii=False,
            )
            + "\n"
        )
        manifest_fh.flush()
        log({"event": "file", "path": result.path, "status": status, "tasks": result.tasks})

    workers = opts.jobs or len(os.sched_getaffinity(0))
    try:
        for result in _execute(jobs, workers, opts):
            record(result, "written")
        for copy_path, name, sha, source_name in copies:
            record(_copy(copy_path, name, sha, source_name, opts.out_dir), "reused")
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        manifest_fh.close()
        _clean_stale_temporaries(opts.out_dir)  # what stopped workers had begun to write

    if not summary.interrupted:  # compact the manifest: one sorted line per output
        current = _load_manifest(opts.out_dir)
        _write_lines_atomic(opts.out_dir / MANIFEST, (current[k] for k in sorted(current)))
    _write_lines_atomic(opts.out_dir / ERRORS, summary.errors)
    summary.seconds = time.monotonic() - started
    log({"event": "summary", **{k: v for k, v in asdict(summary).items() if k != "errors"}})
    if not (opts.quiet or opts.json_log):
        out.write(_summary_table(summary, opts.out_dir))
    if summary.interrupted:
        done = summary.written + summary.reused + summary.skipped
        err.write(
            f"Interrupted: {done} of {summary.read} files are done and saved; "
            "run the same command again to finish.\n"
        )
        return EXIT_INTERRUPTED
    return EXIT_FAILED if summary.failed else EXIT_OK


def _execute(jobs: list[_Job], workers: int, opts: BatchOptions) -> Iterator[_Result]:
    if opts.cluster:  # one Dask task a file; outputs are written here, by this process
        from .cluster import execute_on_cluster

        yield from execute_on_cluster(jobs, opts)
        return
    rules_dir = str(opts.rules_dir) if opts.rules_dir else None
    if workers <= 1 or len(jobs) <= 1:
        _init_worker_in_process(rules_dir, str(opts.out_dir), opts.review)
        for job in jobs:
            yield _work(job)
        return
    segmenter()  # load the segmenter once here: forked workers inherit it
    gc.freeze()  # and keep the collector from touching (so copying) the inherited pages
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(
        min(workers, len(jobs)), _init_worker, (rules_dir, str(opts.out_dir), opts.review)
    )
    try:
        yield from pool.imap_unordered(_work, jobs, chunksize=16)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _init_worker_in_process(rules_dir: str | None, out_dir: str, review: bool) -> None:
    global _RULES, _OUT, _REVIEW
    _RULES = cached_rules(rules_dir)
    _OUT = Path(out_dir)
    _REVIEW = review


def _copy(path: str, name: str, sha: str, source_name: str, out_dir: Path) -> _Result:
    """Reuse the output of identical content under this file's own name and path."""
    try:
        data = json.loads((out_dir / source_name).read_text(encoding="utf-8"))
        data["source"]["path"] = path
        write_json_atomic(out_dir / name, data)
    except (OSError, ValueError, KeyError) as exc:
        return _Result(path, name, sha, False, error=f"{path}: cannot reuse {source_name} ({exc}).")
    tasks = data.get("tasks", [])
    return _Result(
        path,
        name,
        sha,
        True,
        len(tasks),
        sum(1 for t in tasks if not t["units"]),
        sum(1 for t in tasks if not (t["deadline"] or {}).get("date")),
    )


def _summary_table(s: Summary, out_dir: Path) -> str:
    rate = (s.written + s.reused) / s.seconds if s.seconds else 0.0
    rows = [
        ("files read", s.read, ""),
        ("  written", s.written, ""),
        ("  skipped", s.skipped, "unchanged since the last run"),
        ("  reused", s.reused, "same content as another file"),
        ("  failed", s.failed, f"listed in {out_dir / ERRORS}" if s.failed else ""),
        ("tasks found", s.tasks, ""),
        ("  without unit", s.without_unit, ""),
        ("  without deadline", s.without_deadline, ""),
    ]
    lines = [f"{label:<20}{value:>8}  {note}".rstrip() for label, value, note in rows]
    lines.append(f"{'time':<20}{s.seconds:>8.1f}  s ({rate:.1f} files/s)")
    return "\n".join(lines) + "\n"
