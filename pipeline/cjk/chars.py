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


#: Marks both scripts write (ellipsis, dashes, middle dots, curly quotes): they make neither Chinese nor Latin
#: context, so "for example, …" stays an English phrase.
SHARED = frozenset("…—–·‧“”‘’")
#: Brackets, quotation and book-title marks of both scripts: they enclose text rather than set its context.
ENCLOSING = frozenset("()[]{}\"'“”‘’（）［］｛｝「」『』《》〈〉【】〔〕")
_SPACES = frozenset(" \u00a0\t\u202f\u2009")


def is_chinese(ch: str) -> bool:
    """A character that makes the text around it Chinese: Han, or punctuation only Chinese text uses (，。、)."""
    if not ch or ch in SHARED or ch in ENCLOSING:
        return False
    return is_han(ch) or ch in FULLWIDTH_PUNCT or "\u3001" <= ch <= "\u303f"


def neighbour(text: str | list[str], i: int, step: int, edge: str = "", skip: frozenset[str] = frozenset()) -> str:
    """The nearest character from ``i`` in direction ``step`` (±1) that decides whether a mark there is Chinese
    or Latin: spaces, shared marks, enclosing marks and ``skip`` are passed over; ``edge`` lies beyond the text
    ('' when it is one of those too)."""
    passed = _SPACES | SHARED | ENCLOSING | skip | {"\u3000"}
    j = i + step
    while 0 <= j < len(text) and text[j] in passed:
        j += step
    if 0 <= j < len(text):
        return text[j]
    return "" if edge in passed else edge


class Neighbours:
    """:func:`neighbour` for every position of a text at once, in linear time.

    The positions a search passes over depend only on which characters are "passed" (spaces, shared and
    enclosing marks, ``skip``); a mark that changes width (``,`` → ``，``) is passed over neither before nor
    after, so the nearest positions are computed once and the characters read when asked — a transform may
    change ``chars`` in place between questions.
    """

    def __init__(self, chars: list[str], skip: frozenset[str] = frozenset()) -> None:
        passed = _SPACES | SHARED | ENCLOSING | skip | {"\u3000"}
        self.chars = chars
        self.passed = passed
        n = len(chars)
        self.left = [-1] * n
        self.right = [n] * n
        last = -1
        for i in range(n):
            self.left[i] = last
            if chars[i] not in passed:
                last = i
        last = n
        for i in range(n - 1, -1, -1):
            self.right[i] = last
            if chars[i] not in passed:
                last = i

    def prev(self, i: int, edge: str = "") -> str:
        """The deciding character before ``i`` (``edge`` beyond the text)."""
        j = self.left[i]
        return self.chars[j] if j >= 0 else ("" if edge in self.passed else edge)

    def next(self, i: int, edge: str = "") -> str:
        """The deciding character after ``i``."""
        j = self.right[i]
        return self.chars[j] if j < len(self.chars) else ("" if edge in self.passed else edge)


def chinese_prefix(chars: list[str]) -> list[int]:
    """Prefix counts of :func:`is_chinese` characters: ``p[j] - p[i]`` Chinese characters in ``chars[i:j]``."""
    out = [0]
    for ch in chars:
        out.append(out[-1] + is_chinese(ch))
    return out


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


__all__ = ["CLOSING", "CURLY", "ENCLOSING", "FULLWIDTH_PUNCT", "HAN", "OPENING", "SHARED", "is_chinese", "is_cjk",
           "is_han", "is_latin", "neighbour", "protected_mask"]
