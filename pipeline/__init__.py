"""docpipe: one source document, many editions. Public API: read(), transform(), write(), convert(), inspect().

These are thin shells over the pure core (:mod:`pipeline.core`): a path becomes bytes, the core makes a Document
and every format's bytes, and the outputs are written atomically. They install no signal handler, thread or
budget in the caller's process: the job budget (``--job-timeout``, ``--job-memory``) is the command line's and
the build workers' (:func:`pipeline.budget.job_budget` wraps a call where a caller wants one).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import core, ir, registry
from .core import MEDIA_BESIDE, Rendered, read_bytes, render
from .diagnostics import Diagnostics
from .errors import DocpipeError, UsageError
from .fileio import publish, read_source
from .options import Edition, Options, default_epoch

__version__ = "0.1.0"

__all__ = [
    "MEDIA_BESIDE",
    "Diagnostics",
    "DocpipeError",
    "Edition",
    "Options",
    "Rendered",
    "Result",
    "__version__",
    "convert",
    "describe",
    "inspect",
    "read",
    "read_bytes",
    "render",
    "transform",
    "write",
]

Source = str | os.PathLike[str]


def _prepared(path: Path, options: Options) -> Options:
    """The options a source is read with: its name and folder, and the book folder it belongs to (its pictures'
    root) unless ``--resource-root`` says otherwise."""
    changes: dict[str, object] = {}
    if options.source_name is None:
        changes["source_name"] = path.name
    if options.base_dir is None:
        changes["base_dir"] = str(path.resolve().parent)
    if options.resource_root is None:
        from .book.root import find_book_root
        root = find_book_root(path)
        if root is not None:
            changes["resource_root"] = str(root)
    if options.source_date_epoch is None:
        epoch = default_epoch()
        if epoch is not None:
            changes["source_date_epoch"] = epoch
    return options.with_(**changes) if changes else options


def read(source: Source, options: Options | None = None, diag: Diagnostics | None = None) -> ir.Document:
    """Read a source file into the IR (no transforms applied)."""
    options = options or Options()
    path = Path(source)
    diag = diag if diag is not None else Diagnostics(file=str(path))
    if not options.input_format:
        registry.reader_for_path(path)  # an unknown kind is a usage error before any reading
    data, _mtime = read_source(path, limit=options.max_input_bytes)
    options = _prepared(path, options)
    return read_bytes(data, str(path), options, diag)


def transform(doc: ir.Document, options: Options | None = None, diag: Diagnostics | None = None) -> ir.Document:
    """Apply the ordered transforms (the edition's metadata, typography, script edition, language tags, ids)."""
    return core.transform(doc, options or Options(), diag if diag is not None else Diagnostics())


def write(doc: ir.Document, fmt: str, options: Options | None = None,
          diag: Diagnostics | None = None) -> bytes:
    """Render ``doc`` in format ``fmt`` and return the bytes."""
    return core.write(doc, fmt, options or Options(), diag if diag is not None else Diagnostics())


@dataclass
class Result:
    """What :func:`convert` did: the files written and the diagnostics."""

    outputs: dict[str, Path]
    diagnostics: Diagnostics
    document: ir.Document


def check_name(stem: str) -> str:
    """An output NAME that stays inside its folder, or a UsageError."""
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem or "\x00" in stem:
        raise UsageError(f"output name {stem!r} would leave the output folder",
                         expected="a plain file name without '/' or '..'")
    return stem


#: The language tag an edition's script puts in a NAME that ends with one (``report.zh-Hant`` -> ``report.zh-Hans``).
_SCRIPT_TAGS = {"hant": "zh-Hant", "hans": "zh-Hans", "tw": "zh-Hant-TW", "hk": "zh-Hant-HK"}


def default_name(path: Path, script: str = "keep") -> str:
    """The outputs' NAME for an input: its stem (``report`` for ``report.tei.xml``), or for a book file the book's
    folder (``SUMMARY.md`` in mdBook's ``src/`` names the folder above it). A stem that ends with a Chinese language
    tag takes the edition's (the Simplified edition of ``report.zh-Hant.txt`` is ``report.zh-Hans.*``)."""
    import re

    from .book.root import is_book_file
    if is_book_file(path):
        folder = path.resolve().parent
        if path.name == "SUMMARY.md" and folder.name == "src":
            folder = folder.parent
        return folder.name or "book"
    stem = registry.output_stem(path)
    tag = _SCRIPT_TAGS.get(script)
    if tag:
        stem = re.sub(r"(?i)\.zh(-(hant|hans))?(-(tw|hk|cn|mo|sg))?$", "." + tag, stem)
    return stem


def targets_in(out_dir: Source, stem: str, formats: Sequence[str]) -> dict[str, Path]:
    """Where each format's output goes in ``out_dir``: ``NAME.epub``, ``NAME.tei.xml``…"""
    check_name(stem)
    return {fmt: Path(out_dir) / f"{stem}{registry.output_suffix(fmt)}" for fmt in core.formats_of(formats)}


def read_document(source: Source | Sequence[Source], options: Options, diag: Diagnostics
                  ) -> tuple[ir.Document, Options]:
    """One document from one source, a book file, or several sources in order; and the options it was read with
    (its name, folder and book root; its modification time for an undated document)."""
    paths = [Path(source)] if isinstance(source, str | os.PathLike) else [Path(s) for s in source]
    if not paths:
        raise UsageError("no input named", expected="a document, several, or a book file")
    from .book.root import is_book_file
    if len(paths) > 1 or is_book_file(paths[0]):
        from .book import read_book
        doc, mtime, root = read_book(paths, options, diag)
        options = options.with_(source_name=options.source_name or paths[0].name,
                                base_dir=options.base_dir or str(root),
                                resource_root=options.resource_root or str(root))
        options = _prepared(paths[0], options)
        return doc, options.with_(source_mtime=mtime)
    path = paths[0]
    if not options.input_format:
        registry.reader_for_path(path)
    data, mtime = read_source(path, limit=options.max_input_bytes)
    options = _prepared(path, options)
    return read_bytes(data, str(path), options, diag), options.with_(source_mtime=mtime)


def convert(source: Source | Sequence[Source], formats: Sequence[str], out_dir: Source | None = None,
            options: Options | None = None, *, name: str | None = None, diag: Diagnostics | None = None,
            targets: Mapping[str, Source] | None = None) -> Result:
    """Read, transform and write every format, atomically: every output or none, replacing what was there.

    ``source`` is a document, a book file (``SUMMARY.md``, ``mkdocs.yml``, ``_quarto.yml``, ``docpipe.toml``) or
    several documents in order. Outputs go to ``out_dir/NAME.SUFFIX`` (NAME: ``name`` or the first input's stem),
    or to the paths ``targets`` gives per format. Every format is rendered in memory first; files are renamed into
    place only when all succeeded, so a failure leaves the previous outputs as they were.
    """
    options = options or Options()
    first = Path(source) if isinstance(source, str | os.PathLike) else Path(next(iter(source), ""))
    diag = diag if diag is not None else Diagnostics(file=str(first))
    fmts = core.formats_of(formats)
    if targets is not None:
        places = {registry.writer_name(f): Path(p) for f, p in targets.items()}
        if set(places) != set(fmts):
            raise UsageError("every format needs one target", expected="targets for " + ", ".join(fmts))
        stem = _media_stem(places)
    else:
        if out_dir is None:
            raise UsageError("no output folder named", expected="--out-dir DIR or -o FILE")
        stem = check_name(name or default_name(first, options.script))
        places = targets_in(out_dir, stem, fmts)
    _distinct(places)
    doc, options = read_document(source, options, diag)
    options = options.with_(output_name=stem)
    rendered = render(doc, fmts, options, diag)
    assert rendered.document is not None
    media_dir = next(iter(places.values())).parent / f"{stem}.media"
    publish({places[f]: rendered.files[f] for f in fmts},
            {media_dir / n: data for n, data in rendered.media.items()})
    return Result(places, diag, rendered.document)


def _media_stem(places: Mapping[str, Path]) -> str:
    """The NAME the outputs that refer to pictures share (their pictures go into ``NAME.media/``)."""
    stems = {p.parent / registry.output_stem(p.name) for f, p in places.items() if f in MEDIA_BESIDE}
    if len(stems) > 1:
        raise UsageError("outputs that refer to pictures beside them must share a folder and a NAME",
                         expected=" and ".join(sorted(str(s) for s in stems)) + " to agree")
    if stems:
        return check_name(next(iter(stems)).name)
    return check_name(registry.output_stem(next(iter(places.values())).name))


def _distinct(places: Mapping[str, Path]) -> None:
    """Two outputs of one run may not share a path."""
    seen: dict[Path, str] = {}
    for fmt, p in places.items():
        key = Path(os.path.abspath(p))
        if key in seen:
            raise UsageError(f"the {seen[key]} and {fmt} outputs would both be written to {p}",
                             expected="a different name for each output")
        seen[key] = fmt


def inspect(source: Source | Sequence[Source], options: Options | None = None, *,
            changes: bool = False) -> dict[str, Any]:
    """What the reader found, as the JSON structure ``docpipe inspect`` prints; with ``changes``, also every edit
    the transforms made (``"changes"``: where, path, offset, before, after, rule), for an editor to review."""
    from .transforms import run_all
    from .transforms._changes import Change
    options = options or Options()
    first = source if isinstance(source, str | os.PathLike) else next(iter(source), "")
    diag = Diagnostics(file=str(first))
    made: list[Change] | None = [] if changes else None
    doc, options = read_document(source, options, diag)
    doc = run_all(doc, options, diag, changes=made)
    report = describe(doc, diag)
    if made is not None:
        report["changes"] = [c.as_json() for c in made]
    return report


def describe(doc: ir.Document, diag: Diagnostics | None = None) -> dict[str, Any]:
    """The ``inspect`` structure for a document already read."""
    from .walk import block_text, iter_blocks, plain
    headings = []
    paragraphs = []
    boxes = []
    for b in iter_blocks(doc.blocks):
        if isinstance(b, ir.Heading):
            headings.append({"level": b.level, "label": b.label, "text": plain(b.children)})
        elif isinstance(b, ir.Para) and b.number is not None:
            paragraphs.append(b.number)
        elif isinstance(b, ir.Box):
            boxes.append({"title": plain(b.title), "paragraphs": sum(isinstance(x, ir.Para) for x in b.blocks),
                          "lang": b.lang})
    m = doc.metadata
    metadata: dict[str, Any] = {
        "title": m.title, "subtitle": m.subtitle, "authors": list(m.authors), "date": m.date, "place": m.place,
        "symbol": m.symbol, "session": m.session, "publisher": m.publisher, "language": m.language,
        "rights": block_text(m.rights), "source": m.source, "edition_notes": list(m.edition_notes),
        "series": list(m.series),
    }
    return {
        "metadata": metadata,
        "headings": headings,
        "paragraphs": paragraphs,
        "boxes": boxes,
        "footnotes": [{"marker": n.marker, "text": block_text(n.blocks)} for n in doc.notes],
        "steps": [{"name": s.name, "counts": dict(s.counts), "settings": dict(s.settings)} for s in doc.steps],
        "diagnostics": [d.as_json() for d in diag.items] if diag else [],
    }
