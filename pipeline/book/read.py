"""Reading a book: its plan, each chapter read with its relative links kept for assembly, and one Document."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

from .. import ir, registry
from ..diagnostics import Diagnostics
from ..errors import InputError, LimitError, UsageError
from ..fileio import read_source
from ..options import Options
from .assembly import BOOK_LINK, _relative, assemble
from .cache import ChapterCache
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
    return dataclasses.replace(plan, resource_root=find_book_root(plan.root) or plan.root)


def read_book(paths: Sequence[str | os.PathLike[str]], options: Options, diag: Diagnostics,
              cache: ChapterCache | None = None) -> tuple[ir.Document, int | None, Path]:
    """One Document (not yet transformed) from a book file or several documents in order; the newest
    modification time of the files read; the book's resource root (pass it as ``Options.resource_root``).
    ``cache``: chapters kept from an earlier read, used where their bytes and the options are the same (and
    the chapters read now kept in it)."""
    plan = book_plan(paths, diag)
    resources = Path(options.resource_root) if options.resource_root else plan.resources
    docs: dict[str, ir.Document] = {}
    mtimes: list[int] = []
    if plan.book_file is not None:
        try:
            mtimes.append(int(plan.book_file.stat().st_mtime))
        except OSError:
            pass
    # the book's language is its chapters' (the words a reader adds, such as a callout's title, are in it)
    chapter_options = options.with_(resource_root=str(resources), lang=options.lang or plan.language)
    inside = plan.root if plan.book_file is not None else None
    sources = [_chapter_source(plan.root / rel, chapter_options, inside) for rel in plan.files()]
    if cache is not None:
        cache.look_at(resources)
    keys = [cache.key(rel, c.data, c.options) if cache else "" for rel, c in zip(plan.files(), sources, strict=True)]
    kept = {k: hit for k in keys if cache and (hit := cache.get(k)) is not None}
    # every Markdown chapter in one pandoc run (pandoc's start costs about 0.1 s of CPU a chapter)
    markdown = [c for c, k in zip(sources, keys, strict=True) if c.reader == "markdown" and k not in kept]
    if len(markdown) > 1:
        from ..readers.pandoc import read_markdown_many
        try:
            for c, read in zip(markdown, read_markdown_many([(c.data, c.options, c.diag, str(c.path))
                                                            for c in markdown]), strict=True):
                c.doc = read
        except RecursionError:  # read each on its own: the error then names its chapter
            for c in markdown:
                c.doc, c.diag = None, Diagnostics(file=str(c.path))
    for rel, c, key in zip(plan.files(), sources, keys, strict=True):
        mtimes.append(c.mtime)
        if key in kept:
            docs[rel], found = kept[key]
            diag.items.extend(found)
            continue
        docs[rel] = _chapter_document(c, diag)
        if cache is not None:
            cache.put(key, docs[rel], c.diag.items)
    if cache is not None:
        cache.prune()
    if not docs:
        raise InputError("the book lists no chapter", file=str(plan.book_file or paths[0]),
                         expected="at least one chapter file")
    # the edition's --numbering chapter overrides the book file's; its default leaves the book file's
    numbering: Numbering | None = "chapter" if options.numbering == "chapter" else None
    book = assemble(plan, docs, diag, numbering=numbering)
    return _cited(book, plan, docs, options, diag), max(mtimes, default=None), resources


def _cited(book: ir.Document, plan: BookPlan, docs: dict[str, ir.Document], options: Options,
           diag: Diagnostics) -> ir.Document:
    """The book's citations formatted at once, from the bibliographies the book file and its chapters name: one
    bibliography for the whole book, in the chapter that has ``::: {#refs}`` (Quarto's references.qmd) or at the
    end."""
    from ..readers.pandoc.cite import finish, named
    bibs = [(plan.root, n) for n in plan.bibliography]
    styles = [(plan.root, n) for n in plan.csl]
    for rel, doc in docs.items():
        folder = (plan.root / rel).parent
        bibs += [(folder, n) for n in named(doc, "bibliography")]
        styles += [(folder, n) for n in named(doc, "csl")]
    return finish(book, bibs, styles, plan.resources, options, diag, str(plan.book_file or plan.root))


def read_chapter(path: Path, options: Options, diag: Diagnostics, *, inside: Path | None = None
                 ) -> tuple[ir.Document, int]:
    """One chapter read like :func:`pipeline.read` (the reader, then the guard), but with its relative links
    kept as ``span.book-link`` for :func:`assemble` to resolve; and its modification time. ``inside``: the book's
    folder, which the file must really be in (no symbolic link out of it)."""
    source = _chapter_source(path, options, inside)
    return _chapter_document(source, diag), source.mtime


@dataclasses.dataclass(slots=True, kw_only=True)
class _Chapter:
    """A chapter file read from disk, on its way to a Document."""

    path: Path
    data: bytes
    mtime: int
    reader: str
    """The reader's registry name."""
    options: Options
    diag: Diagnostics
    """The chapter's own diagnostics (added to the book's when it is read)."""
    doc: ir.Document | None = None
    """What its reader made of it, once read (a batch of Markdown chapters is read at once)."""


def _chapter_source(path: Path, options: Options, inside: Path | None) -> _Chapter:
    data, mtime = read_source(path, limit=options.max_input_bytes, root=inside)
    fmt = options.input_format
    if fmt is None and path.suffix.lower() in MARKDOWN_SUFFIXES:
        fmt = "markdown"
    name = registry.reader_name(fmt) if fmt else registry.reader_for_path(path)
    opts = options.with_(source_name=path.name, base_dir=str(path.resolve().parent))
    return _Chapter(path=path, data=data, mtime=mtime, reader=name, options=opts, diag=Diagnostics(file=str(path)))


def _chapter_document(c: _Chapter, diag: Diagnostics) -> ir.Document:
    """The chapter's Document (read now unless a batch read it), its title and relative links kept, guarded."""
    try:
        doc: ir.Document = c.doc if c.doc is not None else \
            registry.get_reader(c.reader)(c.data, c.options, c.diag, name=str(c.path))
    except RecursionError as exc:
        raise LimitError("structure nested too deeply", file=str(c.path),
                         expected=f"at most {c.options.max_depth} levels (--max-depth)") from exc
    if c.reader == "markdown":
        doc = _unnumbered(_title_id(doc, c.data), c.data)
    from ..guard import guard
    doc = guard(keep_relative_links(doc), c.options, c.diag, str(c.path))
    diag.items.extend(c.diag.items)
    return doc


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
    meta = dataclasses.replace(doc.metadata, extra=(*doc.metadata.extra, ("unnumbered", "true")))
    return dataclasses.replace(doc, metadata=meta)


def keep_relative_links(doc: ir.Document) -> ir.Document:
    """``doc`` with every relative link (``other.md#x``) as a ``span.book-link`` holding its ``href``: the guard
    keeps it, and :func:`assemble` turns it into a link to its chapter or into text."""

    def fn(n: ir.Inline) -> tuple[ir.Inline, ...]:
        if isinstance(n, ir.Link) and _relative(n.target):
            return (ir.Span(children=n.children, classes=(BOOK_LINK,), attrs=(("href", n.target),)),)
        return (n,)

    def on(inl: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
        return map_inlines(inl, fn)

    return dataclasses.replace(doc, blocks=map_tree(doc.blocks, on),
                               notes=tuple(dataclasses.replace(n, blocks=map_tree(n.blocks, on))
                                           for n in doc.notes))
