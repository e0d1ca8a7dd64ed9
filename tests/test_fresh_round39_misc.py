"""What the fresh corpus of round 39, miscellaneous sources (22 documents from 9 projects never used before:
EPUB test books, LibreOffice/OpenOffice ODT, Dive Into HTML5, MkDocs-Material and hello-algo Markdown, js-primer
in Japanese, translated READMEs in Arabic, Hebrew, Hindi and Thai; /work/fresh39-misc on the machine that measured
it) found, each as the smallest input that showed it, cut from the real file (tests/fixtures/fresh39misc/
PROVENANCE.md)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pipeline
from pipeline import ir
from pipeline.cjk.script import unspaced_language
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.pandoc.html5 import implied_head, prepare
from pipeline.readers.pandoc.odf import odf_languages
from pipeline.walk import plain

from .epubcheck_run import epubcheck

FIXTURES = Path(__file__).parent / "fixtures" / "fresh39misc"


def test_an_odt_document_takes_the_language_its_default_style_declares() -> None:
    """LibreOffice writes the document's language on the default paragraph style (``fo:language="en"
    fo:country="GB"``) and none in ``meta.xml``; pandoc reads neither, so every ODT came out ``und``."""
    data = (FIXTURES / "libreoffice-odt-1.3.odt").read_bytes()
    assert odf_languages(data)["latin"] == "en-GB"
    diag = Diagnostics()
    doc = pipeline.read(FIXTURES / "libreoffice-odt-1.3.odt", Options(), diag=diag)
    assert doc.metadata.language == "en-GB"
    assert any("OpenDocument file" in d.message for d in diag.items)
    assert pipeline.read(FIXTURES / "odfreport-text.odt", Options()).metadata.language == "pt-BR"


def test_odf_languages_leave_out_no_language_and_a_broken_package() -> None:
    assert odf_languages(b"not a zip") == {}


def test_an_epub_with_two_languages_keeps_its_first_one(tmp_path: Path) -> None:
    """VersOne's typical EPUB 3 declares ``en`` then ``is``; pandoc lists them last first and the book came out
    Icelandic. Its OPF is also rewritten (a non-linear spine item), which must not break reading it again."""
    src = FIXTURES / "versone-typical-epub3.epub"
    assert pipeline.read(src, Options()).metadata.language == "en"
    out = pipeline.convert(src, ["epub"], tmp_path / "out", Options(source_date_epoch=0)).outputs["epub"]
    with zipfile.ZipFile(out) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        assert "<dc:language>en</dc:language>" in z.read(opf).decode()


def test_a_japanese_page_is_japanese_and_its_kanji_cells_are_not_chinese(tmp_path: Path) -> None:
    """js-primer's Array-like column: no language declared; docpipe named no language for the page (``und``) and
    tagged the table's kanji-only cells (機能, 配列) Chinese (``zh-Hant``, ``zh``), so the PDF set them in
    Traditional Chinese glyphs."""
    src = FIXTURES / "jsprimer-array-like.md"
    out = pipeline.convert(src, ["epub"], tmp_path / "out", Options(source_date_epoch=0)).outputs["epub"]
    with zipfile.ZipFile(out) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        assert "<dc:language>ja</dc:language>" in z.read(opf).decode()
        pages = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert 'lang="zh' not in pages
    assert "機能" in pages


def test_unspaced_language_names_japanese_korean_and_thai_only_when_they_carry_the_text() -> None:
    assert unspaced_language("配列のように扱えるが配列ではないオブジェクト") == "ja"
    assert unspaced_language("이 문서는 한국어로 쓰였습니다. A few English words") == "ko"
    assert unspaced_language("ภาษาไทยเขียนติดกันโดยไม่เว้นวรรค") == "th"
    assert unspaced_language("中文文档引用了一个日本名字「さくら」以及更多的中文内容和说明文字") is None
    assert unspaced_language("An English page that names 東京 and ソニー once") is None
    assert unspaced_language("") is None


def test_an_untitled_calibre_book_gets_a_title_and_its_svg_title_page_is_its_cover(tmp_path: Path) -> None:
    """calibre 0.9 wrote ``<dc:title> </dc:title>`` and a title page that frames the cover in an SVG
    (``<svg><image xlink:href="cover_image.jpg"/></svg>``). The blank title became the nav's heading, link and
    ``<title>`` and a blank ``dc:description`` (6 EPUBCheck errors); the SVG came out as its markup in a code block.
    Now the title is the file's name, the SVG is the cover picture, shown once."""
    src = FIXTURES / "calibre-lorem-ipsum.epub"
    diag = Diagnostics()
    doc = pipeline.read(src, Options(), diag=diag)
    assert doc.metadata.title is None
    figures = [b for b in doc.blocks if isinstance(b, ir.Figure)]
    assert len(figures) == 1
    assert not any(isinstance(b, ir.CodeBlock) and "<svg" in b.text for b in doc.blocks)
    out = pipeline.convert(src, ["epub"], tmp_path / "out", Options(source_date_epoch=0)).outputs["epub"]
    with zipfile.ZipFile(out) as z:
        opf = z.read(next(n for n in z.namelist() if n.endswith(".opf"))).decode()
        nav = z.read(next(n for n in z.namelist() if n.endswith("nav.xhtml"))).decode()
    assert "<dc:title> </dc:title>" not in opf and "<dc:description> </dc:description>" not in opf
    assert "<title> </title>" not in nav and "<h2> </h2>" not in nav
    r = epubcheck(out, "-q")
    assert not [ln for ln in r.stdout.splitlines() if re.match(r"(ERROR|FATAL)", ln)], r.stdout


def test_an_svg_that_frames_no_single_picture_is_left_alone() -> None:
    page = ('<html xmlns="http://www.w3.org/1999/xhtml"><body><svg xmlns="http://www.w3.org/2000/svg" '
            'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="a.jpg"/><circle r="3"/></svg>'
            '<div><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<title>The cover</title><image xlink:href="b.jpg"/></svg></div></body></html>')
    text, counts = prepare(page, xml=True)
    assert counts.svg_pictures == 1
    assert '<img src="b.jpg" alt="The cover"/>' in text
    assert 'xlink:href="a.jpg"' in text


def test_a_page_whose_head_is_implied_keeps_its_title() -> None:
    """Dive Into HTML5 writes ``<!DOCTYPE html><meta charset="utf-8"><title>…</title>`` and no ``<head>`` or
    ``<body>`` tag, as HTML5 allows; pandoc reads a title only inside an explicit head, so the page was untitled
    (its EPUB took the first heading, a line break and all). The text is read as before."""
    doc = pipeline.read(FIXTURES / "dih5-semantics-head.html", Options())
    assert doc.metadata.title == "Semantics - Dive Into HTML5"
    headings = [b for b in doc.blocks if isinstance(b, ir.Heading)]
    assert "What Does It All Mean?" in "".join(n.text for n in headings[0].children if isinstance(n, ir.Text))
    assert implied_head("<p>No title</p>") == "<p>No title</p>"
    explicit = "<html><head><title>T</title></head><body><p>x</p></body></html>"
    assert implied_head(explicit) == explicit
    assert implied_head("<!DOCTYPE html>\n<title>T</title>\n<p>x") == \
        "<!DOCTYPE html>\n<head><title>T</title></head><body>\n<p>x"


def test_a_tab_title_loses_the_icon_shortcode_no_output_can_show() -> None:
    """MkDocs-Material's own docs title content tabs ``=== ":octicons-file-code-16: `mkdocs.yml`"``: the icon
    shortcode came out as those words before the file name in every output."""
    doc = pipeline.read(FIXTURES / "mkdm-analytics-tabs.md", Options())
    boxes = [b for b in doc.blocks if isinstance(b, ir.Box)]
    titles = [plain(b.title) for b in boxes]
    assert titles == ["overrides/partials/integrations/analytics/custom.html", "mkdocs.yml"]
    assert all(any(isinstance(x, ir.CodeBlock) for x in b.blocks) for b in boxes)


def test_code_on_a_japanese_page_is_set_in_the_japanese_monospace_face(tmp_path: Path) -> None:
    """The comments of js-primer's code (``// 配列ではないため…``) were set in Noto Sans Mono CJK TC, Traditional
    Chinese glyph forms, on a page whose text is set in Noto Serif CJK JP."""
    import pymupdf

    src = FIXTURES / "jsprimer-array-like.md"
    out = pipeline.convert(src, ["pdf"], tmp_path / "out", Options(source_date_epoch=0)).outputs["pdf"]
    with pymupdf.open(out) as pdf:
        fonts = {f[3] for page in pdf for f in page.get_fonts()}
    assert any("Mono" in f and "CJK" in f and "JP" in f for f in fonts), fonts
    assert not any("Mono" in f and "CJK" in f and "TC" in f for f in fonts), fonts
