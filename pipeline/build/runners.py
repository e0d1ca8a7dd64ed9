"""Where a build's tasks run, behind one :class:`Runner` protocol: in this process, on a pool of local worker
processes that stay warm from one document to the next, or on a Dask cluster (:mod:`pipeline.build.dask`)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..budget import collect_less
from ..errors import DocpipeError
from .worker import Task, TaskResult, render_task, warm_up

Handler = Callable[[Task, TaskResult], None]
Failed = Callable[[Task, str], None]


class Runner(Protocol):
    """Runs tasks and hands each result to ``handle`` as it arrives; a task whose worker died goes to ``failed``."""

    def run(self, tasks: Iterator[Task], handle: Handler, failed: Failed) -> None:
        """Render every task."""


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = " (killed: out of memory?)" if name == "SIGKILL" else ""
        return f"the worker process died while building it: {name}{why}"
    return f"the worker process died while building it (exit status {exitcode})"


def _worker_main(conn: multiprocessing.connection.Connection, formats: tuple[str, ...],
                 scripts: tuple[str, ...]) -> None:
    """A local worker process: warm up once, then render tasks until told to stop or the client goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's to handle; it stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        warm_up(formats, scripts)
        collect_less()  # what warming up loaded stays: the collector leaves it alone
        conn.send(("ready", os.getpid()))
        while True:
            task = conn.recv()
            if task is None:
                return
            conn.send(("result", render_task(task)))
    except (EOFError, OSError):
        return


@dataclass
class _Slot:
    process: Any
    conn: multiprocessing.connection.Connection
    ready: bool = False
    task: Task | None = None


class LocalPool:
    """Worker processes on this machine. Each runs one task at a time; one that dies fails its task only and is
    replaced, so an OOM-killed worker costs one document, not the build."""

    def __init__(self, size: int, formats: Iterable[str], scripts: Iterable[str]) -> None:
        self.size = max(1, size)
        self.warm = (tuple(sorted(set(formats))), tuple(sorted(set(scripts))))
        self._ctx = multiprocessing.get_context("spawn")  # no fork under the progress bar's thread
        self._slots: list[_Slot] = []
        self._starts_failed = 0

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, *self.warm), daemon=True,
                                 name="docpipe-worker")
        proc.start()
        child.close()
        self._slots.append(_Slot(proc, parent))

    def run(self, tasks: Iterator[Task], handle: Handler, failed: Failed) -> None:
        """Render every task, calling ``handle`` with each result and ``failed`` for a task whose worker died."""
        requeued: deque[Task] = deque()
        more = True

        def take() -> Task | None:
            return requeued.popleft() if requeued else next(tasks, None)

        graceful = False
        try:
            for _ in range(self.size):
                self._spawn()
            while True:
                for slot in list(self._slots):
                    if not (more and slot.ready and slot.task is None):
                        continue
                    task = take()
                    if task is None:
                        more = False
                        break
                    try:
                        slot.conn.send(task)
                        slot.task = task
                    except OSError:  # it died while idle: the task never started
                        requeued.append(task)
                        self._bury(slot)
                busy = [s for s in self._slots if s.task is not None]
                if not more and not busy:
                    break
                watch = busy + [s for s in self._slots if not s.ready]
                ready = set(multiprocessing.connection.wait([s.conn for s in watch] +
                                                            [s.process.sentinel for s in watch]))
                for slot in watch:
                    if slot.conn in ready or slot.process.sentinel in ready:
                        self._service(slot, handle, failed)
            graceful = True
        finally:
            for slot in list(self._slots):
                self._stop(slot, graceful=graceful)

    def _service(self, slot: _Slot, handle: Handler, failed: Failed) -> None:
        try:
            if slot.conn.poll():
                kind, payload = slot.conn.recv()
                if kind == "ready":
                    slot.ready = True
                elif slot.task is not None:
                    task, slot.task = slot.task, None
                    handle(task, payload)
                return
        except (EOFError, OSError):
            pass
        slot.process.join(5)
        lost, slot.task = slot.task, None
        started = slot.ready
        self._bury(slot)
        if lost is not None:
            failed(lost, _death(slot.process.exitcode))
        if not started:
            self._starts_failed += 1
            if self._starts_failed >= 3:
                raise DocpipeError(f"worker processes die as they start ({_death(slot.process.exitcode)})")

    def _bury(self, slot: _Slot) -> None:
        """A dead worker: forget it and start another in its place."""
        self._stop(slot, graceful=False)
        self._spawn()

    def _stop(self, slot: _Slot, *, graceful: bool) -> None:
        if slot in self._slots:
            self._slots.remove(slot)
        if graceful:
            try:
                slot.conn.send(None)
            except OSError:
                pass
            slot.process.join(5)
        if slot.process.is_alive():
            slot.process.terminate()
            slot.process.join(2)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(2)
        slot.conn.close()


class InProcess:
    """Tasks rendered in this process (no worker to start): a single task, or ``-j 1``."""

    def run(self, tasks: Iterator[Task], handle: Handler, failed: Failed) -> None:
        """Render each task here, one after another."""
        for task in tasks:
            handle(task, render_task(task))
