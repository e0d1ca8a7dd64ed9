"""TEI P5 (valid against ``tei_all``) from the IR, lossless: :mod:`pipeline.readers.tei` reads it back exactly.

Encoding choices:

* Headings become nested ``div``s, ``@type`` from the level (``chapter``, ``section``, ``subsection``,
  ``subsection4``…); the source's label is ``head/label`` (``<head><label>第一章</label>導言</head>``).
* Numbered paragraphs: ``<p n="12" xml:id="para-12">``.
* **Boxes** are ``<floatingText type="box">`` with their own ``body``, ``head`` (the title) and paragraphs:
  the TEI element for a text that interrupts the main text at a point without belonging to its flow, which
  is what a sidebar is; it may stand between paragraphs (a ``div`` may not) and carries ``xml:lang``.
  Generic containers (IR ``Div``) use ``floatingText type="div"`` with the classes in ``@rend``.
* Footnotes: ``<note place="foot" n="1" xml:id="fn-1">`` at the point of reference; a second call of the
  same note is ``<ptr type="noteref" target="#fn-1"/>``; notes never called go to ``back``.
* Book titles keep their marks as text around ``<title>``: ``《<title>憲章</title>》``.
* The header records the edition, the source file, the rights (``availability/licence``), every processing
  step with its counts (``editorialDecl/normalization``) and every language used (``langUsage``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import assert_never
from urllib.parse import quote, unquote

from lxml import etree

from .. import __version__, ir
from ..cjk.dates import when
from ..diagnostics import Diagnostics
from ..media import by_name
from ..options import Options
from ..walk import iter_blocks

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


MILESTONE_ATTRS = frozenset({"ed", "edRef", "facs", "break", "type", "rend", "corresp"})
CHOICE_ATTRS = frozenset({"wit", "resp", "cert", "type", "source", "hand", "n", "varSeq", "cause"})
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


def rend(classes: tuple[str, ...], attrs: tuple[tuple[str, str], ...]) -> str | None:
    """``@rend`` tokens for a generic container: its classes, then ``@key=value`` (percent-encoded) attributes."""
    tokens = [quote(c, safe="") for c in classes]
    tokens += [f"@{quote(k, safe='')}={quote(v, safe='')}" for k, v in attrs]
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
                case ir.Span(children=c, lang=sub, classes=classes, attrs=attrs):
                    seg = _sub(parent, "seg", {"rend": rend(classes, attrs)})
                    _lang(seg, sub, lang)
                    if sub:
                        self.langs.add(sub)
                    self.inlines(seg, c, sub or lang)
                case ir.BookTitle(children=c, open=o, close=cl):
                    _append(parent, o)
                    self.inlines(_sub(parent, "title"), c, lang)
                    _append(parent, cl)
                case ir.NoteRef(note_id=note_id, marker=marker):
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
                    for k, v in attrs:
                        if k in MILESTONE_ATTRS:
                            el.set(k, v)
                case ir.Choice(kind=kind, readings=rs, attrs=attrs):
                    el = _sub(parent, "app" if kind == "app" else "choice")
                    for k, v in attrs:
                        if k in CHOICE_ATTRS:
                            el.set(k, v)
                    for r in rs:
                        role = r.role if r.role in READING_ROLES[kind == "app"] else (
                            "rdg" if kind == "app" else "seg")
                        child = _sub(el, role)
                        for k, v in r.attrs:
                            if k in CHOICE_ATTRS:
                                child.set(k, v)
                        self.inlines(child, r.children, lang)
                case _:
                    assert_never(node)

    def graphic(self, parent: etree._Element, node: ir.Image, lang: str | None) -> None:
        """``graphic`` pointing at the picture in the media folder beside the TEI file, its alt text in ``desc``."""
        medium = self.media.get(node.media) if node.media else None
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
        el = _sub(parent, "note", {"place": "foot", "n": marker})
        el.set(f"{{{XML}}}id", note.id)
        if note.marker != marker:
            el.set("rend", f"marker:{note.marker}")
        _lang(el, note.lang, lang)
        if note.lang:
            self.langs.add(note.lang)
        self.blocks(el, note.blocks, note.lang or lang)

    # ------------------------------------------------------------------ blocks
    def blocks(self, parent: etree._Element, nodes: Iterable[ir.Block], lang: str | None) -> None:
        for b in nodes:
            self.block(parent, b, lang)

    def block(self, parent: etree._Element, node: ir.Block, lang: str | None) -> None:
        match node:
            case ir.Heading():
                head = _sub(parent, "head")
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
                if not node.blocks:
                    _sub(body, "p", {"rend": "empty"})
            case ir.ListBlock():
                lst = _sub(parent, "list", {"type": "ordered" if node.ordered else "bulleted",
                                            "n": str(node.start) if node.start != 1 else None})
                for item in node.items:
                    self.blocks(_sub(lst, "item", {"n": item.label}), item.blocks, lang)
            case ir.BlockQuote():
                q = _sub(parent, "quote")
                _lang(q, node.lang, lang)
                self.blocks(q, node.blocks, node.lang or lang)
            case ir.Table():
                from ..tables import layout
                cols = layout(node)[1] if node.rows else 1
                table = _sub(parent, "table", {"rows": str(len(node.rows)), "cols": str(cols),
                                               "n": str(node.head_rows)})
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
                        self.blocks(c, cell.blocks, lang)
                if not node.rows:
                    _sub(_sub(table, "row"), "cell")
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
                ft = _sub(parent, "floatingText", {"type": "div", "rend": rend(node.classes, node.attrs)})
                if node.id:
                    ft.set(f"{{{XML}}}id", node.id)
                _lang(ft, node.lang, lang)
                body = _sub(ft, "body")
                self.blocks(body, node.blocks, node.lang or lang)
                if not node.blocks:
                    _sub(body, "p", {"rend": "empty"})
            case _:
                assert_never(node)

    def heading_content(self, head: etree._Element, node: ir.Heading, lang: str | None) -> None:
        if node.id:
            head.set(f"{{{XML}}}id", node.id)
        _lang(head, node.lang, lang)
        if node.label is not None:
            _sub(head, "label", text=node.label)
        self.inlines(head, node.children, node.lang or lang)

    def body(self, parent: etree._Element, blocks: tuple[ir.Block, ...], lang: str | None) -> None:
        """Blocks with headings turned into nested divs."""
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
        if not len(parent):
            _sub(parent, "p", {"rend": "empty"})

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
        script = self.options.script
        _sub(es, "edition", {"n": script},
             f"docpipe {__version__} edition: {EDITIONS.get(script, script)} ({m.language or 'und'})")
        ps = _sub(fd, "publicationStmt")
        if m.publisher:
            _sub(ps, "publisher", text=m.publisher)
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
        ed = _sub(_sub(hdr, "encodingDesc"), "editorialDecl")
        if not self.doc.steps:
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

    def profile(self, hdr: etree._Element) -> None:
        usage = _sub(_sub(hdr, "profileDesc"), "langUsage")
        for tag in sorted(self.langs):
            _sub(usage, "language", {"ident": tag}, LANG_NAMES.get(tag, tag))

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

    def write(self) -> bytes:
        m = self.doc.metadata
        tei = etree.Element(_t("TEI"), nsmap={None: TEI})
        if m.language:
            tei.set(f"{{{XML}}}lang", m.language)
            self.langs.add(m.language)
        self.header(tei)
        text = _sub(tei, "text")
        if m.language:
            text.set(f"{{{XML}}}lang", m.language)
        self.front(text)
        self.body(_sub(text, "body"), self.doc.blocks, m.language)
        unplaced = [n for n in self.doc.notes if n.id not in self.placed]
        if unplaced:
            div = _sub(_sub(text, "back"), "div", {"type": "notes"})
            for n in unplaced:
                self.note(div, n.id, n.marker, m.language)
        for b in iter_blocks(self.doc.blocks):
            lang = getattr(b, "lang", None)
            if lang:
                self.langs.add(lang)
        self.profile(tei[0])
        return etree.tostring(tei, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """TEI P5 for ``doc``."""
    return _Writer(doc, options, diag).write()
