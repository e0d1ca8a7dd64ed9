"""Print-ready PDF with WeasyPrint, from the shared HTML and ``styles/print.css``.

What the print profile adds to the shared HTML: a table of contents whose entries get their page numbers
from ``target-counter``; footnote bodies moved to their calls and floated to the foot of the page
(``float: footnote``, the source's markers kept); the page geometry (``--page-size``, mirrored margins);
the edition's typefaces from ``fonts/fonts.toml``. Headings become the PDF outline, every ``id`` a named
destination (``para-N`` for every numbered paragraph). ``--pdf-variant pdf/a-3b`` attaches the TEI file when
it is written in the same run; ``pdf/ua-1`` tags the structure.

The renderer reads only from the document's folder, ``styles/`` and ``fonts/``: a URL fetcher refuses the
network and every other file, and each refusal is a diagnostic.
"""

from __future__ import annotations

import ctypes.util
import datetime as dt
import io
import itertools
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

from .. import ir
from ..diagnostics import Diagnostics
from ..errors import OutputError, UsageError
from ..fontsel import FONTS_DIR, family_for
from ..options import Options
from ..walk import plain
from . import html as H

STYLES_DIR = Path(__file__).resolve().parents[2] / "styles"
PAGE_SIZES = {"a4": "A4", "a5": "A5", "b5": "B5", "letter": "letter", "legal": "legal"}
_CSS_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt|px|pc)"


def page_size(value: str) -> str:
    """The CSS ``size`` for ``--page-size`` (A4, A5, B5, Letter, or WxH such as 148mmx210mm)."""
    key = value.strip().lower()
    if key in PAGE_SIZES:
        return PAGE_SIZES[key]
    m = re.fullmatch(rf"({_CSS_LENGTH})\s*x\s*({_CSS_LENGTH})", key)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    raise UsageError(f"unknown page size {value!r}", expected="A4, A5, B5, Letter or WxH such as 150mmx220mm")


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (libharfbuzz-subset0), ~25x faster on CJK."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def sandbox_fetcher(allowed: list[Path], diag: Diagnostics) -> Any:
    """A WeasyPrint URL fetcher serving ``file:`` URLs under ``allowed`` (and ``data:``) and nothing else."""
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class Sandbox(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            ok = parsed.scheme == "data"
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                ok = any(path == r or r in path.parents for r in roots) and path.is_file()
            if not ok:
                diag.emit("external-resource-blocked", f"not fetched: {url} (only the document's folder, "
                          "styles/ and fonts/ may be read)")
                raise ValueError(f"docpipe refuses to fetch {url}")
            return super().fetch(url, headers)

    return Sandbox(allowed_protocols=["file", "data"], allow_redirects=False)


def _footnotes_inline(root: etree._Element, doc: ir.Document, options: Options, diag: Diagnostics) -> None:
    """Move each note body to its call as ``span.footnote`` (CSS floats it to the page foot)."""
    notes = {n.id: n for n in doc.notes}
    ctx = H.Context(options, diag, "print", doc.metadata.language, lambda i: f"#{i}")
    placed: set[str] = set()
    for a in list(root.iter("a")):
        if a.get("class") != "noteref":
            continue
        note_id = (a.get("href") or "").lstrip("#")
        sup = a.getparent()
        note = notes.get(note_id)
        if note is None or sup is None or note_id in placed:
            continue
        placed.add(note_id)
        span = etree.Element("span", {"class": "footnote", "id": note.id, "data-marker": note.marker})
        if note.lang and note.lang != doc.metadata.language:
            span.set("lang", note.lang)
        for i, b in enumerate(note.blocks):
            if i:
                etree.SubElement(span, "br")
            if isinstance(b, ir.Para):
                H.inlines(span, b.children, ctx, note.lang)
            else:
                H._append_text(span, plain(b.children) if isinstance(b, ir.Heading) else "")
        anchor = etree.Element("a", {"id": a.get("id") or f"fnref-{note_id}", "class": "fn-anchor"})
        span.tail = sup.tail
        parent = sup.getparent()
        assert parent is not None
        index = parent.index(sup)
        parent.remove(sup)
        anchor.tail = None
        parent.insert(index, anchor)
        parent.insert(index + 1, span)
    for sec in list(root.iter("section")):
        if sec.get("class") == "footnotes":
            remaining = [el for el in sec if el.get("id") not in placed]
            if not remaining:
                parent = sec.getparent()
                assert parent is not None
                parent.remove(sec)


def _toc(root: etree._Element, doc: ir.Document) -> None:
    """A contents page after the title page: chapters and sections with their page numbers."""
    body = root.find("body")
    assert body is not None
    heads = [b for b in doc.blocks if isinstance(b, ir.Heading) and b.level <= 2 and b.id]
    if not heads:
        return
    nav = etree.Element("nav", {"class": "toc", "role": "doc-toc"})
    title = etree.SubElement(nav, "p", {"class": "toc-title"})
    title.text = "目錄" if (doc.metadata.language or "").startswith("zh-Hant") else \
        "目录" if (doc.metadata.language or "").startswith("zh") else "Contents"
    ol = etree.SubElement(nav, "ol")
    for h in heads:
        li = etree.SubElement(ol, "li", {"class": f"toc-level{h.level}"})
        a = etree.SubElement(li, "a", {"href": f"#{h.id}"})
        a.text = (f"{h.label} " if h.label else "") + plain(h.children)
    header = body.find("header")
    body.insert(body.index(header) + 1 if header is not None else 0, nav)


def _font_css(doc: ir.Document, options: Options) -> str:
    rules = []
    base = doc.metadata.language
    rules.append(f'html {{ font-family: "{family_for(base, "serif", options.serif_font)}", serif; }}')
    rules.append(f'h1, h2, h3, h4, h5, h6, .toc-title {{ font-family: "{family_for(base, "sans")}", sans-serif; }}')
    for lang in ("zh-Hans", "zh-Hant", "zh-Hant-TW", "zh-Hant-HK"):
        sel = f'[lang="{lang}"]'
        rules.append(f'{sel} {{ font-family: "{family_for(lang, "serif", options.serif_font)}", serif; }}')
        rules.append(f'{sel} .box-title, {sel} h1, {sel} h2, {sel} h3, {sel} h4 '
                     f'{{ font-family: "{family_for(lang, "sans")}", sans-serif; }}')
    return "\n".join(rules)


def _page_css(options: Options) -> str:
    size = page_size(options.page_size)
    small = size in ("A5", "B5") or (" " in size)
    inner, outer = ("20mm", "15mm") if small else ("25mm", "20mm")
    if not options.mirror_margins:
        inner = outer = "20mm" if not small else "17mm"
    return (f"@page {{ size: {size}; }}\n"
            f"@page :left {{ margin-left: {outer}; margin-right: {inner}; }}\n"
            f"@page :right {{ margin-left: {inner}; margin-right: {outer}; }}\n")


#: clreq 3.1.6: where two full-width marks meet, the first is set half width (OpenType ``halt``), so "）。"
#: or "，「" do not leave a full em of blank. Debian's Noto CJK 2.001 has ``halt`` but not ``chws``.
_PUNCT_PAIR = re.compile("([，。、；：！？」』）》〉】])(?=[，。、；：！？「『（《〈【」』）》〉】])")


def _compress_punctuation(root: etree._Element) -> int:
    """Wrap the first mark of each adjacent pair in ``span.halt``; returns how many."""
    count = 0

    def split(text: str) -> list[tuple[str, bool]]:
        parts: list[tuple[str, bool]] = []
        pos = 0
        for m in _PUNCT_PAIR.finditer(text):
            if m.start() > pos:
                parts.append((text[pos:m.start()], False))
            parts.append((m.group(1), True))
            pos = m.end()
        if pos < len(text):
            parts.append((text[pos:], False))
        return parts

    def spans(parts: list[tuple[str, bool]]) -> tuple[str, list[etree._Element]]:
        nonlocal count
        lead = ""
        made: list[etree._Element] = []
        for piece, mark in parts:
            if mark:
                el = etree.Element("span", {"class": "halt"})
                el.text = piece
                made.append(el)
                count += 1
            elif made:
                made[-1].tail = (made[-1].tail or "") + piece
            else:
                lead += piece
        return lead, made

    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("style", "head", "title", "meta", "script"):
            continue
        if el.text and _PUNCT_PAIR.search(el.text):
            lead, made = spans(split(el.text))
            el.text = lead
            for i, m in enumerate(made):
                el.insert(i, m)
        if el.tail and _PUNCT_PAIR.search(el.tail) and el.getparent() is not None:
            lead, made = spans(split(el.tail))
            el.tail = lead
            parent = el.getparent()
            assert parent is not None
            index = parent.index(el)
            for i, m in enumerate(made, 1):
                parent.insert(index + i, m)
    # pairs split across elements (a book title's closing mark, then the text after the <cite>)
    slots: list[tuple[etree._Element, str]] = []

    def collect(el: etree._Element) -> None:
        if el.tag in ("style", "head"):
            return
        slots.append((el, "text"))
        for child in el:
            if isinstance(child.tag, str):
                collect(child)
        slots.append((el, "tail"))

    collect(root)
    values = [(el, kind, (el.text if kind == "text" else el.tail) or "") for el, kind in slots]
    filled = [v for v in values if v[2]]
    for (el, kind, text), (_, _, following) in itertools.pairwise(filled):
        if text[-1] in CLOSING_MARKS and following[0] in ALL_MARKS and not (
                el.tag == "span" and el.get("class") == "halt" and kind == "text"):
            mark = etree.Element("span", {"class": "halt"})
            mark.text = text[-1]
            count += 1
            if kind == "text":
                el.text = text[:-1]
                el.insert(0, mark) if not len(el) else el[0].addprevious(mark)
            else:
                el.tail = text[:-1]
                el.addnext(mark)
    return count


CLOSING_MARKS = set("，。、；：！？」』）》〉】")
ALL_MARKS = CLOSING_MARKS | set("「『（《〈【")


def build_html(doc: ir.Document, options: Options, diag: Diagnostics) -> etree._Element:
    """The print HTML tree (exposed for tests and for looking at what the renderer gets)."""
    root = H.render_document(doc, options, diag, profile="print")
    _footnotes_inline(root, doc, options, diag)
    _toc(root, doc)
    compressed = _compress_punctuation(root)
    if compressed:
        diag.emit("writer-note", f"{compressed} adjacent punctuation pair(s) compressed (half-width first mark)")
    head = root.find("head")
    assert head is not None
    if options.source_date_epoch is not None:
        stamp = dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        etree.SubElement(head, "meta", {"name": "dcterms.created", "content": stamp})
    m = doc.metadata
    if m.symbol or m.session:
        etree.SubElement(head, "meta", {"name": "keywords", "content": ", ".join(x for x in (m.symbol, m.session)
                                                                               if x)})
    return root


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """PDF for ``doc``."""
    try:
        from weasyprint import CSS, HTML, Attachment
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:
        raise OutputError(f"WeasyPrint cannot start ({exc}); run `make install`") from exc
    if not harfbuzz_subset_available():
        diag.emit("missing-tool", "libharfbuzz-subset0 is not installed: fonts are subset with fontTools, "
                  "about 25 times slower on CJK fonts (make install installs it)")
    root = build_html(doc, options, diag)
    base_dir = Path(options.base_dir or ".").resolve()
    fetcher = sandbox_fetcher([base_dir, STYLES_DIR, FONTS_DIR], diag)
    font_config = FontConfiguration()
    try:
        stylesheets = [
            CSS(filename=str(STYLES_DIR / "print.css"), url_fetcher=fetcher, font_config=font_config),
            CSS(string=_page_css(options) + _font_css(doc, options), url_fetcher=fetcher, font_config=font_config),
        ]
        kwargs: dict[str, Any] = {"stylesheets": stylesheets, "pdf_identifier": _identifier(doc, options)}
        if options.pdf_variant:
            kwargs["pdf_variant"] = options.pdf_variant
        if options.pdf_variant == "pdf/ua-1":
            kwargs["pdf_tags"] = True
        if options.attachments:
            kwargs["attachments"] = [Attachment(string=data, name=name, description="TEI P5 edition",
                                                relationship="Source")
                                     for name, data in options.attachments]
        html_text = etree.tostring(root, encoding="unicode", method="html")
        rendered = HTML(string=html_text, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render(
            font_config=font_config, **kwargs)
        for anchor in sorted(_notes_off_their_page(rendered)):
            diag.emit("writer-note", f"the footnote called in {anchor} is not on the page of its call")
        out = io.BytesIO()
        rendered.write_pdf(out, **kwargs)
    except UsageError:
        raise
    except Exception as exc:
        raise OutputError(f"WeasyPrint failed: {type(exc).__name__}: {exc}") from exc
    return out.getvalue()


def _notes_off_their_page(document: Any) -> set[str]:
    """Paragraphs whose footnote the renderer did not put on the page of the call (reported, never hidden)."""
    page_of: dict[str, int] = {}
    paras: dict[int, list[str]] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
            if anchor.startswith("para-"):
                paras.setdefault(number, []).append(anchor)
    off: set[str] = set()
    for anchor, page in page_of.items():
        if anchor.startswith("fnref-"):
            note = "fn-" + anchor[len("fnref-"):]
            if note in page_of and page_of[note] != page:
                off.add(next((p for p in reversed(paras.get(page, [])) if page_of[p] <= page), anchor))
    return off


def _identifier(doc: ir.Document, options: Options) -> bytes:
    import hashlib
    m = doc.metadata
    basis = f"{m.symbol}|{m.title}|{options.script}|{options.page_size}|{options.pdf_variant}"
    return hashlib.md5(basis.encode("utf-8")).hexdigest().encode("ascii")
