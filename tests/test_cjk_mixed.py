"""Latin text stays Latin: real English-in-Chinese documents (tests/fixtures/mixed/) through every edition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.options import Options
from pipeline.walk import iter_blocks, plain
from tests.conftest import SAMPLE

MIXED = Path(__file__).parent / "fixtures" / "mixed"
DOCUMENTS = [*sorted(MIXED.glob("*.zh-*.md")), SAMPLE]
EDITIONS = ["keep", "hant", "hans", "tw", "hk"]

#: A Latin run of two words or more: letters, digits, spaces, ASCII punctuation and the marks English shares with
#: Chinese (curly quotes, ellipsis, dashes); it starts with a letter and ends with a letter, digit or closing mark.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:!?'\"()\[\]/&%+*=_@#<>“”‘’…—–-]*[A-Za-z0-9.!?)\"”’]")
#: Full-width punctuation between a Latin letter and a letter or digit (spaces aside): a Latin run made Chinese.
_MARK = r" ?[，：；！？（）「」『』] ?"
INSIDE = re.compile(rf"(?<=[A-Za-z]){_MARK}(?=[A-Za-z0-9])|(?<=[0-9]){_MARK}(?=[A-Za-z])")


def blocks(doc: ir.Document) -> list[str]:
    return [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para | ir.Heading)]


def runs(text: str) -> list[str]:
    found = (m.group(0) for m in LATIN_RUN.finditer(text))
    return [run for run in found if " " in run and re.search(r"[,;:!?()\"“”‘’]", run)]


@pytest.fixture(scope="module", params=DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def source(request: pytest.FixtureRequest) -> ir.Document:
    return pipeline.read(request.param)


@pytest.mark.parametrize("path", sorted(MIXED.glob("*.zh-*.md")), ids=lambda p: p.name)
def test_the_documents_mix_english_into_chinese(path: Path) -> None:
    texts = blocks(pipeline.read(path))
    assert sum(len(runs(t)) for t in texts) >= 5
    assert sum(bool(re.search("[\u4e00-\u9fff]", t)) for t in texts) >= 10


@pytest.mark.parametrize("edition", EDITIONS)
def test_latin_runs_come_out_as_written(source: ir.Document, edition: str) -> None:
    out = pipeline.transform(source, Options(script=edition))  # type: ignore[arg-type]
    before, after = blocks(source), blocks(out)
    assert len(before) == len(after)
    damaged = [(run, a) for b, a in zip(before, after, strict=True) for run in runs(b) if run not in a]
    assert damaged == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_full_width_mark_made_inside_a_latin_run(source: ir.Document, edition: str) -> None:
    out = pipeline.transform(source, Options(script=edition))  # type: ignore[arg-type]
    made = [(b, a) for b, a in zip(blocks(source), blocks(out), strict=True)
            if len(INSIDE.findall(a)) > len(INSIDE.findall(b))]
    assert made == []
