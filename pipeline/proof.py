"""Proof sheets: chosen pages of a document's PDF, its DOCX (through LibreOffice) and its EPUB chapters (through a
headless browser) side by side in one contact-sheet PNG, to look at a change the way a typesetter checks proofs.

    python -m pipeline.proof INPUT [--pages 1-4,7] [--chapters 1-3] [--script hans] [--page-size A5] [-o SHEET.png]
    make proofs SRC=doc.txt                       # build/proofs/doc.proof.png

Rows: the PDF pages (WeasyPrint, and Typst with ``--engines weasyprint,typst``), the DOCX pages as LibreOffice
lays them out (``soffice --headless --convert-to pdf``), and the EPUB chapters as Chromium shows them on a
600 × 900 reading-system screen, light and dark (``prefers-color-scheme: dark``). Pages are drawn with poppler's
``pdftoppm``. Without Chromium the chapters are laid out by WeasyPrint from the same XHTML and the sheet says so.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import DocpipeError, OutputError, UsageError
from .options import SCRIPTS, Options

#: Height in pixels of one proof image on the sheet.
THUMB = 520
#: The reading system's screen for EPUB chapters (CSS pixels).
SCREEN = (600, 900)
#: How long one external renderer may take (seconds).
TIMEOUT = 180


@dataclass(frozen=True, slots=True)
class Proof:
    """One image of the sheet and the label above it."""

    label: str
    png: Path


def page_list(spec: str, count: int) -> list[int]:
    """``1-3,7`` -> [1, 2, 3, 7], kept within 1..count (``last`` names the last page)."""
    pages: list[int] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        m = re.fullmatch(r"(\d+|last)(?:-(\d+|last))?", part)
        if not m:
            raise UsageError(f"--pages {spec!r}: not a page list", expected="numbers and ranges such as 1-3,7,last")
        a = count if m.group(1) == "last" else int(m.group(1))
        b = a if m.group(2) is None else count if m.group(2) == "last" else int(m.group(2))
        pages.extend(n for n in range(a, b + 1) if 1 <= n <= count and n not in pages)
    return pages


def _tool(name: str, *alternatives: str) -> str | None:
    return next((p for p in (shutil.which(n) for n in (name, *alternatives)) if p), None)


def _run(args: Sequence[str], what: str) -> None:
    try:
        subprocess.run(list(args), capture_output=True, check=True, timeout=TIMEOUT)
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise OutputError(f"{what} failed (exit {exc.returncode}): {tail[0][:200]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise OutputError(f"{what} took longer than {TIMEOUT} s") from exc


def pdf_pages(pdf: Path, pages: str, work: Path, tag: str) -> list[Proof]:
    """The chosen pages of ``pdf`` as PNGs (poppler's ``pdftoppm``)."""
    pdftoppm, pdfinfo = _tool("pdftoppm"), _tool("pdfinfo")
    if pdftoppm is None or pdfinfo is None:
        raise OutputError("poppler-utils (pdftoppm, pdfinfo) is not installed: apt-get install poppler-utils")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, timeout=TIMEOUT).stdout
    count = int(m.group(1)) if (m := re.search(r"^Pages:\s+(\d+)", info, re.M)) else 0
    out = []
    for n in page_list(pages, count):
        stem = work / f"{tag}-{n:04d}"
        _run([pdftoppm, "-png", "-singlefile", "-f", str(n), "-l", str(n), "-scale-to-y", str(THUMB),
              "-scale-to-x", "-1", str(pdf), str(stem)], f"pdftoppm on page {n} of {pdf.name}")
        out.append(Proof(f"{tag} p.{n}{' (odd)' if n % 2 else ''}", stem.with_suffix(".png")))
    return out


def docx_pdf(docx: Path, work: Path) -> Path:
    """The DOCX laid out by LibreOffice (headless), as a PDF."""
    soffice = _tool("soffice", "libreoffice")
    if soffice is None:
        raise OutputError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    profile = work / "lo-profile"
    _run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
          "--outdir", str(work / "lo"), str(docx)], "LibreOffice")
    made = work / "lo" / (docx.stem + ".pdf")
    if not made.is_file():
        raise OutputError(f"LibreOffice made no PDF of {docx.name}")
    return made


def epub_chapters(epub: Path, chapters: str, work: Path) -> tuple[list[Proof], str]:
    """The chosen chapters of ``epub`` as a reading system shows them (light and dark), and the renderer used."""
    folder = work / "epub"
    with zipfile.ZipFile(epub) as z:
        names = z.namelist()
        for name in names:
            if ".." in name or name.startswith("/"):
                raise OutputError(f"{epub.name}: unsafe member name {name!r}")
        z.extractall(folder)
    opf = next((folder / n for n in names if n.endswith(".opf")), None)
    if opf is None:
        raise OutputError(f"{epub.name}: no package document")
    text = opf.read_text(encoding="utf-8")
    items = dict(re.findall(r'<(?:\w+:)?item\b[^>]*?id="([^"]+)"[^>]*?href="([^"]+)"', text))
    items.update({k: v for v, k in re.findall(r'<(?:\w+:)?item\b[^>]*?href="([^"]+)"[^>]*?id="([^"]+)"', text)})
    spine = [items[i] for i in re.findall(r'<(?:\w+:)?itemref\b[^>]*?idref="([^"]+)"', text) if i in items]
    spine = [h for h in spine if not re.search(r"(cover|nav|toc|title)\.x?html$", h)]
    chromium = _tool("chromium", "chromium-browser", "google-chrome")
    out = []
    for n in page_list(chapters, len(spine)):
        page = (opf.parent / spine[n - 1]).resolve()
        for dark in (False, True):
            png = work / f"epub-{n:03d}{'-dark' if dark else ''}.png"
            if dark:  # a reading system's night mode: its own colours before the book's stylesheet
                night = page.with_name(f".night-{page.name}")
                night.write_text(re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + _NIGHT, page.read_text("utf-8"),
                                        count=1), encoding="utf-8")
                page = night
            if chromium:
                args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--allow-file-access-from-files", f"--window-size={SCREEN[0]},{SCREEN[1]}",
                        f"--screenshot={png}", "--default-background-color=ffffffff"]
                if dark:
                    args[1:1] = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0",
                                 "--default-background-color=111111ff"]
                _run([*args, page.as_uri()], "Chromium")
            else:
                _weasy_screen(page, png, dark)
            out.append(Proof(f"EPUB ch.{n}{' dark' if dark else ''}", png))
    return out, "Chromium" if chromium else "WeasyPrint (no Chromium here)"


#: What a reading system's night mode sets before the book's own stylesheet.
_NIGHT = "<style>html, body { background: #121212; color: #e0e0e0; }</style>"


def _weasy_screen(page: Path, png: Path, dark: bool) -> None:
    """The chapter's first screen laid out by WeasyPrint (when no browser is installed)."""
    from weasyprint import CSS, HTML

    screen = f"@page {{ size: {SCREEN[0]}px {SCREEN[1]}px; margin: 24px; }}"
    if dark:
        screen += " html { background: #111; color: #ddd; }"
    pdf = png.with_suffix(".pdf")
    HTML(filename=str(page), media_type="screen").write_pdf(str(pdf), stylesheets=[CSS(string=screen)])
    pdftoppm = _tool("pdftoppm")
    if pdftoppm is None:
        raise OutputError("poppler-utils (pdftoppm) is not installed")
    _run([pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to-y", str(SCREEN[1]), "-scale-to-x", "-1",
          str(pdf), str(png.with_suffix(""))], "pdftoppm")


def contact_sheet(rows: Sequence[tuple[str, Sequence[Proof]]], title: str, out: Path) -> Path:
    """The proofs in labelled rows on one PNG."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=18)
    small = ImageFont.load_default(size=14)
    gap, label_h, row_h = 16, 22, THUMB + 22 + 16
    loaded = [(name, [(p.label, Image.open(p.png).convert("RGB")) for p in proofs]) for name, proofs in rows]
    scaled = [(name, [(lab, im.resize((max(1, im.width * THUMB // im.height), THUMB))) for lab, im in ims])
              for name, ims in loaded]
    width = max([gap + sum(im.width + gap for _, im in ims) for _, ims in scaled] + [800])
    height = 40 + sum(row_h + 28 for _ in scaled)
    sheet = Image.new("RGB", (width, height), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    draw.text((gap, 10), title, fill=(0, 0, 0), font=font)
    y = 40
    for name, ims in scaled:
        draw.text((gap, y), name, fill=(0, 0, 0), font=font)
        y += 28
        x = gap
        for lab, im in ims:
            draw.text((x, y), lab, fill=(60, 60, 60), font=small)
            sheet.paste(im, (x, y + label_h))
            draw.rectangle((x - 1, y + label_h - 1, x + im.width, y + label_h + im.height), outline=(150, 150, 150))
            x += im.width + gap
        y += row_h
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, format="PNG", optimize=True)
    return out


def proof(inputs: Sequence[str], out: Path, options: Options, *, pages: str = "1-4", docx_pages: str | None = None,
          chapters: str = "1-2", engines: Sequence[str] = ("weasyprint",), formats: Sequence[str] = ("pdf", "docx",
                                                                                                     "epub")) -> Path:
    """Convert ``inputs`` and draw the proof sheet at ``out``; returns ``out``."""
    import pipeline

    with tempfile.TemporaryDirectory(prefix="docpipe-proof-") as tmp:
        work = Path(tmp)
        rows: list[tuple[str, list[Proof]]] = []
        for engine in engines if "pdf" in formats else ():
            made = pipeline.convert(list(inputs), ["pdf"], work / engine, replace(options, pdf_engine=engine))
            rows.append((f"PDF ({engine}, {options.page_size}, {options.script})",
                         pdf_pages(made.outputs["pdf"], pages, work, engine)))
        others = [f for f in ("docx", "epub") if f in formats]
        outputs = pipeline.convert(list(inputs), others, work / "out", options).outputs if others else {}
        if "docx" in outputs:
            lo = docx_pdf(outputs["docx"], work)
            rows.append(("DOCX (LibreOffice, headless)", pdf_pages(lo, docx_pages or pages, work, "DOCX")))
        if "epub" in outputs:
            shots, how = epub_chapters(outputs["epub"], chapters, work)
            rows.append((f"EPUB chapters ({how}, {SCREEN[0]}x{SCREEN[1]}, light and dark)", shots))
        title = f"docpipe proof: {', '.join(Path(i).name for i in inputs)}"
        return contact_sheet(rows, title, out)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipeline.proof`` (and ``docpipe proof``)."""
    parser = argparse.ArgumentParser(prog="docpipe proof", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        print(run(args))
    except DocpipeError as exc:
        print(f"docpipe proof: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``proof`` subcommand's arguments."""
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("-o", "--output", help="the sheet (default: build/proofs/NAME.proof.png)")
    parser.add_argument("--pages", default="1-4", help="PDF pages: 1-4,7,last (default 1-4)")
    parser.add_argument("--docx-pages", help="DOCX pages as LibreOffice lays them out (default: --pages)")
    parser.add_argument("--chapters", default="1-2", help="EPUB chapters (spine items after the contents)")
    parser.add_argument("--engines", default="weasyprint", help="PDF engines: weasyprint,typst")
    parser.add_argument("--formats", default="pdf,docx,epub")
    parser.add_argument("--script", choices=SCRIPTS, default="keep")
    parser.add_argument("--page-size", default="A4")


def run(args: argparse.Namespace) -> Path:
    """Make the sheet the parsed arguments ask for."""
    options = Options(script=args.script, page_size=args.page_size, source_date_epoch=0)
    name = Path(args.inputs[0]).name.split(".")[0] + (f".{args.script}" if args.script != "keep" else "") + \
        (f".{args.page_size}" if args.page_size.upper() != "A4" else "")
    out = Path(args.output) if args.output else Path("build/proofs") / f"{name}.proof.png"
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    return proof(args.inputs, out, options, pages=args.pages, docx_pages=args.docx_pages, chapters=args.chapters,
                 engines=engines, formats=formats)


if __name__ == "__main__":
    sys.exit(main())
