"""WordprocessingML element helpers shared by the DOCX writer and its page layout: names in the ``w:`` namespace."""

from __future__ import annotations

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    """``{w-namespace}tag``."""
    return f"{{{W}}}{tag}"


def el(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element) -> etree._Element:
    """A new ``w:`` element with ``w:`` attributes and the given children."""
    made = etree.Element(w(tag), {w(k): v for k, v in (attrs or {}).items()}, nsmap={"w": W})
    for c in children:
        made.append(c)
    return made


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """A new ``w:`` child of ``parent``."""
    made: etree._Element = etree.SubElement(parent, w(tag), {w(k): v for k, v in (attrs or {}).items()})
    return made
