"""OpenDocument specifics pandoc does not read: the languages a package declares for its text."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
#: ``fo:language`` values that name no language: ``zxx`` (no linguistic content: LibreOffice's "[None]"), ``none``
_NO_LANGUAGE = {"zxx", "none", "und"}


def _tag(language: str | None, country: str | None) -> str | None:
    """A BCP 47 tag from an ODF language and country attribute (``en`` + ``GB`` → ``en-GB``), None for none."""
    lang = (language or "").strip()
    if not lang or lang.lower() in _NO_LANGUAGE:
        return None
    region = (country or "").strip()
    tag = f"{lang}-{region}" if region and region.lower() != "none" else lang
    return tag if _TAG.fullmatch(tag) else None


def odf_languages(data: bytes) -> dict[str, str]:
    """The languages an OpenDocument package declares for its text, under the keys of
    :func:`.word.word_languages`: ``dc:language`` of ``meta.xml`` (``core``), and the default paragraph style's
    ``fo:language``/``fo:country`` (``latin``) and ``style:language-asian``/``style:country-asian`` (``eastAsia``)
    in ``styles.xml`` — what LibreOffice's Tools > Options > Language Settings > Languages wrote for the document."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    out: dict[str, str] = {}
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            parts = {name: z.read(name) for name in ("meta.xml", "styles.xml") if name in z.namelist()}
    except zipfile.BadZipFile:
        return out
    try:
        if "meta.xml" in parts:
            core = etree.fromstring(parts["meta.xml"], parser).findtext(f"{_OFFICE}meta/{_DC}language")
            if tag := _tag(core, None):
                out["core"] = tag
        if "styles.xml" in parts:
            root = etree.fromstring(parts["styles.xml"], parser)
            path = f"{_OFFICE}styles/{_STYLE}default-style[@{_STYLE}family='paragraph']/{_STYLE}text-properties"
            props = root.find(path)
            if props is not None:
                for key, lang, country in (("latin", f"{_FO}language", f"{_FO}country"),
                                           ("eastAsia", f"{_STYLE}language-asian", f"{_STYLE}country-asian")):
                    if tag := _tag(props.get(lang), props.get(country)):
                        out[key] = tag
    except etree.XMLSyntaxError:
        return out
    return out
