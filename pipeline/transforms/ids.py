"""Stable ids (``para-N``, ``h-N``, ``box-N``) and internal links that still reach them after every rename.

Ids: a numbered paragraph is ``para-<number>``, a heading keeps a usable source id or becomes ``h-N``, a box
``box-N``; a repeated id gets a ``-2`` suffix (reported). Anchors — the empty ``span.anchor`` the readers leave
for Word's ``_Toc``/``_Ref`` bookmarks, Markdown's ``[]{#id}``, raw HTML's ``<a name>`` and heading ids the
readers could not keep — are taken off the text and become names of the block holding them: its id when it
has one, else the block gets the anchor's name as its id (a paragraph, a table or figure by their caption).

Links: every ``#target`` is rewritten through the map of old names to final ids; one that names nothing in
the document is unwrapped (its text kept, reported), so no writer emits a link to nowhere; a link inside a
link is unwrapped too (HTML forbids nesting, Word repeats the run properties).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import unquote

from .. import ir
from ..diagnostics import Diagnostics
from ..options import Options

#: An id every format accepts: an XML NCName (TEI ``xml:id``, XHTML ``id``) that Word takes as a bookmark name.
_NCNAME = re.compile(r"[A-Za-z_][\w.-]{0,80}")
#: Most anchors kept from one document (a hostile file may hold millions of empty bookmarks).
MAX_ANCHORS = 100_000


def _anchor_id(node: ir.Inline) -> str | None:
    if isinstance(node, ir.Span) and "anchor" in node.classes and not node.children:
        return dict(node.attrs).get("id")
    return None


def _take_anchors(inlines: tuple[ir.Inline, ...], found: list[str]) -> tuple[ir.Inline, ...]:
    """``inlines`` without their anchors, whose names are appended to ``found``."""
    out: list[ir.Inline] = []
    for n in inlines:
        name = _anchor_id(n)
        if name is not None:
            if len(found) < MAX_ANCHORS:
                found.append(name)
            continue
        if isinstance(n, ir.Emph | ir.Strong | ir.Link | ir.Span | ir.BookTitle):
            n = dataclasses.replace(n, children=_take_anchors(n.children, found))
        out.append(n)
    return tuple(out)


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Give every numbered paragraph, heading and box an id where it has none; keep every link pointing home."""
    seen: set[str] = set()
    counters = {"h": 0, "box": 0, "anchor": 0}
    assigned = 0
    names: dict[str, str] = {}  # a source name (anchor, old id) -> the final id

    suffix: dict[str, int] = {}  # the next number to try for a base (so 60,000 duplicates stay linear)
    duplicates = [0]

    def unique(base: str) -> str:
        if base not in seen:
            seen.add(base)
            return base
        n = suffix.get(base, 2)
        while f"{base}-{n}" in seen:
            n += 1
        suffix[base] = n + 1
        duplicates[0] += 1
        if duplicates[0] <= 20:
            diag.emit("duplicate-id", f"id {base!r} is used twice; the second becomes {base}-{n}")
        elif duplicates[0] == 21:
            diag.emit("duplicate-id", "more duplicate ids were renamed the same way (not listed one by one)")
        seen.add(f"{base}-{n}")
        return f"{base}-{n}"

    def name(old: str | None, new: str) -> None:
        if old and old not in names:
            names[old] = new

    def own(anchors: list[str]) -> str | None:
        """An id for a block that has none, from its first anchor (kept when every format accepts it)."""
        if not anchors:
            return None
        first = anchors[0]
        if _NCNAME.fullmatch(first) and first not in seen:
            return unique(first)
        counters["anchor"] += 1
        return unique(f"a-{counters['anchor']}")

    def walk(blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        nonlocal assigned
        out: list[ir.Block] = []
        for b in blocks:
            anchors: list[str] = []
            match b:
                case ir.Para():
                    b = dataclasses.replace(b, children=_take_anchors(b.children, anchors))
                    old = b.id
                    if b.id is None and b.number is not None:
                        assigned += 1
                        b = dataclasses.replace(b, id=unique(f"para-{b.number}"))
                    elif b.id is not None:
                        b = dataclasses.replace(b, id=unique(b.id))
                    elif anchors:
                        b = dataclasses.replace(b, id=own(anchors))
                    if b.id:
                        name(old, b.id)
                        if b.number is not None:
                            name(f"para-{b.number}", b.id)
                case ir.Heading():
                    counters["h"] += 1
                    b = dataclasses.replace(b, children=_take_anchors(b.children, anchors))
                    if b.id is None:
                        assigned += 1
                    old = b.id
                    b = dataclasses.replace(b, id=unique(b.id or f"h-{counters['h']}"))
                    name(old, b.id or "")
                case ir.Box():
                    counters["box"] += 1
                    b = dataclasses.replace(b, title=_take_anchors(b.title, anchors))
                    if b.id is None:
                        assigned += 1
                    old = b.id
                    b = dataclasses.replace(b, id=unique(b.id or f"box-{counters['box']}"), blocks=walk(b.blocks))
                    name(old, b.id or "")
                case ir.Table():
                    b = dataclasses.replace(b, caption=_take_anchors(b.caption, anchors), rows=tuple(
                        tuple(dataclasses.replace(c, blocks=walk(c.blocks)) for c in row) for row in b.rows))
                    old = b.id
                    if b.id is not None:
                        b = dataclasses.replace(b, id=unique(b.id))
                    elif anchors:
                        b = dataclasses.replace(b, id=own(anchors))
                    if b.id:
                        name(old, b.id)
                case ir.Figure():
                    b = dataclasses.replace(b, caption=_take_anchors(b.caption, anchors))
                    old = b.id
                    if b.id is not None:
                        b = dataclasses.replace(b, id=unique(b.id))
                    elif anchors:
                        b = dataclasses.replace(b, id=own(anchors))
                    if b.id:
                        name(old, b.id)
                case ir.BlockQuote():
                    b = dataclasses.replace(b, blocks=walk(b.blocks))
                case ir.Div():
                    old = b.id
                    b = dataclasses.replace(b, blocks=walk(b.blocks), id=unique(b.id) if b.id else None)
                    if b.id:
                        name(old, b.id)
                case ir.ListBlock():
                    b = dataclasses.replace(
                        b, items=tuple(dataclasses.replace(i, blocks=walk(i.blocks)) for i in b.items))
                case ir.CodeBlock():
                    pass
            block_id = getattr(b, "id", None)
            for a in anchors:
                if block_id:
                    name(a, block_id)
            out.append(b)
        return tuple(out)

    blocks = walk(doc.blocks)
    notes = []
    for n in doc.notes:
        seen.add(n.id)
        notes.append(dataclasses.replace(n, blocks=walk(n.blocks)))
    rights = walk(doc.metadata.rights)
    known = set(seen)
    counts = {"rewritten": 0, "resolved": 0, "unresolved": 0, "nested": 0}
    missing: list[str] = []

    def target(t: str) -> str | None:
        """The final target of a link, None when it names nothing here."""
        if not t.startswith("#"):
            return t
        key = unquote(t[1:])
        if key in names:
            if names[key] != key:
                counts["rewritten"] += 1
            counts["resolved"] += 1
            return "#" + names[key]
        if key in known:
            counts["resolved"] += 1
            return "#" + key
        counts["unresolved"] += 1
        if len(missing) < 20:
            missing.append(key)
        return None

    def links(inlines: tuple[ir.Inline, ...], inside: bool) -> tuple[ir.Inline, ...]:
        out: list[ir.Inline] = []
        for n in inlines:
            if isinstance(n, ir.Link):
                kids = links(n.children, True)
                new = target(n.target)
                if inside:
                    counts["nested"] += 1
                    out.extend(kids)
                elif new is None:
                    out.extend(kids)
                else:
                    out.append(dataclasses.replace(n, children=kids, target=new))
            elif isinstance(n, ir.Emph | ir.Strong | ir.Span | ir.BookTitle):
                out.append(dataclasses.replace(n, children=links(n.children, inside)))
            elif isinstance(n, ir.Image):
                out.append(dataclasses.replace(n, alt=links(n.alt, True)))
            else:
                out.append(n)
        return tuple(out)

    def relink(bs: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in bs:
            match b:
                case ir.Para() | ir.Heading():
                    b = dataclasses.replace(b, children=links(b.children, False))
                case ir.Box():
                    b = dataclasses.replace(b, title=links(b.title, False), blocks=relink(b.blocks))
                case ir.Table():
                    b = dataclasses.replace(b, caption=links(b.caption, False), rows=tuple(
                        tuple(dataclasses.replace(c, blocks=relink(c.blocks)) for c in row) for row in b.rows))
                case ir.Figure():
                    b = dataclasses.replace(b, caption=links(b.caption, False))
                case ir.BlockQuote() | ir.Div():
                    b = dataclasses.replace(b, blocks=relink(b.blocks))
                case ir.ListBlock():
                    b = dataclasses.replace(
                        b, items=tuple(dataclasses.replace(i, blocks=relink(i.blocks)) for i in b.items))
                case ir.CodeBlock():
                    pass
            out.append(b)
        return tuple(out)

    blocks = relink(blocks)
    notes = [dataclasses.replace(n, blocks=relink(n.blocks)) for n in notes]
    rights = relink(rights)
    if counts["unresolved"]:
        diag.emit("link-unresolved", f"{counts['unresolved']} internal link(s) name nothing in the document and "
                  f"were kept as text: {', '.join('#' + m for m in missing)}")
    if counts["nested"]:
        diag.emit("link-unresolved", f"{counts['nested']} link(s) inside a link unwrapped")
    step = ir.Step(name="ids", counts=(("assigned", assigned), ("links-resolved", counts["resolved"]),
                                       ("links-rewritten", counts["rewritten"]),
                                       ("links-unresolved", counts["unresolved"]),
                                       ("links-nested", counts["nested"])))
    meta = dataclasses.replace(doc.metadata, rights=rights) if doc.metadata.rights else doc.metadata
    return dataclasses.replace(doc, blocks=blocks, notes=tuple(notes), metadata=meta, steps=doc.steps + (step,))
