"""Property-based fuzzing of the plain-text reader: only project errors, no Han character lost, stable output."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.diagnostics import Diagnostics
from pipeline.errors import DocpipeError
from pipeline.options import Options
from pipeline.readers.report import read
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
