"""Spaces in Chinese text (clreq 3.2.2 and 3.5): line-wrap residue goes; the Han–Latin gap is the writers' job.

* Spaces between a Han character or a letter or digit and CJK punctuation (on either side) are removed
  (``。 我們`` → ``。我們``); between two Han characters, as the next rule but one says.
* Spaces between Han and Latin letters or digits are removed too (``2023 年`` → ``2023年``): each writer
  produces the quarter-em gap itself (HTML/EPUB/PDF markup, DOCX ``w:autoSpaceDE``/``w:autoSpaceDN``).
  ``--keep-spaces`` keeps them as the source wrote them.
* Spaces between Latin words, and U+3000 IDEOGRAPHIC SPACE, are kept; digit groups are the numbers
  transform's business (it runs first).
* A space between two Han characters depends on where the text comes from (:func:`han_rule`). Scraped text (the
  report reader's plain text, copied out of PDFs and wikis) has spaces that line wraps left inside words
  (``更 美好`` → ``更美好``): they all go. In a marked-up source (Markdown, HTML, DOCX, ODT, EPUB, TEI) the
  readers already drop the line breaks between Han characters (pandoc's soft breaks, CSS's segment-break rule), so
  a space there was typed. Inside a run of text it is the author's separator (``干拌饭 干拌面``, a list of terms,
  a date before a clause) and is kept; at the edge of inline markup (``称为 **借用**``, ``请 [点击这里](…)``) it
  is the padding the markup was typed with, and goes, as emphasis and links take no space in Chinese type. Either
  way the decision is made in a first pass (:func:`apply_han`), before the script conversion, so that a word
  broken by a wrap converts as a word and a separator stays a word boundary OpenCC's phrases do not match across.
  The step's ``han-han`` setting says which rule held (``closed`` or ``kept-in-text``).
* The space after a label that opens a block (``第一条 为了…``, ``第三章 導言`` when a reader left the label in the
  text) is its separator, not residue: it becomes U+3000 (one already there is kept).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from .. import ir
from ..cjk.chars import FULLWIDTH_PUNCT, SHARED, is_han, is_latin, protected_mask
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text_ctx
from ._base import record

RUN = re.compile(r"[ \u00a0\t]+")
#: A label opening a block (statute articles, chapters: ``第一条``, ``第十二條``, ``第三章``) and the spaces after it.
LABEL = re.compile(r"^(第[一二三四五六七八九十百千零〇两兩\d]+[条條章节節编編部篇款项項则則])([ \u00a0\t]+)(?=\S)")


#: The reader steps whose text is scraped: a space between two Han characters there is line-wrap residue.
SCRAPED_BY = frozenset({"report-reader"})

#: What becomes of a space between two Han characters: ``close`` (every one goes), ``inner`` (one inside a text
#: node is kept, one at its edge, next to inline markup, goes), ``keep`` (every one is kept).
HanRule = Literal["close", "inner", "keep"]


def scraped(doc: ir.Document) -> bool:
    """Whether the document's text was scraped (read by a reader of :data:`SCRAPED_BY`), so that a space between
    two Han characters is residue rather than a separator its author typed."""
    return any(step.name in SCRAPED_BY for step in doc.steps)


def han_rule(doc: ir.Document, *, first: bool) -> HanRule:
    """The rule for spaces between Han characters in ``doc``: ``close`` for scraped text; for typed text ``inner``
    in the first pass, ``keep`` once a first pass has decided (the final pass, and every pass over a document
    read back from ``.ir.json``, whose inline nodes may have been split by later transforms since)."""
    if scraped(doc):
        return "close"
    return "inner" if first and not any(step.name == "spacing" for step in doc.steps) else "keep"


def _textual(ch: str) -> bool:
    return is_han(ch) or is_latin(ch) or ch in FULLWIDTH_PUNCT


def convert(text: str, before: str = "", after: str = "", *, keep_latin: bool = False,
            counts: Counter[str] | None = None, only_han: bool = False, han: HanRule = "close") -> str:
    """The text with residual spaces removed (``only_han``: only those between two Han characters; ``han``: what
    becomes of those, see :data:`HanRule`)."""
    if " " not in text and "\u00a0" not in text and "\t" not in text:
        return text
    counts = counts if counts is not None else Counter()
    if not before and (label := LABEL.match(text)):
        # the space after a leading label separates it from its text: typeset as U+3000, the Chinese rule
        text = label.group(1) + "\u3000" + text[label.end():]
        counts["labels"] += 1
    mask = protected_mask(text)
    out: list[str] = []
    pos = 0
    for m in RUN.finditer(text):
        p = text[m.start() - 1] if m.start() else before
        n = text[m.end()] if m.end() < len(text) else after
        if mask[m.start()] or not p or not n:
            continue
        kind = None
        if is_han(p) and is_han(n):
            edge = m.start() == 0 or m.end() == len(text)
            kind = "han-han" if han == "close" or (han == "inner" and edge) else None
        elif only_han:
            pass
        elif p in FULLWIDTH_PUNCT or n in FULLWIDTH_PUNCT:
            # a mark both scripts write (“ ” … —) next to Latin is Latin punctuation: its spaces are the text's
            shared_alone = (p in SHARED and not is_han(n)) or (n in SHARED and not is_han(p))
            if _textual(p) and _textual(n) and not shared_alone:
                kind = "punctuation"
        elif not keep_latin and ((is_han(p) and is_latin(n)) or (is_latin(p) and is_han(n))):
            kind = "han-latin"
        if kind:
            out.append(text[pos:m.start()])
            pos = m.end()
            counts[kind] += 1
    out.append(text[pos:])
    return "".join(out)


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Remove residual spaces from every text node."""
    counts: Counter[str] = Counter({"han-han": 0, "punctuation": 0, "han-latin": 0, "labels": 0})
    han = han_rule(doc, first=False)

    def fn(text: str, before: str, after: str, lang: str | None) -> str:
        return convert(text, before, after, keep_latin=options.keep_spaces, counts=counts, han=han)

    return record(map_text_ctx(doc, fn), diag, "spacing", counts,
                  (_han_setting(han), ("keep-spaces", str(options.keep_spaces).lower())))


def apply_han(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Remove the spaces between two Han characters first, before the script conversion.

    A line wrap inside a word of scraped text (``審查程 序``) would hide the word from OpenCC's phrase tables; the
    space goes in every edition anyway, so the conversion sees the text as it will be printed. In a marked-up
    source a space inside a run of text is the author's (see the module's rules): kept, it is the word boundary
    the conversion must not match across (``干拌饭 干拌面`` is 乾拌飯 乾拌麪; closed, 饭干 would be matched as a
    phrase and give 干拌飯). Runs under the name ``spacing``: its counts join those of :func:`apply`.
    """
    counts: Counter[str] = Counter({"han-han": 0, "labels": 0})
    han = han_rule(doc, first=True)

    def fn(text: str, before: str, after: str, lang: str | None) -> str:
        return convert(text, before, after, counts=counts, only_han=True, han=han)

    return record(map_text_ctx(doc, fn), diag, "spacing", counts, (_han_setting(han),))


def _han_setting(han: HanRule) -> tuple[str, str]:
    return ("han-han", "closed" if han == "close" else "kept-in-text")
