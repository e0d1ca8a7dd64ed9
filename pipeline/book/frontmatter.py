"""The front-matter pages a publisher expects, made from the book's metadata when the book file asks for them
(``docpipe.toml``'s ``[book] pages``): half-title, title page, copyright page, dedication.

Each page is a heading whose ``role`` names it (``halftitlepage``, ``titlepage``, ``copyright-page``,
``dedication``) followed by its lines; every line is a paragraph holding one ``Span`` whose class says what it is
(``subtitle``, ``author``, ``publisher``, ``edition``, ``rights``, ``isbn``, ``cip``, ``dedication``), so that the
writers can place it (TEI ``titlePage``'s ``docAuthor``, ``docImprint``…) and style it. The edition's own ISBN
(``Options.isbn``) replaces the book file's when the writers call :func:`pipeline.writers.divisions.for_edition`.
"""

from __future__ import annotations

from .. import ir

#: The pages :func:`pages` can make, in the order a book prints them.
PAGES: tuple[str, ...] = ("halftitlepage", "titlepage", "copyright-page", "dedication")

#: Headings of the pages that have no title of their own, by language (the first subtag; ``zh`` Simplified —
#: a Traditional edition's script transform converts them with the text).
_HEADINGS: dict[str, dict[str, str]] = {
    "copyright-page": {"en": "Copyright", "zh": "版权信息", "zh-Hant": "版權資訊", "fr": "Droits", "de": "Impressum",
                       "es": "Créditos", "ja": "奥付"},
    "dedication": {"en": "Dedication", "zh": "献词", "zh-Hant": "獻詞", "fr": "Dédicace", "de": "Widmung",
                   "es": "Dedicatoria", "ja": "献辞"},
}


def heading_text(page: str, language: str | None) -> str:
    """The heading of ``page`` in ``language`` (English when the language is not known)."""
    table = _HEADINGS[page]
    lang = language or "en"
    if lang.startswith("zh") and any(t in lang for t in ("Hant", "TW", "HK", "MO")):
        return table["zh-Hant"]
    return table.get(lang.split("-")[0].lower(), table["en"])


def line(cls: str, text: str) -> ir.Para:
    """One line of a generated page: a paragraph holding a span of class ``cls`` (lines of ``text`` kept apart
    by line breaks)."""
    kids: list[ir.Inline] = []
    for i, part in enumerate(text.strip().splitlines()):
        if i:
            kids.append(ir.LineBreak())
        kids.append(ir.Text(text=part.strip()))
    return ir.Para(children=(ir.Span(children=tuple(kids), classes=(cls,)),))


def _imprint(meta: ir.Metadata, fields: dict[str, str]) -> list[ir.Block]:
    """The edition statement and the publisher, as the title and copyright pages both show them."""
    out: list[ir.Block] = [line("edition", fields["edition"])] if fields.get("edition") else []
    return out + ([line("publisher", meta.publisher)] if meta.publisher else [])


def pages(wanted: tuple[str, ...], meta: ir.Metadata, fields: dict[str, str]) -> list[ir.Block]:
    """The blocks of the pages ``wanted`` (names of :data:`PAGES`, in the order given) for a book of metadata
    ``meta``; ``fields`` holds the book file's other keys (``edition``, ``isbn``, ``cip``, ``dedication``,
    ``rights``, ``year``). A page with nothing to show is still made when asked for (a copyright page without
    rights says the edition's ISBN at least when the edition has one)."""
    title = meta.title or "Untitled"
    out: list[ir.Block] = []
    for page in wanted:
        if page not in PAGES:
            raise ValueError(f"no page {page!r}: the pages are {', '.join(PAGES)}")
        # the title pages carry the title, the others a heading in the book's language
        heading = title if page in ("halftitlepage", "titlepage") else heading_text(page, meta.language)
        out.append(ir.Heading(level=1, children=(ir.Text(text=heading),), id=page, role=page))
        if page == "titlepage":
            if meta.subtitle:
                out.append(line("subtitle", meta.subtitle))
            out.extend(line("author", a) for a in meta.authors)
            out.extend(_imprint(meta, fields))
        elif page == "copyright-page":
            if fields.get("rights"):
                out.append(line("rights", fields["rights"]))
            else:
                out.extend(ir.Para(children=(ir.Span(children=b.children, classes=("rights",)),))
                           for b in meta.rights if isinstance(b, ir.Para))
            out.extend(_imprint(meta, fields))
            if fields.get("isbn"):
                out.append(line("isbn", f"ISBN {fields['isbn']}"))
            if fields.get("cip"):
                out.append(ir.Div(blocks=tuple(line("cip", p) for p in fields["cip"].strip().split("\n\n")),
                                  classes=("cip",)))
        elif page == "dedication" and fields.get("dedication"):
            out.append(line("dedication", fields["dedication"]))
    return out
