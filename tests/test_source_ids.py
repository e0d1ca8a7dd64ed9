"""Ids from any source and the HTML5/EPUB structure pandoc flattens, on real documents (tests/fixtures/generality).

One id policy: every id a writer emits is an ASCII NCName of at most 40 characters (a Word bookmark name), unique,
and every ``#id`` link follows it. EPUB note calls and bodies (``epub:type``, DPUB-ARIA roles, Python-Markdown's
``footnote-ref``) become notes; ``hgroup``, ``details``/``summary`` and ``ruby`` become structure; an SVG picture
reaches DOCX as Word writes it (``asvg:svgBlip`` with a PNG fallback). Checked with EPUBCheck, openxml-audit and
jing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.transforms.ids import MAX_ID, SAFE_ID, safe_id
from pipeline.walk import iter_blocks, iter_inlines_all, plain
from tests.conftest import require
from tests.epubcheck_run import epubcheck
from tests.tei_validate import jing, jing_path

FIX = Path(__file__).parent / "fixtures" / "generality"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


# --------------------------------------------------------------------------- the policy itself


@pytest.mark.parametrize("raw, want", [
    ("note:1", "note-1"), ("1-intro", "id-1-intro"), ("_Toc123456", "Toc123456"), ("résumé", "resume"),
    ("安装", ""), ("para-12", "para-12"), ("x y/z", "x-y-z"),
])
def test_safe_id(raw: str, want: str) -> None:
    assert safe_id(raw) == want


def test_long_ids_are_cut_and_stay_apart() -> None:
    a, b = safe_id("automatic-escaping-for-special-characters"), safe_id("automatic-escaping-for-special-cases-x")
    assert len(a) <= MAX_ID and SAFE_ID.fullmatch(a) and a != b
    long = "Decomposition_into_Hermitian_and_skew-Hermitian"
    assert safe_id(long) != safe_id(long + "_2") and len(safe_id(long)) == MAX_ID


def _doc() -> ir.Document:
    long = "section-with-a-very-long-identifier-indeed-yes"
    return ir.Document(
        metadata=ir.Metadata(),
        blocks=(
            ir.Heading(level=1, children=(ir.Text(text="One"),), id="ch:1"),
            ir.Para(children=(ir.Text(text="see "), ir.Link(children=(ir.Text(text="one"),), target="#ch:1"),
                              ir.Link(children=(ir.Text(text="two"),), target="#" + long),
                              ir.NoteRef(note_id="fn:1", marker="1"))),
            ir.Heading(level=1, children=(ir.Text(text="Two"),), id=long),
            ir.Heading(level=1, children=(ir.Text(text="Three"),), id=long + "-2"),
            ir.Div(blocks=(ir.Para(children=(ir.Text(text="x"),)),), id="2nd"),
            ir.Heading(level=2, children=(ir.Text(text="Dup"),), id="ch-1"),
        ),
        notes=(ir.Note(id="fn:1", marker="1", blocks=(ir.Para(children=(ir.Text(text="n"),)),)),),
    )


def test_every_id_follows_the_policy_and_links_follow_the_ids() -> None:
    diag = Diagnostics()
    doc = pipeline.transform(_doc(), diag=diag)
    ids = [str(getattr(b, "id", "")) for b in iter_blocks(doc.blocks) if getattr(b, "id", None)]
    ids += [n.id for n in doc.notes]
    assert all(i and SAFE_ID.fullmatch(i) for i in ids), ids
    assert len(ids) == len(set(ids)), ids
    links = [n.target for n in iter_inlines_all(doc) if isinstance(n, ir.Link)]
    assert all(t[1:] in ids for t in links), (links, ids)
    heading_two = next(b for b in doc.blocks if isinstance(b, ir.Heading) and plain(b.children) == "Two")
    assert links == ["#ch-1", f"#{heading_two.id}"]
    refs = [n.note_id for n in iter_inlines_all(doc) if isinstance(n, ir.NoteRef)]
    assert refs == [doc.notes[0].id] == ["fn-1"]
    assert any(d.code == "id-renamed" for d in diag.items)


# --------------------------------------------------------------------------- validators


def _audit(path: Path) -> dict[str, object]:
    exe = shutil.which("openxml-audit") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    r = subprocess.run([exe, str(path), "-o", "json", "-m", "0"], capture_output=True, text=True, timeout=300)
    report: dict[str, object] = json.loads(r.stdout)[0]
    return report


def _epubcheck(path: Path) -> str:
    return epubcheck(path).stdout


def _jing(path: Path) -> list[str]:
    require(jing_path() is not None, "jing")
    return jing([path]).get(str(path), [])


def _bookmarks(docx: Path) -> tuple[list[str], list[str]]:
    """Bookmark names and hyperlink anchors of a DOCX's document and notes."""
    names: list[str] = []
    anchors: list[str] = []
    with zipfile.ZipFile(docx) as z:
        for part in ("word/document.xml", "word/footnotes.xml"):
            if part not in z.namelist():
                continue
            root = etree.fromstring(z.read(part))
            names += [b.get(f"{W}name") or "" for b in root.iter(f"{W}bookmarkStart")]
            anchors += [h.get(f"{W}anchor") or "" for h in root.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    return names, anchors


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out: dict[str, dict[str, Path]] = {}
    for src in ("python-markdown-colon-ids.epub", "flatland-excerpt.epub", "wikipedia-hermitian-matrix.html",
                "libreoffice-long-anchors.docx"):
        folder = tmp_path_factory.mktemp(src.split(".")[0])
        out[src] = pipeline.convert(FIX / src, ["epub", "docx", "tei"], folder,
                                    Options(source_date_epoch=1724198400)).outputs
    return out


SOURCES = ["python-markdown-colon-ids.epub", "flatland-excerpt.epub", "wikipedia-hermitian-matrix.html",
           "libreoffice-long-anchors.docx"]


@pytest.mark.parametrize("src", SOURCES)
def test_ids_in_every_output_follow_the_policy(src: str, converted: dict[str, dict[str, Path]]) -> None:
    outs = converted[src]
    names, anchors = _bookmarks(outs["docx"])
    assert names and all(len(n) <= MAX_ID and SAFE_ID.fullmatch(n) for n in names), names
    assert set(anchors) <= set(names), sorted(set(anchors) - set(names))[:5]
    tei = etree.parse(str(outs["tei"]))
    xml_ids = [e.get(XML_ID) for e in tei.iter() if e.get(XML_ID)]
    assert all(SAFE_ID.fullmatch(i or "") or (i or "").startswith("docpipe-") for i in xml_ids), xml_ids[:5]
    assert len(xml_ids) == len(set(xml_ids))
    with zipfile.ZipFile(outs["epub"]) as z:
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert not re.search(r'\sid="[^"]*:[^"]*"', xhtml)


@pytest.mark.parametrize("src", SOURCES)
def test_docx_passes_openxml_audit(src: str, converted: dict[str, dict[str, Path]]) -> None:
    report = _audit(converted[src]["docx"])
    assert report.get("error_count") == 0, report.get("errors")


@pytest.mark.parametrize("src", SOURCES)
def test_tei_is_valid(src: str, converted: dict[str, dict[str, Path]]) -> None:
    assert _jing(converted[src]["tei"]) == []


@pytest.mark.parametrize("src", [
    "python-markdown-colon-ids.epub",  # calls one note three times: each call has its own anchor
    "flatland-excerpt.epub", "wikipedia-hermitian-matrix.html", "libreoffice-long-anchors.docx"])
def test_epub_passes_epubcheck(src: str, converted: dict[str, dict[str, Path]]) -> None:
    out = _epubcheck(converted[src]["epub"])
    assert re.search(r"Messages: 0 fatals / 0 errors", out), out[-3000:]


# --------------------------------------------------------------------------- notes, hgroup, SVG


def test_python_markdown_notes_and_colon_ids() -> None:
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(FIX / "python-markdown-colon-ids.epub", diag=diag), diag=diag)
    assert [n.id for n in doc.notes] == ["fn-1", "fn-2", "fn-3", "fn-4", "fn-5", "fn-a", "fn-b", "fn-c", "fn-d",
                                         "fn-e"]
    calls = [n for n in iter_inlines_all(doc) if isinstance(n, ir.NoteRef)]
    assert len(calls) == 14 and {c.note_id for c in calls} == {n.id for n in doc.notes}
    assert "↩" not in "".join(plain(p.children) for n in doc.notes for p in iter_blocks(n.blocks)
                              if isinstance(p, ir.Para))
    # the 22 links of the contents page reach their headings (3 name headings the source does not have)
    step = dict(next(s for s in doc.steps if s.name == "ids").counts)
    assert step["links-resolved"] == 19 and step["links-unresolved"] == 3


def test_standard_ebooks_endnotes_hgroup_and_svg(converted: dict[str, dict[str, Path]]) -> None:
    doc = pipeline.transform(pipeline.read(FIX / "flatland-excerpt.epub"))
    assert len(doc.notes) == 4 and doc.notes[0].blocks
    assert len([n for n in iter_inlines_all(doc) if isinstance(n, ir.NoteRef)]) == 4
    headings = [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)]
    assert "Endnotes" not in headings and "Part I" in headings
    everything = json.dumps(pipeline.describe(doc), ensure_ascii=False)
    assert "hgroup" not in everything
    assert not any(isinstance(b, ir.CodeBlock) for b in iter_blocks(doc.blocks))
    # every SVG reaches the DOCX as Word writes it: the SVG part named by asvg:svgBlip, a PNG in the blip
    svgs = {m.name for m in doc.media if m.media_type == "image/svg+xml"}
    assert len(svgs) == 4
    with zipfile.ZipFile(converted["flatland-excerpt.epub"]["docx"]) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        target = {r.get("Id") or "": r.get("Target") or "" for r in rels}
        blips = list(root.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
        svg_blips = [(b, s) for b in blips for s in b.iter(
            "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip")]
        R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
        assert {target[s.get(R) or ""].rsplit("/", 1)[-1] for _, s in svg_blips} == svgs
        import pymupdf
        for b, _ in svg_blips:
            png = z.read("word/" + target[b.get(R) or ""])
            assert png.startswith(b"\x89PNG")
            assert pymupdf.open(stream=png, filetype="png")[0].rect.width > 10  # type: ignore[no-untyped-call]
        assert not re.search(r"\[[^\]]*(?:diagram|logo)[^\]]*\]", "".join(root.itertext()))


def test_markdown_heading_keeps_its_equation(tmp_path: Path) -> None:
    src = tmp_path / "h.md"
    src.write_text("# 文件\n\n## 第一章 $E=mc^2$ 的由來\n\n正文。\n", encoding="utf-8")
    doc = pipeline.read(src)
    h = next(b for b in doc.blocks if isinstance(b, ir.Heading) and b.label)
    assert h.label == "第一章" and any(isinstance(n, ir.Math) and n.tex == "E=mc^2" for n in h.children)


def test_html5_details_ruby_hgroup_and_aria_notes(tmp_path: Path) -> None:
    src = tmp_path / "p.html"
    src.write_text(
        '<!DOCTYPE html><html lang="ja"><body><hgroup><h1>書名</h1><p>副題</p></hgroup>'
        '<details><summary>詳細</summary><p>本文<a href="#n1" role="doc-noteref">1</a>。</p></details>'
        '<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby>字と<mark>印</mark>、'
        '<time datetime="2024">2024年</time></p>'
        '<aside id="n1" role="doc-footnote"><p>注。<a href="#x" role="doc-backlink">↩</a></p></aside>'
        '</body></html>', encoding="utf-8")
    doc = pipeline.read(src)
    boxes = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)]
    assert len(boxes) == 1 and plain(boxes[0].title) == "詳細"
    assert [plain(n.blocks[0].children) for n in doc.notes if isinstance(n.blocks[0], ir.Para)] == ["注。"]
    text = " ".join(plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para | ir.Heading))
    assert "漢(かん)字と印、2024年" in text and "副題" in text and "<" not in text
