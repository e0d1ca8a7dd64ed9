"""An explicit clock for tests: the wall clock Python code reads, moved by a given number of seconds.

A test that must show that output does not depend on when it was made runs its second build on a clock moved
(seconds, days, a year) rather than waiting for the real one to move. What is moved is every wall-clock reading
Python code can make: ``time.time``/``time_ns``, ``time.localtime``/``gmtime``/``ctime``/``strftime`` without a
time given, ``datetime.datetime.now``/``utcnow``/``today`` and ``datetime.date.today``, under every name a loaded
module bound them to (``from datetime import datetime``, ``from time import localtime``), as freezegun does. The
monotonic and CPU clocks are left alone, and so is what C libraries read for themselves (none of the writers'
libraries write a date from C).
"""

from __future__ import annotations

import datetime as _dt
import sys
import time as _time
from typing import Any

import pytest

_REAL_DATETIME = _dt.datetime
_REAL_DATE = _dt.date


class _DatetimeType(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _REAL_DATETIME)


class _DateType(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _REAL_DATE)


def move_clock(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """From now until ``monkeypatch`` is undone, the wall clock reads ``seconds`` later than it is."""
    real_time, real_time_ns = _time.time, _time.time_ns
    real_localtime, real_gmtime, real_ctime, real_strftime = (_time.localtime, _time.gmtime, _time.ctime,
                                                              _time.strftime)
    shift = _dt.timedelta(seconds=seconds)

    def time() -> float:
        return real_time() + seconds

    def time_ns() -> int:
        return real_time_ns() + round(seconds * 1e9)

    def localtime(secs: float | None = None) -> _time.struct_time:
        return real_localtime(time() if secs is None else secs)

    def gmtime(secs: float | None = None) -> _time.struct_time:
        return real_gmtime(time() if secs is None else secs)

    def ctime(secs: float | None = None) -> str:
        return real_ctime(time() if secs is None else secs)

    def strftime(fmt: str, t: Any = None) -> str:
        return real_strftime(fmt, localtime() if t is None else t)

    class MovedDatetime(_REAL_DATETIME, metaclass=_DatetimeType):
        @classmethod
        def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
            return _REAL_DATETIME.now(tz) + shift

        @classmethod
        def utcnow(cls) -> _dt.datetime:  # type: ignore[override]
            return _REAL_DATETIME.utcnow() + shift

        @classmethod
        def today(cls) -> _dt.datetime:  # type: ignore[override]
            return _REAL_DATETIME.today() + shift

    class MovedDate(_REAL_DATE, metaclass=_DateType):
        @classmethod
        def today(cls) -> _dt.date:  # type: ignore[override]
            return _REAL_DATE.fromtimestamp(time())

    swaps: dict[int, object] = {
        id(real_time): time, id(real_time_ns): time_ns, id(real_localtime): localtime, id(real_gmtime): gmtime,
        id(real_ctime): ctime, id(real_strftime): strftime, id(_REAL_DATETIME): MovedDatetime,
        id(_REAL_DATE): MovedDate,
    }
    for module in list(sys.modules.values()):
        try:
            names = list(vars(module).items())
        except TypeError:
            continue
        for name, value in names:
            new = swaps.get(id(value))
            if new is not None and not name.startswith("_REAL_"):
                monkeypatch.setattr(module, name, new)
