"""Batch builds: every edition of every document in a folder, in parallel, incremental, failures isolated.

A project file (``docpipe.toml``) names the source folder, the output folder and the editions::

    [project]
    source = "samples"
    output = "build/editions"
    include = ["*.txt", "*.md", "*.docx"]

    [editions.tw]                  # a Taiwan edition in EPUB and A5 PDF
    script = "tw"
    formats = ["epub", "pdf"]
    page_size = "A5"

Each job (document × edition) has a key: the sha256 of the input, the edition's options, the styles and fonts
its formats use, and the docpipe version. A job whose key and outputs match the manifest
(``OUTPUT/manifest.json``, every output with its sha256) is skipped; ``--force`` rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import tomllib
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__, registry
from .errors import DocpipeError, UsageError
from .fileio import atomic_write
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
                "keep_spaces"}
DEFAULT_INCLUDE = ["*.txt", "*.md", "*.markdown", "*.docx", "*.odt", "*.html", "*.htm", "*.epub", "*.tei.xml"]


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
    subfolder: bool = True

    def options(self) -> Options:
        return Options(script=self.script, page_size=self.page_size, vertical=self.vertical,  # type: ignore[arg-type]
                       pdf_variant=self.pdf_variant, serif_font=self.font, embed_fonts=self.embed_fonts,
                       mirror_margins=self.mirror_margins, keep_spaces=self.keep_spaces,
                       source_date_epoch=default_epoch())


@dataclass
class Project:
    """What ``docpipe build`` builds."""

    source: Path
    output: Path
    editions: list[Edition]
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))

    def sources(self) -> list[Path]:
        found: set[Path] = set()
        for pattern in self.include:
            found.update(p for p in self.source.rglob(pattern) if p.is_file() and not p.name.startswith("."))
        out = self.output.resolve()
        return sorted(p for p in found if out not in p.resolve().parents)


def load_project(path: Path) -> Project:
    """Read and check ``docpipe.toml``; every mistake is a UsageError naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError("no project file", file=str(path), expected="a docpipe.toml (see README)") from exc
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
        editions.append(Edition(name=name, formats=formats, **{k: v for k, v in spec.items() if k != "formats"}))
    if not editions:
        raise UsageError("the project names no editions", file=str(path), expected="an [editions.NAME] table")
    return Project(source=(base / proj.get("source", ".")).resolve(),
                   output=(base / proj.get("output", "build/editions")).resolve(), editions=editions,
                   include=list(proj.get("include", DEFAULT_INCLUDE)))


@dataclass
class Job:
    """One document in one edition."""

    source: Path
    edition: Edition
    out_dir: Path
    key: str = ""

    @property
    def label(self) -> str:
        return f"{self.edition.name}/{registry.output_stem(self.source)}" if self.edition.subfolder else \
            registry.output_stem(self.source)


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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def job_key(job: Job) -> str:
    """The sha256 that must change for the job to be rebuilt."""
    parts: dict[str, Any] = {"docpipe": __version__, "input": _file_sha(job.source),
                             "edition": asdict(job.edition), "epoch": default_epoch()}
    for fmt in job.edition.formats:
        for dep in FORMAT_DEPS.get(fmt, []):
            p = Path(dep) if Path(dep).is_absolute() else ROOT / dep
            parts[dep] = _file_sha(p) if p.exists() else "missing"
    return _sha(json.dumps(parts, sort_keys=True, default=str).encode())


def _run(job: Job) -> Outcome:
    """Worker: one conversion; every failure becomes an Outcome, never an exception."""
    from . import convert
    from .diagnostics import Severity

    start = time.perf_counter()
    try:
        result = convert(job.source, list(job.edition.formats), job.out_dir, job.edition.options())
    except DocpipeError as exc:
        return Outcome(job.label, job.edition.name, job.edition.formats, False, time.perf_counter() - start,
                       error=exc.one_line())
    except Exception as exc:  # an internal error in one document must not stop the others
        return Outcome(job.label, job.edition.name, job.edition.formats, False, time.perf_counter() - start,
                       error=f"{job.source}: internal error: {type(exc).__name__}: {exc}")
    warnings = len(result.diagnostics.at_least(Severity.WARNING))
    outputs = {str(p): _file_sha(p) for p in result.outputs.values()}
    return Outcome(job.label, job.edition.name, job.edition.formats, True, time.perf_counter() - start,
                   warnings=warnings, outputs=outputs)


class Progress:
    """A bar on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.tty = stream.isatty()

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        status = "skipped" if outcome.skipped else ("ok" if outcome.ok else "FAILED")
        if self.tty:
            width = 30
            filled = width * self.done // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                              f"{outcome.label[:40]:<40} {status}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {status} {outcome.label} ({outcome.seconds:.1f} s)\n")
        self.stream.flush()


def summary(outcomes: Sequence[Outcome]) -> str:
    """The table printed at the end: document, edition, formats, time, warnings, and every failure's reason."""
    rows = [("document", "edition", "formats", "time", "warnings", "status")]
    for o in outcomes:
        status = "skipped (up to date)" if o.skipped else ("ok" if o.ok else "FAILED")
        rows.append((o.label.split("/")[-1], o.edition, ",".join(o.formats), f"{o.seconds:.1f} s",
                     str(o.warnings), status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    failures = [o for o in outcomes if not o.ok]
    built = sum(1 for o in outcomes if o.ok and not o.skipped)
    lines.append("")
    lines.append(f"{built} built, {sum(o.skipped for o in outcomes)} up to date, {len(failures)} failed")
    for o in failures:
        lines.append(f"FAILED {o.label}: {o.error}")
    return "\n".join(lines)


def run_jobs(jobs: list[Job], manifest_path: Path, *, workers: int | None = None, force: bool = False,
             stream: TextIO | None = None) -> list[Outcome]:
    """Build what changed, ``workers`` at a time; update the manifest; return every job's outcome."""
    stream = stream or sys.stderr
    manifest: dict[str, Any] = {}
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, OSError):
            manifest = {}
    entries: dict[str, Any] = manifest.get("jobs", {})
    progress = Progress(len(jobs), stream)
    outcomes: dict[str, Outcome] = {}
    todo: list[Job] = []
    for job in jobs:
        job.key = job_key(job)
        old = entries.get(job.label)
        if not force and old and old.get("key") == job.key and all(
                Path(p).exists() and _file_sha(Path(p)) == sha for p, sha in old.get("outputs", {}).items()):
            outcome = Outcome(job.label, job.edition.name, job.edition.formats, True, skipped=True,
                              outputs=old["outputs"], warnings=old.get("warnings", 0))
            outcomes[job.label] = outcome
            progress.update(outcome)
        else:
            todo.append(job)
    workers = max(1, workers or os.cpu_count() or 1)
    if todo:
        if workers == 1 or len(todo) == 1:
            for job in todo:
                outcome = _run(job)
                outcomes[job.label] = outcome
                progress.update(outcome)
        else:
            with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
                futures = {pool.submit(_run, job): job for job in todo}
                for fut in as_completed(futures):
                    outcome = fut.result()
                    outcomes[outcome.label] = outcome
                    progress.update(outcome)
    for job in jobs:
        o = outcomes[job.label]
        if o.ok:
            entries[job.label] = {"key": job.key, "source": str(job.source), "edition": job.edition.name,
                                  "outputs": dict(sorted(o.outputs.items())), "warnings": o.warnings}
        else:
            entries.pop(job.label, None)
    manifest = {"docpipe": __version__, "jobs": dict(sorted(entries.items()))}
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(manifest_path, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return [outcomes[j.label] for j in jobs]


def build(project: Project, *, workers: int | None = None, force: bool = False,
          stream: TextIO | None = None) -> list[Outcome]:
    """Every edition of every source of a project."""
    jobs = [Job(src, ed, project.output / ed.name) for src in project.sources() for ed in project.editions]
    return run_jobs(jobs, project.output / "manifest.json", workers=workers, force=force, stream=stream)


def batch(sources: Iterable[Path], formats: Sequence[str], out_dir: Path, *, script: str = "keep",
          workers: int | None = None, force: bool = False, stream: TextIO | None = None) -> list[Outcome]:
    """One-off runs: the given sources (files or folders) to ``formats`` in ``out_dir``."""
    edition = Edition(name="batch", formats=tuple(registry.writer_name(f) for f in formats), script=script,
                      subfolder=False)
    files: list[Path] = []
    for s in sources:
        if s.is_dir():
            files.extend(Project(s, out_dir, [edition]).sources())
        else:
            files.append(s)
    jobs = [Job(f, edition, out_dir) for f in files]
    return run_jobs(jobs, out_dir / "manifest.json", workers=workers, force=force, stream=stream)
