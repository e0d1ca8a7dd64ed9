"""Table column widths from content: what each column's text needs, as relative widths (clreq 5.x tables; the
automatic table layout of CSS 2.1 §17.5.2.2 reduced to text lengths), for the writers that must fix widths.

A source's own widths are kept when they differ; when it gives none, or the same width to every column (a Word
grid drawn evenly, a Markdown table), the widths come from the cells: each column's widest unbreakable piece (a
Han character, a Latin word) is its minimum, its longest paragraph its maximum. When every maximum fits the
measure the columns get their maxima; otherwise the columns whose text fits a fair share of the measure get all
they need and the long ones share the rest in proportion to their text, so a long column is wide and a column
of short figures is set on one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import ir
from .tables import layout
from .walk import block_text

#: The measure a table is laid out against, in ems of its text (a 165 mm A4 measure at 9.5 pt holds about 49).
MEASURE_EM = 45.0
#: Padding of a cell, in ems (both sides: 2 mm each at 9.5 pt), with a little room for the renderer's rounding.
PADDING_EM = 1.6
#: Widths that differ by less than this share count as the same.
EVEN = 0.02
_HAN_LATIN = re.compile(r"(?<=[\u3400-\u9fff])[A-Za-z0-9]|[A-Za-z0-9](?=[\u3400-\u9fff])")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f.,;:%$€£+\-/()'’]+")


def text_em(text: str) -> float:
    """The width of ``text`` in ems: wide characters 1, others about half, a quarter em where Han meets a
    Latin letter or digit (clreq 3.2.1)."""
    gaps = len(_HAN_LATIN.findall(text))
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text if ch not in "\n\r\t") + gaps / 4


def _min_em(text: str) -> float:
    """The widest piece of ``text`` that may not be broken (a Latin word or number, else one character)."""
    words = [text_em(w) for w in _WORD.findall(text)]
    return max([*words, 1.0 if text.strip() else 0.0])


def even(widths: Sequence[float]) -> bool:
    """Whether ``widths`` give every column the same share."""
    total = sum(widths)
    return total <= 0 or max(widths) - min(widths) <= EVEN * total


def content_widths(table: ir.Table, measure_em: float = MEASURE_EM) -> tuple[float, ...]:
    """Relative widths (summing to 1) from the cells' text; cells spanning columns count toward none."""
    grid, cols = layout(table)
    lo, hi = [0.0] * cols, [0.0] * cols
    for row in grid:
        for slot in row:
            if slot.continued or slot.cell.colspan > 1:
                continue
            paras = [block_text((b,)) for b in slot.cell.blocks] or [""]
            lo[slot.col] = max(lo[slot.col], *(_min_em(p) for p in paras))
            hi[slot.col] = max(hi[slot.col], *(text_em(p) for p in paras))
    lo = [x + PADDING_EM for x in lo]
    hi = [max(h + PADDING_EM, low) for h, low in zip(hi, lo, strict=True)]
    if sum(hi) <= measure_em:
        widths = hi
    elif sum(lo) >= measure_em:
        widths = lo
    else:
        # water filling: a column whose text fits its fair share of the room left gets all it needs; the
        # room that remains goes to the long columns in proportion to their text, never below their minimum
        widths = list(lo)
        open_cols = set(range(cols))
        room = measure_em
        while open_cols:
            share = room / len(open_cols)
            fits = {i for i in open_cols if hi[i] <= share}
            if not fits:
                total_hi = sum(hi[i] for i in open_cols)
                for i in open_cols:
                    widths[i] = max(lo[i], room * hi[i] / total_hi)
                break
            for i in fits:
                widths[i] = hi[i]
                room -= hi[i]
            open_cols -= fits
    total = sum(widths) or 1.0
    return tuple(round(w / total, 4) for w in widths)


def column_widths(table: ir.Table) -> tuple[float, ...]:
    """The widths a writer sets: the source's when they differ, else from content when that differs; ``()``
    leaves the columns to the renderer."""
    _, cols = layout(table)
    if table.widths and len(table.widths) == cols and not even(table.widths):
        return table.widths
    if cols < 2:
        return table.widths if len(table.widths) == cols else ()
    made = content_widths(table)
    if even(made):
        return table.widths if len(table.widths) == cols else ()
    return made
