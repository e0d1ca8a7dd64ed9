"""Diagnostics: a closed set of codes with one severity table, positions in the source, and the sink."""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How much a diagnostic matters; ``--strict`` fails on WARNING and above."""

    INFO = 10
    WARNING = 20
    ERROR = 30


#: Every code docpipe emits and its severity. Readers report what they removed or repaired here;
#: transforms report what they changed; writers report what they could not render.
CODES: dict[str, Severity] = {
    # reading
    "encoding-detected": Severity.INFO,
    "removed-furniture": Severity.INFO,
    "split-run-together": Severity.INFO,
    "joined-broken-paragraph": Severity.INFO,
    "joined-wrapped-lines": Severity.INFO,
    "separated-heading": Severity.INFO,
    "metadata-found": Severity.INFO,
    "footnote-linked": Severity.INFO,
    "footnote-unreferenced": Severity.WARNING,
    "footnote-missing": Severity.WARNING,
    "numbering-gap": Severity.WARNING,
    "numbering-duplicate": Severity.WARNING,
    "unrecognised-block": Severity.INFO,
    "ignored-element": Severity.INFO,
    "unsupported-content": Severity.WARNING,
    "external-resource-blocked": Severity.WARNING,
    "text-repaired": Severity.WARNING,
    "markdown-repaired": Severity.WARNING,
    "unsafe-link": Severity.WARNING,
    "media-refused": Severity.WARNING,
    "media-missing": Severity.WARNING,
    "media-unsupported": Severity.WARNING,
    "media-placeholder": Severity.WARNING,
    "caption-found": Severity.INFO,
    "word-numbering": Severity.INFO,
    "stale-toc-dropped": Severity.INFO,
    "html-comment-dropped": Severity.INFO,
    "raw-html-parsed": Severity.INFO,
    "container-box": Severity.INFO,
    "container-unclosed": Severity.WARNING,
    "statute-articles": Severity.INFO,
    # transforms
    "transform-count": Severity.INFO,
    "duplicate-id": Severity.WARNING,
    "link-unresolved": Severity.WARNING,
    "script-conversion": Severity.INFO,
    # writing
    "writer-dropped": Severity.WARNING,
    "writer-note": Severity.INFO,
    "missing-tool": Severity.WARNING,
    "tei-kept-generic": Severity.INFO,
    "glyph-fallback": Severity.INFO,
    "glyph-missing": Severity.WARNING,
}


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` on one line with control characters, terminal escapes and bidi overrides shown as ``\\xNN``."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else
                            f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem or repair, with where it happened."""

    code: str
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

    def emit(self, code: str, message: str, *, line: int | None = None, file: str | None = None) -> None:
        """Record one diagnostic; ``code`` must be one of :data:`CODES`."""
        severity = CODES[code]  # a KeyError here is a programming error: add the code to CODES
        self.items.append(Diagnostic(code, message, severity, file or self.file, line))

    def counts(self) -> Counter[str]:
        """How many diagnostics of each code."""
        return Counter(d.code for d in self.items)

    def at_least(self, severity: Severity) -> list[Diagnostic]:
        """Diagnostics of ``severity`` or worse."""
        return [d for d in self.items if d.severity >= severity]
