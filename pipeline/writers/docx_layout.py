"""DOCX page layout: page size and margins, title-page section, headers and footers, filled TOC, house template.

What a client expects of a Word file besides its text, applied to the package :mod:`pipeline.writers.docx`
built:

* the page from ``--page-size`` (A4, A5, B5, Letter, WxH) with the print edition's margins, mirrored for
  duplex printing;
* a title-page section of its own (``w:titlePg``, no header or footer), then the body section whose header
  carries the running head (odd pages: the chapter, ``STYLEREF "Heading 1"``; even pages: the title) and
  whose footer carries the page number (``PAGE``);
* a table of contents field (``TOC \\o "1-2" \\h``) whose result is already filled in: one entry per chapter
  and section, a hyperlink to the heading's ``h-N`` bookmark, its page number a ``PAGEREF`` field holding an
  estimate (the body set line by line from the styles) until Word updates it: ``w:updateFields`` asks Word to
  when it opens the file;
* only the styles the document uses (python-docx's template brings some 150 more);
* Chinese editions set as Chinese reports are: exact 20 pt lines for 11 pt text (Noto CJK's tall metrics
  would otherwise double the lines on Word's grid), a two-character first-line indent for unnumbered body
  and box paragraphs (style Body Text);
* ``--reference-docx``: the template's styles replace ours by style id or name, its page set-up replaces
  ours, its headers and footers replace ours (as pandoc's ``--reference-doc``);
* dates in the core properties from ``SOURCE_DATE_EPOCH``, else from the document's own date.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .. import ir
from ..diagnostics import Diagnostics
from ..errors import UsageError
from ..fileio import date_epoch
from ..options import Options
from ..walk import plain
from . import divisions as D
from .page import margins_mm, page_mm, title_lines
from .wordml import W, schema_order, style
from .wordml import el as _el
from .wordml import sub as _sub
from .wordml import w as _w

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
CT_HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
CT_FOOTER = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
TWIPS_PER_MM = 1440 / 25.4
#: The title page's paragraph styles (what :meth:`_Writer.title_page` writes before the body).
TITLE_STYLES = frozenset({"DocumentSymbol", "Title", "Subtitle", "TitlePageInfo", "EditionNote"})
#: CT_SectPr's sequence (ECMA-376 Part 1, 17.6.17).
SECT_ORDER = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
              "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
              "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"]
#: CT_Settings's sequence (17.15.1.78), as far as docpipe touches it.
SETTINGS_ORDER = [
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts",
    "saveFormsData", "mirrorMargins", "alignBordersAndEdges", "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors",
    "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions", "doNotTrackMoves",
    "doNotTrackFormatting", "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
    "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin",
    "doNotShadeFormData", "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne",
    "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
    "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
    "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"]


def _ordered(parent: etree._Element, order: list[str]) -> None:
    # by local name: settings hold m:mathPr among the w: elements
    rank = {name: i for i, name in enumerate(order)}
    children = list(parent)
    children.sort(key=lambda c: rank.get(etree.QName(c).localname, len(rank)))
    for c in children:
        parent.append(c)


def _chinese(doc: ir.Document) -> bool:
    return (doc.metadata.language or "").startswith("zh")


# --------------------------------------------------------------------------- the house template


@dataclass
class Template:
    """What a ``--reference-docx`` offers: its styles part, its last section's properties, its parts."""

    styles: etree._Element | None
    sect: etree._Element | None
    document: Any
    """The template opened with python-docx (for its header and footer parts)."""


def load_template(options: Options) -> Template | None:
    """The ``--reference-docx`` file, checked and parsed (a UsageError when it is no Word file)."""
    if not options.reference_docx:
        return None
    import docx

    path = Path(options.reference_docx).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"--reference-docx {path}: {exc.strerror or exc}", expected="a .docx file") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > options.max_expanded_bytes:
                raise UsageError(f"--reference-docx {path}: expands beyond --max-expanded-bytes")
            names = set(z.namelist())
            if "word/document.xml" not in names:
                raise UsageError(f"--reference-docx {path}: not a Word document (no word/document.xml)")
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            styles = etree.fromstring(z.read("word/styles.xml"), parser) if "word/styles.xml" in names else None
            body = etree.fromstring(z.read("word/document.xml"), parser).find(_w("body"))
        template = docx.Document(io.BytesIO(data))
    except UsageError:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own
        raise UsageError(f"--reference-docx {path}: cannot read it as a Word file ({exc})",
                         expected="a .docx file") from exc
    sect = body.find(_w("sectPr")) if body is not None else None
    return Template(styles, sect, template)


def merge_styles(styles: etree._Element, template: Template) -> int:
    """Replace our styles by the template's of the same id or name, and add the template's others; returns
    how many came from the template."""
    if template.styles is None:
        return 0
    ours_by_id = {st.get(_w("styleId")) or "": st for st in styles.findall(_w("style"))}
    ours_by_name: dict[str, etree._Element] = {}
    for st in styles.findall(_w("style")):
        name_of = st.find(_w("name"))
        if name_of is not None:
            ours_by_name[(name_of.get(_w("val")) or "").lower()] = st
    count = 0
    for theirs in template.styles.findall(_w("style")):
        name_el = theirs.find(_w("name"))
        name = (name_el.get(_w("val")) or "").lower() if name_el is not None else ""
        mine = ours_by_id.get(theirs.get(_w("styleId")) or "")
        if mine is None:
            mine = ours_by_name.get(name)
        new = copy.deepcopy(theirs)
        if mine is not None:
            # keep our style id, which the document's paragraphs name
            new.set(_w("styleId"), mine.get(_w("styleId")) or "")
            mine.addprevious(new)
            styles.remove(mine)
        else:
            styles.append(new)
        count += 1
    return count


# --------------------------------------------------------------------------- page set-up


@dataclass(frozen=True)
class Geometry:
    """A page in twips: size, margins (``left`` is the inside one when mirrored), header and footer."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int
    header: int = 708
    footer: int = 708

    @property
    def text_width(self) -> int:
        """The width of the text column."""
        return self.width - self.left - self.right


def geometry(options: Options) -> Geometry:
    """The edition's page: ``--page-size`` with the print edition's margins (24 mm top, 22 mm bottom)."""
    width, height = page_mm(options.page_size)
    inner, outer = margins_mm(options)

    def tw(mm: float) -> int:
        return round(mm * TWIPS_PER_MM)

    return Geometry(tw(width), tw(height), tw(24), tw(22), tw(inner), tw(outer), tw(12), tw(10))


def _geometry_of(sect: etree._Element, fallback: Geometry) -> Geometry:
    """The page a section's ``pgSz``/``pgMar`` describe (ours or the template's)."""
    size, mar = sect.find(_w("pgSz")), sect.find(_w("pgMar"))
    if size is None or mar is None:
        return fallback

    def num(el: etree._Element, key: str, default: int) -> int:
        try:
            return int(float(el.get(_w(key)) or default))
        except ValueError:
            return default

    f = fallback
    return Geometry(num(size, "w", f.width), num(size, "h", f.height), num(mar, "top", f.top),
                    num(mar, "bottom", f.bottom), num(mar, "left", f.left), num(mar, "right", f.right),
                    num(mar, "header", f.header), num(mar, "footer", f.footer))


def _page_props(g: Geometry) -> list[etree._Element]:
    return [_el("pgSz", {"w": str(g.width), "h": str(g.height)}),
            _el("pgMar", {"top": str(g.top), "right": str(g.right), "bottom": str(g.bottom), "left": str(g.left),
                          "header": str(g.header), "footer": str(g.footer), "gutter": "0"})]


def page_setup(sect: etree._Element | None, options: Options, template: Template | None = None) -> int:
    """Give the body's section the edition's page (or the template's); returns the text column's width."""
    g = geometry(options)
    if sect is None:
        return g.text_width
    for child in list(sect):
        sect.remove(child)
    theirs = template.sect if template is not None else None
    size = theirs.find(_w("pgSz")) if theirs is not None else None
    margins = theirs.find(_w("pgMar")) if theirs is not None else None
    if size is not None and margins is not None:
        sect.append(copy.deepcopy(size))
        sect.append(copy.deepcopy(margins))
        for extra in ("cols", "docGrid"):
            found = theirs.find(_w(extra)) if theirs is not None else None
            if found is not None:
                sect.append(copy.deepcopy(found))
        return max(_geometry_of(sect, g).text_width, 1440)
    for el in _page_props(g):
        sect.append(el)
    # no line grid: with Noto CJK's tall metrics Word would snap every line to two grid lines
    _sub(sect, "docGrid", {"linePitch": "400"})
    return g.text_width


# --------------------------------------------------------------------------- styles


def _style(styles: etree._Element, style_id: str, name: str, *, kind: str = "paragraph",
           based_on: str | None = "Normal", ppr: list[etree._Element] | None = None,
           rpr: list[etree._Element] | None = None, ui_priority: str | None = None) -> None:
    style(styles, style_id, name, kind=kind, based_on=based_on, ui_priority=ui_priority, ppr=ppr, rpr=rpr)


def _ppr_of(styles: etree._Element, style_id: str) -> etree._Element | None:
    for st in styles.findall(_w("style")):
        if st.get(_w("styleId")) == style_id:
            ppr = st.find(_w("pPr"))
            if ppr is None:
                ppr = _el("pPr")
                name = st.find(_w("rPr"))
                if name is not None:
                    name.addprevious(ppr)
                else:
                    st.append(ppr)
            return ppr
    return None


def _set(ppr: etree._Element, tag: str, attrs: dict[str, str]) -> None:
    old = ppr.find(_w(tag))
    if old is not None:
        ppr.remove(old)
    ppr.append(_el(tag, attrs))


def add_styles(styles: etree._Element, doc: ir.Document, text_width: int) -> None:
    """The styles the layout uses (Body Text, TOC Heading, toc 1–2, header, footer) and the Chinese settings."""
    indent = [_el("ind", {"firstLineChars": "200", "firstLine": "440"})] if _chinese(doc) else []
    _style(styles, "BodyText", "Body Text", ppr=indent)
    _style(styles, "TOCHeading", "TOC Heading", based_on="Heading1",
           ppr=[_el("pageBreakBefore", {"val": "0"}), _el("outlineLvl", {"val": "9"})], ui_priority="39")
    for level in (1, 2):
        ppr = [_el("tabs", {}, _el("tab", {"val": "right", "leader": "dot", "pos": str(text_width)})),
               _el("spacing", {"after": "60"})]
        if level == 2:
            ppr.append(_el("ind", {"left": "440"}))
        rpr = [_el("b")] if level == 1 else []
        _style(styles, f"TOC{level}", f"toc {level}", ppr=ppr, rpr=rpr, ui_priority="39")
    half = str(text_width // 2)
    for sid, name in (("Header", "header"), ("Footer", "footer")):
        _style(styles, sid, name,
               ppr=[_el("tabs", {}, _el("tab", {"val": "center", "pos": half}),
                        _el("tab", {"val": "right", "pos": str(text_width)})),
                    _el("spacing", {"after": "0", "line": "240", "lineRule": "auto"}),
                    _el("ind", {"firstLine": "0", "firstLineChars": "0"})],
               rpr=[_el("sz", {"val": "16"}), _el("szCs", {"val": "16"}), _el("color", {"val": "555555"})],
               ui_priority="99")
    if _chinese(doc):
        # exact 20 pt lines for 11 pt text, as Chinese reports are set; pictures keep their own height
        normal = _ppr_of(styles, "Normal")
        if normal is not None:
            _set(normal, "spacing", {"after": "120", "line": "400", "lineRule": "exact"})
        # larger type (title page, headings) and pictures keep lines of their own height
        for sid, line in (("Figure", "240"), ("FootnoteText", "240"), ("Title", "288"), ("Subtitle", "288"),
                          ("DocumentSymbol", "288"), ("TitlePageInfo", "288"), ("EditionNote", "288"),
                          ("Heading1", "288"), ("Heading2", "288"), ("Heading3", "288"), ("Heading4", "288"),
                          ("BoxTitle", "288"), ("TOCHeading", "288")):
            props = _ppr_of(styles, sid)
            if props is not None:
                spacing = props.find(_w("spacing"))
                attrs = {str(k): str(v) for k, v in spacing.attrib.items()} if spacing is not None else {}
                attrs.update({_w("line"): line, _w("lineRule"): "auto"})
                if spacing is not None:
                    props.remove(spacing)
                props.append(etree.Element(_w("spacing"), attrs))
        box = _ppr_of(styles, "BoxText")
        if box is not None:
            _set(box, "ind", {"left": "170", "right": "170", "firstLineChars": "200", "firstLine": "400"})


# --------------------------------------------------------------------------- fields


def _run(parent: etree._Element, text: str) -> etree._Element:
    r = _sub(parent, "r")
    t = _sub(r, "t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _field(parent: etree._Element, instr: str, cached: str) -> None:
    """A complex field: begin, instruction, separate, the cached result, end."""
    _sub(_sub(parent, "r"), "fldChar", {"fldCharType": "begin"})
    it = _sub(_sub(parent, "r"), "instrText")
    it.text = f" {instr} "
    it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    _sub(_sub(parent, "r"), "fldChar", {"fldCharType": "separate"})
    _run(parent, cached)
    _sub(_sub(parent, "r"), "fldChar", {"fldCharType": "end"})


def _para(style: str) -> etree._Element:
    p = _el("p")
    _sub(_sub(p, "pPr"), "pStyle", {"val": style})
    return p


def _ppr(p: etree._Element) -> etree._Element:
    ppr = p.find(_w("pPr"))
    if ppr is None:
        ppr = _el("pPr")
        p.insert(0, ppr)
    return ppr


def _text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(_w("t")))


# --------------------------------------------------------------------------- page estimate


@dataclass(frozen=True)
class _Metrics:
    """What the page estimate needs of a paragraph style, resolved through ``w:basedOn`` (twips)."""

    em: int = 220
    line: int = 0
    rule: str = "auto"
    before: int = 0
    after: int = 0
    indent: int = 0
    first_em: float = 0.0
    keep_next: bool = False
    keep_lines: bool = False
    break_before: bool = False

    def line_height(self, cjk: bool) -> float:
        """One line's height: exact or at-least lines as given, automatic ones from the face's line gap (Noto
        CJK's ascent + descent are 1.45 em, Latin Noto's about 1.36)."""
        single = self.em * (1.45 if cjk else 1.36)
        if self.rule in ("exact", "atLeast") and self.line:
            return float(self.line) if self.rule == "exact" else max(float(self.line), single)
        return single * (self.line or 240) / 240


def _num(value: str | None, default: int = 0) -> int:
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


def style_metrics(styles: etree._Element | None) -> dict[str, _Metrics]:
    """Each paragraph style's metrics, from the document defaults down its ``w:basedOn`` chain."""
    if styles is None:
        return {}
    by_id = {st.get(_w("styleId")) or "": st for st in styles.findall(_w("style"))}
    base: dict[str, object] = {}
    defaults = styles.find(_w("docDefaults"))
    chains: dict[str, list[etree._Element]] = {}

    def chain(sid: str, depth: int = 0) -> list[etree._Element]:
        if sid in chains:
            return chains[sid]
        st = by_id.get(sid)
        if st is None or depth > 20:
            return []
        parent = st.find(_w("basedOn"))
        found = [*(chain(parent.get(_w("val")) or "", depth + 1) if parent is not None else []), st]
        chains[sid] = found
        return found

    def apply(values: dict[str, object], holder: etree._Element) -> None:
        ppr, rpr = holder.find(_w("pPr")), holder.find(_w("rPr"))
        if rpr is not None and (sz := rpr.find(_w("sz"))) is not None:
            values["em"] = _num(sz.get(_w("val")), 22) * 10
        if ppr is None:
            return
        if (sp := ppr.find(_w("spacing"))) is not None:
            for attr, key in (("before", "before"), ("after", "after"), ("line", "line"), ("lineRule", "rule")):
                if sp.get(_w(attr)) is not None:
                    values[key] = sp.get(_w(attr)) if key == "rule" else _num(sp.get(_w(attr)))
        if (ind := ppr.find(_w("ind"))) is not None:
            values["indent"] = _num(ind.get(_w("left")) or ind.get(_w("start"))) \
                + _num(ind.get(_w("right")) or ind.get(_w("end")))
            chars = ind.get(_w("firstLineChars"))
            values["first_em"] = _num(chars) / 100 if chars is not None else \
                _num(ind.get(_w("firstLine"))) / max(int(str(values.get("em", 220))), 1)
        for tag, key in (("keepNext", "keep_next"), ("keepLines", "keep_lines"), ("pageBreakBefore", "break_before")):
            if (el := ppr.find(_w(tag))) is not None:
                values[key] = el.get(_w("val")) not in ("0", "false", "off")
        if ppr.find(_w("pBdr")) is not None:  # a box's border and its distance from the text, both sides
            values["indent"] = int(str(values.get("indent", 0))) + 2 * 140

    if defaults is not None:
        for holder in (defaults.find(f"{_w('rPrDefault')}"), defaults.find(f"{_w('pPrDefault')}")):
            if holder is not None:
                apply(base, holder)
    out: dict[str, _Metrics] = {}
    for sid, st in by_id.items():
        if st.get(_w("type")) != "paragraph":
            continue
        values = dict(base)
        for link in chain(sid):
            apply(values, link)
        out[sid] = _Metrics(**values)  # type: ignore[arg-type]
    return out


def estimate_pages(body: etree._Element, g: Geometry, first_page: int, styles: etree._Element | None = None,
                   notes: dict[str, float] | None = None, cjk: bool = True) -> dict[str, int]:
    """The page each bookmark probably falls on: the cached value of the TOC's ``PAGEREF`` fields until Word
    (asked by ``w:updateFields``) or LibreOffice updates them. The body is set line by line: each paragraph's
    lines from its text's width in ems (Han 1, Latin about half) over its style's measure, its style's line
    height and spacing, headings kept with what follows, boxes (``keepNext`` + ``keepLines`` runs) kept whole,
    note bodies taken from their page's height, sections starting new pages."""
    from ..colwidths import text_em
    metrics = style_metrics(styles)
    default = metrics.get("Normal", _Metrics(line=400 if cjk else 360, rule="exact" if cjk else "auto", after=120))
    height = g.height - g.top - g.bottom
    page, used = first_page, 0.0
    found: dict[str, int] = {}
    notes = notes or {}
    note_room = 0.0  # the note area of the current page (its separator included)

    def new_page() -> None:
        nonlocal page, used, note_room
        page += 1
        used = note_room = 0.0

    def para_lines(p: etree._Element, m: _Metrics, width: int) -> int:
        em = text_em(_text_of(p)) + m.first_em
        per_line = max((width - m.indent) / max(m.em, 1), 4.0)
        return max(1, math.ceil(em / per_line - 0.05))

    def take(lines: int, m: _Metrics, whole: bool) -> None:
        """Place a paragraph's lines: moved whole to the next page when it must not split, else split."""
        nonlocal used
        step = m.line_height(cjk)
        space = m.before if used else 0
        if used + space + lines * step + note_room > height and (whole or used + space + step + note_room > height):
            if used:
                new_page()
            space = 0
        used += space
        for _ in range(lines):
            if used + step + note_room > height and used:
                new_page()
            used += step
        used += m.after

    children = list(body)
    i = 0
    while i < len(children):
        child = children[i]
        if child.tag == _w("p"):
            style = child.find(f"{_w('pPr')}/{_w('pStyle')}")
            m = metrics.get(style.get(_w("val")) or "", default) if style is not None else default
            if m.break_before or child.find(f"{_w('pPr')}/{_w('pageBreakBefore')}") is not None:
                if used:
                    new_page()
            # a run of keepNext paragraphs (a heading and the paragraph after it, a box): kept on one page
            group = [child]
            j = i
            while j + 1 < len(children) and children[j].tag == _w("p") and _keeps_next(children[j], metrics):
                j += 1
                group.append(children[j])
            # what must share the page: the group's paragraphs whole, the last one's first two lines (orphan
            # control) unless it keeps its lines together too
            need = 0.0
            for n, p in enumerate(group):
                pm = _metrics_of(p, metrics, default)
                lines = para_lines(p, pm, g.text_width)
                if n == len(group) - 1 and not pm.keep_lines:
                    lines = min(lines, 2)
                need += lines * pm.line_height(cjk) + pm.before + (pm.after if n < len(group) - 1 else 0)
            if len(group) > 1 and used and used + need + note_room > height and need <= height:
                new_page()
            for p in group:
                pm = _metrics_of(p, metrics, default)
                for b in p.iter(_w("bookmarkStart")):
                    found.setdefault(b.get(_w("name")) or "", page)
                take(para_lines(p, pm, g.text_width), pm, pm.keep_lines)
                for ref in p.iter(_w("footnoteReference")):
                    extra = notes.get(ref.get(_w("id")) or "", 0.0) + (0 if note_room else 360)
                    note_room += extra
                if p.find(f"{_w('pPr')}/{_w('sectPr')}") is not None:  # a section ends: the next starts a page
                    new_page()
            i = j + 1
            continue
        if child.tag == _w("tbl"):
            cols = [_num(c.get(_w("w"))) for c in child.iter(_w("gridCol"))] or [g.text_width]
            table_m = metrics.get("TableText", default)
            for tr in child.findall(_w("tr")):
                rows = 1
                for k, tc in enumerate(tr.findall(_w("tc"))):
                    width = cols[min(k, len(cols) - 1)] - 226
                    rows = max(rows, sum(para_lines(p, table_m, width) for p in tc.findall(_w("p"))))
                take(rows, table_m, True)
        i += 1
    return found


def _metrics_of(p: etree._Element, metrics: dict[str, _Metrics], default: _Metrics) -> _Metrics:
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    return metrics.get(style.get(_w("val")) or "", default) if style is not None else default


def _keeps_next(p: etree._Element, metrics: dict[str, _Metrics]) -> bool:
    keep = p.find(f"{_w('pPr')}/{_w('keepNext')}")
    if keep is not None:
        return keep.get(_w("val")) not in ("0", "false", "off")
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    m = metrics.get(style.get(_w("val")) or "") if style is not None else None
    return bool(m and m.keep_next)


def note_heights(document: Any, styles: etree._Element | None, text_width: int, cjk: bool) -> dict[str, float]:
    """Each footnote's height in twips (its paragraphs in Footnote Text), for the page estimate."""
    from ..colwidths import text_em
    metrics = style_metrics(styles)
    m = metrics.get("FootnoteText", _Metrics(em=180, line=240, rule="auto"))
    out: dict[str, float] = {}
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            for fn in root.findall(_w("footnote")):
                lines = sum(max(1, math.ceil(text_em(_text_of(p)) / max(text_width / m.em, 4.0)))
                            for p in fn.findall(_w("p")))
                out[fn.get(_w("id")) or ""] = lines * m.line_height(cjk) + m.after
    return out


# --------------------------------------------------------------------------- headers and footers


def _hdr_ftr(kind: str, paragraphs: list[etree._Element]) -> bytes:
    root = etree.Element(_w(kind), nsmap={"w": W, "r": R})
    for p in paragraphs:
        root.append(p)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


def _odd_header(running: str) -> bytes:
    """Odd pages' header: the chapter (``STYLEREF "Heading 1"``, holding this section's chapter as its result,
    which LibreOffice shows as it is), right-aligned."""
    odd = _para("Header")
    _sub(_ppr(odd), "jc", {"val": "right"})
    _field(odd, 'STYLEREF "Heading 1" \\* MERGEFORMAT', running)
    return _hdr_ftr("hdr", [odd])


def _shared_headers(doc: ir.Document) -> dict[tuple[str, str], bytes]:
    """(header|footer, even|default) -> part XML for what every body section shares: the title on even
    pages, the page number (``PAGE``) at the foot of every page."""
    title = doc.metadata.title or doc.metadata.symbol or ""
    even = _para("Header")
    _run(even, title)
    parts = {("header", "even"): _hdr_ftr("hdr", [even])}
    for kind in ("default", "even"):
        f = _para("Footer")
        _sub(_ppr(f), "jc", {"val": "center"})
        _field(f, "PAGE \\* MERGEFORMAT", "1")
        parts[("footer", kind)] = _hdr_ftr("ftr", [f])
    return parts


def _add_part(document: Any, name: str, content_type: str, blob: bytes, reltype: str) -> tuple[str, Any]:
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    part = Part(PackURI(name), content_type, blob, document.part.package)
    return document.part.relate_to(part, reltype), part


def _template_headers(document: Any, template: Template) -> list[tuple[str, str, str]]:
    """Copy the template's header and footer parts (and what they relate to); (header|footer, type, rId)."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    refs: list[tuple[str, str, str]] = []
    if template.sect is None:
        return refs
    source = template.document.part
    copied: dict[str, Any] = {}
    for i, ref in enumerate(template.sect):
        tag = etree.QName(ref).localname
        if tag not in ("headerReference", "footerReference"):
            continue
        rid = ref.get(f"{{{R}}}id") or ""
        try:
            theirs = source.related_parts[rid]
        except KeyError:
            continue
        kind = "header" if tag == "headerReference" else "footer"
        part = Part(PackURI(f"/word/tpl{kind}{i + 1}.xml"), CT_HEADER if kind == "header" else CT_FOOTER,
                    theirs.blob, document.part.package)
        for rel in theirs.rels.values():
            if rel.is_external:
                part.rels.add_relationship(rel.reltype, rel.target_ref, rel.rId, is_external=True)
                continue
            target = rel.target_part
            if target.partname not in copied:
                ext = str(target.partname).rsplit(".", 1)[-1]
                copied[target.partname] = Part(PackURI(f"/word/media/tpl{len(copied) + 1}.{ext}"),
                                               target.content_type, target.blob, document.part.package)
            part.rels.add_relationship(rel.reltype, copied[target.partname], rel.rId)
        new_rid = document.part.relate_to(part, RT_HEADER if kind == "header" else RT_FOOTER)
        refs.append((kind, ref.get(_w("type")) or "default", new_rid))
    return refs


def _settings(document: Any, tag: str, attrs: dict[str, str] | None = None) -> None:
    settings = document.settings.element
    if settings.find(_w(tag)) is None:
        settings.append(_el(tag, attrs))
    _ordered(settings, SETTINGS_ORDER)


# --------------------------------------------------------------------------- the whole layout


def _balance_title(body: etree._Element, doc: ir.Document, text_width: int) -> None:
    """The title broken at phrase boundaries, balanced, as in the print edition (line breaks in the run)."""
    title = doc.metadata.title
    p = next((x for x in body.findall(_w("p"))
              if (s := x.find(f"{_w('pPr')}/{_w('pStyle')}")) is not None and s.get(_w("val")) == "Title"), None)
    if not title or p is None or _text_of(p) != title:
        return
    lines = title_lines(title, 22.0, text_width / 20 - 2)
    if len(lines) < 2:
        return
    runs = p.findall(_w("r"))
    if not runs:
        return
    r = runs[0]
    for extra in runs[1:]:
        p.remove(extra)
    for t in r.findall(_w("t")):
        r.remove(t)
    for i, line in enumerate(lines):
        if i:
            _sub(r, "br")
        _sub(r, "t").text = line


def _toc_title(doc: ir.Document) -> str:
    return D.contents_heading(doc.metadata.language)


def _title_section(body: etree._Element, sect: etree._Element, book: list[Any]
                   ) -> tuple[etree._Element | None, etree._Element | None]:
    """The title page as a section of its own, with no header or footer (a book's pages are sections of their
    own); returns the title page's last paragraph and the body's first element."""
    children = [c for c in body if c.tag == _w("p")] if not book else []
    title_end = None
    for p in children:
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        if style is None or style.get(_w("val")) not in TITLE_STYLES:
            break
        title_end = p
    first_body = title_end.getnext() if title_end is not None else (children[0] if children else sect)
    if title_end is not None:
        title_ppr = title_end.find(_w("pPr"))
        assert title_ppr is not None  # a title paragraph has its style
        title_sect = _sub(title_ppr, "sectPr")
        for el in (sect.find(_w("pgSz")), sect.find(_w("pgMar"))):
            if el is not None:
                title_sect.append(copy.deepcopy(el))
        _sub(title_sect, "titlePg")
        _sub(title_sect, "docGrid", {"linePitch": "400"})
        _ordered(title_sect, SECT_ORDER)

    return title_end, first_body


def _contents(document: Any, doc: ir.Document, body: etree._Element, sect: etree._Element, g: Any,
              styles: etree._Element, first_body: etree._Element | None, book: list[Any]
              ) -> tuple[list[ir.Heading], etree._Element | None, etree._Element | None]:
    """The table of contents, filled, before the first chapter (in a book, after the pages printed before it):
    its headings, its title paragraph and the body's first element after it."""
    heads = [b for b in doc.blocks if isinstance(b, ir.Heading) and b.level <= 2 and b.id
             and b.role not in D.NOT_IN_CONTENTS]
    if len(heads) < 2 and not book:
        heads = []  # a contents list of one line says nothing a reader does not see on the next page
    toc_title: etree._Element | None = None
    if book:
        place = _book_toc_place(body, book)
        first_body = place if place is not None else sect
    if heads:
        anchor = first_body if first_body is not None else sect
        title = _para("TOCHeading")
        _run(title, _toc_title(doc))
        anchor.addprevious(title)
        toc_title = title
        entries: list[etree._Element] = []
        for h in heads:
            p = _para(f"TOC{h.level}")
            link = _sub(p, "hyperlink", {"anchor": h.id or "", "history": "1"})
            label = f"{h.label}\u3000" if h.label and _chinese(doc) else f"{h.label} " if h.label else ""
            _run(link, label + plain(h.children))
            _sub(_sub(link, "r"), "tab")
            _field(link, f"PAGEREF {h.id} \\h", "0")
            entries.append(p)
        # the TOC field wraps the entries: begin/instruction/separate in the first, end after the last
        first = entries[0]
        ppr = first.find(_w("pPr"))
        assert ppr is not None
        runs = [_el("r", {}, _el("fldChar", {"fldCharType": "begin"})), _el("r"),
                _el("r", {}, _el("fldChar", {"fldCharType": "separate"}))]
        instr = _sub(runs[1], "instrText")
        instr.text = ' TOC \\o "1-2" \\h \\z \\u '
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for i, r in enumerate(runs):
            first.insert(first.index(ppr) + 1 + i, r)
        last = _para(f"TOC{heads[-1].level}")
        _sub(_sub(last, "r"), "fldChar", {"fldCharType": "end"})
        entries.append(last)
        for e in entries:
            anchor.addprevious(e)
        # the page numbers estimated with the contents in place (a long contents list moves what follows)
        pages = estimate_pages(body, g, 1, styles, note_heights(document, styles, g.text_width, _chinese(doc)),
                               _chinese(doc))
        for h, e in zip(heads, entries, strict=False):
            cached = e.findall(f".//{_w('hyperlink')}/{_w('r')}/{_w('t')}")
            if cached:
                cached[-1].text = str(pages.get(h.id or "", ""))

    return heads, toc_title, first_body


def _chapter_sections(document: Any, doc: ir.Document, body: etree._Element, sect: etree._Element,
                      has_contents: bool, title_end: etree._Element | None
                      ) -> list[tuple[etree._Element, list[tuple[str, str, str]]]]:
    """Our headers and footers with a section per chapter, so that the chapter in the running head is right even
    where STYLEREF is not recomputed (LibreOffice)."""
    sections: list[tuple[etree._Element, list[tuple[str, str, str]]]] = []
    shared = []
    for (kind, which), blob in sorted(_shared_headers(doc).items()):
        n = 1 if which == "default" else 2
        rid, _ = _add_part(document, f"/word/{kind}{n}.xml", CT_HEADER if kind == "header" else CT_FOOTER,
                           blob, RT_HEADER if kind == "header" else RT_FOOTER)
        shared.append((kind, which, rid))
    starts = [p for p in body.findall(_w("p"))
              if (st := p.find(f"{_w('pPr')}/{_w('pStyle')}")) is not None and st.get(_w("val")) == "Heading1"]
    running = [_toc_title(doc) if has_contents else (doc.metadata.title or "")]
    contents_first = has_contents  # the first section holds the contents: no running head on them (clreq 5.2)
    ends: list[etree._Element] = []
    for i, h in enumerate(starts):
        before = h.getprevious()
        if i == 0 and (before is None or before is title_end):
            running[0] = _text_of(h)  # no front matter between the title page and the first chapter
            contents_first = False
            continue
        style = before.find(f"{_w('pPr')}/{_w('pStyle')}") if before is not None else None
        if (before is None or before.tag != _w("p") or before.find(f"{_w('pPr')}/{_w('sectPr')}") is not None
                or (style is not None and (style.get(_w("val")) or "").startswith("TOC"))):
            # a paragraph of its own: LibreOffice drops a section break held by the TOC field's paragraph
            before = _para("BodyText")
            h.addprevious(before)
        ends.append(before)
        running.append(_text_of(h))
    holders: list[etree._Element] = []
    for end in ends:
        ppr = end.find(_w("pPr"))
        assert ppr is not None
        holder = _sub(ppr, "sectPr")
        for el in (sect.find(_w("pgSz")), sect.find(_w("pgMar")), sect.find(_w("docGrid"))):
            if el is not None:
                holder.append(copy.deepcopy(el))
        holders.append(holder)
    holders.append(sect)
    blank = _hdr_ftr("hdr", [_para("Header")])
    first, _ = _add_part(document, "/word/header-opening.xml", CT_HEADER, blank, RT_HEADER)
    folio = next(rid for kind, which, rid in shared if (kind, which) == ("footer", "default"))
    for n, (holder, head) in enumerate(zip(holders, running, strict=True), 3):
        if n == 3 and contents_first and len(holders) > 1:  # as in the PDF: the folio, and no running head
            sections.append((holder, [*(s for s in shared if s[0] == "footer"), ("header", "default", first),
                                      ("header", "even", first)]))
            continue
        rid, _ = _add_part(document, f"/word/header{n}.xml", CT_HEADER, _odd_header(head), RT_HEADER)
        # the chapter's opening page (its section's first): no running head, the folio at the foot (clreq 5.2)
        _sub(holder, "titlePg")
        sections.append((holder, [*shared, ("header", "default", rid), ("header", "first", first),
                                  ("footer", "first", folio)]))
    return sections


def finish(document: Any, doc: ir.Document, options: Options, diag: Diagnostics,
           template: Template | None = None) -> None:
    """Lay out the package :func:`pipeline.writers.docx.write` filled: see the module's docstring."""
    from ..fontsel import check_family

    check_family(options.serif_font, doc.metadata.language)
    body = document.element.body
    sect = body.find(_w("sectPr"))
    assert sect is not None
    g = _geometry_of(sect, geometry(options))
    text_width = g.text_width
    styles = document.styles.element
    add_styles(styles, doc, text_width)

    # unnumbered paragraphs of the body (not those in tables, boxes or notes) take Body Text
    for p in body.findall(_w("p")):
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        if style is not None and style.get(_w("val")) == "Normal" and _text_of(p).strip():
            style.set(_w("val"), "BodyText")

    book = D.divisions(doc.blocks)
    title_end, first_body = _title_section(body, sect, book)

    _balance_title(body, doc, text_width)

    heads, toc_title, first_body = _contents(document, doc, body, sect, g, styles, first_body, book)

    # headers and footers: the template's for every body section, or ours with a section per chapter, so
    # that the chapter in the running head is right even where STYLEREF is not recomputed (LibreOffice)
    sections: list[tuple[etree._Element, list[tuple[str, str, str]]]] = []
    if book:
        refs = _template_headers(document, template) if template is not None else []
        sections = _book_sections(document, doc, body, sect, book, toc_title, refs)
    elif template is not None and (refs := _template_headers(document, template)):
        sections.append((sect, refs))
    else:
        sections = _chapter_sections(document, doc, body, sect, bool(heads), title_end)
    for holder, refs in sections:
        for kind, which, rid in sorted(refs, key=lambda r: (r[0] != "header", r[1])):
            ref = _sub(holder, f"{kind}Reference", {"type": which})
            ref.set(f"{{{R}}}id", rid)
        _ordered(holder, SECT_ORDER)
        if any(which == "even" for _, which, _ in refs):
            _settings(document, "evenAndOddHeaders")
    if options.mirror_margins:
        _settings(document, "mirrorMargins")

    # Word recomputes the contents' page numbers (PAGEREF) and the running heads when it opens the file
    _settings(document, "updateFields", {"val": "true"})
    removed = used_styles_only(document)
    if removed:
        diag.emit("writer-note", f"{removed} unused style(s) of python-docx's template left out")
    if template is not None:
        merged = merge_styles(styles, template)
        diag.emit("writer-note", f"{merged} style(s) taken from the reference DOCX")
    schema_order(styles)
    schema_order(document.element)
    for part in document.part.package.iter_parts():
        if str(part.partname).startswith(("/word/header", "/word/footer")):
            root = etree.fromstring(part.blob)
            schema_order(root)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- only the styles used

#: The attributes and elements by which a part names a style.
_STYLE_REFS = ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")


def _xml_parts(document: Any) -> list[tuple[str, Any, etree._Element]]:
    """(part name, part, its XML) of every WordprocessingML part but the styles, fonts and theme."""
    out = []
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if not name.startswith("/word/") or not name.endswith(".xml") or name.startswith("/word/theme/") \
                or name in ("/word/styles.xml", "/word/fontTable.xml"):
            continue
        element = getattr(part, "element", None)
        out.append((name, part, element if element is not None else etree.fromstring(part.blob)))
    return out


def _closure(by_id: dict[str, etree._Element], start: list[str]) -> set[str]:
    """The styles ``start`` names and what they are based on, linked to, followed by or name themselves."""
    keep: set[str] = set()
    todo = list(start)
    while todo:
        sid = todo.pop()
        if sid in keep or sid not in by_id:
            continue
        keep.add(sid)
        st = by_id[sid]
        for tag in ("basedOn", "link", "next"):
            ref = st.find(_w(tag))
            if ref is not None:
                todo.append(ref.get(_w("val")) or "")
        for tag in _STYLE_REFS:  # a numbering style's w:styleLink, a style's own rStyle
            for ref in st.iter(_w(tag)):
                todo.append(ref.get(_w("val")) or "")
    return keep


def used_styles_only(document: Any) -> int:
    """Remove the styles no part uses: kept are the styles a paragraph, run, table or list names, each type's
    default, and what those are based on, linked to or followed by (``w:basedOn``, ``w:link``, ``w:next``). The
    template's lists no paragraph uses leave numbering.xml with them (their levels name List Bullet and List
    Number). Returns how many styles left (python-docx's template brings about 150 table and list styles)."""
    styles = document.styles.element
    by_id = {st.get(_w("styleId")) or "": st for st in styles.findall(_w("style"))}
    defaults = [sid for sid, st in by_id.items() if st.get(_w("default")) in ("1", "true", "on")]
    parts = _xml_parts(document)
    numbering = [(name, part, root) for name, part, root in parts if root.tag == _w("numbering")]
    wanted: set[str] = set()
    num_ids: set[str] = set()
    for _, _, root in parts:
        if root.tag == _w("numbering"):
            continue
        for tag in _STYLE_REFS:
            wanted.update(ref.get(_w("val")) or "" for ref in root.iter(_w(tag)))
        num_ids.update(n.get(_w("val")) or "" for n in root.iter(_w("numId")))
    keep = _closure(by_id, defaults + sorted(wanted))
    for sid in keep:
        num_ids.update(n.get(_w("val")) or "" for n in by_id[sid].iter(_w("numId")))
    for _, part, root in numbering:
        nums = root.findall(_w("num"))
        for n in nums:
            if (n.get(_w("numId")) or "") not in num_ids:
                root.remove(n)
        abstract = {a.get(_w("val")) for n in root.findall(_w("num")) for a in n.findall(_w("abstractNumId"))}
        for a in root.findall(_w("abstractNum")):
            if a.get(_w("abstractNumId")) not in abstract:
                root.remove(a)
        if getattr(part, "element", None) is None:
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        for tag in _STYLE_REFS:
            wanted.update(ref.get(_w("val")) or "" for ref in root.iter(_w(tag)))
    keep = _closure(by_id, defaults + sorted(wanted))
    removed = 0
    for sid, st in by_id.items():
        if sid not in keep:
            styles.remove(st)
            removed += 1
    return removed


# --------------------------------------------------------------------------- a book's sections


def _bookmarked(body: etree._Element) -> dict[str, etree._Element]:
    """Each bookmark's name -> the body paragraph that holds its start."""
    out: dict[str, etree._Element] = {}
    for p in body.findall(_w("p")):
        for b in p.iter(_w("bookmarkStart")):
            out.setdefault(b.get(_w("name")) or "", p)
    return out


def _book_toc_place(body: etree._Element, book: list[D.Division]) -> etree._Element | None:
    """The paragraph the contents go before: the first division not printed before them (the foreword, the
    first part or chapter)."""
    marks = _bookmarked(body)
    for d in book:
        if d.role not in D.BEFORE_CONTENTS and d.heading.id in marks:
            return marks[d.heading.id]
    return None


#: A header or footer reference: (``header``|``footer``, ``default``|``even``|``first``, relationship id).
_Ref = tuple[str, str, str]
#: Section breaks: the copyright page backs the title page; every other division opens on a recto.
_BREAK = {"copyright-page": "nextPage"}
#: Divisions printed without running head or folio (blind pages).
_BLIND = frozenset({"halftitlepage", "titlepage", "copyright-page", "dedication", "epigraph"})


def _book_sections(document: Any, doc: ir.Document, body: etree._Element, sect: etree._Element,
                   book: list[D.Division], toc_title: etree._Element | None,
                   template_refs: list[_Ref]) -> list[tuple[etree._Element, list[_Ref]]]:
    """A section per division of a book (and one for the contents): front matter numbered in lower-case roman
    from i, the body in arabic from 1; every division but the copyright page opens on a recto (``oddPage``), its
    opening page without running head (``titlePg`` with an empty first-page header and footer); the half-title,
    title, copyright and dedication pages blind. Returns each section's properties and its header references."""
    marks = _bookmarked(body)
    starts: list[tuple[etree._Element, str, str, str]] = []  # (first paragraph, role, place, running head)
    for d in book:
        p = marks.get(d.heading.id or "")
        if p is not None:
            starts.append((p, d.role, d.place, D.contents_title(d.heading)))
    if toc_title is not None:
        at = next((i for i, s in enumerate(starts) if s[1] not in D.BEFORE_CONTENTS), len(starts))
        starts.insert(at, (toc_title, "toc", "front", _text_of(toc_title)))
    first = body[0] if len(body) else None
    if starts and first is not None and first is not starts[0][0] and first.tag == _w("p") \
            and (style := first.find(f"{_w('pPr')}/{_w('pStyle')}")) is not None \
            and style.get(_w("val")) in TITLE_STYLES:
        starts.insert(0, (first, "titlepage", "front", ""))  # the title page the writer made from the metadata
    if not starts:
        return [(sect, template_refs)] if template_refs else []
    holders: list[etree._Element] = []
    for p, *_ in starts[1:]:
        before = p.getprevious()
        if before is None or before.tag != _w("p") or before.find(f"{_w('pPr')}/{_w('sectPr')}") is not None \
                or before is toc_title or _is_toc(before):
            before = _para("BodyText")  # a paragraph of its own: LibreOffice drops a break held by a TOC entry
            p.addprevious(before)
        holder = _sub(_ppr(before), "sectPr")
        for el in (sect.find(_w("pgSz")), sect.find(_w("pgMar")), sect.find(_w("docGrid"))):
            if el is not None:
                holder.append(copy.deepcopy(el))
        holders.append(holder)
    holders.append(sect)
    shared: list[_Ref] = []
    blank: list[_Ref] = []
    if not template_refs:
        for (kind, which), blob in sorted(_shared_headers(doc).items()):
            rid, _ = _add_part(document, f"/word/{kind}{1 if which == 'default' else 2}.xml",
                               CT_HEADER if kind == "header" else CT_FOOTER, blob,
                               RT_HEADER if kind == "header" else RT_FOOTER)
            shared.append((kind, which, rid))
        for kind in ("header", "footer"):
            rid, _ = _add_part(document, f"/word/{kind}3.xml", CT_HEADER if kind == "header" else CT_FOOTER,
                               _hdr_ftr("hdr" if kind == "header" else "ftr", [_para(kind.title())]),
                               RT_HEADER if kind == "header" else RT_FOOTER)
            blank += [(kind, which, rid) for which in ("default", "even", "first")]
    out: list[tuple[etree._Element, list[_Ref]]] = []
    first_front = first_body = True
    for n, (holder, (_, role, place, running)) in enumerate(zip(holders, starts, strict=True)):
        if n:
            _sub(holder, "type", {"val": _BREAK.get(role, "oddPage")})
        fmt = {"fmt": "lowerRoman"} if place == "front" else {"fmt": "decimal"}
        if place == "front" and first_front:
            fmt["start"], first_front = "1", False
        elif place != "front" and first_body:
            fmt["start"], first_body = "1", False
        _sub(holder, "pgNumType", fmt)
        if template_refs:
            refs = template_refs
        elif role in _BLIND:
            refs = blank
        else:
            _sub(holder, "titlePg")  # the opening page: no running head, no folio
            rid, _ = _add_part(document, f"/word/header{n + 4}.xml", CT_HEADER, _running_header(running), RT_HEADER)
            refs = [*shared, ("header", "default", rid), *[r for r in blank if r[1] == "first"]]
        out.append((holder, refs))
    return out


def _is_toc(p: etree._Element) -> bool:
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    return style is not None and (style.get(_w("val")) or "").startswith("TOC")


def _running_header(text: str) -> bytes:
    """Odd pages' header in a book: the division's title, right-aligned (a chapter under a part is no Heading 1,
    so STYLEREF would show the part)."""
    odd = _para("Header")
    _sub(_ppr(odd), "jc", {"val": "right"})
    _run(odd, text)
    return _hdr_ftr("hdr", [odd])


def dated(options: Options, doc: ir.Document) -> Options:
    """``options`` with the document's own date as the date of the output when ``SOURCE_DATE_EPOCH`` is not
    set (core properties and zip timestamps then say when the document was issued, never 1980)."""
    if options.source_date_epoch is not None:
        return options
    epoch = date_epoch(doc.metadata.date)
    return options.with_(source_date_epoch=epoch) if epoch is not None else options


def when(options: Options) -> dt.datetime | None:
    """The output's date (naive UTC), or None when neither ``SOURCE_DATE_EPOCH`` nor a document date is known."""
    if options.source_date_epoch is None:
        return None
    return dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).replace(tzinfo=None)
