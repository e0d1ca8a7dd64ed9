"""Run-time data shipped inside the package — stylesheets, the font table, the project-file schema — found with
``importlib.resources``, so a wheel installed anywhere works like the checkout (where ``pipeline/styles`` and
``pipeline/fonts`` link to the top-level ``styles/`` and ``fonts/`` they are built from)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def folder(name: str) -> Path:
    """A data folder inside the package (``styles``, ``fonts``, ``schema``), as a path on disk."""
    return Path(str(files("pipeline").joinpath(name))).resolve()


def data_path(relative: str) -> Path:
    """One data file by its path inside the package (``styles/print.css``, ``fonts/fonts.toml``)."""
    return Path(str(files("pipeline").joinpath(*relative.split("/")))).resolve()


STYLES_DIR = folder("styles")
FONTS_DIR = folder("fonts")
