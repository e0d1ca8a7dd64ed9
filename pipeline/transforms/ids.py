"""Stable ids (``para-N``, ``h-N``, ``box-N``) and internal links that still reach them after every rename.

Ids: a numbered paragraph is ``para-<number>``, a heading keeps a usable source id or becomes ``h-N``, a box
``box-N``; a repeated id gets a ``-2`` suffix (reported). Anchors — the empty ``span.anchor`` the readers leave
for Word's ``_Toc``/``_Ref`` bookmarks, Markdown's ``[]{#id}``, raw HTML's ``<a name>`` and heading ids the
readers could not keep — are taken off the text and become names of the block holding them: its id when it
has one, else the block gets the anchor's name as its id (a paragraph, a table or figure by their caption).

One id policy (:func:`safe_id`): every id a source brings (a heading's, a note's, a div's, an anchor's) is
mapped to one that every format accepts — an ASCII XML NCName (TEI ``xml:id``, XHTML ``id``, EPUB fragment)
of at most :data:`MAX_ID` characters, so it is also a Word bookmark name (at most 40, starting with a letter)
— and made unique; a renamed id is reported (``id-renamed``).

Links: every ``#target`` is rewritten through the map of old names to final ids; one that names nothing in
the document is unwrapped (its text kept, reported), so no writer emits a link to nowhere; a link inside a
link is unwrapped too (HTML forbids nesting, Word repeats the run properties). Note calls follow their notes'
new ids.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from urllib.parse import unquote

from .. import ir
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_block_inlines

#: Longest id: Word's limit for a bookmark name (longer ones fail validation and Word drops them).
MAX_ID = 40
#: An id every format accepts: an ASCII XML NCName (TEI ``xml:id``, XHTML ``id``) that starts with a letter
#: (Word bookmark names may not start with a digit) and fits a Word bookmark name.
SAFE_ID = re.compile(rf"[A-Za-z][A-Za-z0-9_.-]{{0,{MAX_ID - 1}}}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
#: Most anchors kept from one document (a hostile file may hold millions of empty bookmarks).
MAX_ANCHORS = 100_000


def safe_id(raw: str) -> str:
    """``raw`` as an id every format accepts (:data:`SAFE_ID`), or ``""`` when nothing usable is left.

    Accents are dropped (``résumé`` → ``resume``), every other character outside ``A-Z a-z 0-9 _ . -`` becomes
    ``-`` (``note:1`` → ``note-1``), leading underscores go (``_Toc123`` → ``Toc123``), an id not starting with
    a letter gets ``id-`` in front (``1-intro`` → ``id-1-intro``) and a long one is cut, ending in a hash of the
    whole so that two long ids sharing their start stay apart.
    """
    if SAFE_ID.fullmatch(raw):
        return raw
    ascii_ = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    out = _UNSAFE.sub("-", ascii_).lstrip("-._").rstrip("-.")
    if not re.search(r"[A-Za-z0-9]", out):
        return ""
    if not out[0].isascii() or not out[0].isalpha():
        out = "id-" + out
    if len(out) > MAX_ID:
        digest = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
        out = out[:MAX_ID - 9].rstrip("-.") + "-" + digest
    return out


def _anchor_id(node: ir.Inline) -> str | None:
    if isinstance(node, ir.Span) and "anchor" in node.classes and not node.children:
        return dict(node.attrs).get("id")
    return None


def _take_anchors(inlines: tuple[ir.Inline, ...], found: list[str]) -> tuple[ir.Inline, ...]:
    """``inlines`` without their anchors, whose names are appended to ``found``."""
    out: list[ir.Inline] = []
    for n in inlines:
        name = _anchor_id(n)
        if name is not None:
            if len(found) < MAX_ANCHORS:
                found.append(name)
            continue
        if isinstance(n, ir.Emph | ir.Strong | ir.Link | ir.Span | ir.BookTitle):
            n = dataclasses.replace(n, children=_take_anchors(n.children, found))
        out.append(n)
    return tuple(out)


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Give every numbered paragraph, heading and box an id where it has none; keep every link pointing home."""
    seen: set[str] = set()
    counters = {"h": 0, "box": 0, "anchor": 0}
    assigned = 0
    names: dict[str, str] = {}  # a source name (anchor, old id) -> the final id

    suffix: dict[str, int] = {}  # the next number to try for a base (so 60,000 duplicates stay linear)
    duplicates = [0]

    renamed: list[tuple[str, str]] = []
    renamed_count = [0]

    def unique(base: str) -> str:
        if base not in seen:
            seen.add(base)
            return base
        n = suffix.get(base, 2)
        while (candidate := f"{base[:MAX_ID - len(str(n)) - 1]}-{n}") in seen:
            n += 1
        suffix[base] = n + 1
        duplicates[0] += 1
        if duplicates[0] <= 20:
            diag.emit("duplicate-id", f"id {base!r} is used twice; the second becomes {candidate}")
        elif duplicates[0] == 21:
            diag.emit("duplicate-id", "more duplicate ids were renamed the same way (not listed one by one)")
        seen.add(candidate)
        return candidate

    def policy(old: str, fallback: str) -> str:
        """A source id under the one policy (:func:`safe_id`), unique; ``fallback`` when nothing is left of it."""
        new = safe_id(old) or fallback
        if new != old:
            renamed_count[0] += 1
            if len(renamed) < 10:
                renamed.append((old, new))
        return unique(new)

    def name(old: str | None, new: str) -> None:
        if old and old not in names:
            names[old] = new

    def own(anchors: list[str]) -> str | None:
        """An id for a block that has none, from its first anchor (kept when every format accepts it)."""
        if not anchors:
            return None
        first = safe_id(anchors[0])
        if first and first not in seen:
            if first != anchors[0]:
                renamed_count[0] += 1
                if len(renamed) < 10:
                    renamed.append((anchors[0], first))
            return unique(first)
        return unique(fresh())

    def fresh() -> str:
        """A made-up id for a source id of which nothing usable is left."""
        counters["anchor"] += 1
        return f"a-{counters['anchor']}"

    def walk(blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        nonlocal assigned
        out: list[ir.Block] = []
        for b in blocks:
            anchors: list[str] = []
            match b:
                case ir.Para():
                    b = dataclasses.replace(b, children=_take_anchors(b.children, anchors))
                    old = b.id
                    if b.id is None and b.number is not None:
                        assigned += 1
                        b = dataclasses.replace(b, id=policy(f"para-{b.number}", fresh()))
                    elif b.id is not None:
                        b = dataclasses.replace(b, id=policy(b.id, fresh()))
                    elif anchors:
                        b = dataclasses.replace(b, id=own(anchors))
                    if b.id:
                        name(old, b.id)
                        if b.number is not None:
                            name(f"para-{b.number}", b.id)
                case ir.Heading():
                    counters["h"] += 1
                    b = dataclasses.replace(b, children=_take_anchors(b.children, anchors))
                    if b.id is None:
                        assigned += 1
                    old = b.id
                    fallback = f"h-{counters['h']}"
                    b = dataclasses.replace(b, id=policy(b.id, fallback) if b.id else unique(fallback))
                    name(old, b.id or "")
                case ir.Box():
                    counters["box"] += 1
                    b = dataclasses.replace(b, title=_take_anchors(b.title, anchors))
                    if b.id is None:
                        assigned += 1
                    old = b.id
                    fallback = f"box-{counters['box']}"
                    b = dataclasses.replace(b, id=policy(b.id, fallback) if b.id else unique(fallback),
                                            blocks=walk(b.blocks))
                    name(old, b.id or "")
                case ir.Table():
                    b = dataclasses.replace(b, caption=_take_anchors(b.caption, anchors), rows=tuple(
                        tuple(dataclasses.replace(c, blocks=walk(c.blocks)) for c in row) for row in b.rows))
                    old = b.id
                    if b.id is not None:
                        b = dataclasses.replace(b, id=policy(b.id, fresh()))
                    elif anchors:
                        b = dataclasses.replace(b, id=own(anchors))
                    if b.id:
                        name(old, b.id)
                case ir.Figure():
                    b = dataclasses.replace(b, caption=_take_anchors(b.caption, anchors))
                    old = b.id
                    if b.id is not None:
                        b = dataclasses.replace(b, id=policy(b.id, fresh()))
                    elif anchors:
                        b = dataclasses.replace(b, id=own(anchors))
                    if b.id:
                        name(old, b.id)
                case ir.BlockQuote():
                    b = dataclasses.replace(b, blocks=walk(b.blocks))
                case ir.Div():
                    old = b.id
                    b = dataclasses.replace(b, blocks=walk(b.blocks), id=policy(b.id, fresh()) if b.id else None)
                    if b.id:
                        name(old, b.id)
                case ir.ListBlock():
                    b = dataclasses.replace(
                        b, items=tuple(dataclasses.replace(i, blocks=walk(i.blocks)) for i in b.items))
                case ir.CodeBlock():
                    pass
            block_id = getattr(b, "id", None)
            for a in anchors:
                if block_id:
                    name(a, block_id)
            out.append(b)
        return tuple(out)

    note_ids: dict[str, str] = {}
    for n in doc.notes:  # the notes' ids first: "fn-1" is a note's before it is anything else's
        if n.id not in note_ids:
            note_ids[n.id] = policy(n.id, fresh())
            name(n.id, note_ids[n.id])
    blocks = walk(doc.blocks)
    notes = []
    for n in doc.notes:
        notes.append(dataclasses.replace(n, id=note_ids[n.id], blocks=walk(n.blocks)))
    rights = walk(doc.metadata.rights)
    known = set(seen)
    counts = {"rewritten": 0, "resolved": 0, "unresolved": 0, "nested": 0}
    missing: list[str] = []

    def target(t: str) -> str | None:
        """The final target of a link, None when it names nothing here."""
        if not t.startswith("#"):
            return t
        key = unquote(t[1:])
        if key in names:
            if names[key] != key:
                counts["rewritten"] += 1
            counts["resolved"] += 1
            return "#" + names[key]
        if key in known:
            counts["resolved"] += 1
            return "#" + key
        if len(key) > MAX_ID and key[:MAX_ID] in names:
            # Word and LibreOffice cut bookmark names at 40 characters but not the links that name them
            counts["resolved"] += 1
            counts["rewritten"] += 1
            return "#" + names[key[:MAX_ID]]
        counts["unresolved"] += 1
        if len(missing) < 20:
            missing.append(key)
        return None

    def links(inlines: tuple[ir.Inline, ...], inside: bool) -> tuple[ir.Inline, ...]:
        out: list[ir.Inline] = []
        for n in inlines:
            if isinstance(n, ir.Link):
                kids = links(n.children, True)
                new = target(n.target)
                if inside:
                    counts["nested"] += 1
                    out.extend(kids)
                elif new is None:
                    out.extend(kids)
                else:
                    out.append(dataclasses.replace(n, children=kids, target=new))
            elif isinstance(n, ir.Emph | ir.Strong | ir.Span | ir.BookTitle):
                out.append(dataclasses.replace(n, children=links(n.children, inside)))
            elif isinstance(n, ir.Image):
                out.append(dataclasses.replace(n, alt=links(n.alt, True)))
            elif isinstance(n, ir.NoteRef) and note_ids.get(n.note_id, n.note_id) != n.note_id:
                out.append(dataclasses.replace(n, note_id=note_ids[n.note_id]))
            else:
                out.append(n)
        return tuple(out)

    def relink(bs: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        return map_block_inlines(bs, lambda seq, _lang: links(seq, False), None)

    blocks = relink(blocks)
    notes = [dataclasses.replace(n, blocks=relink(n.blocks)) for n in notes]
    rights = relink(rights)
    if counts["unresolved"]:
        diag.emit("link-unresolved", f"{counts['unresolved']} internal link(s) name nothing in the document and "
                  f"were kept as text: {', '.join('#' + m for m in missing)}")
    if renamed_count[0]:
        shown = ", ".join(f"{old!r} → {new!r}" for old, new in renamed)
        diag.emit("id-renamed", f"{renamed_count[0]} source id(s) renamed to ids every format accepts "
                  f"(ASCII NCName, at most {MAX_ID} characters; links follow): {shown}")
    if counts["nested"]:
        diag.emit("link-unresolved", f"{counts['nested']} link(s) inside a link unwrapped")
    step = ir.Step(name="ids", counts=(("assigned", assigned), ("links-resolved", counts["resolved"]),
                                       ("links-rewritten", counts["rewritten"]),
                                       ("links-unresolved", counts["unresolved"]),
                                       ("links-nested", counts["nested"]), ("ids-renamed", renamed_count[0])))
    meta = dataclasses.replace(doc.metadata, rights=rights) if doc.metadata.rights else doc.metadata
    return dataclasses.replace(doc, blocks=blocks, notes=tuple(notes), metadata=meta, steps=doc.steps + (step,))
