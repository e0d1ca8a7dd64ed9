"""Markdown, DOCX, ODT, HTML, EPUB and Org through pandoc into the IR: the entry points, one job per module.

``run`` runs pandoc and guards archives; ``convert`` maps pandoc's AST to the IR; ``word`` and
``word_numbering`` hold what only Word files need (title-page and caption styles, text boxes, tables of
contents, core properties, automatic numbering); ``epub`` what only EPUB files need (the spine's non-linear
items); ``markup`` prepares Markdown and HTML before pandoc reads them (report numbers, ``:::``/``!!!``
containers); ``rawhtml`` reads the raw HTML inside Markdown; ``statutes`` finds a statute's articles and a
Markdown file's title.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from ... import ir
from ...diagnostics import Diagnostics
from ...errors import InputError
from ...media import MediaTable
from ...options import Options
from ...walk import rewrite_blocks
from .convert import convert as to_ir  # the module keeps its name: pipeline.readers.pandoc.convert
from .epub import linear_spine, package_language, package_path
from .html5 import Counts as Html5Counts
from .html5 import implied_head
from .html5 import prepare as html5_structure
from .markup import containers, fence_infos, markdown_numbers, picture_chunks, prepare_html
from .run import ENTITY, check_archive, pandoc_path, run_pandoc, run_pandoc_many
from .statutes import statutes, title_from_heading
from .word import group_boxes, with_core_title, with_declared_language, word_box_groups
from .word_boxes import lift_text_boxes
from .word_numbering import apply_numbering

__all__ = ["check_archive", "pandoc_path", "prepare_html", "read_docx", "read_epub", "read_html", "read_markdown",
           "read_markdown_many", "read_odt", "read_org", "run_pandoc"]


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("is not valid UTF-8", file=name, offset=exc.start, expected="UTF-8 text") from exc


#: pandoc's name for the Markdown docpipe reads.
MARKDOWN = "markdown+east_asian_line_breaks"


def read_markdown(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """Pandoc Markdown (YAML metadata, footnotes, ``::: box`` divs, ``[12]{.para-num}`` or ``12.`` numbers)."""
    text = markdown_text(data, options, diag, name)
    ast = run_pandoc(text, MARKDOWN, name, options, diag)
    return markdown_document(ast, options, diag, name, text)


def read_markdown_many(sources: Sequence[tuple[bytes, Options, Diagnostics, str]]) -> list[ir.Document]:
    """:func:`read_markdown` on each ``(data, options, diag, name)``, the same Documents, with one pandoc run for
    all (a book's chapters)."""
    texts = [markdown_text(data, options, diag, name) for data, options, diag, name in sources]
    if not sources:
        return []
    asts = run_pandoc_many(texts, MARKDOWN, [s[3] for s in sources], sources[0][1], [s[2] for s in sources])
    return [markdown_document(ast, options, diag, name, text)
            for ast, text, (_, options, diag, name) in zip(asts, texts, sources, strict=True)]


def markdown_text(data: bytes, options: Options, diag: Diagnostics, name: str) -> bytes:
    """What pandoc reads of a Markdown source: checked, its containers and report numbers made pandoc's."""
    counts = {"containers": 0, "stray": 0, "unclosed": 0, "pictures": 0}
    from ..precheck import check_markdown
    chunks: Counter[str] = Counter()
    text = check_markdown(_decode(data, name), options, diag, name)
    text = markdown_numbers(containers(fence_infos(picture_chunks(text, counts), chunks), counts))
    if counts["pictures"]:
        diag.emit("chunk-picture", f"{counts['pictures']} R chunk(s) that only show a picture file "
                  "(knitr::include_graphics) read as that picture")
    if chunks:
        engines = ", ".join(f"{{{engine}}} {n}" for engine, n in sorted(chunks.items(), key=lambda kv: -kv[1]))
        diag.emit("unsupported-content", f"{chunks.total()} executable code chunk(s) ({engines}) shown as code, "
                  "not run: docpipe does not execute code (what they would draw or print is not in the edition)")
    if counts["containers"]:
        diag.emit("container-box", f"{counts['containers']} container(s) (:::, !!!, ???) read as boxes or divs")
    if counts["stray"] or counts["unclosed"]:
        diag.emit("container-unclosed", f"{counts['stray']} closing ::: without an opening one dropped, "
                  f"{counts['unclosed']} container(s) closed at the end")
    return text.encode("utf-8")


def markdown_document(ast: dict[str, Any], options: Options, diag: Diagnostics, name: str,
                      text: bytes | None = None) -> ir.Document:
    """The Document of pandoc's AST of a Markdown source (``text``, what pandoc read): captions attached, statutes
    and the title found, the column widths of pipe tables whose delimiter rows draw none dropped."""
    doc = to_ir(ast, options, diag, name, "markdown")
    if text is not None:
        doc = undrawn_widths(doc, text.decode("utf-8", "replace"))
    from ..captions import attach_captions
    return statutes(title_from_heading(attach_captions(doc, diag), diag), diag)


#: A pipe table's delimiter row (``|---|:---:|``, ``---|---``): only pipes, dashes, colons and spaces.
_DELIMITER = re.compile(r"^[ \t]*(?=[^\n]*\|)(?=[^\n]*-)[|: \t-]+$", re.M)


def undrawn_widths(doc: ir.Document, text: str) -> ir.Document:
    """``doc`` with the column widths pandoc gave a long pipe table from a delimiter row that draws none dropped,
    so the writers size its columns from their content. Pandoc sets a pipe table wider than 72 characters in
    columns as wide as the cells of its delimiter row (dashes and colons), and ``|---|---|---|---:|`` (how nearly
    every Chinese Markdown table is typed) gives three equal columns and a wider fourth whatever they hold. A row
    whose cells differ by more than one dash (``|--|------------|``) is the author's drawing and is kept."""
    undrawn: set[tuple[float, ...]] = set()
    drawn: set[tuple[float, ...]] = set()
    for m in _DELIMITER.finditer(text):
        cells = [c.strip() for c in m.group().strip().strip("|").split("|")]
        if not cells or not all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        lengths = [len(c) for c in cells]  # pandoc counts the colons with the dashes
        dashes = [c.count("-") for c in cells]
        shares = tuple(round(n / sum(lengths), 9) for n in lengths)
        (drawn if max(dashes) - min(dashes) > 1 else undrawn).add(shares)
    undrawn -= drawn
    if not undrawn:
        return doc

    def fix(b: ir.Block, _lang: str | None) -> ir.Block:
        if isinstance(b, ir.Table) and b.widths and tuple(round(w, 9) for w in b.widths) in undrawn:
            return dataclasses.replace(b, widths=())
        return b

    notes = tuple(dataclasses.replace(n, blocks=rewrite_blocks(n.blocks, fix)) for n in doc.notes)
    return dataclasses.replace(doc, blocks=rewrite_blocks(doc.blocks, fix), notes=notes)


def read_org(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """Org mode (``#+TITLE:``, ``#+AUTHOR:``, headings, lists, footnotes)."""
    ast = run_pandoc(_decode(data, name).encode("utf-8"), "org", name, options, diag)
    return to_ir(ast, options, diag, name, "org")


#: A remote resource an HTML page would load (a picture, a stylesheet, a script, a frame): a ``src`` or ``href`` of
#: any element but a link someone follows (``a``, ``area``), whose target is no resource and reads as the link it is.
_REMOTE = re.compile(rb"""<(?![aA]\b|[aA][rR][eE][aA]\b)[A-Za-z][\w:.-]*\b[^>]*?\s(?:xlink:)?(?:src|href)\s*=\s*["']?"""
                     rb"""((?:https?:|file:|//)[^"'\s>]+)""")


def _report_navs(navs: dict[str, int], diag: Diagnostics) -> None:
    """What :func:`.markup.strip_nav` did with the ``nav`` elements."""
    if navs.get("nav-dropped"):
        diag.emit("removed-furniture", f"{navs['nav-dropped']} navigation element(s) (<nav>) of the page around its "
                  "content left out (site navigation is not content)")
    if navs.get("nav-kept"):
        diag.emit("removed-furniture", f"{navs['nav-kept']} <nav> inside the content (<main>, <article>) kept as "
                  "part of the text")


def read_html(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """HTML (``section``/``h1``–``h6``, ``aside.box``, footnote links)."""
    declared = ENTITY.search(data)  # the whole file: a prolog may hold any amount before its DOCTYPE
    if declared:
        raise InputError("declares XML entities", file=name, offset=declared.start(),
                         expected="HTML without <!ENTITY declarations")
    for m in _REMOTE.finditer(data[:2_000_000]):
        diag.emit("external-resource-blocked", f"not fetched: {m.group(1).decode('utf-8', 'replace')}")
    text, found = html5_structure(implied_head(data.decode("utf-8", "replace")), xml=False)
    _report_html5(found, diag)
    navs: dict[str, int] = {}
    text = prepare_html(text, navs)
    _report_navs(navs, diag)
    ast = run_pandoc(text.encode("utf-8"), "html", name, options, diag)
    from ..captions import attach_captions
    return attach_captions(to_ir(ast, options, diag, name, "html"), diag)


def read_docx(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """Word: headings, footnotes and endnotes, docpipe's box and numbered-paragraph styles, tables, lists."""
    check_archive(data, name, options)
    from ..precheck import check_package_xml
    check_package_xml(data, name, options)  # a control character, 300-deep w:sdt, 10 MB text node: one line
    groups = word_box_groups(data)
    data = lift_text_boxes(data)  # pandoc drops a text box's paragraph, or the box (see word_boxes)
    ast = run_pandoc(data, "docx+styles", name, options, diag)
    doc = to_ir(ast, options, diag, name, "docx", archive=data)
    from ..word_media import recover
    doc = recover(doc, data, MediaTable(options, diag, name), diag)
    doc = apply_numbering(doc, data, diag)
    doc = with_core_title(doc, data, diag)
    doc = with_declared_language(doc, data, diag)
    return group_boxes(doc, groups, diag) if groups else doc


def read_odt(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """OpenDocument text."""
    check_archive(data, name, options)
    from ..precheck import check_package_xml
    check_package_xml(data, name, options)
    ast = run_pandoc(data, "odt", name, options, diag)
    doc = to_ir(ast, options, diag, name, "odt", archive=data)
    from .odf import odf_languages
    return with_declared_language(doc, data, diag, declared=odf_languages(data), package="OpenDocument file")


def read_epub(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """EPUB (docpipe's and others')."""
    check_archive(data, name, options)
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    found = Html5Counts()
    navs: dict[str, int] = {}
    opf_path = package_path(src)
    # read before the loop: writestr() below rewrites the ZipInfo it is given (a rewritten OPF's CRC)
    primary = package_language(src.read(opf_path)) if opf_path and opf_path in src.namelist() else None
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            member = src.read(info)
            if info.filename == opf_path:
                member, later = linear_spine(member, opf_path)
                if later:
                    diag.emit("spine-nonlinear", f"{len(later)} non-linear spine item(s) ({', '.join(later[:5])}"
                              f"{', …' if len(later) > 5 else ''}) read after the linear ones: they end the "
                              "document, where links reach them")
            elif info.filename.lower().endswith((".xhtml", ".html", ".htm")):
                text, counts = html5_structure(member.decode("utf-8", "replace"),
                                               xml=not info.filename.lower().endswith((".html", ".htm")))
                for key, value in vars(counts).items():
                    setattr(found, key, getattr(found, key) + value)
                member = prepare_html(text, navs).encode("utf-8")
            z.writestr(info, member, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype" else None)
    _report_html5(found, diag)
    _report_navs(navs, diag)
    ast = run_pandoc(out.getvalue(), "epub", name, options, diag)
    doc = to_ir(ast, options, diag, name, "epub", archive=data)
    if primary and doc.metadata.language != primary:
        doc = dataclasses.replace(doc, metadata=dataclasses.replace(doc.metadata, language=primary))
    return _one_cover(doc) if found.svg_pictures else doc


def _one_cover(doc: ir.Document) -> ir.Document:
    """pandoc puts the package's cover image first; a title page that frames the same picture in an SVG, read
    as that picture (:mod:`.html5`), would show it twice in a row: the second goes."""
    b = doc.blocks
    if (len(b) > 1 and isinstance(b[0], ir.Figure) and isinstance(b[1], ir.Figure) and not b[1].caption
            and [i.media for i in b[0].images] == [i.media for i in b[1].images]):
        return dataclasses.replace(doc, blocks=b[:1] + b[2:])
    return doc


def _report_html5(found: Html5Counts, diag: Diagnostics) -> None:
    """What :mod:`.html5` rewrote, as diagnostics (a notes section's own title is dropped: say so)."""
    if found.noterefs or found.notes:
        diag.emit("footnote-linked", f"{found.noterefs} EPUB/ARIA note call(s) and {found.notes} note body(ies) "
                  "read as notes")
    if found.note_headings:
        diag.emit("ignored-element", f"{found.note_headings} notes section heading(s) dropped: every output "
                  "titles its notes itself")
    if found.svg_pictures:
        diag.emit("raw-html-parsed", f"{found.svg_pictures} SVG frame(s) of one picture read as that picture")
    if found.hgroups or found.details or found.ruby or found.objects:
        diag.emit("raw-html-parsed", f"HTML5 structure read: {found.hgroups} hgroup, {found.details} "
                  f"details/summary, {found.ruby} ruby, {found.objects} object/embed picture(s)")
