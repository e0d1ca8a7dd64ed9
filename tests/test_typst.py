"""The Typst PDF engine's own guarantees: text reaches Typst only as string literals (no source text runs code or
reads a file), equations only as checked math, nothing from the network, identical rebuilds, clear refusals."""

from __future__ import annotations

import re

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.errors import UsageError
from pipeline.options import Options
from pipeline.writers import typst as T
from tests.conftest import SAMPLE, require

try:
    import pymupdf
except ImportError:  # pragma: no cover
    pymupdf = None

HOSTILE = ['#read("/etc/passwd")', '#include "/etc/hostname"', '#image("/etc/passwd")', "]#panic()[",
           '"; #eval("1") ; "', "\\", "$x$", "<para-1>", "@para-1", "*strong* _emph_ `raw`", "// comment",
           "/* open", "#import \"@preview/cetz:0.2.2\"", "\u0000\u0007\u001b[31m", "\ud800", "= heading"]


def _doc(*texts: str, **meta: object) -> ir.Document:
    blocks = tuple(ir.Para(children=(ir.Text(text=t),), number=str(i + 1), id=f"para-{i + 1}")
                   for i, t in enumerate(texts))
    return ir.Document(metadata=ir.Metadata(title="測試", language="zh-Hant", **meta), blocks=blocks)  # type: ignore[arg-type]


def test_literals_escape_everything() -> None:
    for text in HOSTILE:
        literal = T.lit(text)
        assert literal.startswith('"') and literal.endswith('"')
        inner = literal[1:-1]
        assert not re.search(r'(?<!\\)"', inner.replace("\\\\", "")), literal  # no quote left unescaped
        assert not re.search(r"[\x00-\x08\x0b-\x1f]", inner)


def test_hostile_text_is_printed_not_run() -> None:
    require(pymupdf is not None, "pymupdf")
    doc = _doc(*HOSTILE, symbol='#read("x")', authors=('#panic("a")',))
    diag = Diagnostics()
    source, files = T.build(doc, Options(source_date_epoch=0), diag)
    assert set(files) == {"print.typ"}  # nothing but the template is there to be read
    assert [ln for ln in source.splitlines() if ln.startswith("#import")] == ['#import "print.typ": *']
    data = T.write(doc, Options(source_date_epoch=0), diag)
    text = "".join(page.get_text() for page in pymupdf.open(stream=data, filetype="pdf"))
    flat = re.sub(r"\s+", "", text)
    for piece in ('#read("/etc/passwd")', "]#panic()[", "*strong*_emph_`raw`", "<para-1>", "@para-1", "//comment",
                  '#import"@preview/cetz:0.2.2"', "=heading"):
        assert re.sub(r"\s+", "", piece) in flat, piece
    assert "root:" not in text  # /etc/passwd was not read


def test_math_is_checked_before_it_reaches_typst() -> None:
    assert T.safe_math("$ frac(a, b) $") and T.safe_math('$x + "text"$')
    for bad in ['$#read("/etc/passwd")$', '$read("/etc/passwd")$', '$eval("1")$', "$x <lab>$", "$@ref$",
                '\\$\\#read(\\"x\\")\\$', "$a$ $b$", "x"]:
        assert not T.safe_math(bad), bad


def test_equation_code_from_tex_is_refused() -> None:
    para = ir.Para(children=(ir.Math(tex=r"\text{#read(\"/etc/passwd\")} \operatorname{read}(x)"),), number="1")
    doc = ir.Document(metadata=ir.Metadata(title="式", language="zh-Hant"), blocks=(para,))
    diag = Diagnostics()
    data = T.write(doc, Options(source_date_epoch=0), diag)
    assert data.startswith(b"%PDF")


def test_rebuild_is_byte_identical_and_dated_from_the_epoch() -> None:
    doc = _doc("同一份文件。")
    a = T.write(doc, Options(source_date_epoch=1724198400), Diagnostics())
    b = T.write(doc, Options(source_date_epoch=1724198400), Diagnostics())
    assert a == b
    assert b"D:20240821" in a
    c = T.write(doc, Options(source_date_epoch=0), Diagnostics())
    assert b"D:20240821" not in c


def test_pdf_x4_is_refused_with_the_reason() -> None:
    with pytest.raises(UsageError, match="typst"):
        T.write(_doc("x"), Options(pdf_variant="pdf/x-4"), Diagnostics())


def test_what_typst_cannot_do_is_reported() -> None:
    diag = Diagnostics()
    T.write(_doc("x"), Options(marks=True, source_date_epoch=0), diag)
    assert any(d.code == "writer-dropped" and "crop marks" in d.message for d in diag.items)


def test_engine_is_chosen_by_the_option(tmp_path: object) -> None:
    result = pipeline.convert(SAMPLE, ["pdf"], tmp_path, Options(pdf_engine="typst", source_date_epoch=0))
    assert b"Typst" in result.outputs["pdf"].read_bytes()[:4000] or b"Typst" in result.outputs["pdf"].read_bytes()


def test_typst_is_given_the_named_families_files_only_and_sets_the_same_pdf_as_with_every_font(
        tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The font book holds the files of the families the source names (and of coverage's fallback faces), not
    every font installed; the PDF is byte-identical to the one set with every folder of fonts.toml (the book
    docpipe falls back to when its cache folder cannot be written)."""
    from pathlib import Path

    from pipeline.fontsel import _entries, report_coverage
    from pipeline.walk import iter_inlines_all

    require(any("Noto Serif CJK TC" in e.families for e in _entries()), "Noto Serif CJK TC (fonts-noto-cjk)")
    opts = Options(source_date_epoch=0, source_name=SAMPLE.name, base_dir=str(SAMPLE.parent), pdf_engine="typst")
    doc = pipeline.transform(pipeline.read(SAMPLE, opts, Diagnostics()), opts, Diagnostics())
    cov = report_coverage("".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text)),
                          doc.metadata.language, Diagnostics())
    _, _, families = T._build(doc, opts, Diagnostics())
    assert {"Noto Serif CJK TC", "Noto Sans CJK TC", "Noto Serif"} <= families
    book = T._book(families, cov)
    names = {Path(p).name for p in book}
    assert "NotoSerifCJK-Regular.ttc" in names and "NotoSansCJK-Bold.ttc" in names
    assert not any("Tamil" in n or "Devanagari" in n for n in names)  # installed, named by nothing here
    linked = pipeline.write(doc, "pdf", opts, Diagnostics())
    blocked = Path(str(tmp_path)) / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    T._fonts.cache_clear()
    try:
        assert T._linked(book) is None
        assert pipeline.write(doc, "pdf", opts, Diagnostics()) == linked  # every folder: the same fonts chosen
    finally:
        T._fonts.cache_clear()
