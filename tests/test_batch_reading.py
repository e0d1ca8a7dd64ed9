"""Work done once instead of many times gives the same results: a book's Markdown chapters read in one pandoc run
(``pandoc lua``) make the very ASTs and warnings of one run each; the document's majority script counted line by
line is the whole body's; the character tests the transforms cache answer as the regular expressions do."""

from __future__ import annotations

import json

import pytest

from pipeline.book import read_book
from pipeline.cjk import chars, script
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.readers.pandoc import MARKDOWN, markdown_text
from pipeline.readers.pandoc import run as pandoc_run
from pipeline.transforms.lang import _majority_script

from .conftest import ROOT, SAMPLE

FIXTURES = ROOT / "tests" / "fixtures"
#: What pandoc's command line does around its reader, each in a text of its own: tabs expanded (a code block
#: keeps them as spaces), carriage returns dropped, a soft break between two Han characters dropped (and kept
#: between Latin words), the abbreviations of its data file (a no-break space after ``Dr.``), 72 columns (a
#: long pipe table's relative widths), its warnings (duplicate note and link references).
CRAFTED = [
    "a\tb\r\n\r\n    x\ty\tz\r\n\n```\nab\tc\n```\n",
    "中文\r\n中文 \r\n中\n\n- 一\n  二\n\n*中*\n文 and\nthen\n中\n",
    "Mr. Smith met Dr. Who, e.g. here.\n\n| a | b |\n|---|---|\n| " + "x" * 60 + " | " + "y" * 40 + " |\n",
    "hello [^1] [x]\n\n[^1]: a\n[^1]: b\n\n[x]: y\n[x]: z\n",
    "",
]


def _texts() -> list[tuple[str, bytes]]:
    files = sorted((FIXTURES / "books").rglob("*.md")) + sorted((FIXTURES / "markdown").glob("*.md"))
    out = [(str(f), markdown_text(f.read_bytes(), Options(), Diagnostics(), str(f))) for f in files]
    return out + [(f"crafted-{i}", t.encode("utf-8")) for i, t in enumerate(CRAFTED)]


def test_one_pandoc_run_reads_like_one_run_each() -> None:
    texts = _texts()
    assert len(texts) > 20
    options = Options()
    alone = [Diagnostics() for _ in texts]
    single = [pandoc_run.run_pandoc(t, MARKDOWN, n, options, d) for (n, t), d in zip(texts, alone, strict=True)]
    together = [Diagnostics() for _ in texts]
    batch = pandoc_run.run_pandoc_many([t for _, t in texts], MARKDOWN, [n for n, _ in texts], options, together)
    for (name, _), a, b, da, db in zip(texts, single, batch, alone, together, strict=True):
        assert json.dumps(b, sort_keys=True) == json.dumps(a, sort_keys=True), name
        assert [i.message for i in db.items] == [i.message for i in da.items], name
    warned = [i.message for i in together[-2].items]
    assert any("Duplicate note reference" in m for m in warned), warned  # the warnings did come through
    code = batch[len(texts) - len(CRAFTED)]["blocks"][1]
    assert code["t"] == "CodeBlock" and "\t" not in code["c"][1]  # tabs expanded, as the command line does


def test_batch_is_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch really is one pandoc process (not the per-text fallback), and a failed batch falls back."""
    import subprocess

    runs: list[list[str]] = []
    real = subprocess.run

    def counting(cmd: list[str], *args: object, **kwargs: object) -> object:
        runs.append(cmd)
        return real(cmd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pandoc_run.subprocess, "run", counting)
    texts = [t.encode("utf-8") for t in CRAFTED[:3]]
    pandoc_run.run_pandoc_many(texts, MARKDOWN, ["a", "b", "c"], Options(), [Diagnostics() for _ in texts])
    assert [c for c in runs if "lua" in c] and not [c for c in runs if "json" in c and "lua" not in c], runs


def test_a_long_books_chapters_read_side_by_side_read_like_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past :data:`PARALLEL_BYTES` a book's chapters are read in one pandoc process per core, each a consecutive
    run of them: the same ASTs and warnings, in the same order, as one process."""
    texts = _texts()
    options = Options()
    one = [Diagnostics() for _ in texts]
    whole = pandoc_run.run_pandoc_many([t for _, t in texts], MARKDOWN, [n for n, _ in texts], options, one)
    monkeypatch.setattr(pandoc_run, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(pandoc_run.os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    batches = pandoc_run._batches([t for _, t in texts])
    assert len(batches) == 3 and [i for b in batches for i in b] == list(range(len(texts)))
    several = [Diagnostics() for _ in texts]
    split = pandoc_run.run_pandoc_many([t for _, t in texts], MARKDOWN, [n for n, _ in texts], options, several)
    assert json.dumps(split, sort_keys=True) == json.dumps(whole, sort_keys=True)
    assert [[i.message for i in d.items] for d in several] == [[i.message for i in d.items] for d in one]


def test_book_read_in_one_run_equals_chapters_read_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.readers.pandoc as readers

    for book in ("trpl-zh-cn/src/SUMMARY.md", "oi-wiki-graph/mkdocs.yml", "ropensci-dev-guide/_quarto.yml"):
        d1 = Diagnostics()
        together, _, _ = read_book([FIXTURES / "books" / book], Options(), d1)
        with monkeypatch.context() as m:
            m.setattr(readers, "read_markdown_many",
                      lambda sources: [readers.read_markdown(d, o, g, name=n) for d, o, g, n in sources])
            d2 = Diagnostics()
            alone, _, _ = read_book([FIXTURES / "books" / book], Options(), d2)
        assert together == alone, book
        assert [i.message for i in d1.items] == [i.message for i in d2.items], book


def _bodies() -> list[str]:
    sample = SAMPLE.read_text(encoding="utf-8")
    paragraphs = [p for p in sample.split("\n") if p.strip()]
    return [
        sample,
        "\n".join(paragraphs[:40]),
        "这是简体中文，们。\n這是繁體中文，們。\n什么\n（甲胄）\n",
        "擡头抬頭，\n\n」什么乾隆\n。們们\n",  # mixed clauses, punctuation at the start and end of lines
        "\n".join(p[::-1] for p in paragraphs[10:30]),
        "no Han at all\nnone",
    ]


@pytest.mark.parametrize("n", range(len(_bodies())))
def test_majority_script_line_by_line_is_the_whole_bodys(n: int) -> None:
    body = _bodies()[n]
    assert _majority_script(body) == script.detect_script(body)


def test_cached_character_tests_answer_as_the_classes_do() -> None:
    text = SAMPLE.read_text(encoding="utf-8") + "，。、「」…—·“”‘’()[]abc123〇々\u3000\U00020000"
    for ch in dict.fromkeys(text):
        assert chars.is_han(ch) == bool(chars.HAN.fullmatch(ch)), ch
        expected = bool(ch) and ch not in chars.SHARED and ch not in chars.ENCLOSING and (
            bool(chars.HAN.fullmatch(ch)) or ch in chars.FULLWIDTH_PUNCT or "\u3001" <= ch <= "\u303f")
        assert chars.is_chinese(ch) == expected, ch
    assert not chars.is_chinese("") and not chars.is_han("")


def test_neighbours_by_bisection_match_the_scan() -> None:
    text = list("甲, (b) 1,000 “乙”， c…丙  ")
    near = chars.Neighbours(text, frozenset("0123456789"))
    for i in range(len(text)):
        for edge in ("", "x", " "):
            assert near.prev(i, edge) == chars.neighbour(text, i, -1, edge, frozenset("0123456789")), (i, edge)
            assert near.next(i, edge) == chars.neighbour(text, i, 1, edge, frozenset("0123456789")), (i, edge)
