"""Equations from TeX: MathML and Word's OMML through pandoc's texmath, SVG through ziamath.

Why these: pandoc (already the reader of every rich format, shipped in ``pypandoc-binary``) carries texmath,
the converter its own EPUB and DOCX writers use, so one batched pandoc call per document gives MathML that
EPUBCheck accepts and native, editable Word math. WeasyPrint cannot lay out MathML, so print renders each
equation to SVG with ziamath (pure Python, MIT, offline, bundles the STIX Two Math font) — no TeX system,
browser or network needed. An equation texmath cannot parse is kept as its TeX source with a diagnostic.
"""

from __future__ import annotations

import functools
import io
import json
import re
import subprocess
import zipfile

from lxml import etree

from .diagnostics import Diagnostics
from .options import Options

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _ast(equations: list[tuple[str, bool]]) -> bytes:
    blocks = [{"t": "Para", "c": [{"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"},
                                                      texmath_tex(tex)]}]}
              for tex, display in equations]
    return json.dumps({"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": blocks}).encode("utf-8")


#: Two sub- or superscripts in a row (``f(x)__``, ``x^^``): no TeX engine accepts it, and texmath's time doubles with
#: each further one (24 underscores: over a minute, which cost every equation of the document its MathML).
_DOUBLE_SCRIPT = re.compile(r"(?<!\\)[_^][ \t]*[_^]")


def texmath_safe(tex: str) -> bool:
    """Whether ``tex`` may go to texmath (pandoc): no two sub- or superscripts in a row."""
    return _DOUBLE_SCRIPT.search(tex) is None


_GENFRAC = re.compile(r"\\genfrac(?![A-Za-z])")
#: ``\genfrac``'s style argument (amsmath): 0 display, 1 text, 2 script, 3 scriptscript.
_STYLES = ("\\displaystyle", "\\textstyle", "\\scriptstyle", "\\scriptscriptstyle")
#: A rule thickness of nothing: ``0pt``, ``0em``, ``0.0mm``.
_NO_RULE = re.compile(r"0*\.?0*\s*(?:pt|em|ex|mm|cm|in|bp|mu|sp)?")
_CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)")


def _argument(tex: str, i: int) -> tuple[str, int] | None:
    """The TeX argument at ``tex[i:]`` (a brace group's inside, a control word or one character, after spaces)
    and where it ends; None when there is none."""
    while i < len(tex) and tex[i].isspace():
        i += 1
    if i >= len(tex):
        return None
    if tex[i] == "{":
        depth, j = 1, i + 1
        while j < len(tex) and depth:
            if tex[j] == "\\":
                j += 2
                continue
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            j += 1
        return (tex[i + 1:j - 1], j) if depth == 0 else None
    if tex[i] == "\\":
        m = _CONTROL.match(tex, i)
        return (m.group(0), m.end()) if m else None
    return tex[i], i + 1


def _genfrac(left: str, right: str, rule: str, style: str, top: str, bottom: str) -> str:
    """``\\genfrac`` as TeX texmath reads: ``\\binom`` for parentheses and no rule, else a one-column ``matrix``
    (no rule) or ``\\frac`` (a rule: its thickness is not kept) between ``\\left`` and ``\\right``."""
    left, right, rule, style = left.strip(), right.strip(), rule.strip(), style.strip()
    no_rule = bool(rule) and _NO_RULE.fullmatch(rule) is not None
    if no_rule and (left, right) == ("(", ")"):
        body = f"\\binom{{{top}}}{{{bottom}}}"
    else:
        inner = f"\\begin{{matrix}}{top}\\\\{bottom}\\end{{matrix}}" if no_rule else f"\\frac{{{top}}}{{{bottom}}}"
        body = f"\\left{left or '.'}{inner}\\right{right or '.'}" if left or right else inner
    return f"{{{_STYLES[int(style)]} {body}}}" if style in ("0", "1", "2", "3") else f"{{{body}}}"


def texmath_tex(tex: str) -> str:
    """``tex`` as texmath (and ziamath) can read it: each amsmath ``\\genfrac{L}{R}{rule}{style}{a}{b}`` (pandoc's
    DOCX reader writes one for Word's bracketed fraction without a bar, an angle-bracket binomial; texmath stops at
    it, which cost a 20-row equation array its MathML and Word math) rewritten by :func:`_genfrac`, innermost
    first; one whose arguments cannot be read stays as it is."""
    end = len(tex)
    while True:
        starts = list(_GENFRAC.finditer(tex, 0, end))
        if not starts:
            return tex
        m = starts[-1]
        args: list[str] = []
        i = m.end()
        for _ in range(6):
            got = _argument(tex, i)
            if got is None:
                break
            args.append(got[0])
            i = got[1]
        if len(args) == 6:
            tex = tex[:m.start()] + _genfrac(*args) + tex[i:]
        end = m.start()


def _unsafe(todo: list[tuple[str, bool]], cache: dict[tuple[str, bool], bytes | None]) -> list[tuple[str, bool]]:
    """``todo`` without the equations texmath must not see (cached as not convertible: kept as TeX)."""
    for eq in todo:
        if not texmath_safe(eq[0]):
            cache[eq] = None
    return [eq for eq in todo if texmath_safe(eq[0])]


def kept_as_tex(diag: Diagnostics, tex: str, why: str = "texmath cannot read it") -> None:
    """Say that an equation is shown as its TeX source: a warning, as it is content each format shows differently
    (MathML, Word math and a picture elsewhere), where its reader sees code."""
    diag.emit("math-kept-as-tex", f"an equation kept as TeX ({why}): {tex[:60]}")


def _pandoc(data: bytes, to: str, options: Options, extra: tuple[str, ...] = ()) -> bytes:
    from .readers.pandoc import pandoc_path
    cmd = [pandoc_path(), "--sandbox", "-f", "json", "-t", to, *extra]
    proc = subprocess.run(cmd, input=data, capture_output=True, timeout=options.tool_timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip()[:200])
    return proc.stdout


def mathml(equations: list[tuple[str, bool]], options: Options, diag: Diagnostics) -> list[etree._Element | None]:
    """A MathML ``math`` element for each (TeX, display) pair; None where texmath failed."""
    todo = _unsafe([e for e in dict.fromkeys(equations) if e not in _MATHML_CACHE], _MATHML_CACHE)
    if todo:
        try:
            html = _pandoc(_ast(todo), "html5", options, ("--mathml",))
            root = etree.fromstring(b"<div>" + html + b"</div>", _PARSER)
            paras = root.findall("p")
        except (RuntimeError, OSError, subprocess.TimeoutExpired, etree.XMLSyntaxError) as exc:
            diag.emit("math-kept-as-tex", f"equations kept as TeX: pandoc could not convert them ({exc})")
            paras = []
        for i, eq in enumerate(todo):
            found = paras[i].find(f"{{{MATHML_NS}}}math") if i < len(paras) else None
            for note in found.iter(f"{{{MATHML_NS}}}annotation") if found is not None else ():
                if note.get("encoding") == "application/x-tex":
                    note.text = eq[0]  # the source's TeX, not what texmath was given (:func:`texmath_tex`)
            _MATHML_CACHE[eq] = etree.tostring(found) if found is not None else None
    return _from_cache(equations, _MATHML_CACHE, diag)


def omml(equations: list[tuple[str, bool]], options: Options, diag: Diagnostics) -> list[etree._Element | None]:
    """Word math (``m:oMath``, or ``m:oMathPara`` for display) for each (TeX, display) pair."""
    todo = _unsafe([e for e in dict.fromkeys(equations) if e not in _OMML_CACHE], _OMML_CACHE)
    if todo:
        try:
            docx = _pandoc(_ast(todo), "docx", options)
            with zipfile.ZipFile(io.BytesIO(docx)) as z:
                root = etree.fromstring(z.read("word/document.xml"), _PARSER)
            body = root.find(f"{{{W_NS}}}body")
            paras = body.findall(f"{{{W_NS}}}p") if body is not None else []
        except (RuntimeError, OSError, subprocess.TimeoutExpired, etree.XMLSyntaxError, KeyError,
                zipfile.BadZipFile) as exc:
            diag.emit("math-kept-as-tex", f"equations kept as TeX: pandoc could not convert them ({exc})")
            paras = []
        for i, eq in enumerate(todo):
            found = None
            if i < len(paras):
                found = paras[i].find(f"{{{M_NS}}}oMathPara") if eq[1] else None
                if found is None:
                    found = paras[i].find(f".//{{{M_NS}}}oMath")
            if found is not None:
                _schema_order(found)
            _OMML_CACHE[eq] = etree.tostring(found) if found is not None else None
    return _from_cache(equations, _OMML_CACHE, diag)


def _from_cache(equations: list[tuple[str, bool]], cache: dict[tuple[str, bool], bytes | None],
                diag: Diagnostics) -> list[etree._Element | None]:
    """Each equation's converted element from ``cache`` (None, and said, for one kept as TeX)."""
    out: list[etree._Element | None] = []
    for eq in equations:
        raw = cache.get(eq)
        if raw is None:
            kept_as_tex(diag, eq[0])
        out.append(etree.fromstring(raw, _PARSER) if raw is not None else None)
    return out


#: ECMA-376 Part 1, 22.1.2: a math run's properties are lit?, (nor | (scr?, sty?)), brk?, aln?; a matrix column's
#: count?, mcJc?. texmath writes sty after nor and mcJc before count, which Word repairs and validators reject.
_RPR_ORDER = {f"{{{M_NS}}}{n}": i for i, n in enumerate(("lit", "nor", "scr", "sty", "brk", "aln"))}
_MCPR_ORDER = {f"{{{M_NS}}}{n}": i for i, n in enumerate(("count", "mcJc"))}


def _schema_order(root: etree._Element) -> None:
    for props, order in ((root.iter(f"{{{M_NS}}}rPr"), _RPR_ORDER), (root.iter(f"{{{M_NS}}}mcPr"), _MCPR_ORDER)):
        for el in list(props):
            kids = list(el)
            if order is _RPR_ORDER and any(k.tag == f"{{{M_NS}}}nor" for k in kids):
                kids = [k for k in kids if k.tag not in (f"{{{M_NS}}}scr", f"{{{M_NS}}}sty")]
            for k in list(el):
                el.remove(k)
            for k in sorted(kids, key=lambda k: order.get(str(k.tag), len(order))):
                el.append(k)


_MATHML_CACHE: dict[tuple[str, bool], bytes | None] = {}
_OMML_CACHE: dict[tuple[str, bool], bytes | None] = {}


#: The faces CJK text inside an equation is set in when the writer names none (the print writer names the
#: edition's): STIX Two Math has no Han, so 如果/否则 in a ``cases`` would be missing-glyph boxes.
CJK_FAMILIES = "Noto Serif CJK TC, Noto Serif CJK SC, serif"
#: Stands in for each CJK character while ziamath lays the equation out: EM QUAD, one em wide in STIX Two
#: Math as a Han character is in a CJK face, drawn as nothing; its positions then take the CJK text.
_QUAD = "\u2001"
_CJK_RUN = re.compile("[\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\uff01-\uff60"
                      "\U00020000-\U0003ffff]+")
_SVG_NS = "http://www.w3.org/2000/svg"


@functools.lru_cache(maxsize=4096)
def svg(tex: str, display: bool, size: float = 10.5,
        family: str | None = None) -> tuple[bytes, float, float, float] | None:
    """(SVG bytes, width pt, height pt, depth below the baseline pt) for a TeX equation, or None. The size is
    the text's (an equation is set at body size); CJK characters are set as SVG text in ``family``."""
    tex = texmath_tex(tex)
    runs = [m.group(0) for m in _CJK_RUN.finditer(tex)]
    texts = _text_groups(tex) if runs else []
    # in text a placeholder per character; in math the run becomes text (TeX would not set Han in math either)
    work = _CJK_RUN.sub(lambda m: _QUAD * len(m.group(0)) if any(a <= m.start() < b for a, b in texts)
                        else "\\text{" + _QUAD * len(m.group(0)) + "}", tex)
    try:
        from ziamath.zmath import Latex
        eq = Latex(work, size=size, inline=not display)
        text = eq.svg()
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
        box = [float(x) for x in (root.get("viewBox") or "0 0 0 0").split()]
        if runs:
            _cjk_text(root, "".join(runs), size, family or CJK_FAMILIES)
            text = etree.tostring(root, encoding="unicode")
        # the SVG's own size (ziamath's getsize() leaves out the margin its viewBox keeps, and an image drawn at
        # that size is shrunk to about 70 % of the text)
        width, height = float(root.get("width") or box[2]), float(root.get("height") or box[3])
        depth = max(0.0, box[1] + box[3]) if len(box) == 4 else 0.0
    except Exception:  # ziamath raises many kinds of errors on TeX it cannot parse
        return None
    return text.encode("utf-8"), width, height, depth


_TEXT_CMD = re.compile(r"\\(?:text|textrm|textnormal|mbox|mathrm|operatorname|textbf|textit|mathbf|mathit)\s*\{")


def _text_groups(tex: str) -> list[tuple[int, int]]:
    """Where ``tex`` is in text mode: the brace groups of ``\\text`` and its kin (start, end offsets)."""
    groups = []
    for m in _TEXT_CMD.finditer(tex):
        depth, i = 1, m.end()
        while i < len(tex) and depth:
            depth += {"{": 1, "}": -1}.get(tex[i], 0) if tex[i - 1] != "\\" else 0
            i += 1
        groups.append((m.end(), i))
    return groups


@functools.lru_cache(maxsize=64)
def _placeholder(size: float) -> tuple[str, float]:
    """The symbol ziamath draws a placeholder with, and its height at the text's own size (a script's is
    smaller)."""
    from ziamath.zmath import Latex
    root = etree.fromstring(Latex(f"\\text{{{_QUAD}}}", size=size, inline=True).svg().encode("utf-8"), _PARSER)
    use = next(root.iter(f"{{{_SVG_NS}}}use"), None)
    return ((use.get("href") or "", float(use.get("height") or 0)) if use is not None else ("", 0.0))


def _cjk_text(root: etree._Element, chars: str, size: float, family: str) -> None:
    """Replace the placeholders (EM QUADs) ziamath drew by SVG text holding ``chars``, run by run."""
    uses = [u for u in root.iter(f"{{{_SVG_NS}}}use")]
    symbols = {s.get("id"): s for s in root.iter(f"{{{_SVG_NS}}}symbol")}
    href, full = _placeholder(size)
    quads = [u for u in uses if u.get("href") == href]
    ref = next(iter(symbols.values()), None)
    vb = [float(x) for x in (ref.get("viewBox") or "0 0 0 0").split()] if ref is not None else [0, 0, 0, 0]
    taken = 0
    run: list[tuple[float, float, float]] = []  # x, baseline, font size of each placeholder of the run

    def flush() -> None:
        nonlocal taken
        if not run:
            return
        part = chars[taken:taken + len(run)]
        taken += len(run)
        x, y, em = run[0]
        t = etree.SubElement(root, f"{{{_SVG_NS}}}text", {"x": f"{x:.3f}", "y": f"{y:.3f}",
                                                         "font-family": family, "font-size": f"{em:.3f}"})
        t.text = part
        run.clear()

    for u in quads:
        x, y, h = float(u.get("x") or 0), float(u.get("y") or 0), float(u.get("height") or 0)
        baseline = y - vb[1] * (h / vb[3] if vb[3] else 1.0)
        em = size * h / (full or h or 1.0)  # smaller in a script
        if run and (abs(run[-1][1] - baseline) > 0.01 or abs(x - run[-1][0] - run[-1][2]) > 0.05 * em):
            flush()
        run.append((x, baseline, em))
        parent = u.getparent()
        if parent is not None:
            parent.remove(u)
    flush()
