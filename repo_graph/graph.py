"""The code graph as an object: the networkx graph plus what queries and reports need."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from repo_graph.errors import EntityNotFound, RepoGraphError
from repo_graph.model import EdgeKind, Entity, GraphStats, NodeKind

if TYPE_CHECKING:
    import networkx as nx


class _Keys(Protocol):
    @property
    def keys(self) -> Mapping[str, str]: ...  # path -> content key of every file in the graph


class _Artifacts(Protocol):
    def load_artifact(
        self, name: str, fingerprint: str, *, allowed: Iterable[tuple[str, str]] = ()
    ) -> Any: ...

    def save_artifact(self, name: str, fingerprint: str, value: Any) -> None: ...


class GraphSession(Protocol):
    """What a graph built from a repository keeps: its files' keys, its cache, and how it
    refreshes (repo_graph.build's Session)."""

    @property
    def state(self) -> _Keys: ...

    @property
    def cache(self) -> _Artifacts | None: ...

    def refresh(
        self, graph: CodeGraph, *, progress: Callable[[int, int], None] | None = None
    ) -> CodeGraph: ...


@dataclass
class CodeGraph:
    """A repository's code graph: ``graph`` keyed by entity ids (see :mod:`repo_graph.model`)."""

    graph: nx.MultiDiGraph
    root: Path
    stats: GraphStats
    unresolved_calls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    session: GraphSession | None = field(default=None, repr=False, compare=False)

    def refresh(self, *, progress: Callable[[int, int], None] | None = None) -> CodeGraph:
        """Bring the graph up to date with the files on disk, re-parsing only changed files.

        The networkx graph is updated in place; the returned object has the new stats.
        """
        if self.session is None:
            raise RepoGraphError(
                f"the graph of {self.root} was not built from the repository: it cannot refresh",
                hint="build it with repo_graph.build_graph",
            )
        return self.session.refresh(self, progress=progress)

    @property
    def fingerprint(self) -> str | None:
        """A digest of every file's path and content key: equal trees, equal fingerprints.

        None for a graph that carries no keys (built by hand, not by ``build_graph``).
        """
        keys = self.session.state.keys if self.session is not None else None
        if keys is None:
            return None
        import hashlib

        text = "\n".join(f"{path}\t{keys[path]}" for path in sorted(keys))
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()

    def load_artifact(self, name: str, *, allowed: Iterable[tuple[str, str]] = ()) -> Any:
        """What ``save_artifact(name, ...)`` stored for this exact tree, or None. Loading
        admits plain containers and the ``allowed`` (module, class name) pairs only."""
        cache = self.session.cache if self.session is not None else None
        fingerprint = self.fingerprint
        if cache is None or fingerprint is None:
            return None
        return cache.load_artifact(name, fingerprint, allowed=allowed)

    def save_artifact(self, name: str, value: Any) -> bool:
        """Keep a picklable value derived from this tree (a search index) next to the graph
        cache (in the user's cache folder), keyed by the tree's fingerprint; False when the
        graph has no cache."""
        cache = self.session.cache if self.session is not None else None
        fingerprint = self.fingerprint
        if cache is None or fingerprint is None:
            return False
        cache.save_artifact(name, fingerprint, value)
        return True

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.graph

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id; :class:`EntityNotFound` when the graph has none."""
        attrs = self.graph.nodes.get(entity_id)
        if attrs is None:
            raise EntityNotFound(
                f"no entity {entity_id!r} in the graph of {self.root}",
                hint="find ids with `swe-agent graph query search NAME`",
            )
        return entity_from(entity_id, attrs)

    def entities(self, kind: NodeKind | str | None = None) -> Iterator[Entity]:
        """Every entity, or those of one kind, in graph order."""
        for entity_id, attrs in self.graph.nodes(data=True):
            if kind is None or attrs["kind"] == kind:
                yield entity_from(entity_id, attrs)

    def source(self, path: str) -> str:
        """The text of a file: UTF-8, its declared coding, or UTF-8 with replacement."""
        attrs = self.graph.nodes.get(path)
        if attrs is None or attrs["kind"] != NodeKind.FILE:
            raise EntityNotFound(f"no file {path!r} in the graph of {self.root}")
        from repo_graph.parse import decode_source

        return decode_source((self.root / path).read_bytes())

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: the root and the build's figures."""
        return {"root": str(self.root), **self.stats.to_json()}

    def to_json(self) -> dict[str, Any]:
        """Every node and edge as JSON (sorted, stable: the golden-file format)."""
        nodes = [
            {"id": node_id, **{k: attrs[k] for k in sorted(attrs)}}
            for node_id, attrs in sorted(self.graph.nodes(data=True))
        ]
        edges = sorted(
            ({"source": u, "target": v, "kind": str(k)} for u, v, k in self.graph.edges(keys=True)),
            key=lambda e: (e["kind"], e["source"], e["target"]),
        )
        unresolved = {k: sorted(set(v)) for k, v in sorted(self.unresolved_calls.items())}
        return {"nodes": nodes, "edges": edges, "unresolved_calls": unresolved}


def entity_from(entity_id: str, attrs: Mapping[str, Any]) -> Entity:
    """Build an :class:`Entity` from a node id and its attributes."""
    return Entity(
        id=entity_id,
        kind=NodeKind(attrs["kind"]),
        path=attrs["path"],
        name=attrs["name"],
        start_line=attrs.get("start_line", 0),
        end_line=attrs.get("end_line", 0),
        signature=attrs.get("signature", ""),
        docstring=attrs.get("docstring", ""),
    )


def count_kinds(graph: nx.MultiDiGraph) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per NodeKind and edges per EdgeKind (every kind listed, zeros included)."""
    nodes = {kind.value: 0 for kind in NodeKind}
    nodes.update(Counter(attrs["kind"] for attrs in graph._node.values()))
    edges = {kind.value: 0 for kind in EdgeKind}
    # networkx's edge views cost several times more than walking its adjacency dicts.
    edges.update(
        Counter(key for nbrs in graph._succ.values() for keys in nbrs.values() for key in keys)
    )
    return nodes, edges
