"""OpenCC's own test cases (``tests/fixtures/opencc/testcases.json``, as upstream ships it) through docpipe's editions.

Each case of a configuration an edition stands for goes through docpipe three ways: as a one-paragraph document
tagged with the case's source script and standard, through the script transform alone (the unit); and, through the
whole pipeline (the Markdown reader and every transform of the edition, as ``docpipe convert`` runs them), as an
untagged Markdown file of its own and as all cases of a configuration in one untagged Markdown file, one paragraph
each. Untagged, the script and the standard come from the text: for a one-case file, from that case alone (a
Traditional text is given its own region only on clear evidence); in one file, the document's majority is the
prior of every paragraph.

The cases separate words with spaces (``干拌饭 干拌面``): typed in Markdown, they are the author's and the spacing
transform keeps them, so the conversion sees the word boundaries. What the whole pipeline changes besides the script
is the edition's typography, stated here as its rule: a space between Han and a Latin letter or digit (``跌破 2 万点``)
is the writers' quarter-em gap, not a character (``--keep-spaces`` keeps it as typed).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import pipeline
from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.transforms import script
from pipeline.walk import plain

CASES = Path(__file__).parent / "fixtures" / "opencc" / "testcases.json"

#: OpenCC configuration -> (docpipe edition, language tag of the source document).
EDITIONS: dict[str, tuple[str, str]] = {
    "s2t": ("hant", "zh-Hans"),
    "s2twp": ("tw", "zh-Hans"),
    "s2hk": ("hk", "zh-Hans"),
    "t2s": ("hans", "zh-Hant"),
    "tw2s": ("hans", "zh-Hant-TW"),
    "hk2s": ("hans", "zh-Hant-HK"),
}

# Upstream's file has trailing commas (its C++ and Python tests parse it leniently); this is the same pattern
# upstream's python/tests/test_opencc.py uses: strings are matched first so nothing inside them is touched.
_LENIENT = re.compile(r'"(?:[^"\\]|\\.)*"|(/\*[\s\S]*?\*/|//.*)|(,\s*(?=[\]}]))')


def load() -> list[dict[str, Any]]:
    text = CASES.read_text(encoding="utf-8")
    cleaned = _LENIENT.sub(lambda m: "" if (m.group(1) or m.group(2)) else m.group(0), text)
    cases: list[dict[str, Any]] = json.loads(cleaned)["cases"]
    return cases


def cases() -> list[tuple[str, str, str, str]]:
    return [(config, case["id"], case["input"], expected)
            for case in load() for config, expected in case["expected"].items() if config in EDITIONS]


ALL = cases()


def edition(config: str, text: str) -> str:
    name, lang = EDITIONS[config]
    doc = ir.Document(metadata=ir.Metadata(language=lang), blocks=(ir.Para(children=(ir.Text(text=text),)),))
    out = script.apply(doc, Options(script=name), Diagnostics())  # type: ignore[arg-type]
    para = out.blocks[0]
    assert isinstance(para, ir.Para) and isinstance(para.children[0], ir.Text)
    return para.children[0].text


def test_the_file_is_upstreams_and_whole() -> None:
    assert len(ALL) == 339  # s2t 96, s2twp 84, s2hk 51, t2s 55, tw2s 32, hk2s 21 at the vendored commit
    assert {c[0] for c in ALL} == set(EDITIONS)


@pytest.mark.parametrize("config, case_id, given, expected", ALL, ids=[f"{c[0]}-{c[1]}" for c in ALL])
def test_upstream_case(config: str, case_id: str, given: str, expected: str) -> None:
    assert edition(config, given) == expected


#: One case's text that shows no region: OpenCC reads it as Taiwan's only because the configuration says so.
#: Untagged, docpipe reads it in OpenCC's own standard (what ``t2s`` makes of it); declared ``lang: zh-TW``, as
#: ``tw2s``. 慰藉著…: the same input is a case of ``t2s``, ``hk2s`` and ``tw2s`` with different expectations (著
#: is the particle 着 only in Taiwan's standard), so no reading of the text alone can meet all three. 什么…這么 老么:
#: Simplified text with one Traditional 這; 老么 is 老幺 only in Taiwan's usage, and nothing else in it is Taiwan's.
AMBIGUOUS: dict[tuple[str, str], str] = {
    ("tw2s", "BYVoid_OpenCC_Issue_767_solace"): "慰藉著受伤的心灵 慰藉着受伤的心灵",
    ("tw2s", "BYVoid_OpenCC_Issue_1469_simplified_me_passthrough"): "什么 怎么 这么 那么 多么 要么 好么 甚么 这么 老么",
}

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_LATIN = re.compile(f"(?<=[{_HAN}]) +(?=[0-9A-Za-z])|(?<=[0-9A-Za-z]) +(?=[{_HAN}])")


def typeset(expected: str) -> str:
    """OpenCC's output as an edition prints it: the space between Han and a Latin letter or digit is the writers'."""
    return _HAN_LATIN.sub("", expected)


def whole(path: Path, config: str, *, keep_spaces: bool = False) -> list[str]:
    """The paragraphs of an untagged Markdown file through the whole pipeline, in the edition of ``config``."""
    options = Options(script=EDITIONS[config][0], keep_spaces=keep_spaces)  # type: ignore[arg-type]
    diag = Diagnostics()
    doc = pipeline.transform(pipeline.read(path, options, diag), options, diag)
    return [plain(b.children) for b in doc.blocks if isinstance(b, ir.Para)]


def one_case(tmp_path: Path, config: str, given: str, *, front: str = "", keep_spaces: bool = False) -> str:
    path = tmp_path / "case.md"
    path.write_text(front + given + "\n", encoding="utf-8")
    paragraphs = whole(path, config, keep_spaces=keep_spaces)
    assert len(paragraphs) == 1
    return paragraphs[0]


@pytest.mark.parametrize("config, case_id, given, expected", ALL, ids=[f"{c[0]}-{c[1]}" for c in ALL])
def test_upstream_case_untagged_markdown(tmp_path: Path, config: str, case_id: str, given: str,
                                         expected: str) -> None:
    """One case, one untagged Markdown file, the whole pipeline: OpenCC's output, as the edition prints it (and
    exactly OpenCC's with ``--keep-spaces`` where the two differ)."""
    want = AMBIGUOUS.get((config, case_id), expected)
    assert one_case(tmp_path, config, given) == typeset(want)
    if typeset(want) != want:
        assert one_case(tmp_path, config, given, keep_spaces=True) == want


@pytest.mark.parametrize("config, case_id", list(AMBIGUOUS), ids=[f"{c}-{i}" for c, i in AMBIGUOUS])
def test_a_case_that_shows_no_region_is_taiwans_only_when_declared(tmp_path: Path, config: str,
                                                                   case_id: str) -> None:
    """Untagged, the case is read in OpenCC's standard; declared Taiwan's, it is exactly what ``tw2s`` gives. Where
    upstream has the same input under other configurations, the untagged reading is theirs."""
    given, expected = next((c[2], c[3]) for c in ALL if c[:2] == (config, case_id))
    untagged = one_case(tmp_path, config, given)
    assert untagged == AMBIGUOUS[config, case_id] != expected
    assert one_case(tmp_path, config, given, front="---\nlang: zh-TW\n---\n\n") == expected
    others = {c[0]: c[3] for c in ALL if c[1] == case_id and c[0] in ("t2s", "hk2s")}
    assert all(want == untagged for want in others.values())
    if others:  # the same text, three standards, three expectations: the text alone cannot tell them apart
        assert len({expected, *others.values()}) > 1


@cache
def _one_file(config: str, keep_spaces: bool, folder: Path) -> list[str]:
    path = folder / f"{config}.md"
    path.write_text("\n\n".join(c[2] for c in ALL if c[0] == config) + "\n", encoding="utf-8")
    return whole(path, config, keep_spaces=keep_spaces)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("one-file")


@pytest.mark.parametrize("keep_spaces", [False, True], ids=["printed", "keep-spaces"])
@pytest.mark.parametrize("config", list(EDITIONS))
def test_upstream_cases_in_one_untagged_markdown_file(folder: Path, config: str, keep_spaces: bool) -> None:
    """All cases of a configuration as paragraphs of one untagged Markdown file, the whole pipeline: every case is
    OpenCC's output (the two regionless ``tw2s`` cases included: the file's majority shows Taiwan's standard)."""
    cases = [c for c in ALL if c[0] == config]
    got = _one_file(config, keep_spaces, folder)
    assert len(got) == len(cases)
    wanted = [c[3] if keep_spaces else typeset(c[3]) for c in cases]
    assert [(c[1], g) for c, g, w in zip(cases, got, wanted, strict=True) if g != w] == []


def test_the_derived_script_tables_are_current_and_equal_to_a_fresh_derivation() -> None:
    """``script-evidence.json`` (the script detection's tables, kept so no conversion reads the phrase
    dictionaries) matches the vendored dictionaries and corrections: its fingerprint, and every table."""
    from pipeline.cjk import script
    from pipeline.cjk.conversion import DATA

    kept = json.loads((DATA / script.DERIVED_NAME).read_text(encoding="utf-8"))
    fresh = script.derive()
    assert kept["fingerprint"] == fresh["fingerprint"], "run python -m pipeline.cjk.script"
    assert kept == fresh
    assert script._tables() == kept  # what conversions use is the file, not a derivation


def test_a_stale_derived_file_is_derived_again_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A derived file whose fingerprint does not match its sources (a dictionary edited) is not used."""
    from pipeline.cjk import conversion, script

    kept = json.loads((conversion.DATA / script.DERIVED_NAME).read_text(encoding="utf-8"))
    kept["fingerprint"] = "0" * 64
    kept["traditional_words"] = ["什么"]  # wrong on purpose
    data = tmp_path / "opencc_data"
    (data / "dictionary").mkdir(parents=True)
    for name in script._SOURCES:
        (data / "dictionary" / f"{name}.txt").write_bytes((conversion.DATA / "dictionary" / f"{name}.txt").read_bytes())
    (data / "corrections.tsv").write_bytes((conversion.DATA / "corrections.tsv").read_bytes())
    (data / script.DERIVED_NAME).write_text(json.dumps(kept), encoding="utf-8")
    monkeypatch.setattr(conversion, "DATA", data)
    script._tables.cache_clear()
    try:
        tables = script._tables()
        assert tables["traditional_words"] != ["什么"]
        assert tables["fingerprint"] == script._fingerprint()
    finally:
        script._tables.cache_clear()
