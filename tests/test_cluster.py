"""`run --cluster`: a Dask cluster writes the bytes of `--jobs 1`; a worker killed in the
middle of a file loses nothing and doubles nothing; a file that kills its workers, a lost
scheduler and Ctrl-C leave whole outputs that the next run completes; without Dask, or without
a scheduler, one sentence."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extractor import cluster
from extractor.batch import BatchOptions, run_batch
from extractor.cli import main
from extractor.rules import cached_rules

from .conftest import ROOT, SHARED_EVAL

distributed = pytest.importorskip("distributed", reason="needs the [cluster] extra")

TEXTS = sorted((SHARED_EVAL / "dev" / "corpus").glob("*.txt"))[:12]
STALLED = TEXTS[5].name  # the file a worker is killed in: five are queued before it


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(paths: list[Path], out: Path, **kw: Any) -> tuple[int, list[dict[str, Any]]]:
    """A batch with --json-log: its exit code and its events. The rules are read again, as
    by a new command and the Dask workers (others may be editing them)."""
    cached_rules.cache_clear()
    buf = io.StringIO()
    opts = BatchOptions(paths=tuple(paths), out_dir=out, json_log=True, **kw)
    code = run_batch(opts, out=buf, err=io.StringIO())
    return code, [json.loads(line) for line in buf.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("local:2", None),
        ("local:16", None),
        ("tcp://scheduler:8786", None),
        ("scheduler.archive.lan:8786", None),
        ("tls://[::1]:8786", None),
        ("local:0", "--cluster takes the address of a Dask scheduler"),
        ("local:two", "--cluster takes the address of a Dask scheduler"),
        ("tcp://host", "--cluster takes the address of a Dask scheduler"),
        ("", "--cluster takes the address of a Dask scheduler"),
    ],
)
def test_cluster_spec(spec: str, problem: str | None) -> None:
    found = cluster.cluster_problem(spec)
    assert (found is None) if problem is None else (found or "").startswith(problem)


def test_without_dask_it_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    code = main(["run", str(TEXTS[0]), "-o", str(tmp_path / "out"), "--cluster", "local:2"])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: --cluster needs Dask, which is not installed: pip install 'extractor[cluster]'\n"
    )
    assert not (tmp_path / "out").exists()


def test_jobs_and_cluster_together_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", str(TEXTS[0]), "-o", str(tmp_path / "out"), "--jobs", "2"]
    assert main([*args, "--cluster", "local:2"]) == 2
    assert capsys.readouterr().err == (
        "error: --jobs and --cluster both say where files are read; give one of them.\n"
    )
    assert not (tmp_path / "out").exists()


def test_unreachable_scheduler_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{port}"
    code = main(["run", str(TEXTS[0]), "-o", str(tmp_path / "out"), "--cluster", address])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: cannot reach the Dask scheduler at {address} (")
    assert err.endswith("or use --cluster local:N.\n")
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "manifest.jsonl"]


def test_local_cluster_writes_the_bytes_of_jobs_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sample (samples/ and samples/formats/: text, HTML, Word, PDF, scan, legacy
    encodings) and every dev notice, with review pages, on two Dask workers; there the scans
    are OCR'd by the workers, not read from the OCR cache (they inherit this environment)."""
    paths = [ROOT / "samples", SHARED_EVAL / "dev" / "corpus"]
    one, dask = tmp_path / "jobs1", tmp_path / "dask"
    code_one, events_one = run(paths, one, jobs=1, review=True)
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", "off")
    code_dask, events_dask = run(paths, dask, cluster="local:2", review=True)
    failures = {e["path"]: e["error"] for e in events_dask if e.get("status") == "failed"}
    assert failures == {e["path"]: e["error"] for e in events_one if e.get("status") == "failed"}
    assert code_dask == code_one
    assert events_dask[-1]["written"] == events_one[-1]["written"] > 50
    assert events_dask[-1]["failed"] == events_one[-1]["failed"]
    assert sorted(map(str, events_dask[:-1])) == sorted(map(str, events_one[:-1]))
    mine, theirs = outputs(dask), outputs(one)
    assert list(mine) == list(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] == []
    read = {"505.json", "411.json", "kh-bang-nhiem-vu-ban-pdf.json", "cv-vni.review.html"}
    if shutil.which("tesseract"):  # else the scan fails, on both, naming the packages
        read.add("seed-scan.json")
    assert read <= set(mine)


# ------------------------------------------------------------------ lost workers
class Stall(distributed.WorkerPlugin):  # type: ignore[misc]
    """On every worker: the first to read `file` writes its pid to `token` and stalls there,
    for the test to kill it; the others (and workers started later) read it as usual. With
    `missing`, every path is missing on the workers instead, as without a shared folder."""

    name = "stall"  # Dask's name for the plugin

    def __init__(self, file: str, token: str, missing: bool = False) -> None:
        self.file, self.token, self.missing = file, token, missing

    def setup(self, worker: Any) -> None:
        read: Callable[[str, Any], bytes] = cluster._read
        file, token, missing = self.file, self.token, self.missing

        def stalling_read(path: str, limits: Any) -> bytes:
            if missing:
                raise FileNotFoundError(2, "No such file or directory")
            if Path(path).name == file:
                try:
                    fd = os.open(token, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    return read(path, limits)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                time.sleep(120)
                raise OSError(0, "the worker was not killed")  # fails the test
            return read(path, limits)

        cluster._read = stalling_read


@pytest.fixture
def dask_cluster(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Two worker processes with nannies (a killed worker is restarted), as `dask worker`
    starts them; the scheduler in this process. Dask's `allowed-failures` (3) unless the test
    is parametrized with another number."""
    import dask

    failures = getattr(request, "param", 3)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": failures}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=":0"
        ) as local,
    ):
        yield local


def kill_when_stalled(token: Path) -> threading.Thread:
    def kill() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if token.exists() and token.read_text():
                os.kill(int(token.read_text()), signal.SIGKILL)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def test_worker_killed_mid_file_loses_and_doubles_nothing(
    tmp_path: Path, dask_cluster: Any
) -> None:
    token = tmp_path / "stalled-worker.pid"
    with distributed.Client(dask_cluster) as client:
        client.register_plugin(Stall(STALLED, str(token)))
    killer = kill_when_stalled(token)
    code, events = run(TEXTS, tmp_path / "dask", cluster=dask_cluster.scheduler_address)
    killer.join()
    killed = int(token.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)  # the worker that had begun the file is gone
    assert code == 0
    files = [e for e in events if e["event"] == "file"]
    assert Counter(e["path"] for e in files) == {str(p): 1 for p in TEXTS}
    assert {e["status"] for e in files} == {"written"}
    assert events[-1]["written"] == len(TEXTS) and events[-1]["failed"] == 0
    manifest = (tmp_path / "dask" / "manifest.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["source"] for line in manifest) == sorted(map(str, TEXTS))
    run(TEXTS, tmp_path / "jobs1", jobs=1)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "jobs1")


@pytest.mark.parametrize("dask_cluster", [0], indirect=True, ids=["allowed-failures=0"])
def test_a_file_that_kills_its_workers_fails_and_the_next_run_finishes(
    tmp_path: Path, dask_cluster: Any
) -> None:
    """Past Dask's allowed failures a file is reported, not retried forever; so may be a file
    that was queued on the same worker. Both are listed in errors.jsonl and redone next time."""
    token = tmp_path / "stalled-worker.pid"
    with distributed.Client(dask_cluster) as client:
        client.register_plugin(Stall(STALLED, str(token)))
    killer = kill_when_stalled(token)
    code, events = run(TEXTS, tmp_path / "dask", cluster=dask_cluster.scheduler_address)
    killer.join()
    assert code == 1
    failed = {e["path"]: e["error"] for e in events if e.get("status") == "failed"}
    assert str(TEXTS[5]) in failed
    assert set(failed.values()) == {
        f"{path}: every Dask worker that took it died before finishing (a file may need more "
        "memory than a worker has); see the workers' logs, or run it alone with --jobs 1."
        for path in failed
    }
    assert events[-1]["written"] == len(TEXTS) - len(failed)
    errors = (tmp_path / "dask" / "errors.jsonl").read_text().splitlines()
    assert {json.loads(line)["path"] for line in errors} == set(failed)
    assert not (tmp_path / "dask" / f"{TEXTS[5].stem}.json").exists()
    code, events = run(TEXTS, tmp_path / "dask", cluster=dask_cluster.scheduler_address)
    assert code == 0
    assert {e["path"] for e in events if e.get("status") == "written"} == set(failed)
    run(TEXTS, tmp_path / "jobs1", jobs=1)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "jobs1")


def test_workers_without_the_folder_are_sent_the_bytes(tmp_path: Path, dask_cluster: Any) -> None:
    with distributed.Client(dask_cluster) as client:
        client.register_plugin(Stall("", str(tmp_path / "unused"), missing=True))
        readers = client.run(lambda: cluster._read.__name__)
    assert list(readers.values()) == ["stalling_read", "stalling_read"]
    code, events = run(TEXTS, tmp_path / "dask", cluster=dask_cluster.scheduler_address)
    assert [e for e in events if e.get("status") == "failed"] == []
    assert code == 0 and events[-1]["written"] == len(TEXTS)
    run(TEXTS, tmp_path / "jobs1", jobs=1)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "jobs1")


def test_a_lost_scheduler_stops_the_run_and_the_next_run_finishes(
    tmp_path: Path, dask_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    token = tmp_path / "stalled-worker.pid"
    with distributed.Client(dask_cluster) as client:
        client.register_plugin(Stall(STALLED, str(token)))

    def close_when_stalled() -> None:
        while not (token.exists() and token.read_text()):
            time.sleep(0.01)
        os.kill(int(token.read_text()), signal.SIGKILL)  # or closing waits for its file
        dask_cluster.close()  # the scheduler and its workers are gone

    closer = threading.Thread(target=close_when_stalled, daemon=True)
    closer.start()
    out = tmp_path / "out"
    args = ["run", *map(str, TEXTS), "-o", str(out), "-q", "--cluster"]
    code = main([*args, dask_cluster.scheduler_address])
    closer.join()
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"error: lost the Dask scheduler at {dask_cluster.scheduler_address} (")
    assert err.endswith(" files, which are saved; run the same command again to finish.\n")
    saved = int(err.split(" after ")[1].split()[0])
    manifest = (out / "manifest.jsonl").read_text().splitlines()
    assert len(manifest) == saved == len(list(out.glob("*.json"))) < len(TEXTS)
    code, events = run(TEXTS, out, jobs=1)
    assert code == 0
    assert events[-1]["skipped"] == saved and events[-1]["written"] == len(TEXTS) - saved
    run(TEXTS, tmp_path / "jobs1", jobs=1)
    assert outputs(out) == outputs(tmp_path / "jobs1")


def test_ctrl_c_stops_the_command_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C reaches the terminal's whole process group, the local workers included: the
    command stops them, says how many files are done, and leaves no traceback and no process."""
    import subprocess

    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(25):  # 300 files: seconds on two workers, interrupted after 20
        for src in TEXTS:
            (inbox / f"{src.stem}-{i:02d}.txt").write_bytes(src.read_bytes() + f"\n{i}\n".encode())
    out = tmp_path / "out"
    args = ["run", str(inbox), "-o", str(out), "-q", "--cluster", "local:2"]
    log = tmp_path / "stderr"
    with log.open("wb") as stderr:  # a file: a pipe nobody reads could fill and block it
        proc = subprocess.Popen(
            [sys.executable, "-m", "extractor.cli", *args],
            stderr=stderr,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.json"))) < 20 and proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.02)
    assert proc.poll() is None, f"the run ended before Ctrl-C: {log.read_text()[-2000:]}"
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    err = log.read_text()
    assert proc.returncode == 130, err[-2000:]
    done = len(list(out.glob("*.json")))
    assert err == (
        f"Interrupted: {done} of 300 files are done and saved; run the same command again to "
        "finish.\n"
    )
    assert len((out / "manifest.jsonl").read_text().splitlines()) == done < 300
    assert not list(out.glob(".*.tmp"))
    import psutil

    left = time.monotonic() + 10
    while [p for p in psutil.process_iter() if _session(p.pid) == proc.pid]:
        assert time.monotonic() < left, "workers still running 10 s after the command ended"
        time.sleep(0.1)
    code, events = run([inbox], out, jobs=1)
    assert code == 0 and events[-1]["skipped"] == done
    run([inbox], tmp_path / "jobs1", jobs=1)
    assert outputs(out) == outputs(tmp_path / "jobs1")


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None
