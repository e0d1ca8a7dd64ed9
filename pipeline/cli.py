"""The command line: ``docpipe convert`` and ``docpipe inspect`` (and the commands later issues add)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType

from . import __version__, convert, inspect, registry
from .diagnostics import Diagnostics, Severity
from .errors import DocpipeError, UsageError
from .options import SCRIPTS, Options, default_epoch

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_STRICT, EXIT_OUTPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="the source document")
    p.add_argument("--from", dest="input_format", metavar="FORMAT",
                   help="input format (default: from the file name): " + ", ".join(registry.READERS))
    p.add_argument("--script", choices=SCRIPTS, default="keep", help="script edition (default: keep)")
    p.add_argument("--encoding", help="input encoding, instead of detecting it (plain-text reports)")
    p.add_argument("--keep-spaces", action="store_true",
                   help="keep the source's spaces between Han and Latin/digits")
    p.add_argument("--diplomatic", action="store_true",
                   help="keep the text as written: recover the structure, skip every transform that changes text")
    p.add_argument("--join-numbers", choices=("nnbsp", "none"), default="nnbsp",
                   help="join space-grouped digits with U+202F (default) or with nothing")
    p.add_argument("--strict", action="store_true", help="fail (exit 3) when any warning is reported")
    limits = Options()
    p.add_argument("--max-input-bytes", type=int, default=limits.max_input_bytes, help="refuse larger inputs")
    p.add_argument("--max-expanded-bytes", type=int, default=limits.max_expanded_bytes,
                   help="refuse archives (DOCX, ODT, EPUB) that expand to more")
    p.add_argument("--max-depth", type=int, default=limits.max_depth, help="refuse structures nested deeper")
    p.add_argument("--max-table-span", type=int, default=limits.max_table_span,
                   help="refuse table cells spanning more columns or rows")
    p.add_argument("--max-table-cells", type=int, default=limits.max_table_cells,
                   help="refuse tables with more grid cells")
    p.add_argument("--resource-root", metavar="DIR",
                   help="the folder pictures may be read from (default: the document's own folder)")
    p.add_argument("--max-image-pixels", type=int, default=limits.max_image_pixels,
                   help="refuse pictures of more pixels (decompression bombs)")
    p.add_argument("--max-image-bytes", type=int, default=limits.max_image_bytes, help="refuse larger pictures")
    p.add_argument("--job-timeout", type=float, default=limits.job_timeout, metavar="SECONDS",
                   help="seconds a whole conversion may take (0: no limit)")
    p.add_argument("--job-memory", dest="job_memory_mb", type=int, default=limits.job_memory_mb, metavar="MB",
                   help="megabytes of memory a conversion may use (0: no limit)")
    p.add_argument("--tool-memory", dest="tool_memory_mb", type=int, default=limits.tool_memory_mb, metavar="MB",
                   help="megabytes of heap pandoc may use")
    p.add_argument("--tool-timeout", type=float, default=limits.tool_timeout,
                   help="seconds an external tool (pandoc) may run")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="print every diagnostic (-vv: and tracebacks of internal errors)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="docpipe", description="One source document, many editions.")
    parser.add_argument("--version", action="version", version=f"docpipe {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser("convert", help="convert one document to one or more formats")
    _common(c)
    c.add_argument("--to", required=True, help="comma-separated formats: " + ", ".join(registry.WRITERS))
    c.add_argument("--out-dir", required=True, help="folder for the outputs (created if missing)")
    c.add_argument("--name", help="output file stem (default: the input's stem)")
    c.add_argument("--overwrite", action="store_true",
                   help="replace outputs that hold another edition (default: refuse, see --edition-suffix)")
    c.add_argument("--vertical", action="store_true", help="vertical writing (EPUB)")
    c.add_argument("--embed-fonts", action="store_true", help="embed a subset of the edition's typeface (EPUB)")
    c.add_argument("--page-size", default="A4", help="A4, A5, B5, Letter or WxH (PDF, DOCX)")
    c.add_argument("--no-mirror-margins", action="store_true", help="same margins on every page (PDF)")
    c.add_argument("--pdf-variant", choices=("pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/x-4"),
                   help="PDF standard to follow")
    c.add_argument("--font", dest="serif_font", help="the edition's typeface family")
    _publisher_options(c)

    i = sub.add_parser("inspect", help="print as JSON what the reader found")
    _common(i)
    i.add_argument("--changes", action="store_true",
                   help="also list every change the edition made: where, offset, before, after, rule")

    b = sub.add_parser("build", help="build every edition of every document named by a project file")
    b.add_argument("--project", default="docpipe.toml", help="the project file (default: docpipe.toml)")
    _many_options(b)

    m = sub.add_parser("batch", help="convert several documents or folders at once")
    m.add_argument("sources", nargs="+", help="files or folders")
    m.add_argument("--to", required=True, help="comma-separated formats")
    m.add_argument("--out-dir", required=True, help="folder for the outputs")
    m.add_argument("--script", choices=SCRIPTS, default="keep", help="script edition (default: keep)")
    _many_options(m)

    d = sub.add_parser("deps", help="print the style and font files a format depends on (for make)")
    d.add_argument("format")
    return parser


def _publisher_options(p: argparse.ArgumentParser) -> None:
    """House styles, covers, identifiers and print marks (issue 17)."""
    p.add_argument("--css", metavar="FILE", help="a house stylesheet appended after docpipe's (EPUB, HTML, PDF)")
    p.add_argument("--reference-docx", metavar="FILE",
                   help="a Word template whose styles, page set-up, headers and footers the DOCX takes")
    p.add_argument("--cover", metavar="IMAGE", help="the EPUB's cover picture (default: drawn from the metadata)")
    p.add_argument("--isbn", help="ISBN of the edition (EPUB metadata)")
    p.add_argument("--doi", help="DOI of the edition (EPUB metadata)")
    p.add_argument("--bleed", metavar="LENGTH", help="bleed beyond the trim box, e.g. 3mm (PDF, with pdf/x-4)")
    p.add_argument("--marks", action="store_true", help="crop and registration marks in the bleed (PDF)")
    p.add_argument("--edition-suffix", action="store_true",
                   help="put the edition in the file names (NAME.hans.a5.pdf), so editions can share a folder")


def _many_options(p: argparse.ArgumentParser) -> None:
    """What ``build`` and ``batch`` share: workers, the cluster, forcing, how much to print."""
    p.add_argument("-j", "--jobs", type=int, default=None, help="local worker processes (default: the number of cores)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="run the jobs on a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786 (see README)")
    p.add_argument("--force", action="store_true", help="rebuild everything, even what is up to date")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress; only the summary and errors")
    p.add_argument("-v", "--verbose", action="count", default=0, help="print every job's diagnostics as it ends")


def _many(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .batch import batch, build, load_project, summary

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
                             **common)
    except KeyboardInterrupt:
        print("docpipe: interrupted; the manifest keeps every finished job: run the same command to finish",
              file=sys.stderr)
        return 130
    print(summary(outcomes))
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_ERROR


def _options(args: argparse.Namespace) -> Options:
    opts = Options(
        script=args.script, encoding=args.encoding, input_format=args.input_format, strict=args.strict,
        keep_spaces=args.keep_spaces, number_joiner="\u202f" if args.join_numbers == "nnbsp" else "",
        diplomatic=args.diplomatic,
        source_date_epoch=default_epoch(), max_input_bytes=args.max_input_bytes,
        max_expanded_bytes=args.max_expanded_bytes, max_depth=args.max_depth, tool_timeout=args.tool_timeout,
        resource_root=args.resource_root, tool_memory_mb=args.tool_memory_mb,
        max_table_span=args.max_table_span, max_table_cells=args.max_table_cells,
        job_timeout=args.job_timeout or None, job_memory_mb=args.job_memory_mb or None,
        max_image_pixels=args.max_image_pixels,
        max_image_bytes=args.max_image_bytes,
    )
    if args.command == "convert":
        opts = opts.with_(vertical=args.vertical, embed_fonts=args.embed_fonts, page_size=args.page_size,
                          mirror_margins=not args.no_mirror_margins, pdf_variant=args.pdf_variant,
                          serif_font=args.serif_font, css=args.css, reference_docx=args.reference_docx,
                          cover=args.cover, isbn=args.isbn, doi=args.doi, bleed=args.bleed, marks=args.marks,
                          overwrite=args.overwrite)
    return opts


def edition_suffix(opts: Options) -> str:
    """What ``--edition-suffix`` adds to NAME: every option that makes this edition differ from the default one
    (``.hans.a5.vertical``), so two editions written to one folder never share a file name."""
    import re

    parts = [opts.script if opts.script != "keep" else "",
             re.sub(r"[^a-z0-9]+", "", opts.page_size.lower()) if opts.page_size.lower() != "a4" else "",
             "vertical" if opts.vertical else "",
             re.sub(r"[^a-z0-9]+", "", opts.pdf_variant) if opts.pdf_variant else "",
             re.sub(r"[^a-z0-9]+", "", opts.serif_font.lower()) if opts.serif_font else ""]
    return "".join(f".{p}" for p in parts if p)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwinds through atomic_write's cleanup, so no temporary file is left behind.
    raise SystemExit(128 + signum)


def _report(diag: Diagnostics, args: argparse.Namespace) -> None:
    if args.quiet:
        return
    floor = Severity.INFO if args.verbose else Severity.WARNING
    for d in diag.items:
        if d.severity >= floor:
            print(d.one_line(), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):  # SIGKILL's leftovers: fileio.remove_leftovers
        signal.signal(sig, _on_sigterm)
    # Ctrl-C stops a run even when a non-interactive shell started us with SIGINT ignored (as it does for `cmd &`,
    # and Python then installs no KeyboardInterrupt handler of its own)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "deps":
        from .batch import FORMAT_DEPS
        try:
            print(" ".join(FORMAT_DEPS[registry.writer_name(args.format)]))
        except UsageError as exc:
            print(f"docpipe: error: {exc.one_line()}", file=sys.stderr)
            return exc.exit_code
        return EXIT_OK
    if args.command in ("build", "batch"):
        try:
            return _many(args)
        except DocpipeError as exc:
            print(f"docpipe: error: {exc.one_line()}", file=sys.stderr)
            return exc.exit_code
        except Exception as exc:
            if args.verbose >= 2:
                traceback.print_exc()
            print(f"docpipe: internal error: {type(exc).__name__}: {exc} (please report it, with -vv for the "
                  "traceback)", file=sys.stderr)
            return EXIT_INTERNAL
    diag = Diagnostics(file=args.input)
    try:
        opts = _options(args)
        if args.command == "convert":
            formats = [f.strip() for f in args.to.split(",") if f.strip()]
            if not formats:
                raise UsageError("--to names no format", expected="e.g. --to epub,pdf")
            name = args.name
            if args.edition_suffix:
                from pathlib import Path
                name = (name or registry.output_stem(Path(args.input))) + edition_suffix(opts)
            result = convert(args.input, formats, args.out_dir, opts, name=name, diag=diag)
            _report(diag, args)
            if not args.quiet:
                for path in result.outputs.values():
                    print(path)
            return EXIT_OK
        if args.command == "inspect":
            report = inspect(args.input, opts, changes=args.changes)
            sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
            return EXIT_OK
        raise UsageError(f"unknown command {args.command!r}")
    except DocpipeError as exc:
        _report(diag, args)
        print(f"docpipe: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("docpipe: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print(f"docpipe: error: {args.input}: structure nested too deeply", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print(f"docpipe: error: {args.input}: out of memory", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if args.verbose >= 2:
            traceback.print_exc()
        print(f"docpipe: internal error: {type(exc).__name__}: {exc} (while processing {args.input}; "
              "please report it, with -vv for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
