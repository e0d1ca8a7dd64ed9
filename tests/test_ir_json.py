"""IR <-> JSON: round trips, the version key, malformed files."""

from __future__ import annotations

import json

import pytest

from pipeline import ir, ir_json
from pipeline.errors import IRFormatError


def small_doc() -> ir.Document:
    return ir.Document(
        metadata=ir.Metadata(title="報告", symbol="A/79/1", language="zh-Hant", extra=(("k", "v"),)),
        blocks=(
            ir.Heading(level=1, label="第一章", children=(ir.Text(text="導言"),), id="h-1"),
            ir.Para(number="1", id="para-1",
                    children=(ir.Text(text="見"), ir.BookTitle(children=(ir.Text(text="憲章"),)),
                              ir.NoteRef(note_id="fn-1", marker="1"))),
            ir.Box(title=(ir.Text(text="人权"),), blocks=(ir.Para(children=(ir.Text(text="我们"),)),),
                   id="box-1", lang="zh-Hans"),
        ),
        notes=(ir.Note(id="fn-1", marker="1", blocks=(ir.Para(children=(ir.Text(text="注"),)),)),),
    )


def test_round_trip() -> None:
    doc = small_doc()
    assert ir_json.loads(ir_json.dumps(doc)) == doc


def test_version_key_present() -> None:
    assert json.loads(ir_json.dumps(small_doc()))["docpipe-ir"] == ir.IR_VERSION


def test_other_version_refused() -> None:
    data = json.loads(ir_json.dumps(small_doc()))
    data["docpipe-ir"] = "2.0"
    with pytest.raises(IRFormatError, match="version"):
        ir_json.loads(json.dumps(data), file="x.ir.json")


@pytest.mark.parametrize("text, where", [
    ("{", "not JSON"),
    ('{"a": 1}', "not a docpipe IR file"),
    ('{"docpipe-ir": "1.0", "document": {"t": "Document"}}', "document.metadata"),
    ('{"docpipe-ir": "1.0", "document": {"t": "Document", "metadata": {"t": "Metadata"}, "blocks": [{"t": "Bogus"}]}}',
     "document.blocks[0]"),
])
def test_malformed_files(text: str, where: str) -> None:
    with pytest.raises(IRFormatError, match=where.replace("[", r"\[").replace("]", r"\]")) as info:
        ir_json.loads(text, file="bad.ir.json")
    assert "bad.ir.json" in str(info.value)
