"""TEI from elsewhere that the fresh corpus (issue 26) showed docpipe making invalid: a milestone beside a note in a
verse line, P4 attributes (``lang``, ``anchored="yes"``) and a header part holding only another namespace's
elements (ELTeC's ``textDesc``). Each case is a small TEI converted by ``pipeline.convert``, the output checked
with jing against ``tei_all`` and read for what was kept, moved or repaired, and for the diagnostic that says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import teivocab
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.tei import read

from .conftest import require
from .tei_validate import RNG, RNG_NS, _rng_defines, jing, jing_path

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"t": TEI_NS}
ELTEC = "http://distantreading.net/eltec/ns"
HEADER = ('<teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p>P</p></publicationStmt>'
          '<sourceDesc><p>S</p></sourceDesc></fileDesc></teiHeader>')


def convert(tmp_path: Path, tei: str, name: str = "in") -> tuple[Path, etree._Element, list[str]]:
    """``tei`` converted to TEI as the brief's re-check does: the output, its tree and the diagnostics' messages."""
    src = tmp_path / f"{name}.xml"
    src.write_text(tei, encoding="utf-8")
    diag = Diagnostics(file=str(src))
    out = pipeline.convert(src, ["tei"], tmp_path / f"{name}-out", Options(source_date_epoch=0),
                           diag=diag).outputs["tei"]
    return out, etree.parse(str(out)).getroot(), [f"[{d.code}] {d.message}" for d in diag.items]


def assert_valid(*paths: Path) -> None:
    require(RNG.is_file(), f"the TEI schema ({RNG})")
    require(jing_path() is not None, "jing")
    errors = jing(list(paths))
    assert not errors, errors


def test_a_milestone_beside_a_note_in_a_line_stays_a_milestone(tmp_path: Path) -> None:
    """DraCor's ``<l><note>…</note><cb n="2"/></l>``: the ``cb`` stays right after the note, in the ``l``; it was
    wrapped in a ``p``, which tei_all allows in no ``l``."""
    tei = (f'<TEI xmlns="{TEI_NS}">{HEADER}<text><body><div><sp><speaker>A</speaker><l>one</l>'
           '<l><note place="inline">a line lost</note><cb n="2"/></l>'
           '<l><note place="inline">two lost</note><cb n="3"/><milestone unit="card" n="9"/></l>'
           '<l>two</l></sp></div></body></text></TEI>')
    out, root, _ = convert(tmp_path, tei)
    lines = root.findall(".//t:sp/t:l", NS)
    assert [etree.QName(c).localname for c in lines[1]] == ["note", "cb"]
    assert lines[1][1].get("n") == "2"
    assert [etree.QName(c).localname for c in lines[2]] == ["note", "cb", "milestone"]
    assert (lines[2][2].get("unit"), lines[2][2].get("n")) == ("card", "9")
    assert not root.findall(".//t:l//t:p", NS)
    assert_valid(out)


def test_p4_lang_and_anchored_read_as_tei_p5(tmp_path: Path) -> None:
    """``lang="en"`` on a note is its language (``xml:lang``, so the note is no longer tagged with the document's
    ``grc``), ``anchored="yes"``/``"no"`` are ``true``/``false``; a ``lang`` that is no language tag (``greek``)
    or stands beside an ``xml:lang`` stays the source's, as a ``@rend`` token; a boolean no P4 spelling maps is
    kept as a token too. The repair is reported with its counts."""
    tei = (f'<TEI xmlns="{TEI_NS}" xml:lang="grc">{HEADER}<text lang="greek"><body><div><sp><speaker>Σ</speaker>'
           '<l>ἰοὺ <note anchored="yes" lang="en" place="inline">about 21 letters</note></l>'
           '<l>ἰοὺ <note anchored="no" lang="en-GB" place="inline">colour</note></l>'
           '<l>ἰοὺ <note anchored="maybe" lang="la" xml:lang="de" place="inline">Vers</note></l>'
           '</sp></div></body></text></TEI>')
    out, root, messages = convert(tmp_path, tei)
    notes = root.findall(".//t:l/t:note", NS)
    assert [(n.get(XML_LANG), n.get("anchored"), n.get("lang")) for n in notes] == [
        ("en", "true", None), ("en-GB", "false", None), ("de", None, None)]
    assert "@lang=la" in (notes[2].get("rend") or "").split() and "@anchored=maybe" in notes[2].get("rend", "")
    assert not any("@lang=en" in (n.get("rend") or "") for n in notes[:2])
    text = root.find("t:text", NS)
    assert text is not None and "@lang=greek" in (text.get("rend") or "").split()
    repaired = [m for m in messages if m.startswith("[text-repaired] P4 attributes")]
    assert len(repaired) == 1, messages
    assert '2 lang="…" read as xml:lang' in repaired[0] and "2 boolean attribute(s)" in repaired[0]
    assert "greek" in repaired[0] and "2 lang=" in repaired[0].split("; ")[-1]
    assert_valid(out)
    # the language is the IR's too: the note is English in every format, not the document's Greek
    doc = read(out.read_bytes(), Options(), Diagnostics(), name=out.name)
    assert [n.lang for n in doc.notes] == ["en", "en-GB", "de"]


def test_a_header_part_of_another_namespace_moves_to_xeno_data(tmp_path: Path) -> None:
    """ELTeC's ``<textDesc><eltec:size key="short"/>…</textDesc>``: the elements are kept, with their attributes, in
    a ``xenoData`` naming where they stood; the parts they leave empty (``textDesc``, ``notesStmt``,
    ``encodingDesc``, which tei_all requires to hold TEI content but lets be absent) are removed; one beside TEI
    content (in ``sourceDesc``) moves and leaves the ``p``; XHTML, live in ``xenoData``, is removed; the
    diagnostics say each. A second pass gives the same header, one ``xenoData`` per place, not two."""
    tei = (f'<TEI xmlns="{TEI_NS}" xmlns:e="{ELTEC}" xmlns:h="http://www.w3.org/1999/xhtml" xml:lang="en">'
           '<teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p>P</p></publicationStmt>'
           '<notesStmt><e:remark key="r"/></notesStmt>'
           '<sourceDesc><p>S</p><e:edition key="first">1887</e:edition></sourceDesc></fileDesc>'
           '<encodingDesc><h:script>alert(1)</h:script></encodingDesc>'
           '<profileDesc><langUsage><language ident="en">English</language></langUsage>'
           '<textDesc><e:authorGender key="F"/><e:size key="short"/></textDesc></profileDesc>'
           '</teiHeader><text><body><p>Hello.</p></body></text></TEI>')
    out, root, messages = convert(tmp_path, tei)
    hdr = root.find("t:teiHeader", NS)
    assert hdr is not None
    xeno = {x.get("n"): x for x in hdr.findall("t:xenoData", NS)}
    assert set(xeno) == {"profileDesc/textDesc", "fileDesc/notesStmt", "fileDesc/sourceDesc"}
    assert [(etree.QName(c).namespace, etree.QName(c).localname, c.get("key")) for c in xeno["profileDesc/textDesc"]] \
        == [(ELTEC, "authorGender", "F"), (ELTEC, "size", "short")]
    assert xeno["fileDesc/sourceDesc"][0].text == "1887"
    assert hdr.find("t:profileDesc/t:textDesc", NS) is None and hdr.find("t:profileDesc/t:langUsage", NS) is not None
    assert [p.text for p in hdr.findall("t:fileDesc/t:sourceDesc/t:p", NS)] == ["S"]
    assert not hdr.findall(".//{http://www.w3.org/1999/xhtml}*")  # only in the verbatim copy, as text
    notes = [m for m in messages if m.startswith("[writer-note] the source's TEI header: ")]
    assert any("in profileDesc/textDesc (authorGender, size)" in m and "xenoData[@n='profileDesc/textDesc']" in m
               and "profileDesc/textDesc, left empty, removed" in m for m in notes), notes
    assert any("fileDesc/notesStmt, left empty, removed" in m for m in notes), notes
    assert any("in fileDesc/sourceDesc (edition)" in m and "removed" not in m for m in notes), notes
    assert any("script" in m and "verbatim" in m for m in messages), messages
    again, root2, _ = convert(tmp_path, out.read_text(encoding="utf-8"), name="again")
    assert len(root2.findall("t:teiHeader/t:xenoData", NS)) == 3
    assert_valid(out, again)


def _boolean_attributes() -> dict[str, set[str]]:
    """Every element's attributes that ``tei_all.rng`` types as a plain boolean, by attribute, read from the
    schema by following ``ref``s (not into child elements)."""
    require(RNG.is_file(), f"the TEI schema ({RNG})")
    defines = _rng_defines()
    rng = f"{{{RNG_NS}}}"
    out: dict[str, set[str]] = {}
    for name in {el.get("name") for ds in defines.values() for d in ds for el in d.iter(rng + "element")}:
        if not name:
            continue
        def walk(node: etree._Element, element: str, seen: set[str]) -> None:
            for child in node:
                tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if tag == "attribute":
                    types = {d.get("type") for d in child.iter(rng + "data")}
                    if types == {"boolean"} and child.find(f".//{rng}value") is None:
                        out.setdefault(child.get("name", ""), set()).add(element)
                elif tag == "ref" and child.get("name", "") not in seen:
                    seen.add(child.get("name", ""))
                    for d in defines.get(child.get("name", ""), []):
                        walk(d, element, seen)
                elif tag and tag != "element":
                    walk(child, element, seen)

        for d in defines.get(name, []):
            el = next((e for e in d.iter(rng + "element") if e.get("name") == name), None)
            if el is not None:
                walk(el, name, set())
                break
    return out


def test_the_boolean_table_is_the_schemas() -> None:
    """:data:`pipeline.teivocab.BOOLEAN_ATTRS` is what ``tei_all.rng`` types as a plain boolean, element by element."""
    assert {k: set(v) for k, v in teivocab.BOOLEAN_ATTRS.items()} == _boolean_attributes()
    assert teivocab.boolean_attr("note", "anchored") and not teivocab.boolean_attr("p", "anchored")


P4 = Path(__file__).parent / "fixtures" / "tei" / "perseus-p4-tei2.xml"


def test_tei_p4_with_its_root_tei_2_is_read_as_tei(tmp_path: Path) -> None:
    """Perseus's TEI P4 (root ``<TEI.2>``, no namespace) was refused ("the root element is <TEI.2>"): P4 and P5
    share their elements but for the root, so it is read as P5, said, and written as valid P5 with every line and
    note; its P4 attributes repaired as before."""
    out, root, messages = convert(tmp_path, P4.read_text(encoding="utf-8"))
    assert etree.QName(root).localname == "TEI" and etree.QName(root).namespace == TEI_NS
    assert [" ".join((el.text or "").split()) for el in root.iterfind(".//t:l", NS)][:1] == [
        "Cui dabo hunc parvum librum,"]
    assert len(root.findall(".//t:body//t:l", NS)) == 2 and root.find(".//t:body//t:note", NS) is not None
    assert root.find(".//t:titleStmt/t:title", NS) is not None
    assert any("TEI P4 (root <TEI.2>, no namespace) read as TEI P5" in m for m in messages), messages
    assert_valid(out)


def test_tei_p4_declaring_entities_is_read(tmp_path: Path) -> None:
    """A P4 file that declares entities (``&responsibility;`` in its internal subset) was refused: docpipe now
    drops the DOCTYPE and replaces the references itself (doctype.py), the declared one by its markup."""
    decl = '<!DOCTYPE TEI.2 [\n<!ENTITY resp "<respStmt><resp>markup</resp><name>P</name></respStmt>">\n]>'
    data = P4.read_text(encoding="utf-8").replace("<!DOCTYPE TEI.2>", decl).replace(
        "<author>Anonymus</author>", "<author>Anonymus</author>&resp;")
    out, root, messages = convert(tmp_path, data)
    assert [el.findtext("t:name", namespaces=NS) for el in root.iterfind(".//t:titleStmt/t:respStmt", NS)] == ["P"]
    assert any("&resp; ×1" in m for m in messages), messages
    assert_valid(out)


@pytest.mark.parametrize("keyword", ["DOCTYPE", "doctype", "DocType"])
def test_a_doctype_in_any_case_is_dropped_and_its_entities_replaced(tmp_path: Path, keyword: str) -> None:
    """The TEI reader looked for ``<!DOCTYPE`` and ``<!doctype`` only, doctype.py for any case: ``<!DocType``
    with an entity was refused ("declares XML entities"). One test now (doctype.doctype_at), in any case."""
    data = (f'<?xml version="1.0"?>\n<!{keyword} TEI [<!ENTITY ed "the editor">]>\n'
            '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
            "<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>"
            "<text><body><p>By &ed;.</p></body></text></TEI>")
    out, root, messages = convert(tmp_path, data)
    assert root.findtext(".//t:body/t:p", namespaces=NS) == "By the editor."
    assert any("the DOCTYPE declaration dropped" in m and "&ed; ×1" in m for m in messages), messages
    assert_valid(out)


PERSEUS = Path(__file__).parent / "fixtures" / "tei-p4" / "perseus-p4-cic-amic-eng.xml"


def test_perseus_p4_with_its_external_dtd_entities(tmp_path: Path) -> None:
    """A real Perseus P4 text (cltk/latin_text_perseus): its DOCTYPE pulls in Perseus's DTD through a parameter
    entity, which was refused ("declares XML entities"). The named characters come out as characters (72 em
    dashes, 9 section signs), the three header entities of the DTD docpipe does not read are left out and named,
    and the TEI is valid with every paragraph of the source."""
    source = PERSEUS.read_text(encoding="utf-8")
    out, root, messages = convert(tmp_path, source)
    body = "".join(root.find(".//t:text", NS).itertext())
    assert body.count("\u2014") == source.count("&mdash;") == 72 and body.count("\u00a7") == 9
    assert len(root.findall(".//t:text//t:p", NS)) == len(etree.fromstring(
        source.split("]>", 1)[1].replace("&", "&amp;").encode()).findall(".//text//p"))
    assert any("left out (&Perseus.publish; ×1, &fund.AnnCPB; ×1, &responsibility; ×1)" in m for m in messages)
    assert_valid(out)
