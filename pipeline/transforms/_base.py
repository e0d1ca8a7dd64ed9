"""What every text transform shares: counting changes, recording the step and its diagnostic."""

from __future__ import annotations

import dataclasses
from collections import Counter

from .. import ir
from ..diagnostics import Diagnostics


def record(doc: ir.Document, diag: Diagnostics, name: str, counts: Counter[str],
           settings: tuple[tuple[str, str], ...] = ()) -> ir.Document:
    """Append the step with its counts (all keys, zeros included, in a stable order) and report it."""
    items = tuple(sorted(counts.items()))
    total = sum(counts.values())
    detail = ", ".join(f"{k} {v}" for k, v in items if v) or "nothing to change"
    diag.emit("transform-count", f"{name}: {total} change(s) ({detail})")
    return dataclasses.replace(doc, steps=(*doc.steps, ir.Step(name=name, counts=items, settings=settings)))
