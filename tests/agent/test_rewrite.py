"""Whole-function candidates: targets, checks before any test runs, and the splice."""

from __future__ import annotations

import ast

import pytest

from swe_agent.agent.rewrite import (
    Rejected,
    Target,
    current_fingerprint,
    find_definition,
    pick_targets,
    read_candidate,
    read_candidate_in,
    splice,
)

MODULE = '''"""Stats."""
import math
from collections import (
    Counter,
)


def median(values):
    """Middle value."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


class Stats:
    @staticmethod
    def spread(values):
        return max(values) - min(values)

    def mean(self, values):
        def total():
            return sum(values)

        return total() / len(values)
'''


def test_find_definition_of_functions_methods_and_nested_ones() -> None:
    span = find_definition(MODULE, "median")
    assert span is not None and (span.start, span.end, span.indent) == (8, 11, 0)
    spread = find_definition(MODULE, "Stats.spread")
    assert spread is not None and (spread.start, spread.indent) == (15, 4)  # the decorator
    inner = find_definition(MODULE, "Stats.mean.total")
    assert inner is not None and inner.indent == 8
    assert find_definition(MODULE, "Stats") is None  # a class is not a function
    assert find_definition(MODULE, "nothing") is None
    assert find_definition("def broken(:\n", "broken") is None


def test_pick_targets_keeps_ranked_short_source_functions() -> None:
    files = {"stats.py": MODULE, "tests/test_stats.py": "def test_median():\n    pass\n"}
    locations = [
        {"id": "stats.py", "kind": "file"},
        {"id": "tests/test_stats.py:test_median", "kind": "function"},
        {"id": "stats.py:Stats.mean", "kind": "function"},
        {"id": "stats.py:gone", "kind": "function"},
        {"id": "stats.py:median", "kind": "function"},
    ]
    found = pick_targets(locations, source_of=files.get)
    assert [t.id for t in found] == ["stats.py:Stats.mean", "stats.py:median"]
    assert found[0].name == "mean"
    short = pick_targets(locations, source_of=files.get, max_lines=4)
    assert short == [Target("stats.py", "median")]
    tests = pick_targets(locations, source_of=files.get, tests_first=True)
    assert [t.id for t in tests] == ["tests/test_stats.py:test_median"]


MEDIAN = Target("stats.py", "median")


def test_a_candidate_must_parse_and_define_the_function() -> None:
    with pytest.raises(Rejected, match="does not parse"):
        read_candidate("def median(values)\n    return 1\n", MEDIAN)
    with pytest.raises(Rejected, match="defines no function median"):
        read_candidate("print(median([1, 2]))\n", MEDIAN)


def test_a_rewritten_helper_of_the_target_is_the_candidate() -> None:
    mean = Target("stats.py", "Stats.mean")
    inner = "def total():\n    return sum(values) + 0\n"
    candidate, where = read_candidate_in(inner, mean, MODULE)  # nested in the target
    assert where == Target("stats.py", "Stats.mean.total")
    spliced, span = splice(MODULE, where, candidate)
    assert "            return sum(values) + 0" in spliced and span.indent == 8
    beside = "def spread(values):\n    return max(values)\n"  # a method of the same class
    assert read_candidate_in(beside, mean, MODULE)[1] == Target("stats.py", "Stats.spread")
    assert read_candidate_in("def median(v):\n    return 0\n", MEDIAN, MODULE)[1] == MEDIAN
    with pytest.raises(Rejected, match="defines no function median"):
        read_candidate_in("def nowhere():\n    return 0\n", MEDIAN, MODULE)
    with pytest.raises(Rejected, match="defines no function median"):  # two: which one?
        read_candidate_in("def total():\n    pass\n\n\ndef spread():\n    pass\n", MEDIAN, MODULE)


def test_formatting_comments_and_docstrings_do_not_make_a_new_candidate() -> None:
    first = read_candidate("def median(values):\n    return sorted(values)[0]\n", MEDIAN)
    same = read_candidate(
        'def median( values ):\n    """Docs."""\n    # a comment\n    return sorted(values)[0]\n',
        MEDIAN,
    )
    other = read_candidate("def median(values):\n    return sorted(values)[1]\n", MEDIAN)
    assert first.fingerprint == same.fingerprint != other.fingerprint
    original = (
        "def median(values):\n    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n"
    )
    assert current_fingerprint(MODULE, MEDIAN) == read_candidate(original, MEDIAN).fingerprint


def test_splice_reindents_a_method_and_keeps_the_rest() -> None:
    method = Target("stats.py", "Stats.spread")
    candidate = read_candidate(
        "import statistics\n\n@staticmethod\ndef spread(values):\n"
        "    return statistics.pstdev(values)\n",
        method,
    )
    text, span = splice(MODULE, method, candidate)
    tree = ast.parse(text)
    assert "    @staticmethod\n    def spread(values):\n        return statistics.pstdev" in text
    assert "import statistics\n" in text and text.index("import statistics") > text.index(")\n")
    assert text.splitlines()[span.start - 1] == "    @staticmethod"
    assert len([n for n in tree.body if isinstance(n, ast.ClassDef)]) == 1
    assert "def median(values):" in text and "def total():" in text


def test_a_method_written_inside_its_class_is_accepted() -> None:
    method = Target("stats.py", "Stats.spread")
    candidate = read_candidate(
        "class Stats:\n    @staticmethod\n    def spread(values):\n        return 0\n", method
    )
    assert candidate.definition.startswith("@staticmethod\ndef spread(values):")


def test_splice_after_multiline_statements_and_of_a_vanished_function() -> None:
    text = "x = (\n    1,\n)\ndef median(values):\n    return 0\n"
    ok, _ = splice(text, MEDIAN, read_candidate("def median(values):\n    return 1\n", MEDIAN))
    assert ok.endswith("def median(values):\n    return 1\n")
    with pytest.raises(Rejected, match="no longer in"):
        splice("y = 1\n", MEDIAN, read_candidate("def median(v):\n    return 1\n", MEDIAN))
