"""Every character class docpipe uses, defined once: Han and the marks of Han text as code-point ranges, wide
(full-width) cells, combining marks, full-width punctuation, Latin and digits, protected spans (URLs, addresses).

Readers, transforms and writers import their classes from here (issue 23: they were defined five times with
different ranges); where two users need different ranges, each range set has its own name here.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

Ranges = Sequence[tuple[int, int]]

#: Han ideographs: CJK Unified Ideographs and Extension A, compatibility ideographs, the supplementary planes'
#: extensions B–H. Script detection counts these.
HAN_RANGES: Ranges = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
#: Han as typesetting sees it: ideographs, CJK radicals, the iteration mark 々, ideographic zero 〇 and Hangzhou
#: numerals — what a quarter-em gap separates from Latin (clreq).
HAN_TEXT_RANGES: Ranges = ((0x2E80, 0x2EFF), (0x3005, 0x3005), (0x3007, 0x3007), (0x3021, 0x3029), *HAN_RANGES)
#: The CJK Unified Ideographs block alone (U+4E00–U+9FFF): what a frequency table of common characters covers.
UNIFIED_RANGES: Ranges = ((0x4E00, 0x9FFF),)
#: From Extension A to the end of the Unified block (U+3400–U+9FFF, the Yijing hexagrams between them included):
#: the Han characters that end a URL written in running Chinese text.
HAN_BMP_RANGES: Ranges = ((0x3400, 0x9FFF),)
#: Wide characters (full-width cells) between which slack may go in justified CJK lines: CJK symbols and
#: punctuation, kana, bopomofo, Han, compatibility ideographs, vertical forms, full-width forms, the
#: supplementary planes.
WIDE_RANGES: Ranges = ((0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x312F), (0x3190, 0x31FF), (0x3400, 0x4DBF),
                       (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF01, 0xFF60),
                       (0xFFE0, 0xFFE6), (0x20000, 0x3134F))
#: Marks that hold on to what precedes them: variation selectors, combining marks, kana voicing marks.
STICKY_RANGES: Ranges = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x0300, 0x036F), (0x3099, 0x309A))


def char_class(ranges: Ranges) -> str:
    """The inside of a regular-expression character class (``[…]``) for ``ranges``."""
    def esc(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"
    return "".join(esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}" for lo, hi in ranges)


def in_ranges(ch: str, ranges: Ranges) -> bool:
    """Whether the character ``ch`` lies in one of ``ranges``."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in ranges)


HAN = re.compile(f"[{char_class(HAN_RANGES)}]")


#: Answers of :func:`is_han` and :func:`is_chinese` by character: the transforms ask them for every character of
#: the text, a book's million of them (a few thousand distinct).
_HAN_OF: dict[str, bool] = {}
_CHINESE_OF: dict[str, bool] = {}


def is_han(ch: str) -> bool:
    """A Han ideograph (CJK Unified Ideographs and extensions, compatibility ideographs)."""
    known = _HAN_OF.get(ch)
    if known is None:
        known = bool(HAN.fullmatch(ch))
        if len(ch) == 1:
            _HAN_OF[ch] = known
    return known

#: Full-width and CJK punctuation (clreq): what Han text is punctuated with.
FULLWIDTH_PUNCT = frozenset("，。、；：！？（）「」『』“”‘’《》〈〉【】〔〕［］｛｝—…·・〜～－％＋")
#: Curly quotes double as Latin quotation marks and apostrophes: Chinese only next to a Han character.
CURLY = frozenset("“”‘’")
OPENING = frozenset("（「『“‘《〈【〔［｛")
CLOSING = frozenset("）」』”’》〉】〕］｝，。、；：！？")

#: URLs and e-mail addresses: no transform touches them.
_URL_CHARS = r"[^\s<>\"，。、；：！？（）「」『』" + char_class(HAN_BMP_RANGES) + "]"
PROTECTED = re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+(?<![,.;:!?)])"
                       r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# The same, but an address starts only where a run of address characters starts (the look-behind): searched
# from each character of a long run without ``@``, PROTECTED would scan the rest of the run each time.
_PROTECTED_AT_RUN = re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+(?<![,.;:!?)])"
                               r"|(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ADDRESS_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
LATIN = re.compile(r"[A-Za-z0-9]")


#: Marks both scripts write (ellipsis, dashes, middle dots, curly quotes): they make neither Chinese nor Latin
#: context, so "for example, …" stays an English phrase.
SHARED = frozenset("…—–·‧“”‘’")
#: Brackets, quotation and book-title marks of both scripts: they enclose text rather than set its context.
ENCLOSING = frozenset("()[]{}\"'“”‘’（）［］｛｝「」『』《》〈〉【】〔〕")
_SPACES = frozenset(" \u00a0\t\u202f\u2009")


def is_chinese(ch: str) -> bool:
    """A character that makes the text around it Chinese: Han, or punctuation only Chinese text uses (，。、)."""
    known = _CHINESE_OF.get(ch)
    if known is None:
        known = bool(ch) and ch not in SHARED and ch not in ENCLOSING and (
            is_han(ch) or ch in FULLWIDTH_PUNCT or "\u3001" <= ch <= "\u303f")
        if len(ch) == 1:
            _CHINESE_OF[ch] = known
    return known


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
    after, so a transform may change ``chars`` in place between questions. A question looks at most
    :data:`_NEAR` characters on; past that the positions a search stops at are indexed once (a run of 40,000
    commas costs one index, not 40,000 scans), and found by bisection.
    """

    def __init__(self, chars: list[str], skip: frozenset[str] = frozenset()) -> None:
        self.chars = chars
        self.passed = _SPACES | SHARED | ENCLOSING | skip | {"\u3000"}
        self._kept: list[int] | None = None

    def _index(self) -> list[int]:
        if self._kept is None:
            passed = self.passed
            self._kept = [i for i, c in enumerate(self.chars) if c not in passed]
        return self._kept

    def _edge(self, edge: str) -> str:
        return "" if edge in self.passed else edge

    def prev(self, i: int, edge: str = "") -> str:
        """The deciding character before ``i`` (``edge`` beyond the text)."""
        chars, passed = self.chars, self.passed
        for j in range(i - 1, max(i - 1 - _NEAR, -1), -1):
            if chars[j] not in passed:
                return chars[j]
        if i - 1 - _NEAR < 0:
            return self._edge(edge)
        kept = self._index()
        k = bisect.bisect_left(kept, i)
        return chars[kept[k - 1]] if k else self._edge(edge)

    def next(self, i: int, edge: str = "") -> str:
        """The deciding character after ``i``."""
        chars, passed = self.chars, self.passed
        end = len(chars)
        for j in range(i + 1, min(i + 1 + _NEAR, end)):
            if chars[j] not in passed:
                return chars[j]
        if i + 1 + _NEAR >= end:
            return self._edge(edge)
        kept = self._index()
        k = bisect.bisect_right(kept, i)
        return chars[kept[k]] if k < len(kept) else self._edge(edge)


#: Characters a :class:`Neighbours` question looks at before it indexes the whole text.
_NEAR = 16


def chinese_prefix(chars: list[str]) -> list[int]:
    """Prefix counts of :func:`is_chinese` characters: ``p[j] - p[i]`` Chinese characters in ``chars[i:j]``."""
    return list(itertools.accumulate(map(is_chinese, chars), initial=0))


def is_cjk(ch: str) -> bool:
    """A Han character or CJK punctuation: the marks of Chinese text."""
    return bool(ch) and (is_han(ch) or ch in FULLWIDTH_PUNCT or "\u3000" <= ch <= "\u303f")


def is_latin(ch: str) -> bool:
    """A Latin letter or a digit (or a sign that ends a Latin or numeric run)."""
    return bool(ch) and (bool(LATIN.fullmatch(ch)) or ch in "%°‰+$€£")


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL and e-mail address in ``text``: the matches of ``PROTECTED.finditer``, found in
    linear time (an address may start inside a run of address characters only where the previous match ended)."""
    out: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = PROTECTED.match(text, pos) if pos and text[pos - 1] in _ADDRESS_CHARS else None
        if m is None:
            m = _PROTECTED_AT_RUN.search(text, pos)
        if m is None:
            return out
        out.append((m.start(), m.end()))
        pos = m.end()


def protected_mask(text: str) -> list[bool]:
    """For every character, whether it lies inside a URL or an e-mail address."""
    mask = [False] * len(text)
    for start, end in protected_spans(text):
        mask[start:end] = [True] * (end - start)
    return mask


__all__ = ["CLOSING", "CURLY", "ENCLOSING", "FULLWIDTH_PUNCT", "HAN", "HAN_BMP_RANGES", "HAN_RANGES",
           "HAN_TEXT_RANGES", "OPENING", "SHARED", "STICKY_RANGES", "UNIFIED_RANGES", "WIDE_RANGES", "char_class",
           "in_ranges", "is_chinese", "is_cjk", "is_han", "is_latin", "neighbour", "protected_mask",
           "protected_spans"]
