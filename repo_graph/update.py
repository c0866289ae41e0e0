"""Incremental update: re-parse changed files, re-resolve only the files that depend on them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from repo_graph.assemble import (
    CONTAINS,
    add_resolved,
    add_structure,
    drop_files,
    owned_nodes,
    prune_directories,
)
from repo_graph.modules import ModuleIndex
from repo_graph.parse import FileParse
from repo_graph.resolve import Resolver

if TYPE_CHECKING:
    import networkx as nx

INHERITS = "inherits"


def dependents(
    graph: nx.MultiDiGraph, changed: set[str], deps: Mapping[str, frozenset[str]]
) -> set[str]:
    """Files whose resolved edges may change with ``changed``: those whose resolution read
    them, those pointing into them, and the files of every class inheriting from theirs."""
    affected = set(changed) | {path for path, read in deps.items() if read & changed}
    todo: list[str] = []
    for path in changed:
        if path not in graph:
            continue
        for node in owned_nodes(graph, path):
            for source, _, kind in graph.in_edges(node, keys=True):
                if kind == CONTAINS:
                    continue
                affected.add(graph.nodes[source]["path"])
                if kind == INHERITS:
                    todo.append(source)
    seen: set[str] = set()
    while todo:  # subclasses of subclasses: their self.method() calls walk the changed MRO
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for source, _, kind in graph.in_edges(cls, keys=True):
            if kind == INHERITS:
                affected.add(graph.nodes[source]["path"])
                todo.append(source)
    return affected


def update_graph(
    graph: nx.MultiDiGraph,
    resolver: Resolver,
    parses: dict[str, FileParse],
    unresolved: dict[str, tuple[str, ...]],
    deps: dict[str, frozenset[str]],
    fresh: Mapping[str, FileParse | None],
) -> int:
    """Apply new parses (None: the file is gone) in place; return how many files re-resolved."""
    changed = set(fresh)
    affected = dependents(graph, changed, deps)
    drop_files(graph, changed, nodes=True)
    drop_files(graph, affected - changed, nodes=False)
    paths_before = set(parses)
    for path in changed:
        old = parses.pop(path, None)
        if old is not None:
            resolver.remove_file(path, old)
    for path, parse in fresh.items():
        if parse is not None:
            parses[path] = parse
            resolver.add_file(path, parse)
    if set(parses) != paths_before:
        resolver.index = ModuleIndex(parses)
        resolver.forget_all()
        # A new or deleted module can change what any import of that name resolves to.
        affected |= _importers_of(parses, changed)
    add_structure(graph, (p for p in fresh.values() if p is not None))
    if any(parse is None for parse in fresh.values()):
        prune_directories(graph)
    live = sorted(p for p in affected if p in parses)
    resolver.resolve_bases(live)
    for caller in [c for c in unresolved if c.partition(":")[0] in affected]:
        del unresolved[caller]
    for path in [p for p in deps if p not in parses]:
        del deps[path]
    unresolved.update(add_resolved(graph, resolver, parses, live, deps))
    return len(live)


def _importers_of(parses: Mapping[str, FileParse], changed: set[str]) -> set[str]:
    """Files whose imports mention a module name that one of the changed paths could be."""
    stems = {p.rsplit("/", 1)[-1].removesuffix(".py") for p in changed}
    stems |= {p.rsplit("/", 2)[-2] for p in changed if p.endswith("__init__.py") and "/" in p}
    found = set()
    for path, parse in parses.items():
        for stmt in parse.imports:
            words = set(stmt.module.split(".")) | {stmt.name}
            if words & stems:
                found.add(path)
                break
    return found
