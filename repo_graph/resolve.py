"""Name resolution across files: the module index, import bindings, bases and call targets.

Everything here is static and works on :class:`~repo_graph.parse.FileParse` records only, so a
rebuild can re-resolve a few files against the indexes of all the others.
"""

from __future__ import annotations

import builtins
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from repo_graph.parse import FileParse, ImportStmt

BUILTINS = frozenset(dir(builtins))
MAX_HOPS = 12  # re-export chains and MROs longer than this are cut (and cycles with them)


class Edge(NamedTuple):
    """One resolved edge, before it enters the graph."""

    source: str
    target: str
    kind: str


class ModuleIndex:
    """Dotted module names -> files; packages through ``__init__.py``; src/ layouts."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        packages = {posixpath.dirname(p) for p in self.paths if p.endswith("/__init__.py")}
        self.names: dict[str, list[str]] = {}
        for path in sorted(self.paths):
            for name in module_names(path, packages):
                self.names.setdefault(name, []).append(path)

    def lookup(self, name: str, importer: str) -> str | None:
        """The file of module ``name``; among several, the one nearest the importer."""
        found = self.names.get(name)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        return max(found, key=lambda p: (len(posixpath.commonpath([p, importer])), -len(p)))

    def file_at(self, base: str) -> str | None:
        """The module file at a path without suffix: ``base.py`` or ``base/__init__.py``."""
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            candidate = candidate.lstrip("/")
            if candidate in self.paths:
                return candidate
        return None


def module_names(path: str, packages: set[str]) -> list[str]:
    """Importable names of a file: from its topmost package, and from the root."""
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts:
        return []
    directory = posixpath.dirname(path)
    depth = 0  # how many leading directories the file's packages span
    while directory and directory in packages:
        depth += 1
        directory = posixpath.dirname(directory)
    keep = depth + (0 if path.endswith("__init__.py") else 1)
    names = [".".join(parts[-keep:])]
    full = ".".join(parts)
    if full not in names:
        names.append(full)
    return [n for n in names if n]


class Resolver:
    """Resolves the imports, bases and calls of files against the whole repository."""

    def __init__(self, parses: Mapping[str, FileParse]) -> None:
        self.index = ModuleIndex(parses)
        self.children: dict[str, dict[str, str]] = {}  # node id -> child name -> child id
        self.kinds: dict[str, str] = {}  # entity id -> "class" | "function"
        self.bindings: dict[tuple[str, str], list[ImportStmt]] = {}  # (file, scope) -> imports
        self.bases: dict[str, list[str]] = {}  # class id -> resolved base ids
        for path, parse in parses.items():
            self._index_file(path, parse)
        self._raw_bases = {
            f"{path}:{d.qualname}": (path, d.qualname, d.bases)
            for path, parse in parses.items()
            for d in parse.definitions
            if d.bases
        }
        for class_id, (path, qualname, raw) in self._raw_bases.items():
            self.bases[class_id] = [
                b for expr in raw if (b := self.resolve_dotted(path, qualname, expr)) and ":" in b
            ]

    def _index_file(self, path: str, parse: FileParse) -> None:
        for d in parse.definitions:
            entity = f"{path}:{d.qualname}"
            if entity in self.kinds:
                continue  # a redefinition (property setter, if/else): the first one names it
            self.kinds[entity] = d.kind
            parent, _, name = d.qualname.rpartition(".")
            owner = f"{path}:{parent}" if parent else path
            self.children.setdefault(owner, {}).setdefault(name, entity)
        for stmt in parse.imports:
            self.bindings.setdefault((path, stmt.scope), []).append(stmt)

    # --- modules and their attributes -------------------------------------------------------

    def resolve_module(self, path: str, module: str, level: int) -> str | None:
        """The file that ``import module`` (with ``level`` leading dots) names from ``path``."""
        if level == 0:
            return self.index.lookup(module, path)
        base = posixpath.dirname(path)
        for _ in range(level - 1):
            base = posixpath.dirname(base)
        tail = module.replace(".", "/")
        return self.index.file_at(f"{base}/{tail}" if tail else base)

    def resolve_attr(self, module_file: str, name: str, hops: int = 0) -> str | None:
        """What ``module.name`` is: a definition, a re-exported import, or a submodule."""
        if hops > MAX_HOPS:
            return None
        found = self.children.get(module_file, {}).get(name)
        if found:
            return found
        for stmt in self.bindings.get((module_file, ""), ()):
            if stmt.name != "*" and bound_name(stmt) == name:
                target = self.resolve_binding(module_file, stmt, hops + 1)
                if target:
                    return target
        if module_file.endswith("__init__.py"):
            package = posixpath.dirname(module_file)
            submodule = self.index.file_at(f"{package}/{name}")
            if submodule:
                return submodule
        for stmt in self.bindings.get((module_file, ""), ()):
            if stmt.name == "*":
                star = self.resolve_module(module_file, stmt.module, stmt.level)
                if (
                    star
                    and star != module_file
                    and (target := self.resolve_attr(star, name, hops + 1))
                ):
                    return target
        return None

    def resolve_binding(self, path: str, stmt: ImportStmt, hops: int = 0) -> str | None:
        """The node an import statement binds its name to (None: outside the repository)."""
        if not stmt.name:
            module = stmt.module if stmt.alias else stmt.module.split(".")[0]
            return self.resolve_module(path, module, 0)
        module_file = self.resolve_module(path, stmt.module, stmt.level)
        if module_file is None:
            return None
        return self.resolve_attr(module_file, stmt.name, hops)

    def import_edges(self, path: str, parse: FileParse) -> Iterator[Edge]:
        """``imports`` edges of one file: to module files, or the entities imported from them."""
        for stmt in parse.imports:
            if not stmt.name:
                target = self.resolve_module(path, stmt.module, 0)
            else:
                module_file = self.resolve_module(path, stmt.module, stmt.level)
                target = module_file
                if module_file and stmt.name != "*":
                    target = self.resolve_attr(module_file, stmt.name) or module_file
            if target and target != path:
                yield Edge(path, target, "imports")

    # --- names inside code ------------------------------------------------------------------

    def lookup_name(self, path: str, scope: str, name: str) -> str | None:
        """The node a bare name means inside ``scope`` of ``path`` (LEGB without builtins)."""
        chain = scope_chain(scope)
        for index, qualname in enumerate(chain):
            owner = f"{path}:{qualname}"
            # A class body's names are not visible from the methods nested in it.
            if index > 0 and self.kinds.get(owner) == "class":
                continue
            found = self.children.get(owner, {}).get(name) or self._bound(path, qualname, name)
            if found:
                return found
        return (
            self.children.get(path, {}).get(name)
            or self._bound(path, "", name)
            or (self._star(path, name))
        )

    def _bound(self, path: str, scope: str, name: str) -> str | None:
        for stmt in self.bindings.get((path, scope), ()):
            if stmt.name != "*" and bound_name(stmt) == name:
                return self.resolve_binding(path, stmt)
        return None

    def _star(self, path: str, name: str) -> str | None:
        for stmt in self.bindings.get((path, ""), ()):
            if stmt.name == "*":
                module_file = self.resolve_module(path, stmt.module, stmt.level)
                if module_file and (found := self.resolve_attr(module_file, name)):
                    return found
        return None

    def member(self, target: str, name: str) -> str | None:
        """``target.name``: a module attribute, or a class member found through its bases."""
        if ":" not in target:
            return self.resolve_attr(target, name)
        if self.kinds.get(target) != "class":
            return None
        for cls in self.mro(target):
            found = self.children.get(cls, {}).get(name)
            if found:
                return found
        return None

    def mro(self, class_id: str) -> list[str]:
        """The class and its resolved bases, depth first, each once (a static MRO)."""
        order: list[str] = []
        todo = [class_id]
        while todo and len(order) < MAX_HOPS * 4:
            current = todo.pop(0)
            if current in order:
                continue
            order.append(current)
            todo[0:0] = self.bases.get(current, [])
        return order

    def resolve_dotted(self, path: str, scope: str, dotted: str) -> str | None:
        """The node a dotted expression names from inside ``scope`` (None: unknown)."""
        head, *rest = dotted.split(".")
        if head in ("self", "cls", "super") and (cls := self.enclosing_class(path, scope)):
            target: str | None = cls
            if head == "super":
                target = self._super_member(cls, rest[0]) if rest else None
                rest = rest[1:]
        else:
            target = self.lookup_name(path, scope, head)
        for part in rest:
            if target is None:
                return None
            target = self.member(target, part)
        return target

    def _super_member(self, cls: str, name: str) -> str | None:
        for base in self.mro(cls)[1:]:
            found = self.children.get(base, {}).get(name)
            if found:
                return found
        return None

    def enclosing_class(self, path: str, scope: str) -> str | None:
        """The class whose method (or nested function of one) ``scope`` is."""
        for qualname in scope_chain(scope)[1:]:
            owner = f"{path}:{qualname}"
            if self.kinds.get(owner) == "class":
                return owner
        return None

    def code_edges(self, path: str, parse: FileParse) -> tuple[list[Edge], dict[str, list[str]]]:
        """``invokes`` and ``inherits`` edges of one file, and its calls left unresolved."""
        edges: list[Edge] = []
        unresolved: dict[str, list[str]] = {}
        for d in parse.definitions:
            class_id = f"{path}:{d.qualname}"
            if d.bases:
                edges.extend(Edge(class_id, b, "inherits") for b in self.bases.get(class_id, ()))
        for call in parse.calls:
            source = f"{path}:{call.scope}" if call.scope else path
            target = None
            if not call.callee.startswith("."):
                target = self.resolve_dotted(path, call.scope, call.callee)
            if target and ":" in target:
                edges.append(Edge(source, target, "invokes"))
            elif call.callee not in BUILTINS:
                unresolved.setdefault(source, []).append(call.callee.lstrip("."))
        return edges, unresolved


def bound_name(stmt: ImportStmt) -> str:
    """The name an import statement binds in its scope."""
    if stmt.alias:
        return stmt.alias
    if stmt.name:
        return stmt.name
    return stmt.module.split(".")[0]


def scope_chain(scope: str) -> list[str]:
    """``"A.f.g"`` -> ``["A.f.g", "A.f", "A"]``: the scope and the definitions around it."""
    if not scope:
        return []
    parts = scope.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
