"""``docpipe build --cluster ADDRESS``: the tasks on a Dask distributed cluster, the outputs written by the client."""

from __future__ import annotations

import re
import socket
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

from ..errors import ToolError, UsageError
from .runners import Failed, Handler
from .worker import Task, render_task

#: How long to wait for the first worker to join the scheduler.
WORKER_WAIT = 60.0
#: Inputs larger than this are scattered to the cluster ahead of their task instead of riding in the task graph.
SCATTER_BYTES = 1 << 20
#: Times Dask reruns a task whose function raised (a worker that dies is retried by the scheduler anyway,
#: up to its ``distributed.scheduler.allowed-failures``, 3 by default).
RETRIES = 2


class DaskRunner:
    """Runs :func:`pipeline.build.worker.render_task` on the workers of a Dask scheduler.

    Nothing but bytes crosses the network, so no shared filesystem is needed: each task carries the input's bytes
    (inputs over :data:`SCATTER_BYTES` are scattered to a worker first, not embedded in the graph), and its result
    carries every output's bytes. Large outputs travel the same way: Dask sends a result's ``bytes`` as raw
    frames (no copy into the pickle stream), keeps it in the worker's memory — spilled to the worker's disk under
    memory pressure — until the client gathers it, and the client gathers each result as soon as its task ends,
    writes the files atomically, records them in the manifest and releases the result. At most ``2 × threads + 2``
    tasks are in flight, so the client holds a bounded number of documents however large the build.

    A worker that dies mid-task (killed, out of memory, its machine gone) loses only that task: the scheduler
    reruns it on another worker, and the bytes are the same as a local build's because rendering is
    deterministic (``SOURCE_DATE_EPOCH`` travels with the task; the workers' styles and fonts are checked
    against the client's). After ``allowed-failures`` deaths the document is a failed job, and the build goes on.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self.client: Any = None

    def connect(self) -> int:
        """Connect to the scheduler and wait for a worker; returns how many tasks the cluster runs at once."""
        try:
            from distributed import Client
        except ImportError as exc:
            raise UsageError("--cluster needs Dask distributed, which is not installed",
                             expected="pip install 'dask[distributed]' (make install does)") from exc
        try:
            # Dask retries a refused connection until its timeout: a scheduler started a moment ago (the README's
            # `dask scheduler … & docpipe build --cluster …`) is still coming up
            self.client = Client(self.address, timeout="15s", set_as_default=False)  # type: ignore[no-untyped-call]
        except Exception as exc:  # refused, unreachable, not a scheduler: all the same to the user
            why = _refused(self.address) or _reason(exc)
            raise ToolError(f"cannot reach the Dask scheduler at {self.address}: {why}",
                            expected="a running `dask scheduler` (see README, On a cluster)") from exc
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except Exception as exc:
            self.close()
            raise ToolError(f"no worker joined the Dask scheduler at {self.address} within {WORKER_WAIT:.0f} s",
                            expected="`dask worker ADDRESS` on one or more machines") from exc
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.close(timeout=10)
            except Exception:  # closing a client whose scheduler is gone: nothing left to do
                pass
            self.client = None

    def run(self, tasks: Iterator[Task], handle: Handler, failed: Failed) -> None:
        """Submit ``tasks`` a window at a time; hand each result to ``handle`` as it arrives."""
        from distributed import KilledWorker, as_completed

        if self.client is None:
            self.connect()
        client = self.client
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        window = 2 * max(1, sum(int(w.get("nthreads", 1)) for w in workers.values())) + 2
        inflight: dict[Any, Task] = {}
        pending = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]

        def submit() -> bool:
            task = next(tasks, None)
            if task is None:
                return False
            arg: Any = client.scatter(task, hash=False) if len(task.data) > SCATTER_BYTES else task
            fut = client.submit(render_task, arg, key=f"docpipe-render-{uuid.uuid4().hex}", pure=False,
                                retries=RETRIES)
            inflight[fut] = task
            pending.add(fut)  # type: ignore[no-untyped-call]
            return True

        try:
            while len(inflight) < window and submit():
                pass
            for fut in pending:
                task = inflight.pop(fut)
                try:
                    result = fut.result()
                except KilledWorker as exc:
                    failed(task, f"workers died while building it, {_reason(exc)} (Dask KilledWorker)")
                except Exception as exc:
                    if fut.status == "cancelled" or type(exc).__name__ == "CancelledError":
                        raise ToolError(f"lost the Dask scheduler at {self.address}: {_reason(exc)}") from exc
                    failed(task, f"the cluster could not run it: {type(exc).__name__}: {_reason(exc)}")
                else:
                    handle(task, result)
                finally:
                    fut.release()
                while len(inflight) < window and submit():
                    pass
        finally:
            if inflight:
                try:
                    client.cancel(list(inflight))
                except Exception:  # the scheduler may be gone; the futures die with the client
                    pass
            self.close()


def stop_local_cluster(processes: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """Stop a scheduler (``processes[0]``) and its workers started on this machine (the benchmark's and the tests'):
    the workers first, while their scheduler still answers their goodbye (stopped together, each waits for the
    other until its own timeout: 30 s), then the scheduler; a process that does not stop in ``timeout`` is killed."""
    for group in (processes[1:], processes[:1]):
        for proc in group:
            if proc.poll() is None:
                proc.terminate()
        for proc in group:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)


def _refused(address: str) -> str | None:
    """Why a TCP scheduler address certainly cannot be reached (its host has no such name, or nothing listens on
    its port), or None: a reachable port, another protocol, or no answer yet (Dask's own timeout decides)."""
    m = re.fullmatch(r"(?:tcp://)?\[?([^\[\]/]+?)\]?:(\d{1,5})/?", address)
    if m is None:
        return None
    try:
        with socket.create_connection((m[1], int(m[2])), timeout=5):
            return None
    except socket.gaierror as exc:
        return f"no host named {m[1]!r} ({exc.strerror or exc})"
    except ConnectionRefusedError:
        return f"connection refused (nothing listens on port {m[2]} of {m[1]})"
    except (OSError, OverflowError, ValueError):
        return None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
