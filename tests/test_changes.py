"""``docpipe inspect --changes``: every edit an edition made, with its place, before, after and rule (issue 18)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

import pipeline
from pipeline.cli import main
from pipeline.options import Options
from pipeline.transforms._changes import texts
from tests.conftest import SAMPLE


@pytest.fixture(scope="module", params=["keep", "hant", "tw", "hans"])
def report(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, pipeline.inspect(SAMPLE, Options(script=request.param), changes=True)


def replay(changes: list[dict[str, Any]]) -> dict[str, str]:
    """The source's texts with the listed edits applied, step by step."""
    out = {t.path: t.text for t in texts(pipeline.read(SAMPLE))}
    by: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for c in changes:
        by[(c["step"], c["path"])].append(c)
    for (_, path), edits in sorted(by.items()):
        text = out[path]
        for c in sorted(edits, key=lambda c: c["offset"], reverse=True):
            assert text[c["offset"]:c["offset"] + len(c["before"])] == c["before"], c
            text = text[:c["offset"]] + c["after"] + text[c["offset"] + len(c["before"]):]
        out[path] = text
    return out


def test_the_edits_rebuild_the_edition(report: tuple[str, dict[str, Any]]) -> None:
    script, r = report
    edition = pipeline.transform(pipeline.read(SAMPLE), Options(script=script))  # type: ignore[arg-type]
    final = {t.path: t.text for t in texts(edition)}
    rebuilt = replay(r["changes"])
    assert {p: t for p, t in rebuilt.items() if final.get(p) != t} == {}


def test_every_edit_says_where_what_and_why(report: tuple[str, dict[str, Any]]) -> None:
    _, r = report
    assert len(r["changes"]) > 500
    for c in r["changes"]:
        assert c["where"] and c["path"] and c["rule"] and c["before"] != c["after"], c
    assert {c["rule"].split(":")[0] for c in r["changes"]} >= {"numbers", "punctuation", "spacing"}


def test_script_edits_name_words_and_dictionaries(report: tuple[str, dict[str, Any]]) -> None:
    script, r = report
    edits = [c for c in r["changes"] if c["rule"].startswith("script")]
    if script == "keep":
        assert edits == []
        return
    assert len(edits) > 100
    if script == "tw":
        ai = [c for c in edits if c["before"] == "人工智能"]
        assert {c["after"] for c in ai} == {"人工智慧"}
        assert {c["where"].split("-")[0] for c in ai} == {"para", "box"}  # body and boxes alike
        assert all("TWPhrases" in c["rule"] for c in ai)
    if script in ("hant", "tw"):
        fix = [c for c in edits if c["before"] == "并为"]
        assert fix and all("docpipe correction" in c["rule"] for c in fix)


def test_inspect_without_changes_lists_none() -> None:
    assert "changes" not in pipeline.inspect(SAMPLE, Options(script="tw"))


def test_cli_inspect_changes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(SAMPLE), "--script", "tw", "--changes", "-q"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["changes"] and set(printed["changes"][0]) == {"where", "path", "offset", "before", "after",
                                                                 "rule", "step"}
    assert main(["inspect", str(SAMPLE), "--script", "tw", "-q"]) == 0
    assert "changes" not in json.loads(capsys.readouterr().out)
