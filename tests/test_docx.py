"""DOCX writer: LibreOffice converts it and every paragraph, box title and the note come through; pandoc reads
native footnotes, headings and boxes back; Word structures (styles, bookmarks, East Asian settings) are right."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.walk import block_text, iter_blocks, plain
from tests.conftest import SAMPLE, need, require_tool

W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[ir.Document, Path]:
    out = tmp_path_factory.mktemp("docx")
    result = pipeline.convert(SAMPLE, ["docx"], out, Options(source_date_epoch=1724198400))
    return result.document, result.outputs["docx"]


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def letters(text: str) -> str:
    """Text without spaces or CJK punctuation: LibreOffice's PDF drops a comma it compresses at a line end."""
    return re.sub(r"[\s、，。；：！？「」『』（）《》“”‘’]", "", text)


def test_libreoffice_converts_it_with_all_text(sample_docx: tuple[ir.Document, Path], tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    doc, path = sample_docx
    r = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       capture_output=True, text=True, timeout=300)
    pdf = tmp_path / (path.stem + ".pdf")
    assert r.returncode == 0 and pdf.exists(), r.stderr
    raw = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    note = squash(block_text(doc.notes[0].blocks))
    assert note in squash(raw)
    # page-foot notes, their markers and the running heads interrupt a paragraph that runs on to the next page
    heads = {squash(doc.metadata.title or "")} | {squash(f"{b.label or ''}{plain(b.children)}") for b in doc.blocks
                                                  if isinstance(b, ir.Heading) and b.level == 1}
    kept = []
    for page in raw.split("\f"):
        lines = [ln for ln in page.splitlines() if ln.strip() and not ln.strip().isdigit()]
        head = ""  # the running head, which pdftotext may split at its ideographic space
        while lines and any(h.startswith(head + squash(lines[0])) for h in heads if h):
            head += squash(lines.pop(0))
        kept.extend(lines)
    text = squash("\n".join(kept)).replace(note, "")
    body = letters(text.replace("1人類", "人類"))
    missing = [plain(b.children)[:20] for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para | ir.Heading)
               and letters(plain(b.children).replace("[1]", "")) not in body]
    assert missing == []
    boxes = [plain(b.title) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)]
    assert len(boxes) == 12 and all(squash(t) in text for t in boxes)
    numbers = {int(n) for n in re.findall(r"(?m)^\s*(\d{1,3})\.", raw)}
    assert set(range(1, 133)) <= numbers


def test_pandoc_reads_notes_headings_and_boxes(sample_docx: tuple[ir.Document, Path]) -> None:
    pypandoc = need("pypandoc")
    doc, path = sample_docx
    plain_md = pypandoc.convert_file(str(path), "markdown", format="docx", extra_args=["--wrap=none"])
    assert re.search(r"\[\^1\]: 按照聯合國秘書處的經常預算", plain_md), "the note is not a real note"
    assert "過去一年，[^1]人類" in plain_md
    md = pypandoc.convert_file(str(path), "markdown", format="docx+styles", extra_args=["--wrap=none"])
    assert re.search(r"^# 第一章\s導言", md, re.MULTILINE)
    assert re.search(r"^## A\.\s促進持續經濟增長和可持續發展", md, re.MULTILINE)
    assert len(re.findall(r'custom-style="Box Title"', md)) == 12
    for b in iter_blocks(doc.blocks):
        if isinstance(b, ir.Box):
            assert plain(b.title) in md


def test_word_structures(sample_docx: tuple[ir.Document, Path]) -> None:
    _, path = sample_docx
    document = part(path, "word/document.xml")
    marks = document.xpath("//w:bookmarkStart/@w:name", namespaces=W)
    assert {f"para-{n}" for n in range(1, 133)} <= set(marks) and "h-1" in marks
    assert len(document.xpath("//w:footnoteReference", namespaces=W)) == 1
    notes = part(path, "word/footnotes.xml")
    types = notes.xpath("//w:footnote/@w:type", namespaces=W)
    assert types == ["separator", "continuationSeparator"]
    assert "按照聯合國秘書處" in "".join(notes.xpath("//w:footnote[@w:id='1']//w:t/text()", namespaces=W))
    styles = part(path, "word/styles.xml")
    names = set(styles.xpath("//w:style/w:name/@w:val", namespaces=W))
    assert {"Title", "Subtitle", "Heading 1", "Heading 4", "Numbered Paragraph", "Box Title", "Box Text",
            "Footnote Text", "Footnote Reference", "Title Page Info"} <= names
    h1 = styles.xpath("//w:style[@w:styleId='Heading1']//w:outlineLvl/@w:val", namespaces=W)
    assert h1 == ["0"]
    defaults = styles.find("w:docDefaults", namespaces=W)
    assert defaults.xpath(".//w:rFonts/@w:eastAsia", namespaces=W) == ["Noto Serif CJK TC"]
    assert defaults.xpath(".//w:lang/@w:eastAsia", namespaces=W) == ["zh-TW"]
    assert defaults.xpath(".//w:kinsoku/@w:val", namespaces=W) == ["1"]
    assert defaults.xpath(".//w:autoSpaceDE/@w:val", namespaces=W) == ["1"]
    box_langs = set(document.xpath("//w:p[w:pPr/w:pStyle/@w:val='BoxText']//w:lang/@w:eastAsia", namespaces=W))
    assert box_langs == {"zh-CN"}
    theme = etree.tostring(part(path, "word/theme/theme1.xml"), encoding="unicode")
    assert 'typeface="Noto Serif CJK TC"' in theme and "MS Mincho" not in theme.replace("ＭＳ", "MS")
    first = document.xpath("//w:p[w:pPr/w:pStyle/@w:val='NumberedParagraph']", namespaces=W)[0]
    assert "".join(first.xpath(".//w:t/text()", namespaces=W)).startswith("1.")
    assert first.xpath(".//w:tab", namespaces=W)


def test_simplified_edition_settings(tmp_path: Path) -> None:
    result = pipeline.convert(SAMPLE, ["docx"], tmp_path, Options(script="hans", source_date_epoch=0))
    styles = part(result.outputs["docx"], "word/styles.xml")
    assert styles.xpath("//w:docDefaults//w:rFonts/@w:eastAsia", namespaces=W) == ["Noto Serif CJK SC"]
    assert styles.xpath("//w:docDefaults//w:lang/@w:eastAsia", namespaces=W) == ["zh-CN"]


def test_core_properties_and_rebuild(sample_docx: tuple[ir.Document, Path], tmp_path: Path) -> None:
    _, path = sample_docx
    core = etree.tostring(part(path, "docProps/core.xml"), encoding="unicode")
    assert "聯合國秘書長關於聯合國工作的報告" in core and "2024-08-21T00:00:00Z" in core and "A/79/1" in core
    again = pipeline.convert(SAMPLE, ["docx"], tmp_path, Options(source_date_epoch=1724198400))
    assert again.outputs["docx"].read_bytes() == path.read_bytes()


def test_custom_marker_is_honoured(tmp_path: Path) -> None:
    doc = ir.Document(metadata=ir.Metadata(title="t", language="zh-Hant"), blocks=(
        ir.Para(children=(ir.Text(text="甲"), ir.NoteRef(note_id="fn-a", marker="*")), number="1"),),
        notes=(ir.Note(id="fn-a", marker="*", blocks=(ir.Para(children=(ir.Text(text="星號注"),)),)),))
    data = pipeline.write(doc, "docx", Options(source_date_epoch=0))
    (tmp_path / "m.docx").write_bytes(data)
    document = part(tmp_path / "m.docx", "word/document.xml")
    ref = document.xpath("//w:footnoteReference", namespaces=W)[0]
    assert ref.get(f"{{{W['w']}}}customMarkFollows") == "1"
    assert "*" in document.xpath("//w:r[w:footnoteReference]/following-sibling::w:r[1]//w:t/text()", namespaces=W)


def test_properties_in_schema_order(sample_docx: tuple[ir.Document, Path]) -> None:
    """Word repairs a file whose pPr/rPr children are out of the schema's order; ours never are."""
    from pipeline.writers.wordml import PPR_ORDER, RPR_ORDER
    _, path = sample_docx
    for name in ("word/document.xml", "word/styles.xml", "word/footnotes.xml"):
        root = part(path, name)
        for tag, order in (("pPr", PPR_ORDER), ("rPr", RPR_ORDER)):
            for props in root.iter(f"{{{W['w']}}}{tag}"):
                names = [etree.QName(c).localname for c in props]
                ranks = [order.index(n) for n in names if n in order]
                assert ranks == sorted(ranks), (name, names)
    with zipfile.ZipFile(path) as z:
        assert "word/stylesWithEffects.xml" not in z.namelist()
    settings = part(path, "word/settings.xml")
    assert settings.xpath("//w:characterSpacingControl/@w:val", namespaces=W) == ["compressPunctuation"]
