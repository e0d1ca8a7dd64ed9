"""Golden files: the readable dump of the sample's IR as the reader finds it (rewrite with --update-golden)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pipeline
from pipeline.dump import dump
from tests.conftest import SAMPLE

GOLDEN = Path(__file__).parent / "golden" / "report"


def check(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            raise AssertionError(f"{path} did not exist; written — review it and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "golden", "actual", n=1))
        raise AssertionError(f"{name} differs from the golden file (review, then --update-golden):\n{diff[:4000]}")


def test_sample_reader_dump(update_golden: bool) -> None:
    check("un-sg-report-2024.zh-Hant.ir.txt", dump(pipeline.read(SAMPLE)), update_golden)
