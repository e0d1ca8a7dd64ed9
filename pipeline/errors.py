"""The few exceptions that may leave the package; every one carries a message a person can act on."""

from __future__ import annotations


class DocpipeError(Exception):
    """Base of every error docpipe raises on purpose."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        offset: int | None = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.offset = offset
        self.expected = expected
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``file:line: message (expected …)`` — the form printed on stderr."""
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            elif self.offset is not None:
                where += f": byte {self.offset}"
            where += ": "
        elif self.offset is not None:
            where = f"byte {self.offset}: "
        tail = f" (expected {self.expected})" if self.expected else ""
        from .diagnostics import printable
        return printable(f"{where}{self.message}{tail}")


class InputError(DocpipeError):
    """The input cannot be read: undecodable, malformed, of an unknown kind, or over a limit."""


class LimitError(InputError):
    """The input exceeds a configured limit (size, archive expansion, nesting depth, time)."""


class IRFormatError(InputError):
    """An ``.ir.json`` file is malformed or of another IR version."""


class UsageError(DocpipeError):
    """Options that do not make sense together, an unknown format or edition."""

    exit_code = 2


class StrictError(DocpipeError):
    """``--strict`` was given and the run produced warnings."""

    exit_code = 3


class OutputError(DocpipeError):
    """An output could not be written (the previous file, if any, is left as it was)."""

    exit_code = 4


class ToolError(DocpipeError):
    """An external tool (pandoc, a renderer) failed or timed out."""
