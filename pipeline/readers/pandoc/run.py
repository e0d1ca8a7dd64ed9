"""Running pandoc (sandboxed, time-limited, API version checked) and guarding archives before it sees them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

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
    """Refuse zip bombs, path traversal and XML entity declarations in DOCX/ODT/EPUB inputs."""
    try:
        z = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError("is not a valid zip archive", file=name, expected="a DOCX, ODT or EPUB file") from exc
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise LimitError(f"the archive has {len(infos)} members", file=name,
                         expected=f"at most {MAX_MEMBERS}")
    total = 0
    for info in infos:
        path = PurePosixPath(info.filename)
        if info.filename.startswith(("/", "\\")) or ".." in path.parts or ":" in info.filename.split("/")[0]:
            raise InputError(f"archive member {info.filename!r} points outside the archive", file=name,
                             expected="relative member names without '..'")
        total += info.file_size
        if total > options.max_expanded_bytes:
            raise LimitError(f"the archive expands to more than {options.max_expanded_bytes} bytes", file=name,
                             expected="a smaller archive or a higher --max-expanded-bytes")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10_000_000:
            raise LimitError(f"archive member {info.filename!r} is compressed {info.file_size // info.compress_size}"
                             " times (a zip bomb?)", file=name, expected=f"a ratio under {MAX_RATIO}")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".xhtml", ".html", ".opf", ".ncx")):
            with z.open(info) as fh:
                head = fh.read(min(info.file_size, 4_000_000))
            m = ENTITY.search(head)
            if m:
                raise InputError(f"archive member {info.filename!r} declares XML entities", file=name,
                                 offset=m.start(), expected="XML without <!ENTITY declarations")


def run_pandoc(data: bytes, fmt: str, name: str, options: Options) -> dict[str, Any]:
    """pandoc's JSON AST for ``data`` read as ``fmt``."""
    cmd = [pandoc_path(), "--sandbox", "-f", fmt, "-t", "json"]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=options.tool_timeout)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"pandoc did not finish within {options.tool_timeout:g} s", file=name,
                        expected="a smaller input or a higher --tool-timeout") from exc
    except OSError as exc:
        raise ToolError(f"pandoc could not be started: {exc}", file=name) from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"pandoc could not read it as {fmt}: {message[-1] if message else proc.returncode}",
                         file=name, expected=f"a valid {fmt} document")
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
