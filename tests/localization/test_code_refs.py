"""Names used by an issue's example code, qualified through its imports and resolved."""

from __future__ import annotations

from localization.code_refs import match_code_refs, qualified_names
from localization.evidence import Evidence


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
    assert qualified_names(session, packages={"shop"}, default="shop") == ("shop.apply_discount",)
    # A session that imports its names says where they come from; no default is guessed.
    imported = session + "\n    >>> import numpy\n"
    assert qualified_names(imported, packages={"shop"}, default="shop") == ()


def test_a_bare_session_finds_the_function_it_calls(shop_localizer) -> None:
    modules = shop_localizer.modules
    assert modules.main_package == "shop"
    issue = "Discount is wrong\n\n>>> apply_discount(10, 150)\n-5\n"
    ev = Evidence()
    match_code_refs(
        qualified_names(issue, packages=modules.packages, default="shop"), modules, ev, 1.0
    )
    assert ev.reasons("shop/pricing.py:apply_discount") == (
        "shop.apply_discount used in the issue's code",
    )
