"""Waiting in tests without sleeping: on a condition, with a deadline, woken early by the process being watched.

A test that needs another process to reach a state polls for that state; between polls it waits on the process
itself (``Popen.wait`` with a short timeout), so a process that ends before the state is reached fails the test at
once, with what it was waiting for, instead of at the deadline. Files whose age matters get explicit times
(:func:`backdate`), never a pause for the clock to move.
"""

from __future__ import annotations

import os
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


def backdate(paths: Iterable[Path], seconds: float) -> None:
    """Set each file's access and modification times ``seconds`` earlier than they are (their order kept)."""
    shift = round(seconds * 1e9)
    for path in paths:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns - shift, st.st_mtime_ns - shift))
