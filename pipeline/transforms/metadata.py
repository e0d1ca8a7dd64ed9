"""Metadata the edition sets (``-M KEY=VALUE``, ``--lang``, a project's edition table): applied first, so that every
later transform and every writer sees the title, authors and language the user asked for.

==============  =====================================================================
key             effect
==============  =====================================================================
title           ``metadata.title``
subtitle        ``metadata.subtitle``
author          ``metadata.authors`` (repeat the key, or separate names with ``;``)
date            ``metadata.date`` (ISO 8601: ``2024``, ``2024-08``, ``2024-08-21``)
place, symbol, session, publisher, source   the field of that name
lang            ``metadata.language`` (as ``--lang``; a BCP 47 tag)
rights          ``metadata.rights`` (one paragraph)
series          ``metadata.series`` (repeatable)
anything else   kept in ``metadata.extra`` in order (writers show what they know)
==============  =====================================================================
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from .. import ir
from ..diagnostics import Diagnostics
from ..errors import UsageError
from ..options import Options
from ._base import record

_SINGLE = ("title", "subtitle", "place", "symbol", "session", "publisher", "source")
#: Keys that are not free-form: mistyping one of these should not silently land in ``extra``.
KNOWN = (*_SINGLE, "author", "authors", "date", "lang", "language", "rights", "series")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_LANG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def check_lang(tag: str, what: str = "--lang") -> str:
    """A BCP 47 tag as given, or a UsageError."""
    if not _LANG.fullmatch(tag):
        raise UsageError(f"{what} {tag!r} is not a language tag", expected="a BCP 47 tag such as en, zh-Hant, sa-Deva")
    return tag


def check_key(key: str) -> str:
    """A metadata key, lower-cased; a near miss of a known key is a UsageError with the suggestion."""
    import difflib
    k = key.strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", k):
        raise UsageError(f"metadata key {key!r} is not a name", expected="KEY=VALUE with KEY like title or author")
    if k not in KNOWN:
        near = difflib.get_close_matches(k, KNOWN, n=1, cutoff=0.75)
        if near:
            raise UsageError(f"unknown metadata key {key!r}", expected=f"did you mean {near[0]!r}?")
    return k


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Set the metadata the edition names; counts how many fields were set."""
    if not options.metadata and not options.lang:
        return doc
    m = doc.metadata
    changes: dict[str, object] = {}
    authors: list[str] = []
    series: list[str] = []
    extra = list(m.extra)
    counts: Counter[str] = Counter()
    for raw_key, value in options.metadata:
        key = check_key(raw_key)
        counts["set"] += 1
        if key in _SINGLE:
            changes[key] = value
        elif key in ("author", "authors"):
            authors.extend(a.strip() for a in value.split(";") if a.strip())
        elif key == "date":
            if not _DATE.fullmatch(value.strip()):
                raise UsageError(f"metadata date {value!r} is not an ISO 8601 date",
                                 expected="YYYY, YYYY-MM or YYYY-MM-DD")
            changes["date"] = value.strip()
        elif key in ("lang", "language"):
            changes["language"] = check_lang(value.strip(), "-M lang")
        elif key == "rights":
            changes["rights"] = (ir.Para(children=(ir.Text(text=value),)),)
        elif key == "series":
            series.append(value)
        else:
            extra = [(k, v) for k, v in extra if k != key]
            extra.append((key, value))
    if authors:
        changes["authors"] = tuple(authors)
    if series:
        changes["series"] = tuple(series)
    if extra != list(m.extra):
        changes["extra"] = tuple(extra)
    if options.lang:
        changes["language"] = check_lang(options.lang)
        counts["set"] += 1
    doc = dataclasses.replace(doc, metadata=dataclasses.replace(m, **changes))  # type: ignore[arg-type]
    return record(doc, diag, "metadata", counts)
