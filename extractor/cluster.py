"""Batch runs on a Dask distributed cluster: `extractor run ... --cluster tcp://HOST:8786`, or
`--cluster local:N` for N workers on this machine.

The unit of work is one file, or one page of OCR: each file is first one task (`read_file`,
extractor/cluster_tasks.py); a PDF with two pages or more to OCR answers with their numbers,
and is then sent as one task a page (`read_page`: render and Tesseract), spread over the
workers, and one task reading the file from their lines in page order (`read_pages`), which
the pages' tasks come before and which runs before new files (a higher priority). PDF reading
has one way, `ingest.pdf`'s three steps, whether its pages are OCR'd here or elsewhere.

A Dask worker reads the input at its absolute path (a folder mounted at the same place on
every machine), or is sent its bytes when that path is not there; it returns the JSON text (and
the review page) and never writes. The coordinating process writes every output atomically and
the batch then appends its manifest line, exactly as with `--jobs`, so the outputs are byte for
byte those of `--jobs 1`. Each worker checks that it runs the coordinator's version and rules:
a worker that does not gets no output written.

A worker lost mid-task (killed, machine gone) has its tasks, pages included, rescheduled by
Dask on the others, and the results it held computed again; a task whose workers die
`distributed.scheduler.allowed-failures` times (3 by default) fails its file, never retried
forever. Each file is answered once, by its last future, so nothing is lost or doubled.
`--max-seconds` holds as with `--jobs` (extractor/cluster_budget.py): a file whose tasks have
run that long, added up, fails with the same sentence, and the workers running it are
restarted. Dask is an optional extra: `pip install 'extractor[cluster]'`.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .atomic import write_atomic
from .batch import BatchOptions
from .cluster_budget import Budget
from .cluster_tasks import Output, read_file, read_page, read_pages, stamp
from .errors import ExtractorError
from .limits import read_limited
from .rules import cached_rules
from .workers import Job, Result, too_slow, unreadable

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["INSTALL", "ClusterError", "cluster_problem", "execute_on_cluster"]

INSTALL = "pip install 'extractor[cluster]'"
LOCAL = re.compile(r"local:([1-9]\d{0,3})")
ADDRESS = re.compile(r"(?:[a-z]+://)?[\w.\-\[\]:]+:\d{1,5}")
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
WORKER_TIMEOUT = 60.0  # seconds for a first worker to join it


class ClusterError(ExtractorError):
    """The cluster cannot be used (no scheduler, no workers), or was lost during the run."""

    code = "E400"

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # 2: nothing was done; 1: lost during the run


def cluster_problem(spec: str) -> str | None:
    """What is wrong with `--cluster SPEC`, checked before any work starts; None if nothing."""
    if not (LOCAL.fullmatch(spec) if spec.startswith("local:") else ADDRESS.fullmatch(spec)):
        return (
            f"--cluster takes the address of a Dask scheduler (tcp://HOST:8786) or local:N "
            f"(N workers on this machine), not {spec!r}."
        )
    try:
        import distributed  # noqa: F401
    except ImportError:
        return f"--cluster needs Dask, which is not installed: {INSTALL}"
    return None


# ------------------------------------------------------------------ worker side
def dask_setup(worker: object) -> None:
    """Run by each worker of `--cluster local:N` as it starts (its `preload`): the workers
    share the terminal of the command, whose Ctrl-C stops them through the coordinator."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ------------------------------------------------------------------ coordinator side
@contextmanager
def _client(spec: str) -> Iterator[Client]:
    """A client of the cluster, whose own logs stay quiet: what goes wrong is said here, once,
    in a sentence (a lost scheduler would otherwise print a traceback per reconnection)."""
    import distributed  # noqa: F401  (its loggers exist once it is imported)

    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
    levels = {name: logging.getLogger(name).level for name in ["distributed", *names]}
    for name in levels:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        with _connect(spec) as client:
            yield client
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@contextmanager
def _connect(spec: str) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    local = LOCAL.fullmatch(spec)
    if local:
        try:
            cluster = LocalCluster(
                n_workers=int(local[1]),
                threads_per_worker=1,  # Tesseract runs one thread a page (OMP_THREAD_LIMIT=1)
                preload=[__name__],  # dask_setup below
                dashboard_address=":0",  # any free port: never a clash with another cluster
                silence_logs=logging.CRITICAL,
            )
        except Exception as exc:  # a worker process that cannot start (its imports fail)
            raise ClusterError(
                f"cannot start {local[1]} local Dask workers ({type(exc).__name__}: {exc})."
            ) from exc
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(spec, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {spec} ({exc}). Start it with `dask scheduler` "
            f"and a worker on each machine with `dask worker {spec}`, or use --cluster local:N."
        ) from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except TimeoutError as exc:
            raise ClusterError(
                f"the Dask scheduler at {spec} has no worker after {WORKER_TIMEOUT:.0f} s; "
                f"start one on each machine with `dask worker {spec} --nthreads 1`."
            ) from exc
        yield client


def _outcome(future: Future, job: Job, spec: str, written: int) -> Output:
    from distributed import KilledWorker

    try:
        output: Output = future.result()
    except (CancelledError, OSError) as exc:  # the connection to the scheduler, not the file
        raise ClusterError(
            f"lost the Dask scheduler at {spec} ({type(exc).__name__}) after {written} files, "
            "which are saved; run the same command again to finish.",
            exit_code=1,
        ) from exc
    except KilledWorker:
        error = (
            f"{job.path}: every Dask worker that took it died before finishing (a file may need "
            "more memory than a worker has); see the workers' logs, or run it alone with --jobs 1."
        )
    except Exception as exc:  # the cluster's own failure: this file only
        error = f"{job.path}: the Dask cluster could not process it ({type(exc).__name__}: {exc})."
    else:
        return output
    return Output(Result(job.path, job.name, job.sha256, False, error=error))


def _save(output: Output, expected: str, opts: BatchOptions) -> Result:
    """Write a worker's output here, in the coordinating process."""
    result = output.result
    if not result.ok:
        return result
    if output.stamp != expected:
        return replace(
            result,
            ok=False,
            error=f"{result.path}: a Dask worker runs extractor and rules {output.stamp}, this "
            f"machine {expected}; install the same version and rules on every worker.",
        )
    target = opts.out_dir / result.name
    try:
        write_atomic(target, output.json.encode("utf-8"))
        if opts.review:
            write_atomic(target.with_name(f"{target.stem}.review.html"), output.page.encode())
    except OSError as exc:
        return replace(
            result, ok=False, error=f"{result.path}: cannot write {target} ({exc.strerror})."
        )
    return result


@dataclass
class _CtrlC:
    seen: bool = False
    busy: bool = False  # a result being written and recorded: Ctrl-C waits for its end


@contextmanager
def _interrupts() -> Iterator[_CtrlC]:
    """Ctrl-C while results come in: noted as well as raised, so that one raised inside a
    finalizer (where Python only prints it) still stops the run at the next result, and one
    that comes while a result is written and recorded stops it once that is done."""
    state = _CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def on_sigint(signum: int, frame: Any) -> None:
        state.seen = True
        if not state.busy:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class _File:
    """A file on the cluster: its job, where the workers read it, and its pages' futures
    (held until the file is answered)."""

    job: Job
    source: str | Future  # its absolute path, or its bytes sent to the cluster
    pages: list[Future] = field(default_factory=list)


class _Dispatch:
    """The files' futures: each file's first task (`read_file`), then, as its answer asks,
    its bytes sent or its pages OCR'd one task each; each file answered once."""

    def __init__(self, client: Client, budget: Budget, opts: BatchOptions) -> None:
        self.client, self.budget, self.opts = client, budget, opts
        self.spec = opts.cluster or ""
        self.rules_dir = str(opts.rules_dir.resolve()) if opts.rules_dir else None
        self.stamp = stamp(cached_rules(str(opts.rules_dir) if opts.rules_dir else None))
        self.files: dict[str, _File] = {}  # by the key of the future it waits on
        self.written = 0

    def start(self, jobs: list[Job]) -> list[Future]:
        paths = [os.path.abspath(job.path) for job in jobs]
        futures: list[Future] = self.client.map(
            read_file,
            jobs,
            paths,
            rules_dir=self.rules_dir,
            review=self.opts.review,
            limits=self.opts.limits,
            pure=False,
        )
        for future, job, path in zip(futures, jobs, paths, strict=True):
            self.files[future.key] = _File(job, path)
            self.budget.add(job.name, [future])
        return futures

    def answer(self, future: Future) -> Result | Future:
        """The result of the file whose `future` is done, or the next future it waits on."""
        file = self.files.pop(future.key)
        job = file.job
        if self.budget.expired(job.name):
            future.release()
            return self._too_slow(job)
        output = _outcome(future, job, self.spec, self.written)
        future.release()
        if output.missing:  # no shared folder there: the bytes go to the workers instead
            return self._send_bytes(job)
        if output.pages:
            return self._split(_File(_job_of(output), file.source), output.pages)
        if self.budget.done(job.name):
            return self._too_slow(job)
        result = _save(output, self.stamp, self.opts)
        self.written += result.ok
        return result

    def _too_slow(self, job: Job) -> Result:
        """The result of a file whose tasks ran past --max-seconds (cluster_budget.py)."""
        error = too_slow(job, self.budget.seconds)
        return Result(job.path, job.name, job.sha256, False, error=error)

    def _send_bytes(self, job: Job) -> Result | Future:
        try:
            raw = read_limited(job.path, self.opts.limits)
        except ExtractorError as exc:
            self.budget.done(job.name)
            return Result(job.path, job.name, job.sha256, False, error=str(exc))
        except OSError as exc:
            self.budget.done(job.name)
            return Result(job.path, job.name, job.sha256, False, error=unreadable(job.path, exc))
        data = self.client.scatter(raw)
        opts = self.opts
        retry = self.client.submit(
            read_file, job, data, self.rules_dir, opts.review, opts.limits, pure=False
        )
        return self._wait(_File(job, data), retry, [retry])

    def _split(self, file: _File, numbers: tuple[int, ...]) -> Result | Future:
        """One task a page to OCR, then one reading the file from them; a file begun is
        finished before new files start (a higher priority)."""
        opts, submit = self.opts, self.client.submit
        file.pages = [
            submit(read_page, file.job, file.source, n, opts.limits, pure=False, priority=1)
            for n in numbers
        ]
        whole = submit(
            read_pages,
            file.job,
            file.source,
            self.rules_dir,
            opts.review,
            opts.limits,
            file.pages,
            pure=False,
            priority=1,
        )
        return self._wait(file, whole, [*file.pages, whole])

    def _wait(self, file: _File, future: Future, futures: list[Future]) -> Result | Future:
        job = file.job
        if not self.budget.add(job.name, futures):
            self.client.cancel(futures)
            return self._too_slow(job)
        self.files[future.key] = file
        return future


def _job_of(output: Output) -> Job:
    """The job of a file a worker has read: its path, output name and the sha256 it found."""
    result = output.result
    return Job(result.path, result.name, result.sha256)


def execute_on_cluster(jobs: list[Job], opts: BatchOptions) -> Iterator[Result]:
    """Run `jobs` on the cluster `opts.cluster`, yielding each result once its output is
    written; raises ClusterError when the cluster cannot be reached."""
    if not jobs or opts.cluster is None:
        return
    from distributed import as_completed

    with _client(opts.cluster) as client, Budget(client, opts.limits.seconds) as budget:
        dispatch = _Dispatch(client, budget, opts)
        done = as_completed(dispatch.start(jobs))  # it holds each future until it is done
        with _interrupts() as ctrl_c:
            for future in done:
                if ctrl_c.seen:
                    raise KeyboardInterrupt  # Ctrl-C came while a finalizer ran: stop now
                ctrl_c.busy = True
                answer = dispatch.answer(future)
                if isinstance(answer, Result):
                    yield answer  # the batch records it before it asks for the next
                else:
                    done.add(answer)
                ctrl_c.busy = False
                if ctrl_c.seen:
                    raise KeyboardInterrupt
            if ctrl_c.seen:
                raise KeyboardInterrupt
