"""The worker side of a build: bytes in, bytes out, on the pure core — the same calls ``docpipe convert`` makes.

A :class:`Task` carries one document's bytes and the editions to make of it; :func:`render_task` reads the
document once and renders each edition with :func:`pipeline.core.render` under the job budget. Every failure is a
result, never an exception, so one bad document cannot stop a build.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from .. import __version__, core
from ..diagnostics import Diagnostic, Diagnostics, Severity
from ..errors import DocpipeError
from ..options import Options
from .plan import dep_sha
from .project import EditionSpec


@dataclass(frozen=True)
class Task:
    """One document in one or more editions, as a worker gets it: the input's bytes, no path it must open."""

    name: str
    """The source's path on the client, as diagnostics and logs name it."""
    data: bytes
    stem: str
    """The output NAME's last part (the PDF/A attachment is called ``STEM.tei.xml``)."""
    base_dir: str
    editions: tuple[EditionSpec, ...]
    epoch: int | None
    deps: tuple[tuple[str, str], ...]
    """sha256 of every style and font file the formats use, as the client has them."""
    resource_root: str | None = None
    """The folder the document's pictures may come from (its source folder or its book's)."""
    mtime: int | None = None
    """The source's modification time: the outputs' date when the document has none and no epoch is set."""
    input_format: str | None = None
    """The reader to use when the name does not say (``ir`` for a book the client has read)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """What the client reported while preparing the input (reading a book's chapters)."""
    version: str = __version__


@dataclass
class EditionResult:
    """A worker's answer for one edition: the outputs' bytes by format, or why it failed."""

    edition: str
    ok: bool
    files: dict[str, bytes] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict)
    """Pictures written beside HTML, TEI and Markdown outputs, in ``NAME.media/`` (as ``convert`` does)."""
    log: tuple[str, ...] = ()
    warnings: int = 0
    error: str = ""
    seconds: float = 0.0


@dataclass
class TaskResult:
    """A worker's answer for a task."""

    results: list[EditionResult]
    worker: str = ""


def guarded(fn: Callable[[], Any], name: str) -> tuple[Any, str]:
    """``fn()`` and no error, or None and the one-line reason (never an exception)."""
    try:
        return fn(), ""
    except DocpipeError as exc:
        return None, exc.one_line()
    except RecursionError:
        return None, f"{name}: structure nested too deeply"
    except MemoryError:
        return None, f"{name}: out of memory"
    except Exception as exc:  # an internal error in one document must not stop the others
        return None, f"{name}: internal error: {type(exc).__name__}: {exc}"


def budgeted(fn: Callable[[], Any], options: Options, name: str) -> tuple[Any, str]:
    """:func:`guarded` under the job's budget (``job_timeout``, ``job_memory_mb``), as the CLI runs ``convert``;
    the budget holds in a process's main thread (local workers), Dask bounds its workers' memory itself."""
    from ..budget import job_budget

    def run() -> Any:
        with job_budget(options.job_timeout, options.job_memory_mb, name):
            return fn()

    return guarded(run, name)


def worker_id() -> str:
    """host:pid of this worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


_RENDER_LOCK = threading.Lock()


def render_task(task: Task) -> TaskResult:
    """Worker: read the document once, then transform and render each edition; every failure is a result.

    One task at a time per process (a Dask worker given several threads runs them one after another): the
    renderer's font and layout libraries are not known to be thread-safe.
    """
    with _RENDER_LOCK:
        return _render_task(task)


def _refuse(task: Task, problem: str) -> TaskResult:
    return TaskResult([EditionResult(e.name, False, error=problem) for e in task.editions], worker_id())


def _render_task(task: Task) -> TaskResult:
    if task.version != __version__:
        return _refuse(task, f"worker {worker_id()} runs docpipe {__version__}, the client {task.version}")
    differ = sorted(dep for dep, digest in task.deps if dep_sha(dep) != digest)
    if differ:
        return _refuse(task, f"{differ[0]} differs between the client and worker {worker_id()} (changed during the "
                       "build, or another docpipe install: install the same one everywhere)")
    base = Options(source_date_epoch=task.epoch, source_mtime=task.mtime, source_name=PurePath(task.name).name,
                   base_dir=task.base_dir, resource_root=task.resource_root, input_format=task.input_format)
    # the read is shared by every edition, so it runs under the loosest of their limits
    read_opts = task.editions[0].options(base) if len(task.editions) == 1 else base
    read_diag = Diagnostics(file=task.name, items=list(task.diagnostics))
    start = time.perf_counter()
    doc, error = budgeted(lambda: core.read_bytes(task.data, task.name, read_opts, read_diag), read_opts, task.name)
    read_seconds = time.perf_counter() - start
    results: list[EditionResult] = []
    for spec in task.editions:
        start = time.perf_counter()
        diag = Diagnostics(file=task.name, items=list(read_diag.items))
        out: core.Rendered | None = None
        err = error
        if not err:
            opts = spec.options(base).with_(output_name=task.stem)
            out, err = budgeted(lambda: core.render(doc, spec.formats, opts, diag), opts, task.name)  # noqa: B023
        files, media = (out.files, out.media) if out is not None and not err else ({}, {})
        warnings = len(diag.at_least(Severity.WARNING))
        results.append(EditionResult(spec.name, not err, files, media, tuple(d.one_line() for d in diag.items),
                                     warnings, err, time.perf_counter() - start + read_seconds / len(task.editions)))
    return TaskResult(results, worker_id())


#: A paragraph in each script, so that warming up loads the OpenCC dictionaries of both directions.
_WARM_TEXT = "1. 聯合國的工作。\n\n2. 联合国的工作。\n".encode()


def warm_up(formats: Iterable[str], scripts: Iterable[str]) -> None:
    """What a worker does once, before its first document: imports, the OpenCC dictionaries of each script."""
    from .. import registry
    for fmt in formats:
        registry.get_writer(fmt)  # imports the writer (WeasyPrint for PDF)
    for script in scripts:
        opts = Options(script=script)  # type: ignore[arg-type]
        core.transform(core.read_bytes(_WARM_TEXT, "warm-up.txt", opts, Diagnostics()), opts, Diagnostics())
