"""The guard every reader's output passes before anything else sees it: text XML can carry, safe links,
bounded depth and table spans. One linear walk; repairs are diagnostics, limits are one-line errors.

* Text: C0/C1 control characters (but tab and newline), Unicode non-characters and lone surrogates are
  removed — no format can carry them and a terminal would act on them — and counted in one diagnostic.
  A document is never refused for a stray byte.
* Links: only ``http``, ``https``, ``mailto`` and in-document ``#id`` targets stay links; a relative reference to
  another file (``other.md``, ``../dir/x.md#a``) becomes a ``file-link`` span that HTML and Markdown write back as
  a relative link and the one-file formats (EPUB, DOCX, PDF, TEI) show as text with a diagnostic; any other
  (``javascript:``, ``vbscript:``, ``data:``, ``file:``, ``//host``…) becomes plain text with a diagnostic, so no
  output ever holds an active link the reader did not ask for. One URL policy, :func:`url_allowed`, serves every
  route; :func:`link_kind` says which of these a link target is.
* Attributes a source's own vocabulary keeps (TEI ``@target``, ``@facs``…) lose event handlers and values with an
  active scheme; a picture's ``source`` never carries a ``data:`` payload into a placeholder.
* Depth: blocks and inlines nested deeper than ``--max-depth`` are refused.
* Tables: a ``colspan``/``rowspan`` over ``--max-table-span`` or a grid of more than ``--max-table-cells`` cells
  is refused (a million-column span would otherwise be a million Word cells).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import SplitResult, unquote, urlsplit

from . import ir
from .diagnostics import Diagnostics
from .errors import LimitError
from .options import Options
from .walk import kept
from .xmlops import detach

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

#: What a text may not hold: C0 controls but tab/LF/CR, DEL and C1 controls, surrogates, non-characters.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                       "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
                       "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
                       "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
                       "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_text(text: str) -> str:
    """``text`` without the characters no output can carry."""
    return BAD_CHARS.sub("", text)


#: Invisible characters a browser strips from a URL before it reads the scheme (``java\tscript:``).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
#: Schemes that run code or show a document of their own wherever they are followed: never kept in any output.
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha", "data", "file", "jar", "view-source",
                            "blob", "filesystem", "ms-its", "mhtml", "res", "about", "chrome", "wyciwyg"})
#: Pictures a writer may embed as a ``data:`` URL (never SVG or HTML in a data: URL: they can carry script).
_DATA_PICTURE = re.compile(r"data:image/(?:png|jpeg|gif|webp)(?:;[A-Za-z0-9=._-]*)*,", re.I)


def split_url(value: str) -> SplitResult | None:
    """``value`` split as urllib splits a URL, or None where urllib cannot (its "Invalid IPv6 URL" on an unbalanced
    ``[`` in what it takes for a host): the one place every reference in docpipe is split, so that no such value
    escapes as an internal error (make fuzz found it in five places)."""
    try:
        return urlsplit(value)
    except ValueError:
        return None


def url_scheme(value: str) -> str:
    """The scheme of a URL as a browser would read it, lower case ('' for a relative reference or ``#id``)."""
    m = _SCHEME.match(_URL_NOISE.sub("", value))
    return m.group(1).lower() if m else ""


def url_allowed(value: str, kind: str = "link") -> bool:
    """The one URL policy of every route into an output (readers, ``.ir.json``, TEI pass-through).

    ``kind`` says what the URL does there:

    * ``"link"`` — a live link someone may follow: ``http``, ``https``, ``mailto`` or an in-document ``#id``.
    * ``"picture"`` — something an output would load by itself when shown (``graphic/@url``, ``img/@src``, an SVG
      ``href``): only a relative reference inside the document (no scheme, no host, no absolute path, no ``..``)
      or a ``data:`` URL of a PNG, JPEG, GIF or WebP picture. A remote picture is a tracking pixel: refused.
    * ``"pointer"`` — a reference kept as data and never followed by a reader (TEI ``@target``, ``@facs``,
      ``@corresp``…): anything but an active scheme (``javascript:``, ``vbscript:``, ``data:``, ``file:``…);
      TEI's private prefixes (``cb:T01``) stay.
    """
    t = _URL_NOISE.sub("", value)
    scheme = url_scheme(t)
    if kind == "link":
        return t.startswith("#") or scheme in SAFE_SCHEMES
    if kind == "picture":
        if scheme:
            return scheme == "data" and bool(_DATA_PICTURE.match(t))
        parts = split_url(t)
        if parts is None:  # not a file name a picture can have
            return False
        path = parts.path if not t.startswith("//") else "/"
        return not t.startswith(("/", "\\")) and ".." not in path.replace("\\", "/").split("/")
    if kind == "pointer":
        return scheme not in ACTIVE_SCHEMES
    raise ValueError(f"unknown URL kind {kind!r}")


def safe_target(target: str) -> bool:
    """Whether a link target may be written as a live link."""
    return url_allowed(target, "link")


#: The class of a span that stands for a link to another file (``other.md``, ``../dir/x.md#a``, ``img/``): the
#: guard makes one of every relative link, with the target in its ``href`` attribute. HTML and Markdown write it
#: back as a relative link; EPUB, DOCX, PDF and TEI, one file each, show its text and say why.
FILE_LINK = "file-link"


def link_kind(target: str) -> str:
    """What a link target is, as a browser would read it:

    * ``"live"`` — ``http``, ``https``, ``mailto`` or an in-document ``#id``: kept as a link everywhere;
    * ``"file"`` — a relative reference to another file (``other.md``, ``../x.md#a``, ``img/``, ``/site/x``): no
      scheme and no host, so it can run nothing; a link where the output sits among files, text elsewhere;
    * ``"network"`` — a network-path reference (``//host/x``, ``\\\\host\\x``): a host without a scheme, text;
    * ``"scheme"`` — any other scheme (``javascript:``, ``ftp:``, ``file:``…): text;
    * ``"empty"`` — no target at all: text.
    """
    t = _URL_NOISE.sub("", target)
    if not t:
        return "empty"
    if url_allowed(t, "link"):
        return "live"
    if url_scheme(t):
        return "scheme"
    if t.replace("\\", "/").startswith("//"):
        return "network"
    return "file"


def live_target(target: str) -> str:
    """A live link's target as :func:`link_kind` judged it: invisible characters before its scheme's colon (``h``
    U+FEFF ``ttps://…``) removed. Written as it came, a browser reads no scheme there but a relative path, which a
    PDF renderer resolves to a ``file:`` URL on the machine that made it."""
    scheme = url_scheme(target)
    if not scheme:
        return target
    need, i = len(scheme) + 1, 0
    while need and i < len(target):
        need -= not _URL_NOISE.match(target[i])
        i += 1
    return target if target[:i].lower() == f"{scheme}:" else f"{scheme}:{target[i:]}"


#: Characters a URL (WHATWG, RFC 3987) cannot hold unescaped; percent-encoded in a live link's path, query and
#: fragment. A ``%`` that starts no escape is one of them.
_URL_UNSAFE = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]|%(?![0-9A-Fa-f]{2})')
#: What no host may hold, even percent-encoded (WHATWG's forbidden host code points that can reach a netloc).
_BAD_HOST = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f#/?%]')


def well_formed(target: str) -> str | None:
    """A live link's target as every validator accepts it (EPUBCheck RSC-020, Word's hyperlink relationships):
    characters a URL cannot hold percent-encoded where they may be (a space in a path: ``%20``); None when the URL
    cannot be mended (a space in the host: ``http://en.wikipedia.org /wiki/x``)."""
    if target.startswith("#"):
        return target
    parts = split_url(target)
    if parts is None:
        return None
    if _BAD_HOST.search(unquote(parts.netloc)):
        return None
    end = _authority_end(target, parts)
    return target[:end] + _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), target[end:])


def _authority_end(target: str, parts: Any) -> int:
    """Where the scheme and authority of ``target`` end (``http://host:80`` of ``http://host:80/a b``)."""
    end = len(parts.scheme) + 1 if parts.scheme else 0
    if target[end:end + 2] == "//":
        end += 2 + len(parts.netloc)
    return end


def relative_reference(target: str) -> bool:
    """Whether ``target`` is a relative reference to another file (see :func:`link_kind`): what a ``file-link``
    span may hold."""
    return link_kind(target) == "file"


def file_link(children: tuple[ir.Inline, ...], target: str) -> ir.Span:
    """The span that stands for a link to another file (see :data:`FILE_LINK`)."""
    return ir.Span(children=children, classes=(FILE_LINK,), attrs=(("href", target),))


def file_link_target(span: ir.Span) -> str | None:
    """The target of a ``file-link`` span when it is a relative reference to another file, else None."""
    if FILE_LINK not in span.classes:
        return None
    href = dict(span.attrs).get("href")
    return href if href is not None and relative_reference(href) else None


#: How each output that is one file names itself in the diagnostic for a link to another file.
ONE_FILE = {"epub": "one EPUB", "docx": "one DOCX file", "pdf": "one PDF", "tei": "one TEI file"}


def file_link_dropped(diag: Diagnostics, target: str, fmt: str) -> None:
    """Report a link to another file that the output ``fmt`` (one file) shows as its text."""
    diag.emit("link-to-file", f"a link to another file ({target[:60]}) has nowhere to go in "
              f"{ONE_FILE.get(fmt, 'one ' + fmt)}: its text is kept")


_N = TypeVar("_N", bound="DataclassInstance")
#: Fields that are neither text (guarded by the walk) nor children nor numbers: strings, tuples of strings,
#: attribute pairs.
_SCALAR_HINTS = ("str", "str | None", "tuple[str, ...]", "tuple[tuple[str, str], ...]")


@functools.cache
def _string_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if str(f.type) in _SCALAR_HINTS)


class _Guard:
    def __init__(self, options: Options, diag: Diagnostics, file: str | None, media: frozenset[str]) -> None:
        self.media = media
        self.options = options
        self.diag = diag
        self.file = file
        self.removed: Counter[str] = Counter()
        self.links: dict[str, list[str]] = {"scheme": [], "network": [], "empty": [], "file": [], "live": [],
                                            "malformed": []}
        self.encoded = 0
        self.pointers: list[str] = []

    def deep(self, depth: int) -> None:
        if depth > self.options.max_depth:
            raise LimitError(f"content nested more than {self.options.max_depth} deep", file=self.file,
                             expected="a shallower document or a higher --max-depth")

    def text(self, s: str) -> str:
        cleaned = BAD_CHARS.sub("", s)
        if len(cleaned) != len(s):
            for ch in BAD_CHARS.findall(s):
                self.removed[f"U+{ord(ch):04X}"] += 1
        return cleaned

    def scalars(self, node: _N) -> _N:
        """``node`` with the text of every string field cleaned (attributes, classes, ids, languages, targets,
        titles, labels, markers): none may carry what XML cannot (a NUL in an attribute crashed the HTML writer)."""
        changes: dict[str, object] = {}
        for name in _string_fields(type(node)):
            v = getattr(node, name)
            if isinstance(v, str):
                c: object = self.text(v)
            elif isinstance(v, tuple) and v and isinstance(v[0], str):
                c = tuple(self.text(x) for x in v)
            elif isinstance(v, tuple) and v and isinstance(v[0], tuple):
                c = tuple((self.text(k), self.text(x)) for k, x in v)
            else:
                continue
            if c != v:
                changes[name] = c
        return dataclasses.replace(node, **changes) if changes else node

    def inlines(self, nodes: tuple[ir.Inline, ...], depth: int) -> tuple[ir.Inline, ...]:
        self.deep(depth)
        out: list[ir.Inline] = []
        for n in map(self.scalars, nodes):
            match n:
                case ir.Text(text=t, orig=o):
                    t2 = self.text(t)
                    o2 = self.text(o) if o is not None else None
                    out.append(n if (t2, o2) == (t, o) else ir.Text(text=t2, orig=o2))
                case ir.Code(text=t):
                    out.append(n if self.text(t) == t else ir.Code(text=self.text(t)))
                case ir.Link(children=c, target=target):
                    kids = self.inlines(c, depth + 1)
                    kind = link_kind(target)
                    fixed = well_formed(live_target(target)) if kind == "live" else target
                    if fixed is None:
                        self.links["malformed"].append(target[:60])
                        out.append(ir.Span(children=kids, classes=("unsafe-link",)))
                    elif kind == "live":
                        self.encoded += fixed != target
                        out.append(dataclasses.replace(n, children=kids, target=fixed))
                    elif kind == "file":
                        out.append(file_link(kids, target))
                    else:
                        self.links[kind].append(target[:60])
                        out.append(ir.Span(children=kids, classes=("unsafe-link",)))
                case ir.Span(children=c, attrs=a) if FILE_LINK in n.classes and file_link_target(n) is None:
                    # a file-link span from an .ir.json whose target is no relative reference: plain text
                    self.links[link_kind(dict(a).get("href", ""))].append(dict(a).get("href", "")[:60])
                    out.append(ir.Span(children=self.inlines(c, depth + 1), classes=("unsafe-link",)))
                case ir.Span(children=c, attrs=a):
                    out.append(dataclasses.replace(n, children=self.inlines(c, depth + 1), attrs=self.attrs(a)))
                case ir.Emph(children=c) | ir.Strong(children=c) | ir.BookTitle(children=c):
                    out.append(dataclasses.replace(n, children=self.inlines(c, depth + 1)))
                case ir.Image():
                    out.append(self.image(n, depth))
                case ir.Milestone(attrs=a):
                    out.append(n if not a else dataclasses.replace(n, attrs=self.attrs(a)))
                case ir.Math(tex=t):
                    out.append(n if self.text(t) == t else ir.Math(tex=self.text(t), display=n.display))
                case ir.Choice(readings=rs, attrs=a):
                    out.append(dataclasses.replace(n, attrs=self.attrs(a), readings=tuple(
                        dataclasses.replace(self.scalars(r), children=self.inlines(r.children, depth + 2),
                                            attrs=self.attrs(r.attrs))
                        for r in rs)))
                case _:
                    out.append(n)
        return kept(out, nodes)

    def blocks(self, nodes: tuple[ir.Block, ...], depth: int) -> tuple[ir.Block, ...]:
        self.deep(depth)
        out: list[ir.Block] = []
        for b in map(self.scalars, nodes):
            match b:
                case ir.Heading() | ir.Para():
                    kids = self.inlines(b.children, depth + 1)
                    out.append(b if kids is b.children else dataclasses.replace(b, children=kids))
                case ir.Box():
                    out.append(dataclasses.replace(b, title=self.inlines(b.title, depth + 1),
                                                   blocks=self.blocks(b.blocks, depth + 1)))
                case ir.ListBlock():
                    items = tuple(dataclasses.replace(self.scalars(i), blocks=self.blocks(i.blocks, depth + 1))
                                  for i in b.items)
                    out.append(dataclasses.replace(b, items=items))
                case ir.BlockQuote():
                    out.append(dataclasses.replace(b, blocks=self.blocks(b.blocks, depth + 1)))
                case ir.Div():
                    out.append(dataclasses.replace(b, blocks=self.blocks(b.blocks, depth + 1),
                                                   attrs=self.attrs(b.attrs)))
                case ir.Table():
                    out.append(self.table(b, depth))
                case ir.Figure():
                    images = tuple(self.image(i, depth + 1) for i in b.images)
                    out.append(dataclasses.replace(b, images=images, caption=self.inlines(b.caption, depth + 1)))
                case ir.CodeBlock(text=t):
                    out.append(b if self.text(t) == t else dataclasses.replace(b, text=self.text(t)))
        return kept(out, nodes)

    def attrs(self, attrs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """Attributes kept for a source's own vocabulary (TEI ``@target``, ``@facs``…) without active URLs."""
        if not attrs:
            return attrs
        safe = []
        for k, v in attrs:
            if url_allowed(v, "pointer") and not k.lower().startswith("on"):
                safe.append((k, v))
            else:
                self.pointers.append(f"{k}={v[:60]}")
        return attrs if len(safe) == len(attrs) else tuple(safe)

    def image(self, img: ir.Image, depth: int) -> ir.Image:
        img = self.scalars(img)
        """``img`` with its alt text guarded and its ``source`` short: a placeholder never echoes refused data."""
        alt = self.inlines(img.alt, depth + 1)
        source = img.source
        if source and img.media not in self.media and not url_allowed(source, "picture"):
            # a picture that was not read keeps its source only as a pointer an output may repeat (TEI from
            # elsewhere writes it back): never a remote one (a tracking pixel) or an active URL
            source = None
        return dataclasses.replace(img, alt=alt, source=short_source(source))

    def table(self, t: ir.Table, depth: int) -> ir.Table:
        limit = self.options.max_table_span
        cells = 0
        for row in t.rows:
            for c in row:
                if c.colspan > limit or c.rowspan > limit or c.colspan < 1 or c.rowspan < 1:
                    raise LimitError(f"a table cell spans {c.colspan} columns and {c.rowspan} rows", file=self.file,
                                     expected=f"spans from 1 to {limit} (--max-table-span)")
                cells += c.colspan * min(c.rowspan, len(t.rows))
        if cells > self.options.max_table_cells:
            raise LimitError(f"a table of {cells} grid cells", file=self.file,
                             expected=f"at most {self.options.max_table_cells} (--max-table-cells)")
        rows = tuple(tuple(dataclasses.replace(c, blocks=self.blocks(c.blocks, depth + 2)) for c in row)
                     for row in t.rows)
        return dataclasses.replace(t, rows=rows, caption=self.inlines(t.caption, depth + 1))


#: Elements of kept XML (a TEI header from elsewhere) whose ``@url`` a viewer loads by itself: checked as a picture.
PICTURE_ELEMENTS = frozenset({"graphic", "media", "binaryObject", "facsimile", "surface", "zone"})
#: Attributes an HTML or SVG viewer loads by itself on whatever element holds them (none of them is TEI's): kept
#: only as a picture inside the document (make fuzz seed 36: ``<object data="https://…">`` in a kept header).
LOADING_ATTRIBUTES = frozenset({"data", "src", "srcset", "poster", "background", "codebase", "archive", "lowsrc",
                                "dynsrc", "formaction", "action", "href", "ping"})


def inert_tree(root: Any, *, relative_pictures: bool = False) -> list[str]:
    """Make a kept XML tree (an lxml element: a TEI header passed through) inert under :func:`url_allowed`: event
    handler attributes and attributes with an active URL are removed, and so are picture URLs (``@url`` of
    ``graphic``…) that leave the document, the attributes other vocabularies load by themselves
    (:data:`LOADING_ATTRIBUTES`) unless they name a picture inside it, and styles that fetch a ``url()``; returns
    what was removed (``element/@attribute``), for a diagnostic; a ``graphic`` or ``media`` left without the
    ``@url`` TEI requires on it goes whole (:data:`URL_REQUIRED`). With ``relative_pictures`` (a facsimile kept
    beside the text: its page images beside the source, ``../Images/f1.png``) a picture named by a relative path
    stays; one with a scheme (``https:``, ``data:``) or a host (``//``) goes as before."""
    removed: list[str] = []
    bare: list[Any] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = el.tag.rsplit("}", 1)[-1]
        if local in URL_REQUIRED and el.get("url") is not None:
            bare.append(el)
        for attr in list(el.attrib):
            name = attr.rsplit("}", 1)[-1]
            value = el.attrib[attr]
            key = name.lower()
            loads = key in LOADING_ATTRIBUTES or (key == "url" and local in PICTURE_ELEMENTS)
            relative = relative_pictures and not _HAS_SCHEME.match(value.strip())
            if key.startswith("on") or not url_allowed(value, "pointer") \
                    or (loads and not relative and (key == "srcset" or not url_allowed(value, "picture"))) \
                    or (key == "style" and "url(" in _URL_NOISE.sub("", value).lower()):
                removed.append(f"{local}/@{name}")
                del el.attrib[attr]
    for el in bare:
        if not (el.get("url") or "").strip():  # TEI requires a URL there: the element goes, the text after stays
            detach(el)
    return removed


#: Elements TEI requires ``@url`` on: one whose ``@url`` :func:`inert_tree` removed goes whole (Bodleian
#: medieval-mss: ``<graphic url="https://marco.ox.ac.uk/…"/>`` in a funder statement became ``<graphic/>``), and
#: so does one whose ``@url`` is empty (IIP's template ``<surface><graphic url=""/></surface>``).
URL_REQUIRED = frozenset({"graphic", "media"})


_HAS_SCHEME = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")

#: Longest picture source (a file name or URL) kept for diagnostics and placeholders.
MAX_SOURCE = 300


def short_source(source: str | None) -> str | None:
    """A picture's ``source`` as placeholders and diagnostics may show it: a ``data:`` URL becomes its media type
    and size (never its payload), anything else is cut to :data:`MAX_SOURCE` characters."""
    if source is None:
        return None
    if url_scheme(source[:100]) == "data":
        head = source[:100].partition(",")[0].partition(";")[0]
        kind = re.sub(r"[^A-Za-z0-9/+.-]", "", head[5:])[:40] if head.lower().startswith("data:") else ""
        return f"data: URL ({kind or 'data'}, {len(source)} characters)"
    return source if len(source) <= MAX_SOURCE else source[:MAX_SOURCE - 1] + "…"


def guard(doc: ir.Document, options: Options, diag: Diagnostics, file: str | None = None) -> ir.Document:
    """``doc`` made safe to transform and write, or a :class:`LimitError`."""
    g = _Guard(options, diag, file, frozenset(m.name for m in doc.media))
    try:
        m = doc.metadata
        changes: dict[str, object] = {}
        for f in dataclasses.fields(m):
            value = getattr(m, f.name)
            if isinstance(value, str):
                changes[f.name] = g.text(value)
            elif f.name in ("authors", "edition_notes", "series"):
                changes[f.name] = tuple(g.text(v) for v in value)
            elif f.name == "extra":
                changes[f.name] = tuple((g.text(k), g.text(v)) for k, v in value)
        meta = dataclasses.replace(m, rights=g.blocks(m.rights, 1), **changes)  # type: ignore[arg-type]
        notes = tuple(dataclasses.replace(g.scalars(n), blocks=g.blocks(n.blocks, 1)) for n in doc.notes)
        out = dataclasses.replace(doc, metadata=meta, blocks=g.blocks(doc.blocks, 1), notes=notes)
    except RecursionError as exc:
        raise LimitError("content nested too deeply to walk", file=file,
                         expected=f"at most {options.max_depth} levels (--max-depth)") from exc
    if g.removed:
        listed = ", ".join(f"{k}×{v}" for k, v in g.removed.most_common(5))
        diag.emit("text-repaired", f"removed {sum(g.removed.values())} character(s) no format can carry ({listed})")
    if g.pointers:
        diag.emit("unsafe-link", f"{len(g.pointers)} attribute(s) holding an event handler or an active URL "
                  f"(javascript:, data:, file:…) removed, e.g. {g.pointers[0]!r}")
    why = {"scheme": "with a scheme other than http, https or mailto",
           "network": "to a host without a scheme (//host/…)", "empty": "with an empty target",
           "file": "marked as a link to another file without a relative target",
           "live": "marked as a link to another file without a relative target",
           "malformed": "whose URL no browser can read (a space or other character a host cannot hold)"}
    if g.encoded:
        diag.emit("text-repaired", f"{g.encoded} link target(s) with characters a URL cannot hold (a space…) "
                  "percent-encoded")
    for kind, targets in g.links.items():
        if targets:
            example = f", e.g. {targets[0]!r}" if targets[0] else ""
            diag.emit("unsafe-link", f"{len(targets)} link(s) {why[kind]} kept as text{example}")
    return out
