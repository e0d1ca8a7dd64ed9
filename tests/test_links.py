"""Links and pictures on every route (issues 24, 25, 26): relative links, site-root pictures, SVG ids.

- A relative link (``other.md``, ``../dir/x.md#a``, ``img/``) is never called a scheme: HTML and Markdown keep it
  as a relative link; EPUB, DOCX, PDF and TEI — one file each — show its text and say why (``link-to-file``).
  A network-path reference (``//host/x``) and every other scheme stay text, as before.
- A site-root picture (``/img/x.png``, as GitHub, MkDocs and VuePress read it) is found under the resource root
  (``--resource-root``, else the document's folder), still confined to it.
- Every ``id`` inside an SVG picture is an NCName, unique in the picture, with its references following it
  (real OI Wiki pictures, tests/fixtures/svg-ids/), so EPUBCheck accepts the package.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lhtml

import pipeline
from pipeline import ir, ir_json
from pipeline.diagnostics import Diagnostics
from pipeline.guard import FILE_LINK, link_kind
from pipeline.media import _names, sanitize_svg
from pipeline.options import Options

from .conftest import SCHEMAS, openxml_audit, require, require_tool

FIXTURES = Path(__file__).parent / "fixtures"
SVGS = FIXTURES / "svg-ids"
GUIDE = FIXTURES / "corpus" / "docs" / "guodongxiaren-markdown-guide"
RELATIVE = ("other.md", "../dir/x.md#a", "img/")
SOURCE = """# Links

See [the other page](other.md), [a section elsewhere](../dir/x.md#a) and [the pictures](img/).

Not relative: [a host](//host.example/x), [a script](javascript:alert(1)) and [the web](https://example.org/).
"""


def convert(tmp: Path, text: str, formats: list[str], **opts: object) -> tuple[dict[str, Path], Diagnostics]:
    src = tmp / "page.md"
    src.write_text(text, encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, formats, tmp / "out", Options(source_date_epoch=0, **opts),  # type: ignore[arg-type]
                              name="page", diag=diag)
    return dict(result.outputs), diag


# --------------------------------------------------------------------------- what a link target is
@pytest.mark.parametrize(("target", "kind"), [
    ("other.md", "file"), ("../dir/x.md#a", "file"), ("img/", "file"), ("./a%20b.md", "file"), ("?page=2", "file"),
    ("/site/x.md", "file"), ("#intro", "live"), ("https://example.org/", "live"), ("mailto:a@example.org", "live"),
    ("//host/x", "network"), ("\\\\host\\share", "network"), ("/\\host", "network"), ("javascript:alert(1)", "scheme"),
    (" java\tscript:x", "scheme"), ("ftp://x.org/", "scheme"), ("c:\\x.md", "scheme"), ("", "empty"), (" ", "empty"),
])
def test_link_kind(target: str, kind: str) -> None:
    assert link_kind(target) == kind


# --------------------------------------------------------------------------- relative links, per output
def test_relative_links_stay_links_in_html_and_markdown(tmp_path: Path) -> None:
    out, diag = convert(tmp_path, SOURCE, ["html", "md"])
    page = lhtml.parse(str(out["html"])).getroot()
    hrefs = [a.get("href") for a in page.iter("a")]
    assert all(t in hrefs for t in RELATIVE), hrefs
    assert "https://example.org/" in hrefs
    assert not [h for h in hrefs if h and ("host.example" in h or "javascript" in h)]
    md = out["md"].read_text(encoding="utf-8")
    assert "[the other page](<other.md>)" in md and "[a section elsewhere](<../dir/x.md#a>)" in md
    assert "[the pictures](<img/>)" in md
    # nothing was lost in these outputs: only the two unsafe links are reported, never as a scheme when relative
    assert not [d for d in diag.items if d.code == "link-to-file"]
    messages = [d.message for d in diag.items if d.code == "unsafe-link"]
    assert any("with a scheme other than" in m and "javascript:" in m for m in messages)
    assert any("host without a scheme" in m and "//host.example/x" in m for m in messages)
    assert not [m for m in messages if any(t in m for t in RELATIVE)]


def test_the_markdown_link_reads_back_as_the_same_relative_link(tmp_path: Path) -> None:
    out, _ = convert(tmp_path, SOURCE, ["md"])
    again = pipeline.read(out["md"], Options())
    links = [n for b in again.blocks if isinstance(b, ir.Para) for n in b.children
             if isinstance(n, ir.Span) and FILE_LINK in n.classes]
    assert [dict(s.attrs)["href"] for s in links] == list(RELATIVE)


def test_one_file_outputs_show_the_text_and_say_why(tmp_path: Path) -> None:
    out, diag = convert(tmp_path, SOURCE, ["epub", "docx", "pdf", "tei"], pdf_engine="weasyprint")
    said = [d.message for d in diag.items if d.code == "link-to-file"]
    for where in ("one EPUB", "one PDF", "one TEI file", "one DOCX file"):
        for t in RELATIVE:
            assert f"a link to another file ({t}) has nowhere to go in {where}: its text is kept" in said, said
    assert not [d for d in diag.items if "scheme" in d.message and any(t in d.message for t in RELATIVE)]
    with zipfile.ZipFile(out["epub"]) as z:
        body = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml")).decode("utf-8")
    assert "the other page" in body and "a section elsewhere" in body
    assert not re.search(r'href="(?:other\.md|\.\./dir|img/)', body)
    tei = out["tei"].read_text(encoding="utf-8")
    assert "the other page" in tei and 'target="other.md"' not in tei
    pymupdf = _pymupdf()
    with pymupdf.open(out["pdf"]) as pdf:
        uris = [link.get("uri") or link.get("file") for page in pdf for link in page.get_links()]
        text = "".join(page.get_text() for page in pdf)
    assert not [u for u in uris if u and any(t.split("#")[0] in u for t in RELATIVE if t)], uris
    assert "the other page" in text
    with zipfile.ZipFile(out["docx"]) as z:
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        doc = z.read("word/document.xml").decode("utf-8")
    assert "other.md" not in rels and "the other page" in doc


def _pymupdf() -> Any:
    try:
        import pymupdf
    except ImportError:
        require(False, "pymupdf")
        raise
    return pymupdf


def test_tei_with_links_to_other_files_is_valid(tmp_path: Path) -> None:
    jing = require_tool("jing")
    out, _ = convert(tmp_path, SOURCE, ["tei"])
    r = subprocess.run([jing, str(SCHEMAS / "tei_all.rng"), str(out["tei"])], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout[:2000]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "https://evil.example/", "//evil.example/x", " ",
                                  "data:text/html,<script>alert(1)</script>"])
def test_a_forged_file_link_in_ir_json_is_no_link(tmp_path: Path, href: str) -> None:
    span = ir.Span(children=(ir.Text(text="click"),), classes=(FILE_LINK,), attrs=(("href", href),))
    doc = ir.Document(metadata=ir.Metadata(title="t", language="en"), blocks=(ir.Para(children=(span,)),))
    src = tmp_path / "f.ir.json"
    src.write_text(ir_json.dumps(doc), encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["html", "md"], tmp_path / "out", Options(), diag=diag)
    page = lhtml.parse(str(result.outputs["html"])).getroot()
    assert not list(page.iter("a")) and "click" in page.text_content()
    md = result.outputs["md"].read_text(encoding="utf-8")
    assert "](" not in md and "evil" not in md and "javascript" not in md.lower()
    assert any(d.code == "unsafe-link" for d in diag.items)


# --------------------------------------------------------------------------- site-root pictures
def test_site_root_pictures_of_a_real_guide_are_read(tmp_path: Path) -> None:
    """guodongxiaren/README shows its logos as ``/img/zhihu.png`` (GitHub reads that from the repository root)."""
    import shutil
    copy = tmp_path / "README"  # the repository as GitHub has it: README.md and img/ at its root
    shutil.copytree(GUIDE, copy)
    (copy / ".git").mkdir()
    for source, root in ((GUIDE, str(GUIDE)), (copy, None)):  # --resource-root, else the project's root
        diag = Diagnostics()
        doc = pipeline.read(source / "README.md", Options(resource_root=root), diag)
        sources = sorted(m.source or "" for m in doc.media)
        assert sources == ["/img/csdn.png", "/img/weibo.png", "/img/zhihu.png"], (root, sources)
        missing = [d.message for d in diag.items if d.code == "media-missing"]
        assert any("/img/codepast-logo.jpg: no such file under the" in m for m in missing), missing


def test_site_root_pictures_stay_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "docs" / "img").mkdir(parents=True)
    (root / "img").mkdir()
    png = (GUIDE / "img" / "zhihu.png").read_bytes()
    (root / "img" / "a.png").write_bytes(png)
    (tmp_path / "secret.png").write_bytes(png + b"secret")
    (root / "img" / "link.png").symlink_to(tmp_path / "secret.png")
    src = root / "docs" / "page.md"
    src.write_text("![a](/img/a.png)\n\n![up](/../secret.png)\n\n![abs](" + str(tmp_path / "secret.png") + ")\n\n"
                   "![link](/img/link.png)\n\n![net](//host/img/a.png)\n", encoding="utf-8")
    diag = Diagnostics()
    doc = pipeline.read(src, Options(resource_root=str(root)), diag)
    assert [m.source for m in doc.media] == ["/img/a.png"]
    assert all(b"secret" not in m.data for m in doc.media)
    said = [d.message for d in diag.items]
    assert any("/../secret.png" in m and "outside" in m for m in said), said
    assert any("/img/link.png" in m and "outside" in m for m in said), said
    assert any("//host/img/a.png" in m and "not fetched" in m for m in said), said
    assert any(f"{tmp_path / 'secret.png'}: no such file under the resource root" in m for m in said), said
    # a narrower root: /img/a.png is looked for in docs/img/, never above the root
    diag = Diagnostics()
    doc = pipeline.read(src, Options(resource_root=str(root / "docs")), diag)
    assert not doc.media


# --------------------------------------------------------------------------- SVG ids
def svg_ids(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    return [str(el.get("id")) for el in root.iter() if isinstance(el.tag, str) and el.get("id") is not None]


def svg_refs(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    refs: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if etree.QName(attr).localname == "href" and value.startswith("#"):
                refs.append(value[1:])
            refs += re.findall(r"url\(\s*['\"]?#([^'\")\s]+)", value)
    return refs


@pytest.mark.parametrize("name", ["stack.svg", "treap-search-tree-chain.svg", "andrew.svg"])
def test_svg_ids_of_real_pictures_are_names_unique_and_followed(name: str) -> None:
    data = (SVGS / name).read_bytes()
    before = svg_ids(data)
    assert len(set(before)) < len(before) or not all(_names()[0].fullmatch(i) for i in before)  # the fixture's point
    out, _ = sanitize_svg(data)
    ids = svg_ids(out)
    assert len(ids) == len(before)
    assert all(_names()[0].fullmatch(i) for i in ids) and len(set(ids)) == len(ids)
    assert set(svg_refs(out)) <= set(ids) | (set(svg_refs(data)) - set(before))
    pymupdf = _pymupdf()
    pictures = []
    for svg in (data, out):
        with pymupdf.open(stream=svg, filetype="svg") as drawing:
            pictures.append(drawing[0].get_pixmap().samples)
    assert pictures[0] == pictures[1]  # the same picture, pixel for pixel


def test_svg_id_references_follow_in_every_form() -> None:
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" height="9">
    <style>#a\\:b { fill: #fff } .x { stroke: url(#a:b) } @media print { #r { fill: #111 } }</style>
    <defs><linearGradient id="a:b"/><path id="1" d="M0 0"/></defs>
    <rect id="r" fill="url(#a:b)" style="fill: url('#a:b')"/><rect id="r"/><rect id="a_b"/><g id="111"/>
    <use xlink:href="#1"/><use href="#r"/><rect fill="#111"/>
    <animate id="0anim" attributeName="x" begin="1.end; 0anim.end+1s" dur="1s"/></svg>"""
    out = sanitize_svg(svg)[0].decode("utf-8")
    ids = svg_ids(out.encode("utf-8"))
    assert all(_names()[0].fullmatch(i) for i in ids) and len(set(ids)) == len(ids)
    assert ids[:3] == ["a_b-2", "id-1", "r"] and "a_b" in ids and "r-2" in ids  # a_b was taken by a valid id
    assert "#a_b-2 {" in out and "url(#a_b-2)" in out and 'fill="url(#a_b-2)"' in out
    assert 'xlink:href="#id-1"' in out and 'href="#r"' in out
    assert "fill: #fff" in out and "#r { fill: #111 }" in out and 'fill="#111"' in out  # colours untouched
    assert 'begin="id-1.end; id-0anim.end+1s"' in out


def test_an_epub_with_real_svgs_and_relative_links_passes_epubcheck(tmp_path: Path) -> None:
    from .epubcheck_run import epubcheck
    folder = tmp_path / "book"
    (folder / "img").mkdir(parents=True)
    for svg in SVGS.glob("*.svg"):
        (folder / "img" / svg.name).write_bytes(svg.read_bytes())
    pictures = "\n\n".join(f"![{p.stem}](/img/{p.name})" for p in sorted(SVGS.glob("*.svg")))
    out, diag = convert(folder, SOURCE + "\n" + pictures + "\n", ["epub"])
    assert len([d for d in diag.items if d.code.startswith("media")]) == 0, diag.items
    r = epubcheck(out["epub"], "-q")
    problems = [ln for ln in r.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)]
    assert r.returncode == 0 and not problems, problems[:5]
    with zipfile.ZipFile(out["epub"]) as z:
        assert len([n for n in z.namelist() if n.endswith(".svg")]) == 3


def test_svg_id_pass_is_linear() -> None:
    """Ids and references of a picture 10× larger cost about 10× the CPU time (never the square)."""
    import time

    def picture(n: int) -> bytes:
        body = "".join(f'<g id="l:{i % 50}"><rect id="{i}" fill="url(#l:{i % 50})"/><use href="#{i}"/></g>'
                       for i in range(n))
        return f'<svg xmlns="http://www.w3.org/2000/svg"><style>#l\\:1 {{ fill: #111 }}</style>{body}</svg>'.encode()

    def cpu(data: bytes) -> float:
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            sanitize_svg(data)
            best = min(best, time.process_time() - t)
        return best

    small, large = picture(400), picture(4000)
    ids = svg_ids(sanitize_svg(large)[0])
    assert len(ids) == 8000 and len(set(ids)) == 8000 and all(_names()[0].fullmatch(i) for i in ids)
    assert cpu(large) < 25 * max(cpu(small), 0.002)


def test_a_url_no_browser_reads_is_text_and_one_with_a_space_is_encoded(tmp_path: Path) -> None:
    """A fresh corpus (the-art-of-command-line) linked ``http://en.wikipedia.org /wiki/Perf_(Linux)``: EPUBCheck
    RSC-020. A space in the host cannot be mended: the link is text, and said so; a space in a path is
    percent-encoded; EPUBCheck and openxml-audit are then clean."""
    from .epubcheck_run import epubcheck
    text = ("# Links\n\nSee [perf](<http://en.wikipedia.org /wiki/Perf_(Linux)>), [a file](<https://x.org/a b.pdf>)"
            " and [fine](https://x.org/%20ok).\n")
    out, diag = convert(tmp_path, text, ["epub", "docx", "html"])
    html = out["html"].read_text(encoding="utf-8")
    assert 'href="https://x.org/a%20b.pdf"' in html and 'href="https://x.org/%20ok"' in html
    assert "en.wikipedia.org" not in "".join(re.findall(r'href="([^"]*)"', html))
    messages = [d.message for d in diag.items]
    assert any("no browser can read" in m and "wikipedia" in m for m in messages), messages
    r = epubcheck(out["epub"], "-q")
    problems = [ln for ln in r.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)]
    assert r.returncode == 0 and not problems, problems[:5]


@pytest.mark.parametrize(("target", "mended"), [
    ("http://en.wikipedia.org /wiki/Perf_(Linux)", None), ("http://en.wikipedia.org%20/wiki/x", None),
    ("https://x.org/a b?q=1 2#f g", "https://x.org/a%20b?q=1%202#f%20g"), ("https://x.org/100%", "https://x.org/100%25"),
    ("https://例子.测试/路径", "https://例子.测试/路径"), ("mailto:a b@x.org", "mailto:a%20b@x.org"),
    ("https://x.org/%20ok", "https://x.org/%20ok"), ("#id", "#id"), ("http://[::1]:8080/a", "http://[::1]:8080/a"),
])
def test_a_live_url_is_mended_or_refused(target: str, mended: str | None) -> None:
    from pipeline.guard import well_formed
    assert well_formed(target) == mended


def test_an_html_pages_links_are_not_reported_as_resources_not_fetched(tmp_path: Path) -> None:
    """Only what a page would load (a picture, a stylesheet, an SVG image) is "not fetched"; a link someone
    follows (``a``, ``area``) is no resource (a W3C page's 40 links were 40 warnings)."""
    page = tmp_path / "p.html"
    page.write_text('<html><head><link rel="stylesheet" href="//cdn.example/s.css"></head><body><h1>T</h1>'
                    '<p><a href="https://www.w3.org/TR/">TR</a> <A HREF="http://example.org/">e</A>'
                    '<img src="http://example.org/p.png" alt="p"></p>'
                    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                    '<image xlink:href="https://t.example/p.gif"/></svg></body></html>', encoding="utf-8")
    diag = Diagnostics()
    pipeline.read(page, Options(), diag)
    said = [d.message for d in diag.items if d.code == "external-resource-blocked" and "not fetched:" in d.message]
    assert not [m for m in said if "w3.org/TR" in m or m.endswith("example.org/")], said
    assert any("//cdn.example/s.css" in m for m in said) and any("example.org/p.png" in m for m in said), said
    assert any("t.example/p.gif" in m for m in said), said


SVG_NAN = Path(__file__).parent / "fixtures" / "svg-nan"


def test_svg_attributes_holding_nan_or_infinity_are_dropped_as_browsers_ignore_them() -> None:
    repaired: list[str] = []
    out = sanitize_svg((SVG_NAN / "images" / "arrow.svg").read_bytes(), repaired)[0].decode("utf-8")
    assert "NaN" not in out and 'r="Infinity"' not in out
    assert 'font-family="Infinity, serif"' in out  # a name, not a number
    assert 'x2="192"' in out and 'stroke="black"' in out  # the rest of the element kept
    assert repaired == ['line transform="rotate(NaN, 200, 50)"', 'circle r="Infinity"']
    assert sanitize_svg(out.encode("utf-8"))[0].decode("utf-8") == out


def test_a_docx_draws_an_svg_whose_script_wrote_nan(tmp_path: Path) -> None:
    """``rotate(NaN, …)`` made librsvg refuse the picture ("cannot open broken document"): DOCX had a placeholder."""
    diag = Diagnostics()
    out = pipeline.convert(SVG_NAN / "index.html", ["docx", "html"], tmp_path,
                           Options(source_date_epoch=0, resource_root=str(SVG_NAN)), diag=diag).outputs
    assert not [d for d in diag.items if d.code == "media-placeholder"], diag.items
    assert [d.code for d in diag.items if "arrow.svg" in d.message] == ["svg-repaired"]
    with zipfile.ZipFile(out["docx"]) as z:
        names = z.namelist()
        document = z.read("word/document.xml").decode()
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)
    assert document.count("<w:drawing>") == 1 and "a request arrow" in document
    openxml_audit(out["docx"])
