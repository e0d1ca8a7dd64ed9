"""Digit groups written with a space (``5 000``, ``50 000``, ``2 000 万``) are joined so they never break.

The joiner is U+202F NARROW NO-BREAK SPACE (the SI thin space that cannot break), or nothing with
``--join-numbers none``. Only groups of exactly three digits after the first group of one to three are joined,
so ``2023 年`` or ``第 1 2 段`` are left alone; decimals are kept whole (``1 234.5``).
"""

from __future__ import annotations

import re
from collections import Counter

from .. import ir
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text
from ._base import record

GROUPS = re.compile(r"(?<![\d.\u202f])(?<!\d,)\d{1,3}(?:[ \u00a0\u2009]\d{3})+(?![\d])")
SEP = re.compile(r"[ \u00a0\u2009]")


def convert(text: str, joiner: str = "\u202f", counts: Counter[str] | None = None) -> str:
    """The text with spaced digit groups joined by ``joiner``."""
    counts = counts if counts is not None else Counter()

    def join(m: re.Match[str]) -> str:
        counts["numbers"] += 1
        return SEP.sub(joiner, m.group(0))

    return GROUPS.sub(join, text) if any(c.isdigit() for c in text) else text


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Join digit groups in every text node."""
    counts: Counter[str] = Counter({"numbers": 0})
    doc = map_text(doc, lambda t, lang: convert(t, options.number_joiner, counts))
    return record(doc, diag, "numbers", counts, (("joiner", f"U+{ord(options.number_joiner):04X}"
                                                  if options.number_joiner else "none"),))
