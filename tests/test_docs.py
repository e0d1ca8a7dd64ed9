"""The docs run as written: every shell block of README.md and docs/tutorial.md is run, in order, in a copy of the
checkout with docpipe on PATH (as after ``make demo`` and ``. .venv/bin/activate``), and must exit 0 and print
what a ``text`` block right under it shows (each of its lines, whitespace aside); every
``docpipe`` command in them parses with the real parser; the Python blocks run and print what their comments say;
the generated API reference and man page equal what their generators make now."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import build_parser
from pipeline.errors import UsageError
from tests.conftest import ROOT, require_tool

DOCS = ("README.md", "docs/tutorial.md")
SHELL = ("sh", "shell", "bash")
#: Commands the docs show that a test cannot run as written, with the reason (and where they are covered).
NOT_RUN = {
    "make test": "the test suite itself: run from a test it would recurse (CI runs it: .ci/run)",
}
#: What a copy of the checkout leaves out: the virtual environment is linked, not copied; the rest is not source.
SKIP_IN_COPY = (".venv", ".git", "build", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                ".hypothesis", "*.egg-info", "dask-worker-space")


@dataclass(frozen=True)
class Block:
    """A fenced code block: the file, the line its fence opens on, its language and text."""

    doc: str
    line: int
    lang: str
    text: str
    follows: bool = False
    """Only blank lines separate it from the block before: a ``text`` block there shows what that block prints."""

    def commands(self) -> list[str]:
        """Its command lines: comments, blank lines and here-documents' bodies dropped, continued lines (``\\``)
        and quoted strings that run over several lines joined."""
        out: list[str] = []
        pending = ""
        heredoc: str | None = None
        for raw in self.text.splitlines():
            line = raw.strip()
            if heredoc is not None:
                heredoc = None if line == heredoc else heredoc
                continue
            if not pending and (not line or line.startswith("#")):
                continue
            m = re.search(r"<<-?\s*['\"]?(\w+)", line)
            if m:
                heredoc = m.group(1)
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            try:
                shlex.split(pending + line)
            except ValueError:  # a quoted string runs on to the next line
                pending += line + "\n"
                continue
            out.append(pending + line)
            pending = ""
        return out


def blocks(doc: str) -> list[Block]:
    """Every fenced block of a Markdown file, in order."""
    out: list[Block] = []
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    i = 0
    last_close = -10
    while i < len(lines):
        m = re.match(r"^(```+|~~~+)\s*([\w+-]*)", lines[i])
        if m:
            fence, lang, start = m.group(1), m.group(2).lower(), i
            follows = all(not ln.strip() for ln in lines[last_close + 1:start]) if out else False
            i += 1
            body: list[str] = []
            while i < len(lines) and not lines[i].startswith(fence):
                body.append(lines[i])
                i += 1
            out.append(Block(doc, start + 1, lang, "\n".join(body) + "\n", follows))
            last_close = i
        i += 1
    return out


def shell_blocks(doc: str) -> list[Block]:
    return [b for b in blocks(doc) if b.lang in SHELL]


def _without_comment(command: str) -> str:
    """A command line without its trailing ``# comment`` (shlex knows the quotes)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return shlex.join(list(lexer))


def docpipe_argvs(command: str) -> list[list[str]]:
    """The argument lists of every ``docpipe`` in a command line (pipelines and ``$( )`` split apart)."""
    lexer = shlex.shlex(command.replace("$(", " ( "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    argvs: list[list[str]] = []
    current: list[str] | None = None
    for token in lexer:
        if current is not None and token and set(token) <= set("|&;<>()"):
            argvs.append(current)
            current = None
        elif current is not None:
            current.append(token)
        elif token == "docpipe" or token.endswith("/docpipe"):
            current = []
    if current is not None:
        argvs.append(current)
    return argvs


# ---- fast: what the docs say is what the code has ----------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS)
def test_the_docs_have_commands_to_run(doc: str) -> None:
    found = shell_blocks(doc)
    assert found, f"{doc}: no shell block"
    assert all(b.commands() for b in found), f"{doc}: an empty shell block"


def test_the_readme_starts_with_set_up_and_path() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:40])
    assert ". .venv/bin/activate" in first_screen and ".venv/bin/docpipe" in first_screen
    assert "pipx install ." in first_screen and "pip install ." in first_screen
    setup = shell_blocks("README.md")[0]
    assert [_without_comment(c) for c in setup.commands()] == ["make demo", "make test"], "two set-up commands"


def test_only_the_listed_commands_are_not_run() -> None:
    shown = {c for doc in DOCS for b in shell_blocks(doc) for c in map(_without_comment, b.commands())}
    assert set(NOT_RUN) <= shown, "NOT_RUN names a command the docs no longer show"


@pytest.mark.parametrize("doc", DOCS)
def test_every_docpipe_command_parses(doc: str) -> None:
    parser = build_parser()
    seen = 0
    for block in shell_blocks(doc):
        for command in block.commands():
            for argv in docpipe_argvs(command):
                seen += 1
                try:
                    parser.parse_args(argv)
                except UsageError as exc:
                    pytest.fail(f"{doc}:{block.line}: {command}\n{exc}")
                except SystemExit as exc:  # --help, --version
                    assert exc.code == 0, f"{doc}:{block.line}: {command}"
    assert seen, f"{doc}: no docpipe command"


def test_every_python_block_compiles() -> None:
    found = [b for doc in DOCS for b in blocks(doc) if b.lang == "python"]
    assert found
    for b in found:
        compile(b.text, f"{b.doc}:{b.line}", "exec")


def test_the_api_reference_is_up_to_date() -> None:
    from pipeline.tools.apiref import apiref
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == apiref(), \
        "docs/api.md is stale: python -m pipeline.tools.apiref > docs/api.md"


def test_the_api_reference_documents_the_public_api() -> None:
    import pipeline
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in pipeline.__all__:
        assert f"`pipeline.{name}`" in text, name
    for name in ("read_bytes", "render", "Rendered"):
        assert f"### `pipeline.core.{name}`" in text, name
    assert "| `page_size` | `str` | `'A4'` |" in text  # Edition's fields with their attribute docstrings
    assert "*(no docstring)*" not in text.split("## `pipeline.ir`")[0], "an undocumented name in the API proper"


def test_the_api_reference_is_deterministic() -> None:
    from pipeline.tools.apiref import apiref
    assert apiref() == apiref()


def test_the_man_page_is_up_to_date() -> None:
    from pipeline.tools.manpage import manpage
    assert (ROOT / "docs" / "docpipe.1").read_text(encoding="utf-8") == manpage(), \
        "docs/docpipe.1 is stale: python -m pipeline.tools.manpage > docs/docpipe.1"


def test_the_man_page_names_every_option() -> None:
    import argparse
    page = (ROOT / "docs" / "docpipe.1").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        assert f'.SH "DOCPIPE {name.upper()}"' in page, name
        for action in p._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue
            for flag in action.option_strings:
                assert "\\fB" + flag.replace("-", "\\-") + "\\fR" in page, (name, flag)


def test_the_man_page_is_valid_roff() -> None:
    groff = require_tool("groff")
    r = subprocess.run([groff, "-man", "-ww", "-z", str(ROOT / "docs" / "docpipe.1")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr, r.stderr
    r = subprocess.run([groff, "-man", "-Tutf8", str(ROOT / "docs" / "docpipe.1")], capture_output=True,
                       timeout=60)
    text = re.sub(r".\x08", "", r.stdout.decode("utf-8"))
    assert "docpipe convert [options] INPUT" in text and "--metadata-file FILE" in text.replace("‐", "-")


# ---- slow: the docs run as written ---------------------------------------------------------------------------------


def checkout_copy(dest: Path) -> Path:
    """A copy of the working tree (the docs' commands write into it) whose ``.venv`` links to this checkout's, as
    after ``make install``: every entry linked, and an install stamp of its own, newer than the copy's
    ``pyproject.toml`` and ``constraints.txt``, so ``make demo`` in the copy never reinstalls the shared
    environment from a temporary folder."""
    shutil.copytree(ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(*SKIP_IN_COPY))
    venv = dest / ".venv"
    venv.mkdir()
    for entry in sorted((ROOT / ".venv").iterdir()):
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry)
    (venv / ".installed").touch()
    return dest


def _env(copy: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MFLAGS")}
    env["PATH"] = f"{copy / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SOURCE_DATE_EPOCH"] = "1724198400"
    return env


def _run(argv: list[str], copy: Path, what: str, stdin: str | None = None) -> tuple[str, str]:
    """Run in its own process group, which is ended afterwards (a block may start background jobs). Output goes to
    files, not pipes: a background job (the README's ``dask scheduler &``) keeps a pipe open after the block has
    exited, and reading it to its end would wait for the job (the test hung for its whole timeout that way)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out_fh, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as err_fh:
        proc = subprocess.Popen(argv, cwd=copy, env=_env(copy), stdin=subprocess.PIPE, stdout=out_fh, stderr=err_fh,
                                text=True, start_new_session=True)
        try:
            assert proc.stdin is not None
            if stdin:
                proc.stdin.write(stdin)
            proc.stdin.close()
            proc.wait(timeout=1500)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        out_fh.seek(0)
        err_fh.seek(0)
        out, err = out_fh.read(), err_fh.read()
    assert proc.returncode == 0, \
        f"{what} exited {proc.returncode}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}"
    return out, err


def _expected_prints(source: str) -> list[str]:
    """The ``# comment`` after each ``print(...)`` line of a Python block: what it must print."""
    out = []
    for line in source.splitlines():
        if line.startswith("print(") and "#" in line:
            code, comment = line.rsplit("#", 1)
            ast.parse(code)  # the '#' was not inside a string
            out.append(comment.strip())
    return out


def run_doc(doc: str, copy: Path) -> int:
    """Every shell and Python block of ``doc``, in order; the number of commands run."""
    ran = 0
    printed: str | None = None  # what the last shell block printed (stdout and stderr)
    for block in blocks(doc):
        where = f"{doc}:{block.line}"
        if block.lang == "text" and block.follows and printed is not None:
            shown = " ".join(printed.split())
            for line in block.text.splitlines():
                if line.strip():
                    assert " ".join(line.split()) in shown, f"{where}: {line!r} not printed by the block above:\n" \
                        + printed[-3000:]
        printed = None
        if block.lang in SHELL:
            commands = [c for c in block.commands() if _without_comment(c) not in NOT_RUN]
            if not commands:
                continue
            # the block as written (here-documents and all), without the lines NOT_RUN names
            text = "".join(ln for ln in block.text.splitlines(keepends=True)
                           if ln.split("#", 1)[0].strip() not in NOT_RUN)
            out, err = _run(["bash", "-c", "set -euo pipefail\n" + text], copy, f"{where}: the block\n{block.text}")
            printed = out + err
            ran += len(commands)
        elif block.lang == "python":
            out, _err = _run([str(copy / ".venv" / "bin" / "python"), "-"], copy, f"{where}: the Python block",
                             stdin=block.text)
            expected = _expected_prints(block.text)
            if expected:
                assert out.splitlines() == expected, f"{where}: printed {out!r}"
            ran += 1
    return ran


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_readme_runs_as_written(tmp_path: Path) -> None:
    copy = checkout_copy(tmp_path / "docpipe")
    assert run_doc("README.md", copy) >= 10
    # what the set-up and the examples said they leave
    stem = "un-sg-report-2024.zh-Hant"
    for suffix in (".ir.json", ".html", ".epub", ".docx", ".pdf", ".tei.xml"):
        assert (copy / "build" / f"{stem}{suffix}").is_file(), suffix
    assert (copy / "build" / "notes.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (copy / "build" / "graph.epub").is_file() and (copy / "build" / "two-files.docx").is_file()
    assert sorted(p.name for p in (copy / "build" / "editions").iterdir()) == ["archive", "hans", "manifest.json",
                                                                              "tw"]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    copy = checkout_copy(tmp_path / "docpipe")
    assert run_doc("docs/tutorial.md", copy) >= 10
