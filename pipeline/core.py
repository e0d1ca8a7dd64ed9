"""The pure core: bytes into a Document, a Document into every format's bytes — no file system, signals or processes.

Every way in — :func:`pipeline.convert`, ``inspect``, ``docpipe build``/``batch`` on local workers or a Dask
cluster, the Makefile's rules — is a thin shell around these functions (path → bytes → core → atomic write), so
they make the same bytes by construction. What defines an edition is one record, :class:`~pipeline.options.Edition`.
Writers may read the files an edition names (a house stylesheet, a Word template, a cover), nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import ir, registry
from .diagnostics import Diagnostics, Severity
from .errors import LimitError, StrictError, UsageError
from .options import Options

#: formats whose pictures are files in ``NAME.media/`` beside the output (EPUB, DOCX and PDF carry their own)
MEDIA_BESIDE = frozenset({"html", "tei", "md"})


def read_bytes(data: bytes, name: str, options: Options, diag: Diagnostics) -> ir.Document:
    """Read one source's bytes into the IR (no transforms applied); ``name`` picks the reader by its suffix unless
    ``options.input_format`` names one, and names the source in diagnostics and errors."""
    fmt = registry.reader_name(options.input_format) if options.input_format else registry.reader_for_path(name)
    if len(data) > options.max_input_bytes:
        raise LimitError(f"input is {len(data)} bytes, over the limit of {options.max_input_bytes}", file=name,
                         expected="a smaller file or a higher --max-input-bytes")
    reader = registry.get_reader(fmt)
    try:
        doc: ir.Document = reader(data, options, diag, name=name)
    except RecursionError as exc:
        raise LimitError("structure nested too deeply", file=name,
                         expected=f"at most {options.max_depth} levels (--max-depth)") from exc
    if fmt == "markdown":  # its citations formatted from the bibliography it names (a book's: book/read.py)
        from .readers.pandoc.cite import finish, named
        base = Path(options.base_dir or ".")
        root = Path(options.resource_root) if options.resource_root else base
        doc = finish(doc, [(base, n) for n in named(doc, "bibliography")], [(base, n) for n in named(doc, "csl")],
                     root, options, diag, name)
        from .book.assembly import document_xrefs
        doc = document_xrefs(doc, diag, name)
    from .guard import guard
    return guard(doc, options, diag, name)


def transform(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Apply the ordered transforms (the edition's metadata, typography, script edition, language tags, ids)."""
    from .transforms import run_all
    return run_all(doc, options, diag)


#: Characters of text above which a document counts as large (about 150 A4 pages of Chinese): its PDF is set by
#: Typst under ``--pdf-engine auto``, which lays out a 600-page book in seconds where WeasyPrint needs minutes.
LARGE_TEXT = 150_000


#: Scripts whose shaping reorders what is written (the Indic scripts and Sinhala; Thai, Lao, Tibetan, Myanmar,
#: Khmer): WeasyPrint's PDF maps their glyphs back to text out of order (किताब extracted as "əकGाब": 82–88 % of
#: Devanagari and Bengali words found, Typst 99–100 %). Not the right-to-left scripts: there WeasyPrint's text is
#: the truer one. Typst gives a mark drawn apart from its letter (a Syriac seyame, a Hebrew point, an Arabic
#: haraka) the text of the whole cluster, so that letters come out twice (ܡܠܟ̈ܐ as ܡܠ̈ܟ̈ܟܐ): words found in the
#: PDF of a pointed Syriac poem 75 % with Typst, 100 % with WeasyPrint; pointed Hebrew 84 % and 93 %; unpointed
#: Arabic and Hebrew 97–100 % with either.
COMPLEX_SCRIPT = re.compile("[\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff]")


def complex_script(doc: ir.Document) -> str | None:
    """The first letter of ``doc`` in a :data:`COMPLEX_SCRIPT`, if any."""
    from .walk import iter_inlines_all
    for n in iter_inlines_all(doc):
        if isinstance(n, ir.Text) and (m := COMPLEX_SCRIPT.search(n.text)):
            return m.group()
    return None


def has_math(doc: ir.Document) -> bool:
    """Whether ``doc`` holds an equation: WeasyPrint's PDF draws each as a picture (outlines, no text: 59 % of a
    Word file of equations found in its PDF's text), Typst sets it as text (98 %)."""
    from .walk import iter_inlines_all
    return any(isinstance(n, ir.Math) for n in iter_inlines_all(doc))


def pdf_engine_for(doc: ir.Document, options: Options) -> str:
    """The PDF engine for ``doc``: the one the edition names, or under ``auto`` Typst for a book (a heading with a
    book role), a large document, one with text in a :data:`COMPLEX_SCRIPT` (whose text WeasyPrint's PDF does
    not keep in order) or one with equations (:func:`has_math`: text in Typst's PDF, pictures in WeasyPrint's),
    unless the edition needs PDF/X-4, crop marks or a house stylesheet, which only the WeasyPrint engine does
    (docs/typography.md lists what each engine keeps)."""
    if options.pdf_engine != "auto":
        return options.pdf_engine
    if options.pdf_variant == "pdf/x-4" or options.marks or options.css:
        return "weasyprint"
    if complex_script(doc) or has_math(doc):
        return "typst"
    from .walk import iter_blocks
    size = 0
    for b in iter_blocks(doc.blocks):
        if isinstance(b, ir.Heading) and b.role:
            return "typst"
        if isinstance(b, ir.Para):
            size += sum(len(t.text) for t in b.children if isinstance(t, ir.Text))
            if size > LARGE_TEXT:
                return "typst"
    return "weasyprint"


def write(doc: ir.Document, fmt: str, options: Options, diag: Diagnostics) -> bytes:
    """Render a transformed ``doc`` in format ``fmt`` (for PDF, with the engine :func:`pdf_engine_for` picks)."""
    engine = pdf_engine_for(doc, options) if registry.writer_name(fmt) == "pdf" else "weasyprint"
    writer = registry.get_writer(fmt, engine)
    return writer(doc, options, diag)


@dataclass(frozen=True)
class Rendered:
    """One edition of one document, in memory: every format's bytes and the pictures that go beside them."""

    files: dict[str, bytes]
    """Format name -> the output's bytes, in the order the formats were asked for."""
    media: dict[str, bytes] = field(default_factory=dict)
    """Picture name -> bytes, for the formats that refer to pictures beside them (``NAME.media/``)."""
    document: ir.Document | None = None
    """The transformed document the files were made from."""


def formats_of(formats: Sequence[str]) -> list[str]:
    """Canonical format names (aliases resolved); an unknown or repeated one is a UsageError."""
    out: list[str] = []
    for f in formats:
        key = registry.writer_name(f)
        if key in out:
            raise UsageError(f"format {f!r} is asked for twice", expected="each format once")
        out.append(key)
    if not out:
        raise UsageError("no output format named", expected="e.g. --to epub,pdf")
    return out


def _order(formats: Sequence[str]) -> list[str]:
    # TEI first, so that a PDF/A-3 can carry it as an associated file.
    return sorted(formats, key=lambda f: (f != "tei", formats.index(f)))


def dated(doc: ir.Document, options: Options) -> Options:
    """The options whose date the outputs carry: ``SOURCE_DATE_EPOCH``; else the document's own date (the writers
    read it); else the source file's modification time — never the clock."""
    if options.source_date_epoch is None and not doc.metadata.date and options.source_mtime is not None:
        return options.with_(source_date_epoch=options.source_mtime)
    return options


def render(doc: ir.Document, formats: Sequence[str], options: Options, diag: Diagnostics, *,
           transformed: bool = False) -> Rendered:
    """Transform a document as read (unless ``transformed``) into ``options``' edition and render every format.

    Under ``options.strict`` a warning before or after writing is a :class:`StrictError`. The outputs' NAME
    (``options.output_name``) names the pictures folder and the TEI file a PDF/A-3 carries.
    """
    fmts = formats_of(formats)
    if not transformed:
        doc = transform(doc, options, diag)
    if options.strict:
        check_strict(diag)
    options = dated(doc, options)
    stem = options.output_name or "document"
    rendered: dict[str, bytes] = {}
    for fmt in _order(fmts):
        opts = options
        if fmt == "pdf" and "tei" in rendered:
            opts = options.with_(attachments=((f"{stem}.tei.xml", rendered["tei"]),))
        rendered[fmt] = write(doc, fmt, opts, diag)
    if options.strict:
        check_strict(diag)
    media = {m.name: m.data for m in doc.media} if set(fmts) & MEDIA_BESIDE else {}
    return Rendered({fmt: rendered[fmt] for fmt in fmts}, media, doc)


def check_strict(diag: Diagnostics) -> None:
    """Under ``--strict``: any warning so far is a :class:`StrictError`."""
    bad = diag.at_least(Severity.WARNING)
    if bad:
        raise StrictError(f"{len(bad)} warning(s) under --strict; first: {bad[0].one_line()}")
