"""Print-ready PDF with WeasyPrint, from the shared HTML and ``styles/print.css``.

What the print profile adds to the shared HTML: a table of contents whose entries get their page numbers
from ``target-counter``; footnote bodies moved to their calls and floated to the foot of the page
(``float: footnote``, the source's markers kept); the page geometry (``--page-size``, mirrored margins);
the edition's typefaces from ``fonts/fonts.toml``. Headings become the PDF outline, every ``id`` a named
destination (``para-N`` for every numbered paragraph). ``--pdf-variant pdf/a-3b`` attaches the TEI file when
it is written in the same run; ``pdf/ua-1`` tags the structure.

The renderer reads only from the document's folder, ``styles/`` and ``fonts/``: a URL fetcher refuses the
network and every other file, and each refusal is a diagnostic.
"""

from __future__ import annotations

import base64
import copy
import ctypes.util
import dataclasses
import datetime as dt
import functools
import io
import itertools
import logging
import math
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, assert_never
from urllib.parse import unquote
from xml.etree import ElementTree

from lxml import etree

from .. import ir
from ..cjk.chars import HAN
from ..diagnostics import Diagnostics
from ..errors import OutputError, UsageError
from ..fontsel import check_family, family_list, report_coverage, sans_counterpart
from ..guard import split_url
from ..options import Options
from ..resources import FONTS_DIR, STYLES_DIR
from ..walk import plain
from ..xmlops import detach as _detach
from . import weasy_fonts
from . import xhtml as H
from .divisions import BEFORE_CONTENTS, MADE_PAGES, NOT_IN_CONTENTS, contents_heading, divisions
from .footnote_keep import footnotes_kept
from .justify import inter_character, wide
from .line_swap import swap_lines
from .page import (
    BOTTOM_MM,
    TOP_MM,
    continued_label,
    division_label,
    han_gap,
    hanging_em,
    margins_mm,
    mark_pieces,
    page_mm,
    page_size,
    picture_height_pt,
    title_lines,
)
from .page import length_mm as _mm


@functools.cache
def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (libharfbuzz-subset0), ~25x faster on CJK."""
    load_weasyprint()
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None


def load_weasyprint() -> None:
    """Import WeasyPrint without its library search's subprocesses. Its ``text.ffi`` tries several names for each
    library it opens (``libgobject-2.0-0``, ``gobject-2.0-0``… before ``libgobject-2.0.so.0``), and cffi answers
    a name it cannot open directly with :func:`ctypes.util.find_library`, which on Linux runs ``ldconfig`` and then
    a compiler and a linker to look (about 50 processes, 0.12 s of CPU per fresh process). The names that load
    on Linux are the sonames, opened directly; so while it imports, every other name is simply not found. Should
    that leave a library unopened, the import is tried again with the search as it is. fontTools' subsetter and
    instancer are imported when first used (:func:`.weasy_fonts.deferred_fonttools`)."""
    import sys

    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint
        weasy_fonts.install()
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with weasy_fonts.deferred_fonttools():  # fontTools' subsetter, used only without HarfBuzz's
            import weasyprint
            import weasyprint.pdf.fonts
    except OSError:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search
    import weasyprint  # noqa: F401
    weasy_fonts.install()  # the font copies and the deflate level WeasyPrint need not pay for


def sandbox_fetcher(allowed: list[Path], diag: Diagnostics) -> Any:
    """A WeasyPrint URL fetcher serving ``file:`` URLs under ``allowed`` (and ``data:``) and nothing else."""
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class Sandbox(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = split_url(url) or split_url("about:blank")  # what urllib cannot split: nothing to fetch
            assert parsed is not None
            ok = parsed.scheme == "data"
            if parsed.scheme == "file" and parsed.netloc not in ("", "localhost"):
                ok = False  # urllib would look the host up (a DNS query) to decide whether it is local
            elif parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                ok = any(path == r or r in path.parents for r in roots) and path.is_file()
            if not ok:
                diag.emit("external-resource-blocked", f"not fetched: {url} (only the document's folder, "
                          "styles/ and fonts/ may be read)")
                raise ValueError(f"docpipe refuses to fetch {url}")
            return super().fetch(url, headers)

    return Sandbox(allowed_protocols=["file", "data"], allow_redirects=False)


def _footnotes_inline(root: etree._Element, doc: ir.Document, options: Options, diag: Diagnostics) -> None:
    """Move each note body to its call as ``span.footnote`` (CSS floats it to the page foot). A note called from
    inside another note (a CBETA witness note on a word of an inline note) keeps its marker there and follows
    that note at the foot (``span.footnote.in-note``: a footnote cannot float out of a footnote); a note never
    called stays in the notes section at the end."""
    notes = {n.id: n for n in doc.notes}
    ctx = H.Context(options, diag, "print", doc.metadata.language, lambda i: f"#{i}")
    placed: set[str] = set()
    endnotes = [sec for sec in root.iter("section") if sec.get("class") == "footnotes"]
    calls: list[tuple[etree._Element, etree._Element | None]] = [
        (a, None) for a in root.iter("a")
        if a.get("class") == "noteref" and not any(sec in a.iterancestors("section") for sec in endnotes)]
    last: dict[etree._Element, etree._Element] = {}  # a main-text footnote -> the last note placed after it
    for a, host in calls:  # grows while it is walked: the calls inside each note placed
        note_id = (a.get("href") or "").lstrip("#")
        sup = a.getparent()
        note = notes.get(note_id)
        if note is None or sup is None or note_id in placed:
            continue
        placed.add(note_id)
        span = etree.Element("span", {"class": "footnote", "id": note.id, "data-marker": note.marker})
        if note.lang and note.lang != doc.metadata.language:
            span.set("lang", note.lang)
        _note_body(span, note.blocks, ctx, note.lang or doc.metadata.language)
        if host is None:
            anchor = etree.Element("a", {"id": a.get("id") or f"fnref-{note_id}", "class": "fn-anchor",
                                         "data-note": note.id})
            span.tail = sup.tail
            parent = sup.getparent()
            assert parent is not None
            index = parent.index(sup)
            parent.remove(sup)
            anchor.tail = None
            parent.insert(index, anchor)
            parent.insert(index + 1, span)
            host = span
        else:  # its call stays a visible marker in the note; its body follows the notes placed with the host
            a.set("class", "fn-anchor")
            a.set("data-note", note.id)
            span.set("class", "footnote in-note")
            after = last.get(host, host)
            span.tail, after.tail = after.tail, None
            parent = after.getparent()
            assert parent is not None
            parent.insert(parent.index(after) + 1, span)
            last[host] = span
        calls.extend((inner, host) for inner in span.iter("a") if inner.get("class") == "noteref")
    for sec in endnotes:
        for el in list(sec):
            if el.get("id") in placed:
                sec.remove(el)
        parent = sec.getparent()
        if not len(sec) and parent is not None:
            parent.remove(sec)


def _note_body(span: etree._Element, blocks: Sequence[ir.Block], ctx: H.Context, lang: str | None,
               running: bool = False) -> bool:
    """A note's blocks into its footnote ``span``, nothing left out. Paragraphs run in with a line break between
    them (the marker stays on the first line); a generic container (a TEI ``note`` in a CBETA note) becomes a
    ``span`` keeping its classes and language; a heading is a run of its own; what has a shape of its own (a
    quotation, a list, a table, code) is its shared HTML block, laid out inside the floated footnote. ``running``:
    text precedes on the current line; returns the same after the blocks."""
    for b in blocks:
        match b:
            case ir.Para() | ir.Heading():
                if running:
                    etree.SubElement(span, "br")
                attrs = H._lang_attrs(b.lang, lang, ctx)
                if b.id:
                    attrs["id"] = b.id
                if isinstance(b, ir.Heading):
                    attrs["class"] = "note-heading"
                run = etree.SubElement(span, "span", attrs) if attrs else span
                H.inlines(run, b.children, ctx, b.lang or lang)
                running = True
            case ir.Div():
                attrs = H._lang_attrs(b.lang, lang, ctx)
                if b.classes:
                    attrs["class"] = " ".join(b.classes)
                if b.id:
                    attrs["id"] = b.id
                running = _note_body(etree.SubElement(span, "span", attrs), b.blocks, ctx, b.lang or lang, running)
            case ir.Box() | ir.ListBlock() | ir.BlockQuote() | ir.Table() | ir.Figure() | ir.CodeBlock():
                span.append(H.block(b, ctx, lang))
                running = False
            case _:
                assert_never(b)
    return running


def _toc(root: etree._Element, doc: ir.Document) -> None:
    """A contents page after the title page (a book's after the pages printed before its contents): chapters
    and sections with their page numbers."""
    body = root.find("body")
    assert body is not None
    heads = [b for b in doc.blocks if isinstance(b, ir.Heading) and b.level <= 2 and b.id
             and b.role not in NOT_IN_CONTENTS]
    if not heads or (len(heads) < 2 and not divisions(doc.blocks)):
        return  # a contents list of one line says nothing a reader does not see on the next page (as DOCX)
    nav = etree.Element("nav", {"class": "toc", "role": "doc-toc"})
    title = etree.SubElement(nav, "p", {"class": "toc-title"})
    title.text = contents_heading(doc.metadata.language)
    ol = etree.SubElement(nav, "ol")
    book = divisions(doc.blocks)
    front = {d.heading.id for d in book if d.place == "front"}
    for h in heads:
        li = etree.SubElement(ol, "li", {"class": f"toc-level{h.level}" + (" front" if h.id in front else "")})
        a = etree.SubElement(li, "a", {"href": f"#{h.id}"})
        label = division_label(h.role, h.label, h.lang or doc.metadata.language)
        a.text = (f"{label} " if label else "") + plain(h.children)
        # the page number in a box of its own, right-aligned: the leader before it ends at the same place on
        # every line, so its dots (set from the right edge) stand in columns
        etree.SubElement(li, "a", {"href": f"#{h.id}", "class": "toc-page"})
    after = next((d.heading.id for d in book if d.role not in BEFORE_CONTENTS), None) if book else None
    section = next((el.getparent() for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6")
                    if after and el.get("id") == after), None)
    if section is not None and section.getparent() is not None:
        section.addprevious(nav)  # a book's contents: after its half-title, title, copyright page, dedication
        return
    header = body.find("header")
    body.insert(body.index(header) + 1 if header is not None else 0, nav)


def _font_css(doc: ir.Document, options: Options, extra: Sequence[str] = (), lead: Sequence[str] = ()) -> str:
    """The edition's families; ``extra``: the faces the text's other scripts need, ``lead``: those of the
    script the text is mainly in when the edition's face lacks it (:func:`fontsel.coverage`)."""
    rules = []
    base = doc.metadata.language
    sans, sans_lead = [sans_counterpart(f) for f in extra], [sans_counterpart(f) for f in lead]
    # each family list ends with the fallback faces (fonts.toml [fallback]) and the faces of the text's other
    # scripts: with any @font-face in a stylesheet WeasyPrint stops asking fontconfig, and a character the
    # edition's face lacks would be a missing-glyph box
    serif_list = family_list(base, "serif", options.serif_font, extra, lead)
    rules.append(f"html {{ font-family: {serif_list}; }}")
    sans_list = family_list(base, "sans", None, sans, sans_lead)
    rules.append(f"h1, h2, h3, h4, h5, h6, .toc-title {{ font-family: {sans_list}; }}")
    # each language of the text's parts in its own faces: a Chinese paragraph of an English document in its
    # CJK family, an English part of a Chinese one in the Latin face, never one language's face for all
    for lang in sorted(_langs(doc) - {base or ""}):
        if not re.fullmatch(r"[A-Za-z0-9-]+", lang):
            continue
        sel = f'[lang="{lang}"]'
        override = options.serif_font if _same_family(lang, base) else None
        rules.append(f"{sel} {{ font-family: {family_list(lang, 'serif', override, extra)}; }}")
        heads = ", ".join([f"{sel} .box-title", *(f"{sel} h{i}, h{i}{sel}" for i in range(1, 7))])
        rules.append(f"{heads} {{ font-family: {family_list(lang, 'sans', extra=sans)}; }}")
    return "\n".join(rules)


def _langs(doc: ir.Document) -> set[str]:
    """Every language tag of the document's parts (blocks, notes, spans)."""
    from ..walk import iter_blocks, iter_inlines_all
    found = {n.lang for n in doc.notes if n.lang}
    for blocks in (doc.blocks, *(n.blocks for n in doc.notes), doc.metadata.rights):
        found |= {lang for b in iter_blocks(blocks) if (lang := getattr(b, "lang", None))}
    found |= {n.lang for n in iter_inlines_all(doc) if isinstance(n, ir.Span) and n.lang}
    return found


def _same_family(lang: str, base: str | None) -> bool:
    """Whether ``--font`` (the edition's serif face) also serves ``lang``: both Chinese, or neither."""
    return lang.startswith("zh") == (base or "").startswith("zh")


def _page_css(options: Options) -> str:
    size = page_size(options.page_size)
    inner, outer = margins_mm(options)
    page = f"size: {size}; margin-top: {TOP_MM}mm; margin-bottom: {BOTTOM_MM}mm;"
    bleed = options.bleed or ("3mm" if options.marks else None)
    if bleed:
        page += f" bleed: {_mm(bleed):.2f}mm;"
    if options.marks:
        page += " marks: crop cross;"
    # The title page is one page in every size: its blank space shrinks with the page's height (A4 keeps the
    # stylesheet's values), and the title with the page's width.
    width, height = page_mm(options.page_size)
    f = min(1.0, (height / 297.0) ** 2)
    title_pt = min(22.0, round(22.0 * width / 210.0, 1))
    return (f"@page {{ {page} }}\n"
            f"@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm; }}\n"
            f"@page :right {{ margin-left: {inner}mm; margin-right: {outer}mm; }}\n"
            f"header.titlepage {{ padding-top: {45 * f:.1f}mm; }}\n"
            f"header.titlepage .symbol {{ margin-bottom: {30 * f:.1f}mm; }}\n"
            f"header.titlepage .title {{ font-size: {title_pt}pt; margin-bottom: {14 * f:.1f}mm; }}\n"
            f"header.titlepage .author {{ margin-top: {14 * f:.1f}mm; }}\n"
            f"header.titlepage .edition-note {{ margin-top: {30 * f:.1f}mm; }}\n"
            f"figure.figure img {{ max-height: {picture_height_pt(options):.1f}pt; width: auto; }}\n")


def _balance_title(root: etree._Element, doc: ir.Document, options: Options, diag: Diagnostics) -> None:
    """Break the title page's title at phrase boundaries, balanced, with explicit line breaks."""
    title = doc.metadata.title
    el = next((e for e in root.iter("h1") if e.get("class") == "title"), None)
    if not title or el is None:
        return
    width, _ = page_mm(options.page_size)
    inner, outer = margins_mm(options)
    measure_pt = (width - inner - outer) * 72 / 25.4
    font_pt = min(22.0, round(22.0 * width / 210.0, 1))
    lines = title_lines(title, font_pt, measure_pt - 1)
    if len(lines) < 2:
        return
    for child in list(el):
        el.remove(child)
    el.text = None
    ctx = H.Context(options, diag, "print", doc.metadata.language, lambda i: f"#{i}")
    for i, line in enumerate(lines):
        if i:
            etree.SubElement(el, "br")
        holder = etree.Element("span")
        H._text(holder, line, ctx)
        if i == 0:
            el.text = holder.text
        else:
            el[-1].tail = holder.text
        for child in list(holder):
            el.append(child)


_CJK_IN_TEX = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff01-\uff60\U00020000-\U0003ffff]")


def _cjk_math(root: etree._Element, doc: ir.Document, options: Options) -> None:
    """Equations holding Han (如果/否则 in a ``cases``) drawn again with it in the edition's face."""
    from ..mathrender import svg
    for img in root.iter("img"):
        tex = img.get("alt") or ""
        if "math" not in (img.get("class") or "").split() or not _CJK_IN_TEX.search(tex):
            continue
        lang = next((a.get("lang") for a in img.iterancestors() if a.get("lang")), doc.metadata.language)
        made = svg(tex, "display" in (img.get("class") or ""), 10.5, family_list(lang, "serif", options.serif_font))
        if made is None:
            continue
        data, width, height, depth = made
        img.set("src", "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii"))
        img.set("style", f"width: {width:.2f}pt; height: {height:.2f}pt; vertical-align: -{depth:.2f}pt")


def _math_gaps(root: etree._Element) -> None:
    """A quarter em between Han and an inline equation (``gl``/``gr``, as ``span.latin``; clreq 3.2.1), none
    before a mark such as 。."""
    for img in root.iter("img"):
        classes = (img.get("class") or "").split()
        if "math" not in classes or "display" in classes:
            continue
        prev = img.getprevious()
        parent = img.getparent()
        before = (prev.tail if prev is not None else parent.text if parent is not None else None) or ""
        if han_gap(before[-1:]):
            classes.append("gl")
        if han_gap((img.tail or "")[:1]):
            classes.append("gr")
        img.set("class", " ".join(classes))


def running(text: str) -> str:
    """``text`` for a running head: the quarter-em Han–Latin gap the body makes with margins (clreq 3.2.1) made
    with a four-per-em space (U+2005), so ``（2024 年）`` reads alike on the title page and in the heads."""
    text = re.sub(r"\s+", " ", text).strip()
    return _HAN_LATIN.sub("\u2005", text)


_HAN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_HAN_LATIN = re.compile(f"(?<=[{_HAN}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_HAN}])")


def _book(root: etree._Element, doc: ir.Document) -> str | None:
    """Mark a book's divisions for print.css (``div-made``, ``div-front``, ``div-body``, ``div-back``,
    ``div-start`` on the first of the body), their running heads and appendix labels (``附录 A``); the id of
    the heading where the body's arabic folios start, or None when the document is no book."""
    book = divisions(doc.blocks)
    body = root.find("body")
    if not book or body is None:
        return None
    body.set("class", " ".join([*(body.get("class") or "").split(), "book"]))
    body.set("data-doctitle", running(doc.metadata.title or ""))
    start = next((d for d in book if d.place != "front"), None)
    # the sections of the top-level headings that open divisions, in order, are the divisions in order
    opened = [sec for sec in root.iter("section") if len(sec) and isinstance(sec[0].tag, str)
              and re.fullmatch(r"h[1-6]", sec[0].tag) and set((sec.get("class") or "").split()) & set(ir.DIVISIONS)]
    anchor = None
    for d, sec in zip(book, opened, strict=False):
        head = sec[0]
        kind = "made" if d.role in MADE_PAGES else d.place
        classes = [*(sec.get("class") or "").split(), f"div-{kind}"] + (["div-start"] if d is start else []) + \
            (["div-unlisted"] if d.role in NOT_IN_CONTENTS else [])
        sec.set("class", " ".join(classes))
        label = head.find("span")
        if d.role == "appendix" and label is not None and label.get("class") == "label" and label.text:
            label.text = division_label(d.role, label.text, d.heading.lang or doc.metadata.language)
        if kind != "made":
            head.set("data-running", running(heading_text(head)))
        if d is start:
            if not head.get("id"):
                head.set("id", "docpipe-body-start")  # where the arabic folios start (the PDF's page labels)
            anchor = head.get("id")
    return anchor


def _page_labels(start: str | None) -> Any:
    """A finisher for ``write_pdf`` that writes the PDF's page labels (``/PageLabels``: i, ii… for the front
    matter, then 1, 2… from the page holding ``start``), as the folios print them, so a reader shows them."""
    def finish(document: Any, pdf: Any) -> None:
        import pydyf  # type: ignore[import-untyped]

        first = next((n for n, page in enumerate(document.pages) if start in page.anchors), None)
        nums: list[Any] = []
        if first:
            nums += [0, pydyf.Dictionary({"S": "/r"})]
        nums += [first or 0, pydyf.Dictionary({"S": "/D"})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(nums)})
    return finish


def _finisher(start: str | None) -> Any:
    """The finisher for ``write_pdf``: the page labels of a book (:func:`_page_labels`), and each stream written
    once. With an identifier (docpipe always gives one: the same input, the same file), pydyf serialises every
    object twice, once to write it and once more to hash the file for the second ``/ID`` — compressing every
    stream, the font subsets among them, a second time at zlib's level 9 (0.1 s of the sample's 2.5). Each stream
    keeps the bytes it made the first time; the file is byte for byte what it was."""
    labels = _page_labels(start) if start else None

    def finish(document: Any, pdf: Any) -> None:
        if labels is not None:
            labels(document, pdf)
        once = _once_stream()
        for obj in pdf.objects:
            if type(obj) is once.__base__:
                obj.__class__ = once
    return finish


@functools.cache
def _once_stream() -> Any:
    """pydyf's ``Stream`` whose bytes are made once (what it holds no longer changes when the PDF is written)."""
    import pydyf

    class OnceStream(pydyf.Stream):  # type: ignore[misc]
        @property
        def data(self) -> bytes:
            made: bytes | None = self.__dict__.get("_made")
            if made is None:
                made = self._made = pydyf.Stream.data.fget(self)
            return made
    return OnceStream


def _running_strings(root: etree._Element) -> None:
    """The running heads' strings from ``data-running`` (print.css: ``string-set: … attr(data-running)``)."""
    for el in root.iter("h1"):
        parent = el.getparent()
        classes = (parent.get("class") or "").split() if parent is not None else []
        if el.get("class") == "title" or ("level1" in classes and "div-made" not in classes):
            el.set("data-running", running(heading_text(el)))


def heading_text(el: etree._Element) -> str:
    """The text of a heading on one line: a line break the title page put in (:func:`_balance_title`) is the
    space it replaced, except between two CJK characters, where there was none ("Тита Аврелия<br/>Кальпурниана"
    ran together in the running heads)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "br":
                parts.append("\0")
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    text = "".join(parts)
    out = []
    for i, ch in enumerate(text):
        if ch == "\0":
            before, after = text[:i].rstrip("\0")[-1:], text[i + 1:].lstrip("\0")[:1]
            if not (before and after and wide(before) and wide(after)):
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


#: Quotation marks and apostrophes of Latin text: Noto CJK sets them full width unless asked for its
#: proportional (Latin) forms with ``pwid``.
_QUOTES = "‘’“”"
_LATIN_QUOTE = re.compile(r"(?<=[A-Za-z0-9.,!?;:)\]])[’”]|[‘“](?=[A-Za-z0-9(\[])|(?<=[A-Za-z])’(?=[A-Za-z])")


def _split(pattern: re.Pattern[str], text: str, cls: str, group: int = 0) -> list[tuple[str, str | None]]:
    """``text`` in pieces: each match of ``pattern`` (its ``group``) with the class ``cls``, the text between
    with None."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], None))
        out.append((m.group(group), cls))
        pos = m.start() + len(m.group(group))
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def _spans(parts: list[tuple[str, str | None]]) -> tuple[str, list[etree._Element]]:
    """The text before the first classed piece, and a ``span`` of its class for each classed piece (the text
    after it as its tail)."""
    lead = ""
    made: list[etree._Element] = []
    for piece, cls in parts:
        if cls is not None:
            span = etree.Element("span", {"class": cls})
            span.text = piece
            made.append(span)
        elif made:
            made[-1].tail = (made[-1].tail or "") + piece
        else:
            lead += piece
    return lead, made


def _put(el: etree._Element, kind: str, lead: str, made: list[etree._Element]) -> None:
    """``el``'s text (or tail) replaced by ``lead`` and the spans ``made`` after it, in order (each placed right
    after the previous one: addnext is O(1), inserting by index O(n), which made long runs quadratic)."""
    if kind == "text":
        el.text = lead
        if made:
            el.insert(0, made[0])
    else:
        el.tail = lead
        if made:
            el.addnext(made[0])
    for x, y in itertools.pairwise(made):
        x.addnext(y)


#: clreq 3.1 / GB/T 15834 间隔号: the middle dot between the parts of a name (安東尼奧·古特雷斯) takes a full-width
#: cell in Chinese text, as Noto Sans CJK sets it; Noto Serif CJK's default form is Latin-narrow (0.33 em), so the
#: same name was set two ways in one book (headings and cover wide, body and title page narrow): ``fwid`` on
#: each one :data:`pipeline.writers.xhtml.INTERPUNCT` finds.


def _interpuncts(root: etree._Element) -> int:
    """Wrap each middle dot between two Han characters in ``span.interpunct`` (full width)."""
    return _wrap_matches(root, H.INTERPUNCT, "interpunct", "\u00b7")


def _latin_quotes(root: etree._Element) -> int:
    """Wrap the quotation marks and apostrophes that belong to Latin text in ``span.latin-quote``."""
    return _wrap_matches(root, _LATIN_QUOTE, "latin-quote", _QUOTES, skip="latin")


def _wrap_matches(root: etree._Element, pattern: re.Pattern[str], cls: str, chars: str, skip: str = "") -> int:
    """Wrap each match of ``pattern`` in the text of ``root`` (a text holding one of ``chars``) in a ``span`` of
    class ``cls``, except inside an element of class ``skip``; returns how many."""
    count = 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("style", "head", "title", "meta", "script"):
            continue
        if skip and skip in (el.get("class") or "").split():
            continue  # span.latin has pwid on already
        for kind in ("text", "tail"):
            value = el.text if kind == "text" else el.tail
            if not value or not any(q in value for q in chars) or not pattern.search(value):
                continue
            if kind == "tail" and el.getparent() is None:
                continue
            lead, made = _spans(_split(pattern, value, cls))
            count += len(made)
            _put(el, kind, lead, made)
    return count


#: clreq 3.1.6: where two full-width marks meet, the first is set half width (OpenType ``halt``), so "）。"
#: or "，「" do not leave a full em of blank. Debian's Noto CJK 2.001 has ``halt`` but not ``chws``.
_PUNCT_PAIR = re.compile("([，。、；：！？」』）》〉】])(?=[，。、；：！？「『（《〈【」』）》〉】])")


def _compress_punctuation(root: etree._Element) -> int:
    """Wrap the first mark of each adjacent pair in ``span.halt``; returns how many."""
    count = 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("style", "head", "title", "meta", "script"):
            continue
        for kind in ("text", "tail"):
            value = el.text if kind == "text" else el.tail
            if not value or not _PUNCT_PAIR.search(value) or (kind == "tail" and el.getparent() is None):
                continue
            lead, made = _spans(_split(_PUNCT_PAIR, value, "halt", 1))
            count += len(made)
            _put(el, kind, lead, made)
    # pairs split across elements (a book title's closing mark, then the text after the <cite>)
    slots: list[tuple[etree._Element, str]] = []

    def collect(el: etree._Element) -> None:
        if el.tag in ("style", "head"):
            return
        slots.append((el, "text"))
        for child in el:
            if isinstance(child.tag, str):
                collect(child)
        slots.append((el, "tail"))

    collect(root)
    values = [(el, kind, (el.text if kind == "text" else el.tail) or "") for el, kind in slots]
    filled = [v for v in values if v[2]]
    for (el, kind, text), (_, _, following) in itertools.pairwise(filled):
        if text[-1] in CLOSING_MARKS and following[0] in ALL_MARKS and not (
                el.tag == "span" and el.get("class") == "halt" and kind == "text"):
            mark = etree.Element("span", {"class": "halt"})
            mark.text = text[-1]
            count += 1
            if kind == "text":
                el.text = text[:-1]
                el.insert(0, mark) if not len(el) else el[0].addprevious(mark)
            else:
                el.tail = text[:-1]
                el.addnext(mark)
    return count


CLOSING_MARKS = set("，。、；：！？」』）》〉】")
ALL_MARKS = CLOSING_MARKS | set("「『（《〈【")


#: Text set as it stands: no span is made inside these.
_VERBATIM = ("style", "head", "title", "meta", "script", "code", "pre", "kbd", "samp")


def _marks(root: etree._Element) -> None:
    """A run of dashes or ellipses in ``span.nobreak`` (never broken at a line end); a check box in
    ``span.checkbox`` (a quarter em before its text), the spaces the source left after it dropped (page.py
    ``mark_pieces``)."""
    def verbatim(el: etree._Element) -> bool:
        return el.tag in _VERBATIM or any(a.tag in _VERBATIM for a in el.iterancestors())

    classes = {None: None, "run": "nobreak", "checkbox": "checkbox"}
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        for kind in ("text", "tail"):
            value = el.text if kind == "text" else el.tail
            holder = el if kind == "text" else parent
            if not value or holder is None or verbatim(holder):
                continue
            parts = mark_pieces(value)
            if len(parts) == 1 and parts[0][1] is None:
                continue
            _put(el, kind, *_spans([(piece, classes[k]) for piece, k in parts]))


#: What carries an emphasis dot (Han) and what is set italic instead (Latin letters and digits) in emphasis in
#: Chinese text; punctuation and spaces carry neither (clreq 3.5.1, as CSS ``text-emphasis``).
_DOTTED = re.compile(f"(?P<han>{HAN.pattern})|(?P<latin>[A-Za-z0-9]+)")


def _emphasis_dots(root: etree._Element) -> None:
    """Emphasis in Chinese text as a dot under each Han character (着重号, clreq 3.5.1; WeasyPrint has no
    ``text-emphasis``): each in ``span.dot``, whose background draws it; Latin letters and digits in
    ``span.em-latin`` (italic)."""
    def zh(el: etree._Element) -> bool:
        lang = next((a.get("lang") for a in (el, *el.iterancestors()) if a.get("lang") is not None), None)
        return (lang or "").startswith("zh")

    def pieces(text: str) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        pos = 0
        for m in _DOTTED.finditer(text):
            out += [(text[pos:m.start()], None), (m.group(), "dot" if m.group("han") else "em-latin")]
            pos = m.end()
        return [*out, (text[pos:], None)]

    for em in list(root.iter("em")):
        if not zh(em):
            continue
        for el in list(em.iter()):
            if el.get("class") in ("dot", "em-latin") or el.tag in _VERBATIM:
                continue
            if el.text:
                _put(el, "text", *_spans(pieces(el.text)))
            if el is not em and el.tail:
                _put(el, "tail", *_spans(pieces(el.tail)))


def _hanging_lists(root: etree._Element) -> None:
    """Lists with the source's own labels (（一）, (a)) on a hanging indent: each label in a box as wide as the
    widest label and its gap, the item's wrapped lines aligned with its text, not with the label."""
    for lst in root.iter("ol", "ul"):
        if "labelled" not in (lst.get("class") or "").split():
            continue
        items = [li for li in lst if li.tag == "li"]
        width = hanging_em([li.get("data-label") or "" for li in items])
        for li in items:
            first = li[0] if len(li) else None
            if first is None or first.tag != "p" or not len(first) or first[0].get("class") != "item-label":
                continue  # a label standing alone before a table or a list keeps its own line
            label = first[0]
            label.tail = (label.tail or "").lstrip(" \u3000")
            label.set("style", f"width: {width}em")
            li.set("style", f"padding-left: {width}em")
            first.set("style", f"text-indent: -{width}em")


def _list_starts(root: etree._Element) -> None:
    """A numbered list that starts past 1 (``<ol start="18">``, the second passage of an apparatus) counts from
    there: WeasyPrint does not read ``@start``, so its counter is set where the list begins."""
    for ol in root.iter("ol"):
        start = ol.get("start") or ""
        if start.lstrip("-").isdigit():
            style = ol.get("style")
            ol.set("style", (f"{style}; " if style else "") + f"counter-reset: list-item {int(start) - 1}")


def _byline(root: etree._Element, doc: ir.Document) -> None:
    """No title page without a title or a symbol: the author, date and publisher are a byline heading the first
    page (the contents', else the first chapter's opening), as in DOCX; a page holding only an author is no
    title page."""
    m = doc.metadata
    body = root.find("body")
    header = body.find("header") if body is not None else None
    if m.title or m.symbol or header is None or header.get("class") != "titlepage":
        return
    header.set("class", "byline")
    after = header.getnext()
    if after is not None and after.tag == "nav":
        after.insert(0, header)  # on the contents page (a change of named page would force a page break)
    elif after is not None and after.tag == "main" and len(after) and after[0].tag == "section" \
            and "level1" in (after[0].get("class") or "").split():
        after[0].insert(0, header)  # above the first chapter's heading, on its opening page


def build_html(doc: ir.Document, options: Options, diag: Diagnostics) -> etree._Element:
    """The print HTML tree (exposed for tests and for looking at what the renderer gets)."""
    root = H.render_document(doc, options, diag, profile="print")
    for header in root.iter("header"):
        parent = header.getparent()
        if header.get("class") == "titlepage" and not len(header) and parent is not None:
            # no title, symbol or author: no title page (it would print as a blank first page)
            parent.remove(header)
            break
    _footnotes_inline(root, doc, options, diag)
    body_start = _book(root, doc)
    if body_start is not None:
        root.set("data-body-start", body_start)
    _toc(root, doc)
    _byline(root, doc)
    _balance_title(root, doc, options, diag)
    _running_strings(root)
    _cjk_math(root, doc, options)
    _math_gaps(root)
    _latin_quotes(root)
    _interpuncts(root)
    _marks(root)
    _emphasis_dots(root)
    _hanging_lists(root)
    _list_starts(root)
    compressed = _compress_punctuation(root)
    if compressed:
        diag.emit("writer-note", f"{compressed} adjacent punctuation pair(s) compressed (half-width first mark)")
    head = root.find("head")
    assert head is not None
    stamp = _stamp(doc, options)
    if stamp is not None:
        etree.SubElement(head, "meta", {"name": "dcterms.created", "content": stamp})
        if head.find("meta[@name='dcterms.modified']") is None:
            etree.SubElement(head, "meta", {"name": "dcterms.modified", "content": stamp})
    m = doc.metadata
    if m.symbol or m.session:
        etree.SubElement(head, "meta", {"name": "keywords", "content": ", ".join(x for x in (m.symbol, m.session)
                                                                               if x)})
    _collapse_spaces(root)
    _spaces_into_text(root)
    return root


_SPACES = re.compile(r"[ \t\n\r\f]{2,}|[\t\n\r\f]")
#: A run of Latin characters with no place to break a line: no space, no mark that joins what follows.
_UNBREAKABLE = re.compile(r"[!-~\u00a1-\u024f]{200,}")


def _collapse_spaces(root: etree._Element) -> None:
    """Runs of the source's white space (a TEI file's line ends and indentation) as one space, outside ``pre``
    and code, as the renderer shows them anyway: WeasyPrint 70 stops with an assertion on a line broken inside
    ``' \\n'`` next to an inline box (TEI Stylesheets' own test file). And a run of 200 or more Latin characters
    with nowhere to break (a base64 blob, a long URL or identifier) gets a zero-width space between its
    characters, so that it breaks anywhere, as ``overflow-wrap: break-word`` breaks it: WeasyPrint finds where a
    word it must break overflows by laying out the whole rest of the text again for each line, quadratic in the
    run (8 000 letters 1.3 s, 16 000 over 3 s). The zero-width spaces draw no glyph and are not in the PDF's
    text."""
    verbatim = {id(el) for v in root.iter(*_VERBATIM) for el in v.iter()}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text and id(el) not in verbatim:
            el.text = _breakable(_SPACES.sub(" ", el.text))
        parent = el.getparent()
        if el.tail and (parent is None or id(parent) not in verbatim):
            el.tail = _breakable(_SPACES.sub(" ", el.tail))


#: Inline elements a space between two of them may move into (not a footnote, a picture or a block).
_INLINE = frozenset({"span", "a", "em", "strong", "i", "b", "bdi", "bdo", "q", "cite", "small", "abbr", "dfn", "mark",
                     "s", "u", "sub", "sup", "var"})


def _first_text(el: etree._Element, steps: int = 32) -> tuple[etree._Element, str] | None:
    """Where the first text of the inline element ``el`` (or after it, past empty inline elements such as a
    milestone's marker) stands: ``(element, "text" | "tail")``; None when a footnote, a block or nothing comes
    first (looking ``steps`` places at most)."""
    cur: etree._Element | None = el
    while cur is not None and steps > 0:
        if not isinstance(cur.tag, str) or cur.tag not in _INLINE or "footnote" in (cur.get("class") or ""):
            return None
        for node in cur.iter():
            steps -= 1
            if steps <= 0:
                return None
            if node is not cur and (not isinstance(node.tag, str) or node.tag not in _INLINE
                                    or "footnote" in (node.get("class") or "")):
                return None
            if node.text:
                return node, "text"
            if node is not cur and node.tail:
                return node, "tail"
        if cur.tail:
            return cur, "tail"
        cur = cur.getnext()
    return None


def _spaces_into_text(root: etree._Element) -> None:
    """A space standing alone between two inline elements (an EpiDoc edition's ``<w>καὶ</w> <w>τοὺς</w>``:
    ``<span>καὶ</span> <span>τοὺς</span>``) moved to the start of the text after it (``<span> τοὺς</span>``):
    WeasyPrint draws no glyph for a text box of white space alone, so the PDF's text layer ran the two words
    together ("καὶτοὺς") although the page shows the gap; in a box with the word it is drawn, and extracted."""
    verbatim = {id(el) for v in root.iter(*_VERBATIM) for el in v.iter()}
    for el in root.iter(*_INLINE):
        tail = el.tail
        if not tail or tail.strip() or id(el) in verbatim:
            continue
        nxt = el.getnext()
        if nxt is None:
            continue
        found = _first_text(nxt)
        if found is None:
            continue
        node, slot = found
        text = (node.text if slot == "text" else node.tail) or ""
        if not text[:1].isspace():
            text = " " + text
        if slot == "text":
            node.text = text
        else:
            node.tail = text
        el.tail = None


def _breakable(text: str) -> str:
    return _UNBREAKABLE.sub(lambda m: "\u200b".join(m.group()), text) if len(text) >= 200 else text


def _stamp(doc: ir.Document, options: Options) -> str | None:
    """The PDF's dates: ``SOURCE_DATE_EPOCH``, else the document's own date (never the clock: PDF/X and
    PDF/A would otherwise take the time of the run)."""
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if doc.metadata.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.metadata.date):
        return f"{doc.metadata.date}T00:00:00Z"
    return None


def house_css(options: Options) -> Path | None:
    """The ``--css`` file, checked (a UsageError when it cannot be read)."""
    if not options.css:
        return None
    path = Path(options.css).expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"--css {options.css}: no such file", expected="a CSS file")
    return path


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """PDF for ``doc``."""
    if options.vertical:
        raise UsageError("--vertical is not available for PDF: WeasyPrint has no vertical writing mode "
                         "(writing-mode: vertical-rl)", expected="--vertical with --to epub only")
    check_family(options.serif_font, doc.metadata.language)
    from ..core import complex_script
    if (letter := complex_script(doc)) is not None:
        diag.emit("writer-note", f"text in a script WeasyPrint's PDF does not keep in order (U+{ord(letter):04X} "
                  f"{letter}): copying or searching it may not find its words; --pdf-engine typst keeps them "
                  "(and is what auto picks)")
    from ..walk import iter_inlines_all
    cov = report_coverage("".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text)),
                          doc.metadata.language, diag, override=options.serif_font)
    house = house_css(options)
    try:
        load_weasyprint()
        from weasyprint import CSS, Attachment
    except (ImportError, OSError) as exc:
        raise OutputError(f"WeasyPrint cannot start ({exc}); run `make install`") from exc
    if not harfbuzz_subset_available():
        diag.emit("missing-tool", "libharfbuzz-subset0 is not installed: fonts are subset with fontTools, "
                  "about 25 times slower on CJK fonts (make install installs it)")
    root = build_html(doc, options, diag)
    base_dir = Path(options.base_dir or ".").resolve()
    fetcher = sandbox_fetcher([base_dir, STYLES_DIR, FONTS_DIR, *([house.parent] if house else [])], diag)
    messages = _WeasyPrintMessages(diag)
    try:
        with messages.ours():  # what WeasyPrint says of our own stylesheets is ours to fix, not the user's
            font_config, print_css = _warm(fresh=house is not None)
            lead = [f.family for f in cov.leading()]
            own = _page_css(options) + _font_css(doc, options,
                                                 [f.family for f in cov.faces() if f.family not in lead], lead)
            stylesheets = [print_css, CSS(string=own, url_fetcher=fetcher, font_config=font_config)]
        if house is not None:  # after ours, so the house rules win at equal specificity; its mistakes are reported
            stylesheets.append(CSS(filename=str(house), url_fetcher=fetcher, font_config=font_config))
        kwargs: dict[str, Any] = {"stylesheets": stylesheets, "pdf_identifier": _identifier(doc, options)}
        if options.pdf_variant:
            kwargs["pdf_variant"] = options.pdf_variant
        if options.pdf_variant in ("pdf/ua-1", "pdf/a-3a"):
            kwargs["pdf_tags"] = True
        if options.attachments:
            import datetime as _dt

            from ..fileio import date_epoch
            epoch = options.source_date_epoch
            if epoch is None:  # the document's own date; never the clock (rebuilds are byte-identical)
                epoch = date_epoch(doc.metadata.date) or 946684800
            stamp = _dt.datetime.fromtimestamp(epoch, _dt.UTC)
            kwargs["attachments"] = [Attachment(string=data, name=name, description="TEI P5 edition",
                                                relationship="Source", created=stamp, modified=stamp)
                                     for name, data in options.attachments]
        keys = _key_blocks(root)
        html = weasy_html(root, base_dir.as_uri() + "/", fetcher)
        out = io.BytesIO()
        # drawing lays the justified text out again; no footnote body left undrawn at a page break
        with inter_character(), footnotes_kept():
            # proofing passes: what a typesetter mends after seeing the pages (a box too tall to keep whole, a
            # single character alone on a paragraph's last line) is mended and the document laid out again
            quiet = sandbox_fetcher([base_dir, STYLES_DIR, FONTS_DIR, *([house.parent] if house else [])],
                                    Diagnostics())
            # the first layout handed over, not kept here: each layout is freed before the next is made
            rendered, report = _proofread(html.render(font_config=font_config, **kwargs), root, keys, doc,
                                          base_dir.as_uri() + "/", quiet,
                                          lambda html: html.render(font_config=font_config, **kwargs),
                                          swappable=not kwargs.get("pdf_tags"))
            for where in report.runts:
                diag.emit("writer-note", f"a paragraph ends with one character alone on its last line "
                          f"({where[1]!r}) that tracking could not pull back")
            calls = _note_calls(root)
            for anchor in sorted(_notes_off_their_page(rendered, calls)):
                diag.emit("writer-note", f"the footnote called in {anchor} is not on the page of its call")
            for call, note_id in sorted(_notes_not_drawn(rendered, calls).items()):
                diag.emit("writer-dropped", f"the body of note {note_id} (called at {call}) is on no page of "
                          "the PDF: the renderer did not place it")
            for note_id in sorted(report.long_notes):
                diag.emit("writer-dropped", f"note {note_id} is taller than the foot of a page: its beginning is "
                          "cut off")
            for el in root.iter("aside"):
                if el.get("class") == "endnote":
                    diag.emit("writer-note", f"note {el.get('data-marker')} is too tall for the foot of a page: "
                              "printed with the notes after the text")
            if options.pdf_variant == "pdf/x-4":
                # the printer's CMYK profile when the house CSS declares one (@color-profile device-cmyk),
                # else WeasyPrint's sRGB: either way an output intent of type GTS_PDFX
                kwargs["output_intent"] = "device-cmyk" if "device-cmyk" in rendered.color_profiles else "srgb"
            start = root.get("data-body-start")
            rendered.write_pdf(out, finisher=_finisher(start), **kwargs)
    except (UsageError, OutputError):
        raise
    except Exception as exc:
        raise OutputError(f"WeasyPrint failed: {type(exc).__name__}: {exc}") from exc
    finally:
        messages.close()
    return out.getvalue()


def _proofread(rendered: Any, root: etree._Element, keys: dict[int, etree._Element], doc: ir.Document,
               base_url: str, fetcher: Any, render: Any, *, swappable: bool) -> tuple[Any, LayoutReport]:
    """The proofing passes: what a typesetter mends after seeing the pages (a box too tall to keep whole, a
    single character alone on a paragraph's last line) is mended, and the document laid out again — or, when the
    only mends kept every paragraph's lines and ``swappable`` (an untagged PDF), the tried lines put in place.
    ``render``: WeasyPrint's ``HTML`` -> its laid-out document. Returns the last layout and what it shows."""
    report = layout_report(rendered)
    for attempt in range(_PASSES):
        tracking: dict[int, float | None] = {}
        picks: dict[int, int] | None = None
        if attempt == 0 and report.runts:
            # the tracking that mends each 孤字, tried on copies of those paragraphs alone (line breaks do not
            # depend on the page), so one more layout of the whole document mends them all
            tried = render(_trial_document(root, keys, report, base_url, fetcher, _LOOSER))
            tracking = _tracking_from_trial(tried, report, _LOOSER)
            unmended = {key for key, found in tracking.items() if found is None}
            if unmended:  # the tighter trackings, tried only where no looser one mended the paragraph
                tighter = range(len(_LOOSER), len(_TRACKING))
                later = _tracking_from_trial(render(_trial_document(root, keys, report, base_url, fetcher, tighter,
                                                                    unmended)), report, tighter)
                tracking.update({key: found for key, found in later.items() if key in unmended})
            picks = _loose_picks(report, keys, tracking) if swappable else None
        if not _mend(report, keys, doc, attempt, tracking, root=root):
            break
        if picks is not None and swap_lines(rendered, tried, picks):
            # every mend kept its paragraph's lines, so no page changed: what the layout shows now is what it
            # showed, less the 孤字 the tried lines mend (no second layout, and no second reading of the pages)
            report = dataclasses.replace(report, runts=[r for r in report.runts if r[0] not in picks])
            continue
        del rendered  # freed before the next layout is made (a long book's pages hold a gigabyte)
        rendered = render(weasy_html(root, base_url, fetcher))
        report = layout_report(rendered)
    return rendered, report


class _WeasyPrintMessages(logging.Handler):
    """WeasyPrint's own warnings while we use it, as ``tool-warning`` diagnostics (each once) instead of lines on
    the terminal; those said inside :meth:`ours` (parsing docpipe's own stylesheets) are dropped."""

    def __init__(self, diag: Diagnostics) -> None:
        super().__init__(logging.WARNING)
        self.diag = diag
        self.seen: dict[str, None] = {}
        self.dropping = False
        self.logger = logging.getLogger("weasyprint")
        self.propagate = self.logger.propagate
        self.logger.addHandler(self)
        self.logger.propagate = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.dropping:
            return
        try:
            message = record.getMessage()
        except Exception:  # a message that cannot be formatted is not worth a failed conversion
            message = str(record.msg)
        self.seen[" ".join(message.split())[:300]] = None

    @contextmanager
    def ours(self) -> Iterator[None]:
        self.dropping = True
        try:
            yield
        finally:
            self.dropping = False

    def close(self) -> None:
        self.logger.removeHandler(self)
        self.logger.propagate = self.propagate
        for message in self.seen:
            self.diag.emit("tool-warning", f"WeasyPrint: {message}")
        self.seen.clear()
        super().close()


# --------------------------------------------------------------------------- proofing passes

#: How many times the document may be laid out again to mend what a pass found.
_PASSES = 3
#: Closing marks and other signs that may follow the last character of a paragraph on its last line.
_TRAILING = set("，。、；：！？」』）》〉】”’…—.,;:!?)]\u3000 ")
#: Tracking tried, in order, on a paragraph whose last line holds one character: how many ems the paragraph's
#: lines together gain (looser first: the line before gives a character to the last one, and the paragraph
#: keeps its number of lines, so nothing after it moves) or lose (tighter: the character and its stop pulled
#: back onto the line before, the paragraph a line shorter); spread over its characters, at most
#: :data:`_MAX_TRACKING` em each.
_TRACKING = (1.6, 3.2, -2.6)
#: The attempts tried first, in one layout: the looser ones (the tighter are tried in a second layout, for the
#: paragraphs they leave unmended, which is rare: 0 of the sample's 7).
_LOOSER = range(2)
_MAX_TRACKING = 0.06


@dataclasses.dataclass
class LayoutReport:
    """What a laid-out document shows that a typesetter would mend."""

    runts: list[tuple[int, str, int]] = dataclasses.field(default_factory=list)
    """(key, last line, characters) of each paragraph whose last line holds one character and its marks (孤字)."""
    tall_boxes: set[int] = dataclasses.field(default_factory=set)
    """Keys of the boxes laid out across pages although kept whole where they fit."""
    split_boxes: set[int] = dataclasses.field(default_factory=set)
    """Keys of every box laid out across pages."""
    table_breaks: dict[int, list[int]] = dataclasses.field(default_factory=dict)
    """Key of each table laid out across pages -> the body rows (indices) that open a page after its first."""
    table_columns: dict[int, list[float]] = dataclasses.field(default_factory=dict)
    """Key of each such table -> its columns' widths (CSS px) as laid out."""
    table_rows: dict[int, dict[str, float]] = dataclasses.field(default_factory=dict)
    """Key of each such table -> each body row's height (CSS px, margins included), by its ``data-r``."""
    table_room: dict[int, float] = dataclasses.field(default_factory=dict)
    """Key of each such table -> the least height a page after its first had for body rows (the rows it held and
    the room left under them)."""
    table_caption: dict[int, float] = dataclasses.field(default_factory=dict)
    """Key of each table with a caption -> the caption's height (CSS px, margins included)."""
    widths: dict[int, float] = dataclasses.field(default_factory=dict)
    """Key of each paragraph -> the width (CSS px) its lines were laid out in."""
    laid_out: set[int] = dataclasses.field(default_factory=set)
    """Keys of the paragraphs laid out with at least two lines."""
    long_notes: set[str] = dataclasses.field(default_factory=set)
    """Ids of the footnotes taller than the room at the foot of a page (WeasyPrint does not break a footnote:
    the part above the page is cut off)."""


def _key_blocks(root: etree._Element) -> dict[int, etree._Element]:
    """Number the paragraphs and boxes (``data-k``) so the laid-out boxes can be traced back to them."""
    keys: dict[int, etree._Element] = {}
    for el in root.iter("p", "aside", "table"):
        if el.tag == "aside" and "box" not in (el.get("class") or "").split():
            continue
        keys[len(keys)] = el
        el.set("data-k", str(len(keys) - 1))
        if el.tag == "aside":  # the box's end, where the continuation mark's string is reset
            etree.SubElement(el, "div", {"class": "box-end"})
        if el.tag == "table":
            for body in el.findall("tbody"):
                for i, tr in enumerate(body.findall("tr")):
                    tr.set("data-r", str(i))
    return keys


def runt(line: str) -> bool:
    """Whether a paragraph's last line holds a single character (with its marks): 孤字."""
    core = [ch for ch in line.strip() if ch not in _TRAILING]
    return len(core) == 1 and wide(core[0])


def layout_report(document: Any) -> LayoutReport:
    """Trace the laid-out pages back to the keyed paragraphs and boxes."""
    from weasyprint.formatting_structure import boxes

    report = LayoutReport()
    lines: dict[int, list[str]] = {}
    pages_of: dict[int, set[int]] = {}
    table_pages: dict[int, dict[int, tuple[int, float]]] = {}  # table -> page -> (first row, its top's slack)
    for number, page in enumerate(document.pages):
        top = page._page_box.content_box_y()
        bottom = top + page._page_box.height
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None:
                continue
            if isinstance(box, boxes.BlockBox) and element.tag == "span" and box.position_y < top - 1 and \
                    "footnote" in (element.get("class") or "").split():
                report.long_notes.add(element.get("id") or "")
            if getattr(box, "is_table_wrapper", False) and element.get("data-k") is not None:
                for caption in box.children:
                    if isinstance(caption, boxes.TableCaptionBox):
                        report.table_caption.setdefault(int(element.get("data-k")), caption.margin_height())
            if isinstance(box, boxes.TableBox) and element.get("data-k") is not None:
                key = int(element.get("data-k"))
                report.table_columns.setdefault(key, list(box.column_widths))
                table_pages.setdefault(key, {})
                for row in box.descendants():
                    if isinstance(row, boxes.TableRowBox) and row.element is not None and \
                            row.element.get("data-r") is not None and number not in table_pages[key]:
                        table_pages[key][number] = (int(row.element.get("data-r")), 0.0)
                rows = [r for r in box.descendants() if isinstance(r, boxes.TableRowBox)]
                if rows and number in table_pages[key]:
                    last = rows[-1]
                    slack = bottom - (last.position_y + last.margin_height())
                    table_pages[key][number] = (table_pages[key][number][0], slack)
                    heights = report.table_rows.setdefault(key, {})
                    body = [r for r in rows if r.element is not None and r.element.get("data-r") is not None]
                    for r in body:
                        heights.setdefault(r.element.get("data-r"), r.margin_height())
                    if number != min(table_pages[key]):  # a page the table continues on: its room for rows
                        room = sum(r.margin_height() for r in body) + slack
                        report.table_room[key] = min(report.table_room.get(key, room), room)
                continue
            if not isinstance(box, boxes.BlockBox) or element.get("data-k") is None:
                continue
            key = int(element.get("data-k"))
            if element.tag == "aside":
                pages_of.setdefault(key, set()).add(number)
            elif box.children and isinstance(box.children[0], boxes.LineBox):
                report.widths.setdefault(key, box.width)
                lines.setdefault(key, []).extend(
                    "".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox)
                            and t.is_in_normal_flow())
                    for line in box.children if isinstance(line, boxes.LineBox))
    for key, text in lines.items():
        if len(text) >= 2:
            report.laid_out.add(key)
        if len(text) >= 2 and runt(text[-1]):
            report.runts.append((key, text[-1].strip(), sum(len(t.strip()) for t in text)))
    report.split_boxes = {k for k, pages in pages_of.items() if len(pages) > 1}
    report.tall_boxes = set(report.split_boxes)
    for key, pages in table_pages.items():
        numbers = sorted(pages)
        if len(numbers) > 1:
            # the row that opened each later page; one row earlier when the page before was filled to within a
            # rule's width (the closing rule added there would push its last row over)
            breaks = [pages[n][0] - (1 if pages[p][1] < 2 else 0) for p, n in itertools.pairwise(numbers)]
            report.table_breaks[key] = [b for b in breaks if b > 0]
    return report


def _to_endnotes(root: etree._Element, ids: set[str]) -> bool:
    """Move the footnotes ``ids`` (too tall for the foot of a page) to the notes after the text
    (``section.endnotes``), each call shown as a superscript marker, and with them the notes called inside them;
    whether any moved."""
    body = root.find("body")
    spans = {el.get("id", ""): el for el in root.iter("span") if "footnote" in (el.get("class") or "").split()}
    calls = {a.get("data-note", ""): a for a in root.iter("a") if a.get("data-note")}
    todo = [i for i in sorted(ids) if i in spans]
    if body is None or not todo:
        return False
    section = next((s for s in body.iter("section") if s.get("class") == "endnotes"), None)
    if section is None:
        section = etree.SubElement(body, "section", {"class": "endnotes"})
    while todo:
        span = spans.pop(todo.pop(0))
        marker = span.get("data-marker") or ""
        call = calls.get(span.get("id", ""))
        if call is not None:  # no longer a footnote's call: the page checks leave it alone
            del call.attrib["data-note"]
            if "in-note" not in (span.get("class") or "").split():  # a call in a note shows its marker already
                sup = etree.Element("sup", {"class": "endnote-call"})
                sup.text = marker
                call.addnext(sup)
        _detach(span)
        span.tag = "aside"
        span.set("class", "endnote")
        lead = etree.Element("span", {"class": "endnote-marker"})
        lead.text = marker + "\u3000"
        lead.tail, span.text = span.text, None
        span.insert(0, lead)
        section.append(span)
        todo.extend(i for i, el in spans.items() if "in-note" in (el.get("class") or "").split()
                    and i in calls and i not in todo and any(a is span for a in calls[i].iterancestors("aside")))
    return True


def _mend(report: LayoutReport, keys: dict[int, etree._Element], doc: ir.Document, attempt: int,
          tracking: dict[int, float | None] | None = None, *, root: etree._Element | None = None) -> bool:
    """Change the print tree to mend what ``report`` found; whether anything changed. ``tracking``: the
    letter-spacing (em) a trial layout found for a paragraph's 孤字, used in place of the attempt's."""
    changed = root is not None and _to_endnotes(root, report.long_notes)
    for key in report.tall_boxes:
        el = keys[key]
        classes = (el.get("class") or "").split()
        if "box-long" not in classes:  # too tall for one page: it starts where it falls, continued with a mark
            el.set("class", " ".join([*classes, "box-long"]))
            changed = True
    for key, rows in report.table_breaks.items():
        changed |= _split_table(keys, key, rows, report.table_columns.get(key, []), doc, _room(report, key))
    if attempt < len(_TRACKING):
        for key, _, chars in report.runts:
            el = keys[key]
            style = el.get("style") or ""
            if "letter-spacing" in style and attempt == 0:
                continue
            style = re.sub(r"letter-spacing:[^;]*;?\s*", "", style)
            if tracking and key in tracking:
                found = tracking[key]
                if found is None:
                    continue
                em = found
            else:
                em = _track(attempt, chars)
            el.set("style", f"{style}letter-spacing: {em:.4f}em;".strip())
            changed = True
    return changed


def _track(attempt: int, chars: int) -> float:
    """The letter-spacing (em) of tracking attempt ``attempt`` on a paragraph of ``chars`` characters."""
    em = _TRACKING[attempt] / max(chars, 1)
    return max(-_MAX_TRACKING, min(_MAX_TRACKING, em))


#: Inside these a paragraph's measure comes from its container's layout (a table's column): its tracking is not
#: tried alone. A list item's paragraph is: its copy gets the width it was laid out at, and its list's rules.
_TRIAL_SKIP = frozenset({"td", "th", "figure", "figcaption", "caption", "table"})


def _trial_document(root: etree._Element, keys: dict[int, etree._Element], report: LayoutReport, base_url: str,
                    fetcher: Any, attempts: Sequence[int], only: set[int] | None = None) -> Any:
    """A small document holding, for each paragraph ending in a 孤字 (of ``only``, when given), one copy per
    tracking of :data:`_TRACKING` in ``attempts``, each under copies of its ancestors (so the same rules select it)
    at the measure it was laid out at, with nothing that breaks a page; keyed ``data-k`` = key * 8 + the
    tracking's index."""
    trial = etree.Element(root.tag, dict(root.attrib))
    source_head = root.find("head")
    head = copy.deepcopy(source_head) if source_head is not None else etree.Element("head")
    trial.append(head)
    style = etree.SubElement(head, "style")
    style.text = ("body * { break-before: auto !important; break-after: auto !important; page: auto !important; }"
                  " section, main, aside, div, blockquote { margin: 0 !important; padding: 0 !important;"
                  " border: 0 !important; }")
    body_el = root.find("body")
    body = etree.SubElement(trial, "body", dict(body_el.attrib) if body_el is not None else {})
    for key, _, chars in report.runts:
        if only is not None and key not in only:
            continue
        el = keys[key]
        chain = [a for a in el.iterancestors() if a.tag not in ("html", "body")][::-1]
        width = report.widths.get(key)
        if width is None or any(a.tag in _TRIAL_SKIP for a in chain):
            continue
        for i in attempts:
            parent = body
            for a in chain:
                parent = etree.SubElement(parent, a.tag, dict(a.attrib))
            clone = copy.deepcopy(el)
            clone.tail = None
            for sub in clone.iter():
                sub.attrib.pop("id", None)
            style_attr = re.sub(r"letter-spacing:[^;]*;?\s*", "", clone.get("style") or "")
            clone.set("style", f"{style_attr}letter-spacing: {_track(i, chars):.4f}em; width: {width:.3f}px;")
            clone.set("data-k", str(key * 8 + i))
            parent.append(clone)
    return weasy_html(trial, base_url, fetcher)


def _loose_picks(report: LayoutReport, keys: dict[int, etree._Element],
                 tracking: dict[int, float | None]) -> dict[int, int] | None:
    """When the only mends are 孤字 mended by a looser tracking found in the trial (the paragraph keeps its
    number of lines, so no page changes): each such paragraph's key -> the ``data-k`` of its tried copy, for
    :func:`.line_swap.swap_lines`; None when anything else is to mend (a second layout of the whole document)."""
    if report.tall_boxes or report.table_breaks or report.long_notes:
        return None
    picks: dict[int, int] = {}
    for key, _, chars in report.runts:
        if "letter-spacing" in (keys[key].get("style") or ""):
            continue  # tracked already: _mend leaves it as it is
        if key not in tracking:
            return None  # not tried alone: mended by the attempt's tracking and a new layout
        found = tracking[key]
        if found is None:
            continue  # no tracking mends it: left as it is, and reported
        index = next((i for i in range(len(_TRACKING)) if _track(i, chars) == found), None)
        if index is None or _TRACKING[index] <= 0:
            return None  # tighter: the paragraph loses a line and what follows moves
        if index not in _LOOSER:
            return None  # found in the second trial: its lines are not in the first, whose lines are swapped in
        picks[key] = key * 8 + index
    return picks


def _tracking_from_trial(document: Any, report: LayoutReport, attempts: Sequence[int]) -> dict[int, float | None]:
    """For each 孤字 paragraph tried: the first tracking of ``attempts`` whose copy ends on more than one character
    (None: none of them mends it; after every attempt, the paragraph is left as it is and reported)."""
    trial = layout_report(document)
    runts = {k for k, _, _ in trial.runts}
    out: dict[int, float | None] = {}
    for key, _, chars in report.runts:
        tried = {i for i in attempts if key * 8 + i in trial.laid_out}
        if not tried:
            continue  # not laid out alone: the attempts' own tracking, one layout after another
        out[key] = next((_track(i, chars) for i in attempts if i in tried and key * 8 + i not in runts), None)
    return out


#: Body rows a continuation leaves for its 续表 caption where the rows' heights are not known.
_CAPTION_ROWS = 2


@dataclasses.dataclass(frozen=True)
class _Room:
    """What a table's continuation pages hold: each body row's height (by ``data-r``) and the height a page has
    for body rows once a 续表 caption is on it."""

    heights: dict[str, float]
    room: float


def _room(report: LayoutReport, key: int) -> _Room | None:
    heights, room = report.table_rows.get(key), report.table_room.get(key)
    if not heights or room is None:
        return None
    caption = report.table_caption.get(key, max(heights.values()))  # no caption of its own: a row's room
    return _Room(heights, room - caption - 2)  # 2: the closing rule the continuation gets at its foot


def _split_table(keys: dict[int, etree._Element], key: int, rows: list[int], columns: list[float],
                 doc: ir.Document, room: _Room | None = None) -> bool:
    """Cut a table broken across pages into one table per page, so each is closed by its bottom rule, the later
    ones under a 续表 caption with the header rows repeated, all with the columns of the first (clreq; GB/T
    7713). The first part ends where the page broke; each later one holds the rows that fit a page with the
    caption on it (``room``, from the rows' heights as laid out), else :data:`_CAPTION_ROWS` rows fewer than the
    page held. Tables with cells spanning rows are left to the renderer (the header still repeats)."""
    table = keys[key]
    bodies = table.findall("tbody")
    if len(bodies) != 1 or not rows or any(int(c.get("rowspan") or 1) > 1 for c in table.iter("td", "th")):
        return False
    body_rows = bodies[0].findall("tr")
    continued = "continued" in (table.get("class") or "").split()
    at = {tr.get("data-r"): i for i, tr in enumerate(body_rows)}  # the report names rows by data-r
    found = {at[str(r)] for r in rows if str(r) in at}
    ordered = sorted(i for i in found if 0 < i < len(body_rows))
    if not ordered:
        return False
    if room is not None and all(tr.get("data-r") in room.heights for tr in body_rows[ordered[0]:]):
        cuts = [ordered[0]]  # the table's own caption was already on the first page
        used = 0.0
        for i in range(ordered[0], len(body_rows)):
            h = room.heights[str(body_rows[i].get("data-r"))]
            if used + h > room.room and i > cuts[-1]:
                cuts.append(i)
                used = 0.0
            used += h
        if len(cuts) > 1 and len(body_rows) - cuts[-1] == 1 and cuts[-1] - cuts[-2] >= 3:
            cuts[-1] -= 1  # no continuation of one row alone: the page before gives it one more
    else:
        cuts = []
        for k, r in enumerate(ordered):
            # the first cut is where the page broke; each later page gains a caption, so its cut moves up by one
            # more caption's rows
            cut = r - k * _CAPTION_ROWS
            if cut > (cuts[-1] if cuts else 0):
                cuts.append(cut)
        if not cuts:
            return False
        if len(ordered) > 1:  # the rows pushed on by the captions need pages of their own: cut them now
            per_page = max(b - a for a, b in itertools.pairwise(ordered)) - _CAPTION_ROWS
            while per_page > 0 and len(body_rows) - cuts[-1] > per_page:
                cuts.append(cuts[-1] + per_page)
    total = sum(columns)
    colgroup = table.find("colgroup")
    if columns and total > 0 and not continued:
        if colgroup is not None:
            table.remove(colgroup)
        colgroup = etree.Element("colgroup")
        for w in columns:
            etree.SubElement(colgroup, "col", {"style": f"width: {math.ceil(w * 100) / 100:.2f}px"})
        table.insert(1 if table.find("caption") is not None else 0, colgroup)
        width = math.ceil(total * 100) / 100  # rounded up, as each column's: rounded down, a cell's text may wrap
        table.set("style", f"width: {width:.2f}px; table-layout: fixed; " + (table.get("style") or ""))
    caption = table.find("caption")
    label = table.get("data-label") if continued else (caption.findtext("span") if caption is not None else None)
    lang = table.get("lang") or next((a.get("lang") for a in table.iterancestors() if a.get("lang")),
                                     doc.metadata.language)
    thead = table.find("thead")
    anchor = table
    bounds = [*cuts, len(body_rows)]
    for start, end in itertools.pairwise(bounds):
        part = etree.Element("table", {k: v for k, v in table.attrib.items() if k not in ("id", "data-k")})
        part.set("class", " ".join(dict.fromkeys([*(table.get("class") or "").split(), "continued"])))
        if label:
            part.set("data-label", label)
        cap = etree.SubElement(part, "caption", {"class": "continued"})
        cap.text = continued_label(label, lang)
        if colgroup is not None:
            part.append(copy.deepcopy(colgroup))
        if thead is not None:
            part.append(copy.deepcopy(thead))
        tbody = etree.SubElement(part, "tbody")
        for tr in body_rows[start:end]:
            tbody.append(tr)
        part.set("data-k", str(len(keys)))
        keys[len(keys)] = part
        anchor.addnext(part)
        anchor = part
    return True


# --------------------------------------------------------------------------- done once per process (and thread)

_WARM = threading.local()


def _warm(*, fresh: bool = False) -> tuple[Any, Any]:
    """This thread's WeasyPrint font configuration and parsed ``print.css``, made once and reused by every
    document (parsed again only when the file changes). ``fresh``: a configuration of its own, for a house
    stylesheet whose ``@font-face`` rules must not reach other documents."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    path = STYLES_DIR / "print.css"
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    cached = getattr(_WARM, "value", None)
    if cached is not None and cached[0] == key and not fresh:
        return cached[1], cached[2]
    font_config = FontConfiguration()
    # print.css reads no file (it names installed families only): a fetcher confined to styles/ and fonts/
    css = CSS(string=path.read_text(encoding="utf-8"), base_url=path.as_uri(), font_config=font_config,
              url_fetcher=sandbox_fetcher([STYLES_DIR, FONTS_DIR], Diagnostics()))
    if not fresh:
        _WARM.value = (key, font_config, css)
    return font_config, css


def weasy_html(root: etree._Element, base_url: str, fetcher: Any) -> Any:
    """WeasyPrint's ``HTML`` for the print tree as it is: its elements copied into the ElementTree form
    WeasyPrint's own parser makes (no serialising to a string and parsing it again)."""
    import cssselect2  # type: ignore[import-untyped]
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    tree = _to_etree(root)
    html = HTML.__new__(HTML)  # what HTML.__init__ sets once tinyhtml5 has parsed the string (WeasyPrint 70)
    html.base_url = base_url
    html.url_fetcher = fetcher if fetcher is not None else URLFetcher()
    html.media_type = "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


def _to_etree(root: etree._Element) -> ElementTree.Element:
    """``root`` as :mod:`xml.etree` elements (comments and processing instructions left out), iteratively."""
    top = ElementTree.Element(str(root.tag), dict(root.attrib))
    top.text = root.text
    stack: list[tuple[etree._Element, ElementTree.Element]] = [(root, top)]
    while stack:
        source, made = stack.pop()
        tail_to: ElementTree.Element | None = None
        for child in source:
            if not isinstance(child.tag, str):  # a comment or PI: its tail text stays
                if child.tail:
                    if tail_to is None:
                        made.text = (made.text or "") + child.tail
                    else:
                        tail_to.tail = (tail_to.tail or "") + child.tail
                continue
            el = ElementTree.SubElement(made, child.tag, dict(child.attrib))
            el.text, el.tail = child.text, child.tail
            tail_to = el
            if len(child):
                stack.append((child, el))
    return top


def _note_calls(root: etree._Element) -> dict[str, str]:
    """The anchor of each footnote call in the print tree -> the id of its note's body."""
    return {a.get("id", ""): a.get("data-note", "") for a in root.iter("a")
            if a.get("class") == "fn-anchor" and a.get("data-note")}


def _notes_off_their_page(document: Any, calls: dict[str, str]) -> set[str]:
    """Paragraphs whose footnote the renderer did not put on the page of the call (reported, never hidden)."""
    page_of: dict[str, int] = {}
    paras: dict[int, list[str]] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
            if anchor.startswith("para-"):
                paras.setdefault(number, []).append(anchor)
    off: set[str] = set()
    for anchor, note in calls.items():
        page = page_of.get(anchor)
        if page is not None and note in page_of and page_of[note] != page:
            off.add(next((p for p in reversed(paras.get(page, [])) if page_of[p] <= page), anchor))
    return off


def _notes_not_drawn(document: Any, calls: dict[str, str]) -> dict[str, str]:
    """The calls whose note body is on no page (call anchor -> note id): what the renderer lost, reported."""
    drawn = {anchor for page in document.pages for anchor in page.anchors}
    return {call: note for call, note in calls.items() if call in drawn and note not in drawn}


def _identifier(doc: ir.Document, options: Options) -> bytes:
    import hashlib
    m = doc.metadata
    basis = f"{m.symbol}|{m.title}|{options.script}|{options.page_size}|{options.pdf_variant}"
    return hashlib.md5(basis.encode("utf-8")).hexdigest().encode("ascii")
