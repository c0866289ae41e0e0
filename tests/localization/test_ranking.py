"""Ranking cases with known answers on the `shop` fixture (real repo_graph graph)."""

from __future__ import annotations

from pathlib import Path

from localization import GraphLocalizer, Localization, LocationKind
from localization.features import Feature
from localization.weights import RankWeights

START = Path(__file__).resolve().parents[2] / "benchmarks" / "ranking_start.json"


def _ids(result: Localization, kind: LocationKind) -> list[str]:
    return result.ids(kind)


def test_traceback_puts_the_raising_function_first(shop_localizer) -> None:
    issue = (
        "Cart.total crashes for big discounts\n\n"
        'Traceback (most recent call last):\n  File "shop/cart.py", line 25, in total\n'
        '  File "shop/pricing.py", line 7, in apply_discount\n'
        "ValueError: discount must be between 0 and 100 percent\n"
    )
    result = shop_localizer.localize(issue, top=5)
    assert _ids(result, LocationKind.FUNCTION)[0] == "shop/pricing.py:apply_discount"
    assert set(_ids(result, LocationKind.FILE)[:2]) == {"shop/pricing.py", "shop/cart.py"}
    assert any("traceback frame" in r for r in result.functions[0].reasons)


def test_named_path_ranks_its_file_first(shop_localizer) -> None:
    result = shop_localizer.localize("shop/io/export.py writes the header twice", top=3)
    assert result.files[0].id == "shop/io/export.py"
    assert any("named in the issue" in r for r in result.files[0].reasons)


def test_backticked_method_and_its_class(shop_localizer) -> None:
    result = shop_localizer.localize("`Cart.subtotal` ignores quantities of zero", top=5)
    assert result.functions[0].id == "shop/cart.py:Cart.subtotal"
    assert result.classes[0].id == "shop/cart.py:Cart"


def test_error_message_found_verbatim(shop_localizer) -> None:
    result = shop_localizer.localize('I get "quantity must be positive" for 0 items', top=3)
    assert result.functions[0].id == "shop/cart.py:Cart.add_item"


def test_graph_propagation_reaches_callees_with_a_reason(shop_localizer) -> None:
    result = shop_localizer.localize("`Cart.total` is off by one cent", top=10)
    ids = _ids(result, LocationKind.FUNCTION)
    assert "shop/pricing.py:apply_discount" in ids
    callee = next(loc for loc in result.functions if loc.id.endswith("apply_discount"))
    assert "graph: invokes from shop/cart.py:Cart.total" in callee.reasons


def test_test_files_rank_below_source(shop_localizer) -> None:
    result = shop_localizer.localize("subtotal and total of a cart with a discount are wrong")
    files = _ids(result, LocationKind.FILE)
    assert files.index("shop/cart.py") < files.index("tests/test_cart.py")


def test_test_files_lead_when_the_issue_is_about_them(shop_localizer) -> None:
    issue = "tests/test_cart.py: test_subtotal is flaky"
    result = shop_localizer.localize(issue)
    assert result.files[0].id == "tests/test_cart.py"


def test_every_location_has_reasons_and_json_shape(shop_localizer) -> None:
    result = shop_localizer.localize("gift wrapping with `wrap_all` loses the price", top=4)
    data = result.to_dict()
    assert set(data) == {"files", "classes", "functions"}
    for level in data.values():
        for item in level:
            assert set(item) >= {"id", "score", "reasons"} and item["reasons"]
    scores = [loc.score for loc in result.functions]
    assert scores == sorted(scores, reverse=True)
    assert len(result.functions) <= 4


def test_unrelated_issue_gives_no_exact_reasons(shop_localizer) -> None:
    result = shop_localizer.localize("zzz qqq")
    assert result.functions == () and result.classes == ()


def test_formatted_message_found_by_its_longest_fragment(shop_localizer) -> None:
    issue = "ValueError: discount must be between 0 and 100 percent (got 150)"
    result = shop_localizer.localize(issue, top=3)
    assert result.functions[0].id == "shop/pricing.py:apply_discount"
    assert any(r.startswith("message") for r in result.functions[0].reasons)


def test_short_or_unfound_messages_are_harmless(shop_localizer) -> None:
    issue = 'KeyError: x\nIt says "no such discount code anywhere here" and ValueError: 42'
    result = shop_localizer.localize(issue)
    assert all(not r.startswith("message") for loc in result.functions for r in loc.reasons)


def test_a_permalink_to_a_line_credits_the_function_there(shop_localizer) -> None:
    issue = (
        "Amounts are off by a cent\n\n"
        "The line at https://github.com/org/shop/blob/4f3a9c1/shop/cart.py#L25 rounds too early."
    )
    weights = RankWeights.load(START)
    linked = GraphLocalizer(shop_localizer.graph, weights=weights).localize(issue, top=5)
    total = next(f for f in linked.functions if f.id == "shop/cart.py:Cart.total")
    assert "linked at shop/cart.py#L25" in total.reasons
    without = weights.without(Feature.LINK)
    unlinked = GraphLocalizer(shop_localizer.graph, weights=without).localize(issue, top=5)
    rank = {r.id: i for i, r in enumerate(unlinked.functions)}
    assert linked.ids(LocationKind.FUNCTION).index(total.id) < rank[total.id]
