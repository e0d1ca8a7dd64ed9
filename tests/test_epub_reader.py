"""EPUB and HTML readers keep what pandoc's reading loses (issue 26, found on DAISY's accessibility test books).

- A spine item marked ``linear="no"`` (end-of-book descriptions other pages link to) is read after the linear
  spine, reported (``spine-nonlinear``), and the links to it and back from it resolve in every output.
- An id several files of one EPUB use (every DAISY test page's ``s1``, ``image3-extended-desc``) stays apart per
  file, so each link reaches its own file's element.
- Blocks inside a ``<figcaption>`` or table ``<caption>`` other than its text (headings, tables, a description)
  follow the figure or table, in order (``caption-blocks-moved``), instead of being dropped.
- A ``<section id>`` (or a ``<div id>``) unwrapped by the reader gives its id to its first heading, so a link to
  the section resolves.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import block_text, iter_blocks, plain

from .epubcheck_run import epubcheck
from .test_epub import NS


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _page(title: str, body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">'
            f"<head><title>{title}</title></head><body>{body}</body></html>").encode()


def _epub(pages: dict[str, bytes], spine: list[tuple[str, bool]]) -> bytes:
    """An EPUB 3 of ``pages`` (names under ``EPUB/Text/``) read in ``spine`` order, each ``(name, linear)``."""
    items = "".join(f'<item id="i{n}" href="Text/{name}" media-type="application/xhtml+xml"/>'
                    for n, name in enumerate(pages))
    ids = {name: f"i{n}" for n, name in enumerate(pages)}
    refs = "".join(f'<itemref idref="{ids[name]}"' + ("" if linear else ' linear="no"') + "/>"
                   for name, linear in spine)
    nav = _page("Contents", '<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>'
                + "".join(f'<li><a href="{name}">{name}</a></li>' for name, _ in spine) + "</ol></nav>")
    opf = (f'<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           f'unique-identifier="uid"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title>'
           f'<dc:identifier id="uid">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>'
           f'<dc:language>en</dc:language><meta property="dcterms:modified">2020-01-01T00:00:00Z</meta></metadata>'
           f'<manifest><item id="nav" href="Text/nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
           f'{items}<item id="png" href="Images/p.png" media-type="image/png"/></manifest>'
           f"<spine>{refs}</spine></package>").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                   'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
                   'full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("EPUB/package.opf", opf)
        z.writestr("EPUB/Text/nav.xhtml", nav)
        z.writestr("EPUB/Images/p.png", _png())
        for name, data in pages.items():
            z.writestr(f"EPUB/Text/{name}", data)
    return buf.getvalue()


def _xhtml_links(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """Every internal ``(file, href)`` link of an EPUB's content documents."""
    docs = {n: etree.fromstring(d) for n, d in files.items() if n.endswith(".xhtml")}
    return [(n, h) for n, root in docs.items() for h in root.xpath("//x:a/@href", namespaces=NS)
            if "#" in h and not h.startswith(("http:", "https:", "mailto:"))]


def _target(files: dict[str, bytes], name: str, href: str) -> etree._Element:
    """The element an internal link of an EPUB's content document reaches."""
    file, _, frag = href.partition("#")
    target = f"{name.rsplit('/', 1)[0]}/{file}" if file else name
    (el,) = etree.fromstring(files[target]).xpath("//*[@id=$i]", i=frag)
    assert isinstance(el, etree._Element)
    return el


# --------------------------------------------------------------------------------- non-linear spine items
CHAPTER = _page("One", '<h1 id="s1">Chapter one</h1><p>A chart.</p>'
                '<p><a id="chart-link" href="descriptions.xhtml#chart-desc">Follow for the description</a></p>')
AFTER = _page("Two", '<h1 id="s1">Chapter two</h1><p>The second chapter.</p>'
              '<p><a href="descriptions.xhtml#other-desc">Another description</a></p>')
DESCRIPTIONS = _page("Descriptions", '<h1>Descriptions</h1>'
                     '<div id="chart-desc" class="desc"><h2>Description of the chart</h2><p>Bars rise.</p>'
                     '<p><a href="one.xhtml#chart-link">Back to the chart</a></p></div>'
                     '<div id="other-desc" class="desc"><p>Another picture, described.</p></div>')


def _book(tmp: Path) -> Path:
    path = tmp / "book.epub"
    # the descriptions sit between the chapters in the spine, as pop-up notes may; they are read at the end
    path.write_bytes(_epub({"one.xhtml": CHAPTER, "descriptions.xhtml": DESCRIPTIONS, "two.xhtml": AFTER},
                           [("one.xhtml", True), ("descriptions.xhtml", False), ("two.xhtml", True)]))
    return path


def test_nonlinear_spine_items_are_read_after_the_linear_ones(tmp_path: Path) -> None:
    diag = Diagnostics()
    doc = pipeline.read(_book(tmp_path), Options(), diag)
    headings = [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)]
    assert headings == ["Chapter one", "Chapter two", "Descriptions", "Description of the chart"]
    assert "Bars rise." in [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para)]
    (note,) = [d for d in diag.items if d.code == "spine-nonlinear"]
    assert "1 non-linear spine item(s) (EPUB/Text/descriptions.xhtml)" in note.message
    assert "end the document" in note.message
    # links both ways name what the book holds
    done = pipeline.transform(doc, Options(), diag)
    assert not [d for d in diag.items if d.code == "link-unresolved"], diag.items
    targets = [n.target for b in iter_blocks(done.blocks) if isinstance(b, ir.Para) for n in b.children
               if isinstance(n, ir.Link)]
    ids = {getattr(b, "id", None) for b in iter_blocks(done.blocks)}
    assert len(targets) == 3 and all(t[1:] in ids for t in targets), (targets, ids)


def test_nonlinear_spine_items_in_the_epub_edition_epubcheck_clean(tmp_path: Path) -> None:
    out = pipeline.convert(_book(tmp_path), ["epub"], tmp_path / "out", Options(source_date_epoch=0), name="b")
    with zipfile.ZipFile(out.outputs["epub"]) as z:
        files = {n: z.read(n) for n in z.namelist()}
    # every link reaches one element (_target unpacks exactly one)
    reached = {plain_text(_target(files, name, href))[:24] for name, href in _xhtml_links(files)}
    assert {"Another picture, describ", "Description of the chart", "Follow for the descripti"} <= reached, reached
    r = epubcheck(out.outputs["epub"])
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in r.stdout, r.stdout[-3000:]
    assert "RSC-012" not in r.stdout


def plain_text(el: etree._Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def test_ids_shared_by_several_files_stay_apart(tmp_path: Path) -> None:
    """Both chapters' headings are ``s1`` and both link to their own ``#s1`` (a DAISY test page's pattern)."""
    one = _page("One", '<h1 id="s1">First</h1><p><a href="#s1">top of one</a></p>')
    two = _page("Two", '<h1 id="s1">Second</h1><p><a href="#s1">top of two</a></p>'
                '<p><a href="one.xhtml#s1">back to one</a></p>')
    path = tmp_path / "s.epub"
    path.write_bytes(_epub({"one.xhtml": one, "two.xhtml": two}, [("one.xhtml", True), ("two.xhtml", True)]))
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(path, Options(), diag), Options(), diag)
    heading_ids = {plain(b.children): b.id for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)}
    links = {plain(n.children): n.target for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para)
             for n in b.children if isinstance(n, ir.Link)}
    assert links == {"top of one": f"#{heading_ids['First']}", "top of two": f"#{heading_ids['Second']}",
                     "back to one": f"#{heading_ids['First']}"}
    assert heading_ids["First"] != heading_ids["Second"]
    assert not [d for d in diag.items if d.code in ("duplicate-id", "link-unresolved")]


# --------------------------------------------------------------------------------- captions holding blocks
FIGURE = """<html><body>
<figure id="chart"><img src="p.png" alt="A chart"/>
<figcaption>Visitors in 2014
  <h3>Data</h3>
  <table><tr><th>Month</th><th>Visitors</th></tr><tr><td>Jan</td><td>135</td></tr></table>
  <p>Source: the site's logs.</p>
</figcaption></figure>
<p>After the figure.</p>
</body></html>"""


def test_figcaption_headings_and_tables_follow_the_figure(tmp_path: Path) -> None:
    (tmp_path / "p.png").write_bytes(_png())
    src = tmp_path / "page.html"
    src.write_text(FIGURE, encoding="utf-8")
    diag = Diagnostics()
    doc = pipeline.read(src, Options(), diag)
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Figure", "Heading", "Table", "Para"], kinds
    figure, heading, table, _after = doc.blocks
    assert isinstance(figure, ir.Figure) and isinstance(heading, ir.Heading) and isinstance(table, ir.Table)
    # the caption keeps its text (its paragraphs), the heading and the table follow in their order
    assert plain(figure.caption).split() == "Visitors in 2014 Source: the site's logs.".split()
    assert plain(heading.children) == "Data"
    assert [[block_text(c.blocks) for c in row] for row in table.rows] == [["Month", "Visitors"], ["Jan", "135"]]
    (moved,) = [d for d in diag.items if d.code == "caption-blocks-moved"]
    assert moved.message.startswith("2 block(s)") and "1 caption(s)" in moved.message
    out = pipeline.convert(src, ["html"], tmp_path / "out", Options(source_date_epoch=0), name="p")
    root = etree.parse(str(out.outputs["html"]), etree.HTMLParser()).getroot()
    body = [el for el in root.iter("figure", "h1", "h2", "h3", "h4", "table")]
    assert [str(el.tag)[0] for el in body][-3:] == ["f", "h", "t"]  # the figure, the heading, the table
    assert plain_text(body[-2]) == "Data" and "135" in plain_text(body[-1])


def test_table_caption_blocks_follow_the_table(tmp_path: Path) -> None:
    src = tmp_path / "t.html"
    src.write_text("<html><body><table><caption>Prices<ul><li>in euros</li></ul></caption>"
                   "<tr><td>1</td></tr></table></body></html>", encoding="utf-8")
    diag = Diagnostics()
    doc = pipeline.read(src, Options(), diag)
    assert [type(b).__name__ for b in doc.blocks] == ["Table", "ListBlock"]
    table, items = doc.blocks
    assert isinstance(table, ir.Table) and plain(table.caption) == "Prices"
    assert "in euros" in plain(items.items[0].blocks[0].children)  # type: ignore[union-attr]
    assert [d.code for d in diag.items].count("caption-blocks-moved") == 1


# --------------------------------------------------------------------------------- a section's id
SECTIONS = """<html><body>
<section id="math-020" class="test"><h2>Support for MathML</h2><p>A test.</p></section>
<section id="named"><h2 id="own">Has its own id</h2></section>
<section id="listed"><ul><li>only a list</li></ul></section>
<p>See <a href="#math-020">math-020</a>, <a href="#named">named</a> and <a href="#listed">the list</a>.</p>
</body></html>"""


def test_a_sections_id_names_its_first_heading(tmp_path: Path) -> None:
    src = tmp_path / "s.html"
    src.write_text(SECTIONS, encoding="utf-8")
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(src, Options(), diag), Options(), diag)
    assert not [d for d in diag.items if d.code == "link-unresolved"], diag.items
    blocks = list(iter_blocks(doc.blocks))
    by_text = {plain(b.children): b for b in blocks if isinstance(b, ir.Heading)}
    links = {plain(n.children): n.target for b in blocks if isinstance(b, ir.Para) for n in b.children
             if isinstance(n, ir.Link)}
    math = by_text["Support for MathML"]
    assert math.id and links["math-020"] == f"#{math.id}"  # the heading's id (pandoc's HTML reader makes one)
    assert links["named"] == f"#{by_text['Has its own id'].id}" == "#own"
    (listed,) = [b for b in blocks if isinstance(b, ir.Div) and b.id == "listed"]
    assert isinstance(listed.blocks[0], ir.ListBlock) and links["the list"] == "#listed"
    out = pipeline.convert(src, ["html"], tmp_path / "out", Options(source_date_epoch=0), name="s")
    root = etree.parse(str(out.outputs["html"]), etree.HTMLParser()).getroot()
    (h,) = root.xpath("//*[@id=$i]", i=math.id)
    assert str(h.tag).startswith("h") and plain_text(h) == "Support for MathML"
    assert [plain_text(a) for a in root.xpath("//a[@href=$h]", h=f"#{math.id}")] == ["math-020"]

