"""Which Chinese script a text is written in, and which Traditional standard, from the characters it uses."""

from __future__ import annotations

import functools
import re
from collections import Counter

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

#: The Traditional standards docpipe tells apart: OpenCC's own (爲 裏 祕), Taiwan's (為 裡 秘), Hong Kong's (為 裏 秘
#: 衞 綫).
STANDARDS = ("opencc", "tw", "hk")


def is_han(ch: str) -> bool:
    """A Han ideograph (CJK Unified Ideographs and extensions, compatibility ideographs)."""
    return bool(HAN.fullmatch(ch))


@functools.cache
def _only_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters, from the vendored OpenCC character dictionaries."""
    from .conversion import alternatives, dictionary

    def changed(name: str) -> set[str]:
        # a character that is one of its own conversions (台 → 臺 檯 颱 台) belongs to both scripts
        return {k for k, v in alternatives(name).items() if len(k) == 1 and k not in v}

    trad, simp = changed("TSCharacters"), changed("STCharacters")
    # Taiwan's and Hong Kong's forms (秘 峰 群) are Traditional even where OpenCC's s2t would change them.
    regional = {v for name in ("TWVariants", "HKVariants") for v in dictionary(name).values() if len(v) == 1}
    return frozenset(trad - simp), frozenset(simp - trad - regional)


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


@functools.cache
def _standard_marks() -> dict[str, frozenset[str]]:
    """For each character that only some standards write, the standards that write it.

    Built from the variant dictionaries (``爲`` → Taiwan ``為``, Hong Kong ``為``): a character is a mark of the
    standards that choose it. Characters OpenCC's own phrases also write (``著`` in 著作, ``參`` in 參加) tell
    nothing and are left out.
    """
    from .conversion import dictionary

    tw, hk = dictionary("TWVariants"), dictionary("HKVariants")
    written_by_opencc = set(dictionary("STCharacters").values())
    written_by_opencc |= {c for v in dictionary("STPhrases").values() for c in v}
    marks: dict[str, set[str]] = {}
    for k in set(tw) | set(hk):
        if len(k) != 1:
            continue
        for std, ch in (("opencc", k), ("tw", tw.get(k, k)), ("hk", hk.get(k, k))):
            marks.setdefault(ch, set()).add(std)
    return {ch: frozenset(stds) for ch, stds in marks.items()
            if len(stds) < len(STANDARDS) and ("opencc" in stds or ch not in written_by_opencc)}


def detect_standard(text: str) -> str:
    """The Traditional standard ``text`` follows (``opencc``, ``tw`` or ``hk``): the one whose own forms it uses
    most, a form shared by two standards counting half for each; OpenCC's when the text has none (or a tie)."""
    marks = _standard_marks()
    score: dict[str, float] = dict.fromkeys(STANDARDS, 0.0)
    for ch in text:
        stds = marks.get(ch, ())
        for std in stds:
            score[std] += 1 / len(stds)  # a form only one standard writes (群, 衞) says more than a shared one (為)
    best = max(STANDARDS, key=lambda s: (score[s], s == "opencc"))
    return best if score[best] > 0 else "opencc"


def region_standard(lang: str | None) -> str | None:
    """The standard a language tag names by its region (``zh-Hant-TW``, ``zh-HK``), None when it names none."""
    if not lang:
        return None
    parts = lang.upper().split("-")
    if "TW" in parts:
        return "tw"
    if "HK" in parts or "MO" in parts:
        return "hk"
    return None


def kept_variants(text: str, target: str) -> tuple[tuple[str, str], ...]:
    """Variant pairs ``(form, author's form)`` a ``target``-standard edition takes from the author's ``text``.

    Where the target standard has no form of its own for a character — its variant table leaves OpenCC's
    (Taiwan's table keeps 臺) — and another region's form of it (台) is the only one the author's Traditional
    text writes, at least twice, the edition writes the author's form everywhere, so converted parts match.
    """
    from .conversion import dictionary

    own = dictionary({"tw": "TWVariants", "hk": "HKVariants"}[target]) if target in ("tw", "hk") else {}
    counts = Counter(text)
    out: dict[str, str] = {}
    for table in ("TWVariants", "HKVariants"):
        for form, regional in dictionary(table).items():
            if (len(form) == 1 and len(regional) == 1 and form != regional and form not in own
                    and counts[form] == 0 and counts[regional] >= 2):
                out.setdefault(form, regional)
    return tuple(sorted(out.items()))
