"""``docpipe.toml``: the project file, read strictly — every table and key known, every value of its type — and the
sources a build or batch finds.

A project file has these tables (a JSON Schema of it ships as ``pipeline/schema/docpipe.schema.json``):

* ``[project]``: ``source`` (folder of documents), ``output`` (folder of editions), ``include`` (glob patterns),
  ``exclude`` (glob patterns).
* ``[defaults]``: edition options every edition starts from; ``docpipe convert`` run in the project's folder uses
  them too.
* ``[editions.NAME]``: ``formats`` and any edition option (``script``, ``page_size``, ``isbn``, ``cover``, …) or limit
  (``max_depth``, ``job_timeout``, …). NAME is a plain name: letters, digits, ``-``, ``_``, ``.``.
* ``[book]``: a book instead of a folder of documents: ``title``, ``chapters``, ``parts``, front and back matter
  (see :mod:`pipeline.book`).
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import tomllib
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import registry
from .errors import InputError, UsageError
from .options import EDITION_FIELDS, LIMIT_FIELDS, SCRIPTS, Edition, Options

DEFAULT_INCLUDE = ("*.txt", "*.md", "*.markdown", "*.docx", "*.odt", "*.html", "*.htm", "*.epub", "*.tei.xml")
#: Names a project file may use for an option whose field is named otherwise.
ALIASES = {"font": "serif_font", "job_memory": "job_memory_mb", "tool_memory": "tool_memory_mb"}
#: Path-valued options: relative to the project file's folder.
PATH_KEYS = ("css", "reference_docx", "cover")
TABLES = ("project", "defaults", "editions", "book")
PROJECT_KEYS = ("source", "output", "include", "exclude")
#: How many patterns, editions, formats a project may name; how many files a source folder may hold.
MAX_PATTERNS = 100
MAX_EDITIONS = 200
MAX_SOURCES = 100_000
#: Folders a build never reads: they are not documents and can be endless.
FORBIDDEN_ROOTS = ("/proc", "/sys", "/dev")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class EditionSpec:
    """One edition a project builds: its name, its formats, the edition record and the limits it runs under."""

    name: str
    formats: tuple[str, ...]
    edition: Edition = field(default_factory=Edition)
    limits: tuple[tuple[str, Any], ...] = ()
    subfolder: bool = True
    """Whether its outputs go to ``OUTPUT/NAME/`` (a project's editions) or straight to the output folder (batch)."""

    def options(self, base: Options) -> Options:
        """``base`` with this edition's options and limits."""
        return base.with_edition(self.edition).with_(**dict(self.limits))

    def record(self) -> dict[str, Any]:
        """What a job key and a log say of this edition."""
        return {"name": self.name, "formats": list(self.formats), "edition": self.edition.record(),
                "limits": dict(self.limits)}


@dataclass(frozen=True)
class Source:
    """One input document and the output NAME it gets: its path below the folder, without the reader suffix."""

    path: Path
    stem: str
    root: Path | None = None
    """The folder it was found in: the file must really lie inside it (no link out). None: named by the user."""
    book: bool = False
    """A book file (its chapters make one document), not a document."""


@dataclass
class Project:
    """What ``docpipe build`` builds."""

    source: Path
    output: Path
    editions: list[EditionSpec]
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = field(default_factory=list)
    defaults: Options = field(default_factory=Options)
    file: Path | None = None
    book: bool = False
    """The project file has a ``[book]`` table: its chapters make one document, built in every edition."""

    def sources(self) -> list[Source]:
        """Every document of the source folder (or the book); a missing folder or one with nothing to convert is
        an error."""
        if self.book and self.file is not None:
            return [Source(self.file, book_stem(self.file), self.file.parent, book=True)]
        check_readable_root(self.source)
        if not self.source.is_dir():
            what = "is not a folder" if self.source.exists() else "does not exist"
            raise InputError(f"the source folder {what}", file=str(self.source))
        found = [Source(p, stem_below(p, self.source), self.source)
                 for p in scan(self.source, self.include, self.output, self.exclude)]
        if not found:
            raise UsageError("nothing to convert in the source folder", file=str(self.source),
                             expected="files matching " + " ".join(self.include))
        return found


def check_readable_root(folder: Path) -> None:
    """Refuse to scan the kernel's pseudo-file systems (endless, and not documents)."""
    real = os.path.realpath(folder)
    for bad in FORBIDDEN_ROOTS:
        if real == bad or real.startswith(bad + "/"):
            raise UsageError(f"{folder} is not a folder of documents", expected="a folder of your own")


def scan(folder: Path, include: Sequence[str], exclude_dir: Path | None = None,
         exclude: Sequence[str] = ()) -> list[Path]:
    """Files below ``folder`` matching ``include`` and no ``exclude`` pattern (hidden files and folders, and the
    output folder ``exclude_dir``, left out). Links are listed too: reading them fails their job with a reason
    (:func:`pipeline.fileio.read_source` refuses a link in a source folder), never silently."""
    found: list[Path] = []
    skip = exclude_dir.resolve() if exclude_dir is not None else None
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
            if any(fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(rel, pat) for pat in include) and \
                    not any(fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(rel, pat) for pat in exclude):
                found.append(here / name)
                if len(found) > MAX_SOURCES:
                    raise UsageError(f"more than {MAX_SOURCES} documents in {folder}",
                                     expected="a narrower source folder or include pattern")
    return sorted(found)


def book_stem(book_file: Path) -> str:
    """The output NAME of a book, as ``docpipe convert`` names it."""
    from . import default_name
    return default_name(book_file)


def stem_below(path: Path, folder: Path) -> str:
    """A source's output NAME: its path below the folder, without the reader suffix."""
    rel = path.relative_to(folder)
    return (rel.parent / registry.output_stem(rel.name)).as_posix()


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
            check_readable_root(s)
            inside = [Source(p, stem_below(p, s), s) for p in scan(s, include, exclude)]
            if not inside:
                raise UsageError("nothing to convert in this folder", file=str(s),
                                 expected="files matching " + " ".join(include))
            found.extend(inside)
        else:
            from .book.root import is_book_file
            book = is_book_file(s)
            if not book:
                registry.reader_for_path(s)  # an unknown kind is a usage error before any work
            if not os.access(s, os.R_OK) or not st.st_mode & 0o444:
                raise InputError("cannot read: Permission denied", file=str(s))
            found.append(Source(s, book_stem(s) if book else registry.output_stem(s), book=book))
    return found


# ---- reading the project file -----------------------------------------------------------------------------------


def _near(word: str, choices: Iterable[str]) -> str:
    """``did you mean 'x'?`` for a near miss, else the list of what would do."""
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {near[0]!r}?" if near else "expected one of " + ", ".join(sorted(choices))


def _types() -> dict[str, Any]:
    return typing.get_type_hints(Options)


def _check_value(key: str, value: Any, where: str, file: str) -> Any:
    """``value`` checked against the Options field ``key``'s type (and its choices), or a UsageError."""
    hint = _types()[key]
    args = typing.get_args(hint)
    allowed = args if args else (hint,)
    if key == "script":
        if value not in SCRIPTS:
            raise UsageError(f"{where}: script {value!r} is not a script edition; {_near(str(value), SCRIPTS)}",
                             file=file)
        return value
    if key == "metadata":
        if not isinstance(value, dict):
            raise UsageError(f"{where}: metadata must be a table of KEY = VALUE", file=file)
        from .transforms.metadata import check_key
        pairs: list[tuple[str, str]] = []
        for k, v in value.items():
            for one in (v if isinstance(v, list) else [v]):
                if isinstance(one, dict | list):
                    raise UsageError(f"{where}: metadata {k!r} must be text", file=file)
                pairs.append((check_key(str(k)), str(one)))
        return tuple(pairs)
    if key == "pdf_engine":
        if value not in ("auto", *registry.PDF_ENGINES):
            engines = ("auto", *registry.PDF_ENGINES)
            raise UsageError(f"{where}: pdf_engine {value!r} is unknown; {_near(str(value), engines)}", file=file)
        return value
    if key == "pdf_variant":
        from .options import PDF_VARIANTS
        if value not in PDF_VARIANTS:
            raise UsageError(f"{where}: pdf_variant {value!r} is unknown; {_near(str(value), PDF_VARIANTS)}", file=file)
        return value
    if key in ("numbering", "note_numbering"):
        from .options import NUMBERINGS
        if value not in NUMBERINGS:
            raise UsageError(f"{where}: {key} {value!r} is unknown", file=file, expected="book or chapter")
        return value
    if key == "lang":
        from .transforms.metadata import check_lang
        return check_lang(str(value), f"{where}: lang")
    for t in allowed:
        if t is type(None):
            continue
        if t is bool and isinstance(value, bool):
            return value
        if t is int and isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise UsageError(f"{where}: {key} must not be negative", file=file)
            return value
        if t is float and isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                raise UsageError(f"{where}: {key} must not be negative", file=file)
            return float(value)
        if (t is str or typing.get_origin(t) is typing.Literal) and isinstance(value, str):
            return value
    names = " or ".join("text" if t is str else t.__name__ for t in allowed if t is not type(None))
    raise UsageError(f"{where}: {key} = {value!r} is not {names}", file=file)


def edition_settings(table: dict[str, Any], where: str, file: str, base: Path, *, formats: bool
                     ) -> tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]:
    """An edition table read strictly: (edition fields, limits, formats)."""
    known = set(EDITION_FIELDS) | set(LIMIT_FIELDS) | set(ALIASES) | ({"formats"} if formats else set())
    edition: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    fmts: tuple[str, ...] = ()
    for raw, value in table.items():
        if raw not in known:
            raise UsageError(f"{where}: unknown key {raw!r}; {_near(raw, known)}", file=file)
        key = ALIASES.get(raw, raw)
        if key == "formats":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(f"{where}: formats must be a list of format names", file=file,
                                 expected='formats = ["epub", "pdf"]')
            if len(value) > len(registry.WRITERS):
                raise UsageError(f"{where}: {len(value)} formats named; there are {len(registry.WRITERS)}",
                                 file=file, expected="each format once")
            from .core import formats_of
            try:
                fmts = tuple(formats_of(value))
            except UsageError as exc:
                raise UsageError(f"{where}: {exc.message}", file=file, expected=exc.expected) from exc
            continue
        checked = _check_value(key, value, where, file)
        if key in PATH_KEYS and isinstance(checked, str):
            checked = str((base / checked).resolve())
        if key == "job_timeout" or key == "job_memory_mb":
            checked = checked or None
        (limits if key in LIMIT_FIELDS else edition)[key] = checked
    return edition, limits, fmts


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError("no project file", file=str(path), expected="a docpipe.toml (see README)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the project file: {getattr(exc, 'strerror', None) or exc}",
                         file=str(path)) from exc
    if len(text) > 1 << 20:
        raise UsageError("the project file is over 1 MB", file=str(path), expected="a shorter docpipe.toml")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        raise UsageError(f"not valid TOML: {str(exc).split(' (at line')[0]}", file=str(path),
                         line=int(m.group(1)) if m else None) from exc
    except RecursionError as exc:
        raise UsageError("not valid TOML: nested too deeply", file=str(path)) from exc


def _tables(data: dict[str, Any], file: str) -> None:
    for name, value in data.items():
        if name not in TABLES:
            raise UsageError(f"unknown table or key {name!r}; {_near(name, TABLES)}", file=file)
        if not isinstance(value, dict):
            raise UsageError(f"{name!r} must be a table ([{name}])", file=file)


def project_defaults(path: Path) -> Options:
    """The ``[defaults]`` of a project file as options (what ``convert`` uses inside the project)."""
    data = _load_toml(path)
    _tables(data, str(path))
    edition, limits, _ = edition_settings(data.get("defaults", {}), "[defaults]", str(path), path.parent,
                                          formats=False)
    return Options().with_(**edition, **limits)


def _patterns(value: Any, key: str, file: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"[project] {key} must be a list of glob patterns", file=file, expected=f'{key} = ["*.md"]')
    if len(value) > MAX_PATTERNS:
        raise UsageError(f"[project] {key} has {len(value)} patterns", file=file,
                         expected=f"at most {MAX_PATTERNS}")
    return list(value)


def load_project(path: Path) -> Project:
    """Read and check ``docpipe.toml``; every mistake is a UsageError naming the file, the table and the key."""
    file = str(path)
    data = _load_toml(path)
    _tables(data, file)
    base = path.parent
    proj = data.get("project", {})
    for key in proj:
        if key not in PROJECT_KEYS:
            raise UsageError(f"[project]: unknown key {key!r}; {_near(key, PROJECT_KEYS)}", file=file)
    for key in ("source", "output"):
        if key in proj and not isinstance(proj[key], str):
            raise UsageError(f"[project] {key} must be a folder name", file=file)
    d_edition, d_limits, _ = edition_settings(data.get("defaults", {}), "[defaults]", file, base, formats=False)
    defaults = Options().with_(**d_edition, **d_limits)
    editions: list[EditionSpec] = []
    specs = data.get("editions", {})
    if len(specs) > MAX_EDITIONS:
        raise UsageError(f"{len(specs)} editions", file=file, expected=f"at most {MAX_EDITIONS}")
    for name, spec in specs.items():
        where = f"[editions.{name}]"
        if not _NAME.fullmatch(name) or name in (".", ".."):
            raise UsageError(f"edition name {name!r} is not a plain name", file=file,
                             expected="letters, digits, '-', '_' and '.'")
        if not isinstance(spec, dict):
            raise UsageError(f"{where} must be a table", file=file)
        edition, limits, fmts = edition_settings(spec, where, file, base, formats=True)
        if not fmts:
            raise UsageError(f"edition {name!r} names no formats", file=file, expected='formats = ["epub"]')
        merged = {**{k: getattr(defaults, k) for k in EDITION_FIELDS}, **edition}
        all_limits = {**{k: getattr(defaults, k) for k in LIMIT_FIELDS if getattr(defaults, k) !=
                         getattr(Options(), k)}, **limits}
        editions.append(EditionSpec(name=name, formats=fmts, edition=Edition(**merged),
                                    limits=tuple(sorted(all_limits.items()))))
    if not editions:
        raise UsageError("the project names no editions", file=file, expected="an [editions.NAME] table")
    output = (base / proj.get("output", "build/editions")).resolve()
    if output.exists() and not output.is_dir():
        raise UsageError(f"the output {output} is a file, not a folder", file=file, expected="a folder name")
    return Project(source=(base / proj.get("source", ".")).resolve(), output=output, editions=editions,
                   include=_patterns(proj.get("include", list(DEFAULT_INCLUDE)), "include", file),
                   exclude=_patterns(proj.get("exclude", []), "exclude", file), defaults=defaults, file=path,
                   book="book" in data)


def schema() -> dict[str, Any]:
    """A JSON Schema of ``docpipe.toml``, made from the same tables this module checks against."""
    hints = _types()

    def prop(key: str) -> dict[str, Any]:
        hint = hints[key]
        args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        if key == "script":
            out: dict[str, Any] = {"enum": list(SCRIPTS)}
        elif key == "metadata":
            out = {"type": "object", "additionalProperties": {"type": ["string", "array"]}}
        elif key == "pdf_engine":
            out = {"enum": ["auto", *registry.PDF_ENGINES]}
        elif key == "pdf_variant":
            from .options import PDF_VARIANTS
            out = {"enum": list(PDF_VARIANTS)}
        elif key in ("numbering", "note_numbering"):
            from .options import NUMBERINGS
            out = {"enum": list(NUMBERINGS)}
        else:
            kinds = {bool: "boolean", int: "integer", float: "number"}
            out = {"type": kinds.get(args[0], "string")}
        return out

    options = {k: prop(k) for k in (*EDITION_FIELDS, *LIMIT_FIELDS)}
    options.update({alias: prop(target) for alias, target in ALIASES.items()})
    edition = {"type": "object", "additionalProperties": False,
               "properties": {**options, "formats": {"type": "array", "uniqueItems": True,
                                                     "items": {"enum": sorted(set(registry.WRITERS) |
                                                                              set(registry.WRITER_ALIASES))}}},
               "required": ["formats"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "docpipe project file (docpipe.toml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "project": {"type": "object", "additionalProperties": False, "properties": {
                "source": {"type": "string"}, "output": {"type": "string"},
                "include": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_PATTERNS},
                "exclude": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_PATTERNS}}},
            "defaults": {"type": "object", "additionalProperties": False, "properties": options},
            "editions": {"type": "object", "propertyNames": {"pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"},
                         "additionalProperties": edition},
            "book": {"type": "object"},
        },
    }
