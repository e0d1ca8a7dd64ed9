"""EPUB 3 from the shared HTML writer, packaged with ebooklib; deterministic, accessible, pop-up footnotes.

Content documents: ``title.xhtml`` (title page), one ``chapter-NN.xhtml`` per top-level heading (text
before the first heading opens the first one), ``rights.xhtml``. Each chapter ends with the footnotes it
calls, as ``aside epub:type="footnote"`` with a link back, which Apple Books, Kobo and Kindle conversions
show as pop-ups. The navigation document holds the whole heading tree and the landmarks; ebooklib writes
the NCX for older readers from the same tree. ``--vertical`` sets ``vertical-rl`` with a right-to-left
page progression and sets one- and two-digit runs upright (tate-chu-yoko). ``--embed-fonts`` embeds a
subset of the edition's typeface holding only the characters used.

The package is rebuilt into a zip with a fixed member order and timestamps, so the same input and
options give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import ir
from ..cjk.dates import iso_date
from ..diagnostics import Diagnostics
from ..errors import OutputError, UsageError
from ..fileio import date_epoch, deterministic_zip
from ..media import EPUB_TYPES, by_name, shown
from ..options import Options
from ..rtl import is_rtl
from ..walk import block_inlines, block_text, iter_blocks, iter_inlines, plain
from . import divisions as D
from . import xhtml as H
from .page import title_lines

EPUB_NS = "http://www.idpf.org/2007/ops"
XHTML = H.XHTML_NS
TCY = re.compile(r"^\d{1,2}$")


@dataclass
class Part:
    """One content document."""

    file: str
    title: str
    blocks: list[ir.Block] = field(default_factory=list)
    notes: list[ir.Note] = field(default_factory=list)
    role: str | None = None
    """The book division it holds (``chapter``, ``titlepage``…; :mod:`.divisions`), None outside a book."""
    place: str = "body"
    """``front``, ``body`` or ``back`` matter."""


def _split(doc: ir.Document) -> list[Part]:
    """One content document per top-level heading; in a book, one per division (each part, chapter, appendix,
    preface… in its own file)."""
    book = D.divisions(doc.blocks)
    if book:
        return [Part(f"chapter-{i:02d}.xhtml", D.contents_title(d.heading), list(doc.blocks[d.start:d.end]),
                     role=d.role, place=d.place) for i, d in enumerate(book, 1)]
    top = min((b.level for b in doc.blocks if isinstance(b, ir.Heading)), default=1)
    parts: list[Part] = []
    for b in doc.blocks:
        if (isinstance(b, ir.Heading) and b.level == top) or not parts:
            title = (f"{b.label} " if isinstance(b, ir.Heading) and b.label else "") + (
                plain(b.children) if isinstance(b, ir.Heading) else (doc.metadata.title or "Text"))
            title = title.strip() or f"Part {len(parts) + 1}"
            parts.append(Part(f"chapter-{len(parts) + 1:02d}.xhtml", title))
        parts[-1].blocks.append(b)
    return parts


def _note_calls(blocks: list[ir.Block]) -> Iterator[str]:
    for b in iter_blocks(tuple(blocks)):
        for seq in block_inlines(b):
            for n in iter_inlines(seq):
                if isinstance(n, ir.NoteRef):
                    yield n.note_id


def _place_notes(calls: Iterable[str], notes: dict[str, ir.Note], placed: set[str]) -> list[ir.Note]:
    """The notes to print with a content document that makes ``calls``, in order of their first call, each
    followed by the notes its own body calls (a CBETA note inside an inline note, an apparatus entry): a note
    is printed on the page of its call, so that its link back resolves. ``placed`` (updated) holds the notes
    already printed elsewhere."""
    out: list[ir.Note] = []
    stack = list(reversed([*calls]))
    while stack:
        note_id = stack.pop()
        note = notes.get(note_id)
        if note is None or note_id in placed:
            continue
        placed.add(note_id)
        out.append(note)
        stack.extend(reversed([*_note_calls(list(note.blocks))]))
    return out


def _ids(blocks: list[ir.Block]) -> Iterator[str]:
    for b in iter_blocks(tuple(blocks)):
        bid = getattr(b, "id", None)
        if bid:
            yield bid
    for note_id in _note_calls(blocks):
        yield f"fnref-{note_id.removeprefix('fn-')}"


def _tate_chu_yoko(root: etree._Element) -> None:
    """In vertical text, set short digit runs upright (one or two digits, as clreq and JLREQ advise)."""
    for span in root.iter(f"{{{XHTML}}}span"):
        if (span.get("class") or "").startswith("latin") and span.text and TCY.match(span.text):
            span.set("class", span.get("class", "") + " tcy")


def _document(title: str, lang: str | None, body_children: list[etree._Element], options: Options,
              *, body_type: str | None = None) -> bytes:
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": EPUB_NS})
    if lang:
        root.set("lang", lang)
        root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    if is_rtl(lang):
        root.set("dir", "rtl")
    if options.vertical:
        root.set("class", "vertical")
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", {"charset": "utf-8"})
    etree.SubElement(head, f"{{{XHTML}}}title").text = title
    etree.SubElement(head, f"{{{XHTML}}}link", {"rel": "stylesheet", "type": "text/css",
                                                "href": "../styles/epub.css"})
    if options.css:  # the house stylesheet, after ours
        etree.SubElement(head, f"{{{XHTML}}}link", {"rel": "stylesheet", "type": "text/css",
                                                    "href": "../styles/house.css"})
    body = etree.SubElement(root, f"{{{XHTML}}}body")
    if options.vertical:
        body.set("class", "vertical")
    if body_type:
        body.set(f"{{{EPUB_NS}}}type", body_type)
    for child in body_children:
        body.append(H.to_xhtml(child))
    if options.vertical:
        _tate_chu_yoko(root)
    out: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")
    return out


def identifier(doc: ir.Document, options: Options) -> str:
    """A stable identifier: from the document symbol and the edition, or else from the content."""
    m = doc.metadata
    basis = f"{m.symbol}|{options.script}|{options.vertical}" if m.symbol else \
        f"{m.title}|{block_text(doc.blocks)[:100000]}|{options.script}|{options.vertical}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'docpipe:' + basis)}"


#: ``dcterms:modified`` when neither ``SOURCE_DATE_EPOCH`` nor the document gives a date (reported).
UNDATED_EPOCH = 946684800  # 2000-01-01


def _modified(options: Options, doc: ir.Document | None = None) -> dt.datetime:
    """``dcterms:modified``: ``SOURCE_DATE_EPOCH``, else the document's own date (never 1980)."""
    epoch = options.source_date_epoch
    if epoch is None and doc is not None:
        epoch = date_epoch(doc.metadata.date)
    return dt.datetime.fromtimestamp(epoch if epoch is not None else UNDATED_EPOCH, dt.UTC).replace(tzinfo=None)


def _toc(doc: ir.Document, parts: list[Part]) -> list[Any]:
    """ebooklib's nested toc: (Link, [children]) tuples following the heading levels."""
    from ebooklib import epub

    file_of = {}
    for part in parts:
        for b in part.blocks:
            if isinstance(b, ir.Heading) and b.id:
                file_of[b.id] = part.file
    root: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(0, root)]
    for b in doc.blocks:
        if not isinstance(b, ir.Heading) or not b.id or b.role in D.NOT_IN_CONTENTS:
            continue
        title = ((f"{b.label} " if b.label else "") + plain(b.children)).strip() or "§"
        link = epub.Link(f"text/{file_of[b.id]}#{b.id}", title, b.id)
        level = max(b.level, 1)  # a heading of level 0 or below (TEI, .ir.json) is a top-level entry
        while stack[-1][0] >= level:
            stack.pop()
        children: list[Any] = []
        stack[-1][1].append((link, children))
        stack.append((level, children))

    def flatten(items: list[Any]) -> list[Any]:
        return [(link, flatten(kids)) if kids else link for link, kids in items]

    return flatten(root)


class _RawHtml:
    """Factory for ebooklib items whose XHTML is written exactly as we built it."""

    @staticmethod
    def make(uid: str, file_name: str, title: str, content: bytes, lang: str | None) -> Any:
        from ebooklib import epub

        class Raw(epub.EpubHtml):  # type: ignore[misc]
            def get_content(self, default: Any = None) -> bytes:
                data: bytes = self.content
                return data

        item = Raw(uid=uid, file_name=file_name, title=title, lang=lang)
        item.content = content
        return item


def _anchor_files(doc: ir.Document, parts: list[Part], orphans: list[ir.Note]) -> dict[str, str]:
    """The file each anchor is written in: its part's, a note's with it, the rights page's for orphan notes."""
    file_of: dict[str, str] = {}
    for part in parts:
        for anchor in _ids(part.blocks):
            file_of.setdefault(anchor, part.file)
        for n in part.notes:
            file_of[n.id] = part.file
            for anchor in _ids(list(n.blocks)):  # the calls a note makes to other notes, in its body
                file_of.setdefault(anchor, part.file)
    for n in orphans:
        file_of[n.id] = "rights.xhtml"
        for anchor in _ids(list(n.blocks)):
            file_of.setdefault(anchor, "rights.xhtml")
    for anchor in _ids(list(doc.metadata.rights)):
        file_of.setdefault(anchor, "rights.xhtml")

    return file_of


def _package_metadata(book: Any, doc: ir.Document, options: Options, diag: Diagnostics, lang: str) -> None:
    """The package's Dublin Core, accessibility and publisher metadata."""
    m = doc.metadata
    book.set_language(lang)
    for i, a in enumerate(dict.fromkeys(m.authors)):
        book.add_author(a, uid=f"creator{i + 1}")
    if iso_date(m.date):  # dc:date must be a W3C date; a source's "$Date: 2012/08/27 $" or "2019-2025" is mapped
        book.add_metadata("DC", "date", iso_date(m.date))
    if m.publisher:
        book.add_metadata("DC", "publisher", m.publisher)
    if m.rights:
        book.add_metadata("DC", "rights", block_text(m.rights).replace("\n", " "))
    if m.symbol:
        book.add_metadata("DC", "identifier", m.symbol, {"id": "symbol"})
    description = " ".join(x for x in (m.symbol, m.session, m.title) if x)
    book.add_metadata("DC", "description", description or "Report")
    book.add_metadata("DC", "source", m.source or options.source_name or "unknown")
    for prop, value in (
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary",
         "Text-only publication with a full table of contents, headings in a logical hierarchy, numbered "
         "paragraphs, titled sidebars and linked footnotes; reading order follows the source."),
    ):
        book.add_metadata(None, "meta", value, {"property": prop})
    if options.vertical or is_rtl(m.language):  # pages turn leftwards: vertical CJK, right-to-left scripts
        book.set_direction("rtl")
    _publisher_metadata(book, doc, options)
    if options.source_date_epoch is None and date_epoch(m.date) is None:
        diag.emit("writer-note", "the document has no date and SOURCE_DATE_EPOCH is unset: dcterms:modified "
                  "says 2000-01-01")



def _styles_fonts_cover(book: Any, doc: ir.Document, options: Options, diag: Diagnostics) -> Any:
    """The stylesheets (docpipe's, then a house one), embedded fonts and the cover; the cover page, if any."""
    from ebooklib import epub
    css = H.stylesheet("epub.css").encode("utf-8")
    fonts = _fonts(doc, options, diag) if options.embed_fonts else []
    if fonts:
        # after epub.css: its own body rule would otherwise win over the embedded families
        css = css + b"\n" + _font_faces(fonts)
    book.add_item(epub.EpubItem(uid="css", file_name="styles/epub.css", media_type="text/css", content=css))
    house = _house_css(options, diag)
    if house is not None:
        book.add_item(epub.EpubItem(uid="house-css", file_name="styles/house.css", media_type="text/css",
                                    content=house))
    cover_page = _cover(book, doc, options, diag)
    for name, data in fonts:
        book.add_item(epub.EpubItem(uid=f"font-{name.split('.')[0]}", file_name=f"fonts/{name}",
                                    media_type="font/ttf" if name.endswith(".ttf") else "font/otf", content=data))

    return cover_page


def _package(book: Any, doc: ir.Document, options: Options, parts: list[Part], spine: list[Any],
             title_block: etree._Element, cover_page: Any, rights_item: Any, media: dict[str, ir.Media],
             book_title: str, lang: str) -> bytes:
    """The pictures, contents, guide and spine (the contents after the title pages) of a filled book; its bytes."""
    from ebooklib import epub
    for name in sorted({shown_m.name for img in _images(doc)
                        if (shown_m := shown(media, img.media, EPUB_TYPES)) is not None}):
        medium = media[name]
        book.add_item(epub.EpubItem(uid=f"img-{medium.sha256[:16]}-{name.rsplit('.', 1)[-1]}",
                                    file_name=f"images/{name}", media_type=medium.media_type, content=medium.data))
    book.toc = _toc(doc, parts) or [epub.Link("text/title.xhtml" if len(title_block) else f"text/{parts[0].file}",
                                              book_title, "title")]
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav()
    nav.file_name = "nav.xhtml"
    book.add_item(nav)
    book.guide = [*([{"type": "cover", "href": "text/cover.xhtml", "title": D.nav_label("cover", lang)}]
                    if cover_page else []),
                  {"type": "toc", "href": "nav.xhtml", "title": D.contents_heading(lang)},
                  *_landmarks(parts)]
    if rights_item is not None and not any(p.role == "copyright-page" for p in parts):
        book.guide.append({"type": "copyright-page", "href": "text/rights.xhtml", "title": D.nav_label("rights", lang)})
    # the contents in reading order: after the title page, or after a book's half-title, title, copyright and
    # dedication pages
    at = 1 if len(title_block) else next((i for i, p in enumerate(parts) if p.role not in D.BEFORE_CONTENTS), 1)
    book.spine = [*([cover_page] if cover_page else []), *spine[:max(at, 1)], nav, *spine[max(at, 1):]]
    buf = io.BytesIO()
    try:
        epub.write_epub(buf, book, {"mtime": _modified(options, doc), "epub2_guide": True, "epub3_landmark": True,
                                    "landmark_title": D.nav_label("landmarks", lang), "spine_direction": True,
                                    "epub3_pages": False, "package_direction": False,
                                    "play_order": {"enabled": True, "start_from": 1}})
    except Exception as exc:  # ebooklib raises bare exceptions
        raise OutputError(f"ebooklib could not write the EPUB: {exc}") from exc
    return normalise_zip(buf.getvalue(), options, lang=lang, date=_modified(options, doc).date().isoformat())


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """EPUB 3 for ``doc``."""
    from ebooklib import epub

    from ..fontsel import check_family

    doc = D.for_edition(doc, options)
    if options.note_numbering == "book":  # a book's notes numbered through the book, not per chapter
        doc = D.notes_through_book(doc)
    m = doc.metadata
    check_family(options.serif_font, m.language)
    lang = m.language or "und"
    parts = _split(doc) if doc.blocks else [Part("chapter-01.xhtml", m.title or "Text")]
    notes_by_id = {n.id: n for n in doc.notes}
    placed: set[str] = set()
    for part in parts:
        part.notes = _place_notes(_note_calls(part.blocks), notes_by_id, placed)
    # notes called nowhere in the text (or only from the rights): on the rights page, with the notes they call
    orphans = _place_notes((n.id for n in doc.notes), notes_by_id, placed)
    file_of = _anchor_files(doc, parts, orphans)

    media = by_name(doc)
    math = H.math_table(doc, options, diag)

    def context(current: str) -> H.Context:
        def href(target: str) -> str:
            where = file_of.get(target, "")
            return f"#{target}" if where == current else f"{where}#{target}"
        return H.Context(options, diag, "epub", m.language, href, media=media,
                         media_href=lambda medium: f"../images/{medium.name}", allowed=EPUB_TYPES, math=math)

    ctx = context("title.xhtml")
    book = epub.EpubBook()
    book.set_identifier(identifier(doc, options))
    # dc:title is required: without a title in the source, the first heading or the source's name stands in
    first_heading = next((plain(b.children) for b in doc.blocks if isinstance(b, ir.Heading)), None)
    book_title = m.title or m.symbol or first_heading or m.source or options.source_name or "Untitled"
    book.set_title(book_title)
    _package_metadata(book, doc, options, diag, lang)

    cover_page = _styles_fonts_cover(book, doc, options, diag)

    spine: list[Any] = []
    title_block = H.title_block(doc, ctx)
    if D.has_role(doc, "titlepage"):  # the book's own title page stands in the text
        title_block = etree.Element("header")
    if len(title_block):  # a document without title, symbol or author gets no (blank) title page
        title_page = _RawHtml.make("title", "text/title.xhtml", m.title or "Title",
                                   _document(m.title or book_title, m.language, [title_block], options,
                                             body_type="frontmatter titlepage"), m.language)
        book.add_item(title_page)
        spine.append(title_page)
    rendered: list[tuple[Part, list[etree._Element]]] = []
    for part in parts:
        ctx = context(part.file)
        children = H.sections(tuple(part.blocks), ctx, m.language)
        if part.notes:
            sec = etree.Element("section", {"class": "footnotes", f"{{{EPUB_NS}}}type": "footnotes",
                                            "aria-label": "Notes"})
            for n in part.notes:
                sec.append(H.footnote(n, ctx, m.language))
            children.append(sec)
        rendered.append((part, children))
    back: list[etree._Element] = []
    ctx = context("rights.xhtml")
    # a book's copyright page shows the rights already
    rights = None if D.has_role(doc, "copyright-page") else H.rights(doc, ctx, m.language)
    if rights is not None:
        back.append(rights)
    if orphans:
        sec = etree.Element("section", {"class": "footnotes", f"{{{EPUB_NS}}}type": "footnotes"})
        for n in orphans:
            sec.append(H.footnote(n, ctx, m.language))
        back.append(sec)
    _settle_back_links({"title.xhtml": [title_block], **{part.file: kids for part, kids in rendered},
                        "rights.xhtml": back})
    for i, (part, children) in enumerate(rendered, 1):
        item = _RawHtml.make(f"chapter-{i:02d}", f"text/{part.file}", part.title,
                             _document(part.title, m.language, children, options, body_type=f"{part.place}matter"),
                             m.language)
        if b"http://www.w3.org/1998/Math/MathML" in item.content:
            item.properties.append("mathml")
        if b"<svg" in item.content:
            item.properties.append("svg")
        book.add_item(item)
        spine.append(item)
    rights_item = None
    if back:
        rights_name = D.nav_label("rights", m.language)
        rights_item = _RawHtml.make("rights", "text/rights.xhtml", rights_name,
                                    _document(rights_name, m.language, back, options, body_type="backmatter"),
                                    m.language)
        book.add_item(rights_item)
        spine.append(rights_item)

    return _package(book, doc, options, parts, spine, title_block, cover_page, rights_item, media, book_title,
                    lang)


def _settle_back_links(pages: dict[str, list[etree._Element]]) -> None:
    """Every note's link back to its call pointed at the page where the call was written; a note whose call
    was written nowhere (one called only from a reading the text does not show, or never called) keeps its
    marker without a link (no dangling fragment, RSC-012)."""
    where: dict[str, str] = {}
    for name, children in pages.items():
        for child in children:
            for el in child.iter():
                anchor = el.get("id")
                if anchor:
                    where.setdefault(anchor, name)
    for name, children in pages.items():
        for child in children:
            for back in child.iter("a"):
                if back.get("class") != "note-back":
                    continue
                target = back.get("href", "").rpartition("#")[2]
                page = where.get(target)
                if page is None:
                    back.attrib.pop("href", None)
                    back.attrib.pop("role", None)
                else:
                    back.set("href", f"#{target}" if page == name else f"{page}#{target}")


def _landmarks(parts: list[Part]) -> list[dict[str, str]]:
    """The landmarks after the contents: the start of the text (``bodymatter``); in a book, also the start of
    the front and back matter and each front- and back-matter page that has a landmark of its own (title page,
    copyright page, preface…)."""
    body = next((p for p in parts if p.place == "body"), parts[0])
    if parts[0].role is None:
        return [{"type": "bodymatter", "href": f"text/{body.file}", "title": body.title}]
    out: list[dict[str, str]] = []
    front = next((p for p in parts if p.place == "front"), None)
    if front is not None:
        out.append({"type": "frontmatter", "href": f"text/{front.file}", "title": front.title})
    out += [{"type": p.role or "", "href": f"text/{p.file}", "title": p.title} for p in parts
            if p.place == "front" and p.role in _LANDMARK_ROLES]
    out.append({"type": "bodymatter", "href": f"text/{body.file}", "title": body.title})
    back = next((p for p in parts if p.place == "back"), None)
    if back is not None:
        out.append({"type": "backmatter", "href": f"text/{back.file}", "title": back.title})
    out += [{"type": p.role or "", "href": f"text/{p.file}", "title": p.title} for p in parts
            if p.place == "back" and p.role in _LANDMARK_ROLES]
    return out


#: Divisions with a landmark of their own (EPUB 3's landmarks vocabulary, as reading systems use it).
_LANDMARK_ROLES = frozenset({"titlepage", "copyright-page", "dedication", "epigraph", "foreword", "preface",
                             "acknowledgments", "introduction", "glossary", "bibliography", "index", "colophon"})


#: EPUB 3 landmark types (``book.guide`` holds them, for the navigation document) -> the EPUB 2 guide's types
#: (OPF 2.0.1 §2.6) where they differ; a landmark EPUB 2 has no type for becomes ``other.NAME``, as it asks.
_GUIDE_TYPES = {"titlepage": "title-page", "acknowledgments": "acknowledgements", "bodymatter": "text",
                "footnotes": "notes", "endnotes": "notes", "rearnotes": "notes"}
_EPUB2_GUIDE = frozenset({"cover", "title-page", "toc", "index", "glossary", "acknowledgements", "bibliography",
                          "colophon", "copyright-page", "dedication", "epigraph", "foreword", "loi", "lot", "notes",
                          "preface", "text"})


def guide_type(landmark: str) -> str:
    """The EPUB 2 guide type of an EPUB 3 landmark type (``titlepage`` -> ``title-page``, ``bodymatter`` ->
    ``text``, ``frontmatter`` -> ``other.frontmatter``)."""
    mapped = _GUIDE_TYPES.get(landmark, landmark)
    return mapped if mapped in _EPUB2_GUIDE or mapped.startswith("other.") else f"other.{mapped}"


def _package_lang(opf: bytes, lang: str) -> bytes:
    """``xml:lang`` on the OPF package element, which reading systems and Ace look for; the EPUB 2 guide's
    references with EPUB 2 types (ebooklib writes the landmark types in both)."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    for ref in root.iterfind("{http://www.idpf.org/2007/opf}guide/{http://www.idpf.org/2007/opf}reference"):
        ref.set("type", guide_type(ref.get("type", "")))
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return out


def normalise_zip(data: bytes, options: Options, *, lang: str | None = None, date: str | None = None) -> bytes:
    """The same zip with ``mimetype`` first and stored, the rest in a fixed order, fixed timestamps (the
    document's ``date`` when ``SOURCE_DATE_EPOCH`` is unset)."""
    def rewrite(name: str, member: bytes) -> bytes:
        return _package_lang(member, lang) if lang and name.endswith("content.opf") else member

    return deterministic_zip(data, first=("mimetype", "META-INF/container.xml"), epoch=options.source_date_epoch,
                             stored=("mimetype",), rewrite=rewrite, date=date)


def _fonts(doc: ir.Document, options: Options, diag: Diagnostics) -> list[tuple[str, bytes]]:
    """Subsets of the edition's serif typeface holding only the characters the book uses."""
    from ..fontsel import font_for, subset

    text = _all_text(doc)
    out = []
    for script in sorted({"zh-Hans" if (lang or "").startswith("zh-Hans") else "zh-Hant"
                          for lang in _langs(doc)}):
        face = font_for(script, options.serif_font)
        if face is None:
            diag.emit("missing-tool", f"no font file found for {script}; fonts not embedded")
            continue
        data = subset(face, text)
        out.append((f"{face.slug}.otf", data))
    # characters the edition's face lacks (CJK Extension B and beyond): a subset of the fallback face that has them
    from ..fontsel import fallback_subsets
    for fb, data in fallback_subsets(text, doc.metadata.language, diag, override=options.serif_font, fmt="EPUB"):
        out.append((f"{fb.slug}.ttf", data))
    return out


def _images(doc: ir.Document) -> Iterator[ir.Image]:
    from ..walk import iter_inlines_all
    for n in iter_inlines_all(doc):
        if isinstance(n, ir.Image) and n.media:
            yield n


def _langs(doc: ir.Document) -> set[str | None]:
    langs: set[str | None] = {doc.metadata.language}
    for b in iter_blocks(doc.blocks):
        if isinstance(b, ir.Box):
            langs.add(b.lang)
    return langs


def _all_text(doc: ir.Document) -> str:
    m = doc.metadata
    meta = " ".join(x for x in (m.title, m.subtitle, m.symbol, m.session, m.place, m.publisher, *m.authors,
                                *m.edition_notes) if x)
    notes = " ".join(block_text(n.blocks) for n in doc.notes)
    return meta + block_text(doc.blocks) + block_text(m.rights) + notes + "0123456789年月日."


def _font_faces(fonts: list[tuple[str, bytes]]) -> bytes:
    rules = []
    for name, _ in fonts:
        family = "docpipe " + name.rsplit(".", 1)[0]
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("../fonts/{name}"); }}\n')
    families = ", ".join(f'"docpipe {n.rsplit(".", 1)[0]}"' for n, _ in fonts)
    rules.append(f":root {{ --embedded: {families}; }}\n")
    rules.append(f"body {{ font-family: {families}, serif; }}\n")
    return "".join(rules).encode("utf-8")


# --------------------------------------------------------------------------- publisher's parts


def isbn13(value: str) -> str:
    """The ISBN-13 of an ISBN-10 or ISBN-13 (hyphens and spaces allowed); a UsageError when its check digit
    is wrong."""
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        if sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits)) % 11:
            raise UsageError(f"--isbn {value}: wrong check digit", expected="a valid ISBN-10 or ISBN-13")
        digits = "978" + digits[:9]
        digits += str((10 - sum((1, 3)[i % 2] * int(c) for i, c in enumerate(digits)) % 10) % 10)
        return digits
    if re.fullmatch(r"97[89]\d{10}", digits):
        if sum((1, 3)[i % 2] * int(c) for i, c in enumerate(digits)) % 10:
            raise UsageError(f"--isbn {value}: wrong check digit", expected="a valid ISBN-10 or ISBN-13")
        return digits
    raise UsageError(f"--isbn {value}: not an ISBN", expected="13 digits starting 978 or 979, or 10 digits")


def _doi(value: str) -> str:
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.IGNORECASE)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        raise UsageError(f"--doi {value}: not a DOI", expected="10.NNNN/suffix")
    return doi


def _publisher_metadata(book: Any, doc: ir.Document, options: Options) -> None:
    """ISBN and DOI as identifiers typed with ONIX codes, the document symbol's type, the series as
    collections (``belongs-to-collection``)."""
    m = doc.metadata
    if m.symbol:
        book.add_metadata(None, "meta", "UN document symbol", {"refines": "#symbol", "property": "identifier-type"})
    if options.isbn:
        book.add_metadata("DC", "identifier", f"urn:isbn:{isbn13(options.isbn)}", {"id": "isbn"})
        book.add_metadata(None, "meta", "15", {"refines": "#isbn", "property": "identifier-type",
                                              "scheme": "onix:codelist5"})
    if options.doi:
        book.add_metadata("DC", "identifier", f"doi:{_doi(options.doi)}", {"id": "doi"})
        book.add_metadata(None, "meta", "06", {"refines": "#doi", "property": "identifier-type",
                                              "scheme": "onix:codelist5"})
    for i, series in enumerate(dict.fromkeys(m.series), 1):
        book.add_metadata(None, "meta", series, {"property": "belongs-to-collection", "id": f"collection{i}"})
        book.add_metadata(None, "meta", "series", {"refines": f"#collection{i}", "property": "collection-type"})


def _house_css(options: Options, diag: Diagnostics) -> bytes | None:
    if not options.css:
        return None
    from pathlib import Path

    try:
        data = Path(options.css).expanduser().read_bytes()
    except OSError as exc:
        raise UsageError(f"--css {options.css}: {exc.strerror or exc}", expected="a CSS file") from exc
    if re.search(rb"url\(|@import", data):
        diag.emit("writer-dropped", f"--css {options.css}: url() and @import are not packaged into the EPUB "
                  "(use fonts and pictures that readers have, or embed them with --embed-fonts)")
    return data


#: The generated cover: 2:3, the size stores ask for (1600 × 2400 pixels).
COVER_SIZE = (1600, 2400)


def _cover(book: Any, doc: ir.Document, options: Options, diag: Diagnostics) -> Any:
    """The cover: ``--cover IMAGE`` (checked as any picture), else one drawn from the title, the document
    symbol and the author. Adds the image (``cover-image``) and ``text/cover.xhtml``; returns that page."""
    from ebooklib import epub

    m = doc.metadata
    if options.cover:
        from pathlib import Path

        from ..media import MediaTable

        path = Path(options.cover).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"--cover {path}: {exc.strerror or exc}", expected="a JPEG, PNG, GIF, WebP or SVG") \
                from exc
        table = MediaTable(options, diag, str(path))
        name = table.add(data, str(path))
        medium = table.items.get(name) if name else None
        if medium is None:
            reason = diag.items[-1].message if diag.items else "refused"
            raise UsageError(f"--cover: {reason}", expected="a JPEG, PNG, GIF, WebP or SVG within the image limits")
        if medium.media_type not in EPUB_TYPES:
            raise UsageError(f"--cover {path}: {medium.media_type} is not an EPUB image type",
                             expected="a JPEG, PNG, GIF, WebP or SVG")
        ext, media_type, content = medium.name.rsplit(".", 1)[-1], medium.media_type, medium.data
    else:
        drawn = draw_cover(doc, diag)
        if drawn is None:
            return None
        ext, media_type, content = "png", "image/png", drawn
    image = epub.EpubCover(uid="cover-img", file_name=f"images/cover.{ext}")
    image.media_type = media_type
    image.content = content
    book.add_item(image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})  # EPUB 2 readers
    zh = (m.language or "").startswith("zh")
    alt = ("封面：" if zh else "Cover: ") + " ".join(x for x in (m.title or m.symbol, "、".join(m.authors)) if x)
    img = etree.Element("img", {"src": f"../images/cover.{ext}", "alt": alt, "class": "cover", "role": "doc-cover"})
    section = etree.Element("section", {"class": "cover"})
    section.append(img)
    cover = D.nav_label("cover", m.language)
    page = _RawHtml.make("cover", "text/cover.xhtml", cover,
                         _document(cover, m.language, [section], options, body_type="cover"),
                         m.language)
    book.add_item(page)
    return page


def draw_cover(doc: ir.Document, diag: Diagnostics) -> bytes | None:
    """A PNG cover drawn with Pillow in the edition's sans face: the symbol, the title (broken at phrase
    boundaries, balanced), the author, the date and publisher. None (reported) when no face is installed."""
    from PIL import Image, ImageDraw, ImageFont

    from ..cjk.dates import display_date
    from ..fontsel import font_for

    m = doc.metadata
    face = font_for(m.language, kind="sans") or font_for(m.language)
    if face is None:
        diag.emit("missing-tool", "no CJK font file found: the EPUB has no cover (give one with --cover)")
        return None
    width, height = COVER_SIZE
    image = Image.new("RGB", COVER_SIZE, (11, 61, 107))
    draw = ImageDraw.Draw(image)

    def font(px: int) -> Any:
        return ImageFont.truetype(str(face.path), px, index=face.index)

    draw.rectangle((0, 0, width, 40), fill=(0, 158, 219))
    margin = 130
    if m.symbol:
        f = font(64)
        draw.text((width - margin, 220), m.symbol, font=f, fill=(255, 255, 255), anchor="ra")
    title = m.title or m.symbol or "Untitled"
    size = 118
    lines = title_lines(title, size, width - 2 * margin)
    while len(lines) > 4 and size > 60:
        size -= 8
        lines = title_lines(title, size, width - 2 * margin)
    f = font(size)
    y = 760
    for line in lines:
        draw.text((width // 2, y), line, font=f, fill=(255, 255, 255), anchor="ma")
        y += int(size * 1.4)
    draw.line((width // 2 - 200, y + 60, width // 2 + 200, y + 60), fill=(0, 158, 219), width=6)
    f = font(64)
    y = max(y + 160, 1500)
    for value in (m.subtitle, "、".join(m.authors) if m.authors else None):
        if value:
            draw.text((width // 2, y), value, font=f, fill=(255, 255, 255), anchor="ma")
            y += 110
    f = font(52)
    foot = [x for x in (" ".join(x for x in (display_date(m.date, m.language), m.place) if x), m.publisher) if x]
    y = height - 180 - 90 * len(foot)
    for value in foot:
        draw.text((width // 2, y), value, font=f, fill=(200, 220, 240), anchor="ma")
        y += 90
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)  # optimize=True: 2 % smaller for three times the time (0.15 s)
    return out.getvalue()


__all__ = ["draw_cover", "identifier", "isbn13", "normalise_zip", "write"]
