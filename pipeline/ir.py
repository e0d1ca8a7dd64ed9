"""The canonical intermediate representation: frozen dataclasses and the Block / Inline unions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

#: Version of the IR written into every ``.ir.json``; a file of another major version is refused.
IR_VERSION = "2.0"

# --------------------------------------------------------------------------- inlines


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A run of text (spaces included, exactly as they stand)."""

    text: str
    orig: str | None = None
    """The text as the source wrote it, when a normalisation changed it (kept for diplomatic editions)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Emph:
    """Emphasis (italic in Latin, emphasis dots or bold in CJK)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Strong:
    """Strong importance."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """Verbatim inline code; protected from every text transform."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A hyperlink; ``target`` is a URL or ``#id`` of a node in this document."""

    children: tuple[Inline, ...]
    target: str
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """Generic inline container: a language, classes and attributes the model does not name."""

    children: tuple[Inline, ...]
    lang: str | None = None
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BookTitle:
    """A title of a work between book-title marks; the marks themselves are kept in ``open``/``close``."""

    children: tuple[Inline, ...]
    open: str = "《"
    close: str = "》"


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteRef:
    """A footnote call: points at ``Note.id``; ``marker`` is the source's own marker (``1``, ``*``)."""

    note_id: str
    marker: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LineBreak:
    """A forced line break inside a block."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """A picture: ``media`` names a :class:`Media` of the document; empty when the source's file was refused."""

    media: str
    alt: tuple[Inline, ...] = ()
    width: str | None = None
    """Display width from the source (``5cm``, ``40%``, ``300px``); None for the picture's own size."""
    height: str | None = None
    title: str | None = None
    source: str | None = None
    """Where the source pointed (a file name or URL), for diagnostics and placeholders."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Math:
    """An equation in TeX; ``display`` sets it on a line of its own."""

    tex: str
    display: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    """A line, page or column break of the source edition (TEI ``lb``/``pb``/``cb``), not a break of ours."""

    unit: str
    """``line``, ``page`` or ``column``."""
    n: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    """Other attributes of the source (``ed``, ``facs``, ``break``), kept in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """One alternative of a :class:`Choice`: its role (``lem``, ``rdg``, ``orig``, ``reg``, ``sic``, ``corr``,
    ``abbr``, ``expan``) and text."""

    role: str
    children: tuple[Inline, ...]
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """Alternative readings of one passage (TEI ``app`` or ``choice``); the first reading is the text shown."""

    kind: str
    """``app`` (critical apparatus) or ``choice``."""
    readings: tuple[Reading, ...]
    attrs: tuple[tuple[str, str], ...] = ()


Inline: TypeAlias = (Text | Emph | Strong | Code | Link | Span | BookTitle | NoteRef | LineBreak | Image | Math
                     | Milestone | Choice)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True, kw_only=True)
class Heading:
    """A heading; ``label`` is its source numbering (``第一章``, ``A.``), kept apart from its text."""

    level: int
    children: tuple[Inline, ...]
    label: str | None = None
    id: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Para:
    """A paragraph; ``number`` is the source paragraph number (``"12"``), ``id`` is ``para-12`` when numbered."""

    children: tuple[Inline, ...]
    number: str | None = None
    id: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Box:
    """A titled sidebar holding its own blocks, in its own language."""

    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    id: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListItem:
    """One item of a list; ``label`` keeps a literal source label (``1.``, ``(a)``) when there was one."""

    blocks: tuple[Block, ...]
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListBlock:
    """A bulleted or numbered list."""

    items: tuple[ListItem, ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockQuote:
    """A block quotation."""

    blocks: tuple[Block, ...]
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    """A table cell spanning ``colspan`` columns and ``rowspan`` rows."""

    blocks: tuple[Block, ...]
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table: rows of cells, the first ``head_rows`` of them the header (repeated on each page)."""

    rows: tuple[tuple[Cell, ...], ...]
    caption: tuple[Inline, ...] = ()
    head_rows: int = 0
    id: str | None = None
    """``tab-N``."""
    label: str | None = None
    """The caption's numbering as the source gave it (``Table 3``, ``表 1``), kept apart from its text."""
    widths: tuple[float, ...] = ()
    """Relative column widths from the source (summing to about 1), or empty."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """A figure: one or more images with a caption; ``id`` is ``fig-N``."""

    images: tuple[Image, ...]
    caption: tuple[Inline, ...] = ()
    id: str | None = None
    label: str | None = None
    """The caption's numbering as the source gave it (``Figure 2``, ``图 2``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeBlock:
    """Verbatim lines; protected from every text transform."""

    text: str
    language: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Div:
    """Generic block container for what the model does not name (kept, never dropped)."""

    blocks: tuple[Block, ...]
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()
    lang: str | None = None
    id: str | None = None


Block: TypeAlias = Heading | Para | Box | ListBlock | BlockQuote | Table | Figure | CodeBlock | Div


# --------------------------------------------------------------------------- document


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A footnote body, kept with the document and referenced by ``NoteRef.note_id``."""

    id: str
    marker: str
    blocks: tuple[Block, ...]
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """What is known about the document as a whole."""

    title: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    """ISO 8601 date (``2024-08-21``)."""
    place: str | None = None
    symbol: str | None = None
    """Document symbol such as ``A/79/1``."""
    session: str | None = None
    """The meeting or session the document belongs to."""
    publisher: str | None = None
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
    counts: tuple[tuple[str, int], ...] = ()
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Media:
    """A file the document carries (a picture): its bytes travel with the IR (base64 in ``.ir.json``)."""

    name: str
    """Unique within the document and safe as a file name: ``<sha256 prefix>.<ext>``."""
    media_type: str
    """``image/png``, ``image/jpeg``, ``image/gif``, ``image/svg+xml``, ``image/webp``, ``image/x-emf``…"""
    data: bytes
    sha256: str
    """Hex digest of ``data``; checked when an ``.ir.json`` is loaded."""
    width: int | None = None
    """Intrinsic size in pixels (None when unknown, e.g. some SVG)."""
    height: int | None = None
    dpi: int | None = None
    """Resolution the source declared, if any."""
    source: str | None = None
    """The path or archive member it came from."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A whole document: metadata, body blocks, footnote bodies, media and the processing history."""

    metadata: Metadata
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = ()
    media: tuple[Media, ...] = ()
    steps: tuple[Step, ...] = ()


#: Every node class, by name, for (de)serialization.
NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Text, Emph, Strong, Code, Link, Span, BookTitle, NoteRef, LineBreak, Image, Math, Milestone, Reading,
        Choice, Heading, Para, Box, ListItem, ListBlock, BlockQuote, Cell, Table, Figure, CodeBlock, Div,
        Note, Metadata, Step, Media, Document,
    )
}
