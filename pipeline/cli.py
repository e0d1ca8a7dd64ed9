"""The command line: ``docpipe convert``, ``inspect``, ``build``, ``batch``, ``deps`` and ``completion``.

A thin shell: it turns arguments into :class:`~pipeline.options.Options`, runs the API under the job budget,
prints diagnostics once each and every error as one line, and maps errors to exit statuses. Options people know
from pandoc mean the same here (``-o``, ``-f``/``-t``, ``-M``, ``--metadata-file``, ``--lang``,
``--resource-path``, ``--reference-doc``, ``--css``, ``--toc``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from . import __version__, registry
from .budget import collect_less
from .diagnostics import Diagnostics, Severity, printable
from .errors import DocpipeError, InputError, UsageError
from .options import LIMIT_FIELDS, PDF_VARIANTS, SCRIPTS, Edition, Options

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_STRICT, EXIT_OUTPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70
#: Formats that are text and may be written to standard output (``-o -``).
TEXT_FORMATS = ("html", "md", "tei", "ir")

EXAMPLES = """examples:
  docpipe convert report.txt --to epub,pdf --out-dir build
  docpipe convert report.md -o report.epub -o report.pdf --script hans
  docpipe convert chapter1.md chapter2.docx -o book.epub -M title="My book" -M author="A. Author"
  docpipe convert mkdocs.yml -o book.pdf                       # a whole book from its chapter list
  cat notes.md | docpipe convert - --from md -o - --to html > notes.html
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors and suggestions for near misses."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(_explain(self, message))


def _explain(parser: argparse.ArgumentParser, message: str) -> str:
    """argparse's message with a suggestion where a near miss can be named."""
    m = re.match(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if m:
        choices = re.findall(r"'([^']*)'", m.group(3))
        near = difflib.get_close_matches(m.group(2), choices, n=1, cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return f"{parser.prog}: {m.group(1)}: {m.group(2)!r} is not one of {', '.join(choices)}{hint}"
    m = re.match(r"unrecognized arguments: (.*)", message)
    if m:
        return _unknown(parser, m.group(1).split())
    return f"{parser.prog}: {message}"


def _unknown(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    known = [s for a in parser._actions for s in a.option_strings]
    bad = next((e for e in extras if e.startswith("-")), extras[0] if extras else "")
    near = difflib.get_close_matches(bad.split("=", 1)[0], known, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]}?" if near else f"; see {parser.prog} --help"
    what = "unknown option" if bad.startswith("-") else "unexpected argument"
    return f"{parser.prog}: {what} {bad!r}{hint}"


def _add_io(g: argparse._ArgumentGroup, *, several: bool) -> None:
    g.add_argument("-f", "-r", "--from", dest="input_format", metavar="FORMAT",
                   help="input format (default: from the file name): " + ", ".join(registry.READERS))
    g.add_argument("--encoding", help="input encoding, instead of detecting it (plain-text reports)")
    g.add_argument("--strict", action="store_true", help="fail (exit 3) when any warning is reported")
    g.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    g.add_argument("-v", "--verbose", action="count", default=0,
                   help="print every diagnostic (-vv: and tracebacks of internal errors)")


def _flags(g: argparse._ArgumentGroup, rows: tuple[tuple[str, str], ...]) -> None:
    """On/off edition options: None when not given, so a project's default stands."""
    for flag, text in rows:
        g.add_argument(flag, action="store_true", default=None, help=text)


def _add_edition(g: argparse._ArgumentGroup) -> None:
    g.add_argument("--script", choices=SCRIPTS, help="script edition: keep (default), hant, hans, tw, hk")
    _flags(g, (("--diplomatic", "keep the text as written: recover the structure, skip every transform that "
                                "changes text; a TEI choice shows the source's form (sic, orig, abbr), the "
                                "edited one in a note"),
               ("--keep-spaces", "keep the source's spaces between Han and Latin/digits")))
    g.add_argument("--join-numbers", choices=("nnbsp", "none"),
                   help="join space-grouped digits with U+202F (default) or with nothing")
    g.add_argument("--lang", metavar="TAG", help="the document's language (BCP 47), whatever the source says")
    g.add_argument("-M", "--metadata", action="append", default=[], metavar="KEY=VALUE",
                   help="set a metadata field: title, subtitle, author (repeatable), date, publisher, rights…")
    g.add_argument("--metadata-file", metavar="FILE", help="metadata from a YAML or TOML file (as -M)")


def _add_publishing(g: argparse._ArgumentGroup) -> None:
    g.add_argument("--page-size", help="A4 (default), A5, B5, Letter or WxH (PDF, DOCX)")
    g.add_argument("--no-mirror-margins", dest="mirror_margins", action="store_false", default=None,
                   help="same margins on every page (PDF)")
    g.add_argument("--pdf-engine", choices=("auto", *registry.PDF_ENGINES),
                   help="PDF layout engine: auto (default: Typst for books, large documents, equations and scripts "
                        "such as Devanagari or Thai), weasyprint, typst")
    g.add_argument("--pdf-variant", choices=PDF_VARIANTS, help="PDF standard to follow")
    g.add_argument("--bleed", metavar="LENGTH", help="bleed beyond the trim box, e.g. 3mm (PDF, with pdf/x-4)")
    _flags(g, (("--marks", "crop and registration marks (PDF)"), ("--vertical", "vertical writing (EPUB)"),
               ("--embed-fonts", "embed a subset of the edition's typeface (EPUB)"),
               ("--source-pages", "show the source edition's page numbers (TEI pb) in EPUB, HTML and PDF"),
               ("--source-lines", "show the source edition's line numbers (TEI lb) in EPUB, HTML, PDF and DOCX")))
    for flags, dest, metavar, text in (
            (("--font",), "serif_font", "FAMILY", "the edition's typeface family"),
            (("--css",), "css", "FILE", "a house stylesheet appended after docpipe's (EPUB, HTML, PDF)"),
            (("--reference-docx", "--reference-doc"), "reference_docx", "FILE",
             "a Word template whose styles, page set-up, headers and footers the DOCX takes"),
            (("--cover", "--epub-cover-image"), "cover", "IMAGE",
             "the EPUB's cover picture (default: drawn from the metadata)"),
            (("--isbn",), "isbn", "ISBN", "ISBN of the edition (EPUB metadata, title and copyright pages)"),
            (("--doi",), "doi", "DOI", "DOI of the edition (EPUB metadata)")):
        g.add_argument(*flags, dest=dest, metavar=metavar, help=text)
    g.add_argument("--numbering", choices=("book", "chapter"),
                   help="a book's numbered paragraphs: continuous (book, default) or per chapter (3.14)")
    g.add_argument("--note-numbering", choices=("chapter", "book"),
                   help="footnotes of a book numbered per chapter (default) or through the book (EPUB)")
    g.add_argument("--toc", "--table-of-contents", action="store_true",
                   help="a table of contents (always made for EPUB, DOCX and PDF; accepted for pandoc users)")


def _add_limits(g: argparse._ArgumentGroup) -> None:
    g.add_argument("--resource-root", "--resource-path", dest="resource_root", metavar="DIR",
                   help="the folder pictures may be read from (default: the document's book folder, else its own)")
    helps = {
        "max_input_bytes": "refuse larger inputs",
        "max_expanded_bytes": "refuse archives (DOCX, ODT, EPUB) that expand to more",
        "max_depth": "refuse structures nested deeper",
        "max_table_span": "refuse table cells spanning more columns or rows",
        "max_table_cells": "refuse tables with more grid cells",
        "max_image_pixels": "refuse pictures of more pixels (decompression bombs)",
        "max_image_bytes": "refuse larger pictures",
        "max_media": "refuse documents with more distinct pictures",
        "job_timeout": "seconds a whole conversion may take (0: no limit)",
        "job_memory_mb": "megabytes of memory a conversion may use (0: no limit)",
        "tool_memory_mb": "megabytes of heap pandoc may use",
        "tool_timeout": "seconds an external tool (pandoc, LibreOffice) may run",
    }
    flags = {"job_memory_mb": "--job-memory", "tool_memory_mb": "--tool-memory"}
    defaults = Options()
    for name in LIMIT_FIELDS:
        default = getattr(defaults, name)
        kind = float if name in ("job_timeout", "tool_timeout") else int
        g.add_argument(flags.get(name, "--" + name.replace("_", "-")), dest=name, type=kind, metavar="N",
                       help=f"{helps[name]} (default {default})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation, completion and tests)."""
    parser = _Parser(prog="docpipe", description="One source document, many editions.", allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"docpipe {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("convert", help="convert documents (or a book) to one or more formats",
                       description="Convert one document, several in order, or a book file (SUMMARY.md, mkdocs.yml, "
                       "_quarto.yml, docpipe.toml) into one edition.", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    c.add_argument("inputs", nargs="+", metavar="INPUT", help="documents in order, a book file, or - for stdin")
    g = c.add_argument_group("conversion")
    g.add_argument("-t", "--to", help="comma-separated formats: " + ", ".join(registry.WRITERS)
                   + " (default: from -o)")
    g.add_argument("-o", "--output", action="append", default=[], metavar="FILE",
                   help="an output file, its format from the extension (repeatable; - is stdout)")
    g.add_argument("--out-dir", metavar="DIR", help="folder for the outputs, named NAME.SUFFIX (created if missing)")
    g.add_argument("--name", help="output file stem (default: the first input's stem)")
    g.add_argument("--edition-suffix", action="store_true",
                   help="put the edition in the file names (NAME.hans.a5.pdf), so editions can share a folder")
    g.add_argument("--overwrite", action="store_true", help=argparse.SUPPRESS)
    _add_io(g, several=True)
    _add_edition(c.add_argument_group("edition"))
    _add_publishing(c.add_argument_group("publishing"))
    _add_limits(c.add_argument_group("limits for untrusted input (defaults in SECURITY.md)"))

    i = sub.add_parser("inspect", help="print as JSON what the reader found", allow_abbrev=False)
    i.add_argument("inputs", nargs="+", metavar="INPUT", help="documents in order, a book file, or - for stdin")
    g = i.add_argument_group("conversion")
    _add_io(g, several=True)
    g.add_argument("--changes", action="store_true",
                   help="also list every change the edition made: where, offset, before, after, rule")
    _add_edition(i.add_argument_group("edition"))
    _add_limits(i.add_argument_group("limits for untrusted input (defaults in SECURITY.md)"))

    b = sub.add_parser("build", help="build every edition of every document (or book) a project file names",
                       allow_abbrev=False)
    b.add_argument("--project", default="docpipe.toml", help="the project file (default: docpipe.toml)")
    _many_options(b)

    m = sub.add_parser("batch", help="convert several documents or folders at once, each on its own",
                       allow_abbrev=False)
    m.add_argument("sources", nargs="+", help="files or folders")
    m.add_argument("-t", "--to", required=True, help="comma-separated formats")
    m.add_argument("--out-dir", required=True, help="folder for the outputs")
    m.add_argument("--script", choices=SCRIPTS, default="keep", help="script edition (default: keep)")
    m.add_argument("--pdf-engine", choices=("auto", *registry.PDF_ENGINES), default="auto",
                   help="PDF engine for every document, as convert's --pdf-engine (default: auto)")
    _many_options(m)

    d = sub.add_parser("deps", help="print the style and font files a format depends on (for make)")
    d.add_argument("format")

    k = sub.add_parser("completion", help="print a shell completion script: eval \"$(docpipe completion bash)\"")
    k.add_argument("shell", choices=("bash", "zsh"))

    pr = sub.add_parser("proof", help="render chosen pages of the PDF, DOCX and EPUB into one contact sheet")
    from .proof import add_arguments
    add_arguments(pr)
    return parser


def _many_options(p: argparse.ArgumentParser) -> None:
    """What ``build`` and ``batch`` share: workers, the cluster, forcing, how much to print."""
    p.add_argument("-j", "--jobs", type=int, default=None, help="local worker processes (default: the number of cores)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="run the jobs on a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786 (see README)")
    p.add_argument("--force", action="store_true", help="rebuild everything, even what is up to date")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress; only the summary and errors")
    p.add_argument("-v", "--verbose", action="count", default=0, help="print every job's diagnostics as it ends")


# ---- options from arguments (and a project's defaults) ---------------------------------------------------------

#: argparse dest -> Options field, where they differ.
_EDITION_ARGS = ("script", "diplomatic", "keep_spaces", "lang", "vertical", "embed_fonts", "serif_font", "page_size",
                 "mirror_margins", "pdf_engine", "pdf_variant", "bleed", "marks", "source_pages", "source_lines",
                 "numbering", "note_numbering", "css",
                 "reference_docx", "cover", "isbn", "doi")


def _metadata(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    from .transforms.metadata import check_key
    pairs: list[tuple[str, str]] = []
    if getattr(args, "metadata_file", None):
        pairs.extend(_metadata_file(Path(args.metadata_file)))
    for item in getattr(args, "metadata", []) or []:
        key, sep, value = item.partition("=")
        if not sep:
            key, sep, value = item.partition(":")
        if not sep or not key.strip():
            raise UsageError(f"-M {item!r}: expected KEY=VALUE", expected='e.g. -M title="A title"')
        pairs.append((check_key(key), value.strip()))
    return tuple(pairs)


def _metadata_file(path: Path) -> list[tuple[str, str]]:
    """KEY=VALUE pairs from a YAML or TOML metadata file; lists give repeated keys."""
    from .transforms.metadata import check_key
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the metadata file: {getattr(exc, 'strerror', None) or exc}",
                         file=str(path)) from exc
    data: Any
    try:
        if path.suffix.lower() == ".toml":
            import tomllib
            data = tomllib.loads(text)
        else:
            import yaml
            data = yaml.safe_load(text)
    except Exception as exc:  # the parsers' own errors: one line naming the file
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise UsageError(f"not valid {'TOML' if path.suffix.lower() == '.toml' else 'YAML'}: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=str(path),
                         line=line + 1 if isinstance(line, int) else None) from exc
    if data is None:
        return []
    if not isinstance(data, dict):
        raise UsageError("a metadata file must be a mapping of keys to values", file=str(path))
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, dict | list) or v is None:
                raise UsageError(f"metadata {key!r}: expected text, a number or a date", file=str(path))
            out.append((check_key(str(key)), str(v)))
    return out


def _options(args: argparse.Namespace, base: Options) -> Options:
    """The run's options: the project's defaults (``base``), then every argument given on the command line."""
    changes: dict[str, object] = {}
    for name in _EDITION_ARGS:
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "join_numbers", None):
        changes["number_joiner"] = "\u202f" if args.join_numbers == "nnbsp" else ""
    meta = _metadata(args)
    if meta:
        changes["metadata"] = (*base.metadata, *meta)
    for name in LIMIT_FIELDS:
        value = getattr(args, name, None)
        if value is not None:
            if value < 0:
                raise UsageError(f"--{name.replace('_', '-')} {value}: must not be negative")
            changes[name] = (value or None) if name in ("job_timeout", "job_memory_mb") else value
    for name in ("encoding", "input_format", "resource_root"):
        if getattr(args, name, None) is not None:
            changes[name] = getattr(args, name)
    if getattr(args, "strict", False):
        changes["strict"] = True
    if changes.get("lang"):
        from .transforms.metadata import check_lang
        check_lang(str(changes["lang"]))
    return base.with_(**changes)


# ---- convert and inspect ------------------------------------------------------------------------------------------


def _targets(args: argparse.Namespace) -> tuple[list[str], dict[str, str] | None, bool]:
    """The formats, the explicit targets (format -> path, from ``-o``) and whether one goes to stdout."""
    formats = [f.strip() for f in (args.to or "").split(",") if f.strip()]
    if not args.output:
        if not formats:
            raise UsageError("no output format named", expected="--to FORMATS with --out-dir, or -o FILE")
        if not args.out_dir:
            raise UsageError("no output named", expected="--out-dir DIR or -o FILE")
        if args.out_dir == "-":
            raise UsageError("--out-dir - is not a folder", expected="-o - with one text format for standard output")
        return formats, None, False
    if args.out_dir:
        raise UsageError("-o and --out-dir both given", expected="one of them")
    targets: dict[str, str] = {}
    stdout = False
    for out in args.output:
        if out == "-":
            if len(formats) != 1 or len(args.output) != 1:
                raise UsageError("-o - (standard output) needs exactly one --to format and no other -o",
                                 expected="e.g. -o - --to html")
            fmt = registry.writer_name(formats[0])
            if fmt not in TEXT_FORMATS:
                raise UsageError(f"{fmt} is not a text format and cannot go to standard output",
                                 expected="html, md, tei or ir; or -o FILE." + registry.output_suffix(fmt))
            targets[fmt] = out
            stdout = True
            continue
        fmt = registry.format_for_path(out)
        if fmt in targets:
            raise UsageError(f"two -o outputs of format {fmt}: {targets[fmt]} and {out}",
                             expected="one output per format")
        targets[fmt] = out
    if formats and not stdout and {registry.writer_name(f) for f in formats} != set(targets):
        raise UsageError("--to and -o name different formats", expected="one of them, or the same formats")
    return list(targets), targets, stdout


def _read_stdin(args: argparse.Namespace, opts: Options) -> Path:
    """Standard input saved to a private temporary file (the readers take a path's bytes); its path."""
    import tempfile
    if not opts.input_format:
        raise UsageError("reading standard input needs its format", expected="--from FORMAT (md, html, docx…)")
    data = sys.stdin.buffer.read(opts.max_input_bytes + 1)
    if len(data) > opts.max_input_bytes:
        raise InputError(f"standard input is over the limit of {opts.max_input_bytes} bytes", file="-")
    folder = Path(tempfile.mkdtemp(prefix="docpipe-stdin-"))
    path = folder / ("stdin" + _suffix_for(opts.input_format))
    path.write_bytes(data)
    return path


def _suffix_for(fmt: str) -> str:
    name = registry.reader_name(fmt)
    return next(s for s, r in registry.SUFFIXES.items() if r == name)


def _convert(args: argparse.Namespace, opts: Options, diag: Diagnostics) -> int:
    from . import convert
    from .budget import job_budget
    formats, targets, stdout = _targets(args)
    inputs = list(args.inputs)
    stdin_dir: Path | None = None
    if "-" in inputs:
        if len(inputs) > 1:
            raise UsageError("- (standard input) must be the only input")
        path = _read_stdin(args, opts)
        stdin_dir = path.parent
        inputs = [str(path)]
        opts = opts.with_(source_name="stdin", base_dir=os.getcwd())
    if args.overwrite and not args.quiet:
        print("docpipe: note: outputs are always replaced; --overwrite is no longer needed", file=sys.stderr)
    name = args.name
    if args.edition_suffix:
        if targets is not None:
            raise UsageError("--edition-suffix names files in --out-dir; -o names them itself")
        from . import default_name
        name = (name or default_name(Path(inputs[0]), opts.script)) + opts.edition().suffix()
    try:
        with job_budget(opts.job_timeout, opts.job_memory_mb, inputs[0]), _Progress(args, inputs[0]):
            if stdout:
                assert targets is not None
                return _to_stdout(inputs, formats[0], opts, diag, args)
            result = convert(inputs if len(inputs) > 1 else inputs[0], formats, args.out_dir, opts, name=name,
                             diag=diag, targets=targets)
    finally:
        if stdin_dir is not None:
            import shutil
            shutil.rmtree(stdin_dir, ignore_errors=True)
    _report(diag, args)
    if not args.quiet:
        for path in result.outputs.values():
            print(printable(str(path)))
    return EXIT_OK


def _to_stdout(inputs: list[str], fmt: str, opts: Options, diag: Diagnostics, args: argparse.Namespace) -> int:
    """One text format written to standard output (its pictures, if any, are not written: said so)."""
    from . import read_document
    from .core import render
    doc, opts = read_document(inputs if len(inputs) > 1 else inputs[0], opts, diag)
    rendered = render(doc, [fmt], opts.with_(output_name="stdout"), diag)
    if rendered.media:
        diag.emit("writer-dropped", f"{len(rendered.media)} picture(s) are not written with standard output; "
                  "use -o FILE to get them in FILE's .media folder")
    _report(diag, args)
    sys.stdout.buffer.write(rendered.files[registry.writer_name(fmt)])
    sys.stdout.flush()
    return EXIT_OK


def _inspect(args: argparse.Namespace, opts: Options) -> int:
    from . import inspect
    from .budget import job_budget
    inputs = list(args.inputs)
    with job_budget(opts.job_timeout, opts.job_memory_mb, inputs[0]):
        report = inspect(inputs if len(inputs) > 1 else inputs[0], opts, changes=args.changes)
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


class _Progress:
    """A spinner on a terminal for conversions that take more than a moment (rich, transient); nothing otherwise."""

    def __init__(self, args: argparse.Namespace, what: str) -> None:
        self.live: Any = None
        if args.quiet or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
            return
        from rich.console import Console
        self.live = Console(file=sys.stderr).status(f"converting {printable(what)}", spinner="dots")

    def __enter__(self) -> _Progress:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)


# ---- build, batch, deps, completion ------------------------------------------------------------------------------


def _many(args: argparse.Namespace) -> int:
    from .build import batch, build, load_project, summary

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"-j {args.jobs}: needs at least one worker", expected="-j 1 or more")
    common = {"workers": args.jobs, "force": args.force, "verbose": bool(args.verbose), "quiet": args.quiet,
              "cluster": args.cluster}
    try:
        if args.command == "build":
            outcomes = build(load_project(Path(args.project)), **common)
        else:
            formats = [f.strip() for f in args.to.split(",") if f.strip()]
            outcomes = batch([Path(s) for s in args.sources], formats, Path(args.out_dir), script=args.script,
                             edition=Edition(pdf_engine=args.pdf_engine), **common)
    except KeyboardInterrupt:
        print("docpipe: interrupted; the manifest keeps every finished job: run the same command to finish",
              file=sys.stderr)
        return 130
    print(summary(outcomes))
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_ERROR


def completion(shell: str, parser: argparse.ArgumentParser | None = None) -> str:
    """A completion script for ``shell`` (bash; zsh through bashcompinit), made from the parser itself."""
    parser = parser or build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases = []
    for name, p in sub.choices.items():
        opts = sorted({s for a in p._actions for s in a.option_strings})
        files = "" if name in ("deps", "completion") else ' -f'
        cases.append(f'    {name}) COMPREPLY=($(compgen -W "{" ".join(opts)}"{files} -- "$cur"));;')
    body = "\n".join(cases)
    script = f"""_docpipe() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" cmd="${{COMP_WORDS[1]}}"
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "{' '.join(sub.choices)} --help --version" -- "$cur"));
    return; fi
  case "$cmd" in
{body}
  esac
}}
complete -o filenames -F _docpipe docpipe
"""
    if shell == "zsh":
        script = "autoload -U +X bashcompinit && bashcompinit\n" + script
    return script


# ---- main ----------------------------------------------------------------------------------------------------------


#: The terminating signal received, if any: the exit status says so even where the SystemExit raised for it did not
#: unwind the run (raised inside an import, CPython wraps it: ``Error calling __set_name__``; some library code
#: swallows it), and no internal error is reported for it.
_SIGNALLED: list[int] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwinds through atomic_write's cleanup, so no temporary file is left behind.
    _SIGNALLED.append(signum)
    raise SystemExit(128 + signum)


def _report(diag: Diagnostics, args: argparse.Namespace) -> None:
    if args.quiet:
        return
    floor = Severity.INFO if args.verbose else Severity.WARNING
    for d in diag.items:
        if d.severity >= floor:
            print(d.one_line(), file=sys.stderr)


def _project_defaults() -> Options:
    """Inside a project (a ``docpipe.toml`` in the current folder), its ``[defaults]`` for ``convert``/``inspect``."""
    path = Path("docpipe.toml")
    if not path.is_file():
        return Options()
    from .project import project_defaults
    return project_defaults(path)


def command() -> int:
    """The ``docpipe`` command (and ``python -m pipeline``): :func:`main` in a process of its own, with the
    garbage collector set for one (:func:`.budget.collect_less`; not done by :func:`main`, which a program may
    call in a process that lives on)."""
    collect_less()
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (128 + N after terminating signal N, however the run ended)."""
    code = _main(argv)
    return 128 + _SIGNALLED[0] if _SIGNALLED else code


def _main(argv: Sequence[str] | None) -> int:
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):  # SIGKILL's leftovers: fileio.remove_leftovers
        signal.signal(sig, _on_sigterm)
    # Ctrl-C stops a run even when a non-interactive shell started us with SIGINT ignored (as it does for `cmd &`,
    # and Python then installs no KeyboardInterrupt handler of its own)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = build_parser()
    args: argparse.Namespace | None = None
    diag = Diagnostics()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:  # reported by the command's own parser, with its options as suggestions
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            raise UsageError(_unknown(sub.choices[args.command], extras))
        if args.command == "deps":
            from .build import FORMAT_DEPS
            print(" ".join(FORMAT_DEPS[registry.writer_name(args.format)]))
            return EXIT_OK
        if args.command == "completion":
            sys.stdout.write(completion(args.shell, parser))
            return EXIT_OK
        if args.command == "proof":
            from .proof import run
            print(run(args))
            return EXIT_OK
        if args.command in ("build", "batch"):
            return _many(args)
        diag = Diagnostics(file=args.inputs[0])
        opts = _options(args, _project_defaults())
        if args.command == "convert":
            return _convert(args, opts, diag)
        return _inspect(args, opts)
    except DocpipeError as exc:
        if args is not None and hasattr(args, "quiet"):
            _report(diag, args)
        print(f"docpipe: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("docpipe: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print(f"docpipe: error: {_what(args)}structure nested too deeply", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print(f"docpipe: error: {_what(args)}out of memory", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OUTPUT
    except Exception as exc:
        if _SIGNALLED:  # the signal's SystemExit, wrapped by the code it interrupted: no internal error
            return 128 + _SIGNALLED[0]
        if args is not None and getattr(args, "verbose", 0) >= 2:
            traceback.print_exc()
        print(printable(f"docpipe: internal error: {type(exc).__name__}: {exc} (while processing "
                        f"{_what(args) or 'the command'}; please report it, with -vv for the traceback)"),
              file=sys.stderr)
        return EXIT_INTERNAL


def _what(args: argparse.Namespace | None) -> str:
    inputs = getattr(args, "inputs", None) or getattr(args, "sources", None)
    return printable(f"{inputs[0]}: ") if inputs else ""


__all__ = ["Edition", "build_parser", "completion", "main"]


if __name__ == "__main__":  # ``python -m pipeline.cli`` as ``python -m pipeline``
    raise SystemExit(main())
