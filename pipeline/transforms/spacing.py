"""Spaces in Chinese text (clreq 3.2.2 and 3.5): line-wrap residue goes; the Han–Latin gap is the writers' job.

* Spaces between two Han characters, or between a Han character or a letter or digit and CJK punctuation
  (on either side) are removed: ``更 美好`` → ``更美好``, ``。 我們`` → ``。我們``.
* Spaces between Han and Latin letters or digits are removed too (``2023 年`` → ``2023年``): each writer
  produces the quarter-em gap itself (HTML/EPUB/PDF markup, DOCX ``w:autoSpaceDE``/``w:autoSpaceDN``).
  ``--keep-spaces`` keeps them as the source wrote them.
* Spaces between Latin words, and U+3000 IDEOGRAPHIC SPACE, are kept; digit groups are the numbers
  transform's business (it runs first).
"""

from __future__ import annotations

import re
from collections import Counter

from .. import ir
from ..cjk.chars import CURLY, FULLWIDTH_PUNCT, is_han, is_latin, protected_mask
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text_ctx
from ._base import record

RUN = re.compile(r"[ \u00a0\t]+")


def _textual(ch: str) -> bool:
    return is_han(ch) or is_latin(ch) or ch in FULLWIDTH_PUNCT


def convert(text: str, before: str = "", after: str = "", *, keep_latin: bool = False,
            counts: Counter[str] | None = None) -> str:
    """The text with residual spaces removed."""
    if " " not in text and "\u00a0" not in text and "\t" not in text:
        return text
    counts = counts if counts is not None else Counter()
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
            kind = "han-han"
        elif p in FULLWIDTH_PUNCT or n in FULLWIDTH_PUNCT:
            curly_alone = (p in CURLY and not is_han(n)) or (n in CURLY and not is_han(p))
            if _textual(p) and _textual(n) and not curly_alone:
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
    counts: Counter[str] = Counter({"han-han": 0, "punctuation": 0, "han-latin": 0})

    def fn(text: str, before: str, after: str, lang: str | None) -> str:
        return convert(text, before, after, keep_latin=options.keep_spaces, counts=counts)

    return record(map_text_ctx(doc, fn), diag, "spacing", counts,
                  (("keep-spaces", str(options.keep_spaces).lower()),))
