"""Which Chinese script a text is written in, and which Traditional standard, from the characters and words it uses.

The evidence, strongest first: characters only one script writes (``们`` Simplified, ``們`` Traditional); where a
stretch has none, words only one script writes (``什么``, ``甲胄`` — every character of them is written by both
scripts, the word by one); where it has neither, it tells nothing and takes the script of what surrounds it. A
text is judged clause by clause (cut at spaces and punctuation), so a paragraph that quotes the other script
(``抬头 擡头 抬頭 擡頭``) is seen as mixed, each clause as what it is.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .chars import HAN

#: The Traditional standards docpipe tells apart: OpenCC's own (爲 裏 祕), Taiwan's (為 裡 秘), Hong Kong's (為 裏 秘
#: 衞 綫).
STANDARDS = ("opencc", "tw", "hk")


def _derive_only_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters, from the vendored OpenCC character dictionaries."""
    from .conversion import alternatives, dictionary

    def changed(name: str) -> set[str]:
        # a character that is one of its own conversions (台 → 臺 檯 颱 台) belongs to both scripts
        return {k for k, v in alternatives(name).items() if len(k) == 1 and k not in v}

    trad, simp = changed("TSCharacters"), changed("STCharacters")
    # Taiwan's and Hong Kong's forms (秘 峰 群) are Traditional even where OpenCC's s2t would change them.
    regional = {v for name in ("TWVariants", "HKVariants") for v in dictionary(name).values() if len(v) == 1}
    return frozenset(trad - simp), frozenset(simp - trad - regional)


@functools.cache
def _only_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters (:func:`_derive_only_sets`, kept in :data:`DERIVED_NAME`)."""
    tables = _tables()
    return frozenset(tables["traditional_only"]), frozenset(tables["simplified_only"])


HANS, HANT = "zh-Hans", "zh-Hant"
#: A clause that writes both scripts' own characters (``擡头``): converted as a whole towards the edition.
MIXED = "mixed"

#: What clauses are cut at: white space and the punctuation between clauses (not ``-`` or ``·``, which join the
#: parts of a name OpenCC's dictionaries hold whole: ``伯克希尔-哈撒韦``, ``克里斯托弗·诺兰``).
_CLAUSE_END = re.compile(r"[\s\u3000-\u3003\u3008-\u3011\u3014-\u301f\uff01\uff08\uff09\uff0c\uff0e\uff1a\uff1b"
                         r"\uff1f,.;:!?()\[\]{}\"'\u2018\u2019\u201c\u201d\u2026]+")


#: A character both scripts write is "rarely Traditional" when OpenCC's phrases keep it in at most this many
#: Traditional words (据 only in 拮据, against 里 in 858 and 台 in 22).
RARELY = 5


@functools.cache
def rarely_traditional() -> frozenset[str]:
    """Characters both scripts write whose Traditional use is a few words (:func:`_derive_rarely_traditional`)."""
    return frozenset(_tables()["rarely_traditional"])


def _derive_rarely_traditional() -> frozenset[str]:
    """Characters both scripts write whose Traditional use is a few words (``据``: 拮据); elsewhere they are the
    Simplified form of another (據). Written in Traditional text where the document writes that other form, they
    are a Simplified character left in it."""
    from .conversion import alternatives, dictionary

    chars = alternatives("STCharacters")
    ambiguous = {c for c, v in chars.items() if len(c) == 1 and c in v and v[0] != c}
    kept: Counter[str] = Counter()
    for k, v in dictionary("STPhrases").items():
        if len(k) == len(v):
            kept.update(a for a, b in zip(k, v, strict=True) if a == b and a in ambiguous)
    return frozenset(c for c in ambiguous if kept[c] <= RARELY)


def evidence(text: str) -> tuple[int, int]:
    """(Traditional-only, Simplified-only) characters in ``text``."""
    trad_only, simp_only = _only_sets()  # two sets without a common character
    return sum(map(trad_only.__contains__, text)), sum(map(simp_only.__contains__, text))


def _derive_words() -> tuple[list[str], list[str]]:
    """(Traditional, Simplified) words only one script writes though both write each of their characters: the keys
    of OpenCC's phrase tables that convert (``什么`` → 什麼 in ``STPhrases``, ``乾隆`` stays in ``TSPhrases``)."""
    from .conversion import dictionary

    trad_only, simp_only = _derive_only_sets()

    def words(name: str) -> list[str]:
        return sorted(k for k, v in dictionary(name).items()
                      if len(k) > 1 and k != v and trad_only.isdisjoint(k) and simp_only.isdisjoint(k))

    return words("TSPhrases"), words("STPhrases")


@functools.cache
def _word_matchers() -> tuple[object, object]:
    """Matchers of the words of :func:`_derive_words` (kept in :data:`DERIVED_NAME`)."""
    from .conversion import Leaf

    tables = _tables()
    return (Leaf.of("traditional words", dict.fromkeys(tables["traditional_words"], "")),
            Leaf.of("simplified words", dict.fromkeys(tables["simplified_words"], "")))


def word_evidence(text: str) -> tuple[int, int]:
    """(Traditional-only, Simplified-only) words in ``text`` (see :func:`_word_matchers`), longest match first."""
    from .conversion import Leaf, forward

    trad, simp = _word_matchers()
    assert isinstance(trad, Leaf) and isinstance(simp, Leaf)
    return (sum(hit is not None for _, _, hit in forward(text, trad)),
            sum(hit is not None for _, _, hit in forward(text, simp)))


@dataclass(frozen=True, slots=True)
class Clause:
    """A stretch of text between clause punctuation (the punctuation after it included) and what it tells."""

    text: str
    script: str | None
    """``zh-Hans``, ``zh-Hant``, :data:`MIXED`, or None when it tells nothing."""
    weight: int
    """How many telling characters (else words) said so."""
    by_words: bool = False
    """Told by words alone (``平台``, which Taiwan writes too): weak evidence, which yields to a document's script."""

    def script_in(self, prior: str | None) -> str | None:
        """The clause's script in a document (or part) of script ``prior``: a clause told by words alone that
        disagrees with it tells nothing."""
        if self.by_words and prior is not None and self.script != prior:
            return None
        return self.script


def _clause(text: str) -> Clause:
    trad, simp = evidence(text)
    words = False
    if not (trad or simp):
        trad, simp = word_evidence(text) if HAN.search(text) else (0, 0)
        words = bool(trad or simp)
    if trad and simp:
        return Clause(text, MIXED, trad + simp, words)
    return Clause(text, HANT if trad else HANS if simp else None, trad + simp, words)


@functools.lru_cache(maxsize=16384)
def clauses(text: str) -> tuple[Clause, ...]:
    """``text`` cut into clauses, each with its own script; neighbours of one script (or telling nothing) joined."""
    out: list[Clause] = []
    start = 0
    for m in _CLAUSE_END.finditer(text):
        if m.end() > start:
            out.append(_clause(text[start:m.end()]))
            start = m.end()
    if start < len(text):
        out.append(_clause(text[start:]))
    # pieces joined once at the end: adding to one growing string per clause was quadratic in a long line
    merged: list[tuple[list[str], str | None, int, bool]] = []
    for c in out:
        if merged and (c.script is None or c.script == merged[-1][1]):
            pieces, script, weight, words = merged[-1]
            pieces.append(c.text)
            merged[-1] = (pieces, script, weight + c.weight, words and (c.by_words or c.script is None))
        elif merged and merged[-1][1] is None:
            merged[-1][0].append(c.text)
            merged[-1] = (merged[-1][0], c.script, c.weight, c.by_words)
        else:
            merged.append(([c.text], c.script, c.weight, c.by_words))
    return tuple(Clause("".join(p), s, w, b) for p, s, w, b in merged)


#: A character that is not a space, and a run of spaces (``str.isspace``'s, as ``str.split`` cuts at).
_SOLID = re.compile(r"\S")
_BLANKS = re.compile(r"\s*")


def clauses_in(text: str, orig: str | None) -> tuple[Clause, ...]:
    """:func:`clauses` of ``text``, cut where ``orig`` — the same text before the spaces in it were closed
    (``甲胄 甲冑`` → ``甲胄甲冑``, :mod:`pipeline.transforms.spacing`) — has its clause ends."""
    if not orig or orig == text or "".join(orig.split()) != "".join(text.split()):
        return clauses(text)
    out: list[Clause] = []
    # where each clause of ``orig`` ends in ``text``: after as many characters that are not spaces (the two
    # texts have the same ones), and the spaces after them
    solid = [m.start() for m in _SOLID.finditer(text)]
    i = seen = 0
    for c in clauses(orig):
        wanted = len("".join(c.text.split()))
        j = solid[seen + wanted - 1] + 1 if wanted else i
        seen += wanted
        j = _BLANKS.match(text, j).end()  # type: ignore[union-attr]  # matches, if only the empty string
        if j > i:
            out.append(Clause(text[i:j], c.script, c.weight, c.by_words))
        i = j
    if i < len(text) and out:
        last = out[-1]
        out[-1] = Clause(last.text + text[i:], last.script, last.weight, last.by_words)
    return tuple(out)


def words_only(found: tuple[Clause, ...]) -> bool:
    """Only words tell the script of these clauses (no character does): a part the document's script may overrule."""
    told = [c for c in found if c.script is not None]
    return bool(told) and all(c.by_words for c in told)


def tally(text: str | tuple[Clause, ...], prior: str | None = None) -> tuple[int, int]:
    """(Traditional, Simplified) weight of the clauses of ``text`` in a document of script ``prior``
    (:meth:`Clause.script_in`); a mixed clause counts its characters on each side."""
    trad = simp = 0
    for c in clauses(text) if isinstance(text, str) else text:
        script = c.script_in(prior)
        if script == HANT:
            trad += c.weight
        elif script == HANS:
            simp += c.weight
        elif script == MIXED:
            t, s = evidence(c.text)
            trad, simp = trad + t, simp + s
    return trad, simp


def uniform(text: str | tuple[Clause, ...], prior: str | None = None) -> str | None:
    """The one script every telling clause of ``text`` is in (in a document of script ``prior``); :data:`MIXED`
    when they differ; None when none tells."""
    scripts = {c.script_in(prior) for c in (clauses(text) if isinstance(text, str) else text)} - {None}
    if not scripts:
        return None
    return scripts.pop() if len(scripts) == 1 else MIXED


#: Kana and Hangul: a text that writes them is Japanese or Korean.
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
#: A word of a script written with spaces between words: letters other than Han, kana and Hangul.
_OTHER_WORD = re.compile(r"(?:(?![\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af])[^\W\d_])+")


def chinese_share(text: str) -> tuple[int, int]:
    """(Han characters, words of other scripts) in ``text``: a Han character and a word of English carry about as
    much, so their counts decide which language a text is mostly in. Japanese or Korean text counts as other."""
    # counted with subn, not findall: a list of one string per Han character of a whole document's body was most
    # of the conversion's memory (10 million characters: 0.8 GB)
    if _KANA_HANGUL.search(text):
        return 0, _OTHER_WORD.subn("", text)[1] + HAN.subn("", text)[1]
    return HAN.subn("", text)[1], _OTHER_WORD.subn("", text)[1]


def mostly_chinese(text: str) -> bool:
    """``text`` is mostly Chinese: Han characters, no kana or Hangul, at least as many as words of other scripts."""
    if _KANA_HANGUL.search(text):
        return False
    han = HAN.subn("", text)[1]
    # a word is a character at least: Han in half the text or more outnumbers the words, which need not be counted
    return han > 0 and (2 * han >= len(text) or han >= _OTHER_WORD.subn("", text)[1])


def detect_language(text: str) -> str | None:
    """The language tag of a text that is mostly Chinese (its script, else ``zh``); None for any other text."""
    if not mostly_chinese(text):
        return None
    return detect_script(text) or "zh"


_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+")
_THAI = re.compile(r"[\u0e01-\u0e5b]")
#: Japanese writes kana in every sentence: at least this share of its kana and Han characters are kana (a Chinese
#: text quoting one Japanese name has far fewer).
KANA_SHARE = 0.2
#: Thai is written without spaces between words: about this many letters make one word.
THAI_LETTERS_PER_WORD = 5


#: A template engine's tags (Jinja, docxtpl, Liquid, Handlebars: ``{{ NAME }}``, ``{%p if X %}``, ``{# note #}``):
#: placeholders, no words of the document's language (a Chinese budget template holds more of them than Han).
TEMPLATE_TAG = re.compile(r"\{\{[^{}\n]{0,200}\}\}|\{%[^{}\n]{0,200}%\}|\{#[^{}\n]{0,200}#\}")


def without_template_tags(text: str) -> str:
    """``text`` with its template tags (:data:`TEMPLATE_TAG`) left out, for a vote on its language."""
    return TEMPLATE_TAG.sub(" ", text) if "{" in text else text


def unspaced_language(text: str) -> str | None:
    """``ja``, ``ko`` or ``th`` when that language's script carries most of ``text`` (its characters or words at
    least as many as the words of every other script, a Han character and a word counting alike, as in
    :func:`chinese_share`), else None. Kana tell Japanese, Hangul Korean, Thai letters Thai."""
    kana, han = _KANA.subn("", text)[1], HAN.subn("", text)[1]
    other = _OTHER_WORD.subn("", text)[1]
    thai_letters = _THAI.subn("", text)[1]
    thai_words = len(re.findall(r"[\u0e01-\u0e5b]+", text))
    latin = other - thai_words  # _OTHER_WORD counts a run of Thai letters as one word; Hangul it leaves out
    hangul = _HANGUL_WORD.subn("", text)[1]
    if kana and kana >= KANA_SHARE * (kana + han) and kana + han >= latin + hangul:
        return "ja"
    if hangul and hangul >= latin + han:
        return "ko"
    thai = thai_letters / THAI_LETTERS_PER_WORD
    if thai_letters and thai >= latin + han + hangul:
        return "th"
    return None


def detect_script(text: str, prior: str | None = None) -> str | None:
    """``zh-Hant``, ``zh-Hans`` (the majority of what ``text``'s clauses tell in a document of script ``prior``;
    a tie is Traditional), or None when the text has no telling character or word."""
    trad, simp = tally(text, prior)
    if trad == simp == 0:
        return None
    return HANT if trad >= simp else HANS


@functools.cache
def _standard_marks() -> dict[str, frozenset[str]]:
    """For each character that only some standards write, the standards that write it
    (:func:`_derive_standard_marks`, kept in :data:`DERIVED_NAME`)."""
    return {ch: frozenset(stds) for ch, stds in _tables()["standard_marks"].items()}


def _derive_standard_marks() -> dict[str, frozenset[str]]:
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


def standard_scores(text: str) -> dict[str, float]:
    """How many of each standard's own forms ``text`` uses, a form shared by two standards counting half for each."""
    marks = _standard_marks()
    score: dict[str, float] = dict.fromkeys(STANDARDS, 0.0)
    for ch in filter(marks.__contains__, text):
        stds = marks[ch]
        for std in stds:
            score[std] += 1 / len(stds)  # a form only one standard writes (群, 衞) says more than a shared one (為)
    return score


def detect_standard(text: str) -> str:
    """The Traditional standard ``text`` follows (``opencc``, ``tw`` or ``hk``): the one whose own forms it uses
    most (:func:`standard_scores`); OpenCC's when the text has none (or a tie)."""
    score = standard_scores(text)
    best = max(STANDARDS, key=lambda s: (score[s], s == "opencc"))
    return best if score[best] > 0 else "opencc"


#: Clear evidence of a regional standard: at least this many of its forms (為 and 群, not 為 alone)…
CLEAR_MARKS = 2.0
#: …at least this many times OpenCC's forms…
CLEAR_RATIO = 2.0
#: …and at least this many more of its own forms than the other region's (a form both regions write, 為, counts
#: half for each, so this is the lead in forms only one of them writes: Taiwan's 裡 群, Hong Kong's 衞 綫).
CLEAR_LEAD = 0.5


def clear_standard(text: str) -> str | None:
    """The regional standard (``tw``, ``hk``) ``text`` clearly follows, by :data:`CLEAR_MARKS`,
    :data:`CLEAR_RATIO` and :data:`CLEAR_LEAD`; else None (OpenCC's standard is then the default)."""
    score = standard_scores(text)
    best = max(("tw", "hk"), key=lambda s: score[s])
    other = "hk" if best == "tw" else "tw"
    if (score[best] >= CLEAR_MARKS and score[best] >= CLEAR_RATIO * score["opencc"]
            and score[best] - score[other] >= CLEAR_LEAD):
        return best
    return None


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


# ------------------------------------------------------------------------------------------- derived tables

#: The tables above derived from the vendored dictionaries, kept in one file beside them: deriving them reads some
#: 60 000 dictionary lines, about 0.1 s of every conversion's CPU. The file records a fingerprint of what it was
#: derived from; when that no longer matches (a dictionary or ``corrections.tsv`` edited) the tables are derived
#: again in memory, so a stale file is slow, never wrong. ``python -m pipeline.cjk.script`` writes it (so does
#: ``refresh``); a test checks it is current.
DERIVED_NAME = "script-evidence.json"
#: The dictionaries the tables are derived from (with ``corrections.tsv``).
_SOURCES = ("STCharacters", "TSCharacters", "TWVariants", "HKVariants", "STPhrases", "TSPhrases")
#: Bumped whenever a ``_derive_*`` function changes what it makes.
_DERIVATION = 1


def _fingerprint() -> str:
    from .conversion import DATA

    digest = hashlib.sha256(f"derivation {_DERIVATION}".encode())
    for path in [*(DATA / "dictionary" / f"{name}.txt" for name in _SOURCES), DATA / "corrections.tsv"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def derive() -> dict[str, Any]:
    """Every derived table, from the dictionaries, as :data:`DERIVED_NAME` holds them."""
    trad, simp = _derive_only_sets()
    trad_words, simp_words = _derive_words()
    return {"fingerprint": _fingerprint(),
            "traditional_only": "".join(sorted(trad)), "simplified_only": "".join(sorted(simp)),
            "rarely_traditional": "".join(sorted(_derive_rarely_traditional())),
            "standard_marks": {ch: sorted(stds) for ch, stds in sorted(_derive_standard_marks().items())},
            "traditional_words": trad_words, "simplified_words": simp_words}


@functools.cache
def _tables() -> dict[str, Any]:
    from .conversion import DATA

    try:
        kept = json.loads((DATA / DERIVED_NAME).read_text(encoding="utf-8"))
        if isinstance(kept, dict) and kept.get("fingerprint") == _fingerprint():
            return kept
    except (OSError, ValueError):
        pass
    return derive()


def write_derived() -> Path:
    """Write :data:`DERIVED_NAME` beside the dictionaries; returns its path."""
    from ..fileio import atomic_write
    from .conversion import DATA

    path = DATA / DERIVED_NAME
    atomic_write(path, (json.dumps(derive(), ensure_ascii=False, indent=0, sort_keys=True) + "\n").encode())
    return path


if __name__ == "__main__":
    print(write_derived())
