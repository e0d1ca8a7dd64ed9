"""OpenCC's own test cases (``tests/fixtures/opencc/testcases.json``, as upstream ships it) through docpipe's editions.

Each case of a configuration an edition stands for goes through the script transform of that edition — the code
every conversion runs — three ways: as a one-paragraph document tagged with the case's source script and standard;
as an untagged Markdown file of its own, read by the Markdown reader (the script, and the standard, are detected
from the text; only ``tw2s`` and ``hk2s`` declare their region, ``lang: zh-TW`` in front matter, since one case's
text seldom shows it and the standard is taken only on clear evidence); and all cases of a configuration in one
untagged Markdown file, one paragraph each, where the document's majority is the prior of every paragraph.

The typography transforms that run around the script transform are left out: the cases separate words with spaces
inside Chinese text, which the spacing transform takes for line-wrap residue and closes.
"""

from __future__ import annotations

import json
import re
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


#: The region a one-case file declares in front matter (the standard cannot be told from one case's text).
DECLARED: dict[str, str] = {"tw2s": "zh-TW", "hk2s": "zh-HK"}


def _paragraphs(path: Path, config: str) -> list[str]:
    options = Options(script=EDITIONS[config][0], input_format="markdown")  # type: ignore[arg-type]
    doc = pipeline.read(path, options, Diagnostics())
    out = script.apply(doc, options, Diagnostics())
    return [plain(b.children) for b in out.blocks if isinstance(b, ir.Para)]


def untagged_file(tmp_path: Path, config: str, given: str) -> str:
    front = f"---\nlang: {DECLARED[config]}\n---\n\n" if config in DECLARED else ""
    path = tmp_path / "case.md"
    path.write_text(front + given + "\n", encoding="utf-8")
    paragraphs = _paragraphs(path, config)
    assert len(paragraphs) == 1
    return paragraphs[0]


@pytest.mark.parametrize("config, case_id, given, expected", ALL, ids=[f"{c[0]}-{c[1]}" for c in ALL])
def test_upstream_case_untagged_markdown(tmp_path: Path, config: str, case_id: str, given: str,
                                         expected: str) -> None:
    assert untagged_file(tmp_path, config, given) == expected


@pytest.fixture(scope="module")
def one_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each configuration's cases as paragraphs of one untagged Markdown file, through its edition."""
    out = {}
    for config in EDITIONS:
        path = tmp_path_factory.mktemp(config) / "cases.md"
        path.write_text("\n\n".join(c[2] for c in ALL if c[0] == config) + "\n", encoding="utf-8")
        out[config] = _paragraphs(path, config)
    return out


@pytest.mark.parametrize("config", list(EDITIONS))
def test_upstream_cases_in_one_untagged_markdown_file(one_file: dict[str, list[str]], config: str) -> None:
    cases = [c for c in ALL if c[0] == config]
    got = one_file[config]
    assert len(got) == len(cases)
    assert [(c[1], g) for c, g in zip(cases, got, strict=True) if g != c[3]] == []


def test_one_case_shows_no_region_without_a_declaration(tmp_path: Path) -> None:
    """``慰藉著…`` alone is a Taiwan text only to ``tw2s``: untagged, nothing in it is clear evidence of Taiwan's
    standard (著 is OpenCC's too), so it is read in OpenCC's, as ``t2s`` reads it."""
    case = next(c for c in ALL if c[0] == "tw2s" and c[1] == "BYVoid_OpenCC_Issue_767_solace")
    path = tmp_path / "case.md"
    path.write_text(case[2] + "\n", encoding="utf-8")
    t2s = next(c for c in ALL if c[0] == "t2s" and c[1] == case[1])
    assert _paragraphs(path, "tw2s") == [t2s[3]] != [case[3]]
