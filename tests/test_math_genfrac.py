"""Equations texmath could not read: amsmath's ``\\genfrac`` (pandoc's DOCX reader writes one for Word's angle-bracket
binomial) is rewritten into TeX texmath reads before MathML, Word math and Typst math are made; an equation still
kept as TeX is a warning; pandoc's Typst ``sect`` is Typst's ``inter`` (round 37, repro 08: one such fragment cost
docxjs's 20-row equation array its MathML, its Word math and its PDF math, said only with ``-v``)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline.diagnostics import CODES, Diagnostics, Severity
from pipeline.mathrender import mathml, omml, svg, texmath_tex
from pipeline.options import Options
from pipeline.writers.typst import typst_names

REAL = Path(__file__).parent / "fixtures" / "real"
MD = "# t\n\nAn angle-bracket binomial:\n\n$$\\genfrac{\\langle}{\\rangle}{0pt}{}{n}{k} + \\frac{a}{b}$$\n"


@pytest.mark.parametrize(("tex", "want"), [
    # no rule: a one-column matrix between the delimiters; \binom for parentheses
    ("\\genfrac{\\langle}{\\rangle}{0pt}{}{n}{k} + 1",
     "{\\left\\langle\\begin{matrix}n\\\\k\\end{matrix}\\right\\rangle} + 1"),
    ("\\genfrac(){0pt}{}{n}{k}", "{\\binom{n}{k}}"),
    ("\\genfrac{}{}{0pt}{}{n}{k}", "{\\begin{matrix}n\\\\k\\end{matrix}}"),
    # a rule (of any thickness, or the default one): \frac; one delimiter alone; the style argument kept
    ("\\genfrac{[}{}{0.4pt}{1}{a}{b}", "{\\textstyle \\left[\\frac{a}{b}\\right.}"),
    ("\\genfrac{}{}{}{}{a}{b}", "{\\frac{a}{b}}"),
    # nested: the inner one first
    ("\\genfrac{(}{)}{}{0}{a}{\\genfrac\\{\\}{0pt}{}{x}{y}}",
     "{\\displaystyle \\left(\\frac{a}{{\\left\\{\\begin{matrix}x\\\\y\\end{matrix}\\right\\}}}\\right)}"),
    # not one: left as it is
    ("\\genfrac{(}{)}{0pt}", "\\genfrac{(}{)}{0pt}"),
    ("\\genfracx{a}", "\\genfracx{a}"),
])
def test_genfrac_is_rewritten(tex: str, want: str) -> None:
    assert texmath_tex(tex) == want


def test_every_form_of_genfrac_is_converted_everywhere() -> None:
    eqs = [("\\genfrac{\\langle}{\\rangle}{0pt}{}{n}{k}", True), ("\\genfrac(){0pt}{}{n}{k}", False),
           ("\\genfrac{[}{}{1pt}{2}{a}{b}", True), ("\\genfrac{}{}{}{3}{a}{b}", False)]
    diag = Diagnostics()
    assert all(m is not None for m in mathml(eqs, Options(), diag))
    assert all(m is not None for m in omml(eqs, Options(), diag))
    assert all(svg(t, d) is not None for t, d in eqs)
    assert not diag.items


def _convert(tmp_path: Path, src: Path, formats: list[str], engine: str = "auto"
             ) -> tuple[dict[str, Path], Diagnostics]:
    diag = Diagnostics()
    options = Options(source_date_epoch=0, pdf_engine=engine)
    return pipeline.convert(src, formats, tmp_path / "out", options, diag=diag).outputs, diag


def _counts(outputs: dict[str, Path]) -> tuple[int, int]:
    """MathML elements in the EPUB, Word equations in the DOCX."""
    with zipfile.ZipFile(outputs["epub"]) as z:
        mml = sum(z.read(n).decode().count("<math") for n in z.namelist() if n.endswith(".xhtml"))
    with zipfile.ZipFile(outputs["docx"]) as z:
        doc = z.read("word/document.xml").decode()
    return mml, doc.count("<m:oMath>") + doc.count("<m:oMath ")


def test_the_markdown_repro_gets_mathml_and_word_math(tmp_path: Path) -> None:
    src = tmp_path / "in.md"
    src.write_text(MD, encoding="utf-8")
    outputs, diag = _convert(tmp_path, src, ["epub", "docx", "html"])
    assert _counts(outputs) == (1, 1)
    html = outputs["html"].read_text(encoding="utf-8")
    math = html[html.index("<math"):html.index("</math>")]
    drawn = math[math.index("<semantics>"):math.index("<annotation")]
    assert "⟨" in drawn and "<mtable" in drawn and "genfrac" not in drawn
    assert "\\genfrac{\\langle}" in math.split("<annotation")[1]  # the source's TeX, as in alttext
    assert not [d for d in diag.items if d.code == "math-kept-as-tex"]


def test_the_word_equation_array_gets_mathml_word_math_and_pdf_math(tmp_path: Path) -> None:
    outputs, diag = _convert(tmp_path, REAL / "docxjs-equation.docx", ["epub", "docx", "pdf"], "typst")
    assert _counts(outputs) == (1, 1)  # its one equation: the array of 20 rows
    assert not [d.message for d in diag.items if d.code == "math-kept-as-tex"]
    fitz = pytest.importorskip("pymupdf")
    with fitz.open(str(outputs["pdf"])) as pdf:
        text = "".join(page.get_text() for page in pdf)
    assert "genfrac" not in text and "\\frac" not in text and "∩" in text


def test_an_equation_kept_as_tex_is_a_warning(tmp_path: Path) -> None:
    assert CODES["math-kept-as-tex"] is Severity.WARNING
    src = tmp_path / "in.md"
    src.write_text("# t\n\n$$\\AA + x$$\n", encoding="utf-8")  # \AA: a text-mode command texmath does not know
    outputs, diag = _convert(tmp_path, src, ["html", "docx"])
    kept = [d for d in diag.items if d.code == "math-kept-as-tex"]
    assert len(kept) == 1 and "\\AA + x" in kept[0].message  # once, though two formats kept it
    assert 'class="tex math"' in outputs["html"].read_text(encoding="utf-8")


def test_pandocs_typst_names_typst_no_longer_knows() -> None:
    assert typst_names('$ X sect Y, sect.big_(n) A_n, x_sect, "sect" $') == \
        '$ X inter Y, inter.big_(n) A_n, x_inter, "sect" $'
    assert typst_names("$ section $") == "$ section $"
