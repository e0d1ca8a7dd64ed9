"""The tests' explicit clock (tests/clock.py) moves every wall clock the writers' libraries read."""

from __future__ import annotations

import datetime
import time

import pytest

from tests.clock import move_clock

YEAR = 400 * 86400


def test_every_reading_of_the_wall_clock_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import zipfile

    import weasyprint
    import weasyprint.pdf.pdfx

    before = time.time()
    move_clock(monkeypatch, YEAR)
    assert time.time() - before >= YEAR
    assert time.time_ns() / 1e9 - before >= YEAR
    assert time.localtime().tm_year == time.localtime(time.time()).tm_year > time.localtime(before).tm_year - 1
    assert (datetime.datetime.now() - datetime.datetime.fromtimestamp(before)).days >= 399
    assert weasyprint.datetime.now().year == datetime.datetime.now().year  # `from datetime import datetime`
    assert weasyprint.pdf.pdfx.localtime().tm_yday == time.localtime().tm_yday  # `from time import localtime`
    with zipfile.ZipFile(io.BytesIO(), "w") as z:  # a member's date, as a writer without SOURCE_DATE_EPOCH sets it
        z.writestr("a", b"")
        assert z.getinfo("a").date_time[:3] == time.localtime()[:3]
    assert (datetime.date.today() - datetime.date.fromtimestamp(before)).days >= 399
    assert isinstance(datetime.datetime.now(), datetime.datetime) and isinstance(weasyprint.datetime.now(),
                                                                                 datetime.date)


def test_undone_with_the_monkeypatch() -> None:
    with pytest.MonkeyPatch.context() as mp:
        move_clock(mp, YEAR)
    assert abs(time.time() - datetime.datetime.now().timestamp()) < 5
    assert datetime.datetime.now().timestamp() - time.time() < 5
