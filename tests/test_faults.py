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


class _Interrupted(Exception):
    pass


@pytest.mark.parametrize("write", ["atomic_write", "write_all"])
def test_an_interrupt_just_after_the_temporary_file_is_made_leaves_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> None:
    """Ctrl-C landing between mkstemp and the code that would remove its file (the build test's rare flake): the
    interrupt waits until the file's name is known to the cleanup, so the write stops and nothing is left behind."""
    import signal
    import tempfile

    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    real_mkstemp = tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args: Any, **kwargs: Any) -> tuple[int, str]:
        made = real_mkstemp(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return made

    def interrupted(signum: int, frame: object) -> None:
        raise _Interrupted

    previous = signal.signal(signal.SIGINT, interrupted)
    monkeypatch.setattr(fileio.tempfile, "mkstemp", mkstemp_then_ctrl_c)
    try:
        with pytest.raises(_Interrupted):
            if write == "atomic_write":
                fileio.atomic_write(target, b"new")
            else:
                fileio.write_all({target: b"new"})
    finally:
        signal.signal(signal.SIGINT, previous)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
