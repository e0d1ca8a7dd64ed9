"""Which Chinese script a text is written in, from the characters that exist in only one of them."""

from __future__ import annotations

import functools
import re
from pathlib import Path

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def is_han(ch: str) -> bool:
    """A Han ideograph (CJK Unified Ideographs and extensions, compatibility ideographs)."""
    return bool(HAN.fullmatch(ch))


@functools.cache
def _only_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters, from OpenCC's character dictionaries."""
    import opencc

    folder = Path(opencc.__file__).resolve().parent / "dictionary"

    def changed(name: str) -> set[str]:
        out: set[str] = set()
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and key not in values.split():
                out.add(key)
        return out

    trad, simp = changed("TSCharacters.txt"), changed("STCharacters.txt")
    return frozenset(trad - simp), frozenset(simp - trad)


def detect_script(text: str) -> str | None:
    """``zh-Hant``, ``zh-Hans``, or None when the text has no telling Han characters."""
    trad_only, simp_only = _only_sets()
    trad = simp = 0
    for ch in text:
        if ch in trad_only:
            trad += 1
        elif ch in simp_only:
            simp += 1
    if trad == simp == 0:
        return None
    return "zh-Hant" if trad >= simp else "zh-Hans"
