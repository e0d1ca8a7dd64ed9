"""EPUB writer: EPUBCheck 5 clean in every edition and vertically, pandoc reads it back, rebuilds identical."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from pipeline.options import Options
from tests.conftest import SAMPLE, need, require
from tests.epubcheck_run import epubcheck

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def build(tmp: Path, name: str, **opts: object) -> Path:
    options = Options(source_date_epoch=1724198400, **opts)  # type: ignore[arg-type]
    result = pipeline.convert(SAMPLE, ["epub"], tmp, options, name=name)
    return result.outputs["epub"]


@pytest.mark.parametrize("name, opts", [
    ("keep", {}), ("hans", {"script": "hans"}), ("tw", {"script": "tw"}),
    ("vertical", {"script": "tw", "vertical": True}),
])
def test_epubcheck_reports_nothing(tmp_path: Path, name: str, opts: dict[str, object]) -> None:
    path = build(tmp_path, name, **opts)
    r = epubcheck(path)
    out = r.stdout
    assert r.returncode == 0, out[-3000:]
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in out, out[-3000:]


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_package_structure_and_metadata(tmp_path: Path) -> None:
    files = read_zip(build(tmp_path, "s"))
    names = list(files)
    assert names[0] == "mimetype" and files["mimetype"] == b"application/epub+zip"
    opf = etree.fromstring(files["EPUB/content.opf"])
    assert opf.xpath("string(//dc:language)", namespaces=NS) == "zh-Hant"
    assert opf.xpath("string(//dc:identifier[@id='id'])", namespaces=NS).startswith("urn:uuid:")
    assert opf.xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS) == "2024-08-21T00:00:00Z"
    props = opf.xpath("//opf:meta/@property", namespaces=NS)
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary"} <= set(props)
    chapters = sorted(n for n in names if re.search(r"chapter-\d+\.xhtml$", n))
    assert len(chapters) == 3
    paras = [p for c in chapters for p in etree.fromstring(files[c]).xpath("//x:p[@class='numbered']/@id",
                                                                              namespaces=NS)]
    assert paras == [f"para-{n}" for n in range(1, 133)]
    boxes = [b for c in chapters for b in etree.fromstring(files[c]).xpath("//x:aside[@class='box']",
                                                                           namespaces=NS)]
    assert len(boxes) == 12
    ch1 = etree.fromstring(files[chapters[0]])
    (ref,) = ch1.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    (note,) = ch1.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert ref.get("href") == "#fn-1" and note.get("id") == "fn-1"
    assert note.xpath("string(.//x:a[@class='note-back']/@href)", namespaces=NS) == "#fnref-1"
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    toc_links = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    assert len(toc_links) == 50  # 3 chapters, 8 sections, 26 wiki sub-headings, 13 topical ones
    assert nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    assert "EPUB/toc.ncx" in files


def test_vertical_sets_direction_and_upright_digits(tmp_path: Path) -> None:
    files = read_zip(build(tmp_path, "v", script="tw", vertical=True))
    opf = etree.fromstring(files["EPUB/content.opf"])
    assert opf.xpath("string(//opf:spine/@page-progression-direction)", namespaces=NS) == "rtl"
    ch = etree.fromstring(files["EPUB/text/chapter-02.xhtml"])
    assert ch.get("class") == "vertical"
    assert ch.xpath("//x:span[contains(@class, 'tcy')]", namespaces=NS)
    assert b"writing-mode: vertical-rl" in files["EPUB/styles/epub.css"]


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    a = build(tmp_path / "a", "s").read_bytes()
    b = build(tmp_path / "b", "s").read_bytes()
    assert a == b


def test_pandoc_reads_it_back(tmp_path: Path) -> None:
    pypandoc = need("pypandoc")
    path = build(tmp_path, "s")
    text = pypandoc.convert_file(str(path), "plain", format="epub", extra_args=["--wrap=none"])
    doc = pipeline.transform(pipeline.read(SAMPLE))
    for b in pipeline.describe(doc)["boxes"]:
        assert b["title"] in text
    assert "按照聯合國秘書處的經常預算" in text
    body = text[: text.index("本作品來自聯合國官方文件")]
    assert [int(n) for n in re.findall(r"(?m)^(\d{1,3})\.(?=\S)", body)] == list(range(1, 133))
    md = pypandoc.convert_file(str(path), "markdown", format="epub", extra_args=["--wrap=none"])
    assert re.search(r"\[\^1\]: 按照聯合國秘書處的經常預算", md)  # a real note, not text


def test_embedded_fonts_are_subsets(tmp_path: Path) -> None:
    from pipeline.fontsel import font_for
    require(font_for("zh-Hant") is not None, "Noto Serif CJK (fonts-noto-cjk)")
    files = read_zip(build(tmp_path, "f", embed_fonts=True))
    fonts = [n for n in files if n.startswith("EPUB/fonts/")]
    assert len(fonts) == 2  # Traditional body, Simplified boxes
    from fontTools.ttLib import TTFont
    covered: set[int] = set()
    for name in fonts:
        font = TTFont(io.BytesIO(files[name]))
        assert 1500 < len(font.getGlyphOrder()) < 6000  # only the characters used, not ~65 000
        assert font["name"].getDebugName(1), name  # the family name kept (the CSS and the reading system use it)
        assert {"vert", "vrt2"} <= {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}, name
        covered |= set(font.getBestCmap())
    han = {ord(c) for n, d in files.items() if n.endswith(".xhtml") and "chapter" in n
           for c in "".join(etree.fromstring(d).itertext()) if "\u4e00" <= c <= "\u9fff"}
    assert han and han <= covered, sorted(chr(c) for c in han - covered)[:10]


def _resolve_all_links(files: dict[str, bytes]) -> list[str]:
    """Every ``href="file#id"`` of the content documents that names no element of that file."""
    ids: dict[str, set[str]] = {}
    docs = {n: etree.fromstring(d) for n, d in files.items() if n.endswith(".xhtml")}
    for name, root in docs.items():
        ids[name] = set(root.xpath("//@id"))
    dangling = []
    for name, root in docs.items():
        folder = name.rsplit("/", 1)[0]
        for href in root.xpath("//x:a/@href", namespaces=NS):
            if "#" not in href or href.startswith(("http:", "https:", "mailto:")):
                continue
            file, _, frag = href.partition("#")
            target = f"{folder}/{file}" if file else name
            if frag not in ids.get(target, set()):
                dangling.append(f"{name}: {href}")
    return dangling


def test_notes_called_from_notes_and_from_the_rights_link_both_ways(tmp_path: Path) -> None:
    """A note called from another note's body (CBETA's notes inside an inline note, apparatus entries) is
    printed on the page of its call, so its link back resolves; a note called from the rights is on the rights
    page; a note called from nowhere, or only from a reading the text does not show, keeps its marker without a
    dangling link (RSC-012 on cbeta-T48n2010 and cbeta-T08n0243)."""
    from pipeline import ir

    def para(*inlines: ir.Inline) -> ir.Para:
        return ir.Para(children=inlines)

    doc = ir.Document(
        metadata=ir.Metadata(title="Notes", language="en",
                             rights=(para(ir.Text(text="CC0"), ir.NoteRef(note_id="fn-c", marker="c")),)),
        blocks=(ir.Heading(level=1, children=(ir.Text(text="One"),), id="h-1"), para(ir.Text(text="first")),
                ir.Heading(level=1, children=(ir.Text(text="Two"),), id="h-2"),
                para(ir.Text(text="second"), ir.NoteRef(note_id="fn-a", marker="a"),
                     # CBETA T08n0243: a note inside the reading of another witness, which the text does not show
                     ir.Choice(kind="app", readings=(
                         ir.Reading(role="lem", children=(ir.Text(text="引"),)),
                         ir.Reading(role="rdg", children=(ir.NoteRef(note_id="fn-e", marker="e"),)))))),
        notes=(ir.Note(id="fn-a", marker="a", blocks=(para(ir.Text(text="A"), ir.NoteRef(note_id="fn-b",
                                                                                          marker="b")),)),
               ir.Note(id="fn-b", marker="b", blocks=(para(ir.Text(text="B")),)),
               ir.Note(id="fn-c", marker="c", blocks=(para(ir.Text(text="C")),)),
               ir.Note(id="fn-d", marker="d", blocks=(para(ir.Text(text="D")),)),
               ir.Note(id="fn-e", marker="e", blocks=(para(ir.Text(text="E")),))))
    path = tmp_path / "n.epub"
    path.write_bytes(pipeline.write(doc, "epub", Options(source_date_epoch=0)))
    files = read_zip(path)
    assert _resolve_all_links(files) == []
    where = {n: [f for f, d in files.items() if f.endswith(".xhtml") and f'id="{n}"'.encode() in d]
             for n in ("fn-a", "fn-b", "fn-c", "fn-d", "fn-e")}
    assert where == {"fn-a": ["EPUB/text/chapter-02.xhtml"], "fn-b": ["EPUB/text/chapter-02.xhtml"],
                     "fn-c": ["EPUB/text/rights.xhtml"], "fn-d": ["EPUB/text/rights.xhtml"],
                     "fn-e": ["EPUB/text/chapter-02.xhtml"]}
    r = epubcheck(path)
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in r.stdout, r.stdout[-3000:]


def test_the_warm_epubcheck_reports_what_the_command_line_reports(tmp_path: Path) -> None:
    """The suite's EPUBCheck runs in one JVM (tests/epubcheck_run.py): on a broken EPUB it must find the same
    errors, with the same exit code, as ``java -jar epubcheck.jar``."""
    from tests.epubcheck_run import epubcheck_jar

    good = build(tmp_path, "good")
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("chapter-01.xhtml"):  # a link to nowhere and an element XHTML lacks
                data = data.replace(b"</body>", b'<p><a href="nowhere.xhtml">x</a><blink>y</blink></p></body>', 1)
            dst.writestr(info, data)
    assert epubcheck(good).returncode == 0
    warm = epubcheck(broken)
    cold = subprocess.run(["java", "-jar", str(epubcheck_jar()), str(broken)], capture_output=True, text=True,
                          timeout=600)
    lines = sorted(ln for ln in (cold.stdout + cold.stderr).splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln))
    assert warm.returncode == cold.returncode != 0
    assert sorted(ln for ln in warm.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)) == lines
    assert any("nowhere.xhtml" in ln for ln in lines) and any("blink" in ln for ln in lines), lines
