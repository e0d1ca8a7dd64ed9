"""Semantic HTML5 (or XHTML) from the IR: the shared base of the HTML, EPUB and PDF writers.

Structure: ``<header class="titlepage">`` with the title block; nested ``<section>``s built from the flat
heading list, each heading with its label in ``span.label``; numbered paragraphs ``<p id="para-N"
class="numbered"><span class="para-num">N.</span> …</p>``; boxes as ``<aside class="box" id="box-N">`` with a
``p.box-title`` (``h`` elements would enter the outline); note calls ``<a class="noteref" id="fnref-1"
href="#fn-1">`` and notes in ``<section class="footnotes">`` with back links, after the rights notice in
``<footer class="rights">`` (the source's order). ``lang`` sits on the root and on every part whose
language differs from its parent.

The quarter-em gap between Han and Latin letters or digits (clreq) is markup, not a space character:
:func:`autospace` wraps such runs in ``<span class="latin gl gr">`` (``gl``/``gr``: the sides that touch Han),
which the stylesheets give a quarter-em margin on those sides only.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, assert_never

from lxml import etree

from .. import ir
from ..cjk.chars import HAN_TEXT_RANGES, char_class
from ..cjk.dates import display_date, iso_date
from ..colwidths import column_widths
from ..diagnostics import Diagnostics
from ..guard import ACTIVE_SCHEMES, FILE_LINK, file_link_dropped, file_link_target, url_scheme
from ..media import WEB_TYPES, by_name, placeholder, shown
from ..options import Options
from ..resources import STYLES_DIR
from ..rtl import direction, is_rtl
from ..tables import cell_aligns
from ..units import parse_length
from ..walk import iter_inlines_all, plain, shown_reading
from .divisions import ARIA, for_edition, has_role

Profile = Literal["html", "epub", "print"]
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"

HAN = char_class(HAN_TEXT_RANGES)
#: Latin letters and digits, and the punctuation that lives inside a Latin or numeric run (``v2.1``, ``5 000``).
_LATIN_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_LATIN_INNER = _LATIN_START | frozenset(".,:/+%°-–’'&_\u202f")
_HAN_CHAR = re.compile(f"[{HAN}]")


def _latin_runs(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of every Latin/digit run that touches a Han character, in one pass.

    A run starts at a letter or digit and takes the inner punctuation after it; one that follows Han ends
    where the run ends, less trailing ``.,:``; one that does not must end right before a Han character (and not
    on ``.,:``). Each character is looked at a bounded number of times, so a 200 KB Latin line is linear.
    """
    n = len(text)
    i = 0
    while i < n:
        if text[i] not in _LATIN_START:
            i += 1
            continue
        j = i + 1
        while j < n and text[j] in _LATIN_INNER:
            j += 1
        if i > 0 and _HAN_CHAR.match(text[i - 1]):
            e = j
            while text[e - 1] in ".,:":
                e -= 1
            yield i, e
        elif j < n and text[j - 1] not in ".,:" and _HAN_CHAR.match(text[j]):
            yield i, j
        # no later start inside i..j can match: it follows a Latin character and ends where this run ends
        i = j


def autospace(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into pieces; a Latin/digit run touching Han is marked with the sides that get the gap
    (``"l"``, ``"r"`` or ``"lr"``: only a side that touches a Han character, never punctuation)."""
    out: list[tuple[str, str]] = []
    pos = 0
    for start, end in _latin_runs(text):
        if start > pos:
            out.append((text[pos:start], ""))
        left = start > 0 and bool(_HAN_CHAR.match(text[start - 1]))
        right = end < len(text) and bool(_HAN_CHAR.match(text[end]))
        out.append((text[start:end], ("l" if left else "") + ("r" if right else "")))
        pos = end
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


@dataclass
class Context:
    """What rendering needs besides the node: the profile, the document language, the sink."""

    options: Options
    diag: Diagnostics
    profile: Profile
    doc_lang: str | None
    href: Callable[[str], str]
    """Turns a node id into a link target (EPUB links across files)."""
    media: dict[str, ir.Media] = field(default_factory=dict)
    """The document's media by name."""
    media_href: Callable[[ir.Media], str] | None = None
    """Where a medium is found from the output (a folder beside it, a package path); None: a data: URL."""
    allowed: frozenset[str] = WEB_TYPES
    """The media types this output shows as they are."""
    math: dict[tuple[str, bool], etree._Element | None] = field(default_factory=dict)
    """MathML for each equation (HTML, EPUB), prepared once per document."""
    calls: dict[str, int] = field(default_factory=dict)
    """How many times each note has been called so far (each call's anchor is unique)."""


def math_table(doc: ir.Document, options: Options, diag: Diagnostics) -> dict[tuple[str, bool], etree._Element | None]:
    """MathML for every equation of ``doc`` (one pandoc run for the whole document)."""
    from ..mathrender import mathml
    eqs = list(dict.fromkeys((n.tex, n.display) for n in iter_inlines_all(doc) if isinstance(n, ir.Math)))
    if not eqs:
        return {}
    return dict(zip(eqs, mathml(eqs, options, diag), strict=True))


def _dim(value: str | None) -> str | None:
    """A CSS length from a source's width/height (``6.5in``, ``40%``, ``300`` px); None when unusable."""
    length = parse_length(value, ("px", "pt", "mm", "cm", "in", "%", "em"))
    return None if length is None else f"{length[0]:g}{length[1] or 'px'}"


def labelled(node: ir.Para) -> bool:
    """Whether a numbered paragraph begins with its own label (a statute's ``第一条``), which is its number."""
    first = node.children[0] if node.children else None
    return isinstance(first, ir.Span) and "label" in first.classes


def image(parent: etree._Element, node: ir.Image, ctx: Context, *, block: bool = False) -> None:
    """An ``img`` (never wider than the text column), or a visible placeholder when the picture is missing."""
    medium = shown(ctx.media, node.media, ctx.allowed) if node.media else None
    alt = plain(node.alt)
    if medium is None:
        what = placeholder(ctx.diag, ctx.media, node)
        ph = etree.SubElement(parent, "span", {"class": "missing-image", "role": "img",
                                               "aria-label": f"picture not shown: {what}"})
        _append_text(ph, f"[{what}]")
        return
    src = ctx.media_href(medium) if ctx.media_href else \
        f"data:{medium.media_type};base64,{base64.b64encode(medium.data).decode('ascii')}"
    attrs = {"src": src, "alt": alt}
    if node.title:
        attrs["title"] = node.title
    styles = []
    width, height = _dim(node.width), _dim(node.height)
    if width:
        styles.append(f"width: {width}")
    elif medium.width and not block:
        styles.append(f"width: {medium.width * 0.75:g}pt")  # px at 96 dpi, in pt
    if height and width:
        styles.append("height: auto")
    if styles:
        attrs["style"] = "; ".join(styles)
    if medium.width and medium.height:
        attrs["width"], attrs["height"] = str(medium.width), str(medium.height)
    etree.SubElement(parent, "img", attrs)


def equation(parent: etree._Element, node: ir.Math, ctx: Context) -> None:
    """MathML (HTML, EPUB), an SVG picture (print), or the TeX source when neither can be made."""
    if ctx.profile == "print":
        from ..mathrender import svg
        made = svg(node.tex, node.display)
        if made is not None:
            data, width, height, depth = made
            uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
            etree.SubElement(parent, "img", {
                "class": "math display" if node.display else "math", "src": uri, "alt": node.tex,
                "style": f"width: {width:.2f}pt; height: {height:.2f}pt; vertical-align: -{depth:.2f}pt"})
            return
    else:
        math = ctx.math.get((node.tex, node.display))
        if math is not None:
            el = etree.fromstring(etree.tostring(math))
            el.set("alttext", node.tex)
            if node.display:
                el.set("display", "block")
            parent.append(el)
            return
    if ctx.profile == "print":
        from ..mathrender import kept_as_tex
        kept_as_tex(ctx.diag, node.tex, "no picture of it could be drawn")
    code = etree.SubElement(parent, "code", {"class": "tex math"})
    code.text = f"$${node.tex}$$" if node.display else f"${node.tex}$"


def caption(parent: etree._Element, label: str | None, text: tuple[ir.Inline, ...], ctx: Context,
            lang: str | None) -> None:
    """A caption's label (``Figure 1``) in ``span.label``, then its text."""
    if label:
        lab = etree.SubElement(parent, "span", {"class": "label"})
        lab.text = label
        lab.tail = " " if text else None
    inlines(parent, text, ctx, lang)


def _e(tag: str, attrib: dict[str, str] | None = None, *children: etree._Element) -> etree._Element:
    el = etree.Element(tag, attrib or {})
    for c in children:
        el.append(c)
    return el


def _append_text(parent: etree._Element, text: str) -> None:
    # ``len(parent)`` walks every child in lxml (quadratic over a paragraph of thousands of note calls);
    # ``parent[-1]`` is the last child at once
    try:
        last = parent[-1]
    except IndexError:
        parent.text = (parent.text or "") + text
        return
    last.tail = (last.tail or "") + text


#: 间隔号 between two Han characters: set full width (``span.interpunct``, ``fwid``) in EPUB, HTML and the PDF.
INTERPUNCT = re.compile(f"(?<=[{HAN}])\u00b7(?=[{HAN}])")


def _text(parent: etree._Element, text: str, ctx: Context) -> None:
    for piece, sides in autospace(text):
        if sides:
            classes = "latin" + (" gl" if "l" in sides else "") + (" gr" if "r" in sides else "")
            span = etree.SubElement(parent, "span", {"class": classes})
            span.text = piece
        elif "\u00b7" in piece and ctx.profile != "print" and INTERPUNCT.search(piece):
            pos = 0
            for m in INTERPUNCT.finditer(piece):
                _append_text(parent, piece[pos:m.start()])
                etree.SubElement(parent, "span", {"class": "interpunct"}).text = m.group()
                pos = m.end()
            _append_text(parent, piece[pos:])
        else:
            _append_text(parent, piece)


def _lang_attrs(lang: str | None, parent_lang: str | None, ctx: Context) -> dict[str, str]:
    """``lang`` (and ``dir`` where the direction changes) for a part in ``lang`` inside one in ``parent_lang``."""
    if not lang or lang == parent_lang:
        return {}
    attrs = {"lang": lang}
    if direction(lang) != direction(parent_lang):
        attrs["dir"] = direction(lang)
    if ctx.profile == "epub":
        attrs["{http://www.w3.org/XML/1998/namespace}lang"] = lang
    return attrs


def inlines(parent: etree._Element, nodes: Iterable[ir.Inline], ctx: Context, lang: str | None) -> None:
    """Render inline nodes into ``parent``."""
    for node in nodes:
        match node:
            case ir.Text(text=t):
                _text(parent, t, ctx)
            case ir.Emph(children=c):
                inlines(etree.SubElement(parent, "em"), c, ctx, lang)
            case ir.Strong(children=c):
                inlines(etree.SubElement(parent, "strong"), c, ctx, lang)
            case ir.Code(text=t):
                etree.SubElement(parent, "code", {"dir": "ltr"} if is_rtl(lang) else {}).text = t
            case ir.Link(children=c, target=target, title=title):
                if parent.tag == "a" or any(a.tag == "a" for a in parent.iterancestors()):
                    inlines(parent, c, ctx, lang)  # a link inside a link: HTML forbids it, the outer one wins
                    continue
                attrs = {"href": ctx.href(target[1:]) if target.startswith("#") else target}
                if title:
                    attrs["title"] = title
                inlines(etree.SubElement(parent, "a", attrs), c, ctx, lang)
            case ir.Span(children=c) if FILE_LINK in node.classes:
                href = file_link_target(node)  # a link to another file: a link beside the HTML, text in one file
                if href is not None and ctx.profile != "html":
                    file_link_dropped(ctx.diag, href, "epub" if ctx.profile == "epub" else "pdf")
                if href is None or ctx.profile != "html" or parent.tag == "a" \
                        or any(a.tag == "a" for a in parent.iterancestors()):
                    inlines(parent, c, ctx, lang)
                    continue
                inlines(etree.SubElement(parent, "a", {"href": href}), c, ctx, lang)
            case ir.Span(children=c, lang=sub, classes=classes, attrs=extra):
                attrs = _lang_attrs(sub, lang, ctx)
                if classes:
                    attrs["class"] = " ".join(classes)
                for k, v in extra:
                    if re.fullmatch(r"[a-z][a-z0-9-]*", k):
                        attrs[f"data-{k}"] = v
                inlines(etree.SubElement(parent, "span", attrs), c, ctx, sub or lang)
            case ir.BookTitle(children=c, open=o, close=cl):
                cite = etree.SubElement(parent, "cite", {"class": "book-title"})
                cite.text = o
                inlines(cite, c, ctx, lang)
                _append_text(cite, cl)
            case ir.NoteRef(note_id=note_id, marker=marker):
                # a note called again gets its own anchor (fnref-3-2): ids stay unique, the back link goes to the first
                nth = ctx.calls[note_id] = ctx.calls.get(note_id, 0) + 1
                ref = f"fnref-{note_id.removeprefix('fn-')}" + (f"-{nth}" if nth > 1 else "")
                attrs = {"class": "noteref", "id": ref, "href": ctx.href(note_id), "role": "doc-noteref"}
                if ctx.profile == "epub":
                    attrs[f"{{{EPUB_NS}}}type"] = "noteref"
                sup = etree.SubElement(parent, "sup")
                etree.SubElement(sup, "a", attrs).text = marker
            case ir.LineBreak():
                etree.SubElement(parent, "br")
            case ir.Image():
                image(parent, node, ctx)
            case ir.Math():
                equation(parent, node, ctx)
            case ir.Milestone(unit=unit, n=n):
                attrs = {"class": f"milestone {unit}"}
                if n:
                    attrs["data-n"] = n
                mark = etree.SubElement(parent, "span", attrs)
                if unit == "page" and ctx.options.source_pages and n:
                    mark.text = f"[{n}]"
                    mark.set("title", f"page {n} of the source edition")
                elif unit == "line" and ctx.options.source_lines and n:
                    mark.text = f"|{n}|"
                    mark.set("title", f"line {n} of the source edition")
            case ir.Choice(readings=rs):
                span = etree.SubElement(parent, "span", {"class": f"choice {node.kind}"})
                if len(rs) > 1:
                    others = (r for i, r in enumerate(rs) if i != node.shown)
                    span.set("title", "; ".join(f"{r.role}: {plain(r.children)}" for r in others)[:500])
                inlines(span, shown_reading(node), ctx, lang)
            case _:
                assert_never(node)


def block(node: ir.Block, ctx: Context, lang: str | None) -> etree._Element:
    """Render one block (headings become bare ``h1``–``h6``; sections are built by :func:`body`).

    Long because: one ``match`` case per block type of the IR's closed list, ending in ``assert_never``, as a
    pandoc writer's ``blockToHtml`` — split up, the type checker could no longer see that every type is handled."""
    match node:
        case ir.Heading():
            level = min(max(node.level, 1), 6)
            el = _e(f"h{level}", _lang_attrs(node.lang, lang, ctx))
            if node.id:
                el.set("id", node.id)
            if node.label:
                lab = etree.SubElement(el, "span", {"class": "label"})
                lab.text = node.label
                lab.tail = " "
            inlines(el, node.children, ctx, node.lang or lang)
            return el
        case ir.Para():
            attrs = _lang_attrs(node.lang, lang, ctx)
            if node.id:
                attrs["id"] = node.id
            # a statute's article shows its own label (第一条), not a second number before it
            shown = node.number is not None and not labelled(node)
            if node.number is not None:
                attrs["class"] = "numbered" if shown else "article"
                attrs["data-number"] = node.number
            el = _e("p", attrs)
            if shown:
                num = etree.SubElement(el, "span", {"class": "para-num"})
                num.text = f"{node.number}."
                num.tail = " " if ctx.profile == "html" else None
            inlines(el, node.children, ctx, node.lang or lang)
            return el
        case ir.Box():
            attrs = {"class": "box", **_lang_attrs(node.lang, lang, ctx)}
            if node.id:
                attrs["id"] = node.id
                if node.title:  # an untitled box (a Word text box) has no empty title to label it
                    attrs["aria-labelledby"] = f"{node.id}-title"
            el = _e("aside", attrs)
            if node.title:
                title = etree.SubElement(el, "p", {"class": "box-title"})
                if node.id:
                    title.set("id", f"{node.id}-title")
                inlines(title, node.title, ctx, node.lang or lang)
            for b in node.blocks:
                el.append(block(b, ctx, node.lang or lang))
            return el
        case ir.ListBlock():
            el = _e("ol" if node.ordered else "ul")
            if node.ordered and node.start != 1:
                el.set("start", str(node.start))
            has_labels = any(item.label for item in node.items)
            if has_labels:  # the source's own labels ((一), (a), 1)) are shown, not the browser's numbers
                el.set("class", "labelled")
            for item in node.items:
                li = etree.SubElement(el, "li")
                if item.label:
                    li.set("data-label", item.label)
                rendered = [block(b, ctx, lang) for b in item.blocks]
                if has_labels and item.label:
                    lab = _e("span", {"class": "item-label"})
                    lab.text = item.label
                    lab.tail = "\u3000" if _HAN_CHAR.search(item.label) else " "
                    if rendered and rendered[0].tag == "p":
                        first = rendered[0]
                        lab.tail += first.text or ""
                        first.text = None
                        first.insert(0, lab)
                    else:
                        li.append(lab)
                for r in rendered:
                    li.append(r)
            return el
        case ir.BlockQuote():
            el = _e("blockquote", _lang_attrs(node.lang, lang, ctx))
            for b in node.blocks:
                el.append(block(b, ctx, node.lang or lang))
            return el
        case ir.Table():
            el = _e("table")
            if node.id:
                el.set("id", node.id)
            if node.caption or node.label:
                caption(etree.SubElement(el, "caption"), node.label, node.caption, ctx, lang)
            widths = column_widths(node)  # the source's when they differ, else from content (colwidths.py)
            if widths:
                total = sum(widths) or 1.0
                cols = etree.SubElement(el, "colgroup")
                for w in widths:
                    etree.SubElement(cols, "col", {"style": f"width: {100 * w / total:.1f}%"})
            aligned = cell_aligns(node)  # a column the source set flush right (figures) or centred
            groups = (("thead", node.rows[: node.head_rows]), ("tbody", node.rows[node.head_rows:]))
            for tag, rows in groups:
                if not rows:
                    continue
                group = etree.SubElement(el, tag)
                for row in rows:
                    tr = etree.SubElement(group, "tr")
                    for cell in row:
                        td = etree.SubElement(tr, "th" if cell.header or tag == "thead" else "td")
                        if cell.colspan > 1:
                            td.set("colspan", str(cell.colspan))
                        if cell.rowspan > 1:
                            td.set("rowspan", str(cell.rowspan))
                        if id(cell) in aligned:
                            td.set("style", f"text-align: {aligned[id(cell)]}")
                        for b in cell.blocks:
                            td.append(block(b, ctx, lang))
            return el
        case ir.Figure():
            fig = _e("figure", {"class": "figure"})
            if node.id:
                fig.set("id", node.id)
            for img in node.images:
                image(fig, img, ctx, block=True)
            if node.caption or node.label:
                caption(etree.SubElement(fig, "figcaption"), node.label, node.caption, ctx, lang)
            return fig
        case ir.CodeBlock():
            pre = _e("pre", {"dir": "ltr"} if is_rtl(lang) else {})  # code reads left to right in any language
            code = etree.SubElement(pre, "code")
            if node.language:
                code.set("class", f"language-{node.language}")
            code.text = node.text
            return pre
        case ir.Div():
            attrs = _lang_attrs(node.lang, lang, ctx)
            if node.classes:
                attrs["class"] = " ".join(node.classes)
            if node.id:
                attrs["id"] = node.id
            for k, v in node.attrs:
                if re.fullmatch(r"[a-z][a-z0-9-]*", k):
                    attrs[f"data-{k}"] = v
            el = _e("div", attrs)
            for b in node.blocks:
                el.append(block(b, ctx, node.lang or lang))
            return el
        case _:
            assert_never(node)


def sections(blocks: Iterable[ir.Block], ctx: Context, lang: str | None) -> list[etree._Element]:
    """Blocks as nested ``section`` elements, one per heading, opened and closed by heading level."""
    top: list[etree._Element] = []
    stack: list[tuple[int, etree._Element]] = []
    for b in blocks:
        if isinstance(b, ir.Heading):
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            sec = _e("section", {"class": f"level{min(b.level, 6)}"})
            if b.role:  # a book's division: its kind for styles, EPUB's structural semantics and DPUB-ARIA
                sec.set("class", f"level{min(b.level, 6)} {b.role}")
                if ctx.profile == "epub":
                    sec.set(f"{{{EPUB_NS}}}type", b.role)
                if b.role in ARIA:
                    sec.set("role", ARIA[b.role])
            head = block(b, ctx, lang)
            # h1–h6 follow the nesting, never skipping a rank (a wiki sub-heading directly under a chapter
            # is an h2 there); the source's level stays in the section's class.
            head.tag = f"h{min(len(stack) + 1, 6)}"
            sec.append(head)
            if stack:
                stack[-1][1].append(sec)
            else:
                top.append(sec)
            stack.append((b.level, sec))
        else:
            el = block(b, ctx, lang)
            if stack:
                stack[-1][1].append(el)
            else:
                top.append(el)
    return top


def title_block(doc: ir.Document, ctx: Context) -> etree._Element:
    """The title page: title, subtitle, symbol, author, date and place, session, publisher, edition notes.

    Only what the metadata holds: a document without any of it gets an empty ``header`` (no invented
    "Untitled"), which the EPUB and PDF writers leave out."""
    m = doc.metadata
    header = _e("header", {"class": "titlepage"})
    rows: list[tuple[str, str, str | None]] = [
        ("p", "symbol", m.symbol),
        ("h1", "title", m.title),
        ("p", "subtitle", m.subtitle),
        ("p", "session", m.session),
        ("p", "author", "、".join(m.authors) if m.authors else None),
        ("p", "date-place", " ".join(x for x in (display_date(m.date, m.language), m.place) if x) or None),
        ("p", "publisher", m.publisher),
    ]
    for tag, cls, value in rows:
        if value:
            el = etree.SubElement(header, tag, {"class": cls})
            if cls == "date-place" and m.date:
                stamp = iso_date(m.date)  # a source's date may be a CVS keyword or a range: @datetime must be a date
                t = etree.SubElement(el, "time", {"datetime": stamp} if stamp else {})
                _text(t, display_date(m.date, m.language) or m.date, ctx)
                if m.place:
                    _append_text(el, " ")
                    _text(el, m.place, ctx)
            else:
                _text(el, value, ctx)
    for note in m.edition_notes:
        _text(etree.SubElement(header, "p", {"class": "edition-note"}), note, ctx)
    return header


def footnotes(doc: ir.Document, ctx: Context, lang: str | None) -> etree._Element | None:
    """The notes section, each note linking back to its call."""
    if not doc.notes:
        return None
    sec = _e("section", {"class": "footnotes", "role": "doc-endnotes"})
    if ctx.profile == "epub":
        sec.set(f"{{{EPUB_NS}}}type", "footnotes")
    for note in doc.notes:
        sec.append(footnote(note, ctx, lang))
    return sec


def footnote(note: ir.Note, ctx: Context, lang: str | None) -> etree._Element:
    """One note body as an ``aside`` (EPUB pop-up footnote) starting with its marker, a link back to the call."""
    attrs = {"id": note.id, "class": "footnote", "role": "doc-footnote", **_lang_attrs(note.lang, lang, ctx)}
    if ctx.profile == "epub":
        attrs[f"{{{EPUB_NS}}}type"] = "footnote"
    aside = _e("aside", attrs)
    back = _e("a", {"class": "note-back", "href": ctx.href(f"fnref-{note.id.removeprefix('fn-')}"),
                    "role": "doc-backlink"})
    back.text = note.marker
    rendered = [block(b, ctx, note.lang or lang) for b in note.blocks]
    if rendered and rendered[0].tag == "p":
        first = rendered[0]
        back.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, back)
    else:
        rendered.insert(0, _e("p", {}, back))
    for el in rendered:
        aside.append(el)
    return aside


def rights(doc: ir.Document, ctx: Context, lang: str | None) -> etree._Element | None:
    """The rights statement."""
    if not doc.metadata.rights:
        return None
    footer = _e("footer", {"class": "rights"})
    for b in doc.metadata.rights:
        footer.append(block(b, ctx, lang))
    return footer


def head(doc: ir.Document, ctx: Context, *, css: Iterable[str] = ()) -> etree._Element:
    """``head`` with title and metadata."""
    m = doc.metadata
    h = _e("head")
    etree.SubElement(h, "meta", {"charset": "utf-8"})
    title = etree.SubElement(h, "title")
    title.text = m.title or m.symbol or (m.source or "document")
    metas = [("author", "、".join(m.authors)), ("dcterms.identifier", m.symbol), ("dcterms.date", m.date),
             ("dcterms.publisher", m.publisher), ("description", m.subtitle or m.session),
             ("generator", "docpipe")]
    if ctx.options.source_date_epoch is not None:
        stamp = datetime.fromtimestamp(ctx.options.source_date_epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        metas.append(("dcterms.modified", stamp))
    for name, content in metas:
        if content and url_scheme(content) in ACTIVE_SCHEMES:
            # a <meta content> a browser or a feed reader could take for an active URL: the value is on the
            # title page as text; it is not put in an attribute
            ctx.diag.emit("writer-dropped", f"the {name} {content[:40]!r} reads as an active URL "
                          "(javascript:, data:…): not written as a <meta>")
        elif content:
            etree.SubElement(h, "meta", {"name": name, "content": content})
    for href in css:
        etree.SubElement(h, "link", {"rel": "stylesheet", "href": href})
    return h


def render_document(doc: ir.Document, options: Options, diag: Diagnostics, *, profile: Profile = "html",
                    css: Iterable[str] = (), inline_css: str | None = None,
                    media_href: Callable[[ir.Media], str] | None = None) -> etree._Element:
    """The whole document as an ``html`` element tree (no namespace; see :func:`to_xhtml`)."""
    doc = for_edition(doc, options)  # the edition's ISBN on a book's copyright page
    lang = doc.metadata.language
    ctx = Context(options, diag, profile, lang, lambda i: f"#{i}", media=by_name(doc), media_href=media_href,
                  math=math_table(doc, options, diag) if profile != "print" else {})
    root = _e("html", ({"lang": lang} if lang else {}) | ({"dir": "rtl"} if is_rtl(lang) else {}))
    h = head(doc, ctx, css=css)
    if inline_css:
        etree.SubElement(h, "style").text = inline_css
    root.append(h)
    body = etree.SubElement(root, "body")
    if not has_role(doc, "titlepage"):  # a book with a title page of its own shows that one
        body.append(title_block(doc, ctx))
    main = etree.SubElement(body, "main")
    for el in sections(doc.blocks, ctx, lang):
        main.append(el)
    # The source's order: body, closing rights notice, then the notes at the very end.
    r = None if has_role(doc, "copyright-page") else rights(doc, ctx, lang)  # a copyright page shows them
    if r is not None:
        body.append(r)
    notes = footnotes(doc, ctx, lang)
    if notes is not None:
        body.append(notes)
    return root


def to_xhtml(root: etree._Element) -> etree._Element:
    """A copy of ``root`` moved into the XHTML namespace (``xml:lang`` mirrored from ``lang``)."""
    copy = etree.fromstring(etree.tostring(root))
    for el in copy.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{XHTML_NS}}}{el.tag}"
        if el.get("lang") and not el.get("{http://www.w3.org/XML/1998/namespace}lang"):
            el.set("{http://www.w3.org/XML/1998/namespace}lang", el.get("lang", ""))
    return copy


def stylesheet(name: str) -> str:
    """The text of ``styles/NAME`` ('' when absent)."""
    path = STYLES_DIR / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


def media_folder(options: Options) -> str | None:
    """The folder beside the output that holds its pictures (``NAME.media``); None: embed them as data: URLs."""
    return f"{options.output_name}.media" if options.output_name else None
