"""What a Dask worker runs for `run --cluster` (extractor/cluster.py sends it): one file, or
one page of a scanned PDF and then the file from its pages.

- `read_file`: one file whole, as a `--jobs` worker reads it. A PDF with two pages or more to
  OCR is not read here: the answer names those pages (`pdf.ocr_plan`), for the coordinator to
  send each to `read_page` and then the file to `read_pages`.
- `read_page`: one page's OCR (`pdf.ocr_page`: render and Tesseract, through the OCR cache).
- `read_pages`: the file from its pages' OCR lines, in page order (`ingest_bytes(ocr_done=)`),
  then extracted as `read_file` does: the same bytes as `--jobs 1`.

No task writes anything: each returns what the coordinator writes. A task's source is the
input's absolute path (a folder every machine mounts) or its bytes. When the batch has a
wall-clock budget (`--max-seconds`), each task tells the coordinator when it starts and ends
(a Dask event on TOPIC), which is how the coordinator knows what runs where, and for how long.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from . import __version__
from .errors import ExtractorError
from .ingest import ingest_bytes
from .ingest.lines import Line
from .ingest.pdf import ocr_page, ocr_plan
from .limits import Limits, applied, check_tasks, check_text, read_limited
from .pipeline import extract_document
from .render import SCHEMA_VERSION, dumps, notice_to_dict
from .rules import RuleSet, cached_rules
from .workers import Job, Result, internal_error, succeeded, unreadable

__all__ = ["TOPIC", "Output", "Page", "read_file", "read_page", "read_pages", "stamp"]

TOPIC = "extractor-task"  # the Dask event topic of tasks starting and ending
SPLIT = 2  # a PDF with this many pages to OCR or more is read one Dask task a page


@dataclass(frozen=True)
class Output:
    """A file's answer: its result line, and its JSON (and review page) when it was read."""

    result: Result
    json: str = ""
    page: str = ""  # the review page, when asked for
    stamp: str = ""  # the version and rules the worker ran
    missing: bool = False  # the path is not there on the worker: send it the bytes
    pages: tuple[int, ...] = ()  # a PDF's pages to OCR one task each, before `read_pages`


@dataclass(frozen=True)
class Page:
    """One page's OCR: its lines, or why it could not be read."""

    number: int
    lines: tuple[Line, ...] = ()
    error: str = ""
    missing: bool = False  # the path is not there on its worker


def stamp(rules: RuleSet) -> str:
    """The version and rules a worker runs, which must be the coordinator's."""
    return f"{__version__}/{SCHEMA_VERSION}/{rules.digest}"


def _read(path: str, limits: Limits) -> bytes:
    return read_limited(path, limits)


@contextmanager
def _timed(limits: Limits) -> Iterator[None]:
    """Tell the coordinator that this task starts, and then that it ends (when it ends: a
    task stopped with its worker never says so)."""
    if not limits.seconds:
        yield
        return
    from distributed import get_worker

    worker = get_worker()
    key = str(worker.get_current_task())
    worker.log_event(TOPIC, {"key": key, "worker": worker.address, "state": "start"})
    try:
        yield
    finally:
        worker.log_event(TOPIC, {"key": key, "worker": worker.address, "state": "end"})


def _failed(job: Job, error: str, missing: bool = False) -> Output:
    return Output(Result(job.path, job.name, job.sha256, False, error=error), missing=missing)


def _source(job: Job, source: str | bytes, limits: Limits) -> tuple[Job, bytes | Output]:
    """The input's bytes (and the job with their sha256), or the Output saying why not. A file
    split in pages is read again by each task: it must still be the file its pages came from."""
    try:
        raw = source if isinstance(source, bytes) else _read(source, limits)
    except ExtractorError as exc:
        return job, _failed(job, str(exc))
    except FileNotFoundError as exc:
        return job, _failed(job, unreadable(job.path, exc), missing=True)
    except OSError as exc:
        return job, _failed(job, unreadable(job.path, exc))
    sha = hashlib.sha256(raw).hexdigest()
    if job.sha256 and sha != job.sha256:  # a page's task reads another file than the first
        return job, _failed(job, f"{job.path}: changed while it was read; run the command again.")
    return replace(job, sha256=sha), raw


def read_file(
    job: Job, source: str | bytes, rules_dir: str | None, review: bool, limits: Limits
) -> Output:
    """One file, or the pages of a scanned PDF to OCR one task each (`Output.pages`)."""
    with _timed(limits):
        job, raw = _source(replace(job, sha256=""), source, limits)
        if isinstance(raw, Output):
            return raw
        if job.path.lower().endswith(".pdf"):
            try:
                with applied(limits):
                    plan = ocr_plan(raw, job.path)
            except ExtractorError as exc:
                return _failed(job, str(exc))
            except Exception as exc:  # a bug must cost one file, never the batch
                return _failed(job, internal_error(job.path, exc))
            if len(plan) >= SPLIT:
                return Output(Result(job.path, job.name, job.sha256, False), pages=_numbers(plan))
        return _extract(job, raw, rules_dir, review, limits, None)


def _numbers(plan: tuple[tuple[int, str], ...]) -> tuple[int, ...]:
    return tuple(number for number, _ in plan)


def read_page(job: Job, source: str | bytes, number: int, limits: Limits) -> Page:
    """Page `number` of the PDF of `job` read by OCR."""
    with _timed(limits):
        job, raw = _source(job, source, limits)
        if isinstance(raw, Output):
            return Page(number, error=raw.result.error, missing=raw.missing)
        try:
            with applied(limits):
                return Page(number, tuple(ocr_page(raw, number, job.path)))
        except ExtractorError as exc:
            return Page(number, error=str(exc))
        except Exception as exc:  # a bug must cost one file, never the batch
            return Page(number, error=internal_error(job.path, exc))


def read_pages(
    job: Job,
    source: str | bytes,
    rules_dir: str | None,
    review: bool,
    limits: Limits,
    pages: list[Page],
) -> Output:
    """The file of `job` from its pages' OCR (the first page that failed fails it)."""
    with _timed(limits):
        for page in sorted(pages, key=lambda p: p.number):
            if page.error:
                return _failed(job, page.error, missing=page.missing)
        job, raw = _source(job, source, limits)
        if isinstance(raw, Output):
            return raw
        done = {page.number: list(page.lines) for page in pages}
        return _extract(job, raw, rules_dir, review, limits, done)


def _extract(
    job: Job,
    raw: bytes,
    rules_dir: str | None,
    review: bool,
    limits: Limits,
    ocr_done: dict[int, list[Line]] | None,
) -> Output:
    """Ingest and extract as a `--jobs` worker does (workers.work), but return the output."""
    try:
        rules = cached_rules(rules_dir)
        with applied(limits):
            document = ingest_bytes(raw, job.path, ocr_done=ocr_done)
        check_text(len(document.text), job.path, limits)
        notice = extract_document(document, rules)
        check_tasks(len(notice.tasks), job.path, limits)
        data = notice_to_dict(notice)
        page = ""
        if review:
            from .review import render_review

            page = render_review(data, job.name)
    except ExtractorError as exc:
        return _failed(job, str(exc))
    except Exception as exc:  # a bug must cost one file, never the batch
        return _failed(job, internal_error(job.path, exc))
    return Output(succeeded(job, notice), dumps(data), page, stamp(rules))
