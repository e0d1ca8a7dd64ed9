"""HTML5 and EPUB 3 structure that pandoc's readers print as raw text or flatten, rewritten before they read it.

Mappings (on the parsed tree, any namespace): ``hgroup`` → its children (the heading stays a heading, the
subtitle a paragraph); ``details``/``summary`` → ``div.box`` whose ``div.box-title`` holds the summary (a titled
box); an ``object`` or ``embed`` showing a picture (``type="image/…"``, or data named ``*.svg``, ``*.png``…: the W3C
PNG specification's SVG figures) → ``img`` with its id and size, its fallback text the ``alt`` (pandoc keeps only
the fallback); ``ruby`` → ``span.ruby`` with the annotation in brackets after its base (``漢(kan)``); a note call
(``epub:type="noteref"``, ``role="doc-noteref"``, ``a.footnote-ref`` of Python-Markdown, kramdown and pandoc,
``rel="footnote"``) → ``span.noteref`` naming its note; a note body (``epub:type`` ``footnote``/``endnote``/
``rearnote``/``note``, ``role="doc-footnote"``/``doc-endnote``, an item of a list in an endnotes section, or an
element a call of the same file names) → ``div.dp-footnote`` with the note's id, its back links
(``epub:type="backlink"``, ``role="doc-backlink"``, ``footnote-backref``) dropped; a list that held only notes
goes, and so does an endnotes section's own heading (every output titles its notes itself). ``time`` and
``mark`` pandoc reads itself (text, ``span.mark``). An ``svg`` that only frames one picture → ``img``.

A document with none of these is returned as it came; one that does not parse is too (pandoc reads it as is).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Note bodies by ``epub:type`` (EPUB 3 Structural Semantics) and by ARIA ``role`` (DPUB-ARIA).
NOTE_TYPES = frozenset({"footnote", "endnote", "rearnote", "note"})
NOTE_ROLES = frozenset({"doc-footnote", "doc-endnote"})
NOTES_SECTION_TYPES = frozenset({"footnotes", "endnotes", "rearnotes"})
NOTES_SECTION_ROLES = frozenset({"doc-endnotes", "doc-footnotes"})
#: Note calls and back links by class: Python-Markdown and kramdown (``footnote-ref``, ``footnote-backref``),
#: pandoc's own HTML (``footnote-ref``, ``footnote-back``)
NOTEREF_CLASSES = frozenset({"footnote-ref"})
BACKLINK_CLASSES = frozenset({"footnote-backref", "footnote-back", "reversefootnote"})
_TRIGGER = re.compile(r"<(?:hgroup|details|ruby|object|embed)\b|noteref|endnote|footnote|rearnote|<(?:svg:)?image\b",
                      re.IGNORECASE)
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: What an SVG that only frames a picture holds beside its one ``image`` (calibre's and Sigil's title pages)
_SVG_FRAME = frozenset({"svg", "image", "title", "desc"})
EPUB_NS = "http://www.idpf.org/2007/ops"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "hgroup"})
#: What an ``object``/``embed`` shows, when it names no ``type``: a picture by its name
_PICTURE_NAME = re.compile(r"\.(?:svgz?|png|jpe?g|gif|webp|avif|bmp)(?:[?#].*)?$", re.IGNORECASE)


@dataclass
class Counts:
    """What :func:`restructure` rewrote."""

    hgroups: int = 0
    details: int = 0
    ruby: int = 0
    objects: int = 0
    noterefs: int = 0
    notes: int = 0
    note_headings: int = 0
    svg_pictures: int = 0


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _types(el: object) -> set[str]:
    from lxml import etree

    assert isinstance(el, etree._Element)
    value = el.get(f"{{{EPUB_NS}}}type") or el.get("epub:type") or ""
    return {t.rsplit(":", 1)[-1] for t in value.lower().split()}


def _roles(el: object) -> set[str]:
    from lxml import etree

    assert isinstance(el, etree._Element)
    return set((el.get("role") or "").lower().split())


def _text_before(el: object, text: str) -> None:
    """``text`` added just before ``el``: to the tail of the node before it, or to its parent's text."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    parent = el.getparent()
    if not text or parent is None:
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _unwrap(el: object) -> None:
    """Replace ``el`` by its content (text, children, tail kept in place)."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    _text_before(el, el.text or "")
    for k, child in enumerate(list(el)):
        parent.insert(index + k, child)
    _text_before(el, el.tail or "")  # after its last child, now the node before it
    parent.remove(el)


def _remove(el: object) -> None:
    """Remove ``el`` but keep its tail text."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    parent = el.getparent()
    if parent is None:
        return
    _text_before(el, el.tail or "")
    parent.remove(el)


def _tag(like: object, local: str) -> str:
    """The tag ``local`` in the namespace of the element ``like`` (XHTML's, or none in HTML)."""
    from lxml import etree

    assert isinstance(like, etree._Element)
    tag = like.tag
    ns = tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else None
    return f"{{{ns}}}{local}" if ns else local


def restructure(root: object) -> Counts:
    """Rewrite the HTML5/EPUB structures of :mod:`this module <.html5>` in place, pass by pass: note calls and
    back links, note bodies, lists of notes, then headings of notes sections, ``hgroup``, ``details``, ``ruby``."""
    from lxml import etree

    assert isinstance(root, etree._Element)
    counts = Counts()
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    in_notes = _in_notes_sections(elements)
    targets = _calls(elements, counts)
    _note_bodies(root, elements, in_notes, targets, counts)
    for el in elements:
        local = _local(el.tag)
        if local in ("ol", "ul") and len(el) and all(_local(c.tag) == "div" and c.get("class") == "dp-footnote"
                                                     for c in el if isinstance(c.tag, str)):
            _unwrap(el)  # an endnotes list whose items were all notes: the notes are numbered by the writers
    for el in elements:
        local = _local(el.tag)
        if el.getparent() is None:
            continue
        types, roles = _types(el), _roles(el)
        if (types & NOTES_SECTION_TYPES or roles & NOTES_SECTION_ROLES) and any(
                c.get("class") == "dp-footnote" for c in el.iter() if isinstance(c.tag, str)):
            for child in list(el):
                if isinstance(child.tag, str) and _local(child.tag) in _HEADINGS:
                    _remove(child)
                    counts.note_headings += 1
        elif local == "hgroup":
            _unwrap(el)
            counts.hgroups += 1
        elif local == "details":
            _details(el)
            counts.details += 1
        elif local == "ruby":
            _ruby(el)
            counts.ruby += 1
        elif local == "svg" and _svg_picture(el):
            counts.svg_pictures += 1
        elif local in ("object", "embed") and object_picture(el):
            counts.objects += 1
    return counts


def _svg_picture(el: object) -> bool:
    """An ``svg`` that only frames one raster picture (``<svg><image xlink:href="cover.jpg"/></svg>``, the title
    page calibre and Sigil write) → ``img`` of that picture, its ``title`` the alternative text. pandoc keeps such
    an SVG as raw HTML, which came out as its markup in a code block and no picture. True when rewritten."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    inner = [c for c in el.iter() if isinstance(c.tag, str)]
    images = [c for c in inner if _local(c.tag) == "image"]
    if len(images) != 1 or any(_local(c.tag) not in _SVG_FRAME for c in inner):
        return False
    href = images[0].get(XLINK_HREF) or images[0].get("href")
    parent = el.getparent()
    if not href or parent is None:
        return False
    title = next((c for c in inner if _local(c.tag) == "title"), None)
    img = etree.Element(_tag(parent, "img"))
    img.set("src", href)
    img.set("alt", " ".join("".join(title.itertext()).split()) if title is not None else "")
    img.tail = el.tail
    parent.replace(el, img)
    return True


def _in_notes_sections(elements: list[Any]) -> set[object]:
    """The items of a notes section's lists (Standard Ebooks' endnotes: ``<li id>`` in a section)."""
    in_notes: set[object] = set()
    for el in elements:
        types, roles = _types(el), _roles(el)
        if types & NOTES_SECTION_TYPES or roles & NOTES_SECTION_ROLES:
            for lst in el.iter():
                if _local(lst.tag) in ("ol", "ul") and lst.getparent() is el:
                    in_notes.update(c for c in lst if _local(c.tag) == "li")
    return in_notes


def _calls(elements: list[Any], counts: Counts) -> set[str]:
    """Note calls become ``span.noteref`` naming their note, back links go; the ids the calls name."""
    targets: set[str] = set()
    for el in elements:
        local = _local(el.tag)
        types, roles = _types(el), _roles(el)
        classes = set((el.get("class") or "").split())
        if local == "a" and ("noteref" in types or "doc-noteref" in roles or classes & NOTEREF_CLASSES
                             or el.get("rel") == "footnote"):
            href = el.get("href") or ""
            if "#" in href:
                tail = el.tail
                attrs = dict(el.attrib)
                for key in attrs:
                    del el.attrib[key]
                el.tag = _tag(el, "span")
                el.set("class", "noteref")
                el.set("data-target", href.split("#", 1)[1])
                targets.add(href.split("#", 1)[1])
                el.tail = tail
                counts.noterefs += 1
        elif local == "a" and ("backlink" in types or "doc-backlink" in roles or classes & BACKLINK_CLASSES
                               or el.get("rev") == "footnote"):
            _remove(el)
    return targets


def _note_bodies(root: object, elements: list[Any], in_notes: set[object], targets: set[str],
                 counts: Counts) -> None:
    """Note bodies (by type or role, items of a notes section, or named by a call) become ``div.dp-footnote``."""
    from lxml import etree

    for el in elements:
        local = _local(el.tag)
        if el.getparent() is None and el is not root:
            continue
        types, roles = _types(el), _roles(el)
        note = types & NOTE_TYPES or roles & NOTE_ROLES or el in in_notes or el.get("id") in targets
        if el.get("id") and note and local in ("li", "aside", "div", "section", "p", "article"):
            note_id = el.get("id") or ""
            if local == "p":
                inner = etree.Element(_tag(el, "p"))
                assert isinstance(inner, etree._Element)
                inner.text, el.text = el.text, None
                for child in list(el):
                    inner.append(child)
                el.append(inner)
            el.tag = _tag(el, "div")
            for key in list(el.attrib):
                del el.attrib[key]
            el.set("class", "dp-footnote")
            el.set("id", note_id)
            counts.notes += 1


def _details(el: object) -> None:
    """``details`` → ``div.box`` whose ``div.box-title`` holds the summary as a paragraph."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    summary = next((c for c in el if _local(c.tag) == "summary"), None)
    el.tag = _tag(el, "div")
    el.set("class", " ".join(filter(None, ["box", "details", el.get("class") or ""])))
    el.attrib.pop("open", None)
    if summary is not None:
        title = etree.Element(_tag(el, "div"))
        assert isinstance(title, etree._Element)
        title.set("class", "box-title")
        summary.tag = _tag(el, "p")
        tail = summary.tail
        summary.tail = None
        index = el.index(summary)
        el.remove(summary)
        title.append(summary)
        el.insert(index, title)
        title.tail = tail


def object_picture(el: object) -> bool:
    """An ``object``/``embed`` that shows a picture → ``img`` (False, untouched, for anything else: a plug-in, a
    page, a video). An object nested in such an object is its fallback and goes with the rest of it."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    local = _local(el.tag)
    src = (el.get("data") if local == "object" else el.get("src")) or ""
    kind = (el.get("type") or "").strip().lower()
    if not src.strip() or not (kind.startswith("image/") if kind else _PICTURE_NAME.search(src.strip())):
        return False
    if any(_local(a.tag) == "object" and a.get("data") for a in el.iterancestors()):
        return False  # inside another object's fallback: that object is the picture
    alt = " ".join("".join(el.itertext()).split()) if local == "object" else ""
    keep = {k: v for k in ("id", "class", "width", "height", "style", "title") if (v := el.get(k))}
    tail = el.tail
    el.clear()  # the fallback (text, a nested object, an <img>) gives way to the picture
    el.tag = _tag(el, "img")
    el.set("src", src.strip())
    el.set("alt", alt or keep.get("title", ""))
    for key, value in keep.items():
        el.set(key, value)
    el.tail = tail
    return True


def _ruby(el: object) -> None:
    """``<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>`` → ``<span class="ruby">漢(kan)</span>``."""
    from lxml import etree

    assert isinstance(el, etree._Element)
    for rp in [c for c in el if _local(c.tag) == "rp"]:
        _remove(rp)
    for rt in [c for c in el if _local(c.tag) == "rt"]:
        rt.tag = _tag(el, "span")
        rt.set("class", "rt")
        rt.text = "(" + (rt.text or "")
        if len(rt):
            rt[-1].tail = (rt[-1].tail or "") + ")"
        else:
            rt.text += ")"
    for rb in [c for c in el if _local(c.tag) in ("rb", "rtc")]:
        _unwrap(rb)
    el.tag = _tag(el, "span")
    el.set("class", "ruby")


def prepare(text: str, *, xml: bool) -> tuple[str, Counts]:
    """``text`` (an HTML page, or an EPUB's XHTML when ``xml``) with its HTML5/EPUB structures rewritten."""
    counts = Counts()
    if not _TRIGGER.search(text):
        return text, counts
    from lxml import etree, html

    try:
        if xml:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)
            root = etree.fromstring(text.encode("utf-8"), parser)
            counts = restructure(root)
            if not any(vars(counts).values()):
                return text, counts
            head = re.match(r"\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", text)
            prefix = re.sub(r"<\?xml[^>]*\?>", "", head.group(0)) if head else ""
            return prefix + etree.tostring(root, encoding="unicode"), counts
        page = html.document_fromstring(text)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return text, counts
    counts = restructure(page)
    if not any(vars(counts).values()):
        return text, counts
    return html.tostring(page, encoding="unicode", doctype="<!DOCTYPE html>"), counts


_HEAD_OR_BODY = re.compile(r"<(?:head|body)[\s>]", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>.*?</title\s*>", re.IGNORECASE | re.DOTALL)


def implied_head(text: str) -> str:
    """``text`` with the ``head`` HTML5 lets a page leave implied (``<!DOCTYPE html><meta charset=utf-8><title>…``,
    no ``<head>`` or ``<body>`` tag) written out around everything up to its ``title``: pandoc reads a title only
    inside an explicit ``head``, so such a page came out untitled. Any other page is returned as it came."""
    if _HEAD_OR_BODY.search(text):
        return text
    m = _TITLE.search(text)
    if not m:
        return text
    start = re.match(r"\s*(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?(?:<html[^>]*>\s*)?", text,
                     re.IGNORECASE | re.DOTALL)
    cut = start.end() if start else 0
    if cut > m.start():
        cut = m.start()
    return f"{text[:cut]}<head>{text[cut:m.end()]}</head><body>{text[m.end():]}"
