"""Captions written as ordinary paragraphs: ``图 13.1 环境状态的构成`` right after a picture, ``表 2 …`` right before
a table — the way Markdown tutorials and HTML pages write them — become the figure's or table's caption.

A paragraph qualifies when it is short (a caption, not prose), starts with a figure or table label
(:func:`caption_label`), and stands next to a figure or table that has no caption yet; a ``div`` that holds only
that paragraph (``<div align=center>图 13.1 …</div>``) counts as the paragraph. One pass over each block list.
"""

from __future__ import annotations

import dataclasses
import re

from .. import ir
from ..diagnostics import Diagnostics
from ..walk import plain

MAX_CAPTION = 160
_FIGURE_WORD = re.compile(r"^(?:Figure|Fig\.|Chart|Abbildung|图|圖|图表|圖表)")
_TABLE_WORD = re.compile(r"^(?:Table|Tab\.|Tabelle|表)")


def _alone(b: ir.Block) -> ir.Block:
    """The single block a presentational div wraps (``<div align=center>``), else the block itself."""
    while isinstance(b, ir.Div) and len(b.blocks) == 1 and not b.id:
        b = b.blocks[0]
    return b


def _caption(b: ir.Block, word: re.Pattern[str]) -> tuple[str, tuple[ir.Inline, ...]] | None:
    from .pandoc.word import caption_label
    inner = _alone(b)
    if not isinstance(inner, ir.Para) or inner.number is not None or len(plain(inner.children)) > MAX_CAPTION:
        return None
    label, text = caption_label(inner.children)
    if label is None or not word.match(label):
        return None
    return label, text


def attach(blocks: tuple[ir.Block, ...], diag: Diagnostics, found: list[int] | None = None) -> tuple[ir.Block, ...]:
    """``blocks`` with caption paragraphs moved into the figures and tables they label."""
    count = found if found is not None else [0]
    out: list[ir.Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, ir.Box | ir.BlockQuote | ir.Div):
            b = dataclasses.replace(b, blocks=attach(b.blocks, diag, count))
        target = _alone(b)
        if isinstance(target, ir.Figure) and not target.caption and i + 1 < len(blocks):
            cap = _caption(blocks[i + 1], _FIGURE_WORD)
            if cap is not None:
                out.append(dataclasses.replace(target, label=cap[0], caption=cap[1]))
                count[0] += 1
                i += 2
                continue
        if isinstance(target, ir.Table) and not target.caption and not target.label and out:
            cap = _caption(out[-1], _TABLE_WORD)
            if cap is not None:
                out[-1] = dataclasses.replace(target, label=cap[0], caption=cap[1])
                count[0] += 1
                i += 1
                continue
        out.append(b)
        i += 1
    if found is None and count[0]:
        diag.emit("caption-found", f"{count[0]} caption paragraph(s) (图 1, Table 2…) read as the captions of the "
                  "figures and tables beside them")
    return tuple(out)


def attach_captions(doc: ir.Document, diag: Diagnostics) -> ir.Document:
    """The document with its paragraph captions attached."""
    return dataclasses.replace(doc, blocks=attach(doc.blocks, diag))
