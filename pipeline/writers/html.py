"""The standalone HTML5 edition: the shared XHTML rendering (:mod:`pipeline.writers.xhtml`) with its screen
stylesheet inlined and its pictures in ``NAME.media/`` beside it."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .. import ir
from ..diagnostics import Diagnostics
from ..errors import UsageError
from ..options import Options
from .xhtml import media_folder, render_document, stylesheet


def write(doc: ir.Document, options: Options, diag: Diagnostics) -> bytes:
    """A standalone HTML5 file, its stylesheet inlined."""
    folder = media_folder(options)
    css = stylesheet("html.css")
    if options.css:  # the house stylesheet comes after ours, so its rules win
        try:
            css += "\n" + Path(options.css).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the stylesheet {options.css}: {exc}", expected="a UTF-8 CSS file") from exc
    root = render_document(doc, options, diag, profile="html", inline_css=css or None,
                           media_href=(lambda m: f"{folder}/{m.name}") if folder else None)
    return b"<!DOCTYPE html>\n" + etree.tostring(root, encoding="utf-8", method="html") + b"\n"
