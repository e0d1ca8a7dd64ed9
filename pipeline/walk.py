"""Generic traversals of the IR: the parts of a block, rewriting blocks, mapping text, iterating, plain text.

Every walker here matches every node class and ends in ``assert_never``: a node class added to :mod:`pipeline.ir`
is a type error here until each walker says what it does with it, instead of being skipped by every transform.
What a block holds is defined once, by :func:`map_parts` (rebuilding) and :func:`parts` (reading) side by side:
its inline sequences and its child block sequences, each with the language in force there, in one order (a box's
title before its blocks, a table's cells before its caption, a figure's image descriptions before its caption).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, assert_never

from . import ir

T = TypeVar("T")

#: Called with a text and the language in force there (None if unknown); returns the new text.
TextFn = Callable[[str, str | None], str]
#: Called with an inline sequence and the language in force there; returns the new sequence.
InlineMap = Callable[[tuple[ir.Inline, ...], str | None], tuple[ir.Inline, ...]]
#: Called with a block sequence and the language in force there; returns the new sequence.
BlocksMap = Callable[[tuple[ir.Block, ...], str | None], tuple[ir.Block, ...]]
#: Called with a block (its children already rewritten) and the language in force around it; returns its
#: replacement.
BlockFn = Callable[[ir.Block, str | None], ir.Block]


def map_parts(b: ir.Block, on_inlines: InlineMap, on_blocks: BlocksMap, lang: str | None) -> ir.Block:
    """``b`` with each inline sequence it holds directly replaced by ``on_inlines(seq, lang there)`` and each child
    block sequence by ``on_blocks(seq, lang there)``, in the order of :func:`parts`; a CodeBlock is returned as
    it is (its text is verbatim). A block none of whose sequences changed (each returned as the very tuple it
    was given) is returned itself, not copied: a transform that touches a few paragraphs of a book copies those."""
    match b:
        case ir.Heading() | ir.Para():
            children = on_inlines(b.children, b.lang or lang)
            return b if children is b.children else dataclasses.replace(b, children=children)
        case ir.Box():
            sub = b.lang or lang
            title, blocks = on_inlines(b.title, sub), on_blocks(b.blocks, sub)
            if title is b.title and blocks is b.blocks:
                return b
            return dataclasses.replace(b, title=title, blocks=blocks)
        case ir.ListBlock():
            # plain loops, not generator expressions: each of those is one more frame per level of nesting
            items: list[ir.ListItem] = []
            for item in b.items:
                blocks = on_blocks(item.blocks, lang)
                items.append(item if blocks is item.blocks else dataclasses.replace(item, blocks=blocks))
            return b if _same_nodes(items, b.items) else dataclasses.replace(b, items=tuple(items))
        case ir.BlockQuote() | ir.Div():
            blocks = on_blocks(b.blocks, b.lang or lang)
            return b if blocks is b.blocks else dataclasses.replace(b, blocks=blocks)
        case ir.Table():
            rows: list[tuple[ir.Cell, ...]] = []
            for row in b.rows:
                cells: list[ir.Cell] = []
                for cell in row:
                    blocks = on_blocks(cell.blocks, lang)
                    cells.append(cell if blocks is cell.blocks else dataclasses.replace(cell, blocks=blocks))
                rows.append(row if _same_nodes(cells, row) else tuple(cells))
            caption = on_inlines(b.caption, lang)
            if caption is b.caption and _same_nodes(rows, b.rows):
                return b
            return dataclasses.replace(b, rows=tuple(rows), caption=caption)
        case ir.Figure():
            images: list[ir.Image] = []
            for image in b.images:
                alt = on_inlines(image.alt, lang)
                images.append(image if alt is image.alt else dataclasses.replace(image, alt=alt))
            caption = on_inlines(b.caption, lang)
            if caption is b.caption and _same_nodes(images, b.images):
                return b
            return dataclasses.replace(b, images=tuple(images), caption=caption)
        case ir.CodeBlock():
            return b
        case _:
            assert_never(b)


def _same_nodes(new: list[Any], old: tuple[Any, ...]) -> bool:
    """Whether ``new`` holds the very objects of ``old``, in order (nothing was rewritten)."""
    return len(new) == len(old) and all(a is b for a, b in zip(new, old, strict=True))


def kept(new: list[T], old: tuple[T, ...]) -> tuple[T, ...]:
    """``old`` itself when ``new`` holds its very objects (so the caller sees nothing changed), else ``new``."""
    return old if _same_nodes(new, old) else tuple(new)


@dataclass(frozen=True, slots=True)
class InlinePart:
    """An inline sequence a block holds: its place below the block (``.title``, ``.images[0].alt``, ``""`` for a
    paragraph's own text) and the language in force there."""

    path: str
    lang: str | None
    inlines: tuple[ir.Inline, ...]


@dataclass(frozen=True, slots=True)
class BlocksPart:
    """A child block sequence a block holds: its place below the block (``.blocks``, ``.rows[1][2].blocks``) and
    the language in force there."""

    path: str
    lang: str | None
    blocks: tuple[ir.Block, ...]


def parts(b: ir.Block, lang: str | None) -> Iterator[InlinePart | BlocksPart]:
    """What :func:`map_parts` maps, in the same order, with its place: for queries that need no rebuilding."""
    match b:
        case ir.Heading() | ir.Para():
            yield InlinePart("", b.lang or lang, b.children)
        case ir.Box():
            yield InlinePart(".title", b.lang or lang, b.title)
            yield BlocksPart(".blocks", b.lang or lang, b.blocks)
        case ir.ListBlock():
            for j, item in enumerate(b.items):
                yield BlocksPart(f".items[{j}].blocks", lang, item.blocks)
        case ir.BlockQuote() | ir.Div():
            yield BlocksPart(".blocks", b.lang or lang, b.blocks)
        case ir.Table():
            for r, row in enumerate(b.rows):
                for c, cell in enumerate(row):
                    yield BlocksPart(f".rows[{r}][{c}].blocks", lang, cell.blocks)
            yield InlinePart(".caption", lang, b.caption)
        case ir.Figure():
            for j, image in enumerate(b.images):
                yield InlinePart(f".images[{j}].alt", lang, image.alt)
            yield InlinePart(".caption", lang, b.caption)
        case ir.CodeBlock():
            pass
        case _:
            assert_never(b)


def _same(inlines: tuple[ir.Inline, ...], lang: str | None) -> tuple[ir.Inline, ...]:
    return inlines


def rewrite_blocks(blocks: tuple[ir.Block, ...], fn: BlockFn, lang: str | None = None, *,
                   top_down: bool = False) -> tuple[ir.Block, ...]:
    """Every block of ``blocks``, at any depth, replaced by ``fn(block, language in force around it)``.

    Bottom up by default (like pandoc's ``walk``): ``fn`` sees a block whose child blocks are already rewritten.
    ``top_down``: ``fn`` sees each block first, and the child blocks of what it returns are rewritten after it,
    in the language it gave them (for a rule that decides a container before its contents). Note bodies and the
    rights statement are block sequences of their own: rewrite them with their own language.
    """
    def inner(bs: tuple[ir.Block, ...], lg: str | None) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in bs:
            out.append(map_parts(fn(b, lg), _same, inner, lg) if top_down else fn(map_parts(b, _same, inner, lg), lg))
        return kept(out, bs)

    return inner(blocks, lang)


def map_block_inlines(blocks: tuple[ir.Block, ...], on: InlineMap, lang: str | None) -> tuple[ir.Block, ...]:
    """Apply ``on`` to every inline sequence in ``blocks`` at any depth (with the language in force there);
    CodeBlocks untouched."""
    def inner(bs: tuple[ir.Block, ...], lg: str | None) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in bs:
            out.append(map_parts(b, on, inner, lg))
        return kept(out, bs)

    return inner(blocks, lang)



def map_inlines(inlines: tuple[ir.Inline, ...], fn: TextFn, lang: str | None) -> tuple[ir.Inline, ...]:
    """Apply ``fn`` to every Text inside ``inlines``; Code, link targets and every reading of a choice but the
    one shown are left alone. Returns ``inlines`` itself when no text changed."""
    out: list[ir.Inline] = []
    for node in inlines:
        match node:
            case ir.Text(text=t):
                out.append(retext(node, fn(t, lang)))
            case ir.Span(children=c, lang=sub):
                kids = map_inlines(c, fn, sub or lang)
                out.append(node if kids is c else dataclasses.replace(node, children=kids))
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.BookTitle(children=c):
                kids = map_inlines(c, fn, lang)
                out.append(node if kids is c else dataclasses.replace(node, children=kids))
            case ir.Image(alt=a):
                alt = map_inlines(a, fn, lang)
                out.append(node if alt is a else dataclasses.replace(node, alt=alt))
            case ir.Choice(readings=rs) if rs:
                # only the reading shown is the edition's text; the others stay as the witnesses wrote them
                out.append(with_shown(node, map_inlines(shown_reading(node), fn, lang)))
            case ir.Choice() | ir.Code() | ir.NoteRef() | ir.LineBreak() | ir.Math() | ir.Milestone():
                out.append(node)
            case _:
                assert_never(node)
    return kept(out, inlines)


def retext(node: ir.Text, new: str) -> ir.Text:
    """``node`` with text ``new``, remembering the source's text in ``orig`` the first time it changes."""
    if new == node.text:
        return node
    orig = node.orig if node.orig is not None else node.text
    return ir.Text(text=new, orig=None if orig == new else orig)


def map_blocks(blocks: tuple[ir.Block, ...], fn: TextFn, lang: str | None) -> tuple[ir.Block, ...]:
    """Apply ``fn`` to every Text in ``blocks`` (CodeBlock and Image sources are left alone)."""
    return map_block_inlines(blocks, lambda inl, lg: map_inlines(inl, fn, lg), lang)


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
        for part in parts(b, None):
            if isinstance(part, BlocksPart):
                yield from iter_blocks(part.blocks)


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
            case ir.Text() | ir.Code() | ir.NoteRef() | ir.LineBreak() | ir.Math() | ir.Milestone():
                pass
            case _:
                assert_never(n)


def block_inlines(b: ir.Block) -> Iterator[tuple[ir.Inline, ...]]:
    """The inline sequences held directly by a block (not those of its child blocks); a figure's are its images
    (as one sequence) and its caption."""
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
        case ir.ListBlock() | ir.BlockQuote() | ir.Div() | ir.CodeBlock():
            pass
        case _:
            assert_never(b)


def iter_inlines_all(doc: ir.Document) -> Iterator[ir.Inline]:
    """Every inline of the document: body, notes and rights."""
    for blocks in (doc.blocks, *(n.blocks for n in doc.notes), doc.metadata.rights):
        for b in iter_blocks(blocks):
            for seq in block_inlines(b):
                yield from iter_inlines(seq)


def shown_reading(node: ir.Choice) -> tuple[ir.Inline, ...]:
    """The text of the reading a choice shows (:attr:`ir.Choice.shown`); none for a choice without readings."""
    rs = node.readings
    return rs[node.shown].children if 0 <= node.shown < len(rs) else rs[0].children if rs else ()


def with_shown(node: ir.Choice, kids: tuple[ir.Inline, ...]) -> ir.Choice:
    """``node`` with the text of the reading it shows replaced by ``kids``, the others as they were."""
    if not node.readings or kids is shown_reading(node):
        return node
    i = node.shown if 0 <= node.shown < len(node.readings) else 0
    readings = list(node.readings)
    readings[i] = dataclasses.replace(readings[i], children=kids)
    return dataclasses.replace(node, readings=tuple(readings))


def plain(inlines: tuple[ir.Inline, ...]) -> str:
    """The text of ``inlines`` as a reader sees it (book-title marks included, note calls as ``[marker]``)."""
    out: list[str] = []
    for node in inlines:
        match node:
            case ir.Text(text=t) | ir.Code(text=t):
                out.append(t)
            case ir.BookTitle(children=c, open=o, close=cl):
                out.append(o + plain(c) + cl)
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.Span(children=c):
                out.append(plain(c))
            case ir.NoteRef(marker=m):
                out.append(f"[{m}]")
            case ir.LineBreak():
                out.append("\n")
            case ir.Math(tex=t):
                out.append(t)
            case ir.Choice(readings=rs) if rs:
                out.append(plain(shown_reading(node)))
            case ir.Choice() | ir.Image() | ir.Milestone():
                pass  # images and source milestones have no text of their own
            case _:
                assert_never(node)
    return "".join(out)


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
            case ir.ListBlock() | ir.BlockQuote() | ir.Div():
                pass  # their text is their child blocks'
            case _:
                assert_never(b)
    return "\n".join(lines)


#: Called with a text, the character before it and after it in the same block ('' at an edge), and the
#: language in force; returns the new text.
CtxFn = Callable[[str, str, str, str | None], str]


def _flatten(nodes: tuple[ir.Inline, ...], out: list[str]) -> None:
    """The strings of ``nodes`` in reading order, one slot per node that :func:`map_inlines_ctx` counts."""
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
                _flatten(shown_reading(n), out)
            case ir.Choice() | ir.NoteRef() | ir.LineBreak() | ir.Milestone() | ir.Image() | ir.Math():
                out.append("")  # note calls, breaks, milestones, images, equations: one empty slot
            case _:
                assert_never(n)


def _neighbours(flat: list[str]) -> tuple[list[str], list[str]]:
    """For each slot of ``flat``, the last character before it and the first after it ('' at an edge)."""
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
    return befores, afters


def map_inlines_ctx(inlines: tuple[ir.Inline, ...], fn: CtxFn, lang: str | None) -> tuple[ir.Inline, ...]:
    """Like :func:`map_inlines`, but ``fn`` also sees the neighbouring characters across inline boundaries
    (a book title's marks count as characters; note calls are transparent)."""
    flat: list[str] = []
    _flatten(inlines, flat)
    if not any(flat):
        return inlines
    befores, afters = _neighbours(flat)
    counter = iter(range(len(flat)))

    def rebuild(nodes: tuple[ir.Inline, ...], cur: str | None) -> tuple[ir.Inline, ...]:
        # walks the nodes in the order of _flatten, taking one slot where it took one
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
                    out.append(with_shown(n, rebuild(shown_reading(n), cur)))
                case ir.BookTitle(children=c):
                    next(counter)
                    kids = rebuild(c, cur)
                    next(counter)
                    out.append(n if kids is c else dataclasses.replace(n, children=kids))
                case ir.Span(children=c, lang=sub):
                    kids = rebuild(c, sub or cur)
                    out.append(n if kids is c else dataclasses.replace(n, children=kids))
                case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c):
                    kids = rebuild(c, cur)
                    out.append(n if kids is c else dataclasses.replace(n, children=kids))
                case ir.Choice() | ir.NoteRef() | ir.LineBreak() | ir.Milestone() | ir.Image() | ir.Math():
                    next(counter)
                    out.append(n)
                case _:
                    assert_never(n)
        return kept(out, nodes)

    return rebuild(inlines, lang)


def map_text_ctx(doc: ir.Document, fn: CtxFn) -> ir.Document:
    """:func:`map_text` with neighbouring characters: every inline sequence is one context."""
    def on(inl: tuple[ir.Inline, ...], lang: str | None) -> tuple[ir.Inline, ...]:
        return map_inlines_ctx(inl, fn, lang)

    lang = doc.metadata.language
    meta = map_text(dataclasses.replace(doc, blocks=(), notes=()), lambda t, lg: fn(t, "", "", lg)).metadata
    meta = dataclasses.replace(meta, rights=map_block_inlines(doc.metadata.rights, on, lang))
    notes = tuple(dataclasses.replace(n, blocks=map_block_inlines(n.blocks, on, n.lang or lang)) for n in doc.notes)
    return dataclasses.replace(doc, metadata=meta, blocks=map_block_inlines(doc.blocks, on, lang), notes=notes)
