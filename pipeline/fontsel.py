"""Typefaces for each edition (from ``fonts/fonts.toml``): finding the font files and subsetting them."""

from __future__ import annotations

import functools
import io
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostics
from .errors import OutputError

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"


@dataclass(frozen=True)
class Face:
    """One font inside a file (a .ttc collection holds several)."""

    family: str
    path: Path
    index: int

    @property
    def slug(self) -> str:
        return self.family.replace(" ", "")


@functools.cache
def config() -> dict[str, object]:
    """``fonts/fonts.toml``."""
    with open(FONTS_DIR / "fonts.toml", "rb") as fh:
        return tomllib.load(fh)


def family_for(lang: str | None, kind: str = "serif", override: str | None = None) -> str:
    """The family name the edition uses for ``lang``."""
    if override and kind == "serif":
        return override
    table = config()[kind]
    assert isinstance(table, dict)
    lang = lang or ""
    for key in (lang, "-".join(lang.split("-")[:2])):
        if key in table:
            return str(table[key])
    return str(table["default"])


@functools.cache
def _index() -> dict[str, Face]:
    from fontTools.ttLib import TTCollection, TTFont

    faces: dict[str, Face] = {}
    search = config().get("search", [])
    assert isinstance(search, list)
    for folder in [FONTS_DIR, *(Path(os.path.expanduser(str(s))) for s in search)]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*CJK*")) + sorted(folder.glob("*.[ot]t[fc]")):
            if path.suffix.lower() not in (".ttc", ".otf", ".ttf"):
                continue
            try:
                holder = TTCollection(str(path)) if path.suffix.lower() == ".ttc" else TTFont(str(path), lazy=True)
            except Exception:  # a broken or unreadable font file is simply not offered
                continue
            try:
                fonts = holder.fonts if isinstance(holder, TTCollection) else [holder]
                for i, font in enumerate(fonts):
                    name = font["name"].getDebugName(1) or ""
                    sub = font["name"].getDebugName(2) or ""
                    if sub in ("Regular", "Book") and name not in faces:
                        faces[name] = Face(name, path, i)
            except Exception:
                continue
            finally:
                holder.close()
    return faces


def font_for(lang: str | None, override: str | None = None, kind: str = "serif") -> Face | None:
    """The installed face for ``lang``, or None."""
    return _index().get(family_for(lang, kind, override))


def subset(face: Face, text: str) -> bytes:
    """An OpenType subset of ``face`` holding the characters of ``text`` (vertical forms kept)."""
    from fontTools import subset as fts
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(face.path), fontNumber=face.index, lazy=False)
        opts = fts.Options()
        opts.layout_features = ["vert", "vrt2", "vkrn", "halt", "vhal", "chws", "vchw", "kern", "palt", "locl"]
        opts.name_IDs = ["*"]
        opts.notdef_outline = True
        opts.recalc_timestamp = False
        opts.drop_tables += ["FFTM"]  # FontForge's timestamp table: fontTools cannot subset it (and says so)
        sub = fts.Subsetter(opts)
        sub.populate(text="".join(sorted(set(text))))
        sub.subset(font)
        out = io.BytesIO()
        font.save(out)
    except Exception as exc:
        raise OutputError(f"cannot subset {face.family} ({face.path.name}): {exc}") from exc
    return out.getvalue()


# --------------------------------------------------------------------------- checking --font

#: fontconfig's language for an edition's BCP 47 tag (what ``fc-list :lang=…`` understands)
_FC_LANG = {"zh-Hans": "zh-cn", "zh-Hant": "zh-tw", "zh-Hant-TW": "zh-tw", "zh-Hant-HK": "zh-hk"}


@functools.cache
def installed_families(lang: str | None) -> tuple[str, ...]:
    """The font families installed for ``lang`` (fontconfig's view, which WeasyPrint shares), sorted."""
    import shutil
    import subprocess

    tag = lang or ""
    fc_lang = _FC_LANG.get(tag) or _FC_LANG.get("-".join(tag.split("-")[:2])) or (tag.split("-")[0].lower()
                                                                                  or None)
    exe = shutil.which("fc-list")
    if exe is not None:
        try:
            out = subprocess.run([exe, f":lang={fc_lang}" if fc_lang else ":", "family"], capture_output=True,
                                 text=True, timeout=30, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        names = {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}
        if names:
            return tuple(sorted(names))
    return tuple(sorted(_index()))


def check_family(family: str | None, lang: str | None) -> None:
    """Refuse a ``--font`` family that is not installed for the edition's script: a misspelt name would
    otherwise fall back, silently, to whatever fontconfig prefers (often a Japanese face)."""
    if not family:
        return
    families = installed_families(lang)
    if family.casefold() in {f.casefold() for f in families}:
        return
    from .errors import UsageError

    raise UsageError(f"--font {family!r} is not installed for {lang or 'this edition'}",
                     expected="one of " + ", ".join(families) if families else "an installed font family")


# --------------------------------------------------------------------------- characters the edition's face lacks


def fallback_families() -> tuple[str, ...]:
    """The families, in order, that render characters the edition's typeface lacks (``[fallback]`` of
    ``fonts/fonts.toml``)."""
    table = config().get("fallback", {})
    assert isinstance(table, dict)
    families = table.get("families", [])
    assert isinstance(families, list)
    return tuple(str(f) for f in families)


@functools.cache
def charset(face: Face) -> frozenset[int]:
    """The code points ``face`` has glyphs for (its best cmap)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        try:
            cmap = font.getBestCmap() or {}
        finally:
            font.close()
    except Exception:  # an unreadable font covers nothing
        return frozenset()
    return frozenset(cmap)


def _needs_glyph(ch: str) -> bool:
    import unicodedata

    # spaces, controls, format characters and variation selectors take no glyph of their own
    return not ch.isspace() and unicodedata.category(ch)[0] not in "CZ" and not 0xFE00 <= ord(ch) <= 0xFE0F \
        and not 0xE0100 <= ord(ch) <= 0xE01EF


@dataclass(frozen=True)
class Coverage:
    """Which characters of a text the edition's face lacks, the fallback face that has each, and the rest."""

    face: Face | None
    fallback: dict[str, Face]
    missing: str

    def faces(self) -> list[Face]:
        """The fallback faces needed, in the order of :func:`fallback_families`."""
        seen: dict[str, Face] = {}
        for f in self.fallback.values():
            seen.setdefault(f.family, f)
        order = {name: i for i, name in enumerate(fallback_families())}
        return sorted(seen.values(), key=lambda f: order.get(f.family, len(order)))

    def chars(self, face: Face) -> str:
        """The characters ``face`` renders for the edition."""
        return "".join(sorted(c for c, f in self.fallback.items() if f == face))


def coverage(text: str, lang: str | None, override: str | None = None, kind: str = "serif") -> Coverage:
    """What of ``text`` the edition's installed face for ``lang`` cannot render, and which fallback face can
    (coverage read from each font's cmap with fontTools)."""
    face = font_for(lang, override, kind)
    have = charset(face) if face is not None else frozenset()
    wanted = sorted({c for c in text if _needs_glyph(c) and ord(c) not in have})
    faces = [f for f in (_index().get(name) for name in fallback_families()) if f is not None]
    fallback: dict[str, Face] = {}
    missing: list[str] = []
    for c in wanted:
        found = next((f for f in faces if ord(c) in charset(f)), None)
        if found is None:
            missing.append(c)
        else:
            fallback[c] = found
    return Coverage(face, fallback, "".join(missing))


def report_coverage(text: str, lang: str | None, diag: Diagnostics, *, override: str | None = None,
                    fmt: str = "PDF") -> Coverage:
    """:func:`coverage`, reported: the characters a fallback face renders (``glyph-fallback``) and those no
    installed face has (``glyph-missing``, shown as a missing-glyph box by any reader)."""
    cov = coverage(text, lang, override)
    family = cov.face.family if cov.face else family_for(lang, "serif", override)
    for f in cov.faces():
        chars = cov.chars(f)
        diag.emit("glyph-fallback", f"{len(chars)} character(s) not in {family} ({_show(chars)}) are set in "
                  f"{f.family} in {fmt}")
    if cov.missing:
        diag.emit("glyph-missing", f"{len(cov.missing)} character(s) in no installed font ({_show(cov.missing)}): "
                  f"install one of {', '.join(fallback_families()) or 'a font that has them'} "
                  "(Debian: fonts-hanazono)")
    return cov


def _show(chars: str, limit: int = 8) -> str:
    shown = " ".join(f"{c} U+{ord(c):04X}" for c in chars[:limit])
    return shown + (" …" if len(chars) > limit else "")


def fallback_subsets(text: str, lang: str | None, diag: Diagnostics, *, override: str | None = None,
                     fmt: str = "EPUB") -> list[tuple[Face, bytes]]:
    """Subsets of the fallback faces holding the characters of ``text`` the edition's face lacks, to embed
    after it (an EPUB reader that has no such font would otherwise show a missing-glyph box)."""
    cov = report_coverage(text, lang, diag, override=override, fmt=fmt)
    return [(f, subset(f, cov.chars(f))) for f in cov.faces()]


def family_list(lang: str | None, kind: str = "serif", override: str | None = None) -> str:
    """The CSS ``font-family`` value for ``lang``: the edition's family, then the fallback families, then the
    generic family. WeasyPrint needs the fallback named: once a stylesheet has any ``@font-face``, it no longer
    falls back to fontconfig's choice, and a character the edition's face lacks becomes a missing-glyph box."""
    names = [family_for(lang, kind, override), *fallback_families()]
    return ", ".join(f'"{n}"' for n in dict.fromkeys(names)) + (", serif" if kind == "serif" else ", sans-serif")
