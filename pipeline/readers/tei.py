"""TEI P5 -> IR: docpipe's own TEI back exactly, and TEI from elsewhere kept whole.

Parsing is safe: no DTD is loaded, no entity is expanded, nothing is fetched; a document that declares
entities is refused.

docpipe's own TEI (its header carries ``xml:id="docpipe-edition"``) is read as :mod:`pipeline.writers.tei`
wrote it. TEI from elsewhere is read for what the IR names, and what it does not is kept, never dropped:

* the ``teiHeader`` whole (serialized in ``Metadata.extra`` as ``tei-header``, comments included; what docpipe
  added to it on a previous pass is removed), the resources beside ``text`` (``facsimile``…) and the attributes
  of ``TEI``, ``text`` and ``body``; title, authors, publication and licence also fill ``Metadata``;
* ``p`` (number, id, language; other attributes in an attribute wrapper), ``head`` (a Heading), ``lb``/``pb``/
  ``cb``/``milestone`` (Milestones; between blocks they go into the next paragraph, or stay between the blocks when
  none follows), ``note`` (a Note with its attributes; a ``note@target`` pointing at an ``anchor`` is placed where
  the anchor is, the anchor kept), ``app``/``lem``/``rdg`` and ``choice`` (Choice), ``graphic`` (Image), simple
  ``table``s and ``list``s;
* TEI written without its namespace (CBETA's P5a as its readers ship it) as TEI P5 (reported as a repair), TEI P4
  (root ``TEI.2``, Perseus) likewise, a ``p`` holding a ``list`` split around it, a ``list``'s ``head`` shown
  before it, and the P4 attributes of its text (``lang``, ``anchored="yes"``) as P5's (``xml:lang``, ``true``),
  reported;
* each ``app`` with readings also as a note of the apparatus criticus (id ``docpipe-app-N``, numbered, or lettered
  beside the source's own notes): the source's line or page, the lemma and every reading with its sigla, so that
  DOCX footnotes, the PDF's page foot and EPUB pop-ups show them; the TEI writer leaves these notes out;
* a ``g`` without content with the character its ``charDecl`` entry gives shown beside it (or 〓, reported);
* the ``app``s of the ``standOff``s beside the text (an edition's ``<standOff type="apparatus"><listApp>``) as
  a section after the text, "Apparatus criticus", one numbered entry per ``app`` as the notes above have them
  (``rdgGrp``s flattened, each reading with its sigla, a ``gap`` shown as …), for the formats other than TEI:
  the TEI writer leaves it out, the ``standOff`` being given back whole;
* every other element — ``div``, ``g`` (with its ``@ref`` and character), ``gap``, ``unclear``, ``anchor``,
  ``figure``, elements of other namespaces… — as a generic ``Span``/``Div`` whose only class is ``tei-NAME``
  (``tei-{namespace}name`` outside TEI) with all its attributes, so that the writer gives it back.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections import Counter
from typing import TYPE_CHECKING

from lxml import etree

from .. import ir
from .. import teivocab as vocab
from ..diagnostics import Diagnostics
from ..errors import InputError
from ..options import Options
from ..tables import ALIGNS
from ..teivocab import (
    ATTRS_WRAPPER,
    BLOCK_NOTE,
    CONTAINERS,
    EXPLICIT_BLOCKS,
    MIXED_TEXT,
    NOTE_PLACE,
    TEI,
    rend,
    unrend,
)
from ..walk import shown_reading

if TYPE_CHECKING:
    from .doctype import Report

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XML_ID = f"{{{XML_NS}}}id"
LEVELS = {"chapter": 1, "section": 2, "subsection": 3}
OPEN_CLOSE = {"《": "》", "〈": "〉", "“": "”", "「": "」"}
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
MILESTONES = {"lb": "line", "pb": "page", "cb": "column"}


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _qname(el: etree._Element) -> str:
    """The element's name as a class suffix: ``p`` in TEI, ``{namespace}name`` elsewhere."""
    q = etree.QName(el)
    return q.localname if q.namespace == TEI else f"{{{q.namespace or ''}}}{q.localname}"


def _key(attr: str) -> str:
    """An attribute name as the IR keeps it: ``type``, ``xml:id``, ``{namespace}name``."""
    q = etree.QName(attr)
    if q.namespace is None:
        return q.localname
    return f"xml:{q.localname}" if q.namespace == XML_NS else attr


def _attrs(el: etree._Element, skip: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """Every attribute of ``el`` but those in ``skip``, in order; ``@key=value`` tokens docpipe put in ``@rend``
    (attributes ``tei_all`` does not allow there) become attributes again."""
    out: list[tuple[str, str]] = []
    decoded: list[tuple[str, str]] = []
    for k, v in el.attrib.items():
        key = _key(k)
        if key in skip:
            continue
        if key == "rend" and "@" in v:
            own = [t for t in v.split() if not (t.startswith("@") and "=" in t)]
            decoded.extend(unrend(" ".join(t for t in v.split() if t.startswith("@") and "=" in t))[1])
            if own:
                out.append(("rend", " ".join(own)))
            continue
        out.append((key, v))
    return tuple(out + decoded)


def parse_xml(data: bytes, name: str, options: Options, diag: Diagnostics | None = None) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, bounded depth (comments kept for the header). With
    ``diag``, a DOCTYPE declaration is dropped and its entities replaced by :mod:`.doctype` (reported there);
    without, a document that declares entities is refused."""
    from .doctype import doctype_at
    from .precheck import doctype_entity
    offset = doctype_entity(data)  # the whole file, not its first 64 KB
    if diag is not None and doctype_at(data) is not None:
        from .doctype import without_doctype
        done = without_doctype(data, name, options.max_input_bytes)
        if done is not None:
            data, report = done
            offset = None
            _report_doctype(report, diag)
    if offset is not None:
        raise InputError("declares XML entities, which docpipe does not expand", file=name, offset=offset,
                         expected="XML without <!ENTITY declarations")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=False, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        if "Excessive depth" in str(exc.msg):
            from ..errors import LimitError
            raise LimitError(f"elements nested deeper than the XML parser allows ({exc.msg})", file=name,
                             line=line, expected=f"at most {options.max_depth} levels") from exc
        raise InputError(f"not well-formed XML: {exc.msg}", file=name, line=line,
                         expected="well-formed TEI XML") from exc
    depth = _depth(root)
    if depth > options.max_depth:
        from ..errors import LimitError
        raise LimitError(f"elements nested {depth} deep, over the limit of {options.max_depth}", file=name,
                         expected="a shallower document or a higher --max-depth")
    return root


def _report_doctype(report: Report, diag: Diagnostics) -> None:
    """What dropping a DOCTYPE declaration did to the entity references (:class:`.doctype.Report`)."""
    def some(counts: Counter[str]) -> str:
        return ", ".join(f"&{k}; ×{v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6])

    kinds = ((report.declared, "reference(s) to entities its internal subset declares replaced by their values"),
             (report.characters, "to named characters replaced by the characters"))
    done = [f"{sum(counts.values())} {what} ({some(counts)})" for counts, what in kinds if counts]
    diag.emit("text-repaired", "the DOCTYPE declaration dropped (docpipe reads no DTD)"
              + (": " + "; ".join(done) if done else ""), line=report.doctype_line)
    if report.dropped:
        diag.emit("external-resource-blocked", f"{sum(report.dropped.values())} reference(s) to entities of an "
                  f"external DTD, which docpipe does not read, left out ({some(report.dropped)})",
                  line=report.doctype_line)


def _depth(root: etree._Element) -> int:
    best = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in el)
    return best


def _significant(el: etree._Element) -> bool:
    """Whether ``el`` mixes text with its children (then it is read as inline content, its blocks as spans)."""
    if el.text and el.text.strip():
        return True
    return any(c.tail and c.tail.strip() for c in el)


class _Reader:
    def __init__(self, options: Options, diag: Diagnostics, name: str, *, foreign: bool) -> None:
        self.options = options
        self.diag = diag
        self.name = name
        self.foreign = foreign
        self.notes: list[ir.Note] = []
        self.note_ids: set[str] = set()
        self.kept: dict[str, int] = {}
        #: notes placed at an anchor (``note@target``): anchor id -> notes, and the notes so placed
        self.at_anchor: dict[str, list[etree._Element]] = {}
        self.anchored: dict[etree._Element, str] = {}
        """notes placed at an anchor -> the id they get (their own, or one made up the same way each time)"""
        from ..media import MediaTable
        self.media = MediaTable(options, diag, name)
        #: the source's last line and page numbers met (``lb``/``pb`` ``@n``): where an apparatus entry stands
        self.line: str | None = None
        self.page: str | None = None
        self.own_lines = self.own_pages = False
        self.apparatus = 0
        #: whether apparatus entries are lettered (the source has notes of its own, numbered) or numbered
        self.lettered = False
        #: what each ``g`` shows: ``char``/``glyph`` ``@xml:id`` -> text (from the header's ``charDecl``)
        self.glyphs: dict[str, str] = {}
        self.unresolved: set[str] = set()
        #: the ``xml:id``s of the document: what an internal ``ref`` of TEI from elsewhere may point at
        self.ids: set[str] = set()
        #: how deep the reading is in readings of an ``app`` that the text does not show (its ``rdg``s)
        self.apart = 0
        #: each witness's siglum as the apparatus shows it: ``witness/@xml:id`` -> its siglum (:func:`sigla_of`)
        self.sigla: dict[str, str] = {}

    def anchors(self, text: etree._Element) -> None:
        """Find the notes whose ``@target`` is one ``anchor`` of the text: they are read where the anchor is."""
        ids = {el.get(XML_ID): el for el in text.iter(f"{{{TEI}}}anchor") if el.get(XML_ID)}
        for note in text.iter(f"{{{TEI}}}note"):
            target = (note.get("target") or "").strip()
            anchor = ids.get(target[1:]) if target.startswith("#") and " " not in target else None
            if anchor is not None and anchor not in note.iter():
                self.at_anchor.setdefault(target[1:], []).append(note)
                note_id = note.get(XML_ID) or f"docpipe-note-at-{len(self.anchored) + 1}"
                self.anchored[note] = note_id
        if self.anchored:
            self.diag.emit("footnote-linked", f"{len(self.anchored)} note(s) pointing at an anchor placed there")

    def keep(self, name: str, line: int | None) -> None:
        """Report, once per element name, what the IR holds only as a generic container."""
        self.kept[name] = self.kept.get(name, 0) + 1
        if self.kept[name] == 1:
            self.diag.emit("tei-kept-generic", f"<{name}> has no IR node of its own: kept as a generic container "
                           "(written back as itself)", line=line)

    def graphic(self, el: etree._Element) -> ir.Inline:
        """A ``graphic``: the picture read from the document's folder (never the network), its ``desc`` as alt."""
        from ..media import local_file, read_local
        url = el.get("url", "")
        name = None
        if url.startswith("data:"):
            import base64
            head, _, payload = url.partition(",")
            if head.startswith("data:image/") and ";base64" in head:
                try:
                    name = self.media.add(base64.b64decode(payload), "data: URL", head[5:].split(";")[0])
                except ValueError:
                    self.diag.emit("media-refused", "a data: URL whose base64 is broken", line=el.sourceline)
        else:
            path = local_file(url, self.options.base_dir, self.diag, root=self.options.resource_root)
            data = read_local(path, self.options, self.diag) if path is not None else None
            if data is not None:
                name = self.media.add(data, url)
        desc = next((c for c in el if _name(c) in ("desc", "figDesc")), None)
        image = ir.Image(media=name or "", alt=self.inlines(desc) if desc is not None else (),
                         width=el.get("width"), height=el.get("height"), source=url or None)
        if self.foreign:
            # the writer gives url, size (and the type of a picture it carries) from the Image itself
            extra = _attrs(el, ("url", "width", "height", "mimeType") if name else ("url", "width", "height"))
            others = [c for c in el if isinstance(c.tag, str) and c is not desc]
            if others:
                return self.generic_span(el)
            if extra:
                return ir.Span(children=(image,), classes=(ATTRS_WRAPPER,), attrs=extra)
        return image

    # ------------------------------------------------------------------ inlines
    def inlines(self, el: etree._Element, *, skip_label: bool = False) -> tuple[ir.Inline, ...]:
        return self.run(el.text, list(el), skip_label=skip_label)

    def run(self, text: str | None, children: list[etree._Element], *,
            skip_label: bool = False) -> tuple[ir.Inline, ...]:
        """Inline content: ``text``, then each of ``children`` with its tail."""
        out: list[ir.Inline] = []
        if text:
            out.append(ir.Text(text=text))
        for child in children:
            if not isinstance(child.tag, str):
                self._tail(out, child.tail)
                continue
            tail = child.tail
            name = _name(child)
            tei = etree.QName(child).namespace == TEI
            if child in self.anchored:  # called where its anchor is; the TEI writer puts it back here
                out.append(ir.Span(children=(), classes=(NOTE_PLACE,), attrs=(("note", self.anchored[child]),)))
            elif tei and name == "label" and skip_label:
                pass
            elif tei and name == "title" and not (self.foreign and _attrs(child)):
                opener = None
                if out and isinstance(out[-1], ir.Text) and out[-1].text[-1:] in OPEN_CLOSE:
                    opener = out[-1].text[-1]
                    closer = OPEN_CLOSE[opener]
                    if tail and tail.startswith(closer):
                        rest = out[-1].text[:-1]
                        out.pop()
                        if rest:
                            out.append(ir.Text(text=rest))
                        tail = tail[1:]
                    else:
                        opener = None
                if opener:
                    out.append(ir.BookTitle(children=self.inlines(child), open=opener, close=OPEN_CLOSE[opener]))
                else:
                    out.append(ir.BookTitle(children=self.inlines(child), open="", close=""))
            elif tei and name == "anchor":
                out.append(self.generic_span(child))
                for note in self.at_anchor.get(child.get(XML_ID) or "", []):
                    out.append(self.note(note))
            else:
                node = self.inline(child) if tei else self.generic_span(child)
                if node is not None:
                    out.append(node)
                if isinstance(node, ir.Choice) and self.foreign and (node.kind == "app" or not self.apart):
                    ref = self.apparatus_note(node)
                    if ref is not None:
                        out.append(ref)
            if not tail and tei and name == "w" and _word_gap(child):
                tail = " "  # <w>εν</w><w>τω</w>: two words, not one
            if tei and name == "lb" and _inside_word(child):
                # a word broken across lines (EpiDoc's <w>τε <lb break="no"/>λεωτάτᾳ</w>) is one word: the source's
                # layout around the break is no space
                _strip_before(out)
                tail = tail.lstrip() if tail else tail
            self._tail(out, tail)
        return _merge(out)

    def _tail(self, out: list[ir.Inline], tail: str | None) -> None:
        if tail:
            out.append(ir.Text(text=tail))

    def generic_span(self, el: etree._Element) -> ir.Span:
        """Any element as a Span named after it, with all its attributes and its content."""
        self.keep(_qname(el), el.sourceline)
        return ir.Span(children=self.inlines(el), lang=el.get(XML_LANG), classes=(f"tei-{_qname(el)}",),
                       attrs=_attrs(el, ("xml:lang",)))

    def inline(self, el: etree._Element) -> ir.Inline | None:
        name = _name(el)
        attrs = _attrs(el)
        if self.foreign and name == "ref" and not self.linkable(el.get("target") or ""):
            # a reference by @cRef or by nothing, to an id the document lacks, or by a pointer no format follows
            # (another scheme, a host without one): no link to make (one unwrapped would leave bare text where TEI
            # allows none, in a cit), kept as itself, its target as written
            return self.generic_span(el)
        if self.foreign and attrs and name in ("hi", "emph", "title", "ref", "code"):
            return self.wrapped(el, name, attrs)
        match name:
            case "emph" if not (self.foreign and attrs):
                return ir.Emph(children=self.inlines(el))
            case "hi" if not self.foreign or attrs == (("rend", "bold"),):
                rend_ = (el.get("rend") or "").lower()
                if "bold" in rend_ or "strong" in rend_:
                    return ir.Strong(children=self.inlines(el))
                return ir.Emph(children=self.inlines(el))
            case "code" if not (self.foreign and attrs):
                return ir.Code(text="".join(el.itertext()))
            case "ref" if not self.foreign or {k for k, _ in attrs} <= {"target"}:
                return ir.Link(children=self.inlines(el), target=el.get("target", ""), title=el.get("n"))
            case "ptr" if not self.foreign or el.get("type") == "noteref":
                target = el.get("target", "")
                if el.get("type") == "noteref":
                    return ir.NoteRef(note_id=target.lstrip("#"), marker=el.get("n", ""))
                return ir.Link(children=(ir.Text(text=target),), target=target)
            case "seg" if {k for k, _ in attrs} <= {"rend", "xml:lang"} and el.get("rend"):
                classes, sattrs = unrend(el.get("rend"))
                return ir.Span(children=self.inlines(el), lang=el.get(XML_LANG), classes=classes, attrs=sattrs)
            case "seg" if not self.foreign:
                classes, sattrs = unrend(el.get("rend"))
                return ir.Span(children=self.inlines(el), lang=el.get(XML_LANG), classes=classes, attrs=sattrs)
            case "note" if self.foreign and self.apart:
                # a note on a reading the text does not show (inside an ``rdg``, a ``rdgGrp``): kept as itself in
                # the reading, shown in the apparatus entry after that reading (:func:`_reading_text`)
                return self.generic_span(el)
            case "note":
                return self.note(el)
            case "lb" if el.get("type") == "forced" and len(el.attrib) == 1:
                return ir.LineBreak()
            case "lb" | "pb" | "cb" | "milestone" if not len(el) and not (el.text or "").strip():
                return self.milestone(el)
            case "graphic":
                return self.graphic(el)
            case "g" if self.foreign:
                return self.glyph(el)
            case "formula" if not (self.foreign and set(el.attrib) - {"notation", "rend"}):
                notation = (el.get("notation") or "").lower()
                if notation in ("tex", "latex") and not len(el):
                    return ir.Math(tex=el.text or "", display=el.get("rend") == "display")
                if self.foreign:
                    return self.generic_span(el)
                return ir.Span(children=self.inlines(el), classes=("tei-formula",))
            case "choice" if any(_name(c) == "reg" and c.get("type") == vocab.NORMALISATION for c in el):
                orig = next((c for c in el if _name(c) == "orig"), None)
                reg = next((c for c in el if _name(c) == "reg"), None)
                before = "".join(orig.itertext()) if orig is not None else ""
                after = "".join(reg.itertext()) if reg is not None else ""
                return ir.Text(text=after, orig=before)
            case "gap" if el.get("reason") == "picture-not-read" and not self.foreign:
                desc = next((c for c in el if _name(c) == "desc"), None)
                return ir.Image(media="", alt=self.inlines(desc) if desc is not None else ())
            case "app" | "choice":
                readings = tuple(self.reading(c, apart=name == "app" and _name(c) != "lem")
                                 for c in el if isinstance(c.tag, str) and c not in self.anchored)
                if name == "app":  # the lemma is the text; readings of witnesses follow
                    readings = tuple(sorted(readings, key=lambda r: r.role != "lem"))
                    return ir.Choice(kind=name, readings=readings, attrs=attrs)
                return ir.Choice(kind=name, readings=readings, attrs=attrs,
                                 shown=_shown_form(readings, diplomatic=self.options.diplomatic))
            case _:
                return self.generic_span(el)

    def reading(self, el: etree._Element, *, apart: bool) -> ir.Reading:
        """A child of an ``app`` or ``choice`` as a Reading; ``apart``: one the text does not show (all of an
        ``app``'s but its lemma), whose notes are read as part of it (see :meth:`inline`)."""
        self.apart += apart
        try:
            children = self.inlines(el)
        finally:
            self.apart -= apart
        return ir.Reading(role=_name(el) if etree.QName(el).namespace == TEI else _qname(el), children=children,
                          attrs=_attrs(el))

    def linkable(self, target: str) -> bool:
        """Whether a ``ref``'s target is a link the other formats can make: an ``#id`` of this document, a web or
        mail address, or a relative reference to another file (kept as such where the output sits among files)."""
        from ..guard import link_kind
        target = target.strip()
        if target.startswith("#"):
            return target[1:] in self.ids
        return link_kind(target) in ("live", "file")

    def wrapped(self, el: etree._Element, name: str, attrs: tuple[tuple[str, str], ...]) -> ir.Inline:
        """An emphasis, title, link or code of TEI from elsewhere with attributes the IR node lacks: the node, in a
        wrapper that gives the writer the source's element and attributes back."""
        node: ir.Inline
        tokens = set((el.get("rend") or "").lower().split())
        if name == "hi" and attrs == (("rend", "bold"),):
            return ir.Strong(children=self.inlines(el))  # docpipe's own spelling of strong
        if name == "hi" and tokens & {"bold", "b", "strong"}:
            node = ir.Strong(children=self.inlines(el))
        elif name == "hi" and tokens & {"italic", "italics", "it", "i", "emph"}:
            node = ir.Emph(children=self.inlines(el))
        elif name == "hi":
            return self.generic_span(el)
        elif name == "emph":
            node = ir.Emph(children=self.inlines(el))
        elif name == "title":
            node = ir.BookTitle(children=self.inlines(el), open="", close="")
        elif name == "ref":
            node = ir.Link(children=self.inlines(el), target=el.get("target", ""))
        else:
            node = ir.Code(text="".join(el.itertext()))
            if len(el):
                return self.generic_span(el)
        rename = ((vocab.RENAME, name),) if name == "hi" else ()
        return ir.Span(children=(node,), classes=(ATTRS_WRAPPER,), attrs=(*rename, *attrs))

    def glyph(self, el: etree._Element) -> ir.Span:
        """A ``g``: kept as itself; when it has no content, the character its ``charDecl`` entry gives is shown
        beside it (a span the TEI writer leaves out), or, when none is declared, a geta mark (〓), reported."""
        span = self.generic_span(el)
        if "".join(el.itertext()).strip():
            return span
        ref = (el.get("ref") or "").strip()
        shown = self.glyphs.get(ref[1:]) if ref.startswith("#") else None
        if shown is None and not ref and el.get("type"):
            shown = f"⟨{el.get('type')}⟩"  # EpiDoc's symbols by type (stauros, leaf): named
        if shown is None:
            shown = "〓"
            if ref not in self.unresolved:
                self.unresolved.add(ref)
                self.diag.emit("unsupported-content", f"<g ref=\"{ref[:60]}\"> names a character the document "
                               "does not declare (no charDecl entry): shown as 〓, kept in TEI", line=el.sourceline)
        return dataclasses.replace(span, children=(ir.Span(children=(ir.Text(text=shown),),
                                                            classes=(vocab.GLYPH_SHOWN,)),))

    def apparatus_note(self, app: ir.Choice) -> ir.NoteRef | None:
        """The apparatus criticus entry of an ``app`` as a note (its call follows the app): where it stands in
        the source (the last ``lb``/``pb`` number), the lemma and its witnesses, then each other reading with
        its witnesses (``om.`` for an empty one), so that every format shows every reading. A ``choice``'s the
        same way: the form shown, then each other with what it is (``sic``, ``orig.``), none for an
        abbreviation (:data:`~pipeline.teivocab.CHOICE_UNNOTED`) nor for one that reads as the text does."""
        if app.kind == "app":
            lemma = next((r for r in app.readings if r.role == "lem"), None)
            others = _flat([r for r in app.readings if r is not lemma])
        else:
            lemma, others = _choice_forms(app)
        if not others:
            return None
        self.apparatus += 1
        n = self.apparatus
        marker = _letters(n) if self.lettered else str(n)
        note_id = f"{vocab.APPARATUS_NOTE}{n}"
        entry = _folded(_apparatus_entry(self.line or self.page, lemma, others, self.sigla))
        self.notes.append(ir.Note(id=note_id, marker=marker, blocks=(ir.Para(children=entry),)))
        self.note_ids.add(note_id)
        return ir.NoteRef(note_id=note_id, marker=marker)

    def milestone(self, el: etree._Element) -> ir.Milestone:
        name = _name(el)
        # where an apparatus entry stands: the line and page of the edition itself (a break without @ed or
        # @edRef), those of a witness only when the edition numbers none (CBETA's are all ed="T")
        own = not (el.get("ed") or el.get("edRef"))
        if name == "lb" and el.get("n") and (own or not self.own_lines):
            self.line = el.get("n")
            self.own_lines = self.own_lines or own
        elif name == "pb" and el.get("n") and (own or not self.own_pages):
            self.page, self.line = el.get("n"), None
            self.own_pages = self.own_pages or own
        if name == "milestone":
            return ir.Milestone(unit=el.get("unit") or "milestone", n=el.get("n"), attrs=_attrs(el, ("n", "unit")))
        return ir.Milestone(unit=MILESTONES[name], n=el.get("n"), attrs=_attrs(el, ("n",)))

    def note(self, el: etree._Element) -> ir.NoteRef:
        # numbered among the source's notes: the apparatus entries beside them (a, b…) are no number of theirs
        marker = el.get("n") or str(len(self.notes) - self.apparatus + 1)
        note_id = self.anchored.get(el) or el.get(XML_ID) or (f"docpipe-note-{len(self.notes) + 1}" if self.foreign
                                                              else f"fn-{len(self.notes) + 1}")
        while note_id in self.note_ids and el not in self.anchored:
            note_id += "-x"
        self.note_ids.add(note_id)
        own = (el.get("rend") or "")
        note_marker = own[len("marker:"):] if own.startswith("marker:") and not self.foreign else marker
        blocks: tuple[ir.Block, ...]
        if any(_is_block(c) for c in el) and not _significant(el):
            blocks = self.blocks(el)
            if self.foreign and len(blocks) == 1 and _plain(blocks[0]):
                blocks = (ir.Div(blocks=blocks, classes=(EXPLICIT_BLOCKS,)),)
        else:
            blocks = (ir.Para(children=self.inlines(el)),)
        if self.foreign:
            blocks = (ir.Div(blocks=blocks, classes=(vocab.NOTE_WRAPPER,),
                             attrs=_attrs(el, ("n", "xml:id", "xml:lang"))),)
        self.notes.append(ir.Note(id=note_id, marker=note_marker, blocks=blocks, lang=el.get(XML_LANG)))
        return ir.NoteRef(note_id=note_id, marker=marker)

    # ------------------------------------------------------------------ blocks
    def blocks(self, el: etree._Element, depth: int = 0) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            out.extend(self.block(child, depth))
        return _attach_milestones(out, foreign=self.foreign)

    def block(self, el: etree._Element, depth: int) -> list[ir.Block]:
        if el in self.anchored:
            return [ir.Div(blocks=(), classes=(NOTE_PLACE,), attrs=(("note", self.anchored[el]),))]
        if etree.QName(el).namespace != TEI:
            return [self.generic_div(el, depth)]
        if _name(el) == "div" and el.get("type") == vocab.CONTAINER_DIV:  # docpipe's generic container in front/back
            classes, attrs = unrend(el.get("rend"))
            return [ir.Div(blocks=self.blocks(el, depth), classes=classes, attrs=attrs, lang=el.get(XML_LANG),
                           id=el.get(XML_ID))]
        if _name(el) == "ab" and el.get("type") == vocab.MIXED_AB:  # text of its container, written back as an ab
            return [ir.Div(blocks=(ir.Para(children=self.inlines(el)),), classes=(MIXED_TEXT,))]
        if _name(el).startswith("div") and el.get("type") == vocab.AFTER_DIV:  # blocks after a division
            return list(self.blocks(el, depth))
        if _name(el) == "floatingText" and el.get("type") == vocab.HEADED_TEXT:  # headings where TEI has no head
            body = next((c for c in el if _name(c) == "body"), el)
            return list(self.blocks(body, depth))
        if _name(el) == "ab" and el.get("type") == vocab.HEADING_AB:  # a heading where TEI has no head
            level = el.get("n") or ""
            return [self.heading(el, int(level) if level.isdigit() else max(depth, 1))]
        if self.foreign:
            return self.foreign_block(el, depth)
        name = _name(el)
        lang = el.get(XML_LANG)
        match name:
            case "p" | "ab":
                if el.get("rend") == "empty" and not len(el) and not el.text:
                    return []
                if name == "ab" and el.get("rend"):
                    return [self.generic_ab(el)]
                return [ir.Para(children=self.inlines(el), number=el.get("n") if name == "p" else None,
                                id=el.get(XML_ID), lang=lang)]
            case "div" | "div1" | "div2" | "div3" | "div4" | "div5" | "div6" | "div7":
                return self.div(el, depth + 1)
            case "head":
                return [self.heading(el, depth or 1)]
            case "floatingText":
                return [self.floating(el, depth)]
            case "list":
                items = []
                for item in el:
                    if _name(item) != "item":
                        continue  # a list's head or a label: not an item
                    items.append(ir.ListItem(blocks=self.item_blocks(item, depth), label=item.get("n")))
                rend_ = (el.get("type") or el.get("rend") or "").lower()
                n = el.get("n")
                return [ir.ListBlock(items=tuple(items), ordered=rend_ in ("ordered", "numbered"),
                                     start=int(n) if n and n.isdigit() else 1)]
            case "quote" | "cit":
                if any(_is_block(c) for c in el):
                    return [ir.BlockQuote(blocks=self.blocks(el, depth), lang=lang)]
                return [ir.BlockQuote(blocks=(ir.Para(children=self.inlines(el)),), lang=lang)]
            case "table":
                return [self.table(el, depth)]
            case "figure":
                return [self.figure(el)]
            case "eg":
                rend_ = el.get("rend") or ""
                return [ir.CodeBlock(text="".join(el.itertext()),
                                     language=rend_[len("language-"):] if rend_.startswith("language-") else None)]
            case "lg":
                kids: list[ir.Inline] = []
                for line in (c for c in el if _name(c) == "l"):
                    if kids:
                        kids.append(ir.LineBreak())
                    kids.extend(self.inlines(line))
                return [ir.Para(children=tuple(kids), lang=lang)]
            case "note":
                ref = self.note(el)
                return [ir.Para(children=(ref,))]
            case "pb" | "lb" | "cb" | "milestone":
                return [_HOLDER(self.milestone(el))]
            case "anchor" | "fw":
                return [self.generic_div(el, depth)]
            case _:
                if any(_is_block(c) for c in el):
                    return [ir.Div(blocks=self.blocks(el, depth), classes=(f"tei-{name}",), lang=lang,
                                   id=el.get(XML_ID))]
                text = self.inlines(el)
                if not text:
                    return []
                self.diag.emit("unsupported-content", f"<{name}> kept as a paragraph", line=el.sourceline)
                return [ir.Div(blocks=(ir.Para(children=text),), classes=(f"tei-{name}",), lang=lang,
                               id=el.get(XML_ID))]

    def generic_ab(self, el: etree._Element) -> ir.Div:
        """docpipe's ``<ab rend="CLASSES @k=v">``: a generic container holding one paragraph (or nothing)."""
        classes, attrs = unrend(el.get("rend"))
        inl = self.inlines(el)
        blocks: tuple[ir.Block, ...] = (ir.Para(children=inl),) if inl or len(el) else ()
        return ir.Div(blocks=blocks, classes=classes, attrs=attrs, lang=el.get(XML_LANG), id=el.get(XML_ID))

    def floating(self, el: etree._Element, depth: int) -> ir.Block:
        body = next((c for c in el if _name(c) == "body"), el)
        lang = el.get(XML_LANG)
        if el.get("type") == "box":
            head = next((c for c in body if _name(c) == "head"), None)
            inner = tuple(b for c in body if c is not head and isinstance(c.tag, str) for b in self.block(c, depth))
            return ir.Box(title=self.inlines(head) if head is not None else (), blocks=inner, id=el.get(XML_ID),
                          lang=lang)
        classes, attrs = unrend(el.get("rend"))
        return ir.Div(blocks=self.blocks(body, depth), classes=classes, attrs=attrs, lang=lang, id=el.get(XML_ID))

    def item_blocks(self, item: etree._Element, depth: int) -> tuple[ir.Block, ...]:
        if any(_is_block(c) for c in item) and not _significant(item):
            blocks = self.blocks(item, depth)
            if self.foreign and len(blocks) == 1 and _plain(blocks[0]):
                return (ir.Div(blocks=blocks, classes=(EXPLICIT_BLOCKS,)),)
            return blocks
        inl = self.inlines(item)
        return (ir.Para(children=inl),) if inl or not self.foreign else ()

    def figure(self, el: etree._Element) -> ir.Figure:
        images = tuple(self.graphic_block(g) for g in el.iter() if _name(g) == "graphic")
        head = next((c for c in el if _name(c) == "head"), None)
        label_el = next((c for c in head if _name(c) == "label"), None) if head is not None else None
        caption = self.inlines(head, skip_label=True) if head is not None else ()
        if not images:
            gaps = [g for g in el if _name(g) == "gap" and g.get("reason") == "picture-not-read"]
            desc = next((c for c in (gaps[0] if gaps else el) if _name(c) in ("figDesc", "desc")), None)
            self.diag.emit("media-missing", "a figure without a graphic", line=el.sourceline)
            images = (ir.Image(media="", alt=self.inlines(desc) if desc is not None else ()),)
        return ir.Figure(images=images, caption=caption, id=el.get(XML_ID),
                         label="".join(label_el.itertext()) if label_el is not None else None)

    def graphic_block(self, el: etree._Element) -> ir.Image:
        node = self.graphic(el)
        assert isinstance(node, ir.Image)
        return node

    # ------------------------------------------------------------------ TEI from elsewhere
    def foreign_block(self, el: etree._Element, depth: int) -> list[ir.Block]:
        """A block of TEI from elsewhere: an IR node where the IR holds it whole, else a generic container."""
        name = _name(el)
        lang = el.get(XML_LANG)
        match name:
            case "p" if el.get("rend") == "empty" and not len(el) and not el.text and _in_own_body(el):
                return []
            case "p" if any(_name(c) in SPLIT_PARA and etree.QName(c).namespace == TEI for c in el):
                return [self.split_para(el, depth)]
            case "p":
                para = ir.Para(children=self.inlines(el), number=el.get("n"), id=el.get(XML_ID), lang=lang)
                extra = _attrs(el, ("n", "xml:id", "xml:lang"))
                return [ir.Div(blocks=(para,), classes=(ATTRS_WRAPPER,), attrs=extra) if extra else para]
            case "head":
                if any(_name(c) == "label" for c in el):
                    return [self.generic_div(el, depth)]
                heading = ir.Heading(level=max(depth, 1), children=self.inlines(el), id=el.get(XML_ID), lang=lang)
                extra = _attrs(el, ("xml:id", "xml:lang"))
                return [ir.Div(blocks=(heading,), classes=(ATTRS_WRAPPER,), attrs=extra) if extra else heading]
            case "ab" if el.get("rend") and set(el.attrib) <= {"rend", XML_LANG, XML_ID}:
                return [self.generic_ab(el)]
            case "floatingText" if el.get("type") in ("box", "div") and set(el.attrib) <= {"type", "rend", XML_LANG,
                                                                                           XML_ID}:
                return [self.floating(el, depth)]
            case "note":
                return [ir.Div(blocks=(ir.Para(children=(self.note(el),)),), classes=(BLOCK_NOTE,))]
            case "app" if any(_name(c) in ("lem", "rdg") and any(_is_block(g) and _name(g) in BLOCKS for g in c)
                              for c in el):
                # an apparatus whose lemma is whole blocks (CBETA's dharani section: <lem><head/><p/></lem>): the
                # lemma's heading and paragraphs are read as blocks, the readings beside them
                self.keep(_qname(el), el.sourceline)
                return [ir.Div(blocks=tuple(self.generic_div(c, depth) for c in el if isinstance(c.tag, str)),
                               classes=(f"tei-{_qname(el)}",), attrs=_attrs(el, ("xml:id", "xml:lang")),
                               lang=lang, id=el.get(XML_ID))]
            case "app" | "choice":
                # between blocks (model.global), as in a CBETA byline of notes and an app: read as itself, the
                # writer puts it back between the blocks
                node = self.inline(el)
                assert node is not None
                kids: list[ir.Inline] = [node]
                ref = self.apparatus_note(node) if isinstance(node, ir.Choice) else None
                if ref is not None:
                    kids.append(ref)
                return [ir.Div(blocks=(ir.Para(children=tuple(kids)),), classes=(BLOCK_NOTE,))]
            case "lb" | "pb" | "cb" | "milestone" if not len(el):
                return [_HOLDER(self.milestone(el))]
            case "anchor":
                out: list[ir.Block] = [self.generic_div(el, depth)]
                for note in self.at_anchor.get(el.get(XML_ID) or "", []):
                    out.append(ir.Div(blocks=(ir.Para(children=(self.note(note),)),), classes=(BLOCK_NOTE,)))
                return out
            case "table" if self.simple_table(el):
                return [ir.Div(blocks=(self.table(el, depth),), classes=(ATTRS_WRAPPER,),
                               attrs=_attrs(el, ("xml:id",)))]
            case "list" if _whole_list(el):
                return [self.foreign_list(el, depth)]
            case "div" | "div1" | "div2" | "div3" | "div4" | "div5" | "div6" | "div7":
                return [self.generic_div(el, depth + 1)]
            case _:
                return [self.generic_div(el, depth)]

    def foreign_list(self, el: etree._Element, depth: int) -> ir.Div:
        """A list of TEI from elsewhere the IR holds whole (see :func:`_whole_list`): its items a ListBlock in an
        attribute wrapper; its heads, when it has any, paragraphs before the list (:data:`vocab.HEADED_LIST`); a
        line or page break between items goes into the item after it (after the last item: into that item)."""
        items: list[ir.ListItem] = []
        heads: list[ir.Block] = []
        pending: list[ir.Block] = []
        for c in el:
            if not isinstance(c.tag, str):
                continue
            name = _name(c)
            if name == "head":
                heads.append(ir.Div(blocks=(ir.Para(children=self.inlines(c)),), classes=(vocab.LIST_HEAD,),
                                    attrs=_attrs(c, ("xml:id", "xml:lang")), lang=c.get(XML_LANG), id=c.get(XML_ID)))
            elif name == "item":
                blocks = _attach_milestones([*pending, *self.item_blocks(c, depth)], foreign=True)
                items.append(ir.ListItem(blocks=blocks, label=c.get("n")))
                pending = []
            else:
                pending.append(_HOLDER(self.milestone(c)))
        if pending and items:
            last = items[-1]
            items[-1] = dataclasses.replace(last, blocks=_attach_milestones([*last.blocks, *pending], foreign=True))
        kind = (el.get("type") or el.get("rend") or "").lower()
        n = el.get("n")
        lst = ir.ListBlock(items=tuple(items), ordered=kind in ("ordered", "numbered"),
                           start=int(n) if n and n.isdigit() else 1)
        if heads:
            return ir.Div(blocks=(*heads, lst), classes=(vocab.HEADED_LIST,), attrs=_attrs(el))
        return ir.Div(blocks=(lst,), classes=(ATTRS_WRAPPER,), attrs=_attrs(el))

    def split_para(self, el: etree._Element, depth: int) -> ir.Div:
        """A ``p`` holding a ``list`` (TEI allows one there; HTML, DOCX and the others have no list inside a
        paragraph): the paragraph split around its lists, its text before, between and after them paragraphs
        (:data:`MIXED_TEXT`), the lists lists, in a container the TEI writer gives back as the ``p``."""
        return ir.Div(blocks=self.mixed(el, depth, split=SPLIT_PARA), classes=("tei-p",),
                      attrs=_attrs(el, ("xml:id", "xml:lang")), lang=el.get(XML_LANG), id=el.get(XML_ID))

    def generic_div(self, el: etree._Element, depth: int) -> ir.Div:
        """Any element as a Div named after it: its blocks, or (when it mixes text with its children, or holds
        no block) its content as one paragraph written back inline."""
        self.keep(_qname(el), el.sourceline)
        classes = (f"tei-{_qname(el)}",)
        attrs = _attrs(el, ("xml:id", "xml:lang"))
        lang, xml_id = el.get(XML_LANG), el.get(XML_ID)
        blocks: tuple[ir.Block, ...]
        # a figure's pictures are Images (inline), so it is read as inline content, its head and figDesc as spans
        if any(_is_block(c) for c in el) and not _significant(el) and _qname(el) != "figure":
            blocks = self.blocks(el, depth)
            if len(blocks) == 1 and _plain(blocks[0]):
                blocks = (ir.Div(blocks=blocks, classes=(EXPLICIT_BLOCKS,)),)
        elif any(_is_block(c) for c in el) and _name(el) in CONTAINERS:  # text where TEI allows none
            blocks = self.mixed(el, depth)
        else:
            inl = self.inlines(el)
            blocks = (ir.Para(children=inl),) if inl else ()
        return ir.Div(blocks=blocks, classes=classes, attrs=attrs, lang=lang, id=xml_id)

    def mixed(self, el: etree._Element, depth: int,
              split: frozenset[str] | None = None) -> tuple[ir.Block, ...]:
        """The content of an element that mixes text with blocks (CBETA's ``<div>``: bare lines and ``<lb/>``s
        around a ``<head>``, ``<ab>``s and ``<div>``s): its blocks as blocks, the text between them as paragraphs
        (:data:`MIXED_TEXT`, written back in TEI as the element's own text); a stretch of nothing but line and
        page beginnings goes to the block after it. With ``split``, only TEI elements of those names are blocks
        (a ``p``'s lists), the others are read inline."""
        out: list[ir.Block] = []

        def flush(text: str | None, run: list[etree._Element]) -> None:
            made = self.run(text, run)
            if any(not isinstance(n, ir.Milestone) and not (isinstance(n, ir.Text) and not n.text.strip())
                   for n in made):
                out.append(ir.Div(blocks=(ir.Para(children=made),), classes=(MIXED_TEXT,)))
            else:
                out.extend(_HOLDER(n) for n in made if isinstance(n, ir.Milestone))

        text: str | None = el.text
        run: list[etree._Element] = []
        for child in el:
            if _is_block(child) if split is None else (_name(child) in split and etree.QName(child).namespace == TEI):
                flush(text, run)
                out.extend(self.block(child, depth))
                text, run = child.tail, []
            else:
                run.append(child)
        flush(text, run)
        return _attach_milestones(out, foreign=self.foreign)

    def simple_table(self, el: etree._Element) -> bool:
        """A table the IR holds whole: a head, then rows of cells with spans and roles only."""
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if _name(child) == "head" and not child.attrib:
                continue
            if _name(child) != "row" or set(child.attrib) - {"role"}:
                return False
            if any(_name(c) != "cell" or set(c.attrib) - {"role", "cols", "rows"} for c in child
                   if isinstance(c.tag, str)):
                return False
        return True

    def heading(self, head: etree._Element, level: int) -> ir.Heading:
        label = next((c for c in head if _name(c) == "label"), None)
        return ir.Heading(level=level, children=self.inlines(head, skip_label=True),
                          label=("".join(label.itertext()) if label is not None else None),
                          id=head.get(XML_ID), lang=head.get(XML_LANG))

    def div(self, el: etree._Element, depth: int) -> list[ir.Block]:
        dtype = el.get("type") or ""
        name = _name(el)
        if dtype in LEVELS:
            level = LEVELS[dtype]
        elif m := re.fullmatch(r"subsection(\d+)", dtype):
            level = int(m.group(1))
        elif name[-1:].isdigit():
            level = int(name[-1])
        else:
            level = depth
        out: list[ir.Block] = []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if _name(child) == "head" and not any(isinstance(b, ir.Heading) for b in out):
                out.append(self.heading(child, level))
            else:
                out.extend(self.block(child, level))
        return list(_attach_milestones(out, foreign=self.foreign))

    def table(self, el: etree._Element, depth: int) -> ir.Table:
        caption: tuple[ir.Inline, ...] = ()
        label: str | None = None
        rows: list[tuple[ir.Cell, ...]] = []
        rends: dict[tuple[int, int], str | None] = {}  # (row, cell) -> its rend where it names an alignment
        head_rows = 0
        for child in el:
            name = _name(child)
            if name == "head":
                caption = self.inlines(child, skip_label=True)
                label_el = next((c for c in child if _name(c) == "label"), None)
                label = "".join(label_el.itertext()) if label_el is not None else None
            elif name == "row":
                cells: list[ir.Cell] = []
                for cell in child:
                    if _name(cell) != "cell":
                        continue
                    rends[len(rows), len(cells)] = cell.get("rend") if cell.get("rend") in ALIGNS else None
                    cells.append(ir.Cell(blocks=self.item_blocks(cell, depth) if len(cell) or (cell.text or "")
                                         else (), colspan=int(cell.get("cols", "1") or 1),
                                         rowspan=int(cell.get("rows", "1") or 1), header=cell.get("role") == "label"))
                if child.get("role") == "label" and len(rows) == head_rows:
                    head_rows += 1
                rows.append(tuple(cells))
        n = el.get("n")
        if n and n.isdigit() and not self.foreign:
            head_rows = int(n)
        if len(rows) == 1 and rows[0] == (ir.Cell(blocks=()),) and el.get("rows") == "0":
            rows = []
        table = ir.Table(rows=tuple(rows), caption=caption, head_rows=head_rows, id=el.get(XML_ID), label=label)
        return dataclasses.replace(table, aligns=_aligns(table, rends)) if any(rends.values()) else table


#: The heading of the apparatus made of the ``standOff``s beside the text (no writer's heading has a table of
#: labels by language; the contents' heading is English outside Chinese, and the apparatus has no Chinese source).
APPARATUS_HEADING = "Apparatus criticus"
#: What a ``gap`` in a reading of that apparatus shows: text the witness does not give (lost, illegible).
GAP_SHOWN = "…"
_SPACES = re.compile(r"\s+")


class _StandOff(_Reader):
    """The apparatus of a ``standOff`` (``listApp``), read as the text's readings are, but for what only a reading
    shown outside any text has: a ``note`` in it (a witness's underlined or marginal words) is shown in place, in
    italics, and a ``gap`` as :data:`GAP_SHOWN`; its problems are the standOff's, kept whole in TEI, so not said."""

    def __init__(self, r: _Reader) -> None:
        super().__init__(r.options, Diagnostics(), r.name, foreign=True)
        self.media, self.glyphs, self.sigla = r.media, r.glyphs, r.sigla

    def inline(self, el: etree._Element) -> ir.Inline | None:
        match _name(el):
            case "note":
                return ir.Emph(children=self.inlines(el))
            case "gap":
                return ir.Span(children=(ir.Text(text=GAP_SHOWN),), classes=("apparatus-gap",))
        return super().inline(el)

    def entry(self, app: etree._Element) -> tuple[ir.Inline, ...]:
        """One ``app`` as an apparatus entry: its place (``@loc``, ``@from``–``@to`` or ``@n``), its lemma, its
        readings, then its own notes (the editor's remarks), in italics."""
        readings = self.readings(app)
        lemma = next((r for r in readings if r.role == "lem"), None)
        ends = [p.lstrip("#") for p in (app.get("from"), app.get("to")) if p]
        where = app.get("loc") or "–".join(dict.fromkeys(ends)) or app.get("n")
        entry = list(_apparatus_entry(where, lemma, [r for r in readings if r is not lemma], self.sigla))
        for note in (c for c in app if _name(c) == "note"):
            entry += [ir.Text(text=" "), ir.Emph(children=self.inlines(note))]
        return _folded(_merge(entry))

    def readings(self, el: etree._Element) -> list[ir.Reading]:
        """The ``lem`` and ``rdg`` of an ``app`` in order, those of a ``rdgGrp`` among them (see :meth:`group`)."""
        out: list[ir.Reading] = []
        for c in el:
            if _name(c) in ("lem", "rdg"):
                out.append(ir.Reading(role=_name(c), children=self.inlines(c), attrs=_attrs(c)))
            elif _name(c) == "rdgGrp":
                out.extend(self.group(c))
        return out

    def group(self, grp: etree._Element) -> list[ir.Reading]:
        """The readings of a ``rdgGrp``, each with its own witnesses; the one that names none (the group's
        normalised form, Kuruntokai's ``type="main"``) with those of the group's ``@select`` (or ``@wit``) that no
        other names. A reading's ``@type`` there places it in the group (``main``, ``minor``): not shown."""
        inner = [dataclasses.replace(r, attrs=tuple(a for a in r.attrs if a[0] != "type"))
                 for r in self.readings(grp)]
        return _group_witnesses(inner, grp.get("select") or grp.get("wit") or "")


#: The longest text of a ``witness`` shown as its siglum when it has neither ``@n`` nor a siglum ``abbr``
#: ("G-B Eb 94", CBETA's 【宋】【元】【明】); a longer one describes the witness and its id is shown instead.
SIGLUM_TEXT = 24
#: A word of a description, not of a siglum ("Manuscript A", "Printed edition D": their ids are the sigla).
_DESCRIBING = re.compile(r"[^\W\d_]{5,}")


def witness_sigla(root: etree._Element) -> dict[str, str]:
    """Each ``witness``'s siglum by its ``xml:id``, from every ``listWit`` of the document (header, front, back,
    ``standOff``, one misplaced beside the text): its ``@n``, else its ``abbr[@type='siglum']``, else its text when
    it is short (:data:`SIGLUM_TEXT`), holds no word of five letters (:data:`_DESCRIBING`) and no other witness,
    else its id."""
    out: dict[str, str] = {}
    for w in root.iter():
        wid = w.get(XML_ID) if isinstance(w.tag, str) and _name(w) == "witness" else None
        if not wid:
            continue
        abbr = next((a for a in w.iter() if isinstance(a.tag, str) and _name(a) == "abbr"
                     and a.get("type") == "siglum"), None)
        text = " ".join("".join(w.itertext()).split())
        nested = _DESCRIBING.search(text) or any(_name(d) in ("witness", "listWit") for d in w.iterdescendants()
                                                 if isinstance(d.tag, str))
        siglum = " ".join("".join(abbr.itertext()).split()) if abbr is not None else ""
        out[wid] = (w.get("n") or "").strip() or siglum or (text if len(text) <= SIGLUM_TEXT and not nested
                                                             else "") or wid
    return out


def _apparatus_apps(standoff: etree._Element) -> list[etree._Element]:
    """The ``app``s of a ``standOff``, those inside another's readings left to it."""
    return [a for a in standoff.iter() if isinstance(a.tag, str) and _name(a) == "app"
            and not any(_name(p) == "app" for p in a.iterancestors())]


def _standoff_apparatus(root: etree._Element, r: _Reader) -> list[ir.Block]:
    """The apparatus of the ``standOff``s beside the text (``<standOff type="apparatus"><listApp><app>``) as a
    section after it, one numbered entry per ``app``, a list per ``standOff`` (headed by the passage it is of,
    ``@corresp``, when there are several), so that the formats other than TEI show it; nothing without an ``app``."""
    parts = [(s, _apparatus_apps(s)) for s in root if _name(s) == "standOff"]
    parts = [(s, apps) for s, apps in parts if apps]
    if not parts:
        return []
    reader = _StandOff(r)
    blocks: list[ir.Block] = [ir.Heading(level=1, children=(ir.Text(text=APPARATUS_HEADING),), lang="en")]
    start = 1
    for standoff, apps in parts:
        passage = " ".join(t.lstrip("#") for t in (standoff.get("corresp") or "").split()) or standoff.get("n")
        if len(parts) > 1 and passage:
            blocks.append(ir.Heading(level=2, children=(ir.Text(text=passage),)))
        items = tuple(ir.ListItem(blocks=(ir.Para(children=reader.entry(app)),)) for app in apps)
        blocks.append(ir.ListBlock(items=items, ordered=True, start=start))
        start += len(items)
    return [ir.Div(blocks=tuple(blocks), classes=(vocab.STANDOFF_SHOWN,))]


def _aligns(table: ir.Table, rends: dict[tuple[int, int], str | None]) -> tuple[str, ...]:
    """Each column's alignment from its cells' ``rend`` (docpipe's own TEI writes one on every cell of an
    aligned column): the alignment every cell starting in the column names, else ``""``."""
    from ..tables import layout

    grid, cols = layout(table)
    seen: dict[int, set[str | None]] = {}
    for r, row in enumerate(grid):
        k = 0
        for slot in row:
            if slot.continued:
                continue
            seen.setdefault(slot.col, set()).add(rends.get((r, k)))
            k += 1
    return tuple(next(iter(seen[c])) or "" if len(seen.get(c, ())) == 1 else "" for c in range(cols))


#: TEI elements read as blocks when they stand among blocks.
BLOCKS = {"p", "ab", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "head", "floatingText", "list",
          "quote", "table", "figure", "eg", "lg", "cit", "note", "sp", "castList", "listBibl", "byline", "dateline",
          "opener", "closer", "trailer", "epigraph", "argument", "salute", "signed", "docAuthor", "docDate", "l",
          "item", "label", "row", "cell", "body", "front", "back", "group", "titlePage", "postscript", "stage",
          "speaker", "listWit", "bibl", "fw"}


#: The elements a ``p`` of TEI from elsewhere is split around (see :meth:`_Reader.split_para`).
SPLIT_PARA = frozenset({"list"})


def _whole_list(el: etree._Element) -> bool:
    """Whether the IR holds a list of TEI from elsewhere whole: its heads first, then items (with no attribute but
    ``n``), with line, page and column breaks (empty) among them."""
    items = seen = False
    for c in el:
        if not isinstance(c.tag, str):
            continue
        if etree.QName(c).namespace != TEI:
            return False
        name = _name(c)
        if name == "head" and not seen:
            continue
        seen = True
        if name == "item" and set(c.attrib) <= {"n"}:
            items = True
        elif not (name in ("lb", "pb", "cb", "milestone") and not len(c) and not (c.text or "").strip()):
            return False
    return items or not any(_name(c) == "head" for c in el if isinstance(c.tag, str))


def _in_own_body(el: etree._Element) -> bool:
    """Whether ``el`` stands in the body of one of docpipe's floatingTexts (where it adds an empty paragraph)."""
    body = el.getparent()
    outer = body.getparent() if body is not None else None
    return outer is not None and _name(outer) == "floatingText" and outer.get("type") in ("div", "box")


#: A letter of a script that writes spaces between words (not Han, kana or Hangul, nor Thai, Lao, Khmer, Myanmar).
_SPACED = re.compile(r"[^\W\d_\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
                     r"\U00020000-\U0003ffff]")


def _word_gap(w: etree._Element) -> bool:
    """Whether the ``w`` element ``w`` and the ``w`` right after it (no text between) are two words written with a
    space between (both in a spaced script; not parts of one word, ``@part``)."""
    after = w.getnext()
    if after is None or not isinstance(after.tag, str) or _name(after) != "w" or etree.QName(after).namespace != TEI:
        return False
    if w.get("part") in ("I", "M") or after.get("part") in ("M", "F"):
        return False
    last, first = "".join(w.itertext())[-1:], "".join(after.itertext())[:1]
    return bool(last and first and _SPACED.match(last) and _SPACED.match(first))


def _inside_word(lb: etree._Element) -> bool:
    """Whether the line break ``lb`` falls inside a word (``break="no"``; P5 once wrote ``false``)."""
    return (lb.get("break") or "").strip().lower() in ("no", "false")


def _strip_before(out: list[ir.Inline]) -> None:
    """The white space at the end of ``out`` (the text before a break inside a word, in the text and tails read so
    far; not inside the elements before it) removed."""
    i = len(out) - 1
    while i >= 0 and isinstance(out[i], ir.Milestone):
        i -= 1  # the break itself, just appended
    while i >= 0:
        node = out[i]
        if not isinstance(node, ir.Text) or node.orig is not None:
            return
        kept = node.text.rstrip()
        if kept:
            out[i] = ir.Text(text=kept)
            return
        del out[i]
        i -= 1


def _is_block(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and (etree.QName(el).namespace != TEI or _name(el) in BLOCKS)


def _plain(b: ir.Block) -> bool:
    return isinstance(b, ir.Para) and b.number is None and b.id is None and b.lang is None


def _HOLDER(m: ir.Milestone) -> ir.Div:
    """A milestone standing between blocks, until :func:`_attach_milestones` moves it into the next block."""
    return ir.Div(blocks=(), classes=("tei-milestone-holder",), attrs=(("unit", m.unit), ("n", m.n or ""),
                                                                       *m.attrs))


def _prepend(b: ir.Block, pending: list[ir.Milestone]) -> ir.Block | None:
    """``b`` with the milestones at the start of its first paragraph or heading (looking into wrappers and
    generic containers), or None when it has none."""
    if isinstance(b, ir.Para | ir.Heading):
        return dataclasses.replace(b, children=(*pending, *b.children))
    if isinstance(b, ir.Div) and b.blocks and b.classes != ("tei-milestone-holder",):
        inner = _prepend(b.blocks[0], pending)
        if inner is not None:
            return dataclasses.replace(b, blocks=(inner, *b.blocks[1:]))
    return None


def _between_blocks(b: ir.Block) -> bool:
    """Whether ``b`` is an element of TEI from elsewhere that stands between blocks (``model.global``: ``gap``,
    ``fw``, ``anchor``, ``figure``…), kept as a generic container: no break goes into it."""
    return isinstance(b, ir.Div) and vocab.tei_name(b.classes) in vocab.GLOBAL


def _attach_milestones(blocks: list[ir.Block], *, foreign: bool = False) -> tuple[ir.Block, ...]:
    """Line and page breaks between blocks go to the start of the next paragraph or heading (or the end of
    the previous one), so that the IR keeps every one where a reader meets it. With no paragraph or heading
    to go to, they make one; in TEI from elsewhere they stay between the blocks where they stood instead (as
    the notes there do), since a ``p`` may not stand where they did (``<l><note/><cb/></l>``), and so do those
    before an element that stands between blocks itself (``<pb/><gap/>``, see :func:`_between_blocks`)."""
    out: list[ir.Block] = []
    pending: list[ir.Milestone] = []
    for b in blocks:
        if isinstance(b, ir.Div) and b.classes == ("tei-milestone-holder",):
            a = dict(b.attrs)
            rest = tuple((k, v) for k, v in b.attrs if k not in ("unit", "n"))
            pending.append(ir.Milestone(unit=a["unit"], n=a["n"] or None, attrs=rest))
            continue
        if pending and foreign and _between_blocks(b):
            # a gap, fw, anchor… of its own between the blocks: the breaks stay before it (a pb inside a gap is
            # not allowed, and would put the page after what it begins)
            out.append(ir.Div(blocks=(ir.Para(children=tuple(pending)),), classes=(BLOCK_NOTE,)))
            pending = []
        if pending:
            moved = _prepend(b, pending)
            if moved is not None:
                b = moved
                pending = []
        out.append(b)
    if pending:
        last = next((i for i in range(len(out) - 1, -1, -1) if isinstance(out[i], ir.Para | ir.Heading)), None)
        if last is not None:
            target = out[last]
            assert isinstance(target, ir.Para | ir.Heading)
            out[last] = dataclasses.replace(target, children=(*target.children, *pending))
        elif foreign:
            out.append(ir.Div(blocks=(ir.Para(children=tuple(pending)),), classes=(BLOCK_NOTE,)))
        else:
            out.append(ir.Para(children=tuple(pending)))
    return tuple(out)


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: the markers of an apparatus beside numbered notes."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _apparatus_entry(where: str | None, lemma: ir.Reading | None, others: list[ir.Reading],
                     sigla: dict[str, str]) -> tuple[ir.Inline, ...]:
    """An entry of the apparatus criticus: where it stands, the lemma with its sigla and ``]``, then each other
    reading with its sigla, separated by ``;``; ``sigla``: each witness's siglum by its id."""
    kids: list[ir.Inline] = []
    if where:
        kids.append(ir.Span(children=(ir.Text(text=where),), classes=("apparatus-loc",)))
        kids.append(ir.Text(text=" "))
    if lemma is not None:
        kids.extend(_reading_text(lemma, sigla))
        kids.append(ir.Text(text="]"))
    for i, r in enumerate(others):
        kids.append(ir.Text(text=" " if i == 0 else "; "))
        kids.extend(_reading_text(r, sigla))
    return _merge(kids)


def _shown_form(readings: tuple[ir.Reading, ...], *, diplomatic: bool) -> int:
    """Which reading of a ``choice`` the text shows: its first edited form (``corr``, ``reg``, ``expan``), or in a
    diplomatic edition its first form of the source (``sic``, ``orig``, ``abbr``); else its first."""
    wanted = set(vocab.CHOICE_EDITED.values() if diplomatic else vocab.CHOICE_EDITED)
    return next((i for i, r in enumerate(readings) if r.role in wanted), 0)


def _choice_forms(choice: ir.Choice) -> tuple[ir.Reading, list[ir.Reading]]:
    """The form of a ``choice`` the text shows and those its apparatus note gives, each ending with what it is
    (``sic``, ``orig.``; an unnamed ``seg`` by its ``@source`` alone): none when every form is an abbreviation
    or its expansion (:data:`~pipeline.teivocab.CHOICE_UNNOTED`), nor one that reads as the text does."""
    shown_at = choice.shown if 0 <= choice.shown < len(choice.readings) else 0
    first = choice.readings[shown_at]
    if all(r.role in vocab.CHOICE_UNNOTED for r in choice.readings):
        return first, []
    text = " ".join(plain_inlines(first.children).split())
    others: list[ir.Reading] = []
    for i, r in enumerate(choice.readings):
        if i == shown_at or (" ".join(plain_inlines(r.children).split()) == text and text):
            continue
        label = vocab.CHOICE_LABELS.get(r.role)
        kids = r.children if plain_inlines(r.children).strip() else (ir.Emph(children=(ir.Text(text="om."),)),)
        if label:
            kids = (*kids, ir.Text(text=" "), ir.Emph(children=(ir.Text(text=label),)))
        others.append(dataclasses.replace(r, children=kids))
    return first, others


def _sigla(r: ir.Reading, sigla: dict[str, str]) -> str:
    """The witnesses of a reading (``@wit``, else ``@resp`` or ``@source``) as sigla, each ``#id`` shown as
    ``sigla`` has it (else the id), with its ``@type`` or ``@cause`` when it has one (``conjecture``)."""
    a = dict(r.attrs)
    wit = a.get("wit") or a.get("resp") or a.get("source") or ""
    shown = " ".join(sigla.get(w[1:], w[1:]) if w.startswith("#") else w for w in wit.split())
    kind = a.get("type") or a.get("cause")
    return f"{shown} ({kind})" if shown and kind else shown or (f"({kind})" if kind else "")


def _folded(entry: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
    """An apparatus entry with the source's layout (indentation, a witness's line break) folded: one space where
    it had any."""
    return tuple(dataclasses.replace(k, text=_SPACES.sub(" ", k.text)) if isinstance(k, ir.Text) else k
                 for k in entry)


def _tei_name(node: ir.Inline) -> str | None:
    """The TEI element a generic span stands for (``tei-rdg`` -> ``rdg``), else None."""
    return vocab.tei_name(node.classes) if isinstance(node, ir.Span) else None


def _flat(readings: list[ir.Reading]) -> list[ir.Reading]:
    """The readings of an ``app`` with each ``rdgGrp`` replaced by its own readings (:func:`_group`)."""
    out: list[ir.Reading] = []
    for r in readings:
        out.extend(_group(r.attrs, r.children) if r.role == "rdgGrp" else [r])
    return out


def _group(attrs: tuple[tuple[str, str], ...], children: tuple[ir.Inline, ...]) -> list[ir.Reading]:
    """The readings of a ``rdgGrp`` (read as spans), each with its own witnesses; those of the group (its
    ``@select`` or ``@wit``, its ``wit`` children) that no reading names go to the readings that name none; a
    ``note`` of the group follows the reading before it (the first when none is), a group without a reading is
    an omission."""
    inner: list[ir.Reading] = []
    notes: list[tuple[int, ir.Inline]] = []
    wits = [dict(attrs).get("select") or dict(attrs).get("wit") or ""]
    for k in children:
        name = _tei_name(k)
        if isinstance(k, ir.Span) and name in ("lem", "rdg"):
            inner.append(ir.Reading(role=name, children=k.children, attrs=tuple(a for a in k.attrs
                                                                                if a[0] != "type")))
        elif isinstance(k, ir.Span) and name == "rdgGrp":
            inner.extend(_group(k.attrs, k.children))
        elif isinstance(k, ir.Span) and name == "wit":
            wits.append(dict(k.attrs).get("wit") or plain_inlines(k.children))
        elif name == "note":
            notes.append((max(len(inner) - 1, 0), k))
    out = _group_witnesses(inner or [ir.Reading(role="rdg", children=())], " ".join(wits))
    for i, note in notes:
        out[i] = dataclasses.replace(out[i], children=(*out[i].children, note))
    return out


def _group_witnesses(inner: list[ir.Reading], wits: str) -> list[ir.Reading]:
    """The readings of a ``rdgGrp``; those that name no witness get those of the group (``wits``) that no other
    names (the group's normalised form, Kuruntokai's ``type="main"``)."""
    named = {w for r in inner for w in dict(r.attrs).get("wit", "").split()}
    rest = " ".join(dict.fromkeys(w for w in wits.split() if w not in named))
    return [dataclasses.replace(r, attrs=(("wit", rest), *r.attrs)) if rest and not _sigla(r, {}) else r
            for r in inner]


def _reading_text(r: ir.Reading, sigla: dict[str, str]) -> list[ir.Inline]:
    """A reading as an apparatus entry shows it: its text (apparatus calls within left out, ``om.`` when it has
    none), its sigla, then its notes, in italics."""
    notes: list[ir.Inline] = []
    kids = _without_calls(r.children, notes)
    text = plain_inlines(tuple(kids)).strip()
    out: list[ir.Inline] = [*kids] if text else [ir.Emph(children=(ir.Text(text="om."),))]
    if out and isinstance(out[0], ir.Text):
        out[0] = ir.Text(text=out[0].text.lstrip())
    if out and isinstance(out[-1], ir.Text):
        out[-1] = ir.Text(text=out[-1].text.rstrip())
    shown = _sigla(r, sigla)
    if shown:
        out.append(ir.Text(text=f" {shown}"))
    for note in notes:
        out += [ir.Text(text=" "), ir.Emph(children=note.children if isinstance(note, ir.Span) else (note,))]
    return out


def _without_calls(nodes: tuple[ir.Inline, ...], notes: list[ir.Inline]) -> list[ir.Inline]:
    """``nodes`` without note calls (a note inside the lemma is called once, from the text) and with the
    line breaks of the source (``lb`` inside a reading) left out; spans and nested apparatus looked into. The
    notes of a reading the text does not show (``tei-note`` spans) are put in ``notes``."""
    out: list[ir.Inline] = []
    for n in nodes:
        if isinstance(n, ir.NoteRef | ir.Milestone):
            continue
        if _tei_name(n) == "note":
            notes.append(n)
        elif isinstance(n, ir.Span):
            out.append(dataclasses.replace(n, children=tuple(_without_calls(n.children, notes))))
        elif isinstance(n, ir.Choice) and n.readings:
            out.extend(_without_calls(shown_reading(n), notes))
        else:
            out.append(n)
    return out


def plain_inlines(nodes: tuple[ir.Inline, ...]) -> str:
    """The text of inline nodes (the reading a Choice shows)."""
    out: list[str] = []
    for n in nodes:
        if isinstance(n, ir.Text):
            out.append(n.text)
        elif isinstance(n, ir.Code):
            out.append(n.text)
        elif isinstance(n, ir.Choice):
            out.append(plain_inlines(shown_reading(n)))
        elif isinstance(n, ir.Emph | ir.Strong | ir.Span | ir.Link | ir.BookTitle):
            out.append(plain_inlines(n.children))
    return "".join(out)


def _merge(nodes: list[ir.Inline]) -> tuple[ir.Inline, ...]:
    out: list[ir.Inline] = []
    for n in nodes:
        if isinstance(n, ir.Text) and out and isinstance(out[-1], ir.Text):
            prev = out[-1]
            text = prev.text + n.text
            orig = None
            if prev.orig is not None or n.orig is not None:  # a normalised piece: keep the source's text too
                orig = (prev.text if prev.orig is None else prev.orig) + (n.text if n.orig is None else n.orig)
            out[-1] = ir.Text(text=text, orig=None if orig == text else orig)
        elif not (isinstance(n, ir.Text) and not n.text and n.orig is None):
            out.append(n)
    return tuple(out)


def _find(root: etree._Element, path: str) -> etree._Element | None:
    """The first element along a slash-separated path of local names."""
    cur: list[etree._Element] = [root]
    for part in path.split("/"):
        nxt = [c for el in cur for c in el if _name(c) == part]
        if not nxt:
            return None
        cur = nxt
    return cur[0]


def _all(root: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if root is None else [c for c in root if _name(c) == name]


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else "".join(el.itertext())


#: ``charProp/localName`` and ``mapping/@type`` values of a ``charDecl`` entry, best first: what a ``g`` shows.
GLYPH_FORMS = ("unicode", "standard", "normalized", "normalized form", "normal", "entity", "composition")


def declared_glyphs(header: etree._Element) -> dict[str, str]:
    """The text each ``char``/``glyph`` of the header's ``charDecl`` stands for: its Unicode or standard mapping,
    else its normalized form, else its composition (CBETA's ``[自/幸]``); private-use mappings are not shown."""
    out: dict[str, str] = {}
    for ch in header.iter(f"{{{TEI}}}char", f"{{{TEI}}}glyph"):
        char_id = ch.get(XML_ID)
        if not char_id:
            continue
        forms: dict[str, str] = {}
        for m in ch.iter(f"{{{TEI}}}mapping"):
            value = "".join(m.itertext()).strip()
            kind = (m.get("type") or "").lower()
            if value and kind not in ("pua", "private") and not any(0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000
                                                                     for c in value):
                forms.setdefault(kind, value)
        for prop in ch.iter(f"{{{TEI}}}charProp", f"{{{TEI}}}glyphProp"):
            local = prop.find(f"{{{TEI}}}localName")
            value_el = prop.find(f"{{{TEI}}}value")
            if local is not None and value_el is not None and (value_el.text or "").strip():
                forms.setdefault((local.text or "").strip().lower(), (value_el.text or "").strip())
        best = next((forms[k] for k in GLYPH_FORMS if k in forms), None)
        if best:
            out[char_id] = best
    return out


def kept_header(header: etree._Element) -> str:
    """The header of TEI from elsewhere as docpipe keeps it: exactly the source's when an earlier pass kept it
    verbatim, else the header without what docpipe added to it."""
    verbatim = next((n for n in header.iter(f"{{{TEI}}}note") if n.get(XML_ID) == vocab.SOURCE_HEADER_ID), None)
    if verbatim is not None:
        return "".join(verbatim.itertext())
    kept = copy.deepcopy(header)
    for el in list(kept.iter()):
        if isinstance(el.tag, str) and (el.get(XML_ID) or "").startswith(vocab.ADDED_PREFIX):
            parent = el.getparent()
            if parent is not None:
                prev = el.getprevious()
                if el.tail and prev is not None:
                    prev.tail = (prev.tail or "") + el.tail
                elif el.tail:
                    parent.text = (parent.text or "") + el.tail
                parent.remove(el)
    kept.tail = None
    return etree.tostring(kept, encoding="unicode")


def into_tei_namespace(root: etree._Element) -> int:
    """Put the elements of TEI written without its namespace (CBETA's P5a as its readers ship it, older P5 and
    P4 exports) into the TEI namespace, as ``tei_all`` requires; elements of other namespaces (``cb:``) stay
    where they are. Returns how many elements moved."""
    moved = 0
    for el in root.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{TEI}}}{el.tag}"
            moved += 1
    return moved


#: A language tag as ``xml:lang`` takes it (BCP 47: a primary language subtag of 2 or 3 letters, or a private-use
#: ``x-`` tag, then subtags): what a P4 ``lang`` must be to be read as the element's language.
LANGUAGE_TAG = re.compile(r"(?:[A-Za-z]{2,3}|[xX])(?:-[A-Za-z0-9]{1,8})*")
#: P4's spellings of a boolean (``anchored="yes"``), as ``xsd:boolean`` writes them.
P4_BOOLEANS = {"yes": "true", "y": "true", "true": "true", "no": "false", "n": "false", "false": "false"}


def repair_attributes(text: etree._Element, diag: Diagnostics) -> None:
    """Read the P4 attributes TEI from elsewhere still carries (DraCor's ``<note anchored="yes" lang="en">``) as
    TEI P5 has them, reported: ``lang`` (which P5 allows on ``code`` only, for a formal language) as the element's
    ``xml:lang`` when it has none and the value is a language tag (else it stays, written back as a ``@rend``
    token), and ``yes``/``no`` of a boolean attribute as ``true``/``false``."""
    langs = bools = 0
    kept: dict[str, int] = {}
    first: int | None = None
    for el in text.iter(f"{{{TEI}}}*"):
        name = _name(el)
        value = el.get("lang")
        if value is not None and name != "code":
            if el.get(XML_LANG) is None and LANGUAGE_TAG.fullmatch(value.strip()):
                del el.attrib["lang"]
                el.set(XML_LANG, value.strip())
                langs += 1
                first = first or el.sourceline
            else:
                kept[value] = kept.get(value, 0) + 1
        for attr, value in el.attrib.items():
            if vocab.boolean_attr(name, attr) and value not in vocab.BOOLEAN_VALUES \
                    and value.strip().lower() in P4_BOOLEANS:
                el.set(attr, P4_BOOLEANS[value.strip().lower()])
                bools += 1
                first = first or el.sourceline
    done = ([f"{langs} lang=\"…\" read as xml:lang (the element's language)"] if langs else []) + \
        ([f"{bools} boolean attribute(s) written yes/no (anchored=\"yes\"…) read as true/false"] if bools else [])
    if kept:
        done.append(f"{sum(kept.values())} lang=\"…\" that are no language tag, or beside an xml:lang, kept as the "
                    f"source's ({', '.join(sorted(kept)[:3])}), written back as @rend tokens")
    if langs or bools:
        diag.emit("text-repaired", "P4 attributes in the text, which tei_all does not allow, read as TEI P5: "
                  + "; ".join(done), line=first)


#: The roots of TEI P4 (no namespace) and their P5 names: the rest of a P4 text is read as P5 (with its P4
#: attributes repaired, see :func:`repair_attributes`).
P4_ROOTS = {"TEI.2": "TEI", "teiCorpus.2": "teiCorpus"}


def p4_header(root: etree._Element) -> Counter[str]:
    """The header elements TEI P4 wrote otherwise than P5, written as P5 (before the namespace is added): a
    ``language``'s ``@id`` (its tag) as ``@ident``; ``refsDecl``'s ``state`` and ``step`` as ``refState`` (a step's
    ``@refunit`` as ``@unit``); in a ``change``, the ``respStmt`` and ``item`` P5 no longer allows there as
    ``seg``s of those types (the same text, phrase content of the change). Returns what was rewritten."""
    done: Counter[str] = Counter()
    for el in root.iter("language"):
        if el.get("id") is not None and el.get("ident") is None:
            el.set("ident", el.attrib.pop("id"))
            done["<language id> as <language ident>"] += 1
    for decl in root.iter("refsDecl"):
        for el in decl:
            if el.tag == "state" or el.tag == "step":
                if el.tag == "step" and el.get("refunit") is not None and el.get("unit") is None:
                    el.set("unit", el.attrib.pop("refunit"))
                done[f"<refsDecl><{el.tag}> as <refState>"] += 1
                el.tag = "refState"
    for change in root.iter("change"):
        for el in change:
            if el.tag in ("respStmt", "item"):
                done[f"<{el.tag}> in a <change> as <seg type='{el.tag}'>"] += 1
                el.set("type", el.tag)
                el.tag = "seg"
                for sub in el.iter("resp"):
                    sub.tag = "seg"
                    sub.set("type", "resp")
    return done


def _tei_root(data: bytes, options: Options, diag: Diagnostics, name: str) -> etree._Element:
    """The ``TEI`` element of a document (the first of a ``teiCorpus``), in the TEI namespace (repaired and
    reported when it was written without it); anything else is an InputError."""
    root = parse_xml(data, name, options, diag)
    if isinstance(root.tag, str) and not root.tag.startswith("{") and _name(root) in P4_ROOTS:
        # TEI P4 (Perseus, early TCP): its elements are P5's but for the root's name, and it has no namespace
        for el in root.iter(*P4_ROOTS):
            el.tag = P4_ROOTS[_name(el)]
        diag.emit("text-repaired", "TEI P4 (root <TEI.2>, no namespace) read as TEI P5: <TEI.2> as <TEI>"
                  + "".join(f"; {n} × {what}" for what, n in p4_header(root).items()), line=root.sourceline)
    if isinstance(root.tag, str) and not root.tag.startswith("{") and _name(root) in ("TEI", "teiCorpus"):
        moved = into_tei_namespace(root)
        diag.emit("text-repaired", f"TEI without its namespace: {moved} element(s) read as TEI P5 "
                  f"(written back in the TEI namespace, {TEI})", line=root.sourceline)
    if _name(root) not in ("TEI", "teiCorpus"):
        raise InputError(f"the root element is <{_name(root)}>", file=name, line=root.sourceline,
                         expected="a TEI document (<TEI>)")
    if _name(root) == "teiCorpus":
        root = next((c for c in root if _name(c) == "TEI"), root)
    return root


def _kept_outside_text(root: etree._Element, header: etree._Element) -> list[tuple[str, str]]:
    """What a foreign document holds beside its text: its header whole and its other resources (``facsimile``…)."""
    kept = [(vocab.HEADER_KEY, kept_header(header))]
    for part in root:
        if isinstance(part.tag, str) and _name(part) not in ("teiHeader", "text"):
            part.tail = None
            kept.append((vocab.RESOURCE_KEY, etree.tostring(part, encoding="unicode")))
    return kept


def _rights(options: Options, name: str, ps: etree._Element | None) -> tuple[ir.Block, ...]:
    """The rights statement: the publication statement's licence, else its availability."""
    licence = _find(ps, "availability/licence") if ps is not None else None
    availability = _find(ps, "availability") if ps is not None else None
    quiet = _Reader(options, Diagnostics(), name, foreign=False)  # the header's prose, not the text's elements
    if licence is not None:
        if any(_is_block(c) for c in licence):
            return quiet.blocks(licence)
        return (ir.Para(children=quiet.inlines(licence)),) if _text(licence) else ()
    if availability is not None:
        return quiet.blocks(availability)
    return ()


def _notes_statement(fd: etree._Element | None, extra: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """docpipe's notes statement: the session and the edition notes; its other notes go to ``extra``."""
    notes_stmt = _find(fd, "notesStmt") if fd is not None else None
    session = None
    edition_notes: list[str] = []
    for n in _all(notes_stmt, "note"):
        kind = n.get("type")
        text = _text(n) or ""
        if kind == "session" and session is None:
            session = text
        elif kind == "edition":
            edition_notes.append(text)
        else:
            extra.append((n.get("subtype") or n.get("n") or kind or "note", text))
    return session, edition_notes


def _steps(header: etree._Element | None) -> list[ir.Step]:
    """The steps a previous pass of docpipe recorded in the header (``normalization`` with a ``docpipe:`` source)."""
    steps: list[ir.Step] = []
    for norm in (header.iter() if header is not None else []):
        if _name(norm) == "normalization" and (norm.get("source") or "").startswith("docpipe:"):
            counts: list[tuple[str, int]] = []
            settings: list[tuple[str, str]] = []
            for lst in norm.iter():
                if _name(lst) == "list":
                    for item in _all(lst, "item"):
                        key, value = item.get("n") or "", _text(item) or ""
                        if lst.get("type") == "counts" and value.lstrip("-").isdigit():
                            counts.append((key, int(value)))
                        elif lst.get("type") == "settings":
                            settings.append((key, value))
            steps.append(ir.Step(name=(norm.get("source") or "")[len("docpipe:"):], counts=tuple(counts),
                                 settings=tuple(settings)))
    return steps


def _text_blocks(r: _Reader, text_el: etree._Element, foreign: bool,
                 extra: list[tuple[str, str]]) -> list[ir.Block]:
    """The blocks of ``text``: its front, body, back and groups (a foreign document's front, back and groups as
    Divs that give them back; its body's attributes to ``extra``)."""
    blocks: list[ir.Block] = []
    etree.strip_tags(text_el, etree.Comment)
    if foreign:
        r.anchors(text_el)
    for part in text_el:
        pname = _name(part)
        if foreign and pname in ("front", "back", "group"):
            cls = {"front": vocab.FRONT, "back": vocab.BACK, "group": vocab.GROUP}[pname]
            blocks.append(ir.Div(blocks=r.blocks(part), classes=(cls,), attrs=_attrs(part, ("xml:id", "xml:lang")),
                                 lang=part.get(XML_LANG), id=part.get(XML_ID)))
        elif pname == "front":
            for child in part:
                if _name(child) == "div" and child.get("type") != "edition-notes":
                    blocks.extend(r.block(child, 0))
        elif pname == "body":
            if foreign:
                attrs = _attrs(part)
                if attrs:
                    extra.append((vocab.ATTRS_KEY + "body", rend((), attrs) or ""))
            blocks.extend(r.blocks(part))
        elif pname == "back":
            for child in part:
                if _name(child) == "div" and child.get("type") == "notes":
                    for n in _all(child, "note"):
                        r.note(n)
                else:
                    blocks.extend(r.block(child, 0))
        elif pname == "group":
            blocks.extend(r.blocks(part))
        elif foreign and isinstance(part.tag, str):
            # what text holds besides front, body and back (tei_all's model.global: teiphy's <interpGrp> of the
            # apparatus's categories before the body, a pb, a note): in the body's flow for the other formats,
            # and back in text, before or after the body, in TEI
            where = "after" if any(_name(p) == "body" for p in part.itersiblings(preceding=True)) else "before"
            blocks.extend(dataclasses.replace(b, attrs=(*b.attrs, (vocab.PLACE, where)))
                          if isinstance(b, ir.Div) and b.classes and b.classes[0].startswith("tei-") else b
                          for b in r.block(part, 0))
    return blocks


def _publisher(ps: etree._Element | None, foreign: bool) -> str | None:
    """The publisher (for a foreign document, else its distributor's name), white space folded when foreign."""
    publisher = _find(ps, "publisher") if ps is not None else None
    if foreign and publisher is None and ps is not None:
        publisher = _find(ps, "distributor")
        if publisher is not None and _find(publisher, "name") is not None:
            publisher = _find(publisher, "name")  # not its address
    return " ".join((_text(publisher) or "").split()) or None if foreign else _text(publisher)


def read(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """Read a TEI P5 document."""
    root = _tei_root(data, options, diag, name)
    header = _find(root, "teiHeader")
    foreign = header is not None and not any(el.get(XML_ID) == vocab.OWN_HEADER_ID for el in header.iter()
                                             if isinstance(el.tag, str))
    text_el = _find(root, "text")
    if foreign and text_el is not None:
        repair_attributes(text_el, diag)
    r = _Reader(options, diag, name, foreign=foreign)
    r.ids = {i for el in root.iter() if isinstance(el.tag, str) and (i := el.get(XML_ID))}
    if header is not None:
        r.glyphs = declared_glyphs(header)
    r.sigla = witness_sigla(root)
    r.lettered = text_el is not None and any(_name(e) == "note" for e in text_el.iter())
    fd = _find(header, "fileDesc") if header is not None else None
    ts = _find(fd, "titleStmt") if fd is not None else None
    ps = _find(fd, "publicationStmt") if fd is not None else None
    extra = _kept_outside_text(root, header) if foreign and header is not None else []
    rights = _rights(options, name, ps)
    session, edition_notes = _notes_statement(fd, extra) if not foreign else (None, [])  # foreign: in the header
    steps = _steps(header)
    language = (text_el.get(XML_LANG) if text_el is not None else None) or root.get(XML_LANG)
    if foreign:
        for key, el in (("TEI", root), ("text", text_el)):
            attrs = _attrs(el, ("xml:lang",)) if el is not None else ()
            if attrs:
                extra.append((vocab.ATTRS_KEY + key, rend((), attrs) or ""))
    blocks = _text_blocks(r, text_el, foreign, extra) if text_el is not None else []
    if foreign:
        blocks.extend(_standoff_apparatus(root, r))
    titles = _all(ts, "title")
    main = next((t for t in titles if t.get("type") in (None, "main")), titles[0] if titles else None)
    title = _text(main)
    if title is None and text_el is not None:
        title = _text(next((e for e in text_el.iter() if _name(e) == "titlePart"), None))
    date_el = _find(ps, "date") if ps is not None else None
    idnos = _all(ps, "idno")
    meta = ir.Metadata(
        title=" ".join(title.split()) if foreign and title else title,
        subtitle=_text(next((t for t in titles if t.get("type") == "sub"), None)),
        authors=tuple(_text(a) or "" for a in _all(ts, "author")),
        date=(date_el.get("when") or _text(date_el)) if date_el is not None else None,
        place=_text(_find(ps, "pubPlace")) if ps is not None else None,
        symbol=_text(next((i for i in idnos if i.get("type") == "symbol"), idnos[0] if idnos else None)),
        session=session, publisher=_publisher(ps, foreign), language=language, rights=rights,
        source=_text(_find(fd, "sourceDesc/bibl") if fd is not None else None),
        edition_notes=tuple(edition_notes),
        series=tuple(_text(t) or "" for t in _all(_find(fd, "seriesStmt") if fd is not None else None, "title")),
        extra=tuple(extra),
    )
    return ir.Document(metadata=meta, blocks=tuple(blocks), notes=tuple(r.notes), media=r.media.media(),
                       steps=tuple(steps))
