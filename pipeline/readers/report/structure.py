"""The body of a report: units (text, boxes, lists) from lines, then numbered paragraphs, headings and repairs.

Conventions recognised (Chinese and UN documents):

* numbered paragraphs ``N. text`` — including several run together on one line (split only where the next
  expected number follows sentence-final punctuation, so ``2.45億``, ``1.5°C`` and ``2 000`` never split) and
  one broken in two by a blank line (joined when the first part lacks sentence-final punctuation);
* labelled headings ``第X編/部/篇``, ``第X章``, ``第X節``, ``I.``, ``A.``, ``一、``, ``（一）``, ``1.1``; their levels
  follow the order of that list, compressed to the kinds the document uses;
* unlabelled headings (short lines without sentence-final punctuation): a wiki section heading (one the wiki
  gave an edit link) or one whose text recurs is one level below the labelled ones; other, topical, headings
  one level further down;
* a heading glued to the end of a paragraph (``…的基礎。 我們的目標``) is separated;
* boxed sidebars: a title line directly followed by indented lines, one paragraph per indented line (or per
  wrapped group of lines when the text is hard-wrapped);
* lists: indented lines starting with ``1.``, ``(a)``, ``•``…;
* statutes: an article ``第一条　…`` is a paragraph numbered by its article number (``1``; ``第十条之一`` is
  ``10-1``), its label kept at the start of its text with an ideographic space after it; the items ``（一）…``
  that follow an article are a list.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from ...diagnostics import Diagnostics
from .lines import Line, Wrap, join_wrapped

NUMBERED = re.compile(r"^(\d{1,4})\.(?:[ \t\u3000]+(?=\S)|$)")
RUN_TOGETHER = re.compile(r"(?<=[。！？!?」』”’）)\]])[ \t\u3000]*(\d{1,4})\.(?:[ \t\u3000]+(?=\S)|$)")
#: What starts an item of an indented list (the lines the units pass groups into a list).
ITEM_START = re.compile(r"^((?:\d{1,3}|[a-z]|[ivx]{1,4})[.)）]|[（(](?:\d{1,3}|[a-z])[)）]|[•·▪◦\-–*])[ \t\u3000]*")
#: An item's label, split from its text when the list is built; ``（一）`` too (a statute's items).
LIST_LABEL = re.compile(r"^((?:\d{1,3}|[a-z]|[ivx]{1,4})[.)）]|[（(](?:\d{1,3}|[a-z]|[一二三四五六七八九十]{1,4})[)）]"
                        r"|[•·▪◦\-–*])[ \t\u3000]*")
#: An article of a statute or regulation: ``第一条``, ``第12条``, ``第十条之一`` (label), its separator, its text.
ARTICLE = re.compile(r"^(第([一二三四五六七八九十百千零〇两兩\d]{1,8})[条條](?:之([一二三四五六七八九十\d]{1,4}))?)"
                     r"([ \t\u3000]+|(?=[^ \t\u3000\d]))(\S.*)$", re.DOTALL)
#: An item of an article: ``（一）``, ``(二)``.
ITEM = re.compile(r"^([（(][一二三四五六七八九十]{1,4}[)）])[ \t\u3000]*(\S.*)$", re.DOTALL)
SENTENCE_END = re.compile(r"[。！？!?.．…][」』”’）)]*$")
TERMINAL = "。！？!?…．.」』”’）)；;"
NOT_HEADING_END = "。！？!?．；;：:，,、…"

CJK_NUM = "一二三四五六七八九十百千零〇两兩"
HEADING_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^(第[{CJK_NUM}\d]+[編编部篇])[ \t\u3000]*(.*)$")),
    ("chapter", re.compile(rf"^(第[{CJK_NUM}\d]+章)[ \t\u3000]*(.*)$")),
    ("cjk-section", re.compile(rf"^(第[{CJK_NUM}\d]+[節节])[ \t\u3000]*(.*)$")),
    ("roman", re.compile(r"^((?=[IVXLC]{2})M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\.)"
                         r"[ \t\u3000]+(\S.*)$")),
    ("latin", re.compile(r"^([A-Z]\.)[ \t\u3000]+(\S.*)$")),
    ("cjk-num", re.compile(rf"^([{CJK_NUM}]+、)[ \t\u3000]*(\S.*)$")),
    ("paren-cjk", re.compile(rf"^([（(][{CJK_NUM}]+[）)])[ \t\u3000]*(\S.*)$")),
    ("decimal", re.compile(r"^(\d{1,2}(?:\.\d{1,2})+\.?)[ \t\u3000]+(\S.*)$")),
]
GLUED_HEADING = re.compile(
    r"^(.*[。！？!?」』”）)])[ \t\u3000]+([^。！？!?，,；;：:、\s][^。！？!?，,；;：:、]{0,24})$")
GLUED_KNOWN = re.compile(r"^(.*[。！？!?」』”）)]) (.+)$")
MAX_HEADING = 50


@dataclass
class Unit:
    """A run of source text that is one thing: a text block, a box, or a list."""

    kind: Literal["text", "box", "list"]
    line: int
    text: str = ""
    after_blank: bool = True
    edit_link: bool = False
    title: str = ""
    items: list[tuple[int, str]] = field(default_factory=list)
    """Box paragraphs or list items, with their line numbers."""


@dataclass
class Found:
    """A block found in the body, before it becomes IR."""

    kind: Literal["para", "heading", "box", "list"]
    line: int
    text: str = ""
    number: str | None = None
    level: int = 0
    label: str | None = None
    heading_kind: str | None = None
    edit_link: bool = False
    title: str = ""
    items: list[tuple[int, str]] = field(default_factory=list)


def heading_kind(text: str) -> tuple[str, str, str] | None:
    """(kind, label, title) when ``text`` is a labelled heading."""
    if len(text) > MAX_HEADING + 8 or text.endswith(tuple(NOT_HEADING_END)):
        return None
    for kind, pattern in HEADING_KINDS:
        if m := pattern.match(text):
            if kind in ("part", "chapter", "cjk-section") or m.group(2):
                return kind, m.group(1), m.group(2).strip()
    return None


def cjk_number(text: str) -> int | None:
    """``一百二十`` → 120, ``十一`` → 11, ``12`` → 12; None when it is not a number."""
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2, "兩": 2}
    units = {"十": 10, "百": 100, "千": 1000}
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in units:
            total += (current or 1) * units[ch]
            current = 0
        else:
            return None
    return total + current


def article(text: str) -> tuple[str, str, str, str] | None:
    """(label, number, separator, text) of a statute article ``第十条之一　…``: the number in Arabic digits
    (``10-1``), the separator as the source wrote it (empty when the text follows the label directly)."""
    m = ARTICLE.match(text)
    if not m:
        return None
    n = cjk_number(m.group(2))
    sub = cjk_number(m.group(3)) if m.group(3) else None
    if n is None or (m.group(3) and sub is None):
        return None
    number = f"{n}-{sub}" if sub is not None else str(n)
    return m.group(1), number, m.group(4), m.group(5)


def statute_separator(sep: str) -> str:
    """The separator after an article label as CJK typesetting sets it: an ideographic space (the spacing
    transform would take an ASCII space between two Han characters for line-wrap residue and remove it)."""
    return "\u3000" if sep.strip(" \t") == "" and sep else sep


def ends_sentence(text: str) -> bool:
    """The text ends with sentence-final punctuation (closing quotes and brackets after it allowed)."""
    return bool(SENTENCE_END.search(text))


def looks_like_heading(text: str) -> bool:
    """A short line without sentence-final punctuation or a full stop inside."""
    return (0 < len(text) <= MAX_HEADING and not text.endswith(tuple(NOT_HEADING_END))
            and "。" not in text and not NUMBERED.match(text))


def _starts_something(line: Line) -> bool:
    return bool(NUMBERED.match(line.text)) or heading_kind(line.text) is not None


def _title_here(cur: Line, follows: Line | None, prev: Line, unit_text: str) -> bool:
    """A short plain line directly followed by indented lines, after a finished sentence or a heading."""
    return (follows is not None and follows.indented and not follows.blank and not cur.indented
            and looks_like_heading(cur.text)
            and (prev.text.endswith(tuple(TERMINAL)) or looks_like_heading(unit_text or prev.text)))


def units(lines: list[Line], wrap: Wrap | None, diag: Diagnostics) -> tuple[list[Unit], int]:
    """Group body lines into units; returns them and how many wrapped lines were joined."""
    out: list[Unit] = []
    joined = 0
    i, n = 0, len(lines)

    def continued(prev: Line) -> bool:
        # In hard-wrapped text a line continues onto the next when it stops mid-sentence, or when it is
        # filled to the very edge (a sentence may end exactly there).
        return wrap is not None and (not ends_sentence(prev.text) or wrap.at_edge(prev))
    after_blank = True
    while i < n:
        ln = lines[i]
        if ln.blank:
            after_blank = True
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < n else None
        if not ln.indented and nxt is not None and nxt.indented and not nxt.blank and looks_like_heading(ln.text):
            # a title line directly followed by indented lines: a box, unless the indented lines are a list
            j = i + 1
            body: list[tuple[int, str]] = []
            while j < n and not lines[j].blank:
                cur = lines[j]
                if cur.indented:
                    if body and continued(lines[j - 1]) and not ITEM_START.match(cur.text):
                        body[-1] = (body[-1][0], join_wrapped(body[-1][1], cur.text))
                        joined += 1
                    else:
                        body.append((cur.no, cur.text))
                    j += 1
                    continue
                if ends_sentence(lines[j - 1].text) and looks_like_heading(cur.text) \
                        and not (wrap and wrap.at_edge(cur)):
                    break  # the next box's title, or a heading
                if body and continued(lines[j - 1]):
                    body[-1] = (body[-1][0], join_wrapped(body[-1][1], cur.text))
                    joined += 1
                    j += 1
                    continue
                break
            if all(ITEM_START.match(t) for _, t in body):
                out.append(Unit("text", ln.no, ln.text, after_blank, ln.edit_link))
                out.append(Unit("list", body[0][0], after_blank=False, items=body))
            else:
                out.append(Unit("box", ln.no, after_blank=after_blank, title=ln.text, items=body,
                                edit_link=ln.edit_link))
            i = j
            after_blank = False
            continue
        if ln.indented and ITEM_START.match(ln.text):
            items: list[tuple[int, str]] = []
            j = i
            while j < n and not lines[j].blank and lines[j].indented:
                if ITEM_START.match(lines[j].text) or not items:
                    items.append((lines[j].no, lines[j].text))
                else:
                    items[-1] = (items[-1][0], join_wrapped(items[-1][1], lines[j].text))
                    joined += 1
                j += 1
            out.append(Unit("list", ln.no, after_blank=after_blank, items=items))
            i = j
            after_blank = False
            continue
        # a text unit: this line and the plain lines that continue it
        unit = Unit("text", ln.no, ln.text, after_blank, ln.edit_link)
        j = i + 1
        while j < n:
            cur = lines[j]
            if cur.blank or _starts_something(cur):
                break
            follows = lines[j + 1] if j + 1 < n else None
            wrapped = continued(lines[j - 1]) and not looks_like_heading(unit.text)
            if _title_here(cur, follows, lines[j - 1], unit.text) or (
                    not wrapped and follows is not None and follows.indented and not cur.indented):
                break  # a box title
            if cur.indented and not wrapped:
                break
            unit.text = join_wrapped(unit.text, cur.text)
            unit.edit_link = unit.edit_link or cur.edit_link
            joined += 1
            j += 1
        if j > i + 1:
            diag.emit("joined-wrapped-lines", f"{j - i} lines joined into one block", line=ln.no)
        out.append(unit)
        i = j
        after_blank = False
    return out, joined


@dataclass
class Counts:
    """What the body pass repaired."""

    split: int = 0
    joined_broken: int = 0
    separated: int = 0


def blocks(us: list[Unit], diag: Diagnostics, counts: Counts) -> list[Found]:
    """Numbered paragraphs, headings (with levels), boxes and lists, with the repairs reported."""
    found: list[Found] = []
    expected: int | None = None

    def add_numbered(line: int, text: str) -> None:
        nonlocal expected
        m = NUMBERED.match(text)
        assert m is not None
        number = int(m.group(1))
        rest = text[m.end():]
        # split paragraphs run together on one line, only at the next expected number
        pieces: list[tuple[int, str]] = []
        cur_no, cur_text, pos = number, "", 0
        for rm in RUN_TOGETHER.finditer(rest):
            if int(rm.group(1)) != cur_no + 1:
                continue
            cur_text = rest[pos:rm.start()]
            pieces.append((cur_no, cur_text))
            diag.emit("split-run-together", f"paragraph {cur_no + 1} split from paragraph {cur_no}", line=line)
            counts.split += 1
            cur_no, pos = cur_no + 1, rm.end()
        pieces.append((cur_no, rest[pos:]))
        for no, body in pieces:
            found.append(Found("para", line, body.strip(), number=str(no)))
        expected = cur_no + 1

    last_article = 0
    for u in us:
        if u.kind == "text" and (art := article(u.text)) is not None \
                and (art[2] or art[1] == str(last_article + 1)):
            # a statute's article: numbered by its article number, the label and its separator kept in the text
            label, art_number, sep, rest = art
            found.append(Found("para", u.line, f"{label}{statute_separator(sep)}{rest}", number=art_number,
                               label=label))
            last_article = int(art_number.split("-")[0])
            continue
        if u.kind == "text" and last_article and ITEM.match(u.text):
            # the items （一）（二）… of an article: one list
            if found and found[-1].kind == "list" and found[-1].items and ITEM.match(found[-1].items[-1][1]):
                found[-1].items.append((u.line, u.text))
            else:
                found.append(Found("list", u.line, items=[(u.line, u.text)]))
            continue
        if u.kind == "box":
            found.append(Found("box", u.line, title=u.title, items=u.items, edit_link=u.edit_link))
            continue
        if u.kind == "list":
            found.append(Found("list", u.line, items=u.items))
            continue
        text = u.text
        m = NUMBERED.match(text)
        if m:
            number = int(m.group(1))
            if expected is None or number == expected:
                add_numbered(u.line, text)
                continue
            if u.after_blank and number > expected:
                diag.emit("numbering-gap", f"paragraph {number} follows {expected - 1}", line=u.line)
                add_numbered(u.line, text)
                continue
            if not u.after_blank and found and found[-1].kind == "para":
                found[-1].text = join_wrapped(found[-1].text, text)
                continue
            diag.emit("numbering-duplicate", f"paragraph number {number} out of sequence (expected {expected}); "
                      "kept as an unnumbered paragraph", line=u.line)
        if hk := heading_kind(text):
            kind, label, title = hk
            found.append(Found("heading", u.line, title, label=label, heading_kind=kind, edit_link=u.edit_link))
            continue
        prev = found[-1] if found else None
        if prev is not None and prev.kind == "para" and prev.number is not None \
                and not prev.text.endswith(tuple(TERMINAL)) and not looks_like_heading(text):
            prev.text += text
            counts.joined_broken += 1
            diag.emit("joined-broken-paragraph",
                      f"paragraph {prev.number} continued here after a blank line; joined", line=u.line)
            continue
        if looks_like_heading(text):
            found.append(Found("heading", u.line, text, edit_link=u.edit_link))
            continue
        found.append(Found("para", u.line, text))
    _separate_glued(found, diag, counts)
    _levels(found)
    return found


def _separate_glued(found: list[Found], diag: Diagnostics, counts: Counts) -> None:
    """Split a heading the source glued to the end of a paragraph (``…基礎。 我們的目標``)."""
    known = {f.text for f in found if f.kind == "heading" and f.label is None}
    i = 0
    while i < len(found):
        f = found[i]
        m = GLUED_HEADING.match(f.text) if f.kind == "para" else None
        if m is None and f.kind == "para":
            # hard wrapping may have eaten the space before the glued heading: then it must be a known one
            for t in known:
                if f.text.endswith(t) and (m := GLUED_KNOWN.match(f.text[: -len(t)] + " " + t)):
                    break
        if m is not None:
            tail = m.group(2).strip()
            nxt = found[i + 1] if i + 1 < len(found) else None
            before_block = nxt is None or nxt.kind in ("heading", "box") or nxt.number is not None
            if looks_like_heading(tail) and (tail in known or before_block):
                f.text = m.group(1)
                found.insert(i + 1, Found("heading", f.line, tail))
                counts.separated += 1
                diag.emit("separated-heading", f"heading {tail!r} separated from the end of paragraph "
                          f"{f.number or ''}".rstrip(), line=f.line)
                i += 1
        i += 1


def _levels(found: list[Found]) -> None:
    # A lone "I." is a Latin letter unless Roman numerals follow it ("II.", "III.").
    heads = [f for f in found if f.heading_kind in ("latin", "roman")]
    for a, b in itertools.pairwise(heads):
        if a.label == "I." and b.heading_kind == "roman" and b.label == "II.":
            a.heading_kind = "roman"
    order = [k for k, _ in HEADING_KINDS]
    used = sorted({f.heading_kind for f in found if f.heading_kind}, key=order.index)
    level_of = {k: i + 1 for i, k in enumerate(used)}
    structural = len(used) + 1
    texts = [f.text for f in found if f.kind == "heading" and f.heading_kind is None]
    recurring = {t for t in texts if texts.count(t) > 1}
    in_structural = False
    for f in found:
        if f.kind != "heading":
            continue
        if f.heading_kind:
            f.level = level_of[f.heading_kind]
            in_structural = False
        elif f.edit_link or f.text in recurring:
            f.level = structural
            in_structural = True
        else:
            f.level = structural + 1 if in_structural else structural
