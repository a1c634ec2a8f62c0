"""The batch's workers: one file a job, in this process or in worker processes the parent
watches.

Each worker process takes one job at a time over its own pipe. The parent waits on the pipes
and on the processes themselves, so a worker that dies (SIGKILL from the OOM killer, a crash in
a library) or that is still busy when its file's wall-clock budget runs out is found at once:
it is killed and replaced, its file gets an error, and the batch goes on.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from .errors import ExtractorError
from .ingest import ingest_bytes
from .limits import Limits, applied, check_tasks, check_text, limit_error, read_limited
from .models import Notice
from .nlp import segmenter
from .pipeline import extract_document
from .render import notice_to_dict, write_json_atomic
from .rules import RuleSet, cached_rules

__all__ = [
    "Job",
    "Result",
    "WorkerSetup",
    "init_in_process",
    "run_in_process",
    "run_supervised",
    "too_slow",
]


@dataclass(frozen=True)
class Job:  # the worker reads the file again: the parent never holds more than one file
    path: str
    name: str
    sha256: str


@dataclass(frozen=True)
class Result:
    path: str
    name: str
    sha256: str
    ok: bool
    tasks: int = 0
    without_unit: int = 0
    without_deadline: int = 0
    error: str = ""


@dataclass(frozen=True)
class WorkerSetup:
    rules_dir: str | None
    out_dir: str
    review: bool
    limits: Limits


def internal_error(path: str, exc: Exception) -> str:
    """What a bug in the tool says about the one file it cost."""
    return f"{path}: internal error ({type(exc).__name__}: {exc}); please report it with this file."


def succeeded(job: Job, notice: Notice) -> Result:
    """The result line of a file read: its tasks, and those without a unit or a date."""
    tasks = notice.tasks
    return Result(
        job.path,
        job.name,
        job.sha256,
        True,
        len(tasks),
        sum(1 for t in tasks if not t.units),
        sum(1 for t in tasks if t.deadline is None or t.deadline.date is None),
    )


def unreadable(path: str, exc: OSError) -> str:
    return f"{path}: cannot be read ({exc.strerror})."


# ------------------------------------------------------------------ one job
_RULES: RuleSet | None = None
_SETUP: WorkerSetup | None = None


def init_in_process(setup: WorkerSetup) -> None:
    global _RULES, _SETUP
    _RULES = cached_rules(setup.rules_dir)
    _SETUP = setup


def work(job: Job) -> Result:
    """Read, extract and write one file; every failure is a Result, never an exception."""
    assert _RULES is not None and _SETUP is not None, "worker not initialised"
    out = Path(_SETUP.out_dir)
    try:
        raw = read_limited(job.path, _SETUP.limits)
    except OSError as exc:
        return Result(job.path, job.name, job.sha256, False, error=unreadable(job.path, exc))
    except ExtractorError as exc:
        return Result(job.path, job.name, job.sha256, False, error=str(exc))
    sha = hashlib.sha256(raw).hexdigest()
    if sha != job.sha256:  # changed since it was hashed: record what was processed
        job = replace(job, sha256=sha)
    try:
        with applied(_SETUP.limits):
            document = ingest_bytes(raw, job.path)
        check_text(len(document.text), job.path, _SETUP.limits)
        notice = extract_document(document, _RULES)
        check_tasks(len(notice.tasks), job.path, _SETUP.limits)
        data = notice_to_dict(notice)
        write_json_atomic(out / job.name, data)
        if _SETUP.review:
            from .atomic import write_atomic
            from .review import render_review

            page = out / f"{Path(job.name).stem}.review.html"
            write_atomic(page, render_review(data, job.name).encode("utf-8"))
    except ExtractorError as exc:
        return Result(job.path, job.name, job.sha256, False, error=str(exc))
    except OSError as exc:
        return Result(
            job.path,
            job.name,
            job.sha256,
            False,
            error=f"{job.path}: cannot write {out / job.name} ({exc.strerror}).",
        )
    except Exception as exc:  # a bug must cost one file, never the batch
        return Result(job.path, job.name, job.sha256, False, error=internal_error(job.path, exc))
    return succeeded(job, notice)


def run_in_process(jobs: list[Job], setup: WorkerSetup) -> Iterator[Result]:
    init_in_process(setup)
    for job in jobs:
        yield work(job)


# ------------------------------------------------------------------ worker processes
def _serve(conn: Connection, setup: WorkerSetup, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    os.setpgid(0, 0)  # (the parent does it too: whichever comes first)
    _die_with(parent)
    init_in_process(setup)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the parent is gone
            return
        if job is None:
            return
        conn.send(work(job))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    jobs: deque[Job] = field(default_factory=deque)  # sent, not answered: the first is read
    started: float = 0.0  # when the first of them began


def run_supervised(jobs: list[Job], workers: int, setup: WorkerSetup) -> Iterator[Result]:
    """Results of `jobs` (in the order they finish) from `workers` watched processes.

    A lone worker is sent its next file before it answers the one it reads, so it never waits
    for this process to record a result (with two cores, --jobs 1 then runs the recording and
    the reading side by side); with several workers each holds one, so that no file waits
    behind a long one while another worker is free."""
    if not jobs:
        return
    segmenter()  # load the segmenter once here: forked workers inherit it
    gc.freeze()  # and keep the collector from touching (so copying) the inherited pages
    ctx = multiprocessing.get_context("fork")
    budget = setup.limits.seconds
    pending = deque(jobs)
    ahead = 2 if workers == 1 else 1

    def start() -> _Worker:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child, setup, os.getpid()), daemon=True)
        process.start()
        child.close()
        with contextlib.suppress(OSError):  # its own group: stopped with the programs it runs
            os.setpgid(process.pid or 0, 0)
        return _Worker(process, parent)

    def give(worker: _Worker) -> None:
        while pending and len(worker.jobs) < ahead:
            job = pending.popleft()
            if not worker.jobs:
                worker.started = time.monotonic()
            worker.jobs.append(job)
            with contextlib.suppress(OSError):  # dead already: the loop below reports it
                worker.conn.send(job)

    pool = [start() for _ in range(min(workers, len(jobs)))]
    try:
        for worker in pool:
            give(worker)
        while busy := [w for w in pool if w.jobs]:
            timeout = None
            if budget:
                timeout = max(0.0, min(w.started for w in busy) + budget - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
            for i, worker in enumerate(pool):
                if not worker.jobs:
                    continue
                job = worker.jobs[0]
                result = None
                if worker.conn in ready:
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        result = None  # it died while answering
                if result is not None:
                    worker.jobs.popleft()
                    worker.started = time.monotonic()  # the next one it holds begins now
                    give(worker)
                    yield result
                    continue
                over = budget and time.monotonic() - worker.started >= budget
                if not (over or worker.process.sentinel in ready or worker.conn in ready):
                    continue
                error = too_slow(job, budget) if over else _lost(job, worker)
                _stop(worker)
                worker.jobs.popleft()
                pending.extendleft(reversed(worker.jobs))  # held, not begun: read elsewhere
                worker.jobs.clear()
                if pending:  # a new worker in its place
                    pool[i] = start()
                    give(pool[i])
                yield Result(job.path, job.name, job.sha256, False, error=error)
    finally:
        for worker in pool:
            _stop(worker)


def too_slow(job: Job, budget: float) -> str:
    """What a file over its wall-clock budget says (its worker was stopped)."""
    found = f"was still being read after {budget:g} s (its worker was stopped)"
    return str(limit_error(job.path, "seconds", found, budget))


def _lost(job: Job, worker: _Worker) -> str:
    worker.process.join(1)
    code = worker.process.exitcode
    how = f"exit code {code}"
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        how = f"killed by {name}" + (
            ", as the system does when memory runs out" if name == "SIGKILL" else ""
        )
    return (
        f"{job.path}: the worker reading it stopped ({how}); the file was not processed. "
        "The other files go on; if it happens again with this file, please report it."
    )


def _stop(worker: _Worker) -> None:
    """Stop a worker and what it runs (LibreOffice, Tesseract): its whole process group."""
    pid = worker.process.pid
    if pid and worker.process.exitcode is None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            worker.process.kill()
    worker.process.join(5)
    worker.conn.close()


def _die_with(parent: int) -> None:
    """Linux: this worker gets SIGKILL when the parent ends, however it ends (a worker is in a
    process group of its own, so a signal to the parent's group does not reach it)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)
