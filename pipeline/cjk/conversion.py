"""OpenCC conversion from the vendored dictionaries and configurations, matched as OpenCC's C++ library matches."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc

#: The vendored OpenCC data: ``config/*.json``, ``dictionary/*.txt``, our ``corrections.tsv``.
DATA = Path(__file__).resolve().parent / "opencc_data"

#: Arity of the ideographic description operators (U+2FF0–U+2FFF), as OpenCC's ``UTF8Util`` counts them.
_IDS_ARITY = {**dict.fromkeys("⿰⿱⿴⿵⿶⿷⿸⿹⿺⿻⿼⿽", 2), "⿲": 3, "⿳": 3, "⿾": 1, "⿿": 1}


@dataclass(frozen=True, slots=True)
class Hit:
    """One dictionary match: where it ends, what replaces it, and which dictionary said so."""

    end: int
    value: str
    source: str


@dataclass(frozen=True, slots=True, eq=False)
class Leaf:
    """One dictionary (or a union of several, merged: OpenCC flattens unions the same way)."""

    name: str
    entries: Mapping[str, str]
    #: Every proper prefix of a key, so that a scan stops as soon as no longer key can match.
    prefixes: frozenset[str]
    #: The first characters of the keys: text between them is passed over without a lookup.
    starts: frozenset[str]
    #: Keys whose entry is one of docpipe's corrections (``corrections.tsv``), named as such in a trace.
    corrected: frozenset[str] = frozenset()

    @classmethod
    def of(cls, name: str, entries: Mapping[str, str], corrected: frozenset[str] = frozenset()) -> Leaf:
        """A dictionary from its entries."""
        prefixes = frozenset(key[:i] for key in entries for i in range(1, len(key)))
        return cls(name, entries, prefixes, frozenset(key[0] for key in entries if key), corrected)

    def match(self, text: str, start: int) -> Hit | None:
        """The longest key of this dictionary that ``text`` has at ``start``."""
        best: Hit | None = None
        end = start + 1
        while end <= len(text):
            piece = text[start:end]
            value = self.entries.get(piece)
            if value is not None:
                best = Hit(end, value, f"{self.name} (docpipe correction)" if piece in self.corrected else self.name)
            if piece not in self.prefixes:
                break
            end += 1
        return best


@dataclass(frozen=True, slots=True, eq=False)
class Group:
    """Dictionaries tried in order: the first that matches at all gives its longest match (``short_circuit``)."""

    children: tuple[Leaf | Group, ...]
    starts: frozenset[str]

    @classmethod
    def of(cls, children: tuple[Leaf | Group, ...]) -> Group:
        """A group of dictionaries, tried in order."""
        return cls(children, frozenset().union(*(c.starts for c in children)))

    def match(self, text: str, start: int) -> Hit | None:
        """The first child's match; a shorter match of an earlier child beats a longer one of a later child."""
        for child in self.children:
            hit = child.match(text, start)
            if hit is not None:
                return hit
        return None


Matcher = Leaf | Group


def ids_length(text: str, start: int) -> int:
    """The length of the ideographic description sequence at ``start`` (``⿰氵去``), 0 if there is none.

    OpenCC keeps such a sequence whole: its components describe one character and must not be converted.
    """
    if text[start] not in _IDS_ARITY:
        return 0
    budget = [64]  # code points, as OpenCC limits them

    def operand(i: int, depth: int) -> int:
        if i >= len(text) or depth > 16 or budget[0] <= 0:
            return -1
        budget[0] -= 1
        arity = _IDS_ARITY.get(text[i], 0)
        j = i + 1
        if arity == 0:
            while j < len(text) and ("\ufe00" <= text[j] <= "\ufe0f" or "\U000e0100" <= text[j] <= "\U000e01ef"):
                j += 1
            return j
        for _ in range(arity):
            j = operand(j, depth + 1)
            if j < 0:
                return -1
        return j

    end = operand(start, 0)
    return end - start if end > 0 else 0


def forward(text: str, matcher: Matcher) -> Iterator[tuple[int, int, Hit | None]]:
    """Maximum forward matching: ``(start, end, hit)`` pieces covering ``text``, ``hit`` None where nothing matched."""
    i = 0
    n = len(text)
    starts = matcher.starts
    while i < n:
        hit = matcher.match(text, i) if text[i] in starts else None
        if hit is not None:
            yield i, hit.end, hit
            i = hit.end
            continue
        end = i + (ids_length(text, i) or 1)
        # what no key can start is passed over at once, as OpenCC's SkipUnmatchable does
        while end < n and text[end] not in starts and text[end] not in _IDS_ARITY:
            end += 1
        yield i, end, None
        i = end


def segment(text: str, matcher: Matcher) -> list[str]:
    """OpenCC's ``mmseg`` segmentation: matched words, and the runs of unmatched characters between them."""
    out: list[str] = []
    run = 0
    for start, end, hit in forward(text, matcher):
        if hit is not None:
            if run < start:
                out.append(text[run:start])
            out.append(text[start:end])
            run = end
    if run < len(text):
        out.append(text[run:])
    return out


def apply_dict(text: str, matcher: Matcher) -> str:
    """``text`` with every maximal forward match replaced by its dictionary value."""
    return "".join(text[s:e] if hit is None else hit.value for s, e, hit in forward(text, matcher))


@dataclass(frozen=True, slots=True, eq=False)
class Stage:
    """A segmentation (or none: the text is one segment) and a chain of dictionaries applied to every segment."""

    segmentation: Matcher | None
    chain: tuple[Matcher, ...]

    def convert(self, text: str) -> str:
        """``text`` through this stage."""
        pieces = [text] if self.segmentation is None else segment(text, self.segmentation)
        out = []
        for piece in pieces:
            for matcher in self.chain:
                piece = apply_dict(piece, matcher)
            out.append(piece)
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the original text, what it has become, and the dictionaries that made it so."""

    start: int
    end: int
    before: str
    after: str
    sources: tuple[str, ...] = ()


def start_trace(text: str) -> list[Piece]:
    """The trace of a text nothing has converted yet: one piece per character."""
    return [Piece(i, i + 1, c, c) for i, c in enumerate(text)]


def compose(state: list[Piece], text: str, pieces: list[tuple[int, int, str, str | None]]) -> list[Piece]:
    """``state`` after one more pass whose ``pieces`` (start, end, value, dictionary) cover the current text.

    Pieces of the two that overlap are merged until their edges meet again, so each result maps a stretch of the
    original ``text`` to what it became.
    """
    out: list[Piece] = []
    k = 0
    state_end = 0  # end of the state pieces taken so far, in current-text coordinates
    group: list[Piece] = []
    values: list[str] = []
    sources: list[str] = []
    for _, end, value, source in pieces:
        values.append(value)
        if source:
            sources.append(source)
        while state_end < end:
            group.append(state[k])
            state_end += len(state[k].after)
            k += 1
        if state_end == end:
            first, last = group[0], group[-1]
            kept = [x for piece in group for x in piece.sources]
            out.append(Piece(first.start, last.end, text[first.start:last.end], "".join(values),
                             tuple(dict.fromkeys(kept + sources))))
            group, values, sources = [], [], []
    return out


def _entries(path: Path) -> dict[str, str]:
    """A dictionary file: ``key<TAB>value [value…]`` lines, ``#`` comments; the first value and first line win."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, values = line.partition("\t")
        if key and key not in out:
            out[key] = values.split(" ")[0]
    return out


@functools.cache
def alternatives(name: str) -> dict[str, tuple[str, ...]]:
    """Every value of every key of the vendored dictionary ``name`` (``台`` → 臺 檯 颱 台), corrections not applied."""
    out: dict[str, tuple[str, ...]] = {}
    for line in (DATA / "dictionary" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, values = line.partition("\t")
            out.setdefault(key, tuple(values.split(" ")))
    return out


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewed line of ``corrections.tsv``: in ``dictionary``, ``key`` converts to ``value`` because ``reason``."""

    dictionary: str
    key: str
    value: str
    reason: str


@functools.cache
def corrections() -> tuple[Correction, ...]:
    """docpipe's own corrections to the upstream dictionaries (``dictionary<TAB>key<TAB>value<TAB>reason``)."""
    out = []
    for line in (DATA / "corrections.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        dictionary, key, value, reason = line.split("\t")
        out.append(Correction(dictionary, key, value, reason))
    return tuple(out)


@functools.cache
def dictionary(name: str, corrected: bool = True) -> dict[str, str]:
    """The vendored dictionary ``name`` (``STPhrases``), with our corrections applied unless told otherwise."""
    entries = _entries(DATA / "dictionary" / f"{name}.txt")
    for c in corrections() if corrected else ():
        if c.dictionary == name:
            entries[c.key] = c.value
    return entries


@functools.cache
def _leaf(names: tuple[str, ...], corrected: bool) -> Leaf:
    entries: dict[str, str] = {}
    for name in names:
        for key, value in dictionary(name, corrected).items():
            entries.setdefault(key, value)  # in a union the first dictionary wins a tie, as in OpenCC
    fixed = frozenset(c.key for c in corrections() if c.dictionary in names) if corrected else frozenset()
    return Leaf.of("+".join(names), entries, fixed)


def _leaves(spec: dict[str, Any]) -> tuple[str, ...]:
    if spec["type"] == "group":
        return tuple(name for child in spec["dicts"] for name in _leaves(child))
    return (Path(spec["file"]).stem,)


def _matcher(spec: dict[str, Any], corrected: bool) -> Matcher:
    """A dictionary spec of an OpenCC configuration: a file (``ocd2``/``text``, read from our ``.txt``) or a group."""
    if spec["type"] == "inline":
        raise ValueError("inline dictionaries are not used by the vendored configurations")
    if spec["type"] == "values":  # docpipe's: the values of a dictionary as its keys, for segmenting its output
        inner = _leaf(_leaves(spec["dict"]), corrected)
        return Leaf.of(f"values({inner.name})", {v: v for v in inner.entries.values()})
    if spec["type"] != "group":
        return _leaf(_leaves(spec), corrected)
    if spec.get("match_policy", "short_circuit") == "union":
        return _leaf(_leaves(spec), corrected)  # longest match over all members: one merged dictionary
    children = tuple(_matcher(child, corrected) for child in spec["dicts"])
    return children[0] if len(children) == 1 else Group.of(children)


def load_config(name: str) -> dict[str, Any]:
    """A vendored configuration, or docpipe's ``t2twp``: Taiwan phrases and forms for text already Traditional.

    Upstream applies ``TWPhrases`` only after ``s2t`` (in ``s2twp``), and ``s2t`` must not run over Traditional
    text (it would turn 台 into 臺 and 里 into 裏); ``t2twp`` is ``s2twp`` without its Simplified step.
    """
    if name == "t2twp":
        base = load_config("s2twp")
        # Segmented by the Traditional side of s2twp's segmentation dictionary, so that a Traditional text splits
        # where its Simplified original would (高級別會議 is 高|級別|會議, not 高級→高階 + 別).
        return {"name": "Traditional Chinese (OpenCC Standard) to Traditional Chinese (Taiwan Standard, with "
                        "Taiwan Phrases)",
                "normalization": base.get("normalization", []),
                "segmentation": {"type": "mmseg", "dict": {"type": "values", "dict": base["segmentation"]["dict"]}},
                "conversion_chain": base["conversion_chain"][1:]}
    config: dict[str, Any] = json.loads((DATA / "config" / f"{name}.json").read_text(encoding="utf-8"))
    return config


class Converter(opencc.OpenCC):  # type: ignore[misc]
    """opencc-python-reimplemented's ``OpenCC``, reading our vendored configuration and dictionaries.

    The package's own matcher tries the longest key anywhere in a string first and splits the text at
    punctuation (so ``伯克希爾-哈撒韋`` never matches); OpenCC matches forward, longest key at each position,
    within the segments of its ``mmseg`` segmentation, and applies a normalisation stage first. Those are what
    this class does, so the vendored configurations mean what they mean upstream.
    """

    def __init__(self, conversion: str, *, corrected: bool = True) -> None:
        super().__init__(None)
        self.conversion = conversion
        self.corrected = corrected
        self._stages: tuple[Stage, ...] = ()
        self._init_dict()

    def _init_dict(self) -> None:
        config = load_config(self.conversion)
        self.conversion_name = config.get("name", self.conversion)
        stages = []
        if "normalization" in config:
            normalization = tuple(_matcher(step["dict"], self.corrected) for step in config["normalization"])
            stages.append(Stage(None, normalization))
        seg = config.get("segmentation")
        if seg is not None and seg.get("type") != "mmseg":
            raise ValueError(f"{self.conversion}: segmentation {seg.get('type')!r} is not supported")
        stages.append(Stage(None if seg is None else _matcher(seg["dict"], self.corrected),
                            tuple(_matcher(step["dict"], self.corrected) for step in config["conversion_chain"])))
        self._stages = tuple(stages)
        self._dict_init_done = True

    def trace(self, state: list[Piece], text: str) -> list[Piece]:
        """``state`` (a trace of ``text``) carried through this configuration: what each stretch became, and why."""
        for stage in self._stages:
            current = "".join(p.after for p in state)
            segments = [current] if stage.segmentation is None else segment(current, stage.segmentation)
            for matcher in stage.chain:
                pieces: list[tuple[int, int, str, str | None]] = []
                converted: list[str] = []
                offset = 0
                for seg in segments:
                    out = []
                    for s, e, hit in forward(seg, matcher):
                        if hit is None:  # one piece per character, so that earlier edits stay apart
                            pieces.extend((offset + i, offset + i + 1, seg[i], None) for i in range(s, e))
                            out.append(seg[s:e])
                        else:
                            pieces.append((offset + s, offset + e, hit.value, hit.source))
                            out.append(hit.value)
                    offset += len(seg)
                    converted.append("".join(out))
                state = compose(state, text, pieces)
                segments = converted
        return state

    def convert(self, string: str) -> str:
        """``string`` converted as OpenCC converts it with this configuration."""
        if not self._dict_init_done:
            self._init_dict()
        for stage in self._stages:
            string = stage.convert(string)
        return string


@functools.cache
def converter(config: str) -> Converter:
    """The converter for the vendored configuration ``config`` (``s2twp``), built once."""
    return Converter(config)


def configs() -> list[str]:
    """The names of the configurations: the vendored ones and ``t2twp``."""
    return sorted([p.stem for p in (DATA / "config").glob("*.json")] + ["t2twp"])
