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
from tests.conftest import openxml_audit, require_tool

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


# ------------------------------------------------------------------------------------------- right-to-left text

RTL = Path(__file__).parent / "fixtures" / "rtl"
#: Bidi controls pdftotext puts around right-to-left runs (and the Arabic letter mark).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _docx_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode()


@pytest.mark.parametrize(("name", "lang"), [("arabic-undeclared.md", "ar"), ("hebrew-undeclared.md", "he")])
def test_undeclared_right_to_left_text_takes_its_scripts_language(name: str, lang: str) -> None:
    doc = pipeline.transform(pipeline.read(RTL / name, Options()), Options())
    assert doc.metadata.language == lang
    assert settings(doc, "lang")["language-from"] == "majority"
    assert all(b_lang is None for _, b_lang in paragraphs(doc))  # each paragraph is in the document's language


def test_persian_and_urdu_are_told_from_arabic_by_their_letters() -> None:
    from pipeline.rtl import direction, rtl_language
    assert rtl_language("این یک متن کوتاه فارسی است که درباره کتاب نوشته شده") == "fa"
    assert rtl_language("یہ ایک چھوٹا سا اردو جملہ ہے اور بڑا ٹھیک ہے") == "ur"
    assert rtl_language("هذه جملة قصيرة باللغة العربية عن الكتاب") == "ar"
    assert rtl_language("An English sentence with one word in Arabic: كتاب.") is None
    assert [direction(t) for t in ("ar", "he-IL", "az-Arab", "ku-Latn", "en", None)] == \
        ["rtl", "rtl", "rtl", "ltr", "ltr", "ltr"]


def test_a_page_in_a_script_without_spaces_is_not_outnumbered_by_one_arabic_paragraph() -> None:
    """A Japanese sentence is one run of letters: counted as one word, one Arabic paragraph outnumbered three pages."""
    from pipeline.rtl import rtl_language
    arabic = "هذه جملة قصيرة باللغة العربية عن الكتاب والمكتبة في المدينة"
    japanese = "これは日本語の文章です。図書館で本を読みました。とても面白かったです。" * 3
    assert rtl_language(f"{japanese}\n{arabic}") is None
    assert rtl_language(f"The library.\n{arabic}") == "ar"


def test_undeclared_arabic_is_right_to_left_in_every_output(tmp_path: Path) -> None:
    """The document is Arabic: ``lang``/``dir`` on HTML and EPUB (pages turning leftwards), ``w:bidi`` on Word's
    paragraphs, and the PDF's paragraphs set right to left, so its text layer reads in the source's order (set
    left to right, the full stop came first)."""
    from .epubcheck_run import epubcheck
    pdftotext = require_tool("pdftotext")
    import subprocess
    out = pipeline.convert(RTL / "arabic-undeclared.md", ["html", "epub", "docx", "pdf"], tmp_path,
                           Options(source_date_epoch=0)).outputs
    html = out["html"].read_text(encoding="utf-8")
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    with zipfile.ZipFile(out["epub"]) as z:
        opf = next(z.read(n).decode() for n in z.namelist() if n.endswith(".opf"))
        chapter = next(z.read(n).decode() for n in z.namelist() if "chapter" in n)
    assert "<dc:language>ar</dc:language>" in opf and 'page-progression-direction="rtl"' in opf
    assert re.search(r'<html [^>]*lang="ar"[^>]* dir="rtl"', chapter)
    assert epubcheck(out["epub"], "-q").returncode == 0
    styles = _docx_part(out["docx"], "word/styles.xml")
    assert re.search(r"<w:pPrDefault><w:pPr>.*<w:bidi/>.*</w:pPr></w:pPrDefault>", styles)
    document = _docx_part(out["docx"], "word/document.xml")
    assert "<w:rtl/>" in document and 'w:bidi="ar"' in document
    openxml_audit(out["docx"])
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(out["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [_BIDI_CONTROLS.sub("", line).strip() for line in text.splitlines()]
    para = next(line for line in lines if "عملت" in line)
    # the words in the source's order, the full stop last (pdftotext may move the Arabic comma by its space)
    assert re.findall(r"\w+", para) == re.findall(r"\w+", paragraphs(pipeline.transform(
        pipeline.read(RTL / "arabic-undeclared.md", Options()), Options()))[0][0])
    assert para.endswith("بالحاسوب.")
    assert "• مراجعة نتائج الحاسوب" in lines


def test_undeclared_english_with_an_arabic_paragraph_tags_only_that_paragraph(tmp_path: Path) -> None:
    doc = pipeline.transform(pipeline.read(RTL / "english-with-arabic.md", Options()), Options())
    assert doc.metadata.language is None
    assert [lang for _, lang in paragraphs(doc)] == [None, "ar", None]
    out = pipeline.convert(RTL / "english-with-arabic.md", ["html", "docx"], tmp_path,
                           Options(source_date_epoch=0)).outputs
    html = out["html"].read_text(encoding="utf-8")
    assert "<html>" in html and re.search(r'<p lang="ar" dir="rtl">كتبت الرسالة', html)
    assert html.count('dir="') == 1
    document = _docx_part(out["docx"], "word/document.xml")
    assert document.count("<w:bidi/>") == 1 and "<w:bidi/>" not in _docx_part(out["docx"], "word/styles.xml")
    openxml_audit(out["docx"])


def test_a_declared_language_wins_over_right_to_left_text(tmp_path: Path) -> None:
    text = (RTL / "arabic-undeclared.md").read_text(encoding="utf-8")
    doc = edition(markdown(tmp_path, f"---\nlang: fa\n---\n\n{text}"), "keep")
    assert doc.metadata.language == "fa" and settings(doc, "lang")["language-from"] == "declared"
    assert all(lang is None for _, lang in paragraphs(doc))


def test_inspect_shows_a_detected_right_to_left_language() -> None:
    report = pipeline.inspect(RTL / "arabic-undeclared.md", Options())
    assert report["metadata"]["language"] == "ar"
    found = [d["message"] for d in report["diagnostics"] if d["code"] == "language-detected"]
    assert any(m.startswith("document language ar (the majority of its body)") for m in found), found


def test_an_arabic_tutorial_is_arabic_whatever_its_code_and_its_code_reads_left_to_right(tmp_path: Path) -> None:
    """An Arabic React tutorial (react.dev's, translated) has more identifiers in its code than Arabic words:
    code is left out of the count, and set left to right inside the right-to-left document."""
    source = RTL / "arabic-with-code.md"
    doc = pipeline.transform(pipeline.read(source, Options()), Options())
    assert doc.metadata.language == "ar"
    out = pipeline.convert(source, ["html", "docx"], tmp_path, Options(source_date_epoch=0)).outputs
    html = out["html"].read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<pre dir="ltr">' in html and '<code dir="ltr">map()</code>' in html
    document = _docx_part(out["docx"], "word/document.xml")
    code = re.findall(r'<w:pPr><w:pStyle w:val="CodeBlock"/>(<w:bidi w:val="0"/>)?', document)
    assert code and all(code), code  # every line of code left to right
    openxml_audit(out["docx"])


def test_the_contents_are_headed_in_the_documents_language() -> None:
    """The contents page's heading follows the document's language, detected or declared (an Arabic book's
    contents were headed "Contents"), in DOCX and in both PDF engines."""
    import pymupdf

    from pipeline.writers.divisions import contents_heading

    assert contents_heading("zh-Hant-TW") == "目錄" and contents_heading("zh-CN") == "目录"
    assert contents_heading("zh-TW") == "目錄" and contents_heading("ar-EG") == "المحتويات"
    assert contents_heading("he") == "תוכן העניינים" and contents_heading("xx") == "Contents"
    assert contents_heading(None) == "Contents"
    src = ("# الفصل الأول\n\nهذا نص عربي طويل بما يكفي ليكون فقرة في كتاب.\n\n"
           "# الفصل الثاني\n\nوهذه فقرة أخرى من النص العربي في الفصل الثاني.\n").encode()
    opts = Options(source_date_epoch=0)
    doc = pipeline.transform(pipeline.read_bytes(src, "book.md", opts, Diagnostics()), opts, Diagnostics())
    assert doc.metadata.language == "ar"
    docx = pipeline.write(doc, "docx", opts, Diagnostics())
    with zipfile.ZipFile(__import__("io").BytesIO(docx)) as z:
        assert "المحتويات" in z.read("word/document.xml").decode("utf-8")
    for engine in ("weasyprint", "typst"):
        data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
        text = "".join(page.get_text() for page in pymupdf.open(stream=data, filetype="pdf"))
        assert "المحتويات" in text and "Contents" not in text, engine


def test_an_english_paragraph_of_an_arabic_document_reads_left_to_right(tmp_path: Path) -> None:
    """A part with letters and none right to left, in a right-to-left document, is tagged ``und-Latn`` (a
    language docpipe does not tell, in Latin script) and so set left to right, as the bidirectional algorithm
    sets a paragraph by its first strong character; an Arabic paragraph that opens with a Latin word stays
    Arabic. Outputs valid."""
    from tests.tei_validate import validate

    from .epubcheck_run import epubcheck

    text = (RTL / "arabic-undeclared.md").read_text(encoding="utf-8")
    src = markdown(tmp_path, text + "\nThe English summary of the chapter, for readers of the translation.\n\n"
                                    "React مكتبة لبناء واجهات المستخدم في المتصفح.\n")
    doc = pipeline.transform(pipeline.read(src, Options()), Options())
    assert doc.metadata.language == "ar"
    langs = [lang for _, lang in paragraphs(doc)]
    assert langs[0] is None and langs[-2:] == ["und-Latn", None]
    out = pipeline.convert(src, ["html", "epub", "docx", "tei"], tmp_path / "out", Options(source_date_epoch=0)).outputs
    html = out["html"].read_text(encoding="utf-8")
    assert re.search(r'<p lang="und-Latn" dir="ltr">The English summary', html)
    document = _docx_part(out["docx"], "word/document.xml")
    assert '<w:bidi w:val="0"/>' in document
    openxml_audit(out["docx"])
    assert epubcheck(out["epub"], "-q").returncode == 0
    assert validate([out["tei"]]) == {}
