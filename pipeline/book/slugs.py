"""The heading anchors book tools generate, so that ``other.md#anchor`` written for one of them finds its heading:
Python-Markdown's ``toc`` (MkDocs' default), PyMdown's ``uslugify``/``slugify`` (MkDocs books in Chinese), mdBook,
pandoc (Quarto) and GitHub. Each tool numbers a repeated anchor its own way; :func:`aliases` reproduces that."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable

_TAGS = re.compile(r"</?[^>]*>")
_WS = re.compile(r"\s+")


def toc_default(text: str) -> str:
    """Python-Markdown ``toc``'s default ``slugify``: ASCII only (``NFKD``, non-ASCII dropped), ``-`` joins."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def toc_unicode(text: str) -> str:
    """Python-Markdown's ``slugify_unicode``: as :func:`toc_default` but letters of every script kept."""
    value = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def pymdownx_uslugify(text: str) -> str:
    """``pymdownx.slugs.uslugify`` (``slugify(case="lower")``): tags dropped, NFC, lower case, everything but
    word characters, ``-`` and spaces dropped, each space a ``-``."""
    slug = html.unescape(_TAGS.sub("", text))
    slug = unicodedata.normalize("NFC", slug).strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def mdbook(text: str) -> str:
    """mdBook's ``normalize_id``: alphanumerics (any script), ``_`` and ``-`` kept (ASCII lowered), each
    whitespace a ``-``, the rest dropped."""
    out: list[str] = []
    for ch in text.strip():
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower() if ch.isascii() else ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def pandoc(text: str) -> str:
    """pandoc's ``auto_identifiers``: letters, digits, ``_-.`` kept, spaces to ``-``, lower case, everything
    before the first letter dropped; ``section`` when nothing is left."""
    out: list[str] = []
    for ch in _WS.sub(" ", text.strip()):
        if ch.isalnum() or ch in "_-.":
            out.append(ch.lower())
        elif ch == " ":
            out.append("-")
    s = "".join(out)
    i = next((k for k, ch in enumerate(s) if ch.isalpha()), len(s))
    return s[i:] or "section"


def github(text: str) -> str:
    """GitHub's heading anchors: lower case, punctuation but ``-`` and ``_`` dropped, each space a ``-``."""
    out: list[str] = []
    for ch in text.strip().lower():
        if ch.isalnum() or ch in "_-":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


#: (slug function, how a repeated slug is told apart: ``_N`` as Python-Markdown or ``-N`` as the others)
STYLES: tuple[tuple[Callable[[str], str], str], ...] = (
    (pymdownx_uslugify, "_"),
    (toc_default, "_"),
    (toc_unicode, "_"),
    (mdbook, "-"),
    (pandoc, "-"),
    (github, "-"),
)


def aliases(titles: Iterable[str]) -> list[set[str]]:
    """For each heading text of one page, in order, every anchor a book tool would give it (repeats numbered
    the way each tool numbers them: Python-Markdown ``x_1``, the others ``x-1``)."""
    titles = list(titles)
    out: list[set[str]] = [set() for _ in titles]
    for fn, sep in STYLES:
        used: set[str] = set()
        for i, t in enumerate(titles):
            base = fn(t)
            slug = base
            n = 0
            while not slug or slug in used:
                n += 1
                slug = f"{base}{sep}{n}"
            used.add(slug)
            out[i].add(slug)
            if base:
                out[i].add(base)  # a page whose writer numbered repeats differently still finds the first
    return out
