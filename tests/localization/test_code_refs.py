"""Names used by an issue's example code, qualified through its imports and resolved."""

from __future__ import annotations

from pathlib import Path

from localization import GraphLocalizer
from localization.code_refs import (
    CodeNames,
    ModuleIndex,
    code_names,
    match_code_refs,
    qualified_names,
    reached,
)
from localization.features import Feature, Ledger
from localization.graphview import Node
from localization.weights import RankWeights

START = Path(__file__).resolve().parents[2] / "benchmarks" / "ranking_start.json"


def test_aliases_and_from_imports_qualify_the_names_the_code_uses() -> None:
    text = (
        "`s.Cart.total(5)` is wrong\n```python\nimport shop as s\n"
        "from shop.pricing import apply_discount as disc, TaxCalculator\n"
        "import numpy as np\nx = disc(np.array([1]), 5)\nTaxCalculator(2).with_tax(3)\n```\n"
    )
    names = qualified_names(text, packages={"shop"})
    assert names[:2] == ("shop.pricing.apply_discount", "shop.pricing.TaxCalculator")
    assert "shop.Cart.total" in names
    assert not any(name.startswith(("numpy", "np.", "s.")) for name in names)


def test_a_reexported_name_resolves_to_its_definition(shop_localizer) -> None:
    modules = shop_localizer.modules
    assert modules.resolve("shop.apply_discount") == "shop/pricing.py:apply_discount"
    assert modules.resolve("shop.Cart.subtotal") == "shop/cart.py:Cart.subtotal"
    assert modules.resolve("shop.io.export") == "shop/io/export.py"
    assert modules.resolve("shop.nothing_here") is None


def test_a_function_the_example_calls_ranks_with_a_reason(shop_localizer) -> None:
    issue = "It crashes\n\n```python\nimport shop as s\ns.apply_discount(10, 150)\n```\n"
    result = shop_localizer.localize(issue, top=3)
    assert result.functions[0].id == "shop/pricing.py:apply_discount"
    assert "shop.apply_discount used in the issue's code" in result.functions[0].reasons


def test_star_imports_and_bare_sessions_qualify_bare_names() -> None:
    star = "Wrong total\n```python\nfrom shop import *\nx = apply_discount(10, 150)\n```\n"
    assert qualified_names(star, packages={"shop"}) == ("shop.apply_discount",)
    session = "Wrong total\n\n    >>> apply_discount(10, 150).real\n    12\n"
    used = code_names(session, packages={"shop"}, default="shop")
    assert used == CodeNames(("shop.apply_discount",), ("shop.apply_discount.real",))
    # A session that imports its names says where they come from; no default is guessed.
    imported = session + "\n    >>> import numpy\n"
    assert qualified_names(imported, packages={"shop"}, default="shop") == ()


def test_a_bare_session_finds_the_function_it_calls(shop_localizer) -> None:
    modules = shop_localizer.modules
    assert modules.main_package == "shop"
    issue = "Discount is wrong\n\n>>> apply_discount(10, 150)\n-5\n"
    ev = Ledger()
    match_code_refs(qualified_names(issue, packages=modules.packages, default="shop"), modules, ev)
    assert ev.values["shop/pricing.py:apply_discount"] == {Feature.CALLS_FUNCTION: 1.0}
    assert ev.reasons["shop/pricing.py:apply_discount"][Feature.CALLS_FUNCTION] == [
        (1.0, "shop.apply_discount used in the issue's code")
    ]


def test_instances_and_chained_calls_qualify_methods(shop_localizer) -> None:
    text = (
        "```python\nimport shop\ncart = shop.Cart('ann')\ncart.total()\n"
        "shop.GiftCart('bo').subtotal()\n```\n"
    )
    used = code_names(text, packages={"shop"})
    assert used.names == ("shop.Cart", "shop.GiftCart")
    assert used.methods == ("shop.GiftCart.subtotal", "shop.Cart.total")
    # An inherited method resolves in the base class that defines it.
    assert shop_localizer.modules.resolve("shop.cart.GiftCart.subtotal") == (
        "shop/cart.py:Cart.subtotal"
    )


def test_reached_follows_the_calls_the_example_runs(shop_localizer) -> None:
    runs = reached(shop_localizer.graph.graph, ["shop/cart.py:Cart"])
    assert runs["shop/cart.py:Cart"] == (0, "shop/cart.py:Cart")
    assert runs["shop/cart.py:Cart.total"][0] == 1  # a method of the class the example makes
    assert runs["shop/pricing.py:apply_discount"] == (2, "shop/cart.py:Cart")  # total calls it
    # total calls TaxCalculator(...).with_tax: the class at depth 2, its methods at 3
    assert runs["shop/pricing.py:TaxCalculator.with_tax"] == (3, "shop/cart.py:Cart")
    assert "shop/io/export.py" not in runs


def test_a_match_in_code_the_example_runs_gains(shop_localizer) -> None:
    issue = (
        "Total is rounded wrong\n\n```python\nimport shop\ncart = shop.Cart('ann')\n"
        "cart.add_item('x', 1, 9.99)\nprint(cart.total())\n```\nRounded to cents too early.\n"
    )
    key = "shop/pricing.py:TaxCalculator.with_tax"
    weights = RankWeights.load(START)
    plain = GraphLocalizer(shop_localizer.graph, weights=weights.without(Feature.REACHED))
    reaching = GraphLocalizer(shop_localizer.graph, weights=weights)
    before = {loc.id: loc for loc in plain.localize(issue, top=20).functions}[key]
    after = {loc.id: loc for loc in reaching.localize(issue, top=20).functions}[key]
    assert after.score > before.score
    assert "run by the issue's code via shop/cart.py:Cart.total" in after.reasons


def test_the_main_package_of_a_src_layout_is_not_its_tests() -> None:
    paths = ["src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/io.py"]
    paths += [f"tests/test_{n}.py" for n in range(6)] + ["docs/conf.py", "docs/ext/a.py"]
    nodes = {p: Node(p, "file", p, p.rsplit("/", 1)[-1], 1, 1, "", "") for p in paths}
    modules = ModuleIndex(nodes, graph=None)
    assert modules.main_package == "pkg"
    assert modules.modules["pkg.core"] == "src/pkg/core.py"
