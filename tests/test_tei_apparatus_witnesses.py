"""The apparatus criticus of TEI from elsewhere as the formats other than TEI show it: a note on a reading (inside
an ``rdg`` or a ``rdgGrp``) in its entry after that reading, and each witness by its siglum, from whichever
``listWit`` declares it (HUBP's Hosea apparatus, round 37: 30 of its 336 notes were orphans after the colophon,
and its readings showed ``wit-94`` for the witness labelled "G-B Eb 94"). Every output is validated."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from tests.epubcheck_run import epubcheck

from .conftest import openxml_audit, require
from .tei_validate import RNG, jing, jing_path

NS = {"t": "http://www.tei-c.org/ns/1.0"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADER = ('<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt><publicationStmt><p/></publicationStmt>'
          '<sourceDesc>{}</sourceDesc></fileDesc></teiHeader>')


def _tei(body: str, source_desc: str = "<p/>", after_text: str = "") -> str:
    return (f'<TEI xmlns="http://www.tei-c.org/ns/1.0">{HEADER.format(source_desc)}'
            f"<text><body>{body}</body></text>{after_text}</TEI>")


def _convert(tmp_path: Path, source: str, formats: list[str]) -> tuple[dict[str, Path], list[str]]:
    src = tmp_path / "in.xml"
    src.write_text(source, encoding="utf-8")
    diag = Diagnostics()
    outputs = pipeline.convert(src, formats, tmp_path / "out", Options(source_date_epoch=0), diag=diag).outputs
    return outputs, [f"[{d.code}] {d.message}" for d in diag.items]


def _valid_tei(path: Path) -> etree._Element:
    require(RNG.is_file() and jing_path() is not None, "jing and the TEI schema")
    assert not jing([path]), jing([path])
    return etree.parse(str(path)).getroot()


def _docx_notes(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/footnotes.xml"))
    return [" ".join("".join(t.text or "" for t in f.iter(W + "t")).split())
            for f in root.iter(W + "footnote") if f.get(W + "type") is None]


def _html_notes(html: str) -> dict[str, str]:
    """Each note's id -> its text, from the ``aside``s of an HTML or EPUB page."""
    asides = re.findall(r'<aside id="([^"]*)"[^>]*role="doc-footnote"[^>]*>(.*?)</aside>', html, re.S)
    return {i: " ".join(re.sub(r"<[^>]+>", "", body).split()) for i, body in asides}


#: repro 09 of round 37, and the same note inside a plain ``rdg``
GROUP_NOTE = ('<p>Word <app><lem>alpha</lem><rdgGrp type="addition"><rdg wit="#B">beta</rdg>'
              '<note type="general">(GROUPNOTE)</note></rdgGrp><note>APPNOTE</note></app> end.</p>'
              '<p>Other <app><lem>gamma</lem><rdg wit="#C">delta<note>(RDGNOTE)</note></rdg></app> end.</p>')


def test_a_note_on_a_reading_is_in_its_apparatus_entry_in_every_format(tmp_path: Path) -> None:
    """The note of a ``rdgGrp`` (or an ``rdg``) follows its reading in the entry: DOCX footnote, EPUB and HTML
    pop-up; never an orphan after the text (DOCX had only its bare number); TEI keeps it where it stood."""
    outputs, messages = _convert(tmp_path, _tei(GROUP_NOTE), ["docx", "epub", "html", "tei"])
    assert not [m for m in messages if "never called" in m], messages
    # lettered: the source has notes of its own
    entries = ["a alpha] beta B (GROUPNOTE); APPNOTE", "b gamma] delta C (RDGNOTE)"]
    assert _docx_notes(outputs["docx"]) == entries
    openxml_audit(outputs["docx"])
    html = _html_notes(outputs["html"].read_text(encoding="utf-8"))
    assert list(html.values()) == entries
    with zipfile.ZipFile(outputs["epub"]) as z:
        pages = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert list(_html_notes(pages).values()) == list(html.values())
    assert epubcheck(outputs["epub"]).returncode == 0
    root = _valid_tei(outputs["tei"])
    group_note = root.find(".//t:app/t:rdgGrp/t:note", NS)
    assert group_note is not None and group_note.text == "(GROUPNOTE)" and group_note.get("type") == "general"
    rdg_note = root.find(".//t:app/t:rdg/t:note", NS)
    assert rdg_note is not None and rdg_note.text == "(RDGNOTE)"
    assert not root.findall(".//t:back//t:note", NS)


def test_a_reading_group_shows_each_reading_with_the_groups_witnesses(tmp_path: Path) -> None:
    """HUBP's groups name their witnesses in ``wit`` children; a group without a reading is an omission; a
    reading's own ``@wit`` wins over the group's."""
    body = ('<p>A <app><lem>one</lem><rdgGrp type="variant"><rdg>two</rdg><wit wit="#w30"/><wit wit="#w93"/>'
            '</rdgGrp><rdgGrp type="omission"><wit wit="#w96"/><note>(sic)</note></rdgGrp>'
            '<rdgGrp wit="#w30 #w93"><rdg>three</rdg><rdg wit="#w93">four</rdg></rdgGrp></app>.</p>')
    outputs, _ = _convert(tmp_path, _tei(body), ["docx", "tei"])
    assert _docx_notes(outputs["docx"]) == ["a one] two w30 w93; om. w96 (sic); three w30; four w93"]
    _valid_tei(outputs["tei"])


#: repro 10 of round 37: the witness list after ``</text>``, and in the header with and without ``@n``
WITNESS = '<witness xml:id="wit-94"{}>G-B Eb  94</witness>'
READING = '<p>Word <app><lem>alpha</lem><rdg wit="#wit-94">beta</rdg></app> end.</p>'


def test_a_witness_list_beside_the_text_is_moved_to_the_source_description(tmp_path: Path) -> None:
    """It was dropped (with a warning) and the reading showed ``wit-94``: it goes to ``sourceDesc`` (whose empty
    paragraph it replaces), said, and the reading shows the witness's text as its siglum."""
    source = _tei(READING, after_text=f"<listWit>{WITNESS.format('')}</listWit>")
    outputs, messages = _convert(tmp_path, source, ["html", "tei"])
    assert list(_html_notes(outputs["html"].read_text(encoding="utf-8")).values()) == ["1 alpha] beta G-B Eb 94"]
    assert any(m.startswith("[text-repaired] <listWit> stood beside the text") and "moved to sourceDesc" in m
               for m in messages), messages
    root = _valid_tei(outputs["tei"])
    witness = root.find("t:teiHeader/t:fileDesc/t:sourceDesc/t:listWit/t:witness", NS)
    assert witness is not None and witness.get("{http://www.w3.org/XML/1998/namespace}id") == "wit-94"
    assert root.find("t:teiHeader/t:fileDesc/t:sourceDesc/t:p", NS) is None


def test_beside_a_source_description_in_prose_the_witness_list_goes_to_a_standoff(tmp_path: Path) -> None:
    """TEI does not mix prose and lists in ``sourceDesc``: the list then stands in a ``standOff``, still valid,
    and read back with its sigla."""
    source = _tei(READING, source_desc="<p>Hosea, HUBP.</p>", after_text=f"<listWit>{WITNESS.format('')}</listWit>")
    outputs, messages = _convert(tmp_path, source, ["tei"])
    assert any("moved to a standOff" in m for m in messages), messages
    root = _valid_tei(outputs["tei"])
    assert root.find("t:standOff/t:listWit/t:witness", NS) is not None
    (tmp_path / "again").mkdir()
    again, _ = _convert(tmp_path / "again", outputs["tei"].read_text(encoding="utf-8"), ["html"])
    assert list(_html_notes(again["html"].read_text(encoding="utf-8")).values()) == ["1 alpha] beta G-B Eb 94"]


def test_a_witness_is_shown_by_its_n_its_siglum_abbr_or_its_short_text(tmp_path: Path) -> None:
    """``@n`` first, then ``abbr[@type='siglum']``, then a short text (CBETA's 【宋】), else the id (a witness
    described at length, or in words: "Manuscript A" is described, its siglum is its id)."""
    witnesses = ('<listWit><witness xml:id="wit-94" n="94">G-B Eb 94</witness>'
                 '<witness xml:id="wS"><abbr type="siglum">S</abbr>, Codex Sinaiticus, London, British Library, '
                 'Add. MS 43725</witness><witness xml:id="wit2">【宋】</witness>'
                 '<witness xml:id="wL">Leningrad, National Library of Russia, Firkovich B 19 A, dated 1008</witness>'
                 '<witness xml:id="A">Manuscript A</witness>'
                 '</listWit>')
    body = ('<p>Word <app><lem wit="#wL">alpha</lem><rdg wit="#wit-94 #wS">beta</rdg><rdg wit="#wit2 #wX">'
            'gamma</rdg><rdg wit="#A">delta</rdg></app> end.</p>')
    outputs, _ = _convert(tmp_path, _tei(body, source_desc=witnesses), ["html", "tei"])
    entry, = _html_notes(outputs["html"].read_text(encoding="utf-8")).values()
    # the spaces around 【宋】 are the Chinese spacing's to take out
    assert entry.startswith("1 alpha wL] beta 94 S; gamma") and entry.replace(" ", "").endswith("gamma【宋】wX;deltaA")
    _valid_tei(outputs["tei"])
