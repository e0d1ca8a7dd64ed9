"""The TEI vocabulary docpipe's TEI reader and writer share: namespaces, the markers docpipe writes into TEI from
elsewhere (``Metadata.extra`` keys, generic-container classes, ``@rend`` tokens), and the tables of ``tei_all``
(its elements, the attributes each allows, the content-model classes the writer's repairs need)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote

TEI = "http://www.tei-c.org/ns/1.0"
XML = "http://www.w3.org/XML/1998/namespace"

#: ``Metadata.extra`` keys of TEI read from elsewhere: its header, the resources beside its text (``facsimile``,
#: ``sourceDoc``, ``standOff``), each serialized, and the attributes of its ``TEI``, ``text`` and ``body``.
HEADER_KEY = "tei-header"
RESOURCE_KEY = "tei-resource"
ATTRS_KEY = "tei-attrs:"
#: ``xml:id`` of docpipe's own header (its absence marks a header from elsewhere) and prefix of what docpipe
#: adds to a header from elsewhere (removed again when that file is read back).
OWN_HEADER_ID = "docpipe-edition"
ADDED_PREFIX = "docpipe-"
SOURCE_HEADER_ID = "docpipe-source-header"
#: Generic-container classes with a meaning here: a wrapper giving the one block or inline inside it the
#: source's attributes; a note's attributes and body; a note standing between blocks; blocks that were blocks
#: in the source (so one paragraph is not written as inline content).
ATTRS_WRAPPER = "tei-attrs"
#: Pseudo-attribute of an attribute wrapper: the source's element, when the IR node inside is written as another
#: (``<hi rend="italic">`` held as Emph); not an XML name, so no real attribute can take its place.
RENAME = "(element)"
#: Pseudo-attribute of a generic container that stood in ``text`` itself, outside ``body`` (``before`` or
#: ``after`` it): the TEI writer puts it back there. Not an XML name, like :data:`RENAME`.
PLACE = "(place)"
NOTE_WRAPPER = "tei-note"
BLOCK_NOTE = "tei-block-note"
EXPLICIT_BLOCKS = "tei-blocks"
#: Text standing between the blocks of an element that mixes them (CBETA's ``<div>`` of bare lines, ``<lb/>``s, a
#: ``<head>`` and ``<ab>``s): a paragraph in every format, written back in TEI as the element's own text.
MIXED_TEXT = "tei-mixed-text"
#: ``ab/@type`` of such text written back where ``tei_all`` allows no text (a ``div``, ``body``…): read back as
#: :data:`MIXED_TEXT`.
MIXED_AB = "docpipe-mixed-text"
#: ``div/@type`` of the division the TEI writer puts around blocks that follow a division in its container
#: (``tei_all`` allows none there): read back as those blocks, in their container.
AFTER_DIV = "docpipe-after-div"
#: Where a note that points at its anchor (``note@target``) stood in the source: the IR calls it at the anchor,
#: the TEI writer puts it back here (``attrs`` holds ``("note", NOTE_ID)``).
NOTE_PLACE = "tei-note-place"
FRONT, BACK, GROUP = "tei-front", "tei-back", "tei-group"
#: ``div/@type`` of a generic container with blocks in front or back matter (where floatingText may not stand).
CONTAINER_DIV = "docpipe-container"
#: ``Note.id`` prefix of the apparatus criticus the TEI reader makes of each ``app`` (one note per entry: the
#: source's line, the lemma and every reading with its witnesses), so that DOCX, PDF, EPUB, HTML and Markdown show
#: the readings as notes; the TEI writer writes the ``app`` itself and leaves these notes out.
APPARATUS_NOTE = "docpipe-app-"
#: Class of a span holding the text shown for a ``g`` from its ``charDecl`` (not written back to TEI).
GLYPH_SHOWN = "docpipe-glyph"
#: Class of the division the TEI reader makes of the apparatus in the ``standOff``s beside the text (the entries of
#: their ``listApp``), so that the other formats show it; the TEI writer leaves it out, as the ``standOff`` itself is
#: given back whole (:data:`RESOURCE_KEY`).
STANDOFF_SHOWN = "docpipe-standoff-apparatus"
#: Class of the container the TEI reader makes of a ``list`` with a ``head`` (TEI from elsewhere): the heads (each a
#: :data:`LIST_HEAD`, shown as a paragraph before the list), then the list itself; the TEI writer puts the heads back
#: inside the ``list``. Its attributes are the list's.
HEADED_LIST = "tei-headed-list"
#: Class of a ``head`` of a list inside :data:`HEADED_LIST`: a paragraph of its text, its attributes kept.
LIST_HEAD = "tei-list-head"
#: ``ab/@type`` of a heading where tei_all allows no ``head`` (in a quotation, an item, a cell, after content).
HEADING_AB = "docpipe-heading"
#: ``floatingText/@type`` of the content of a cell, an item or a quotation that holds headings: its ``body`` holds
#: the blocks before the first heading, then a ``div`` (``@type`` from the level) for each heading with its ``head``
#: and the blocks after it; read back as those blocks and headings.
HEADED_TEXT = "docpipe-headed"
#: The edited form of each pair of a ``choice`` and the source's form it stands for: the text of an edition shows
#: the edited form (the TEI Guidelines' usual reading display), a diplomatic edition the source's; the other is
#: given in an apparatus note (:data:`APPARATUS_NOTE`), except as said by :data:`CHOICE_UNNOTED`.
CHOICE_EDITED = {"corr": "sic", "reg": "orig", "expan": "abbr"}
#: The roles of a ``choice`` whose other form gets no note: an abbreviation and its expansion say the same words,
#: and a manuscript abbreviates hundreds of times a page, so a note for each would bury the text in calls (the
#: other form stays in TEI and in the EPUB and HTML tooltip). A correction or a regularisation changes the text:
#: noted, as a reading of an apparatus is.
CHOICE_UNNOTED = frozenset({"abbr", "expan"})
#: How an apparatus note names the form of a ``choice`` that the text does not show (after its text).
CHOICE_LABELS = {"sic": "sic", "corr": "corr.", "orig": "orig.", "reg": "reg.", "abbr": "abbr.", "expan": "expan.",
                 "unclear": "unclear", "supplied": "suppl."}
READING_ROLES = {True: frozenset({"lem", "rdg"}),
                 False: frozenset({"orig", "reg", "sic", "corr", "abbr", "expan", "seg", "unclear", "supplied"})}


def enc(s: str) -> str:
    """``s`` as (part of) one ``teidata.word`` token: ``%``, ``=``, ``@`` and separators/controls percent-encoded."""
    return "".join(quote(c, safe="") if c in "%=@" or unicodedata.category(c)[0] in "CZ" else c for c in s)


def rend(classes: tuple[str, ...], attrs: tuple[tuple[str, str], ...]) -> str | None:
    """``@rend`` tokens for a generic container: its classes, then ``@key=value`` (percent-encoded) attributes."""
    tokens = [enc(c) for c in classes]
    tokens += [f"@{enc(k)}={enc(v)}" for k, v in attrs]
    return " ".join(tokens) or None


def unrend(value: str | None) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The inverse of :func:`rend`."""
    classes: list[str] = []
    attrs: list[tuple[str, str]] = []
    for token in (value or "").split():
        if token.startswith("@") and "=" in token:
            k, _, v = token[1:].partition("=")
            attrs.append((unquote(k), unquote(v)))
        else:
            classes.append(unquote(token))
    return tuple(classes), tuple(attrs)


def tei_name(classes: tuple[str, ...]) -> str | None:
    """The TEI element a generic container stands for (its only class is ``tei-NAME``), if docpipe writes it."""
    if len(classes) == 1 and classes[0].startswith("tei-") and classes[0][4:] in TEI_ELEMENTS:
        return classes[0][4:]
    return None


def allowed(name: str) -> frozenset[str]:
    """The attributes ``tei_all`` allows on ``name`` (``xml:``-prefixed for the XML namespace)."""
    extra = ATTS.get(name)
    return ATT_GLOBAL | frozenset(extra.split()) if extra is not None else ATT_GLOBAL


#: ``reg/@type`` of a normalisation docpipe made (``<choice><orig>…</orig><reg type=…>…</reg></choice>``).
NORMALISATION = "docpipe-normalisation"
#: The elements ``tei_all`` allows a ``head`` in.
HEAD_PARENTS = frozenset({"body", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "back", "front",
                          "group", "list", "table", "figure", "lg", "listBibl", "castList", "spGrp",
                          # the other lists (model.headLike first in each: a witness list's "First family")
                          "listWit", "listApp", "listEvent", "listNym", "listObject", "listOrg", "listPerson",
                          "listPlace", "listRelation", "listAnnotation", "castGroup", "argument"})
#: The agencies of a ``publicationStmt``: its details follow the first one.
AGENCIES = frozenset({"publisher", "distributor", "authority"})

#: ``model.divTop``/``model.divBottom`` members: allowed before, or after, a division's content only.
DIV_TOP = frozenset({"address", "argument", "byline", "dateline", "docAuthor", "docDate", "epigraph", "head",
                     "meeting", "opener", "salute", "signed"})
DIV_BOTTOM = frozenset({"address", "argument", "byline", "closer", "dateline", "docAuthor", "docDate", "epigraph",
                        "meeting", "postscript", "salute", "signed", "trailer"})
#: ``model.global``: allowed anywhere between blocks.
GLOBAL = frozenset({"addSpan", "alt", "altGrp", "anchor", "app", "cb", "certainty", "damageSpan", "delSpan",
                    "ellipsis", "fLib", "figure", "fs", "fvLib", "fw", "gap", "gb", "incident", "index", "interp",
                    "interpGrp", "join", "joinGrp", "kinesic", "lb", "link", "linkGrp", "listTranspose", "metamark",
                    "milestone", "notatedMusic", "note", "noteGrp", "pause", "pb", "precision", "respons", "shift",
                    "space", "span", "spanGrp", "substJoin", "timeline", "vocal", "witDetail", "writing"})
#: Divisions and their containers (where openers and closers are checked), and elements holding blocks.
#: The elements whose ``@type`` takes only the values ``tei_all`` lists (a ``@subtype`` without ``@type`` cannot be
#: moved there).
CLOSED_TYPE = frozenset({"castItem", "classSpec", "constitution", "factuality", "interaction", "recording", "tag",
                         "valList"})
CONTAINERS = frozenset({"body", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "back", "front"})
BLOCKISH = frozenset({"p", "ab", "lg", "list", "table", "quote", "q", "cit", "sp", "div", "floatingText", "listBibl",
                      "eg", "figure", "castList", "stage", "l"})


# ---------------------------------------------------------------------------------------------------- schema table
# Generated from tei_all.rng (TEI P5 4.12.0) by tests/tei_validate.py:allowed_attributes; tests/test_tei_foreign.py
# checks it against the schema. The attributes every one of these elements allows:
ATT_GLOBAL = frozenset(("ana cert change copyOf corresp exclude facs n next prev rend rendition resp sameAs select "
                        "source style synch xml:base xml:id xml:lang xml:space").split())
#: The elements whose ``@when``, ``@notBefore``, ``@notAfter``, ``@from`` and ``@to`` are W3C dates or times
#: (att.datable.w3c); elsewhere ``@from``/``@to`` are pointers (``app``, ``span``, ``arc``, ``rt``) or pages
#: (``locus``, ``biblScope``, ``citedRange``). tests/tei_validate.py:datable_elements.
DATABLE_ELEMENTS = frozenset((
    "acquisition affiliation age altIdentifier application author binding birth bloc change climate conversion "
    "country creation custEvent date death district docDate editor education event eventName faith floruit funder "
    "gender geogFeat geogName idno langKnowledge langKnown licence localProp location mapping meeting name "
    "nationality objectName occupation offset org orgName origDate origPlace origin persName persPronouns person "
    "place placeName population post precision principal provenance region relation residence resp seal settlement "
    "sex socecStatus sponsor stamp state terrain time title trait unicodeProp unihanProp unitDecl unitDef"
).split())
#: The attributes ``tei_all`` allows on common elements besides :data:`ATT_GLOBAL`.
ATTS: dict[str, str] = {
    "ab": "decls generatedBy hand part subtype type",
    "abbr": "generatedBy subtype type",
    "abstract": "",
    "accMat": "subtype type",
    "acquisition": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                    "notBefore notBefore-custom notBefore-iso period to to-custom to-iso when when-custom when-iso"),
    "activity": "",
    "actor": "gender key perf ref sex",
    "add": ("atLeast atMost cause confidence evidence extent generatedBy hand instant max min place precision "
            "quantity scope seq status subtype type unit"),
    "additional": "",
    "additions": "",
    "addName": "full generatedBy key nymRef ref role sort subtype type",
    "address": "generatedBy key ref role subtype type",
    "addrLine": "",
    "addSpan": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq spanTo status subtype type unit"),
    "adminInfo": "",
    "affiliation": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant key notAfter "
                    "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                    "subtype to to-custom to-iso type when when-custom when-iso"),
    "age": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso instant "
            "max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso period precision "
            "quantity scope subtype to to-custom to-iso type unit value when when-custom when-iso"),
    "alt": "evaluate generatedBy mode subtype target targetLang type weights",
    "alternate": "maxOccurs minOccurs",
    "altGrp": "domains evaluate generatedBy mode subtype target targetLang targFunc type",
    "altIdent": "subtype type",
    "altIdentifier": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                      "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type when "
                      "when-custom when-iso"),
    "am": "evidence instant subtype type",
    "analytic": "",
    "anchor": "generatedBy subtype type",
    "annotation": "evaluate motivation target targetLang",
    "annotationBlock": "dur dur-iso end start who",
    "anyElement": "except maxOccurs minOccurs require",
    "app": "from loc subtype to type",
    "appInfo": "",
    "application": ("datingMethod datingPoint from from-custom from-iso ident notAfter notAfter-custom notAfter-iso "
                    "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type version when "
                    "when-custom when-iso"),
    "arc": "from to",
    "argument": "generatedBy",
    "att": "scheme",
    "attDef": "ident mode module ns predeclare usage validUntil",
    "attList": "org",
    "attRef": "class key name",
    "author": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso nymRef period ref role to to-custom to-iso when when-custom "
               "when-iso"),
    "authority": "key ref",
    "availability": "default status",
    "back": "decls",
    "bibl": "default generatedBy key ref sortKey status subtype type",
    "biblFull": "default generatedBy key ref sortKey status",
    "biblScope": "from to unit",
    "biblStruct": "default generatedBy key ref sortKey status subtype type",
    "bicond": "",
    "binary": "datcat targetDatcat value valueDatcat",
    "binaryObject": "dur dur-iso encoding end generatedBy height mimeType scale start subtype type width",
    "binding": ("contemporary datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso period to to-custom to-iso when when-custom "
                "when-iso"),
    "bindingDesc": "",
    "birth": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso instant "
              "key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef "
              "period precision quantity ref role scope subtype to to-custom to-iso type unit when when-custom "
              "when-iso where"),
    "bloc": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
             "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
             "to-iso type when when-custom when-iso"),
    "body": "decls",
    "broadcast": "default",
    "byline": "generatedBy",
    "c": "datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "caesura": "",
    "calendar": "evaluate subtype target targetLang type",
    "calendarDesc": "",
    "camera": "perf subtype type",
    "caption": "perf",
    "case": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "castGroup": "perf",
    "castItem": "perf subtype type",
    "castList": "perf",
    "catchwords": "",
    "catDesc": "key ref",
    "category": "datcat targetDatcat valueDatcat",
    "catRef": "evaluate scheme target targetLang",
    "cb": "break ed edRef generatedBy spanTo subtype type",
    "cell": "cols role rows",
    "certainty": "assertedValue degree given locus match subtype target type",
    "change": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
               "notBefore-custom notBefore-iso period status subtype target to to-custom to-iso type when "
               "when-custom when-iso who"),
    "channel": "mode",
    "char": "",
    "charDecl": "",
    "choice": "generatedBy",
    "cit": "generatedBy subtype type",
    "citeData": "property use",
    "citedRange": "evaluate from target targetLang to unit",
    "citeStructure": "delim match unit use",
    "cl": "datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "classCode": "scheme",
    "classDecl": "",
    "classes": "mode",
    "classRef": "except expand include key maxOccurs minOccurs",
    "classSpec": "generate ident mode module predeclare subtype type validUntil",
    "climate": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant key notAfter "
                "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                "subtype to to-custom to-iso type when when-custom when-iso"),
    "closer": "generatedBy hand",
    "code": "lang",
    "collation": "",
    "collection": "key nymRef ref role subtype type",
    "colloc": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "colophon": "defective",
    "cond": "",
    "condition": "",
    "constitution": "subtype type",
    "constraint": "",
    "constraintDecl": "queryBinding scheme",
    "constraintSpec": "ident mode module predeclare scheme subtype type validUntil",
    "content": "autoPrefix",
    "conversion": ("datingMethod datingPoint formula from from-custom from-iso fromUnit notAfter notAfter-custom "
                   "notAfter-iso notBefore notBefore-custom notBefore-iso period to to-custom to-iso toUnit when "
                   "when-custom when-iso where"),
    "corr": "evidence generatedBy instant subtype type",
    "correction": "default method status",
    "correspAction": "sortKey subtype type",
    "correspContext": "",
    "correspDesc": "default key ref subtype type",
    "country": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                "to-iso type when when-custom when-iso"),
    "creation": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
                 "notBefore-custom notBefore-iso period to to-custom to-iso when when-custom when-iso"),
    "cRefPattern": "matchPattern replacementPattern",
    "custEvent": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                  "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type when when-custom "
                  "when-iso"),
    "custodialHist": "",
    "damage": ("agent atLeast atMost confidence degree extent group hand max min precision quantity scope subtype "
               "type unit"),
    "damageSpan": ("agent atLeast atMost confidence degree extent group hand max min precision quantity scope spanTo "
                   "subtype type unit"),
    "dataFacet": "name value",
    "dataRef": "key name ref restriction",
    "dataSpec": "ident mode module predeclare validUntil",
    "datatype": "maxOccurs minOccurs",
    "date": ("atLeast atMost calendar confidence datingMethod datingPoint dur dur-iso evidence extent from "
             "from-custom from-iso generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period precision quantity ref scope subtype to to-custom to-iso type "
             "unit when when-custom when-iso"),
    "dateline": "generatedBy hand",
    "death": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso instant "
              "key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef "
              "period precision quantity ref role scope subtype to to-custom to-iso type unit when when-custom "
              "when-iso where"),
    "decoDesc": "",
    "decoNote": "subtype type",
    "def": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "default": "",
    "defaultVal": "mode validUntil",
    "del": ("atLeast atMost cause confidence evidence extent generatedBy hand instant max min place precision "
            "quantity scope seq status subtype type unit"),
    "delSpan": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq spanTo status subtype type unit"),
    "depth": "atLeast atMost confidence extent max min precision quantity scope unit",
    "derivation": "subtype type",
    "desc": "generatedBy subtype type versionDate",
    "dictScrap": "",
    "dim": "atLeast atMost confidence extent max min precision quantity scope subtype type unit",
    "dimensions": "atLeast atMost confidence extent max min precision quantity scope subtype type unit",
    "distinct": "generatedBy social space subtype time type",
    "distributor": "key ref",
    "district": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                 "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                 "to-iso type when when-custom when-iso"),
    "div": "decls hand met org part place real rhyme sample subtype type",
    "div1": "decls met org part real rhyme sample subtype type",
    "div2": "decls met org part real rhyme sample subtype type",
    "div3": "decls met org part real rhyme sample subtype type",
    "div4": "decls met org part real rhyme sample subtype type",
    "div5": "decls met org part real rhyme sample subtype type",
    "div6": "decls met org part real rhyme sample subtype type",
    "div7": "decls met org part real rhyme sample subtype type",
    "divGen": "subtype type",
    "docAuthor": "generatedBy key ref",
    "docDate": ("calendar datingMethod datingPoint from from-custom from-iso generatedBy notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso period to to-custom to-iso when when-custom "
                "when-iso"),
    "docEdition": "",
    "docImprint": "",
    "docTitle": "key ref",
    "domain": "subtype type",
    "edition": "",
    "editionStmt": "",
    "editor": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso nymRef period ref role to to-custom to-iso when when-custom "
               "when-iso"),
    "editorialDecl": "default",
    "education": ("datingMethod datingPoint evidence from from-custom from-iso instant key notAfter notAfter-custom "
                  "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                  "to-iso type when when-custom when-iso"),
    "eg": "",
    "eLeaf": "subtype type value",
    "elementRef": "key maxOccurs minOccurs",
    "elementSpec": "ident mode module ns predeclare prefix validUntil",
    "ellipsis": "atLeast atMost confidence dur dur-iso end extent max min precision quantity scope start unit",
    "email": "generatedBy",
    "emph": "generatedBy hand",
    "empty": "",
    "encodingDesc": "",
    "entry": "sortKey subtype type",
    "entryFree": ("datcat expand location mergedIn norm opt orig sortKey split subtype targetDatcat type value "
                  "valueDatcat"),
    "epigraph": "generatedBy",
    "epilogue": "",
    "equipment": "default",
    "equiv": "filter mimeType name predicate uri",
    "eTree": "subtype type value",
    "etym": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "event": ("datingMethod datingPoint evidence from from-custom from-iso instant key notAfter notAfter-custom "
              "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sortKey subtype to "
              "to-custom to-iso type when when-custom when-iso where"),
    "eventName": ("datingMethod datingPoint evidence from from-custom from-iso full instant key notAfter "
                  "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                  "subtype to to-custom to-iso type when when-custom when-iso"),
    "ex": "atLeast atMost confidence evidence extent instant max min precision quantity scope unit",
    "exemplum": "subtype type versionDate",
    "expan": "evidence generatedBy instant",
    "explicit": "defective subtype type",
    "extent": "",
    "f": "datcat fVal name targetDatcat valueDatcat",
    "facsimile": "decls",
    "factuality": "subtype type",
    "faith": ("datingMethod datingPoint evidence from from-custom from-iso instant key notAfter notAfter-custom "
              "notAfter-iso notBefore notBefore-custom notBefore-iso period ref subtype to to-custom to-iso type "
              "when when-custom when-iso"),
    "fDecl": "datcat name optional targetDatcat valueDatcat",
    "fDescr": "",
    "figDesc": "",
    "figure": "generatedBy hand place subtype type",
    "fileDesc": "",
    "filiation": "subtype type",
    "finalRubric": "defective subtype type",
    "fLib": "generatedBy",
    "floatingText": "decls generatedBy subtype type",
    "floruit": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso "
                "instant max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso "
                "period precision quantity scope to to-custom to-iso unit when when-custom when-iso"),
    "foliation": "",
    "foreign": "generatedBy",
    "forename": "full generatedBy key nymRef ref role sort subtype type",
    "forest": "subtype type",
    "form": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "formula": "generatedBy notation",
    "front": "decls",
    "fs": "datcat feats generatedBy targetDatcat type valueDatcat",
    "fsConstraints": "",
    "fsdDecl": "",
    "fsDecl": "baseTypes datcat targetDatcat type valueDatcat",
    "fsDescr": "",
    "fsdLink": "target type",
    "funder": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "fvLib": "generatedBy",
    "fw": "hand place subtype type",
    "g": "ref subtype type",
    "gap": ("agent atLeast atMost confidence dur dur-iso end evidence extent generatedBy instant max min precision "
            "quantity reason scope start unit"),
    "gb": "break ed edRef generatedBy spanTo subtype type",
    "gen": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "gender": ("datingMethod datingPoint evidence from from-custom from-iso instant notAfter notAfter-custom "
               "notAfter-iso notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type value "
               "when when-custom when-iso"),
    "genName": "full generatedBy key nymRef ref role sort subtype type",
    "geo": "decls generatedBy",
    "geoDecl": "datum default",
    "geogFeat": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso "
                 "generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom "
                 "notBefore-iso nymRef period precision quantity ref role scope subtype to to-custom to-iso type "
                 "unit when when-custom when-iso"),
    "geogName": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant key notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                 "subtype to to-custom to-iso type when when-custom when-iso"),
    "gi": "scheme",
    "gloss": "cRef decls evaluate generatedBy place subtype target targetLang type versionDate",
    "glyph": "",
    "gram": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "gramGrp": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "graph": "order size subtype type",
    "graphic": "decls generatedBy height mimeType scale subtype type url width",
    "group": "decls subtype type",
    "handDesc": "hands",
    "handNote": "medium scope scribe scribeRef script scriptRef",
    "handNotes": "",
    "handShift": "medium new scope scribe scribeRef script scriptRef",
    "head": "generatedBy hand place subtype type",
    "headItem": "",
    "headLabel": "",
    "height": "atLeast atMost confidence extent max min precision quantity scope unit",
    "heraldry": "",
    "hi": "generatedBy hand",
    "history": "",
    "hom": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "hyph": "datcat expand location mergedIn norm notation opt orig split targetDatcat value valueDatcat",
    "hyphenation": "default eol",
    "ident": "subtype type",
    "idno": ("datingMethod datingPoint from from-custom from-iso generatedBy notAfter notAfter-custom notAfter-iso "
             "notBefore notBefore-custom notBefore-iso period sortKey subtype to to-custom to-iso type when "
             "when-custom when-iso"),
    "if": "",
    "iff": "",
    "imprimatur": "",
    "imprint": "",
    "incident": "dur dur-iso end generatedBy start subtype type who",
    "incipit": "defective subtype type",
    "index": "generatedBy indexName spanTo",
    "iNode": "children follow ord outDegree parent value",
    "institution": "key nymRef ref role",
    "interaction": "active passive subtype type",
    "interleave": "maxOccurs minOccurs",
    "interp": "generatedBy inst subtype type",
    "interpGrp": "generatedBy inst subtype type",
    "interpretation": "default",
    "item": "sortKey",
    "iType": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "join": "evaluate generatedBy result scope subtype target targetLang type",
    "joinGrp": "domains evaluate generatedBy result subtype target targetLang targFunc type",
    "keywords": "scheme",
    "kinesic": "dur dur-iso end generatedBy iterated start subtype toWhom type who",
    "l": "enjamb generatedBy met part real rhyme",
    "label": "generatedBy hand place subtype type",
    "lacunaEnd": "wit",
    "lacunaStart": "wit",
    "lang": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "langKnowledge": ("datingMethod datingPoint evidence from from-custom from-iso instant notAfter notAfter-custom "
                      "notAfter-iso notBefore notBefore-custom notBefore-iso period subtype tags to to-custom to-iso "
                      "type when when-custom when-iso"),
    "langKnown": ("datingMethod datingPoint evidence from from-custom from-iso instant level notAfter "
                  "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso period tag to to-custom "
                  "to-iso when when-custom when-iso"),
    "language": "ident scope usage",
    "langUsage": "default",
    "layout": "columns ruledLines streams writtenLines",
    "layoutDesc": "",
    "lb": "break ed edRef generatedBy spanTo subtype type",
    "lbl": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "leaf": "follow parent value",
    "lem": "cause hand require subtype type varSeq wit",
    "lg": "decls generatedBy met org part real rhyme sample subtype type",
    "licence": ("datingMethod datingPoint evaluate from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period target targetLang to to-custom to-iso when "
                "when-custom when-iso"),
    "line": "hand lrx lry points start subtype type ulx uly",
    "link": "evaluate generatedBy subtype target targetLang type",
    "linkGrp": "domains evaluate generatedBy subtype target targetLang targFunc type",
    "list": "generatedBy sortKey subtype type",
    "listAnnotation": "decls notation subtype type",
    "listApp": "default sortKey subtype type",
    "listBibl": "default generatedBy sortKey subtype type",
    "listChange": "ordered sortKey subtype type",
    "listEvent": "default generatedBy sortKey subtype type",
    "listForest": "subtype type",
    "listNym": "default generatedBy sortKey subtype type",
    "listObject": "default generatedBy sortKey subtype type",
    "listOrg": "default generatedBy sortKey subtype type",
    "listPerson": "default generatedBy sortKey subtype type",
    "listPlace": "default generatedBy sortKey subtype type",
    "listPrefixDef": "",
    "listRef": "subtype type",
    "listRelation": "generatedBy sortKey subtype type",
    "listTranspose": "",
    "listWit": "sortKey",
    "locale": "",
    "localProp": ("datingMethod datingPoint from from-custom from-iso name notAfter notAfter-custom notAfter-iso "
                  "notBefore notBefore-custom notBefore-iso period scheme to to-custom to-iso value version when "
                  "when-custom when-iso"),
    "location": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso period subtype to to-custom "
                 "to-iso type when when-custom when-iso"),
    "locus": "evaluate from scheme subtype target targetLang to type",
    "locusGrp": "scheme",
    "m": "baseForm datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "macroRef": "key",
    "macroSpec": "ident mode module predeclare validUntil",
    "mapping": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
                "notBefore-custom notBefore-iso period subtype to to-custom to-iso type when when-custom when-iso"),
    "material": "function key ref subtype target type",
    "measure": "atLeast atMost commodity confidence generatedBy max min quantity subtype type unit unitRef",
    "measureGrp": "commodity generatedBy quantity subtype type unit unitRef",
    "media": "decls dur dur-iso end generatedBy height mimeType scale start subtype type url width",
    "meeting": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when "
                "when-custom when-iso"),
    "memberOf": "key max min mode",
    "mentioned": "generatedBy",
    "metamark": "function place spanTo target",
    "metDecl": "default pattern type",
    "metSym": "terminal value",
    "milestone": "break ed edRef generatedBy spanTo subtype type unit",
    "mod": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope seq "
            "spanTo status subtype type unit"),
    "model": "behaviour cssClass output predicate useSourceRendition",
    "modelGrp": "output useSourceRendition",
    "modelSequence": "output predicate useSourceRendition",
    "moduleRef": "except include key prefix url",
    "moduleSpec": "ident mode module predeclare subtype type validUntil",
    "monogr": "",
    "mood": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "move": "perf subtype toWhom type where who",
    "msContents": "class defective",
    "msDesc": "decls sortKey status subtype type",
    "msFrag": "subtype type",
    "msIdentifier": "",
    "msItem": "class defective",
    "msItemStruct": "class defective",
    "msName": "subtype type",
    "msPart": "subtype type",
    "musicNotation": "",
    "name": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
             "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
             "subtype to to-custom to-iso type when when-custom when-iso"),
    "nameLink": "generatedBy subtype type",
    "namespace": "name",
    "nationality": ("datingMethod datingPoint evidence from from-custom from-iso instant key notAfter "
                    "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                    "subtype to to-custom to-iso type when when-custom when-iso"),
    "node": "adj adjFrom adjTo degree inDegree outDegree subtype type value",
    "normalization": "default method",
    "notatedMusic": "generatedBy place subtype type",
    "note": "anchored evaluate generatedBy hand place subtype target targetEnd targetLang type",
    "noteGrp": "anchored evaluate generatedBy hand place subtype target targetEnd targetLang type",
    "notesStmt": "",
    "num": "atLeast atMost confidence generatedBy max min subtype type value",
    "number": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "numeric": "datcat max targetDatcat trunc value valueDatcat",
    "nym": "parts sortKey subtype type",
    "object": "decls key ref sortKey status subtype type",
    "objectDesc": "form",
    "objectIdentifier": "",
    "objectName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key "
                   "notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref "
                   "role sort subtype to to-custom to-iso type when when-custom when-iso"),
    "objectType": "key ref",
    "occupation": ("code datingMethod datingPoint evidence from from-custom from-iso instant key notAfter "
                   "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                   "scheme subtype to to-custom to-iso type when when-custom when-iso"),
    "offset": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso "
               "generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom "
               "notBefore-iso nymRef period precision quantity ref role scope subtype to to-custom to-iso type unit "
               "when when-custom when-iso"),
    "opener": "generatedBy hand",
    "oRef": ("datcat evaluate expand location mergedIn norm notation opt orig split subtype target targetDatcat "
             "targetLang type value valueDatcat"),
    "org": ("datingMethod datingPoint evidence from from-custom from-iso instant notAfter notAfter-custom "
            "notAfter-iso notBefore notBefore-custom notBefore-iso period role sortKey subtype to to-custom to-iso "
            "type when when-custom when-iso"),
    "orgName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                "subtype to to-custom to-iso type when when-custom when-iso"),
    "orig": "generatedBy",
    "origDate": ("atLeast atMost calendar confidence datingMethod datingPoint evidence extent from from-custom "
                 "from-iso instant max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom "
                 "notBefore-iso period precision quantity scope subtype to to-custom to-iso type unit when "
                 "when-custom when-iso"),
    "origin": ("datingMethod datingPoint evidence from from-custom from-iso instant notAfter notAfter-custom "
               "notAfter-iso notBefore notBefore-custom notBefore-iso period to to-custom to-iso when when-custom "
               "when-iso"),
    "origPlace": ("datingMethod datingPoint evidence from from-custom from-iso instant key notAfter notAfter-custom "
                  "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                  "to-iso type when when-custom when-iso"),
    "orth": ("datcat expand extent location mergedIn norm notation opt orig split subtype targetDatcat type value "
             "valueDatcat"),
    "outputRendition": "scope",
    "p": "decls generatedBy hand part",
    "param": "name value",
    "paramList": "",
    "paramSpec": "ident mode module predeclare validUntil",
    "particDesc": "default",
    "path": "hand lrx lry points start subtype type ulx uly",
    "pause": "dur dur-iso end generatedBy start subtype toWhom type who",
    "pb": "break ed edRef generatedBy spanTo subtype type",
    "pc": ("datcat force function generatedBy join lemma lemmaRef met msd norm orig part pos pre real rhyme subtype "
           "targetDatcat type unit valueDatcat"),
    "per": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "performance": "",
    "persName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                 "subtype to to-custom to-iso type when when-custom when-iso"),
    "person": ("age datingMethod datingPoint evidence from from-custom from-iso gender instant notAfter "
               "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso period role sex sortKey to "
               "to-custom to-iso when when-custom when-iso"),
    "persona": "age evidence gender instant role sex sortKey",
    "personGrp": "age gender role sex size sortKey",
    "persPronouns": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy notAfter "
                     "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso period subtype to "
                     "to-custom to-iso type value when when-custom when-iso"),
    "phr": "datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "physDesc": "",
    "place": ("datingMethod datingPoint evidence from from-custom from-iso instant notAfter notAfter-custom "
              "notAfter-iso notBefore notBefore-custom notBefore-iso period sortKey subtype to to-custom to-iso type "
              "when when-custom when-iso"),
    "placeName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                  "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                  "subtype to to-custom to-iso type when when-custom when-iso"),
    "population": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso "
                   "generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom "
                   "notBefore-iso nymRef period precision quantity ref role scope subtype to to-custom to-iso type "
                   "unit when when-custom when-iso"),
    "pos": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "post": ("datingMethod datingPoint dur dur-iso end from from-custom from-iso generatedBy indentLevel key "
             "modality notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso part period "
             "ref replyTo start status subtype to to-custom to-iso type when when-custom when-iso who"),
    "postBox": "",
    "postCode": "",
    "postscript": "generatedBy hand place",
    "precision": ("atLeast atMost confidence datingMethod datingPoint from from-custom from-iso match max min "
                  "notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso period precision "
                  "stdDeviation target to to-custom to-iso when when-custom when-iso"),
    "pRef": ("datcat evaluate expand location mergedIn norm notation opt orig split target targetDatcat targetLang "
             "value valueDatcat"),
    "prefixDef": "ident matchPattern replacementPattern",
    "preparedness": "subtype type",
    "principal": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                  "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "profileDesc": "",
    "projectDesc": "default",
    "prologue": "",
    "pron": ("datcat expand extent location mergedIn norm notation opt orig split subtype targetDatcat type value "
             "valueDatcat"),
    "provenance": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                   "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type when "
                   "when-custom when-iso"),
    "ptr": "cRef decls evaluate generatedBy mimeType subtype target targetLang type",
    "publicationStmt": "",
    "publisher": "key ref",
    "pubPlace": "key nymRef ref role",
    "punctuation": "default marks placement",
    "purpose": "degree subtype type",
    "q": "generatedBy subtype toWhom type who",
    "quotation": "default marks",
    "quote": "defective generatedBy notation subtype type",
    "rb": "subtype type",
    "rdg": "cause hand require subtype type varSeq wit",
    "rdgGrp": "cause hand require subtype type varSeq",
    "recordHist": "",
    "recording": "default dur dur-iso subtype type",
    "recordingStmt": "",
    "redo": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
             "seq spanTo status target unit"),
    "ref": "cRef decls evaluate generatedBy mimeType subtype target targetLang type",
    "refsDecl": "default",
    "refState": "delim ed edRef length unit",
    "reg": "evidence generatedBy instant subtype type",
    "region": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
               "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
               "to-iso type when when-custom when-iso"),
    "relatedItem": "subtype target type",
    "relation": ("active datingMethod datingPoint evidence from from-custom from-iso instant key mutual name "
                 "notAfter notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso passive period ref "
                 "sortKey subtype to to-custom to-iso type when when-custom when-iso"),
    "remarks": "ident mode validUntil versionDate",
    "rendition": "scheme schemeVersion scope selector",
    "repository": "key nymRef ref role",
    "residence": ("datingMethod datingPoint evidence from from-custom from-iso instant key notAfter notAfter-custom "
                  "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                  "to-iso type when when-custom when-iso"),
    "resp": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "respons": "locus match target",
    "respStmt": "key ref",
    "restore": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq status subtype type unit"),
    "retrace": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq spanTo status unit"),
    "revisionDesc": "status",
    "rhyme": "label subtype type",
    "role": "gender perf",
    "roleDesc": "",
    "roleName": "full generatedBy key nymRef ref role sort subtype type",
    "root": "children ord outDegree value",
    "row": "cols role rows",
    "rs": "generatedBy key nymRef ref role subtype type",
    "rt": "cause evidence from hand instant place seq status subtype target to type",
    "rubric": "defective subtype type",
    "ruby": "generatedBy subtype type",
    "s": "datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "said": "aloud direct generatedBy toWhom who",
    "salute": "generatedBy hand",
    "samplingDecl": "default",
    "schemaRef": "key subtype type url",
    "schemaSpec": "defaultExceptions docLang ident mode module ns predeclare prefix start status targetLang validUntil",
    "scriptDesc": "",
    "scriptNote": "medium scope scribe scribeRef script scriptRef",
    "scriptStmt": "default",
    "seal": ("contemporary datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso "
             "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type when when-custom "
             "when-iso"),
    "sealDesc": "",
    "secFol": "",
    "secl": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "seg": "datcat function generatedBy hand met notation part real rhyme subtype targetDatcat type valueDatcat",
    "segmentation": "default",
    "sense": "datcat expand level location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "sequence": "maxOccurs minOccurs preserveOrder",
    "series": "",
    "seriesStmt": "default",
    "set": "",
    "setting": "who",
    "settingDesc": "default",
    "settlement": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                   "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to "
                   "to-custom to-iso type when when-custom when-iso"),
    "sex": ("datingMethod datingPoint evidence from from-custom from-iso instant notAfter notAfter-custom "
            "notAfter-iso notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type value "
            "when when-custom when-iso"),
    "shift": "feature generatedBy new who",
    "sic": "generatedBy",
    "signatures": "",
    "signed": "generatedBy hand",
    "soCalled": "generatedBy",
    "socecStatus": ("code datingMethod datingPoint evidence from from-custom from-iso instant key notAfter "
                    "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                    "scheme subtype to to-custom to-iso type when when-custom when-iso"),
    "sound": "discrete perf subtype type",
    "source": "",
    "sourceDesc": "default",
    "sourceDoc": "decls",
    "sp": "hand place toWhom who",
    "space": "atLeast atMost confidence dim extent max min precision quantity scope subtype type unit",
    "span": "evaluate from generatedBy inst subtype target targetLang to type",
    "spanGrp": "generatedBy inst subtype type",
    "speaker": "hand place",
    "specDesc": "atts key",
    "specGrp": "",
    "specGrpRef": "target",
    "specList": "",
    "spGrp": "met org part real rhyme sample subtype toWhom type who",
    "sponsor": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "stage": "generatedBy hand perf place toWhom type who",
    "stamp": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
              "notBefore-custom notBefore-iso period subtype to to-custom to-iso type when when-custom when-iso"),
    "standOff": "decls subtype type",
    "state": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso "
              "generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom "
              "notBefore-iso nymRef period precision quantity ref role scope subtype to to-custom to-iso type unit "
              "when when-custom when-iso"),
    "stdVals": "default",
    "street": "",
    "stress": "notation",
    "string": "datcat targetDatcat valueDatcat",
    "styleDefDecl": "default scheme schemeVersion",
    "subc": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "subst": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
              "seq status unit"),
    "substJoin": ("atLeast atMost cause confidence evaluate evidence extent hand instant max min place precision "
                  "quantity scope seq status target targetLang unit"),
    "summary": "",
    "superEntry": "sortKey subtype type",
    "supplied": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "support": "",
    "supportDesc": "material",
    "surface": "attachment decls flipping lrx lry points start subtype type ulx uly",
    "surfaceGrp": "decls subtype type",
    "surname": "full generatedBy key nymRef ref role sort subtype type",
    "surplus": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "surrogates": "",
    "syll": "datcat expand location mergedIn norm notation opt orig split targetDatcat value valueDatcat",
    "symbol": "datcat targetDatcat value valueDatcat",
    "table": "cols generatedBy rows subtype type",
    "tag": "scheme subtype type",
    "tagsDecl": "partial",
    "tagUsage": "datcat gi occurs targetDatcat valueDatcat withId",
    "taxonomy": "datcat targetDatcat valueDatcat",
    "tech": "perf subtype type",
    "TEI": "subtype type version",
    "teiCorpus": "subtype type version",
    "teiHeader": "",
    "term": "cRef decls evaluate generatedBy key ref sortKey subtype target targetLang type",
    "terrain": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant key notAfter "
                "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                "subtype to to-custom to-iso type when when-custom when-iso"),
    "text": "decls hand subtype type",
    "textClass": "default",
    "textDesc": "default",
    "textLang": "mainLang otherLangs",
    "textNode": "",
    "then": "",
    "time": ("atLeast atMost calendar confidence datingMethod datingPoint dur dur-iso evidence extent from "
             "from-custom from-iso generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period precision quantity ref scope subtype to to-custom to-iso type "
             "unit when when-custom when-iso"),
    "timeline": "generatedBy interval origin unit",
    "title": ("datingMethod datingPoint from from-custom from-iso generatedBy key level notAfter notAfter-custom "
              "notAfter-iso notBefore notBefore-custom notBefore-iso period ref subtype to to-custom to-iso type "
              "when when-custom when-iso"),
    "titlePage": "subtype type",
    "titlePart": "subtype type",
    "titleStmt": "",
    "tns": "datcat expand location mergedIn norm opt orig split targetDatcat value valueDatcat",
    "trailer": "generatedBy hand place subtype type",
    "trait": ("atLeast atMost confidence datingMethod datingPoint evidence extent from from-custom from-iso "
              "generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore notBefore-custom "
              "notBefore-iso nymRef period precision quantity ref role scope subtype to to-custom to-iso type unit "
              "when when-custom when-iso"),
    "transcriptionDesc": "ident version",
    "transpose": "",
    "tree": "arity ord order",
    "triangle": "value",
    "typeDesc": "",
    "typeNote": "medium scope scribe scribeRef script scriptRef",
    "u": "decls dur dur-iso end notation start toWhom trans who",
    "unclear": ("agent atLeast atMost confidence evidence extent generatedBy instant max min precision quantity "
                "reason scope unit"),
    "undo": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
             "seq spanTo status target unit"),
    "unicodeProp": ("datingMethod datingPoint from from-custom from-iso name notAfter notAfter-custom notAfter-iso "
                    "notBefore notBefore-custom notBefore-iso period scheme to to-custom to-iso value version when "
                    "when-custom when-iso"),
    "unihanProp": ("datingMethod datingPoint from from-custom from-iso name notAfter notAfter-custom notAfter-iso "
                   "notBefore notBefore-custom notBefore-iso period scheme to to-custom to-iso value version when "
                   "when-custom when-iso"),
    "unit": "commodity generatedBy quantity subtype type unit unitRef",
    "unitDecl": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                 "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "unitDef": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period ref subtype to to-custom to-iso type when "
                "when-custom when-iso"),
    "usg": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "val": "",
    "valDesc": "mode validUntil versionDate",
    "valItem": "ident mode validUntil",
    "valList": "mode type validUntil",
    "vAlt": "",
    "variantEncoding": "location method",
    "vColl": "org",
    "vDefault": "",
    "view": "perf",
    "vLabel": "name",
    "vMerge": "org",
    "vNot": "",
    "vocal": "dur dur-iso end generatedBy iterated start subtype toWhom type who",
    "vRange": "",
    "w": ("datcat function generatedBy join lemma lemmaRef met msd norm notation orig part pos real rhyme subtype "
          "targetDatcat type valueDatcat"),
    "watermark": "",
    "when": "absolute interval since unit",
    "width": "atLeast atMost confidence extent max min precision quantity scope unit",
    "wit": "wit",
    "witDetail": "evaluate place subtype target targetLang type wit",
    "witEnd": "wit",
    "witness": "sortKey",
    "witStart": "wit",
    "writing": "dur dur-iso end generatedBy gradual start subtype toWhom type who",
    "xenoData": "default subtype type",
    "xr": "datcat expand location mergedIn norm opt orig split subtype targetDatcat type value valueDatcat",
    "zone": "hand lrx lry points rotate start subtype type ulx uly",
}
#: The TEI Examples namespace (``egXML``), which ``xenoData`` may not hold either.
TEI_EXAMPLES = "http://www.tei-c.org/ns/Examples"
#: Header parts ``tei_all`` lets be absent, by their parent (None: any child of it): where a part that docpipe
#: left empty (its only content, of another namespace, moved to ``xenoData``) may be removed.
OPTIONAL_HEADER_PARTS: dict[str, frozenset[str] | None] = {
    "teiHeader": frozenset({"encodingDesc", "profileDesc", "xenoData", "revisionDesc"}),
    "fileDesc": frozenset({"editionStmt", "extent", "notesStmt", "seriesStmt"}),
    "profileDesc": None,
    "encodingDesc": None,
}
#: The attributes ``tei_all`` types as a plain ``boolean`` (``true``/``false``/``1``/``0``), each with the elements
#: it is so on (TEI P4 wrote ``yes``/``no``: ``<note anchored="yes">``); generated from ``tei_all.rng`` like
#: :data:`ATTS` and checked against it by tests/test_tei_fresh.py.
BOOLEAN_ATTRS: dict[str, frozenset[str]] = {
    "anchored": frozenset({"note", "noteGrp"}),
    "flipping": frozenset({"surface"}),
    "opt": frozenset(("case colloc def entryFree etym form gen gram gramGrp hom hyph iType lang lbl mood number oRef "
                      "orth pRef per pos pron sense subc syll tns usg xr").split()),
    "optional": frozenset({"fDecl"}),
    "ordered": frozenset({"listChange"}),
    "partial": frozenset({"tagsDecl"}),
    "pre": frozenset({"pc"}),
    "predeclare": frozenset(("attDef classSpec constraintSpec dataSpec elementSpec macroSpec moduleSpec paramSpec "
                             "schemaSpec").split()),
    "preserveOrder": frozenset({"sequence"}),
    "terminal": frozenset({"metSym"}),
    "trunc": frozenset({"numeric"}),
    "useSourceRendition": frozenset({"model", "modelGrp", "modelSequence"}),
    "value": frozenset({"binary"}),
}
#: The values of an ``xsd:boolean``.
BOOLEAN_VALUES = frozenset({"true", "false", "1", "0"})


def boolean_attr(element: str, attr: str) -> bool:
    """Whether ``tei_all`` types ``attr`` of ``element`` as a plain boolean."""
    return element in BOOLEAN_ATTRS.get(attr, frozenset())


#: Every element of ``tei_all``: one not in :data:`ATTS` is written as itself with the global attributes only.
TEI_ELEMENTS = frozenset("""
    ab abbr abstract accMat acquisition activity actor add additional additions addName address addrLine addSpan
    adminInfo affiliation age alt alternate altGrp altIdent altIdentifier am analytic anchor annotation
    annotationBlock anyElement app appInfo application arc argument att attDef attList attRef author authority
    availability back bibl biblFull biblScope biblStruct bicond binary binaryObject binding bindingDesc birth bloc
    body broadcast byline c caesura calendar calendarDesc camera caption case castGroup castItem castList catchwords
    catDesc category catRef cb cell certainty change channel char charDecl choice cit citeData citedRange
    citeStructure cl classCode classDecl classes classRef classSpec climate closer code collation collection colloc
    colophon cond condition constitution constraint constraintDecl constraintSpec content conversion corr correction
    correspAction correspContext correspDesc country creation cRefPattern custEvent custodialHist damage damageSpan
    dataFacet dataRef dataSpec datatype date dateline death decoDesc decoNote def default defaultVal del delSpan
    depth derivation desc dictScrap dim dimensions distinct distributor district div div1 div2 div3 div4 div5 div6
    div7 divGen docAuthor docDate docEdition docImprint docTitle domain edition editionStmt editor editorialDecl
    education eg eLeaf elementRef elementSpec ellipsis email emph empty encodingDesc entry entryFree epigraph
    epilogue equipment equiv eTree etym event eventName ex exemplum expan explicit extent f facsimile factuality
    faith fDecl fDescr figDesc figure fileDesc filiation finalRubric fLib floatingText floruit foliation foreign
    forename forest form formula front fs fsConstraints fsdDecl fsDecl fsDescr fsdLink funder fvLib fw g gap gb gen
    gender genName geo geoDecl geogFeat geogName gi gloss glyph gram gramGrp graph graphic group handDesc handNote
    handNotes handShift head headItem headLabel height heraldry hi history hom hyph hyphenation ident idno if iff
    imprimatur imprint incident incipit index iNode institution interaction interleave interp interpGrp
    interpretation item iType join joinGrp keywords kinesic l label lacunaEnd lacunaStart lang langKnowledge
    langKnown language langUsage layout layoutDesc lb lbl leaf lem lg licence line link linkGrp list listAnnotation
    listApp listBibl listChange listEvent listForest listNym listObject listOrg listPerson listPlace listPrefixDef
    listRef listRelation listTranspose listWit locale localProp location locus locusGrp m macroRef macroSpec mapping
    material measure measureGrp media meeting memberOf mentioned metamark metDecl metSym milestone mod model
    modelGrp modelSequence moduleRef moduleSpec monogr mood move msContents msDesc msFrag msIdentifier msItem
    msItemStruct msName msPart musicNotation name nameLink namespace nationality node normalization notatedMusic
    note noteGrp notesStmt num number numeric nym object objectDesc objectIdentifier objectName objectType
    occupation offset opener oRef org orgName orig origDate origin origPlace orth outputRendition p param paramList
    paramSpec particDesc path pause pb pc per performance persName person persona personGrp persPronouns phr
    physDesc place placeName population pos post postBox postCode postscript precision pRef prefixDef preparedness
    principal profileDesc projectDesc prologue pron provenance ptr publicationStmt publisher pubPlace punctuation
    purpose q quotation quote rb rdg rdgGrp recordHist recording recordingStmt redo ref refsDecl refState reg region
    relatedItem relation remarks rendition repository residence resp respons respStmt restore retrace revisionDesc
    rhyme role roleDesc roleName root row rs rt rubric ruby s said salute samplingDecl schemaRef schemaSpec
    scriptDesc scriptNote scriptStmt seal sealDesc secFol secl seg segmentation sense sequence series seriesStmt set
    setting settingDesc settlement sex shift sic signatures signed soCalled socecStatus sound source sourceDesc
    sourceDoc sp space span spanGrp speaker specDesc specGrp specGrpRef specList spGrp sponsor stage stamp standOff
    state stdVals street stress string styleDefDecl subc subst substJoin summary superEntry supplied support
    supportDesc surface surfaceGrp surname surplus surrogates syll symbol table tag tagsDecl tagUsage taxonomy tech
    TEI teiCorpus teiHeader term terrain text textClass textDesc textLang textNode then time timeline title
    titlePage titlePart titleStmt tns trailer trait transcriptionDesc transpose tree triangle typeDesc typeNote u
    unclear undo unicodeProp unihanProp unit unitDecl unitDef usg val valDesc valItem valList vAlt variantEncoding
    vColl vDefault view vLabel vMerge vNot vocal vRange w watermark when width wit witDetail witEnd witness witStart
    writing xenoData xr zone
""".split())


#: The elements ``tei_all`` allows in running text (``macro.paraContent``: what a ``p`` holds), read off
#: ``tei_all.rng``: an inline element of the source outside this set (a ``object`` or ``form`` moved into a
#: paragraph or note) is written as a ``seg`` that keeps its name and attributes in ``@rend``
#: (pipeline/writers/tei.py, after the ``head`` repairs).
PARA_CONTENT = frozenset("""
abbr add addName addSpan address affiliation alt altGrp am anchor app att bibl biblFull biblStruct binaryObject bloc
c caesura camera caption castList catchwords cb certainty choice cit cl classSpec climate code constraintSpec corr
country damage damageSpan dataSpec date del delSpan depth desc dim dimensions distinct district eg egXML elementSpec
ellipsis email emph eventName ex expan fLib figure floatingText foreign forename formula fs fvLib fw g gap gb
genName geo geogFeat geogName gi gloss graphic handShift height heraldry hi ident idno incident index interp
interpGrp join joinGrp kinesic l label lang lb lg link linkGrp list listApp listBibl listEvent listNym listObject
listOrg listPerson listPlace listRef listRelation listTranspose listWit location locus locusGrp m macroSpec material
measure measureGrp media mentioned metamark milestone mod moduleSpec move msDesc name nameLink notatedMusic note
noteGrp num oRef objectName objectType offset orgName orig origDate origPlace outputRendition pRef pause pb pc
persName persPronouns phr placeName population precision ptr q quote redo ref reg region respons restore retrace
rhyme roleName rs ruby s said secFol secl seg settlement shift sic signatures soCalled sound space span spanGrp
specDesc specGrp specGrpRef specList stage stamp state subst substJoin supplied surname surplus table tag tech term
terrain time timeline title trait unclear undo unit val view vocal w watermark width witDetail writing
""".split())

