"""Characters no edition font covers (issue 16): found from the fonts' cmaps, reported, set in a fallback face."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

import pipeline
from pipeline import fontsel, ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options

from .conftest import require, require_tool

RARE = "𪗇"  # U+2A5C7, CJK Unified Ideographs Extension B: not in Noto Serif CJK


def _fallback_installed() -> fontsel.Face:
    faces = [fontsel._index().get(name) for name in fontsel.fallback_families()]
    face = next((f for f in faces if f is not None and ord(RARE) in fontsel.charset(f)), None)
    require(face is not None, "a fallback font covering U+2A5C7 (Debian: fonts-hanazono)")
    assert face is not None
    return face


def test_the_fallback_families_come_from_fonts_toml() -> None:
    assert fontsel.fallback_families()[:2] == ("HanaMinA", "HanaMinB")
    value = fontsel.family_list("zh-Hans")
    assert value.startswith('"Noto Serif CJK SC", "HanaMinA", "HanaMinB"') and value.endswith("serif")
    css = (Path(__file__).parent.parent / "styles" / "epub.css").read_text(encoding="utf-8")
    assert '"HanaMinA", "HanaMinB", serif' in css


def test_coverage_is_read_from_the_cmaps() -> None:
    edition = fontsel.font_for("zh-Hant")
    require(edition is not None, "the edition's font (Debian: fonts-noto-cjk)")
    assert edition is not None
    face = _fallback_installed()
    assert ord("中") in fontsel.charset(edition) and ord(RARE) not in fontsel.charset(edition)
    cov = fontsel.coverage(f"中文{RARE}，\u3000 ok", "zh-Hant")
    assert cov.face == edition and cov.fallback == {RARE: face} and cov.missing == ""


def test_characters_are_reported() -> None:
    _fallback_installed()
    diag = Diagnostics()
    fontsel.report_coverage(f"罕見字{RARE}", "zh-Hant", diag)
    (d,) = diag.items
    assert d.code == "glyph-fallback" and "U+2A5C7" in d.message and "HanaMin" in d.message


def test_characters_no_font_has_are_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    require(fontsel.font_for("zh-Hant") is not None, "the edition's font (Debian: fonts-noto-cjk)")
    monkeypatch.setattr(fontsel, "fallback_families", lambda: ())
    monkeypatch.setattr(fontsel, "_any_face", lambda cp: None)
    diag = Diagnostics()
    cov = fontsel.report_coverage(f"罕見字{RARE}", "zh-Hant", diag)
    assert cov.missing == RARE
    assert [(d.code, d.severity.name) for d in diag.items] == [("glyph-missing", "WARNING")]


def test_an_embeddable_subset_holds_the_character() -> None:
    from fontTools.ttLib import TTFont

    _fallback_installed()
    ((face, data),) = fontsel.fallback_subsets(f"中{RARE}", "zh-Hant", Diagnostics())
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert ord(RARE) in cmap and ord("中") not in cmap  # only what the edition's face lacks
    assert face.family.startswith("HanaMin")


def test_the_pdf_embeds_the_fallback_and_the_character_is_extractable(tmp_path: Path) -> None:
    pdffonts = require_tool("pdffonts")
    pdftotext = require_tool("pdftotext")
    face = _fallback_installed()
    doc = ir.Document(metadata=ir.Metadata(title="罕見字", language="zh-Hant"),
                      blocks=(ir.Para(children=(ir.Text(text=f"這是一個罕見字：{RARE}，在擴展 B 區。"),)),))
    pdf = tmp_path / "rare.pdf"
    pdf.write_bytes(pipeline.write(doc, "pdf", Options(source_date_epoch=0)))
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    line = next((ln for ln in fonts.splitlines() if face.family in ln.replace("-", "")), None)
    assert line is not None, fonts
    assert " yes " in line  # embedded
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert RARE in text
