"""TEI as archives have it: CBETA's P5a without the TEI namespace, critical editions (``app``/``lem``/``rdg`` with
``wit``) kept on TEI -> TEI and shown as a numbered apparatus criticus in every other format."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pymupdf
import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.tei import read
from pipeline.teivocab import APPARATUS_NOTE
from pipeline.walk import iter_blocks as iter_all
from pipeline.walk import plain as plain_text

from .conftest import require
from .tei_validate import jing_path, saxon_available, validate

FIXTURES = Path(__file__).parent / "fixtures" / "tei"
CBETA = FIXTURES / "cbeta-p5a-nons-T13n0419.xml"
PTA = FIXTURES / "pta-pta0001.pta030.pta-grc1.xml"
TEI = "http://www.tei-c.org/ns/1.0"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
KEPT = ("p", "lb", "pb", "app", "lem", "rdg", "note", "g", "lg", "l", "head")


def _tei(root: etree._Element) -> etree._Element:
    """``root`` with its unqualified elements in the TEI namespace (what the counts compare)."""
    for el in root.iter("*"):
        if etree.QName(el).namespace is None:
            el.tag = f"{{{TEI}}}{etree.QName(el).localname}"
    return root


def _count(root: etree._Element, part: str = "text") -> dict[str, int]:
    scope = next(root.iter(f"{{{TEI}}}{part}"))
    return {name: sum(1 for _ in scope.iter(f"{{{TEI}}}{name}")) for name in KEPT}


def _doc(path: Path, diag: Diagnostics | None = None) -> ir.Document:
    return read(path.read_bytes(), Options(base_dir=str(path.parent)), diag or Diagnostics(), name=path.name)


def _tei_out(path: Path, tmp_path: Path) -> Path:
    """The whole pipeline (reader, transforms, TEI writer), as ``docpipe convert --to tei``."""
    result = pipeline.convert(path, ["tei"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics())
    return Path(result.outputs["tei"])


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _readings(path: Path) -> list[str]:
    """The text of every ``rdg`` of the source (whitespace removed), empty ones left out."""
    root = _tei(etree.fromstring(path.read_bytes(), PARSER))
    return [t for t in (_squash("".join(r.itertext())) for r in root.iter(f"{{{TEI}}}rdg")) if t]


# ---------------------------------------------------------------------------------------------- CBETA without ns
def test_the_cbeta_fixture_really_has_no_tei_namespace() -> None:
    root = etree.fromstring(CBETA.read_bytes(), PARSER)
    assert etree.QName(root).namespace is None and etree.QName(root).localname == "TEI"
    assert root.find("teiHeader") is not None
    assert root.nsmap.get("cb") == "http://www.cbeta.org/ns/1.0"


def test_cbeta_without_namespace_keeps_every_element_and_its_header(tmp_path: Path) -> None:
    src = _tei(etree.fromstring(CBETA.read_bytes(), PARSER))
    out = etree.parse(str(_tei_out(CBETA, tmp_path))).getroot()
    assert etree.QName(out).namespace == TEI
    before, after = _count(src), _count(out)
    assert before["lb"] == 394 and before["pb"] == 14 and before["app"] == 127 and before["note"] == 239
    assert after == before
    # the header: every element of the source's is still there, its availability word for word
    src_header, out_header = src.find(f"{{{TEI}}}teiHeader"), out.find(f"{{{TEI}}}teiHeader")
    assert src_header is not None and out_header is not None
    names = [etree.QName(e).localname for e in src_header.iter("*")]
    kept = [etree.QName(e).localname for e in out_header.iter("*")]
    assert all(kept.count(n) >= names.count(n) for n in set(names))
    availability = "".join(next(src_header.iter(f"{{{TEI}}}availability")).itertext()).strip()
    assert availability in "".join(next(out_header.iter(f"{{{TEI}}}availability")).itertext())
    # the cb: extensions are kept, as themselves or in @rend tokens of a valid element
    cb = sum(1 for e in src.iter("{http://www.cbeta.org/ns/1.0}*"))
    text = etree.tostring(out.find(f"{{{TEI}}}text"), encoding="unicode")
    assert cb and text.count("{http://www.cbeta.org/ns/1.0}") + text.count("<cb:") >= cb


def test_cbeta_without_namespace_reads_as_the_same_text_with_it() -> None:
    """The namespace moved: the IR is that of the same file with the TEI namespace declared."""
    with_ns = CBETA.read_bytes().replace(b'<TEI xmlns:cb="http://www.cbeta.org/ns/1.0"',
                                         b'<TEI xmlns="http://www.tei-c.org/ns/1.0" '
                                         b'xmlns:cb="http://www.cbeta.org/ns/1.0"', 1)
    assert with_ns != CBETA.read_bytes()
    diag = Diagnostics()
    a = _doc(CBETA, diag)
    b = read(with_ns, Options(base_dir=str(FIXTURES)), Diagnostics(), name=CBETA.name)
    assert a.blocks == b.blocks and a.notes == b.notes
    assert "text-repaired" in diag.counts()  # reported: the output is in the namespace the source lacked


def test_cbeta_tei_output_is_valid(tmp_path: Path) -> None:
    require(jing_path() is not None, "jing")
    require(saxon_available(), "saxonche (pip install saxonche)")
    out = _tei_out(CBETA, tmp_path)
    assert validate([out]).get(str(out), []) == []


# ------------------------------------------------------------------------------------------- critical edition
def test_the_edition_keeps_its_apparatus_on_tei(tmp_path: Path) -> None:
    src = etree.fromstring(PTA.read_bytes(), PARSER)
    out = etree.parse(str(_tei_out(PTA, tmp_path))).getroot()
    assert _count(out) == _count(src)
    wits = sorted(r.get("wit") or "" for r in src.iter(f"{{{TEI}}}rdg", f"{{{TEI}}}lem"))
    assert sorted(r.get("wit") or "" for r in out.iter(f"{{{TEI}}}rdg", f"{{{TEI}}}lem")) == wits
    # no apparatus note of docpipe's in TEI: the app is the apparatus
    assert not [n for n in out.iter(f"{{{TEI}}}note") if APPARATUS_NOTE in (n.get("{http://www.w3.org/XML/1998/"
                                                                                   "namespace}id") or "")]


def test_a_valid_edition_stays_valid(tmp_path: Path) -> None:
    require(jing_path() is not None, "jing")
    require(saxon_available(), "saxonche (pip install saxonche)")
    assert validate([PTA]).get(str(PTA), []) == []  # the source is valid (tei_all): so must the output be
    out = _tei_out(PTA, tmp_path)
    assert validate([out]).get(str(out), []) == []


def test_each_app_is_an_apparatus_entry_with_its_place_and_witnesses() -> None:
    doc = _doc(PTA)
    entries = [n for n in doc.notes if n.id.startswith(APPARATUS_NOTE)]
    assert len(entries) == 61
    assert [n.marker for n in entries] == [str(i) for i in range(1, 62)]  # the source has no notes: numbered
    text = "".join(t.text for b in entries[1].blocks for t in _texts(b))
    # <pb n="15"/> … <lem resp="#Papadopoulos-Kerameus" type="correction">εὐηγγελίζοντο</lem>
    #                <rdg wit="#S">εὐαγγελίζοντο</rdg>
    assert text == "15 εὐηγγελίζοντο Papadopoulos-Kerameus (correction)] εὐαγγελίζοντο S"
    first = "".join(t.text for b in entries[0].blocks for t in _texts(b))
    assert first.startswith("15 ") and "om." in first and "Τοῦ αὐτοῦ S" in first  # an empty lemma


def _texts(b: ir.Block) -> list[ir.Text]:
    from pipeline.walk import iter_inlines
    return [n for n in iter_inlines(b.children if isinstance(b, ir.Para) else ()) if isinstance(n, ir.Text)]


def test_every_reading_is_a_docx_footnote(tmp_path: Path) -> None:
    result = pipeline.convert(PTA, ["docx"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics())
    with zipfile.ZipFile(result.outputs["docx"]) as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    bodies = [n for n in notes.iter(f"{{{W}}}footnote") if n.get(f"{{{W}}}type") is None]
    assert len(bodies) == 61
    text = _squash("".join(notes.itertext()))
    readings = _readings(PTA)
    assert len(readings) == 59  # two rdg of 61 are empty (the lemma adds what the witness lacks): om.
    assert [r for r in readings if r not in text] == []


def test_every_reading_is_at_the_foot_of_a_pdf_page(tmp_path: Path) -> None:
    result = pipeline.convert(PTA, ["pdf"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics())
    pdf = pymupdf.open(result.outputs["pdf"])
    missing = list(_readings(PTA))
    for page in pdf:
        # the apparatus is the text below the body, in the smaller size of the footnote area
        sizes = [s["size"] for b in page.get_text("dict")["blocks"] for ln in b.get("lines", ()) for s in ln["spans"]]
        if not sizes:
            continue
        body = max(set(sizes), key=sizes.count)
        foot = _squash("".join(s["text"] for b in page.get_text("dict")["blocks"] for ln in b.get("lines", ())
                                for s in ln["spans"] if s["size"] < body - 0.5))
        missing = [r for r in missing if r not in foot]
    assert missing == []


def test_every_reading_is_an_epub_footnote(tmp_path: Path) -> None:
    result = pipeline.convert(PTA, ["epub"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics())
    with zipfile.ZipFile(result.outputs["epub"]) as z:
        pages = [etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")]
    asides = [a for p in pages for a in p.iter("{http://www.w3.org/1999/xhtml}aside")
              if (a.get("id") or "").startswith(APPARATUS_NOTE)]
    assert len(asides) == 61
    text = _squash("".join("".join(a.itertext()) for a in asides))
    assert [r for r in _readings(PTA) if r not in text] == []


def test_notes_beside_the_apparatus_keep_their_numbers_and_the_apparatus_is_lettered() -> None:
    doc = _doc(CBETA)
    entries = [n for n in doc.notes if n.id.startswith(APPARATUS_NOTE)]
    own = [n for n in doc.notes if not n.id.startswith(APPARATUS_NOTE)]
    src = _tei(etree.fromstring(CBETA.read_bytes(), PARSER))
    variants = [a for a in src.iter(f"{{{TEI}}}app") if a.find(f"{{{TEI}}}rdg") is not None]
    assert len(own) == 239 and len(entries) == len(variants) == 127
    assert entries[0].marker == "a" and entries[25].marker == "z" and entries[26].marker == "aa"
    # CBETA's line numbers (lb@n) say where each entry stands
    first = "".join(t.text for b in entries[0].blocks for t in _texts(b))
    assert re.match(r"09\d\d[abc]\d\d ", first), first


def test_an_undeclared_glyph_is_shown_as_a_geta_and_kept() -> None:
    diag = Diagnostics()
    doc = _doc(CBETA, diag)
    assert any("CB01153" in d.message for d in diag.items if d.code == "unsupported-content")
    data = pipeline.write(doc, "tei", Options(source_date_epoch=0))
    assert data.count(b'<g ref="#CB01153"/>') == 3
    html = pipeline.write(doc, "html", Options(source_date_epoch=0)).decode()
    assert html.count("〓") >= 3


def test_a_declared_glyph_shows_its_character_and_is_written_back_as_it_was() -> None:
    src = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>g</title></titleStmt>
<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc><encodingDesc><charDecl>
<char xml:id="CB00972"><charProp><localName>composition</localName><value>[自/幸]</value></charProp>
<charProp><localName>normalized form</localName><value>罪</value></charProp>
<mapping type="PUA">\U000f03cc</mapping></char></charDecl></encodingDesc></teiHeader>
<text><body><p>滅<g ref="#CB00972"/>業</p></body></text></TEI>""".encode()
    doc = read(src, Options(), Diagnostics(), name="g.xml")
    html = pipeline.write(doc, "html", Options(source_date_epoch=0)).decode()
    assert "滅" in html and "罪" in html and "業" in html
    tei = pipeline.write(doc, "tei", Options(source_date_epoch=0)).decode()
    assert '滅<g ref="#CB00972"/>業' in tei


def test_source_lines_and_pages_are_shown_where_the_edition_asks() -> None:
    doc = _doc(CBETA)
    src = _tei(etree.fromstring(CBETA.read_bytes(), PARSER))
    lines = [lb.get("n") for lb in src.iter(f"{{{TEI}}}lb") if lb.get("n")]
    pages = [pb.get("n") for pb in src.iter(f"{{{TEI}}}pb") if pb.get("n")]
    asked = Options(source_date_epoch=0, source_lines=True, source_pages=True)
    html = pipeline.write(doc, "html", asked).decode()
    assert [n for n in lines if f"|{n}|" not in html] == [] and [n for n in pages if f"[{n}]" not in html] == []
    assert "|0920a05|" not in pipeline.write(doc, "html", Options(source_date_epoch=0)).decode()
    with zipfile.ZipFile(io.BytesIO(pipeline.write(doc, "docx", asked))) as z:
        body = "".join(etree.fromstring(z.read("word/document.xml")).itertext())
    assert [n for n in lines if f"|{n}|" not in body] == [] and [n for n in pages if f"[{n}]" not in body] == []


@pytest.mark.parametrize("name", ["pta-pta0200.pta001.pta-syc3.xml", "cbeta-p5a-nons-T13n0419.xml"])
def test_editions_not_built_from_show_every_reading_in_docx_footnotes(name: str) -> None:
    path = FIXTURES / name
    doc = pipeline.transform(_doc(path), Options(source_date_epoch=0), Diagnostics())
    with zipfile.ZipFile(io.BytesIO(pipeline.write(doc, "docx", Options(source_date_epoch=0)))) as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    entries = [n for n in doc.notes if n.id.startswith(APPARATUS_NOTE)]
    src = _tei(etree.fromstring(path.read_bytes(), PARSER))
    assert len(entries) == sum(1 for a in src.iter(f"{{{TEI}}}app") if a.find(f"{{{TEI}}}rdg") is not None)
    text = _squash("".join(notes.itertext()))
    assert [r for r in _readings(path) if r not in text] == []


def test_a_head_inside_running_text_is_repaired_and_reported(tmp_path: Path) -> None:
    """CBETA's ``<ab><head>…</head>…</ab>`` (invalid in tei_all): written as ``<seg rend="tei-head">``, reported,
    and read back as the same head; the source's other errors are not made worse."""
    require(jing_path() is not None, "jing")
    require(saxon_available(), "saxonche (pip install saxonche)")
    src = tmp_path / "ab-head.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title>'
                   "</titleStmt><publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc>"
                   '</fileDesc></teiHeader><text><body><p>a</p><ab><head>標題</head>文<lb n="1"/>字</ab>'
                   "</body></text></TEI>", encoding="utf-8")
    assert validate([src]).get(str(src))  # invalid as it stands
    diag = Diagnostics()
    out = tmp_path / "out.xml"
    out.write_bytes(pipeline.write(read(src.read_bytes(), Options(), diag, name=src.name), "tei",
                                   Options(source_date_epoch=0), diag))
    assert validate([out]).get(str(out), []) == []
    assert any("head" in d.message for d in diag.items if d.code == "text-repaired")
    assert '<seg rend="tei-head">標題</seg>文<lb n="1"/>字' in out.read_text(encoding="utf-8")
    again = pipeline.write(read(out.read_bytes(), Options(), Diagnostics(), name="out.xml"), "tei",
                           Options(source_date_epoch=0))
    assert '<seg rend="tei-head">標題</seg>' in again.decode()


# ------------------------------------------------------------------------------------------- text in a div
TAF = FIXTURES / "cbeta-taf-X1317.xml"


def test_text_standing_in_a_div_is_paragraphs_around_its_blocks(tmp_path: Path) -> None:
    """CBETA's TAF form puts bare lines and ``lb`` straight into ``div``, around its ``head``, ``ab`` and inner
    ``div``s. Read as one paragraph (as before), the headings and every block became inline spans: now the
    blocks stay blocks and each stretch of text between them is a paragraph — and TEI gets the element back as it
    came as valid TEI (that text in ``<ab type="docpipe-mixed-text">``, blocks after a division in a division),
    every ``lb`` and ``pb`` kept, the text the same."""
    doc = _doc(TAF)
    heads = [plain_text(b.children) for b in iter_all(doc.blocks) if isinstance(b, ir.Heading)]
    assert heads == ["No. 1317-A"], heads  # (the other head stands inside an ab: repaired as before)
    paras = [_squash(plain_text(b.children)) for b in iter_all(doc.blocks) if isinstance(b, ir.Para)]
    assert len(paras) == 4, paras  # the abs and the stretches between them (it was one paragraph of it all)
    assert "續刊古尊宿語要目錄" in paras  # the juan's opening ab, a paragraph of its own
    src = _tei(etree.fromstring(TAF.read_bytes(), PARSER))
    out = etree.parse(str(_tei_out(TAF, tmp_path))).getroot()
    names = ("lb", "pb", "p")
    count = {n: sum(1 for _ in next(src.iter(f"{{{TEI}}}body")).iter(f"{{{TEI}}}{n}")) for n in names}
    assert count == {n: sum(1 for _ in next(out.iter(f"{{{TEI}}}body")).iter(f"{{{TEI}}}{n}")) for n in names}
    assert count["lb"] == 446 and count["p"] == 0
    # valid TEI: the text between blocks an ab of its own, the blocks after a division a division of their own
    # (each read back as what it was: tests/test_tei_foreign.py's second pass)
    mixed = sum(1 for b in iter_all(doc.blocks) if isinstance(b, ir.Div) and b.classes == ("tei-mixed-text",))
    assert mixed and len(out.findall(f".//{{{TEI}}}ab[@type='docpipe-mixed-text']")) == mixed
    assert out.findall(f".//{{{TEI}}}div[@type='docpipe-after-div']")
    assert _squash("".join(next(src.iter(f"{{{TEI}}}body")).itertext())) == \
        _squash("".join(next(out.iter(f"{{{TEI}}}body")).itertext()))
    # in the other formats: the headings as headings, the stretches as paragraphs
    html = pipeline.write(pipeline.transform(doc, Options(), Diagnostics()), "html", Options(source_date_epoch=0),
                          Diagnostics()).decode()
    assert "No. 1317-A</h" in html and html.count("<p") >= 4


def test_words_encoded_one_by_one_keep_their_spaces() -> None:
    """teiphy's and other critical editions write each word as ``<w>`` with nothing between them: two Greek words,
    not one (the PDF of the UBS Ephesians apparatus read ``εντωηγαπημενω``); Han words and a word's parts
    (``@part``) stay joined."""
    src = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
           '<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>'
           '<p><w>εν</w><w>τω</w><w>ηγαπημενω</w> <app><lem><w>εν</w><w>αυτω</w></lem><rdg wit="#P46"><w>αυτο</w>'
           '</rdg></app>, <w>天</w><w>地</w><w part="I">ab</w><w part="F">cd</w></p></body></text></TEI>')
    doc = read(src.encode(), Options(), Diagnostics(), name="w.xml")
    text = plain_text(doc.blocks[0].children)  # type: ignore[union-attr]
    assert re.sub(r"\[\d+\]", "", text) == "εν τω ηγαπημενω εν αυτω, 天地abcd", text  # (the apparatus note call)
    reading = next(n for n in doc.blocks[0].children if isinstance(n, ir.Choice))  # type: ignore[union-attr]
    assert plain_text(reading.readings[0].children) == "εν αυτω"


UBS = FIXTURES / "teiphy-ubs-ephesians.xml"


def test_an_apparatus_of_words_keeps_its_spaces_links_and_categories(tmp_path: Path) -> None:
    """teiphy's UBS apparatus of Ephesians: its words (``<w>`` after ``<w>``) apart in every reading, its
    ``ref``s to an ``app``'s ``xml:id`` reaching it (EPUBCheck's RSC-012 three times before), the ``interp``
    categories standing in ``text`` before ``body`` kept (14 of 14; none before)."""
    result = pipeline.convert(UBS, ["tei", "epub"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics())
    out = etree.parse(str(result.outputs["tei"])).getroot()
    assert len(out.findall(f".//{{{TEI}}}interp")) == 14
    years = [v for e in out.iter() for v in (e.get("notBefore"), e.get("notAfter")) if v]
    assert years and all(re.fullmatch(r"-?\d{4,}", y) for y in years)  # "800" -> "0800": valid, the same year
    src = _tei(etree.fromstring(UBS.read_bytes(), PARSER))
    for name in ("app", "lem", "rdg", "note"):
        assert _count(out)[name] == _count(src)[name], name
    ids = {e.get("{http://www.w3.org/XML/1998/namespace}id") for e in out.iter()}
    targets = [r.get("target") for r in out.iter(f"{{{TEI}}}ref")]
    assert targets and all(t and t.startswith("#") and t[1:] in ids for t in targets)
    z = zipfile.ZipFile(result.outputs["epub"])
    xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "εν τω ηγαπημενω" in re.sub(r"<[^>]+>", "", xhtml)
    anchors = set(re.findall(r'\bid="([^"]+)"', xhtml))
    hrefs = [h for h in re.findall(r'href="[^"#]*#([^"]+)"', xhtml)]
    assert hrefs and all(h in anchors for h in hrefs), [h for h in hrefs if h not in anchors][:5]


IOSPE = FIXTURES / "iospe-w-lb.xml"


def test_a_word_broken_across_lines_is_one_word() -> None:
    """IOSPE's EpiDoc ``<w>ἄν\\n    <lb break="no"/>δρα</w>``: the indentation before a break inside a word is the
    source's layout, not a space (it read "ἄν δρα", "ὁ δῆμος" for "ὁδῆμος"); a break between words keeps its space.
    TEI keeps every ``lb`` with its ``break``."""
    doc = read(IOSPE.read_bytes(), Options(), Diagnostics(), name=IOSPE.name)
    text = " ".join(plain_text(next(b for b in iter_all(doc.blocks) if isinstance(b, ir.Para)).children).split())
    assert text == "ἡ βουλὴ καὶ ὁδῆμος ἐτίμησεν τὸν ἄνδρα καὶ τοὺς πολίτας"
    out = etree.fromstring(pipeline.write(doc, "tei", Options(source_date_epoch=0)))
    assert [lb.get("break") for lb in out.iter(f"{{{TEI}}}lb")] == [None, "no", "no", None]


def test_words_in_their_own_elements_are_spaced_in_the_pdf_text(tmp_path: Path) -> None:
    """``<w>καὶ</w> <w>τοὺς</w>`` is ``<span>καὶ</span> <span>τοὺς</span>`` in the print HTML; WeasyPrint draws
    no glyph for the space standing alone between the two, so the PDF's text read "καὶτοὺς" though the page
    showed the gap. The space goes into the word after it, and the text layer has every space."""
    result = pipeline.convert(IOSPE, ["pdf"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics())
    with pymupdf.open(result.outputs["pdf"]) as pdf:
        text = " ".join("".join(page.get_text() for page in pdf).split())
    assert "ἡ βουλὴ καὶ ὁδῆμος ἐτίμησεν τὸν ἄνδρα καὶ τοὺς πολίτας" in text, text
