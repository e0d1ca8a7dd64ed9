"""The division each entry of a book opens (``Heading.role``): from its kind, or for unnumbered front and back
matter from what the book file names it, its file's name or its title (``foreword.md``, ``前言``, ``Colophon``)."""

from __future__ import annotations

import posixpath
import re

from .. import ir
from .plan import Entry

#: Words that name a division in a file's stem or a title, checked in this order (the first that matches wins).
_WORDS: tuple[tuple[str, str], ...] = (
    ("foreword", r"foreword|geleitwort|avant-propos"),
    ("preface", r"preface|prefacio|pr[ée]face|vorwort|prefazione"),
    ("acknowledgments", r"acknowledge?ments?|thanks|remerciements|danksagung"),
    ("dedication", r"dedication"),
    ("epigraph", r"epigraph"),
    ("introduction", r"introduction|intro|einleitung"),
    ("prologue", r"prologue"),
    ("epilogue", r"epilogue"),
    ("afterword", r"afterword|postscript|nachwort"),
    ("conclusion", r"conclusions?"),
    ("glossary", r"glossary"),
    ("bibliography", r"bibliography|references|works[ _-]cited"),
    ("colophon", r"colophon"),
    ("index", r"index"),
)
#: Chinese titles that name a division: the whole title (a single character such as 序 inside a longer title —
#: 排序 — names nothing).
_HAN_WORDS: dict[str, str] = {
    "序": "foreword", "序言": "foreword", "序文": "foreword", "推荐序": "foreword", "推薦序": "foreword",
    "前言": "preface", "自序": "preface", "致谢": "acknowledgments", "致謝": "acknowledgments",
    "鸣谢": "acknowledgments", "鳴謝": "acknowledgments", "献词": "dedication", "獻詞": "dedication",
    "题记": "epigraph", "題記": "epigraph", "引言": "introduction", "导论": "introduction", "導論": "introduction",
    "导言": "introduction", "導言": "introduction", "简介": "introduction", "簡介": "introduction",
    "绪论": "introduction", "緒論": "introduction", "楔子": "prologue", "尾声": "epilogue", "尾聲": "epilogue",
    "后记": "afterword", "後記": "afterword", "跋": "afterword", "结语": "conclusion", "結語": "conclusion",
    "术语表": "glossary", "術語表": "glossary", "词汇表": "glossary", "詞彙表": "glossary",
    "参考文献": "bibliography", "參考文獻": "bibliography", "参考资料": "bibliography", "參考資料": "bibliography",
    "版权页": "colophon", "版權頁": "colophon", "版本说明": "colophon", "版本說明": "colophon", "索引": "index",
}
_PATTERNS = tuple((role, re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.I)) for role, words in _WORDS)
#: Roles an unnumbered entry of each place may take besides that place's own (a prologue opens the story).
_ALSO = {"front": ("prologue",), "back": ("epilogue", "conclusion", "acknowledgments")}


def guess(entry: Entry, title: str | None, place: str) -> str:
    """The role of an unnumbered entry of ``place`` (``front`` or ``back``): the one its file's stem names
    (``foreword.md``), else its title (``前言``, ``Acknowledgements``), else ``preface`` in front and
    ``afterword`` in back matter. A role of the other place (a ``colophon`` listed before the chapters) is not
    taken: the entry's place in the book file wins."""
    stem = posixpath.splitext(posixpath.basename(entry.path or ""))[0]
    # Quarto's and MkDocs' index.qmd is the book's welcome page, never its index
    texts = [] if stem.lower() in ("index", "readme") else [stem]
    texts += [t for t in (entry.title, title) if t]
    for text in texts:
        han = _HAN_WORDS.get(re.sub(r"[\s\d.、:：·]+", "", text))
        found = [han] if han else [role for role, pattern in _PATTERNS if pattern.search(text)]
        for role in found:
            if ir.DIVISIONS[role] == place or role in _ALSO.get(place, ()):
                return role
    return "preface" if place == "front" else "afterword"


def checked(role: str, where: str) -> str:
    """``role`` when it is a division :data:`pipeline.ir.DIVISIONS` knows, else a ValueError naming ``where``."""
    if role not in ir.DIVISIONS:
        raise ValueError(f"{where}: role {role!r} is not one of {', '.join(sorted(ir.DIVISIONS))}")
    return role
