"""Book files into a :class:`BookPlan`: mdBook ``SUMMARY.md``, MkDocs ``mkdocs.yml`` (``nav``), Quarto
``_quarto.yml`` (``book.chapters``, parts, appendices) and ``docpipe.toml``'s ``[book]`` table.

Every parser reads text only: YAML through a safe loader that maps tags it does not know (``!!python/name:…``,
``!ENV``, ``!relative``) to None, never constructing or running anything; TOML through :mod:`tomllib`.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..diagnostics import Diagnostics
from ..errors import InputError
from ..guard import split_url
from .plan import BookPlan, Entry, Kind, Numbering
from .root import BOOK_FILES

#: Most bytes of a book file read (a chapter list is small; a huge one is a mistake or an attack).
MAX_BOOK_FILE = 4 * 1024 * 1024
#: Most entries a book may list.
MAX_ENTRIES = 20_000


def load_plan(path: str | os.PathLike[str], diag: Diagnostics | None = None) -> BookPlan:
    """The plan of the book file at ``path`` (its kind from its name), or an :class:`InputError`."""
    p = Path(path)
    kind = BOOK_FILES.get(p.name)
    if kind is None:
        raise InputError("is not a book file", file=str(p),
                         expected="SUMMARY.md, mkdocs.yml, _quarto.yml or docpipe.toml with a [book] table")
    text = _read_text(p)
    diag = diag if diag is not None else Diagnostics(file=str(p))
    if kind == "mdbook":
        return parse_summary(text, p, diag)
    if kind == "mkdocs":
        return parse_mkdocs(text, p, diag)
    if kind == "quarto":
        return parse_quarto(text, p, diag)
    return parse_docpipe_toml(text, p, diag)


def plan_of_files(paths: Sequence[str | os.PathLike[str]], root: Path | None = None) -> BookPlan:
    """A book of documents named one by one, in order: each a chapter; the root is their common folder."""
    resolved = [Path(p).resolve() for p in paths]
    if root is None:
        root = Path(os.path.commonpath([str(p.parent) for p in resolved])) if resolved else Path.cwd()
    entries = tuple(Entry(path=p.relative_to(root).as_posix()) for p in resolved)
    return BookPlan(root=root, source="files", entries=entries)


def _read_text(p: Path) -> str:
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_BOOK_FILE + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(p)) from exc
    if len(data) > MAX_BOOK_FILE:
        raise InputError(f"book file over {MAX_BOOK_FILE} bytes", file=str(p), expected="a chapter list")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("book file is not UTF-8", file=str(p), offset=exc.start) from exc


def _chapter_path(target: str, base: str, file: Path, line: int | None = None) -> str:
    """A chapter reference from a book file as a ``/``-separated path relative to the book's root (``base`` is
    the folder of the referring file, relative to the root); an error when it leaves the root."""
    t = unquote(target.strip().strip("<>").split("#", 1)[0].split("?", 1)[0])
    if not t or t.startswith(("/", "\\")) or ":" in t.split("/")[0] or _scheme(t):
        raise InputError(f"chapter {target!r} is not a file inside the book", file=str(file), line=line,
                         expected="a path relative to the book file")
    joined = posixpath.normpath(posixpath.join(base, t.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        raise InputError(f"chapter {target!r} lies outside the book's folder", file=str(file), line=line,
                         expected="chapters inside the book's folder")
    return joined


# --------------------------------------------------------------------------- mdBook

_MD_LINK = re.compile(r"\[(?P<title>(?:[^\]\\]|\\.)*)\]\((?P<dest><[^>]*>|[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+(?P<rest>.*)$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)[ \t#]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SEPARATOR = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")


def _md_title(raw: str) -> str:
    """A SUMMARY link's text as plain text (code spans, emphasis and escapes dropped)."""
    text = re.sub(r"\\(.)", r"\1", raw)
    return re.sub(r"[`*_]", "", text).strip()


def parse_summary(text: str, path: Path, diag: Diagnostics) -> BookPlan:
    """mdBook's ``SUMMARY.md``: prefix chapters (front matter), part titles (``# Part``), the numbered chapters
    as a nested list, suffix chapters (back matter). Draft chapters (``[Title]()``) have no file: skipped,
    reported. ``book.toml`` beside the source folder gives the title, authors and language."""
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    lines = text.splitlines()
    top: list[Entry] = []
    part: tuple[str, list[Entry]] | None = None
    stack: list[tuple[int, list[Entry], dict[str, Any]]] = []  # (indent, children list, entry fields)
    seen_list = False
    title_line_seen = False
    count = 0

    def close_to(indent: int) -> None:
        while stack and stack[-1][0] >= indent:
            _, kids, fields = stack.pop()
            entry = Entry(kind=fields["kind"], title=fields["title"], path=fields["path"], children=tuple(kids))
            target = stack[-1][1] if stack else (part[1] if part else top)
            if fields["path"] is None and not kids:
                diag.emit("ignored-element", f"draft chapter {fields['title']!r} has no file; left out",
                          line=fields["line"], file=str(path))
                continue
            target.append(entry)

    def close_part() -> None:
        nonlocal part
        close_to(-1)
        if part is not None:
            top.append(Entry(kind="part", title=part[0], children=tuple(part[1])))
            part = None

    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        h = _HEADING.match(line)
        if h is not None:
            if not title_line_seen and not top and not seen_list and part is None:
                title_line_seen = True  # "# Summary": the list's own title
                continue
            close_part()
            part = (_md_title(h.group("title")), [])
            continue
        if _SEPARATOR.match(line):
            continue
        item = _LIST_ITEM.match(line)
        link = _MD_LINK.search(line)
        if link is None:
            if item is not None or line.startswith((" ", "\t")):
                continue
            continue
        count += 1
        if count > MAX_ENTRIES:
            raise InputError(f"more than {MAX_ENTRIES} chapters", file=str(path), line=no)
        dest = link.group("dest").strip("<>")
        chapter = _chapter_path(dest, "", path, no) if dest else None
        title = _md_title(link.group("title"))
        if item is None:
            close_to(-1)
            kind: Kind = "back" if seen_list else "front"
            if chapter is None:
                diag.emit("ignored-element", f"draft chapter {title!r} has no file; left out", line=no, file=str(path))
                continue
            entry = Entry(kind=kind, title=title, path=chapter)
            if kind == "back" and part is not None:
                close_part()
            top.append(entry)
            continue
        seen_list = True
        indent = len(item.group("indent").expandtabs(4))
        close_to(indent)
        stack.append((indent, [], {"kind": "chapter", "title": title, "path": chapter, "line": no}))
    close_part()
    plan = BookPlan(root=path.resolve().parent, source="mdbook", book_file=path, entries=tuple(top))
    return _with_book_toml(plan, path)


def _with_book_toml(plan: BookPlan, summary: Path) -> BookPlan:
    """mdBook's metadata from ``book.toml`` (beside the source folder, or in it)."""
    import dataclasses
    for folder in (summary.resolve().parent.parent, summary.resolve().parent):
        toml_path = folder / "book.toml"
        if not toml_path.is_file():
            continue
        plan = dataclasses.replace(plan, resource_root=folder)
        try:
            data = tomllib.loads(_read_text(toml_path))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"book.toml is not valid TOML: {exc}", file=str(toml_path)) from exc
        book = data.get("book")
        if not isinstance(book, dict):
            return plan
        authors = book.get("authors")
        return dataclasses.replace(
            plan, title=_str(book.get("title")), authors=tuple(_strs(authors)),
            language=_str(book.get("language")),
            extra=tuple((k, v) for k, v in (("description", _str(book.get("description"))),) if v))
    return plan


def _str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _strs(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            if isinstance(v, str) and v.strip():
                out.append(v.strip())
            elif isinstance(v, dict) and isinstance(v.get("name"), str):
                out.append(v["name"].strip())
        return out
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [value["name"].strip()]
    return []


# --------------------------------------------------------------------------- YAML (MkDocs, Quarto)


def _safe_yaml(text: str, path: Path) -> Any:
    """YAML read with a SafeLoader that maps every tag it does not know to None: ``!!python/name:…``,
    ``!!python/object/apply:…``, ``!ENV`` and ``!relative`` are tolerated, never constructed or run."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
        return None

    _Loader.add_multi_constructor("!", unknown)
    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", unknown)
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: nothing constructed
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"not valid YAML: {problem}", file=str(path), line=line) from exc
    except RecursionError as exc:
        raise InputError("YAML nested too deeply", file=str(path)) from exc


def _scheme(s: str) -> str:
    """The URL scheme of ``s`` ('' for none, and for what urllib cannot split: "Invalid IPv6 URL")."""
    parts = split_url(s)
    return parts.scheme if parts is not None else ""


def _is_url(s: str) -> bool:
    return bool(_scheme(s)) and ":" in s.split("/")[0]


def parse_mkdocs(text: str, path: Path, diag: Diagnostics) -> BookPlan:
    """MkDocs' ``mkdocs.yml``: ``nav`` (a nested section is a part; an untitled ``index.md`` opening a section is
    the section's own page), ``docs_dir``, ``site_name``, ``site_author``, ``theme.language``. Without ``nav``,
    every Markdown file under ``docs_dir`` in MkDocs' order (``index.md``/``README.md`` first in each folder)."""
    data = _safe_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError("mkdocs.yml holds no settings", file=str(path), expected="a YAML mapping with nav")
    docs_dir = _str(data.get("docs_dir")) or "docs"
    base = path.resolve().parent
    root = (base / docs_dir).resolve()
    try:
        root.relative_to(base)
    except ValueError:
        raise InputError(f"docs_dir {docs_dir!r} lies outside the project", file=str(path)) from None
    counter = [0]

    def one(item: object, depth: int) -> Entry | None:
        counter[0] += 1
        if counter[0] > MAX_ENTRIES or depth > 20:
            raise InputError(f"nav has more than {MAX_ENTRIES} entries or is nested too deeply", file=str(path))
        if isinstance(item, str):
            return None if _skip_url(item, diag, path) else Entry(path=_chapter_path(item, "", path))
        if isinstance(item, dict) and len(item) == 1:
            (title, value), = item.items()
            title = str(title) if title is not None else None
            if isinstance(value, str):
                if _skip_url(value, diag, path):
                    return None
                return Entry(title=_nav_title(title), path=_chapter_path(value, "", path))
            if isinstance(value, list):
                kids = [e for e in (one(v, depth + 1) for v in value) if e is not None]
                page = None
                if kids and kids[0].title is None and not kids[0].children and kids[0].path is not None \
                        and posixpath.basename(kids[0].path) in ("index.md", "README.md"):
                    page = kids.pop(0).path  # navigation.indexes: the section's own page
                return Entry(kind="part", title=_nav_title(title), path=page, children=tuple(kids))
            if value is None:
                return None
        diag.emit("ignored-element", f"nav entry {str(item)[:60]!r} is neither a page nor a section; left out",
                  file=str(path))
        return None

    nav = data.get("nav")
    if isinstance(nav, list):
        entries = tuple(e for e in (one(v, 0) for v in nav) if e is not None)
    else:
        entries = tuple(Entry(path=p) for p in _mkdocs_files(root))
    theme = data.get("theme")
    language = _str(theme.get("language")) if isinstance(theme, dict) else None
    return BookPlan(root=root, resource_root=base, source="mkdocs", book_file=path, title=_str(data.get("site_name")),
                    authors=tuple(_strs(data.get("site_author"))), language=language,
                    extra=tuple((k, v) for k in ("site_description", "copyright")
                                if (v := _str(data.get(k))) is not None),
                    site_url=_str(data.get("site_url")), entries=entries)


def _nav_title(title: str | None) -> str | None:
    """A nav label as text: MkDocs labels may hold HTML entities (``第 1 章 &nbsp; 初识算法``)."""
    if title is None:
        return None
    import html
    return re.sub(r"\s+", " ", html.unescape(title).replace("\xa0", " ")).strip() or None


def _skip_url(value: str, diag: Diagnostics, path: Path) -> bool:
    if _is_url(value):
        diag.emit("ignored-element", f"nav entry {value[:60]!r} is a web address, not a chapter; left out",
                  file=str(path))
        return True
    return False


def _mkdocs_files(root: Path) -> list[str]:
    """Markdown files under ``root`` in MkDocs' default order: per folder, index/README first, then by name."""
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        md = sorted(f for f in files if f.endswith((".md", ".markdown")))
        md.sort(key=lambda f: (f not in ("index.md", "README.md"), f))
        rel = Path(folder).relative_to(root)
        out.extend((rel / f).as_posix() for f in md)
        if len(out) > MAX_ENTRIES:
            raise InputError(f"more than {MAX_ENTRIES} Markdown files", file=str(root))
    return out


#: A part that holds appendices (``part: Appendix``, as books written before ``appendices:`` existed do).
_APPENDIX = re.compile(r"^\s*(appendix|appendices|annex(es)?|附录|附錄)\s*$", re.I)


def parse_quarto(text: str, path: Path, diag: Diagnostics) -> BookPlan:
    """Quarto's ``_quarto.yml``: ``book.title``/``subtitle``/``author``/``date``, ``book.chapters`` (a file, or
    ``part:`` with its own ``chapters``; a part is a file or a title), ``book.appendices``; ``lang``. An opening
    ``index.qmd`` is front matter, as Quarto leaves it unnumbered."""
    data = _safe_yaml(text, path)
    book = data.get("book") if isinstance(data, dict) else None
    if not isinstance(book, dict):
        raise InputError("_quarto.yml has no book: section", file=str(path), expected="a Quarto book project")

    def items(value: object, kind: Kind) -> list[Entry]:
        out: list[Entry] = []
        if not isinstance(value, list):
            return out
        for item in value:
            if isinstance(item, str):
                out.append(Entry(kind=kind, path=_chapter_path(item, "", path)))
            elif isinstance(item, dict) and "part" in item:
                part = item["part"]
                appendix = kind == "appendix" or (isinstance(part, str) and _APPENDIX.match(part) is not None)
                kids = items(item.get("chapters"), "appendix" if appendix else "chapter")
                if isinstance(part, str) and re.search(r"\.(q?md|Rmd|markdown)$", part) \
                        and (path.parent / part).is_file():
                    out.append(Entry(kind="part", path=_chapter_path(part, "", path), children=tuple(kids)))
                else:
                    out.append(Entry(kind="part", title=str(part), children=tuple(kids)))
            elif isinstance(item, dict) and isinstance(item.get("href"), str):
                out.append(Entry(kind=kind, title=_str(item.get("text")),
                                 path=_chapter_path(item["href"], "", path)))
            else:
                diag.emit("ignored-element", f"book entry {str(item)[:60]!r} is not a chapter; left out",
                          file=str(path))
        return out

    chapters = items(book.get("chapters"), "chapter")
    if chapters and chapters[0].path is not None \
            and posixpath.splitext(posixpath.basename(chapters[0].path))[0] == "index":
        import dataclasses
        chapters[0] = dataclasses.replace(chapters[0], kind="front")
    appendices = items(book.get("appendices"), "appendix")
    extra = [(k, v) for k in ("date", "publisher", "isbn", "doi", "description")
             if (v := _str(book.get(k))) is not None]
    lang = _str(data.get("lang")) if isinstance(data, dict) else None
    top = data if isinstance(data, dict) else {}
    return BookPlan(root=path.resolve().parent, source="quarto", book_file=path, title=_str(book.get("title")),
                    subtitle=_str(book.get("subtitle")), authors=tuple(_strs(book.get("author"))),
                    language=lang, extra=tuple(extra), site_url=_str(book.get("site-url")),
                    entries=tuple(chapters + appendices),
                    bibliography=tuple(_strs(top.get("bibliography")) + _strs(book.get("bibliography"))),
                    csl=tuple(_strs(top.get("csl")) + _strs(book.get("csl"))))


# --------------------------------------------------------------------------- docpipe.toml

#: The keys of ``[book]`` that are metadata (the rest are the chapter list and settings).
_TOML_META = ("date", "publisher", "isbn", "doi", "series", "rights", "edition", "description", "cover", "cip",
              "dedication")


def parse_docpipe_toml(text: str, path: Path, diag: Diagnostics) -> BookPlan:
    """``docpipe.toml``'s ``[book]``: ``title``, ``subtitle``, ``authors``, ``language``, ``numbering``
    (``book``/``chapter``), ``front``, ``chapters``, ``parts`` (``[[book.parts]]`` with ``title`` and
    ``chapters``), ``appendices``, ``back``; a chapter is a path or ``{file = …, title = …, role = …}`` (``role``:
    the division a front or back matter entry opens, ``preface``, ``colophon``…); ``pages``: the front-matter
    pages made from the metadata (``halftitlepage``, ``titlepage``, ``copyright-page``, ``dedication``), with
    ``edition``, ``rights``, ``isbn``, ``cip`` and ``dedication`` for their text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path)) from exc
    book = data.get("book")
    if not isinstance(book, dict):
        raise InputError("docpipe.toml has no [book] table", file=str(path), expected="[book] with chapters")

    def files(value: object, kind: Kind, key: str) -> list[Entry]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise InputError(f"[book] {key} is not a list", file=str(path), expected="a list of chapter files")
        out: list[Entry] = []
        for item in value:
            if isinstance(item, str):
                out.append(Entry(kind=kind, path=_chapter_path(item, "", path)))
            elif isinstance(item, dict) and isinstance(item.get("file"), str):
                out.append(Entry(kind=kind, title=_str(item.get("title")), role=_role(item.get("role"), key, path),
                                 path=_chapter_path(item["file"], "", path)))
            else:
                raise InputError(f"[book] {key}: {str(item)[:60]!r} is not a chapter", file=str(path),
                                 expected='a path or {file = "…", title = "…", role = "…"}')
        return out

    entries = files(book.get("front"), "front", "front") + files(book.get("chapters"), "chapter", "chapters")
    parts = book.get("parts")
    if parts is not None:
        if not isinstance(parts, list):
            raise InputError("[book] parts is not a list", file=str(path), expected="[[book.parts]] tables")
        for p in parts:
            if not isinstance(p, dict):
                raise InputError("[book] parts holds something other than a table", file=str(path),
                                 expected='{title = "…", chapters = […]}')
            page = p.get("file")
            entries.append(Entry(kind="part", title=_str(p.get("title")),
                                 path=_chapter_path(page, "", path) if isinstance(page, str) else None,
                                 children=tuple(files(p.get("chapters"), "chapter", "parts.chapters"))))
    entries += files(book.get("appendices"), "appendix", "appendices") + files(book.get("back"), "back", "back")
    numbering = book.get("numbering", "book")
    if numbering not in ("book", "chapter"):
        raise InputError(f"[book] numbering = {numbering!r}", file=str(path), expected='"book" or "chapter"')
    num: Numbering = "chapter" if numbering == "chapter" else "book"
    extra = [(k, v) for k in _TOML_META if (v := _str(book.get(k))) is not None]
    return BookPlan(root=path.resolve().parent, source="docpipe", book_file=path, title=_str(book.get("title")),
                    subtitle=_str(book.get("subtitle")), authors=tuple(_strs(book.get("authors"))),
                    language=_str(book.get("language")), numbering=num, extra=tuple(extra),
                    site_url=_str(book.get("site_url")), entries=tuple(entries), pages=_pages(book, path))


def _role(value: object, key: str, path: Path) -> str | None:
    """A chapter's ``role`` from ``[book]``: a division docpipe knows, or a one-line error."""
    from .. import ir
    if value is None:
        return None
    if not isinstance(value, str) or value not in ir.DIVISIONS:
        raise InputError(f"[book] {key}: role {value!r} is unknown", file=str(path),
                         expected="one of " + ", ".join(sorted(ir.DIVISIONS)))
    return value


def _pages(book: dict[str, Any], path: Path) -> tuple[str, ...]:
    """``[book] pages``: the front-matter pages to make, each known and listed once."""
    from .frontmatter import PAGES
    value = book.get("pages", [])
    if not isinstance(value, list) or any(p not in PAGES for p in value) or len(set(value)) != len(value):
        raise InputError(f"[book] pages = {str(value)[:60]!r}", file=str(path),
                         expected="a list of " + ", ".join(PAGES) + ", each once")
    return tuple(value)


def describe_plan(plan: BookPlan) -> Iterable[str]:
    """The plan as indented lines (``kind title path``), for ``inspect`` and tests."""
    def walk(entries: tuple[Entry, ...], depth: int) -> Iterable[str]:
        for e in entries:
            yield "  " * depth + " ".join(x for x in (e.kind, repr(e.title) if e.title else "", e.path or "") if x)
            yield from walk(e.children, depth + 1)
    return walk(plan.entries, 0)
