"""Markdown and HTML before pandoc reads them: report numbers, containers, docpipe's own HTML conventions."""

from __future__ import annotations

import re

REPORT_NUMBER = re.compile(r"^(\d{1,4})\.[ \t](?=\S)", re.MULTILINE)


_HTML_REWRITES = [
    (re.compile(r"<nav\b.*?</nav>", re.IGNORECASE | re.DOTALL), ""),
    # pandoc's HTML reader has its own idea of class="footnotes": rename ours before it looks
    (re.compile(r'\s(?:epub:type|role)="[^"]*"'), ""),
    (re.compile(r'class="footnotes"'), 'class="dp-footnotes"'),
    (re.compile(r'class="footnote"'), 'class="dp-footnote"'),
    (re.compile(r"<section\b", re.IGNORECASE), '<div data-dp-section="1"'),
    (re.compile(r"<(/?)(?:aside|section|header|footer|nav|main)\b", re.IGNORECASE), r"<\1div"),
    (re.compile(r'<p([^>]*class="box-title"[^>]*)>(.*?)</p>', re.IGNORECASE | re.DOTALL),
     r'<div\1><p>\2</p></div>'),
    (re.compile(r'<a([^>]*?)class="noteref"([^>]*?)href="[^"#]*#([^"]+)"([^>]*)>(.*?)</a>', re.DOTALL),
     r'<span class="noteref" data-target="\3">\5</span>'),
    (re.compile(r'<a[^>]*class="note-back"[^>]*>.*?</a>', re.DOTALL), ""),
]


def prepare_html(text: str) -> str:
    """Keep what pandoc's HTML reader drops: asides and sections become divs, note calls become spans."""
    for pattern, repl in _HTML_REWRITES:
        text = pattern.sub(repl, text)
    return text


def markdown_numbers(text: str) -> str:
    """Report-style ``12. text`` paragraphs stay paragraphs: escape the dot so pandoc does not make a list."""
    out = []
    fence = False
    previous_blank = True
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and previous_blank and REPORT_NUMBER.match(line):
            line = re.sub(r"^(\d{1,4})\.", r"\1\\.", line, count=1)
        out.append(line)
        previous_blank = not line.strip()
    return "\n".join(out)


#: Container kinds that are titled sidebars (VuePress, Docusaurus, MkDocs admonitions, GitHub alerts).
BOX_KINDS = frozenset({
    "note", "tip", "info", "warning", "danger", "caution", "important", "details", "abstract", "summary", "tldr",
    "todo", "success", "check", "done", "question", "help", "faq", "failure", "fail", "missing", "bug", "example",
    "quote", "cite", "attention", "error", "hint", "seealso", "admonition", "box", "sidebar", "aside", "callout",
})
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
#: ``:::tip``, ``::: warning 標題``, ``:::note[標題]``, ``::: {.box title="…"}``, ``::::`` (Docusaurus nesting)
_COLON_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>:{3,})[ \t]*(?P<rest>\S.*?)?[ \t]*$")
_KIND = re.compile(r"^(?P<kind>[A-Za-z][\w-]*)(?:\[(?P<bracket>[^\]]*)\])?(?:[ \t]+(?P<title>.*?))?[ \t]*(?::{3,})?$")
#: ``!!! note "標題"``, ``??? tip``, ``???+ warning ""`` (MkDocs, Python-Markdown admonitions)
_ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<kinds>[\w-]+(?:[ \t]+[\w-]+)*)'
                         r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
MAX_CONTAINER_DEPTH = 32


def _attr(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _opening(indent: str, kind: str, title: str | None, extra: tuple[str, ...] = ()) -> str:
    """A pandoc fenced div for a container: a box when the kind is one, with its title (the kind's name when
    the source gives none, as VuePress and MkDocs show it)."""
    classes = [".box", f".{kind.lower()}"] if kind.lower() in BOX_KINDS else [f".{kind}"]
    classes += [f".{c}" for c in extra]
    shown = kind.capitalize() if title is None else title
    return f"{indent}::: {{{' '.join(classes)} title={_attr(shown)}}}"


def containers(text: str, counts: dict[str, int]) -> str:
    """Containers of the Markdown dialects people write, as pandoc fenced divs (boxes where the kind is one).

    Every container line is consumed: a closing ``:::`` without an opening one is dropped and one left open is
    closed at the end, so no ``:::`` reaches the text. Lines inside code fences are left alone.
    """
    lines = text.split("\n")
    out: list[str] = []
    stack: list[str] = []  # indentation of each open container
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        f = _FENCE.match(line)
        if fence is not None:
            if f and f.group(1)[0] == fence[0] and len(f.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if f:
            fence = f.group(1)
            out.append(line)
            continue
        m = _COLON_OPEN.match(line)
        if m:
            rest = (m.group("rest") or "").strip()
            indent = m.group("indent")
            if not rest or re.fullmatch(r":*", rest):
                if stack:
                    out.extend(("", f"{stack.pop()}:::", ""))
                else:
                    counts["stray"] += 1
                continue
            if len(stack) >= MAX_CONTAINER_DEPTH:
                out.append(line)
                continue
            km = _KIND.match(rest)
            if rest.startswith("{"):
                out.extend(("", f"{indent}::: {rest}", ""))
            elif km:
                title = km.group("bracket") if km.group("bracket") is not None else km.group("title")
                out.extend(("", _opening(indent, km.group("kind"), title or None), ""))
                counts["containers"] += 1
            else:
                out.append(line)
                continue
            stack.append(indent)
            continue
        a = _ADMONITION.match(line)
        if a and len(stack) < MAX_CONTAINER_DEPTH:
            indent = a.group("indent")
            kinds = a.group("kinds").split()
            extra = ("collapsible",) if a.group("mark").startswith("?") else ()
            out.extend(("", _opening(indent, kinds[0], a.group("title"), (*kinds[1:], *extra)), ""))
            counts["containers"] += 1
            # the body: following lines indented four more than the marker (and blank lines between them)
            body_indent = len(indent.expandtabs(4)) + 4
            body: list[str] = []
            while i < len(lines):
                nxt = lines[i]
                expanded = nxt.expandtabs(4)
                if nxt.strip() and len(expanded) - len(expanded.lstrip(" ")) < body_indent:
                    break
                body.append(indent + expanded[body_indent:] if nxt.strip() else "")
                i += 1
            while body and not body[-1]:
                body.pop()
            out.extend(containers("\n".join(body), counts).split("\n"))
            out.extend(("", f"{indent}:::", ""))
            continue
        out.append(line)
    while stack:
        counts["unclosed"] += 1
        out.extend(("", f"{stack.pop()}:::", ""))
    return "\n".join(out)
