"""The transforms, run in one ordered list; each turns a Document into a new Document and reports its counts.

A transform is ``(doc, options, diag) -> Document``. It records what it changed as an :class:`ir.Step`
appended to ``doc.steps`` and as ``transform-count`` diagnostics; :func:`run_all` can also list every single
edit (:class:`~pipeline.transforms._changes.Change`) for the editor.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Protocol

from ..diagnostics import Diagnostics
from ..ir import Document, Step
from ..options import Options
from ._changes import Change, anchored, diff


class Transform(Protocol):
    """A transform: a Document into a new Document, its counts recorded as a :class:`~pipeline.ir.Step`."""

    def __call__(self, doc: Document, options: Options, diag: Diagnostics) -> Document: ...

#: (name, "module:function"), in the order they run: the edition's metadata (``-M``, ``--lang``), digit groups,
#: the spaces inside Han text (so that script conversion sees whole words), script conversion, the language tags
#: it implies, the edition's quotation marks, then full-width punctuation (which looks at the quotes around it),
#: the spaces left around all of those, and ids last. A name may appear twice: its steps' counts are added
#: (:func:`_merge_steps`).
ORDER: list[tuple[str, str]] = [
    ("metadata", "pipeline.transforms.metadata:apply"),
    ("numbers", "pipeline.transforms.numbers:apply"),
    ("spacing", "pipeline.transforms.spacing:apply_han"),
    ("script", "pipeline.transforms.script:apply"),
    ("lang", "pipeline.transforms.lang:apply"),
    ("quotes", "pipeline.transforms.quotes:apply"),
    ("punctuation", "pipeline.transforms.punctuation:apply"),
    ("spacing", "pipeline.transforms.spacing:apply"),
    ("ids", "pipeline.transforms.ids:apply"),
]

#: The transforms that change the text; a diplomatic edition (``Options.diplomatic``) skips them.
TEXT_CHANGING = frozenset({"numbers", "script", "quotes", "punctuation", "spacing"})


def run_all(doc: Document, options: Options, diag: Diagnostics, *, skip: frozenset[str] = frozenset(),
            changes: list[Change] | None = None) -> Document:
    """Apply every transform of :data:`ORDER` not named in ``skip`` (nor, for a diplomatic edition, one of
    :data:`TEXT_CHANGING`); with ``changes``, append every edit made."""
    if options.diplomatic:
        skip = skip | TEXT_CHANGING
    made: list[Change] = []
    for step, (name, spec) in enumerate(ORDER, start=1):
        if name in skip:
            continue
        module, _, func = spec.partition(":")
        fn: Transform = getattr(importlib.import_module(module), func)
        new = _merge_steps(fn(doc, options, diag))
        if changes is not None:
            made.extend(diff(doc, new, name, options, step))
        doc = new
    if changes is not None:
        changes.extend(anchored(made, doc))
    return doc


def _merge_steps(doc: Document) -> Document:
    """Fold a repeated step into the first of its name, adding the counts.

    Converting from an ``.ir.json`` runs the (idempotent) transforms again; their second pass counts
    nothing new, so the history keeps one entry per transform with the counts of all passes.
    """
    if len({s.name for s in doc.steps}) == len(doc.steps):
        return doc
    merged: dict[str, Step] = {}
    for s in doc.steps:
        if s.name in merged:
            old = merged[s.name]
            counts = dict(old.counts)
            for k, v in s.counts:
                counts[k] = counts.get(k, 0) + v
            merged[s.name] = Step(name=s.name, counts=tuple(counts.items()), settings=s.settings or old.settings)
        else:
            merged[s.name] = s
    return dataclasses.replace(doc, steps=tuple(merged.values()))
