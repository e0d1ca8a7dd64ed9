"""make over a folder: parallel, incremental, failures isolated; the Makefile and the batch deps agree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import pipeline
from pipeline.build import FORMAT_DEPS
from pipeline.options import Options
from tests.conftest import ROOT, SAMPLE, require_tool
from tests.waiting import backdate

FORMATS = "html tei pdf"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SAMPLE, src / "report.txt")
    (src / "notes.md").write_text("---\ntitle: 筆記\n---\n\n# 第一章 導言\n\n1. 第一段[^1]。\n\n[^1]: 注。\n",
                                  encoding="utf-8")
    pipeline.convert(src / "notes.md", ["docx"], tmp_path, Options(source_date_epoch=0), name="manuscript")
    shutil.move(str(tmp_path / "manuscript.docx"), src / "manuscript.docx")
    (src / "broken.txt").write_bytes(b"\x00\x01\x02 not a report")
    return tmp_path


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = require_tool("make")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1724198400")
    return subprocess.run([exe, "-C", str(ROOT), f"SRC={folder / 'src'}", f"BUILD={folder / 'build'}",
                           f"FORMATS={FORMATS}", "INSTALL_PREREQ=", f"DOCPIPE={ROOT / '.venv/bin/docpipe'}", *args],
                          capture_output=True, text=True, env=env, timeout=900)


def planned(folder: Path, *args: str) -> set[str]:
    """The outputs a `make -n docs` would rebuild (the broken file's are always there)."""
    out = make(folder, "-n", "docs", *args).stdout
    names = re.findall(r"convert \S+/(\S+?)(?:\.txt|\.md|\.docx|\.ir\.json) .*--to (\w+)", out)
    return {f"{n}:{fmt}" for n, fmt in names if n != "broken"}


def _age(folder: Path) -> None:
    """Explicit times instead of waiting for the clock: the sources 4 s older than they are, the outputs 2 s, so
    that a file touched now is newer than every output whatever the clock's resolution, and nothing else changes
    order (each output stays newer than its source)."""
    backdate([p for p in (folder / "src").rglob("*") if p.is_file()], 4)
    backdate([p for p in (folder / "build").rglob("*") if p.is_file()], 2)


def test_parallel_build_isolates_the_broken_file(folder: Path) -> None:
    r = make(folder, "-k", "-j2", "docs")
    assert r.returncode != 0
    assert re.search(r"docpipe: error: .*broken\.txt: byte 0: holds NUL bytes", r.stderr), r.stderr[-2000:]
    built = sorted(p.name for p in (folder / "build").iterdir() if not p.name.startswith("."))
    for name in ("report", "notes", "manuscript"):
        for suffix in (".ir.json", ".html", ".tei.xml", ".pdf"):
            assert f"{name}{suffix}" in built
    assert not any(n.startswith("broken") for n in built)
    assert not any(".tmp" in n for n in os.listdir(folder / "build"))

    assert planned(folder) == set()  # a second make does nothing for the good documents

    _age(folder)
    (folder / "src" / "notes.md").touch()
    assert planned(folder) == {"notes:ir", "notes:html", "notes:tei", "notes:pdf"}
    make(folder, "-k", "docs")

    print_css = ROOT / "styles" / "print.css"
    stat = print_css.stat()
    try:
        _age(folder)
        print_css.touch()
        assert planned(folder) == {"report:pdf", "notes:pdf", "manuscript:pdf"}
    finally:
        os.utime(print_css, (stat.st_atime, stat.st_mtime))


def test_makefile_prerequisites_match_the_batch_dependencies() -> None:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    suffix = {"html": "html", "epub": "epub", "docx": "docx", "pdf": "pdf", "tei": "tei.xml", "md": "md"}
    for fmt, deps in FORMAT_DEPS.items():
        if fmt == "ir":
            continue
        m = re.search(rf"^\$\(BUILD\)/%\.{re.escape(suffix[fmt])}: \$\(BUILD\)/%\.ir\.json(.*)$", text, re.MULTILINE)
        assert m, fmt
        assert sorted(m.group(1).split()) == sorted(deps), fmt


def test_changing_script_rebuilds_in_the_new_script(folder: Path) -> None:
    for name in ("notes.md", "manuscript.docx", "broken.txt"):
        (folder / "src" / name).unlink()
    tei = folder / "build" / "report.tei.xml"

    def build(*args: str) -> str:
        r = make(folder, "docs", "FORMATS=tei", *args)
        assert r.returncode == 0, r.stderr[-2000:]
        return tei.read_text(encoding="utf-8")

    first = build()
    assert "聯合國" in first and "联合国" in first  # as written: a Traditional report with Simplified boxes
    hans = build("SCRIPT=hans")
    assert "联合国" in hans and "聯合國" not in hans
    assert planned(folder, "FORMATS=tei", "SCRIPT=hans") == set()  # and now it is up to date in Simplified
    assert planned(folder, "FORMATS=tei") == {"report:ir", "report:tei"}  # back to the default: rebuilt again
    assert build() == first
    epoch = planned(folder, "FORMATS=tei", "SOURCE_DATE_EPOCH=1000000000")
    assert epoch == {"report:ir", "report:tei"}  # the date written into outputs is an option too


def test_src_mistakes_stop_make_with_one_line(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (folder / "src" / "report.md").write_text("# 另一份\n", encoding="utf-8")
    cases = [(f"SRC={tmp_path / 'missing'}", "no such folder"),
             (f"SRC={tmp_path / 'empty'}", "no .txt, .md or .docx source"),
             (f"SRC={folder / 'src'}", "several sources would be built as"),
             ("SCRIPT=klingon", "SCRIPT=klingon is not a script edition")]
    for arg, message in cases:
        r = make(folder, "docs", arg)
        assert r.returncode != 0, arg
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (arg, r.stderr)
    assert not (folder / "build").exists()


def test_readme_make_examples_work_as_written_in_order(tmp_path: Path) -> None:
    exe = require_tool("make")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From make", 1)[1].split("\n## ", 1)[0]
    examples = [ln.strip() for ln in section.splitlines() if ln.startswith("    make ")]
    assert len(examples) >= 3
    # A copy of the folder: the examples write into it (out/, build/) as they would for a new user.
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "pipeline", tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("samples", "styles", "fonts"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1724198400")
    stem = "un-sg-report-2024.zh-Hant"
    for example in examples:
        command = example.replace("make ", f"{exe} INSTALL_PREREQ= DOCPIPE={ROOT / '.venv/bin/docpipe'} ", 1)
        r = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, env=env,
                           timeout=900)
        assert r.returncode == 0, (example, r.stderr[-2000:])
    build = tmp_path / re.search(r"BUILD=(\S+)", examples[0]).group(1)  # type: ignore[union-attr]
    for suffix in (".ir.json", ".html", ".epub", ".docx", ".pdf", ".tei.xml"):
        assert (build / f"{stem}{suffix}").exists(), suffix
    ir = (build / f"{stem}.ir.json").read_text(encoding="utf-8")
    assert '"title": "联合国' in ir  # the second example rebuilt the IR in Simplified
    assert (tmp_path / "build" / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
