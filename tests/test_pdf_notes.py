"""PDF footnotes lose nothing (issue 26): every block of a note body, notes called inside notes, notes called in a
line WeasyPrint moves up at a page break, and notes too tall for the foot of a page, measured in the PDF's text
layer and glyph positions (pymupdf)."""

from __future__ import annotations

from typing import Any

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from tests.conftest import need

pymupdf = need("pymupdf")


def _t(text: str) -> tuple[ir.Inline, ...]:
    return (ir.Text(text=text),)


def _pdf(doc: ir.Document, **opts: Any) -> tuple[Any, Diagnostics]:
    diag = Diagnostics()
    data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, **opts), diag)
    return pymupdf.open(stream=data), diag


def _spans(pdf: Any) -> list[tuple[int, str, float, float]]:
    """(page, text, size, top) of every text span of the PDF."""
    out = []
    for number, page in enumerate(pdf):
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    if span["text"].strip():
                        out.append((number, span["text"], span["size"], span["bbox"][1]))
    return out


# every kind of block a note body can hold, each with a word found nowhere else
BODIES: dict[str, tuple[ir.Block, ...]] = {
    "1": (ir.Div(blocks=(ir.Para(children=_t("Alphadiv inside a generic container.")),), classes=("tei-note",)),),
    "2": (ir.Para(children=_t("Bravopara opens the note.")),
          ir.BlockQuote(blocks=(ir.Para(children=_t("Charliequote first line.")),
                                ir.Para(children=_t("Deltaquote second line.")))),
          ir.Para(children=_t("Echopara after the quotation."))),
    "3": (ir.ListBlock(items=(ir.ListItem(blocks=(ir.Para(children=_t("Foxtrotitem")),)),
                              ir.ListItem(blocks=(ir.Para(children=_t("Golfitem")),)))),),
    "4": (ir.Heading(level=3, children=_t("Hotelheading")),
          ir.CodeBlock(text="indiacode = 1"),
          ir.Table(rows=((ir.Cell(blocks=(ir.Para(children=_t("Julietcell")),)),),))),
    "5": (ir.Div(blocks=(ir.Para(children=(ir.Text(text="Kilonested calls "),
                                            ir.NoteRef(note_id="fn-6", marker="6"))),)),),
    "6": (ir.Para(children=_t("Limanote called inside note five.")),),
}


def _notes_document() -> ir.Document:
    calls = tuple(x for k in ("1", "2", "3", "4", "5") for x in (ir.Text(text=f"Body sentence {k} with a call."),
                                                                  ir.NoteRef(note_id=f"fn-{k}", marker=k)))
    return ir.Document(metadata=ir.Metadata(title="Notes", language="en"),
                       blocks=(ir.Para(children=calls),),
                       notes=tuple(ir.Note(id=f"fn-{k}", marker=k, blocks=b) for k, b in BODIES.items()))


def test_every_block_of_a_note_is_at_the_foot_of_the_page_of_its_call() -> None:
    pdf, diag = _pdf(_notes_document())
    spans = _spans(pdf)
    body = [s for s in spans if s[1].startswith("Body sentence")]
    assert body, spans
    words = ("Alphadiv", "Bravopara", "Charliequote", "Deltaquote", "Echopara", "Foxtrotitem", "Golfitem",
             "Hotelheading", "indiacode", "Julietcell", "Kilonested", "Limanote")
    for word in words:
        found = [s for s in spans if word in s[1]]
        assert found, f"{word} is not in the PDF's text"
        page, _, size, top = found[0]
        assert page == body[0][0], f"{word} on page {page}, its call on {body[0][0]}"
        # the footnote's size (8.5pt, code smaller still), below the text that calls it
        assert size < body[0][2] - 1 and top > max(s[3] for s in body), (word, size, top)
    order = [next(i for i, s in enumerate(spans) if w in s[1]) for w in words]
    assert order == sorted(order), "the note bodies are not in the order of their blocks"
    assert not [d for d in diag.items if d.code in ("writer-dropped", "writer-note") and "note" in d.message]


def test_a_note_too_tall_for_the_foot_of_a_page_is_printed_whole_after_the_text() -> None:
    words = [f"w{i:04d}" for i in range(1500)]
    doc = ir.Document(metadata=ir.Metadata(title="Long note", language="en"),
                      blocks=(ir.Para(children=(ir.Text(text="A call"), ir.NoteRef(note_id="fn-1", marker="1"),
                                                ir.Text(text=" in the text."))),
                              ir.Para(children=_t("A second paragraph."))),
                      notes=(ir.Note(id="fn-1", marker="1", blocks=(ir.Para(children=_t(" ".join(words))),)),))
    pdf, diag = _pdf(doc)
    text = " ".join(page.get_text() for page in pdf).split()
    assert [w for w in words if w not in text] == []
    for page in pdf:  # every word drawn inside the page, none cut off above it
        for _, y0, _, y1, word, *_ in page.get_text("words"):
            if word.startswith("w0") or word.startswith("w1"):
                assert y0 >= 0 and y1 <= page.rect.height, (word, y0, y1)
    notes = [d for d in diag.items if d.code == "writer-note" and "too tall" in d.message]
    assert len(notes) == 1 and not [d for d in diag.items if d.code == "writer-dropped"], diag.items


def _orphans_case(filler: int) -> str:
    """A paragraph whose second line, holding two calls, does not fit above the footnote area; with
    ``orphans: 2`` WeasyPrint 70 moves the page's earlier footnote on instead of breaking the page."""
    fill = "".join(f"<p>Filler line {i}.</p>" for i in range(filler))
    return f"""<html><head><style>
@page {{ size: 100mm 80mm; margin: 10mm; }}
html {{ orphans: 2; widows: 2; font-size: 10pt; line-height: 14pt; }}
p {{ margin: 0; }} .fn {{ float: footnote; }}
</style></head><body>{fill}<p>Before<span class="fn">note A.</span></p>
<p>first line<br>second<span class="fn">note B.</span> line<span class="fn">note C.</span><br>third<br>fourth</p>
</body></html>"""


def _missing(data: bytes) -> list[str]:
    with pymupdf.open(stream=data) as pdf:
        text = " ".join(page.get_text() for page in pdf)
    return [n for n in "ABC" if f"note {n}." not in text]


def test_notes_called_in_a_line_moved_up_at_a_page_break_are_drawn() -> None:
    from weasyprint import HTML

    from pipeline.writers.footnote_keep import footnotes_kept, installed

    own = {n: _missing(HTML(string=_orphans_case(n)).write_pdf()) for n in range(4, 11)}
    assert any(own.values()), "no case WeasyPrint gets wrong on its own: the fix may be obsolete"
    with footnotes_kept():
        kept = {n: _missing(HTML(string=_orphans_case(n)).write_pdf()) for n in own}
    assert not installed()
    assert all(not v for v in kept.values()), (own, kept)


def test_the_typst_engine_keeps_every_block_of_a_note() -> None:
    need("typst")
    pdf, _ = _pdf(_notes_document(), pdf_engine="typst")
    text = " ".join(page.get_text() for page in pdf)
    missing = [w for w in ("Alphadiv", "Bravopara", "Charliequote", "Deltaquote", "Echopara", "Foxtrotitem",
                           "Golfitem", "Hotelheading", "indiacode", "Julietcell", "Kilonested", "Limanote")
               if w not in text]
    assert not missing


@pytest.mark.parametrize("engine", ["weasyprint", "typst"])
def test_a_notes_marker_and_first_word_are_apart_in_the_text(engine: str) -> None:
    if engine == "typst":
        need("typst")
    doc = ir.Document(metadata=ir.Metadata(title="Marker", language="en"),
                      blocks=(ir.Para(children=(ir.Text(text="A call"), ir.NoteRef(note_id="fn-1", marker="7"),
                                                ir.Text(text=" in the text."))),),
                      notes=(ir.Note(id="fn-1", marker="7", blocks=(ir.Para(children=_t("Firstword of the note.")),)),))
    pdf, _ = _pdf(doc, pdf_engine=engine)
    words = " ".join(page.get_text() for page in pdf).split()
    assert "Firstword" in words and "7Firstword" not in words, words  # copied and searched as a word of its own
