"""Batch runs: incremental, parallel (byte-identical), killed and resumed, interrupted."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.batch import BatchOptions, run_batch

from .conftest import ROOT, SHARED_EVAL

# Text and HTML notices: a batch's behaviour (skip, reuse, resume, byte-identical outputs) does
# not depend on the format, and the scans and Word 97 files of the dev set would make each copy
# cost an OCR run or a LibreOffice conversion.
BATCH_FORMATS = {".txt", ".html"}
SOURCES = [
    src
    for src in sorted((ROOT / "samples").glob("*.*"))
    + sorted((SHARED_EVAL / "dev" / "corpus").glob("*"))
    if src.suffix in BATCH_FORMATS
]


def make_corpus(folder: Path, copies: int) -> Path:
    """`copies` variants of every sample and dev notice, each with different bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        for src in SOURCES:
            data = src.read_bytes()  # as it is: a legacy encoding stays that encoding
            extra = f"\nGhi chú lưu trữ số {i} ({src.parent.name}).\n".encode()
            data = (
                data.replace(b"</body>", b"<p>" + extra + b"</p></body>")
                if src.suffix == ".html"
                else data + extra
            )
            origin = "s" if src.parent.name == "samples" else "d"
            name = f"{origin}{src.stem}-{i:03d}{src.suffix}"
            (folder / name).write_bytes(data)
    return folder


def run(paths: list[Path], out: Path, **kw: object) -> dict[str, object]:
    """Run a batch with --json-log; return the summary event."""
    import io

    buf, err = io.StringIO(), io.StringIO()
    opts = BatchOptions(paths=tuple(paths), out_dir=out, json_log=True, **kw)  # type: ignore[arg-type]
    code = run_batch(opts, out=buf, err=err)
    events = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert events, err.getvalue()
    summary = events[-1]
    assert summary["event"] == "summary"
    summary["code"] = code
    summary["files"] = {e["path"]: e["status"] for e in events if e["event"] == "file"}
    return summary


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


def test_incremental(tmp_path: Path) -> None:
    inbox = make_corpus(tmp_path / "in", 1)
    out = tmp_path / "out"
    first = run([inbox], out, jobs=1)
    n = len(SOURCES)
    assert (first["read"], first["written"], first["skipped"], first["code"]) == (n, n, 0, 0)
    again = run([inbox], out, jobs=1)
    assert (again["written"], again["skipped"]) == (0, n)

    changed = inbox / "s000-000.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "Thêm.\n", encoding="utf-8")
    (inbox / "s000-000.txt").rename(inbox / "renamed.txt")  # new name, new content: written
    shutil.copy(inbox / "d001-000.txt", inbox / "copy-of-001.txt")  # same content: reused
    third = run([inbox], out, jobs=1)
    assert (third["written"], third["reused"], third["skipped"]) == (1, 1, n - 1)
    reused = json.loads((out / "copy-of-001.json").read_text(encoding="utf-8"))
    original = json.loads((out / "d001-000.json").read_text(encoding="utf-8"))
    assert reused["source"]["path"].endswith("copy-of-001.txt")
    reused["source"]["path"] = original["source"]["path"]
    assert reused == original

    forced = run([inbox], out, jobs=1, force=True)
    assert (forced["written"], forced["reused"], forced["skipped"]) == (n, 1, 0)


def test_parallel_output_is_byte_identical(tmp_path: Path) -> None:
    inbox = make_corpus(tmp_path / "in", 2)
    one, two = tmp_path / "one", tmp_path / "two"
    assert run([inbox], one, jobs=1)["code"] == 0
    assert run([inbox], two, jobs=2)["code"] == 0
    assert outputs(one) == outputs(two)
    assert (one / "manifest.jsonl").read_bytes() == (two / "manifest.jsonl").read_bytes()


def test_file_deleted_during_the_batch(tmp_path: Path) -> None:
    inbox = make_corpus(tmp_path / "in", 1)
    gone = inbox / "gone.txt"
    summary = run([inbox / "s000-000.txt", gone, inbox / "d001-000.txt"], tmp_path / "out")
    assert summary["code"] == 1 and summary["failed"] == 1 and summary["written"] == 2
    errors = (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8")
    assert "gone.txt" in errors and "cannot be read" in errors


def _spawn(inbox: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "extractor.cli",
            "run",
            str(inbox),
            "-o",
            str(out),
            "-q",
            "--jobs",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for_outputs(out: Path, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and len(list(out.glob("*.json"))) >= n:
            return
        time.sleep(0.02)


def test_killed_run_resumes_to_identical_outputs(tmp_path: Path) -> None:
    inbox = make_corpus(tmp_path / "in", 6)
    total = len(list(inbox.iterdir()))
    reference = tmp_path / "reference"
    assert run([inbox], reference, jobs=2)["code"] == 0

    out = tmp_path / "out"
    proc = _spawn(inbox, out)
    _wait_for_outputs(out, total // 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(list(out.glob("*.json"))) < total, "the run finished before it could be killed"

    resumed = run([inbox], out, jobs=2)
    assert resumed["code"] == 0 and resumed["skipped"] > 0
    assert outputs(out) == outputs(reference)
    assert not list(out.glob(".*"))


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    inbox = make_corpus(tmp_path / "in", 6)
    out = tmp_path / "out"
    proc = _spawn(inbox, out)
    _wait_for_outputs(out, 5, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before Ctrl-C arrived")
    assert proc.returncode == 130
    assert b"Interrupted" in err and b"run the same command again" in err
    assert not list(out.glob(".*.tmp"))
    assert run([inbox], out, jobs=2)["code"] == 0


def test_worker_reports_a_file_gone_after_it_was_hashed(tmp_path: Path) -> None:
    from extractor import workers
    from extractor.limits import Limits

    workers.init_in_process(workers.WorkerSetup(None, str(tmp_path), False, Limits()))
    result = workers.work(workers.Job(str(tmp_path / "gone.txt"), "gone.json", "0" * 64))
    assert not result.ok
    assert result.error.endswith("gone.txt: cannot be read (No such file or directory).")
    assert not (tmp_path / "gone.json").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_fresh_run_records_every_content_hash(tmp_path: Path, jobs: int) -> None:
    """In a fresh output folder a file of unique size is hashed by its worker, not before the
    work starts; the manifest holds the true hash all the same, and equal files are still
    recognised."""
    import hashlib

    inbox = make_corpus(tmp_path / "in", 1)
    shutil.copy(inbox / "d001-000.txt", inbox / "copy-of-001.txt")
    out = tmp_path / "out"
    summary = run([inbox], out, jobs=jobs)
    assert (summary["code"], summary["reused"]) == (0, 1)
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(manifest) == len(SOURCES) + 1
    for entry in manifest:
        data = Path(entry["source"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["name"]
