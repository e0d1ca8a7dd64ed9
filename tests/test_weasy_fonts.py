"""WeasyPrint's font copies and deflate level as docpipe sets them (pipeline/writers/weasy_fonts.py): the PDF
holds the same fonts and text as WeasyPrint's own writing of the same HTML, with each font's file read only
where something asks for it."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

from pipeline.writers import weasy_fonts
from pipeline.writers.pdf import load_weasyprint

from .conftest import require_tool

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
    import pydyf

    data = bytes(range(256)) * 400
    stream = pydyf.Stream([data], compress=True).data
    packed = zlib.compressobj(weasy_fonts.DEFLATE_LEVEL)
    expected = packed.compress(data) + packed.flush()
    assert expected in stream and zlib.decompress(expected) == data
