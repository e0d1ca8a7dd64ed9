"""DOCX fonts Word resolves on any system: the font table with East Asian fallbacks, the theme's fonts and language.

docpipe names the Noto CJK families (what its PDF and EPUB use, and what Linux and LibreOffice have). Word on
Windows and macOS does not ship them; what it looks at when a named font is missing is the package's font table
(``word/fontTable.xml``): each font's ``w:altName`` (a comma-separated list of other names to look for, ECMA-376
Part 1, 17.8.3.1), its ``w:charset`` (the code page: 86 GB 2312 for Simplified Chinese, 88 Big5 for Traditional),
its PANOSE class and ``w:sig`` (the Unicode ranges and code pages it covers). So every Noto CJK face the document
names gets an entry whose alternative names are the faces of the same kind the systems ship (Song/Ming for the
serif, Hei for the sans; Windows first, then macOS), and those faces get entries of their own with their local
names. The style keeps the Noto name first, so Linux, LibreOffice and a Windows with Noto installed use it.

The theme (``word/theme/theme1.xml``) holds the fonts Word falls back to for each script (``a:font script="Hans"``
/ ``"Hant"``) and ``w:themeFontLang`` in the settings says which East Asian language the theme's ``a:ea`` font is
for: both follow the edition (zh-CN, zh-TW, zh-HK), never the template's Japanese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..fontsel import family_for
from .wordml import W
from .wordml import el as _el
from .wordml import sub as _sub
from .wordml import w as _w

A = "http://schemas.openxmlformats.org/drawingml/2006/main"


@dataclass(frozen=True, slots=True, kw_only=True)
class Face:
    """What the font table says of one face."""

    charset: str
    """``w:charset``: the face's Windows code page as two hex digits (86 GB 2312, 88 Big5, 00 ANSI)."""
    family: str
    """``w:family``: roman (serif), swiss (sans), modern (fixed pitch), auto."""
    panose: str | None = None
    """``w:panose1``: the face's PANOSE class, 20 hex digits."""
    sig: tuple[str, str, str, str, str, str] | None = None
    """``w:sig``: usb0–usb3 and csb0–csb1 of the face's OS/2 table."""
    alt: str | None = None
    """``w:altName``: other names of the face (comma-separated, Windows's local name first)."""
    pitch: str = "variable"
    """``w:pitch``."""


#: The faces Windows and macOS ship for each region and kind, in the order Word should try them.
FALLBACKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Hans", "serif"): ("SimSun", "Songti SC"),
    ("Hans", "sans"): ("Microsoft YaHei", "PingFang SC"),
    ("Hant", "serif"): ("PMingLiU", "Songti TC"),
    ("Hant", "sans"): ("Microsoft JhengHei", "PingFang TC"),
    ("HK", "serif"): ("MingLiU_HKSCS", "PMingLiU", "Songti TC"),
    ("HK", "sans"): ("Microsoft JhengHei", "PingFang HK"),
}
#: The code page of each region: GB 2312 (86) for Simplified, Big5 (88) for Traditional and Hong Kong.
CHARSET = {"Hans": "86", "Hant": "88", "HK": "88"}

_NOTO_SIG_GB = ("30000083", "2BDF3C10", "00000016", "00000000", "602E0107", "00000000")
_NOTO_SIG_BIG5 = ("30000083", "2BDF3C10", "00000016", "00000000", "603A0107", "00000000")
#: The faces whose properties docpipe knows: the Noto and DejaVu ones measured from Debian's fonts (OS/2 table),
#: the Windows faces as Word writes them in a font table, the macOS faces by their code page.
KNOWN: dict[str, Face] = {
    "Noto Serif CJK SC": Face(charset="86", family="roman", panose="02020400000000000000", sig=_NOTO_SIG_GB),
    "Noto Sans CJK SC": Face(charset="86", family="swiss", panose="020B0500000000000000", sig=_NOTO_SIG_GB),
    "Noto Serif CJK TC": Face(charset="88", family="roman", panose="02020400000000000000", sig=_NOTO_SIG_BIG5),
    "Noto Sans CJK TC": Face(charset="88", family="swiss", panose="020B0500000000000000", sig=_NOTO_SIG_BIG5),
    "Noto Serif CJK HK": Face(charset="88", family="roman", panose="02020400000000000000", sig=_NOTO_SIG_BIG5),
    "Noto Sans CJK HK": Face(charset="88", family="swiss", panose="020B0500000000000000", sig=_NOTO_SIG_BIG5),
    "SimSun": Face(charset="86", family="auto", panose="02010600030101010101", alt="宋体",
                   sig=("00000003", "288F0000", "00000016", "00000000", "00040001", "00000000")),
    "Microsoft YaHei": Face(charset="86", family="swiss", panose="020B0503020204020204", alt="微软雅黑",
                            sig=("80000287", "2ACF3C50", "00000016", "00000000", "0004001F", "00000000")),
    "PMingLiU": Face(charset="88", family="roman", panose="02020500000000000000", alt="新細明體",
                     sig=("A00002FF", "28CFFCFA", "00000016", "00000000", "00100001", "00000000")),
    "MingLiU_HKSCS": Face(charset="88", family="modern", panose="02020500000000000000", alt="細明體_HKSCS",
                          pitch="fixed"),
    "Microsoft JhengHei": Face(charset="88", family="swiss", panose="020B0604030504040204", alt="微軟正黑體",
                               sig=("000002A7", "28CF4400", "00000016", "00000000", "00100009", "00000000")),
    "Songti SC": Face(charset="86", family="auto", alt="宋体-简"),
    "PingFang SC": Face(charset="86", family="swiss", alt="苹方-简"),
    "Songti TC": Face(charset="88", family="auto", alt="宋體-繁"),
    "PingFang TC": Face(charset="88", family="swiss", alt="蘋方-繁"),
    "PingFang HK": Face(charset="88", family="swiss", alt="蘋方-港"),
    # the Latin faces of docpipe's non-CJK editions and of code, with the faces Windows and macOS ship
    "Noto Serif": Face(charset="00", family="roman", panose="02020502060505020204", alt="Cambria,Georgia"),
    "Noto Sans": Face(charset="00", family="swiss", panose="020B0502040504020204", alt="Calibri,Helvetica Neue"),
    "DejaVu Sans Mono": Face(charset="00", family="modern", panose="020B0609030804020204", pitch="fixed",
                             alt="Consolas,Menlo,Courier New"),
}
_NOTO = re.compile(r"Noto (Serif|Sans) CJK (SC|TC|HK)")
_REGION = {"SC": "Hans", "TC": "Hant", "HK": "HK"}
_FONT_ATTRS = ("ascii", "hAnsi", "eastAsia", "cs")


def region(east_asian_lang: str) -> str | None:
    """Hans, Hant or HK for a ``w:eastAsia`` language (zh-CN, zh-TW, zh-HK), None for another language."""
    return {"zh-CN": "Hans", "zh-SG": "Hans", "zh-TW": "Hant", "zh-HK": "HK", "zh-MO": "HK"}.get(east_asian_lang)


def fallbacks(name: str, edition_region: str | None, kind: str | None) -> tuple[str, ...]:
    """The system faces Word should try for the East Asian face ``name``: from its own name for a Noto CJK face,
    else from the edition's region and the face's kind (the edition's serif or sans)."""
    m = _NOTO.fullmatch(name)
    if m:
        return FALLBACKS[(_REGION[m.group(2)], m.group(1).lower())]
    if edition_region and kind:
        return FALLBACKS[(edition_region, kind)]
    return ()


def _parts_xml(document: Any) -> list[etree._Element]:
    """The XML of every WordprocessingML part that names fonts (document, styles, notes, headers, footers,
    numbering)."""
    roots: list[etree._Element] = []
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if not name.startswith("/word/") or not name.endswith(".xml") or name.startswith("/word/theme/") \
                or name == "/word/fontTable.xml":
            continue
        element = getattr(part, "element", None)
        roots.append(element if element is not None else etree.fromstring(part.blob))
    return roots


def named_fonts(document: Any) -> list[str]:
    """The fonts the package's parts name in ``w:rFonts``, in order of first use."""
    seen: dict[str, None] = {}
    for root in _parts_xml(document):
        for rf in root.iter(_w("rFonts")):
            for attr in _FONT_ATTRS:
                value = rf.get(_w(attr))
                if value:
                    seen.setdefault(value, None)
    return list(seen)


def _theme_part(document: Any) -> Any | None:
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/theme") and not rel.is_external:
            return rel.target_part
    return None


def theme_fonts(document: Any, lang: str | None, serif: str, sans: str, ea_lang: str) -> list[str]:
    """The theme's East Asian fonts from the edition: ``a:ea`` the edition's faces, the ``Hans`` and ``Hant``
    script fonts the Simplified and Traditional (Hong Kong in a Hong Kong edition) faces, ``Jpan`` the Japanese
    ones; returns the Latin and East Asian faces the theme names (for the font table)."""
    part = _theme_part(document)
    if part is None:
        return []
    root = etree.fromstring(part.blob)
    hant = "zh-Hant-HK" if ea_lang == "zh-HK" else "zh-Hant"
    named: list[str] = []
    for tag, kind, face in (("majorFont", "sans", sans), ("minorFont", "serif", serif)):
        for block in root.iter(f"{{{A}}}{tag}"):
            for child in ("latin", "ea"):
                el = block.find(f"{{{A}}}{child}")
                if el is None:
                    continue
                if child == "ea":
                    el.set("typeface", face)
                if el.get("typeface"):
                    named.append(el.get("typeface") or "")
            for font in block.findall(f"{{{A}}}font"):
                script = font.get("script")
                by_script = {"Hans": "zh-Hans", "Hant": hant, "Jpan": "ja"}
                if script in by_script:
                    font.set("typeface", family_for(by_script[script], kind))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return named


def theme_language(document: Any, lang: str | None, ea_lang: str) -> None:
    """``w:themeFontLang``: the document's language and the edition's East Asian language."""
    settings = document.settings.element
    el = settings.find(_w("themeFontLang"))
    if el is None:
        from .docx_layout import _settings
        _settings(document, "themeFontLang")
        el = settings.find(_w("themeFontLang"))
        assert el is not None
    latin = lang if lang and not lang.startswith(("zh", "ja", "ko", "yue", "lzh")) else "en-US"
    el.set(_w("val"), latin)
    el.set(_w("eastAsia"), ea_lang)


def _entry(name: str, face: Face | None, alt: tuple[str, ...], old: etree._Element | None) -> etree._Element:
    if face is None and old is not None:  # a face docpipe knows nothing of: the template's entry as it was
        return old
    font = _el("font", {"name": name})
    alt_names = [*([face.alt] if face is not None and face.alt else []), *alt]
    if alt_names:
        _sub(font, "altName", {"val": ",".join(dict.fromkeys(alt_names))})
    if face is None:
        _sub(font, "family", {"val": "auto"})
        _sub(font, "pitch", {"val": "variable"})
        return font
    if face.panose:
        _sub(font, "panose1", {"val": face.panose})
    _sub(font, "charset", {"val": face.charset})
    _sub(font, "family", {"val": face.family})
    _sub(font, "pitch", {"val": face.pitch})
    if face.sig:
        _sub(font, "sig", dict(zip(("usb0", "usb1", "usb2", "usb3", "csb0", "csb1"), face.sig, strict=True)))
    return font


def font_table(document: Any, extra: list[str], edition_region: str | None, serif: str, sans: str) -> list[str]:
    """Rewrite ``word/fontTable.xml``: the fonts the document and theme name (the East Asian faces first, each
    with its system fallbacks as ``w:altName``), then the fallbacks' own entries; the template's unused
    Japanese faces leave. Returns the table's font names in order."""
    part = next((rel.target_part for rel in document.part.rels.values()
                 if rel.reltype.endswith("/fontTable") and not rel.is_external), None)
    if part is None:
        return []
    root = getattr(part, "element", None)
    if root is None:
        root = etree.fromstring(part.blob)
    old = {f.get(_w("name")) or "": f for f in root.findall(_w("font"))}
    used = list(dict.fromkeys([*named_fonts(document), *extra]))
    kinds = {serif: "serif", sans: "sans"}
    east = [n for n in used if _NOTO.fullmatch(n) or (n in kinds and edition_region)]
    entries: dict[str, etree._Element] = {}
    for name in east:
        alt = fallbacks(name, edition_region, kinds.get(name))
        face = KNOWN.get(name)
        if face is None and edition_region:  # the edition's own face (--font): the edition's code page
            face = Face(charset=CHARSET[edition_region], family="roman" if kinds.get(name) == "serif" else "swiss")
        entries[name] = _entry(name, face, alt, old.get(name))
    for name in east:
        for fb in fallbacks(name, edition_region, kinds.get(name)):
            if fb not in entries:
                entries[fb] = _entry(fb, KNOWN.get(fb), (), old.get(fb))
    for name in used:
        if name not in entries:
            entries[name] = _entry(name, KNOWN.get(name), (), old.get(name))
    for child in list(root):
        root.remove(child)
    for font in entries.values():
        root.append(font)
    if getattr(part, "element", None) is None:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return list(entries)


def install(document: Any, lang: str | None, ea_lang: str, serif: str, sans: str) -> None:
    """Theme fonts and language from the edition, then the font table (after every part is written)."""
    theme = theme_fonts(document, lang, serif, sans, ea_lang)
    theme_language(document, lang, ea_lang)
    chinese = (lang or "").split("-")[0] in ("zh", "yue", "lzh")
    font_table(document, theme, region(ea_lang) if chinese else None, serif, sans)


__all__ = ["CHARSET", "FALLBACKS", "KNOWN", "Face", "W", "fallbacks", "font_table", "install", "named_fonts",
           "region", "theme_fonts", "theme_language"]
