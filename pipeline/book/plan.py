"""The book model: what a book file says — metadata, parts, chapters (files relative to the book's root), front
and back matter, appendices — as one frozen :class:`BookPlan`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: What an entry of a book is: an ordinary (numbered) chapter, a part grouping chapters, an unnumbered chapter
#: of the front matter (preface, foreword) or back matter (afterword, colophon), or a lettered appendix.
Kind = Literal["chapter", "part", "front", "back", "appendix"]
KINDS: tuple[str, ...] = ("chapter", "part", "front", "back", "appendix")

#: How numbered paragraphs are numbered across a book: continuously (``book``) or restarting in each chapter
#: with the chapter's number as a prefix (``chapter``: ``3.14``).
Numbering = Literal["book", "chapter"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One entry of a book's chapter list."""

    kind: Kind = "chapter"
    title: str | None = None
    """The title the book file gives (a nav label, a SUMMARY link's text); None: the chapter's own."""
    path: str | None = None
    """The chapter's file, relative to the book's root (``/``-separated); None for a part without a file."""
    children: tuple[Entry, ...] = ()
    """Chapters of a part, or sub-chapters of a chapter (mdBook's nested list, MkDocs' nested sections)."""
    role: str | None = None
    """The division the entry opens (a key of :data:`pipeline.ir.DIVISIONS`: ``preface``, ``colophon``…) when the
    book file names it; None: from ``kind`` and, for front and back matter, the file's name or title."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BookPlan:
    """A book: its root folder, what kind of book file described it, its metadata and its entries in order."""

    root: Path
    """The book's folder: chapter paths are relative to it; pictures anywhere under it may be read."""
    resource_root: Path | None = None
    """The folder pictures may be read from (the book file's project folder); None: :attr:`root`."""
    source: str = "files"
    """``mdbook``, ``mkdocs``, ``quarto``, ``docpipe`` or ``files`` (documents named one by one)."""
    book_file: Path | None = None
    title: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    """Other metadata the book file names (``isbn``, ``publisher``, ``date``…), in order."""
    site_url: str | None = None
    """The book's web address (MkDocs ``site_url``, Quarto ``site-url``): links to its pages are links within."""
    numbering: Numbering = "book"
    entries: tuple[Entry, ...] = field(default=())
    bibliography: tuple[str, ...] = ()
    """The bibliography files the book file names (Quarto's ``bibliography:``), relative to :attr:`root`."""
    csl: tuple[str, ...] = ()
    """The citation style file it names (``csl:``), relative to :attr:`root`."""
    pages: tuple[str, ...] = ()
    """Front-matter pages made from the metadata, in order (``halftitlepage``, ``titlepage``, ``copyright-page``,
    ``dedication``): what ``docpipe.toml``'s ``[book] pages`` asks for."""

    @property
    def resources(self) -> Path:
        """The folder pictures may be read from."""
        return self.resource_root or self.root

    def files(self) -> list[str]:
        """Every chapter file in reading order (each once)."""
        seen: dict[str, None] = {}
        for e in iter_entries(self.entries):
            if e.path is not None:
                seen.setdefault(e.path, None)
        return list(seen)


def iter_entries(entries: tuple[Entry, ...]) -> Iterator[Entry]:
    """Every entry, depth first, parents before their children."""
    for e in entries:
        yield e
        yield from iter_entries(e.children)
