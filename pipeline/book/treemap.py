"""One rebuild of a block tree: a function on every block (after its children) and one on every inline
sequence, for the id and link rewriting of assembly. Linear: each node is visited once."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .. import ir
from ..walk import kept

BlockFn = Callable[[ir.Block], ir.Block]
InlinesFn = Callable[[tuple[ir.Inline, ...]], tuple[ir.Inline, ...]]


def _same(b: ir.Block) -> ir.Block:
    return b


def map_tree(blocks: tuple[ir.Block, ...], on_inlines: InlinesFn, on_block: BlockFn = _same
             ) -> tuple[ir.Block, ...]:
    """``blocks`` rebuilt: every inline sequence (headings, paragraphs, box titles, captions, alt texts) through
    ``on_inlines``, then every block through ``on_block`` (children first)."""
    out: list[ir.Block] = []
    for b in blocks:
        match b:
            case ir.Heading() | ir.Para():
                kids = on_inlines(b.children)
                b = b if kids is b.children else dataclasses.replace(b, children=kids)
            case ir.Box():
                b = dataclasses.replace(b, title=on_inlines(b.title), blocks=map_tree(b.blocks, on_inlines, on_block))
            case ir.ListBlock():
                b = dataclasses.replace(b, items=tuple(
                    dataclasses.replace(i, blocks=map_tree(i.blocks, on_inlines, on_block)) for i in b.items))
            case ir.BlockQuote() | ir.Div():
                b = dataclasses.replace(b, blocks=map_tree(b.blocks, on_inlines, on_block))
            case ir.Table():
                b = dataclasses.replace(b, caption=on_inlines(b.caption), rows=tuple(
                    tuple(dataclasses.replace(c, blocks=map_tree(c.blocks, on_inlines, on_block)) for c in row)
                    for row in b.rows))
            case ir.Figure():
                b = dataclasses.replace(b, caption=on_inlines(b.caption), images=tuple(
                    dataclasses.replace(i, alt=on_inlines(i.alt)) for i in b.images))
            case ir.CodeBlock():
                pass
        out.append(on_block(b))
    return tuple(out)


#: Called with one inline (its children already rebuilt); returns what replaces it.
InlineFn = Callable[[ir.Inline], tuple[ir.Inline, ...]]


def map_inlines(inlines: tuple[ir.Inline, ...], fn: InlineFn) -> tuple[ir.Inline, ...]:
    """``inlines`` rebuilt bottom-up: containers' children first, then each node through ``fn`` (which may
    replace it by several nodes or none)."""
    out: list[ir.Inline] = []
    for n in inlines:
        match n:
            case ir.Emph() | ir.Strong() | ir.Link() | ir.Span() | ir.BookTitle():
                kids = map_inlines(n.children, fn)
                n = n if kids is n.children else dataclasses.replace(n, children=kids)
            case ir.Image():
                n = dataclasses.replace(n, alt=map_inlines(n.alt, fn))
            case ir.Choice():
                n = dataclasses.replace(n, readings=tuple(
                    dataclasses.replace(r, children=map_inlines(r.children, fn)) for r in n.readings))
            case _:
                pass
        out.extend(fn(n))
    return kept(out, inlines)
