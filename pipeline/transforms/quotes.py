"""The edition's quotation marks (clreq 3.1.4): ``「」『』`` in Traditional, ``“”‘’`` in Simplified; English ones stay.

Quotes are paired first (``“”``, ``‘’``, straight ``"`` in order); a pair belongs to the Chinese text when what it
encloses holds Chinese or the text just outside it is Chinese (spaces, brackets, other quotes, ``…`` and the ASCII
marks the punctuation transform may yet make full width are looked through). Such a pair takes the edition's
marks, outer to outer and inner to inner, so nesting survives: ``“…‘…’…”`` ⇄ ``「…『…』…」``; a pair inside an
English sentence (``He said “yes” and left``) is left as written. A ``’`` after a Latin letter that closes no
``‘`` is an apostrophe (``Member States’ views``, ``don’t``) and is kept. Corner marks are Chinese by nature and
always take the Simplified edition's curly marks there. Parts whose language is not Chinese are left alone.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..cjk.chars import Neighbours, chinese_prefix, is_chinese, protected_mask
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text
from ._base import record

TO_HANT = {"“": "「", "”": "」", "‘": "『", "’": "』", '"': "「"}
TO_HANS = {"「": "“", "」": "”", "『": "‘", "』": "’"}
#: ASCII marks that may yet become full width, and digits (both scripts write them): they say nothing about the
#: script of a quote beside them.
UNDECIDED = frozenset(",:;!?()0123456789")


def _latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _pairs(text: str) -> tuple[list[tuple[int, int]], list[int], set[int]]:
    """(quote pairs, unpaired quotes, apostrophes) of ``text``, URLs and e-mail addresses left out."""
    mask = protected_mask(text)
    pairs: list[tuple[int, int]] = []
    unpaired: list[int] = []
    apostrophes: set[int] = set()
    opened: dict[str, list[int]] = {"“": [], "‘": [], '"': []}  # open quotes waiting for their close
    for i, c in enumerate(text):
        if c not in '“”‘’"' or mask[i]:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        waiting = opened["“" if c == "”" else "‘" if c == "’" else c]
        if c in '“‘' or (c == '"' and not waiting):
            waiting.append(i)
        elif c == "’" and _latin_letter(before) and _latin_letter(after):
            apostrophes.add(i)  # don’t, it’s
        elif waiting:
            pairs.append((waiting.pop(), i))
        elif c == "’" and (_latin_letter(before) or before.isdigit()):
            apostrophes.add(i)  # States’ views, the 1990’s
        else:
            unpaired.append(i)
    return pairs, unpaired + opened["“"] + opened["‘"] + opened['"'], apostrophes


def convert(text: str, script: str, counts: Counter[str] | None = None) -> str:
    """The text with the quotation marks of ``script`` (``zh-Hant`` or ``zh-Hans``) where they belong to Chinese."""
    if not any(c in text for c in '"“”‘’「」『』'):
        return text
    hant = script == "zh-Hant"
    chars = list(text)
    pairs, unpaired, _ = _pairs(text)

    # nearest deciding characters and Chinese counts computed once (linear): quotation marks are looked
    # through both before and after they change, so the positions stay right as the marks are replaced
    near = Neighbours(chars, UNDECIDED)
    inside = chinese_prefix(chars)

    def outside(i: int, step: int) -> bool:
        return is_chinese(near.prev(i) if step < 0 else near.next(i))

    for o, c in sorted(pairs):
        chinese = inside[c] - inside[o + 1] > 0 or outside(o, -1) or outside(c, 1)
        if not chinese:
            continue
        if hant:
            chars[o], chars[c] = TO_HANT[chars[o]], "」" if chars[c] == '"' else TO_HANT[chars[c]]
        elif chars[o] == '"':
            chars[o], chars[c] = "“", "”"
    for i in unpaired:
        if hant and (outside(i, -1) or outside(i, 1)):
            # a lone straight quote opens when Chinese follows it, else closes
            chars[i] = TO_HANT[chars[i]] if chars[i] != '"' else ("「" if outside(i, 1) else "」")
    if not hant:
        chars = [TO_HANS.get(ch, ch) for ch in chars]
    out = "".join(chars)
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
