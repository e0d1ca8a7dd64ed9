"""Markdown and HTML before pandoc reads them: report numbers, containers, docpipe's own HTML conventions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

REPORT_NUMBER = re.compile(r"^(\d{1,4})\.[ \t](?=\S)", re.MULTILINE)


_HTML_REWRITES = [
    # our own list labels ((一), (a)) are presentation in HTML: the reader gets the list back, not the label text
    (re.compile(r'<span class="item-label">[^<]*</span>[\u3000 ]?'), ""),
    # pandoc's HTML reader has its own idea of class="footnotes": rename ours before it looks
    (re.compile(r'\s(?:epub:type|role)="[^"]*"'), ""),
    (re.compile(r'class="footnotes"'), 'class="dp-footnotes"'),
    (re.compile(r'class="footnote"'), 'class="dp-footnote"'),
    (re.compile(r"<section\b", re.IGNORECASE), '<div data-dp-section="1"'),
    (re.compile(r"<(/?)(?:aside|section|header|footer|nav|main)\b", re.IGNORECASE), r"<\1div"),
]

#: (opening tag, closing tag, replacement of the whole element from the opening tag's groups and the content)
_ELEMENT_REWRITES: list[tuple[re.Pattern[str], re.Pattern[str], Callable[[re.Match[str], str], str]]] = [
    (re.compile(r'<p([^>]*class="box-title"[^>]*)>', re.IGNORECASE), re.compile(r"</p\s*>", re.IGNORECASE),
     lambda m, inner: f"<div{m.group(1)}><p>{inner}</p></div>"),
    (re.compile(r'<a([^>]*?)class="noteref"([^>]*?)href="[^"#]*#([^"]+)"([^>]*)>'), re.compile(r"</a\s*>"),
     lambda m, inner: f'<span class="noteref" data-target="{m.group(3)}">{inner}</span>'),
    (re.compile(r'<a[^>]*class="note-back"[^>]*>'), re.compile(r"</a\s*>"), lambda m, inner: ""),
]
_NAV = re.compile(r"<(/?)(nav|main|article)\b[^>]*>", re.IGNORECASE)


def strip_nav(text: str, counts: dict[str, int] | None = None) -> str:
    """``text`` without the ``nav`` elements of the page around its content (site navigation is not content),
    nested ones included, in one pass; a ``nav`` inside ``main`` or ``article`` is the content's own (a W3C
    example of a tree of links, a chapter's list of sections) and is kept, as a ``div``. An unclosed ``nav`` is
    left for the reader (it becomes a div) rather than swallowing the rest. ``counts``: ``nav-dropped`` and
    ``nav-kept`` added to."""
    out: list[str] = []
    pos = depth = inside = 0
    start = 0
    kept = 0  # kept navs open (a kept nav opens only outside a dropped one, so it closes at depth 0)
    for m in _NAV.finditer(text):
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name != "nav":
            if depth == 0:
                inside = max(0, inside + (-1 if closing else 1))
            continue
        if closing:
            if kept and depth == 0:
                kept -= 1
                out += (text[pos:m.start()], "</div>")
                pos = m.end()
            elif depth:
                depth -= 1
                if depth == 0:
                    pos = m.end()
        elif depth == 0 and inside:
            kept += 1
            out += (text[pos:m.start()], '<div class="nav">')
            pos = m.end()
            if counts is not None:
                counts["nav-kept"] = counts.get("nav-kept", 0) + 1
        else:
            if depth == 0:
                start = m.start()
                out.append(text[pos:start])
                if counts is not None:
                    counts["nav-dropped"] = counts.get("nav-dropped", 0) + 1
            depth += 1
    if depth:
        out.append(text[start:])
    else:
        out.append(text[pos:])
    return "".join(out)


def rewrite_elements(text: str, opening: re.Pattern[str], closing: re.Pattern[str],
                     repl: Callable[[re.Match[str], str], str]) -> str:
    """Each element from ``opening`` to the first ``closing`` after it replaced by ``repl`` (what a lazy
    ``open(.*?)close`` regex does), in O(n log n): the closing positions are found once."""
    from bisect import bisect_left
    closes = [(c.start(), c.end()) for c in closing.finditer(text)]
    starts = [c[0] for c in closes]
    out: list[str] = []
    pos = 0
    for m in opening.finditer(text):
        if m.start() < pos:
            continue
        k = bisect_left(starts, m.end())
        if k == len(closes):
            break  # no closing tag after this one: none after any later opening either
        c_start, c_end = closes[k]
        out.append(text[pos:m.start()])
        out.append(repl(m, text[m.end():c_start]))
        pos = c_end
    out.append(text[pos:])
    return "".join(out)


def prepare_html(text: str, counts: dict[str, int] | None = None) -> str:
    """Keep what pandoc's HTML reader drops: asides and sections become divs, note calls become spans; the page's
    own navigation is left out (:func:`strip_nav`, which adds to ``counts``)."""
    text = strip_nav(text, counts)
    for pattern, repl in _HTML_REWRITES:
        text = pattern.sub(repl, text)
    for opening, closing, element in _ELEMENT_REWRITES:
        text = rewrite_elements(text, opening, closing, element)
    return text


#: A code fence line: its indentation, the fence, and its info string.
_FENCE_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
#: An info string pandoc's Markdown reads as it stands: none, one word (``rust,ignore``), or an attribute block
#: (``{.python}``, ``{#id .c}``, ``{=html}``, ``{.r key="v"}``).
_PANDOC_INFO = re.compile(r"^(?:[^\s{}]*|\{[ \t]*[.#=][^{}]*\}|\{[ \t]*[\w-]+=[^{}]*\})$")
#: knitr engines whose chunk is only shown, as written (nothing to run, nothing missing)
_SHOWN_ENGINES = frozenset({"verbatim"})
#: The title pymdownx.superfences and Docusaurus give a code block (``python title="demo.py"``).
_FENCE_TITLE = re.compile(r'\btitle=("[^"]*")')


def _fence_class(word: str) -> str:
    """A language name as a pandoc class (``c++`` → ``cpp``, ``c#`` → ``csharp``)."""
    word = word.replace("++", "pp").replace("#", "sharp")
    return re.sub(r"[^\w-]", "", word)


def _still_open(fence: str, line: re.Match[str] | None) -> str | None:
    """``fence`` after a line inside it (``line``: the line's match of ``_FENCE_LINE``, if any): None when the line
    closes it — the same character, at least as long, with no info string."""
    if line and line.group("fence")[0] == fence[0] and len(line.group("fence")) >= len(fence) \
            and not line.group("info"):
        return None
    return fence


def fence_infos(text: str, chunks: Counter[str] | None = None) -> str:
    """Code fences whose info string pandoc's Markdown refuses, rewritten as the attribute block it reads: MkDocs'
    and Docusaurus' ``python title="x.py"`` (``{.python title="x.py"}``), Quarto's and R Markdown's executable
    chunks ``{r}``, ``{python}``, ``{r label, echo=FALSE}`` (``{.r}``). pandoc reads such a fence's opening line
    as the start of inline code, so the block became a paragraph, its ``#`` comments headings, and a blank line in
    it left the closing fence to open a code block that swallowed the text after it. Lines inside a fence are left
    alone; a fence closes on a line of the same character, at least as long, with no info string. ``chunks``
    counts the executable chunks by engine (``r``, ``python``, ``ojs``)."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE_LINE.match(line)
        if fence is not None:
            fence = _still_open(fence, m)
            out.append(line)
            continue
        if m is None:
            out.append(line)
            continue
        fence = m.group("fence")
        info = m.group("info")
        if info and not _PANDOC_INFO.match(info):
            inner = info[1:-1] if info.startswith("{") and info.endswith("}") else info
            word = re.match(r"[ \t]*([^\s,{}]*)", inner)
            cls = _fence_class(word.group(1)) if word and "=" not in word.group(1) else ""
            if chunks is not None and cls and cls not in _SHOWN_ENGINES and info.startswith("{") \
                    and not info.startswith("{{"):
                chunks[cls] += 1
            title = _FENCE_TITLE.search(inner) if not info.startswith("{") else None
            attrs = " ".join(x for x in ((f".{cls}" if cls else ""), (f"title={title.group(1)}" if title else "")) if x)
            line = f"{m.group('indent')}{fence}{' {' + attrs + '}' if attrs else ''}"
        out.append(line)
    return "\n".join(out)


#: A chunk that only shows a picture file: ``knitr::include_graphics("diagrams/x.png", dpi = 270)``
_INCLUDE_GRAPHICS = re.compile(r'^(?:knitr::)?include_graphics\(\s*(["\'])(?P<path>[^"\'\n]+)\1\s*(?:,[^()]*)?\)\s*$')
#: An executable chunk's opening fence: ```` ```{r} ````, ```` ```{r label, echo=FALSE} ````
_CHUNK_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})[ \t]*\{[ \t]*r\b(?P<header>[^}]*)\}[ \t]*$")


def _chunk_options(lines: list[str]) -> dict[str, object] | None:
    """A chunk's ``#|`` options (YAML), or None when they are not YAML the reader can read."""
    import yaml
    try:
        options = yaml.safe_load("\n".join(line[3:] if line.startswith("#| ") else line[2:] for line in lines))
    except yaml.YAMLError:
        return None
    return options if isinstance(options, dict) else {} if options is None else None


def _picture_chunk(header: str, body: list[str]) -> str | None:
    """The Markdown picture a chunk that only calls ``knitr::include_graphics`` on one file shows (its caption
    ``fig-cap``, its ``fig-`` label as the figure's id, ``fig-alt``); None for any other chunk."""
    options_lines = [line for line in body if line.startswith("#|")]
    code = [line for line in body if line.strip() and not line.startswith("#")]
    if len(code) != 1 or (m := _INCLUDE_GRAPHICS.match(code[0].strip())) is None:
        return None
    options = _chunk_options(options_lines)
    if options is None:
        return None
    header_words = re.split(r"[ \t,]+", header.strip())
    label = options.get("label") or (header_words[0] if header_words and "=" not in header_words[0] else None)
    cap = options.get("fig-cap", options.get("fig.cap"))
    alt = options.get("fig-alt", options.get("fig.alt"))

    def one_line(value: object) -> str:
        return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""

    caption = one_line(cap).replace("]", "\\]")
    attrs = [f"#{label}"] if isinstance(label, str) and re.fullmatch(r"fig-[\w-]+", label) else []
    if one_line(alt):
        attrs.append(f"fig-alt={_attr(one_line(alt))}")
    return f"![{caption}]({m.group('path')})" + (f"{{{' '.join(attrs)}}}" if attrs else "")


def picture_chunks(text: str, counts: dict[str, int] | None = None) -> str:
    """R chunks that only show a picture file (``knitr::include_graphics("x.png")``, the way Quarto and bookdown
    books put a diagram or screenshot in), as that picture in Markdown: the chunk is run by nobody here, and its
    picture is a file beside the chapter. Other chunks, and lines inside other fences, are left alone."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    fence: str | None = None
    while i < len(lines):
        line = lines[i]
        i += 1
        f = _FENCE_LINE.match(line)
        if fence is not None:
            fence = _still_open(fence, f)
            out.append(line)
            continue
        m = _CHUNK_OPEN.match(line)
        if m is None:
            if f:
                fence = f.group("fence")
            out.append(line)
            continue
        indent, close = m.group("indent"), m.group("fence")
        end = next((j for j in range(i, min(len(lines), i + 60)) if lines[j].strip().startswith(close)
                    and lines[j].strip().strip("`") == ""), None)
        picture = None
        if end is not None:
            body = [x[len(indent):] if x.startswith(indent) else x.lstrip() for x in lines[i:end]]
            picture = _picture_chunk(m.group("header"), body)
        if picture is None:
            fence = close
            out.append(line)
            continue
        assert end is not None
        out.append(indent + picture)
        i = end + 1
        if counts is not None:
            counts["pictures"] = counts.get("pictures", 0) + 1
    return "\n".join(out)


def markdown_numbers(text: str) -> str:
    """Report-style ``12. text`` paragraphs stay paragraphs (the dot escaped so pandoc makes no list) — but only
    in a document written as numbered-paragraph prose (:func:`numbered_prose`); elsewhere ``1.`` is a list."""
    lines = text.split("\n")
    if not numbered_prose(lines):
        return text
    out = []
    fence = False
    previous_blank = True
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and previous_blank and REPORT_NUMBER.match(line):
            line = re.sub(r"^(\d{1,4})\.", r"\1\\.", line, count=1)
        out.append(line)
        previous_blank = not line.strip()
    return "\n".join(out)


def numbered_prose(lines: list[str]) -> bool:
    """Whether the ``N.`` paragraphs of a Markdown document are a report's numbered paragraphs, not lists.

    They are when their numbers run through the document as one sequence — never restarting or going back —
    that carries on across something else (a heading, a box, a plain paragraph: ``2.`` … ``## 標題`` … ``3.``),
    each standing alone between blank lines with nothing indented under it. A list restarts at 1, its items
    follow each other (tight or loose) and hold indented code or sub-lists: any of those makes them lists.
    """
    numbers: list[int] = []
    fence = False
    previous_blank = True
    interrupted = False  # something other than a numbered paragraph since the last one
    carried_on = False
    after_number = False  # inside a numbered paragraph (until a blank line)
    under_number = False  # since the last numbered paragraph, only blank lines and its own lines
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")) and not line[:1].isspace():
            fence = not fence
            interrupted = True
            under_number = after_number = False
            previous_blank = False
            continue
        if fence:
            continue
        m = REPORT_NUMBER.match(line)
        if m:
            if not previous_blank:
                return False  # a tight list: "1. a" then "2. b"
            n = int(m.group(1))
            if numbers and n <= numbers[-1]:
                return False  # numbering restarts: lists
            if numbers and interrupted:
                carried_on = True
            numbers.append(n)
            interrupted = False
            after_number = under_number = True
        elif not stripped:
            after_number = False
        elif line[:1] in (" ", "\t") and under_number and not after_number:
            return False  # an indented block under a numbered line: a list item's content
        elif not after_number:
            interrupted = True
            under_number = False
        previous_blank = not stripped
    return carried_on
#: Container kinds that are titled sidebars (VuePress, Docusaurus, MkDocs admonitions, GitHub alerts).
BOX_KINDS = frozenset({
    "note", "tip", "info", "warning", "danger", "caution", "important", "details", "abstract", "summary", "tldr",
    "todo", "success", "check", "done", "question", "help", "faq", "failure", "fail", "missing", "bug", "example",
    "quote", "cite", "attention", "error", "hint", "seealso", "admonition", "box", "sidebar", "aside", "callout",
    "tab", "alert",
})
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
#: ``:::tip``, ``::: warning 標題``, ``:::note[標題]``, ``::: {.box title="…"}``, ``::::`` (Docusaurus nesting)
# (greedy groups only, the rest trimmed in code: no pattern here backtracks over a long line)
_COLON_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>:{3,})(?P<rest>.*)$")
_KIND = re.compile(r"^(?P<kind>[A-Za-z][\w-]*)(?:\[(?P<bracket>[^\]]*)\])?(?P<title>(?:[ \t].*)?)$")
#: ``!!! note "標題"``, ``??? tip``, ``???+ warning ""`` (MkDocs, Python-Markdown admonitions) and content tabs
#: ``=== "Python"`` (pymdownx.tabbed): a marker line, then a body indented four more
_ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<kinds>[\w-]+(?:[ \t]+[\w-]+)*)'
                         r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
#: ``/// note | 標題`` … ``///`` (pymdownx.blocks), its options indented or between ``---`` lines after the head
_SLASH_OPEN = re.compile(r"^(?P<indent>[ \t]*)///[ \t]*(?P<kind>[A-Za-z][\w-]*)(?:[ \t]*\|(?P<title>.*)|[ \t]*)$")
_SLASH_CLOSE = re.compile(r"^[ \t]*///[ \t]*$")
MAX_CONTAINER_DEPTH = 32


def _trim_fence(title: str) -> str:
    """A container title without the ``:::`` some authors repeat at its end (``::: tip 標題 :::``)."""
    title = title.strip()
    if title.endswith(":::"):
        title = title.rstrip(":").rstrip()
    return title


def _option(line: str) -> tuple[str, str]:
    key, _, value = line.strip().partition(":")
    return key.strip(), value.strip()


def _attr(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: An icon shortcode of MkDocs-Material (``:octicons-file-code-16:``, ``:material-check:``,
#: ``:fontawesome-brands-github:``, ``:simple-python:``): a picture of the theme's icon font, nothing to read.
_ICON = re.compile(r":(?:material|fontawesome|octicons|simple)-[a-z0-9][a-z0-9-]*:[ \t]*")


def _opening(indent: str, kind: str, title: str | None, extra: tuple[str, ...] = ()) -> str:
    """A pandoc fenced div for a container: a box when the kind is one, with its title — the kind's name when
    the source gives none, as VuePress and MkDocs show it; a title of its own is Markdown (Docusaurus allows
    ``**bold**`` in it), so it goes in a ``box-title`` div the converter takes as the box's title, without the
    theme's icon shortcodes (:data:`_ICON`), which no output has the icons of. A Quarto callout written
    ``::: callout-note`` is the callout ``{.callout-note}``: the converter titles it."""
    if title and (bare := _ICON.sub("", title).strip()):
        title = bare
    if kind.lower().startswith("callout-"):
        own = f" title={_attr(title)}" if title and title.strip() else ""
        return f"{indent}::: {{.{kind.lower()}{''.join(f' .{c}' for c in extra)}{own}}}"
    known = kind.lower() in BOX_KINDS
    classes = [".box", f".{kind.lower()}"] if known else [f".{kind}"]
    classes += [f".{c}" for c in extra]
    if title is None or not title.strip() or not known:
        shown = kind.capitalize() if title is None else title
        return f"{indent}::: {{{' '.join(classes)} title={_attr(shown)}}}"
    return f"{indent}::: {{{' '.join(classes)}}}\n\n{indent}::: box-title\n{indent}{title}\n{indent}:::\n"


@dataclass
class _Containers:
    """A pass over a Markdown document's lines turning its containers into pandoc fenced divs."""

    lines: list[str]
    counts: dict[str, int]
    i: int = 0  # the next line to read
    out: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)  # indentation of each open container

    def open(self, indent: str, opening: str) -> None:
        self.out.extend(("", opening, ""))
        self.stack.append(indent)

    def close(self) -> None:
        """A closing line: it closes the innermost open container, or is dropped (counted) when none is open."""
        if self.stack:
            self.out.extend(("", f"{self.stack.pop()}:::", ""))
        else:
            self.counts["stray"] += 1

    def colon(self, line: str, m: re.Match[str]) -> None:
        """A ``:::`` line: it closes a container, or opens one (an attribute block as written, a kind as a box)."""
        rest = (m.group("rest") or "").strip()
        indent = m.group("indent")
        if not rest or re.fullmatch(r":*", rest):
            self.close()
            return
        km = _KIND.match(rest)
        if len(self.stack) >= MAX_CONTAINER_DEPTH or not (km or rest.startswith("{")):
            self.out.append(line)
        elif rest.startswith("{"):
            self.open(indent, f"{indent}::: {rest}")
        else:
            assert km is not None
            title = km.group("bracket") if km.group("bracket") is not None else _trim_fence(km.group("title"))
            self.open(indent, _opening(indent, km.group("kind"), title or None))
            self.counts["containers"] += 1

    def slash_options(self) -> dict[str, str]:
        """The options of a ``///`` block after its head: indented ``key: value`` lines, or YAML between
        ``---`` lines (consumed)."""
        lines, i = self.lines, self.i
        options: dict[str, str] = {}
        if i < len(lines) and lines[i].strip() == "---":
            j = i + 1
            while j < len(lines) and lines[j].strip() != "---" and j - i < 50:
                j += 1
            if j < len(lines) and lines[j].strip() == "---":
                options = dict(_option(x) for x in lines[i + 1:j] if ":" in x)
                self.i = j + 1
        else:
            while self.i < len(lines) and re.match(r"^[ \t]{2,}[\w-]+:[ \t]*\S", lines[self.i]):
                options.update((_option(lines[self.i]),))
                self.i += 1
        return options

    def slash(self, sm: re.Match[str]) -> None:
        """A ``/// kind | title`` head (pymdownx.blocks): its options read, a container opened."""
        kind, title = sm.group("kind"), (sm.group("title") or "").strip()
        options = self.slash_options()
        if kind in ("admonition", "details") and options.get("type"):
            kind = options["type"] if kind == "admonition" else kind
        self.open(sm.group("indent"), _opening(sm.group("indent"), kind, title or None))
        self.counts["containers"] += 1

    def indented(self, a: re.Match[str] | None, t: re.Match[str] | None) -> None:
        """An admonition (``a``) or a content tab (``t``) with the body indented under it, read whole."""
        if a is not None:
            indent = a.group("indent")
            kinds = a.group("kinds").split()
            extra = ("collapsible",) if a.group("mark").startswith("?") else ()
            self.out.extend(("", _opening(indent, kinds[0], a.group("title"), (*kinds[1:], *extra)), ""))
        else:
            assert t is not None
            indent = t.group("indent")
            self.out.extend(("", _opening(indent, "tab", t.group("title")), ""))
        self.counts["containers"] += 1
        # the body: following lines indented four more than the marker (and blank lines between them)
        body_indent = len(indent.expandtabs(4)) + 4
        body: list[str] = []
        while self.i < len(self.lines):
            nxt = self.lines[self.i]
            expanded = nxt.expandtabs(4)
            if nxt.strip() and len(expanded) - len(expanded.lstrip(" ")) < body_indent:
                break
            body.append(indent + expanded[body_indent:] if nxt.strip() else "")
            self.i += 1
        while body and not body[-1]:
            body.pop()
        self.out.extend(containers("\n".join(body), self.counts).split("\n"))
        self.out.extend(("", f"{indent}:::", ""))

    def container(self, line: str) -> bool:
        """Whether ``line`` opens or closes a container (then handled)."""
        m = _COLON_OPEN.match(line)
        if m:
            self.colon(line, m)
            return True
        sm = _SLASH_OPEN.match(line)
        if sm and len(self.stack) < MAX_CONTAINER_DEPTH:
            self.slash(sm)
            return True
        if _SLASH_CLOSE.match(line):
            self.close()
            return True
        a = _ADMONITION.match(line)
        t = _TAB.match(line) if a is None else None
        if (a or t) and len(self.stack) < MAX_CONTAINER_DEPTH:
            self.indented(a, t)
            return True
        return False


def containers(text: str, counts: dict[str, int]) -> str:
    """Containers of the Markdown dialects people write, as pandoc fenced divs (boxes where the kind is one).

    Every container line is consumed: a closing ``:::`` without an opening one is dropped and one left open is
    closed at the end, so no ``:::`` reaches the text. Lines inside code fences are left alone.
    """
    scan = _Containers(text.split("\n"), counts)
    fence: str | None = None
    comment = False
    while scan.i < len(scan.lines):
        line = scan.lines[scan.i]
        scan.i += 1
        if comment or (fence is None and "<!--" in line and "-->" not in line.split("<!--")[-1]):
            # inside an HTML comment: left as written (the comment is dropped as a whole later)
            comment = "-->" not in line.split("<!--")[-1] if not comment else "-->" not in line
            scan.out.append(line)
            continue
        f = _FENCE.match(line)
        if fence is not None:
            if f and f.group(1)[0] == fence[0] and len(f.group(1)) >= len(fence):
                fence = None
            scan.out.append(line)
            continue
        if f:
            fence = f.group(1)
            scan.out.append(line)
            continue
        if not scan.container(line):
            scan.out.append(line)
    while scan.stack:
        counts["unclosed"] += 1
        scan.out.extend(("", f"{scan.stack.pop()}:::", ""))
    return "\n".join(scan.out)
