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
    main_package: str | None = None  # what a bare `>>> name` of the issue is imported from
    history: tuple[Any, ...] = ()  # localization.history.Change: the repository's past commits


def gather_context(repo: Path, issue: str, *, top: int, snippets: int) -> IssueContext:
    """Build the code graph and localize the issue in it, with no model."""
    from localization import read_history
    from repo_graph import build_graph

    graph, history = build_graph(repo), read_history(repo)
    return rank_context(graph, issue, top=top, snippets=snippets, history=history)


def rank_context(
    graph: Any,
    issue: str,
    *,
    top: int,
    snippets: int,
    execution: Any = None,
    history: tuple[Any, ...] = (),
) -> IssueContext:
    """Localize the issue in ``graph`` (with what running its example did, when known, and
    the repository's past commits)."""
    from localization import GraphLocalizer
    from repo_graph import retrieve

    localizer = GraphLocalizer(graph, history=history)
    found = localizer.localize(issue, top=top, execution=execution)
    ranked = [*found.files[:2], *found.classes[:1], *found.functions[:top]]
    locations = [
        {"id": loc.id, "kind": str(loc.kind), "reasons": list(loc.reasons)[:2]} for loc in ranked
    ]
    code = [f"{loc.id}\n{retrieve(graph, loc.id).text}" for loc in list(found.functions)[:snippets]]
    main = localizer.modules.main_package
    return IssueContext(locations, code, graph, main_package=main, history=history)


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


def related_tests(graph: Any, diff: str, *, depth: int = 2) -> list[str]:
    """Test files that import or call what ``diff`` changes, found through the code graph."""
    from repo_graph import traverse

    changed = changed_entities(graph, diff)
    if not changed:
        return []
    found = traverse(graph, changed, direction="upstream", depth=depth, edge_kinds=RELATED_EDGES)
    return sorted({e.path for e in found.nodes if is_test_path(e.path)})


RELATED_EDGES = ("imports", "invokes", "inherits")


def changed_entities(graph: Any, diff: str) -> list[str]:
    """The innermost functions or classes (else the files) whose old lines the diff touches."""
    from unidiff import PatchSet

    changed: list[str] = []
    for patched in PatchSet(diff):
        if patched.is_added_file or patched.path not in graph:
            continue
        lines = {
            n
            for hunk in patched
            for n in range(hunk.source_start, hunk.source_start + max(hunk.source_length, 1))
        }
        inner = _innermost(graph, patched.path, lines)
        changed.extend(inner or [patched.path])
    return list(dict.fromkeys(changed))


def _innermost(graph: Any, path: str, lines: set[int]) -> list[str]:
    spans = [
        e
        for e in graph.entities()
        if e.path == path and e.start_line and any(e.start_line <= n <= e.end_line for n in lines)
    ]
    return [
        e.id
        for e in spans
        if not any(
            o is not e and e.start_line <= o.start_line and o.end_line <= e.end_line for o in spans
        )
    ]


def is_test_path(path: str) -> bool:
    """A test module by the usual conventions (test_*.py, *_test.py, tests/ folders)."""
    parts = path.split("/")
    name = parts[-1]
    in_tests = any(p in ("tests", "test", "testing") for p in parts[:-1])
    return name.endswith(".py") and (
        name.startswith("test_")
        or name.endswith("_test.py")
        or (in_tests and name not in ("__init__.py", "conftest.py"))
    )
