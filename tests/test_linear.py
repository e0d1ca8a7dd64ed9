"""Adversarial sizes from the hardening audit (issue 20) end: each step made linear runs at the audit's size in a
child process. The timeout only catches what never ends; speed itself is measured by ``make bench``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: bench_linear case -> the size the audit used
SIZES = {
    "latin_run": 200_000,
    "commas": 40_000,
    "duplicate_ids": 60_000,
    "unclosed_nav": 120_000,
    "boxes_to_docx": 40_000,
    "footnotes": 100_000,
    "adjacent_punctuation": 50_000,
}


@pytest.mark.parametrize("case", sorted(SIZES))
def test_adversarial_size_ends(case: str) -> None:
    code = (f"from pipeline.bench_linear import {case}, measure\n"
            f"print(round(measure({case}, {SIZES[case]}), 2))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-800:]
    assert "Traceback" not in r.stderr
