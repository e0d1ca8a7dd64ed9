"""What the fresh corpus of round 37 (38 documents from 20 projects never used before, /work/fresh37 on the
machine that measured it) found, each as the smallest input that showed it: TEI headers and attributes other
projects write, and inline SVG as web pages write it. Inputs are written here; every output is validated."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from tests.epubcheck_run import epubcheck
from tests.tei_validate import jing

from .conftest import require
from .tei_validate import RNG, jing_path

NS = {"t": "http://www.tei-c.org/ns/1.0"}
SVG = "http://www.w3.org/2000/svg"


def to_tei(tmp_path: Path, source: str) -> tuple[etree._Element, list[str]]:
    src = tmp_path / "in.xml"
    src.write_text(source, encoding="utf-8")
    diag = Diagnostics()
    out = pipeline.convert(src, ["tei"], tmp_path / "out", Options(source_date_epoch=0), diag=diag).outputs["tei"]
    require(RNG.is_file() and jing_path() is not None, "jing and the TEI schema")
    assert not jing([out]), jing([out])
    return etree.parse(str(out)).getroot(), [f"[{d.code}] {d.message}" for d in diag.items]


def test_an_empty_tei_header_gets_the_file_description_tei_requires(tmp_path: Path) -> None:
    """ksanaforge/cbeta2014's sample: ``<teiHeader></teiHeader>`` made an invalid TEI (no fileDesc)."""
    root, messages = to_tei(tmp_path, '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader></teiHeader>'
                                      "<text><body><p>Text.</p></body></text></TEI>")
    assert root.find("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS) is not None
    assert any("no fileDesc" in m for m in messages), messages


def test_from_and_to_are_padded_only_where_they_are_dates(tmp_path: Path) -> None:
    """``@from``/``@to`` of a date with a three-digit year take the W3C form (``0800``); those of a page range,
    a folio range or an apparatus entry (pointers, numbers) stay as written (``12`` had become ``0012``)."""
    root, _ = to_tei(tmp_path, """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>
<title>t</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><bibl><title>Book</title>
<biblScope unit="page" from="12" to="15"/></bibl><msDesc><msIdentifier><idno>X</idno></msIdentifier><msContents>
<msItem><locus from="3" to="7">3-7</locus><title>Work</title></msItem></msContents></msDesc></sourceDesc>
</fileDesc></teiHeader>
<text><body><p>Born <date from="800" to="850">in the ninth century</date>.</p></body></text></TEI>""")
    scope = root.find(".//t:biblScope", NS)
    locus = root.find(".//t:locus", NS)
    date = root.find(".//t:text//t:date", NS)
    assert scope is not None and (scope.get("from"), scope.get("to")) == ("12", "15")
    assert locus is not None and (locus.get("from"), locus.get("to")) == ("3", "7")
    assert date is not None and (date.get("from"), date.get("to")) == ("0800", "0850")


def test_a_source_description_of_another_vocabulary_stays_valid(tmp_path: Path) -> None:
    """The van Gogh letters' ``sourceDesc`` holds only their own ``vg:letDesc``, moved out of it (TEI allows no
    other namespace there): the sourceDesc left empty, which TEI refuses, gets an empty paragraph."""
    root, _ = to_tei(tmp_path, """<TEI xmlns="http://www.tei-c.org/ns/1.0" xmlns:vg="http://www.vangoghletters.org/ns/">
<teiHeader><fileDesc><titleStmt><title>Letter 695</title></titleStmt><publicationStmt><p/></publicationStmt>
<sourceDesc><vg:letDesc><vg:letHeading><author>Vincent van Gogh</author><vg:addressee>Paul Gauguin</vg:addressee>
</vg:letHeading></vg:letDesc></sourceDesc></fileDesc></teiHeader><text><body><p>Mon cher Gauguin.</p></body>
</text></TEI>""")
    assert "Paul Gauguin" in "".join(root.find("t:teiHeader", NS).itertext())  # kept, elsewhere in the header


def svg_of(tmp_path: Path, body: str) -> tuple[list[etree._Element], list[str]]:
    """``body`` as an HTML page converted to EPUB (EPUBCheck-clean): the SVG pictures in the EPUB, and what
    the conversion said."""
    src = tmp_path / "in.html"
    src.write_text(f'<!DOCTYPE html><html lang="en"><head><title>SVG</title></head><body><h1>SVG</h1>{body}'
                   "<p>After.</p></body></html>", encoding="utf-8")
    diag = Diagnostics()
    epub = pipeline.convert(src, ["epub"], tmp_path / "out", Options(source_date_epoch=0), diag=diag).outputs["epub"]
    checked = epubcheck(epub)
    assert checked.returncode == 0 and "0 errors / 0 warnings" in checked.stdout, checked.stdout[-2000:]
    with zipfile.ZipFile(epub) as z:
        svgs = [etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".svg")]
    return svgs, [f"[{d.code}] {d.message}" for d in diag.items]


def test_inline_svg_with_an_undeclared_xlink_prefix_is_kept(tmp_path: Path) -> None:
    """HTML declares ``xlink:`` for an inline SVG; written out alone the SVG needs the declaration back (a W3C
    i18n article kept 11 of its 15 figures). The raster inside it is dropped by the SVG policy, and said."""
    svgs, messages = svg_of(tmp_path, '<svg width="200" height="100" xmlns="http://www.w3.org/2000/svg" '
                            'viewBox="0 0 200 100"><image xlink:href="red.png" x="0" y="0" width="40" height="20"/>'
                            '<text x="10" y="80">Basic Multilingual Plane</text></svg>')
    assert len(svgs) == 1 and "Basic Multilingual Plane" in "".join(svgs[0].itertext())
    assert not any("media-refused" in m for m in messages), messages


def test_inline_svg_names_folded_by_html_come_back(tmp_path: Path) -> None:
    """An HTML parser lower-cases an inline SVG's names (pandoc writes ``viewbox``, ``lineargradient``), which the
    sanitiser dropped as unknown: the drawing lost its scaling and its gradient."""
    svgs, _ = svg_of(tmp_path, '<svg width="100" height="50" viewBox="0 0 200 100" xmlns="http://www.w3.org/2000/svg">'
                     '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" '
                     'stop-color="blue"/></linearGradient></defs><rect x="0" y="0" width="200" height="100" '
                     'fill="url(#g)"/></svg>')
    assert len(svgs) == 1 and svgs[0].get("viewBox") == "0 0 200 100"
    assert svgs[0].find(f".//{{{SVG}}}linearGradient") is not None


def test_a_use_of_a_symbol_the_drawing_does_not_hold_is_dropped(tmp_path: Path) -> None:
    """W3C i18n's ``<use xlink:href="#arrowRight">`` points at a symbol another SVG of the page defines: alone,
    nothing to draw and an EPUBCheck error (RSC-012) — the reference is dropped, the drawing kept."""
    svgs, _ = svg_of(tmp_path, '<svg width="200" height="100" xmlns="http://www.w3.org/2000/svg" '
                     'viewBox="0 0 200 100"><use xlink:href="#arrowRight" x="155" y="25"></use>'
                     '<text x="10" y="80">Basic Multilingual Plane</text></svg>')
    assert len(svgs) == 1 and svgs[0].find(f".//{{{SVG}}}use") is None


def test_an_apparatus_entry_with_an_id_adds_no_paragraph_where_none_may_stand(tmp_path: Path) -> None:
    """DigitalLatin's Propertius: an ``app`` with an ``xml:id`` inside ``<l>`` (or a ``listApp`` of them) gave
    its line a ``<p xml:id>`` to carry the anchor id, which TEI forbids there (27 jing errors): the line, or the
    list, carries the id now."""
    header = ('<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt><publicationStmt><p/></publicationStmt>'
              '<sourceDesc><p/></sourceDesc></fileDesc></teiHeader>')
    root, _ = to_tei(tmp_path, f'<TEI xmlns="http://www.tei-c.org/ns/1.0">{header}<text><body><lg><l n="1">Saepe '
                     'ego <app xml:id="d1"><lem>dura</lem><rdg wit="#T">iura</rdg></app> timebam,</l><l n="2">hac '
                     'tamen excepta.</l></lg><listApp><app xml:id="app1"><lem>alpha</lem><rdg wit="#A">beta</rdg>'
                     '</app><app xml:id="app2"><lem>gamma</lem><rdg wit="#B">delta</rdg></app></listApp></body>'
                     '</text></TEI>')
    assert not root.findall(".//t:l/t:p", NS) and not root.findall(".//t:listApp/t:p", NS)
    assert [a.get("{http://www.w3.org/XML/1998/namespace}id") for a in root.iterfind(".//t:app", NS)] == [
        "d1", "app1", "app2"]


def test_a_nav_inside_the_content_is_kept_and_the_pages_own_is_said(tmp_path: Path) -> None:
    """W3C aria-practices' treeview example is a ``<nav>`` inside ``<main>``: every nav was left out, silently (92
    list items -> 61, 7 pictures -> 1). The page's own navigation is still left out, and now said; a nav inside
    the content is content."""
    src = tmp_path / "tree.html"
    src.write_text('<!DOCTYPE html><html lang="en"><head><title>Tree</title></head><body><nav><a href="/">Site home'
                   '</a></nav><main><h1>Treeview</h1><p>The example below.</p><nav aria-label="University"><ul>'
                   '<li>About<ul><li>Facts</li></ul></li><li>Admissions</li></ul></nav><p>After.</p></main></body>'
                   '</html>', encoding="utf-8")
    diag = Diagnostics()
    out = pipeline.convert(src, ["html"], tmp_path / "out", Options(source_date_epoch=0), diag=diag).outputs["html"]
    html = etree.parse(str(out), etree.HTMLParser()).getroot()
    items = ["".join(li.itertext()).split("\n")[0] for li in html.iter("li")]
    assert [i for i in items if i.startswith(("About", "Facts", "Admissions"))] == ["AboutFacts", "Facts",
                                                                                    "Admissions"]
    assert "Site home" not in "".join(html.itertext())
    said = [d.message for d in diag.items if d.code == "removed-furniture"]
    assert any("1 navigation element(s)" in m for m in said) and any("1 <nav> inside the content" in m for m in said)
