"""A book's divisions as every writer places them: which heading opens a division (``Heading.role``), whether it
stands in front, body or back matter, and the edition's own ISBN on the copyright page.

Each heading with a role opens a division that runs to the next one. Its place is :data:`pipeline.ir.DIVISIONS`'s
(a front-matter role after the first chapter counts as back matter: acknowledgments at the end of a book), but the
three places are contiguous, as a book prints them: the front matter is the run of front divisions the book opens
with, the back matter the run of back divisions it ends with, everything between is the body (a preface listed
between chapters 3 and 4 is body matter where it stands). A part takes the place of its first division.
Blocks before the first division belong to it. A document without roles is no book: :func:`divisions` is empty.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import assert_never

from .. import ir
from ..labels import label_key
from ..options import Options
from ..walk import map_block_inlines, plain

#: Front-matter pages that the contents leave out (a reader finds them through the landmarks).
NOT_IN_CONTENTS = frozenset({"halftitlepage", "titlepage", "copyright-page", "dedication", "epigraph"})
#: Pages a book prints before its contents (the EPUB navigation document follows them).
BEFORE_CONTENTS = frozenset({"halftitlepage", "titlepage", "copyright-page", "dedication", "epigraph"})
#: DPUB-ARIA roles of the divisions that have one.
ARIA: dict[str, str] = {r: f"doc-{r}" for r in (
    "part", "chapter", "appendix", "preface", "foreword", "dedication", "epigraph", "acknowledgments",
    "introduction", "prologue", "epilogue", "conclusion", "afterword", "glossary", "bibliography", "index",
    "colophon", "endnotes", "toc")}
_ORDER = {"front": 0, "body": 1, "back": 2}


@dataclass(frozen=True, slots=True)
class Division:
    """One division of a book: the blocks ``start:end`` of the document, opened by a heading of ``role``."""

    start: int
    end: int
    at: int
    """The index of its opening heading (``start`` unless blocks before the first division belong to it)."""
    role: str
    place: str
    """``front``, ``body`` or ``back``."""
    level: int
    heading: ir.Heading


def divisions(blocks: tuple[ir.Block, ...]) -> list[Division]:
    """The divisions of a book's top-level ``blocks`` in order; empty when no heading has a role."""
    opens = [(i, b) for i, b in enumerate(blocks) if isinstance(b, ir.Heading) and b.role in ir.DIVISIONS]
    if not opens:
        return []
    raw = [ir.DIVISIONS[h.role or ""] for _, h in opens]
    body = next((k for k, p in enumerate(raw) if p == "body" and opens[k][1].role != "part"), len(raw))
    for k in range(body + 1, len(raw)):  # acknowledgments after the chapters are back matter (if nothing follows)
        if raw[k] == "front":
            raw[k] = "back"
    for k in range(len(opens) - 1, -1, -1):  # a part takes its first division's place
        h = opens[k][1]
        if h.role == "part":
            nxt = k + 1
            raw[k] = raw[nxt] if nxt < len(opens) and opens[nxt][1].level > h.level else "body"
    front = 0
    while front < len(raw) and raw[front] == "front":
        front += 1
    back = len(raw)
    while back > front and raw[back - 1] == "back":
        back -= 1
    out: list[Division] = []
    for k, (i, h) in enumerate(opens):
        start = 0 if k == 0 else i
        end = opens[k + 1][0] if k + 1 < len(opens) else len(blocks)
        place = "front" if k < front else "back" if k >= back else "body"
        out.append(Division(start=start, end=end, at=i, role=h.role or "", place=place, level=h.level, heading=h))
    return out


def has_role(doc: ir.Document, role: str) -> bool:
    """Whether a top-level heading of ``doc`` opens a division of ``role``."""
    return any(isinstance(b, ir.Heading) and b.role == role for b in doc.blocks)


#: The heading of a table of contents in the document's language (by its tag's first subtag, Chinese by script),
#: as books in that language print it; English for a language not listed.
CONTENTS_HEADINGS: dict[str, str] = {
    "zh-Hant": "目錄", "zh": "目录", "ja": "目次", "ko": "목차", "ar": "المحتويات", "fa": "فهرست مطالب",
    "ur": "فہرست", "he": "תוכן העניינים", "syr": "ܚܘܝܕܐ", "hi": "विषय सूची", "sa": "विषयसूची",
    "ta": "பொருளடக்கம்", "bn": "সূচিপত্র", "ru": "Содержание", "uk": "Зміст", "el": "Περιεχόμενα",
    "fr": "Table des matières", "de": "Inhalt", "es": "Índice", "it": "Indice", "pt": "Sumário",
    "nl": "Inhoud", "la": "Index", "en": "Contents"}


def contents_heading(lang: str | None) -> str:
    """The heading of a table of contents for a document in ``lang`` (:data:`CONTENTS_HEADINGS`)."""
    return CONTENTS_HEADINGS.get(label_key(lang), CONTENTS_HEADINGS["en"])


#: The names of the EPUB's landmarks (the reading system's "go to" menu) in the document's language (keyed as
#: :data:`CONTENTS_HEADINGS`): the landmarks list itself, the cover and the rights page; English for a language
#: not listed. The contents is named by :func:`contents_heading`.
NAV_LABELS: dict[str, dict[str, str]] = {
    "landmarks": {"zh-Hant": "導覽", "zh": "导览", "ja": "ランドマーク", "ko": "랜드마크", "ru": "Ориентиры",
                  "fr": "Repères", "de": "Orientierungspunkte", "es": "Puntos de referencia",
                  "it": "Punti di riferimento", "pt": "Pontos de referência", "en": "Landmarks"},
    "cover": {"zh-Hant": "封面", "zh": "封面", "ja": "表紙", "ko": "표지", "ar": "الغلاف", "fa": "جلد", "he": "כריכה",
              "hi": "आवरण", "ru": "Обложка", "uk": "Обкладинка", "el": "Εξώφυλλο", "fr": "Couverture",
              "de": "Umschlag", "es": "Cubierta", "it": "Copertina", "pt": "Capa", "nl": "Omslag", "en": "Cover"},
    "rights": {"zh-Hant": "版權", "zh": "版权", "ja": "著作権", "ko": "저작권", "ru": "Авторские права",
               "fr": "Droits", "de": "Rechte", "es": "Derechos", "it": "Diritti", "pt": "Direitos",
               "nl": "Rechten", "en": "Rights"},
}


def nav_label(key: str, lang: str | None) -> str:
    """The name of landmark ``key`` (:data:`NAV_LABELS`) for a document in ``lang``."""
    names = NAV_LABELS[key]
    return names.get(label_key(lang), names["en"])


def contents_title(h: ir.Heading) -> str:
    """A division's entry in a table of contents: its label and text."""
    return ((f"{h.label} " if h.label else "") + plain(h.children)).strip() or "§"


def for_edition(doc: ir.Document, options: Options) -> ir.Document:
    """``doc`` with the edition's ISBN (``Options.isbn``) on its copyright page, in place of the book file's (or
    after the page's other lines when the book file gave none). Unchanged without a copyright page or an ISBN."""
    if not options.isbn or not has_role(doc, "copyright-page"):
        return doc
    isbn = ir.Para(children=(ir.Span(children=(ir.Text(text=f"ISBN {options.isbn}"),), classes=("isbn",)),))
    blocks = list(doc.blocks)
    for d in divisions(doc.blocks):
        if d.role != "copyright-page":
            continue
        lines = range(d.start, d.end)
        at = next((i for i in lines if _is_line(blocks[i], "isbn")), None)
        if at is not None:
            blocks[at] = isbn
        else:
            before = next((i for i in lines if isinstance(blocks[i], ir.Div)), d.end)  # before the CIP block
            blocks.insert(before, isbn)
        break
    return dataclasses.replace(doc, blocks=tuple(blocks))


def line_class(b: ir.Block) -> str | None:
    """The class of a made page's line (``author``, ``isbn``…: a paragraph holding one classed span), or None."""
    if isinstance(b, ir.Para) and len(b.children) == 1 and isinstance(b.children[0], ir.Span) \
            and len(b.children[0].classes) == 1 and not b.number:
        return b.children[0].classes[0]
    return None


#: The pages :mod:`pipeline.book.frontmatter` makes.
MADE_PAGES = frozenset({"halftitlepage", "titlepage", "copyright-page", "dedication"})


def made_lines(blocks: tuple[ir.Block, ...]) -> dict[int, str]:
    """The lines of a book's made pages (half-title, title, copyright, dedication): index in ``blocks`` -> class."""
    out: dict[int, str] = {}
    for d in divisions(blocks):
        if d.role in MADE_PAGES:
            for i in range(d.at + 1, d.end):
                cls = line_class(blocks[i])
                if cls is not None:
                    out[i] = cls
    return out


def _is_line(b: ir.Block, cls: str) -> bool:
    return line_class(b) == cls


def notes_through_book(doc: ir.Document) -> ir.Document:
    """``doc`` with its numbered notes (marker ``1``, ``2``…) numbered continuously through the book in the order
    of their first call (``Options.note_numbering = "book"``); notes marked otherwise (``*``, ``†``) keep theirs."""
    numbers: dict[str, str] = {}
    for n in doc.notes:  # in the order of their first call
        if n.marker.isdigit():
            numbers[n.id] = str(len(numbers) + 1)
    if not numbers:
        return doc

    def on(inlines: tuple[ir.Inline, ...], lang: str | None) -> tuple[ir.Inline, ...]:
        return tuple(_renumbered(node, numbers) for node in inlines)

    notes = tuple(dataclasses.replace(n, marker=numbers.get(n.id, n.marker),
                                      blocks=map_block_inlines(n.blocks, on, None)) for n in doc.notes)
    return dataclasses.replace(doc, blocks=map_block_inlines(doc.blocks, on, None), notes=notes)


def _renumbered(node: ir.Inline, numbers: dict[str, str]) -> ir.Inline:
    match node:
        case ir.NoteRef(note_id=note_id):
            return dataclasses.replace(node, marker=numbers[note_id]) if note_id in numbers else node
        case ir.Span(children=c) | ir.Emph(children=c) | ir.Strong(children=c) | ir.Link(children=c) \
                | ir.BookTitle(children=c):
            return dataclasses.replace(node, children=tuple(_renumbered(k, numbers) for k in c))
        case ir.Choice(readings=rs):
            return dataclasses.replace(node, readings=tuple(
                dataclasses.replace(r, children=tuple(_renumbered(k, numbers) for k in r.children)) for r in rs))
        case ir.Text() | ir.Code() | ir.LineBreak() | ir.Image() | ir.Math() | ir.Milestone():
            return node
        case _:
            assert_never(node)
