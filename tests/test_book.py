"""Books: book files (mdBook, MkDocs, Quarto, docpipe.toml) into plans, chapters assembled into one document, and
three real books (tests/fixtures/books/) written as EPUB, DOCX, TEI and HTML — every chapter present and in order,
every picture, every link between chapters resolved, the validators silent."""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html

import pipeline
from pipeline import Diagnostics, Options, ir
from pipeline.book import (
    assemble,
    describe_plan,
    find_book_root,
    is_book_file,
    load_plan,
    read_book,
    read_chapter,
    slugs,
)
from pipeline.book.assembly import BOOK_LINK
from pipeline.book.plan import BookPlan, Entry
from pipeline.walk import iter_blocks, iter_inlines_all, plain

from .conftest import SCHEMAS, require, require_tool

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "books"
#: name -> (book file, the chapter files in reading order)
BOOKS: dict[str, tuple[str, list[str]]] = {
    "oi-wiki-graph": ("mkdocs.yml", ["graph/concept.md", "graph/save.md", "graph/dfs.md", "graph/bfs.md",
                                     "graph/shortest-path.md", "graph/bi-graph.md"]),
    "trpl-zh-cn": ("src/SUMMARY.md", ["foreword.md", "ch03-00-common-programming-concepts.md",
                                      "ch03-02-data-types.md", "ch04-00-understanding-ownership.md",
                                      "ch04-01-what-is-ownership.md", "ch04-02-references-and-borrowing.md",
                                      "ch04-03-slices.md"]),
    "ropensci-dev-guide": ("_quarto.yml", ["index.Rmd", "preface.Rmd", "softwarereview_intro.Rmd",
                                           "softwarereview_policies.Rmd", "softwarereview_author.Rmd",
                                           "softwarereview_editor.Rmd", "bot_cheatsheet.Rmd"]),
}
SUFFIX = {"epub": ".epub", "docx": ".docx", "tei": ".tei.xml", "html": ".html"}


# --------------------------------------------------------------------------- the real books


@dataclass
class Built:
    """One fixture book: what its chapters hold read one by one, and the outputs of the assembled book."""

    plan: BookPlan
    snippets: list[str] = field(default_factory=list)
    pictures: int = 0
    chapter_links: Counter[str] = field(default_factory=Counter)
    outputs: dict[str, Path] = field(default_factory=dict)
    diag: Diagnostics = field(default_factory=Diagnostics)
    document: ir.Document | None = None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _chapter_alone(path: Path) -> ir.Document:
    """A chapter read and transformed on its own, with the public API."""
    fmt = "markdown" if path.suffix.lower() in (".rmd", ".qmd") else None
    opts = Options(source_date_epoch=0, input_format=fmt)
    return pipeline.transform(pipeline.read(path, opts, Diagnostics()), opts, Diagnostics())


def _source_chapter_links(plan: BookPlan, rel: str) -> Counter[str]:
    """The texts of the links of chapter ``rel`` that lead to another chapter of the book, counted in the source
    (a relative link to a chapter's file, mdBook's ``.html`` name of it, or a bookdown ``#id`` of another
    chapter's heading)."""
    stems = {posixpath.splitext(f)[0]: f for f in plan.files()}
    doc, _ = read_chapter(plan.root / rel, Options(), Diagnostics())
    ids_elsewhere = set()
    for other in plan.files():
        if other != rel:
            ids_elsewhere |= set(re.findall(r"\{#([\w-]+)", (plan.root / other).read_text(encoding="utf-8")))
    found: Counter[str] = Counter()
    for n in iter_inlines_all(doc):
        target = None
        if not isinstance(n, ir.Span | ir.Link):
            continue
        if isinstance(n, ir.Span) and BOOK_LINK in n.classes:
            href = dict(n.attrs)["href"]
            path = unquote(urlsplit(href).path)
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
            target = stems.get(posixpath.splitext(joined)[0])
        elif isinstance(n, ir.Link) and n.target.startswith("#") and n.target[1:] in ids_elsewhere:
            target = n.target
        if target is not None:
            found[_squash(plain(n.children))] += 1
    return found


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    out: dict[str, Built] = {}
    for name, (book_file, _) in BOOKS.items():
        folder = tmp_path_factory.mktemp(name)
        plan = load_plan(FIXTURES / name / book_file)
        built = Built(plan=plan)
        for rel in plan.files():
            alone = _chapter_alone(plan.root / rel)
            paras = [plain(b.children) for b in iter_blocks(alone.blocks) if isinstance(b, ir.Para)]
            first = next(p for p in paras if len(_squash(p)) >= 8)
            built.snippets.append(_squash(first)[:12])
            built.pictures += sum(1 for n in iter_inlines_all(alone) if isinstance(n, ir.Image) and n.media)
            built.chapter_links += _source_chapter_links(plan, rel)
        diag = Diagnostics()
        doc, _, root = read_book([FIXTURES / name / book_file], Options(), diag)
        opts = Options(source_date_epoch=0, resource_root=str(root), output_name="book")
        doc = pipeline.transform(doc, opts, diag)
        for fmt, suffix in SUFFIX.items():
            target = folder / f"book{suffix}"
            target.write_bytes(pipeline.write(doc, fmt, opts, diag))
            built.outputs[fmt] = target
        built.diag = diag
        built.document = doc
        out[name] = built
    return out


def _epub_pages(path: Path) -> list[tuple[str, Any]]:
    """The EPUB's content documents in spine order (name, parsed root)."""
    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_name = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(z.read(opf_name))
        base = posixpath.dirname(opf_name)
        hrefs = {i.get("id"): i.get("href") for i in opf.xpath("//*[local-name()='item']")}
        spine = [hrefs[r] for r in opf.xpath("//*[local-name()='itemref']/@idref")]
        return [(h, etree.fromstring(z.read(posixpath.join(base, h)))) for h in spine]


def _text_of(fmt: str, path: Path) -> str:
    """The output's body text in reading order, whitespace removed."""
    if fmt == "epub":
        return "".join(_squash("".join(root.itertext())) for _, root in _epub_pages(path))
    if fmt == "docx":
        with zipfile.ZipFile(path) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        return _squash("".join(root.xpath("//*[local-name()='t']/text()")))
    if fmt == "tei":
        root = etree.parse(str(path)).getroot()
        return _squash("".join(root.xpath("//*[local-name()='text']")[0].itertext()))
    body = html.parse(str(path)).getroot().body
    assert body is not None
    return _squash("".join(body.itertext()))


def _internal_links(fmt: str, path: Path) -> tuple[Counter[str], list[str]]:
    """The texts of the output's links inside the document, and the targets among them that name nothing."""
    texts: Counter[str] = Counter()
    dangling: list[str] = []
    if fmt == "epub":
        pages = _epub_pages(path)
        page_ids = {name: set(root.xpath("//@id")) for name, root in pages}
        for name, root in pages:
            for a in root.xpath("//*[local-name()='a'][@href]"):
                href = a.get("href")
                if urlsplit(href).scheme:
                    continue
                file, _, frag = href.partition("#")
                where = posixpath.normpath(posixpath.join(posixpath.dirname(name), file)) if file else name
                if where not in page_ids or (frag and frag not in page_ids[where]):
                    dangling.append(href)
                texts[_squash("".join(a.itertext()))] += 1
    elif fmt == "docx":
        with zipfile.ZipFile(path) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        marks = set(root.xpath("//*[local-name()='bookmarkStart']/@*[local-name()='name']"))
        for h in root.iter(f"{w}hyperlink"):
            anchor = h.get(f"{w}anchor")
            if anchor is None:
                continue
            if anchor not in marks:
                dangling.append(anchor)
            texts[_squash("".join(h.xpath(".//*[local-name()='t']/text()")))] += 1
    elif fmt == "tei":
        root = etree.parse(str(path)).getroot()
        ids = set(root.xpath("//@*[local-name()='id']"))
        for r in root.xpath("//*[local-name()='text']//*[local-name()='ref'][starts-with(@target, '#')]"):
            if r.get("target")[1:] not in ids:
                dangling.append(r.get("target"))
            texts[_squash("".join(r.itertext()))] += 1
    else:
        root = html.parse(str(path)).getroot()
        ids = set(root.xpath("//@id"))
        for a in root.xpath("//a[starts-with(@href, '#')]"):
            if a.get("href")[1:] not in ids:
                dangling.append(a.get("href"))
            texts[_squash("".join(a.itertext()))] += 1
    return texts, dangling


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_the_book_file_lists_the_chapters_in_order(name: str) -> None:
    book_file, chapters = BOOKS[name]
    assert is_book_file(FIXTURES / name / book_file)
    assert load_plan(FIXTURES / name / book_file).files() == chapters


@pytest.mark.parametrize("name", sorted(BOOKS))
@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_every_chapter_is_present_and_in_order(books: dict[str, Built], name: str, fmt: str) -> None:
    built = books[name]
    text = _text_of(fmt, built.outputs[fmt])
    at = -1
    for rel, snippet in zip(built.plan.files(), built.snippets, strict=True):
        found = text.find(snippet, at + 1)
        assert found > at, (rel, snippet)
        at = found


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_pictures_are_the_sum_of_the_chapters_pictures(books: dict[str, Built], name: str) -> None:
    from .test_real_documents import epub_counts, html_counts, tei_counts
    built = books[name]
    assert built.pictures > 0
    with zipfile.ZipFile(built.outputs["docx"]) as z:
        word = etree.fromstring(z.read("word/document.xml"))
    found = {
        "epub": epub_counts(built.outputs["epub"])["images"],
        "docx": len(word.xpath("//*[local-name()='pic' and namespace-uri()="
                               "'http://schemas.openxmlformats.org/drawingml/2006/picture']")),
        "tei": tei_counts(built.outputs["tei"])["images"],
        "html": html_counts(html.parse(str(built.outputs["html"])).getroot())["images"],
    }
    assert found == dict.fromkeys(found, built.pictures)


@pytest.mark.parametrize("name", sorted(BOOKS))
@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_links_between_chapters_are_resolved_and_none_dangles(books: dict[str, Built], name: str,
                                                              fmt: str) -> None:
    built = books[name]
    assert sum(built.chapter_links.values()) > 0
    texts, dangling = _internal_links(fmt, built.outputs[fmt])
    assert not dangling
    missing = built.chapter_links - texts
    assert not missing, missing


def test_the_links_between_chapters_are_counted_as_the_source_has_them(books: dict[str, Built]) -> None:
    """The book step counts the links it resolved: at least every link to another chapter of the source."""
    for name, built in books.items():
        assert built.document is not None
        step = next(s for s in built.document.steps if s.name == "book")
        counts = dict(step.counts)
        assert counts["chapters"] == len(BOOKS[name][1])
        assert counts["links-resolved"] >= sum(built.chapter_links.values()), name


def test_links_out_of_the_book_become_text_with_a_reason(books: dict[str, Built]) -> None:
    diag = books["oi-wiki-graph"].diag
    outside = [d for d in diag.items if d.code == "link-outside-book"]
    assert len(outside) == 1 and "name no chapter of the book" in outside[0].message
    assert "../math/combinatorics/drawer-principle.md (in graph/concept.md)" in outside[0].message
    assert not [d for d in diag.items if "scheme" in d.message]


def test_epubcheck_reports_nothing(books: dict[str, Built]) -> None:
    from .epubcheck_run import epubcheck
    bad = {}
    for name, built in books.items():
        r = epubcheck(built.outputs["epub"], "-q")
        problems = [ln for ln in r.stdout.splitlines() if re.match(r"(ERROR|FATAL|WARNING)", ln)]
        if problems or r.returncode:
            bad[name] = problems[:3]
    assert not bad


def test_jing_reports_nothing(books: dict[str, Built]) -> None:
    jing = require_tool("jing")
    files = [str(b.outputs["tei"]) for b in books.values()]
    r = subprocess.run([jing, str(SCHEMAS / "tei_all.rng"), *files], capture_output=True, text=True, timeout=600)
    errors = [ln for ln in r.stdout.splitlines() if " error: " in ln]
    assert not errors, errors[:5]


def test_openxml_audit_reports_nothing(books: dict[str, Built]) -> None:
    exe = shutil.which("openxml-audit") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    for name, built in books.items():
        r = subprocess.run([exe, "-m", "0", str(built.outputs["docx"])], capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0 and "Errors: 0" in r.stdout, (name, r.stdout[-1500:])


def test_parts_and_chapters_are_headings_in_the_books_order(books: dict[str, Built]) -> None:
    doc = books["trpl-zh-cn"].document
    assert doc is not None
    heads = [(b.level, _squash(plain(b.children))) for b in doc.blocks if isinstance(b, ir.Heading) and b.level <= 3]
    assert heads[:4] == [(1, "前言"), (1, "入门指南"), (2, "常见编程概念"), (3, "数据类型")]
    assert (2, "认识所有权") in heads and (3, "Slice类型") in heads
    assert _squash(doc.metadata.title or "") == "Rust程序设计语言简体中文版"
    oi = books["oi-wiki-graph"].document
    assert oi is not None
    top = [(b.level, plain(b.children)) for b in oi.blocks if isinstance(b, ir.Heading) and b.level <= 2]
    assert top[0] == (1, "图论") and (2, "最短路问题") in top and (2, "DFS（图论）") in top


# --------------------------------------------------------------------------- book files


def test_mdbook_summary(tmp_path: Path) -> None:
    (tmp_path / "book.toml").write_text('[book]\ntitle = "T"\nauthors = ["A", "B"]\nlanguage = "zh-CN"\n')
    src = tmp_path / "src"
    src.mkdir()
    (src / "SUMMARY.md").write_text(
        "# Summary\n\n[Intro](intro.md)\n\n# Part One\n\n- [One](one.md)\n  - [One A](one/a.md)\n"
        "  - [Draft]()\n- [Two](<two words.md>)\n\n---\n\n# Part Two\n\n- [Three](three.md)\n\n"
        "<!-- - [Hidden](hidden.md) -->\n[Afterword](after.md)\n", encoding="utf-8")
    diag = Diagnostics()
    plan = load_plan(src / "SUMMARY.md", diag)
    assert (plan.title, plan.authors, plan.language) == ("T", ("A", "B"), "zh-CN")
    assert list(describe_plan(plan)) == [
        "front 'Intro' intro.md", "part 'Part One'", "  chapter 'One' one.md", "    chapter 'One A' one/a.md",
        "  chapter 'Two' two words.md", "part 'Part Two'", "  chapter 'Three' three.md", "back 'Afterword' after.md"]
    assert any("Draft" in d.message for d in diag.items)
    assert plan.resources == tmp_path


def test_mkdocs_tags_are_tolerated_never_run(tmp_path: Path) -> None:
    witness = tmp_path / "ran"
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: S\nsite_author: Me\ntheme:\n  language: zh\n"
        "markdown_extensions:\n  - toc:\n      slugify: !!python/name:pymdownx.slugs.uslugify\n"
        f"  - evil: !!python/object/apply:os.system ['touch {witness}']\n"
        "  - env: !ENV [HOME, x]\n"
        "nav:\n  - Home: index.md\n  - Section:\n    - sec/index.md\n    - Page: sec/page.md\n"
        "    - Deeper:\n      - sec/deep.md\n  - Out: https://example.org/\n", encoding="utf-8")
    plan = load_plan(tmp_path / "mkdocs.yml")
    assert not witness.exists()
    assert (plan.title, plan.authors, plan.language, plan.root) == ("S", ("Me",), "zh", tmp_path / "docs")
    assert list(describe_plan(plan)) == [
        "chapter 'Home' index.md", "part 'Section' sec/index.md", "  chapter 'Page' sec/page.md",
        "  part 'Deeper'", "    chapter sec/deep.md"]


def test_quarto_parts_and_appendices(tmp_path: Path) -> None:
    (tmp_path / "p1.qmd").write_text("# Part one\n")
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nlang: zh-Hant\nbook:\n  title: Q\n  author:\n    - name: X\n    - Y\n"
        "  chapters:\n    - index.qmd\n    - part: p1.qmd\n      chapters: [a.qmd, b.qmd]\n"
        "    - part: Titled part\n      chapters: [c.qmd]\n  appendices:\n    - z.qmd\n", encoding="utf-8")
    plan = load_plan(tmp_path / "_quarto.yml")
    assert (plan.title, plan.authors, plan.language) == ("Q", ("X", "Y"), "zh-Hant")
    assert list(describe_plan(plan)) == [
        "front index.qmd", "part p1.qmd", "  chapter a.qmd", "  chapter b.qmd", "part 'Titled part'",
        "  chapter c.qmd", "appendix z.qmd"]


def test_docpipe_toml_book(tmp_path: Path) -> None:
    (tmp_path / "docpipe.toml").write_text(
        '[book]\ntitle = "B"\nauthors = ["A"]\nnumbering = "chapter"\nisbn = "978-3-16-148410-0"\n'
        'front = ["preface.md"]\nchapters = ["one.md"]\nappendices = [{file = "app.md", title = "Tables"}]\n'
        'back = ["colophon.md"]\n\n[[book.parts]]\ntitle = "Part"\nchapters = ["two.md"]\n', encoding="utf-8")
    assert is_book_file(tmp_path / "docpipe.toml")
    plan = load_plan(tmp_path / "docpipe.toml")
    assert plan.numbering == "chapter" and ("isbn", "978-3-16-148410-0") in plan.extra
    assert list(describe_plan(plan)) == [
        "front preface.md", "chapter one.md", "part 'Part'", "  chapter two.md", "appendix 'Tables' app.md",
        "back colophon.md"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "docpipe.toml").write_text("[edition]\nscript = 'hant'\n")
    assert not is_book_file(tmp_path / "other" / "docpipe.toml")


@pytest.mark.parametrize("text, expected", [
    ("[book]\nchapters = ['../secret.md']\n", "outside the book's folder"),
    ("[book]\nchapters = ['/etc/passwd']\n", "not a file inside the book"),
    ("[book]\nnumbering = 'page'\n", "numbering"),
    ("[book\n", "not valid TOML"),
])
def test_a_bad_book_file_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "docpipe.toml").write_text(text)
    with pytest.raises(pipeline.DocpipeError) as err:
        load_plan(tmp_path / "docpipe.toml")
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_find_book_root(tmp_path: Path) -> None:
    (tmp_path / "book" / "ch" / "img").mkdir(parents=True)
    (tmp_path / "book" / "mkdocs.yml").write_text("nav: []\n")
    chapter = tmp_path / "book" / "ch" / "one.md"
    chapter.write_text("# One\n")
    assert find_book_root(chapter) == tmp_path / "book"
    assert find_book_root(tmp_path / "alone.md") is None or find_book_root(tmp_path / "alone.md") != tmp_path


# --------------------------------------------------------------------------- assembly


def _para(*inl: ir.Inline, number: str | None = None) -> ir.Para:
    return ir.Para(children=inl, number=number)


def _text(s: str) -> ir.Text:
    return ir.Text(text=s)


def _chapter(title: str, *blocks: ir.Block, notes: tuple[ir.Note, ...] = ()) -> ir.Document:
    return ir.Document(metadata=ir.Metadata(title=title), blocks=blocks, notes=notes)


def _link(target: str, text: str = "see") -> ir.Span:
    return ir.Span(children=(_text(text),), classes=(BOOK_LINK,), attrs=(("href", target),))


def _plan(*paths: str, numbering: str = "book") -> BookPlan:
    return BookPlan(root=Path("/book"), entries=tuple(Entry(path=p) for p in paths),
                    numbering="chapter" if numbering == "chapter" else "book")


def test_ids_clash_get_a_chapter_prefix_and_links_follow() -> None:
    note = ir.Note(id="fn-1", marker="1", blocks=(_para(_text("n")),))
    a = _chapter("A", ir.Heading(level=1, children=(_text("Intro"),), id="intro"),
                 _para(_text("x"), ir.NoteRef(note_id="fn-1", marker="1")), notes=(note,))
    b = _chapter("B", ir.Heading(level=1, children=(_text("Intro"),), id="intro"),
                 _para(ir.Link(children=(_text("here"),), target="#intro"), ir.NoteRef(note_id="fn-1", marker="1")),
                 notes=(note,))
    doc = assemble(_plan("a.md", "b.md"), {"a.md": a, "b.md": b})
    ids = [getattr(x, "id", None) for x in iter_blocks(doc.blocks) if getattr(x, "id", None)]
    assert len(ids) == len(set(ids))
    assert [n.id for n in doc.notes] == ["fn-1", "c2-fn-1"] and [n.marker for n in doc.notes] == ["1", "1"]
    refs = [n.note_id for n in iter_inlines_all(doc) if isinstance(n, ir.NoteRef)]
    assert refs == ["fn-1", "c2-fn-1"]
    links = [n.target for n in iter_inlines_all(doc) if isinstance(n, ir.Link)]
    assert links == ["#c2-intro"]


def test_links_between_chapters_resolve_every_way_books_write_them() -> None:
    target = _chapter("Target", ir.Heading(level=1, children=(_text("Kruskal 算法"),)),
                      ir.Heading(level=1, children=(ir.Span(children=(), classes=("anchor",),
                                                            attrs=(("id", "own-id"),)), _text("双端队列 BFS"))))
    src = _chapter("Source", _para(_link("../dir/target.md"), _link("../dir/target.html#kruskal-算法"),
                                   _link("../dir/target.md#双端队列-bfs"), _link("../dir/target.md#own-id"),
                                   _link("../dir/target.md#nowhere"), _link("../../outside.md", "gone"),
                                   _link("../dir/", "index")))
    index = _chapter("Index", _para(_text("i")))
    diag = Diagnostics()
    doc = assemble(_plan("a/src.md", "dir/target.md", "dir/index.md"),
                   {"a/src.md": src, "dir/target.md": target, "dir/index.md": index}, diag)
    heads = {plain(h.children): h.id or next(dict(n.attrs)["id"] for n in h.children if isinstance(n, ir.Span))
             for h in iter_blocks(doc.blocks) if isinstance(h, ir.Heading)}
    links = [n.target for n in iter_inlines_all(doc) if isinstance(n, ir.Link)]
    assert links == ["#" + heads["Target"], "#" + heads["Kruskal 算法"], "#own-id", "#own-id", "#" + heads["Target"],
                     "#" + heads["Index"]]
    assert "gone" in plain(doc.blocks[1].children)  # type: ignore[union-attr]
    codes = Counter(d.code for d in diag.items)
    assert codes["link-outside-book"] == 1 and codes["link-unresolved"] == 1
    assert "../../outside.md" in next(d.message for d in diag.items if d.code == "link-outside-book")


@pytest.mark.parametrize("numbering, expected", [("book", ["1", "2", "3"]), ("chapter", ["1.1", "1.2", "2.1"])])
def test_numbered_paragraphs_across_the_book(numbering: str, expected: list[str]) -> None:
    a = _chapter("A", _para(_text("x"), number="1"), _para(_text("y"), number="2"))
    b = _chapter("B", _para(ir.Link(children=(_text("p1"),), target="#para-1")), _para(_text("z"), number="1"))
    doc = assemble(_plan("a.md", "b.md", numbering=numbering), {"a.md": a, "b.md": b})
    paras = [p for p in iter_blocks(doc.blocks) if isinstance(p, ir.Para) and p.number]
    assert [p.number for p in paras] == expected
    assert [p.id for p in paras] == [f"para-{n}" for n in expected]
    link = next(n for n in iter_inlines_all(doc) if isinstance(n, ir.Link))
    assert link.target == f"#para-{expected[2]}"  # chapter B's own paragraph 1


def test_chapter_headings_go_under_their_part_and_levels_shift() -> None:
    plan = BookPlan(root=Path("/b"), entries=(
        Entry(kind="part", title="P", children=(Entry(path="a.md", title="Nav A"),)),
        Entry(kind="appendix", path="z.md")))
    a = ir.Document(metadata=ir.Metadata(), blocks=(_para(_text("x")), ir.Heading(level=2, children=(_text("S1"),)),
                                                    ir.Heading(level=2, children=(_text("S2"),))))
    z = ir.Document(metadata=ir.Metadata(), blocks=(ir.Heading(level=1, children=(_text("Tables"),)),
                                                    ir.Heading(level=2, children=(_text("T1"),))))
    doc = assemble(plan, {"a.md": a, "z.md": z})
    heads = [(h.level, h.label, plain(h.children)) for h in iter_blocks(doc.blocks) if isinstance(h, ir.Heading)]
    assert heads == [(1, None, "P"), (2, None, "Nav A"), (3, None, "S1"), (3, None, "S2"), (1, "A", "Tables"),
                     (2, None, "T1")]


def test_media_are_merged_once() -> None:
    m = ir.Media(name="ab.png", media_type="image/png", data=b"x", sha256="ab")
    img = ir.Image(media="ab.png")
    a = ir.Document(metadata=ir.Metadata(title="A"), blocks=(_para(img),), media=(m,))
    b = ir.Document(metadata=ir.Metadata(title="B"), blocks=(_para(img),), media=(m,))
    doc = assemble(_plan("a.md", "b.md"), {"a.md": a, "b.md": b})
    assert doc.media == (m,)
    assert sum(isinstance(n, ir.Image) for n in iter_inlines_all(doc)) == 2


@pytest.mark.parametrize("fn, text, slug", [
    (slugs.pymdownx_uslugify, "Kruskal 算法", "kruskal-算法"),
    (slugs.pymdownx_uslugify, "双端队列 BFS", "双端队列-bfs"),
    (slugs.mdbook, "使用字符串储存 UTF-8 编码的文本", "使用字符串储存-utf-8-编码的文本"),
    (slugs.toc_default, "Hello, World!", "hello-world"),
    (slugs.pandoc, "1. Über uns", "über-uns"),
    (slugs.github, "What is `x`?", "what-is-x"),
])
def test_slugs(fn: Any, text: str, slug: str) -> None:
    assert fn(text) == slug


def test_repeated_headings_are_numbered_as_each_tool_does() -> None:
    names = slugs.aliases(["Usage", "Usage", "中文"])
    assert {"usage_1", "usage-1"} <= names[1] and "_1" in names[2] and "中文" in names[2]


def test_several_documents_make_one(tmp_path: Path) -> None:
    """``convert A B``: the inputs' common folder is the root, so a picture beside them (``../img``) is read."""
    for d in ("img", "a", "b"):
        (tmp_path / d).mkdir()
    shutil.copy(FIXTURES / "ropensci-dev-guide" / "images" / "status.png", tmp_path / "img" / "s.png")
    (tmp_path / "a" / "one.md").write_text("# One\n\nSee [two](../b/two.md#later).\n\n![s](../img/s.png)\n",
                                          encoding="utf-8")
    (tmp_path / "b" / "two.md").write_text("# Two\n\nText.\n\n## Later\n\nMore.\n", encoding="utf-8")
    diag = Diagnostics()
    doc, mtime, root = read_book([tmp_path / "a" / "one.md", tmp_path / "b" / "two.md"], Options(), diag)
    assert root == tmp_path and mtime is not None and len(doc.media) == 1
    later = next(h for h in iter_blocks(doc.blocks) if isinstance(h, ir.Heading) and plain(h.children) == "Later")
    anchor = later.id or next(dict(n.attrs)["id"] for n in later.children if isinstance(n, ir.Span))
    assert [n.target for n in iter_inlines_all(doc) if isinstance(n, ir.Link)] == ["#" + anchor]
    assert not [d for d in diag.items if d.code.startswith("media")]
    assert [plain(h.children) for h in doc.blocks if isinstance(h, ir.Heading)] == ["One", "Two", "Later"]


def test_links_to_the_books_own_site_are_links_within() -> None:
    target = _chapter("Target", ir.Heading(level=1, children=(_text("DFS 树"),)))
    src = _chapter("Source", _para(ir.Link(children=(_text("a"),), target="https://oi-wiki.org/graph/dfs/#dfs-树"),
                                   ir.Link(children=(_text("b"),), target="https://oi-wiki.org/other/page/"),
                                   ir.Link(children=(_text("c"),), target="https://example.org/graph/dfs/")))
    plan = BookPlan(root=Path("/b"), site_url="https://oi-wiki.org/",
                    entries=(Entry(path="graph/src.md"), Entry(path="graph/dfs.md")))
    doc = assemble(plan, {"graph/src.md": src, "graph/dfs.md": target})
    heading = next(h for h in iter_blocks(doc.blocks) if isinstance(h, ir.Heading) and plain(h.children) == "DFS 树")
    links = [n.target for n in iter_inlines_all(doc) if isinstance(n, ir.Link)]
    assert links == [f"#{heading.id or dict(heading.children[0].attrs)['id']}",  # type: ignore[union-attr]
                     "https://oi-wiki.org/other/page/", "https://example.org/graph/dfs/"]
