"""Shared test fixtures: the sample, tool requirements (skip visibly, but never under CI=true), golden files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "un-sg-report-2024.zh-Hant.txt"
SCHEMAS = ROOT.parent / "shared" / "schemas"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def require(available: bool, what: str) -> None:
    """Skip with a visible reason when a tool is missing; under CI=true a missing tool is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not installed")
    pytest.skip(f"{what} is not installed")


def require_tool(name: str) -> str:
    """The path of an executable on PATH, or skip/fail as :func:`require` says."""
    path = shutil.which(name)
    require(path is not None, name)
    assert path is not None
    return path


def openxml_audit(path: Path) -> None:
    """openxml-audit finds no error in the DOCX at ``path`` (skip/fail as :func:`require` says without it)."""
    import subprocess
    exe = shutil.which("openxml-audit") or str(ROOT / ".venv" / "bin" / "openxml-audit")
    require(Path(exe).exists(), "openxml-audit (pip install openxml-audit)")
    r = subprocess.run([exe, "-m", "0", str(path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Errors: 0" in r.stdout, (path.name, r.stdout[-3000:])


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1724198400")


#: The real-document and scale checks that `make test` leaves to `make test-slow` (CI runs both). A function named
#: here with "*" is slow whole; with "first" its first parametrised case stays in the fast suite (every behaviour is
#: still covered there, on one real document) and the other documents are slow. Modules can also mark themselves.
SLOW: dict[str, str] = {
    "test_real_documents.py::*": "*",
    "test_structure_word.py::test_links_resolve_in_real_documents": "first",
    "test_structure_markdown.py::test_every_container_is_a_box_and_no_markup_leaks": "first",
    "test_dask.py::test_a_worker_killed_mid_job_is_retried_elsewhere_with_the_same_bytes": "*",
    "test_book.py::test_openxml_audit_reports_nothing": "*",
    "test_book.py::test_epubcheck_reports_nothing": "*",
    # scale checks at the hardening audit's sizes (each a child process of 10-60 s); the fast suite keeps one
    "test_linear.py::test_adversarial_size_ends": "first",
    "test_hostile.py::test_single_line_of_many_megabytes": "*",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seen: set[str] = set()
    for item in items:
        module = Path(str(item.fspath)).name
        func = item.originalname if isinstance(item, pytest.Function) else item.name
        rule = SLOW.get(f"{module}::*") or SLOW.get(f"{module}::{func}")
        if rule is None:
            continue
        key = f"{module}::{func}"
        if rule == "first" and key not in seen:
            seen.add(key)
            continue
        item.add_marker(pytest.mark.slow)


def need(module: str) -> Any:
    """Import a module the tests need (a dev dependency): skip visibly when it is missing, fail under CI=true —
    unlike ``pytest.importorskip``, which would skip there too."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        require(False, f"the Python module {module}")
        raise
