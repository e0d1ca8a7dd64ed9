"""A column's alignment from the source (Markdown ``|---:|``, pandoc's AlignRight, TEI ``cell/@rend``) kept in every
format: figures flush right in EPUB, HTML and PDF (CSS), DOCX (``w:jc``), Typst's PDF, TEI (``rend``) and Markdown
(the grid table's colons), and read back from each."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import iter_blocks

SOURCE = """---
title: 表
lang: zh-Hant
---

| 年份 | 國家 | 說明 | 金額 |
|:---|---|:---:|---:|
| 2001 | 阿富汗 | 人道主義援助 | 9,335 |
| 2002 | 孟加拉國 | 糧食安全 | 12 |
"""


def _table(doc: ir.Document) -> ir.Table:
    return next(b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Table))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aligns")
    (folder / "t.md").write_text(SOURCE, encoding="utf-8")
    pipeline.convert(folder / "t.md", ["epub", "docx", "tei", "md", "html"], folder / "out",
                     Options(source_date_epoch=0))
    return folder / "out"


def test_the_markdown_reader_keeps_the_alignments(outputs: Path) -> None:
    doc = pipeline.read(outputs.parent / "t.md", Options(), Diagnostics())
    assert _table(doc).aligns == ("left", "", "center", "right")


@pytest.mark.parametrize("name", ["t.tei.xml", "t.md", "t.docx", "t.epub", "t.html"])
def test_each_format_writes_them_and_reads_them_back(outputs: Path, name: str) -> None:
    doc = pipeline.read(outputs / name, Options(), Diagnostics())
    aligns = _table(doc).aligns
    # pandoc reads a DOCX, EPUB or HTML column as left only where the writer said so; docpipe writes left too
    assert aligns[2:] == ("center", "right"), (name, aligns)
    assert aligns[0] == "left" and aligns[1] == "", (name, aligns)


def test_the_markup_of_each_format(outputs: Path) -> None:
    html = (outputs / "t.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<t[dh] style="text-align: right">', html)) == 3  # the header cell too
    assert len(re.findall(r'<t[dh] style="text-align: center">', html)) == 3
    with zipfile.ZipFile(outputs / "t.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert body.count('<w:jc w:val="right"/>') == 3 and body.count('<w:jc w:val="center"/>') == 3
    tei = (outputs / "t.tei.xml").read_text(encoding="utf-8")
    assert tei.count('rend="right"') == 3 and tei.count('rend="center"') == 3
    md = (outputs / "t.md").read_text(encoding="utf-8")
    assert re.search(r"^\+:=+\+=+\+:=+:\+=+:\+$", md, re.M), md


def test_an_unknown_alignment_from_an_ir_file_is_no_markup() -> None:
    """``.ir.json`` may hold any string: only left, right and center reach an output."""
    row = (ir.Cell(blocks=(ir.Para(children=(ir.Text(text="1"),)),)),)
    doc = ir.Document(metadata=ir.Metadata(language="en"), blocks=(
        ir.Table(rows=(row,), aligns=('right" onclick="x',),),))
    html = pipeline.write(doc, "html", Options(source_date_epoch=0), Diagnostics()).decode("utf-8")
    assert "onclick" not in html and not re.search(r"<t[dh][^>]*style=", html)
