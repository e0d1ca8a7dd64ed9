"""Word text boxes lifted out of their paragraph before pandoc reads the package.

pandoc 3 reads a text box (``w:txbxContent``) only through its VML copy (``w:pict`` / ``v:textbox``, what Word
writes as ``mc:Fallback``), and then replaces the whole paragraph holding it by the box's paragraphs: the
paragraph's own text ("Paragraph with a box within.") is lost. A DrawingML-only box (``wps:txbx``, no fallback,
as LibreOffice and generators write it) loses the box's text instead. This pass rewrites ``word/document.xml``
so that neither happens: the drawing holding a box leaves its paragraph, and the box's paragraphs and tables
follow that paragraph as blocks of their own (where mammoth puts them too). Drawings that also hold a picture
stay where they are, so no picture is lost.
"""

from __future__ import annotations

import copy
import zipfile
from io import BytesIO

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PICTURE = ("{http://schemas.openxmlformats.org/drawingml/2006/main}blip", "{urn:schemas-microsoft-com:vml}imagedata")
_HOLDERS = (f"{MC}AlternateContent", f"{W}drawing", f"{W}pict")


def _holder(box: etree._Element, host: etree._Element) -> etree._Element | None:
    """The outermost drawing element (below ``host``) that holds ``box``."""
    found = None
    for anc in box.iterancestors():
        if anc is host:
            break
        if anc.tag in _HOLDERS:
            found = anc
    return found


def _lift(root: etree._Element) -> int:
    """Move every top-level text box after its paragraph; the number moved."""
    moved = 0
    after: dict[etree._Element, etree._Element] = {}  # host paragraph -> the last block lifted after it
    for box in list(root.iter(f"{W}txbxContent")):
        if any(a.tag == f"{W}txbxContent" or a.tag == f"{MC}Fallback" for a in box.iterancestors()):
            continue
        host = next((a for a in box.iterancestors() if a.tag == f"{W}p"), None)
        holder = _holder(box, host) if host is not None else None
        if host is None or holder is None:
            continue
        if any(holder.iter(*_PICTURE)):
            continue
        parent, owner = host.getparent(), holder.getparent()
        if parent is None or owner is None:
            continue
        blocks = [copy.deepcopy(b) for b in box if b.tag in (f"{W}p", f"{W}tbl", f"{W}sdt")]
        owner.remove(holder)
        at = parent.index(after.get(host, host))
        for k, block in enumerate(blocks, 1):
            parent.insert(at + k, block)
        if blocks:
            after[host] = blocks[-1]
        moved += 1
    return moved


def lift_text_boxes(data: bytes) -> bytes:
    """``data`` with its text boxes lifted out of their paragraphs (unchanged when it has none)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            xml = z.read("word/document.xml")
            if b"txbxContent" not in xml:
                return data
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
            root = etree.fromstring(xml, parser)
            if not _lift(root):
                return data
            out = BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in z.infolist():
                    body = z.read(info.filename)
                    if info.filename == "word/document.xml":
                        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                    dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
            return out.getvalue()
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return data
