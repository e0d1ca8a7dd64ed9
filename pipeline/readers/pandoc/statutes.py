"""Statutes and regulations in Markdown: ``第N条`` articles as numbered paragraphs, ``（一）`` items as lists.

A document is read as a statute when at least two paragraphs open with an article label. Each article
becomes a paragraph numbered by its article number in Arabic digits (``第十五条`` → ``15``, so its id is
``para-15``; ``第十条之一`` → ``10-1``) whose text starts with the label in a ``span.label`` — kept apart from
the text, shown by every writer as written — then the separator (an ideographic space, the source's own
recorded in ``Text.orig`` when it was an ASCII space), then the text. The paragraphs ``（一）…`` that follow
an article are one ordered list whose items keep their labels. ``第N章``/``第N节`` headings get their labels
from the pandoc converter (:func:`~pipeline.readers.report.structure.heading_kind`).
"""

from __future__ import annotations

import dataclasses

from ... import ir
from ...diagnostics import Diagnostics
from ..report.structure import ITEM, article, cjk_number, statute_separator

#: Fewest article paragraphs for a document to be read as a statute.
MIN_ARTICLES = 2


def _lead(para: ir.Para) -> str | None:
    first = para.children[0] if para.children else None
    return first.text if isinstance(first, ir.Text) else None


def _article_para(para: ir.Para, last: int) -> tuple[ir.Para, int] | None:
    text = _lead(para)
    found = article(text) if text is not None and para.number is None else None
    if found is None:
        return None
    label, number, sep, rest = found
    if not sep and number != str(last + 1):
        return None  # "第一条规定的…" opening a sentence is a reference, not an article
    shown = statute_separator(sep)
    kids: list[ir.Inline] = [ir.Span(children=(ir.Text(text=label),), classes=("label",))]
    if shown:
        kids.append(ir.Text(text=shown, orig=sep if sep != shown else None))
    if rest:
        kids.append(ir.Text(text=rest))
    kids.extend(para.children[1:])
    return dataclasses.replace(para, number=number, children=tuple(kids)), int(number.split("-")[0])


def _item(para: ir.Para) -> ir.ListItem | None:
    text = _lead(para)
    m = ITEM.match(text) if text is not None else None
    if m is None:
        return None
    rest = (ir.Text(text=m.group(2)),) if m.group(2) else ()
    return ir.ListItem(blocks=(dataclasses.replace(para, children=rest + para.children[1:]),), label=m.group(1))


def _count(blocks: tuple[ir.Block, ...], depth: int = 0) -> int:
    n = 0
    for b in blocks:
        if isinstance(b, ir.Para) and (text := _lead(b)) is not None and article(text) is not None:
            n += 1
        elif isinstance(b, ir.Div | ir.BlockQuote) and depth < 20:
            n += _count(b.blocks, depth + 1)
    return n


def statutes(doc: ir.Document, diag: Diagnostics) -> ir.Document:
    """The document's articles and items, when it is a statute; otherwise the document unchanged."""
    if _count(doc.blocks) < MIN_ARTICLES:
        return doc
    counts = {"articles": 0, "items": 0}
    last = 0

    def walk(blocks: tuple[ir.Block, ...], depth: int) -> tuple[ir.Block, ...]:
        nonlocal last
        out: list[ir.Block] = []
        items: list[ir.ListItem] = []

        def flush() -> None:
            if items:
                first = items[0].label or ""
                start = cjk_number(first.strip("（）()")) or 1
                out.append(ir.ListBlock(items=tuple(items), ordered=True, start=start))
                items.clear()

        for b in blocks:
            if isinstance(b, ir.Para):
                art = _article_para(b, last)
                if art is not None:
                    flush()
                    out.append(art[0])
                    last = art[1]
                    counts["articles"] += 1
                    continue
                item = _item(b) if last else None
                if item is not None:
                    items.append(item)
                    counts["items"] += 1
                    continue
            flush()
            if isinstance(b, ir.Div | ir.BlockQuote) and depth < 20:
                b = dataclasses.replace(b, blocks=walk(b.blocks, depth + 1))
            out.append(b)
        flush()
        return tuple(out)

    blocks = walk(doc.blocks, 0)
    diag.emit("statute-articles", f"read as a statute: {counts['articles']} article(s) numbered, "
              f"{counts['items']} item(s) in lists")
    return dataclasses.replace(doc, blocks=blocks)


def title_from_heading(doc: ir.Document, diag: Diagnostics) -> ir.Document:
    """A Markdown file without a title in its front matter that opens with its only level-1 heading: that
    heading is the title (as ``pandoc --shift-heading-level-by=-1`` reads it), the other headings move up."""
    from ...walk import iter_blocks, plain

    if doc.metadata.title or not doc.blocks or not isinstance(doc.blocks[0], ir.Heading) \
            or doc.blocks[0].level != 1 or doc.blocks[0].label:
        return doc
    heads = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)]
    if sum(h.level == 1 for h in heads) != 1:
        return doc
    title = plain(doc.blocks[0].children).strip()
    if not title:
        return doc

    def shift(blocks: tuple[ir.Block, ...], depth: int) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in blocks:
            if isinstance(b, ir.Heading):
                b = dataclasses.replace(b, level=max(1, b.level - 1))
            elif isinstance(b, ir.Div | ir.BlockQuote | ir.Box) and depth < 20:
                b = dataclasses.replace(b, blocks=shift(b.blocks, depth + 1))
            out.append(b)
        return tuple(out)

    diag.emit("metadata-found", f"title {title[:60]!r} from the document's only level-1 heading")
    return dataclasses.replace(doc, metadata=dataclasses.replace(doc.metadata, title=title),
                               blocks=shift(doc.blocks[1:], 0))
