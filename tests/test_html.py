"""The HTML writer: nested sections, paragraph anchors, boxes, two-way note links, lang, the sample's text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.writers.xhtml import autospace
from tests.conftest import SAMPLE
from tests.test_report_reader import HAN, han_of_doc


@pytest.fixture(scope="module")
def sample_html() -> tuple[ir.Document, etree._Element]:
    doc = pipeline.transform(pipeline.read(SAMPLE))
    data = pipeline.write(doc, "html", Options(source_date_epoch=0))
    assert data.startswith(b"<!DOCTYPE html>")
    return doc, html.fromstring(data)


def test_paragraph_anchors_and_numbers(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    paras = root.xpath("//p[@class='numbered']")
    assert [p.get("id") for p in paras] == [f"para-{n}" for n in range(1, 133)]
    assert all(p[0].get("class") == "para-num" and p[0].text == f"{n}." for n, p in enumerate(paras, 1))


def test_nested_sections(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    chapters = root.xpath("//main/section[@class='level1']")
    assert len(chapters) == 3
    assert len(chapters[1].xpath("./section[@class='level2']")) == 8
    for sec in root.xpath("//section[starts-with(@class, 'level')]"):
        depth = len(sec.xpath("ancestor::section")) + 1
        assert sec[0].tag == f"h{depth}" and int(sec.get("class")[5:]) >= depth
    assert root.xpath("string(//section[@class='level1'][1]/h1/span[@class='label'])") == "第一章"


def test_boxes_are_titled_asides_in_their_language(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    boxes = root.xpath("//aside[@class='box']")
    assert len(boxes) == 12
    assert all(b.get("lang") == "zh-Hans" for b in boxes)
    assert all(b[0].get("class") == "box-title" and b[0].get("id") == b.get("aria-labelledby") for b in boxes)
    assert sum(len(b.xpath("./p[not(@class)]")) for b in boxes) == 13
    assert root.get("lang") == "zh-Hant"


def test_footnote_links_both_ways(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    (ref,) = root.xpath("//a[@class='noteref']")
    assert ref.get("href") == "#fn-1" and ref.get("id") == "fnref-1"
    assert ref.xpath("ancestor::p/@id") == ["para-2"]
    (note,) = root.xpath("//section[@class='footnotes']/aside[@id='fn-1']")
    assert note.xpath("string(.//a[@class='note-back']/@href)") == "#fnref-1"
    assert "按照聯合國秘書處的經常預算" in note.text_content()


def test_metadata_in_head(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    metas = {m.get("name"): m.get("content") for m in root.xpath("//head/meta[@name]")}
    assert metas["dcterms.identifier"] == "A/79/1" and metas["dcterms.date"] == "2024-08-21"
    assert root.xpath("string(//head/title)").startswith("聯合國秘書長關於聯合國工作的報告")
    assert "2024年8月21日" in root.xpath("string(//header[@class='titlepage'])")
    assert root.xpath("//footer[@class='rights']/ol/li")


def test_han_text_equals_the_source(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    for el in root.xpath("//head | //header[@class='titlepage']"):
        el.getparent().remove(el)
    out = "".join(HAN.findall(root.text_content()))
    assert out == han_of_doc(pipeline.read(SAMPLE))


def test_escaping_and_every_node(tmp_path: object) -> None:
    doc = ir.Document(
        metadata=ir.Metadata(title="<T&>", language="en"),
        blocks=(
            ir.Heading(level=2, children=(ir.Text(text="a<b"),), id="h-1"),
            ir.Para(children=(ir.Emph(children=(ir.Text(text="e"),)), ir.Strong(children=(ir.Text(text="s"),)),
                              ir.Code(text="<code>"), ir.Link(children=(ir.Text(text="l"),), target="#h-1"),
                              ir.Span(children=(ir.Text(text="中文"),), lang="zh-Hant"), ir.LineBreak())),
            ir.ListBlock(items=(ir.ListItem(blocks=(ir.Para(children=(ir.Text(text="i"),)),)),), ordered=True,
                         start=3),
            ir.BlockQuote(blocks=(ir.Para(children=(ir.Text(text="q"),)),)),
            ir.Table(rows=((ir.Cell(blocks=(ir.Para(children=(ir.Text(text="h"),)),)),),
                           (ir.Cell(blocks=(), colspan=2),)), head_rows=1),
            ir.Figure(images=(ir.Image(media="", alt=(ir.Text(text="alt"),), source="x.png"),),
                      caption=(ir.Text(text="cap"),), label="Figure 1", id="fig-1"),
            ir.Para(children=(ir.Math(tex="x^2", display=False), ir.Milestone(unit="page", n="7"))),
            ir.CodeBlock(text="a < b"),
            ir.Div(blocks=(), classes=("kept",), attrs=(("role-x", "y"),)),
        ),
    )
    out = pipeline.write(doc, "html").decode()
    assert "&lt;T&amp;&gt;" in out and "a&lt;b" in out and "&lt;code&gt;" in out
    root = html.fromstring(out)
    assert root.xpath("//ol/@start") == ["3"] and root.xpath("//td/@colspan") == ["2"]
    assert root.xpath("//span[@lang='zh-Hant']/text()") == ["中文"]
    assert root.xpath("//div[@class='kept']/@data-role-x") == ["y"]
    assert root.xpath("//a[text()='l']/@href") == ["#h-1"]
    # a picture that was never read is a visible placeholder, not a broken <img>
    assert root.xpath("//figure[@id='fig-1']/span[@class='missing-image']/text()") == ["[alt]"]
    assert root.xpath("string(//figure/figcaption)") == "Figure 1 cap"
    assert root.xpath("//*[local-name()='math']/@alttext") == ["x^2"]


@pytest.mark.parametrize("text, runs", [
    ("在2023年", ["2023"]),
    ("共有LGBTIQ+人", ["LGBTIQ+"]),
    ("見S/2024/292號", ["S/2024/292"]),
    ("升溫1.5°C以內", ["1.5°C"]),
    ("english only", []),
    ("中文。", []),
])
def test_autospace_runs(text: str, runs: list[str]) -> None:
    assert [p for p, latin in autospace(text) if latin] == runs
    assert "".join(p for p, _ in autospace(text)) == text


def test_no_space_character_is_added(sample_html: tuple[ir.Document, etree._Element]) -> None:
    _, root = sample_html
    para = root.xpath("//p[@id='para-7']")[0]
    assert re.search(r"幫助了74個國家的2\.45億人", para.text_content())


# ------------------------------------------------------------------------------- the HTML reader: wrapper divs

DIV_WRAPPED = Path(__file__).parent / "fixtures" / "html" / "div-wrapped-headings.html"


def test_headings_inside_wrapper_divs_are_section_headings_in_every_output(tmp_path: Path) -> None:
    """A ``div`` with only a class (or an id) is no floating text: its headings open the document's sections in
    TEI (``div/head``, never ``ab type="docpipe-heading"``), HTML, EPUB's contents and DOCX; a note stays an
    aside, and a link to the wrapper's id still lands."""
    from .epubcheck_run import epubcheck
    from .tei_validate import jing, jing_path
    out = pipeline.convert(DIV_WRAPPED, ["tei", "html", "epub", "docx"], tmp_path,
                           Options(source_date_epoch=0)).outputs
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    tei = etree.parse(str(out["tei"]))
    heads = [h.xpath("string()") for h in tei.xpath("//t:div/t:head", namespaces=ns)]
    assert heads == ["Units of measure", "Overview", "Converting between units", "Rounding", "Summary"]
    assert not tei.xpath("//t:ab[@type='docpipe-heading']", namespaces=ns)
    rounding = tei.xpath("//t:div[t:head='Rounding']", namespaces=ns)[0]
    assert rounding.get("type") == "subsection" and rounding.getparent().xpath("string(t:head)", namespaces=ns) \
        == "Converting between units"
    assert tei.xpath("string(//t:floatingText[@rend='note']/t:body/t:head)", namespaces=ns) == "A note with a title"
    assert tei.xpath("//*[@xml:id='wrapped-list']", namespaces=ns)  # the link's target kept
    if jing_path() is not None:
        assert jing([out["tei"]]) == {}
    page = html.fromstring(out["html"].read_bytes())
    assert [s.xpath("string(h2)") for s in page.xpath("//main/section/section[@class='level2']")] == \
        ["Overview", "Converting between units", "Summary"]
    assert page.xpath("//section[@class='level3']/h3/text()") == ["Rounding"]
    with zipfile.ZipFile(out["epub"]) as z:
        nav = z.read("EPUB/nav.xhtml").decode()
    assert all(f">{h}<" in nav for h in heads)
    assert epubcheck(out["epub"], "-q").returncode == 0
    with zipfile.ZipFile(out["docx"]) as z:
        document = z.read("word/document.xml").decode()
    styles = re.findall(r'<w:pStyle w:val="(Heading\d)"/>.*?<w:t[^>]*>([^<]*)', document)
    assert [s for s, t in styles if t in heads] == ["Heading1", "Heading2", "Heading2", "Heading3", "Heading2"]
