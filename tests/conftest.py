"""Shared test fixtures: the sample, tool requirements (skip visibly, but never under CI=true), golden files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1724198400")
