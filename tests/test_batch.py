"""docpipe build and docpipe batch: editions matrix, parallel workers, incremental manifest, isolated failures."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

import pipeline
from pipeline import batch
from pipeline.cli import main
from pipeline.errors import UsageError
from pipeline.options import Options
from tests.conftest import ROOT, SAMPLE

PROJECT = """
[project]
source = "src"
output = "out"

[editions.web]
script = "tw"
formats = ["html", "tei"]

[editions.print]
script = "hans"
formats = ["pdf"]
page_size = "A5"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SAMPLE, src / "report.txt")
    (src / "notes.md").write_text("# 導言\n\n1. 第一段。\n", encoding="utf-8")
    pipeline.convert(src / "notes.md", ["docx"], src, Options(source_date_epoch=0), name="manuscript")
    (src / "broken.txt").write_bytes(b"\xff\xfe\x00\x00\x01")
    (tmp_path / "docpipe.toml").write_text(PROJECT, encoding="utf-8")
    return tmp_path


def run(project: Path, **kw: object) -> list[batch.Outcome]:
    return batch.build(batch.load_project(project / "docpipe.toml"), stream=io.StringIO(), **kw)  # type: ignore[arg-type]


def test_build_every_edition_and_isolate_failures(project: Path) -> None:
    outcomes = run(project, workers=2)
    failed = [o for o in outcomes if not o.ok]
    assert {o.label for o in failed} == {"web/broken", "print/broken"}
    assert all("broken.txt" in o.error for o in failed)
    good = [o for o in outcomes if o.ok]
    assert len(good) == 6
    assert (project / "out" / "web" / "report.html").exists() and (project / "out" / "print" / "report.pdf").exists()
    manifest = json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["jobs"]["print/report"]
    assert len(next(iter(entry["outputs"].values()))) == 64

    again = run(project, workers=2)
    assert [o.label for o in again if o.ok and not o.skipped] == []

    (project / "src" / "notes.md").write_text("# 導言\n\n1. 改過的第一段。\n", encoding="utf-8")
    third = run(project)
    assert sorted(o.label for o in third if o.ok and not o.skipped) == ["print/notes", "web/notes"]


def test_style_change_rebuilds_only_its_formats(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    css = project / "print.css"
    shutil.copy(ROOT / "styles" / "print.css", css)
    monkeypatch.setitem(batch.FORMAT_DEPS, "pdf", [str(css)])
    run(project)
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    rebuilt = sorted(o.label for o in run(project) if o.ok and not o.skipped)
    assert rebuilt == ["print/manuscript", "print/notes", "print/report"]


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path) -> None:
    run(project)
    first = {p.relative_to(project / "out"): p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()
             and p.name != "manifest.json"}
    shutil.rmtree(project / "out")
    run(project, force=True)
    second = {p.relative_to(project / "out"): p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()
              and p.name != "manifest.json"}
    assert first.keys() == second.keys() and all(first[k] == second[k] for k in first)


def test_cli_batch_and_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", str(project / "src"), "--to", "tei,html", "--out-dir", str(project / "b"), "-j", "2"])
    out = capsys.readouterr()
    assert code == 1
    assert "FAILED broken" in out.out and "3 built" in out.out and "1 failed" in out.out
    assert (project / "b" / "report.tei.xml").exists()
    assert "[" in out.err and "ok" in out.err  # progress lines when not a terminal


def test_cli_build_reports_bad_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docpipe.toml").write_text("[editions.x]\nformats = ['nope']\n", encoding="utf-8")
    assert main(["build", "--project", str(tmp_path / "docpipe.toml")]) == 2
    assert "unknown output format 'nope'" in capsys.readouterr().err
    with pytest.raises(UsageError, match="unknown option 'colour'"):
        (tmp_path / "p.toml").write_text("[editions.x]\nformats = ['tei']\ncolour = 'red'\n", encoding="utf-8")
        batch.load_project(tmp_path / "p.toml")


def test_repository_project_file_is_valid() -> None:
    proj = batch.load_project(ROOT / "docpipe.toml")
    assert {e.name for e in proj.editions} == {"tw", "hans", "archive"}
    assert any(e.page_size == "A5" for e in proj.editions)
