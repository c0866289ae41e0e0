"""Name resolution across files: import bindings, re-exports, bases and call targets.

Everything here is static and works on :class:`~repo_graph.parse.FileParse` records only, so a
rebuild can re-resolve a few files against the indexes of all the others.
"""

from __future__ import annotations

import builtins
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from repo_graph.instances import InstanceIndex
from repo_graph.modules import ModuleIndex
from repo_graph.parse import FileParse, ImportStmt

BUILTINS = frozenset(dir(builtins))
MAX_HOPS = 12  # re-export chains and MROs longer than this are cut (and cycles with them)


class Edge(NamedTuple):
    """One resolved edge, before it enters the graph."""

    source: str
    target: str
    kind: str


class Resolver:
    """Resolves the imports, bases and calls of files against the whole repository."""

    def __init__(self, parses: Mapping[str, FileParse]) -> None:
        self.index = ModuleIndex(parses)
        self.children: dict[str, dict[str, str]] = {}  # node id -> child name -> child id
        self.kinds: dict[str, str] = {}  # entity id -> "class" | "function"
        self.bound: dict[tuple[str, str], dict[str, ImportStmt]] = {}  # (file, scope) -> names
        self.stars: dict[str, list[ImportStmt]] = {}  # file -> its module-level star imports
        self.raw_bases: dict[str, dict[str, tuple[str, str, tuple[str, ...]]]] = {}
        self.bases: dict[str, list[str]] = {}  # class id -> resolved base ids
        # (module, name) -> (what it resolves to, the files consulted to find out)
        self._attr_memo: dict[tuple[str, str], tuple[str | None, frozenset[str]]] = {}
        self._trace: set[str] | None = None  # files consulted by the resolution under way
        self.base_deps: dict[str, set[str]] = {}  # file -> files its bases' resolution read
        self.instances = InstanceIndex()
        for path, parse in parses.items():
            self.add_file(path, parse)
        self.resolve_bases(parses)

    def forget(self, paths: set[str]) -> None:
        """Drop remembered resolutions that read any of these files."""
        stale = [key for key, (_, read) in self._attr_memo.items() if not read.isdisjoint(paths)]
        for key in stale:
            del self._attr_memo[key]

    def forget_all(self) -> None:
        """Drop every remembered resolution (the set of modules changed)."""
        self._attr_memo.clear()

    def add_file(self, path: str, parse: FileParse) -> None:
        """Index the definitions and imports of one file (bases: :meth:`resolve_bases`)."""
        self.forget({path})
        for d in parse.definitions:
            entity = f"{path}:{d.qualname}"
            if entity in self.kinds:
                continue  # a redefinition (property setter, if/else): the first one names it
            self.kinds[entity] = d.kind
            parent, _, name = d.qualname.rpartition(".")
            owner = f"{path}:{parent}" if parent else path
            self.children.setdefault(owner, {}).setdefault(name, entity)
            if d.bases:
                self.raw_bases.setdefault(path, {})[entity] = (path, d.qualname, d.bases)
        self.instances.add_file(path, parse, _class_names(parse))
        for stmt in parse.imports:
            if stmt.name == "*":
                if not stmt.scope:
                    self.stars.setdefault(path, []).append(stmt)
                continue
            # Later bindings of a name win, as they do when Python runs the module.
            self.bound.setdefault((path, stmt.scope), {})[bound_name(stmt)] = stmt

    def remove_file(self, path: str, parse: FileParse) -> None:
        """Forget what :meth:`add_file` indexed for this file."""
        self.forget({path})
        self.children.pop(path, None)
        for d in parse.definitions:
            entity = f"{path}:{d.qualname}"
            self.children.pop(entity, None)
            self.kinds.pop(entity, None)
            self.bases.pop(entity, None)
        for stmt in parse.imports:
            self.bound.pop((path, stmt.scope), None)
        self.stars.pop(path, None)
        self.raw_bases.pop(path, None)
        self.instances.remove_file(path, parse, _class_names(parse))

    def resolve_bases(self, paths: Iterable[str]) -> None:
        """Resolve the base classes of the classes defined in ``paths``."""
        for path in paths:
            self._trace = set()
            for class_id, (file, qualname, raw) in self.raw_bases.get(path, {}).items():
                self.bases[class_id] = [
                    b for e in raw if (b := self.resolve_dotted(file, qualname, e)) and ":" in b
                ]
            self.base_deps[path], self._trace = self._trace, None

    def _note(self, files: Iterable[str]) -> None:
        if self._trace is not None:
            self._trace.update(files)

    def file_edges(
        self, path: str, parse: FileParse
    ) -> tuple[list[Edge], dict[str, list[str]], frozenset[str]]:
        """All resolved edges of one file, its unresolved calls, and the files it depends on.

        The dependencies are every other file whose contents the resolution consulted
        (re-export chains, star imports, base classes), so that a change to one of them
        re-resolves this file.
        """
        self._trace = set(self.base_deps.get(path, ()))
        try:
            edges = list(self.import_edges(path, parse))
            code, unresolved = self.code_edges(path, parse)
            edges.extend(code)
            deps = frozenset(self._trace - {path})
        finally:
            self._trace = None
        return edges, unresolved, deps

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
        key = (module_file, name)
        hit = self._attr_memo.get(key)
        if hit is not None:
            self._note(hit[1])
            return hit[0]
        if hops > MAX_HOPS:
            return None
        self._attr_memo[key] = (None, frozenset({module_file}))  # a re-export cycle: nothing
        outer, self._trace = self._trace, {module_file}
        try:
            found = self._attr(module_file, name, hops)
        finally:
            consulted, self._trace = self._trace, outer
        self._attr_memo[key] = (found, frozenset(consulted))
        self._note(consulted)
        return found

    def _attr(self, module_file: str, name: str, hops: int) -> str | None:
        found = self.children.get(module_file, {}).get(name)
        if found:
            return found
        stmt = self.bound.get((module_file, ""), {}).get(name)
        if stmt is not None and (target := self.resolve_binding(module_file, stmt, hops + 1)):
            return target
        if module_file.endswith("__init__.py"):
            submodule = self.index.file_at(f"{posixpath.dirname(module_file)}/{name}")
            if submodule:
                return submodule
        for star in self.stars.get(module_file, ()):
            star_file = self.resolve_module(module_file, star.module, star.level)
            target = None
            if star_file and star_file != module_file:
                target = self.resolve_attr(star_file, name, hops + 1)
            if target:
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
        for index, qualname in enumerate(scope_chain(scope)):
            owner = f"{path}:{qualname}"
            # A class body's names are not visible from the methods nested in it.
            if index > 0 and self.kinds.get(owner) == "class":
                continue
            found = self.children.get(owner, {}).get(name)
            if found:
                return found
            stmt = self.bound.get((path, qualname), {}).get(name)
            if stmt is not None:
                return self.resolve_binding(path, stmt)
        found = self.children.get(path, {}).get(name)
        if found:
            return found
        stmt = self.bound.get((path, ""), {}).get(name)
        if stmt is not None:
            return self.resolve_binding(path, stmt)
        for star in self.stars.get(path, ()):
            star_file = self.resolve_module(path, star.module, star.level)
            if star_file and (found := self.resolve_attr(star_file, name)):
                return found
        return None

    def member(self, target: str, name: str) -> str | None:
        """``target.name``: a module attribute, or a class member found through its bases."""
        if ":" not in target:
            return self.resolve_attr(target, name)
        if self.kinds.get(target) != "class":
            return None
        for cls in self.mro(target):
            self._note((cls.partition(":")[0],))
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

    def resolve_dotted(self, path: str, scope: str, dotted: str, hops: int = 0) -> str | None:
        """The node a dotted expression names from inside ``scope`` (None: unknown)."""
        head, *rest = dotted.split(".")
        target: str | None
        if head in ("self", "cls", "super") and (cls := self.enclosing_class(path, scope)):
            target = cls
            if head == "super":
                target = self._super_member(cls, rest[0]) if rest else None
                rest = rest[1:]
            elif head == "self" and len(rest) > 1 and self.member(cls, rest[0]) is None:
                target = self._attribute_instance(cls, rest[0], hops)
                rest = rest[1:] if target else rest
        else:
            target = self.lookup_name(path, scope, head)
            if target is None and rest:
                target = self._name_instance(path, scope, head, hops)
        for index, part in enumerate(rest):
            if target is None:
                return None
            found = self.member(target, part)
            if found is None and ":" not in target and index < len(rest) - 1:
                # module.instance.method(): an instance made at the module's top level
                found = self._name_instance(target, "", part, hops)
            target = found
        return target

    def _name_instance(self, path: str, scope: str, name: str, hops: int) -> str | None:
        """The class whose instance a name holds: ``x = Engine()`` in this scope or one
        around it, or in the module a ``from m import x`` names."""
        if hops > 2:
            return None
        for qualname in [*scope_chain(scope), ""]:
            callee = self.instances.name(path, qualname, name)
            if callee:
                found = self.resolve_dotted(path, qualname, callee, hops + 1)
                return found if found and self.kinds.get(found) == "class" else None
        stmt = self._binding(path, scope, name)
        if stmt is None or not stmt.name:
            return None
        module_file = self.resolve_module(path, stmt.module, stmt.level)
        if module_file is None:
            return None
        self._note((module_file,))
        return self._name_instance(module_file, "", stmt.name, hops + 1)

    def _binding(self, path: str, scope: str, name: str) -> ImportStmt | None:
        """The import statement that binds ``name`` in ``scope`` or around it."""
        for qualname in [*scope_chain(scope), ""]:
            stmt = self.bound.get((path, qualname), {}).get(name)
            if stmt is not None:
                return stmt
        return None

    def _attribute_instance(self, cls: str, attribute: str, hops: int) -> str | None:
        """The class whose instance ``self.attribute`` holds, looked up along the MRO."""
        if hops > 2:
            return None
        for owner in self.mro(cls):
            assigned = self.instances.attribute(owner, attribute)
            if assigned is None:
                continue
            self._note((owner.partition(":")[0],))
            scope, callee = assigned
            found = self.resolve_dotted(owner.partition(":")[0], scope, callee, hops + 1)
            return found if found and self.kinds.get(found) == "class" else None
        return None

    def _super_member(self, cls: str, name: str) -> str | None:
        for base in self.mro(cls)[1:]:
            self._note((base.partition(":")[0],))
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
        edges = [
            Edge(class_id, base, "inherits")
            for class_id in self.raw_bases.get(path, {})
            for base in self.bases.get(class_id, ())
        ]
        unresolved: dict[str, list[str]] = {}
        memo: dict[tuple[str, str], str | None] = {}  # a file calls the same names many times
        for call in parse.calls:
            source = f"{path}:{call.scope}" if call.scope else path
            target = None
            if not call.callee.startswith("."):
                key = (call.scope, call.callee)
                if key not in memo:
                    memo[key] = self.resolve_dotted(path, call.scope, call.callee)
                target = memo[key]
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


def _class_names(parse: FileParse) -> set[str]:
    return {d.qualname for d in parse.definitions if d.kind == "class"}
