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
#: ``ab/@type`` of a heading where tei_all allows no ``head`` (in a quotation, an item, a cell, after content).
HEADING_AB = "docpipe-heading"
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
                          "group", "list", "table", "figure", "lg", "listBibl", "castList", "spGrp"})
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
CONTAINERS = frozenset({"body", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "back", "front"})
BLOCKISH = frozenset({"p", "ab", "lg", "list", "table", "quote", "q", "cit", "sp", "div", "floatingText", "listBibl",
                      "eg", "figure", "castList", "stage", "l"})


# ---------------------------------------------------------------------------------------------------- schema table
# Generated from tei_all.rng (TEI P5 4.12.0) by tests/tei_validate.py:allowed_attributes; tests/test_tei_foreign.py
# checks it against the schema. The attributes every one of these elements allows:
ATT_GLOBAL = frozenset(("ana cert change copyOf corresp exclude facs n next prev rend rendition resp sameAs select "
                        "source style synch xml:base xml:id xml:lang xml:space").split())
#: The attributes ``tei_all`` allows on common elements besides :data:`ATT_GLOBAL`.
ATTS: dict[str, str] = {
    "ab": "decls generatedBy hand part subtype type",
    "abbr": "generatedBy subtype type",
    "add": ("atLeast atMost cause confidence evidence extent generatedBy hand instant max min place precision "
            "quantity scope seq status subtype type unit"),
    "addName": "full generatedBy key nymRef ref role sort subtype type",
    "address": "generatedBy key ref role subtype type",
    "addrLine": "",
    "am": "evidence instant subtype type",
    "analytic": "",
    "anchor": "generatedBy subtype type",
    "app": "from loc subtype to type",
    "appInfo": "",
    "application": ("datingMethod datingPoint from from-custom from-iso ident notAfter notAfter-custom notAfter-iso "
                    "notBefore notBefore-custom notBefore-iso period subtype to to-custom to-iso type version when "
                    "when-custom when-iso"),
    "argument": "generatedBy",
    "author": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso nymRef period ref role to to-custom to-iso when when-custom "
               "when-iso"),
    "authority": "key ref",
    "availability": "default status",
    "back": "decls",
    "bibl": "default generatedBy key ref sortKey status subtype type",
    "biblScope": "from to unit",
    "biblStruct": "default generatedBy key ref sortKey status subtype type",
    "body": "decls",
    "byline": "generatedBy",
    "c": "datcat function generatedBy met notation part real rhyme subtype targetDatcat type valueDatcat",
    "caesura": "",
    "castItem": "perf subtype type",
    "castList": "perf",
    "catDesc": "key ref",
    "category": "datcat targetDatcat valueDatcat",
    "cb": "break ed edRef generatedBy spanTo subtype type",
    "cell": "cols role rows",
    "change": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
               "notBefore-custom notBefore-iso period status subtype target to to-custom to-iso type when when-custom "
               "when-iso who"),
    "char": "",
    "charDecl": "",
    "choice": "generatedBy",
    "cit": "generatedBy subtype type",
    "citedRange": "evaluate from target targetLang to unit",
    "classDecl": "",
    "closer": "generatedBy hand",
    "corr": "evidence generatedBy instant subtype type",
    "correction": "default method status",
    "country": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                "to-iso type when when-custom when-iso"),
    "creation": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
                 "notBefore-custom notBefore-iso period to to-custom to-iso when when-custom when-iso"),
    "damage": ("agent atLeast atMost confidence degree extent group hand max min precision quantity scope subtype "
               "type unit"),
    "date": ("atLeast atMost calendar confidence datingMethod datingPoint dur dur-iso evidence extent from "
             "from-custom from-iso generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period precision quantity ref scope subtype to to-custom to-iso type "
             "unit when when-custom when-iso"),
    "dateline": "generatedBy hand",
    "del": ("atLeast atMost cause confidence evidence extent generatedBy hand instant max min place precision "
            "quantity scope seq status subtype type unit"),
    "distinct": "generatedBy social space subtype time type",
    "distributor": "key ref",
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
    "edition": "",
    "editionStmt": "",
    "editor": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso nymRef period ref role to to-custom to-iso when when-custom "
               "when-iso"),
    "editorialDecl": "default",
    "email": "generatedBy",
    "emph": "generatedBy hand",
    "encodingDesc": "",
    "epigraph": "generatedBy",
    "ex": "atLeast atMost confidence evidence extent instant max min precision quantity scope unit",
    "expan": "evidence generatedBy instant",
    "extent": "",
    "figDesc": "",
    "figure": "generatedBy hand place subtype type",
    "fileDesc": "",
    "floatingText": "decls generatedBy subtype type",
    "foreign": "generatedBy",
    "forename": "full generatedBy key nymRef ref role sort subtype type",
    "formula": "generatedBy notation",
    "front": "decls",
    "funder": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
               "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "fw": "hand place subtype type",
    "g": "ref subtype type",
    "gap": ("agent atLeast atMost confidence dur dur-iso end evidence extent generatedBy instant max min precision "
            "quantity reason scope start unit"),
    "genName": "full generatedBy key nymRef ref role sort subtype type",
    "geogName": ("datingMethod datingPoint evidence from from-custom from-iso generatedBy instant key notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role "
                 "subtype to to-custom to-iso type when when-custom when-iso"),
    "gloss": "cRef decls evaluate generatedBy place subtype target targetLang type versionDate",
    "glyph": "",
    "graphic": "decls generatedBy height mimeType scale subtype type url width",
    "group": "decls subtype type",
    "handShift": "medium new scope scribe scribeRef script scriptRef",
    "head": "generatedBy hand place subtype type",
    "hi": "generatedBy hand",
    "hyphenation": "default eol",
    "idno": ("datingMethod datingPoint from from-custom from-iso generatedBy notAfter notAfter-custom notAfter-iso "
             "notBefore notBefore-custom notBefore-iso period sortKey subtype to to-custom to-iso type when "
             "when-custom when-iso"),
    "imprimatur": "",
    "imprint": "",
    "index": "generatedBy indexName spanTo",
    "interpretation": "default",
    "item": "sortKey",
    "keywords": "scheme",
    "l": "enjamb generatedBy met part real rhyme",
    "label": "generatedBy hand place subtype type",
    "language": "ident scope usage",
    "langUsage": "default",
    "lb": "break ed edRef generatedBy spanTo subtype type",
    "lem": "cause hand require subtype type varSeq wit",
    "lg": "decls generatedBy met org part real rhyme sample subtype type",
    "licence": ("datingMethod datingPoint evaluate from from-custom from-iso notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period target targetLang to to-custom to-iso when "
                "when-custom when-iso"),
    "list": "generatedBy sortKey subtype type",
    "listBibl": "default generatedBy sortKey subtype type",
    "listChange": "ordered sortKey subtype type",
    "listWit": "sortKey",
    "mapping": ("datingMethod datingPoint from from-custom from-iso notAfter notAfter-custom notAfter-iso notBefore "
                "notBefore-custom notBefore-iso period subtype to to-custom to-iso type when when-custom when-iso"),
    "measure": "atLeast atMost commodity confidence generatedBy max min quantity subtype type unit unitRef",
    "mentioned": "generatedBy",
    "metamark": "function place spanTo target",
    "milestone": "break ed edRef generatedBy spanTo subtype type unit",
    "mod": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope seq "
            "spanTo status subtype type unit"),
    "monogr": "",
    "name": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
             "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
             "subtype to to-custom to-iso type when when-custom when-iso"),
    "namespace": "name",
    "normalization": "default method",
    "note": "anchored evaluate generatedBy hand place subtype target targetEnd targetLang type",
    "notesStmt": "",
    "num": "atLeast atMost confidence generatedBy max min subtype type value",
    "opener": "generatedBy hand",
    "orgName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                "subtype to to-custom to-iso type when when-custom when-iso"),
    "orig": "generatedBy",
    "p": "decls generatedBy hand part",
    "pb": "break ed edRef generatedBy spanTo subtype type",
    "pc": ("datcat force function generatedBy join lemma lemmaRef met msd norm orig part pos pre real rhyme subtype "
           "targetDatcat type unit valueDatcat"),
    "persName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                 "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                 "subtype to to-custom to-iso type when when-custom when-iso"),
    "placeName": ("datingMethod datingPoint evidence from from-custom from-iso full generatedBy instant key notAfter "
                  "notAfter-custom notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role sort "
                  "subtype to to-custom to-iso type when when-custom when-iso"),
    "postCode": "",
    "postscript": "generatedBy hand place",
    "principal": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                  "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "profileDesc": "",
    "projectDesc": "default",
    "ptr": "cRef decls evaluate generatedBy mimeType subtype target targetLang type",
    "publicationStmt": "",
    "publisher": "key ref",
    "pubPlace": "key nymRef ref role",
    "punctuation": "default marks placement",
    "q": "generatedBy subtype toWhom type who",
    "quotation": "default marks",
    "quote": "defective generatedBy notation subtype type",
    "rb": "subtype type",
    "rdg": "cause hand require subtype type varSeq wit",
    "rdgGrp": "cause hand require subtype type varSeq",
    "ref": "cRef decls evaluate generatedBy mimeType subtype target targetLang type",
    "refsDecl": "default",
    "reg": "evidence generatedBy instant subtype type",
    "region": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
               "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
               "to-iso type when when-custom when-iso"),
    "rendition": "scheme schemeVersion scope selector",
    "resp": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "respStmt": "key ref",
    "restore": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq status subtype type unit"),
    "retrace": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
                "seq spanTo status unit"),
    "revisionDesc": "status",
    "role": "gender perf",
    "roleDesc": "",
    "roleName": "full generatedBy key nymRef ref role sort subtype type",
    "row": "cols role rows",
    "rs": "generatedBy key nymRef ref role subtype type",
    "rt": "cause evidence from hand instant place seq status subtype target to type",
    "ruby": "generatedBy subtype type",
    "said": "aloud direct generatedBy toWhom who",
    "salute": "generatedBy hand",
    "samplingDecl": "default",
    "seg": "datcat function generatedBy hand met notation part real rhyme subtype targetDatcat type valueDatcat",
    "segmentation": "default",
    "seriesStmt": "default",
    "settlement": ("datingMethod datingPoint from from-custom from-iso generatedBy key notAfter notAfter-custom "
                   "notAfter-iso notBefore notBefore-custom notBefore-iso nymRef period ref role subtype to to-custom "
                   "to-iso type when when-custom when-iso"),
    "sic": "generatedBy",
    "signed": "generatedBy hand",
    "soCalled": "generatedBy",
    "sourceDesc": "default",
    "sp": "hand place toWhom who",
    "space": "atLeast atMost confidence dim extent max min precision quantity scope subtype type unit",
    "speaker": "hand place",
    "sponsor": ("datingMethod datingPoint from from-custom from-iso key notAfter notAfter-custom notAfter-iso "
                "notBefore notBefore-custom notBefore-iso period ref to to-custom to-iso when when-custom when-iso"),
    "stage": "generatedBy hand perf place toWhom type who",
    "street": "",
    "subst": ("atLeast atMost cause confidence evidence extent hand instant max min place precision quantity scope "
              "seq status unit"),
    "supplied": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "surname": "full generatedBy key nymRef ref role sort subtype type",
    "surplus": "atLeast atMost confidence evidence extent instant max min precision quantity reason scope unit",
    "table": "cols generatedBy rows subtype type",
    "tagsDecl": "partial",
    "tagUsage": "datcat gi occurs targetDatcat valueDatcat withId",
    "taxonomy": "datcat targetDatcat valueDatcat",
    "TEI": "subtype type version",
    "teiHeader": "",
    "term": "cRef decls evaluate generatedBy key ref sortKey subtype target targetLang type",
    "text": "decls hand subtype type",
    "textClass": "default",
    "time": ("atLeast atMost calendar confidence datingMethod datingPoint dur dur-iso evidence extent from "
             "from-custom from-iso generatedBy instant key max min notAfter notAfter-custom notAfter-iso notBefore "
             "notBefore-custom notBefore-iso period precision quantity ref scope subtype to to-custom to-iso type "
             "unit when when-custom when-iso"),
    "title": ("datingMethod datingPoint from from-custom from-iso generatedBy key level notAfter notAfter-custom "
              "notAfter-iso notBefore notBefore-custom notBefore-iso period ref subtype to to-custom to-iso type when "
              "when-custom when-iso"),
    "titlePage": "subtype type",
    "titlePart": "subtype type",
    "titleStmt": "",
    "trailer": "generatedBy hand place subtype type",
    "unclear": ("agent atLeast atMost confidence evidence extent generatedBy instant max min precision quantity "
                "reason scope unit"),
    "w": ("datcat function generatedBy join lemma lemmaRef met msd norm notation orig part pos real rhyme subtype "
          "targetDatcat type valueDatcat"),
    "witDetail": "evaluate place subtype target targetLang type wit",
    "witness": "sortKey",
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

