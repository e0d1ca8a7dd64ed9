"""Fonts for every script (issue 26): a Sanskrit (Devanagari) and a Syriac text from other projects get installed
faces, their PDF text is extractable, no glyph is a missing-glyph box; a character no installed face has is a
warning naming it (an error under --strict), with a hint for its own script (never a CJK font for Devanagari).

Fixtures: tests/fixtures/scripts/ (PROVENANCE.md there)."""

from __future__ import annotations

import collections
import json
import logging
import re
import subprocess
from pathlib import Path

import pytest

import pipeline
import pipeline.core
from pipeline import fontsel, ir
from pipeline.diagnostics import Diagnostics
from pipeline.errors import StrictError
from pipeline.options import Options
from pipeline.walk import iter_inlines_all

from .conftest import need, require, require_tool

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
SANSKRIT = FIXTURES / "caraka-nidana-7.sa.txt"
SYRIAC = FIXTURES / "jacob-serugh-joseph-4.syr.tei.xml"
#: Vithkuqi (Unicode 14): in no font Debian's Noto packages install
NO_FONT = "\U00010570\U00010571"


def _text(doc: ir.Document) -> str:
    return "".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text))


def _face(family: str) -> None:
    require(family in fontsel._index(), f"the {family} font (Debian: fonts-noto-core)")


@pytest.mark.parametrize("engine", ["auto", "weasyprint"])
@pytest.mark.parametrize(("source", "family", "script"), [
    (SANSKRIT, "Noto Serif Devanagari", "Deva"),
    (SYRIAC, "Noto Sans Syriac", "Syrc"),
], ids=["sanskrit", "syriac"])
def test_each_script_gets_an_installed_face_and_its_text_is_extractable(
        source: Path, family: str, script: str, engine: str, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Each script in its own face, embedded, no missing glyph, its characters in the PDF's text — and under
    ``auto`` its words too: Typst for Devanagari (WeasyPrint's text layer reorders its vowel signs: 82 % of the
    words found, and it says so), WeasyPrint for pointed Syriac (Typst's gives a seyame drawn apart from its
    letter the text of the whole cluster: ܡܠܟ̈ܐ extracted as ܡܠ̈ܟ̈ܟܐ, 75 % of the words)."""
    pdftotext, pdffonts = require_tool("pdftotext"), require_tool("pdffonts")
    _face(family)
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(source, Options(), diag), Options(), diag)
    text = _text(doc)
    letters = [c for c in text if c.isalpha()]
    assert sum(fontsel._script(c) == script for c in letters) > 0.9 * len(letters)  # the fixture is what it says
    assert pipeline.core.pdf_engine_for(doc, Options()) == ("typst" if script == "Deva" else "weasyprint")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), diag)
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]  # no missing-glyph box drawn
    assert not [d for d in diag.items if d.code == "glyph-missing"]
    fallback = [d.message for d in diag.items if d.code == "glyph-fallback"]
    assert len(fallback) == 1 and family in fallback[0]
    out_of_order = [d.message for d in diag.items if "does not keep in order" in d.message]
    assert bool(out_of_order) == (engine == "weasyprint" and script == "Deva")
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
    assert family.replace(" ", "") in fonts.replace("-", "")  # embedded, subset
    got = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    want = collections.Counter(c for c in text if not c.isspace())
    have = collections.Counter(c for c in got if not c.isspace())
    kept = sum(min(n, have[c]) for c, n in want.items()) / sum(want.values())
    assert kept >= 0.95, f"{kept:.1%} of the text extractable"
    if engine == "auto":  # words, in order (PyMuPDF's text: pdftotext reorders the marks of right-to-left lines)
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as pdf_doc:
            got = " ".join(page.get_text() for page in pdf_doc)
        words = collections.Counter(re.findall(r"[^\W\d_]+", text))
        found = collections.Counter(re.findall(r"[^\W\d_]+", got))
        share = sum(min(n, found[w]) for w, n in words.items()) / sum(words.values())
        assert share >= 0.97, f"{share:.1%} of the words extractable"


def test_the_marks_of_a_script_go_with_its_letters() -> None:
    _face("Noto Sans Syriac")
    # U+0308 (diaeresis: Syriac seyame) and U+0640 (tatweel) belong to several scripts: set with the Syriac face
    cov = fontsel.coverage("ܡܠܟ̈ܐ ܘܡܠܟ\u0640ܐ ܩܪ̈ܝܬܐ", None)
    assert {f.family for f in cov.fallback.values()} == {"Noto Sans Syriac"}
    assert [f.family for f in cov.leading()] == ["Noto Sans Syriac"]  # the text is Syriac: its face comes first
    assert '"Noto Sans Syriac", "Noto Serif"' in fontsel.family_list(None, lead=["Noto Sans Syriac"])


def test_a_chinese_text_keeps_its_own_face_first() -> None:
    _face("Noto Serif Devanagari")
    cov = fontsel.coverage("這是中文，其中有一個梵文詞：संस्कृतम्。" * 3, "zh-Hant")
    assert cov.leading() == []  # a few Devanagari letters: the Chinese face still leads, Devanagari follows
    assert [f.family for f in cov.faces()] == ["Noto Serif Devanagari"]


def test_a_glyph_no_font_has_is_a_warning_naming_it_with_a_hint_for_its_script() -> None:
    _face("Noto Serif Devanagari")
    require(all(not any(ord(c) in fontsel.charset(f) for f in fontsel._index().values()) for c in NO_FONT),
            "no installed font with Vithkuqi (U+10570)")
    diag = Diagnostics()
    cov = fontsel.report_coverage(f"संस्कृतम् {NO_FONT}", None, diag)
    assert cov.missing == NO_FONT
    (missing,) = [d for d in diag.items if d.code == "glyph-missing"]
    assert missing.severity.name == "WARNING"
    assert "U+10570" in missing.message and "U+10571" in missing.message and "Vithkuqi" in missing.message
    assert "hanazono" not in missing.message and "CJK" not in missing.message


def test_a_glyph_no_font_has_fails_under_strict(tmp_path: Path) -> None:
    require(fontsel.coverage(NO_FONT, None).missing == NO_FONT, "no installed font with Vithkuqi (U+10570)")
    src = tmp_path / "rare.md"
    src.write_text(f"# Vithkuqi\n\nThe letters {NO_FONT} are in no installed font.\n", encoding="utf-8")
    with pytest.raises(StrictError, match=r"glyph-missing|U\+10570"):
        pipeline.convert(src, ["pdf"], tmp_path / "out", Options(strict=True, source_date_epoch=0))


def test_coverage_comes_from_fontconfig_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is read once (one fc-list, no font file opened); later coverage questions cost no process."""
    fontsel._entries()
    calls: list[list[str]] = []
    monkeypatch.setattr(fontsel, "_fc", lambda args: calls.append(args))
    fontsel.coverage("中文 संस्कृतम् ܫܠܡܐ", "zh-Hant")
    fontsel.coverage("更多中文", "zh-Hans")
    assert calls == []


def test_the_font_scan_without_fontconfig_is_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    face = fontsel.font_for("zh-Hant")
    require(face is not None, "the edition's font (Debian: fonts-noto-cjk)")
    assert face is not None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = fontsel._scan_cached(face.path)
    cached = list(tmp_path.rglob("*.json"))
    assert len(cached) == 1 and any(face.family in e.families for e in first)
    monkeypatch.setattr(fontsel, "_scan", lambda path: pytest.fail("the font file was read again"))
    again = fontsel._scan_cached(face.path)
    assert again == first
    entry = next(e for e in again if e.index == face.index)
    assert ord("中") in fontsel.Charset.parse(entry.charset)


def test_a_document_tagged_with_its_language_is_set_in_that_scripts_face() -> None:
    _face("Noto Serif Devanagari")
    assert fontsel.family_for("sa") == fontsel.family_for("hi-IN") == "Noto Serif Devanagari"
    assert fontsel.family_for("syr") == "Noto Sans Syriac" and fontsel.family_for("zh-Hant-HK") == "Noto Serif CJK HK"
    diag = Diagnostics()
    cov = fontsel.report_coverage(SANSKRIT.read_text(encoding="utf-8"), "sa", diag)
    assert cov.face is not None and cov.face.family == "Noto Serif Devanagari"
    assert cov.fallback == {} and cov.missing == "" and diag.items == []


# ------------------------------------------------------------------------------------------------ Latin faces

DETECTION = Path(__file__).parent / "fixtures" / "detection"
_CJK_FONT = ("CJK", "HanaMin")


def _pdffonts(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run([require_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()]


def _font_of_text(data: bytes, needle: str) -> set[str]:
    """The fonts of the spans holding ``needle`` (pymupdf)."""
    pymupdf = need("pymupdf")
    fonts: set[str] = set()
    for page in pymupdf.open(stream=data, filetype="pdf"):
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    if needle in span["text"]:
                        fonts.add(span["font"])
    return fonts


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_an_english_document_is_set_in_latin_faces_and_its_chinese_in_cjk(engine: str, tmp_path: Path) -> None:
    """Issue 26: an English Word document (its defaults say en-US) with one Chinese paragraph — the English in
    a Latin face (Noto Serif / Noto Sans), the Chinese paragraph in its own CJK face, in both engines."""
    _face("Noto Serif")
    _face("Noto Serif CJK SC")
    diag = Diagnostics()
    options = Options(source_date_epoch=0, pdf_engine=engine)
    doc = pipeline.transform(pipeline.read(DETECTION / "english-with-chinese.docx", options, diag), options, diag)
    assert (doc.metadata.language or "").startswith("en")
    han = next(t for t in (n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text))
               if any("\u4e00" <= c <= "\u9fff" for c in t))
    data = pipeline.write(doc, "pdf", options, diag)
    fonts = _pdffonts(data, tmp_path)
    latin = [f for f in fonts if not any(k in f for k in _CJK_FONT)]
    cjk = [f for f in fonts if "CJK" in f]
    assert any(f.replace("-", "").startswith("NotoSerif") for f in latin), fonts
    assert cjk, fonts
    # the English text in the Latin face, the Chinese in a CJK one (not a fallback found by chance)
    english = _font_of_text(data, "link")
    assert english and not any("CJK" in f for f in english), english
    chinese = _font_of_text(data, han.strip()[:2])
    assert chinese and all("CJK" in f for f in chinese), chinese


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_a_chinese_document_keeps_its_cjk_face(engine: str, tmp_path: Path) -> None:
    """The other way round: a Simplified Chinese document is set in Noto Serif CJK SC, and no Latin face is
    embedded for its Latin letters (the CJK face has them)."""
    doc = ir.Document(metadata=ir.Metadata(language="zh-Hans"), blocks=(
        ir.Para(children=(ir.Text(text="这是一个中文段落，其中有 Rust 和 Python 两个词。"),)),))
    data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
    fonts = _pdffonts(data, tmp_path)
    assert fonts and all("CJK" in f for f in fonts), fonts
    assert any("SC" in f.replace("-", "").upper() for f in fonts), fonts


def test_font_table_gives_latin_languages_a_latin_face() -> None:
    assert fontsel.family_for("en-US") == "Noto Serif" and fontsel.family_for("fr", "sans") == "Noto Sans"
    assert fontsel.family_for(None) == "Noto Serif"
    assert fontsel.family_for("zh-CN") == "Noto Serif CJK SC" and fontsel.family_for("zh-TW") == "Noto Serif CJK TC"
    assert fontsel.family_for("zh-Hant-HK", "sans") == "Noto Sans CJK HK" and fontsel.family_for("ja") == \
        "Noto Serif CJK JP"


def test_fontconfigs_list_is_kept_on_disk_until_a_font_folder_changes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process reads the list fc-list gave an earlier one (its cost is a tenth of a second per
    conversion), and runs fc-list again when the folder of a listed font changes."""
    require_tool("fc-list")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    real = fontsel._fc
    calls: list[str] = []

    def counted(args: list[str]) -> str | None:
        calls.append(args[0])
        return real(args)

    monkeypatch.setattr(fontsel, "_fc", counted)
    first = fontsel._fc_entries()
    assert first and calls.count("fc-list") == 1
    again = fontsel._fc_entries()
    assert again == first and calls.count("fc-list") == 1  # from the disk
    kept = next((tmp_path / "cache").rglob("fc-list-*.json"))
    folders = json.loads(kept.read_text(encoding="utf-8"))["folders"]
    assert str(first[0].path.parent) in folders
    record = json.loads(kept.read_text(encoding="utf-8"))
    record["folders"][next(iter(folders))] += "0"  # as if a font were added to that folder since
    kept.write_text(json.dumps(record), encoding="utf-8")
    assert fontsel._fc_entries() == first and calls.count("fc-list") == 2
