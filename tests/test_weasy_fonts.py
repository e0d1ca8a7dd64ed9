"""WeasyPrint's font copies and deflate level as docpipe sets them (pipeline/writers/weasy_fonts.py): the PDF
holds the same fonts and text as WeasyPrint's own writing of the same HTML, with each font's file read only
where something asks for it."""

from __future__ import annotations

import html
import io
import subprocess
import sys
import zlib
from pathlib import Path

from fontTools.ttLib import TTFont

from pipeline.writers import weasy_fonts
from pipeline.writers.pdf import load_weasyprint

from .conftest import SAMPLE, require_tool

HTML = ("<html lang='zh-Hant'><body style='font-family: \"Noto Serif CJK TC\", serif'>"
        "<h1>第一章 總則</h1><p>聯合國秘書長的報告 Report of the Secretary-General, 2024.</p></body></html>")

#: WeasyPrint as it is, in a process of its own (nothing of docpipe imported).
_PLAIN = """
import sys
from weasyprint import HTML
HTML(string=sys.argv[1]).write_pdf(sys.argv[2])
"""


def test_the_pdf_holds_what_weasyprints_own_holds(tmp_path: Path) -> None:
    pdffonts, pdftotext = require_tool("pdffonts"), require_tool("pdftotext")
    load_weasyprint()
    from weasyprint import HTML as Html
    from weasyprint.pdf import fonts

    assert isinstance(fonts.Font.file_content, property)
    ours, plain = tmp_path / "ours.pdf", tmp_path / "plain.pdf"
    Html(string=HTML).write_pdf(ours)
    subprocess.run([sys.executable, "-c", _PLAIN, HTML, str(plain)], check=True)

    def run(tool: str, pdf: Path) -> str:
        args = [tool, str(pdf)] + (["-"] if tool == pdftotext else [])  # pdftotext's text to stdout
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    assert run(pdffonts, ours) == run(pdffonts, plain)
    assert "CJK" in run(pdffonts, ours) and "聯合國秘書長" in run(pdftotext, ours)
    assert run(pdftotext, ours) == run(pdftotext, plain)
    # the same streams deflated at level 6 instead of 9: a little larger, never by much
    assert 1.0 <= ours.stat().st_size / plain.stat().st_size < 1.02


def test_a_fonts_file_is_read_when_asked_for() -> None:
    load_weasyprint()
    from weasyprint.pdf import fonts
    weasy_fonts.install()  # a second call changes nothing
    assert isinstance(fonts.Font.file_content, property)
    font = fonts.Font.__new__(fonts.Font)
    font.__dict__["hb_face"] = object()
    font.file_content = b"OTTO subset"  # what the subsetting stores is what is embedded
    assert font.file_content == b"OTTO subset" and font.type == "otf"


def test_streams_are_deflated_at_zlibs_default_level() -> None:
    load_weasyprint()
    import pydyf  # type: ignore[import-untyped]

    data = bytes(range(256)) * 400
    stream = pydyf.Stream([data], compress=True).data
    packed = zlib.compressobj(weasy_fonts.DEFLATE_LEVEL)
    expected = packed.compress(data) + packed.flush()
    assert expected in stream and zlib.decompress(expected) == data


#: The sample's first lines (a CFF face of the Noto CJK collections, whose first pass keeps no glyph past the last
#: one used) and code (DejaVu Sans Mono: TrueType, with FontForge's table).
_MIXED = ("<html lang='zh-Hant'><body style='font-family: \"Noto Serif CJK TC\", serif'><p>"
          + html.escape(SAMPLE.read_text(encoding="utf-8")[:300])
          + "</p><pre style='font-family: \"DejaVu Sans Mono\"'>print('done')</pre></body></html>")


def test_one_subsetting_pass_embeds_the_bytes_of_weasyprints_two() -> None:
    load_weasyprint()
    from weasyprint import HTML as Html
    from weasyprint.pdf import fonts

    ours = fonts.Font._harfbuzz_subset
    assert hasattr(ours, "weasyprint"), "docpipe's subsetting is not installed"
    made: list[tuple[object, object, bool, bytes]] = []

    def spy(self: object, to_unicode: object, hinting: bool) -> None:
        ours(self, to_unicode, hinting)
        made.append((self, to_unicode, hinting, self.file_content))  # type: ignore[attr-defined]

    fonts.Font._harfbuzz_subset = spy
    try:
        Html(string=_MIXED).write_pdf()
    finally:
        fonts.Font._harfbuzz_subset = ours
    families = {font.family for font, *_ in made}  # type: ignore[attr-defined]
    assert {"Noto Serif CJK TC", "DejaVu Sans Mono"} <= families, families
    one_pass = 0
    for font, to_unicode, hinting, data in made:
        glyphs = TTFont(io.BytesIO(data), lazy=True)["maxp"].numGlyphs
        one_pass += not weasy_fonts.second_pass(font.tables, glyphs, max(to_unicode))  # type: ignore
        ours.weasyprint(font, to_unicode, hinting)  # WeasyPrint's own two passes, on the same face and glyphs
        assert font.file_content == data, font.family  # type: ignore[attr-defined]
    assert one_pass >= 1  # the CJK face was subset once


def test_which_faces_get_the_second_pass() -> None:
    cff = ["BASE", "CFF ", "GDEF", "GPOS", "GSUB", "OS/2", "VORG", "cmap", "head", "hhea", "hmtx", "maxp", "name",
           "post", "vhea", "vmtx"]  # a Noto CJK face
    assert not weasy_fonts.second_pass(cff, 63031, 63030)
    assert weasy_fonts.second_pass(cff, 63034, 63030)  # the first pass kept glyphs past the last one used
    assert weasy_fonts.second_pass([*cff, "FFTM"], 63031, 63030)  # a table the second pass drops
    assert weasy_fonts.second_pass(["glyf", "loca", "head", "cmap", "hmtx", "maxp"], 101, 100)  # TrueType


_IMPORTS = """
import sys
from pipeline.writers.pdf import load_weasyprint
load_weasyprint()
deferred = [m for m in ("fontTools.subset", "fontTools.varLib.instancer") if m in sys.modules]
from weasyprint.pdf import fonts
assert fonts.subset.Options.__module__ == "fontTools.subset", fonts.subset.Options
assert type(sys.modules["fontTools.subset"]).__name__ == "module"
import fontTools.varLib.instancer as instancer
assert fonts.instantiateVariableFont.__name__ == instancer.instantiateVariableFont.__name__
assert type(instancer).__name__ == "module"
print(deferred)
"""


def test_fonttools_subsetter_is_imported_when_first_used() -> None:
    run = subprocess.run([sys.executable, "-c", _IMPORTS], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"  # neither imported by WeasyPrint's import; both work when asked for
