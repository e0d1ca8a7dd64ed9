"""Books: a book file's chapter list (mdBook, MkDocs, Quarto, ``docpipe.toml``) and one Document assembled from
its chapters. Public API: :func:`find_book_root`, :func:`is_book_file`, :func:`load_plan`, :func:`assemble`,
:func:`read_book`.

The names are loaded when first used: converting one document asks only whether its path is a book file or lies
in a book's folder (:mod:`.root`), and should not pay for importing the book reader (80 ms in a fresh process)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assembly import assemble
    from .parsers import describe_plan, load_plan, plan_of_files
    from .plan import BookPlan, Entry
    from .read import book_plan, keep_relative_links, read_book, read_chapter
    from .root import BOOK_FILES, find_book_root, is_book_file

_WHERE = {"assemble": "assembly", "describe_plan": "parsers", "load_plan": "parsers", "plan_of_files": "parsers",
          "BookPlan": "plan", "Entry": "plan", "book_plan": "read", "keep_relative_links": "read",
          "read_book": "read", "read_chapter": "read", "BOOK_FILES": "root", "find_book_root": "root",
          "is_book_file": "root"}

__all__ = ["BOOK_FILES", "BookPlan", "Entry", "assemble", "book_plan", "describe_plan", "find_book_root",
           "is_book_file", "keep_relative_links", "load_plan", "plan_of_files", "read_book", "read_chapter"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
