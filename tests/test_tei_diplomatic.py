"""Diplomatic fidelity: the archival TEI gives back the text exactly as the source wrote it, and the edition's."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.teivocab import NORMALISATION
from pipeline.walk import iter_blocks

from .conftest import SAMPLE

NS = {"t": "http://www.tei-c.org/ns/1.0"}
T = "{http://www.tei-c.org/ns/1.0}"
CHANGED = f"t:choice[t:reg[@type='{NORMALISATION}']]"


def view(el: etree._Element, keep: str) -> str:
    """The text of ``el`` with each recorded normalisation read one way: ``orig`` (the source's) or ``reg``
    (the edition's); notes and heading labels are not the paragraph's text."""
    el = copy.deepcopy(el)
    for drop in el.xpath(".//t:note | t:label", namespaces=NS):
        parent, prev, tail = drop.getparent(), drop.getprevious(), drop.tail
        parent.remove(drop)
        if tail and prev is not None:
            prev.tail = (prev.tail or "") + tail
        elif tail:
            parent.text = (parent.text or "") + tail
    for choice in el.xpath(f".//{CHANGED}", namespaces=NS):
        choice.remove(choice.find(T + ("reg" if keep == "orig" else "orig")))
    return "".join(el.itertext())


def plain(children: tuple[ir.Inline, ...]) -> str:
    """A paragraph's text as the IR holds it (book-title marks included, note calls not)."""
    out = []
    for n in children:
        match n:
            case ir.Text(text=t):
                out.append(t)
            case ir.BookTitle(children=c, open=o, close=cl):
                out.append(o + plain(c) + cl)
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.Span(children=c):
                out.append(plain(c))
            case ir.NoteRef() | ir.LineBreak():
                pass
            case _:
                raise AssertionError(f"unexpected {type(n).__name__} in the sample")
    return "".join(out)


def texts(doc: ir.Document, kind: type) -> list[str]:
    return [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, kind)]


@pytest.fixture(scope="module")
def archival() -> tuple[ir.Document, ir.Document, etree._Element]:
    """The source as the report reader read it (no transform), the edition, and the edition's TEI."""
    source = pipeline.read(SAMPLE)
    opts = Options(source_date_epoch=0)
    edition = pipeline.transform(source, opts)
    return source, edition, etree.fromstring(pipeline.write(edition, "tei", opts))


def body_paragraphs(root: etree._Element) -> list[etree._Element]:
    return [p for p in root.xpath("//t:body//t:p", namespaces=NS) if not p.xpath("ancestor::t:note", namespaces=NS)]


def test_every_paragraph_as_the_source_wrote_it(archival: tuple[ir.Document, ir.Document, etree._Element]) -> None:
    source, edition, root = archival
    ps = body_paragraphs(root)
    assert len(ps) == len(texts(source, ir.Para)) == 145
    assert [view(p, "orig") for p in ps] == texts(source, ir.Para)
    assert [view(p, "reg") for p in ps] == texts(edition, ir.Para)
    # the archival edition did change the text (else this proves nothing), every change recorded in place
    changed = sum(a != b for a, b in zip(texts(source, ir.Para), texts(edition, ir.Para), strict=True))
    assert changed > 100
    assert len(root.xpath(f"//t:body//{CHANGED}", namespaces=NS)) > 1000


def test_every_heading_too(archival: tuple[ir.Document, ir.Document, etree._Element]) -> None:
    source, edition, root = archival
    heads = root.xpath("//t:body//t:div/t:head", namespaces=NS)
    assert [view(h, "orig") for h in heads] == texts(source, ir.Heading)
    assert [view(h, "reg") for h in heads] == texts(edition, ir.Heading)


def test_the_numbered_paragraphs_by_number(archival: tuple[ir.Document, ir.Document, etree._Element]) -> None:
    source, _, root = archival
    by_number = {b.number: plain(b.children) for b in iter_blocks(source.blocks)
                 if isinstance(b, ir.Para) and b.number}
    assert len(by_number) == 132
    for p in root.xpath("//t:body//t:p[@n]", namespaces=NS):
        assert view(p, "orig") == by_number[p.get("n")], p.get("n")


def test_the_editorial_declaration_says_which_rules_ran(
        archival: tuple[ir.Document, ir.Document, etree._Element]) -> None:
    _, edition, root = archival
    ran = root.xpath("//t:editorialDecl/t:normalization/@source", namespaces=NS)
    assert ran == [f"docpipe:{s.name}" for s in edition.steps]
    assert {"docpipe:punctuation", "docpipe:spacing", "docpipe:numbers", "docpipe:quotes"} <= set(ran)
    assert root.xpath("//t:editorialDecl/t:p[@n='recording']", namespaces=NS)


def test_diplomatic_keeps_the_text_as_written() -> None:
    source = pipeline.read(SAMPLE)
    opts = Options(source_date_epoch=0, diplomatic=True)
    edition = pipeline.transform(source, opts)
    root = etree.fromstring(pipeline.write(edition, "tei", opts))
    assert not root.xpath(f"//{CHANGED}", namespaces=NS)
    assert [view(p, "orig") for p in body_paragraphs(root)] == texts(source, ir.Para)
    # the structure is recovered all the same, languages tagged, ids given
    assert len(root.xpath("//t:body//t:p[@n]", namespaces=NS)) == 132
    assert root.xpath("//t:p[@n='12']/@xml:id", namespaces=NS) == ["para-12"]
    assert set(root.xpath("//t:floatingText[@type='box']/@xml:lang", namespaces=NS)) == {"zh-Hans"}
    ran = root.xpath("//t:editorialDecl/t:normalization/@source", namespaces=NS)
    assert {"docpipe:lang", "docpipe:ids"} <= set(ran) <= {"docpipe:report-reader", "docpipe:lang", "docpipe:ids"}
    assert root.xpath("//t:editorialDecl/t:p[@n='diplomatic']", namespaces=NS)


def test_the_diplomatic_option_on_the_command_line(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "pipeline", "convert", str(SAMPLE), "--to", "tei", "--diplomatic",
                        "--out-dir", str(tmp_path), "--name", "d", "-q"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    root = etree.parse(str(tmp_path / "d.tei.xml")).getroot()
    assert not root.xpath(f"//{CHANGED}", namespaces=NS)
    assert root.xpath("//t:editorialDecl/t:p[@n='diplomatic']", namespaces=NS)
