"""Pictures a document carries: sniffed, size-checked and sanitised once, when a reader takes them in.

Every picture becomes an :class:`ir.Media` named by its content (``<sha256 prefix>.<ext>``), so the same file
used twice is stored once and names never depend on the source's paths. Raster pictures are opened with
Pillow only to read their header (size, resolution) and checked against ``--max-image-pixels``: a
decompression bomb is refused before any pixel is decoded. SVG is parsed without DTD or entities and
rewritten without scripts, event handlers, foreign objects or any reference that leaves the file, its ids made
XML names unique in the file (EPUB refuses ``a:b``, ``.x``, ``1`` and repeats). A site-root reference
(``/img/x.png``) is read from the resource root. Word's
EMF/WMF pictures are converted to PNG by LibreOffice headless when it is installed; otherwise they are kept
(the DOCX writer embeds them) and other writers draw a visible placeholder.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import ir
from .diagnostics import Diagnostics
from .errors import LimitError
from .guard import split_url
from .options import Options
from .units import parse_length
from .xmlops import detach

#: media type -> file extension of the names we give
EXTENSIONS: dict[str, str] = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "image/svg+xml": "svg",
    "image/bmp": "bmp", "image/tiff": "tiff", "image/x-emf": "emf", "image/x-wmf": "wmf",
}
#: what every writer can show as it is (the rest is converted or replaced by a placeholder)
WEB_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})
#: what EPUB 3 lists as core media types
EPUB_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})
#: what a Word drawing can embed
DOCX_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/x-emf",
                        "image/x-wmf"})

SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}href"
MAX_SVG_ELEMENTS = 20000


#: The first bytes of each picture format known by them alone (no two share a first byte, so order is free).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
    (b"\xd7\xcd\xc6\x9a", "image/x-wmf"), (b"\x01\x00\x09\x00\x00\x03", "image/x-wmf"),
    (b"\x02\x00\x09\x00\x00\x03", "image/x-wmf"),
)


def sniff(data: bytes) -> str | None:
    """The media type of ``data`` from its first bytes, or None when it is no picture we know."""
    head = data[:512]
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"\x01\x00\x00\x00" and head[40:44] == b" EMF":
        return "image/x-emf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096]:
        return "image/svg+xml"
    return None


@dataclass
class MediaTable:
    """The media a reader collects: one entry per distinct content, in order of first use."""

    options: Options
    diag: Diagnostics
    file: str
    items: dict[str, ir.Media] = field(default_factory=dict)
    total: int = 0

    def add(self, data: bytes, source: str, declared: str | None = None) -> str | None:
        """Take in a picture's bytes; its media name, or None (with a diagnostic) when it is refused."""
        if len(data) > self.options.max_image_bytes:
            self.diag.emit("media-refused", f"{source}: {len(data)} bytes, over --max-image-bytes "
                           f"({self.options.max_image_bytes})")
            return None
        digest = hashlib.sha256(data).hexdigest()
        for m in self.items.values():
            if m.sha256 == digest:
                return m.name
        if len(self.items) >= self.options.max_media:
            raise LimitError(f"more than {self.options.max_media} pictures", file=self.file,
                             expected="fewer pictures or a higher --max-media")
        self.total += len(data)
        if self.total > self.options.max_expanded_bytes:
            raise LimitError(f"pictures total more than {self.options.max_expanded_bytes} bytes", file=self.file,
                             expected="a smaller document or a higher --max-expanded-bytes")
        kind = sniff(data) or declared
        if kind is None or kind not in EXTENSIONS:
            self.diag.emit("media-refused", f"{source}: not a picture docpipe knows (PNG, JPEG, GIF, WebP, SVG, "
                           "BMP, TIFF, EMF, WMF)")
            return None
        width = height = dpi = None
        if kind == "image/svg+xml":
            repaired: list[str] = []
            try:
                data, (width, height) = sanitize_svg(data, repaired)
            except ValueError as exc:
                self.diag.emit("media-refused", f"{source}: {exc}")
                return None
            if repaired:
                self.diag.emit("svg-repaired", f"{source}: {len(repaired)} attribute(s) with a number that is not "
                               f"one (NaN, Infinity) dropped, as browsers ignore them: {'; '.join(repaired[:3])}")
            digest = hashlib.sha256(data).hexdigest()
        elif kind not in ("image/x-emf", "image/x-wmf"):
            try:
                width, height, dpi = raster_size(data, self.options)
            except ValueError as exc:
                self.diag.emit("media-refused", f"{source}: {exc}")
                return None
        name = f"{digest[:16]}.{EXTENSIONS[kind]}"
        self.items[name] = ir.Media(name=name, media_type=kind, data=data, sha256=digest, width=width,
                                    height=height, dpi=dpi, source=source)
        return name

    def media(self) -> tuple[ir.Media, ...]:
        """The collected media, metafiles converted to PNG where LibreOffice can."""
        return convert_metafiles(tuple(self.items.values()), self.options, self.diag)


def raster_size(data: bytes, options: Options) -> tuple[int, int, int | None]:
    """(width, height, dpi) from a raster picture's header; ValueError when it is broken or too large."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = options.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as im:
                width, height = im.size
                if width * height > options.max_image_pixels:
                    raise ValueError(f"{width}×{height} pixels, over --max-image-pixels ({options.max_image_pixels})")
                dpi_info = im.info.get("dpi")
                im.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"a decompression bomb ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError) as exc:
        raise ValueError(f"a broken picture ({exc})") from exc
    dpi = None
    if isinstance(dpi_info, tuple) and dpi_info and isinstance(dpi_info[0], int | float) and 10 <= dpi_info[0] <= 4800:
        dpi = round(dpi_info[0])
    return width, height, dpi


#: CSS pixels per unit of the lengths an SVG may give its size in.
PX_PER = {"px": 1.0, "pt": 96 / 72, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


def _length(value: str | None) -> int | None:
    """An SVG's ``width`` or ``height`` in CSS pixels, or None when absent, unusable or out of range."""
    length = parse_length(value, PX_PER)
    if length is None:
        return None
    n, unit = length
    size = round(n * PX_PER[unit or "px"])
    return size if 0 < size <= 100000 else None


#: SVG elements kept (static SVG 1.1/2 and harmless animation); any other element, and every element outside the
#: SVG namespace (editors' metadata, ``foreignObject`` content, XHTML), is removed with what it holds.
SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "desc", "title", "symbol", "use", "image", "switch", "a", "view", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "tref",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter",
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence", "solidColor", "hatch", "hatchpath",
    "animate", "animateTransform", "animateMotion", "animateColor", "set", "mpath",
})
#: Animation elements: kept only when the attribute they change is a presentation or geometry attribute.
SVG_ANIMATIONS = frozenset({"animate", "animateTransform", "animateMotion", "animateColor", "set"})
#: Attributes (no namespace) kept on SVG elements: geometry, presentation, text, gradients, filters, animation
#: timing. ``href`` is checked by what it points at; ``style`` by its CSS; no event handler is in the list.
SVG_ATTRIBUTES = frozenset("""
id class style transform viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry fx fy fr d points
pathLength version baseProfile zoomAndPan lang tabindex requiredFeatures requiredExtensions systemLanguage
fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin stroke-miterlimit
stroke-dasharray stroke-dashoffset opacity color color-interpolation color-interpolation-filters color-rendering
color-profile display visibility overflow clip clip-path clip-rule mask filter marker marker-start marker-mid
marker-end shape-rendering text-rendering image-rendering vector-effect paint-order mix-blend-mode isolation
font font-family font-size font-size-adjust font-stretch font-style font-variant font-weight font-feature-settings
text-anchor text-decoration letter-spacing word-spacing writing-mode direction unicode-bidi dominant-baseline
alignment-baseline baseline-shift kerning glyph-orientation-horizontal glyph-orientation-vertical dx dy rotate
textLength lengthAdjust startOffset method spacing side white-space line-height
gradientUnits gradientTransform spreadMethod offset stop-color stop-opacity patternUnits patternContentUnits
patternTransform clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY orient
filterUnits primitiveUnits in in2 result mode type values operator k1 k2 k3 k4 order kernelMatrix divisor bias
targetX targetY edgeMode kernelUnitLength preserveAlpha surfaceScale diffuseConstant specularConstant
specularExponent lighting-color flood-color flood-opacity scale xChannelSelector yChannelSelector stdDeviation
radius azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle baseFrequency numOctaves seed stitchTiles
tableValues slope intercept amplitude exponent enable-background
attributeName attributeType begin dur end min max restart repeatCount repeatDur fill calcMode keyTimes keySplines
keyPoints from to by additive accumulate path
""".split())
#: Attributes an animation may change (never ``href``, ``style`` or an event handler).
SVG_ANIMATABLE = frozenset("""
x y x1 y1 x2 y2 cx cy r rx ry width height d points transform opacity fill fill-opacity stroke stroke-width
stroke-opacity stroke-dasharray stroke-dashoffset visibility display offset stop-color stop-opacity color
font-size letter-spacing rotate dx dy startOffset stdDeviation viewBox
""".split())
#: Elements whose ``href`` draws something (only ``#id`` inside the file, or a raster ``data:`` URL for pictures).
_SVG_FETCH = frozenset({"image", "feImage"})
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_CSS_ACTIVE = ("@import", "expression(", "javascript:", "vbscript:", "behavior", "-moz-binding", "</")


def css_inert(css: str) -> bool:
    """Whether CSS (a ``style`` attribute or element) refers to nothing outside the file and runs nothing:
    every ``url(…)`` is ``url(#id)``, no ``@import``, no scripting extensions."""
    low = re.sub(r"\\|/\*.*?\*/|\s", "", css.lower(), flags=re.S)
    if any(a in low for a in _CSS_ACTIVE):
        return False
    return all(m.startswith(("#", "'#", '"#')) for m in re.findall(r"url\((.{0,3})", low))


def _svg_href(local: str, value: str) -> bool:
    from .guard import url_allowed
    v = value.strip()
    if local == "a":
        return url_allowed(v, "link")
    if v.startswith("#"):
        return True
    return local in _SVG_FETCH and url_allowed(v, "picture") and v.lower().startswith("data:")


def _svg_expansion(root: Any, limit: int) -> int:
    """How many elements ``root`` draws once every ``<use>`` is expanded (counted up to ``limit + 1``); a
    ValueError for a ``<use>`` that reaches itself. Linear: each element's count is computed once."""
    from lxml import etree
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    def deps(el: Any) -> list[Any]:
        out = [c for c in el if isinstance(c.tag, str)]
        if etree.QName(el).localname == "use":
            ref = (el.get("href") or el.get(XLINK) or "").strip()
            target = ids.get(ref[1:]) if ref.startswith("#") else None
            if target is not None:
                out.append(target)
        return out

    memo: dict[Any, int] = {}
    open_: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        if done:
            memo[el] = min(limit + 1, 1 + sum(memo[d] for d in deps(el)))
            open_.discard(el)
            continue
        if el in memo:
            continue
        open_.add(el)
        stack.append((el, True))
        for d in deps(el):
            if d in open_:
                raise ValueError("an SVG whose <use> refers to itself")
            if d not in memo:
                stack.append((d, False))
    return memo[root]


#: An XML NCName (XML 1.0 fifth edition, without the colon): what an SVG ``id`` must be in EPUB (RSC-005 "must
#: be an XML name without colons") and in any namespace-aware XML reader.
_NAME_START = ("A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
               "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_NAME_MORE = "\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"


@functools.cache
def _names() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An NCName, and a character no name holds: compiled when an SVG first needs them (the two classes span
    the whole of Unicode: 17 ms of every process that imported them)."""
    return (re.compile(f"[{_NAME_START}][{_NAME_START}{_NAME_MORE}]*"), re.compile(f"[^{_NAME_START}{_NAME_MORE}]"))


#: ``url(#id)`` in an attribute or in CSS; ``#id`` in a CSS selector (an identifier, CSS escapes allowed).
_URL_REF = re.compile(r"""url\(\s*(['"]?)#([^'")\s]+)\1\s*\)""")
_CSS_ID = re.compile(r"#((?:[\w-]|\\[0-9A-Fa-f]{1,6}\s?|\\[^\n0-9A-Fa-f])+)")
#: A SMIL syncbase or event reference in ``begin``/``end`` (``anim1.end+1s``, ``rect2.click``).
_TIMING_REF = re.compile(r"(^|[;\s])([^;\s.+-][^;\s]*?)\.(begin|end|repeat\(|click|mouse|focus|activate|load)")


def _ncname(raw: str) -> str:
    """``raw`` as an NCName: characters no name may hold become ``_``; a name that cannot start as it does gets
    ``id-`` in front."""
    name, not_name = _names()
    out = not_name.sub("_", raw)
    return out if name.fullmatch(out) else "id-" + out


def _css_unescape(ident: str) -> str:
    return re.sub(r"\\([0-9A-Fa-f]{1,6})\s?|\\(.)", lambda m: chr(int(m.group(1), 16)) if m.group(1)
                  and 0 < int(m.group(1), 16) < 0x110000 else (m.group(2) or "\ufffd"), ident)


def _css_with_ids(css: str, renamed: dict[str, str]) -> str:
    """``css`` (a ``<style>`` element's text) with the ``#id`` of its selectors and its ``url(#id)`` following
    ``renamed``; a ``#`` inside a declaration (a colour, ``#fff``) is never touched."""
    out: list[str] = []
    stack: list[bool] = []  # one entry per open block: True when it holds declarations
    for tok in re.findall(r"[{}]|[^{}]+", css):
        if tok == "{":
            prelude = out[-1].strip() if out else ""
            stack.append(not prelude.startswith("@") or prelude.startswith(("@font-face", "@page")))
        elif tok == "}":
            if stack:
                stack.pop()
        elif stack and stack[-1]:
            tok = _URL_REF.sub(lambda m: f"url(#{renamed.get(m.group(2), m.group(2))})", tok)
        elif not tok.lstrip().startswith("@"):
            tok = _CSS_ID.sub(lambda m: "#" + renamed.get(_css_unescape(m.group(1)), m.group(1)), tok)
        out.append(tok)
    return "".join(out)


def _svg_ids(root: Any) -> int:
    """Make every ``id`` in the SVG an NCName, unique in the file, and follow them in every reference
    (``href``/``xlink:href`` ``#id``, ``url(#id)`` in attributes and ``<style>``, CSS ``#id`` selectors, SMIL
    ``begin``/``end``); returns how many ids changed.

    A repeated id keeps its first element, as a browser resolves a reference to the first one in document order;
    the later ones get fresh names nothing refers to. Pictures travel as files (``<img src>``, package items,
    ``word/media``), never inline, so unique within the file is unique enough.
    """
    from lxml import etree
    elements = [el for el in root.iter() if isinstance(el.tag, str) and el.get("id") is not None]
    ncname = _names()[0]
    taken = {el.get("id") for el in elements if ncname.fullmatch(el.get("id"))}
    renamed: dict[str, str] = {}  # an id the first element holding it changed: old -> new
    seen: set[str] = set()
    counters: dict[str, int] = {}
    changed = 0
    for el in elements:
        old = el.get("id")
        first = old not in seen
        seen.add(old)
        if first and ncname.fullmatch(old):
            continue
        base = _ncname(old)
        new = base
        if not first or new in taken:
            n = counters.get(base, 1)
            while new in taken:
                n += 1
                new = f"{base}-{n}"
            counters[base] = n
        taken.add(new)
        el.set("id", new)
        changed += 1
        if first:
            renamed[old] = new
    if not renamed:
        return changed

    def ref(m: re.Match[str]) -> str:
        return f"url(#{renamed.get(m.group(2), m.group(2))})"

    def timing(m: re.Match[str]) -> str:
        return m.group(1) + renamed.get(m.group(2), m.group(2)) + "." + m.group(3)

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            name = etree.QName(attr).localname
            if name == "href" and value.startswith("#") and value[1:] in renamed:
                el.set(attr, "#" + renamed[value[1:]])
            elif "url(" in value:
                el.set(attr, _URL_REF.sub(ref, value))
            elif name in ("begin", "end") and "." in value:
                el.set(attr, _TIMING_REF.sub(timing, value))
        if etree.QName(el).localname == "style" and el.text:
            el.text = _css_with_ids(el.text, renamed)
    return changed


#: A number no SVG renderer draws (a script's ``NaN``, ``Infinity``): an attribute holding one is in error, so
#: browsers ignore it (SVG 2, 4.6 "Attributes with invalid values"), where librsvg refuses the whole drawing.
_NOT_A_NUMBER = re.compile(r"(?<![\w.#-])[+-]?(?:nan|inf(?:inity)?)(?![\w-])", re.IGNORECASE)
#: Attributes whose values are text or names, never numbers (a font named Infinity stays).
_TEXT_ATTRIBUTES = frozenset({"id", "class", "font-family", "href", "lang", "title", "style", "media", "type",
                              "requiredExtensions", "systemLanguage", "role", "aria-label", "target"})


#: SVG's mixed-case names by their lower-case form: an HTML parser folds the case of an inline SVG's names (pandoc
#: writes ``viewbox``, ``lineargradient``), which SVG, being XML, does not recognise.
_SVG_CASE = {n.lower(): n for n in SVG_ELEMENTS | SVG_ATTRIBUTES if n != n.lower()}


def _parse_svg(data: bytes, parser: Any) -> Any:
    """``data`` parsed; an SVG inline in HTML (W3C i18n articles) may use ``xlink:href`` without declaring the
    prefix, which HTML's syntax declares for it: written out on its own (pandoc's data: URL) it gets the
    declaration back. ValueError if it is not well-formed."""
    from lxml import etree

    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if b"xlink:" not in data or b"xmlns:xlink" in data:
            raise ValueError(f"an SVG that is not well-formed XML ({exc})") from exc
        declared = re.sub(rb"<svg\b", b'<svg xmlns:xlink="' + _XLINK_NS.encode() + b'"', data, count=1)
        try:
            return etree.fromstring(declared, parser)
        except etree.XMLSyntaxError:
            raise ValueError(f"an SVG that is not well-formed XML ({exc})") from exc


def _svg_case(el: Any) -> str:
    """``el``'s local name, its name and attributes given back the case an HTML parser folded (:data:`_SVG_CASE`)."""
    from lxml import etree

    q = etree.QName(el)
    local = q.localname
    if local not in SVG_ELEMENTS and local in _SVG_CASE and q.namespace in (SVG_NS, None):
        local = _SVG_CASE[local]
        el.tag = f"{{{q.namespace}}}{local}" if q.namespace else local
    for attr in [a for a in el.attrib if "}" not in a and a not in SVG_ATTRIBUTES and a in _SVG_CASE]:
        if _SVG_CASE[attr] not in el.attrib:
            el.set(_SVG_CASE[attr], el.attrib.pop(attr))
    return local


def _dangling_references(root: Any) -> None:
    """References to an id the drawing does not hold (an inline SVG of a web page using a symbol another SVG of
    the page defines, W3C i18n's ``<use xlink:href="#arrowRight">``) dropped, a ``use`` with its reference:
    nothing to draw, and EPUBCheck's RSC-012."""
    from lxml import etree

    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        for attr in [a for a in el.attrib if etree.QName(a).localname == "href"]:
            value = el.get(attr, "").strip()
            if value.startswith("#") and value[1:] not in ids:
                up = el.getparent()
                if etree.QName(el).localname == "use" and up is not None:
                    up.remove(el)
                    break
                del el.attrib[attr]


def sanitize_svg(data: bytes, repaired: list[str] | None = None) -> tuple[bytes, tuple[int | None, int | None]]:
    """The SVG reduced to an allow-list of elements and attributes: no script, event handler, foreign content,
    animation of a link or outside reference survives; its size in px. An attribute whose numbers include NaN or
    Infinity is dropped, as browsers ignore it (a renderer would refuse the picture), and named in ``repaired``.

    A DOCTYPE without entities (as Illustrator writes) is dropped; entities are refused (no expansion bomb), and so
    is an SVG that would draw more than :data:`MAX_SVG_ELEMENTS` elements once its ``<use>`` references are
    expanded. Every ``id`` becomes an NCName unique in the file, its references following it (:func:`_svg_ids`).
    """
    from lxml import etree

    if b"<!ENTITY" in data or b"<!entity" in data:
        raise ValueError("an SVG that declares entities (refused)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    root = _parse_svg(data, parser)
    if not isinstance(root.tag, str) or etree.QName(root).localname != "svg" \
            or etree.QName(root).namespace not in (SVG_NS, None):
        raise ValueError("not an SVG document")
    count = 0
    for _el in root.iter():
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise ValueError(f"an SVG of more than {MAX_SVG_ELEMENTS} elements")
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)
            continue
        q = etree.QName(el)
        local = _svg_case(el)
        if q.namespace not in (SVG_NS, None) or local not in SVG_ELEMENTS:
            doomed.append(el)
            continue
        if local in SVG_ANIMATIONS:
            target = (el.get("attributeName") or "").split(":")[-1]
            values = " ".join(el.get(a, "") for a in ("from", "to", "by", "values"))
            if (local != "animateMotion" and target not in SVG_ANIMATABLE) or not css_inert(values) \
                    or ":" in values.replace("url(#", ""):
                doomed.append(el)
                continue
        for attr in list(el.attrib):
            aq = etree.QName(attr)
            value = el.attrib[attr]
            if aq.namespace is None:
                keep = aq.localname in SVG_ATTRIBUTES or aq.localname == "href"
            else:
                keep = (aq.namespace == _XML_NS and aq.localname in ("lang", "space")) or \
                    (aq.namespace == _XLINK_NS and aq.localname in ("href", "title"))
            if keep and aq.localname == "href":
                keep = _svg_href(local, value)
            if keep and (aq.localname == "style" or "url(" in value.lower()):
                keep = css_inert(value)
            if keep and aq.localname not in _TEXT_ATTRIBUTES and _NOT_A_NUMBER.search(value):
                keep = False
                if repaired is not None:
                    repaired.append(f'{local} {aq.localname}="{value[:60]}"')
            if not keep:
                del el.attrib[attr]
        if local == "style" and (len(el) or not css_inert(el.text or "")):
            doomed.append(el)
    for el in doomed:
        detach(el)  # the text that followed the removed element kept
    _svg_ids(root)
    _dangling_references(root)
    drawn = _svg_expansion(root, MAX_SVG_ELEMENTS)
    if drawn > MAX_SVG_ELEMENTS:
        raise ValueError(f"an SVG that would draw more than {MAX_SVG_ELEMENTS} elements once its <use> references "
                         "are expanded (a use bomb?)")
    etree.cleanup_namespaces(root)
    width, height = _length(root.get("width")), _length(root.get("height"))
    if (width is None or height is None) and root.get("viewBox"):
        try:
            parts = [float(x) for x in root.get("viewBox", "").replace(",", " ").split()]
            if len(parts) == 4 and parts[2] > 0 and parts[3] > 0:
                width, height = width or round(parts[2]), height or round(parts[3])
        except ValueError:
            pass
    return etree.tostring(root, encoding="utf-8", xml_declaration=True), (width, height)


def local_file(src: str, base_dir: str | None, diag: Diagnostics, *, root: str | None = None) -> Path | None:
    """The file a relative reference points at inside the document's folder (or ``root``, the
    ``--resource-root`` a user chose to allow, or the book the document belongs to), or None with a diagnostic.

    A site-root reference (``/img/x.png``, as GitHub, MkDocs and VuePress read it) is found under ``root``, else
    under the document's folder — never under the file system's root. Remote URLs, ``file:`` URLs, network paths
    (``//host``), drive letters and anything that leaves the folder — also through a symbolic link — are refused;
    nothing is ever fetched from the network.
    """
    if not src:
        return None
    parts = split_url(src)
    if parts is None:  # an unbalanced [ in what urllib takes for a host: no file name either
        diag.emit("external-resource-blocked", f"not read: {src[:100]} (not a file name or URL)")
        return None
    if parts.scheme or parts.netloc or src.startswith(("//", "\\", "/\\", "\\/")) \
            or (len(src) > 1 and src[1] == ":"):
        diag.emit("external-resource-blocked", f"not fetched: {src} (only files in the document's folder are read)")
        return None
    if base_dir is None:
        diag.emit("external-resource-blocked", f"not read: {src} (no document folder is known)")
        return None
    folder = Path(root or base_dir).resolve()
    site_root = src.startswith("/")
    path = unquote(parts.path)
    candidate = folder / path.lstrip("/") if site_root else Path(base_dir) / path
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # ValueError: a NUL in the name (``%00``)
        where = "beside the document"
        if site_root:
            where = "under the resource root" if root else "under the document's folder"
        diag.emit("media-missing", f"{src}: no such file {where}")
        return None
    if resolved != folder and folder not in resolved.parents:
        diag.emit("external-resource-blocked", f"not read: {src} (it leads outside the document's folder)")
        return None
    if not resolved.is_file():
        diag.emit("media-missing", f"{src}: not a regular file")
        return None
    return resolved


def read_local(path: Path, options: Options, diag: Diagnostics | None = None) -> bytes | None:
    """A picture file's bytes, read without following a final symbolic link, up to ``--max-image-bytes``.

    A file with more than one hard link is refused: a hard link made inside the folder can name a file from
    anywhere on the same disk, and no path check can tell.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    with os.fdopen(fd, "rb") as fh:
        import stat
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_nlink > 1:
            if diag is not None:
                diag.emit("external-resource-blocked", f"not read: {path.name} (a hard link, which may lead "
                          "outside the document's folder)")
            return None
        return fh.read(options.max_image_bytes + 1)


def convert_metafiles(media: tuple[ir.Media, ...], options: Options, diag: Diagnostics) -> tuple[ir.Media, ...]:
    """EMF/WMF pictures with a PNG rendering added beside them (LibreOffice headless), when it is installed.

    The converted PNG gets the metafile's name with ``.png`` appended, so writers that cannot show a
    metafile look for ``NAME.png`` and the DOCX writer still embeds the original.
    """
    metas = [m for m in media if m.media_type in ("image/x-emf", "image/x-wmf")]
    if not metas:
        return media
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        diag.emit("media-unsupported", f"{len(metas)} EMF/WMF picture(s) kept for DOCX only: LibreOffice is not "
                  "installed to convert them")
        return media
    out = list(media)
    with tempfile.TemporaryDirectory(prefix="docpipe-meta-") as tmp:
        for m in metas:
            (Path(tmp) / m.name).write_bytes(m.data)
        cmd = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "png", "--outdir", f"{tmp}/out", *[f"{tmp}/{m.name}" for m in metas]]
        try:
            subprocess.run(cmd, capture_output=True, timeout=options.tool_timeout, check=False,
                           env={**os.environ, "HOME": tmp})
        except (subprocess.TimeoutExpired, OSError) as exc:
            diag.emit("media-unsupported", f"EMF/WMF conversion failed ({exc}); kept for DOCX only")
            return media
        for m in metas:
            png = Path(tmp) / "out" / (m.name.rsplit(".", 1)[0] + ".png")
            if not png.is_file():
                diag.emit("media-unsupported", f"{m.source or m.name}: LibreOffice could not convert it; kept for "
                          "DOCX, a placeholder elsewhere")
                continue
            data = png.read_bytes()
            try:
                width, height, dpi = raster_size(data, options)
            except ValueError:
                continue
            out.append(ir.Media(name=m.name + ".png", media_type="image/png", data=data,
                                sha256=hashlib.sha256(data).hexdigest(), width=width, height=height, dpi=dpi,
                                source=m.source))
    return tuple(out)


def by_name(doc: ir.Document) -> dict[str, ir.Media]:
    """The document's media by name."""
    return {m.name: m for m in doc.media}


def shown(media: dict[str, ir.Media], name: str, allowed: frozenset[str]) -> ir.Media | None:
    """The medium a writer that takes ``allowed`` types shows for ``name``: itself, its PNG rendering, or None."""
    m = media.get(name)
    if m is None:
        return None
    if m.media_type in allowed:
        return m
    alt = media.get(name + ".png")
    return alt if alt is not None and alt.media_type in allowed else None


def placeholder(diag: Diagnostics, media: dict[str, ir.Media], node: ir.Image) -> str:
    """Report a picture a writer shows as a placeholder (refused, missing, or of a type it cannot draw); the text
    the placeholder shows."""
    from .walk import plain
    what = plain(node.alt) or node.source or "picture"
    reason = "refused or missing" if not node.media or node.media not in media else \
        f"{media[node.media].media_type} cannot be shown here"
    diag.emit("media-placeholder", f"a placeholder for {what[:60]} ({reason})")
    return what


def used_media(doc: ir.Document) -> list[str]:
    """The names of the media the document's images use, in order of first use."""
    from .walk import iter_inlines_all
    seen: dict[str, None] = {}
    for node in iter_inlines_all(doc):
        if isinstance(node, ir.Image) and node.media:
            seen.setdefault(node.media, None)
    return list(seen)
