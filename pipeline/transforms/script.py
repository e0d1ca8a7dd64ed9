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
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .. import ir
from ..cjk.conversion import Converter, Piece, compose, start_trace
from ..cjk.conversion import converter as _converter
from ..cjk.script import STANDARDS, detect_script, detect_standard, kept_variants, region_standard
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text
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


def _script(lang: str | None, text: str) -> str:
    if lang and lang.startswith("zh-Hans"):
        return "zh-Hans"
    if lang and lang.startswith("zh-Hant"):
        return "zh-Hant"
    return detect_script(text) or "zh-Hant"


def _is_chinese(lang: str | None, text: str) -> bool:
    return any("\u3400" <= c for c in text) and (not lang or lang.startswith("zh"))


def _traditional_text(doc: ir.Document) -> str:
    parts: list[str] = []

    def collect(text: str, lang: str | None) -> str:
        if _is_chinese(lang, text) and _script(lang, text) == "zh-Hant":
            parts.append(text)
        return text

    map_text(doc, collect)
    return "".join(parts)


def standard(doc: ir.Document) -> str:
    """The Traditional standard of ``doc``: its tag's region, else the one its Traditional parts use most."""
    return region_standard(doc.metadata.language) or detect_standard(_traditional_text(doc))


def target(doc: ir.Document, edition: str) -> str:
    """The standard ``edition`` writes ``doc`` in: ``simplified``, ``tw``, ``hk``, or (``hant``) the document's own."""
    return {"hans": "simplified", "tw": "tw", "hk": "hk"}.get(edition) or standard(doc)


def planner(doc: ir.Document, options: Options) -> Callable[[str, str | None], Plan]:
    """For ``doc`` in ``options.script``: how a text in a part of language ``lang`` is converted."""
    if options.script == "keep":
        return lambda text, lang: Plan()
    doc_standard = standard(doc)
    goal = target(doc, options.script)
    # In the author's own standard, the author's choice among variants the standard leaves open is kept.
    keep = kept_variants(_traditional_text(doc), goal) if goal == doc_standard else ()

    @functools.cache
    def plan(script: str, source: str) -> Plan:
        return Plan(chain(options.script, script, source, doc_standard), keep)

    def for_text(text: str, lang: str | None) -> Plan:
        if not _is_chinese(lang, text):
            return Plan()
        return plan(_script(lang, text), region_standard(lang) or doc_standard)

    return for_text


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Convert every text node to the edition's script and standard."""
    counts: Counter[str] = Counter({"nodes": 0, "characters": 0})
    if options.script == "keep":
        return record(doc, diag, "script", counts, (("edition", "keep"),))
    plan = planner(doc, options)
    used: set[str] = set()

    def fn(text: str, lang: str | None) -> str:
        how = plan(text, lang)
        used.update(how.chain)
        out = how(text)
        if out != text:
            counts["nodes"] += 1
            counts["characters"] += sum(a != b for a, b in zip(text, out, strict=False)) + abs(len(out) - len(text))
        return out

    out = map_text(doc, fn)
    return record(out, diag, "script", counts,
                  (("edition", options.script), ("standard", target(doc, options.script)),
                   ("opencc", ",".join(sorted(used)))))
