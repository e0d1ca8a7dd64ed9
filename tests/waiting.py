"""Waiting in tests without sleeping: on a condition, with a deadline, woken early by the process being watched.

A test that needs another process to reach a state polls for that state; between polls it waits on the process
itself (``Popen.wait`` with a short timeout), so a process that ends before the state is reached fails the test at
once, with what it was waiting for, instead of at the deadline. Files whose age matters get explicit times
(:func:`backdate`), never a pause for the clock to move.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

#: How long one wait between two polls lasts at most (a process that ends wakes it at once).
POLL = 0.05


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | subprocess.Popen[str],
             timeout: float = 120) -> None:
    """Return once ``condition()`` holds; fail if ``process`` ends first, or at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        try:
            code = process.wait(timeout=POLL)
        except subprocess.TimeoutExpired:
            continue
        if not condition():
            pytest.fail(f"the process ended (status {code}) before {what}")
        return


def wait_gone(pids: Iterable[int], what: str, timeout: float = 60) -> None:
    """Return once every process of ``pids`` has ended (a zombie has); they need not be our children: each is
    watched through a pidfd, which becomes readable when its process ends."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        finally:
            os.close(fd)
        if not ready:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def running(pids: Iterable[int]) -> list[int]:
    """Those of ``pids`` with a thread on a CPU or waiting for one (state R): at work now, not waiting for it."""
    out = []
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
            try:
                state = stat.read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state == "R":
                out.append(pid)
                break
    return out


def backdate(paths: Iterable[Path], seconds: float) -> None:
    """Set each file's access and modification times ``seconds`` earlier than they are (their order kept)."""
    shift = round(seconds * 1e9)
    for path in paths:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns - shift, st.st_mtime_ns - shift))
