"""Quarto books: cross-references to labels the book lacks, executable chunks shown as code, callouts as boxes."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

import pipeline
from pipeline import Diagnostics, Options, ir
from pipeline.book import read_book
from pipeline.walk import iter_blocks, iter_inlines_all, plain

PICTURE = Path(__file__).resolve().parent / "fixtures" / "books" / "ropensci-dev-guide" / "images" / "status.png"


def _book(tmp_path: Path, chapters: dict[str, str], lang: str | None = None) -> Path:
    """A Quarto book project in ``tmp_path`` with ``chapters`` (file name -> text) in that order."""
    listed = "".join(f"  - {name}\n" for name in chapters)
    language = f"lang: {lang}\n" if lang else ""
    (tmp_path / "_quarto.yml").write_text(f"project:\n  type: book\n{language}book:\n  title: Q\n  chapters:\n"
                                          f"{listed}", encoding="utf-8")
    for name, text in chapters.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "_quarto.yml"


def _read(book: Path) -> tuple[ir.Document, Diagnostics]:
    diag = Diagnostics()
    doc, _, _ = read_book([book], Options(), diag)
    return doc, diag


def test_a_cross_reference_to_a_label_not_in_the_book_is_reported_at_its_line_and_kept(tmp_path: Path) -> None:
    book = _book(tmp_path, {
        "one.qmd": "# One {#sec-one}\n\nSee @sec-two for more.\n\nAnd @sec-left-out,\nthen @fig-plot and @tbl-nope.\n",
        "two.qmd": "# Two {#sec-two}\n\nBack to @sec-one.\n\n```{r}\n#| label: fig-plot\nplot(1:3)\n```\n\n"
                   "Typo: [-@sec-onne].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: Caption. {#tbl-here}\n\n"
                   "See @tbl-here.\n",
    })
    doc, diag = _read(book)
    found = [(d.file, d.line, d.message) for d in diag.items if d.code == "link-unresolved"]
    assert found == [
        ("one.qmd", 5, "cross-reference @sec-left-out: no section with this label in the book; kept as text"),
        ("one.qmd", 6, "cross-reference @fig-plot: its figure is made by a code chunk, which docpipe does not run; "
                       "kept as text"),
        ("one.qmd", 6, "cross-reference @tbl-nope: no table with this label in the book; kept as text"),
        ("two.qmd", 10, "cross-reference @sec-onne: no section with this label in the book; kept as text"),
    ]
    links = [(n.target, plain(n.children)) for n in iter_inlines_all(doc) if isinstance(n, ir.Link)]
    assert ("#sec-two", "Two") in links and ("#sec-one", "One") in links
    assert ("#tbl-here", "Table 2.1") in links
    assert [(b.id, b.label) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Table)] == [("tbl-here", "Table 2.1")]
    text = " ".join(plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para))
    for label in ("@sec-left-out", "@fig-plot", "@tbl-nope", "-@sec-onne"):
        assert label in text
    step = next(s for s in doc.steps if s.name == "book")
    assert ("cross-references", 3) in step.counts and ("cross-references-unresolved", 4) in step.counts


def test_executable_chunks_are_shown_as_code_and_said_once_per_document(tmp_path: Path) -> None:
    chunk = "```{r}\n#| echo: false\nplot(1:3)\n```\n\n"
    book = _book(tmp_path, {
        "one.qmd": f"# One\n\n{chunk}Text.\n\n{chunk}```{{python}}\nprint(1)\n```\n\n```{{ojs}}\nx = 1\n```\n\n"
                   "```{.r}\nshown <- TRUE\n```\n\n```{verbatim}\nas written\n```\n\n"
                   "````\n```{r}\nquoted\n```\n````\n\n```{{r}}\nescaped\n```\n",
        "two.qmd": "# Two\n\n```r\nplain <- 1\n```\n",
    })
    doc, diag = _read(book)
    said = [(Path(d.file or "").name, d.message) for d in diag.items if "executable" in d.message]
    assert said == [("one.qmd", "4 executable code chunk(s) ({r} 2, {python} 1, {ojs} 1) shown as code, not run: "
                                "docpipe does not execute code (what they would draw or print is not in the edition)")]
    code = [b.text for b in iter_blocks(doc.blocks) if isinstance(b, ir.CodeBlock)]
    assert "#| echo: false\nplot(1:3)" in code and "print(1)" in code and "x = 1" in code and "plain <- 1" in code
    assert len(code) == 9


CALLOUTS = """# One

::: callout-note
## magrittr

Body one.
:::

::: {.callout-tip}
Body two.
:::

::: {.callout-warning title="Own title" collapse="true"}
Body three.
:::

::: {.callout-caution collapse="true"}
## Expand *me*

Body four.
:::

::: {.callout-important}
Body five.
:::

!!! note

    An admonition keeps the title MkDocs gives, its kind capitalised.
"""


def _boxes(doc: ir.Document) -> list[tuple[str, str]]:
    return [(plain(b.title), plain(b.blocks[0].children) if isinstance(b.blocks[0], ir.Para) else "")
            for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)]


def test_callouts_are_boxes_titled_by_their_title_heading_or_kind_in_the_books_language(tmp_path: Path) -> None:
    (tmp_path / "zh").mkdir()
    (tmp_path / "en").mkdir()
    zh, _ = _read(_book(tmp_path / "zh", {"one.qmd": CALLOUTS}, lang="zh"))
    en, _ = _read(_book(tmp_path / "en", {"one.qmd": CALLOUTS}))
    mkdocs = ("Note", "An admonition keeps the title MkDocs gives, its kind capitalised.")
    assert _boxes(zh) == [("magrittr", "Body one."), ("提示", "Body two."), ("Own title", "Body three."),
                          ("Expand me", "Body four."), ("重要", "Body five."), mkdocs]
    assert _boxes(en) == [("magrittr", "Body one."), ("Tip", "Body two."), ("Own title", "Body three."),
                          ("Expand me", "Body four."), ("Important", "Body five."), mkdocs]
    # the callout's title heading is the box's title, not a section of the chapter
    assert [plain(b.children) for b in iter_blocks(en.blocks) if isinstance(b, ir.Heading)] == ["One"]


PICTURE_CHUNKS = """# One

See @fig-flow.

```{r}
#| label: fig-flow
#| echo: false
#| fig-cap: >
#|   The whole
#|   flow.
#| fig-alt: |
#|   A "diagram" of the flow.
knitr::include_graphics("diagrams/flow.png", dpi = 270)
```

1.  In a list:

    ```{r, echo = FALSE}
    include_graphics('diagrams/flow.png')
    ```

```{r}
knitr::include_graphics("diagrams/flow.png")
plot(1:3)
```

````
```{r}
knitr::include_graphics("diagrams/flow.png")
```
````
"""


def test_a_chunk_that_only_includes_a_picture_file_is_that_picture(tmp_path: Path) -> None:
    (tmp_path / "diagrams").mkdir()
    shutil.copy(PICTURE, tmp_path / "diagrams" / "flow.png")
    doc, diag = _read(_book(tmp_path, {"one.qmd": PICTURE_CHUNKS}))
    figures = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Figure)]
    assert [(f.id, f.label, plain(f.caption), [plain(i.alt) for i in f.images]) for f in figures] == [
        ("fig-flow", "Figure 1.1", "The whole flow.", ['A "diagram" of the flow.']), (None, None, "", [""])]
    assert len(doc.media) == 1 and all(i.media == doc.media[0].name for f in figures for i in f.images)
    code = [b.text for b in iter_blocks(doc.blocks) if isinstance(b, ir.CodeBlock)]
    assert code == ['knitr::include_graphics("diagrams/flow.png")\nplot(1:3)',
                    '```{r}\nknitr::include_graphics("diagrams/flow.png")\n```']
    assert [(n.target, plain(n.children)) for n in iter_inlines_all(doc) if isinstance(n, ir.Link)] == [
        ("#fig-flow", "Figure 1.1")]
    assert [d.message for d in diag.items if d.code == "chunk-picture"] == [
        "2 R chunk(s) that only show a picture file (knitr::include_graphics) read as that picture"]
    assert not [d for d in diag.items if d.code == "link-unresolved"]


def test_a_quarto_document_converted_alone_links_its_own_cross_references(tmp_path: Path) -> None:
    """A ``.qmd`` that is no book's chapter is read as Markdown, and its ``@sec-x``/``@fig-x`` become links to its
    own section (its title) and figure (numbered as Quarto numbers it); one naming nothing is said at its line."""
    from PIL import Image

    Image.new("RGB", (20, 20), "red").save(tmp_path / "p.png")
    (tmp_path / "d.qmd").write_text("---\ntitle: Doc\n---\n\n## Intro {#sec-intro}\n\nText.\n\n"
                                    "![A plot](p.png){#fig-plot}\n\n## More\n\nAs in @sec-intro and @fig-plot; "
                                    "see @sec-gone.\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(tmp_path / "d.qmd", ["html"], tmp_path / "out", Options(source_date_epoch=0),
                              diag=diag)
    root = etree.parse(str(result.outputs["html"]), etree.HTMLParser()).getroot()
    links = {(a.get("href"), "".join(a.itertext())) for a in root.iter("a")}
    assert ("#sec-intro", "Intro") in links and ("#fig-plot", "Figure 1") in links
    said = [d for d in diag.items if d.code == "link-unresolved"]
    assert len(said) == 1 and "@sec-gone" in said[0].message and said[0].line == 13
    assert "@sec-gone" in "".join(root.itertext())
