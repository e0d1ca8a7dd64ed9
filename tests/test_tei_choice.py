"""A TEI ``choice`` as an edition shows it: the edited form (``corr``, ``reg``, ``expan``) is the text, the source's
(``sic``, ``orig``) an apparatus note in every format but TEI, an abbreviation no note; a diplomatic edition shows
the source's form and notes the edited one; TEI gets the ``choice`` back as it stood (round 37, FINDINGS #8: CBETA's
sic 辨, reg 商羊 and sic 牃 were in no DOCX, PDF or printed text, only in an HTML tooltip)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.tei import read
from pipeline.teivocab import APPARATUS_NOTE
from pipeline.walk import iter_inlines_all, plain, shown_reading

from .conftest import need
from .test_tei_apparatus_witnesses import _convert, _docx_notes, _html_notes, _tei, _valid_tei

NS = {"t": "http://www.tei-c.org/ns/1.0"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

#: repro 04 of round 37, with an abbreviation beside them (teipub's F-rom: ``<abbr>thē</abbr><expan>them</expan>``)
CHOICES = ("<p>Corrected <choice><corr>辦</corr><sic>辨</sic></choice>; regularised <choice><orig>鴹鴹</orig>"
           "<reg>商羊</reg></choice>; abbreviated <choice><abbr>thē</abbr><expan>them</expan></choice>; "
           '<choice><orig>henec</orig><corr resp="#ed">hence</corr></choice>; reading '
           '<app><lem>甲</lem><rdg wit="#B">乙</rdg></app>.</p>')


def _doc(source: str, options: Options) -> ir.Document:
    return read(source.encode(), options, Diagnostics(), name="in.xml")


def _shown_and_notes(doc: ir.Document) -> tuple[list[str], list[str]]:
    """The text each choice shows, and the text of each apparatus note, in order."""
    texts = [plain(shown_reading(n)) for n in iter_inlines_all(doc) if isinstance(n, ir.Choice) and n.kind == "choice"]
    notes = [" ".join(plain(b.children).split()) for n in doc.notes if n.id.startswith(APPARATUS_NOTE)
             for b in n.blocks if isinstance(b, ir.Para)]
    return texts, notes


def test_the_edited_form_is_the_text_and_the_source_form_a_note() -> None:
    texts, notes = _shown_and_notes(_doc(_tei(CHOICES), Options()))
    assert texts == ["辦", "商羊", "them", "hence"]
    # the abbreviation gets no note: an entry for each would bury a manuscript's text in calls
    assert notes == ["辦] 辨 sic", "商羊] 鴹鴹 orig.", "hence ed] henec orig.", "甲] 乙 B"]


def test_a_diplomatic_edition_shows_the_source_form_and_notes_the_edited_one() -> None:
    texts, notes = _shown_and_notes(_doc(_tei(CHOICES), Options(diplomatic=True)))
    assert texts == ["辨", "鴹鴹", "thē", "henec"]
    assert notes == ["辨] 辦 corr.", "鴹鴹] 商羊 reg.", "henec] hence corr. ed", "甲] 乙 B"]


def test_no_note_for_a_form_that_reads_as_the_text_nor_inside_a_reading_not_shown() -> None:
    """A choice inside an ``rdg`` is shown by that reading's entry, never called from the text: no note of its own
    (it would be an orphan); an alternative that reads as the text (a layout difference) is no variant."""
    body = ('<p>A <choice><sic>same </sic><corr>same</corr></choice> B <app><lem>x</lem>'
            '<rdg wit="#B"><choice><sic>y</sic><corr>z</corr></choice></rdg></app>.</p>')
    doc = _doc(_tei(body), Options())
    texts, notes = _shown_and_notes(doc)
    assert texts == ["same", "z"]
    assert notes == ["x] z B"]
    called = {n.note_id for n in iter_inlines_all(doc) if isinstance(n, ir.NoteRef)}
    assert called == {n.id for n in doc.notes}


def test_every_form_is_printed_and_tei_gets_the_choice_back(tmp_path: Path) -> None:
    outputs, messages = _convert(tmp_path, _tei(CHOICES), ["docx", "pdf", "html", "epub", "tei"])
    assert not [m for m in messages if "never called" in m], messages
    with zipfile.ZipFile(outputs["docx"]) as z:
        body = "".join(t.text or "" for t in etree.fromstring(z.read("word/document.xml")).iter(W + "t"))
    assert "辦" in body and "商羊" in body and "them" in body and "hence" in body
    assert "辨" not in body and "鴹鴹" not in body and "thē" not in body and "henec" not in body
    notes = [n.replace(" ", "") for n in _docx_notes(outputs["docx"])]
    assert notes == ["辦]辨sic", "商羊]鴹鴹orig.", "henceed]henecorig.", "甲]乙B"]
    pymupdf = need("pymupdf")
    with pymupdf.open(str(outputs["pdf"])) as pdf:
        printed = "".join("".join(page.get_text() for page in pdf).split())
    for form in ("辦", "辨", "商羊", "鴹鴹", "them", "henec"):
        assert form in printed, form
    html = outputs["html"].read_text(encoding="utf-8")
    assert [n.replace(" ", "") for n in _html_notes(html).values()] == [f"{i}{n}" for i, n in enumerate(notes, 1)]
    # TEI: each choice as the source wrote it, its forms in their order, and no apparatus note
    src = etree.fromstring(_tei(CHOICES).encode())
    out = _valid_tei(outputs["tei"])
    written = [etree.tostring(c, encoding=str, with_tail=False) for c in out.iterfind(".//t:body//t:choice", NS)
               if not c.xpath("t:reg[@type='docpipe-normalisation']", namespaces=NS)]
    assert written == [etree.tostring(c, encoding=str, with_tail=False) for c in src.iterfind(".//t:choice", NS)]
    assert not out.xpath("//t:body//t:note", namespaces=NS)


def test_a_diplomatic_conversion_notes_the_edited_form(tmp_path: Path) -> None:
    src = tmp_path / "in.xml"
    src.write_text(_tei(CHOICES), encoding="utf-8")
    outputs = pipeline.convert(src, ["html"], tmp_path / "out", Options(source_date_epoch=0, diplomatic=True)).outputs
    notes = [n.replace(" ", "") for n in _html_notes(outputs["html"].read_text(encoding="utf-8")).values()]
    assert notes[:2] == ["1辨]辦corr.", "2鴹鴹]商羊reg."]


def test_a_source_note_is_numbered_among_the_source_notes() -> None:
    """A note without ``@n`` after an apparatus entry is the source's first note: 1, not 2 (the entries are a, b…);
    TEI writes that number back (teipub's F-rom: its notes were renumbered 2 → 4, 5 → 10 by its choices)."""
    doc = _doc(_tei("<p>A <choice><sic>x</sic><corr>y</corr></choice> b<note>first</note>.</p>"), Options())
    assert [(n.id.startswith(APPARATUS_NOTE), n.marker) for n in doc.notes] == [(True, "a"), (False, "1")]
