"""Generic traversals of the IR: map every text node, iterate blocks, collect plain text."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from . import ir

#: Called with a text and the language in force there (None if unknown); returns the new text.
TextFn = Callable[[str, str | None], str]


def map_inlines(inlines: tuple[ir.Inline, ...], fn: TextFn, lang: str | None) -> tuple[ir.Inline, ...]:
    """Apply ``fn`` to every Text inside ``inlines``; Code and link targets are left alone."""
    out: list[ir.Inline] = []
    for node in inlines:
        match node:
            case ir.Text(text=t):
                out.append(retext(node, fn(t, lang)))
            case ir.Span(children=c, lang=sub):
                out.append(dataclasses.replace(node, children=map_inlines(c, fn, sub or lang)))
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.BookTitle(children=c):
                out.append(dataclasses.replace(node, children=map_inlines(c, fn, lang)))
            case ir.Image(alt=a):
                out.append(dataclasses.replace(node, alt=map_inlines(a, fn, lang)))
            case ir.Choice(readings=rs) if rs:
                # only the reading shown is the edition's text; the others stay as the witnesses wrote them
                first = dataclasses.replace(rs[0], children=map_inlines(rs[0].children, fn, lang))
                out.append(dataclasses.replace(node, readings=(first, *rs[1:])))
            case _:
                out.append(node)
    return tuple(out)


def retext(node: ir.Text, new: str) -> ir.Text:
    """``node`` with text ``new``, remembering the source's text in ``orig`` the first time it changes."""
    if new == node.text:
        return node
    orig = node.orig if node.orig is not None else node.text
    return ir.Text(text=new, orig=None if orig == new else orig)


InlineMap = Callable[[tuple[ir.Inline, ...], str | None], tuple[ir.Inline, ...]]


def _walk_blocks(blocks: tuple[ir.Block, ...], on: InlineMap, lang: str | None) -> tuple[ir.Block, ...]:
    """Apply ``on`` to every inline sequence in ``blocks`` (with the language in force); CodeBlocks untouched."""
    out: list[ir.Block] = []
    for b in blocks:
        match b:
            case ir.Heading() | ir.Para():
                out.append(dataclasses.replace(b, children=on(b.children, b.lang or lang)))
            case ir.Box():
                sub = b.lang or lang
                out.append(dataclasses.replace(b, title=on(b.title, sub), blocks=_walk_blocks(b.blocks, on, sub)))
            case ir.ListBlock():
                items = tuple(dataclasses.replace(i, blocks=_walk_blocks(i.blocks, on, lang)) for i in b.items)
                out.append(dataclasses.replace(b, items=items))
            case ir.BlockQuote() | ir.Div():
                out.append(dataclasses.replace(b, blocks=_walk_blocks(b.blocks, on, b.lang or lang)))
            case ir.Table():
                rows = tuple(tuple(dataclasses.replace(c, blocks=_walk_blocks(c.blocks, on, lang)) for c in row)
                             for row in b.rows)
                out.append(dataclasses.replace(b, rows=rows, caption=on(b.caption, lang)))
            case ir.Figure():
                images = tuple(dataclasses.replace(i, alt=on(i.alt, lang)) for i in b.images)
                out.append(dataclasses.replace(b, images=images, caption=on(b.caption, lang)))
            case ir.CodeBlock():
                out.append(b)
    return tuple(out)


def map_blocks(blocks: tuple[ir.Block, ...], fn: TextFn, lang: str | None) -> tuple[ir.Block, ...]:
    """Apply ``fn`` to every Text in ``blocks`` (CodeBlock and Image sources are left alone)."""
    return _walk_blocks(blocks, lambda inl, lg: map_inlines(inl, fn, lg), lang)


def map_text(doc: ir.Document, fn: TextFn, *, metadata: bool = True) -> ir.Document:
    """A new document with ``fn`` applied to every text node: body, boxes, notes and (optionally) metadata."""
    lang = doc.metadata.language
    meta = doc.metadata
    if metadata:
        def one(s: str | None) -> str | None:
            return None if s is None else fn(s, lang)
        meta = dataclasses.replace(
            meta, title=one(meta.title), subtitle=one(meta.subtitle),
            authors=tuple(fn(a, lang) for a in meta.authors), place=one(meta.place),
            session=one(meta.session), publisher=one(meta.publisher),
            rights=map_blocks(meta.rights, fn, lang),
            edition_notes=tuple(fn(n, lang) for n in meta.edition_notes),
            series=tuple(fn(s, lang) for s in meta.series),
        )
    notes = tuple(dataclasses.replace(n, blocks=map_blocks(n.blocks, fn, n.lang or lang)) for n in doc.notes)
    return dataclasses.replace(doc, metadata=meta, blocks=map_blocks(doc.blocks, fn, lang), notes=notes)


def iter_blocks(blocks: tuple[ir.Block, ...]) -> Iterator[ir.Block]:
    """Every block, depth first, containers before their contents."""
    for b in blocks:
        yield b
        match b:
            case ir.Box() | ir.BlockQuote() | ir.Div():
                yield from iter_blocks(b.blocks)
            case ir.ListBlock():
                for item in b.items:
                    yield from iter_blocks(item.blocks)
            case ir.Table():
                for row in b.rows:
                    for cell in row:
                        yield from iter_blocks(cell.blocks)
            case _:
                pass


def iter_inlines(inlines: tuple[ir.Inline, ...]) -> Iterator[ir.Inline]:
    """Every inline, depth first (containers before their children, every reading of a choice)."""
    for n in inlines:
        yield n
        match n:
            case ir.Emph() | ir.Strong() | ir.Link() | ir.Span() | ir.BookTitle():
                yield from iter_inlines(n.children)
            case ir.Image():
                yield from iter_inlines(n.alt)
            case ir.Choice():
                for r in n.readings:
                    yield from iter_inlines(r.children)
            case _:
                pass


def block_inlines(b: ir.Block) -> Iterator[tuple[ir.Inline, ...]]:
    """The inline sequences held directly by a block (not those of its child blocks)."""
    match b:
        case ir.Heading() | ir.Para():
            yield b.children
        case ir.Box():
            yield b.title
        case ir.Table():
            yield b.caption
        case ir.Figure():
            yield b.images
            yield b.caption
        case _:
            pass


def iter_inlines_all(doc: ir.Document) -> Iterator[ir.Inline]:
    """Every inline of the document: body, notes and rights."""
    for blocks in (doc.blocks, *(n.blocks for n in doc.notes), doc.metadata.rights):
        for b in iter_blocks(blocks):
            for seq in block_inlines(b):
                yield from iter_inlines(seq)


def plain(inlines: tuple[ir.Inline, ...]) -> str:
    """The text of ``inlines`` as a reader sees it (book-title marks included, note calls as ``[marker]``)."""
    parts: list[str] = []
    for node in inlines:
        match node:
            case ir.Text(text=t) | ir.Code(text=t):
                parts.append(t)
            case ir.BookTitle(children=c, open=o, close=cl):
                parts.append(o + plain(c) + cl)
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.Span(children=c):
                parts.append(plain(c))
            case ir.NoteRef(marker=m):
                parts.append(f"[{m}]")
            case ir.LineBreak():
                parts.append("\n")
            case ir.Math(tex=t):
                parts.append(t)
            case ir.Choice(readings=rs) if rs:
                parts.append(plain(rs[0].children))
            case _:
                pass  # images and source milestones have no text of their own
    return "".join(parts)


def block_text(blocks: tuple[ir.Block, ...]) -> str:
    """All text of ``blocks``, one line per paragraph-like block."""
    lines: list[str] = []
    for b in iter_blocks(blocks):
        match b:
            case ir.Heading() | ir.Para():
                lines.append(plain(b.children))
            case ir.Box():
                lines.append(plain(b.title))
            case ir.CodeBlock():
                lines.append(b.text)
            case ir.Table() | ir.Figure():
                if b.caption:
                    lines.append(plain(b.caption))
            case _:
                pass
    return "\n".join(lines)


#: Called with a text, the character before it and after it in the same block ('' at an edge), and the
#: language in force; returns the new text.
CtxFn = Callable[[str, str, str, str | None], str]


def _flatten(nodes: tuple[ir.Inline, ...], out: list[str]) -> None:
    for n in nodes:
        match n:
            case ir.Text(text=t) | ir.Code(text=t):
                out.append(t)
            case ir.BookTitle(children=c, open=o, close=cl):
                out.append(o)
                _flatten(c, out)
                out.append(cl)
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.Span(children=c):
                _flatten(c, out)
            case ir.Choice(readings=rs) if rs:
                _flatten(rs[0].children, out)
            case _:
                out.append("")  # note calls, breaks, milestones, images, equations: one empty slot


def map_inlines_ctx(inlines: tuple[ir.Inline, ...], fn: CtxFn, lang: str | None) -> tuple[ir.Inline, ...]:
    """Like :func:`map_inlines`, but ``fn`` also sees the neighbouring characters across inline boundaries
    (a book title's marks count as characters; note calls are transparent)."""
    flat: list[str] = []
    _flatten(inlines, flat)
    if not any(flat):
        return inlines
    befores: list[str] = []
    last = ""
    for s in flat:
        befores.append(last)
        if s:
            last = s[-1]
    afters: list[str] = [""] * len(flat)
    nxt = ""
    for i in range(len(flat) - 1, -1, -1):
        afters[i] = nxt
        if flat[i]:
            nxt = flat[i][0]
    counter = iter(range(len(flat)))

    def rebuild(nodes: tuple[ir.Inline, ...], cur: str | None) -> tuple[ir.Inline, ...]:
        out: list[ir.Inline] = []
        for n in nodes:
            match n:
                case ir.Text(text=t):
                    i = next(counter)
                    out.append(retext(n, fn(t, befores[i], afters[i], cur)))
                case ir.Code():
                    next(counter)
                    out.append(n)
                case ir.Choice(readings=rs) if rs:
                    first = dataclasses.replace(rs[0], children=rebuild(rs[0].children, cur))
                    out.append(dataclasses.replace(n, readings=(first, *rs[1:])))
                case ir.BookTitle(children=c):
                    next(counter)
                    kids = rebuild(c, cur)
                    next(counter)
                    out.append(dataclasses.replace(n, children=kids))
                case ir.Span(children=c, lang=sub):
                    out.append(dataclasses.replace(n, children=rebuild(c, sub or cur)))
                case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c):
                    out.append(dataclasses.replace(n, children=rebuild(c, cur)))
                case _:
                    next(counter)
                    out.append(n)
        return tuple(out)

    return rebuild(inlines, lang)


def map_text_ctx(doc: ir.Document, fn: CtxFn) -> ir.Document:
    """:func:`map_text` with neighbouring characters: every inline sequence is one context."""
    def on(inl: tuple[ir.Inline, ...], lang: str | None) -> tuple[ir.Inline, ...]:
        return map_inlines_ctx(inl, fn, lang)

    lang = doc.metadata.language
    meta = map_text(dataclasses.replace(doc, blocks=(), notes=()), lambda t, lg: fn(t, "", "", lg)).metadata
    meta = dataclasses.replace(meta, rights=_walk_blocks(doc.metadata.rights, on, lang))
    notes = tuple(dataclasses.replace(n, blocks=_walk_blocks(n.blocks, on, n.lang or lang)) for n in doc.notes)
    return dataclasses.replace(doc, metadata=meta, blocks=_walk_blocks(doc.blocks, on, lang), notes=notes)
