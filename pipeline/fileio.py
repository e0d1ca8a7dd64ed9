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

TMP_MARK = ".docpipe-tmp"


def _tmp_prefix(target: Path) -> str:
    # the writer's pid is in the name, so a later run can tell a dead run's leftover from a live one's file
    return f".{target.name}.{os.getpid()}{TMP_MARK}-"


def remove_leftovers(folder: str | os.PathLike[str]) -> int:
    """Remove temporary files that a killed run (SIGKILL, power loss) left in ``folder``; how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and TMP_MARK in name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            pid = int(name[: name.index(TMP_MARK)].rsplit(".", 1)[1])
        except (ValueError, IndexError):
            continue
        if pid != os.getpid() and _alive(pid):
            continue
        try:
            os.unlink(entry.path)
            removed += 1
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: all are written to temporary files first, then renamed into place; if a
    rename fails, the files already replaced get their previous content back."""
    temps: dict[Path, str] = {}
    try:
        for target, data in files.items():
            temps[target] = _write_temp(target, data)
        backups: dict[Path, bytes | None] = {}
        done: list[Path] = []
        try:
            for target, tmp in temps.items():
                try:
                    backups[target] = target.read_bytes() if target.is_file() else None
                except OSError:
                    backups[target] = None
                os.replace(tmp, target)
                done.append(target)
        except BaseException:
            for target in done:
                old = backups.get(target)
                try:
                    if old is None:
                        os.unlink(target)
                    else:
                        os.replace(_write_temp(target, old), target)
                except OSError:
                    pass
            raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(exc.filename or "")) from exc
    finally:
        for tmp in temps.values():
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def _write_temp(target: Path, data: bytes) -> str:
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(target), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return tmp


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The temporary file lives in the same folder (so the rename is atomic) and is removed on any failure,
    including KeyboardInterrupt and the SystemExit the CLI raises on SIGTERM.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(target), suffix=".tmp", dir=folder)
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


def date_epoch(date: str | None) -> int | None:
    """Seconds since 1970 at midnight UTC of an ISO date (``2024-08-21``, ``2024-08``, ``2024``), or None."""
    import re

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", (date or "").strip())
    if not m:
        return None
    try:
        day = dt.datetime(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1), tzinfo=dt.UTC)
    except ValueError:
        return None
    return int(day.timestamp())


def deterministic_zip(data: bytes, *, first: tuple[str, ...], epoch: int | None,
                      stored: tuple[str, ...] = (), rewrite: Callable[[str, bytes], bytes] | None = None,
                      date: str | None = None) -> bytes:
    """The same archive rebuilt so that equal content gives equal bytes: the ``first`` members in that order,
    the rest sorted, every timestamp from ``epoch`` (``SOURCE_DATE_EPOCH``), else from the document's ISO
    ``date``, else 1980-01-01 (the earliest a zip can say), ``stored`` members uncompressed, each member
    optionally passed through ``rewrite(name, data)``."""
    if epoch is None:
        epoch = date_epoch(date)
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
