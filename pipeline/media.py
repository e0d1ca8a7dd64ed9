"""Pictures a document carries: sniffed, size-checked and sanitised once, when a reader takes them in.

Every picture becomes an :class:`ir.Media` named by its content (``<sha256 prefix>.<ext>``), so the same file
used twice is stored once and names never depend on the source's paths. Raster pictures are opened with
Pillow only to read their header (size, resolution) and checked against ``--max-image-pixels``: a
decompression bomb is refused before any pixel is decoded. SVG is parsed without DTD or entities and
rewritten without scripts, event handlers, foreign objects or any reference that leaves the file. Word's
EMF/WMF pictures are converted to PNG by LibreOffice headless when it is installed; otherwise they are kept
(the DOCX writer embeds them) and other writers draw a visible placeholder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import ir
from .diagnostics import Diagnostics
from .errors import LimitError
from .options import Options

#: media type -> file extension of the names we give
EXTENSIONS: dict[str, str] = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "image/svg+xml": "svg",
    "image/bmp": "bmp", "image/tiff": "tiff", "image/x-emf": "emf", "image/x-wmf": "wmf",
}
#: what every writer can show as it is (the rest is converted or replaced by a placeholder)
WEB_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})
#: what EPUB 3 lists as core media types
EPUB_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})
#: what a Word drawing can embed
DOCX_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/x-emf",
                        "image/x-wmf"})

SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}href"
MAX_SVG_ELEMENTS = 20000
MAX_SVG_USES = 500


def sniff(data: bytes) -> str | None:
    """The media type of ``data`` from its first bytes, or None when it is no picture we know."""
    head = data[:512]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head[:4] == b"\x01\x00\x00\x00" and head[40:44] == b" EMF":
        return "image/x-emf"
    if head.startswith(b"\xd7\xcd\xc6\x9a") or head[:6] in (b"\x01\x00\x09\x00\x00\x03", b"\x02\x00\x09\x00\x00\x03"):
        return "image/x-wmf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096]:
        return "image/svg+xml"
    return None


@dataclass
class MediaTable:
    """The media a reader collects: one entry per distinct content, in order of first use."""

    options: Options
    diag: Diagnostics
    file: str
    items: dict[str, ir.Media] = field(default_factory=dict)
    total: int = 0

    def add(self, data: bytes, source: str, declared: str | None = None) -> str | None:
        """Take in a picture's bytes; its media name, or None (with a diagnostic) when it is refused."""
        if len(data) > self.options.max_image_bytes:
            self.diag.emit("media-refused", f"{source}: {len(data)} bytes, over --max-image-bytes "
                           f"({self.options.max_image_bytes})")
            return None
        digest = hashlib.sha256(data).hexdigest()
        for m in self.items.values():
            if m.sha256 == digest:
                return m.name
        if len(self.items) >= self.options.max_media:
            raise LimitError(f"more than {self.options.max_media} pictures", file=self.file,
                             expected="fewer pictures or a higher --max-media")
        self.total += len(data)
        if self.total > self.options.max_expanded_bytes:
            raise LimitError(f"pictures total more than {self.options.max_expanded_bytes} bytes", file=self.file,
                             expected="a smaller document or a higher --max-expanded-bytes")
        kind = sniff(data) or declared
        if kind is None or kind not in EXTENSIONS:
            self.diag.emit("media-refused", f"{source}: not a picture docpipe knows (PNG, JPEG, GIF, WebP, SVG, "
                           "BMP, TIFF, EMF, WMF)")
            return None
        width = height = dpi = None
        if kind == "image/svg+xml":
            try:
                data, (width, height) = sanitize_svg(data)
            except ValueError as exc:
                self.diag.emit("media-refused", f"{source}: {exc}")
                return None
            digest = hashlib.sha256(data).hexdigest()
        elif kind not in ("image/x-emf", "image/x-wmf"):
            try:
                width, height, dpi = raster_size(data, self.options)
            except ValueError as exc:
                self.diag.emit("media-refused", f"{source}: {exc}")
                return None
        name = f"{digest[:16]}.{EXTENSIONS[kind]}"
        self.items[name] = ir.Media(name=name, media_type=kind, data=data, sha256=digest, width=width,
                                    height=height, dpi=dpi, source=source)
        return name

    def media(self) -> tuple[ir.Media, ...]:
        """The collected media, metafiles converted to PNG where LibreOffice can."""
        return convert_metafiles(tuple(self.items.values()), self.options, self.diag)


def raster_size(data: bytes, options: Options) -> tuple[int, int, int | None]:
    """(width, height, dpi) from a raster picture's header; ValueError when it is broken or too large."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = options.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as im:
                width, height = im.size
                if width * height > options.max_image_pixels:
                    raise ValueError(f"{width}×{height} pixels, over --max-image-pixels ({options.max_image_pixels})")
                dpi_info = im.info.get("dpi")
                im.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"a decompression bomb ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError) as exc:
        raise ValueError(f"a broken picture ({exc})") from exc
    dpi = None
    if isinstance(dpi_info, tuple) and dpi_info and isinstance(dpi_info[0], int | float) and 10 <= dpi_info[0] <= 4800:
        dpi = round(dpi_info[0])
    return width, height, dpi


def _length(value: str | None) -> int | None:
    if not value:
        return None
    import re
    m = re.fullmatch(r"\s*([0-9.]+)\s*(px|pt|mm|cm|in)?\s*", value)
    if not m:
        return None
    try:
        n = float(m.group(1))
    except ValueError:
        return None
    factor = {"px": 1.0, None: 1.0, "pt": 96 / 72, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}[m.group(2)]
    size = round(n * factor)
    return size if 0 < size <= 100000 else None


def sanitize_svg(data: bytes) -> tuple[bytes, tuple[int | None, int | None]]:
    """The SVG without script, event handlers, foreign content or outside references; its size in px."""
    from lxml import etree

    if b"<!ENTITY" in data or b"<!DOCTYPE" in data[:4096].upper():
        raise ValueError("an SVG with a DOCTYPE or entities (refused)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"an SVG that is not well-formed XML ({exc})") from exc
    if etree.QName(root).localname != "svg":
        raise ValueError("not an SVG document")
    count = uses = 0
    for el in list(root.iter()):
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise ValueError(f"an SVG of more than {MAX_SVG_ELEMENTS} elements")
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in ("script", "foreignObject", "iframe", "object", "embed", "audio", "video", "handler"):
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
            continue
        if local == "use":
            uses += 1
            if uses > MAX_SVG_USES:
                raise ValueError(f"an SVG with more than {MAX_SVG_USES} <use> references (a use bomb?)")
        for attr in list(el.attrib):
            name = etree.QName(attr).localname.lower()
            value = el.attrib[attr].strip()
            if name.startswith("on"):
                del el.attrib[attr]
            elif name == "href" or attr == XLINK:
                # only references inside this file, and raster data: URLs, stay
                if not (value.startswith("#") or value.lower().startswith(("data:image/png", "data:image/jpeg",
                                                                             "data:image/gif"))):
                    del el.attrib[attr]
            elif name == "style" and (("url(" in value.lower() and "url(#" not in value.lower().replace(" ", ""))
                                      or "@import" in value.lower()):
                del el.attrib[attr]
        if local == "style" and el.text and ("@import" in el.text or "url(" in el.text.replace("url(#", "")):
            el.text = ""
    width, height = _length(root.get("width")), _length(root.get("height"))
    if (width is None or height is None) and root.get("viewBox"):
        try:
            parts = [float(x) for x in root.get("viewBox", "").replace(",", " ").split()]
            if len(parts) == 4 and parts[2] > 0 and parts[3] > 0:
                width, height = width or round(parts[2]), height or round(parts[3])
        except ValueError:
            pass
    return etree.tostring(root, encoding="utf-8", xml_declaration=True), (width, height)


def local_file(src: str, base_dir: str | None, diag: Diagnostics, *, root: str | None = None) -> Path | None:
    """The file a relative reference points at inside the document's folder (or ``root``, the
    ``--resource-root`` a user chose to allow), or None with a diagnostic.

    Remote URLs, ``file:`` URLs, absolute paths and anything that leaves the folder — also through a
    symbolic link — are refused; nothing is ever fetched from the network.
    """
    if not src:
        return None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")) or (len(src) > 1 and src[1] == ":"):
        diag.emit("external-resource-blocked", f"not fetched: {src} (only files in the document's folder are read)")
        return None
    if base_dir is None:
        diag.emit("external-resource-blocked", f"not read: {src} (no document folder is known)")
        return None
    folder = Path(root or base_dir).resolve()
    candidate = Path(base_dir) / unquote(parts.path)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        diag.emit("media-missing", f"{src}: no such file beside the document")
        return None
    if resolved != folder and folder not in resolved.parents:
        diag.emit("external-resource-blocked", f"not read: {src} (it leads outside the document's folder)")
        return None
    if not resolved.is_file():
        diag.emit("media-missing", f"{src}: not a regular file")
        return None
    return resolved


def read_local(path: Path, options: Options, diag: Diagnostics | None = None) -> bytes | None:
    """A picture file's bytes, read without following a final symbolic link, up to ``--max-image-bytes``.

    A file with more than one hard link is refused: a hard link made inside the folder can name a file from
    anywhere on the same disk, and no path check can tell.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        import stat
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_nlink > 1:
            if diag is not None:
                diag.emit("external-resource-blocked", f"not read: {path.name} (a hard link, which may lead "
                          "outside the document's folder)")
            return None
        return fh.read(options.max_image_bytes + 1)


def convert_metafiles(media: tuple[ir.Media, ...], options: Options, diag: Diagnostics) -> tuple[ir.Media, ...]:
    """EMF/WMF pictures with a PNG rendering added beside them (LibreOffice headless), when it is installed.

    The converted PNG gets the metafile's name with ``.png`` appended, so writers that cannot show a
    metafile look for ``NAME.png`` and the DOCX writer still embeds the original.
    """
    metas = [m for m in media if m.media_type in ("image/x-emf", "image/x-wmf")]
    if not metas:
        return media
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        diag.emit("media-unsupported", f"{len(metas)} EMF/WMF picture(s) kept for DOCX only: LibreOffice is not "
                  "installed to convert them")
        return media
    out = list(media)
    with tempfile.TemporaryDirectory(prefix="docpipe-meta-") as tmp:
        for m in metas:
            (Path(tmp) / m.name).write_bytes(m.data)
        cmd = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "png", "--outdir", f"{tmp}/out", *[f"{tmp}/{m.name}" for m in metas]]
        try:
            subprocess.run(cmd, capture_output=True, timeout=options.tool_timeout, check=False,
                           env={**os.environ, "HOME": tmp})
        except (subprocess.TimeoutExpired, OSError) as exc:
            diag.emit("media-unsupported", f"EMF/WMF conversion failed ({exc}); kept for DOCX only")
            return media
        for m in metas:
            png = Path(tmp) / "out" / (m.name.rsplit(".", 1)[0] + ".png")
            if not png.is_file():
                diag.emit("media-unsupported", f"{m.source or m.name}: LibreOffice could not convert it; kept for "
                          "DOCX, a placeholder elsewhere")
                continue
            data = png.read_bytes()
            try:
                width, height, dpi = raster_size(data, options)
            except ValueError:
                continue
            out.append(ir.Media(name=m.name + ".png", media_type="image/png", data=data,
                                sha256=hashlib.sha256(data).hexdigest(), width=width, height=height, dpi=dpi,
                                source=m.source))
    return tuple(out)


def by_name(doc: ir.Document) -> dict[str, ir.Media]:
    """The document's media by name."""
    return {m.name: m for m in doc.media}


def shown(media: dict[str, ir.Media], name: str, allowed: frozenset[str]) -> ir.Media | None:
    """The medium a writer that takes ``allowed`` types shows for ``name``: itself, its PNG rendering, or None."""
    m = media.get(name)
    if m is None:
        return None
    if m.media_type in allowed:
        return m
    alt = media.get(name + ".png")
    return alt if alt is not None and alt.media_type in allowed else None


def used_media(doc: ir.Document) -> list[str]:
    """The names of the media the document's images use, in order of first use."""
    from .walk import iter_inlines_all
    seen: dict[str, None] = {}
    for node in iter_inlines_all(doc):
        if isinstance(node, ir.Image) and node.media:
            seen.setdefault(node.media, None)
    return list(seen)
