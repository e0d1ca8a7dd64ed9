"""Full-width punctuation in Chinese text (clreq 3.1); Latin runs keep their own.

Mappings: ``,`` → ``，``  ``:`` → ``：``  ``;`` → ``；``  ``!`` → ``！``  ``?`` → ``？``  ``(`` ``)`` → ``（`` ``）``.

Context is the nearest character that says which script a mark belongs to: spaces, brackets and quotation marks
are looked through, and so are what both scripts write (digits, ``…`` ``—`` ``·``, curly quotes), which say
nothing: ``第2719(2023)號`` is Chinese, ``in 2023 (see above)`` English.

* A comma, colon, semicolon, exclamation or question mark becomes full width when that nearest character on
  either side is Chinese (Han, or punctuation only Chinese uses). Between Latin letters or digits it stays ASCII:
  ``1,000``, ``10:30``, ``A/79/1, para. 12``, ``(for example, …), please``.
* A pair of brackets becomes full width when what it encloses holds Chinese, or when the text before the opening
  bracket is Chinese (what follows decides only at the start of a text): ``年(2021–2030)`` → ``年（2021–2030）``;
  ``the Fund (UNDP)`` and ``see (for example, …)`` stay.
* Document symbols, decimals, units and Latin words are runs without these marks (``ST/AI/189/Add.9/Rev.2``,
  ``2.45``, ``1.5°C``, ``e-deleGATE``, ``LGBTIQ+``) and so are never touched; URLs and e-mail addresses are
  protected whole; ``Code`` nodes are never seen.
"""

from __future__ import annotations

import re
from collections import Counter

from .. import ir
from ..cjk.chars import Neighbours, chinese_prefix, is_chinese, protected_mask
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text_ctx
from ._base import record

MARKS = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
DIGITS = frozenset("0123456789")
_MARK = re.compile("[,:;!?]")
_BRACKET = re.compile("[()]")


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
    brackets = [m.start() for m in _BRACKET.finditer(text) if not mask[m.start()]]
    for i in brackets:
        if chars[i] == "(":
            stack.append(i)
        elif stack:
            pairs.append((stack.pop(), i))
    paired = {i for p in pairs for i in p}

    # digits are written in both scripts: the context of a mark beside a number is what surrounds the number
    around = Neighbours(chars, DIGITS)
    plain = Neighbours(chars)

    def prev(i: int) -> str:
        return around.prev(i, before)

    def nxt(i: int) -> str:
        return around.next(i, after)

    def opens_chinese(o: int, c: int) -> bool:
        # what precedes the bracket decides; only at the start of a text does what follows it
        p = prev(o)
        return is_chinese(p) or (not p and is_chinese(nxt(c)))

    # Marks decide from the nearest deciding character on either side; brackets and quotes are looked through,
    # so marks never depend on brackets. A left-to-right sweep settles every chain of marks growing rightwards
    # (each sees its left neighbour already decided), the right-to-left sweep every chain growing leftwards:
    # two sweeps reach the fixpoint, so a run of 40,000 commas costs two passes, not 40,000.
    marks = [m.start() for m in _MARK.finditer(text) if not mask[m.start()]]
    for order in (marks, marks[::-1]):
        for i in order:
            c = chars[i]
            if c not in MARKS:
                continue
            if plain.prev(i, before).isdigit() and plain.next(i, after).isdigit():
                continue  # 1,000 and 10:30
            if is_chinese(prev(i)) or is_chinese(nxt(i)):
                chars[i] = MARKS[c]
                counts[{",": "commas", ":": "colons", ";": "semicolons"}.get(c, "marks")] += 1
    # brackets (which is_chinese never counts, converted or not) depend on the marks only: one pass each
    inside = chinese_prefix(chars) if pairs else []
    for o, cl in pairs:
        if inside[cl] - inside[o + 1] > 0 or opens_chinese(o, cl):
            chars[o] = "（"
            chars[cl] = "）"
            counts["brackets"] += 1
    for i in brackets:
        if i not in paired and opens_chinese(i, i):
            chars[i] = "（" if chars[i] == "(" else "）"
            counts["brackets"] += 1
    return "".join(chars)


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Make punctuation full width in every Chinese text node."""
    counts: Counter[str] = Counter({"commas": 0, "colons": 0, "semicolons": 0, "marks": 0, "brackets": 0})

    def fn(text: str, before: str, after: str, lang: str | None) -> str:
        if lang and not lang.startswith("zh") and not any(is_chinese(c) for c in text):
            return text
        return convert(text, before, after, counts)

    return record(map_text_ctx(doc, fn), diag, "punctuation", counts)
