"""Each chapter's IR kept between builds, so editing one chapter of a book re-reads one chapter.

A chapter is kept as what :func:`~pipeline.book.read.read_book` made of it (read, its relative links kept,
guarded) with its diagnostics, under a key of everything that reading depends on: docpipe's code, the IR
version, the chapter's path in the book and its bytes, the options, and the pictures under the book's folder.
``docpipe build`` keeps the cache beside its manifest (``OUTPUT/chapters.cache/``, one folder per book); after each
read of a book the entries it did not use are removed, so the cache never holds more than one copy of each book.
A damaged entry is a miss, never an error.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import ir
from ..diagnostics import CODES, Diagnostic, Severity
from ..fileio import atomic_write
from ..ir_json import dumps, loads
from ..options import Options

#: Bytes of one entry beyond which it is not read (a chapter's IR with its pictures inside).
MAX_ENTRY_BYTES = 1 << 30
#: Picture files under a book's folder beyond which none of its chapters is kept.
MAX_PICTURES = 100_000
PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".svgz", ".bmp", ".tif", ".tiff",
                              ".emf", ".wmf", ".avif", ".heic", ".ico"})


@dataclasses.dataclass
class ChapterCache:
    """The kept chapters of one book, in ``folder``."""

    folder: Path
    output: Path | None = None
    """The build's output folder, whose pictures (``NAME.media/``) are not the book's."""
    used: set[str] = dataclasses.field(default_factory=set)
    hits: int = 0
    misses: int = 0
    pictures: str = ""
    """The state of the pictures under the book's folder (:meth:`look_at`): part of every key."""
    background: bool = False
    """Write the chapters just read on a thread of their own (:meth:`write_behind`), while the build's workers
    render the book, instead of before they can start (0.3 s of JSON for a book of 40 chapters)."""
    pending: list[tuple[str, ir.Document, list[Diagnostic]]] = dataclasses.field(default_factory=list)
    writer: threading.Thread | None = None

    def look_at(self, root: Path) -> None:
        """Fingerprint the pictures under ``root`` (:func:`picture_fingerprint`), so that a picture changed, added
        or removed makes every chapter a miss: which chapter shows which file is only known by reading it."""
        self.pictures = picture_fingerprint(root, self.output)

    def key(self, rel: str, data: bytes, options: Options) -> str:
        """What the chapter at ``rel`` (its path in the book) read from ``data`` with ``options`` is kept under."""
        head = json.dumps([_code(), ir.IR_VERSION, rel, _settings(options), self.pictures], sort_keys=True).encode()
        return hashlib.sha256(head + b"\0" + hashlib.sha256(data).digest()).hexdigest()

    def book_key(self, digest: str, options: Options) -> str:
        """What the whole book read with ``options`` is kept under, when its files are as ``digest`` says
        (:func:`pipeline.build.book_digest`: the book file, every chapter and the pictures)."""
        head = json.dumps([_code(), ir.IR_VERSION, "book", _settings(options), digest], sort_keys=True).encode()
        return "book-" + hashlib.sha256(head).hexdigest()

    def get_book(self, key: str) -> tuple[bytes, int | None, tuple[Diagnostic, ...]] | None:
        """The whole book as a build's task sends it (compact ``.ir.json`` bytes), its newest modification time
        and what reading it reported, kept under ``key`` (:meth:`book_key`); or None."""
        self.used.add(key)
        try:
            head, _, body = (self.folder / f"{key}.json").read_bytes().partition(b"\n")
            mtime, found = json.loads(head)
            if mtime is not None and not isinstance(mtime, int):
                raise ValueError("not a time")
            return body, mtime, tuple(_diagnostic(d) for d in found)
        except Exception:  # none yet, damaged, or from another version: the book is read
            return None

    def put_book(self, key: str, data: bytes, mtime: int | None, found: tuple[Diagnostic, ...]) -> None:
        """Keep the whole book just read (see :meth:`get_book`); one that cannot be written is only a later miss."""
        self.used.add(key)
        head = json.dumps([mtime, _rows(found)], ensure_ascii=False)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / f"{key}.json", head.encode() + b"\n" + data)
        except OSError:
            pass

    def get(self, key: str) -> tuple[ir.Document, list[Diagnostic]] | None:
        """The chapter kept under ``key`` and what reading it reported, or None."""
        self.used.add(key)
        path = self.folder / f"{key}.json"
        try:
            if path.stat().st_size > MAX_ENTRY_BYTES:
                raise ValueError("too large")
            head, _, body = path.read_bytes().partition(b"\n")
            found = [_diagnostic(d) for d in json.loads(head)]
            doc = loads(body)
        except Exception:  # none yet, damaged, or from another version: read the chapter again
            self.misses += 1
            return None
        self.hits += 1
        return doc, found

    def put(self, key: str, doc: ir.Document, found: list[Diagnostic]) -> None:
        """Keep a chapter just read (an entry that cannot be written is only a later miss); with
        :attr:`background`, kept for :meth:`write_behind`."""
        self.used.add(key)
        if self.background:
            self.pending.append((key, doc, list(found)))
            return
        self._write(key, doc, found)

    def write_behind(self) -> None:
        """Start writing the chapters kept by :meth:`put` on a thread of their own (:meth:`close` waits for it)."""
        if self.pending and self.writer is None:
            pending, self.pending = self.pending, []
            def write_all() -> None:
                for entry in pending:
                    self._write(*entry)

            self.writer = threading.Thread(target=write_all, daemon=True, name="docpipe-chapter-cache")
            self.writer.start()

    def close(self) -> None:
        """Write what is still to be written and wait for it."""
        self.write_behind()
        if self.writer is not None:
            self.writer.join()
            self.writer = None

    def _write(self, key: str, doc: ir.Document, found: list[Diagnostic]) -> None:
        head = json.dumps(_rows(found), ensure_ascii=False)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / f"{key}.json", f"{head}\n{dumps(doc, compact=True)}".encode())
        except OSError:
            pass

    def prune(self) -> None:
        """Remove the entries this read of the book did not use (chapters edited, removed or read otherwise)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".json") and name[:-5] not in self.used:
                try:
                    (self.folder / name).unlink()
                except OSError:
                    pass


def picture_fingerprint(root: Path, output: Path | None = None) -> str:
    """The state of the picture files under ``root``: each one's path, size and modification time (hidden
    folders and the build's ``output`` folder left out); random when there are too many to watch."""
    out = output.resolve() if output is not None else None
    rows: list[str] = []
    for top, dirs, files in os.walk(root):
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != out)
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in PICTURE_SUFFIXES:
                try:
                    st = (here / name).stat()
                except OSError:
                    continue
                rows.append(f"{(here / name).relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}")
        if len(rows) > MAX_PICTURES:
            return os.urandom(16).hex()
    return hashlib.sha256("\n".join(rows).encode("utf-8", "surrogateescape")).hexdigest()


@functools.cache
def _code() -> str:
    """docpipe's own code as it is installed (every module's path, size and modification time): a new version,
    or a module edited in a checkout, reads every chapter again."""
    package = Path(__file__).resolve().parent.parent
    rows = []
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        rows.append(f"{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(rows).encode("utf-8", "surrogateescape")).hexdigest()


def _settings(options: Options) -> dict[str, str]:
    """The options a reading depends on, as a key's part."""
    return {f.name: repr(getattr(options, f.name)) for f in dataclasses.fields(options)}


def _rows(found: Iterable[Diagnostic]) -> list[list[object]]:
    """What reading reported, as kept beside an entry (read back by :func:`_diagnostic`)."""
    return [[d.code, d.message, d.severity.name, d.file, d.line] for d in found]


def _diagnostic(row: Any) -> Diagnostic:
    code, message, severity, file, line = row
    if code not in CODES or not isinstance(message, str):
        raise ValueError("not a diagnostic")
    return Diagnostic(code, message, Severity[severity], file, line)
