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
