"""Word files as people write them (tests/fixtures/word, made by make_fixtures.py): every format, nothing lost."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.walk import block_text, iter_blocks
from tests.conftest import need, require_tool

need("pypandoc")
WORD = Path(__file__).parent / "fixtures" / "word"
FORMATS = ["html", "epub", "docx", "pdf", "tei", "md", "ir"]


def counts(doc: ir.Document) -> tuple[int, int, list[str]]:
    boxes = sum(isinstance(b, ir.Box) for b in iter_blocks(doc.blocks))
    numbered = [b.number for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number]
    return len(doc.notes), boxes, [n for n in numbered if n]


def test_manuscript_structure() -> None:
    doc = pipeline.read(WORD / "manuscript.docx")
    assert [block_text(n.blocks) for n in doc.notes] == ["這是一個腳注，說明資料來源。", "這是一個尾注。"]
    (table,) = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Table)]
    assert any(c.colspan == 2 for row in table.rows for c in row)
    assert any(c.rowspan == 2 for row in table.rows for c in row)
    assert any(isinstance(b, ir.ListBlock) for row in table.rows for c in row for b in iter_blocks(c.blocks))
    lists = [b for b in doc.blocks if isinstance(b, ir.ListBlock)]
    # the restarted list starts at 1 again (pandoc splits LibreOffice's second list into one list per item)
    assert lists[0].start == 1 and lists[1].start == 1 and block_text(lists[1].items[0].blocks) == "重新編號的第一項"
    assert any(isinstance(b, ir.ListBlock) for item in lists[0].items for b in item.blocks)  # nested
    assert [h.children for h in doc.blocks if isinstance(h, ir.Heading)]
    text = block_text(doc.blocks)
    for piece in ("聯合國的工作人員在世界各地開展工作", "重新編號的第二項", "子項目乙",
                  "最後一段，包含English words和數字2024"):
        assert piece in text


def test_text_boxes_and_framed_paragraphs_become_boxes() -> None:
    doc = pipeline.read(WORD / "textbox.docx")
    boxes = [b for b in doc.blocks if isinstance(b, ir.Box)]
    assert len(boxes) == 2
    assert "方塊標題" in block_text(boxes[0].blocks) or "方塊標題" in "".join(
        c.children[0].text for c in boxes[0].title if isinstance(c, ir.Strong) and isinstance(c.children[0], ir.Text))
    assert block_text(boxes[1].blocks) == "加框和底紋的段落。"
    assert [b.number for b in doc.blocks if isinstance(b, ir.Para) and b.number] == ["1", "2"]


@pytest.mark.parametrize("fixture", ["manuscript.docx", "textbox.docx"])
def test_every_format_without_loss(fixture: str, tmp_path: Path) -> None:
    source = WORD / fixture
    original = pipeline.transform(pipeline.read(source))
    result = pipeline.convert(source, FORMATS, tmp_path, Options(source_date_epoch=0))
    assert set(result.outputs) == set(FORMATS)
    for fmt in ("tei", "md", "docx", "epub", "html", "ir"):
        back = pipeline.transform(pipeline.read(result.outputs[fmt]))
        assert counts(back) == counts(original), fmt
    pdftotext = require_tool("pdftotext")
    text = re.sub(r"\s+", "", subprocess.run([pdftotext, "-enc", "UTF-8", str(result.outputs["pdf"]), "-"],
                                             capture_output=True, text=True, check=True).stdout)
    for note in original.notes:
        assert re.sub(r"\s+", "", block_text(note.blocks)) in text


def test_odt_manuscript_reads_like_the_docx() -> None:
    odt = pipeline.read(WORD / "manuscript.odt")
    docx = pipeline.read(WORD / "manuscript.docx")
    assert [block_text(n.blocks) for n in odt.notes] == [block_text(n.blocks) for n in docx.notes]
    assert sum(isinstance(b, ir.Table) for b in iter_blocks(odt.blocks)) == 1
    assert "重新編號的第二項" in block_text(odt.blocks)


def test_symbol_font_bullets_become_the_signs_they_show(tmp_path: Path) -> None:
    """docling's word_sample.docx stores its bullets as Symbol-font code points (U+F0B7), which no font but Symbol
    draws: every output shows U+2022 instead, and the PDF has no missing glyph."""
    pymupdf = need("pymupdf")
    src = WORD / "docling-word-sample.docx"
    assert "\uf0b7".encode() in zipfile.ZipFile(src).read("word/numbering.xml")
    result = pipeline.convert(src, ["html", "pdf"], tmp_path, Options(source_date_epoch=0))
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert "\uf0b7" not in html and html.count("\u2022") >= 3
    text = "".join(page.get_text() for page in pymupdf.open(str(result.outputs["pdf"])))
    assert "\uf0b7" not in text and text.count("\u2022") >= 3
