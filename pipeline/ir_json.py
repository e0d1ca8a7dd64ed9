"""IR <-> JSON: every node as an object tagged ``"t"``, defaults omitted, the IR version checked on load.

Media bytes are embedded as base64 (``"data": "…"``) so that one ``.ir.json`` file is the whole document and
``make`` keeps a single intermediate per source; each medium's sha256 is checked when the file is loaded.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
import types
import typing
from typing import Any

from . import ir
from .errors import IRFormatError

VERSION_KEY = "docpipe-ir"


def to_data(node: object) -> Any:
    """A JSON-ready value for an IR node (or a tuple or scalar inside one)."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        out: dict[str, Any] = {"t": type(node).__name__}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.default is not dataclasses.MISSING and value == f.default:
                continue
            out[f.name] = to_data(value)
        return out
    if isinstance(node, tuple):
        return [to_data(v) for v in node]
    if isinstance(node, bytes):
        return base64.b64encode(node).decode("ascii")
    return node


def dumps(doc: ir.Document, *, compact: bool = False) -> str:
    """The ``.ir.json`` text for ``doc``: stable key order, UTF-8 characters unescaped, one trailing newline;
    indented for people to read and diff, or ``compact`` for docpipe's own use (a build's task, the chapter
    cache): the same data, written by json's C encoder, which an indent turns off (6× faster on a book)."""
    payload = {VERSION_KEY: ir.IR_VERSION, "document": to_data(doc)}
    if compact:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def write(doc: ir.Document, options: object = None, diag: object = None) -> bytes:
    """Writer entry point for ``--to ir``."""
    return dumps(doc).encode("utf-8")


def loads(text: str | bytes, *, file: str | None = None) -> ir.Document:
    """Parse ``.ir.json`` text; any problem is an :class:`IRFormatError` naming the file and the place."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IRFormatError(f"not JSON: {exc.msg}", file=file, line=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise IRFormatError("not UTF-8", file=file, offset=exc.start) from exc
    except RecursionError as exc:
        from .errors import LimitError
        raise LimitError("JSON nested too deeply", file=file, expected="a shallower document (--max-depth)") from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise IRFormatError(f"not usable JSON: {exc}", file=file) from exc
    if not isinstance(payload, dict) or VERSION_KEY not in payload:
        raise IRFormatError("not a docpipe IR file", file=file, expected=f'an object with "{VERSION_KEY}"')
    version = payload[VERSION_KEY]
    if not isinstance(version, str) or version.split(".")[0] != ir.IR_VERSION.split(".")[0]:
        raise IRFormatError(f"IR version {version!r} cannot be read by this docpipe (it reads {ir.IR_VERSION}); "
                            "convert the source again with this docpipe", file=file,
                            expected=f"version {ir.IR_VERSION}")
    try:
        doc = _build(payload.get("document"), ir.Document, "document", file)
    except RecursionError as exc:
        from .errors import LimitError
        raise LimitError("the IR is nested too deeply", file=file,
                         expected="a shallower document (--max-depth)") from exc
    assert isinstance(doc, ir.Document)
    names: set[str] = set()
    media: list[ir.Media] = []
    for i, m in enumerate(doc.media):
        if hashlib.sha256(m.data).hexdigest() != m.sha256:
            _fail(f"document.media[{i}].data", file, f"bytes whose sha256 is {m.sha256}")
        if m.name in names or not _SAFE_NAME.fullmatch(m.name):
            _fail(f"document.media[{i}].name", file, "a unique file name of letters, digits, '-', '_' and '.'")
        names.add(m.name)
        media.append(_checked_medium(m, f"document.media[{i}]", file))
    return doc if media == list(doc.media) else dataclasses.replace(doc, media=tuple(media))


def _checked_medium(m: ir.Media, path: str, file: str | None) -> ir.Media:
    """A medium as every reader would have taken it in: a picture type docpipe knows, bytes of that type, and an
    SVG through the one sanitiser (an ``.ir.json`` is input like any other: it may have been written by hand)."""
    from .media import EXTENSIONS, sanitize_svg, sniff
    if m.media_type not in EXTENSIONS:
        _fail(f"{path}.media_type", file, "a picture type: " + ", ".join(sorted(EXTENSIONS)))
    kind = sniff(m.data)
    if m.media_type == "image/svg+xml" or kind == "image/svg+xml":
        try:
            clean, _ = sanitize_svg(m.data)
        except ValueError as exc:
            raise IRFormatError(f"bad value at {path}.data: {exc}", file=file) from exc
        if m.media_type != "image/svg+xml":
            _fail(f"{path}.media_type", file, f"image/svg+xml for the SVG it holds, not {m.media_type}")
        if clean != m.data:
            return dataclasses.replace(m, data=clean, sha256=hashlib.sha256(clean).hexdigest())
        return m
    if kind != m.media_type and not (kind is None and m.media_type in ("image/x-emf", "image/x-wmf")):
        _fail(f"{path}.data", file, f"the bytes of a {m.media_type} picture" + (f", not of {kind}" if kind else ""))
    return m


_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def read(data: bytes, options: object = None, diag: object = None, *, name: str | None = None) -> ir.Document:
    """Reader entry point for ``.ir.json`` inputs: raster pictures are held to the image limits as a reader's
    are (a decompression bomb is refused before a writer decodes it)."""
    doc = loads(data, file=name)
    from .options import Options
    if isinstance(options, Options):
        from .errors import LimitError
        from .media import raster_size
        for i, m in enumerate(doc.media):
            if m.media_type in ("image/svg+xml", "image/x-emf", "image/x-wmf"):
                continue
            if len(m.data) > options.max_image_bytes:
                raise LimitError(f"document.media[{i}]: {len(m.data)} bytes, over --max-image-bytes", file=name,
                                 expected=f"pictures of at most {options.max_image_bytes} bytes")
            try:
                raster_size(m.data, options)
            except ValueError as exc:
                raise IRFormatError(f"bad value at document.media[{i}].data: {exc}", file=name) from exc
    return doc


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(ir))
    return _HINTS[cls]


def _fail(path: str, file: str | None, expected: str) -> typing.NoReturn:
    raise IRFormatError(f"bad value at {path}", file=file, expected=expected)


def _build(value: Any, hint: Any, path: str, file: str | None) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        if isinstance(value, dict):
            tag = value.get("t")
            for opt in options:
                if isinstance(opt, type) and opt.__name__ == tag:
                    return _build(value, opt, path, file)
            _fail(path, file, "one of " + ", ".join(getattr(o, "__name__", str(o)) for o in options))
        for opt in options:
            if opt is type(None):
                continue
            try:
                return _build(value, opt, path, file)
            except IRFormatError:
                continue
        _fail(path, file, str(hint))
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list):
            _fail(path, file, "a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(v, args[0], f"{path}[{i}]", file) for i, v in enumerate(value))
        if len(value) != len(args):
            _fail(path, file, f"a list of {len(args)}")
        return tuple(_build(v, a, f"{path}[{i}]", file) for i, (v, a) in enumerate(zip(value, args, strict=False)))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, dict) or value.get("t") != hint.__name__:
            _fail(path, file, f"a {hint.__name__} object")
        hints = _hints(hint)
        fields = {f.name: f for f in dataclasses.fields(hint)}
        unknown = set(value) - set(fields) - {"t"}
        if unknown:
            _fail(f"{path}.{sorted(unknown)[0]}", file, f"a field of {hint.__name__}")
        kwargs = {}
        for name, f in fields.items():
            if name in value:
                kwargs[name] = _build(value[name], hints[name], f"{path}.{name}", file)
            elif f.default is dataclasses.MISSING:
                _fail(f"{path}.{name}", file, "a value (the field is required)")
        return hint(**kwargs)
    if hint is bool:
        if not isinstance(value, bool):
            _fail(path, file, "true or false")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool) or not -(2**31) <= value < 2**31:
            _fail(path, file, "an integer between -2147483648 and 2147483647")
        return value
    if hint is str:
        if not isinstance(value, str):
            _fail(path, file, "a string")
        return value
    if hint is float:
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            _fail(path, file, "a number")
        return float(value)
    if hint is bytes:
        if not isinstance(value, str):
            _fail(path, file, "base64 text")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            _fail(path, file, "base64 text")
    if hint is type(None):
        if value is not None:
            _fail(path, file, "null")
        return None
    raise TypeError(f"ir_json cannot build {hint!r}")  # a programming error in ir.py
