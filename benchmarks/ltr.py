"""Listwise learning to rank for a linear score, in plain numpy (used by fit_ranking.py).

Each query (one issue at one level) is a matrix of candidate feature rows, an offset per
candidate (a score the fit builds on, weight fixed at 1) and the indices of its gold
candidates. The loss is ListNet's top-one cross-entropy: for every gold candidate, minus the
log of its softmax probability among the query's candidates, averaged per query, plus an L2
penalty. It is convex in the weights, so Newton's method finds the optimum in a few steps;
weights of evidence are kept non-negative (more evidence never lowers a score) by fixing any
that would go negative at zero and solving again for the rest; ``signed`` ones may go either
way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Query:
    """One ranking to learn from: candidates x features, offsets, gold candidate indices."""

    x: Array
    offset: Array
    gold: tuple[int, ...]


def _loss_parts(w: Array, queries: Sequence[Query], l2: float) -> tuple[float, Array, Array]:
    """Loss, gradient and Hessian at ``w``."""
    d = len(w)
    loss, grad, hess = 0.5 * l2 * float(w @ w), l2 * w.copy(), l2 * np.eye(d)
    n = max(len(queries), 1)
    for q in queries:
        s = q.offset + q.x @ w
        s = s - s.max()
        p = np.exp(s)
        total = p.sum()
        p /= total
        mean = p @ q.x
        gold = q.x[list(q.gold)]
        loss += float(np.log(total) - s[list(q.gold)].mean()) / n
        grad += (mean - gold.mean(axis=0)) / n
        centred = q.x - mean
        hess += (centred.T * p) @ centred / n
    return loss, grad, hess


def _newton(queries: Sequence[Query], free: NDArray[np.bool_], l2: float, w0: Array) -> Array:
    w = np.where(free, w0, 0.0)
    for _ in range(50):
        loss, grad, hess = _loss_parts(w, queries, l2)
        idx = np.flatnonzero(free)
        if idx.size == 0:
            return w
        step = np.linalg.solve(hess[np.ix_(idx, idx)], grad[idx])
        t = 1.0
        while t > 1e-6:  # backtracking: the full step can overshoot far from the optimum
            trial = w.copy()
            trial[idx] -= t * step
            if _loss_parts(trial, queries, l2)[0] <= loss - 1e-4 * t * float(grad[idx] @ step):
                break
            t /= 2
        w = trial
        if float(np.abs(t * step).max()) < 1e-7:
            break
    return w


def fit(
    queries: Sequence[Query], dims: int, *, signed: Sequence[int] = (), l2: float = 1e-2
) -> Array:
    """Weights minimizing the listwise loss over ``queries``, non-negative but for the
    ``signed`` dimensions."""
    useful = [q for q in queries if q.gold and len(q.x) > 1]
    free = np.ones(dims, dtype=bool)
    may_fall = np.ones(dims, dtype=bool)
    may_fall[list(signed)] = False
    w = np.zeros(dims)
    if not useful:
        return w
    while True:
        w = _newton(useful, free, l2, w)
        negative = free & may_fall & (w < 0)
        if not negative.any():
            return np.where(may_fall, np.maximum(w, 0.0), w)
        free &= ~negative
        w[~free] = 0.0


def hits(queries: Sequence[Query], w: Array, ks: Sequence[int]) -> int:
    """How many (query, k) have every gold candidate in the top k (or only gold there, when
    there are more gold than k), ties counted against the gold."""
    total = 0
    for q in queries:
        s = q.offset + q.x @ w
        gold = np.array(q.gold)
        # A gold candidate's rank: the candidates scoring at least as high, but itself.
        ranks = np.array([(s >= s[g]).sum() - 1 for g in gold])
        for k in ks:
            total += int((ranks < k).sum() >= min(len(gold), k))
    return total


def refine(
    queries: Sequence[Query],
    w: Array,
    *,
    ks: Sequence[int],
    signed: Sequence[int] = (),
    rounds: int = 2,
) -> Array:
    """Coordinate ascent on the number of hits at ``ks`` from ``w`` (RankLib's coordinate
    ascent): each weight in turn is scaled by a few factors, or a zero one tried at a few
    sizes, and the best change kept when it gains hits."""
    w = w.copy()
    best = hits(queries, w, ks)
    scale = float(np.abs(w[w != 0]).mean()) if (w != 0).any() else 1.0
    for _ in range(rounds):
        for j in range(len(w)):
            tries = [w[j] * f for f in (0.0, 0.5, 0.8, 1.25, 2.0)] if w[j] else []
            tries += [scale * f for f in (0.1, 0.3, 1.0)] if not w[j] else []
            if j in signed:
                tries += [-t for t in tries]
            for value in tries:
                trial = w.copy()
                trial[j] = value
                found = hits(queries, trial, ks)
                if found > best:
                    best, w = found, trial
    return w
