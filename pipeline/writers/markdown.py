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
from ..options import Options
from ..walk import plain

_ESCAPE = re.compile(r"([\\`*_\[\]{}<>#|~^$@])")


def _esc(text: str) -> str:
    out = _ESCAPE.sub(r"\\\1", text)
    return out.replace("\n", " ")


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


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
        self.media = {m.name: m for m in doc.media}
        name = options.output_name if options else None
        self.media_dir = f"{name}.media" if name else "media"
        self.reported: set[str] = set()

    def image(self, img: ir.Image, alt: str | None = None, ident: str | None = None) -> str:
        if not img.media or img.media not in self.media:
            self.diag.emit("media-placeholder", f"a picture that was not read ({img.source or 'no source'}) "
                           "is written as its description")
            return f"\\[{_esc(plain(img.alt) or img.source or 'picture')}\\]"
        attrs = [f"#{ident}"] if ident else []
        attrs += [f"{k}={_q(v)}" for k, v in (("width", img.width), ("height", img.height)) if v]
        title = f" {_q(img.title)}" if img.title else ""
        tail = f"{{{' '.join(attrs)}}}" if attrs else ""
        return f"![{alt if alt is not None else self.inlines(img.alt)}]({self.media_dir}/{img.media}{title}){tail}"

    def inlines(self, nodes: tuple[ir.Inline, ...]) -> str:
        out: list[str] = []
        for n in nodes:
            match n:
                case ir.Text(text=t):
                    out.append(_esc(t))
                case ir.Emph(children=c):
                    out.append(f"*{self.inlines(c)}*")
                case ir.Strong(children=c):
                    out.append(f"**{self.inlines(c)}**")
                case ir.Code(text=t):
                    fence = "``" if "`" in t else "`"
                    out.append(f"{fence}{t}{fence}")
                case ir.Link(children=c, target=target, title=title):
                    t = f' "{title}"' if title else ""
                    out.append(f"[{self.inlines(c)}]({target}{t})")
                case ir.Span(children=c, lang=lang, classes=classes, attrs=attrs):
                    parts = [f".{x}" for x in classes if re.fullmatch(r"[\w-]+", x)]
                    if lang:
                        parts.append(f"lang={_q(lang)}")
                    parts += [f"{k}={_q(v)}" for k, v in attrs if re.fullmatch(r"[\w-]+", k)]
                    out.append(f"[{self.inlines(c)}]{{{' '.join(parts)}}}")
                case ir.BookTitle(children=c, open=o, close=cl):
                    out.append(f"{_esc(o)}{self.inlines(c)}{_esc(cl)}")
                case ir.NoteRef(note_id=note_id, marker=marker):
                    note = self.notes.get(note_id)
                    if note is not None and note not in self.used:
                        self.used.append(note)
                    out.append(f"[^{len(self.used) if note is not None else marker}]")
                case ir.LineBreak():
                    out.append("\\\n")
                case ir.Image():
                    out.append(self.image(n))
                case ir.Math(tex=tex, display=display):
                    out.append(f"$${tex}$$" if display else f"${tex}$")
                case ir.Milestone(unit=unit, n=num):
                    out.append(f"[]{{.milestone .{unit}" + (f" n={_q(num)}" if num else "") + "}")
                case ir.Choice(readings=rs):
                    if len(rs) > 1 and "choice" not in self.reported:
                        self.reported.add("choice")
                        self.diag.emit("writer-dropped", "Markdown keeps the reading shown of apparatus and "
                                       "choice entries, not the other readings")
                    if rs:
                        out.append(self.inlines(rs[0].children))
                case _:
                    assert_never(n)
        return "".join(out)

    def block(self, b: ir.Block) -> str:
        match b:
            case ir.Heading():
                attrs = []
                if b.id:
                    attrs.append(f"#{b.id}")
                if b.label is not None:
                    attrs.append(f"label={_q(b.label)}")
                if b.lang:
                    attrs.append(f"lang={_q(b.lang)}")
                tail = f" {{{' '.join(attrs)}}}" if attrs else ""
                return f"{'#' * min(b.level, 6)} {self.inlines(b.children)}{tail}"
            case ir.Para():
                text = self.inlines(b.children)
                if b.number is not None:
                    text = f"[{b.number}]{{.para-num}} {text}"
                elif re.match(r"^\d{1,4}\.\s", plain(b.children)):
                    text = re.sub(r"^(\d+)\.", r"\1\\.", text)
                if b.lang:
                    return f"::: {{lang={_q(b.lang)}}}\n{text}\n:::"
                return text or "\\"
            case ir.Box():
                attrs = [".box"]
                if b.id:
                    attrs.append(f"#{b.id}")
                attrs.append(f"title={_q(plain(b.title))}")
                if b.lang:
                    attrs.append(f"lang={_q(b.lang)}")
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
                fig_attrs = (f"#{b.id} " if b.id else "") + ".figure"
                inner = "\n\n".join(self.image(i) for i in b.images)
                return f"::: {{{fig_attrs}}}\n{inner}\n\n{cap}\n:::"
            case ir.CodeBlock():
                fence = "````" if "```" in b.text else "```"
                return f"{fence}{b.language or ''}\n{b.text}\n{fence}"
            case ir.Div():
                attrs = [f".{c}" for c in b.classes if re.fullmatch(r"[\w-]+", c)]
                if b.id:
                    attrs.insert(0, f"#{b.id}")
                if b.lang:
                    attrs.append(f"lang={_q(b.lang)}")
                attrs += [f"{k}={_q(v)}" for k, v in b.attrs if re.fullmatch(r"[\w-]+", k)]
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
        head_line = line.replace("-", "=")
        out = [line]
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
                lines.append(f"{key}: {_q(value)}")
        for key, values in (("author", m.authors), ("edition-notes", m.edition_notes), ("series", m.series)):
            if values:
                lines.append(f"{key}:")
                lines.extend(f"  - {_q(v)}" for v in values)
        if m.extra:
            lines.append("extra:")
            lines.extend(f"  {_q(k)}: {_q(v)}" for k, v in m.extra)
        if m.rights:
            lines.append("rights: |")
            inner = _Writer(ir.Document(metadata=ir.Metadata(), blocks=m.rights), self.diag)
            body = "\n\n".join(inner.block(b) for b in m.rights)
            lines.extend("  " + ln if ln else "" for ln in body.split("\n"))
        lines.append("---")
        return "\n".join(lines)

    def write(self) -> str:
        parts = [self.front()]
        parts += [self.block(b) for b in self.doc.blocks]
        notes = []
        for i, note in enumerate(self.used, 1):
            body = "\n\n".join(self.block(b) for b in note.blocks)
            notes.append(f"[^{i}]: " + body.replace("\n", "\n    "))
        for note in self.doc.notes:
            if note not in self.used:
                self.diag.emit("writer-dropped", f"note {note.marker} is never called; not written")
        parts += notes
        return "\n\n".join(parts) + "\n"


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """Markdown for ``doc``."""
    return _Writer(doc, diag, options).write().encode("utf-8")
