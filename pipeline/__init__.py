"""docpipe: one source document, many editions. Public API: read(), transform(), write(), convert(), inspect()."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import ir, registry
from .diagnostics import Diagnostics, Severity
from .errors import DocpipeError, InputError, StrictError, UsageError
from .fileio import atomic_write, remove_leftovers, write_all
from .options import Options, default_epoch

__version__ = "0.1.0"

__all__ = [
    "Diagnostics",
    "DocpipeError",
    "Options",
    "__version__",
    "convert",
    "describe",
    "inspect",
    "read",
    "transform",
    "write",
]


def read(source: str | os.PathLike[str], options: Options | None = None,
         diag: Diagnostics | None = None) -> ir.Document:
    """Read a source file into the IR (no transforms applied)."""
    options = options or Options()
    path = Path(source)
    diag = diag if diag is not None else Diagnostics(file=str(path))
    fmt = registry.reader_name(options.input_format) if options.input_format else registry.reader_for_path(path)
    reader = registry.get_reader(fmt)
    import stat as _stat
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    if not _stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
        raise InputError("is not a regular file", file=str(path), expected="a document file")
    size = info.st_size
    if size > options.max_input_bytes:
        from .errors import LimitError
        raise LimitError(f"input is {size} bytes, over the limit of {options.max_input_bytes}",
                         file=str(path), expected="a smaller file or a higher --max-input-bytes")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    if options.source_name is None or options.base_dir is None:
        options = options.with_(source_name=options.source_name or path.name,
                                base_dir=options.base_dir or str(path.resolve().parent))
    try:
        doc: ir.Document = reader(data, options, diag, name=str(path))
    except RecursionError as exc:
        from .errors import LimitError
        raise LimitError("structure nested too deeply", file=str(path),
                         expected=f"at most {options.max_depth} levels (--max-depth)") from exc
    from .guard import guard
    return guard(doc, options, diag, str(path))


def transform(doc: ir.Document, options: Options | None = None, diag: Diagnostics | None = None) -> ir.Document:
    """Apply the ordered transforms (typography, script edition, language tags, ids)."""
    from .transforms import run_all
    return run_all(doc, options or Options(), diag if diag is not None else Diagnostics())


def write(doc: ir.Document, fmt: str, options: Options | None = None,
          diag: Diagnostics | None = None) -> bytes:
    """Render ``doc`` in format ``fmt`` and return the bytes."""
    options = options or Options()
    writer = registry.get_writer(fmt, options.pdf_engine)
    return writer(doc, options, diag if diag is not None else Diagnostics())


@dataclass
class Result:
    """What :func:`convert` did: the files written and the diagnostics."""

    outputs: dict[str, Path]
    diagnostics: Diagnostics
    document: ir.Document


def _order(formats: list[str]) -> list[str]:
    # TEI first so that a PDF/A-3b can carry it as an associated file.
    return sorted(formats, key=lambda f: (f != "tei", formats.index(f)))


def convert(source: str | os.PathLike[str], formats: list[str], out_dir: str | os.PathLike[str],
            options: Options | None = None, *, name: str | None = None,
            diag: Diagnostics | None = None) -> Result:
    """Read, transform and write every format under the job's budget (``--job-timeout``, ``--job-memory``);
    see :func:`_convert`."""
    from .budget import job_budget
    opts = options or Options()
    with job_budget(opts.job_timeout, opts.job_memory_mb, str(source)):
        return _convert(source, formats, out_dir, opts, name=name, diag=diag)


def _convert(source: str | os.PathLike[str], formats: list[str], out_dir: str | os.PathLike[str],
             options: Options | None = None, *, name: str | None = None,
             diag: Diagnostics | None = None) -> Result:
    """Read, transform and write every format; each output is written atomically.

    Every format is rendered in memory first; files are renamed into place only when all succeeded, so a
    failure leaves the previous outputs as they were.
    """
    options = options or Options()
    if options.source_date_epoch is None:
        options = options.with_(source_date_epoch=default_epoch())
    path = Path(source)
    diag = diag if diag is not None else Diagnostics(file=str(path))
    fmts = [registry.writer_name(f) for f in formats]
    options = options.with_(source_name=options.source_name or path.name,
                            base_dir=options.base_dir or str(path.resolve().parent))
    doc = transform(read(path, options, diag), options, diag)
    if options.strict:
        _check_strict(diag)
    stem = name or registry.output_stem(path)
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem or "\x00" in stem:
        raise UsageError(f"output name {stem!r} would leave the output folder",
                         expected="a plain file name without '/' or '..'")
    options = options.with_(output_name=stem)
    rendered: dict[str, bytes] = {}
    for fmt in _order(fmts):
        opts = options
        if fmt == "pdf" and "tei" in rendered:
            opts = options.with_(attachments=((f"{stem}.tei.xml", rendered["tei"]),))
        rendered[fmt] = write(doc, fmt, opts, diag)
    if options.strict:
        _check_strict(diag)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .errors import OutputError
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(out)) from exc
    remove_leftovers(out)
    outputs: dict[str, Path] = {fmt: out / f"{stem}{registry.output_suffix(fmt)}" for fmt in fmts}
    record = _check_editions(out, outputs, options)
    if doc.media and set(fmts) & MEDIA_BESIDE:
        write_media(doc, out / f"{stem}.media")
    write_all({outputs[fmt]: rendered[fmt] for fmt in fmts})  # every format or none
    if record is not None:
        atomic_write(out / EDITIONS_FILE, record)
    return Result(outputs, diag, doc)


#: In each output folder, which edition each output holds, so a second edition never overwrites the first unawares.
EDITIONS_FILE = ".docpipe-editions.json"
#: The options that make one edition's file differ from another's.
EDITION_FIELDS = ("script", "page_size", "vertical", "pdf_variant", "diplomatic", "serif_font", "css",
                  "reference_docx", "embed_fonts", "mirror_margins", "cover", "isbn", "doi")


def edition_of(options: Options) -> dict[str, object]:
    """The edition-defining options of a run (those set away from their defaults)."""
    base = Options()
    return {f: getattr(options, f) for f in EDITION_FIELDS
            if hasattr(options, f) and getattr(options, f) != getattr(base, f)}


def _check_editions(out: Path, outputs: dict[str, Path], options: Options) -> bytes | None:
    """Refuse to replace an output that holds another edition (unless ``--overwrite``); the updated record."""
    import json
    path = out / EDITIONS_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    mine = edition_of(options)
    for target in outputs.values():
        before = known.get(target.name)
        if before is not None and before != mine and target.exists() and not options.overwrite:
            def show(e: object) -> str:
                return ", ".join(f"{k}={v}" for k, v in e.items()) if isinstance(e, dict) and e else "defaults"
            raise UsageError(f"{target} holds another edition ({show(before)}); this run ({show(mine)}) would "
                             "overwrite it", expected="--edition-suffix, another --out-dir, or --overwrite")
    for target in outputs.values():
        known[target.name] = mine
    return (json.dumps(known, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


#: formats whose pictures are files in ``NAME.media/`` beside the output (EPUB, DOCX and PDF carry their own)
MEDIA_BESIDE = frozenset({"html", "tei", "md"})


def write_media(doc: ir.Document, folder: Path) -> None:
    """Every medium of ``doc`` as ``folder/NAME`` (written atomically; the folder is created)."""
    from .errors import OutputError
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the media folder: {exc.strerror or exc}", file=str(folder)) from exc
    for m in doc.media:
        target = folder / m.name
        try:
            if target.is_file() and target.stat().st_size == len(m.data) and target.read_bytes() == m.data:
                continue
        except OSError:
            pass
        atomic_write(target, m.data)


def _check_strict(diag: Diagnostics) -> None:
    bad = diag.at_least(Severity.WARNING)
    if bad:
        raise StrictError(f"{len(bad)} warning(s) under --strict; first: {bad[0].one_line()}")


def inspect(source: str | os.PathLike[str], options: Options | None = None, *,
            changes: bool = False) -> dict[str, Any]:
    """What the reader found, as the JSON structure ``docpipe inspect`` prints; with ``changes``, also every edit
    the transforms made (``"changes"``: where, path, offset, before, after, rule), for an editor to review."""
    from .budget import job_budget
    opts = options or Options()
    with job_budget(opts.job_timeout, opts.job_memory_mb, str(source)):
        return _inspect(source, opts, changes=changes)


def _inspect(source: str | os.PathLike[str], options: Options | None = None, *,
             changes: bool = False) -> dict[str, Any]:
    """:func:`inspect` without the budget."""
    from .transforms import run_all
    from .transforms._changes import Change
    options = options or Options()
    diag = Diagnostics(file=str(source))
    made: list[Change] | None = [] if changes else None
    doc = run_all(read(source, options, diag), options, diag, changes=made)
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
        "steps": [{"name": s.name, "counts": dict(s.counts)} for s in doc.steps],
        "diagnostics": [d.as_json() for d in diag.items] if diag else [],
    }
