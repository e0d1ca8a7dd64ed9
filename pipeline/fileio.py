"""Output files: written atomically (a temporary name beside the target, then a rename), archives made byte-stable."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


_HELD = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block (a temporary file's creation) is done, their handlers run as it
    ends: the file is then either not made yet or already known to the code that removes it, never left behind by
    an interrupt landing between its creation and the ``try`` that cleans up. The handlers are swapped, not the
    signal mask, since the kernel gives a process's signal to any thread that does not block it (a progress
    bar's, a pool's). Python runs handlers in the main thread only, so only it holds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in _HELD}
    if any(h is None for h in previous.values()):  # a handler set outside Python: left alone
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: object) -> None:
        pending.append(signum)

    for s in previous:
        signal.signal(s, hold)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(pending):
            handler = previous[s]
            if callable(handler):
                handler(s, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(s)


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: all are written to temporary files first, then renamed into place; if a
    rename fails, the files already replaced get their previous content back."""
    temps: dict[Path, str] = {}
    try:
        for target, data in files.items():
            _write_temp(target, data, temps)
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
                        restore: dict[Path, str] = {}
                        try:
                            _write_temp(target, old, restore)
                            os.replace(restore[target], target)
                        finally:
                            for tmp in restore.values():
                                _unlink(tmp)
                except OSError:
                    pass
            raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(exc.filename or "")) from exc
    finally:
        for tmp in temps.values():
            _unlink(tmp)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fill(fd: int, tmp: str, data: bytes) -> None:
    """Write ``data`` into the temporary file ``tmp`` (open as ``fd``), to the disk, readable by all; removed on
    any failure."""
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        _unlink(tmp)
        raise


def _write_temp(target: Path, data: bytes, made: dict[Path, str]) -> None:
    """Write ``data`` to a new temporary file beside ``target``, its name put in ``made`` (by the caller's
    cleanup) before an interrupt can land."""
    folder = target.parent if str(target.parent) else Path(".")
    fd = -1
    try:
        with _signals_held():
            fd, made[target] = tempfile.mkstemp(prefix=_tmp_prefix(target), suffix=".tmp", dir=folder)
        handed, fd = fd, -1
        _fill(handed, made[target], data)
    finally:
        if fd != -1:
            os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The temporary file lives in the same folder (so the rename is atomic) and is removed on any failure,
    including KeyboardInterrupt and the SystemExit the CLI raises on SIGTERM, wherever they land.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    made: dict[Path, str] = {}
    try:
        try:
            _write_temp(target, data, made)
        except OSError as exc:
            if target not in made:
                raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}", file=str(target)) from exc
            raise
        os.replace(made[target], target)  # the name left in `made` is gone: removing it again does nothing
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(target)) from exc
    finally:
        for tmp in made.values():
            _unlink(tmp)


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


def read_source(path: str | os.PathLike[str], *, limit: int, root: str | os.PathLike[str] | None = None
                ) -> tuple[bytes, int]:
    """A source file's bytes and modification time (seconds), checked on the opened descriptor: a regular file
    (never a FIFO or a device, which would block or never end), at most ``limit`` bytes, and — when ``root`` is
    given (a folder scanned by ``batch``/``build``, a book's folder) — not a symbolic link and really inside
    ``root``, so a link in a source folder can never put another file's text into the outputs."""
    from .errors import InputError, LimitError

    name = os.fspath(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if root is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        if root is not None and os.path.islink(name):
            raise InputError("is a symbolic link; sources inside a folder must be regular files in it",
                             file=name) from exc
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from exc
    try:
        info = os.fstat(fd)
        import stat as _stat
        if not _stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file", file=name, expected="a document file")
        if info.st_size > limit:
            raise LimitError(f"input is {info.st_size} bytes, over the limit of {limit}", file=name,
                             expected="a smaller file or a higher --max-input-bytes")
        if root is not None:
            real = os.path.realpath(f"/proc/self/fd/{fd}") if os.path.isdir("/proc/self/fd") else \
                os.path.realpath(name)
            top = os.path.realpath(os.fspath(root))
            if os.path.commonpath([real, top]) != top:
                raise InputError(f"lies outside the source folder {top}", file=name,
                                 expected="a file inside the folder being built")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise LimitError(f"input is over the limit of {limit} bytes", file=name,
                                 expected="a smaller file or a higher --max-input-bytes")
            chunks.append(chunk)
        return b"".join(chunks), int(info.st_mtime)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from exc
    finally:
        os.close(fd)


def publish(files: dict[Path, bytes], media: dict[Path, bytes] | None = None, *, sweep: bool = True) -> None:
    """Put one edition's outputs in place: folders created, temporary files a killed run left there removed
    (``sweep``), pictures written first (unchanged ones left alone), then every output or none (:func:`write_all`)."""
    folders = {p.parent for p in files} | {p.parent for p in (media or {})}
    for folder in sorted(folders, key=lambda p: len(p.parts)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(folder)) from exc
        if sweep:
            remove_leftovers(folder)
    for target, data in (media or {}).items():
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                continue
        except OSError:
            pass
        atomic_write(target, data)
    write_all(files)
