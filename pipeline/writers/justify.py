"""Inter-character justification for WeasyPrint (clreq 3.8; CSS Text 3 ``text-justify: inter-character``).

WeasyPrint justifies only at spaces, so a Chinese line (no spaces) keeps its slack at the end and a line
with a few Latin words pours all of it into them. This module patches the one place where WeasyPrint
distributes a line's slack (``layout.inline.text_align`` and the Pango layout a justified text box is drawn
with); inside ``with inter_character():`` (per thread), in a line holding CJK text, the slack goes into every
gap next to a CJK character and every space alike:

* inside a text box, a CJK character gets Pango letter spacing ``s`` (half on each side; Pango trims the
  halves at the box's own edges, so the first and last glyphs stay flush);
* between two text boxes (a ``span.latin``, a book title, a note call) the gap gets ``s`` by shifting what
  follows; an atomic box (the paragraph number) is a barrier: nothing is added on either side of it;
* spaces get ``s`` through WeasyPrint's own word spacing;
* each glyph's spacing is written into the PDF to a millionth of an em: WeasyPrint truncates it to a
  thousandth (``int(kerning)`` in ``draw/text.py``), which over a 40-character A4 line of letter-spaced text
  falls 0.42 pt short of the measure; inside our renders that ``int`` keeps its whole value for arithmetic but
  writes its decimals (:class:`_Kerning`), so a line's last glyph meets the measure without cutting the line's
  text into separately shaped pieces (what this module did before: a fifth of the justification's time).

Lines without a CJK character are left to WeasyPrint. A line that overflows its measure by less than
half an em (WeasyPrint never shrinks) is compressed the same way, so no line passes the measure. The
quarter-em Han–Latin gap (``span.latin.gl``/``.gr`` margins) is dropped where it would fall at a line's
start or end (clreq 3.2.2).

Chosen over a second layout pass (render, measure every line box, re-render with per-line letter-spacing
spans): one pass, no mapping from line boxes back to source text, and it cannot move a line break.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Sequence
from typing import Any

from ..cjk.chars import STICKY_RANGES, WIDE_RANGES
from .scoped import ScopedPatch

#: Wide characters between which (and next to which) slack may go: CJK symbols and punctuation, kana,
#: bopomofo, Han, compatibility ideographs, vertical forms, full-width forms, the supplementary planes.
_WIDE = WIDE_RANGES
#: Marks that are one sign in two cells: never pulled apart (clreq 3.1.4: ——, ……).
_UNSPLIT = frozenset("—…⋯─")
#: Marks that hold on to what precedes them: variation selectors, combining marks.
_STICKY = STICKY_RANGES
#: A line may be compressed by at most this share of its font size (WeasyPrint lets lines overflow when a
#: prohibition rule leaves no break; more than this is left as it is and reported by the tests).
MAX_SHRINK_EM = 0.5



def _class(ranges: Sequence[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


_WIDE_CHAR = re.compile(f"[{_class(_WIDE)}]")
_WIDE_RUN = re.compile(f"[{_class(_WIDE)}]+")
_STICKY_CHAR = re.compile(f"[{_class(_STICKY)}]")
#: What a text box grows by per ``s``: its CJK characters and its spaces.
_GROWS = re.compile(f"[{_class(_WIDE)} ]")


def wide(ch: str) -> bool:
    """Whether ``ch`` is a CJK character (full-width cell)."""
    return _WIDE_CHAR.match(ch) is not None


def _sticky(ch: str) -> bool:
    return _STICKY_CHAR.match(ch) is not None


def opportunity(a: str, b: str) -> bool:
    """Whether slack may go between the adjacent characters ``a`` and ``b``."""
    if a.isspace() or b.isspace() or _sticky(b) or (a == b and a in _UNSPLIT):
        return False
    return wide(a) or wide(b)


# --------------------------------------------------------------------------- the line walk


def _leaves(box: Any, out: list[Any]) -> None:
    """Text boxes and atomic inline boxes of a line, in order, with the inline boxes they sit in."""
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.TextBox):
            out.append(child)
        elif isinstance(child, boxes.InlineBox):
            _leaves(child, out)
        else:
            out.append(child)


def _weight(text: str) -> float:
    """How many ``s`` a text box grows by when its CJK characters get letter spacing ``s`` and its spaces
    word spacing ``s`` (Pango trims half of the first and last characters' spacing)."""
    w = float(len(_GROWS.findall(text)))
    if text and wide(text[0]):
        w -= 0.5
    if text and wide(text[-1]):
        w -= 0.5
    return w


def _plan(line: Any) -> tuple[list[tuple[Any, float, float]], float]:
    """For each leaf: (box, weight inside it, weight of the gap before it); and the total weight."""
    from weasyprint.formatting_structure import boxes

    leaves: list[Any] = []
    _leaves(line, leaves)
    plan: list[tuple[Any, float, float]] = []
    total = 0.0
    previous: str | None = None  # last character of the text box before, None after a barrier
    for leaf in leaves:
        if isinstance(leaf, boxes.TextBox) and leaf.text:
            inner = _weight(leaf.text)
            before = 1.0 if previous is not None and opportunity(previous, leaf.text[0]) else 0.0
            plan.append((leaf, inner, before))
            total += inner + before
            previous = leaf.text[-1]
        else:
            plan.append((leaf, 0.0, 0.0))
            previous = None
    return plan, total


def _has_wide(line: Any) -> bool:
    from weasyprint.formatting_structure import boxes

    leaves: list[Any] = []
    _leaves(line, leaves)
    return any(isinstance(x, boxes.TextBox) and _WIDE_CHAR.search(x.text) is not None for x in leaves)


def _trailing_spacing(line: Any) -> float:
    """The letter-spacing (CSS px) WeasyPrint leaves after the last character of ``line`` (a tracked paragraph's):
    counted as room, so the last character, not the space after it, meets the measure."""
    from weasyprint.formatting_structure import boxes

    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        kids = [c for c in box.children if c.is_in_normal_flow()]
        if not kids:
            return 0.0
        box = kids[-1]
    if not isinstance(box, boxes.TextBox) or not box.text or box.text[-1].isspace():
        return 0.0
    spacing = box.style["letter_spacing"]
    return float(spacing) if spacing != "normal" else 0.0


def _spread(context: Any, line: Any, extra: float) -> bool:
    """Distribute ``extra`` (negative: compress) over the line's opportunities; False when it has none."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout

    plan, total = _plan(line)
    if total <= 0:
        return False
    s = extra / total
    grow = {id(leaf): inner * s for leaf, inner, _ in plan}
    shift_before = {id(leaf): before * s for leaf, _, before in plan}

    def walk(box: Any, x_advance: float) -> float:
        if isinstance(box, boxes.TextBox):
            x_advance += shift_before.get(id(box), 0.0)
            box.position_x += x_advance
            g = grow.get(id(box), 0.0)
            if g:
                box.justification_spacing = s
                laid = getattr(box, "pango_layout", None)
                if laid is not None and not hasattr(laid, "layout") and getattr(laid, "text", None) == box.text:
                    # the box's own layout, done with (WeasyPrint sets it up again to draw): a copy of it holds
                    # the spacing, with no shaping now; a copy, as boxes may share one
                    layout = copy.copy(laid)
                    layout.justification_spacing = s
                else:
                    layout = create_layout(box.text, box.style, context, max_width=None, justification_spacing=s)
                    layout.deactivate()
                layout.docpipe_letter_spacing = s
                box.pango_layout = layout
                box.width += g
                x_advance += g
            return x_advance
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            before = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = walk(child, x_advance)
            box.width += x_advance - before
            return x_advance
        box.translate(x_advance, 0)
        return x_advance

    walk(line, 0.0)
    return True


def _edge_gaps(line: Any) -> None:
    """Drop the Han–Latin margin of a ``span.latin`` that opens or closes the line."""
    from weasyprint.formatting_structure import boxes

    def classes(box: Any) -> set[str]:
        element = getattr(box, "element", None)
        return set((element.get("class") or "").split()) if element is not None else set()

    # line start: the chain of first children
    chain: list[Any] = []
    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        first = next((c for c in box.children if c.is_in_normal_flow()), None)
        if first is None:
            break
        chain.append(first)
        box = first
    for i, b in enumerate(chain):
        if isinstance(b, boxes.InlineBox) and "latin" in classes(b) and b.margin_left:
            m = b.margin_left
            b.margin_left = 0
            for child in b.children:
                child.translate(-m, 0)
            # everything after b on the line moves left, and each ancestor is narrower
            parents = [line, *chain[:i]]
            for parent, kid in zip(parents, [*chain[:i], b], strict=True):
                after = False
                for sibling in parent.children:
                    if after:
                        sibling.translate(-m, 0)
                    if sibling is kid:
                        after = True
                parent.width -= m
            break
        if isinstance(b, boxes.TextBox) or not isinstance(b, boxes.InlineBox):
            break
    # line end: the chain of last children
    chain = []
    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        last = next((c for c in reversed(box.children) if c.is_in_normal_flow()), None)
        if last is None:
            break
        chain.append(last)
        box = last
    for i, b in enumerate(chain):
        if isinstance(b, boxes.InlineBox) and "latin" in classes(b) and b.margin_right:
            m = b.margin_right
            b.margin_right = 0
            for parent in [line, *chain[:i]]:
                parent.width -= m
            break
        if isinstance(b, boxes.TextBox) or not isinstance(b, boxes.InlineBox):
            break


def _unhalt_end(context: Any, line: Any) -> None:
    """A mark set half width because another mark follows it (``span.halt``) gets its full width back when
    that other mark went to the next line: nothing is adjacent to compress against (clreq 3.1.6)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.inline import split_text_box

    chain: list[Any] = []
    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        last = next((c for c in reversed(box.children) if c.is_in_normal_flow()), None)
        if last is None:
            return
        chain.append(last)
        box = last
    if len(chain) < 2 or not isinstance(chain[-1], boxes.TextBox):
        return
    span, text_box = chain[-2], chain[-1]
    element = getattr(span, "element", None)
    if element is None or "halt" not in (element.get("class") or "").split():
        return
    style = text_box.style.copy()
    style["font_feature_settings"] = line.style["font_feature_settings"]
    probe = text_box.copy_with_text(text_box.text)
    probe.style = style
    made, _, _ = split_text_box(context, probe, None, 0)
    if made is None:
        return
    delta = made.width - text_box.width
    made.position_x, made.position_y = text_box.position_x, text_box.position_y
    span.children = [made if c is text_box else c for c in span.children]
    for parent in [line, *chain[:-1]]:
        parent.width += delta


# --------------------------------------------------------------------------- the patch

#: The WeasyPrint releases this module was written for and tested with: it replaces two of their private
#: functions and calls three more, so any other release is refused rather than patched blindly.
WEASYPRINT_VERSIONS = ("70.",)
#: The private functions it patches or calls, with the parameters it relies on.
_SIGNATURES = {
    "weasyprint.layout.inline:text_align": ("context", "line", "available_width", "last"),
    "weasyprint.layout.inline:split_text_box": ("context", "box", "available_width", "skip", "is_line_start"),
    "weasyprint.text.line_break:Layout.set_text": ("self", "text", "justify"),
    "weasyprint.text.line_break:Layout.reactivate": ("self", "style"),
    "weasyprint.text.line_break:create_layout": ("text", "style", "context", "max_width", "justification_spacing"),
}


def check_weasyprint() -> None:
    """Refuse a WeasyPrint this module was not written for (a one-line :class:`OutputError` naming it)."""
    require_weasyprint("inter-character justification", _SIGNATURES)


def require_weasyprint(what: str, signatures: dict[str, tuple[str, ...]]) -> None:
    """Refuse a WeasyPrint that is not a version in :data:`WEASYPRINT_VERSIONS` or whose private functions
    ``signatures`` (``module:qualified.name`` -> parameter names) differ: docpipe's ``what`` relies on them."""
    import importlib
    import inspect

    import weasyprint

    from ..errors import OutputError

    version = str(getattr(weasyprint, "__version__", "?"))
    if not version.startswith(WEASYPRINT_VERSIONS):
        raise OutputError(f"WeasyPrint {version} is not supported: docpipe's {what} was written for WeasyPrint "
                          f"{', '.join(v + 'x' for v in WEASYPRINT_VERSIONS)} (pip install 'weasyprint>=70,<71')")
    for where, params in signatures.items():
        module, _, name = where.partition(":")
        obj: Any = importlib.import_module(module)
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
            found = tuple(inspect.signature(obj).parameters)
        except (AttributeError, TypeError, ValueError):
            found = ()
        if found != params:
            raise OutputError(f"WeasyPrint {version}: {module}.{name} is not what docpipe's {what} relies on "
                              f"(expected ({', '.join(params)}), found ({', '.join(found) or 'nothing'}))")


def _patched(original_align: Any, original_set_text: Any) -> tuple[Any, Any]:
    """The two replacements: both fall through to WeasyPrint's own unless asked for."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> float:
        if (not _PATCH.active() or line.style["direction"] != "ltr"
                or not _has_wide(line)):
            return float(original_align(context, line, available_width, last))
        _edge_gaps(line)
        if not last:
            _unhalt_end(context, line)
        align = line.style["text_align_all"]
        if last and line.style["text_align_last"] != "auto":
            align = line.style["text_align_last"]
        slack = available_width - line.width
        if not last:  # the letter-spacing after the line's last character is no ink: the edge is the character's
            slack += _trailing_spacing(line)
        if align == "justify" and not last and slack > 0 and _spread(context, line, slack):
            return 0.0
        if slack < 0 and -slack <= MAX_SHRINK_EM * line.style["font_size"] and _spread(context, line, slack):
            return 0.0
        return float(original_align(context, line, available_width, last))

    def set_text(self: Any, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        s = getattr(self, "docpipe_letter_spacing", 0.0)  # set by _spread only
        if not (justify and s and self.text):
            return
        attrs = pango.pango_layout_get_attributes(self.layout)
        if attrs == ffi.NULL:
            attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        base = self.style["letter_spacing"]
        units = int((s + (0 if base == "normal" else base)) * TO_UNITS)
        pos = offset = 0  # characters and UTF-8 bytes read so far
        for m in _WIDE_RUN.finditer(self.text):
            offset += len(self.text[pos:m.start()].encode("utf-8"))
            attr = pango.pango_attr_letter_spacing_new(units)
            attr.start_index = offset
            offset += len(m.group(0).encode("utf-8"))
            attr.end_index = offset
            pos = m.end()
            pango.pango_attr_list_change(attrs, attr)
        pango.pango_layout_set_attributes(self.layout, attrs)

    return text_align, set_text


class _Kerning(int):
    """A glyph's kerning as WeasyPrint's drawing truncates it (``int(kerning)``): that whole number in arithmetic,
    its exact value (to a millionth of an em) where it is written into the PDF (``f'>{int(kerning)}<'``)."""

    exact: float

    def __format__(self, spec: str) -> str:
        if spec:
            return int.__format__(self, spec)
        text = f"{self.exact:.3f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text


def _drawing_int(x: Any = 0, *base: int) -> int:
    """``int`` as ``weasyprint.draw.text`` sees it inside our renders: a float becomes a :class:`_Kerning`."""
    if base or not isinstance(x, float) or not _PATCH.active():
        return int(x, *base)
    kept = _Kerning(x)
    kept.exact = x
    return kept


def _install() -> tuple[Any, Any]:
    """Check WeasyPrint, then put the patched functions in place; what they replaced."""
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    check_weasyprint()
    saved = (inline.text_align, line_break.Layout.set_text)
    inline.text_align, line_break.Layout.set_text = _patched(*saved)
    draw_text.int = _drawing_int  # a module global shadows the builtin there
    return saved


def _restore(saved: tuple[Any, Any]) -> None:
    """Put WeasyPrint's own functions back."""
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    inline.text_align, line_break.Layout.set_text = saved
    del draw_text.int


_PATCH = ScopedPatch(_install, _restore)


def installed() -> bool:
    """Whether the patch is in place now (only while one of our renders runs)."""
    return _PATCH.installed()


def inter_character() -> contextlib.AbstractContextManager[None]:
    """While active (in this thread), WeasyPrint justifies lines holding CJK text between characters. The patch
    is installed on entry and WeasyPrint's own functions are put back on exit (when no other thread's render
    still holds it), so nothing of it remains once the render is done."""
    return _PATCH.scope()
