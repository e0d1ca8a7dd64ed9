"""Linear checks on a source before pandoc sees it: Markdown shapes that make its parser exponential or unbounded,
the XML parts of a Word or OpenDocument package, and entity declarations anywhere in a file.

pandoc's Markdown reader backtracks on nested brackets: measured here (pandoc 3.9), 8 nested links take 2 s,
10 take 11 s, 12 never finish. Links cannot nest and an image inside a link is two levels, so brackets
nested deeper than :data:`MAX_BRACKETS` are escaped (they are shown as the literal characters they then are)
and the repair is reported. Block quotes and list indentation nested beyond ``--max-depth`` and YAML front
matter that expands aliases (a "billion laughs" in YAML) are refused with a one-line error.

Every XML part of a DOCX or ODT package is parsed once, bounded, before pandoc and docpipe's own Word passes read
it: a raw control character, elements nested deeper than the parser allows (a 300-deep ``w:sdt``) or a text node
of more than 10 MB is a one-line error naming the part and its line, never a traceback from a later pass.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ..diagnostics import Diagnostics
from ..errors import InputError, LimitError
from ..options import Options

MAX_BRACKETS = 2
MAX_YAML_ALIASES = 100
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ALIAS = re.compile(r"(?<![\w*])\*[A-Za-z_][\w-]*")


def check_markdown(text: str, options: Options, diag: Diagnostics, name: str) -> str:
    """``text`` with the brackets of over-deep paragraphs escaped; a :class:`LimitError` for unbounded
    nesting or YAML aliases."""
    _front_matter(text, name)
    lines = text.split("\n")
    prose: list[bool] = []  # which lines are outside code fences
    fence: str | None = None
    for lineno, line in enumerate(lines, 1):
        m = _FENCE.match(line)
        if m and (fence is None or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = None if fence else m.group(1)
            prose.append(False)
            continue
        prose.append(fence is None)
        if fence is None:
            stripped = line.lstrip(" >\t")
            quotes = line[: len(line) - len(stripped)].count(">")
            indent = (len(line) - len(line.lstrip(" \t"))) // 2
            if quotes > options.max_depth or indent > options.max_depth * 2:
                raise LimitError(f"quotes or lists nested {max(quotes, indent)} deep", file=name, line=lineno,
                                 expected=f"at most {options.max_depth} levels (--max-depth)")
    # paragraphs (runs of prose lines between blank lines) whose brackets nest too deep lose all their
    # brackets' meaning: escaping only the deep ones still leaves pandoc a long link text to backtrack over
    escaped = 0
    start = 0
    while start < len(lines):
        if not prose[start] or not lines[start].strip():
            start += 1
            continue
        end = start
        depth = worst = 0
        while end < len(lines) and prose[end] and lines[end].strip():
            depth, worst = _bracket_depth(lines[end], depth, worst)
            end += 1
        if worst > MAX_BRACKETS:
            for i in range(start, end):
                lines[i], n = _escape_brackets(lines[i])
                escaped += n
        start = end
    if escaped:
        diag.emit("markdown-repaired", f"{escaped} bracket(s) in paragraphs nesting them more than {MAX_BRACKETS} "
                  "deep kept as literal characters (links cannot nest; such brackets make pandoc's parser "
                  "exponential)")
    return "\n".join(lines)


_TOKEN = re.compile(r"\\.|`+|[\[\]]")


def _bracket_depth(line: str, depth: int, worst: int) -> tuple[int, int]:
    i = 0
    for m in _TOKEN.finditer(line):
        if m.start() < i:
            continue  # inside a code span skipped below
        tok = m.group()
        if tok[0] == "`":
            end = line.find(tok, m.end())
            i = end + len(tok) if end >= 0 else m.end()
        elif tok == "[":
            depth += 1
            worst = max(worst, depth)
        elif tok == "]":
            depth = max(depth - 1, 0)
    return depth, worst


def _escape_brackets(line: str) -> tuple[str, int]:
    out: list[str] = []
    pos = 0
    skip_to = 0
    n = 0
    for m in _TOKEN.finditer(line):
        if m.start() < skip_to:
            continue
        tok = m.group()
        if tok[0] == "`":
            end = line.find(tok, m.end())
            skip_to = end + len(tok) if end >= 0 else m.end()
        elif tok in ("[", "]"):
            out.append(line[pos:m.start()])
            out.append("\\" + tok)
            pos = m.end()
            n += 1
    out.append(line[pos:])
    return "".join(out), n


def _front_matter(text: str, name: str) -> None:
    if not text.startswith("---"):
        return
    end = text.find("\n---", 3)
    end2 = text.find("\n...", 3)
    stop = min(x for x in (end, end2, len(text)) if x >= 0)
    yaml = text[:stop]
    if "&" in yaml:
        aliases = len(_ALIAS.findall(yaml))
        if aliases > MAX_YAML_ALIASES:
            raise LimitError(f"the YAML front matter uses {aliases} aliases", file=name, line=1,
                             expected=f"at most {MAX_YAML_ALIASES} (alias expansion can exhaust memory)")


_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def entity_declaration(data: bytes) -> int | None:
    """The offset of the first ``<!ENTITY`` declaration anywhere in ``data`` (not only its first 64 KB), or None.

    One linear search; a prolog can hold any amount of comment or space before its DOCTYPE, so a window would let
    a declaration through."""
    m = _ENTITY.search(data)
    return m.start() if m else None


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def doctype_entity(data: bytes) -> int | None:
    """The offset of the first ``<!ENTITY`` after a ``<!DOCTYPE`` anywhere in ``data``, or None: what an XML reader
    refuses (an ``<!ENTITY`` quoted in a comment or CDATA of a document without a DOCTYPE declares nothing)."""
    doctype = _DOCTYPE.search(data)
    m = _ENTITY.search(data, doctype.start()) if doctype else None
    return m.start() if m else None


def check_entities(data: bytes, name: str, what: str = "XML") -> None:
    """Refuse ``data`` that declares entities anywhere, with the offset of the declaration."""
    offset = entity_declaration(data)
    if offset is not None:
        raise InputError("declares XML entities, which docpipe does not expand", file=name, offset=offset,
                         expected=f"{what} without <!ENTITY declarations")


#: Parts of an office package that are XML: ``word/document.xml``, ``content.xml``, relationships, core properties.
_XML_PART = re.compile(r"(?:^|/)(?:[^/]*\.xml|[^/]*\.rels|\[Content_Types\]\.xml)$", re.IGNORECASE)


def check_package_xml(data: bytes, name: str, options: Options) -> None:
    """Parse every XML part of a DOCX or ODT package once, bounded (no DTD, entities or network, the parser's
    depth and text-node limits); a part that breaks them is a one-line :class:`InputError` or :class:`LimitError`
    naming the part and line. Call after the archive's sizes have been checked (``check_archive``)."""
    from lxml import etree

    try:
        z = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a readable archive ({exc})", file=name, expected="a DOCX or ODT package") from exc
    with z:
        for info in z.infolist():
            if info.is_dir() or not _XML_PART.search(info.filename):
                continue
            try:
                xml = z.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise InputError(f"archive member {info.filename!r} cannot be read ({exc})", file=name) from exc
            where = info.filename
            if not xml.strip():  # LibreOffice writes an empty Configurations2/accelerator/current.xml: nothing to check
                continue
            offset = entity_declaration(xml)
            if offset is not None:
                raise InputError(f"{where} declares XML entities, which docpipe does not expand", file=name,
                                 expected="XML without <!ENTITY declarations")
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                     remove_comments=True, remove_pis=True)
            try:
                root = etree.fromstring(xml, parser)
            except etree.XMLSyntaxError as exc:
                line = exc.position[0] if exc.position else None
                msg = str(exc.msg or exc).split(", line ")[0]
                at = f"{where}, line {line}" if line else where
                if "Excessive depth" in msg:
                    raise LimitError(f"{at}: elements nested deeper than the XML parser allows", file=name,
                                     expected="at most 256 levels of XML") from exc
                if "huge text node" in msg or "xmlSAX2Characters" in msg or "huge" in msg.lower():
                    raise LimitError(f"{at}: a text node of more than 10 MB", file=name,
                                     expected="text nodes under 10 MB") from exc
                raise InputError(f"{at}: not well-formed XML ({msg})", file=name,
                                 expected="a package whose XML parts are well-formed") from exc
            del root
