"""Page geometry, title breaking and the text rules shared by the paged writers (PDF with WeasyPrint or Typst, DOCX,
EPUB cover)."""

from __future__ import annotations

import itertools
import math
import re

from ..colwidths import text_em
from ..errors import UsageError
from ..options import Options

#: ``--page-size`` names -> CSS ``size`` values.
PAGE_SIZES = {"a4": "A4", "a5": "A5", "b5": "B5", "letter": "letter", "legal": "legal"}
#: Named page sizes in millimetres (CSS Paged Media's B5 is ISO B5).
PAGE_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "B5": (176.0, 250.0), "letter": (215.9, 279.4),
           "legal": (215.9, 355.6)}
_CSS_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt|px|pc)"
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}


def page_size(value: str) -> str:
    """The CSS ``size`` for ``--page-size`` (A4, A5, B5, Letter, or WxH such as 148mmx210mm)."""
    key = value.strip().lower()
    if key in PAGE_SIZES:
        return PAGE_SIZES[key]
    m = re.fullmatch(rf"({_CSS_LENGTH})\s*x\s*({_CSS_LENGTH})", key)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    raise UsageError(f"unknown page size {value!r}", expected="A4, A5, B5, Letter or WxH such as 150mmx220mm")


def length_mm(length: str) -> float:
    """A CSS length (``3mm``, ``0.5in``, ``12pt``) in millimetres."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|px|pc)", length.strip().lower())
    if not m:
        raise UsageError(f"not a length: {length!r}", expected="a number with mm, cm, in, pt, pc or px")
    return float(m.group(1)) * _MM[m.group(2)]


def page_mm(value: str) -> tuple[float, float]:
    """Width and height in millimetres of ``--page-size``."""
    size = page_size(value)
    if size in PAGE_MM:
        return PAGE_MM[size]
    w, h = size.split()
    return length_mm(w), length_mm(h)


def margins_mm(options: Options) -> tuple[float, float]:
    """(inner, outer) margins in millimetres for the edition's page size."""
    size = page_size(options.page_size)
    small = size in ("A5", "B5") or (" " in size)
    inner, outer = (20.0, 15.0) if small else (25.0, 20.0)
    if not options.mirror_margins:
        inner = outer = 20.0 if not small else 17.0
    return inner, outer


def bleed_mm(options: Options) -> float:
    """The bleed beyond the trim box in millimetres (3 mm when crop marks are asked for without a bleed)."""
    bleed = options.bleed or ("3mm" if options.marks else None)
    return length_mm(bleed) if bleed else 0.0


def title_pt(options: Options) -> float:
    """The title page's title size: 22 pt on A4, smaller with a narrower page."""
    width, _ = page_mm(options.page_size)
    return min(22.0, round(22.0 * width / 210.0, 1))


def title_space(options: Options) -> float:
    """How much of the title page's A4 blank space a page of this height keeps (1.0 on A4 and taller), so the
    title page stays one page in every size."""
    _, height = page_mm(options.page_size)
    return min(1.0, (height / 297.0) ** 2)


def measure_pt(options: Options) -> float:
    """The text block's width in points (page width less both margins)."""
    width, _ = page_mm(options.page_size)
    inner, outer = margins_mm(options)
    return (width - inner - outer) * 72 / 25.4


#: The page's top and bottom margins (mm), the one source of both engines' (``pdf._page_css``, print.typ's
#: ``docpipe`` template).
TOP_MM, BOTTOM_MM = 24.0, 22.0
#: Room kept below a figure's picture on its page for its caption and the figure's margins (mm).
FIGURE_CAPTION_MM = 20.0


def picture_height_pt(options: Options) -> float:
    """The tallest a figure's picture is drawn, in points: the text block's height less room for a caption. A
    taller one ran into the foot of its page, over the folio, its caption going to the next page."""
    _, height = page_mm(options.page_size)
    return (height - TOP_MM - BOTTOM_MM - FIGURE_CAPTION_MM) * 72 / 25.4


#: Where a Chinese title may break: before a preposition opening a phrase, around brackets and punctuation,
#: at spaces.
_TITLE_BREAK = re.compile(r"(?=關於|关于|有關|有关|對於|对于|題為|题为|（|\(|《|〈|「)|(?<=[，、：；）\)》〉」\s])")


def title_lines(title: str, font_pt: float, measure_pt: float) -> list[str]:
    """``title`` broken at phrase boundaries into the fewest lines that fit, balanced (the longest line as
    short as can be); one line when it fits, the title whole when no phrase boundary helps."""
    def width(text: str) -> float:
        text = text.strip()
        # a quarter-em gap where Han meets Latin letters or digits (clreq 3.2.1), made by the writer's markup
        gaps = sum(1 for a, b in itertools.pairwise(text) if a != " " != b
                   and (ord(a) < 0x2E80) != (ord(b) < 0x2E80) and (a.isalnum() or b.isalnum()))
        return sum(font_pt * (0.55 if ord(ch) < 0x2E80 else 1.0) for ch in text) + gaps * font_pt / 4

    if width(title) <= measure_pt:
        return [title]
    cuts = sorted({0, len(title), *(m.start() for m in _TITLE_BREAK.finditer(title))})
    pieces = [title[a:b] for a, b in itertools.pairwise(cuts) if title[a:b]]
    if len(pieces) > 14:
        return [title]  # 2**13 ways to split at most: titles are short; a longer one is left to the renderer
    best: tuple[int, float, list[str]] | None = None
    for mask in range(1 << (len(pieces) - 1)):
        lines = [pieces[0]]
        for i, piece in enumerate(pieces[1:]):
            if mask >> i & 1:
                lines.append(piece)
            else:
                lines[-1] += piece
        widest = max(width(x) for x in lines)
        if widest > measure_pt:
            continue
        key = (len(lines), widest, lines)
        if best is None or key[:2] < best[:2]:
            best = key
    return [x.strip() for x in best[2]] if best else [title]


def continued_label(label: str | None, lang: str | None) -> str:
    """The line over a table's continuation on the next page: ``续表 3`` (Simplified), ``續表 3`` (Traditional),
    ``Table 3 (continued)`` otherwise; the table's own label gives the number (GB/T 7713: 续表 repeats the
    table number)."""
    tag = lang or ""
    zh = tag.startswith("zh")
    word = ("续表" if not re.search(r"Hant|TW|HK|MO", tag) else "續表") if zh else ""
    label = (label or "").strip()
    if zh:
        number = re.sub(r"^表\s*", "", label) if label.startswith("表") else label
        return f"{word}{(' ' + number) if number else ''}"
    return f"{label} (continued)" if label else "(continued)"


_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def han_gap(neighbour: str) -> bool:
    """Whether an inline equation next to ``neighbour`` (the character before or after it) gets the quarter-em
    Han–Latin gap (clreq 3.2.1): next to a Han character, not next to a mark, a space or nothing."""
    return bool(neighbour) and _HAN_CHAR.match(neighbour[-1]) is not None


def continued_mark(lang: str | None) -> str:
    """The mark at the foot of a page a box runs over: ``（续下页）``, ``（續下頁）``, ``(continued)``."""
    tag = lang or ""
    if not tag.startswith("zh"):
        return "(continued)"
    return "（續下頁）" if re.search(r"Hant|TW|HK|MO", tag) else "（续下页）"


def division_label(role: str | None, label: str | None, lang: str | None) -> str | None:
    """A division's label as a book prints it: an appendix's bare letter or number (``A``) with its word
    (``附录 A``, ``附錄 A``, ``Appendix A``); any other label as it is."""
    label = (label or "").strip() or None
    if role != "appendix" or label is None or not re.fullmatch(r"[A-Za-z0-9IVXivx]{1,4}", label):
        return label
    tag = lang or ""
    if tag.startswith("zh"):
        return ("附錄" if re.search(r"Hant|TW|HK|MO", tag) else "附录") + " " + label
    if tag.startswith("ja"):
        return f"付録 {label}"
    return f"Appendix {label}"


#: Check boxes: a quarter em between one and the text it marks, whatever space the source left (a justified
#: space stretches; no space at all lets the box touch the text). The spaces matched here give way to the gap.
CHECKBOX = re.compile(r"([☐☑☒])[ \t\u00a0]*(?=[^\s])")
#: A run of dashes or ellipses is one mark (破折号 ——, 省略号 ……, a long ————): never broken across a line end
#: (GB/T 15834-2011: the two cells of a dash or an ellipsis are not parted).
MARK_RUN = re.compile(r"[—―⸺⸻]{2,}|[…⋯]{2,}")
_PRINT_MARKS = re.compile(f"(?P<run>{MARK_RUN.pattern})|{CHECKBOX.pattern}")


def mark_pieces(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into its runs of dashes or ellipses (``"run"``), its check boxes without the spaces after
    them (``"checkbox"``) and the text between (``None``)."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in _PRINT_MARKS.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], None))
        out.append((m.group("run"), "run") if m.group("run") else (m.group(2), "checkbox"))
        pos = m.end()
    if pos < len(text) or not out:
        out.append((text[pos:], None))
    return out


def hanging_em(labels: list[str]) -> float:
    """The hanging indent, in ems, of a list whose items carry the source's own labels (（一）, (a), 1.): the
    widest label and a gap after it (an em after a Chinese label, as its ideographic space, else half an em),
    rounded up to a quarter em; the label sits in a box this wide and the item's lines start after it."""
    widest = max((text_em(x) for x in labels), default=0.0)
    gap = 1.0 if any(_HAN_CHAR.search(x) or any(ord(c) >= 0x2E80 for c in x) for x in labels) else 0.5
    return math.ceil((widest + gap) * 4) / 4
