"""The graphs of the fixture repositories equal their golden files; each resolution case holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from graph_golden import GOLDEN_REPOS, as_golden, golden_path

from repo_graph import EdgeKind, NodeKind, build_graph


@pytest.mark.parametrize("name", GOLDEN_REPOS)
def test_graph_matches_golden(name: str, fixture_repo: Callable[[str], Path]) -> None:
    # On a mismatch: .venv/bin/python tests/repo_graph/graph_golden.py, then review the diff.
    expected = json.loads(golden_path(name).read_text(encoding="utf-8"))
    graph = build_graph(fixture_repo(name), use_cache=False)
    assert as_golden(graph.to_json()) == expected


def test_golden_covers_every_node_and_edge_kind() -> None:
    golden = json.loads(golden_path("resolution").read_text(encoding="utf-8"))
    assert {n["kind"] for n in golden["nodes"]} == {k.value for k in NodeKind}
    assert {e.split(":")[0] for e in golden["edges"]} == {k.value for k in EdgeKind}


# (case, source, kind, target): every resolution rule, on the "resolution" fixture.
CASES = [
    ("absolute from-import", "app/core.py", "imports", "app/base.py:Base"),
    ("relative from-import of a submodule", "app/core.py", "imports", "app/util.py"),
    ("aliased relative from-import", "app/core.py", "imports", "app/util.py:helper"),
    ("aliased absolute import of a package", "app/core.py", "imports", "app/models/__init__.py"),
    ("re-export through __init__", "scripts/run.py", "imports", "app/core.py:Engine"),
    ("re-export of a package", "scripts/run.py", "imports", "app/models/model.py:Model"),
    ("plain dotted import", "scripts/run.py", "imports", "app/util.py"),
    ("star import (two dots)", "app/models/model.py", "imports", "app/util.py"),
    ("inherits through an import", "app/core.py:Engine", "inherits", "app/base.py:Base"),
    (
        "inherits in the same file",
        "app/models/model.py:Child",
        "inherits",
        "app/models/model.py:Model",
    ),
    ("self method", "app/core.py:Engine.run", "invokes", "app/core.py:Engine.stop"),
    (
        "inherited method through self",
        "app/core.py:Engine.__init__",
        "invokes",
        "app/base.py:Base.setup",
    ),
    (
        "method of a base's base",
        "app/models/model.py:Child.save",
        "invokes",
        "app/base.py:Mixin.mixed",
    ),
    ("super() call", "app/models/model.py:Child.save", "invokes", "app/base.py:Base.setup"),
    ("cls() instantiates the class", "app/core.py:Engine.build", "invokes", "app/core.py:Engine"),
    (
        "inherited classmethod through self",
        "app/models/model.py:Child.save",
        "invokes",
        "app/models/model.py:Model.create",
    ),
    ("call through a submodule import", "app/core.py:Engine.run", "invokes", "app/util.py:helper"),
    (
        "call through an aliased module",
        "app/core.py:Engine.run",
        "invokes",
        "app/models/model.py:Model.create",
    ),
    (
        "nested function in local scope",
        "app/core.py:Engine.run",
        "invokes",
        "app/core.py:Engine.run.inner",
    ),
    (
        "nested function calls an aliased import",
        "app/core.py:Engine.run.inner",
        "invokes",
        "app/util.py:helper",
    ),
    (
        "call through a star import",
        "app/models/model.py:Child.save",
        "invokes",
        "app/util.py:helper",
    ),
    ("dotted call through a plain import", "scripts/run.py:go", "invokes", "app/util.py:helper"),
    ("classmethod through a re-export", "scripts/run.py:go", "invokes", "app/core.py:Engine.build"),
    ("module-level call from the file", "app/core.py", "invokes", "app/core.py:main"),
    (
        "method of a local instance",
        "scripts/run.py:Runner.start",
        "invokes",
        "app/models/model.py:Model.create",
    ),
    (
        "method of a self attribute's instance",
        "scripts/run.py:Runner.start",
        "invokes",
        "app/core.py:Engine.stop",
    ),
    (
        "method of an imported module-level instance",
        "scripts/run.py:use_registry",
        "invokes",
        "app/base.py:Registry.register",
    ),
    ("class instantiation", "app/core.py:main", "invokes", "app/core.py:Engine"),
]


@pytest.mark.parametrize(("case", "source", "kind", "target"), CASES, ids=[c[0] for c in CASES])
def test_resolution_case(
    case: str, source: str, kind: str, target: str, fixture_repo: Callable[[str], Path]
) -> None:
    graph = build_graph(fixture_repo("resolution"), use_cache=False).graph
    assert graph.has_edge(source, target, key=kind), case
    assert graph.edges[source, target, kind] == {"kind": kind}


def test_unresolved_calls_are_kept_by_name_not_as_nodes(
    fixture_repo: Callable[[str], Path],
) -> None:
    graph = build_graph(fixture_repo("resolution"), use_cache=False)
    assert set(graph.unresolved_calls["app/core.py:Engine.run"]) == {
        "os.path.join",
        "undefined_thing",
    }
    assert graph.unresolved_calls["app/core.py:main"] == ("run",)  # Engine().run(1)
    assert "undefined_thing" not in graph.graph
    assert all(":" in n or "/" in n or "." in n or n in ("", "app", "scripts") for n in graph.graph)


def test_entity_attributes_follow_the_model(fixture_repo: Callable[[str], Path]) -> None:
    graph = build_graph(fixture_repo("resolution"), use_cache=False)
    run = graph.entity("app/core.py:Engine.run")
    assert (run.kind, run.path, run.name) == (NodeKind.FUNCTION, "app/core.py", "run")
    assert (run.start_line, run.end_line, run.signature) == (16, 26, "def run(self, x)")
    engine = graph.entity("app/core.py:Engine")
    assert (engine.signature, engine.docstring) == ("class Engine(Base)", "An engine.")
    assert graph.entity("app").kind == NodeKind.DIRECTORY
    assert {e.id for e in graph.entities(NodeKind.CLASS)} == {
        "app/base.py:Base",
        "app/base.py:Mixin",
        "app/core.py:Engine",
        "app/models/model.py:Model",
        "app/models/model.py:Child",
        "scripts/run.py:Runner",
        "app/base.py:Registry",
    }


SRC_CASES = [
    ("absolute import of a src/ package", "tests/test_core.py", "imports", "src/lib/__init__.py"),
    ("from-import from a src/ module", "tests/test_core.py", "imports", "src/lib/core.py:compute"),
    (
        "relative import of a subpackage module",
        "src/lib/core.py",
        "imports",
        "src/lib/sub/tools.py:double",
    ),
    (
        "call through a package re-export",
        "tests/test_core.py:test_compute",
        "invokes",
        "src/lib/core.py:compute",
    ),
    (
        "call through a relative import",
        "src/lib/core.py:compute",
        "invokes",
        "src/lib/sub/tools.py:double",
    ),
]


@pytest.mark.parametrize(
    ("case", "source", "kind", "target"), SRC_CASES, ids=[c[0] for c in SRC_CASES]
)
def test_src_layout_case(
    case: str, source: str, kind: str, target: str, fixture_repo: Callable[[str], Path]
) -> None:
    graph = build_graph(fixture_repo("srclayout"), use_cache=False).graph
    assert graph.has_edge(source, target, key=kind), case
