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
        from ..media import MediaTable
        self.media = MediaTable(options, diag, name)

    def graphic(self, el: etree._Element) -> ir.Image:
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
            data = read_local(path, self.options) if path is not None else None
            if data is not None:
                name = self.media.add(data, url)
        desc = next((c for c in el if _name(c) in ("desc", "figDesc")), None)
        return ir.Image(media=name or "", alt=self.inlines(desc) if desc is not None else (),
                        width=el.get("width"), height=el.get("height"), source=url or None)

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
                return self.milestone(el)
            case "pb" | "cb":
                return self.milestone(el)
            case "graphic":
                return self.graphic(el)
            case "formula":
                notation = (el.get("notation") or "").lower()
                if notation in ("tex", "latex") and not len(el):
                    return ir.Math(tex=el.text or "", display=el.get("rend") == "display")
                return ir.Span(children=self.inlines(el), classes=("tei-formula",))
            case "choice" if any(_name(c) == "reg" and c.get("type") == "docpipe-normalisation" for c in el):
                orig = next((c for c in el if _name(c) == "orig"), None)
                reg = next((c for c in el if _name(c) == "reg"), None)
                before = "".join(orig.itertext()) if orig is not None else ""
                after = "".join(reg.itertext()) if reg is not None else ""
                return ir.Text(text=after, orig=before)
            case "gap" if el.get("reason") == "picture-not-read":
                desc = next((c for c in el if _name(c) == "desc"), None)
                return ir.Image(media="", alt=self.inlines(desc) if desc is not None else ())
            case "app" | "choice":
                readings = tuple(ir.Reading(role=_name(c), children=self.inlines(c),
                                            attrs=tuple((k, v) for k, v in c.attrib.items() if "{" not in k))
                                 for c in el if isinstance(c.tag, str))
                if name == "app":  # the lemma is the text; readings of witnesses follow
                    readings = tuple(sorted(readings, key=lambda r: r.role != "lem"))
                return ir.Choice(kind=name, readings=readings,
                                 attrs=tuple((k, v) for k, v in el.attrib.items() if "{" not in k))
            case "milestone" | "anchor" | "gap":
                self.ignore(el, "is ignored")
                return None
            case _:
                kids = self.inlines(el)
                lang = el.get(XML_LANG)
                return ir.Span(children=kids, lang=lang, classes=(f"tei-{name}",))

    def milestone(self, el: etree._Element) -> ir.Milestone:
        unit = {"lb": "line", "pb": "page", "cb": "column"}[_name(el)]
        attrs = tuple((k, v) for k, v in el.attrib.items() if "{" not in k and k != "n")
        return ir.Milestone(unit=unit, n=el.get("n"), attrs=attrs)

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
        return _attach_milestones(out)

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
                images = tuple(self.graphic(g) for g in el.iter() if _name(g) == "graphic")
                head = next((c for c in el if _name(c) == "head"), None)
                label_el = next((c for c in head if _name(c) == "label"), None) if head is not None else None
                caption = self.inlines(head, skip_label=True) if head is not None else ()
                if not images:
                    gaps = [g for g in el if _name(g) == "gap" and g.get("reason") == "picture-not-read"]
                    desc = next((c for c in (gaps[0] if gaps else el) if _name(c) in ("figDesc", "desc")), None)
                    self.diag.emit("media-missing", "a figure without a graphic", line=el.sourceline)
                    images = (ir.Image(media="", alt=self.inlines(desc) if desc is not None else ()),)
                return [ir.Figure(images=images, caption=caption, id=el.get(XML_ID),
                                  label="".join(label_el.itertext()) if label_el is not None else None)]
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
            case "pb" | "lb" | "cb":
                return [_HOLDER(self.milestone(el))]
            case "milestone" | "anchor" | "fw":
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
        return list(_attach_milestones(out))

    def table(self, el: etree._Element, depth: int) -> ir.Table:
        caption: tuple[ir.Inline, ...] = ()
        label: str | None = None
        rows: list[tuple[ir.Cell, ...]] = []
        head_rows = 0
        for child in el:
            name = _name(child)
            if name == "head":
                caption = self.inlines(child, skip_label=True)
                label_el = next((c for c in child if _name(c) == "label"), None)
                label = "".join(label_el.itertext()) if label_el is not None else None
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
        return ir.Table(rows=tuple(rows), caption=caption, head_rows=head_rows, id=el.get(XML_ID), label=label)


BLOCKS = {"p", "ab", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "head", "floatingText", "list",
          "quote", "table", "figure", "eg", "lg", "cit"}


def _HOLDER(m: ir.Milestone) -> ir.Div:
    """A milestone standing between blocks, until :func:`_attach_milestones` moves it into the next block."""
    return ir.Div(blocks=(), classes=("tei-milestone-holder",), attrs=(("unit", m.unit), ("n", m.n or ""),
                                                                       *m.attrs))


def _attach_milestones(blocks: list[ir.Block]) -> tuple[ir.Block, ...]:
    """Line and page breaks between blocks go to the start of the next paragraph or heading (or the end of
    the previous one), so that the IR keeps every one where a reader meets it."""
    import dataclasses

    out: list[ir.Block] = []
    pending: list[ir.Milestone] = []
    for b in blocks:
        if isinstance(b, ir.Div) and b.classes == ("tei-milestone-holder",):
            a = dict(b.attrs)
            rest = tuple((k, v) for k, v in b.attrs if k not in ("unit", "n"))
            pending.append(ir.Milestone(unit=a["unit"], n=a["n"] or None, attrs=rest))
            continue
        if pending and isinstance(b, ir.Para | ir.Heading):
            b = dataclasses.replace(b, children=(*pending, *b.children))
            pending = []
        out.append(b)
    if pending:
        last = next((i for i in range(len(out) - 1, -1, -1) if isinstance(out[i], ir.Para | ir.Heading)), None)
        if last is not None:
            target = out[last]
            assert isinstance(target, ir.Para | ir.Heading)
            out[last] = dataclasses.replace(target, children=(*target.children, *pending))
        else:
            out.append(ir.Para(children=tuple(pending)))
    return tuple(out)


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
    return ir.Document(metadata=meta, blocks=tuple(blocks), notes=tuple(r.notes), media=r.media.media(),
                       steps=tuple(steps))
