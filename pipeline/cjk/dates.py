"""Dates as a Chinese edition prints them (2024年8月21日) and as TEI records them (@when)."""

from __future__ import annotations

import re

ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
W3C = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def display_date(iso: str | None, lang: str | None) -> str | None:
    """``2024年8月21日`` for a Chinese edition, the ISO date otherwise (None stays None)."""
    if not iso:
        return None
    m = ISO.fullmatch(iso)
    if not m or not (lang or "").startswith("zh"):
        return iso
    return f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"


def when(date: str) -> dict[str, str | None]:
    """The TEI ``@when`` attribute for a date, when it is a W3C date."""
    return {"when": date} if W3C.fullmatch(date) else {}


_LOOSE = re.compile(r"(?<!\d)(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")


def iso_date(value: str | None) -> str | None:
    """A W3C date (``2012``, ``2012-08``, ``2012-08-27``) for what a source wrote as its date — itself when it is
    one; the first date in a CVS keyword (``$Date: 2012/08/27 03:14:38 $``), an ISO date-time or a range
    (``2019-2025`` -> ``2019``); None when nothing in it is a date. For attributes that must be dates
    (``time/@datetime``, EPUB ``dc:date``): the text as written is still shown where the document shows it."""
    if not value:
        return None
    m = _LOOSE.search(value.strip())
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month and not 1 <= int(month) <= 12:
        return year
    if day and not 1 <= int(day) <= 31:
        day = None
    return "-".join([year, *([f"{int(month):02d}"] if month else []), *([f"{int(day):02d}"] if month and day else [])])
