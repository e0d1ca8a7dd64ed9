"""Small lxml operations the readers, the guard and the writers share."""

from __future__ import annotations

from lxml import etree


def detach(el: etree._Element) -> None:
    """Remove ``el`` from its parent, leaving its tail where it stood (appended to the text before it)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
        el.tail = None
    parent.remove(el)
