"""Batch builds: every edition of every document of a folder, incremental, on local workers or a Dask cluster."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import stat
import sys
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any, TextIO

from . import __version__, registry
from .diagnostics import Diagnostics, Severity
from .errors import DocpipeError, InputError, UsageError
from .fileio import atomic_write, remove_leftovers, write_all
from .options import SCRIPTS, Options, default_epoch

ROOT = Path(__file__).resolve().parent.parent
#: What each format's output depends on besides the input and the options: one place, also used by make.
FORMAT_DEPS: dict[str, list[str]] = {
    "html": ["styles/html.css"],
    "epub": ["styles/epub.css", "fonts/fonts.toml"],
    "pdf": ["styles/print.css", "fonts/fonts.toml"],
    "docx": ["fonts/fonts.toml"],
    "tei": [],
    "md": [],
    "ir": [],
}
EDITION_KEYS = {"script", "formats", "page_size", "vertical", "pdf_variant", "font", "embed_fonts", "mirror_margins",
                "keep_spaces", "css", "reference_docx"}
DEFAULT_INCLUDE = ["*.txt", "*.md", "*.markdown", "*.docx", "*.odt", "*.html", "*.htm", "*.epub", "*.tei.xml"]
#: Rows of the summary table beyond which only the failed and warned jobs are listed.
SUMMARY_ROWS = 100


@dataclass(frozen=True)
class Edition:
    """One edition: a name, its formats and the options that make it."""

    name: str
    formats: tuple[str, ...]
    script: str = "keep"
    page_size: str = "A4"
    vertical: bool = False
    pdf_variant: str | None = None
    font: str | None = None
    embed_fonts: bool = False
    mirror_margins: bool = True
    keep_spaces: bool = False
    css: str | None = None
    reference_docx: str | None = None
    subfolder: bool = True

    def options(self, epoch: int | None) -> Options:
        """The conversion options of this edition; ``epoch`` is the client's ``SOURCE_DATE_EPOCH``."""
        return Options(script=self.script, page_size=self.page_size, vertical=self.vertical,  # type: ignore[arg-type]
                       pdf_variant=self.pdf_variant, serif_font=self.font, embed_fonts=self.embed_fonts,
                       mirror_margins=self.mirror_margins, keep_spaces=self.keep_spaces, source_date_epoch=epoch,
                       css=self.css, reference_docx=self.reference_docx)


@dataclass(frozen=True)
class Source:
    """One input document and the output NAME it gets: its path below the folder, without the reader suffix."""

    path: Path
    stem: str


def scan(folder: Path, include: Sequence[str], exclude: Path | None = None) -> list[Path]:
    """Files below ``folder`` matching ``include`` (hidden files and folders, and ``exclude``, left out).

    Dangling links are listed too: they become failed jobs ("cannot read"), not silently skipped files.
    """
    found: list[Path] = []
    skip = exclude.resolve() if exclude is not None else None
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        if skip is not None and here.resolve() == skip:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(n for n in dirnames if not n.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            rel = (here / name).relative_to(folder).as_posix()
            if any(fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(rel, pat) for pat in include):
                found.append(here / name)
    return sorted(found)


def _stem_below(path: Path, folder: Path) -> str:
    rel = path.relative_to(folder)
    return (rel.parent / registry.output_stem(rel.name)).as_posix()


@dataclass
class Project:
    """What ``docpipe build`` builds."""

    source: Path
    output: Path
    editions: list[Edition]
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))

    def sources(self) -> list[Source]:
        """Every document of the source folder; a missing folder or one with nothing to convert is an error."""
        if not self.source.is_dir():
            what = "is not a folder" if self.source.exists() else "does not exist"
            raise InputError(f"the source folder {what}", file=str(self.source))
        found = [Source(p, _stem_below(p, self.source)) for p in scan(self.source, self.include, self.output)]
        if not found:
            raise UsageError("nothing to convert in the source folder", file=str(self.source),
                             expected="files matching " + " ".join(self.include))
        return found


def load_project(path: Path) -> Project:
    """Read and check ``docpipe.toml``; every mistake is a UsageError naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError("no project file", file=str(path), expected="a docpipe.toml (see README)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the project file: {getattr(exc, 'strerror', None) or exc}",
                         file=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"not valid TOML: {exc}", file=str(path)) from exc
    proj = data.get("project", {})
    base = path.parent
    editions = []
    for name, spec in (data.get("editions") or {}).items():
        unknown = set(spec) - EDITION_KEYS
        if unknown:
            raise UsageError(f"edition {name!r} has unknown option {sorted(unknown)[0]!r}", file=str(path),
                             expected="one of " + ", ".join(sorted(EDITION_KEYS)))
        formats = tuple(registry.writer_name(f) for f in spec.get("formats", []))
        if not formats:
            raise UsageError(f"edition {name!r} names no formats", file=str(path), expected='formats = ["epub"]')
        if spec.get("script", "keep") not in SCRIPTS:
            raise UsageError(f"edition {name!r}: unknown script {spec.get('script')!r}", file=str(path),
                             expected="one of " + ", ".join(SCRIPTS))
        spec = {k: str((base / v).resolve()) if k in ("css", "reference_docx") else v for k, v in spec.items()}
        editions.append(Edition(name=name, formats=formats, **{k: v for k, v in spec.items() if k != "formats"}))
    if not editions:
        raise UsageError("the project names no editions", file=str(path), expected="an [editions.NAME] table")
    return Project(source=(base / proj.get("source", ".")).resolve(),
                   output=(base / proj.get("output", "build/editions")).resolve(), editions=editions,
                   include=list(proj.get("include", DEFAULT_INCLUDE)))


@dataclass
class Job:
    """One document in one edition."""

    source: Source
    edition: Edition
    out_dir: Path
    key: str = ""

    @property
    def label(self) -> str:
        return f"{self.edition.name}/{self.source.stem}" if self.edition.subfolder else self.source.stem

    def target(self, fmt: str) -> Path:
        """Where the output of ``fmt`` goes."""
        return self.out_dir / f"{self.source.stem}{registry.output_suffix(fmt)}"

    @property
    def log_path(self) -> Path:
        """The job's log (its diagnostics, or why it failed), beside its outputs."""
        return self.out_dir / f"{self.source.stem}.log"


@dataclass
class Outcome:
    """What a job did."""

    label: str
    edition: str
    formats: tuple[str, ...]
    ok: bool
    seconds: float = 0.0
    warnings: int = 0
    error: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    skipped: bool = False
    log: tuple[str, ...] = ()


# ---- what travels to a worker and back --------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One document in one or more editions, as a worker gets it: the input's bytes, no path it must open."""

    name: str
    """The source's path on the client, as diagnostics and logs name it."""
    data: bytes
    stem: str
    """The output NAME's last part (the PDF/A attachment is called ``STEM.tei.xml``)."""
    base_dir: str
    editions: tuple[Edition, ...]
    epoch: int | None
    deps: tuple[tuple[str, str], ...]
    """sha256 of every style and font file the formats use, as the client has them."""
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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dep_path(dep: str) -> Path:
    return Path(dep) if Path(dep).is_absolute() else ROOT / dep


_DEP_CACHE: dict[str, tuple[tuple[int, int], str]] = {}


def _dep_sha(dep: str) -> str:
    """sha256 of one style or font file (cached by size and mtime), or "missing"."""
    p = _dep_path(dep)
    try:
        st = p.stat()
    except OSError:
        return "missing"
    stamp = (st.st_size, st.st_mtime_ns)
    cached = _DEP_CACHE.get(dep)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _file_sha(p))
        _DEP_CACHE[dep] = cached
    return cached[1]


def dep_shas(formats: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """sha256 of the style and font files ``formats`` use."""
    return tuple(sorted({dep: _dep_sha(dep) for fmt in formats for dep in FORMAT_DEPS.get(fmt, [])}.items()))


def job_key(input_sha: str, edition: Edition, epoch: int | None) -> str:
    """The sha256 that must change for a job to be rebuilt: input, edition, epoch, styles and fonts, version."""
    parts: dict[str, Any] = {"docpipe": __version__, "input": input_sha, "edition": asdict(edition), "epoch": epoch}
    parts.update(dep_shas(edition.formats))
    for key in ("css", "reference_docx", "cover"):  # a house stylesheet or template edited in place rebuilds too
        path = getattr(edition, key, None)
        if path:
            try:
                parts[f"{key}-sha256"] = _sha(Path(path).read_bytes())
            except OSError:
                parts[f"{key}-sha256"] = "unreadable"
    return _sha(json.dumps(parts, sort_keys=True, default=str).encode())


# ---- the worker side: pure, bytes in and bytes out -----------------------------------------------------------


def _order(formats: Sequence[str]) -> list[str]:
    # As pipeline.convert: TEI first, so that a PDF/A-3b can carry it as an associated file.
    return sorted(formats, key=lambda f: (f != "tei", formats.index(f)))


def render_edition(doc: Any, formats: Sequence[str], options: Options, diag: Diagnostics,
                   stem: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Transform a document read once into one edition and render every format: the bytes ``convert`` writes,
    and the pictures it puts beside the formats that do not carry their own."""
    import pipeline

    options = options.with_(output_name=stem)
    doc = pipeline.transform(doc, options, diag)
    rendered: dict[str, bytes] = {}
    for fmt in _order(list(formats)):
        opts = options
        if fmt == "pdf" and "tei" in rendered:
            opts = options.with_(attachments=((f"{stem}.tei.xml", rendered["tei"]),))
        rendered[fmt] = pipeline.write(doc, fmt, opts, diag)
    media = {m.name: m.data for m in doc.media} if set(formats) & pipeline.MEDIA_BESIDE else {}
    return {fmt: rendered[fmt] for fmt in formats}, media


def _guarded(fn: Callable[[], Any], name: str) -> tuple[Any, str]:
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


def _budgeted(fn: Callable[[], Any], options: Options, name: str) -> tuple[Any, str]:
    """:func:`_guarded` under the job's budget (``job_timeout``, ``job_memory_mb``), as ``convert`` runs; the
    budget holds in a process's main thread (local workers), Dask bounds its workers' memory itself."""
    from .budget import job_budget

    def run() -> Any:
        with job_budget(options.job_timeout, options.job_memory_mb, name):
            return fn()

    return _guarded(run, name)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


_RENDER_LOCK = threading.Lock()


def render_task(task: Task) -> TaskResult:
    """Worker: read the document once, then transform and render each edition; every failure is a result.

    One task at a time per process (a Dask worker given several threads runs them one after another): the
    renderer's font and layout libraries are not known to be thread-safe.
    """
    with _RENDER_LOCK:
        return _render_task(task)


def _render_task(task: Task) -> TaskResult:
    if task.version != __version__:
        problem = f"worker {_worker_id()} runs docpipe {__version__}, the client {task.version}"
        return TaskResult([EditionResult(e.name, False, error=problem) for e in task.editions], _worker_id())
    differ = sorted(dep for dep, sha in task.deps if _dep_sha(dep) != sha)
    if differ:
        problem = (f"{differ[0]} differs between the client and worker {_worker_id()} (changed during the build, "
                   "or another docpipe install: install the same one everywhere)")
        return TaskResult([EditionResult(e.name, False, error=problem) for e in task.editions], _worker_id())
    base = Options(source_date_epoch=task.epoch, source_name=PurePath(task.name).name, base_dir=task.base_dir)
    read_diag = Diagnostics(file=task.name)
    start = time.perf_counter()

    def read() -> Any:  # as pipeline.read, from bytes
        from .errors import LimitError
        from .guard import guard

        if len(task.data) > base.max_input_bytes:
            raise LimitError(f"input is {len(task.data)} bytes, over the limit of {base.max_input_bytes}",
                             file=task.name, expected="a smaller file or a higher --max-input-bytes")
        reader = registry.get_reader(registry.reader_for_path(task.name))
        try:
            doc = reader(task.data, base, read_diag, name=task.name)
        except RecursionError as exc:
            raise LimitError("structure nested too deeply", file=task.name,
                             expected=f"at most {base.max_depth} levels (--max-depth)") from exc
        return guard(doc, base, read_diag, task.name)

    doc, error = _budgeted(read, base, task.name)
    read_seconds = time.perf_counter() - start
    results: list[EditionResult] = []
    for edition in task.editions:
        start = time.perf_counter()
        diag = Diagnostics(file=task.name, items=list(read_diag.items))
        out: Any = None
        if error:
            err = error
        else:
            opts = edition.options(task.epoch).with_(source_name=base.source_name, base_dir=base.base_dir)
            out, err = _budgeted(functools.partial(render_edition, doc, edition.formats, opts, diag, task.stem),
                                 opts, task.name)
        files, media = out if not err else ({}, {})
        warnings = len(diag.at_least(Severity.WARNING))
        results.append(EditionResult(edition.name, not err, files, media, tuple(d.one_line() for d in diag.items),
                                     warnings, err, time.perf_counter() - start + read_seconds / len(task.editions)))
    return TaskResult(results, _worker_id())


#: A paragraph in each script, so that warming up loads the OpenCC dictionaries of both directions.
_WARM_TEXT = "1. 聯合國的工作。\n\n2. 联合国的工作。\n".encode()


def warm_up(formats: Iterable[str], scripts: Iterable[str]) -> None:
    """What a worker does once, before its first document: imports, the OpenCC dictionaries of each script."""
    import pipeline

    for fmt in formats:
        registry.get_writer(fmt)  # imports the writer (WeasyPrint for PDF)
    reader = registry.get_reader("report")
    for script in scripts:
        opts = Options(script=script)  # type: ignore[arg-type]
        pipeline.transform(reader(_WARM_TEXT, opts, Diagnostics(), name="warm-up.txt"), opts, Diagnostics())


# ---- the manifest: consistent after every job, even when the run is killed ---------------------------------


class Manifest:
    """``OUTPUT/manifest.json``: every job's key, outputs and their sha256.

    Each finished job is appended at once to ``manifest.json.journal`` (one JSON line, O(1)); the manifest itself
    is rewritten atomically after a job whenever that costs less than a twentieth of the time since the last
    rewrite (so after every job for all but huge builds) and at the end. A killed run leaves a valid manifest
    plus the journal, which the next run replays: what was finished is kept, the rest is built.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.entries: dict[str, Any] = {}
        self._saved_at = 0.0
        self._save_cost = 0.0
        self.swept: set[Path] = set()
        """Output folders whose leftover temporary files this run has removed."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            jobs = data.get("jobs", {}) if isinstance(data, dict) else {}
            self.entries = dict(jobs) if isinstance(jobs, dict) else {}
        except (OSError, ValueError):
            self.entries = {}
        self.replayed = False
        """Whether a journal left by an interrupted run was read (:meth:`save` folds it in)."""
        try:
            with open(self.journal_path, "rb") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line.decode("utf-8"))
                        label, entry = rec["label"], rec["entry"]
                    except (ValueError, KeyError, TypeError):
                        break  # a line torn by a kill: everything before it holds
                    if entry is None:
                        self.entries.pop(label, None)
                    else:
                        self.entries[label] = entry
            self.replayed = True
        except OSError:
            pass

    def rel(self, path: Path) -> str:
        """How the manifest names an output: relative to its own folder."""
        return Path(os.path.relpath(path, self.path.parent)).as_posix()

    def record(self, label: str, entry: dict[str, Any] | None) -> None:
        """Remember one job (None: forget it) durably, then rewrite the manifest if that is cheap."""
        if entry is None:
            self.entries.pop(label, None)
        else:
            self.entries[label] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps({"label": label, "entry": entry}, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)  # one append per job: a kill tears the last line at most
        finally:
            os.close(fd)
        if time.monotonic() - self._saved_at >= 20 * self._save_cost:
            self.save()

    def save(self) -> None:
        """Rewrite ``manifest.json`` atomically and drop the journal it now holds."""
        start = time.monotonic()
        data = {"docpipe": __version__, "jobs": dict(sorted(self.entries.items()))}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        self._saved_at = time.monotonic()
        self._save_cost = self._saved_at - start


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _up_to_date(entry: dict[str, Any] | None, key: str, manifest: Manifest) -> bool:
    """The manifest says this key was built and every output (and the log) is still what was written."""
    if not entry or entry.get("key") != key:
        return False
    stats = entry.get("stat", {})
    base = manifest.path.parent
    for rel, sha in entry.get("outputs", {}).items():
        p = base / rel
        st = _stat(p)
        if st is None:
            return False
        if st != stats.get(rel):
            try:
                if _file_sha(p) != sha:
                    return False
            except OSError:
                return False
    log = entry.get("log")
    return not log or (base / log).exists()


# ---- progress -------------------------------------------------------------------------------------------------


class Progress:
    """Counts, failures and an ETA through ``rich`` on a terminal; one plain line per job otherwise."""

    def __init__(self, total: int, done: int, stream: TextIO, *, verbose: bool = False, quiet: bool = False) -> None:
        self.total = total
        self.done = done
        self.failed = 0
        self.stream = stream
        self.verbose = verbose
        self.quiet = quiet
        self.tty = stream.isatty() and not quiet
        self._bar: Any = None
        self._task: Any = None
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            console = Console(file=stream, force_terminal=True, highlight=False)
            self._bar = RichProgress(TextColumn("{task.description:<32.32}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                                     TextColumn("ETA"), TimeRemainingColumn(), console=console)
            self._bar.start()
            self._task = self._bar.add_task("building", total=total, completed=done, failed=0)
        elif done and not quiet:
            self._line(f"[{done}/{total}] up to date: {done} job(s)")

    def _line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def update(self, outcome: Outcome) -> None:
        """One job finished."""
        self.done += 1
        self.failed += not outcome.ok
        if self.verbose:
            for line in outcome.log:
                self._line(f"  {outcome.label}: {line}")
        status = "ok" if outcome.ok else "FAILED"
        if self._bar is not None:
            if not outcome.ok:
                self._line(f"FAILED {outcome.label}: {outcome.error}")
            self._bar.update(self._task, advance=1, failed=self.failed, description=outcome.label)
        elif not self.quiet:
            tail = f": {outcome.error}" if not outcome.ok else f" ({outcome.seconds:.1f} s)"
            self._line(f"[{self.done}/{self.total}] {status} {outcome.label}{tail}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description="done")
            self._bar.stop()
            self._bar = None


def summary(outcomes: Sequence[Outcome]) -> str:
    """The table printed at the end: document, edition, formats, time, warnings, and every failure's reason."""
    rows = [("document", "edition", "formats", "time", "warnings", "status")]
    shown = [o for o in outcomes if not o.ok or o.warnings] if len(outcomes) > SUMMARY_ROWS else list(outcomes)
    for o in shown[:SUMMARY_ROWS]:
        status = "skipped (up to date)" if o.skipped else ("ok" if o.ok else "FAILED")
        document = o.label.split("/", 1)[1] if "/" in o.label and o.label.split("/", 1)[0] == o.edition else o.label
        rows.append((document, o.edition, ",".join(o.formats), f"{o.seconds:.1f} s", str(o.warnings), status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(shown) < len(outcomes):
        lines.append(f"({len(outcomes) - min(len(shown), SUMMARY_ROWS)} more rows: see manifest.json and the logs)")
    failures = [o for o in outcomes if not o.ok]
    built = sum(1 for o in outcomes if o.ok and not o.skipped)
    warned = sum(o.warnings for o in outcomes if not o.skipped)
    lines.append("")
    lines.append(f"{built} built, {sum(o.skipped for o in outcomes)} up to date, {len(failures)} failed")
    if warned:
        lines.append(f"{warned} warning(s): each job's NAME.log beside its outputs lists them (or run with -v)")
    for o in failures:
        lines.append(f"FAILED {o.label}: {o.error}")
    return "\n".join(lines)


# ---- executors ----------------------------------------------------------------------------------------------

Handler = Callable[[Task, TaskResult], None]


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

    def run(self, tasks: Iterator[Task], handle: Handler, failed: Callable[[Task, str], None]) -> None:
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

    def _service(self, slot: _Slot, handle: Handler, failed: Callable[[Task, str], None]) -> None:
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
    """A single task, rendered in this process (no worker to start)."""

    def run(self, tasks: Iterator[Task], handle: Handler, failed: Callable[[Task, str], None]) -> None:
        for task in tasks:
            handle(task, render_task(task))


# ---- planning and the run -----------------------------------------------------------------------------------


def _collisions(jobs: Sequence[Job]) -> dict[int, str]:
    """Jobs that would write the same outputs as another source's: id(job) -> the one-line reason."""
    by_target: dict[tuple[Path, str], list[Job]] = {}
    for job in jobs:
        by_target.setdefault((job.out_dir, job.source.stem), []).append(job)
    bad: dict[int, str] = {}
    for (out_dir, stem), group in by_target.items():
        paths = sorted({str(j.source.path) for j in group})
        if len(paths) > 1:
            for job in group:
                bad[id(job)] = (f"{' and '.join(paths)} would both be written as {out_dir / stem}.*; rename one or "
                                "narrow `include`")
    return bad


def run_jobs(jobs: list[Job], manifest_path: Path, *, workers: int | None = None, force: bool = False,
             stream: TextIO | None = None, verbose: bool = False, quiet: bool = False,
             cluster: str | None = None) -> list[Outcome]:
    """Build what changed on ``workers`` local processes (or the Dask scheduler ``cluster``); keep the manifest."""
    stream = stream or sys.stderr
    epoch = default_epoch()
    manifest = Manifest(manifest_path)
    if manifest.replayed:
        manifest.save()  # fold the interrupted run's journal in, so that this run appends to an empty one
    outcomes: dict[int, Outcome] = {}
    shas: dict[Path, tuple[str, list[int]] | str] = {}
    known: dict[str, tuple[str, list[int]]] = {}
    for entry in manifest.entries.values():
        inp = entry.get("input")
        if isinstance(inp, dict) and "sha" in inp:
            known[entry.get("source", "")] = (inp["sha"], [inp.get("size", -1), inp.get("mtime_ns", -1)])

    def input_sha(path: Path) -> tuple[str, list[int]] | str:
        """(sha256, stat) of an input, or why it cannot be read."""
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
            elif old is not None and old[1] == st:
                shas[path] = (old[0], st)
            else:
                try:
                    shas[path] = (_file_sha(path), st)
                except OSError as exc:
                    shas[path] = f"{path}: cannot read: {exc.strerror or exc}"
        return shas[path]

    clashes = _collisions(jobs)
    todo: list[Job] = []
    for job in jobs:
        fail = clashes.get(id(job))
        got = input_sha(job.source.path) if not fail else ""
        if isinstance(got, str):
            fail = fail or got
        if fail:
            label = f"{job.label} ({job.source.path.name})" if id(job) in clashes else job.label
            outcomes[id(job)] = Outcome(label, job.edition.name, job.edition.formats, False, error=fail)
            continue
        assert not isinstance(got, str)
        job.key = job_key(got[0], job.edition, epoch)
        old = manifest.entries.get(job.label)
        if not force and _up_to_date(old, job.key, manifest):
            assert old is not None
            outcomes[id(job)] = Outcome(job.label, job.edition.name, job.edition.formats, True, skipped=True,
                                          outputs=dict(old["outputs"]), warnings=old.get("warnings", 0))
        else:
            todo.append(job)

    failures = [(j, outcomes[id(j)]) for j in jobs if id(j) in outcomes and not outcomes[id(j)].ok]
    progress = Progress(len(jobs), len(outcomes) - len(failures), stream, verbose=verbose, quiet=quiet)
    for job, o in failures:
        _fail_job(job, o, manifest, write_log=id(job) not in clashes)  # colliding jobs share one log path
        progress.update(o)
    try:
        if todo:
            _execute(todo, manifest, outcomes, progress, epoch=epoch, workers=workers, cluster=cluster)
    finally:
        progress.close()
        manifest.save()
    return [outcomes[id(j)] for j in jobs]


def _cores() -> int:
    """The cores this process may use (its CPU affinity, e.g. a container's share), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _group(todo: list[Job], parallel: int) -> list[list[Job]]:
    """Tasks: each document once with all its editions (read once), unless that leaves workers idle."""
    by_source: dict[Path, list[Job]] = {}
    for job in todo:
        by_source.setdefault(job.source.path, []).append(job)
    groups = list(by_source.values())
    if len(groups) < parallel:
        groups = [[j] for j in todo]

    def size(g: list[Job]) -> int:
        st = _stat(g[0].source.path)
        return -(st[0] if st else 0) * len(g)

    return sorted(groups, key=size)  # the largest first: fewer idle workers at the end


def _execute(todo: list[Job], manifest: Manifest, outcomes: dict[int, Outcome], progress: Progress, *,
             epoch: int | None, workers: int | None, cluster: str | None) -> None:
    formats = {f for j in todo for f in j.edition.formats}
    scripts = {j.edition.script for j in todo}
    parallel = max(1, workers or _cores())
    runner: Any
    if cluster:
        from .cluster import DaskRunner
        runner = DaskRunner(cluster)
        parallel = runner.connect()
    groups = _group(todo, parallel)
    if not cluster:
        runner = InProcess() if len(groups) == 1 else LocalPool(min(parallel, len(groups)), formats, scripts)
    by_task: dict[int, list[Job]] = {}

    def tasks() -> Iterator[Task]:
        for group in groups:
            first = group[0]
            try:
                data = first.source.path.read_bytes()
            except OSError as exc:
                for job in group:
                    o = Outcome(job.label, job.edition.name, job.edition.formats, False,
                                error=f"{first.source.path}: cannot read: {exc.strerror or exc}")
                    _finish(job, o, None, manifest, outcomes, progress)
                continue
            sha = _sha(data)
            for job in group:  # the file changed since planning: key the bytes actually sent
                job.key = job_key(sha, job.edition, epoch)
            task = Task(name=str(first.source.path), data=data, stem=PurePath(first.source.stem).name,
                        base_dir=str(first.source.path.resolve().parent),
                        editions=tuple(j.edition for j in group), epoch=epoch,
                        deps=dep_shas({f for j in group for f in j.edition.formats}))
            by_task[id(task)] = group
            yield task

    def handle(task: Task, result: TaskResult) -> None:
        group = by_task.pop(id(task))
        st = _stat(group[0].source.path)
        sha = _sha(task.data)
        for job, res in zip(group, result.results, strict=True):
            _write(job, res, manifest, outcomes, progress,
                   {"sha": sha, "size": st[0] if st else -1, "mtime_ns": st[1] if st else -1})

    def failed(task: Task, reason: str) -> None:
        for job in by_task.pop(id(task)):
            o = Outcome(job.label, job.edition.name, job.edition.formats, False, error=f"{task.name}: {reason}")
            _finish(job, o, None, manifest, outcomes, progress)

    runner.run(tasks(), handle, failed)


def _log_text(job: Job, res: EditionResult | None, error: str) -> bytes:
    head = (f"docpipe {__version__}: {job.source.path} -> edition {job.edition.name} "
            f"(script {job.edition.script}; {', '.join(job.edition.formats)})")
    lines = [head, *(res.log if res else ())]
    if error:
        lines.append(f"FAILED: {error}")
    else:
        lines.append("ok: " + " ".join(job.target(f).name for f in job.edition.formats))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _write(job: Job, res: EditionResult, manifest: Manifest, outcomes: dict[int, Outcome], progress: Progress,
           source: dict[str, Any]) -> None:
    """Write one edition's outputs atomically (client side), its log, and record it in the manifest."""
    if not res.ok:
        o = Outcome(job.label, job.edition.name, job.edition.formats, False, res.seconds, res.warnings, res.error,
                    log=res.log)
        _finish(job, o, res, manifest, outcomes, progress)
        return
    files = {job.target(fmt): res.files[fmt] for fmt in job.edition.formats}
    media_dir = job.out_dir / f"{job.source.stem}.media"
    media = {media_dir / name: data for name, data in res.media.items()}
    try:
        folder = job.log_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        if folder not in manifest.swept:  # temporary files a killed run left here (as convert does)
            remove_leftovers(folder)
            manifest.swept.add(folder)
        if media:
            media_dir.mkdir(exist_ok=True)
            for target, data in media.items():
                if not (target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data):
                    atomic_write(target, data)
        write_all(files)  # every format of the edition or none
        atomic_write(job.log_path, _log_text(job, res, ""))
    except (DocpipeError, OSError) as exc:
        msg = exc.one_line() if isinstance(exc, DocpipeError) else f"{job.out_dir}: cannot write: {exc}"
        o = Outcome(job.label, job.edition.name, job.edition.formats, False, res.seconds, res.warnings, msg,
                    log=res.log)
        _finish(job, o, res, manifest, outcomes, progress)
        return
    outputs = {manifest.rel(target): _sha(data) for target, data in {**files, **media}.items()}
    stats = {manifest.rel(target): _stat(target) for target in {**files, **media}}
    entry = {"key": job.key, "source": str(job.source.path), "edition": job.edition.name,
             "outputs": dict(sorted(outputs.items())), "stat": stats, "log": manifest.rel(job.log_path),
             "warnings": res.warnings, "input": source}
    manifest.record(job.label, entry)
    o = Outcome(job.label, job.edition.name, job.edition.formats, True, res.seconds, res.warnings,
                outputs=dict(sorted(outputs.items())), log=res.log)
    outcomes[id(job)] = o
    progress.update(o)


def _fail_job(job: Job, outcome: Outcome, manifest: Manifest, *, write_log: bool = True,
              res: EditionResult | None = None) -> None:
    """A failed job: forget it in the manifest, leave its log (why) beside where its outputs go."""
    manifest.record(job.label, None)
    if write_log:
        try:
            job.log_path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(job.log_path, _log_text(job, res, outcome.error))
        except (DocpipeError, OSError):
            pass  # the failure itself is reported; a log that cannot be written must not hide it


def _finish(job: Job, outcome: Outcome, res: EditionResult | None, manifest: Manifest,
            outcomes: dict[int, Outcome], progress: Progress) -> None:
    _fail_job(job, outcome, manifest, res=res)
    outcomes[id(job)] = outcome
    progress.update(outcome)


def build(project: Project, *, workers: int | None = None, force: bool = False, stream: TextIO | None = None,
          verbose: bool = False, quiet: bool = False, cluster: str | None = None) -> list[Outcome]:
    """Every edition of every source of a project."""
    jobs = [Job(src, ed, project.output / ed.name) for src in project.sources() for ed in project.editions]
    return run_jobs(jobs, project.output / "manifest.json", workers=workers, force=force, stream=stream,
                    verbose=verbose, quiet=quiet, cluster=cluster)


def collect(sources: Iterable[Path], include: Sequence[str] = DEFAULT_INCLUDE, exclude: Path | None = None
            ) -> list[Source]:
    """The documents named on a command line: files as they are, folders scanned; mistakes are one-line errors."""
    found: list[Source] = []
    for s in sources:
        try:
            st = s.stat()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", file=str(s)) from exc
        if s.is_dir():
            inside = [Source(p, _stem_below(p, s)) for p in scan(s, include, exclude)]
            if not inside:
                raise UsageError("nothing to convert in this folder", file=str(s),
                                 expected="files matching " + " ".join(include))
            found.extend(inside)
        else:
            registry.reader_for_path(s)  # an unknown kind is a usage error before any work
            if not os.access(s, os.R_OK) or not st.st_mode & 0o444:
                raise InputError("cannot read: Permission denied", file=str(s))
            found.append(Source(s, registry.output_stem(s)))
    return found


def batch(sources: Iterable[Path], formats: Sequence[str], out_dir: Path, *, script: str = "keep",
          workers: int | None = None, force: bool = False, stream: TextIO | None = None, verbose: bool = False,
          quiet: bool = False, cluster: str | None = None) -> list[Outcome]:
    """One-off runs: the given sources (files or folders) to ``formats`` in ``out_dir``."""
    if not formats:
        raise UsageError("--to names no format", expected="e.g. --to epub,pdf")
    edition = Edition(name="batch", formats=tuple(registry.writer_name(f) for f in formats), script=script,
                      subfolder=False)
    jobs = [Job(src, edition, out_dir) for src in collect(sources, exclude=out_dir)]
    return run_jobs(jobs, out_dir / "manifest.json", workers=workers, force=force, stream=stream, verbose=verbose,
                    quiet=quiet, cluster=cluster)
