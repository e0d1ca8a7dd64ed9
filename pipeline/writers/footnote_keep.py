"""A scoped fix for WeasyPrint 70 losing footnote bodies at a page break (calls printed, bodies nowhere).

The cause, in ``weasyprint/layout/block.py`` ``_linebox_layout()`` (70.0, the ``if overflow:`` branch): when a
line does not fit above the footnote area, the paragraph has fewer than ``orphans`` lines on the page and the
page may break after this line, WeasyPrint moves the page's last footnotes to the next page until the line fits
("Try to report footnotes when text overflows because of orphans", upstream PR 2437), appends the line and
stops. The footnotes *called in that line* never reach ``layout_footnote`` or ``report_footnote``: they stay in
the context's waiting list, which nothing reads again, and are not drawn anywhere. A CBETA line holding four
calls lost four notes; the Taishō notes of the corpus lost about 2 % of their text.

Inside ``with footnotes_kept():`` (per thread) ``_linebox_layout`` is wrapped: after WeasyPrint's own layout
of a paragraph's lines on the page, a footnote called in one of those lines and still waiting is moved to the
next page, as its neighbours were (and listed with the paragraph's footnotes, so that WeasyPrint takes it back
if it takes the paragraph back). Nothing else changes; outside the scope WeasyPrint's function is in place.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .justify import require_weasyprint
from .scoped import ScopedPatch

#: The parameters of the wrapped function, checked before it is wrapped (the releases it was written for are
#: :data:`~pipeline.writers.justify.WEASYPRINT_VERSIONS`, checked with it).
_PARAMS = ("context", "box", "index", "child", "new_children", "page_is_empty", "absolute_boxes", "fixed_boxes",
           "adjoining_margins", "bottom_space", "position_y", "skip_stack", "first_letter_style",
           "first_line_style", "draw_bottom_decoration", "max_lines")



def check_weasyprint() -> None:
    """Refuse a WeasyPrint the wrapper was not written for (a one-line :class:`OutputError` naming it)."""
    require_weasyprint("footnote fix", {"weasyprint.layout.block:_linebox_layout": _PARAMS})


def waiting_footnotes(context: Any, lines: list[Any]) -> list[Any]:
    """The footnotes called in ``lines`` that WeasyPrint neither placed nor moved to the next page."""
    if not context.footnotes:
        return []
    return [d.footnote for line in lines for d in line.descendants()
            if getattr(d, "footnote", None) is not None and d.footnote in context.footnotes]


def _wrapped(original: Any) -> Any:
    def _linebox_layout(context: Any, box: Any, index: Any, child: Any, new_children: list[Any],
                        *rest: Any) -> Any:
        before = len(new_children)
        result = original(context, box, index, child, new_children, *rest)
        if _PATCH.active() and not context.in_column:
            for footnote in waiting_footnotes(context, new_children[before:]):
                context.footnotes.remove(footnote)
                context.reported_footnotes.append(footnote)
                result[4].append(footnote)  # new_footnotes: given back if the paragraph is given back
        return result

    return _linebox_layout


def _install() -> Any:
    from weasyprint.layout import block

    check_weasyprint()
    saved = block._linebox_layout
    block._linebox_layout = _wrapped(saved)
    return saved


def _restore(saved: Any) -> None:
    from weasyprint.layout import block

    block._linebox_layout = saved


_PATCH = ScopedPatch(_install, _restore)


def installed() -> bool:
    """Whether the wrapper is in place now (only while one of our renders runs)."""
    return _PATCH.installed()


def footnotes_kept() -> contextlib.AbstractContextManager[None]:
    """While active (in this thread), no footnote called in a line WeasyPrint lays out is left undrawn."""
    return _PATCH.scope()
