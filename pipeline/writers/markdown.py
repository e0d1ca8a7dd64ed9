"""Pandoc Markdown from the IR, for editors: read back by :mod:`pipeline.readers.pandoc` to the same structure.

Conventions: a YAML block holds the metadata (the rights as Markdown); headings carry their id and label,
``# 導言 {#h-1 label="第一章"}``; numbered paragraphs start with ``[12]{.para-num}``; boxes are fenced divs
``::: {.box #box-1 title="…" lang="zh-Hans"}``; notes are ``[^1]`` with their text after the block;
ordered lists use ``1)`` so a report's ``12.`` paragraphs are never taken for a list.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import assert_never

from .. import ir
from ..diagnostics import Diagnostics
from ..guard import file_link_target
from ..mathrender import texmath_safe
from ..options import Options
from ..tables import ALIGNS
from ..walk import plain, shown_reading

_ESCAPE = re.compile(r"([\\`*_\[\]{}<>#|~^$@])")


def _esc(text: str) -> str:
    out = _ESCAPE.sub(r"\\\1", text)
    return out.replace("\n", " ")


#: What YAML takes for a line break though JSON does not (U+2028, U+2029): escaped in a quoted value, a space in
#: a block (a raw one in the rights block ended the block mid-line: pandoc refused the file, make fuzz seed 34).
_YAML_BREAKS = re.compile("[\u2028\u2029]")


def _q(value: str) -> str:
    return _YAML_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def _qa(value: str) -> str:
    """An attribute value (``{key="value"}``): quoted, with ``&``, ``<`` and ``>`` as entities, which pandoc decodes
    there; where pandoc does not take the braces for attributes (a fuzzed ``place="foot<script>"`` in a note),
    their text holds no tag (make fuzz seed 37)."""
    return _q(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _meta(value: str) -> str:
    """A metadata value: pandoc reads YAML strings as Markdown, so the text is escaped as Markdown, then quoted."""
    return _q(_esc(value))


_BACKTICKS = re.compile(r"`+")


def code_span(text: str) -> str:
    """Inline code fenced by one backtick more than the longest run inside it, so no content closes it."""
    text = text.replace("\n", " ")
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_fence(text: str) -> str:
    """A code block's fence: longer than any run of backticks at the start of one of its lines."""
    longest = max((len(m.group(1)) for m in re.finditer(r"^[ \t]*(`{3,})", text, re.M)), default=2)
    return "`" * max(3, longest + 1)


def destination(url: str) -> str:
    """A link destination in ``<…>``: spaces, parentheses and quotes cannot end it, ``<``/``>``/``\\`` escaped."""
    url = re.sub(r"[\x00-\x1f\x7f]", "", url)
    return "<" + re.sub(r"([\\<>])", r"\\\1", url) + ">"


def link_title(title: str) -> str:
    """A link title in double quotes, its quotes and backslashes escaped, on one line."""
    return '"' + re.sub(r'([\\"])', r"\\\1", re.sub(r"[\x00-\x1f\x7f]", " ", title)) + '"'


def math(tex: str, display: bool) -> str:
    """TeX between dollars that no content can close early: bare ``$`` escaped, no edge spaces or newline in
    inline math, a trailing backslash kept from escaping the closing dollar; ``<`` and ``>`` as ``\\lt`` and
    ``\\gt``."""
    # no HTML tag can form from it even where a neighbour keeps pandoc from reading the dollars as math (make fuzz,
    # seed 34: a superscript ``^…^`` that took the opening dollar left ``<script>`` as raw HTML)
    tex = re.sub(r"(?<!\\)((?:\\\\)*)([<>])", lambda m: m.group(1) + ("\\lt " if m.group(2) == "<" else "\\gt "),
                 tex)
    tex = re.sub(r"(?<!\\)((?:\\\\)*)\$", r"\1\\$", tex).strip()
    if not tex:
        return ""
    if not display:
        tex = re.sub(r"\s+", " ", tex)
    if not texmath_safe(tex):  # two sub- or superscripts in a row: no TeX, and pandoc's reader takes minutes on it
        return code_span(tex) + "{.tex}"
    if (len(tex) - len(tex.rstrip("\\"))) % 2:
        tex += " {}"
    return f"$${tex}$$" if display else f"${tex}$"


#: Attribute names a span or div keeps in Markdown: the vocabularies docpipe reads (TEI, pandoc) whose values
#: are inert in HTML. Anything else — event handlers, ``href``, ``src``, ``style``, ``srcdoc`` — is not written.
SAFE_ATTRS = frozenset({
    "n", "type", "subtype", "rend", "rendition", "resp", "cert", "wit", "hand", "reason", "agent", "unit", "ed",
    "break", "place", "note", "label", "lang", "dir", "title", "role", "width", "height", "extent", "quantity",
    "from", "to", "when", "notbefore", "notafter", "key", "ref", "target", "corresp", "facs", "source", "sameas",
    "ana", "synch", "next", "prev", "evidence", "instant", "status", "level", "scheme", "anchored", "part",
    "sample", "org", "ident", "value", "html", "number", "id", "name", "format", "kind", "who", "seq", "rows",
    "cols", "columns", "marker", "style-name", "custom-style",
})
_ATTR_NAME = re.compile(r"[A-Za-z][\w-]*")


def attr_allowed(name: str) -> bool:
    """Whether a span or div attribute is written: a name from :data:`SAFE_ATTRS` or ``data-…``."""
    return bool(_ATTR_NAME.fullmatch(name)) and (name.lower() in SAFE_ATTRS or name.lower().startswith("data-"))


_IDENT = re.compile(r"[\w][\w:.-]*")
_CLASS = re.compile(r"[\w-]+")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced editor: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


class _Writer:
    def __init__(self, doc: ir.Document, diag: Diagnostics, options: Options | None = None) -> None:
        self.doc = doc
        self.diag = diag
        self.notes = {n.id: n for n in doc.notes}
        self.used: list[ir.Note] = []
        self.number: dict[str, int] = {}  # note id -> its number in order of first call (a dict: linear)
        self.media = {m.name: m for m in doc.media}
        name = options.output_name if options else None
        self.media_dir = f"{name}.media" if name else "media"
        self.reported: set[str] = set()

    def image(self, img: ir.Image, alt: str | None = None, ident: str | None = None) -> str:
        if not img.media or img.media not in self.media:
            self.diag.emit("media-placeholder", f"a picture that was not read ({img.source or 'no source'}) "
                           "is written as its description")
            return f"\\[{_esc(plain(img.alt) or img.source or 'picture')}\\]"
        attrs = self.ident(ident)
        attrs += [f"{k}={_qa(v)}" for k, v in (("width", img.width), ("height", img.height)) if v]
        title = f" {link_title(img.title)}" if img.title else ""
        tail = f"{{{' '.join(attrs)}}}" if attrs else ""
        dest = destination(f"{self.media_dir}/{img.media}")
        return f"![{alt if alt is not None else self.inlines(img.alt)}]({dest}{title}){tail}"

    def inlines(self, nodes: tuple[ir.Inline, ...]) -> str:
        out: list[str] = []
        for i, n in enumerate(nodes):
            match n:
                case ir.Text(text=t):
                    text = _esc(t)
                    if i and isinstance(nodes[i - 1], ir.Math) and text[:1].isdigit():
                        # a dollar followed by a digit does not close math: the digit as a character reference
                        text = f"&#{ord(text[0])};{text[1:]}"
                    out.append(text)
                case ir.Emph(children=c):
                    out.append(f"*{self.inlines(c)}*")
                case ir.Strong(children=c):
                    out.append(f"**{self.inlines(c)}**")
                case ir.Code(text=t):
                    out.append(code_span(t))
                case ir.Link(children=c, target=target, title=title):
                    t = f" {link_title(title)}" if title else ""
                    out.append(f"[{self.inlines(c)}]({destination(target)}{t})")
                case ir.Span(children=c) if file_link_target(n) is not None:
                    out.append(f"[{self.inlines(c)}]({destination(file_link_target(n) or '')})")  # another file
                case ir.Span(children=c, lang=lang, classes=classes, attrs=attrs):
                    parts = [f".{x}" for x in classes if _CLASS.fullmatch(x)]
                    if lang:
                        parts.append(f"lang={_qa(lang)}")
                    parts += self.attrs(attrs)
                    out.append(f"[{self.inlines(c)}]{{{' '.join(parts)}}}")
                case ir.BookTitle(children=c, open=o, close=cl):
                    out.append(f"{_esc(o)}{self.inlines(c)}{_esc(cl)}")
                case ir.NoteRef(note_id=note_id, marker=marker):
                    note = self.notes.get(note_id)
                    if note is not None and note_id not in self.number:
                        self.used.append(note)
                        self.number[note_id] = len(self.used)
                    out.append(f"[^{self.number[note_id]}]" if note is not None else f"\\[\\^{_esc(marker)}\\]")
                case ir.LineBreak():
                    out.append("\\\n")
                case ir.Image():
                    out.append(self.image(n))
                case ir.Math(tex=tex, display=display):
                    out.append(math(tex, display))
                case ir.Milestone(unit=unit, n=num):
                    cls = f" .{unit}" if _CLASS.fullmatch(unit) else ""
                    out.append(f"[]{{.milestone{cls}" + (f" n={_qa(num)}" if num else "") + "}")
                case ir.Choice(readings=rs):
                    if len(rs) > 1 and "choice" not in self.reported:
                        self.reported.add("choice")
                        self.diag.emit("writer-dropped", "Markdown keeps the reading shown of apparatus and "
                                       "choice entries, not the other readings")
                    out.append(self.inlines(shown_reading(n)))
                case _:
                    assert_never(n)
        return "".join(out)

    def attrs(self, attrs: tuple[tuple[str, str], ...]) -> list[str]:
        """``key="value"`` for the attributes :func:`attr_allowed` keeps; the others reported once."""
        out = []
        for k, v in attrs:
            if attr_allowed(k):
                out.append(f"{k}={_qa(v)}")
            elif "attr" not in self.reported:
                self.reported.add("attr")
                self.diag.emit("writer-dropped", f"Markdown writes only inert span and div attributes; {k!r} and "
                               "any like it are not written")
        return out

    def ident(self, ident: str | None) -> list[str]:
        """``#id`` when the id can stand in an attribute block (the id transform makes every id so)."""
        return [f"#{ident}"] if ident and _IDENT.fullmatch(ident) else []

    def block(self, b: ir.Block) -> str:
        match b:
            case ir.Heading():
                attrs = self.ident(b.id)
                if b.label is not None:
                    attrs.append(f"label={_qa(b.label)}")
                if b.lang:
                    attrs.append(f"lang={_qa(b.lang)}")
                tail = f" {{{' '.join(attrs)}}}" if attrs else ""
                return f"{'#' * min(max(b.level, 1), 6)} {self.inlines(b.children)}{tail}"
            case ir.Para():
                text = self.inlines(b.children)
                if b.number is not None:
                    text = f"[{_esc(str(b.number))}]{{.para-num}} {text}"
                elif re.match(r"^\d{1,4}\.\s", plain(b.children)):
                    text = re.sub(r"^(\d+)\.", r"\1\\.", text)
                if b.lang:
                    return f"::: {{lang={_qa(b.lang)}}}\n{text}\n:::"
                return text or "\\"
            case ir.Box():
                attrs = [".box", *self.ident(b.id)]
                attrs.append(f"title={_qa(plain(b.title))}")
                if b.lang:
                    attrs.append(f"lang={_qa(b.lang)}")
                inner = "\n\n".join(self.block(x) for x in b.blocks)
                return f"::: {{{' '.join(attrs)}}}\n{inner}\n:::"
            case ir.ListBlock():
                items = []
                for i, item in enumerate(b.items):
                    marker = f"{b.start + i})" if b.ordered else "-"
                    body = "\n\n".join(self.block(x) for x in item.blocks) or "\\"
                    pad = " " * (len(marker) + 1)
                    items.append(marker + " " + body.replace("\n", "\n" + pad))
                return "\n".join(items)
            case ir.BlockQuote():
                inner = "\n\n".join(self.block(x) for x in b.blocks)
                return "\n".join("> " + ln if ln else ">" for ln in inner.split("\n"))
            case ir.Table():
                return self.table(b)
            case ir.Figure():
                cap = ((f"{_esc(b.label)} " if b.label else "") + self.inlines(b.caption)).strip()
                if len(b.images) == 1:
                    # an image alone in a paragraph is a figure for pandoc; its alt is the caption
                    return self.image(b.images[0], alt=cap or self.inlines(b.images[0].alt), ident=b.id)
                fig_attrs = " ".join([*self.ident(b.id), ".figure"])
                inner = "\n\n".join(self.image(i) for i in b.images)
                return f"::: {{{fig_attrs}}}\n{inner}\n\n{cap}\n:::"
            case ir.CodeBlock():
                fence = code_fence(b.text)
                lang = b.language if b.language and _CLASS.fullmatch(b.language) else ""
                return f"{fence}{lang}\n{b.text}\n{fence}"
            case ir.Div():
                attrs = [*self.ident(b.id), *(f".{c}" for c in b.classes if _CLASS.fullmatch(c))]
                if b.lang:
                    attrs.append(f"lang={_qa(b.lang)}")
                attrs += self.attrs(b.attrs)
                inner = "\n\n".join(self.block(x) for x in b.blocks)
                return f"::: {{{' '.join(attrs) or '.div'}}}\n{inner}\n:::"
            case _:
                assert_never(b)

    def table(self, t: ir.Table) -> str:
        """A grid table (cells may hold several blocks); spans are written flat with a diagnostic."""
        if any(c.colspan > 1 or c.rowspan > 1 for row in t.rows for c in row):
            self.diag.emit("writer-dropped", "Markdown tables cannot span cells; spans written as single cells")
        width = max((len(r) for r in t.rows), default=1)
        texts = [[" ".join(self.block(x) for x in c.blocks).replace("\n", " ") for c in row] + [""] *
                 (width - len(row)) for row in t.rows]
        widths = [max(3, *(display_width(r[i]) for r in texts)) for i in range(width)] if texts else [3]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        top, head_line = line, line.replace("-", "=")
        if any(a in ALIGNS for a in t.aligns):  # colons on the line under the header (the top one without)
            marked = "+" + "+".join((":" if a in ("left", "center") else rule) + rule * w
                                    + (":" if a in ("right", "center") else rule)
                                    for w, a, rule in zip(widths, [*t.aligns, *[""] * width][:width],
                                                          ["=" if t.head_rows else "-"] * width, strict=True)) + "+"
            if t.head_rows:
                head_line = marked
            else:
                top = marked
        out = [top]
        for i, row in enumerate(texts):
            out.append("| " + " | ".join(cell + " " * (w - display_width(cell))
                                         for cell, w in zip(row, widths, strict=True)) + " |")
            out.append(head_line if i + 1 == t.head_rows else line)
        if t.caption or t.label:
            out.append("")
            out.append(": " + ((f"{_esc(t.label)} " if t.label else "") + self.inlines(t.caption)).strip())
        return "\n".join(out)

    def front(self) -> str:
        m = self.doc.metadata
        lines = ["---"]
        for key, value in (("title", m.title), ("subtitle", m.subtitle), ("date", m.date), ("place", m.place),
                           ("symbol", m.symbol), ("session", m.session), ("publisher", m.publisher),
                           ("lang", m.language), ("source", m.source)):
            if value is not None:
                lines.append(f"{key}: {_meta(value)}")
        for key, values in (("author", m.authors), ("edition-notes", m.edition_notes), ("series", m.series)):
            if values:
                lines.append(f"{key}:")
                lines.extend(f"  - {_meta(v)}" for v in values)
        if m.extra:
            lines.append("extra:")
            lines.extend(f"  {_q(k)}: {_meta(v)}" for k, v in m.extra)
        if m.rights:
            lines.append("rights: |")
            inner = _Writer(ir.Document(metadata=ir.Metadata(), blocks=m.rights), self.diag)
            body = "\n\n".join(inner.block(b) for b in m.rights)
            lines.extend("  " + ln if ln else "" for ln in _YAML_BREAKS.sub(" ", body).split("\n"))
        lines.append("---")
        return "\n".join(lines)

    def write(self) -> str:
        parts = [self.front()]
        parts += [self.block(b) for b in self.doc.blocks]
        notes = []
        for i, note in enumerate(self.used, 1):
            body = "\n\n".join(self.block(b) for b in note.blocks)
            # a body that opens with a fenced block (a note's div, code) starts on the line after the label: on
            # the label's line its fence is no fence, and its attributes text
            lead = "\n    " if body.startswith((":::", "```", "~~~")) else " "
            notes.append(f"[^{i}]:{lead}" + body.replace("\n", "\n    "))
        for note in self.doc.notes:
            if note.id not in self.number:
                self.diag.emit("writer-dropped", f"note {note.marker} is never called; not written")
        parts += notes
        return "\n\n".join(parts) + "\n"


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """Markdown for ``doc``."""
    return _Writer(doc, diag, options).write().encode("utf-8")
