"""What the fresh corpus of round 39 (web pages, e-books, Word, Markdown: 16 documents from 12 projects never used
before, /work/fresh39-web on the machine that measured it) found, each as the smallest input that showed it, cut
from the real file (tests/fixtures/fresh39web/PROVENANCE.md). Every output is validated: EPUBCheck, openxml-audit,
jing and the TEI Schematron."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.fontsel import family_list
from pipeline.options import Options
from tests.epubcheck_run import epubcheck

from .conftest import need, openxml_audit, require, require_tool
from .tei_validate import RNG, jing_path, saxon_available, validate

NS = {"t": "http://www.tei-c.org/ns/1.0"}
FIXTURES = Path(__file__).parent / "fixtures" / "fresh39web"
EVERY = ["epub", "docx", "pdf", "tei", "html"]


def convert(src: Path, out: Path, formats: list[str] = EVERY, **options: Any) -> dict[str, Path]:
    """``src`` in ``formats``, each output checked by its validator."""
    result = pipeline.convert(src, formats, out, Options(source_date_epoch=0, **options), diag=Diagnostics())
    outputs = dict(result.outputs)
    if "epub" in outputs:
        checked = epubcheck(outputs["epub"])
        assert checked.returncode == 0 and "0 errors / 0 warnings" in checked.stdout, checked.stdout[-2000:]
    if "docx" in outputs:
        openxml_audit(outputs["docx"])
    if "tei" in outputs:
        require(RNG.is_file() and jing_path() is not None and saxon_available(), "jing, saxonche and the TEI schema")
        errors = validate([outputs["tei"]])
        assert not errors, errors
    return outputs


def tei_of(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


# ------------------------------------------------------------------------------------ Standard Ebooks, W3C pages


def test_a_standard_ebooks_cut_keeps_its_svg_title_page_and_its_endnote(tmp_path: Path) -> None:
    """Standard Ebooks' *A Day at a Time*: the title page is an SVG picture, the chapter calls an endnote
    (``epub:type="noteref"``) whose body is an item of the endnotes section's list: the picture reaches every
    output, the call is a note with its text, and the endnotes list is not kept as a list beside it."""
    outputs = convert(FIXTURES / "se-alexander-cut.epub", tmp_path / "out")
    with zipfile.ZipFile(outputs["epub"]) as z:
        assert any(n.endswith(".svg") for n in z.namelist())
    html = outputs["html"].read_text(encoding="utf-8")
    assert re.search(r'<img src="[^"]+\.svg"', html)
    tei = tei_of(outputs["tei"])
    notes = tei.findall(".//t:body//t:note", NS)
    assert ["".join(n.itertext()).strip() for n in notes] == ["Written in February."]
    assert tei.findall(".//t:body//t:graphic", NS) and tei.find(".//t:body//t:list", NS) is None
    with zipfile.ZipFile(outputs["docx"]) as z:
        assert "Written in February." in z.read("word/footnotes.xml").decode()
    require_tool("pdftotext")
    import subprocess
    text = subprocess.run(["pdftotext", str(outputs["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    assert "Written in February." in text and "Now-a-Days" in text


def test_a_w3c_figure_drawn_by_an_svg_object_is_a_picture(tmp_path: Path) -> None:
    """The W3C PNG specification shows its 20 SVG figures with ``<object data="figures/….svg"
    type="image/svg+xml">`` (empty fallback): pandoc keeps only the fallback, so every figure was its caption
    alone. The object is read as the picture it shows, in every output; the table after it stays."""
    outputs = convert(FIXTURES / "w3c-png-chunk-layout" / "index.html", tmp_path / "out")
    html = outputs["html"].read_text(encoding="utf-8")
    assert re.search(r'<figure[^>]*id="figure411"[^>]*><img src="[^"]+\.svg"[^>]*><figcaption>Chunk parts<', html)
    tei = tei_of(outputs["tei"])
    figure = tei.find(".//t:figure", NS)
    assert figure is not None and figure.find("t:graphic", NS) is not None
    assert len(tei.findall(".//t:table", NS)) == 1
    with zipfile.ZipFile(outputs["docx"]) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())
    fitz = need("pymupdf")
    with fitz.open(str(outputs["pdf"])) as pdf:
        page = next(p for p in pdf if "Chunk parts" in p.get_text())
        assert len(page.get_drawings()) > 10, "the SVG is drawn on the page of its caption"


def test_an_svg_object_in_a_markdown_files_raw_html_is_a_picture(tmp_path: Path) -> None:
    """The same ``<object>`` (and an ``<embed>``) written as raw HTML inside Markdown, as documentation sites copy
    W3C figures: read as the picture, where it was dropped with its fallback."""
    shutil.copy(FIXTURES / "w3c-png-chunk-layout" / "figures" / "chunk-parts.svg", tmp_path / "parts.svg")
    src = tmp_path / "doc.md"
    src.write_text("# Chunks\n\n<figure>\n<object data=\"parts.svg\" type=\"image/svg+xml\">Chunk parts</object>\n"
                   "<figcaption>The parts of a chunk</figcaption>\n</figure>\n\nInline <embed src=\"parts.svg\"> "
                   "here.\n", encoding="utf-8")
    outputs = convert(src, tmp_path / "out", ["html", "epub"])
    html = outputs["html"].read_text(encoding="utf-8")
    assert len(re.findall(r'<img src="[^"]+\.svg"', html)) == 2, html
    assert "<object" not in html and "<embed" not in html


def test_an_object_that_is_no_picture_stays_as_it_was() -> None:
    from pipeline.readers.pandoc.html5 import prepare

    page = ('<html><body><object data="clip.mp4" type="video/mp4"><p>A clip.</p></object>'
            '<object data="plot.svg"><object data="plot.png" type="image/png">Plot</object></object>'
            '<embed src="chart.svg" type="image/svg+xml"></body></html>')
    text, counts = prepare(page, xml=False)
    assert counts.objects == 2
    assert '<object data="clip.mp4"' in text and "A clip." in text
    assert '<img src="plot.svg" alt="Plot">' in text and "plot.png" not in text
    assert '<img src="chart.svg" alt="">' in text


def test_every_heading_of_a_w3c_page_is_a_pdf_bookmark(tmp_path: Path) -> None:
    """The WoT Thing Description's ``<h6>Subprotocols</h6>`` five sections deep: the Typst PDF's outline stopped
    at the fourth level (four headings of the page had no bookmark, WeasyPrint's PDF had them all)."""
    fitz = need("pymupdf")
    for engine in ("typst", "weasyprint"):
        pdf = convert(FIXTURES / "w3c-wot-subprotocols" / "index.html", tmp_path / engine, ["pdf"],
                      pdf_engine=engine)["pdf"]
        with fitz.open(str(pdf)) as doc:
            toc = [(level, title) for level, title, _ in doc.get_toc()]
        assert toc == [(1, "TD Context Extensions"), (2, "Bindings"), (3, "Binding Mechanisms"),
                       (4, "Protocol Bindings"), (5, "Subprotocols")], (engine, toc)


# ---------------------------------------------------------------------------------------------- TEI headings


def test_a_heading_in_a_block_quote_is_a_tei_head(tmp_path: Path) -> None:
    """ddia (Traditional Chinese): ``> #### 列式儲存和列族`` opens a quoted sidebar. TEI has no ``head`` in a
    ``quote`` and docpipe wrote an ``ab`` no TEI reader takes for a heading; it is now a ``floatingText`` whose
    division has the head, and reading the TEI back gives the same heading in the same quotation."""
    outputs = convert(FIXTURES / "ddia-v1-tw-ch3-quote-heading.md", tmp_path / "out", ["tei", "html"])
    tei = tei_of(outputs["tei"])
    quote = tei.find(".//t:body//t:quote", NS)
    assert quote is not None
    head = quote.find("t:floatingText/t:body/t:div/t:head", NS)
    assert head is not None and "".join(head.itertext()) == "列式儲存和列族"
    assert quote.find("t:floatingText/t:body/t:div/t:p", NS) is not None
    assert not tei.xpath("//t:ab[@type='docpipe-heading']", namespaces=NS)
    again = convert(outputs["tei"], tmp_path / "again", ["html"])["html"].read_text(encoding="utf-8")
    first = outputs["html"].read_text(encoding="utf-8")
    quoted = re.compile(r"<blockquote><h(\d)[^>]*>列式儲存和列族</h\1><p>(<span[^>]*>)?Cassandra")
    assert quoted.search(first) and quoted.search(again)


def test_day_headings_in_the_cells_of_a_word_template_are_tei_heads(tmp_path: Path) -> None:
    """Open-Xml-PowerTools' five-day tour plan (Chinese): each day's ``Heading 1`` paragraphs stand in a table
    cell (14 of them, four empty). TEI had none as a head; every one now is, the table and its cells kept."""
    outputs = convert(FIXTURES / "oxpt-HC001-5DayTourPlanTemplate.docx", tmp_path / "out", ["tei", "docx", "epub"])
    tei = tei_of(outputs["tei"])
    heads = tei.findall(".//t:body//t:table//t:cell/t:floatingText/t:body/t:div/t:head", NS)
    assert len(heads) == 14
    assert ["".join(h.itertext()).replace(" ", "") for h in heads[:2]] == ["第", "1天"]
    assert len(tei.findall(".//t:body//t:table", NS)) == 1


# ------------------------------------------------------------------------------------ Word: English with CJK


def pdf_spans(pdf: Path) -> list[tuple[str, str]]:
    """(font, text) of every span of the PDF."""
    fitz = need("pymupdf")
    spans = []
    with fitz.open(str(pdf)) as doc:
        for page in doc:
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    spans += [(s["font"], s["text"]) for s in line["spans"] if s["text"].strip()]
    return spans


def test_an_english_word_document_with_a_chinese_paragraph_stays_english(tmp_path: Path) -> None:
    """node-word-extractor's test11.docx: a Chinese paragraph first, an English one after, the document
    ``en-CA``: every edition stays English (HTML and EPUB language, contents title), the Chinese paragraph is
    tagged and set in a CJK face, the English never is."""
    outputs = convert(FIXTURES / "nwe-test11.docx", tmp_path / "out")
    html = outputs["html"].read_text(encoding="utf-8")
    assert re.search(r'<html[^>]* lang="en-CA"', html)
    assert re.search(r'<p[^>]* lang="zh-Hans"[^>]*>这是一个用来测试', html)
    with zipfile.ZipFile(outputs["epub"]) as z:
        opf = next(z.read(n).decode() for n in z.namelist() if n.endswith(".opf"))
        nav = next(z.read(n).decode() for n in z.namelist() if n.endswith("nav.xhtml"))
    assert "<dc:language>en-CA</dc:language>" in opf
    assert "目录" not in nav and "目錄" not in nav
    spans = pdf_spans(outputs["pdf"])
    english = [f for f, t in spans if "parsing the Word file" in t]
    chinese = [f for f, t in spans if "测试" in t]
    assert english and all("CJK" not in f for f in english), spans
    assert chinese and all("CJK" in f for f in chinese), spans
    assert tei_of(outputs["tei"]).get("{http://www.w3.org/XML/1998/namespace}lang") == "en-CA"
    # DOCX: the document's language is en-CA, and the Chinese run names its CJK face (the default East Asian face
    # is the Latin one, which Word would replace with a face of its own choosing)
    with zipfile.ZipFile(outputs["docx"]) as z:
        styles, body = z.read("word/styles.xml").decode(), z.read("word/document.xml").decode()
    assert re.search(r'<w:rPrDefault><w:rPr>.*?<w:lang w:val="en-CA"', styles)
    run = re.search(r"<w:r><w:rPr>(.*?)</w:rPr><w:t[^>]*>这是一个用来测试", body)
    assert run and re.search(r'<w:rFonts w:eastAsia="Noto Serif CJK SC"/>', run.group(1)), run
    english = re.search(r"<w:r>(?:(?!</w:r>).)*parsing the Word file", body)
    assert english and "CJK" not in english.group(0)


def test_a_japanese_line_of_an_english_word_document_is_not_set_in_the_fallback_face(tmp_path: Path) -> None:
    """Apache Tika's testWORD_various.docx (English, a line of Japanese, one of Gothic): the full-width ＧＨＱ
    went to the ``[fallback]`` face HanaMin, which the family list then put before the CJK face, and the whole
    Japanese line was set in it. Full-width Latin goes with the CJK face; the fallback faces come after."""
    outputs = convert(FIXTURES / "tika-testWORD_various.docx", tmp_path / "out", ["pdf"], pdf_engine="weasyprint")
    spans = pdf_spans(outputs["pdf"])
    japanese = [f for f, t in spans if "ゾルゲ" in t or "ＧＨＱ" in t]
    gothic = [f for f, t in spans if "𐌲" in t]
    assert japanese and all("CJK" in f and "HanaMin" not in f for f in japanese), spans
    assert gothic and all("Gothic" in f for f in gothic), spans
    assert [f for f, t in spans if "Here is a list" in t] == ["Noto-Serif"]


def test_the_fallback_faces_follow_the_cjk_face_in_a_latin_edition() -> None:
    latin = family_list("en-GB", "serif", None, ["HanaMinA", "Noto Serif CJK TC"])
    assert latin.index('"Noto Serif CJK TC"') < latin.index('"HanaMinA"')
    chinese = family_list("zh-Hant", "serif", None, ["HanaMinA", "Noto Serif"])
    assert chinese.startswith('"Noto Serif CJK TC", "HanaMinA"')  # a CJK edition: Extension B to HanaMin first


def test_superscript_subscript_strikeout_and_underline_are_shown(tmp_path: Path) -> None:
    """testWORD_various's run of ``superscript``, ``subscript``, ``strikethrough`` and ``underline`` (pandoc's
    Superscript…, spans of those classes in the IR) came out as plain text in DOCX, HTML, EPUB and both PDFs (a
    W3C page's 2<sup>31</sup> read "231"): each is now a run property, a style rule, a Typst function."""
    src = FIXTURES / "tika-testWORD_various.docx"
    outputs = convert(src, tmp_path / "out", ["docx", "html", "epub"])
    with zipfile.ZipFile(outputs["docx"]) as z:
        body = z.read("word/document.xml").decode()
    for prop, word in (('<w:vertAlign w:val="superscript"/>', "superscript"), ("<w:strike/>", "strikethrough"),
                       ('<w:vertAlign w:val="subscript"/>', "subscript ")):
        assert re.search(f"<w:rPr>(?:<w:[^>]*/>)*{re.escape(prop)}(?:<w:[^>]*/>)*</w:rPr><w:t[^>]*>{word}<", body), word
    html = outputs["html"].read_text(encoding="utf-8")
    assert '<span class="superscript">superscript</span>' in html
    assert re.search(r"span\.superscript \{ vertical-align: super;", html)
    with zipfile.ZipFile(outputs["epub"]) as z:
        css = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".css"))
    assert "span.strikeout { text-decoration: line-through; }" in css
    for engine in ("typst", "weasyprint"):
        pdf = convert(src, tmp_path / engine, ["pdf"], pdf_engine=engine)["pdf"]
        fitz = need("pymupdf")
        with fitz.open(str(pdf)) as doc:
            sizes = {s["text"].strip(): s["size"] for b in doc[0].get_text("dict")["blocks"]
                     for line in b.get("lines", []) for s in line["spans"] if s["text"].strip()}
        small = (sizes["superscript"], sizes["subscript strikethrough"])
        assert max(small) < sizes["Bold"], (engine, sizes)
