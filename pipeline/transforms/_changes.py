"""What each transform changed in the text, edit by edit: the record ``docpipe inspect --changes`` prints."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import ir
from ..options import Options
from ..walk import InlinePart, parts, plain

if TYPE_CHECKING:
    from .script import Plan


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One edit a transform made to the text of a document."""

    where: str
    """The nearest anchor: the block's id (``para-12``, ``box-3``, ``fn-1``) or ``metadata``, with the path below it."""
    path: str
    """The text's place in the document tree (``blocks[7].blocks[2]``, ``metadata.title``)."""
    offset: int
    """Character offset in that text (as ``inspect`` renders it) where the edit starts, before the edit."""
    before: str
    """What was there."""
    after: str
    """What is there now."""
    rule: str
    """The transform and the rule of it that made the edit (``script: OpenCC s2twp (TWPhrases)``)."""
    step: int = 0
    """Which transform of the run made it (1 for the first): edits of later steps apply to the text earlier
    steps left, so a text's edits replay in ``step`` order, each step's from its last offset back."""

    def as_json(self) -> dict[str, object]:
        """The form ``docpipe inspect --changes`` prints."""
        return {"where": self.where, "path": self.path, "offset": self.offset, "before": self.before,
                "after": self.after, "rule": self.rule, "step": self.step}


@dataclass(frozen=True, slots=True)
class Text:
    """One text of a document: an inline sequence or a metadata string, with its place and language."""

    path: str
    anchor: str
    lang: str | None
    text: str


def texts(doc: ir.Document) -> Iterator[Text]:
    """Every text of ``doc`` in document order (metadata, body, notes), as the transforms see them."""
    lang = doc.metadata.language
    m = doc.metadata
    for name in ("title", "subtitle", "place", "session", "publisher"):
        value = getattr(m, name)
        if value is not None:
            yield Text(f"metadata.{name}", "metadata", lang, value)
    for name in ("authors", "edition_notes", "series"):
        for i, value in enumerate(getattr(m, name)):
            yield Text(f"metadata.{name}[{i}]", "metadata", lang, value)
    yield from _blocks(m.rights, "metadata.rights", "metadata", lang)
    yield from _blocks(doc.blocks, "blocks", "", lang)
    for i, note in enumerate(doc.notes):
        yield from _blocks(note.blocks, f"notes[{i}].blocks", note.id, note.lang or lang)


def _blocks(blocks: tuple[ir.Block, ...], base: str, anchor: str, lang: str | None) -> Iterator[Text]:
    """The texts of ``blocks`` below ``base``, in the order :func:`pipeline.walk.map_parts` maps them."""
    for i, b in enumerate(blocks):
        path = f"{base}[{i}]"
        here = getattr(b, "id", None) or anchor
        for part in parts(b, lang):
            if isinstance(part, InlinePart):
                yield Text(path + part.path, here, part.lang, plain(part.inlines))
            else:
                yield from _blocks(part.blocks, path + part.path, here, part.lang)


#: A transform's name, the text before and after it, and the language there -> the rule that applies.
RuleFn = Callable[[str, str, str | None], str]


def _planned(old: ir.Document, options: Options) -> Callable[[Text, str], list[Change] | None]:
    """The script transform's edits in a text, word by word with the dictionaries that made them (None when the
    trace does not give back what the transform wrote: the edits are then found by comparing the texts)."""
    from .script import planner

    plan = planner(old, options)
    return lambda t, now: _script(plan(t.text, t.lang), t, now)


def _script(how: Plan, t: Text, now: str) -> list[Change] | None:
    trace = how.trace(t.text)
    if "".join(p.after for p in trace) != now:
        return None
    chain = "+".join(how.chain)
    return [Change(where=t.anchor, path=t.path, offset=p.start, before=p.before, after=p.after,
                   rule=f"script: OpenCC {chain} ({', '.join(p.sources)})")
            for p in trace if p.before != p.after]


def _fixed(text: str) -> RuleFn:
    return lambda before, after, lang: text


def _spacing(before: str, after: str, lang: str | None) -> str:
    if after == "\u3000":
        return "spacing: label separator as U+3000"
    return "spacing: space removed" if not after else "spacing: space changed"


RULES: dict[str, Callable[[ir.Document, Options], RuleFn]] = {
    "numbers": lambda doc, options: _fixed("numbers: digit groups joined"),
    "script": lambda doc, options: _fixed(f"script: OpenCC ({options.script})"),
    "quotes": lambda doc, options: _fixed("quotes: the edition's quotation marks"),
    "punctuation": lambda doc, options: _fixed("punctuation: full width in Chinese context"),
    "spacing": lambda doc, options: _spacing,
}


def diff(old: ir.Document, new: ir.Document, name: str, options: Options, step: int = 0) -> list[Change]:
    """The edits transform ``name`` (step ``step`` of the run) made in turning ``old`` into ``new``."""
    rule_for = RULES[name](old, options) if name in RULES else _fixed(name)
    after_texts = {t.path: t for t in texts(new)}
    out: list[Change] = []
    scripts = _planned(old, options) if name == "script" else None
    for t in texts(old):
        now = after_texts.get(t.path)
        if now is None or now.text == t.text:
            continue
        traced = scripts(t, now.text) if scripts else None
        if traced is not None:
            out.extend(dataclasses.replace(c, step=step) for c in traced)
            continue
        ops = difflib.SequenceMatcher(None, t.text, now.text, autojunk=False).get_opcodes()
        rule = rule_for(t.text, now.text, t.lang)
        for op, i1, i2, j1, j2 in ops:
            if op != "equal":
                before, after = t.text[i1:i2], now.text[j1:j2]
                out.append(Change(where=t.anchor, path=t.path, offset=i1, before=before, after=after,
                                  rule=rule if name != "spacing" else _spacing(before, after, t.lang), step=step))
    return out


def anchored(changes: list[Change], doc: ir.Document) -> list[Change]:
    """``changes`` with their anchors taken from ``doc`` (the finished document: ids are assigned last)."""
    anchors = {t.path: t.anchor for t in texts(doc)}
    return [dataclasses.replace(c, where=anchors.get(c.path) or c.where or c.path) for c in changes]
