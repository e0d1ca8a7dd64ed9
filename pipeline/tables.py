"""A table's cells placed on its grid: which column each starts in, and the slots rows spanned from above fill.

The IR lists each row's cells as HTML does (a cell spanning rows appears once). Word and TEI counting need
the grid: Word writes a ``vMerge`` continuation cell in every slot a row span covers. One pass over the
cells, keeping the spans still open; spans past the last row are cut to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ir


@dataclass(frozen=True, slots=True)
class Slot:
    """One cell of a grid row: the IR cell, the column it starts in, and whether a span from above covers it."""

    cell: ir.Cell
    col: int
    continued: bool = False


def layout(table: ir.Table) -> tuple[list[list[Slot]], int]:
    """The table's rows as grid slots, and its number of columns."""
    rows: list[list[Slot]] = []
    open_spans: dict[int, tuple[ir.Cell, int]] = {}  # start column -> (cell, rows still to cover)
    width = 0
    n_rows = len(table.rows)
    for r, row in enumerate(table.rows):
        slots: list[Slot] = []
        col = 0
        starts = sorted(open_spans)
        k = 0
        for cell in row:
            while k < len(starts) and starts[k] <= col:  # the slots spans from above cover come first
                above = open_spans[starts[k]][0]
                slots.append(Slot(above, starts[k], True))
                col = max(col, starts[k] + max(above.colspan, 1))
                k += 1
            slots.append(Slot(cell, col))
            if cell.rowspan > 1 and r + 1 < n_rows:
                open_spans[col] = (cell, min(cell.rowspan, n_rows - r) - 1)
            col += max(cell.colspan, 1)
        while k < len(starts):
            above = open_spans[starts[k]][0]
            slots.append(Slot(above, starts[k], True))
            col = max(col, starts[k] + max(above.colspan, 1))
            k += 1
        width = max(width, col)
        for start in starts:
            cell, left = open_spans[start]
            if left <= 1:
                del open_spans[start]
            else:
                open_spans[start] = (cell, left - 1)
        rows.append(slots)
    return rows, max(width, 1)


def cell_count(table: ir.Table) -> int:
    """How many cells the table has after merging (each spanning cell counted once)."""
    return sum(len(row) for row in table.rows)


#: The column alignments a writer sets (anything else in ``Table.aligns`` leaves the column to the writer).
ALIGNS = frozenset({"left", "right", "center"})


def cell_aligns(table: ir.Table) -> dict[int, str]:
    """``id(cell)`` -> the alignment of the column it starts in, for each cell whose column has one."""
    if not any(a in ALIGNS for a in table.aligns):
        return {}
    out: dict[int, str] = {}
    for row in layout(table)[0]:
        for slot in row:
            if not slot.continued and slot.col < len(table.aligns) and table.aligns[slot.col] in ALIGNS:
                out[id(slot.cell)] = table.aligns[slot.col]
    return out
