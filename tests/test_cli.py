"""The command line: contracts from DESIGN.md, exit codes, one-line errors, atomic outputs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import fileio
from pipeline.cli import main
from pipeline.errors import OutputError
from tests.conftest import ROOT, SAMPLE


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_convert_writes_named_outputs(tmp_path: Path) -> None:
    r = run("convert", str(SAMPLE), "--to", "ir", "--out-dir", str(tmp_path / "out"), "--name", "report")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out" / "report.ir.json"
    assert json.loads(out.read_text(encoding="utf-8"))["docpipe-ir"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == ["report.ir.json"]


def test_default_name_is_the_input_stem(tmp_path: Path) -> None:
    assert main(["convert", str(SAMPLE), "--to", "ir", "--out-dir", str(tmp_path), "-q"]) == 0
    assert (tmp_path / "un-sg-report-2024.zh-Hant.ir.json").exists()


def test_inspect_contract() -> None:
    r = run("inspect", str(SAMPLE))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert {"metadata", "headings", "paragraphs", "boxes", "footnotes", "diagnostics"} <= set(data)
    assert data["paragraphs"] == [str(n) for n in range(1, 133)]
    assert all(set(h) == {"level", "label", "text"} for h in data["headings"])
    assert len(data["boxes"]) == 12 and {"title", "paragraphs"} <= set(data["boxes"][0])
    assert data["footnotes"][0]["marker"] == "1"
    assert any(d["code"] == "removed-furniture" and d["line"] for d in data["diagnostics"])


@pytest.mark.parametrize("args, code, message", [
    (["convert", "SAMPLE", "--to", "nope", "--out-dir", "OUT"], 2, "unknown output format 'nope'"),
    (["convert", "MISSING", "--to", "ir", "--out-dir", "OUT"], 1, "missing.txt"),
    (["convert", "BAD", "--to", "ir", "--out-dir", "OUT"], 1, "byte 3"),
    (["convert", "NOSUFFIX", "--to", "ir", "--out-dir", "OUT"], 2, "cannot tell the input format"),
    (["convert", "SAMPLE", "--to", "ir", "--out-dir", "FILE/sub"], 4, "cannot create the output folder"),
    (["inspect", "SAMPLE", "--script", "klingon"], 2, "'klingon' is not one of keep"),
    (["convert", "SAMPLE", "--script", "hnas", "--to", "ir", "--out-dir", "OUT"], 2, "did you mean 'hans'?"),
    (["convert", "SAMPLE", "--scrpit", "hans", "--to", "ir", "--out-dir", "OUT"], 2, "did you mean --script?"),
    (["convert", "SAMPLE", "--to", "ir", "--out-dir", "-"], 2, "--out-dir - is not a folder"),
    (["convert", "SAMPLE", "-o", "x.unknown"], 2, "cannot tell the output format"),
    (["convert", "SAMPLE", "-o", "-", "--to", "pdf"], 2, "not a text format"),
    (["convert", "SAMPLE", "-M", "titel=x", "-o", "OUT.html"], 2, "did you mean 'title'?"),
])
def test_errors_are_one_line_with_exit_status(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "bad.txt").write_bytes(b"abc\xff\xfe more")
    (tmp_path / "noext").write_text("1. text\n", encoding="utf-8")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    subst = {"SAMPLE": str(SAMPLE), "MISSING": str(tmp_path / "missing.txt"), "BAD": str(tmp_path / "bad.txt"),
             "NOSUFFIX": str(tmp_path / "noext"), "OUT": str(tmp_path / "out"),
             "OUT.html": str(tmp_path / "o.html"), "FILE/sub": str(tmp_path / "afile" / "sub")}
    r = run(*[subst.get(a, a) for a in args])
    assert r.returncode == code
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    src = tmp_path / "r.txt"
    src.write_text("第一章 導言\n\n1. 引用一個不存在的注[7]。\n", encoding="utf-8")
    assert run("convert", str(src), "--to", "ir", "--out-dir", str(tmp_path)).returncode == 0
    r = run("convert", str(src), "--to", "ir", "--out-dir", str(tmp_path / "s"), "--strict")
    assert r.returncode == 3 and "footnote-missing" in r.stderr
    assert not (tmp_path / "s" / "r.ir.json").exists()


def test_failed_run_keeps_previous_output(tmp_path: Path) -> None:
    good = tmp_path / "doc.txt"
    good.write_text("第一章 導言\n\n1. 好的內容。\n", encoding="utf-8")
    assert main(["convert", str(good), "--to", "ir", "--out-dir", str(tmp_path / "out"), "-q"]) == 0
    before = (tmp_path / "out" / "doc.ir.json").read_bytes()
    good.write_bytes(b"abc\xff broken \x00\x01")
    assert main(["convert", str(good), "--to", "ir", "--out-dir", str(tmp_path / "out"), "-q"]) == 1
    assert (tmp_path / "out" / "doc.ir.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == ["doc.ir.json"]


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.bin"
    target.write_bytes(b"old")

    def boom(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", boom)
    with pytest.raises(OutputError, match="No space left on device"):
        fileio.atomic_write(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_sigterm_during_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"previous")
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pipeline import cli, fileio
        signal.signal(signal.SIGTERM, cli._on_sigterm)
        real_fsync = os.fsync
        def slow_fsync(fd):
            # held in the middle of the write until the SIGTERM comes (SIGALRM's default ends it after 30 s)
            signal.alarm(30)
            print("writing", flush=True)
            signal.pause()
            real_fsync(fd)
        fileio.os.fsync = slow_fsync
        fileio.atomic_write({str(target)!r}, b"new content" * 100000)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGTERM)  # the handler runs wherever the child is: inside the write either way
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM
    proc.stdout.close()
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_output_is_deterministic(tmp_path: Path) -> None:
    for d in ("a", "b"):
        assert main(["convert", str(SAMPLE), "--to", "ir", "--out-dir", str(tmp_path / d), "-q"]) == 0
    name = "un-sg-report-2024.zh-Hant.ir.json"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_ir_input_converts_again(tmp_path: Path) -> None:
    assert main(["convert", str(SAMPLE), "--to", "ir", "--out-dir", str(tmp_path), "--name", "a", "-q"]) == 0
    assert main(["convert", str(tmp_path / "a.ir.json"), "--to", "ir", "--out-dir", str(tmp_path), "--name", "b",
                 "-q"]) == 0
    a = json.loads((tmp_path / "a.ir.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b.ir.json").read_text(encoding="utf-8"))
    assert a == b
