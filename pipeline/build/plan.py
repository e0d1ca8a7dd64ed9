"""Planning a build: jobs (a document in an edition), their keys, and the manifest that remembers what was built.

A job's key is the sha256 of everything that makes its bytes: the input, the edition record, the formats, the
styles and fonts those formats use, the house files the edition names, ``SOURCE_DATE_EPOCH`` and docpipe's version.
The manifest (``OUTPUT/manifest.json`` plus an append-only journal) survives kills; one that is damaged is set
aside (``manifest.json.corrupt-N``) with a one-line warning, and the build goes on as a full rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, registry
from ..fileio import atomic_write, remove_leftovers
from ..resources import data_path
from .project import EditionSpec, Source

#: What each format's output depends on besides the input and the options (package data paths): one place, also
#: used by make (``docpipe deps FORMAT``).
FORMAT_DEPS: dict[str, list[str]] = {
    "html": ["styles/html.css"],
    "epub": ["styles/epub.css", "fonts/fonts.toml"],
    "pdf": ["styles/print.css", "fonts/fonts.toml"],
    "docx": ["fonts/fonts.toml"],
    "tei": [],
    "md": [],
    "ir": [],
}
#: Bytes of the manifest or its journal beyond which they are not read (a damaged or hostile file).
MAX_MANIFEST_BYTES = 256 << 20


@dataclass
class Job:
    """One document in one edition."""

    source: Source
    edition: EditionSpec
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


def sha(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_DEP_CACHE: dict[str, tuple[tuple[int, int], str]] = {}


def dep_sha(dep: str) -> str:
    """sha256 of one style or font file of the package (cached by size and mtime), or "missing"."""
    p = Path(dep) if Path(dep).is_absolute() else data_path(dep)
    try:
        st = p.stat()
    except OSError:
        return "missing"
    stamp = (st.st_size, st.st_mtime_ns)
    cached = _DEP_CACHE.get(dep)
    if cached is None or cached[0] != stamp:
        cached = (stamp, file_sha(p))
        _DEP_CACHE[dep] = cached
    return cached[1]


def dep_shas(formats: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """sha256 of the style and font files ``formats`` use."""
    return tuple(sorted({dep: dep_sha(dep) for fmt in formats for dep in FORMAT_DEPS.get(fmt, [])}.items()))


def job_key(input_sha: str, edition: EditionSpec, epoch: int | None) -> str:
    """The sha256 that must change for a job to be rebuilt: input, edition, epoch, styles and fonts, version."""
    parts: dict[str, Any] = {"docpipe": __version__, "input": input_sha, "edition": edition.record(), "epoch": epoch}
    parts.update(dep_shas(edition.formats))
    for key in ("css", "reference_docx", "cover"):  # a house stylesheet or template edited in place rebuilds too
        path = getattr(edition.edition, key, None)
        if path:
            try:
                parts[f"{key}-sha256"] = file_sha(Path(path))
            except OSError:
                parts[f"{key}-sha256"] = "unreadable"
    return sha(json.dumps(parts, sort_keys=True, default=str).encode())


def stat_of(path: Path) -> list[int] | None:
    """[size, mtime_ns] of a file, or None."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def collisions(jobs: Sequence[Job]) -> dict[int, str]:
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


# ---- the manifest: consistent after every job, even when the run is killed ---------------------------------------


def _entry_ok(entry: Any) -> bool:
    """A manifest entry of the shape this version writes."""
    return (isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("outputs"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in entry["outputs"].items())
            and isinstance(entry.get("stat", {}), dict))


class Manifest:
    """``OUTPUT/manifest.json``: every job's key, outputs and their sha256.

    Each finished job is appended at once to ``manifest.json.journal`` (one JSON line, O(1)); the manifest itself
    is rewritten atomically after a job whenever that costs less than a twentieth of the time since the last
    rewrite (so after every job for all but huge builds) and at the end. A killed run leaves a valid manifest
    plus the journal, which the next run replays: what was finished is kept, the rest is built. A manifest or
    journal that does not parse, or whose entries have the wrong shape, is set aside and reported in
    :attr:`problems` (one line each); the build then rebuilds what it cannot trust.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.entries: dict[str, Any] = {}
        self.problems: list[str] = []
        """One line per damaged file set aside (printed by the build as a warning)."""
        self._saved_at = 0.0
        self._save_cost = 0.0
        self.swept: set[Path] = set()
        """Output folders whose leftover temporary files this run has removed."""
        self._swept_own = False
        self._load_manifest()
        self.replayed = False
        """Whether a journal left by an interrupted run was read (:meth:`save` folds it in)."""
        self._load_journal()

    def _set_aside(self, path: Path, why: str) -> None:
        n = 1
        while path.with_name(f"{path.name}.corrupt-{n}").exists():
            n += 1
        aside = path.with_name(f"{path.name}.corrupt-{n}")
        try:
            os.replace(path, aside)
            self.problems.append(f"{path}: {why}; set aside as {aside.name}, rebuilding what it recorded")
        except OSError as exc:
            self.problems.append(f"{path}: {why}; cannot set it aside ({exc.strerror or exc}), ignoring it")

    def _load_manifest(self) -> None:
        try:
            if self.path.stat().st_size > MAX_MANIFEST_BYTES:
                self._set_aside(self.path, f"over {MAX_MANIFEST_BYTES >> 20} MB")
                return
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError, RecursionError) as exc:
            self._set_aside(self.path, f"not a manifest ({type(exc).__name__})")
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, dict):
            self._set_aside(self.path, "not a manifest (no table of jobs)")
            return
        good = {k: v for k, v in jobs.items() if _entry_ok(v)}
        if len(good) != len(jobs):
            self.problems.append(f"{self.path}: {len(jobs) - len(good)} job entr(y/ies) of the wrong shape "
                                 "ignored; they will be rebuilt")
        self.entries = good

    def _load_journal(self) -> None:
        try:
            size = self.journal_path.stat().st_size
        except OSError:
            return
        if size > MAX_MANIFEST_BYTES:
            self._set_aside(self.journal_path, f"over {MAX_MANIFEST_BYTES >> 20} MB")
            return
        bad = 0
        try:
            with open(self.journal_path, "rb") as fh:
                lines = fh.read().split(b"\n")
        except OSError:
            return
        for n, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                rec = json.loads(line.decode("utf-8"))
                label, entry = rec["label"], rec["entry"]
                if not isinstance(label, str) or not (entry is None or _entry_ok(entry)):
                    raise TypeError
            except (ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError):
                if n == len(lines) - 1 or (n == len(lines) - 2 and not lines[-1].strip()):
                    break  # the last line torn by a kill: everything before it holds
                bad += 1
                continue
            if entry is None:
                self.entries.pop(label, None)
            else:
                self.entries[label] = entry
        if bad:
            self.problems.append(f"{self.journal_path}: {bad} damaged line(s) skipped; their jobs will be rebuilt")
        self.replayed = True

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
        line = (json.dumps({"label": label, "entry": entry}) + "\n").encode("ascii")  # file names may not be UTF-8
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
        if not self._swept_own:  # a run killed while saving left its temporary manifest here
            remove_leftovers(self.path.parent)
            self._swept_own = True
        atomic_write(self.path, (json.dumps(data, indent=1) + "\n").encode("ascii"))
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        self._saved_at = time.monotonic()
        self._save_cost = self._saved_at - start

    def up_to_date(self, label: str, key: str) -> bool:
        """The manifest says this key was built and every output (and the log) is still what was written."""
        entry = self.entries.get(label)
        if not entry or entry.get("key") != key:
            return False
        stats = entry.get("stat", {})
        base = self.path.parent
        for rel, digest in entry.get("outputs", {}).items():
            p = base / rel
            st = stat_of(p)
            if st is None:
                return False
            if st != stats.get(rel):
                try:
                    if file_sha(p) != digest:
                        return False
                except OSError:
                    return False
        log = entry.get("log")
        return not log or (isinstance(log, str) and (base / log).exists())
