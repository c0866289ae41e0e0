"""Turn per-file parse records into the graph: nodes, ``contains`` edges, resolved edges."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from repo_graph.model import EdgeKind, NodeKind
from repo_graph.parallel import resolve_files
from repo_graph.parse import FileParse
from repo_graph.resolve import Resolver

if TYPE_CHECKING:
    import networkx as nx

CONTAINS = EdgeKind.CONTAINS.value


def add_structure(graph: nx.MultiDiGraph, parses: Iterable[FileParse]) -> None:
    """Add directory, file, class and function nodes with their ``contains`` edges."""
    # Nodes and edges are gathered first and added in two calls: per-call overhead in
    # networkx is most of the cost on a repository of tens of thousands of definitions.
    nodes: dict[str, dict[str, object]] = {}
    edges: list[tuple[str, str, str, dict[str, str]]] = []
    if "" not in graph:
        nodes[""] = _attrs(NodeKind.DIRECTORY, "")
    for parse in parses:
        directory = posixpath.dirname(parse.path)
        _add_directories(graph, nodes, edges, directory)
        nodes[parse.path] = _attrs(
            NodeKind.FILE, parse.path, end_line=parse.lines, docstring=parse.docstring
        )
        edges.append((directory, parse.path, CONTAINS, {"kind": CONTAINS}))
        _add_definitions(graph, nodes, edges, parse)
    graph.add_nodes_from(nodes.items())
    graph.add_edges_from(edges)


def _attrs(
    kind: NodeKind,
    path: str,
    *,
    name: str | None = None,
    start_line: int | None = None,
    end_line: int = 0,
    signature: str = "",
    docstring: str = "",
) -> dict[str, object]:
    if start_line is None:
        start_line = 1 if kind == NodeKind.FILE else 0
    return {
        "kind": kind.value,
        "path": path,
        "name": posixpath.basename(path) if name is None else name,
        "start_line": start_line,
        "end_line": end_line,
        "signature": signature,
        "docstring": docstring,
    }


def _add_directories(
    graph: nx.MultiDiGraph, nodes: dict[str, dict[str, object]], edges: list, directory: str
) -> None:
    while directory and directory not in nodes and directory not in graph:
        nodes[directory] = _attrs(NodeKind.DIRECTORY, directory)
        parent = posixpath.dirname(directory)
        edges.append((parent, directory, CONTAINS, {"kind": CONTAINS}))
        directory = parent


def _add_definitions(
    graph: nx.MultiDiGraph, nodes: dict[str, dict[str, object]], edges: list, parse: FileParse
) -> None:
    for d in parse.definitions:
        entity_id = f"{parse.path}:{d.qualname}"
        if entity_id in nodes or entity_id in graph:
            continue  # a redefinition under the same name: the first one names the entity
        parent, _, name = d.qualname.rpartition(".")
        nodes[entity_id] = _attrs(
            NodeKind.CLASS if d.kind == "class" else NodeKind.FUNCTION,
            parse.path,
            name=name,
            start_line=d.start_line,
            end_line=d.end_line,
            signature=d.signature,
            docstring=d.docstring,
        )
        owner = f"{parse.path}:{parent}" if parent else parse.path
        edges.append((owner, entity_id, CONTAINS, {"kind": CONTAINS}))


def add_resolved(
    graph: nx.MultiDiGraph,
    resolver: Resolver,
    parses: Mapping[str, FileParse],
    paths: Sequence[str],
    deps: dict[str, frozenset[str]],
    *,
    workers: int = 1,
) -> dict[str, tuple[str, ...]]:
    """Add the imports, inherits and invokes edges of ``paths`` and record in ``deps`` which
    files each one's resolution read; return their unresolved calls."""
    unresolved: dict[str, tuple[str, ...]] = {}
    edges: set[tuple[str, str, str]] = set()  # a function calling f ten times is one edge
    for path, found, missing, read in resolve_files(resolver, parses, paths, workers=workers):
        deps[path] = read
        edges.update(found)
        for caller, names in missing.items():
            unresolved[caller] = tuple(dict.fromkeys(names))  # once per name, in call order
    graph.add_edges_from((u, v, kind, {"kind": kind}) for u, v, kind in sorted(edges))
    return {caller: unresolved[caller] for caller in sorted(unresolved)}


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
