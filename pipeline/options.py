"""Options shared by readers, transforms and writers: one frozen record, built by the CLI, the project file or the API.

:class:`Edition` holds the options that make one edition's files differ from another's — the only place they are
declared; :class:`Options` is an edition plus how to run it (input, limits, names), so every writer reads
``options.script`` as before. ``docpipe convert``, ``inspect``, ``build``, ``batch``, the cluster and the Makefile's
rules all go through these two records: an edition's file-name suffix (:meth:`Edition.suffix`), its record in a
build's job key (:meth:`Edition.record`) and its keys in ``docpipe.toml`` (:data:`EDITION_FIELDS`) come from here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from typing import Literal

Script = Literal["keep", "hant", "hans", "tw", "hk"]
SCRIPTS: tuple[str, ...] = ("keep", "hant", "hans", "tw", "hk")
PDF_VARIANTS: tuple[str, ...] = ("pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/x-4")
NUMBERINGS: tuple[str, ...] = ("book", "chapter")


@dataclass(frozen=True, slots=True, kw_only=True)
class Edition:
    """The options that define an edition: two runs whose editions are equal make the same bytes from one source."""

    script: Script = "keep"
    """Script edition: keep each part as written, or convert (Traditional, Simplified, Taiwan, Hong Kong)."""
    diplomatic: bool = False
    """Keep the text as the source wrote it: recover the structure, tag languages and assign ids, but skip every
    transform that changes the text (digit groups, script, quotation marks, punctuation, spacing)."""
    keep_spaces: bool = False
    """Keep the source's literal spaces between Han and Latin/digits instead of leaving the gap to the writer."""
    number_joiner: str = "\u202f"
    """What joins space-grouped digits (``5 000``): U+202F by default, ``""`` to join without a space."""
    lang: str | None = None
    """The document's language (BCP 47), overriding what the source declares or the text suggests (``--lang``)."""
    metadata: tuple[tuple[str, str], ...] = ()
    """Metadata set or replaced by the edition (``-M KEY=VALUE``): title, subtitle, author, date, publisher…"""
    vertical: bool = False
    """Vertical (tategaki) layout for EPUB."""
    embed_fonts: bool = False
    """Embed a subset of the edition's typeface (EPUB)."""
    serif_font: str | None = None
    """The edition's typeface family, overriding the default from ``fonts/``."""
    page_size: str = "A4"
    """Page size of PDF and DOCX: A4, A5, B5, Letter, or ``WxH`` with CSS units."""
    mirror_margins: bool = True
    """Mirrored inner/outer margins for duplex printing (PDF)."""
    pdf_engine: str = "auto"
    """The PDF layout engine: ``weasyprint`` (HTML + CSS), ``typst`` (``pipeline/writers/typst.py``), or ``auto``:
    Typst for books, large documents, text in a script whose shaping reorders it (Devanagari, Thai…: their
    words stay in order in Typst's PDF text) and equations (set as text, not drawn as pictures), WeasyPrint
    otherwise and whenever the edition needs what only it does (PDF/X-4, crop marks, a house stylesheet) —
    :func:`pipeline.core.pdf_engine_for`."""
    pdf_variant: str | None = None
    """``pdf/a-3b``, ``pdf/a-3a`` (tagged), ``pdf/ua-1`` or ``pdf/x-4`` (print: trim box, output intent)."""
    bleed: str | None = None
    """Bleed beyond the trim box for print (``3mm``); PDF only."""
    marks: bool = False
    """Crop and registration marks in the bleed area (PDF)."""
    source_pages: bool = False
    """Show the source edition's page numbers (TEI ``pb``) in the text of EPUB, HTML and PDF."""
    source_lines: bool = False
    """Show the source edition's line numbers (TEI ``lb``) in the text of EPUB, HTML, PDF and DOCX."""
    numbering: str = "book"
    """Numbered paragraphs of a book: continuous through the book (``book``) or restarting per chapter
    (``chapter``, labels ``3.14``)."""
    note_numbering: str = "chapter"
    """A book's footnote numbers in EPUB: restarting in each chapter as its source numbers them (``chapter``) or
    continuous through the book (``book``); print editions always number them per chapter."""
    css: str | None = None
    """A house stylesheet appended after docpipe's own (EPUB, HTML, PDF)."""
    reference_docx: str | None = None
    """A Word template whose styles, page set-up, headers and footers the DOCX takes (as pandoc's)."""
    cover: str | None = None
    """The EPUB's cover picture; a cover is drawn from the metadata when None."""
    isbn: str | None = None
    """ISBN of the edition (EPUB package identifier, title and copyright pages)."""
    doi: str | None = None
    """DOI of the edition (EPUB package metadata)."""

    def record(self) -> dict[str, object]:
        """The fields set away from their defaults, JSON-ready: what a build's job key and a log record."""
        out: dict[str, object] = {}
        for f in fields(Edition):
            value = getattr(self, f.name)
            if value != f.default:
                out[f.name] = [list(pair) for pair in value] if f.name == "metadata" else value
        return out

    def suffix(self) -> str:
        """What ``--edition-suffix`` adds to NAME: a token for every field set away from its default
        (``.hans.a5.vertical``), so two editions written to one folder never share a file name."""
        parts: list[str] = []
        for name, value in self.record().items():
            if name == "script":
                parts.append(str(value))
            elif isinstance(value, bool):
                parts.append(_token(name) if value else "no" + _token(name))
            elif name == "metadata":
                parts.append("meta" + _short_hash(repr(value)))
            elif name in ("css", "reference_docx", "cover"):
                parts.append(_token(os.path.basename(str(value)).rsplit(".", 1)[0]) or _token(name))
            elif name == "number_joiner":
                parts.append("nojoin" if not value else "join" + _short_hash(str(value)))
            else:
                parts.append(_token(str(value)))
        return "".join(f".{p}" for p in parts if p)

    def edition(self) -> Edition:
        """Just the edition-defining fields (of an :class:`Options`, say)."""
        return Edition(**{f.name: getattr(self, f.name) for f in fields(Edition)})


def _token(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _short_hash(text: str) -> str:
    import hashlib
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


#: The names of the edition-defining options, in declaration order.
EDITION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Edition))


@dataclass(frozen=True, slots=True, kw_only=True)
class Options(Edition):
    """Everything a run can be told: an edition, plus its input, limits and names; every field has a default that
    gives a sensible edition."""

    encoding: str | None = None
    """Force the input encoding instead of detecting it."""
    input_format: str | None = None
    """Force the reader instead of choosing it from the file name."""
    strict: bool = False
    """Fail when any warning is reported."""
    source_date_epoch: int | None = None
    """Seconds since 1970 used for every date written into outputs (``SOURCE_DATE_EPOCH``)."""
    source_mtime: int | None = None
    """The source file's modification time (seconds): the outputs' date when the document has none and
    ``SOURCE_DATE_EPOCH`` is unset (never the clock)."""
    source_name: str | None = None
    """The input's file name, as outputs should describe their source."""
    base_dir: str | None = None
    """The document's folder: the only place besides the package's styles and fonts that writers may read."""
    attachments: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    """Files to attach to the output (the TEI file inside a PDF/A-3b)."""
    resource_root: str | None = None
    """The folder pictures may be read from (``--resource-root``); None: the document's own folder (or its book's)."""
    output_name: str | None = None
    """The outputs' NAME: pictures of HTML, TEI and Markdown outputs go into ``NAME.media/`` beside them."""
    max_input_bytes: int = 200 * 1024 * 1024
    """Refuse inputs larger than this."""
    max_expanded_bytes: int = 500 * 1024 * 1024
    """Refuse archives (DOCX, EPUB, ODT) whose members expand beyond this."""
    max_depth: int = 200
    """Refuse structures nested deeper than this."""
    tool_timeout: float = 60.0
    """Seconds an external tool (pandoc, LibreOffice) may run."""
    job_timeout: float | None = 600.0
    """Seconds a whole conversion may take (``--job-timeout``; the CLI and build workers apply it); None: no limit."""
    job_memory_mb: int | None = 3072
    """Megabytes of resident memory a conversion may use (``--job-memory``); None: no limit."""
    tool_memory_mb: int = 1024
    """Megabytes of heap pandoc may use (its ``+RTS -M`` limit)."""
    max_image_bytes: int = 50 * 1024 * 1024
    """Refuse a single picture larger than this (bytes)."""
    max_image_pixels: int = 100_000_000
    """Refuse a picture of more pixels than this (a decompression bomb is refused before decoding)."""
    max_table_span: int = 1000
    """Refuse a table cell spanning more columns or rows than this."""
    max_table_cells: int = 1_000_000
    """Refuse a table whose grid has more cells than this."""
    max_media: int = 5000
    """Refuse documents with more distinct pictures than this."""

    def with_(self, **changes: object) -> Options:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def with_edition(self, edition: Edition) -> Options:
        """These options with every edition-defining field taken from ``edition``."""
        return replace(self, **{name: getattr(edition, name) for name in EDITION_FIELDS})


#: The limits a project file or the command line may set (their defaults are in SECURITY.md).
LIMIT_FIELDS: tuple[str, ...] = ("max_input_bytes", "max_expanded_bytes", "max_depth", "tool_timeout", "job_timeout",
                                 "job_memory_mb", "tool_memory_mb", "max_image_bytes", "max_image_pixels",
                                 "max_table_span", "max_table_cells", "max_media")


def field_types() -> dict[str, object]:
    """Each Options field's type (resolved annotations), for checking values from a project file."""
    import typing
    return dict(typing.get_type_hints(Options))


def default_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` from the environment, if set and valid."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())
