"""Finishing for print and e-book (issue 28), measured on the outputs of both PDF engines: chapters on rectos with
no running head on their openings, boxes kept whole when they fit and continued with a mark when not, no
single-character last line (孤字), proportional table columns with each page's part closed and continued under
续表, equations at body size with Han in the edition's face, no missing glyph; EPUB boxes that follow the reading
system's colours in dark mode, Simplified headings in an SC face, the two-em indent."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import iter_blocks
from pipeline.writers.pdf import runt
from tests.conftest import SAMPLE, require, require_tool

try:
    import pymupdf
    import pypdf
except ImportError:  # pragma: no cover - both are test requirements
    pymupdf = pypdf = None

ENGINES = ["weasyprint", "typst"]
MM = 72 / 25.4
BOX_FILL = (0xF1 / 255, 0xF1 / 255, 0xEC / 255)


@pytest.fixture(scope="module", autouse=True)
def _readers() -> None:
    require(pymupdf is not None and pypdf is not None, "pymupdf and pypdf")


@pytest.fixture(scope="module", params=ENGINES)
def a5_hans(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ir.Document, Path]:
    """The sample's Simplified edition on A5 (the edition where a box split mid-quotation)."""
    out = tmp_path_factory.mktemp(f"a5-hans-{request.param}")
    result = pipeline.convert(SAMPLE, ["pdf"], out, Options(source_date_epoch=0, page_size="A5", script="hans",
                                                             pdf_engine=request.param))
    return request.param, result.document, result.outputs["pdf"]


def write(doc: ir.Document, engine: str, **options: object) -> tuple[bytes, Diagnostics]:
    diag = Diagnostics()
    data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine, **options), diag)  # type: ignore[arg-type]
    return data, diag


def para(text: str, number: int | None = None) -> ir.Para:
    return ir.Para(children=(ir.Text(text=text),), number=str(number) if number else None,
                   id=f"para-{number}" if number else None)


def destination_pages(data: bytes | Path) -> dict[str, int]:
    reader = pypdf.PdfReader(str(data)) if isinstance(data, Path) else pypdf.PdfReader(__import__("io").BytesIO(data))
    return {name: reader.get_destination_page_number(dest) + 1 for name, dest in reader.named_destinations.items()}


def lines(pdf: object) -> list[tuple[int, str, float]]:
    """(page, text, top) of every text line."""
    out = []
    for number, page in enumerate(pdf):  # type: ignore[call-overload]
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                out.append((number + 1, "".join(s["text"] for s in line["spans"]), line["bbox"][1]))
    return out


def box_fills(page: object) -> list[object]:
    return [d["rect"] for d in page.get_drawings()  # type: ignore[attr-defined]
            if isinstance(d.get("fill"), tuple | list) and len(d["fill"]) == 3
            and all(abs(a - b) < 0.02 for a, b in zip(d["fill"], BOX_FILL, strict=True)) and d["rect"].width > 150]


def notdef(pdf: object) -> list[tuple[int, str]]:
    """Characters drawn with glyph 0 (.notdef, a missing-glyph box), by page."""
    missing = []
    for number, page in enumerate(pdf):  # type: ignore[call-overload]
        for span in page.get_texttrace():
            for ch in span["chars"]:
                if ch[1] == 0 and ch[0] not in (32, 0x3000, 0xA0):
                    missing.append((number + 1, chr(ch[0])))
    return missing


# ------------------------------------------------------------------------------------------------ the A5 hans sample


def test_a5_hans_chapters_on_rectos_without_heads(a5_hans: tuple[str, ir.Document, Path]) -> None:
    _, doc, path = a5_hans
    pages = destination_pages(path)
    pdf = pymupdf.open(str(path))
    openings = [pages[b.id] for b in doc.blocks if isinstance(b, ir.Heading) and b.level == 1 and b.id]
    assert len(openings) == 3 and all(p % 2 == 1 for p in openings), openings
    for p in openings:
        head = [t for n, t, top in lines(pdf) if n == p and top < 22 * MM and t.strip()]
        assert head == [], (p, head)
    for n in range(2, len(pdf) + 1):
        if n + 1 in openings and not pdf[n - 1].get_text(clip=pymupdf.Rect(0, 24 * MM, 1000, 180 * MM)).strip():
            assert not pdf[n - 1].get_text().strip(), n  # a blank verso: no head, no folio


def test_a5_hans_no_single_character_last_lines(a5_hans: tuple[str, ir.Document, Path]) -> None:
    _, _, path = a5_hans
    found = [(n, t) for n, t, _ in lines(pymupdf.open(str(path))) if runt(t)]
    assert found == []


def test_a5_hans_boxes_kept_whole(a5_hans: tuple[str, ir.Document, Path]) -> None:
    """Every box of the sample fits on an A5 page: each is drawn as one tinted rectangle, never two parts."""
    _, doc, path = a5_hans
    pdf = pymupdf.open(str(path))
    fills = [r for page in pdf for r in box_fills(page)]
    boxes = sum(1 for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box))
    assert len(fills) == boxes, (len(fills), boxes)
    assert not any("续下页" in page.get_text() for page in pdf)


def test_a5_hans_no_missing_glyph_and_sc_faces(a5_hans: tuple[str, ir.Document, Path]) -> None:
    _, _, path = a5_hans
    assert notdef(pymupdf.open(str(path))) == []
    out = subprocess.run([require_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    names = [re.sub(r"[^a-z]", "", ln.split()[0].lower()) for ln in out.splitlines()[2:] if ln.strip()]
    assert any("notosanscjksc" in n for n in names), names  # Simplified headings in an SC face
    assert not any("hanamin" in n for n in names), names  # nothing fell back to a face found by chance


# ------------------------------------------------------------------------------------------------ boxes


def _box_doc() -> ir.Document:
    long_box = ir.Box(title=(ir.Text(text="长框"),), lang="zh-Hans", id="box-1",
                      blocks=tuple(para("这是一个很长的框中段落，用来测试跨页的续接标记。" * 6) for _ in range(14)))
    short = ir.Box(title=(ir.Text(text="短框"),), lang="zh-Hans", id="box-2",
                   blocks=tuple(para("短框段落，五行左右的内容。" * 8) for _ in range(3)))
    blocks = (para("前文段落。" * 60, 1), para("又一段。" * 70, 2), short, para("中間。" * 40, 3), long_box,
              para("後文。" * 20, 4))
    return ir.Document(metadata=ir.Metadata(title="框", language="zh-Hant"), blocks=blocks)


@pytest.mark.parametrize("engine", ENGINES)
def test_box_that_fits_is_kept_whole_longer_one_continued(engine: str) -> None:
    data, _ = write(_box_doc(), engine, page_size="A5")
    pdf = pymupdf.open(stream=data, filetype="pdf")
    short_page = next(n + 1 for n, page in enumerate(pdf) if "短框段落" in page.get_text())
    assert len(box_fills(pdf[short_page - 1])) >= 1
    # the short box: one rectangle on its page, none of its text on the next
    assert "短框段落" not in pdf[short_page].get_text() if short_page < len(pdf) else True
    long_pages = [n + 1 for n, page in enumerate(pdf) if "很长的框中段落" in page.get_text()]
    assert len(long_pages) >= 3
    for n in long_pages[:-1]:  # each page the long box runs over says it continues; its last page does not
        assert "（续下页）" in pdf[n - 1].get_text(), n
    assert "（续下页）" not in pdf[long_pages[-1] - 1].get_text()


# ------------------------------------------------------------------------------------------------ tables


def _table_doc() -> ir.Document:
    head = tuple(ir.Cell(blocks=(para(t),), header=True) for t in ("年份", "項目", "說明"))
    long = "聯合國在這一年裡協助各國建設和平、促進可持續發展並提供人道主義援助。"
    rows = tuple((ir.Cell(blocks=(para(f"{2000 + i}年"),)), ir.Cell(blocks=(para(f"第{i}項"),)),
                  ir.Cell(blocks=(para(long * (1 + i % 2)),))) for i in range(45))
    table = ir.Table(rows=(head, *rows), head_rows=1, caption=(ir.Text(text="各年工作"),), label="表1", id="tab-1",
                     widths=(1 / 3, 1 / 3, 1 / 3))  # a source that drew its grid evenly
    return ir.Document(metadata=ir.Metadata(title="表", language="zh-Hant"),
                       blocks=(para("前文。" * 30), table, para("後文。")))


@pytest.mark.parametrize("engine", ENGINES)
def test_chinese_table_over_pages(engine: str) -> None:
    data, _ = write(_table_doc(), engine)
    pdf = pymupdf.open(stream=data, filetype="pdf")
    holding = [page for page in pdf if "協助各國" in page.get_text()]
    assert len(holding) >= 2
    # columns from content: the year and item columns narrow, the description wide (not thirds)
    words = [w for w in holding[0].get_text("words")]
    x_year = min(w[0] for w in words if w[4].startswith("2001"))
    x_item = min(w[0] for w in words if w[4].startswith("第1"))
    x_text = min(w[0] for w in words if w[4].startswith("聯合國在"))
    measure = holding[0].rect.width - 45 * MM
    assert x_item - x_year < 0.2 * measure and x_text - x_item < 0.2 * measure, (x_year, x_item, x_text)
    # no cell text on two lines in the short columns, no two-em indent in cells
    assert not [t for n, t, _ in lines([holding[0]]) if re.fullmatch(r"\s*[項年]\s*", t)]
    for n, page in enumerate(holding):
        text = page.get_text()
        assert "年份" in text and "說明" in text  # the header rows repeat
        if n:
            assert "續表 1" in re.sub(r"\s+", " ", text) or "續表1" in re.sub(r"\s+", "", text), n
        # each page's part is closed: a heavy rule under the last row on the page
        rows_bottom = max(w[3] for w in page.get_text("words") if w[4].startswith(("聯合國在", "國建設", "和平")))
        heavy = [d["rect"] for d in page.get_drawings() if d["rect"].width > 200 and (
            (d.get("width") or 0) > 1.0 or (d.get("fill") is not None and 1.0 < d["rect"].height < 1.5))]
        assert any(r.y0 >= rows_bottom - 1 for r in heavy), (n, rows_bottom, heavy)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_long_table_fills_every_page_it_crosses(engine: str) -> None:
    """A table of 300 rows, cut into one table per page under 續表: each continuation leaves room for its caption,
    so none breaks again and no page holds a row or two alone (each part once broke again: 10 pages became 17)."""
    head = tuple(ir.Cell(blocks=(para(h),), header=True) for h in ("號", "項目"))
    rows = tuple((ir.Cell(blocks=(para(f"{i}"),)), ir.Cell(blocks=(para(f"第{i}項工作"),))) for i in range(300))
    table = ir.Table(rows=(head, *rows), head_rows=1, caption=(ir.Text(text="長表"),), label="表1", id="tab-1")
    data, _ = write(ir.Document(metadata=ir.Metadata(title="表", language="zh-Hant"), blocks=(table,)), engine)
    pdf = pymupdf.open(stream=data, filetype="pdf")
    counts = [len(re.findall(r"第\d+項工作", re.sub(r"\s+", "", page.get_text()))) for page in pdf]
    counts = [c for c in counts if c]
    assert sum(counts) == 300
    assert all(c >= 0.8 * max(counts) for c in counts[:-1]), counts


# ------------------------------------------------------------------------------------------------ equations


def _equation_doc() -> ir.Document:
    cases = r"f(x)=\begin{cases} 1, & \text{如果 } x>0 \\ 0, & \text{否则} \end{cases}"
    blocks = (ir.Para(children=(ir.Text(text="设函数"), ir.Math(tex="f(x)", display=False), ir.Text(text="连续，"),
                                ir.Math(tex="x", display=False), ir.Text(text="。")), id="para-1", number="1"),
              ir.Para(children=(ir.Math(tex=cases, display=True),)))
    return ir.Document(metadata=ir.Metadata(title="公式", language="zh-Hans"), blocks=blocks)


@pytest.mark.parametrize("engine", ENGINES)
def test_equations_han_in_the_edition_face_at_body_size(engine: str) -> None:
    data, _ = write(_equation_doc(), engine)
    pdf = pymupdf.open(stream=data, filetype="pdf")
    assert notdef(pdf) == []
    text = re.sub(r"\s+", "", "".join(page.get_text() for page in pdf))
    assert "如果" in text and "否则" in text  # set as text, extractable
    fonts = {f[3] for page in pdf for f in page.get_fonts()}
    assert not any("HanaMin" in f for f in fonts), fonts
    page = pdf[-1]
    if engine == "weasyprint":  # drawn from SVG: f(x)'s parentheses as tall as the text's, not 70 % of them
        line = next(ln for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])
                    if "设函数" in "".join(s["text"] for s in ln["spans"]))
        top, bottom = line["bbox"][1], line["bbox"][3]
        paths = [d["rect"] for d in page.get_drawings() if d["rect"].y0 >= top - 4 and d["rect"].y1 <= bottom + 4
                 and d["rect"].height < 20]
        assert paths and max(r.y1 for r in paths) - min(r.y0 for r in paths) > 10.0, paths
    else:
        sizes = {round(s["size"], 1) for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])
                 for s in ln["spans"] if "Math" in s["font"]}
        assert sizes and max(sizes) == pytest.approx(10.5, abs=0.3), sizes
    # no gap before 。: the stop follows the inline x at most a hair away
    chars = [c for b in page.get_text("rawdict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]
             for c in s["chars"]]
    stop = next(c for c in chars if c["c"] == "。")
    assert stop["bbox"][0] - max(c["bbox"][2] for c in chars if c["bbox"][2] <= stop["bbox"][0] + 0.5
                                 and abs(c["origin"][1] - stop["origin"][1]) < 3) < 2.5 or engine == "weasyprint"


# ------------------------------------------------------------------------------------------------ EPUB


def _chapter(epub: Path, name: str) -> str:
    with zipfile.ZipFile(epub) as z:
        return z.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def hans_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("epub-hans")
    return pipeline.convert(SAMPLE, ["epub"], out, Options(source_date_epoch=0, script="hans")).outputs["epub"]


def _render_chapter(epub: Path, chapter: str, reading_system_css: str, tmp: Path) -> object:
    """A chapter laid out as a reading system would (WeasyPrint standing in), with the reading system's own
    stylesheet (its colours) before the book's."""
    from weasyprint import CSS, HTML
    with zipfile.ZipFile(epub) as z:
        z.extractall(tmp)
    page = tmp / "EPUB" / "text" / chapter
    data = HTML(filename=str(page), media_type="screen").write_pdf(
        stylesheets=[CSS(string=reading_system_css)])
    return pymupdf.open(stream=data, filetype="pdf")


def test_epub_boxes_follow_the_reading_systems_colours(hans_epub: Path, tmp_path: Path) -> None:
    css = _chapter(hans_epub, "EPUB/styles/epub.css")
    rule = re.search(r"aside\.box\s*\{([^}]*)\}", css)
    assert rule is not None
    assert not re.search(r"(?<![-\w])color\s*:\s*(?!inherit)\S", rule.group(1))  # no text colour of its own
    bg = re.search(r"background(?:-color)?\s*:\s*rgba\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*([\d.]+)\s*\)", rule.group(1))
    assert bg and float(bg.group(1)) <= 0.2  # a translucent tint over the reading system's background
    assert "prefers-color-scheme: dark" in css
    dark = "@page { size: 600px 900px; margin: 20px; background: #000 } html { color: #e8e8e8; background: #000 }"
    pdf = _render_chapter(hans_epub, "chapter-02.xhtml", dark, tmp_path)
    box_title_colours = {s["color"] for page in pdf for b in page.get_text("dict")["blocks"]
                         for ln in b.get("lines", []) for s in ln["spans"] if "背景" in s["text"]}
    text_colours = {s["color"] for page in pdf for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])
                    for s in ln["spans"]}
    assert text_colours == {0xE8E8E8}, {hex(c) for c in text_colours}  # every line, boxes too, in the light text
    assert box_title_colours <= {0xE8E8E8}


def test_epub_simplified_headings_in_an_sc_face_and_indents(hans_epub: Path, tmp_path: Path) -> None:
    pdf = _render_chapter(hans_epub, "chapter-02.xhtml", "@page { size: 600px 900px; margin: 20px }", tmp_path)
    heading_fonts = {s["font"] for page in pdf for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])
                     for s in ln["spans"] if s["size"] > 14}
    assert heading_fonts and all("SC" in f for f in heading_fonts), heading_fonts
    # an unnumbered paragraph's first line starts two ems right of its other lines
    page = pdf[0]
    body = [ln for b in page.get_text("dict")["blocks"] for ln in b.get("lines", []) if ln["spans"][0]["size"] < 14]
    lefts = sorted({round(ln["bbox"][0]) for ln in body})
    size = body[0]["spans"][0]["size"]
    assert any(abs((b - a) - 2 * size) < 2 for a in lefts for b in lefts), (lefts, size)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_table_of_tall_rows_fills_its_continued_pages(engine: str) -> None:
    """Rows of four lines each, continued under 續表 over several pages: every page but the last is as full as
    the fullest (the room kept for the 續表 caption is the caption's height, not two rows: pages were left a third
    empty), and the last page holds more than one row."""
    head = tuple(ir.Cell(blocks=(para(h),), header=True) for h in ("年份", "國家", "項目說明", "金額"))
    text = "人道主義援助、糧食安全和基礎設施重建項目第{}期，包括衛生與教育服務"
    rows = tuple((ir.Cell(blocks=(para(f"{2000 + i % 24}"),)), ir.Cell(blocks=(para("剛果民主共和國"),)),
                  ir.Cell(blocks=(para(text.format(i + 1)),)), ir.Cell(blocks=(para(f"{i * 37 % 9000:,}"),)))
                 for i in range(60))
    table = ir.Table(rows=(head, *rows), head_rows=1, caption=(ir.Text(text="各國援助項目一覽"),), label="表1",
                     id="tab-1", widths=(0.23, 0.23, 0.23, 0.31))
    data, _ = write(ir.Document(metadata=ir.Metadata(title="表", language="zh-Hant"), blocks=(table,)), engine)
    pdf = pymupdf.open(stream=data, filetype="pdf")
    bottoms, counts = [], []
    for page in pdf:
        words = [w for w in page.get_text("words") if "人道主義" in w[4] or "教育服務" in w[4] or "服務" in w[4]]
        if words:
            bottoms.append(page.rect.height - max(w[3] for w in words))
            counts.append(len(re.findall(r"期，", re.sub(r"\s+", "", page.get_text()))))
    assert sum(counts) == 60 and len(counts) >= 3, counts
    for page in pdf:  # no row broken over two pages: each description that starts on a page ends there
        flat = re.sub(r"\s+", "", page.get_text())
        assert flat.count("人道主義援助") == flat.count("教育服務"), page.number
    row = 5 * 11.0  # four lines of 9.5 pt cell text and the row's padding, in pt (generous)
    assert max(bottoms[:-1]) - min(bottoms[:-1]) < row, (bottoms, counts)
    assert counts[-1] > 1, counts


# ------------------------------------------------------------------------------------------- 孤字 in list items


def test_single_character_last_lines_in_list_items_mended_without_laying_the_book_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A book's numbered paragraphs written as a Markdown list (``li > p``): each 孤字 is tried alone in the trial
    layout like any paragraph's, so the whole book is laid out again at most once (for the paragraphs only a
    tighter tracking mends), not once per proofing pass (the 600-page bench book was laid out 5 times)."""
    from weasyprint import HTML

    from pipeline.bench import book_project

    summary = book_project(tmp_path / "book", chapters=1)
    pages: list[int] = []
    render = HTML.render

    def counted(self: HTML, *args: object, **kwargs: object) -> object:
        document = render(self, *args, **kwargs)  # type: ignore[arg-type]
        pages.append(len(document.pages))
        return document

    monkeypatch.setattr(HTML, "render", counted)
    result = pipeline.convert(summary, ["pdf"], tmp_path / "out", Options(source_date_epoch=0,
                                                                          pdf_engine="weasyprint"))
    found = [(n, t) for n, t, _ in lines(pymupdf.open(str(result.outputs["pdf"]))) if runt(t)]
    assert found == []
    whole = [n for n in pages if n >= max(pages) - 2]
    assert len(pages) > len(whole) >= 1, pages  # the trial layouts are small documents
    assert len(whole) <= 2, pages
