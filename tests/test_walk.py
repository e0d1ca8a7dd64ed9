"""The shared IR walkers: every node class is reached, the parts of a block are defined once, rewrites go bottom up."""

from __future__ import annotations

import dataclasses
from typing import get_args

from pipeline import ir
from pipeline.walk import (
    BlocksPart,
    InlinePart,
    block_text,
    iter_blocks,
    iter_inlines,
    iter_inlines_all,
    map_block_inlines,
    map_parts,
    map_text,
    map_text_ctx,
    parts,
    plain,
    rewrite_blocks,
)


def T(s: str) -> ir.Text:
    return ir.Text(text=s)


INLINES: tuple[ir.Inline, ...] = (
    T("a"), ir.Emph(children=(T("b"),)), ir.Strong(children=(T("c"),)), ir.Code(text="d"),
    ir.Link(children=(T("e"),), target="#x"), ir.Span(children=(T("f"),), lang="en"),
    ir.BookTitle(children=(T("g"),)), ir.NoteRef(note_id="fn-1", marker="1"), ir.LineBreak(),
    ir.Image(media="m.png", alt=(T("h"),)), ir.Math(tex="x^2"), ir.Milestone(unit="page", n="2"),
    ir.Choice(kind="app", readings=(ir.Reading(role="lem", children=(T("i"),)),
                                    ir.Reading(role="rdg", children=(T("j"),)))),
)

BLOCKS: tuple[ir.Block, ...] = (
    ir.Heading(level=1, children=(T("head"),)),
    ir.Para(children=INLINES, lang="zh-Hant"),
    ir.Box(title=(T("box"),), lang="zh-Hans", blocks=(ir.Para(children=(T("in box"),)),)),
    ir.ListBlock(items=(ir.ListItem(blocks=(ir.Para(children=(T("item"),)),)),)),
    ir.BlockQuote(blocks=(ir.Para(children=(T("quoted"),)),), lang="fr"),
    ir.Table(rows=((ir.Cell(blocks=(ir.Para(children=(T("cell"),)),)),),), caption=(T("tab"),)),
    ir.Figure(images=(ir.Image(media="f.png", alt=(T("alt"),)),), caption=(T("fig"),)),
    ir.CodeBlock(text="code"),
    ir.Div(blocks=(ir.Para(children=(T("div"),)),), lang="de"),
)

DOC = ir.Document(metadata=ir.Metadata(title="title", language="zh"), blocks=BLOCKS,
                  notes=(ir.Note(id="fn-1", marker="1", blocks=(ir.Para(children=(T("note"),)),)),))


def test_the_sample_holds_every_node_class() -> None:
    """So that each test below reaches every case of every walker (a new class must be added here)."""
    blocks = {type(b) for b in iter_blocks(BLOCKS)}
    inlines = {type(n) for n in iter_inlines_all(DOC)}
    assert blocks == set(get_args(ir.Block))
    assert inlines == set(get_args(ir.Inline))


def _recorded(b: ir.Block, lang: str | None) -> list[tuple[str, str | None, tuple[object, ...]]]:
    seen: list[tuple[str, str | None, tuple[object, ...]]] = []

    def on_inlines(seq: tuple[ir.Inline, ...], lg: str | None) -> tuple[ir.Inline, ...]:
        seen.append(("inlines", lg, seq))
        return seq

    def on_blocks(seq: tuple[ir.Block, ...], lg: str | None) -> tuple[ir.Block, ...]:
        seen.append(("blocks", lg, seq))
        return seq

    assert map_parts(b, on_inlines, on_blocks, lang) == b
    return seen


def test_parts_and_map_parts_agree() -> None:
    for b in iter_blocks(BLOCKS):
        listed = [("inlines", p.lang, p.inlines) if isinstance(p, InlinePart) else ("blocks", p.lang, p.blocks)
                  for p in parts(b, "zh")]
        assert listed == _recorded(b, "zh"), type(b).__name__
    box = BLOCKS[2]
    assert [p.path for p in parts(box, None)] == [".title", ".blocks"]
    assert [p.path for p in parts(BLOCKS[5], None)] == [".rows[0][0].blocks", ".caption"]
    assert [p.path for p in parts(BLOCKS[6], None)] == [".images[0].alt", ".caption"]
    assert all(isinstance(p, BlocksPart) for p in parts(BLOCKS[3], None))


def test_rewrite_blocks_goes_bottom_up_with_the_language_around_each_block() -> None:
    order: list[str] = []

    def fn(b: ir.Block, lang: str | None) -> ir.Block:
        order.append(f"{type(b).__name__}:{lang}")
        if isinstance(b, ir.Para):
            return dataclasses.replace(b, children=(T(plain(b.children).upper()),))
        if isinstance(b, ir.Box):
            inner = b.blocks[0]
            assert isinstance(inner, ir.Para) and plain(inner.children) == "IN BOX"  # its children came first
        return b

    out = rewrite_blocks(BLOCKS, fn, "zh")
    assert order == ["Heading:zh", "Para:zh", "Para:zh-Hans", "Box:zh", "Para:zh", "ListBlock:zh", "Para:fr",
                     "BlockQuote:zh", "Para:zh", "Table:zh", "Figure:zh", "CodeBlock:zh", "Para:de", "Div:zh"]
    assert "CELL" in block_text(out) and "QUOTED" in block_text(out) and "head" in block_text(out)


def test_map_text_reaches_every_text_but_code_and_other_readings() -> None:
    seen: list[tuple[str, str | None]] = []

    def fn(t: str, lang: str | None) -> str:
        seen.append((t, lang))
        return t.upper()

    out = map_text(DOC, fn)
    texts = {t for t, _ in seen}
    assert {"a", "b", "c", "e", "f", "g", "h", "i", "box", "in box", "cell", "tab", "alt", "fig", "div", "note",
            "title"} <= texts
    assert not {"d", "j", "code"} & texts  # inline code, the witnesses' reading, a code block
    assert ("f", "en") in seen and ("box", "zh-Hans") in seen and ("quoted", "fr") in seen
    assert out.metadata.title == "TITLE"
    para = out.blocks[1]
    assert isinstance(para, ir.Para) and plain(para.children).startswith("ABCdEF《G》[1]\nx^2I")
    assert isinstance(para.children[0], ir.Text) and para.children[0].orig == "a"


def test_map_text_ctx_sees_neighbours_across_inline_boundaries() -> None:
    seen: dict[str, tuple[str, str]] = {}

    def fn(t: str, before: str, after: str, lang: str | None) -> str:
        seen[t] = (before, after)
        return t

    assert map_text_ctx(DOC, fn) == DOC
    assert seen["a"] == ("", "b") and seen["b"] == ("a", "c") and seen["c"] == ("b", "d")
    assert seen["g"] == ("《", "》")  # a book title's marks count as characters
    assert seen["i"] == ("》", "")  # note calls, breaks, images, equations, milestones are empty slots


def test_map_block_inlines_and_iterators_cover_notes_and_rights() -> None:
    doc = dataclasses.replace(DOC, metadata=dataclasses.replace(
        DOC.metadata, rights=(ir.Para(children=(T("rights"),)),)))
    texts = [n.text for n in iter_inlines_all(doc) if isinstance(n, ir.Text)]
    assert texts[-2:] == ["note", "rights"]
    assert "j" in texts  # every reading of a choice is iterated
    calls: list[str | None] = []

    def on(seq: tuple[ir.Inline, ...], lang: str | None) -> tuple[ir.Inline, ...]:
        calls.append(lang)
        return seq

    assert map_block_inlines(BLOCKS, on, "zh") == BLOCKS
    assert calls.count("zh-Hans") == 2 and "fr" in calls and "de" in calls
    assert len(list(iter_inlines(INLINES))) == 21  # 13 nodes and 8 children


def test_transforms_reach_the_depth_the_guard_allows() -> None:
    """Lists nested as deep as ``--max-depth`` lets through (198 lists and a paragraph) run every transform and the
    change record without a RecursionError: the walkers spend few frames per level of nesting."""
    from pipeline.diagnostics import Diagnostics
    from pipeline.guard import guard
    from pipeline.options import Options
    from pipeline.transforms import run_all
    from pipeline.transforms._changes import Change

    para = ir.Para(children=(T("更 美好,世界(2023) 5 000 people"),))
    b: ir.Block = para
    for _ in range(198):
        b = ir.ListBlock(items=(ir.ListItem(blocks=(b,)),))
    options, diag = Options(), Diagnostics()
    doc = guard(ir.Document(metadata=ir.Metadata(language="zh-Hant"), blocks=(b,)), options, diag, "deep")
    changes: list[Change] = []
    out = run_all(doc, options, diag, changes=changes)
    shallow = run_all(dataclasses.replace(doc, blocks=(para,)), options, Diagnostics())
    # built in code, not scraped: the space between 更 and 美好 was typed, so it stays (transforms/spacing.py)
    assert block_text(out.blocks) == block_text(shallow.blocks) == "更 美好，世界（2023）5\u202f000 people"
    assert {c.rule.split(":")[0] for c in changes} == {"numbers", "spacing", "punctuation"}


def test_rewrite_blocks_top_down_sees_containers_first_and_passes_their_new_language() -> None:
    order: list[str] = []

    def fn(b: ir.Block, lang: str | None) -> ir.Block:
        order.append(f"{type(b).__name__}:{lang}")
        return dataclasses.replace(b, lang="ja") if isinstance(b, ir.Box) else b

    out = rewrite_blocks(BLOCKS[2:3], fn, "zh", top_down=True)
    assert order == ["Box:zh", "Para:ja"]  # the box decided first, and its paragraph sees the box's new language
    assert isinstance(out[0], ir.Box) and out[0].lang == "ja"
