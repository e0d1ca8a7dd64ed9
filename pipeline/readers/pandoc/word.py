"""Word specifics: title-page and caption styles, text boxes and framed paragraphs, automatic numbering."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from io import BytesIO

from ... import ir
from ...diagnostics import Diagnostics

#: docx styles whose paragraphs make the title page (their content is in the core properties as well)
TITLE_STYLES = {"Document Symbol", "Title", "Subtitle", "Title Page Info", "Edition Note"}

CAPTION_STYLES = {"caption", "image caption", "table caption", "figure caption", "captioned figure"}
_CAPTION_LABEL = re.compile(
    r"^\s*((?:Figure|Fig\.|Table|Tab\.|Chart|Abbildung|Tabelle|图|圖|表|图表|圖表)\s*"
    r"[0-9０-９一二三四五六七八九十百]+(?:[.\-–][0-9]+)*)\s*[:：.．。、\-–—]?\s*")


def caption_label(inlines: tuple[ir.Inline, ...]) -> tuple[str | None, tuple[ir.Inline, ...]]:
    """Split a caption's leading numbering (``Table 1:``, ``图 2　``) from its text."""
    if not inlines or not isinstance(inlines[0], ir.Text):
        return None, inlines
    m = _CAPTION_LABEL.match(inlines[0].text)
    if not m:
        return None, inlines
    rest = inlines[0].text[m.end():]
    tail = ((ir.Text(text=rest),) if rest else ()) + inlines[1:]
    return m.group(1).strip(), tail


def word_box_groups(data: bytes) -> list[list[str]]:
    """Paragraph texts of Word text boxes and of runs of shaded or bordered paragraphs (not our own box styles)."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    mc_fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            xml = z.read("word/document.xml")
    except (KeyError, zipfile.BadZipFile):
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(xml, parser)

    def text(p: etree._Element) -> str:
        return re.sub(r"\s+", "", "".join(t.text or "" for t in p.iter(f"{w}t")))

    groups: list[list[str]] = []
    for box in root.iter(f"{w}txbxContent"):
        if any(a.tag == mc_fallback for a in box.iterancestors()):
            continue
        texts = [text(p) for p in box.iter(f"{w}p") if text(p)]
        if texts:
            groups.append(texts)
    body = root.find(f"{w}body")
    run: list[str] = []
    for p in (body if body is not None else []):
        ppr = p.find(f"{w}pPr") if p.tag == f"{w}p" else None
        style = ppr.find(f"{w}pStyle") if ppr is not None else None
        shd = ppr.find(f"{w}shd") if ppr is not None else None
        framed = ppr is not None and (ppr.find(f"{w}pBdr") is not None or (
            shd is not None and (shd.get(f"{w}fill") or "auto").lower() not in ("auto", "ffffff")))
        ours = style is not None and style.get(f"{w}val") in ("BoxTitle", "BoxText")
        if framed and not ours and text(p) and p.find(f".//{w}txbxContent") is None:
            run.append(text(p))
        else:
            if run:
                groups.append(run)
            run = []
    if run:
        groups.append(run)
    return groups


def group_boxes(doc: ir.Document, groups: list[list[str]], diag: Diagnostics) -> ir.Document:
    """Turn the paragraphs of each Word text box or framed run into a Box (title: its first short paragraph)."""

    from ...walk import plain as _p

    blocks = list(doc.blocks)
    for group in groups:
        keys = [re.sub(r"\s+", "", _p(b.children)) if isinstance(b, ir.Para) else None for b in blocks]
        for i in range(len(blocks) - len(group) + 1):
            if keys[i:i + len(group)] == group:
                paras = [b for b in blocks[i:i + len(group)] if isinstance(b, ir.Para)]
                titled = len(paras) > 1 and len(group[0]) <= 40 and not group[0].endswith(("。", ".", "！", "？"))
                title = paras[0].children if titled else ()
                body = tuple(dataclasses.replace(b, number=None) for b in (paras[1:] if titled else paras))
                blocks[i:i + len(group)] = [ir.Box(title=title, blocks=body)]
                diag.emit("unrecognised-block", f"a Word text box or framed paragraphs read as a box "
                          f"({len(group)} paragraph(s))")
                break
    return dataclasses.replace(doc, blocks=tuple(blocks))


def core_properties(data: bytes) -> dict[str, str]:
    """Title, creator, subject and language from ``docProps/core.xml`` (what Word's File > Info shows)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            xml = z.read("docProps/core.xml")
    except (KeyError, zipfile.BadZipFile):
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for el in root:
        if isinstance(el.tag, str) and el.text and el.text.strip():
            out[etree.QName(el).localname] = el.text.strip()[:1000]
    return out


def with_core_title(doc: ir.Document, data: bytes, diag: Diagnostics) -> ir.Document:
    """The document's title and authors from the core properties when the body's styles gave none."""
    props = core_properties(data)
    m = doc.metadata
    title = m.title or props.get("title")
    authors = m.authors or tuple(a.strip() for a in re.split(r"[;；]", props.get("creator", "")) if a.strip())
    if (title, authors) == (m.title, m.authors):
        return doc
    diag.emit("metadata-found", f"title {title!r} from the Word core properties" if title != m.title else
              "authors from the Word core properties")
    return dataclasses.replace(doc, metadata=dataclasses.replace(m, title=title, authors=authors))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def word_languages(data: bytes) -> dict[str, str]:
    """The languages a Word package declares for its text: ``dc:language`` of the core properties (``core``), and
    the document defaults' ``w:lang`` in ``styles.xml`` — else ``settings.xml``'s ``w:themeFontLang`` — for Latin
    text (``latin``, ``w:val``) and East Asian text (``eastAsia``)."""
    from lxml import etree

    out: dict[str, str] = {}
    core = core_properties(data).get("language")
    if core:
        out["core"] = core
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    for part, path in (("styles", f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}lang"),
                       ("settings", f"{_W}themeFontLang")):
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                root = etree.fromstring(z.read(f"word/{part}.xml"), parser)
        except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
            continue
        el = root.find(path)
        if el is None:
            continue
        for key, attr in (("latin", "val"), ("eastAsia", "eastAsia")):
            value = (el.get(f"{_W}{attr}") or "").strip()
            if value and re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", value):
                out.setdefault(key, value)
    return out


#: A body is overwhelmingly Chinese, whatever Word's Latin default says, with this many Han characters per word of
#: other scripts.
OVERWHELMING = 4
#: Han, kana or Hangul: text a Japanese or Korean language tag can describe.
_EAST_ASIAN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def with_declared_language(doc: ir.Document, data: bytes, diag: Diagnostics, *,
                           declared: dict[str, str] | None = None, package: str = "Word document") -> ir.Document:
    """The document's language as the Word package declares it (or ``declared``, what another office package —
    OpenDocument — declares under the same keys), unless the reader already has one.

    Word declares one language for Latin text (``w:val``) and one for East Asian text (``w:eastAsia``), both from
    the author's system, and writers fill ``dc:language`` with their own default (pandoc writes ``en-US`` for every
    document). On an English system (East Asian language not Chinese) the Latin language is the document's, even
    with a Chinese paragraph in it. On a Chinese system an English document and a Chinese one both say ``en-US`` and
    ``zh-CN``, so the body decides: mostly Chinese, it is Chinese. A Chinese document — one whose body is
    overwhelmingly Chinese (:data:`OVERWHELMING`), or mostly Chinese on a Chinese system — takes only a Chinese
    ``dc:language``, else none: the text's own script decides (:mod:`pipeline.transforms.lang`); any other takes
    the first language that is not Chinese (core, Latin).
    """
    if doc.metadata.language:
        return doc
    from ...cjk.script import chinese_share, without_template_tags
    from ...walk import block_text

    if declared is None:
        declared = word_languages(data)
    text = without_template_tags(block_text(doc.blocks))  # a template's {{ NAME }} is no English
    han, other = chinese_share(text)
    chinese_system = declared.get("eastAsia", "").lower().startswith("zh")
    chinese = han > 0 and (han >= OVERWHELMING * other or (chinese_system and han >= other))
    keys = ("core",) if chinese else ("core", "latin")
    # a Japanese or Korean language (LibreOffice's dc:language on a Japanese system) only on a body with such text
    east_asian = bool(_EAST_ASIAN.search(text))
    found = [(k, declared[k]) for k in keys if k in declared and declared[k].lower().startswith("zh") == chinese
             and (east_asian or not re.match(r"(?i)(ja|ko)\b", declared[k]))]
    if not found:
        return doc
    key, lang = found[0]
    where = {"core": "core properties", "latin": "default text language"}[key]
    diag.emit("metadata-found", f"language {lang!r} from the {package}'s {where}")
    return dataclasses.replace(doc, metadata=dataclasses.replace(doc.metadata, language=lang))


_TOC_STYLE = re.compile(r"(?i)^(toc|contents|verzeichnis|inhaltsverzeichnis|目录|目錄)\s*[1-9]$")
_CONTENTS = re.compile(r"(?i)^\s*(table\s+of\s+contents|contents|inhalt(sverzeichnis)?|table\s+des\s+mati[eè]res"
                       r"|sommaire|índice|indice|目[录錄]|目\s*次)\s*[:：]?\s*$")


def contents_title(text: str) -> bool:
    """The heading a table of contents carries (``Table of Contents``, ``目录``)."""
    return bool(_CONTENTS.match(text))


def _has(node: object, tag: str, depth: int = 0) -> bool:
    if depth > 60:
        return False
    if isinstance(node, dict):
        return node.get("t") == tag or any(_has(v, tag, depth + 1) for v in node.values())
    if isinstance(node, list):
        return any(_has(v, tag, depth + 1) for v in node)
    return False


def _internal_links(node: object, depth: int = 0) -> list[str]:
    if depth > 60:
        return []
    if isinstance(node, dict):
        if node.get("t") == "Link":
            target = node["c"][2][0]
            return [target] if isinstance(target, str) and target.startswith("#") else []
        return [t for v in node.values() for t in _internal_links(v, depth + 1)]
    if isinstance(node, list):
        return [t for v in node for t in _internal_links(v, depth + 1)]
    return []


def is_toc_entry(node: dict[str, object]) -> bool:
    """A paragraph of Word's table of contents: a TOC style (``toc 1``, ``TOC 2``…) or a paragraph that is one
    link to a ``_Toc`` bookmark; never one holding a picture (templates misuse the styles)."""
    if node.get("t") == "Div":
        c = node.get("c")
        assert isinstance(c, list)
        style = dict(c[0][2]).get("custom-style") or ""
        if _TOC_STYLE.match(style) or style.lower() in ("toc heading", "contents heading"):
            return not _has(c[1], "Image")
        return False
    if node.get("t") in ("Para", "Plain"):
        links = _internal_links(node)
        return bool(links) and all(t.startswith("#_Toc") for t in links) and not _has(node, "Image")
    return False
