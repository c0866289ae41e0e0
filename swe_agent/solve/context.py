"""What the agent is told before its first step, and the graph tools it may call later."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class IssueContext:
    """Ranked locations and the code of the top functions, for the first prompt."""

    locations: list[dict[str, Any]] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)
    graph: Any = None  # repo_graph.CodeGraph, for the host tools


def gather_context(repo: Path, issue: str, *, top: int, snippets: int) -> IssueContext:
    """Build the code graph and localize the issue in it, with no model."""
    from localization import localize
    from repo_graph import build_graph, retrieve

    graph = build_graph(repo)
    found = localize(graph, issue, top=top)
    ranked = [*found.files[:2], *found.classes[:1], *found.functions[:top]]
    locations = [
        {"id": loc.id, "kind": str(loc.kind), "reasons": list(loc.reasons)[:2]} for loc in ranked
    ]
    code = [f"{loc.id}\n{retrieve(graph, loc.id).text}" for loc in list(found.functions)[:snippets]]
    return IssueContext(locations=locations, snippets=code, graph=graph)


def graph_tools(graph: Any) -> dict[str, Callable[..., str]]:
    """Host functions behind the sandbox's search_entity / traverse / retrieve."""
    from repo_graph import retrieve, search_entity, traverse

    def _search(query: str, limit: int = 10) -> str:
        hits = search_entity(graph, query, limit=limit)
        return "\n".join(f"{h.entity.id}  ({h.entity.kind})" for h in hits) or "no match"

    def _traverse(start: str, direction: str = "downstream", depth: int = 2) -> str:
        return str(traverse(graph, start, direction=direction, depth=depth).text)

    def _retrieve(entity_id: str) -> str:
        return str(retrieve(graph, entity_id).text)

    return {
        "_host_search_entity": _search,
        "_host_traverse": _traverse,
        "_host_retrieve": _retrieve,
    }
