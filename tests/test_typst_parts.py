"""A long document's PDF laid out by Typst in parts and joined (issue 25: 100 000 paragraphs under 1.5 GB; the
machinery of pipeline/writers/typst_parts.py). Run here on small documents with small parts: cut at chapter
openings, the parts' PDF is the one-piece PDF page for page — text, folios, running heads, page labels, named
destinations, bookmarks, contents; cut inside a run of text, every paragraph is still there in order, folios run
on, rectos and versos keep their margins and running heads, and every link reaches its destination."""

from __future__ import annotations

import io
import re

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.writers import typst
from tests.conftest import ROOT, need
from tests.test_book_pdf import check_book

EPOCH = 1724198400
MM = 72 / 25.4
TRPL = ROOT / "tests" / "fixtures" / "books" / "trpl-docpipe" / "docpipe.toml"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _book(tmp_path_factory: pytest.TempPathFactory, limit: int | None) -> tuple[bytes, ir.Document]:
    saved = typst.PARTED_TEXT, typst.PART_SOURCE
    try:
        if limit is not None:
            typst.PARTED_TEXT, typst.PART_SOURCE = 0, limit
        out = tmp_path_factory.mktemp("parts")
        result = pipeline.convert(TRPL, ["pdf"], out, Options(source_date_epoch=EPOCH, pdf_engine="typst"))
    finally:
        typst.PARTED_TEXT, typst.PART_SOURCE = saved
    assert result.document is not None
    return result.outputs["pdf"].read_bytes(), result.document


def _read(data: bytes) -> dict[str, object]:
    pypdf, pymupdf = need("pypdf"), need("pymupdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    outline: list[tuple[int, str, int]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                outline.append((depth, item.title, reader.get_destination_page_number(item)))  # type: ignore

    walk(reader.outline, 0)
    pdf = pymupdf.open(stream=data, filetype="pdf")
    return {
        "pages": [squash(page.get_text()) for page in pdf],
        "labels": list(reader.page_labels),
        "dests": {n: reader.get_destination_page_number(d) for n, d in reader.named_destinations.items()},
        "outline": outline,
    }


def _links(data: bytes) -> list[tuple[int, dict[str, object]]]:
    pymupdf = need("pymupdf")
    pdf = pymupdf.open(stream=data, filetype="pdf")
    return [(i, link) for i, page in enumerate(pdf) for link in page.get_links()]


def test_a_book_cut_at_its_chapters_is_the_book_in_one_piece(tmp_path_factory: pytest.TempPathFactory) -> None:
    whole, doc = _book(tmp_path_factory, None)
    parted, _ = _book(tmp_path_factory, 60_000)
    assert whole != parted  # laid out differently (several files joined), yet the same pages:
    one, many = _read(whole), _read(parted)
    assert len(many["pages"]) == len(one["pages"])  # type: ignore[arg-type]
    for i, (a, b) in enumerate(zip(one["pages"], many["pages"], strict=True)):  # type: ignore[call-overload]
        assert a == b, f"page {i + 1} differs"
    assert many["labels"] == one["labels"]
    assert many["dests"] == one["dests"]
    assert many["outline"] == one["outline"] and many["outline"]
    check_book(parted, doc)  # every rule of the printed book (openings, folios, heads, blank versos)
    for page, link in _links(parted):
        assert "docpipe-dest" not in str(link.get("uri", "")), (page, link)


def _long_document(chapters: int = 2, paragraphs: int = 120) -> ir.Document:
    han = "天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽雲騰致雨露結為霜金生麗水玉出崑岡"
    blocks: list[ir.Block] = []
    notes = []
    for c in range(1, chapters + 1):
        blocks.append(ir.Heading(level=1, children=(ir.Text(text=f"第{c}章"),), id=f"ch-{c}"))
        for p in range(1, paragraphs + 1):
            text = f"〔{c}-{p}〕" + "".join(han[(c * 7 + p * 3 + k) % len(han)] for k in range(90)) + "。"
            children: tuple[ir.Inline, ...] = (ir.Text(text=text),)
            if c == chapters and p == paragraphs // 2:
                children += (ir.Link(children=(ir.Text(text="見第一章"),), target="#para-1-5"),
                             ir.NoteRef(note_id="fn-1", marker="1"))
                notes.append(ir.Note(id="fn-1", marker="1", blocks=(ir.Para(children=(ir.Text(text="注文。"),)),)))
            blocks.append(ir.Para(children=children, id=f"para-{c}-{p}"))
    meta = ir.Metadata(title="長文", language="zh-Hant")
    return ir.Document(metadata=meta, blocks=tuple(blocks), notes=tuple(notes))


def _write(doc: ir.Document, limit: int | None) -> tuple[bytes, Diagnostics]:
    saved = typst.PARTED_TEXT, typst.PART_SOURCE
    diag = Diagnostics()
    try:
        if limit is not None:
            typst.PARTED_TEXT, typst.PART_SOURCE = 0, limit
        return pipeline.write(doc, "pdf", Options(source_date_epoch=EPOCH, pdf_engine="typst"), diag), diag
    finally:
        typst.PARTED_TEXT, typst.PART_SOURCE = saved


def test_a_run_of_text_cut_between_paragraphs_loses_nothing() -> None:
    pymupdf = need("pymupdf")
    doc = _long_document()
    data, diag = _write(doc, 9_000)  # parts of five pages: some begin on a verso
    assert any("parts" in d.message for d in diag.items), "the document was not laid out in parts"
    assert _write(doc, 9_000)[0] == data  # deterministic
    pdf = pymupdf.open(stream=data, filetype="pdf")
    text = "".join(squash(page.get_text()) for page in pdf)
    at = -1
    for c in (1, 2):  # every paragraph, in order
        for p in range(1, 121):
            found = text.find(f"〔{c}-{p}〕", at + 1)
            assert found > at, f"paragraph {c}-{p} missing or out of order"
            at = found
    info = _read(data)
    chapter_2 = info["dests"]["ch-2"]  # type: ignore[index]
    openings = {info["dests"]["ch-1"], chapter_2}  # type: ignore[index]
    for i, page in enumerate(pdf):
        if i == 0 or i in openings or not squash(page.get_text()) or squash(page.get_text()).startswith("目錄"):
            continue  # the title page, the contents, an opening page, a blank verso: no running head
        words = page.get_text("words")
        top = min(w[1] for w in words)
        head = "".join(w[4] for w in sorted((w for w in words if w[1] < top + 2), key=lambda w: w[0]))
        assert str(i + 1) in head, (i + 1, head)  # folios run on across the cuts
        if i % 2 == 0:  # a recto: the chapter's running head, carried into a part cut inside the chapter
            assert ("第2章" if i > chapter_2 else "第1章") in head, (i + 1, head)
        body = [w for w in words if w[1] > top + 20]
        left = min(w[0] for w in body)
        inner, outer = 25 * MM, 20 * MM
        assert abs(left - (inner if i % 2 == 0 else outer)) < 12, (i + 1, left)  # margins by the page's side
    links = [link for _, link in _links(data) if link.get("kind") == pymupdf.LINK_NAMED or link.get("page", -1) >= 0]
    para = info["dests"]["para-1-5"]  # type: ignore[index]
    assert any(link.get("page") == para or link.get("nameddest") == "para-1-5" for link in links), links[:5]
    for page, link in _links(data):
        assert "docpipe-dest" not in str(link.get("uri", "")), (page, link)
