"""Script editions through OpenCC: ``--script keep|hant|hans|tw|hk``, applied to every text node and the metadata.

=======  ==========================  =====================================
edition  Simplified parts             Traditional parts
=======  ==========================  =====================================
keep     as written                   as written
hant     ``s2t``                      ``s2t`` (normalises stray variants)
hans     ``t2s``                      ``t2s``
tw       ``s2twp`` (Taiwan phrases)   ``s2t`` then ``t2tw`` (Taiwan forms)
hk       ``s2hk``                     ``s2t`` then ``t2hk`` (Hong Kong forms)
=======  ==========================  =====================================

A part's script is its language tag (``zh-Hans`` / ``zh-Hant``), detected where the reader gave none.
OpenCC leaves Latin text, digits and punctuation as they are; ``Code`` nodes are never seen.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

from .. import ir
from ..cjk.script import detect_script
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import map_text
from ._base import record

CHAINS: dict[str, dict[str, tuple[str, ...]]] = {
    "hant": {"zh-Hans": ("s2t",), "zh-Hant": ("s2t",)},
    "hans": {"zh-Hans": ("t2s",), "zh-Hant": ("t2s",)},
    "tw": {"zh-Hans": ("s2twp",), "zh-Hant": ("s2t", "t2tw")},
    "hk": {"zh-Hans": ("s2hk",), "zh-Hant": ("s2t", "t2hk")},
}


@functools.cache
def converter(config: str) -> Any:
    """An OpenCC converter (built once: loading the dictionaries is the slow part)."""
    import opencc
    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=65536)
def convert(text: str, chain: tuple[str, ...]) -> str:
    """``text`` through each OpenCC configuration of ``chain``."""
    for config in chain:
        text = converter(config).convert(text)
    return str(text)


def _script(lang: str | None, text: str) -> str:
    if lang and lang.startswith("zh-Hans"):
        return "zh-Hans"
    if lang and lang.startswith("zh-Hant"):
        return "zh-Hant"
    return detect_script(text) or "zh-Hant"


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Convert every text node to the edition's script."""
    counts: Counter[str] = Counter({"nodes": 0, "characters": 0})
    if options.script == "keep":
        return record(doc, diag, "script", counts, (("edition", "keep"),))
    chains = CHAINS[options.script]

    def fn(text: str, lang: str | None) -> str:
        if not any("\u3400" <= c for c in text):
            return text
        out = convert(text, chains[_script(lang, text)])
        if out != text:
            counts["nodes"] += 1
            counts["characters"] += sum(a != b for a, b in zip(text, out, strict=False)) + abs(len(out) - len(text))
        return out

    configs = sorted({c for chain in chains.values() for c in chain})
    return record(map_text(doc, fn), diag, "script", counts,
                  (("edition", options.script), ("opencc", ",".join(configs))))
