"""Print-ready PDF with Typst (``--pdf-engine typst``), from the IR and ``styles/print.typ``.

The same print rules as the WeasyPrint engine (``writers/pdf.py``): page-foot notes with the source's markers,
running heads (page and title on the left, chapter and page on the right), contents with page numbers, the
outline and a named destination for every id (``para-12``), drawn boxes, figures, three-line tables whose
header rows repeat, equations (TeX through pandoc into Typst math), kinsoku and Han–Latin spacing (Typst's
own line breaker and ``cjk-latin-spacing``), punctuation compression (``halt`` on the first of two adjacent
marks, as the WeasyPrint engine does), flush justification, chapters opening on a right-hand page, PDF/A with
the TEI attached.

The document is generated as Typst code in which every string of the document is a string literal
(:func:`lit`): no text of the source can run Typst code, and nothing is imported. Typst reads only a
temporary folder this writer fills (the template, the document's media, the attachments) and the font
folders of ``fonts/fonts.toml``; it never reaches the network (no package is imported) and dates come from
``SOURCE_DATE_EPOCH`` or the document's own date, so rebuilds are byte-identical.

What Typst cannot do yet (the WeasyPrint engine can): PDF/X-4 (no output intent or trim box: refused), crop
marks (reported, not drawn), a house CSS (reported, not applied).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, assert_never

from .. import ir
from ..cjk.dates import display_date
from ..colwidths import MEASURE_EM, PADDING_EM, column_widths, text_em
from ..diagnostics import Diagnostics
from ..errors import OutputError, UsageError
from ..fileio import date_epoch
from ..fontsel import (
    Coverage,
    cache_dir,
    check_family,
    config,
    fallback_families,
    family_files,
    family_for,
    report_coverage,
)
from ..guard import file_link_dropped, file_link_target
from ..media import by_name, placeholder, shown
from ..options import Options
from ..resources import FONTS_DIR, STYLES_DIR
from ..rtl import is_rtl
from ..tables import cell_aligns, layout
from ..walk import block_text, iter_inlines_all, plain, shown_reading
from .divisions import BEFORE_CONTENTS, MADE_PAGES, NOT_IN_CONTENTS, contents_heading, divisions, has_role
from .page import (
    BOTTOM_MM,
    TOP_MM,
    bleed_mm,
    continued_label,
    continued_mark,
    division_label,
    han_gap,
    hanging_em,
    margins_mm,
    mark_pieces,
    measure_pt,
    page_mm,
    picture_height_pt,
    title_lines,
    title_pt,
    title_space,
)

TEMPLATE = "print.typ"
#: Where the contents' entries go in a document laid out in parts (:meth:`_Writer.contents`): a comment no string
#: literal of the source can hold (it spans lines; :func:`lit` writes a line break as ``\\n``).
CONTENTS_MARK = "(/*\ndocpipe-contents\n*/)"
#: Picture types Typst draws.
#: Typst's function for each presentational span class (pandoc's Superscript, Subscript, Strikeout, Underline and
#: SmallCaps): without them a W3C page's 2<sup>31</sup> read "231".
SPAN_FUNCTIONS = {"superscript": "super", "subscript": "sub", "strikeout": "strike", "underline": "underline",
                  "smallcaps": "smallcaps"}
TYPST_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})
#: ``--pdf-variant`` -> Typst's PDF standard.
STANDARDS: dict[str, Any] = {"pdf/a-3b": "a-3b", "pdf/a-3a": "a-3a", "pdf/ua-1": "ua-1"}
#: The variants whose PDF is tagged (its structure tree written): there an anchor is no empty heading.
TAGGED = frozenset({"pdf/ua-1", "pdf/a-3a"})
#: BCP 47 tag -> Typst's ``lang`` and ``region``.
_REGIONS = {"Hant": "TW", "Hans": "CN", "TW": "TW", "HK": "HK", "MO": "HK", "CN": "CN", "SG": "CN"}

# ------------------------------------------------------------------------------------------------ literals

_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
            **{c: f"\\u{{{c:x}}}" for c in (*range(0x20), 0x7F) if c not in (9, 10, 13)}}
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def lit(text: str) -> str:
    """``text`` as a Typst string literal: the only way any text of the document enters the generated code."""
    return '"' + _SURROGATE.sub("\ufffd", text).translate(_ESCAPES) + '"'


def _lits(items: Iterable[str]) -> str:
    """A Typst array of string literals (a one-item array keeps its trailing comma)."""
    items = list(items)
    return "(" + ", ".join(lit(x) for x in items) + ("," if len(items) == 1 else "") + ")"


# --------------------------------------------------------------------------------- typography in the text

#: Quotation marks and apostrophes of Latin text: Noto CJK sets them full width unless asked for its
#: proportional forms (``pwid``), as in the WeasyPrint engine.
_LATIN_QUOTE = r"(?<=[A-Za-z0-9.,!?;:)\]])[’”]|[‘“](?=[A-Za-z0-9(\[])|(?<=[A-Za-z])’(?=[A-Za-z])"
#: clreq 3.1.6: where two full-width marks meet, the first is set half width (OpenType ``halt``).
CLOSING_MARKS = "，。、；：！？」』）》〉】"
ALL_MARKS = CLOSING_MARKS + "「『（《〈【"
#: Only the first mark of a run: Typst (0.15) breaks a line before a ``halt`` mark that follows another mark,
#: against kinsoku, so in a run of three or more marks the middle ones keep their full width.
_PUNCT_PAIR = rf"(?<![{ALL_MARKS}])[{CLOSING_MARKS}](?=[{ALL_MARKS}])"
_FEATURES = re.compile(rf"(?P<pwid>{_LATIN_QUOTE})|(?P<halt>{_PUNCT_PAIR})")


#: The first-line indent of a Chinese paragraph (clreq: two characters), as a Typst set rule.
INDENT = "#set par(first-line-indent: (amount: 2em, all: true));"


def lang_region(lang: str | None) -> tuple[str, str | None]:
    """Typst's ``lang`` and ``region`` for a BCP 47 tag (``zh-Hant-HK`` -> ``zh``, ``HK``)."""
    parts = (lang or "und").split("-")
    base = parts[0].lower() if re.fullmatch(r"[A-Za-z]{2,3}", parts[0]) else "und"
    region = next((_REGIONS[p] for p in reversed(parts[1:]) if p in _REGIONS), None)
    if region is None:
        region = next((p.upper() for p in parts[1:] if re.fullmatch(r"[A-Za-z]{2}", p)), None)
    return base, region


class _Writer:
    """The generated Typst document, built block by block."""

    def __init__(self, doc: ir.Document, options: Options, diag: Diagnostics, *, math: bool = True) -> None:
        self.doc, self.options, self.diag = doc, options, diag
        self.media = by_name(doc)
        self.files: dict[str, bytes] = {}
        self.notes = {n.id: n for n in doc.notes}
        self.placed: set[str] = set()
        self.labels: set[str] = set()
        self.targets = _targets(doc)
        self.halts = 0
        self.tables = 0
        self.math = _math_table(doc, options, diag) if math else {}
        self.unindented = False
        self.indent_given = False  # an enclosing set rule gives Chinese paragraphs their first-line indent
        """Inside a made page (title page, copyright page…): paragraphs without the Chinese two-em indent."""
        self.byline = ""
        """A document with neither title nor symbol: its byline, until set at the head of the first page."""
        self.families: set[str] = set(TEMPLATE_FAMILIES)
        """Every family the source names (the font book Typst is given holds their files and no others)."""
        self.divisions = divisions(doc.blocks)
        """A book's divisions (empty for a document that is no book): each opens on a recto, front matter in
        roman folios, the body from arabic 1."""
        self.parted = False
        """Laid out in parts (:func:`write` for a long document): links within the document are written as
        ``docpipe-dest:NAME`` and made links to named destinations when the parts are joined (no part's Typst
        sees another's labels), and each outlined heading is labelled, for the contents and the bookmarks."""
        self.headings: list[tuple[int, str, str, str]] = []
        """In parts: each outlined heading's (rank, label, text as markup, plain title), in order."""
        self.opening_now = False
        """The markup :meth:`body` yielded last opens a division (a chapter) on a recto: a part may begin there."""
        self.running: str | None = None
        """The running head of the last division opened (a part beginning after it carries it)."""
        self.arabic = False
        """The book's body (its arabic folios) has begun."""

    # ------------------------------------------------------------------ anchors and languages

    def anchor(self, name: str | None, *, inline: bool = False) -> str:
        """A named destination (``para-12``), once per name."""
        if not name or name in self.labels:
            return ""
        self.labels.add(name)
        kind = "tagged-" if self.options.pdf_variant in TAGGED else ""
        return f"#dp-{kind}inline-anchor({lit(name)});" if inline else f"#dp-{kind}anchor({lit(name)})"

    def dest(self, name: str) -> str:
        """A link's destination: the label ``name``, or in parts the name the join resolves."""
        return lit(f"docpipe-dest:{name}") if self.parted else f"label({lit(name)})"

    def fonts(self, lang: str | None, kind: str = "serif") -> str:
        """The faces for ``lang``: its family (a Latin one for a language that is not Chinese, Japanese or
        Korean); after a face that is not CJK the Latin face (a script's own face may lack Latin) and the CJK
        family (Han the text holds untagged); then the ``[fallback]`` families."""
        own = family_for(lang, kind, self.options.serif_font if _zh(lang) == _zh(self.doc.metadata.language)
                         else None)
        other = [] if " CJK " in own else [family_for(None, kind), family_for("zh", kind)]  # Latin, then Han
        names = [own, *other, *fallback_families()]
        self.families.update(names)
        return _lits(dict.fromkeys(names))

    def mono(self, lang: str | None) -> str:
        """Code's faces: a CJK monospace face for a CJK edition — of the region its text face is of (JP for
        Japanese, SC for Simplified Chinese: the glyph forms of comments in code follow the page's), else a Latin
        one with the CJK face after it."""
        serif = family_for(lang, "serif")
        cjk = serif.startswith("Noto Serif CJK")
        region = serif.rsplit(" ", 1)[-1] if cjk else "TC"
        mono_cjk = f"Noto Sans Mono CJK {region if region in ('JP', 'KR', 'SC', 'TC', 'HK') else 'TC'}"
        names = [mono_cjk] if cjk else ["DejaVu Sans Mono", mono_cjk]
        self.families.update([*names, *fallback_families()])
        return _lits(dict.fromkeys([*names, *fallback_families()]))

    def in_lang(self, lang: str | None, parent: str | None, body: str) -> str:
        """``body`` set in ``lang`` (its language, region and typeface) when it differs from ``parent``."""
        if not lang or lang == parent:
            return body
        base, region = lang_region(lang)
        return (f"#[#set text(lang: {lit(base)}, region: {lit(region) if region else 'none'}, "
                f"font: {self.fonts(lang)});{body}]")

    # ------------------------------------------------------------------ inlines

    def text(self, text: str, after: str) -> str:
        """A text run, with ``pwid`` on Latin quotation marks and ``halt`` on the first of two marks; a run of
        dashes or ellipses in a box (never broken at a line end), a check box a quarter em before its text."""
        text = _SPACES.sub(" ", text)
        if not text:
            return ""
        parts = mark_pieces(text)
        if len(parts) == 1 and parts[0][1] is None:
            return self._text(text, after)
        out = []
        for i, (piece, kind) in enumerate(parts):
            if kind == "run":  # set as Han: alone in a box, the dashes would take their narrow Latin forms
                out.append(f"#box(text(script: \"hani\", {lit(piece)}));")
            elif kind == "checkbox":
                out.append(f"#box[#{lit(piece)};#h(0.25em)];")
            else:
                out.append(self._text(piece, parts[i + 1][0][:1] if i + 1 < len(parts) else after))
        return "".join(out)

    def _text(self, text: str, after: str) -> str:
        out: list[str] = []
        pos = 0
        for m in _FEATURES.finditer(text):
            if m.start() > pos:
                out.append(f"#{lit(text[pos:m.start()])};")
            feature = m.lastgroup or "halt"
            if feature == "halt":
                self.halts += 1
            out.append(f"#text(features: ({lit(feature)},), {lit(m.group())});")
            pos = m.end()
        rest = text[pos:]
        if rest:
            if len(rest) > 1 and rest[-1] in CLOSING_MARKS and rest[-2] not in ALL_MARKS and after \
                    and after in ALL_MARKS:  # a pair split across nodes
                out.append(f"#{lit(rest[:-1])};")
                self.halts += 1
                out.append(f"#text(features: (\"halt\",), {lit(rest[-1])});")
            else:
                out.append(f"#{lit(rest)};")
        return "".join(out)

    def inlines(self, nodes: tuple[ir.Inline, ...], lang: str | None, after: str = "") -> str:
        """Inline nodes as Typst markup; ``after`` is the first character that follows them."""
        follows = [after] * (len(nodes) + 1)
        for i in range(len(nodes) - 1, -1, -1):
            follows[i] = _first_char(nodes[i]) or follows[i + 1]
        out = []
        for i, node in enumerate(nodes):
            made = self.inline(node, lang, follows[i + 1])
            if isinstance(node, ir.Math) and not node.display and made.startswith("#$"):
                # clreq 3.2.1: a quarter em between Han and an inline equation, as between Han and Latin; none
                # before a mark (。) or where the source left a space
                prev = nodes[i - 1] if i else None
                before = prev.text[-1:] if isinstance(prev, ir.Text) else ""
                made = ("#h(0.25em);" if han_gap(before) else "") + made + \
                    ("#h(0.25em);" if han_gap(follows[i + 1]) else "")
            out.append(made)
        return "".join(out)

    def inline(self, node: ir.Inline, lang: str | None, after: str) -> str:
        match node:
            case ir.Text(text=t):
                return self.text(t, after)
            case ir.Emph(children=c):
                return f"#emph[{self.inlines(c, lang, after)}]"
            case ir.Strong(children=c):
                return f"#strong[{self.inlines(c, lang, after)}]"
            case ir.Code(text=t):
                return f"#raw({lit(t)});"
            case ir.Link(children=c, target=target):
                body = self.inlines(c, lang, after)
                if target.startswith("#"):
                    if target[1:] in self.targets:
                        return f"#link({self.dest(target[1:])})[{body}]"
                    self.diag.emit("link-unresolved", f"a link to {target[:60]} has no target in the PDF; kept as text")
                    return body
                return f"#link({lit(target)})[{body}]"
            case ir.Span(children=c, lang=sub, classes=classes):
                if (href := file_link_target(node)) is not None:  # a link to another file: its text
                    file_link_dropped(self.diag, href, "pdf")
                body = self.inlines(c, sub or lang, after)
                for name in (SPAN_FUNCTIONS[k] for k in classes if k in SPAN_FUNCTIONS):
                    body = f"#{name}[{body}]"
                return self.in_lang(sub, lang, body)
            case ir.BookTitle(children=c, open=o, close=cl):
                first = _first_char_of(c) or cl[:1]
                return self.text(o, first) + self.inlines(c, lang, cl[:1] or after) + self.text(cl, after)
            case ir.NoteRef(note_id=note_id, marker=marker):
                return self.noteref(note_id, marker, lang)
            case ir.LineBreak():
                return "#linebreak();"
            case ir.Image():
                return self.image(node, block=False)
            case ir.Math():
                return self.equation(node)
            case ir.Milestone(unit=unit, n=n):
                if unit == "page" and self.options.source_pages and n:
                    return f"#super(text(size: 7pt, fill: rgb(\"#777777\"), {lit(f'[{n}]')}));"
                return ""
            case ir.Choice():
                return self.inlines(shown_reading(node), lang, after)
            case _:
                assert_never(node)

    def noteref(self, note_id: str, marker: str, lang: str | None) -> str:
        """The first call of a note carries its body to the foot of the page; later calls link to it."""
        note = self.notes.get(note_id)
        ref = f"fnref-{note_id.removeprefix('fn-')}"
        call = self.anchor(ref, inline=True) if ref in self.targets else ""
        if note is None or note_id in self.placed:
            target = f"link({self.dest(note_id)}, {lit(marker)})" if note is not None else lit(marker)
            return f"{call}#super({target});"
        self.placed.add(note_id)
        body = self.anchor(note.id, inline=True) + self.note_body(note, lang)
        return f"{call}#footnote(numbering: _ => {lit(note.marker or marker)})[{body}]"

    def note_body(self, note: ir.Note, lang: str | None) -> str:
        parts = []
        for b in note.blocks:
            if isinstance(b, ir.Para):
                parts.append(self.inlines(b.children, note.lang or lang))
            else:
                parts.append(self.block(b, note.lang or lang))
        return self.in_lang(note.lang, lang, "#parbreak();".join(parts))

    def image(self, node: ir.Image, *, block: bool) -> str:
        """A picture from the temporary folder, never wider than the measure; a visible placeholder when the
        picture is missing or of a type Typst cannot draw."""
        medium = shown(self.media, node.media, TYPST_TYPES) if node.media else None
        alt = plain(node.alt)
        if medium is None:
            what = placeholder(self.diag, self.media, node)
            return (f"#box(stroke: (paint: rgb(\"#888888\"), thickness: 0.5pt, dash: \"dashed\"), "
                    f"inset: (x: 2mm, y: 1mm), text(size: 9pt, fill: rgb(\"#444444\"), {lit(f'[{what}]')}));")
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg",
               "image/webp": "webp"}[medium.media_type]
        name = f"media/{medium.sha256[:32]}.{ext}"
        self.files[name] = medium.data
        width = _length(node.width, measure_pt(self.options))
        if width is None and medium.width:
            width = f"{min(medium.width * 0.75, measure_pt(self.options)):.2f}pt"
        if block and width and width.endswith("pt") and medium.width and medium.height:
            # no taller than the text block less room for a caption (page.picture_height_pt), the shape kept
            most = picture_height_pt(self.options) * medium.width / medium.height
            if float(width[:-2]) > most:
                width = f"{most:.2f}pt"
        args = [lit(name), f"format: {lit(ext)}"]
        if width:
            args.append(f"width: {width}")
        if alt:
            args.append(f"alt: {lit(alt)}")
        img = f"image({', '.join(args)})"
        return f"#{img};" if block else f"#box({img});"

    def equation(self, node: ir.Math) -> str:
        made = self.math.get((node.tex, node.display))
        if made is not None:
            return f"#{made};"  # pandoc writes display math as "$ … $", Typst's block equation
        shown_tex = f"$${node.tex}$$" if node.display else f"${node.tex}$"
        return f"#raw({lit(shown_tex)});"

    # ------------------------------------------------------------------ blocks

    def blocks(self, nodes: Iterable[ir.Block], lang: str | None) -> str:
        return "\n\n".join(self.block(b, lang) for b in nodes)

    def body(self, lang: str | None) -> Iterator[str]:
        """The document's blocks, headings ranked by their nesting as in the HTML (never skipping a rank); each
        chapter (a book's every division) opening on a right-hand page."""
        blocks = self.doc.blocks
        opens = {d.at: d for d in self.divisions}
        body_at = next((d.at for d in self.divisions if d.place != "front"), None)
        toc_at = next((d.at for d in self.divisions if d.role not in BEFORE_CONTENTS), len(blocks))
        stack: list[int] = []
        i = 0
        while i <= len(blocks):
            if self.divisions and i == toc_at:
                yield self.toc()
            if i == len(blocks):
                break
            b = blocks[i]
            if self.byline and not (isinstance(b, ir.Heading) and (i in opens or not self.divisions)):
                yield self.byline  # the text begins with no chapter opening: the byline above it
                self.byline = ""
            if not isinstance(b, ir.Heading):
                yield self.block(b, lang)
                i += 1
                continue
            while stack and stack[-1] >= b.level:
                stack.pop()
            rank = min(len(stack) + 1, 6)
            stack.append(b.level)
            division = opens.get(i)
            if division is not None:
                made = self.opening(b, division.role, rank, lang, first_of_body=i == body_at)
                self.opening_now = True
                yield made
                self.opening_now = False
                if division.role in MADE_PAGES:  # the page's lines, set as the page is (no paragraph indent)
                    self.unindented = True
                    lines = self.blocks(blocks[i + 1:division.end], lang)
                    self.unindented = False
                    yield f"#dp-made(role: {lit(division.role)})[{lines}]"
                    i = division.end
                    continue
            elif not self.divisions and rank == 1:
                made = self.opening(b, None, rank, lang)
                self.opening_now = True
                yield made
                self.opening_now = False
            else:
                yield self.heading(b, rank, lang)
            i += 1

    def opening(self, node: ir.Heading, role: str | None, rank: int, lang: str | None, *,
                first_of_body: bool = False) -> str:
        """A chapter's (a book division's) opening heading on a right-hand page (a copyright page on the verso
        of its title page) with no running head: the end mark of the text before it, the page break, the
        arabic folios from 1 where the body begins, the opening mark and the heading."""
        label = division_label(role, node.label, node.lang or lang)
        title = ((f"{label}\u3000" if label else "") + plain(node.children)).strip()
        made = role in MADE_PAGES
        out = ["#[#metadata(none)<dp-chapter-end>]",
               "#pagebreak(weak: true)" if role == "copyright-page" else "#pagebreak(weak: true, to: dp-recto)"]
        if first_of_body:
            out.append("#set page(numbering: \"1\")\n#counter(page).update(1)")
            self.arabic = True
        if self.byline:  # heading the first chapter's opening page
            out.append(self.byline)
            self.byline = ""
        heading = self.heading(node, rank, lang, label=label, outlined=False if role in NOT_IN_CONTENTS else None)
        running = "none" if made else lit(title)
        if not made:
            self.running = title
        out.append(f"#dp-open(role: {lit(role or 'chapter')}, running: {running}, "
                   f"folio: {'false' if made else 'true'})[{heading}]")
        return "\n".join(out)

    def heading(self, node: ir.Heading, rank: int, lang: str | None, *, label: str | None = None,
                outlined: bool | None = None) -> str:
        text = self.inlines(node.children, node.lang or lang)
        label = label if label is not None else node.label
        if label:
            text = f"#{lit(label)};#{lit(' ')};" + text
        anchor = ""
        # every heading is a bookmark, as in the other engine (WeasyPrint bookmarks h1–h6): a W3C page's fifth
        # level lost its four; the contents page stays at its own depth (two levels, print.typ)
        shown = True if outlined is None else outlined
        name = node.id if node.id and node.id not in self.labels else \
            f"dp-h-{len(self.headings)}" if self.parted and shown else None
        if name:
            self.labels.add(name)
            anchor = f"#label({lit(name)})"
            if self.parted and shown:
                self.headings.append((rank, name, text, ((f"{label} " if label else "") + plain(node.children))))
        return self.in_lang(node.lang, lang, f"#heading(level: {rank}, outlined: {'true' if shown else 'false'})"
                                             f"[{text}]{anchor}")

    def block(self, node: ir.Block, lang: str | None) -> str:
        match node:
            case ir.Heading():
                return self.heading(node, min(max(node.level, 1), 6), lang)
            case ir.Para():
                return self.para(node, lang)
            case ir.Box():
                inner = node.lang or lang
                title = self.inlines(node.title, inner)
                body = self.blocks(node.blocks, inner)
                box = (f"#dp-box([{title}], sans: {self.fonts(inner, 'sans')}, "
                       f"cont: {lit(continued_mark(inner or self.doc.metadata.language))})[{body}]")
                return self.anchor(node.id) + self.in_lang(node.lang, lang, box)
            case ir.ListBlock():
                return self.list_block(node, lang)
            case ir.BlockQuote():
                quoted = self.blocks(node.blocks, node.lang or lang)
                return self.in_lang(node.lang, lang, f"#quote(block: true)[{quoted}]")
            case ir.Table():
                return self.table(node, lang)
            case ir.Figure():
                images = " ".join(self.image(img, block=len(node.images) == 1) for img in node.images)
                caption = self.caption(node.label, node.caption, lang)
                cap = f", caption: [{caption}]" if caption else ""
                return (self.anchor(node.id) + f"#figure([{images}], kind: image, numbering: none, "
                        f"supplement: none{cap})")
            case ir.CodeBlock():
                code = f"#raw({lit(node.text)}, block: true)"
                return f"#[#set text(dir: ltr);{code}]" if is_rtl(lang) else code  # code reads left to right
            case ir.Div():
                inner = node.lang or lang
                return self.anchor(node.id) + self.in_lang(node.lang, lang, f"#[{self.blocks(node.blocks, inner)}]")
            case _:
                assert_never(node)

    def para(self, node: ir.Para, lang: str | None) -> str:
        inner = node.lang or lang
        text = self.inlines(node.children, inner)
        first = node.children[0] if node.children else None
        labelled = isinstance(first, ir.Span) and "label" in first.classes
        if node.number is not None and not labelled:
            out = f"#dp-numbered({lit(node.number + '.')}, [{text}])"
        elif self.indents(node, lang):
            out = f"#[{text}]" if self.indent_given else f"#[{INDENT}{text}]"
        else:
            out = f"#[{text}]"
        return self.anchor(node.id) + self.in_lang(node.lang, lang, out)

    def indents(self, node: ir.Block, lang: str | None) -> bool:
        """Whether :meth:`para` sets ``node`` with its own first-line indent (a Chinese paragraph, not numbered)."""
        if not isinstance(node, ir.Para) or node.number is not None or self.unindented:
            return False
        return (node.lang or lang or "").startswith("zh")

    def list_block(self, node: ir.ListBlock, lang: str | None) -> str:
        if any(item.label for item in node.items):  # the source's own labels ((一), (a), 1.)) are the text
            # on a hanging indent: each label in a box as wide as the widest label and its gap, the item's lines
            # (and its further blocks) aligned with its text
            width = hanging_em([item.label or "" for item in node.items])
            rows = []
            for item in node.items:
                label = item.label or ""
                first, rest = (item.blocks[0], item.blocks[1:]) if item.blocks else (None, ())
                head = self.inlines(first.children, lang) if isinstance(first, ir.Para) else ""
                more = ([] if isinstance(first, ir.Para) or first is None else [first]) + list(rest)
                # a `par` of its own: set rules inside a block's lone line are not a paragraph's
                body = (f"#par(first-line-indent: 0pt, hanging-indent: {width}em)["
                        f"#box(width: {width}em, {lit(label)});{head}]")
                if more:
                    body += f"\n\n#pad(left: {width}em)[{self.blocks(more, lang)}]"
                rows.append(f"#block(inset: (left: 0pt), spacing: 1.2mm)[{body}]")
            return "#block[" + "\n\n".join(rows) + "]"
        # no indent in an item, but where each of its blocks sets its own; where every item's blocks do (numbered
        # Chinese paragraphs), one set rule around the list instead of one per paragraph (a set rule costs Typst
        # about 30 µs: a fifth of a second on a 600-page book)
        owns = [bool(item.blocks) and all(self.indents(b, lang) for b in item.blocks) for item in node.items]
        given, self.indent_given = self.indent_given, all(owns)
        try:
            items = [f"[{'' if own else '#set par(first-line-indent: 0pt);'}{self.blocks(item.blocks, lang)}]"
                     for item, own in zip(node.items, owns, strict=True)]
        finally:
            self.indent_given = given
        if not items:
            return ""
        made = f"#enum(start: {max(node.start, 0)}, {', '.join(items)})" if node.ordered else \
            f"#list({', '.join(items)})"
        return f"#[{INDENT}{made}]" if all(owns) and not given else made

    def caption(self, label: str | None, text: tuple[ir.Inline, ...], lang: str | None) -> str:
        out = f"#strong({lit(label)});#h(0.5em);" if label else ""
        return out + self.inlines(text, lang)

    def table(self, node: ir.Table, lang: str | None) -> str:
        grid, width = layout(node)
        n_rows = len(node.rows)
        head = min(node.head_rows, n_rows)
        widths = column_widths(node)  # the source's when they differ, else from content (colwidths.py)
        if widths and len(widths) == width:
            shares = [w / (sum(widths) or 1.0) for w in widths]
            columns = "(" + ", ".join(f"{max(s, 0.01):.4f}fr" for s in shares) + ("," if width == 1 else "") + ")"
        else:
            shares, columns = [1 / width] * width, str(width)
        three_line = (self.doc.metadata.language or "").startswith("zh")
        cells_head: list[str] = []
        cells_body: list[str] = []
        aligned = cell_aligns(node)  # the source's column alignment (figures flush right)
        for r, row in enumerate(grid):
            # a row moves to the next page whole, as WeasyPrint's (tr: break-inside: avoid), where it is surely
            # shorter than a page; a taller one may still break (an unbreakable row taller than the page would
            # run off its foot)
            whole = "" if r < head or not _short_row(row, shares) else ", breakable: false"
            for slot in row:
                if slot.continued:
                    continue
                cell = slot.cell
                limit = (head - r) if r < head else (n_rows - r)
                rowspan = max(1, min(cell.rowspan, limit))
                colspan = max(1, min(cell.colspan, width - slot.col))
                content = self.blocks(cell.blocks, lang)
                if (cell.header and r >= head) or (three_line and r < head):  # row 0 is the 续表 line there
                    content = f"#strong[{content}]"
                align = f", align: {aligned[id(cell)]}" if id(cell) in aligned else ""
                spec = (f"table.cell(x: {slot.col}, y: {r}, colspan: {colspan}, rowspan: {rowspan}{align}{whole})"
                        f"[{content}]")
                (cells_head if r < head else cells_body).append(spec)
        parts: list[str] = []
        heavy, light = "1.2pt + black", "0.6pt + black"
        start = ""
        if three_line:
            # a three-line table broken across pages is closed by a heavy rule on every page (a repeated footer)
            # and continued under a 续表 line (a repeated first row, empty on the table's first page)
            self.tables += 1
            mark = f"dp-table-{self.tables}"
            start = f"#metadata(none)<{mark}>"
            cont = continued_label(node.label, lang or self.doc.metadata.language)
            cont_cell = (f"table.cell(x: 0, y: 0, colspan: {width}, inset: 0pt, align: center, context {{ "
                         f"if here().page() != locate(<{mark}>).page() {{ block(inset: (bottom: 1.5mm), "
                         f"text(size: 9pt, {lit(cont)})) }} }})")
            cells_head = [re.sub(r"y: (\d+)", lambda m: f"y: {int(m.group(1)) + 1}", c, count=1) for c in cells_head]
            cells_body = [re.sub(r"y: (\d+)", lambda m: f"y: {int(m.group(1)) + 1}", c, count=1) for c in cells_body]
            rules = [cont_cell, f"table.hline(y: 1, stroke: {heavy})"]
            rules_after = [f"table.hline(y: {head + 1}, stroke: {light})"] if head else []
            parts.append("table.header(repeat: true, " + ", ".join(rules + cells_head + rules_after) + ")")
            parts.extend(cells_body)
            parts.append(f"table.footer(repeat: true, table.cell(colspan: {width}, inset: 0pt, "
                         f"stroke: (top: {heavy}))[])")
        else:
            if head:
                parts.append("table.header(repeat: true, " + ", ".join(cells_head) + ")")
            parts.extend(cells_body)
        stroke = "none" if three_line else '0.5pt + rgb("#666666")'
        table = f"table(columns: {columns}, stroke: {stroke}, " + ", ".join(parts) + ")"
        caption = self.caption(node.label, node.caption, lang)
        cap = f", caption: [{caption}]" if caption else ""
        return start + self.anchor(node.id) + \
            f"#figure({table}, kind: table, numbering: none, supplement: none{cap})"

    # ------------------------------------------------------------------ the document

    def titlepage(self) -> str:
        m = self.doc.metadata
        lang = m.language
        fields: list[str] = []
        if m.symbol:
            fields.append(f"symbol: {lit(m.symbol)}")
        if m.title:
            lines = title_lines(m.title, title_pt(self.options), measure_pt(self.options) - 1)
            fields.append("title: [" + "#linebreak();".join(f"#{lit(x)};" for x in lines) + "]")
        for key, value in (("subtitle", m.subtitle), ("session", m.session),
                           ("author", "、".join(m.authors) if m.authors else None),
                           ("date-place", " ".join(x for x in (display_date(m.date, lang), m.place) if x) or None),
                           ("publisher", m.publisher)):
            if value:
                fields.append(f"{key}: {lit(value)}")
        if not fields and not m.edition_notes:
            return ""
        if m.edition_notes:
            fields.append(f"notes: {_lits(m.edition_notes)}")
        if not (m.title or m.symbol):  # a page holding only an author is no title page: a byline instead
            return f"#dp-byline({', '.join(fields)})"
        fields += [f"title-size: {title_pt(self.options)}pt", f"space: {title_space(self.options):.3f}",
                   f"sans: {self.fonts(lang, 'sans')}"]
        return f"#dp-titlepage({', '.join(fields)})"

    def toc(self) -> str:
        entries = [b for b in self.doc.blocks if isinstance(b, ir.Heading) and b.level <= 2 and b.id]
        if not entries or (len(entries) < 2 and not self.divisions):
            return ""  # a contents list of one line says nothing a reader does not see on the next page
        title = contents_heading(self.doc.metadata.language)
        made = f"#dp-toc-list({lit(title)}, {CONTENTS_MARK})" if self.parted else f"#dp-toc({lit(title)})"
        if not self.divisions:
            return made
        # a book's contents open on a recto after the pages printed before them, in the front matter's folios
        return ("#[#metadata(none)<dp-chapter-end>]\n#pagebreak(weak: true, to: dp-recto)\n"
                f"#dp-open(role: \"toc\", running: {lit(title)})[{made}]")

    def head(self, stamp: dt.datetime | None, *, offset: int = 0, running: str | None = None,
             folios: str | None = None, first: int | None = None, attach: bool = True) -> list[str]:
        """The lines that open ``main.typ`` (or a part's: the pages before it, ``offset``; the running head it
        carries; its folio style and first folio; the attachments only in the first part)."""
        m = self.doc.metadata
        lang = m.language
        base, region = lang_region(lang)
        width, height = page_mm(self.options.page_size)
        inner, outer = margins_mm(self.options)
        date = f"datetime(year: {stamp.year}, month: {stamp.month}, day: {stamp.day}, hour: {stamp.hour}, " \
               f"minute: {stamp.minute}, second: {stamp.second})" if stamp else "none"
        keywords = [x for x in (m.symbol, m.session) if x]
        head = [
            f"#import {lit(TEMPLATE)}: *",
            # before the page set-up, or the first page's header reads the folio before the update
            f"#counter(page).update({first})" if first is not None else "",
            f"#set document(title: {lit(m.title or m.symbol or m.source or 'document')}, "
            f"author: {_lits(m.authors)}, keywords: {_lits(keywords)}, date: {date})",
            f"#show: docpipe.with(width: {width:.2f}mm, height: {height:.2f}mm, inner: {inner}mm, outer: {outer}mm, "
            f"head-room: {TOP_MM}mm, foot-room: {BOTTOM_MM}mm, bleed: {bleed_mm(self.options):.2f}mm, "
            f"lang: {lit(base)}, region: {lit(region) if region else 'none'}, "
            f"serif: {self.fonts(lang)}, sans: {self.fonts(lang, 'sans')}, "
            f"mono: {self.mono(lang)}, "
            f"running-title: {lit(m.title) if m.title else 'none'}, "
            f"three-line: {'true' if (lang or '').startswith('zh') else 'false'}, "
            f"book: {'true' if self.divisions else 'false'}, offset: {offset}, "
            f"running-start: {lit(running) if running else 'none'})",
            # a division opens on a recto: an odd page, or in a part that begins on a verso an even one
            f"#let dp-recto = {lit('even' if offset % 2 else 'odd')}",
        ]
        if folios or self.divisions:  # a book: front matter in roman folios (the body restarts them in arabic)
            head.append(f"#set page(numbering: {lit(folios or 'i')})")
        for i, (name, _) in enumerate(self.options.attachments if attach else ()):
            head.append(f"#pdf.attach({lit(name)}, read({lit(f'attachments/{i}')}, encoding: none), "
                        f"relationship: \"source\", mime-type: \"application/tei+xml\", "
                        f"description: \"TEI P5 edition\")")
        return head

    def front(self) -> tuple[str, str]:
        """The title page and (for a document that is no book) the contents, set before the body."""
        titlepage = "" if has_role(self.doc, "titlepage") else self.titlepage()  # a book's own title page
        toc = "" if self.divisions else self.toc()
        if titlepage.startswith("#dp-byline") and not toc:
            self.byline, titlepage = titlepage, ""  # set by `body` or `opening` at the head of the first page
        return titlepage, toc

    def back(self, lang: str | None) -> list[str]:
        """What follows the body: the rights (unless a copyright page shows them), notes never called."""
        m = self.doc.metadata
        out = []
        if m.rights and not has_role(self.doc, "copyright-page"):  # a copyright page shows them
            out.append("#pagebreak(weak: true)\n#[#set text(size: 9pt, fill: rgb(\"#222222\"));"
                       f"{self.blocks(m.rights, lang)}]")
        unplaced = [n for n in self.doc.notes if n.id not in self.placed]
        if unplaced:  # notes never called: kept after the text, each with its marker
            rows = [self.anchor(n.id) + f"#[#set par(first-line-indent: 0pt);#super({lit(n.marker)});#h(0.3em);"
                    f"{self.note_body(n, lang)}]" for n in unplaced]
            out.append("#line(length: 100%, stroke: 0.5pt + rgb(\"#777777\"))\n#[#set text(size: 9pt);"
                       + "\n\n".join(rows) + "]")
        return out

    def source(self, stamp: dt.datetime | None) -> str:
        """The whole ``main.typ``."""
        lang = self.doc.metadata.language
        head = self.head(stamp)
        titlepage, toc = self.front()
        parts = [*head, titlepage, toc, *self.body(lang), *self.back(lang)]
        return "\n\n".join(p for p in parts if p) + "\n"

    def parts(self, limit: int) -> list[Part]:
        """The document's markup in parts of about ``limit`` characters, each laid out on its own: cut before a
        chapter opening (it starts a recto anyway) once a part holds half of ``limit``, else — a run of text with
        no opening — between two blocks once it holds all of it (the next part starts a page). Nothing is cut
        before a book's body begins, nor between an opening and what follows it; the contents end a part of
        their own, which is laid out again once the pages are known."""
        self.parted = True
        lang = self.doc.metadata.language
        self.head(None)  # the families its faces name join the font book before any part is laid out
        titlepage, toc = self.front()
        parts: list[Part] = []
        current = [p for p in (titlepage, toc) if p]
        size = sum(map(len, current))
        opens, running = False, None  # the current part's start
        before_running, before_arabic = None, False  # the state before the markup just received
        after_contents = bool(toc)
        after_opening = False
        for made in self.body(lang):
            cuttable = current and not after_opening and (before_arabic or not self.divisions)
            if cuttable and (after_contents or (self.opening_now and size >= limit // 2) or size >= limit):
                parts.append(Part("\n\n".join(current), opens, running))
                current, size = [], 0
                opens, running = self.opening_now, before_running
            current.append(made)
            size += len(made)
            after_contents = CONTENTS_MARK in made
            after_opening = self.opening_now
            before_running, before_arabic = self.running, self.arabic
        current.extend(self.back(lang))
        parts.append(Part("\n\n".join(p for p in current if p), opens, running))
        return parts

    def contents(self, pages: dict[str, str]) -> str:
        """The contents' entries (for :data:`CONTENTS_MARK`): level, destination, folio, text."""
        rows = [f"({rank}, {lit('docpipe-dest:' + name)}, {lit(pages.get(name, ''))}, [{text}])"
                for rank, name, text, _ in self.headings if rank <= 2]
        return "(" + "".join(r + ", " for r in rows) + ")"


@dataclasses.dataclass(frozen=True, slots=True)
class Part:
    """A piece of a document laid out on its own (:meth:`_Writer.parts`)."""

    body: str
    opens: bool
    """It begins with a division's opening, on a recto."""
    running: str | None
    """The running head of the division it continues."""


def _zh(lang: str | None) -> bool:
    return (lang or "").startswith("zh")


def _first_char(node: ir.Inline) -> str:
    match node:
        case ir.Text(text=t) | ir.Code(text=t):
            return t[:1]
        case ir.BookTitle(open=o):
            return o[:1]
        case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.Span(children=c):
            return _first_char_of(c)
        case ir.Choice():
            return _first_char_of(shown_reading(node))
        case _:
            return ""


def _first_char_of(nodes: tuple[ir.Inline, ...]) -> str:
    for n in nodes:
        ch = _first_char(n)
        if ch:
            return ch
        if not isinstance(n, ir.Milestone):
            return ""
    return ""


def _targets(doc: ir.Document) -> frozenset[str]:
    """Every id this writer gives an anchor (a link to anything else would fail in Typst)."""
    from ..walk import iter_blocks
    ids: set[str] = set()
    for b in iter_blocks((*doc.blocks, *doc.metadata.rights, *(x for n in doc.notes for x in n.blocks))):
        ident = getattr(b, "id", None)
        if ident:
            ids.add(ident)
    for n in doc.notes:
        ids.add(n.id)
    for node in iter_inlines_all(doc):
        if isinstance(node, ir.NoteRef) and node.note_id in {n.id for n in doc.notes}:
            ids.add(f"fnref-{node.note_id.removeprefix('fn-')}")
    return frozenset(ids)


def _length(value: str | None, measure: float) -> str | None:
    """A Typst length from a source's width (``6.5in``, ``40%``, ``300`` px), never wider than ``measure`` pt."""
    if not value:
        return None
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px|pt|mm|cm|in|%|em)?\s*", value)
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2) or "px"
    if unit == "%":
        return f"{min(number, 100.0):g}%"
    if unit == "em":
        return f"{min(number * 10.5, measure):.2f}pt"
    pt = number * {"px": 0.75, "pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}[unit]
    return f"{min(pt, measure):.2f}pt"


# ------------------------------------------------------------------------------------------------ equations

#: Names an equation may not call: whatever reads files, evaluates code or reaches into the document.
_FORBIDDEN = frozenset("""read eval image json csv xml yaml toml cbor plugin bibliography cite include import pdf
raw sys query locate here context metadata state counter label ref link footnote figure outline page pagebreak
heading set show let document panic assert repr bytes str regex datetime selector layout measure html place""".split())
_MATH_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATH_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
#: The one piece of code pandoc writes into math: a horizontal space (``\mspace{20mu}`` -> ``#h(1em)``).
_SPACING = re.compile(r"#h\(\s*-?\d+(?:\.\d+)?(?:em|pt)\s*\)")


#: Symbols pandoc 3.9 writes under names the Typst docpipe requires (pyproject: typst 0.15) no longer knows, and
#: their names there (``sect``, ∩: one in docxjs's equation array failed the Typst run, which then set every
#: equation of the document as TeX).
_TYPST_RENAMED = {"sect": "inter"}
_RENAMED = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![A-Za-z0-9.])(' + "|".join(_TYPST_RENAMED) + r")(?![A-Za-z0-9-])")


def typst_names(source: str) -> str:
    """pandoc's Typst math with each symbol of :data:`_TYPST_RENAMED` under the name Typst knows (strings kept)."""
    return _RENAMED.sub(lambda m: _TYPST_RENAMED[m.group(1)] if m.group(1) else m.group(0), source)


def safe_math(source: str) -> bool:
    """Whether pandoc's Typst math is only math: one ``$…$``, no code (``#``), no forbidden name."""
    source = source.strip()
    if len(source) < 2 or not source.startswith("$") or not source.endswith("$") or source.startswith("\\$"):
        return False
    bare = _SPACING.sub(" ", _MATH_STRING.sub('""', source[1:-1]))
    if "$" in bare or "#" in bare or "@" in bare or re.search(r"<[A-Za-z_][\w:.-]*>", bare):
        return False  # code, a reference or a label: not math
    return not any(name in _FORBIDDEN for name in _MATH_NAME.findall(bare))


_MATH_CACHE: dict[tuple[str, bool], str | None] = {}
_SEPARATOR = "DOCPIPESEPARATOR"


def _math_table(doc: ir.Document, options: Options, diag: Diagnostics) -> dict[tuple[str, bool], str | None]:
    """Typst math for every equation of ``doc``: one pandoc run (texmath) for those not yet converted."""
    eqs = list(dict.fromkeys((n.tex, n.display) for n in iter_inlines_all(doc) if isinstance(n, ir.Math)))
    from ..mathrender import kept_as_tex, texmath_safe, texmath_tex
    for eq in eqs:
        if eq not in _MATH_CACHE and not texmath_safe(eq[0]):
            _MATH_CACHE[eq] = None  # texmath's time doubles with each further script: kept as TeX
    todo = [e for e in eqs if e not in _MATH_CACHE]
    if todo:
        from ..readers.pandoc import pandoc_path
        blocks: list[Any] = []
        for tex, display in todo:
            blocks.append({"t": "Para", "c": [{"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"},
                                                                 texmath_tex(tex)]}]})
            blocks.append({"t": "Para", "c": [{"t": "Str", "c": _SEPARATOR}]})
        data = json.dumps({"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": blocks}).encode("utf-8")
        pieces: list[str] = []
        try:
            proc = subprocess.run([pandoc_path(), "--sandbox", "-f", "json", "-t", "typst", "--wrap=none"],
                                  input=data, capture_output=True, timeout=options.tool_timeout, check=False)
            if proc.returncode == 0:
                pieces = [p.strip() for p in proc.stdout.decode("utf-8", "replace").split(_SEPARATOR)]
            else:
                diag.emit("math-kept-as-tex", "equations kept as TeX: pandoc could not convert them "
                          f"({proc.stderr.decode('utf-8', 'replace').strip()[:120]})")
        except (OSError, subprocess.TimeoutExpired) as exc:
            diag.emit("math-kept-as-tex", f"equations kept as TeX: pandoc could not convert them ({exc})")
        for i, eq in enumerate(todo):
            piece = typst_names(pieces[i]) if i < len(pieces) else ""
            _MATH_CACHE[eq] = piece if safe_math(piece) else None
    out = {}
    for eq in eqs:
        if _MATH_CACHE.get(eq) is None:
            kept_as_tex(diag, eq[0], "no Typst math for it")
        out[eq] = _MATH_CACHE.get(eq)
    return out


# ------------------------------------------------------------------------------------------------ running


#: Lines of table text a row may reach and still be kept on one page (A5 holds about 30 at 9 pt).
ROW_LINES = 20


def _short_row(row: list[Any], shares: list[float]) -> bool:
    """Whether every cell of a grid row surely fits :data:`ROW_LINES` lines (its text over the characters its
    columns' share of the measure holds)."""
    for slot in row:
        if slot.continued or slot.cell.rowspan > 1:
            continue
        share = sum(shares[slot.col:slot.col + max(slot.cell.colspan, 1)])
        per_line = max(1.0, share * MEASURE_EM - PADDING_EM)
        lines = sum(max(1.0, text_em(block_text((b,))) / per_line) + 0.5 for b in slot.cell.blocks)
        if lines > ROW_LINES:
            return False
    return True


#: Families ``print.typ`` names itself (New Computer Modern Math is one of Typst's own).
TEMPLATE_FAMILIES = ("Noto Serif",)


@functools.cache
def _roots() -> tuple[Path, ...]:
    """The font folders of ``fonts/fonts.toml`` (a folder inside another counted once)."""
    search = config().get("search", [])
    assert isinstance(search, list)
    folders = [p.resolve() for p in (FONTS_DIR, *(Path(str(s)).expanduser() for s in search)) if p.is_dir()]
    return tuple(f for f in dict.fromkeys(folders) if not any(o != f and o in f.parents for o in folders))


@functools.lru_cache(maxsize=64)
def _fonts(files: tuple[str, ...]) -> Any:
    """Typst's font book over ``files`` (made once per process for each set; no system scan). Typst takes folders
    only, so the files are linked into a folder of their own, kept (named by the set) in docpipe's cache; where no
    such folder can be made, the book is every folder of ``fonts/fonts.toml``."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=_font_paths(files))


def _font_paths(files: tuple[str, ...]) -> list[str]:
    """The folders Typst is given for ``files``: their folder of links, else every folder of ``fonts.toml``."""
    folder = _linked(files)
    return [str(folder)] if folder is not None else [str(p) for p in _roots()]


def _linked(files: tuple[str, ...]) -> Path | None:
    """A folder holding a link to each of ``files`` and nothing else, or None when it cannot be made."""
    name = hashlib.sha256("\0".join(files).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    folder = cache_dir() / "typst-fonts" / name
    if folder.is_dir():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
        for i, path in enumerate(files):
            (tmp / f"{i:04d}-{Path(path).name}").symlink_to(path)
        try:
            tmp.rename(folder)
        except OSError:  # another process made it first
            shutil.rmtree(tmp, ignore_errors=True)
        return folder if folder.is_dir() else None
    except OSError:
        return None


def _book(families: Iterable[str], coverage: Coverage) -> tuple[str, ...]:
    """The font files Typst is given: every face of the families the source names and of the faces the coverage
    found for characters they lack, among the folders of ``fonts/fonts.toml``. Typst reads each file it is given
    (0.1 s for the whole of /usr/share/fonts in a fresh process); the fonts it chooses are among these anyway."""
    roots = _roots()
    files = {path for path in family_files({*families, *(f.family for f in coverage.faces())})
             if any(root == path or root in path.parents for root in roots)}
    return tuple(sorted(str(p) for p in files))


def _stamp(doc: ir.Document, options: Options) -> dt.datetime | None:
    """The PDF's date: ``SOURCE_DATE_EPOCH``, else the document's own date; never the clock."""
    epoch = options.source_date_epoch
    if epoch is None:
        epoch = date_epoch(doc.metadata.date)
    return dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch is not None else None


def build(doc: ir.Document, options: Options, diag: Diagnostics, *, math: bool = True) -> tuple[str, dict[str, bytes]]:
    """The Typst source and the files it reads (template, media, attachments), by path in its folder."""
    source, files, _ = _build(doc, options, diag, math=math)
    return source, files


def _build(doc: ir.Document, options: Options, diag: Diagnostics, *,
           math: bool = True) -> tuple[str, dict[str, bytes], set[str]]:
    """:func:`build`, and the font families the source names."""
    writer = _Writer(doc, options, diag, math=math)
    source = writer.source(_stamp(doc, options))
    return source, _files(writer, options, diag), writer.families


def _files(writer: _Writer, options: Options, diag: Diagnostics) -> dict[str, bytes]:
    """The files the written source reads (template, media, attachments), by path in its folder."""
    files = dict(writer.files)
    files[TEMPLATE] = (STYLES_DIR / TEMPLATE).read_bytes()
    for i, (_, data) in enumerate(options.attachments):
        files[f"attachments/{i}"] = data
    if writer.halts:
        diag.emit("writer-note", f"{writer.halts} adjacent punctuation pair(s) compressed (half-width first mark)")
    return files


def _unpack(root: Path, files: dict[str, bytes]) -> None:
    """``files`` written under ``root``, with the empty package folder Typst is pointed at (nothing imported)."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "packages").mkdir()


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """PDF for ``doc``, laid out by Typst."""
    if options.vertical:
        raise UsageError("--vertical is not available for PDF", expected="--vertical with --to epub only")
    if options.pdf_variant and options.pdf_variant not in STANDARDS:
        raise UsageError(f"--pdf-variant {options.pdf_variant} is not available with --pdf-engine typst "
                         "(Typst writes no output intent or trim box)",
                         expected="pdf/a-3b, pdf/a-3a or pdf/ua-1, or --pdf-engine weasyprint")
    if options.marks:
        diag.emit("writer-dropped", "crop marks are not drawn by the Typst engine (the bleed is kept); "
                  "use --pdf-engine weasyprint for them")
    if options.css:
        diag.emit("writer-dropped", f"--css {options.css} is not applied by the Typst engine (it reads no CSS)")
    check_family(options.serif_font, doc.metadata.language)
    text = "".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text))
    coverage = report_coverage(text, doc.metadata.language, diag, override=options.serif_font)
    try:
        import typst
    except ImportError as exc:
        raise OutputError(f"the Typst engine cannot start ({exc}); run `make install`") from exc
    standards = [STANDARDS[options.pdf_variant]] if options.pdf_variant else []
    stamp = _stamp(doc, options)
    has_math = any(isinstance(n, ir.Math) for n in iter_inlines_all(doc))
    if not standards and len(text) > PARTED_TEXT:
        return _write_parts(doc, options, diag, coverage, stamp, has_math)
    for attempt in ("math", "tex") if has_math else ("math",):
        source, files, families = _build(doc, options, diag if attempt == "math" else Diagnostics(),
                                         math=attempt == "math")
        with tempfile.TemporaryDirectory(prefix="docpipe-typst-") as tmp:
            root = Path(tmp)
            _unpack(root, files)
            (root / "main.typ").write_text(source, encoding="utf-8")
            try:
                compiler = typst.Compiler(root=str(root), font_paths=_fonts(_book(families, coverage)),
                                          ignore_system_fonts=True,
                                          package_path=str(root / "packages"),
                                          package_cache_path=str(root / "packages"))
                pdf, warnings = compiler.compile_with_warnings(
                    str(root / "main.typ"), format="pdf", pdf_standards=standards,
                    timestamp=int(stamp.timestamp()) if stamp else None,
                    pdf_tags=options.pdf_variant in TAGGED)
            except typst.TypstError as exc:
                if attempt == "math" and has_math:
                    diag.emit("math-kept-as-tex", f"Typst could not set the equations ({exc.message}); kept as TeX")
                    continue
                where = " ".join(str(exc.diagnostic).split())[:300]
                raise OutputError(f"Typst failed: {exc.message} ({where})") from exc
        for message in dict.fromkeys(w.message for w in warnings):
            diag.emit("writer-dropped" if "ignored" in message else "writer-note", f"Typst: {message}")
        if not isinstance(pdf, bytes):
            raise OutputError("Typst returned no PDF")
        return pdf
    raise OutputError("Typst failed")


#: Characters of text past which a document is laid out in parts (:mod:`pipeline.writers.typst_parts`): about
#: 1 200 A4 pages of Chinese, 400 MB of Typst's memory in one piece.
PARTED_TEXT = 1_200_000
#: Characters of Typst markup in a part (about 8 000 paragraphs of Chinese, 700 A4 pages, 250 MB).
PART_SOURCE = 1_300_000


def _write_parts(doc: ir.Document, options: Options, diag: Diagnostics, coverage: Coverage,
                 stamp: dt.datetime | None, has_math: bool) -> bytes:
    """:func:`write` for a long document: laid out in parts, each in a process of its own, then joined."""
    from .typst_parts import PartFailed, layout

    for attempt in ("math", "tex") if has_math else ("math",):
        told = diag if attempt == "math" else Diagnostics()
        writer = _Writer(doc, options, told, math=attempt == "math")
        parts = writer.parts(PART_SOURCE)
        files = _files(writer, options, told)
        contents = any(CONTENTS_MARK in p.body for p in parts[:1])

        def source(k: int, offset: int, folios: str | None, first: int | None, toc: dict[str, str],
                   writer: _Writer = writer, parts: list[Part] = parts, contents: bool = contents) -> str:
            part = parts[k]
            head = writer.head(stamp, offset=offset, running=part.running, folios=folios, first=first,
                               attach=k == 0)
            body = part.body.replace(CONTENTS_MARK, writer.contents(toc), 1) if k == 0 and contents else part.body
            return "\n\n".join(p for p in (*head, body) if p) + "\n"

        with tempfile.TemporaryDirectory(prefix="docpipe-typst-") as tmp:
            root = Path(tmp)
            _unpack(root, files)
            try:
                return layout(len(parts), source, [p.opens for p in parts], bool(writer.divisions), contents,
                              root, _font_paths(_book(writer.families, coverage)),
                              int(stamp.timestamp()) if stamp else None, told,
                              [(rank, name, title) for rank, name, _, title in writer.headings])
            except PartFailed as exc:
                if attempt == "math" and has_math:
                    diag.emit("math-kept-as-tex", f"Typst could not set the equations ({exc}); kept as TeX")
                    continue
                raise
    raise OutputError("Typst failed")
