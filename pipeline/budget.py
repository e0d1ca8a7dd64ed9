"""A whole conversion's budget: wall-clock seconds and resident memory, so one bad document in a batch of
thousands costs seconds, not the machine.

Time is a ``SIGALRM`` timer; memory is watched by a thread that reads ``/proc/self/statm`` ten times a second
and, past the budget, interrupts the main thread with ``SIGUSR2``. Either ends the job with a one-line
:class:`LimitError` naming the option. The budget applies only in a process's main thread (a signal cannot be
delivered elsewhere); external tools have their own limits (pandoc's heap, ``--tool-timeout``).

A Python signal handler runs only between bytecodes: a main thread inside one long native call (Typst laying out
a document of 8 000 pages, a regular expression backtracking) does not see the signal until the call returns,
and went on to 20 GB against a 3 GB budget. So the watcher also keeps the clock, and when the main thread has
not stopped :data:`GRACE` seconds after being told, it writes the same one-line error and ends the process
(exit status of :class:`LimitError`). Outputs are only written once rendered, atomically: nothing is left half
written.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from .errors import LimitError

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def collect_less() -> None:
    """The cyclic garbage collector set for a process that is docpipe's own (the command, a local worker once
    warm): what it has imported by now lives as long as the process, so the collector need not walk it again
    (``gc.freeze``), and it runs every 10 000 new container objects rather than every 700 (a PDF's layout makes
    millions of short-lived ones: collections took about 0.27 s of the sample's PDF, 0.08 s now). Reference
    counting frees memory as before; only cycles wait a little longer."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 20, 50)
#: Seconds the main thread has to stop by itself once told (the signal handler's exception) before the watcher
#: ends the process.
GRACE = 1.0


class _Exceeded(BaseException):
    """Raised in the main thread when the budget is spent. A BaseException, so that no ``except Exception`` on
    the way (a renderer's fallback, a library's retry) can swallow it; :func:`job_budget` turns it into a
    :class:`LimitError`."""


def cores() -> int:
    """The cores this process may use (its CPU affinity, e.g. a container's share), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


#: Child processes working for this one (a part of a PDF laid out by Typst): their memory is the job's too.
CHILDREN: set[int] = set()


def rss_mb() -> float:
    """This process's resident memory in MB, with that of its :data:`CHILDREN` (0 where /proc is missing)."""
    total = 0.0
    for pid in ("self", *map(str, tuple(CHILDREN))):
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * _PAGE / 1048576
        except (OSError, ValueError, IndexError):
            pass
    return total


@contextmanager
def job_budget(seconds: float | None, memory_mb: int | None, file: str | None) -> Iterator[None]:
    """Run the body under the budget (a no-op outside the main thread or with no budget)."""
    if threading.current_thread() is not threading.main_thread() or not (seconds or memory_mb):
        yield
        return
    why: list[str] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise _Exceeded(signum)

    old_alarm = signal.signal(signal.SIGALRM, on_signal)
    old_usr2 = signal.signal(signal.SIGUSR2, on_signal)
    stop = threading.Event()
    deadline = time.monotonic() + seconds if seconds else None

    def watch() -> None:
        told: float | None = None  # when the main thread was told to stop
        while not stop.wait(0.1):
            now = time.monotonic()
            used = rss_mb() if memory_mb else 0.0
            if memory_mb and used > memory_mb:
                if told is None:
                    why.append(f"{used:.0f} MB resident")
                    told = now
                    os.kill(os.getpid(), signal.SIGUSR2)
            elif deadline is not None and now > deadline and told is None:
                told = deadline  # the timer's SIGALRM told it
            if told is not None and now - told > GRACE and not stop.is_set():
                _give_up(why[0] if why else None, seconds, memory_mb, file)

    watcher = threading.Thread(target=watch, name="docpipe-budget", daemon=True)
    watcher.start()
    if seconds:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Exceeded as exc:
        if exc.args and exc.args[0] == signal.SIGALRM:
            raise LimitError(f"the conversion took more than {seconds:g} s", file=file,
                             expected="a smaller document or a higher --job-timeout") from None
        raise LimitError(f"the conversion used more than {memory_mb} MB ({why[0] if why else ''})", file=file,
                         expected="a smaller document or a higher --job-memory") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        stop.set()
        watcher.join(timeout=1)
        signal.signal(signal.SIGALRM, old_alarm)
        signal.signal(signal.SIGUSR2, old_usr2)


def _give_up(memory: str | None, seconds: float | None, memory_mb: int | None, file: str | None) -> None:
    """End the process from the watcher: the main thread is in a native call that signals cannot interrupt."""
    if memory is not None:
        err = LimitError(f"the conversion used more than {memory_mb} MB ({memory})", file=file,
                         expected="a smaller document or a higher --job-memory")
    else:
        err = LimitError(f"the conversion took more than {seconds:g} s", file=file,
                         expected="a smaller document or a higher --job-timeout")
    try:
        sys.stderr.write(f"docpipe: error: {err.one_line()}\n")
        sys.stderr.flush()
    finally:
        os._exit(err.exit_code)
