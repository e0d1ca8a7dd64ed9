"""Nothing silent (issue 17): an unknown --font is an error naming the installed families, editions can share a
folder (--edition-suffix), house styles as edition keys of docpipe.toml, archive dates from the document."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline import build as batch
from pipeline.errors import UsageError
from pipeline.fileio import date_epoch, deterministic_zip
from pipeline.fontsel import check_family, installed_families
from pipeline.options import Options
from tests.conftest import SAMPLE


def docpipe(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def test_unknown_font_is_an_error_listing_the_installed_families(tmp_path: Path) -> None:
    families = installed_families("zh-Hans")
    if not any("CJK SC" in f for f in families):
        pytest.skip("no Simplified Chinese family installed")
    with pytest.raises(UsageError) as caught:
        check_family("Noto Serf CJK SC", "zh-Hans")
    message = caught.value.one_line()
    assert "Noto Serf CJK SC" in message and "Noto Serif CJK SC" in message
    check_family("noto serif cjk sc", "zh-Hans")  # the right family, whatever its case
    for fmt in ("pdf", "docx"):
        r = docpipe("convert", str(SAMPLE), "--to", fmt, "--script", "hans", "--font", "Noto Serf CJK SC",
                    "--out-dir", str(tmp_path))
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Noto Serif CJK SC" in lines[0]
    assert not list(tmp_path.iterdir())


def test_edition_suffix_keeps_editions_apart(tmp_path: Path) -> None:
    assert Options().suffix() == ""
    assert Options(script="hans", page_size="A5").suffix() == ".hans.a5"
    assert Options(page_size="150mmx220mm", pdf_variant="pdf/x-4").suffix() == ".150mmx220mm.pdfx4"
    for script in ("hans", "tw"):
        r = docpipe("convert", str(SAMPLE), "--to", "docx", "--script", script, "--edition-suffix",
                    "--out-dir", str(tmp_path))
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "un-sg-report-2024.zh-Hans.hans.docx", "un-sg-report-2024.zh-Hant-TW.tw.docx"]


def test_project_editions_take_house_styles(tmp_path: Path) -> None:
    (tmp_path / "house").mkdir()
    (tmp_path / "docpipe.toml").write_text(
        '[editions.print]\nformats = ["pdf", "docx"]\ncss = "house/print.css"\n'
        'reference_docx = "house/template.docx"\n', encoding="utf-8")
    project = batch.load_project(tmp_path / "docpipe.toml")
    edition = project.editions[0]
    options = edition.options(Options(source_date_epoch=None))
    assert options.css == str((tmp_path / "house" / "print.css").resolve())
    assert options.reference_docx == str((tmp_path / "house" / "template.docx").resolve())


def test_archive_dates_come_from_the_document_when_no_epoch() -> None:
    assert date_epoch("2024-08-21") == int(dt.datetime(2024, 8, 21, tzinfo=dt.UTC).timestamp())
    assert date_epoch("2024") == int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp())
    assert date_epoch("2024-13-01") is None and date_epoch("yesterday") is None and date_epoch(None) is None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "a")
    for epoch, date, year in ((None, "2024-08-21", 2024), (0, "2024-08-21", 1980), (None, None, 1980)):
        out = deterministic_zip(buf.getvalue(), first=(), epoch=epoch, date=date)
        with zipfile.ZipFile(io.BytesIO(out)) as z:
            assert z.infolist()[0].date_time[0] == year
