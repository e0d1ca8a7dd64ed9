"""Property: any IR document survives IR -> JSON -> IR unchanged (hypothesis builds the documents)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ir, ir_json

text = st.text(max_size=12)
opt_text = st.none() | text
ident = st.none() | st.from_regex(r"[a-z]{1,4}-[0-9]{1,3}", fullmatch=True)
lang = st.none() | st.sampled_from(["zh-Hant", "zh-Hans", "zh-Hant-TW", "en"])
pairs = st.lists(st.tuples(text, text), max_size=2).map(tuple)

inline: st.SearchStrategy[ir.Inline] = st.deferred(lambda: st.one_of(
    st.builds(ir.Text, text=text),
    st.builds(ir.Code, text=text),
    st.builds(ir.LineBreak),
    st.builds(ir.NoteRef, note_id=text, marker=text),
    st.builds(ir.Emph, children=inlines),
    st.builds(ir.Strong, children=inlines),
    st.builds(ir.Link, children=inlines, target=text, title=opt_text),
    st.builds(ir.Span, children=inlines, lang=lang, classes=st.lists(text, max_size=2).map(tuple), attrs=pairs),
    st.builds(ir.BookTitle, children=inlines),
    st.builds(ir.Image, media=text, alt=inlines, width=opt_text, height=opt_text, title=opt_text, source=opt_text),
    st.builds(ir.Math, tex=text, display=st.booleans()),
    st.builds(ir.Milestone, unit=st.sampled_from(["line", "page", "column"]), n=opt_text, attrs=pairs),
    st.builds(ir.Choice, kind=st.sampled_from(["app", "choice"]),
              readings=st.lists(st.builds(ir.Reading, role=text, children=inlines, attrs=pairs), max_size=2)
              .map(tuple), attrs=pairs, shown=st.integers(0, 1)),
))
inlines = st.lists(inline, max_size=3).map(tuple)

block: st.SearchStrategy[ir.Block] = st.deferred(lambda: st.one_of(
    st.builds(ir.Para, children=inlines, number=opt_text, id=ident, lang=lang),
    st.builds(ir.Heading, level=st.integers(1, 6), children=inlines, label=opt_text, id=ident, lang=lang),
    st.builds(ir.Box, title=inlines, blocks=blocks, id=ident, lang=lang),
    st.builds(ir.ListBlock, items=st.lists(st.builds(ir.ListItem, blocks=blocks, label=opt_text), max_size=2)
              .map(tuple), ordered=st.booleans(), start=st.integers(0, 99)),
    st.builds(ir.BlockQuote, blocks=blocks, lang=lang),
    st.builds(ir.Table, rows=st.lists(st.lists(st.builds(ir.Cell, blocks=blocks, colspan=st.integers(1, 3),
                                                         rowspan=st.integers(1, 3), header=st.booleans()),
                                               max_size=2).map(tuple), max_size=2).map(tuple),
              caption=inlines, head_rows=st.integers(0, 2), id=ident, label=opt_text,
              widths=st.lists(st.floats(0, 1), max_size=3).map(tuple)),
    st.builds(ir.Figure, images=st.lists(st.builds(ir.Image, media=text, alt=inlines), max_size=2).map(tuple),
              caption=inlines, id=ident, label=opt_text),
    st.builds(ir.CodeBlock, text=text, language=opt_text),
    st.builds(ir.Div, blocks=blocks, classes=st.lists(text, max_size=2).map(tuple), attrs=pairs, lang=lang,
              id=ident),
))
blocks = st.lists(block, max_size=3).map(tuple)

def _png_medium(spec: tuple[int, int, int]) -> ir.Media:
    """A real PNG (the IR loader checks that a medium's bytes are of its declared type) of a given size and grey."""
    import hashlib
    import io

    from PIL import Image
    w, h, grey = spec
    buf = io.BytesIO()
    Image.new("L", (w, h), grey).save(buf, format="PNG")
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    return ir.Media(name=f"{digest[:16]}.png", media_type="image/png", data=data, sha256=digest, width=w, height=h)


documents = st.builds(
    ir.Document,
    metadata=st.builds(ir.Metadata, title=opt_text, subtitle=opt_text, authors=st.lists(text, max_size=2).map(tuple),
                       date=opt_text, place=opt_text, symbol=opt_text, session=opt_text, publisher=opt_text,
                       language=lang, rights=blocks, source=opt_text,
                       edition_notes=st.lists(text, max_size=2).map(tuple), extra=pairs),
    blocks=blocks,
    media=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(0, 255)).map(_png_medium), max_size=2,
                   unique_by=lambda m: m.name).map(tuple),
    notes=st.lists(st.builds(ir.Note, id=text, marker=text, blocks=blocks, lang=lang), max_size=2).map(tuple),
    steps=st.lists(st.builds(ir.Step, name=text, counts=st.lists(st.tuples(text, st.integers(-(2**31), 2**31 - 1)),
                                                                   max_size=2)
                             .map(tuple), settings=pairs), max_size=2).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_json_round_trip(doc: ir.Document) -> None:
    text_form = ir_json.dumps(doc)
    assert ir_json.loads(text_form) == doc
    assert ir_json.dumps(ir_json.loads(text_form)) == text_form
