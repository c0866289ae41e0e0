"""Ranking cases on the `atlas` fixture: editable units, auxiliary files, aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from localization import GraphLocalizer, LocationKind, RankWeights
from localization.features import Feature, Ledger
from localization.matching import interrupted, match_frames, match_pairs
from localization.signals import extract_signals
from localization.structure import generated_tables

START = Path(__file__).resolve().parents[2] / "benchmarks" / "ranking_start.json"


def test_nested_functions_count_for_their_outer_function(atlas: GraphLocalizer) -> None:
    result = atlas.localize("`pad_cell` pads with the wrong width", top=10)
    ids = result.ids(LocationKind.FUNCTION)
    assert ids[0] == "atlas/render.py:render_rows"
    assert not any(i.endswith("pad_cell") for i in ids)
    assert any("render_rows.pad_cell" in r for r in result.functions[0].reasons)


def test_docs_and_examples_rank_below_the_library(atlas: GraphLocalizer) -> None:
    result = atlas.localize("rendered rows of a grid: each cell padded to a wrong width")
    files = result.ids(LocationKind.FILE)
    assert files.index("atlas/render.py") < files.index("docs/render_example.py")


def test_an_alias_made_by_assignment_resolves_to_its_class(atlas: GraphLocalizer) -> None:
    assert atlas.modules.resolve("atlas.Grid") == "atlas/grid.py:DenseGrid"
    assert atlas.modules.resolve("atlas.Grid._new") == "atlas/grid.py:DenseGrid._new"
    issue = "len() of an empty grid\n\n```python\nimport atlas\ng = atlas.Grid([])\n```\n"
    result = atlas.localize(issue, top=5)
    assert "atlas/grid.py:DenseGrid" in result.ids(LocationKind.CLASS)[:2]


def test_a_message_kept_in_a_constant_credits_the_functions_using_it(
    atlas: GraphLocalizer,
) -> None:
    issue = 'It fails: "Unknown projection name, choose one of the supported projections"'
    result = atlas.localize(issue, top=5)
    assert result.functions[0].id == "atlas/mercator.py:project"
    assert any("UNKNOWN_PROJECTION" in r for r in result.functions[0].reasons)


def test_a_title_tag_naming_a_module_ranks_its_file_first(atlas: GraphLocalizer) -> None:
    result = atlas.localize("[Mercator] rows come out shifted\n\nThe rows of the grid shift.")
    assert result.files[0].id == "atlas/mercator.py"
    assert any("title tag mercator" in r for r in result.files[0].reasons)


def test_a_class_and_a_name_named_apart_find_the_method_dispatching_on_it(
    atlas: GraphLocalizer,
) -> None:
    issue = "`is_degenerate` is wrong for equal radii\n\nA `Ring` with equal radii is degenerate."
    result = atlas.localize(issue, top=5)
    assert result.functions[0].id == "atlas/shapes.py:Ring._eval_is_degenerate"
    ledger = atlas.features(issue).reasons["atlas/shapes.py:Ring._eval_is_degenerate"]
    assert any("of the named class Ring" in r for r in ledger[Feature.PAIR_HOOK])


def test_a_pair_named_only_in_the_issues_code_is_a_feature_apart(atlas: GraphLocalizer) -> None:
    method = "atlas/shapes.py:Ring._eval_is_degenerate"
    found = []
    for issue in (
        "`Ring` gives the wrong `is_degenerate`",
        "Wrong answer\n\n```python\nRing(2, 2).is_degenerate\n```\n",
    ):
        ev = Ledger()
        match_pairs(extract_signals(issue), atlas.catalog, ev)
        found.append(ev.values[method])
    assert found == [{Feature.PAIR_HOOK: 1.0}, {Feature.PAIR_CODE: 1.0}]
    assert atlas.catalog.dispatching_on("degenerate")  # every suffix of the name
    assert not atlas.catalog.dispatching_on("eval_is_degenerate")  # "_eval": no prefix


def test_a_function_of_the_same_name_in_another_file_ranks_its_file_next(
    atlas: GraphLocalizer,
) -> None:
    issue = (
        "Latitudes of 89 degrees come out of the projection unclamped\n\n```\n"
        "Traceback (most recent call last):\n"
        '  File "atlas/mercator.py", line 24, in clamp_latitude\n'
        "OverflowError: math range error\n```\n"
    )
    weighed = GraphLocalizer(atlas.graph, weights=RankWeights.load(START))
    files = weighed.localize(issue, top=5).files
    ids = [f.id for f in files]
    assert ids[:2] == ["atlas/mercator.py", "atlas/plate.py"]
    assert any("same name as atlas/mercator.py:clamp_latitude" in r for r in files[1].reasons)
    assert files[1].score < files[0].score  # a twin's file stays below its origin's

    weights = RankWeights.load().without(Feature.TWIN)
    alone = GraphLocalizer(atlas.graph, weights=weights).localize(issue, top=5)
    twin_score = {f.id: f.score for f in alone.files}.get("atlas/plate.py", 0.0)
    assert twin_score < files[1].score


def test_a_method_the_issues_code_calls_credits_the_nearest_hook_it_dispatches_to(
    atlas: GraphLocalizer,
) -> None:
    issue = (
        "Wrong answer for a ring whose inner radius is larger\n\n```python\n"
        "from atlas.shapes import Annulus\nAnnulus(3, 2).is_degenerate\n```\n"
    )
    assert atlas.modules.lineage("atlas/shapes.py:Annulus") == {
        "atlas/shapes.py:Annulus": 0,
        "atlas/shapes.py:Ring": 1,
        "atlas/shapes.py:Shape": 2,
    }
    functions = atlas.localize(issue, top=5).functions
    assert functions[0].id == "atlas/shapes.py:Ring._eval_is_degenerate"
    assert any("implements atlas.shapes.Annulus.is_degenerate" in r for r in functions[0].reasons)
    for other in functions[1:]:
        assert not any("implements" in r for r in other.reasons)
    # Two steps up is a generic default, not evidence: Band's nearest hook is Ring's.
    far = issue.replace("Annulus", "Band")
    assert not any("implements" in r for f in atlas.localize(far).functions for r in f.reasons)


_CALL_PATH = (
    "Traceback (most recent call last):\n"
    '  File "shop/cart.py", line 25, in total\n'
    '  File "shop/pricing.py", line 7, in apply_discount\n'
)


@pytest.mark.parametrize(
    ("ending", "first"),
    [
        ("ValueError: discount must be between 0 and 100 percent", "apply_discount"),
        ("KeyboardInterrupt", "total"),  # stopped by hand: where it was, not where it failed
        ("re.error: missing )", "apply_discount"),  # a failure, if of a name not recognized
    ],
)
def test_frames_count_from_the_deepest_and_from_the_outermost_when_interrupted(
    shop_localizer: GraphLocalizer, ending: str, first: str
) -> None:
    ev = Ledger()
    signals = extract_signals(f"Total is slow\n\n```\n{_CALL_PATH}{ending}\n```\n")
    match_frames(signals, shop_localizer.catalog, ev)
    deepest = ev.values["shop/pricing.py:apply_discount"]
    outermost = ev.values["shop/cart.py:Cart.total"]
    assert deepest[Feature.FRAME] == outermost[Feature.FRAME] == 1.0
    assert (deepest[Feature.FRAME_DEPTH], outermost[Feature.FRAME_DEPTH]) == (1.0, 0.5)
    assert interrupted(signals) is (first == "total")
    if first == "total":  # stopped by hand: where it was, counted from the outermost frame
        assert (deepest[Feature.FRAME_OUTER], outermost[Feature.FRAME_OUTER]) == (0.5, 1.0)
    else:
        assert Feature.FRAME_OUTER not in deepest and Feature.FRAME_OUTER not in outermost


def test_a_grammars_generated_tables_are_the_files_next_to_it() -> None:
    ids = {"fmt/cds.py", "fmt/cds_parsetab.py", "fmt/cds_lextab.py", "fmt/ogip_parsetab.py"}
    assert generated_tables("fmt/cds.py", ids) == ("fmt/cds_parsetab.py", "fmt/cds_lextab.py")
    assert generated_tables("fmt/generic.py", ids) == ()
