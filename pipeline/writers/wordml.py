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


#: The order CT_PPr and CT_RPr require (ECMA-376 Part 1, 17.3.1.26 and 17.3.2.28); Word repairs files
#: whose properties come in another order.
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
             "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
             "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
             "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def schema_order(root: etree._Element) -> None:
    """Put the children of every pPr and rPr under ``root`` in the order the schema requires."""
    for tag, order in (("pPr", PPR_ORDER), ("rPr", RPR_ORDER)):
        rank = {w(name): i for i, name in enumerate(order)}
        for props in root.iter(w(tag)):
            children = list(props)
            children.sort(key=lambda c: rank.get(str(c.tag), len(rank)))
            for c in children:
                props.append(c)


def style(styles: etree._Element, style_id: str, name: str, *, kind: str = "paragraph",
          based_on: str | None = "Normal", next_style: str | None = None, outline: int | None = None,
          ui_priority: str | None = None, ppr: list[etree._Element] | None = None,
          rpr: list[etree._Element] | None = None) -> etree._Element:
    """A ``w:style`` in ``styles``, replacing one of the same id: its children in CT_Style's order (name, basedOn,
    next, uiPriority, qFormat, pPr, rPr), empty property lists left out."""
    for old in styles.findall(w("style")):
        if old.get(w("styleId")) == style_id:
            styles.remove(old)
    st = sub(styles, "style", {"type": kind, "styleId": style_id})
    sub(st, "name", {"val": name})
    for tag, value in (("basedOn", based_on), ("next", next_style), ("uiPriority", ui_priority)):
        if value:
            sub(st, tag, {"val": value})
    sub(st, "qFormat")
    props = [*(ppr or []), *([el("outlineLvl", {"val": str(outline)})] if outline is not None else [])]
    if props and kind in ("paragraph", "table"):
        holder = sub(st, "pPr")
        for child in props:
            holder.append(child)
    if rpr:
        holder = sub(st, "rPr")
        for child in rpr:
            holder.append(child)
    return st

