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


def _spawn(inbox: Path, out: Path, rules: Path | None = None) -> subprocess.Popen[bytes]:
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
            *(("--rules", str(rules)) if rules else ()),
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
    from extractor.rules import default_rules_dir

    rules = shutil.copytree(default_rules_dir(), tmp_path / "rules")  # the same in all runs
    inbox = make_corpus(tmp_path / "in", 6)
    total = len(list(inbox.iterdir()))
    reference = tmp_path / "reference"
    assert run([inbox], reference, jobs=2, rules_dir=rules)["code"] == 0

    out = tmp_path / "out"
    proc = _spawn(inbox, out, rules)
    _wait_for_outputs(out, total // 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.communicate()[1].decode()[-2000:]
    assert len(list(out.glob("*.json"))) < total, "the run finished before it could be killed"

    resumed = run([inbox], out, jobs=2, rules_dir=rules)
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


# ------------------------------------------------------------------ workers that die or hang
def _notices(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (folder / name).write_text(
            f"Giao Sở Y tế kiểm tra cơ sở số {i} trước ngày 15/9/2020.\n", encoding="utf-8"
        )
    return folder


def _misbehave(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the workers (forked, so they inherit this): 'die' is killed as by the OOM killer,
    'hang' never ends."""
    from extractor import workers

    real = workers.extract_document

    def extract(doc, rules):  # type: ignore[no-untyped-def]
        if "die" in (doc.source.path or ""):
            os.kill(os.getpid(), signal.SIGKILL)
        if "hang" in (doc.source.path or ""):  # in a program it runs, as OCR would
            program = subprocess.Popen(["sleep", "120"])
            Path(doc.source.path).with_suffix(".pid").write_text(str(program.pid))
            program.wait()
        return real(doc, rules)

    monkeypatch.setattr(workers, "extract_document", extract)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dead_or_late_worker_costs_its_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from extractor.limits import Limits

    _misbehave(monkeypatch)
    names = ["a.txt", "die.txt", "b.txt", "hang.txt", "c.txt", "d.txt"]
    inbox = _notices(tmp_path / "in", names)
    out = tmp_path / "out"
    started = time.monotonic()
    summary = run([inbox], out, jobs=jobs, limits=Limits(seconds=2))
    assert time.monotonic() - started < 30
    assert (summary["code"], summary["written"], summary["failed"]) == (1, 4, 2)
    errors = {
        e["path"]: e["error"]
        for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())
    }
    assert errors == {
        str(inbox / "die.txt"): f"{inbox / 'die.txt'}: the worker reading it stopped (killed "
        "by SIGKILL, as the system does when memory runs out); the file was not processed. "
        "The other files go on; if it happens again with this file, please report it.",
        str(inbox / "hang.txt"): f"[E120] {inbox / 'hang.txt'}: was still being read after "
        "2 s (its worker was stopped), over the limit of 2 seconds. If it really is one "
        "notice, raise the limit with --max-seconds.",
    }
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "b.json", "c.json", "d.json"]
    assert not list(out.glob(".*"))
    program = Path(f"/proc/{(inbox / 'hang.pid').read_text()}/stat")
    time.sleep(0.2)
    assert not program.exists() or program.read_text().split()[2] in "ZX"  # gone with its worker


# ------------------------------------------------------------------ what is never a notice
def test_outputs_inside_the_input_folder_are_not_read(tmp_path: Path) -> None:
    from extractor.sheets import collect
    from extractor.tracker import write_tracker

    inbox = _notices(tmp_path / "in", ["a.txt", "b.html"])
    (inbox / "b.html").write_text(
        "<html><body><p>Giao Sở Y tế kiểm tra.</p></body></html>", encoding="utf-8"
    )
    for out in (inbox / "out", inbox):  # below the inbox, and the inbox itself
        for _ in range(3):  # each run sees the outputs of the one before
            summary = run([inbox], out, jobs=1, review=True)
            assert summary["code"] == 0
            assert sorted(Path(p).name for p in summary["files"]) == ["a.txt", "b.html"]
        from extractor.rules import cached_rules

        rows, _ = collect(out, cached_rules(None))
        write_tracker(rows, out / "tracker", ["html"], __import__("datetime").date(2020, 9, 1))
        (out / "superseded").mkdir(exist_ok=True)  # a reviewed output of a replaced notice
        shutil.copy(out / "a.json", out / "superseded" / "a.0123456789ab.json")
        assert run([inbox], out, jobs=1, review=True)["read"] == 2
    assert sorted(p.name for p in inbox.glob("*.json")) == ["a.json", "b.json"]
    assert (inbox / "b.review.html").exists() and not list(inbox.glob("*review.review*"))


def test_sheets_written_into_the_inbox_are_not_read(tmp_path: Path) -> None:
    """Sheets and a tracker written straight into the inbox (`sheets -o inbox/sheets`) carry
    the tool's mark, so the next run does not read them as notices."""
    from extractor.rules import cached_rules
    from extractor.sheets import SheetOptions, collect, write_sheets
    from extractor.tracker import write_tracker

    inbox = _notices(tmp_path / "in", ["a.txt"])
    out = tmp_path / "out"
    assert run([inbox], out, jobs=1)["code"] == 0
    rows, _ = collect(out, cached_rules(None))
    write_sheets(rows, inbox / "sheets", ["html", "md", "csv"], SheetOptions())
    write_tracker(
        rows, inbox / "theo-doi", ["html", "csv"], __import__("datetime").date(2020, 9, 1)
    )
    assert list((inbox / "sheets").glob("*.html"))
    summary = run([inbox], out, jobs=1)
    assert [Path(p).name for p in summary["files"]] == ["a.txt"]


def test_a_link_out_of_the_inbox_is_not_followed(tmp_path: Path) -> None:
    outside = _notices(tmp_path / "outside", ["secret.txt"])
    inbox = _notices(tmp_path / "in", ["a.txt"])
    (inbox / "secret.txt").symlink_to(outside / "secret.txt")
    (inbox / "folder").symlink_to(outside, target_is_directory=True)
    (inbox / "again.txt").symlink_to(inbox / "a.txt")  # inside: read where it points
    summary = run([inbox], tmp_path / "out", jobs=1)
    assert sorted(Path(p).name for p in summary["files"]) == ["a.txt", "again.txt"]


def test_a_reviewed_output_does_not_block_a_different_notice(tmp_path: Path) -> None:
    inbox = _notices(tmp_path / "in", ["x.txt"])
    out = tmp_path / "out"
    assert run([inbox], out, jobs=1)["written"] == 1
    data = json.loads((out / "x.json").read_text(encoding="utf-8"))
    data["reviewed"] = True
    (out / "x.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (inbox / "x.txt").write_text(  # another notice under the same name
        "Giao Phòng Nội vụ theo dõi việc lập hồ sơ.\n", encoding="utf-8"
    )
    again = run([inbox], out, jobs=1)
    assert (again["written"], again["skipped"]) == (1, 0)
    new = json.loads((out / "x.json").read_text(encoding="utf-8"))
    assert new["tasks"][0]["units"] == ["Phòng Nội vụ"] and not new.get("reviewed")
    kept = out / "superseded" / f"x.{data['source']['sha256'][:12]}.json"
    assert json.loads(kept.read_text(encoding="utf-8")) == data

    new["reviewed"] = True  # reviewed again, for the content it was made from: kept
    (out / "x.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    (out / "manifest.jsonl").unlink()  # as after a change of rules: only the review keeps it
    assert run([inbox], out, jobs=1)["files"] == {str(inbox / "x.txt"): "kept (reviewed)"}
    assert json.loads((out / "x.json").read_text(encoding="utf-8")) == new


# ------------------------------------------------------------------ the output folder
def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    import io

    inbox = _notices(tmp_path / "in", ["a.txt"])
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(  # another run, holding the folder
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from extractor.outdir import locked\n"
            "with locked(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)",
            str(out),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        err = io.StringIO()
        code = run_batch(BatchOptions(paths=(inbox,), out_dir=out), out=io.StringIO(), err=err)
        assert code == 1
        assert err.getvalue() == (
            f"error: another run (process {holder.pid}) is writing into {out}; wait until it "
            "has finished, then run again (or choose another folder with -o).\n"
        )
        assert not (out / "a.json").exists()
    finally:
        holder.kill()
        holder.wait()
    assert run([inbox], out)["written"] == 1  # the lock goes with the process that held it
    assert not (out / ".lock").exists()


def test_runs_at_once_lose_no_manifest_line(tmp_path: Path) -> None:
    inbox = make_corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    procs = [_spawn(inbox, out) for _ in range(2)]
    codes = sorted(p.wait(timeout=120) for p in procs)
    assert codes in ([0, 0], [0, 1])  # the later one waits for nothing: it is refused, or
    # starts after the first has finished and skips everything
    manifest = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(manifest) == len(list(inbox.iterdir()))


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Every write of more than `size` bytes fails as on a full disk (a smaller one fits)."""
    import errno

    real = os.write

    def write(fd: int, data: bytes) -> int:
        if len(data) > size:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_gives_one_line_per_file_and_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    inbox = _notices(tmp_path / "in", ["a.txt", "b.txt", "c.txt"])
    out = tmp_path / "out"
    _disk_full_after(monkeypatch, 1000)  # the outputs do not fit; the error list does
    summary = run([inbox], out, jobs=1)
    assert (summary["code"], summary["failed"], summary["written"]) == (1, 3, 0)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["error"] for e in errors] == [
        f"{inbox / n}.txt: cannot write {out / n}.json (No space left on device)." for n in "abc"
    ]
    assert not list(out.glob(".*"))

    _disk_full_after(monkeypatch, 0)  # nothing fits: the last error list stays whole
    err, stdout = io.StringIO(), io.StringIO()
    code = run_batch(BatchOptions(paths=(inbox,), out_dir=out, jobs=1), out=stdout, err=err)
    assert code == 1
    assert err.getvalue().splitlines()[-1] == (
        f"error: cannot write {out / 'errors.jsonl'} (No space left on device); the errors of "
        "this run are the lines above."
    )
    assert err.getvalue().count("No space left on device") == 4  # 3 files, then the list
    assert "failed" in stdout.getvalue() and "Traceback" not in err.getvalue()
    assert [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()] == errors


def test_a_manifest_that_cannot_be_written_is_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import io

    inbox = _notices(tmp_path / "in", ["a.txt"])
    out = tmp_path / "out"
    assert run([inbox], out, jobs=1)["code"] == 0
    real = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("manifest.jsonl") and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    err = io.StringIO()
    code = run_batch(BatchOptions(paths=(inbox,), out_dir=out, jobs=1), out=io.StringIO(), err=err)
    assert code == 1
    assert err.getvalue() == (
        f"error: cannot write to {out / 'manifest.jsonl'} (Permission denied); make it "
        "writable or choose another output folder with -o.\n"
    )


def test_deeply_nested_json_in_the_output_folder_is_no_traceback(tmp_path: Path) -> None:
    inbox = _notices(tmp_path / "in", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    assert run([inbox], out, jobs=1)["code"] == 0
    deep = "[" * 200_000 + "]" * 200_000
    (out / "a.json").write_text(deep, encoding="utf-8")  # as an output someone edited
    with (out / "manifest.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(deep + "\n")
    (inbox / "a.txt").write_text("Giao Sở Tư pháp kiểm tra.\n", encoding="utf-8")
    summary = run([inbox], out, jobs=1)
    assert (summary["code"], summary["written"], summary["skipped"]) == (0, 1, 1)


def test_outputs_are_synced_before_the_rename_and_readable_by_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    from extractor.limits import Limits

    inbox = _notices(tmp_path / "in", ["a.txt"])
    out = tmp_path / "out"
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        calls.append(f"replace {Path(str(dst)).name}")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    assert run([inbox], out, jobs=1, limits=Limits(seconds=0))["code"] == 0  # in this process
    for name in ("a.json", "errors.jsonl", "manifest.jsonl"):
        i = calls.index(f"replace {name}")
        assert calls[i - 1] == "fsync", (name, calls)
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o666 & ~_umask(), name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
