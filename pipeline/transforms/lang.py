"""Language tags: the document's language and the tag of every part that differs from it.

The document's language is the one it declares (front matter ``lang``, Word's or OpenDocument's default
language, HTML ``lang``, TEI ``xml:lang``), else the majority of its body — Chinese when Han characters outnumber
the words of other scripts, Arabic, Hebrew, Syriac, Thaana… when the words of that right-to-left script do
(:mod:`pipeline.rtl`), Japanese, Korean or Thai when kana, Hangul or Thai letters carry it
(:func:`pipeline.cjk.script.unspaced_language`; the short kanji-only headings and cells of a Japanese page stay
Japanese) — never one paragraph's: an English document with a Chinese or an Arabic paragraph stays English, that
paragraph tagged (a part the source left untagged, in a script other than the document's: a Persian document's
paragraphs stay Persian). Under an edition every Chinese part carries the edition's tag (``zh-Hant``, ``zh-Hans``,
``zh-Hant-TW``, ``zh-Hant-HK``), and so does the document when it is Chinese; under ``keep`` each Chinese
part's tag comes from its own script, so Simplified boxes inside a Traditional report are ``zh-Hans``. A part is
tagged only where it differs from its container, except boxes and notes, which always carry their tag (they are
set apart and may be read alone). Parts in another language keep the tag they had.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from .. import ir
from ..cjk.chars import HAN
from ..cjk.script import (
    HANS,
    HANT,
    clauses,
    detect_script,
    mostly_chinese,
    tally,
    unspaced_language,
    without_template_tags,
    words_only,
)
from ..diagnostics import Diagnostics
from ..options import Options
from ..rtl import is_rtl, rtl_language, rtl_script, undetermined_ltr
from ..walk import block_text, iter_blocks, iter_inlines, plain, rewrite_blocks
from ._base import record
from .script import detect, is_chinese_tag, tag_script

TAGS = {"hant": "zh-Hant", "hans": "zh-Hans", "tw": "zh-Hant-TW", "hk": "zh-Hant-HK"}


def document_language(doc: ir.Document, edition: str | None) -> tuple[str | None, str]:
    """The language of ``doc`` under ``edition``'s tag (None under ``keep``), and where it comes from:
    ``declared``, ``majority`` (of the body outside boxes) or ``none`` (an undeclared body mostly in no
    script docpipe tells, or empty)."""
    declared = doc.metadata.language
    if declared:
        return (edition if edition and is_chinese_tag(declared) else declared), "declared"
    body = without_template_tags(block_text(tuple(b for b in doc.blocks if not isinstance(b, ir.Box))))
    if mostly_chinese(body):
        return edition or _majority_script(body) or "zh", "majority"
    prose = without_template_tags(_prose(doc.blocks))
    if rtl := rtl_language(prose):
        return rtl, "majority"
    if other := unspaced_language(prose):
        return other, "majority"
    return None, "none"


#: Han text without kana, shorter than this, in a Japanese or Korean document is that document's (a heading, a
#: table cell: 配列, 機能); a longer one is a Chinese passage, tagged as such.
KANJI_RUN = 20


def _kanji_of(doc_lang: str | None, text: str) -> bool:
    """``text`` is Han characters a Japanese or Korean document writes in its own language (short, no kana)."""
    return (doc_lang or "").split("-")[0] in ("ja", "ko") and HAN.subn("", text)[1] < KANJI_RUN


def _prose(blocks: tuple[ir.Block, ...]) -> str:
    """The text of the headings and paragraphs of ``blocks`` outside boxes, code left out: a programming book's
    identifiers are no words of its language (an Arabic React tutorial has more of them than Arabic words)."""
    lines = []
    for b in iter_blocks(tuple(x for x in blocks if not isinstance(x, ir.Box))):
        if isinstance(b, ir.Heading | ir.Para):
            lines.append("".join(n.text for n in iter_inlines(b.children) if isinstance(n, ir.Text)))
    return "\n".join(lines)


def _majority_script(body: str) -> str | None:
    """:func:`detect_script` of ``body``, line by line: a line break ends a clause, so the body's clauses are its
    lines' (their weights add up alike), and each line's are those its paragraph's tag is decided from (cached),
    not the whole body's again."""
    trad = simp = 0
    for line in body.split("\n"):
        t, s = tally(line)
        trad, simp = trad + t, simp + s
    if trad == simp == 0:
        return None
    return HANT if trad >= simp else HANS


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Set ``metadata.language`` and the tags of every part."""
    counts: Counter[str] = Counter({"tagged": 0})
    edition = TAGS.get(options.script)
    doc_lang, source = document_language(doc, edition)
    doc_chinese = is_chinese_tag(doc_lang)
    # Under keep, a part's tag is its own script: what the source declares overrules words that disagree, and a
    # part that only words tell takes the document's script (script.detect: declared, else the majority).
    found = detect(doc) if edition is None else None
    declared = found.declared if found else None

    def tag_for(text: str, current: str | None) -> str | None:
        if current and not is_chinese_tag(current):
            return current
        if not current and _kanji_of(doc_lang, text):
            return current  # 配列, 機能: a heading or cell of a Japanese page is Japanese, not Chinese
        if not mostly_chinese(text):
            if not current and is_rtl(doc_lang) and (ltr := undetermined_ltr(text)):
                return ltr  # an English paragraph of an Arabic page reads left to right, whatever its language
            if current or not (rtl := rtl_language(text)) or rtl_script(rtl) == rtl_script(doc_lang):
                return current  # a Persian document's paragraphs are Persian, whatever their letters say
            return rtl
        if edition or found is None:
            return edition
        prior = tag_script(current) or (found.script if words_only(clauses(text)) else declared)
        return detect_script(text, prior) or current or (None if doc_chinese else "zh")

    def decide(b: ir.Block, parent: str | None) -> ir.Block:
        """``b`` with its own tag; its contents are decided after it (top down), inside its new tag."""
        match b:
            case ir.Box():
                lang = tag_for(plain(b.title) + block_text(b.blocks), b.lang) or parent
                if lang != b.lang:
                    counts["tagged"] += 1
                return dataclasses.replace(b, lang=lang)
            case ir.Para() | ir.Heading():
                lang = tag_for(plain(b.children), b.lang)
                new = lang if lang != parent else None
                if new != b.lang:
                    counts["tagged"] += 1
                    return dataclasses.replace(b, lang=new)
        return b

    def walk(blocks: tuple[ir.Block, ...], parent: str | None) -> tuple[ir.Block, ...]:
        return rewrite_blocks(blocks, decide, parent, top_down=True)

    notes = []
    for n in doc.notes:
        lang = tag_for(block_text(n.blocks), n.lang) or doc_lang
        notes.append(dataclasses.replace(n, lang=lang, blocks=walk(n.blocks, lang)))
    meta = dataclasses.replace(doc.metadata, language=doc_lang,
                               rights=walk(doc.metadata.rights, doc_lang))
    doc = dataclasses.replace(doc, metadata=meta, blocks=walk(doc.blocks, doc_lang), notes=tuple(notes))
    why = {"declared": "declared by the source", "majority": "the majority of its body",
           "none": "undeclared, and its body is mostly in no script docpipe tells"}[source]
    diag.emit("language-detected", f"document language {doc_lang or 'und'} ({why}); "
                                   f"{counts['tagged']} part(s) tagged with a language of their own")
    return record(doc, diag, "lang", counts, (("language", doc_lang or "und"), ("language-from", source)))
