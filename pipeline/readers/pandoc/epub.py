"""What only EPUB files need before pandoc reads them: the spine's non-linear items put in its reading order."""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"


def package_path(archive: zipfile.ZipFile) -> str | None:
    """The member name of the package document (the OPF) ``META-INF/container.xml`` names first, if any."""
    try:
        root = etree.fromstring(archive.read("META-INF/container.xml"), _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return None
    rootfile = root.find(f".//{_CONTAINER}rootfile")
    path = rootfile.get("full-path") if rootfile is not None else None
    return path or None


def linear_spine(opf: bytes, opf_path: str) -> tuple[bytes, list[str]]:
    """The package document with its non-linear spine items (``linear="no"``: end-of-book descriptions,
    answers, pop-up notes) made linear and moved after the linear ones, in their order, and those items' member
    names. pandoc's EPUB reader reads only the linear spine, so the pages other pages link to were lost; at the
    end they are read without interrupting the reading order. ``opf`` unchanged when every item is linear or it
    does not parse (pandoc then says what is wrong with it)."""
    try:
        root = etree.fromstring(opf, _PARSER)
    except etree.XMLSyntaxError:
        return opf, []
    spine = root.find(f"{_OPF}spine")
    if spine is None:
        return opf, []
    # pandoc's test: an itemref is read when it has no linear attribute or linear="yes"
    later = [ref for ref in spine.findall(f"{_OPF}itemref") if ref.get("linear", "yes") != "yes"]
    if not later:
        return opf, []
    hrefs = {item.get("id"): item.get("href", "") for item in root.iter(f"{_OPF}item")}
    base = posixpath.dirname(opf_path)
    names = []
    for ref in later:
        del ref.attrib["linear"]
        spine.remove(ref)
        spine.append(ref)
        href = hrefs.get(ref.get("idref"))
        names.append(posixpath.normpath(posixpath.join(base, href)) if href else str(ref.get("idref")))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8"), names


_DC = "{http://purl.org/dc/elements/1.1/}"


def package_language(opf: bytes) -> str | None:
    """The book's language: the first ``dc:language`` of the package metadata (EPUB 3 §5.5.3.3: the first is the
    primary one; pandoc lists them last first), None when it declares none or does not parse."""
    try:
        root = etree.fromstring(opf, _PARSER)
    except etree.XMLSyntaxError:
        return None
    for el in root.iterfind(f"{_OPF}metadata/{_DC}language"):
        if tag := (el.text or "").strip():
            return tag
    return None
