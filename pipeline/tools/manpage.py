"""The man page ``docs/docpipe.1``, made from the command line's own parser (:func:`pipeline.cli.build_parser`).

``python -m pipeline.tools.manpage > docs/docpipe.1``; ``man -l docs/docpipe.1`` shows it. Every subcommand gets
its synopsis, description, options in the groups ``--help`` shows them in, and its examples; then exit statuses,
environment and files. The output depends on the parser only (never on the terminal's width or the date), so a
test can check that the committed page is up to date.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..cli import build_parser

#: What every page section below the options says; kept here because argparse has no place for it.
EXIT_STATUS = (
    ("0", "success"),
    ("1", "bad input or a failed conversion (for build and batch: a job failed)"),
    ("2", "bad usage: an unknown option or format, a bad project file"),
    ("3", "warnings were reported under --strict"),
    ("4", "an output could not be written"),
    ("70", "an internal error (a bug in docpipe; -vv prints its traceback)"),
    ("130", "interrupted"),
)

ENVIRONMENT = (
    ("SOURCE_DATE_EPOCH", "the date the outputs carry (reproducible builds); when unset, the document's own date, "
     "else its source file's modification time, never the clock"),
    ("CI", "under CI=true the test suite fails, instead of skipping, when a validator is missing"),
)

FILES = (
    ("docpipe.toml", "a project file: [project], [defaults], [editions.NAME], [book]; docpipe build reads it, "
     "and convert and inspect run in the current folder take its [defaults]"),
    ("NAME.media/", "the pictures of an HTML, TEI or Markdown output, beside it"),
    ("OUTPUT/manifest.json", "what docpipe build made: each job's key and the sha256 of each output"),
)


def esc(text: str) -> str:
    """Text safe in a roff line: backslashes and hyphens escaped, other characters than ASCII named
    (``\\[u2026]``), no line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def _help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    if "%(" in text:
        params = {k: v for k, v in vars(action).items() if v is not argparse.SUPPRESS}
        params["prog"] = prog
        if params.get("choices") is not None:
            params["choices"] = ", ".join(str(c) for c in params["choices"])
        text = text % params
    return text


def _flags(action: argparse.Action) -> str:
    """``\\fB\\-o\\fR, \\fB\\-\\-output\\fR \\fIFILE\\fR`` for an option, ``\\fIINPUT\\fR`` for a positional."""
    if not action.option_strings:
        return f"\\fI{esc(_metavar(action))}\\fR"
    names = ", ".join(f"\\fB{esc(s)}\\fR" for s in action.option_strings)
    if action.nargs == 0:
        return names
    return f"{names} \\fI{esc(_metavar(action))}\\fR"


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, str):
        return action.metavar
    if action.choices is not None:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def _synopsis(name: str, parser: argparse.ArgumentParser) -> str:
    """``docpipe convert [options] INPUT...``: options are listed below, positionals named."""
    words = [f"\\fBdocpipe {esc(name)}\\fR"]
    if any(a.option_strings and a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)
           for a in parser._actions):
        words.append("[\\fIoptions\\fR]")
    for a in parser._actions:
        if a.option_strings:
            continue
        mv = f"\\fI{esc(_metavar(a))}\\fR"
        words.append(f"{mv} [{mv} ...]" if a.nargs in ("+", "*") else mv)
    return " ".join(words)


def _groups(parser: argparse.ArgumentParser) -> list[tuple[str, list[argparse.Action]]]:
    out = []
    for group in parser._action_groups:
        actions = [a for a in group._group_actions
                   if a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)]
        if actions:
            title = group.title or ""
            out.append(("arguments" if title == "positional arguments" else title, actions))
    return out


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help or "" for c in sub._choices_actions}
    return [(name, helps.get(name, ""), p) for name, p in sub.choices.items()]


def _examples(epilog: str | None) -> list[str]:
    if not epilog:
        return []
    return [ln.strip() for ln in epilog.splitlines() if ln.startswith("  ")]


def _table(rows: tuple[tuple[str, str], ...], bold: bool) -> list[str]:
    lines = []
    for key, text in rows:
        lines += [".TP", f"\\fB{esc(key)}\\fR" if bold else esc(key), esc(text)]
    return lines


def manpage(parser: argparse.ArgumentParser | None = None) -> str:
    """The whole page, as roff text ending in a newline."""
    parser = parser or build_parser()
    commands = _subcommands(parser)
    out = [
        '.\\" Generated by python -m pipeline.tools.manpage from pipeline/cli.py; do not edit.',
        f'.TH DOCPIPE 1 "" "docpipe {esc(__version__)}" "User Commands"',
        ".SH NAME",
        f"docpipe \\- {esc((parser.description or '').rstrip('.').lower())}",
        ".SH SYNOPSIS",
    ]
    for name, _help_text, p in commands:
        out += [".br", _synopsis(name, p)]
    out += [".br", "\\fBdocpipe\\fR \\fB\\-\\-version\\fR | \\fB\\-\\-help\\fR",
            ".SH DESCRIPTION",
            esc("docpipe reads a report or a book (plain text, Markdown, DOCX, ODT, HTML, EPUB, TEI, or a book's "
                "chapter list) into one intermediate representation and writes EPUB 3, DOCX, PDF, TEI P5, HTML "
                "and Markdown editions of it, keeping paragraph numbers, boxed sidebars and footnotes."),
            ".SH COMMANDS"]
    for name, help_text, _p in commands:
        out += [".TP", f"\\fB{esc(name)}\\fR", esc(help_text)]
    for name, help_text, p in commands:
        out += [f'.SH "DOCPIPE {esc(name.upper())}"', _synopsis(name, p), ".PP",
                esc(p.description or (help_text[:1].upper() + help_text[1:] + "."))]
        for title, actions in _groups(p):
            out.append(f".SS {esc(title[:1].upper() + title[1:])}")
            for a in actions:
                out += [".TP", _flags(a), esc(_help(a, p.prog))]
        examples = _examples(p.epilog)
        if examples:
            out.append(".SS Examples")
            for ex in examples:
                out += [".PP", ".nf", esc(ex), ".fi"]
    out.append('.SH "EXIT STATUS"')
    out += _table(EXIT_STATUS, bold=True)
    out.append(".SH ENVIRONMENT")
    out += _table(ENVIRONMENT, bold=True)
    out.append(".SH FILES")
    out += _table(FILES, bold=False)
    out += [".SH \"SEE ALSO\"", esc("pandoc(1); README.md, docs/tutorial.md, docs/api.md and SECURITY.md "
                                    "in docpipe's source.")]
    return "\n".join(out) + "\n"


def main() -> int:
    sys.stdout.write(manpage())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
