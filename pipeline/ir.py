"""The canonical intermediate representation: frozen dataclasses and the Block / Inline unions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

#: Version of the IR written into every ``.ir.json``; a file of another major version is refused.
IR_VERSION = "2.3"

# --------------------------------------------------------------------------- inlines


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A run of text (spaces included, exactly as they stand)."""

    text: str
    """The characters, as they stand after the transforms."""
    orig: str | None = None
    """The text as the source wrote it, when a normalisation changed it (kept for diplomatic editions)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Emph:
    """Emphasis (italic in Latin, emphasis dots or bold in CJK)."""

    children: tuple[Inline, ...]
    """The emphasised inlines."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Strong:
    """Strong importance."""

    children: tuple[Inline, ...]
    """The inlines of strong importance."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """Verbatim inline code; protected from every text transform."""

    text: str
    """The code, verbatim."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A hyperlink; ``target`` is a URL or ``#id`` of a node in this document."""

    children: tuple[Inline, ...]
    """The link text."""
    target: str
    """A URL, or ``#id`` of a node of this document (resolved by the ids transform)."""
    title: str | None = None
    """The advisory title (HTML ``title``), if the source gave one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """Generic inline container: a language, classes and attributes the model does not name."""

    children: tuple[Inline, ...]
    """The inlines it holds."""
    lang: str | None = None
    """BCP 47 tag of its text, when it differs from the text around it."""
    classes: tuple[str, ...] = ()
    """Classes from the source (``anchor`` marks an empty target that the ids transform takes up)."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Other attributes of the source, kept in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BookTitle:
    """A title of a work between book-title marks; the marks themselves are kept in ``open``/``close``."""

    children: tuple[Inline, ...]
    """The title, without its marks."""
    open: str = "《"
    """The opening mark (``《``, ``〈``)."""
    close: str = "》"
    """The closing mark (``》``, ``〉``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteRef:
    """A footnote call: points at ``Note.id``; ``marker`` is the source's own marker (``1``, ``*``)."""

    note_id: str
    """The ``Note.id`` it calls."""
    marker: str
    """The call's marker as the source wrote it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LineBreak:
    """A forced line break inside a block."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """A picture: ``media`` names a :class:`Media` of the document; empty when the source's file was refused."""

    media: str
    """The ``Media.name`` of its picture, or ``""`` when the source's file was refused."""
    alt: tuple[Inline, ...] = ()
    """The text alternative (description) of the picture."""
    width: str | None = None
    """Display width from the source (``5cm``, ``40%``, ``300px``); None for the picture's own size."""
    height: str | None = None
    """Display height from the source, like ``width``."""
    title: str | None = None
    """The advisory title, if the source gave one."""
    source: str | None = None
    """Where the source pointed (a file name or URL), for diagnostics and placeholders."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Math:
    """An equation in TeX; ``display`` sets it on a line of its own."""

    tex: str
    """The equation in TeX, without ``$`` delimiters."""
    display: bool = False
    """Set on a line of its own (display math) rather than in the line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    """A line, page or column break of the source edition (TEI ``lb``/``pb``/``cb``), not a break of ours."""

    unit: str
    """``line``, ``page`` or ``column``."""
    n: str | None = None
    """The source's number or name of the line, page or column (``12``, ``iv``), if any."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Other attributes of the source (``ed``, ``facs``, ``break``), kept in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """One alternative of a :class:`Choice`: its role (``lem``, ``rdg``, ``orig``, ``reg``, ``sic``, ``corr``,
    ``abbr``, ``expan``) and text."""

    role: str
    """``lem``, ``rdg``, ``orig``, ``reg``, ``sic``, ``corr``, ``abbr`` or ``expan``."""
    children: tuple[Inline, ...]
    """The reading's text."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Its TEI attributes (``wit``, ``resp``, ``cert``), kept in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """Alternative readings of one passage (TEI ``app`` or ``choice``); :attr:`shown` is the text shown."""

    kind: str
    """``app`` (critical apparatus) or ``choice``."""
    readings: tuple[Reading, ...]
    """The readings: an ``app``'s lemma first, a ``choice``'s in the source's order."""
    attrs: tuple[tuple[str, str], ...] = ()
    """The element's own TEI attributes, kept in order."""
    shown: int = 0
    """The index of the reading the text shows (a ``choice``'s ``corr``, ``reg`` or ``expan`` where it stands)."""


Inline: TypeAlias = (Text | Emph | Strong | Code | Link | Span | BookTitle | NoteRef | LineBreak | Image | Math
                     | Milestone | Choice)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True, kw_only=True)
class Heading:
    """A heading; ``label`` is its source numbering (``第一章``, ``A.``), kept apart from its text."""

    level: int
    """1 for a top-level heading, up to 6."""
    children: tuple[Inline, ...]
    """The heading's text, without its label."""
    label: str | None = None
    """The source's numbering of the heading (``第一章``, ``A.``), if any."""
    id: str | None = None
    """Its anchor (``h-3`` or the source's own id), given by the ids transform."""
    lang: str | None = None
    """BCP 47 tag, when it differs from the language around it."""
    role: str | None = None
    """What a book division this heading opens is (:data:`DIVISIONS`: ``part``, ``chapter``, ``appendix``,
    ``preface``, ``colophon``…, EPUB's structural semantics), set by the book's plan; None for an ordinary
    heading. Writers derive from it front, body and back matter, landmarks, sections and folios."""


#: Book divisions a heading may open (``Heading.role``), each with its place: front, body or back matter.
DIVISIONS: dict[str, str] = {
    "halftitlepage": "front", "titlepage": "front", "copyright-page": "front", "dedication": "front",
    "epigraph": "front", "foreword": "front", "preface": "front", "acknowledgments": "front",
    "introduction": "front", "toc": "front",
    "part": "body", "chapter": "body", "prologue": "body", "epilogue": "body", "conclusion": "body",
    "appendix": "back", "afterword": "back", "glossary": "back", "bibliography": "back", "index": "back",
    "colophon": "back", "endnotes": "back",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Para:
    """A paragraph; ``number`` is the source paragraph number (``"12"``), ``id`` is ``para-12`` when numbered."""

    children: tuple[Inline, ...]
    """The paragraph's text."""
    number: str | None = None
    """The source's paragraph number (``12``), if numbered."""
    id: str | None = None
    """Its anchor: ``para-12`` when numbered, else the source's own id, if any."""
    lang: str | None = None
    """BCP 47 tag, when it differs from the language around it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Box:
    """A titled sidebar holding its own blocks, in its own language."""

    title: tuple[Inline, ...]
    """The box's title (may be empty)."""
    blocks: tuple[Block, ...]
    """What the box holds."""
    id: str | None = None
    """Its anchor (``box-3``), given by the ids transform."""
    lang: str | None = None
    """BCP 47 tag of the box, when it differs from the document's (a Simplified box in a Traditional report)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListItem:
    """One item of a list; ``label`` keeps a literal source label (``1.``, ``(a)``) when there was one."""

    blocks: tuple[Block, ...]
    """What the item holds."""
    label: str | None = None
    """The source's literal label (``1.``, ``(a)``), if it had one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListBlock:
    """A bulleted or numbered list."""

    items: tuple[ListItem, ...]
    """The items, in order."""
    ordered: bool = False
    """Numbered (``ol``) rather than bulleted (``ul``)."""
    start: int = 1
    """The number of the first item of a numbered list."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockQuote:
    """A block quotation."""

    blocks: tuple[Block, ...]
    """What is quoted."""
    lang: str | None = None
    """BCP 47 tag of the quotation, when it differs from the language around it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    """A table cell spanning ``colspan`` columns and ``rowspan`` rows."""

    blocks: tuple[Block, ...]
    """What the cell holds."""
    colspan: int = 1
    """How many columns the cell spans."""
    rowspan: int = 1
    """How many rows the cell spans."""
    header: bool = False
    """A header cell (``th``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table: rows of cells, the first ``head_rows`` of them the header (repeated on each page)."""

    rows: tuple[tuple[Cell, ...], ...]
    """The rows, each a tuple of cells (a spanned place holds no cell)."""
    caption: tuple[Inline, ...] = ()
    """The caption's text, without its label."""
    head_rows: int = 0
    """How many of the first rows are the header."""
    id: str | None = None
    """``tab-N``."""
    label: str | None = None
    """The caption's numbering as the source gave it (``Table 3``, ``表 1``), kept apart from its text."""
    widths: tuple[float, ...] = ()
    """Relative column widths from the source (summing to about 1), or empty."""
    aligns: tuple[str, ...] = ()
    """Each column's alignment from the source (``left``, ``right``, ``center``; ``""`` for the writer's own), or
    empty: a Markdown ``|---:|`` column of figures is set flush right in every format."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """A figure: one or more images with a caption; ``id`` is ``fig-N``."""

    images: tuple[Image, ...]
    """The pictures, in order."""
    caption: tuple[Inline, ...] = ()
    """The caption's text, without its label."""
    id: str | None = None
    """Its anchor (``fig-N`` or the source's own id)."""
    label: str | None = None
    """The caption's numbering as the source gave it (``Figure 2``, ``图 2``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeBlock:
    """Verbatim lines; protected from every text transform."""

    text: str
    """The lines, verbatim, joined by newlines."""
    language: str | None = None
    """The programming language, for highlighting, if the source named it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Div:
    """Generic block container for what the model does not name (kept, never dropped)."""

    blocks: tuple[Block, ...]
    """What the container holds."""
    classes: tuple[str, ...] = ()
    """Classes from the source, kept (writers use them as CSS classes or TEI ``type``)."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Other attributes of the source, kept in order."""
    lang: str | None = None
    """BCP 47 tag, when it differs from the language around it."""
    id: str | None = None
    """The source's own id, if any."""


Block: TypeAlias = Heading | Para | Box | ListBlock | BlockQuote | Table | Figure | CodeBlock | Div


# --------------------------------------------------------------------------- document


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A footnote body, kept with the document and referenced by ``NoteRef.note_id``."""

    id: str
    """The note's anchor (``fn-1``), which ``NoteRef.note_id`` names."""
    marker: str
    """The source's own marker (``1``, ``*``)."""
    blocks: tuple[Block, ...]
    """The note's body."""
    lang: str | None = None
    """BCP 47 tag, when it differs from the document's."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """What is known about the document as a whole."""

    title: str | None = None
    """The document's title."""
    subtitle: str | None = None
    """Its subtitle, if any."""
    authors: tuple[str, ...] = ()
    """Authors or issuing bodies, in order."""
    date: str | None = None
    """ISO 8601 date (``2024-08-21``)."""
    place: str | None = None
    """Place of issue."""
    symbol: str | None = None
    """Document symbol such as ``A/79/1``."""
    session: str | None = None
    """The meeting or session the document belongs to."""
    publisher: str | None = None
    """The publisher or issuing organisation."""
    language: str | None = None
    """BCP 47 tag of the main text (``zh-Hant``); parts in another language carry their own."""
    rights: tuple[Block, ...] = ()
    """The rights or licence statement, as blocks (it may hold a list)."""
    source: str | None = None
    """Where the text came from (file name, URL given in the source)."""
    edition_notes: tuple[str, ...] = ()
    """Notes on this issue of the document (``re-issued for technical reasons``)."""
    series: tuple[str, ...] = ()
    """Related documents or series named by the source."""
    extra: tuple[tuple[str, str], ...] = ()
    """Other named fields the model does not name, kept in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One processing step applied to the document (reader cleaning, a transform) and what it changed."""

    name: str
    """The transform or reader step (``numbers``, ``spacing``)."""
    counts: tuple[tuple[str, int], ...] = ()
    """How many changes of each kind it made, in a stable order."""
    settings: tuple[tuple[str, str], ...] = ()
    """The options it ran with that change its result (``joiner``, ``keep-spaces``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Media:
    """A file the document carries (a picture): its bytes travel with the IR (base64 in ``.ir.json``)."""

    name: str
    """Unique within the document and safe as a file name: ``<sha256 prefix>.<ext>``."""
    media_type: str
    """``image/png``, ``image/jpeg``, ``image/gif``, ``image/svg+xml``, ``image/webp``, ``image/x-emf``…"""
    data: bytes
    """The file's bytes."""
    sha256: str
    """Hex digest of ``data``; checked when an ``.ir.json`` is loaded."""
    width: int | None = None
    """Intrinsic size in pixels (None when unknown, e.g. some SVG)."""
    height: int | None = None
    """Intrinsic height in pixels (None when unknown)."""
    dpi: int | None = None
    """Resolution the source declared, if any."""
    source: str | None = None
    """The path or archive member it came from."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A whole document: metadata, body blocks, footnote bodies, media and the processing history."""

    metadata: Metadata
    """What is known about the document as a whole."""
    blocks: tuple[Block, ...]
    """The body, in reading order."""
    notes: tuple[Note, ...] = ()
    """Footnote bodies, in order of their first call."""
    media: tuple[Media, ...] = ()
    """The files the document carries, each once."""
    steps: tuple[Step, ...] = ()
    """The processing history, oldest first."""


#: Every node class, by name, for (de)serialization.
NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Text, Emph, Strong, Code, Link, Span, BookTitle, NoteRef, LineBreak, Image, Math, Milestone, Reading,
        Choice, Heading, Para, Box, ListItem, ListBlock, BlockQuote, Cell, Table, Figure, CodeBlock, Div,
        Note, Metadata, Step, Media, Document,
    )
}
