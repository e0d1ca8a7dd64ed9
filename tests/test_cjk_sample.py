"""The CJK transforms on the whole sample, in every edition: the properties issue 3 asks for."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline
from pipeline import ir
from pipeline.cjk.conversion import converter
from pipeline.diagnostics import Diagnostics
from pipeline.errors import DocpipeError
from pipeline.options import Options
from pipeline.transforms import run_all
from pipeline.transforms.script import planner
from pipeline.walk import iter_blocks, plain
from tests.conftest import SAMPLE

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
EDITIONS = ["keep", "hant", "hans", "tw", "hk"]
TAG = {"hant": "zh-Hant", "hans": "zh-Hans", "tw": "zh-Hant-TW", "hk": "zh-Hant-HK"}


def texts(doc: ir.Document) -> Iterator[tuple[str, str | None]]:
    """Every text string with the language in force."""
    doc_lang = doc.metadata.language

    def inl(nodes: tuple[ir.Inline, ...], lang: str | None) -> Iterator[tuple[str, str | None]]:
        for n in nodes:
            if isinstance(n, ir.Text):
                yield n.text, lang
            elif isinstance(n, ir.Span):
                yield from inl(n.children, n.lang or lang)
            elif isinstance(n, ir.Emph | ir.Strong | ir.Link | ir.BookTitle):
                yield from inl(n.children, lang)

    def blk(blocks: tuple[ir.Block, ...], lang: str | None) -> Iterator[tuple[str, str | None]]:
        for b in blocks:
            if isinstance(b, ir.Para | ir.Heading):
                yield from inl(b.children, b.lang or lang)
            elif isinstance(b, ir.Box):
                yield from inl(b.title, b.lang or lang)
                yield from blk(b.blocks, b.lang or lang)
            elif isinstance(b, ir.ListBlock):
                for i in b.items:
                    yield from blk(i.blocks, lang)

    yield from blk(doc.blocks, doc_lang)
    yield from blk(doc.metadata.rights, doc_lang)
    for n in doc.notes:
        yield from blk(n.blocks, n.lang or doc_lang)
    m = doc.metadata
    for s in (m.title, m.place, m.session, m.publisher, *m.authors, *m.edition_notes):
        if s:
            yield s, doc_lang


@pytest.fixture(scope="module", params=EDITIONS)
def edition(request: pytest.FixtureRequest) -> tuple[str, ir.Document]:
    script = request.param
    return script, pipeline.transform(pipeline.read(SAMPLE), Options(script=script))


def test_no_ascii_comma_colon_semicolon_next_to_han(edition: tuple[str, ir.Document]) -> None:
    bad = [t for t, _ in texts(edition[1]) if re.search(rf"[{HAN}][,:;]|[,:;][{HAN}]", t)]
    assert bad == []


def test_no_space_between_han(edition: tuple[str, ir.Document]) -> None:
    assert [t for t, _ in texts(edition[1]) if re.search(rf"[{HAN}][ \u00a0]+[{HAN}]", t)] == []


def test_space_grouped_numbers_joined(edition: tuple[str, ir.Document]) -> None:
    all_text = "\n".join(t for t, _ in texts(edition[1]))
    assert not re.search(r"(?<![\d.])\d{1,3} \d{3}(?!\d)", all_text)
    assert all_text.count("\u202f") >= 37


def test_quotation_marks_of_the_edition(edition: tuple[str, ir.Document]) -> None:
    script, doc = edition
    for text, lang in texts(doc):
        lang = lang or ""
        if lang.startswith("zh-Hans"):
            assert not re.search("[「」『』]", text), text
        elif lang.startswith("zh-Hant"):
            assert not re.search(rf"[“”‘]|’(?![A-Za-z\s])|(?<=[{HAN}])’", text), text
    if script in ("hans",):
        assert all(not re.search("[「」『』]", t) for t, _ in texts(doc))
    if script in ("hant", "tw", "hk"):
        assert all(not re.search("[“”]", t) for t, _ in texts(doc))


def test_script_and_tags(edition: tuple[str, ir.Document]) -> None:
    script, doc = edition
    if script == "keep":
        assert doc.metadata.language == "zh-Hant"
        boxes = [b for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)]
        assert {b.lang for b in boxes} == {"zh-Hans"}
        return
    assert doc.metadata.language == TAG[script]
    langs = {b.lang for b in iter_blocks(doc.blocks) if isinstance(b, ir.Box)} | {n.lang for n in doc.notes}
    assert langs == {TAG[script]}
    for b in iter_blocks(doc.blocks):
        if isinstance(b, ir.Para | ir.Heading):
            assert b.lang is None  # inherits the edition's tag
    if script == "hans":
        t2s = converter("t2s")
        assert [t for t, _ in texts(doc) if t2s.convert(t) != t] == []
    if script in ("hant", "tw", "hk"):
        # each text is a fixed point of its edition's own conversion (tests/test_editions.py checks the forms)
        plan = planner(doc, Options(script=script))  # type: ignore[arg-type]
        assert [t for t, lang in texts(doc) if plan(t, lang)(t) != t] == []


def test_counts_reported_by_inspect() -> None:
    report = pipeline.inspect(SAMPLE, Options(script="hans"))
    steps = {s["name"]: s["counts"] for s in report["steps"]}
    assert steps["punctuation"]["commas"] > 500
    assert steps["numbers"]["numbers"] >= 37
    assert steps["spacing"]["han-han"] > 0 and steps["script"]["characters"] > 1000
    assert any(d["code"] == "transform-count" for d in report["diagnostics"])


def test_keep_spaces_option() -> None:
    doc = pipeline.transform(pipeline.read(SAMPLE), Options(keep_spaces=True))
    all_text = "\n".join(t for t, _ in texts(doc))
    assert "2023 年" in all_text and not re.search(rf"[{HAN}] [{HAN}]", all_text)


def test_join_numbers_without_space() -> None:
    doc = pipeline.transform(pipeline.read(SAMPLE), Options(number_joiner=""))
    all_text = "\n".join(t for t, _ in texts(doc))
    assert "\u202f" not in all_text and "3000多名" in all_text


ALPHABET = "聯合國秘书长我们的工作，。、「」“”‘’《》,:;!?() \u00a0\t2045.°C%+/-abcXYZ\"'"
CJKISH = st.text(alphabet=st.sampled_from(list(ALPHABET)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(CJKISH, st.sampled_from(EDITIONS), st.sampled_from(["zh-Hant", "zh-Hans"]))
def test_transforms_never_lose_han_and_are_idempotent(text: str, script: str, lang: str) -> None:
    doc = ir.Document(metadata=ir.Metadata(language=lang), blocks=(ir.Para(children=(ir.Text(text=text),)),))
    opts = Options(script=script)  # type: ignore[arg-type]
    try:
        once = run_all(doc, opts, Diagnostics())
    except DocpipeError:
        return
    out = plain(once.blocks[0].children)  # type: ignore[union-attr]
    assert len(re.findall(f"[{HAN}]", out)) == len(re.findall(f"[{HAN}]", text))
    twice = run_all(once, opts, Diagnostics())
    assert plain(twice.blocks[0].children) == out  # type: ignore[union-attr]
