"""Books: a book file's chapter list (mdBook, MkDocs, Quarto, ``docpipe.toml``) and one Document assembled from
its chapters. Public API: :func:`find_book_root`, :func:`is_book_file`, :func:`load_plan`, :func:`assemble`,
:func:`read_book`."""

from __future__ import annotations

from .assemble import assemble
from .parsers import describe_plan, load_plan, plan_of_files
from .plan import BookPlan, Entry
from .read import book_plan, keep_relative_links, read_book, read_chapter
from .root import BOOK_FILES, find_book_root, is_book_file

__all__ = ["BOOK_FILES", "BookPlan", "Entry", "assemble", "book_plan", "describe_plan", "find_book_root",
           "is_book_file", "keep_relative_links", "load_plan", "plan_of_files", "read_book", "read_chapter"]
