"""The issue's example run under the tracer, and what the ranking makes of what it did."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from localization.execution import TRACER, Execution, example_chunks, parse_trace, with_raised
from localization.matching import interrupted
from localization.signals import extract_signals


def test_a_session_that_imports_nothing_gets_its_package_imported_first() -> None:
    text = (
        "Wrong result\n```\n>>> e = Eq(x, 1)\n>>> for a in e.args:\n...     print(a)\n...\n"
        ">>> e.as_set()\nNotImplementedError\n```\nIn [3]: solveset(e)\r\n"
    )
    assert example_chunks(text, main_package="sympy") == [
        "import sympy",
        "from sympy import *",
        "e = Eq(x, 1)",
        "for a in e.args:\n    print(a)",
        "e.as_set()",
        "solveset(e)",
    ]


def test_a_session_that_imports_gets_no_star_import() -> None:
    text = ">>> import shop\n>>> shop.Cart('a').total()\n"
    assert example_chunks(text, main_package="shop") == ["import shop", "shop.Cart('a').total()"]


def test_without_a_session_the_python_blocks_that_import_are_the_example() -> None:
    text = (
        "```python\nimport shop\nshop.Cart('a').total()\n```\n"
        "```sql\nselect 1 from t\n```\n"
        "```\nfrom shop import Cart\nCart('b')\n```\n"
        "```python\nprint('no import here')\n```\n"
    )
    assert example_chunks(text, main_package="shop") == [
        "import shop\nshop.Cart('a').total()\n",
        "from shop import Cart\nCart('b')\n",
    ]
    assert example_chunks("No code at all, only prose.", main_package="shop") == []


def test_the_trace_keeps_calls_and_the_project_s_exceptions_only() -> None:
    data = {
        "calls": [["shop/cart.py", 23, "total"], ["bad"], ["shop/pricing.py", 4, "apply_discount"]],
        "raised": [
            {"type": "NameError", "message": "name 'c' is not defined", "frames": []},
            {"type": "ValueError", "frames": [["shop/pricing.py", 7, "apply_discount"], [1]]},
            {"type": "ImportError", "setup": True, "frames": [["shop/__init__.py", 3, "<module>"]]},
        ],
    }
    assert parse_trace(data) == Execution(
        calls=(("shop/cart.py", 23, "total"), ("shop/pricing.py", 4, "apply_discount")),
        raised=(("shop/pricing.py", 7, "apply_discount"),),
        errors=("ValueError",),
        imports_failed=True,
    )
    assert parse_trace(["not", "a", "trace"]) == Execution()


def _trace(root: Path, chunks: list[str], package: str = "") -> dict:
    (root / "chunks.json").write_text(json.dumps(chunks))
    command = [sys.executable, str(TRACER), "chunks.json", "out.json", "30", package]
    subprocess.run(command, cwd=root, check=True, capture_output=True, timeout=60)
    return json.loads((root / "out.json").read_text())


def test_the_tracer_records_the_project_code_an_example_runs_and_where_it_raised(
    shop_root: Path, tmp_path: Path
) -> None:
    root = tmp_path / "shop"
    shutil.copytree(shop_root, root, ignore=shutil.ignore_patterns(".swe-agent"))
    chunks = [
        "from shop import Cart",
        "c = Cart('ann')\nc.add_item('a', 2, 100)",
        "c.total(discount_percent=150)",
    ]
    trace = _trace(root, chunks)
    names = [name for _, _, name in trace["calls"]]
    # In the order first called; the import chunk ran unprofiled; no <genexpr>.
    assert names == ["__init__", "add_item", "total", "subtotal", "apply_discount"]
    assert trace["calls"][2][0] == "shop/cart.py"
    (error,) = trace["raised"]
    assert error["type"] == "ValueError"
    assert [f[2] for f in error["frames"]] == ["total", "apply_discount"]
    assert error["frames"][1][0] == "shop/pricing.py"


def test_an_undefined_name_of_a_session_comes_from_the_module_binding_it(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "tests").mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg.core import double\n")
    (package / "core.py").write_text("def double(v):\n    return 2 * v\n")
    (package / "abc.py").write_text("x, y = 20, 1\n")
    (package / "tests" / "test_core.py").write_text("x = 'a test binding, never used'\n")
    trace = _trace(tmp_path, ["from pkg import *", "double(x)", "undefined_name"], "pkg")
    assert trace["defined"] == {"x": "pkg.abc", "undefined_name": None}
    assert [c[:1] + c[2:] for c in trace["calls"]] == [["pkg/core.py", "double"]]
    assert [(e["type"], e["setup"]) for e in trace["raised"]] == [("NameError", False)]
    failed = _trace(tmp_path, ["import pkg.missing", "double(2)"], "pkg")
    assert [(e["type"], e["setup"]) for e in failed["raised"]][0] == ("ModuleNotFoundError", True)


def test_a_src_layout_imports_from_the_checkout_without_being_installed(tmp_path: Path) -> None:
    package = tmp_path / "src" / "srcpkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def triple(v):\n    return 3 * v\n")
    trace = _trace(tmp_path, ["from srcpkg import triple", "triple(2)"], "srcpkg")
    assert trace["calls"] == [["src/srcpkg/__init__.py", 1, "triple"]]
    assert trace["raised"] == []


def test_a_script_runs_statement_by_statement_with_its_imports_unprofiled(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "def _register():\n    return 1\n\n\n_register()\n\n\n"
        "def check(v):\n    if v < 0:\n        raise ValueError(v)\n    return v\n"
    )
    script = "import pkg\nfrom pkg import check\ncheck(1)\ncheck(-1)\ncheck(2)\nnever_reached()\n"
    trace = _trace(tmp_path, [script, "check(3)"], "pkg")
    # _register ran at import (unprofiled); the script stopped at check(-1); check(3) ran.
    assert [c[2] for c in trace["calls"]] == ["check"]
    (error,) = trace["raised"]
    assert (error["type"], error["setup"], error["frames"][0][2]) == ("ValueError", False, "check")


def _ids(locations) -> list[str]:
    return [loc.id for loc in locations]


def test_the_functions_the_example_ran_and_their_files_gain_score(shop_localizer) -> None:
    issue = "The total is wrong\n\nThe cart's total is wrong after a discount.\n"
    plain = shop_localizer.localize(issue, top=20)
    ran = Execution(calls=(("shop/cart.py", 23, "total"), ("shop/pricing.py", 4, "apply_discount")))
    traced = shop_localizer.localize(issue, top=20, execution=ran)
    boosted = {"shop/cart.py", "shop/pricing.py", "shop/cart.py:Cart.total"}
    boosted.add("shop/pricing.py:apply_discount")
    for level in ("files", "functions"):
        before = {loc.id: loc.score for loc in getattr(plain, level)}
        after = {loc.id: loc.score for loc in getattr(traced, level)}
        for key in before.keys() & boosted:
            assert after[key] > before[key]
        for key in before.keys() - boosted:
            assert after.get(key, 0.0) <= before[key] * (1 + 1e-12)  # blended: rounding
    reasons = {loc.id: loc.reasons for loc in traced.functions}
    assert "run by the issue's example" in reasons["shop/pricing.py:apply_discount"]


def test_the_frames_the_example_raised_through_count_as_a_traceback(shop_localizer) -> None:
    issue = "The total is wrong\n\nThe cart's total is wrong after a discount.\n"
    raised = Execution(
        raised=(("shop/cart.py", 25, "total"), ("shop/pricing.py", 7, "apply_discount"))
    )
    traced = shop_localizer.localize(issue, top=5, execution=raised)
    (found,) = [loc for loc in traced.functions if loc.id == "shop/pricing.py:apply_discount"]
    assert "traceback frame shop/pricing.py:7 in apply_discount" in found.reasons
    assert traced.functions[1].id == found.id  # was third, after Cart.subtotal


def test_frames_of_another_exception_than_the_issue_reports_are_not_a_traceback(
    shop_localizer,
) -> None:
    issue = "The total raises\n\n```\nKeyboardInterrupt\n```\nIt hangs in the cart's total.\n"
    frames = (("shop/pricing.py", 7, "apply_discount"),)
    label = "traceback frame shop/pricing.py:7 in apply_discount"
    for errors, counted in ((("ConnectionError",), False), (("KeyboardInterrupt",), True)):
        traced = shop_localizer.localize(
            issue, top=20, execution=Execution(raised=frames, errors=errors)
        )
        reasons = [r for loc in traced.functions for r in loc.reasons]
        assert (label in reasons) is counted


def test_a_call_maps_to_its_method_below_the_decorators(shop_localizer) -> None:
    # A code object's first line is that of its first decorator: the node may start lower.
    ran = shop_localizer.ran(
        Execution(calls=(("shop/cart.py", 21, "total"), ("shop/cart.py", 9, "nothing")))
    )
    assert ran == {"shop/cart.py:Cart.total"}


def test_localize_run_example_without_docker_says_how_to_go_on(
    shop_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from swe_agent.cli import app

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-docker.sock'}")
    issue = ">>> from shop import Cart\n>>> Cart('a').total()\n"
    args = ["localize", "--repo", str(shop_root), "--issue", issue, "--run-example"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "Docker is not available" in result.output
    assert "without --run-example" in " ".join(result.output.split())


def test_the_examples_exception_types_join_the_issues_with_its_frames() -> None:
    raised = Execution(raised=(("shop/pricing.py", 7, "apply_discount"),), errors=("ValueError",))
    signals = with_raised(extract_signals("The total is wrong after a discount."), raised)
    assert signals.exceptions == ("ValueError",)  # a failure: its deepest frame counts most
    assert not interrupted(signals)
    assert signals.frames[-1].function == "apply_discount"
    named = extract_signals("It fails with KeyError")
    assert with_raised(named, raised) == named  # another exception than the issue's
