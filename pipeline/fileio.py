"""Output files: written atomically (a temporary name beside the target, then a rename), archives made byte-stable."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The temporary file lives in the same folder (so the rename is atomic) and is removed on any failure,
    including KeyboardInterrupt and the SystemExit the CLI raises on SIGTERM.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}", file=str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(target)) from exc
        raise


def deterministic_zip(data: bytes, *, first: tuple[str, ...], epoch: int | None,
                      stored: tuple[str, ...] = (), rewrite: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The same archive rebuilt so that equal content gives equal bytes: the ``first`` members in that order,
    the rest sorted, every timestamp from ``epoch`` (``SOURCE_DATE_EPOCH``; 1980-01-01 when unset), ``stored``
    members uncompressed, each member optionally passed through ``rewrite(name, data)``."""
    when = max(dt.datetime.fromtimestamp(epoch if epoch is not None else 315532800, dt.UTC).replace(tzinfo=None),
               dt.datetime(1980, 1, 1))
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = [n for n in first if n in names] + sorted(n for n in names if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            member = src.read(name)
            if rewrite is not None:
                member = rewrite(name, member)
            z.writestr(info, member, compresslevel=None if name in stored else 9)
    return out.getvalue()
