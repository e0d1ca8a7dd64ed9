"""Readers through pandoc: the sample survives Markdown, EPUB and DOCX round trips; contained and checked."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

import pipeline
from pipeline import ir
from pipeline.errors import InputError, LimitError
from pipeline.options import Options
from pipeline.walk import block_text, iter_blocks, plain
from tests.conftest import SAMPLE, need

need("pypandoc")


def structure(doc: ir.Document) -> dict[str, Any]:
    """What every round trip must keep: numbered paragraphs with their text, headings, boxes, notes."""
    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s)

    return {
        "paras": [(b.number, squash(plain(b.children))) for b in iter_blocks(doc.blocks)
                  if isinstance(b, ir.Para) and b.number],
        "headings": [(b.level, b.label, squash(plain(b.children))) for b in iter_blocks(doc.blocks)
                     if isinstance(b, ir.Heading)],
        "boxes": [(squash(plain(b.title)), [squash(plain(p.children)) for p in b.blocks if isinstance(p, ir.Para)])
                  for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)],
        "notes": [squash(block_text(n.blocks)) for n in doc.notes],
    }


@pytest.fixture(scope="module")
def sample() -> ir.Document:
    return pipeline.transform(pipeline.read(SAMPLE))


@pytest.mark.parametrize("fmt", ["md", "epub", "docx", "html"])
def test_round_trip_keeps_the_structure(fmt: str, sample: ir.Document, tmp_path: Path) -> None:
    out = pipeline.convert(SAMPLE, [fmt], tmp_path, Options(source_date_epoch=0)).outputs[fmt]
    back = pipeline.transform(pipeline.read(out))
    want, got = structure(sample), structure(back)
    assert len(got["paras"]) == 132
    assert got["paras"] == want["paras"]
    assert got["headings"] == want["headings"]
    assert len(got["boxes"]) == 12 and got["boxes"] == want["boxes"]
    assert got["notes"] == want["notes"]


def test_markdown_round_trip_keeps_metadata(sample: ir.Document, tmp_path: Path) -> None:
    out = pipeline.convert(SAMPLE, ["md"], tmp_path, Options(source_date_epoch=0)).outputs["md"]
    m = pipeline.read(out).metadata
    assert (m.title, m.symbol, m.date, m.place, m.session, m.publisher, m.language) == (
        sample.metadata.title, "A/79/1", "2024-08-21", "紐約", sample.metadata.session, "聯合國秘書處", "zh-Hant")
    assert m.authors == sample.metadata.authors and m.edition_notes == sample.metadata.edition_notes
    assert "公有領域" in block_text(m.rights) and any(isinstance(b, ir.ListBlock) for b in m.rights)


def test_markdown_report_numbers_are_paragraphs_not_lists(tmp_path: Path) -> None:
    src = tmp_path / "r.md"
    src.write_text("---\ntitle: 報告\n---\n\n# 導言\n\n1. 第一段。\n\n2. 第二段。\n\n"
                   "::: {.box title=\"專欄\"}\n專欄正文。\n:::\n\n- 清單項\n- 另一項\n\n3. 第三段[^a]。\n\n"
                   "[^a]: 注釋。\n", encoding="utf-8")
    d = pipeline.describe(pipeline.read(src))
    assert d["paragraphs"] == ["1", "2", "3"]
    assert d["boxes"][0]["title"] == "專欄" and d["footnotes"][0]["text"] == "注釋。"
    doc = pipeline.read(src)
    assert any(isinstance(b, ir.ListBlock) and not b.ordered for b in doc.blocks)


def test_pandoc_failure_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a real archive")
    with pytest.raises(InputError, match=r"broken\.docx"):
        pipeline.read(bad)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_archive_path_traversal_refused(tmp_path: Path) -> None:
    f = tmp_path / "evil.docx"
    f.write_bytes(_zip({"[Content_Types].xml": b"<x/>", "../../etc/evil": b"x"}))
    with pytest.raises(InputError, match="outside the archive"):
        pipeline.read(f)


def test_archive_bomb_refused(tmp_path: Path) -> None:
    f = tmp_path / "bomb.epub"
    f.write_bytes(_zip({"mimetype": b"application/epub+zip", "big.xhtml": b"0" * 30_000_000}))
    with pytest.raises(LimitError):
        pipeline.read(f, Options(max_expanded_bytes=10_000_000))


def test_entities_in_archives_refused(tmp_path: Path) -> None:
    f = tmp_path / "ent.docx"
    f.write_bytes(_zip({"[Content_Types].xml": b"<x/>",
                        "word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aa">]><d>&a;</d>'}))
    with pytest.raises(InputError, match="entities"):
        pipeline.read(f)


def test_the_reader_package_keeps_its_entry_points() -> None:
    from pipeline import registry
    from pipeline.readers import pandoc

    for name in ("markdown", "docx", "odt", "html", "epub", "org"):
        spec = registry.READERS[name]
        module, _, func = spec.partition(":")
        assert module == "pipeline.readers.pandoc" and callable(getattr(pandoc, func))
    # one job per module: running pandoc, the AST converter, Word specifics, Markdown/HTML before pandoc
    for job in ("run", "convert", "word", "word_numbering", "markup", "rawhtml", "statutes"):
        assert __import__(f"pipeline.readers.pandoc.{job}", fromlist=["_"]).__doc__


def test_pandocs_own_warnings_become_diagnostics_once() -> None:
    from pipeline.readers.pandoc.run import pandoc_warnings
    err = (b"[WARNING] Could not convert TeX math \\frac{, rendering as TeX:\n  \\frac{\n  ^\n"
           b"[INFO] Running filter\n[WARNING] Duplicate identifier 'a' at line 3 column 1\n")
    assert pandoc_warnings(err) == ["Could not convert TeX math \\frac{, rendering as TeX: \\frac{ ^",
                                    "Duplicate identifier 'a' at line 3 column 1"]
    assert len(pandoc_warnings(b"[WARNING] x\n" * 500)) == 50


def test_row_headers_of_a_table_body_stay_header_cells(tmp_path: Path) -> None:
    """``<th scope="row">`` in a table's body (pandoc's row head columns) is a header cell, as ``<th>`` in its
    head is: ``th`` in EPUB and HTML, ``cell role="label"`` in TEI; a row spanning down keeps the column count."""
    src = tmp_path / "rows.html"
    src.write_text("<html lang='en'><head><title>Rows</title></head><body><table><thead><tr><th>Name</th>"
                   "<th>Value</th><th>Note</th></tr></thead><tbody>"
                   "<tr><th scope='row' rowspan='2'>alpha</th><td>1</td><td>a</td></tr><tr><td>2</td><td>b</td></tr>"
                   "<tr><th scope='row'>beta</th><td>3</td><td>c</td></tr></tbody></table></body></html>",
                   encoding="utf-8")
    table = next(b for b in iter_blocks(pipeline.read(src).blocks) if isinstance(b, ir.Table))
    headers = [[c.header for c in row] for row in table.rows]
    assert headers == [[True, True, True], [True, False, False], [False, False], [True, False, False]]
    out = pipeline.convert(src, ["html"], tmp_path / "out", Options(source_date_epoch=0)).outputs["html"]
    text = out.read_text(encoding="utf-8")
    assert re.search(r"<th[^>]*>(<p>)?alpha", text) and re.search(r"<th[^>]*>(<p>)?beta", text)
    assert re.search(r"<td[^>]*>(<p>)?2<", text) and not re.search(r"<th[^>]*>(<p>)?2<", text)
