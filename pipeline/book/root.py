"""Where a book starts: the book files docpipe knows and the folder a document's pictures may come from."""

from __future__ import annotations

import os
from pathlib import Path

#: The file names of the book files docpipe reads (a chapter list), by kind.
BOOK_FILES: dict[str, str] = {
    "SUMMARY.md": "mdbook",
    "mkdocs.yml": "mkdocs",
    "mkdocs.yaml": "mkdocs",
    "_quarto.yml": "quarto",
    "_quarto.yaml": "quarto",
    "docpipe.toml": "docpipe",
}

#: What marks a book project's folder (its root): a book file, mdBook's ``book.toml``, or a git checkout.
ROOT_MARKERS: tuple[str, ...] = ("mkdocs.yml", "mkdocs.yaml", "book.toml", "_quarto.yml", "_quarto.yaml",
                                 "docpipe.toml", ".git")


def is_book_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a book file (by its name: ``SUMMARY.md``, ``mkdocs.yml``, ``_quarto.yml``,
    ``docpipe.toml``); ``docpipe.toml`` counts only when it has a ``[book]`` table."""
    p = Path(path)
    kind = BOOK_FILES.get(p.name)
    if kind is None:
        return False
    if kind == "docpipe":
        import tomllib
        try:
            with open(p, "rb") as f:
                return isinstance(tomllib.load(f).get("book"), dict)
        except (OSError, tomllib.TOMLDecodeError):
            return False
    return True


def find_book_root(path: str | os.PathLike[str]) -> Path | None:
    """The book project ``path`` belongs to: the nearest folder at or above it (above a file) holding
    ``mkdocs.yml``, ``book.toml``, ``_quarto.yml``, ``docpipe.toml`` or ``.git``; None when there is none.

    A chapter converted alone gets this folder as its resource root, so its pictures in ``../img/`` are read."""
    p = Path(path).resolve()
    folder = p if p.is_dir() else p.parent
    for candidate in (folder, *folder.parents):
        for marker in ROOT_MARKERS:
            if os.path.lexists(candidate / marker):
                return candidate
    return None
