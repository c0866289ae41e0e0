"""The read-only view of repo_graph's CodeGraph that localization relies on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

# Documentation, examples and benchmarks: code that shows or measures the project, rarely the
# place a bug is fixed.
_AUX_PATH = re.compile(r"(^|/)(docs?|examples?|benchmarks?|asv_bench|tutorials?)/")
KINDS = ("file", "class", "function")


class GraphLike(Protocol):
    """What localization needs of a code graph: the networkx graph and the file texts."""

    @property
    def graph(self) -> Any:
        """The networkx MultiDiGraph keyed by entity id."""
        ...

    def source(self, path: str) -> str:
        """The text of one file of the graph."""
        ...


@dataclass(frozen=True)
class Node:
    """One file, class or function node, with the attributes ranking reads."""

    id: str
    kind: str
    path: str
    name: str
    start_line: int
    end_line: int
    signature: str
    docstring: str

    @property
    def qualname(self) -> str:
        """The part of the id after the file path ("Class.method"), or "" for files."""
        return self.id.partition(":")[2]


def is_auxiliary_path(path: str) -> bool:
    """True for documentation, example and benchmark files (docs/, examples/, benchmarks/)."""
    return bool(_AUX_PATH.search(path))


def iter_nodes(graph: GraphLike) -> Iterator[Node]:
    """Every file, class and function node of the graph."""
    for node_id, data in graph.graph.nodes(data=True):
        kind = str(data.get("kind", ""))
        if kind not in KINDS:
            continue
        yield Node(
            id=str(node_id),
            kind=kind,
            path=str(data.get("path", "")),
            name=str(data.get("name", "")),
            start_line=int(data.get("start_line", 0) or 0),
            end_line=int(data.get("end_line", 0) or 0),
            signature=str(data.get("signature", "") or ""),
            docstring=str(data.get("docstring", "") or ""),
        )
