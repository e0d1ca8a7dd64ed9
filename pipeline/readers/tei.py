"""TEI P5 -> IR: docpipe's own TEI back exactly, and ordinary TEI from elsewhere.

Parsing is safe: no DTD is loaded, no entity is expanded, nothing is fetched; a document that declares
entities is refused. Read: ``div``/``div1``–``div7`` with ``head`` (level from our ``@type`` or from the
nesting), ``p``, ``ab``, ``lg``/``l``, ``floatingText`` (``box`` → Box, else Div), ``list``/``item``,
``quote``, ``table``, ``figure``, ``eg``, ``note``, and the phrases ``hi``, ``emph``, ``title``, ``ref``,
``ptr``, ``seg``, ``code``, ``foreign``. ``lb`` and ``pb`` are ignored (a diagnostic says so) except our own
forced breaks; other elements keep their text in a Span or Div named after them.
"""

from __future__ import annotations

import re

from lxml import etree

from .. import ir
from ..diagnostics import Diagnostics
from ..errors import InputError
from ..options import Options
from ..writers.tei import unrend

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
LEVELS = {"chapter": 1, "section": 2, "subsection": 3}
OPEN_CLOSE = {"《": "》", "〈": "〉", "“": "”", "「": "」"}
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def parse_xml(data: bytes, name: str, options: Options) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, bounded depth."""
    head = data[:65536]
    if b"<!DOCTYPE" in head.upper() and _ENTITY_DECL.search(data):
        offset = _ENTITY_DECL.search(data)
        raise InputError("declares XML entities, which docpipe does not expand", file=name,
                         offset=offset.start() if offset else None, expected="XML without <!ENTITY declarations")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
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


def _depth(root: etree._Element) -> int:
    best = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in el)
    return best


class _Reader:
    def __init__(self, options: Options, diag: Diagnostics, name: str) -> None:
        self.options = options
        self.diag = diag
        self.name = name
        self.notes: list[ir.Note] = []
        self.note_ids: set[str] = set()
        self.ignored: dict[str, int] = {}

    def ignore(self, el: etree._Element, why: str) -> None:
        key = _name(el)
        self.ignored[key] = self.ignored.get(key, 0) + 1
        if self.ignored[key] == 1:
            self.diag.emit("ignored-element", f"<{key}> {why}", line=el.sourceline)

    # ------------------------------------------------------------------ inlines
    def inlines(self, el: etree._Element, *, skip_label: bool = False) -> tuple[ir.Inline, ...]:
        out: list[ir.Inline] = []
        if el.text:
            out.append(ir.Text(text=el.text))
        for child in el:
            if not isinstance(child.tag, str):
                self._tail(out, child.tail)
                continue
            tail = child.tail
            name = _name(child)
            if name == "label" and skip_label:
                pass
            elif name == "title":
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
            else:
                node = self.inline(child)
                if node is not None:
                    out.append(node)
            self._tail(out, tail)
        return _merge(out)

    def _tail(self, out: list[ir.Inline], tail: str | None) -> None:
        if tail:
            out.append(ir.Text(text=tail))

    def inline(self, el: etree._Element) -> ir.Inline | None:
        name = _name(el)
        match name:
            case "emph":
                return ir.Emph(children=self.inlines(el))
            case "hi":
                rend = (el.get("rend") or "").lower()
                if "bold" in rend or "strong" in rend:
                    return ir.Strong(children=self.inlines(el))
                return ir.Emph(children=self.inlines(el))
            case "code":
                return ir.Code(text="".join(el.itertext()))
            case "ref":
                return ir.Link(children=self.inlines(el), target=el.get("target", ""), title=el.get("n"))
            case "ptr":
                target = el.get("target", "")
                if el.get("type") == "noteref":
                    return ir.NoteRef(note_id=target.lstrip("#"), marker=el.get("n", ""))
                return ir.Link(children=(ir.Text(text=target),), target=target)
            case "seg":
                classes, attrs = unrend(el.get("rend"))
                return ir.Span(children=self.inlines(el), lang=el.get(XML_LANG), classes=classes, attrs=attrs)
            case "note":
                return self.note(el)
            case "lb":
                if el.get("type") == "forced":
                    return ir.LineBreak()
                self.ignore(el, "line breaks of the source are ignored")
                return None
            case "pb" | "cb" | "milestone" | "anchor" | "gap":
                self.ignore(el, "is ignored")
                return None
            case _:
                kids = self.inlines(el)
                lang = el.get(XML_LANG)
                return ir.Span(children=kids, lang=lang, classes=(f"tei-{name}",))

    def note(self, el: etree._Element) -> ir.NoteRef:
        marker = el.get("n") or str(len(self.notes) + 1)
        note_id = el.get(XML_ID) or f"fn-{len(self.notes) + 1}"
        while note_id in self.note_ids:
            note_id += "-x"
        self.note_ids.add(note_id)
        own = (el.get("rend") or "")
        note_marker = own[len("marker:"):] if own.startswith("marker:") else marker
        if any(_name(c) in BLOCKS for c in el):
            blocks = self.blocks(el)
        else:
            blocks = (ir.Para(children=self.inlines(el)),)
        self.notes.append(ir.Note(id=note_id, marker=note_marker, blocks=blocks, lang=el.get(XML_LANG)))
        return ir.NoteRef(note_id=note_id, marker=marker)

    # ------------------------------------------------------------------ blocks
    def blocks(self, el: etree._Element, depth: int = 0) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            out.extend(self.block(child, depth))
        return tuple(out)

    def block(self, el: etree._Element, depth: int) -> list[ir.Block]:
        name = _name(el)
        lang = el.get(XML_LANG)
        match name:
            case "p" | "ab":
                if el.get("rend") == "empty" and not len(el) and not el.text:
                    return []
                return [ir.Para(children=self.inlines(el), number=el.get("n") if name == "p" else None,
                                id=el.get(XML_ID), lang=lang)]
            case "div" | "div1" | "div2" | "div3" | "div4" | "div5" | "div6" | "div7":
                return self.div(el, depth + 1)
            case "head":
                return [self.heading(el, depth or 1)]
            case "floatingText":
                body = next((c for c in el if _name(c) == "body"), el)
                if el.get("type") == "box":
                    head = next((c for c in body if _name(c) == "head"), None)
                    inner = tuple(b for c in body if c is not head and isinstance(c.tag, str)
                                  for b in self.block(c, depth))
                    return [ir.Box(title=self.inlines(head) if head is not None else (), blocks=inner,
                                   id=el.get(XML_ID), lang=lang)]
                classes, attrs = unrend(el.get("rend"))
                return [ir.Div(blocks=self.blocks(body, depth), classes=classes, attrs=attrs, lang=lang,
                               id=el.get(XML_ID))]
            case "list":
                items = []
                for item in el:
                    if _name(item) != "item":
                        continue  # a list's head or a label: not an item
                    if any(_name(c) in BLOCKS for c in item):
                        blocks = self.blocks(item, depth)
                    else:
                        blocks = (ir.Para(children=self.inlines(item)),)
                    items.append(ir.ListItem(blocks=blocks, label=item.get("n")))
                rend = (el.get("type") or el.get("rend") or "").lower()
                n = el.get("n")
                return [ir.ListBlock(items=tuple(items), ordered=rend in ("ordered", "numbered"),
                                     start=int(n) if n and n.isdigit() else 1)]
            case "quote" | "cit":
                if any(_name(c) in BLOCKS for c in el):
                    return [ir.BlockQuote(blocks=self.blocks(el, depth), lang=lang)]
                return [ir.BlockQuote(blocks=(ir.Para(children=self.inlines(el)),), lang=lang)]
            case "table":
                return [self.table(el, depth)]
            case "figure":
                graphic = next((c for c in el.iter() if _name(c) == "graphic"), None)
                desc = next((c for c in el if _name(c) in ("figDesc", "head")), None)
                return [ir.Image(src=graphic.get("url", "") if graphic is not None else "",
                                 alt=self.inlines(desc) if desc is not None else (), id=el.get(XML_ID))]
            case "eg":
                rend = el.get("rend") or ""
                return [ir.CodeBlock(text="".join(el.itertext()),
                                     language=rend[len("language-"):] if rend.startswith("language-") else None)]
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
            case "pb" | "lb" | "cb" | "milestone" | "anchor" | "fw":
                self.ignore(el, "is ignored")
                return []
            case _:
                if any(_name(c) in BLOCKS for c in el):
                    return [ir.Div(blocks=self.blocks(el, depth), classes=(f"tei-{name}",), lang=lang,
                                   id=el.get(XML_ID))]
                text = self.inlines(el)
                if not text:
                    return []
                self.diag.emit("unsupported-content", f"<{name}> kept as a paragraph", line=el.sourceline)
                return [ir.Div(blocks=(ir.Para(children=text),), classes=(f"tei-{name}",), lang=lang,
                               id=el.get(XML_ID))]

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
        return out

    def table(self, el: etree._Element, depth: int) -> ir.Table:
        caption: tuple[ir.Inline, ...] = ()
        rows: list[tuple[ir.Cell, ...]] = []
        head_rows = 0
        for child in el:
            name = _name(child)
            if name == "head":
                caption = self.inlines(child)
            elif name == "row":
                cells = []
                for cell in child:
                    if _name(cell) != "cell":
                        continue
                    if any(_name(c) in BLOCKS for c in cell):
                        blocks = self.blocks(cell, depth)
                    else:
                        inl = self.inlines(cell)
                        blocks = (ir.Para(children=inl),) if inl else ()
                    cells.append(ir.Cell(blocks=blocks, colspan=int(cell.get("cols", "1") or 1),
                                         rowspan=int(cell.get("rows", "1") or 1), header=cell.get("role") == "label"))
                if child.get("role") == "label" and len(rows) == head_rows:
                    head_rows += 1
                rows.append(tuple(cells))
        n = el.get("n")
        if n and n.isdigit():
            head_rows = int(n)
        if len(rows) == 1 and rows[0] == (ir.Cell(blocks=()),) and el.get("rows") == "0":
            rows = []
        return ir.Table(rows=tuple(rows), caption=caption, head_rows=head_rows, id=el.get(XML_ID))


BLOCKS = {"p", "ab", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "head", "floatingText", "list",
          "quote", "table", "figure", "eg", "lg", "cit"}


def _merge(nodes: list[ir.Inline]) -> tuple[ir.Inline, ...]:
    out: list[ir.Inline] = []
    for n in nodes:
        if isinstance(n, ir.Text) and out and isinstance(out[-1], ir.Text):
            out[-1] = ir.Text(text=out[-1].text + n.text)
        elif not (isinstance(n, ir.Text) and not n.text):
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


def read(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """Read a TEI P5 document."""
    root = parse_xml(data, name, options)
    if _name(root) not in ("TEI", "teiCorpus"):
        raise InputError(f"the root element is <{_name(root)}>", file=name, line=root.sourceline,
                         expected="a TEI document (<TEI>)")
    if _name(root) == "teiCorpus":
        root = next((c for c in root if _name(c) == "TEI"), root)
    r = _Reader(options, diag, name)
    header = _find(root, "teiHeader")
    fd = _find(header, "fileDesc") if header is not None else None
    ts = _find(fd, "titleStmt") if fd is not None else None
    ps = _find(fd, "publicationStmt") if fd is not None else None
    titles = _all(ts, "title")
    main = next((t for t in titles if t.get("type") in (None, "main")), titles[0] if titles else None)
    sub = next((t for t in titles if t.get("type") == "sub"), None)
    date_el = _find(ps, "date") if ps is not None else None
    idnos = _all(ps, "idno")
    symbol = next((i for i in idnos if i.get("type") == "symbol"), idnos[0] if idnos else None)
    licence = _find(ps, "availability/licence") if ps is not None else None
    availability = _find(ps, "availability") if ps is not None else None
    rights: tuple[ir.Block, ...] = ()
    if licence is not None:
        rights = r.blocks(licence) if any(_name(c) in BLOCKS for c in licence) else (
            (ir.Para(children=r.inlines(licence)),) if _text(licence) else ())
    elif availability is not None:
        rights = r.blocks(availability)
    notes_stmt = _find(fd, "notesStmt") if fd is not None else None
    session = None
    edition_notes: list[str] = []
    extra: list[tuple[str, str]] = []
    for n in _all(notes_stmt, "note"):
        kind = n.get("type")
        text = _text(n) or ""
        if kind == "session" and session is None:
            session = text
        elif kind == "edition":
            edition_notes.append(text)
        else:
            extra.append((n.get("subtype") or n.get("n") or kind or "note", text))
    source_el = _find(fd, "sourceDesc/bibl") if fd is not None else None
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
    text_el = _find(root, "text")
    language = (text_el.get(XML_LANG) if text_el is not None else None) or root.get(XML_LANG)
    blocks: list[ir.Block] = []
    if text_el is not None:
        for part in text_el:
            pname = _name(part)
            if pname == "front":
                for child in part:
                    if _name(child) == "div" and child.get("type") != "edition-notes":
                        blocks.extend(r.block(child, 0))
            elif pname == "body":
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
    authors = tuple(_text(a) or "" for a in _all(ts, "author"))
    title = _text(main)
    if title is None and text_el is not None:
        title = _text(next((e for e in text_el.iter() if _name(e) == "titlePart"), None))
    meta = ir.Metadata(
        title=title, subtitle=_text(sub), authors=authors,
        date=(date_el.get("when") or _text(date_el)) if date_el is not None else None,
        place=_text(_find(ps, "pubPlace")) if ps is not None else None,
        symbol=_text(symbol), session=session,
        publisher=_text(_find(ps, "publisher")) if ps is not None else None,
        language=language, rights=rights, source=_text(source_el),
        edition_notes=tuple(edition_notes),
        series=tuple(_text(t) or "" for t in _all(_find(fd, "seriesStmt") if fd is not None else None, "title")),
        extra=tuple(extra),
    )
    return ir.Document(metadata=meta, blocks=tuple(blocks), notes=tuple(r.notes), steps=tuple(steps))
