"""Word manuscripts as templates make them: automatic paragraph numbering, Word lists, tables of contents, links.

The numbers Word displays are taken from LibreOffice's rendering of the *source* file (it implements Word's
numbering), so the expected numbers are never written in the test.
"""

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
from pipeline.walk import iter_blocks, plain
from tests.conftest import need, require, require_tool

need("pypandoc")
WORD = Path(__file__).parent / "fixtures" / "word"
NUMBERED = ["numbered-style.docx", "numbered-list.docx"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEI = "{http://www.tei-c.org/ns/1.0}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def soffice_text(docx: Path, tmp: Path) -> str:
    """What LibreOffice shows of a Word file, as pdftotext gives it (one line per paragraph)."""
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    out = tmp / "lo"
    r = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
                        "--outdir", str(out), str(docx)], capture_output=True, text=True, timeout=300)
    pdf = out / (docx.stem + ".pdf")
    assert r.returncode == 0 and pdf.exists(), r.stderr
    return subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def numbered(doc: ir.Document) -> list[tuple[str, str]]:
    return [(b.number, plain(b.children)) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number]


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ir.Document, dict[str, Path], Path]]:
    out = {}
    for name in NUMBERED:
        tmp = tmp_path_factory.mktemp(name.split(".")[0])
        doc = pipeline.transform(pipeline.read(WORD / name))
        result = pipeline.convert(WORD / name, ["epub", "docx", "pdf", "tei"], tmp, Options(source_date_epoch=0))
        out[name] = (doc, result.outputs, tmp)
    return out


@pytest.mark.parametrize("name", NUMBERED)
def test_paragraphs_carry_the_numbers_word_displays(name: str, tmp_path: Path) -> None:
    doc = pipeline.read(WORD / name)
    paras = numbered(doc)
    described = pipeline.describe(doc)["paragraphs"]
    assert described == [n for n, _ in paras]
    assert [int(n) for n in described] == list(range(1, len(described) + 1)) and len(described) >= 5
    shown = squash(soffice_text(WORD / name, tmp_path))
    pos = 0
    for number, text in paras:  # Word (LibreOffice) shows "N." before that very paragraph, in this order
        m = re.compile(rf"(?<!\d){number}\.{re.escape(squash(text)[:12])}").search(shown, pos)
        assert m, (number, text)
        pos = m.end()
    # continuous across chapters: a heading stands between two consecutive numbers at least once
    order = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading) or (isinstance(b, ir.Para)
                                                                                 and b.number)]
    kinds = ["h" if isinstance(b, ir.Heading) else "p" for b in order]
    assert "php" in "".join(kinds)


def test_auto_numbered_headings_keep_their_numbers_as_labels(tmp_path: Path) -> None:
    doc = pipeline.read(WORD / "numbered-style.docx")
    heads = [h for h in iter_blocks(doc.blocks) if isinstance(h, ir.Heading)]
    assert heads and all(h.label for h in heads)
    shown = squash(soffice_text(WORD / "numbered-style.docx", tmp_path))
    for h in heads:
        assert squash(f"{h.label}{plain(h.children)}") in shown, h


def test_word_list_labels_and_restarts() -> None:
    doc = pipeline.read(WORD / "numbered-style.docx")
    lists = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.ListBlock)]
    labels = [[i.label for i in lst.items] for lst in lists]
    assert ["（一）", "（二）", "（三）"] in labels  # chineseCounting, as Word shows it
    assert ["(a)", "(b)"] in labels  # the lettered level under a numbered paragraph
    restarted = [lab for lab in labels if lab and lab[0] == "1)"]
    assert len(restarted) == 2  # the second list has its own w:num with a startOverride


@pytest.mark.parametrize("name", NUMBERED)
def test_the_same_numbers_and_anchors_in_every_format(
        name: str, editions: dict[str, tuple[ir.Document, dict[str, Path], Path]]) -> None:
    doc, outputs, _ = editions[name]
    want = [n for n, _ in numbered(doc)]
    ids = [f"para-{n}" for n in want]
    # EPUB: p#para-N with its visible number
    with zipfile.ZipFile(outputs["epub"]) as z:
        found: list[tuple[str, str]] = []
        for member in sorted(n for n in z.namelist() if n.endswith(".xhtml") and "/text/" in n):
            root = etree.fromstring(z.read(member))
            for p in root.iter(f"{XHTML}p"):
                if (p.get("id") or "").startswith("para-"):
                    num = p.find(f"{XHTML}span[@class='para-num']")
                    found.append((p.get("id") or "", (num.text or "") if num is not None else ""))
    assert [i for i, _ in found] == ids and [t for _, t in found] == [f"{n}." for n in want]
    # DOCX: a bookmark para-N around a paragraph that starts with "N."
    with zipfile.ZipFile(outputs["docx"]) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    marks = []
    for p in body.iter(f"{W}p"):
        for bm in p.iter(f"{W}bookmarkStart"):
            if (bm.get(f"{W}name") or "").startswith("para-"):
                text = "".join(t.text or "" for t in p.iter(f"{W}t"))
                marks.append((bm.get(f"{W}name"), text.split(".")[0]))
    assert marks == [(i, n) for i, n in zip(ids, want, strict=True)]
    # TEI: <p n="N" xml:id="para-N">
    body_el = etree.parse(str(outputs["tei"])).find(f".//{TEI}body")
    assert body_el is not None
    ps = [(p.get("n"), p.get("{http://www.w3.org/XML/1998/namespace}id")) for p in body_el.iter(f"{TEI}p")
          if p.get("n")]
    assert ps == list(zip(want, ids, strict=True))
    # PDF: "N." before each paragraph and a named destination para-N
    pypdf = need("pypdf")
    dests = set(pypdf.PdfReader(str(outputs["pdf"])).named_destinations)
    assert set(ids) <= dests
    text = squash(subprocess.run([require_tool("pdftotext"), "-layout", "-enc", "UTF-8", str(outputs["pdf"]), "-"],
                                 capture_output=True, text=True, check=True).stdout)
    pos = 0
    for n, t in numbered(doc):
        m = re.compile(rf"(?<!\d){n}\.{re.escape(squash(t)[:6])}").search(text, pos)
        assert m, (n, t)
        pos = m.end()


@pytest.mark.parametrize("name", NUMBERED)
def test_every_list_item_is_a_word_numbered_paragraph(
        name: str, editions: dict[str, tuple[ir.Document, dict[str, Path], Path]]) -> None:
    doc, outputs, tmp = editions[name]
    items = [i for b in iter_blocks(doc.blocks) if isinstance(b, ir.ListBlock) for i in b.items]
    assert items
    with zipfile.ZipFile(outputs["docx"]) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        numbering = etree.fromstring(z.read("word/numbering.xml"))
    first_paras = {squash(block_first(i)) for i in items}
    numbered_ps = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}numPr") is not None]
    texts = {squash("".join(t.text or "" for t in p.iter(f"{W}t"))) for p in numbered_ps}
    assert first_paras <= texts
    # no list label typed as text: the paragraph's text is the item's text alone
    assert not any(re.match(r"^(\d+[.)]|•|（[一二三]）)", squash("".join(t.text or "" for t in p.iter(f"{W}t"))))
                   for p in numbered_ps)
    # every numId used is defined, and each list is its own w:num that starts where the source's did
    defined = {n.get(f"{W}numId") for n in numbering.iter(f"{W}num")}
    used = {p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") for p in numbered_ps}  # type: ignore[union-attr]
    assert used <= defined
    lists = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.ListBlock)]
    assert len(used) >= len(lists)
    # LibreOffice renders the labels: every list item's label (or bullet) shows
    shown = soffice_text(outputs["docx"], tmp)
    for lst in lists:
        for item in lst.items:
            if item.label and item.label not in ("•", "o"):
                assert re.search(rf"{re.escape(item.label)}\s*{re.escape(block_first(item)[:4])}", shown), item.label


def block_first(item: ir.ListItem) -> str:
    first = item.blocks[0] if item.blocks else None
    return plain(first.children) if isinstance(first, ir.Para) else ""


def test_list_formats_become_word_formats(tmp_path: Path) -> None:
    lists = ir.Document(metadata=ir.Metadata(title="清單", language="zh-Hant"), blocks=(
        ir.ListBlock(ordered=True, items=tuple(ir.ListItem(label=f"（{c}）", blocks=(ir.Para(children=(
            ir.Text(text=f"項{c}"),)),)) for c in "一二三")),
        ir.ListBlock(ordered=True, start=3, items=tuple(ir.ListItem(label=f"{c})", blocks=(ir.Para(children=(
            ir.Text(text=f"item {c}"),)),)) for c in "cd")),
        ir.ListBlock(ordered=True, items=tuple(ir.ListItem(label=f"{c}.", blocks=(ir.Para(children=(
            ir.Text(text=f"roman {c}"),)), ir.ListBlock(items=(ir.ListItem(blocks=(ir.Para(children=(
                ir.Text(text="nested"),)),)),)))) for c in ("i", "ii", "iii"))),
        ir.ListBlock(ordered=True, start=7, items=(ir.ListItem(blocks=(ir.Para(children=(ir.Text(text="seven"),)),)),)),
    ))
    src = tmp_path / "lists.ir.json"
    src.write_bytes(pipeline.write(lists, "ir"))
    out = pipeline.convert(src, ["docx"], tmp_path, Options(source_date_epoch=0)).outputs["docx"]
    with zipfile.ZipFile(out) as z:
        numbering = etree.fromstring(z.read("word/numbering.xml"))
        body = etree.fromstring(z.read("word/document.xml"))
    levels = {}
    for a in numbering.iter(f"{W}abstractNum"):
        for lvl in a.iter(f"{W}lvl"):
            fmt = lvl.find(f"{W}numFmt").get(f"{W}val")  # type: ignore[union-attr]
            text = lvl.find(f"{W}lvlText").get(f"{W}val")  # type: ignore[union-attr]
            levels.setdefault((fmt, text), 0)
            levels[(fmt, text)] += 1
    assert ("chineseCounting", "（%1）") in levels and ("lowerLetter", "%1)") in levels
    assert ("lowerRoman", "%1.") in levels and ("bullet", "\u25e6") in levels  # the nested list, one level in
    starts = {n.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val")  # type: ignore[union-attr]
              for n in numbering.iter(f"{W}num") if n.find(f"{W}lvlOverride") is not None}
    assert {"3", "7"} <= starts
    nested = [p for p in body.iter(f"{W}p") if "nested" in "".join(t.text or "" for t in p.iter(f"{W}t"))]
    assert nested and all(p.find(f"{W}pPr/{W}numPr/{W}ilvl").get(f"{W}val") == "1" for p in nested)  # type: ignore[union-attr]
    shown = soffice_text(out, tmp_path)
    for expected in ("（一）", "（三）", "c)", "d)", "iii.", "7."):
        assert expected in shown, expected


def test_stale_table_of_contents_is_replaced_and_links_resolve(tmp_path: Path) -> None:
    source = WORD / "tek4010-manual.docx"
    with zipfile.ZipFile(source) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    toc_links = len(re.findall(r'w:anchor="_Toc', xml))
    assert toc_links >= 10
    diag = pipeline.Diagnostics()
    doc = pipeline.read(source, diag=diag)
    assert any(d.code == "stale-toc-dropped" and str(toc_links) in d.message for d in diag.items)
    text = squash(" ".join(plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para)))
    assert "TableofContents" not in text
    result = pipeline.convert(source, ["epub", "docx"], tmp_path, Options(source_date_epoch=0))
    assert_links_resolve(result.outputs["epub"], result.outputs["docx"])


def assert_links_resolve(epub: Path, docx: Path) -> None:
    """EPUBCheck without RSC-012 (or any error), every DOCX w:anchor with its bookmark, openxml-audit clean."""
    import shutil

    from tests.epubcheck_run import epubcheck

    r = epubcheck(epub)
    assert "RSC-012" not in r.stdout and r.returncode == 0, r.stdout[-2000:]
    with zipfile.ZipFile(docx) as z:
        names = [n for n in z.namelist() if re.fullmatch(r"word/(document|footnotes|endnotes)\.xml", n)]
        roots = [etree.fromstring(z.read(n)) for n in names]
    marks = {b.get(f"{W}name") for root in roots for b in root.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for root in roots for h in root.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    assert all(a in marks for a in anchors), [a for a in anchors if a not in marks][:5]
    exe = shutil.which("openxml-audit") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    r = subprocess.run([exe, "-m", "0", str(docx)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Errors: 0" in r.stdout, r.stdout[-3000:]


@pytest.mark.parametrize("fixture", sorted(p.name for p in (Path(__file__).parent / "fixtures" / "real").glob("*")
                                           if p.suffix in (".docx", ".odt", ".epub")))
def test_links_resolve_in_real_documents(fixture: str, tmp_path: Path) -> None:
    source = Path(__file__).parent / "fixtures" / "real" / fixture
    result = pipeline.convert(source, ["epub", "docx"], tmp_path, Options(source_date_epoch=0))
    assert_links_resolve(result.outputs["epub"], result.outputs["docx"])


def test_title_from_the_core_properties() -> None:
    doc = pipeline.read(WORD / "numbered-style.docx")
    with zipfile.ZipFile(WORD / "numbered-style.docx") as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    title = core.find("{http://purl.org/dc/elements/1.1/}title")
    assert title is not None and doc.metadata.title == title.text


def test_toc_links_follow_the_renamed_headings(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the stale table of contents kept, its links (pandoc's heading ids, one nested link per page number)
    reach the headings under their new h-N ids."""
    from pipeline.readers.pandoc import convert, read_docx

    monkeypatch.setattr(convert, "is_toc_entry", lambda node: False)
    data = (WORD / "tek4010-manual.docx").read_bytes()
    diag = pipeline.Diagnostics()
    doc = pipeline.transform(read_docx(data, Options(), diag, name="tek4010-manual.docx"), diag=diag)
    links = [n for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) for n in b.children
             if isinstance(n, ir.Link) and n.target.startswith("#")]
    heading_ids = {b.id for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)}
    toc = len(re.findall(r'w:anchor="_Toc', zipfile.ZipFile(WORD / "tek4010-manual.docx").read(
        "word/document.xml").decode("utf-8")))
    assert len(links) == toc and all(link.target[1:] in heading_ids for link in links)
    assert not any(isinstance(c, ir.Link) for link in links for c in link.children)  # page-number links unwrapped
    step = dict(next(s for s in doc.steps if s.name == "ids").counts)
    assert step["links-rewritten"] >= toc and step["links-unresolved"] == 0


def test_a_caption_standing_alone_keeps_its_label(tmp_path: Path) -> None:
    """A Word caption paragraph with no figure or table beside it (Apache Tika's test file: "Figure 1 This is a
    caption for Figure 1", its chart not a picture docpipe keeps) keeps its label as text in every format; it was
    held only as an attribute, so "Figure 1" was in no output."""
    docx = need("docx")
    d = docx.Document()
    d.add_paragraph("Before the caption.")
    d.add_paragraph("Figure 1 This is a caption for Figure 1", style="Caption")
    d.add_paragraph("After the caption.")
    src = tmp_path / "caption.docx"
    d.save(str(src))
    result = pipeline.convert(src, ["html", "md", "docx"], tmp_path / "out", Options(source_date_epoch=0))
    assert result.document is not None
    caps = [b for b in iter_blocks(result.document.blocks) if isinstance(b, ir.Div) and "caption" in b.classes]
    assert len(caps) == 1 and plain(caps[0].blocks[0].children) == "Figure 1 This is a caption for Figure 1"
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert "Figure 1 This is a caption for Figure 1" in re.sub(r"<[^>]+>", "", html)
    assert "Figure 1 This is a caption" in result.outputs["md"].read_text(encoding="utf-8")
    with zipfile.ZipFile(result.outputs["docx"]) as z:
        text = "".join(etree.fromstring(z.read("word/document.xml")).itertext())
    assert "Figure 1 This is a caption for Figure 1" in text
