"""Chapters already read, joined into one Document as the book's plan says.

* Structure: a part is a heading (or its own page's title heading); each chapter opens with its title heading —
  the page's own (its only top-level heading, first) or one made from the book file's title — and its other
  headings move below it; a sub-chapter goes one level deeper. Levels stop at 6.
* Ids: an id already used by an earlier chapter gets the chapter's prefix (``c3-``); notes (``fn-1``) likewise,
  their markers kept, so footnotes stay numbered per chapter.
* Numbered paragraphs: ``book`` renumbers them continuously through the book; ``chapter`` restarts in each chapter
  and labels them ``3.14`` (appendices ``A.2``); unnumbered chapters keep their numbers.
* Links: ``#id`` follows its renamed id; ``other.md``, ``other.md#anchor``, ``../dir/x.md``, ``x.html`` (mdBook),
  ``dir/`` (an index page) and the heading anchors MkDocs, PyMdown, mdBook, pandoc and GitHub generate resolve to
  the target's id in the book. A link to a file that is no chapter of the book becomes its text, reported with
  why (``link-outside-book``). Quarto's ``@sec-id`` cross-references become links to their heading; one naming
  no label of the book stays text, reported at its line (``link-unresolved``).
* Divisions: each part, chapter, appendix and front- or back-matter entry's title heading carries its role
  (``Heading.role``: ``part``, ``chapter``, ``appendix``, or a front/back role the book file names or
  :func:`.roles.guess` finds); an unnumbered chapter (``{.unnumbered}``) before the first numbered one is front
  matter; the pages the plan asks for (half-title, title, copyright, dedication: :mod:`.frontmatter`) open the book.
* Media are merged by name (their names are content hashes, so one picture used twice is stored once).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .. import ir
from ..diagnostics import Diagnostics
from ..guard import split_url
from ..labels import float_name
from .plan import BookPlan, Entry, Numbering
from .roles import guess
from .slugs import aliases
from .treemap import map_inlines, map_tree

#: The class of the span a book reader leaves for a relative link until assembly resolves it (the guard keeps
#: only absolute ``http``/``https``/``mailto`` and ``#id`` links).
BOOK_LINK = "book-link"
#: Suffixes of pages a link between chapters may name (mdBook writes ``x.html`` for ``x.md``).
PAGE_SUFFIXES = (".md", ".markdown", ".qmd", ".rmd", ".html", ".htm", ".ipynb", ".docx", ".odt", ".tei", ".xml",
                 ".txt", ".epub")
#: Quarto cross-references (``@sec-intro``, ``[-@sec-intro]``'s ``-@sec-intro``).
_XREF = re.compile(r"(?<![\w@.])-?@((?:sec|fig|tbl|lst|eq|thm|lem|cor|prp|def|exm|exr|cnj)-[\w-]*\w)")
#: What each kind of Quarto cross-reference names (for the report of one that names nothing in the book).
_XREF_KINDS = {"sec": "section", "fig": "figure", "tbl": "table", "lst": "listing", "eq": "equation",
               "thm": "theorem", "lem": "lemma", "cor": "corollary", "prp": "proposition", "def": "definition",
               "exm": "example", "exr": "exercise", "cnj": "conjecture"}
#: A Quarto chunk option naming the chunk (``#| label: fig-flow``): what a cross-reference to its output uses.
_CHUNK_LABEL = re.compile(r"^[ \t]*#\|[ \t]*label:[ \t]*[\"']?([\w-]+)", re.MULTILINE)
#: Chapter suffixes whose source lines are the text's lines (where an unresolved cross-reference is looked up).
_TEXT_SUFFIXES = (".qmd", ".md", ".markdown", ".rmd")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class _Unit:
    """One entry placed in the book: its depth, number and (for a page) its document and the maps built for it."""

    entry: Entry
    depth: int
    index: int
    number: str | None
    """``3`` for the third chapter, ``A`` for the first appendix; None for unnumbered entries and parts."""
    prefix: str | None
    """The number numbered paragraphs carry in ``chapter`` numbering (a sub-chapter's is its chapter's)."""
    role: str | None = None
    """The division its title heading opens (``Heading.role``); None for a sub-chapter."""
    doc: ir.Document | None = None
    heading_id: str = ""
    blocks: tuple[ir.Block, ...] = ()
    notes: tuple[ir.Note, ...] = ()
    rename: dict[str, str] = field(default_factory=dict)
    anchors: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    """Each heading's id and its text (what a cross-reference to it shows)."""


def assemble(plan: BookPlan, documents: Mapping[str, ir.Document], diag: Diagnostics | None = None, *,
             numbering: Numbering | None = None) -> ir.Document:
    """One Document of the book: ``documents`` maps each chapter path of ``plan`` (as :meth:`BookPlan.files`
    lists them) to the chapter already read (transformed or not)."""
    diag = diag if diag is not None else Diagnostics()
    numbering = numbering or plan.numbering
    units = _units(plan, documents)
    docs = [u.doc for u in units if u.doc is not None]
    metadata = _metadata(plan, docs)
    ids = _Ids()
    front = _front_pages(plan, metadata, ids)
    para_counter = [0]
    for u in units:
        if u.doc is None:
            u.heading_id = ids.fresh(f"part-{u.index}")
            u.blocks = (ir.Heading(level=min(u.depth, 6), children=(ir.Text(text=u.entry.title or ""),),
                                   id=u.heading_id, role=u.role),)
            u.anchors = {}
        else:
            _place(u, ids, numbering, para_counter)
    if plan.source == "quarto":
        for u in units:
            _number_floats(u, metadata.language)
    linker = _Linker(units, plan.site_url, plan.source == "quarto", plan.root)
    for u in units:
        if u.doc is not None:
            linker.relink(u, diag)
    counts = linker.counts
    if counts["outside"]:
        outside = linker.outside
        shown = ", ".join(outside[:5]) + (" …" if len(outside) > 5 else "")
        diag.emit("link-outside-book", f"{counts['outside']} link(s) name no chapter of the book and were kept as "
                  f"text (a link out of one edition's file has nowhere to go): {shown}")
    blocks: list[ir.Block] = list(front)
    notes: list[ir.Note] = []
    for u in units:
        blocks.extend(u.blocks)
        notes.extend(u.notes)
    media: dict[str, ir.Media] = {}
    for d in docs:
        for m in d.media:
            media.setdefault(m.name, m)
    kinds = tuple((u.heading_id, u.role or u.entry.kind) for u in units)
    step = ir.Step(name="book", counts=(
        ("chapters", len(docs)), ("parts", sum(u.entry.kind == "part" for u in units)),
        ("links-resolved", counts["resolved"]), ("links-to-chapter-start", counts["to-start"]),
        ("links-outside", counts["outside"]), ("cross-references", counts["xref"]),
        ("cross-references-unresolved", counts["xref-unresolved"]),
        ("ids-prefixed", ids.prefixed), ("pages-made", len(plan.pages))),
        settings=(("source", plan.source), ("numbering", numbering), *kinds))
    return ir.Document(metadata=metadata, blocks=tuple(blocks), notes=tuple(notes),
                       media=tuple(media.values()), steps=_steps(docs) + (step,))


def _front_pages(plan: BookPlan, metadata: ir.Metadata, ids: _Ids) -> list[ir.Block]:
    """The front-matter pages the plan asks for, their ids taken first (so no chapter's id clashes with them)."""
    from .frontmatter import pages
    blocks = pages(plan.pages, metadata, dict(plan.extra))
    return [dataclasses.replace(b, id=ids.fresh(b.id)) if isinstance(b, ir.Heading) and b.id else b
            for b in blocks]


def _units(plan: BookPlan, documents: Mapping[str, ir.Document]) -> list[_Unit]:
    """The plan's entries in reading order with depth and numbers; a chapter's file read once (a file listed
    twice is placed where it first appears)."""
    units: list[_Unit] = []
    placed: set[str] = set()
    counters = {"chapter": 0, "appendix": 0}

    def walk(entries: tuple[Entry, ...], depth: int, parent: Entry | None, prefix: str | None) -> None:
        for e in entries:
            doc = None
            if e.path is not None and e.path not in placed:
                placed.add(e.path)
                doc = documents.get(e.path)
                if doc is None:
                    raise KeyError(f"no document for chapter {e.path!r}")
            number: str | None = None
            own_prefix = prefix
            numbered_parent = parent is not None and parent.kind != "part"
            role: str | None = None
            unnumbered = doc is not None and dict(doc.metadata.extra).get("unnumbered") == "true"
            if e.kind == "chapter" and not numbered_parent and unnumbered:
                # an unnumbered chapter before the first numbered one is front matter (Quarto's preface)
                place = "front" if not counters["chapter"] and not counters["appendix"] else None
                role = e.role or (guess(e, _doc_title(doc), place) if place else "chapter")
                own_prefix = None
            elif e.kind == "chapter" and not numbered_parent:
                counters["chapter"] += 1
                number = str(counters["chapter"])
                own_prefix = number
                role = e.role or "chapter"
            elif e.kind == "appendix" and not numbered_parent:
                counters["appendix"] += 1
                k = counters["appendix"] - 1
                number = _LETTERS[k] if k < 26 else f"A{k + 1}"
                own_prefix = number
                role = e.role or "appendix"
            elif e.kind in ("front", "back") and not numbered_parent:
                own_prefix = None
                role = e.role or guess(e, _doc_title(doc), e.kind)
            elif e.kind == "part":
                role = "part"
            if doc is not None or e.path is None:
                units.append(_Unit(entry=e, depth=depth, index=len(units) + 1, number=number, prefix=own_prefix,
                                   doc=doc, role=role))
            walk(e.children, depth + 1, e, own_prefix)

    walk(plan.entries, 1, None, None)
    return units


def _same(a: str, b: str | None) -> bool:
    """Two titles alike but for spaces and case."""
    return b is not None and re.sub(r"\s+", "", a).casefold() == re.sub(r"\s+", "", b).casefold()


def _doc_title(doc: ir.Document | None) -> str | None:
    """A chapter's title as its page gives it (its metadata, else its first heading)."""
    if doc is None:
        return None
    first = doc.blocks[0] if doc.blocks else None
    return doc.metadata.title or (_text(first.children) if isinstance(first, ir.Heading) else None)


def _stem(path: str) -> str:
    """A page path without its suffix (``a/b.md`` → ``a/b``), or as it is when it has none of a page's."""
    root, ext = posixpath.splitext(path)
    return root if ext.lower() in PAGE_SUFFIXES else path


def _text(inlines: tuple[ir.Inline, ...]) -> str:
    """The text as the source wrote it (``orig`` where a transform changed it), as slug makers saw it."""
    parts: list[str] = []
    for n in inlines:
        match n:
            case ir.Text(text=t, orig=o):
                parts.append(o if o is not None else t)
            case ir.Code(text=t):
                parts.append(t)
            case ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) | ir.Span(children=c) \
                    | ir.BookTitle(children=c):
                parts.append(_text(c))
            case ir.Math(tex=t):
                parts.append(t)
            case _:
                pass
    return "".join(parts)


def _anchor(n: ir.Inline) -> str | None:
    if isinstance(n, ir.Span) and "anchor" in n.classes and not n.children:
        return dict(n.attrs).get("id")
    return None


def _first_anchor(inlines: tuple[ir.Inline, ...]) -> str | None:
    for n in inlines:
        a = _anchor(n)
        if a:
            return a
    return None


def _headings(blocks: tuple[ir.Block, ...]) -> list[ir.Heading]:
    from ..walk import iter_blocks
    return [b for b in iter_blocks(blocks) if isinstance(b, ir.Heading)]


class _Ids:
    """The ids taken in the book so far, and new ones that clash with none."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.prefixed = 0

    def fresh(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``… the first not taken (now taken)."""
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = 2
        while f"{base}-{n}" in self.taken:
            n += 1
        self.taken.add(f"{base}-{n}")
        return f"{base}-{n}"

    def claim(self, old: str, index: int) -> str:
        """A source id kept as it is, or given its chapter's prefix (``c3-``) when an earlier chapter has it."""
        if old not in self.taken:
            self.taken.add(old)
            return old
        self.prefixed += 1
        return self.fresh(f"c{index}-{old}")


def _own_title(doc: ir.Document, first: ir.Block | None, heads: list[ir.Heading], top: int,
               entry_title: str | None) -> bool:
    """Whether the page's first block is its own title: its only top-level heading; or its first heading, when the
    book file gives the chapter that title (mdBook's ``[Slice 类型](ch04-03-slices.md)`` over several ``##``)."""
    return (doc.metadata.title is None and isinstance(first, ir.Heading) and first.level == top
            and (sum(h.level == top for h in heads) == 1 or _same(_text(first.children), entry_title)))


def _place(u: _Unit, ids: _Ids, numbering: Numbering, para_counter: list[int]) -> None:
    """Give unit ``u`` its title heading, shifted headings, book-unique ids and paragraph numbers."""
    assert u.doc is not None
    fresh = ids.fresh
    doc = u.doc
    heads = _headings(doc.blocks)
    top = min((h.level for h in heads), default=1)
    first = doc.blocks[0] if doc.blocks else None
    own_title = _own_title(doc, first, heads, top, u.entry.title)
    level = min(u.depth, 6)
    # the page's other headings go below its title (one deeper when the title was a heading of their own level)
    shift = level - top if own_title and sum(h.level == top for h in heads) == 1 else level + 1 - top
    rename = u.rename

    def rename_id(old: str | None) -> str | None:
        if not old:
            return old
        if old not in rename:
            rename[old] = ids.claim(old, u.index)
        return rename[old]

    notes = tuple(dataclasses.replace(n, id=rename_id(n.id) or n.id) for n in doc.notes)
    note_ids = {n.id for n in doc.notes}

    def on_inlines(inl: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
        def fn(n: ir.Inline) -> tuple[ir.Inline, ...]:
            a = _anchor(n)
            if a is not None and isinstance(n, ir.Span):
                new = rename_id(a) or a
                attrs = tuple((k, new if k == "id" else v) for k, v in n.attrs)
                return (dataclasses.replace(n, attrs=attrs),)
            if isinstance(n, ir.NoteRef) and n.note_id in note_ids:
                return (dataclasses.replace(n, note_id=rename[n.note_id]),)
            return (n,)
        return map_inlines(inl, fn)

    heading_no = [0]

    def on_block(b: ir.Block) -> ir.Block:
        match b:
            case ir.Heading():
                heading_no[0] += 1
                new_id = rename_id(b.id)
                if new_id is None and _first_anchor(b.children) is None:
                    new_id = fresh(f"c{u.index}-h-{heading_no[0]}")
                return dataclasses.replace(b, level=max(1, min(6, b.level + shift)), id=new_id)
            case ir.Para() if b.number is not None:
                old_id = b.id
                if numbering == "book":
                    para_counter[0] += 1
                    number = str(para_counter[0])
                elif u.prefix is not None:
                    number = f"{u.prefix}.{b.number}"
                else:
                    number = b.number
                if old_id is None or old_id == f"para-{b.number}":
                    new = fresh(f"para-{number}")
                    rename.setdefault(f"para-{b.number}", new)
                    if old_id is not None:
                        rename.setdefault(old_id, new)
                else:
                    new = rename_id(old_id) or old_id
                return dataclasses.replace(b, number=number, id=new)
            case ir.Para() | ir.Box() | ir.Table() | ir.Figure() | ir.Div():
                return dataclasses.replace(b, id=rename_id(b.id))
            case _:
                return b

    body = doc.blocks
    title_block: ir.Heading
    if own_title:
        assert isinstance(first, ir.Heading)
        body = body[1:]
        t_id = rename_id(first.id) or rename_id(_first_anchor(first.children))
        kids = on_inlines(first.children)
        if t_id is None:
            t_id = fresh(f"chapter-{u.index}")
        elif first.id is None:
            kids = tuple(n for n in kids if _anchor(n) is None)  # the anchor's name becomes the heading's id
        title_block = dataclasses.replace(first, level=level, id=t_id, children=kids)
        title_text = _text(first.children)
    else:
        title = (doc.metadata.title or u.entry.title
                 or posixpath.splitext(posixpath.basename(u.entry.path or ""))[0] or "§")
        # a reader that took the page's only top-level heading for its title may have kept that heading's id
        title_id = dict(doc.metadata.extra).get("title-id")
        title_block = ir.Heading(level=level, children=(ir.Text(text=title),),
                                 id=rename_id(title_id) if title_id else fresh(f"chapter-{u.index}"))
        title_text = title
    if u.number is not None and title_block.label is None and u.entry.kind == "appendix":
        title_block = dataclasses.replace(title_block, label=u.number)
    title_block = dataclasses.replace(title_block, role=u.role)
    u.heading_id = title_block.id or ""
    body = map_tree(body, on_inlines, on_block)
    notes = tuple(dataclasses.replace(n, blocks=map_tree(n.blocks, on_inlines, on_block)) for n in notes)
    u.blocks = (title_block, *body)
    u.notes = notes
    _anchors(u, rename, title_text, body)


def _anchors(u: _Unit, rename: dict[str, str], title_text: str, body: tuple[ir.Block, ...]) -> None:
    """Every name a link may use for a place in unit ``u``: its old ids, then the anchors book tools make of its
    headings (and the title each heading shows, for cross-references)."""
    anchors: dict[str, str] = dict(rename)
    content_heads = _headings(body)
    texts = [title_text] + [_text(h.children) for h in content_heads]
    targets = [u.heading_id] + [h.id or _first_anchor(h.children) or "" for h in content_heads]
    u.titles = {t: x for t, x in zip(targets, texts, strict=True) if t}
    for names, target in zip(aliases(texts), targets, strict=True):
        for name in sorted(names):
            if target and name not in anchors:
                anchors[name] = target
    u.anchors = anchors


def _number_floats(u: _Unit, lang: str | None) -> None:
    """Quarto's numbers for the figures and tables of unit ``u`` that carry a cross-reference label (``fig-``,
    ``tbl-``): ``Figure 3.2``, the chapter's number then the float's in the chapter (``Figure 2`` in an unnumbered
    chapter), as their caption's label and as what a cross-reference to them shows."""
    if u.doc is None:
        return
    source = {new: old for old, new in u.rename.items()}
    seen = {"fig": 0, "tbl": 0}

    def on_block(b: ir.Block) -> ir.Block:
        if not isinstance(b, ir.Figure | ir.Table) or not b.id or b.label is not None:
            return b
        kind = source.get(b.id, b.id).split("-", 1)[0]
        if kind not in seen or kind != ("fig" if isinstance(b, ir.Figure) else "tbl"):
            return b
        seen[kind] += 1
        label = f"{float_name(kind, lang)} {f'{u.prefix}.' if u.prefix else ''}{seen[kind]}"
        u.titles[b.id] = label
        return dataclasses.replace(b, label=label)

    u.blocks = map_tree(u.blocks, lambda inl: inl, on_block)


class _Linker:
    """The book's chapters by path and id, and the counts of what linking them did."""

    def __init__(self, units: list[_Unit], site_url: str | None, quarto: bool, root: Path | None = None) -> None:
        self.by_path = {u.entry.path: u for u in units if u.doc is not None and u.entry.path is not None}
        self.by_stem: dict[str, _Unit] = {}
        for p, u in self.by_path.items():
            self.by_stem.setdefault(_stem(p), u)
        self.ids_anywhere: dict[str, tuple[_Unit, str]] = {}
        for u in units:
            for old, new in u.rename.items():
                self.ids_anywhere.setdefault(old, (u, new))
        self.site = site_url.rstrip("/") + "/" if site_url else None
        self.quarto = quarto
        self.root = root
        self.counts: Counter[str] = Counter()
        self.outside: list[str] = []
        self.unresolved: list[str] = []
        """The labels of the cross-references of the chapter being relinked that name nothing in the book."""
        self.chunk_labels: set[str] = set()
        """The labels of the book's executable chunks (shown as code: their figures and tables are not made)."""
        if quarto:
            from ..walk import iter_blocks
            self.chunk_labels = {m.group(1) for u in units if u.doc is not None for b in iter_blocks(u.doc.blocks)
                                 if isinstance(b, ir.CodeBlock) and "#|" in b.text
                                 for m in _CHUNK_LABEL.finditer(b.text)}

    def find(self, joined: str, is_dir: bool) -> _Unit | None:
        """The chapter a path from the book's root names: its file, its page under another suffix (mdBook's
        ``x.html``), its folder's index (``dir/`` → ``dir/index.md`` or ``dir/README.md``), or MkDocs' page
        URL (``dir/page/`` → ``dir/page.md``)."""
        if joined in (".", ""):
            return self.by_stem.get("index") or self.by_stem.get("README")
        stem = _stem(joined)
        hit = self.by_path.get(joined) or self.by_stem.get(stem)
        if hit is not None:
            return hit
        if not is_dir and (stem == "index" or stem.endswith("/index")):  # mdBook renders README.md as index.html
            hit = self.by_stem.get(stem[: -len("index")] + "README")
            if hit is not None:
                return hit
        return self.by_stem.get(joined + "/index") or self.by_stem.get(joined + "/README")

    def resolve(self, u: _Unit, target: str, to_start: list[str], *, from_site: bool = False) -> str | None:
        """``#id`` of the place ``target`` names in the book; None (counted as outside unless it is a web address
        of the book's site, which stays a web link) when it names no chapter."""
        assert u.entry.path is not None
        parts = split_url(target)
        if parts is None:  # names no chapter
            return None
        path, frag = unquote(parts.path).replace("\\", "/"), unquote(parts.fragment)
        unit: _Unit | None = u
        if path or from_site:
            # a path from the site's root (``/building.html``) is one from the book's root
            rooted = from_site or path.startswith("/")
            joined = posixpath.normpath(path.lstrip("/") if rooted else
                                        posixpath.join(posixpath.dirname(u.entry.path), path))
            unit = None if joined == ".." or joined.startswith("../") else self.find(joined, path.endswith("/"))
            page = posixpath.basename(_stem(joined))
            if unit is None and page in self.ids_anywhere:  # bookdown names a chapter's page after its id
                unit, page_id = self.ids_anywhere[page]
                if not frag:
                    self.counts["resolved"] += 1
                    return "#" + page_id
        if unit is None:
            if not from_site:
                self.counts["outside"] += 1
                if len(self.outside) < 20:
                    self.outside.append(f"{target} (in {u.entry.path})")
            return None
        self.counts["resolved"] += 1
        if not frag:
            return "#" + unit.heading_id
        hit = unit.anchors.get(frag) or unit.anchors.get(frag.lower())
        if hit is None:
            self.counts["to-start"] += 1
            if len(to_start) < 5:
                to_start.append(target)
            return "#" + unit.heading_id
        return "#" + hit

    def xrefs(self, t: ir.Text) -> tuple[ir.Inline, ...]:
        """Quarto's ``@sec-id`` in a text as links showing their heading's title."""
        def target(label: str) -> tuple[str, str] | None:
            hit = self.ids_anywhere.get(label)
            if hit is None:
                return None
            self.counts["xref"] += 1
            return hit[1], hit[0].titles.get(hit[1], label)

        return _xref_links(t, target, self.unresolved)

    def relink(self, u: _Unit, diag: Diagnostics) -> None:
        """Every link of unit ``u`` pointed at its target's id in the book, or turned into text when it has
        none."""
        to_start: list[str] = []
        self.unresolved = []

        def fn(n: ir.Inline) -> tuple[ir.Inline, ...]:
            match n:
                case ir.Link(target=target):
                    if target.startswith("#"):
                        key = unquote(target[1:])
                        new = u.anchors.get(key)
                        if new is None and key in self.ids_anywhere:  # bookdown: ids are the book's
                            new = self.ids_anywhere[key][1]
                            self.counts["resolved"] += 1
                        return (dataclasses.replace(n, target="#" + new),) if new else (n,)
                    if _relative(target):
                        resolved = self.resolve(u, target, to_start)
                        return (dataclasses.replace(n, target=resolved),) if resolved else n.children
                    if self.site is not None and target.startswith(self.site):
                        resolved = self.resolve(u, target[len(self.site):], to_start, from_site=True)
                        return (dataclasses.replace(n, target=resolved),) if resolved else (n,)
                    return (n,)
                case ir.Span(classes=classes) if BOOK_LINK in classes:
                    href = dict(n.attrs).get("href", "")
                    resolved = self.resolve(u, href, to_start) if href else None
                    if resolved:
                        return (ir.Link(children=n.children, target=resolved),)
                    return n.children
                case ir.Text() if self.quarto and "@" in n.text:
                    return self.xrefs(n)
                case _:
                    return (n,)

        def on_inlines(inl: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
            return map_inlines(inl, fn)

        u.blocks = map_tree(u.blocks, on_inlines)
        u.notes = tuple(dataclasses.replace(n, blocks=map_tree(n.blocks, on_inlines)) for n in u.notes)
        if to_start:
            diag.emit("link-unresolved", f"{len(to_start)} link(s) name an anchor their chapter does not have and "
                      f"lead to the chapter's start instead: {', '.join(to_start)}", file=u.entry.path)
        self.report_unresolved(u, diag)

    def report_unresolved(self, u: _Unit, diag: Diagnostics) -> None:
        """One warning per cross-reference of unit ``u`` that names no label of the book (a chapter left out of
        the book file, a typo), at its line in the chapter's source when the source is text."""
        if not self.unresolved:
            return
        lines = _xref_lines(self.root / u.entry.path) if self.root is not None and u.entry.path else {}
        self.counts["xref-unresolved"] += len(self.unresolved)
        for label in self.unresolved:
            where = lines.get(label)
            kind = _XREF_KINDS.get(label.split("-", 1)[0], "place")
            why = (f"its {kind} is made by a code chunk, which docpipe does not run" if label in self.chunk_labels
                   else f"no {kind} with this label in the book")
            diag.emit("link-unresolved", f"cross-reference @{label}: {why}; kept as text", file=u.entry.path,
                      line=where.pop(0) if where else None)


def _xref_links(t: ir.Text, target: Callable[[str], tuple[str, str] | None],
                unresolved: list[str]) -> tuple[ir.Inline, ...]:
    """``t`` with each Quarto cross-reference whose label ``target`` finds (the id it links to, the text it shows)
    a link; the labels it does not find added to ``unresolved`` and left as text."""
    out: list[ir.Inline] = []
    pos = 0
    for m in _XREF.finditer(t.text):
        hit = target(m.group(1))
        if hit is None:
            unresolved.append(m.group(1))
            continue
        if m.start() > pos:
            out.append(ir.Text(text=t.text[pos:m.start()]))
        out.append(ir.Link(children=(ir.Text(text=hit[1]),), target="#" + hit[0]))
        pos = m.end()
    if not out:
        return (t,)
    if pos < len(t.text):
        out.append(ir.Text(text=t.text[pos:]))
    return tuple(out)


def _xref_lines(path: Path) -> dict[str, list[int]]:
    """Each cross-reference label of a text chapter and the lines it appears on, in order (empty for a chapter
    that is no text file or cannot be read)."""
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        return {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "@" in line:
            for m in _XREF.finditer(line):
                lines.setdefault(m.group(1), []).append(number)
    return lines


def _relative(target: str) -> bool:
    """A relative reference (``other.md#x``, ``../dir/``): no scheme, no host."""
    t = target.strip()
    if not t or t.startswith(("#", "//", "\\\\")):
        return False
    if ":" not in t.split("/")[0]:
        return True
    parts = split_url(t)
    return parts is not None and not parts.scheme  # what urllib cannot split is no relative reference either


def _metadata(plan: BookPlan, docs: list[ir.Document]) -> ir.Metadata:
    """The book's metadata: what the book file says, else what its first chapter says."""
    first = docs[0].metadata if docs else ir.Metadata()
    langs = Counter(d.metadata.language for d in docs if d.metadata.language)
    language = plan.language or (langs.most_common(1)[0][0] if langs else None)
    extra = dict(plan.extra)
    rights: tuple[ir.Block, ...] = next((d.metadata.rights for d in docs if d.metadata.rights), ())
    if extra.get("rights"):
        rights = (ir.Para(children=(ir.Text(text=extra["rights"]),)),)
    return ir.Metadata(
        title=plan.title or first.title, subtitle=plan.subtitle or first.subtitle,
        authors=plan.authors or first.authors, date=extra.get("date") or first.date,
        publisher=extra.get("publisher") or first.publisher, language=language, rights=rights,
        source=plan.book_file.name if plan.book_file is not None else first.source,
        extra=tuple((k, v) for k, v in plan.extra if k not in ("date", "publisher", "rights")))


def _steps(docs: list[ir.Document]) -> tuple[ir.Step, ...]:
    """The chapters' processing history, one step per name with the counts added."""
    merged: dict[str, dict[str, int]] = {}
    settings: dict[str, tuple[tuple[str, str], ...]] = {}
    for d in docs:
        for s in d.steps:
            c = merged.setdefault(s.name, {})
            for k, v in s.counts:
                c[k] = c.get(k, 0) + v
            settings.setdefault(s.name, s.settings)
    return tuple(ir.Step(name=n, counts=tuple(c.items()), settings=settings[n]) for n, c in merged.items())


def document_xrefs(doc: ir.Document, diag: Diagnostics, name: str) -> ir.Document:
    """Quarto's cross-references within one document converted on its own (a ``.qmd`` that is no book's chapter):
    ``@sec-x`` a link to its section showing the section's title, ``@fig-x``/``@tbl-x`` to its figure or table
    numbered as Quarto numbers them (``Figure 2``); one naming nothing in the document is said, with its line, and
    kept as text. A book's are linked by :func:`assemble`."""
    from ..walk import iter_inlines_all, plain
    if not any(isinstance(n, ir.Text) and _XREF.search(n.text) for n in iter_inlines_all(doc)):
        return doc
    titles: dict[str, str] = {}
    seen = {"fig": 0, "tbl": 0}

    def on_block(b: ir.Block) -> ir.Block:
        if isinstance(b, ir.Heading) and b.id:
            titles.setdefault(b.id, plain(b.children) or b.id)
        kind = (b.id or "").split("-", 1)[0] if isinstance(b, ir.Figure | ir.Table) else ""
        if isinstance(b, ir.Figure | ir.Table) and b.id and kind == ("fig" if isinstance(b, ir.Figure) else "tbl"):
            seen[kind] += 1
            label = b.label or f"{float_name(kind, doc.metadata.language)} {seen[kind]}"
            titles[b.id] = label
            return dataclasses.replace(b, label=label)
        return b

    blocks = map_tree(doc.blocks, lambda inl: inl, on_block)
    unresolved: list[str] = []

    def fn(n: ir.Inline) -> tuple[ir.Inline, ...]:
        if not isinstance(n, ir.Text) or "@" not in n.text:
            return (n,)
        return _xref_links(n, lambda label: (label, titles[label]) if label in titles else None, unresolved)

    blocks = map_tree(blocks, lambda inl: map_inlines(inl, fn))
    notes = tuple(dataclasses.replace(nt, blocks=map_tree(nt.blocks, lambda inl: map_inlines(inl, fn)))
                  for nt in doc.notes)
    lines = _xref_lines(Path(name)) if unresolved else {}
    for label in unresolved:
        where = lines.get(label)
        kind = _XREF_KINDS.get(label.split("-", 1)[0], "place")
        diag.emit("link-unresolved", f"cross-reference @{label}: no {kind} with this label in the document; kept as "
                  "text", file=name, line=where.pop(0) if where else None)
    return dataclasses.replace(doc, blocks=blocks, notes=notes)
