"""Running pandoc (sandboxed, time-limited, API version checked) and guarding archives before it sees them."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import zipfile
import zlib
from collections.abc import Sequence
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from ...diagnostics import Diagnostics
from ...errors import InputError, LimitError, ToolError
from ...options import Options

MIN_API = (1, 22)
MAX_MEMBERS = 10000
MAX_RATIO = 200
ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def pandoc_path() -> str:
    """The pandoc executable shipped with pypandoc-binary (or on PATH)."""
    override = os.environ.get("DOCPIPE_PANDOC")
    if override:
        return override
    try:
        import pypandoc
        path: str = pypandoc.get_pandoc_path()
        return path
    except (ImportError, OSError) as exc:
        raise ToolError("pandoc is not available (pip install pypandoc-binary)") from exc


def check_archive(data: bytes, name: str, options: Options) -> None:
    """Refuse zip bombs, path traversal, broken or encrypted members and XML entity declarations.

    Every member is decompressed once, as a stream, counting the bytes it really yields: a member that
    declares 1,000 bytes and inflates to gigabytes is stopped at ``--max-expanded-bytes``, whatever the zip's
    directory says. The entity scan reads every member whole (any name: Word finds its main part through
    the relationships, not by suffix), across chunk boundaries.
    """
    try:
        z = zipfile.ZipFile(BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError("is not a valid zip archive", file=name, expected="a DOCX, ODT or EPUB file") from exc
    if len(infos) > MAX_MEMBERS:
        raise LimitError(f"the archive has {len(infos)} members", file=name,
                         expected=f"at most {MAX_MEMBERS}")
    total = 0
    chunk = 1 << 16
    for info in infos:
        path = PurePosixPath(info.filename)
        if info.filename.startswith(("/", "\\")) or ".." in path.parts or ":" in info.filename.split("/")[0]:
            raise InputError(f"archive member {info.filename!r} points outside the archive", file=name,
                             expected="relative member names without '..'")
        if info.flag_bits & 0x1:
            raise InputError(f"archive member {info.filename!r} is encrypted", file=name,
                             expected="an archive without passwords")
        if info.is_dir():
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(f"archive member {info.filename!r} uses compression method {info.compress_type}",
                             file=name, expected="deflate or stored members")
        raw = _raw_member(data, info, name)
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        size = 0
        tail = b""
        crc = 0
        pos = 0
        pending = b""
        while True:
            # the real bytes, whatever the directory declares: inflated in bounded steps
            if inflater is None:
                block = raw[pos:pos + chunk]
                pos += len(block)
            elif pending:
                block = inflater.decompress(pending, chunk)
                pending = inflater.unconsumed_tail
            elif pos < len(raw):
                block = inflater.decompress(raw[pos:pos + chunk], chunk)
                pending = inflater.unconsumed_tail
                pos += chunk
            else:
                block = inflater.flush(chunk) if not inflater.eof else b""
            if not block:
                if inflater is not None and (pending or pos < len(raw)):
                    continue
                break
            size += len(block)
            total += len(block)
            crc = zlib.crc32(block, crc)
            if total > options.max_expanded_bytes:
                raise LimitError(f"the archive expands to more than {options.max_expanded_bytes} bytes "
                                 f"(member {info.filename!r})", file=name,
                                 expected="a smaller archive or a higher --max-expanded-bytes")
            if size > info.file_size:
                raise LimitError(f"archive member {info.filename!r} declares {info.file_size} bytes but inflates "
                                 "past that (a zip bomb?)", file=name, expected="sizes that tell the truth")
            if size > 10_000_000 and size > MAX_RATIO * max(info.compress_size, 1):
                raise LimitError(f"archive member {info.filename!r} expands to more than {MAX_RATIO} times its "
                                 "compressed size (a zip bomb?)", file=name, expected=f"a ratio under {MAX_RATIO}")
            window = tail + block
            m = ENTITY.search(window)
            if m:
                raise InputError(f"archive member {info.filename!r} declares XML entities", file=name,
                                 offset=size - len(window) + m.start(),
                                 expected="XML without <!ENTITY declarations")
            tail = window[-16:]
        if size != info.file_size or crc != info.CRC:
            raise InputError(f"archive member {info.filename!r} is corrupt (its size or CRC does not match)",
                             file=name, expected="an undamaged archive")


def _raw_member(data: bytes, info: zipfile.ZipInfo, name: str) -> bytes:
    """A member's compressed bytes, located through its local header."""
    import struct
    start = info.header_offset
    header = data[start:start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise InputError(f"archive member {info.filename!r} has no local header", file=name,
                         expected="an undamaged archive")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    begin = start + 30 + name_len + extra_len
    raw = data[begin:begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise InputError(f"archive member {info.filename!r} is truncated", file=name, expected="a whole archive")
    return raw


def run_pandoc(data: bytes, fmt: str, name: str, options: Options, diag: Diagnostics | None = None
               ) -> dict[str, Any]:
    """pandoc's JSON AST for ``data`` read as ``fmt``; pandoc's own warnings (``[WARNING] …``) become
    ``tool-warning`` diagnostics in ``diag``, each once, never lines on the terminal."""
    # pandoc's own heap limit (its documented +RTS -M): a parser blow-up ends in "Heap exhausted", not 4 GB
    cmd = [pandoc_path(), "+RTS", f"-M{options.tool_memory_mb}m", "-RTS", "--sandbox", "-f", fmt, "-t", "json"]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=options.tool_timeout)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"pandoc did not finish within {options.tool_timeout:g} s", file=name,
                        expected="a smaller input or a higher --tool-timeout") from exc
    except OSError as exc:
        raise ToolError(f"pandoc could not be started: {exc}", file=name) from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("Heap exhausted" in ln for ln in message):
            from ...errors import LimitError as _Limit
            raise _Limit(f"pandoc needed more than {options.tool_memory_mb} MB to read it", file=name,
                         expected="a simpler document or a higher --tool-memory")
        bad_yaml = next((m for m in (_BAD_YAML.search(ln) for ln in message) if m), None)
        if bad_yaml is not None and fmt.startswith("markdown") and "-yaml_metadata_block" not in fmt:
            return _without_yaml_blocks(data, fmt, name, options, diag, int(bad_yaml.group(1)), message)
        where = next((m.group(0) for m in (_AT_LINE.search(ln) for ln in message) if m), "")
        raise InputError(f"pandoc could not read it as {fmt}{where}: {message[-1] if message else proc.returncode}",
                         file=name, expected=f"a valid {fmt} document")
    if diag is not None:
        for warning in pandoc_warnings(proc.stderr):
            diag.emit("tool-warning", f"pandoc: {warning}")
    try:
        ast: dict[str, Any] = json.loads(proc.stdout)
    except RecursionError as exc:
        raise LimitError("structure nested too deeply", file=name,
                         expected=f"at most {options.max_depth} levels") from exc
    except json.JSONDecodeError as exc:
        raise ToolError("pandoc wrote no valid JSON", file=name) from exc
    version = tuple(ast.get("pandoc-api-version", [0, 0])[:2])
    if version < MIN_API:
        raise ToolError(f"pandoc API {'.'.join(map(str, version))} is too old", file=name,
                        expected=f"pandoc-api-version {MIN_API[0]}.{MIN_API[1]} or later (pandoc 3)")
    return ast


_BAD_YAML = re.compile(r"Error parsing YAML metadata at .*\(line (\d+), column \d+\)")
_AT_LINE = re.compile(r" \(line \d+, column \d+\)")
#: A front matter block at the very top of a Markdown text: ``---`` ... ``---`` or ``...``.
_FRONT = re.compile(rb"\A---[ \t]*\r?\n(?:.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def _without_yaml_blocks(data: bytes, fmt: str, name: str, options: Options, diag: Diagnostics | None, line: int,
                         message: list[str]) -> dict[str, Any]:
    """pandoc's AST for Markdown in which a ``---`` line after the top opens what pandoc takes for a YAML block and
    cannot parse (a thematic break before a list, as in free-programming-books): read with metadata only from the
    front matter at the top, the rest as Markdown without metadata blocks — the ``---`` a thematic break — and
    said."""
    front = _FRONT.match(data) if line > 1 else None
    meta: dict[str, Any] = {}
    if front is not None:
        meta = run_pandoc(front.group(0), fmt, name, options, diag).get("meta", {})
        rest = b"\n" * front.group(0).count(b"\n") + data[front.end():]  # the same line numbers
    else:
        rest = data
    ast = run_pandoc(rest, fmt + "-yaml_metadata_block", name, options, diag)
    ast["meta"] = meta
    if diag is not None:
        why = " ".join(ln.strip() for ln in message[1:3])[:160]
        diag.emit("markdown-repaired", f"a '---' that pandoc took for a YAML metadata block it could not "
                  f"parse ({why}) is read as a thematic break; metadata only from the front matter at the top",
                  line=line)
    return ast


#: One pandoc process reading many texts, each on its own (its own footnote labels, link references and ids), each
#: in pandoc's sandbox (an empty file list: no file, no network): ``{"format": …, "options": …, "east_asian": …,
#: "texts": […]}`` on stdin, a JSON list of ``{"ast": …, "log": […]}`` (or ``{"error": "…"}``) on stdout. What
#: pandoc's command line does around its reader is done here too: its reader options (:func:`_cli_options`), tabs
#: expanded and carriage returns dropped (:func:`_as_read`), and ``east_asian_line_breaks`` (pandoc applies it
#: after reading): a soft break between two wide characters dropped, each tail of each inline list from the last,
#: as pandoc's ``eastAsianLineBreakFilter`` does.
_MANY = r"""
local job = pandoc.json.decode(io.read("a"), false)
local text = pandoc.text
local widths = {}
local function wide(s)
  if s == "" then return false end
  local w = widths[s]
  if w == nil then w = pandoc.layout.real_length(s) == 2; widths[s] = w end
  return w
end
-- a Str's text as it stands (most neighbours of a line break), anything else through stringify
local function str(x) if x.t == "Str" then return x.text end return pandoc.utils.stringify(x) end
local function joined(xs)
  for i = #xs - 2, 1, -1 do
    if xs[i + 1].t == "SoftBreak" then
      local a, b = str(xs[i]), str(xs[i + 2])
      if a ~= "" and b ~= "" and wide(text.sub(a, -1)) and wide(text.sub(b, 1, 1)) then xs:remove(i + 1) end
    end
  end
  return xs
end
local out = {}
for i, source in ipairs(job.texts) do
  local ok, log, doc = pcall(pandoc.log.silence, pandoc.read, source, job.format, job.options, {})
  if ok and job.east_asian then ok, doc = pcall(function() return doc:walk({Inlines = joined}) end) end
  if ok then
    local msgs = {}
    for j = #log, 1, -1 do msgs[#msgs + 1] = pandoc.json.encode(log[j]) end
    out[i] = '{"ast":' .. pandoc.write(doc, "json") .. ',"log":[' .. table.concat(msgs, ",") .. ']}'
  else
    out[i] = '{"error":' .. pandoc.json.encode(tostring(log)) .. '}'
  end
end
io.write("[", table.concat(out, ","), "]")
"""


@functools.cache
def _cli_options() -> dict[str, Any]:
    """The reader options pandoc's command line sets that ``pandoc.read`` does not: 72 columns (the widths of
    long tables), and the abbreviations of its data file (``Dr.``, ``e.g.``: a no-break space after them)."""
    options: dict[str, Any] = {"columns": 72, "tab_stop": 4}
    try:
        proc = subprocess.run([pandoc_path(), "--print-default-data-file", "abbreviations"], capture_output=True,
                              timeout=60, check=True)
    except (OSError, subprocess.SubprocessError, ToolError):
        return options
    data = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    for own in (os.path.join(data, "pandoc", "abbreviations"), os.path.expanduser("~/.pandoc/abbreviations")):
        if os.path.isfile(own):  # the user's data file, which pandoc's command line reads instead
            with open(own, "rb") as f:
                proc.stdout = f.read()
            break
    # a set, for pandoc's Lua: each abbreviation a key
    options["abbreviations"] = {a: True for a in proc.stdout.decode("utf-8", "replace").splitlines() if a.strip()}
    return options


def _as_read(text: bytes) -> str:
    """The text pandoc's command line hands its reader: carriage returns dropped, tabs expanded to its tab stop
    of 4 (line by line, each line ending in a newline)."""
    lines = text.decode("utf-8", "replace").replace("\r", "").split("\n")
    if lines[-1] == "":
        lines.pop()
    return "".join(line.expandtabs(4) + "\n" for line in lines)


def run_pandoc_many(texts: Sequence[bytes], fmt: str, names: Sequence[str], options: Options,
                    diags: Sequence[Diagnostics]) -> list[dict[str, Any]]:
    """:func:`run_pandoc` on each of ``texts`` (UTF-8 text, read as ``fmt``), in one pandoc process: a book's
    chapters pay pandoc's start (about 0.1 s of CPU each, most of it its 64 MB heap) once. Each text is read
    on its own, into the AST a run of its own makes; a text the batch could not read (or a pandoc without
    ``pandoc lua``) gets a run of its own, with that run's errors."""
    if len(texts) < 2:
        return [run_pandoc(t, fmt, n, options, d) for t, n, d in zip(texts, names, diags, strict=True)]
    batches = _batches(texts)
    if len(batches) == 1:
        results = _run_many(texts, fmt, options)
    else:  # pandoc reads on one core: a long book's halves read side by side
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(batches)) as pool:
            parts = list(pool.map(lambda b: _run_many([texts[i] for i in b], fmt, options), batches))
        results = [r for part in parts for r in part]
    asts: list[dict[str, Any]] = []
    for text, name, diag, got in zip(texts, names, diags, results, strict=True):
        ast = got.get("ast") if isinstance(got, dict) else None
        if not isinstance(ast, dict) or tuple(ast.get("pandoc-api-version", [0, 0])[:2]) < MIN_API:
            asts.append(run_pandoc(text, fmt, name, options, diag))
            continue
        warnings = [m.get("pretty", "") for m in got.get("log", []) if isinstance(m, dict)
                    and m.get("verbosity") == "WARNING"]
        for warning in warnings[:50]:
            diag.emit("tool-warning", f"pandoc: {' '.join(str(warning).split())[:300]}")
        asts.append(ast)
    return asts


#: Bytes of text below which a book's chapters are read in one pandoc process (a second one costs its start).
PARALLEL_BYTES = 1 << 20


def _batches(texts: Sequence[bytes]) -> list[list[int]]:
    """The texts' indices cut into consecutive runs of about equal size, one per core (at most 2 per MB)."""
    from ...budget import cores

    total = sum(len(t) for t in texts)
    n = max(1, min(cores(), len(texts), total // PARALLEL_BYTES * 2))
    out: list[list[int]] = [[] for _ in range(n)]
    seen = 0
    for i, t in enumerate(texts):
        out[min(n - 1, seen * n // max(total, 1))].append(i)
        seen += len(t)
    return [b for b in out if b]


def _run_many(texts: Sequence[bytes], fmt: str, options: Options) -> list[Any]:
    """pandoc's results for ``texts`` read in one process (each ``{"ast", "log"}``), or Nones where it failed."""
    cmd = [pandoc_path(), "+RTS", f"-M{options.tool_memory_mb}m", "-RTS", "lua", "-e", _MANY]
    job = {"format": fmt, "options": _cli_options(), "east_asian": "+east_asian_line_breaks" in fmt,
           "texts": [_as_read(t) for t in texts]}
    results: Any = []
    try:
        proc = subprocess.run(cmd, input=json.dumps(job).encode("utf-8"), capture_output=True,
                              timeout=options.tool_timeout * len(texts))
        if proc.returncode == 0:
            results = json.loads(proc.stdout)
    except (OSError, subprocess.TimeoutExpired, RecursionError, json.JSONDecodeError):
        results = []
    if not isinstance(results, list) or len(results) != len(texts):
        results = [None] * len(texts)
    return list(results)


def pandoc_warnings(stderr: bytes) -> list[str]:
    """pandoc's warnings, one line each: ``[WARNING] Could not convert TeX math …`` with its continuation lines
    joined (at most 300 characters each, at most 50 of them)."""
    out: list[str] = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        text = line.strip()
        if text.startswith("[WARNING]"):
            if len(out) == 50:
                break
            out.append(text.removeprefix("[WARNING]").strip())
        elif out and text and line[:1].isspace():
            out[-1] += " " + text
    return [w[:300] for w in out]
