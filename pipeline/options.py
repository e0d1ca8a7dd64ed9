"""Options shared by readers, transforms and writers: one frozen record, built by the CLI or the API."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal

Script = Literal["keep", "hant", "hans", "tw", "hk"]
SCRIPTS: tuple[str, ...] = ("keep", "hant", "hans", "tw", "hk")


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """Everything a run can be told; every field has a default that gives a sensible edition."""

    script: Script = "keep"
    """Script edition: keep each part as written, or convert (Traditional, Simplified, Taiwan, Hong Kong)."""
    encoding: str | None = None
    """Force the input encoding instead of detecting it."""
    input_format: str | None = None
    """Force the reader instead of choosing it from the file name."""
    strict: bool = False
    """Fail when any warning is reported."""
    keep_spaces: bool = False
    """Keep the source's literal spaces between Han and Latin/digits instead of leaving the gap to the writer."""
    diplomatic: bool = False
    """Keep the text as the source wrote it: recover the structure, tag languages and assign ids, but skip every
    transform that changes the text (digit groups, script, quotation marks, punctuation, spacing)."""
    number_joiner: str = "\u202f"
    """What joins space-grouped digits (``5 000``): U+202F by default, ``""`` to join without a space."""
    vertical: bool = False
    """Vertical (tategaki) layout for EPUB."""
    embed_fonts: bool = False
    """Embed a subset of the edition's typeface (EPUB)."""
    page_size: str = "A4"
    """Page size of PDF and DOCX: A4, A5, B5, Letter, or ``WxH`` with CSS units."""
    mirror_margins: bool = True
    """Mirrored inner/outer margins for duplex printing (PDF)."""
    pdf_engine: str = "weasyprint"
    """The PDF layout engine: ``weasyprint`` (HTML + CSS) or ``typst`` (``pipeline/writers/typst.py``)."""
    pdf_variant: str | None = None
    """``pdf/a-3b``, ``pdf/a-3a`` (tagged), ``pdf/ua-1`` or ``pdf/x-4`` (print: trim box, output intent)."""
    bleed: str | None = None
    """Bleed beyond the trim box for print (``3mm``); PDF only."""
    marks: bool = False
    """Crop and registration marks in the bleed area (PDF)."""
    css: str | None = None
    """A house stylesheet appended after docpipe's own (EPUB, HTML, PDF)."""
    reference_docx: str | None = None
    """A Word template whose styles, page set-up, headers and footers the DOCX takes (as pandoc's)."""
    cover: str | None = None
    """The EPUB's cover picture; a cover is drawn from the metadata when None."""
    isbn: str | None = None
    """ISBN of the edition (EPUB package identifier)."""
    doi: str | None = None
    """DOI of the edition (EPUB package metadata)."""
    serif_font: str | None = None
    """The edition's typeface family, overriding the default from ``fonts/``."""
    source_date_epoch: int | None = None
    """Seconds since 1970 used for every date written into outputs (``SOURCE_DATE_EPOCH``)."""
    source_name: str | None = None
    """The input's file name, as outputs should describe their source."""
    base_dir: str | None = None
    """The document's folder: the only place besides ``styles/`` and ``fonts/`` that writers may read."""
    attachments: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    """Files to attach to the output (the TEI file inside a PDF/A-3b)."""
    max_input_bytes: int = 200 * 1024 * 1024
    """Refuse inputs larger than this."""
    max_expanded_bytes: int = 500 * 1024 * 1024
    """Refuse archives (DOCX, EPUB, ODT) whose members expand beyond this."""
    max_depth: int = 200
    """Refuse structures nested deeper than this."""
    tool_timeout: float = 60.0
    """Seconds an external tool (pandoc, LibreOffice) may run."""
    job_timeout: float | None = 600.0
    """Seconds a whole conversion may take (``--job-timeout``); None: no limit."""
    job_memory_mb: int | None = 3072
    """Megabytes of resident memory a conversion may use (``--job-memory``); None: no limit."""
    tool_memory_mb: int = 1024
    """Megabytes of heap pandoc may use (its ``+RTS -M`` limit)."""
    overwrite: bool = False
    """Let ``convert`` replace an output that holds another edition (``--overwrite``)."""
    resource_root: str | None = None
    """The folder pictures may be read from (``--resource-root``); None: the document's own folder only."""
    output_name: str | None = None
    """The outputs' NAME: pictures of HTML, TEI and Markdown outputs go into ``NAME.media/`` beside them."""
    source_pages: bool = False
    """Show the source edition's page numbers (TEI ``pb``) in the text of EPUB, HTML and PDF."""
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


def default_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` from the environment, if set and valid."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())
