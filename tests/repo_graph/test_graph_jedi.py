"""The opt-in jedi pass resolves a call that static resolution leaves by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from repo_graph import build_graph
from repo_graph.jedi_pass import resolve_with_jedi


@pytest.mark.slow
def test_jedi_resolves_a_method_of_an_instance(fixture_repo: Callable[[str], Path]) -> None:
    graph = build_graph(fixture_repo("resolution"), use_cache=False)
    assert graph.unresolved_calls["app/core.py:main"] == ("run",)  # Engine().run(1)
    report = resolve_with_jedi(graph, ["app/core.py"])
    assert (report.files, report.calls, report.resolved) == (1, 3, 1)
    assert graph.graph.has_edge("app/core.py:main", "app/core.py:Engine.run", key="invokes")
    assert "app/core.py:main" not in graph.unresolved_calls
    assert set(graph.unresolved_calls["app/core.py:Engine.run"]) == {
        "os.path.join",
        "undefined_thing",
    }
