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
from ..fontsel import FONTS_DIR, check_family, family_list, report_coverage
from ..options import Options
from ..walk import plain
from . import html as H
from .justify import inter_character

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
            if parsed.scheme == "file" and parsed.netloc not in ("", "localhost"):
                ok = False  # urllib would look the host up (a DNS query) to decide whether it is local
            elif parsed.scheme == "file":
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
    # each family list ends with the fallback faces (fonts.toml [fallback]): with any @font-face in a stylesheet
    # WeasyPrint stops asking fontconfig, and a character the edition's face lacks would be a missing-glyph box
    rules.append(f"html {{ font-family: {family_list(base, 'serif', options.serif_font)}; }}")
    rules.append(f"h1, h2, h3, h4, h5, h6, .toc-title {{ font-family: {family_list(base, 'sans')}; }}")
    for lang in ("zh-Hans", "zh-Hant", "zh-Hant-TW", "zh-Hant-HK"):
        sel = f'[lang="{lang}"]'
        rules.append(f"{sel} {{ font-family: {family_list(lang, 'serif', options.serif_font)}; }}")
        rules.append(f"{sel} .box-title, {sel} h1, {sel} h2, {sel} h3, {sel} h4 "
                     f"{{ font-family: {family_list(lang, 'sans')}; }}")
    return "\n".join(rules)


#: Named page sizes in millimetres (CSS Paged Media's B5 is ISO B5).
PAGE_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "B5": (176.0, 250.0), "letter": (215.9, 279.4),
           "legal": (215.9, 355.6)}
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}


def _mm(length: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|px|pc)", length.strip().lower())
    if not m:
        raise UsageError(f"not a length: {length!r}", expected="a number with mm, cm, in, pt, pc or px")
    return float(m.group(1)) * _MM[m.group(2)]


def page_mm(value: str) -> tuple[float, float]:
    """Width and height in millimetres of ``--page-size``."""
    size = page_size(value)
    if size in PAGE_MM:
        return PAGE_MM[size]
    w, h = size.split()
    return _mm(w), _mm(h)


def margins_mm(options: Options) -> tuple[float, float]:
    """(inner, outer) margins in millimetres for the edition's page size."""
    size = page_size(options.page_size)
    small = size in ("A5", "B5") or (" " in size)
    inner, outer = (20.0, 15.0) if small else (25.0, 20.0)
    if not options.mirror_margins:
        inner = outer = 20.0 if not small else 17.0
    return inner, outer


def _page_css(options: Options) -> str:
    size = page_size(options.page_size)
    inner, outer = margins_mm(options)
    page = f"size: {size};"
    bleed = options.bleed or ("3mm" if options.marks else None)
    if bleed:
        page += f" bleed: {_mm(bleed):.2f}mm;"
    if options.marks:
        page += " marks: crop cross;"
    # The title page is one page in every size: its blank space shrinks with the page's height (A4 keeps the
    # stylesheet's values), and the title with the page's width.
    width, height = page_mm(options.page_size)
    f = min(1.0, (height / 297.0) ** 2)
    title_pt = min(22.0, round(22.0 * width / 210.0, 1))
    return (f"@page {{ {page} }}\n"
            f"@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm; }}\n"
            f"@page :right {{ margin-left: {inner}mm; margin-right: {outer}mm; }}\n"
            f"header.titlepage {{ padding-top: {45 * f:.1f}mm; }}\n"
            f"header.titlepage .symbol {{ margin-bottom: {30 * f:.1f}mm; }}\n"
            f"header.titlepage .title {{ font-size: {title_pt}pt; margin-bottom: {14 * f:.1f}mm; }}\n"
            f"header.titlepage .author {{ margin-top: {14 * f:.1f}mm; }}\n"
            f"header.titlepage .edition-note {{ margin-top: {30 * f:.1f}mm; }}\n")


#: Where a Chinese title may break: before a preposition opening a phrase, around brackets and punctuation,
#: at spaces.
_TITLE_BREAK = re.compile(r"(?=關於|关于|有關|有关|對於|对于|題為|题为|（|\(|《|〈|「)|(?<=[，、：；）\)》〉」\s])")


def title_lines(title: str, font_pt: float, measure_pt: float) -> list[str]:
    """``title`` broken at phrase boundaries into the fewest lines that fit, balanced (the longest line as
    short as can be); one line when it fits, the title whole when no phrase boundary helps."""
    def width(text: str) -> float:
        return sum(font_pt * (0.55 if ord(ch) < 0x2E80 else 1.0) for ch in text.strip())

    if width(title) <= measure_pt:
        return [title]
    cuts = sorted({0, len(title), *(m.start() for m in _TITLE_BREAK.finditer(title))})
    pieces = [title[a:b] for a, b in itertools.pairwise(cuts) if title[a:b]]
    if len(pieces) > 14:
        return [title]  # 2**13 ways to split at most: titles are short; a longer one is left to the renderer
    best: tuple[int, float, list[str]] | None = None
    for mask in range(1 << (len(pieces) - 1)):
        lines = [pieces[0]]
        for i, piece in enumerate(pieces[1:]):
            if mask >> i & 1:
                lines.append(piece)
            else:
                lines[-1] += piece
        widest = max(width(x) for x in lines)
        if widest > measure_pt:
            continue
        key = (len(lines), widest, lines)
        if best is None or key[:2] < best[:2]:
            best = key
    return [x.strip() for x in best[2]] if best else [title]


def _balance_title(root: etree._Element, doc: ir.Document, options: Options, diag: Diagnostics) -> None:
    """Break the title page's title at phrase boundaries, balanced, with explicit line breaks."""
    title = doc.metadata.title
    el = next((e for e in root.iter("h1") if e.get("class") == "title"), None)
    if not title or el is None:
        return
    width, _ = page_mm(options.page_size)
    inner, outer = margins_mm(options)
    measure_pt = (width - inner - outer) * 72 / 25.4
    font_pt = min(22.0, round(22.0 * width / 210.0, 1))
    lines = title_lines(title, font_pt, measure_pt - 1)
    if len(lines) < 2:
        return
    for child in list(el):
        el.remove(child)
    el.text = None
    ctx = H.Context(options, diag, "print", doc.metadata.language, lambda i: f"#{i}")
    for i, line in enumerate(lines):
        if i:
            etree.SubElement(el, "br")
        holder = etree.Element("span")
        H._text(holder, line, ctx)
        if i == 0:
            el.text = holder.text
        else:
            el[-1].tail = holder.text
        for child in list(holder):
            el.append(child)


#: Quotation marks and apostrophes of Latin text: Noto CJK sets them full width unless asked for its
#: proportional (Latin) forms with ``pwid``.
_QUOTES = "‘’“”"
_LATIN_QUOTE = re.compile(r"(?<=[A-Za-z0-9.,!?;:)\]])[’”]|[‘“](?=[A-Za-z0-9(\[])|(?<=[A-Za-z])’(?=[A-Za-z])")


def _latin_quotes(root: etree._Element) -> int:
    """Wrap the quotation marks and apostrophes that belong to Latin text in ``span.latin-quote``."""
    count = 0

    def pieces(text: str) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        pos = 0
        for m in _LATIN_QUOTE.finditer(text):
            if m.start() > pos:
                out.append((text[pos:m.start()], False))
            out.append((m.group(0), True))
            pos = m.end()
        if pos < len(text):
            out.append((text[pos:], False))
        return out

    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("style", "head", "title", "meta", "script"):
            continue
        if "latin" in (el.get("class") or "").split():
            continue  # span.latin has pwid on already
        for kind in ("text", "tail"):
            value = el.text if kind == "text" else el.tail
            if not value or not any(q in value for q in _QUOTES) or not _LATIN_QUOTE.search(value):
                continue
            if kind == "tail" and el.getparent() is None:
                continue
            parts = pieces(value)
            made = []
            lead = ""
            for piece, quote in parts:
                if quote:
                    span = etree.Element("span", {"class": "latin-quote"})
                    span.text = piece
                    made.append(span)
                    count += 1
                elif made:
                    made[-1].tail = (made[-1].tail or "") + piece
                else:
                    lead += piece
            if kind == "text":
                el.text = lead
                for i, m in enumerate(made):
                    el.insert(i, m)
            else:
                el.tail = lead
                anchor = el
                for m in made:
                    anchor.addnext(m)
                    anchor = m
    return count


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
        # each new span goes right after the previous one (addnext is O(1); inserting by index is O(n),
        # which made a long run of marks quadratic)
        if el.text and _PUNCT_PAIR.search(el.text):
            lead, made = spans(split(el.text))
            el.text = lead
            if made:
                el.insert(0, made[0])
                for a, b in itertools.pairwise(made):
                    a.addnext(b)
        if el.tail and _PUNCT_PAIR.search(el.tail) and el.getparent() is not None:
            lead, made = spans(split(el.tail))
            el.tail = lead
            prev = el
            for m in made:
                prev.addnext(m)
                prev = m
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
    for header in root.iter("header"):
        parent = header.getparent()
        if header.get("class") == "titlepage" and not len(header) and parent is not None:
            # no title, symbol or author: no title page (it would print as a blank first page)
            parent.remove(header)
            break
    _footnotes_inline(root, doc, options, diag)
    _toc(root, doc)
    _balance_title(root, doc, options, diag)
    _latin_quotes(root)
    compressed = _compress_punctuation(root)
    if compressed:
        diag.emit("writer-note", f"{compressed} adjacent punctuation pair(s) compressed (half-width first mark)")
    head = root.find("head")
    assert head is not None
    stamp = _stamp(doc, options)
    if stamp is not None:
        etree.SubElement(head, "meta", {"name": "dcterms.created", "content": stamp})
        if head.find("meta[@name='dcterms.modified']") is None:
            etree.SubElement(head, "meta", {"name": "dcterms.modified", "content": stamp})
    m = doc.metadata
    if m.symbol or m.session:
        etree.SubElement(head, "meta", {"name": "keywords", "content": ", ".join(x for x in (m.symbol, m.session)
                                                                               if x)})
    return root


def _stamp(doc: ir.Document, options: Options) -> str | None:
    """The PDF's dates: ``SOURCE_DATE_EPOCH``, else the document's own date (never the clock: PDF/X and
    PDF/A would otherwise take the time of the run)."""
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if doc.metadata.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.metadata.date):
        return f"{doc.metadata.date}T00:00:00Z"
    return None


def house_css(options: Options) -> Path | None:
    """The ``--css`` file, checked (a UsageError when it cannot be read)."""
    if not options.css:
        return None
    path = Path(options.css).expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"--css {options.css}: no such file", expected="a CSS file")
    return path


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """PDF for ``doc``."""
    if options.vertical:
        raise UsageError("--vertical is not available for PDF: WeasyPrint has no vertical writing mode "
                         "(writing-mode: vertical-rl)", expected="--vertical with --to epub only")
    check_family(options.serif_font, doc.metadata.language)
    from ..walk import iter_inlines_all
    report_coverage("".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text)), doc.metadata.language,
                    diag, override=options.serif_font)
    house = house_css(options)
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
    fetcher = sandbox_fetcher([base_dir, STYLES_DIR, FONTS_DIR, *([house.parent] if house else [])], diag)
    font_config = FontConfiguration()
    try:
        stylesheets = [
            CSS(filename=str(STYLES_DIR / "print.css"), url_fetcher=fetcher, font_config=font_config),
            CSS(string=_page_css(options) + _font_css(doc, options), url_fetcher=fetcher, font_config=font_config),
        ]
        if house is not None:  # after ours, so the house rules win at equal specificity
            stylesheets.append(CSS(filename=str(house), url_fetcher=fetcher, font_config=font_config))
        kwargs: dict[str, Any] = {"stylesheets": stylesheets, "pdf_identifier": _identifier(doc, options)}
        if options.pdf_variant:
            kwargs["pdf_variant"] = options.pdf_variant
        if options.pdf_variant in ("pdf/ua-1", "pdf/a-3a"):
            kwargs["pdf_tags"] = True
        if options.attachments:
            import datetime as _dt

            from ..fileio import date_epoch
            epoch = options.source_date_epoch
            if epoch is None:  # the document's own date; never the clock (rebuilds are byte-identical)
                epoch = date_epoch(doc.metadata.date) or 946684800
            stamp = _dt.datetime.fromtimestamp(epoch, _dt.UTC)
            kwargs["attachments"] = [Attachment(string=data, name=name, description="TEI P5 edition",
                                                relationship="Source", created=stamp, modified=stamp)
                                     for name, data in options.attachments]
        html_text = etree.tostring(root, encoding="unicode", method="html")
        out = io.BytesIO()
        with inter_character():  # drawing lays the justified text out again: the patch spans both
            rendered = HTML(string=html_text, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render(
                font_config=font_config, **kwargs)
            for anchor in sorted(_notes_off_their_page(rendered)):
                diag.emit("writer-note", f"the footnote called in {anchor} is not on the page of its call")
            if options.pdf_variant == "pdf/x-4":
                # the printer's CMYK profile when the house CSS declares one (@color-profile device-cmyk),
                # else WeasyPrint's sRGB: either way an output intent of type GTS_PDFX
                kwargs["output_intent"] = "device-cmyk" if "device-cmyk" in rendered.color_profiles else "srgb"
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
