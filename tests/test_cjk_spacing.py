"""Spaces between Han characters, by where the text comes from (pipeline/transforms/spacing.py).

Scraped text (the report reader's) has spaces that line wraps left inside words: they go before the script
conversion, so a broken word converts whole. A marked-up source typed its spaces: inside a run of text one is the
author's separator, kept in every edition and a word boundary to the conversion (``干拌饭 干拌面`` is 乾拌飯 乾拌麪,
not 干拌飯 matched across 饭干); next to inline markup it is padding and goes. Each through the whole pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.walk import iter_blocks, plain

FIXTURES = Path(__file__).parent / "fixtures"
WORDS = "干拌饭 干拌面 干炒牛河"


def edition(path: Path, script: str = "hant") -> ir.Document:
    options = Options(script=script)  # type: ignore[arg-type]
    diag = Diagnostics()
    return pipeline.transform(pipeline.read(path, options, diag), options, diag)


def texts(doc: ir.Document) -> list[str]:
    return [plain(b.children) for b in iter_blocks(doc.blocks) if isinstance(b, ir.Para | ir.Heading)]


def han_setting(doc: ir.Document) -> str:
    return dict(next(s for s in doc.steps if s.name == "spacing").settings)["han-han"]


def _markdown(path: Path) -> None:
    path.write_text(f"# 面食\n\n{WORDS}\n", encoding="utf-8")


def _html(path: Path) -> None:
    path.write_text(f"<!DOCTYPE html><html><head><title>面食</title></head><body><p>{WORDS}</p></body></html>",
                    encoding="utf-8")


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(WORDS)
    document.save(str(path))


@pytest.mark.parametrize("suffix, make", [(".md", _markdown), (".html", _html), (".docx", _docx)],
                         ids=["markdown", "html", "docx"])
def test_a_typed_separator_is_kept_and_bounds_the_conversion(tmp_path: Path, suffix: str,
                                                         make: Callable[[Path], None]) -> None:
    path = tmp_path / f"words{suffix}"
    make(path)
    doc = edition(path)
    assert "乾拌飯 乾拌麪 乾炒牛河" in texts(doc)
    assert han_setting(doc) == "kept-in-text"
    assert WORDS in texts(edition(path, "keep"))


def test_padding_next_to_markup_goes(tmp_path: Path) -> None:
    """``称为 **借用**（*borrowing*）``, as the Chinese Rust book writes it: the spaces belong to the markup."""
    path = tmp_path / "terms.md"
    path.write_text("我们将创建一个引用的行为称为 **借用**（*borrowing*），请 [点击这里](#x) 阅读。\n",
                    encoding="utf-8")
    assert texts(edition(path, "keep")) == ["我们将创建一个引用的行为称为借用（borrowing），请点击这里阅读。"]


def test_scraped_wrap_spaces_go_before_the_conversion(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("面食報告\n\n联合国秘书长的报告说明了本组织在过去一年里的工作，其中提到干拌 饭和干拌 面是两种常见的"
                    "面食，这里的空格是换行留下的，更 美好的世界。\n", encoding="utf-8")
    doc = edition(path)
    assert texts(doc)[-1] == ("聯合國祕書長的報告說明了本組織在過去一年裏的工作，其中提到乾拌飯和乾拌麪是兩種常見的"
                              "麪食，這裏的空格是換行留下的，更美好的世界。")
    assert han_setting(doc) == "closed"


def test_a_second_pass_changes_nothing(tmp_path: Path) -> None:
    """Converting from an ``.ir.json`` runs the transforms again: what the first pass kept stays kept."""
    path = tmp_path / "mixed.md"
    path.write_text(f"{WORDS}，称为 **借用** 的行为\n\n甲胄 甲冑\n", encoding="utf-8")
    options = Options(script="hant")
    once = pipeline.transform(pipeline.read(path, options), options)
    twice = pipeline.transform(once, options)
    assert texts(twice) == texts(once) == ["乾拌飯 乾拌麪 乾炒牛河，稱爲借用的行爲", "甲冑 甲冑"]


@pytest.mark.parametrize("name, kept", [
    ("books/oi-wiki-graph/docs/graph/concept.md", "田文成 周禄新"),  # two authors' names
    ("statute/public-library-law.md", "2017年11月4日 第十二届全国人民代表大会"),  # the date before the clause
    ("tei/cbeta-p5-T08n0251.xml", "大正 校註"),  # CBETA's heading of the Taishō collation notes
    ("generality/datakit-snmp.zh-CN.md", "防火墙 规则"),
])
def test_real_separators_are_kept(name: str, kept: str) -> None:
    """The spaces between Han characters left in real marked-up documents after the markup's padding: each an
    author's separator, closed by the old rule (``田文成周禄新`` would be one name)."""
    assert any(kept in t for t in texts(edition(FIXTURES / name, "keep")))
