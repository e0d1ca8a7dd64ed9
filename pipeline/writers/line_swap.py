"""Mending a 孤字 without laying the whole document out again.

The PDF writer finds each paragraph whose last line holds one character (:func:`.pdf.layout_report`) and tries
trackings on copies of those paragraphs alone (:func:`.pdf._trial_document`). A looser tracking keeps the
paragraph's number of lines: every line, and so every page, keeps its height, and nothing after the paragraph
moves. When every mend is of that kind, the copy's lines, laid out at the same measure with the same rules, are
the lines a second layout of the whole document would give that paragraph; they are put in place of the old ones
(moved to their positions) and the pages' links and anchors gathered again. That saves the second layout of the
whole document (about a third of the PDF writer's time on the sample).

Paragraphs that hold anything whose place depends on the page (a footnote or its call, an anchor, an element with
an ``id``) or whose lines do not pair one for one at the same heights are not swapped; :func:`swap_lines` then
changes nothing and says so, and the writer lays the document out again as before. A test checks that both ways
give the same glyphs at the same positions.
"""

from __future__ import annotations

import itertools
from typing import Any

#: Tolerance (CSS px) for two lines' heights to count as equal.
_SAME = 0.01


def swap_lines(rendered: Any, trial: Any, picks: dict[int, int]) -> bool:
    """Put the lines of trial paragraph ``picks[key]`` (``data-k`` in ``trial``) in place of those of paragraph
    ``key`` in ``rendered`` (both WeasyPrint documents); whether it was done (all of them, or none)."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure import boxes

    placed = _blocks(rendered.pages, set(picks))
    tried = _blocks(trial.pages, set(picks.values()))
    plan: list[tuple[Any, int, Any, Any]] = []  # (block, index in its children, old line, new line)
    touched: set[int] = set()
    for key, trial_key in picks.items():
        old = [(page, block, i, line) for page, block in placed.get(key, [])
               for i, line in enumerate(block.children)]
        new = [line for _, block in tried.get(trial_key, []) for line in block.children]
        if not old or len(old) != len(new) or not all(_movable(block) for _, block in placed[key]):
            return False
        for (page, block, i, line), repl in zip(old, new, strict=True):
            if not isinstance(line, boxes.LineBox) or not isinstance(repl, boxes.LineBox) or \
                    abs(line.height - repl.height) > _SAME:
                return False
            plan.append((block, i, line, repl))
            touched.add(page)
    for block, i, line, repl in plan:
        repl.translate(line.position_x - repl.position_x, line.position_y - repl.position_y)
        children = list(block.children)
        children[i] = repl
        block.children = children
    for page in sorted(touched):
        rendered.pages[page] = Page(rendered.pages[page]._page_box)
    return True


def _blocks(pages: list[Any], keys: set[int]) -> dict[int, list[tuple[int, Any]]]:
    """``data-k`` -> (page index, block box) of each keyed paragraph's pieces, in page order."""
    from weasyprint.formatting_structure import boxes

    found: dict[int, list[tuple[int, Any]]] = {}
    for number, page in enumerate(pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if isinstance(box, boxes.BlockBox) and element is not None and element.get("data-k") is not None:
                key = int(element.get("data-k"))
                if key in keys:
                    found.setdefault(key, []).append((number, box))
    return found


def _movable(block: Any) -> bool:
    """Whether the paragraph's lines can move without anything that depends on their page: no footnote, note
    call or anchor in it, and nothing but lines in its box."""
    from weasyprint.formatting_structure import boxes

    if not all(isinstance(c, boxes.LineBox) for c in block.children):
        return False
    for sub in itertools.islice(block.element.iter(), 1, None):  # xml.etree elements (pdf.weasy_html)
        classes = (sub.get("class") or "").split()
        if sub.get("id") is not None or sub.get("data-note") is not None or "footnote" in classes:
            return False
    return True
