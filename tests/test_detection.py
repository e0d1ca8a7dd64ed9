"""Script, standard and language of documents nobody tagged (issue 26): detected from what the source declares and,
where it is silent, from the text, with the document as the prior of every part; ``inspect`` says what and why."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.cjk.conversion import converter
from pipeline.cjk.script import _only_sets
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.transforms import script
from pipeline.walk import iter_inlines_all, plain
from tests.conftest import require_tool

HERE = Path(__file__).parent / "fixtures" / "detection"
ENGLISH_DOCX = HERE / "english-with-chinese.docx"
CHINESE_MD = sorted(p for p in HERE.glob("*.md") if p.name != "PROVENANCE.md")


def markdown(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return path


def edition(path: Path, name: str) -> ir.Document:
    options = Options(script=name)  # type: ignore[arg-type]
    return pipeline.transform(pipeline.read(path, options), options)


def paragraphs(doc: ir.Document) -> list[tuple[str, str | None]]:
    return [(plain(b.children), b.lang) for b in doc.blocks if isinstance(b, ir.Para)]


def settings(doc: ir.Document, step: str) -> dict[str, str]:
    return dict(next(s for s in doc.steps if s.name == step).settings)


# ----------------------------------------------------------------------------------------------- script editions


def test_a_one_line_document_with_no_telling_character_is_converted(tmp_path: Path) -> None:
    """Every character of 我干什么不干你事 is written by both scripts; the word 什么 only by Simplified."""
    doc = edition(markdown(tmp_path, "我干什么不干你事。\n"), "hant")
    assert paragraphs(doc) == [("我幹什麼不干你事。", None)]
    assert doc.metadata.language == "zh-Hant"


def test_a_wholly_simplified_source_gets_openccs_standard(tmp_path: Path) -> None:
    doc = edition(markdown(tmp_path, "细面\n\n他们为此着手，群众沿着海岸。\n"), "hant")
    assert [t for t, _ in paragraphs(doc)] == ["細麪", "他們爲此着手，羣衆沿着海岸。"]
    assert settings(doc, "script")["source-standard-from"] == "default"


def test_a_traditional_source_gets_its_region_only_on_clear_evidence(tmp_path: Path) -> None:
    thin = edition(markdown(tmp_path, "這裡的研究。\n"), "hant")  # 裡 alone: one form
    assert settings(thin, "script")["source-standard"] == "opencc"
    clear = edition(markdown(tmp_path, "他們為此著手，群眾沿着海岸。\n"), "hant")  # 為 群 against 着
    assert settings(clear, "script")["source-standard"] == "tw"
    assert paragraphs(clear) == [("他們為此著手，群眾沿著海岸。", None)]


def test_a_paragraph_with_no_telling_character_inherits_the_document(tmp_path: Path) -> None:
    """台北 is written alike in both scripts: in a Traditional document it stays, in a Simplified one it is 臺北."""
    trad = edition(markdown(tmp_path, "我們的會議在這裡舉行，報告說明了經濟與發展。\n\n台北\n"), "hant")
    assert paragraphs(trad)[1] == ("台北", None)
    simp = edition(markdown(tmp_path, "我们的会议在这里举行，报告说明了经济与发展。\n\n台北\n"), "hant")
    assert paragraphs(simp)[1] == ("臺北", None)


def test_the_document_language_is_the_majority_not_one_paragraphs(tmp_path: Path) -> None:
    text = "我们的会议在这里举行。\n\n报告说明了经济与发展。\n\n這裡為什麼。\n"
    doc = edition(markdown(tmp_path, text), "keep")
    assert doc.metadata.language == "zh-Hans"
    assert paragraphs(doc)[2] == ("這裡為什麼。", "zh-Hant")
    assert settings(doc, "script")["source-script-from"] == "majority"


def test_words_alone_yield_to_a_declared_script(tmp_path: Path) -> None:
    """平台 is a Simplified word to OpenCC, and Taiwan's usage too: in a document declared Traditional it is not
    evidence enough to convert, nor to tag the paragraph Simplified."""
    path = markdown(tmp_path, "---\nlang: zh-Hant\n---\n\n新的平台\n")
    assert paragraphs(edition(path, "hant")) == [("新的平台", None)]
    assert paragraphs(edition(path, "keep")) == [("新的平台", None)]


def test_a_mixed_paragraph_is_converted_clause_by_clause(tmp_path: Path) -> None:
    """A Traditional clause in a Simplified paragraph is not run through s2t's tables as a whole (and the other way
    round), so 甲冑 and 甲胄 both come out 甲冑, 抬頭 stays, 擡头 (both scripts in one clause) is converted. The
    spaces the author typed between the words are kept (Markdown is not scraped text)."""
    doc = edition(markdown(tmp_path, "甲胄 甲冑\n\n抬头 擡头 抬頭 擡頭\n"), "hant")
    assert [t for t, _ in paragraphs(doc)] == ["甲冑 甲冑", "抬頭 擡頭 抬頭 擡頭"]


def test_japanese_is_not_converted(tmp_path: Path) -> None:
    doc = edition(markdown(tmp_path, "学校の図書館で本を読みます。\n"), "hant")
    assert paragraphs(doc)[0][0] == "学校の図書館で本を読みます。"


def test_a_declared_region_is_the_standard(tmp_path: Path) -> None:
    doc = edition(markdown(tmp_path, "---\nlang: zh-TW\n---\n\n慰藉著受傷的心靈\n"), "hans")
    assert paragraphs(doc) == [("慰藉着受伤的心灵", None)]  # Taiwan's 著 is OpenCC's 着
    assert settings(doc, "script")["source-standard-from"] == "declared"


# ------------------------------------------------------------------------------ real untagged Chinese Markdown


@pytest.mark.parametrize("name", [p.name for p in CHINESE_MD])
@pytest.mark.parametrize("ed", ["hant", "tw", "hk"])
def test_real_simplified_markdown_leaves_no_simplified_character(name: str, ed: str) -> None:
    _, simplified_only = _only_sets()
    doc = edition(HERE / name, ed)
    text = "".join(n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text))
    assert len(text) > 1500
    assert sorted({c for c in text if c in simplified_only}) == []


@pytest.mark.parametrize("name", [p.name for p in CHINESE_MD])
def test_real_simplified_markdown_hant_is_openccs_s2t(name: str) -> None:
    """Node by node, the ``hant`` edition of a wholly Simplified source is what OpenCC's s2t writes (quotation
    marks aside: the edition sets 「」 where the source has “”)."""
    source = pipeline.read(HERE / name)
    kept = pipeline.transform(source, Options(script="keep"))
    hant = pipeline.transform(source, Options(script="hant"))
    before = [n.text for n in iter_inlines_all(kept) if isinstance(n, ir.Text)]
    after = [n.text for n in iter_inlines_all(hant) if isinstance(n, ir.Text)]
    assert len(before) == len(after) > 70
    quotes = str.maketrans("「」『』", "“”‘’")
    s2t = converter("s2t")
    assert [(b, a) for b, a in zip(before, after, strict=True)
            if s2t.convert(b).translate(quotes) != a.translate(quotes)] == []
    assert settings(hant, "script")["source-script"] == "zh-Hans"


# ------------------------------------------------------------------------- an English Word document with Chinese


def test_english_word_document_declares_english() -> None:
    doc = pipeline.read(ENGLISH_DOCX)
    assert doc.metadata.language == "en-US"
    for name, tag in (("keep", "zh-Hans"), ("hant", "zh-Hant"), ("tw", "zh-Hant-TW"), ("hans", "zh-Hans")):
        out = pipeline.transform(doc, Options(script=name))  # type: ignore[arg-type]
        assert out.metadata.language == "en-US", name
        tagged = [(t[:4], lang) for t, lang in paragraphs(out) if lang]
        assert len(tagged) == 1 and tagged[0][1] == tag, name
        assert settings(out, "lang")["language-from"] == "declared"


def test_a_chinese_word_document_is_not_made_english() -> None:
    """The project's Chinese manuscript says ``en-US`` in its core properties (pandoc's default) and ``zh-CN`` as
    the East Asian default (the system's): neither is the document's, its Traditional text is."""
    doc = pipeline.read(Path(__file__).parent / "fixtures" / "word" / "manuscript.docx")
    assert doc.metadata.language is None
    assert pipeline.transform(doc, Options()).metadata.language == "zh-Hant"


def test_english_word_document_editions_stay_english(tmp_path: Path) -> None:
    require_tool("pdftotext")
    result = pipeline.convert(ENGLISH_DOCX, ["html", "epub", "pdf"], tmp_path, Options(script="hant"))
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert re.search(r'<html[^>]* lang="en-US"', html)
    assert re.search(r'<p[^>]* lang="zh-Hant"[^>]*>並不是所有的東西', html)
    assert "目录" not in html and "目錄" not in html
    with zipfile.ZipFile(result.outputs["epub"]) as z:
        opf = next(z.read(n).decode() for n in z.namelist() if n.endswith(".opf"))
        nav = next(z.read(n).decode() for n in z.namelist() if n.endswith("nav.xhtml"))
    assert "<dc:language>en-US</dc:language>" in opf
    assert ">Contents<" in nav and "目录" not in nav and "目錄" not in nav
    import subprocess
    text = subprocess.run(["pdftotext", str(result.outputs["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Contents" in text and "目录" not in text and "目錄" not in text
    assert "並不是所有的東西" in text


def test_undeclared_english_markdown_with_a_chinese_paragraph(tmp_path: Path) -> None:
    text = ("# Notes\n\nThis report describes the meeting held in Geneva and what was agreed there, in detail.\n\n"
            "并不是所有的东西都服从于继承的可变性。\n\nThe rest of the report is in English as well.\n")
    doc = edition(markdown(tmp_path, text), "hant")
    assert doc.metadata.language is None  # undeclared, and not mostly Chinese: not made Chinese
    assert [lang for _, lang in paragraphs(doc)] == [None, "zh-Hant", None]
    assert settings(doc, "lang")["language-from"] == "none"


# ------------------------------------------------------------------------------------------------------ inspect


def test_inspect_shows_what_was_detected_and_why(tmp_path: Path) -> None:
    report = pipeline.inspect(HERE / "nomicon-zh-Hans-send-and-sync.md", Options(script="tw"))
    found = [d["message"] for d in report["diagnostics"] if d["code"] == "language-detected"]
    assert any(m.startswith("script zh-Hans (the majority") and "standard opencc" in m for m in found), found
    assert any(m.startswith("document language zh-Hant-TW (the majority of its body)") for m in found), found
    english = pipeline.inspect(ENGLISH_DOCX, Options(script="hant"))
    found = [d["message"] for d in english["diagnostics"] if d["code"] == "language-detected"]
    assert any(m.startswith("document language en-US (declared by the source); 1 part(s) tagged") for m in found)


def test_detection_of_a_tagged_document_agrees_with_its_tags() -> None:
    doc = ir.Document(metadata=ir.Metadata(language="zh-Hant-HK"),
                      blocks=(ir.Para(children=(ir.Text(text="这里的研究"),)),))
    found = script.detect(doc)
    assert (found.script, found.script_source, found.standard, found.standard_source) == \
        ("zh-Hant", "declared", "hk", "declared")
    out = script.apply(doc, Options(script="hant"), Diagnostics())
    para = out.blocks[0]
    assert isinstance(para, ir.Para) and plain(para.children) == "這裏的研究"  # Simplified text, HK's forms


def test_under_keep_a_part_only_words_tell_is_tagged_as_the_document(tmp_path: Path) -> None:
    doc = edition(markdown(tmp_path, "我們的會議在這裡舉行，報告說明了經濟與發展。\n\n台北\n\n我们在这里。\n"), "keep")
    assert doc.metadata.language == "zh-Hant"
    assert paragraphs(doc) == [("我們的會議在這裡舉行，報告說明了經濟與發展。", None), ("台北", None),
                               ("我们在这里。", "zh-Hans")]
