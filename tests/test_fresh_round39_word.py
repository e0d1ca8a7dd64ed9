"""What the fresh Word corpus of round 39 (17 documents from 6 projects never used before, /work/fresh39-word on
the machine that measured it) found, each as the real file that showed it (tests/fixtures/fresh39word/PROVENANCE.md).
The HTML and TEI outputs are validated (TEI: jing and the Schematron)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.pandoc import read_docx
from pipeline.readers.pandoc.word_boxes import lift_text_boxes
from pipeline.walk import block_text

from .conftest import require
from .tei_validate import RNG, jing_path, saxon_available, validate

FIXTURES = Path(__file__).parent / "fixtures" / "fresh39word"
TEI = "{http://www.tei-c.org/ns/1.0}"


def read(name: str) -> ir.Document:
    return read_docx((FIXTURES / name).read_bytes(), Options(source_date_epoch=0), Diagnostics(), name=name)


def test_lists_numbered_by_the_list_number_style_stay_lists() -> None:
    """docxcompose's ``numberings_styles.docx`` (German Word: style id ``Listennummer``, name ``List Number``)
    numbers its items through the style: they are Word's ordered lists, not the numbered paragraphs of a statute."""
    doc = read("dc_numberings_styles.docx")
    lists = [b for b in doc.blocks if isinstance(b, ir.ListBlock)]
    assert sum(len(b.items) for b in lists) == 7
    assert all(b.ordered for b in lists)
    assert not any(isinstance(b, ir.Para) and b.number is not None for b in doc.blocks)


def test_a_paragraph_holding_a_text_box_keeps_its_own_text(tmp_path: Path) -> None:
    """unstructured's ``docx-shapes.docx``: four text boxes inside three paragraphs with text of their own. pandoc
    kept the boxes and dropped the three paragraphs; now both are there, each box after its paragraph, in order,
    and a box without a title has no empty title (HTML) or head (TEI)."""
    doc = read("un_shapes.docx")
    text = block_text(doc.blocks)
    for words in ("Paragraph with single", "within.", "Paragraph with floating shape attached."):
        assert words in text
    kinds = ["box" if isinstance(b, ir.Box) else "p" for b in doc.blocks]
    assert kinds == ["p", "box", "p", "box", "box", "p", "box"], kinds
    boxes = [block_text(b.blocks) for b in doc.blocks if isinstance(b, ir.Box)]
    assert boxes == ["<inline-image>", "<inline-image1>", "<inline-image2>", "<floating-shape>"]

    outputs = pipeline.convert(FIXTURES / "un_shapes.docx", ["html", "tei"], tmp_path,
                               Options(source_date_epoch=0), diag=Diagnostics()).outputs
    html = outputs["html"].read_text(encoding="utf-8")
    assert 'class="box-title"' not in html and "aria-labelledby" not in html
    tei = etree.parse(str(outputs["tei"])).getroot()
    assert not tei.findall(f".//{TEI}floatingText//{TEI}head")
    require(RNG.is_file() and jing_path() is not None and saxon_available(), "jing, saxonche and the TEI schema")
    assert not validate([outputs["tei"]])


def test_lifting_leaves_pictures_and_boxless_packages_alone() -> None:
    """A package without text boxes comes back as it was; the lifted one has no ``w:txbxContent`` left in its
    body's paragraphs but the boxes' paragraphs as body paragraphs."""
    plain = (FIXTURES / "rs_history.docx").read_bytes()
    assert lift_text_boxes(plain) is plain
    lifted = lift_text_boxes((FIXTURES / "un_shapes.docx").read_bytes())
    with zipfile.ZipFile(BytesIO(lifted)) as z:
        xml = z.read("word/document.xml")
    assert b"txbxContent" not in xml and xml.count(b"FrameContents") == 4


def test_a_japanese_core_language_does_not_name_a_latin_body() -> None:
    """docx-rs's LibreOffice ``history.docx`` says ``dc:language`` ja-JP (the author's system) over a body of
    Latin text: the language is the default text language, en-US."""
    assert read("rs_history.docx").metadata.language == "en-US"


def test_a_chinese_template_is_chinese_whatever_its_tags() -> None:
    """docx-template-system's budget_report.docx: a Chinese docxtpl template (经费预算汇总, 设备费…) whose tags
    (``{{PROJECT_NAME}}``, ``{%p if ENABLE_EQUIPMENT_FEE %}``) counted as 88 English words against 59 Han, so the
    document took Word's en-US as a whole. Tags are no words of a language: it is Chinese, Simplified."""
    from pipeline.cjk.script import without_template_tags

    assert without_template_tags("申请单位：{{APPLICANT_ORG}} {%p if X %}{# n #} {not a tag} {{ open").split() == \
        ["申请单位：", "{not", "a", "tag}", "{{", "open"]
    doc = pipeline.transform(read("zw_budget_report.docx"), Options(), Diagnostics())
    assert doc.metadata.language == "zh-Hans"
    assert "{{SUMMARY_设备费}}" in block_text(doc.blocks)  # the tags themselves stay in the text
