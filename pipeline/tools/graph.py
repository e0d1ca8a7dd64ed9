"""The import graph of ``pipeline/`` and the structural rules it must keep.

``python -m pipeline.tools.graph`` prints every module with the modules it imports (module-level imports, and
those written inside functions marked ``(in function)``, those under ``if TYPE_CHECKING`` marked ``(type
checking)``), then checks, and exits 1 listing every violation:

* **no cycle**: the graph of all imports, function-level ones included (an import inside a function still makes
  the two modules depend on each other; it only hides the dependency from a reader of the file's head);
* **no reader -> writer**: a *reader module* (any module under ``pipeline/readers/``, and any module
  ``registry.READERS`` names that is not also a writer) reaches nothing under ``pipeline/writers/``, directly
  or through other modules;
* **no writer -> writer**: a *writer module* is a module that ``registry.WRITERS`` or ``registry.PDF_ENGINES``
  names under ``pipeline/writers/`` (with its submodules, should it become a package). Every other module under
  ``pipeline/writers/`` is a *shared writer module* (``page``, ``wordml``, ``justify``, ``docx_layout``...).
  The rule: no module under ``pipeline/writers/``, writer or shared, imports a writer module other than itself,
  directly or through other modules. So a module such as ``writers/html.py`` is either the HTML writer, and
  then EPUB and PDF may not import it, or it is shared, and then it is not named in the registry; what two
  writers share lives in a shared module that no writer's entry point depends on;
* **no long function**: no function (nested functions count towards the function that holds them) runs over
  100 lines unless its docstring has a line starting ``Long because:`` that says why.

``ir_json`` is both a reader and a writer of the IR's own serialization and counts as neither. Imports are read
with :mod:`ast`, never executed; ``importlib`` calls with computed names (the registry's) are not edges.
Options: ``--violations`` prints only the violations; ``--root DIR`` checks another package directory.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MAX_LINES = 100
REASON = "Long because:"


@dataclass(frozen=True, slots=True)
class Edge:
    """One import: from module ``src`` to module ``dst``, at ``line``; inside a function, or under ``if
    TYPE_CHECKING`` (for the type checker only: still a dependency of the design, and counted as one)."""

    src: str
    dst: str
    line: int
    in_function: bool
    typing_only: bool = False


@dataclass(slots=True)
class Graph:
    """Modules (dotted names -> source files) and the import edges between them."""

    package: str
    files: dict[str, Path] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    _out: dict[str, list[Edge]] = field(default_factory=dict)
    _succ: dict[str, list[str]] = field(default_factory=dict)

    def add(self, edge: Edge) -> None:
        """Record one import."""
        self.edges.append(edge)
        self._out.setdefault(edge.src, []).append(edge)
        succ = self._succ.setdefault(edge.src, [])
        if edge.dst not in succ:
            bisect.insort(succ, edge.dst)

    def edges_from(self, src: str) -> list[Edge]:
        """The imports written in ``src``, in the order they were added."""
        return self._out.get(src, [])

    def targets(self, src: str) -> list[str]:
        """The modules ``src`` imports, sorted, each once."""
        return self._succ.get(src, [])


def module_name(root: Path, package: str, path: Path) -> str:
    """The dotted name of the module in ``path`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _is_package(graph: Graph, name: str) -> bool:
    return graph.files.get(name, Path()).name == "__init__.py"


def _resolve(graph: Graph, src: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules of ``graph`` an import statement in ``src`` names (a ``from pkg import sub`` names ``sub``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            name = alias.name
            while name and name not in graph.files:  # ``import a.b.c`` of a function's attribute path
                name = name.rpartition(".")[0]
            if name:
                yield name
        return
    if node.level:
        base = src if _is_package(graph, src) else src.rpartition(".")[0]
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module or ""
    if base not in graph.files:
        return
    subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in graph.files]
    yield from subs
    if len(subs) < len(node.names):
        yield base


def _type_checking(node: ast.AST) -> bool:
    """``node`` is ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """Every import statement in ``tree``, whether it sits inside a function and whether under TYPE_CHECKING."""
    todo: list[tuple[ast.AST, bool, bool]] = [(tree, False, False)]
    while todo:
        node, inside, typing_only = todo.pop()
        children: Sequence[tuple[ast.AST, bool]]
        if isinstance(node, ast.If) and _type_checking(node):  # its body is for the type checker; ``else`` runs
            children = [(c, True) for c in node.body] + [(c, typing_only) for c in node.orelse]
        else:
            children = [(c, typing_only) for c in ast.iter_child_nodes(node)]
        for child, typing in children:
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, inside, typing
            else:
                todo.append((child, inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda),
                             typing))


def build(root: Path, package: str | None = None) -> tuple[Graph, dict[str, ast.Module]]:
    """Parse every ``.py`` file under ``root`` (the package directory) into the import graph."""
    package = package or root.name
    graph = Graph(package)
    paths = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    for path in paths:
        graph.files[module_name(root, package, path)] = path
    trees: dict[str, ast.Module] = {}
    for name, path in graph.files.items():
        trees[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, inside, typing_only in _imports(trees[name]):
            for dst in _resolve(graph, name, node):
                if dst != name:
                    graph.add(Edge(name, dst, node.lineno, inside, typing_only))
    return graph, trees


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    succ = {m: graph.targets(m) for m in graph.files}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(succ):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            if i < len(succ[v]):
                work.append((v, i + 1))
                w = succ[v][i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp: list[str] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return sorted(found)


def _cycle_path(graph: Graph, comp: list[str]) -> list[str]:
    """One concrete cycle through the first module of a strongly connected component."""
    members = set(comp)
    start = comp[0]
    prev: dict[str, str] = {}
    todo = deque([start])
    while todo:
        v = todo.popleft()
        for w in graph.targets(v):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return [*reversed(path), start]
            if w in members and w not in prev:
                prev[w] = v
                todo.append(w)
    return comp  # not reached: a component always holds a cycle


def _path(graph: Graph, src: str, goal: set[str], allowed: set[str]) -> list[str] | None:
    """The shortest import path from ``src`` to a module in ``goal`` (other than ``allowed``), or None."""
    prev: dict[str, str] = {src: src}
    todo = deque([src])
    while todo:
        v = todo.popleft()
        for w in graph.targets(v):
            if w in prev:
                continue
            prev[w] = v
            if w in goal and w not in allowed:
                path = [w]
                while path[-1] != src:
                    path.append(prev[path[-1]])
                return path[::-1]
            todo.append(w)
    return None


def _literal_keys_values(tree: ast.Module, names: Iterable[str]) -> list[str]:
    """The ``module:function`` strings of the dict literals ``names`` assigned in ``tree`` (the registry)."""
    wanted = set(names)
    specs: list[str] = []
    for stmt in tree.body:
        target: ast.expr
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in wanted:
            for v in ast.literal_eval(value).values():
                specs.append(v[0] if isinstance(v, tuple) else v)
    return specs


def _owned(graph: Graph, roots: Iterable[str]) -> set[str]:
    """The modules ``roots`` name, with their submodules."""
    out: set[str] = set()
    for r in roots:
        out |= {m for m in graph.files if m == r or m.startswith(r + ".")}
    return out


def roles(graph: Graph, trees: dict[str, ast.Module]) -> tuple[set[str], set[str], set[str]]:
    """(reader modules, writer modules, every module under ``writers``) by the rules of the module docstring."""
    reg = trees.get(f"{graph.package}.registry")
    reader_specs = _literal_keys_values(reg, ["READERS"]) if reg else []
    writer_specs = _literal_keys_values(reg, ["WRITERS", "PDF_ENGINES"]) if reg else []
    reader_mods = {s.partition(":")[0] for s in reader_specs}
    writer_mods = {s.partition(":")[0] for s in writer_specs}
    writers_pkg = f"{graph.package}.writers"
    writers = _owned(graph, {m for m in writer_mods if m.startswith(writers_pkg + ".")})
    readers = _owned(graph, {f"{graph.package}.readers"} | (reader_mods - writer_mods))
    return readers, writers, _owned(graph, {writers_pkg})


def long_functions(trees: dict[str, ast.Module]) -> list[tuple[str, str, int, int, bool]]:
    """(module, qualified name, first line, length, has a reason) of every function over ``MAX_LINES`` lines."""
    out: list[tuple[str, str, int, int, bool]] = []
    for mod, tree in trees.items():
        todo: list[tuple[ast.AST, str]] = [(tree, "")]
        while todo:
            node, prefix = todo.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    qual = f"{prefix}{child.name}"
                    todo.append((child, qual + "."))
                    if isinstance(child, ast.ClassDef):
                        continue
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    length = (child.end_lineno or child.lineno) - first + 1
                    if length > MAX_LINES:
                        doc = ast.get_docstring(child) or ""
                        reason = any(line.strip().startswith(REASON) for line in doc.splitlines())
                        out.append((mod, qual, child.lineno, length, reason))
                else:
                    todo.append((child, prefix))
    return sorted(out)


def violations(graph: Graph, trees: dict[str, ast.Module]) -> list[str]:
    """Every broken rule, one line each, in a stable order."""
    out: list[str] = []
    for comp in cycles(graph):
        out.append("cycle: " + " -> ".join(_cycle_path(graph, comp)))
    readers, writers, under_writers = roles(graph, trees)
    for mod in sorted(readers):
        path = _path(graph, mod, under_writers, set())
        if path:
            out.append("reader -> writer: " + " -> ".join(path))
    for mod in sorted(under_writers):
        own = {w for w in writers if w == mod or w.startswith(mod + ".") or mod.startswith(w + ".")}
        path = _path(graph, mod, writers, own)
        if path:
            out.append("writer -> writer: " + " -> ".join(path))
    for mod, qual, line, length, reason in long_functions(trees):
        if not reason:
            out.append(f"long function: {_shown(graph, mod)}:{line} {mod}.{qual} is {length} lines "
                       f"(over {MAX_LINES}, no '{REASON}' in its docstring)")
    return out


def _shown(graph: Graph, mod: str) -> str:
    """The file of ``mod`` relative to the package's parent directory (``pipeline/walk.py``)."""
    path = graph.files[mod]
    parts = path.parts
    return "/".join(parts[len(parts) - len(mod.split(".")) - (path.name == "__init__.py"):])


def render(graph: Graph) -> str:
    """The graph as text: one module a line, then its imports indented."""
    lines: list[str] = []
    for mod in sorted(graph.files):
        lines.append(mod)
        by_dst: dict[str, list[Edge]] = {}
        for e in graph.edges_from(mod):
            by_dst.setdefault(e.dst, []).append(e)
        for dst in sorted(by_dst):
            by_dst[dst].sort(key=lambda e: e.line)
            where = ", ".join(f"{e.line}{' (in function)' if e.in_function else ''}"
                              f"{' (type checking)' if e.typing_only else ''}" for e in by_dst[dst])
            lines.append(f"    -> {dst}  [line {where}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the graph (unless ``--violations``) and the violations; 1 if there are any."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.tools.graph", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the package directory (default: this pipeline/)")
    parser.add_argument("--violations", action="store_true", help="print only the violations")
    args = parser.parse_args(argv)
    graph, trees = build(args.root)
    if not args.violations:
        inner = sum(e.in_function for e in graph.edges)
        typing_only = sum(e.typing_only for e in graph.edges)
        print(render(graph))
        print(f"\n{len(graph.files)} modules, {len(graph.edges)} imports ({inner} inside functions, "
              f"{typing_only} for the type checker only)")
    found = violations(graph, trees)
    for v in found:
        print(v)
    print(f"{len(found)} violation(s)" if found else "no violations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
