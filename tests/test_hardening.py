"""Hostile input, round two (issue 20): each class of attack ends quickly with a one-line error or a repair,
writes nothing outside its folder, leaves no temporary file and replaces no earlier output on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pipeline
from pipeline import ir, ir_json
from pipeline.diagnostics import Diagnostics
from pipeline.errors import LimitError, OutputError, UsageError
from pipeline.options import Options
from tests.waiting import wait_for

DOCPIPE = [sys.executable, "-m", "pipeline"]


def run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCPIPE, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})


def no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr[-500:]


def doc_of(*blocks: ir.Block) -> ir.Document:
    return ir.Document(metadata=ir.Metadata(title="t", language="en"), blocks=blocks)


def write_ir(path: Path, doc: ir.Document) -> Path:
    path.write_text(ir_json.dumps(doc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- text XML cannot carry
def test_control_characters_and_non_characters_are_removed_not_refused(tmp_path: Path) -> None:
    text = "正文\x00\x07\x1b[31m紅\ufffe\ufdd0\U0010ffff\x85。"
    src = tmp_path / "c.md"
    src.write_text(f"# 標題\n\n{text}\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["html", "tei", "docx", "epub"], tmp_path / "out", Options(), diag=diag)
    repaired = [d for d in diag.items if d.code == "text-repaired"]
    assert repaired and "removed" in repaired[0].message
    for path in result.outputs.values():
        assert path.stat().st_size > 0
    from lxml import html as lhtml
    page = lhtml.parse(str(result.outputs["html"])).getroot()
    assert "正文[31m紅。" in page.text_content()


def test_lone_surrogates_in_ir_json_are_removed(tmp_path: Path) -> None:
    data = ir_json.dumps(doc_of(ir.Para(children=(ir.Text(text="aXb"),))))
    path = tmp_path / "s.ir.json"
    path.write_text(data.replace("aXb", "a\\ud800b"), encoding="utf-8")
    r = run("convert", str(path), "--to", "html,tei", "--out-dir", str(tmp_path / "out"))
    no_traceback(r)
    assert r.returncode == 0
    assert "ab" in (tmp_path / "out" / "s.html").read_text(encoding="utf-8")


def test_terminal_escapes_never_reach_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "evil\x1b[2J\nforged line.txt"
    bad.write_bytes(b"\x00\x01binary")
    r = run("convert", str(bad), "--to", "html", "--out-dir", str(tmp_path / "o"))
    no_traceback(r)
    assert "\x1b" not in r.stderr and r.stderr.count("\n") == 1 and "forged" in r.stderr


# --------------------------------------------------------------------------- links that betray the reader
@pytest.mark.parametrize("target", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " vbscript:msgbox",
                                    "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"])
def test_unsafe_links_become_text(tmp_path: Path, target: str) -> None:
    doc = doc_of(ir.Para(children=(ir.Link(children=(ir.Text(text="click"),), target=target),
                                   ir.Link(children=(ir.Text(text="ok"),), target="https://example.org/"))))
    src = write_ir(tmp_path / "l.ir.json", doc)
    diag = Diagnostics()
    result = pipeline.convert(src, ["html", "epub", "md", "docx", "tei"], tmp_path / "out", Options(), diag=diag)
    assert any(d.code == "unsafe-link" for d in diag.items)
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert "click" in html and "https://example.org/" in html
    for fmt in ("html", "md", "tei"):
        low = result.outputs[fmt].read_text(encoding="utf-8").lower()
        assert "javascript:" not in low and "vbscript:" not in low and "data:text/html" not in low
    with zipfile.ZipFile(result.outputs["epub"]) as z:
        assert not any(b"javascript:" in z.read(n).lower() for n in z.namelist())
    with zipfile.ZipFile(result.outputs["docx"]) as z:
        assert not any(b"javascript:" in z.read(n).lower() for n in z.namelist())


# --------------------------------------------------------------------------- depth and spans
def test_deep_inline_nesting_is_a_limit_not_a_crash(tmp_path: Path) -> None:
    src = tmp_path / "deep.md"
    src.write_text("[" * 3000 + "x" + "](#)" * 3000 + "\n\n" + "[" * 40000 + "\n", encoding="utf-8")
    r = run("convert", str(src), "--to", "html", "--out-dir", str(tmp_path / "o"), timeout=120)
    no_traceback(r)
    assert r.returncode == 0 and "markdown-repaired" in r.stderr
    nested = '{"t": "Emph", "children": [' * 400 + '{"t": "Text", "text": "x"}' + "]}" * 400
    path = tmp_path / "deep.ir.json"
    path.write_text(f'{{"docpipe-ir": {json.dumps(ir.IR_VERSION)}, "document": {{"t": "Document", "metadata": '
                    f'{{"t": "Metadata"}}, "blocks": [{{"t": "Para", "children": [{nested}]}}]}}}}', encoding="utf-8")
    r = run("convert", str(path), "--to", "html", "--out-dir", str(tmp_path / "o"))
    no_traceback(r)
    assert r.returncode == 1 and "--max-depth" in r.stderr


@pytest.mark.parametrize("colspan, rowspan", [(2_000_000, 1), (1, 5_000_000), (0, 1)])
def test_huge_spans_are_refused(tmp_path: Path, colspan: int, rowspan: int) -> None:
    cell = ir.Cell(blocks=(), colspan=colspan, rowspan=rowspan)
    path = write_ir(tmp_path / "t.ir.json", doc_of(ir.Table(rows=((cell,),))))
    r = run("convert", str(path), "--to", "docx,tei,html", "--out-dir", str(tmp_path / "o"))
    no_traceback(r)
    assert r.returncode == 1 and "--max-table-span" in r.stderr
    assert not (tmp_path / "o" / "t.docx").exists()


def test_huge_numbers_in_ir_json_are_errors(tmp_path: Path) -> None:
    text = ir_json.dumps(doc_of(ir.Heading(level=1, children=(ir.Text(text="h"),))))
    path = tmp_path / "n.ir.json"
    path.write_text(text.replace('"level": 1', '"level": ' + "9" * 5000), encoding="utf-8")
    r = run("convert", str(path), "--to", "html", "--out-dir", str(tmp_path / "o"))
    no_traceback(r)
    assert r.returncode == 1


# --------------------------------------------------------------------------- files and folders
def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    r = run("convert", str(fifo), "--to", "html", "--out-dir", str(tmp_path / "o"), timeout=60)
    no_traceback(r)
    assert r.returncode == 1 and "not a regular file" in r.stderr


@pytest.mark.parametrize("name", ["../../escaped", "../x", "a/b", ".."])
def test_output_names_cannot_leave_the_folder(tmp_path: Path, name: str) -> None:
    src = tmp_path / "in" / "a.md"
    src.parent.mkdir()
    src.write_text("# a\n\ntext\n", encoding="utf-8")
    out = tmp_path / "in" / "out"
    r = run("convert", str(src), "--to", "html", "--out-dir", str(out), "--name", name)
    no_traceback(r)
    assert r.returncode == 2
    assert not any(p.suffix == ".html" for p in tmp_path.rglob("*"))
    with pytest.raises(UsageError):
        pipeline.convert(src, ["html"], out, Options(), name=name)


def test_a_failed_format_replaces_no_earlier_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "a.md"
    src.write_text("# a\n\ntext\n", encoding="utf-8")
    out = tmp_path / "out"
    pipeline.convert(src, ["html", "tei"], out, Options())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    src.write_text("# b\n\nchanged\n", encoding="utf-8")
    real_replace = os.replace

    def failing(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> None:
        if str(b).endswith(".tei.xml"):
            raise OSError(28, "No space left on device", str(b))
        real_replace(a, b)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OutputError):
        pipeline.convert(src, ["html", "tei"], out, Options())
    monkeypatch.setattr(os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text("# a\n\ntext\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    leftover = out / f".a.html.{dead}.docpipe-tmp-abc.tmp"
    leftover.write_bytes(b"partial")
    keep = out / ".hidden-file-of-the-user"
    keep.write_bytes(b"mine")
    pipeline.convert(src, ["html"], out, Options())
    assert not leftover.exists() and keep.exists()


def _catches(pid: int, *signals: int) -> bool:
    """Whether the process has a handler installed for every one of ``signals`` (its ``SigCgt`` mask)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    mask = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt:")), 16)
    return all(mask >> (s - 1) & 1 for s in signals)


@pytest.mark.parametrize("sig", ["HUP", "QUIT", "TERM"])
def test_signals_clean_up(tmp_path: Path, sig: str) -> None:
    import signal
    src = tmp_path / "big.md"
    src.write_text("# a\n\n" + "\n\n".join(f"段落{i}，文字。" * 20 for i in range(3000)), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([*DOCPIPE, "convert", str(src), "--to", "pdf,docx,epub", "--out-dir", str(out)],
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    number = getattr(signal, f"SIG{sig}")
    # the conversion is under way: the CLI handles the signal and the job's budget (SIGALRM) is armed
    wait_for(lambda: _catches(proc.pid, number, signal.SIGALRM), "the conversion to start", proc)
    proc.send_signal(number)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + number, err[-500:]  # docpipe's handler ended it, not the signal's default
    assert "Traceback" not in err
    leftovers = [p for p in out.rglob("*") if "docpipe-tmp" in p.name] if out.exists() else []
    assert leftovers == []


def test_json_of_a_huge_depth_is_a_limit(tmp_path: Path) -> None:
    nested = '{"t": "Emph", "children": [' * 20000 + '{"t": "Text", "text": "x"}' + "]}" * 20000
    path = tmp_path / "d.ir.json"
    path.write_text(f'{{"docpipe-ir": {json.dumps(ir.IR_VERSION)}, "document": {{"t": "Document", "metadata": '
                    f'{{"t": "Metadata"}}, "blocks": [{{"t": "Para", "children": [{nested}]}}]}}}}', encoding="utf-8")
    with pytest.raises(LimitError):
        pipeline.read(path)


def test_the_job_budget_stops_a_conversion(tmp_path: Path) -> None:
    src = tmp_path / "big.md"
    src.write_text("# a\n\n" + "\n\n".join(f"段落{i}，文字。" * 30 for i in range(4000)), encoding="utf-8")
    r = run("convert", str(src), "--to", "pdf", "--out-dir", str(tmp_path / "o"), "--job-timeout", "1.5",
            timeout=600)
    no_traceback(r)
    assert r.returncode == 1 and "--job-timeout" in r.stderr
    r = run("convert", str(src), "--to", "pdf", "--out-dir", str(tmp_path / "o"), "--job-memory", "60", timeout=600)
    no_traceback(r)
    assert r.returncode == 1 and "--job-memory" in r.stderr
    assert not list((tmp_path / "o").glob("*")) if (tmp_path / "o").exists() else True


_STUCK = """
import hashlib, sys
from pipeline.budget import job_budget
seconds, memory = float(sys.argv[1]) or None, int(sys.argv[2]) or None
if memory:  # twice the budget, every page touched so it is resident
    ballast = bytearray(memory * 2 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])
with job_budget(seconds, memory, "stuck.md"):
    hashlib.pbkdf2_hmac("sha256", b"k", b"salt", 2**31 - 1)  # one native call that never checks for signals
print("not stopped")
"""


@pytest.mark.parametrize("seconds, memory, said", [("1", "0", "took more than 1 s"),
                                                   ("0", "200", "used more than 200 MB")])
def test_the_job_budget_stops_a_native_call_that_signals_cannot_reach(seconds: str, memory: str, said: str) -> None:
    """A Python signal handler waits for the native call it interrupts to return (Typst laying out thousands of
    pages went past a 3 GB budget to 20 GB): the budget's watcher ends the process with the one-line error."""
    r = subprocess.run([sys.executable, "-c", _STUCK, seconds, memory], capture_output=True, text=True, timeout=120)
    assert r.returncode == LimitError.exit_code, (r.returncode, r.stderr[-500:])
    assert r.stderr.strip().splitlines() == [f"docpipe: error: {r.stderr.split('docpipe: error: ')[1].strip()}"]
    assert said in r.stderr and "stuck.md" in r.stderr and "not stopped" not in r.stdout


def test_no_name_is_ever_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """file://HOST/… in a TEI graphic, an SVG inside a data: URL, Markdown and raw HTML: every conversion runs
    with name resolution observed (socket.getaddrinfo / gethostbyname) and none happens."""
    import base64
    import socket
    looked_up: list[str] = []

    def spy(name: str) -> object:
        def f(host: object, *a: object, **k: object) -> object:
            looked_up.append(f"{name}({host})")
            raise OSError("no network in this test")
        return f

    for fn in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "create_connection"):
        monkeypatch.setattr(socket, fn, spy(fn))
    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "ok.png").write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="))
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><image href="file://attacker.invalid/ok.png"'
           b' width="4" height="4"/></svg>')
    data_url = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    (folder / "t.tei.xml").write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        '<publicationStmt><p>x</p></publicationStmt><sourceDesc><p>y</p></sourceDesc></fileDesc></teiHeader>'
        '<text><body><p>a<graphic url="file://attacker.invalid/doc/ok.png"/></p>'
        f'<figure><graphic url="{data_url}"/></figure></body></text></TEI>', encoding="utf-8")
    (folder / "m.md").write_text(f"# m\n\n![a](file://attacker.invalid/doc/ok.png)\n\n![b]({data_url})\n\n"
                                 '<img src="//attacker.invalid/x.png">\n', encoding="utf-8")
    for name in ("t.tei.xml", "m.md"):
        pipeline.convert(folder / name, ["pdf", "html", "epub", "tei"], tmp_path / "out", Options(),
                         diag=Diagnostics())
    assert looked_up == []


def test_pictures_through_links_are_not_read(tmp_path: Path) -> None:
    import base64
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.png"
    secret.write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="))
    folder = tmp_path / "doc"
    (folder / "sub").mkdir(parents=True)
    os.link(secret, folder / "hard.png")
    (folder / "soft.png").symlink_to(secret)
    (folder / "sub" / "dirlink").symlink_to(outside, target_is_directory=True)
    src = folder / "d.md"
    src.write_text("# d\n\n![h](hard.png)\n\n![s](soft.png)\n\n![d](sub/dirlink/secret.png)\n", encoding="utf-8")
    diag = Diagnostics()
    result = pipeline.convert(src, ["html", "epub"], tmp_path / "out", Options(), diag=diag)
    assert result.document.media == ()
    blocked = [d.message for d in diag.items if d.code == "external-resource-blocked"]
    assert len(blocked) == 3, blocked


def test_a_rerun_with_other_options_replaces_and_suffixes_keep_editions_apart(tmp_path: Path) -> None:
    src = tmp_path / "r.md"
    src.write_text("# 標題\n\n這是文字，測試。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("convert", str(src), "--to", "html", "--out-dir", str(out), "--script", "hant").returncode == 0
    first = (out / "r.html").read_bytes()
    r = run("convert", str(src), "--to", "html", "--out-dir", str(out), "--script", "hans")
    no_traceback(r)
    assert r.returncode == 0 and (out / "r.html").read_bytes() != first  # replaced, as every converter does
    assert run("convert", str(src), "--to", "html", "--out-dir", str(out), "--script", "hant").returncode == 0
    r = run("convert", str(src), "--to", "html", "--out-dir", str(out), "--script", "hans", "--edition-suffix")
    assert r.returncode == 0 and (out / "r.html").read_bytes() == first
    assert sorted(p.name for p in out.iterdir()) == ["r.hans.html", "r.html"]  # nothing hidden beside them


def test_an_equation_texmath_would_take_minutes_on_is_kept_as_tex_in_every_format(tmp_path: Path) -> None:
    """Two sub- or superscripts in a row are no TeX, and texmath's time doubles with each further one (24: over a
    minute, which timed the whole document's MathML out): such an equation is kept as TeX, the others converted."""
    src = tmp_path / "m.md"
    src.write_text("# t\n\nText $f(x)" + "_" * 40 + " = x^2$ and $a^2+b^2$.\n", encoding="utf-8")
    diag = Diagnostics()
    out = pipeline.convert(src, ["epub", "docx", "html", "md", "tei"], tmp_path / "o", Options(tool_timeout=20),
                           diag=diag).outputs
    messages = [d.message for d in diag.items]
    assert not any("could not convert them" in m for m in messages), messages  # no pandoc run timed out
    html = out["html"].read_text(encoding="utf-8")
    assert html.count("<math") == 1 and "f(x)" + "_" * 40 in html
    assert "`f(x)" + "_" * 40 + " = x^2`{.tex}" in out["md"].read_text(encoding="utf-8")


def test_a_signal_whose_exit_the_interrupted_code_swallowed_still_sets_the_status(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGQUIT's SystemExit raised inside an import (CPython wraps it: "Error calling __set_name__") or inside
    library code that swallows it used to end the run as an internal error (70) or a success (0) about one run in
    eight: the exit status is 128 + N whenever signal N came, and no internal error is reported for it."""
    import signal

    from pipeline import cli

    src = tmp_path / "a.md"
    src.write_text("# a\n\n文字。\n", encoding="utf-8")
    real = cli._convert

    def swallowing(*args: object, **kwargs: object) -> int:
        try:
            cli._on_sigterm(signal.SIGQUIT, None)
        except SystemExit:
            pass  # as the code the signal interrupted did
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_convert", swallowing)
    monkeypatch.setattr(cli, "_SIGNALLED", [])
    assert cli.main(["convert", str(src), "--to", "html", "--out-dir", str(tmp_path / "out"), "-q"]) == 131

    def wrapped(*args: object, **kwargs: object) -> int:
        try:
            cli._on_sigterm(signal.SIGQUIT, None)
        except SystemExit as exc:
            raise RuntimeError("Error calling __set_name__") from exc

    monkeypatch.setattr(cli, "_convert", wrapped)
    monkeypatch.setattr(cli, "_SIGNALLED", [])
    assert cli.main(["convert", str(src), "--to", "html", "--out-dir", str(tmp_path / "out2"), "-q"]) == 131
