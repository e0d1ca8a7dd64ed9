"""OpenCC's own test cases (``tests/fixtures/opencc/testcases.json``, as upstream ships it) through docpipe's editions.

Each case of a configuration an edition stands for becomes a one-paragraph document in the case's source
script and standard, and goes through the script transform of that edition — the code every conversion runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline import ir
from pipeline.diagnostics import Diagnostics
from pipeline.options import Options
from pipeline.transforms import script

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
