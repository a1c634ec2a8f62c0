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

from extractor import cluster, cluster_tasks
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
        read: Callable[[str, Any], bytes] = cluster_tasks._read
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

        cluster_tasks._read = stalling_read


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
    """Text files, and a scan whose pages are then OCR'd from the bytes sent."""
    with distributed.Client(dask_cluster) as client:
        client.register_plugin(Stall("", str(tmp_path / "unused"), missing=True))
        readers = client.run(lambda: cluster_tasks._read.__name__)
    assert list(readers.values()) == ["stalling_read", "stalling_read"]
    paths = [*TEXTS, ROOT / "samples" / "formats" / "seed-scan.pdf"]
    if not shutil.which("tesseract"):
        paths.pop()
    code, events = run(paths, tmp_path / "dask", cluster=dask_cluster.scheduler_address)
    assert [e for e in events if e.get("status") == "failed"] == []
    assert code == 0 and events[-1]["written"] == len(paths)
    run(paths, tmp_path / "jobs1", jobs=1)
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


# ------------------------------------------------------------------ a scan, one task a page
@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scanned PDF of three pages (two samples' text, printed and scanned as the seed's)."""
    from . import formats

    if not (formats.available() and shutil.which("tesseract")):
        pytest.skip("needs reportlab's font, pdftoppm and Tesseract to make and read a scan")
    text = "\n".join(
        (ROOT / "samples" / n).read_text() for n in ("cv-phong-chong-dich.txt", "kh-ngay-sach.txt")
    )
    path = tmp_path_factory.mktemp("scan") / "scan-3-pages.pdf"
    path.write_bytes(formats.to_scan(formats.to_pdf(text)))
    return path


class Pages(distributed.WorkerPlugin):  # type: ignore[misc]
    """On every worker: each page OCR'd (`cluster_tasks.ocr_page`) is recorded in `folder`
    as `done-PAGE-PID-N`. A page first waits until pages have begun on two workers (or a
    minute has passed), so that both workers are seen to take pages of the one file. With
    `stall`, the first worker to begin that page writes its pid to `folder/stalled` and stalls
    there, for the test to kill it. With `fail`, that page cannot be read by OCR. With `hang`,
    every page runs a program that never ends, its pid in `folder/program-PID`."""

    name = "pages"

    def __init__(self, folder: str, stall: int = 0, fail: int = 0, hang: bool = False) -> None:
        self.folder, self.stall, self.fail, self.hang = folder, stall, fail, hang

    def setup(self, worker: Any) -> None:
        import subprocess

        from extractor.errors import InputError

        ocr: Callable[[bytes, int, str], Any] = cluster_tasks.ocr_page
        folder, stall, fail, hang = Path(self.folder), self.stall, self.fail, self.hang

        def recording_ocr(data: bytes, number: int, path: str) -> Any:
            pid = os.getpid()
            (folder / f"begun-{number}-{pid}").touch()
            deadline = time.monotonic() + 60
            while len({p.name.split("-")[2] for p in folder.glob("begun-*")}) < 2:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            if number == stall:
                try:
                    fd = os.open(folder / "stalled", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    pass
                else:
                    os.write(fd, str(pid).encode())
                    os.close(fd)
                    time.sleep(120)
                    raise OSError(0, "the worker was not killed")  # fails the test
            if hang:
                program = subprocess.Popen(["sleep", "120"])
                (folder / f"program-{program.pid}").touch()
                program.wait()
            if number == fail:
                raise InputError(path, f"page {number} could not be read by OCR (a test).")
            lines = ocr(data, number, path)
            done = len(list(folder.glob("done-*")))
            (folder / f"done-{number}-{pid}-{done}").touch()
            return lines

        cluster_tasks.ocr_page = recording_ocr


@pytest.fixture
def scan_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Two workers with nannies, as `--cluster local:2` starts them, which OCR every page
    themselves: they start with the OCR cache off (the command's own runs keep theirs)."""
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", "off")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0"
    ) as local:
        monkeypatch.delenv("EXTRACTOR_OCR_CACHE")
        yield local


def watch_pages(tmp_path: Path, cluster: Any, **behaviour: Any) -> tuple[Path, set[int]]:
    """A folder where every worker of `cluster` records the pages it OCRs (`Pages`, with
    `behaviour`), and the pids of those workers."""
    folder = tmp_path / "pages"
    folder.mkdir()
    with distributed.Client(cluster) as client:
        client.register_plugin(Pages(str(folder), **behaviour))
        return folder, set(client.run(os.getpid).values())


def pages_done(folder: Path) -> list[tuple[int, int]]:
    """(page, worker's pid) of each page OCR'd, in page order."""
    return sorted(
        (int(p.name.split("-")[1]), int(p.name.split("-")[2])) for p in folder.glob("done-*")
    )


def test_a_scan_is_read_one_task_a_page_on_both_workers(
    tmp_path: Path, scan: Path, scan_cluster: Any
) -> None:
    """The three pages are three tasks, spread over the two workers; the file is then read from
    their OCR, with the bytes of --jobs 1, beside text files read whole."""
    folder, workers = watch_pages(tmp_path, scan_cluster)
    paths = [scan, *TEXTS[:3]]
    code, events = run(paths, tmp_path / "dask", cluster=scan_cluster.scheduler_address)
    assert code == 0
    assert [(e["path"], e["status"]) for e in events if e["event"] == "file"].count(
        (str(scan), "written")
    ) == 1
    assert events[-1]["written"] == 4 and events[-1]["failed"] == 0
    done = pages_done(folder)
    assert [page for page, _ in done] == [1, 2, 3]
    assert {pid for _, pid in done} == workers  # both workers took pages of the one file
    run(paths, tmp_path / "jobs1", jobs=1)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "jobs1")
    assert json.loads((tmp_path / "dask" / "scan-3-pages.json").read_text())["source"]["ocr_pages"]


def test_worker_killed_mid_page_loses_and_doubles_nothing(
    tmp_path: Path, scan: Path, scan_cluster: Any
) -> None:
    folder, _ = watch_pages(tmp_path, scan_cluster, stall=2)
    killer = kill_when_stalled(folder / "stalled")
    paths = [scan, *TEXTS[:3]]
    code, events = run(paths, tmp_path / "dask", cluster=scan_cluster.scheduler_address)
    killer.join()
    killed = int((folder / "stalled").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)  # the worker that had begun page 2 is gone
    assert code == 0
    files = [e for e in events if e["event"] == "file"]
    assert Counter(e["path"] for e in files) == {str(p): 1 for p in paths}
    assert {e["status"] for e in files} == {"written"}
    done = pages_done(folder)
    assert {page for page, _ in done} == {1, 2, 3}
    assert killed not in {pid for page, pid in done if page == 2}  # page 2 was read elsewhere
    manifest = (tmp_path / "dask" / "manifest.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["source"] for line in manifest) == sorted(map(str, paths))
    run(paths, tmp_path / "jobs1", jobs=1)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "jobs1")


def test_a_page_that_cannot_be_read_fails_its_file_alone(
    tmp_path: Path, scan: Path, scan_cluster: Any
) -> None:
    watch_pages(tmp_path, scan_cluster, fail=2)
    out = tmp_path / "dask"
    code, events = run([scan, *TEXTS[:2]], out, cluster=scan_cluster.scheduler_address)
    assert code == 1
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [
        {"path": str(scan), "error": f"[E100] {scan}: page 2 could not be read by OCR (a test)."}
    ]
    assert events[-1]["written"] == 2 and events[-1]["failed"] == 1
    assert not (out / "scan-3-pages.json").exists()


# ------------------------------------------------------------------ --max-seconds
def test_a_scan_whose_pages_run_past_max_seconds_fails_and_both_workers_restart(
    tmp_path: Path, scan: Path, scan_cluster: Any
) -> None:
    """Pages that never end, on both workers: the file fails with the sentence of --jobs,
    both workers are restarted and their programs killed, and the text files are read after
    (how a file's pages add up to its time: the test below)."""
    from extractor.limits import Limits

    folder, workers = watch_pages(tmp_path, scan_cluster, hang=True)
    out = tmp_path / "dask"
    paths = [scan, *TEXTS[:2]]
    code, events = run(paths, out, cluster=scan_cluster.scheduler_address, limits=Limits(seconds=6))
    assert code == 1
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [
        {
            "path": str(scan),
            "error": f"[E120] {scan}: was still being read after 6 s (its worker was stopped), "
            "over the limit of 6 seconds. If it really is one notice, raise the limit with "
            "--max-seconds.",
        }
    ]
    assert events[-1]["written"] == 2
    assert {int(p.name.split("-")[2]) for p in folder.glob("begun-*")} >= workers
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # both were stopped
    for program in folder.glob("program-*"):
        stat = Path(f"/proc/{program.name.split('-')[1]}/stat")
        assert not stat.exists() or stat.read_text().split()[2] in "ZX"


def test_a_files_time_is_the_time_its_tasks_ran_added_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages OCR'd at once on two workers each count; waiting in the queue does not; a task
    whose worker died counts from its new start; other runs' tasks are not this run's."""
    from extractor import cluster_budget

    clock = [100.0]
    monkeypatch.setattr(cluster_budget.time, "monotonic", lambda: clock[0])

    class Future:
        def __init__(self, key: str) -> None:
            self.key = key

    budget = cluster_budget.Budget(client=None, seconds=10)  # type: ignore[arg-type]

    def event(at: float, key: str, state: str, worker: str = "tcp://a:1") -> None:
        clock[0] = at
        budget._event((0.0, {"key": key, "worker": worker, "state": state}))

    assert budget.add("scan.json", [Future("read_file-1")])
    event(101.0, "read_file-1", "start")
    event(102.5, "read_file-1", "end")  # 1.5 s: it asked for its pages
    assert budget.add("scan.json", [Future("read_page-1"), Future("read_page-2")])
    clock[0] = 110.0
    assert budget.used("scan.json") == 1.5  # queued: nothing counts
    event(110.0, "read_page-1", "start", "tcp://a:1")
    event(110.0, "read_page-2", "start", "tcp://b:1")
    event(111.0, "read_page-9", "start")  # not a task of this run
    clock[0] = 112.0
    assert budget.used("scan.json") == 5.5  # 1.5 + 2 + 2
    event(113.0, "read_page-1", "start", "tcp://c:1")  # tcp://a:1 died: begun again
    event(114.0, "read_page-1", "end", "tcp://c:1")
    assert budget.used("scan.json") == 1.5 + 1 + 4
    assert budget.done("scan.json") is False
    assert budget.used("scan.json") == 0.0


class Hang(distributed.WorkerPlugin):  # type: ignore[misc]
    """On every worker: reading `file` runs a program that never ends (as OCR could), its pid
    and the worker's written to `token` ("WORKER PROGRAM")."""

    name = "hang"

    def __init__(self, file: str, token: str) -> None:
        self.file, self.token = file, token

    def setup(self, worker: Any) -> None:
        import subprocess

        read: Callable[[str, Any], bytes] = cluster_tasks._read
        file, token = self.file, self.token

        def hanging_read(path: str, limits: Any) -> bytes:
            if Path(path).name == file:
                program = subprocess.Popen(["sleep", "120"])
                Path(token).write_text(f"{os.getpid()} {program.pid}")
                program.wait()
            return read(path, limits)

        cluster_tasks._read = hanging_read


def test_a_file_over_max_seconds_fails_alone_and_its_worker_is_restarted(
    tmp_path: Path, dask_cluster: Any
) -> None:
    from extractor.limits import Limits

    inbox = tmp_path / "in"
    inbox.mkdir()
    for src in TEXTS[:6]:
        shutil.copy(src, inbox / src.name)
    shutil.copy(TEXTS[6], inbox / "hang.txt")
    token = tmp_path / "hang.pid"
    with distributed.Client(dask_cluster) as client:
        client.register_plugin(Hang("hang.txt", str(token)))
    out = tmp_path / "dask"
    code, events = run(
        [inbox], out, cluster=dask_cluster.scheduler_address, limits=Limits(seconds=5)
    )
    assert code == 1
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [
        {
            "path": str(inbox / "hang.txt"),
            "error": f"[E120] {inbox / 'hang.txt'}: was still being read after 5 s (its worker "
            "was stopped), over the limit of 5 seconds. If it really is one notice, raise the "
            "limit with --max-seconds.",
        }
    ]
    assert events[-1]["written"] == 6 and events[-1]["failed"] == 1
    worker, program = map(int, token.read_text().split())
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # the worker was stopped (its nanny started a new one)
    stat = Path(f"/proc/{program}/stat")
    assert not stat.exists() or stat.read_text().split()[2] in "ZX"  # and its program with it
    (inbox / "hang.txt").unlink()
    run([inbox], tmp_path / "jobs1", jobs=1)
    assert outputs(out) == {
        **outputs(tmp_path / "jobs1"),
        "errors.jsonl": (out / "errors.jsonl").read_bytes(),
    }


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
