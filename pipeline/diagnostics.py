"""Diagnostics: a closed set of codes with one severity table, positions in the source, and the sink."""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, get_args


class Severity(enum.IntEnum):
    """How much a diagnostic matters; ``--strict`` fails on WARNING and above."""

    INFO = 10
    WARNING = 20
    ERROR = 30


#: Codes of what docpipe did and reports for the record (repairs, counts, choices).
InfoCode: TypeAlias = Literal[
    # reading
    "encoding-detected", "removed-furniture", "split-run-together", "joined-broken-paragraph", "joined-wrapped-lines",
    "separated-heading", "metadata-found", "footnote-linked", "unrecognised-block", "ignored-element", "caption-found",
    "word-numbering", "stale-toc-dropped", "html-comment-dropped", "raw-html-parsed", "container-box",
    "statute-articles", "spine-nonlinear", "caption-blocks-moved", "svg-repaired", "chunk-picture",
    # transforms
    "transform-count", "id-renamed", "script-conversion", "language-detected",
    # writing
    "writer-note", "tei-kept-generic", "glyph-fallback",
]

#: Codes of what a reader of the edition should look at (``--strict`` fails on them).
WarningCode: TypeAlias = Literal[
    # reading
    "footnote-unreferenced", "footnote-missing", "numbering-gap", "numbering-duplicate", "unsupported-content",
    "external-resource-blocked", "text-repaired", "markdown-repaired", "unsafe-link", "media-refused", "media-missing",
    "media-unsupported", "media-placeholder", "container-unclosed",
    # transforms
    "duplicate-id", "link-unresolved", "link-outside-book", "citation-unresolved",
    # writing
    "writer-dropped", "missing-tool", "tool-warning", "glyph-missing", "link-to-file", "math-kept-as-tex",
]

#: Every code docpipe emits, a closed type: ``diag.emit("no-such-code", ...)`` is a type error. Readers report
#: what they removed or repaired, transforms what they changed, writers what they could not render. A new code
#: is appended to the list of its severity, and nowhere else.
Code: TypeAlias = InfoCode | WarningCode

#: The severity of every code.
CODES: dict[Code, Severity] = {**dict.fromkeys(get_args(InfoCode), Severity.INFO),
                               **dict.fromkeys(get_args(WarningCode), Severity.WARNING)}


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` on one line with control characters, terminal escapes and bidi overrides shown as ``\\xNN``."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else
                            f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem or repair, with where it happened."""

    code: Code
    message: str
    severity: Severity
    file: str | None = None
    line: int | None = None

    def one_line(self) -> str:
        """``file:line: severity [code] message`` (control characters never reach a terminal)."""
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        prefix = f"{where}: " if where else ""
        return printable(f"{prefix}{self.severity.name.lower()} [{self.code}] {self.message}")

    def as_json(self) -> dict[str, object]:
        """The form ``docpipe inspect`` prints."""
        out: dict[str, object] = {"code": self.code, "severity": self.severity.name.lower(),
                                  "message": self.message}
        if self.file is not None:
            out["file"] = self.file
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class Diagnostics:
    """The sink every reader, transform and writer reports into."""

    file: str | None = None
    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._seen = set(self.items)

    def emit(self, code: Code, message: str, *, line: int | None = None, file: str | None = None) -> None:
        """Record one diagnostic, once: the same code, message and place reported again is not repeated; ``code``
        a :data:`Code` (the type checker refuses any other string)."""
        severity = CODES[code]
        item = Diagnostic(code, message, severity, file or self.file, line)
        if item in self._seen:
            return
        self._seen.add(item)
        self.items.append(item)

    def counts(self) -> Counter[str]:
        """How many diagnostics of each code."""
        return Counter(d.code for d in self.items)

    def at_least(self, severity: Severity) -> list[Diagnostic]:
        """Diagnostics of ``severity`` or worse."""
        return [d for d in self.items if d.severity >= severity]
