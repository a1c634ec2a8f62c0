"""`--max-seconds` on a Dask cluster: a file whose tasks run past it fails, and the workers
running them are restarted, which stops what they were doing.

Dask cannot stop a running task, so the coordinator does what `--jobs` does with a worker
process over the budget: it stops the worker. Each task says when it starts and ends (a Dask
event, `cluster_tasks.TOPIC`), so the coordinator knows which of a file's tasks run on which
worker since when. A file's time is the time its tasks have run, added up: one worker's time
on a file read whole, as with `--jobs`; the time of its pages' OCR and of its reading from
them when it is split one task a page (pages OCR'd at once on several workers each count), so
a file costs the same share of the budget however it is spread, and the time it waits in the
queue costs nothing. A task whose worker died is counted from its new start elsewhere.

When a file's time reaches the budget, its futures are cancelled, the programs its workers
run (Tesseract, LibreOffice) are killed, and those workers are restarted by their nannies
(`Client.restart_workers`); the other tasks they held go back to the scheduler, which runs
them elsewhere (Dask counts that among their `allowed-failures`). The coordinator reports the
file with the sentence of `--jobs` (`workers.too_slow`), and the batch goes on.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .cluster_tasks import TOPIC

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["Budget"]


@dataclass
class _File:
    futures: list[Future] = field(default_factory=list)
    spent: float = 0.0  # seconds its ended tasks ran
    running: dict[str, tuple[float, str]] = field(default_factory=dict)  # key: (start, worker)

    def used(self, now: float) -> float:
        return self.spent + sum(now - start for start, _ in self.running.values())

    def left(self, now: float, seconds: float) -> float:
        """Seconds until its time reaches `seconds`, at the rate it runs now (inf: idle)."""
        if not self.running:
            return float("inf")
        return (seconds - self.used(now)) / len(self.running)


def _stop_programs(dask_worker: Any) -> None:
    """Run on a worker (on its event loop, beside the stuck task) before it is restarted: the
    programs a task started end with it. Only on a worker running one task at a time, the
    setting this tool asks for: on others the programs may be another file's."""
    if dask_worker.state.nthreads != 1:
        return
    import psutil  # type: ignore[import-untyped]

    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()


class Budget:
    """The files on the cluster and the time their tasks run, against `seconds` each."""

    def __init__(self, client: Client, seconds: float) -> None:
        self.client, self.seconds = client, seconds
        self._cond = threading.Condition()
        self._files: dict[str, _File] = {}
        self._file_of: dict[str, str] = {}  # a future's key: its file
        self._expired: set[str] = set()
        self._running: set[str] = set()  # the files with a task running: the ones to watch
        self._stopped = False
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Budget:
        if self.seconds:
            self.client.subscribe_topic(TOPIC, self._event)
            self._start(self._watch)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self.seconds:
            with contextlib.suppress(Exception):  # the scheduler may be gone
                self.client.unsubscribe_topic(TOPIC)
        for thread in self._threads:
            thread.join(60)

    # ------------------------------------------------------------ the coordinator's calls
    def add(self, name: str, futures: list[Future]) -> bool:
        """Watch these futures of file `name`, whose budget they share; False (and the file
        forgotten) when its time ran out already."""
        with self._cond:
            if self._forget_expired(name):
                return False
            file = self._files.setdefault(name, _File())
            file.futures.extend(futures)
            self._file_of.update((future.key, name) for future in futures)
            return True

    def expired(self, name: str) -> bool:
        """Whether the time of file `name` ran out (it is then forgotten)."""
        with self._cond:
            return self._forget_expired(name)

    def done(self, name: str) -> bool:
        """File `name` is answered: forget it; True when its time ran out first."""
        with self._cond:
            expired = self._forget_expired(name)
            self._forget(name)
            return expired

    def used(self, name: str) -> float:
        """The seconds the tasks of file `name` have run so far, added up."""
        with self._cond:
            file = self._files.get(name)
            return file.used(time.monotonic()) if file else 0.0

    def _forget_expired(self, name: str) -> bool:
        if name not in self._expired:
            return False
        self._expired.discard(name)
        self._forget(name)
        return True

    def _forget(self, name: str) -> None:
        self._running.discard(name)
        file = self._files.pop(name, None)
        for future in file.futures if file else ():
            self._file_of.pop(future.key, None)

    # ------------------------------------------------------------ the workers' events
    def _event(self, event: tuple[float, dict[str, str]]) -> None:
        """A task started or ended (called on the client's event loop: quick)."""
        msg = event[1]
        now = time.monotonic()
        with self._cond:
            name = self._file_of.get(msg.get("key", ""), "")
            file = self._files.get(name)
            if file is None or name in self._expired:
                return  # another run's task, or a file answered or stopped already
            if msg.get("state") == "start":
                file.running[msg["key"]] = (now, msg["worker"])
                self._running.add(name)
            elif msg["key"] in file.running:
                start, _ = file.running.pop(msg["key"])
                file.spent += now - start
                if not file.running:
                    self._running.discard(name)
            self._cond.notify_all()

    # ------------------------------------------------------------ the watch
    def _start(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _watch(self) -> None:
        """Sleep until a file's time may run out; then check that its tasks still run where
        they started (a dead worker's task does not) and, if so, stop it."""
        while True:
            with self._cond:
                if self._stopped:
                    return
                now = time.monotonic()
                left = {
                    n: self._files[n].left(now, self.seconds)
                    for n in self._running
                    if n in self._files and n not in self._expired
                }
                name = min(left, key=left.__getitem__, default=None)
                if name is None or left[name] > 0:
                    wait = None if name is None or left[name] == float("inf") else left[name]
                    self._cond.wait(wait)
                    continue
            try:
                running = self.client.processing()
            except Exception:  # the scheduler is gone: the coordinator says so
                return
            with self._cond:
                file = self._files.get(name)
                if file is None:
                    continue
                for key, (_, worker) in list(file.running.items()):
                    if key not in running.get(worker, ()):
                        del file.running[key]  # its worker died: it starts again elsewhere
                if not file.running:
                    self._running.discard(name)
                if file.used(time.monotonic()) < self.seconds:
                    continue
                self._expired.add(name)
                futures = list(file.futures)
                workers = sorted({worker for _, worker in file.running.values()})
                file.running.clear()
                self._running.discard(name)
            self._start(self._stop, futures, workers)

    def _stop(self, futures: list[Future], workers: list[str]) -> None:
        """Cancel a file's futures, then stop what its workers run: their programs, then the
        workers themselves (their nannies start them again)."""
        with contextlib.suppress(Exception):  # the scheduler is gone: the coordinator says so
            self.client.cancel(futures, force=True)
            if workers:
                self.client.run(_stop_programs, workers=workers, on_error="ignore")
                self.client.restart_workers(workers, raise_for_error=False)
