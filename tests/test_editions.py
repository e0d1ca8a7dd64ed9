"""The sample's Traditional editions character by character: one standard for body and boxes alike (issue 18)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import pipeline
from pipeline import ir
from pipeline.cjk.conversion import dictionary
from pipeline.cjk.script import _only_sets
from pipeline.options import Options
from pipeline.transforms import script
from pipeline.walk import plain
from tests.conftest import SAMPLE

TRADITIONAL = ["hant", "tw", "hk"]


def nodes(doc: ir.Document) -> Iterator[tuple[str, str | None, bool]]:
    """Every text node's text, the language in force, and whether it sits in a box."""

    def inl(children: tuple[ir.Inline, ...], lang: str | None, boxed: bool) -> Iterator[tuple[str, str | None, bool]]:
        for n in children:
            if isinstance(n, ir.Text):
                yield n.text, lang, boxed
            elif isinstance(n, ir.Span):
                yield from inl(n.children, n.lang or lang, boxed)
            elif isinstance(n, ir.Emph | ir.Strong | ir.Link | ir.BookTitle):
                yield from inl(n.children, lang, boxed)

    def blk(blocks: tuple[ir.Block, ...], lang: str | None, boxed: bool) -> Iterator[tuple[str, str | None, bool]]:
        for b in blocks:
            if isinstance(b, ir.Para | ir.Heading):
                yield from inl(b.children, b.lang or lang, boxed)
            elif isinstance(b, ir.Box):
                yield from inl(b.title, b.lang or lang, True)
                yield from blk(b.blocks, b.lang or lang, True)
            elif isinstance(b, ir.ListBlock):
                for i in b.items:
                    yield from blk(i.blocks, lang, boxed)
            elif isinstance(b, ir.BlockQuote | ir.Div):
                yield from blk(b.blocks, b.lang or lang, boxed)

    yield from blk(doc.blocks, doc.metadata.language, False)
    for n in doc.notes:
        yield from blk(n.blocks, n.lang or doc.metadata.language, False)


@pytest.fixture(scope="module")
def source() -> ir.Document:
    return pipeline.read(SAMPLE)


@pytest.fixture(scope="module", params=TRADITIONAL)
def edition(request: pytest.FixtureRequest, source: ir.Document) -> tuple[str, ir.Document]:
    return request.param, pipeline.transform(source, Options(script=request.param))


def _text(doc: ir.Document) -> str:
    return "\n".join(t for t, _, _ in nodes(doc))


def test_every_text_node_is_a_fixed_point(edition: tuple[str, ir.Document]) -> None:
    name, doc = edition
    plan = script.planner(doc, Options(script=name))  # type: ignore[arg-type]
    moved = [(t, plan(t, lang)(t)) for t, lang, _ in nodes(doc) if plan(t, lang)(t) != t]
    assert moved == []


def test_no_simplified_character_left(edition: tuple[str, ir.Document]) -> None:
    _, simplified_only = _only_sets()
    assert sorted({c for c in _text(edition[1]) if c in simplified_only}) == []


def test_one_form_of_each_variant(edition: tuple[str, ir.Document]) -> None:
    """No character the edition's standard writes otherwise: 爲 beside 為, 祕 beside 秘, 裏 beside 裡."""
    name, doc = edition
    standard = {"tw": "tw", "hk": "hk"}.get(name) or script.standard(doc)
    table = {"tw": "TWVariants", "hk": "HKVariants"}.get(standard)
    assert table is not None, "the sample is written in Taiwan's forms"
    replaced = {k for k, v in dictionary(table).items() if len(k) == 1 and k != v}
    text = _text(doc)
    assert sorted({c for c in text if c in replaced}) == []
    assert "爲" not in text and text.count("為") > 100


def test_hant_keeps_the_authors_forms(source: ir.Document) -> None:
    out = _text(pipeline.transform(source, Options(script="hant")))
    written = _text(source)
    body = "\n".join(t for t, _, boxed in nodes(source) if not boxed)
    assert written.count("秘書長") > 0 and "祕" not in out
    assert out.count("秘書長") == written.count("秘書長") + written.count("秘书长")
    # 台 is the author's only form of 臺; the boxes' 平台 must not come out as 平臺 beside the body's 平台
    assert "臺" not in written and "臺" not in out and out.count("平台") > body.count("平台") > 0


def test_and_for_is_not_merge_into(edition: tuple[str, ir.Document], source: ir.Document) -> None:
    out = _text(edition[1])
    assert "並為區域裁軍" in out
    assert "併為" not in out and "併爲" not in out
    assert "人蔘" not in out  # 人人参与, 300多人参加 are people taking part


def test_tw_uses_taiwan_vocabulary_in_body_and_boxes(source: ir.Document) -> None:
    doc = pipeline.transform(source, Options(script="tw"))
    body = "\n".join(t for t, _, boxed in nodes(doc) if not boxed)
    boxes = "\n".join(t for t, _, boxed in nodes(doc) if boxed)
    written = "\n".join(t for t, _, boxed in nodes(source) if not boxed)
    assert "人工智能" in written and "信息" in written and "網絡" in written
    for mainland in ("人工智能", "信息", "網絡", "网络", "数据", "數據庫"):
        assert mainland not in body and mainland not in boxes, mainland
    assert "人工智慧" in body and "資訊" in body and "網路" in body
    # words broken by a line wrap in a box (风险数 据, 索 马里) are converted as words
    assert "風險資料" in boxes and "索馬利亞" in boxes and "馬裡" not in body + boxes
    # prose is not computing: 程序 stays "procedure", 進程 "process", 文件 "document" (corrections.tsv)
    assert "和平進程" in body and "訴訟程序" in body and "程式" not in body + boxes and "成果文件" in body + boxes


def test_hk_uses_hong_kong_forms(source: ir.Document) -> None:
    out = _text(pipeline.transform(source, Options(script="hk")))
    assert "衞" in out and "衛" not in out and "温" in out and "溫" not in out


def test_keep_leaves_every_part_as_written(source: ir.Document) -> None:
    doc = pipeline.transform(source, Options(script="keep"))
    step = next(s for s in doc.steps if s.name == "script")
    assert dict(step.counts) == {"characters": 0, "nodes": 0}
    kept = [plain(b.children) for b in doc.blocks if isinstance(b, ir.Para)]
    assert any("秘书长" in t or "为" in t for t in _text(doc).split("\n"))  # the Simplified boxes stay Simplified
    assert kept


def test_edition_standard_is_declared(edition: tuple[str, ir.Document]) -> None:
    name, doc = edition
    step = next(s for s in doc.steps if s.name == "script")
    settings = dict(step.settings)
    assert settings["standard"] == {"hant": "tw", "tw": "tw", "hk": "hk"}[name]
    assert re.fullmatch(r"[a-z0-9,]+", settings["opencc"])
