"""Statutes (tests/fixtures/statute): 第N条 articles as numbered paragraphs, 第N章 headings, （一） items, everywhere.

Expected counts are taken from the source text with plain regular expressions, never written in the test.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.readers.report.structure import cjk_number
from pipeline.walk import iter_blocks, plain
from tests.conftest import need, require_tool

STATUTE = Path(__file__).parent / "fixtures" / "statute"
SOURCES = ["public-library-law.md", "public-library-law.txt"]
ARTICLE_LINE = re.compile(r"^(第([一二三四五六七八九十百]+)条)([ \u3000])(\S{4})", re.M)


def expected(name: str) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    """(label, number, separator) of every article, the chapter labels and the item labels of the source."""
    text = (STATUTE / name).read_text(encoding="utf-8")
    articles = [(m.group(1), str(cjk_number(m.group(2))), m.group(3)) for m in ARTICLE_LINE.finditer(text)]
    chapters = re.findall(r"^(?:#+ )?(第[一二三四五六七八九十]+章)", text, re.M)
    items = re.findall(r"^(（[一二三四五六七八九十]+）)", text, re.M)
    return articles, chapters, items


@pytest.mark.skipif(not Path(STATUTE).exists(), reason="no statute fixtures")
@pytest.mark.parametrize("name", SOURCES)
def test_articles_chapters_and_items(name: str) -> None:
    need("pypandoc")
    articles, chapters, items = expected(name)
    assert len(articles) > 20 and chapters and items
    doc = pipeline.transform(pipeline.read(STATUTE / name))
    assert pipeline.describe(doc)["paragraphs"] == [n for _, n, _ in articles]
    assert [h.label for h in iter_blocks(doc.blocks) if isinstance(h, ir.Heading)] == chapters
    lists = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.ListBlock)]
    assert [i.label for lst in lists for i in lst.items] == items
    if name.endswith(".md"):  # the report reader's list builder (readers/report/__init__.py) orders digits only
        assert all(lst.ordered for lst in lists)
    paras = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number]
    for para, (label, _, sep) in zip(paras, articles, strict=True):
        text = plain(para.children)
        # the label as written, then the separator (an ideographic space; an ASCII one is kept in Text.orig)
        assert text.startswith(label + "\u3000"), text[:12]
        assert not text[len(label) + 1:].startswith((" ", "\u3000"))
        if name.endswith(".md"):
            first = para.children[0]
            assert isinstance(first, ir.Span) and first.classes == ("label",) and plain(first.children) == label
            gap = para.children[1]
            assert isinstance(gap, ir.Text) and (gap.orig or gap.text) == sep


@pytest.mark.parametrize("name", SOURCES)
def test_every_writer_shows_the_articles(name: str, tmp_path: Path) -> None:
    need("pypandoc")
    articles, _, _ = expected(name)
    out = pipeline.convert(STATUTE / name, ["epub", "docx", "pdf", "tei", "html"], tmp_path,
                           Options(source_date_epoch=0)).outputs
    want = [f"{label}\u3000" for label, _, _ in articles]

    def in_order(text: str, what: str) -> None:
        pos = 0
        for piece in want:
            at = text.find(piece, pos)
            assert at >= 0, (what, piece)
            pos = at + len(piece)

    with zipfile.ZipFile(out["epub"]) as z:
        in_order("".join(etree.fromstring(z.read(n)).xpath("string(.)") for n in sorted(z.namelist())
                         if "/text/chapter-" in n), "epub")
    with zipfile.ZipFile(out["docx"]) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    in_order("\n".join("".join(t.text or "" for t in p.iter(f"{w}t")) for p in body.iter(f"{w}p")), "docx")
    marks = {b.get(f"{w}name") for b in body.iter(f"{w}bookmarkStart")}
    assert {f"para-{n}" for _, n, _ in articles} <= marks
    tei = etree.parse(str(out["tei"]))
    t = "{http://www.tei-c.org/ns/1.0}"
    body_el = tei.find(f".//{t}body")
    assert body_el is not None
    for orig in list(body_el.iter(f"{t}orig")):  # the source's own separator, beside our regularised one
        orig.getparent().remove(orig)  # type: ignore[union-attr]
    in_order("".join(body_el.itertext()), "tei")
    assert [p.get("n") for p in body_el.iter(f"{t}p") if p.get("n")] == [n for _, n, _ in articles]
    pdftotext = require_tool("pdftotext")
    pdf = subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", str(out["pdf"]), "-"], capture_output=True, text=True,
                         check=True).stdout
    # the PDF's ideographic space is a gap in the layout, not a character: the label, then the text
    text = (STATUTE / name).read_text(encoding="utf-8")
    want[:] = [m.group(1) + m.group(4) for m in ARTICLE_LINE.finditer(text)]
    in_order(re.sub(r"\s+", "", pdf), "pdf")
