"""CJK typography cases from tests/fixtures/cjk/cases.txt (title / input / expected, separated by "." lines).

A title reads ``[edition] (source-script) what``: the input is one paragraph of a document in that script,
run through every transform for that edition. The documents are scraped text, as the report reader gives it (its
step in the history): the dirty text these rules are for, where a space between two Han characters is line-wrap
residue. What a marked-up source typed there is kept (tests/test_cjk_spacing.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.walk import plain

CASES = Path(__file__).parent / "fixtures" / "cjk" / "cases.txt"
TITLE = re.compile(r"^\[(keep|hant|hans|tw|hk)\] \((hant|hans)\) (.+)$")


def load() -> list[tuple[str, str, str, str, str]]:
    lines = CASES.read_text(encoding="utf-8").split("\n")
    cases = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        m = TITLE.match(lines[i])
        assert m and lines[i + 1] == "." and lines[i + 3] == "." and lines[i + 5] == ".", f"line {i + 1}"
        cases.append((m.group(1), m.group(2), m.group(3), lines[i + 2], lines[i + 4]))
        i += 6
    return cases


def run(edition: str, source: str, text: str) -> str:
    lang = "zh-Hant" if source == "hant" else "zh-Hans"
    doc = ir.Document(metadata=ir.Metadata(language=lang),
                      blocks=(ir.Para(children=(ir.Text(text=text),), number="1"),),
                      steps=(ir.Step(name="report-reader"),))
    out = pipeline.transform(doc, Options(script=edition))  # type: ignore[arg-type]
    para = out.blocks[0]
    assert isinstance(para, ir.Para)
    return plain(para.children)


ALL = load()


def test_enough_cases() -> None:
    assert len(ALL) >= 80


@pytest.mark.parametrize("edition, source, title, given, expected", ALL, ids=[c[2] for c in ALL])
def test_case(edition: str, source: str, title: str, given: str, expected: str) -> None:
    assert run(edition, source, given) == expected


@pytest.mark.parametrize("edition, source, title, given, expected", ALL, ids=[c[2] for c in ALL])
def test_idempotent(edition: str, source: str, title: str, given: str, expected: str) -> None:
    assert run(edition, source, expected) == expected
