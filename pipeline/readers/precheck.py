"""Linear checks on Markdown before pandoc sees it: the shapes that make its parser exponential or unbounded.

pandoc's Markdown reader backtracks on nested brackets: measured here (pandoc 3.9), 8 nested links take 2 s,
10 take 11 s, 12 never finish. Links cannot nest and an image inside a link is two levels, so brackets
nested deeper than :data:`MAX_BRACKETS` are escaped (they are shown as the literal characters they then are)
and the repair is reported. Block quotes and list indentation nested beyond ``--max-depth`` and YAML front
matter that expands aliases (a "billion laughs" in YAML) are refused with a one-line error.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics
from ..errors import LimitError
from ..options import Options

MAX_BRACKETS = 2
MAX_YAML_ALIASES = 100
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ALIAS = re.compile(r"(?<![\w*])\*[A-Za-z_][\w-]*")


def check_markdown(text: str, options: Options, diag: Diagnostics, name: str) -> str:
    """``text`` with the brackets of over-deep paragraphs escaped; a :class:`LimitError` for unbounded
    nesting or YAML aliases."""
    _front_matter(text, name)
    lines = text.split("\n")
    prose: list[bool] = []  # which lines are outside code fences
    fence: str | None = None
    for lineno, line in enumerate(lines, 1):
        m = _FENCE.match(line)
        if m and (fence is None or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = None if fence else m.group(1)
            prose.append(False)
            continue
        prose.append(fence is None)
        if fence is None:
            stripped = line.lstrip(" >\t")
            quotes = line[: len(line) - len(stripped)].count(">")
            indent = (len(line) - len(line.lstrip(" \t"))) // 2
            if quotes > options.max_depth or indent > options.max_depth * 2:
                raise LimitError(f"quotes or lists nested {max(quotes, indent)} deep", file=name, line=lineno,
                                 expected=f"at most {options.max_depth} levels (--max-depth)")
    # paragraphs (runs of prose lines between blank lines) whose brackets nest too deep lose all their
    # brackets' meaning: escaping only the deep ones still leaves pandoc a long link text to backtrack over
    escaped = 0
    start = 0
    while start < len(lines):
        if not prose[start] or not lines[start].strip():
            start += 1
            continue
        end = start
        depth = worst = 0
        while end < len(lines) and prose[end] and lines[end].strip():
            depth, worst = _bracket_depth(lines[end], depth, worst)
            end += 1
        if worst > MAX_BRACKETS:
            for i in range(start, end):
                lines[i], n = _escape_brackets(lines[i])
                escaped += n
        start = end
    if escaped:
        diag.emit("markdown-repaired", f"{escaped} bracket(s) in paragraphs nesting them more than {MAX_BRACKETS} "
                  "deep kept as literal characters (links cannot nest; such brackets make pandoc's parser "
                  "exponential)")
    return "\n".join(lines)


_TOKEN = re.compile(r"\\.|`+|[\[\]]")


def _bracket_depth(line: str, depth: int, worst: int) -> tuple[int, int]:
    i = 0
    for m in _TOKEN.finditer(line):
        if m.start() < i:
            continue  # inside a code span skipped below
        tok = m.group()
        if tok[0] == "`":
            end = line.find(tok, m.end())
            i = end + len(tok) if end >= 0 else m.end()
        elif tok == "[":
            depth += 1
            worst = max(worst, depth)
        elif tok == "]":
            depth = max(depth - 1, 0)
    return depth, worst


def _escape_brackets(line: str) -> tuple[str, int]:
    out: list[str] = []
    pos = 0
    skip_to = 0
    n = 0
    for m in _TOKEN.finditer(line):
        if m.start() < skip_to:
            continue
        tok = m.group()
        if tok[0] == "`":
            end = line.find(tok, m.end())
            skip_to = end + len(tok) if end >= 0 else m.end()
        elif tok in ("[", "]"):
            out.append(line[pos:m.start()])
            out.append("\\" + tok)
            pos = m.end()
            n += 1
    out.append(line[pos:])
    return "".join(out), n


def _front_matter(text: str, name: str) -> None:
    if not text.startswith("---"):
        return
    end = text.find("\n---", 3)
    end2 = text.find("\n...", 3)
    stop = min(x for x in (end, end2, len(text)) if x >= 0)
    yaml = text[:stop]
    if "&" in yaml:
        aliases = len(_ALIAS.findall(yaml))
        if aliases > MAX_YAML_ALIASES:
            raise LimitError(f"the YAML front matter uses {aliases} aliases", file=name, line=1,
                             expected=f"at most {MAX_YAML_ALIASES} (alias expansion can exhaust memory)")
