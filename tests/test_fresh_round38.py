"""What the fresh corpus of round 38 (35 documents from 12 projects never used before, /work/fresh38 on the
machine that measured it) found, each as the smallest input that showed it, cut from the real file
(tests/fixtures/fresh38/PROVENANCE.md). Every TEI output is validated with jing."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.guard import inert_tree
from pipeline.options import Options
from tests.tei_validate import jing

from .conftest import require
from .tei_validate import RNG, jing_path

NS = {"t": "http://www.tei-c.org/ns/1.0"}
FIXTURES = Path(__file__).parent / "fixtures" / "fresh38"


def test_a_remote_picture_in_a_kept_header_goes_whole(tmp_path: Path) -> None:
    """Bodleian medieval-mss: ``<graphic url="https://marco.ox.ac.uk/…"/>`` in the funder statement lost its
    remote ``@url`` (no picture is fetched from elsewhere) and stayed as ``<graphic/>``, which TEI refuses; the
    element goes, the funder's words around it stay."""
    diag = Diagnostics()
    out = pipeline.convert(FIXTURES / "bodl-merton126-cut.xml", ["tei"], tmp_path / "out",
                           Options(source_date_epoch=0), diag=diag).outputs["tei"]
    root = etree.parse(str(out)).getroot()
    header = root.find("t:teiHeader", NS)
    assert header is not None
    assert header.findall(".//t:graphic", NS) == []
    funder = header.find(".//t:editionStmt/t:funder", NS)
    assert funder is not None
    assert " ".join("".join(funder.itertext()).split()) == \
        "Conversion of the printed catalogue to TEI funded by the Warden and Fellows of Merton College ."
    assert "marco.ox.ac.uk" not in etree.tostring(header, encoding="unicode").split("<notesStmt")[0]
    require(RNG.is_file() and jing_path() is not None, "jing and the TEI schema")
    assert not jing([out]), jing([out])


def test_inert_tree_keeps_the_text_after_a_dropped_picture() -> None:
    hdr = etree.fromstring('<p xmlns="http://www.tei-c.org/ns/1.0">a <graphic url="https://t.example/p.gif"/>b '
                           '<hi>c</hi><media url="https://t.example/v.mp4" mimeType="video/mp4"/>d'
                           '<graphic url="local.png"/>e<graphic url=" "/>f</p>')
    removed = inert_tree(hdr)
    assert sorted(removed) == ["graphic/@url", "media/@url"]
    assert "".join(hdr.itertext()) == "a b cdef"
    assert [g.get("url") for g in hdr.iter("{http://www.tei-c.org/ns/1.0}graphic")] == ["local.png"]
    assert hdr.find("t:media", NS) is None


def test_a_facsimile_whose_every_picture_leaves_the_document_is_not_written(tmp_path: Path) -> None:
    """Faustedition: the facsimile beside the text names its page images ``faust://facsimile/…``; each went (a URL
    with a scheme is never loaded) and the empty ``<facsimile>`` left behind is refused by TEI: it is not written,
    and said; the transcription stays."""
    diag = Diagnostics()
    out = pipeline.convert(FIXTURES / "faust-gsa390883-0018-cut.xml", ["tei"], tmp_path / "out",
                           Options(source_date_epoch=0), diag=diag).outputs["tei"]
    root = etree.parse(str(out)).getroot()
    assert root.find("t:facsimile", NS) is None
    assert "faust://" not in out.read_text(encoding="utf-8").split("<notesStmt")[0]
    assert "Nur" in "".join(root.itertext())
    assert any("facsimile" in d.message and d.code == "writer-dropped" for d in diag.items)
    require(RNG.is_file() and jing_path() is not None, "jing and the TEI schema")
    assert not jing([out]), jing([out])


def test_publication_details_without_a_publisher_get_an_empty_one(tmp_path: Path) -> None:
    """IIP (Inscriptions of Israel/Palestine): the ``publicationStmt`` is an ``xi:include`` of the project's
    copyright statement and an ``<idno/>``; the include is not followed (nothing is read from elsewhere), and an
    ``idno`` with no agency before it is refused by TEI: an empty ``publisher`` is put before it (who published it
    is not said), and said; the inscription stays."""
    diag = Diagnostics()
    out = pipeline.convert(FIXTURES / "iip-masa0497.xml", ["tei"], tmp_path / "out", Options(source_date_epoch=0),
                           diag=diag).outputs["tei"]
    root = etree.parse(str(out)).getroot()
    ps = root.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    assert ps is not None
    assert [etree.QName(c).localname for c in ps if isinstance(c.tag, str)] == ["publisher", "idno"]
    assert any("without a publisher" in d.message for d in diag.items)
    assert root.find(".//t:text//t:div[@type='edition']", NS) is not None
    require(RNG.is_file() and jing_path() is not None, "jing and the TEI schema")
    assert not jing([out]), jing([out])
