"""search_entity, traverse and retrieve on the "resolution" fixture, with LocAgent's semantics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from repo_graph import (
    BadQuery,
    CodeGraph,
    EntityNotFound,
    build_graph,
    retrieve,
    search_entity,
    traverse,
)


@pytest.fixture
def graph(fixture_repo: Callable[[str], Path]) -> CodeGraph:
    return build_graph(fixture_repo("resolution"), use_cache=False)


def ids(hits: list) -> list[str]:
    return [h.entity.id for h in hits]


def test_search_an_exact_id_comes_first(graph: CodeGraph) -> None:
    hits = search_entity(graph, "app/core.py:Engine")
    assert (hits[0].entity.id, hits[0].match) == ("app/core.py:Engine", "id")


def test_search_by_name_and_dotted_name(graph: CodeGraph) -> None:
    assert ids(search_entity(graph, "helper"))[0] == "app/util.py:helper"
    assert ids(search_entity(graph, "Engine.run"))[0] == "app/core.py:Engine.run"
    by_name = search_entity(graph, "setup")
    assert (by_name[0].entity.id, by_name[0].match) == ("app/base.py:Base.setup", "name")
    assert ids(search_entity(graph, "model.py"))[0] == "app/models/model.py"


def test_search_falls_back_to_bm25_over_ids_then_fuzzy(graph: CodeGraph) -> None:
    words = search_entity(graph, "models create")
    assert words[0].entity.id == "app/models/model.py:Model.create"
    assert words[0].match == "bm25"
    typo = search_entity(graph, "helpr")
    assert (typo[0].entity.id, typo[0].match) == ("app/util.py:helper", "fuzzy")


def test_search_respects_the_limit_and_rejects_an_empty_query(graph: CodeGraph) -> None:
    assert len(search_entity(graph, "app", limit=3)) == 3
    with pytest.raises(BadQuery):
        search_entity(graph, "  ")


def test_traverse_downstream_is_an_indented_tree(graph: CodeGraph) -> None:
    result = traverse(graph, "app/core.py:Engine.run", depth=1, edge_kinds=["invokes"])
    assert result.text == "\n".join(
        [
            "app/core.py:Engine.run",
            "├── invokes ── app/core.py:Engine.run.inner",
            "├── invokes ── app/core.py:Engine.stop",
            "├── invokes ── app/models/model.py:Model.create",
            "└── invokes ── app/util.py:helper",
        ]
    )
    assert result.start == ("app/core.py:Engine.run",)
    assert ("app/core.py:Engine.run", "app/util.py:helper", "invokes") in result.edges


def test_traverse_upstream_names_the_reversed_relation(graph: CodeGraph) -> None:
    result = traverse(graph, "app/util.py:helper", direction="upstream", depth=2)
    lines = result.text.splitlines()
    assert "├── invoked by ── app/core.py:Engine.run" in lines
    assert "│   └── contained by ── app/core.py:Engine" in lines
    assert "├── imported by ── app/core.py" in lines
    # Structured edges keep the graph's direction.
    assert ("app/core.py:Engine.run", "app/util.py:helper", "invokes") in result.edges


def test_traverse_filters_and_depth(graph: CodeGraph) -> None:
    tree = traverse(
        graph, "app", edge_kinds=["contains"], node_kinds=["directory", "file"], depth=-1
    )
    assert {n.id for n in tree.nodes} == {
        "app",
        "app/__init__.py",
        "app/base.py",
        "app/core.py",
        "app/util.py",
        "app/models",
        "app/models/__init__.py",
        "app/models/model.py",
    }
    both = traverse(
        graph, "app/models/model.py:Model", direction="both", depth=1, edge_kinds=["inherits"]
    )
    assert {n.id for n in both.nodes} == {
        "app/models/model.py:Model",
        "app/base.py:Base",
        "app/base.py:Mixin",
        "app/models/model.py:Child",
    }
    assert traverse(graph, "app/core.py:Engine", depth=0).text == "app/core.py:Engine"


def test_traverse_expands_a_node_once_and_marks_its_other_appearances(graph: CodeGraph) -> None:
    text = traverse(graph, "app/core.py:Engine.run", depth=3, edge_kinds=["invokes", "contains"])
    assert text.text.splitlines() == [
        "app/core.py:Engine.run",
        "├── contains ── app/core.py:Engine.run.inner",
        "│   └── invokes ── app/util.py:helper",
        "├── invokes ── app/core.py:Engine.run.inner (see above)",
        "├── invokes ── app/core.py:Engine.stop",
        "├── invokes ── app/models/model.py:Model.create",
        "│   └── invokes ── app/models/model.py:Model",
        "│       └── contains ── app/models/model.py:Model.create (see above)",
        "└── invokes ── app/util.py:helper",
    ]


def test_traverse_nodes_are_within_depth_by_shortest_distance(graph: CodeGraph) -> None:
    # helper is one hop from run directly, two through inner: depth 1 must include it.
    result = traverse(graph, "app/core.py:Engine.run", depth=1, edge_kinds=["invokes"])
    assert [n.id for n in result.nodes][:1] == ["app/core.py:Engine.run"]
    assert "app/util.py:helper" in {n.id for n in result.nodes}
    unbounded = traverse(graph, "app", depth=-1, edge_kinds=["contains"])
    assert {n.id for n in unbounded.nodes} == {n for n in graph.graph if n.startswith("app")}


def test_traverse_bad_options_are_bad_queries(graph: CodeGraph) -> None:
    with pytest.raises(BadQuery):
        traverse(graph, "app", direction="sideways")
    with pytest.raises(BadQuery):
        traverse(graph, "app", edge_kinds=["calls"])
    with pytest.raises(BadQuery):
        traverse(graph, "app", depth=-5)
    with pytest.raises(EntityNotFound) as caught:
        traverse(graph, "app/core.py:Engin")
    assert "app/core.py:Engine" in (caught.value.hint or "")
    assert caught.value.exit_code == 2


def test_retrieve_gives_code_with_line_numbers(graph: CodeGraph) -> None:
    result = retrieve(graph, "app/util.py:helper")
    assert (
        result.text
        == '1 | def helper(value):\n2 |     """Return the value."""\n3 |     return value'
    )
    assert retrieve(graph, "Model.create").entity.id == "app/models/model.py:Model.create"
    lines = retrieve(graph, "app/core.py:Engine.stop").text.splitlines()
    assert lines == ["28 |     def stop(self):", "29 |         pass"]


def test_retrieve_a_directory_lists_its_entries_and_ambiguity_is_an_error(graph: CodeGraph) -> None:
    assert retrieve(graph, "app/models").text == "app/models/__init__.py\napp/models/model.py"
    with pytest.raises(EntityNotFound) as caught:
        retrieve(graph, "__init__.py")
    assert "ambiguous" in str(caught.value)


def test_search_partial_ids_and_dotted_module_paths(graph: CodeGraph) -> None:
    assert ids(search_entity(graph, "core.py:Engine.run"))[0] == "app/core.py:Engine.run"
    assert ids(search_entity(graph, "app.core.Engine.run"))[0] == "app/core.py:Engine.run"
    assert ids(search_entity(graph, "util.helper"))[0] == "app/util.py:helper"
    assert all(h.match != "name" for h in search_entity(graph, "gine"))  # no partial names


def test_retrieve_can_cut_a_long_entity_in_the_middle(graph: CodeGraph) -> None:
    full = retrieve(graph, "app/core.py:Engine.run").text.splitlines()
    cut = retrieve(graph, "app/core.py:Engine.run", max_lines=4).text.splitlines()
    assert cut == [*full[:2], "   | ... 7 lines left out ...", *full[-2:]]
    assert retrieve(graph, "app/core.py:Engine.run", max_lines=50).text.splitlines() == full
