"""A readable, line-oriented dump of the IR: the golden format for reader tests (one node per line)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, assert_never

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


def _tag(node: object, skip: tuple[str, ...], pad: str) -> str:
    """The line that opens ``node``: its class and the fields not in ``skip``."""
    return f"{pad}<{type(node).__name__}{_attrs(node, skip)}>"


def _each(nodes: Iterable[object], field: str, depth: int, out: list[str],
          inner: Callable[[Any, int, list[str]], None]) -> None:
    """Each of ``nodes`` (readings, list items, cells, notes) as a line at ``depth``, and its ``field`` (inlines
    or blocks) dumped by ``inner`` below it."""
    for node in nodes:
        out.append(_tag(node, (field,), "  " * depth))
        inner(getattr(node, field), depth + 1, out)


def _inlines(nodes: tuple[ir.Inline, ...], depth: int, out: list[str]) -> None:
    pad = "  " * depth
    for n in nodes:
        match n:
            case ir.Text(text=t, orig=o):
                out.append(f"{pad}{t!r}" + (f" (orig {o!r})" if o is not None else ""))
            case ir.Code(text=t):
                out.append(f"{pad}<code> {t!r}")
            case ir.NoteRef() | ir.LineBreak() | ir.Math() | ir.Milestone():
                out.append(_tag(n, (), pad))
            case ir.Image():
                out.append(_tag(n, ("alt",), pad))
                _inlines(n.alt, depth + 1, out)
            case ir.Choice():
                out.append(_tag(n, ("readings",), pad))
                _each(n.readings, "children", depth + 1, out, _inlines)
            case ir.Emph() | ir.Strong() | ir.Link() | ir.Span() | ir.BookTitle():
                out.append(_tag(n, ("children",), pad))
                _inlines(n.children, depth + 1, out)
            case _:
                assert_never(n)


def _blocks(nodes: tuple[ir.Block, ...], depth: int, out: list[str]) -> None:
    pad = "  " * depth
    for b in nodes:
        match b:
            case ir.Heading() | ir.Para():
                out.append(_tag(b, ("children",), pad))
                _inlines(b.children, depth + 1, out)
            case ir.Box():
                out.append(_tag(b, ("title", "blocks"), pad))
                out.append(f"{pad}  <title>")
                _inlines(b.title, depth + 2, out)
                _blocks(b.blocks, depth + 1, out)
            case ir.ListBlock():
                out.append(_tag(b, ("items",), pad))
                _each(b.items, "blocks", depth + 1, out, _blocks)
            case ir.BlockQuote() | ir.Div():
                out.append(_tag(b, ("blocks",), pad))
                _blocks(b.blocks, depth + 1, out)
            case ir.Table():
                out.append(_tag(b, ("rows", "caption"), pad))
                if b.caption:
                    out.append(f"{pad}  <caption>")
                _inlines(b.caption, depth + 2, out)
                for row in b.rows:
                    out.append(f"{pad}  <row>")
                    _each(row, "blocks", depth + 2, out, _blocks)
            case ir.Figure():
                out.append(_tag(b, ("images", "caption"), pad))
                _inlines(b.images, depth + 1, out)
                if b.caption:
                    out.append(f"{pad}  <caption>")
                    _inlines(b.caption, depth + 2, out)
            case ir.CodeBlock():
                out.append(f"{_tag(b, ('text',), pad)} {b.text!r}")
            case _:
                assert_never(b)


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
    _each(doc.notes, "blocks", 1, out, _blocks)
    for medium in doc.media:
        size = f" {medium.width}x{medium.height}" if medium.width and medium.height else ""
        out.append(f"  <Media {medium.name} {medium.media_type} {len(medium.data)} bytes{size} "
                   f"sha256={medium.sha256[:16]}…" + (f" from {medium.source}" if medium.source else "") + ">")
    for step in doc.steps:
        out.append(_tag(step, (), "  "))
    return "\n".join(out) + "\n"
