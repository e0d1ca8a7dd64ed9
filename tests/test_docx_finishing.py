"""DOCX finishing for Chinese editions (issue 28): fields updated on open, East Asian fonts Word resolves on
Windows and macOS, the theme's language from the edition, only the styles used, three-line tables with columns
from content, emphasis dots, no title page holding only an author. Measured on the files' XML, and through
LibreOffice (headless) where it shows."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options, Script
from pipeline.writers import docx as docx_writer
from tests.conftest import SAMPLE, need, require, require_tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS = {"w": W, "a": A}
TRPL = Path(__file__).parent / "fixtures" / "books" / "trpl-zh-cn" / "src"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist()
                if n.startswith("word/") and n.endswith(".xml")}


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample as Traditional (A4), Simplified and Hong Kong editions."""
    out = tmp_path_factory.mktemp("editions")
    made = {}
    for script in ("keep", "hans", "hk"):
        result = pipeline.convert(SAMPLE, ["docx"], out / script, Options(source_date_epoch=0, script=script))
        made[script] = result.outputs["docx"]
    return made


@pytest.fixture(scope="module")
def trpl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Simplified Chinese chapter with tables and Latin emphasis (The Rust Book, zh-CN), one chapter."""
    out = tmp_path_factory.mktemp("trpl")
    return pipeline.convert(TRPL / "ch03-02-data-types.md", ["docx"], out,
                            Options(source_date_epoch=0)).outputs["docx"]


def _write(doc: ir.Document, tmp_path: Path, name: str = "doc.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(docx_writer.write(doc, Options(source_date_epoch=0), Diagnostics()))
    return path


def _libreoffice(path: Path, tmp_path: Path, fmt: str = "pdf") -> Path:
    soffice = require_tool("soffice")
    r = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", fmt, "--outdir", str(tmp_path), str(path)],
                       capture_output=True, text=True, timeout=300)
    out = tmp_path / f"{path.stem}.{fmt}"
    assert r.returncode == 0 and out.exists(), r.stderr
    return out


# --------------------------------------------------------------------------- fields


def test_word_is_asked_to_update_fields_on_open(editions: dict[str, Path]) -> None:
    settings = part(editions["keep"], "word/settings.xml")
    update = settings.find(w("updateFields"))
    assert update is not None and update.get(w("val")) == "true"
    # and where CT_Settings puts it: after the compatibility options that precede it, before footnotePr
    names = [etree.QName(c).localname for c in settings]
    assert names.index("updateFields") < names.index("footnotePr") < names.index("compat")
    assert names.index("characterSpacingControl") < names.index("updateFields")


@pytest.mark.parametrize(("size", "script"), [("A4", "keep"), ("A5", "hans")])
def test_contents_page_numbers_match_libreoffice(size: str, script: Script, tmp_path: Path) -> None:
    """LibreOffice shows the contents' cached page numbers as they are (Word recomputes them): the estimate must
    give the page each chapter and section heading lands on. Four of eleven were one page off in A4, ten in A5."""
    import re
    path = pipeline.convert(SAMPLE, ["docx"], tmp_path, Options(source_date_epoch=0, page_size=size,
                                                                script=script)).outputs["docx"]
    exe = require_tool("pdftotext")
    text = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(_libreoffice(path, tmp_path)), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    toc_page = next(i for i, p in enumerate(pages) if "目錄" in p or "目录" in p)
    entries = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", pages[toc_page], re.M)
    assert len(entries) == 11
    wrong = []
    for title, cached in entries:
        key = re.sub(r"\s+", "", title)
        landed = [i for i, p in enumerate(pages) if i != toc_page
                  and any(re.sub(r"\s+", "", ln) == key for ln in p.splitlines())]  # (an opening page: no head)
        assert landed, title
        folio = pages[landed[0]].strip().splitlines()[-1].strip()
        if folio != cached:
            wrong.append((title, cached, folio))
    assert not wrong, wrong


# --------------------------------------------------------------------------- fonts


@pytest.mark.parametrize(("script", "region", "serif", "sans", "charset", "windows", "mac"), [
    ("keep", "zh-TW", "Noto Serif CJK TC", "Noto Sans CJK TC", "88", ("PMingLiU", "Microsoft JhengHei"),
     ("Songti TC", "PingFang TC")),
    ("hans", "zh-CN", "Noto Serif CJK SC", "Noto Sans CJK SC", "86", ("SimSun", "Microsoft YaHei"),
     ("Songti SC", "PingFang SC")),
    ("hk", "zh-HK", "Noto Serif CJK HK", "Noto Sans CJK HK", "88", ("MingLiU_HKSCS", "Microsoft JhengHei"),
     ("Songti TC", "PingFang HK")),
])
def test_east_asian_fonts_have_fallbacks_word_resolves(editions: dict[str, Path], script: str, region: str,
                                                      serif: str, sans: str, charset: str,
                                                      windows: tuple[str, str], mac: tuple[str, str]) -> None:
    path = editions[script]
    styles = part(path, "word/styles.xml")
    # the edition's faces in the styles (never another region's: the box titles followed Simplified before)
    east = {rf.get(w("eastAsia")) for rf in styles.iter(w("rFonts")) if rf.get(w("eastAsia"))}
    assert east == {serif, sans}, east
    default_lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert default_lang is not None and default_lang.get(w("eastAsia")) == region
    table = part(path, "word/fontTable.xml")
    fonts = {f.get(w("name")): f for f in table.findall(w("font"))}
    names = list(fonts)
    assert names[:2] == [serif, sans], names  # Noto CJK first
    for face, win, apple in ((serif, windows[0], mac[0]), (sans, windows[1], mac[1])):
        entry = fonts[face]
        alt = entry.find(w("altName"))
        assert alt is not None
        alternatives = (alt.get(w("val")) or "").split(",")
        assert alternatives.index(win) < alternatives.index(apple), alternatives  # Windows's, then macOS's
        charset_el = entry.find(w("charset"))
        assert charset_el is not None and charset_el.get(w("val")) == charset
        # each fallback is in the table with the same code page
        for fb in (win, apple):
            fb_charset = fonts[fb].find(w("charset"))
            assert fb_charset is not None and fb_charset.get(w("val")) == charset, fb
    # every font a part names is in the table; the template's Japanese faces are gone
    named = {v for root in parts(path).values() for rf in root.iter(w("rFonts"))
             for k, v in rf.attrib.items() if k in (w("ascii"), w("hAnsi"), w("eastAsia"), w("cs"))}
    assert named <= set(fonts), named - set(fonts)
    assert not {"ＭＳ 明朝", "ＭＳ ゴシック"} & set(fonts)
    # CT_Font's sequence: altName, panose1, charset, family, pitch, sig
    order = ["altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig"]
    for f in table.findall(w("font")):
        seen = [etree.QName(c).localname for c in f]
        assert seen == sorted(seen, key=order.index), (f.get(w("name")), seen)


@pytest.mark.parametrize(("script", "region", "hant"), [
    ("keep", "zh-TW", "Noto Serif CJK TC"), ("hans", "zh-CN", "Noto Serif CJK TC"),
    ("hk", "zh-HK", "Noto Serif CJK HK")])
def test_theme_language_and_scripts_follow_the_edition(editions: dict[str, Path], script: str, region: str,
                                                      hant: str) -> None:
    path = editions[script]
    lang = part(path, "word/settings.xml").find(w("themeFontLang"))
    assert lang is not None and lang.get(w("eastAsia")) == region  # not the template's ja-JP
    theme = part(path, "word/theme/theme1.xml")
    minor = theme.find(".//a:minorFont", NS)
    major = theme.find(".//a:majorFont", NS)
    assert minor is not None and major is not None
    by_script = {f.get("script"): f.get("typeface") for f in minor.findall("a:font", NS)}
    assert by_script["Hans"] == "Noto Serif CJK SC"
    assert by_script["Hant"] == hant
    assert by_script["Jpan"] == "Noto Serif CJK JP"  # Japanese stays Japanese
    assert {f.get("script"): f.get("typeface") for f in major.findall("a:font", NS)}["Hans"] == "Noto Sans CJK SC"
    ea = minor.find("a:ea", NS)
    serif = {"keep": "Noto Serif CJK TC", "hans": "Noto Serif CJK SC", "hk": "Noto Serif CJK HK"}[script]
    assert ea is not None and ea.get("typeface") == serif


# --------------------------------------------------------------------------- styles


def _style_refs(path: Path) -> set[str]:
    refs: set[str] = set()
    for name, root in parts(path).items():
        if name == "word/styles.xml":
            continue
        for tag in ("pStyle", "rStyle", "tblStyle"):
            refs.update(r.get(w("val")) or "" for r in root.iter(w(tag)))
    return refs


@pytest.mark.parametrize("which", ["keep", "hans", "trpl"])
def test_only_the_styles_used(editions: dict[str, Path], trpl: Path, which: str) -> None:
    path = trpl if which == "trpl" else editions[which]
    styles = part(path, "word/styles.xml")
    by_id = {s.get(w("styleId")): s for s in styles.findall(w("style"))}
    used = _style_refs(path)
    assert used <= set(by_id), used - set(by_id)  # every style a paragraph, run or table names is defined
    reachable: set[str] = set()
    todo = list(used) + [sid or "" for sid, s in by_id.items() if s.get(w("default")) == "1"]
    while todo:
        sid = todo.pop()
        if sid in reachable or sid not in by_id:
            continue
        reachable.add(sid)
        for tag in ("basedOn", "link", "next"):
            ref = by_id[sid].find(w(tag))
            if ref is not None:
                todo.append(ref.get(w("val")) or "")
    assert set(by_id) == reachable, set(by_id) - reachable
    tables = [sid for sid, s in by_id.items() if s.get(w("type")) == "table"]
    assert len(tables) <= 3, tables  # not python-docx's ~100 table styles
    assert len(by_id) < 45, len(by_id)
    # the template's lists, whose levels name List Bullet and List Number, left with those styles
    numbering = part(path, "word/numbering.xml")
    named = {p.get(w("val")) for p in numbering.iter(w("pStyle"))}
    assert named <= set(by_id), named


def test_openxml_audit_on_tables_emphasis_and_byline(trpl: Path, tmp_path: Path) -> None:
    exe = shutil.which("openxml-audit") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    foreword = pipeline.convert(TRPL / "foreword.md", ["docx"], tmp_path,
                                Options(source_date_epoch=0)).outputs["docx"]
    byline = _write(_one_chapter(), tmp_path, "byline.docx")
    for path in (trpl, foreword, byline):
        r = subprocess.run([exe, "-m", "0", str(path)], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0 and "Errors: 0" in r.stdout, (path.name, r.stdout[-3000:])


# --------------------------------------------------------------------------- tables


def _tables(path: Path) -> list[etree._Element]:
    return part(path, "word/document.xml").findall(".//w:tbl", NS)


def test_chinese_tables_are_three_line_tables_with_columns_from_content(trpl: Path) -> None:
    tables = _tables(trpl)
    assert len(tables) == 2  # 整数类型 and 数字字面值
    uneven = 0
    for tbl in tables:
        cols = [int(g.get(w("w")) or 0) for g in tbl.findall("w:tblGrid/w:gridCol", NS)]
        uneven += max(cols) - min(cols) > 100
        assert tbl.find("w:tblPr/w:tblStyle", NS).get(w("val")) == "ThreeLineTable"  # type: ignore[union-attr]
        borders = {etree.QName(b).localname: b for b in tbl.find("w:tblPr/w:tblBorders", NS)}  # type: ignore[union-attr]
        assert int(borders["top"].get(w("sz")) or 0) > int("6") and borders["top"].get(w("val")) == "single"
        assert int(borders["bottom"].get(w("sz")) or 0) > 6
        assert all(borders[s].get(w("val")) in ("nil", "none") for s in ("left", "right", "insideH", "insideV"))
        rows = tbl.findall("w:tr", NS)
        # the header row repeats on every page and carries the light rule under it
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        for tc in rows[0].findall("w:tc", NS):
            rule = tc.find("w:tcPr/w:tcBorders/w:bottom", NS)
            assert rule is not None and rule.get(w("sz")) == "6"
        for row in rows[1:]:
            assert row.find("w:trPr/w:tblHeader", NS) is None
            assert row.find(".//w:tcBorders", NS) is None
        # cell paragraphs: Table Text, no first-line indent
        for p in tbl.iter(w("p")):
            style = p.find("w:pPr/w:pStyle", NS)
            assert style is not None and style.get(w("val")) == "TableText"
    assert uneven == len(tables), "column widths come from content, not shared equally"
    style = {s.get(w("styleId")): s for s in part(trpl, "word/styles.xml").findall(w("style"))}["TableText"]
    ind = style.find("w:pPr/w:ind", NS)
    assert ind is not None and ind.get(w("firstLine")) == "0" and ind.get(w("firstLineChars")) == "0"


def _cell(text: str) -> ir.Cell:
    return ir.Cell(blocks=(ir.Para(children=(ir.Text(text=text),)),))


def test_latin_editions_keep_the_grid(tmp_path: Path) -> None:
    doc = ir.Document(metadata=ir.Metadata(language="en"), blocks=(
        ir.Table(head_rows=1, rows=(
            (_cell("Name"), _cell("What it does")),
            (_cell("x"), _cell("a long explanation " * 6)))),))
    tbl = _tables(_write(doc, tmp_path))[0]
    assert tbl.find("w:tblPr/w:tblStyle", NS).get(w("val")) == "TableGrid"  # type: ignore[union-attr]
    cols = [int(g.get(w("w")) or 0) for g in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert cols[1] > 2 * cols[0], cols  # widths from content in every edition


def test_libreoffice_draws_three_rules_and_repeats_the_header(tmp_path: Path) -> None:
    """A Chinese table over two pages through LibreOffice: no vertical rule, the header on both pages, the heavy
    rules and the header's light rule drawn, the long column wider than the short ones."""
    pymupdf = need("pymupdf")
    long = "這一欄的說明文字比較長，用來測試欄寬是否按照內容分配。"
    rows = [(_cell("項目"), _cell("說明"), _cell("數量"))]
    rows += [(_cell(f"第{i}項"), _cell(long * (1 + i % 2)), _cell(str(i))) for i in range(1, 41)]
    doc = ir.Document(metadata=ir.Metadata(language="zh-Hant"), blocks=(ir.Table(head_rows=1, rows=tuple(rows)),))
    pdf = _libreoffice(_write(doc, tmp_path, "table.docx"), tmp_path)
    with pymupdf.open(pdf) as d:
        assert len(d) >= 2
        for page in d:
            words = page.get_text()
            assert "說明" in words.split("第")[0], "the header row opens every page"
            horizontal: list[tuple[Any, Any, Any]] = []
            vertical: list[tuple[Any, Any, Any]] = []
            for drawing in page.get_drawings():
                for item in drawing["items"]:
                    if item[0] == "l":
                        a, b = item[1], item[2]
                        (horizontal if abs(a.y - b.y) < 0.5 else vertical).append((a, b, drawing.get("width")))
                    elif item[0] == "re":
                        r = item[1]
                        (horizontal if r.height < 2 else vertical).append((r.tl, r.br, r.height))
            assert not [v for v in vertical if abs(v[0].y - v[1].y) > 3], "no vertical rules"
            ys = sorted({round(h[0].y) for h in horizontal})
            assert len(ys) >= 2, ys  # the top rule and the header's rule at least
        header = d[0].search_for("說明")[0]
        number = d[0].search_for("數量")[0]
        item = d[0].search_for("項目")[0]
        assert number.x0 - header.x0 > 3 * (header.x0 - item.x0), "the long column is the wide one"


def test_short_tables_are_kept_on_one_page(trpl: Path, tmp_path: Path) -> None:
    """The Rust book's integer table fell across pages 1 and 2 (header repeated, no closing rule): a table that
    fits a page is moved whole (cantSplit rows, keepNext through all rows but the last), in LibreOffice too."""
    for tbl in _tables(trpl):
        rows = tbl.findall("w:tr", NS)
        assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
        for r in rows[:-1]:
            assert all(p.find("w:pPr/w:keepNext", NS) is not None for p in r.iter(w("p")))
        assert all(p.find("w:pPr/w:keepNext", NS) is None for p in rows[-1].iter(w("p")))
    pymupdf = need("pymupdf")
    with pymupdf.open(_libreoffice(trpl, tmp_path)) as d:
        pages = [page.get_text() for page in d]
    for first, last in (("8-bit", "架构相关"), ("Decimal", "Byte")):
        holding = [i for i, text in enumerate(pages) if first in text or last in text]
        assert len(set(holding)) == 1, (first, holding)


# --------------------------------------------------------------------------- emphasis


def test_emphasis_in_chinese_is_dots_and_in_latin_italic(tmp_path: Path) -> None:
    foreword = pipeline.convert(TRPL / "foreword.md", ["docx"], tmp_path, Options(source_date_epoch=0))
    runs = part(foreword.outputs["docx"], "word/document.xml").iter(w("r"))
    dotted = [r for r in runs if r.find("w:rPr/w:em", NS) is not None]
    text = "".join(t.text or "" for r in dotted for t in r.iter(w("t")))
    assert "并且" in text  # 「*并且* 高性能」
    for r in dotted:
        em = r.find("w:rPr/w:em", NS)
        assert em is not None and em.get(w("val")) == "underDot"  # under the characters (clreq 3.5.1)
        assert r.find("w:rPr/w:i", NS) is None  # no italic Han
        assert r.find("w:rPr/w:lang", NS).get(w("eastAsia")) == "zh-CN"  # type: ignore[union-attr]
    doc = ir.Document(metadata=ir.Metadata(language="zh-Hant"), blocks=(
        ir.Para(children=(ir.Text(text="這是"), ir.Emph(children=(ir.Text(text="重要的 WHO 規定，"),)),
                          ir.Text(text="見"), ir.Emph(children=(ir.Text(text="integer overflow"),)),
                          ir.Span(lang="en", children=(ir.Emph(children=(ir.Text(text="Rust"),)),)))),))
    body = part(_write(doc, tmp_path), "word/document.xml")
    pieces = [("".join(t.text or "" for t in r.iter(w("t"))),
               "em" if r.find("w:rPr/w:em", NS) is not None else "i" if r.find("w:rPr/w:i", NS) is not None
               else "") for r in body.iter(w("r"))]
    assert ("重要的", "em") in pieces
    assert ("WHO", "i") in pieces  # a Latin word in Chinese emphasis: italic, no dots under letters
    assert ("，", "") in pieces  # no dot under punctuation (as CSS text-emphasis)
    assert ("integer", "i") in pieces and ("Rust", "i") in pieces
    assert not [p for p in pieces if p[1] == "em" and not any("\u4e00" <= c <= "\u9fff" for c in p[0])]


def test_libreoffice_reads_the_dots_as_emphasis_marks(tmp_path: Path) -> None:
    doc = ir.Document(metadata=ir.Metadata(language="zh-Hans"), blocks=(
        ir.Para(children=(ir.Text(text="这是"), ir.Emph(children=(ir.Text(text="重点"),)), ir.Text(text="。"))),))
    odt = _libreoffice(_write(doc, tmp_path, "em.docx"), tmp_path, "odt")
    with zipfile.ZipFile(odt) as z:
        content = z.read("content.xml").decode()
    assert 'style:text-emphasize="dot below"' in content, "LibreOffice imports w:em as dots below"
    assert 'fo:font-style="italic"' not in content


# --------------------------------------------------------------------------- title page


def _one_chapter() -> ir.Document:
    return ir.Document(metadata=ir.Metadata(language="zh-Hant", authors=("張三",)), blocks=(
        ir.Para(children=(ir.Text(text="前言。"),)),
        ir.Heading(level=1, id="h-1", children=(ir.Text(text="唯一的一章"),)),
        ir.Para(children=(ir.Text(text="正文。"),))))


def test_one_chapter_document_gets_no_title_page_of_its_author(tmp_path: Path, trpl: Path) -> None:
    body = part(_write(_one_chapter(), tmp_path), "word/document.xml").find(w("body"))
    assert body is not None
    first = body[0]
    style = first.find("w:pPr/w:pStyle", NS)
    assert style is not None and style.get(w("val")) == "Byline"
    assert "".join(t.text or "" for t in first.iter(w("t"))) == "張三"
    # no section of its own for it (the title page's), no contents list of one entry
    assert first.find("w:pPr/w:sectPr", NS) is None
    styles = {p.get(w("val")) for p in body.iter(w("pStyle"))}
    assert not styles & {"TitlePageInfo", "Title", "TOCHeading", "TOC1"}, styles
    # a real one-chapter document without a title or author: it opens with its chapter
    first_real = part(trpl, "word/document.xml").find("w:body/w:p/w:pPr/w:pStyle", NS)
    assert first_real is not None and first_real.get(w("val")).startswith("Heading")  # type: ignore[union-attr]


def test_a_titled_document_keeps_its_title_page(editions: dict[str, Path]) -> None:
    body = part(editions["keep"], "word/document.xml").find(w("body"))
    assert body is not None
    styles = [p.find("w:pPr/w:pStyle", NS) for p in body.findall(w("p"))[:6]]
    assert "Title" in [s.get(w("val")) for s in styles if s is not None]
