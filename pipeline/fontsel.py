"""Typefaces for each edition (from ``fonts/fonts.toml``): finding the font files and subsetting them."""

from __future__ import annotations

import functools
import io
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
