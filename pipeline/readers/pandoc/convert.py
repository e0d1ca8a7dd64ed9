"""pandoc's JSON AST into the IR: one converter for every format pandoc reads.

Mapping: ``Header`` → Heading (``label`` attribute, a ``span.label``, or a recognised numbering prefix such
as ``第一章``/``A.`` gives the label); ``Para`` → Para, numbered by a leading ``[12]{.para-num}`` span, by a
``Numbered Paragraph`` Word style, or by the report convention ``12. text`` (Markdown lines of that shape are
read as numbered paragraphs, not as a list: lists are written ``1)``); ``Div.box`` (Markdown ``::: box``,
HTML ``aside.box``) and Word paragraphs in the ``Box Title``/``Box Text`` styles → Box; ``Note`` → NoteRef and
Note; ``《…》`` → BookTitle; spans with ``lang`` → Span. What the IR does not name is kept in a Div or Span
with the pandoc element's name as class, and reported.
A Word table of contents is dropped (reported); raw HTML in Markdown goes through :mod:`.rawhtml`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from ... import ir
from ...diagnostics import Diagnostics
from ...errors import LimitError
from ...labels import callout_title
from ...media import MediaTable, local_file, read_local
from ...options import Options
from ...walk import block_text
from ..report import _inlines as text_inlines
from ..report.structure import NUMBERED, heading_kind
from .markup import BOX_KINDS
from .rawhtml import MAX_GROUP, Slots, html_blocks, html_inlines, is_comment, open_tags, slot
from .word import CAPTION_STYLES, TITLE_STYLES, caption_label, contents_title, is_toc_entry

#: Elements that hold only inline content: a block that pandoc parsed inside one closes it.
INLINE_ONLY = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "dt", "caption", "figcaption"})
#: Formats whose raw HTML is parsed into the IR (pandoc's HTML reader parses its own).
RAW_HTML_FORMATS = frozenset({"markdown", "org"})
#: The attribute of a Markdown citation span holding pandoc's citations (JSON), until :mod:`.cite` formats it.
CITATION_ATTR = "data-citation"
#: A key Quarto reserves for its cross-references (``@sec-intro``, ``@fig-plot``), not a citation.
QUARTO_XREF = re.compile(r"(?:sec|fig|tbl|lst|eq|thm|lem|cor|prp|def|exm|exr|cnj)-")
#: The class of the division the bibliography goes in (Quarto's and pandoc's ``::: {#refs}``).
REFERENCES = "references"
#: ARIA roles of an HTML ``div`` that only wraps a part of the page (its headings are the document's sections).
WRAPPER_ROLES = frozenset({"region", "main", "document", "article", "presentation", "none", "group"})
#: pandoc's column alignments as the IR's.
_ALIGNS = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}
_WRAPPER_TAG = re.compile(r"</?(?:cite|time|sup|sub|small|abbr|bdi|mark|q|dfn|data)\b[^>]*>", re.IGNORECASE)


def _meta_value(v: dict[str, Any]) -> Any:
    t, c = _tc(v)
    if t == "MetaString":
        return c
    if t == "MetaBool":
        return c
    if t == "MetaInlines":
        return _plain(c)
    if t == "MetaBlocks":
        return {"blocks": c}
    if t == "MetaList":
        return [_meta_value(x) for x in c]
    if t == "MetaMap":
        return {k: _meta_value(x) for k, x in c.items()}
    return None


def _tc(node: dict[str, Any]) -> tuple[str, Any]:
    """A pandoc AST node's tag and content."""
    return str(node.get("t")), node.get("c")


def _plain(inlines: list[dict[str, Any]]) -> str:
    out = []
    for node in inlines:
        t, c = _tc(node)
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak"):
            out.append(" ")
        elif t == "LineBreak":
            out.append("\n")
        elif t in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(_plain(c))
        elif t in ("Span", "Link"):
            out.append(_plain(c[1]))
        elif t == "Quoted":
            q = "“”" if c[0]["t"] == "DoubleQuote" else "‘’"
            out.append(q[0] + _plain(c[1]) + q[1])
        elif t in ("Code", "Math"):
            out.append(c[1])
        elif t == "Cite":
            out.append(_plain(c[1]))
    return "".join(out)


def _cjk(ch: str) -> bool:
    return bool(ch) and ("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f")


@dataclass
class _Converter:
    """The state of one conversion: the notes, rights and media met so far, and what was reported."""

    options: Options
    diag: Diagnostics
    name: str
    fmt: str
    archive: zipfile.ZipFile | None = None
    notes: list[ir.Note] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)
    depth: int = 0
    rights: list[ir.Block] = field(default_factory=list)
    note_bodies: dict[str, tuple[ir.Block, ...]] = field(default_factory=dict)
    #: the archive's files by name
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    anchors: list[str] = field(default_factory=list)
    #: anchors waiting for the next paragraph or heading
    pending: list[ir.Inline] = field(default_factory=list)
    html_counts: dict[str, int] = field(default_factory=lambda: {"elements": 0, "comments": 0, "dropped": 0})
    toc_dropped: int = 0
    #: ids of an EPUB that several of its files use (:func:`_shared_ids`)
    shared: frozenset[str] = frozenset()
    #: captions whose blocks other than text were moved after their figure or table, and those blocks
    caption_moved: list[int] = field(default_factory=lambda: [0, 0])
    #: the document's language (the edition's, else the source's own): the words docpipe adds are in it
    lang: str | None = None
    media: MediaTable = field(init=False)

    def __post_init__(self) -> None:
        self.media = MediaTable(self.options, self.diag, self.name)
        if self.archive is not None:
            for info in self.archive.infolist():
                if not info.is_dir():
                    self.members[info.filename] = info

    def picture(self, src: str) -> str | None:
        """The media name of a picture reference, read from inside the archive or the document's folder."""
        import base64
        from urllib.parse import unquote

        if src.startswith("data:"):
            head, _, payload = src.partition(",")
            if not head.startswith("data:image/") or ";base64" not in head:
                self.diag.emit("media-refused", "a data: URL that is not a base64 picture")
                return None
            try:
                data = base64.b64decode(payload[: self.options.max_image_bytes * 4 // 3 + 8])
            except ValueError:
                self.diag.emit("media-refused", "a data: URL whose base64 is broken")
                return None
            return self.media.add(data, "data: URL", head[5:].split(";")[0])
        if self.archive is not None and not re.match(r"^[a-zA-Z][\w+.-]*:", src):
            key = unquote(src.split("#")[0])
            parts = [p for p in key.split("/") if p not in ("", ".", "..")]
            want = "/".join(parts)
            info = self.members.get(want) or next(
                (i for n, i in self.members.items() if want and n.endswith("/" + want)), None)
            if info is None:
                self.diag.emit("media-missing", f"{src}: not in the archive")
                return None
            with self.archive.open(info) as fh:
                data = fh.read(self.options.max_image_bytes + 1)
            return self.media.add(data, info.filename)
        path = local_file(src, self.options.base_dir, self.diag, root=self.options.resource_root)
        if path is None:
            return None
        local = read_local(path, self.options, self.diag)
        if local is None:
            self.diag.emit("media-missing", f"{src}: cannot be read")
            return None
        return self.media.add(local, src)

    def image(self, c: list[Any]) -> ir.Image:
        (_, _, attrs), alt, (src, title) = c
        attrs_d = dict(attrs)
        name = self.picture(src)
        # Quarto's fig-alt: the picture's description, where the alt text is the figure's caption
        described = text_inlines(attrs_d["fig-alt"], {}) if attrs_d.get("fig-alt") else None
        return ir.Image(media=name or "", alt=described or self.inlines(alt), width=attrs_d.get("width"),
                        height=attrs_d.get("height"), title=(title or None) if title != "fig:" else None,
                        source=src)

    def report(self, what: str) -> None:
        if what not in self.reported:
            self.reported.add(what)
            self.diag.emit("unsupported-content", f"{what} kept in a generic container")

    # ------------------------------------------------------------------ inlines
    def inlines(self, nodes: list[dict[str, Any]]) -> tuple[ir.Inline, ...]:
        if self.fmt in RAW_HTML_FORMATS and any(n.get("t") == "RawInline" and n["c"][0] == "html" for n in nodes):
            return self.raw_html_inlines(nodes)
        out: list[ir.Inline] = []
        for i, node in enumerate(nodes):
            t, c = _tc(node)
            if t == "Str":
                out.append(ir.Text(text=c))
            elif t == "Space":
                out.append(ir.Text(text=" "))
            elif t == "SoftBreak":
                before = _plain(nodes[i - 1:i])[-1:] if i else ""
                after = _plain(nodes[i + 1:i + 2])[:1]
                out.append(ir.Text(text="" if _cjk(before) or _cjk(after) else " "))
            elif t == "LineBreak":
                out.append(ir.LineBreak())
            elif t == "Emph":
                out.append(ir.Emph(children=self.inlines(c)))
            elif t == "Strong":
                out.append(ir.Strong(children=self.inlines(c)))
            elif t == "Code":
                out.append(ir.Code(text=c[1]))
            elif t == "Math":
                out.append(ir.Math(tex=c[1], display=c[0].get("t") == "DisplayMath"))
            elif t == "Link":
                if lid := _unprefix(c[0][0], self.shared):
                    # an <a id href>: a back link names it (an end-of-book description's "back to the picture")
                    out.append(ir.Span(children=(), classes=("anchor",), attrs=(("id", lid),)))
                target = c[2][0]
                if self.fmt == "epub":
                    target = _local_target(target, self.shared)
                elif ".xhtml#" in target and not target.startswith(("http:", "https:", "mailto:")):
                    target = "#" + target.split("#", 1)[1]
                out.append(ir.Link(children=self.inlines(c[1]), target=target, title=c[2][1] or None))
            elif t == "Span":
                (sid, classes, attrs), kids = c
                attrs_d = dict(attrs)
                if not kids and not sid:
                    continue
                sid = _unprefix(sid, self.shared)  # a file's own id ("chapter-2.xhtml") stays: links may name the file
                if sid and "noteref" not in classes:
                    # a link target (Word's _Toc/_Ref bookmarks, Markdown's []{#id}): kept as an anchor that the
                    # ids transform moves onto its block
                    out.append(ir.Span(children=(), classes=("anchor",), attrs=(("id", sid),)))
                    if not kids:
                        continue
                    if "anchor" in classes:
                        out.extend(self.inlines(kids))
                        continue
                if "latin" in classes or (not classes and set(attrs_d) <= {"custom-style"}
                                          and (not sid or sid.endswith(".xhtml"))):
                    out.extend(self.inlines(kids))  # presentation only (our gap spans, Word character styles)
                elif "noteref" in classes:
                    target = attrs_d.get("target") or attrs_d.get("data-target") or ""
                    out.append(ir.NoteRef(note_id=target, marker=_plain(kids)))
                elif "note-back" in classes:
                    continue
                elif set(classes) & {"para-num", "label"}:
                    out.append(ir.Span(children=self.inlines(kids), classes=tuple(classes)))
                else:
                    lang = attrs_d.pop("lang", None)
                    out.append(ir.Span(children=self.inlines(kids), lang=lang, classes=tuple(classes),
                                       attrs=tuple(attrs_d.items())))
            elif t == "Note":
                marker = str(len(self.notes) + 1)
                note_id = f"fn-{marker}"
                self.notes.append(ir.Note(id=note_id, marker=marker, blocks=_lstrip_first(self.blocks(c))))
                out.append(ir.NoteRef(note_id=note_id, marker=marker))
            elif t == "Quoted":
                q = "“”" if c[0]["t"] == "DoubleQuote" else "‘’"
                out.extend((ir.Text(text=q[0]), *self.inlines(c[1]), ir.Text(text=q[1])))
            elif t == "Cite":
                out.extend(self.cite(c))
            elif t in ("Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
                kids_ir = self.inlines(c)
                if t == "Superscript" and kids_ir and all(isinstance(k, ir.NoteRef) for k in kids_ir):
                    out.extend(kids_ir)  # a note call's superscript is the call's own presentation
                else:
                    out.append(ir.Span(children=kids_ir, classes=(t.lower(),)))
            elif t == "Image":
                out.append(self.image(c))
            elif t == "RawInline" and c[0] == "html" and _WRAPPER_TAG.fullmatch(c[1]):
                continue  # a presentational wrapper (<cite>, <time>…): its text is read on its own
            elif t == "RawInline":
                self.report(f"raw {c[0]} inline")
                out.append(ir.Span(children=(ir.Text(text=c[1]),), classes=("raw", c[0])))
            else:
                self.report(f"pandoc inline {t}")
        return _normalise(out)

    # ------------------------------------------------------------------ blocks
    def blocks(self, nodes: list[dict[str, Any]]) -> tuple[ir.Block, ...]:
        self.depth += 1
        if self.depth > self.options.max_depth:
            raise LimitError(f"blocks nested more than {self.options.max_depth} deep", file=self.name,
                             expected="a shallower document or a higher --max-depth")
        out: list[ir.Block] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if node.get("t") == "RawBlock" and node["c"][0] == "html" and self.fmt in RAW_HTML_FORMATS:
                html_blocks_out, i = self.raw_html_blocks(nodes, i)
                out.extend(html_blocks_out)
                continue
            style = self._custom_style(node)
            if style == "Box Title":
                title = self._inner_para(node)
                body: list[ir.Block] = []
                i += 1
                while i < len(nodes) and self._custom_style(nodes[i]) == "Box Text":
                    body.extend(self.blocks(nodes[i]["c"][1]))
                    i += 1
                out.append(ir.Box(title=title, blocks=tuple(body)))
                continue
            if self.fmt in ("docx", "odt") and is_toc_entry(node):
                # a table of contents the word processor made: stale page numbers and links; ours replace it
                if not self.toc_dropped and out and isinstance(out[-1], ir.Para | ir.Heading) \
                        and contents_title(_text(out[-1].children)):
                    out.pop()
                self.toc_dropped += 1
                i += 1
                continue
            produced: list[ir.Block] = list(self.block(node))
            if self.pending and produced and isinstance(produced[0], ir.Para | ir.Heading):
                # the anchors of a paragraph that held nothing else (an EPUB file's start) name this block
                produced[0] = dataclasses.replace(produced[0], children=(*self.pending, *produced[0].children))
                self.pending = []
            if (len(produced) == 1 and isinstance(produced[0], ir.Figure) and not produced[0].caption
                    and i + 1 < len(nodes) and (self._custom_style(nodes[i + 1]) or "").lower() in CAPTION_STYLES):
                label, cap = caption_label(self._inner_para(nodes[i + 1]))
                produced = [dataclasses.replace(produced[0], caption=cap, label=label)]
                self.diag.emit("caption-found", f"a figure caption: {label or _text(cap)[:30]}")
                i += 1
            out.extend(produced)
            i += 1
        self.depth -= 1
        return tuple(out)

    def _slots(self, pieces: list[Any]) -> Slots:
        def blocks(k: int) -> tuple[ir.Block, ...]:
            return self.blocks([pieces[k]]) if isinstance(pieces[k], dict) else ()

        def inlines(k: int) -> tuple[ir.Inline, ...]:
            piece = pieces[k]
            if isinstance(piece, list):
                return self.inlines(piece)
            if piece.get("t") in ("Para", "Plain"):
                return self.inlines(piece["c"])
            return text_inlines(_text(tuple(ir.Text(text=block_text((b,))) for b in self.blocks([piece]))), {})

        return Slots(blocks=blocks, inlines=inlines, picture=self.picture, diag=self.diag,
                     max_depth=self.options.max_depth, counts=self.html_counts)

    def raw_html_blocks(self, nodes: list[dict[str, Any]], i: int) -> tuple[list[ir.Block], int]:
        """An HTML element pandoc gave in pieces (from ``nodes[i]`` until it is closed) as IR blocks."""
        first = nodes[i]["c"][1]
        if is_comment(first):
            self.html_counts["comments"] += 1
            return [], i + 1
        stack = open_tags(first, [])
        html = [first]
        pieces: list[Any] = []
        j = i + 1
        while stack and j < len(nodes) and j - i < MAX_GROUP:
            node = nodes[j]
            if node.get("t") == "RawBlock" and node["c"][0] == "html":
                html.append(node["c"][1])
                open_tags(node["c"][1], stack)
            else:
                while stack and stack[-1] in INLINE_ONLY and node.get("t") not in ("Plain", "Para"):
                    stack.pop()  # a <p> ends where a block starts (as an HTML parser closes it)
                if not stack:
                    break
                html.append(slot(len(pieces)))
                pieces.append(node)
            j += 1
        return html_blocks("".join(html), self._slots(pieces)), j

    def raw_html_inlines(self, nodes: list[dict[str, Any]]) -> tuple[ir.Inline, ...]:
        """Inline HTML among Markdown inlines: the tags parsed, the Markdown between them kept as it is."""
        html: list[str] = []
        pieces: list[Any] = []
        run: list[dict[str, Any]] = []
        for node in nodes:
            if node.get("t") == "RawInline" and node["c"][0] == "html":
                if run:
                    html.append(slot(len(pieces)))
                    pieces.append(run)
                    run = []
                html.append(node["c"][1])
            else:
                run.append(node)
        if run:
            html.append(slot(len(pieces)))
            pieces.append(run)
        return _normalise(html_inlines("".join(html), self._slots(pieces)))

    @staticmethod
    def _custom_style(node: dict[str, Any]) -> str | None:
        if node.get("t") != "Div":
            return None
        return dict(node["c"][0][2]).get("custom-style")

    def _inner_para(self, node: dict[str, Any]) -> tuple[ir.Inline, ...]:
        kids = node["c"][1]
        inl: list[ir.Inline] = []
        for k in kids:
            if k.get("t") in ("Para", "Plain"):
                inl.extend(self.inlines(k["c"]))
        return _normalise(inl)

    def para(self, inlines: tuple[ir.Inline, ...], style: str | None = None) -> ir.Para:
        """A paragraph, with its number taken from a para-num span, a numbered style or a leading ``N.``."""
        number = None
        kids: list[ir.Inline] = list(inlines)
        if kids and isinstance(kids[0], ir.Span) and "para-num" in kids[0].classes:
            number = _text(kids[0].children).strip().rstrip(".")
            kids = kids[1:]
            if kids and isinstance(kids[0], ir.Text):
                kids[0] = ir.Text(text=kids[0].text.lstrip(" \t"))
        elif (style in (None, "Normal", "Body Text", "Numbered Paragraph") and kids and isinstance(kids[0], ir.Text)
              and (m := NUMBERED.match(kids[0].text))):
            number = m.group(1)
            kids[0] = ir.Text(text=kids[0].text[m.end():].lstrip("\t "))
        elif style == "Numbered Paragraph" and kids and isinstance(kids[0], ir.Text):
            m = re.match(r"^(\d{1,4})\.\s*", kids[0].text)
            if m:
                number = m.group(1)
                kids[0] = ir.Text(text=kids[0].text[m.end():])
        return ir.Para(children=_normalise(kids), number=number)

    def block(self, node: dict[str, Any], style: str | None = None) -> list[ir.Block]:
        """One pandoc block as IR blocks (none, one or several); ``style`` is the Word style around it."""
        t, c = _tc(node)
        if t in ("Para", "Plain"):
            return self.para_block(self.inlines(c), style)
        if t == "Header":
            return [self.heading(c)]
        if t == "Div":
            return self.div(c)
        if t in ("BulletList", "OrderedList"):
            ordered = t == "OrderedList"
            items = c[1] if ordered else c
            start = c[0][0] if ordered else 1
            if not items:
                return []  # an empty <ul></ul> (a web page's menu): no list without items (TEI needs one)
            return [ir.ListBlock(items=tuple(ir.ListItem(blocks=self.blocks(item)) for item in items),
                                 ordered=ordered, start=start)]
        if t == "BlockQuote":
            return [ir.BlockQuote(blocks=self.blocks(c))]
        if t == "CodeBlock":
            (_, classes, _), text = c
            return [ir.CodeBlock(text=text, language=classes[0] if classes else None)]
        if t == "LineBlock":
            lines: list[ir.Inline] = []
            for line in c:
                if lines:
                    lines.append(ir.LineBreak())
                lines.extend(self.inlines(line))
            return [ir.Para(children=_normalise(lines))]
        if t == "Table":
            return self.table(c)
        if t == "Figure":
            return self.figure(c)
        if t == "HorizontalRule":
            return [ir.Div(blocks=(), classes=("rule",))]
        if t == "DefinitionList":
            terms = []
            for term, defs in c:
                terms.append(ir.ListItem(blocks=(ir.Para(children=(ir.Strong(children=self.inlines(term)),)),
                                                 *[b for d in defs for b in self.blocks(d)])))
            return [ir.ListBlock(items=tuple(terms))]
        if t == "RawBlock":
            fmt, text = c
            if fmt == "html" and re.fullmatch(r"\s*</?(footer|section|nav|aside|div)[^>]*>\s*", text):
                return [ir.Div(blocks=(), classes=("raw-marker",), attrs=(("html", text.strip()),))]
            self.report(f"raw {fmt} block")
            return [ir.CodeBlock(text=text, language=f"raw-{fmt}")]
        self.report(f"pandoc block {t}")
        return []

    def para_block(self, content: tuple[ir.Inline, ...], style: str | None) -> list[ir.Block]:
        """A pandoc Para or Plain: a figure (pictures alone), a caption (a caption style), nothing (only anchors,
        which name the next block, or only a line break) or a paragraph."""
        pictures = [n for n in content if isinstance(n, ir.Image)]
        if pictures and all(isinstance(n, ir.Image) or (isinstance(n, ir.Text) and not n.text.strip())
                            for n in content) and (style or "").lower() not in CAPTION_STYLES:
            return [ir.Figure(images=tuple(pictures))]  # a picture standing alone is a figure
        if (style or "").lower() in CAPTION_STYLES and content:
            # its label ("Figure 1", a SEQ field's result) stays in its text: readers/captions.py takes it off when
            # the caption joins the figure or table beside it; a caption that stands alone shows it (Tika's test
            # file lost "Figure 1" in every format when it was kept only as an attribute)
            return [ir.Div(blocks=(ir.Para(children=content),), classes=("caption",))]
        if content and all(isinstance(n, ir.Span) and "anchor" in n.classes and not n.children for n in content):
            self.pending.extend(content)  # only link targets: they name the next paragraph or heading
            return []
        if all(isinstance(n, ir.LineBreak) or (isinstance(n, ir.Text) and not n.text.strip()) for n in content):
            return []  # a paragraph that is only a line break (an HTML <br> between paragraphs) is spacing
        return [self.para(content, style)]

    def heading(self, c: list[Any]) -> ir.Heading:
        """A pandoc Header: its label (an attribute, a label span or a leading ``第一章``) apart from its text; an id
        a link may not keep (Word's, or not a plain ASCII name) becomes an anchor inside it."""
        level, (hid, _classes, attrs), kids = c
        label, inl = _heading_label(dict(attrs).get("label"), list(self.inlines(kids)))
        if inl and isinstance(inl[0], ir.Text):
            inl[0] = ir.Text(text=inl[0].text.lstrip(" \u3000"))
        own_id = _unprefix(hid, self.shared)
        if self.fmt in ("docx", "odt") or not re.fullmatch(r"[\w.-]+", own_id or "-") or not own_id.isascii():
            if own_id:  # links may name it: an anchor the ids transform maps to the heading's own id
                inl.insert(0, ir.Span(children=(), classes=("anchor",), attrs=(("id", own_id),)))
            own_id = ""
        return ir.Heading(level=level, children=_normalise(inl), label=label, id=own_id or None)

    def div(self, c: list[Any]) -> list[ir.Block]:
        """A pandoc Div: a Word style's content, a note body, the rights, a box, a section's blocks, or a Div."""
        (did, classes, attrs), kids = c
        did = _unprefix(did, self.shared)  # pandoc's EPUB reader prefixes ids with the file name
        attrs_d = dict(attrs)
        cstyle = attrs_d.get("custom-style")
        if cstyle in TITLE_STYLES:
            return []
        if cstyle == "Rights":
            self.rights.extend(b for k in kids for b in self.block(k, cstyle))
            return []
        if cstyle:
            return [b for k in kids for b in self.block(k, cstyle)]
        if ("dp-footnote" in classes or "footnote" in classes) and did:
            self.note_bodies[did] = self.blocks(kids)
            return []
        if "rights" in classes:
            self.rights.extend(self.blocks(kids))
            return []
        kinds = [k for k in classes if k.lower() in BOX_KINDS or k.lower().startswith("callout")]
        if "box" in classes or (kinds and self.fmt in RAW_HTML_FORMATS):
            return [self.box(did, "box" in classes, kinds, attrs_d, kids)]
        if "titlepage" in classes:
            return []
        if "box-title" in classes:
            return [ir.Div(blocks=self.blocks(kids), classes=("box-title",))]
        if did == "refs" and self.fmt == "markdown":  # where Quarto and pandoc put the bibliography (cite.py)
            return [ir.Div(blocks=self.blocks(kids), classes=(REFERENCES,), id=did)]
        if set(classes) & {"section", "footnotes", "dp-footnotes"} or "dp-section" in attrs_d \
                or "data-dp-section" in attrs_d or (not classes and not attrs):
            inner = list(self.blocks(kids))
            level = next((int(c[5:]) for c in classes if re.fullmatch(r"level\d", c)), None)
            if level and inner and isinstance(inner[0], ir.Heading):
                # our HTML numbers h1–h6 by nesting; the section's class keeps the source's level
                inner[0] = dataclasses.replace(inner[0], level=level)
            return _unwrapped(inner, did)
        lang = attrs_d.pop("lang", None)
        content = self.blocks(kids)
        if self.fmt in ("html", "epub") and lang is None and not kinds \
                and attrs_d.get("role", "region") in WRAPPER_ROLES and any(isinstance(b, ir.Heading) for b in content):
            return _unwrapped(list(content), did)
        return [ir.Div(blocks=content, classes=tuple(classes), attrs=tuple(attrs_d.items()),
                       lang=lang, id=did or None)]

    def cite(self, c: list[Any]) -> tuple[ir.Inline, ...]:
        """A citation (``[@key, p. 3]``): as written, in a ``citation`` span naming its keys; from Markdown, with
        pandoc's own form of it kept for :mod:`.cite`, which formats it from the document's bibliography."""
        citations, kids = c
        ids = [str(x.get("citationId", "")) for x in citations if isinstance(x, dict)]
        if ids and all(QUARTO_XREF.match(i) for i in ids):
            return self.inlines(kids)  # ``@sec-intro``: a cross-reference, as written (book/assembly.py links it)
        keys = " ".join(ids)
        attrs: tuple[tuple[str, str], ...] = (("data-cites", keys),)
        if self.fmt == "markdown":
            attrs += ((CITATION_ATTR, json.dumps(citations, ensure_ascii=False, separators=(",", ":"))),)
        return (ir.Span(children=self.inlines(kids), classes=("citation",), attrs=attrs),)

    def box(self, did: str, boxed: bool, kinds: list[str], attrs: dict[str, str],
            kids: list[dict[str, Any]]) -> ir.Box:
        """A box from a ``box`` Div (``boxed``) or an admonition or callout (``kinds``). Its title: a ``title``
        attribute, else a callout's first heading or its kind's name in the document's language, else a box's
        ``box-title`` Div or first paragraph. (A callout's ``collapse`` is for a screen: a page shows it open.)"""
        title_attr = attrs.get("title")
        inner = list(self.blocks(kids))
        if title_attr is not None:
            title: tuple[ir.Inline, ...] = text_inlines(title_attr, {})
        elif not boxed and inner and isinstance(inner[0], ir.Heading):
            heading = inner.pop(0)  # Quarto's callouts: the title is the first heading
            assert isinstance(heading, ir.Heading)
            title = heading.children
        elif not boxed:
            title = (ir.Text(text=callout_title(kinds[0], self.lang)),)
        elif inner and isinstance(inner[0], ir.Div) and "box-title" in inner[0].classes:
            first_div = inner.pop(0)
            assert isinstance(first_div, ir.Div)
            title = next((b.children for b in first_div.blocks if isinstance(b, ir.Para)), ())
        elif inner and isinstance(inner[0], ir.Para):
            first = inner.pop(0)
            assert isinstance(first, ir.Para)
            title = first.children
        else:
            title = ()
        return ir.Box(title=title, blocks=tuple(inner), lang=attrs.get("lang"), id=did or None)

    def figure(self, c: list[Any]) -> list[ir.Block]:
        """A pandoc Figure: a figure of its pictures, or a ``figure`` Div when it holds more than pictures; then
        what its caption holds besides text (:meth:`caption`)."""
        (fid, _, _), caption, content = c
        fig_inner = self.blocks(content)
        cap, moved = self.caption(caption)
        label, cap_inl = caption_label(cap)
        images = [i for b in fig_inner if isinstance(b, ir.Figure) for i in b.images]
        if images and all(isinstance(b, ir.Figure) for b in fig_inner):
            return [ir.Figure(images=tuple(images), caption=cap_inl, label=label, id=fid or None), *moved]
        self.report("a figure holding more than pictures")
        return [ir.Div(blocks=(*fig_inner, ir.Para(children=cap_inl)), classes=("figure",), id=fid or None),
                *moved]

    def table(self, c: list[Any]) -> list[ir.Block]:
        (tid, _, _), caption, _specs, head, bodies, foot = c
        rows: list[tuple[ir.Cell, ...]] = []

        def add(row_list: list[Any], header: bool, row_heads: int = 0) -> None:
            below: dict[int, int] = {}  # column -> rows still covered by a cell spanning down from above
            for row in row_list:
                cells, col = [], 0
                for cell in row[1]:
                    while below.get(col, 0) > 0:
                        col += 1
                    (_, _, _), _align, rowspan, colspan, blocks = cell
                    # the body's first row_heads columns are row headers (HTML <th scope="row">)
                    cells.append(ir.Cell(blocks=self.blocks(blocks), colspan=colspan, rowspan=rowspan,
                                         header=header or col < row_heads))
                    for k in range(col, col + colspan):
                        below[k] = max(below.get(k, 0), rowspan)
                    col += colspan
                below = {k: n - 1 for k, n in below.items() if n > 1}
                rows.append(tuple(cells))

        add(head[1], True)
        head_rows = len(rows)
        for body in bodies:
            add(body[2], True)
            add(body[3], False, body[1] if isinstance(body[1], int) else 0)
        add(foot[1], False)
        cap, moved = self.caption(caption)
        label, cap_inl = caption_label(cap)
        widths = tuple(float(s[1]["c"]) if isinstance(s[1], dict) and s[1].get("t") == "ColWidth" else 0.0
                       for s in _specs)
        aligns = tuple(_ALIGNS.get(s[0].get("t", "") if isinstance(s[0], dict) else "", "") for s in _specs)
        anchor = self.anchors.pop() if self.anchors else None
        anchor = anchor or _unprefix(tid, self.shared) or None  # pandoc's caption id (``: Cap. {#tbl-x}``)
        return [ir.Table(rows=tuple(rows), caption=cap_inl, head_rows=head_rows, label=label,
                         widths=widths if any(widths) else (), aligns=aligns if any(aligns) else (), id=anchor),
                *moved]

    def caption(self, caption: list[Any]) -> tuple[tuple[ir.Inline, ...], tuple[ir.Block, ...]]:
        """A pandoc caption's text — its paragraphs, also inside Word's caption-style divs, as one line — and its
        other blocks (an HTML ``<figcaption>`` or ``<caption>`` may hold headings, tables, lists, a ``<details>``
        description), which the figure or table is followed by, in their order (a caption is one line in every
        output). A Div of paragraphs only is text; a box or a Div with an id (a description that
        ``aria-describedby`` names) keeps its blocks."""
        def textual(b: dict[str, Any]) -> bool:
            if b.get("t") in ("Para", "Plain"):
                return True
            if b.get("t") != "Div":
                return False
            (did, classes, _), kids = b["c"]
            return not did and "box" not in classes and all(textual(k) for k in kids)

        def paras(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for b in blocks:
                if b.get("t") in ("Para", "Plain"):
                    out.extend([{"t": "Space"}, *b["c"]] if out else b["c"])  # two paragraphs: two sentences
                elif b.get("t") == "Div":
                    inner = paras(b["c"][1])
                    out.extend([{"t": "Space"}, *inner] if out and inner else inner)
            return out
        text = [b for b in caption[1] if textual(b)]
        rest = [b for b in caption[1] if not textual(b)]
        moved = self.blocks(rest) if rest else ()
        if moved:
            self.caption_moved[0] += 1
            self.caption_moved[1] += len(moved)
        raw = paras(text)
        # Word's bookmark on a caption (the target of "see Table 1") names the table
        while raw and raw[0].get("t") == "Span" and "anchor" in raw[0]["c"][0][1] and not raw[0]["c"][1]:
            if raw[0]["c"][0][0]:
                self.anchors.append(raw[0]["c"][0][0])
            raw = raw[1:]
        return self.inlines(raw), moved


_FILE_PREFIX = re.compile(r"^([^#/]+?\.(?:xhtml|html|htm))_(.+)$", re.IGNORECASE)


def _heading_label(label: str | None, inl: list[ir.Inline]) -> tuple[str | None, list[ir.Inline]]:
    """A heading's label and the rest of its text: ``label`` (its attribute) if given, else a leading label span,
    else a label such as ``第一章`` or ``A.`` off the start of its text."""
    if label is None and inl and isinstance(inl[0], ir.Span) and "label" in inl[0].classes:
        label = _text(inl[0].children)
        inl = inl[1:]
    if label is None and inl and isinstance(inl[0], ir.Text):
        full = _text(tuple(inl)).strip()
        hk = heading_kind(full)
        lead = inl[0].text.lstrip()
        cut = len(full) - len(hk[2]) if hk and full.endswith(hk[2]) else -1
        if hk and 0 <= cut <= len(lead):
            # the label off the first text; what follows it (an equation, emphasis, a link) stays
            label = hk[1]
            inl[0] = ir.Text(text=lead[cut:])
        elif hk and all(isinstance(n, ir.Text) for n in inl):
            label = hk[1]
            inl = [ir.Text(text=hk[2])]
    return label, inl


def _unprefix(name: str, shared: frozenset[str] = frozenset()) -> str:
    """An id without the file name pandoc's EPUB reader puts in front (``chapter-2.xhtml_note-1`` → ``note-1``),
    unless several files of the book use it (``shared``): then the file's stem stays in front
    (``chapter-2-note-1``), so that a link reaches the element of the file it names."""
    m = _FILE_PREFIX.match(name)
    if not m:
        return name
    if m.group(2) in shared:
        return f"{m.group(1).rsplit('.', 1)[0]}-{m.group(2)}"
    return m.group(2)


def _local_target(target: str, shared: frozenset[str] = frozenset()) -> str:
    """A link into the book as ``#id``: ``#chapter-2.xhtml_note-1`` (pandoc's EPUB reader) and
    ``chapter-2.xhtml#note-1`` become ``#note-1`` (``shared``: see :func:`_unprefix`); ``#chapter-2.xhtml`` (a
    whole file) stays."""
    if target.startswith(("http:", "https:", "mailto:")):
        return target
    if target.startswith("#"):
        return "#" + _unprefix(target[1:], shared)
    m = re.match(r"^(?:[^#:]*/)?([^#:/]+?\.(?:xhtml|html|htm))#(.+)$", target, re.IGNORECASE)
    return "#" + _unprefix(f"{m.group(1)}_{m.group(2)}", shared) if m else target


def _shared_ids(node: Any) -> frozenset[str]:
    """The ids that pandoc's EPUB reader found in more than one file of the book (``a.xhtml_s1``, ``b.xhtml_s1``):
    each file's own ``s1`` must stay apart from the others'."""
    files: dict[str, set[str]] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, list):
            if len(n) == 3 and isinstance(n[0], str) and isinstance(n[1], list) and isinstance(n[2], list):
                m = _FILE_PREFIX.match(n[0])  # an Attr: (id, classes, key-values)
                if m:
                    files.setdefault(m.group(2), set()).add(m.group(1))
            stack.extend(n)
    return frozenset(i for i, where in files.items() if len(where) > 1)


def _named(blocks: list[ir.Block], name: str) -> list[ir.Block]:
    """The blocks of an unwrapped section or div that links name ``name``: the name an anchor in its first heading
    or paragraph (the ids transform makes it that block's id, or a second name of it), else the id of its first
    table, figure, box or div that has none, else the blocks in a Div of that id (none when there are none)."""
    if not blocks:
        return blocks
    first = blocks[0]
    anchor = ir.Span(children=(), classes=("anchor",), attrs=(("id", name),))
    if isinstance(first, ir.Heading | ir.Para):
        return [dataclasses.replace(first, children=(anchor, *first.children)), *blocks[1:]]
    if isinstance(first, ir.Table | ir.Figure | ir.Box | ir.Div) and not first.id \
            and not (isinstance(first, ir.Div) and "raw-marker" in first.classes):
        return [dataclasses.replace(first, id=name), *blocks[1:]]
    return [ir.Div(blocks=tuple(blocks), id=name)]


def _unwrapped(blocks: list[ir.Block], name: str) -> list[ir.Block]:
    """The blocks of an HTML wrapper that holds headings (a W3C specification's ``<div class="ready-for-review">``,
    a page's ``<div id="content">``; not a note, example or other aside, :data:`BOX_KINDS`): such a ``div`` means
    nothing docpipe keeps but its class, and kept it would make its headings a floating text's, outside the
    document's sections (TEI ``floatingText``, no ``div/head``). Its id names its first block, or a Div of the
    blocks before its first heading."""
    named = _named(blocks, name) if name else blocks
    cut = next((i for i, b in enumerate(blocks) if isinstance(b, ir.Heading)), None)
    if name and cut and len(named) == 1 and isinstance(named[0], ir.Div) and named[0].blocks == tuple(blocks):
        return [*_named(blocks[:cut], name), *blocks[cut:]]
    return named


def _lstrip_first(blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
    """A note's text starts after the marker's separating space."""
    if blocks and isinstance(blocks[0], ir.Para) and blocks[0].children and isinstance(blocks[0].children[0], ir.Text):
        first = blocks[0].children[0]
        para = dataclasses.replace(blocks[0], children=(ir.Text(text=first.text.lstrip()), *blocks[0].children[1:]))
        return (para, *blocks[1:])
    return blocks


def _text(inlines: tuple[ir.Inline, ...]) -> str:
    from ...walk import plain
    return plain(inlines)


def _normalise(nodes: list[ir.Inline]) -> tuple[ir.Inline, ...]:
    """Merge adjacent text, then find book titles 《…》 in it (as the report reader does)."""
    merged: list[ir.Inline] = []
    for n in nodes:
        if isinstance(n, ir.Text) and merged and isinstance(merged[-1], ir.Text):
            merged[-1] = ir.Text(text=merged[-1].text + n.text)
        elif not (isinstance(n, ir.Text) and n.text == ""):
            merged.append(n)
    out: list[ir.Inline] = []
    for n in merged:
        if isinstance(n, ir.Text) and "《" in n.text:
            out.extend(text_inlines(n.text, {}))
        else:
            out.append(n)
    return tuple(out)


def _rights_and_body(blocks: list[ir.Block]) -> tuple[list[ir.Block], list[ir.Block]]:
    """Split our own HTML/EPUB's ``<footer class="rights">`` (a pair of raw markers) from the body."""
    body: list[ir.Block] = []
    rights: list[ir.Block] = []
    inside = False
    for b in blocks:
        if isinstance(b, ir.Div) and "raw-marker" in b.classes:
            html = dict(b.attrs).get("html", "")
            if html.startswith("<footer"):
                inside = True
            elif html.startswith("</footer"):
                inside = False
            continue
        (rights if inside else body).append(b)
    return body, rights


def _metadata(meta: dict[str, Any], conv: _Converter, name: str) -> tuple[ir.Metadata, tuple[ir.Block, ...]]:
    m = {k: _meta_value(v) for k, v in meta.items()}

    def text(key: str) -> str | None:
        """The value of ``key`` as text; None when it has none or only white space (calibre writes
        ``<dc:title> </dc:title>`` for an untitled book: an empty title the EPUB's nav and head refuse)."""
        v = m.get(key)
        if isinstance(v, list):
            v = v[0] if v else None
        if isinstance(v, dict) and "blocks" in v:
            v = "\n".join(_plain(b.get("c", [])) for b in v["blocks"] if b.get("t") in ("Para", "Plain"))
        return str(v) if v is not None and str(v).strip() else None

    def texts(key: str) -> tuple[str, ...]:
        v = m.get(key)
        if v is None:
            return ()
        values = v if isinstance(v, list) else [v]
        found = (str(x if not isinstance(x, dict) else text(key) or "") for x in values)
        return tuple(x for x in found if x.strip())

    rights: tuple[ir.Block, ...] = ()
    r = meta.get("rights")
    if r is not None:
        if r.get("t") == "MetaBlocks":
            rights = conv.blocks(r["c"])
        elif r.get("t") == "MetaInlines":
            rights = (ir.Para(children=conv.inlines(r["c"])),)
        elif r.get("t") == "MetaString":
            rights = (ir.Para(children=(ir.Text(text=r["c"]),)),)
    extra = m.get("extra")
    known = {"title", "subtitle", "author", "date", "place", "symbol", "session", "publisher", "lang", "rights",
             "source", "edition-notes", "series", "extra", "creator", "language", "identifier", "description"}
    extras = [(k, str(v)) for k, v in (extra.items() if isinstance(extra, dict) else [])]
    extras += [(k, text(k) or "") for k in m if k not in known and isinstance(m[k], str | list)]
    authors = texts("author") or texts("creator")
    meta_ir = ir.Metadata(
        title=text("title"), subtitle=text("subtitle"), authors=authors, date=text("date"),
        place=text("place"), symbol=text("symbol"), session=text("session"), publisher=text("publisher"),
        language=text("lang") or text("language"), rights=rights, source=text("source") or name.rsplit("/", 1)[-1],
        edition_notes=texts("edition-notes"), series=texts("series"), extra=tuple(extras),
    )
    return meta_ir, rights


def _link_notes(blocks: tuple[ir.Block, ...], conv: _Converter) -> tuple[ir.Block, ...]:
    """HTML notes: a ``span.noteref`` placeholder and an ``aside.footnote`` body become NoteRef and Note."""

    numbering: dict[str, str] = {}

    def inl(nodes: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
        out: list[ir.Inline] = []
        for n in nodes:
            if isinstance(n, ir.NoteRef) and n.note_id in conv.note_bodies:
                if n.note_id not in numbering:
                    numbering[n.note_id] = n.marker or str(len(numbering) + 1)
                    conv.notes.append(ir.Note(id=n.note_id, marker=numbering[n.note_id],
                                              blocks=conv.note_bodies[n.note_id]))
                out.append(ir.NoteRef(note_id=n.note_id, marker=numbering[n.note_id]))
            elif isinstance(n, ir.Emph | ir.Strong | ir.Link | ir.Span | ir.BookTitle):
                out.append(dataclasses.replace(n, children=inl(n.children)))
            else:
                out.append(n)
        return tuple(out)

    def blk(bs: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in bs:
            if isinstance(b, ir.Para | ir.Heading):
                b = dataclasses.replace(b, children=inl(b.children))
            elif isinstance(b, ir.Box):
                b = dataclasses.replace(b, title=inl(b.title), blocks=blk(b.blocks))
            elif isinstance(b, ir.Div | ir.BlockQuote):
                b = dataclasses.replace(b, blocks=blk(b.blocks))
            elif isinstance(b, ir.ListBlock):
                b = dataclasses.replace(b, items=tuple(dataclasses.replace(i, blocks=blk(i.blocks)) for i in b.items))
            elif isinstance(b, ir.Table):
                b = dataclasses.replace(b, caption=inl(b.caption), rows=tuple(
                    tuple(dataclasses.replace(c, blocks=blk(c.blocks)) for c in row) for row in b.rows))
            elif isinstance(b, ir.Figure):
                b = dataclasses.replace(b, caption=inl(b.caption))
            out.append(b)
        return tuple(out)

    return blk(blocks)


def convert(ast: dict[str, Any], options: Options, diag: Diagnostics, name: str, fmt: str,
             archive: bytes | None = None) -> ir.Document:
    conv = _Converter(options, diag, name, fmt, zipfile.ZipFile(BytesIO(archive)) if archive else None)
    if fmt == "epub":
        conv.shared = _shared_ids(ast.get("blocks", []))
    declared = _meta_value(ast["meta"]["lang"]) if isinstance(ast.get("meta", {}).get("lang"), dict) else None
    conv.lang = options.lang or (declared if isinstance(declared, str) else None)
    blocks = list(conv.blocks(ast.get("blocks", [])))
    body, footer = _rights_and_body(blocks)
    footer = footer or conv.rights
    if conv.note_bodies:
        body = list(_link_notes(tuple(body), conv))
    meta, rights = _metadata(ast.get("meta", {}), conv, name)
    counts = conv.html_counts
    if conv.toc_dropped:
        diag.emit("stale-toc-dropped", f"the source's table of contents ({conv.toc_dropped} entries) dropped: "
                  "every output makes its own")
    if conv.caption_moved[0]:
        diag.emit("caption-blocks-moved", f"{conv.caption_moved[1]} block(s) (headings, tables, lists, "
                  f"descriptions) of {conv.caption_moved[0]} caption(s) moved after their figure or table, in "
                  "order: a caption is one line of text")
    if counts["elements"]:
        diag.emit("raw-html-parsed", f"{counts['elements']} raw HTML element(s) read into the document")
    if counts["comments"]:
        diag.emit("html-comment-dropped", f"{counts['comments']} HTML comment(s) dropped")
    if counts["dropped"]:
        diag.emit("ignored-element", f"{counts['dropped']} HTML element(s) without text content dropped "
                  "(script, style, iframe, forms, embedded objects)")
    if footer and not rights:
        meta = dataclasses.replace(meta, rights=tuple(footer))
    return ir.Document(metadata=meta, blocks=tuple(body), notes=tuple(conv.notes), media=conv.media.media())
