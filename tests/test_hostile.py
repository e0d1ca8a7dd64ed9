"""Hostile and broken inputs: each gets a clear error or a diagnostic, reads nothing it should not, and
leaves no output or temporary file behind. One case per test id; see SECURITY.md."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline.diagnostics import Diagnostics
from pipeline.errors import DocpipeError, InputError, LimitError, ToolError
from pipeline.options import Options
from tests.conftest import ROOT

SECRET = "TOP-SECRET-掩藏的內容"
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>")


def zipped(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def secret_file(tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere"
    outside.mkdir(exist_ok=True)
    f = outside / "secret.txt"
    f.write_text(SECRET, encoding="utf-8")
    return f


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def convert_fails(path: Path, out: Path, error: type[DocpipeError], match: str, **opts: object) -> DocpipeError:
    with pytest.raises(error, match=match) as info:
        pipeline.convert(path, ["html", "tei"], out, Options(**opts))  # type: ignore[arg-type]
    assert not out.exists() or not any(out.iterdir()), "a failed conversion left files behind"
    assert str(path) in info.value.one_line() or path.name in info.value.one_line()
    return info.value


# --------------------------------------------------------------------------- XML attacks
TEI_HEAD = '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>'
TEI_TAIL = "</p></body></text></TEI>"


def test_tei_billion_laughs_is_refused(tmp_path: Path) -> None:
    """Entities a TEI file declares are expanded by docpipe itself (doctype.py), within a bound: nine levels of
    ten references each is refused, one line, before anything is expanded past it."""
    src = tmp_path / "laughs.tei.xml"
    src.write_text(LAUGHS.replace("<!DOCTYPE r", "<!DOCTYPE TEI") + TEI_HEAD + "&i;" + TEI_TAIL, encoding="utf-8")
    convert_fails(src, tmp_path / "out", LimitError, "entit")
    wide = tmp_path / "wide.tei.xml"  # shallow but wide: 10^6 bytes from a few lines
    wide.write_text('<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY a "' + "a" * 1000 + '">'
                    '<!ENTITY b "' + "&a;" * 1000 + '">]>' + TEI_HEAD + "&b;" * 20 + TEI_TAIL, encoding="utf-8")
    convert_fails(wide, tmp_path / "out2", LimitError, "entities expand")


@pytest.mark.parametrize("name, doc", [
    ("tei-external-file-entity", '<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY x SYSTEM "SECRET">]>'
     + TEI_HEAD + "ok&x;" + TEI_TAIL),
    ("tei-external-http-entity", '<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
     + TEI_HEAD + "ok&x;" + TEI_TAIL),
    ("tei-parameter-entity", '<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY % p SYSTEM "SECRET"> %p;]>'
     + TEI_HEAD + "ok" + TEI_TAIL),
])
def test_xml_entity_attacks_in_tei(name: str, doc: str, tmp_path: Path) -> None:
    """An external entity (a file, a URL) or parameter entity is never read: its references are left out and
    reported, the rest of the document converted."""
    secret = secret_file(tmp_path)
    src = tmp_path / f"{name}.tei.xml"
    src.write_text(doc.replace("SECRET", secret.as_uri()), encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["html", "tei"], tmp_path / "out", Options(), diag=diag)
    for path in result.outputs.values():
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text and "ok" in text
    codes = {d.code for d in diag.items}
    assert "text-repaired" in codes
    if "&x;" in doc:
        assert any(d.code == "external-resource-blocked" and "&x;" in d.message for d in diag.items)


def test_tei_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    src = tmp_path / "dtd.tei.xml"
    src.write_text(f'<?xml version="1.0"?><!DOCTYPE TEI SYSTEM "{secret_file(tmp_path).as_uri()}">'
                   + TEI_HEAD + "ok" + TEI_TAIL, encoding="utf-8")
    result = pipeline.convert(src, ["html"], tmp_path / "out", Options())
    assert SECRET not in result.outputs["html"].read_text(encoding="utf-8")


def test_tei_nested_too_deep(tmp_path: Path) -> None:
    src = tmp_path / "deep.tei.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>' + "<div>" * 500 + "<p>x</p>"
                   + "</div>" * 500 + "</body></text></TEI>", encoding="utf-8")
    convert_fails(src, tmp_path / "out", LimitError, r"nested (deeper|\d+ deep)")


def test_tei_malformed(tmp_path: Path) -> None:
    src = tmp_path / "bad.tei.xml"
    src.write_text("<TEI>\n<text>\n<body><p>unclosed</body>", encoding="utf-8")
    err = convert_fails(src, tmp_path / "out", InputError, "not well-formed")
    assert err.line == 3


def test_tei_wrong_root(tmp_path: Path) -> None:
    src = tmp_path / "svg.xml"
    src.write_text("<svg/>", encoding="utf-8")
    convert_fails(src, tmp_path / "out", InputError, "expected a TEI document")


def test_html_entity_declaration(tmp_path: Path) -> None:
    src = tmp_path / "e.html"
    src.write_text(LAUGHS.replace("<!DOCTYPE r", "<!DOCTYPE html") + "<html><body><p>&i;</p></body></html>",
                   encoding="utf-8")
    convert_fails(src, tmp_path / "out", InputError, "entities")


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_entities_inside_archives(kind: str, tmp_path: Path) -> None:
    member = "word/document.xml" if kind == "docx" else "EPUB/text.xhtml"
    src = tmp_path / f"e.{kind}"
    src.write_bytes(zipped({"[Content_Types].xml" if kind == "docx" else "mimetype": "x",
                            member: LAUGHS + "<r>&i;</r>"}))
    convert_fails(src, tmp_path / "out", InputError, "declares XML entities")


# --------------------------------------------------------------------------- archives
@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_zip_bomb(kind: str, tmp_path: Path) -> None:
    src = tmp_path / f"bomb.{kind}"
    src.write_bytes(zipped({"mimetype": "application/epub+zip", "a.xml": "0" * 25_000_000,
                            "b.xml": "0" * 25_000_000}))
    convert_fails(src, tmp_path / "out", LimitError, "expands to more than", max_expanded_bytes=20_000_000)


def test_a_member_whose_declared_size_lies(tmp_path: Path) -> None:
    """The directory says 1,000 bytes; the stream inflates to 60 MB (pandoc would read it all)."""
    import struct
    import zlib as _z
    body = b"0" * 60_000_000
    packed = _z.compressobj(9, _z.DEFLATED, -15)
    raw = packed.compress(body) + packed.flush()
    crc = _z.crc32(body[:1000])
    name = b"word/document.xml"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), 1000, len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(raw), 1000,
                          len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(raw), 0)
    src = tmp_path / "liar.docx"
    src.write_bytes(local + raw + central + end)
    convert_fails(src, tmp_path / "out", LimitError, "declares 1000 bytes but inflates past that")


@pytest.mark.parametrize("kind, name", [("docx", "../../evil.xml"), ("epub", "/etc/evil"), ("docx", "C:/evil")])
def test_path_traversal_members(kind: str, name: str, tmp_path: Path) -> None:
    src = tmp_path / f"trav.{kind}"
    src.write_bytes(zipped({"mimetype": "x", name: "<x/>"}))
    convert_fails(src, tmp_path / "out", InputError, "outside the archive")


@pytest.mark.parametrize("kind", ["docx", "epub", "odt"])
def test_not_a_zip(kind: str, tmp_path: Path) -> None:
    src = tmp_path / f"fake.{kind}"
    src.write_bytes(b"This is plain text pretending to be an archive.")
    convert_fails(src, tmp_path / "out", InputError, "not a valid zip")


def test_truncated_docx(tmp_path: Path) -> None:
    good = tmp_path / "g.docx"
    doc = pipeline.read(ROOT / "samples" / "un-sg-report-2024.zh-Hant.txt")
    good.write_bytes(pipeline.write(doc, "docx", Options(source_date_epoch=0)))
    src = tmp_path / "t.docx"
    src.write_bytes(good.read_bytes()[:4000])
    convert_fails(src, tmp_path / "out", InputError, r"t\.docx")


# --------------------------------------------------------------------------- remote and local resources
def test_html_remote_and_local_resources(tmp_path: Path) -> None:
    secret = secret_file(tmp_path)
    src = tmp_path / "doc" / "r.html"
    src.parent.mkdir()
    src.write_text(f'<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
                   f'<style>@import url("{secret.as_uri()}");</style></head><body><h1>T</h1>'
                   f'<p>text <img src="http://127.0.0.1:9/i.png"> <img src="{secret.as_uri()}"></p>'
                   f'<iframe src="{secret.as_uri()}"></iframe></body></html>', encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["html", "pdf", "epub"], tmp_path / "out", Options(source_date_epoch=0), diag=diag)
    blocked = [d.message for d in diag.items if d.code == "external-resource-blocked"]
    assert any("127.0.0.1" in m for m in blocked) and any("secret.txt" in m for m in blocked)
    for path in result.outputs.values():
        assert SECRET.encode() not in path.read_bytes()


def test_markdown_remote_and_local_images(tmp_path: Path) -> None:
    secret = secret_file(tmp_path)
    src = tmp_path / "doc" / "m.md"
    src.parent.mkdir()
    src.write_text(f"# T\n\n![remote](http://127.0.0.1:9/x.png)\n\n![local]({secret})\n\n"
                   f"![escape](../elsewhere/secret.txt)\n\ntext\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["pdf", "html"], tmp_path / "out", Options(source_date_epoch=0), diag=diag)
    blocked = " ".join(d.message for d in diag.items if d.code == "external-resource-blocked")
    assert "127.0.0.1" in blocked and "../elsewhere/secret.txt" in blocked
    # an absolute path is a site-root reference (/img/x.png): looked for under the document's folder, never at /
    missing = " ".join(d.message for d in diag.items if d.code == "media-missing")
    assert f"{secret}: no such file under the document's folder" in missing
    assert SECRET.encode() not in result.outputs["pdf"].read_bytes()


def test_svg_references_are_removed_before_any_renderer_sees_them(tmp_path: Path) -> None:
    secret = secret_file(tmp_path)
    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
        f'<image href="{secret.as_uri()}" width="5" height="5"/>'
        '<image xlink:href="file://example.invalid/etc/hostname" width="5" height="5"/>'
        '<image href="https://127.0.0.1:9/r.png" width="5" height="5"/>'
        '<script>alert(1)</script><rect width="4" height="4" onclick="x()" style="fill: url(http://127.0.0.1:9/p)"/>'
        '</svg>', encoding="utf-8")
    src = folder / "doc.md"
    src.write_text("# T\n\n![pic](pic.svg)\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["pdf", "html", "ir"], tmp_path / "out", Options(source_date_epoch=0), diag=diag)
    (medium,) = result.document.media
    assert medium.media_type == "image/svg+xml"
    for needle in (b"file:", b"127.0.0.1", b"example.invalid", b"<script", b"onclick"):
        assert needle not in medium.data
    assert SECRET.encode() not in result.outputs["pdf"].read_bytes()
    assert not [d for d in diag.items if d.code == "external-resource-blocked" and "pic.svg" in d.message]


# --------------------------------------------------------------------------- broken and enormous text
@pytest.mark.parametrize("name, data, match", [
    ("invalid-utf8.txt", "第一章 導言\n\n1. 文字。".encode() * 20 + b"\xff\x80" + "尾巴".encode(),
     "UTF-8 with invalid"),
    ("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4, "NUL bytes"),
    ("odd-utf16.txt", "第一章".encode("utf-16-le")[:-1] + b"\xff\xd8", "byte"),
])
def test_undecodable_text(name: str, data: bytes, match: str, tmp_path: Path) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    err = convert_fails(src, tmp_path / "out", InputError, match)
    assert err.offset is not None


def test_empty_file_gives_empty_outputs(tmp_path: Path) -> None:
    src = tmp_path / "empty.txt"
    src.write_bytes(b"")
    result = pipeline.convert(src, ["html", "tei", "epub"], tmp_path / "out", Options(source_date_epoch=0))
    assert all(p.stat().st_size > 0 for p in result.outputs.values())


def test_enormous_file_is_refused_before_reading(tmp_path: Path) -> None:
    src = tmp_path / "huge.txt"
    with open(src, "wb") as fh:
        fh.truncate(50_000_000)  # sparse: cheap to make
    convert_fails(src, tmp_path / "out", LimitError, "over the limit", max_input_bytes=10_000_000)


def test_single_line_of_many_megabytes(tmp_path: Path) -> None:
    src = tmp_path / "line.txt"
    src.write_text("第一章 導言\n\n1. " + "我們的工作，2023年的成就；" * 600_000 + "\n", encoding="utf-8")
    result = pipeline.convert(src, ["ir"], tmp_path / "out", Options())
    assert result.outputs["ir"].stat().st_size > src.stat().st_size


@pytest.mark.parametrize("kind, text", [
    ("md", "> " * 400 + "deep\n"),
    ("md", "".join("  " * i + "- item\n" for i in range(300))),
    ("html", "<html><body>" + "<div>" * 400 + "x" + "</div>" * 400 + "</body></html>"),
])
def test_deeply_nested_markup(kind: str, text: str, tmp_path: Path) -> None:
    src = tmp_path / f"deep.{kind}"
    src.write_text(text, encoding="utf-8")
    try:
        result = pipeline.convert(src, ["html", "tei"], tmp_path / "out", Options(max_depth=100))
    except LimitError as exc:
        assert "nested" in exc.message
    else:  # pandoc itself may flatten it; then it must have converted cleanly
        assert all(p.exists() for p in result.outputs.values())


def test_malformed_ir_json(tmp_path: Path) -> None:
    src = tmp_path / "bad.ir.json"
    src.write_text('{"docpipe-ir": "9.0", "document": {}}', encoding="utf-8")
    convert_fails(src, tmp_path / "out", InputError, "IR version")


# --------------------------------------------------------------------------- a pandoc that fails or hangs
def fake_pandoc(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "fake-pandoc"
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def test_pandoc_that_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCPIPE_PANDOC", str(fake_pandoc(tmp_path, 'echo "pandoc: something broke" >&2; exit 64')))
    src = tmp_path / "m.md"
    src.write_text("# x\n", encoding="utf-8")
    convert_fails(src, tmp_path / "out", InputError, "something broke")


def test_pandoc_that_hangs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCPIPE_PANDOC", str(fake_pandoc(tmp_path, "exec sleep 30")))
    src = tmp_path / "m.md"
    src.write_text("# x\n", encoding="utf-8")
    convert_fails(src, tmp_path / "out", ToolError, "did not finish within 1 s", tool_timeout=1.0)


def test_pandoc_writing_garbage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCPIPE_PANDOC", str(fake_pandoc(tmp_path, "cat >/dev/null; echo not-json")))
    src = tmp_path / "m.md"
    src.write_text("# x\n", encoding="utf-8")
    convert_fails(src, tmp_path / "out", ToolError, "no valid JSON")


# --------------------------------------------------------------------------- through the command line
def test_cli_errors_are_actionable(tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes("第一章\n".encode() + b"\xc3\x28")
    r = cli("convert", str(src), "--to", "html", "--out-dir", str(tmp_path / "o"))
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[-1]
    assert str(src) in line and "byte" in line and "expected" in line and "Traceback" not in r.stderr


def test_cli_limits_are_options(tmp_path: Path) -> None:
    src = tmp_path / "r.txt"
    src.write_text("第一章 導言\n\n1. 文字。\n" * 100, encoding="utf-8")
    r = cli("convert", str(src), "--to", "ir", "--out-dir", str(tmp_path / "o"), "--max-input-bytes", "100")
    assert r.returncode == 1 and "over the limit of 100" in r.stderr
