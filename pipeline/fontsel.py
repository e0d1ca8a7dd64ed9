"""Typefaces for each edition (from ``fonts/fonts.toml``): finding the font files, what each covers, subsetting.

What is installed, and which characters each face has, comes from fontconfig — the view WeasyPrint's Pango
shares, read from fontconfig's own cache with one ``fc-list`` per process, no font file opened. Where fontconfig's
tools are missing, the font folders of ``fonts.toml`` are read with fontTools instead, and each file's faces and
cmap kept in a cache on disk (keyed by path, size and mtime), so no run reads a font twice.
"""

from __future__ import annotations

import bisect
import collections
import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostics
from .errors import OutputError
from .resources import FONTS_DIR

#: Bumped when the cache's layout changes.
_CACHE_VERSION = 1


@dataclass(frozen=True)
class Face:
    """One font inside a file (a .ttc collection holds several)."""

    family: str
    path: Path
    index: int

    @property
    def slug(self) -> str:
        return self.family.replace(" ", "")


class Charset:
    """The code points a face has glyphs for, as sorted, disjoint ranges (looked up by bisection)."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(ranges):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        self._starts = [lo for lo, _ in merged]
        self._ends = [hi for _, hi in merged]

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        i = bisect.bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self._ends[i]

    def __len__(self) -> int:
        return sum(hi - lo + 1 for lo, hi in zip(self._starts, self._ends, strict=True))

    def ranges(self) -> list[tuple[int, int]]:
        return list(zip(self._starts, self._ends, strict=True))

    @classmethod
    def parse(cls, text: str) -> Charset:
        """fontconfig's notation: ``20-7e a0 100-17f`` (hexadecimal)."""
        ranges = []
        for part in text.split():
            lo, _, hi = part.partition("-")
            try:
                ranges.append((int(lo, 16), int(hi or lo, 16)))
            except ValueError:
                continue
        return cls(ranges)

    @classmethod
    def of(cls, codepoints: Iterable[int]) -> Charset:
        ranges: list[tuple[int, int]] = []
        for cp in sorted(codepoints):
            if ranges and cp == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
        return cls(ranges)


@dataclass(frozen=True)
class _Entry:
    """One installed face as fontconfig (or the fontTools scan) describes it."""

    families: tuple[str, ...]
    path: Path
    index: int
    regular: int  # 0 for an upright regular face; larger is further from it
    charset: str  # fontconfig's notation, parsed on demand


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
    for key in (lang, "-".join(lang.split("-")[:2]), lang.split("-")[0]):
        if key in table:
            return str(table[key])
    return str(table["default"])


# --------------------------------------------------------------------------- what is installed

_FC_FORMAT = "%{file}\t%{index}\t%{family}\t%{weight}\t%{slant}\t%{width}\t%{charset}\n"


def _distance(weight: str, slant: str, width: str) -> int:
    """How far a face is from the upright regular one (fontconfig weight 80, slant 0, width 100)."""
    def num(value: str, default: float) -> float:
        try:
            return float(value.strip("[]").split()[0])
        except (ValueError, IndexError):
            return default

    slanted = 1000 if num(slant, 0.0) else 0
    return int(abs(num(weight, 80.0) - 80.0)) + slanted + int(abs(num(width, 100.0) - 100.0)) * 10


def _parse_fc(out: str) -> list[_Entry]:
    entries = []
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) != 7 or not cols[0]:
            continue
        path, index, families, weight, slant, width, charset = cols
        names = tuple(n.strip().replace("\\,", ",") for n in families.split(",") if n.strip())
        try:
            idx = int(index)
        except ValueError:
            continue
        if names:
            entries.append(_Entry(names, Path(os.path.realpath(path)), idx, _distance(weight, slant, width),
                                  charset))
    return entries


def _fc(args: list[str]) -> str | None:
    exe = shutil.which(args[0])
    if exe is None:
        return None
    try:
        return subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _font_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".ttc", ".otf", ".ttf") and p.is_file())


def _stat_line(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}\t-"
    return f"{path}\t{st.st_mtime_ns}\t{st.st_size}"


def _fontconfig_state() -> list[str]:
    """What fontconfig's list depends on, cheaply: its configuration and caches, and every folder (with its
    sub-folders) where fonts are installed by convention or shipped with docpipe, each with its modification time
    (a font added or removed changes its folder's). Two milliseconds, against a tenth of a second for fc-list."""
    env = [f"{k}={os.environ.get(k, '')}" for k in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT",
                                                    "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "HOME")]
    home = os.path.expanduser("~")
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    lines = env + [_stat_line(p) for p in (
        shutil.which("fc-list") or "fc-list", "/etc/fonts", "/etc/fonts/conf.d", "/etc/fonts/fonts.conf",
        "/etc/fonts/local.conf", "/var/cache/fontconfig", os.path.join(cache, "fontconfig"),
        os.path.join(config, "fontconfig"), os.path.join(config, "fontconfig", "fonts.conf"))]
    for root in ("/usr/share/fonts", "/usr/local/share/fonts", os.path.join(home, ".fonts"),
                 os.path.join(data, "fonts"), str(FONTS_DIR)):
        for folder, subfolders, files in os.walk(root):
            subfolders.sort()
            lines.append(_stat_line(folder))
            if folder == str(FONTS_DIR):  # docpipe's own files are replaced in place by an upgrade
                lines += [_stat_line(os.path.join(folder, f)) for f in sorted(files)]
    return lines


#: How many fontconfig states' lists are kept on disk.
_FC_STATES = 4


def _fc_entries() -> list[_Entry] | None:
    """fontconfig's list of faces (with ``fonts/``'s own files), kept on disk while :func:`_fontconfig_state` and
    the folders of the faces listed are unchanged; None without fontconfig."""
    state = _fontconfig_state()
    key = hashlib.sha256("\n".join(state).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    path = _cache_dir() / f"fc-list-{key}.json"
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if all(_stat_line(folder) == line for folder, line in kept["folders"].items()):
            return [_Entry(tuple(r[0]), Path(r[1]), int(r[2]), int(r[3]), str(r[4])) for r in kept["faces"]]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    out = _fc(["fc-list", "--format", _FC_FORMAT])
    if out is None:
        return None
    entries = _parse_fc(out)
    own = [str(p) for p in _font_files(FONTS_DIR)]
    if own:  # shipped beside fonts.toml: not in fontconfig's configuration
        entries += _parse_fc(_fc(["fc-query", "--format", _FC_FORMAT, *own]) or "")
    folders = sorted({str(e.path.parent) for e in entries})
    record = {"folders": {f: _stat_line(f) for f in folders},
              "faces": [[list(e.families), str(e.path), e.index, e.regular, e.charset] for e in entries]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # the lists of earlier states, but the latest few: checkouts and environments with fonts/ folders of
        # their own (each its own state) used in turn keep theirs instead of listing again each time
        for old in sorted(path.parent.glob("fc-list-*.json"), key=lambda p: p.stat().st_mtime_ns)[:-_FC_STATES]:
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: fc-list runs in each process
    return entries


@functools.cache
def _entries() -> tuple[_Entry, ...]:
    """Every installed face, once per process: fontconfig's list (with ``fonts/``'s own files; from the disk
    cache while fontconfig's state is unchanged), else a scan."""
    fc = _fc_entries()
    if fc is not None:
        entries = fc
    else:
        search = config().get("search", [])
        assert isinstance(search, list)
        folders = [FONTS_DIR, *(Path(os.path.expanduser(str(s))) for s in search)]
        seen: set[Path] = set()
        entries = []
        for folder in folders:
            for path in _font_files(folder):
                real = Path(os.path.realpath(path))
                if real not in seen:
                    seen.add(real)
                    entries += _scan_cached(real)
    unique: dict[tuple[Path, int], _Entry] = {}
    for e in entries:
        unique.setdefault((e.path, e.index), e)
    return tuple(sorted(unique.values(), key=lambda e: (e.regular, str(e.path), e.index)))


def cache_dir() -> Path:
    """docpipe's own cache folder (``$XDG_CACHE_HOME/docpipe``, else ``~/.cache/docpipe``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "docpipe"


def _cache_dir() -> Path:
    return cache_dir() / f"fonts-v{_CACHE_VERSION}"


def _scan_cached(path: Path) -> list[_Entry]:
    """The faces of one font file, from the disk cache when its path, size and mtime are unchanged."""
    try:
        st = path.stat()
    except OSError:
        return []
    key = f"{path}\0{st.st_size}\0{st.st_mtime_ns}"
    cache = _cache_dir() / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json")
    try:
        rows = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        rows = _scan(path)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(rows, fh)
            os.replace(tmp, cache)
        except OSError:
            pass  # a read-only home: the scan is simply not kept
    try:
        return [_Entry(tuple(r["families"]), path, int(r["index"]), int(r["regular"]), str(r["charset"]))
                for r in rows]
    except (KeyError, TypeError, ValueError):
        return []


def _scan(path: Path) -> list[dict[str, object]]:
    """Name, style and cmap of each face in a font file, read with fontTools (lazily: only those tables)."""
    from fontTools.ttLib import TTCollection, TTFont

    rows: list[dict[str, object]] = []
    try:
        holder = TTCollection(str(path), lazy=True) if path.suffix.lower() == ".ttc" else \
            TTFont(str(path), lazy=True)
    except Exception:  # a broken or unreadable font file is simply not offered
        return rows
    try:
        fonts = holder.fonts if isinstance(holder, TTCollection) else [holder]
        for i, font in enumerate(fonts):
            try:
                name = font["name"].getDebugName(1) or ""
                sub = (font["name"].getDebugName(2) or "").lower()
                cmap = font.getBestCmap() or {}
            except Exception:
                continue
            regular = 0 if sub in ("regular", "book", "normal", "roman") else 1000
            text = " ".join(f"{lo:x}-{hi:x}" if hi > lo else f"{lo:x}" for lo, hi in Charset.of(cmap).ranges())
            rows.append({"families": [name], "index": i, "regular": regular, "charset": text})
    finally:
        holder.close()
    return rows


@functools.cache
def _index() -> dict[str, Face]:
    """Family name -> its upright regular face (the first by path where a family has several)."""
    faces: dict[str, Face] = {}
    for e in _entries():
        for name in e.families:
            faces.setdefault(name, Face(name, e.path, e.index))
    return faces


@functools.cache
def _charsets() -> dict[tuple[Path, int], str]:
    return {(e.path, e.index): e.charset for e in _entries()}


def family_files(families: Iterable[str]) -> list[Path]:
    """Every file holding a face of one of ``families`` (any weight or style), in path order."""
    wanted = set(families)
    return sorted({e.path for e in _entries() if wanted.intersection(e.families)})


def font_for(lang: str | None, override: str | None = None, kind: str = "serif") -> Face | None:
    """The installed face for ``lang``, or None."""
    return _index().get(family_for(lang, kind, override))


@functools.cache
def charset(face: Face) -> Charset:
    """The code points ``face`` has glyphs for (fontconfig's charset, or the font's best cmap)."""
    text = _charsets().get((face.path, face.index))
    if text is None:
        rows = _scan(face.path)
        text = next((str(r["charset"]) for r in rows if r["index"] == face.index), "")
    return Charset.parse(text)


#: OpenType features a subset keeps (with the glyphs they reach): vertical forms and metrics, CJK punctuation
#: spacing, kerning, proportional forms, local forms.
SUBSET_FEATURES = ("vert", "vrt2", "vkrn", "halt", "vhal", "chws", "vchw", "kern", "palt", "locl")


def subset(face: Face, text: str) -> bytes:
    """An OpenType subset of ``face`` holding the characters of ``text`` (vertical forms kept).

    HarfBuzz's subsetter (uharfbuzz, the project's own binding; what WeasyPrint uses for PDFs) takes about 0.1 s
    on a Noto CJK face where fontTools' takes several seconds; fontTools is the fallback where uharfbuzz is
    missing or refuses the font."""
    chars = sorted(set(text))
    data = _hb_subset(face, chars)
    return data if data is not None else _fonttools_subset(face, chars)


def _hb_subset(face: Face, chars: list[str]) -> bytes | None:
    try:
        import uharfbuzz as hb
    except ImportError:
        return None
    try:
        inp = hb.SubsetInput()
        inp.sets(hb.SubsetInputSets.UNICODE).update(ord(c) for c in chars)
        features = inp.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG)
        features.clear()
        features.update(int.from_bytes(tag.encode("ascii"), "big") for tag in SUBSET_FEATURES)
        names = inp.sets(hb.SubsetInputSets.NAME_ID)  # every name record, as the font has them
        names.clear()
        names.invert()
        inp.flags = hb.SubsetFlags.NOTDEF_OUTLINE
        result = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path)), face.index), inp)
        data = bytes(result.blob.data) if result is not None else b""
    except Exception:  # a font HarfBuzz cannot subset: fontTools says why, or manages
        return None
    return data or None


def _fonttools_subset(face: Face, chars: list[str]) -> bytes:
    from fontTools import subset as fts
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(face.path), fontNumber=face.index, lazy=False)
        opts = fts.Options()
        opts.layout_features = list(SUBSET_FEATURES)
        opts.name_IDs = ["*"]
        opts.notdef_outline = True
        opts.recalc_timestamp = False
        opts.drop_tables += ["FFTM"]  # FontForge's timestamp table: fontTools cannot subset it (and says so)
        sub = fts.Subsetter(opts)
        sub.populate(text="".join(chars))
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
    tag = lang or ""
    fc_lang = _FC_LANG.get(tag) or _FC_LANG.get("-".join(tag.split("-")[:2])) or (tag.split("-")[0].lower()
                                                                                  or None)
    out = _fc(["fc-list", f":lang={fc_lang}" if fc_lang else ":", "family"])
    names = {name.strip() for line in (out or "").splitlines() for name in line.split(",") if name.strip()}
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


def script_families(script: str, kind: str = "serif") -> tuple[str, ...]:
    """The families, in order, for the characters of one script (ISO 15924 code such as ``Deva``): those
    ``[script.serif]``/``[script.sans]`` of ``fonts.toml`` name, then Noto's own for the script
    (``Noto Serif Devanagari``, ``Noto Sans Devanagari``)."""
    from fontTools import unicodedata as ucd

    table = config().get("script", {})
    assert isinstance(table, dict)
    named = table.get(kind, {})
    assert isinstance(named, dict)
    listed = named.get(script, [])
    listed = [listed] if isinstance(listed, str) else list(listed)
    name = ucd.script_name(script, default="")
    noto = [f"Noto Serif {name}", f"Noto Sans {name}"] if kind == "serif" else [f"Noto Sans {name}",
                                                                                  f"Noto Serif {name}"]
    return tuple(dict.fromkeys([*(str(x) for x in listed), *(noto if name else [])]))


def _needs_glyph(ch: str) -> bool:
    import unicodedata

    # spaces, controls, format characters and variation selectors take no glyph of their own
    return not ch.isspace() and unicodedata.category(ch)[0] not in "CZ" and not 0xFE00 <= ord(ch) <= 0xFE0F \
        and not 0xE0100 <= ord(ch) <= 0xE01EF


@dataclass(frozen=True)
class Coverage:
    """Which characters of a text the edition's face lacks, the face that sets each, and the rest."""

    face: Face | None
    fallback: dict[str, Face]
    missing: str
    letters: dict[str, int] = field(default_factory=dict)
    """Letters of the text each face sets, by family (the edition's face under its own family)."""

    def faces(self) -> list[Face]:
        """The faces needed besides the edition's: the ``[fallback]`` families first, in their order, then the
        others, the one setting most letters first."""
        seen: dict[str, Face] = {}
        for f in self.fallback.values():
            seen.setdefault(f.family, f)
        order = {name: i for i, name in enumerate(fallback_families())}
        return sorted(seen.values(), key=lambda f: (order.get(f.family, len(order)), -self.letters.get(f.family, 0),
                                                    f.family))

    def leading(self) -> list[Face]:
        """The faces that set more of the text's letters than the edition's face: the text is mainly in their
        script (a Sanskrit or Syriac text in a Chinese edition), so they come first in the family list, and
        the marks, digits and punctuation around their letters are set with them."""
        own = self.letters.get(self.face.family, 0) if self.face else 0
        return [f for f in self.faces() if self.letters.get(f.family, 0) > own]

    def chars(self, face: Face) -> str:
        """The characters ``face`` renders for the edition."""
        return "".join(sorted(c for c, f in self.fallback.items() if f == face))


def _scripts_of(ch: str) -> tuple[str, ...]:
    """The scripts ``ch`` is written in (its Script_Extensions, sorted), Common and Inherited left out."""
    from fontTools import unicodedata as ucd

    found = sorted(ucd.script_extension(ch))
    return tuple(s for s in found if s not in ("Zyyy", "Zinh", "Zzzz"))


def _script(ch: str) -> str:
    from fontTools import unicodedata as ucd

    return str(ucd.script(ch))


def coverage(text: str, lang: str | None, override: str | None = None, kind: str = "serif") -> Coverage:
    """What of ``text`` the edition's installed face for ``lang`` cannot render, and which face sets it.

    A character of one script gets the ``[fallback]`` families, then the families of its script
    (:func:`script_families`) — those first when the edition's face is not one of them (Han in an English
    text) — then any installed face that has it. A mark, digit or punctuation shared by
    several scripts (Script_Extensions) or by all (Common, Inherited) goes first to the face of the letters it
    follows in the text, so a Syriac vowel sign is set with its Syriac letter. What no face has is ``missing``.
    """
    import unicodedata

    face = font_for(lang, override, kind)
    have = charset(face) if face is not None else Charset(())
    counts = collections.Counter(text)
    wanted = sorted(c for c in counts if _needs_glyph(c) and ord(c) not in have)
    letters: dict[str, int] = {}
    if face is not None:
        letters[face.family] = sum(n for c, n in counts.items() if c.isalpha() and ord(c) in have)
    if not wanted:
        return Coverage(face, {}, "", letters)
    index = _index()
    fallbacks = [f for f in (index.get(name) for name in fallback_families()) if f is not None]

    def by_script(c: str, scripts: Iterable[str]) -> Face | None:
        cp = ord(c)
        scripts = tuple(scripts)
        own = [f for s in scripts for f in (index.get(n) for n in script_families(s, kind)) if f is not None]
        # what the edition's CJK face lacks (Extension B and beyond) goes to the [fallback] families first; Han in
        # a text whose face is of another script (an English document) to the script's own faces, a CJK face
        ours = face is not None and any(_script_face(face, s) for s in scripts)
        candidates = [*fallbacks, *own] if ours else [*own, *fallbacks]
        return next((f for f in candidates if cp in charset(f)), None)

    fallback: dict[str, Face] = {}
    missing: list[str] = []
    shared = [c for c in wanted if _script(c) in ("Zyyy", "Zinh", "Zzzz") or len(_scripts_of(c)) > 1]
    cjk_face = face is not None and _script_face(face, "Hani")
    for c in wanted:  # letters of one script first
        if c in shared:
            continue
        # a full-width Latin letter (（ＧＨＱ）in a Japanese line of an English document) is CJK typography: a CJK
        # face has it; the [fallback] face it reached first took the whole line (CSS asks faces in order)
        wide = not cjk_face and _script(c) == "Latn" and unicodedata.east_asian_width(c) == "F"
        found = (by_script(c, ("Hani",)) if wide else None) or by_script(c, _scripts_of(c) or (_script(c),)) \
            or _any_face(ord(c))
        if found is None:
            missing.append(c)
        else:
            fallback[c] = found
            if c.isalpha():
                letters[found.family] = letters.get(found.family, 0) + counts[c]
    after = _preceding_scripts(text, shared)
    chosen = list(dict.fromkeys(fallback.values()))
    for c in shared:
        scripts = [s for s, _ in after.get(c, collections.Counter()).most_common()]
        scripts += [s for s in _scripts_of(c) if s not in scripts]
        cp = ord(c)
        # the faces already setting the letters it follows, then its scripts' faces, then any face
        near = [f for s in scripts for f in chosen if _script_face(f, s)]
        # a full-width mark (（，「) in a text whose face is not CJK belongs with the Han around it: a CJK face
        wide = unicodedata.east_asian_width(c) in ("F", "W") and not cjk_face
        found = next((f for f in near if cp in charset(f)), None) or (by_script(c, ("Hani",)) if wide else None) \
            or by_script(c, scripts) or _any_face(cp)
        if found is None:
            missing.append(c)
        else:
            fallback[c] = found
    return Coverage(face, fallback, "".join(sorted(missing)), letters)


def _script_face(face: Face, script: str) -> bool:
    """Whether ``face`` is one of the families of ``script``."""
    return face.family in script_families(script, "serif") or face.family in script_families(script, "sans")


def _preceding_scripts(text: str, chars: list[str]) -> dict[str, collections.Counter[str]]:
    """For each of ``chars``: how often it follows a letter of each script (looking back a few characters)."""
    import re

    out: dict[str, collections.Counter[str]] = {}
    if not chars:
        return out
    pattern = re.compile("[" + "".join(re.escape(c) for c in chars) + "]")
    for m in pattern.finditer(text):
        for back in text[max(0, m.start() - 8):m.start()][::-1]:
            script = _script(back) if back.isalpha() else ""
            if script and script not in ("Zyyy", "Zinh"):
                out.setdefault(m.group(0), collections.Counter())[script] += 1
                break
    return out


def _any_face(cp: int) -> Face | None:
    """Any installed face with a glyph for ``cp``: Noto Serif and Noto Sans (Latin, Greek, Cyrillic), the
    other Noto Serif and Noto Sans families, then the rest, by name."""
    def rank(name: str) -> tuple[int, str]:
        return (0 if name in ("Noto Serif", "Noto Sans") else 1 if name.startswith("Noto Serif")
                else 2 if name.startswith("Noto Sans") else 3, name)

    for name in sorted(_index(), key=rank):
        face = _index()[name]
        if cp in charset(face):
            return face
    return None


def report_coverage(text: str, lang: str | None, diag: Diagnostics, *, override: str | None = None,
                    fmt: str = "PDF") -> Coverage:
    """:func:`coverage`, reported: the characters another face renders (``glyph-fallback``) and those no
    installed face has (``glyph-missing``, a warning naming them: a reader shows a missing-glyph box)."""
    from fontTools import unicodedata as ucd

    cov = coverage(text, lang, override)
    family = cov.face.family if cov.face else family_for(lang, "serif", override)
    for f in cov.faces():
        chars = cov.chars(f)
        diag.emit("glyph-fallback", f"{len(chars)} character(s) not in {family} ({_show(chars)}) are set in "
                  f"{f.family} in {fmt}")
    if cov.missing:
        scripts = sorted({s for c in cov.missing for s in _scripts_of(c)} or {"Zyyy"})
        if set(scripts) <= {"Hani"}:
            hint = f"install one of {', '.join(fallback_families()) or 'a font that has them'} (Debian: fonts-hanazono)"
        else:
            names = ", ".join(ucd.script_name(s, default=s) for s in scripts)
            hint = f"install a font for {names} (Debian: fonts-noto-core, fonts-noto-extra)"
        diag.emit("glyph-missing", f"{len(cov.missing)} character(s) in no installed font ({_show(cov.missing)}) "
                  f"would print as missing-glyph boxes in {fmt}: {hint}")
    return cov


def _show(chars: str, limit: int = 8) -> str:
    shown = " ".join(f"{c} U+{ord(c):04X}" for c in chars[:limit])
    return shown + (" …" if len(chars) > limit else "")


def fallback_subsets(text: str, lang: str | None, diag: Diagnostics, *, override: str | None = None,
                     fmt: str = "EPUB") -> list[tuple[Face, bytes]]:
    """Subsets of the faces holding the characters of ``text`` the edition's face lacks, to embed after it
    (an EPUB reader that has no such font would otherwise show a missing-glyph box)."""
    cov = report_coverage(text, lang, diag, override=override, fmt=fmt)
    return [(f, subset(f, cov.chars(f))) for f in cov.faces()]


def sans_counterpart(family: str) -> str:
    """The sans-serif family of a serif one where it is installed (``Noto Serif Devanagari`` -> ``Noto Sans
    Devanagari``), else ``family`` itself: for headings in a script the edition's faces lack."""
    if family.startswith("Noto Serif "):
        sans = "Noto Sans " + family[len("Noto Serif "):]
        if sans in _index():
            return sans
    return family


def family_list(lang: str | None, kind: str = "serif", override: str | None = None,
                extra: Iterable[str] = (), lead: Iterable[str] = ()) -> str:
    """The CSS ``font-family`` value for ``lang``: ``lead`` (the faces of the script the text is mainly
    written in, when the edition's face lacks it: :meth:`Coverage.leading`), the edition's family, the
    fallback families, ``extra`` (the faces :func:`coverage` found for the text's other scripts), then the
    generic family. WeasyPrint needs them named: once a stylesheet has any ``@font-face``, it no longer falls
    back to fontconfig's choice, and a character the edition's face lacks becomes a missing-glyph box."""
    own = family_for(lang, kind, override)
    names = [*lead, own]
    if " CJK " not in own:
        # a face of one script (Devanagari, Hebrew…) lacks Latin: the Latin face next (a romanised Sanskrit word
        # tagged `sa`), then the faces coverage found (Han in an English text: its CJK face, not HanaMin first)
        # (extra lists the [fallback] faces first, for a CJK edition: here they wait for their turn below, or a
        # Japanese line of an English Word document was all in HanaMin for three full-width letters)
        names += [family_for(None, kind), *(e for e in extra if e not in fallback_families())]
    names += [*fallback_families(), *extra]
    return ", ".join(f'"{n}"' for n in dict.fromkeys(names)) + (", serif" if kind == "serif" else ", sans-serif")
