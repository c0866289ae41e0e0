"""The weights table and the feature table: data in, the same ranking out."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from localization import GraphLocalizer, LocationKind, RankWeights
from localization.features import Feature, Ledger
from localization.scoring import rank
from localization.table import FeatureTable
from localization.weights import BadWeights

ISSUE = (
    "Cart.total crashes for big discounts\n\n"
    'Traceback (most recent call last):\n  File "shop/cart.py", line 25, in total\n'
    '  File "shop/pricing.py", line 7, in apply_discount\n'
    "ValueError: discount must be between 0 and 100 percent\n"
)


def test_the_shipped_table_weighs_every_feature_it_can_measure() -> None:
    weights = RankWeights.load()
    levels = [weights.entity, weights.file, weights.klass, weights.function]
    weighed = {feature for level in levels for feature in level}
    assert weighed == set(Feature) - {Feature.GRAPH}  # the graph's weights are per edge kind
    assert set(weights.graph) >= {"invokes", "invokes (reverse)"}
    assert weights.to_dict() == RankWeights.from_dict(weights.to_dict()).to_dict()


def test_an_unknown_feature_or_a_broken_file_is_a_bad_weights_error(tmp_path: Path) -> None:
    table = tmp_path / "weights.json"
    table.write_text(json.dumps({"entity": {"no_such_feature": 1.0}}))
    with pytest.raises(BadWeights) as caught:
        RankWeights.load(table)
    assert caught.value.exit_code == 2 and "no_such_feature" in str(caught.value)
    table.write_text("{not json")
    with pytest.raises(BadWeights):
        RankWeights.load(table)


def test_a_stored_feature_table_ranks_as_the_live_one(shop_localizer: GraphLocalizer) -> None:
    live = shop_localizer.features(ISSUE)
    files = sorted({loc.id for loc in shop_localizer.localize(ISSUE, top=50).files})
    stored = FeatureTable.from_dict(json.loads(json.dumps(live.to_dict(in_file=files))))
    weights = shop_localizer.weights
    assert rank(stored, weights, top=10) == rank(live, weights, top=10)


def test_a_feature_weighing_nothing_gives_no_reason(shop_localizer: GraphLocalizer) -> None:
    issue = "Totals are wrong: see shop/cart.py#L25 and the permalink below\n\n" + (
        "https://github.com/org/shop/blob/4f3a9c1/shop/cart.py#L25"
    )
    linked = shop_localizer.localize(issue, top=10)
    total = next(f for f in linked.functions if f.id == "shop/cart.py:Cart.total")
    assert "linked at shop/cart.py#L25" in total.reasons
    weights = shop_localizer.weights.without(Feature.LINK)
    unlinked = GraphLocalizer(shop_localizer.graph, weights=weights).localize(issue, top=10)
    assert all("linked at" not in r for f in unlinked.functions for r in f.reasons)


def test_the_ledger_sums_or_keeps_the_strongest() -> None:
    ledger = Ledger()
    ledger.add("a.py:f", Feature.MESSAGE, 0.5, "first")
    ledger.add("a.py:f", Feature.MESSAGE, 0.25, "second")
    ledger.raise_to("a.py", Feature.FRAME, 0.5, "outer")
    ledger.raise_to("a.py", Feature.FRAME, 1.0, "deepest")
    ledger.raise_to("a.py", Feature.FRAME, 0.75, "middle")
    assert ledger.values == {
        "a.py:f": {Feature.MESSAGE: 0.75},
        "a.py": {Feature.FRAME: 1.0},
    }
    assert "middle" not in [r for _, r in ledger.reasons["a.py"][Feature.FRAME]]


def test_test_code_ranks_below_the_code_it_tests(shop_localizer: GraphLocalizer) -> None:
    result = shop_localizer.localize("subtotal and total of a cart with a discount are wrong")
    files = result.ids(LocationKind.FILE)
    assert files.index("shop/cart.py") < files.index("tests/test_cart.py")


def test_a_file_near_the_best_file_gains_a_share_of_its_score(
    shop_localizer: GraphLocalizer,
) -> None:
    issue = "Cart.total in shop/cart.py is wrong for a gift cart"
    weights = shop_localizer.weights
    off = replace(weights, file={**weights.file, Feature.NEAR: 0.0})
    on = replace(weights, file={**weights.file, Feature.NEAR: 0.5})
    heavy = replace(weights, file={**weights.file, Feature.NEAR: 50.0})

    def pricing(w: RankWeights) -> tuple[float, tuple[str, ...]]:
        found = GraphLocalizer(shop_localizer.graph, weights=w).localize(issue, top=10)
        assert found.files[0].id == "shop/cart.py"  # a neighbour follows it from below
        where = next(f for f in found.files if f.id == "shop/pricing.py")
        assert where.score < found.files[0].score
        return where.score, where.reasons

    (before, quiet), (after, said) = pricing(off), pricing(on)
    assert after > before
    assert "one graph edge from shop/cart.py" in said
    assert all("graph edge from" not in r for r in quiet)
    pricing(heavy)


def test_the_shipped_table_blends_with_its_prior_and_reads_back() -> None:
    weights = RankWeights.load()
    assert weights.prior is not None and weights.prior.prior is None
    assert set(weights.blend) == {"file", "class", "function"}
    assert all(0 <= share <= 1 for share in weights.blend.values())
    assert RankWeights.from_dict(weights.to_dict()) == weights
    assert weights.alone().prior is None and weights.alone().entity == weights.entity


def test_a_share_outside_zero_to_one_or_an_unknown_level_is_a_bad_weights_error(
    tmp_path: Path,
) -> None:
    table = tmp_path / "weights.json"
    for blend in ({"file": 1.5}, {"entity": 0.5}):
        table.write_text(json.dumps({"entity": {"text": 1.0}, "blend": blend, "prior": {}}))
        with pytest.raises(BadWeights):
            RankWeights.load(table)


def test_the_blend_share_moves_each_level_from_the_prior_to_the_fitted_ranking(
    shop_localizer: GraphLocalizer,
) -> None:
    issue = "Cart.total crashes for big discounts: see shop/pricing.py"
    table = shop_localizer.features(issue)
    by_path = RankWeights(file={Feature.PATH: 1.0}, entity={Feature.TEXT: 0.1})
    by_text = RankWeights(file={Feature.FILE_TEXT: 1.0}, entity={Feature.TEXT: 1.0})
    fitted_alone, prior_alone = rank(table, by_path, top=5), rank(table, by_text, top=5)
    assert fitted_alone.files[0].id != prior_alone.files[0].id  # they disagree on the best file

    def blended(share: float) -> tuple[str, ...]:
        both = replace(by_path, prior=by_text, blend={"file": share, "function": 1.0})
        found = rank(table, both, top=5)
        assert [f.id for f in found.functions] == [f.id for f in fitted_alone.functions]
        return tuple(f.id for f in found.files)

    assert blended(1.0) == tuple(f.id for f in fitted_alone.files)
    assert blended(0.0)[0] == prior_alone.files[0].id
    scores = [
        f.score
        for f in rank(table, replace(by_path, prior=by_text, blend={"file": 0.5}), top=5).files
    ]
    assert scores == sorted(scores, reverse=True) and scores[0] <= fitted_alone.files[0].score
