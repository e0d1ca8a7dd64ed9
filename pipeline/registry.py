"""Format names -> reader and writer entry points: literal lists with aliases, imported on first use."""

from __future__ import annotations

import importlib
from pathlib import PurePath
from typing import TYPE_CHECKING, Protocol, cast

from .errors import UsageError

if TYPE_CHECKING:
    from .diagnostics import Diagnostics
    from .ir import Document
    from .options import Options


class Reader(Protocol):
    """A reader: a source's bytes into a Document (``name`` names the source in diagnostics and errors)."""

    def __call__(self, data: bytes, options: Options, diag: Diagnostics, *, name: str) -> Document: ...


class Writer(Protocol):
    """A writer: a transformed Document into one format's bytes."""

    def __call__(self, doc: Document, options: Options, diag: Diagnostics) -> bytes: ...

#: reader name -> "module:function"; a reader is ``(data: bytes, options, diag, *, name) -> Document``.
READERS: dict[str, str] = {
    "report": "pipeline.readers.report:read",
    "markdown": "pipeline.readers.pandoc:read_markdown",
    "docx": "pipeline.readers.pandoc:read_docx",
    "odt": "pipeline.readers.pandoc:read_odt",
    "html": "pipeline.readers.pandoc:read_html",
    "epub": "pipeline.readers.pandoc:read_epub",
    "org": "pipeline.readers.pandoc:read_org",
    "tei": "pipeline.readers.tei:read",
    "ir": "pipeline.ir_json:read",
}

READER_ALIASES: dict[str, str] = {"txt": "report", "text": "report", "md": "markdown", "htm": "html",
                                  "xhtml": "html", "xml": "tei", "json": "ir"}

#: file suffix (longest first wins) -> reader name
SUFFIXES: dict[str, str] = {
    ".ir.json": "ir", ".tei.xml": "tei", ".tei": "tei", ".xml": "tei", ".txt": "report", ".text": "report",
    ".md": "markdown", ".markdown": "markdown", ".qmd": "markdown", ".rmd": "markdown", ".docx": "docx",
    ".odt": "odt", ".html": "html", ".htm": "html", ".xhtml": "html", ".epub": "epub", ".json": "ir", ".org": "org",
}

#: writer name -> ("module:function", output suffix); a writer is ``(doc, options, diag) -> bytes``.
WRITERS: dict[str, tuple[str, str]] = {
    "ir": ("pipeline.ir_json:write", ".ir.json"),
    "html": ("pipeline.writers.html:write", ".html"),
    "epub": ("pipeline.writers.epub:write", ".epub"),
    "docx": ("pipeline.writers.docx:write", ".docx"),
    "pdf": ("pipeline.writers.pdf:write", ".pdf"),
    "tei": ("pipeline.writers.tei:write", ".tei.xml"),
    "md": ("pipeline.writers.markdown:write", ".md"),
}

WRITER_ALIASES: dict[str, str] = {"json": "ir", "markdown": "md", "xml": "tei", "xhtml": "html"}

#: PDF layout engine -> "module:function" (same signature as a writer); ``Options.pdf_engine`` picks one.
PDF_ENGINES: dict[str, str] = {
    "weasyprint": "pipeline.writers.pdf:write",
    "typst": "pipeline.writers.typst:write",
}


def _load(spec: str, what: str) -> object:
    module, _, func = spec.partition(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            raise UsageError(f"{what} is not available in this build of docpipe") from exc
        raise
    fn: object = getattr(mod, func)
    return fn


def writer_name(name: str) -> str:
    """The canonical writer name for ``name`` (aliases resolved), or a UsageError listing the choices."""
    key = WRITER_ALIASES.get(name.lower(), name.lower())
    if key not in WRITERS:
        raise UsageError(f"unknown output format {name!r}", expected="one of " + ", ".join(WRITERS))
    return key


def get_writer(name: str, pdf_engine: str = "weasyprint") -> Writer:
    """The writer function for a format name (for ``pdf``, the one of ``pdf_engine``)."""
    key = writer_name(name)
    if key == "pdf":
        if pdf_engine not in PDF_ENGINES:
            raise UsageError(f"unknown PDF engine {pdf_engine!r}", expected="one of " + ", ".join(PDF_ENGINES))
        return cast(Writer, _load(PDF_ENGINES[pdf_engine], f"the {pdf_engine} PDF engine"))
    return cast(Writer, _load(WRITERS[key][0], f"the {name} writer"))


def output_suffix(name: str) -> str:
    """The file suffix of a writer's output (``.tei.xml``)."""
    return WRITERS[writer_name(name)][1]


def reader_name(name: str) -> str:
    """The canonical reader name for ``name``."""
    key = READER_ALIASES.get(name.lower(), name.lower())
    if key not in READERS:
        raise UsageError(f"unknown input format {name!r}", expected="one of " + ", ".join(READERS))
    return key


def reader_for_path(path: str | PurePath) -> str:
    """The reader that fits a file name, by its suffix."""
    lower = PurePath(path).name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return SUFFIXES[suffix]
    raise UsageError(f"cannot tell the input format of {PurePath(path).name!r} from its name",
                     expected="--from FORMAT or a suffix among " + ", ".join(sorted(SUFFIXES)))


def get_reader(name: str) -> Reader:
    """The reader function for a reader name."""
    return cast(Reader, _load(READERS[reader_name(name)], f"the {name} reader"))


def output_stem(path: str | PurePath) -> str:
    """The default output NAME for an input: its file name without the reader suffix."""
    name = PurePath(path).name
    lower = name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return name[: len(name) - len(suffix)]
    return PurePath(path).stem


#: output file suffix (longest first wins) -> writer name, for ``-o FILE``
OUTPUT_SUFFIXES: dict[str, str] = {
    ".ir.json": "ir", ".tei.xml": "tei", ".tei": "tei", ".xml": "tei", ".json": "ir", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".epub": "epub", ".docx": "docx", ".pdf": "pdf", ".md": "md", ".markdown": "md",
}


def format_for_path(path: str | PurePath) -> str:
    """The writer an output file name asks for, by its suffix (``book.epub`` -> ``epub``)."""
    lower = PurePath(path).name.lower()
    for suffix in sorted(OUTPUT_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return OUTPUT_SUFFIXES[suffix]
    raise UsageError(f"cannot tell the output format of {PurePath(path).name!r} from its name",
                     expected="a suffix among " + ", ".join(sorted(OUTPUT_SUFFIXES)) + ", or --to FORMAT")
