"""TEI validators for the tests: jing on ``tei_all.rng``, and its embedded Schematron rules (SchXslt, saxonche)."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import etree

from .conftest import SCHEMAS

RNG = SCHEMAS / "tei_all.rng"
SCH = "http://purl.oclc.org/dsdl/schematron"
SVRL = "http://purl.oclc.org/dsdl/svrl"
#: SchXslt 1.10 (MIT), the XSLT 2.0 Schematron compiler; see tests/fixtures/tei/PROVENANCE.md
SCHXSLT = Path(__file__).parent / "fixtures" / "tei" / "schxslt" / "pipeline-for-svrl.xsl"
#: Schematron roles that are advice, not errors (TEI marks a few of its rules so).
NOT_ERRORS = frozenset({"warning", "warn", "info", "information", "nonfatal"})


def jing_path() -> str | None:
    """The jing executable, or None."""
    return shutil.which("jing")


def saxon_available() -> bool:
    """Whether saxonche (the XPath 2+ processor the Schematron rules need) can be imported."""
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return False
    return True


def jing(paths: list[Path]) -> dict[str, list[str]]:
    """jing's errors for each file (files with none are absent)."""
    exe = jing_path()
    assert exe is not None
    out: dict[str, list[str]] = {}
    for chunk in range(0, len(paths), 50):
        part = paths[chunk:chunk + 50]
        r = subprocess.run([exe, str(RNG), *map(str, part)], capture_output=True, text=True, timeout=900)
        for line in (r.stdout + r.stderr).splitlines():
            m = re.match(r"(.+?):\d+:\d+: (?:fatal |)error: (.*)", line)
            if m:
                out.setdefault(m.group(1), []).append(line)
            elif line.strip() and r.returncode not in (0, 1):
                out.setdefault("jing", []).append(line)
    return out


def extract_schematron(rng: Path = RNG) -> bytes:
    """The ISO Schematron schema embedded in a TEI RELAX NG schema: every ``sch:ns`` and ``sch:pattern`` (TEI
    embeds one pattern per constraint, each already with its rules), in document order, under one
    ``sch:schema queryBinding="xslt2"`` (the rules use XPath 2: ``tokenize``, ``matches``)."""
    tree = etree.parse(str(rng), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    schema = etree.Element(f"{{{SCH}}}schema", nsmap={"sch": SCH}, queryBinding="xslt2")
    seen_ns: set[tuple[str | None, str | None]] = set()
    nss = [n for n in tree.iter(f"{{{SCH}}}ns")]
    for n in nss:
        key = (n.get("prefix"), n.get("uri"))
        if key not in seen_ns:
            seen_ns.add(key)
            etree.SubElement(schema, f"{{{SCH}}}ns", prefix=key[0] or "", uri=key[1] or "")
    seen_ids: set[str] = set()
    for pattern in tree.iter(f"{{{SCH}}}pattern"):
        pid = pattern.get("id") or ""
        if pid and pid in seen_ids:  # the same constraint reached through two definitions
            continue
        seen_ids.add(pid)
        schema.append(_copy(pattern))
    return etree.tostring(schema, xml_declaration=True, encoding="UTF-8")


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


def _cache_dir() -> Path:
    root = Path(os.environ.get("DOCPIPE_TEST_CACHE") or Path(tempfile.gettempdir()) / "docpipe-test-cache")
    root.mkdir(parents=True, exist_ok=True)
    return root


@functools.cache
def compiled_schematron() -> Path:
    """The TEI Schematron compiled to XSLT by SchXslt (cached on disk by the schema's and SchXslt's digests)."""
    digest = hashlib.sha256(RNG.read_bytes())
    for f in sorted(SCHXSLT.parent.rglob("*.xsl")):
        digest.update(f.read_bytes())
    target = _cache_dir() / f"tei_all-sch-{digest.hexdigest()[:16]}.xsl"
    if target.is_file():
        return target
    from saxonche import PySaxonProcessor

    sch = _cache_dir() / f"tei_all-{digest.hexdigest()[:16]}.sch"
    sch.write_bytes(extract_schematron())
    with PySaxonProcessor(license=False) as proc:
        xslt = proc.new_xslt30_processor()
        exe = xslt.compile_stylesheet(stylesheet_file=str(SCHXSLT))
        result = exe.transform_to_string(source_file=str(sch))
    if not result or ("<xsl:transform" not in result and "<xsl:stylesheet" not in result):
        raise RuntimeError("SchXslt produced no stylesheet from the TEI Schematron")
    tmp = target.with_suffix(".tmp")
    tmp.write_text(result, encoding="utf-8")
    tmp.replace(target)
    return target


def schematron(paths: list[Path]) -> dict[str, list[str]]:
    """The failed asserts and successful reports of the TEI Schematron for each file (files with none absent);
    rules whose ``role`` marks them as warnings are not counted."""
    from saxonche import PySaxonProcessor

    out: dict[str, list[str]] = {}
    with PySaxonProcessor(license=False) as proc:
        xslt = proc.new_xslt30_processor()
        exe = xslt.compile_stylesheet(stylesheet_file=str(compiled_schematron()))
        for path in paths:
            report = exe.transform_to_string(source_file=str(Path(path).resolve()))
            if report is None:
                out[str(path)] = ["no SVRL report"]
                continue
            root = etree.fromstring(report.encode("utf-8"))
            for fail in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
                if (fail.get("role") or "").lower() in NOT_ERRORS:
                    continue
                text = " ".join("".join(fail.itertext()).split())
                out.setdefault(str(path), []).append(f"{fail.get('location')}: {text}")
    return out


def validate(paths: list[Path]) -> dict[str, list[str]]:
    """jing and Schematron errors together, per file."""
    out = jing(paths)
    for k, v in schematron(paths).items():
        out.setdefault(k, []).extend(v)
    return out


RNG_NS = "http://relaxng.org/ns/structure/1.0"


@functools.cache
def _rng_defines() -> dict[str, list[etree._Element]]:
    tree = etree.parse(str(RNG), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    defines: dict[str, list[etree._Element]] = {}
    for d in tree.getroot().iter(f"{{{RNG_NS}}}define"):
        defines.setdefault(d.get("name", ""), []).append(d)
    return defines


def _attributes(element: str) -> list[etree._Element] | None:
    """The ``attribute`` patterns of ``tei_all.rng`` that apply to the TEI element ``element``, found by following
    ``ref``s without entering child elements; None when the schema has no such element."""
    defines = _rng_defines()
    out: list[etree._Element] = []
    seen: set[str] = set()

    def walk(node: etree._Element) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "attribute":
                out.append(child)
            elif tag == "ref" and (ref := child.get("name", "")) not in seen:
                seen.add(ref)
                for d in defines.get(ref, []):
                    walk(d)
            elif tag not in ("element", "ref"):
                walk(child)

    for d in defines.get(element, []):
        for el in d.iter(f"{{{RNG_NS}}}element"):
            if el.get("name") == element:
                walk(el)
                return out
    return None


def _attribute_name(node: etree._Element) -> str | None:
    """An ``attribute`` pattern's name (``xml:`` ones prefixed)."""
    name = node.get("name")
    if name is None:
        nm = node.find(f"{{{RNG_NS}}}name")
        if nm is None or not nm.text:
            return None
        name = nm.text.strip()
        return "xml:" + name if nm.get("ns") == "http://www.w3.org/XML/1998/namespace" else name
    if node.get("ns") == "http://www.w3.org/XML/1998/namespace" and not name.startswith("xml:"):
        return "xml:" + name
    return name


def allowed_attributes(element: str) -> frozenset[str]:
    """The attribute names ``tei_all.rng`` allows on the TEI element ``element`` (``xml:`` ones prefixed); empty when
    the schema has no such element."""
    return frozenset(n for a in _attributes(element) or [] if (n := _attribute_name(a)))


def datable_elements() -> frozenset[str]:
    """The TEI elements whose ``@from`` (and ``@to``, ``@when``, ``@notBefore``, ``@notAfter``) is a W3C date or time
    (att.datable.w3c), not a pointer (``app``, ``span``) or a page (``locus``, ``citedRange``)."""
    return frozenset(name for name in _rng_defines() for attr in _attributes(name) or []
                     if _attribute_name(attr) == "from"
                     and any(d.get("type") == "gYear" for d in attr.iter(f"{{{RNG_NS}}}data")))


def closed_type_elements() -> frozenset[str]:
    """The TEI elements whose ``@type`` takes only the values the schema lists (``tag``: comment, empty, end…)."""
    closed = set()
    for name in _rng_defines():
        for attr in _attributes(name) or []:
            if _attribute_name(attr) != "type":
                continue
            kinds = {etree.QName(c).localname for c in attr.iter() if isinstance(c.tag, str)} - {"attribute"}
            if "value" in kinds and kinds <= {"choice", "value", "documentation"}:
                closed.add(name)
    return frozenset(closed)
