"""Character classes for CJK typography: Han, full-width punctuation, Latin and digits, protected spans."""

from __future__ import annotations

import re

from .script import HAN, is_han

#: Full-width and CJK punctuation (clreq): what Han text is punctuated with.
FULLWIDTH_PUNCT = frozenset("，。、；：！？（）「」『』“”‘’《》〈〉【】〔〕［］｛｝—…·・〜～－％＋")
#: Curly quotes double as Latin quotation marks and apostrophes: Chinese only next to a Han character.
CURLY = frozenset("“”‘’")
OPENING = frozenset("（「『“‘《〈【〔［｛")
CLOSING = frozenset("）」』”’》〉】〕］｝，。、；：！？")

#: URLs and e-mail addresses: no transform touches them.
_URL_CHARS = r"[^\s<>\"，。、；：！？（）「」『』\u3400-\u9fff]"
PROTECTED = re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+(?<![,.;:!?)])"
                       r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
LATIN = re.compile(r"[A-Za-z0-9]")


def is_cjk(ch: str) -> bool:
    """A Han character or CJK punctuation: the marks of Chinese text."""
    return bool(ch) and (is_han(ch) or ch in FULLWIDTH_PUNCT or "\u3000" <= ch <= "\u303f")


def is_latin(ch: str) -> bool:
    """A Latin letter or a digit (or a sign that ends a Latin or numeric run)."""
    return bool(ch) and (bool(LATIN.fullmatch(ch)) or ch in "%°‰+$€£")


def protected_mask(text: str) -> list[bool]:
    """For every character, whether it lies inside a URL or an e-mail address."""
    mask = [False] * len(text)
    for m in PROTECTED.finditer(text):
        for i in range(m.start(), m.end()):
            mask[i] = True
    return mask


__all__ = ["CLOSING", "CURLY", "FULLWIDTH_PUNCT", "HAN", "OPENING", "is_cjk", "is_han", "is_latin", "protected_mask"]
