"""What the fresh TEI corpus of round 39 (16 documents from 6 projects never used before: CBETA from two reader
projects, the LdoD critical edition, papyri.info's EpiDoc, HANSEL's Sanskrit and Syriaca.org's Syriac drafts;
/work/fresh39-tei on the machine that measured it) found, each as the smallest real cut that showed it
(tests/fixtures/fresh39/PROVENANCE.md), and one conversion of a CBETA, a critical-edition and a Syriac text to
every format that keeps every ``app``, ``lb`` and ``pb`` in TEI and every reading in DOCX and PDF. Every TEI output
is validated with jing."""

from __future__ import annotations

import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.writers.tei import repair_dates

from .conftest import require, require_tool
from .tei_validate import RNG, jing, jing_path

NS = {"t": "http://www.tei-c.org/ns/1.0"}
TEI = "http://www.tei-c.org/ns/1.0"
FIXTURES = Path(__file__).parent / "fixtures" / "fresh39"


def _valid(out: Path) -> None:
    require(RNG.is_file() and jing_path() is not None, "jing and the TEI schema")
    assert not jing([out]), jing([out])


def _words(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def test_a_source_description_as_hansel_writes_it_is_made_valid_word_for_word(tmp_path: Path) -> None:
    """HANSEL: ``<sourceDesc><bibl>…<imprint>…</imprint></bibl><series>…</series><note/></sourceDesc>`` (an
    ``imprint`` belongs in ``monogr``, a ``series`` and a ``note`` in a ``bibl``) and ``<change when="May 2026">``
    kept from the source made the TEI invalid: the imprint gives the bibl its publisher, place and date, the loose
    parts join the bibl, the dates that are none stay as ``@rend`` tokens; the words are the same."""
    diag = Diagnostics()
    src = FIXTURES / "hansel-prabodhacandrodaya-cut.xml"
    out = pipeline.convert(src, ["tei"], tmp_path / "out", Options(source_date_epoch=0),
                           diag=diag).outputs["tei"]
    root = etree.parse(str(out)).getroot()
    sd = root.find("t:teiHeader/t:fileDesc/t:sourceDesc", NS)
    assert sd is not None
    assert [etree.QName(c).localname for c in sd if isinstance(c.tag, str)] == ["bibl"]
    bibl = sd[0]
    assert [etree.QName(c).localname for c in bibl if isinstance(c.tag, str)] == \
        ["title", "editor", "publisher", "pubPlace", "date", "series", "note"]
    original = etree.parse(str(src)).getroot().find("t:teiHeader/t:fileDesc/t:sourceDesc", NS)
    assert original is not None and _words(bibl) == _words(original)
    changes = root.findall("t:teiHeader/t:revisionDesc/t:change", NS)
    assert any("@when=May%202026" in (c.get("rend") or "") for c in changes)
    assert all(c.get("when") is None or c.get("when")[:1].isdigit() for c in changes)
    said = " ".join(d.message for d in diag.items)
    assert "<imprint> in a <bibl>" in said and "no W3C date" in said
    _valid(out)


def test_a_back_among_the_lines_of_a_verse_is_kept_as_a_seg(tmp_path: Path) -> None:
    """HANSEL: ``<lg><l>…</l><back>iti |</back></lg>`` — the ``back`` (the part of a text after its body) made a
    line's content, where TEI allows no ``back``: kept as ``<seg rend="tei-back">``, its words in place."""
    diag = Diagnostics()
    out = pipeline.convert(FIXTURES / "hansel-prabodhacandrodaya-cut.xml", ["tei"], tmp_path / "out",
                           Options(source_date_epoch=0), diag=diag).outputs["tei"]
    root = etree.parse(str(out)).getroot()
    body = root.find("t:text/t:body", NS)
    assert body is not None and body.find(".//t:back", NS) is None
    segs = [s for s in body.iter(f"{{{TEI}}}seg") if (s.get("rend") or "").startswith("tei-back")]
    assert [_words(s) for s in segs] == ["iti |"]
    assert segs[0].getparent() is not None and etree.QName(segs[0].getparent()).localname == "l"
    _valid(out)


def test_a_witness_list_keeps_its_head(tmp_path: Path) -> None:
    """Syriaca.org (BYU Syriac Electronic Corpus): ``<listWit><head>First family</head><witness…>`` — the head
    was written as ``<ab type="docpipe-heading">``, which a witness list may not hold; it stays a ``head``."""
    out = pipeline.convert(FIXTURES / "srophe-draft-32excerpt.xml", ["tei"], tmp_path / "out",
                           Options(source_date_epoch=0)).outputs["tei"]
    root = etree.parse(str(out)).getroot()
    lw = root.find(".//t:listWit", NS)
    assert lw is not None
    first = next(c for c in lw if isinstance(c.tag, str))
    assert etree.QName(first).localname == "head" and _words(first) == "First family"
    _valid(out)


def test_a_date_that_is_none_is_kept_and_a_date_is_left_alone() -> None:
    root = etree.fromstring(
        f'<revisionDesc xmlns="{TEI}"><change when="March – July 2026">a</change><change when="2013-05-20"/>'
        '<change when="2000-01-31T09:31:50"/><change when="--05-20"/><change when="2009"/>'
        '<change when="2009-04Z" notBefore="1st c."/></revisionDesc>')
    diag = Diagnostics()
    repair_dates(root, diag)
    got = [(c.get("when"), c.get("notBefore"), c.get("rend")) for c in root]
    assert got == [(None, None, "@when=March%20–%20July%202026"), ("2013-05-20", None, None),
                   ("2000-01-31T09:31:50", None, None), ("--05-20", None, None), ("2009", None, None),
                   ("2009-04Z", None, "@notBefore=1st%20c.")]
    assert len(diag.items) == 1


# ---------------------------------------------------------------------------------- one of each, every format
def _count(root: etree._Element, name: str) -> int:
    text = [e for e in root.iter(f"{{{TEI}}}text", "text")]
    return sum(1 for t in text[:1] for e in t.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name)


def _letters(s: str) -> str:
    """Letters only (no marks, digits, spaces or punctuation): pdftotext places a Syriac vowel or seyame on either
    side of its letter in a right-to-left line, so a reading is looked for by its letters."""
    return "".join(c for c in unicodedata.normalize("NFC", s) if unicodedata.category(c).startswith("L"))


def _readings(root: etree._Element) -> list[str]:
    out = []
    for el in root.iter(f"{{{TEI}}}lem", f"{{{TEI}}}rdg", "lem", "rdg"):
        own: list[str] = [el.text or ""]
        for c in el:
            if isinstance(c.tag, str) and etree.QName(c).localname not in ("note", "rdg", "rdgGrp"):
                own.append("".join(c.itertext()))
            own.append(c.tail or "")
        if _letters("".join(own)):
            out.append("".join(own))
    return out


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join("".join(etree.fromstring(z.read(n)).itertext())
                       for n in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml") if n in z.namelist())


@pytest.mark.parametrize(("name", "script"), [
    ("cbetazw-T21n1365_001.xml", "CJK"),
    ("ldod-Fr002.xml", "LATIN"),
    ("srophe-draft-32excerpt.xml", "SYRIAC"),
], ids=["cbeta", "ldod-critical-edition", "syriac"])
def test_one_of_each_kind_keeps_its_apparatus_and_lines_in_every_format(name: str, script: str,
                                                                          tmp_path: Path) -> None:
    """A CBETA juan (a reader project's non-namespaced P5), a critical edition's fragment (LdoD: readings of four
    witnesses, no lemma) and a Syriac text with its apparatus, to EPUB, DOCX, PDF, TEI and HTML: every ``app``,
    ``lem``, ``rdg``, ``lb`` and ``pb`` of the source in the TEI, every reading's words in the DOCX (footnotes
    included) and in the PDF's text, and the script's letters extractable from the PDF."""
    pdftotext = require_tool("pdftotext")
    src = FIXTURES / name
    res = pipeline.convert(src, ["epub", "docx", "pdf", "tei", "html"], tmp_path / "out",
                           Options(source_date_epoch=0))
    source = etree.parse(str(src)).getroot()
    tei = etree.parse(str(res.outputs["tei"])).getroot()
    for el in ("app", "lem", "rdg", "lb", "pb"):
        assert _count(tei, el) == _count(source, el), el
    assert _count(source, "app") > 0
    pdf = subprocess.run([pdftotext, "-enc", "UTF-8", str(res.outputs["pdf"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    docx = _docx_text(res.outputs["docx"])
    for where, text in (("pdf", _letters(pdf)), ("docx", _letters(docx))):
        missing = [r for r in _readings(source) if _letters(r) not in text]
        assert not missing, (where, missing)
    body = "".join(source.find("{*}text").itertext())  # type: ignore[union-attr]
    want = [c for c in unicodedata.normalize("NFC", body) if unicodedata.category(c).startswith("L")
            and unicodedata.name(c, "").startswith(script)]
    assert len(want) > 20
    have = {c: pdf.count(c) for c in set(want)}
    kept = sum(1 for c in want if have[c] > 0) / len(want)
    assert kept == 1.0, f"{kept:.1%} of the {script} letters extractable"
    _valid(res.outputs["tei"])
