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
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import assert_never

from lxml import etree

from .. import __version__, ir
from ..cjk.dates import when
from ..diagnostics import Diagnostics
from ..guard import file_link_dropped, file_link_target
from ..media import by_name
from ..options import Options
from ..teivocab import (
    ADDED_PREFIX,
    AFTER_DIV,
    AGENCIES,
    APPARATUS_NOTE,
    ATTRS_KEY,
    ATTRS_WRAPPER,
    ATTS,
    BACK,
    BLOCK_NOTE,
    BLOCKISH,
    BOOLEAN_VALUES,
    CLOSED_TYPE,
    CONTAINER_DIV,
    CONTAINERS,
    DATABLE_ELEMENTS,
    DIV_BOTTOM,
    DIV_TOP,
    EXPLICIT_BLOCKS,
    FRONT,
    GLOBAL,
    GLYPH_SHOWN,
    GROUP,
    HEAD_PARENTS,
    HEADED_LIST,
    HEADED_TEXT,
    HEADER_KEY,
    HEADING_AB,
    LIST_HEAD,
    MIXED_AB,
    MIXED_TEXT,
    NORMALISATION,
    NOTE_PLACE,
    NOTE_WRAPPER,
    OPTIONAL_HEADER_PARTS,
    OWN_HEADER_ID,
    PARA_CONTENT,
    PLACE,
    READING_ROLES,
    RENAME,
    RESOURCE_KEY,
    SOURCE_HEADER_ID,
    STANDOFF_SHOWN,
    TEI,
    TEI_ELEMENTS,
    TEI_EXAMPLES,
    XML,
    allowed,
    boolean_attr,
    enc,
    rend,
    tei_name,
    unrend,
)
from ..walk import block_text, iter_blocks, iter_inlines_all
from ..xmlops import detach as _detach
from . import divisions as D

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



def _tei_length(value: str | None) -> str | None:
    """A TEI ``teidata.outputMeasurement`` (``6.5in``, ``40%``) or None."""
    if value and re.fullmatch(r"[\-+]?\d+(\.\d+)?(%|cm|mm|in|pt|pc|px|em|ex|gd|rem|vw|vh|em|ch)", value.strip()):
        return value.strip()
    return None


def split_isbn(line: str) -> tuple[str, str]:
    """A made ISBN line as its label and the number: ``"ISBN 978-7-…"`` -> ``("ISBN ", "978-7-…")``."""
    m = re.match(r"\s*(ISBN(?:-1[03])?[:：]?\s*)(.*?)\s*$", line, flags=re.IGNORECASE | re.DOTALL)
    return (m.group(1), m.group(2)) if m and m.group(2) else ("", line.strip())


def level_type(level: int) -> str:
    """The ``div/@type`` of a heading level."""
    return LEVEL_TYPES.get(level, f"subsection{level}")


def set_attrs(el: etree._Element, name: str, attrs: Iterable[tuple[str, str]], *, replace: bool = False) -> None:
    """Give ``el`` (a TEI ``name``) the source's attributes: those the schema allows it as themselves, the others
    (and a boolean attribute whose value is no boolean, which the reader could not map) as ``@key=value`` tokens of
    ``@rend`` after its own rend, so that nothing is lost and the file stays valid."""
    if replace:
        for k in [k for k in el.attrib if not k.startswith(f"{{{XML}}}")]:
            del el.attrib[k]
    ok = allowed(name)
    own_rend: str | None = None
    tokens: list[str] = []
    for k, v in attrs:
        if k == "rend":
            own_rend = v
        elif boolean_attr(name, k) and v not in BOOLEAN_VALUES:
            tokens.append(f"@{enc(k)}={enc(v)}")
        elif k in ok and k.startswith("xml:"):
            el.set(f"{{{XML}}}{k[4:]}", v)
        elif k in ok:
            el.set(k, v)
        else:
            tokens.append(f"@{enc(k)}={enc(v)}")
    if tokens or own_rend is not None:
        el.set("rend", " ".join(([own_rend] if own_rend else []) + tokens) or "")


def _t(tag: str) -> str:
    return f"{{{TEI}}}{tag}"


def _to_source_desc(tei: etree._Element, el: etree._Element) -> str:
    """Put a list of sources that stood beside the text where TEI wants it, and say where: the header's
    ``sourceDesc`` when it holds no prose (its empty ``p``s replaced: TEI allows prose or lists there, not both),
    else a ``standOff`` of its own before the text."""
    desc = tei.find(f"{{{TEI}}}teiHeader/{{{TEI}}}fileDesc/{{{TEI}}}sourceDesc")
    prose = [c for c in desc if c.tag in (_t("p"), _t("ab"))] if desc is not None else []
    if desc is not None and not (desc.text or "").strip() and not any(len(p) or "".join(p.itertext()).strip()
                                                                       for p in prose):
        for p in prose:
            desc.remove(p)
        desc.append(el)
        return "sourceDesc"
    _sub(tei, "standOff").append(el)
    return "a standOff (the sourceDesc holds prose, which TEI does not mix with lists)"


def _sub(parent: etree._Element, tag: str, attrib: dict[str, str | None] | None = None,
         text: str | None = None) -> etree._Element:
    el: etree._Element = etree.SubElement(parent, _t(tag), {k: v for k, v in (attrib or {}).items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _last(parent: etree._Element) -> etree._Element | None:
    """The last child, found in O(1) (lxml's ``len`` walks every child: calling it per text is quadratic)."""
    try:
        return parent[-1]
    except IndexError:
        return None


def _first_after(parent: etree._Element, prev: etree._Element | None) -> etree._Element | None:
    """The first child after ``prev`` (the first child when ``prev`` is None), in O(1)."""
    if prev is not None:
        return prev.getnext()
    return parent[0] if _last(parent) is not None else None


def _append(parent: etree._Element, text: str) -> None:
    if not text:
        return
    last = _last(parent)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def plain_para(b: ir.Block) -> bool:
    """A paragraph with nothing but inline content (no number, id or language): written as inline content."""
    return isinstance(b, ir.Para) and b.number is None and b.id is None and b.lang is None


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
        # the apparatus notes the reader made of each app: the app itself is written, not these
        self.notes = {n.id: n for n in doc.notes if not n.id.startswith(APPARATUS_NOTE)}
        self.placed: set[str] = set()
        self.outside: list[tuple[etree._Element, str]] = []
        """Elements written in the body that stood in ``text`` itself (:data:`PLACE`), and on which side."""
        self.langs: set[str] = set()
        self.media = by_name(doc)
        self.media_dir = f"{options.output_name}.media" if options.output_name else "media"
        self.head_checked: dict[etree._Element, tuple[int, bool]] = {}
        self.empty_lists = 0
        """Lists without an item, left out (tei_all's ``list`` needs one): said once, with their count."""
        headers = extra_values(doc.metadata, HEADER_KEY)
        self.foreign_header = headers[0] if headers else None
        self.foreign = self.foreign_header is not None
        self.deferred = {v for c in _generic_nodes(doc) if c.classes == (NOTE_PLACE,) for k, v in c.attrs
                         if k == "note"} if self.foreign else set()
        # the ISBN lines of a book's made pages (``<idno type="ISBN">``) and the edition's ISBN for the header
        self.isbn_lines = {id(doc.blocks[i]) for i, cls in D.made_lines(doc.blocks).items() if cls == "isbn"}
        made = next((block_text((b,)) for b in doc.blocks if id(b) in self.isbn_lines), None)
        self.isbn = options.isbn or next(iter(extra_values(doc.metadata, "isbn")), None) or \
            (split_isbn(made)[1] if made else None)

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
                    if note_id.startswith(APPARATUS_NOTE):
                        continue  # the app just written is the apparatus entry
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
        if node.classes == (GLYPH_SHOWN,):
            return  # what the reader showed for a g from its charDecl: the g and the charDecl are written
        href = file_link_target(node)
        if href is not None and self.foreign:  # TEI from elsewhere pointing at another file: its pointer as written
            self.inlines(_sub(parent, "ref", {"target": href}), node.children, lang)
            return
        if href is not None:  # a link to another file: one TEI file has no other file to point at
            file_link_dropped(self.diag, href, "tei")
            self.inlines(parent, node.children, lang)
            return
        if self.foreign and node.classes == (ATTRS_WRAPPER,) and len(node.children) == 1 and node.lang is None:
            prev = _last(parent)
            self.inlines(parent, node.children, lang)
            el_new = _first_after(parent, prev)
            if el_new is not None:
                el = el_new
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
        elif (len(blocks) == 1 and isinstance(blocks[0], ir.Para) and blocks[0].lang and blocks[0].number is None
              and blocks[0].id is None and parent.get(f"{{{XML}}}lang") in (None, blocks[0].lang)):
            # a paragraph that is only the element's text in a language (a language tag given after reading): the
            # element takes the tag, where a <p> might not be allowed (in <l>, <head>, <cell>…)
            para = blocks[0]
            _lang(parent, para.lang, lang)
            self.langs.add(para.lang or "")
            self.inlines(parent, para.children, para.lang)
        elif (len(blocks) == 1 and isinstance(blocks[0], ir.Para) and blocks[0].number is None and blocks[0].id
              and blocks[0].lang is None and etree.QName(parent).localname in NO_P):
            # a paragraph with an id (an apparatus entry's anchor) that is all of an element where no <p> may stand
            # (<l>, <listApp>: a Propertius edition's 27 jing errors): the element takes the id, or an anchor does
            para = blocks[0]
            assert para.id is not None
            if parent.get(f"{{{XML}}}id") is None:
                parent.set(f"{{{XML}}}id", para.id)
            else:
                _sub(parent, "anchor").set(f"{{{XML}}}id", para.id)
            self.inlines(parent, para.children, lang)
        elif self.foreign and len(blocks) == 1 and isinstance(blocks[0], ir.Div) and \
                blocks[0].classes == (EXPLICIT_BLOCKS,):
            self.blocks(parent, blocks[0].blocks, lang)
        elif not self.headed(parent, blocks, lang):
            self.blocks(parent, blocks, lang)

    def headed(self, parent: etree._Element, blocks: tuple[ir.Block, ...], lang: str | None) -> bool:
        """Blocks holding headings in a cell, an item or a quotation, where tei_all has no ``head``: a
        :data:`HEADED_TEXT` floatingText whose body gives each heading a ``div`` of its level with its ``head`` (a
        Word template's day headings in table cells, a Markdown heading in a block quote, were ``ab``s that no TEI
        reader takes for headings). False, nothing written, for other blocks and places."""
        if self.foreign or etree.QName(parent).localname not in HEADLESS or \
                not any(isinstance(b, ir.Heading) for b in blocks):
            return False
        body = _sub(_sub(parent, "floatingText", {"type": HEADED_TEXT}), "body")
        target = body
        for b in blocks:
            if isinstance(b, ir.Heading):
                target = _sub(body, "div", {"type": level_type(b.level)})
                self.heading_content(_sub(target, "head"), b, lang)
            else:
                self.block(target, b, lang)
        return True

    def block(self, parent: etree._Element, node: ir.Block, lang: str | None) -> None:
        match node:
            case ir.Heading():
                if self.head_allowed(parent) or (etree.QName(parent).localname in DIV_NOT_HEAD and not len(parent)):
                    head = _sub(parent, "head")  # opening a reading's blocks, :func:`repair` makes it a division
                else:  # a heading inside a quotation, item, cell…: tei_all has no head there
                    head = _sub(parent, "ab", {"type": HEADING_AB, "n": str(node.level)})
                self.heading_content(head, node, lang)
            case ir.Para() if id(node) in self.isbn_lines:
                self.isbn_line(_sub(parent, "p"), node)
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
                if node.title:  # an untitled box (a Word text box) gets no empty head
                    self.inlines(_sub(body, "head"), node.title, node.lang or lang)
                self.blocks(body, node.blocks, node.lang or lang)
                _fill(body)
            case ir.ListBlock() if not node.items:
                # tei_all's list holds at least one item (an empty HTML <dl></dl>): nothing to give, said
                self.empty_lists += 1
            case ir.ListBlock():
                lst = _sub(parent, "list", {"type": "ordered" if node.ordered else "bulleted",
                                            "n": str(node.start) if node.start != 1 else None})
                for item in node.items:
                    self.content(_sub(lst, "item", {"n": item.label}), item.blocks, lang)
            case ir.BlockQuote():
                q = _sub(parent, "quote")
                _lang(q, node.lang, lang)
                if not self.headed(q, node.blocks, node.lang or lang):
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

    def isbn_line(self, parent: etree._Element, node: ir.Para) -> None:
        """A made page's ISBN line (``ISBN 978…``) as text and ``<idno type="ISBN">``, where the copyright page
        or the imprint has it (TEI's identifier, not a ``seg``)."""
        label, value = split_isbn(block_text((node,)))
        _append(parent, label)
        _sub(parent, "idno", {"type": "ISBN"}, value)

    def table(self, parent: etree._Element, node: ir.Table, lang: str | None) -> None:
        from ..tables import cell_aligns, layout
        cols = layout(node)[1] if node.rows else 1
        table = _sub(parent, "table", {"rows": str(len(node.rows)), "cols": str(cols), "n": str(node.head_rows)})
        if node.id:
            table.set(f"{{{XML}}}id", node.id)
        if node.caption or node.label:
            head = _sub(table, "head")
            if node.label:
                _sub(head, "label", text=node.label)
            self.inlines(head, node.caption, lang)
        aligned = cell_aligns(node)  # the source's column alignment, as TEI's rendition of the cell
        for i, row in enumerate(node.rows):
            r = _sub(table, "row", {"role": "label" if i < node.head_rows else None})
            for cell in row:
                c = _sub(r, "cell", {"cols": str(cell.colspan) if cell.colspan > 1 else None,
                                     "rows": str(cell.rowspan) if cell.rowspan > 1 else None,
                                     "role": "label" if cell.header else None, "rend": aligned.get(id(cell))})
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
            prev = _last(parent)
            self.block(parent, node.blocks[0], lang)
            el_new = _first_after(parent, prev)
            if el_new is not None:
                el = el_new
                written = etree.QName(el).localname
                set_attrs(el, written, node.attrs, replace=written in ("list", "table"))
            return True
        if node.classes == (BLOCK_NOTE,) and len(node.blocks) == 1 and isinstance(node.blocks[0], ir.Para):
            self.inlines(parent, node.blocks[0].children, lang)  # a note is allowed between blocks
            return True
        if node.classes == (MIXED_TEXT,) and len(node.blocks) == 1 and isinstance(node.blocks[0], ir.Para):
            if etree.QName(parent).localname in PHRASE_PARENTS:  # a p split around its list: the p's own text
                self.inlines(parent, node.blocks[0].children, lang)
                return True
            # text its container held between blocks, where tei_all allows none: an ab of its own (read back as it)
            self.inlines(_sub(parent, "ab", {"type": MIXED_AB}), node.blocks[0].children, lang)
            return True
        if node.classes == (HEADED_LIST,) and node.blocks and isinstance(node.blocks[-1], ir.ListBlock):
            prev = _last(parent)
            self.block(parent, node.blocks[-1], lang)
            lst = _first_after(parent, prev)
            if lst is not None:
                set_attrs(lst, "list", node.attrs, replace=True)
                for i, h in enumerate(node.blocks[:-1]):  # the list's heads, before its items
                    head = etree.Element(_t("head"))
                    lst.insert(i, head)
                    if isinstance(h, ir.Div) and h.classes == (LIST_HEAD,):
                        set_attrs(head, "head", h.attrs)
                        if h.id:
                            head.set(f"{{{XML}}}id", h.id)
                        _lang(head, h.lang, lang)
                        self.content(head, h.blocks, h.lang or lang)
                    else:
                        self.content(head, (h,), lang)
            return True
        if node.classes == (EXPLICIT_BLOCKS,):
            self.blocks(parent, node.blocks, lang)
            return True
        if node.classes == (NOTE_PLACE,):
            self.note_at_place(parent, node.attrs, lang)
            return True
        if node.classes == (STANDOFF_SHOWN,):
            return True  # the standOff it shows is written back whole, beside the text
        name = tei_name(node.classes)
        if name is None:
            return False
        el = _sub(parent, name)
        set_attrs(el, name, [a for a in node.attrs if a[0] != PLACE])
        place = dict(node.attrs).get(PLACE)
        if place in ("before", "after"):
            self.outside.append((el, place))
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

    def body(self, parent: etree._Element, blocks: tuple[ir.Block, ...], lang: str | None, *,
             fill: bool = True) -> None:
        """Blocks with headings turned into nested divs (TEI from elsewhere keeps its own divs); a book's division
        heading gives its div the division's type (``chapter``, ``appendix``…)."""
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
                div = _sub(container, "div", {"type": b.role or level_type(b.level)})
                self.heading_content(_sub(div, "head"), b, lang)
                stack.append((b.level, div))
            else:
                self.block(stack[-1][1] if stack else parent, b, lang)
        if fill:
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
        details = bool(m.place or m.date or m.symbol or m.rights or self.isbn)
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
        if self.isbn:  # the edition's ISBN (--isbn, the book file's)
            _sub(ps, "idno", {"type": "ISBN"}, self.isbn)
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
        if not any(c.tag == _t("fileDesc") for c in hdr):
            # an empty <teiHeader/> (ksanaforge/cbeta2014's sample): TEI requires fileDesc; the least one that says
            # what docpipe knows (the title), with the publication and source it cannot know left empty
            m = self.doc.metadata
            made = etree.Element(_t("fileDesc"))
            _sub(_sub(made, "titleStmt"), "title", text=m.title or m.symbol or m.source or "Untitled")
            _sub(_sub(made, "publicationStmt"), "p")
            _sub(_sub(made, "sourceDesc"), "p")
            hdr.insert(0, made)
            self.diag.emit("text-repaired", "the source's TEI header has no fileDesc (which TEI requires): a "
                           "minimal one added (title; empty publicationStmt and sourceDesc)")
        moved, notes = to_xeno_data(hdr)
        for sentence in notes:
            self.diag.emit("writer-note", f"the source's TEI header: {sentence}")
        removed = moved + sanitize(hdr)
        for desc in hdr.iter(_t("sourceDesc")):
            # a sourceDesc that held only another vocabulary (van Gogh letters' vg:letDesc, kept verbatim in
            # notesStmt below) is left empty, which TEI refuses: an empty paragraph, as for publicationStmt
            if not any(isinstance(c.tag, str) for c in desc):
                _sub(desc, "p")
        from ..guard import inert_tree
        removed += inert_tree(hdr)  # pointers, pictures and links filtered as on every other route
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

    def front(self, text: etree._Element, *, title_page: bool = True) -> etree._Element:
        """``front`` with the title page made from the metadata (unless a book has its own) and edition notes."""
        m = self.doc.metadata
        front = _sub(text, "front")
        if title_page:
            self.title_page(front)
        if m.edition_notes:
            div = _sub(front, "div", {"type": "edition-notes"})
            for n in m.edition_notes:
                _sub(div, "p", text=n)
        return front

    def title_page(self, front: etree._Element) -> None:
        m = self.doc.metadata
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

    def book(self, text: etree._Element, blocks: tuple[ir.Block, ...], lang: str | None) -> etree._Element | None:
        """A book's divisions in ``front``, ``body`` and ``back`` (:mod:`.divisions`), each a ``div`` typed by its
        role (``preface``, ``part``, ``chapter``, ``appendix``, ``colophon``…); a made title page or half-title is
        a ``titlePage``."""
        divs = D.divisions(blocks)
        front = self.front(text, title_page=not any(d.role == "titlepage" for d in divs))
        for d in divs:
            if d.place == "front":
                if d.role in ("titlepage", "halftitlepage"):
                    self.made_title_page(front, d, blocks[d.start:d.end], lang)
                else:
                    self.body(front, blocks[d.start:d.end], lang, fill=False)
        self.body(_sub(text, "body"), tuple(b for d in divs if d.place == "body" for b in blocks[d.start:d.end]),
                  lang)
        back = tuple(b for d in divs if d.place == "back" for b in blocks[d.start:d.end])
        if not back:
            return None
        el = _sub(text, "back")
        self.body(el, back, lang, fill=False)
        return el

    def made_title_page(self, front: etree._Element, d: D.Division, blocks: tuple[ir.Block, ...],
                        lang: str | None) -> None:
        """A book's made title page (or half-title, ``type="half-title"``): its title a ``docTitle``, its lines
        ``titlePart``, ``docAuthor``, ``docEdition`` and ``docImprint``; anything else a ``titlePart``."""
        tp = _sub(front, "titlePage", {"type": "half-title" if d.role == "halftitlepage" else None})
        _lang(tp, d.heading.lang, lang)
        doc_title = _sub(tp, "docTitle")
        main = _sub(doc_title, "titlePart", {"type": "main"})
        if d.heading.id:
            main.set(f"{{{XML}}}id", d.heading.id)
        self.inlines(main, d.heading.children, d.heading.lang or lang)
        imprint: etree._Element | None = None
        for b in blocks:
            if b is d.heading:
                continue
            cls = D.line_class(b)
            kids = b.children[0].children if cls is not None and isinstance(b, ir.Para) \
                and isinstance(b.children[0], ir.Span) else None
            if cls == "subtitle" and kids is not None and imprint is None:
                el = _sub(doc_title, "titlePart", {"type": "sub"})
            elif cls == "author" and kids is not None:
                el = _sub(tp, "docAuthor")
            elif cls == "edition" and kids is not None:
                el = _sub(tp, "docEdition")
            elif cls == "publisher" and kids is not None:
                imprint = imprint if imprint is not None else _sub(tp, "docImprint")
                el = _sub(imprint, "publisher")
            elif cls == "isbn" and isinstance(b, ir.Para):
                imprint = imprint if imprint is not None else _sub(tp, "docImprint")
                self.isbn_line(imprint, b)
                continue
            else:
                el = _sub(tp, "titlePart", {"type": cls or "line"})
                kids = b.children if isinstance(b, ir.Para) else None
                if kids is None:
                    el.text = "".join(block_text((b,)).split("\n"))
                    continue
            self.inlines(el, kids, lang)

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
            from ..guard import inert_tree
            for resource in extra_values(m, RESOURCE_KEY):
                el = safe_fragment(resource)
                if el is not None and etree.QName(el).namespace == TEI:
                    sanitize(el)
                    # pointers, pictures and links filtered as in the header (a fuzzed <ptr target="javascript:…">
                    # beside the text, make fuzz seed 38)
                    inert_tree(el, relative_pictures=True)
                    if etree.QName(el).localname == "facsimile" and not any(isinstance(c.tag, str) for c in el):
                        # every page image named outside the document (Faustedition's faust://facsimile/…) went:
                        # TEI refuses an empty facsimile
                        self.diag.emit("writer-dropped", "a facsimile beside the text whose every picture leaves the "
                                       "document (a URL with a scheme or a host): not written")
                    elif etree.QName(el).localname in TEI_LEVEL:
                        tei.append(el)
                    elif etree.QName(el).localname in SOURCE_PARTS:
                        where = _to_source_desc(tei, el)
                        self.diag.emit("text-repaired", f"<{etree.QName(el).localname}> stood beside the text, where "
                                       f"TEI allows only facsimile, fsdDecl, sourceDoc and standOff: moved to {where}")
                    else:  # tei_all allows only these beside the text (a fuzzed <ptr> stood there)
                        self.diag.emit("writer-dropped", f"<{etree.QName(el).localname}> stood beside the text, "
                                       "where TEI allows only facsimile, fsdDecl, sourceDoc and standOff: not written")
        text = _sub(tei, "text")
        for value in extra_values(m, ATTRS_KEY + "text"):
            set_attrs(text, "text", unrend(value)[1])
        if m.language:
            text.set(f"{{{XML}}}lang", m.language)
        blocks = list(self.doc.blocks)
        book = not merged and bool(D.divisions(self.doc.blocks))  # a book: front, body and back from its divisions
        front = blocks.pop(0) if merged and blocks and _is(blocks[0], FRONT) else None
        back = blocks.pop() if merged and blocks and _is(blocks[-1], BACK) else None
        if front is not None:
            assert isinstance(front, ir.Div)
            self.part(text, "front", front, m.language)
        elif not merged and not book:
            self.front(text)
        back_el = None
        if book:
            back_el = self.book(text, self.doc.blocks, m.language)
        elif merged and len(blocks) == 1 and _is(blocks[0], GROUP):
            group = blocks[0]
            assert isinstance(group, ir.Div)
            self.part(text, "group", group, m.language)
        else:
            body = _sub(text, "body")
            for value in extra_values(m, ATTRS_KEY + "body"):
                set_attrs(body, "body", unrend(value)[1])
            self.body(body, tuple(blocks), m.language)
            after = body
            for el, place in self.outside:  # what stood in text itself, around the body, put back there
                if el.getparent() is not body:
                    continue
                if place == "before":
                    body.addprevious(el)
                else:
                    after.addnext(el)
                    after = el
        if back is not None:
            assert isinstance(back, ir.Div)
            self.part(text, "back", back, m.language)
            back_el = text[-1]
        unplaced = [n for n in self.doc.notes if n.id not in self.placed and n.id in self.notes]
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
        if self.empty_lists:
            self.diag.emit("writer-note", f"{self.empty_lists} list(s) without an item (an empty <dl></dl>…) left "
                           "out of TEI, whose list needs at least one item")
        repair(tei, self.diag)
        repair_lines(tei, self.diag)
        repair_strays(tei, self.diag)
        repair_years(tei, self.diag)
        repair_dates(tei, self.diag)
        repair_bibl(tei, self.diag)
        repair_source(tei, self.diag)
        return etree.tostring(tei, xml_declaration=True, encoding="UTF-8", pretty_print=not merged)


def _generic_nodes(doc: ir.Document) -> Iterator[ir.Span | ir.Div]:
    """Every Span and Div of the document, its notes included."""
    for blocks in (doc.blocks, *(n.blocks for n in doc.notes)):
        yield from (b for b in iter_blocks(blocks) if isinstance(b, ir.Div))
    yield from (n for n in iter_inlines_all(doc) if isinstance(n, ir.Span))


def _fill(body: etree._Element) -> None:
    """A ``body`` needs a paragraph or division: one of figures, notes and breaks only gets ``<p rend="empty"/>``
    (which the reader drops again)."""
    if all(etree.QName(c).localname in GLOBAL | DIV_TOP for c in body if isinstance(c.tag, str)):
        _sub(body, "p", {"rend": "empty"})


def _is(b: ir.Block, cls: str) -> bool:
    return isinstance(b, ir.Div) and b.classes == (cls,)


#: Namespaces whose elements a browser or an XML tool acts on (scripts, styles, inclusions, transformations): never
#: moved into ``xenoData`` (where they would be live again), removed with what they hold.
ACTIVE_NAMESPACES = frozenset({
    "http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude", "http://www.w3.org/1999/XSL/Transform",
    "http://www.w3.org/2001/xml-events", "http://www.w3.org/2002/xforms",
})


def _in_xeno_data(node: etree._Element) -> bool:
    return any(a.tag == _t("xenoData") for a in node.iterancestors())


def _xeno_ok(el: etree._Element) -> bool:
    """Whether ``xenoData`` may hold ``el`` as it is (no element of TEI's namespaces within) and it stays inert there
    (no element of :data:`ACTIVE_NAMESPACES`)."""
    return not any(isinstance(n.tag, str) and etree.QName(n).namespace in ACTIVE_NAMESPACES | {TEI, TEI_EXAMPLES}
                   for n in el.iter())


def _place(el: etree._Element, root: etree._Element) -> str:
    """Where ``el`` stands in ``root`` (a header), as a path of names: ``profileDesc/textDesc``."""
    names: list[str] = []
    node: etree._Element | None = el
    while node is not None and node is not root:
        names.append(etree.QName(node).localname)
        node = node.getparent()
    return "/".join(reversed(names)) or etree.QName(root).localname


def _optional_here(el: etree._Element) -> bool:
    """Whether ``tei_all`` lets the header part ``el`` be absent from its parent."""
    parent = el.getparent()
    if parent is None or etree.QName(parent).localname not in OPTIONAL_HEADER_PARTS:
        return False
    parts = OPTIONAL_HEADER_PARTS[etree.QName(parent).localname]
    return parts is None or etree.QName(el).localname in parts


def _empty(el: etree._Element) -> bool:
    return not (el.text or "").strip() and not any(isinstance(c.tag, str) or (c.tail or "").strip() for c in el)


def to_xeno_data(hdr: etree._Element) -> tuple[list[str], list[str]]:
    """Keep the elements of other namespaces of a header from elsewhere where ``tei_all`` allows them: each outside
    a ``xenoData`` (ELTeC's ``<eltec:size>`` in ``textDesc``) is moved, with what it holds, into a ``xenoData`` of
    the header, one per place they came from (its ``@n`` the place, its ``xml:id`` docpipe's, so that reading the
    file again leaves it out); a header part they leave empty is removed where ``tei_all`` lets it be absent
    (:data:`OPTIONAL_HEADER_PARTS`), since most may not be empty (``textDesc`` requires its ``channel``…). Elements
    ``xenoData`` may not hold, or that would be live there (XHTML, SVG, XInclude…), stay for :func:`sanitize` to
    remove. Returns the names moved and a sentence for each place, for the diagnostics."""
    groups: dict[etree._Element, list[etree._Element]] = {}
    for node in hdr.iter():
        parent = node.getparent()
        if not isinstance(node.tag, str) or parent is None or etree.QName(node).namespace == TEI:
            continue
        if any(etree.QName(a).namespace != TEI for a in node.iterancestors()) or _in_xeno_data(node):
            continue  # within another foreign element, or where tei_all allows it already
        if _xeno_ok(node):
            groups.setdefault(parent, []).append(node)
    moved: list[str] = []
    notes: list[str] = []
    for i, (parent, kids) in enumerate(groups.items(), start=1):
        place = _place(parent, hdr)
        xeno = etree.Element(_t("xenoData"), {"n": place})
        xeno.set(f"{{{XML}}}id", f"{ADDED_PREFIX}xenoData-{i}")
        for k in kids:
            _detach(k)
            xeno.append(k)
        rev = next((c for c in hdr if c.tag == _t("revisionDesc")), None)
        if rev is not None:
            rev.addprevious(xeno)
        else:
            hdr.append(xeno)
        names = [etree.QName(k).localname for k in kids]
        moved += names
        dropped: list[str] = []
        el: etree._Element | None = parent
        while el is not None and el is not hdr and _empty(el) and _optional_here(el):
            up = el.getparent()
            dropped.append(_place(el, hdr))
            _detach(el)
            el = up
        notes.append(f"{len(kids)} element(s) of another namespace in {place} ({', '.join(sorted(set(names))[:5])}), "
                     f"where tei_all allows none, moved to teiHeader/xenoData[@n='{place}']"
                     + (f"; {' and '.join(dropped)}, left empty, removed (tei_all allows it absent, not empty)"
                        if dropped else ""))
    return moved, notes


def sanitize(el: etree._Element) -> list[str]:
    """Make a kept TEI fragment (a header from elsewhere) valid where it is not: elements of other namespaces, and
    names TEI does not have (a ``<script>``), are removed (but within a ``xenoData``, which holds them: see
    :func:`to_xeno_data`), attributes of other namespaces and attributes ``tei_all`` does not allow become ``@rend``
    tokens, and the details of a ``publicationStmt`` follow its first agency; returns what was changed (the caller
    keeps the original whole)."""
    changed: list[str] = []
    for node in list(el.iter()):
        if not isinstance(node.tag, str):
            continue
        if _in_xeno_data(node):
            continue
        if etree.QName(node).namespace != TEI or etree.QName(node).localname not in TEI_ELEMENTS:
            # another vocabulary's element, or one TEI does not have (a <script> in TEI's namespace): removed here,
            # kept in the verbatim copy of the header
            changed.append(etree.QName(node).localname)
            _detach(node)
            continue
        name = etree.QName(node).localname
        ok = allowed(name) if name in ATTS else None  # of other elements only what the table knows is checked
        moved: list[tuple[str, str]] = []
        if node.get("calendar") is not None and not "".join(node.itertext()).strip():
            # tei_all's Schematron: @calendar names the calendar of a date written in the content; an empty
            # <date calendar="Gregorian"/> (a template left unfilled, as in Syriaca.org's headers) has none
            changed.append("@calendar of an empty date")
            token = f"@calendar={enc(node.attrib.pop('calendar'))}"  # in @rend: set_attrs would put it back
            node.set("rend", f"{node.get('rend')} {token}" if node.get("rend") else token)
        for k in list(node.attrib):
            q = etree.QName(k)
            key = f"xml:{q.localname}" if q.namespace == XML else k
            if q.namespace not in (None, XML) or (ok is not None and key not in ok):
                changed.append(f"@{q.localname}")
                moved.append((key, node.attrib[k]))
                del node.attrib[k]
        if moved:
            set_attrs(node, name, [("rend", node.get("rend", "")), *moved] if node.get("rend") else moved)
        if name == "publicationStmt" and (mended := _reorder_publication(node)):
            changed.append(mended)
    etree.cleanup_namespaces(el)
    return changed


def _reorder_publication(ps: etree._Element) -> str | None:
    """Details (``idno``, ``date``, ``availability``…) in the order ``tei_all`` requires, after an agency
    (``publisher``, ``distributor``, ``authority``): those standing before the first agency moved after it; where
    there is none (IIP's ``<xi:include/><idno/>``, the include left out), an empty ``publisher`` put before them —
    who published it is not said. What was done, or None."""
    kids = [c for c in ps if isinstance(c.tag, str)]
    names = [etree.QName(c).localname for c in kids]
    if not kids or any(n in ("p", "ab") for n in names):
        return None
    first = next((i for i, n in enumerate(names) if n in AGENCIES), None)
    if first is None:
        ps.insert(0, etree.Element(f"{{{TEI}}}publisher"))
        ps[0].tail, ps.text = ps.text, None
        return "publicationStmt details without a publisher (an empty publisher added before them)"
    if not first:
        return None
    agency = kids[first]
    for c in reversed(kids[:first]):
        agency.addnext(c)
    return "publicationStmt order"


def repair(root: etree._Element, diag: Diagnostics) -> None:
    """Keep a division's opening and closing elements (``byline``, ``closer``…) where ``tei_all`` allows them: one
    found amid the content (TEI from elsewhere may have had it there, inside an element docpipe could not keep as
    itself) becomes ``<ab rend="tei-NAME …">`` (or ``floatingText`` if it holds blocks), which reads back as the
    same element."""
    moved = 0
    for container in _containers(root):
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
    after = _after_divisions(root)
    if after:
        diag.emit("text-repaired", f"{after} run(s) of blocks after a division in its container (CBETA's TAF "
                  f"<div>), where tei_all allows only divisions, written as <div type='{AFTER_DIV}'> (read back "
                  "as those blocks)")
    heads = [e for e in root.iter(_t("head")) if (p := e.getparent()) is not None
             and etree.QName(p).localname in PHRASE_PARENTS and etree.QName(p).namespace == TEI]
    wrapped = [el for el in heads if _head_of_blocks(el)]
    for el in wrapped:  # the head and the blocks after it a division of their own, where divisions are allowed
        div = etree.Element(_t("div"), {"type": HEAD_DIV})
        el.addprevious(div)
        for c in [el, *el.itersiblings()]:
            div.append(c)
    if wrapped:
        diag.emit("text-repaired", f"{len(wrapped)} <head> opening the blocks of a reading (CBETA's <lem><head>), "
                  f"where tei_all allows no head, written with those blocks as <div type='{HEAD_DIV}'>")
    done = set(wrapped)
    heads = [el for el in heads if el not in done]
    for el in heads:
        _fallback(el, "head", inline=True)
    if heads:
        diag.emit("text-repaired", f"{len(heads)} <head> inside running text (CBETA's <ab><head>), where tei_all "
                  "allows none, kept as <seg rend='tei-head'> (read back as the same head)")


def _containers(root: etree._Element) -> list[etree._Element]:
    """The TEI elements under ``root`` that hold divisions and blocks (body, div…, front, back)."""
    return [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in CONTAINERS
            and etree.QName(e).namespace == TEI]


def _after_divisions(root: etree._Element) -> int:
    """Wrap each run of blocks that follows a division in its container (``model.common`` after ``model.divLike``,
    which ``tei_all`` refuses) in ``<div type="docpipe-after-div">``; how many runs."""
    made = 0
    for container in _containers(root):
        seen: str | None = None  # the kind of division found (div, or div1 … div7: a wrapper is one of them)
        run: list[etree._Element] = []
        for c in [c for c in container if isinstance(c.tag, str)]:
            name = _local(c)
            if name in DIVISIONS:
                if run:
                    _wrap_after(run, seen or "div")
                    made += 1
                run, seen = [], name
            elif seen and (run or name not in GLOBAL) and name not in DIV_BOTTOM:
                run.append(c)
        while run and _local(run[-1]) in GLOBAL:  # breaks and notes at the end stay where they are
            run.pop()
        if run:
            _wrap_after(run, seen or "div")
            made += 1
    return made


def _wrap_after(run: list[etree._Element], kind: str) -> None:
    div = etree.Element(_t(kind), {"type": AFTER_DIV})
    run[0].addprevious(div)
    for c in run:
        div.append(c)


#: ``model.divLike`` and the numbered divisions: after the first, a container may hold no paragraph or text.
DIVISIONS = frozenset({"div", "div1", "div2", "div3", "div4", "div5", "div6", "div7"})
#: ``div/@type`` of the division made around a ``head`` that opens the blocks of a reading (``lem``, ``rdg``).
HEAD_DIV = ADDED_PREFIX + "headed"
#: Where ``tei_all`` allows divisions (``model.divLike``) but no ``head``.
DIV_NOT_HEAD = frozenset({"lem", "rdg"})
#: Where tei_all has no ``head`` but takes a floatingText (macro.specialPara): headings there go in a
#: :data:`HEADED_TEXT` floatingText.
HEADLESS = frozenset({"cell", "item", "quote", "note"})
#: What may follow a ``head`` in a ``div``: blocks (``model.divPart``, ``model.inter``) and ``model.global``.
DIV_FOLLOWERS = (BLOCKISH - {"l", "floatingText"}) | GLOBAL


def _head_of_blocks(head: etree._Element) -> bool:
    """Whether ``head`` opens the content of a reading that is otherwise blocks: nothing but breaks and notes
    before it, blocks after it, no text outside them."""
    parent = head.getparent()
    if parent is None or _local(parent) not in DIV_NOT_HEAD or (parent.text or "").strip():
        return False
    before = list(head.itersiblings(preceding=True))
    after = list(head.itersiblings())
    if any(_local(c) not in GLOBAL or (c.tail or "").strip() for c in before):
        return False
    if (head.tail or "").strip() or not any(_local(c) in BLOCKISH for c in after):
        return False
    return all(_local(c) in DIV_FOLLOWERS and not (c.tail or "").strip() for c in after)


#: Elements of running text where ``tei_all`` allows no ``head`` but allows ``seg``.
PHRASE_PARENTS = frozenset({"p", "ab", "l", "seg", "hi", "emph", "q", "said", "foreign", "title", "s", "w", "name",
                            "persName", "placeName", "orgName", "rs", "term", "mentioned", "soCalled", "add", "del",
                            "supplied", "unclear", "sic", "corr", "orig", "reg", "lem", "rdg", "speaker", "stage"})

#: Where a paragraph cannot stand: phrase-level parents, and lists of apparatus entries or witnesses.
NO_P = PHRASE_PARENTS | {"listApp", "listWit", "head", "label"}



def _fallback(el: etree._Element, name: str, *, inline: bool = False) -> None:
    attrs: list[tuple[str, str]] = []
    keep: dict[str, str] = {}
    for k, v in el.attrib.items():
        if k in (f"{{{XML}}}id", f"{{{XML}}}lang"):
            keep[k] = v
        else:
            q = etree.QName(k)
            attrs.append((f"xml:{q.localname}" if q.namespace == XML else k, v))
    token = rend((f"tei-{name}",), tuple(attrs)) or f"tei-{name}"
    if inline:
        el.attrib.clear()
        el.tag = _t("seg")
    elif any(isinstance(c.tag, str) and etree.QName(c).localname in BLOCKISH for c in el):
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


# ---------------------------------------------------------------------------------------------------- line groups
#: What ``tei_all`` allows as a child of ``lg``: its heading and division openers and closers, lines, nested groups,
#: labels, stage directions, transcriptional phrases and ``model.global`` (TEI P5 4.12.0, ``lg``).
LG_CHILDREN = GLOBAL | DIV_TOP | DIV_BOTTOM | frozenset({
    "l", "lg", "label", "desc", "stage", "move", "view", "camera", "sound", "caption", "tech", "sic", "corr", "reg",
    "orig", "add", "del", "unclear", "damage", "handShift", "restore", "supplied", "surplus", "secl", "mod", "redo",
    "retrace", "undo"})
#: Elements whose content model holds ``model.divPart`` (``sp``, ``lg``, ``p``) and ``model.divLike``: where a
#: speaker's line group may become ``sp`` and a stray ``head`` a ``div`` of its own.
DIVPART_PARENTS = frozenset({"body", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "lem", "rdg"})
#: Block-level elements that, found inside ``lg`` among its lines, are themselves a line (renamed ``l``).
LINE_LIKE = frozenset({"p", "ab", "speaker"})


def _local(el: etree._Element) -> str | None:
    """The local name of a TEI element; None for comments, processing instructions and other namespaces."""
    if not isinstance(el.tag, str):
        return None
    q = etree.QName(el)
    return q.localname if q.namespace == TEI else None


def _origin(el: etree._Element, name: str) -> str:
    """``@rend`` for an element renamed by a repair: its own rend (a generic container's ``tei-NAME …``), else
    ``tei-NAME`` and its attributes as tokens (read back as the same element, :func:`_fallback`'s convention)."""
    if name == "seg" and el.get("rend"):
        return el.get("rend", "")
    attrs = [(f"xml:{etree.QName(k).localname}" if etree.QName(k).namespace == XML else k, v)
             for k, v in el.attrib.items() if k not in (f"{{{XML}}}id", f"{{{XML}}}lang")]
    return rend((f"tei-{name}",), tuple(attrs)) or f"tei-{name}"


def _rename(el: etree._Element, tag: str, name: str) -> None:
    """``el`` as ``<tag>``, its attributes kept in ``@rend`` (``xml:id`` and ``xml:lang`` as themselves)."""
    token = _origin(el, name)
    keep = {k: v for k, v in el.attrib.items() if k in (f"{{{XML}}}id", f"{{{XML}}}lang")}
    el.attrib.clear()
    el.tag = _t(tag)
    el.set("rend", token)
    for k, v in keep.items():
        el.set(k, v)


def _holds_lines(el: etree._Element) -> bool:
    return any(_local(d) in ("l", "lg") for d in el.iterdescendants())


def _first_line(el: etree._Element) -> etree._Element | None:
    if _local(el) == "l":
        return el
    return next((d for d in el.iterdescendants() if _local(d) == "l"), None)


def _last_line(el: etree._Element) -> etree._Element | None:
    if _local(el) == "l":
        return el
    lines = [d for d in el.iterdescendants() if _local(d) == "l"]
    return lines[-1] if lines else None


class _LgRepairs:
    """What :func:`repair_lines` did, for its diagnostics."""

    def __init__(self) -> None:
        self.speakers: list[str] = []
        self.groups = 0
        self.lines = 0
        self.joined = 0
        self.heads = 0
        self.pushed = 0
        self.where: list[str] = []


#: Where an element of no running text, no block and no division (an ``object``, a ``form``, a ``person``: each
#: belongs to its own list or entry) cannot stand: running text, and notes.
_STRAY_PARENTS = PHRASE_PARENTS | {"note"}
#: The parts of a ``text``: never inside running text (HANSEL's ``<lg>…<back>iti |</back></lg>``, its ``back`` made a
#: line's content), where they are strays like any other.
_TEXT_PARTS = frozenset({"front", "body", "back"})
_NOT_STRAY = PARA_CONTENT | BLOCKISH | CONTAINERS | DIV_TOP | DIV_BOTTOM | GLOBAL | {"head", "p", "ab", "sp", "lg"}


#: What ``tei_all`` allows in ``TEI`` besides the header and the text.
TEI_LEVEL = frozenset({"facsimile", "fsdDecl", "sourceDoc", "standOff"})
#: What a ``sourceDesc`` holds besides prose (model.biblLike, model.listLike's lists of sources): one found beside
#: the text (a witness list after ``</text>``) is moved there.
SOURCE_PARTS = frozenset({"listWit", "listBibl", "bibl", "biblStruct", "biblFull", "msDesc"})
#: att.datable's attributes: W3C dates, whose year has at least four digits.
DATABLE = ("when", "notBefore", "notAfter", "from", "to")
_SHORT_YEAR = re.compile(r"(-?)(\d{1,3})((?:-\d\d){0,2})")
#: Elements whose @from/@to are not dates: pointers (``app``, ``span``, ``arc``) or page and folio numbers
#: (att.citing's ``biblScope``/``citedRange``, ``locus``): ``<app from="7">``, ``<biblScope from="12">`` stay.


def repair_years(root: etree._Element, diag: Diagnostics) -> None:
    """A year of fewer than four digits in a date attribute (teiphy's ``notBefore="800"``) written with the
    leading zeros the W3C form asks (``0800``): the same year, now valid; said once."""
    fixed = 0
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != TEI:
            continue
        if etree.QName(el).localname not in DATABLE_ELEMENTS:
            continue  # @from and @to of an app or a locus point or count, they do not date
        for attr in DATABLE:
            value = el.get(attr)
            if value and (m := _SHORT_YEAR.fullmatch(value)):
                el.set(attr, f"{m.group(1)}{int(m.group(2)):04d}{m.group(3)}")
                fixed += 1
    if fixed:
        diag.emit("text-repaired", f"{fixed} date attribute(s) with a year of fewer than four digits written with "
                  "leading zeros (notBefore='800' -> '0800', the W3C form tei_all asks)")


#: teidata.temporal.w3c: xsd:date, gYear, gYearMonth, gMonth, gMonthDay, gDay, time and dateTime, with a zone.
_W3C_TEMPORAL = re.compile(r"(?:-?\d{4,}(?:-\d\d(?:-\d\d(?:T\d\d:\d\d:\d\d(?:\.\d+)?)?)?)?|--\d\d(?:-\d\d)?|---\d\d"
                           r"|\d\d:\d\d:\d\d(?:\.\d+)?)(?:Z|[+-]\d\d:\d\d)?")


def repair_dates(root: etree._Element, diag: Diagnostics) -> None:
    """A date attribute whose value is no W3C date at all (HANSEL's ``<change when="March – July 2026">``) kept as an
    ``@when=…`` token of ``@rend``, as :func:`set_attrs` keeps every value ``tei_all`` refuses (read back as the
    attribute), and the file stays valid; said once. Run after :func:`repair_years`, which mends short years."""
    moved: Counter[str] = Counter()
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != TEI:
            continue
        if etree.QName(el).localname not in DATABLE_ELEMENTS:
            continue
        bad = [(a, v) for a in DATABLE if (v := el.get(a)) is not None and not _W3C_TEMPORAL.fullmatch(v.strip())]
        for attr, value in bad:
            del el.attrib[attr]
            token = f"@{enc(attr)}={enc(value)}"
            el.set("rend", f"{el.get('rend')} {token}" if el.get("rend") else token)
            moved[attr] += 1
    if moved:
        diag.emit("text-repaired", f"{sum(moved.values())} date attribute(s) ({', '.join(sorted(moved))}) whose "
                  "value is no W3C date (when='Aug 2026') kept as @rend tokens (read back as the attributes), "
                  "tei_all typing them as dates")


#: What ``tei_all`` lets a ``sourceDesc`` hold (prose, or model.biblLike, model.sourceDescPart, model.listLike).
SOURCE_DESC_CHILDREN = SOURCE_PARTS | frozenset({
    "p", "ab", "recordingStmt", "scriptStmt", "list", "listApp", "listEvent", "listNym", "listObject", "listOrg",
    "listPerson", "listPlace", "listRelation", "table", "listAnnotation", "castList", "listForm", "listTranspose"})
#: Parts of a bibliographic description that stand in ``bibl`` (model.biblPart and phrases): found loose in a
#: ``sourceDesc`` (HANSEL's ``<series>`` and ``<note>`` beside its ``bibl``), they belong to the ``bibl`` before.
BIBL_PARTS = frozenset({"series", "note", "title", "author", "editor", "respStmt", "publisher", "pubPlace", "date",
                        "biblScope", "citedRange", "idno", "edition", "extent", "availability", "textLang",
                        "relatedItem", "distributor", "imprint"})


def repair_bibl(root: etree._Element, diag: Diagnostics) -> None:
    """A source description as ``tei_all`` has it, the same words in the same order: an ``imprint`` inside a
    ``bibl`` (which holds ``publisher``, ``pubPlace`` and ``date`` as themselves, but no ``imprint``: that belongs to
    ``monogr``) gives it its content; the parts of a description found loose in a ``sourceDesc`` (a ``series``, a
    ``note``) join the ``bibl`` before them, or one made for them. Said once each."""
    said: Counter[str] = Counter()
    for sd in root.iter(_t("sourceDesc")):
        kids = [c for c in sd if isinstance(c.tag, str)]
        if any(_local(c) in ("p", "ab") for c in kids):
            continue  # prose: TEI does not mix it with descriptions
        for c in kids:
            name = _local(c)
            if name in SOURCE_DESC_CHILDREN or name not in BIBL_PARTS:
                continue
            prev = c.getprevious()
            while prev is not None and not isinstance(prev.tag, str):
                prev = prev.getprevious()
            if prev is None or prev.tag != _t("bibl"):
                prev = etree.Element(_t("bibl"))
                c.addprevious(prev)
            prev.append(c)
            said[f"<{name}> loose in sourceDesc moved into the <bibl> before it"] += 1
    for bibl in root.iter(_t("bibl")):
        for imp in [c for c in bibl if c.tag == _t("imprint")]:
            _lift(imp)
            said["<imprint> in a <bibl> (tei_all allows it in <monogr>) unwrapped: its publisher, place and date "
                 "stand in the bibl"] += 1
    for what, n in said.items():
        diag.emit("text-repaired", f"{n} {what}")


#: Attributes whose value is a list of one or more pointers (teidata.pointer+): an empty one is invalid and says
#: nothing (teiphy's ``<rdg wit=""/>``).
POINTER_LISTS = ("wit", "corresp", "target", "ana", "source", "resp", "hand", "ref", "sameAs", "copyOf", "next",
                 "prev", "facs", "select")
#: The elements that may come before ``publicationStmt`` in ``fileDesc``.
_BEFORE_PUBLICATION = frozenset({"titleStmt", "editionStmt", "extent"})


def repair_source(root: etree._Element, diag: Diagnostics) -> None:
    """What a source got wrong that TEI says how to put right, put right and said once each (the same content, now
    valid); what only its author could put right (a value out of range, a relation with no name) said, and kept:

    * a ``del`` or ``add`` around whole blocks (GRETIL's ``<del><lg>…</lg></del>``) becomes ``delSpan``/``addSpan``
      before the blocks and an ``anchor`` after them (TEI's encoding of a deletion across blocks);
    * a ``fileDesc`` with no ``publicationStmt`` gets an empty one (required; what it would say is unknown);
    * ``@subtype`` with no ``@type`` is written as ``@type``; an empty pointer list (``wit=""``) is left out; a
      ``@type`` or ``@subtype`` of several words (``type="Long Poems"``) has them joined by ``_``;
    * a ``p`` inside ``interp`` (which holds phrases) gives its text to the ``interp``."""
    said: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    taken = {i for e in root.iter() if isinstance(e.tag, str) and (i := e.get(f"{{{XML}}}id"))}
    for el in [e for e in root.iter(_t("del"), _t("add")) if _block_span(e)]:
        name = etree.QName(el).localname
        _to_span(el, taken)
        said[f"<{name}> around whole blocks written as <{name}Span spanTo='#…'/> … <anchor/>"] += 1
    for fd in root.iter(_t("fileDesc")):
        if not any(c.tag == _t("publicationStmt") for c in fd):
            where = [c for c in fd if isinstance(c.tag, str) and _local(c) in _BEFORE_PUBLICATION]
            made = etree.Element(_t("publicationStmt"))
            _sub(made, "p")
            if where:
                where[-1].addnext(made)
            else:
                fd.insert(0, made)
            said["fileDesc without the publicationStmt TEI requires: an empty one added"] += 1
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != TEI:
            continue
        if el.get("subtype") is not None and el.get("type") is None:
            if _local(el) in CLOSED_TYPE:
                kept[f"<{_local(el)}> with @subtype but no @type (whose values TEI fixes)"] += 1
            else:
                el.set("type", el.attrib.pop("subtype"))
                said["@subtype without the @type it subdivides written as @type"] += 1
        for attr in POINTER_LISTS:
            if el.get(attr) is not None and not el.get(attr, "").strip():
                del el.attrib[attr]
                said[f"empty @{attr} (a list of pointers: at least one) left out"] += 1
        for attr in ("type", "subtype"):
            value = el.get(attr)
            if value is not None and value.strip() and len(words := value.split()) > 1:
                el.set(attr, "_".join(words))  # Perseus's <div1 type="Long Poems">
                said[f"@{attr} of several words (a TEI type is one word) joined with '_' ({value!r} -> "
                     f"{'_'.join(words)!r})"] += 1
    for p in [p for p in root.iter(_t("p")) if (up := p.getparent()) is not None and up.tag == _t("interp")]:
        _unwrap(p)
        said["<p> inside <interp>, which holds phrases only: its text given to the interp"] += 1
    for what, n in said.items():
        diag.emit("text-repaired", f"the source's TEI: {n} × {what}")
    kept.update(f"certainty/@degree={c.get('degree')!r} (at most 1)" for c in root.iter(_t("certainty"))
                if _over_one(c.get("degree")))
    kept.update("<relation> with no @name, @ref or @key" for r in root.iter(_t("relation"))
                if not any(r.get(a) for a in ("name", "ref", "key")))
    kept.update("<msIdentifier> naming neither the repository nor the location" for ms in root.iter(_t("msIdentifier"))
                if (up := ms.getparent()) is not None and up.tag != _t("msPart") and _unplaced(ms))
    if kept:
        diag.emit("text-repaired", "the source's TEI holds values TEI refuses that only its author can correct, "
                  "kept as they are: " + "; ".join(f"{n} × {k}" for k, n in sorted(kept.items())))


def _block_span(el: etree._Element) -> bool:
    """Whether ``el`` (a del or add) stands among blocks and holds blocks, where TEI allows only its span form."""
    up = el.getparent()
    return up is not None and etree.QName(up).namespace == TEI and _local(up) in CONTAINERS and \
        any(isinstance(c.tag, str) and _local(c) in BLOCKISH for c in el)


def _to_span(el: etree._Element, taken: set[str]) -> None:
    """``<del …>blocks</del>`` -> ``<delSpan … spanTo="#END"/>blocks<anchor xml:id="END"/>``, END not among the
    ids ``taken`` (and added to them)."""
    name = etree.QName(el).localname
    base = f"{el.get(f'{{{XML}}}id') or 'docpipe-' + name}-end"
    end, n = base, 1
    while end in taken:
        n += 1
        end = f"{base}-{n}"
    taken.add(end)
    span = etree.Element(_t(name + "Span"), dict(el.attrib))
    span.set("spanTo", "#" + end)
    anchor = etree.Element(_t("anchor"))
    anchor.set(f"{{{XML}}}id", end)
    el.addprevious(span)
    if el.text and el.text.strip():
        span.tail = el.text
    for c in list(el):
        el.addprevious(c)
    anchor.tail = el.tail
    el.addprevious(anchor)
    up = el.getparent()
    assert up is not None
    up.remove(el)


def _unwrap(el: etree._Element) -> None:
    """Put ``el``'s content in its place, its text and tail joined to their neighbours' with a space."""
    def join(a: str | None, b: str | None) -> str | None:
        return " ".join(t for t in ((a or "").strip(), (b or "").strip()) if t) or None

    up = el.getparent()
    assert up is not None
    prev = el.getprevious()
    kids = list(el)
    tail = None if kids else el.tail
    if prev is not None:
        prev.tail = join(join(prev.tail, el.text), tail)
    else:
        up.text = join(join(up.text, el.text), tail)
    for c in kids:
        el.addprevious(c)
    if kids:
        kids[-1].tail = join(kids[-1].tail, el.tail)
    up.remove(el)


def _lift(el: etree._Element) -> None:
    """Put ``el``'s content in its place, its text and tail as they are (white space between words kept)."""
    up = el.getparent()
    assert up is not None
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + (el.text or "")
    else:
        up.text = (up.text or "") + (el.text or "")
    kids = list(el)
    for c in kids:
        el.addprevious(c)
    last = el.getprevious()
    if last is not None:
        last.tail = (last.tail or "") + (el.tail or "")
    else:
        up.text = (up.text or "") + (el.tail or "")
    up.remove(el)


def _unplaced(ms: etree._Element) -> bool:
    """tei_all's rule for an ``msIdentifier``: it opens with no place (an idno first) or says nothing."""
    first = next((c for c in ms if isinstance(c.tag, str)), None)
    return (first is not None and _local(first) in ("idno", "altIdentifier")) or not "".join(ms.itertext()).strip()


def _over_one(value: str | None) -> bool:
    try:
        return value is not None and float(value) > 1
    except ValueError:
        return False


def repair_strays(root: etree._Element, diag: Diagnostics) -> None:
    """An element that running text cannot hold, found there (a mutated or hand-edited source: ``<object>`` in a
    note), becomes ``<seg rend="tei-NAME …">``, which reads back as the same element; said once."""
    strays = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).namespace == TEI
              and (etree.QName(e).localname not in _NOT_STRAY or etree.QName(e).localname in _TEXT_PARTS)
              and (p := e.getparent()) is not None and etree.QName(p).localname in _STRAY_PARENTS
              and etree.QName(p).namespace == TEI]
    names = sorted({etree.QName(e).localname for e in strays})
    for el in strays:
        _fallback(el, etree.QName(el).localname, inline=True)
    if strays:
        diag.emit("text-repaired", f"{len(strays)} element(s) running text cannot hold ({', '.join(names)}), "
                  "kept as <seg rend='tei-NAME'> (read back as the same elements)")


def repair_lines(root: etree._Element, diag: Diagnostics) -> None:
    """Make each ``lg`` that ``tei_all`` refuses valid, and report it; a valid ``lg`` is left as it is.

    * a speaker (``<ab type="speaker">``, DHARMA's, or ``speaker``) opening the group: the group becomes
      ``<sp><speaker>…</speaker><lg>…</lg></sp>`` where ``sp`` is allowed, else the speaker a ``label``;
    * an element holding lines (CBETA's ``cb:tt``/``cb:t`` pairs, kept as ``seg``) becomes a nested ``lg``;
    * a ``p``/``ab`` among the lines becomes a line (``<l rend="tei-ab …">``); a heading kept as ``seg`` before the
      lines is a ``head`` again;
    * text and phrases outside the lines (CBETA's opening 「 before the first line, a translation as ``seg``):
      text alone (with the notes and breaks around it) joins the line it stands before (or after), in document
      order; a phrase is a line of its own.
    """
    done = _LgRepairs()
    stack = [e for e in root.iter(_t("lg"))]
    stack.reverse()
    while stack:
        lg = stack.pop()
        if _lg_valid(lg):
            continue
        label = lg.get(f"{{{XML}}}id") or lg.get("n")
        if label and len(done.where) < 5:
            done.where.append(label)
        stack.extend(reversed(_repair_lg(lg, done)))
    parts = []
    if done.speakers:
        parts.append(f"{len(done.speakers)} speaker(s) inside <lg> (the source's <ab type='speaker'>) written as "
                     f"<sp><speaker> before the group ({', '.join(done.speakers[:5])})")
    if done.groups:
        parts.append(f"{done.groups} element(s) holding lines inside <lg> (CBETA's cb:tt/cb:t) written as nested "
                     "<lg> (their names kept in @rend)")
    if done.heads:
        parts.append(f"{done.heads} heading(s) kept as <seg rend='tei-head'> inside <lg> written as its <head>")
    if done.lines:
        parts.append(f"{done.lines} paragraph(s) or phrase(s) standing among the lines of an <lg> written as lines "
                     "(<l>, their names kept in @rend)")
    if done.pushed:
        parts.append(f"{done.pushed} line group(s) whose lines all stand in the readings of an <app> (CBETA: a verse "
                     "some witnesses omit) put inside each reading (<app><lem><lg>…)")
    if done.joined:
        parts.append(f"{done.joined} run(s) of text outside the lines of an <lg> (e.g. an opening 「) joined to "
                     "the line they stand before or after")
    if parts:
        diag.emit("text-repaired", "invalid line groups repaired for tei_all" +
                  (f" ({', '.join(done.where)})" if done.where else "") + ": " + "; ".join(parts))


def _lg_valid(lg: etree._Element) -> bool:
    if (lg.text or "").strip():
        return False
    slot = False
    for c in lg:
        if isinstance(c.tag, str) and _local(c) not in LG_CHILDREN:
            return False
        if (c.tail or "").strip():
            return False
        slot = slot or _local(c) in LINE_SLOTS
    return slot and any(_local(d) in ("l", "lg", "gap") for d in lg.iterdescendants())


#: The children one of which ``lg`` must have (a line, a group, a label, a stage direction, a transcriptional
#: phrase): notes, breaks and ``app`` alone leave it incomplete.
LINE_SLOTS = LG_CHILDREN - GLOBAL - DIV_TOP - DIV_BOTTOM


def _into_readings(lg: etree._Element, done: _LgRepairs) -> list[etree._Element]:
    """``<lg><app><lem><l>…</l></lem><rdg>…</rdg></app></lg>`` (CBETA: a whole verse that some witnesses omit)
    -> ``<app><lem><lg><l>…</l></lg></lem><rdg>…</rdg></app>``: the group inside each reading that holds lines
    (the first keeps its ``xml:id``), the notes and breaks around the app where the group stood. Returns the
    groups made; none (and nothing changed) when no ``app`` reading holds lines, or the group cannot be undone
    where it stands."""
    parent = lg.getparent()
    apps = [c for c in lg if _local(c) == "app"]
    readings = [r for a in apps for r in a if _local(r) in ("lem", "rdg") and any(_local(x) == "l" for x in r)]
    if parent is None or not readings or any(
            _local(c) not in GLOBAL for c in lg if isinstance(c.tag, str)):
        return []
    made = []
    for k, reading in enumerate(readings):
        group = etree.SubElement(reading, _t("lg"))
        for key, value in lg.attrib.items():
            if key != f"{{{XML}}}id" or k == 0:
                group.set(key, value)
        group.text, reading.text = reading.text, None
        for c in list(reading):
            if c is not group:
                group.append(c)
        made.append(group)
    at = parent.index(lg)
    for c in list(lg):
        parent.insert(at, c)
        at += 1
    _detach(lg)
    done.pushed += 1
    return made


def _repair_lg(lg: etree._Element, done: _LgRepairs) -> list[etree._Element]:
    """Repair one ``lg``; returns the line groups it made (to be checked in turn)."""
    made: list[etree._Element] = []
    kids = [c for c in lg if isinstance(c.tag, str)]
    content = [c for c in kids if _local(c) not in GLOBAL]
    parent = lg.getparent()
    first = content[0] if content else None
    if first is not None and not (lg.text or "").strip() and not any(
            (c.tail or "").strip() for c in kids[:kids.index(first)]) and _is_speaker(first):
        if parent is not None and _local(parent) in DIVPART_PARENTS:
            _to_sp(lg, first)
        else:
            _rename(first, "label", _local(first) or "ab")
            first.set("type", "speaker")
        done.speakers.append(lg.get(f"{{{XML}}}id") or lg.get("n") or "lg")
    # elements refused inside lg
    seen_line = False
    for c in kids:
        name = _local(c)
        if name in ("l", "lg"):
            seen_line = True
        if name is None or name in LG_CHILDREN or c.getparent() is not lg:
            continue
        if _holds_lines(c):
            _rename(c, "lg", name)
            made.append(c)
            done.groups += 1
            seen_line = True
        elif name == "seg" and unrend(c.get("rend"))[0] == ("tei-head",) and not seen_line:
            attrs = unrend(c.get("rend"))[1]
            del c.attrib["rend"]
            c.tag = _t("head")
            set_attrs(c, "head", attrs)
            done.heads += 1
        elif name in LINE_LIKE:
            _rename(c, "l", name)
            done.lines += 1
            seen_line = True
    _runs(lg, done)
    if not any(_local(c) in LINE_SLOTS for c in lg):
        pushed = _into_readings(lg, done)
        if pushed:
            return made + pushed
        if not _holds_lines(lg):  # notes and breaks alone: they are the group's one line
            line = etree.Element(_t("l"))
            line.text, lg.text = lg.text, None
            for c in list(lg):
                if _local(c) not in DIV_TOP:
                    line.append(c)
            lg.append(line)
            done.lines += 1
    return made


def _is_speaker(el: etree._Element) -> bool:
    name = _local(el)
    return (name == "speaker" or (name in ("ab", "p") and el.get("type") == "speaker")) and not _holds_lines(el)


def _to_sp(lg: etree._Element, speaker: etree._Element) -> None:
    """``<lg><ab type="speaker">S</ab>…</lg>`` -> ``<sp><speaker>S</speaker><lg>…</lg></sp>``."""
    sp = etree.Element(_t("sp"))
    lg.addprevious(sp)
    sp.tail, lg.tail = lg.tail, None
    name = _local(speaker) or "ab"
    attrs = [(f"xml:{etree.QName(k).localname}" if etree.QName(k).namespace == XML else k, v)
             for k, v in speaker.attrib.items() if not (k == "type" and v == "speaker")]
    _detach(speaker)
    speaker.tail = None
    speaker.attrib.clear()
    speaker.tag = _t("speaker")
    set_attrs(speaker, "speaker", attrs)
    if name != "ab":
        speaker.set("rend", " ".join(x for x in (speaker.get("rend"), f"tei-{name}") if x))
    sp.append(speaker)
    sp.append(lg)


def _runs(lg: etree._Element, done: _LgRepairs) -> None:
    """Text and refused phrases between the structural children of ``lg`` (those it allows other than
    ``model.global``): each stretch between two of them that holds text or a refused element is moved, with the
    notes and breaks inside it, into a line. Text alone joins the next line (or else the previous one) at the
    place it stood, so the document order is kept; a stretch holding a phrase becomes a line of its own."""
    kids = [c for c in lg]
    structural = {c for c in kids if _local(c) in LG_CHILDREN and _local(c) not in GLOBAL}
    stretches: list[tuple[etree._Element | None, list[etree._Element], etree._Element | None]] = []
    before: etree._Element | None = None
    current: list[etree._Element] = []
    for c in kids:
        if c in structural:
            stretches.append((before, current, c))
            before, current = c, []
        else:
            current.append(c)
    stretches.append((before, current, None))
    for prev, members, nxt in stretches:
        text = lg.text if prev is None else prev.tail
        refused = any(isinstance(c.tag, str) and _local(c) not in LG_CHILDREN for c in members)
        if not refused and not (text or "").strip() and not any((c.tail or "").strip() for c in members):
            continue
        line = etree.Element(_t("l"))
        line.text = text
        if prev is None:
            lg.text = None
        else:
            prev.tail = None
        for c in members:
            line.append(c)  # with its tail
        target = None if refused else (_first_line(nxt) if nxt is not None else None)
        if target is not None:
            _prepend(target, line)
            done.joined += 1
            continue
        target = None if refused else (_last_line(prev) if prev is not None else None)
        if target is not None:
            _extend(target, line)
            done.joined += 1
            continue
        if prev is None:
            lg.insert(0, line)
        else:
            prev.addnext(line)
        done.lines += 1


def _prepend(line: etree._Element, run: etree._Element) -> None:
    """Put the content of ``run`` at the start of ``line``."""
    old = line.text
    line.text = run.text
    moved = list(run)
    for k, c in enumerate(moved):
        line.insert(k, c)
    if moved:
        moved[-1].tail = (moved[-1].tail or "") + (old or "") or None
    else:
        line.text = (run.text or "") + (old or "") or None


def _extend(line: etree._Element, run: etree._Element) -> None:
    """Put the content of ``run`` at the end of ``line``."""
    _append(line, run.text or "")
    for c in list(run):
        line.append(c)


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """TEI P5 for ``doc``."""
    return _Writer(D.for_edition(doc, options), options, diag).write()
