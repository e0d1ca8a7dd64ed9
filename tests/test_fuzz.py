"""Fuzzing: property-based tests of the plain-text reader (only project errors, no Han character lost, stable
output), a short run of the mutation campaign over every source format (:mod:`tests.fuzz_campaign`; ``make fuzz``
runs the long one) and every finding the campaign ever made, replayed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.diagnostics import Diagnostics
from pipeline.errors import DocpipeError
from pipeline.options import Options
from pipeline.readers.report import read
from tests.fuzz_campaign import FINDING_KINDS, FINDINGS, NAMES, campaign, run_case, workspace
from tests.test_report_reader import han_of_doc

HAN = re.compile(r"[\u3400-\u9fff]")
PIECES = st.sampled_from([
    "聯合國", "我們", "工作", "。", "，", ",", ":", "(", ")", "「", "」", "《憲章》", "2.45億", "1.5°C", "2 000",
    " ", "  ", "\n", "\n\n", "\n  ", "12. ", "3. ", "編輯", "[1]", "A. ", "第二章 ", "一、", "（一）", "abc",
    "e-deleGATE", "\t", "\u3000", "\r\n", "人权", "背景",
])
BODIES = st.lists(PIECES, max_size=80).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_reader_keeps_every_han_character(body: str) -> None:
    text = "第一章 導言\n\n" + body
    diag = Diagnostics()
    try:
        doc = read(text.encode("utf-8"), Options(), diag, name="fuzz.txt")
    except DocpipeError:
        return
    removed = sum(len(HAN.findall(line)) for line in re.split(r"\r\n|\r|\n", text)
                  if line.strip(" \t\u3000") in ("編輯",))
    assert len(HAN.findall(han_of_doc(doc))) == len(HAN.findall(text)) - removed


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_reader_raises_only_project_errors(data: bytes) -> None:
    try:
        read(data, Options(), Diagnostics(), name="fuzz.bin")
    except DocpipeError:
        pass


@settings(max_examples=150, deadline=None)
@given(BODIES)
def test_reader_is_deterministic(body: str) -> None:
    data = ("第一章 導言\n\n" + body).encode("utf-8")
    a = read(data, Options(), Diagnostics(), name="x.txt")
    b = read(data, Options(), Diagnostics(), name="x.txt")
    assert a == b


# --------------------------------------------------------------------------- the campaign (issue 25)

_SUFFIXES = {v.split(".", 1)[1]: k for k, v in NAMES.items()}


def _fixtures() -> list[Path]:
    """The findings' inputs (each has a ``NAME.json`` note beside it; PROVENANCE.md is no input)."""
    return sorted(p for p in FINDINGS.glob("*") if p.is_file() and p.with_name(p.name + ".json").is_file())


#: Findings whose fix lies in a module its owner still has to change (the exact change is in H4's report).
#: Findings not fixed yet: file name -> the cause (each is a strict xfail, so it is seen when it is fixed).
OPEN: dict[str, str] = {}


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=OPEN[p.name])) if p.name in OPEN else p
    for p in _fixtures()], ids=lambda p: getattr(p, "name", str(p)))
def test_every_fuzz_finding_stays_fixed(path: Path) -> None:
    """Every input the campaign ever found a problem with reads to inert outputs or a one-line error."""
    fmt = _SUFFIXES[path.name.split(".", 1)[1]]
    outcome = run_case(fmt, path.read_bytes(), workspace(), pdf=True)
    assert outcome.kind in ("ok", "refused"), f"{path.name}: {outcome.kind}: {outcome.detail[:3000]}"


def test_short_campaign_finds_nothing() -> None:
    """Three mutants of each source format, read and rendered in every format but PDF, scanned (about 20 s;
    ``make fuzz`` runs the long campaign)."""
    report = campaign(600, seed=20250, pdf_every=0, save=False, max_cases=21)
    assert report.cases == 21 and set(report.by_format) == set(NAMES)
    assert not report.findings, report.summary()
    assert not set(report.outcomes) & FINDING_KINDS
