"""The apparatus of a TEI edition's ``standOff`` (a ``listApp`` beside the text, as the Hamburg Kuṟuntokai edition
keeps it) shown by every format but TEI, which gives the ``standOff`` back as it came."""

from __future__ import annotations

import copy
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir, ir_json
from pipeline import teivocab as vocab
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.tei import plain_inlines, read
from pipeline.walk import iter_blocks

from .conftest import require_tool
from .epubcheck_run import epubcheck
from .test_tei_foreign import NS, PARSER, round_trip

FIXTURES = Path(__file__).parent / "fixtures" / "tei"
EDITIONS = [FIXTURES / "standoff-apparatus-edition.xml"]
APPS = "t:standOff//t:listApp/t:app"
SQUASH = re.compile(r"[\s\-\u00ad]+")


def apparatus(doc: ir.Document) -> ir.Div:
    (div,) = [b for b in doc.blocks if isinstance(b, ir.Div) and b.classes == (vocab.STANDOFF_SHOWN,)]
    return div


def readings(path: Path) -> list[list[str]]:
    """Each ``lem``/``rdg`` of the source's standOff apparatus as what every format must show of it: its text
    between its gaps, white space folded, NFC (a PDF's text layer may decompose the romanisation's diacritics)."""
    out = []
    for r in etree.parse(str(path), PARSER).getroot().xpath(f"{APPS}//t:lem | {APPS}//t:rdg", namespaces=NS):
        r = copy.deepcopy(r)
        for gap in r.xpath(".//t:gap", namespaces=NS):
            gap.text = "\ue000"
        text = unicodedata.normalize("NFC", "".join(r.itertext()))
        out.append([" ".join(p.split()) for p in text.split("\ue000") if p.strip()])
    return out


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda p: p.name)
def converted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    path: Path = request.param
    out = tmp_path_factory.mktemp("standoff")
    result = pipeline.convert(path, ["epub", "docx", "md"], out, Options(source_date_epoch=0), diag=Diagnostics())
    return path, result.outputs


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: p.name)
def test_one_numbered_entry_per_app(path: Path) -> None:
    diag = Diagnostics()
    doc = read(path.read_bytes(), Options(base_dir=str(path.parent)), diag, name=path.name)
    apps = etree.parse(str(path), PARSER).getroot().xpath(APPS, namespaces=NS)
    lists = [b for b in iter_blocks(apparatus(doc).blocks) if isinstance(b, ir.ListBlock)]
    assert sum(len(lst.items) for lst in lists) == len(apps)
    assert [lst.start for lst in lists] == [1, 1 + len(lists[0].items)]  # numbered on through both passages
    assert all(lst.ordered for lst in lists)
    assert apparatus(doc).blocks[0] == ir.Heading(level=1, children=(ir.Text(text="Apparatus criticus"),), lang="en")
    assert ir_json.loads(ir_json.dumps(doc)) == doc
    assert not [d for d in diag.items if "standOff" in d.message or "apparatus" in d.message]


def test_an_entry_reads_as_an_apparatus_does() -> None:
    doc = read(EDITIONS[0].read_bytes(), Options(), Diagnostics(), name=EDITIONS[0].name)
    lists = [b for b in iter_blocks(apparatus(doc).blocks) if isinstance(b, ir.ListBlock)]
    entry = lists[0].items[1].blocks[0]
    assert isinstance(entry, ir.Para)
    text = plain_inlines(entry.children)
    # the place, the lemma and its sigla, ], the readings with theirs; a gap as …; a rdgGrp's readings each with
    # its witnesses, its main one with those of the group's @select the others do not name
    assert text == "7,14 harbour A B2] harbo…r C; harb B1; harbor side D; harbors ide E; h arbor F", text
    omitted = lists[0].items[5].blocks[0]
    assert isinstance(omitted, ir.Para) and ir.Emph(children=(ir.Text(text="om."),)) in omitted.children


def test_every_reading_is_in_the_epub_and_the_docx(converted: tuple[Path, dict[str, Path]]) -> None:
    path, outputs = converted
    with zipfile.ZipFile(outputs["epub"]) as z:
        epub = fold("".join("".join(etree.fromstring(z.read(n)).itertext()) for n in z.namelist()
                            if n.endswith(".xhtml")))
    with zipfile.ZipFile(outputs["docx"]) as z:
        docx = fold("".join(etree.fromstring(z.read("word/document.xml")).itertext()))
    for pieces in readings(path):
        for piece in pieces:
            assert piece in epub, piece
            assert piece in docx, piece


def test_every_reading_is_in_the_pdf(tmp_path: Path) -> None:
    path = EDITIONS[0]
    exe = require_tool("pdftotext")
    pdf = pipeline.convert(path, ["pdf"], tmp_path, Options(source_date_epoch=0), diag=Diagnostics()).outputs["pdf"]
    text = subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    # without white space or hyphens: pdftotext joins a line ending in a hyphen (``kīraṉ-`` / ``G2``) to the next
    squashed = SQUASH.sub("", unicodedata.normalize("NFC", text))
    for pieces in readings(path):
        for piece in pieces:
            assert SQUASH.sub("", piece) in squashed, piece
    apps = etree.parse(str(path), PARSER).getroot().xpath(APPS, namespaces=NS)
    numbers = re.findall(r"^(\d+)\. \d+,\d+ ", text, re.M)  # each entry opens a line: number, place
    assert numbers == [str(n) for n in range(1, len(apps) + 1)], numbers  # on through the second passage


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: p.name)
def test_tei_gives_the_standoff_back_and_adds_nothing(path: Path) -> None:
    src = etree.parse(str(path), PARSER).getroot()
    out = etree.fromstring(round_trip(path))
    assert len(out.xpath("//t:app", namespaces=NS)) == len(src.xpath("//t:app", namespaces=NS))
    assert len(out.xpath(APPS, namespaces=NS)) == len(src.xpath(APPS, namespaces=NS))
    for q in ("//t:div", "//t:head", "//t:list", "//t:floatingText", "//t:ab"):
        assert len(out.xpath(q, namespaces=NS)) == len(src.xpath(q, namespaces=NS)), q
    assert "Apparatus criticus" not in "".join(out.find("t:text", NS).itertext())


def test_the_markdown_shows_the_section(converted: tuple[Path, dict[str, Path]]) -> None:
    md = converted[1]["md"].read_text(encoding="utf-8")
    assert "# Apparatus criticus" in md
    assert md.index("# Apparatus criticus") > md.index(".tei-div")  # after the text's blocks


def test_the_epub_passes_epubcheck(converted: tuple[Path, dict[str, Path]]) -> None:
    r = epubcheck(converted[1]["epub"], "-q", timeout=300)
    assert r.returncode == 0, r.stdout[-2000:]


def test_a_standoff_without_an_apparatus_shows_nothing_and_an_app_reads_by_its_ends() -> None:
    """A standOff of other things (DraCor's listRelation) adds nothing; an ``app`` placed by ``@from``/``@to``,
    with an empty lemma and a note of its own, reads ``place om.] reading sigla remark``."""
    tei = b"""<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>
      <publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>
      <text><body><p>a <anchor xml:id="w1"/>b</p></body></text>
      <standOff><listRelation><relation name="x" active="#a" passive="#b"/></listRelation></standOff>
      %s</TEI>"""
    bare = read(tei % b"", Options(), Diagnostics(), name="t.xml")
    assert not [b for b in bare.blocks if isinstance(b, ir.Div) and b.classes == (vocab.STANDOFF_SHOWN,)]
    app = b"""<standOff><listApp><app from="#w1" to="#w1"><lem/><rdg wit="#A #B">c</rdg>
      <note>perhaps a gloss</note></app></listApp></standOff>"""
    doc = read(tei % app, Options(), Diagnostics(), name="t.xml")
    (lst,) = [b for b in iter_blocks(apparatus(doc).blocks) if isinstance(b, ir.ListBlock)]
    (entry,) = [i.blocks[0] for i in lst.items]
    assert isinstance(entry, ir.Para)
    assert plain_inlines(entry.children) == "w1 om.] c A B perhaps a gloss"
