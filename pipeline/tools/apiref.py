"""The API reference ``docs/api.md``, made from the docstrings of docpipe's public modules.

``python -m pipeline.tools.apiref > docs/api.md``. The source is read with :mod:`ast`, never imported, so the
page shows signatures and defaults as they are written, attribute docstrings (the string under a dataclass field)
and ``#:`` comments above constants, and its bytes depend on the source alone. A name a package re-exports from
one of its modules (``pipeline.read_bytes`` is ``pipeline.core.read_bytes``) is documented where it is defined
and pointed to from the package. A test checks that the committed page is up to date.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

#: The modules documented, in the order of the page: the API first, then the records it takes and returns.
MODULES: tuple[str, ...] = (
    "pipeline",
    "pipeline.core",
    "pipeline.options",
    "pipeline.errors",
    "pipeline.diagnostics",
    "pipeline.ir",
    "pipeline.ir_json",
    "pipeline.registry",
    "pipeline.book",
    "pipeline.build",
    "pipeline.project",
)

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign | ast.AnnAssign


@dataclass
class Module:
    """One module's source: its dotted name, file, syntax tree and lines."""

    name: str
    path: Path
    tree: ast.Module
    lines: list[str]

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def load(name: str) -> Module:
    """The module ``name`` (``pipeline.x.y``) parsed from its file under :data:`PACKAGE`."""
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    text = path.read_text(encoding="utf-8")
    return Module(name, path, ast.parse(text, filename=str(path)), text.splitlines())


def rst_to_md(text: str) -> str:
    """Docstring markup as Markdown: ``code`` -> `code`, :role:`~a.b` -> `b`, :role:`a.b` -> `a.b`."""
    text = re.sub(r":[a-z]+:`~?([^`]*?)`", lambda m: "`" + (m.group(1).rsplit(".", 1)[-1]
                                                                if m.group(0).split("`")[1].startswith("~")
                                                                else m.group(1)) + "`", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _target_name(node: ast.Assign | ast.AnnAssign) -> str | None:
    target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if len(node.targets) == 1 else None)
    return target.id if isinstance(target, ast.Name) else None


def _comment_above(mod: Module, node: ast.stmt) -> str | None:
    """The ``#:`` comment lines right above a statement, joined."""
    out: list[str] = []
    i = node.lineno - 2
    while i >= 0 and mod.lines[i].lstrip().startswith("#:"):
        out.insert(0, mod.lines[i].lstrip()[2:].strip())
        i -= 1
    return " ".join(out) if out else None


def definitions(mod: Module) -> dict[str, Definition]:
    """Top-level functions, classes and assigned names of a module."""
    out: dict[str, Definition] = {}
    for node in mod.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            name = _target_name(node)
            if name is not None:
                out[name] = node
    return out


def declared_all(mod: Module) -> list[str] | None:
    """The module's ``__all__``, when it is a literal list or tuple of strings."""
    for node in mod.tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _target_name(node) == "__all__" and node.value:
            value = ast.literal_eval(node.value)
            return [str(v) for v in value]
    return None


def public_names(mod: Module) -> list[str]:
    """``__all__`` if the module declares it; else its public functions and classes, and constants with ``#:``."""
    names = declared_all(mod)
    if names is not None:
        return names
    out = []
    for name, node in definitions(mod).items():
        if name.startswith("_"):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign) and _comment_above(mod, node) is None:
            continue
        out.append(name)
    return out


def imported_from(mod: Module, name: str) -> str | None:
    """The module a name is imported from (``from .core import read_bytes`` -> ``pipeline.core``), also under
    ``if TYPE_CHECKING:`` (a package that loads its names when first used)."""
    body = list(mod.tree.body)
    for node in mod.tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            body += node.body
    for node in body:
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            if node.level == 0:
                return node.module
            base = mod.name.split(".")
            if not mod.is_package:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            return ".".join(base + ([node.module] if node.module else []))
    return None


def anchor(qualified: str) -> str:
    """The Markdown heading anchor of a documented name (headings are ``### `qualified` ``)."""
    return re.sub(r"[^a-z0-9_-]", "", qualified.lower().replace(" ", "-"))


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool) -> str:
    args = node.args
    if method and (args.posonlyargs or args.args):
        args = ast.arguments(posonlyargs=args.posonlyargs[1:] if args.posonlyargs else [],
                             args=args.args if args.posonlyargs else args.args[1:], vararg=args.vararg,
                             kwonlyargs=args.kwonlyargs, kw_defaults=args.kw_defaults, kwarg=args.kwarg,
                             defaults=args.defaults[-len(args.args[1:]):] if args.args[1:] and args.defaults
                             else [])
    ret = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"({ast.unparse(args)}){ret}"


def _docstring(node: ast.AST) -> str:
    doc = ast.get_docstring(node) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef |
                                                ast.Module) else None
    return rst_to_md(doc) if doc else "*(no docstring)*"


def _short(value: ast.expr | None, limit: int = 60) -> str | None:
    if value is None:
        return None
    text = ast.unparse(value)
    return text if len(text) <= limit else None


def _fields(cls: ast.ClassDef) -> list[tuple[str, str, str | None, str]]:
    """(name, type, default, docstring) of each field a class body declares (annotated or assigned)."""
    out: list[tuple[str, str, str | None, str]] = []
    body = cls.body
    for i, node in enumerate(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, kind, default = node.target.id, ast.unparse(node.annotation), _short(node.value)
            if node.value is not None and default is None:
                default = "…"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, kind, default = node.targets[0].id, "", _short(node.value) or "…"
        else:
            continue
        if name.startswith("_"):
            continue
        nxt = body[i + 1] if i + 1 < len(body) else None
        doc = ""
        if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
            doc = " ".join(ln.strip() for ln in nxt.value.value.strip().splitlines())
        out.append((name, kind, default, rst_to_md(doc)))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_class(qualified: str, cls: ast.ClassDef) -> list[str]:
    bases = ", ".join(ast.unparse(b) for b in cls.bases)
    out = [f"### `{qualified}`", "", f"class `{cls.name}({bases})`" if bases else f"class `{cls.name}`", "",
           _docstring(cls), ""]
    fields = _fields(cls)
    if fields:
        out += ["| field | type | default | meaning |", "|---|---|---|---|"]
        for name, kind, default, doc in fields:
            out.append(f"| `{name}` | {_cell(f'`{kind}`') if kind else ''} | "
                       f"{_cell(f'`{default}`') if default is not None else ''} | {_cell(doc)} |")
        out.append("")
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            prop = any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)
            sig = "" if prop else _signature(node, method=True)
            out += [f"- **`{node.name}{sig}`**" + (" (property)" if prop else "") + " — "
                    + _docstring(node).replace("\n", " "), ""]
    return out


def render_function(qualified: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [f"### `{qualified}`", "", f"```python\n{node.name}{_signature(node, method=False)}\n```", "",
            _docstring(node), ""]


def render_constant(qualified: str, mod: Module, node: ast.Assign | ast.AnnAssign) -> list[str]:
    kind = f": {ast.unparse(node.annotation)}" if isinstance(node, ast.AnnAssign) else ""
    value = _short(node.value, 100)
    line = f"`{qualified.rsplit('.', 1)[-1]}{kind}" + (f" = {value}`" if value else "`")
    comment = _comment_above(mod, node)
    return [f"### `{qualified}`", "", line, "", rst_to_md(comment) if comment else "", ""]


def render_module(mod: Module, documented: set[str]) -> list[str]:
    out = [f"## `{mod.name}`", "", _docstring(mod.tree), ""]
    defs = definitions(mod)
    for name in public_names(mod):
        qualified = f"{mod.name}.{name}"
        node = defs.get(name)
        if node is None:
            source = imported_from(mod, name)
            if source is not None and source in documented:
                out.append(f"- `{qualified}`: see [`{source}.{name}`](#{anchor(f'{source}.{name}')})")
            elif source is not None and source.startswith("pipeline"):
                try:
                    src_mod = load(source)
                except OSError:
                    out.append(f"- `{qualified}` (from `{source}`)")
                    continue
                src_node = definitions(src_mod).get(name)
                if src_node is None:
                    out.append(f"- `{qualified}` (from `{source}`)")
                else:
                    out += _render(qualified, src_mod, src_node)
            else:
                out.append(f"- `{qualified}` (from `{source}`)")
            continue
        out += _render(qualified, mod, node)
    return out


def _render(qualified: str, mod: Module, node: Definition) -> list[str]:
    """A definition's section, after a blank line (which ends a list of re-exported names before it)."""
    return ["", *_section(qualified, mod, node)]


def _section(qualified: str, mod: Module, node: Definition) -> list[str]:
    if isinstance(node, ast.ClassDef):
        return render_class(qualified, node)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return render_function(qualified, node)
    return render_constant(qualified, mod, node)


def _summary(mod: Module) -> str:
    """The first paragraph of a module's docstring, on one line."""
    return " ".join(_docstring(mod.tree).split("\n\n", 1)[0].split())


def apiref(modules: tuple[str, ...] = MODULES) -> str:
    """The whole page as Markdown, ending in one newline."""
    loaded = [load(m) for m in modules]
    documented = set(modules)
    out = ["# docpipe API reference", "",
           "<!-- Generated by `python -m pipeline.tools.apiref > docs/api.md` from the docstrings; do not edit. -->",
           "", "Modules:", ""]
    out += [f"- [`{m.name}`](#{anchor(m.name)}) — {_summary(m)}" for m in loaded]
    out.append("")
    for m in loaded:
        out += render_module(m, documented)
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


def main() -> int:
    sys.stdout.write(apiref())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
