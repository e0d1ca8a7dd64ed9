"""A Word file ready for a client (issue 17): page size, title-page section, headers and footers with page
numbers and running heads, a filled TOC, Chinese spacing, dates, a house template; openxml-audit and
LibreOffice agree."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.options import Options
from tests.conftest import SAMPLE, require, require_tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[ir.Document, Path]:
    out = tmp_path_factory.mktemp("docx")
    result = pipeline.convert(SAMPLE, ["docx"], out, Options(source_date_epoch=1724198400))
    return result.document, result.outputs["docx"]


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def rels(path: Path) -> dict[str, str]:
    root = part(path, "word/_rels/document.xml.rels")
    return {r.get("Id") or "": "word/" + (r.get("Target") or "") for r in root}


def test_title_page_is_its_own_section_without_header(sample_docx: tuple[ir.Document, Path]) -> None:
    _, path = sample_docx
    body = part(path, "word/document.xml").find(w("body"))
    assert body is not None
    sections = body.findall(f".//{w('pPr')}/{w('sectPr')}") + [body.find(w("sectPr"))]
    title = sections[0]
    assert title.find(w("titlePg")) is not None and title.find(w("headerReference")) is None
    # the paragraph closing the title section is the title page's last
    holder = title.getparent().getparent()
    assert holder.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "EditionNote"
    # every other section has the running heads and page numbers; a chapter's, whose first page is its opening,
    # an empty header and the folio at the foot there (titlePg)
    for i, sect in enumerate(sections[1:]):
        kinds = {(etree.QName(r).localname, r.get(w("type"))) for r in sect
                 if etree.QName(r).localname in ("headerReference", "footerReference")}
        both = {("headerReference", "default"), ("headerReference", "even"), ("footerReference", "default"),
                ("footerReference", "even")}
        if i == 0:  # the contents
            assert kinds == both and sect.find(w("titlePg")) is None
        else:
            assert kinds == both | {("headerReference", "first"), ("footerReference", "first")}
            assert sect.find(w("titlePg")) is not None
    assert part(path, "word/settings.xml").find(w("evenAndOddHeaders")) is not None


def test_headers_and_footers_hold_fields(sample_docx: tuple[ir.Document, Path]) -> None:
    doc, path = sample_docx
    body = part(path, "word/document.xml").find(w("body"))
    targets = rels(path)
    chapters = [f"{b.label}\u3000{''.join(t.text for t in b.children if isinstance(t, ir.Text))}"
                for b in doc.blocks if isinstance(b, ir.Heading) and b.level == 1]
    running = []
    contents, *sections = [*body.findall(f".//{w('pPr')}/{w('sectPr')}")[1:], body.find(w("sectPr"))]
    # the contents' section: its folio, no running head on either side (as in the PDF; clreq 5.2)
    refs = {(etree.QName(r).localname, r.get(w("type"))): r.get(f"{{{R}}}id") for r in contents}
    for side in ("default", "even"):
        head = part(path, targets[refs[("headerReference", side)]])
        assert not "".join(head.itertext()).strip() and head.find(f".//{w('instrText')}") is None
    assert "PAGE" in "".join(t.text or "" for t in part(path, targets[refs[("footerReference", "default")]])
                             .iter(w("instrText")))
    for sect in sections:
        refs = {(etree.QName(r).localname, r.get(w("type"))): r.get(f"{{{R}}}id") for r in sect}
        odd = part(path, targets[refs[("headerReference", "default")]])
        instr = "".join(t.text or "" for t in odd.iter(w("instrText")))
        assert 'STYLEREF "Heading 1"' in instr
        running.append("".join(t.text or "" for t in odd.iter(w("t"))))
        even = part(path, targets[refs[("headerReference", "even")]])
        assert "".join(t.text or "" for t in even.iter(w("t"))) == doc.metadata.title
        foot = part(path, targets[refs[("footerReference", "default")]])
        assert "PAGE" in "".join(t.text or "" for t in foot.iter(w("instrText")))
    # one section per chapter, each running head holding its chapter (LibreOffice shows it as it is)
    assert running == chapters


def test_toc_is_filled_with_links_and_page_fields(sample_docx: tuple[ir.Document, Path]) -> None:
    doc, path = sample_docx
    body = part(path, "word/document.xml").find(w("body"))
    instr = [t.text or "" for t in body.iter(w("instrText"))]
    assert any(re.search(r'TOC \\o "1-2" \\h', i) for i in instr)
    entries = [p for p in body.iter(w("p")) if (s := p.find(f"{w('pPr')}/{w('pStyle')}")) is not None
               and s.get(w("val")) in ("TOC1", "TOC2") and p.find(w("hyperlink")) is not None]
    heads = [b for b in doc.blocks if isinstance(b, ir.Heading) and b.level <= 2]
    assert len(entries) == len(heads) == 11
    bookmarks = {b.get(w("name")) for b in body.iter(w("bookmarkStart"))}
    pages = []
    for p, h in zip(entries, heads, strict=True):
        link = p.find(w("hyperlink"))
        assert link.get(w("anchor")) == h.id and h.id in bookmarks
        assert f"PAGEREF {h.id}" in "".join(t.text or "" for t in link.iter(w("instrText")))
        texts = [t.text or "" for t in link.iter(w("t"))]
        assert texts[-1].isdigit()  # a cached page number, recomputed by Word
        pages.append(int(texts[-1]))
    assert pages == sorted(pages) and pages[0] >= 3


@pytest.mark.parametrize("size, twips", [("A5", (8391, 11906)), ("Letter", (12240, 15840)),
                                         ("150mmx220mm", (8504, 12472))])
def test_page_size_applies(size: str, twips: tuple[int, int], tmp_path: Path) -> None:
    path = pipeline.convert(SAMPLE, ["docx"], tmp_path, Options(source_date_epoch=0, page_size=size)).outputs["docx"]
    body = part(path, "word/document.xml").find(w("body"))
    for sect in [*body.findall(f".//{w('pPr')}/{w('sectPr')}"), body.find(w("sectPr"))]:
        pg = sect.find(w("pgSz"))
        assert (int(pg.get(w("w"))), int(pg.get(w("h")))) == twips
    # tables and pictures follow the narrower column
    widths = [int(t.get(w("w"))) for t in body.iter(w("tblW"))]
    mar = body.find(w("sectPr")).find(w("pgMar"))
    column = twips[0] - int(mar.get(w("left"))) - int(mar.get(w("right")))
    assert all(x <= column for x in widths)


def test_chinese_spacing_and_first_line_indent(sample_docx: tuple[ir.Document, Path]) -> None:
    _, path = sample_docx
    styles = {s.get(w("styleId")): s for s in part(path, "word/styles.xml").iter(w("style"))}
    normal = styles["Normal"].find(f"{w('pPr')}/{w('spacing')}")
    assert (normal.get(w("line")), normal.get(w("lineRule"))) == ("400", "exact")
    for sid in ("BodyText", "BoxText"):
        ind = styles[sid].find(f"{w('pPr')}/{w('ind')}")
        assert ind.get(w("firstLineChars")) == "200"
    numbered = styles["NumberedParagraph"].find(f"{w('pPr')}/{w('ind')}")
    assert numbered.get(w("hanging")) and not numbered.get(w("firstLineChars"))


def test_dates_come_from_the_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    path = pipeline.convert(SAMPLE, ["docx"], tmp_path, Options()).outputs["docx"]
    core = part(path, "docProps/core.xml")
    created = core.find("{http://purl.org/dc/terms/}created")
    assert created is not None and (created.text or "").startswith("2024-08-21")
    with zipfile.ZipFile(path) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2024, 8, 21)}


def test_openxml_audit_reports_nothing(sample_docx: tuple[ir.Document, Path], tmp_path: Path) -> None:
    exe = shutil.which("openxml-audit") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    a5 = pipeline.convert(SAMPLE, ["docx"], tmp_path, Options(source_date_epoch=0, page_size="A5", script="hans"))
    for path in (sample_docx[1], a5.outputs["docx"]):
        r = subprocess.run([exe, "-m", "0", str(path)], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0 and "Errors: 0" in r.stdout, r.stdout[-3000:]


def _libreoffice_pdf(path: Path, tmp_path: Path) -> Path:
    soffice = require_tool("soffice")
    r = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       capture_output=True, text=True, timeout=300)
    pdf = tmp_path / (path.stem + ".pdf")
    assert r.returncode == 0 and pdf.exists(), r.stderr
    return pdf


def _pages(pdf: Path) -> list[str]:
    exe = require_tool("pdftotext")
    out = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")


def test_libreoffice_renders_page_numbers_running_heads_and_toc(sample_docx: tuple[ir.Document, Path],
                                                                tmp_path: Path) -> None:
    doc, path = sample_docx
    pages = [p for p in _pages(_libreoffice_pdf(path, tmp_path)) if p.strip()]
    assert "A/79/1" in pages[0] and not pages[0].strip().splitlines()[-1].strip().isdigit()  # no number
    # the filled TOC: every chapter and section with a page number after its dot leader
    toc = pages[1]
    assert "目錄" in toc
    for h in [b for b in doc.blocks if isinstance(b, ir.Heading) and b.level <= 2]:
        text = "".join(t.text for t in h.children if isinstance(t, ir.Text))
        assert re.search(re.escape(text) + r"\s*\.{5,}\s*\d+", toc), text
    numbered = 0
    chapter_heads = {re.sub(r"\s+", "", (b.label or "") + "".join(t.text for t in b.children
                                                                   if isinstance(t, ir.Text)))
                     for b in doc.blocks if isinstance(b, ir.Heading) and b.level == 1}
    for i, page in enumerate(pages[1:], 2):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        if lines[-1] == str(i):
            numbered += 1
        head = re.sub(r"\s+", "", lines[0])
        if i == 2:  # the contents: no running head
            assert head == "目錄", head
        elif re.fullmatch(r"第[一二三]章\S+", head) and head in chapter_heads:
            pass  # a chapter's opening page: its heading first, no running head
        elif i % 2 == 0:
            assert head == re.sub(r"\s+", "", doc.metadata.title or ""), (i, head)
        elif i > 2:
            assert head.startswith(("第一章", "第二章", "第三章")), (i, head)
    assert numbered == len(pages) - 1
    # the chapter in the running head is that of the page (chapter 2 starts after chapter 1's pages)
    second = next(i for i, p in enumerate(pages) if re.search(r"^\s*第二章\s+聯合國的工作\s*$", p, re.M)
                  and "目錄" not in p)
    later = [re.sub(r"\s+", "", p.strip().splitlines()[0]) for p in pages[second + 1:second + 4]]
    assert any(h.startswith("第二章") for h in later), later


def _template(path: Path) -> None:
    import docx
    from docx.shared import Mm, Pt, RGBColor

    d = docx.Document()
    h1 = d.styles["Heading 1"]
    h1.font.color.rgb = RGBColor(0xC0, 0x00, 0x30)
    h1.font.size = Pt(20)
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(215.9), Mm(279.4)
    sec.left_margin = sec.right_margin = Mm(30)
    sec.header.paragraphs[0].text = "HOUSE TEMPLATE"
    sec.footer.paragraphs[0].text = "House footer"
    d.add_paragraph("the template's own text, never copied")
    d.save(str(path))


def test_reference_docx_gives_styles_page_and_headers(tmp_path: Path) -> None:
    template = tmp_path / "house.docx"
    _template(template)
    out = tmp_path / "out"
    path = pipeline.convert(SAMPLE, ["docx"], out, Options(source_date_epoch=0, reference_docx=str(template)),
                            ).outputs["docx"]
    styles = {s.get(w("styleId")): s for s in part(path, "word/styles.xml").iter(w("style"))}
    colour = styles["Heading1"].find(f"{w('rPr')}/{w('color')}")
    assert colour is not None and colour.get(w("val")) == "C00030"
    assert "NumberedParagraph" in styles and "BoxTitle" in styles  # ours where the template has none
    body = part(path, "word/document.xml").find(w("body"))
    pg = body.find(f"{w('sectPr')}/{w('pgSz')}")
    assert (pg.get(w("w")), pg.get(w("h"))) == ("12240", "15840")
    assert "the template's own text" not in etree.tostring(body, encoding="unicode")
    pages = _pages(_libreoffice_pdf(path, tmp_path))
    assert "HOUSE TEMPLATE" not in pages[0] and "HOUSE TEMPLATE" in pages[2] and "House footer" in pages[2]


def test_reference_docx_that_is_no_word_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "house.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(pipeline.DocpipeError, match="reference-docx"):
        pipeline.convert(SAMPLE, ["docx"], tmp_path / "out", Options(reference_docx=str(bad)))
