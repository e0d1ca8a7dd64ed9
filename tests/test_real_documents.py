"""Real documents from elsewhere: pictures, tables, merged cells, captions and equations, counted in the source
independently of docpipe's reader (pandoc's reading of it) and in every output (lxml, pymupdf), must agree."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from tests.conftest import need

from .conftest import SCHEMAS, require, require_tool

REAL = Path(__file__).parent / "fixtures" / "real"
FORMATS = ["epub", "docx", "pdf", "tei", "html"]
#: fixture -> (source path, options); a tutorial keeps its pictures in a sibling folder it names with ../
CASES: dict[str, tuple[Path, dict[str, Any]]] = {
    p.name: (p, {}) for p in sorted([*REAL.glob("pandoc-*.*"), *REAL.glob("kreuzberg-*.*")])
    if p.suffix in (".docx", ".odt", ".epub")
}
CASES["easy-rl-chapter13.md"] = (REAL / "easy-rl" / "docs" / "chapter13" / "chapter13.md",
                                 {"resource_root": str(REAL / "easy-rl" / "docs")})
KINDS = ("images", "tables", "cells", "captions", "equations")


def pandoc_counts(path: Path) -> Counter[str]:
    """What pandoc finds in the source: its AST's images, tables, cells, non-empty captions and equations;
    pictures and tables written as raw HTML (a Markdown habit) are counted from the HTML itself."""
    from pipeline.readers.pandoc import pandoc_path
    fmt = {".md": "markdown", ".docx": "docx", ".odt": "odt", ".epub": "epub"}[path.suffix]
    ast = json.loads(subprocess.run([pandoc_path(), "-f", fmt, "-t", "json", str(path.resolve())],
                                    capture_output=True, check=True, cwd=path.parent).stdout)
    counts: Counter[str] = Counter()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for x in node:
                walk(x)
            return
        if not isinstance(node, dict):
            return
        t, c = node.get("t"), node.get("c")
        if t == "Image":
            counts["images"] += 1
        elif t == "Math":
            counts["equations"] += 1
        elif t == "Table":
            counts["tables"] += 1
            caption = c[1][1]
            if caption:
                counts["captions"] += 1
            head, bodies, foot = c[3], c[4], c[5]
            rows = head[1] + [r for b in bodies for r in b[2] + b[3]] + foot[1]
            counts["cells"] += sum(len(r[1]) for r in rows)
        elif t == "Figure":
            if c[1][1]:
                counts["captions"] += 1
        elif t in ("RawBlock", "RawInline") and c[0] == "html":
            counts["images"] += len(re.findall(r"<img\b", c[1], re.I))
        walk(c)

    walk(ast["blocks"])
    if path.suffix == ".md":  # a caption written as a centred line of HTML under the picture (图 13.1 …)
        source = path.read_text(encoding="utf-8")
        counts["captions"] += len(re.findall(r"<div[^>]*>\s*(?:图|圖|Figure|Fig\.)\s*[0-9]", source, re.I))
    if path.suffix == ".docx":  # Word pictures pandoc does not read (floating ones) count too: lxml on the XML
        counts["images"] = max(counts["images"], word_pictures(path))
    return counts


def word_pictures(path: Path) -> int:
    """Pictures in a Word file's main part (DrawingML blips and VML images, not the fallback copies)."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main", "v": "urn:schemas-microsoft-com:vml",
          "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
    return len(root.xpath("//a:blip[not(ancestor::mc:Fallback)] | //v:imagedata[not(ancestor::mc:Fallback)]",
                          namespaces=ns))


def html_counts(root: Any) -> Counter[str]:
    """Counts in (X)HTML parsed by lxml, namespaces ignored."""
    def n(xpath: str) -> int:
        return len(root.xpath(xpath))
    return Counter({
        "images": n("//*[local-name()='img'][not(contains(@class, 'math'))]"),
        "tables": n("//*[local-name()='table']"),
        "cells": n("//*[local-name()='td' or local-name()='th']"),
        "captions": n("//*[local-name()='caption' or local-name()='figcaption'][normalize-space()]"),
        "equations": n("//*[local-name()='math']"),
    })


def epub_counts(path: Path) -> Counter[str]:
    total: Counter[str] = Counter()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            # the navigation and the (generated) cover are the EPUB's own pages, not the document's content
            if name.endswith(".xhtml") and not name.endswith(("nav.xhtml", "cover.xhtml")):
                total += html_counts(etree.fromstring(z.read(name)))
    return total


def docx_counts(path: Path) -> Counter[str]:
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
          "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
          "m": "http://schemas.openxmlformats.org/officeDocument/2006/math"}
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    pictures = root.xpath("//pic:pic", namespaces=ns)
    assert len(media) <= len(pictures) or not pictures
    return Counter({
        "images": len(pictures),
        "tables": len(root.xpath("//w:tbl", namespaces=ns)),
        "cells": len(root.xpath("//w:tc[not(w:tcPr/w:vMerge[not(@w:val) or @w:val='continue'])]", namespaces=ns)),
        "captions": len(root.xpath("//w:p[w:pPr/w:pStyle[@w:val='Caption' or @w:val='TableCaption']]"
                                   "[normalize-space()]", namespaces=ns)),
        "equations": len(root.xpath("//m:oMath[not(ancestor::m:oMath)]", namespaces=ns)),
    })


def tei_counts(path: Path) -> Counter[str]:
    root = etree.parse(str(path)).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    body = root.xpath("//t:text", namespaces=ns)[0]
    return Counter({
        "images": len(body.xpath(".//t:graphic", namespaces=ns)),
        "tables": len(body.xpath(".//t:table", namespaces=ns)),
        "cells": len(body.xpath(".//t:cell", namespaces=ns)),
        "captions": len(body.xpath(".//t:table/t:head[normalize-space()] | .//t:figure/t:head[normalize-space()]",
                                   namespaces=ns)),
        "equations": len(body.xpath(".//t:formula", namespaces=ns)),
    })


def pdf_images(path: Path) -> int:
    """Raster pictures placed on the PDF's pages (pymupdf; equations are vector drawings, not counted)."""
    pymupdf = need("pymupdf")
    with pymupdf.open(str(path)) as pdf:
        return sum(len(page.get_image_info()) for page in pdf)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Path], Counter[str], Diagnostics]]:
    out: dict[str, tuple[dict[str, Path], Counter[str], Diagnostics]] = {}
    for key, (src, opts) in CASES.items():
        folder = tmp_path_factory.mktemp(key.replace(".", "-"))
        diag = Diagnostics(file=str(src))
        result = pipeline.convert(src, FORMATS, folder, Options(source_date_epoch=0, **opts), diag=diag)
        out[key] = (result.outputs, pandoc_counts(src), diag)
    return out


@pytest.mark.parametrize("key", sorted(CASES))
def test_every_output_keeps_what_the_source_has(key: str, converted: dict[str, Any]) -> None:
    outputs, source, diag = converted[key]
    expected = {k: source[k] for k in KINDS}
    found = {
        "epub": epub_counts(outputs["epub"]),
        "docx": docx_counts(outputs["docx"]),
        "tei": tei_counts(outputs["tei"]),
        "html": html_counts(html.parse(str(outputs["html"])).getroot()),
    }
    for fmt, counts in found.items():
        assert {k: counts[k] for k in KINDS} == expected, fmt
    assert pdf_images(outputs["pdf"]) >= expected["images"]
    placeholders = [d for d in diag.items if d.code in ("media-placeholder", "media-refused", "media-missing")]
    assert not placeholders, placeholders[0].one_line()


def test_pictures_travel_beside_html_and_tei(converted: dict[str, Any]) -> None:
    with_pictures = {k: v for k, v in converted.items() if v[1]["images"]}
    assert len(with_pictures) >= 8
    for key, (outputs, _, _) in with_pictures.items():
        for fmt, attr in (("html", "src"), ("tei", "url")):
            text = outputs[fmt].read_text(encoding="utf-8")
            refs = set(re.findall(rf'{attr}="([^"]+\.media/[^"]+)"', text))
            assert refs, (key, fmt)
            for ref in refs:
                assert (outputs[fmt].parent / ref).is_file(), (key, ref)


def test_epubcheck_on_every_real_document(converted: dict[str, Any]) -> None:
    from .epubcheck_run import epubcheck
    bad = {}
    for key, (outputs, _, _) in converted.items():
        r = epubcheck(outputs["epub"], "-q", timeout=300)
        problems = [ln for ln in r.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)]
        if problems:
            bad[key] = problems[:3]
    assert not bad


def test_jing_on_every_real_document(converted: dict[str, Any]) -> None:
    jing = require_tool("jing")
    files = [str(outputs["tei"]) for outputs, _, _ in converted.values()]
    r = subprocess.run([jing, str(SCHEMAS / "tei_all.rng"), *files], capture_output=True, text=True, timeout=600)
    errors = [ln for ln in r.stdout.splitlines() if " error: " in ln]
    assert not errors, errors[:5]


def test_libreoffice_opens_every_docx_and_shows_its_pictures(converted: dict[str, Any],
                                                             tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    pdfimages = require_tool("pdfimages")
    with_pictures = {k: v for k, v in converted.items() if v[1]["images"]}
    docs = [str(v[0]["docx"]) for v in with_pictures.values()]
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *docs], capture_output=True, timeout=600, check=False)
    for key, (outputs, source, _) in with_pictures.items():
        pdf = tmp_path / (outputs["docx"].stem + ".pdf")
        assert pdf.is_file(), f"LibreOffice could not open {key}"
        listing = subprocess.run([pdfimages, "-list", str(pdf)], capture_output=True, text=True).stdout
        shown = [ln for ln in listing.splitlines()[2:] if " image " in ln]
        assert len(shown) >= source["images"], key


def test_the_source_counts_are_not_empty(converted: dict[str, Any]) -> None:
    """The fixtures between them hold every kind this test counts (so the equalities above mean something)."""
    total = sum((v[1] for v in converted.values()), Counter())
    assert all(total[k] > 0 for k in KINDS), total
    require(True, "")


def test_libreoffice_renders_our_word_equations(converted: dict[str, Any], tmp_path: Path) -> None:
    """The OMML we write is real Word math: LibreOffice (with its Math component) draws it as text."""
    soffice = require_tool("soffice")
    outputs = converted["pandoc-odt-formula.odt"][0]
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(outputs["docx"])], capture_output=True, timeout=300, check=False)
    pdf = tmp_path / (outputs["docx"].stem + ".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "E=m⋅c" in text.replace(" ", "")
