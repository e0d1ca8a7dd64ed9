"""Reading a book: its plan, each chapter read with its relative links kept for assembly, and one Document."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from .. import ir, registry
from ..diagnostics import Diagnostics
from ..errors import InputError, LimitError, UsageError
from ..fileio import read_source
from ..options import Options
from .assemble import BOOK_LINK, _relative, assemble
from .parsers import load_plan, plan_of_files
from .plan import BookPlan, Numbering
from .root import find_book_root, is_book_file
from .treemap import map_inlines, map_tree

#: Chapter suffixes the registry does not know that are Markdown (Quarto, R Markdown).
MARKDOWN_SUFFIXES = frozenset({".qmd", ".rmd"})


def book_plan(paths: Sequence[str | os.PathLike[str]], diag: Diagnostics) -> BookPlan:
    """The plan of a book file, or of several documents in order (their common folder the root; pictures may
    come from the book project above it, :func:`find_book_root`)."""
    if len(paths) == 1 and is_book_file(paths[0]):
        return load_plan(paths[0], diag)
    for p in paths:
        if is_book_file(p):
            raise UsageError(f"{p} is a book file among other inputs", expected="one book file, or documents")
    plan = plan_of_files(paths)
    import dataclasses
    return dataclasses.replace(plan, resource_root=find_book_root(plan.root) or plan.root)


def read_book(paths: Sequence[str | os.PathLike[str]], options: Options, diag: Diagnostics
              ) -> tuple[ir.Document, int | None, Path]:
    """One Document (not yet transformed) from a book file or several documents in order; the newest
    modification time of the files read; the book's resource root (pass it as ``Options.resource_root``)."""
    plan = book_plan(paths, diag)
    resources = Path(options.resource_root) if options.resource_root else plan.resources
    docs: dict[str, ir.Document] = {}
    mtimes: list[int] = []
    if plan.book_file is not None:
        try:
            mtimes.append(int(plan.book_file.stat().st_mtime))
        except OSError:
            pass
    for rel in plan.files():
        path = plan.root / rel
        doc, mtime = read_chapter(path, options.with_(resource_root=str(resources)), diag,
                                  inside=plan.root if plan.book_file is not None else None)
        docs[rel] = doc
        mtimes.append(mtime)
    if not docs:
        raise InputError("the book lists no chapter", file=str(plan.book_file or paths[0]),
                         expected="at least one chapter file")
    # the edition's --numbering chapter overrides the book file's; its default leaves the book file's
    numbering: Numbering | None = "chapter" if options.numbering == "chapter" else None
    return assemble(plan, docs, diag, numbering=numbering), max(mtimes, default=None), resources


def read_chapter(path: Path, options: Options, diag: Diagnostics, *, inside: Path | None = None
                 ) -> tuple[ir.Document, int]:
    """One chapter read like :func:`pipeline.read` (the reader, then the guard), but with its relative links
    kept as ``span.book-link`` for :func:`assemble` to resolve; and its modification time. ``inside``: the book's
    folder, which the file must really be in (no symbolic link out of it)."""
    data, mtime = read_source(path, limit=options.max_input_bytes, root=inside)
    fmt = options.input_format
    if fmt is None and path.suffix.lower() in MARKDOWN_SUFFIXES:
        fmt = "markdown"
    name = registry.reader_name(fmt) if fmt else registry.reader_for_path(path)
    opts = options.with_(source_name=path.name, base_dir=str(path.resolve().parent))
    own = Diagnostics(file=str(path))
    try:
        doc: ir.Document = registry.get_reader(name)(data, opts, own, name=str(path))
    except RecursionError as exc:
        raise LimitError("structure nested too deeply", file=str(path),
                         expected=f"at most {options.max_depth} levels (--max-depth)") from exc
    if name == "markdown":
        doc = _unnumbered(_title_id(doc, data), data)
    from ..guard import guard
    doc = guard(keep_relative_links(doc), opts, own, str(path))
    diag.items.extend(own.items)
    return doc, mtime


_ATX_TITLE = re.compile(r"^#[ \t]+(?P<text>.*?)[ \t]*\{(?P<attrs>[^}]*)\}[ \t]*$", re.M)
_ANY_HEADING = re.compile(r"^#{1,6}[ \t]", re.M)


def _title_id(doc: ir.Document, data: bytes) -> ir.Document:
    """The id of the heading the Markdown reader took for the title (``# Intro {#sec-intro}``), kept as
    ``title-id`` in the metadata's extra fields so links to it (``#sec-intro``, ``@sec-intro``) find the chapter.

    The reader drops that heading with its id; until it keeps the id itself, the source's first heading is read
    here (only when it is the title the reader found)."""
    title = doc.metadata.title
    if not title or any(k == "title-id" for k, _ in doc.metadata.extra):
        return doc
    text = data[:1_000_000].decode("utf-8", "replace")
    first = _ANY_HEADING.search(text)
    m = _ATX_TITLE.match(text, first.start()) if first is not None else None
    if m is None or title not in m.group("text"):
        return doc
    ident = re.search(r"(?:^|\s)#([A-Za-z_][\w:.-]*)", m.group("attrs"))
    if ident is None:
        return doc
    import dataclasses
    meta = dataclasses.replace(doc.metadata, extra=(*doc.metadata.extra, ("title-id", ident.group(1))))
    return dataclasses.replace(doc, metadata=meta)


_FIRST_ATX = re.compile(r"^#[ \t]+.*?\{(?P<attrs>[^}]*)\}[ \t]*$", re.M)


def _unnumbered(doc: ir.Document, data: bytes) -> ir.Document:
    """``unnumbered`` in the metadata's extra fields when the page's first heading says so (Quarto and pandoc's
    ``# Preface {.unnumbered}`` or ``{-}``): assembly leaves the chapter without a number."""
    text = data[:1_000_000].decode("utf-8", "replace")
    first = _ANY_HEADING.search(text)
    m = _FIRST_ATX.match(text, first.start()) if first is not None else None
    if m is None or not re.search(r"(?:^|\s)(?:\.unnumbered|-)(?:\s|$)", m.group("attrs")):
        return doc
    import dataclasses
    meta = dataclasses.replace(doc.metadata, extra=(*doc.metadata.extra, ("unnumbered", "true")))
    return dataclasses.replace(doc, metadata=meta)


def keep_relative_links(doc: ir.Document) -> ir.Document:
    """``doc`` with every relative link (``other.md#x``) as a ``span.book-link`` holding its ``href``: the guard
    keeps it, and :func:`assemble` turns it into a link to its chapter or into text."""
    import dataclasses

    def fn(n: ir.Inline) -> tuple[ir.Inline, ...]:
        if isinstance(n, ir.Link) and _relative(n.target):
            return (ir.Span(children=n.children, classes=(BOOK_LINK,), attrs=(("href", n.target),)),)
        return (n,)

    def on(inl: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
        return map_inlines(inl, fn)

    return dataclasses.replace(doc, blocks=map_tree(doc.blocks, on),
                               notes=tuple(dataclasses.replace(n, blocks=map_tree(n.blocks, on))
                                           for n in doc.notes))
