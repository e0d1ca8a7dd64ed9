"""Lines of a report: indentation, wiki furniture (edit links, navigation, residue), hard-wrap width."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

#: Wiki "edit" links left on a line of their own after every wiki section heading.
EDIT_LINK = re.compile(r"^[\[［]?(?:編輯|编辑|編輯原始碼|编辑源代码|edit|modifier|bearbeiten)[\]］]?$", re.IGNORECASE)
#: The ``本作品收錄於《…`` line a wiki prints under the title (a category link, not content).
COLLECTED_IN = re.compile(r"^本作品收[錄录][於于]")
#: Template residue such as ``Public domainPublic domainfalsefalse`` (a licence box rendered as text).
RESIDUE = re.compile(r"^(?:(?:Public domain|PD-\w+|CC[- ]BY[\w.-]*)\s*)+(?:true|false)+$", re.IGNORECASE)

_INDENT = re.compile(r"^[ \t\u3000\u00a0]+")


@dataclass
class Line:
    """One source line, its text without indentation or trailing blanks."""

    no: int
    text: str
    indented: bool
    edit_link: bool = False
    """The wiki put an edit link after this line: it is a wiki section heading."""

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[Line]:
    """Source lines, numbered from 1; CR LF and CR line ends are accepted."""
    out: list[Line] = []
    for no, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        raw = raw.rstrip(" \t\u3000\u00a0\ufeff\u200b")
        m = _INDENT.match(raw)
        indent = m.group(0) if m else ""
        body = raw[len(indent):]
        indented = bool(body) and ("\t" in indent or "\u3000" in indent or len(indent) >= 2)
        out.append(Line(no, body, indented))
    return out


def _measures() -> list[Callable[[str], int]]:
    def chars(s: str) -> int:
        return len(s)

    def columns(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    def utf8(s: str) -> int:
        return len(s.encode("utf-8"))

    return [chars, columns, utf8]


@dataclass(frozen=True)
class Wrap:
    """How the text was hard-wrapped: lines were cut at ``width`` as counted by ``measure``."""

    width: int
    measure: Callable[[str], int]

    def full(self, line: Line) -> bool:
        """The line reaches (nearly) the wrap width, so the next line continues it."""
        indent = 2 if line.indented else 0
        return self.measure(line.text) + indent >= self.width - max(6, self.width // 8)


    def at_edge(self, line: Line) -> bool:
        """The line is filled to the wrap width itself."""
        indent = 2 if line.indented else 0
        return self.measure(line.text) + indent >= self.width - 1


def detect_wrap(lines: list[Line]) -> Wrap | None:
    """The hard-wrap width, if most long lines end near one width (text copied out of a PDF or filled)."""
    best: tuple[float, Wrap] | None = None
    for measure in _measures():
        sizes = [measure(ln.text) + (2 if ln.indented else 0) for ln in lines if len(ln.text) >= 8]
        if len(sizes) < 8:
            continue
        sizes.sort()
        width = sizes[int(len(sizes) * 0.97)]  # ignore a few unbreakable overlong lines
        if width < 16:
            continue
        near = sum(1 for s in sizes if width - max(6, width // 8) <= s <= width)
        share = near / len(sizes)
        if share >= 0.4 and (best is None or share > best[0]):
            best = (share, Wrap(width, measure))
    return best[1] if best else None


_LATIN_END = re.compile(r"[A-Za-z0-9][,.;:!?)\]%]?$")
_NUMBER_END = re.compile(r"(?:^|\s)\d{1,4}\.$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\[]")


def join_wrapped(a: str, b: str) -> str:
    """Join two pieces of one wrapped line: a space between Latin words (the wrap ate it), none in CJK."""
    if (_LATIN_END.search(a) and _LATIN_START.match(b)) or _NUMBER_END.search(a):
        return f"{a} {b}"
    return a + b
