"""A library's private functions replaced only while one of our renders runs (the WeasyPrint fixes)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any


class ScopedPatch:
    """``install()`` (which checks the library first and returns what it replaced) runs when the first render
    enters :meth:`scope`; ``restore(saved)`` when the last one leaves, so nothing of the patch remains once the
    renders are done. :meth:`active` says whether the calling thread is inside a scope: a patched function falls
    through to the library's own code in any other thread (another library's render on a Dask worker)."""

    def __init__(self, install: Callable[[], Any], restore: Callable[[Any], None]) -> None:
        self._install, self._restore = install, restore
        self._lock = threading.Lock()
        self._local = threading.local()
        self._holders = 0
        self._saved: Any = None

    def active(self) -> bool:
        """Whether this thread is inside :meth:`scope`."""
        return getattr(self._local, "depth", 0) > 0

    def installed(self) -> bool:
        """Whether the patch is in place now (only while one of our renders runs)."""
        return self._holders > 0

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """The patch in place (installed on the first entry) for the duration, active in this thread."""
        with self._lock:
            if self._holders == 0:
                self._saved = self._install()
            self._holders += 1
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    saved, self._saved = self._saved, None
                    self._restore(saved)
