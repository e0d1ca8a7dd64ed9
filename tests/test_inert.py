"""Hardening round three (issue 25): outputs inert by construction, crashes turned into one-line errors, the
picture routes that echoed refused data. Each case is built here from the issue's description; every output is
judged by the one scanner, :func:`tests.active_content.active_content` (Markdown as pandoc renders it)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import struct
import time
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest

from pipeline import core, ir, ir_json
from pipeline.diagnostics import Diagnostics
from pipeline.errors import DocpipeError, InputError, IRFormatError, LimitError
from pipeline.guard import short_source, url_allowed
from pipeline.media import MAX_SVG_ELEMENTS, sanitize_svg
from pipeline.options import Options
from pipeline.walk import block_text
from pipeline.writers.markdown import attr_allowed, code_span
from tests.active_content import active_content, scan_folder_files

SCRIPT = "<script>alert(1)</script>"
OPTS = Options(source_date_epoch=1724198400)


def doc_of(*inlines: ir.Inline, media: tuple[ir.Media, ...] = ()) -> ir.Document:
    return ir.Document(metadata=ir.Metadata(title="t", language="en"), blocks=(ir.Para(children=inlines),),
                       media=media)


def render(doc: ir.Document, *fmts: str, diag: Diagnostics | None = None) -> dict[str, bytes]:
    r = core.render(doc, list(fmts), OPTS.with_(output_name="x"), diag or Diagnostics())
    files = {f"x.{'tei.xml' if f == 'tei' else f}": data for f, data in r.files.items()}
    files.update({f"x.media/{n}": data for n, data in r.media.items()})
    return files


def read(data: bytes, name: str, options: Options = OPTS) -> ir.Document:
    return core.read_bytes(data, name, options, Diagnostics())


# --------------------------------------------------------------------------- the scanner itself
def test_scanner_finds_what_it_should() -> None:
    """The scanner is honest: live content in each syntax is found (else every test below proves nothing)."""
    assert active_content(b"<p>x</p><script>1</script>", "html")
    assert active_content(b'<p onclick="x">x</p>', "html")
    assert active_content(b'<a href=" java\tscript:x">x</a>', "html")
    assert active_content(b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://t/p.gif"/></svg>', "svg")
    assert active_content(b'<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="x"/></a></svg>',
                          "svg")
    assert active_content(b"``a`` <script>x</script>", "md")
    assert active_content(b"[x](https://x.org/) <script>x</script>", "md")
    assert active_content(b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><graphic url="https://t/p.gif"/></TEI>', "tei")
    assert not active_content(b"<p>&lt;script&gt;</p>", "html")
    assert not active_content(b"\\<script\\>", "md")


# --------------------------------------------------------------------------- Markdown writer
def test_code_span_fence_is_longer_than_any_backtick_run() -> None:
    text = "a``" + SCRIPT + "``b`"
    doc = doc_of(ir.Code(text=text))
    md = render(doc, "md")["x.md"]
    assert active_content(md, "md") == []
    assert code_span("x```y") == "````x```y````"
    # pandoc reads the same code back
    back = read(md, "back.md")
    codes = [n for b in back.blocks if isinstance(b, ir.Para) for n in b.children if isinstance(n, ir.Code)]
    assert codes and codes[0].text == text


@pytest.mark.parametrize("target, title", [
    ("https://x.org/) " + SCRIPT, None),
    ("https://x.org/a>b<c", '"><img src=x onerror=alert(1)>'),
    ("https://x.org/\\", 'x" onmouseover="alert(1)'),
    ("#fn-1 " + SCRIPT, "t\n" + SCRIPT),
])
def test_link_destination_and_title_are_escaped(target: str, title: str | None) -> None:
    doc = doc_of(ir.Text(text="see "), ir.Link(children=(ir.Text(text="here"),), target=target, title=title))
    md = render(doc, "md")["x.md"]
    assert active_content(md, "md") == [], md.decode()
    if target.startswith("https:"):  # an external link reads back as itself (pandoc percent-encodes it)
        back = read(md, "back.md")
        links = [n for b in back.blocks if isinstance(b, ir.Para) for n in b.children if isinstance(n, ir.Link)]
        assert len(links) == 1 and unquote(links[0].target) == target and links[0].title == title


def _docx_with_hyperlink(target: str) -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph("before")
    buf = io.BytesIO()
    d.save(buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    members = {n: z.read(n) for n in z.namelist()}
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    rel = ('<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           f'hyperlink" Target="{target}" TargetMode="External"/>')
    rels = members["word/_rels/document.xml.rels"].decode().replace("</Relationships>", rel + "</Relationships>")
    link = (f'<w:p xmlns:w="{w}"><w:hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships" r:id="rIdX"><w:r><w:t>click</w:t></w:r></w:hyperlink></w:p>')
    body = members["word/document.xml"].decode()
    body = re.sub(r"(<w:body>)", r"\1" + link.replace(f' xmlns:w="{w}"', ""), body, count=1)
    body = body.replace("<w:document ", '<w:document xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                        '2006/relationships" ', 1) if "xmlns:r=" not in body else body
    members["word/_rels/document.xml.rels"] = rels.encode()
    members["word/document.xml"] = body.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zz:
        for n, data in members.items():
            zz.writestr(n, data)
    return out.getvalue()


def test_docx_hyperlink_target_with_script_is_inert_in_markdown() -> None:
    """The issue's route: a Word hyperlink relationship whose target is ``https://x.org/) <script>…``."""
    data = _docx_with_hyperlink("https://x.org/) &lt;script&gt;alert(1)&lt;/script&gt;")
    doc = read(data, "link.docx")
    assert any(isinstance(n, ir.Link) for b in doc.blocks if isinstance(b, ir.Para) for n in b.children)
    files = render(doc, "md", "html", "epub")
    assert scan_folder_files(files) == []


def test_span_attributes_come_from_an_allow_list() -> None:
    span = ir.Span(children=(ir.Text(text="s"),), attrs=(("onclick", "alert(1)"), ("href", "javascript:x"),
                                                          ("style", "background:url(http://t/x)"), ("n", "3"),
                                                          ("data-x", "1"), ('a" onclick="x', "y")))
    diag = Diagnostics()
    md = render(doc_of(span), "md", diag=diag)["x.md"]
    text = md.decode()
    assert "onclick" not in text and "href" not in text and "style" not in text
    assert 'n="3"' in text and 'data-x="1"' in text
    assert active_content(md, "md") == []
    assert any(d.code == "writer-dropped" for d in diag.items)
    assert attr_allowed("rend") and not attr_allowed("onload") and not attr_allowed("srcdoc")


def test_markdown_math_and_metadata_cannot_open_html() -> None:
    doc = ir.Document(metadata=ir.Metadata(title=SCRIPT, authors=("<img src=x onerror=alert(1)>",)),
                      blocks=(ir.Para(children=(ir.Math(tex="a$" + SCRIPT + "$"), ir.Text(text="2 apples"),
                                                ir.Math(tex=" x\\"), ir.NoteRef(note_id="nope", marker=SCRIPT))),
                              ir.Heading(level=0, children=(ir.Text(text="h"),), id='x" onclick="y'),
                              ir.CodeBlock(text="```\n" + SCRIPT + "\n```", language="x onclick=y")))
    md = render(doc, "md")["x.md"]
    assert active_content(md, "md") == [], md.decode()


TEI = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
       "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
       "<text><body>{}</body></text></TEI>")


def test_tei_to_markdown_never_writes_script() -> None:
    body = ('<p>a &lt;script&gt;alert(1)&lt;/script&gt; b <seg rend="x" onclick="alert(1)">s</seg>'
            '<hi rend="@onclick=alert(1)">h</hi> <code>`` &lt;script&gt;x&lt;/script&gt;</code>'
            '<ref target="https://x.org/) &lt;script&gt;alert(1)&lt;/script&gt;">r</ref></p>'
            '<p><script xmlns="http://www.w3.org/1999/xhtml">alert(2)</script></p>')
    doc = read(TEI.format(body).encode(), "s.tei.xml")
    files = render(doc, "md", "html")
    assert scan_folder_files(files) == []


def test_tei_passthrough_filters_javascript_and_remote_pictures() -> None:
    """TEI → TEI with a ``teiHeader``: ``ptr``/``ref`` with ``javascript:`` targets and ``graphic`` pointing at
    ``javascript:`` or a remote tracking pixel do not pass through."""
    body = ('<p>x <ptr target="javascript:alert(1)"/> <ref target="javascript:alert(2)">r</ref> '
            '<graphic url="javascript:alert(3)"/> <graphic url="https://tracker.example/pixel.gif"/> '
            '<ptr target="https://ok.example/"/></p>')
    doc = read(TEI.format(body).encode(), "s.tei.xml")
    files = render(doc, "tei", "html", "md", "epub")
    assert scan_folder_files(files) == []
    tei = files["x.tei.xml"].decode()
    assert "javascript:" not in tei and "tracker.example" not in tei


# --------------------------------------------------------------------------- SVG: one sanitiser, every route
EVIL_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" '
            b'height="10" onload="alert(1)"><script>alert(2)</script>'
            b'<a xlink:href="#r"><set attributeName="xlink:href" to="javascript:alert(3)"/>'
            b'<animate attributeName="href" values="javascript:alert(4)"/><text y="9">go</text></a>'
            b'<image href="https://tracker.example/p.gif" width="1" height="1"/>'
            b'<rect id="r" width="5" height="5" style="fill:url(https://t.example/x#g)" onclick="alert(5)"/>'
            b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
            b'<style>@import url(https://t.example/s.css);</style></svg>')


def test_svg_sanitiser_keeps_only_its_allow_list() -> None:
    clean, size = sanitize_svg(EVIL_SVG)
    assert active_content(clean, "svg") == [], clean
    assert b"<text" in clean and b"<rect" in clean and size == (20, 10)
    assert sanitize_svg(clean)[0] == clean  # idempotent: a second pass (an .ir.json load) changes nothing


def test_svg_in_ir_json_is_sanitised_on_load() -> None:
    medium = ir.Media(name="0123456789abcdef.svg", media_type="image/svg+xml", data=EVIL_SVG,
                      sha256=hashlib.sha256(EVIL_SVG).hexdigest())
    doc = doc_of(ir.Image(media=medium.name, alt=(ir.Text(text="p"),)), media=(medium,))
    loaded = ir_json.read(ir_json.dumps(doc).encode(), OPTS, Diagnostics(), name="x.ir.json")
    assert loaded.media[0].data != EVIL_SVG
    files = render(loaded, "epub", "md", "html")
    assert scan_folder_files(files) == []
    assert any(n.endswith(".svg") for n in files)


@pytest.mark.parametrize("data, kind", [
    (b"<html><script>alert(1)</script></html>", "image/png"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/svg+xml"),
    (b"<p>x</p>", "text/html"),
])
def test_ir_json_media_must_be_the_picture_it_says(data: bytes, kind: str) -> None:
    medium = ir.Media(name="0123456789abcdef.png", media_type=kind, data=data, sha256=hashlib.sha256(data).hexdigest())
    with pytest.raises(IRFormatError) as info:
        ir_json.loads(ir_json.dumps(doc_of(ir.Text(text="x"), media=(medium,))))
    assert "\n" not in info.value.one_line()


def test_svg_from_a_reader_is_sanitised(tmp_path: Path) -> None:
    (tmp_path / "p.svg").write_bytes(EVIL_SVG)
    src = tmp_path / "s.md"
    src.write_text("# T\n\n![picture](p.svg)\n", encoding="utf-8")
    doc = read(src.read_bytes(), str(src), OPTS.with_(base_dir=str(tmp_path)))
    assert len(doc.media) == 1
    assert scan_folder_files(render(doc, "epub", "html", "md")) == []


def test_svg_with_doctype_and_no_entity_is_accepted() -> None:
    """An Illustrator export: XML declaration, comment, DOCTYPE with public and system ids, no entity."""
    data = (b'<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator 24.0.0 -->\n'
            b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
            b'<svg version="1.1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'x="0px" y="0px" viewBox="0 0 40 30" xml:space="preserve"><g><rect x="1" y="1" width="38" height="28" '
            b'fill="#336699"/></g></svg>')
    clean, size = sanitize_svg(data)
    assert b"DOCTYPE" not in clean and b"<rect" in clean and size == (40, 30)
    with pytest.raises(ValueError, match="entities"):
        sanitize_svg(data.replace(b".dtd\">", b'.dtd" [<!ENTITY ns "x">]>'))


def test_nested_use_is_bounded_by_what_it_draws() -> None:
    """Ten levels of ten ``<use>`` each: only 100 ``use`` elements, but 10¹⁰ drawn — refused, at once."""
    parts = [b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs>'
             b'<rect id="l0" width="1" height="1"/>']
    for i in range(1, 11):
        parts.append(f'<g id="l{i}">'.encode() + f'<use xlink:href="#l{i - 1}"/>'.encode() * 10 + b"</g>")
    parts.append(b'</defs><use xlink:href="#l10"/></svg>')
    start = time.process_time()
    with pytest.raises(ValueError, match="would draw more than"):
        sanitize_svg(b"".join(parts))
    assert time.process_time() - start < 2
    small = b"".join(parts[:4]) + b'</defs><use xlink:href="#l3"/></svg>'  # 1,000 drawn: accepted
    assert sanitize_svg(small)[0].count(b"<use") == 31
    with pytest.raises(ValueError, match="itself"):
        sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>')
    assert MAX_SVG_ELEMENTS >= 1000


# --------------------------------------------------------------------------- URL policy
@pytest.mark.parametrize("value, kind, ok", [
    ("https://x.org/", "link", True), ("#fn-1", "link", True), ("mailto:a@b.org", "link", True),
    (" java\tscript:alert(1)", "link", False), ("JaVaScRiPt:alert(1)", "pointer", False),
    ("data:text/html,<script>", "pointer", False), ("cb:T01n0001", "pointer", True), ("#w1 #w2", "pointer", True),
    ("img/a.png", "picture", True), ("https://t.example/p.gif", "picture", False), ("//t.example/p.gif", "picture",
                                                                                    False),
    ("../../etc/passwd", "picture", False), ("/etc/passwd", "picture", False),
    ("data:image/png;base64,AAAA", "picture", True), ("data:image/svg+xml,<svg onload=x>", "picture", False),
])
def test_one_url_policy(value: str, kind: str, ok: bool) -> None:
    assert url_allowed(value, kind) is ok


# --------------------------------------------------------------------------- crashes become one-line errors
def _docx(document_xml: str) -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph("Hello world")
    buf = io.BytesIO()
    d.save(buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zz:
        for n in z.namelist():
            data = z.read(n)
            if n == "word/document.xml":
                data = re.sub(rb"<w:body>.*</w:body>", document_xml.encode(), data, flags=re.S)
            zz.writestr(n, data)
    return out.getvalue()


def _random_text(n: int) -> str:
    # letters from a fixed LCG: deflate cannot squeeze them past the zip-bomb ratio, and no RNG state is shared
    x, out = 12345, []
    for _ in range(n):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
        out.append(chr(97 + (x >> 16) % 26))
    return "".join(out)


@pytest.mark.parametrize("case, error", [
    ("control", InputError), ("sdt300", LimitError), ("text10mb", LimitError),
])
def test_damaged_docx_xml_is_a_one_line_error(case: str, error: type[DocpipeError]) -> None:
    para = "<w:p><w:r><w:t>{}</w:t></w:r></w:p>"
    body = {
        "control": para.format("Hello\x01world"),
        "sdt300": "<w:sdt><w:sdtContent>" * 300 + para.format("deep") + "</w:sdtContent></w:sdt>" * 300,
        "text10mb": para.format(_random_text(10_500_000)) if case == "text10mb" else "",
    }[case]
    data = _docx(f"<w:body>{body}</w:body>")
    with pytest.raises(error) as info:
        read(data, f"{case}.docx")
    line = info.value.one_line()
    assert "\n" not in line and "word/document.xml" in line


def test_tei_heading_of_level_zero_to_epub(tmp_path: Path) -> None:
    from tests.epubcheck_run import epubcheck
    body = '<div type="subsection0"><head>Zero</head><p>a</p></div><div><head>One</head><p>b</p></div>'
    doc = read(f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>{body}</body></text></TEI>'.encode(), "z.tei.xml")
    assert any(isinstance(b, ir.Heading) and b.level == 0 for b in _all_blocks(doc.blocks))
    files = render(doc, "epub")
    epub = tmp_path / "z.epub"
    epub.write_bytes(files["x.epub"])
    r = epubcheck(epub)
    assert r.returncode == 0, r.stdout[-2000:]


def _all_blocks(blocks: tuple[ir.Block, ...]) -> list[ir.Block]:
    out: list[ir.Block] = []
    for b in blocks:
        out.append(b)
        if isinstance(b, ir.Div | ir.Box | ir.BlockQuote):
            out.extend(_all_blocks(b.blocks))
    return out


# --------------------------------------------------------------------------- refused data is never echoed
def _png_bomb(pad: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    # the padding is an ancillary chunk: a real-looking PNG whose header claims 3.6 gigapixels
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"c\0" + b"x" * pad)
            + chunk(b"IDAT", zlib.compress(b"\0" * 61)) + chunk(b"IEND", b""))


def test_decompression_bomb_placeholder_does_not_echo_its_data_url() -> None:
    bomb = _png_bomb(2_600_000)
    url = "data:image/png;base64," + base64.b64encode(bomb).decode()
    assert len(url) > 3_400_000
    src = f"<html><body><p>before</p><p><img src=\"{url}\"></p><p>after</p></body></html>".encode()
    diag = Diagnostics()
    doc = core.read_bytes(src, "bomb.html", OPTS, diag)
    assert not doc.media
    assert any(d.code == "media-refused" and "bomb" in d.message for d in diag.items)
    assert max(len(d.message) for d in diag.items) < 2000
    start = time.process_time()
    files = render(doc, "html", "md", "tei", "docx", "pdf")
    assert time.process_time() - start < 60
    for name, data in files.items():
        assert len(data) < 500_000, name
        if not name.endswith((".pdf", ".docx")):
            assert b"iVBORw0KGgo" not in data, name
    assert short_source(url) is not None and len(short_source(url) or "") < 100


# --------------------------------------------------------------------------- entity scan covers the whole file
PAD = "<!--" + "x" * 70_000 + "-->"


def test_html_entity_after_64k_is_refused() -> None:
    src = f'<!DOCTYPE html [{PAD}<!ENTITY a "SECRET">]><html><body><p>&a;</p></body></html>'
    with pytest.raises(InputError, match="entities") as info:
        read(src.encode(), "late.html")
    assert info.value.offset is not None and info.value.offset > 65536


@pytest.mark.parametrize("where", [
    "prolog",
    "subset",
])
def test_tei_entity_after_64k_is_expanded_by_docpipe(where: str) -> None:
    """TEI's declared entities are replaced by docpipe itself, never by the parser (readers/doctype.py), wherever
    the declaration stands: one after 64 KB of comment is found and its value bounded like any other."""
    head = (f'<?xml version="1.0"?>{PAD}<!DOCTYPE TEI [<!ENTITY a "declared">]>' if where == "prolog"
            else f'<?xml version="1.0"?><!DOCTYPE TEI [{PAD}<!ENTITY a "declared">]>')
    doc = read((head + TEI.format("<p>&a;</p>")).encode(), "late.tei.xml")
    assert block_text(doc.blocks) == "declared"
    laughs = head.replace('"declared">', '"' + "&b;" * 10 + '"><!ENTITY b "' + "x" * 100_000 + '">')
    with pytest.raises(LimitError, match="entities expand"):
        read((laughs + TEI.format("<p>" + "&a;" * 20 + "</p>")).encode(), "late.tei.xml")


def test_ir_json_with_a_raster_bomb_is_refused() -> None:
    bomb = _png_bomb(10)
    medium = ir.Media(name="0123456789abcdef.png", media_type="image/png", data=bomb,
                      sha256=hashlib.sha256(bomb).hexdigest())
    text = json.dumps({"docpipe-ir": ir.IR_VERSION, "document": ir_json.to_data(doc_of(ir.Text(text="x"),
                                                                                         media=(medium,)))})
    with pytest.raises(IRFormatError, match=r"decompression bomb|pixels"):
        ir_json.read(text.encode(), OPTS, Diagnostics(), name="bomb.ir.json")


def test_tei_header_passthrough_is_inert() -> None:
    """The kept ``teiHeader`` is filtered by the same URL policy as the body."""
    src = TEI.replace("<title>t</title>", '<title>t <ptr target="javascript:alert(1)"/></title>').replace(
        "<p>p</p>", '<p>p <graphic url="https://tracker.example/p.gif"/></p>').format("<p>a</p>")
    files = render(read(src.encode(), "h.tei.xml"), "tei")
    assert scan_folder_files(files) == []


def test_inert_tree_filters_a_kept_header() -> None:
    from lxml import etree

    from pipeline.guard import inert_tree
    hdr = etree.fromstring('<teiHeader xmlns="http://www.tei-c.org/ns/1.0"><p><ptr target="javascript:x"/>'
                           '<graphic url="https://t.example/p.gif"/><graphic url="local.png"/>'
                           '<ref target="https://ok.example/" onclick="x">r</ref></p></teiHeader>')
    removed = inert_tree(hdr)
    assert sorted(removed) == ["graphic/@url", "ptr/@target", "ref/@onclick"]
    assert active_content(etree.tostring(hdr), "tei") == []


def test_long_metadata_to_docx_is_no_crash() -> None:
    """A paper with forty authors: the joined author list passes python-docx's 255-character limit."""
    doc = ir.Document(metadata=ir.Metadata(title="T" * 300, authors=tuple(f"Author Number {i}" for i in range(40)),
                                           session="s" * 300, symbol="A/79/" + "1" * 300),
                      blocks=(ir.Para(children=(ir.Text(text="x"),)),))
    assert render(doc, "docx")["x.docx"]


def test_what_stands_beside_a_tei_text_is_made_inert_as_its_header() -> None:
    """A facsimile kept beside the text keeps its page images named by relative paths (archival data) and loses
    a remote one and an active pointer; an element TEI does not allow there (make fuzz seed 38's
    ``<ptr target="javascript:…">``) is not written, and said."""
    src = (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
           b'<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>'
           b'<facsimile><surface><graphic url="../Images/f1.png"/><graphic url="https://tracker.example/p.gif"/>'
           b'<graphic url="javascript:alert(1)"/></surface></facsimile><ptr target="javascript:alert(2)"/>'
           b'<text><body><p>x</p></body></text></TEI>')
    diag = Diagnostics()
    doc = core.read_bytes(src, "t.tei.xml", Options(), diag)
    out = core.render(doc, ["tei"], Options(source_date_epoch=0), diag).files["tei"].decode()
    assert 'url="../Images/f1.png"' in out
    assert "tracker.example" not in out and "javascript:" not in out
    assert any("<ptr> stood beside the text" in d.message for d in diag.items)
