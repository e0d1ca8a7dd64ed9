"""Raw HTML inside Markdown into the IR: pandoc's pieces of it put back together and parsed with lxml.html.

pandoc's Markdown reader hands HTML through as ``RawBlock``/``RawInline`` fragments, with the Markdown between
the tags parsed on its own (``<li>``, then a ``Plain``, then ``</li>``). The fragments of one element are joined
again, each piece of Markdown standing in as a placeholder ``<span data-dp-slot="N">``, and the HTML is parsed
(lxml's HTML parser: no network, no entities beyond HTML's own) and mapped:

``p``/``div``/``center`` → Para (or their blocks); ``h1``–``h6`` → Heading (``id`` kept); ``ul``/``ol`` (``start``,
``type``) → ListBlock; ``table`` (``thead``, ``th``, ``colspan``, ``rowspan``, ``caption``) → Table; ``blockquote``
→ BlockQuote; ``pre`` → CodeBlock; ``details``/``summary`` and ``div`` of an admonition class → Box; ``img`` →
Image through the document's own picture reader (files of the document's folder only) or Figure when alone;
``hr`` → rule; ``b``/``strong``, ``i``/``em``, ``sup``, ``sub``, ``code``, ``span lang`` → their inlines; ``a href``
→ Link, ``a name``/``id`` → an anchor the ids transform moves onto its block; ``br`` → LineBreak. Comments are
dropped (reported); ``script``, ``style``, ``iframe``, forms and embedded objects are dropped (reported).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ... import ir
from ...diagnostics import Diagnostics

#: Elements that never have content, so never open a nesting level.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr", "param", "keygen"})
DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "form", "input", "button", "select",
                     "textarea", "noscript", "template", "svg", "math", "canvas", "audio", "video", "head",
                     "title", "meta", "link", "base"})
BLOCK_TAGS = frozenset({"p", "div", "center", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table",
                        "blockquote", "pre", "details", "hr", "section", "article", "aside", "header", "footer",
                        "main", "nav", "figure", "address", "li", "dt", "dd", "summary", "figcaption", "tr", "td",
                        "th", "tbody", "thead", "tfoot", "caption", "body", "html", "form", "fieldset", "hgroup"})
ADMONITION = frozenset({"note", "tip", "info", "warning", "danger", "caution", "important", "admonition", "hint",
                        "attention", "error", "example", "box", "callout", "custom-block", "alert"})
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)\b([^<>]*)>")
MAX_GROUP = 5000
"""Most pandoc nodes one HTML element may gather (an unclosed ``<div>`` must not swallow a whole book)."""
_T = TypeVar("_T", ir.Inline, ir.Block)


def strip_comments(html: str) -> str:
    """``html`` without its comments (an unclosed one runs to the end), in one left-to-right pass."""
    out: list[str] = []
    pos = 0
    while (start := html.find("<!--", pos)) >= 0:
        out.append(html[pos:start])
        end = html.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        pos = end + 3
    out.append(html[pos:])
    return "".join(out)


def open_tags(html: str, stack: list[str]) -> list[str]:
    """The stack of open elements after ``html`` (end tags close up to their match; stray ones are ignored)."""
    for m in _TAG.finditer(strip_comments(html)):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3).endswith("/")
        if closing:
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name):]
        elif name not in VOID and not selfclosing:
            stack.append(name)
    return stack


def is_comment(html: str) -> bool:
    """The fragment is only HTML comments."""
    return not strip_comments(html).strip() and "<!--" in html


@dataclass
class Slots:
    """Callbacks into the pandoc converter for the Markdown pieces between the tags, and the picture reader."""

    blocks: Callable[[int], tuple[ir.Block, ...]]
    inlines: Callable[[int], tuple[ir.Inline, ...]]
    picture: Callable[[str], str | None]
    diag: Diagnostics
    max_depth: int = 100
    counts: dict[str, int] = field(default_factory=lambda: {"elements": 0, "comments": 0, "dropped": 0})


def _parse(html: str) -> list[object]:
    """The fragment's top-level nodes: leading text (a str), then elements."""
    from lxml import etree
    from lxml import html as lhtml

    try:
        parser = lhtml.HTMLParser(remove_comments=False, no_network=True, recover=True, huge_tree=False)
        root = lhtml.fragment_fromstring(html, create_parent="div", parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return [html]
    from .html5 import object_picture
    for el in list(root.iter("object", "embed")):  # one showing a picture (a W3C figure's SVG) is that picture
        object_picture(el)
    out: list[object] = []
    if root.text:
        out.append(root.text)
    out.extend(root)
    return out


class _Mapper:
    def __init__(self, slots: Slots) -> None:
        self.s = slots
        self.depth = 0

    # ------------------------------------------------------------------ inlines
    def inlines_of(self, el: object, *, with_tail: bool = False) -> list[ir.Inline]:
        """The inline content of one element (its text, children and their tails)."""
        from lxml import etree

        out: list[ir.Inline] = []
        assert isinstance(el, etree._Element)
        if el.text:
            out.append(ir.Text(text=_ws(el.text)))
        for child in el:
            out.extend(self.inline(child))
            if child.tail:
                out.append(ir.Text(text=_ws(child.tail)))
        if with_tail and el.tail:
            out.append(ir.Text(text=_ws(el.tail)))
        return out

    def _nested(self, el: object, shallow: Callable[[str], list[_T]], deep: Callable[[object], list[_T]]
                ) -> list[_T]:
        """``deep(el)`` one level of nesting further in; a comment is nothing (counted), and an element past the
        deepest level only its text (``shallow(text)``)."""
        from lxml import etree

        assert isinstance(el, etree._Element)
        if isinstance(el, etree._Comment):
            self.s.counts["comments"] += 1
            return []
        self.depth += 1
        try:
            if self.depth > self.s.max_depth:
                return shallow(_ws(_text_of(el)))
            return deep(el)
        finally:
            self.depth -= 1

    def inline(self, el: object) -> list[ir.Inline]:
        from lxml import etree

        if isinstance(el, str):
            return [ir.Text(text=_ws(el))]
        assert isinstance(el, etree._Element)
        if not isinstance(el, etree._Comment) and not isinstance(el.tag, str):
            return []  # a processing instruction
        return self._nested(el, lambda text: [ir.Text(text=text)], self._inline)

    def _inline(self, el: object) -> list[ir.Inline]:
        from lxml import etree

        assert isinstance(el, etree._Element)
        tag = str(el.tag).lower()
        self.s.counts["elements"] += 1
        slot = el.get("data-dp-slot")
        if tag == "span" and slot is not None and slot.isdigit():
            return list(self.s.inlines(int(slot)))
        if tag in DROPPED:
            self.s.counts["dropped"] += 1
            return []
        kids = tuple(self.inlines_of(el))
        match tag:
            case "b" | "strong":
                return [ir.Strong(children=kids)]
            case "i" | "em" | "cite" | "dfn" | "var":
                return [ir.Emph(children=kids)]
            case "sup" | "sub" | "u" | "ins" | "s" | "del" | "strike" | "mark" | "small":
                cls = {"sup": "superscript", "sub": "subscript", "u": "underline", "ins": "underline",
                       "s": "strikeout", "del": "strikeout", "strike": "strikeout"}.get(tag, tag)
                return [ir.Span(children=kids, classes=(cls,))]
            case "code" | "kbd" | "samp" | "tt":
                return [ir.Code(text=_text_of(el))]
            case "br":
                return [ir.LineBreak()]
            case "img":
                return [self.image(el)]
            case "a":
                href = (el.get("href") or "").strip()
                anchor = el.get("name") or el.get("id")
                out: list[ir.Inline] = []
                if anchor:
                    out.append(_anchor(anchor))
                if href and not href.lower().startswith(("javascript:", "vbscript:", "data:")):
                    out.append(ir.Link(children=kids, target=href, title=el.get("title") or None))
                else:
                    out.extend(kids)
                return out
            case "q":
                return [ir.Text(text="“"), *kids, ir.Text(text="”")]
            case "span" | "font" | "abbr" | "bdi" | "bdo" | "time" | "data" | "label":
                lang = el.get("lang")
                classes = tuple(c for c in (el.get("class") or "").split() if re.fullmatch(r"[\w-]+", c))[:8]
                anchor = el.get("id")
                pre = [_anchor(anchor)] if anchor else []
                if lang or classes:
                    return [*pre, ir.Span(children=kids, lang=lang, classes=classes)]
                return [*pre, *kids]
            case _:
                if tag in BLOCK_TAGS:
                    # a block element where only inlines fit (a <p> in a heading): its text, then a break
                    return [*kids, ir.LineBreak()] if kids and tag in ("p", "div", "li", "tr") else list(kids)
                return list(kids)

    def image(self, el: object) -> ir.Image:
        from lxml import etree

        assert isinstance(el, etree._Element)
        src = (el.get("src") or "").strip()
        name = self.s.picture(src) if src else None
        alt = el.get("alt") or ""
        return ir.Image(media=name or "", alt=(ir.Text(text=alt),) if alt else (), width=el.get("width"),
                        height=el.get("height"), title=el.get("title") or None, source=src or None)

    # ------------------------------------------------------------------ blocks
    def blocks_of(self, nodes: list[object]) -> list[ir.Block]:
        """Blocks from a sequence of nodes: block elements map, runs of inline content become paragraphs."""
        from lxml import etree

        out: list[ir.Block] = []
        run: list[ir.Inline] = []

        def flush() -> None:
            if any(not (isinstance(n, ir.Text) and not n.text.strip()) and not isinstance(n, ir.LineBreak)
                   for n in run):
                out.append(_para(run))
            run.clear()

        for node in nodes:
            if isinstance(node, str):
                run.append(ir.Text(text=_ws(node)))
                continue
            assert isinstance(node, etree._Element)
            tag = str(node.tag).lower() if isinstance(node.tag, str) else ""
            slot = node.get("data-dp-slot") if tag == "span" else None
            if slot is not None and slot.isdigit():
                flush()
                out.extend(self.s.blocks(int(slot)))
            elif tag in BLOCK_TAGS or (tag == "img" and not run):
                flush()
                out.extend(self.block(node))
            else:
                run.extend(self.inline(node))
            if node.tail:
                run.append(ir.Text(text=_ws(node.tail)))
        flush()
        return out

    def children(self, el: object) -> list[object]:
        from lxml import etree

        assert isinstance(el, etree._Element)
        out: list[object] = [el.text] if el.text else []
        for child in el:
            out.append(child)
        return out

    def block(self, el: object) -> list[ir.Block]:
        return self._nested(el, lambda text: [_para([ir.Text(text=text)])], self._block)

    def _block(self, el: object) -> list[ir.Block]:
        from lxml import etree

        assert isinstance(el, etree._Element)
        tag = str(el.tag).lower()
        self.s.counts["elements"] += 1
        if tag in DROPPED:
            self.s.counts["dropped"] += 1
            return []
        anchor = el.get("id") or el.get("name")
        classes = set((el.get("class") or "").lower().split())
        match tag:
            case "h1" | "h2" | "h3" | "h4" | "h5" | "h6":
                kids = _trim(self.inlines_of(el))
                ok = anchor if anchor and re.fullmatch(r"[A-Za-z_][\w.-]*", anchor) else None
                pre = [_anchor(anchor)] if anchor and not ok else []
                return [ir.Heading(level=int(tag[1]), children=(*pre, *kids), id=ok)]
            case "p" | "address" | "dt" | "figcaption" | "summary":
                kids = _trim(self.inlines_of(el))
                if anchor:
                    kids = (_anchor(anchor), *kids)
                pictures = [k for k in kids if isinstance(k, ir.Image)]
                if pictures and all(isinstance(k, ir.Image | ir.LineBreak) or (isinstance(k, ir.Text) and
                                                                               not k.text.strip()) for k in kids):
                    return [ir.Figure(images=tuple(pictures))]
                if not kids or all(isinstance(k, ir.Text) and not k.text.strip() for k in kids):
                    return []
                return [_para(list(kids))]
            case "img":
                return [ir.Figure(images=(self.image(el),))]
            case "ul" | "ol":
                return [self.list_block(el, tag == "ol")]
            case "li" | "dd":
                return self.blocks_of(self.children(el))
            case "dl":
                return [ir.ListBlock(items=tuple(ir.ListItem(blocks=tuple(self.block(c)))
                                                 for c in el if isinstance(c.tag, str)))]
            case "table":
                return [self.table(el)]
            case "blockquote":
                return [ir.BlockQuote(blocks=tuple(self.blocks_of(self.children(el))), lang=el.get("lang"))]
            case "pre":
                return [ir.CodeBlock(text=_text_of(el).strip("\n"))]
            case "hr":
                return [ir.Div(blocks=(), classes=("rule",))]
            case "details":
                summary = el.find("summary")
                title = tuple(_trim(self.inlines_of(summary))) if summary is not None else ()
                if summary is not None:
                    tail = summary.tail
                    el.remove(summary)
                    rest = ([tail] if tail else []) + self.children(el)
                else:
                    rest = self.children(el)
                return [ir.Box(title=title, blocks=tuple(self.blocks_of(rest)), lang=el.get("lang"),
                               id=anchor if anchor and re.fullmatch(r"[A-Za-z_][\w.-]*", anchor) else None)]
            case "figure":
                inner = self.blocks_of([c for c in self.children(el)
                                        if isinstance(c, str) or str(getattr(c, "tag", "")).lower() != "figcaption"])
                cap = el.find("figcaption")
                caption = tuple(_trim(self.inlines_of(cap))) if cap is not None else ()
                images = [i for b in inner if isinstance(b, ir.Figure) for i in b.images]
                if images and all(isinstance(b, ir.Figure) for b in inner):
                    return [ir.Figure(images=tuple(images), caption=caption)]
                return inner + ([_para(list(caption))] if caption else [])
            case _:
                if classes & ADMONITION:
                    return [self.admonition(el, classes)]
                inner = self.blocks_of(self.children(el))
                lang = el.get("lang")
                if anchor or lang:
                    ok = anchor if anchor and re.fullmatch(r"[A-Za-z_][\w.-]*", anchor) else None
                    return [ir.Div(blocks=tuple(inner), id=ok, lang=lang)]
                return inner

    def admonition(self, el: object, classes: set[str]) -> ir.Box:
        """``<div class="admonition note"><p class="admonition-title">…`` (MkDocs' HTML) and the like."""
        from lxml import etree

        assert isinstance(el, etree._Element)
        title: tuple[ir.Inline, ...] = ()
        nodes = self.children(el)
        for child in el:
            if not isinstance(child.tag, str):
                continue
            cls = (child.get("class") or "").lower()
            if "title" in cls or str(child.tag).lower() in ("h1", "h2", "h3", "h4", "h5", "h6", "summary"):
                title = tuple(_trim(self.inlines_of(child)))
                nodes = [n for n in nodes if n is not child]
                if child.tail:
                    nodes.insert(nodes.index(child.getnext()) if child.getnext() in nodes else len(nodes),
                                 child.tail)
            break
        if not title:
            kind = next((c for c in sorted(classes & ADMONITION) if c not in ("admonition", "box", "custom-block")),
                        "note")
            title = (ir.Text(text=kind.capitalize()),)
        return ir.Box(title=title, blocks=tuple(self.blocks_of(nodes)), lang=el.get("lang"))

    def list_block(self, el: object, ordered: bool) -> ir.ListBlock:
        from lxml import etree

        assert isinstance(el, etree._Element)
        try:
            start = int(el.get("start") or 1)
        except ValueError:
            start = 1
        kind = el.get("type") if ordered else None
        items: list[ir.ListItem] = []
        for li in el:
            if not isinstance(li.tag, str):
                continue
            blocks = tuple(self.block(li))
            value = li.get("value")
            if value and value.isdigit() and not items:
                start = int(value)
            label = _label(start + len(items), kind) if kind in ("a", "A", "i", "I") else None
            items.append(ir.ListItem(blocks=blocks, label=label))
        return ir.ListBlock(items=tuple(items), ordered=ordered, start=max(start, 0))

    def table(self, el: object) -> ir.Table:
        from lxml import etree

        assert isinstance(el, etree._Element)
        rows: list[tuple[ir.Cell, ...]] = []
        head_rows = 0
        caption: tuple[ir.Inline, ...] = ()
        for part in el:
            if not isinstance(part.tag, str):
                continue
            tag = str(part.tag).lower()
            if tag == "caption":
                caption = tuple(_trim(self.inlines_of(part)))
                continue
            trs = [part] if tag == "tr" else [r for r in part if isinstance(r.tag, str) and r.tag.lower() == "tr"]
            for tr in trs:
                cells = []
                for td in tr:
                    if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                        continue
                    cells.append(ir.Cell(blocks=tuple(self.blocks_of(self.children(td))),
                                         colspan=_span(td.get("colspan")), rowspan=_span(td.get("rowspan")),
                                         header=td.tag.lower() == "th"))
                if tag == "thead" or (len(rows) == head_rows and cells and all(c.header for c in cells)):
                    head_rows += 1
                rows.append(tuple(cells))
        return ir.Table(rows=tuple(rows), caption=caption, head_rows=head_rows)


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 1000)
    except ValueError:
        return 1


def _label(n: int, kind: str | None) -> str:
    from .word_numbering import format_number

    fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(kind or "", "decimal")
    return f"{format_number(n, fmt)}."


def _text_of(el: object) -> str:
    from lxml import etree

    assert isinstance(el, etree._Element)
    return "".join(t for t in el.itertext() if isinstance(t, str))


def _ws(text: str) -> str:
    """HTML's white space: runs become one space (the spacing transform removes those between Han)."""
    return re.sub(r"[ \t\r\n\f]+", " ", text)


def _anchor(name: str) -> ir.Span:
    """A link target with no content of its own (``<a name>``, an ``id``): the ids transform moves it onto its
    block."""
    return ir.Span(children=(), classes=("anchor",), attrs=(("id", name[:200]),))


def _trim(nodes: list[ir.Inline]) -> tuple[ir.Inline, ...]:
    out = list(nodes)
    while out and (isinstance(out[-1], ir.LineBreak) or (isinstance(out[-1], ir.Text) and not out[-1].text.strip())):
        out.pop()
    if out and isinstance(out[0], ir.Text):
        out[0] = ir.Text(text=out[0].text.lstrip())
    if out and isinstance(out[-1], ir.Text):
        out[-1] = ir.Text(text=out[-1].text.rstrip())
    return tuple(n for n in out if not (isinstance(n, ir.Text) and not n.text))


def _para(nodes: list[ir.Inline]) -> ir.Para:
    return ir.Para(children=_trim(nodes))


def html_blocks(html: str, slots: Slots) -> list[ir.Block]:
    """The blocks of an HTML fragment whose Markdown pieces are ``slots``."""
    return _Mapper(slots).blocks_of(_parse(html))


def html_inlines(html: str, slots: Slots) -> list[ir.Inline]:
    """The inlines of an HTML fragment whose Markdown pieces are ``slots``."""
    m = _Mapper(slots)
    out: list[ir.Inline] = []
    for node in _parse(html):
        out.extend(m.inline(node))
        tail = getattr(node, "tail", None)
        if tail:
            out.append(ir.Text(text=_ws(tail)))
    return out


def slot(n: int) -> str:
    """The placeholder for the ``n``-th Markdown piece."""
    return f'<span data-dp-slot="{n}"></span>'
