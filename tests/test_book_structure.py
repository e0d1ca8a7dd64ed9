"""A book's structure in every format (issue 24): parts, chapters, appendices, front and back matter as the book
file says, each division with its role (``Heading.role``) placed in EPUB (``epub:type``, one file per division,
landmarks, nav with parts nesting chapters), DOCX (a section per division: roman folios in front, arabic from 1 in
the body, chapters on a recto with no running head on their opening page), TEI (``front``/``body``/``back``,
``div/@type``, ``titlePage``) and HTML (``section`` with the role); the pages a publisher expects made from the
metadata; ``numbering = "chapter"`` labels the same in every format; the validators silent."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

import pipeline
from pipeline import Diagnostics, Options, ir
from pipeline.book import assemble, load_plan, read_book
from pipeline.book.plan import BookPlan, Entry
from pipeline.book.roles import guess
from pipeline.errors import InputError
from pipeline.walk import plain
from pipeline.writers import divisions as D

from .conftest import require, require_tool
from .test_book import FIXTURES, _epub_pages

SUFFIX = {"epub": ".epub", "docx": ".docx", "tei": ".tei.xml", "html": ".html"}
#: name -> (book file, the roles of its divisions in reading order)
BOOKS: dict[str, tuple[str, list[str]]] = {
    "oi-wiki-graph": ("mkdocs.yml", ["part", "chapter", "chapter", "chapter", "chapter", "part", "chapter",
                                     "chapter"]),
    "trpl-zh-cn": ("src/SUMMARY.md", ["foreword", "part", "chapter", "chapter"]),
    "ropensci-dev-guide": ("_quarto.yml", ["preface", "preface", "part", "chapter", "chapter", "chapter", "chapter",
                                           "part", "appendix"]),
    "trpl-docpipe": ("docpipe.toml", ["halftitlepage", "titlepage", "copyright-page", "dedication", "foreword",
                                      "part", "chapter", "chapter", "appendix", "colophon"]),
}
#: name -> the place (front, body, back) of each division
PLACES: dict[str, list[str]] = {
    "oi-wiki-graph": ["body"] * 8,
    "trpl-zh-cn": ["front", "body", "body", "body"],
    "ropensci-dev-guide": ["front", "front", "body", "body", "body", "body", "body", "back", "back"],
    "trpl-docpipe": ["front"] * 5 + ["body"] * 3 + ["back"] * 2,
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEI = "{http://www.tei-c.org/ns/1.0}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class Book:
    """One fixture book built: its document and its outputs."""

    doc: ir.Document
    outputs: dict[str, Path] = field(default_factory=dict)
    diag: Diagnostics = field(default_factory=Diagnostics)


def _build(name: str, folder: Path, **opts: Any) -> Book:
    diag = Diagnostics()
    doc, _, root = read_book([FIXTURES / name / BOOKS[name][0]], Options(), diag)
    options = Options(source_date_epoch=0, resource_root=str(root), output_name="book", **opts)
    doc = pipeline.transform(doc, options, diag)
    built = Book(doc=doc, diag=diag)
    for fmt, suffix in SUFFIX.items():
        target = folder / f"book{suffix}"
        target.write_bytes(pipeline.write(doc, fmt, options, diag))
        built.outputs[fmt] = target
    return built


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Book]:
    return {name: _build(name, tmp_path_factory.mktemp(name)) for name in BOOKS}


def _divisions(doc: ir.Document) -> list[D.Division]:
    return D.divisions(doc.blocks)


# --------------------------------------------------------------------------- the IR


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_every_division_has_its_role_and_place(books: dict[str, Book], name: str) -> None:
    divs = _divisions(books[name].doc)
    assert [d.role for d in divs] == BOOKS[name][1]
    assert [d.place for d in divs] == PLACES[name]
    # each chapter file of the plan opens one division (sub-chapters stay inside their chapter)
    assert all(d.heading.id for d in divs)


def test_roles_from_names_and_titles() -> None:
    cases = [("foreword.md", "前言", "front", "foreword"), ("index.qmd", "Welcome", "front", "preface"),
             ("x.md", "致谢", "front", "acknowledgments"), ("x.md", "拓扑排序", "back", "afterword"),
             ("colophon.md", None, "back", "colophon"), ("refs.md", "References", "back", "bibliography"),
             ("99-glossary.md", None, "back", "glossary"), ("colophon.md", None, "front", "preface"),
             ("intro.md", None, "front", "introduction"), ("x.md", "后记", "back", "afterword")]
    for path, title, place, role in cases:
        assert guess(Entry(path=path), title, place) == role, (path, title, place)


def test_docpipe_toml_roles_and_pages(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Preface\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# One\n\nText.\n", encoding="utf-8")
    (tmp_path / "c.md").write_text("# Thanks\n\nText.\n", encoding="utf-8")
    (tmp_path / "docpipe.toml").write_text(
        '[book]\ntitle = "T"\nauthors = ["A"]\npages = ["halftitlepage", "titlepage", "copyright-page"]\n'
        'isbn = "978-3-16-148410-0"\nfront = [{file = "a.md", role = "introduction"}]\nchapters = ["b.md"]\n'
        'back = [{file = "c.md", role = "acknowledgments"}]\n', encoding="utf-8")
    plan = load_plan(tmp_path / "docpipe.toml")
    assert plan.pages == ("halftitlepage", "titlepage", "copyright-page")
    assert [e.role for e in plan.entries] == ["introduction", None, "acknowledgments"]
    doc, _, _ = read_book([tmp_path / "docpipe.toml"], Options(), Diagnostics())
    roles = [(b.role, plain(b.children)) for b in doc.blocks if isinstance(b, ir.Heading) and b.role]
    assert roles == [("halftitlepage", "T"), ("titlepage", "T"), ("copyright-page", "Copyright"),
                     ("introduction", "Preface"), ("chapter", "One"), ("acknowledgments", "Thanks")]
    assert [d.place for d in D.divisions(doc.blocks)] == ["front"] * 4 + ["body", "back"]


@pytest.mark.parametrize("text, expected", [
    ('[book]\nchapters = [{file = "a.md", role = "chapterr"}]\n', "role 'chapterr' is unknown"),
    ('[book]\nchapters = ["a.md"]\npages = ["titlepage", "titlepage"]\n', "pages"),
    ('[book]\nchapters = ["a.md"]\npages = "titlepage"\n', "pages"),
])
def test_a_bad_role_or_page_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "docpipe.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_plan(tmp_path / "docpipe.toml")
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_unnumbered_chapters_before_the_first_are_front_matter(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: Q\n  chapters:\n"
                                          "  - index.qmd\n  - pre.qmd\n  - one.qmd\n  - late.qmd\n"
                                          "  appendices:\n  - app.qmd\n", encoding="utf-8")
    for name, head in (("index", "# Welcome {.unnumbered}"), ("pre", "# Acknowledgements {.unnumbered}"),
                       ("one", "# One"), ("late", "# Notes {-}"), ("app", "# Data")):
        (tmp_path / f"{name}.qmd").write_text(f"{head}\n\nText.\n\n## Sub\n\nMore.\n", encoding="utf-8")
    doc, _, _ = read_book([tmp_path / "_quarto.yml"], Options(), Diagnostics())
    heads = [(b.role, b.label, plain(b.children)) for b in doc.blocks if isinstance(b, ir.Heading) and b.role]
    assert heads == [("preface", None, "Welcome"), ("acknowledgments", None, "Acknowledgements"),
                     ("chapter", None, "One"), ("chapter", None, "Notes"), ("appendix", "A", "Data")]
    step = next(s for s in doc.steps if s.name == "book")
    assert ("chapter-3", "chapter") in step.settings or any(v == "chapter" for _, v in step.settings)


def test_the_made_pages_hold_the_metadata(books: dict[str, Book]) -> None:
    doc = books["trpl-docpipe"].doc
    lines = D.made_lines(doc.blocks)
    found = [(cls, plain(doc.blocks[i].children)) for i, cls in sorted(lines.items())
             if isinstance(doc.blocks[i], ir.Para)]
    classes = [c for c, _ in found]
    assert classes[:5] == ["subtitle", "author", "author", "author", "author"]
    assert ("isbn", "ISBN 978-3-16-148410-0") in found
    assert "edition" in classes and "publisher" in classes and "rights" in classes and "dedication" in classes
    cip = [b for b in iter_top(doc) if isinstance(b, ir.Div) and b.classes == ("cip",)]
    assert len(cip) == 1 and "TP312" in "".join(plain(p.children) for p in cip[0].blocks if isinstance(p, ir.Para))


def iter_top(doc: ir.Document) -> list[ir.Block]:
    return list(doc.blocks)


# --------------------------------------------------------------------------- EPUB


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_epub_one_file_per_division_with_its_type(books: dict[str, Book], name: str) -> None:
    pages = _epub_pages(books[name].outputs["epub"])
    found: list[tuple[str, str]] = []
    for _, root in pages:
        body = root.find("{http://www.w3.org/1999/xhtml}body")
        first = body.find("{http://www.w3.org/1999/xhtml}section") if body is not None else None
        if body is None or first is None or first.get(EPUB_TYPE) is None:
            continue
        found.append((first.get(EPUB_TYPE, ""), body.get(EPUB_TYPE, "")))
    assert [r for r, _ in found] == BOOKS[name][1]
    assert [b for _, b in found] == [f"{p}matter" for p in PLACES[name]]


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_epub_landmarks_and_nav_nesting(books: dict[str, Book], name: str) -> None:
    with zipfile.ZipFile(books[name].outputs["epub"]) as z:
        nav_name = next(n for n in z.namelist() if n.endswith("nav.xhtml"))
        nav = etree.fromstring(z.read(nav_name))
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    marks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=ns)
    assert "toc" in marks and "bodymatter" in marks
    places = set(PLACES[name])
    assert ("frontmatter" in marks) == ("front" in places)
    assert ("backmatter" in marks) == ("back" in places)
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=ns)[0]
    divs = _divisions(books[name].doc)
    for d in divs:
        if d.role in D.NOT_IN_CONTENTS:
            assert not toc.xpath(f".//x:a[substring-after(@href, '#') = '{d.heading.id}']", namespaces=ns), d.role
            continue
        link = toc.xpath(f".//x:a[substring-after(@href, '#') = '{d.heading.id}']", namespaces=ns)
        assert len(link) == 1, d.heading.id
        if d.role == "part":  # a part's entry holds its chapters
            nested = link[0].getparent().xpath("./x:ol/x:li/x:a/@href", namespaces=ns)
            assert nested, d.heading.id
    if name == "trpl-docpipe":
        assert {"titlepage", "copyright-page", "foreword", "colophon"} <= set(marks)


#: The EPUB 2 guide's reference types (OPF 2.0.1 §2.6); any other must start with ``other.``.
EPUB2_GUIDE = {"cover", "title-page", "toc", "index", "glossary", "acknowledgements", "bibliography", "colophon",
               "copyright-page", "dedication", "epigraph", "foreword", "loi", "lot", "notes", "preface", "text"}


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_epub2_guide_speaks_epub2(books: dict[str, Book], name: str) -> None:
    """The OPF guide (for EPUB 2 readers) uses EPUB 2's types, not the EPUB 3 landmark names (``title-page``, not
    ``titlepage``; ``text``, not ``bodymatter``), and points where the landmark of the same page points."""
    ns = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml",
          "epub": "http://www.idpf.org/2007/ops"}
    with zipfile.ZipFile(books[name].outputs["epub"]) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
    guide = [(r.get("type"), r.get("href")) for r in opf.xpath("//opf:guide/opf:reference", namespaces=ns)]
    assert guide and all(t in EPUB2_GUIDE or t.startswith("other.") for t, _ in guide), guide
    types = [t for t, _ in guide]
    assert "text" in types and "toc" in types and "bodymatter" not in types
    marks = [(a.get(EPUB_TYPE), a.get("href")) for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a",
                                                                     namespaces=ns)]
    assert len(marks) == len(guide)
    renamed = {"titlepage": "title-page", "bodymatter": "text", "acknowledgments": "acknowledgements",
               "frontmatter": "other.frontmatter", "backmatter": "other.backmatter"}
    assert [(renamed.get(t, t), h) for t, h in marks] == guide
    if name == "trpl-docpipe":
        assert {"title-page", "copyright-page", "foreword", "colophon", "dedication"} <= set(types)


def test_epub_contents_follow_the_pages_printed_before_them(books: dict[str, Book]) -> None:
    path = books["trpl-docpipe"].outputs["epub"]
    with zipfile.ZipFile(path) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    spine = opf.xpath("//*[local-name()='itemref']/@idref")
    assert spine[:6] == ["cover", "chapter-01", "chapter-02", "chapter-03", "chapter-04", "nav"]


# --------------------------------------------------------------------------- DOCX


def _sections(path: Path) -> list[tuple[list[str], Any]]:
    """The DOCX's sections: the bookmarks each holds, and its ``sectPr``."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    body = root.find(f"{W}body")
    out: list[tuple[list[str], Any]] = []
    marks: list[str] = []
    for child in body:
        marks += [b.get(f"{W}name") for b in child.iter(f"{W}bookmarkStart")]
        sect = child if child.tag == f"{W}sectPr" else child.find(f"{W}pPr/{W}sectPr")
        if sect is not None:
            out.append((marks, sect))
            marks = []
    return out


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_docx_a_section_per_division_with_its_folios(books: dict[str, Book], name: str) -> None:
    sections = _sections(books[name].outputs["docx"])
    divs = _divisions(books[name].doc)
    with_contents = any(h.level <= 2 for h in books[name].doc.blocks if isinstance(h, ir.Heading)
                        and h.role not in D.NOT_IN_CONTENTS)
    # the title page made from the metadata when the book makes none is a section of its own
    own_title = not D.has_role(books[name].doc, "titlepage") and bool(books[name].doc.metadata.title)
    assert len(sections) == len(divs) + with_contents + own_title
    where = {m: k for k, (marks, _) in enumerate(sections) for m in marks}
    first_body = True
    for d in divs:
        k = where[d.heading.id or ""]
        sect = sections[k][1]
        num = sect.find(f"{W}pgNumType")
        assert num is not None
        if d.place == "front":
            assert num.get(f"{W}fmt") == "lowerRoman", d.role
        else:
            assert num.get(f"{W}fmt") == "decimal", d.role
            assert (num.get(f"{W}start") == "1") == first_body, d.role
            first_body = False
        kind = sect.find(f"{W}type")
        if k:
            assert kind is not None
            assert kind.get(f"{W}val") == ("nextPage" if d.role == "copyright-page" else "oddPage")
        # an opening page has no running head; the made pages have none at all
        if d.role in ("halftitlepage", "titlepage", "copyright-page", "dedication"):
            assert sect.find(f"{W}titlePg") is None
        else:
            assert sect.find(f"{W}titlePg") is not None
            first = [r for r in sect.findall(f"{W}headerReference") if r.get(f"{W}type") == "first"]
            assert len(first) == 1
    if any(d.place == "front" for d in divs):  # the front matter's folios start at i (its first section)
        num = sections[0][1].find(f"{W}pgNumType")
        assert num is not None and num.get(f"{W}start") == "1" and num.get(f"{W}fmt") == "lowerRoman"


def test_docx_made_pages_and_running_heads(books: dict[str, Book]) -> None:
    path = books["trpl-docpipe"].outputs["docx"]
    with zipfile.ZipFile(path) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
        headers = {n: z.read(n).decode() for n in z.namelist() if re.match(r"word/header\d+\.xml", n)}
    styles = [(p.find(f"{W}pPr/{W}pStyle").get(f"{W}val"), re.sub(r"\s+", "", "".join(p.itertext())))
              for p in doc.iter(f"{W}p") if p.find(f"{W}pPr/{W}pStyle") is not None]
    assert styles[0] == ("Title", "Rust程序设计语言")
    assert ("Subtitle", "所有权") in styles
    assert sum(s == "TitlePageInfo" for s, _ in styles) >= 5
    assert "ISBN978-3-16-148410-0" in [t for _, t in styles]
    assert not any(s == "Rights" for s, _ in styles)  # the copyright page shows the rights
    running = " ".join(headers.values())
    assert "认识所有权" in running and "版本说明" in running


def test_docx_pages_in_libreoffice(books: dict[str, Book], tmp_path: Path) -> None:
    """LibreOffice lays the book out: every division opens on an odd page (blank versos inserted), the copyright
    page backs the title page."""
    soffice = require_tool("soffice")
    require_tool("pdftotext")
    src = tmp_path / "book.docx"
    shutil.copy(books["trpl-docpipe"].outputs["docx"], src)
    export = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", export,
                    "--outdir", str(tmp_path), str(src)], capture_output=True, timeout=300, check=True)
    pdf = tmp_path / "book.pdf"
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    pages = [re.sub(r"\s+", "", p) for p in out.split("\f")]

    def page_of(text: str) -> int:
        return next(i for i, p in enumerate(pages, 1) if p.startswith(text))

    assert page_of("Rust程序设计语言") == 1
    title = page_of("Rust程序设计语言所有权")
    assert title % 2 == 1 and page_of("版权信息") == title + 1
    for opening in ("献词", "目录", "前言", "第一部分所有权", "认识所有权", "引用与借用", "ASlice类型", "版本说明"):
        assert page_of(opening) % 2 == 1, opening


# --------------------------------------------------------------------------- TEI


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_tei_front_body_back_and_div_types(books: dict[str, Book], name: str) -> None:
    root = etree.parse(str(books[name].outputs["tei"])).getroot()
    text = root.find(f"{TEI}text")
    assert [etree.QName(c).localname for c in text] == [p for p in ("front", "body", "back")
                                                         if p in PLACES[name] or p != "back"]
    found: list[tuple[str, str]] = []
    for part in text:
        for el in part.iter(f"{TEI}div", f"{TEI}titlePage"):
            head = el.find(f"{TEI}head")
            ident = head.get("{http://www.w3.org/XML/1998/namespace}id") if head is not None else None
            if el.tag == f"{TEI}titlePage":
                main = el.find(f"{TEI}docTitle/{TEI}titlePart")
                ident = main.get("{http://www.w3.org/XML/1998/namespace}id") if main is not None else None
                if ident is None:
                    continue
                role = "halftitlepage" if el.get("type") == "half-title" else "titlepage"
            else:
                role = el.get("type", "")
            if ident in {d.heading.id for d in _divisions(books[name].doc)}:
                found.append((role, etree.QName(part).localname))
    assert found == list(zip(BOOKS[name][1], PLACES[name], strict=True))


def test_tei_title_page_from_the_book(books: dict[str, Book]) -> None:
    root = etree.parse(str(books["trpl-docpipe"].outputs["tei"])).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    tps = root.xpath("//t:front/t:titlePage", namespaces=ns)
    assert [tp.get("type") for tp in tps] == ["half-title", None]
    tp = tps[1]
    assert len(tp.xpath("t:docAuthor", namespaces=ns)) == 4
    assert tp.xpath("string(t:docTitle/t:titlePart[@type='sub'])", namespaces=ns) == "所有权"
    assert tp.xpath("t:docEdition", namespaces=ns) and tp.xpath("t:docImprint/t:publisher", namespaces=ns)


def test_tei_jing_and_schematron_report_nothing(books: dict[str, Book]) -> None:
    from .tei_validate import saxon_available, validate
    require_tool("jing")
    require(saxon_available(), "saxonche (pip install saxonche) for the TEI Schematron rules")
    problems = validate([b.outputs["tei"] for b in books.values()])
    assert not problems, problems


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_html_sections_carry_the_role(books: dict[str, Book], name: str) -> None:
    root = html.parse(str(books[name].outputs["html"])).getroot()
    ids = {d.heading.id: d for d in _divisions(books[name].doc)}
    found = []
    for sec in root.iter("section"):
        head = next((c for c in sec if isinstance(c.tag, str) and re.fullmatch(r"h[1-6]", c.tag)), None)
        if head is not None and head.get("id") in ids:
            d = ids[head.get("id")]
            assert d.role in (sec.get("class") or "").split()
            assert sec.get("role") == D.ARIA.get(d.role)
            found.append(d.role)
    assert found == BOOKS[name][1]
    if name == "trpl-docpipe":  # the book's own title page, not a second one from the metadata
        assert not root.xpath("//header[@class='titlepage']")
        assert not root.xpath("//footer[@class='rights']")


# --------------------------------------------------------------------------- validators


def test_epubcheck_reports_nothing_on_the_made_pages(books: dict[str, Book]) -> None:
    from .epubcheck_run import epubcheck
    r = epubcheck(books["trpl-docpipe"].outputs["epub"], "-q")
    problems = [ln for ln in r.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)]
    assert r.returncode == 0 and not problems, problems[:5]


def test_openxml_audit_reports_nothing_on_the_made_pages(books: dict[str, Book]) -> None:
    exe = shutil.which("openxml-audit") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    r = subprocess.run([exe, "-m", "0", str(books["trpl-docpipe"].outputs["docx"])], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and "Errors: 0" in r.stdout, r.stdout[-1500:]


# --------------------------------------------------------------------------- the edition's ISBN


def test_the_editions_isbn_is_on_the_copyright_page(tmp_path: Path) -> None:
    built = _build("trpl-docpipe", tmp_path, isbn="9780306406157")
    texts = {
        "epub": "".join("".join(r.itertext()) for _, r in _epub_pages(built.outputs["epub"])),
        "docx": "".join(etree.fromstring(zipfile.ZipFile(built.outputs["docx"]).read("word/document.xml"))
                        .itertext()),
        "tei": "".join(etree.parse(str(built.outputs["tei"])).getroot().find(f"{TEI}text").itertext()),
        "html": "".join(html.parse(str(built.outputs["html"])).getroot().itertext()),
    }
    for fmt, text in texts.items():
        assert "ISBN 9780306406157" in text, fmt
        assert "ISBN 978-3-16-148410-0" not in text.split("CIP")[0].replace("（CIP）", ""), fmt
    # TEI: the edition's identifier as TEI's idno, on the copyright page and in the header, never a seg
    root = etree.parse(str(built.outputs["tei"])).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    assert root.xpath("//t:div[@type='copyright-page']/t:p/t:idno[@type='ISBN']/text()", namespaces=ns) == \
        ["9780306406157"]
    assert root.xpath("//t:publicationStmt/t:idno[@type='ISBN']/text()", namespaces=ns) == ["9780306406157"]
    assert not root.xpath("//t:seg[@rend='isbn']", namespaces=ns)
    from .tei_validate import jing
    require_tool("jing")
    assert jing([built.outputs["tei"]]) == {}


def test_tei_isbn_of_the_book_file_is_an_idno(books: dict[str, Book]) -> None:
    root = etree.parse(str(books["trpl-docpipe"].outputs["tei"])).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    (p,) = root.xpath("//t:div[@type='copyright-page']/t:p[t:idno]", namespaces=ns)
    assert "".join(p.itertext()) == "ISBN 978-3-16-148410-0"
    assert p.xpath("t:idno[@type='ISBN']/text()", namespaces=ns) == ["978-3-16-148410-0"]
    assert root.xpath("//t:publicationStmt/t:idno[@type='ISBN']/text()", namespaces=ns) == ["978-3-16-148410-0"]
    assert not root.xpath("//t:seg[@rend='isbn']", namespaces=ns)


# --------------------------------------------------------------------------- numbering across the book


def _numbered_book() -> tuple[BookPlan, dict[str, ir.Document]]:
    def chapter(title: str, n: int) -> ir.Document:
        paras = tuple(ir.Para(children=(ir.Text(text=f"{title} paragraph {i}."),), number=str(i), id=f"para-{i}")
                      for i in range(1, n + 1))
        return ir.Document(metadata=ir.Metadata(), blocks=(ir.Heading(level=1, children=(ir.Text(text=title),)),
                                                           *paras))
    plan = BookPlan(root=Path("."), source="docpipe", title="Numbers", language="en", entries=(
        Entry(kind="front", path="pre.md"), Entry(path="a.md"), Entry(path="b.md"),
        Entry(kind="appendix", path="z.md")))
    return plan, {"pre.md": chapter("Preface", 2), "a.md": chapter("One", 3), "b.md": chapter("Two", 14),
                  "z.md": chapter("Data", 2)}


def test_chapter_numbering_is_the_same_in_every_format() -> None:
    plan, docs = _numbered_book()
    diag = Diagnostics()
    doc = pipeline.transform(assemble(plan, docs, diag, numbering="chapter"), Options(source_date_epoch=0), diag)
    expected = ["1", "2", "1.1", "1.2", "1.3", *[f"2.{i}" for i in range(1, 15)], "A.1", "A.2"]
    assert [b.number for b in doc.blocks if isinstance(b, ir.Para)] == expected
    opts = Options(source_date_epoch=0)
    shown: dict[str, list[str]] = {}
    epub = pipeline.write(doc, "epub", opts, diag)
    with zipfile.ZipFile(__import__("io").BytesIO(epub)) as z:
        shown["epub"] = [n for name in sorted(z.namelist()) if name.startswith("EPUB/text/chapter-")
                         for n in etree.fromstring(z.read(name)).xpath(
                             "//*[local-name()='span'][@class='para-num']/text()")]
    shown["html"] = html.fromstring(pipeline.write(doc, "html", opts, diag)).xpath("//span[@class='para-num']/text()")
    with zipfile.ZipFile(__import__("io").BytesIO(pipeline.write(doc, "docx", opts, diag))) as z:
        word = etree.fromstring(z.read("word/document.xml"))
    shown["docx"] = [p.findtext(f".//{W}t") for p in word.iter(f"{W}p")
                     if (s := p.find(f"{W}pPr/{W}pStyle")) is not None and s.get(f"{W}val") == "NumberedParagraph"]
    tei = etree.fromstring(pipeline.write(doc, "tei", opts, diag))
    shown["tei"] = [p.get("n") + "." for p in tei.find(f"{TEI}text").iter(f"{TEI}p") if p.get("n")]
    for fmt, labels in shown.items():
        assert labels == [f"{n}." for n in expected], fmt
    # and the anchors are the same in every format
    assert "para-2.14" in {p.get("{http://www.w3.org/XML/1998/namespace}id") for p in tei.iter(f"{TEI}p")}


def test_footnotes_per_chapter_or_through_the_book_in_epub() -> None:
    def chapter(title: str) -> ir.Document:
        return ir.Document(metadata=ir.Metadata(), blocks=(
            ir.Heading(level=1, children=(ir.Text(text=title),)),
            ir.Para(children=(ir.Text(text="Text"), ir.NoteRef(note_id="fn-1", marker="1"), ir.Text(text=" and"),
                              ir.Emph(children=(ir.NoteRef(note_id="fn-2", marker="2"),)),
                              ir.NoteRef(note_id="fn-3", marker="*"))),),
            notes=tuple(ir.Note(id=f"fn-{i}", marker=m, blocks=(ir.Para(children=(ir.Text(text=f"{title} {m}"),)),))
                        for i, m in ((1, "1"), (2, "2"), (3, "*"))))
    plan = BookPlan(root=Path("."), title="Notes", language="en",
                    entries=(Entry(path="a.md"), Entry(path="b.md")))
    diag = Diagnostics()
    doc = assemble(plan, {"a.md": chapter("One"), "b.md": chapter("Two")}, diag)

    def markers(**opts: Any) -> list[list[str]]:
        data = pipeline.write(doc, "epub", Options(source_date_epoch=0, **opts), diag)
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
            return [etree.fromstring(z.read(n)).xpath("//*[local-name()='a'][contains(@class, 'noteref')]//text()")
                    for n in sorted(z.namelist()) if n.startswith("EPUB/text/chapter-")]

    assert markers() == [["1", "2", "*"], ["1", "2", "*"]]
    assert markers(note_numbering="book") == [["1", "2", "*"], ["3", "4", "*"]]
    assert pipeline.write(doc, "tei", Options(source_date_epoch=0, note_numbering="book"), diag).count(b'n="3"') == 0
