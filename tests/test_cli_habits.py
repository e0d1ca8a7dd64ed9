"""pandoc's habits on docpipe's command line: -o FILE, standard input and output, -M, --metadata-file, --lang,
near-miss suggestions, completion; outputs replaced like every converter replaces them (issue 27)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

MD = "# 標題\n\n這是第一段，測試。\n\n![圖](pic.png)\n"


def docpipe(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, cwd=cwd,
                          env=env, timeout=600)


def _png(path: Path) -> None:
    from PIL import Image
    Image.new("RGB", (4, 3), (200, 0, 0)).save(path)


def test_dash_o_takes_the_format_from_the_extension(tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text(MD, encoding="utf-8")
    _png(tmp_path / "pic.png")
    r = docpipe("convert", "r.md", "-o", "out/book.html", "-o", "out/book.tei.xml", "-o", "e/x.epub", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "book.html").exists() and (tmp_path / "out" / "book.tei.xml").exists()
    assert zipfile.is_zipfile(tmp_path / "e" / "x.epub")
    assert len(list((tmp_path / "out" / "book.media").iterdir())) == 1  # NAME.media beside the HTML and TEI
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["book.html", "book.media", "book.tei.xml"]
    assert sorted(p.name for p in (tmp_path / "e").iterdir()) == ["x.epub"]  # nothing hidden beside outputs


def test_standard_input_and_output(tmp_path: Path) -> None:
    r = docpipe("convert", "-", "--from", "md", "-o", "-", "--to", "html", stdin=MD.encode("utf-8"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"<!DOCTYPE html>") and "這是第一段".encode() in r.stdout
    r = docpipe("convert", "-", "-o", "-", "--to", "html", stdin=b"x", cwd=tmp_path)
    assert r.returncode == 2 and b"needs its format" in r.stderr
    r = docpipe("convert", "-", "--from", "md", "-o", "out.epub", stdin=MD.encode("utf-8"), cwd=tmp_path)
    assert r.returncode == 0 and zipfile.is_zipfile(tmp_path / "out.epub"), r.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "out.epub"]  # no temporary file left


def test_metadata_options_and_lang(tmp_path: Path) -> None:
    src = tmp_path / "notes.md"
    src.write_text("Some English text with no metadata at all.\n", encoding="utf-8")
    meta = tmp_path / "meta.yaml"
    meta.write_text("subtitle: A second line\nauthor:\n  - Ada Lovelace\n  - Charles Babbage\n", encoding="utf-8")
    r = docpipe("convert", str(src), "-o", str(tmp_path / "n.ir.json"), "-M", "title=Notes on the Engine",
                "--metadata-file", str(meta), "-M", "date=1843-09-01", "--lang", "en-GB")
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / "n.ir.json").read_text(encoding="utf-8"))["document"]["metadata"]
    assert m["title"] == "Notes on the Engine" and m["subtitle"] == "A second line"
    assert m["authors"] == ["Ada Lovelace", "Charles Babbage"] and m["date"] == "1843-09-01"
    assert m["language"] == "en-GB"
    r = docpipe("convert", str(src), "-o", str(tmp_path / "n.html"), "--lang", "en-GB")
    assert b'lang="en-GB"' in (tmp_path / "n.html").read_bytes()
    for bad, message in ((["-M", "date=yesterday"], b"not an ISO 8601 date"), (["--lang", "x y"], b"not a language"),
                         (["-M", "novalue"], b"expected KEY=VALUE")):
        r = docpipe("convert", str(src), "-o", str(tmp_path / "z.html"), *bad)
        assert r.returncode == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr


def test_a_near_miss_command_option_or_format_gets_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text(MD, encoding="utf-8")
    for args, hint in ((["convrt", "r.md"], b"did you mean 'convert'?"),
                       (["convert", "r.md", "-o", "x.html", "--pdf-engin", "typst"], b"did you mean --pdf-engine?"),
                       (["convert", "r.md", "-o", "x.html", "--page-size", "A4", "--scrpit", "hans"],
                        b"did you mean --script?")):
        r = docpipe(*args, cwd=tmp_path)
        assert r.returncode == 2 and hint in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr


def test_two_outputs_of_one_run_never_share_a_name(tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text(MD, encoding="utf-8")
    r = docpipe("convert", "r.md", "-o", "a.html", "-o", "a.html", cwd=tmp_path)
    assert r.returncode == 2 and b"two -o outputs of format html" in r.stderr
    r = docpipe("convert", "r.md", "--to", "tei,xml", "--out-dir", "o", cwd=tmp_path)
    assert r.returncode == 2 and b"asked for twice" in r.stderr


def test_grouped_help_and_completion() -> None:
    r = docpipe("convert", "--help")
    text = r.stdout.decode()
    for group in ("conversion:", "edition:", "publishing:", "limits for untrusted input"):
        assert group in text
    assert text.index("publishing:") < text.index("limits for untrusted input")  # limits last, not first
    assert "examples:" in text
    r = docpipe("completion", "bash")
    assert r.returncode == 0 and b"complete -o filenames -F _docpipe docpipe" in r.stdout
    assert b"--pdf-engine" in r.stdout
    script = r.stdout.decode()
    check = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
    assert check.returncode == 0, check.stderr


def test_an_undated_document_takes_its_files_time_not_the_clock(tmp_path: Path) -> None:
    src = tmp_path / "r.md"
    src.write_text("# T\n\nText.\n", encoding="utf-8")
    os.utime(src, (1_500_000_000, 1_500_000_000))  # 2017-07-14
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run([sys.executable, "-m", "pipeline", "convert", str(src), "-o", str(tmp_path / "r.epub")],
                       capture_output=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(tmp_path / "r.epub") as z:
        opf = next(z.read(n).decode() for n in z.namelist() if n.endswith(".opf"))
        assert "2017-07-14T" in opf and "2000-01-01" not in opf
        assert all(i.date_time[:3] == (2017, 7, 14) for i in z.infolist())
