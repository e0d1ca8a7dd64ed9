"""Full-width punctuation in Chinese text (clreq 3.1).

Mappings: ``,`` → ``，``  ``:`` → ``：``  ``;`` → ``；``  ``!`` → ``！``  ``?`` → ``？``  ``(`` ``)`` → ``（`` ``）``.

* A comma, colon, semicolon, exclamation or question mark becomes full width when the nearest non-space
  character on either side is Chinese (a Han character or CJK punctuation). Between Latin letters or digits
  it stays ASCII: ``1,000``, ``10:30``, ``A/79/1, para. 12``.
* A pair of brackets becomes full width when what it encloses holds a Han character, or when the character
  before the opening bracket or after the closing one is Chinese: ``年(2021–2030)`` → ``年（2021–2030）``;
  ``(UNDP)`` between Latin words stays.
* Document symbols, decimals, units and Latin words are runs without these marks (``ST/AI/189/Add.9/Rev.2``,
  ``2.45``, ``1.5°C``, ``e-deleGATE``, ``LGBTIQ+``) and so are never touched; URLs and e-mail addresses are
  protected whole; ``Code`` nodes are never seen.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..cjk.chars import is_cjk, protected_mask
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text_ctx
from ._base import record

MARKS = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
SPACES = " \u00a0\t"


def _neighbour(text: str | list[str], i: int, step: int, edge: str) -> str:
    j = i + step
    while 0 <= j < len(text) and text[j] in SPACES:
        j += step
    return text[j] if 0 <= j < len(text) else edge


def convert(text: str, before: str = "", after: str = "", counts: Counter[str] | None = None) -> str:
    """The text with its punctuation made full width where it sits in Chinese context."""
    if not any(c in text for c in ",:;!?()"):
        return text
    counts = counts if counts is not None else Counter()
    chars = list(text)
    mask = protected_mask(text)
    # brackets first, as pairs
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, c in enumerate(chars):
        if mask[i]:
            continue
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            pairs.append((stack.pop(), i))
    paired = {i for p in pairs for i in p}
    # a converted mark makes its neighbours Chinese context too: repeat until nothing changes
    changed = True
    while changed:
        changed = False
        for o, cl in pairs:
            if chars[o] != "(":
                continue
            inner = chars[o + 1:cl]
            if any(is_cjk(ch) for ch in inner) or is_cjk(_neighbour(chars, o, -1, before)) \
                    or is_cjk(_neighbour(chars, cl, 1, after)):
                chars[o] = "（"
                chars[cl] = "）"
                counts["brackets"] += 1
                changed = True
        for i, c in enumerate(chars):
            if mask[i]:
                continue
            if c in "()" and i not in paired:
                if is_cjk(_neighbour(chars, i, -1, before)) or is_cjk(_neighbour(chars, i, 1, after)):
                    chars[i] = "（" if c == "(" else "）"
                    counts["brackets"] += 1
                    changed = True
            elif c in MARKS:
                prev = _neighbour(chars, i, -1, before)
                nxt = _neighbour(chars, i, 1, after)
                if prev.isdigit() and nxt.isdigit():
                    continue
                if is_cjk(prev) or is_cjk(nxt):
                    chars[i] = MARKS[c]
                    counts[{",": "commas", ":": "colons", ";": "semicolons"}.get(c, "marks")] += 1
                    changed = True
    return "".join(chars)


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Make punctuation full width in every Chinese text node."""
    counts: Counter[str] = Counter({"commas": 0, "colons": 0, "semicolons": 0, "marks": 0, "brackets": 0})

    def fn(text: str, before: str, after: str, lang: str | None) -> str:
        if lang and not lang.startswith("zh") and not any(is_cjk(c) for c in text):
            return text
        return convert(text, before, after, counts)

    return record(map_text_ctx(doc, fn), diag, "punctuation", counts)
