"""The smaller print rules of issue 28, measured on the PDF of both engines from glyph and drawing positions
(pymupdf): a footnote rule a third of the measure, contents leaders standing in columns, runs of dashes and
ellipses kept on one line at their full width, a quarter em after a check box, hanging indents in lists, a
byline instead of a title page for a document with an author but neither title nor symbol."""

from __future__ import annotations

import itertools
import re
import statistics

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.writers.page import margins_mm, page_mm
from tests.conftest import require

try:
    import pymupdf
except ImportError:  # pragma: no cover - a test requirement
    pymupdf = None

ENGINES = ["weasyprint", "typst"]
MM = 72 / 25.4
EM = 10.5  # the body size in points
SENTENCE = ("聯合國秘書長關於本組織工作的報告指出各會員國應當加強合作"
            "共同應對氣候變化衝突與貧困等全球挑戰推動可持續發展目標的實現")


@pytest.fixture(scope="module", autouse=True)
def _readers() -> None:
    require(pymupdf is not None, "pymupdf")


def T(text: str) -> ir.Text:
    return ir.Text(text=text)


def para(*inlines: ir.Inline | str) -> ir.Para:
    return ir.Para(children=tuple(T(x) if isinstance(x, str) else x for x in inlines))


def render(doc: ir.Document, engine: str) -> object:
    data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
    return pymupdf.open(stream=data, filetype="pdf")


def chinese(*blocks: ir.Block, title: str | None = "測試", authors: tuple[str, ...] = (),
            notes: tuple[ir.Note, ...] = ()) -> ir.Document:
    return ir.Document(metadata=ir.Metadata(title=title, authors=authors, language="zh-Hant"), blocks=blocks,
                       notes=notes)


def text_lines(pdf: object) -> list[tuple[int, list[dict[str, object]]]]:
    """(page, characters) of every text line, in reading order."""
    out = []
    for number, page in enumerate(pdf):  # type: ignore[call-overload]
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", []):
                chars = [c for span in line["spans"] for c in span["chars"]]
                if chars:
                    out.append((number + 1, chars))
    return out


def rows(page: object) -> list[list[dict[str, object]]]:
    """The characters of ``page`` by baseline, left to right (pymupdf may cut a contents line in pieces)."""
    by: dict[float, list[dict[str, object]]] = {}
    for block in page.get_text("rawdict")["blocks"]:  # type: ignore[attr-defined]
        for line in block.get("lines", []):
            for span in line["spans"]:
                for c in span["chars"]:
                    by.setdefault(round(c["origin"][1]), []).append(c)
    return [sorted(by[y], key=lambda c: c["bbox"][0]) for y in sorted(by)]


def string(chars: list[dict[str, object]]) -> str:
    return "".join(str(c["c"]) for c in chars)


def measure_pt() -> tuple[float, float]:
    """The left edge of a recto's text block and its width, in points (A4, the default margins)."""
    width, _ = page_mm("A4")
    inner, outer = margins_mm(Options())
    return inner * MM, (width - inner - outer) * MM


# ------------------------------------------------------------------------------------------------ footnote rule


@pytest.mark.parametrize("engine", ENGINES)
def test_footnote_rule_a_third_of_the_measure(engine: str) -> None:
    note = ir.Note(id="fn-1", marker="1", blocks=(para("註釋的內容。"),))
    pdf = render(chinese(para("正文", ir.NoteRef(note_id="fn-1", marker="1"), SENTENCE), notes=(note,)), engine)
    number = next(n for n, chars in text_lines(pdf) if "註釋" in string(chars))
    page = pdf[number - 1]  # type: ignore[index]
    note_top = min(c["bbox"][1] for n, chars in text_lines(pdf) if n == number for c in chars if c["c"] == "註")
    rules = [d["rect"] for d in page.get_drawings() if d["rect"].height < 1.5 and d["rect"].width > 20
             and d["rect"].y0 < note_top]
    assert len(rules) == 1, rules
    _, width = measure_pt()
    rule = rules[0]
    left = min(c["bbox"][0] for n, chars in text_lines(pdf) if n == number for c in chars)  # the text's edge
    assert abs(rule.x0 - left) < 0.5, (rule.x0, left)
    assert abs(rule.width / width - 1 / 3) < 0.005, (rule.width, width)


# ------------------------------------------------------------------------------------------------ contents leaders


def _toc_doc() -> ir.Document:
    """Chapters and sections of unequal titles, on pages with one- and two-digit numbers."""
    blocks: list[ir.Block] = []
    for n in range(1, 7):
        blocks.append(ir.Heading(level=1, children=(T(f"第{'一二三四五六'[n - 1]}章 " + "標題文字"[: n % 4 + 1]),),
                                 id=f"ch{n}"))
        blocks.append(para(SENTENCE))
        blocks.append(ir.Heading(level=2, children=(T("小節" * n),), id=f"s{n}"))
        blocks.append(para(SENTENCE))
    return chinese(*blocks)


@pytest.mark.parametrize("engine", ENGINES)
def test_contents_leaders_stand_in_columns(engine: str) -> None:
    pdf = render(_toc_doc(), engine)
    entries = [chars for chars in rows(pdf[1]) if sum(c["c"] == "·" for c in chars) > 3]  # type: ignore[index]
    assert len(entries) == 12, [string(c) for c in entries]
    numbers = []
    ends = []
    column: tuple[float, float] | None = None  # the first line's last dot and pitch
    for chars in entries:
        dots = [c for c in chars if c["c"] == "·"]
        centres = [(c["bbox"][0] + c["bbox"][2]) / 2 for c in dots]
        pitch = statistics.median(b - a for a, b in itertools.pairwise(centres))
        column = column or (centres[-1], (centres[-1] - centres[0]) / (len(centres) - 1))
        # every dot on the first line's columns (same pitch, same phase)
        steps = [(column[0] - x) / column[1] for x in centres]
        assert all(abs(k - round(k)) * column[1] < 0.15 for k in steps), string(chars)
        ends.append(centres[-1])
        title = [c for c in chars if c["c"] != "·" and c["bbox"][2] <= dots[0]["bbox"][0] + 0.01]
        assert dots[0]["bbox"][0] - title[-1]["bbox"][2] >= 0.1 * EM, string(chars)  # leaders do not touch
        digits = [c for c in chars if str(c["c"]).isdigit()]
        assert digits, string(chars)
        numbers.append(("".join(str(c["c"]) for c in digits), digits[-1]["bbox"][2]))
        assert abs(pitch - column[1]) < 0.05
    assert max(ends) - min(ends) < 0.15, ends  # every leader ends on the same column
    assert {len(n) for n, _ in numbers} == {1, 2}, numbers  # numbers of both widths, right-aligned
    assert max(x for _, x in numbers) - min(x for _, x in numbers) < 0.5, numbers


# ------------------------------------------------------------------------------------------------ dashes and ellipses

RUNS = ("————", "――――", "……", "…………", "⸺⸺")


@pytest.mark.parametrize("engine", ENGINES)
def test_dashes_and_ellipses_never_broken_and_full_width(engine: str) -> None:
    """Each run, moved one character at a time across the line end, stays whole on one line, each of its
    characters an em wide (shaped as Han: alone in a span or box the dashes would take their narrow forms)."""
    blocks = [para("他說" + "甲" * n + run + "乙乙，" + "丙" * 30) for run in RUNS for n in range(36, 46)]
    pdf = render(chinese(*blocks), engine)
    joined = "|".join(string(chars) for _, chars in text_lines(pdf))
    assert not re.search(r"[—―⸺…][|][—―⸺…]", joined), re.findall(r".{3}[—―⸺…][|][—―⸺…].{3}", joined)
    wide = 0
    for _, chars in text_lines(pdf):
        line = string(chars)
        for run in RUNS:
            for m in re.finditer(re.escape(run) + "(?![—―⸺…])", line):
                if m.start() and line[m.start() - 1] in "—―⸺…":
                    continue
                width = chars[m.end() - 1]["bbox"][2] - chars[m.start()]["bbox"][0]
                assert abs(width - len(run) * EM * (2 if run[0] == "⸺" else 1)) < 0.3, (run, width)
                wide += 1
    assert wide == len(blocks)


# ------------------------------------------------------------------------------------------------ check boxes


@pytest.mark.parametrize("engine", ENGINES)
def test_checkboxes_a_quarter_em_before_their_text(engine: str) -> None:
    blocks = [para("☐選項一"), para("☑ 選項二"), para("☒\u00a0選項三"), para("☐ 選項四：" + SENTENCE)]
    pdf = render(chinese(*blocks), engine)
    gaps = []
    for _, chars in text_lines(pdf):
        for i, c in enumerate(chars[:-1]):
            if c["c"] in "☐☑☒":
                after = next(d for d in chars[i + 1:] if str(d["c"]).strip())
                assert after["c"] == "選"
                gaps.append(after["bbox"][0] - c["bbox"][2])
    assert len(gaps) == 4
    assert all(abs(g - EM / 4) < 0.3 for g in gaps), gaps


# ------------------------------------------------------------------------------------------------ lists


@pytest.mark.parametrize("engine", ENGINES)
def test_list_items_hang_their_wrapped_lines(engine: str) -> None:
    """The wrapped lines of an item start where its text starts on the first line, not under the marker."""
    def items(*labels: str | None) -> tuple[ir.ListItem, ...]:
        return tuple(ir.ListItem(label=label, blocks=(para(f"{n}號" + SENTENCE * 2),))
                     for n, label in enumerate(labels, 1))
    blocks = [ir.ListBlock(items=items(None, None)), ir.ListBlock(ordered=True, items=items(None, None)),
              ir.ListBlock(items=items("（一）", "（二十一）")), ir.ListBlock(items=items("(a)", "(b)"))]
    pdf = render(chinese(*blocks), engine)
    lines = [chars for _, chars in text_lines(pdf) if "聯" in string(chars) or "挑" in string(chars)]
    starts = []
    for first, second in itertools.pairwise(lines):
        line = string(first)
        m = re.search(r"\d+\s?號", line)
        if not m or re.search(r"\d+\s?號", string(second)):
            continue
        text_x = first[m.start()]["bbox"][0]
        assert abs(second[0]["bbox"][0] - text_x) < 0.6, (line[:12], string(second)[:12], text_x, second[0]["bbox"][0])
        starts.append(text_x)
    assert len(starts) == 8, starts
    # a labelled list's items all start their text at the same place, however long the label
    assert abs(starts[4] - starts[5]) < 0.6, starts


# ------------------------------------------------------------------------------------------------ byline


@pytest.mark.parametrize("engine", ENGINES)
def test_an_author_alone_gets_a_byline_not_a_title_page(engine: str) -> None:
    chapter = (ir.Heading(level=1, children=(T("第一章 總則"),), id="ch1"), para(SENTENCE))
    pdf = render(chinese(*chapter, title=None, authors=("張三",)), engine)
    assert len(pdf) == 1, [p.get_text() for p in pdf]
    lines = [(string(chars), chars[0]["bbox"][1]) for _, chars in text_lines(pdf)]
    author = next(y for s, y in lines if s == "張三")
    heading = next(y for s, y in lines if s.startswith("第一章"))
    assert author < heading, lines
    # a title still makes a title page, the chapter opening on the next recto
    titled = render(chinese(*chapter, title="報告", authors=("張三",)), engine)
    assert len(titled) == 3 and "第一章" not in titled[0].get_text() and "第一章" in titled[2].get_text()


# ------------------------------------------------------------------------------------------------ emphasis dots


@pytest.mark.parametrize("engine", ENGINES)
def test_emphasis_in_chinese_is_dotted(engine: str) -> None:
    """A dot under each emphasised Han character (clreq 3.5.1), centred, below the character's em box; none
    under its punctuation, its Latin letters (italic instead) or the text around it."""
    pdf = render(chinese(para("這是", ir.Emph(children=(T("重要的事，abc"),)), "。")), engine)
    page = next(p for p in pdf if "重要" in p.get_text())
    chars = {str(c["c"]): c for _, line in text_lines(pdf) for c in line if c["c"] in "這是重要的事，abc。"}
    dots = sorted((d["rect"] for d in page.get_drawings() if d["rect"].width < 0.3 * EM and d.get("fill")),
                  key=lambda r: r.x0)
    assert len(dots) == 4, dots
    for dot, ch in zip(dots, "重要的事", strict=True):
        glyph = chars[ch]
        assert abs((dot.x0 + dot.x1) / 2 - (glyph["bbox"][0] + glyph["bbox"][2]) / 2) < 0.3, (ch, dot)
        below = ((dot.y0 + dot.y1) / 2 - glyph["origin"][1]) / EM  # ems under the baseline
        assert 0.25 < below < 0.6, (ch, below)
    fonts = {s["font"] for b in page.get_text("dict")["blocks"] for line in b.get("lines", []) for s in line["spans"]
             if "abc" in s["text"]}
    assert fonts and all("Italic" in f for f in fonts), fonts


# ------------------------------------------------------------------------------------------------ 间隔号


@pytest.mark.parametrize("engine", ENGINES)
def test_interpunct_between_han_is_full_width_in_every_face(engine: str) -> None:
    """The middle dot of a transcribed name (安東尼奧·古特雷斯, a chain 拉赫曼·本·阿卜杜拉) takes a full-width cell
    wherever it is set — title page, heading (sans), body (serif), as the EPUB cover sets it — where Noto Serif
    CJK's default form is 0.33 em; between Latin letters (Jean·Paul) it keeps its Latin width."""
    name = "安東尼奧·古特雷斯"
    doc = chinese(ir.Heading(level=1, children=(T("菲利西安·卡布加案"),), id="h1"),
                  para("檢察官訴拉赫曼·本·阿卜杜拉案，Jean·Paul 在場。"), title="秘書長報告", authors=(name,))
    pdf = render(doc, engine)
    widths: dict[str, list[float]] = {"han": [], "latin": []}
    for _, chars in text_lines(pdf):
        line = string(chars)
        for i, ch in enumerate(line):
            if ch == "·" and 0 < i < len(line) - 1:
                c, han = chars[i], chars[i + 1]  # after it, a Han character (an em) or a Latin letter
                kind = "latin" if line[i - 1].isascii() else "han"
                em = (han["bbox"][2] - han["bbox"][0]) if kind == "han" else EM
                widths[kind].append((c["bbox"][2] - c["bbox"][0]) / em)
    assert len(widths["han"]) == 4 and len(widths["latin"]) == 1, widths  # author, heading, the chain's two
    assert all(w > 0.9 for w in widths["han"]), widths
    assert widths["latin"][0] < 0.5, widths


def test_interpunct_between_han_is_marked_full_width_in_epub_and_html() -> None:
    doc = chinese(para("拉赫曼·本·阿卜杜拉與Jean·Paul。"))
    for fmt in ("html", "epub"):
        data = pipeline.write(doc, fmt, Options(source_date_epoch=0), Diagnostics())
        if fmt == "epub":
            import io
            import zipfile
            z = zipfile.ZipFile(io.BytesIO(data))
            text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
            css = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".css"))
        else:
            text = css = data.decode()
        assert text.count('<span class="interpunct">·</span>') == 2, fmt
        assert "·Paul" in text and "interpunct\">·</span>Paul" not in text  # between Latin letters: as it is
        assert re.search(r'span\.interpunct\s*\{\s*font-feature-settings:\s*"fwid" 1', css), fmt
