"""A document type declaration in XML from elsewhere, read without reading any DTD.

Archival TEI P4 (Perseus, early text-creation projects) opens with a DOCTYPE that names an external DTD and
often declares entities in its internal subset, and uses them in the text: ``&responsibility;`` for a header's
boilerplate, ``&mdash;`` or ``&amacr;`` from the ISO character sets the external DTD pulls in. docpipe reads no
DTD (no file, no network) and never lets the XML parser expand an entity (a few declared entities can expand to
gigabytes). :func:`without_doctype` instead drops the declaration and replaces each entity reference itself, in
one linear pass, within a bound:

* an entity the internal subset declares with a literal value is replaced by that value (its own references
  replaced in turn, at most :data:`MAX_NESTING` deep; a reference to itself is an error);
* a name of HTML's named characters (``&mdash;``, ``&amacr;``: the ISO sets the P4 DTDs declare) is replaced by
  a character reference;
* anything else — an entity of the external DTD, which docpipe does not read — is left out and reported.

The document grows by at most :data:`GROWTH` times its size (and never past the input limit): past that the
document is refused as one that expands without bound. Comments and CDATA sections are left as written.
"""

from __future__ import annotations

import html.entities
import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import InputError, LimitError

#: How many times its own size the document may grow by replacing entity references.
GROWTH = 4
#: How deep an entity's value may refer to further entities.
MAX_NESTING = 8
#: The entities every XML parser knows; left for the parser.
PREDEFINED = frozenset({b"lt", b"gt", b"amp", b"quot", b"apos"})

_NAME = rb"[^\s&;<>#%\"'=/\[\]]+"
_REFERENCE = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&(" + _NAME + rb");", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s", re.IGNORECASE)
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?(" + _NAME + rb")\s+", re.IGNORECASE)


@dataclass
class Report:
    """What :func:`without_doctype` did: references replaced from the internal subset and from HTML's named
    characters, and those left out (name -> count)."""

    declared: Counter[str] = field(default_factory=Counter)
    characters: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    doctype_line: int = 1


def _skip_quoted(data: bytes, i: int) -> int:
    """The offset after the quoted literal starting at ``data[i]`` (a quote), or -1 when it does not end."""
    end = data.find(data[i:i + 1], i + 1)
    return -1 if end < 0 else end + 1


def _declaration_end(data: bytes, i: int) -> int:
    """The offset after the ``>`` that closes the markup declaration at ``i``, quoted literals skipped; -1 if none."""
    n = len(data)
    while i < n:
        c = data[i:i + 1]
        if c in (b'"', b"'"):
            i = _skip_quoted(data, i)
            if i < 0:
                return -1
            continue
        if c == b">":
            return i + 1
        i += 1
    return -1


def doctype_at(data: bytes) -> int | None:
    """Where the DOCTYPE declaration of ``data`` starts, in any case (``<!DOCTYPE``, ``<!doctype``, ``<!DocType``),
    or None: the one test of whether a document has one."""
    m = _DOCTYPE.search(data)
    return m.start() if m else None


def _doctype(data: bytes, name: str) -> tuple[int, int, dict[bytes, bytes]] | None:
    """(start, end, internal general entities) of the DOCTYPE declaration of ``data``, or None if it has none."""
    m = _DOCTYPE.search(data)
    if m is None:
        return None
    start, i, n = m.start(), m.end(), len(data)
    entities: dict[bytes, bytes] = {}
    # the name and external identifier, up to the internal subset or the end
    while i < n and data[i:i + 1] not in (b"[", b">"):
        if data[i:i + 1] in (b'"', b"'"):
            i = _skip_quoted(data, i)
            if i < 0:
                break
            continue
        i += 1
    if 0 <= i < n and data[i:i + 1] == b"[":
        i += 1
        while 0 <= i < n:
            if data[i:i + 1].isspace():
                i += 1
            elif data.startswith(b"]", i):
                i += 1
                break
            elif data.startswith(b"<!--", i):
                end = data.find(b"-->", i + 4)
                i = -1 if end < 0 else end + 3
            elif data.startswith(b"<?", i):
                end = data.find(b"?>", i + 2)
                i = -1 if end < 0 else end + 2
            elif (decl := _ENTITY_DECL.match(data, i)) is not None:
                end = _declaration_end(data, decl.end())
                value = data[decl.end():end - 1].strip() if end > 0 else b""
                general = decl.group(1) is None
                if general and value[:1] in (b'"', b"'") and value.endswith(value[:1]) and len(value) >= 2:
                    entities.setdefault(decl.group(2), value[1:-1])  # the first declaration binds (XML 1.0 §4.2)
                i = end
            elif data.startswith(b"<!", i):
                i = _declaration_end(data, i + 2)
            elif data.startswith(b"%", i):  # a parameter entity reference: the external DTD docpipe does not read
                end = data.find(b";", i)
                i = -1 if end < 0 else end + 1
            else:
                i = -1
    while 0 <= i < n and data[i:i + 1].isspace():
        i += 1
    if i < 0 or i >= n or data[i:i + 1] != b">":
        line = data.count(b"\n", 0, start) + 1
        raise InputError("a DOCTYPE declaration that does not end", file=name, line=line,
                         expected="<!DOCTYPE name [ … ]> closed before the root element")
    return start, i + 1, entities


def without_doctype(data: bytes, name: str, limit: int) -> tuple[bytes, Report] | None:
    """``data`` with its DOCTYPE declaration dropped (its lines kept, so the parser's line numbers still hold) and
    every entity reference replaced as the module says; None when it has no DOCTYPE. ``limit``: the most bytes the
    result may have (the input limit)."""
    found = _doctype(data, name)
    if found is None:
        return None
    start, end, entities = found
    report = Report(doctype_line=data.count(b"\n", 0, start) + 1)
    bound = min(limit, max(GROWTH * len(data), 1 << 20))
    expanded: dict[bytes, bytes] = {}  # each declared entity expanded once

    def value_of(ref: bytes, stack: tuple[bytes, ...]) -> bytes:
        if ref not in expanded:
            if ref in stack or len(stack) >= MAX_NESTING:
                raise LimitError(f"the entity &{ref.decode('utf-8', 'replace')}; refers to itself or nests more "
                                 f"than {MAX_NESTING} deep", file=name, line=report.doctype_line,
                                 expected="entities whose values end")
            expanded[ref] = expand(entities[ref], (*stack, ref))
        return expanded[ref]

    def expand(value: bytes, stack: tuple[bytes, ...]) -> bytes:
        """``value`` with its references replaced; ``stack``: the entities being expanded (none: the document)."""
        out: list[bytes] = []
        pos = length = 0
        for m in _REFERENCE.finditer(value):
            ref = m.group(1)
            if ref is None or ref in PREDEFINED:
                continue
            text = ref.decode("utf-8", "replace")
            tally = None if stack else report
            if ref in entities:
                got = value_of(ref, stack)
                if tally:
                    tally.declared[text] += 1
            elif (chars := html.entities.html5.get(text + ";")) is not None:
                got = "".join(f"&#x{ord(c):X};" for c in chars).encode("ascii")
                if tally:
                    tally.characters[text] += 1
            else:
                got = b""
                if tally:
                    tally.dropped[text] += 1
            out += (value[pos:m.start()], got)
            length += m.start() - pos + len(got)
            pos = m.end()
            if length + len(value) - pos > bound:  # what is made so far and what is still to come
                raise LimitError(f"its entities expand the document past {bound} bytes", file=name,
                                 line=report.doctype_line, expected="a document whose entities stay small")
        if not out:
            return value
        out.append(value[pos:])
        return b"".join(out)

    body = expand(data[end:], ())
    blank = b"\n" * data.count(b"\n", start, end)
    return data[:start] + blank + body, report
