"""An opt-in second pass: ask jedi about the calls that static resolution left unresolved.

Measured on Django 5.1.4 with ``benchmarks/graph_build.py --jedi 10``: jedi found a target in
the repository for 6 of the 119 calls left unresolved in 10 files, at about 85 ms per call,
which extrapolates to over an hour for the whole tree. So it is off by default and runs only
on the files it is given (e.g. the few files an issue is about).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from repo_graph.errors import RepoGraphError
from repo_graph.graph import CodeGraph
from repo_graph.model import NodeKind
from repo_graph.parse import parse_source

INVOKES = "invokes"


@dataclass(frozen=True)
class JediReport:
    """What a jedi pass did: calls asked about, how many it resolved, and how long it took."""

    files: int
    calls: int
    resolved: int
    seconds: float


def resolve_with_jedi(graph: CodeGraph, paths: Iterable[str] | None = None) -> JediReport:
    """Add ``invokes`` edges that jedi finds for unresolved calls in ``paths`` (default: all).

    The graph and its ``unresolved_calls`` are updated in place; nothing is cached.
    """
    try:
        import jedi
    except ImportError:
        raise RepoGraphError(
            "the jedi pass needs jedi, an optional dependency",
            hint="pip install 'swe-agent[jedi]'",
        ) from None

    started = time.perf_counter()
    # Never import the repository's compiled extensions to inspect them: that runs its code.
    project = jedi.Project(path=str(graph.root), load_unsafe_extensions=False)
    index = _definition_index(graph)
    unresolved = dict(graph.unresolved_calls)
    chosen = (
        sorted(paths)
        if paths is not None
        else sorted(n for n, kind in graph.graph.nodes(data="kind") if kind == NodeKind.FILE)
    )
    calls = resolved = 0
    for path in chosen:
        tried, found = _file_pass(graph, project, index, unresolved, path)
        calls, resolved = calls + tried, resolved + found
    graph.unresolved_calls = {k: v for k, v in unresolved.items() if v}
    return JediReport(len(chosen), calls, resolved, time.perf_counter() - started)


def _definition_index(graph: CodeGraph) -> dict[tuple[str, int, str], str]:
    """(path, definition line, name) -> entity id, to map jedi's answers onto the graph."""
    return {
        (attrs["path"], attrs["start_line"], attrs["name"]): node
        for node, attrs in graph.graph.nodes(data=True)
        if attrs["kind"] in (NodeKind.CLASS, NodeKind.FUNCTION)
    }


def _file_pass(
    graph: CodeGraph,
    project: Any,
    index: dict[tuple[str, int, str], str],
    unresolved: dict[str, tuple[str, ...]],
    path: str,
) -> tuple[int, int]:
    import jedi

    text = graph.source(path)
    script = jedi.Script(text, path=str(graph.root / path), project=project)
    tried = found = 0
    for call in parse_source(path, text.encode("utf-8")).calls:
        caller = f"{path}:{call.scope}" if call.scope else path
        name = call.callee.lstrip(".")
        if name not in unresolved.get(caller, ()):
            continue
        tried += 1
        target = _goto(script, call.line, call.column, graph, index)
        if target is None:
            continue
        found += 1
        graph.graph.add_edge(caller, target, key=INVOKES, kind=INVOKES)
        remaining = list(unresolved[caller])
        remaining.remove(name)
        unresolved[caller] = tuple(remaining)
    return tried, found


def _goto(
    script: Any, line: int, column: int, graph: CodeGraph, index: dict[tuple[str, int, str], str]
) -> str | None:
    try:
        names = script.goto(line, column, follow_imports=True)
    except Exception:  # jedi raises assorted internal errors on odd code
        return None  # the call simply stays unresolved, as it was
    for name in names:
        if name.module_path is None or name.line is None:
            continue
        try:
            relative = name.module_path.resolve().relative_to(graph.root).as_posix()
        except ValueError:
            continue  # outside the repository: the standard library or a dependency
        target = index.get((relative, name.line, name.name))
        if target is not None:
            return target
    return None
