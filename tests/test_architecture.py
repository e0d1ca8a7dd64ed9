"""The shape of the package: the import graph, function sizes and repeated code (issue 23).

``pipeline.tools.graph`` is checked twice: on small packages built here, where each rule must fire (so a checker
that finds nothing cannot pass), and on ``pipeline/`` itself. ``PENDING`` lists the violations that were on the
tree when the check was written, each in a file another engineer owns; the check fails on any violation not in
the list and on any entry of the list that has gone (delete it), so the list can only shrink.
``test_issue_23_done`` is the finish line: nothing pending and at most five pairs from ``duplicates``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.tools import graph

from .conftest import ROOT, require_tool

PACKAGE = ROOT / "pipeline"

#: violations on the tree when this test was written, keyed as :func:`_key` keys them (no line numbers)
PENDING: frozenset[str] = frozenset()

MAX_DUPLICATE_PAIRS = 5


def _key(violation: str) -> str:
    """A violation without what moves as files are edited (line numbers, lengths)."""
    m = re.match(r"long function: \S+ (\S+) is", violation)
    return f"long function: {m.group(1)}" if m else violation


def _violations(root: Path) -> list[str]:
    g, trees = graph.build(root)
    return graph.violations(g, trees)


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``pkg`` under ``tmp_path`` made of ``files`` (relative path -> source)."""
    root = tmp_path / "pkg"
    for rel, text in {"__init__.py": "", "readers/__init__.py": "", "writers/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


REGISTRY = '''
READERS: dict[str, str] = {"txt": "pkg.readers.txt:read", "ir": "pkg.ir_json:read"}
WRITERS: dict[str, tuple[str, str]] = {"html": ("pkg.writers.html:write", ".html"),
                                       "epub": ("pkg.writers.epub:write", ".epub"),
                                       "ir": ("pkg.ir_json:write", ".json")}
PDF_ENGINES: dict[str, str] = {"typst": "pkg.writers.typst:write"}
'''


def test_a_clean_package_passes(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "registry.py": REGISTRY, "ir_json.py": "from . import registry\n",
        "readers/txt.py": "from .. import ir_json\n",
        "writers/page.py": "", "writers/html.py": "from . import page\n",
        "writers/epub.py": "from .page import x\n", "writers/typst.py": "def f():\n    from . import page\n",
    })
    assert _violations(root) == []


def test_each_rule_fires(tmp_path: Path) -> None:
    long_body = "".join(f"    x{i} = {i}\n" for i in range(101))
    root = _package(tmp_path, {
        "registry.py": REGISTRY, "ir_json.py": "",
        "a.py": "from . import b\n", "b.py": "def f():\n    from .a import g\n",  # a cycle through a function
        "readers/txt.py": "from ..tools import helper\n", "tools/__init__.py": "", "tools/helper.py":
        "import pkg.writers.page\n",  # a reader reaching the writers through another module
        "writers/page.py": "", "writers/html.py": "",
        "writers/epub.py": "def write():\n    from . import html as H\n",
        "writers/shared.py": "from .typst import y\n",  # a shared module may not import a writer either
        "writers/typst.py": "",
        "long.py": f"def long():\n{long_body}\n\ndef kept():\n    '''Long because: a table.'''\n{long_body}",
    })
    assert _violations(root) == [
        "cycle: pkg.a -> pkg.b -> pkg.a",
        "reader -> writer: pkg.readers.txt -> pkg.tools.helper -> pkg.writers.page",
        "writer -> writer: pkg.writers.epub -> pkg.writers.html",
        "writer -> writer: pkg.writers.shared -> pkg.writers.typst",
        "long function: pkg/long.py:1 pkg.long.long is 102 lines (over 100, no 'Long because:' in its docstring)",
    ]


def test_command_prints_the_graph_and_fails_on_a_violation(tmp_path: Path) -> None:
    root = _package(tmp_path, {"registry.py": REGISTRY, "a.py": "from . import b\n", "b.py": "from . import a\n",
                               "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
                                       "else:\n    def f():\n        from . import b\n"})
    run = subprocess.run([sys.executable, "-m", "pipeline.tools.graph", "--root", str(root)], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr
    assert "pkg.a\n    -> pkg.b  [line 1]\n" in run.stdout
    assert "pkg.c\n    -> pkg.a  [line 3 (type checking)]\n    -> pkg.b  [line 6 (in function)]\n" in run.stdout
    assert run.stdout.rstrip().endswith("cycle: pkg.a -> pkg.b -> pkg.a\n1 violation(s)")


def test_pipeline_keeps_the_rules() -> None:
    found = {_key(v) for v in _violations(PACKAGE)}
    new = sorted(found - PENDING)
    gone = sorted(PENDING - found)
    assert not new, "new violations of the package's structure:\n" + "\n".join(new)
    assert not gone, "fixed, so delete from PENDING in tests/test_architecture.py:\n" + "\n".join(gone)


def _duplicate_pairs() -> tuple[int, str]:
    exe = require_tool("duplicates")
    run = subprocess.run([exe, "--repo", str(PACKAGE), "--most", "40"], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert "incomplete:" not in run.stdout, run.stdout
    first = run.stdout.splitlines()[0]
    if first.startswith("no duplicates"):
        return 0, run.stdout
    m = re.match(r"(\d+) pairs? ", first)
    assert m, run.stdout
    return int(m.group(1)), run.stdout


def test_duplicates_do_not_grow() -> None:
    pairs, report = _duplicate_pairs()
    assert pairs <= 4, report  # 19 when this test was written; lower it as pairs are removed


def test_issue_23_done() -> None:
    pairs, report = _duplicate_pairs()
    assert not PENDING
    assert pairs <= MAX_DUPLICATE_PAIRS, report


def test_diagnostic_codes_are_a_closed_type(tmp_path: Path) -> None:
    """A code outside the list is a type error (mypy) and a KeyError at run time, never a silent new code."""
    from mypy import api

    from pipeline.diagnostics import CODES, Diagnostics

    snippet = tmp_path / "snippet.py"
    snippet.write_text('from pipeline.diagnostics import Diagnostics\n\nd = Diagnostics()\n'
                       'd.emit("transform-count", "a code of the list")\nd.emit("no-such-code", "refused")\n',
                       encoding="utf-8")
    out, err, status = api.run(["--strict", "--follow-imports=silent", f"--cache-dir={tmp_path / 'cache'}",
                                str(snippet)])
    assert status == 1, out + err
    assert out.count("error:") == 1 and 'snippet.py:5: error: Argument 1 to "emit"' in out, out
    assert len(CODES) >= 40 and "transform-count" in CODES
    with pytest.raises(KeyError):
        Diagnostics().emit("no-such-code", "x")  # type: ignore[arg-type]
