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
    for other in ("1.0", "3.0"):  # 1.x had no media and an Image block; its files are refused by name
        data["docpipe-ir"] = other
        with pytest.raises(IRFormatError, match=f"IR version '{other}' cannot be read.*convert the source again"):
            ir_json.loads(json.dumps(data), file="x.ir.json")


def test_media_travel_in_the_file_and_are_checked() -> None:
    import hashlib
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 20
    medium = ir.Media(name="ab.png", media_type="image/png", data=png, sha256=hashlib.sha256(png).hexdigest())
    doc = ir.Document(metadata=ir.Metadata(), blocks=(ir.Figure(images=(ir.Image(media="ab.png"),)),),
                      media=(medium,))
    text = ir_json.dumps(doc)
    assert ir_json.loads(text) == doc
    tampered = text.replace(medium.sha256, "0" * 64)
    with pytest.raises(IRFormatError, match=r"document.media\[0\].data"):
        ir_json.loads(tampered)
    escaping = text.replace('"ab.png"', '"../../etc/passwd"')
    with pytest.raises(IRFormatError, match=r"document.media\[0\].name"):
        ir_json.loads(escaping)


@pytest.mark.parametrize("text, where", [
    ("{", "not JSON"),
    ('{"a": 1}', "not a docpipe IR file"),
    ('{"docpipe-ir": "2.0", "document": {"t": "Document"}}', "document.metadata"),
    ('{"docpipe-ir": "2.0", "document": {"t": "Document", "metadata": {"t": "Metadata"}, "blocks": [{"t": "Bogus"}]}}',
     "document.blocks[0]"),
])
def test_malformed_files(text: str, where: str) -> None:
    with pytest.raises(IRFormatError, match=where.replace("[", r"\[").replace("]", r"\]")) as info:
        ir_json.loads(text, file="bad.ir.json")
    assert "bad.ir.json" in str(info.value)
