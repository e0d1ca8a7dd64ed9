"""Language tags: every part carries the tag of its edition (``zh-Hant``, ``zh-Hans``, ``zh-Hant-TW``,
``zh-Hant-HK``); under ``keep`` each part's tag comes from its own script, so Simplified boxes inside a
Traditional report are ``zh-Hans``. A part is tagged only where it differs from the document, except boxes
and notes, which always carry their tag (they are set apart and may be read alone). Parts without Chinese keep
the tag they had."""

from __future__ import annotations

import dataclasses
from collections import Counter

from .. import ir
from ..cjk.script import detect_script
from ..diagnostics import Diagnostics
from ..options import Options
from ..walk import block_text, plain
from ._base import record

TAGS = {"hant": "zh-Hant", "hans": "zh-Hans", "tw": "zh-Hant-TW", "hk": "zh-Hant-HK"}


def apply(doc: ir.Document, options: Options, diag: Diagnostics) -> ir.Document:
    """Set ``metadata.language`` and the tags of every part."""
    counts: Counter[str] = Counter({"tagged": 0})
    edition = TAGS.get(options.script)

    def tag_for(text: str, current: str | None) -> str | None:
        if current and not current.startswith("zh"):
            return current
        if edition:
            return edition if (current or detect_script(text)) else current
        return detect_script(text) or current

    body_text = block_text(tuple(b for b in doc.blocks if not isinstance(b, ir.Box)))
    doc_lang = edition or detect_script(body_text) or doc.metadata.language

    def walk(blocks: tuple[ir.Block, ...], parent: str | None) -> tuple[ir.Block, ...]:
        out: list[ir.Block] = []
        for b in blocks:
            match b:
                case ir.Box():
                    lang = tag_for(plain(b.title) + block_text(b.blocks), b.lang) or parent
                    if lang != b.lang:
                        counts["tagged"] += 1
                    b = dataclasses.replace(b, lang=lang, blocks=walk(b.blocks, lang))
                case ir.Para() | ir.Heading():
                    lang = tag_for(plain(b.children), b.lang)
                    new = lang if lang != parent else None
                    if new != b.lang:
                        counts["tagged"] += 1
                        b = dataclasses.replace(b, lang=new)
                case ir.BlockQuote() | ir.Div():
                    b = dataclasses.replace(b, blocks=walk(b.blocks, b.lang or parent))
                case ir.ListBlock():
                    b = dataclasses.replace(b, items=tuple(
                        dataclasses.replace(i, blocks=walk(i.blocks, parent)) for i in b.items))
                case _:
                    pass
            out.append(b)
        return tuple(out)

    notes = []
    for n in doc.notes:
        lang = tag_for(block_text(n.blocks), n.lang) or doc_lang
        notes.append(dataclasses.replace(n, lang=lang, blocks=walk(n.blocks, lang)))
    meta = dataclasses.replace(doc.metadata, language=doc_lang,
                               rights=walk(doc.metadata.rights, doc_lang))
    doc = dataclasses.replace(doc, metadata=meta, blocks=walk(doc.blocks, doc_lang), notes=tuple(notes))
    return record(doc, diag, "lang", counts, (("language", doc_lang or "und"),))
