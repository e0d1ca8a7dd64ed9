"""Markdown as people write it (tests/fixtures/markdown): containers become boxes, raw HTML becomes structure."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import block_text, iter_blocks, plain
from tests.conftest import need

need("pypandoc")
MD = Path(__file__).parent / "fixtures" / "markdown"
FIXTURES = sorted(p.name for p in MD.glob("*.md") if p.name != "PROVENANCE.md")
#: Container openers of the dialects, outside code fences: ::: (VuePress, Docusaurus, pandoc), !!!/??? (MkDocs),
#: === "tab" (pymdownx.tabbed), HTML <details>
OPENER = re.compile(r'^\s*(?::{3,}\s*[A-Za-z{]|(?:!!!|\?\?\?\+?)\s+\w|===\+?\s+"|<details\b)')
TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")


def openers(text: str) -> int:
    """How many containers the source opens outside code fences (counted independently of the reader)."""
    n, fence = 0, None
    for line in text.split("\n"):
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if m and (fence is None or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = None if fence else m.group(1)
            continue
        if fence is None and OPENER.match(line):
            n += 1
    return n


def visible_text(path: Path) -> str:
    """The text a reader sees in our HTML, code excluded (code may show markup on purpose)."""
    root = html.parse(str(path)).getroot()
    for el in root.xpath("//pre|//code"):
        el.drop_tree()
    return str(root.text_content())


@pytest.mark.parametrize("name", FIXTURES)
def test_every_container_is_a_box_and_no_markup_leaks(name: str, tmp_path: Path) -> None:
    source = (MD / name).read_text(encoding="utf-8")
    doc = pipeline.transform(pipeline.read(MD / name))
    boxes = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)]
    assert len(boxes) == openers(source)
    assert all(plain(b.title) or "\"\"" in source for b in boxes)  # titled (MkDocs' "" asks for none)
    out = pipeline.convert(MD / name, ["html", "epub", "docx", "tei"], tmp_path, Options(source_date_epoch=0))
    text = visible_text(out.outputs["html"])
    assert not TAG.findall(text), TAG.findall(text)[:5]
    for mark in (":::", "：：：", "!!!", "？？？", "???"):
        assert mark not in text, mark
    from tests.test_structure_word import assert_links_resolve
    assert_links_resolve(out.outputs["epub"], out.outputs["docx"])


def test_the_declaration_in_html_reads_as_paragraphs() -> None:
    source = (MD / "udhr-zh-html.md").read_text(encoding="utf-8")
    doc = pipeline.read(MD / "udhr-zh-html.md")
    text = block_text(doc.blocks)
    assert not TAG.findall(text)
    articles = re.findall(r"<p>(第[一二三四五六七八九十]+条)</p>", source)
    paras = [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para)]
    assert len(articles) == 30 and [p for p in paras if p in articles] == articles
    assert len(paras) >= source.count("<p>") - 2  # one paragraph per <p> (two hold only a tab and a number)
    assert any(isinstance(b, ir.Div) and "rule" in b.classes for b in iter_blocks(doc.blocks))  # the <hr>


def test_raw_html_elements_map_to_the_ir(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(_png())
    src = tmp_path / "raw.md"
    src.write_text(
        "# 標題\n\n<!-- 編者註：不要印出 -->\n\n<p align=\"center\"><img src=\"logo.png\" alt=\"標誌\"></p>\n\n"
        "<h2 id=\"art1\">第一節</h2>\n\n<ol start=\"3\" type=\"a\">\n<li>甲 <b>粗</b></li>\n<li>乙</li>\n</ol>\n\n"
        "<table>\n<tr><th>甲</th><th>乙</th></tr>\n<tr><td colspan=\"2\">合併</td></tr>\n</table>\n\n"
        "<details>\n<summary>展開</summary>\n\n隱藏的 **內容**。\n\n</details>\n\n"
        "文字<sup>上標</sup>與<a name=\"x1\"></a>錨點，見<a href=\"#art1\">第一節</a>，"
        "<img src=\"../outside.png\"><script>alert(1)</script>\n\n[回到錨點](#x1)\n",
        encoding="utf-8")
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(src, diag=diag), diag=diag)
    codes = {d.code for d in diag.items}
    assert {"html-comment-dropped", "raw-html-parsed"} <= codes
    assert "編者註" not in block_text(doc.blocks)
    figure = next(b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Figure))
    assert figure.images[0].media and doc.media and plain(figure.images[0].alt) == "標誌"
    heading = next(b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading))
    assert heading.id == "art1" and plain(heading.children) == "第一節" and doc.metadata.title == "標題"
    lst = next(b for b in iter_blocks(doc.blocks) if isinstance(b, ir.ListBlock))
    assert lst.ordered and lst.start == 3 and [i.label for i in lst.items] == ["c.", "d."]
    table = next(b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Table))
    assert table.head_rows == 1 and table.rows[1][0].colspan == 2
    box = next(b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box))
    assert plain(box.title) == "展開" and "內容" in block_text(box.blocks)
    last = [b for b in doc.blocks if isinstance(b, ir.Para)]
    links = {n.target: plain(n.children) for b in last for n in b.children if isinstance(n, ir.Link)}
    anchored = [b for b in last if b.id == "x1"]
    assert links.get("#art1") == "第一節" and links.get("#x1") == "回到錨點" and anchored  # the anchor is its block
    assert "alert" not in block_text(doc.blocks)
    assert len(doc.media) == 1  # ../outside.png is outside the document's folder: refused
    assert any(d.code in ("media-refused", "media-missing") and "outside" in d.message for d in diag.items)


def test_links_follow_renamed_ids_and_never_nest(tmp_path: Path) -> None:
    anchor = ir.Span(children=(), classes=("anchor",), attrs=(("id", "_Toc123"),))
    doc = ir.Document(metadata=ir.Metadata(title="連結", language="zh-Hant"), blocks=(
        ir.Para(children=(ir.Link(target="#_Toc123", children=(ir.Text(text="目錄項"),)),
                          ir.Link(target="#nowhere", children=(ir.Text(text="斷鏈"),)),
                          ir.Link(target="https://example.org/", children=(
                              ir.Text(text="外"), ir.Link(target="#_Toc123", children=(ir.Text(text="內"),)))))),
        ir.Heading(level=1, children=(anchor, ir.Text(text="第一章"))),
        ir.Para(children=(ir.Text(text="正文"), ir.NoteRef(note_id="fn-1", marker="1"))),
    ), notes=(ir.Note(id="fn-1", marker="1", blocks=(ir.Para(children=(
        ir.Link(target="https://example.org/note", children=(ir.Strong(children=(ir.Text(text="註連結"),)),)),
        ir.Link(target="#_Toc123", children=(ir.Text(text="回章"),)))),)),))
    diag = Diagnostics()
    out = pipeline.transform(doc, diag=diag)
    heading = next(b for b in out.blocks if isinstance(b, ir.Heading))
    assert heading.id and not heading.id.startswith("_Toc")
    links = [n for b in iter_blocks(out.blocks) if isinstance(b, ir.Para) for n in b.children
             if isinstance(n, ir.Link)]
    assert links[0].target == f"#{heading.id}" and all(n.target != "#nowhere" for n in links)
    outer = links[-1]
    assert not any(isinstance(c, ir.Link) for c in outer.children)
    assert any(d.code == "link-unresolved" for d in diag.items)
    src = tmp_path / "links.ir.json"
    src.write_bytes(pipeline.write(doc, "ir"))
    result = pipeline.convert(src, ["epub", "docx"], tmp_path, Options(source_date_epoch=0))
    from tests.test_structure_word import assert_links_resolve
    assert_links_resolve(result.outputs["epub"], result.outputs["docx"])
    with zipfile.ZipFile(result.outputs["docx"]) as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
        rels = etree.fromstring(z.read("word/_rels/footnotes.xml.rels"))
        body = etree.fromstring(z.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    external = [h.get(f"{r}id") for h in notes.iter(f"{w}hyperlink") if h.get(f"{r}id")]
    assert external and all(targets.get(i) == "https://example.org/note" for i in external)
    bold = [run for h in notes.iter(f"{w}hyperlink") for run in h.iter(f"{w}r") if run.find(f"{w}rPr/{w}b") is not None]
    assert bold  # formatting inside the note's link survives
    for root in (notes, body):
        for rpr in root.iter(f"{w}rPr"):
            tags = [c.tag for c in rpr]
            assert len(tags) == len(set(tags)), tags  # no property twice (a link underlined twice)
    assert not any(h.find(f".//{w}hyperlink") is not None for h in body.iter(f"{w}hyperlink"))


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_untitled_documents_get_no_invented_title(tmp_path: Path) -> None:
    src = tmp_path / "untitled.md"
    src.write_text("正文第一段。\n\n正文第二段。\n", encoding="utf-8")
    out = pipeline.convert(src, ["docx", "epub", "pdf", "html"], tmp_path, Options(source_date_epoch=0)).outputs
    with zipfile.ZipFile(out["docx"]) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "Untitled" not in body and 'w:val="Title"' not in body
    with zipfile.ZipFile(out["epub"]) as z:
        names = z.namelist()
        texts = "".join(z.read(n).decode("utf-8") for n in names if n.endswith(".xhtml"))
    assert not any(n.endswith("title.xhtml") for n in names) and "Untitled" not in texts
    pypdf = need("pypdf")
    first = pypdf.PdfReader(str(out["pdf"])).pages[0].extract_text() or ""
    assert "正文第一段" in re.sub(r"\s+", "", first) or "目" in first  # no blank title page before the text
    assert "Untitled" not in visible_text(out["html"])


@pytest.mark.parametrize("suffix, content, title", [
    (".md", "---\ntitle: 前置資料的標題\n---\n\n正文。\n", "前置資料的標題"),
    (".html", "<html><head><title>網頁的標題</title></head><body><p>正文。</p></body></html>", "網頁的標題"),
    (".org", "#+TITLE: Org 的標題\n\n正文。\n", "Org 的標題"),
    (".md", "# 唯一的一級標題\n\n## 第一節\n\n正文。\n", "唯一的一級標題"),
])
def test_titles_come_from_the_source(suffix: str, content: str, title: str, tmp_path: Path) -> None:
    src = tmp_path / f"t{suffix}"
    src.write_text(content, encoding="utf-8")
    doc = pipeline.read(src)
    assert doc.metadata.title == title
    assert title not in [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)]


def test_a_title_taken_from_the_only_heading_is_still_a_heading_in_the_epub(tmp_path: Path) -> None:
    """The only level-1 heading becomes the title (the other headings move up); the EPUB's title page sets it as
    an ``h1``, so the edition has as many headings as the source (pandoc reads two here) and the title page has
    the heading a reader navigates by."""
    src = tmp_path / "t.md"
    src.write_text("# 唯一的一級標題\n\n## 第一節\n\n正文。\n", encoding="utf-8")
    out = pipeline.convert(src, ["epub"], tmp_path, Options(source_date_epoch=0)).outputs
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    with zipfile.ZipFile(out["epub"]) as z:
        pages = {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml") and "nav" not in n}
    title = next(root for name, root in pages.items() if name.endswith("title.xhtml"))
    assert [("".join(h.itertext()), h.get("class")) for h in title.iterfind(".//x:h1", ns)] == \
        [("唯一的一級標題", "title")]
    headings = ["".join(h.itertext()).strip() for root in pages.values()
                for h in root.xpath(".//x:h1|.//x:h2|.//x:h3", namespaces=ns)]
    assert sorted(headings) == sorted(["唯一的一級標題", "第一節"]), headings


# --------------------------------------------------------------------------- lists are lists (issue 26)

GEN = Path(__file__).parent / "fixtures" / "generality"


def pandoc_list_items(path: Path) -> int:
    """List items pandoc itself reads in a Markdown file (independent of docpipe's reader). pandoc's CommonMark
    reader (gfm): its ``markdown`` reader takes VitePress' fences (```` ```js [app.js] ````, ```` ```js{2} ````)
    for inline code, and the text after such a block for code, as docpipe no longer does."""
    import json

    import pypandoc

    def count(node: object) -> int:
        if isinstance(node, dict):
            own = 0
            if node.get("t") == "OrderedList":
                own = len(node["c"][1])
            elif node.get("t") == "BulletList":
                own = len(node["c"])
            return own + sum(count(v) for v in node.values())
        if isinstance(node, list):
            return sum(count(v) for v in node)
        return 0

    return count(json.loads(pypandoc.convert_file(str(path), "json", format="gfm"))["blocks"])


@pytest.mark.parametrize("name", ["vue-transition.zh-CN.md", "vue-ssr.zh-CN.md"])
def test_loose_ordered_lists_are_lists_not_numbered_paragraphs(name: str) -> None:
    doc = pipeline.transform(pipeline.read(GEN / name))
    items = sum(len(b.items) for b in iter_blocks(doc.blocks) if isinstance(b, ir.ListBlock))
    assert items == pandoc_list_items(GEN / name) and items >= 23
    assert not [b.number for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number]
    ids = [b.id for b in iter_blocks(doc.blocks) if getattr(b, "id", None)]
    assert len(ids) == len(set(ids))


def test_an_ordered_list_inside_an_admonition_stays_a_list() -> None:
    """DataKit's SNMP page: ``???+ attention`` holding ``1.``–``3.`` (pandoc alone reads it as code)."""
    doc = pipeline.read(GEN / "datakit-snmp.zh-CN.md")
    box = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box) and
           any(isinstance(x, ir.ListBlock) and x.ordered for x in b.blocks)]
    assert len(box) == 1
    lst = next(x for x in box[0].blocks if isinstance(x, ir.ListBlock))
    assert len(lst.items) == 3 and "必填字段" in block_text(lst.items[1].blocks)
    assert not [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number]


@pytest.mark.parametrize("text, numbered", [
    # a report: the numbers run on across a heading and a box
    ("# 甲\n\n1. 第一段。\n\n2. 第二段。\n\n## 乙\n\n3. 第三段。\n", ["1", "2", "3"]),
    # one loose list: nothing carries it on
    ("說明：\n\n1. 第一步。\n\n2. 第二步。\n\n完。\n", []),
    # lists that restart
    ("# 甲\n\n1. 一\n\n2. 二\n\n## 乙\n\n1. 一\n\n2. 二\n", []),
    # a tight list
    ("# 甲\n\n1. 一\n2. 二\n\n## 乙\n\n3. 三\n", []),
    # items holding indented code
    ("# 甲\n\n1. 一\n\n   ```\n   x\n   ```\n\n## 乙\n\n2. 二\n", []),
])
def test_numbered_paragraphs_only_in_numbered_prose(text: str, numbered: list[str], tmp_path: Path) -> None:
    src = tmp_path / "t.md"
    src.write_text(text, encoding="utf-8")
    doc = pipeline.read(src)
    assert [b.number for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number] == numbered
    if not numbered:
        assert any(isinstance(b, ir.ListBlock) and b.ordered for b in iter_blocks(doc.blocks))


def test_a_long_pipe_tables_undrawn_delimiter_row_sets_no_widths(tmp_path: Path) -> None:
    """Pandoc sizes the columns of a pipe table wider than 72 characters by the cells of its delimiter row:
    ``|---|---|---|---:|`` (as nearly every Chinese Markdown table is typed) draws no widths, so the columns are
    sized from their content; ``|--|------------|`` is the author's drawing and is kept."""
    from pipeline.colwidths import column_widths

    row = "| 2001 | 阿富汗 | 人道主義援助、糧食安全和基礎設施重建項目第一期，包括衛生與教育服務 | 9,335 |"
    undrawn = "| 年份 | 國家 | 說明 | 金額 |\n|---|---|---|---:|\n" + row + "\n"
    drawn = "| 年份 | 說明 |\n|--|------------|\n" + "| 2001 | " + row.split(" | ")[2] + " |\n"
    short = "| 年份 | 國家 |\n|---|---|\n| 2001 | 阿富汗 |\n"
    src = tmp_path / "t.md"
    src.write_text("# 表\n\n" + undrawn + "\n文。\n\n" + drawn + "\n文。\n\n" + short, encoding="utf-8")
    doc = pipeline.read(src, Options(), Diagnostics())
    tables = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Table)]
    assert len(tables) == 3
    assert tables[0].widths == ()
    widths = column_widths(tables[0])
    assert widths[2] == max(widths) and widths[2] > 2 * widths[0]  # the description column the widest
    assert tables[1].widths and abs(tables[1].widths[1] - 12 / 14) < 1e-6  # drawn: kept as pandoc gave it
    assert tables[2].widths == ()  # a short pipe table: pandoc gives none either


def test_a_rule_pandoc_takes_for_a_broken_yaml_block_is_a_rule() -> None:
    """free-programming-books' Tamil guide has a ``---`` after a code fence, and another further on: pandoc takes
    the lines between for a YAML metadata block, cannot parse them (``**Wrong**``) and refuses the whole file
    (exit 64). docpipe reads it with metadata only from the front matter at the top — the title kept — every
    line of the text kept, and says so at the line."""
    src = (b"---\ntitle: A guide\n---\n\nText before.\n\n```html\n<div>x</div>\n```\n---\n**Wrong**\n```html\n"
           b"* [a](b)\n```\n---\n**Right**\n\nAfter the break.\n")
    diag = Diagnostics()
    doc = pipeline.read_bytes(src, "guide.md", Options(), diag)
    assert doc.metadata.title == "A guide"
    text = " ".join(plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para | ir.Heading))
    assert all(w in text for w in ("Text before.", "Wrong", "Right", "After the break."))
    assert "Wrong" in block_text(doc.blocks) and "After the break." in block_text(doc.blocks)
    repaired = [d for d in diag.items if d.code == "markdown-repaired"]
    assert len(repaired) == 1 and repaired[0].line == 10 and "thematic break" in repaired[0].message


def test_code_fences_with_attributes_or_chunk_braces_stay_code_blocks(tmp_path: Path) -> None:
    """MkDocs' ```` ```python title="x.py" ```` (in a content tab) and Quarto's ```` ```{r} ```` are code blocks whose
    comments stay code: pandoc's Markdown reads their opening lines as inline code, and a blank line in the code
    used to turn its comments into headings and the text after it into code (hello-algo, r4ds)."""
    src = tmp_path / "fences.md"
    src.write_text('# Title\n\n=== "Python"\n\n    ```python title="demo.py"\n    # a comment\n    x = 1\n\n'
                   '    # after a blank line\n    ```\n\n## After\n\n```{r}\n#| echo: false\n# an R comment\n\n'
                   'y$z <- 2\n```\n\n## Last\n\n```rust,ignore\nfn main() {}\n```\n', encoding="utf-8")
    doc = pipeline.read(src)
    heads = [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Heading)]
    codes = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.CodeBlock)]
    assert heads == ["Title", "After", "Last"] or heads == ["After", "Last"]
    assert [c.language for c in codes] == ["python", "r", "rust,ignore"]
    assert "# after a blank line" in codes[0].text and "y$z <- 2" in codes[1].text
