"""One scanner for active content in any docpipe output: what a reader of the output would run or fetch by itself.

:func:`active_content` takes an output's bytes and its format and lists every finding as one line: ``script``
(and other executable or embedding) elements, ``on…`` event-handler attributes, ``javascript:``/``vbscript:``/
``data:text/html`` URLs in any attribute, links or SVG animations that set such a URL, remote references a
viewer loads without a click (pictures, stylesheets, frames, ``@import``, ``url(http…)``), and for PDF the
actions that run or launch something. Markdown is judged as pandoc renders it to HTML, so an escape that fails
shows up as live HTML. Used by the hardening tests and by the fuzzing campaign over every output.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Iterable

from lxml import etree
from lxml import html as lhtml

#: Elements that run code, embed another document or change where the page goes.
ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "handler",
                             "listener", "base", "portal", "noscript", "form", "isindex", "foreignobject"})
#: Attributes whose URL a viewer loads by itself, without a click.
FETCH_ATTRS = frozenset({"src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc", "codebase",
                         "manifest", "archive", "longdesc", "usemap", "icon", "profile"})
#: Elements whose ``href`` (or ``xlink:href``) is loaded by itself: SVG pictures and references, stylesheets.
FETCH_HREF_ELEMENTS = frozenset({"image", "use", "feimage", "link", "tref", "script", "pattern", "filter",
                                 "lineargradient", "radialgradient", "textpath", "mpath", "cursor", "font-face-uri"})
#: Attributes that hold a URL someone may follow or a viewer may load (HTML, SVG, MathML, TEI pointers): an
#: active scheme in any of them is a finding. Other attributes are text (``alt="javascript: the good parts"``).
URL_ATTRS = FETCH_ATTRS | frozenset({"href", "action", "formaction", "cite", "ping", "url", "target", "facs",
                                     "corresp", "ref", "sameas", "source", "xlink:href", "definitionurl",
                                     "xmlns", "resource", "about", "content", "full-path", "idref"})
#: Names of :data:`ACTIVE_ELEMENTS` that are TEI's own vocabulary in the TEI namespace, nothing a viewer runs:
#: ``object`` (a physical object described, msdescription) and ``form`` (a dictionary entry's form). Their
#: attributes are checked as any others'.
TEI_OWN_ELEMENTS = frozenset({"object", "form"})
_TEI = "{http://www.tei-c.org/ns/1.0}"
#: SVG's animation elements, whose ``values``/``to``/``from``/``by`` can set a link to an active URL (elsewhere
#: ``from`` is a pointer, TEI's ``app/@from``, checked as a URL like any other).
_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
#: TEI and office elements whose ``url``/``target`` a viewer would load (a ``graphic`` is a picture).
TEI_PICTURE_ELEMENTS = frozenset({"graphic", "media", "binaryobject"})
_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_ACTIVE_URL = re.compile(r"^(?:(?:javascript|vbscript|livescript|mocha):|data:text/html|data:application/"
                         r"(?:x?html|xhtml\+xml|javascript|ecmascript)|data:image/svg)", re.I)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//|^(?:https?|ftp|file|smb):", re.I)
_CSS_REMOTE = re.compile(r"@import|url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_CSS_ACTIVE = re.compile(r"expression\s*\(|javascript:|vbscript:|-moz-binding|behaviou?r\s*:", re.I)


def _url(value: str) -> str:
    return _NOISE.sub("", value)


def _local(name: str) -> str:
    """The local name of a tag or attribute as either parser gives it (``{ns}x``, ``svg:x``, ``x``), lower case."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _scan_tree(root: etree._Element, where: str) -> Iterable[str]:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = _local(el.tag)
        if local in ACTIVE_ELEMENTS and not (el.tag.startswith(_TEI) and local in TEI_OWN_ELEMENTS):
            yield f"{where}: <{local}> element"
        if local == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            yield f"{where}: <meta http-equiv=refresh>"
        if local in ("set", "animate") and (el.get("attributeName") or "").split(":")[-1].lower() in ("href", "src"):
            yield f"{where}: <{local}> that changes a link"
        if local == "style" and el.text and (_CSS_REMOTE.search(el.text) or _CSS_ACTIVE.search(el.text)):
            yield f"{where}: <style> that loads or runs something: {el.text.strip()[:80]!r}"
        for attr, value in el.attrib.items():
            name = _local(attr)
            url = _url(value)
            if name.startswith("on"):
                yield f"{where}: <{local} {name}=…> event handler"
            elif _ACTIVE_URL.match(url) and (name in URL_ATTRS or (local == "meta" and name == "content")):
                yield f"{where}: <{local} {name}={value[:60]!r}> active URL"
            elif name in ("values", "to", "from", "by") and local in _ANIMATIONS \
                    and re.search(r"javascript:|vbscript:", url, re.I):
                yield f"{where}: <{local} {name}=…> animates to an active URL"
            elif name == "style" and (_CSS_REMOTE.search(value) or _CSS_ACTIVE.search(value)):
                yield f"{where}: <{local} style={value[:60]!r}> loads or runs something"
            elif _REMOTE.match(url) and (name in FETCH_ATTRS or (name == "href" and local in FETCH_HREF_ELEMENTS)
                                         or (name == "url" and local in TEI_PICTURE_ELEMENTS)):
                yield f"{where}: <{local} {name}={value[:60]!r}> remote reference loaded by itself"
            elif local == "link" and name == "href" and _REMOTE.match(url):
                yield f"{where}: <link href={value[:60]!r}> remote"


def _parse_xml(data: bytes) -> tuple[etree._Element | None, bool]:
    """The XML tree (recovering) and whether the file was well-formed (the recovery had nothing to mend)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None, False
    return root, root is not None and not len(parser.error_log)


def _scan_markup(data: bytes, where: str, *, html: bool) -> list[str]:
    out: list[str] = []
    if re.search(rb"<!ENTITY", data, re.I):
        out.append(f"{where}: declares entities")
    # as an XML reader and as a browser's HTML parser see it: a recovering XML parse may stop where HTML goes on
    # (a well-formed XML file is read as XML, where TEI's own object and form are no HTML elements)
    xml, well_formed = (None, False) if html else _parse_xml(data)
    roots = [] if html else [xml]
    if not well_formed:
        try:
            roots.append(lhtml.document_fromstring(data) if data.strip() else None)
        except (etree.ParserError, ValueError):
            pass
    for root in roots:
        if root is not None:
            out.extend(x for x in _scan_tree(root, where) if x not in out)
    return out


def _scan_docx_rels(data: bytes, where: str) -> list[str]:
    out: list[str] = []
    root, _ = _parse_xml(data)
    if root is None:
        return out
    for rel in root.iter("{*}Relationship"):
        target = _url(rel.get("Target", ""))
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if _ACTIVE_URL.match(target) or target.lower().startswith("file:"):
            out.append(f"{where}: relationship {kind} to {target[:60]!r}")
        elif rel.get("TargetMode") == "External" and kind not in ("hyperlink",):
            out.append(f"{where}: external {kind} relationship to {target[:60]!r} (loaded when opened)")
    return out


def _scan_office_xml(data: bytes, where: str) -> list[str]:
    out = []
    if re.search(rb"<!ENTITY", data, re.I):
        out.append(f"{where}: declares entities")
    text = data.decode("utf-8", "replace")
    for m in re.finditer(r"(INCLUDEPICTURE|INCLUDETEXT|DDEAUTO|DDE|IMPORT|LINK)\s+\\?\"?(?:[a-z]+:|//)", text):
        out.append(f"{where}: field {m.group(1)} that loads something")
    if "altChunk" in text:
        out.append(f"{where}: altChunk (an embedded document)")
    if re.search(r"<w:(?:object|control)\b|<o:OLEObject|ActiveX", text):
        out.append(f"{where}: an embedded object or control")
    return out


def _scan_zip(data: bytes, fmt: str) -> list[str]:
    out: list[str] = []
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [f"{fmt}: not a zip archive"]
    with z:
        for info in z.infolist():
            name = info.filename
            low = name.lower()
            if re.search(r"\.(js|mjs|vbs|exe|dll|bin|jar|swf|bat|cmd|ps1|hta|wsf)$|vbaproject|activex", low):
                out.append(f"{fmt}:{name}: executable or macro part")
                continue
            payload = z.read(info)
            if low.endswith(".rels"):
                out.extend(_scan_docx_rels(payload, f"{fmt}:{name}"))
            elif fmt == "docx" and low.endswith(".xml"):
                out.extend(_scan_office_xml(payload, f"{fmt}:{name}"))
            elif low.endswith((".xhtml", ".html", ".htm", ".svg", ".xml", ".opf", ".ncx", ".smil")):
                out.extend(_scan_markup(payload, f"{fmt}:{name}", html=low.endswith((".html", ".htm"))))
            elif low.endswith(".css"):
                css = payload.decode("utf-8", "replace")
                if _CSS_REMOTE.search(css) or _CSS_ACTIVE.search(css):
                    out.append(f"{fmt}:{name}: stylesheet that loads or runs something")
    return out


def _scan_pdf(data: bytes) -> list[str]:
    import pymupdf

    out: list[str] = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:  # type: ignore[no-untyped-call]
        for xref in range(1, doc.xref_length()):
            try:
                obj = doc.xref_object(xref, compressed=False)
            except (RuntimeError, ValueError):
                continue
            for key in ("/JavaScript", "/JS ", "/JS(", "/JS<", "/Launch", "/SubmitForm", "/ImportData",
                        "/RichMedia", "/GoToE", "/EmbeddedFile /", "/AA <<", "/OpenAction"):
                if key in obj:
                    if key == "/OpenAction" and "/JavaScript" not in obj and "/JS" not in obj:
                        continue  # a destination to open at is no action
                    out.append(f"pdf: object {xref} holds {key.strip(' (<')}")
            for m in re.finditer(r"/URI\s*\(([^)]*)\)", obj):
                if _ACTIVE_URL.match(_url(m.group(1))) or m.group(1).lower().startswith("file:"):
                    out.append(f"pdf: object {xref} links to {m.group(1)[:60]!r}")
    return out


#: Seconds pandoc may take to read a Markdown output; past it, ``subprocess.TimeoutExpired`` (a fuzzing finding:
#: a Markdown file pandoc cannot read in a minute is one no reader can use).
MARKDOWN_TIMEOUT = 60


def _markdown_html(data: bytes) -> bytes:
    import pypandoc

    r = subprocess.run([pypandoc.get_pandoc_path(), "--from=markdown", "--to=html5", "--mathml"], input=data,
                       capture_output=True, timeout=MARKDOWN_TIMEOUT, check=True)
    return r.stdout


def active_content(data: bytes, fmt: str) -> list[str]:
    """Every piece of active content in an output of format ``fmt`` (``html``, ``epub``, ``docx``, ``pdf``,
    ``tei``, ``md``, ``ir``, ``svg``), one line each; an empty list for an inert output."""
    fmt = {"markdown": "md", "xml": "tei", "json": "ir", "xhtml": "html"}.get(fmt, fmt)
    if fmt == "html":
        return _scan_markup(data, "html", html=False)
    if fmt in ("tei", "svg"):
        return _scan_markup(data, fmt, html=False)
    if fmt in ("epub", "docx", "odt"):
        return _scan_zip(data, fmt)
    if fmt == "pdf":
        return _scan_pdf(data)
    if fmt == "md":
        return [f"md→html {x}" for x in _scan_markup(_markdown_html(data), "md", html=True)]
    if fmt == "ir":
        import base64
        import json
        out = []
        for m in json.loads(data).get("document", {}).get("media", []):
            if m.get("media_type") == "image/svg+xml":
                out.extend(_scan_markup(base64.b64decode(m["data"]), f"ir:{m.get('name')}", html=False))
        return out
    raise ValueError(f"no scanner for {fmt!r}")


def scan_folder_files(files: dict[str, bytes]) -> list[str]:
    """:func:`active_content` over output files by name (``x.epub``, ``x.media/a.svg``), the format from the suffix."""
    out: list[str] = []
    for name, data in sorted(files.items()):
        low = name.lower()
        fmt = next((f for s, f in ((".tei.xml", "tei"), (".ir.json", "ir"), (".html", "html"), (".epub", "epub"),
                                   (".docx", "docx"), (".pdf", "pdf"), (".md", "md"), (".svg", "svg"))
                    if low.endswith(s)), None)
        if fmt is not None:
            out.extend(f"{name}: {x}" for x in active_content(data, fmt))
    return out
