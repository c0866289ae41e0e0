"""repo_graph: a repository's Python code as a graph of directories, files, classes, functions.

Public surface::

    graph = build_graph(".")                      # cached in ~/.cache/swe-agent/graph/
    search_entity(graph, "Model.save")            # exact id, then name, then BM25 over ids
    traverse(graph, "pkg/mod.py:f", direction="upstream", depth=2).text
    retrieve(graph, "pkg/mod.py:C.m").text        # code with line numbers
    resolve_with_jedi(graph, ["pkg/mod.py"])      # opt-in: jedi for calls left unresolved
"""

from repo_graph.build import build_graph
from repo_graph.errors import BadQuery, EntityNotFound, NotARepository, RepoGraphError
from repo_graph.files import DEFAULT_EXCLUDES
from repo_graph.graph import CodeGraph
from repo_graph.jedi_pass import JediReport, resolve_with_jedi
from repo_graph.model import (
    EdgeKind,
    Entity,
    GraphStats,
    NodeKind,
    SkippedFile,
    SkipReason,
)
from repo_graph.query import Retrieved, SearchHit, retrieve, search_entity
from repo_graph.traversal import Traversal, traverse

__all__ = [
    "DEFAULT_EXCLUDES",
    "BadQuery",
    "CodeGraph",
    "EdgeKind",
    "Entity",
    "EntityNotFound",
    "GraphStats",
    "JediReport",
    "NodeKind",
    "NotARepository",
    "RepoGraphError",
    "Retrieved",
    "SearchHit",
    "SkipReason",
    "SkippedFile",
    "Traversal",
    "build_graph",
    "resolve_with_jedi",
    "retrieve",
    "search_entity",
    "traverse",
]
