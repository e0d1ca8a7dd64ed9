"""Lengths as sources write them (``6.5in``, ``300``, ``40%``): one parser for the readers and the writers."""

from __future__ import annotations

import re
from collections.abc import Collection

_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z%]*)\s*")


def parse_length(value: str | None, units: Collection[str]) -> tuple[float, str | None] | None:
    """``value`` as a number and its unit (None when it has none), or None when it is empty, not a number, or in
    a unit not among ``units``."""
    m = _LENGTH.fullmatch(value or "")
    if not m or (m.group(2) and m.group(2) not in units):
        return None
    return float(m.group(1)), m.group(2) or None
