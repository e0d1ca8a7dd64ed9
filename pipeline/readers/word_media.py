"""Word pictures pandoc does not see: floating (anchored) drawings and VML images, recovered from the XML.

pandoc reads ``wp:inline`` pictures, but drops many anchored ones (a chart image floated beside the text, a
picture inside a text box) without a word. This pass lists every picture of ``word/document.xml`` in reading
order (``a:blip/@r:embed`` and ``v:imagedata/@r:id``, ignoring ``mc:Fallback`` copies), subtracts those the
IR already has (by archive member), and puts each missing one as a Figure after the paragraph that held it
(matched by text) — or after the last matched paragraph before it — with a diagnostic.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections import Counter
from io import BytesIO
from posixpath import join, normpath

from lxml import etree

from .. import ir
from ..diagnostics import Diagnostics
from ..media import MediaTable
from ..walk import iter_inlines_all, plain

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pictures_in_order(data: bytes) -> list[tuple[str, str, str]]:
    """(paragraph text, archive member, description) for every picture of the main document, in order."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            doc = etree.fromstring(z.read("word/document.xml"), _PARSER)
            rels_xml = etree.fromstring(z.read("word/_rels/document.xml.rels"), _PARSER)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    rels = {r.get("Id"): r.get("Target", "") for r in rels_xml if r.get("TargetMode") != "External"}
    out: list[tuple[str, str, str]] = []
    body = doc.find(f"{W}body")
    if body is None:
        return out
    for p in body.iter(f"{W}p"):
        # a paragraph holding a text box: the box's own paragraphs are visited themselves
        text = "".join(t.text or "" for t in p.iter(f"{W}t") if next(t.iterancestors(f"{W}p")) is p)
        for el in p.iter(A_BLIP, V_IMAGEDATA):
            if next(el.iterancestors(f"{W}p")) is not p or any(a.tag == FALLBACK for a in el.iterancestors()):
                continue
            rid = el.get(f"{R}embed") or el.get(f"{R}id")
            target = rels.get(rid or "")
            if not target:
                continue
            member = normpath(join("word", target)) if not target.startswith("/") else target.lstrip("/")
            drawing = next((a for a in el.iterancestors() if a.tag == f"{W}drawing"), None)
            docpr = drawing.find(f".//{DOCPR}") if drawing is not None else None
            desc = (docpr.get("descr") or docpr.get("title") or "") if docpr is not None else ""
            out.append((text, member, desc))
    return out


def recover(doc: ir.Document, data: bytes, table: MediaTable, diag: Diagnostics) -> ir.Document:
    """``doc`` with the pictures pandoc dropped put back as figures."""
    found = pictures_in_order(data)
    if not found:
        return doc
    have = Counter(m.source for n in iter_inlines_all(doc) if isinstance(n, ir.Image)
                   for m in doc.media if m.name == n.media)
    missing: list[tuple[str, str, str]] = []
    for text, member, desc in found:
        if have[member] > 0:
            have[member] -= 1
        else:
            missing.append((text, member, desc))
    if not missing:
        return doc
    for m in doc.media:
        table.items.setdefault(m.name, m)
    with zipfile.ZipFile(BytesIO(data)) as z:
        names = set(z.namelist())
        figures: list[tuple[str, ir.Figure]] = []
        for text, member, desc in missing:
            if member not in names:
                diag.emit("media-missing", f"{member}: a picture the document names is not in the archive")
                continue
            with z.open(member) as fh:
                blob = fh.read(table.options.max_image_bytes + 1)
            name = table.add(blob, member)
            alt = (ir.Text(text=desc),) if desc else ()
            figures.append((_key(text), ir.Figure(images=(ir.Image(media=name or "", alt=alt, source=member),))))
    blocks = list(doc.blocks)
    keys = [_key(plain(b.children)) if isinstance(b, ir.Para | ir.Heading) else None for b in blocks]
    inserts: dict[int, list[ir.Block]] = {}
    cursor = -1
    for key, fig in figures:
        at = next((i for i in range(cursor + 1, len(blocks)) if key and keys[i] == key), None)
        if at is None:
            at = cursor if cursor >= 0 else len(blocks) - 1
        cursor = max(cursor, at)
        inserts.setdefault(at, []).append(fig)
    out: list[ir.Block] = []
    if -1 in inserts:
        out.extend(inserts[-1])
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(inserts.get(i, []))
    diag.emit("unrecognised-block", f"{len(figures)} floating Word picture(s) that pandoc did not read were "
              "recovered from the document XML")
    return dataclasses.replace(doc, blocks=tuple(out), media=table.media())
