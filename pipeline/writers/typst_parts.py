"""A long document's PDF from Typst in parts, each laid out in a process of its own, joined into one file.

Typst holds every page it has laid out until the end of a compilation (about 33 KB a paragraph: 100 000
paragraphs pass 3 GB) and keeps its caches for the life of the process, so a document past
:data:`pipeline.writers.typst.PARTED_TEXT` is cut by :meth:`pipeline.writers.typst._Writer.parts` — before chapter
openings, which start a recto anyway, or between two blocks of a run too long for one part — and each part is
laid out by a short-lived child process, one after another: a part needs the pages before it (its folios, the
side its first page falls on). What crosses a cut is carried by hand:

* **Pages.** A part that opens a chapter starts on a recto: when the pages before it end on one, a blank page
  goes between them (no running head, no folio: what Typst leaves before a chapter in one piece). A part cut in
  a run of text starts on the next page, whichever side it falls on (``offset``: the template swaps the margins
  and the running heads' sides, and ``dp-recto``).
* **Folios.** Each part's page counter starts where the last one ended; a book's front matter keeps its roman
  folios, its body its arabic ones; the joined file's page labels are the parts' own, moved along.
* **Contents.** No part sees another's headings, so the contents list is the writer's (``dp-toc-list``): laid out
  first with empty folios in boxes of a fixed width, then again with the folios read from the parts' named
  destinations (its lines break alike, so its pages do not change).
* **Links.** Links inside the document are written ``docpipe-dest:NAME`` and become links to the named
  destination NAME in the joined file (every label is one); the bookmarks are made from the writer's headings.
* **What one piece keeps and parts do not:** PDF/A and tagged PDF (their structure trees would have to be merged;
  a document that asks for them is laid out in one piece), and a box or table never spans a cut (cuts fall
  between top-level blocks).

The join is qpdf's (pikepdf): pages are copied without being decoded, and the parts' files are read from disk.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import budget
from ..diagnostics import Diagnostics
from ..errors import OutputError

#: The child: lays out one part with the font book it is given and writes the PDF beside it; prints a JSON line.
_CHILD = r"""
import ctypes, json, os, sys
try:  # end with docpipe (a job budget's hard exit, a signal): Linux's parent-death signal
    ctypes.CDLL(None).prctl(1, 9)
except (OSError, AttributeError):
    pass
spec = json.loads(sys.stdin.read())
if os.getppid() != spec["parent"]:
    sys.exit(1)
import typst
try:
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=spec["fonts"])
    compiler = typst.Compiler(root=spec["root"], font_paths=fonts, ignore_system_fonts=True,
                              package_path=spec["packages"], package_cache_path=spec["packages"])
    pdf, warnings = compiler.compile_with_warnings(spec["main"], format="pdf", timestamp=spec["timestamp"])
    with open(spec["out"], "wb") as fh:
        fh.write(pdf)
    print(json.dumps({"warnings": [w.message for w in warnings]}))
except typst.TypstError as exc:
    print(json.dumps({"error": exc.message, "where": " ".join(str(exc.diagnostic).split())[:300]}))
"""


class PartFailed(OutputError):
    """Typst refused a part (the message is Typst's)."""


def compile_part(root: Path, main: str, out: str, fonts: list[str], timestamp: int | None) -> list[str]:
    """Lay out ``root/main`` into ``root/out`` in a child process; Typst's warnings. Its memory counts in the job
    budget while it runs (:func:`pipeline.budget.rss_mb`)."""
    spec = {"root": str(root), "main": str(root / main), "out": str(root / out), "fonts": fonts,
            "packages": str(root / "packages"), "timestamp": timestamp, "parent": os.getpid()}
    proc = subprocess.Popen([sys.executable, "-I", "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    budget.CHILDREN.add(proc.pid)
    try:
        stdout, stderr = proc.communicate(json.dumps(spec))
    finally:
        budget.CHILDREN.discard(proc.pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    line = stdout.strip().rsplit("\n", 1)[-1] if stdout.strip() else ""
    try:
        told = json.loads(line) if line else {}
    except ValueError:
        told = {}
    if "error" in told:
        raise PartFailed(f"Typst failed: {told['error']} ({told.get('where', '')})")
    if proc.returncode != 0 or "warnings" not in told:
        why = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {proc.returncode}"
        raise OutputError(f"the Typst engine stopped laying out a part ({why[:200]})")
    return [str(w) for w in told["warnings"]]


_ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50), ("xl", 40),
          ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))


def _roman(n: int) -> str:
    out = []
    for letters, value in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


class Labels:
    """The joined file's page labels: ranges (first page, style, first number), as PDF writes them."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, str | None, int]] = []

    def add(self, first: int, style: str | None, start: int) -> None:
        self.ranges.append((first, style, start))

    def at(self, page: int) -> tuple[str | None, int]:
        """(style, number) of the page at index ``page`` (arabic from 1 where no range covers it)."""
        found: tuple[str | None, int] = ("/D", page + 1)
        for first, style, start in self.ranges:  # few ranges: front matter, body
            if first > page:
                break
            found = (style, start + page - first)
        return found

    def folio(self, page: int) -> str:
        style, n = self.at(page)
        return _roman(n) if style == "/r" else _roman(n).upper() if style == "/R" else str(n) if style else ""


def _pdf_ranges(pdf: Any) -> list[tuple[int, str | None, int]]:
    """A part's own page label ranges."""
    labels = pdf.Root.get("/PageLabels")
    if labels is None:
        return []
    nums = list(labels.get("/Nums", []))
    out = []
    for key, value in zip(nums[::2], nums[1::2], strict=False):
        style = value.get("/S")
        out.append((int(key), str(style) if style is not None else None, int(value.get("/St", 1))))
    return out


def layout(count: int, source: Callable[[int, int, str | None, int | None, dict[str, str]], str],
           opens: list[bool], book: bool, contents: bool, root: Path, fonts: list[str], timestamp: int | None,
           diag: Diagnostics, bookmarks: list[tuple[int, str, str]]) -> bytes:
    """The PDF of ``count`` parts. ``source(k, offset, folios, first, toc)`` is part ``k``'s ``main.typ`` given
    the pages before it, its folio style (a book's ``i`` or ``1``) and first folio, and — for the first part, when
    ``contents`` — the folio of each destination its contents list (empty: not known yet); ``opens[k]``: part
    ``k`` begins with a chapter's opening."""
    import pikepdf

    warnings: dict[str, None] = {}
    paths: list[Path] = []
    blanks: set[int] = set()
    labels = Labels()
    dests: dict[str, int] = {}

    def run(k: int, offset: int, folios: str | None, first: int | None, toc: dict[str, str]) -> int:
        """Lay out part ``k``; its page count. The first time, its destinations and page labels are noted."""
        main = f"part-{k}.typ"
        (root / main).write_text(source(k, offset, folios, first, toc), encoding="utf-8")
        for w in compile_part(root, main, f"part-{k}.pdf", fonts, timestamp):
            warnings.setdefault(w)
        path = root / f"part-{k}.pdf"
        pdf: Any
        with pikepdf.open(path) as pdf:
            if k == len(paths):
                paths.append(path)
                for first_page, style, start in _pdf_ranges(pdf):
                    labels.add(offset + first_page, style, start)
                tree = pdf.Root.get("/Names", {}).get("/Dests")
                if tree is not None:
                    index = {p.objgen: i for i, p in enumerate(pdf.pages)}
                    for name, dest in pikepdf.NameTree(tree).items():
                        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
                            dests[str(name)] = offset + index[dest[0].objgen]
            return len(pdf.pages)

    pages = 0
    last: tuple[str | None, int] = (None, 0)  # the style and folio of the last page laid out
    kept = 0
    for k in range(count):
        if k and opens[k] and pages % 2:  # a chapter opens on a recto: a blank verso before it
            blanks.add(k)
            pages += 1
            last = (last[0], last[1] + 1)
        if k == 0:
            folios, first = None, None
        else:
            folios = ("i" if last[0] == "/r" else "1") if book else None
            first = last[1] + 1
        n = run(k, pages, folios, first, {})
        kept = kept or n
        pages += n
        last = labels.at(pages - 1) if book else (None, pages)
    if contents:  # the contents again, with the folios now known
        again = run(0, 0, None, None, {name: labels.folio(at) if book else str(at + 1)
                                       for name, at in dests.items()})
        if again != kept:
            diag.emit("writer-note", f"the contents took {again} pages where {kept} were kept for them; "
                      "the folios after them may be off by the difference")
    for message in warnings:
        diag.emit("writer-dropped" if "ignored" in message else "writer-note", f"Typst: {message}")
    diag.emit("writer-note", f"laid out by Typst in {count} parts ({pages} pages), joined")
    return join(paths, blanks, book, labels, bookmarks, set(dests))


def join(paths: list[Path], blanks: set[int], book: bool, labels: Labels,
         bookmarks: list[tuple[int, str, str]], names: set[str]) -> bytes:
    """The parts' PDFs as one: pages (a blank verso where ``blanks`` says), named destinations, links to them,
    page labels (a book's), bookmarks, and the first part's metadata and attachments."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, String

    out = pikepdf.new()
    opened = []
    dests: dict[str, Any] = {}
    try:
        for k, path in enumerate(paths):
            src: Any = pikepdf.open(path)
            opened.append(src)
            if k in blanks:
                box = [float(x) for x in out.pages[-1].MediaBox] if len(out.pages) else [0, 0, 595, 842]
                out.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
            start = len(out.pages)
            out.pages.extend(src.pages)
            index = {p.objgen: i for i, p in enumerate(src.pages)}
            tree = src.Root.get("/Names", {}).get("/Dests")
            if tree is not None:
                for name, dest in NameTree(tree).items():
                    if isinstance(dest, Array) and len(dest) and dest[0].objgen in index:
                        target = out.pages[start + index[dest[0].objgen]].obj
                        dests[str(name)] = Array([target, *list(dest)[1:]])
            if k == 0:
                def copied(obj: Any, src: Any = src) -> Any:
                    return out.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))

                for key in ("/Metadata", "/Lang", "/ViewerPreferences", "/PageMode", "/AF"):
                    if key in src.Root:
                        out.Root[key] = copied(src.Root[key])
                info = src.trailer.get("/Info")
                if info is not None:
                    out.trailer.Info = copied(info)
                files = src.Root.get("/Names", {}).get("/EmbeddedFiles")
                if files is not None:
                    out.Root.Names = Dictionary(EmbeddedFiles=copied(files))
        for page in out.pages:  # links made by the writer to a destination in any part
            if "/StructParents" in page:
                del page["/StructParents"]
            annots = page.get("/Annots")
            if annots is None:
                continue
            kept = []
            for annot in annots:
                action = annot.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if uri.startswith("docpipe-dest:"):
                    name = uri.removeprefix("docpipe-dest:")
                    if name not in dests:
                        continue  # its target was never anchored: the text stays, without a link
                    del annot["/A"]
                    annot.Dest = String(name)
                kept.append(annot)
            page.Annots = Array(kept)
        if "/Names" not in out.Root:
            out.Root.Names = Dictionary()
        tree = NameTree.new(out)
        for name in sorted(dests):
            tree[name] = dests[name]
        out.Root.Names.Dests = tree.obj
        if book:
            nums: list[Any] = []
            for first, style, start in labels.ranges:
                entry = Dictionary(Type=Name.PageLabel, St=start)
                if style:
                    entry.S = Name(style)
                nums.extend([first, entry])
            if nums:
                out.Root.PageLabels = Dictionary(Nums=Array(nums))
        with out.open_outline() as outline:
            stack: list[tuple[int, Any]] = []
            for rank, name, title in bookmarks:
                if name not in names:
                    continue
                item = OutlineItem(title, String(name))
                while stack and stack[-1][0] >= rank:
                    stack.pop()
                (stack[-1][1].children if stack else outline.root).append(item)
                stack.append((rank, item))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        for src in opened:
            src.close()
        out.close()
