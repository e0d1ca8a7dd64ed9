"""Running pandoc (sandboxed, time-limited, API version checked) and guarding archives before it sees them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
import zlib
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
        raise InputError(f"pandoc could not read it as {fmt}: {message[-1] if message else proc.returncode}",
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
