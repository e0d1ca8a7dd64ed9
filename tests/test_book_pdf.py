"""The printed book (issue 24), on both PDF engines: front matter (the divisions before the body, and the
contents) in lower-roman folios, the body in arabic from 1 at its first division, every division opening on an
odd page with no running head and its folio at the foot (a copyright page on the verso of its title page, with
no folio), blank versos blank, running heads from the chapter's title, appendices labelled — all read back
from the PDF's page labels (``/PageLabels``), named destinations and text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import plain
from pipeline.writers.divisions import MADE_PAGES, divisions
from tests.conftest import ROOT, need

ENGINES = ["typst", "weasyprint"]
EPOCH = 1724198400
MM = 72 / 25.4
BOOKS = ROOT / "tests" / "fixtures" / "books"
ROMAN = re.compile(r"[ivxlc]+")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def lines_in(page: object, top: float | None = None, bottom: float | None = None) -> str:
    """The text of the lines whose baseline lies above ``top`` or whose top lies below ``bottom``."""
    out = []
    for block in page.get_text("dict")["blocks"]:  # type: ignore[attr-defined]
        for line in block.get("lines", []):
            text = "".join(s["text"] for s in line["spans"])
            if (top is not None and line["bbox"][3] < top) or (bottom is not None and line["bbox"][1] > bottom):
                out.append(text)
    return squash("".join(out))


def check_book(data: bytes, doc: ir.Document) -> dict[str, int]:
    """Every rule of a printed book, checked on ``data``; the opening page of each division by heading id."""
    pypdf, pymupdf = need("pypdf"), need("pymupdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    labels = list(reader.page_labels)
    dests = {name: reader.get_destination_page_number(d) + 1 for name, d in reader.named_destinations.items()}
    pdf = pymupdf.open(stream=data, filetype="pdf")
    n = len(pdf)
    book = divisions(doc.blocks)
    assert book, "the document has no book divisions"
    opening = {d.heading.id: dests[d.heading.id] for d in book if d.heading.id}
    assert len(opening) == len(book)

    # folios: front matter roman from i, the body arabic from 1 at its first division, to the end
    first_body = next(opening[d.heading.id] for d in book if d.place != "front")
    front = labels[:first_body - 1]
    assert front == [_roman(i) for i in range(1, first_body)], front
    assert labels[first_body - 1:] == [str(i) for i in range(1, n - first_body + 2)], labels[first_body - 1:]
    for d in book:
        assert (ROMAN.fullmatch(labels[opening[d.heading.id] - 1]) is not None) == (d.place == "front"), d.role

    # every division opens on a recto (a copyright page on the verso of the title page), with no running head
    for d in book:
        page = opening[d.heading.id]
        if d.role == "copyright-page":
            assert page % 2 == 0, (d.role, page)
        else:
            assert page % 2 == 1, (d.role, page, labels[page - 1])
        p = pdf[page - 1]
        assert not lines_in(p, top=24 * MM), (d.role, page, lines_in(p, top=24 * MM))
        foot = lines_in(p, bottom=p.rect.height - 21 * MM)
        folio = re.compile(rf"(?<![0-9a-z]){labels[page - 1]}(?![0-9a-z])")
        if d.role in MADE_PAGES:
            assert not folio.search(foot), (d.role, page, foot)  # no folio on a made page
        else:
            assert folio.search(foot), (d.role, page, foot)  # the folio dropped to the foot (a box's mark beside)
    # appendices labelled on their opening page
    for d in book:
        if d.role == "appendix" and d.heading.label:
            word = "附录" if (doc.metadata.language or "").startswith("zh") else "Appendix"
            assert f"{word}{d.heading.label}" in squash(pdf[opening[d.heading.id] - 1].get_text())

    # the contents open on a recto in the front matter, with no running head
    contents = [i for i in range(1, n + 1) if re.match("目录|目錄|Contents", squash(pdf[i - 1].get_text()))][:1]
    for i in contents:
        assert i % 2 == 1 and i < first_body and not lines_in(pdf[i - 1], top=24 * MM), (i, labels[i - 1])

    # blank pages: nothing at all, and only before an opening (a verso left so that a division opens on a recto)
    opens = set(opening.values()) | set(contents)
    for i in range(1, n + 1):
        if not squash(pdf[i - 1].get_text()):
            assert i + 1 in opens and i % 2 == 0, (i, labels[i - 1])

    # running heads on the other pages: the folio and the book's title on a verso, the chapter's title (the
    # division the page belongs to, a chapter rather than its part) and the folio on a recto
    title = squash(doc.metadata.title or "")
    order = sorted((page, d) for d, page in ((d, opening[d.heading.id]) for d in book))
    checked = 0
    for i in range(1, n + 1):
        text = squash(pdf[i - 1].get_text())
        if i in opens or not text:
            continue
        head = lines_in(pdf[i - 1], top=24 * MM)
        current = [d for page, d in order if page <= i][-1:]
        if not current or current[0].role in MADE_PAGES:
            continue
        label = labels[i - 1]
        if i % 2 == 0:
            assert head in (f"{label}{title}", f"{title}{label}"), (i, head)
        else:
            d = current[0]
            name = squash(plain(d.heading.children))
            assert name in head and head.endswith(label), (i, head, name)
        checked += 1
    assert checked >= 3
    return opening


def _roman(i: int) -> str:
    out = ""
    for value, digits in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                          (4, "iv"), (1, "i")):
        while i >= value:
            out += digits
            i -= value
    return out


@pytest.fixture(scope="module", params=ENGINES)
def trpl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, ir.Document]:
    """trpl-zh-cn's ownership chapters as a docpipe.toml book: half-title, title page, copyright page,
    dedication, a foreword, a part of two chapters, a lettered appendix and a colophon."""
    out = tmp_path_factory.mktemp(f"book-{request.param}")
    result = pipeline.convert(BOOKS / "trpl-docpipe" / "docpipe.toml", ["pdf"], out,
                              Options(source_date_epoch=EPOCH, pdf_engine=request.param))
    assert result.document is not None
    return result.outputs["pdf"].read_bytes(), result.document


def test_real_book_folios_openings_and_heads(trpl: tuple[bytes, ir.Document]) -> None:
    data, doc = trpl
    opening = check_book(data, doc)
    roles = [d.role for d in divisions(doc.blocks)]
    assert roles[:4] == ["halftitlepage", "titlepage", "copyright-page", "dedication"] and "appendix" in roles
    assert min(opening.values()) == 1


def test_real_book_contents_in_the_front_matter(trpl: tuple[bytes, ir.Document]) -> None:
    """The contents follow the pages printed before them, on a recto in roman folios, and leave those pages
    out; each entry's page number is the folio its division opens on."""
    pypdf, pymupdf = need("pypdf"), need("pymupdf")
    data, doc = trpl
    labels = list(pypdf.PdfReader(io.BytesIO(data)).page_labels)
    pdf = pymupdf.open(stream=data, filetype="pdf")
    page = next(i for i in range(len(pdf)) if squash(pdf[i].get_text()).startswith("目录"))
    assert page % 2 == 0 and ROMAN.fullmatch(labels[page]), (page + 1, labels[page])  # page: 0-based
    text = re.sub(r"[\s·.\u2060]+", "", pdf[page].get_text())
    assert "版权信息" not in text and "献词" not in text
    reader = pypdf.PdfReader(io.BytesIO(data))
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    for d in divisions(doc.blocks):
        if d.role in ("chapter", "appendix", "foreword", "colophon"):
            name = squash(plain(d.heading.children))
            assert re.search(re.escape(name) + re.escape(labels[dests[d.heading.id or ""]]), text), name


def _english_book() -> ir.Document:
    """A hand-built English book: a title page, a dedication, a preface, two chapters, an appendix."""
    words = ("The quick brown fox jumps over the lazy dog while the printer sets another line of type. " * 12).strip()

    def para(text: str = words) -> ir.Para:
        return ir.Para(children=(ir.Text(text=text),))

    def head(text: str, ident: str, role: str | None = None, level: int = 1, label: str | None = None) -> ir.Heading:
        return ir.Heading(level=level, children=(ir.Text(text=text),), id=ident, role=role, label=label)

    blocks: list[ir.Block] = [
        head("A Printer's Book", "titlepage", "titlepage"),
        ir.Para(children=(ir.Span(children=(ir.Text(text="Ada Compositor"),), classes=("author",)),)),
        head("Dedication", "dedication", "dedication"),
        ir.Para(children=(ir.Span(children=(ir.Text(text="For every reader of proofs"),), classes=("dedication",)),)),
        head("Preface", "preface", "preface"), *[para() for _ in range(3)],
        head("Setting Type", "chapter-1", "chapter"), *[para() for _ in range(14)],
        head("Imposition", "sec-1", level=2), *[para() for _ in range(6)],
        head("Proofs", "chapter-2", "chapter"), *[para() for _ in range(5)],
        head("Type Specimens", "appendix-a", "appendix", label="A"), *[para() for _ in range(9)],
    ]
    meta = ir.Metadata(title="A Printer's Book", authors=("Ada Compositor",), language="en")
    return ir.Document(metadata=meta, blocks=tuple(blocks))


@pytest.mark.parametrize("engine", ENGINES)
def test_hand_built_book_with_front_matter(engine: str) -> None:
    doc = _english_book()
    data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
    opening = check_book(data, doc)
    assert opening["titlepage"] == 1 and opening["chapter-1"] > opening["preface"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_document_that_is_no_book_keeps_arabic_folios(engine: str) -> None:
    """Without divisions nothing changes: no roman front matter (the folios count from the title page)."""
    pypdf = need("pypdf")
    doc = _english_book()
    plain_doc = ir.Document(metadata=doc.metadata, blocks=tuple(
        ir.Heading(level=b.level, children=b.children, id=b.id) if isinstance(b, ir.Heading) else b
        for b in doc.blocks))
    data = pipeline.write(plain_doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
    labels = list(pypdf.PdfReader(io.BytesIO(data)).page_labels)
    assert not any(ROMAN.fullmatch(x) for x in labels), labels


def test_fixture_provenance() -> None:
    assert (BOOKS / "trpl-docpipe" / "PROVENANCE.md").is_file()
    assert Path(BOOKS / "trpl-docpipe" / "LICENSE").is_file()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_book_of_bare_chapters(engine: str) -> None:
    """Chapters with roles but no ids, no title and so no contents: no front matter, arabic folios from 1, each
    chapter on a recto, the verso between them blank."""
    pypdf, pymupdf = need("pypdf"), need("pymupdf")
    blocks: list[ir.Block] = []
    for name in ("One", "Two"):
        blocks += [ir.Heading(level=1, children=(ir.Text(text=name),), role="chapter"),
                   ir.Para(children=(ir.Text(text=f"{name} has text. " * 40),))]
    doc = ir.Document(metadata=ir.Metadata(language="en"), blocks=tuple(blocks))
    data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
    assert list(pypdf.PdfReader(io.BytesIO(data)).page_labels) == ["1", "2", "3"]
    pages = [squash(p.get_text()) for p in pymupdf.open(stream=data, filetype="pdf")]
    assert pages[0].startswith("One") and pages[1] == "" and pages[2].startswith("Two"), pages


@pytest.mark.parametrize("engine", ENGINES)
def test_a_part_opening_with_a_tall_picture_stays_on_its_recto(engine: str, tmp_path: Path) -> None:
    """A MkDocs section whose index page opens with a picture too tall for what is left of its opening page
    (hello-algo's chapter covers): the heading was kept with the picture, both went to the next page — a verso —
    and the recto was left blank. The heading stays on its recto now; the picture follows on the next page."""
    from PIL import Image
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    Image.new("RGB", (600, 1000), (30, 90, 160)).save(docs / "a" / "tall.png")
    (docs / "index.md").write_text("# Preface\n\nPreface text.\n", encoding="utf-8")
    (docs / "a" / "index.md").write_text("# Part a intro\n\n![Part A cover](tall.png)\n\nIntro of part a.\n",
                                         encoding="utf-8")
    (docs / "a" / "one.md").write_text("# Chapter a.1\n\n" + "Body of a.1. " * 900 + "\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Part test\nnav:\n  - Preface:\n    - index.md\n"
                                         "  - Part A:\n    - a/index.md\n    - A.1: a/one.md\n", encoding="utf-8")
    result = pipeline.convert(tmp_path / "mkdocs.yml", ["pdf"], tmp_path / "out",
                              Options(source_date_epoch=EPOCH, pdf_engine=engine))
    assert result.document is not None
    opening = check_book(result.outputs["pdf"].read_bytes(), result.document)
    pymupdf = need("pymupdf")
    pdf = pymupdf.open(result.outputs["pdf"])
    heading = next(d.heading.id for d in divisions(result.document.blocks)
                   if plain(d.heading.children) == "Part a intro")
    assert "Part a intro" in pdf[opening[heading] - 1].get_text()
    # the picture drawn once, inside the text block (not into the foot of its page, over the folio)
    drawn = [(i, im["bbox"]) for i in range(len(pdf)) for im in pdf[i].get_image_info()]
    assert len(drawn) == 1 and drawn[0][0] in (opening[heading] - 1, opening[heading]), drawn
    assert drawn[0][1][3] <= pdf[0].rect.height - 22 * MM + 1, drawn
