"""Citations (``[@key, p. 3]``, ``@key``) formatted from the document's bibliography by pandoc's citeproc, as
Quarto, bookdown and pandoc format them, and the bibliography put where the document asks (``::: {#refs}``) or at
its end.

The Markdown reader keeps each citation as a ``citation`` span holding pandoc's own form of it
(:data:`.convert.CITATION_ATTR`); :func:`format_citations` runs once over a whole document — a single file, or a
book after its chapters are assembled, so that a book's citations share one bibliography and the chapter cache
keeps chapters that do not depend on one another. Only bibliography and style files inside the document's folder
(a book's root) are read, and pandoc reads nothing else (``--sandbox``); one it may not read is said, and the
citations stay as written.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ... import ir
from ...diagnostics import Diagnostics
from ...labels import label_key
from ...options import Options
from ...walk import kept, map_parts
from .convert import CITATION_ATTR, REFERENCES
from .convert import convert as to_ir
from .run import pandoc_path

#: The bibliography formats citeproc reads, by suffix.
BIBLIOGRAPHY_SUFFIXES = frozenset({".bib", ".bibtex", ".json", ".yaml", ".yml", ".ris"})
#: The largest bibliography or style file read (a book's .bib of thousands of entries is a few MB).
MAX_BIBLIOGRAPHY_BYTES = 16 << 20
#: The heading of a bibliography the document gave no place for, by language (:func:`.labels.label_key`).
REFERENCES_TITLE = {"en": "References", "zh": "参考文献", "zh-Hant": "參考文獻", "ja": "参考文献",
                    "fr": "Références", "de": "Literatur", "es": "Referencias"}


def citations_in(doc: ir.Document) -> list[ir.Span]:
    """The citation spans of ``doc`` still holding pandoc's form of them, in reading order (text, then notes)."""
    from ...walk import iter_inlines_all
    return [n for n in iter_inlines_all(doc) if isinstance(n, ir.Span) and "citation" in n.classes
            and any(k == CITATION_ATTR for k, _ in n.attrs)]


def named(doc: ir.Document, key: str) -> list[str]:
    """The files a document's metadata names under ``key`` (``bibliography: refs.bib``; of a list, the first)."""
    return [v for k, v in doc.metadata.extra if k == key and v.strip()]


def finish(doc: ir.Document, bibliographies: Sequence[tuple[Path, str]], styles: Sequence[tuple[Path, str]],
           root: Path, options: Options, diag: Diagnostics, name: str) -> ir.Document:
    """:func:`format_citations` with the bibliographies and styles named (each ``(folder it is relative to,
    name)``) that may be read under ``root``; ``doc`` itself when it cites nothing."""
    if not citations_in(doc):
        return doc
    bibs = [p for base, n in bibliographies for p in sources([n], base, root, diag, name, "bibliography")]
    csls = [p for base, n in styles for p in sources([n], base, root, diag, name, "csl")]
    return format_citations(doc, list(dict.fromkeys(bibs)), list(dict.fromkeys(csls)), options, diag, name)


def sources(names: Sequence[str], base: Path, root: Path, diag: Diagnostics, name: str, what: str) -> list[Path]:
    """The files ``names`` (a document's ``bibliography`` or ``csl``) relative to ``base``, those that may be read:
    inside ``root``, present, not too large; each other one said."""
    out: list[Path] = []
    top = root.resolve()
    for n in names:
        if not n.strip():
            continue
        path = (base / n).resolve()
        if "://" in n or not path.is_relative_to(top):
            diag.emit("external-resource-blocked", f"{what} {n!r} is outside the document's folder: not read",
                      file=name)
        elif not path.is_file():
            diag.emit("citation-unresolved", f"{what} {n!r} not found", file=name)
        elif path.stat().st_size > MAX_BIBLIOGRAPHY_BYTES:
            diag.emit("citation-unresolved", f"{what} {n!r} is larger than {MAX_BIBLIOGRAPHY_BYTES >> 20} MB: "
                      "not read", file=name)
        elif what == "bibliography" and path.suffix.lower() not in BIBLIOGRAPHY_SUFFIXES:
            diag.emit("citation-unresolved", f"bibliography {n!r} is not BibTeX, BibLaTeX, CSL JSON, CSL YAML or "
                      "RIS: not read", file=name)
        else:
            out.append(path)
    return out


def format_citations(doc: ir.Document, bibliographies: Sequence[Path], styles: Sequence[Path],
                     options: Options, diag: Diagnostics, name: str) -> ir.Document:
    """``doc`` with each citation formatted (citeproc, the style ``styles[0]`` or Chicago author-date) and the
    entries it cites listed in its ``#refs`` division, else at its end under a heading; without a bibliography
    (or when citeproc fails) the citations stay as written, and that is said. Either way the spans lose pandoc's
    form of the citation."""
    spans = citations_in(doc)
    if not spans:
        return doc
    rendered: dict[str, tuple[ir.Inline, ...]] = {}
    bibliography: tuple[ir.Block, ...] = ()
    if not bibliographies:
        # as written, as before there was a bibliography to read: ``@name`` in a README is as often a person's
        # handle as a citation, so only a bracketed citation (``[@key]``) is said to be one left unformatted
        bracketed = [s for s in spans if '"NormalCitation"' in dict(s.attrs)[CITATION_ATTR]
                     or '"SuppressAuthor"' in dict(s.attrs)[CITATION_ATTR]]
        if bracketed:
            diag.emit("citation-unresolved", f"{len(bracketed)} citation(s) kept as written ({_keys(bracketed)}): "
                      "the document names no bibliography it may read (bibliography: in its front matter or the "
                      "book file)", file=name)
        return _replaced(doc, {}, unwrap=True)
    else:
        try:
            rendered, bibliography = _citeproc(spans, doc.metadata.language, bibliographies, styles[:1], options)
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError, TypeError) as exc:
            diag.emit("citation-unresolved", f"{len(spans)} citation(s) kept as written: pandoc's citeproc could "
                      f"not format them ({str(exc)[:200]})", file=name)
    doc = _replaced(doc, rendered)
    if not bibliography:
        return doc
    placed = [False]

    def place(blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in blocks:
            if isinstance(b, ir.Div) and b.id == "refs" and REFERENCES in b.classes and not placed[0]:
                placed[0] = True
                out.append(ir.Div(blocks=bibliography, classes=b.classes, attrs=b.attrs, lang=b.lang, id=b.id))
            else:
                out.append(map_parts(b, lambda inl, _lang: inl, lambda bs, _lang: place(bs), None))
        return kept(out, blocks)

    blocks = place(doc.blocks)
    if not placed[0]:
        title = REFERENCES_TITLE.get(label_key(doc.metadata.language), "References")
        blocks += (ir.Heading(level=1, children=(ir.Text(text=title),), id="references-list"),
                   ir.Div(blocks=bibliography, classes=(REFERENCES,), id="refs"))
    return dataclasses.replace(doc, blocks=blocks)


def _keys(spans: list[ir.Span]) -> str:
    keys = list(dict.fromkeys(k for s in spans for k in dict(s.attrs).get("data-cites", "").split()))
    return ", ".join(f"@{k}" for k in keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def _citeproc(spans: list[ir.Span], lang: str | None, bibliographies: Sequence[Path], styles: Sequence[Path],
              options: Options) -> tuple[dict[str, tuple[ir.Inline, ...]], tuple[ir.Block, ...]]:
    """Each citation's formatted text (by pandoc's form of it) and the bibliography's blocks: one citeproc run
    over a document of the citations alone, in order, and a ``#refs`` division."""
    forms = [dict(s.attrs)[CITATION_ATTR] for s in spans]
    blocks: list[dict[str, Any]] = [{"t": "Para", "c": [{"t": "Cite", "c": [json.loads(f), [
        {"t": "Str", "c": "?"}]]}]} for f in forms]
    blocks.append({"t": "Div", "c": [["refs", [], []], []]})
    meta: dict[str, Any] = {}
    if lang:
        meta["lang"] = {"t": "MetaString", "c": lang}
    ast = {"pandoc-api-version": _api_version(options), "meta": meta, "blocks": blocks}
    cmd = [pandoc_path(), "+RTS", f"-M{options.tool_memory_mb}m", "-RTS", "--sandbox", "-f", "json", "-t", "json",
           "--citeproc", *(f"--bibliography={p}" for p in bibliographies), *(f"--csl={p}" for p in styles)]
    proc = subprocess.run(cmd, input=json.dumps(ast).encode("utf-8"), capture_output=True,
                          timeout=options.tool_timeout, check=False)
    if proc.returncode != 0:
        raise ValueError(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or proc.returncode)
    out = to_ir(json.loads(proc.stdout), options, Diagnostics(), "citations", "markdown")
    rendered: dict[str, tuple[ir.Inline, ...]] = {}
    paras = [b for b in out.blocks if isinstance(b, ir.Para)]
    for form, para in zip(forms, paras, strict=False):
        span = next((n for n in para.children if isinstance(n, ir.Span) and "citation" in n.classes), None)
        if span is not None:
            rendered.setdefault(form, span.children)
    refs = next((b for b in out.blocks if isinstance(b, ir.Div) and b.id == "refs"), None)
    return rendered, refs.blocks if refs is not None else ()


@functools.cache
def _api_version(options: Options) -> list[int]:
    """The pandoc API version this pandoc reads JSON of (what it writes for an empty document)."""
    proc = subprocess.run([pandoc_path(), "--sandbox", "-f", "markdown", "-t", "json"], input=b"", capture_output=True,
                          timeout=options.tool_timeout, check=True)
    version = json.loads(proc.stdout)["pandoc-api-version"]
    if not isinstance(version, list):
        raise ValueError("pandoc wrote no API version")
    return [int(v) for v in version]


def _replaced(doc: ir.Document, rendered: dict[str, tuple[ir.Inline, ...]], *, unwrap: bool = False
              ) -> ir.Document:
    """``doc`` with each citation span's text the formatted one (where there is one) and pandoc's form of it
    dropped; ``unwrap``: each citation its text alone, as written."""
    from ...book.treemap import map_inlines, map_tree

    def fn(n: ir.Inline) -> tuple[ir.Inline, ...]:
        if not (isinstance(n, ir.Span) and "citation" in n.classes and any(k == CITATION_ATTR for k, _ in n.attrs)):
            return (n,)
        if unwrap:
            return n.children
        return (dataclasses.replace(n, children=rendered.get(dict(n.attrs)[CITATION_ATTR], n.children),
                                    attrs=tuple(a for a in n.attrs if a[0] != CITATION_ATTR)),)

    def on(inlines: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
        return map_inlines(inlines, fn)

    return dataclasses.replace(doc, blocks=map_tree(doc.blocks, on), notes=tuple(
        dataclasses.replace(n, blocks=map_tree(n.blocks, on)) for n in doc.notes))
