"""Word automatic numbering: the numbers Word displays, from numbering.xml, styles.xml and restarts, onto the IR.

pandoc turns Word-numbered paragraphs into lists and forgets what Word shows: heading numbers (``第一章``,
``A.``), formats other than decimal, letters and roman (``（一）`` is chineseCounting), and that a decimal list
running through a whole manuscript is its paragraph numbering. This pass replays Word's counters over
``word/document.xml`` in reading order and matches the paragraphs to the IR by their text:

* paragraphs of a list that is the paragraph numbering — its level 0 is decimal and it comes from a paragraph
  style (a "numbered paragraph" style), or it runs on across headings without restarting — become numbered
  paragraphs (``Para.number``), their deeper levels stay lists under them;
* auto-numbered headings get the number as their label;
* every other Word-numbered list item gets the label Word displays, and its list the start Word uses.

Counters follow Word: one per abstract numbering (lists sharing it continue each other), a ``w:num``'s
``w:startOverride`` restarts the level the first time that list is used, a level restarts after a higher one
(``w:lvlRestart`` may say otherwise), ``w:isLgl`` shows higher levels in decimal.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from ... import ir
from ...diagnostics import Diagnostics
from ...walk import plain

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
#: More levels or numbering definitions than any real document has: beyond this the file is refused as hostile.
MAX_DEFINITIONS = 5000
MAX_PARAGRAPHS = 200_000
#: How far ahead in the source a paragraph of the IR is looked for (pandoc drops some, e.g. empty ones).
WINDOW = 400
DECIMAL = {"decimal", "decimalZero", "decimalFullWidth", "decimalHalfWidth"}
HEADING_STYLE = re.compile(r"(?i)^(heading|标题|標題)\s*\d$")
# Word's built-in list styles (``w:name`` stays English in every UI language): numbering they carry is a list,
# not a "numbered paragraph" style.
LIST_STYLE = re.compile(r"(?i)^list( number| bullet| paragraph| continue)?( \d)?$")


@dataclass
class Level:
    """One level of an abstract numbering: its format, text pattern, start and restart rule."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None
    legal: bool = False
    style: str | None = None


@dataclass
class Numbered:
    """A source paragraph Word numbers: which list, which level, the value and the text Word displays."""

    key: str
    abstract: str
    num: str
    ilvl: int
    value: int
    label: str
    fmt: str
    from_style: bool
    heading: bool
    section: int
    continued: bool = False
    """The value follows on from the previous item of this level without a restart."""


@dataclass
class Source:
    """A paragraph of ``document.xml``: its text key (no spaces) and its numbering, if any."""

    key: str
    numbered: Numbered | None = None


@dataclass
class _State:
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    used_nums: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- number formats

_CJK_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int, digits: str = _CJK_DIGITS, units: str = "十百千") -> str:
    """Chinese counting as Word writes it: 十, 十一, 二十, 一百零五."""
    if n <= 0 or n >= 10000:
        return str(n)
    out = ""
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            if zero and out:
                out += digits[0]
            out += ("" if (power == 10 and d == 1 and not out) else digits[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _letter(n: int) -> str:
    """Word's letters: A…Z, then AA…ZZ, AAA… (the letter repeated, not base 26)."""
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """``n`` in a Word ``w:numFmt``; unknown formats fall back to decimal."""
    match fmt:
        case "decimal" | "decimalHalfWidth":
            return str(n)
        case "decimalZero":
            return f"{n:02d}"
        case "decimalFullWidth" | "decimalFullWidth2":
            return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
        case "upperRoman":
            return _roman(n)
        case "lowerRoman":
            return _roman(n).lower()
        case "upperLetter":
            return _letter(n)
        case "lowerLetter":
            return _letter(n).lower()
        case "chineseCounting" | "chineseCountingThousand" | "taiwaneseCounting" | "japaneseCounting" \
                | "ideographDigital" | "taiwaneseCountingThousand":
            return _chinese(n)
        case "chineseLegalSimplified" | "ideographLegalTraditional":
            return _chinese(n, _LEGAL_DIGITS, "拾佰仟")
        case "ideographTraditional":
            return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
        case "ideographZodiac":
            return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
        case "decimalEnclosedCircle" | "decimalEnclosedCircleChinese":
            return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
        case "none":
            return ""
        case _:
            return str(n)


# --------------------------------------------------------------------------- reading the package


def _parse(z: zipfile.ZipFile, member: str) -> etree._Element | None:
    try:
        data = z.read(member)
    except KeyError:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def _val(el: etree._Element | None, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(f"{W}{tag}")
    return child.get(f"{W}val") if child is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


#: Word's bullets in a symbol font (Symbol, Wingdings): the font's own code points, which Word stores as private-use
#: characters U+F000–U+F0FF and no other font draws (a missing-glyph box in a PDF), as the Unicode sign they show.
SYMBOL_BULLETS = {"\uf0b7": "\u2022", "\uf0a7": "\u25aa", "\uf0d8": "\u27a2", "\uf076": "\u2756",
                  "\uf0fc": "\u2714", "\uf06e": "\u25a0", "\uf0a8": "\u25c6", "\uf0e0": "\u2794"}


def bullet_text(text: str) -> str:
    """A bullet's text with Word's symbol-font characters as Unicode (any other of them a plain bullet)."""
    return "".join(SYMBOL_BULLETS.get(c, "\u2022") if "\uf000" <= c <= "\uf0ff" else c for c in text)


def _level(lvl: etree._Element) -> Level:
    restart = _val(lvl, "lvlRestart")
    legal = lvl.find(f"{W}isLgl")
    fmt = _val(lvl, "numFmt") or "decimal"
    text = _val(lvl, "lvlText") or ""
    return Level(fmt=fmt, text=bullet_text(text) if fmt == "bullet" else text,
                 start=_int(_val(lvl, "start"), 1), restart=_int(restart, 0) if restart is not None else None,
                 legal=legal is not None and legal.get(f"{W}val", "1") not in ("0", "false"),
                 style=_val(lvl, "pStyle"))


class Definitions:
    """numbering.xml and the numbering of paragraph styles."""

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.num_abstract: dict[str, str] = {}
        self.overrides: dict[str, dict[int, tuple[int | None, Level | None]]] = {}
        if numbering is not None:
            for count, a in enumerate(numbering.iter(f"{W}abstractNum")):
                if count > MAX_DEFINITIONS:
                    break
                aid = a.get(f"{W}abstractNumId") or ""
                self.abstracts[aid] = {_int(lvl.get(f"{W}ilvl"), 0): _level(lvl)
                                       for lvl in a.findall(f"{W}lvl")[:9]}
                link = _val(a, "numStyleLink")
                if link:
                    self.abstracts[aid] = {}
            for count, n in enumerate(numbering.iter(f"{W}num")):
                if count > MAX_DEFINITIONS:
                    break
                nid = n.get(f"{W}numId") or ""
                self.num_abstract[nid] = _val(n, "abstractNumId") or ""
                ov: dict[int, tuple[int | None, Level | None]] = {}
                for o in n.findall(f"{W}lvlOverride")[:9]:
                    start = _val(o, "startOverride")
                    lvl = o.find(f"{W}lvl")
                    ov[_int(o.get(f"{W}ilvl"), 0)] = (_int(start, 1) if start is not None else None,
                                                     _level(lvl) if lvl is not None else None)
                self.overrides[nid] = ov
        self.style_num: dict[str, tuple[str, int | None]] = {}
        self.style_based: dict[str, str] = {}
        self.style_name: dict[str, str] = {}
        if styles is not None:
            for st in styles.findall(f"{W}style"):
                sid = st.get(f"{W}styleId") or ""
                self.style_name[sid] = _val(st, "name") or sid
                based = _val(st, "basedOn")
                if based:
                    self.style_based[sid] = based
                numpr = st.find(f"{W}pPr/{W}numPr")
                if numpr is not None:
                    ilvl = _val(numpr, "ilvl")
                    self.style_num[sid] = (_val(numpr, "numId") or "0", _int(ilvl, 0) if ilvl is not None else None)

    def style_numbering(self, style: str | None) -> tuple[str, int | None] | None:
        """The numbering a paragraph style gives (through its basedOn chain), or None."""
        seen: set[str] = set()
        while style and style not in seen and len(seen) < 50:
            seen.add(style)
            if style in self.style_num:
                return self.style_num[style]
            style = self.style_based.get(style)
        return None

    def level(self, num: str, ilvl: int) -> Level | None:
        ov = self.overrides.get(num, {}).get(ilvl)
        if ov and ov[1] is not None:
            return ov[1]
        return self.abstracts.get(self.num_abstract.get(num, ""), {}).get(ilvl)

    def level_of_style(self, num: str, style: str) -> int | None:
        for ilvl, lvl in self.abstracts.get(self.num_abstract.get(num, ""), {}).items():
            if lvl.style == style:
                return ilvl
        return None


def _key(p: etree._Element) -> str:
    return re.sub(r"\s+", "", "".join(t.text or "" for t in p.iter(f"{W}t")))


def _paragraphs(body: etree._Element) -> Iterator[etree._Element]:
    """Every paragraph in reading order, without the duplicate copies of mc:Fallback."""
    for count, p in enumerate(body.iter(f"{W}p")):
        if count > MAX_PARAGRAPHS:
            return
        if any(a.tag == FALLBACK for a in p.iterancestors()):
            continue
        yield p


def read_numbering(data: bytes) -> list[Source]:
    """Every paragraph of the document body with the number Word displays for it (if any)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            document = _parse(z, "word/document.xml")
            defs = Definitions(_parse(z, "word/numbering.xml"), _parse(z, "word/styles.xml"))
    except zipfile.BadZipFile:
        return []
    body = document.find(f"{W}body") if document is not None else None
    if body is None:
        return []
    state = _State()
    out: list[Source] = []
    section = 0
    for p in _paragraphs(body):
        ppr = p.find(f"{W}pPr")
        style = _val(ppr, "pStyle")
        heading = bool(style and (HEADING_STYLE.match(defs.style_name.get(style, style)) or
                                  HEADING_STYLE.match(style)))
        numpr = ppr.find(f"{W}numPr") if ppr is not None else None
        from_style = False
        num: str | None = None
        ilvl: int | None = None
        if numpr is not None:
            num = _val(numpr, "numId")
            raw = _val(numpr, "ilvl")
            ilvl = _int(raw, 0) if raw is not None else None
        styled = defs.style_numbering(style)
        if styled is not None and (num is None or ilvl is None):
            if num is None:
                num = styled[0]
                from_style = not LIST_STYLE.match(defs.style_name.get(style or "", style or ""))
            if ilvl is None:
                ilvl = styled[1]
        if num is not None and ilvl is None:
            ilvl = (defs.level_of_style(num, style) if style else None) or 0
        if heading:
            section += 1
        source = Source(_key(p))
        if num and num != "0" and ilvl is not None and num in defs.num_abstract:
            source.numbered = _count(defs, state, num, min(max(ilvl, 0), 8), source.key, from_style, heading,
                                     section)
        out.append(source)
    return out


def _count(defs: Definitions, state: _State, num: str, ilvl: int, key: str, from_style: bool, heading: bool,
           section: int) -> Numbered | None:
    lvl = defs.level(num, ilvl)
    if lvl is None:
        return None
    abstract = defs.num_abstract[num]
    counters = state.counters.setdefault(abstract, {})
    continued = ilvl in counters
    if num not in state.used_nums:
        state.used_nums.add(num)
        for o_lvl, (start, _) in defs.overrides.get(num, {}).items():
            if start is not None:
                counters[o_lvl] = start - 1
                if o_lvl == ilvl:
                    continued = False
    counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else lvl.start
    for deeper in [k for k in counters if k > ilvl]:
        d = defs.level(num, deeper)
        restart = d.restart if d is not None else None
        if restart is None or (restart != 0 and ilvl < restart):
            del counters[deeper]

    def show(match: re.Match[str]) -> str:
        k = int(match.group(1)) - 1
        k_lvl = defs.level(num, k)
        value = counters.get(k, k_lvl.start if k_lvl else 1)
        fmt = "decimal" if lvl.legal and k < ilvl else (k_lvl.fmt if k_lvl else "decimal")
        return format_number(value, fmt)

    label = lvl.text if lvl.fmt == "bullet" else re.sub(r"%([1-9])", show, lvl.text)
    return Numbered(key=key, abstract=abstract, num=num, ilvl=ilvl, value=counters[ilvl], label=label.strip(),
                    fmt=lvl.fmt, from_style=from_style, heading=heading, section=section, continued=continued)


def paragraph_lists(sources: list[Source]) -> set[str]:
    """Abstract numberings that are the document's paragraph numbering (see the module docstring)."""
    by_abstract: dict[str, list[Numbered]] = {}
    for s in sources:
        n = s.numbered
        if n is not None and n.ilvl == 0 and not n.heading:
            by_abstract.setdefault(n.abstract, []).append(n)
    out: set[str] = set()
    for abstract, items in by_abstract.items():
        if items[0].fmt not in DECIMAL:
            continue
        styled = any(n.from_style for n in items)
        across = any(b.section != a.section and b.continued and b.value == a.value + 1
                     for a, b in itertools.pairwise(items))
        if styled or across:
            out.add(abstract)
    return out


# --------------------------------------------------------------------------- onto the IR


def _ir_key(inlines: tuple[ir.Inline, ...]) -> str:
    return re.sub(r"\s+", "", plain(inlines))


class _Matcher:
    """Finds the source paragraph of each IR paragraph, in order."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.pos = 0

    def find(self, inlines: tuple[ir.Inline, ...], label: str | None = None) -> Numbered | None:
        key = _ir_key(inlines)
        if not key:
            return None
        for i in range(self.pos, min(self.pos + WINDOW, len(self.sources))):
            src = self.sources[i].key
            if src == key or (label is not None and src == re.sub(r"\s+", "", label) + key):
                self.pos = i + 1
                return self.sources[i].numbered
        return None


def apply_numbering(doc: ir.Document, data: bytes, diag: Diagnostics) -> ir.Document:
    """The numbers Word displays, put on the IR's paragraphs, headings and list items."""
    sources = read_numbering(data)
    if not any(s.numbered for s in sources):
        return doc
    para_lists = paragraph_lists(sources)
    matcher = _Matcher(sources)
    counts = {"paragraphs": 0, "headings": 0, "items": 0}

    def first_para(blocks: tuple[ir.Block, ...]) -> ir.Para | None:
        return blocks[0] if blocks and isinstance(blocks[0], ir.Para) else None

    def walk(blocks: tuple[ir.Block, ...], depth: int) -> tuple[ir.Block, ...]:
        if depth > 40:
            return blocks
        out: list[ir.Block] = []
        for b in blocks:
            match b:
                case ir.Heading():
                    n = matcher.find(b.children, b.label)
                    if n is not None and n.heading and n.label and b.label is None:
                        counts["headings"] += 1
                        b = dataclasses.replace(b, label=n.label)
                    out.append(b)
                case ir.Para():
                    n = matcher.find(b.children)
                    if n is not None and n.abstract in para_lists and n.ilvl == 0 and b.number is None:
                        counts["paragraphs"] += 1
                        b = dataclasses.replace(b, number=str(n.value))
                    out.append(b)
                case ir.ListBlock():
                    out.extend(list_block(b, depth))
                case ir.BlockQuote() | ir.Div():
                    out.append(dataclasses.replace(b, blocks=walk(b.blocks, depth + 1)))
                case _:
                    out.append(b)
        return tuple(out)

    def list_block(b: ir.ListBlock, depth: int) -> list[ir.Block]:
        """A list whose items are numbered paragraphs is taken apart; others get Word's labels."""
        out: list[ir.Block] = []
        items: list[ir.ListItem] = []
        start: int | None = None
        for item in b.items:
            head = first_para(item.blocks)
            n = matcher.find(head.children) if head is not None else None
            rest = walk(item.blocks[1:] if head is not None else item.blocks, depth + 1)
            if head is not None and n is not None and n.abstract in para_lists and n.ilvl == 0:
                if items:
                    out.append(dataclasses.replace(b, items=tuple(items), start=start or b.start))
                    items, start = [], None
                counts["paragraphs"] += 1
                out.append(dataclasses.replace(head, number=str(n.value)))
                out.extend(rest)
                continue
            label = item.label
            if n is not None and n.label and label is None:
                counts["items"] += 1
                label = n.label
                if start is None and not items and n.fmt != "bullet":
                    start = n.value
            blocks = ((head,) if head is not None else ()) + rest
            items.append(dataclasses.replace(item, blocks=blocks, label=label))
        if items:
            out.append(dataclasses.replace(b, items=tuple(items), start=start or b.start))
        return out

    blocks = walk(doc.blocks, 0)
    if counts["paragraphs"]:
        diag.emit("word-numbering", f"{counts['paragraphs']} paragraph(s) numbered by Word read as numbered "
                  "paragraphs")
    if counts["headings"] or counts["items"]:
        diag.emit("word-numbering", f"Word's numbers kept as labels: {counts['headings']} heading(s), "
                  f"{counts['items']} list item(s)")
    return dataclasses.replace(doc, blocks=blocks)
