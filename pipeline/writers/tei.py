"""TEI P5 (valid against ``tei_all`` and its Schematron rules) from the IR; :mod:`pipeline.readers.tei` reads it back.

Encoding choices:

* Headings become nested ``div``s, ``@type`` from the level (``chapter``, ``section``, ``subsection``,
  ``subsection4``…); the source's label is ``head/label`` (``<head><label>第一章</label>導言</head>``).
* Numbered paragraphs: ``<p n="12" xml:id="para-12">``.
* **Boxes** are ``<floatingText type="box">`` with their own ``body``, ``head`` (the title) and paragraphs:
  the TEI element for a text that interrupts the main text at a point without belonging to its flow, which
  is what a sidebar is; it may stand between paragraphs (a ``div`` may not) and carries ``xml:lang``.
  Generic containers (IR ``Div``) are ``<ab rend="CLASSES @key=value">`` when they hold one paragraph, else
  ``<floatingText type="div" rend="…">``; generic spans are ``<seg rend="…">``.
* Footnotes: ``<note place="foot" n="1" xml:id="fn-1">`` at the point of reference; a second call of the
  same note is ``<ptr type="noteref" target="#fn-1"/>``; notes never called go to ``back``.
* Book titles keep their marks as text around ``<title>``: ``《<title>憲章</title>》``.
* Every normalisation is recorded where it happened: ``<choice><orig>…</orig><reg type="docpipe-normalisation">
  …</reg></choice>``, so the text as written can be read back exactly.
* The header records the edition, the source file, the rights (``availability/licence``), every processing
  step with its counts (``editorialDecl/normalization``) and every language used (``langUsage``).

TEI from elsewhere (the reader keeps its ``teiHeader`` in ``Metadata.extra`` under ``tei-header``) is written
back in its own shape: its header with ours merged in (an ``editorialDecl`` and a ``change``, both with an
``xml:id`` starting ``docpipe-``), its ``front``/``back``, and every element the IR holds as a generic container
(``Span``/``Div`` whose only class is ``tei-NAME``) as ``<NAME>`` again, with the attributes ``tei_all`` allows
it; attributes it does not allow, and elements of other namespaces, are kept in ``@rend`` tokens of a valid
element (``<ab rend="tei-{ns}name @key=value">``), so nothing is dropped and the file stays valid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import assert_never
from urllib.parse import quote, unquote

from lxml import etree

from .. import __version__, ir
from ..cjk.dates import when
from ..diagnostics import Diagnostics
from ..media import by_name
from ..options import Options
from ..walk import iter_blocks, iter_inlines_all

TEI = "http://www.tei-c.org/ns/1.0"
XML = "http://www.w3.org/XML/1998/namespace"
LEVEL_TYPES = {1: "chapter", 2: "section", 3: "subsection"}
STEP_TITLES = {
    "report-reader": "Plain-text report reader: wiki furniture removed, paragraphs repaired",
    "numbers": "Digit groups joined with a no-break space",
    "script": "Script conversion (OpenCC)",
    "lang": "Language tags assigned",
    "quotes": "Quotation marks of the edition",
    "punctuation": "Full-width punctuation in Chinese text",
    "spacing": "Line-wrap spaces removed (the Han–Latin gap is left to rendering)",
    "ids": "Stable identifiers assigned",
}
EDITIONS = {"keep": "as written", "hant": "Traditional Chinese", "hans": "Simplified Chinese",
            "tw": "Traditional Chinese, Taiwan", "hk": "Traditional Chinese, Hong Kong"}
LANG_NAMES = {"zh-Hant": "Chinese (Traditional)", "zh-Hans": "Chinese (Simplified)",
              "zh-Hant-TW": "Chinese (Traditional, Taiwan)", "zh-Hant-HK": "Chinese (Traditional, Hong Kong)",
              "en": "English"}

#: ``Metadata.extra`` keys of TEI read from elsewhere: its header, the resources beside its text (``facsimile``,
#: ``sourceDoc``, ``standOff``), each serialized, and the attributes of its ``TEI``, ``text`` and ``body``.
HEADER_KEY = "tei-header"
RESOURCE_KEY = "tei-resource"
ATTRS_KEY = "tei-attrs:"
#: ``xml:id`` of docpipe's own header (its absence marks a header from elsewhere) and prefix of what docpipe
#: adds to a header from elsewhere (removed again when that file is read back).
OWN_HEADER_ID = "docpipe-edition"
ADDED_PREFIX = "docpipe-"
SOURCE_HEADER_ID = "docpipe-source-header"
#: Generic-container classes with a meaning here: a wrapper giving the one block or inline inside it the
#: source's attributes; a note's attributes and body; a note standing between blocks; blocks that were blocks
#: in the source (so one paragraph is not written as inline content).
ATTRS_WRAPPER = "tei-attrs"
#: Pseudo-attribute of an attribute wrapper: the source's element, when the IR node inside is written as another
#: (``<hi rend="italic">`` held as Emph); not an XML name, so no real attribute can take its place.
RENAME = "(element)"
NOTE_WRAPPER = "tei-note"
BLOCK_NOTE = "tei-block-note"
EXPLICIT_BLOCKS = "tei-blocks"
#: Where a note that points at its anchor (``note@target``) stood in the source: the IR calls it at the anchor,
#: the TEI writer puts it back here (``attrs`` holds ``("note", NOTE_ID)``).
NOTE_PLACE = "tei-note-place"
FRONT, BACK, GROUP = "tei-front", "tei-back", "tei-group"
#: ``div/@type`` of a generic container with blocks in front or back matter (where floatingText may not stand).
CONTAINER_DIV = "docpipe-container"
#: ``ab/@type`` of a heading where tei_all allows no ``head`` (in a quotation, an item, a cell, after content).
HEADING_AB = "docpipe-heading"
READING_ROLES = {True: frozenset({"lem", "rdg"}),
                 False: frozenset({"orig", "reg", "sic", "corr", "abbr", "expan", "seg", "unclear", "supplied"})}


def _tei_length(value: str | None) -> str | None:
    """A TEI ``teidata.outputMeasurement`` (``6.5in``, ``40%``) or None."""
    if value and re.fullmatch(r"[\-+]?\d+(\.\d+)?(%|cm|mm|in|pt|pc|px|em|ex|gd|rem|vw|vh|em|ch)", value.strip()):
        return value.strip()
    return None


def level_type(level: int) -> str:
    """The ``div/@type`` of a heading level."""
    return LEVEL_TYPES.get(level, f"subsection{level}")


def _enc(s: str) -> str:
    """``s`` as (part of) one ``teidata.word`` token: ``%``, ``=``, ``@`` and separators/controls percent-encoded."""
    return "".join(quote(c, safe="") if c in "%=@" or unicodedata.category(c)[0] in "CZ" else c for c in s)


def rend(classes: tuple[str, ...], attrs: tuple[tuple[str, str], ...]) -> str | None:
    """``@rend`` tokens for a generic container: its classes, then ``@key=value`` (percent-encoded) attributes."""
    tokens = [_enc(c) for c in classes]
    tokens += [f"@{_enc(k)}={_enc(v)}" for k, v in attrs]
    return " ".join(tokens) or None


def unrend(value: str | None) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The inverse of :func:`rend`."""
    classes: list[str] = []
    attrs: list[tuple[str, str]] = []
    for token in (value or "").split():
        if token.startswith("@") and "=" in token:
            k, _, v = token[1:].partition("=")
            attrs.append((unquote(k), unquote(v)))
        else:
            classes.append(unquote(token))
    return tuple(classes), tuple(attrs)


def tei_name(classes: tuple[str, ...]) -> str | None:
    """The TEI element a generic container stands for (its only class is ``tei-NAME``), if docpipe writes it."""
    if len(classes) == 1 and classes[0].startswith("tei-") and classes[0][4:] in TEI_ELEMENTS:
        return classes[0][4:]
    return None


def allowed(name: str) -> frozenset[str]:
    """The attributes ``tei_all`` allows on ``name`` (``xml:``-prefixed for the XML namespace)."""
    extra = ATTS.get(name)
    return ATT_GLOBAL | frozenset(extra.split()) if extra is not None else ATT_GLOBAL


def set_attrs(el: etree._Element, name: str, attrs: Iterable[tuple[str, str]], *, replace: bool = False) -> None:
    """Give ``el`` (a TEI ``name``) the source's attributes: those the schema allows it as themselves, the others
    as ``@key=value`` tokens of ``@rend`` after its own rend, so that nothing is lost and the file stays valid."""
    if replace:
        for k in [k for k in el.attrib if not k.startswith(f"{{{XML}}}")]:
            del el.attrib[k]
    ok = allowed(name)
    own_rend: str | None = None
    tokens: list[str] = []
    for k, v in attrs:
        if k == "rend":
            own_rend = v
        elif k in ok and k.startswith("xml:"):
            el.set(f"{{{XML}}}{k[4:]}", v)
        elif k in ok:
            el.set(k, v)
        else:
            tokens.append(f"@{_enc(k)}={_enc(v)}")
    if tokens or own_rend is not None:
        el.set("rend", " ".join(([own_rend] if own_rend else []) + tokens) or "")


def _t(tag: str) -> str:
    return f"{{{TEI}}}{tag}"


def _sub(parent: etree._Element, tag: str, attrib: dict[str, str | None] | None = None,
         text: str | None = None) -> etree._Element:
    el: etree._Element = etree.SubElement(parent, _t(tag), {k: v for k, v in (attrib or {}).items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _append(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def plain_para(b: ir.Block) -> bool:
    """A paragraph with nothing but inline content (no number, id or language): written as inline content."""
    return isinstance(b, ir.Para) and b.number is None and b.id is None and b.lang is None


NORMALISATION = "docpipe-normalisation"
#: Texts longer than this are compared as a whole rather than character by character (the alignment is
#: quadratic in the worst case); equal-length texts (script conversion) are always compared linearly.
MAX_ALIGN = 4000


def changes(orig: str, text: str) -> list[tuple[str, str]]:
    """``text`` as pieces ``(orig, reg)``: equal where nothing changed, different where a normalisation did."""
    if len(orig) == len(text):
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(text):
            j = i
            same = orig[i] == text[i]
            while j < len(text) and (orig[j] == text[j]) == same:
                j += 1
            out.append((orig[i:j], text[i:j]))
            i = j
        return out
    if len(orig) + len(text) > MAX_ALIGN:
        return [(orig, text)]
    from difflib import SequenceMatcher
    out = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, orig, text, autojunk=False).get_opcodes():
        out.append((orig[a1:a2], text[b1:b2]) if op != "equal" else (text[b1:b2], text[b1:b2]))
    return out


def write_text(parent: etree._Element, node: ir.Text) -> None:
    """The text; where a normalisation changed the source, ``<choice>`` with the source's ``orig`` and the
    edition's ``<reg type="docpipe-normalisation">`` (TEI's own encoding of regularisation, so the text as
    written can be read back exactly)."""
    if node.orig is None:
        _append(parent, node.text)
        return
    for before, after in changes(node.orig, node.text):
        if before == after:
            _append(parent, after)
            continue
        choice = _sub(parent, "choice")
        _sub(choice, "orig", text=before or None)
        _sub(choice, "reg", {"type": NORMALISATION}, text=after or None)


def _lang(el: etree._Element, lang: str | None, parent: str | None) -> None:
    # Every tag the IR carries is written, even where it repeats the parent's: the round trip is exact.
    if lang:
        el.set(f"{{{XML}}}lang", lang)


def extra_values(m: ir.Metadata, key: str) -> list[str]:
    """The values of ``key`` in ``m.extra``, in order."""
    return [v for k, v in m.extra if k == key]


def safe_fragment(xml: str) -> etree._Element | None:
    """Parse a serialized element kept in the IR (it may come from an untrusted ``.ir.json``): no DTD, no
    entities, no network; None if it is not well-formed."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_pis=True)
    if "<!ENTITY" in xml or "<!DOCTYPE" in xml:
        return None
    try:
        el: etree._Element = etree.fromstring(xml.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return el


class _Writer:
    def __init__(self, doc: ir.Document, options: Options, diag: Diagnostics) -> None:
        self.doc = doc
        self.options = options
        self.diag = diag
        self.notes = {n.id: n for n in doc.notes}
        self.placed: set[str] = set()
        self.langs: set[str] = set()
        self.media = by_name(doc)
        self.media_dir = f"{options.output_name}.media" if options.output_name else "media"
        self.head_checked: dict[etree._Element, tuple[int, bool]] = {}
        headers = extra_values(doc.metadata, HEADER_KEY)
        self.foreign_header = headers[0] if headers else None
        self.foreign = self.foreign_header is not None
        self.deferred = {v for c in _generic_nodes(doc) if c.classes == (NOTE_PLACE,) for k, v in c.attrs
                         if k == "note"} if self.foreign else set()

    # ------------------------------------------------------------------ inlines
    def inlines(self, parent: etree._Element, nodes: Iterable[ir.Inline], lang: str | None) -> None:
        for node in nodes:
            match node:
                case ir.Text():
                    write_text(parent, node)
                case ir.Emph(children=c):
                    self.inlines(_sub(parent, "emph"), c, lang)
                case ir.Strong(children=c):
                    self.inlines(_sub(parent, "hi", {"rend": "bold"}), c, lang)
                case ir.Code(text=t):
                    _sub(parent, "code", text=t)
                case ir.Link(children=c, target=target, title=title):
                    self.inlines(_sub(parent, "ref", {"target": target, "n": title}), c, lang)
                case ir.Span():
                    self.span(parent, node, lang)
                case ir.BookTitle(children=c, open=o, close=cl):
                    _append(parent, o)
                    self.inlines(_sub(parent, "title"), c, lang)
                    _append(parent, cl)
                case ir.NoteRef(note_id=note_id, marker=marker):
                    if note_id not in self.deferred:  # else the anchor before it calls the note
                        self.note(parent, note_id, marker, lang)
                case ir.LineBreak():
                    _sub(parent, "lb", {"type": "forced"})
                case ir.Image():
                    self.graphic(parent, node, lang)
                case ir.Math(tex=tex, display=display):
                    _sub(parent, "formula", {"notation": "TeX", "rend": "display" if display else "inline"}, tex)
                case ir.Milestone(unit=unit, n=n, attrs=attrs):
                    tag = {"line": "lb", "page": "pb", "column": "cb"}.get(unit, "milestone")
                    el = _sub(parent, tag, {"n": n, **({"unit": unit} if tag == "milestone" else {})})
                    set_attrs(el, tag, attrs)
                case ir.Choice(kind=kind, readings=rs, attrs=attrs):
                    tag = "app" if kind == "app" else "choice"
                    el = _sub(parent, tag)
                    set_attrs(el, tag, attrs)
                    for r in rs:
                        if r.role in READING_ROLES[kind == "app"] or (self.foreign and r.role in ATTS):
                            role = r.role
                        else:
                            role = "rdg" if kind == "app" else "seg"
                        child = _sub(el, role)
                        set_attrs(child, role, r.attrs)
                        self.inlines(child, r.children, lang)
                case _:
                    assert_never(node)

    def span(self, parent: etree._Element, node: ir.Span, lang: str | None) -> None:
        """A generic span: the TEI element it stands for, an attribute wrapper, or ``<seg rend="…">``."""
        # these conventions are those of TEI read from elsewhere; in docpipe's own documents a class that happens
        # to look like one is an ordinary class
        if self.foreign and node.classes == (NOTE_PLACE,):
            self.note_at_place(parent, node.attrs, lang)
            return
        if self.foreign and node.classes == (ATTRS_WRAPPER,) and len(node.children) == 1 and node.lang is None:
            before = len(parent)
            self.inlines(parent, node.children, lang)
            if len(parent) > before:
                el = parent[before]
                rename = dict(node.attrs).get(RENAME)
                if rename in TEI_ELEMENTS:
                    el.tag = _t(rename)
                set_attrs(el, etree.QName(el).localname, [a for a in node.attrs if a[0] != RENAME],
                          replace=rename is not None)
            return
        name = tei_name(node.classes) if self.foreign else None
        if name is not None:
            el = _sub(parent, name)
            set_attrs(el, name, node.attrs)
        else:
            el = _sub(parent, "seg", {"rend": rend(node.classes, node.attrs)})
        _lang(el, node.lang, lang)
        if node.lang:
            self.langs.add(node.lang)
        self.inlines(el, node.children, node.lang or lang)

    def graphic(self, parent: etree._Element, node: ir.Image, lang: str | None) -> None:
        """``graphic`` pointing at the picture in the media folder beside the TEI file, its alt text in ``desc``."""
        medium = self.media.get(node.media) if node.media else None
        if medium is None and self.foreign and node.source:
            # TEI from elsewhere points at its pictures; the pointer is kept even when the file did not travel
            self.diag.emit("writer-note", f"a picture that was not read is kept as the source's pointer "
                           f"({node.source[:80]})")
            g = _sub(parent, "graphic", {"url": node.source, "width": _tei_length(node.width),
                                         "height": _tei_length(node.height)})
            if node.alt:
                self.inlines(_sub(g, "desc"), node.alt, lang)
            return
        if medium is None:
            self.diag.emit("media-placeholder", f"a picture that was not read ({node.source or 'no source'}) is "
                           "recorded as a gap in TEI")
            gap = _sub(parent, "gap", {"reason": "picture-not-read"})
            if node.alt:
                self.inlines(_sub(gap, "desc"), node.alt, lang)
            return
        g = _sub(parent, "graphic", {"url": f"{self.media_dir}/{medium.name}", "mimeType": medium.media_type,
                                     "width": _tei_length(node.width), "height": _tei_length(node.height)})
        if node.alt:
            self.inlines(_sub(g, "desc"), node.alt, lang)

    def note(self, parent: etree._Element, note_id: str, marker: str, lang: str | None) -> None:
        note = self.notes.get(note_id)
        if note is None or note_id in self.placed:
            _sub(parent, "ptr", {"type": "noteref", "target": f"#{note_id}", "n": marker})
            return
        self.placed.add(note_id)
        el = _sub(parent, "note")
        blocks = note.blocks
        wrapper = blocks[0] if len(blocks) == 1 and isinstance(blocks[0], ir.Div) else None
        if self.foreign and wrapper is not None and wrapper.classes == (NOTE_WRAPPER,):
            set_attrs(el, "note", wrapper.attrs)
            blocks = wrapper.blocks
        else:
            el.set("place", "foot")
        el.set("n", marker)
        if not note.id.startswith("docpipe-note-"):  # an id docpipe made up for a note that had none
            el.set(f"{{{XML}}}id", note.id)
        if note.marker != marker and el.get("rend") is None:
            el.set("rend", f"marker:{note.marker}")
        _lang(el, note.lang, lang)
        if note.lang:
            self.langs.add(note.lang)
        self.content(el, blocks, note.lang or lang)

    def head_allowed(self, parent: etree._Element) -> bool:
        """Whether a ``head`` may come next in ``parent``: one that takes heads, before any of its content (the
        children already looked at are remembered, so a container of many headings stays linear)."""
        if etree.QName(parent).localname not in HEAD_PARENTS:
            return False
        seen, ok = self.head_checked.get(parent, (0, True))
        kids = [c for c in parent[seen:] if isinstance(c.tag, str)]
        ok = ok and all(etree.QName(c).localname in GLOBAL | DIV_TOP for c in kids)
        self.head_checked[parent] = (len(parent), ok)
        return ok

    def note_at_place(self, parent: etree._Element, attrs: tuple[tuple[str, str], ...], lang: str | None) -> None:
        note = self.notes.get(dict(attrs).get("note", ""))
        if note is not None:
            self.note(parent, note.id, note.marker, lang)

    # ------------------------------------------------------------------ blocks
    def blocks(self, parent: etree._Element, nodes: Iterable[ir.Block], lang: str | None) -> None:
        for b in nodes:
            self.block(parent, b, lang)

    def content(self, parent: etree._Element, blocks: tuple[ir.Block, ...], lang: str | None) -> None:
        """The body of a note, cell, item or element: one plain paragraph as inline content, else blocks."""
        if len(blocks) == 1 and plain_para(blocks[0]):
            para = blocks[0]
            assert isinstance(para, ir.Para)
            self.inlines(parent, para.children, lang)
        elif self.foreign and len(blocks) == 1 and isinstance(blocks[0], ir.Div) and \
                blocks[0].classes == (EXPLICIT_BLOCKS,):
            self.blocks(parent, blocks[0].blocks, lang)
        else:
            self.blocks(parent, blocks, lang)

    def block(self, parent: etree._Element, node: ir.Block, lang: str | None) -> None:
        match node:
            case ir.Heading():
                if self.head_allowed(parent):
                    head = _sub(parent, "head")
                else:  # a heading inside a quotation, item, cell…: tei_all has no head there
                    head = _sub(parent, "ab", {"type": HEADING_AB, "n": str(node.level)})
                self.heading_content(head, node, lang)
            case ir.Para():
                p = _sub(parent, "p", {"n": node.number})
                if node.id:
                    p.set(f"{{{XML}}}id", node.id)
                _lang(p, node.lang, lang)
                self.inlines(p, node.children, node.lang or lang)
            case ir.Box():
                ft = _sub(parent, "floatingText", {"type": "box"})
                if node.id:
                    ft.set(f"{{{XML}}}id", node.id)
                _lang(ft, node.lang, lang)
                if node.lang:
                    self.langs.add(node.lang)
                body = _sub(ft, "body")
                self.inlines(_sub(body, "head"), node.title, node.lang or lang)
                self.blocks(body, node.blocks, node.lang or lang)
                _fill(body)
            case ir.ListBlock():
                lst = _sub(parent, "list", {"type": "ordered" if node.ordered else "bulleted",
                                            "n": str(node.start) if node.start != 1 else None})
                for item in node.items:
                    self.content(_sub(lst, "item", {"n": item.label}), item.blocks, lang)
            case ir.BlockQuote():
                q = _sub(parent, "quote")
                _lang(q, node.lang, lang)
                self.blocks(q, node.blocks, node.lang or lang)
            case ir.Table():
                self.table(parent, node, lang)
            case ir.Figure():
                fig = _sub(parent, "figure")
                if node.id:
                    fig.set(f"{{{XML}}}id", node.id)
                if node.caption or node.label:
                    head = _sub(fig, "head")
                    if node.label:
                        _sub(head, "label", text=node.label)
                    self.inlines(head, node.caption, lang)
                for img in node.images:
                    self.graphic(fig, img, lang)
            case ir.CodeBlock():
                _sub(parent, "eg", {"rend": f"language-{node.language}" if node.language else None}, node.text)
            case ir.Div():
                self.div(parent, node, lang)
            case _:
                assert_never(node)

    def table(self, parent: etree._Element, node: ir.Table, lang: str | None) -> None:
        from ..tables import layout
        cols = layout(node)[1] if node.rows else 1
        table = _sub(parent, "table", {"rows": str(len(node.rows)), "cols": str(cols), "n": str(node.head_rows)})
        if node.id:
            table.set(f"{{{XML}}}id", node.id)
        if node.caption or node.label:
            head = _sub(table, "head")
            if node.label:
                _sub(head, "label", text=node.label)
            self.inlines(head, node.caption, lang)
        for i, row in enumerate(node.rows):
            r = _sub(table, "row", {"role": "label" if i < node.head_rows else None})
            for cell in row:
                c = _sub(r, "cell", {"cols": str(cell.colspan) if cell.colspan > 1 else None,
                                     "rows": str(cell.rowspan) if cell.rowspan > 1 else None,
                                     "role": "label" if cell.header else None})
                self.content(c, cell.blocks, lang)
        if not node.rows:
            _sub(_sub(table, "row"), "cell")

    def div(self, parent: etree._Element, node: ir.Div, lang: str | None) -> None:
        """A generic container: in TEI from elsewhere an attribute wrapper, a note between blocks or the TEI element
        it stands for; else ``<ab rend="…">`` / ``<floatingText type="div" rend="…">``."""
        if self.foreign and self.foreign_div(parent, node, lang):
            return
        token = rend(node.classes, node.attrs)
        if token and (not node.blocks or (len(node.blocks) == 1 and plain_para(node.blocks[0]))):
            ab = _sub(parent, "ab", {"rend": token})
            if node.id:
                ab.set(f"{{{XML}}}id", node.id)
            _lang(ab, node.lang, lang)
            self.content(ab, node.blocks, node.lang or lang)
            return
        if token and etree.QName(parent).localname in ("front", "back"):
            # a floatingText may not stand in front or back matter; a division may
            div = _sub(parent, "div", {"type": CONTAINER_DIV, "rend": token})
            if node.id:
                div.set(f"{{{XML}}}id", node.id)
            _lang(div, node.lang, lang)
            self.blocks(div, node.blocks, node.lang or lang)
            return
        ft = _sub(parent, "floatingText", {"type": "div", "rend": token})
        if node.id:
            ft.set(f"{{{XML}}}id", node.id)
        _lang(ft, node.lang, lang)
        body = _sub(ft, "body")
        self.blocks(body, node.blocks, node.lang or lang)
        _fill(body)

    def foreign_div(self, parent: etree._Element, node: ir.Div, lang: str | None) -> bool:
        """The generic containers of TEI read from elsewhere (see :mod:`pipeline.readers.tei`); False for others.
        In docpipe's own documents a class that happens to look like these is an ordinary class."""
        if node.classes == (ATTRS_WRAPPER,) and len(node.blocks) == 1:
            before = len(parent)
            self.block(parent, node.blocks[0], lang)
            if len(parent) > before:
                el = parent[before]
                written = etree.QName(el).localname
                set_attrs(el, written, node.attrs, replace=written in ("list", "table"))
            return True
        if node.classes == (BLOCK_NOTE,) and len(node.blocks) == 1 and isinstance(node.blocks[0], ir.Para):
            self.inlines(parent, node.blocks[0].children, lang)  # a note is allowed between blocks
            return True
        if node.classes == (EXPLICIT_BLOCKS,):
            self.blocks(parent, node.blocks, lang)
            return True
        if node.classes == (NOTE_PLACE,):
            self.note_at_place(parent, node.attrs, lang)
            return True
        name = tei_name(node.classes)
        if name is None:
            return False
        el = _sub(parent, name)
        set_attrs(el, name, node.attrs)
        if node.id:
            el.set(f"{{{XML}}}id", node.id)
        _lang(el, node.lang, lang)
        self.content(el, node.blocks, node.lang or lang)
        return True

    def heading_content(self, head: etree._Element, node: ir.Heading, lang: str | None) -> None:
        if node.id:
            head.set(f"{{{XML}}}id", node.id)
        _lang(head, node.lang, lang)
        if node.label is not None:
            _sub(head, "label", text=node.label)
        self.inlines(head, node.children, node.lang or lang)

    def body(self, parent: etree._Element, blocks: tuple[ir.Block, ...], lang: str | None) -> None:
        """Blocks with headings turned into nested divs (TEI from elsewhere keeps its own divs)."""
        if self.foreign:
            self.blocks(parent, blocks, lang)
            _fill(parent)
            return
        stack: list[tuple[int, etree._Element]] = []
        for b in blocks:
            if isinstance(b, ir.Heading):
                while stack and stack[-1][0] >= b.level:
                    stack.pop()
                container = stack[-1][1] if stack else parent
                div = _sub(container, "div", {"type": level_type(b.level)})
                self.heading_content(_sub(div, "head"), b, lang)
                stack.append((b.level, div))
            else:
                self.block(stack[-1][1] if stack else parent, b, lang)
        _fill(parent)

    # ------------------------------------------------------------------ header
    def header(self, tei: etree._Element) -> None:
        m = self.doc.metadata
        hdr = _sub(tei, "teiHeader")
        fd = _sub(hdr, "fileDesc")
        ts = _sub(fd, "titleStmt")
        _sub(ts, "title", {"type": "main"}, m.title or m.symbol or m.source or "Untitled")
        if m.subtitle:
            _sub(ts, "title", {"type": "sub"}, m.subtitle)
        for a in m.authors:
            _sub(ts, "author", text=a)
        es = _sub(fd, "editionStmt")
        es.set(f"{{{XML}}}id", OWN_HEADER_ID)
        script = self.options.script
        _sub(es, "edition", {"n": script},
             f"docpipe {__version__} edition: {EDITIONS.get(script, script)} ({m.language or 'und'})")
        ps = _sub(fd, "publicationStmt")
        details = bool(m.place or m.date or m.symbol or m.rights)
        # tei_all wants each group of details led by the agency responsible (publisher, distributor, authority)
        if m.publisher:
            _sub(ps, "publisher", text=m.publisher)
        elif details:
            _sub(ps, "authority", text="Not stated in the source")
        if m.place:
            _sub(ps, "pubPlace", text=m.place)
        if m.date:
            _sub(ps, "date", when(m.date), m.date)
        if m.symbol:
            _sub(ps, "idno", {"type": "symbol"}, m.symbol)
        if m.rights:
            lic = _sub(_sub(ps, "availability"), "licence")
            self.blocks(lic, m.rights, m.language)
        if not len(ps):
            _sub(ps, "p", text="Unpublished.")
        if m.series:
            ss = _sub(fd, "seriesStmt")
            for s in m.series:
                _sub(ss, "title", text=s)
        if m.session or m.edition_notes or m.extra:
            ns = _sub(fd, "notesStmt")
            if m.session:
                _sub(ns, "note", {"type": "session"}, m.session)
            for n in m.edition_notes:
                _sub(ns, "note", {"type": "edition"}, n)
            for k, v in m.extra:
                _sub(ns, "note", {"type": "extra", "subtype": k if re.fullmatch(r"[\w.-]+", k) else None,
                                  "n": None if re.fullmatch(r"[\w.-]+", k) else k}, v)
        sd = _sub(fd, "sourceDesc")
        _sub(sd, "bibl", {"type": "source-file"}, m.source or self.options.source_name or "unknown")
        self.editorial(_sub(hdr, "encodingDesc"))

    def editorial(self, parent: etree._Element, xml_id: str | None = None) -> etree._Element:
        """``editorialDecl``: how differences from the source are recorded, then each processing step that ran."""
        ed = _sub(parent, "editorialDecl")
        if xml_id:
            ed.set(f"{{{XML}}}id", xml_id)
        if self.options.diplomatic:
            _sub(ed, "p", {"n": "diplomatic"}, "Diplomatic transcription: the text stands as the source wrote it; "
                 "docpipe recovered its structure and added language tags and identifiers only.")
        if any(s.name not in ("lang", "ids", "report-reader") for s in self.doc.steps):
            _sub(ed, "p", {"n": "recording"}, "Every change a normalisation made to the text is recorded where it "
                 f"happened: choice/orig holds the source's text, choice/reg[@type='{NORMALISATION}'] the "
                 "edition's.")
        if not self.doc.steps and not len(ed):
            _sub(ed, "p", text="No normalisation was applied.")
        for step in self.doc.steps:
            norm = _sub(ed, "normalization", {"source": f"docpipe:{step.name}"})
            p = _sub(norm, "p", text=STEP_TITLES.get(step.name, step.name) + ".")
            if step.counts:
                lst = _sub(p, "list", {"type": "counts"})
                for key, count in step.counts:
                    _sub(lst, "item", {"n": key}, str(count))
            if step.settings:
                lst = _sub(p, "list", {"type": "settings"})
                for k, v in step.settings:
                    _sub(lst, "item", {"n": k}, v)
        return ed

    def profile(self, hdr: etree._Element) -> None:
        if not self.langs:  # an empty langUsage is invalid: say nothing rather than nothing at all
            return
        usage = _sub(_sub(hdr, "profileDesc"), "langUsage")
        for tag in sorted(self.langs):
            _sub(usage, "language", {"ident": tag}, LANG_NAMES.get(tag, tag))

    def merged_header(self, tei: etree._Element) -> bool:
        """The header of TEI from elsewhere with docpipe's encoding and revision notes added; False when the kept
        header cannot be parsed (docpipe's own header is written instead)."""
        assert self.foreign_header is not None
        hdr = safe_fragment(self.foreign_header)
        if hdr is None or hdr.tag != _t("teiHeader"):
            self.diag.emit("writer-dropped", "the source's TEI header kept in the document is not well-formed; "
                           "docpipe's own header is written instead")
            return False
        removed = sanitize(hdr)
        tei.append(hdr)
        if removed:
            self.diag.emit("writer-note", f"the source's TEI header holds {len(removed)} element(s) or attribute(s) "
                           f"outside TEI ({', '.join(sorted(set(removed))[:5])}); it is kept whole, verbatim, in "
                           f"notesStmt/note[@xml:id='{SOURCE_HEADER_ID}']")
            fd = next((c for c in hdr if c.tag == _t("fileDesc")), None)
            if fd is not None:
                ns = next((c for c in fd if c.tag == _t("notesStmt")), None)
                if ns is None:
                    sd = next((c for c in fd if c.tag == _t("sourceDesc")), None)
                    ns = etree.Element(_t("notesStmt"))
                    if sd is not None:
                        sd.addprevious(ns)
                    else:
                        fd.append(ns)
                note = _sub(ns, "note", {"type": SOURCE_HEADER_ID}, self.foreign_header)
                note.set(f"{{{XML}}}id", SOURCE_HEADER_ID)
        enc = next((c for c in hdr if c.tag == _t("encodingDesc")), None)
        if enc is None:
            enc = etree.Element(_t("encodingDesc"))
            fd = next((c for c in hdr if c.tag == _t("fileDesc")), None)
            if fd is not None:
                fd.addnext(enc)
            else:
                hdr.insert(0, enc)
        self.editorial(enc, ADDED_PREFIX + "editorialDecl")
        rev = next((c for c in hdr if c.tag == _t("revisionDesc")), None)
        if rev is None:
            rev = _sub(hdr, "revisionDesc")
        holder = next((c for c in rev if c.tag == _t("listChange")), rev)
        if any(c.tag == _t("list") for c in rev):
            holder = next(c for c in rev if c.tag == _t("list"))
        change = etree.Element(_t("item" if holder.tag == _t("list") else "change"))
        if change.tag == _t("change") and self.options.source_date_epoch is not None:
            import datetime
            day = datetime.datetime.fromtimestamp(self.options.source_date_epoch, datetime.UTC).date().isoformat()
            change.set("when", day)
        change.set(f"{{{XML}}}id", ADDED_PREFIX + "change")
        script = self.options.script
        change.text = (f"docpipe {__version__}: converted from {self.options.source_name or 'the source'} "
                       f"(edition: {EDITIONS.get(script, script)}"
                       f"{'; diplomatic' if self.options.diplomatic else ''}); the processing steps are listed in "
                       f"encodingDesc/editorialDecl[@xml:id='{ADDED_PREFIX}editorialDecl'].")
        first = next((i for i, c in enumerate(holder) if isinstance(c.tag, str) and c.tag != _t("head")), len(holder))
        holder.insert(first, change)
        return True

    def front(self, text: etree._Element) -> None:
        m = self.doc.metadata
        front = _sub(text, "front")
        tp = _sub(front, "titlePage")
        dt = _sub(tp, "docTitle")
        _sub(dt, "titlePart", {"type": "main"}, m.title or m.symbol or "Untitled")
        if m.subtitle:
            _sub(dt, "titlePart", {"type": "sub"}, m.subtitle)
        if m.symbol:
            _sub(dt, "titlePart", {"type": "symbol"}, m.symbol)
        if m.session:
            _sub(dt, "titlePart", {"type": "session"}, m.session)
        for a in m.authors:
            _sub(tp, "docAuthor", text=a)
        if m.date:
            _sub(tp, "docDate", when(m.date), m.date)
        if m.place or m.publisher:
            imp = _sub(tp, "docImprint")
            if m.place:
                _sub(imp, "pubPlace", text=m.place)
            if m.publisher:
                _sub(imp, "publisher", text=m.publisher)
        if m.edition_notes:
            div = _sub(front, "div", {"type": "edition-notes"})
            for n in m.edition_notes:
                _sub(div, "p", text=n)

    def part(self, text: etree._Element, tag: str, node: ir.Div, lang: str | None) -> None:
        """``front``, ``back`` or ``group`` of TEI from elsewhere, kept as the source had it."""
        el = _sub(text, tag)
        set_attrs(el, tag, node.attrs)
        if node.id:
            el.set(f"{{{XML}}}id", node.id)
        _lang(el, node.lang, lang)
        self.blocks(el, node.blocks, node.lang or lang)

    def write(self) -> bytes:
        m = self.doc.metadata
        tei = etree.Element(_t("TEI"), nsmap={None: TEI})
        for key in ("TEI", "text"):
            for value in extra_values(m, ATTRS_KEY + key):
                if key == "TEI":
                    set_attrs(tei, "TEI", unrend(value)[1])
        if m.language:
            tei.set(f"{{{XML}}}lang", m.language)
            self.langs.add(m.language)
        merged = self.foreign and self.merged_header(tei)
        if not merged:
            self.header(tei)
        else:
            for resource in extra_values(m, RESOURCE_KEY):
                el = safe_fragment(resource)
                if el is not None and etree.QName(el).namespace == TEI:
                    sanitize(el)
                    tei.append(el)
        text = _sub(tei, "text")
        for value in extra_values(m, ATTRS_KEY + "text"):
            set_attrs(text, "text", unrend(value)[1])
        if m.language:
            text.set(f"{{{XML}}}lang", m.language)
        blocks = list(self.doc.blocks)
        front = blocks.pop(0) if merged and blocks and _is(blocks[0], FRONT) else None
        back = blocks.pop() if merged and blocks and _is(blocks[-1], BACK) else None
        if front is not None:
            assert isinstance(front, ir.Div)
            self.part(text, "front", front, m.language)
        elif not merged:
            self.front(text)
        if merged and len(blocks) == 1 and _is(blocks[0], GROUP):
            group = blocks[0]
            assert isinstance(group, ir.Div)
            self.part(text, "group", group, m.language)
        else:
            body = _sub(text, "body")
            for value in extra_values(m, ATTRS_KEY + "body"):
                set_attrs(body, "body", unrend(value)[1])
            self.body(body, tuple(blocks), m.language)
        back_el = None
        if back is not None:
            assert isinstance(back, ir.Div)
            self.part(text, "back", back, m.language)
            back_el = text[-1]
        unplaced = [n for n in self.doc.notes if n.id not in self.placed]
        if unplaced:
            div = _sub(back_el if back_el is not None else _sub(text, "back"), "div", {"type": "notes"})
            for n in unplaced:
                if n.id not in self.placed:  # a note may have been placed inside another one just written
                    self.note(div, n.id, n.marker, m.language)
        for b in iter_blocks(self.doc.blocks):
            lang = getattr(b, "lang", None)
            if lang:
                self.langs.add(lang)
        if not merged:
            self.profile(tei[0])
        repair(tei, self.diag)
        return etree.tostring(tei, xml_declaration=True, encoding="UTF-8", pretty_print=not merged)


def _generic_nodes(doc: ir.Document) -> Iterator[ir.Span | ir.Div]:
    """Every Span and Div of the document, its notes included."""
    for blocks in (doc.blocks, *(n.blocks for n in doc.notes)):
        yield from (b for b in iter_blocks(blocks) if isinstance(b, ir.Div))
    yield from (n for n in iter_inlines_all(doc) if isinstance(n, ir.Span))


HEAD_PARENTS = frozenset({"body", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "back", "front",
                          "group", "list", "table", "figure", "lg", "listBibl", "castList", "spGrp"})


def _fill(body: etree._Element) -> None:
    """A ``body`` needs a paragraph or division: one of figures, notes and breaks only gets ``<p rend="empty"/>``
    (which the reader drops again)."""
    if all(etree.QName(c).localname in GLOBAL | DIV_TOP for c in body if isinstance(c.tag, str)):
        _sub(body, "p", {"rend": "empty"})


def _is(b: ir.Block, cls: str) -> bool:
    return isinstance(b, ir.Div) and b.classes == (cls,)


def sanitize(el: etree._Element) -> list[str]:
    """Make a kept TEI fragment (a header from elsewhere) valid where it is not: elements of other namespaces are
    removed, attributes of other namespaces and attributes ``tei_all`` does not allow become ``@rend`` tokens, and
    the details of a ``publicationStmt`` follow its first agency; returns what was changed (the caller keeps the
    original whole)."""
    changed: list[str] = []
    for node in list(el.iter()):
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).namespace != TEI:
            changed.append(etree.QName(node).localname)
            parent = node.getparent()
            if parent is not None:
                tail, prev = node.tail, node.getprevious()
                parent.remove(node)
                if tail and prev is not None:
                    prev.tail = (prev.tail or "") + tail
                elif tail:
                    parent.text = (parent.text or "") + tail
            continue
        name = etree.QName(node).localname
        ok = allowed(name) if name in ATTS else None  # of other elements only what the table knows is checked
        moved: list[tuple[str, str]] = []
        for k in list(node.attrib):
            q = etree.QName(k)
            key = f"xml:{q.localname}" if q.namespace == XML else k
            if q.namespace not in (None, XML) or (ok is not None and key not in ok):
                changed.append(f"@{q.localname}")
                moved.append((key, node.attrib[k]))
                del node.attrib[k]
        if moved:
            set_attrs(node, name, [("rend", node.get("rend", "")), *moved] if node.get("rend") else moved)
        if name == "publicationStmt" and _reorder_publication(node):
            changed.append("publicationStmt order")
    etree.cleanup_namespaces(el)
    return changed


AGENCIES = frozenset({"publisher", "distributor", "authority"})


def _reorder_publication(ps: etree._Element) -> bool:
    """Move details standing before the first agency (``publisher``, ``distributor``, ``authority``) after it, as
    ``tei_all`` requires; True if anything moved."""
    kids = [c for c in ps if isinstance(c.tag, str)]
    names = [etree.QName(c).localname for c in kids]
    first = next((i for i, n in enumerate(names) if n in AGENCIES), None)
    if not first or any(n in ("p", "ab") for n in names):
        return False
    agency = kids[first]
    for c in reversed(kids[:first]):
        agency.addnext(c)
    return True


#: ``model.divTop``/``model.divBottom`` members: allowed before, or after, a division's content only.
DIV_TOP = frozenset({"address", "argument", "byline", "dateline", "docAuthor", "docDate", "epigraph", "head",
                     "meeting", "opener", "salute", "signed"})
DIV_BOTTOM = frozenset({"address", "argument", "byline", "closer", "dateline", "docAuthor", "docDate", "epigraph",
                        "meeting", "postscript", "salute", "signed", "trailer"})
#: ``model.global``: allowed anywhere between blocks.
GLOBAL = frozenset({"addSpan", "alt", "altGrp", "anchor", "app", "cb", "certainty", "damageSpan", "delSpan",
                    "ellipsis", "fLib", "figure", "fs", "fvLib", "fw", "gap", "gb", "incident", "index", "interp",
                    "interpGrp", "join", "joinGrp", "kinesic", "lb", "link", "linkGrp", "listTranspose", "metamark",
                    "milestone", "notatedMusic", "note", "noteGrp", "pause", "pb", "precision", "respons", "shift",
                    "space", "span", "spanGrp", "substJoin", "timeline", "vocal", "witDetail", "writing"})
CONTAINERS = frozenset({"body", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "back", "front"})
BLOCKISH = frozenset({"p", "ab", "lg", "list", "table", "quote", "q", "cit", "sp", "div", "floatingText", "listBibl",
                      "eg", "figure", "castList", "stage", "l"})


def repair(root: etree._Element, diag: Diagnostics) -> None:
    """Keep a division's opening and closing elements (``byline``, ``closer``…) where ``tei_all`` allows them: one
    found amid the content (TEI from elsewhere may have had it there, inside an element docpipe could not keep as
    itself) becomes ``<ab rend="tei-NAME …">`` (or ``floatingText`` if it holds blocks), which reads back as the
    same element."""
    moved = 0
    for container in [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in CONTAINERS
                      and etree.QName(e).namespace == TEI]:
        kids = [c for c in container if isinstance(c.tag, str)]
        names = [etree.QName(c).localname for c in kids]
        content = [i for i, n in enumerate(names) if n not in GLOBAL and n not in DIV_TOP | DIV_BOTTOM]
        if not content:
            continue
        first, last = content[0], content[-1]
        for i, (el, name) in enumerate(zip(kids, names, strict=True)):
            top_ok = name in DIV_TOP and i < first
            bottom_ok = name in DIV_BOTTOM and i > last
            if (name in DIV_TOP or name in DIV_BOTTOM) and not (top_ok or bottom_ok):
                _fallback(el, name)
                moved += 1
    if moved:
        diag.emit("writer-note", f"{moved} division opener(s)/closer(s) found amid the content are kept as "
                  "<ab rend='tei-NAME'> (tei_all allows them only at a division's start or end)")


def _fallback(el: etree._Element, name: str) -> None:
    attrs: list[tuple[str, str]] = []
    keep: dict[str, str] = {}
    for k, v in el.attrib.items():
        if k in (f"{{{XML}}}id", f"{{{XML}}}lang"):
            keep[k] = v
        else:
            q = etree.QName(k)
            attrs.append((f"xml:{q.localname}" if q.namespace == XML else k, v))
    token = rend((f"tei-{name}",), tuple(attrs)) or f"tei-{name}"
    if any(isinstance(c.tag, str) and etree.QName(c).localname in BLOCKISH for c in el):
        body = etree.Element(_t("body"))
        body.text, el.text = el.text, None
        for c in list(el):
            body.append(c)
        el.attrib.clear()
        el.tag = _t("floatingText")
        el.set("type", "div")
        el.append(body)
    else:
        el.attrib.clear()
        el.tag = _t("ab")
    el.set("rend", token)
    for k, v in keep.items():
        el.set(k, v)


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """TEI P5 for ``doc``."""
    return _Writer(doc, options, diag).write()


# ---------------------------------------------------------------------------------------------------- schema table
# Generated from tei_all.rng (TEI P5 4.12.0) by tests/tei_validate.py:allowed_attributes; tests/test_tei_foreign.py
# checks it against the schema. The attributes every one of these elements allows:
ATT_GLOBAL = frozenset(("ana cert change copyOf corresp exclude facs n next prev rend rendition resp sameAs select "
                        "source style synch xml:base xml:id xml:lang xml:space").split())
#: The attributes ``tei_all`` allows on common elements besides :data:`ATT_GLOBAL`.
ATTS: dict[str, str] = {
    "ab": "decls generatedBy hand part subtype type",
    "abbr": "generatedBy subtype type",
    "add": ("atLeast atMost cause confidence evidence extent generatedBy hand instant max min place precision "
            "quantity scope seq status subtype type unit"),
    "addName": "full generatedBy key nymRef ref role sort subtype type",
    "address": "generatedBy key ref role subtype type",
    "addrLine": "",
    "am": "evidence instant subtype type",
    "analytic": "",
    "anchor": "generatedBy subtype type",
    "app": "from loc subtype to type",
    "appInfo": "",
    "application": ("datingMethod datingPoint from from-custom from-iso ident notAfter notAfter-custom notAfter-iso "
                    "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type version when "
                    "when-custom when-iso"),
    "argument": "generatedBy",
    "author": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso nymRef period ref role to to-custom to-iso when when-custom "
               "when-iso"),
    "authority": "key ref",
    "availability": "default status",
    "back": "decls",
    "bibl": "default generatedBy key ref sortKey status subtype type",
    "biblScope": "from to unit",
    "biblStruct": "default generatedBy key ref sortKey status subtype type",
    "body": "decls",
    "byline": "generatedBy",
    "c": "datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "caesura": "",
    "castItem": "perf subtype type",
    "castList": "perf",
    "catDesc": "key ref",
    "category": "datcat targetDatcat valueDatcat",
    "cb": "break ed edRef generatedBy spanTo subtype type",
    "cell": "cols role rows",
    "change": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
               "notBefore-custom notBefore-iso period status subtype target to to-custom to-iso type when when-custom "
               "when-iso who"),
    "char": "",
    "charDecl": "",
    "choice": "generatedBy",
    "cit": "generatedBy subtype type",
    "citedRange": "evaluate from target targetLang to unit",
    "classDecl": "",
    "closer": "generatedBy hand",
    "corr": "evidence generatedBy instant subtype type",
    "correction": "default method status",
    "country": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                "to-iso type when when-custom when-iso"),
    "creation": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
                 "notBefore-custom notBefore-iso period to to-custom to-iso when when-custom when-iso"),
    "damage": ("agent atLeast atMost confidence degree extent group hand max min precision quantity scope subtype "
               "type unit"),
    "date": ("atLeast atMost calendar confidence datingMethod datingPoint dur dur-iso evidence extent from "
             "from-custom from-iso generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period precision quantity ref scope subtype to to-custom to-iso type "
             "unit when when-custom when-iso"),
    "dateline": "generatedBy hand",
    "del": ("atLeast atMost cause confidence evidence extent generatedBy hand instant max min place precision "
            "quantity scope seq status subtype type unit"),
    "distinct": "generatedBy social space subtype time type",
    "distributor": "key ref",
    "div": "decls hand met org part place real rhyme sample subtype type",
    "div1": "decls met org part real rhyme sample subtype type",
    "div2": "decls met org part real rhyme sample subtype type",
    "div3": "decls met org part real rhyme sample subtype type",
    "div4": "decls met org part real rhyme sample subtype type",
    "div5": "decls met org part real rhyme sample subtype type",
    "div6": "decls met org part real rhyme sample subtype type",
    "div7": "decls met org part real rhyme sample subtype type",
    "divGen": "subtype type",
    "docAuthor": "generatedBy key ref",
    "docDate": ("calendar datingMethod datingPoint from from-custom from-iso generatedBy notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso period to to-custom to-iso when when-custom "
                "when-iso"),
    "docEdition": "",
    "docImprint": "",
    "docTitle": "key ref",
    "edition": "",
    "editionStmt": "",
    "editor": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso nymRef period ref role to to-custom to-iso when when-custom "
               "when-iso"),
    "editorialDecl": "default",
    "email": "generatedBy",
    "emph": "generatedBy hand",
    "encodingDesc": "",
    "epigraph": "generatedBy",
    "ex": "atLeast atMost confidence evidence extent instant max min precision quantity scope unit",
    "expan": "evidence generatedBy instant",
    "extent": "",
    "figDesc": "",
    "figure": "generatedBy hand place subtype type",
    "fileDesc": "",
    "floatingText": "decls generatedBy subtype type",
    "foreign": "generatedBy",
    "forename": "full generatedBy key nymRef ref role sort subtype type",
    "formula": "generatedBy notation",
    "front": "decls",
    "funder": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "fw": "hand place subtype type",
    "g": "ref subtype type",
    "gap": ("agent atLeast atMost confidence dur dur-iso end evidence extent generatedBy instant max min precision "
            "quantity reason scope start unit"),
    "genName": "full generatedBy key nymRef ref role sort subtype type",
    "geogName": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant key notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                 "subtype to to-custom to-iso type when when-custom when-iso"),
    "gloss": "cRef decls evaluate generatedBy place subtype target targetLang type versionDate",
    "glyph": "",
    "graphic": "decls generatedBy height mimeType scale subtype type url width",
    "group": "decls subtype type",
    "handShift": "medium new scope scribe scribeRef script scriptRef",
    "head": "generatedBy hand place subtype type",
    "hi": "generatedBy hand",
    "hyphenation": "default eol",
    "idno": ("datingMethod datingPoint from from-custom from-iso generatedBy notAfter notAfter-custom notAfter-iso "
             "notBefore notBefore-custom notBefore-iso period sortKey subtype to to-custom to-iso type when "
             "when-custom when-iso"),
    "imprimatur": "",
    "imprint": "",
    "index": "generatedBy indexName spanTo",
    "interpretation": "default",
    "item": "sortKey",
    "keywords": "scheme",
    "l": "enjamb generatedBy met part real rhyme",
    "label": "generatedBy hand place subtype type",
    "language": "ident scope usage",
    "langUsage": "default",
    "lb": "break ed edRef generatedBy spanTo subtype type",
    "lem": "cause hand require subtype type varSeq wit",
    "lg": "decls generatedBy met org part real rhyme sample subtype type",
    "licence": ("datingMethod datingPoint evaluate from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period target targetLang to to-custom to-iso when "
                "when-custom when-iso"),
    "list": "generatedBy sortKey subtype type",
    "listBibl": "default generatedBy sortKey subtype type",
    "listChange": "ordered sortKey subtype type",
    "listWit": "sortKey",
    "mapping": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
                "notBefore-custom notBefore-iso period subtype to to-custom to-iso type when when-custom when-iso"),
    "measure": "atLeast atMost commodity confidence generatedBy max min quantity subtype type unit unitRef",
    "mentioned": "generatedBy",
    "metamark": "function place spanTo target",
    "milestone": "break ed edRef generatedBy spanTo subtype type unit",
    "mod": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope seq "
            "spanTo status subtype type unit"),
    "monogr": "",
    "name": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
             "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
             "subtype to to-custom to-iso type when when-custom when-iso"),
    "namespace": "name",
    "normalization": "default method",
    "note": "anchored evaluate generatedBy hand place subtype target targetEnd targetLang type",
    "notesStmt": "",
    "num": "atLeast atMost confidence generatedBy max min subtype type value",
    "opener": "generatedBy hand",
    "orgName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                "subtype to to-custom to-iso type when when-custom when-iso"),
    "orig": "generatedBy",
    "p": "decls generatedBy hand part",
    "pb": "break ed edRef generatedBy spanTo subtype type",
    "pc": ("datcat force function generatedBy join lemma lemmaRef met msd norm orig part pos pre real rhyme subtype "
           "targetDatcat type unit valueDatcat"),
    "persName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                 "subtype to to-custom to-iso type when when-custom when-iso"),
    "placeName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                  "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                  "subtype to to-custom to-iso type when when-custom when-iso"),
    "postCode": "",
    "postscript": "generatedBy hand place",
    "principal": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                  "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "profileDesc": "",
    "projectDesc": "default",
    "ptr": "cRef decls evaluate generatedBy mimeType subtype target targetLang type",
    "publicationStmt": "",
    "publisher": "key ref",
    "pubPlace": "key nymRef ref role",
    "punctuation": "default marks placement",
    "q": "generatedBy subtype toWhom type who",
    "quotation": "default marks",
    "quote": "defective generatedBy notation subtype type",
    "rb": "subtype type",
    "rdg": "cause hand require subtype type varSeq wit",
    "rdgGrp": "cause hand require subtype type varSeq",
    "ref": "cRef decls evaluate generatedBy mimeType subtype target targetLang type",
    "refsDecl": "default",
    "reg": "evidence generatedBy instant subtype type",
    "region": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
               "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
               "to-iso type when when-custom when-iso"),
    "rendition": "scheme schemeVersion scope selector",
    "resp": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "respStmt": "key ref",
    "restore": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq status subtype type unit"),
    "retrace": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq spanTo status unit"),
    "revisionDesc": "status",
    "role": "gender perf",
    "roleDesc": "",
    "roleName": "full generatedBy key nymRef ref role sort subtype type",
    "row": "cols role rows",
    "rs": "generatedBy key nymRef ref role subtype type",
    "rt": "cause evidence from hand instant place seq status subtype target to type",
    "ruby": "generatedBy subtype type",
    "said": "aloud direct generatedBy toWhom who",
    "salute": "generatedBy hand",
    "samplingDecl": "default",
    "seg": "datcat function generatedBy hand met notation part real rhyme subtype targetDatcat type valueDatcat",
    "segmentation": "default",
    "seriesStmt": "default",
    "settlement": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                   "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                   "to-iso type when when-custom when-iso"),
    "sic": "generatedBy",
    "signed": "generatedBy hand",
    "soCalled": "generatedBy",
    "sourceDesc": "default",
    "sp": "hand place toWhom who",
    "space": "atLeast atMost confidence dim extent max min precision quantity scope subtype type unit",
    "speaker": "hand place",
    "sponsor": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "stage": "generatedBy hand perf place toWhom type who",
    "street": "",
    "subst": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
              "seq status unit"),
    "supplied": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "surname": "full generatedBy key nymRef ref role sort subtype type",
    "surplus": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "table": "cols generatedBy rows subtype type",
    "tagsDecl": "partial",
    "tagUsage": "datcat gi occurs targetDatcat valueDatcat withId",
    "taxonomy": "datcat targetDatcat valueDatcat",
    "TEI": "subtype type version",
    "teiHeader": "",
    "term": "cRef decls evaluate generatedBy key ref sortKey subtype target targetLang type",
    "text": "decls hand subtype type",
    "textClass": "default",
    "time": ("atLeast atMost calendar confidence datingMethod datingPoint dur dur-iso evidence extent from "
             "from-custom from-iso generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period precision quantity ref scope subtype to to-custom to-iso type "
             "unit when when-custom when-iso"),
    "title": ("datingMethod datingPoint from from-custom from-iso generatedBy key level notAfter notAfter-custom "
              "notAfter-iso notBefore notBefore-custom notBefore-iso period ref subtype to to-custom to-iso type when "
              "when-custom when-iso"),
    "titlePage": "subtype type",
    "titlePart": "subtype type",
    "titleStmt": "",
    "trailer": "generatedBy hand place subtype type",
    "unclear": ("agent atLeast atMost confidence evidence extent generatedBy instant max min precision quantity "
                "reason scope unit"),
    "w": ("datcat function generatedBy join lemma lemmaRef met msd norm notation orig part pos real rhyme subtype "
          "targetDatcat type valueDatcat"),
    "witDetail": "evaluate place subtype target targetLang type wit",
    "witness": "sortKey",
}
#: Every element of ``tei_all``: one not in :data:`ATTS` is written as itself with the global attributes only.
TEI_ELEMENTS = frozenset("""
    ab abbr abstract accMat acquisition activity actor add additional additions addName address addrLine addSpan
    adminInfo affiliation age alt alternate altGrp altIdent altIdentifier am analytic anchor annotation
    annotationBlock anyElement app appInfo application arc argument att attDef attList attRef author authority
    availability back bibl biblFull biblScope biblStruct bicond binary binaryObject binding bindingDesc birth bloc
    body broadcast byline c caesura calendar calendarDesc camera caption case castGroup castItem castList catchwords
    catDesc category catRef cb cell certainty change channel char charDecl choice cit citeData citedRange
    citeStructure cl classCode classDecl classes classRef classSpec climate closer code collation collection colloc
    colophon cond condition constitution constraint constraintDecl constraintSpec content conversion corr correction
    correspAction correspContext correspDesc country creation cRefPattern custEvent custodialHist damage damageSpan
    dataFacet dataRef dataSpec datatype date dateline death decoDesc decoNote def default defaultVal del delSpan
    depth derivation desc dictScrap dim dimensions distinct distributor district div div1 div2 div3 div4 div5 div6
    div7 divGen docAuthor docDate docEdition docImprint docTitle domain edition editionStmt editor editorialDecl
    education eg eLeaf elementRef elementSpec ellipsis email emph empty encodingDesc entry entryFree epigraph
    epilogue equipment equiv eTree etym event eventName ex exemplum expan explicit extent f facsimile factuality
    faith fDecl fDescr figDesc figure fileDesc filiation finalRubric fLib floatingText floruit foliation foreign
    forename forest form formula front fs fsConstraints fsdDecl fsDecl fsDescr fsdLink funder fvLib fw g gap gb gen
    gender genName geo geoDecl geogFeat geogName gi gloss glyph gram gramGrp graph graphic group handDesc handNote
    handNotes handShift head headItem headLabel height heraldry hi history hom hyph hyphenation ident idno if iff
    imprimatur imprint incident incipit index iNode institution interaction interleave interp interpGrp
    interpretation item iType join joinGrp keywords kinesic l label lacunaEnd lacunaStart lang langKnowledge
    langKnown language langUsage layout layoutDesc lb lbl leaf lem lg licence line link linkGrp list listAnnotation
    listApp listBibl listChange listEvent listForest listNym listObject listOrg listPerson listPlace listPrefixDef
    listRef listRelation listTranspose listWit locale localProp location locus locusGrp m macroRef macroSpec mapping
    material measure measureGrp media meeting memberOf mentioned metamark metDecl metSym milestone mod model
    modelGrp modelSequence moduleRef moduleSpec monogr mood move msContents msDesc msFrag msIdentifier msItem
    msItemStruct msName msPart musicNotation name nameLink namespace nationality node normalization notatedMusic
    note noteGrp notesStmt num number numeric nym object objectDesc objectIdentifier objectName objectType
    occupation offset opener oRef org orgName orig origDate origin origPlace orth outputRendition p param paramList
    paramSpec particDesc path pause pb pc per performance persName person persona personGrp persPronouns phr
    physDesc place placeName population pos post postBox postCode postscript precision pRef prefixDef preparedness
    principal profileDesc projectDesc prologue pron provenance ptr publicationStmt publisher pubPlace punctuation
    purpose q quotation quote rb rdg rdgGrp recordHist recording recordingStmt redo ref refsDecl refState reg region
    relatedItem relation remarks rendition repository residence resp respons respStmt restore retrace revisionDesc
    rhyme role roleDesc roleName root row rs rt rubric ruby s said salute samplingDecl schemaRef schemaSpec
    scriptDesc scriptNote scriptStmt seal sealDesc secFol secl seg segmentation sense sequence series seriesStmt set
    setting settingDesc settlement sex shift sic signatures signed soCalled socecStatus sound source sourceDesc
    sourceDoc sp space span spanGrp speaker specDesc specGrp specGrpRef specList spGrp sponsor stage stamp standOff
    state stdVals street stress string styleDefDecl subc subst substJoin summary superEntry supplied support
    supportDesc surface surfaceGrp surname surplus surrogates syll symbol table tag tagsDecl tagUsage taxonomy tech
    TEI teiCorpus teiHeader term terrain text textClass textDesc textLang textNode then time timeline title
    titlePage titlePart titleStmt tns trailer trait transcriptionDesc transpose tree triangle typeDesc typeNote u
    unclear undo unicodeProp unihanProp unit unitDecl unitDef usg val valDesc valItem valList vAlt variantEncoding
    vColl vDefault view vLabel vMerge vNot vocal vRange w watermark when width wit witDetail witEnd witness witStart
    writing xenoData xr zone
""".split())
