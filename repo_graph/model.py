"""The vocabulary of the code graph: node and edge kinds, and what every node carries.

The graph is a ``networkx.MultiDiGraph`` whose node keys are entity ids in LocAgent's form:

- directory: its path relative to the repository root, POSIX separators, ``""`` for the root
- file: ``pkg/mod.py``
- class / function: ``pkg/mod.py:Class``, ``pkg/mod.py:Class.method``, ``pkg/mod.py:func``,
  ``pkg/mod.py:func.inner`` (nested definitions under their parents, dotted)

Every node has the attributes named by :class:`Entity`'s fields except ``id``. Every edge has
``kind`` (an :class:`EdgeKind` value); the edge key is the kind too, so one pair of nodes has at
most one edge of each kind.

Calls that cannot be resolved to an entity of the repository are not nodes: they are kept by
name in :attr:`repo_graph.CodeGraph.unresolved_calls` (caller id -> called names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class NodeKind(StrEnum):
    """What a node of the code graph stands for."""

    DIRECTORY = "directory"
    FILE = "file"
    CLASS = "class"
    FUNCTION = "function"


class EdgeKind(StrEnum):
    """How two nodes of the code graph relate."""

    CONTAINS = "contains"  # directory -> directory|file, file -> class|function, class -> method
    IMPORTS = "imports"  # file -> file|class|function it imports
    INVOKES = "invokes"  # function|class|file -> function|class it calls (class: its __init__)
    INHERITS = "inherits"  # class -> base class


@dataclass(frozen=True)
class Entity:
    """One node of the code graph, as a value."""

    id: str
    kind: NodeKind
    path: str  # file (or directory) path relative to the root, POSIX separators
    name: str  # short name: last path part, class name, function name
    start_line: int = 0  # 1-based, inclusive; 0 for directories
    end_line: int = 0
    signature: str = ""  # "def f(a, b=1) -> int" / "class C(Base)"; "" for files and dirs
    docstring: str = ""


class SkipReason(StrEnum):
    """Why a Python file of the repository is not in the graph."""

    EXCLUDED = "excluded"  # matched an exclude glob; a directory ("vendor/") stands for its files
    TOO_LARGE = "too large"  # over max_file_bytes
    SYMLINK_OUTSIDE = "symlink outside repository"
    MISSING_BLOB = "missing git blob"  # listed by git, absent from the work tree and the store
    UNREADABLE = "unreadable"  # an OS error while reading


@dataclass(frozen=True)
class SkippedFile:
    """A Python file left out of the graph, and why."""

    path: str
    reason: SkipReason


@dataclass(frozen=True)
class GraphStats:
    """What one build or load did: sizes of the graph, files parsed and skipped, timings."""

    nodes: Mapping[str, int]  # NodeKind value -> count
    edges: Mapping[str, int]  # EdgeKind value -> count
    files_parsed: int  # parsed in this run (not taken from the cache)
    cache_hits: int  # files whose parse came from the cache
    skipped: tuple[SkippedFile, ...] = ()
    files_with_syntax_errors: int = 0
    syntax_error_nodes: int = 0  # ERROR / MISSING nodes tree-sitter recovered from
    unresolved_calls: int = 0
    timings: Mapping[str, float] = field(default_factory=dict)  # step -> seconds
    mode: str = "cold"  # cold | warm | incremental

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of these figures."""
        by_reason: dict[str, int] = {}
        for item in self.skipped:
            by_reason[item.reason.value] = by_reason.get(item.reason.value, 0) + 1
        return {
            "mode": self.mode,
            "nodes": dict(self.nodes),
            "edges": dict(self.edges),
            "files_parsed": self.files_parsed,
            "cache_hits": self.cache_hits,
            "files_with_syntax_errors": self.files_with_syntax_errors,
            "syntax_error_nodes": self.syntax_error_nodes,
            "unresolved_calls": self.unresolved_calls,
            "skipped": [{"path": s.path, "reason": s.reason.value} for s in self.skipped],
            "skipped_by_reason": by_reason,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }
