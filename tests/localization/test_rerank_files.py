"""benchmarks/rerank_files.py: the file orders of its variants."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def rerank() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import rerank_files

        yield rerank_files
    finally:
        sys.path.remove(str(BENCHMARKS))


def _rows(rerank: ModuleType, scores: list[float], edges: list[list[float]]) -> np.ndarray:
    """Candidate rows with only the first-stage score and the edge kinds' values set."""
    x = np.zeros((len(scores), rerank.BASE + len(rerank.KINDS)))
    x[:, rerank.SCORE] = scores
    x[:, rerank.BASE :] = edges
    return x


def test_a_file_lifted_along_an_edge_kind_stays_below_the_file_that_lifts_it(
    rerank: ModuleType,
) -> None:
    rerank.OPTIONS["learner"] = "edges"
    calls = [1.0 if kind == "invokes" else 0.0 for kind in rerank.KINDS]
    none = [0.0] * len(rerank.KINDS)
    x = _rows(rerank, [2.0, 1.5, 1.0], [none, none, [2.0 * v for v in calls]])
    w = np.array(calls) * 0.9  # c gains 0.9 x a's 2.0: 2.8, past a itself
    paths = ["a.py", "b.py", "c.py"]
    assert rerank.reorder(paths, x, w, "re-scored") == ["c.py", "a.py", "b.py"]
    assert rerank.reorder(paths, x, w, "re-scored, capped") == ["a.py", "c.py", "b.py"]
    assert rerank.reorder(paths, x, w, "first stage") == paths


class _Prefers:
    """A stand-in classifier at the process edge of sklearn: prefers the last candidates."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = np.linspace(0.1, 0.9, len(x))
        return np.column_stack([1 - p, p])


def test_the_capped_boosted_order_keeps_the_first_stage_best_file_first(
    rerank: ModuleType,
) -> None:
    rerank.OPTIONS["learner"] = "boosted"
    x = _rows(rerank, [3.0, 2.0, 1.0], [[0.0] * len(rerank.KINDS)] * 3)
    paths = ["a.py", "b.py", "c.py"]
    assert rerank.reorder(paths, x, _Prefers(), "re-scored") == ["c.py", "b.py", "a.py"]
    assert rerank.reorder(paths, x, _Prefers(), "re-scored, capped") == ["a.py", "c.py", "b.py"]
