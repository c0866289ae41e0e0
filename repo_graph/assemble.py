"""Turn per-file parse records into the graph: nodes, ``contains`` edges, resolved edges."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from repo_graph.model import EdgeKind, NodeKind
from repo_graph.parse import FileParse
from repo_graph.resolve import Resolver

if TYPE_CHECKING:
    import networkx as nx

CONTAINS = EdgeKind.CONTAINS.value


def add_structure(graph: nx.MultiDiGraph, parses: Iterable[FileParse]) -> None:
    """Add directory, file, class and function nodes with their ``contains`` edges."""
    if "" not in graph:
        graph.add_node("", **_dir_attrs(""))
    for parse in parses:
        _add_directories(graph, posixpath.dirname(parse.path))
        graph.add_node(
            parse.path,
            kind=NodeKind.FILE.value,
            path=parse.path,
            name=posixpath.basename(parse.path),
            start_line=1,
            end_line=parse.lines,
            signature="",
            docstring=parse.docstring,
        )
        graph.add_edge(posixpath.dirname(parse.path), parse.path, key=CONTAINS, kind=CONTAINS)
        _add_definitions(graph, parse)


def _dir_attrs(path: str) -> dict[str, object]:
    return {
        "kind": NodeKind.DIRECTORY.value,
        "path": path,
        "name": posixpath.basename(path),
        "start_line": 0,
        "end_line": 0,
        "signature": "",
        "docstring": "",
    }


def _add_directories(graph: nx.MultiDiGraph, directory: str) -> None:
    missing = []
    while directory and directory not in graph:
        missing.append(directory)
        directory = posixpath.dirname(directory)
    for path in reversed(missing):  # parents first, so no edge creates a bare node
        graph.add_node(path, **_dir_attrs(path))
        parent = posixpath.dirname(path)
        graph.add_edge(parent, path, key=CONTAINS, kind=CONTAINS)


def _add_definitions(graph: nx.MultiDiGraph, parse: FileParse) -> None:
    for d in parse.definitions:
        entity_id = f"{parse.path}:{d.qualname}"
        if entity_id in graph:
            continue  # a redefinition under the same name: the first one names the entity
        parent, _, name = d.qualname.rpartition(".")
        graph.add_node(
            entity_id,
            kind=NodeKind.CLASS.value if d.kind == "class" else NodeKind.FUNCTION.value,
            path=parse.path,
            name=name,
            start_line=d.start_line,
            end_line=d.end_line,
            signature=d.signature,
            docstring=d.docstring,
        )
        owner = f"{parse.path}:{parent}" if parent else parse.path
        graph.add_edge(owner, entity_id, key=CONTAINS, kind=CONTAINS)


def add_resolved(
    graph: nx.MultiDiGraph,
    resolver: Resolver,
    parses: Mapping[str, FileParse],
    paths: Iterable[str],
) -> dict[str, tuple[str, ...]]:
    """Add the imports, inherits and invokes edges of ``paths``; return their unresolved calls."""
    unresolved: dict[str, tuple[str, ...]] = {}
    for path in paths:
        parse = parses[path]
        edges = list(resolver.import_edges(path, parse))
        code, missing = resolver.code_edges(path, parse)
        edges.extend(code)
        graph.add_edges_from((e.source, e.target, e.kind, {"kind": e.kind}) for e in edges)
        unresolved.update((caller, tuple(names)) for caller, names in missing.items())
    return unresolved


def drop_files(graph: nx.MultiDiGraph, paths: Iterable[str], *, nodes: bool) -> None:
    """Remove the resolved out-edges of these files' entities (and the nodes, if ``nodes``)."""
    for path in paths:
        if path not in graph:
            continue
        owned = owned_nodes(graph, path)
        if nodes:
            graph.remove_nodes_from(owned)
            continue
        stale = [
            (u, v, k) for u in owned for _, v, k in graph.out_edges(u, keys=True) if k != CONTAINS
        ]
        graph.remove_edges_from(stale)


def owned_nodes(graph: nx.MultiDiGraph, path: str) -> list[str]:
    """The file node and every definition inside it."""
    owned, todo = [], [path]
    while todo:
        node = todo.pop()
        owned.append(node)
        todo.extend(v for _, v, k in graph.out_edges(node, keys=True) if k == CONTAINS)
    return owned


def prune_directories(graph: nx.MultiDiGraph) -> None:
    """Remove directories left without files (after files were deleted)."""
    while True:
        empty = [
            n
            for n, kind in graph.nodes(data="kind")
            if kind == NodeKind.DIRECTORY.value and n and graph.out_degree(n) == 0
        ]
        if not empty:
            return
        graph.remove_nodes_from(empty)
