"""``traverse``: the neighbourhood of entities, as LocAgent's explore_tree_structure shows it.

Which nodes and edges lie within ``depth`` hops is decided breadth-first, so every node sits at
its shortest distance; the text then prints that as an indented tree, expanding each node once
(where it is nearest the start) and marking its other appearances.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from repo_graph.errors import BadQuery
from repo_graph.graph import CodeGraph, entity_from
from repo_graph.model import EdgeKind, Entity, NodeKind
from repo_graph.query import resolve_entity

REVERSED = {
    EdgeKind.CONTAINS.value: "contained by",
    EdgeKind.IMPORTS.value: "imported by",
    EdgeKind.INVOKES.value: "invoked by",
    EdgeKind.INHERITS.value: "inherited by",
}
DIRECTIONS = ("downstream", "upstream", "both")
GraphEdge = tuple[str, str, str]  # (source, target, kind) as in the graph


@dataclass(frozen=True)
class Traversal:
    """The neighbourhood of some entities: a readable tree, and its nodes and edges."""

    start: tuple[str, ...]
    nodes: tuple[Entity, ...]  # the start first, then by distance
    edges: tuple[GraphEdge, ...]
    text: str = field(repr=False)


def traverse(
    graph: CodeGraph,
    start: str | Sequence[str],
    *,
    direction: str = "downstream",
    depth: int = 2,
    edge_kinds: Iterable[EdgeKind | str] | None = None,
    node_kinds: Iterable[NodeKind | str] | None = None,
) -> Traversal:
    """Follow the chosen edges ``depth`` hops from ``start`` (-1: until nothing is new)."""
    if direction not in DIRECTIONS:
        raise BadQuery(f"unknown direction {direction!r}", hint="use " + " | ".join(DIRECTIONS))
    if depth < -1:
        raise BadQuery(f"depth must be -1 (unbounded) or more, not {depth}")
    starts = [start] if isinstance(start, str) else list(start)
    roots = list(dict.fromkeys(resolve_entity(graph, s) for s in starts))
    walker = _Walker(graph, direction, _kinds(edge_kinds, EdgeKind), _kinds(node_kinds, NodeKind))
    limit = depth if depth >= 0 else len(graph.graph)
    distance, edges = walker.breadth_first(roots, limit)
    nodes = tuple(entity_from(n, graph.graph.nodes[n]) for n in distance)
    text = walker.render(roots, distance, limit)
    return Traversal(tuple(roots), nodes, tuple(edges), text)


def _kinds(values: Iterable[str] | None, enum: type[NodeKind] | type[EdgeKind]) -> set[str] | None:
    if values is None:
        return None
    known = {k.value for k in enum}
    chosen = {str(v) for v in values}
    if unknown := chosen - known:
        raise BadQuery(f"unknown kind {sorted(unknown)}", hint="use " + ", ".join(sorted(known)))
    return chosen


class _Walker:
    """The filtered neighbours of a node, and the two walks over them."""

    def __init__(
        self, graph: CodeGraph, direction: str, edges: set[str] | None, nodes: set[str] | None
    ) -> None:
        self.g = graph.graph
        self.direction = direction
        self.edge_kinds = edges
        self.node_kinds = nodes

    def neighbours(self, node: str) -> list[tuple[str, str, GraphEdge]]:
        """(label, neighbour, graph edge), filtered, in a stable order."""
        out = []
        if self.direction in ("downstream", "both"):
            out += [(k, v, (node, v, k)) for _, v, k in self.g.out_edges(node, keys=True)]
        if self.direction in ("upstream", "both"):
            out += [(REVERSED[k], u, (u, node, k)) for u, _, k in self.g.in_edges(node, keys=True)]
        return sorted(
            (label, other, edge)
            for label, other, edge in out
            if (self.edge_kinds is None or edge[2] in self.edge_kinds)
            and (self.node_kinds is None or self.g.nodes[other]["kind"] in self.node_kinds)
        )

    def breadth_first(self, roots: list[str], limit: int) -> tuple[dict[str, int], list[GraphEdge]]:
        """Each node's distance from the roots, and the edges followed, within ``limit``."""
        distance = {root: 0 for root in roots}
        edges: dict[GraphEdge, None] = {}
        todo = deque(roots)
        while todo:
            node = todo.popleft()
            if distance[node] >= limit:
                continue
            for _, other, edge in self.neighbours(node):
                edges.setdefault(edge)
                if other not in distance:
                    distance[other] = distance[node] + 1
                    todo.append(other)
        return distance, list(edges)

    def render(self, roots: list[str], distance: dict[str, int], limit: int) -> str:
        """The indented tree; a node is expanded once, at its shortest distance."""
        lines: list[str] = []
        expanded: set[str] = set()
        for root in roots:
            lines.append(root)
            expanded.add(root)
            frames: list[tuple[Iterator[tuple[str, str, bool]], str, int]] = [
                (self._children(root, 0, limit), "", 0)
            ]
            while frames:
                children, prefix, level = frames[-1]
                item = next(children, None)
                if item is None:
                    frames.pop()
                    continue
                label, other, last = item
                here = other not in expanded and distance.get(other) == level + 1
                shown_elsewhere = not here and distance.get(other, limit) < limit
                mark = " (see above)" if other in expanded else " (see below)"
                suffix = mark if shown_elsewhere and self.neighbours(other) else ""
                lines.append(f"{prefix}{'└── ' if last else '├── '}{label} ── {other}{suffix}")
                if here:
                    expanded.add(other)
                    indent = prefix + ("    " if last else "│   ")
                    frames.append((self._children(other, level + 1, limit), indent, level + 1))
        return "\n".join(lines)

    def _children(self, node: str, level: int, limit: int) -> Iterator[tuple[str, str, bool]]:
        found = self.neighbours(node) if level < limit else []
        for index, (label, other, _) in enumerate(found):
            yield label, other, index == len(found) - 1
