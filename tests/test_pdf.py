"""PDF writer: embedded subset fonts, all text extractable, footnote on its page, outline, destinations,
sandboxed fetching, page sizes, PDF/A-3b with the TEI attached, PDF/UA tagging, identical rebuilds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import block_text, iter_blocks, plain
from tests.conftest import SAMPLE, need, require_tool

pypdf = need("pypdf")


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[ir.Document, Path]:
    out = tmp_path_factory.mktemp("pdf")
    result = pipeline.convert(SAMPLE, ["pdf"], out, Options(source_date_epoch=1724198400))
    return result.document, result.outputs["pdf"]


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    exe = require_tool("pdftotext")
    args = [exe, "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True, timeout=120).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_font_embedded_and_subset(sample_pdf: tuple[ir.Document, Path]) -> None:
    exe = require_tool("pdffonts")
    out = subprocess.run([exe, str(sample_pdf[1])], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows and any("Noto-Serif-CJK-TC" in r[0] for r in rows) and any("Noto-Serif-CJK-SC" in r[0] for r in rows)
    for r in rows:
        emb, sub = r[-5], r[-4]
        assert (emb, sub) == ("yes", "yes"), r
        assert re.match(r"^[A-Z]{6}\+", r[0]), r


def body_text(doc: ir.Document, path: Path) -> str:
    """The text of every page without its running head, page number and footnotes, squashed."""
    chapters = {f"{b.label} {plain(b.children)}" for b in doc.blocks if isinstance(b, ir.Heading) and b.level == 1}
    note = squash(block_text(doc.notes[0].blocks))
    heads = {squash(h) for h in (doc.metadata.title or "", *chapters)}  # the head sets Han–Latin gaps (U+2005)
    pages = pdftotext(path).split("\f")
    kept = []
    for page in pages:
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        while lines and (squash(lines[0]) in heads or lines[0].isdigit()
                         or squash(re.fullmatch(r"(?:\d+\s+)?(.+?)(?:\s+\d+)?", lines[0]).group(1)) in heads):  # type: ignore[union-attr]
            lines.pop(0)
        if lines and lines[-1].isdigit():  # the folio dropped to the foot of a chapter's opening page
            lines.pop()
        kept.append(squash("".join(lines)).replace(doc.notes[0].marker + note, "").replace(note, ""))
    return "".join(kept)


def test_all_text_is_extractable(sample_pdf: tuple[ir.Document, Path]) -> None:
    doc, path = sample_pdf
    text = body_text(doc, path)
    missing = []
    for b in iter_blocks(doc.blocks):
        if isinstance(b, ir.Para | ir.Heading):
            t = squash(plain(b.children).replace("[1]", "1"))
            if t not in text:
                missing.append(t[:30])
        elif isinstance(b, ir.Box):
            assert squash(plain(b.title)) in text
    assert missing == []
    assert squash(block_text(doc.notes[0].blocks)) in squash(pdftotext(path))
    for b in iter_blocks(doc.metadata.rights):
        if isinstance(b, ir.Para):
            assert squash(plain(b.children)) in text


def test_footnote_on_the_page_of_its_call(sample_pdf: tuple[ir.Document, Path]) -> None:
    _, path = sample_pdf
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                                               text=True).stdout).group(1))  # type: ignore[union-attr]
    holder = [p for p in range(1, pages + 1) if "過去一年" in pdftotext(path, p)
              and "人類經受了各方面的考驗" in squash(pdftotext(path, p))]
    assert len(holder) == 1
    assert "按照聯合國秘書處的經常預算" in squash(pdftotext(path, holder[0]))


def test_outline_and_named_destinations(sample_pdf: tuple[ir.Document, Path]) -> None:
    reader = pypdf.PdfReader(str(sample_pdf[1]))
    top = [o for o in reader.outline if not isinstance(o, list)]
    assert [o.title for o in top] == ["第一章 導言", "第二章 聯合國的工作", "第三章 聯合國的有效運作"]
    children = reader.outline[reader.outline.index(top[1]) + 1]
    sections = [o.title for o in children if not isinstance(o, list)]
    assert [s.split(" ")[0] for s in sections] == [f"{c}." for c in "ABCDEFGH"]
    dests = reader.named_destinations
    assert {f"para-{n}" for n in range(1, 133)} <= set(dests)


def test_metadata(sample_pdf: tuple[ir.Document, Path]) -> None:
    info = pypdf.PdfReader(str(sample_pdf[1])).metadata
    assert info.title.startswith("聯合國秘書長關於聯合國工作的報告")
    assert info.author == "安東尼奧·古特雷斯"


def test_rebuild_is_byte_identical(sample_pdf: tuple[ir.Document, Path], tmp_path: Path) -> None:
    again = pipeline.convert(SAMPLE, ["pdf"], tmp_path, Options(source_date_epoch=1724198400))
    assert again.outputs["pdf"].read_bytes() == sample_pdf[1].read_bytes()


def test_page_size_option(tmp_path: Path) -> None:
    doc = ir.Document(metadata=ir.Metadata(title="A5", language="zh-Hant"),
                      blocks=(ir.Para(children=(ir.Text(text="版面測試。"),), number="1"),))
    data = pipeline.write(doc, "pdf", Options(page_size="A5", source_date_epoch=0))
    box = pypdf.PdfReader(__import__("io").BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)


def test_renderer_reads_only_allowed_files(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    for n in (1, 2, 3):
        (outside / f"secret{n}.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "link.png").symlink_to(outside / "secret1.png")
    src = folder / "doc.md"
    src.write_text("# t\n\n![remote](http://127.0.0.1:9/remote.png)\n\n"
                   f"![outside]({(outside / 'secret1.png').as_uri()})\n\n![absolute]({outside / 'secret2.png'})\n\n"
                   "![relative escape](../outside/secret3.png)\n\n![through a link](link.png)\n\n"
                   "![host](file://example.invalid/doc/x.png)\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["pdf"], tmp_path / "out", Options(source_date_epoch=0), diag=diag)
    blocked = [d.message for d in diag.items if d.code == "external-resource-blocked"]
    assert any("127.0.0.1" in m for m in blocked) and any("example.invalid" in m for m in blocked)
    # an absolute path is read as site-root relative (under the document's folder), where no such file is
    refused = blocked + [d.message for d in diag.items if d.code == "media-missing"]
    assert all(any(f"secret{n}.png" in m for m in refused) for n in (1, 2, 3))
    assert any("link.png" in m for m in blocked)
    assert result.document.media == ()
    placeholders = [d for d in diag.items if d.code == "media-placeholder"]
    assert len(placeholders) == 6  # each refused picture is a visible placeholder, never silently dropped


def test_pdf_a3b_carries_the_tei(tmp_path: Path) -> None:
    exe = require_tool("pdfdetach")
    result = pipeline.convert(SAMPLE, ["tei", "pdf"], tmp_path, Options(pdf_variant="pdf/a-3b",
                                                                         source_date_epoch=0))
    listing = subprocess.run([exe, "-list", str(result.outputs["pdf"])], capture_output=True, text=True).stdout
    assert "un-sg-report-2024.zh-Hant.tei.xml" in listing
    reader = pypdf.PdfReader(str(result.outputs["pdf"]))
    root = reader.trailer["/Root"]
    assert "/AF" in root and "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"3" in xmp


def test_pdf_ua_is_tagged(tmp_path: Path) -> None:
    result = pipeline.convert(SAMPLE, ["pdf"], tmp_path, Options(pdf_variant="pdf/ua-1", source_date_epoch=0))
    info = subprocess.run(["pdfinfo", str(result.outputs["pdf"])], capture_output=True, text=True).stdout
    assert re.search(r"Tagged:\s+yes", info)


def test_adjacent_punctuation_is_compressed() -> None:
    from pipeline.writers.pdf import build_html
    doc = pipeline.transform(pipeline.read(SAMPLE))
    root = build_html(doc, Options(source_date_epoch=0), Diagnostics())
    halts = root.xpath("//span[@class='halt']")
    assert len(halts) >= 30
    para9 = root.xpath("//p[@id='para-9']")[0]
    marks = [(h.text, (h.tail or "")[:1] or h.getnext().text[:1] if h.getnext() is not None else "")
             for h in para9.xpath(".//span[@class='halt']")]
    assert ("》", "、") in marks or any(m[0] == "》" for m in marks)
    assert "".join(para9.itertext()).count("》、《") == 1  # the text itself is unchanged


# --------------------------------------------------------------------------- no side effect, work done once (issue 29)


def _small() -> ir.Document:
    return ir.Document(metadata=ir.Metadata(title="測試", language="zh-Hant"),
                       blocks=(ir.Para(children=(ir.Text(text="兩端對齊的中文段落，用來檢查排版。" * 12),), number="1",
                                       id="para-1"),))


def test_the_justification_patch_lasts_only_as_long_as_our_render(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import block, inline
    from weasyprint.text import line_break

    from pipeline.writers import footnote_keep, justify, pdf

    before = (inline.text_align, line_break.Layout.set_text, block._linebox_layout)
    during: list[bool] = []
    original = pdf._notes_off_their_page

    def spy(document: object, calls: dict[str, str]) -> set[str]:  # between layout and drawing, inside the patch
        during.append(justify.installed() and inline.text_align is not before[0]
                      and footnote_keep.installed() and block._linebox_layout is not before[2]
                      and "int" in vars(draw_text))
        return original(document, calls)

    monkeypatch.setattr(pdf, "_notes_off_their_page", spy)
    pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    assert during == [True]
    assert (inline.text_align, line_break.Layout.set_text, block._linebox_layout) == before
    assert not justify.installed() and not footnote_keep.installed() and "int" not in vars(draw_text)


def test_the_kerning_weasyprint_truncates_is_written_exactly_inside_our_render_only() -> None:
    from pipeline.writers import justify

    assert justify._drawing_int(-12.3456) == -12 and type(justify._drawing_int(-12.3456)) is int  # outside
    with justify.inter_character():
        kept = justify._drawing_int(-12.3456)
        assert kept == -12 and kept + 1 == -11  # arithmetic as WeasyPrint expects
        assert f">{kept}<" == ">-12.346<" and f">{justify._drawing_int(3.0)}<" == ">3<"
        assert f"{justify._drawing_int(-0.0001)}" == "0" and justify._drawing_int("7") == 7


def test_a_weasyprint_it_was_not_written_for_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint
    from weasyprint.layout import inline

    from pipeline.errors import OutputError

    monkeypatch.setattr(weasyprint, "__version__", "79.0")
    with pytest.raises(OutputError, match=r"WeasyPrint 79\.0 is not supported.*weasyprint>=70,<71"):
        pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    monkeypatch.undo()

    def text_align(context: object, line: object, width: float) -> float:  # a changed signature
        return 0.0

    monkeypatch.setattr(inline, "text_align", text_align)
    with pytest.raises(OutputError, match=r"text_align is not what docpipe's inter-character justification relies on"):
        pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    assert inline.text_align is text_align  # nothing half-installed


def test_a_warm_worker_parses_print_css_once_and_hands_weasyprint_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    import tinyhtml5
    import weasyprint

    from pipeline.writers import pdf

    pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    parsed: list[str] = []
    real_css = weasyprint.CSS

    def css(*args: object, **kwargs: object) -> object:
        parsed.append(str(kwargs.get("base_url") or kwargs.get("filename") or "string"))
        return real_css(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "CSS", css)
    monkeypatch.setattr(tinyhtml5, "parse", lambda *a, **k: pytest.fail("the print HTML was parsed again"))
    first = pdf._warm()
    data = pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    assert data.startswith(b"%PDF") and pdf._warm() == first
    assert not [p for p in parsed if "print.css" in p]  # only the document's own small stylesheet is parsed


def test_the_tree_and_the_serialised_html_make_the_same_pdf(tmp_path: Path) -> None:
    """Handing WeasyPrint the tree changes nothing it draws: same pages, same text."""
    from lxml import etree
    from weasyprint import CSS, HTML

    from pipeline.writers import pdf

    doc = pipeline.transform(pipeline.read(SAMPLE, Options(), Diagnostics()), Options(), Diagnostics())
    opts = Options(source_date_epoch=0, base_dir=str(SAMPLE.parent))
    root = pdf.build_html(doc, opts, Diagnostics())
    font_config, print_css = pdf._warm()
    sheets = [print_css, CSS(string=pdf._page_css(opts) + pdf._font_css(doc, opts), font_config=font_config)]
    base = SAMPLE.parent.as_uri() + "/"
    made = {}
    for name, html in {"tree": pdf.weasy_html(root, base, None),
                       "string": HTML(string=etree.tostring(root, encoding="unicode", method="html"),
                                      base_url=base)}.items():
        (tmp_path / f"{name}.pdf").write_bytes(html.write_pdf(stylesheets=sheets, font_config=font_config))
        made[name] = pdftotext(tmp_path / f"{name}.pdf")
    assert made["tree"] == made["string"] and made["tree"].count("\f") > 10


def _glyphs(data: bytes) -> list[list[tuple[str, float, float]]]:
    """Each page's characters with their origins (pt), then the page's links (target and top left corner)."""
    pymupdf = need("pymupdf")
    pages = []
    with pymupdf.open(stream=data) as pdf:
        for page in pdf:
            chars = [(c["c"], c["origin"][0], c["origin"][1])
                     for block in page.get_text("rawdict")["blocks"] for line in block.get("lines", [])
                     for span in line["spans"] for c in span["chars"]]
            pages.append([*chars, *((str(link.get("uri") or link.get("page")), link["from"].x0, link["from"].y0)
                                    for link in page.get_links())])
    return pages


def _same_places(a: list[list[tuple[str, float, float]]], b: list[list[tuple[str, float, float]]]) -> list[str]:
    """Where two PDFs' characters or links differ (more than float noise: 0.01 pt)."""
    if len(a) != len(b):
        return [f"{len(a)} pages against {len(b)}"]
    out = []
    for number, (pa, pb) in enumerate(zip(a, b, strict=True), 1):
        if len(pa) != len(pb):
            out.append(f"page {number}: {len(pa)} characters and links against {len(pb)}")
            continue
        out += [f"page {number}: {x} against {y}" for x, y in zip(pa, pb, strict=True)
                if x[0] != y[0] or abs(x[1] - y[1]) > 0.01 or abs(x[2] - y[2]) > 0.01][:3]
    return out


def test_mending_a_runt_without_a_second_layout_gives_the_pages_a_second_layout_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's 孤字 are all mended by a looser tracking (the paragraphs keep their lines), so the writer puts
    the tried lines in place (pipeline/writers/line_swap.py) instead of laying the whole document out again: every
    character at the same place, the same links, as the second layout gives, and no 孤字 left."""
    from pipeline.writers import pdf

    opts = Options(source_date_epoch=0, source_name=SAMPLE.name, base_dir=str(SAMPLE.parent))
    doc = pipeline.transform(pipeline.read(SAMPLE, opts, Diagnostics()), opts, Diagnostics())
    used: list[bool] = []
    swap = pdf.swap_lines

    def spy(*args: object) -> bool:
        used.append(swap(*args))  # type: ignore[arg-type]
        return used[-1]

    monkeypatch.setattr(pdf, "swap_lines", spy)
    diag = Diagnostics()
    swapped = pipeline.write(doc, "pdf", opts, diag)
    assert used == [True]
    assert not [d for d in diag.items if "alone on its last line" in d.message]
    monkeypatch.setattr(pdf, "swap_lines", lambda *args: False)
    laid_out_again = pipeline.write(doc, "pdf", opts, Diagnostics())
    assert _same_places(_glyphs(swapped), _glyphs(laid_out_again)) == []


def test_the_tighter_trackings_are_tried_only_where_the_looser_leave_a_runt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 孤字 trial lays out copies with the looser trackings first (one layout); the others are tried in a
    second, smaller layout only for the paragraphs still ending on one character. With the first attempt alone
    in the first layout, the sample's paragraphs that need the second (4 of 7) are tried again, mended, and the pages
    are the ones the usual trial gives."""
    from pipeline.writers import pdf

    opts = Options(source_date_epoch=0, source_name=SAMPLE.name, base_dir=str(SAMPLE.parent))
    doc = pipeline.transform(pipeline.read(SAMPLE, opts, Diagnostics()), opts, Diagnostics())
    calls: list[tuple[list[int], int | None]] = []
    trial = pdf._trial_document

    def spy(*args: object) -> object:
        only = args[6] if len(args) > 6 else None
        calls.append((list(args[5]), len(only) if isinstance(only, set) else None))  # type: ignore[call-overload]
        return trial(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "_trial_document", spy)
    usual = pipeline.write(doc, "pdf", opts, Diagnostics())
    assert calls == [([0, 1], None)]  # every runt mended by a looser tracking: no second trial
    calls.clear()
    monkeypatch.setattr(pdf, "_LOOSER", range(1))
    diag = Diagnostics()
    staged = pipeline.write(doc, "pdf", opts, diag)
    assert calls[0] == ([0], None) and calls[1][0] == [1, 2] and 0 < (calls[1][1] or 0) < 7 and len(calls) == 2
    assert not [d for d in diag.items if "alone on its last line" in d.message]
    assert _same_places(_glyphs(staged), _glyphs(usual)) == []


#: A TEI division as TEI Stylesheets' own test file has it (Test/test.xml, BSD-2): line ends and tabs of the source
#: inside a heading with a note and paragraphs with notes.
_INDENTED_TEI = (
    '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>W</title><'
    '/titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>'
    '</teiHeader>\n'
    '<text><body>\n'
    '      <div>\n'
    '        <head>Footnotes and endnotes</head>\n'
    '        <div>\n'
    '          <head>1 Zur Entstehung der <hi rend="smcap">Philosophischen \n'
    '\tUntersuchungen</hi><note n="8" place="foot">Zu Textauszeichnungen und \n'
    '\tSiglen siehe die Legende.</note></head>\n'
    '          <p>Iriure dolor in hendrerit in vulputate velit esse molestie\n'
    '      consequat, vel illum dolore eu feugiat nulla facilisis at vero eros et\n'
    '      accumsan et iusto odio dignissim qui blandit praesent luptatum zzril\n'
    '      delenit augue duis dolore te feugait nulla facilisi. Lorem ipsum dolor\n'
    '      sit amet, consectetuer adipiscing elit, sed diam nonummy nibh euismod<note n="9" pla'
    'ce="foot">It is time to begin the beguine.</note>\n'
    '      Iriure dolor in hendrerit in vulputate velit esse molestie\n'
    '      consequat, vel illum dolore eu feugiat nulla facilisis at vero eros et\n'
    '      accumsan et iusto odio dignissim qui blandit praesent luptatum zzril\n'
    '      delenit augue duis dolore te feugait nulla facilisi. Lorem ipsum dolor\n'
    '      sit amet, consectetuer adipiscing elit, sed diam nonummy nibh euismod</p>\n'
    '          <p>Iriure dolor in hendrerit in vulputate<note place="end">Not Vulture</note> ve'
    'lit esse molestie\n'
    '      consequat, vel illum dolore eu feugiat nulla facilisis at vero eros et\n'
    '      accumsan et iusto odio dignissim qui blandit<note place="end">Not Blandings</note> p'
    'raesent luptatum zzril\n'
    '      delenit augue duis dolore te feugait nulla facilisi. Lorem ipsum dolor\n'
    '      sit amet, consectetuer adipiscing elit, sed diam nonummy nibh euismod</p>\n'
    '        </div>\n'
    '      </div>\n'
    '</body></text></TEI>\n'
)


def test_the_sources_line_ends_and_tabs_do_not_stop_the_renderer(tmp_path: Path) -> None:
    """WeasyPrint 70 stopped with an assertion (``Got ' \\n' between two lines``) on this TEI: the print HTML
    holds the source's white space as one space, as any renderer shows it."""
    src = tmp_path / "indented.tei.xml"
    src.write_text(_INDENTED_TEI, encoding="utf-8")
    out = pipeline.convert(src, ["pdf"], tmp_path / "out", Options(source_date_epoch=0)).outputs["pdf"]
    text = squash(pdftotext(out))
    assert "ZurEntstehungderPhilosophischenUntersuchungen" in text and "Itistimetobeginthebeguine" in text


def test_a_long_run_without_a_break_is_set_in_linear_time_and_kept_whole_in_the_text() -> None:
    """A run of 200 or more Latin characters with nowhere to break (base64, a long URL) gets zero-width spaces in
    the print HTML only (not a shorter run, not code), breaks anywhere, fills the measure, and comes out of the
    PDF's text whole: the zero-width spaces draw nothing."""
    import pymupdf

    from pipeline.writers import pdf

    blob = "QUJD" * 1500  # 6 000 characters
    doc = ir.Document(metadata=ir.Metadata(language="en"), blocks=(
        ir.Para(children=(ir.Text(text=f"Key: {blob} end."),)),
        ir.Para(children=(ir.Text(text="x" * 199),)),
        ir.Para(children=(ir.Code(text="y" * 300),)),
    ))
    opts = Options(source_date_epoch=0)
    root = pdf.build_html(doc, opts, Diagnostics())
    paras = [("".join(p.itertext())) for p in root.iter("p")]
    assert any("\u200b".join(blob) in t for t in paras)
    assert any("x" * 199 in t for t in paras) and any("y" * 300 in t for t in paras)
    data = pipeline.write(doc, "pdf", opts, Diagnostics())
    pages = pymupdf.open(stream=data, filetype="pdf")
    text = "".join(p.get_text() for p in pages)
    assert "\u200b" not in text
    assert blob in re.sub(r"[\s\d]+", "", text)  # the folios (digits) cut into it at the page breaks
    lines = [ln for p in pages for b in p.get_text("dict")["blocks"] for ln in b.get("lines", [])
             if "QUJD" in "".join(s["text"] for s in ln["spans"])]
    widths = sorted(ln["bbox"][2] - ln["bbox"][0] for ln in lines)
    assert len(lines) > 20 and widths[len(widths) // 2] > 0.95 * widths[-1]  # full lines, not ragged chunks


def test_weasyprint_is_loaded_without_a_library_search_process() -> None:
    """docpipe imports WeasyPrint with no ``ldconfig``/compiler/linker run (cffi's ``find_library`` fallback for the
    library names that are not Linux sonames): in a fresh process, no child process at all."""
    script = ("import subprocess, sys\n"
              "ran = []\n"
              "real = subprocess.Popen.__init__\n"
              "def spy(self, args, *a, **k):\n"
              "    ran.append(args)\n"
              "    real(self, args, *a, **k)\n"
              "subprocess.Popen.__init__ = spy\n"
              "from pipeline.writers import pdf\n"
              "pdf.load_weasyprint()\n"
              "assert 'weasyprint.text.ffi' in sys.modules\n"
              "print(len(ran), pdf.harfbuzz_subset_available())\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0"
    assert out[1] == "True"  # Makefile installs libharfbuzz-subset0 and the soname is found without a search


def test_each_stream_is_compressed_once_and_the_file_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydyf serialises every object twice when the PDF has an identifier (docpipe's always has one); the finisher
    makes each stream's bytes once. Same bytes as pydyf's own way, half the compressing."""
    import zlib

    import pydyf  # type: ignore[import-untyped]

    from pipeline.writers import pdf

    made = pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    calls: list[int] = []
    real = zlib.compressobj

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(zlib, "compressobj", counted)
    monkeypatch.setattr(pdf, "_once_stream", lambda: type("Plain", (pydyf.Stream,), {}))  # pydyf's own way
    twice = pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    plain_calls = len(calls)
    monkeypatch.undo()
    monkeypatch.setattr(zlib, "compressobj", counted)
    calls.clear()
    once = pipeline.write(_small(), "pdf", Options(source_date_epoch=0), Diagnostics())
    assert once == twice == made
    assert 0 < len(calls) < plain_calls


def test_equations_go_to_the_engine_that_sets_them_as_text() -> None:
    """Under ``auto`` a document with equations is set by Typst, whose PDF holds them as text; WeasyPrint's draws
    each as a picture of outlines (a Word file of equations: 59 % of its text found in the PDF, against 98 %)."""
    import unicodedata

    import pymupdf

    doc = ir.Document(metadata=ir.Metadata(title="Energy", language="en"), blocks=(ir.Para(children=(
        ir.Text(text="The energy "), ir.Math(tex="E = mc^2"), ir.Text(text=" holds, and "),
        ir.Math(tex=r"\frac{a}{b} + \sin x", display=True))),))
    assert pipeline.core.pdf_engine_for(doc, Options()) == "typst"
    assert pipeline.core.pdf_engine_for(doc, Options(marks=True)) == "weasyprint"  # what only WeasyPrint does

    def text(engine: str) -> str:
        data = pipeline.write(doc, "pdf", Options(source_date_epoch=0, pdf_engine=engine), Diagnostics())
        found = "".join(page.get_text() for page in pymupdf.open(stream=data, filetype="pdf"))
        return unicodedata.normalize("NFKC", found).replace(" ", "")  # math italic 𝐸 is E

    assert "E=mc2" in text("auto") and "sinx" in text("auto")
    assert "E=mc2" not in text("weasyprint")  # why: the picture has no text


@pytest.mark.parametrize("title,lang", [
    ("Декрет в честь Тита Аврелия Кальпурниана Аполлонида и его супруги Аврелии Паулины", "ru"),
    ("聯合國秘書長關於聯合國工作的報告（二〇二四年）以及其他相關的文件與附件", "zh-Hant")], ids=["ru", "zh"])
def test_a_title_broken_on_the_title_page_runs_whole_in_the_running_heads(title: str, lang: str) -> None:
    """The title page breaks a long title into balanced lines; the running heads take it on one line, each line
    break the space it replaced (IOSPE's Russian title ran "АврелияКальпурниана" in every head) and none
    between two Chinese characters."""
    from lxml import etree

    from pipeline.writers import pdf

    doc = ir.Document(metadata=ir.Metadata(title=title, language=lang),
                      blocks=(ir.Para(children=(ir.Text(text="Текст." if lang == "ru" else "正文。"),)),))
    root = pdf.build_html(doc, Options(source_date_epoch=0), Diagnostics())
    h1 = next(e for e in root.iter("h1") if e.get("class") == "title")
    assert h1.find("br") is not None  # the title page did break it
    assert h1.get("data-running") == pdf.running(title)
    assert etree.tostring(h1, encoding="unicode").count("<br/>") >= 1
