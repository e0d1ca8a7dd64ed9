"""Batch builds: every edition of every document of a folder (or a book), incremental, on local workers or a Dask
cluster — all on the pure core, so the bytes are ``docpipe convert``'s by construction.

Dependencies point one way: the CLI calls this package; :mod:`.project` reads the project file and finds sources,
:mod:`.plan` makes jobs, keys and the manifest, :mod:`.worker` renders tasks with :mod:`pipeline.core`,
:mod:`.runners` (and :mod:`.dask`) run them, :mod:`.progress` shows them. The client alone writes files.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import Any, TextIO

from .. import __version__
from ..book.cache import ChapterCache, picture_fingerprint
from ..budget import cores
from ..diagnostics import Diagnostic, Diagnostics
from ..errors import DocpipeError, OutputError, UsageError
from ..fileio import atomic_write, publish, read_source
from ..options import Edition, Options, default_epoch
from .plan import FORMAT_DEPS, Job, Manifest, Outcome, collisions, dep_shas, file_sha, job_key, sha, stat_of
from .progress import Progress, summary
from .project import DEFAULT_INCLUDE, EditionSpec, Project, Source, collect, load_project, project_defaults
from .runners import InProcess, LocalPool, Runner
from .worker import EditionResult, Task, TaskResult, render_task

__all__ = ["DEFAULT_INCLUDE", "FORMAT_DEPS", "EditionResult", "EditionSpec", "Job", "Manifest", "Outcome", "Project",
           "Runner", "Source", "Task", "TaskResult", "batch", "build", "collect", "dep_shas", "job_key",
           "load_project", "project_defaults", "render_task", "run_jobs", "summary"]


class _Run:
    """One build: the manifest, each job's outcome, the progress shown, and writing what the workers send back."""

    def __init__(self, manifest: Manifest, progress: Progress) -> None:
        self.manifest = manifest
        self.progress = progress
        self.outcomes: dict[int, Outcome] = {}
        self.by_task: dict[int, list[Job]] = {}
        self.caches: list[ChapterCache] = []
        """The books' chapter caches, written behind the workers and closed when the run ends."""

    def finish(self, job: Job, outcome: Outcome, res: EditionResult | None = None, *, write_log: bool = True) -> None:
        """A failed job: forgotten in the manifest, its log (why) left where its outputs go."""
        self.manifest.record(job.label, None)
        if write_log:
            try:
                job.log_path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(job.log_path, log_text(job, res, outcome.error))
            except (DocpipeError, OSError):
                pass  # the failure itself is reported; a log that cannot be written must not hide it
        self.outcomes[id(job)] = outcome
        self.progress.update(outcome)

    def write(self, job: Job, res: EditionResult, source: dict[str, Any]) -> None:
        """Write one edition's outputs atomically (client side), its log, and record it in the manifest."""
        spec = job.edition
        if not res.ok:
            self.finish(job, Outcome(job.label, spec.name, spec.formats, False, res.seconds, res.warnings, res.error,
                                     log=res.log), res)
            return
        files = {job.target(fmt): res.files[fmt] for fmt in spec.formats}
        media_dir = job.out_dir / f"{job.source.stem}.media"
        media = {media_dir / name: data for name, data in res.media.items()}
        try:
            # the first job written to a folder also removes temporary files a killed run left there
            publish(files, media, sweep=job.out_dir not in self.manifest.swept)
            self.manifest.swept.add(job.out_dir)
            atomic_write(job.log_path, log_text(job, res, ""))
        except (DocpipeError, OSError) as exc:
            msg = exc.one_line() if isinstance(exc, DocpipeError) else f"{job.out_dir}: cannot write: {exc}"
            self.finish(job, Outcome(job.label, spec.name, spec.formats, False, res.seconds, res.warnings, msg,
                                     log=res.log), res)
            return
        everything = {**files, **media}
        outputs = {self.manifest.rel(target): sha(data) for target, data in everything.items()}
        stats = {self.manifest.rel(target): stat_of(target) for target in everything}
        entry = {"key": job.key, "source": str(job.source.path), "edition": spec.name,
                 "outputs": dict(sorted(outputs.items())), "stat": stats, "log": self.manifest.rel(job.log_path),
                 "warnings": res.warnings, "input": source}
        self.manifest.record(job.label, entry)
        o = Outcome(job.label, spec.name, spec.formats, True, res.seconds, res.warnings,
                    outputs=dict(sorted(outputs.items())), log=res.log)
        self.outcomes[id(job)] = o
        self.progress.update(o)

    # the runner's callbacks

    def handle(self, task: Task, result: TaskResult) -> None:
        group = self.by_task.pop(id(task))
        st = stat_of(group[0].source.path)
        digest = sha(task.data)
        for job, res in zip(group, result.results, strict=True):
            self.write(job, res, {"sha": digest, "size": st[0] if st else -1, "mtime_ns": st[1] if st else -1})

    def failed(self, task: Task, reason: str) -> None:
        for job in self.by_task.pop(id(task)):
            spec = job.edition
            self.finish(job, Outcome(job.label, spec.name, spec.formats, False, error=f"{task.name}: {reason}"))

    def chapter_cache(self, book: Path) -> ChapterCache:
        """Where a book's chapters are kept between builds: ``chapters.cache/`` beside the manifest, a folder per
        book file."""
        out = self.manifest.path.parent
        name = sha(str(book.resolve()).encode("utf-8", "surrogateescape"))[:16]
        cache = ChapterCache(out / "chapters.cache" / name, output=out, background=True)
        self.caches.append(cache)
        return cache

    def tasks(self, groups: list[list[Job]], epoch: int | None) -> Iterator[Task]:
        """One task per group: the source's bytes (read now, checked on the descriptor) and its editions. A book
        whose editions went to several workers is read once for all of them."""
        books: dict[Path, tuple[bytes, int | None, tuple[Diagnostic, ...]]] = {}
        for group in groups:
            first = group[0]
            limit = max(j.edition.options(Options()).max_input_bytes for j in group)
            try:
                found: tuple[Diagnostic, ...] = ()
                if first.source.book:
                    if first.source.path not in books:
                        cache = self.chapter_cache(first.source.path)
                        books[first.source.path] = kept_book_bytes(first.source.path,
                                                                   first.edition.options(Options()), cache,
                                                                   self.manifest.path.parent)
                    data, mtime, found = books[first.source.path]
                else:
                    data, mtime = read_source(first.source.path, limit=limit, root=first.source.root)
            except DocpipeError as exc:
                for job in group:
                    spec = job.edition
                    self.finish(job, Outcome(job.label, spec.name, spec.formats, False, error=exc.one_line()))
                continue
            if not first.source.book:  # the file changed since planning: key the bytes actually sent
                digest = sha(data)
                for job in group:
                    job.key = job_key(digest, job.edition, epoch)
            root = first.source.root.resolve() if first.source.root is not None else None
            task = Task(name=str(first.source.path), data=data, stem=PurePath(first.source.stem).name,
                        base_dir=str(first.source.path.resolve().parent), editions=tuple(j.edition for j in group),
                        epoch=epoch, deps=dep_shas({f for j in group for f in j.edition.formats}),
                        resource_root=str(root) if root is not None else None, mtime=mtime,
                        input_format="ir" if first.source.book else None, diagnostics=found)
            self.by_task[id(task)] = group
            yield task


def book_digest(path: Path, output: Path | None = None) -> str:
    """What a book's outputs depend on: the book file and every chapter file, by content, and the pictures
    under the book's folder (``output``, the build's folder, left out)."""
    from ..book import book_plan
    plan = book_plan([path], Diagnostics())
    parts = [("", file_sha(path))] + [(rel, file_sha(plan.root / rel)) for rel in plan.files()]
    parts.append(("pictures", picture_fingerprint(plan.resources, output)))
    return sha(repr(parts).encode("utf-8"))


def book_bytes(path: Path, options: Options, cache: ChapterCache | None = None
               ) -> tuple[bytes, int | None, tuple[Diagnostic, ...]]:
    """A book read on the client into one document, as ``.ir.json`` bytes (pictures inside): the task a worker
    renders like any other document, with no need to see the book's files; and what reading it reported.
    ``cache``: the chapters kept from the last build (only the chapters changed since are read)."""
    from ..book import read_book
    from ..ir_json import dumps
    options = options.with_(source_name=path.name, base_dir=str(path.resolve().parent))
    diag = Diagnostics(file=str(path))
    doc, mtime, _root = read_book([path], options, diag, cache)
    return dumps(doc, compact=True).encode("utf-8"), mtime, tuple(diag.items)


def kept_book_bytes(path: Path, options: Options, cache: ChapterCache, output: Path
                    ) -> tuple[bytes, int | None, tuple[Diagnostic, ...]]:
    """:func:`book_bytes`, kept whole beside the chapters while none of the book's files changed: a build of an
    unchanged book sends its workers the bytes it sent last time, without reading, assembling and writing the
    book again in the client while they wait (0.6 s for 40 chapters). Kept only when the files did not change
    while they were read."""
    digest = book_digest(path, output)
    key = cache.book_key(digest, options)
    kept = cache.get_book(key)
    if kept is not None:
        return kept
    read = book_bytes(path, options, cache)
    cache.write_behind()  # the chapters, while the workers render what was just read
    if book_digest(path, output) == digest:
        cache.put_book(key, *read)
    return read


def log_text(job: Job, res: EditionResult | None, error: str) -> bytes:
    """A job's log: what it built from what, its diagnostics, then ``ok`` or why it failed."""
    spec = job.edition
    script = spec.edition.script
    head = (f"docpipe {__version__}: {job.source.path} -> edition {spec.name} "
            f"(script {script}; {', '.join(spec.formats)})")
    lines = [head, *(res.log if res else ())]
    if error:
        lines.append(f"FAILED: {error}")
    else:
        lines.append("ok: " + " ".join(job.target(f).name for f in spec.formats))
    return ("\n".join(lines) + "\n").encode("utf-8", "backslashreplace")  # a file name may not be UTF-8


def _group(todo: list[Job], parallel: int) -> list[list[Job]]:
    """Tasks: each document once with all its editions (read once), unless that leaves workers idle."""
    by_source: dict[Path, list[Job]] = {}
    for job in todo:
        by_source.setdefault(job.source.path, []).append(job)
    groups = list(by_source.values())
    if len(groups) < parallel:
        groups = [[j] for j in todo]

    def size(g: list[Job]) -> int:
        st = stat_of(g[0].source.path)
        return -(st[0] if st else 0) * len(g)

    return sorted(groups, key=size)  # the largest first: fewer idle workers at the end


def _plan(jobs: list[Job], manifest: Manifest, epoch: int | None, force: bool
          ) -> tuple[list[Job], dict[int, Outcome], list[tuple[Job, Outcome, bool]]]:
    """Which jobs to build; the outcomes of those up to date; the failures found while planning (job, outcome,
    whether its log may be written)."""
    known: dict[str, tuple[str, list[int]]] = {}
    for entry in manifest.entries.values():
        inp = entry.get("input")
        if isinstance(inp, dict) and isinstance(inp.get("sha"), str):
            known[str(entry.get("source", ""))] = (inp["sha"], [inp.get("size", -1), inp.get("mtime_ns", -1)])
    shas: dict[Path, tuple[str, list[int]] | str] = {}
    books = {j.source.path for j in jobs if j.source.book}

    def input_sha(path: Path) -> tuple[str, list[int]] | str:
        """(sha256, stat) of an input, or why it cannot be read (the bytes themselves are read when sent)."""
        if path not in shas:
            try:
                info = path.stat()
            except OSError as exc:
                shas[path] = f"{path}: cannot read: {exc.strerror or exc}"
                return shas[path]
            st = [info.st_size, info.st_mtime_ns]
            old = known.get(str(path))
            if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
                shas[path] = f"{path}: is not a regular file (expected a document file)"
            elif path in books:
                try:
                    shas[path] = (book_digest(path, manifest.path.parent), st)
                except (OSError, DocpipeError) as exc:
                    shas[path] = exc.one_line() if isinstance(exc, DocpipeError) else f"{path}: {exc}"
            elif old is not None and old[1] == st:
                shas[path] = (old[0], st)
            else:
                try:
                    shas[path] = (file_sha(path), st)
                except OSError as exc:
                    shas[path] = f"{path}: cannot read: {exc.strerror or exc}"
        return shas[path]

    clashes = collisions(jobs)
    todo: list[Job] = []
    done: dict[int, Outcome] = {}
    failures: list[tuple[Job, Outcome, bool]] = []
    for job in jobs:
        spec = job.edition
        fail = clashes.get(id(job), "")
        got = input_sha(job.source.path) if not fail else ""
        if isinstance(got, str):
            fail = fail or got
        if fail:
            label = f"{job.label} ({job.source.path.name})" if id(job) in clashes else job.label
            failures.append((job, Outcome(label, spec.name, spec.formats, False, error=fail), id(job) not in clashes))
            continue
        assert not isinstance(got, str)
        job.key = job_key(got[0], spec, epoch)
        if not force and manifest.up_to_date(job.label, job.key):
            old = manifest.entries[job.label]
            done[id(job)] = Outcome(job.label, spec.name, spec.formats, True, skipped=True,
                                    outputs=dict(old["outputs"]), warnings=int(old.get("warnings", 0) or 0))
        else:
            todo.append(job)
    return todo, done, failures


def run_jobs(jobs: list[Job], manifest_path: Path, *, workers: int | None = None, force: bool = False,
             stream: TextIO | None = None, verbose: bool = False, quiet: bool = False,
             cluster: str | None = None) -> list[Outcome]:
    """Build what changed on ``workers`` local processes (or the Dask scheduler ``cluster``); keep the manifest."""
    stream = stream or sys.stderr
    epoch = default_epoch()
    try:
        manifest = Manifest(manifest_path)
        for problem in manifest.problems:
            stream.write(f"docpipe: warning: {problem}\n")
        if manifest.replayed:
            manifest.save()  # fold the interrupted run's journal in, so that this run appends to an empty one
    except OSError as exc:
        raise OutputError(f"cannot write the manifest: {exc.strerror or exc}", file=str(manifest_path)) from exc
    todo, done, failures = _plan(jobs, manifest, epoch, force)
    progress = Progress(len(jobs), len(done), stream, verbose=verbose, quiet=quiet)
    run = _Run(manifest, progress)
    run.outcomes.update(done)
    try:
        for job, outcome, write_log in failures:
            run.finish(job, outcome, write_log=write_log)  # colliding jobs share one log path
        if todo:
            _execute(todo, run, epoch=epoch, workers=workers, cluster=cluster)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(exc.filename or manifest_path)) from exc
    finally:
        for cache in run.caches:
            cache.close()
        progress.close()
        try:
            manifest.save()
        except (OSError, DocpipeError):
            pass  # the error that stopped the run is the one to report
    return [run.outcomes[id(j)] for j in jobs]


def _execute(todo: list[Job], run: _Run, *, epoch: int | None, workers: int | None, cluster: str | None) -> None:
    formats = {f for j in todo for f in j.edition.formats}
    scripts = {j.edition.edition.script for j in todo}
    parallel = max(1, workers or cores())
    runner: Runner | None = None
    if cluster:
        from .dask import DaskRunner
        dask = DaskRunner(cluster)
        parallel = dask.connect()
        runner = dask
    groups = _group(todo, parallel)
    if runner is None:
        runner = InProcess() if len(groups) == 1 or parallel == 1 else \
            LocalPool(min(parallel, len(groups)), formats, scripts)
    runner.run(run.tasks(groups, epoch), run.handle, run.failed)


def build(project: Project, *, workers: int | None = None, force: bool = False, stream: TextIO | None = None,
          verbose: bool = False, quiet: bool = False, cluster: str | None = None) -> list[Outcome]:
    """Every edition of every source of a project."""
    _check_output(project.output)
    jobs = [Job(src, ed, project.output / ed.name) for src in project.sources() for ed in project.editions]
    return run_jobs(jobs, project.output / "manifest.json", workers=workers, force=force, stream=stream,
                    verbose=verbose, quiet=quiet, cluster=cluster)


def _check_output(folder: Path) -> None:
    """The output folder exists (or is made) and is writable: else exit 4 with its path, before any work."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(folder)) from exc
    if not folder.is_dir():
        raise OutputError("the output is not a folder", file=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError("cannot write into the output folder: Permission denied", file=str(folder))


def batch(sources: Iterable[Path], formats: Sequence[str], out_dir: Path, *, script: str = "keep",
          workers: int | None = None, force: bool = False, stream: TextIO | None = None, verbose: bool = False,
          quiet: bool = False, cluster: str | None = None, edition: Edition | None = None) -> list[Outcome]:
    """One-off runs: the given sources (files or folders) to ``formats`` in ``out_dir``."""
    from ..core import formats_of
    if not formats:
        raise UsageError("--to names no format", expected="e.g. --to epub,pdf")
    base = edition or Edition()
    spec = EditionSpec(name="batch", formats=tuple(formats_of(formats)),
                       edition=Options().with_edition(base).with_(script=script).edition(), subfolder=False)
    found = collect(sources, exclude=out_dir)
    _check_output(out_dir)
    jobs = [Job(src, spec, out_dir) for src in found]
    return run_jobs(jobs, out_dir / "manifest.json", workers=workers, force=force, stream=stream, verbose=verbose,
                    quiet=quiet, cluster=cluster)
