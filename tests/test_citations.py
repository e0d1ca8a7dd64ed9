"""Citations formatted from the document's bibliography (pipeline/readers/pandoc/cite.py): a Markdown file's own
``bibliography:``, and a Quarto book's, whose citations in every chapter share one bibliography placed where
``::: {#refs}`` stands. The bibliography is r-pkgs' real ``book.bib`` (tests/fixtures/citations/PROVENANCE.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

import pipeline
from pipeline import Diagnostics, Options

from .conftest import SCHEMAS, require_tool
from .epubcheck_run import epubcheck

BIB = Path(__file__).parent / "fixtures" / "citations" / "book.bib"


def _text(path: Path) -> str:
    root = etree.parse(str(path), etree.HTMLParser()).getroot()
    return " ".join("".join(root.itertext()).split())


def test_a_markdown_file_cites_from_its_bibliography(tmp_path: Path) -> None:
    shutil.copy(BIB, tmp_path / "refs.bib")
    (tmp_path / "paper.md").write_text(
        "---\ntitle: Paper\nbibliography: refs.bib\n---\n\n# Intro\n\nAs @marwick2018-peerj argue, see also "
        "[@styler, p. 3].\n\n## References\n\n::: {#refs}\n:::\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(tmp_path / "paper.md", ["html", "epub", "docx", "tei"], tmp_path / "out",
                              Options(source_date_epoch=0), diag=diag)
    text = _text(result.outputs["html"])
    assert "Marwick et al. (2018)" in text and "(Müller and Walthert 2018, 3)" in text
    assert "@marwick" not in text and "@styler" not in text
    root = etree.parse(str(result.outputs["html"]), etree.HTMLParser()).getroot()
    entries = root.xpath("//*[@id='refs']//*[contains(@class, 'csl-entry')]")
    assert len(entries) == 2, [etree.tostring(e)[:80] for e in entries]
    assert text.count("References") == 1  # the document's own heading, no second one
    assert not [d for d in diag.items if d.code == "citation-unresolved"]
    assert "data-citation" not in result.outputs["html"].read_text(encoding="utf-8")
    docx = zipfile.ZipFile(result.outputs["docx"]).read("word/document.xml").decode("utf-8")
    assert "Marwick et al. (2018)" in docx and "Packaging Data Analytical Work" in docx
    jing = require_tool("jing")
    r = subprocess.run([jing, str(SCHEMAS / "tei_all.rng"), str(result.outputs["tei"])], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout[:500]
    r2 = epubcheck(result.outputs["epub"], "-q")
    assert not [ln for ln in r2.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)], r2.stdout[:500]


def _quarto_book(root: Path) -> Path:
    shutil.copy(BIB, root / "book.bib")
    (root / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: Q\n  chapters:\n    - index.qmd\n"
                                      "    - a.qmd\n    - b.qmd\n    - references.qmd\nbibliography: book.bib\n",
                                      encoding="utf-8")
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nHello.\n", encoding="utf-8")
    (root / "a.qmd").write_text("# A\n\nAs @marwick2018-peerj shows.\n", encoding="utf-8")
    (root / "b.qmd").write_text("# B\n\nSee [@styler, p. 3].\n\nA note.[^1]\n\n[^1]: In a note [@styler].\n",
                                encoding="utf-8")
    (root / "references.qmd").write_text("# References {.unnumbered}\n\n::: {#refs}\n:::\n", encoding="utf-8")
    return root / "_quarto.yml"


def test_a_quarto_books_citations_share_one_bibliography_where_refs_stands(tmp_path: Path) -> None:
    diag = Diagnostics()
    result = pipeline.convert(_quarto_book(tmp_path), ["html", "tei"], tmp_path / "out",
                              Options(source_date_epoch=0), diag=diag)
    text = _text(result.outputs["html"])
    assert "Marwick et al. (2018)" in text and "(Müller and Walthert 2018, 3)" in text
    assert "In a note (Müller and Walthert 2018)" in text
    root = etree.parse(str(result.outputs["html"]), etree.HTMLParser()).getroot()
    refs = root.xpath("//*[@id='refs']")
    assert len(refs) == 1
    assert len(refs[0].xpath(".//*[contains(@class, 'csl-entry')]")) == 2
    assert text.index("References") < text.index("Marwick, Ben")  # in the references chapter, under its heading
    assert not [d for d in diag.items if d.code == "citation-unresolved"]


def test_without_a_bibliography_citations_stay_as_written_and_are_said(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nAs @marwick2018-peerj shows [@styler].\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(tmp_path / "a.md", ["html"], tmp_path / "out", Options(source_date_epoch=0), diag=diag)
    assert "@marwick2018-peerj" in _text(result.outputs["html"])
    # only the bracketed one is surely a citation (``@name`` in a README is as often someone's handle)
    said = [d for d in diag.items if d.code == "citation-unresolved"]
    assert len(said) == 1 and "1 citation(s)" in said[0].message and "@styler" in said[0].message
    assert "marwick" not in said[0].message
    assert 'class="citation"' not in result.outputs["html"].read_text(encoding="utf-8")


def test_a_bibliography_outside_the_documents_folder_is_not_read(tmp_path: Path) -> None:
    shutil.copy(BIB, tmp_path / "outside.bib")
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "a.md").write_text("---\nbibliography: ../outside.bib\n---\n\n# A\n\nAs @styler shows.\n",
                                           encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(tmp_path / "doc" / "a.md", ["html"], tmp_path / "out", Options(source_date_epoch=0),
                              diag=diag)
    assert "@styler" in _text(result.outputs["html"])
    assert any(d.code == "external-resource-blocked" and "outside.bib" in d.message for d in diag.items)


def test_quarto_cross_references_are_not_citations(tmp_path: Path) -> None:
    """``@sec-a`` is pandoc's citation syntax too: in a book with a bibliography it stays a cross-reference to its
    section (a link showing the section's title), not a citation citeproc cannot find ("sec-a?")."""
    book = _quarto_book(tmp_path)
    (tmp_path / "a.qmd").write_text("# A {#sec-a}\n\nAs @marwick2018-peerj shows.\n", encoding="utf-8")
    (tmp_path / "b.qmd").write_text("# B\n\nBack to @sec-a, see [@styler].\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(book, ["html"], tmp_path / "out", Options(source_date_epoch=0), diag=diag)
    text = _text(result.outputs["html"])
    assert "sec-a?" not in text and "@sec-a" not in text
    root = etree.parse(str(result.outputs["html"]), etree.HTMLParser()).getroot()
    assert any((a.get("href") or "").endswith("sec-a") for a in root.iter("a"))
    assert "(Müller and Walthert 2018)" in text
    assert not [d for d in diag.items if d.code == "citation-unresolved"]
