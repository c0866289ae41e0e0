"""What the agent is told before its first step, and the graph tools it may call later."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import is_test_module, is_test_path
from swe_agent.agent.snippets import about_tests, fit_whole, source_first

if TYPE_CHECKING:
    from repo_graph import CodeGraph


@dataclass(frozen=True)
class IssueContext:
    """Ranked locations and the code of the top functions, for the first prompt."""

    locations: list[dict[str, Any]] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)
    graph: CodeGraph | None = None  # for the host tools
    main_package: str | None = None  # what a bare `>>> name` of the issue is imported from
    history: tuple[Any, ...] = ()  # localization.history.Change: the repository's past commits


@dataclass(frozen=True)
class SnippetBudget:
    """How much code the first message shows: ``count`` whole functions, ``chars`` in all.

    A function whose file is at most ``small_file`` lines long comes with its whole file: the
    module docstring, imports and helpers around it are part of what it means.
    """

    count: int = 3
    chars: int = 6000
    small_file: int = 60


def gather_context(
    repo: Path, issue: str, *, top: int, snippets: SnippetBudget | int
) -> IssueContext:
    """Build the code graph and localize the issue in it, with no model."""
    from localization import read_history
    from repo_graph import build_graph

    graph, history = build_graph(repo), read_history(repo)
    return rank_context(graph, issue, top=top, snippets=snippets, history=history)


def rank_context(
    graph: CodeGraph,
    issue: str,
    *,
    top: int,
    snippets: SnippetBudget | int,
    execution: Any = None,
    history: tuple[Any, ...] = (),
) -> IssueContext:
    """Localize the issue in ``graph`` (with what running its example did, when known, and
    the repository's past commits); source before tests unless the issue is about tests."""
    from localization import GraphLocalizer

    localizer = GraphLocalizer(graph, history=history)
    found = localizer.localize(issue, top=top, execution=execution)
    tests_first = about_tests(issue)

    def ordered(locs: Any) -> list[Any]:
        return source_first(list(locs), path_of=_path_of, tests_first=tests_first)

    ranked = [*ordered(found.files[:2]), *found.classes[:1], *ordered(found.functions[:top])]
    locations = [
        {"id": loc.id, "kind": str(loc.kind), "reasons": list(loc.reasons)[:2]} for loc in ranked
    ]
    budget = snippets if isinstance(snippets, SnippetBudget) else SnippetBudget(count=snippets)
    code = _whole_functions(graph, ordered(found.functions[: 2 * top]), budget)
    main = localizer.modules.main_package
    return IssueContext(locations, code, graph, main_package=main, history=history)


def _path_of(loc: Any) -> str:
    return str(loc.id).split(":", 1)[0]


def _whole_functions(graph: CodeGraph, functions: list[Any], budget: SnippetBudget) -> list[str]:
    """The functions' code with line numbers, in order, as many whole ones as the budget holds
    (a small file whole, once, in place of its functions)."""
    from repo_graph import retrieve

    texts: list[str] = []
    shown_files: set[str] = set()
    for loc in functions:
        path = _path_of(loc)
        if path in shown_files:
            continue
        whole = retrieve(graph, path)
        if whole.entity.end_line and whole.entity.end_line <= budget.small_file:
            shown_files.add(path)
            texts.append(f"{path} (the whole file)\n{whole.text}")
        else:
            texts.append(f"{loc.id}\n{retrieve(graph, loc.id).text}")
    return fit_whole(texts, budget_chars=budget.chars, limit=budget.count)


def graph_tools(graph: CodeGraph) -> dict[str, Callable[..., str]]:
    """Host functions behind the sandbox's search_entity / traverse / retrieve, and the test
    files related to a diff (run_tests() with no selector)."""
    from repo_graph import retrieve, search_entity, traverse

    def _search(query: str, limit: int = 10) -> str:
        hits = search_entity(graph, query, limit=limit)
        return "\n".join(f"{h.entity.id}  ({h.entity.kind})" for h in hits) or "no match"

    def _traverse(start: str, direction: str = "downstream", depth: int = 2) -> str:
        return str(traverse(graph, start, direction=direction, depth=depth).text)

    def _retrieve(entity_id: str) -> str:
        return str(retrieve(graph, entity_id).text)

    def _related(diff: str) -> str:
        return "\n".join(related_tests(graph, diff))

    return {
        "_host_search_entity": _search,
        "_host_traverse": _traverse,
        "_host_retrieve": _retrieve,
        "_host_related_tests": _related,
    }


def related_tests(graph: CodeGraph, diff: str, *, depth: int = 2) -> list[str]:
    """Test files that import or call what ``diff`` changes, found through the code graph."""
    return tests_reaching(graph, changed_entities(graph, diff), depth=depth)


def tests_reaching(graph: CodeGraph, ids: Sequence[str], *, depth: int = 2) -> list[str]:
    """Test files that import or call these entities (ids not in the graph are left out)."""
    from repo_graph import traverse

    known = [i for i in ids if i in graph]
    if not known:
        return []
    found = traverse(graph, known, direction="upstream", depth=depth, edge_kinds=RELATED_EDGES)
    return sorted({e.path for e in found.nodes if is_test_module(e.path)})


RELATED_EDGES = ("imports", "invokes", "inherits")


def tests_for(graph: CodeGraph, ids: Sequence[str]) -> list[str]:
    """The test files that check these entities: those the graph relates to them (imports,
    calls, inheritance, two steps) and those named after their modules (``test_stats.py``,
    ``stats_test.py``, ``std_stats_test.py`` for ``stats.py``); with neither, those that use
    their classes directly (a test reaches a method through an instance, a call the graph
    cannot resolve). None: no sign of any."""
    found = {*tests_reaching(graph, ids), *tests_named_after(graph, ids)}
    return sorted(found) or tests_of_classes(graph, ids)


def tests_named_after(graph: CodeGraph, ids: Sequence[str]) -> list[str]:
    """Test files named after the modules these entities live in (``test_stats.py`` for
    ``stats.py``, else ``std_stats_test.py``; a package's ``__init__.py`` by the package's
    name); of several, those in the folders most like the module's (``test/core/parser/`` for
    ``src/core/parser/helpers.py`` over ``test/cli/``)."""
    tests = [e.path for e in graph.entities("file") if is_test_module(e.path)]
    found: set[str] = set()
    for path in {graph.entity(i).path for i in ids if i in graph}:
        name = _module_name(path)
        if not name:
            continue
        named = [t for t in tests if _tested_name(t) == name] or [
            t for t in tests if _tested_name(t).endswith(f"_{name}")
        ]
        folders = set(path.split("/")[:-1])
        near = {t: len(folders & set(t.split("/")[:-1])) for t in named}
        found.update(t for t in named if near[t] == max(near.values()))
    return sorted(found)


def _module_name(path: str) -> str:
    if is_test_path(path) or not path.endswith(".py"):
        return ""
    parts = path[: -len(".py")].split("/")
    return parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]


def _tested_name(path: str) -> str:
    """``test_stats.py``, ``stats_test.py``, ``tests_stats.py`` -> ``stats``."""
    name = path.rsplit("/", 1)[-1].removesuffix(".py")
    for prefix in ("test_", "tests_"):
        name = name.removeprefix(prefix)
    for suffix in ("_test", "_tests"):
        name = name.removesuffix(suffix)
    return name


def tests_of_classes(graph: CodeGraph, ids: Sequence[str]) -> list[str]:
    """Test files that import or call the classes holding these methods, directly."""
    return tests_reaching(graph, _classes_of(graph, ids), depth=1)


def _classes_of(graph: CodeGraph, ids: Sequence[str]) -> list[str]:
    """The classes that hold these methods (a class stands for itself)."""
    classes = []
    for entity_id in ids:
        path, _, qualname = entity_id.partition(":")
        while qualname:
            candidate = f"{path}:{qualname}"
            if candidate in graph and graph.entity(candidate).kind == "class":
                classes.append(candidate)
                break
            qualname = qualname.rpartition(".")[0]
    return list(dict.fromkeys(classes))


def changed_entities(graph: CodeGraph, diff: str) -> list[str]:
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


def _innermost(graph: CodeGraph, path: str, lines: set[int]) -> list[str]:
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
