"""Stable ids: ``para-N`` from paragraph numbers, ``h-N`` for headings, ``box-N``, ``fn-N`` for notes."""

from __future__ import annotations

import dataclasses

from .. import ir
from ..diagnostics import Diagnostics
from ..options import Options


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Give every numbered paragraph, heading and box an id where it has none; report duplicates."""
    seen: set[str] = set()
    counters = {"h": 0, "box": 0, "table": 0}
    assigned = 0

    def unique(base: str) -> str:
        if base not in seen:
            seen.add(base)
            return base
        n = 2
        while f"{base}-{n}" in seen:
            n += 1
        diag.emit("duplicate-id", f"id {base!r} is used twice; the second becomes {base}-{n}")
        seen.add(f"{base}-{n}")
        return f"{base}-{n}"

    def walk(blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        nonlocal assigned
        out: list[ir.Block] = []
        for b in blocks:
            match b:
                case ir.Para():
                    if b.id is None and b.number is not None:
                        assigned += 1
                        b = dataclasses.replace(b, id=unique(f"para-{b.number}"))
                    elif b.id is not None:
                        b = dataclasses.replace(b, id=unique(b.id))
                case ir.Heading():
                    counters["h"] += 1
                    if b.id is None:
                        assigned += 1
                    b = dataclasses.replace(b, id=unique(b.id or f"h-{counters['h']}"))
                case ir.Box():
                    counters["box"] += 1
                    if b.id is None:
                        assigned += 1
                    b = dataclasses.replace(b, id=unique(b.id or f"box-{counters['box']}"),
                                            blocks=walk(b.blocks))
                case ir.BlockQuote() | ir.Div():
                    b = dataclasses.replace(b, blocks=walk(b.blocks))
                case ir.ListBlock():
                    b = dataclasses.replace(
                        b, items=tuple(dataclasses.replace(i, blocks=walk(i.blocks)) for i in b.items))
                case _:
                    pass
            out.append(b)
        return tuple(out)

    blocks = walk(doc.blocks)
    step = ir.Step(name="ids", counts=(("assigned", assigned),))
    return dataclasses.replace(doc, blocks=blocks, steps=doc.steps + (step,))
