"""DOCX with python-docx: named Word styles, native footnotes, paragraph bookmarks, East Asian settings.

The style set is built in code, not shipped as a template file: every property is in this module, reviewable
in a diff, identical in every edition, and follows the edition's typeface. A person restyles the whole
document from Word's style pane: Title, Subtitle, Document Symbol, Title Page Info, Heading 1–4 (with outline
levels, so the navigation pane and a TOC work), Numbered Paragraph (the UN layout: the number is literal text,
then a tab, on a hanging indent), Box Title and Box Text (bordered and shaded, kept together), Footnote Text
and Footnote Reference, Rights.

python-docx has no footnote API: the ``footnotes.xml`` part (with its separator notes) is added through the OPC
layer and related to the main document; calls are ``w:footnoteReference`` runs, with ``w:customMarkFollows``
where the source's marker is not the automatic number.

East Asian settings: ``w:rFonts w:eastAsia`` and the theme's East Asian fonts name the edition's typeface
(Noto Serif CJK TC/SC/HK), ``w:lang w:eastAsia`` follows each part (zh-TW, zh-CN, zh-HK), kinsoku is on, and
``w:autoSpaceDE``/``w:autoSpaceDN`` make Word put the Han–Latin gap itself; the font table names the faces Windows
and macOS ship as fallbacks and the theme's language follows the edition (:mod:`pipeline.writers.docx_fonts`).

Chinese editions set tables as three-line tables (GB/T 7713.1) with columns from content, and emphasis as dots
under the characters (clreq 3.5.1); see docs/typography.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any, assert_never

from lxml import etree

from .. import ir
from ..cjk.dates import display_date
from ..colwidths import column_widths
from ..diagnostics import Diagnostics
from ..errors import OutputError
from ..fileio import deterministic_zip
from ..fontsel import family_for
from ..guard import file_link_dropped, file_link_target
from ..media import DOCX_TYPES, by_name, shown
from ..options import Options
from ..rtl import direction, has_rtl_letters, is_rtl
from ..units import parse_length
from ..walk import iter_inlines_all, plain, shown_reading
from . import divisions as D
from . import docx_fonts, docx_layout, wordml
from .wordml import W, schema_order
from .wordml import el as _el
from .wordml import sub as _sub
from .wordml import w as _w

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
IMAGE_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
#: Word 2016's SVG picture: an ``a:blip`` extension naming the SVG part, the blip itself its PNG rendering
ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
SVG_BLIP_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
#: Resolution of an SVG's PNG rendering (what Word versions before 2016 and other readers show)
SVG_PNG_DPI = 192
#: Largest PNG rendering of an SVG, in pixels on its longer side
SVG_PNG_MAX_PX = 3000
EMU_PER_TWIP = 635
#: A4 with docpipe's margins: 11906 − 2 × 1247 twips of text column
TEXT_WIDTH_TWIPS = 9412
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
HYPERLINK_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
EAST_ASIAN = {"zh-Hant": "zh-TW", "zh-Hant-TW": "zh-TW", "zh-Hant-HK": "zh-HK", "zh-Hans": "zh-CN"}


def _cjk_tag(lang: str | None) -> bool:
    """Whether ``lang`` is Chinese, Japanese or Korean (a tag whose text is set in a CJK face)."""
    return bool(lang) and str(lang).split("-")[0].lower() in ("zh", "ja", "ko", "yue", "lzh", "cmn", "wuu")


def east_asian(lang: str | None) -> str:
    """The ``w:eastAsia`` language for a BCP 47 tag (Japanese and Korean their own, any other language zh-TW)."""
    tag = lang or ""
    if tag in EAST_ASIAN:
        return EAST_ASIAN[tag]
    if tag.startswith(("zh-Hant-HK", "zh-HK", "zh-MO", "yue")):
        return "zh-HK"
    if tag.startswith(("zh-Hant", "zh-TW", "lzh")):
        return "zh-TW"
    if tag.startswith(("zh-Hans", "zh-CN", "zh-SG")):
        return "zh-CN"
    if tag == "ja" or tag.startswith("ja-"):
        return "ja-JP"
    if tag == "ko" or tag.startswith("ko-"):
        return "ko-KR"
    return "zh-CN" if tag.startswith("zh") else "zh-TW"


# --------------------------------------------------------------------------- styles


def _style_xml(styles: etree._Element, style_id: str, name: str, kind: str = "paragraph", *,
               based_on: str | None = "Normal", next_style: str | None = None, outline: int | None = None,
               ppr: list[etree._Element] | None = None, rpr: list[etree._Element] | None = None) -> None:
    wordml.style(styles, style_id, name, kind=kind, based_on=based_on, next_style=next_style, outline=outline,
                 ppr=ppr if kind == "paragraph" else None, rpr=rpr)


#: The run property of each presentational span class (pandoc's Superscript, Subscript, Strikeout, Underline and
#: SmallCaps): without them a W3C page's 2<sup>31</sup> read "231".
SPAN_RPR: dict[str, tuple[str, dict[str, str]]] = {
    "superscript": ("vertAlign", {"val": "superscript"}), "subscript": ("vertAlign", {"val": "subscript"}),
    "strikeout": ("strike", {}), "underline": ("u", {"val": "single"}), "smallcaps": ("smallCaps", {})}


def _fonts(family: str) -> etree._Element:
    return _el("rFonts", {"ascii": family, "hAnsi": family, "eastAsia": family, "cs": family})


def _border() -> etree._Element:
    bdr = _el("pBdr")
    for side in ("top", "left", "bottom", "right"):
        _sub(bdr, side, {"val": "single", "sz": "6", "space": "6", "color": "555555"})
    return bdr


def _table_style(styles: etree._Element) -> None:
    """Three Line Table: the table style of Chinese editions (heavy rules above and below, a light one under the
    header row, no vertical rules)."""
    for old in styles.findall(_w("style")):
        if old.get(_w("styleId")) == "ThreeLineTable":
            styles.remove(old)
    st = _sub(styles, "style", {"type": "table", "styleId": "ThreeLineTable"})
    _sub(st, "name", {"val": "Three Line Table"})
    _sub(st, "basedOn", {"val": "TableNormal"})
    _sub(st, "uiPriority", {"val": "59"})
    _sub(st, "qFormat")
    tpr = _sub(st, "tblPr")
    tpr.append(_three_line_borders())
    tpr.append(_cell_margins())
    first = _sub(st, "tblStylePr", {"type": "firstRow"})
    _sub(_sub(first, "trPr"), "tblHeader")
    _sub(_sub(_sub(first, "tcPr"), "tcBorders"), "bottom", {"val": "single", "sz": "6", "space": "0",
                                                            "color": "000000"})


def install_styles(document: Any, doc: ir.Document, options: Options) -> None:
    """Replace the template's look with docpipe's named styles for this edition."""
    styles = document.styles.element
    lang = doc.metadata.language
    serif = family_for(lang, "serif", options.serif_font)
    sans = family_for(lang, "sans")
    defaults = styles.find(_w("docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    defaults = _el("docDefaults")
    rpr = _sub(_sub(defaults, "rPrDefault"), "rPr")
    rpr.append(_fonts(serif))
    _sub(rpr, "sz", {"val": "22"})
    _sub(rpr, "szCs", {"val": "22"})
    bidi = lang if lang and is_rtl(lang) else "ar-SA"
    # the document's own language (en-CA, fr), as themeFontLang says it; en-US for a Chinese, Japanese or Korean one
    latin = lang if lang and not _cjk_tag(lang) else "en-US"
    _sub(rpr, "lang", {"val": latin, "eastAsia": east_asian(lang), "bidi": bidi})
    ppr = _sub(_sub(defaults, "pPrDefault"), "pPr")
    if is_rtl(lang):  # a right-to-left document: every paragraph runs right to left unless it says otherwise
        _sub(ppr, "bidi")
    _sub(ppr, "kinsoku", {"val": "1"})
    _sub(ppr, "overflowPunct", {"val": "0"})  # no hanging punctuation: it stays inside the measure
    _sub(ppr, "autoSpaceDE", {"val": "1"})
    _sub(ppr, "autoSpaceDN", {"val": "1"})
    _sub(ppr, "spacing", {"after": "120", "line": "360", "lineRule": "auto"})
    styles.insert(0, defaults)

    def jc(value: str) -> etree._Element:
        return _el("jc", {"val": value})

    keep = _el("keepNext")
    _style_xml(styles, "Normal", "Normal", based_on=None, ppr=[_el("jc", {"val": "both"})])
    _style_xml(styles, "Title", "Title", next_style="Subtitle",
               ppr=[jc("center"), _el("spacing", {"before": "1200", "after": "600"})],
               rpr=[_fonts(sans), _el("b"), _el("sz", {"val": "44"})])
    _style_xml(styles, "Subtitle", "Subtitle", ppr=[jc("center")], rpr=[_el("sz", {"val": "26"})])
    _style_xml(styles, "DocumentSymbol", "Document Symbol", ppr=[jc("right")],
               rpr=[_el("sz", {"val": "24"})])  # the body face (a generic sans fell to a typewriter-like one)
    _style_xml(styles, "TitlePageInfo", "Title Page Info", ppr=[jc("center"), _el("spacing", {"after": "60"})],
               rpr=[_el("sz", {"val": "24"})])
    _style_xml(styles, "Byline", "Byline", ppr=[jc("center"), _el("spacing", {"after": "240"})],
               rpr=[_el("sz", {"val": "24"})])
    _style_xml(styles, "EditionNote", "Edition Note", ppr=[jc("center"), _el("spacing", {"before": "1200"})],
               rpr=[_el("sz", {"val": "18"})])
    sizes = {1: "34", 2: "28", 3: "24", 4: "22"}
    for level in (1, 2, 3, 4):
        extra = [_el("pageBreakBefore")] if level == 1 else []
        _style_xml(styles, f"Heading{level}", f"Heading {level}", next_style="NumberedParagraph",
                   outline=level - 1,
                   ppr=[copy.deepcopy(keep), _el("keepLines"), *extra,
                        _el("spacing", {"before": "360" if level < 3 else "240", "after": "120"}), jc("left")],
                   rpr=[_fonts(sans), _el("b"), _el("sz", {"val": sizes[level]}),
                        _el("color", {"val": "000000"})])
    _style_xml(styles, "NumberedParagraph", "Numbered Paragraph", next_style="NumberedParagraph",
               ppr=[_el("tabs", {}, _el("tab", {"val": "left", "pos": "567"})),
                    _el("ind", {"left": "567", "hanging": "567"})])
    shd = _el("shd", {"val": "clear", "color": "auto", "fill": "F1F1EC"})
    _style_xml(styles, "BoxTitle", "Box Title", next_style="BoxText",
               ppr=[copy.deepcopy(keep), _el("keepLines"), _border(), copy.deepcopy(shd),
                    _el("spacing", {"before": "240", "after": "60"}), _el("ind", {"left": "170", "right": "170"})],
               rpr=[_fonts(sans), _el("b")])
    _style_xml(styles, "BoxText", "Box Text",
               ppr=[copy.deepcopy(keep), _el("keepLines"), _border(), copy.deepcopy(shd),
                    _el("spacing", {"after": "60"}), _el("ind", {"left": "170", "right": "170"})],
               rpr=[_el("sz", {"val": "20"})])
    _style_xml(styles, "FootnoteText", "Footnote Text", ppr=[_el("spacing", {"after": "0", "line": "240",
                                                                              "lineRule": "auto"})],
               rpr=[_el("sz", {"val": "18"})])
    _style_xml(styles, "FootnoteReference", "Footnote Reference", kind="character", based_on=None,
               rpr=[_el("vertAlign", {"val": "superscript"})])
    _style_xml(styles, "Rights", "Rights", rpr=[_el("sz", {"val": "18"})])
    _style_xml(styles, "ListItem", "List Item", ppr=[_el("tabs", {}, _el("tab", {"val": "left", "pos": "425"})),
                                                      _el("ind", {"left": "425", "hanging": "425"})])
    _style_xml(styles, "BlockQuote", "Block Quote", ppr=[_el("ind", {"left": "567", "right": "567"})])
    _style_xml(styles, "Figure", "Figure", next_style="Caption",
               ppr=[_el("keepNext"), _el("spacing", {"before": "120", "after": "60"}), jc("center")])
    _style_xml(styles, "Caption", "caption", next_style="Normal",
               ppr=[_el("spacing", {"before": "60", "after": "200"}), jc("center")],
               rpr=[_el("sz", {"val": "20"}), _el("szCs", {"val": "20"})])
    _style_xml(styles, "TableCaption", "Table Caption", based_on="Caption", next_style="Normal",
               ppr=[_el("keepNext"), _el("spacing", {"before": "200", "after": "60"})])
    _style_xml(styles, "TableText", "Table Text", next_style="TableText",
               ppr=[_el("spacing", {"before": "0", "after": "0"}),
                    _el("ind", {"firstLine": "0", "firstLineChars": "0"}), jc("left")])
    _table_style(styles)
    _style_xml(styles, "CodeBlock", "Code Block", ppr=[_el("jc", {"val": "left"})],
               rpr=[_el("rFonts", {"ascii": "DejaVu Sans Mono", "hAnsi": "DejaVu Sans Mono"}),
                    _el("sz", {"val": "18"})])
    # the theme's East Asian fonts and language, and the font table: docx_fonts.install, once every part is written


# --------------------------------------------------------------------------- content

#: The styles of the lines of a book's made title and copyright pages (:mod:`pipeline.book.frontmatter`).
LINE_STYLES = {"subtitle": "Subtitle", "author": "TitlePageInfo", "edition": "TitlePageInfo",
               "publisher": "TitlePageInfo", "dedication": "TitlePageInfo", "rights": "Normal", "isbn": "Normal",
               "cip": "Normal"}


class _Writer:
    def __init__(self, document: Any, doc: ir.Document, options: Options, diag: Diagnostics) -> None:
        self.document = document
        self.doc = doc
        self.options = options
        self.diag = diag
        self.body = document.element.body
        self.sect = self.body.find(_w("sectPr"))
        self.bookmark = 0
        self.note_numbers: dict[str, int] = {}
        self.notes = {n.id: n for n in doc.notes}
        self.footnotes: list[etree._Element] = []
        self.media = by_name(doc)
        self.image_rels: dict[str, str] = {}
        self.svg_png: dict[str, ir.Media | None] = {}  # an SVG's name -> its PNG rendering (None: none possible)
        self.drawings = 0
        self.max_width_twips = TEXT_WIDTH_TWIPS
        self.seq: dict[str, int] = {}
        eqs = list(dict.fromkeys((n.tex, n.display) for n in iter_inlines_all(doc) if isinstance(n, ir.Math)))
        if eqs:
            from ..mathrender import omml
            self.omml = dict(zip(eqs, omml(eqs, options, diag), strict=True))
        else:
            self.omml = {}

    def para(self, style: str, *, lang: str | None = None, ltr: bool = False) -> etree._Element:
        """A paragraph in ``style``, its direction (``w:bidi``) set where it is not the document's (which the
        default paragraph properties carry): ``lang`` runs the other way, or it is ``ltr`` (code)."""
        p = _el("p")
        ppr = _sub(p, "pPr")
        _sub(ppr, "pStyle", {"val": style})
        doc_dir = direction(self.doc.metadata.language)
        own = "ltr" if ltr else direction(lang) if lang else doc_dir
        if own != doc_dir:
            _sub(ppr, "bidi", {} if own == "rtl" else {"val": "0"})
        if self.sect is not None:
            self.sect.addprevious(p)
        else:
            self.body.append(p)
        return p

    def run(self, parent: etree._Element, text: str, *, rpr: list[etree._Element] | None = None,
            lang: str | None = None) -> None:
        if rpr and any(x.tag == _w("em") for x in rpr):
            pieces = _emphasis_pieces(text)
            if len(pieces) > 1 or pieces[0][0] != "han":
                plain_props = [x for x in rpr if x.tag != _w("em")]
                italic = [] if any(x.tag == _w("i") for x in plain_props) else [_el("i")]
                for kind, piece in pieces:
                    extra = [x for x in rpr if x.tag == _w("em")] if kind == "han" else \
                        italic if kind == "latin" else []
                    self.run(parent, piece, rpr=[*plain_props, *extra], lang=lang)
                return
        r = _sub(parent, "r")
        props = list(rpr or [])
        if is_rtl(lang) and has_rtl_letters(text):  # Arabic, Hebrew…: a complex-script run (neutrals set RTL)
            props.append(_el("rtl"))
        if lang and _cjk_tag(lang) and not _cjk_tag(self.doc.metadata.language) and \
                not any(x.tag == _w("rFonts") for x in props):
            # a Chinese, Japanese or Korean part of a document in another language: its characters in its own
            # face (the document's default East Asian face is its Latin one, which has no Han)
            props.append(_el("rFonts", {"eastAsia": family_for(lang, "serif")}))
        if lang:
            props.append(_el("lang", {"eastAsia": east_asian(lang), **({"bidi": lang} if is_rtl(lang) else {})}))
        if props:
            rp = _sub(r, "rPr")
            for x in props:
                rp.append(copy.deepcopy(x))
        parts = text.split("\t")
        for i, piece in enumerate(parts):
            if i:
                _sub(r, "tab")
            if piece:
                t = _sub(r, "t")
                t.text = piece
                if piece != piece.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def inlines(self, parent: etree._Element, nodes: tuple[ir.Inline, ...], lang: str | None,
                rpr: list[etree._Element] | None = None) -> None:
        base = list(rpr or [])
        for node in nodes:
            match node:
                case ir.Text(text=t):
                    self.run(parent, t, rpr=base, lang=lang)
                case ir.Emph(children=c):
                    # Chinese text: emphasis dots (着重号, clreq 3.5.1), Latin words in it italic
                    mark = _el("em", {"val": EMPHASIS_MARK}) if _chinese_lang(lang) else _el("i")
                    self.inlines(parent, c, lang, [*base, mark])
                case ir.Strong(children=c):
                    self.inlines(parent, c, lang, [*base, _el("b")])
                case ir.Code(text=t):
                    self.run(parent, t, rpr=[*base, _el("rFonts", {"ascii": "DejaVu Sans Mono",
                                                                   "hAnsi": "DejaVu Sans Mono"})], lang=lang)
                case ir.Link(children=c, target=target):
                    if parent.tag == _w("hyperlink"):
                        self.inlines(parent, c, lang, base)  # a link inside a link: Word cannot nest them
                        continue
                    if target.startswith("#"):
                        link = _sub(parent, "hyperlink", {"anchor": target[1:]})
                    else:
                        # related to the main document; _footnotes_part moves those of notes to its own part
                        rid = self.document.part.relate_to(target, HYPERLINK_RT, is_external=True)
                        link = _sub(parent, "hyperlink")
                        link.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", rid)
                    underline = [] if any(x.tag == _w("u") for x in base) else [_el("u", {"val": "single"})]
                    self.inlines(link, c, lang, [*base, *underline])
                case ir.Span(children=c, lang=sub, classes=classes):
                    if (href := file_link_target(node)) is not None:  # a link to another file: its text
                        file_link_dropped(self.diag, href, "docx")
                    have = {x.tag for x in base}
                    shown = [_el(*SPAN_RPR[c]) for c in classes if c in SPAN_RPR and _w(SPAN_RPR[c][0]) not in have]
                    self.inlines(parent, c, sub or lang, [*base, *shown])
                case ir.BookTitle(children=c, open=o, close=cl):
                    if o:
                        self.run(parent, o, rpr=base, lang=lang)
                    self.inlines(parent, c, lang, base)
                    if cl:
                        self.run(parent, cl, rpr=base, lang=lang)
                case ir.NoteRef(note_id=note_id, marker=marker):
                    self.noteref(parent, note_id, marker, lang)
                case ir.LineBreak():
                    _sub(_sub(parent, "r"), "br")
                case ir.Image():
                    self.drawing(parent, node, lang)
                case ir.Math(tex=tex, display=display):
                    math = self.omml.get((tex, display))
                    if math is None:
                        self.run(parent, f"${tex}$", rpr=[*base, _el("rFonts", {"ascii": "DejaVu Sans Mono",
                                                                                "hAnsi": "DejaVu Sans Mono"})])
                    else:
                        parent.append(copy.deepcopy(math))
                case ir.Milestone(unit=unit, n=n):
                    # the source edition's line and page breaks are not the Word file's: their numbers are shown
                    # when the edition asks (--source-pages, --source-lines)
                    if n and ((unit == "page" and self.options.source_pages)
                              or (unit == "line" and self.options.source_lines)):
                        self.run(parent, f"[{n}]" if unit == "page" else f"|{n}|", rpr=base, lang=lang)
                case ir.Choice():
                    self.inlines(parent, shown_reading(node), lang, base)
                case _:
                    assert_never(node)

    def drawing(self, parent: etree._Element, node: ir.Image, lang: str | None) -> None:
        """An inline picture at its size (never wider than the column) with its alt text, or a placeholder."""
        medium = shown(self.media, node.media, DOCX_TYPES) if node.media else None
        svg = self.media.get(node.media) if medium is None and node.media else None
        if svg is not None and svg.media_type == "image/svg+xml":
            medium = self.svg_fallback(svg)  # Word's own form: the SVG, with a PNG for readers without SVG
        else:
            svg = None
        alt = plain(node.alt)
        if medium is None:
            what = alt or node.source or "picture"
            self.diag.emit("media-placeholder", f"a placeholder for {what[:60]} in DOCX (the picture is missing "
                           "or of a type Word cannot embed)")
            self.run(parent, f"[{what}]", lang=lang)
            return
        rid = self.image_rel(medium)
        cx, cy = _extent(node, medium, self.max_width_twips * EMU_PER_TWIP)
        self.drawings += 1
        n = str(self.drawings)
        nsmap = {"wp": WP, "a": A, "pic": PIC, "r": R}
        r = _sub(parent, "r")
        d = _sub(r, "drawing")
        inline = etree.SubElement(d, f"{{{WP}}}inline", {"distT": "0", "distB": "0", "distL": "0", "distR": "0"},
                                  nsmap=nsmap)
        etree.SubElement(inline, f"{{{WP}}}extent", {"cx": str(cx), "cy": str(cy)})
        etree.SubElement(inline, f"{{{WP}}}effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"})
        etree.SubElement(inline, f"{{{WP}}}docPr", {"id": n, "name": f"Picture {n}", "descr": alt or medium.name})
        frame = etree.SubElement(inline, f"{{{WP}}}cNvGraphicFramePr")
        etree.SubElement(frame, f"{{{A}}}graphicFrameLocks", {"noChangeAspect": "1"})
        graphic = etree.SubElement(inline, f"{{{A}}}graphic")
        data = etree.SubElement(graphic, f"{{{A}}}graphicData", {"uri": PIC})
        pic = etree.SubElement(data, f"{{{PIC}}}pic")
        nv = etree.SubElement(pic, f"{{{PIC}}}nvPicPr")
        etree.SubElement(nv, f"{{{PIC}}}cNvPr", {"id": "0", "name": medium.name, "descr": alt or medium.name})
        etree.SubElement(nv, f"{{{PIC}}}cNvPicPr")
        fill = etree.SubElement(pic, f"{{{PIC}}}blipFill")
        blip = etree.SubElement(fill, f"{{{A}}}blip", {f"{{{R}}}embed": rid})
        if svg is not None:
            ext = etree.SubElement(etree.SubElement(blip, f"{{{A}}}extLst"), f"{{{A}}}ext", {"uri": SVG_BLIP_EXT})
            etree.SubElement(ext, f"{{{ASVG}}}svgBlip", {f"{{{R}}}embed": self.image_rel(svg)},
                             nsmap={"asvg": ASVG})
        etree.SubElement(etree.SubElement(fill, f"{{{A}}}stretch"), f"{{{A}}}fillRect")
        sppr = etree.SubElement(pic, f"{{{PIC}}}spPr")
        xfrm = etree.SubElement(sppr, f"{{{A}}}xfrm")
        etree.SubElement(xfrm, f"{{{A}}}off", {"x": "0", "y": "0"})
        etree.SubElement(xfrm, f"{{{A}}}ext", {"cx": str(cx), "cy": str(cy)})
        geom = etree.SubElement(sppr, f"{{{A}}}prstGeom", {"prst": "rect"})
        etree.SubElement(geom, f"{{{A}}}avLst")

    def image_rel(self, medium: ir.Media) -> str:
        """The relationship id of a picture part in ``word/media``, added on first use."""
        rid = self.image_rels.get(medium.name)
        if rid is None:
            from docx.opc.packuri import PackURI
            from docx.opc.part import Part
            part = Part(PackURI(f"/word/media/{medium.name}"), medium.media_type, medium.data,
                        self.document.part.package)
            rid = self.document.part.relate_to(part, IMAGE_RT)
            self.image_rels[medium.name] = rid
        return rid

    def svg_fallback(self, svg: ir.Media) -> ir.Media | None:
        """The PNG rendering of an SVG picture (once per picture), None when no renderer is installed or the
        SVG cannot be drawn (reported; the writer then shows a placeholder)."""
        if svg.name not in self.svg_png:
            self.svg_png[svg.name] = _render_svg(svg, self.diag)
        return self.svg_png[svg.name]

    def caption(self, style: str, kind: str, label: str | None, text: tuple[ir.Inline, ...],
                lang: str | None) -> None:
        """A caption paragraph; a source label (``Figure 2``) becomes its word and a ``SEQ`` field, so Word
        can number it and build a list of figures or tables."""
        p = self.para(style)
        if label:
            import re as _re
            m = _re.fullmatch(r"(.*?)\s*([0-9０-９]+)", label)
            if m:
                word = m.group(1) or kind
                self.seq[word] = self.seq.get(word, 0) + 1
                self.run(p, f"{word} " if not _cjk_word(word) else word, lang=lang)
                fld = _sub(p, "fldSimple", {"instr": f" SEQ {_seq_name(word)} \\* ARABIC "})
                self.run(fld, m.group(2), lang=lang)
            else:
                self.run(p, label, lang=lang)
            if text:
                self.run(p, "\u3000" if _cjk_word(label) else ": ", lang=lang)
        self.inlines(p, text, lang)

    def noteref(self, parent: etree._Element, note_id: str, marker: str, lang: str | None) -> None:
        note = self.notes.get(note_id)
        if note is None:
            self.run(parent, marker, rpr=[_el("rStyle", {"val": "FootnoteReference"})])
            self.diag.emit("writer-dropped", f"note call {marker!r} points at no note; kept as text")
            return
        if note_id not in self.note_numbers:
            self.note_numbers[note_id] = len(self.note_numbers) + 1
            self.footnotes.append(self.footnote(note, self.note_numbers[note_id]))
        number = self.note_numbers[note_id]
        custom = marker != str(number)
        r = _sub(parent, "r")
        _sub(_sub(r, "rPr"), "rStyle", {"val": "FootnoteReference"})
        ref = _sub(r, "footnoteReference", {"id": str(number)})
        if custom:
            ref.set(_w("customMarkFollows"), "1")
            self.run(parent, marker, rpr=[_el("rStyle", {"val": "FootnoteReference"})])

    def footnote(self, note: ir.Note, number: int) -> etree._Element:
        fn = _el("footnote", {"id": str(number)})
        saved = (self.body, self.sect)
        holder = _el("holder")
        self.body, self.sect = holder, None
        blocks = note.blocks or (ir.Para(children=()),)
        for i, b in enumerate(blocks):
            self.block(b, note.lang or self.doc.metadata.language, style="FootnoteText")
            if i == 0:
                p = holder[-1] if len(holder) else self.para("FootnoteText")
                r = _el("r")
                _sub(_sub(r, "rPr"), "rStyle", {"val": "FootnoteReference"})
                if note.marker == str(number):
                    _sub(r, "footnoteRef")
                else:
                    t = _sub(r, "t")
                    t.text = note.marker
                space = _el("r")
                t2 = _sub(space, "t")
                t2.text = " "
                t2.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                ppr = p.find(_w("pPr"))
                index = 1 if ppr is not None else 0
                p.insert(index, r)
                p.insert(index + 1, space)
        for child in list(holder):
            fn.append(child)
        self.body, self.sect = saved
        return fn

    def last_element(self) -> etree._Element | None:
        """The body's last block so far (before the section properties)."""
        last: etree._Element | None
        if self.sect is not None:
            last = self.sect.getprevious()
        else:
            last = self.body[-1] if len(self.body) else None
        return last

    def bookmark_first_after(self, last: etree._Element | None, name: str) -> None:
        """A bookmark ``name`` around the first paragraph written after ``last`` (for a block that has no
        paragraph of its own: a div, a table without caption), so that links to it land."""
        new = last.getnext() if last is not None else (self.body[0] if len(self.body) else None)
        while new is not None and new is not self.sect:
            p = new if new.tag == _w("p") else next(new.iter(_w("p")), None)
            if p is not None:
                self.bookmark_around(p, name)
                return
            new = new.getnext()

    def bookmark_around(self, p: etree._Element, name: str) -> None:
        self.bookmark += 1
        start = _el("bookmarkStart", {"id": str(self.bookmark), "name": name})
        end = _el("bookmarkEnd", {"id": str(self.bookmark)})
        ppr = p.find(_w("pPr"))
        p.insert(p.index(ppr) + 1 if ppr is not None else 0, start)
        p.append(end)

    def block(self, node: ir.Block, lang: str | None, style: str | None = None) -> None:
        match node:
            case ir.Heading():
                level = min(max(node.level, 1), 4)
                # a book's made half-title and title page show the title as the Title style (outside the outline)
                p = self.para("Title" if node.role in ("halftitlepage", "titlepage") else f"Heading{level}",
                              lang=node.lang or lang)
                if node.label:
                    self.run(p, f"{node.label}\u3000" if (lang or "").startswith("zh") else f"{node.label} ")
                self.inlines(p, node.children, node.lang or lang)
                if node.id:
                    self.bookmark_around(p, node.id)
            case ir.Para():
                from .xhtml import labelled
                numbered = node.number is not None and not labelled(node)  # 第一条 is its own number
                p = self.para(style or ("NumberedParagraph" if numbered else "Normal"), lang=node.lang or lang)
                if numbered and style is None:
                    self.run(p, f"{node.number}.\t")
                self.inlines(p, node.children, node.lang or lang)
                if node.id:
                    self.bookmark_around(p, node.id)
            case ir.Box():
                sub = node.lang or lang
                title = self.para("BoxTitle", lang=sub)
                self.inlines(title, node.title, sub)
                if node.id:
                    self.bookmark_around(title, node.id)
                for b in node.blocks:
                    self.block(b, sub, style="BoxText")
                # the box's last paragraph, found in O(1) (slicing the body per box was quadratic in boxes)
                last = self.sect.getprevious() if self.sect is not None else self.body[-1]
                if last is None or last.tag != _w("p"):
                    last = title
                ppr = last.find(_w("pPr"))
                if ppr is not None:  # nested boxes ending on one paragraph: one keepNext, not two
                    keep = ppr.find(_w("keepNext"))
                    if keep is None:
                        _sub(ppr, "keepNext", {"val": "0"})
                    else:
                        keep.set(_w("val"), "0")
            case ir.ListBlock():
                self.list_block(node, lang, style, 0)
            case ir.BlockQuote():
                for b in node.blocks:
                    self.block(b, node.lang or lang, style="BlockQuote")
            case ir.Table():
                last = self.last_element()
                self.table(node, lang)
                if node.id and not (node.caption or node.label):
                    self.bookmark_first_after(last, node.id)  # no caption to hold it: the first cell's paragraph
            case ir.Figure():
                p = self.para("Figure")
                for img in node.images:
                    self.drawing(p, img, lang)
                if node.id:
                    self.bookmark_around(p, node.id)
                if node.caption or node.label:
                    self.caption("Caption", "Figure", node.label, node.caption, lang)
            case ir.CodeBlock():
                for line in node.text.split("\n"):
                    self.run(self.para("CodeBlock", ltr=True), line)
            case ir.Div():
                last = self.last_element()
                for b in node.blocks:
                    self.block(b, node.lang or lang, style=style)
                if node.id:
                    self.bookmark_first_after(last, node.id)
            case _:
                assert_never(node)

    def list_numbering(self) -> ListNumbering:
        """The Word lists of this document (made on first use; written to numbering.xml by :func:`write`)."""
        lists: ListNumbering | None = self.__dict__.get("_list_numbering")
        if lists is None:
            lists = self.__dict__["_list_numbering"] = ListNumbering(self.document)
        return lists

    def list_block(self, node: ir.ListBlock, lang: str | None, style: str | None, depth: int) -> None:
        """Each item's first paragraph is numbered by Word (``w:numPr``): the list is its own ``w:num`` (so it
        restarts), at the level of its nesting, in the format its labels show (``（一）``, ``a)``, ``iv.``)."""
        lists = self.list_numbering()
        depth = min(depth, 8)
        nums = lists.add(node, depth)
        for i, item in enumerate(node.items):
            blocks = item.blocks or (ir.Para(children=()),)
            first = blocks[0] if isinstance(blocks[0], ir.Para) else ir.Para(children=())
            p = self.para("ListItem", lang=first.lang or lang)
            ppr = p.find(_w("pPr"))
            assert ppr is not None
            numpr = _el("numPr", {}, _el("ilvl", {"val": str(depth)}), _el("numId", {"val": nums[i]}))
            ppr.append(numpr)
            ppr.append(_el("ind", {"left": str(LIST_INDENT * (depth + 1)), "hanging": str(LIST_INDENT)}))
            self.inlines(p, first.children, first.lang or lang)
            if first.id:
                self.bookmark_around(p, first.id)
            for b in blocks[1:] if blocks[0] is first else blocks:
                if isinstance(b, ir.ListBlock):
                    self.list_block(b, lang, style, depth + 1)
                else:
                    self.block(b, lang, style=style)

    def table(self, node: ir.Table, lang: str | None) -> None:
        from ..tables import cell_aligns, layout
        grid_rows, cols = layout(node)
        aligned = cell_aligns(node)
        if node.caption or node.label:  # above the table, kept with it, as Word's Insert Caption does
            self.caption("TableCaption", "Table", node.label, node.caption, lang)
            if node.id:
                self.bookmark_around(self.body[-1] if self.sect is None else self.sect.getprevious(), node.id)
        three_line = _chinese_lang(self.doc.metadata.language)
        tbl = _el("tbl")
        tpr = _sub(tbl, "tblPr")
        _sub(tpr, "tblStyle", {"val": "ThreeLineTable" if three_line else "TableGrid"})
        _sub(tpr, "tblW", {"w": str(self.max_width_twips), "type": "dxa"})
        if three_line:  # as the style says, for readers that do not apply table styles' borders
            tpr.append(_three_line_borders())
        _sub(tpr, "tblLayout", {"type": "fixed"})
        if three_line:
            tpr.append(_cell_margins())
        # the source's widths when they differ, else from the cells' text (colwidths.py, as HTML and Typst do)
        widths = list(column_widths(node)) or [1.0] * cols
        if len(widths) != cols or sum(widths) <= 0:
            widths = [1.0] * cols
        total = sum(widths)
        col_twips = [max(1, round(self.max_width_twips * w / total)) for w in widths]
        grid = _sub(tbl, "tblGrid")
        for w in col_twips:
            _sub(grid, "gridCol", {"w": str(w)})
        saved_width = self.max_width_twips
        for i, row in enumerate(grid_rows):
            tr = _sub(tbl, "tr")
            if i < node.head_rows:
                _sub(_sub(tr, "trPr"), "tblHeader")
            for slot in row:
                tc = _sub(tr, "tc")
                tcpr = _sub(tc, "tcPr")
                span_twips = sum(col_twips[slot.col:slot.col + slot.cell.colspan])
                _sub(tcpr, "tcW", {"w": str(span_twips), "type": "dxa"})
                if slot.cell.colspan > 1:
                    _sub(tcpr, "gridSpan", {"val": str(slot.cell.colspan)})
                if slot.cell.rowspan > 1:
                    _sub(tcpr, "vMerge", {"val": "continue"} if slot.continued else {"val": "restart"})
                    if slot.continued:
                        tcpr[-1].attrib.pop(_w("val"))
                if three_line and i == node.head_rows - 1:  # the light rule under the header (三线表)
                    _sub(_sub(tcpr, "tcBorders"), "bottom", {"val": "single", "sz": "6", "space": "0",
                                                             "color": "000000"})
                if slot.continued:
                    _sub(tc, "p")
                    continue
                saved = (self.body, self.sect)
                self.body, self.sect = tc, None
                self.max_width_twips = max(span_twips - 216, 567)
                for b in slot.cell.blocks:
                    self.block(b, lang, style="TableText")  # no first-line indent, no space after
                if len(tc) == 1:
                    self.para("TableText")
                if id(slot.cell) in aligned:  # the source's column alignment (figures flush right)
                    for p in tc.iter(_w("p")):
                        _justify(p, aligned[id(slot.cell)])
                self.body, self.sect = saved
                self.max_width_twips = saved_width
        if len(grid_rows) <= KEEP_WHOLE_ROWS:
            _keep_whole(tbl)
        if self.sect is not None:
            self.sect.addprevious(tbl)
        else:
            self.body.append(tbl)

    def title_page(self) -> None:
        """The title page, when the document has a title or a symbol; without either, its author, date and
        publisher are a byline above the text (a page showing only an author is no title page)."""
        m = self.doc.metadata
        lang = m.language
        page = bool(m.title or m.symbol)
        if m.symbol:
            self.run(self.para("DocumentSymbol"), m.symbol)
        if m.title:  # no invented title: a document without one starts with its text
            self.run(self.para("Title"), m.title, lang=lang)
        for value in (m.subtitle, m.session):
            if value:
                self.run(self.para("Subtitle" if page else "Byline"), value, lang=lang)
        for value in ("、".join(m.authors) if m.authors else None,
                      " ".join(x for x in (display_date(m.date, lang), m.place) if x) or None, m.publisher):
            if value:
                self.run(self.para("TitlePageInfo" if page else "Byline"), value, lang=lang)
        for n in m.edition_notes:
            self.run(self.para("EditionNote" if page else "Byline"), n, lang=lang)

    def write(self) -> None:
        if not D.has_role(self.doc, "titlepage"):  # a book with a title page of its own shows that one
            self.title_page()
        lang = self.doc.metadata.language
        lines = D.made_lines(self.doc.blocks)
        for i, b in enumerate(self.doc.blocks):
            self.block(b, lang, style=LINE_STYLES.get(lines.get(i, "")))
        if self.doc.metadata.rights and not D.has_role(self.doc, "copyright-page"):  # else the page shows them
            first = True
            for b in self.doc.metadata.rights:
                before = len(self.body)
                self.block(b, lang, style="Rights" if not isinstance(b, ir.ListBlock) else None)
                if first and len(self.body) > before:
                    p = self.body[before]
                    ppr = p.find(_w("pPr"))
                    if ppr is not None:
                        _sub(ppr, "pageBreakBefore")
                    first = False
        for n in self.doc.notes:
            if n.id not in self.note_numbers:
                self.diag.emit("writer-dropped", f"note {n.marker} is never called; added after the rights")
                p = self.para("FootnoteText")
                self.run(p, f"{n.marker} " + " ".join(plain(b.children) for b in n.blocks
                                                       if isinstance(b, ir.Para)))


#: The emphasis mark of Chinese text: a dot under each character, as clreq 3.5.1 sets it in horizontal text.
#: ``underDot`` is below in every reader (Word: U+FF0E beneath; LibreOffice imports it as "dot below"); ``dot``
#: would be placed by Word from the run's East Asian language (U+2027 for Traditional Chinese) and imported by
#: LibreOffice as "dot above".
EMPHASIS_MARK = "underDot"
#: A table of at most this many rows is kept on one page (moved to the next rather than split): a short table
#: read across a page turn loses its header and, in Word, its closing rule.
KEEP_WHOLE_ROWS = 15


def _keep_whole(tbl: etree._Element) -> None:
    """Keep a table on one page, as Word's users do: no row splits (``w:cantSplit``) and every paragraph of every
    row but the last kept with the next (``w:keepNext``)."""
    rows = tbl.findall(_w("tr"))
    for n, tr in enumerate(rows):
        trpr = tr.find(_w("trPr"))
        if trpr is None:
            trpr = _el("trPr")
            tr.insert(0, trpr)
        if trpr.find(_w("cantSplit")) is None:
            trpr.insert(0, _el("cantSplit"))
        if n == len(rows) - 1:
            break
        for p in tr.iter(_w("p")):
            ppr = p.find(_w("pPr"))
            if ppr is None:
                ppr = _el("pPr")
                p.insert(0, ppr)
            if ppr.find(_w("keepNext")) is None:
                ppr.append(_el("keepNext"))


#: What follows ``w:jc`` in a paragraph's properties (CT_PPr's order): ``jc`` goes before the first of them.
_AFTER_JC = frozenset({"textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
                       "sectPr", "pPrChange"})


def _justify(p: etree._Element, align: str) -> None:
    """Set paragraph ``p`` ``left``, ``right`` or ``center`` (``w:jc``, in its schema place)."""
    ppr = p.find(_w("pPr"))
    if ppr is None:
        ppr = etree.Element(_w("pPr"))
        p.insert(0, ppr)
    for old in ppr.findall(_w("jc")):
        ppr.remove(old)
    jc = etree.Element(_w("jc"), {_w("val"): align})
    after = next((c for c in ppr if etree.QName(c).localname in _AFTER_JC), None)
    if after is not None:
        after.addprevious(jc)
    else:
        ppr.append(jc)


def _three_line_borders() -> etree._Element:
    """A three-line table's frame (GB/T 7713.1 三线表): heavy rules above and below, no other rule."""
    borders = _el("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side in ("top", "bottom"):
            _sub(borders, side, {"val": "single", "sz": "12", "space": "0", "color": "000000"})
        else:
            _sub(borders, side, {"val": "nil"})
    return borders


def _cell_margins() -> etree._Element:
    """Cell padding of a three-line table: 1 mm above and below, 2 mm at the sides."""
    mar = _el("tblCellMar")
    for side, value in (("top", "57"), ("left", "113"), ("bottom", "57"), ("right", "113")):
        _sub(mar, side, {"w": value, "type": "dxa"})
    return mar


def _chinese_lang(lang: str | None) -> bool:
    return (lang or "").split("-")[0] in ("zh", "yue", "lzh", "wuu", "hak", "nan", "gan", "hsn", "cmn")


def _emphasis_pieces(text: str) -> list[tuple[str, str]]:
    """``text`` cut into pieces of Han (kind ``han``: emphasis dots), Latin letters and digits (``latin``:
    italic) and the rest (``plain``: punctuation and spaces carry no dots, as CSS text-emphasis leaves them)."""
    import itertools
    import unicodedata

    def kind(ch: str) -> str:
        return "plain" if unicodedata.category(ch)[0] in "PSZC" else "han" if ord(ch) >= 0x2E80 else "latin"

    out = [(k, "".join(g)) for k, g in itertools.groupby(text, key=kind)]
    return out or [("plain", text)]


def _cjk_word(word: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" for ch in word)


def _seq_name(word: str) -> str:
    """A SEQ field's identifier: the label word when it is one word (``Figure``, ``图``), else ``Figure``."""
    import re as _re
    return word if _re.fullmatch(r"\w+", word) else "Figure"


#: EMUs per unit of a source's picture size (a bare number is CSS pixels).
EMU_PER = {"in": 914400, "cm": 360000, "mm": 36000, "pt": 12700, "px": 9525}


def _length_emu(value: str | None) -> int | None:
    """A picture's width or height from the source (``6.5in``, ``300``) in EMUs; None when unusable."""
    length = parse_length(value, EMU_PER)
    return None if length is None else round(length[0] * EMU_PER[length[1] or "px"])


def _render_svg(svg: ir.Media, diag: Diagnostics) -> ir.Media | None:
    """A PNG of the (already sanitized) SVG at :data:`SVG_PNG_DPI`, drawn by MuPDF (pymupdf); its ``width`` and
    ``height`` are the SVG's own size in CSS pixels at that ``dpi``, so the picture keeps the SVG's size."""
    import hashlib
    try:
        import pymupdf
    except ImportError:
        diag.emit("media-placeholder", f"{svg.source or svg.name}: no SVG renderer for the DOCX's PNG fallback "
                  "(pip install pymupdf)")
        return None
    try:
        with pymupdf.open(stream=svg.data, filetype="svg") as drawing:  # type: ignore[no-untyped-call]
            page = drawing[0]
            w, h = page.rect.width, page.rect.height  # CSS px (MuPDF reads the SVG at 96 per inch as points)
            if w <= 0 or h <= 0:
                raise ValueError("an SVG without a size")
            scale = min(SVG_PNG_DPI / 96, SVG_PNG_MAX_PX / max(w, h))
            pixmap = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=True)  # type: ignore[no-untyped-call]
            data = pixmap.tobytes("png")
    except (RuntimeError, ValueError, IndexError) as exc:
        diag.emit("media-placeholder", f"{svg.source or svg.name}: the SVG could not be drawn for DOCX ({exc})")
        return None
    dpi = round(96 * scale)
    return ir.Media(name=svg.name.rsplit(".", 1)[0] + ".svg.png", media_type="image/png", data=data,
                    sha256=hashlib.sha256(data).hexdigest(), width=round(w * scale), height=round(h * scale),
                    dpi=dpi, source=svg.source)


def _extent(node: ir.Image, medium: ir.Media, max_cx: int) -> tuple[int, int]:
    """A picture's size in EMU: the source's width/height, else its pixels at its dpi (96), capped to
    ``max_cx`` with the aspect ratio kept."""
    dpi = medium.dpi or 96
    natural = ((medium.width or 300) * 914400 // dpi, (medium.height or 200) * 914400 // dpi)
    cx, cy = _length_emu(node.width), _length_emu(node.height)
    if cx and not cy:
        cy = cx * natural[1] // max(natural[0], 1)
    elif cy and not cx:
        cx = cy * natural[0] // max(natural[1], 1)
    elif not cx or not cy:
        cx, cy = natural
    assert cx is not None and cy is not None
    if cx > max_cx:
        cy, cx = cy * max_cx // cx, max_cx
    return max(cx, 1), max(cy, 1)


#: Indent of one list level in twips (as the List Item style's hanging indent)
LIST_INDENT = 425
NUMBERING_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
NUMBERING_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
_BULLETS = ("\u2022", "\u25e6", "\u25aa")
_CJK_COUNT = "一二三四五六七八九十"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _roman_value(text: str) -> int | None:
    import re as _re
    if not _re.fullmatch(r"(?i)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})", text) or not text:
        return None
    values = [_ROMAN[c] for c in text.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _cjk_value(text: str) -> int | None:
    """一 … 九十九 (Word's chineseCounting) as a number."""
    if not text or any(c not in _CJK_COUNT + "百零" for c in text):
        return None
    total, current = 0, 0
    for c in text:
        if c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        elif c != "零":
            current = _CJK_COUNT.index(c) + 1
    return total + current


def label_format(label: str) -> tuple[str, str, str, int] | None:
    """A list label as Word numbering: (numFmt, text before, text after, value), e.g. ``（一）`` →
    (chineseCounting, ``（``, ``）``, 1); None when the label is not a number."""
    import re as _re
    m = _re.fullmatch(r"(\W*?)([0-9]+|[０-９]+|[a-zA-Z]{1,4}|[一二三四五六七八九十百零]{1,4}|[甲乙丙丁戊己庚辛壬癸]"
                      r"|[①-⑳])(\W*)", label.strip())
    if not m:
        return None
    before, core, after = m.groups()
    if core.isascii() and core.isdigit():
        return "decimal", before, after, int(core)
    if core[0] in "０１２３４５６７８９":
        return "decimalFullWidth", before, after, int("".join(chr(ord(c) - 0xFEE0) for c in core))
    if core[0] in _CIRCLED:
        return "decimalEnclosedCircle", before, after, _CIRCLED.index(core) + 1
    if core[0] in _TIANGAN:
        return "ideographTraditional", before, after, _TIANGAN.index(core) + 1
    if core[0] in _CJK_COUNT + "百零":
        value = _cjk_value(core)
        return ("chineseCounting", before, after, value) if value else None
    roman = _roman_value(core)
    if len(core) == 1 and core.lower() not in "ivx":
        roman = None
    if roman is not None:
        return ("upperRoman" if core.isupper() else "lowerRoman"), before, after, roman
    if len(set(core.lower())) == 1:  # Word's letters: a … z, aa … zz
        value = (len(core) - 1) * 26 + ord(core[0].lower()) - ord("a") + 1
        return ("upperLetter" if core.isupper() else "lowerLetter"), before, after, value
    return None


def _format_value(n: int, fmt: str) -> str:
    """The inverse of :func:`label_format` for checking a list's labels against Word's own numbering."""
    if fmt == "decimal":
        return str(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalEnclosedCircle":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "chineseCounting":
        if n < 10:
            return _CJK_COUNT[n - 1] if n > 0 else str(n)
        tens, ones = divmod(n, 10)
        if tens >= 10:
            return str(n)
        return ("" if tens == 1 else _CJK_COUNT[tens - 1]) + "十" + (_CJK_COUNT[ones - 1] if ones else "")
    if fmt in ("upperRoman", "lowerRoman"):
        out, rest = "", n
        for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while rest >= value:
                out, rest = out + sym, rest - value
        return out if fmt == "upperRoman" else out.lower()
    letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
    return letter if fmt == "upperLetter" else letter.lower()


class ListNumbering:
    """numbering.xml for the lists of one document: an abstract numbering and a ``w:num`` per list (a list's
    own ``w:num`` with a ``w:startOverride`` restarts it wherever it stands). Ids follow those the package's
    numbering part already has (the template's List Bullet and List Number styles use them)."""

    def __init__(self, document: Any) -> None:
        self.part = _numbering_part(document)
        root = self.root()
        self.abstract_base = max((int(a.get(_w("abstractNumId")) or 0) for a in root.findall(_w("abstractNum"))),
                                 default=-1) + 1
        self.num_base = max((int(n.get(_w("numId")) or 0) for n in root.findall(_w("num"))), default=0)
        self.abstracts: list[etree._Element] = []
        self.nums: list[etree._Element] = []

    def root(self) -> etree._Element:
        element: etree._Element | None = getattr(self.part, "element", None)
        if element is None:
            element = self.part.__dict__.get("_dp_root")
            if element is None:
                element = self.part.__dict__["_dp_root"] = etree.fromstring(self.part.blob)
        return element

    def _abstract(self, depth: int, fmt: str, text: str, start: int) -> str:
        abstract_id = str(self.abstract_base + len(self.abstracts))
        a = _el("abstractNum", {"abstractNumId": abstract_id})
        _sub(a, "multiLevelType", {"val": "multilevel"})
        for lvl in range(9):
            el = _sub(a, "lvl", {"ilvl": str(lvl)})
            _sub(el, "start", {"val": str(start if lvl == depth else 1)})
            if lvl == depth:
                _sub(el, "numFmt", {"val": fmt})
                _sub(el, "lvlText", {"val": text})
            else:
                _sub(el, "numFmt", {"val": "decimal"})
                _sub(el, "lvlText", {"val": f"%{lvl + 1}."})
            _sub(el, "lvlJc", {"val": "left"})
            ppr = _sub(el, "pPr")
            _sub(ppr, "ind", {"left": str(LIST_INDENT * (lvl + 1)), "hanging": str(LIST_INDENT)})
        self.abstracts.append(a)
        return abstract_id

    def _num(self, abstract_id: str, depth: int, start: int) -> str:
        num_id = str(self.num_base + len(self.nums) + 1)
        n = _el("num", {"numId": num_id})
        _sub(n, "abstractNumId", {"val": abstract_id})
        ov = _sub(n, "lvlOverride", {"ilvl": str(depth)})
        _sub(ov, "startOverride", {"val": str(start)})
        self.nums.append(n)
        return num_id

    def add(self, node: ir.ListBlock, depth: int) -> list[str]:
        """The ``w:numId`` of each item of ``node`` (all the same unless the labels skip numbers)."""
        labels = [item.label for item in node.items]
        parsed = [label_format(x) if x else None for x in labels]
        first = parsed[0] if parsed else None
        if not node.ordered and (first is None or not any(parsed)):
            mark = labels[0] if labels and labels[0] and len(labels[0]) <= 3 else _BULLETS[depth % 3]
            num = self._num(self._abstract(depth, "bullet", mark, 1), depth, 1)
            return [num] * len(node.items)
        if first is None:
            fmt, before, after, start = "decimal", "", ".", node.start
        else:
            fmt, before, after, start = first
        text = f"{before}%{depth + 1}{after}"
        expected = [f"{before}{_format_value(start + i, fmt)}{after}" for i in range(len(node.items))]
        abstract = self._abstract(depth, fmt, text, start)
        if all(x is None for x in labels) or [x.strip() if x else None for x in labels] == expected:
            num = self._num(abstract, depth, start)
            return [num] * len(node.items)
        # labels that skip or repeat numbers: each item is a list of its own that starts at its label's value
        return [self._num(abstract, depth, p[3] if p is not None and p[0] == fmt else start + i)
                for i, p in enumerate(parsed)]

    def install(self) -> None:
        """Our definitions into the numbering part: abstract numberings after the template's, then the lists."""
        if not self.nums:
            return
        root = self.root()
        existing = root.findall(_w("abstractNum"))
        anchor = existing[-1] if existing else None
        for a in self.abstracts:
            if anchor is not None:
                anchor.addnext(a)
            else:
                root.insert(len(root.findall(_w("numPicBullet"))), a)
            anchor = a
        later = root.find(_w("numIdMacAtCleanup"))
        for n in self.nums:
            if later is not None:
                later.addprevious(n)
            else:
                root.append(n)
        if getattr(self.part, "element", None) is None:
            self.part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _numbering_part(document: Any) -> Any:
    """The package's numbering part, added through the OPC layer when the template has none."""
    for rel in document.part.rels.values():
        if rel.reltype == NUMBERING_RT and not rel.is_external:
            return rel.target_part
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    blob = etree.tostring(_el("numbering"), xml_declaration=True, encoding="UTF-8", standalone=True)
    part = Part(PackURI("/word/numbering.xml"), NUMBERING_CT, blob, document.part.package)
    document.part.relate_to(part, NUMBERING_RT)
    return part

def dedupe_run_properties(root: etree._Element) -> int:
    """Keep the first of each repeated run property (an underlined link inside an underlined span, emphasis
    inside emphasis): CT_RPr allows each property once. Returns how many were removed."""
    removed = 0
    for rpr in root.iter(_w("rPr")):
        seen: set[str] = set()
        for child in list(rpr):
            tag = str(child.tag)
            if tag in seen:
                rpr.remove(child)
                removed += 1
            seen.add(tag)
    return removed


def _footnotes_part(document: Any, notes: list[etree._Element]) -> None:
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    root = _el("footnotes")
    for kind, nid in (("separator", "-1"), ("continuationSeparator", "0")):
        fn = _sub(root, "footnote", {"type": kind, "id": nid})
        p = _sub(fn, "p")
        _sub(_sub(p, "pPr"), "spacing", {"after": "0", "line": "240", "lineRule": "auto"})
        _sub(_sub(p, "r"), kind)
    for n in notes:
        root.append(n)
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, b"", document.part.package)
    document.part.relate_to(part, FOOTNOTES_RT)
    # The notes were written like body text, their hyperlinks and pictures related to the main document: a
    # part's r:ids name its own relationships, so those move to the footnotes part (and leave the document's
    # when the body does not use them too).
    moved: set[str] = set()
    for el in root.iter():
        for attr, rid in list(el.attrib.items()):
            if not attr.startswith(f"{{{R}}}") or rid not in document.part.rels:
                continue
            rel = document.part.rels[rid]
            if rel.is_external:
                new = part.relate_to(rel.target_ref, rel.reltype, is_external=True)
            else:
                new = part.relate_to(rel.target_part, rel.reltype)
            el.set(attr, new)
            moved.add(rid)
    if moved:
        used = {v for el in document.element.iter() for k, v in el.attrib.items() if k.startswith(f"{{{R}}}")}
        for rid in moved - used:
            if document.part.rels[rid].is_external:
                document.part.rels.pop(rid)
    dedupe_run_properties(root)
    schema_order(root)  # the notes' run properties too (a bold run inside an underlined link: b before u)
    etree.cleanup_namespaces(root, top_nsmap={"w": W, "r": R})  # one r: prefix, declared once at the top
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    settings = document.settings.element
    pr = settings.find(_w("footnotePr"))
    if pr is None:
        pr = _el("footnotePr")
        # CT_Settings is a sequence: footnotePr comes just before endnotePr/compat and what follows them
        later = next((settings.find(_w(t)) for t in ("endnotePr", "compat", "docVars", "rsids", "mathPr",
                                                    "themeFontLang", "clrSchemeMapping", "shapeDefaults",
                                                    "decimalSymbol", "listSeparator")
                      if settings.find(_w(t)) is not None), None)
        if later is not None:
            later.addprevious(pr)
        else:
            settings.append(pr)
    for nid in ("-1", "0"):
        _sub(pr, "footnote", {"id": nid})


def _core(document: Any, doc: ir.Document, options: Options) -> None:
    m = doc.metadata
    cp = document.core_properties

    def fit(s: str) -> str:  # python-docx refuses a core property over 255 characters
        return s if len(s) <= 255 else s[:254] + "…"

    cp.title = fit(m.title or "")
    cp.author = fit("、".join(m.authors))
    cp.subject = fit(m.session or "")
    cp.keywords = fit(m.symbol or "")
    cp.language = fit(m.language or "")
    cp.identifier = fit(m.symbol or "")
    cp.category = "Report"
    cp.comments = fit("; ".join(m.edition_notes))
    cp.last_modified_by = "docpipe"
    cp.revision = 1
    epoch = options.source_date_epoch if options.source_date_epoch is not None else 315532800
    when = dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    cp.created = when
    cp.modified = when
    cp.last_printed = when


def normalise(data: bytes, options: Options) -> bytes:
    """The same package with a fixed member order and fixed timestamps (byte-identical rebuilds)."""
    return deterministic_zip(data, first=("[Content_Types].xml", "_rels/.rels"), epoch=options.source_date_epoch)


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """DOCX for ``doc``."""
    import docx

    doc = D.for_edition(doc, options)
    options = docx_layout.dated(options, doc)  # the document's date when SOURCE_DATE_EPOCH is unset
    template = docx_layout.load_template(options)
    document = docx.Document()
    for rel_id, rel in list(document.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            document.part.package.rels.pop(rel_id)
    install_styles(document, doc, options)
    body = document.element.body
    for child in list(body):
        if child.tag != _w("sectPr"):
            body.remove(child)
    text_width = docx_layout.page_setup(body.find(_w("sectPr")), options, template)
    writer = _Writer(document, doc, options, diag)
    writer.max_width_twips = text_width
    writer.write()
    writer.list_numbering().install()
    dedupe_run_properties(document.element)
    _footnotes_part(document, writer.footnotes)
    spacing = document.settings.element.find(_w("characterSpacingControl"))
    if spacing is not None:  # Word's punctuation compression (clreq 3.1.6) instead of the template's none
        spacing.set(_w("val"), "compressPunctuation")
    schema_order(document.styles.element)
    schema_order(document.element)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            document.part.rels.pop(rel_id)  # Word 2010's optional copy of the styles, stale after ours
    _core(document, doc, options)
    docx_layout.finish(document, doc, options, diag, template)  # sections, headers, TOC, house template
    lang = doc.metadata.language
    docx_fonts.install(document, lang, east_asian(lang), family_for(lang, "serif", options.serif_font),
                       family_for(lang, "sans"))
    buf = io.BytesIO()
    try:
        document.save(buf)
    except Exception as exc:
        raise OutputError(f"python-docx could not save: {exc}") from exc
    return normalise(buf.getvalue(), options)
