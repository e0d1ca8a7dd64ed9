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
    blocks = [{"t": "Para", "c": [{"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"}, tex]}]}
              for tex, display in equations]
    return json.dumps({"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": blocks}).encode("utf-8")


def _pandoc(data: bytes, to: str, options: Options, extra: tuple[str, ...] = ()) -> bytes:
    from .readers.pandoc import pandoc_path
    cmd = [pandoc_path(), "--sandbox", "-f", "json", "-t", to, *extra]
    proc = subprocess.run(cmd, input=data, capture_output=True, timeout=options.tool_timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip()[:200])
    return proc.stdout


def mathml(equations: list[tuple[str, bool]], options: Options, diag: Diagnostics) -> list[etree._Element | None]:
    """A MathML ``math`` element for each (TeX, display) pair; None where texmath failed."""
    todo = [e for e in dict.fromkeys(equations) if e not in _MATHML_CACHE]
    if todo:
        try:
            html = _pandoc(_ast(todo), "html5", options, ("--mathml",))
            root = etree.fromstring(b"<div>" + html + b"</div>", _PARSER)
            paras = root.findall("p")
        except (RuntimeError, OSError, subprocess.TimeoutExpired, etree.XMLSyntaxError) as exc:
            diag.emit("writer-note", f"equations kept as TeX: pandoc could not convert them ({exc})")
            paras = []
        for i, eq in enumerate(todo):
            found = paras[i].find(f"{{{MATHML_NS}}}math") if i < len(paras) else None
            _MATHML_CACHE[eq] = etree.tostring(found) if found is not None else None
    out: list[etree._Element | None] = []
    for eq in equations:
        raw = _MATHML_CACHE.get(eq)
        if raw is None:
            diag.emit("writer-note", f"an equation texmath cannot read, kept as TeX: {eq[0][:40]}")
        out.append(etree.fromstring(raw, _PARSER) if raw is not None else None)
    return out


def omml(equations: list[tuple[str, bool]], options: Options, diag: Diagnostics) -> list[etree._Element | None]:
    """Word math (``m:oMath``, or ``m:oMathPara`` for display) for each (TeX, display) pair."""
    todo = [e for e in dict.fromkeys(equations) if e not in _OMML_CACHE]
    if todo:
        try:
            docx = _pandoc(_ast(todo), "docx", options)
            with zipfile.ZipFile(io.BytesIO(docx)) as z:
                root = etree.fromstring(z.read("word/document.xml"), _PARSER)
            body = root.find(f"{{{W_NS}}}body")
            paras = body.findall(f"{{{W_NS}}}p") if body is not None else []
        except (RuntimeError, OSError, subprocess.TimeoutExpired, etree.XMLSyntaxError, KeyError,
                zipfile.BadZipFile) as exc:
            diag.emit("writer-note", f"equations kept as TeX: pandoc could not convert them ({exc})")
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
    return [etree.fromstring(raw, _PARSER) if (raw := _OMML_CACHE.get(eq)) is not None else None
            for eq in equations]


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


@functools.lru_cache(maxsize=4096)
def svg(tex: str, display: bool, size: float = 10.5) -> tuple[bytes, float, float, float] | None:
    """(SVG bytes, width pt, height pt, depth below the baseline pt) for a TeX equation, or None."""
    try:
        from ziamath.zmath import Latex
        eq = Latex(tex, size=size, inline=not display)
        text = eq.svg()
        width, height = eq.getsize()
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
        box = [float(x) for x in (root.get("viewBox") or "0 0 0 0").split()]
        depth = max(0.0, box[1] + box[3]) if len(box) == 4 else 0.0
    except Exception:  # ziamath raises many kinds of errors on TeX it cannot parse
        return None
    return text.encode("utf-8"), float(width), float(height), depth
