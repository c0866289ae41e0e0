"""The second stage: functions of the best files scored among their own file's functions."""

from __future__ import annotations

import pytest

from localization import GraphLocalizer, LocationKind, RankWeights, tokenize
from localization.features import Feature
from localization.graphview import Node
from localization.infile import local_bm25, unit_documents

SOURCE = '''\
def grid_width(grid):
    """Width of a grid."""
    return grid.width


def grid_height(grid):
    """Height of a grid."""
    return grid.height


def grid_cells(grid, fill):
    """Cells of a grid, padded with ``fill``."""
    return [c or fill for c in grid.cells]
'''


def _node(name: str, start: int, end: int, signature: str) -> Node:
    return Node(f"g.py:{name}", "function", "g.py", name, start, end, signature, "")


def _documents() -> list[tuple[str, object, int]]:
    nodes = [
        _node("grid_width", 1, 3, "def grid_width(grid)"),
        _node("grid_height", 6, 8, "def grid_height(grid)"),
        _node("grid_cells", 11, 13, "def grid_cells(grid, fill)"),
    ]
    return unit_documents(nodes, SOURCE, is_unit=lambda node: True)  # type: ignore[return-value]


def test_a_word_every_function_of_the_file_has_scores_nothing() -> None:
    assert local_bm25(_documents(), tokenize("grid")) == {}  # type: ignore[arg-type]


def test_a_word_rare_in_the_file_singles_out_its_function() -> None:
    scores = local_bm25(_documents(), tokenize("the grid is padded with the fill value"))  # type: ignore[arg-type]
    assert max(scores, key=lambda k: scores[k]) == "g.py:grid_cells"
    assert set(scores) == {"g.py:grid_cells"}


def test_documents_skip_what_is_not_an_editable_unit() -> None:
    nodes = [_node("grid_width", 1, 3, ""), _node("grid_width.inner", 2, 2, "")]
    docs = unit_documents(nodes, SOURCE, is_unit=lambda node: "." not in node.qualname)
    assert [key for key, _, _ in docs] == ["g.py:grid_width"]


def test_the_method_the_issue_describes_gains_within_its_file(atlas: GraphLocalizer) -> None:
    issue = "A `DenseGrid` made from an iterable loses its cells"
    weights = RankWeights.load().without(Feature.IN_FILE)
    without = GraphLocalizer(atlas.graph, weights=weights).localize(issue, top=50)
    result = atlas.localize(issue, top=50)
    assert result.ids(LocationKind.FILE)[0] == "atlas/grid.py"
    before = {f.id: f.score for f in without.functions}
    after = {f.id: f.score for f in result.functions}
    # "iterable" and "cells" are in _new's body only: it alone gains in its file.
    assert after["atlas/grid.py:DenseGrid._new"] > before["atlas/grid.py:DenseGrid._new"]
    rank = "atlas/grid.py:BaseGrid.rank"
    assert after.get(rank, 0.0) == pytest.approx(before.get(rank, 0.0))
