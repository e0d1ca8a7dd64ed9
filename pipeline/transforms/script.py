"""Script editions through OpenCC (``--script keep|hant|hans|tw|hk``): one standard for the whole text, body and boxes.

Every Chinese part is converted from what it is — its script, and for Traditional text its standard — to what
the edition is. A Traditional part's standard is its tag's region (``zh-Hant-TW`` Taiwan, ``zh-Hant-HK`` Hong
Kong), else the document's: the standard whose forms its Traditional text uses most (Taiwan's ``為 裡 秘 群``,
Hong Kong's ``為 裏 衞 綫``, else OpenCC's ``爲 裏 祕 羣``; :func:`~pipeline.cjk.script.detect_standard`).

=======  =====================  ====================================  ==========================================
edition  standard               Simplified parts                      Traditional parts (standard S)
=======  =====================  ====================================  ==========================================
keep     each part as written   —                                     —
hant     the document's own     ``s2t``; ``s2tw``/``s2hk`` when the   its forms brought to the document's (S=T:
         Traditional standard   document is Taiwan's/Hong Kong's      ``t2tw``/``t2hk``; else ``tw2t``/``hk2t`` first);
         T (OpenCC's if none)                                         vocabulary kept
hans     Simplified (OpenCC)    ``t2s`` (stray Traditional forms)     ``t2s`` / ``tw2s`` / ``hk2s`` by S
tw       Taiwan forms and       ``s2twp``                             ``tw2t``/``hk2t`` to OpenCC's forms, then
         Taiwan phrases                                               ``t2twp`` (s2twp's Taiwan step: phrases, forms)
hk       Hong Kong forms        ``s2hk``                              ``tw2t`` if S is Taiwan's, then ``t2hk``
=======  =====================  ====================================  ==========================================

Why ``hant`` keeps the document's standard: a Traditional edition of a report written in Taiwan's forms must not
rewrite the author's 為 and 秘書長 into OpenCC's 爲 and 祕書長, and its Simplified boxes must come out in the same
forms as the body; a wholly Simplified source gets OpenCC's standard, exactly what OpenCC's ``s2t`` writes. Where
the document's standard leaves a choice open and the author always makes the same one (台 for 臺), ``hant`` — and
an edition in the author's own region — follows the author (:func:`~pipeline.cjk.script.kept_variants`). Regional
vocabulary (人工智能 → 人工智慧) belongs to ``tw`` alone. Conversions only ever go from OpenCC's forms to a
regional one (many to one) or through OpenCC's reverse tables, so no variant pair is mixed in the output.
Latin text, digits and punctuation pass through unchanged; ``Code`` nodes are never seen.

What each part is comes from its tag where the source tagged it (``zh-Hans``, ``zh-TW``), else from its own
text, with the document as the prior (:func:`detect`): the document's script is the declared one, else the
majority of its parts'; a part (a paragraph, a heading, a title) whose clauses tell nothing takes the document's;
a part whose clauses differ (``抬头 擡头 抬頭 擡頭``) is converted clause by clause; a clause that writes both
scripts (``擡头``), or a text in a document that tells nothing at all, is converted towards the edition, as OpenCC
converts it. The standard of Traditional text is the declared region, else the one its Traditional parts clearly
follow (:func:`~pipeline.cjk.script.clear_standard`) when the document is Traditional, else OpenCC's.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import ir
from ..cjk.conversion import Converter, Piece, compose, start_trace
from ..cjk.conversion import converter as _converter
from ..cjk.script import (
    HANS,
    HANT,
    MIXED,
    STANDARDS,
    Clause,
    clauses,
    clauses_in,
    clear_standard,
    kept_variants,
    rarely_traditional,
    region_standard,
    tally,
    uniform,
    words_only,
)
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import iter_inlines, map_block_inlines, map_inlines, map_text, plain
from ._base import record

#: OpenCC-standard Traditional into a standard's forms, and back.
FROM_OPENCC: dict[str, tuple[str, ...]] = {"opencc": (), "tw": ("t2tw",), "hk": ("t2hk",)}
TO_OPENCC: dict[str, tuple[str, ...]] = {"opencc": (), "tw": ("tw2t",), "hk": ("hk2t",)}
TO_SIMPLIFIED: dict[str, tuple[str, ...]] = {"opencc": ("t2s",), "tw": ("tw2s",), "hk": ("hk2s",)}
FROM_SIMPLIFIED: dict[str, tuple[str, ...]] = {"opencc": ("s2t",), "tw": ("s2tw",), "hk": ("s2hk",)}


def chain(edition: str, script: str, source: str, target: str) -> tuple[str, ...]:
    """The OpenCC configurations, in order, that take a part in ``script`` (``zh-Hans``/``zh-Hant``) written in
    Traditional standard ``source`` into ``edition``, whose Traditional standard is ``target`` (for ``hant``)."""
    simplified = script == "zh-Hans"
    if edition == "hans":
        return ("t2s",) if simplified else TO_SIMPLIFIED[source]
    if edition == "tw":
        return ("s2twp",) if simplified else (*TO_OPENCC[source], "t2twp")
    if edition == "hk":
        target = "hk"
    if simplified:
        return FROM_SIMPLIFIED[target]
    if source == target:
        return FROM_OPENCC[target]  # OpenCC's forms among the regional ones (着 in a Taiwan text) take the region's
    return (*TO_OPENCC[source], *FROM_OPENCC[target])


#: Every chain each edition may use, by ``script/source/target`` (to load their dictionaries ahead of a run).
CHAINS: dict[str, dict[str, tuple[str, ...]]] = {
    edition: {f"{script}/{source}/{target}": chain(edition, script, source, target)
              for script in ("zh-Hans", "zh-Hant") for source in STANDARDS for target in STANDARDS}
    for edition in ("hant", "hans", "tw", "hk")
}


def converter(config: str) -> Converter:
    """The converter of one OpenCC configuration, from the vendored data (built once)."""
    return _converter(config)


@functools.lru_cache(maxsize=65536)
def convert(text: str, chain: tuple[str, ...], keep: tuple[tuple[str, str], ...] = ()) -> str:
    """``text`` through each OpenCC configuration of ``chain``, then with the author's variants ``keep`` kept."""
    for config in chain:
        text = converter(config).convert(text)
    for form, kept in keep:
        text = text.replace(form, kept)
    return text


@dataclass(frozen=True, slots=True)
class Plan:
    """How one text of an edition is converted."""

    chain: tuple[str, ...] = ()
    """OpenCC configurations, in order."""
    keep: tuple[tuple[str, str], ...] = ()
    """Variant pairs ``(form, author's form)`` written as the author writes them (:func:`kept_variants`)."""

    def __call__(self, text: str) -> str:
        """``text`` converted."""
        return convert(text, self.chain, self.keep) if self.chain else text

    def trace(self, text: str) -> list[Piece]:
        """What each stretch of ``text`` becomes, and which dictionaries (or kept variant) made it so."""
        state = start_trace(text)
        for config in self.chain:
            state = converter(config).trace(state, text)
        if self.keep:
            kept = dict(self.keep)
            current = "".join(p.after for p in state)
            state = compose(state, text, [(i, i + 1, kept.get(c, c), "author's variant" if c in kept else None)
                                          for i, c in enumerate(current)])
        return state


#: Kana and Hangul: a part that writes them is Japanese or Korean, whose kanji and hanja are not converted.
_NOT_CHINESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def tag_script(lang: str | None) -> str | None:
    """The script a language tag names: by its script subtag (``zh-Hant``), else its region (``zh-TW`` is
    Traditional, ``zh-CN`` Simplified); None when it names neither (``zh``, ``en``)."""
    if not lang or not is_chinese_tag(lang):
        return None
    parts = lang.lower().split("-")
    if "hans" in parts:
        return HANS
    if "hant" in parts:
        return HANT
    if {"tw", "hk", "mo"} & set(parts):
        return HANT
    if {"cn", "sg", "my"} & set(parts):
        return HANS
    return None


def is_chinese_tag(lang: str | None) -> bool:
    """A tag of Chinese (``zh``, ``zh-Hant-TW``, ``cmn``, ``yue``, ``lzh``…)."""
    return lang is not None and lang.lower().split("-")[0] in ("zh", "cmn", "yue", "lzh", "wuu", "hak", "nan", "gan")


def is_chinese(text: str) -> bool:
    """``text`` writes Han characters and no kana or Hangul."""
    return bool(_HAN.search(text)) and not _NOT_CHINESE.search(text)


@dataclass(frozen=True, slots=True)
class Detection:
    """What a document's tags and text say it is written in, and why."""

    script: str | None
    """``zh-Hans``, ``zh-Hant``, or None when nothing in it tells."""
    script_source: str
    """``declared`` (the document's language tag), ``majority`` (of its parts' telling characters and words),
    ``tie`` (as many of each) or ``none``."""
    traditional: int
    """Traditional-only characters (else words) counted in its Chinese parts, tagged parts by their tag."""
    simplified: int
    """Simplified-only characters (else words), likewise."""
    standard: str
    """The Traditional standard: ``opencc``, ``tw`` or ``hk``."""
    standard_source: str
    """``declared`` (the tag's region), ``evidence`` (its Traditional parts clearly follow it), or ``default``."""
    traditional_text: str = field(default="", repr=False)
    """The document's Traditional text (tagged or telling), which its standard and kept variants are read from."""

    @property
    def declared(self) -> str | None:
        """The script the document declares, which words alone (``平台``) cannot overrule in a part."""
        return self.script if self.script_source == "declared" else None

    def settings(self) -> tuple[tuple[str, str], ...]:
        """The detection as step settings."""
        return (("source-script", self.script or "none"), ("source-script-from", self.script_source),
                ("source-standard", self.standard), ("source-standard-from", self.standard_source),
                ("evidence", f"traditional {self.traditional}, simplified {self.simplified}"))

    def message(self) -> str:
        """One line for ``inspect``: what was detected and why."""
        why = {"declared": "declared by the document's language tag",
               "majority": f"the majority of its telling characters and words ({self.simplified} Simplified, "
                           f"{self.traditional} Traditional)",
               "tie": f"as many Simplified as Traditional characters and words ({self.simplified})",
               "none": "no character or word tells"}[self.script_source]
        std = {"declared": "declared by the tag's region",
               "evidence": "its Traditional parts clearly use that standard's forms",
               "default": "OpenCC's, the default" + (" for a Simplified source" if self.script == HANS else "")
               }[self.standard_source]
        return f"script {self.script or 'undetermined'} ({why}); Traditional standard {self.standard} ({std})"


Part = Callable[[tuple[ir.Inline, ...], str | None], tuple[ir.Inline, ...]]


def _walk(doc: ir.Document, on: Part, on_text: Callable[[str, str | None], str]) -> ir.Document:
    """``doc`` with ``on(inlines, own tag)`` applied to every inline sequence of the body, notes and rights, and
    ``on_text(text, own tag)`` to every metadata string; the own tag is None where a part only inherits the
    document's language."""
    doc_lang = doc.metadata.language

    def part(inlines: tuple[ir.Inline, ...], lang: str | None) -> tuple[ir.Inline, ...]:
        return on(inlines, None if lang == doc_lang else lang)

    meta_only = map_text(dataclasses.replace(doc, blocks=(), notes=()),
                         lambda t, lang: on_text(t, None if lang == doc_lang else lang))
    meta = dataclasses.replace(meta_only.metadata, rights=map_block_inlines(doc.metadata.rights, part, doc_lang))
    notes = tuple(dataclasses.replace(n, blocks=map_block_inlines(n.blocks, part, n.lang or doc_lang))
                  for n in doc.notes)
    return dataclasses.replace(doc, metadata=meta, blocks=map_block_inlines(doc.blocks, part, doc_lang), notes=notes)


def _declared_other(doc: ir.Document) -> bool:
    """The document declares a language other than Chinese whose text writes Han (Japanese, Korean)."""
    lang = (doc.metadata.language or "").lower().split("-")[0]
    return lang in ("ja", "ko", "jpn", "kor", "vi")


#: The last detection and the parts of the document it was made from: the language transform asks again about
#: the document the script transform left unchanged (an edition that keeps the script), and the walks keep an
#: unchanged part the very same object, so the answer is reused rather than counted again (a second of a
#: 600-page book). One entry: a worker holds at most the parts of its last document.
_LAST: list[tuple[tuple[ir.Block, ...], tuple[ir.Note, ...], ir.Metadata, Detection]] = []


def detect(doc: ir.Document) -> Detection:
    """The script and Traditional standard of ``doc``, from its tags and, where they are silent, its text."""
    for blocks, notes, meta, found in list(_LAST):
        if doc.blocks is blocks and doc.notes is notes and doc.metadata is meta:
            return found
    found = _detect(doc)
    _LAST[:] = [(doc.blocks, doc.notes, doc.metadata, found)]
    return found


def _detect(doc: ir.Document) -> Detection:
    parts: list[tuple[tuple[Clause, ...], str | None]] = []  # (a Chinese part's clauses, the script its tag names)
    other = _declared_other(doc)

    def one(text: str, own: str | None, found: tuple[Clause, ...] | None = None) -> None:
        if (own is not None and not is_chinese_tag(own)) or (own is None and other) or not is_chinese(text):
            return
        parts.append((clauses(text) if found is None else found, tag_script(own)))

    def on(inlines: tuple[ir.Inline, ...], own: str | None) -> tuple[ir.Inline, ...]:
        found = tuple(c for n in iter_inlines(inlines) if isinstance(n, ir.Text) for c in clauses_in(n.text, n.orig))
        one(plain(inlines), own, found)
        return inlines

    def on_text(text: str, own: str | None) -> str:
        one(text, own)
        return text

    _walk(doc, on, on_text)
    declared = tag_script(doc.metadata.language)

    def count(prior: str | None) -> tuple[int, int]:
        trad = simp = 0
        for found, tagged in parts:
            t, s = tally(found, tagged or prior)
            if tagged is not None:  # a tagged part's telling characters count for its tag
                t, s = (t + s, 0) if tagged == HANT else (0, t + s)
            trad, simp = trad + t, simp + s
        return trad, simp

    trad, simp = count(declared)
    if declared is not None:
        script, script_source = declared, "declared"
    elif trad != simp:
        script, script_source = (HANT if trad > simp else HANS), "majority"
    else:
        script, script_source = None, ("tie" if trad else "none")
    traditional = ["".join(c.text for c in found if tagged == HANT or c.script_in(declared) == HANT)
                   for found, tagged in parts if tagged in (None, HANT)]
    text = "".join(traditional)
    region = region_standard(doc.metadata.language) if is_chinese_tag(doc.metadata.language) else None
    if region is not None:
        standard, standard_source = region, "declared"
    elif script == HANT and (clear := clear_standard(text)) is not None:
        standard, standard_source = clear, "evidence"
    else:
        standard, standard_source = "opencc", "default"
    return Detection(script, script_source, trad, simp, standard, standard_source, text)


def standard(doc: ir.Document) -> str:
    """The Traditional standard of ``doc``: its tag's region, else the one its Traditional parts clearly use (when
    the document is Traditional), else OpenCC's."""
    return detect(doc).standard


def target(doc: ir.Document, edition: str) -> str:
    """The standard ``edition`` writes ``doc`` in: ``simplified``, ``tw``, ``hk``, or (``hant``) the document's own."""
    return {"hans": "simplified", "tw": "tw", "hk": "hk"}.get(edition) or standard(doc)


class Planner:
    """How each text of ``doc`` is converted for ``options.script``."""

    def __init__(self, doc: ir.Document, options: Options, found: Detection | None = None) -> None:
        self.edition = options.script
        self.found = found or detect(doc)
        self.other = _declared_other(doc)
        goal = {"hans": "simplified", "tw": "tw", "hk": "hk"}.get(self.edition) or self.found.standard
        # In the author's own standard, the author's choice among variants the standard leaves open is kept.
        self.keep = kept_variants(self.found.traditional_text, goal) if goal == self.found.standard else ()
        #: What a text that tells nothing, in a document that tells nothing, or a mixed clause is converted from:
        #: the other script than the edition's, so that it is converted as OpenCC converts it.
        self.towards = HANT if self.edition == "hans" else HANS
        self.written = Counter(self.found.traditional_text)
        self._plans: dict[tuple[str, str], Plan] = {}
        #: The OpenCC configurations the plans handed out use.
        self.used: set[str] = set()

    def plan(self, script: str, source: str) -> Plan:
        """The plan for text in ``script`` whose Traditional standard is ``source``."""
        found = self._plans.get((script, source))
        if found is None:
            found = Plan() if self.edition == "keep" else Plan(
                chain(self.edition, script, source, self.found.standard), self.keep)
            self._plans[script, source] = found
            self.used.update(found.chain)
        return found

    def resolve(self, script: str | None) -> str:
        """A clause's script, or where it tells nothing the document's, or (mixed, nothing anywhere) the other one."""
        if script is None:
            script = self.found.script
        return self.towards if script is None or script == MIXED else script

    def __call__(self, text: str, lang: str | None) -> Plan:
        """The plan for ``text`` under tag ``lang`` as one piece (its majority script where the tag names none)."""
        if not is_chinese(text) or (lang and not is_chinese_tag(lang)):
            return Plan()
        script = tag_script(lang) or uniform(text, self.found.declared)
        if script == MIXED:
            t, s = tally(text, self.found.declared)
            script = HANT if t >= s else HANS
        return self.plan(self.resolve(script), region_standard(lang) or self.found.standard)

    def part(self, text: str, own: str | None, found: tuple[Clause, ...] | None = None) -> str | None:
        """How a part (a paragraph's inlines, a title) with its own tag ``own`` (None: inherited) is converted:
        a script for all of it, :data:`MIXED` for clause by clause, or ``""`` for not at all. ``found``: its
        clauses, where they are not simply those of ``text``. A part only words tell (``台北``: OpenCC's s2t
        writes 臺北) takes the document's script; words tell against characters only within one part."""
        if (own is not None and not is_chinese_tag(own)) or (own is None and self.other) or not is_chinese(text):
            return ""
        tagged = tag_script(own)
        if tagged is not None:
            return tagged
        found = clauses(text) if found is None else found
        script = uniform(found, self.found.script if words_only(found) else self.found.declared)
        return script if script == MIXED else self.resolve(script)

    def stray(self, text: str, source: str) -> bool:
        """Traditional ``text`` writes a character as Simplified text does — one that is Traditional in a few words
        only (据, :func:`~pipeline.cjk.script.rarely_traditional`) — where the document's Traditional text writes
        the form OpenCC gives it (``數据庫`` beside ``數據``): then it is converted as Simplified text is. Characters
        common in Traditional text (里 台 干) are the author's and never stray."""
        rare = rarely_traditional()
        if self.towards != HANS or not any(c in rare for c in text):
            return False
        simplified = convert(text, FROM_SIMPLIFIED[source])  # forms only: no regional vocabulary
        return len(simplified) == len(text) and any(
            a != b and a in rare and self.written[b] for a, b in zip(text, simplified, strict=True))

    def convert(self, text: str, how: str | None, own: str | None, orig: str | None = None) -> str:
        """``text`` of a part converted as :meth:`part` decided (``how``); ``orig``: the source's text of the node,
        whose clause ends count (:func:`~pipeline.cjk.script.clauses_in`)."""
        if how == "" or how is None:
            return text
        source = region_standard(own) or self.found.standard
        if how == HANT and own is None and self.stray(text, source):
            how = MIXED
        if how != MIXED:
            return self.plan(how, source)(text)
        out = []
        for c in clauses_in(text, orig):
            script = self.resolve(c.script_in(self.found.declared))
            if script == HANT and own is None and self.stray(c.text, source):
                script = HANS
            out.append(self.plan(script, source)(c.text))
        return "".join(out)


def planner(doc: ir.Document, options: Options) -> Callable[[str, str | None], Plan]:
    """For ``doc`` in ``options.script``: how a text in a part of language ``lang`` is converted, as one piece."""
    if options.script == "keep":
        return lambda text, lang: Plan()
    return Planner(doc, options)


def _source_settings(doc: ir.Document, found: Detection) -> tuple[tuple[str, str], ...]:
    """The detection to record: the source's, as the first run recorded it when ``doc`` is docpipe's own IR read
    again (its tags, set by that run, would count its parts otherwise), else this run's."""
    for step in doc.steps:
        if step.name == "script" and any(k == "source-script" for k, _ in step.settings):
            return tuple((k, v) for k, v in step.settings if k.startswith("source-") or k == "evidence")
    return found.settings()


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Convert every text node to the edition's script and standard."""
    counts: Counter[str] = Counter({"nodes": 0, "characters": 0})
    found = detect(doc)
    diag.emit("language-detected", found.message())
    if options.script == "keep":
        return record(doc, diag, "script", counts, (("edition", "keep"), *_source_settings(doc, found)))
    plan = Planner(doc, options, found)

    def changed(text: str, out: str) -> str:
        if out != text:
            counts["nodes"] += 1
            counts["characters"] += sum(a != b for a, b in zip(text, out, strict=False)) + abs(len(out) - len(text))
        return out

    def on(inlines: tuple[ir.Inline, ...], own: str | None) -> tuple[ir.Inline, ...]:
        nodes = [(n.text, n.orig) for n in iter_inlines(inlines) if isinstance(n, ir.Text)]
        how = plan.part(plain(inlines), own, tuple(c for t, o in nodes for c in clauses_in(t, o)))
        if how == "":
            return inlines
        base = own
        origs = dict((t, o) for t, o in reversed(nodes) if o)

        def fn(text: str, lang: str | None) -> str:
            if lang != base:  # a span with a tag of its own
                return changed(text, plan(text, lang)(text))
            return changed(text, plan.convert(text, how, own, origs.get(text)))

        return map_inlines(inlines, fn, base)

    def on_text(text: str, own: str | None) -> str:
        return changed(text, plan.convert(text, plan.part(text, own), own))

    out = _walk(doc, on, on_text)
    goal = {"hans": "simplified", "tw": "tw", "hk": "hk"}.get(options.script) or found.standard
    return record(out, diag, "script", counts,
                  (("edition", options.script), ("standard", goal), ("opencc", ",".join(sorted(plan.used))),
                   *_source_settings(doc, found)))
