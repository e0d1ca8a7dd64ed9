"""Right-to-left scripts: the languages they write, the language a text is mostly in, the direction of a tag.

A text is told by its words, as :func:`~pipeline.cjk.script.chinese_share` tells Chinese: a word of an RTL
script against a word of any other, so an English document with an Arabic paragraph stays English and only the
paragraph is Arabic. The Arabic script is Arabic (``ar``) unless its letters are Urdu's (ٹ ڈ ڑ ں ے) or Persian's
(ی ک, never written in Arabic, which has ي ك): a language docpipe cannot tell from the script alone is the
script's most common one (Hebrew ``he``, not Yiddish).
"""

from __future__ import annotations

import re
import unicodedata

#: (script, its letters, the language its text is taken to be).
SCRIPTS: tuple[tuple[str, str, str], ...] = (
    ("Hebr", "\u0590-\u05ff\ufb1d-\ufb4f", "he"),
    ("Arab", "\u0600-\u06ff\u0750-\u077f\u0870-\u089f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe", "ar"),
    ("Syrc", "\u0700-\u074f\u0860-\u086f", "syr"),
    ("Thaa", "\u0780-\u07bf", "dv"),
    ("Nkoo", "\u07c0-\u07ff", "nqo"),
    ("Samr", "\u0800-\u083f", "smp"),
    ("Mand", "\u0840-\u085f", "mid"),
    ("Adlm", "\U0001e900-\U0001e95f", "ff-Adlm"),
)

#: Languages written right to left unless their tag names another script.
RTL_LANGUAGES = frozenset({
    "ar", "arc", "azb", "bal", "bqi", "ckb", "dv", "fa", "glk", "he", "iw", "ji", "khw", "ks", "lrc", "mid",
    "mzn", "nqo", "pnb", "prs", "ps", "sd", "sdh", "skr", "smp", "syr", "ug", "ur", "yi",
})
#: The script each RTL language is written in (those :func:`rtl_language` tells apart share one).
LANGUAGE_SCRIPT = {"he": "Hebr", "iw": "Hebr", "yi": "Hebr", "ji": "Hebr", "syr": "Syrc", "arc": "Syrc",
                   "dv": "Thaa", "nqo": "Nkoo", "smp": "Samr", "mid": "Mand"}
#: Script subtags written right to left.
RTL_SUBTAGS = frozenset({s for s, _, _ in SCRIPTS} | {"Rohg", "Syre", "Syrj", "Syrn", "Phnx", "Armi", "Nbat",
                                                     "Palm", "Hatr", "Mani", "Avst", "Sogd", "Sogo", "Yezi"})

_LETTERS = "".join(r for _, r, _ in SCRIPTS)
#: A word: letters (combining marks included, as in vowelled Arabic and Hebrew).
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
                   r"\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0])*")
_SCRIPT_OF = tuple((re.compile(f"[{r}]"), lang) for _, r, lang in SCRIPTS)
_URDU = re.compile("[\u0679\u0688\u0691\u06ba\u06d2]")
_PERSIAN = re.compile("[\u06cc\u06a9]")
_ARABIC = re.compile("[\u064a\u0643\u0629]")
_ANY_RTL = re.compile(f"[{_LETTERS}]")
#: Letters of scripts written without spaces between words (Thai, Lao, Tibetan, Myanmar, Khmer, kana, Han,
#: Hangul syllables): each counts as a word, as a Han character does against English (a Japanese page is no
#: handful of "words" for one Arabic paragraph to outnumber).
_UNSPACED = re.compile("[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                       "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def rtl_language(text: str) -> str | None:
    """The language of ``text`` when most of its words are in one RTL script (at least as many as the words of
    every other script together), else None."""
    if not _ANY_RTL.search(text):
        return None
    counts: dict[str, int] = {}
    other = 0
    for m in _WORD.finditer(text):
        first = m.group()[0]
        for pattern, lang in _SCRIPT_OF:
            if pattern.match(first):
                counts[lang] = counts.get(lang, 0) + 1
                break
        else:
            other += max(1, len(_UNSPACED.findall(m.group())))
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    if n < other + sum(counts.values()) - n:
        return None
    return _arabic_language(text) if lang == "ar" else lang


def _arabic_language(text: str) -> str:
    """Urdu, Persian or Arabic, by the letters only the first two write."""
    if len(_URDU.findall(text)) >= 2:
        return "ur"
    if len(_PERSIAN.findall(text)) > len(_ARABIC.findall(text)):
        return "fa"
    return "ar"


def has_rtl_letters(text: str) -> bool:
    """``text`` writes a letter of a right-to-left script."""
    return _ANY_RTL.search(text) is not None


def is_rtl(lang: str | None) -> bool:
    """A BCP 47 tag of text written right to left (its script subtag, else its language's usual script)."""
    if not lang:
        return False
    parts = lang.replace("_", "-").split("-")
    for sub in parts[1:]:
        if len(sub) == 4 and sub.isalpha():
            return sub.title() in RTL_SUBTAGS
    return parts[0].lower() in RTL_LANGUAGES


def rtl_script(lang: str | None) -> str | None:
    """The right-to-left script a tag's text is written in (its subtag, else its language's), None for LTR."""
    if not is_rtl(lang):
        return None
    assert lang
    parts = lang.replace("_", "-").split("-")
    sub = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    return sub or LANGUAGE_SCRIPT.get(parts[0].lower(), "Arab")


def direction(lang: str | None) -> str:
    """``rtl`` or ``ltr`` for a BCP 47 tag."""
    return "rtl" if is_rtl(lang) else "ltr"


#: ISO 15924 subtags of the scripts written left to right that a part of a right-to-left document may be in.
_LTR_SCRIPTS = {"LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARMENIAN": "Armn", "GEORGIAN": "Geor",
                "DEVANAGARI": "Deva"}


def undetermined_ltr(text: str) -> str | None:
    """For a part that has letters and none of a right-to-left script: ``und-`` and the script of its first letter
    (``und-Latn``: a language docpipe does not tell, written left to right), so that inside a right-to-left
    document it is set left to right as the Unicode bidirectional algorithm sets a paragraph by its first strong
    character; None when it has a right-to-left letter or no letter at all."""
    if has_rtl_letters(text):
        return None
    for ch in text:
        if unicodedata.bidirectional(ch) == "L" and ch.isalpha():
            script = _LTR_SCRIPTS.get(unicodedata.name(ch, "").split(" ")[0])
            return f"und-{script}" if script else "und"
    return None
