"""Faults while writing: a full disk, an unwritable folder, SIGTERM — previous outputs intact, no temp files."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

import pipeline
from pipeline import fileio
from pipeline.cli import main
from pipeline.errors import OutputError
from pipeline.options import Options
from tests.conftest import SAMPLE


def test_full_disk_during_write_keeps_previous_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = pipeline.convert(SAMPLE, ["html", "tei"], out, Options(source_date_epoch=0))
    before = {p.name: p.read_bytes() for p in first.outputs.values()}
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fh: Any) -> None:
            self.fh = fh
            self.written = 0

        def write(self, data: bytes) -> int:
            self.fh.write(data[:100])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

    monkeypatch.setattr(fileio.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    with pytest.raises(OutputError, match="No space left on device"):
        pipeline.convert(SAMPLE, ["html", "tei"], out, Options(script="hans", source_date_epoch=0))
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before


def test_unwritable_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code = main(["convert", str(SAMPLE), "--to", "html", "--out-dir", str(blocker / "sub")])
    assert code == 4
    assert "cannot create the output folder" in capsys.readouterr().err


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ro"
    out.mkdir()

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileio.tempfile, "mkstemp", denied)  # root ignores chmod, so simulate the refusal
    with pytest.raises(OutputError, match="Permission denied"):
        pipeline.convert(SAMPLE, ["html"], out, Options())
    assert list(out.iterdir()) == []
