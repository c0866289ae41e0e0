"""The test files the base run takes for the code under repair, on a real code graph."""

from __future__ import annotations

import pytest

from repo_graph import build_graph
from swe_agent.solve import context  # its tests_* functions are not pytest's tests

FILES = {
    "pkg/__init__.py": "",
    "pkg/stats.py": (
        "def median(xs):\n    return sorted(xs)[len(xs) // 2]\n\n\n"
        "class Frame:\n    def value(self):\n        return 1\n"
    ),
    "pkg/rules/__init__.py": "",
    "pkg/rules/L060.py": "class Rule_L060:\n    def _eval(self):\n        return None\n",
    "pkg/shapes/__init__.py": "def area(w, h):\n    return w * h\n",
    "tests/test_stats.py": (
        "from pkg.stats import median\n\n\ndef test_median():\n    assert median([3, 1, 2]) == 2\n"
    ),
    # The method is reached through a name the graph cannot resolve; the class directly.
    "tests/test_frame.py": (
        "from pkg.stats import Frame\n\n\n"
        "def test_value():\n    assert getattr(Frame(), 'value')() == 1\n"
    ),
    # Rules are loaded by name (a plugin registry): no import names the module.
    "tests/rules/std_L060_test.py": (
        "import importlib\n\n\ndef test_rule():\n"
        "    assert importlib.import_module('pkg.rules.' + 'L060')\n"
    ),
    "tests/test_shapes.py": "def test_nothing():\n    assert True\n",
    "pkg/core/__init__.py": "",
    "pkg/core/helpers.py": "def check(x):\n    return x\n",
    "tests/core/test_helpers.py": "def test_nothing():\n    assert True\n",
    "tests/cli/test_helpers.py": "def test_nothing():\n    assert True\n",
    "tests/core/test_file_helpers.py": "def test_nothing():\n    assert True\n",
    "tests/test_other.py": "def test_nothing():\n    assert True\n",
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("focus")
    for path, text in FILES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return build_graph(root)


def test_the_graph_relates_first(graph) -> None:
    assert context.tests_for(graph, ["pkg/stats.py:median"]) == ["tests/test_stats.py"]


def test_a_module_with_no_importing_test_takes_the_tests_named_after_it(graph) -> None:
    assert context.tests_for(graph, ["pkg/rules/L060.py:Rule_L060._eval"]) == [
        "tests/rules/std_L060_test.py"
    ]
    # The same name in several folders: the folder most like the module's.
    assert context.tests_named_after(graph, ["pkg/core/helpers.py:check"]) == [
        "tests/core/test_helpers.py"
    ]
    # A package's __init__.py goes by the package's name.
    assert context.tests_named_after(graph, ["pkg/shapes/__init__.py:area"]) == [
        "tests/test_shapes.py"
    ]


def test_a_method_the_graph_cannot_reach_takes_the_tests_of_its_class(graph) -> None:
    assert context.tests_of_classes(graph, ["pkg/stats.py:Frame.value"]) == ["tests/test_frame.py"]
    # A test file named after the module is a sign already: the class's are not looked for.
    assert context.tests_for(graph, ["pkg/stats.py:Frame.value"]) == ["tests/test_stats.py"]


def test_the_graph_and_the_name_both_count(graph) -> None:
    assert context.tests_for(
        graph, ["pkg/stats.py:median", "pkg/rules/L060.py:Rule_L060._eval"]
    ) == [
        "tests/rules/std_L060_test.py",
        "tests/test_stats.py",
    ]


def test_no_sign_is_no_file_and_the_whole_suite_runs(graph) -> None:
    assert context.tests_for(graph, ["pkg/missing.py:gone"]) == []
    assert context.tests_for(graph, []) == []
