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

import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .discover import INPUT_SUFFIXES, discover
from .errors import ExtractorError, MissingTool
from .ingest import SUFFIXES, unsupported
from .limits import Limits, read_limited
from .outdir import (
    ERRORS,
    MANIFEST,
    SUPERSEDED,
    FolderBusy,
    Manifest,
    clean_stale_temporaries,
    is_reviewed,
    load_manifest,
    locked,
    read_json,
    write_lines,
)
from .render import SCHEMA_VERSION, write_json_atomic
from .rules import cached_rules
from .workers import Job, Result, WorkerSetup, run_in_process, run_supervised, unreadable

__all__ = ["INPUT_SUFFIXES", "BatchOptions", "Summary", "discover", "run_batch"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# the names extractor/cluster.py imports from here
_Job = Job
_Result = Result
_unreadable = unreadable


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
    limits: Limits = field(default_factory=Limits)  # what one file may cost (limits.py)
    skip_missing_tools: bool = False  # files needing a program not installed: left out, not failed


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    skipped: int = 0
    reused: int = 0
    failed: int = 0
    left_out: int = 0  # needing a program not installed (skip_missing_tools)
    tasks: int = 0
    without_unit: int = 0
    without_deadline: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    errors: list[dict[str, str]] = field(default_factory=list)


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


def run_batch(opts: BatchOptions, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Process every notice under `opts.paths` into `opts.out_dir`; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        rules = cached_rules(str(opts.rules_dir) if opts.rules_dir else None)
    except ExtractorError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_USAGE
    files = discover(opts.paths, opts.out_dir)
    if not files:
        err.write("error: no notices (.txt, .html, .docx, .pdf, images) in the given paths.\n")
        return EXIT_USAGE
    try:
        opts.out_dir.mkdir(parents=True, exist_ok=True)
        with locked(opts.out_dir):
            return _Run(opts, rules.digest, out, err).run(files)
    except FolderBusy as exc:
        err.write(f"error: {exc}\n")
        return EXIT_FAILED
    except OSError as exc:
        err.write(
            f"error: cannot write to {exc.filename or opts.out_dir} ({exc.strerror}); make it "
            "writable or choose another output folder with -o.\n"
        )
        return EXIT_FAILED


class _Run:
    """One batch run, in its steps: plan (skip, reuse, or work), execute, record, finish."""

    def __init__(self, opts: BatchOptions, rules_digest: str, out: TextIO, err: TextIO) -> None:
        self.opts, self.out, self.err = opts, out, err
        self.started = time.monotonic()
        self.summary = Summary()
        self.order: dict[str, int] = {}  # each input's place in the run, for errors.jsonl
        self.key = {"rules": rules_digest, "version": f"{__version__}/{SCHEMA_VERSION}"}

    def log(self, event: dict[str, Any]) -> None:
        if self.opts.json_log:
            self.out.write(json.dumps(event, ensure_ascii=False) + "\n")

    def fail(self, path: str, message: str) -> None:
        self.summary.failed += 1
        self.summary.errors.append({"path": path, "error": message})
        self.log({"event": "file", "path": path, "status": "failed", "error": message})
        if not self.opts.json_log:
            self.err.write(f"error: {message}\n")

    def run(self, files: list[Path]) -> int:
        opts, summary = self.opts, self.summary
        self.order = {str(p): i for i, p in reversed(list(enumerate(files)))}
        clean_stale_temporaries(opts.out_dir)  # under the lock: no other run's temporaries
        manifest = {} if opts.force else load_manifest(opts.out_dir)
        self.manifest = Manifest(opts.out_dir)
        jobs, copies = self.plan(files, manifest)
        self.progress = _Progress(
            len(jobs) + len(copies), self.err, not (opts.quiet or opts.json_log)
        )
        workers = opts.jobs or len(os.sched_getaffinity(0))
        try:
            for result in _execute(jobs, workers, opts):
                self.record(result, "written")
            for copy_path, name, sha, source_name in copies:
                self.record(_copy(copy_path, name, sha, source_name, opts.out_dir), "reused")
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            self.manifest.close()
            clean_stale_temporaries(opts.out_dir)  # what stopped workers had begun to write
        return self.finish()

    def plan(
        self, files: list[Path], manifest: dict[str, dict[str, Any]]
    ) -> tuple[list[_Job], list[tuple[str, str, str, str]]]:
        """Which files to extract (jobs) and which to copy from an output of equal content."""
        opts, key = self.opts, self.key
        existing = set(os.listdir(opts.out_dir))  # one listing, not a look-up per file
        current = {
            name: e
            for name, e in manifest.items()
            if e.get("rules") == key["rules"]
            and e.get("version") == key["version"]
            and name in existing
        }
        by_content = {e.get("sha256"): name for name, e in current.items()}
        jobs: list[_Job] = []
        copies: list[tuple[str, str, str, str]] = []  # (path, name, sha, name of same content)
        names: dict[str, str] = {}
        # A file's hash is needed here only to compare it: with what earlier runs did (skip,
        # reuse) or with files of the same size in this run (duplicates). In a fresh output
        # folder the other files are hashed by the worker that reads them anyway, so work
        # starts at once instead of after a read of the whole inbox.
        sizes = {path: _size(path) for path in files} if not manifest else {}
        shared = {n for n, count in Counter(sizes.values()).items() if count > 1}
        for path in files:
            self.summary.read += 1
            if path.suffix.lower() not in SUFFIXES:  # named with its reason, never read
                self.fail(str(path), str(unsupported(path)))
                continue
            name = f"{path.stem}.json"
            if name in names:
                self.fail(
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
                sha = hashlib.sha256(read_limited(path, opts.limits)).hexdigest()
            except OSError as exc:
                self.fail(str(path), _unreadable(str(path), exc))
                continue
            except ExtractorError as exc:
                self.fail(str(path), str(exc))
                continue
            if name in current and current[name].get("sha256") == sha:
                self.skip(path, "skipped")
                continue
            if not opts.force and name in existing and self.keep_reviewed(path, name, sha):
                continue
            if sha in by_content:
                copies.append((str(path), name, sha, by_content[sha]))
                continue
            by_content[sha] = name
            jobs.append(_Job(str(path), name, sha))
        return jobs, copies

    def skip(self, path: Path, status: str) -> None:
        self.summary.skipped += 1
        self.log({"event": "file", "path": str(path), "status": status})

    def keep_reviewed(self, path: Path, name: str, sha: str) -> bool:
        """A person corrected this output: a run never overwrites it. Made from other content
        (the notice was replaced), it is moved to `superseded/` and the new notice is read.
        True when the file needs nothing more (kept, or failed because it cannot be moved)."""
        reviewed, made_from = is_reviewed(self.opts.out_dir / name)
        if not reviewed:
            return False
        if made_from == sha:
            self.skip(path, "kept (reviewed)")
            return True
        kept = self.opts.out_dir / SUPERSEDED / f"{Path(name).stem}.{made_from[:12] or 'old'}.json"
        try:
            kept.parent.mkdir(exist_ok=True)
            os.replace(self.opts.out_dir / name, kept)
        except OSError as exc:
            self.fail(
                str(path),
                f"{path}: is not the notice whose output {name} was reviewed, and the reviewed "
                f"output cannot be moved to {kept.parent} ({exc.strerror}); move it yourself.",
            )
            return True
        if not self.opts.json_log:
            self.err.write(
                f"note: {path} is not the notice whose output {name} was reviewed; "
                f"the reviewed output is kept as {kept}.\n"
            )
        return False

    def record(self, result: _Result, status: str) -> None:
        self.progress.step()
        if not result.ok and self.opts.skip_missing_tools and MissingTool.said_in(result.error):
            self.summary.left_out += 1
            self.log({"event": "file", "path": result.path, "status": "left out"})
            if not self.opts.json_log:
                self.err.write(f"left out: {result.error}\n")
            return
        if not result.ok:
            self.fail(result.path, result.error)
            return
        entry = {"name": result.name, "sha256": result.sha256, "source": result.path, **self.key}
        try:
            self.manifest.add(entry)
        except OSError as exc:
            self.fail(
                result.path,
                f"{result.path}: its output is written but cannot be recorded in "
                f"{self.manifest.path} ({exc.strerror}); the next run does it again.",
            )
            return
        summary = self.summary
        if status == "written":
            summary.written += 1
        else:
            summary.reused += 1
        summary.tasks += result.tasks
        summary.without_unit += result.without_unit
        summary.without_deadline += result.without_deadline
        self.log({"event": "file", "path": result.path, "status": status, "tasks": result.tasks})

    def finish(self) -> int:
        opts, summary = self.opts, self.summary
        # first the errors (what the reader of a failed run needs), in the order of the inputs
        # whatever order the workers finished in: a run's errors.jsonl is the same every time
        errors = sorted(summary.errors, key=lambda e: self.order.get(e["path"], len(self.order)))
        try:
            write_lines(opts.out_dir / ERRORS, errors)
        except OSError as exc:
            self.err.write(
                f"error: cannot write {opts.out_dir / ERRORS} ({exc.strerror}); the errors "
                "of this run are the lines above.\n"
            )
        if not summary.interrupted:  # compact the manifest: one sorted line per output
            current = load_manifest(opts.out_dir)
            try:
                write_lines(opts.out_dir / MANIFEST, (current[k] for k in sorted(current)))
            except OSError as exc:
                self.err.write(
                    f"warning: cannot tidy {opts.out_dir / MANIFEST} ({exc.strerror}); "
                    "it stays as it is, which the next run reads the same.\n"
                )
        summary.seconds = time.monotonic() - self.started
        self.log(
            {"event": "summary", **{k: v for k, v in asdict(summary).items() if k != "errors"}}
        )
        if not (opts.quiet or opts.json_log):
            self.out.write(_summary_table(summary, opts.out_dir))
        if summary.interrupted:
            done = summary.written + summary.reused + summary.skipped
            self.err.write(
                f"Interrupted: {done} of {summary.read} files are done and saved; "
                "run the same command again to finish.\n"
            )
            return EXIT_INTERRUPTED
        return EXIT_FAILED if summary.failed else EXIT_OK


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None  # it is read, and fails with its reason, where it is hashed


def _execute(jobs: list[_Job], workers: int, opts: BatchOptions) -> Iterator[_Result]:
    """The one place that chooses how jobs run: a Dask cluster, this process (one worker and
    no time budget), or worker processes watched by this one."""
    if opts.cluster:  # one Dask task a file; outputs are written here, by this process
        from .cluster import execute_on_cluster

        yield from execute_on_cluster(jobs, opts)
        return
    setup = WorkerSetup(
        str(opts.rules_dir) if opts.rules_dir else None, str(opts.out_dir), opts.review, opts.limits
    )
    if workers <= 1 and not opts.limits.seconds:
        yield from run_in_process(jobs, setup)
    else:
        yield from run_supervised(jobs, workers, setup)


def _copy(path: str, name: str, sha: str, source_name: str, out_dir: Path) -> _Result:
    """Reuse the output of identical content under this file's own name and path."""
    data = read_json(out_dir / source_name)
    try:
        data["source"]["path"] = path
        write_json_atomic(out_dir / name, data)
    except (OSError, TypeError, KeyError) as exc:
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
        *([("  left out", s.left_out, "need a program not installed here")] if s.left_out else []),
        ("tasks found", s.tasks, ""),
        ("  without unit", s.without_unit, ""),
        ("  without deadline", s.without_deadline, ""),
    ]
    lines = [f"{label:<20}{value:>8}  {note}".rstrip() for label, value, note in rows]
    lines.append(f"{'time':<20}{s.seconds:>8.1f}  s ({rate:.1f} files/s)")
    return "\n".join(lines) + "\n"
