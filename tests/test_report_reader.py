"""The plain-text report reader: the sample's whole structure, its variants, repairs, encodings, errors."""

from __future__ import annotations

import codecs
import json
import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import opencc
import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.errors import InputError
from pipeline.options import Options
from pipeline.readers.report.lines import COLLECTED_IN, EDIT_LINK, RESIDUE
from pipeline.walk import iter_blocks, plain
from tests.conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures" / "report"
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
T2S = opencc.OpenCC("t2s")


def read_bytes(data: bytes, name: str = "report.txt", **opts: Any) -> tuple[ir.Document, Diagnostics]:
    diag = Diagnostics(file=name)
    from pipeline.readers.report import read
    return read(data, Options(**opts), diag, name=name), diag


def structure(doc: ir.Document) -> dict[str, Any]:
    """What must not change between variants of one report (texts folded to Simplified)."""
    d = pipeline.describe(doc)
    return {
        "paragraphs": d["paragraphs"],
        "headings": [(h["level"], h["label"], T2S.convert(h["text"])) for h in d["headings"]],
        "boxes": [(T2S.convert(b["title"]), b["paragraphs"]) for b in d["boxes"]],
        "footnotes": [(f["marker"], HAN.findall(T2S.convert(f["text"]))) for f in d["footnotes"]],
        "meta": (d["metadata"]["symbol"], d["metadata"]["date"], len(d["metadata"]["authors"])),
        "para_han": [len(HAN.findall(plain(b.children))) for b in iter_blocks(doc.blocks)
                     if isinstance(b, ir.Para)],
    }


@pytest.fixture(scope="module")
def sample_doc() -> tuple[ir.Document, Diagnostics]:
    return read_bytes(SAMPLE.read_bytes(), name=str(SAMPLE))


def test_all_132_paragraphs_in_order(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    d = pipeline.describe(sample_doc[0])
    assert d["paragraphs"] == [str(n) for n in range(1, 133)]


def test_headings_and_levels(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    heads = pipeline.describe(sample_doc[0])["headings"]
    chapters = [h for h in heads if h["level"] == 1]
    assert [(h["label"], h["text"]) for h in chapters] == [
        ("第一章", "導言"), ("第二章", "聯合國的工作"), ("第三章", "聯合國的有效運作")]
    sections = [h for h in heads if h["level"] == 2]
    assert [h["label"] for h in sections] == [f"{c}." for c in "ABCDEFGH"]
    level3 = Counter(h["text"] for h in heads if h["level"] == 3)
    assert level3 == {"背景": 8, "我們的目標": 8, "我們的成就": 9, "我們的工作和人員": 1}
    topical = [h["text"] for h in heads if h["level"] == 4]
    assert topical[:3] == ["落實《2030 年議程》", "擴大發展籌資", "不讓任何一個人掉隊"]
    assert "暴力侵害兒童行為、武裝衝突中的兒童、與衝突有關的性暴力和防止滅絕種族" in topical
    assert len(topical) == 13  # 7 under A, 6 under B
    assert all(h["label"] is None for h in heads if h["level"] >= 3)


def test_glued_heading_after_paragraph_94(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    doc, diag = sample_doc
    blocks = list(iter_blocks(doc.blocks))
    i = next(i for i, b in enumerate(blocks) if isinstance(b, ir.Para) and b.number == "94")
    para, nxt = blocks[i], blocks[i + 1]
    assert isinstance(para, ir.Para) and plain(para.children).endswith("合作的基礎。")
    assert isinstance(nxt, ir.Heading) and plain(nxt.children) == "我們的目標" and nxt.level == 3
    assert any(d.code == "separated-heading" and d.line == 345 for d in diag.items)


def test_run_together_and_broken_paragraphs(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    doc, diag = sample_doc
    paras = {b.number: plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number}
    assert paras["19"].endswith("社會保護。") and paras["20"].startswith("「地方 2030」")
    assert paras["99"].endswith("重大支持。") and paras["100"].startswith("此外")
    assert paras["53"].endswith("加強我們與非洲聯盟的夥伴關係。")
    assert "2.45億" in paras["7"] and "1.5°C" in "".join(paras.values())
    splits = sorted(d.line for d in diag.items if d.code == "split-run-together")
    assert splits == [81, 359]
    assert [d.line for d in diag.items if d.code == "joined-broken-paragraph"] == [185]


def test_boxes(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    boxes = [b for b in sample_doc[0].blocks if isinstance(b, ir.Box)]
    assert len(boxes) == 12
    assert sum(len(b.blocks) for b in boxes) == 13
    assert plain(boxes[0].title) == "人权人人参与"
    assert [len(b.blocks) for b in boxes].count(2) == 1
    # each box stands where the source put it: the first one follows paragraph 10
    i = sample_doc[0].blocks.index(boxes[0])
    before = sample_doc[0].blocks[i - 1]
    assert isinstance(before, ir.Para) and before.number == "10"


def test_footnote_linked(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    doc = sample_doc[0]
    assert [(n.id, n.marker) for n in doc.notes] == [("fn-1", "1")]
    assert plain(doc.notes[0].blocks[0].children).startswith("按照聯合國秘書處的經常預算")  # type: ignore[union-attr]
    para2 = next(b for b in doc.blocks if isinstance(b, ir.Para) and b.number == "2")
    refs = [c for c in para2.children if isinstance(c, ir.NoteRef)]
    assert refs == [ir.NoteRef(note_id="fn-1", marker="1")]


def test_metadata(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    m = sample_doc[0].metadata
    assert m.title == "聯合國秘書長關於聯合國工作的報告 (2024年)"
    assert m.symbol == "A/79/1"
    assert m.authors == ("安東尼奧·古特雷斯",)
    assert (m.date, m.place) == ("2024-08-21", "紐約")
    assert m.session == "在聯合國大會第七十九屆會議上"
    assert m.publisher == "聯合國秘書處"
    assert m.edition_notes == ("由於技術原因於 2024 年 8 月 21 日重發。",)
    kinds = [type(b).__name__ for b in m.rights]
    assert kinds == ["Para", "Para", "ListBlock"]
    lst = m.rights[2]
    assert isinstance(lst, ir.ListBlock) and len(lst.items) == 3 and lst.ordered


def test_furniture_removed_and_reported(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    doc, diag = sample_doc
    removed = [d for d in diag.items if d.code == "removed-furniture"]
    assert sum("edit link" in d.message for d in removed) == 36
    assert sum("series navigation" in d.message for d in removed) == 2
    assert sum("collection line" in d.message for d in removed) == 1
    assert sum("residue" in d.message for d in removed) == 1
    assert all(d.line for d in removed)
    text = pipeline.describe(doc)
    flat = json.dumps(text, ensure_ascii=False)
    assert "編輯" not in flat.replace("編輯", "", 0) or all(h["text"] != "編輯" for h in text["headings"])
    assert "Public domainPublic" not in flat


def han_of_doc(doc: ir.Document) -> str:
    parts: list[str] = []
    for blocks in (doc.blocks, doc.metadata.rights, *(n.blocks for n in doc.notes)):
        for b in iter_blocks(blocks):
            if isinstance(b, ir.Heading):
                parts.append((b.label or "") + plain(b.children))
            elif isinstance(b, ir.Para):
                parts.append(plain(b.children))
            elif isinstance(b, ir.Box):
                parts.append(plain(b.title))
            elif isinstance(b, ir.ListBlock):  # an item's label (（一）) is the source's text too
                parts.extend(item.label or "" for item in b.items)
    return "".join(HAN.findall("".join(parts)))


def test_every_han_character_reaches_the_ir(sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("第一章"))
    kept = [ln for ln in lines[start:] if not any(p.match(ln.strip()) for p in (EDIT_LINK, RESIDUE, COLLECTED_IN))]
    source = "".join(HAN.findall("".join(kept)))
    assert len(source) == 18683
    assert han_of_doc(sample_doc[0]) == source


def _wrap(text: str, width: int, *, keep_indent: bool = True, cut: bool = False) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        if cut:
            out.extend(line[i:i + width] for i in range(0, len(line), width))
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        out.extend(textwrap.wrap(line.strip(), width, initial_indent=indent,
                                 subsequent_indent=indent if keep_indent else ""))
    return "\n".join(out)


SOURCE = SAMPLE.read_text(encoding="utf-8")
VARIANTS = {
    "gb18030": lambda: SOURCE.encode("gb18030"),
    "utf-16": lambda: SOURCE.encode("utf-16"),
    "utf-16-le-no-bom": lambda: SOURCE.encode("utf-16-le"),
    "utf-8-bom": lambda: codecs.BOM_UTF8 + SOURCE.encode("utf-8"),
    "crlf": lambda: SOURCE.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda: SOURCE.replace("\n", "\r").encode("utf-8"),
    "wrapped-40": lambda: _wrap(SOURCE, 40).encode("utf-8"),
    "wrapped-20": lambda: _wrap(SOURCE, 20).encode("utf-8"),
    "wrapped-72-unindented": lambda: _wrap(SOURCE, 72, keep_indent=False).encode("utf-8"),
    "cut-35": lambda: _wrap(SOURCE, 35, cut=True).encode("utf-8"),
    "simplified": lambda: T2S.convert(SOURCE).encode("utf-8"),
    "simplified-wrapped-gb18030-crlf": lambda: _wrap(T2S.convert(SOURCE), 33, cut=True)
    .replace("\n", "\r\n").encode("gb18030"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variants_give_the_same_structure(variant: str, sample_doc: tuple[ir.Document, Diagnostics]) -> None:
    try:
        data = VARIANTS[variant]()
    except UnicodeEncodeError as exc:  # pragma: no cover - depends on the codec tables
        pytest.skip(f"sample not encodable: {exc}")
    doc, _ = read_bytes(data)
    assert structure(doc) == structure(sample_doc[0])


def test_big5_is_detected() -> None:
    text = (FIXTURES / "conventions.txt").read_text(encoding="utf-8")
    doc, diag = read_bytes(text.encode("big5"))
    assert pipeline.describe(doc)["paragraphs"] == ["1", "2", "3", "4"]
    assert any(d.code == "encoding-detected" and "big5" in d.message for d in diag.items)


def test_encoding_override() -> None:
    doc, _ = read_bytes(SOURCE.encode("gb18030"), encoding="gb18030")
    assert len(pipeline.describe(doc)["paragraphs"]) == 132


@pytest.mark.parametrize("data, offset", [
    (b"\xe7\xac\xac\xe4\xb8\x80\xe7\xab\xa0 ok\n1. \xff\xfe\xfd\xfc", None),
    (b"abc\x00\x01\x02binary", 3),
])
def test_undecodable_input_is_a_clear_error(data: bytes, offset: int | None) -> None:
    with pytest.raises(InputError) as info:
        read_bytes(data, name="bad.txt")
    err = info.value
    assert err.file == "bad.txt" and err.offset is not None
    if offset is not None:
        assert err.offset == offset
    assert "byte" in err.one_line()


def test_wrong_forced_encoding_names_the_offset() -> None:
    with pytest.raises(InputError, match=r"bad.txt: byte 2: cannot be decoded as ascii"):
        read_bytes("ab中".encode(), name="bad.txt", encoding="ascii")


def test_empty_input_gives_an_empty_document() -> None:
    doc, _ = read_bytes(b"")
    assert doc.blocks == () and doc.notes == ()


@pytest.mark.parametrize("case", sorted(p.stem for p in FIXTURES.glob("*.txt")))
def test_repair_fixtures(case: str) -> None:
    expected = json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
    doc, diag = read_bytes((FIXTURES / f"{case}.txt").read_bytes(), name=f"{case}.txt")
    d = pipeline.describe(doc, diag)
    assert d["paragraphs"] == expected["paragraphs"]
    paras = {b.number: plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para) and b.number}
    for number, text in expected.get("texts", {}).items():
        assert paras[number] == text
    if "headings" in expected:
        assert [[h["level"], h["label"], h["text"]] for h in d["headings"]] == expected["headings"]
    if "boxes" in expected:
        assert [{"title": b["title"], "paragraphs": b["paragraphs"]} for b in d["boxes"]] == expected["boxes"]
    if "footnotes" in expected:
        assert d["footnotes"] == expected["footnotes"]
    for code, count in expected.get("codes", {}).items():
        assert diag.counts()[code] == count, code
    for key, value in expected.get("metadata", {}).items():
        assert d["metadata"][key] == value, key
    for piece in expected.get("rights_contains", []):
        assert piece in d["metadata"]["rights"]
