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
from dataclasses import dataclass, field
from typing import assert_never
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


#: Marks a name in a block's anchors that only leads to the block (an apparatus entry's xml:id, which the entry
#: keeps): never the block's own id, which would then be written twice in TEI.
ALIAS = "\0"


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
        elif isinstance(n, ir.Choice):
            # an apparatus entry's own xml:id (teiphy's <app xml:id>, named by <ref target>): a link to it goes to
            # the block holding it, as a link to an anchor does; the entry keeps its id for TEI
            name = dict(n.attrs).get("xml:id")
            if name and len(found) < MAX_ANCHORS:
                found.append(ALIAS + name)
        out.append(n)
    return tuple(out)


@dataclass
class _Ids:
    """The ids given so far (the first pass): which are taken, what each source name became, what to report."""

    diag: Diagnostics
    seen: set[str] = field(default_factory=set)
    #: a source name (anchor, old id) -> the final id
    names: dict[str, str] = field(default_factory=dict)
    #: the next number to try for a base (so 60,000 duplicates stay linear)
    suffix: dict[str, int] = field(default_factory=dict)
    headings: int = 0
    boxes: int = 0
    anchors: int = 0
    assigned: int = 0
    duplicates: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)
    renamed_count: int = 0

    def unique(self, base: str) -> str:
        """``base``, or ``base-N`` when it is taken (reported)."""
        if base not in self.seen:
            self.seen.add(base)
            return base
        n = self.suffix.get(base, 2)
        while (candidate := f"{base[:MAX_ID - len(str(n)) - 1]}-{n}") in self.seen:
            n += 1
        self.suffix[base] = n + 1
        self.duplicates += 1
        if self.duplicates <= 20:
            self.diag.emit("duplicate-id", f"id {base!r} is used twice; the second becomes {candidate}")
        elif self.duplicates == 21:
            self.diag.emit("duplicate-id", "more duplicate ids were renamed the same way (not listed one by one)")
        self.seen.add(candidate)
        return candidate

    def _renamed(self, old: str, new: str) -> None:
        self.renamed_count += 1
        if len(self.renamed) < 10:
            self.renamed.append((old, new))

    def policy(self, old: str, fallback: str) -> str:
        """A source id under the one policy (:func:`safe_id`), unique; ``fallback`` when nothing is left of it."""
        new = safe_id(old) or fallback
        if new != old:
            self._renamed(old, new)
        return self.unique(new)

    def name(self, old: str | None, new: str) -> None:
        """Links to ``old`` go to ``new`` (the first block to claim a name keeps it)."""
        if old and old not in self.names:
            self.names[old] = new

    def fresh(self) -> str:
        """A made-up id for a source id of which nothing usable is left."""
        self.anchors += 1
        return f"a-{self.anchors}"

    def own(self, anchors: list[str]) -> str:
        """An id for a block that has none, from its first anchor (kept when every format accepts it; an
        :data:`ALIAS` never)."""
        named = [a for a in anchors if not a.startswith(ALIAS)]
        first = safe_id(named[0]) if named else ""
        if first and first not in self.seen:
            if first != named[0]:
                self._renamed(named[0], first)
            return self.unique(first)
        return self.unique(self.fresh())

    def kept(self, old: str | None, anchors: list[str]) -> str | None:
        """The id of a block that gets one only from its source: its own id under the policy, else one from its
        anchors, else none."""
        if old is not None:
            new: str | None = self.policy(old, self.fresh())
        elif anchors:
            new = self.own(anchors)
        else:
            return None
        if new:
            self.name(old, new)
        return new

    def numbered(self, old: str | None, fallback: str) -> str:
        """The id of a block that always has one (a heading's, a box's): its own, or ``fallback``."""
        if old is None:
            self.assigned += 1
        return self.policy(old, fallback) if old else self.unique(fallback)

    def notes(self, notes: tuple[ir.Note, ...]) -> dict[str, str]:
        """The notes' ids, given first: ``fn-1`` is a note's before it is anything else's."""
        note_ids: dict[str, str] = {}
        for n in notes:
            if n.id not in note_ids:
                note_ids[n.id] = self.policy(n.id, self.fresh())
                self.name(n.id, note_ids[n.id])
        return note_ids

    def blocks(self, blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        """``blocks`` with their ids given, in document order."""
        out: list[ir.Block] = []
        for b in blocks:
            anchors: list[str] = []
            b = self.block(b, anchors)
            block_id = getattr(b, "id", None)
            if block_id:
                for a in anchors:
                    self.name(a.removeprefix(ALIAS), block_id)
            out.append(b)
        return tuple(out)

    def block(self, b: ir.Block, anchors: list[str]) -> ir.Block:
        """``b`` with its id and its children's; the anchors taken off its own text are appended to ``anchors``."""
        match b:
            case ir.Para():
                return self.para(dataclasses.replace(b, children=_take_anchors(b.children, anchors)), anchors)
            case ir.Heading():
                self.headings += 1
                b = dataclasses.replace(b, children=_take_anchors(b.children, anchors))
                new = self.numbered(b.id, f"h-{self.headings}")
                self.name(b.id, new)
                return dataclasses.replace(b, id=new)
            case ir.Box():
                self.boxes += 1
                b = dataclasses.replace(b, title=_take_anchors(b.title, anchors))
                new = self.numbered(b.id, f"box-{self.boxes}")
                kids = self.blocks(b.blocks)
                self.name(b.id, new)
                return dataclasses.replace(b, id=new, blocks=kids)
            case ir.Table():
                caption = _take_anchors(b.caption, anchors)
                rows = tuple(tuple(dataclasses.replace(c, blocks=self.blocks(c.blocks)) for c in row)
                             for row in b.rows)
                return dataclasses.replace(b, caption=caption, rows=rows, id=self.kept(b.id, anchors))
            case ir.Figure():
                caption = _take_anchors(b.caption, anchors)
                return dataclasses.replace(b, caption=caption, id=self.kept(b.id, anchors))
            case ir.BlockQuote():
                return dataclasses.replace(b, blocks=self.blocks(b.blocks))
            case ir.Div():
                kids = self.blocks(b.blocks)
                if not b.id:
                    return dataclasses.replace(b, blocks=kids, id=None)
                div_id = self.policy(b.id, self.fresh())
                self.name(b.id, div_id)
                return dataclasses.replace(b, blocks=kids, id=div_id)
            case ir.ListBlock():
                return dataclasses.replace(
                    b, items=tuple(dataclasses.replace(i, blocks=self.blocks(i.blocks)) for i in b.items))
            case ir.CodeBlock():
                return b
            case _:
                assert_never(b)

    def para(self, b: ir.Para, anchors: list[str]) -> ir.Para:
        """A numbered paragraph is ``para-N``; another keeps its id, or takes one from its anchors."""
        if b.id is None and b.number is not None:
            self.assigned += 1
            new: str | None = self.policy(f"para-{b.number}", self.fresh())
        else:
            new = self.kept(b.id, anchors)
        if new and b.number is not None:
            self.name(f"para-{b.number}", new)
        return dataclasses.replace(b, id=new)


@dataclass
class _Links:
    """The second pass: every internal link sent to its target's final id, or unwrapped when it names nothing."""

    names: dict[str, str]
    known: set[str]
    note_ids: dict[str, str]
    rewritten: int = 0
    resolved: int = 0
    unresolved: int = 0
    nested: int = 0
    missing: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    """Note calls to a note the document does not have (an ``.ir.json`` edited by hand): kept as their markers."""

    def target(self, t: str) -> str | None:
        """The final target of a link, None when it names nothing here."""
        if not t.startswith("#"):
            return t
        key = unquote(t[1:])
        if key in self.names:
            if self.names[key] != key:
                self.rewritten += 1
            self.resolved += 1
            return "#" + self.names[key]
        if key in self.known:
            self.resolved += 1
            return "#" + key
        if len(key) > MAX_ID and key[:MAX_ID] in self.names:
            # Word and LibreOffice cut bookmark names at 40 characters but not the links that name them
            self.resolved += 1
            self.rewritten += 1
            return "#" + self.names[key[:MAX_ID]]
        self.unresolved += 1
        if len(self.missing) < 20:
            self.missing.append(key)
        return None

    def inlines(self, inlines: tuple[ir.Inline, ...], inside: bool) -> tuple[ir.Inline, ...]:
        """``inlines`` relinked; ``inside``: they are inside a link, so a link among them is unwrapped."""
        out: list[ir.Inline] = []
        for n in inlines:
            if isinstance(n, ir.Link):
                kids = self.inlines(n.children, True)
                new = self.target(n.target)
                if inside:
                    self.nested += 1
                    out.extend(kids)
                elif new is None:
                    out.extend(kids)
                else:
                    out.append(dataclasses.replace(n, children=kids, target=new))
            elif isinstance(n, ir.Emph | ir.Strong | ir.Span | ir.BookTitle):
                out.append(dataclasses.replace(n, children=self.inlines(n.children, inside)))
            elif isinstance(n, ir.Choice):  # links inside the readings (a witness's <ref>) relinked too
                out.append(dataclasses.replace(n, readings=tuple(
                    dataclasses.replace(r, children=self.inlines(r.children, inside)) for r in n.readings)))
            elif isinstance(n, ir.Image):
                out.append(dataclasses.replace(n, alt=self.inlines(n.alt, True)))
            elif isinstance(n, ir.NoteRef) and n.note_id not in self.note_ids:
                # a call to nothing would be a link to nothing ('#' alone: a PDF resolves it to the file it was
                # made from, make fuzz seed 34)
                self.orphans.append(n.note_id)
                out.append(ir.Span(children=(ir.Text(text=n.marker),), classes=("orphan-note-call",)))
            elif isinstance(n, ir.NoteRef) and self.note_ids[n.note_id] != n.note_id:
                out.append(dataclasses.replace(n, note_id=self.note_ids[n.note_id]))
            else:
                out.append(n)
        return tuple(out)

    def blocks(self, bs: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        """Every link in ``bs``, at any depth, relinked."""
        return map_block_inlines(bs, lambda seq, _lang: self.inlines(seq, False), None)


def _report(diag: Diagnostics, ids: _Ids, links: _Links) -> ir.Step:
    """What the two passes did: the diagnostics and the step's counts."""
    if links.unresolved:
        diag.emit("link-unresolved", f"{links.unresolved} internal link(s) name nothing in the document and "
                  f"were kept as text: {', '.join('#' + m for m in links.missing)}")
    if links.orphans:
        diag.emit("link-unresolved", f"{len(links.orphans)} note call(s) name a note the document does not have and "
                  f"were kept as their markers: {', '.join(repr(o[:40]) for o in links.orphans[:20])}")
    if ids.renamed_count:
        shown = ", ".join(f"{old!r} → {new!r}" for old, new in ids.renamed)
        diag.emit("id-renamed", f"{ids.renamed_count} source id(s) renamed to ids every format accepts "
                  f"(ASCII NCName, at most {MAX_ID} characters; links follow): {shown}")
    if links.nested:
        diag.emit("link-unresolved", f"{links.nested} link(s) inside a link unwrapped")
    return ir.Step(name="ids", counts=(("assigned", ids.assigned), ("links-resolved", links.resolved),
                                       ("links-rewritten", links.rewritten),
                                       ("links-unresolved", links.unresolved),
                                       ("links-nested", links.nested), ("ids-renamed", ids.renamed_count)))


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Give every numbered paragraph, heading and box an id where it has none; keep every link pointing home."""
    ids = _Ids(diag)
    note_ids = ids.notes(doc.notes)
    blocks = ids.blocks(doc.blocks)
    notes = [dataclasses.replace(n, id=note_ids[n.id], blocks=ids.blocks(n.blocks)) for n in doc.notes]
    rights = ids.blocks(doc.metadata.rights)
    links = _Links(names=ids.names, known=set(ids.seen), note_ids=note_ids)
    blocks = links.blocks(blocks)
    notes = [dataclasses.replace(n, blocks=links.blocks(n.blocks)) for n in notes]
    rights = links.blocks(rights)
    step = _report(diag, ids, links)
    meta = dataclasses.replace(doc.metadata, rights=rights) if doc.metadata.rights else doc.metadata
    return dataclasses.replace(doc, blocks=blocks, notes=tuple(notes), metadata=meta, steps=doc.steps + (step,))
