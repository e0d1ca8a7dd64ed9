"""The plain-text report reader: recovers the structure of a scraped report (UN style, Chinese or not).

Order of work: decode (encoding detected) -> lines -> wiki furniture removed (edit links, navigation,
``本作品收錄於`` line, template residue) -> title block -> footnotes at the end -> closing rights notice ->
body units -> numbered paragraphs, headings, boxes, lists -> IR. Every removal and repair is a diagnostic
with its line number, and a summary :class:`~pipeline.ir.Step` named ``report-reader`` is recorded.
"""

from __future__ import annotations

import re

from ... import ir
from ...diagnostics import Diagnostics
from ...options import Options
from .decode import decode
from .front import Front, parse_front
from .lines import COLLECTED_IN, EDIT_LINK, RESIDUE, Line, detect_wrap, join_wrapped, split_lines
from .structure import LIST_LABEL, NUMBERED, Counts, Found, blocks, heading_kind, units

NOTE_CALL = re.compile(r"\[(\d{1,3})\]")
NOTE_LINE = re.compile(r"^(?:\[(\d{1,3})\]|(\d{1,3})[.)）])[ \t\u3000]*(.*)$")
BOOK_TITLE = re.compile(r"《([^《》\n]{1,200})》")
RIGHTS = re.compile(r"公有領域|公有领域|公共領域|公共领域|版權|版权|著作權|著作权|授權|授权|許可協議|许可协议|"
                    r"public domain|copyright|licen[cs]e|all rights reserved|©|本作品來自|本作品来自", re.IGNORECASE)


def read(data: bytes, options: Options, diag: Diagnostics, *, name: str) -> ir.Document:
    """Read a plain-text report into the IR."""
    text = decode(data, name=name, encoding=options.encoding, diag=diag)
    lines = split_lines(text)
    removed = {"edit-links": 0, "navigation": 0, "residue": 0, "collected-in": 0}
    _remove_furniture(lines, removed, diag)

    start = _body_start(lines)
    front = parse_front(lines[:start], diag) if start > 0 else Front()
    removed["navigation"] += front.removed
    first = next((ln for ln in lines if not ln.blank), None)
    if start == 0 and first is not None and not NUMBERED.match(first.text) and not heading_kind(first.text):
        front = parse_front(lines[:1], diag)
        start = 1

    body_lines = lines[start:]
    markers = {m.group(1) for ln in body_lines for m in NOTE_CALL.finditer(ln.text)}
    body_lines, note_lines = _split_notes(body_lines, markers)
    wrap = detect_wrap(body_lines)
    counts = Counts()
    us, joined = units(body_lines, wrap, diag)
    found = blocks(us, diag, counts)
    found, rights = _split_rights(found)

    notes = _notes(note_lines, diag)
    note_ids = {n.marker: n.id for n in notes}
    for marker in sorted(markers - set(note_ids), key=int):
        diag.emit("footnote-missing", f"note call [{marker}] has no note text; kept as text")
    body = tuple(_block(f, note_ids, diag) for f in found)
    used = {m for f in found for m in NOTE_CALL.findall(f.text + f.title + "".join(t for _, t in f.items))}
    for marker, note_id in note_ids.items():
        if marker in used:
            diag.emit("footnote-linked", f"note call [{marker}] linked to its text ({note_id})")
        else:
            diag.emit("footnote-unreferenced", f"note {marker} is never called in the text")

    language = _language(body)
    meta = ir.Metadata(
        title=front.title, authors=tuple(front.authors), date=front.date, place=front.place,
        symbol=front.symbol, session=front.session, publisher=front.publisher, language=language,
        rights=tuple(_block(f, {}, diag) for f in rights), source=options.source_name or name.rsplit("/", 1)[-1],
        edition_notes=tuple(front.edition_notes), extra=tuple(front.extra),
    )
    step = ir.Step(name="report-reader", counts=(
        ("removed-edit-links", removed["edit-links"]), ("removed-navigation", removed["navigation"]),
        ("removed-collected-in", removed["collected-in"]), ("removed-residue", removed["residue"]),
        ("split-run-together", counts.split), ("joined-broken-paragraphs", counts.joined_broken),
        ("separated-headings", counts.separated), ("joined-wrapped-lines", joined),
    ), settings=(("wrap-width", str(wrap.width) if wrap else "none"),))
    return ir.Document(metadata=meta, blocks=body, notes=tuple(notes), steps=(step,))


def _remove_furniture(lines: list[Line], removed: dict[str, int], diag: Diagnostics) -> None:
    """Blank out the wiki's furniture; an edit link marks the line before it as a wiki section heading."""
    last_text: Line | None = None
    for ln in lines:
        if ln.blank:
            continue
        if EDIT_LINK.match(ln.text):
            removed["edit-links"] += 1
            diag.emit("removed-furniture", f"wiki edit link {ln.text!r} removed", line=ln.no)
            if last_text is not None:
                last_text.edit_link = True
            ln.text = ""
            continue
        if RESIDUE.match(ln.text):
            removed["residue"] += 1
            diag.emit("removed-furniture", f"template residue {ln.text!r} removed", line=ln.no)
            ln.text = ""
            continue
        if COLLECTED_IN.match(ln.text):
            removed["collected-in"] += 1
            diag.emit("removed-furniture", f"collection line {ln.text!r} removed", line=ln.no)
            ln.text = ""
            continue
        last_text = ln


def _body_start(lines: list[Line]) -> int:
    """Index of the first line of the body: the first labelled heading or numbered paragraph."""
    seen = 0
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        if heading_kind(ln.text) or NUMBERED.match(ln.text):
            return i if seen else 0
        seen += 1
        if seen > 40:
            break
    return 0


def _split_notes(lines: list[Line], markers: set[str]) -> tuple[list[Line], list[Line]]:
    """Footnote texts at the very end: trailing blocks whose note lines (``1. …``) answer calls ``[1]``."""
    cut = len(lines)
    first_taken: int | None = None
    end = len(lines)
    while end > 0:
        while end > 0 and lines[end - 1].blank:
            end -= 1
        start = end
        while start > 0 and not lines[start - 1].blank:
            start -= 1
        if start == end:
            break
        numbers = []
        for ln in lines[start:end]:
            m = NOTE_LINE.match(ln.text)
            if m and (ln.indented or ln is lines[start]):
                numbers.append(m.group(1) or m.group(2))
        block_first = NOTE_LINE.match(lines[start].text)
        ok = (block_first is not None and numbers and all(n in markers for n in numbers)
              and [int(n) for n in numbers] == sorted({int(n) for n in numbers})
              and (first_taken is None or int(numbers[-1]) < first_taken))
        if not ok:
            break
        first_taken = int(numbers[0])
        cut = start
        end = start
    return lines[:cut], lines[cut:]


def _notes(lines: list[Line], diag: Diagnostics) -> list[ir.Note]:
    notes: list[ir.Note] = []
    current: tuple[str, int, str] | None = None
    bodies: list[tuple[str, int, str]] = []
    for ln in lines:
        if ln.blank:
            continue
        m = NOTE_LINE.match(ln.text)
        if m:
            if current:
                bodies.append(current)
            current = (m.group(1) or m.group(2), ln.no, m.group(3))
        elif current:
            current = (current[0], current[1], join_wrapped(current[2], ln.text))
    if current:
        bodies.append(current)
    for marker, line, text in bodies:
        notes.append(ir.Note(id=f"fn-{marker}", marker=marker,
                             blocks=(ir.Para(children=_inlines(text, {})),)))
        diag.emit("metadata-found", f"footnote {marker} text found", line=line)
    return notes


def _split_rights(found: list[Found]) -> tuple[list[Found], list[Found]]:
    """The closing notice: from the first unnumbered text after the last numbered paragraph naming rights."""
    last_numbered = max((i for i, f in enumerate(found) if f.number is not None), default=-1)
    for i in range(last_numbered + 1, len(found)):
        f = found[i]
        if f.kind in ("para", "heading") and RIGHTS.search(f.text):
            rights = found[i:]
            for r in rights:
                if r.kind == "heading":
                    r.kind = "para"
            return found[:i], rights
    return found, []


def _inlines(text: str, note_ids: dict[str, str]) -> tuple[ir.Inline, ...]:
    """Text -> inlines: book titles 《…》 and note calls [n] (when the note exists)."""
    out: list[ir.Inline] = []
    pos = 0
    tokens = sorted([(m.start(), m.end(), "book", m.group(1)) for m in BOOK_TITLE.finditer(text)]
                    + [(m.start(), m.end(), "note", m.group(1)) for m in NOTE_CALL.finditer(text)
                       if m.group(1) in note_ids])
    for start, end, kind, value in tokens:
        if start < pos:
            continue
        if start > pos:
            out.append(ir.Text(text=text[pos:start]))
        if kind == "book":
            out.append(ir.BookTitle(children=(ir.Text(text=value),)))
        else:
            out.append(ir.NoteRef(note_id=note_ids[value], marker=value))
        pos = end
    if pos < len(text):
        out.append(ir.Text(text=text[pos:]))
    return tuple(out)


def _block(f: Found, note_ids: dict[str, str], diag: Diagnostics) -> ir.Block:
    match f.kind:
        case "para":
            if f.label and f.text.startswith(f.label):
                # a statute's article label (第一条) kept apart from its text, as the Markdown reader does
                label_span = ir.Span(children=(ir.Text(text=f.label),), classes=("label",))
                return ir.Para(children=(label_span, *_inlines(f.text[len(f.label):], note_ids)), number=f.number)
            return ir.Para(children=_inlines(f.text, note_ids), number=f.number)
        case "heading":
            return ir.Heading(level=f.level, label=f.label, children=_inlines(f.text, note_ids))
        case "box":
            paras = tuple(ir.Para(children=_inlines(t, note_ids)) for _, t in f.items)
            return ir.Box(title=_inlines(f.title, note_ids), blocks=paras, lang=_detect(f.title + "".join(
                t for _, t in f.items)))
        case "list":
            items = []
            ordered = True
            start = 1
            for idx, (_, t) in enumerate(f.items):
                m = LIST_LABEL.match(t)
                label = m.group(1) if m else None
                if idx == 0 and label and label[:-1].isdigit():
                    start = int(label[:-1])
                if not label or label.strip() in ("•", "·", "-", "*", "・", "○", "●"):
                    ordered = False  # bullets; (一), (a), 1) and i. are all counted labels
                items.append(ir.ListItem(blocks=(ir.Para(children=_inlines(t[m.end():] if m else t, note_ids)),),
                                         label=label))
            return ir.ListBlock(items=tuple(items), ordered=ordered, start=start)
    raise AssertionError(f.kind)


def _detect(text: str) -> str | None:
    """The script of a part (a box), or None."""
    from ...cjk.script import detect_script
    return detect_script(text)


def _language(body: tuple[ir.Block, ...]) -> str | None:
    """The report's language: Chinese (its script) only when the body is mostly Chinese, else unknown."""
    from ...cjk.script import detect_language
    from ...walk import block_text
    return detect_language(block_text(tuple(b for b in body if not isinstance(b, ir.Box))))
