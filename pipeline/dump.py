"""A readable, line-oriented dump of the IR: the golden format for reader tests (one node per line)."""

from __future__ import annotations

import dataclasses

from . import ir


def _attrs(node: object, skip: tuple[str, ...]) -> str:
    parts = []
    for f in dataclasses.fields(node):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        value = getattr(node, f.name)
        if value is None or value == () or value == f.default:
            continue
        parts.append(f"{f.name}={value!r}" if not isinstance(value, str) else f"{f.name}={value}")
    return (" " + " ".join(parts)) if parts else ""


def _inlines(nodes: tuple[ir.Inline, ...], depth: int, out: list[str]) -> None:
    pad = "  " * depth
    for n in nodes:
        match n:
            case ir.Text(text=t, orig=o):
                out.append(f"{pad}{t!r}" + (f" (orig {o!r})" if o is not None else ""))
            case ir.Code(text=t):
                out.append(f"{pad}<code> {t!r}")
            case ir.NoteRef() | ir.LineBreak() | ir.Math() | ir.Milestone():
                out.append(f"{pad}<{type(n).__name__}{_attrs(n, ())}>")
            case ir.Image():
                out.append(f"{pad}<Image{_attrs(n, ('alt',))}>")
                _inlines(n.alt, depth + 1, out)
            case ir.Choice():
                out.append(f"{pad}<Choice{_attrs(n, ('readings',))}>")
                for r in n.readings:
                    out.append(f"{pad}  <Reading{_attrs(r, ('children',))}>")
                    _inlines(r.children, depth + 2, out)
            case ir.Emph() | ir.Strong() | ir.Link() | ir.Span() | ir.BookTitle():
                out.append(f"{pad}<{type(n).__name__}{_attrs(n, ('children',))}>")
                _inlines(n.children, depth + 1, out)


def _blocks(nodes: tuple[ir.Block, ...], depth: int, out: list[str]) -> None:
    pad = "  " * depth
    for b in nodes:
        name = type(b).__name__
        match b:
            case ir.Heading() | ir.Para():
                out.append(f"{pad}<{name}{_attrs(b, ('children',))}>")
                _inlines(b.children, depth + 1, out)
            case ir.Box():
                out.append(f"{pad}<Box{_attrs(b, ('title', 'blocks'))}>")
                out.append(f"{pad}  <title>")
                _inlines(b.title, depth + 2, out)
                _blocks(b.blocks, depth + 1, out)
            case ir.ListBlock():
                out.append(f"{pad}<ListBlock{_attrs(b, ('items',))}>")
                for item in b.items:
                    out.append(f"{pad}  <ListItem{_attrs(item, ('blocks',))}>")
                    _blocks(item.blocks, depth + 2, out)
            case ir.BlockQuote() | ir.Div():
                out.append(f"{pad}<{name}{_attrs(b, ('blocks',))}>")
                _blocks(b.blocks, depth + 1, out)
            case ir.Table():
                out.append(f"{pad}<Table{_attrs(b, ('rows', 'caption'))}>")
                if b.caption:
                    out.append(f"{pad}  <caption>")
                _inlines(b.caption, depth + 2, out)
                for row in b.rows:
                    out.append(f"{pad}  <row>")
                    for cell in row:
                        out.append(f"{pad}    <Cell{_attrs(cell, ('blocks',))}>")
                        _blocks(cell.blocks, depth + 3, out)
            case ir.Figure():
                out.append(f"{pad}<Figure{_attrs(b, ('images', 'caption'))}>")
                _inlines(b.images, depth + 1, out)
                if b.caption:
                    out.append(f"{pad}  <caption>")
                    _inlines(b.caption, depth + 2, out)
            case ir.CodeBlock():
                out.append(f"{pad}<CodeBlock{_attrs(b, ('text',))}> {b.text!r}")


def dump(doc: ir.Document) -> str:
    """The dump of a whole document."""
    out: list[str] = ["<Document>", "  <Metadata>"]
    m = doc.metadata
    for f in dataclasses.fields(m):
        value = getattr(m, f.name)
        if f.name == "rights" or value is None or value == ():
            continue
        out.append(f"    {f.name}: {value!r}")
    if m.rights:
        out.append("    rights:")
        _blocks(m.rights, 3, out)
    out.append("  <Body>")
    _blocks(doc.blocks, 2, out)
    for note in doc.notes:
        out.append(f"  <Note{_attrs(note, ('blocks',))}>")
        _blocks(note.blocks, 2, out)
    for medium in doc.media:
        size = f" {medium.width}x{medium.height}" if medium.width and medium.height else ""
        out.append(f"  <Media {medium.name} {medium.media_type} {len(medium.data)} bytes{size} "
                   f"sha256={medium.sha256[:16]}…" + (f" from {medium.source}" if medium.source else "") + ">")
    for step in doc.steps:
        out.append(f"  <Step{_attrs(step, ())}>")
    return "\n".join(out) + "\n"
