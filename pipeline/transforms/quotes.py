"""Quotation marks of the edition (clreq 3.1.4): ``「」『』`` in Traditional text, ``“”‘’`` in Simplified.

Outer marks map to outer marks and inner to inner, so nesting survives: ``“…‘…’…”`` ⇄ ``「…『…』…」``.
Straight ASCII double quotes in Chinese text become the outer pair, alternating open and close. A ``’``
between Latin letters is an apostrophe and is kept. Parts whose language is not Chinese are left alone.
"""

from __future__ import annotations

import re
from collections import Counter

from .. import ir
from ..cjk.chars import is_cjk
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text
from ._base import record

TO_HANT = {"“": "「", "”": "」", "‘": "『", "’": "』"}
TO_HANS = {"「": "“", "」": "”", "『": "‘", "』": "’"}
APOSTROPHE = re.compile(r"(?<=[A-Za-z])’(?=[A-Za-z\s]|$)")


def _near(text: str, i: int, step: int) -> str:
    """The nearest character that is not a space or ASCII punctuation (which may yet become full width)."""
    j = i + step
    while 0 <= j < len(text) and text[j] in " \u00a0\t,:;!?()":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def _pass(text: str, script: str) -> str:
    table = TO_HANT if script == "zh-Hant" else TO_HANS
    keep = {m.start() for m in APOSTROPHE.finditer(text)} if script == "zh-Hant" else set()
    pair = ("「", "」") if script == "zh-Hant" else ("“", "”")
    out = []
    open_next = True
    for i, c in enumerate(text):
        if c in table and i not in keep:
            out.append(table[c])
        elif c == '"' and (is_cjk(_near(text, i, -1)) or is_cjk(_near(text, i, 1))):
            out.append(pair[0] if open_next else pair[1])
            open_next = not open_next
        else:
            out.append(c)
    return "".join(out)


def convert(text: str, script: str, counts: Counter[str] | None = None) -> str:
    """The text with the quotation marks of ``script`` (``zh-Hant`` or ``zh-Hans``)."""
    if not any(c in text for c in '"“”‘’「」『』'):
        return text
    out = text
    while (new := _pass(out, script)) != out:  # a converted quote makes its neighbour Chinese context
        out = new
    if counts is not None:
        counts["quotes"] += sum(a != b for a, b in zip(text, out, strict=True))
    return out


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Use the edition's quotation marks in every Chinese text node."""
    counts: Counter[str] = Counter({"quotes": 0})

    def fn(text: str, lang: str | None) -> str:
        if not lang or not lang.startswith("zh"):
            return text
        return convert(text, "zh-Hans" if lang.startswith("zh-Hans") else "zh-Hant", counts)

    return record(map_text(doc, fn), diag, "quotes", counts)
